/* SPDX-License-Identifier: MIT */
/* tlb_hazards: one kind of TLB-maintenance mistake per run, made on
 * purpose on a fixmap page whose PTE the guest writes itself (bm_pte slot
 * 700, a slot nothing else uses), for the architectural checker
 * (docs/hazards.md) to find.
 *
 * usage: tlb_hazards.elf MODE
 *
 * Every mode first maps page A the right way (store; clean the line on
 * ARMv6; DSB; TLBIMVA; DSB; ISB), then retargets the PTE to page B and
 * reads the VA once through read_va().  What the ARM architecture (ARM DDI
 * 0406C B3.10.1) says about that one read, mode by mode:
 *
 *   right     B: store; clean (ARMv6); DSB; TLBIMVA; DSB; ISB; read.
 *             Nothing is wrong: 0 hazards, and the read must give B.
 *   evict     A is read (the TLB may fill), then 768 other 1 MiB sections
 *             are read, then B is stored with no invalidate.  A stays
 *             "possibly cached" by the architecture however many entries
 *             were filled since: 1 architectural stale_tlb.  The modelled
 *             Cortex-A7 TLB (10-entry micro, 256-entry 2-way main, 128
 *             sets indexed by VA[18:12] for pages and VA[26:20] for
 *             sections) has had 768 / 128 = 6 fills in A's set, more than
 *             its 2 ways, so it no longer holds A: 0 observed.
 *   never     A is never read; B is stored with no invalidate.  A walker
 *             may have fetched A speculatively: 1 architectural stale_tlb,
 *             0 observed (the model never filled it).
 *   nodsb     B: store; DSB; TLBIMVA; read (no DSB, no ISB): the
 *             invalidate is not complete: 1 barrier.
 *   noisb     B: store; DSB; TLBIMVA; DSB; read (no ISB): 1 barrier.
 *   nosync    B: store; TLBIMVA (no DSB before it); DSB; ISB; read: the
 *             walker may refill A after the invalidate: 1 barrier (at the
 *             TLBI), and A stays possibly cached, so the read is also 1
 *             architectural stale_tlb.
 *   noclean   B: store; DSB; TLBIMVA; DSB; ISB; read, with no clean of the
 *             PTE's line: on ARM1176, whose walker does not read the L1
 *             D-cache, 1 pte_not_cleaned, and the walker may refill A from
 *             memory after the TLBI: 1 stale_tlb; on ARMv7 cores
 *             (coherent walks) nothing is wrong.
 * Prints "MODE: read 0x..." with the word read. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kmaplab/guest.h"

#if __ARM_ARCH >= 7
#define DSB() __asm__ volatile("dsb" : : : "memory")
#define ISB() __asm__ volatile("isb" : : : "memory")
/* DCCMVAU: clean by MVA to the point of unification. */
#define CLEAN(va) __asm__ volatile("mcr p15, 0, %0, c7, c11, 1" : : "r"(va) : "memory")
#else
/* ARMv6: the CP15 c7 forms (ARM1176JZF-S TRM 3.2.22). */
#define DSB() __asm__ volatile("mcr p15, 0, %0, c7, c10, 4" : : "r"(0) : "memory")
#define ISB() __asm__ volatile("mcr p15, 0, %0, c7, c5, 4" : : "r"(0) : "memory")
/* Clean data cache line by MVA (DCCMVAC). */
#define CLEAN(va) __asm__ volatile("mcr p15, 0, %0, c7, c10, 1" : : "r"(va) : "memory")
#endif
#define TLBIMVA(va) __asm__ volatile("mcr p15, 0, %0, c8, c7, 1" : : "r"(va) : "memory")

static uint8_t page_a[4096] __attribute__((aligned(4096)));
static uint8_t page_b[4096] __attribute__((aligned(4096)));

static uint32_t small_page(uint32_t pa)
{
	return pa | 0x40 | 0x10 | 0x8 | 0x4 | 0x2; /* TEX=001 C B, AP=01, small page */
}

__attribute__((noinline)) static uint32_t read_va(volatile uint32_t *p)
{
	return *p;
}

/* Reads one word in each of `n` 1 MiB sections of lowmem. */
__attribute__((noinline)) static uint32_t touch_sections(unsigned n)
{
	uint32_t base = kmaplab_kernel_info(KINFO_PAGE_OFFSET), sum = 0;
	for (unsigned i = 0; i < n; i++)
		sum += *(volatile uint32_t *)(uintptr_t)(base + (i << 20));
	return sum;
}

static int is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "right";
	volatile uint32_t *bm_pte = (volatile uint32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_BM_PTE);
	uint32_t va = FIXADDR_TOP - (700u << 12);
	volatile uint32_t *pte = &bm_pte[(va - FIXADDR_START) >> 12];
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)va;
	memset(page_a, 0xaa, sizeof(page_a));
	memset(page_b, 0xbb, sizeof(page_b));

	/* A, the right way. */
	*pte = small_page(virt_to_phys(page_a));
	CLEAN((uint32_t)(uintptr_t)pte);
	DSB();
	TLBIMVA(va);
	DSB();
	ISB();
	if (!is(mode, "never") && read_va(p) != 0xaaaaaaaau) {
		printf("%s: page A reads wrong\n", mode);
		return 1;
	}
	if (is(mode, "evict"))
		touch_sections(768);

	*pte = small_page(virt_to_phys(page_b));
	if (is(mode, "right")) {
		CLEAN((uint32_t)(uintptr_t)pte);
		DSB();
		TLBIMVA(va);
		DSB();
		ISB();
	} else if (is(mode, "nodsb")) {
		DSB();
		TLBIMVA(va);
	} else if (is(mode, "noisb")) {
		DSB();
		TLBIMVA(va);
		DSB();
	} else if (is(mode, "nosync")) {
		TLBIMVA(va);
		DSB();
		ISB();
	} else if (is(mode, "noclean")) {
		DSB();
		TLBIMVA(va);
		DSB();
		ISB();
	} else if (!is(mode, "evict") && !is(mode, "never")) {
		printf("unknown mode %s\n", mode);
		return 2;
	}
	uint32_t v = read_va(p);
	printf("%s: read 0x%08lx\n", mode, (unsigned long)v);
	return is(mode, "right") && v != 0xbbbbbbbbu ? 1 : 0;
}
