/* SPDX-License-Identifier: MIT */
/* Unit tests of the cache model (mm/cache.c) and of walks and data
 * accesses through it (mm/access.c with mm->caches set).
 *
 * Every expected hit/miss below is worked out by hand from the geometry:
 *   sets = size / (line * ways); a line's set = (pa / line) % sets, so
 *   addresses size / ways apart share a set.
 *   cortex-a15 L1D: 32 KiB, 64 B, 2-way LRU -> 256 sets, same set every 16 KiB.
 *   cortex-a7  L1D: 32 KiB, 64 B, 4-way random -> 128 sets, same set every 8 KiB.
 *   cortex-a15 L1I: 32 KiB, 64 B, 2-way LRU -> 256 sets, same set every 16 KiB.
 *   cortex-a7  L1I: 32 KiB, 32 B, 2-way (DDI 0464D 6.6.2) -> 32 B lines.
 *   cortex-a15 walk cache: 16 entries (7cpu-A15 "PDE cache"), fully assoc., LRU.
 * A fill takes the lowest invalid way first; only a full set evicts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "access.h"
#include "cache.h"
#include "check.h"
#include "highmem.h"
#include "kernel.h"
#include "mm.h"
#include "pgtable.h"

#define KiB 1024u

/* Runs `n` accesses; returns a bit mask, bit i set if access i hit. */
static uint32_t seq(struct cache *c, const uint32_t *pa, unsigned n)
{
	uint32_t hits = 0;
	for (unsigned i = 0; i < n; i++)
		if (cache_access(c, pa[i]))
			hits |= 1u << i;
	return hits;
}

static void test_lru_conflict(void)
{
	struct cache c;
	struct cache_geometry g = { 32 * KiB, 64, 2, CACHE_REPL_LRU, 4 };
	CHECK(cache_init(&c, &g, 1) == 0);
	CHECK_EQ(c.sets, 256);
	/* Three lines in one set of a 2-way cache (ways + 1): A B C miss and C
	 * evicts A (LRU); B hits (C is now the LRU); A misses and evicts C;
	 * C misses. */
	const uint32_t A = 0x100000, B = A + 16 * KiB, C = A + 32 * KiB;
	const uint32_t s1[] = { A, B, C, B, A, C };
	CHECK_EQ(seq(&c, s1, 6), 1u << 3);
	/* Set now holds A (used before C) and C: touching A makes C the LRU,
	 * so a new line D evicts C, and A still hits. */
	const uint32_t D = A + 48 * KiB;
	const uint32_t s2[] = { A, D, A, C };
	CHECK_EQ(seq(&c, s2, 4), (1u << 0) | (1u << 2));
	/* Another offset in a resident line hits (line granularity); the
	 * next line is a different set and misses. */
	const uint32_t s3[] = { A + 63, A + 64 };
	CHECK_EQ(seq(&c, s3, 2), 1u << 0);
	cache_free(&c);
}

static void test_capacity(void)
{
	struct cache c;
	struct cache_geometry g = { 32 * KiB, 64, 2, CACHE_REPL_LRU, 4 };
	CHECK(cache_init(&c, &g, 1) == 0);
	/* 32 KiB of consecutive lines: 512 misses, then all 512 hit. */
	for (uint32_t pa = 0; pa < 32 * KiB; pa += 64)
		cache_access(&c, pa);
	CHECK_EQ(c.stats.misses, 512);
	for (uint32_t pa = 0; pa < 32 * KiB; pa += 64)
		cache_access(&c, pa);
	CHECK_EQ(c.stats.hits, 512);
	/* 64 KiB cycled: 4 lines per set in 2 ways under LRU, each evicted
	 * just before its reuse: the second pass misses every line too. */
	struct cache d;
	CHECK(cache_init(&d, &g, 1) == 0);
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t pa = 0; pa < 64 * KiB; pa += 64)
			cache_access(&d, pa);
	CHECK_EQ(d.stats.hits, 0);
	CHECK_EQ(d.stats.misses, 2048);
	cache_free(&c);
	cache_free(&d);
}

static void test_round_robin(void)
{
	struct cache c;
	/* 4 sets of 4 ways, 32 B lines: same set every 128 B. */
	struct cache_geometry g = { 512, 32, 4, CACHE_REPL_ROUND_ROBIN, 1 };
	CHECK(cache_init(&c, &g, 1) == 0);
	CHECK_EQ(c.sets, 4);
	/* Ways fill 0..3 with L0..L3; L4 replaces way 0 (L0), L5 way 1 (L1),
	 * even though L0 was used last: round robin ignores use. */
	uint32_t L[6];
	for (int i = 0; i < 6; i++)
		L[i] = (uint32_t)i * 128;
	const uint32_t s[] = { L[0], L[1], L[2], L[3], L[0], L[4], L[0], L[2], L[5], L[1] };
	/* hits: L0 (4), L2 (7); L0 at 6 misses (evicted by L4); L5 evicts
	 * way 1 = L1, so L1 at 9 misses. */
	CHECK_EQ(seq(&c, s, 10), (1u << 4) | (1u << 7));
	cache_free(&c);
}

