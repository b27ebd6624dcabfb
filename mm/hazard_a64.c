/* SPDX-License-Identifier: MIT */
/* The AArch64 TLB-hazard checker (rules in hazard_a64.h). */
#include "hazard_a64.h"

#include <string.h>

#define PAGE_MASK_A64 (~(A64_PAGE_SIZE - 1))
#define VA56_MASK ((1ull << 56) - 1) /* a TLBI operand names VA[55:12] */
/* The bits of a page or block descriptor that make its translation, apart
 * from the output address: AttrIndx, NS, AP, SH, nG, PXN, UXN.  AF and DBM
 * are flags the walk does not translate by; the contiguous hint and the
 * type bits (page vs block) do not change what an access gets. */
#define ATTR_MASK (0xfcull | PTE_NG | PTE_PXN | PTE_UXN)

static bool is_table(uint64_t d, unsigned level)
{
	return level < 3 && (d & 3) == 3;
}

/* Whether a walk can cache what `d` says: a table pointer, or a page or
 * block with AF set (an Access flag fault is never cached, TCR_EL1.HA 0). */
static bool cacheable(uint64_t d, unsigned level)
{
	if (is_table(d, level))
		return true;
	if (level == 3)
		return (d & 3) == 3 && (d & PTE_AF);
	return level > 0 && (d & 3) == 1 && (d & PTE_AF);
}

bool a64_hz_walk_from(const struct a64_mem *m, uint64_t table, unsigned level, uint64_t va, uint64_t *desc,
		      unsigned *leaf_level)
{
	for (;; level++) {
		uint64_t dpa = table + 8 * ((va >> a64_hz_shift(level)) & (A64_PTRS - 1));
		if (!a64_phys_ok(m, dpa, 8))
			return false;
		uint64_t d = *a64_table(m, dpa);
		if (!cacheable(d, level))
			return false;
		if (!is_table(d, level)) {
			*desc = d;
			*leaf_level = level;
			return true;
		}
		table = d & PTE_ADDR_MASK;
	}
}

static int table_of(const struct a64_hazard *h, uint64_t pa)
{
	for (unsigned i = 0; i < h->ntables; i++)
		if (h->tables[i].pa == (pa & PAGE_MASK_A64))
			return (int)i;
	return -1;
}

bool a64_hazard_pt_watched(const struct a64_hazard *h, uint64_t pa)
{
	return table_of(h, pa) >= 0;
}

void a64_hazard_watch_table(struct a64_hazard *h, uint64_t pa, uint64_t va, unsigned level)
{
	pa &= PAGE_MASK_A64;
	va &= ~((1ull << a64_hz_shift(level) << 9) - 1);
	int t = table_of(h, pa);
	if (t >= 0) { /* a table reached from two entries: followed through the last */
		h->tables[t].va = va;
		h->tables[t].level = (uint8_t)level;
		return;
	}
	if (h->ntables == A64_HZ_TABLES) {
		h->stats.untracked++;
		return;
	}
	h->tables[h->ntables++] = (struct a64_hz_table){ .pa = pa, .va = va, .level = (uint8_t)level };
}

/* The table at `pa` and every table below it. */
static void watch_tree(struct a64_hazard *h, uint64_t pa, uint64_t va, unsigned level)
{
	if (!a64_phys_ok(h->mem, pa & PAGE_MASK_A64, A64_PAGE_SIZE) || level > 3)
		return;
	bool known = table_of(h, pa) >= 0;
	a64_hazard_watch_table(h, pa, va, level);
	if (known || level == 3)
		return;
	const uint64_t *t = a64_table(h->mem, pa & PAGE_MASK_A64);
	for (unsigned i = 0; i < A64_PTRS; i++)
		if (is_table(t[i], level))
			watch_tree(h, t[i] & PTE_ADDR_MASK, va + ((uint64_t)i << a64_hz_shift(level)), level + 1);
}

static uint64_t ttbr1_base(unsigned va_bits)
{
	return 0 - (1ull << va_bits);
}

static void asid_seen(struct a64_hazard *h, uint16_t asid)
{
	for (unsigned i = 0; i < h->nasids; i++)
		if (h->asids_seen[i] == asid)
			return;
	if (h->nasids == A64_HZ_ASIDS) {
		h->stats.untracked++;
		return;
	}
	h->asids_seen[h->nasids++] = asid;
}

