/* SPDX-License-Identifier: MIT */
/* kmap of lowmem and highmem pages under the linux policy, checked against
 * Linux v5.x (arch/arm/mm/highmem.c, mm/highmem.c) worked out here:
 *
 *  - kmap(lowmem page) is page_address(page): PAGE_OFFSET + (pfn << 12) -
 *    PHYS_OFFSET, and touches no pkmap data.
 *  - kmap(highmem page) goes to kmap_high(): page_address() is NULL, so
 *    map_new_virtual() takes the next free slot.  last_pkmap_nr starts at 0
 *    and get_next_pkmap_nr() pre-increments it, so the first kmap of a run
 *    gets slot 1 (PKMAP_BASE + 4 KiB), the next distinct page slot 2.
 *    map_new_virtual() sets pkmap_count to 1 and kmap_high() adds the
 *    caller's reference: 2.  A second kmap of the same page finds it in
 *    page_address() and only raises the count: 3.
 *  - kmap_atomic() of a highmem page that has a pkmap address is served by
 *    kmap_high_get() (ARCH_NEEDS_KMAP_HIGH_GET): same address, count + 1;
 *    kunmap_atomic() of a pkmap address goes back through kunmap_high().
 *  - kunmap() down to count 1 leaves the page mapped (page_address() still
 *    answers) until the next flush_all_zero_pkmaps(); a kmap then reuses
 *    the same slot.
 *  - kmap_atomic() of a highmem page with no pkmap address uses fixmap slot
 *    FIX_KMAP_BEGIN (1) at depth 0: FIXADDR_TOP - (1 << 12), one
 *    local_flush_tlb_kernel_page.
 *
 * The driver checks the counters this implies: no flush_all_zero_pkmaps, no
 * range flush, exactly one local flush (printed as "expected: ...").
 * Every count and address is this file's own expectation; the kernel's
 * pkmap_count[] (KINFO_PKMAP_COUNT) is only compared against it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define LAST_PKMAP 512u

static volatile int32_t *pkmap_count;
static uint32_t pkmap_base, page_offset, phys_offset;
static unsigned local_flushes;

static uint32_t pattern(uint32_t pfn, uint32_t i)
{
	return (pfn * 0x9e3779b1u) ^ (i * 0x85ebca6bu) ^ 0x6b6d6170u;
}

static void fill(volatile uint32_t *p, uint32_t pfn)
{
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		p[i] = pattern(pfn, i);
}

static int verify(volatile const uint32_t *p, uint32_t pfn)
{
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		if (p[i] != pattern(pfn, i)) {
			printf("  word %lu of pfn 0x%lx at %p: 0x%08lx, want 0x%08lx\n",
			       (unsigned long)i, (unsigned long)pfn, (const void *)&p[i],
			       (unsigned long)p[i], (unsigned long)pattern(pfn, i));
			return 0;
		}
	return 1;
}

static uint32_t va(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

/* No slot but `a` (count ca) and `b` (count cb) may be in use. */
static void check_counts(uint32_t a, int32_t ca, uint32_t b, int32_t cb)
{
	for (uint32_t nr = 0; nr < LAST_PKMAP; nr++) {
		int32_t want = nr == a ? ca : nr == b ? cb : 0;
		CHECK(pkmap_count[nr] == want, "pkmap_count[%lu] = %ld, want %ld", (unsigned long)nr,
		      (long)pkmap_count[nr], (long)want);
	}
}

