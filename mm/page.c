/* SPDX-License-Identifier: MIT */
/* struct page and mem_map (see page.h). */
#include "page.h"

#include "bug.h"
#include "highmem.h"
#include "kdata.h"

static uint32_t nr_pages(const struct kmap_state *ks)
{
	return ks->max_pfn - ks->arch_pfn_offset;
}

bool page_valid(const struct kmap_state *ks, uint32_t page)
{
	uint32_t off = page - ks->mem_map;
	return page >= ks->mem_map && off / STRUCT_PAGE_SIZE < nr_pages(ks) &&
	       off % STRUCT_PAGE_SIZE == 0;
}

bool pfn_valid(const struct kmap_state *ks, uint32_t pfn)
{
	return pfn >= ks->arch_pfn_offset && pfn < ks->max_pfn;
}

bool check_page(struct kmap_state *ks, uint32_t page, const char *who)
{
	if (page_valid(ks, page))
		return true;
	uint32_t end = ks->mem_map + nr_pages(ks) * STRUCT_PAGE_SIZE;
	if (page >= ks->mem_map && page < end)
		kmap_bug(ks, "%s: bad struct page * 0x%08x: not at a struct page boundary (mem_map 0x%08x, %u bytes each)",
			 who, page, ks->mem_map, STRUCT_PAGE_SIZE);
	else
		kmap_bug(ks, "%s: bad struct page * 0x%08x: outside mem_map (0x%08x..0x%08x)", who,
			 page, ks->mem_map, end);
	return false;
}

uint32_t page_to_pfn(const struct kmap_state *ks, uint32_t page)
{
	return (page - ks->mem_map) / STRUCT_PAGE_SIZE + ks->arch_pfn_offset;
}

uint32_t pfn_to_page(const struct kmap_state *ks, uint32_t pfn)
{
	return ks->mem_map + (pfn - ks->arch_pfn_offset) * STRUCT_PAGE_SIZE;
}

enum zone_type pfn_zone(const struct kmap_state *ks, uint32_t pfn)
{
	return pfn < ks->max_low_pfn ? ZONE_NORMAL : ZONE_HIGHMEM;
}

enum zone_type page_zonenum(struct kmap_state *ks, uint32_t page)
{
	return (enum zone_type)((kread32(ks, page + PAGE_OFF_FLAGS) >> ZONES_PGSHIFT) & ZONES_MASK);
}

bool PageHighMem(struct kmap_state *ks, uint32_t page)
{
	return page_zonenum(ks, page) == ZONE_HIGHMEM;
}

uint32_t lowmem_page_address(const struct kmap_state *ks, uint32_t page)
{
	return __va(&ks->mm->layout, page_to_pfn(ks, page) << PAGE_SHIFT);
}
