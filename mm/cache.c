/* SPDX-License-Identifier: MIT */
/* Set-associative caches and the per-SoC hierarchies of `--model cache`
 * (see cache.h).  Every geometry and latency carries its source, or the
 * word ASSUMPTION; docs/cycle-model.md ("Memory hierarchy") lists them.
 *
 * Sources (beside those of core.c):
 *   DDI 0464F 6.6.1  Cortex-A7 L1 data cache: 4-way, set index PA[S+5:6]
 *                    (64-byte lines)
 *   CCSIDR-A7        CCSIDR of a Cortex-A7 (Allwinner A20) as decoded by
 *                    cpuinfo's cache-info: L1D 32 KiB 4-way 64 B, L2 8-way
 *                    64 B (sergev/vak-opensource, sysinfo/Olimex-A20-OLinuXino-LIME2)
 *   RPi-BCM2836      Raspberry Pi 2 (BCM2836): 512 KiB shared L2 (Raspberry
 *                    Pi documentation, processors page)
 *   tmb-A7           tinymembench v0.4.9 latency run on a Raspberry Pi 2
 *                    (BCM2836, 900 MHz), sbc-bench results/3MGs.txt; the
 *                    constants solved from it: docs/calibration.md
 *   DDI 0301H 7.1    ARM1176JZF-S L1: 4-way, 8-word (32-byte) lines, pseudo-
 *                    random or round robin by SCTLR.RR, invalid ways first,
 *                    read allocation only
 *   7cpu-A9/A15      https://7-cpu.com (Exynos 4210 at 1.2 GHz, Exynos 5250
 *                    at 1.7 GHz): geometry and load-to-use latencies
 *   DDI 0464D 6.6.2  Cortex-A7 L1 instruction cache: 2-way, set index
 *                    PA[S+4:5] (32-byte lines)
 *   DDI 0388 7.1     Cortex-A9 L1 caches: both 4-way, 8-word lines, 16, 32
 *                    or 64 KiB; I side pseudo round robin or pseudo-random
 *   DDI 0438 5.1     Cortex-A15 MMU: "intermediate table walk caches"
 *   DDI 0438E 7.1    Cortex-A15 L2: 16-way, 64 B, random replacement,
 *                    inclusive of the L1 data caches
 *   EXYNOS4-L2C      Samsung's exynos4_l2x0_cache_init() (arch/arm/mach-
 *                    exynos, Linux 3.0 vendor tree): L2C-310 aux control
 *                    0x7C470001 under mask 0xC200ffff: 16 ways of 64 KiB,
 *                    bit 25 (replacement) kept at its reset value
 *   L2C-310-ACR      L2C-310 auxiliary control reset value 0x02020000:
 *                    bit 25 = 1, round robin (Microchip SAMA5D2 L2CC docs)
 *   PROC-V7          Linux v5.10 arch/arm/mm/proc-v7-2level.S v7_crval:
 *                    clears SCTLR bit 14 (RR): pseudo-random L1 replacement
 *
 * Walk caches: only the Cortex-A15's TRM describes one.  The A7's (DDI
 * 0464F 5.3), the A9's (DDI 0388 6.2) and the ARM1176's (DDI 0301H 6) TLB
 * chapters list micro and main TLBs and nothing between them and memory. */
#include <stdlib.h>
#include <string.h>

#include "cache.h"

static unsigned cache_invalidate_where(struct cache *c, uint32_t mask, uint32_t match);

/* No published per-line write-back cost was found for these cores. */
#define WB_ASSUMPTION "ASSUMPTION: a dirty line's write costs a read of the level written (no published per-line figure)"

