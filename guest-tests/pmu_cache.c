/* SPDX-License-Identifier: MIT */
/* The PMU's cache events count the model's caches (--model cache,
 * docs/pmu.md).  usage: pmu_cache LINE [a9]
 *
 * N = 4096 / LINE loads, one per cache line of a 4 KiB block of heap that
 * nothing touched before (newlib hands out fresh sbrk memory), each load's
 * address computed in registers.  Lowmem is mapped by 1 MiB sections, so
 * one warm-up load elsewhere in the same section first fills the micro TLB
 * (no walk inside the measured loop).  Then, counted by the hardware's
 * rules (ARM DDI 0406C C12.8: an access that looks up L1D counts 0x04, one
 * that misses counts 0x03; L2 accesses and refills 0x16/0x17):
 *   first pass:  N L1D accesses, N L1D refills, N L2 accesses, N L2 refills
 *                (4 KiB fits every L1D: nothing is evicted);
 *   second pass: N L1D accesses, 0 refills, 0 L2 accesses.
 * Each pass is measured less an empty pass just before it (the stack
 * accesses of reading the counters).
 * The A9 ("a9") implements no L2 events (its L2C-310 is outside the core):
 * those counters read 0 whatever happens.  L1I: the loop's code was fetched
 * (accesses > 0 where implemented) and, run again, is still in L1I (0
 * refills in the second pass). */
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

struct counts {
	uint32_t v[4];
};

static struct counts __attribute__((noinline)) pass(uint32_t base, uint32_t line, uint32_t n)
{
	struct counts a, b;
	for (unsigned i = 0; i < 4; i++)
		a.v[i] = read_pmn(i);
	touch(base, line, n);
	for (unsigned i = 0; i < 4; i++)
		b.v[i] = read_pmn(i) - a.v[i];
	return b;
}

/* A pass's counts less those of an empty pass (its own stack accesses;
 * the code is warm, the empty pass ran before). */
static struct counts measured(uint32_t base, uint32_t line, uint32_t n)
{
	struct counts e = pass(base, line, 0), c = pass(base, line, n);
	for (unsigned i = 0; i < 4; i++)
		c.v[i] -= e.v[i];
	return c;
}

int main(int argc, char **argv)
{
	CHECK(argc >= 2, "usage: pmu_cache LINE [a9]");
	uint32_t line = (uint32_t)strtoul(argv[1], NULL, 0);
	bool a9 = argc > 2 && strcmp(argv[2], "a9") == 0;
	CHECK(line == 32 || line == 64, "LINE %lu", (unsigned long)line);
	uint32_t n = line == 64 ? 64 : 128; /* 4096 / LINE (the A9 has no UDIV) */
	uint8_t *raw = malloc(3 * 4096);
	CHECK(raw, "malloc");
	uint32_t base = ((uint32_t)(uintptr_t)raw + 4095) & ~4095u;
	/* The warm-up word: in the block's 1 MiB section, outside the block. */
	uint32_t warm = ((base + 4096) >> 20) == (base >> 20) ? base + 4096 : base - 64;
	(void)*(volatile uint32_t *)(uintptr_t)warm;

	pmu_start();
	pmu_event(0, PMU_EV_L1D_CACHE);
	pmu_event(1, PMU_EV_L1D_CACHE_REFILL);
	pmu_event(2, PMU_EV_L2D_CACHE);
	pmu_event(3, PMU_EV_L2D_CACHE_REFILL);
	/* The code into L1I, its page into the I micro TLB. */
	touch(warm, 0, 1);
	pass(warm, 0, 1);
	struct counts c1 = measured(base, line, n), c2 = measured(base, line, n);
	printf("first pass: l1d %lu refill %lu l2 %lu refill %lu\n", (unsigned long)c1.v[0],
	       (unsigned long)c1.v[1], (unsigned long)c1.v[2], (unsigned long)c1.v[3]);
	printf("second pass: l1d %lu refill %lu l2 %lu refill %lu\n", (unsigned long)c2.v[0],
	       (unsigned long)c2.v[1], (unsigned long)c2.v[2], (unsigned long)c2.v[3]);
	uint32_t l2 = a9 ? 0 : n;
	CHECK(c1.v[0] == n && c1.v[1] == n && c1.v[2] == l2 && c1.v[3] == l2, "first pass");
	CHECK(c2.v[0] == n && c2.v[1] == 0 && c2.v[2] == 0 && c2.v[3] == 0, "second pass");

	pmu_event(0, PMU_EV_L1I_CACHE);
	pmu_event(1, PMU_EV_L1I_CACHE_REFILL);
	struct counts i2 = pass(base, line, n);
	printf("l1i %lu refill %lu\n", (unsigned long)i2.v[0], (unsigned long)i2.v[1]);
	CHECK(a9 ? i2.v[0] == 0 : i2.v[0] > 0, "L1I accesses");
	CHECK(i2.v[1] == 0, "L1I refills of warm code");
	printf("pmu_cache: ok\n");
	return 0;
}
