/* SPDX-License-Identifier: MIT */
/* The ARM32 fixmap (arch/arm/include/asm/fixmap.h, v5.x): 768 page slots
 * from FIXADDR_START 0xffc00000 to FIXADDR_END 0xfff00000, slot `idx` at
 * __fix_to_virt(idx) = FIXADDR_TOP - (idx << PAGE_SHIFT), index 0 highest.
 *
 *   enum fixed_addresses {
 *	FIX_EARLYCON_MEM_BASE,                              0
 *	__end_of_permanent_fixed_addresses,                 1
 *	FIX_KMAP_BEGIN = __end_of_permanent_fixed_addresses,
 *	FIX_KMAP_END = FIX_KMAP_BEGIN + KM_TYPE_NR * NR_CPUS - 1,
 *	FIX_TEXT_POKE0, FIX_TEXT_POKE1,
 *	__end_of_fixmap_region,
 *	// early_ioremap shares the kmap region: "guaranteed not to clash
 *	// since early_ioremap() is only available before paging_init(), and
 *	// kmap() only after" -- kmaplab lets a guest use both and does not
 *	// check for a clash, as the kernel does not.
 *	FIX_BTMAP_END = __end_of_permanent_fixed_addresses,  1
 *	FIX_BTMAP_BEGIN = FIX_BTMAP_END + TOTAL_FIX_BTMAPS - 1,  224
 *	__end_of_early_ioremap_region                         225
 *   };
 *   __end_of_fixed_addresses = max(__end_of_fixmap_region,
 *                                  __end_of_early_ioremap_region)
 *
 * ARM32 has NR_FIX_BTMAPS 32 (128 KiB per early_ioremap slot), 7 slots;
 * the 256 KiB (SZ_256K / PAGE_SIZE = 64 pages) of the seeds is arm64's.
 * The kmap slots per CPU -- KM_TYPE_NR (16 on ARM, arch/arm/include/asm/
 * kmap_types.h, v5.10; the seed's 20 is asm-generic's) or KM_MAX_IDX (16,
 * 33 with DEBUG_KMAP_LOCAL, v6.6) -- come from the kernel profile
 * (mm/kernel.h) and NR_CPUS is an option, so the enum is computed at run
 * time. */
#ifndef KMAPLAB_MM_FIXMAP_H
#define KMAPLAB_MM_FIXMAP_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

#define FIXMAP_SLOTS ((FIXADDR_END - FIXADDR_START) >> PAGE_SHIFT) /* 768 */

#define FIX_EARLYCON_MEM_BASE 0u
#define __end_of_permanent_fixed_addresses 1u
#define NR_FIX_BTMAPS 32u
#define FIX_BTMAPS_SLOTS 7u
#define TOTAL_FIX_BTMAPS (NR_FIX_BTMAPS * FIX_BTMAPS_SLOTS)
#define FIX_BTMAP_END __end_of_permanent_fixed_addresses
#define FIX_BTMAP_BEGIN (FIX_BTMAP_END + TOTAL_FIX_BTMAPS - 1)
#define __end_of_early_ioremap_region (FIX_BTMAP_BEGIN + 1)

#define NR_CPUS_DEFAULT 1u /* the model has one core */

struct fixmap_layout {
	unsigned km_type_nr;
	unsigned nr_cpus;
	uint32_t fix_kmap_begin;
	uint32_t fix_kmap_end;
	uint32_t fix_text_poke0;
	uint32_t fix_text_poke1;
	uint32_t end_of_fixmap_region;
	uint32_t end_of_fixed_addresses;
};

/* Computes the enum for KM_TYPE_NR `km_type_nr` and NR_CPUS `nr_cpus`.
 * Returns 0, or -1 with a reason if the slots do not fit in the 768 (the
 * kernel's BUILD_BUG_ON in __set_fixmap) or a value is 0. */
int fixmap_layout_init(struct fixmap_layout *f, unsigned km_type_nr, unsigned nr_cpus,
		       char *err, size_t errlen);

/* The bm_pte entry (0..767) that maps fixmap slot `idx` (< FIXMAP_SLOTS). */
static inline uint32_t fixmap_pte_index(uint32_t idx)
{
	return (__fix_to_virt(idx) - FIXADDR_START) >> PAGE_SHIFT;
}

#endif