static const struct cache_profile cache_profiles[] = {
	{
		.core = "cortex-a7",
		.soc = "BCM2836 (Raspberry Pi 2)",
		/* 2-way 32 B: DDI 0464D 6.6.2.  32 KiB: ASSUMPTION (as L1D).
		 * Replacement: ASSUMPTION pseudo-random.  Latency: in the
		 * instruction costs (0 beyond them). */
		.l1i = { 32 * 1024, 32, 2, CACHE_REPL_RANDOM, 0 },
		/* 4-way, 64 B: DDI 0464F 6.6.1 and CCSIDR-A7; 32 KiB: CCSIDR-A7,
		 * ASSUMPTION that the BCM2836 has the same size.  Replacement:
		 * ASSUMPTION pseudo-random (not verified in the TRM).  Latency:
		 * ASSUMPTION 3 (core.c mem_access; tmb-A7 measures only what a
		 * load costs beyond an L1 hit, so it cannot give this one). */
		.l1d = { 32 * 1024, 64, 4, CACHE_REPL_RANDOM, 3 },
		/* 512 KiB: RPi-BCM2836; 8-way 64 B: CCSIDR-A7.  Replacement:
		 * ASSUMPTION.  Latency: tmb-A7, 10 beyond the L1 hit (10.35
		 * solved with micro_miss from its 64 and 128 KiB blocks, where
		 * a load misses L1D 1/2 and 3/4 of the time and the 10-entry
		 * micro TLB 6/16 and 22/32; docs/calibration.md). */
		.l2 = { 512 * 1024, 64, 8, CACHE_REPL_RANDOM, 13 },
		/* tmb-A7: the BCM2836's memory as the Raspberry Pi 2 run measured
		 * it, from its 64 MiB block (191.9 cycles beyond an L1 hit) less
		 * the TLB and walk terms this model adds there (162.6 by hand,
		 * docs/calibration.md): 181 ns at 900 MHz, the L2 look-up
		 * included. */
		.mem_latency = 163,
		/* DDI 0464F 5.2: walks can read descriptors from L1D. */
		.walk_l1 = true,
		/* The A7's L2 is integrated (DDI 0464F 7.1).  Write-backs:
		 * ASSUMPTION, a line's write costs what a read of that level
		 * does (no published per-line figure). */
		.outer_l2 = false,
		.wb_l2 = 13,  /* ASSUMPTION, as l2_latency */
		.wb_mem = 163, /* ASSUMPTION, as mem_latency */
		.src = {
			.wb = WB_ASSUMPTION,
			.l1i = "DDI 0464D 6.6.2 (2-way, 32 B lines); size, replacement ASSUMPTION",
			.l1d = "DDI 0464F 6.6.1 (4-way, 64 B), 32 KiB CCSIDR of an A20; latency ASSUMPTION",
			.l2 = "512 KiB Raspberry Pi docs (BCM2836), 8-way 64 B CCSIDR; latency tmb-A7 (64, 128 KiB: L1 + 10)",
			.mem = "tmb-A7 (BCM2836, Raspberry Pi 2: 64 MiB block less the model's TLB and walk terms)",
			.walk = "none: DDI 0464F 5.3 describes no walk cache",
		},
	},
	{
		.core = "arm1176",
		.soc = "BCM2835 (Raspberry Pi 1)",
		/* 4-way, 32 B, random, invalid ways first: DDI 0301H 7.1.
		 * 16 KiB: ASSUMPTION (the BCM2835 configuration). */
		.l1i = { 16 * 1024, 32, 4, CACHE_REPL_RANDOM, 0 },
		/* 4-way, 32 B, random by default: DDI 0301H 7.1 (SCTLR.RR = 0 as
		 * Linux's proc-v6.S leaves it: ASSUMPTION).  16 KiB: ASSUMPTION
		 * (the BCM2835 configuration).  Latency: ASSUMPTION 3. */
		.l1d = { 16 * 1024, 32, 4, CACHE_REPL_RANDOM, 3 },
		/* ASSUMPTION: none; the BCM2835's 128 KiB L2 belongs to the
		 * VideoCore and is not modelled. */
		.l2 = { 0, 32, 1, CACHE_REPL_RANDOM, 0 },
		/* ASSUMPTION: as core.c desc_read (one external read). */
		.mem_latency = 40,
		/* DDI 0211 6.11 (ARM11 walks do not read L1), as core.c. */
		.walk_l1 = false,
		.outer_l2 = false,
		.wb_l2 = 0,   /* no L2 */
		.wb_mem = 40, /* ASSUMPTION, as mem_latency */
		.src = {
			.wb = WB_ASSUMPTION,
			.l1i = "DDI 0301H 7.1 (4-way, 32 B, random); 16 KiB ASSUMPTION",
			.l1d = "DDI 0301H 7.1 (4-way, 32 B, random); 16 KiB, latency ASSUMPTION",
			.l2 = "ASSUMPTION: none (the BCM2835's L2 belongs to the VideoCore)",
			.mem = "ASSUMPTION (one external read, as desc_read)",
			.walk = "none: DDI 0301H 6 describes no walk cache",
		},
	},
	{
		.core = "cortex-a9",
		.soc = "Exynos 4210",
		/* 4-way 32 B: DDI 0388 7.1; 32 KiB: 7cpu-A9.  Replacement:
		 * pseudo-random, SCTLR.RR = 0 as PROC-V7 leaves it. */
		.l1i = { 32 * 1024, 32, 4, CACHE_REPL_RANDOM, 0 },
		/* 32 KiB 4-way 32 B, 4 cycles: 7cpu-A9.  Replacement: pseudo-
		 * random (DDI 0388 7.1: pseudo-random or round robin by SCTLR.RR;
		 * PROC-V7: Linux v5.10 clears RR). */
		.l1d = { 32 * 1024, 32, 4, CACHE_REPL_RANDOM, 4 },
		/* 1 MiB 32 B, 4 + 19 = 23 cycles: 7cpu-A9.  16 ways of 64 KiB:
		 * EXYNOS4-L2C (aux control bit 16 = 16 ways, bits [19:17] = 3:
		 * 64 KiB a way).  Round robin: that write keeps bit 25 (mask
		 * 0xC200ffff), whose reset value 1 selects round robin
		 * (L2C-310-ACR: reset 0x02020000). */
		.l2 = { 1024 * 1024, 32, 16, CACHE_REPL_ROUND_ROBIN, 23 },
		/* 7cpu-A9: 37 + 110 ns; the TLB misses in 37 are charged by the
		 * TLB model, so 23 + 110 ns at 1.2 GHz = 23 + 132. */
		.mem_latency = 155,
		/* ASSUMPTION: walks read through L1D (DDI 0388I 6.4, TTBR IRGN). */
		.walk_l1 = true,
		/* The Exynos 4210's L2 is an L2C-310 outside the core
		 * (EXYNOS4-L2C): CP15 maintenance reaches the L1 only. */
		.outer_l2 = true,
		.wb_l2 = 23,  /* ASSUMPTION, as l2_latency */
		.wb_mem = 155, /* ASSUMPTION, as mem_latency */
		.src = {
			.wb = WB_ASSUMPTION,
			.l1i = "DDI 0388 7.1 (4-way, 32 B), 32 KiB 7cpu-A9; random: SCTLR.RR = 0 (Linux proc-v7)",
			.l1d = "7cpu-A9 (32 KiB 4-way 32 B, 4 cycles); random: SCTLR.RR = 0 (Linux proc-v7)",
			.l2 = "7cpu-A9 (1 MiB 32 B, 23 cycles); 16-way round robin: Exynos 4210 L2C-310 aux control",
			.mem = "7cpu-A9 (L2 + 110 ns at 1.2 GHz)",
			.walk = "none: DDI 0388 6.2 describes no walk cache",
		},
	},
	{
		.core = "cortex-a15",
		.soc = "Exynos 5250",
		/* 32 KiB 2-way 64 B: 7cpu-A15.  Replacement: ASSUMPTION LRU
		 * (as the L1D). */
		.l1i = { 32 * 1024, 64, 2, CACHE_REPL_LRU, 0 },
		/* 32 KiB 2-way 64 B LRU, 4 cycles: 7cpu-A15. */
		.l1d = { 32 * 1024, 64, 2, CACHE_REPL_LRU, 4 },
		/* 1 MiB 16-way 64 B, 21 cycles: 7cpu-A15.  Random replacement:
		 * DDI 0438E 7.1 (which also makes it inclusive of the L1D: not
		 * modelled, docs/cycle-model.md). */
		.l2 = { 1024 * 1024, 64, 16, CACHE_REPL_RANDOM, 21 },
		/* 7cpu-A15: 21 cycles + 110 ns at 1.7 GHz = 21 + 187. */
		.mem_latency = 208,
		/* ASSUMPTION: walks read through L1D (7cpu-A15: "10 / 30 cycles
		 * for page walk to L1 / L2 caches"). */
		.walk_l1 = true,
		/* DDI 0438 5.1: the A15 has intermediate table walk caches;
		 * 16 entries, one per MiB of VA: 7cpu-A15 ("PDE cache").
		 * Fully associative, LRU: ASSUMPTION. */
		.walk = { 16 * 4, 4, 16, CACHE_REPL_LRU, 0 },
		/* The A15's L2 is integrated (DDI 0438E 7.1). */
		.outer_l2 = false,
		.wb_l2 = 21,  /* ASSUMPTION, as l2_latency */
		.wb_mem = 208, /* ASSUMPTION, as mem_latency */
		.src = {
			.wb = WB_ASSUMPTION,
			.l1i = "7cpu-A15 (32 KiB 2-way 64 B); LRU ASSUMPTION",
			.l1d = "7cpu-A15 (32 KiB 2-way 64 B LRU, 4 cycles)",
			.l2 = "7cpu-A15 (1 MiB 16-way 64 B, 21 cycles); random: DDI 0438E 7.1",
			.mem = "7cpu-A15 (L2 + 110 ns at 1.7 GHz)",
			.walk = "DDI 0438 5.1 (walk caches); 16 entries 7cpu-A15 (PDE cache); LRU ASSUMPTION",
		},
	},
};

