/* SPDX-License-Identifier: MIT */
/* The architectural TLB-hazard checker (see hazard.h for the rules).
 *
 * State.  Per CPU, two bounded sets of translations ("records"), each a
 * translation as a walk produced it with its VA range:
 *   cached   - translations that were valid, were changed in the tables,
 *              and that no invalidate has covered since on this CPU: the
 *              TLB may still hold them;
 *   pending  - translations an invalidate on this CPU removed, until the
 *              DSB (state NEED_DSB) and ISB (NEED_ISB) that complete it.
 * Records are chained in a hash on (VA base, size); a look-up probes one
 * bucket per page size present (4 KiB, 64 KiB, 1 MiB, 16 MiB).
 *
 * Where a store lands.  The first-level table is the one TTBR0 points at
 * when the checker starts; every second-level table an L1 entry points at
 * is learned from it (l2_owner: table -> L1 index) and kept up to date on
 * every L1 store, and the physical pages holding either kind are "watched"
 * (a bitmap over RAM).  A store to a descriptor retires the translation(s)
 * the old descriptor gave: the checker walks the affected VA(s) before the
 * store lands and adds what it finds to every CPU's cached set. */
#include "hazard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SZ_1K  0x400u
#define SZ_4K  0x1000u
#define SZ_1M  0x100000u
#define L1_SIZE 0x4000u
#define LINE_MASK (~31u) /* ARM1176 L1 D-cache line: 8 words (TRM 7.1) */
#define ORIGIN_SLOTS 16384u

enum rec_state { REC_CACHED, REC_NEED_DSB, REC_NEED_ISB };

struct rec {
	uint32_t va_base, size;
	struct mmu_translation t;
	struct hazard_origin origin;
	uint32_t desc_pa;   /* the descriptor whose store retired it */
	uint64_t store_seq; /* that store's number (hz->store_seq) */
	uint8_t store_cpu;
	uint8_t asid;       /* t.ng: the ASID this copy is tagged with (retire()) */
	uint8_t state;      /* enum rec_state */
	uint8_t sides;      /* HAZARD_SIDE_*: TLB sides not yet invalidated */
	uint8_t refill;     /* an invalidate ran before the store was visible */
	uint8_t kernel;     /* the store was the modelled kernel's */
	int32_t next;       /* hash chain, or free list */
};

struct recset {
	struct rec *r;
	unsigned cap, n;
	int32_t *bucket;
	uint32_t mask;       /* buckets - 1 */
	int32_t free;
	unsigned by_size[4]; /* records per size class */
	/* Records touching each 1 MiB of VA space, both sets of the CPU
	 * together (struct hazard_cpu owns it): most accesses fall where
	 * nothing is recorded, and this answers them without hashing. */
	uint32_t *per_mib;
	struct hazard_checker *hz; /* whose mib hook hears of a count leaving or reaching 0 */
	unsigned cpu;
};

struct dirty_line {
	uint32_t pa;
	bool cleaned; /* cleaned, the DSB after it still to come */
};

struct hazard_cpu {
	struct recset cached, pending;
	uint64_t dsb_seq; /* hz->store_seq at this CPU's last DSB */
	/* ASID history: asid is the current one; asid_left[a] is
	 * hz->store_seq + 1 when ASID a was last left, 0 if it was never
	 * current on this CPU. */
	uint8_t asid;
	uint64_t asid_left[256];
	struct dirty_line dirty[HAZARD_DIRTY_MAX];
	unsigned ndirty;
};

struct origin_slot {
	uint32_t pa; /* descriptor PA + 1 (0: empty) */
	struct hazard_origin o;
	uint64_t seq; /* hz->store_seq of the store that made it valid */
};

struct hazard_checker {
	struct hazard_hot hot; /* first: hazard.h's inline reads it */
	const struct phys_mem *mem;
	const struct mmu_regs *regs;
	unsigned ncpus;
	bool needs_clean;
	struct hazard_cpu *cpu;
	uint32_t l1_pa;
	uint8_t *watched;     /* bit per RAM page */
	uint16_t *l2_owner;   /* per 1 KiB of RAM: L1 index + 1 of the entry pointing here, 0: none */
	struct origin_slot *origins;
	uint64_t store_seq;
	uint32_t kernel_pc;
	bool completing; /* in hazard_kernel_flush: no pending records */
	hazard_mib_fn mib_fn; /* hazard_set_mib_hook() */
	void *mib_arg;
	struct hazard_stats stats;
	const struct hazard_ops *ops;
	void *arg;
	uint64_t *epoch[HAZARD_MAX_CPUS]; /* hazard_set_epoch() */
};

