/* SPDX-License-Identifier: MIT */
/* mem_map set-up and a simple, deterministic order-0 page allocator
 * (see gfp.h and page.h). */
#include "gfp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bug.h"
#include "highmem.h"
#include "kdata.h"
#include "page.h"

static bool overlaps(uint32_t pfn, uint32_t start, uint32_t end)
{
	uint64_t pa = (uint64_t)pfn << PAGE_SHIFT;
	return start < end && pa < end && pa + PAGE_SIZE > start;
}

/* Boot memory the guest is using: never handed to the allocator even if
 * an emulator placed it above memblock_next. */
static bool boot_reserved(const struct boot_mem *b, uint32_t pfn)
{
	return overlaps(pfn, b->image_start, b->image_end) ||
	       overlaps(pfn, b->heap_start, b->heap_end) ||
	       overlaps(pfn, b->stack_base, b->stack_top);
}

/* __init_single_page(): zone in flags, reserved until freed. */
static void init_page(struct kmap_state *ks, uint32_t pfn)
{
	uint32_t page = pfn_to_page(ks, pfn);
	uint32_t zone = pfn_zone(ks, pfn);
	kpoke32(ks, page + PAGE_OFF_FLAGS, zone << ZONES_PGSHIFT | 1u << PG_reserved);
	kpoke32(ks, page + PAGE_OFF_LRU, page + PAGE_OFF_LRU);
	kpoke32(ks, page + PAGE_OFF_LRU + 4, page + PAGE_OFF_LRU);
	kpoke32(ks, page + PAGE_OFF_MAPPING, 0);
	kpoke32(ks, page + PAGE_OFF_INDEX, 0);
	kpoke32(ks, page + PAGE_OFF_PRIVATE, 0);
	kpoke32(ks, page + PAGE_OFF_MAPCOUNT, PAGE_MAPCOUNT_NONE);
	kpoke32(ks, page + PAGE_OFF_REFCOUNT, 1);
}

/* Puts a page on its zone's free list (__free_pages_core at boot). */
static void free_one(struct kmap_state *ks, uint32_t pfn)
{
	uint32_t page = pfn_to_page(ks, pfn);
	struct zone *z = &ks->zones[pfn_zone(ks, pfn)];
	kpoke32(ks, page + PAGE_OFF_MAPCOUNT, PAGE_TYPE_BUDDY);
	ks->page_free[pfn - ks->arch_pfn_offset] = 1;
	z->nr_free++;
	if (pfn < z->next_free)
		z->next_free = pfn;
}

int page_alloc_init(struct kmap_state *ks, char *err, size_t errlen)
{
	struct boot_mem *b = &ks->mm->boot;
	uint32_t nr = ks->max_pfn - ks->arch_pfn_offset;

	ks->page_free = calloc(nr, 1);
	if (!ks->page_free) {
		snprintf(err, errlen, "out of memory for the page allocator");
		return -1;
	}
	for (unsigned i = 0; i < MAX_NR_ZONES; i++)
		ks->zones[i].name = zone_name((enum zone_type)i);
	ks->zones[ZONE_NORMAL].zone_start_pfn = ks->arch_pfn_offset;
	ks->zones[ZONE_NORMAL].spanned_pages = ks->max_low_pfn - ks->arch_pfn_offset;
	ks->zones[ZONE_HIGHMEM].zone_start_pfn = ks->max_low_pfn;
	ks->zones[ZONE_HIGHMEM].spanned_pages = ks->max_pfn - ks->max_low_pfn;
	ks->zones[ZONE_MOVABLE].zone_start_pfn = ks->max_pfn;
	for (unsigned i = 0; i < MAX_NR_ZONES; i++)
		ks->zones[i].next_free = UINT32_MAX;

	for (uint32_t pfn = ks->arch_pfn_offset; pfn < ks->max_pfn; pfn++)
		init_page(ks, pfn);

	/* memblock_free_all(): what memblock has not handed out goes to the
	 * allocator, and memblock is retired. */
	uint32_t lo = (b->memblock_next + PAGE_SIZE - 1) >> PAGE_SHIFT;
	uint32_t hi = b->memblock_end >> PAGE_SHIFT;
	if (hi > ks->max_low_pfn)
		hi = ks->max_low_pfn;
	b->memblock_end = b->memblock_next;
	for (uint32_t pfn = lo; pfn < hi; pfn++) {
		if (boot_reserved(b, pfn))
			continue;
		uint32_t page = pfn_to_page(ks, pfn);
		kpoke32(ks, page + PAGE_OFF_FLAGS, ZONE_NORMAL << ZONES_PGSHIFT);
		kpoke32(ks, page + PAGE_OFF_REFCOUNT, 0);
		free_one(ks, pfn);
	}
	for (uint32_t pfn = ks->max_low_pfn; pfn < ks->max_pfn; pfn++) {
		uint32_t page = pfn_to_page(ks, pfn);
		kpoke32(ks, page + PAGE_OFF_FLAGS, (uint32_t)ZONE_HIGHMEM << ZONES_PGSHIFT);
		kpoke32(ks, page + PAGE_OFF_REFCOUNT, 0);
		free_one(ks, pfn);
	}
	for (unsigned i = 0; i < MAX_NR_ZONES; i++)
		ks->zones[i].managed_pages = ks->zones[i].nr_free;
	return 0;
}

