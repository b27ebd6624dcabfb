/* SPDX-License-Identifier: MIT */
/* early_ioremap / early_iounmap (mm/early_ioremap.c) and set_fixmap /
 * clear_fixmap (arch/arm/mm/mmu.c __set_fixmap), checked against the ARM32
 * fixmap enum (arch/arm/include/asm/fixmap.h, v5.x):
 *
 *   FIX_EARLYCON_MEM_BASE 0, FIX_KMAP_BEGIN 1 .. FIX_KMAP_END KM_TYPE_NR,
 *   FIX_TEXT_POKE0 KM_TYPE_NR + 1, FIX_TEXT_POKE1 KM_TYPE_NR + 2;
 *   FIX_BTMAP_END 1, FIX_BTMAP_BEGIN = 1 + NR_FIX_BTMAPS (32) * FIX_BTMAPS_SLOTS (7) - 1 = 224;
 *   __end_of_fixed_addresses = max(KM_TYPE_NR + 3, 225) = 225 (KM_TYPE_NR 16,
 *   ARM's: arch/arm/include/asm/kmap_types.h, v5.10).
 *   __fix_to_virt(idx) = FIXADDR_TOP - (idx << PAGE_SHIFT).
 *
 * early_ioremap(phys, size) takes the first free of the 7 slots; slot s
 * starts at __fix_to_virt(FIX_BTMAP_BEGIN - 32 * s) and maps its pages at
 * falling indexes (rising addresses), page-aligned, returning slot address
 * + (phys & ~PAGE_MASK).  Each page is one __set_fixmap(), which on ARM
 * ends in local_flush_tlb_kernel_range(vaddr, vaddr + PAGE_SIZE): one
 * flush_tlb_kernel_range of one page; early_iounmap clears them the same
 * way.  set_fixmap/clear_fixmap: one such flush each.
 *
 * Data written through one mapping must be read through the other: a
 * highmem range (kmap_atomic / kmap vs early_ioremap) and a lowmem range
 * (page_address vs early_ioremap), and a set_fixmap slot. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define FIX_KMAP_BEGIN 1u
#define KM_TYPE_NR 16u /* ARM, v5.10: the default kernel profile */
#define FIX_TEXT_POKE0 (FIX_KMAP_BEGIN + KM_TYPE_NR)
#define NR_FIX_BTMAPS 32u
#define FIX_BTMAP_BEGIN (1u + NR_FIX_BTMAPS * 7u - 1u)

static unsigned range_flushes, local_flushes;

static uint32_t pattern(uint32_t pfn, uint32_t i)
{
	return (pfn * 0x9e3779b1u) ^ (i * 0x85ebca6bu) ^ 0x696f7265u;
}

static uint32_t va(const volatile void *p)
{
	return (uint32_t)(uintptr_t)p;
}

static void check_page(volatile const uint32_t *p, uint32_t pfn, const char *what)
{
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		CHECK(p[i] == pattern(pfn, i), "%s: pfn 0x%lx word %lu at %p = 0x%08lx, want 0x%08lx", what,
		      (unsigned long)pfn, (unsigned long)i, (const void *)&p[i], (unsigned long)p[i],
		      (unsigned long)pattern(pfn, i));
}

/* n physically contiguous pages from the allocator (a fresh machine hands
 * them out in pfn order). */
static void alloc_run(struct page **pg, unsigned n, gfp_t gfp)
{
	for (unsigned i = 0; i < n; i++) {
		pg[i] = alloc_page(gfp);
		CHECK(pg[i], "alloc_page");
		CHECK(i == 0 || page_to_pfn(pg[i]) == page_to_pfn(pg[0]) + i, "pfns not contiguous");
	}
}

static void *ioremap(uint32_t phys, uint32_t size, unsigned npages)
{
	void *v = early_ioremap(phys, size);
	range_flushes += npages;
	return v;
}

static void iounmap(void *v, uint32_t size, unsigned npages)
{
	early_iounmap(v, size);
	range_flushes += npages;
}