/* ---- the bounded record set ------------------------------------------- */

static unsigned size_class(uint32_t size)
{
	switch (size) {
	case 0x1000u: return 0;
	case 0x10000u: return 1;
	case 0x100000u: return 2;
	default: return 3;
	}
}

static const uint32_t class_size[4] = { 0x1000u, 0x10000u, 0x100000u, 0x1000000u };

static uint32_t bucket_of(const struct recset *s, uint32_t va_base, uint32_t size)
{
	uint32_t h = (va_base >> 12) * 0x9e3779b1u ^ size_class(size);
	return (h ^ (h >> 15)) & s->mask;
}

static bool recset_init(struct recset *s, unsigned cap, uint32_t *per_mib,
			struct hazard_checker *hz, unsigned cpu)
{
	memset(s, 0, sizeof(*s));
	s->hz = hz;
	s->cpu = cpu;
	s->cap = cap;
	s->mask = 2 * cap - 1; /* cap is a power of two */
	s->r = calloc(cap, sizeof(*s->r));
	s->bucket = malloc(2 * cap * sizeof(*s->bucket));
	s->per_mib = per_mib;
	if (!s->r || !s->bucket)
		return false;
	for (unsigned i = 0; i <= s->mask; i++)
		s->bucket[i] = -1;
	for (unsigned i = 0; i < cap; i++)
		s->r[i].next = i + 1 < cap ? (int32_t)(i + 1) : -1;
	s->free = 0;
	return true;
}

static void recset_free(struct recset *s)
{
	free(s->r);
	free(s->bucket);
}

static void mib_hook(struct hazard_checker *hz, unsigned cpu, uint32_t mib, bool on);

/* The 1 MiB regions a record covers: one, or sixteen for a supersection.
 * A region whose count leaves or reaches 0 is told to the mib hook. */
static void count_mibs(struct recset *s, const struct rec *r, int delta)
{
	uint32_t n = r->size > 0x100000u ? r->size >> 20 : 1;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t mib = ((r->va_base >> 20) + i) & 0xfffu;
		uint32_t was = s->per_mib[mib];
		s->per_mib[mib] += (uint32_t)delta;
		if (!was != !s->per_mib[mib])
			mib_hook(s->hz, s->cpu, mib, !was);
	}
}

/* Same translation for the purpose of "what an access would get". */
static bool same_translation(const struct mmu_translation *a, const struct mmu_translation *b)
{
	return a->va_base == b->va_base && a->size == b->size && a->pa_base == b->pa_base &&
	       a->l1_desc == b->l1_desc && a->l2_desc == b->l2_desc;
}

/* Adds a copy of r unless an equal translation is there; false if full. */
static bool recset_add(struct recset *s, const struct rec *r)
{
	uint32_t b = bucket_of(s, r->va_base, r->size);
	for (int32_t i = s->bucket[b]; i >= 0; i = s->r[i].next)
		if (s->r[i].va_base == r->va_base && s->r[i].size == r->size &&
		    same_translation(&s->r[i].t, &r->t) && s->r[i].asid == r->asid) {
			/* A newer store or invalidate: its ordering is what counts now. */
			int32_t next = s->r[i].next;
			s->r[i] = *r;
			s->r[i].next = next;
			return true;
		}
	if (s->free < 0)
		return false;
	int32_t i = s->free;
	s->free = s->r[i].next;
	s->r[i] = *r;
	s->r[i].next = s->bucket[b];
	s->bucket[b] = i;
	s->n++;
	s->by_size[size_class(r->size)]++;
	count_mibs(s, r, 1);
	return true;
}

static void recset_unlink(struct recset *s, int32_t *link)
{
	int32_t i = *link;
	*link = s->r[i].next;
	s->by_size[size_class(s->r[i].size)]--;
	count_mibs(s, &s->r[i], -1);
	s->r[i].next = s->free;
	s->free = i;
	s->n--;
}

/* The chain a look-up of va probes for size class k. */
static int32_t *chain_for(struct recset *s, uint32_t va, unsigned k)
{
	uint32_t base = va & ~(class_size[k] - 1);
	return &s->bucket[bucket_of(s, base, class_size[k])];
}

/* ---- helpers ------------------------------------------------------------ */

static struct hazard_cpu *cpu_of(struct hazard_checker *hz, unsigned cpu)
{
	return cpu < hz->ncpus ? &hz->cpu[cpu] : NULL;
}

