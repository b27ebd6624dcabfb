/* SPDX-License-Identifier: MIT */
/* The memory hierarchy of `--model cache`: set-associative L1 instruction
 * and data caches and a walk cache per CPU and an L2 shared by the CPUs of
 * a cluster, with the hit latencies and the memory latency of a named SoC
 * (docs/cycle-model.md, "Memory hierarchy").  Physically indexed and
 * tagged, allocate on read and write, write-back (a dirty bit per line: a
 * dirty line evicted or cleaned costs a write to the next level), no
 * prefetcher.  The guest's and the kernel's cache maintenance operations
 * (cpu_cache_maint) clean and invalidate lines.
 * Knows nothing of the TLB: callers pass physical addresses. */
#ifndef KMAPLAB_MM_CACHE_H
#define KMAPLAB_MM_CACHE_H

#include <stdbool.h>
#include <stdint.h>

enum cache_replacement {
	CACHE_REPL_RANDOM,      /* seeded pseudo-random: deterministic per seed */
	CACHE_REPL_ROUND_ROBIN, /* next victim pointer per set */
	CACHE_REPL_LRU,
};

struct cache_geometry {
	uint32_t size;     /* bytes; 0: the level does not exist */
	uint32_t line;     /* bytes, a power of two */
	uint32_t ways;
	enum cache_replacement replacement;
	unsigned latency;  /* load-to-use cycles of a hit in this level */
};

struct cache_stats {
	uint64_t hits;
	uint64_t misses;
	uint64_t writebacks; /* dirty lines written to the next level */
};

/* A slot's word in struct cache's tag array: the line address (PA >>
 * line_shift, at most 30 bits: lines are at least 4 bytes) | CACHE_VALID,
 * | CACHE_DIRTY if the line was written since its fill or clean; 0:
 * invalid.  The dirty bit lives in the tag word so that a look-up and the
 * store that marks its line dirty touch one host cache line. */
#define CACHE_VALID 0x80000000u
#define CACHE_DIRTY 0x40000000u

struct cache {
	/* What every look-up reads first (one host cache line). */
	uint32_t *tag;     /* sets * ways: see CACHE_VALID */
	uint64_t *used;    /* LRU: the access clock at the last use (NULL otherwise) */
	uint64_t clock;
	/* The line accessed last (| CACHE_VALID) and its slot: a run of
	 * accesses to one line (a word loop) hits it without a set search. */
	uint32_t mru_tag, mru_slot;
	uint32_t set_mask, line_shift, ways;
	uint32_t sets;
	/* Bumped by every fill and invalidate (any change of which lines are
	 * resident; dirty marks aside): while it stays, lines found resident
	 * stay so.  Starts at 1 (0 marks an empty memo). */
	uint64_t changes;
	struct cache_stats stats;
	uint32_t *next;    /* round robin: victim pointer per set (NULL otherwise) */
	uint64_t rng;
	struct cache_geometry g;
};

/* Where each level's figures come from (`kmaplab costs` prints them). */
struct cache_sources {
	const char *l1i, *l1d, *l2, *mem, *walk, *wb;
};

/* One SoC's hierarchy for one core profile. */
struct cache_profile {
	const char *core;           /* the core_profile name it belongs to */
	const char *soc;
	struct cache_geometry l1i;  /* instruction fetches (size 0: none) */
	struct cache_geometry l1d;
	struct cache_geometry l2;   /* size 0: none (misses go to memory) */
	unsigned mem_latency;       /* load-to-use cycles of a read from DRAM */
	/* The table walker reads descriptors through L1D (else it starts at
	 * the L2, or memory). */
	bool walk_l1;
	/* The walk cache: L1 (first-level) descriptors of page walks, kept by
	 * the descriptor's PA, so that a walk that hits it reads only the L2
	 * descriptor (size 0: the TRM describes none).  line 4, one entry a
	 * descriptor; latency unused. */
	struct cache_geometry walk;
	/* The L2 is an outer cache (an L2C-310 beside the core): the CP15
	 * maintenance operations act on the L1 caches only (the kernel
	 * maintains the L2 through its own registers, outer_cache in
	 * arch/arm/mm/cache-l2x0.c).  False: integrated, CP15 operations to
	 * the point of coherency act on it too. */
	bool outer_l2;
	/* Cycles of one dirty line's write from L1D to the L2 and from the
	 * L2 (or an L1D without L2) to memory. */
	unsigned wb_l2, wb_mem;
	struct cache_sources src;
};

