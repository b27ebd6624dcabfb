/* SPDX-License-Identifier: MIT */
/* Exactly LAST_PKMAP + 1 = 513 distinct highmem pages, each kmapped and
 * kunmapped right after use: exactly one flush_all_zero_pkmaps() and one
 * flush_tlb_kernel_range() of the 512-page window.
 *
 * Why, from map_new_virtual() (mm/highmem.c, v5.x):
 *
 *	for (;;) {
 *		last_pkmap_nr = get_next_pkmap_nr(color);   // (last + 1) & 511
 *		if (no_more_pkmaps(last_pkmap_nr, color)) { // last_pkmap_nr == 0
 *			flush_all_zero_pkmaps();
 *			count = get_pkmap_entries_count(color);
 *		}
 *		if (!pkmap_count[last_pkmap_nr])
 *			break;
 *		...
 *
 * last_pkmap_nr starts at 0 and is incremented before use, so kmap #1 takes
 * slot 1, kmap #k slot k, ... kmap #511 slot 511.  Each kunmap leaves its
 * slot at count 1 (mapped, unused, awaiting a flush), so nothing is ever
 * free behind the cursor.  kmap #512 steps the cursor to 0: the wrap.
 * flush_all_zero_pkmaps() finds slots 1..511 at count 1, clears them
 * (count 0, PTE cleared, page_address removed) and, because at least one
 * was cleared, issues ONE flush_tlb_kernel_range(PKMAP_ADDR(0),
 * PKMAP_ADDR(LAST_PKMAP)) -- 512 pages, slot 0 included.  Slot 0 was never
 * used (count 0), so kmap #512 takes slot 0.  kmap #513 steps to slot 1,
 * freed by that flush: no second wrap.  (511 kmaps would give no flush at
 * all; the next wrap would be kmap #1024.)
 *
 * Right before the wrap, page #1 is read again through slot 1 (kmap_atomic
 * serves it from its pkmap address, count 1, kmap_high_get: no fixmap, no
 * local flush), so that slot 1's translation is in the TLB when kmap #513
 * reuses the slot: a missing flush is a stale-TLB hazard and wrong data.
 * The guest checks each step on pkmap_count[] and the returned addresses;
 * each page's data is written through a kmap_atomic (fixmap: the page has no
 * pkmap address yet, one local_flush_tlb_kernel_page each) and read back
 * through its kmap. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define LAST_PKMAP 512u
#define NPAGES (LAST_PKMAP + 1)

static struct page *pages[NPAGES];
static volatile int32_t *pkmap_count;
static uint32_t pkmap_base;

static uint32_t pattern(uint32_t pfn, uint32_t i)
{
	return (pfn * 0x9e3779b1u) ^ (i * 0x85ebca6bu) ^ 0x77726170u;
}

/* pkmap_count[nr] must be `in` for lo <= nr <= hi, `out` elsewhere. */
static void expect_counts(uint32_t lo, uint32_t hi, int32_t in, int32_t out)
{
	for (uint32_t nr = 0; nr < LAST_PKMAP; nr++) {
		int32_t want = nr >= lo && nr <= hi ? in : out;
		CHECK(pkmap_count[nr] == want, "pkmap_count[%lu] = %ld, want %ld", (unsigned long)nr,
		      (long)pkmap_count[nr], (long)want);
	}
}

