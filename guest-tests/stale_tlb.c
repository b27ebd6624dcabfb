/* SPDX-License-Identifier: MIT */
/* A stale-translation hazard on purpose: map a fixmap page, read it (the
 * TLB fills), point the PTE at another page and read again WITHOUT an
 * invalidate.  Real hardware may return either page; kmaplab must report
 * the hazard with this function's name and both physical pages. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kmaplab/guest.h"

static uint8_t page_a[4096] __attribute__((aligned(4096)));
static uint8_t page_b[4096] __attribute__((aligned(4096)));

static uint32_t small_page(uint32_t pa)
{
	return pa | 0x40 | 0x10 | 0x8 | 0x4 | 0x2;
}

__attribute__((noinline)) static uint32_t read_stale(volatile uint32_t *p)
{
	return *p;
}

int main(void)
{
	volatile uint32_t *bm_pte = (volatile uint32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_BM_PTE);
	uint32_t va = FIXADDR_TOP - (701u << 12);
	volatile uint32_t *pte = &bm_pte[(va - FIXADDR_START) >> 12];
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)va;
	memset(page_a, 0xaa, sizeof(page_a));
	memset(page_b, 0xbb, sizeof(page_b));

	*pte = small_page(virt_to_phys(page_a));
	__asm__ volatile("dsb\n\tmcr p15, 0, %0, c8, c7, 1\n\tdsb\n\tisb" : : "r"(va) : "memory"); /* TLBIMVA */
	uint32_t first = *p;
	*pte = small_page(virt_to_phys(page_b)); /* the bug: no flush */
	uint32_t second = read_stale(p);
	printf("page_a at 0x%08lx, page_b at 0x%08lx; read 0x%08lx then 0x%08lx\n",
	       (unsigned long)virt_to_phys(page_a), (unsigned long)virt_to_phys(page_b),
	       (unsigned long)first, (unsigned long)second);
	return 0;
}