/* What one CPU sees: its own L1I, L1D and walk cache, and the cluster's L2. */
struct cpu_caches {
	const struct cache_profile *p;
	struct cache l1i;  /* g.size 0: none */
	struct cache l1d;
	struct cache walk; /* g.size 0: none */
	/* The PA the last instruction fetch look-up (mm_access) translated
	 * its VA to, for the I-cache look-ups of the block (mm_cache_fetch). */
	uint32_t fetch_va, fetch_pa;
	/* Line ranges of blocks whose fetches all hit the L1I at its
	 * `changes` count (mm_cache_fetch): the same block again hits them
	 * all without a look-up each.  Direct-mapped by the first line; not
	 * used with LRU replacement (a hit moves the line's age). */
	struct cpu_fetch_memo {
		uint32_t first, last;
		uint64_t changes;
	} fetch_memo[32];
	struct cache *l2;  /* NULL if the SoC has none */
	bool owns_l2;
};

/* NULL if no hierarchy is known for that core. */
const struct cache_profile *cache_profile_find(const char *core);

/* 0, or -1 out of memory / bad geometry.  The seed drives random replacement. */
int cache_init(struct cache *c, const struct cache_geometry *g, uint64_t seed);
void cache_free(struct cache *c);
/* Looks `pa` up, fills its line on a miss.  Returns true on a hit. */
bool cache_access(struct cache *c, uint32_t pa);

/* The hit half of a look-up of `pa` (cache_access() is this, then
 * cache_fill() if it returns false): advances the access clock and, if the
 * line is resident, counts a hit (count: a write-back arriving from the
 * level above is not a look-up of the program's), marks the line used
 * (LRU) and, for a write, dirty.  Inline: the hooks call it on every guest
 * access, and most hit L1D. */
static inline bool cache_lookup(struct cache *c, uint32_t pa, bool write, bool count)
{
	uint32_t line = pa >> c->line_shift;
	uint32_t want = line | CACHE_VALID;
	uint32_t slot;
	c->clock++;
	if (want == c->mru_tag) { /* still resident: only a miss in its set evicts */
		slot = c->mru_slot;
	} else {
		uint32_t base = (line & c->set_mask) * c->ways, w = 0;
		while ((c->tag[base + w] & ~CACHE_DIRTY) != want)
			if (++w == c->ways)
				return false;
		slot = base + w;
		c->mru_tag = want;
		c->mru_slot = slot;
	}
	c->stats.hits += count;
	if (c->used)
		c->used[slot] = c->clock;
	c->tag[slot] |= write ? CACHE_DIRTY : 0;
	return true;
}

/* CPU 0's caches with a new L2 (the SMP model shares one L2 among the
 * cluster's cpu_caches).  NULL out of memory. */
struct cpu_caches *cpu_caches_create(const struct cache_profile *p, uint64_t seed);
void cpu_caches_free(struct cpu_caches *cc);
/* Another CPU of the same cluster (--cpus): its own L1D, `cpu0`'s L2
 * (shared, owned and freed by cpu0).  NULL out of memory. */
struct cpu_caches *cpu_caches_create_sibling(const struct cpu_caches *cpu0, uint64_t seed);

/* One data access (or walk read with through_l1 false on a core whose
 * walker bypasses L1) of `pa`: fills what missed, returns its total
 * load-to-use latency in cycles, with the write-backs of the dirty lines
 * its fills evicted. */
unsigned cpu_cache_read(struct cpu_caches *cc, uint32_t pa, bool through_l1);
/* A store to `pa`: as a read (allocate on write), and the L1D line (the
 * L2's if through_l1 is false) becomes dirty. */
unsigned cpu_cache_write(struct cpu_caches *cc, uint32_t pa, bool through_l1);
/* The rest of cpu_cache_read/write(through_l1 true) after cache_lookup()
 * of the L1D missed: the L1D fill, its write-back, the L2.  Returns the
 * access's total latency. */
unsigned cpu_cache_l1d_miss(struct cpu_caches *cc, uint32_t pa, bool write);