const struct cache_profile *cache_profile_find(const char *core)
{
	if (!core)
		return NULL;
	for (size_t i = 0; i < sizeof(cache_profiles) / sizeof(cache_profiles[0]); i++)
		if (strcmp(cache_profiles[i].core, core) == 0)
			return &cache_profiles[i];
	return NULL;
}

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static bool pow2(uint32_t x)
{
	return x && !(x & (x - 1));
}

int cache_init(struct cache *c, const struct cache_geometry *g, uint64_t seed)
{
	memset(c, 0, sizeof(*c));
	if (!pow2(g->line) || !g->ways || g->size % (g->line * g->ways))
		return -1;
	c->g = *g;
	c->sets = g->size / (g->line * g->ways);
	if (!pow2(c->sets))
		return -1;
	c->set_mask = c->sets - 1;
	c->changes = 1;
	c->ways = g->ways;
	while ((1u << c->line_shift) < g->line)
		c->line_shift++;
	size_t n = (size_t)c->sets * g->ways;
	c->tag = calloc(n, sizeof(*c->tag));
	if (g->replacement == CACHE_REPL_LRU)
		c->used = calloc(n, sizeof(*c->used));
	if (g->replacement == CACHE_REPL_ROUND_ROBIN)
		c->next = calloc(c->sets, sizeof(*c->next));
	c->rng = splitmix64(seed ^ 0xcac4e5ull);
	if (!c->tag || (g->replacement == CACHE_REPL_LRU && !c->used) ||
	    (g->replacement == CACHE_REPL_ROUND_ROBIN && !c->next)) {
		cache_free(c);
		return -1;
	}
	return 0;
}

