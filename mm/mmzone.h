/* SPDX-License-Identifier: MIT */
/* Memory zones (include/linux/mmzone.h), as an ARM32 highmem kernel has
 * them with one node and no ZONE_DMA: ZONE_NORMAL is lowmem (mapped
 * linearly at PAGE_OFFSET), ZONE_HIGHMEM is the RAM above the lowmem limit
 * (layout.lowmem_size), reachable only through pkmap or fixmap.
 * ZONE_MOVABLE exists in the enum (it sizes ZONES_WIDTH) but is empty. */
#ifndef KMAPLAB_MM_MMZONE_H
#define KMAPLAB_MM_MMZONE_H

#include <stdint.h>

enum zone_type {
	ZONE_NORMAL,
	ZONE_HIGHMEM,
	ZONE_MOVABLE,
	__MAX_NR_ZONES
};

#define MAX_NR_ZONES __MAX_NR_ZONES

/* The page allocator's view of one zone.  Host-side bookkeeping: the zone
 * structs of a real kernel are not part of what guests read here. */
struct zone {
	const char *name;          /* "Normal", "HighMem", "Movable" */
	uint32_t zone_start_pfn;
	uint32_t spanned_pages;
	uint32_t managed_pages;    /* pages handed to the allocator at boot */
	uint32_t nr_free;
	uint32_t next_free;        /* no free page below this pfn (search hint) */
};

static inline const char *zone_name(enum zone_type z)
{
	static const char *const names[] = { "Normal", "HighMem", "Movable" };
	return (unsigned)z < MAX_NR_ZONES ? names[z] : "?";
}

#endif