static void test_random_conflict(void)
{
	const struct cache_profile *p = cache_profile_find("cortex-a7");
	CHECK(p != NULL);
	if (!p)
		return;
	struct cache c;
	CHECK(cache_init(&c, &p->l1d, 1) == 0);
	CHECK_EQ(c.sets, 128);
	/* 4 lines 8 KiB apart fill one 4-way set: the second pass hits all. */
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t i = 0; i < 4; i++)
			cache_access(&c, i * 8 * KiB);
	CHECK_EQ(c.stats.misses, 4);
	CHECK_EQ(c.stats.hits, 4);
	/* A fifth (ways + 1) evicts one of them: touching all five again,
	 * at least one misses, and at most one hit is lost per pass. */
	cache_access(&c, 4 * 8 * KiB);
	uint64_t m0 = c.stats.misses;
	for (uint32_t i = 0; i < 5; i++)
		cache_access(&c, i * 8 * KiB);
	CHECK(c.stats.misses > m0);
	/* Deterministic per seed: the same seed replays the same victims. */
	struct cache a, b;
	CHECK(cache_init(&a, &p->l1d, 9) == 0 && cache_init(&b, &p->l1d, 9) == 0);
	for (uint32_t i = 0; i < 4000; i++) {
		uint32_t pa = (i * 2654435761u) % (64 * 8 * KiB) & ~63u;
		CHECK(cache_access(&a, pa) == cache_access(&b, pa) || !"same seed, same sequence");
		if (check_failed)
			break;
	}
	cache_free(&a);
	cache_free(&b);
	cache_free(&c);
}

static void test_latencies(void)
{
	const struct cache_profile *p = cache_profile_find("cortex-a15");
	struct cpu_caches *cc = cpu_caches_create(p, 1);
	CHECK(cc != NULL);
	if (!cc)
		return;
	/* First read: memory; second: L1.  Two more lines in its L1 set
	 * (16 KiB apart, 2-way LRU) evict it from L1 but not from L2 (1 MiB,
	 * 16-way): the fourth read of it costs an L2 hit. */
	CHECK_EQ(cpu_cache_read(cc, 0x200000, true), p->mem_latency);
	CHECK_EQ(cpu_cache_read(cc, 0x200000, true), p->l1d.latency);
	cpu_cache_read(cc, 0x200000 + 16 * KiB, true);
	cpu_cache_read(cc, 0x200000 + 32 * KiB, true);
	CHECK_EQ(cpu_cache_read(cc, 0x200000, true), p->l2.latency);
	/* A read that bypasses L1 goes to the L2 only. */
	uint64_t l1 = cc->l1d.stats.hits + cc->l1d.stats.misses;
	CHECK_EQ(cpu_cache_read(cc, 0x200000 + 16 * KiB, false), p->l2.latency);
	CHECK_EQ(cc->l1d.stats.hits + cc->l1d.stats.misses, l1);
	cpu_caches_free(cc);
}

/* A machine with its kernel page tables and the core's caches. */
static int setup(struct mm *mm, const char *core, uint8_t *host, uint32_t ram)
{
	char err[200];
	memset(mm, 0, sizeof(*mm));
	if (layout_init(&mm->layout, SPLIT_3G_1G, ram, err, sizeof(err)))
		return -1;
	mm->mem = (struct phys_mem){ .host = host, .base = mm->layout.phys_offset, .size = ram };
	mm->core = core_profile_find(core);
	struct boot_mem *b = &mm->boot;
	b->memblock_start = b->memblock_next = 0x280000;
	b->memblock_end = mm->layout.phys_offset + mm->layout.lowmem_size;
	if (paging_init(mm))
		return -1;
	mm->tlb = tlb_create(mm->core, 7);
	mm->caches = cpu_caches_create(cache_profile_find(core), 7);
	return mm->tlb && mm->caches ? 0 : -1;
}

/* Two neighbouring pkmap pages: their L2 descriptors are 4 bytes apart,
 * in one cache line, under one L1 descriptor.  The first access walks
 * (both descriptor reads miss everywhere) and reads its data; the second
 * misses the TLB and walks again: on a core whose walker reads through L1D
 * both descriptor reads hit L1 (cortex-a7); on the ARM1176 (walks bypass
 * L1, DDI 0211 6.11, and no L2 modelled) both go to memory again. */
