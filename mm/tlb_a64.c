/* SPDX-License-Identifier: MIT */
/* The AArch64 TLB model (tlb_a64.h).  Geometries from the TRMs.  The cycle
 * figures' sources are in mm/costs_a64.c (kmaplab costs --core NAME prints
 * them): the A53's TLB miss penalties are published ones, the rest
 * ASSUMPTIONs (the TRMs say only that main-TLB accesses "take a variable
 * number of cycles"), taken from the ARMv7 core of the same class in
 * mm/core.c so that ARM32 and AArch64 columns of one report compare;
 * `insn` is a flat 1 cycle per instruction (ASSUMPTION: the ARM32
 * machine's per-class table, emu/insn_cost.c, has no AArch64 counterpart
 * yet). */
#include "tlb_a64.h"

#include <stdlib.h>
#include <string.h>

static const struct a64_tlb_profile a64_profiles[] = {
	{
		.core = "cortex-a53",
		/* DDI 0500 (Cortex-A53 TRM) 5.1 "About the MMU": 10-entry fully
		 * associative instruction and data micro TLBs, a 4-way 512-entry
		 * unified main TLB, a 4-way 64-entry walk cache; 5.2.1: every
		 * main-TLB maintenance operation flushes both micro TLBs. */
		.source = "ARM DDI 0500 (Cortex-A53 TRM) 5.1, 5.2",
		.micro_i = 10, .micro_d = 10, .main_entries = 512, .main_ways = 4,
		.walk_entries = 64, .walk_ways = 4, .maint_flushes_micro = true,
		/* micro_miss, walk_start + desc_read: Hennessy & Patterson's
		 * A53 miss penalties (mm/costs_a64.c); the rest cortex-a7's
		 * ASSUMPTIONs (mm/core.c). */
		.cost = { .micro_miss = 2, .walk_start = 7, .desc_read = 13, .tlbi_va = 8,
			  .tlbi_asid = 136, .tlbi_all = 136, .dsb = 10, .isb = 8, .insn = 1, .hypercall = 10 },
	},
	{
		.core = "cortex-a57",
		/* DDI 0488 (Cortex-A57 TRM) 5.2.1: 48-entry fully associative
		 * L1 instruction TLB; 5.2.2: 32-entry fully associative L1 data
		 * TLB; both cache 4 KB, 64 KB and 1 MB entries natively, a
		 * larger mapping as the 1 MB region of the access; 5.2.3:
		 * 1024-entry 4-way unified L2 TLB (checked against the TRM's
		 * text as pytorch/cpuinfo src/arm/tlb.c quotes it).  Walk
		 * caches: no size given, none modelled. */
		.source = "ARM DDI 0488 (Cortex-A57 TRM) 5.2.1-5.2.3",
		.micro_i = 48, .micro_d = 32, .main_entries = 1024, .main_ways = 4,
		.walk_entries = 0, .walk_ways = 0, .maint_flushes_micro = false, .micro_max_shift = 20,
		/* ASSUMPTION: cortex-a15's figures, the out-of-order ARMv7 core. */
		.cost = { .micro_miss = 12, .walk_start = 10, .desc_read = 20, .tlbi_va = 8,
			  .tlbi_asid = 136, .tlbi_all = 136, .dsb = 20, .isb = 15, .insn = 1, .hypercall = 10 },
	},
	{
		.core = "cortex-a72",
		/* ARM 100095 (Cortex-A72 TRM) 5.2: 48-entry fully associative
		 * L1 instruction TLB, 32-entry fully associative L1 data TLB,
		 * 1024-entry 4-way unified L2 TLB; 5.3 "Intermediate table walk
		 * caches" exist, tagged with ASID, size not given: none modelled. */
		.source = "ARM 100095 (Cortex-A72 TRM) 5.2",
		.micro_i = 48, .micro_d = 32, .main_entries = 1024, .main_ways = 4,
		.walk_entries = 0, .walk_ways = 0, .maint_flushes_micro = false,
		/* ASSUMPTION: cortex-a15's figures. */
		.cost = { .micro_miss = 12, .walk_start = 10, .desc_read = 20, .tlbi_va = 8,
			  .tlbi_asid = 136, .tlbi_all = 136, .dsb = 20, .isb = 15, .insn = 1, .hypercall = 10 },
	},
};

const struct a64_tlb_profile *a64_tlb_profile_find(const char *core)
{
	for (size_t i = 0; i < sizeof(a64_profiles) / sizeof(a64_profiles[0]); i++)
		if (strcmp(core, a64_profiles[i].core) == 0)
			return &a64_profiles[i];
	return NULL;
}

