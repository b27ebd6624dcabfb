/* SPDX-License-Identifier: MIT */
/* Kernel BUGs a guest can provoke in the kmap family, one per run: the
 * argument names the case.  Each must stop the run with status 73 and one
 * `kernel BUG:` line naming the kernel check and the guest function that
 * made the call (bug_<case>+0x...); the stats file is still written
 * (guest.stop kernel_bug).  The checks, from Linux v5.x:
 *
 *   kunmap_unmapped   kunmap_high(): BUG_ON(!vaddr) -- never kmapped
 *   kunmap_flushed    the same after a wrap's flush_all_zero_pkmaps()
 *                     took the page's address away (kmap, kunmap, 512
 *                     other kmaps, kunmap)
 *   kunmap_twice      kunmap_high(): case 0: BUG() -- the count went to 0
 *   atomic_order      __kunmap_atomic(): BUG_ON(vaddr != __fix_to_virt(idx))
 *                     (DEBUG_HIGHMEM; kmaplab's strict=1): the outer address
 *                     unmapped first
 *   atomic_fixmap     the same for a fixmap address kmap_atomic never returned
 *   atomic_user       kunmap_atomic of a user address (strict=1)
 *   atomic_none       kmap_atomic_idx_pop(): BUG_ON(idx < 0) -- nothing mapped
 *   atomic_of_local   kunmap_atomic of a kmap_local_page address (strict=1)
 *   atomic_deep       kmap_atomic_idx_push(): BUG_ON(idx >= KM_TYPE_NR)
 *   local_order       kunmap_local of the outer kmap_local_page first
 *   local_deep        kmap_local_idx_push(): BUG_ON(idx >= KM_MAX_IDX)
 *   set_fixmap_range  __set_fixmap(): BUG_ON(idx >= __end_of_fixed_addresses)
 *   clear_fixmap_range  the same through clear_fixmap
 *   page_outside      a struct page * below mem_map (kmap)
 *   page_end          pfn_to_page(max_pfn), one past mem_map (kmap_atomic)
 *   page_misaligned   a pointer into the middle of a struct page (kmap)
 *   page_kunmap       a misaligned struct page * to kunmap
 *   page_local        a misaligned struct page * to kmap_local_page
 *
 * usage: kmap_bugs CASE */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmaplab/guest.h"

#define LAST_PKMAP 512u
#define KM_TYPE_NR 16u /* ARM's (arch/arm/include/asm/kmap_types.h, v5.10): the default */

/* noipa: GCC's identical code folding must not merge two cases into one
 * symbol -- the report names the function. */
#define CASE __attribute__((noinline, noipa)) static void

static struct page *h1, *h2, *others[LAST_PKMAP];

static void fail(const char *why)
{
	printf("FAIL: %s: no BUG\n", why);
	fflush(stdout);
	exit(1);
}

CASE bug_kunmap_unmapped(void)
{
	kunmap(h1);
}

CASE bug_kunmap_flushed(void)
{
	kmap(h1); /* slot 1 */
	kunmap(h1);
	for (unsigned i = 0; i < LAST_PKMAP; i++) { /* the last one wraps */
		kmap(others[i]);
		kunmap(others[i]);
	}
	if (page_address(h1))
		fail("h1 still has a pkmap address after the wrap");
	kunmap(h1);
}

CASE bug_kunmap_twice(void)
{
	kmap(h1);
	kunmap(h1);
	kunmap(h1);
}

CASE bug_atomic_order(void)
{
	void *a = kmap_atomic(h1);
	kmap_atomic(h2);
	kunmap_atomic(a);
}

CASE bug_atomic_fixmap(void)
{
	kmap_atomic(h1);
	kunmap_atomic((void *)fix_to_virt(5) + 0x10);
}

CASE bug_atomic_user(void)
{
	kunmap_atomic((void *)0x00100000);
}

CASE bug_atomic_none(void)
{
	kunmap_atomic((void *)fix_to_virt(1));
}

