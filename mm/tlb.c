/* SPDX-License-Identifier: MIT */
/* The modelled TLB: per side a fully associative micro TLB in front of one
 * unified, set-associative main TLB (core.h gives the geometry).
 *
 * Storage.  Each level keeps its struct tlb_entry array (what callers see)
 * beside compact tag arrays that lookups scan: the cached VA range as
 * base/mask, and a 16-bit key that is the ASID, KEY_GLOBAL or KEY_INVALID.
 * A match is (va & mask) == base && (key == asid || key == KEY_GLOBAL),
 * which is "valid && va in [va_base, va_base + size) && (!ng || asid ==
 * entry asid)" without a branch per condition.
 *
 * Main-TLB indexing.  An entry of page size 2^s goes to set
 * (va_base >> s) & (sets - 1), i.e. it is indexed by the VA bits just above
 * its own page offset: VA[12+] for 4 KiB pages, VA[16+] for 64 KiB,
 * VA[20+] for sections, VA[24+] for supersections.  A lookup cannot know
 * the page size of the entry it looks for, so it probes, for each page size
 * the main TLB holds at least one valid entry of (a per-size count kept on
 * every fill and invalidate), the set (va >> s) & (sets - 1).  Any entry
 * that maps va is in one of those sets, so a lookup always finds it; the
 * common kernel case (sections and small pages only) costs two probes.
 * Real cores differ (the Cortex-A5 TRM mentions a "hitmap" of the page
 * sizes present, much like the counts here); this rule is the model's.
 *
 * Micro TLBs.  Fully associative; a lookup first tries the entry hit last
 * (most accesses hit the same page again; its tags are copied into struct
 * level so that this check reads one cache line and no array), then scans.  Where a level
 * caches only pieces of large pages (geometry.max_page, Cortex-A15), the
 * entry holds the piece containing the accessed address; maintenance by
 * MVA still matches it against the whole translation it came from, so a
 * TLBIMVA anywhere in a section also drops the pieces of that section.
 *
 * Replacement (per set; a fully associative level is one set).  A fill
 * first takes the lowest-numbered invalid way.  Only a full set consults
 * the policy: ROUND_ROBIN evicts the way under the set's pointer and moves
 * the pointer on (filling invalid ways does not move it; invalidation does
 * not reset it); LRU evicts the way used longest ago (a fill and every hit
 * count as a use); RANDOM evicts a way drawn from a xorshift64* generator
 * seeded from tlb_create's seed, one generator per level, so the same seed
 * and the same accesses give the same evictions.
 *
 * Lockable entries (core_profile.main_lockable) are capacity only: nothing
 * fills them until the model has a lock API, so no entry is ever locked.
 * TLBIALL leaves locked entries alone (the TRMs' "invalidate unlocked
 * entries"); by-MVA and by-ASID operations would remove them.
 *
 * No division or allocation on the lookup path; fills and maintenance are
 * off the hot path. */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "tlb.h"

#define KEY_GLOBAL  TLB_KEY_GLOBAL
#define KEY_INVALID TLB_KEY_INVALID

struct level {
	unsigned entries, ways, sets;
	uint32_t set_mask;
	enum tlb_replacement repl;
	unsigned max_shift;    /* log2(max_page), 0: whole pages of any size */

	struct tlb_entry *e;
	uint32_t *tag_va;      /* base of the range a lookup matches */
	uint32_t *tag_mask;    /* ~(size - 1) of that range */
	uint16_t *key;         /* ASID, KEY_GLOBAL or KEY_INVALID */
	uint32_t *inv_va;      /* the whole translation the entry came from, */
	uint32_t *inv_mask;    /* for maintenance by MVA */
	uint64_t *used;        /* LRU: last use */
	unsigned *rr;          /* ROUND_ROBIN: next victim way, per set */
	uint64_t rng;          /* RANDOM: xorshift64* state */