static void bump_epoch(struct hazard_checker *hz, unsigned cpu)
{
	if (hz->epoch[cpu])
		(*hz->epoch[cpu])++;
}

static void bump_epochs(struct hazard_checker *hz)
{
	for (unsigned c = 0; c < hz->ncpus; c++)
		bump_epoch(hz, c);
}

/* Every change to a CPU's record sets ends here (the per-MiB counts move
 * with them), so this is where its epoch moves. */
static void update_watch(struct hazard_checker *hz, unsigned cpu)
{
	hz->hot.watch[cpu] = hz->cpu[cpu].cached.n + hz->cpu[cpu].pending.n;
	bump_epoch(hz, cpu);
}

static uint8_t current_asid(const struct hazard_checker *hz)
{
	return (uint8_t)(hz->regs->contextidr & 0xffu);
}

static bool in_ram(const struct hazard_checker *hz, uint32_t pa, uint32_t len)
{
	return phys_contains(hz->mem, pa, len);
}

static void watch_page(struct hazard_checker *hz, uint32_t pa)
{
	if (!in_ram(hz, pa, 4))
		return;
	uint32_t pg = (pa - hz->mem->base) >> 12;
	if (!(hz->watched[pg >> 3] >> (pg & 7) & 1)) {
		hz->hot.watch_gen++;
		bump_epochs(hz);
	}
	hz->watched[pg >> 3] |= (uint8_t)(1u << (pg & 7));
}


bool hazard_pt_watched(const struct hazard_checker *hz, uint32_t pa)
{
	if (!hz || !in_ram(hz, pa, 1))
		return false;
	uint32_t pg = (pa - hz->mem->base) >> 12;
	return hz->watched[pg >> 3] >> (pg & 7) & 1;
}

static struct origin_slot *origin_slot(struct hazard_checker *hz, uint32_t pa)
{
	uint32_t h = (pa >> 2) * 0x9e3779b1u;
	return &hz->origins[(h ^ (h >> 16)) & (ORIGIN_SLOTS - 1)];
}

/* Where the descriptor at desc_pa became valid; *seq: when (0: since
 * the start, or not remembered). */
static struct hazard_origin origin_of(struct hazard_checker *hz, uint32_t desc_pa, uint64_t *seq)
{
	struct origin_slot *s = origin_slot(hz, desc_pa);
	struct hazard_origin none = { 0 };
	*seq = s->pa == desc_pa + 1 ? s->seq : 0;
	return s->pa == desc_pa + 1 ? s->o : none;
}

/* The L1 entry pointing at the L2 table at pa, as L1 index + 1 (0: none). */
static unsigned owner_of(const struct hazard_checker *hz, uint32_t l2_pa)
{
	if (!in_ram(hz, l2_pa, 4))
		return 0;
	return hz->l2_owner[(l2_pa - hz->mem->base) >> 10];
}

static void set_owner(struct hazard_checker *hz, uint32_t l1_desc, unsigned val)
{
	if ((l1_desc & 3u) != 1u)
		return;
	uint32_t l2 = l1_desc & 0xfffffc00u;
	if (!in_ram(hz, l2, SZ_1K))
		return;
	hz->l2_owner[(l2 - hz->mem->base) >> 10] = (uint16_t)val;
	if (val)
		watch_page(hz, l2);
}

bool hazard_core_needs_pte_clean(const char *core_name)
{
	return core_name && strcmp(core_name, "arm1176") == 0;
}

/* ---- set-up ------------------------------------------------------------- */

struct hazard_checker *hazard_create(const struct phys_mem *mem, const struct mmu_regs *regs,
				     unsigned ncpus, bool needs_clean)
{
	if (!mem || !regs || ncpus == 0 || ncpus > HAZARD_MAX_CPUS)
		return NULL;
	struct hazard_checker *hz = calloc(1, sizeof(*hz));
	if (!hz)
		return NULL;
	hz->mem = mem;
	hz->regs = regs;
	hz->ncpus = ncpus;
	hz->needs_clean = needs_clean;
	hz->cpu = calloc(ncpus, sizeof(*hz->cpu));
	hz->watched = calloc((mem->size >> 12) / 8 + 1, 1);
	hz->l2_owner = calloc((mem->size >> 10) + 1, sizeof(*hz->l2_owner));
	hz->origins = calloc(ORIGIN_SLOTS, sizeof(*hz->origins));
	if (!hz->cpu || !hz->watched || !hz->l2_owner || !hz->origins)
		goto fail;
	for (unsigned c = 0; c < ncpus; c++) {
		uint32_t *per_mib = calloc(4096, sizeof(*per_mib));
		hz->hot.per_mib[c] = per_mib;
		if (!per_mib || !recset_init(&hz->cpu[c].cached, HAZARD_SET_MAX, per_mib, hz, c) ||
		    !recset_init(&hz->cpu[c].pending, HAZARD_PENDING_MAX, per_mib, hz, c))
			goto fail;
		hz->cpu[c].asid = current_asid(hz);
	}
	hazard_tables_changed(hz);
	return hz;
fail:
	hazard_destroy(hz);
	return NULL;
}