void cache_free(struct cache *c)
{
	free(c->tag);
	free(c->used);
	free(c->next);
	memset(c, 0, sizeof(*c));
}

/* The way a fill replaces in a full set. */
static uint32_t victim(struct cache *c, uint32_t set, uint32_t base)
{
	switch (c->g.replacement) {
	case CACHE_REPL_LRU: {
		uint32_t v = 0;
		for (uint32_t w = 1; w < c->g.ways; w++)
			if (c->used[base + w] < c->used[base + v])
				v = w;
		return v;
	}
	case CACHE_REPL_ROUND_ROBIN: {
		uint32_t v = c->next[set];
		c->next[set] = v + 1 == c->ways ? 0 : v + 1;
		return v;
	}
	case CACHE_REPL_RANDOM:
	default:
		c->rng = splitmix64(c->rng);
		/* rng % ways; a mask when ways is a power of two (all the
		 * profiles), not a 64-bit division on every miss. */
		return pow2(c->ways) ? (uint32_t)c->rng & (c->ways - 1) : (uint32_t)(c->rng % c->ways);
	}
}

/* A dirty line a fill evicted: its PA, for the write to the next level. */
struct evicted {
	bool dirty;
	uint32_t pa;
};

/* The miss half of a look-up (after cache_lookup() returned false): fills
 * pa's line, reporting a dirty victim in *ev; a write makes the line
 * dirty.  count: as cache_lookup()'s. */
