/* SPDX-License-Identifier: MIT */
/* The AArch64 PMU counts the model (emu/pmu_a64.h, docs/pmu.md):
 *   refills  N + 8 fixmap slots map 4 KiB pages (one L1 data TLB entry
 *            each).  With PMEVTYPER0_EL0 = 0x05 (L1D_TLB_REFILL, counter 0)
 *            and the same event on counter 1 through PMSELR/PMXEVTYPER:
 *              A: 8 fresh pages, loaded once each          -> 8 refills
 *              B: the same 8 again (8 <= the L1 DTLB size) -> 0
 *              C: N other pages, twice round; N = the L1 DTLB size + 1,
 *                 round-robin replacement                  -> 2N
 *            Nothing else loads or stores between the counter reads (the
 *            passes are inline assembly, addresses computed).  The guest
 *            prints A, B, C of both counters, and counter 2's
 *            L1I_TLB_REFILL (0x02) over pass B: the loop's code is one
 *            block mapping already in the L1 instruction TLB -> 0.
 *   cycles   PMCCNTR_EL0 over 100 DSBs; tests/meson.build runs it with two
 *            --costs dsb values and compares.
 * usage: a64_pmu N */
#include <stdint.h>
#include <stdlib.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define MAXPAGES 48
static uint8_t pages[MAXPAGES * PAGE_SIZE] __attribute__((aligned(4096)));

static unsigned long pa_symbol(const void *p)
{
	return (uintptr_t)p - kmaplab_kernel_info(KINFO_KIMAGE_VADDR) + kmaplab_kernel_info(KINFO_PHYS_OFFSET);
}

#define SYSREG_W(name, v) __asm__ volatile("msr " name ", %0\n\tisb" : : "r"((uint64_t)(v)) : "memory")
static inline uint64_t evcntr(int which)
{
	uint64_t v;
	if (which == 0)
		__asm__ volatile("mrs %0, pmevcntr0_el0" : "=r"(v));
	else if (which == 1)
		__asm__ volatile("msr pmselr_el0, %1\n\tisb\n\tmrs %0, pmxevcntr_el0" : "=r"(v) : "r"(1ull));
	else
		__asm__ volatile("mrs %0, pmevcntr2_el0" : "=r"(v));
	return v;
}

/* Loads one byte of `count` pages from `va` upwards (slot base - i is at
 * fix_to_virt(base) + i pages), `rounds` times, with no other memory
 * access. */
static void touch(uint64_t va, uint64_t count, uint64_t rounds)
{
	__asm__ volatile("1:\n\t"
			 "mov x10, %0\n\t"
			 "mov x11, %1\n"
			 "2:\n\t"
			 "ldrb w9, [x10]\n\t"
			 "add x10, x10, #4096\n\t"
			 "subs x11, x11, #1\n\t"
			 "b.ne 2b\n\t"
			 "subs %2, %2, #1\n\t"
			 "b.ne 1b"
			 : "+r"(va), "+r"(count), "+r"(rounds)
			 :
			 : "x9", "x10", "x11", "cc", "memory");
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 11;
	CHECK(n >= 1 && n + 8 <= MAXPAGES, "N from 1 to 40");
	unsigned base = (unsigned)kmaplab_kernel_info(KINFO_FIX_BTMAP_BEGIN);
	for (unsigned i = 0; i < n + 8; i++)
		set_fixmap(base - i, pa_symbol(pages + (unsigned long)i * PAGE_SIZE));
	uint64_t top = fix_to_virt(base);

	SYSREG_W("pmevtyper0_el0", 0x05);
	SYSREG_W("pmselr_el0", 1);
	SYSREG_W("pmxevtyper_el0", 0x05);
	SYSREG_W("pmevtyper2_el0", 0x02);
	SYSREG_W("pmcntenset_el0", (1ull << 31) | 7);
	SYSREG_W("pmcr_el0", 1 | 2 | 4); /* E, reset event counters and PMCCNTR */

	uint64_t r[3][4];
	for (int c = 0; c < 3; c++)
		r[c][0] = evcntr(c);
	touch(top, 8, 1);
	for (int c = 0; c < 3; c++)
		r[c][1] = evcntr(c);
	touch(top, 8, 1);
	for (int c = 0; c < 3; c++)
		r[c][2] = evcntr(c);
	touch(top + 8 * PAGE_SIZE, n, 2);
	for (int c = 0; c < 3; c++)
		r[c][3] = evcntr(c);
	for (int c = 0; c < 2; c++)
		printf("counter %d L1D_TLB_REFILL: A %llu B %llu C %llu\n", c, (unsigned long long)(r[c][1] - r[c][0]),
		       (unsigned long long)(r[c][2] - r[c][1]), (unsigned long long)(r[c][3] - r[c][2]));
	printf("counter 2 L1I_TLB_REFILL: B %llu\n", (unsigned long long)(r[2][2] - r[2][1]));

	uint64_t c0, c1, c2, c3;
	__asm__ volatile("isb\n\tmrs %0, pmccntr_el0" : "=r"(c0));
	for (int i = 0; i < 100; i++)
		__asm__ volatile("dsb sy" ::: "memory");
	__asm__ volatile("mrs %0, pmccntr_el0" : "=r"(c1));
	/* Disabled (PMCR_EL0.E = 0): the counter stands still. */
	SYSREG_W("pmcr_el0", 0);
	__asm__ volatile("mrs %0, pmccntr_el0" : "=r"(c2));
	for (int i = 0; i < 100; i++)
		__asm__ volatile("dsb sy" ::: "memory");
	__asm__ volatile("mrs %0, pmccntr_el0" : "=r"(c3));
	printf("PMCCNTR over 100 DSBs: %llu; disabled: %llu\n", (unsigned long long)(c1 - c0),
	       (unsigned long long)(c3 - c2));
	return 0;
}
