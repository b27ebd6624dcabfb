/* SPDX-License-Identifier: MIT */
/* kmap_local_page / kunmap_local (mm/highmem.c v5.11 with ARM's
 * arch_kmap_local_* hooks, arch/arm/include/asm/highmem.h):
 *
 *   kmap_local_page(page): lowmem -> page_address(page); a highmem page
 *     with a pkmap address -> kmap_high_get() (arch_kmap_local_high_get):
 *     that address, count + 1; otherwise __kmap_local_pfn_prot():
 *     idx = kmap_local_idx_push() (current->kmap_ctrl.idx += 1;
 *     BUG_ON(idx >= KM_MAX_IDX); return idx - 1), vaddr =
 *     __fix_to_virt(FIX_KMAP_BEGIN + idx), BUG_ON(!pte_none), set_pte,
 *     arch_kmap_local_post_map(): local_flush_tlb_kernel_page(vaddr).
 *   kunmap_local(vaddr): a pkmap address -> kunmap_high(); a fixmap kmap
 *     address -> pte_clear, arch_kmap_local_post_unmap():
 *     local_flush_tlb_kernel_page(vaddr), kmap_local_idx_pop().
 *
 * The BUG_ON is on the new depth, so fixmap-backed kmap_local_page nests
 * KM_MAX_IDX - 1 deep (kmaplab's KM_MAX_IDX is the shared stack's size:
 * 16 by default, ARM's KM_TYPE_NR in v5.10 and KM_MAX_IDX in v6.6, so 15).  With `over`, the next one must BUG.
 * kmap_atomic shares the per-CPU stack (as it does from v5.11): a
 * kmap_atomic inside a kmap_local nest takes the next depth, and a
 * kmap_local at a depth a kmap_atomic left its PTE at is fine.
 * The guest counts the flushes it expects: two per fixmap kmap_local
 * (map and unmap), one per fixmap kmap_atomic.
 *
 * usage: kmap_local_nest KM_TYPE_NR [over] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define FIX_KMAP_BEGIN 1u
#define MAX_MAPS 64

static uint32_t pkmap_base;
static volatile int32_t *pkmap_count;
static volatile int32_t *kmap_idx; /* the per-CPU stack depth */
static unsigned local_flushes;

static uint32_t pattern(uint32_t pfn, uint32_t i)
{
	return (pfn * 0x9e3779b1u) ^ (i * 0x85ebca6bu) ^ 0x6c6f636cu;
}

static void fill(volatile uint32_t *p, uint32_t pfn)
{
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		p[i] = pattern(pfn, i);
}

static void check_pattern(volatile const uint32_t *p, uint32_t pfn, const char *what)
{
	for (uint32_t i = 8; i < PAGE_SIZE / 4; i += 29)
		CHECK(p[i] == pattern(pfn, i), "%s: pfn 0x%lx at %p word %lu = 0x%08lx", what,
		      (unsigned long)pfn, (const void *)p, (unsigned long)i, (unsigned long)p[i]);
}

static uint32_t va(const volatile void *p)
{
	return (uint32_t)(uintptr_t)p;
}

__attribute__((noinline)) static void *kmap_local_one_too_many(struct page *page)
{
	return kmap_local_page(page);
}