static void test_walk(const char *core, bool walk_l1)
{
	const uint32_t ram = 64u << 20;
	uint8_t *host = mmap(NULL, ram, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static struct mm mm;
	if (host == MAP_FAILED || setup(&mm, core, host, ram)) {
		CHECK(!"machine set-up");
		return;
	}
	const struct cache_profile *p = mm.caches->p;
	const struct core_costs *c = &mm.core->cost;
	uint32_t base = mm.layout.phys_offset + 0x1000000u;
	for (uint32_t i = 0; i < 2; i++)
		phys_write32(&mm.mem, mm.pkmap_page_table + 4 * i,
			     mmu_l2_small(base + i * 0x3000u, MMU_AP_PRIV_RW, true, false));
	uint32_t va = mm.layout.pkmap_base;
	unsigned walk = c->micro_miss + c->walk_start;
	unsigned data_miss = p->mem_latency - p->l1d.latency; /* beyond the L1 hit */

	uint64_t cyc = mm.stats.cycles;
	CHECK_EQ(mm_access(&mm, va, MMU_READ, 1), MMU_OK);
	CHECK_EQ(mm.stats.cycles - cyc, walk + 2 * p->mem_latency + data_miss);
	CHECK_EQ(mm.caches->l1d.stats.hits, 0);
	CHECK_EQ(mm.caches->l1d.stats.misses, walk_l1 ? 3 : 1);

	cyc = mm.stats.cycles;
	CHECK_EQ(mm_access(&mm, va + 4096, MMU_READ, 1), MMU_OK);
	unsigned desc = walk_l1 ? p->l1d.latency : p->mem_latency;
	CHECK_EQ(mm.stats.cycles - cyc, walk + 2 * desc + data_miss);
	CHECK_EQ(mm.caches->l1d.stats.hits, walk_l1 ? 2 : 0);
	CHECK_EQ(mm.caches->l1d.stats.misses, walk_l1 ? 4 : 2);

	/* The same word again: a micro-TLB hit (fast path) and an L1 hit,
	 * nothing charged beyond the instruction. */
	cyc = mm.stats.cycles;
	CHECK_EQ(mm_access(&mm, va + 4096, MMU_READ, 1), MMU_OK);
	CHECK_EQ(mm.stats.cycles - cyc, 0);
	CHECK_EQ(mm.caches->l1d.stats.hits, walk_l1 ? 3 : 1);

	cpu_caches_free(mm.caches);
	tlb_destroy(mm.tlb);
	munmap(host, ram);
}

/* Instruction fetches through L1I then L2 (A15: 2-way LRU, 16 KiB apart
 * share a set).  A: memory; A again: 0 beyond the pipeline; B (same set):
 * memory; A: hit, now most recent; C (same set): memory, evicts B (least
 * recent); A: hit; B: L1I miss, but the L2 still has it. */
static void test_l1i_sequence(void)
{
	const struct cache_profile *p = cache_profile_find("cortex-a15");
	struct cpu_caches *cc = cpu_caches_create(p, 1);
	if (!cc) {
		CHECK(!"cpu_caches_create");
		return;
	}
	const uint32_t a = 0x300000, b = a + 16 * KiB, c = a + 32 * KiB;
	CHECK_EQ(cpu_cache_fetch(cc, a), p->mem_latency);
	CHECK_EQ(cpu_cache_fetch(cc, a + 60), 0);       /* same 64 B line */
	CHECK_EQ(cpu_cache_fetch(cc, b), p->mem_latency);
	CHECK_EQ(cpu_cache_fetch(cc, a), 0);
	CHECK_EQ(cpu_cache_fetch(cc, c), p->mem_latency);
	CHECK_EQ(cpu_cache_fetch(cc, a), 0);
	CHECK_EQ(cpu_cache_fetch(cc, b), p->l2.latency);
	CHECK_EQ(cc->l1i.stats.hits, 3);
	CHECK_EQ(cc->l1i.stats.misses, 4);
	/* Fetches never touch L1D. */
	CHECK_EQ(cc->l1d.stats.hits + cc->l1d.stats.misses, 0);
	cpu_caches_free(cc);
}

static void test_walk(const char *core, bool walk_l1);
static int setup(struct mm *mm, const char *core, uint8_t *host, uint32_t ram);

/* A block's fetches (mm_cache_fetch after the fetch look-up): 100 bytes
 * from byte 60 of a line span bytes 60 .. 159: lines 0, 1, 2 of 64 B on the
 * A15 (3 look-ups), lines 1 .. 4 of 32 B on the A7 (4).  The first run
 * misses L1I every time; the L2 (64 B lines on both) spans bytes 0 .. 191
 * in 3 lines: 3 go to memory, the rest (the A7's second 32 B half of a
 * 64 B L2 line) hit the L2.  The second run hits L1I: 0 cycles. */
static void test_block_fetch(const char *core, unsigned lines)
{
	const unsigned l2_lines = 3;
	const uint32_t ram = 64u << 20;
	uint8_t *host = mmap(NULL, ram, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static struct mm mm;
	if (host == MAP_FAILED || setup(&mm, core, host, ram)) {
		CHECK(!"machine set-up");
		return;
	}
	const struct cache_profile *p = mm.caches->p;
	uint32_t va = mm.layout.page_offset + 0x500000u + 60; /* lowmem: a section */
	CHECK_EQ(mm_access(&mm, va, MMU_FETCH, 25), MMU_OK);
	uint64_t cyc = mm.stats.cycles;
	mm_cache_fetch(&mm, va, 100);
	CHECK_EQ(mm.stats.cycles - cyc, (uint64_t)l2_lines * p->mem_latency + (lines - l2_lines) * p->l2.latency);
	CHECK_EQ(mm.caches->l1i.stats.misses, lines);
	CHECK_EQ(mm.caches->l1i.stats.hits, 0);
	CHECK_EQ(mm_access(&mm, va, MMU_FETCH, 25), MMU_OK);
	cyc = mm.stats.cycles;
	mm_cache_fetch(&mm, va, 100);
	CHECK_EQ(mm.stats.cycles - cyc, 0);
	CHECK_EQ(mm.caches->l1i.stats.hits, lines);
	/* A third run hits again (on the A7 without a look-up per line: the
	 * block's memo, mm/cache.h cpu_fetch_memo). */
	CHECK_EQ(mm_access(&mm, va, MMU_FETCH, 25), MMU_OK);
	mm_cache_fetch(&mm, va, 100);
	CHECK_EQ(mm.caches->l1i.stats.hits, 2 * lines);
	/* ICIALLU empties the L1I (DDI 0406C B4.2.1): the next run misses
	 * every line again, and the L2 has them all. */
	uint32_t pa = mm.layout.phys_offset + 0x500000u + 60;
	cpu_cache_maint(mm.caches, CACHE_OP_ICIALLU, 0);
	CHECK_EQ(mm_access(&mm, va, MMU_FETCH, 25), MMU_OK);
	cyc = mm.stats.cycles;
	mm_cache_fetch(&mm, va, 100);
	CHECK_EQ(mm.stats.cycles - cyc, (uint64_t)lines * p->l2.latency);
	CHECK_EQ(mm.caches->l1i.stats.misses, 2 * lines);
	CHECK_EQ(mm.caches->l1i.stats.hits, 2 * lines);
	/* A run that hits them all (the A7 remembers the block again), then
	 * ICIMVAU of the block's first line: that one misses (the L2 has
	 * it), the others hit. */
	CHECK_EQ(mm_access(&mm, va, MMU_FETCH, 25), MMU_OK);
	mm_cache_fetch(&mm, va, 100);
	CHECK_EQ(mm.caches->l1i.stats.hits, 3 * lines);
	cpu_cache_maint(mm.caches, CACHE_OP_ICIMVAU, pa);
	CHECK_EQ(mm_access(&mm, va, MMU_FETCH, 25), MMU_OK);
	cyc = mm.stats.cycles;
	mm_cache_fetch(&mm, va, 100);
	CHECK_EQ(mm.stats.cycles - cyc, p->l2.latency);
	CHECK_EQ(mm.caches->l1i.stats.misses, 2 * lines + 1);
	CHECK_EQ(mm.caches->l1i.stats.hits, 4 * lines - 1);
	/* The look-ups used the section's PA: the L2 holds those lines. */
	CHECK(cache_access(mm.caches->l2, pa));
	cpu_caches_free(mm.caches);
	tlb_destroy(mm.tlb);
	munmap(host, ram);
}

/* The A15's walk cache (DDI 0438 5.1) on two neighbouring pkmap pages:
 * one L1 descriptor, two L2 descriptors 4 bytes apart.  First walk: the
 * walk cache misses, both descriptors come from memory.  Second walk (the
 * next page): the walk cache has the L1 descriptor, so only the L2
 * descriptor is read, and it hits L1D (same line as the first).  Then 16
 * other L1 descriptors push it out (16 entries, LRU). */
static void test_walk_cache(void)
{
	const uint32_t ram = 64u << 20;
	uint8_t *host = mmap(NULL, ram, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static struct mm mm;
	if (host == MAP_FAILED || setup(&mm, "cortex-a15", host, ram)) {
		CHECK(!"machine set-up");
		return;
	}
	const struct cache_profile *p = mm.caches->p;
	const struct core_costs *c = &mm.core->cost;
	uint32_t base = mm.layout.phys_offset + 0x1000000u;
	for (uint32_t i = 0; i < 2; i++)
		phys_write32(&mm.mem, mm.pkmap_page_table + 4 * i,
			     mmu_l2_small(base + i * 0x3000u, MMU_AP_PRIV_RW, true, false));
	uint32_t va = mm.layout.pkmap_base;
	unsigned walk = c->micro_miss + c->walk_start;
	unsigned data_miss = p->mem_latency - p->l1d.latency;

	uint64_t cyc = mm.stats.cycles;
	CHECK_EQ(mm_access(&mm, va, MMU_READ, 1), MMU_OK);
	CHECK_EQ(mm.stats.cycles - cyc, walk + 2 * p->mem_latency + data_miss);
	CHECK_EQ(mm.caches->walk.stats.misses, 1);
	CHECK_EQ(mm.caches->walk.stats.hits, 0);

	cyc = mm.stats.cycles;
	CHECK_EQ(mm_access(&mm, va + 4096, MMU_READ, 1), MMU_OK);
	CHECK_EQ(mm.stats.cycles - cyc, walk + p->l1d.latency + data_miss);
	CHECK_EQ(mm.caches->walk.stats.hits, 1);

	const uint32_t MiB = 1u << 20;
	for (uint32_t i = 1; i <= 16; i++)
		CHECK(!cpu_walk_cache_hit(mm.caches, va + i * MiB, 0));
	CHECK(!cpu_walk_cache_hit(mm.caches, va, 0));           /* evicted */
	CHECK(cpu_walk_cache_hit(mm.caches, va + 16 * MiB, 0)); /* the newest stays */
	/* Entries are per ASID (DDI 0438G 5.6): another ASID misses. */
	CHECK(!cpu_walk_cache_hit(mm.caches, va + 16 * MiB, 5));
	cpu_caches_free(mm.caches);
	tlb_destroy(mm.tlb);
	munmap(host, ram);
}

/* TLB maintenance empties the A15's walk cache as the architecture
 * requires (TLBIMVA, TLBIMVAA: cached entries from any level of the walk;
 * DDI 0438G 5.6: entries per ASID).  Three pkmap pages under one L1
 * descriptor, ASID 0, global kernel PTEs.  Hand-worked, walk cache
 * (hits, misses) after each step:
 *   read page 0: walk, L1 descriptor not cached            (0, 1)
 *   read page 1: walk, L1 descriptor cached                 (1, 1)
 *   TLBIMVA page 1 (ASID 0), read page 1: walk, miss        (1, 2)
 *     its descriptors are in L1D: walk + 2 L1D hits, data an L1D hit
 *   TLBIMVA page 0 with ASID 5: the global TLB entry goes, the
 *     ASID-0 walk entry stays; read page 0: walk, hit        (2, 2)
 *   TLBIMVAA page 0, read page 0: walk, miss                (2, 3)
 *   TLBIASID 0 (global TLB entries stay), read page 2:
 *     walk, miss                                            (2, 4)
 *   TLBIALL, read page 1: walk, miss                        (2, 5)
 *   read page 2 (TLB emptied too): walk, hit                (3, 5) */
static void test_walk_cache_tlbi(void)
{
	const uint32_t ram = 64u << 20;
	uint8_t *host = mmap(NULL, ram, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static struct mm mm;
	if (host == MAP_FAILED || setup(&mm, "cortex-a15", host, ram)) {
		CHECK(!"machine set-up");
		return;
	}
	tlb_set_walk_cache(mm.tlb, &mm.caches->walk);
	const struct cache_profile *p = mm.caches->p;
	const struct core_costs *c = &mm.core->cost;
	uint32_t base = mm.layout.phys_offset + 0x1000000u;
	for (uint32_t i = 0; i < 3; i++)
		phys_write32(&mm.mem, mm.pkmap_page_table + 4 * i,
			     mmu_l2_small(base + i * 0x3000u, MMU_AP_PRIV_RW, true, false));
	const uint32_t va = mm.layout.pkmap_base, pg[3] = { va, va + 4096, va + 8192 };
	const struct cache_stats *w = &mm.caches->walk.stats;
	CHECK_EQ(mm_access(&mm, pg[0], MMU_READ, 1), MMU_OK);
	CHECK(w->hits == 0 && w->misses == 1);
	CHECK_EQ(mm_access(&mm, pg[1], MMU_READ, 1), MMU_OK);
	CHECK(w->hits == 1 && w->misses == 1);

	tlb_invalidate_mva(mm.tlb, TLB_SCOPE_ALL, pg[1], 0);
	uint64_t cyc = mm.stats.cycles;
	CHECK_EQ(mm_access(&mm, pg[1], MMU_READ, 1), MMU_OK);
	CHECK(w->hits == 1 && w->misses == 2);
	CHECK_EQ(mm.stats.cycles - cyc, c->micro_miss + c->walk_start + 2 * p->l1d.latency);

	tlb_invalidate_mva(mm.tlb, TLB_SCOPE_ALL, pg[0], 5);
	CHECK_EQ(mm_access(&mm, pg[0], MMU_READ, 1), MMU_OK);
	CHECK(w->hits == 2 && w->misses == 2);

	tlb_invalidate_mva_all_asid(mm.tlb, TLB_SCOPE_ALL, pg[0]);
	CHECK_EQ(mm_access(&mm, pg[0], MMU_READ, 1), MMU_OK);
	CHECK(w->hits == 2 && w->misses == 3);

	tlb_invalidate_asid(mm.tlb, TLB_SCOPE_ALL, 0);
	CHECK_EQ(mm_access(&mm, pg[2], MMU_READ, 1), MMU_OK);
	CHECK(w->hits == 2 && w->misses == 4);

	tlb_invalidate_all(mm.tlb, TLB_SCOPE_ALL);
	CHECK_EQ(mm_access(&mm, pg[1], MMU_READ, 1), MMU_OK);
	CHECK(w->hits == 2 && w->misses == 5);
	CHECK_EQ(mm_access(&mm, pg[2], MMU_READ, 1), MMU_OK);
	CHECK(w->hits == 3 && w->misses == 5);
	cpu_caches_free(mm.caches);
	tlb_destroy(mm.tlb);
	munmap(host, ram);
}

/* Write-back with a small LRU hierarchy of our own, so every victim is
 * known: L1D 1 KiB 2-way 64 B (8 sets: lines 512 B apart share a set), L2
 * 4 KiB 2-way 64 B (32 sets: 2 KiB apart share a set); latencies L1 2, L2
 * 10, memory 100; a line written back costs 5 into the L2, 50 into memory.
 * A = 0, B = 2 KiB, C = 4 KiB, D = 6 KiB: one L1 set and one L2 set.
 *   write A: misses both, from memory (100); L1 A dirty, L2 A clean
 *   write B: the same (100); L1 {A, B} dirty
 *   read C: L1 full, LRU victim A is dirty: written into the L2 (its line
 *     is there: marked dirty, 5); C misses the L2, whose LRU is B (A was
 *     just written), clean: dropped.  100 + 5
 *   read D: L1 victim B (dirty) goes to the L2, which no longer has it:
 *     its LRU victim is A, dirty: to memory (5 + 50); D then misses the
 *     L2, victim C (older than B), clean.  100 + 5 + 50
 * Write-backs: L1D 2 (A, B), L2 1 (A). */
static void test_writeback_lru(void)
{
	static const struct cache_profile p = {
		.core = "test", .soc = "test",
		.l1d = { 1024, 64, 2, CACHE_REPL_LRU, 2 },
		.l2 = { 4096, 64, 2, CACHE_REPL_LRU, 10 },
		.mem_latency = 100, .walk_l1 = true, .wb_l2 = 5, .wb_mem = 50,
	};
	struct cpu_caches *cc = cpu_caches_create(&p, 1);
	if (!cc) {
		CHECK(!"cpu_caches_create");
		return;
	}
	const uint32_t A = 0, B = 2 * KiB, C = 4 * KiB, D = 6 * KiB;
	CHECK_EQ(cpu_cache_write(cc, A, true), 100);
	CHECK_EQ(cpu_cache_write(cc, B, true), 100);
	CHECK_EQ(cpu_cache_read(cc, C, true), 100 + 5);
	CHECK_EQ(cpu_cache_read(cc, D, true), 100 + 5 + 50);
	CHECK_EQ(cc->l1d.stats.writebacks, 2);
	CHECK_EQ(cc->l2->stats.writebacks, 1);
	/* The write-backs are not look-ups of the program's: 4 L2 misses. */
	CHECK_EQ(cc->l2->stats.misses, 4);
	CHECK_EQ(cc->l2->stats.hits, 0);
	/* L1 now {C, D} clean: reading them again costs the L1 hit only. */
	CHECK_EQ(cpu_cache_read(cc, C, true), 2);
	CHECK_EQ(cpu_cache_read(cc, D, true), 2);
	cpu_caches_free(cc);
}

/* The maintenance operations on the Cortex-A15 (L1D 32 KiB 2-way LRU,
 * 64 B: 256 sets, 16 KiB apart share one; integrated L2, so operations to
 * the point of coherency reach it).  Costs are the profile's latencies and
 * write-back figures. */
static void test_maint_a15(void)
{
	const struct cache_profile *p = cache_profile_find("cortex-a15");
	struct cpu_caches *cc = cpu_caches_create(p, 1);
	if (!cc) {
		CHECK(!"cpu_caches_create");
		return;
	}
	const uint32_t A = 0x200000, B = A + 16 * KiB;
	CHECK_EQ(cpu_cache_write(cc, A, true), p->mem_latency); /* way 0 */
	CHECK_EQ(cpu_cache_write(cc, B, true), p->mem_latency); /* way 1 */
	/* DCCMVAC B: the dirty L1 line goes to the L2 (which holds it: now
	 * dirty), then the L2's line to memory. */
	CHECK_EQ(cpu_cache_maint(cc, CACHE_OP_DCCMVAC, B), p->wb_l2 + p->wb_mem);
	CHECK_EQ(cc->l1d.stats.writebacks, 1);
	CHECK_EQ(cc->l2->stats.writebacks, 1);
	CHECK_EQ(cpu_cache_maint(cc, CACHE_OP_DCCMVAC, B), 0); /* clean now */
	CHECK_EQ(cpu_cache_read(cc, B, true), p->l1d.latency);  /* still valid */
	/* DCCMVAU A: to the point of unification, the L2: one write-back, the
	 * L2's copy stays dirty; a second DCCMVAU has nothing to do. */
	CHECK_EQ(cpu_cache_maint(cc, CACHE_OP_DCCMVAU, A), p->wb_l2);
	CHECK_EQ(cpu_cache_maint(cc, CACHE_OP_DCCMVAU, A), 0);
	CHECK_EQ(cc->l2->stats.writebacks, 1);
	/* ...but a clean to the point of coherency still writes the L2's. */
	CHECK_EQ(cpu_cache_maint(cc, CACHE_OP_DCCMVAC, A), p->wb_mem);
	/* DCIMVAC on a dirty line: dropped, no write-back; both levels lose
	 * it, so the next read goes to memory. */
	CHECK_EQ(cpu_cache_write(cc, B, true), p->l1d.latency);
	CHECK_EQ(cpu_cache_maint(cc, CACHE_OP_DCIMVAC, B), 0);
	CHECK_EQ(cc->l1d.stats.writebacks, 2);
	CHECK_EQ(cpu_cache_read(cc, B, true), p->mem_latency);
	/* DCCIMVAC on a dirty line: written back through the L2 to memory,
	 * then gone from both. */
	CHECK_EQ(cpu_cache_write(cc, A, true), p->l1d.latency);
	CHECK_EQ(cpu_cache_maint(cc, CACHE_OP_DCCIMVAC, A), p->wb_l2 + p->wb_mem);
	CHECK_EQ(cpu_cache_read(cc, A, true), p->mem_latency);
	/* By set/way (DDI 0406C B4.2.1): 2 ways, so the way is bit 31; the
	 * set is PA[13:6]; level 0 (bits [3:1]) is the L1D.  Set S holds A in
	 * way 0 and B in way 1: each invalidate above freed its way, and a
	 * refill takes the lowest invalid way.  Dirty both, then clean way 1
	 * (B), clean+invalidate way 0 (A). */
	uint32_t set = (A >> 6) & 255;
	CHECK_EQ(cpu_cache_write(cc, A, true), p->l1d.latency);
	CHECK_EQ(cpu_cache_write(cc, B, true), p->l1d.latency);
	CHECK_EQ(cpu_cache_maint(cc, CACHE_OP_DCCSW, 1u << 31 | set << 6), p->wb_l2);
	CHECK_EQ(cpu_cache_maint(cc, CACHE_OP_DCCSW, 1u << 31 | set << 6), 0);
	CHECK_EQ(cpu_cache_maint(cc, CACHE_OP_DCCISW, 0u << 31 | set << 6), p->wb_l2);
	CHECK_EQ(cpu_cache_read(cc, B, true), p->l1d.latency); /* way 1 kept */
	CHECK_EQ(cpu_cache_read(cc, A, true), p->l2.latency);  /* from the L2, into way 0 */
	/* DCISW of way 0 drops A, dirty, without a write-back. */
	CHECK_EQ(cpu_cache_write(cc, A, true), p->l1d.latency);
	CHECK_EQ(cpu_cache_maint(cc, CACHE_OP_DCISW, 0u << 31 | set << 6), 0);
	CHECK_EQ(cpu_cache_read(cc, A, true), p->l2.latency);
	/* I side: ICIALLU empties L1I, ICIMVAU one line. */
	const uint32_t I = 0x400000, J = I + 64;
	CHECK_EQ(cpu_cache_fetch(cc, I), p->mem_latency);
	CHECK_EQ(cpu_cache_fetch(cc, J), p->mem_latency);
	CHECK_EQ(cpu_cache_fetch(cc, I), 0);
	CHECK_EQ(cpu_cache_maint(cc, CACHE_OP_ICIMVAU, I), 0);
	CHECK_EQ(cpu_cache_fetch(cc, I), p->l2.latency);
	CHECK_EQ(cpu_cache_fetch(cc, J), 0);
	CHECK_EQ(cpu_cache_maint(cc, CACHE_OP_ICIALLU, 0), 0);
	CHECK_EQ(cpu_cache_fetch(cc, I), p->l2.latency);
	CHECK_EQ(cpu_cache_fetch(cc, J), p->l2.latency);
	cpu_caches_free(cc);
}

/* The Cortex-A9's L2 is an outer L2C-310: CP15 operations reach the L1
 * only.  A clean by MVA writes the L1 line into the L2 (wb_l2) and leaves
 * the L2's copy dirty (no L2 write-back); an invalidate leaves the L2's
 * copy, so the next read hits the L2; set/way level 1 (the L2) does
 * nothing. */
static void test_maint_outer_l2(void)
{
	const struct cache_profile *p = cache_profile_find("cortex-a9");
	struct cpu_caches *cc = cpu_caches_create(p, 1);
	if (!cc) {
		CHECK(!"cpu_caches_create");
		return;
	}
	const uint32_t A = 0x200000;
	CHECK_EQ(cpu_cache_write(cc, A, true), p->mem_latency);
	CHECK_EQ(cpu_cache_maint(cc, CACHE_OP_DCCIMVAC, A), p->wb_l2);
	CHECK_EQ(cc->l2->stats.writebacks, 0);
	CHECK_EQ(cpu_cache_read(cc, A, true), p->l2.latency);
	CHECK_EQ(cpu_cache_maint(cc, CACHE_OP_DCCISW, 1u << 1), 0);
	cpu_caches_free(cc);
}

/* The ARM1176 has no L2 here: a dirty line evicted from its L1D (16 KiB
 * 4-way 32 B, random; 128 sets, 4 KiB apart share one) is written to
 * memory.  Five dirty lines in one set: the fifth fill evicts one of the
 * four (all dirty), whichever the random victim is. */
static void test_writeback_no_l2(void)
{
	const struct cache_profile *p = cache_profile_find("arm1176");
	struct cpu_caches *cc = cpu_caches_create(p, 1);
	if (!cc) {
		CHECK(!"cpu_caches_create");
		return;
	}
	for (uint32_t i = 0; i < 4; i++)
		CHECK_EQ(cpu_cache_write(cc, i * 4 * KiB, true), p->mem_latency);
	CHECK_EQ(cpu_cache_write(cc, 4 * 4 * KiB, true), p->mem_latency + p->wb_mem);
	CHECK_EQ(cc->l1d.stats.writebacks, 1);
	cpu_caches_free(cc);
}

/* The kernel's PTE clean (set_pte_ext's "flush_pte" DCCMVAC, Linux v5.10):
 * always on ARMv6 (armv6_set_pte_ext, proc-macros.S), on ARMv7 only in a
 * UP kernel (cpu_v7_set_pte_ext: ALT_UP).  The PTE's line is read first
 * (in L1D, clean); the store then hits L1D and dirties it; the clean
 * writes it back: ARM1176 (no L2) to memory, A7 UP into its integrated L2
 * and, to the point of coherency, on to memory; A7 SMP: no clean, the
 * line stays dirty, no write-back. */
static void test_pte_clean(const char *core, bool smp, unsigned expect_wb)
{
	const uint32_t ram = 64u << 20;
	uint8_t *host = mmap(NULL, ram, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static struct mm mm;
	char err[200];
	struct kernel_profile kp;
	if (host == MAP_FAILED || setup(&mm, core, host, ram) || kernel_profile_default("5.10", &kp)) {
		CHECK(!"machine set-up");
		return;
	}
	kp.smp = smp;
	struct kmap_config cfg = { .kernel = &kp };
	struct kmap_state *ks = kmap_init(&mm, &cfg, err, sizeof(err));
	if (!ks) {
		CHECK(!"kmap_init");
		return;
	}
	const struct cache_profile *p = mm.caches->p;
	pte_read(ks, PTE_WINDOW_PKMAP, 5);
	uint64_t wb = mm.caches->l1d.stats.writebacks, cyc = mm.stats.cycles;
	set_pte_at(ks, PTE_WINDOW_PKMAP, 5, mmu_l2_small(mm.layout.phys_offset + 0x1000000u,
							   MMU_AP_PRIV_RW, true, false));
	unsigned clean = !expect_wb ? 0 : p->l2.size ? p->wb_l2 + p->wb_mem : p->wb_mem;
	CHECK_EQ(mm.caches->l1d.stats.writebacks - wb, expect_wb);
	CHECK_EQ(mm.stats.cycles - cyc, mm.core->cost.pte_write + clean);
	kmap_free(ks);
	cpu_caches_free(mm.caches);
	tlb_destroy(mm.tlb);
	munmap(host, ram);
}

/* A7, A9 and ARM1176: no walk cache in their TRMs; nothing counted. */
static void test_no_walk_cache(const char *core)
{
	struct cpu_caches *cc = cpu_caches_create(cache_profile_find(core), 1);
	if (!cc) {
		CHECK(!"cpu_caches_create");
		return;
	}
	CHECK(!cpu_walk_cache_hit(cc, 0xc0000000u, 0));
	CHECK(!cpu_walk_cache_hit(cc, 0xc0000000u, 0));
	CHECK_EQ(cc->walk.stats.hits + cc->walk.stats.misses, 0);
	cpu_caches_free(cc);
}

int main(void)
{
	test_lru_conflict();
	test_capacity();
	test_round_robin();
	test_random_conflict();
	test_latencies();
	test_walk("cortex-a7", true);
	test_walk("arm1176", false);
	test_l1i_sequence();
	test_block_fetch("cortex-a15", 3);
	test_block_fetch("cortex-a7", 4);
	test_walk_cache();
	test_walk_cache_tlbi();
	test_writeback_lru();
	test_maint_a15();
	test_maint_outer_l2();
	test_writeback_no_l2();
	test_pte_clean("arm1176", true, 1);
	test_pte_clean("cortex-a7", false, 1);
	test_pte_clean("cortex-a7", true, 0);
	test_no_walk_cache("cortex-a7");
	test_no_walk_cache("cortex-a9");
	test_no_walk_cache("arm1176");
	return check_done();
}