static void cache_fill(struct cache *c, uint32_t pa, bool write, bool count, struct evicted *ev)
{
	uint32_t line = pa >> c->line_shift;
	uint32_t want = line | CACHE_VALID;
	uint32_t set = line & c->set_mask;
	uint32_t base = set * c->ways;
	uint32_t free_way = c->ways;
	for (uint32_t w = 0; w < c->ways; w++)
		if (!c->tag[base + w]) {
			free_way = w;
			break;
		}
	c->stats.misses += count;
	c->changes++;
	/* The lowest invalid way first (DDI 0301H 7.1 says so for the
	 * ARM1176; ASSUMPTION for the others), else the policy's victim. */
	uint32_t w = free_way < c->ways ? free_way : victim(c, set, base);
	uint32_t old = c->tag[base + w];
	ev->dirty = (old & CACHE_DIRTY) != 0;
	if (ev->dirty) {
		ev->pa = (old & ~(CACHE_VALID | CACHE_DIRTY)) << c->line_shift;
		c->stats.writebacks++;
	}
	c->tag[base + w] = want | (write ? CACHE_DIRTY : 0);
	if (c->used)
		c->used[base + w] = c->clock;
	c->mru_tag = want;
	c->mru_slot = base + w;
}

/* Looks `pa` up, fills its line on a miss (reporting a dirty victim in
 * *ev); a write makes the line dirty.  count: in hits/misses (a write-back
 * arriving from the level above is not a look-up of the program's). */
static bool access_line(struct cache *c, uint32_t pa, bool write, bool count, struct evicted *ev)
{
	ev->dirty = false;
	if (cache_lookup(c, pa, write, count))
		return true;
	cache_fill(c, pa, write, count, ev);
	return false;
}

bool cache_access(struct cache *c, uint32_t pa)
{
	struct evicted ev;
	return access_line(c, pa, false, true, &ev);
}

/* The caches each CPU has of its own: L1I, L1D, walk cache. */
static int cpu_caches_init_own(struct cpu_caches *cc, const struct cache_profile *p, uint64_t seed)
{
	cc->p = p;
	if (cache_init(&cc->l1d, &p->l1d, seed ^ 1) != 0 ||
	    (p->l1i.size && cache_init(&cc->l1i, &p->l1i, seed ^ 3) != 0) ||
	    (p->walk.size && cache_init(&cc->walk, &p->walk, seed ^ 4) != 0)) {
		cache_free(&cc->l1d);
		cache_free(&cc->l1i);
		cache_free(&cc->walk);
		return -1;
	}
	return 0;
}