void hazard_tables_changed(struct hazard_checker *hz)
{
	if (!hz)
		return;
	hz->l1_pa = hz->regs->ttbr0 & 0xffffc000u;
	if (!in_ram(hz, hz->l1_pa, L1_SIZE))
		return;
	for (uint32_t off = 0; off < L1_SIZE; off += SZ_4K)
		watch_page(hz, hz->l1_pa + off);
	for (unsigned i = 0; i < 4096; i++)
		set_owner(hz, phys_read32(hz->mem, hz->l1_pa + 4 * i), i + 1);
}

void hazard_destroy(struct hazard_checker *hz)
{
	if (!hz)
		return;
	if (hz->cpu)
		for (unsigned c = 0; c < hz->ncpus; c++) {
			recset_free(&hz->cpu[c].cached);
			recset_free(&hz->cpu[c].pending);
			free(hz->hot.per_mib[c]);
		}
	free(hz->cpu);
	free(hz->watched);
	free(hz->l2_owner);
	free(hz->origins);
	free(hz);
}

void hazard_set_ops(struct hazard_checker *hz, const struct hazard_ops *ops, void *arg)
{
	hz->ops = ops;
	hz->arg = arg;
}

void hazard_set_mib_hook(struct hazard_checker *hz, hazard_mib_fn fn, void *arg)
{
	hz->mib_fn = fn;
	hz->mib_arg = arg;
}

void hazard_set_epoch(struct hazard_checker *hz, unsigned cpu, uint64_t *epoch)
{
	if (hz && cpu < hz->ncpus)
		hz->epoch[cpu] = epoch;
}

const struct hazard_stats *hazard_stats(const struct hazard_checker *hz)
{
	return &hz->stats;
}

void hazard_set_kernel_pc(struct hazard_checker *hz, uint32_t pc)
{
	if (hz)
		hz->kernel_pc = pc;
}

static void report(struct hazard_checker *hz, const struct hazard_report *r)
{
	hz->stats.count[r->kind]++;
	if (r->kind == HAZARD_STALE && r->observed)
		hz->stats.observed++;
	if (hz->ops && hz->ops->report)
		hz->ops->report(hz->arg, r);
}

/* ---- stores --------------------------------------------------------------- */

/* Whether ASID a was current on hc at some time since store number
 * `since`: it is current now, or it was left after that store. */
static bool asid_seen_since(const struct hazard_cpu *hc, unsigned a, uint64_t since)
{
	return a == hc->asid || (hc->asid_left[a] && hc->asid_left[a] - 1 >= since);
}

static void mib_hook(struct hazard_checker *hz, unsigned cpu, uint32_t mib, bool on)
{
	/* No epoch bump here: every record change that calls this ends in
	 * update_watch() for the same CPU, which moves it. */
	if (hz->mib_fn)
		hz->mib_fn(hz->mib_arg, cpu, mib, on);
}

/* A record of `cpu` that did not fit: counted nowhere, so no 1 MiB count
 * says where it is; the hook hears "anywhere". */
static void untracked(struct hazard_checker *hz, unsigned cpu)
{
	hz->stats.untracked++;
	mib_hook(hz, cpu, HAZARD_MIB_ALL, true);
}

static void add_cached(struct hazard_checker *hz, unsigned c, const struct rec *r)
{
	if (!recset_add(&hz->cpu[c].cached, r))
		untracked(hz, c);
}

/* Adds the translation of va (if valid now, before the store) to every
 * CPU's cached set.  A global one matches every ASID.  A non-global one
 * (nG) is cached tagged with the ASID current when the walk ran
 * (B3.9.1), and a walk may have run at any time it was valid: on each
 * CPU it is added once per ASID that CPU had current since the store
 * that made the descriptor valid (`valid_since`; 0: since the start). */
