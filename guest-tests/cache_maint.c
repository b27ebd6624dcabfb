/* SPDX-License-Identifier: MIT */
/* The guest's cache maintenance MCRs change the modelled caches (--model
 * cache, docs/cycle-model.md "Write-back and cache maintenance"), as the
 * PMU's refill events show.  usage: cache_maint LINE [a9]
 *
 * N = 4096 / LINE lines of a fresh 4 KiB block of heap (they fit every
 * L1D: nothing of the block is evicted), read once so that they are in
 * L1D and the L2.  Then, each step measured as a pass of N loads less an
 * empty pass (as pmu_cache.c), counted by ARM DDI 0406C C12.8 (0x03 L1D
 * refill, 0x17 L2 refill):
 *   resident:                         0 L1D refills
 *   stores, then DCIMVAC every line:  N L1D refills; the L2 lost them too
 *                                     (to the point of coherency: N L2
 *                                     refills), but on the A9 ("a9") the L2
 *                                     is an outer L2C-310 that CP15
 *                                     operations do not reach, and it has
 *                                     no L2 events (0)
 *   again:                            0
 *   stores, then DCCMVAC every line:  0 (cleaned, still valid)
 *   DCCIMVAC every line:              N L1D refills, N L2 refills (A9: 0)
 *   DCCMVAU every line:               0
 *   ICIALLU: the pass's code is fetched again: L1I refills > 0, where
 *   the same pass without it has 0. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

static uint32_t __attribute__((noinline)) touch(uint32_t base, uint32_t line, uint32_t n)
{
	uint32_t sum = 0;
	for (uint32_t i = 0; i < n; i++)
		sum += *(volatile uint32_t *)(uintptr_t)(base + i * line);
	return sum;
}

static void __attribute__((noinline)) store(uint32_t base, uint32_t line, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		*(volatile uint32_t *)(uintptr_t)(base + i * line) = i;
}

enum op { DCIMVAC, DCCMVAC, DCCIMVAC, DCCMVAU };

/* One MCR p15, 0, Rt, c7, CRm, opc2 per line (ARM DDI 0406C B4.2.1). */
static void __attribute__((noinline)) maint(enum op op, uint32_t base, uint32_t line, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t mva = base + i * line;
		switch (op) {
		case DCIMVAC: __asm__ volatile("mcr p15, 0, %0, c7, c6, 1" : : "r"(mva) : "memory"); break;
		case DCCMVAC: __asm__ volatile("mcr p15, 0, %0, c7, c10, 1" : : "r"(mva) : "memory"); break;
		case DCCIMVAC: __asm__ volatile("mcr p15, 0, %0, c7, c14, 1" : : "r"(mva) : "memory"); break;
		case DCCMVAU: __asm__ volatile("mcr p15, 0, %0, c7, c11, 1" : : "r"(mva) : "memory"); break;
		}
	}
	/* CP15 DSB: one encoding for the ARMv6 build and ARMv7 */
	__asm__ volatile("mcr p15, 0, %0, c7, c10, 4" : : "r"(0) : "memory");
}

static void __attribute__((noinline)) iciallu(void)
{
	__asm__ volatile("mcr p15, 0, %0, c7, c5, 0\n\t"
			 "mcr p15, 0, %0, c7, c10, 4\n\t" /* CP15 DSB */
			 "mcr p15, 0, %0, c7, c5, 4" /* CP15 ISB */
			 : : "r"(0) : "memory");
}

/* Counter c's count over a pass of n loads, less an empty pass's. */
static uint32_t __attribute__((noinline)) pass(unsigned c, uint32_t base, uint32_t line, uint32_t n)
{
	uint32_t a = read_pmn(c);
	touch(base, line, n);
	return read_pmn(c) - a;
}

static uint32_t measured(unsigned c, uint32_t base, uint32_t line, uint32_t n)
{
	uint32_t e = pass(c, base, line, 0);
	return pass(c, base, line, n) - e;
}

int main(int argc, char **argv)
{
	CHECK(argc >= 2, "usage: cache_maint LINE [a9]");
	uint32_t line = (uint32_t)strtoul(argv[1], NULL, 0);
	bool a9 = argc > 2 && strcmp(argv[2], "a9") == 0;
	CHECK(line == 32 || line == 64, "LINE %lu", (unsigned long)line);
	uint32_t n = line == 64 ? 64 : 128; /* 4096 / LINE (the A9 has no UDIV) */
	uint8_t *raw = malloc(3 * 4096);
	CHECK(raw, "malloc");
	uint32_t base = ((uint32_t)(uintptr_t)raw + 4095) & ~4095u;
	uint32_t l2 = a9 ? 0 : n;

	pmu_start();
	pmu_event(0, PMU_EV_L1D_CACHE_REFILL);
	pmu_event(1, PMU_EV_L2D_CACHE_REFILL);
	pmu_event(2, PMU_EV_L1I_CACHE_REFILL);
	touch(base, line, n); /* the block into L1D and the L2, the code into L1I */
	pass(0, base, line, n);
	uint32_t r0 = measured(0, base, line, n);

	store(base, line, n);
	maint(DCIMVAC, base, line, n);
	uint32_t r1 = measured(0, base, line, n);
	store(base, line, n);
	maint(DCIMVAC, base, line, n);
	uint32_t r1l2 = measured(1, base, line, n);
	uint32_t r2 = measured(0, base, line, n);

	store(base, line, n);
	maint(DCCMVAC, base, line, n);
	uint32_t r3 = measured(0, base, line, n);

	maint(DCCIMVAC, base, line, n);
	uint32_t r4 = measured(0, base, line, n);
	maint(DCCIMVAC, base, line, n);
	uint32_t r4l2 = measured(1, base, line, n);

	maint(DCCMVAU, base, line, n);
	uint32_t r5 = measured(0, base, line, n);

	uint32_t i0 = pass(2, base, line, n);
	iciallu();
	uint32_t i1 = pass(2, base, line, n);
	printf("L1D refills: resident %lu, after DCIMVAC %lu (L2 %lu), again %lu, after DCCMVAC %lu, "
	       "after DCCIMVAC %lu (L2 %lu), after DCCMVAU %lu\n",
	       (unsigned long)r0, (unsigned long)r1, (unsigned long)r1l2, (unsigned long)r2,
	       (unsigned long)r3, (unsigned long)r4, (unsigned long)r4l2, (unsigned long)r5);
	printf("L1I refills of a pass: %lu, after ICIALLU %lu\n", (unsigned long)i0, (unsigned long)i1);
	CHECK(r0 == 0 && r2 == 0 && r3 == 0 && r5 == 0, "resident lines refilled");
	CHECK(r1 == n && r4 == n, "invalidated lines not refilled");
	CHECK(r1l2 == l2 && r4l2 == l2, "L2 refills %lu, %lu, not %lu", (unsigned long)r1l2,
	      (unsigned long)r4l2, (unsigned long)l2);
	CHECK(i0 == 0 && i1 > 0, "ICIALLU");
	printf("cache_maint: ok\n");
	return 0;
}