int main(int argc, char **argv)
{
	CHECK(argc >= 2, "usage: kmap_local_nest KM_TYPE_NR [over]");
	unsigned km_max_idx = (unsigned)strtoul(argv[1], NULL, 0);
	bool over = argc > 2 && !strcmp(argv[2], "over");
	unsigned limit = km_max_idx - 1;
	CHECK(limit >= 8 && limit + 8 < MAX_MAPS, "KM_TYPE_NR %u", km_max_idx);
	CHECK(kmaplab_kernel_info(KINFO_KM_TYPE_NR) == km_max_idx, "the kernel has KM_TYPE_NR %lu",
	      (unsigned long)kmaplab_kernel_info(KINFO_KM_TYPE_NR));
	pkmap_base = kmaplab_kernel_info(KINFO_PKMAP_BASE);
	pkmap_count = (volatile int32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_PKMAP_COUNT);
	kmap_idx = (volatile int32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_KMAP_ATOMIC_IDX);

	struct page *fresh[MAX_MAPS], *low, *kmapped;
	for (unsigned i = 0; i <= limit + 1; i++) {
		fresh[i] = alloc_page(GFP_HIGHUSER);
		CHECK(fresh[i] && PageHighMem(fresh[i]), "highmem page %u", i);
		volatile uint32_t *p = kmap_local_page(fresh[i]);
		local_flushes += 2;
		CHECK(va(p) == __fix_to_virt(FIX_KMAP_BEGIN), "fill mapping at %p", (void *)p);
		fill(p, page_to_pfn(fresh[i]));
		kunmap_local((void *)p);
		CHECK(*kmap_idx == 0, "depth %ld after kunmap_local", (long)*kmap_idx);
	}
	low = alloc_page(GFP_KERNEL);
	CHECK(low && !PageHighMem(low), "lowmem page");
	fill(page_address(low), page_to_pfn(low));
	kmapped = alloc_page(GFP_HIGHUSER);
	CHECK(kmapped && PageHighMem(kmapped), "kmapped page");
	volatile uint32_t *kva = kmap(kmapped);
	uint32_t knr = (va(kva) - pkmap_base) >> PAGE_SHIFT;
	CHECK(knr == 1, "first kmap in slot %lu", (unsigned long)knr);
	fill(kva, page_to_pfn(kmapped));

	/* Nest: fixmap-backed ones up to the limit, with a lowmem and a
	 * kmapped page in between (no stack slot). */
	volatile uint32_t *maps[MAX_MAPS];
	struct page *mpage[MAX_MAPS];
	int fix_depth[MAX_MAPS];
	int n = 0, depth = 0;
	unsigned next = 0;
	while (depth < (int)limit) {
		struct page *pg = n == 3 ? low : n == 6 ? kmapped : fresh[next++];
		volatile uint32_t *p = kmap_local_page(pg);
		mpage[n] = pg;
		maps[n] = p;
		fix_depth[n] = -1;
		if (pg == low) {
			CHECK(p == page_address(low), "lowmem kmap_local_page %p", (void *)p);
		} else if (pg == kmapped) {
			CHECK(p == kva, "kmap_local_page of a kmapped page %p, want %p", (void *)p, (void *)kva);
			CHECK(pkmap_count[knr] == 3, "pkmap_count %ld, want 3", (long)pkmap_count[knr]);
		} else {
			fix_depth[n] = depth;
			uint32_t want = FIXADDR_TOP - ((FIX_KMAP_BEGIN + (uint32_t)depth) << PAGE_SHIFT);
			CHECK(va(p) == want, "map %d at depth %d: %p, want 0x%08lx", n, depth, (void *)p,
			      (unsigned long)want);
			depth++;
			local_flushes++;
		}
		CHECK(*kmap_idx == depth, "depth %ld, want %d", (long)*kmap_idx, depth);
		n++;
	}
	for (int i = 0; i < n; i++) {
		check_pattern(maps[i], page_to_pfn(mpage[i]), "nested");
		maps[i][2] = 0x10c40000u + (uint32_t)i;
	}
	printf("nested %d kmap_local_page mappings, %d on the fixmap stack (KM_MAX_IDX %u), top at 0x%08lx\n", n,
	       depth, km_max_idx, (unsigned long)va(maps[n - 1]));

	if (over) {
		printf("kmap_local_page number %u on the fixmap stack:\n", limit + 1);
		fflush(stdout);
		void *p = kmap_local_one_too_many(fresh[next]);
		printf("FAIL: kmap_local_page nested past KM_MAX_IDX - 1 returned %p\n", p);
		return 1;
	}

	for (int i = n - 1; i >= 0; i--) {
		kunmap_local((void *)maps[i]);
		if (fix_depth[i] >= 0) {
			depth--;
			local_flushes++;
		}
		CHECK(*kmap_idx == depth, "after kunmap_local %d: depth %ld, want %d", i, (long)*kmap_idx, depth);
	}
	CHECK(pkmap_count[knr] == 2, "pkmap_count after unwinding %ld", (long)pkmap_count[knr]);
	/* Writes through the nest, read through kmap / page_address. */
	for (int i = 0; i < n; i++) {
		volatile uint32_t *p = mpage[i] == low ? page_address(low) : kmap(mpage[i]);
		CHECK(p[2] == 0x10c40000u + (uint32_t)i, "map %d word 2 = 0x%08lx", i, (unsigned long)p[2]);
		check_pattern(p, page_to_pfn(mpage[i]), "after unwinding");
		if (mpage[i] != low)
			kunmap(mpage[i]);
	}

	/* kmap_atomic inside kmap_local, then kmap_local where that
	 * kmap_atomic left its PTE.  fresh[limit] and fresh[limit + 1] were
	 * never kmapped: no pkmap address. */
	struct page *a = fresh[limit], *b = fresh[limit + 1];
	volatile uint32_t *la = kmap_local_page(a);
	local_flushes++;
	CHECK(va(la) == __fix_to_virt(FIX_KMAP_BEGIN), "kmap_local depth 0 %p", (void *)la);
	volatile uint32_t *ab = kmap_atomic(b);
	local_flushes++;
	CHECK(va(ab) == __fix_to_virt(FIX_KMAP_BEGIN + 1), "kmap_atomic depth 1 %p", (void *)ab);
	CHECK(*kmap_idx == 2, "shared depth %ld", (long)*kmap_idx);
	check_pattern(la, page_to_pfn(a), "kmap_local under kmap_atomic");
	check_pattern(ab, page_to_pfn(b), "kmap_atomic over kmap_local");
	kunmap_atomic((void *)ab);
	/* v5.11+ (--kernel 6.6): __kunmap_atomic() is kunmap_local_indexed(),
	 * which clears the PTE and flushes (include/linux/highmem-internal.h,
	 * arch_kmap_local_post_unmap in arch/arm/include/asm/highmem.h, v6.6). */
	if (kmaplab_kernel_info(KINFO_KERNEL_VERSION) >= KERNEL_VERSION_CODE(5, 11))
		local_flushes++;
	volatile uint32_t *lb = kmap_local_page(b); /* depth 1 again */
	local_flushes++;
	CHECK(va(lb) == __fix_to_virt(FIX_KMAP_BEGIN + 1), "kmap_local depth 1 %p", (void *)lb);
	check_pattern(lb, page_to_pfn(b), "kmap_local at kmap_atomic's depth");
	lb[4] = 0xabcd0004u;
	kunmap_local((void *)lb);
	local_flushes++;
	kunmap_local((void *)la);
	local_flushes++;
	CHECK(*kmap_idx == 0, "depth %ld at the end", (long)*kmap_idx);
	volatile uint32_t *kb = kmap(b);
	CHECK(kb[4] == 0xabcd0004u, "write through kmap_local read through kmap: 0x%08lx", (unsigned long)kb[4]);
	kunmap(b);
	kunmap(kmapped);

	printf("expected: local_flushes=%u\n", local_flushes);
	printf("kmap_local_nest: ok\n");
	return 0;
}
