/* SPDX-License-Identifier: MIT */
/* Calibration microbenchmarks, timed with the PMU cycle counter as on
 * hardware (kmaplab/pmu.h; docs/calibration.md):
 *
 *   chase   a pointer chase at page stride over a working set of N pages,
 *           N = 1 .. 511: the latency per load steps up where N passes the
 *           micro TLB's entries and again where it passes the main TLB's.
 *           The pages are 511 highmem pages kmapped at PKMAP_ADDR(1 .. 511)
 *           (a fresh pkmap hands them out in order, map_new_virtual in
 *           mm/highmem.c): each is its own 4 KiB PTE.  Page i holds at
 *           offset 0 the address of page i + 1 (the last of the N points
 *           back to the first), so each load's address is the previous
 *           load's value and nothing else touches memory in the loop.
 *   lines   a pointer chase at cache-line stride over working sets of
 *           1 KiB .. MAXKIB KiB (powers of two; default 16384 = 16 MiB, the
 *           most newlib's heap holds: kmaplab gives it at most 32 MiB) in
 *           one lowmem buffer: line i holds the address of
 *           line i + 1 (the last points back to the first).  Run with
 *           --model cache, the latency per load steps up where the set
 *           passes the L1 data cache and again where it passes the L2.
 *           STRIDE is the core's line size (default 64).
 *   random  what 7-cpu's latency test does (docs/calibration.md): loads at
 *           random lines of a working set of 1 KiB .. MAXKIB KiB mapped with
 *           4 KiB pages, so the TLBs miss as in a user process: the set is
 *           USER_VA.. in swapper_pg_dir's user half (TTBCR.N = 0: TTBR0
 *           walks it), coarse tables built here, each page a highmem page.  The
 *           chase runs through every SLOT-byte slot of the set (default 16,
 *           several per line) in a scattered order (measure_random), so every
 *           load's address is the previous load's value and lines come back
 *           at random intervals.
 *   membench  tinymembench's latency test (ssvb/tinymembench main.c,
 *           latency_bench; docs/calibration.md): reads of single bytes at
 *           pseudo-random offsets of a block of 1 KiB .. MAXKIB KiB of that
 *           same 4 KiB mapping, each read's offset computed from the value
 *           the read before returned, so they never overlap.  The figure it
 *           reports is the time per read minus the time per read of the same
 *           loop over a 2-byte block (always an L1 hit): the extra latency
 *           over an L1 hit.  This guest prints the 2-byte block as a point of
 *           its own; kmaplab-calibrate subtracts.  Options after MAXKIB
 *           (membench_opts): seed=S scatters the mapping's physical pages
 *           (map_user), offsets=N reports the best of N random block
 *           offsets as tinymembench does, run=R, warm=W.
 *   pfns    the PFNs of a MAXKIB mapping, as membench's options deal them.
 *   pages   the page-stride chase of "chase" over 1 .. MAXPAGES (up to
 *           1024) pages of that 4 KiB mapping: beyond the pkmap window's 511
 *           pages, to reach the Cortex-A15's 512-entry main TLB.
 *   flush   flush_tlb_kernel_range() over n = 1 .. 512 pages and
 *           local_flush_tlb_kernel_page(), called REPS times each: cycles
 *           per call, the kernel's sequence plus the call.
 *
 * Output, one line per point (the tool kmaplab-calibrate reads these):
 *   chase PAGES LOADS CYCLES       (CYCLES / LOADS per load)
 *   lines BYTES LOADS CYCLES       (CYCLES / LOADS per load)
 *   random BYTES LOADS CYCLES      (CYCLES / LOADS per load)
 *   pages PAGES LOADS CYCLES       (CYCLES / LOADS per load)
 *   membench BYTES READS CYCLES    (BYTES = 2 first: the reference block)
 *   pfn INDEX PFN                  (calib_tlb pfns)
 *   flush range PAGES CALLS CYCLES (CYCLES / CALLS per call)
 *   flush page 1 CALLS CYCLES
 * The guest divides nothing: the Cortex-A9 has no UDIV, and one ELF (built
 * for the A7) serves the A7, A9 and A15.
 *
 * usage: calib_tlb [chase|flush|all]
 *        calib_tlb lines [MAXKIB [STRIDE]]   (not part of all)
 *        calib_tlb random [MAXKIB [SLOT]]    (not part of all)
 *        calib_tlb pages [MAXPAGES]          (not part of all)
 *        calib_tlb membench [MAXKIB [seed=S] [run=R] [offsets=N] [warm=W]]
 *        calib_tlb pfns [MAXKIB [seed=S] [run=R]]   (neither part of all) */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define MAX_PAGES 511u
