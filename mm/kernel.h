/* SPDX-License-Identifier: MIT */
/* The modelled kernel: which Linux version's highmem rules run, and the
 * config switches that change what happens (--kernel VERSION[,key=value...],
 * docs/kernel-profiles.md).
 *
 *   5.10 (default: the long-term kernel nearest the seeds' v5.0)
 *	kmap_atomic (arch/arm/mm/highmem.c, v5.10): kmap_high_get() first,
 *	else a per-CPU fixmap slot, set_fixmap_pte() + a local flush on map
 *	only; kunmap_atomic leaves the PTE (clears and flushes it only under
 *	DEBUG_HIGHMEM).  KM_TYPE_NR = 16 (arch/arm/include/asm/kmap_types.h,
 *	v5.10; the file is gone in v5.11).  20 is asm-generic's value, the
 *	one the seed blog quotes: km_type_nr=20 reproduces it.
 *   6.6
 *	kmap_atomic is kmap_local with preemption and page faults disabled
 *	(include/linux/highmem-internal.h, v6.6): kmap_high_get() first, else
 *	a fixmap slot whose PTE is set and flushed on map and cleared and
 *	flushed on unmap (arch_kmap_local_post_map/unmap, arch/arm/include/
 *	asm/highmem.h, v6.6).  Slots per CPU: KM_MAX_IDX = 16, or 33 with
 *	DEBUG_KMAP_LOCAL (include/asm-generic/kmap_size.h, v6.6), which then
 *	steps the index by 2 (KM_INCR, mm/highmem.c) leaving an unmapped guard
 *	slot between two maps.
 *
 * The TLB flush primitives (tlbflush.h, tlb-v6.S, tlb-v7.S) issue the same
 * operations in both versions; the errata switches change them (see
 * mm/tlbflush.h). */
#ifndef KMAPLAB_MM_KERNEL_H
#define KMAPLAB_MM_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

#define KM_TYPE_NR_ARM 16u     /* arch/arm/include/asm/kmap_types.h, v5.10 */
#define KM_TYPE_NR_GENERIC 20u /* include/asm-generic/kmap_types.h, v5.10; the seed's value */
#define KM_MAX_IDX 16u         /* include/asm-generic/kmap_size.h, v6.6 */
#define KM_MAX_IDX_DEBUG 33u   /* the same, with CONFIG_DEBUG_KMAP_LOCAL */

struct kernel_profile {
	const char *version;       /* "5.10", "6.6" */
	unsigned major, minor;
	/* v5.11+: kmap_atomic = kmap_local (flush on map and unmap). */
	bool kmap_atomic_is_local;
	/* Fixmap kmap slots per CPU: KM_TYPE_NR (v5.10) or KM_MAX_IDX (v6.6). */
	unsigned km_slots;
	/* Configuration (kernel.config.* in the stats). */
	bool smp;                  /* CONFIG_SMP: v7 cores use the Inner Shareable forms */
	bool debug_highmem;        /* CONFIG_DEBUG_HIGHMEM */
	bool debug_kmap_local;     /* CONFIG_DEBUG_KMAP_LOCAL (v6.6 only) */
	bool errata_720789;        /* CONFIG_ARM_ERRATA_720789 */
	bool errata_798181;        /* CONFIG_ARM_ERRATA_798181 */
};

/* The defaults of kernel `version` ("5.10" or "6.6"): SMP on, every debug
 * and errata switch off, KM_TYPE_NR 16 / KM_MAX_IDX 16.  Returns 0, or -1
 * for an unknown version. */
int kernel_profile_default(const char *version, struct kernel_profile *k);

/* Parses "VERSION[,key=value...]" (keys: km_type_nr=N (5.10 only), smp,
 * debug_highmem, debug_kmap_local (6.6 only), errata_720789,
 * errata_798181, each 0|1).  Returns 0, or -1 with one line in `err`. */
int kernel_profile_parse(const char *spec, struct kernel_profile *k, char *err, size_t errlen);

/* kmap_local's index step: KM_INCR, 2 with DEBUG_KMAP_LOCAL (guard slots). */
static inline unsigned kernel_km_incr(const struct kernel_profile *k)
{
	return k->debug_kmap_local ? 2u : 1u;
}

#endif