void a64_hazard_init(struct a64_hazard *h, const struct a64_mem *mem, unsigned va_bits, uint64_t ttbr0,
		     uint64_t ttbr1)
{
	memset(h, 0, sizeof(*h));
	h->mem = mem;
	h->va_bits = va_bits;
	h->ttbr0 = ttbr0 & PTE_ADDR_MASK;
	h->ttbr1 = ttbr1 & PTE_ADDR_MASK;
	asid_seen(h, 0);
	watch_tree(h, h->ttbr1, ttbr1_base(va_bits), a64_pgd_level(va_bits));
	watch_tree(h, h->ttbr0, 0, a64_pgd_level(va_bits));
}

void a64_hazard_set_regime(struct a64_hazard *h, uint64_t ttbr0, uint64_t ttbr1, uint16_t asid, bool asid16)
{
	ttbr0 &= PTE_ADDR_MASK;
	ttbr1 &= PTE_ADDR_MASK;
	if (ttbr0 != h->ttbr0)
		watch_tree(h, ttbr0, 0, a64_pgd_level(h->va_bits));
	if (ttbr1 != h->ttbr1)
		watch_tree(h, ttbr1, ttbr1_base(h->va_bits), a64_pgd_level(h->va_bits));
	h->ttbr0 = ttbr0;
	h->ttbr1 = ttbr1;
	h->asid16 = asid16;
	h->asid = asid16 ? asid : (uint8_t)asid;
	asid_seen(h, h->asid);
}

/* Break-before-make (hazard_a64.h, rule 4): whether replacing the valid
 * descriptor `old` at `level` by the valid `new_desc` needs it. */
static bool bbm_needed(uint64_t old, uint64_t new_desc, unsigned level)
{
	bool ot = is_table(old, level), nt = is_table(new_desc, level);
	if (ot != nt)
		return true; /* block <-> table: the size of the translation changes */
	if (ot)
		return false; /* table -> table: left to the stale_tlb rule */
	if ((old ^ new_desc) & (PTE_ATTRINDX_MASK | PTE_SHARED | PTE_CONT))
		return true; /* memory type / cacheability, shareability, contiguous hint */
	if (old & ~new_desc & PTE_NG)
		return true; /* a global entry over possibly-cached non-global ones */
	bool writable = !(old & PTE_RDONLY) || !(new_desc & PTE_RDONLY);
	return writable && ((old ^ new_desc) & PTE_ADDR_MASK);
}

static bool add_entry(struct a64_hazard *h, const struct a64_hz_entry *e)
{
	if (h->nset == A64_HZ_SET_MAX) {
		h->stats.untracked++;
		return false;
	}
	h->set[h->nset++] = *e;
	return true;
}

static void fill_report(struct a64_hz_report *r, const struct a64_hz_entry *e, uint64_t va, uint64_t now)
{
	*r = (struct a64_hz_report){ .va = va, .old = e->old, .now = now, .pte_pa = e->pte_pa, .level = e->level,
				     .asid = e->asid, .global = e->global, .table = is_table(e->old, e->level),
				     .last_level_only = e->last_level_only };
}

