/* SPDX-License-Identifier: MIT */
/* The architectural TLB-hazard rules of mm/hazard.h, for the AArch64
 * machine's 64-bit descriptors (ARMv8-A ARM DDI 0487, D5.10 "TLB
 * maintenance requirements" and D5.10.2 "TLB maintenance instructions";
 * the same three rules as ARMv7's B3.10.1, in our own words):
 *
 *  1. A TLB may hold any translation that was valid since the last
 *     invalidate covering it; after a valid descriptor changes, an access
 *     whose current translation differs from a possibly-cached one is a
 *     stale_tlb hazard.
 *  2. An invalidate completes at the DSB after it and is seen by the
 *     instructions after a following ISB: an access to the VA between the
 *     TLBI and that DSB + ISB is a barrier hazard.
 *  3. The descriptor store must be visible to the walker before the TLBI
 *     (DSB between them), else the walker can refill the old entry: a
 *     TLBI covering a changed descriptor stored since the last DSB is a
 *     barrier hazard.  (ARMv8 walks are coherent with the data cache: no
 *     clean is needed, so no pte_not_cleaned.)
 *
 * The checker is separate from mm/hazard.c, whose tables hold 32-bit VAs
 * and short/LPAE descriptors.  It watches level-3 tables (bm_pte and the
 * pte tables __create_pgd_mapping() makes), one CPU, global kernel
 * entries (nG clear: ASIDE1 removes none of them).  Bounded: what does not
 * fit is counted in untracked. */
#ifndef KMAPLAB_MM_HAZARD_A64_H
#define KMAPLAB_MM_HAZARD_A64_H

#include <stdbool.h>
#include <stdint.h>

#include "arm64.h"

#define A64_HZ_TABLES 64
#define A64_HZ_SET_MAX 1024

enum a64_hz_kind { A64_HZ_NONE, A64_HZ_STALE, A64_HZ_BARRIER_ACCESS, A64_HZ_BARRIER_STORE };

struct a64_hz_entry {
	uint64_t va;  /* page */
	uint64_t old; /* the possibly-cached descriptor */
	uint64_t pte_pa;
	uint8_t state; /* 0 cached; 1 invalidated, DSB due; 2 DSB done, ISB due */
};

struct a64_hazard {
	struct { uint64_t pa, va; } tables[A64_HZ_TABLES];
	unsigned ntables;
	struct a64_hz_entry set[A64_HZ_SET_MAX];
	unsigned nset;
	struct { uint64_t va, pte_pa; } unpublished[A64_HZ_SET_MAX]; /* stored since the last DSB */
	unsigned nunpub;
	struct { uint64_t stale, barrier, untracked; } stats;
};

void a64_hazard_init(struct a64_hazard *h);
/* A level-3 table at physical `pa` maps the 2 MiB at `va`. */
void a64_hazard_watch_table(struct a64_hazard *h, uint64_t pa, uint64_t va);
/* Whether `pa` is in a watched table page. */
bool a64_hazard_pt_watched(const struct a64_hazard *h, uint64_t pa);
/* An 8-byte descriptor store at `pa` (watched), old -> new. */
void a64_hazard_pt_store(struct a64_hazard *h, uint64_t pa, uint64_t old, uint64_t new_desc);
/* A TLBI with its operand register (VA[55:12] in bits [43:0], as
 * __TLBI_VADDR builds it): returns A64_HZ_BARRIER_STORE (and *bad_va, *pte_pa) for the first
 * covered descriptor stored with no DSB since, else A64_HZ_NONE. */
enum a64_hz_kind a64_hazard_tlbi(struct a64_hazard *h, enum a64_tlbi op, uint64_t operand, uint64_t *bad_va,
				 uint64_t *pte_pa);
void a64_hazard_dsb(struct a64_hazard *h);
void a64_hazard_isb(struct a64_hazard *h);
static inline bool a64_hazard_quiet(const struct a64_hazard *h)
{
	return h->nset == 0;
}
/* An access to `va` whose current level-3 descriptor is `cur` (0 if it
 * does not translate): the hazard kind, with the stale descriptor. */
enum a64_hz_kind a64_hazard_access(struct a64_hazard *h, uint64_t va, uint64_t cur, uint64_t *old);

#endif
