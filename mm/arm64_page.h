/* SPDX-License-Identifier: MIT */
/* The arm64 kernel's pages without highmem (Linux v5.10): struct page in
 * the vmemmap array (`vmemmap = (struct page *)VMEMMAP_START -
 * (memstart_addr >> PAGE_SHIFT)`, arch/arm64 pgtable.h), every page in the
 * linear map, and the kmap family as include/linux/highmem.h defines it
 * when CONFIG_HIGHMEM is off: kmap(), kmap_atomic() and kmap_local_page()
 * return page_address() and nothing is mapped, flushed or unmapped.  The
 * page allocator is a LIFO free list over the RAM between the image window
 * and vmemmap's backing (enough to serve the guests' alloc_page). */
#ifndef KMAPLAB_MM_ARM64_PAGE_H
#define KMAPLAB_MM_ARM64_PAGE_H

#include <stdint.h>

#include "arm64.h"

#define A64_STRUCT_PAGE_SIZE 64 /* 1 << STRUCT_PAGE_MAX_SHIFT, v5.10 arm64 */
/* guest-tests/kmaplab/guest.h's struct page on AArch64, field offsets. */
#define A64_PAGE_FLAGS_OFF 0
#define A64_PAGE_REFCOUNT_OFF 52

struct a64_pages {
	uint64_t memstart_pfn, end_pfn;   /* RAM's first and one-past-last pfn */
	uint64_t memmap_phys;             /* backing of vmemmap[memstart_pfn...] */
	uint64_t first_free_pfn, last_free_pfn; /* allocatable [first, last) */
	uint64_t next_fresh;              /* pfns below it have been handed out once */
	uint64_t *free_list;              /* freed pfns, LIFO */
	uint64_t nfree, cap;
	uint64_t allocated;               /* pages out now */
};

/* vmemmap's struct page for `pfn`, and back (VAs). */
uint64_t a64_pfn_to_page(const struct a64_kernel *k, uint64_t pfn);
/* -1 if `page` is not the VA of a struct page of RAM. */
int64_t a64_page_to_pfn(const struct a64_kernel *k, const struct a64_pages *p, uint64_t page);
/* The linear-map VA of a pfn (page_address for every page: no highmem). */
uint64_t a64_pfn_to_virt(const struct a64_kernel *k, uint64_t pfn);

/* Sets up the allocator over [first_pfn, last_pfn); the struct pages of
 * all of RAM live at memmap_phys (zeroed by the caller). */
void a64_pages_init(struct a64_pages *p, const struct a64_kernel *k, uint64_t memmap_phys, uint64_t first_pfn,
		    uint64_t last_pfn);
void a64_pages_free_all(struct a64_pages *p);
/* alloc_page(gfp): the struct page VA, 0 when none is left (__GFP_ZERO
 * zeroes it); __free_page: 0, or -1 for a page that is not allocated. */
uint64_t a64_alloc_page(struct a64_kernel *k, struct a64_pages *p, unsigned gfp);
int a64_free_page(struct a64_kernel *k, struct a64_pages *p, uint64_t page);

#endif
