/* SPDX-License-Identifier: MIT */
/* arm64 pages and the no-highmem kmap family (arm64_page.h). */
#include "arm64_page.h"

#include <stdlib.h>
#include <string.h>

#define GFP_ZERO 0x100u /* __GFP_ZERO, include/linux/gfp.h v5.x */

uint64_t a64_pfn_to_page(const struct a64_kernel *k, uint64_t pfn)
{
	uint64_t memstart_pfn = k->layout.phys_offset >> A64_PAGE_SHIFT;
	return k->layout.vmemmap_start + (pfn - memstart_pfn) * A64_STRUCT_PAGE_SIZE;
}

int64_t a64_page_to_pfn(const struct a64_kernel *k, const struct a64_pages *p, uint64_t page)
{
	uint64_t off = page - k->layout.vmemmap_start;
	if (page < k->layout.vmemmap_start || off % A64_STRUCT_PAGE_SIZE ||
	    off / A64_STRUCT_PAGE_SIZE >= p->end_pfn - p->memstart_pfn)
		return -1;
	return (int64_t)(p->memstart_pfn + off / A64_STRUCT_PAGE_SIZE);
}

/* __va(PFN_PHYS(pfn)): the linear map starts at PAGE_OFFSET for PHYS_OFFSET. */
uint64_t a64_pfn_to_virt(const struct a64_kernel *k, uint64_t pfn)
{
	return a64_phys_to_virt(&k->layout, pfn << A64_PAGE_SHIFT);
}

void a64_pages_init(struct a64_pages *p, const struct a64_kernel *k, uint64_t memmap_phys, uint64_t first_pfn,
		    uint64_t last_pfn)
{
	memset(p, 0, sizeof(*p));
	p->memstart_pfn = k->mem.base >> A64_PAGE_SHIFT;
	p->end_pfn = (k->mem.base + k->mem.size) >> A64_PAGE_SHIFT;
	p->memmap_phys = memmap_phys;
	p->first_free_pfn = p->next_fresh = first_pfn;
	p->last_free_pfn = last_pfn;
}

void a64_pages_free_all(struct a64_pages *p)
{
	free(p->free_list);
	p->free_list = NULL;
}

static uint8_t *struct_page(struct a64_kernel *k, const struct a64_pages *p, uint64_t pfn)
{
	return k->mem.host + (p->memmap_phys - k->mem.base) + (pfn - p->memstart_pfn) * A64_STRUCT_PAGE_SIZE;
}

static int32_t *refcount(struct a64_kernel *k, const struct a64_pages *p, uint64_t pfn)
{
	return (int32_t *)(void *)(struct_page(k, p, pfn) + A64_PAGE_REFCOUNT_OFF);
}

uint64_t a64_alloc_page(struct a64_kernel *k, struct a64_pages *p, unsigned gfp)
{
	uint64_t pfn;
	if (p->nfree)
		pfn = p->free_list[--p->nfree];
	else if (p->next_fresh < p->last_free_pfn)
		pfn = p->next_fresh++;
	else
		return 0;
	*refcount(k, p, pfn) = 1; /* set_page_refcounted() */
	if (gfp & GFP_ZERO)
		memset(k->mem.host + ((pfn << A64_PAGE_SHIFT) - k->mem.base), 0, A64_PAGE_SIZE);
	p->allocated++;
	return a64_pfn_to_page(k, pfn);
}

int a64_free_page(struct a64_kernel *k, struct a64_pages *p, uint64_t page)
{
	int64_t pfn = a64_page_to_pfn(k, p, page);
	if (pfn < 0 || (uint64_t)pfn < p->first_free_pfn || (uint64_t)pfn >= p->next_fresh ||
	    *refcount(k, p, (uint64_t)pfn) != 1)
		return -1;
	if (p->nfree == p->cap) {
		uint64_t cap = p->cap ? 2 * p->cap : 256;
		uint64_t *n = realloc(p->free_list, cap * sizeof(*n));
		if (!n)
			return -1;
		p->free_list = n;
		p->cap = cap;
	}
	*refcount(k, p, (uint64_t)pfn) = 0;
	p->free_list[p->nfree++] = (uint64_t)pfn;
	p->allocated--;
	return 0;
}