	unsigned mru;          /* micro: the entry hit last, */
	uint32_t mru_va, mru_mask; /* and a copy of its tags (mru_key KEY_INVALID: */
	unsigned mru_key;      /* none) so the common hit reads only this struct */
	struct tlb_hot_side *hot; /* micro: the inline copies (struct tlb_hot), or NULL */
	uint64_t *gen;            /* with hot: incremented on every change to it (tlb_set_change_counter) */
	tlb_evict_fn evict;    /* told of every entry that leaves (tlb_set_evict_hook) */
	void *evict_arg;
	unsigned valid;        /* valid entries */
	unsigned shift_count[32]; /* valid entries per log2(page size) */
	uint32_t shift_mask;   /* bit s set: shift_count[s] != 0 */
};

struct tlb {
	struct tlb_hot hot;    /* first: tlb.h's inline look-up reads it */
	const struct core_profile *core;
	struct level micro[2]; /* [0] I, [1] D */
	struct level main;
	uint64_t seq;          /* fills so far (tlb_entry.seq) */
	uint64_t clock;        /* LRU time */
	uint32_t miss_va[2];   /* the last missed lookup per side, for tlb_fill */
	bool miss_valid[2];
	struct cache *walk;    /* this CPU's walk cache (mm/cache.h), or NULL */
	uint64_t changes[2];   /* level.gen when nobody asked for it */
};

static inline unsigned side_index(enum tlb_side side)
{
	return side == TLB_SIDE_I ? 0 : 1;
}

static inline unsigned ctz32(uint32_t x)
{
#if defined(__GNUC__) || defined(__clang__)
	return (unsigned)__builtin_ctz(x);
#else
	unsigned n = 0;
	while (!(x & 1u)) {
		x >>= 1;
		n++;
	}
	return n;
#endif
}