static void retire(struct hazard_checker *hz, unsigned cpu, uint32_t va, uint32_t desc_pa,
		   bool kernel)
{
	struct rec r;
	uint64_t valid_since;
	memset(&r, 0, sizeof(r));
	if (mmu_walk(hz->mem, hz->regs, va, &r.t) != MMU_OK || r.t.mmu_off)
		return; /* faulting translations are never cached */
	r.va_base = r.t.va_base;
	r.size = r.t.size;
	r.origin = origin_of(hz, r.t.level == 2 ? r.t.l2_pa : r.t.l1_pa, &valid_since);
	r.desc_pa = desc_pa;
	r.store_seq = hz->store_seq;
	r.store_cpu = (uint8_t)cpu;
	r.kernel = kernel;
	r.state = REC_CACHED;
	r.sides = HAZARD_SIDES;
	for (unsigned c = 0; c < hz->ncpus; c++) {
		if (!r.t.ng)
			add_cached(hz, c, &r);
		else
			for (unsigned a = 0; a < 256; a++)
				if (asid_seen_since(&hz->cpu[c], a, valid_since)) {
					r.asid = (uint8_t)a;
					add_cached(hz, c, &r);
				}
		update_watch(hz, c);
	}
}

static void note_dirty_line(struct hazard_checker *hz, unsigned cpu, uint32_t pa)
{
	struct hazard_cpu *hc = &hz->cpu[cpu];
	uint32_t line = pa & LINE_MASK;
	for (unsigned i = 0; i < hc->ndirty; i++)
		if (hc->dirty[i].pa == line) {
			hc->dirty[i].cleaned = false;
			return;
		}
	if (hc->ndirty == HAZARD_DIRTY_MAX) {
		hz->stats.untracked++;
		return;
	}
	hc->dirty[hc->ndirty++] = (struct dirty_line){ line, false };
}

/* One descriptor word at w changes from old to new. */
static void word_store(struct hazard_checker *hz, unsigned cpu, uint32_t w, uint32_t old,
		       uint32_t new, uint32_t pc, bool kernel)
{
	hz->stats.pt_stores++;
	hz->store_seq++;
	if (w - hz->l1_pa < L1_SIZE) {
		unsigned idx = (w - hz->l1_pa) >> 2;
		uint32_t va = idx << 20;
		if ((old & 3u) == 1u) { /* a page table: every page it mapped */
			for (uint32_t p = 0; p < SZ_1M; p += SZ_4K)
				retire(hz, cpu, va + p, w, kernel);
			set_owner(hz, old, 0);
		} else {
			retire(hz, cpu, va, w, kernel);
		}
		set_owner(hz, new, idx + 1);
	} else {
		unsigned owner = owner_of(hz, w & ~(SZ_1K - 1));
		if (owner)
			retire(hz, cpu, ((owner - 1) << 20) | ((w & 0x3ffu) >> 2) << 12, w, kernel);
	}
	if (new & 3u) {
		struct origin_slot *s = origin_slot(hz, w);
		s->pa = w + 1;
		s->o = (struct hazard_origin){ kernel ? hz->kernel_pc : pc, kernel, true };
		s->seq = hz->store_seq;
	}
	/* Linux's set_pte_ext cleans the line itself; a guest must. */
	if (hz->needs_clean && !kernel)
		note_dirty_line(hz, cpu, w);
}

void hazard_pt_store(struct hazard_checker *hz, unsigned cpu, uint32_t pa, unsigned size,
		     uint64_t value, uint32_t pc, bool kernel)
{
	if (!hz || cpu >= hz->ncpus || size == 0 || size > 8)
		return;
	bump_epochs(hz);
	uint32_t first = pa & ~3u, last = (pa + size - 1) & ~3u;
	for (uint32_t w = first;; w += 4) {
		if (in_ram(hz, w, 4)) {
			uint32_t old = phys_read32(hz->mem, w), new = old;
			for (unsigned b = 0; b < 4; b++) {
				uint32_t a = w + b;
				if (a - pa < size) {
					uint32_t byte = (uint32_t)(value >> (8 * (a - pa))) & 0xffu;
					new = (new & ~(0xffu << (8 * b))) | byte << (8 * b);
				}
			}
			if (new != old)
				word_store(hz, cpu, w, old, new, pc, kernel);
		}
		if (w == last)
			break;
	}
}

/* ---- ASIDs ------------------------------------------------------------------ */