CASE bug_atomic_of_local(void)
{
	void *p = kmap_local_page(h1);
	kunmap_atomic(p);
}

CASE bug_atomic_deep(void)
{
	for (unsigned i = 0; i <= KM_TYPE_NR; i++)
		kmap_atomic(others[i]);
}

CASE bug_local_order(void)
{
	void *a = kmap_local_page(h1);
	kmap_local_page(h2);
	kunmap_local(a);
}

CASE bug_local_deep(void)
{
	for (unsigned i = 0; i < KM_TYPE_NR; i++)
		kmap_local_page(others[i]);
}

CASE bug_set_fixmap_range(void)
{
	/* __end_of_fixed_addresses: max(FIX_TEXT_POKE1 + 1 = KM_TYPE_NR + 3,
	 * FIX_BTMAP_BEGIN + 1 = 225) = 225 */
	set_fixmap(225, page_to_pfn(h1) << PAGE_SHIFT);
}

CASE bug_clear_fixmap_range(void)
{
	clear_fixmap(768);
}

CASE bug_page_outside(void)
{
	kmap((struct page *)(uintptr_t)(kmaplab_kernel_info(KINFO_PAGE_OFFSET) + 0x1000));
}

CASE bug_page_end(void)
{
	kmap_atomic(pfn_to_page(kmaplab_kernel_info(KINFO_MAX_PFN)));
}

CASE bug_page_misaligned(void)
{
	kmap((struct page *)((char *)h1 + 4));
}

CASE bug_page_kunmap(void)
{
	kmap(h1);
	kunmap((struct page *)((char *)h1 + 16));
}

CASE bug_page_local(void)
{
	kmap_local_page((struct page *)((char *)h2 - 8));
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
	{ "kunmap_unmapped", bug_kunmap_unmapped },
	{ "kunmap_flushed", bug_kunmap_flushed },
	{ "kunmap_twice", bug_kunmap_twice },
	{ "atomic_order", bug_atomic_order },
	{ "atomic_fixmap", bug_atomic_fixmap },
	{ "atomic_user", bug_atomic_user },
	{ "atomic_none", bug_atomic_none },
	{ "atomic_of_local", bug_atomic_of_local },
	{ "atomic_deep", bug_atomic_deep },
	{ "local_order", bug_local_order },
	{ "local_deep", bug_local_deep },
	{ "set_fixmap_range", bug_set_fixmap_range },
	{ "clear_fixmap_range", bug_clear_fixmap_range },
	{ "page_outside", bug_page_outside },
	{ "page_end", bug_page_end },
	{ "page_misaligned", bug_page_misaligned },
	{ "page_kunmap", bug_page_kunmap },
	{ "page_local", bug_page_local },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		printf("usage: kmap_bugs CASE\n");
		return 2;
	}
	if (kmaplab_kernel_info(KINFO_KM_TYPE_NR) != KM_TYPE_NR) {
		printf("run with the default KM_TYPE_NR\n");
		return 2;
	}
	h1 = alloc_page(GFP_HIGHUSER);
	h2 = alloc_page(GFP_HIGHUSER);
	for (unsigned i = 0; i < LAST_PKMAP; i++)
		others[i] = alloc_page(GFP_HIGHUSER);
	if (!h1 || !h2 || !others[LAST_PKMAP - 1] || !PageHighMem(h1) || !PageHighMem(others[LAST_PKMAP - 1])) {
		printf("FAIL: no highmem pages\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(argv[1], cases[i].name))
			continue;
		printf("case %s: h1 page %p pfn 0x%lx, h2 page %p pfn 0x%lx\n", cases[i].name, (void *)h1,
		       (unsigned long)page_to_pfn(h1), (void *)h2, (unsigned long)page_to_pfn(h2));
		fflush(stdout);
		cases[i].fn();
		fail(cases[i].name);
	}
	printf("unknown case %s\n", argv[1]);
	return 2;
}