static inline bool is_pow2(uint32_t x)
{
	return x && !(x & (x - 1));
}

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t xorshift64s(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* ---- one level ---------------------------------------------------------- */

static void level_free(struct level *L)
{
	free(L->e);
	free(L->tag_va);
	free(L->tag_mask);
	free(L->key);
	free(L->inv_va);
	free(L->inv_mask);
	free(L->used);
	free(L->rr);
}

static bool level_init(struct level *L, const struct tlb_geometry *g, uint64_t seed, uint64_t salt)
{
	memset(L, 0, sizeof(*L));
	L->mru_key = KEY_INVALID; /* matches nothing, even with no entries */
	if (g->entries == 0)
		return true; /* the level does not exist */
	if (g->ways == 0 || g->ways > g->entries || g->entries % g->ways)
		return false;
	L->entries = g->entries;
	L->ways = g->ways;
	L->sets = g->entries / g->ways;
	if (!is_pow2(L->sets))
		return false;
	L->set_mask = L->sets - 1;
	L->repl = g->replacement;
	if (g->max_page) {
		if (!is_pow2(g->max_page) || g->max_page < 4096)
			return false;
		L->max_shift = ctz32(g->max_page);
	}
	L->e = calloc(L->entries, sizeof(*L->e));
	L->tag_va = calloc(L->entries, sizeof(*L->tag_va));
	L->tag_mask = calloc(L->entries, sizeof(*L->tag_mask));
	L->key = calloc(L->entries, sizeof(*L->key));
	L->inv_va = calloc(L->entries, sizeof(*L->inv_va));
	L->inv_mask = calloc(L->entries, sizeof(*L->inv_mask));
	L->used = calloc(L->entries, sizeof(*L->used));
	L->rr = calloc(L->sets, sizeof(*L->rr));
	if (!L->e || !L->tag_va || !L->tag_mask || !L->key || !L->inv_va || !L->inv_mask ||
	    !L->used || !L->rr)
		return false;
	for (unsigned i = 0; i < L->entries; i++)
		L->key[i] = KEY_INVALID;
	L->rng = splitmix64(seed ^ splitmix64(salt));
	if (!L->rng)
		L->rng = 0x9e3779b97f4a7c15ull;
	return true;
}

static inline bool level_match(const struct level *L, unsigned i, uint32_t va, uint8_t asid)
{
	unsigned k = L->key[i];
	return (va & L->tag_mask[i]) == L->tag_va[i] && (k == asid || k == KEY_GLOBAL);
}

static inline void set_mru(struct level *L, unsigned i)
{
	L->mru = i;
	L->mru_va = L->tag_va[i];
	L->mru_mask = L->tag_mask[i];
	L->mru_key = L->key[i];
	if (L->hot) {
		(*L->gen)++;
		struct tlb_mru *s0 = &L->hot->slot[0];
		if (s0->idx != i || s0->key == KEY_INVALID) {
			/* Move up; drop the slot of i if it is further down, else the last. */
			unsigned k = 1;
			while (k < TLB_HOT_SLOTS - 1 && L->hot->slot[k].idx != i)
				k++;
			for (; k > 0; k--)
				L->hot->slot[k] = L->hot->slot[k - 1];
			s0->idx = i;
		}
		s0->t = L->e[i].t;
		s0->va = L->mru_va;
		s0->mask = L->mru_mask;
		s0->key = L->mru_key;
	}
}

/* Entry i of L is no longer what the hot copies say. */
static inline void hot_forget(struct level *L, unsigned i)
{
	if (L->hot)
		for (unsigned k = 0; k < TLB_HOT_SLOTS; k++)
			if (L->hot->slot[k].idx == i) {
				L->hot->slot[k].key = KEY_INVALID;
				(*L->gen)++;
			}
}

static inline void clear_mru(struct level *L)
{
	L->mru_key = KEY_INVALID;
}

/* Index of the entry of a fully associative level that maps va, or -1. */
static inline int micro_find(struct level *L, uint32_t va, uint8_t asid)
{
	unsigned k = L->mru_key;
	if ((va & L->mru_mask) == L->mru_va && (k == asid || k == KEY_GLOBAL))
		return (int)L->mru;
	for (unsigned i = 0; i < L->entries; i++)
		if (level_match(L, i, va, asid)) {
			set_mru(L, i);
			return (int)i;
		}
	return -1;
}

/* Index of the entry of a set-associative level that maps va, or -1. */
static inline int main_find(const struct level *L, uint32_t va, uint8_t asid)
{
	for (uint32_t m = L->shift_mask; m; m &= m - 1) {
		unsigned s = ctz32(m);
		unsigned base = ((va >> s) & L->set_mask) * L->ways;
		for (unsigned w = 0; w < L->ways; w++)
			if (level_match(L, base + w, va, asid))
				return (int)(base + w);
	}
	return -1;
}

static void level_kill(struct level *L, unsigned i)
{
	unsigned s = ctz32(L->e[i].t.size);
	if (L->evict)
		L->evict(L->evict_arg, L->e[i].t.va_base, L->e[i].t.pa_base, L->e[i].t.size);
	L->e[i].valid = false;
	L->key[i] = KEY_INVALID;
	if (i == L->mru)
		clear_mru(L);
	hot_forget(L, i);
	if (--L->valid == 0 && L->hot)
		L->hot->overlap = false;
	if (--L->shift_count[s] == 0)
		L->shift_mask &= ~(1u << s);
}

/* The way of `set` a fill goes to: the lowest invalid way, else the victim. */
static unsigned level_victim(struct level *L, unsigned set)
{
	unsigned base = set * L->ways;
	for (unsigned w = 0; w < L->ways; w++)
		if (L->key[base + w] == KEY_INVALID)
			return base + w;
	switch (L->repl) {
	case TLB_REPL_LRU: {
		unsigned best = base;
		for (unsigned w = 1; w < L->ways; w++)
			if (L->used[base + w] < L->used[best])
				best = base + w;
		return best;
	}
	case TLB_REPL_RANDOM: {
		uint64_t r = xorshift64s(&L->rng) >> 32;
		return base + (unsigned)((r * L->ways) >> 32);
	}
	case TLB_REPL_ROUND_ROBIN:
	default: {
		unsigned w = L->rr[set];
		L->rr[set] = w + 1 == L->ways ? 0 : w + 1;
		return base + w;
	}
	}
}

/* True if a valid entry of L other than i maps some VA of the range
 * base/mask for a lookup that entry `key` would also match. */
static bool overlaps_other(const struct level *L, unsigned i, uint32_t base, uint32_t mask,
			   unsigned key)
{
	for (unsigned j = 0; j < L->entries; j++) {
		unsigned k = L->key[j];
		if (j == i || k == KEY_INVALID)
			continue;
		if (k != key && k != KEY_GLOBAL && key != KEY_GLOBAL)
			continue;
		if ((L->tag_va[j] & mask) == base || (base & L->tag_mask[j]) == L->tag_va[j])
			return true;
	}
	return false;
}

/* Caches translation t (whose whole range is inv_va/inv_mask) in L for an
 * access to va; returns the entry's index. */
static unsigned level_insert(struct tlb *tlb, struct level *L, const struct mmu_translation *t,
			     uint8_t asid, uint32_t va, uint64_t seq, uint32_t inv_va,
			     uint32_t inv_mask)
{
	struct mmu_translation p = *t;
	if (L->max_shift && p.size > (1u << L->max_shift)) {
		uint32_t psz = 1u << L->max_shift;
		uint32_t pbase = va & ~(psz - 1);
		p.pa_base = t->pa_base + (pbase - t->va_base);
		p.va_base = pbase;
		p.size = psz;
	}
	unsigned s = ctz32(p.size);
	uint32_t mask = ~(p.size - 1);
	unsigned key = p.ng ? asid : KEY_GLOBAL;
	unsigned set = (p.va_base >> s) & L->set_mask;
	unsigned base = set * L->ways;

	/* The same page for the same ASID again (a refill): overwrite it. */
	unsigned i = L->entries;
	for (unsigned w = 0; w < L->ways; w++)
		if (L->key[base + w] == key && L->tag_va[base + w] == p.va_base &&
		    L->tag_mask[base + w] == mask) {
			i = base + w;
			break;
		}
	if (i == L->entries)
		i = level_victim(L, set);
	if (L->key[i] != KEY_INVALID)
		level_kill(L, i);
	if (L->hot && !L->hot->overlap) {
		L->hot->overlap = overlaps_other(L, i, p.va_base, mask, key);
		(*L->gen)++;
	}

	L->e[i].valid = true;
	L->e[i].locked = false;
	L->e[i].asid = asid;
	L->e[i].seq = seq;
	L->e[i].t = p;
	L->tag_va[i] = p.va_base;
	L->tag_mask[i] = mask;
	L->key[i] = (uint16_t)key;
	L->inv_va[i] = inv_va;
	L->inv_mask[i] = inv_mask;
	L->used[i] = ++tlb->clock;
	L->valid++;
	L->shift_count[s]++;
	L->shift_mask |= 1u << s;
	set_mru(L, i);
	return i;
}

enum inval_op { INV_ALL, INV_MVA, INV_MVA_ALL_ASID, INV_ASID };

static inline bool inval_match(const struct level *L, unsigned i, enum inval_op op, uint32_t va,
			       uint8_t asid)
{
	unsigned k = L->key[i];
	if (k == KEY_INVALID)
		return false;
	switch (op) {
	case INV_ALL:
		return !L->e[i].locked;
	case INV_MVA:
		return (va & L->inv_mask[i]) == L->inv_va[i] && (k == KEY_GLOBAL || k == asid);
	case INV_MVA_ALL_ASID:
		return (va & L->inv_mask[i]) == L->inv_va[i];
	case INV_ASID:
		return k == asid;
	}
	return false;
}

static unsigned level_inval(struct level *L, enum inval_op op, uint32_t va, uint8_t asid)
{
	unsigned n = 0;
	if (!L->valid)
		return 0;
	if ((op == INV_MVA || op == INV_MVA_ALL_ASID) && L->sets > 1 && !L->max_shift) {
		/* Only the sets a lookup of va would probe can hold it. */
		for (uint32_t m = L->shift_mask; m; m &= m - 1) {
			unsigned s = ctz32(m);
			unsigned base = ((va >> s) & L->set_mask) * L->ways;
			for (unsigned w = 0; w < L->ways; w++)
				if (inval_match(L, base + w, op, va, asid)) {
					level_kill(L, base + w);
					n++;
				}
		}
		return n;
	}
	for (unsigned i = 0; i < L->entries; i++)
		if (inval_match(L, i, op, va, asid)) {
			level_kill(L, i);
			n++;
		}
	return n;
}

/* Drops every entry of a micro TLB; returns how many were valid. */
static unsigned level_flush(struct level *L)
{
	unsigned n = L->valid;
	if (!n)
		return 0;
	if (L->evict)
		L->evict(L->evict_arg, 0, 0, 0);
	for (unsigned i = 0; i < L->entries; i++) {
		L->key[i] = KEY_INVALID;
		L->e[i].valid = false;
	}
	L->valid = 0;
	clear_mru(L);
	if (L->hot) {
		for (unsigned k = 0; k < TLB_HOT_SLOTS; k++)
			L->hot->slot[k].key = KEY_INVALID;
		L->hot->overlap = false;
		(*L->gen)++;
	}
	memset(L->shift_count, 0, sizeof(L->shift_count));
	L->shift_mask = 0;
	return n;
}

/* ---- API ---------------------------------------------------------------- */

struct tlb *tlb_create(const struct core_profile *core, uint64_t seed)
{
	if (!core)
		return NULL;
	struct tlb *tlb = calloc(1, sizeof(*tlb));
	if (!tlb)
		return NULL;
	tlb->core = core;
	if (!level_init(&tlb->micro[0], &core->utlb_i, seed, 1) ||
	    !level_init(&tlb->micro[1], &core->utlb_d, seed, 2) ||
	    !level_init(&tlb->main, &core->main, seed, 3)) {
		tlb_destroy(tlb);
		return NULL;
	}
	for (unsigned sx = 0; sx < 2; sx++) {
		struct level *u = &tlb->micro[sx];
		struct tlb_hot_side *hs = &tlb->hot.side[sx];
		for (unsigned k = 0; k < TLB_HOT_SLOTS; k++)
			hs->slot[k] = (struct tlb_mru){ .key = KEY_INVALID, .idx = UINT32_MAX };
		hs->fast = u->entries && u->repl != TLB_REPL_LRU;
		u->hot = hs;
		u->gen = &tlb->changes[sx];
	}
	return tlb;
}

void tlb_destroy(struct tlb *tlb)
{
	if (!tlb)
		return;
	level_free(&tlb->micro[0]);
	level_free(&tlb->micro[1]);
	level_free(&tlb->main);
	free(tlb);
}

#if defined(__GNUC__) || defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

/* Everything but a hit on the micro TLB's most recent entry (counted). */
static NOINLINE const struct tlb_entry *lookup_slow(struct tlb *tlb, unsigned sx, uint32_t va,
						    uint8_t asid, enum tlb_hit *hit)
{
	struct level *u = &tlb->micro[sx];
	struct level *m = &tlb->main;
	int i;

	if (u->valid && (i = micro_find(u, va, asid)) >= 0) {
		tlb->hot.stats.micro_hits++;
		if (u->repl == TLB_REPL_LRU)
			u->used[i] = ++tlb->clock;
		if (hit)
			*hit = TLB_HIT_MICRO;
		return &u->e[i];
	}
	tlb->hot.stats.micro_misses[sx]++;
	if (m->valid && (i = main_find(m, va, asid)) >= 0) {
		tlb->hot.stats.main_hits++;
		if (m->repl == TLB_REPL_LRU)
			m->used[i] = ++tlb->clock;
		if (hit)
			*hit = TLB_HIT_MAIN;
		if (!u->entries)
			return &m->e[i];
		const struct tlb_entry *me = &m->e[i];
		unsigned j = level_insert(tlb, u, &me->t, me->asid, va, me->seq, m->inv_va[i],
					  m->inv_mask[i]);
		return &u->e[j];
	}
	tlb->hot.stats.misses++;
	tlb->miss_va[sx] = va;
	tlb->miss_valid[sx] = true;
	if (hit)
		*hit = TLB_MISS;
	return NULL;
}

/* The hot path: one compare against a copy, kept in struct level, of the
 * micro-TLB entry hit last; anything else goes to lookup_slow. */
const struct tlb_entry *tlb_lookup(struct tlb *tlb, enum tlb_side side, uint32_t va,
				   uint8_t asid, enum tlb_hit *hit)
{
	unsigned sx = side_index(side);
	struct level *u = &tlb->micro[sx];
	unsigned k = u->mru_key;

	tlb->hot.stats.accesses++;
	if ((va & u->mru_mask) == u->mru_va && (k == asid || k == KEY_GLOBAL)) {
		tlb->hot.stats.micro_hits++;
		if (u->repl == TLB_REPL_LRU)
			u->used[u->mru] = ++tlb->clock;
		if (hit)
			*hit = TLB_HIT_MICRO;
		return &u->e[u->mru];
	}
	return lookup_slow(tlb, sx, va, asid, hit);
}

void tlb_repeat(struct tlb *tlb, enum tlb_side side, uint32_t va, uint8_t asid, uint32_t n)
{
	unsigned sx = side_index(side);
	struct level *u = &tlb->micro[sx];
	unsigned k = u->mru_key;
	if (n > 1 && (va & u->mru_mask) == u->mru_va && (k == asid || k == KEY_GLOBAL)) {
		n--;
		tlb->hot.stats.accesses += n;
		tlb->hot.stats.micro_hits += n;
		if (u->repl == TLB_REPL_LRU) {
			tlb->clock += n;
			u->used[u->mru] = tlb->clock;
		}
		return;
	}
	for (uint32_t i = 1; i < n; i++)
		tlb_lookup(tlb, side, va, asid, NULL);
}

const struct tlb_entry *tlb_fill_va(struct tlb *tlb, enum tlb_side side,
				    const struct mmu_translation *t, uint8_t asid, uint32_t va)
{
	unsigned sx = side_index(side);
	struct level *u = &tlb->micro[sx];
	struct level *m = &tlb->main;

	tlb->hot.stats.walks++;
	tlb->hot.stats.walk_reads += t->desc_reads;
	tlb->miss_valid[sx] = false;
	if (t->fault != MMU_OK)
		return NULL; /* faults are not cached */
	if (!is_pow2(t->size) || t->size < 4096 || (t->va_base & (t->size - 1)))
		return NULL; /* not a translation the MMU can produce */
	if (va - t->va_base >= t->size)
		va = t->va_base;

	uint64_t seq = ++tlb->seq;
	uint32_t inv_mask = ~(t->size - 1);
	const struct tlb_entry *me = NULL, *ue = NULL;
	if (m->entries)
		me = &m->e[level_insert(tlb, m, t, asid, va, seq, t->va_base, inv_mask)];
	if (u->entries)
		ue = &u->e[level_insert(tlb, u, t, asid, va, seq, t->va_base, inv_mask)];
	return me ? me : ue;
}

const struct tlb_entry *tlb_fill(struct tlb *tlb, enum tlb_side side,
				 const struct mmu_translation *t, uint8_t asid)
{
	unsigned sx = side_index(side);
	uint32_t va = t->va_base;
	if (tlb->miss_valid[sx] && tlb->miss_va[sx] - t->va_base < t->size)
		va = tlb->miss_va[sx];
	return tlb_fill_va(tlb, side, t, asid, va);
}

static unsigned invalidate(struct tlb *tlb, enum tlb_scope scope, enum inval_op op, uint32_t va,
			   uint8_t asid)
{
	unsigned n = level_inval(&tlb->main, op, va, asid);
	if (tlb->core->maint_flushes_micro) {
		/* Every maintenance operation flushes both micro TLBs. */
		unsigned f = level_flush(&tlb->micro[0]) + level_flush(&tlb->micro[1]);
		tlb->hot.stats.micro_flushed += f;
		n += f;
	} else {
		if (scope != TLB_SCOPE_D)
			n += level_inval(&tlb->micro[0], op, va, asid);
		if (scope != TLB_SCOPE_I)
			n += level_inval(&tlb->micro[1], op, va, asid);
	}
	tlb->hot.stats.invalidated += n;
	/* Walk-cache entries are not TLB entries: not in the count. */
	static const enum walk_inval winv[] = {
		[INV_ALL] = WALK_INV_ALL, [INV_MVA] = WALK_INV_MVA,
		[INV_MVA_ALL_ASID] = WALK_INV_MVA_ALL_ASID, [INV_ASID] = WALK_INV_ASID,
	};
	walk_cache_invalidate(tlb->walk, winv[op], va, asid);
	return n;
}

void tlb_set_walk_cache(struct tlb *tlb, struct cache *walk)
{
	tlb->walk = walk;
}

unsigned tlb_invalidate_all(struct tlb *tlb, enum tlb_scope scope)
{
	return invalidate(tlb, scope, INV_ALL, 0, 0);
}

unsigned tlb_invalidate_mva(struct tlb *tlb, enum tlb_scope scope, uint32_t va, uint8_t asid)
{
	return invalidate(tlb, scope, INV_MVA, va, asid);
}

unsigned tlb_invalidate_mva_all_asid(struct tlb *tlb, enum tlb_scope scope, uint32_t va)
{
	return invalidate(tlb, scope, INV_MVA_ALL_ASID, va, 0);
}

unsigned tlb_invalidate_asid(struct tlb *tlb, enum tlb_scope scope, uint8_t asid)
{
	return invalidate(tlb, scope, INV_ASID, 0, asid);
}

unsigned tlb_reg_write(struct tlb *tlb, unsigned regs)
{
	if (!(regs & tlb->core->micro_flush_regs))
		return 0;
	unsigned f = level_flush(&tlb->micro[0]) + level_flush(&tlb->micro[1]);
	tlb->hot.stats.micro_flushed += f;
	return f;
}

void tlb_set_evict_hook(struct tlb *tlb, enum tlb_side side, tlb_evict_fn fn, void *arg)
{
	struct level *u = &tlb->micro[side_index(side)];
	u->evict = fn;
	u->evict_arg = arg;
}

void tlb_set_change_counter(struct tlb *tlb, enum tlb_side side, uint64_t *ctr)
{
	unsigned sx = side_index(side);
	tlb->micro[sx].gen = ctr ? ctr : &tlb->changes[sx];
}

const struct tlb_stats *tlb_stats(const struct tlb *tlb)
{
	return &tlb->hot.stats;
}

const struct core_profile *tlb_core(const struct tlb *tlb)
{
	return tlb->core;
}

void tlb_for_each(const struct tlb *tlb, void (*fn)(const struct tlb_entry *e, void *arg), void *arg)
{
	const struct level *levels[3] = { &tlb->micro[0], &tlb->micro[1], &tlb->main };
	for (unsigned l = 0; l < 3; l++)
		for (unsigned i = 0; i < levels[l]->entries; i++)
			if (levels[l]->key[i] != KEY_INVALID)
				fn(&levels[l]->e[i], arg);
}
