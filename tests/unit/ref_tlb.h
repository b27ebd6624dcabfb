/* SPDX-License-Identifier: MIT */
/* A reference TLB model for tests, written from the rules in
 * docs/cycle-model.md ("TLB geometry and replacement", "Model rules", "How
 * the costs combine") and the TRM facts they cite -- not from mm/tlb.c or
 * mm/access.h, which it checks.  Deliberately plain: arrays scanned in
 * order, no tag copies, no hot slots, no per-size counters.
 *
 *   - A look-up of `side` tries that side's micro TLB: first the entry it
 *     hit or filled last (if it still matches), else the lowest-numbered
 *     matching entry; then the main TLB, probing for each page size it
 *     holds (smallest first) the set (va >> log2(size)) & (sets - 1), ways
 *     in order.  A main hit copies the entry into the micro TLB (for a core
 *     whose micro TLB caches 4 KiB pieces only, the piece holding va).
 *   - Match: valid, va in the cached range, global or the current ASID.
 *   - Fill: lowest invalid way of the set, else round robin (a per-set
 *     pointer moved only by an eviction) or LRU (fills and hits are uses).
 *     The same page for the same ASID is overwritten in place.  Random
 *     replacement is not modelled here (no independent answer exists).
 *   - A miss walks (mmu_walk, checked against QEMU's MMU elsewhere); a
 *     faulting walk is counted and cached nowhere.
 *   - Maintenance removes matching entries from the main TLB; on a core
 *     whose maintenance flushes both micro TLBs, every valid micro entry
 *     goes too, else matching micro entries of the sides in scope.  By-MVA
 *     operations match a micro piece against its whole translation.
 *   - Cycles: micro hit 0, main hit micro_miss, miss micro_miss + walk_start
 *     + reads * desc_read.  A hit on an entry whose descriptors changed in
 *     memory since the fill is a stale hazard.
 *   - An access of `count` (a run of accesses to one page) is `count`
 *     look-ups (at least one); the permission check uses the entry hit or
 *     filled. */
#ifndef KMAPLAB_TESTS_REF_TLB_H
#define KMAPLAB_TESTS_REF_TLB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "mm.h"
#include "mmu.h"
#include "tlb.h"

struct ref_entry {
	bool valid, global;
	uint8_t asid;
	uint32_t base, size;   /* the cached range */
	uint32_t wbase, wsize; /* the whole translation, for by-MVA maintenance */
	uint64_t used;
	struct mmu_translation t;
};

struct ref_level {
	unsigned n, ways, sets;
	enum tlb_replacement repl;
	uint32_t max_page;
	struct ref_entry *e;
	unsigned *rr;
	int last; /* the entry hit or filled last, or -1 */
	unsigned of_size[32]; /* valid entries per log2(size) (main look-ups probe those sizes) */
};

struct ref_tlb {
	const struct core_profile *core;
	struct ref_level micro[2], main;
	uint64_t clock;
	struct tlb_stats st;
	uint64_t cycles, stale;
};

static inline void ref_level_init(struct ref_level *L, const struct tlb_geometry *g)
{
	memset(L, 0, sizeof(*L));
	L->last = -1;
	if (!g->entries)
		return;
	L->n = g->entries;
	L->ways = g->ways;
	L->sets = g->entries / g->ways;
	L->repl = g->replacement;
	L->max_page = g->max_page;
	L->e = calloc(L->n, sizeof(*L->e));
	L->rr = calloc(L->sets, sizeof(*L->rr));
}

static inline void ref_init(struct ref_tlb *r, const struct core_profile *core)
{
	memset(r, 0, sizeof(*r));
	r->core = core;
	ref_level_init(&r->micro[0], &core->utlb_i);
	ref_level_init(&r->micro[1], &core->utlb_d);
	ref_level_init(&r->main, &core->main);
}

static inline void ref_free(struct ref_tlb *r)
{
	struct ref_level *ls[3] = { &r->micro[0], &r->micro[1], &r->main };
	for (int i = 0; i < 3; i++) {
		free(ls[i]->e);
		free(ls[i]->rr);
	}
}