#define REPS 16u

static uint32_t base;

static uint32_t page_va(uint32_t i)
{
	return base + (i << PAGE_SHIFT);
}

/* Links pages 0 .. n-1 into one cycle. */
static void link_pages(uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		*(volatile uint32_t *)(uintptr_t)page_va(i) = page_va(i + 1 == n ? 0 : i + 1);
}

static uint32_t chase(uint32_t p, uint32_t steps)
{
	while (steps--)
		p = *(volatile uint32_t *)(uintptr_t)p;
	return p;
}

static void measure_chase(uint32_t n)
{
	link_pages(n);
	uint32_t steps = n * 8 > 4096 ? n * 8 : 4096;
	uint32_t p = chase(page_va(0), 2 * n); /* warm: every page touched */
	uint32_t t0 = read_ccnt();
	p = chase(p, steps);
	uint32_t t1 = read_ccnt();
	CHECK(p >= base && p < page_va(n), "chase left the pages: 0x%08lx", (unsigned long)p);
	printf("chase %lu %lu %lu\n", (unsigned long)n, (unsigned long)steps, (unsigned long)(t1 - t0));
}

/* The cache-line-stride sweep: one buffer, each working set linked anew. */
static void measure_lines(uint32_t max_kib, uint32_t stride)
{
	uint32_t max = max_kib * 1024u;
	uint8_t *raw = malloc(max + 4096);
	CHECK(raw != NULL, "malloc %lu KiB for the line chase", (unsigned long)max_kib);
	uint32_t buf = ((uint32_t)(uintptr_t)raw + 4095u) & ~4095u;
	unsigned shift = 0; /* no UDIV on the Cortex-A9: bytes / stride as a shift */
	while ((1u << shift) < stride)
		shift++;
	for (uint32_t bytes = 1024; bytes && bytes <= max; bytes *= 2) {
		uint32_t n = bytes >> shift;
		for (uint32_t i = 0; i < n; i++)
			*(volatile uint32_t *)(uintptr_t)(buf + i * stride) = buf + (i + 1 == n ? 0 : i + 1) * stride;
		uint32_t steps = n * 2 > 4096 ? n * 2 : 4096;
		uint32_t p = chase(buf, 2 * n); /* warm: every line touched twice */
		uint32_t t0 = read_ccnt();
		p = chase(p, steps);
		uint32_t t1 = read_ccnt();
		CHECK(p >= buf && p < buf + bytes, "chase left the buffer: 0x%08lx", (unsigned long)p);
		printf("lines %lu %lu %lu\n", (unsigned long)bytes, (unsigned long)steps, (unsigned long)(t1 - t0));
	}
	free(raw);
}

