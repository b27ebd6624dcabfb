/* SPDX-License-Identifier: MIT */
/* The architectural TLB-hazard rules of mm/hazard.h, for the AArch64
 * machine's 64-bit descriptors at every level (ARMv8-A ARM DDI 0487,
 * F.c/G.a numbering: D5.10.1 "General TLB maintenance requirements" with
 * its "Using break-before-make when updating translation table entries",
 * D5.10.2 "TLB maintenance instructions"; in our own words):
 *
 *  1. A TLB may hold any translation, and any table entry a walk read on
 *     the way to one ("walk cache" or intermediate entries), that was
 *     valid since the last invalidate covering it; after a valid
 *     descriptor changes (a page, a level 1/2 block or a level 0-2 table
 *     pointer), an access whose current translation differs from the one
 *     the old descriptor gives is a stale_tlb hazard.  What covers it: a
 *     TLBI by VA inside the range the descriptor maps (VAE1, VAAE1; for
 *     leaf entries -- pages and blocks -- also the last-level-only VALE1,
 *     VAALE1), VMALLE1, ASIDE1 for a non-global leaf of that ASID.  The
 *     last-level forms need not remove entries of earlier levels of the
 *     walk, so after a table pointer changes they leave it stale.
 *  2. An invalidate completes at the DSB after it and is seen by the
 *     instructions after a following ISB: an access to the VA between the
 *     TLBI and that DSB + ISB is a barrier hazard.
 *  3. The descriptor store must be visible to the walker before the TLBI
 *     (DSB between them), else the walker can refill the old entry: a
 *     TLBI covering a changed descriptor stored since the last DSB is a
 *     barrier hazard.  (ARMv8 walks are coherent with the data cache: no
 *     clean is needed, so no pte_not_cleaned.)
 *  4. Break-before-make: a valid descriptor may be replaced by another
 *     valid one only if neither the walk's shape (block <-> table) nor,
 *     for pages and blocks, the memory type (AttrIndx), the shareability,
 *     the contiguous hint, global-ness (nG 1 -> 0) or -- when either
 *     translation is writable -- the output address change.  Otherwise it
 *     must be written invalid, DSB, TLBI (covering it), DSB, and only then
 *     the new value: a bbm hazard at the store that skips a step.  Table ->
 *     table retargets are left to rule 1 (docs/aarch64.md says why).
 *
 * ASIDs (D5.9.1 "Global and process-specific translation table entries"):
 * a non-global (nG) translation is tagged with the ASID current when it
 * was walked; an old non-global translation is kept once per ASID the CPU
 * has had current since the run started (a superset of "while it was
 * valid", as mm/hazard.c's fallback), and an access under ASID X is checked
 * only against global ones and those tagged X.
 *
 * One CPU.  The checker is separate from mm/hazard.c, whose tables hold
 * 32-bit VAs and short/LPAE descriptors.  Bounded: what does not fit is
 * counted in untracked. */
#ifndef KMAPLAB_MM_HAZARD_A64_H
#define KMAPLAB_MM_HAZARD_A64_H

#include <stdbool.h>
#include <stdint.h>

#include "arm64.h"

#define A64_HZ_TABLES 256
#define A64_HZ_SET_MAX 1024
#define A64_HZ_ASIDS 64

/* A64_HZ_OBSERVED: the modelled TLB (mm/tlb_a64.c) served a stale entry
 * (--hazards observed reports those only; the checker then only watches
 * the tables, so that the TLB model learns of every descriptor store). */
enum a64_hz_kind { A64_HZ_NONE, A64_HZ_STALE, A64_HZ_BARRIER_ACCESS, A64_HZ_BARRIER_STORE, A64_HZ_BBM, A64_HZ_OBSERVED };

struct a64_hz_entry {
	uint64_t va;     /* base of the range the old descriptor maps */
	uint64_t old;    /* the possibly-cached descriptor */
	uint64_t pte_pa; /* where it is stored */
	uint16_t asid;   /* for a non-global page or block */
	uint8_t level;   /* 0..3: the range is 1 << a64_hz_shift(level) */
	bool global;
	bool unpublished; /* stored since the last DSB */
	bool last_level_only; /* a VALE1/VAALE1 covered it (table entries: not enough) */
	uint8_t state;   /* 0 cached; 1 invalidated, DSB due; 2 DSB done, ISB due */
};

