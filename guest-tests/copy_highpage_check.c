/* SPDX-License-Identifier: MIT */
/* copy_highpage() checked (the bundled copy_highpage.c is a workload that
 * only measures): as include/linux/highmem.h (v5.x) does it, with two
 * kmap_atomic slots:
 *
 *	vfrom = kmap_atomic(from);   // depth 0: FIXADDR_TOP - (1 << 12)
 *	vto = kmap_atomic(to);       // depth 1: FIXADDR_TOP - (2 << 12)
 *	copy_page(vto, vfrom);
 *	kunmap_atomic(vto);
 *	kunmap_atomic(vfrom);
 *
 * A chain of copies A -> B -> C -> D between fresh highmem pages reuses the
 * same two fixmap slots for other pages each time (set_fixmap_pte() flushes
 * the page it overwrites: no stale translation), then lowmem -> highmem,
 * highmem -> lowmem, and a kmapped source (served from its pkmap address by
 * kmap_high_get, no fixmap slot: the destination takes depth 0).  Every
 * destination is checked through another mapping (kmap, page_address).
 * The guest counts the local_flush_tlb_kernel_page calls it expects: one
 * per kmap_atomic of a highmem page that has no pkmap address -- two under
 * a v5.11+ kernel (--kernel 6.6), where kunmap_atomic is
 * kunmap_local_indexed() and flushes too (arch_kmap_local_post_unmap,
 * arch/arm/include/asm/highmem.h, v6.6); every such map here is unmapped.
 * Both facts are worked out here, not asked of the kernel under test: a
 * page is highmem when its pfn is at or above max_low_pfn, the first pfn
 * past the lowmem limit (arch/arm/mm/mmu.c v5.10: vmalloc_min = 0xf0000000,
 * so lowmem is 0xf0000000 - PAGE_OFFSET bytes), and a highmem page has a
 * pkmap address exactly when this program has kmapped it (this program
 * makes far fewer than LAST_PKMAP kmaps, so no wrap ever takes an address
 * away). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define VMALLOC_MIN 0xf0000000u /* arch/arm/mm/mmu.c (v5.10), 240 MiB vmalloc */
#define MAX_KMAPPED 16

static unsigned local_flushes;
static unsigned flushes_per_atomic; /* 1 (v5.10) or 2 (v5.11+) */
static uint32_t pkmap_base;
static struct page *kmapped[MAX_KMAPPED]; /* pages kmapped so far, */
static uint32_t kmapped_va[MAX_KMAPPED];  /* and the address kmap gave */
static unsigned nkmapped;

static uint32_t pattern(uint32_t seed, uint32_t i)
{
	return (seed * 0x9e3779b1u) ^ (i * 0x85ebca6bu) ^ 0x636f7079u;
}

static uint32_t va(const volatile void *p)
{
	return (uint32_t)(uintptr_t)p;
}

/* ZONE_HIGHMEM from the pfn: at or above max_low_pfn. */
static bool is_highmem(struct page *page)
{
	uint32_t page_offset = kmaplab_kernel_info(KINFO_PAGE_OFFSET);
	uint32_t phys_offset = kmaplab_kernel_info(KINFO_PHYS_OFFSET);
	return page_to_pfn(page) >= ((VMALLOC_MIN - page_offset) >> PAGE_SHIFT) + (phys_offset >> PAGE_SHIFT);
}

/* A lowmem page's linear-map address (lowmem_page_address). */
static uint32_t linear_address(struct page *page)
{
	return kmaplab_kernel_info(KINFO_PAGE_OFFSET) +
	       ((uint32_t)page_to_pfn(page) << PAGE_SHIFT) - kmaplab_kernel_info(KINFO_PHYS_OFFSET);
}

/* The pkmap address this program's kmap() gave `page`, or 0. */
static uint32_t pkmap_address(struct page *page)
{
	for (unsigned i = 0; i < nkmapped; i++)
		if (kmapped[i] == page)
			return kmapped_va[i];
	return 0;
}

static bool has_pkmap(struct page *page)
{
	return is_highmem(page) && pkmap_address(page);
}

/* The address kmap_atomic must return for `page` at stack depth `*depth`. */
static uint32_t expect_atomic(struct page *page, int *depth)
{
	if (!is_highmem(page))
		return linear_address(page);
	if (has_pkmap(page))
		return pkmap_address(page);
	local_flushes += flushes_per_atomic;
	return __fix_to_virt(1 + (*depth)++);
}

/* kmap() that records the address it gave, for the above. */
static void *kmap_noted(struct page *page)
{
	void *p = kmap(page);
	if (is_highmem(page) && !pkmap_address(page)) {
		CHECK(nkmapped < MAX_KMAPPED, "more than %d pages kmapped", MAX_KMAPPED);
		CHECK(va(p) >= pkmap_base && va(p) < pkmap_base + (512u << PAGE_SHIFT),
		      "kmap of a highmem page at %p, outside the pkmap window", p);
		kmapped[nkmapped] = page;
		kmapped_va[nkmapped++] = va(p);
	}
	return p;
}