/* The 4 KiB-page mapping of "random", "pages" and "membench": USER_VA ..
 * + bytes in swapper_pg_dir's user half, each page a highmem page (as a
 * user process's pages; the newlib heap, 32 MiB, could not hold 64 MiB).
 * Descriptors as arch/arm/mm/proc-v7-2level.S leaves a kernel RW page
 * (ARMv7 short format, B3.5.1): L1 coarse = table PA | 1 (domain 0);
 * small page = PA | TEX[0] | AP[0] (kernel RW) | C | B | 2, executable.
 *
 * Which physical pages back it (user_pfns): with seed 0, the pages in the
 * order alloc_page() hands them out, consecutive highmem PFNs on a fresh
 * machine.  With a seed ("membench ... seed=S"), scattered pages: a pool
 * of USER_MAX worth of pages is taken and dealt out in runs of `run`
 * pages in a seeded random order (Fisher-Yates over the runs), so the
 * mapping's pages lie anywhere in 64 MiB of PFNs and a block's pages fall
 * on the physically indexed L2's page colours at random: some L2 sets get
 * more of a block's lines than they have ways.  Why a user process's
 * pages are scattered on a running Linux system (docs/calibration.md,
 * "Scattered physical pages"): v5.10's mm/page_alloc.c serves an order-0
 * allocation from the head of a per-CPU list and puts freed order-0
 * pages back at its head, so a fault gets whatever was freed last;
 * tinymembench picks a random block offset per repetition for this reason
 * (main.c, latency_bench: "different physical memory fragmentation (for
 * PIPT caches)").  The pool's unused pages stay allocated, as pages held
 * elsewhere. */
#define USER_VA 0x10000000u
#define USER_MAX (64u << 20)
#define USER_POOL (USER_MAX >> PAGE_SHIFT)

static volatile uint32_t *user_ptes; /* the mapping's PTEs, for "pfns" */

/* xorshift32 (Marsaglia, "Xorshift RNGs", 2003): the deal's and the block
 * offsets' random numbers; *s must not be 0. */
static uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* A number below n from a 32-bit draw, by multiplying: the Cortex-A9 has
 * no UDIV. */
static uint32_t below(uint32_t *s, uint32_t n)
{
	return (uint32_t)(((uint64_t)xorshift32(s) * n) >> 32);
}

/* The PFNs of the mapping's pages, into pfn[] (pages entries with seed 0,
 * USER_POOL with a seed: the whole pool, dealt). */
static void user_pfns(uint32_t *pfn, uint32_t pages, uint32_t seed, uint32_t run)
{
	uint32_t n = seed ? USER_POOL : pages, runs = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct page *pg = alloc_page(GFP_HIGHUSER);
		CHECK(pg != NULL, "highmem page %lu of %lu for the 4 KiB mapping", (unsigned long)i,
		      (unsigned long)n);
		pfn[i] = (uint32_t)page_to_pfn(pg);
	}
	if (!seed)
		return;
	for (uint32_t left = n; left >= run; left -= run) /* n / run without UDIV */
		runs++;
	for (uint32_t i = runs - 1; i > 0; i--) {
		uint32_t j = below(&seed, i + 1);
		for (uint32_t k = 0; k < run; k++) {
			uint32_t t = pfn[i * run + k];
			pfn[i * run + k] = pfn[j * run + k];
			pfn[j * run + k] = t;
		}
	}
}

static uint32_t map_user(uint32_t bytes, uint32_t seed, uint32_t run)
{
	uint32_t pages = bytes >> PAGE_SHIFT, mib = (bytes + (1u << 20) - 1) >> 20;
	uint32_t *tables = memalign(1024, mib * 1024);
	CHECK(tables != NULL, "malloc %lu KiB of page tables", (unsigned long)mib);
	uint32_t *pfn = seed ? malloc(USER_POOL * sizeof(uint32_t)) : tables; /* in place if in order */
	CHECK(pfn != NULL, "malloc the page pool's PFNs");
	volatile uint32_t *pgd = (volatile uint32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_SWAPPER_PG_DIR);
	memset(tables, 0, mib * 1024);
	user_pfns(pfn, pages, seed, run);
	for (uint32_t i = 0; i < pages; i++)
		tables[i] = (pfn[i] << PAGE_SHIFT) | 0x40 | 0x10 | 0x8 | 0x4 | 0x2;
	if (seed)
		free(pfn);
	for (uint32_t m = 0; m < mib; m++) {
		CHECK(pgd[(USER_VA >> 20) + m] == 0, "VA 0x%08lx is mapped already",
		      (unsigned long)(USER_VA + (m << 20)));
		pgd[(USER_VA >> 20) + m] = virt_to_phys(&tables[m * 256]) | 0x1;
	}
	flush_tlb_all();
	user_ptes = tables;
	return USER_VA;
}