static inline bool ref_match(const struct ref_entry *e, uint32_t va, uint8_t asid)
{
	return e->valid && va - e->base < e->size && (e->global || e->asid == asid);
}

static inline unsigned ref_log2(uint32_t x)
{
	unsigned s = 0;
	while ((1u << s) < x)
		s++;
	return s;
}

/* Index of the entry a look-up of va hits in L, or -1. */
static inline int ref_find(struct ref_level *L, uint32_t va, uint8_t asid, bool micro)
{
	if (micro) {
		if (L->last >= 0 && ref_match(&L->e[L->last], va, asid))
			return L->last;
		for (unsigned i = 0; i < L->n; i++)
			if (ref_match(&L->e[i], va, asid))
				return L->last = (int)i;
		return -1;
	}
	for (unsigned s = 12; s < 32; s++) {
		if (!L->of_size[s])
			continue;
		unsigned set = (va >> s) & (L->sets - 1);
		for (unsigned w = 0; w < L->ways; w++)
			if (ref_match(&L->e[set * L->ways + w], va, asid))
				return (int)(set * L->ways + w);
	}
	return -1;
}

static inline void ref_kill(struct ref_level *L, unsigned i)
{
	L->e[i].valid = false;
	L->of_size[ref_log2(L->e[i].size)]--;
	if (L->last == (int)i)
		L->last = -1;
}

static inline void ref_insert(struct ref_tlb *r, struct ref_level *L, const struct mmu_translation *t,
			      uint8_t asid, uint32_t va, uint32_t wbase, uint32_t wsize)
{
	uint32_t base = t->va_base, size = t->size;
	struct mmu_translation p = *t;
	if (L->max_page && size > L->max_page) {
		base = va & ~(L->max_page - 1);
		size = L->max_page;
		p.pa_base = t->pa_base + (base - t->va_base);
		p.va_base = base;
		p.size = size;
	}
	unsigned set = (base >> ref_log2(size)) & (L->sets - 1), first = set * L->ways, i = L->n;
	for (unsigned w = 0; w < L->ways && i == L->n; w++) {
		const struct ref_entry *e = &L->e[first + w];
		if (e->valid && e->base == base && e->size == size && e->global == !t->ng &&
		    (e->global || e->asid == asid))
			i = first + w;
	}
	for (unsigned w = 0; w < L->ways && i == L->n; w++)
		if (!L->e[first + w].valid)
			i = first + w;
	if (i == L->n) {
		if (L->repl == TLB_REPL_LRU) {
			i = first;
			for (unsigned w = 1; w < L->ways; w++)
				if (L->e[first + w].used < L->e[i].used)
					i = first + w;
		} else { /* round robin; random is not modelled */
			i = first + L->rr[set];
			L->rr[set] = (L->rr[set] + 1) % L->ways;
		}
	}
	if (L->e[i].valid)
		ref_kill(L, i);
	L->e[i] = (struct ref_entry){ .valid = true, .global = !t->ng, .asid = asid, .base = base,
				      .size = size, .wbase = wbase, .wsize = wsize, .used = ++r->clock,
				      .t = p };
	L->of_size[ref_log2(size)]++;
	L->last = (int)i;
}

/* One look-up; returns the entry hit (its translation) or NULL on a miss. */
static inline const struct ref_entry *ref_lookup(struct ref_tlb *r, unsigned side, uint32_t va,
						 uint8_t asid)
{
	const struct core_costs *c = &r->core->cost;
	struct ref_level *u = &r->micro[side], *m = &r->main;
	int i;
	r->st.accesses++;
	if (u->n && (i = ref_find(u, va, asid, true)) >= 0) {
		r->st.micro_hits++;
		u->e[i].used = ++r->clock;
		return &u->e[i];
	}
	if (m->n && (i = ref_find(m, va, asid, false)) >= 0) {
		r->st.main_hits++;
		r->cycles += c->micro_miss;
		m->e[i].used = ++r->clock;
		if (!u->n)
			return &m->e[i];
		struct ref_entry me = m->e[i];
		ref_insert(r, u, &me.t, me.asid, va, me.wbase, me.wsize);
		return &u->e[u->last];
	}
	r->st.misses++;
	return NULL;
}