static void copy_highpage(struct page *to, struct page *from)
{
	int depth = 0;
	uint32_t want_from = expect_atomic(from, &depth);
	uint32_t want_to = expect_atomic(to, &depth);
	char *vfrom = kmap_atomic(from);
	char *vto = kmap_atomic(to);
	CHECK(va(vfrom) == want_from, "vfrom %p, want 0x%08lx", (void *)vfrom, (unsigned long)want_from);
	CHECK(va(vto) == want_to, "vto %p, want 0x%08lx", (void *)vto, (unsigned long)want_to);
	memcpy(vto, vfrom, PAGE_SIZE); /* copy_page() */
	kunmap_atomic(vto);
	kunmap_atomic(vfrom);
}

static void fill_atomic(struct page *page, uint32_t seed)
{
	volatile uint32_t *p = kmap_atomic(page);
	if (is_highmem(page) && !has_pkmap(page))
		local_flushes += flushes_per_atomic;
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		p[i] = pattern(seed, i);
	kunmap_atomic((void *)p);
}

/* Checks through kmap (pkmap for highmem, page_address for lowmem). */
static void check_kmap(struct page *page, uint32_t seed, const char *what)
{
	volatile uint32_t *p = kmap_noted(page);
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		CHECK(p[i] == pattern(seed, i), "%s: word %lu at %p = 0x%08lx, want 0x%08lx", what,
		      (unsigned long)i, (void *)&p[i], (unsigned long)p[i], (unsigned long)pattern(seed, i));
	kunmap(page);
}

int main(void)
{
	pkmap_base = kmaplab_kernel_info(KINFO_PKMAP_BASE);
	flushes_per_atomic = kmaplab_kernel_info(KINFO_KERNEL_VERSION) >= KERNEL_VERSION_CODE(5, 11) ? 2 : 1;
	struct page *h[4], *low[2], *hk;
	for (int i = 0; i < 4; i++) {
		h[i] = alloc_page(GFP_HIGHUSER);
		CHECK(h[i] && PageHighMem(h[i]) && is_highmem(h[i]), "highmem page %d", i);
		fill_atomic(h[i], 100u + (uint32_t)i);
	}
	for (int i = 0; i < 2; i++) {
		low[i] = alloc_page(GFP_KERNEL);
		CHECK(low[i] && !PageHighMem(low[i]) && !is_highmem(low[i]), "lowmem page %d", i);
		fill_atomic(low[i], 200u + (uint32_t)i);
	}
	hk = alloc_page(GFP_HIGHUSER);
	CHECK(hk && PageHighMem(hk), "kmapped page");

	/* A -> B -> C -> D: D ends with A's contents. */
	copy_highpage(h[1], h[0]);
	copy_highpage(h[2], h[1]);
	copy_highpage(h[3], h[2]);
	for (int i = 0; i < 4; i++)
		check_kmap(h[i], 100u, "highmem chain");
	printf("copied A -> B -> C -> D through fixmap slots 0x%08lx and 0x%08lx\n",
	       (unsigned long)__fix_to_virt(1), (unsigned long)__fix_to_virt(2));

	/* h[] now have pkmap addresses (count 1, no wrap since): they are
	 * served from there.  Lowmem -> highmem and back, with fresh pages. */
	struct page *f0 = alloc_page(GFP_HIGHUSER), *f1 = alloc_page(GFP_HIGHUSER);
	CHECK(f0 && f1 && PageHighMem(f0) && PageHighMem(f1), "fresh highmem pages");
	copy_highpage(f0, low[0]);       /* from: lowmem; to: depth 0 */
	copy_highpage(low[1], f0);       /* from: depth 0; to: lowmem */
	check_kmap(f0, 200u, "lowmem -> highmem");
	check_kmap(low[1], 200u, "highmem -> lowmem");
	CHECK(((volatile uint32_t *)page_address(low[1]))[17] == pattern(200u, 17), "lowmem via page_address");

	/* A kmapped source: kmap_high_get gives its pkmap address. */
	volatile uint32_t *k = kmap_noted(hk);
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		k[i] = pattern(300u, i);
	copy_highpage(f1, hk); /* from: pkmap; to: depth 0 */
	kunmap(hk);
	check_kmap(f1, 300u, "kmapped -> highmem");
	/* and a kmapped destination from a fixmap source */
	fill_atomic(f1, 400u); /* f1 now has a pkmap address (count 1) */
	struct page *f2 = alloc_page(GFP_HIGHUSER);
	CHECK(f2 && PageHighMem(f2), "fresh highmem page");
	fill_atomic(f2, 500u);
	copy_highpage(f1, f2); /* from: depth 0; to: pkmap */
	check_kmap(f1, 500u, "highmem -> kmapped");

	printf("expected: local_flushes=%u\n", local_flushes);
	printf("copy_highpage_check: ok\n");
	return 0;
}
