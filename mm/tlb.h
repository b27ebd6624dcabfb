/* SPDX-License-Identifier: MIT */
/* The modelled TLB of one core: I and D micro TLBs in front of a unified
 * main TLB, with the geometry and replacement of a core_profile.  It holds
 * mmu_translation results tagged with an ASID (or global). */
#ifndef KMAPLAB_MM_TLB_H
#define KMAPLAB_MM_TLB_H

#include <stdbool.h>
#include <stdint.h>

#include "core.h"
#include "mmu.h"

enum tlb_side { TLB_SIDE_I, TLB_SIDE_D };

enum tlb_hit { TLB_HIT_MICRO, TLB_HIT_MAIN, TLB_MISS };

/* Which micro TLBs a maintenance operation reaches (the main TLB is unified
 * and is always reached). */
enum tlb_scope { TLB_SCOPE_ALL, TLB_SCOPE_I, TLB_SCOPE_D };

struct tlb_entry {
	bool valid;
	bool locked;
	uint8_t asid;
	uint64_t seq; /* fill order, for LRU and for reports */
	struct mmu_translation t;
};

struct tlb_stats {
	uint64_t accesses;
	uint64_t micro_hits;
	uint64_t main_hits;
	uint64_t misses;
	uint64_t walks;
	uint64_t walk_reads;
	uint64_t invalidated; /* entries actually invalidated, all levels */
	/* Micro-TLB entries dropped by a whole-micro-TLB flush: the side effect
	 * of maintenance on cores with maint_flushes_micro (these are also in
	 * `invalidated`) and of tlb_reg_write() (these are not). */
	uint64_t micro_flushed;
	/* Micro-TLB misses per side ([TLB_SIDE_I], [TLB_SIDE_D]): refills of the
	 * lowest level, what the PMU's L1I/L1D_TLB_REFILL events count. */
	uint64_t micro_misses[2];
};

struct tlb;

/* The look-up hot path's view of one side's micro TLB: copies of the tags
 * of the TLB_HOT_SLOTS entries hit most recently (tlb.c keeps them
 * current; an entry invalidated or replaced leaves them; slot[0] is always
 * the entry tlb_lookup() tries first).  `fast` is false when the
 * side has no micro TLB or its replacement is LRU (a hit must then update
 * state only tlb.c sees). */
struct tlb_mru {
	uint32_t va, mask;
	unsigned key;      /* ASID, TLB_KEY_GLOBAL or TLB_KEY_INVALID */
	unsigned idx;      /* the entry's index in its level */
	struct mmu_translation t; /* a copy of the entry's: one cache line to read */
};
#define TLB_KEY_GLOBAL  0x100u
#define TLB_KEY_INVALID 0x200u
#ifndef TLB_HOT_SLOTS
#define TLB_HOT_SLOTS 4
#endif

struct tlb_hot_side {
	bool fast;
	/* Two valid entries may match one lookup (page tables changed without
	 * an invalidate): then tlb_lookup() picks the most recent entry if it
	 * matches, else the lowest-numbered one, so only slot[0] is exact. */
	bool overlap;
	struct tlb_mru slot[TLB_HOT_SLOTS]; /* [0] most recent */
};

/* The first member of struct tlb. */
struct tlb_hot {
	struct tlb_stats stats;
	struct tlb_hot_side side[2]; /* [0] I, [1] D */
};

static inline bool tlb_mru_match(const struct tlb_mru *m, uint32_t va, uint8_t asid)
{
	return (va & m->mask) == m->va && (m->key == asid || m->key == TLB_KEY_GLOBAL);
}

/* The translation of a micro TLB entry of `side` hit recently, if it maps `va` for `asid`
 * (nothing counted; a later tlb_count_mru_hits() counts the hits); else
 * NULL, and the caller uses tlb_lookup(). */
static inline const struct mmu_translation *tlb_peek_mru(struct tlb *tlb, enum tlb_side side,
							 uint32_t va, uint8_t asid)
{
	const struct tlb_hot *h = (const struct tlb_hot *)(const void *)tlb;
	const struct tlb_hot_side *hs = &h->side[side == TLB_SIDE_I ? 0 : 1];
	if (!hs->fast)
		return NULL;
	if (tlb_mru_match(&hs->slot[0], va, asid))
		return &hs->slot[0].t;
	if (hs->overlap)
		return NULL;
	for (unsigned k = 1; k < TLB_HOT_SLOTS; k++)
		if (tlb_mru_match(&hs->slot[k], va, asid))
			return &hs->slot[k].t;
	return NULL;
}

/* Counts n look-ups that hit the entry tlb_peek_mru() returned, exactly as
 * n tlb_lookup() calls would (a micro hit changes nothing else unless the
 * replacement is LRU, where tlb_peek_mru() returns NULL). */
static inline void tlb_count_mru_hits(struct tlb *tlb, uint32_t n)
{
	struct tlb_hot *h = (struct tlb_hot *)(void *)tlb;
	h->stats.accesses += n;
	h->stats.micro_hits += n;
}

/* n - 1 more look-ups of `va` after a tlb_lookup or tlb_fill of it. */
void tlb_repeat(struct tlb *tlb, enum tlb_side side, uint32_t va, uint8_t asid, uint32_t n);

struct tlb *tlb_create(const struct core_profile *core, uint64_t seed);
void tlb_destroy(struct tlb *tlb);

/* Looks `va` up for `asid`: micro TLB of `side`, then the main TLB (a main
 * hit refills the micro TLB).  Counts the access and the hit level in the
 * stats.  Returns the entry hit, or NULL on a miss (*hit == TLB_MISS).
 * On a main hit the entry returned is the micro TLB's new copy (the main
 * entry if the core has no micro TLB).  `hit` may be NULL. */