struct cpu_caches *cpu_caches_create(const struct cache_profile *p, uint64_t seed)
{
	struct cpu_caches *cc = calloc(1, sizeof(*cc));
	if (!cc)
		return NULL;
	if (cpu_caches_init_own(cc, p, seed) != 0) {
		free(cc);
		return NULL;
	}
	if (p->l2.size) {
		cc->l2 = calloc(1, sizeof(*cc->l2));
		cc->owns_l2 = true;
		if (!cc->l2 || cache_init(cc->l2, &p->l2, seed ^ 2) != 0) {
			cpu_caches_free(cc);
			return NULL;
		}
	}
	return cc;
}

struct cpu_caches *cpu_caches_create_sibling(const struct cpu_caches *cpu0, uint64_t seed)
{
	struct cpu_caches *cc = calloc(1, sizeof(*cc));
	if (!cc)
		return NULL;
	if (cpu_caches_init_own(cc, cpu0->p, seed) != 0) {
		free(cc);
		return NULL;
	}
	cc->l2 = cpu0->l2;
	cc->owns_l2 = false;
	return cc;
}

void cpu_caches_free(struct cpu_caches *cc)
{
	if (!cc)
		return;
	cache_free(&cc->l1d);
	cache_free(&cc->l1i);
	cache_free(&cc->walk);
	if (cc->owns_l2 && cc->l2) {
		cache_free(cc->l2);
		free(cc->l2);
	}
	free(cc);
}

/* A dirty L1D line written back: into the L2 (allocated there, dirty;
 * not a look-up of the program's), or to memory without one.  Returns
 * its cycles, with the L2's own write-back if that fill evicted one. */
static unsigned writeback_l1(struct cpu_caches *cc, uint32_t line_pa)
{
	if (!cc->l2)
		return cc->p->wb_mem;
	struct evicted ev;
	access_line(cc->l2, line_pa, true, false, &ev);
	return cc->p->wb_l2 + (ev.dirty ? cc->p->wb_mem : 0);
}

/* The L2 and memory part of an access whose L1D look-up missed (or that
 * skipped L1D); wb: the cycles of the L1D fill's write-back. */
static unsigned beyond_l1(struct cpu_caches *cc, uint32_t pa, bool through_l1, bool write, unsigned wb)
{
	struct evicted ev;
	/* The line's fill reads the L2; it stays clean there unless the
	 * store skipped L1. */
	if (cc->l2) {
		bool hit = access_line(cc->l2, pa, write && !through_l1, true, &ev);
		if (ev.dirty)
			wb += cc->p->wb_mem;
		if (hit)
			return cc->p->l2.latency + wb;
	}
	return cc->p->mem_latency + wb;
}

unsigned cpu_cache_l1d_miss(struct cpu_caches *cc, uint32_t pa, bool write)
{
	struct evicted ev;
	cache_fill(&cc->l1d, pa, write, true, &ev);
	return beyond_l1(cc, pa, true, write, ev.dirty ? writeback_l1(cc, ev.pa) : 0);
}

static unsigned cpu_cache_rw(struct cpu_caches *cc, uint32_t pa, bool through_l1, bool write)
{
	if (!through_l1)
		return beyond_l1(cc, pa, false, write, 0);
	if (cache_lookup(&cc->l1d, pa, write, true))
		return cc->p->l1d.latency;
	return cpu_cache_l1d_miss(cc, pa, write);
}

unsigned cpu_cache_read(struct cpu_caches *cc, uint32_t pa, bool through_l1)
{
	return cpu_cache_rw(cc, pa, through_l1, false);
}

unsigned cpu_cache_write(struct cpu_caches *cc, uint32_t pa, bool through_l1)
{
	return cpu_cache_rw(cc, pa, through_l1, true);
}

/* The slot holding pa's line, or -1. */
static int64_t find_line(const struct cache *c, uint32_t pa)
{
	uint32_t line = pa >> c->line_shift, base = (line & c->set_mask) * c->ways;
	for (uint32_t w = 0; w < c->ways; w++)
		if ((c->tag[base + w] & ~CACHE_DIRTY) == (line | CACHE_VALID))
			return base + w;
	return -1;
}