/* A bijection of 0 .. 2^bits - 1 that scatters neighbours: multiplications
 * by odd constants and xor-shifts, each invertible modulo 2^bits. */
static uint32_t scatter(uint32_t x, unsigned bits)
{
	uint32_t mask = bits >= 32 ? ~0u : (1u << bits) - 1;
	unsigned sh = bits > 1 ? (bits + 1) / 2 : 1;
	for (int r = 0; r < 3; r++) {
		x = (x * 0x9e3779b1u) & mask;
		x ^= x >> sh;
		x = (x * 0x85ebca6bu + 0x165667b1u) & mask;
	}
	return x;
}

/* Runs the random chase over its n slots until the caches hold what they
 * will hold for good: a set the size of a cache first has to push out, by
 * random replacement, the lines the guest touched before (the links just
 * written, mem_map, page tables), which takes several cycles.  The chase
 * cycles until one cycle costs within 1/256 of the one before (at most
 * 64 cycles), as a measurement repeated until it is stable; sets beyond
 * 2 MiB (16-byte slots) run 2^19 loads, most of them misses anyway.
 * Returns where the chase stands. */
static uint32_t warm_random(uint32_t p, uint32_t n)
{
	if (n > (1u << 17))
		return chase(p, 1u << 19);
	uint32_t prev = 0;
	for (unsigned c = 0; c < 64; c++) {
		uint32_t t0 = read_ccnt();
		p = chase(p, n);
		uint32_t t = read_ccnt() - t0;
		uint32_t d = t > prev ? t - prev : prev - t;
		if (c && d <= (t >> 8))
			break;
		prev = t;
	}
	return p;
}

/* The random chase over 1 KiB .. max_kib KiB of the 4 KiB mapping: the set
 * is cut into SLOT-byte slots (several per cache line) and the chase runs
 * through every slot once per cycle, in the order scatter() gives: slot
 * scatter(k) holds the address of slot scatter(k + 1).  So consecutive
 * loads go to unrelated lines and pages, and a line comes back after a
 * random number of loads (each of its slots sits at a random place in the
 * cycle), as in a test that picks lines at random; a cycle of one slot per
 * line would bring every line back only after all the others (on an LRU
 * cache twice as big as the set, every load would miss). */
static void measure_random(uint32_t max_kib, uint32_t slot)
{
	uint32_t max = max_kib * 1024u, va = map_user(max < 4096 ? 4096 : max, 0, 1);
	unsigned shift = 0;
	while ((1u << shift) < slot)
		shift++;
	for (uint32_t bytes = 1024; bytes && bytes <= max; bytes *= 2) {
		unsigned bits = 0;
		while ((1u << bits) < (bytes >> shift))
			bits++;
		uint32_t n = 1u << bits;
		for (uint32_t k = 0; k < n; k++)
			*(volatile uint32_t *)(uintptr_t)(va + (scatter(k, bits) << shift)) =
				va + (scatter((k + 1) & (n - 1), bits) << shift);
		uint32_t steps = n < 4096 ? 4096 : n > 65536 ? 65536 : n;
		uint32_t p = warm_random(va, n);
		uint32_t t0 = read_ccnt();
		p = chase(p, steps);
		uint32_t t1 = read_ccnt();
		CHECK(p >= va && p < va + bytes, "chase left the set: 0x%08lx", (unsigned long)p);
		printf("random %lu %lu %lu\n", (unsigned long)bytes, (unsigned long)steps, (unsigned long)(t1 - t0));
	}
}