/* A watched translation table: its physical page, the level of its
 * entries and the VA its entry 0 maps. */
struct a64_hz_table {
	uint64_t pa, va;
	uint8_t level;
};

/* What one report names (filled by the calls that return a kind). */
struct a64_hz_report {
	uint64_t va;     /* the access's or the TLBI's VA, or the range's base */
	uint64_t old;    /* the stale / replaced descriptor */
	uint64_t now;    /* the descriptor the walk finds now (0: none) / the new one */
	uint64_t pte_pa;
	unsigned level;  /* of the old descriptor */
	uint16_t asid;
	bool global, table, last_level_only;
};

struct a64_hazard {
	const struct a64_mem *mem;
	unsigned va_bits;
	uint64_t ttbr0, ttbr1; /* current, table addresses */
	uint16_t asid;         /* current ASID (TCR_EL1.A1 selects the TTBR, .AS 8/16 bits) */
	bool asid16;
	bool observed_only;    /* --hazards observed: watch tables, keep no records */
	uint16_t asids_seen[A64_HZ_ASIDS];
	unsigned nasids;
	struct a64_hz_table tables[A64_HZ_TABLES];
	unsigned ntables;
	struct a64_hz_entry set[A64_HZ_SET_MAX];
	unsigned nset;
	struct { uint64_t stale, barrier, bbm, untracked; } stats;
};

/* log2 of the range one descriptor at `level` maps (4 KiB granule). */
static inline unsigned a64_hz_shift(unsigned level)
{
	return 12 + 9 * (3 - level);
}

/* Watches the TTBR1 tables from swapper_pg_dir down (every table
 * reachable now), with ASID `asid` current. */
void a64_hazard_init(struct a64_hazard *h, const struct a64_mem *mem, unsigned va_bits, uint64_t ttbr0,
		     uint64_t ttbr1);
/* A new TTBR0/TTBR1/ASID (a guest MSR of TTBR0_EL1, TTBR1_EL1 or TCR_EL1):
 * tables under a new TTBR are watched from then on. */
void a64_hazard_set_regime(struct a64_hazard *h, uint64_t ttbr0, uint64_t ttbr1, uint16_t asid, bool asid16);
/* A table at physical `pa` whose entries are at `level`, entry 0 mapping `va`. */
void a64_hazard_watch_table(struct a64_hazard *h, uint64_t pa, uint64_t va, unsigned level);
/* Whether `pa` is in a watched table page. */
bool a64_hazard_pt_watched(const struct a64_hazard *h, uint64_t pa);
/* An 8-byte descriptor store at `pa` (watched), old -> new: A64_HZ_BBM
 * (and *r) when it breaks break-before-make, else A64_HZ_NONE. */
enum a64_hz_kind a64_hazard_pt_store(struct a64_hazard *h, uint64_t pa, uint64_t old, uint64_t new_desc,
				     struct a64_hz_report *r);
/* A TLBI with its operand register (VA[55:12] in bits [43:0], ASID in
 * [63:48], as __TLBI_VADDR builds it): A64_HZ_BARRIER_STORE (and *r) for
 * the first covered descriptor stored with no DSB since, else A64_HZ_NONE. */
enum a64_hz_kind a64_hazard_tlbi(struct a64_hazard *h, enum a64_tlbi op, uint64_t operand,
				 struct a64_hz_report *r);
void a64_hazard_dsb(struct a64_hazard *h);
void a64_hazard_isb(struct a64_hazard *h);
static inline bool a64_hazard_quiet(const struct a64_hazard *h)
{
	return h->nset == 0;
}
/* An access to `va` under the current regime: the hazard kind (and *r). */
enum a64_hz_kind a64_hazard_access(struct a64_hazard *h, uint64_t va, struct a64_hz_report *r);
/* The translation of `va` from the table at `table` whose entries are at
 * `level`: true with the leaf descriptor and its level. */
bool a64_hz_walk_from(const struct a64_mem *m, uint64_t table, unsigned level, uint64_t va, uint64_t *desc,
		      unsigned *leaf_level);

#endif