/* Cleans (writes back if dirty) and/or invalidates one slot of the L1D
 * (level 0) or the L2 (level 1).  Returns the write-back's cycles. */
static unsigned maint_slot(struct cpu_caches *cc, struct cache *c, int64_t slot, bool clean, bool inval)
{
	if (slot < 0 || !c->tag[slot])
		return 0;
	unsigned cyc = 0;
	if (clean && (c->tag[slot] & CACHE_DIRTY)) {
		c->stats.writebacks++;
		cyc = c == &cc->l1d ? writeback_l1(cc, (c->tag[slot] & ~(CACHE_VALID | CACHE_DIRTY)) << c->line_shift)
				    : cc->p->wb_mem;
	}
	if (clean)
		c->tag[slot] &= ~CACHE_DIRTY;
	if (inval) {
		c->tag[slot] = 0;
		c->mru_tag = 0;
		c->changes++;
	}
	return cyc;
}

/* A by-MVA operation: the L1D line, then (to the point of coherency, on an
 * integrated L2) the L2's. */
static unsigned maint_mva(struct cpu_caches *cc, uint32_t pa, bool clean, bool inval, bool poc)
{
	unsigned cyc = maint_slot(cc, &cc->l1d, find_line(&cc->l1d, pa), clean, inval);
	if (poc && cc->l2 && !cc->p->outer_l2)
		cyc += maint_slot(cc, cc->l2, find_line(cc->l2, pa), clean, inval);
	return cyc;
}

static unsigned log2u(uint32_t x)
{
	unsigned n = 0;
	while ((1u << n) < x)
		n++;
	return n;
}

/* A set/way operation: Level in bits [3:1], the way in the top
 * log2(ways) bits, the set above the line offset (DDI 0406C B4.2.1,
 * "Set/way"); level 1 is the L2 if it is integrated (CLIDR shows no outer
 * cache). */
static unsigned maint_sw(struct cpu_caches *cc, uint32_t sw, bool clean, bool inval)
{
	unsigned level = (sw >> 1) & 7;
	struct cache *c = level == 0 ? &cc->l1d : level == 1 && cc->l2 && !cc->p->outer_l2 ? cc->l2 : NULL;
	if (!c)
		return 0;
	unsigned a = log2u(c->g.ways);
	uint32_t way = a ? sw >> (32 - a) : 0;
	uint32_t set = (sw >> c->line_shift) & c->set_mask;
	return maint_slot(cc, c, (int64_t)set * c->g.ways + way, clean, inval);
}

static unsigned maint_all_l1d(struct cpu_caches *cc, bool inval)
{
	unsigned cyc = 0;
	for (uint32_t i = 0; i < cc->l1d.sets * cc->l1d.g.ways; i++)
		cyc += maint_slot(cc, &cc->l1d, i, true, inval);
	return cyc;
}

static const char *const cache_op_names[CACHE_OP_NR] = {
	"DCIMVAC", "DCISW", "DCCMVAC", "DCCSW", "DCCMVAU", "DCCIMVAC", "DCCISW", "DCCALL", "DCCIALL",
	"ICIALLU", "ICIMVAU",
};

const char *cache_op_name(enum cache_op op)
{
	return (unsigned)op < CACHE_OP_NR ? cache_op_names[op] : "?";
}