/* tinymembench's random reads, in this guest's words: a linear
 * congruential generator (the ANSI C constants) gives each read's offset in
 * the block from its top bits, and the byte read is added into the state
 * before the next step, so a read cannot start before the one before it has
 * returned: one read in flight, tinymembench's "single random read".  The
 * block's bytes are never written here (fresh highmem pages; kmaplab's RAM
 * starts as zeroed anonymous memory, emu/machine.c; tinymembench zeroes its
 * buffer), so what is added is 0 and the offsets are the generator's alone.
 * The loads are volatile: none is left out.  Returns the state. */
static uint32_t membench_reads(uint32_t va, unsigned bits, uint32_t seed, uint32_t reads)
{
	unsigned shift = 32 - bits;
	while (reads--)
		seed = seed * 1103515245u + 12345u + *(volatile uint8_t *)(uintptr_t)(va + (seed >> shift));
	return seed;
}

/* Reads timed per block (tinymembench does 10^7 per block; 2^16 suffice in
 * a model with no timer noise).  Before them, the block is read at random
 * until the caches hold what they will hold for good: four reads per
 * 32-byte line of the block leave a line unread with odds e^-4 (random
 * reads with replacement), at least 4096, at most 2^18 (beyond 8 MiB the
 * L2 has been filled from the block several times over by then). */
#define MEMBENCH_READS (1u << 16)

static uint32_t membench_warm(uint32_t bytes)
{
	uint32_t n = bytes >> 3; /* 4 reads per 32 bytes */
	return n < 4096 ? 4096 : n > (1u << 18) ? 1u << 18 : n;
}

/* calib_tlb membench's and pfns' KEY=VALUE options after MAXKIB
 * (docs/calibration.md): seed=S (default 0: the mapping's pages in PFN
 * order; S != 0: scattered, dealt in a random order from S), run=R (pages
 * dealt together when scattered, default 1), offsets=N (tinymembench's
 * best of N repetitions, each at a random block-aligned offset in the
 * mapping; default 1: once, at its start), warm=W (reads before each
 * timing; default 0: membench_warm()'s rule). */
struct membench_opts {
	uint32_t seed, run, offsets, warm;
};

static void membench_point(uint32_t va, unsigned bits, uint32_t span, const struct membench_opts *o,
			   uint32_t *rng)
{
	/* The 2-byte reference is the best of two runs, as tinymembench takes
	 * the best of its repeated no-access runs (latency_bench): the first
	 * may fetch the loop's surrounding code from memory. */
	uint32_t bytes = 1u << bits, best = UINT32_MAX, reps = bits == 1 && o->offsets < 2 ? 2 : o->offsets;
	for (uint32_t r = 0; r < reps; r++) {
		uint32_t off = o->offsets > 1 && bits > 1 ? below(rng, span >> bits) << bits : 0;
		uint32_t seed = membench_reads(va + off, bits, 1, o->warm ? o->warm : membench_warm(bytes));
		uint32_t t0 = read_ccnt();
		membench_reads(va + off, bits, seed, MEMBENCH_READS); /* new offsets, not the warm-up's again */
		uint32_t t = read_ccnt() - t0;
		if (t < best)
			best = t;
	}
	printf("membench %lu %lu %lu\n", (unsigned long)bytes, (unsigned long)MEMBENCH_READS,
	       (unsigned long)best);
}

/* The 2-byte reference block first (tinymembench's "no access" time: the
 * same loop, every read an L1 hit), then 1 KiB .. max_kib KiB, each block
 * at the start of the mapping or, with offsets=N, the best of N random
 * block-aligned places in it, as tinymembench picks them in its buffer
 * (the reference block always at the start: every read an L1 hit). */