void hazard_asid_changed(struct hazard_checker *hz, unsigned cpu, uint8_t asid)
{
	struct hazard_cpu *hc;
	if (!hz || !(hc = cpu_of(hz, cpu)) || hc->asid == asid)
		return;
	hc->asid_left[hc->asid] = hz->store_seq + 1;
	hc->asid = asid;
}

/* ---- barriers and cache maintenance ------------------------------------ */

void hazard_dsb(struct hazard_checker *hz, unsigned cpu)
{
	struct hazard_cpu *hc;
	if (!hz || !(hc = cpu_of(hz, cpu)))
		return;
	hc->dsb_seq = hz->store_seq;
	unsigned k = 0;
	for (unsigned i = 0; i < hc->ndirty; i++)
		if (!hc->dirty[i].cleaned)
			hc->dirty[k++] = hc->dirty[i];
	hc->ndirty = k;
	if (!hc->pending.n)
		return;
	for (unsigned i = 0; i < hc->pending.cap; i++)
		if (hc->pending.r[i].state == REC_NEED_DSB)
			hc->pending.r[i].state = REC_NEED_ISB;
}

void hazard_isb(struct hazard_checker *hz, unsigned cpu)
{
	struct hazard_cpu *hc;
	if (!hz || !(hc = cpu_of(hz, cpu)) || !hc->pending.n)
		return;
	struct recset *s = &hc->pending;
	for (uint32_t b = 0; b <= s->mask; b++)
		for (int32_t *link = &s->bucket[b]; *link >= 0;) {
			if (s->r[*link].state == REC_NEED_ISB)
				recset_unlink(s, link);
			else
				link = &s->r[*link].next;
		}
	update_watch(hz, cpu);
}

void hazard_dcache_clean(struct hazard_checker *hz, unsigned cpu, uint32_t pa, bool all_lines)
{
	struct hazard_cpu *hc;
	if (!hz || !(hc = cpu_of(hz, cpu)))
		return;
	for (unsigned i = 0; i < hc->ndirty; i++)
		if (all_lines || hc->dirty[i].pa == (pa & LINE_MASK))
			hc->dirty[i].cleaned = true;
}

/* ---- invalidates ---------------------------------------------------------- */

static bool inval_match(const struct rec *r, enum hazard_inval op, uint32_t va, uint8_t asid)
{
	bool covers = va - r->va_base < r->size;
	switch (op) {
	case HAZARD_INV_ALL:
		return true;
	case HAZARD_INV_MVA:
		return covers && (!r->t.ng || r->asid == asid);
	case HAZARD_INV_MVA_ALL_ASID:
		return covers;
	case HAZARD_INV_ASID:
		return r->t.ng && r->asid == asid;
	}
	return false;
}

/* Whether the descriptor store that retired r had reached the table
 * walker when an invalidate runs: a DSB by the storing CPU after it
 * (whichever CPU invalidates), and on cores whose walker does not read
 * the L1 D-cache a clean of its line before that DSB.  If not, *kind is
 * the hazard.  The modelled kernel's stores are visible by the time any
 * other code runs: each of its operations is atomic to the guest, and
 * Linux ends them with a DSB (its own flush starts with one; kmap_lock's
 * release is arch_spin_unlock's dsb_sev(), a DSB ISHST on ARMv7,
 * arch/arm/include/asm/spinlock.h, v5.10). */
static bool store_visible(const struct hazard_checker *hz, const struct rec *r,
			  enum hazard_kind *kind)
{
	const struct hazard_cpu *sc = &hz->cpu[r->store_cpu];
	if (r->kernel)
		return true;
	if (hz->needs_clean)
		for (unsigned i = 0; i < sc->ndirty; i++)
			if (sc->dirty[i].pa == (r->desc_pa & LINE_MASK)) {
				*kind = sc->dirty[i].cleaned ? HAZARD_BARRIER : HAZARD_PTE_NOT_CLEANED;
				return false;
			}
	if (sc->dsb_seq < r->store_seq) {
		*kind = HAZARD_BARRIER;
		return false;
	}
	return true;
}

static void report_not_visible(struct hazard_checker *hz, unsigned cpu, const struct rec *r,
			       enum hazard_kind kind)
{
	struct hazard_report rep = {
		.kind = kind, .cpu = cpu, .va = r->va_base, .old = r->t, .origin = r->origin,
		.desc_pa = r->desc_pa, .why = HAZARD_NO_DSB_BEFORE_TLBI, .store_cpu = r->store_cpu,
		.asid = r->asid,
	};
	report(hz, &rep);
}