unsigned cpu_cache_maint(struct cpu_caches *cc, enum cache_op op, uint32_t arg)
{
	switch (op) {
	case CACHE_OP_DCIMVAC: return maint_mva(cc, arg, false, true, true);
	case CACHE_OP_DCISW: return maint_sw(cc, arg, false, true);
	case CACHE_OP_DCCMVAC: return maint_mva(cc, arg, true, false, true);
	case CACHE_OP_DCCSW: return maint_sw(cc, arg, true, false);
	case CACHE_OP_DCCMVAU: return maint_mva(cc, arg, true, false, false);
	case CACHE_OP_DCCIMVAC: return maint_mva(cc, arg, true, true, true);
	case CACHE_OP_DCCISW: return maint_sw(cc, arg, true, true);
	case CACHE_OP_DCCALL: return maint_all_l1d(cc, false);
	case CACHE_OP_DCCIALL: return maint_all_l1d(cc, true);
	case CACHE_OP_ICIALLU:
		if (cc->l1i.g.size)
			cache_invalidate_where(&cc->l1i, 0, 0);
		return 0;
	case CACHE_OP_ICIMVAU:
		if (cc->l1i.g.size)
			maint_slot(cc, &cc->l1i, find_line(&cc->l1i, arg), false, true);
		return 0;
	default:
		return 0;
	}
}

unsigned cpu_cache_fetch_miss(struct cpu_caches *cc, uint32_t pa)
{
	struct evicted ev;
	cache_fill(&cc->l1i, pa, false, true, &ev);
	if (cc->l2 && cache_access(cc->l2, pa))
		return cc->p->l2.latency;
	return cc->p->mem_latency;
}

/* A walk cache entry's "line": ASID and MiB of VA (4-byte lines: the
 * key, shifted as a byte address). */
#define WALK_KEY(va, asid) (((uint32_t)(asid) << 12 | (va) >> 20) << 2)

bool cpu_walk_cache_hit(struct cpu_caches *cc, uint32_t va, uint8_t asid)
{
	return cc->walk.g.size && cache_access(&cc->walk, WALK_KEY(va, asid));
}

/* Invalidates every valid line whose line number masked by `mask` equals
 * `match` (mask 0: all).  Returns how many; dirty data is dropped. */
static unsigned cache_invalidate_where(struct cache *c, uint32_t mask, uint32_t match)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < c->sets * c->g.ways; i++) {
		uint32_t t = c->tag[i];
		if (t && ((t & ~(CACHE_VALID | CACHE_DIRTY)) & mask) == match) {
			c->tag[i] = 0;
			n++;
		}
	}
	c->mru_tag = 0; /* never a valid tag: the next access searches */
	c->changes++;
	return n;
}

unsigned walk_cache_invalidate(struct cache *walk, enum walk_inval op, uint32_t va, uint8_t asid)
{
	if (!walk || !walk->g.size)
		return 0;
	uint32_t key = WALK_KEY(va, asid) >> 2;
	switch (op) {
	case WALK_INV_MVA: return cache_invalidate_where(walk, 0xfffffu, key);
	case WALK_INV_MVA_ALL_ASID: return cache_invalidate_where(walk, 0xfffu, key & 0xfffu);
	case WALK_INV_ASID: return cache_invalidate_where(walk, 0xff000u, key & 0xff000u);
	case WALK_INV_ALL: default: return cache_invalidate_where(walk, 0, 0);
	}
}

static bool geometry_ok(const struct cache_geometry *g)
{
	if (!g->size)
		return true;
	if (!pow2(g->line) || !g->ways || g->size % (g->line * g->ways))
		return false;
	return pow2(g->size / (g->line * g->ways));
}

int cache_profile_check(const struct cache_profile *p, const char **level)
{
	const struct { const char *name; const struct cache_geometry *g; } lv[] = {
		{ "l1i", &p->l1i }, { "l1d", &p->l1d }, { "l2", &p->l2 }, { "walk", &p->walk },
	};
	for (size_t i = 0; i < sizeof(lv) / sizeof(lv[0]); i++)
		if (!geometry_ok(lv[i].g) || (i == 1 && !lv[i].g->size)) {
			*level = lv[i].name;
			return -1;
		}
	/* The model charges each level's latency beyond the L1D hit. */
	if (p->l1d.latency > p->mem_latency || (p->l2.size && (p->l1d.latency > p->l2.latency ||
							       p->l2.latency > p->mem_latency))) {
		*level = "latency";
		return -1;
	}
	return 0;
}