int main(void)
{
	pkmap_base = kmaplab_kernel_info(KINFO_PKMAP_BASE);
	pkmap_count = (volatile int32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_PKMAP_COUNT);
	volatile uint32_t *last_pkmap_nr =
		(volatile uint32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_LAST_PKMAP_NR);
	unsigned local_flushes = 0;

	CHECK(*last_pkmap_nr == 0, "last_pkmap_nr starts at %lu", (unsigned long)*last_pkmap_nr);
	for (uint32_t i = 0; i < NPAGES; i++) {
		pages[i] = alloc_page(GFP_HIGHUSER);
		CHECK(pages[i] && PageHighMem(pages[i]), "highmem page %lu", (unsigned long)i);
	}

	for (uint32_t k = 1; k <= NPAGES; k++) { /* kmap #k */
		struct page *pg = pages[k - 1];
		uint32_t pfn = page_to_pfn(pg);

		volatile uint32_t *fa = kmap_atomic(pg);
		local_flushes++;
		CHECK((uint32_t)(uintptr_t)fa == __fix_to_virt(1), "kmap_atomic #%lu at %p", (unsigned long)k,
		      (void *)fa);
		for (uint32_t i = 0; i < PAGE_SIZE / 4; i += 61)
			fa[i] = pattern(pfn, i);
		fa[PAGE_SIZE / 4 - 1] = pattern(pfn, PAGE_SIZE / 4 - 1);
		kunmap_atomic((void *)fa);

		uint32_t want_nr = k % LAST_PKMAP; /* 1..511, then 0, then 1 */
		volatile uint32_t *p = kmap(pg);
		CHECK((uint32_t)(uintptr_t)p == pkmap_base + (want_nr << PAGE_SHIFT),
		      "kmap #%lu at %p, want slot %lu", (unsigned long)k, (void *)p, (unsigned long)want_nr);
		CHECK(pkmap_count[want_nr] == 2, "kmap #%lu: count %ld", (unsigned long)k,
		      (long)pkmap_count[want_nr]);
		for (uint32_t i = 0; i < PAGE_SIZE / 4; i += 61)
			CHECK(p[i] == pattern(pfn, i), "kmap #%lu word %lu: 0x%08lx", (unsigned long)k,
			      (unsigned long)i, (unsigned long)p[i]);
		CHECK(p[PAGE_SIZE / 4 - 1] == pattern(pfn, PAGE_SIZE / 4 - 1), "kmap #%lu last word",
		      (unsigned long)k);
		kunmap(pg);
		CHECK(*last_pkmap_nr == want_nr, "last_pkmap_nr %lu after kmap #%lu",
		      (unsigned long)*last_pkmap_nr, (unsigned long)k);

		if (k == LAST_PKMAP - 1) {
			/* Before the wrap: 1..511 all unused-but-mapped. */
			expect_counts(1, LAST_PKMAP - 1, 1, 0);
			CHECK(page_address(pages[0]) == (void *)(uintptr_t)(pkmap_base + (1u << PAGE_SHIFT)),
			      "page #1 still mapped before the wrap");
			/* Page #1 still has slot 1 (count 1): kmap_atomic gets it
			 * from kmap_high_get, which puts slot 1's translation in
			 * the TLB right before the wrap -- without the wrap's
			 * flush, kmap #513 (slot 1 again) would read page #1. */
			volatile uint32_t *a = kmap_atomic(pages[0]);
			CHECK((uint32_t)(uintptr_t)a == pkmap_base + (1u << PAGE_SHIFT), "kmap_atomic of page #1 at %p",
			      (void *)a);
			CHECK(a[0] == pattern(page_to_pfn(pages[0]), 0), "page #1 through slot 1");
			kunmap_atomic((void *)a);
			printf("after %lu kmaps: slots 1..511 at count 1, slot 0 unused, no flush yet\n",
			       (unsigned long)k);
		} else if (k == LAST_PKMAP) {
			/* The wrap cleared 1..511; slot 0 was just used. */
			expect_counts(0, 0, 1, 0);
			CHECK(page_address(pages[0]) == NULL, "page #1 still has an address after the flush");
			printf("after %lu kmaps: the wrap flushed slots 1..511, kmap #512 took slot 0\n",
			       (unsigned long)k);
		}
	}
	expect_counts(0, 1, 1, 0);
	printf("after %lu kmaps: slots 0 and 1 at count 1\n", (unsigned long)NPAGES);
	printf("expected: kmap=%lu kunmap=%lu flush_all_zero_pkmaps=1 range_flushes=1 range_pages=%lu local_flushes=%u\n",
	       (unsigned long)NPAGES, (unsigned long)NPAGES, (unsigned long)LAST_PKMAP, local_flushes);
	printf("pkmap_wrap: ok\n");
	return 0;
}