int main(void)
{
	CHECK(kmaplab_kernel_info(KINFO_KM_TYPE_NR) == KM_TYPE_NR, "run with the default KM_TYPE_NR");

	/* A highmem range: 4 pages, filled through kmap_atomic. */
	struct page *hp[4];
	alloc_run(hp, 4, GFP_HIGHUSER);
	for (unsigned i = 0; i < 4; i++) {
		CHECK(PageHighMem(hp[i]), "highmem page");
		volatile uint32_t *p = kmap_atomic(hp[i]);
		local_flushes++;
		for (uint32_t w = 0; w < PAGE_SIZE / 4; w++)
			p[w] = pattern(page_to_pfn(hp[i]), w);
		kunmap_atomic((void *)p);
	}
	uint32_t hphys = (page_to_pfn(hp[0]) << PAGE_SHIFT);

	/* 3 pages' worth starting 0x40 into the first page: 4 pages mapped,
	 * slot 0. */
	volatile uint8_t *hio = ioremap(hphys + 0x40, 3 * PAGE_SIZE, 4);
	uint32_t slot0 = __fix_to_virt(FIX_BTMAP_BEGIN);
	CHECK(slot0 == FIXADDR_TOP - (FIX_BTMAP_BEGIN << PAGE_SHIFT), "slot 0 address");
	CHECK(va(hio) == slot0 + 0x40, "early_ioremap(highmem) = %p, want 0x%08lx", (void *)hio,
	      (unsigned long)(slot0 + 0x40));
	volatile uint32_t *hbase = (volatile uint32_t *)(hio - 0x40);
	for (unsigned i = 0; i < 4; i++)
		check_page(hbase + i * (PAGE_SIZE / 4), page_to_pfn(hp[i]), "highmem through early_ioremap");
	for (unsigned i = 0; i < 4; i++)
		hbase[i * (PAGE_SIZE / 4) + 9] = 0x10e30000u + i;
	printf("early_ioremap(0x%08lx, 0x3000) = %p (slot 0, FIX_BTMAP_BEGIN %u)\n",
	       (unsigned long)(hphys + 0x40), (void *)hio, FIX_BTMAP_BEGIN);

	/* A lowmem range while slot 0 is in use: slot 1. */
	struct page *lp[2];
	alloc_run(lp, 2, GFP_KERNEL);
	for (unsigned i = 0; i < 2; i++) {
		CHECK(!PageHighMem(lp[i]), "lowmem page");
		volatile uint32_t *p = page_address(lp[i]);
		for (uint32_t w = 0; w < PAGE_SIZE / 4; w++)
			p[w] = pattern(page_to_pfn(lp[i]), w);
	}
	uint32_t lphys = page_to_pfn(lp[0]) << PAGE_SHIFT;
	volatile uint32_t *lio = ioremap(lphys, 2 * PAGE_SIZE, 2);
	uint32_t slot1 = __fix_to_virt(FIX_BTMAP_BEGIN - NR_FIX_BTMAPS);
	CHECK(va(lio) == slot1, "early_ioremap(lowmem) = %p, want 0x%08lx", (void *)lio, (unsigned long)slot1);
	for (unsigned i = 0; i < 2; i++)
		check_page(lio + i * (PAGE_SIZE / 4), page_to_pfn(lp[i]), "lowmem through early_ioremap");
	lio[PAGE_SIZE / 4 + 3] = 0x10e31111u;
	volatile uint32_t *l1 = page_address(lp[1]);
	CHECK(l1[3] == 0x10e31111u, "write through early_ioremap not seen through page_address");
	l1[3] = pattern(page_to_pfn(lp[1]), 3);
	CHECK(lio[PAGE_SIZE / 4 + 3] == pattern(page_to_pfn(lp[1]), 3), "write through page_address not seen");
	printf("early_ioremap(0x%08lx, 0x2000) = %p (slot 1)\n", (unsigned long)lphys, (void *)lio);

	iounmap((void *)hio, 3 * PAGE_SIZE, 4);
	iounmap((void *)lio, 2 * PAGE_SIZE, 2);

	/* The writes through early_ioremap, read through kmap. */
	for (unsigned i = 0; i < 4; i++) {
		volatile uint32_t *p = kmap(hp[i]);
		CHECK(p[9] == 0x10e30000u + i, "page %u word 9 through kmap = 0x%08lx", i, (unsigned long)p[9]);
		p[9] = pattern(page_to_pfn(hp[i]), 9);
		check_page(p, page_to_pfn(hp[i]), "highmem through kmap");
		kunmap(hp[i]);
	}

	/* Slot 0 is free again: the same address. */
	volatile uint32_t *again = ioremap(page_to_pfn(hp[2]) << PAGE_SHIFT, 4, 1);
	CHECK(va(again) == slot0, "early_ioremap after early_iounmap = %p, want slot 0 0x%08lx",
	      (void *)again, (unsigned long)slot0);
	check_page(again, page_to_pfn(hp[2]), "highmem page through early_ioremap again");
	iounmap((void *)again, 4, 1);

	/* set_fixmap at FIX_TEXT_POKE0 and at the last index,
	 * __end_of_fixed_addresses - 1 = FIX_BTMAP_BEGIN. */
	unsigned idxs[2] = { FIX_TEXT_POKE0, FIX_BTMAP_BEGIN };
	for (unsigned k = 0; k < 2; k++) {
		unsigned idx = idxs[k];
		struct page *pg = hp[k + 1];
		set_fixmap(idx, page_to_pfn(pg) << PAGE_SHIFT);
		range_flushes++;
		volatile uint32_t *f = (volatile uint32_t *)fix_to_virt(idx);
		CHECK(va(f) == FIXADDR_TOP - (idx << PAGE_SHIFT), "fix_to_virt(%u)", idx);
		check_page(f, page_to_pfn(pg), "set_fixmap");
		f[11] = 0xf1c50000u + idx;
		clear_fixmap(idx);
		range_flushes++;
		volatile uint32_t *p = kmap(pg);
		CHECK(p[11] == 0xf1c50000u + idx, "write through fixmap %u not seen through kmap: 0x%08lx", idx,
		      (unsigned long)p[11]);
		kunmap(pg);
		printf("set_fixmap(%u) at 0x%08lx\n", idx, (unsigned long)va(f));
	}

	printf("expected: range_flushes=%u range_pages=%u local_flushes=%u\n", range_flushes, range_flushes,
	       local_flushes);
	printf("fixmap_ioremap: ok\n");
	return 0;
}