/* Removes what the invalidate covers from one chain: moved to pending on
 * the issuing CPU, dropped on the others.  An invalidate that runs before
 * the descriptor store reached the walker is reported once (by the
 * issuer) and removes nothing: the walker may refill the old descriptor
 * right after it, on every CPU it reached, so the old translation stays
 * possibly cached until an invalidate after the store is visible. */
static void inval_chain(struct hazard_checker *hz, unsigned issuer, unsigned c, int32_t *link,
			unsigned sides, enum hazard_inval op, uint32_t va, uint8_t asid)
{
	struct recset *s = &hz->cpu[c].cached;
	while (*link >= 0) {
		struct rec *r = &s->r[*link];
		enum hazard_kind kind;
		if (!inval_match(r, op, va, asid) || !(r->sides & sides)) {
			link = &r->next;
			continue;
		}
		r->sides &= (uint8_t)~sides;
		if (r->sides) { /* the other side's TLB may still hold it */
			link = &r->next;
			continue;
		}
		if (!store_visible(hz, r, &kind)) {
			if (c == issuer)
				report_not_visible(hz, c, r, kind);
			r->sides = HAZARD_SIDES; /* a refill may land on either side */
			r->refill = 1;
			link = &r->next;
			continue;
		}
		if (c == issuer && !hz->completing) {
			struct rec p = *r;
			p.state = REC_NEED_DSB;
			p.sides = HAZARD_SIDES;
			if (!recset_add(&hz->cpu[c].pending, &p))
				untracked(hz, c);
		}
		recset_unlink(s, link);
	}
}

static void inval_cpu(struct hazard_checker *hz, unsigned issuer, unsigned c, unsigned sides,
		      enum hazard_inval op, uint32_t va, uint8_t asid)
{
	struct recset *s = &hz->cpu[c].cached;
	if (!s->n)
		return;
	if (op == HAZARD_INV_MVA || op == HAZARD_INV_MVA_ALL_ASID) {
		for (unsigned k = 0; k < 4; k++)
			if (s->by_size[k])
				inval_chain(hz, issuer, c, chain_for(s, va, k), sides, op, va, asid);
	} else {
		for (uint32_t b = 0; b <= s->mask; b++)
			inval_chain(hz, issuer, c, &s->bucket[b], sides, op, va, asid);
	}
	update_watch(hz, c);
}

void hazard_invalidate(struct hazard_checker *hz, unsigned cpu, uint64_t cpus, unsigned sides,
		       enum hazard_inval op, uint32_t va, uint8_t asid)
{
	if (!hz || cpu >= hz->ncpus)
		return;
	for (unsigned c = 0; c < hz->ncpus; c++)
		if (cpus >> c & 1)
			inval_cpu(hz, cpu, c, sides, op, va, asid);
}

void hazard_kernel_flush(struct hazard_checker *hz, unsigned cpu, uint64_t cpus,
			 enum hazard_inval op, uint32_t va, uint8_t asid)
{
	hazard_dsb(hz, cpu);
	/* Its DSB and ISB follow with nothing between: what it removes need
	 * not wait in the pending set (which a flush_tlb_all of a full set
	 * would overflow). */
	if (hz)
		hz->completing = true;
	hazard_invalidate(hz, cpu, cpus, HAZARD_SIDES, op, va, asid);
	if (hz)
		hz->completing = false;
	hazard_dsb(hz, cpu);
	hazard_isb(hz, cpu);
}

/* ---- accesses ------------------------------------------------------------- */

/* Rights a translation grants: privileged read/write, user read/write, execute. */
#define R_PR 1u
#define R_PW 2u
#define R_UR 4u
#define R_UW 8u
#define R_X  16u

static unsigned rights(const struct mmu_translation *t)
{
	static const unsigned ap_rights[8] = {
		0, R_PR | R_PW, R_PR | R_PW | R_UR, R_PR | R_PW | R_UR | R_UW,
		0, R_PR, R_PR | R_UR, R_PR | R_UR,
	};
	unsigned r = ap_rights[t->ap & 7u];
	if (!t->xn && r)
		r |= R_X;
	return r;
}

/* Memory type and sharing of the leaf descriptor: TEX, C, B, S. */
static uint32_t mem_attr(const struct mmu_translation *t)
{
	if (t->level == 2) {
		uint32_t d = t->l2_desc;
		uint32_t tex = (d & 2u) ? (d >> 6) & 7u : (d >> 12) & 7u;
		return (d & 0xcu) | tex << 4 | ((d >> 10) & 1u) << 8;
	}
	uint32_t d = t->l1_desc;
	return (d & 0xcu) | ((d >> 12) & 7u) << 4 | ((d >> 16) & 1u) << 8;
}

