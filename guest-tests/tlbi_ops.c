/* SPDX-License-Identifier: MIT */
/* The guest's own TLB maintenance: maps a fixmap page by writing bm_pte
 * itself, invalidates with MCRs it executes, and runs each TLBI operation a
 * known number of times.  The test checks flush.tlbi.<OP> against the
 * counts below, and that no stale-translation hazard is reported. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kmaplab/guest.h"

#define MCR_TLB(crm, opc2, rt) __asm__ volatile("mcr p15, 0, %0, c8, " #crm ", " #opc2 : : "r"(rt) : "memory")

static uint8_t page_a[4096] __attribute__((aligned(4096)));
static uint8_t page_b[4096] __attribute__((aligned(4096)));

/* An ARMv7 small-page descriptor: AP=01 (kernel RW), TEX=001 C B (normal
 * write-back memory), global. */
static uint32_t small_page(uint32_t pa)
{
	return pa | 0x40 | 0x10 | 0x8 | 0x4 | 0x2;
}

static void barrier(void)
{
	__asm__ volatile("dsb\n\tisb" : : : "memory");
}

/* The PTE store must reach the table walker before the invalidate (ARM DDI
 * 0406C B3.10.1): DSB between them, as Linux's flush_tlb_kernel_page does
 * with dsb(ishst). */
static void pte_sync(void)
{
	__asm__ volatile("dsb" : : : "memory");
}

int main(void)
{
	volatile uint32_t *bm_pte = (volatile uint32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_BM_PTE);
	const uint32_t idx = 700; /* a fixmap slot nothing else uses */
	uint32_t va = FIXADDR_TOP - (idx << 12);
	volatile uint32_t *pte = &bm_pte[(va - FIXADDR_START) >> 12];
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)va;
	memset(page_a, 0xaa, sizeof(page_a));
	memset(page_b, 0xbb, sizeof(page_b));

	*pte = small_page(virt_to_phys(page_a));
	pte_sync();
	MCR_TLB(c7, 1, va); /* TLBIMVA #1 */
	barrier();
	uint32_t first = *p;
	*pte = small_page(virt_to_phys(page_b));
	pte_sync();
	MCR_TLB(c7, 1, va); /* TLBIMVA #2: the entry for page_a goes */
	barrier();
	uint32_t second = *p;
	printf("fixmap %u at 0x%08lx: 0x%08lx then 0x%08lx\n", (unsigned)idx, (unsigned long)va,
	       (unsigned long)first, (unsigned long)second);
	if (first != 0xaaaaaaaau || second != 0xbbbbbbbbu)
		return 1;

	for (int i = 0; i < 3; i++)
		MCR_TLB(c7, 0, 0); /* TLBIALL x3 */
	for (int i = 0; i < 2; i++)
		MCR_TLB(c7, 2, 0); /* TLBIASID x2 */
	MCR_TLB(c7, 3, va);        /* TLBIMVAA x1 */
	MCR_TLB(c3, 0, 0);         /* TLBIALLIS x1 */
	MCR_TLB(c3, 1, va);        /* TLBIMVAIS x1 */
	MCR_TLB(c5, 0, 0);         /* ITLBIALL x1 */
	MCR_TLB(c6, 0, 0);         /* DTLBIALL x1 */
	MCR_TLB(c6, 1, va);        /* DTLBIMVA x1 */
	barrier();
	printf("TLBIMVA 2, TLBIALL 3, TLBIASID 2, TLBIMVAA 1, TLBIALLIS 1, TLBIMVAIS 1, ITLBIALL 1, DTLBIALL 1, DTLBIMVA 1\n");
	return *p == 0xbbbbbbbbu ? 0 : 2;
}