static void measure_membench(uint32_t max_kib, const struct membench_opts *o)
{
	uint32_t max = max_kib * 1024u, va = map_user(max < 4096 ? 4096 : max, o->seed, o->run);
	uint32_t rng = 0x2545f491u; /* the offsets' generator: any fixed non-zero start */
	membench_point(va, 1, max, o, &rng);
	for (unsigned bits = 10; (1u << bits) <= max; bits++)
		membench_point(va, bits, max, o, &rng);
}

/* calib_tlb pfns: the PFN each page of a KIB mapping holds, as its PTE
 * says (tests/guest/calib_scatter_test.py checks the deal). */
static void measure_pfns(uint32_t kib, const struct membench_opts *o)
{
	uint32_t bytes = kib * 1024u;
	map_user(bytes < 4096 ? 4096 : bytes, o->seed, o->run);
	for (uint32_t i = 0; i < (bytes >> PAGE_SHIFT); i++)
		printf("pfn %lu %lu\n", (unsigned long)i, (unsigned long)(user_ptes[i] >> PAGE_SHIFT));
}

/* `what` is "membench" or "pfns"; pfns only deals the pages, so it takes
 * seed= and run= alone (offsets= and warm= would change nothing there). */
static struct membench_opts membench_options(int argc, char **argv, const char *what)
{
	struct membench_opts o = { 0, 1, 1, 0 };
	static const char *const keys[] = { "seed=", "run=", "offsets=", "warm=" };
	uint32_t *vals[] = { &o.seed, &o.run, &o.offsets, &o.warm };
	size_t nkeys = strcmp(what, "pfns") ? 4 : 2;
	for (int a = 3; a < argc; a++) {
		size_t k = 0;
		while (k < nkeys && strncmp(argv[a], keys[k], strlen(keys[k])))
			k++;
		CHECK(k < nkeys, "%s: unknown option %s (%s)", what, argv[a],
		      nkeys == 2 ? "seed=, run=" : "seed=, run=, offsets=, warm=");
		const char *digits = argv[a] + strlen(keys[k]);
		char *end;
		errno = 0;
		unsigned long v = strtoul(digits, &end, 0);
		CHECK(end != digits && *end == '\0' && errno == 0, "%s: %s is not a number", what, argv[a]);
		*vals[k] = (uint32_t)v;
	}
	CHECK(o.run >= 1 && o.run <= USER_POOL && o.offsets >= 1, "%s: bad run=%lu or offsets=%lu", what,
	      (unsigned long)o.run, (unsigned long)o.offsets);
	return o;
}

/* The page-stride chase over the 4 KiB mapping: 1 .. max_pages pages. */
static void measure_pages(uint32_t max_pages)
{
	static const uint16_t sizes[] = {
		1, 8, 10, 11, 16, 32, 33, 64, 128, 129, 256, 257, 384, 448, 496, 510, 511, 512, 513, 514,
		520, 544, 576, 640, 768, 896, 1024,
	};
	uint32_t va = map_user(max_pages << PAGE_SHIFT, 0, 1);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]) && sizes[k] <= max_pages; k++) {
		uint32_t n = sizes[k];
		for (uint32_t i = 0; i < n; i++)
			*(volatile uint32_t *)(uintptr_t)(va + (i << PAGE_SHIFT)) =
				va + ((i + 1 == n ? 0 : i + 1) << PAGE_SHIFT);
		uint32_t steps = n * 8 > 4096 ? n * 8 : 4096;
		uint32_t p = chase(va, 2 * n);
		uint32_t t0 = read_ccnt();
		p = chase(p, steps);
		uint32_t t1 = read_ccnt();
		CHECK(p >= va && p < va + (n << PAGE_SHIFT), "chase left the pages: 0x%08lx", (unsigned long)p);
		printf("pages %lu %lu %lu\n", (unsigned long)n, (unsigned long)steps, (unsigned long)(t1 - t0));
	}
}