static unsigned diff_of(const struct mmu_translation *old, const struct mmu_translation *now,
			uint32_t va)
{
	if (now->fault != MMU_OK)
		return HAZARD_DIFF_UNMAPPED;
	unsigned d = 0;
	if ((mmu_pa(old, va) >> 12) != (mmu_pa(now, va) >> 12))
		d |= HAZARD_DIFF_PAGE;
	unsigned ro = rights(old), rn = rights(now);
	if (ro & ~rn)
		d |= HAZARD_DIFF_WEAKER;
	if (rn & ~ro)
		d |= HAZARD_DIFF_STRONGER;
	if (mem_attr(old) != mem_attr(now) || old->ng != now->ng || old->domain != now->domain)
		d |= HAZARD_DIFF_ATTR;
	return d;
}

/* The first record of s covering va whose translation differs from the
 * tables' (walked once, into *now), or NULL; *diff gets how. */
static const struct rec *find_changed(struct hazard_checker *hz, struct recset *s, uint32_t va,
				      unsigned side, uint8_t asid, struct mmu_translation *now,
				      bool *walked, unsigned *diff)
{
	if (!s->per_mib[va >> 20])
		return NULL;
	for (unsigned k = 0; k < 4; k++) {
		if (!s->by_size[k])
			continue;
		uint32_t base = va & ~(class_size[k] - 1);
		for (int32_t i = *chain_for(s, va, k); i >= 0; i = s->r[i].next) {
			const struct rec *r = &s->r[i];
			if (r->size != class_size[k] || r->va_base != base)
				continue;
			if (r->t.ng && r->asid != asid)
				continue; /* that entry would not match this ASID */
			if (!(r->sides & side))
				continue; /* that side's TLB was invalidated */
			if (!*walked) {
				mmu_walk(hz->mem, hz->regs, va, now);
				*walked = true;
			}
			if ((*diff = diff_of(&r->t, now, va)) != 0)
				return r;
		}
	}
	return NULL;
}

unsigned hazard_access(struct hazard_checker *hz, unsigned cpu, uint32_t va, bool fetch,
		       bool observed)
{
	unsigned side = fetch ? HAZARD_SIDE_I : HAZARD_SIDE_D;
	struct hazard_cpu *hc;
	if (!hz || !(hc = cpu_of(hz, cpu)) || !hz->hot.watch[cpu])
		return 0;
	struct mmu_translation now;
	bool walked = false;
	unsigned diff = 0;
	/* Removed by an invalidate not yet completed, then never invalidated. */
	const struct rec *r = NULL;
	bool pending = hc->pending.n && (r = find_changed(hz, &hc->pending, va, side, hc->asid, &now, &walked, &diff));
	if (!pending && hc->cached.n)
		r = find_changed(hz, &hc->cached, va, side, hc->asid, &now, &walked, &diff);
	if (!r)
		return 0;
	struct hazard_report rep = {
		.kind = pending ? HAZARD_BARRIER : HAZARD_STALE,
		.cpu = cpu, .va = va, .old = r->t, .now = now, .diff = diff,
		.observed = !pending && observed, .origin = r->origin,
		.why = r->state == REC_NEED_DSB ? HAZARD_NO_DSB_AFTER_TLBI : HAZARD_NO_ISB_AFTER_TLBI,
		.desc_pa = r->desc_pa, .store_cpu = r->store_cpu, .asid = r->asid,
		.refill = r->refill,
	};
	report(hz, &rep);
	return 1;
}

const char *hazard_diff_str(unsigned diff, char *buf, unsigned len)
{
	static const char *const names[] = {
		"different page", "unmapped now", "stale entry allows more (weaker permissions)",
		"stale entry allows less (stronger permissions)", "different memory attributes",
	};
	size_t at = 0;
	buf[0] = 0;
	for (unsigned b = 0; b < 5; b++)
		if (diff >> b & 1) {
			int n = snprintf(buf + at, len - at, "%s%s", at ? ", " : "", names[b]);
			if (n < 0 || (size_t)n >= len - at)
				break;
			at += (size_t)n;
		}
	return buf;
}

const char *hazard_kind_name(enum hazard_kind k)
{
	switch (k) {
	case HAZARD_STALE: return "stale_tlb";
	case HAZARD_BARRIER: return "barrier";
	case HAZARD_PTE_NOT_CLEANED: return "pte_not_cleaned";
	default: return "?";
	}
}