int main(void)
{
	page_offset = kmaplab_kernel_info(KINFO_PAGE_OFFSET);
	phys_offset = kmaplab_kernel_info(KINFO_PHYS_OFFSET);
	pkmap_base = kmaplab_kernel_info(KINFO_PKMAP_BASE);
	pkmap_count = (volatile int32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_PKMAP_COUNT);
	uint32_t max_low_pfn = kmaplab_kernel_info(KINFO_MAX_LOW_PFN);

	CHECK(pkmap_base == page_offset - 0x200000u, "PKMAP_BASE 0x%08lx", (unsigned long)pkmap_base);
	CHECK(kmaplab_kernel_info(KINFO_LAST_PKMAP) == LAST_PKMAP, "LAST_PKMAP");
	check_counts(~0u, 0, ~0u, 0);

	/* Lowmem: kmap is page_address, the linear map. */
	struct page *low = alloc_page(GFP_KERNEL);
	CHECK(low && !PageHighMem(low), "GFP_KERNEL page %p", (void *)low);
	uint32_t low_pfn = page_to_pfn(low);
	CHECK(low_pfn < max_low_pfn, "lowmem pfn 0x%lx", (unsigned long)low_pfn);
	uint32_t low_va = page_offset + (low_pfn << PAGE_SHIFT) - phys_offset;
	CHECK(va(page_address(low)) == low_va, "page_address(low) %p, want 0x%08lx",
	      page_address(low), (unsigned long)low_va);
	fill((volatile uint32_t *)page_address(low), low_pfn);
	void *k1 = kmap(low);
	CHECK(va(k1) == low_va, "kmap(low) %p", k1);
	void *k2 = kmap(low);
	CHECK(k2 == k1, "second kmap(low) %p", k2);
	void *ka = kmap_atomic(low);
	CHECK(va(ka) == low_va, "kmap_atomic(low) %p", ka);
	CHECK(verify(ka, low_pfn), "lowmem data through kmap_atomic");
	kunmap_atomic(ka);
	CHECK(verify(k2, low_pfn), "lowmem data through kmap");
	kunmap(low);
	kunmap(low);
	check_counts(~0u, 0, ~0u, 0); /* lowmem never touches pkmap */
	printf("lowmem pfn 0x%lx: kmap = page_address = 0x%08lx\n", (unsigned long)low_pfn,
	       (unsigned long)low_va);

	/* Highmem: the first kmap of the run takes slot 1. */
	struct page *hp = alloc_page(GFP_HIGHUSER);
	CHECK(hp && PageHighMem(hp), "GFP_HIGHUSER page %p", (void *)hp);
	uint32_t hp_pfn = page_to_pfn(hp);
	CHECK(hp_pfn >= max_low_pfn, "highmem pfn 0x%lx", (unsigned long)hp_pfn);
	CHECK(page_address(hp) == NULL, "page_address of an unmapped highmem page is %p",
	      page_address(hp));
	void *h1 = kmap(hp);
	CHECK(va(h1) >= pkmap_base && va(h1) < page_offset, "kmap(high) %p outside PKMAP_BASE..PAGE_OFFSET", h1);
	CHECK(va(h1) == pkmap_base + (1u << PAGE_SHIFT), "first kmap %p is not slot 1", h1);
	uint32_t nr = (va(h1) - pkmap_base) >> PAGE_SHIFT; /* PKMAP_NR */
	check_counts(nr, 2, ~0u, 0);
	CHECK(page_address(hp) == h1, "page_address(high) %p", page_address(hp));
	fill((volatile uint32_t *)h1, hp_pfn);

	void *h2 = kmap(hp);
	CHECK(h2 == h1, "kmap of the same page twice: %p then %p", h1, h2);
	check_counts(nr, 3, ~0u, 0);

	/* kmap_atomic of a kmapped page: kmap_high_get, the same address. */
	void *ha = kmap_atomic(hp);
	CHECK(ha == h1, "kmap_atomic of a kmapped page %p, want %p", ha, h1);
	check_counts(nr, 4, ~0u, 0);
	CHECK(verify(ha, hp_pfn), "highmem data through kmap_atomic");
	((volatile uint32_t *)ha)[7] = 0xfeedf00du;
	kunmap_atomic(ha);
	check_counts(nr, 3, ~0u, 0);
	CHECK(((volatile uint32_t *)h2)[7] == 0xfeedf00du, "write through kmap_atomic not seen through kmap");
	((volatile uint32_t *)h2)[7] = pattern(hp_pfn, 7);

	/* A second page takes the next slot. */
	struct page *hq = alloc_page(GFP_HIGHUSER);
	CHECK(hq && PageHighMem(hq) && hq != hp, "second highmem page");
	uint32_t hq_pfn = page_to_pfn(hq);
	void *q1 = kmap(hq);
	CHECK(va(q1) == pkmap_base + (2u << PAGE_SHIFT), "second distinct kmap %p is not slot 2", q1);
	check_counts(nr, 3, 2, 2);
	fill((volatile uint32_t *)q1, hq_pfn);
	CHECK(verify(h1, hp_pfn), "first page changed by a write to the second");

	kunmap(hp);
	check_counts(nr, 2, 2, 2);
	kunmap(hp);
	check_counts(nr, 1, 2, 2);
	/* Count 1: unused but still mapped until the next wrap's flush. */
	CHECK(page_address(hp) == h1, "page_address after the last kunmap %p, want %p",
	      page_address(hp), h1);
	void *ha2 = kmap_atomic(hp); /* count 1 is enough for kmap_high_get */
	CHECK(ha2 == h1, "kmap_atomic of a count-1 page %p, want %p", ha2, h1);
	check_counts(nr, 2, 2, 2);
	CHECK(verify(ha2, hp_pfn), "data through kmap_atomic after kunmap");
	kunmap_atomic(ha2);
	check_counts(nr, 1, 2, 2);
	void *h3 = kmap(hp);
	CHECK(h3 == h1, "kmap after kunmap reuses the slot: %p, want %p", h3, h1);
	check_counts(nr, 2, 2, 2);
	CHECK(verify(h3, hp_pfn), "data after re-kmap");
	kunmap(hp);
	kunmap(hq);
	check_counts(nr, 1, 2, 1);

	/* A highmem page with no pkmap address: fixmap slot FIX_KMAP_BEGIN. */
	struct page *hr = alloc_page(GFP_HIGHUSER);
	CHECK(hr && PageHighMem(hr), "third highmem page");
	uint32_t hr_pfn = page_to_pfn(hr);
	void *ra = kmap_atomic(hr);
	local_flushes++;
	CHECK(va(ra) == FIXADDR_TOP - (1u << PAGE_SHIFT), "kmap_atomic(unmapped high) %p, want 0x%08lx", ra,
	      (unsigned long)(FIXADDR_TOP - (1u << PAGE_SHIFT)));
	CHECK(va(ra) == __fix_to_virt(1), "__fix_to_virt(FIX_KMAP_BEGIN)");
	fill((volatile uint32_t *)ra, hr_pfn);
	kunmap_atomic(ra);
	check_counts(nr, 1, 2, 1); /* pkmap untouched */
	void *r1 = kmap(hr);
	CHECK(va(r1) == pkmap_base + (3u << PAGE_SHIFT), "third distinct kmap %p is not slot 3", r1);
	CHECK(verify(r1, hr_pfn), "data written through the fixmap read through pkmap");
	kunmap(hr);

	printf("highmem pfn 0x%lx: kmap 0x%08lx twice, pkmap_count 3; pfn 0x%lx slot 2; pfn 0x%lx via fixmap 0x%08lx\n",
	       (unsigned long)hp_pfn, (unsigned long)va(h1), (unsigned long)hq_pfn,
	       (unsigned long)hr_pfn, (unsigned long)va(ra));
	/* kmap: low 2 + hp 3 + hq 1 + hr 1; kunmap the same. */
	printf("expected: kmap=7 kunmap=7 flush_all_zero_pkmaps=0 range_flushes=0 local_flushes=%u\n",
	       local_flushes);
	printf("kmap_basic: ok\n");
	return 0;
}