static uint32_t take_from(struct kmap_state *ks, struct zone *z)
{
	uint32_t end = z->zone_start_pfn + z->spanned_pages;
	for (uint32_t pfn = z->next_free; z->nr_free && pfn < end; pfn++) {
		if (!ks->page_free[pfn - ks->arch_pfn_offset])
			continue;
		ks->page_free[pfn - ks->arch_pfn_offset] = 0;
		z->nr_free--;
		z->next_free = pfn + 1;
		return pfn;
	}
	return UINT32_MAX;
}

uint32_t alloc_page(struct kmap_state *ks, uint32_t gfp)
{
	/* gfp_zone() and the zonelist: HIGHMEM falls back to NORMAL. */
	enum zone_type zonelist[2] = { ZONE_NORMAL, ZONE_NORMAL };
	unsigned nz = 1;
	if (gfp & __GFP_HIGHMEM) {
		zonelist[0] = ZONE_HIGHMEM;
		nz = 2;
	}
	for (unsigned i = 0; i < nz; i++) {
		uint32_t pfn = take_from(ks, &ks->zones[zonelist[i]]);
		if (pfn == UINT32_MAX)
			continue;
		uint32_t page = pfn_to_page(ks, pfn);
		/* prep_new_page(): set_page_refcounted, clear PageBuddy. */
		kwrite32(ks, page + PAGE_OFF_REFCOUNT, 1);
		kwrite32(ks, page + PAGE_OFF_MAPCOUNT, PAGE_MAPCOUNT_NONE);
		if (gfp & __GFP_ZERO)
			memset(phys_ptr(&ks->mm->mem, pfn << PAGE_SHIFT), 0, PAGE_SIZE);
		return page;
	}
	return 0;
}

void __free_page(struct kmap_state *ks, uint32_t page)
{
	if (!check_page(ks, page, "__free_page"))
		return;
	uint32_t pfn = page_to_pfn(ks, page);
	uint32_t flags = kread32(ks, page + PAGE_OFF_FLAGS);
	if (flags & (1u << PG_reserved)) {
		kmap_bug(ks, "__free_page: Bad page state: page 0x%08x (pfn 0x%x) is PG_reserved (not from alloc_page)",
			 page, pfn);
		return;
	}
	uint32_t ref = kread32(ks, page + PAGE_OFF_REFCOUNT);
	if (ref == 0 || ks->page_free[pfn - ks->arch_pfn_offset]) {
		kmap_bug(ks, "__free_page: VM_BUG_ON_PAGE(page_ref_count(page) == 0): page 0x%08x (pfn 0x%x) is already free (double free)",
			 page, pfn);
		return;
	}
	kwrite32(ks, page + PAGE_OFF_REFCOUNT, ref - 1);
	if (ref - 1)
		return; /* put_page_testzero() said someone else holds it */
	kwrite32(ks, page + PAGE_OFF_MAPCOUNT, PAGE_TYPE_BUDDY);
	free_one(ks, pfn);
}

uint32_t zone_nr_free(const struct kmap_state *ks, int zone)
{
	return (unsigned)zone < MAX_NR_ZONES ? ks->zones[zone].nr_free : 0;
}

uint32_t nr_free_pages(const struct kmap_state *ks)
{
	uint32_t n = 0;
	for (unsigned i = 0; i < MAX_NR_ZONES; i++)
		n += ks->zones[i].nr_free;
	return n;
}