enum a64_hz_kind a64_hazard_pt_store(struct a64_hazard *h, uint64_t pa, uint64_t old, uint64_t new_desc,
				     struct a64_hz_report *r)
{
	int t = table_of(h, pa);
	if (t < 0)
		return A64_HZ_NONE;
	unsigned level = h->tables[t].level;
	uint64_t va = h->tables[t].va + (((pa & (A64_PAGE_SIZE - 1)) >> 3) << a64_hz_shift(level));
	if (is_table(new_desc, level)) /* a new table is watched from its pointer's store */
		watch_tree(h, new_desc & PTE_ADDR_MASK, va, level + 1);
	if (old == new_desc || h->observed_only)
		return A64_HZ_NONE;
	bool was = cacheable(old, level), will = cacheable(new_desc, level);
	struct a64_hz_entry e = { .va = va, .old = old, .pte_pa = pa & ~7ull, .level = (uint8_t)level,
				  .asid = h->asid, .global = true, .unpublished = true };
	enum a64_hz_kind kind = A64_HZ_NONE;
	if (was && will && bbm_needed(old, new_desc, level)) {
		kind = A64_HZ_BBM;
		fill_report(r, &e, va, new_desc);
	} else if (!was && will) {
		/* The make of a break-before-make: the break's invalidate must
		 * have completed (TLBI and DSB) for every translation it broke
		 * that the current ASID can use (global, or tagged with it). */
		for (unsigned i = 0; i < h->nset; i++) {
			const struct a64_hz_entry *b = &h->set[i];
			if (b->pte_pa == e.pte_pa && b->state < 2 && (b->global || b->asid == h->asid) &&
			    bbm_needed(b->old, new_desc, level)) {
				kind = A64_HZ_BBM;
				fill_report(r, b, va, new_desc);
				break;
			}
		}
	}
	if (kind == A64_HZ_BBM)
		h->stats.bbm++;
	if (!was)
		return kind; /* a fault is never cached: nothing possibly stale */
	if (!is_table(old, level) && (old & PTE_NG)) {
		/* Possibly cached under every ASID seen (hazard_a64.h). */
		e.global = false;
		for (unsigned i = 0; i < h->nasids; i++) {
			e.asid = h->asids_seen[i];
			if (!add_entry(h, &e))
				break;
		}
	} else {
		add_entry(h, &e);
	}
	return kind;
}

/* Whether a TLBI (op, VA, ASID) removes what entry `e` keeps cached. */
static bool covers(const struct a64_hz_entry *e, enum a64_tlbi op, uint64_t va, uint16_t asid)
{
	bool in_range = ((va & VA56_MASK) - (e->va & VA56_MASK)) < (1ull << a64_hz_shift(e->level));
	switch (op) {
	case A64_TLBI_VMALLE1IS: case A64_TLBI_VMALLE1: return true;
	case A64_TLBI_ASIDE1IS: case A64_TLBI_ASIDE1: return !e->global && e->asid == asid;
	case A64_TLBI_VAE1IS: case A64_TLBI_VAE1: case A64_TLBI_VALE1IS: case A64_TLBI_VALE1:
		return in_range && (e->global || e->asid == asid);
	default: return in_range; /* VAAE1, VAALE1: any ASID */
	}
}

/* A TLBI by VA removed the cached pointer of table entry `e` and what was
 * cached for `va` through it; what other VAs of its range cached through
 * the old table may stay: each valid entry of the old table (as it is now)
 * becomes a possibly-cached entry of its own (leaves: pages and blocks;
 * tables: again per level when a TLBI by VA covers them). */
static void leaves_of(struct a64_hazard *h, const struct a64_hz_entry *e, uint64_t va)
{
	uint64_t table = e->old & PTE_ADDR_MASK;
	unsigned level = e->level + 1u, shift = a64_hz_shift(level);
	if (!a64_phys_ok(h->mem, table, A64_PAGE_SIZE))
		return;
	struct a64_hz_entry parent = *e;
	const uint64_t *t = a64_table(h->mem, table);
	for (unsigned i = 0; i < A64_PTRS; i++) {
		uint64_t sub = parent.va + ((uint64_t)i << shift);
		if (!cacheable(t[i], level) || ((va & VA56_MASK) - (sub & VA56_MASK)) < (1ull << shift))
			continue;
		struct a64_hz_entry l = { .va = sub, .old = t[i], .pte_pa = table + 8 * i, .level = (uint8_t)level,
					  .asid = parent.asid, .global = parent.global };
		if (!is_table(t[i], level) && (t[i] & PTE_NG)) {
			l.global = false;
			for (unsigned a = 0; a < h->nasids; a++) {
				l.asid = h->asids_seen[a];
				if (!add_entry(h, &l))
					return;
			}
		} else if (!add_entry(h, &l)) {
			return;
		}
	}
}

static bool last_level_only(enum a64_tlbi op)
{
	return op == A64_TLBI_VALE1IS || op == A64_TLBI_VALE1 || op == A64_TLBI_VAALE1IS || op == A64_TLBI_VAALE1;
}