static void measure_flush(void)
{
	for (uint32_t n = 1; n <= 512; n *= 2) {
		uint32_t t0 = read_ccnt();
		for (uint32_t r = 0; r < REPS; r++)
			flush_tlb_kernel_range(base, base + n * PAGE_SIZE);
		uint32_t t1 = read_ccnt();
		printf("flush range %lu %u %lu\n", (unsigned long)n, REPS, (unsigned long)(t1 - t0));
	}
	uint32_t t0 = read_ccnt();
	for (uint32_t r = 0; r < REPS; r++)
		local_flush_tlb_kernel_page(base);
	uint32_t t1 = read_ccnt();
	printf("flush page 1 %u %lu\n", REPS, (unsigned long)(t1 - t0));
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";
	uint32_t pkmap_base = kmaplab_kernel_info(KINFO_PKMAP_BASE);
	base = pkmap_base + PAGE_SIZE;
	for (uint32_t i = 0; i < MAX_PAGES; i++) {
		struct page *pg = alloc_page(GFP_HIGHUSER);
		CHECK(pg && PageHighMem(pg), "highmem page %lu", (unsigned long)i);
		void *va = kmap(pg);
		CHECK((uint32_t)(uintptr_t)va == page_va(i), "kmap %lu at %p", (unsigned long)i, va);
	}
	pmu_start();
	if (!strcmp(what, "lines")) {
		uint32_t max_kib = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 16384u;
		uint32_t stride = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 0) : 64u;
		CHECK(max_kib >= 1 && max_kib <= 262144u && stride >= 8 && !(stride & (stride - 1)),
		      "lines: bad MAXKIB %lu or STRIDE %lu", (unsigned long)max_kib, (unsigned long)stride);
		measure_lines(max_kib, stride);
	}
	if (!strcmp(what, "random")) {
		uint32_t max_kib = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 65536u;
		uint32_t slot = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 0) : 16u;
		CHECK(max_kib >= 1 && max_kib <= (USER_MAX >> 10) && !(max_kib & (max_kib - 1)) && slot >= 4 &&
		      slot <= 4096 && !(slot & (slot - 1)), "random: bad MAXKIB %lu or SLOT %lu",
		      (unsigned long)max_kib, (unsigned long)slot);
		measure_random(max_kib, slot);
	}
	if (!strcmp(what, "membench") || !strcmp(what, "pfns")) {
		uint32_t max_kib = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 65536u;
		CHECK(max_kib >= 1 && max_kib <= (USER_MAX >> 10) && !(max_kib & (max_kib - 1)),
		      "%s: bad MAXKIB %lu", what, (unsigned long)max_kib);
		struct membench_opts o = membench_options(argc, argv, what);
		if (what[0] == 'm')
			measure_membench(max_kib, &o);
		else
			measure_pfns(max_kib, &o);
	}
	if (!strcmp(what, "pages")) {
		uint32_t max_pages = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 1024u;
		CHECK(max_pages >= 1 && max_pages <= 1024, "pages: bad MAXPAGES %lu", (unsigned long)max_pages);
		measure_pages(max_pages);
	}
	if (!strcmp(what, "chase") || !strcmp(what, "all")) {
		static const uint16_t sizes[] = {
			1, 2, 4, 6, 8, 9, 10, 11, 12, 14, 16, 20, 24, 28, 30, 31, 32, 33, 34, 40, 48,
			56, 60, 62, 63, 64, 65, 66, 68, 72, 80, 96, 112, 120, 126, 127, 128, 129, 130,
			136, 160, 192, 224, 248, 254, 255, 256, 257, 258, 264, 288, 320, 384, 448, 496, 511,
		};
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			measure_chase(sizes[i]);
	}
	if (!strcmp(what, "flush") || !strcmp(what, "all"))
		measure_flush();
	printf("calib_tlb: ok\n");
	return 0;
}