static inline enum mmu_fault ref_access(struct ref_tlb *r, const struct phys_mem *mem,
					const struct mmu_regs *regs, uint32_t va,
					enum mmu_access access, uint32_t count)
{
	const struct core_costs *c = &r->core->cost;
	unsigned side = access == MMU_FETCH ? 0 : 1;
	uint8_t asid = (uint8_t)(regs->contextidr & 0xff);
	struct mmu_translation t;
	const struct ref_entry *e = ref_lookup(r, side, va, asid);
	if (e) {
		t = e->t;
		bool changed = t.level != 0 && (phys_read32(mem, t.l1_pa) != t.l1_desc ||
						(t.level == 2 && phys_read32(mem, t.l2_pa) != t.l2_desc));
		r->stale += changed;
	} else {
		enum mmu_fault f = mmu_walk(mem, regs, va, &t);
		r->st.walks++;
		r->st.walk_reads += t.desc_reads;
		r->cycles += c->micro_miss + c->walk_start + t.desc_reads * c->desc_read;
		if (f != MMU_OK)
			return f;
		if (r->main.n)
			ref_insert(r, &r->main, &t, asid, va, t.va_base, t.size);
		if (r->micro[side].n)
			ref_insert(r, &r->micro[side], &t, asid, va, t.va_base, t.size);
	}
	enum mmu_fault f = mmu_check(&t, regs->dacr, access, true);
	for (uint32_t k = 1; k < count; k++)
		ref_lookup(r, side, va, asid);
	return f;
}

enum ref_inval { REF_ALL, REF_MVA, REF_MVA_ALL_ASID, REF_ASID };

static inline bool ref_inval_match(const struct ref_entry *e, enum ref_inval op, uint32_t va,
				   uint8_t asid)
{
	if (!e->valid)
		return false;
	switch (op) {
	case REF_ALL:
		return true;
	case REF_MVA:
		return va - e->wbase < e->wsize && (e->global || e->asid == asid);
	case REF_MVA_ALL_ASID:
		return va - e->wbase < e->wsize;
	case REF_ASID:
		return !e->global && e->asid == asid;
	}
	return false;
}

static inline unsigned ref_level_inval(struct ref_level *L, enum ref_inval op, uint32_t va, uint8_t asid)
{
	unsigned n = 0;
	for (unsigned i = 0; i < L->n; i++)
		if (ref_inval_match(&L->e[i], op, va, asid)) {
			ref_kill(L, i);
			n++;
		}
	return n;
}

static inline unsigned ref_micro_flush(struct ref_tlb *r)
{
	unsigned n = 0;
	for (int s = 0; s < 2; s++)
		n += ref_level_inval(&r->micro[s], REF_ALL, 0, 0);
	return n;
}

static inline void ref_invalidate(struct ref_tlb *r, enum tlb_scope scope, enum ref_inval op,
				  uint32_t va, uint8_t asid)
{
	unsigned n = ref_level_inval(&r->main, op, va, asid);
	if (r->core->maint_flushes_micro) {
		n += ref_micro_flush(r);
	} else {
		if (scope != TLB_SCOPE_D)
			n += ref_level_inval(&r->micro[0], op, va, asid);
		if (scope != TLB_SCOPE_I)
			n += ref_level_inval(&r->micro[1], op, va, asid);
	}
	r->st.invalidated += n;
}

static inline void ref_reg_write(struct ref_tlb *r, unsigned regs)
{
	if (regs & r->core->micro_flush_regs)
		ref_micro_flush(r); /* not counted as invalidated (docs/stats.md: maintenance only) */
}

#endif