const struct tlb_entry *tlb_lookup(struct tlb *tlb, enum tlb_side side, uint32_t va,
				   uint8_t asid, enum tlb_hit *hit);

/* Inserts a successful walk into the main TLB and the micro TLB of `side`;
 * counts one walk and t->desc_reads walk reads.  A walk that faulted is
 * counted but cached nowhere (returns NULL).  Where a level caches only
 * pieces of large pages (tlb_geometry.max_page), the piece is the one
 * holding the VA of this side's last tlb_lookup miss if that VA lies in
 * `t`, else the one at t->va_base.  Returns the main-TLB entry (the micro
 * entry if the core has no main TLB). */
const struct tlb_entry *tlb_fill(struct tlb *tlb, enum tlb_side side,
				 const struct mmu_translation *t, uint8_t asid);
/* tlb_fill with the accessed address given explicitly (must lie in `t`). */
const struct tlb_entry *tlb_fill_va(struct tlb *tlb, enum tlb_side side,
				    const struct mmu_translation *t, uint8_t asid, uint32_t va);

/* Maintenance; each returns the number of entries invalidated. */
unsigned tlb_invalidate_all(struct tlb *tlb, enum tlb_scope scope);
/* Entries mapping `va` that are global or tagged `asid` (TLBIMVA). */
unsigned tlb_invalidate_mva(struct tlb *tlb, enum tlb_scope scope, uint32_t va, uint8_t asid);
/* Entries mapping `va` whatever their ASID (TLBIMVAA). */
unsigned tlb_invalidate_mva_all_asid(struct tlb *tlb, enum tlb_scope scope, uint32_t va);
/* Non-global entries tagged `asid` (TLBIASID). */
unsigned tlb_invalidate_asid(struct tlb *tlb, enum tlb_scope scope, uint8_t asid);

/* A write to the CP15 register(s) `regs` (CORE_REG_* mask): flushes both
 * micro TLBs if the core does that for one of them (micro_flush_regs).
 * Returns the entries flushed (counted in stats.micro_flushed only). */
unsigned tlb_reg_write(struct tlb *tlb, unsigned regs);

struct cache;
/* The walk cache (mm/cache.h) every invalidation of this TLB also empties,
 * as the architecture requires (walk_cache_invalidate: whatever the scope,
 * an I- or D-side form included: ASSUMPTION).  NULL: none. */
void tlb_set_walk_cache(struct tlb *tlb, struct cache *walk);

/* Tells fn(arg, va_base, pa_base, size) of every entry that leaves the micro TLB of
 * `side` (replaced or invalidated; size 0: the whole micro TLB at once),
 * before it goes.  --model fill keeps Unicorn's TLB a subset of the D
 * micro TLB with it (emu/fill_model.c).  fn NULL: nobody. */
typedef void (*tlb_evict_fn)(void *arg, uint32_t va_base, uint32_t pa_base, uint32_t size);
void tlb_set_evict_hook(struct tlb *tlb, enum tlb_side side, tlb_evict_fn fn, void *arg);

/* Makes every change that may change what tlb_peek_mru() answers for
 * `side` (its recent entries, their order, `overlap`) increment *ctr, so
 * that a caller may remember an answer while *ctr stays the same
 * (--model fill's instruction side, emu/fill_model.c, where one counter
 * per CPU also counts the other events its answers depend on).  NULL: a
 * counter of the TLB's own that nobody reads. */
void tlb_set_change_counter(struct tlb *tlb, enum tlb_side side, uint64_t *ctr);

/* One look-up already counted as a micro hit (--model fill counts a block's
 * data accesses as hits before it runs) that was made, and counted, by a
 * real look-up after all: take the early count back. */
static inline void tlb_uncount_mru_hit(struct tlb *tlb)
{
	struct tlb_hot *h = (struct tlb_hot *)(void *)tlb;
	h->stats.accesses--;
	h->stats.micro_hits--;
}

/* tlb_count_mru_hits(tlb, n) and tlb_uncount_mru_hits(tlb, back) in one. */
static inline void tlb_count_mru_hits_less(struct tlb *tlb, uint32_t n, uint32_t back)
{
	struct tlb_hot *h = (struct tlb_hot *)(void *)tlb;
	uint64_t d = (uint64_t)n - back; /* modulo 2^64, as the two steps */
	h->stats.accesses += d;
	h->stats.micro_hits += d;
}

/* tlb_uncount_mru_hit() n times. */
static inline void tlb_uncount_mru_hits(struct tlb *tlb, uint32_t n)
{
	struct tlb_hot *h = (struct tlb_hot *)(void *)tlb;
	h->stats.accesses -= n;
	h->stats.micro_hits -= n;
}

const struct tlb_stats *tlb_stats(const struct tlb *tlb);
const struct core_profile *tlb_core(const struct tlb *tlb);

/* Cycles the model charges for one lookup that ended in `hit`, with
 * `desc_reads` descriptor reads if it missed (docs/cycle-model.md). */
static inline unsigned tlb_hit_cycles(const struct core_costs *c, enum tlb_hit hit,
				      unsigned desc_reads)
{
	switch (hit) {
	case TLB_HIT_MICRO:
		return 0;
	case TLB_HIT_MAIN:
		return c->micro_miss;
	default:
		return c->micro_miss + c->walk_start + desc_reads * c->desc_read;
	}
}

/* Calls fn on every valid entry of every level (for stale checks and dumps). */
void tlb_for_each(const struct tlb *tlb, void (*fn)(const struct tlb_entry *e, void *arg), void *arg);

#endif
