/* SPDX-License-Identifier: MIT */
/* struct page and mem_map: one 32-byte descriptor per page frame of guest
 * RAM, in guest memory at a lowmem kernel VA, laid out as an ARM32 v5.x
 * kernel lays it out (FLATMEM, one node, no memcg, HASHED_PAGE_VIRTUAL so
 * no page->virtual):
 *
 *   offset  field                 kmaplab keeps
 *    0      unsigned long flags   zone in bits [31:30], PG_* bits below
 *    4      struct list_head lru  next, prev: INIT_LIST_HEAD (points at itself)
 *   12      mapping               0
 *   16      index                 0
 *   20      private               0
 *   24      _mapcount / page_type -1 in use; PageBuddy (0xffffff7f) while free
 *   28      atomic_t _refcount    0 free, >= 1 in use (1 for reserved pages)
 *
 * mem_map[0] describes pfn ARCH_PFN_OFFSET (PHYS_OFFSET >> PAGE_SHIFT), so
 *   page_to_pfn(page) = (page - mem_map) / 32 + ARCH_PFN_OFFSET
 * and its VA is KINFO_MEM_MAP.
 *
 * page->flags (include/linux/page-flags-layout.h): SECTIONS_WIDTH 0
 * (no SPARSEMEM), NODES_WIDTH 0 (one node), ZONES_WIDTH 2 (three zones),
 * so ZONES_PGSHIFT = 32 - 2 = 30 and
 *   page_zonenum(page) = (page->flags >> 30) & 3
 *   PageHighMem(page)  = page_zonenum(page) == ZONE_HIGHMEM (1)
 * Guests test PageHighMem exactly that way.  Page-flag bits used:
 * PG_reserved (bit 12) on every page the allocator does not manage (the
 * kernel image, page tables, memblock allocations). */
#ifndef KMAPLAB_MM_PAGE_H
#define KMAPLAB_MM_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "mmzone.h"

struct kmap_state;

#define STRUCT_PAGE_SIZE 32u

/* Field offsets in struct page. */
#define PAGE_OFF_FLAGS 0u
#define PAGE_OFF_LRU 4u
#define PAGE_OFF_MAPPING 12u
#define PAGE_OFF_INDEX 16u
#define PAGE_OFF_PRIVATE 20u
#define PAGE_OFF_MAPCOUNT 24u
#define PAGE_OFF_REFCOUNT 28u

#define ZONES_WIDTH 2u
#define ZONES_PGSHIFT (32u - ZONES_WIDTH)
#define ZONES_MASK ((1u << ZONES_WIDTH) - 1)

/* include/linux/page-flags.h (v5.x order). */
enum pageflags {
	PG_locked,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_active,
	PG_workingset,
	PG_waiters,
	PG_error,
	PG_slab,
	PG_owner_priv_1,
	PG_arch_1,
	PG_reserved,
	PG_private,
	PG_private_2,
	PG_writeback,
	PG_head,
};

/* page_type values in the _mapcount word (include/linux/page-flags.h). */
#define PAGE_MAPCOUNT_NONE 0xffffffffu /* _mapcount == -1 */
#define PAGE_TYPE_BUDDY 0xffffff7fu    /* PAGE_TYPE_BASE with PG_buddy (0x80) cleared */

/* True if `page` points at the start of a struct page inside mem_map. */
bool page_valid(const struct kmap_state *ks, uint32_t page);
bool pfn_valid(const struct kmap_state *ks, uint32_t pfn);

/* Checks `page`; if it is not a struct page inside mem_map (outside it, or
 * not at a 32-byte boundary) reports "bad struct page" as a kernel BUG in
 * `who` and returns false. */
bool check_page(struct kmap_state *ks, uint32_t page, const char *who);

/* Pointer arithmetic only (the page must be valid / pfn_valid). */
uint32_t page_to_pfn(const struct kmap_state *ks, uint32_t page);
uint32_t pfn_to_page(const struct kmap_state *ks, uint32_t pfn);

/* The zone of a pfn by where it lies (what page->flags was set up from). */
enum zone_type pfn_zone(const struct kmap_state *ks, uint32_t pfn);

/* Read page->flags (one charged load each). */
enum zone_type page_zonenum(struct kmap_state *ks, uint32_t page);
bool PageHighMem(struct kmap_state *ks, uint32_t page);

/* __va(PFN_PHYS(page_to_pfn(page))): meaningful for lowmem pages only. */
uint32_t lowmem_page_address(const struct kmap_state *ks, uint32_t page);

#endif