int a64_tlb_init(struct a64_tlb *t, const struct a64_tlb_profile *p)
{
	memset(t, 0, sizeof(*t));
	t->p = p;
	t->micro[A64_SIDE_I] = calloc(p->micro_i, sizeof(struct a64_tlb_entry));
	t->micro[A64_SIDE_D] = calloc(p->micro_d, sizeof(struct a64_tlb_entry));
	t->main = calloc(p->main_entries, sizeof(struct a64_tlb_entry));
	t->walk = calloc(p->walk_entries ? p->walk_entries : 1, sizeof(struct a64_walk_entry));
	if (!t->micro[0] || !t->micro[1] || !t->main || !t->walk) {
		a64_tlb_free(t);
		return -1;
	}
	return 0;
}

void a64_tlb_free(struct a64_tlb *t)
{
	free(t->micro[0]);
	free(t->micro[1]);
	free(t->main);
	free(t->walk);
	memset(t, 0, sizeof(*t));
}

static bool entry_matches(const struct a64_tlb_entry *e, uint64_t va, uint16_t asid)
{
	return e->valid && (va & ~((1ull << e->shift) - 1)) == e->va && (e->global || e->asid == asid);
}

static unsigned micro_size(const struct a64_tlb *t, enum a64_side side)
{
	return side == A64_SIDE_I ? t->p->micro_i : t->p->micro_d;
}

/* The main TLB's set for `va` cached with page size 1 << shift. */
static struct a64_tlb_entry *main_set(struct a64_tlb *t, uint64_t va, unsigned shift)
{
	unsigned sets = t->p->main_entries / t->p->main_ways;
	return &t->main[((va >> shift) % sets) * t->p->main_ways];
}

static const unsigned shifts[] = { 12, 21, 30 };

static struct a64_tlb_entry *main_lookup(struct a64_tlb *t, uint64_t va, uint16_t asid)
{
	for (unsigned s = 0; s < 3; s++) {
		struct a64_tlb_entry *set = main_set(t, va, shifts[s]);
		for (unsigned w = 0; w < t->p->main_ways; w++)
			if (set[w].shift == shifts[s] && entry_matches(&set[w], va, asid))
				return &set[w];
	}
	return NULL;
}

/* A micro-TLB copy of `e` for an access to `va`: on cores whose L1 TLBs
 * hold entries up to 1 << micro_max_shift, the part of a larger mapping
 * around `va`. */
static void micro_fill(struct a64_tlb *t, enum a64_side side, const struct a64_tlb_entry *e, uint64_t va)
{
	/* Round-robin replacement (ASSUMPTION: the TRMs do not say). */
	unsigned n = micro_size(t, side), max = t->p->micro_max_shift;
	struct a64_tlb_entry *m = &t->micro[side][t->micro_next[side]];
	t->stats.micro_refills[side]++;
	*m = *e;
	if (max && m->shift > max) {
		uint64_t off = (va & ((1ull << m->shift) - 1)) & ~((1ull << max) - 1);
		m->shift = max;
		m->va = e->va | off;
		m->pa = e->pa | off;
	}
	t->micro_next[side] = (t->micro_next[side] + 1) % n;
}

static void main_fill(struct a64_tlb *t, const struct a64_tlb_entry *e)
{
	struct a64_tlb_entry *set = main_set(t, e->va, e->shift), *victim = &set[0];
	for (unsigned w = 0; w < t->p->main_ways; w++) {
		if (!set[w].valid) {
			victim = &set[w];
			break;
		}
		if (set[w].seq < victim->seq)
			victim = &set[w]; /* the oldest fill of the set (FIFO) */
	}
	*victim = *e;
}

static struct a64_walk_entry *walk_set(struct a64_tlb *t, uint64_t va)
{
	unsigned sets = t->p->walk_entries / t->p->walk_ways;
	return &t->walk[((va >> A64_PMD_SHIFT) % sets) * t->p->walk_ways];
}

static bool walk_matches(const struct a64_walk_entry *w, uint64_t va, uint16_t asid)
{
	return w->valid && (va & ~(SZ_2M - 1)) == w->va && (w->global || w->asid == asid);
}

static struct a64_walk_entry *walk_lookup(struct a64_tlb *t, uint64_t va, uint16_t asid)
{
	if (!t->p->walk_entries)
		return NULL;
	struct a64_walk_entry *set = walk_set(t, va);
	for (unsigned w = 0; w < t->p->walk_ways; w++)
		if (walk_matches(&set[w], va, asid))
			return &set[w];
	return NULL;
}

static void walk_fill(struct a64_tlb *t, const struct a64_walk_entry *e)
{
	if (!t->p->walk_entries)
		return;
	struct a64_walk_entry *set = walk_set(t, e->va), *victim = &set[0];
	for (unsigned w = 0; w < t->p->walk_ways; w++) {
		if (!set[w].valid) {
			victim = &set[w];
			break;
		}
		if (set[w].seq < victim->seq)
			victim = &set[w];
	}
	*victim = *e;
}

