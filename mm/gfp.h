/* SPDX-License-Identifier: MIT */
/* The page allocator's interface (include/linux/gfp.h, v5.x values).
 *
 * A deliberately simple allocator, deterministic run to run: order-0 only,
 * each zone hands out its lowest free pfn.  Zone choice follows gfp_zone()
 * and the zonelist fallback: __GFP_HIGHMEM asks for ZONE_HIGHMEM and falls
 * back to ZONE_NORMAL when highmem is empty or absent (no highmem at all
 * with a 2G/2G split and 1 GiB of RAM); anything else is ZONE_NORMAL only.
 * __GFP_ZERO clears the page (on the host, uncharged: the kernel would do
 * it with kmap_atomic + memset, which is not modelled).
 *
 * Lowmem pages the allocator manages are those from memblock_next (after
 * every boot allocation, page aligned) to the end of lowmem; all of
 * highmem is free at boot. */
#ifndef KMAPLAB_MM_GFP_H
#define KMAPLAB_MM_GFP_H

#include <stddef.h>
#include <stdint.h>

struct kmap_state;

#define ___GFP_DMA 0x01u
#define ___GFP_HIGHMEM 0x02u
#define ___GFP_DMA32 0x04u
#define ___GFP_MOVABLE 0x08u
#define ___GFP_RECLAIMABLE 0x10u
#define ___GFP_HIGH 0x20u
#define ___GFP_IO 0x40u
#define ___GFP_FS 0x80u
#define ___GFP_ZERO 0x100u
#define ___GFP_ATOMIC 0x200u
#define ___GFP_DIRECT_RECLAIM 0x400u
#define ___GFP_KSWAPD_RECLAIM 0x800u
#define ___GFP_HARDWALL 0x100000u

#define __GFP_HIGHMEM ___GFP_HIGHMEM
#define __GFP_MOVABLE ___GFP_MOVABLE
#define __GFP_ZERO ___GFP_ZERO
#define __GFP_RECLAIM (___GFP_DIRECT_RECLAIM | ___GFP_KSWAPD_RECLAIM)
#define __GFP_IO ___GFP_IO
#define __GFP_FS ___GFP_FS
#define __GFP_HARDWALL ___GFP_HARDWALL

#define GFP_ATOMIC (___GFP_HIGH | ___GFP_ATOMIC | ___GFP_KSWAPD_RECLAIM) /* 0xa20 */
#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)                 /* 0xcc0 */
#define GFP_USER (GFP_KERNEL | __GFP_HARDWALL)                           /* 0x100cc0 */
#define GFP_HIGHUSER (GFP_USER | __GFP_HIGHMEM)                          /* 0x100cc2 */
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE)

/* Returns a struct page * (guest VA) with _refcount 1, or 0 if no zone the
 * gfp allows has a free page (the guest sees NULL, as from a kernel whose
 * allocation failed; nothing stops). */
uint32_t alloc_page(struct kmap_state *ks, uint32_t gfp);

/* __free_pages(page, 0): drops one reference; frees the page when it was
 * the last.  BUG on a bad struct page, on a reserved page, and on a page
 * whose _refcount is already 0 (a double free: VM_BUG_ON_PAGE in the
 * kernel, always checked here). */
void __free_page(struct kmap_state *ks, uint32_t page);

/* Set-up, called by kmap_init() once mem_map is allocated: initialises
 * every struct page (zone, PG_reserved, _refcount 1, _mapcount -1, lru),
 * then frees the pages the allocator manages and retires memblock.
 * Returns 0, or -1 with a reason. */
int page_alloc_init(struct kmap_state *ks, char *err, size_t errlen);

/* Free pages in one zone / in all zones. */
uint32_t zone_nr_free(const struct kmap_state *ks, int zone);
uint32_t nr_free_pages(const struct kmap_state *ks);

#endif