/* Cache maintenance operations (ARM DDI 0406C B4.2.1, CP15 c7), as the
 * guest's MCRs and the kernel's primitives issue them. */
enum cache_op {
	CACHE_OP_DCIMVAC,  /* invalidate D line by MVA to PoC: dirty data dropped */
	CACHE_OP_DCISW,    /* invalidate D line by set/way */
	CACHE_OP_DCCMVAC,  /* clean D line by MVA to PoC */
	CACHE_OP_DCCSW,    /* clean D line by set/way */
	CACHE_OP_DCCMVAU,  /* clean D line by MVA to PoU: L1D into the next level */
	CACHE_OP_DCCIMVAC, /* clean and invalidate D line by MVA to PoC */
	CACHE_OP_DCCISW,   /* clean and invalidate D line by set/way */
	CACHE_OP_DCCALL,   /* ARMv6: clean the entire L1D */
	CACHE_OP_DCCIALL,  /* ARMv6: clean and invalidate the entire L1D */
	CACHE_OP_ICIALLU,  /* invalidate the entire L1I (and ICIALLUIS) */
	CACHE_OP_ICIMVAU,  /* invalidate the L1I line by MVA to PoU */
	CACHE_OP_NR
};
const char *cache_op_name(enum cache_op op);
/* Applies `op` to this CPU's caches: `arg` is the line's PA for the by-MVA
 * operations, the set/way/level word (DDI 0406C B4.2.1) for the set/way
 * ones, unused for the others.  Returns the cycles of the write-backs the
 * cleans made (the operation's own issue cost is in the instruction's). */
unsigned cpu_cache_maint(struct cpu_caches *cc, enum cache_op op, uint32_t arg);

/* The rest of cpu_cache_fetch() after cache_lookup() of the L1I missed. */
unsigned cpu_cache_fetch_miss(struct cpu_caches *cc, uint32_t pa);
/* One instruction fetch of the line of `pa` through L1I and the L2: fills
 * what missed, returns the cycles beyond an L1I hit (0 on a hit: the
 * pipeline's fetch is in the instruction costs).  Inline: mm_cache_fetch()
 * calls it for every line of every block it cannot answer from its memo. */
static inline unsigned cpu_cache_fetch(struct cpu_caches *cc, uint32_t pa)
{
	if (!cc->l1i.g.size || cache_lookup(&cc->l1i, pa, false, true))
		return 0;
	return cpu_cache_fetch_miss(cc, pa);
}

/* A page walk of `va` under `asid`: true if the walk cache holds the L1
 * descriptor of that MiB of VA for that ASID (the walk reads only the L2
 * descriptor); fills it on a miss.  False, and nothing counted, on a core
 * without one.  Entries are per MiB of VA (7cpu-A15) and per ASID (DDI
 * 0438G 5.6: "Cached entries are associated with an ASID"). */
bool cpu_walk_cache_hit(struct cpu_caches *cc, uint32_t va, uint8_t asid);

/* What a TLB maintenance operation removes from a walk cache: the
 * architecture requires TLB invalidation to remove cached copies of
 * translation table entries from any level of the walk (ARMv7 AArch32
 * TLBIMVA, TLBIMVAA: "any level of the translation table walk"; DDI 0438G
 * 5.6 for the A15's intermediate caches). */
enum walk_inval {
	WALK_INV_ALL,          /* TLBIALL and its forms */
	WALK_INV_MVA,          /* TLBIMVA: that MiB of VA, that ASID */
	WALK_INV_MVA_ALL_ASID, /* TLBIMVAA: that MiB of VA, every ASID */
	WALK_INV_ASID,         /* TLBIASID: every entry of that ASID */
};
/* Returns the number of entries removed (0 for a NULL or empty cache). */
unsigned walk_cache_invalidate(struct cache *walk, enum walk_inval op, uint32_t va, uint8_t asid);

/* 0, or -1 if a geometry of `p` is not one cache_init() accepts (sizes
 * and lines powers of two, size a multiple of line * ways; *level names
 * it: "l1i", "l1d", "l2", "walk"), or if the latencies decrease outward
 * (L1D, L2, memory; *level "latency"). */
int cache_profile_check(const struct cache_profile *p, const char **level);

#endif