enum a64_hz_kind a64_hazard_tlbi(struct a64_hazard *h, enum a64_tlbi op, uint64_t operand,
				 struct a64_hz_report *r)
{
	uint64_t va = (operand & ((1ull << 44) - 1)) << 12;
	uint16_t asid = (uint16_t)(operand >> 48);
	if (!h->asid16)
		asid &= 0xff; /* 8-bit ASIDs: the operand's ASID[15:8] are ignored */
	enum a64_hz_kind k = A64_HZ_NONE;
	unsigned n0 = h->nset; /* leaves_of() appends */
	for (unsigned i = 0; i < n0; i++) {
		struct a64_hz_entry *e = &h->set[i];
		if (i >= n0 || !covers(e, op, va, asid))
			continue;
		if (e->unpublished) {
			if (k == A64_HZ_NONE) {
				k = A64_HZ_BARRIER_STORE;
				fill_report(r, e, e->va | (va & ((1ull << a64_hz_shift(e->level)) - 1) & PAGE_MASK_A64),
					    0);
			}
			h->stats.barrier++;
			e->unpublished = false;
		}
		if (last_level_only(op) && is_table(e->old, e->level)) {
			e->last_level_only = true; /* the cached table entry stays */
			continue;
		}
		if (e->state == 0 && is_table(e->old, e->level) && (op != A64_TLBI_VMALLE1IS && op != A64_TLBI_VMALLE1))
			leaves_of(h, e, va);
		e->state = 1;
	}
	return k;
}

void a64_hazard_dsb(struct a64_hazard *h)
{
	for (unsigned i = 0; i < h->nset; i++) {
		h->set[i].unpublished = false;
		if (h->set[i].state == 1)
			h->set[i].state = 2;
	}
}

void a64_hazard_isb(struct a64_hazard *h)
{
	for (unsigned i = 0; i < h->nset;)
		if (h->set[i].state == 2)
			h->set[i] = h->set[--h->nset];
		else
			i++;
}

/* The same translation of `va`: the same 4 KiB output page and the same
 * attributes and permissions (a block and the pages that split it can
 * translate alike). */
static bool same_translation(uint64_t a, unsigned la, uint64_t b, unsigned lb, uint64_t va)
{
	uint64_t ma = (1ull << a64_hz_shift(la)) - 1, mb = (1ull << a64_hz_shift(lb)) - 1;
	uint64_t pa = (a & PTE_ADDR_MASK & ~ma) | (va & ma & PAGE_MASK_A64);
	uint64_t pb = (b & PTE_ADDR_MASK & ~mb) | (va & mb & PAGE_MASK_A64);
	return pa == pb && (a & ATTR_MASK) == (b & ATTR_MASK);
}

enum a64_hz_kind a64_hazard_access(struct a64_hazard *h, uint64_t va, struct a64_hz_report *r)
{
	uint64_t cur = 0;
	unsigned cur_level = 0;
	uint64_t ttbr = (va >> 55) & 1 ? h->ttbr1 : h->ttbr0;
	bool ok = a64_hz_walk_from(h->mem, ttbr, a64_pgd_level(h->va_bits), va, &cur, &cur_level);
	for (unsigned i = 0; i < h->nset; i++) {
		const struct a64_hz_entry *e = &h->set[i];
		if (((va & VA56_MASK) - (e->va & VA56_MASK)) >= (1ull << a64_hz_shift(e->level)))
			continue;
		if (!e->global && e->asid != h->asid)
			continue;
		/* The translation the old descriptor gives: itself for a page
		 * or a block, the walk through the old table for a table. */
		uint64_t old = e->old;
		unsigned old_level = e->level;
		bool old_ok = true;
		if (is_table(e->old, e->level))
			old_ok = a64_hz_walk_from(h->mem, e->old & PTE_ADDR_MASK, e->level + 1, va, &old, &old_level);
		if (old_ok == ok && (!ok || same_translation(old, old_level, cur, cur_level, va)))
			continue;
		fill_report(r, e, va & PAGE_MASK_A64, ok ? cur : 0);
		if (e->state == 0) {
			h->stats.stale++;
			return A64_HZ_STALE;
		}
		h->stats.barrier++;
		return A64_HZ_BARRIER_ACCESS;
	}
	return A64_HZ_NONE;
}
