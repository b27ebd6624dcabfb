/* SPDX-License-Identifier: MIT */
/* The PMU counts the model (docs/pmu.md): the cycle counter and the
 * D-side TLB-refill event, read with MRC p15 c9 as microbenchmarks do.
 *
 * 64 highmem pages are kmapped first: a fresh pkmap hands out slots 1..64
 * in order (map_new_virtual, mm/highmem.c), so they lie at PKMAP_ADDR(1)
 * .. PKMAP_ADDR(64), 4 KiB apart, each its own 4 KiB PTE.  Then, between two
 * reads of the event counter, the loop loads one word from each page and
 * nothing else from memory (the addresses are computed in registers).  No
 * page was touched before, and 64 is more than any micro TLB holds, so
 * every load is a D-side micro-TLB miss: exactly 64 L1D_TLB_REFILL events.
 * The loop runs twice more: the second pass misses again on every page (64
 * pages cycle through a 10- or 32-entry micro TLB, round robin or LRU).
 *
 * The cycle counter: disabled, it does not move; PMCR.C resets it; it
 * counts what the model charged, so two runs print the same numbers.
 *
 * `pmu_counters cpu1` (with --cpus 2) measures on CPU 1, in a kthread: each
 * CPU has its own PMU counting its own TLB, so the numbers are the same,
 * and CPU 0's PMU stays as reset (disabled) meanwhile. */
#include <stdint.h>
#include <stdio.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define NPAGES 64u

static uint32_t touch(uint32_t base)
{
	uint32_t sum = 0;
	for (uint32_t i = 0; i < NPAGES; i++)
		sum += *(volatile uint32_t *)(uintptr_t)(base + (i << PAGE_SHIFT));
	return sum;
}

static int measure(void *arg)
{
	uint32_t base = (uint32_t)(uintptr_t)arg;

	uint32_t pmcr = pmcr_read();
	printf("PMCR 0x%08lx: implementer 0x%02lx, %lu event counters\n", (unsigned long)pmcr,
	       (unsigned long)(pmcr >> 24), (unsigned long)((pmcr >> 11) & 0x1f));
	CHECK((pmcr & PMCR_E) == 0, "PMU enabled at reset");

	pmu_start();
	pmu_event(0, PMU_EV_L1D_TLB_REFILL);
	pmu_event(1, PMU_EV_L1I_TLB_REFILL);
	CHECK(pmcr_read() & PMCR_E, "PMCR.E after pmu_start");
	uint32_t r0 = read_pmn(0);
	uint32_t t0 = read_ccnt();
	uint32_t sum = touch(base);
	uint32_t t1 = read_ccnt();
	uint32_t r1 = read_pmn(0);
	uint32_t sum2 = touch(base);
	uint32_t r2 = read_pmn(0);
	CHECK(sum == sum2, "the pages did not change");
	printf("dtlb_refills %lu then %lu\n", (unsigned long)(r1 - r0), (unsigned long)(r2 - r1));
	CHECK(t1 > t0, "the cycle counter runs: %lu then %lu", (unsigned long)t0, (unsigned long)t1);
	printf("cycles for %u page-stride loads: %lu\n", NPAGES, (unsigned long)(t1 - t0));

	/* Stopped, it holds; PMCR.C resets it. */
	pmcntenclr_write(PMCNTEN_CCNT);
	uint32_t h0 = read_ccnt();
	touch(base);
	uint32_t h1 = read_ccnt();
	CHECK(h0 == h1, "a disabled cycle counter moved: %lu -> %lu", (unsigned long)h0, (unsigned long)h1);
	pmcr_write(pmcr_read() | PMCR_C);
	CHECK(read_ccnt() == 0, "PMCR.C reset the cycle counter to %lu", (unsigned long)read_ccnt());
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t pkmap_base = kmaplab_kernel_info(KINFO_PKMAP_BASE);
	for (uint32_t i = 0; i < NPAGES; i++) {
		struct page *pg = alloc_page(GFP_HIGHUSER);
		CHECK(pg && PageHighMem(pg), "highmem page %lu", (unsigned long)i);
		void *va = kmap(pg);
		CHECK((uint32_t)(uintptr_t)va == pkmap_base + ((i + 1) << PAGE_SHIFT), "kmap %lu at %p",
		      (unsigned long)i, va);
	}
	void *base = (void *)(uintptr_t)(pkmap_base + PAGE_SIZE);
	if (argc > 1 && argv[1][0] == 'c') {
		struct task_struct *t = kthread_run_on_cpu(measure, base, 1, "pmu");
		CHECK(t != NULL, "no CPU 1 (run with --cpus 2)");
		CHECK(kthread_stop(t) == 0, "CPU 1's measurement");
		CHECK((pmcr_read() & PMCR_E) == 0, "CPU 1's pmu_start() enabled CPU 0's PMU");
	} else {
		measure(base);
	}
	printf("pmu_counters: ok\n");
	return 0;
}