/* The stage-1 walk from the table at `table`, level `lvl`, counting its
 * descriptor reads; on a level-3 page *last_table is the table it read. */
static bool walk(const struct a64_mem *m, uint64_t table, unsigned lvl, uint64_t va, unsigned *reads,
		 uint64_t *desc, unsigned *shift, uint64_t *last_table)
{
	for (;; lvl++) {
		uint64_t dpa = table + 8 * ((va >> (12 + 9 * (3 - lvl))) & (A64_PTRS - 1));
		if (!a64_phys_ok(m, dpa, 8))
			return false;
		uint64_t d = *a64_table(m, dpa);
		++*reads;
		if (!(d & PTE_VALID))
			return false;
		if (lvl == 3) {
			*desc = d;
			*shift = 12;
			*last_table = table;
			return (d & 3) == 3 && (d & PTE_AF); /* else Access flag fault (TCR.HA 0) */
		}
		if ((d & 3) == 1) {
			*desc = d;
			*shift = 12 + 9 * (3 - lvl);
			return lvl > 0 && (d & PTE_AF);
		}
		table = d & PTE_ADDR_MASK;
	}
}

/* Whether entry `e` (hit for `va`) still gives what the tables give:
 * checked once per change of the tables (tables_gen), with a walk that is
 * not counted (the hardware does none: this is the model's bookkeeping). */
static bool still_valid(struct a64_tlb *t, const struct a64_regime *r, struct a64_tlb_entry *e, uint64_t va)
{
	if (e->gen == t->tables_gen)
		return true;
	unsigned reads = 0, shift = 0;
	uint64_t desc = 0, last = 0, ttbr = (va >> 55) & 1 ? r->ttbr1 : r->ttbr0;
	bool ok = walk(r->mem, ttbr & PTE_ADDR_MASK, a64_pgd_level(r->va_bits), va, &reads, &desc, &shift, &last);
	uint64_t page = (desc & PTE_ADDR_MASK & ~((1ull << shift) - 1)) | (va & ((1ull << shift) - 1) & ~0xfffull);
	uint64_t mine = e->pa | (va & ((1ull << e->shift) - 1) & ~0xfffull);
	const uint64_t attrs = 0xfcull | PTE_NG | PTE_PXN | PTE_UXN; /* AttrIndx, NS, AP, SH, nG, XN */
	if (ok && page == mine && (desc & attrs) == (e->desc & attrs)) {
		e->gen = t->tables_gen;
		return true;
	}
	t->stats.stale_served++;
	t->stale = true;
	t->stale_desc = e->desc;
	t->stale_now = ok ? desc : 0;
	return false;
}

enum a64_hit a64_tlb_access(struct a64_tlb *t, enum a64_side side, const struct a64_regime *r, uint64_t va,
			    bool *ok, uint64_t *pa)
{
	const struct a64_tlb_costs *c = &t->p->cost;
	t->stats.accesses++;
	t->stale = false;
	*ok = true;
	for (unsigned i = 0; i < micro_size(t, side); i++) {
		struct a64_tlb_entry *e = &t->micro[side][i];
		if (entry_matches(e, va, r->asid)) {
			t->stats.micro_hits++;
			still_valid(t, r, e, va);
			*pa = e->pa | (va & ((1ull << e->shift) - 1));
			return A64_HIT_MICRO;
		}
	}
	struct a64_tlb_entry *e = main_lookup(t, va, r->asid);
	if (e) {
		t->stats.main_hits++;
		t->stats.lookup_cycles += c->micro_miss;
		still_valid(t, r, e, va);
		micro_fill(t, side, e, va);
		*pa = e->pa | (va & ((1ull << e->shift) - 1));
		return A64_HIT_MAIN;
	}
	t->stats.misses++;
	t->stats.walks++;
	unsigned reads = 0, shift = 0;
	uint64_t desc = 0, last = 0;
	bool done;
	struct a64_walk_entry *w = walk_lookup(t, va, r->asid);
	if (w) {
		t->stats.walk_cache_hits++;
		done = walk(r->mem, w->table, 3, va, &reads, &desc, &shift, &last);
	} else {
		uint64_t ttbr = (va >> 55) & 1 ? r->ttbr1 : r->ttbr0;
		done = walk(r->mem, ttbr & PTE_ADDR_MASK, a64_pgd_level(r->va_bits), va, &reads, &desc, &shift, &last);
	}
	t->stats.walk_reads += reads;
	t->stats.lookup_cycles += c->micro_miss + c->walk_start + reads * c->desc_read;
	if (!done) {
		t->stats.faults++;
		*ok = false;
		return A64_HIT_WALK;
	}
	struct a64_tlb_entry n = {
		.valid = true, .global = !(desc & PTE_NG), .asid = r->asid, .shift = shift,
		.va = va & ~((1ull << shift) - 1), .pa = desc & PTE_ADDR_MASK & ~((1ull << shift) - 1),
		.seq = ++t->seq, .desc = desc, .gen = t->tables_gen,
	};
	/* A walk that started from a cached table pointer: what it found is
	 * checked against a walk from the TTBR (a stale walk-cache entry). */
	if (w && t->tables_gen)
		n.gen = t->tables_gen - 1;
	if (w)
		still_valid(t, r, &n, va);
	main_fill(t, &n);
	micro_fill(t, side, &n, va);
	/* Only walks that end in a level-3 page leave a walk-cache entry
	 * (A35 TRM 100236 A6.2, the same design: "If the stage 1 translation
	 * results in a section or larger mapping then nothing is placed"). */
	if (shift == 12 && !w) {
		struct a64_walk_entry we = { .valid = true, .global = n.global, .asid = r->asid,
					     .va = va & ~(SZ_2M - 1), .table = last, .seq = ++t->seq };
		walk_fill(t, &we);
	}
	*pa = n.pa | (va & ((1ull << shift) - 1));
	return A64_HIT_WALK;
}

/* What one TLBI selects (ARMv8-A ARM, "TLB maintenance instructions"). */
struct tlbi_sel {
	bool by_va, any_asid, last_level, all;
	uint64_t va;
	uint16_t asid;
};

static bool sel_entry(const struct tlbi_sel *s, bool global, uint16_t asid, uint64_t base, uint64_t size)
{
	if (s->all)
		return true;
	if (s->by_va) {
		/* VA[55:12] compared: the operand carries no bits above 55. */
		uint64_t m = (1ull << 56) - 1;
		if (((s->va & m) - (base & m)) >= size)
			return false;
		return s->any_asid || global || asid == s->asid;
	}
	return !global && asid == s->asid; /* ASIDE1: non-global entries of the ASID */
}

static unsigned inval(struct a64_tlb_entry *e, unsigned n, const struct tlbi_sel *s)
{
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++)
		if (e[i].valid && sel_entry(s, e[i].global, e[i].asid, e[i].va, 1ull << e[i].shift)) {
			e[i].valid = false;
			k++;
		}
	return k;
}

unsigned a64_tlb_tlbi(struct a64_tlb *t, enum a64_tlbi op, uint64_t xt, unsigned *cycles)
{
	struct tlbi_sel s = { .asid = (uint16_t)(xt >> 48) };
	uint64_t va = (xt & ((1ull << 44) - 1)) << 12;
	if (va >> 55 & 1)
		va |= 0xff00000000000000ull;
	s.va = va;
	const struct a64_tlb_costs *c = &t->p->cost;
	switch (op) {
	case A64_TLBI_VMALLE1IS: case A64_TLBI_VMALLE1:
		s.all = true;
		*cycles = c->tlbi_all;
		break;
	case A64_TLBI_ASIDE1IS: case A64_TLBI_ASIDE1:
		*cycles = c->tlbi_asid;
		break;
	case A64_TLBI_VAE1IS: case A64_TLBI_VAE1:
		s.by_va = true;
		*cycles = c->tlbi_va;
		break;
	case A64_TLBI_VALE1IS: case A64_TLBI_VALE1:
		s.by_va = s.last_level = true;
		*cycles = c->tlbi_va;
		break;
	case A64_TLBI_VAAE1IS: case A64_TLBI_VAAE1:
		s.by_va = s.any_asid = true;
		*cycles = c->tlbi_va;
		break;
	case A64_TLBI_VAALE1IS: case A64_TLBI_VAALE1:
	default:
		s.by_va = s.any_asid = s.last_level = true;
		*cycles = c->tlbi_va;
		break;
	}
	unsigned k = inval(t->main, t->p->main_entries, &s);
	for (int side = 0; side < 2; side++) {
		unsigned n = micro_size(t, (enum a64_side)side);
		if (t->p->maint_flushes_micro) {
			/* The whole micro TLB goes, whatever the operation selects
			 * (copies of main-TLB entries: not counted). */
			struct tlbi_sel all = { .all = true };
			inval(t->micro[side], n, &all);
		} else {
			k += inval(t->micro[side], n, &s);
		}
	}
	/* Walk-cache entries are non-leaf: the last-level forms keep them. */
	if (!s.last_level) {
		for (unsigned i = 0; i < t->p->walk_entries; i++) {
			struct a64_walk_entry *w = &t->walk[i];
			if (w->valid && sel_entry(&s, w->global, w->asid, w->va, SZ_2M)) {
				w->valid = false;
				k++;
			}
		}
	}
	t->stats.invalidated += k;
	return k;
}
