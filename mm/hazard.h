/* SPDX-License-Identifier: MIT */
/* The architectural TLB-hazard checker: what the ARM architecture allows a
 * CPU's TLBs to hold, whatever one modelled TLB happened to keep.
 *
 * The rules (ARM DDI 0406C, B3.10 "TLB maintenance"; in our own words):
 *
 *  - A TLB may hold any translation that was valid in the translation
 *    tables at some time since the last TLB invalidate covering it on that
 *    CPU, whether or not the program ever used it: the walker may fetch
 *    descriptors speculatively (B3.10.1, "General TLB maintenance
 *    requirements").  Translations that fault are never cached.  So once a valid descriptor is changed, the
 *    previous translation stays "possibly cached" on every CPU until an
 *    invalidate covering its VA runs there; an access to that VA whose
 *    current translation differs from a possibly-cached one is a hazard
 *    (HAZARD_STALE), whether or not the model's TLB still had the entry.
 *
 *  - An invalidate is complete only after a DSB, and only instructions
 *    after a following ISB are guaranteed to see its effect (B3.10.1,
 *    "TLB maintenance operations and the memory order model").  An access
 *    to a VA whose stale translation an invalidate removed, before the
 *    DSB and ISB that complete it, is a HAZARD_BARRIER.
 *
 *  - ASIDs (B3.9.1 "Global and process-specific translation table
 *    entries"; B3.10.4 "Synchronization of changes of ASID and TTBR"): a
 *    walk for a non-global (nG) descriptor yields an entry tagged with the
 *    ASID current on that CPU, and a lookup matches only entries of the
 *    current ASID or global ones.  A walk may happen whenever the
 *    descriptor is valid, so a non-global translation is possibly cached
 *    under every ASID that CPU had current while it was valid -- including
 *    one switched to before the descriptor was rewritten.  Rewriting it
 *    under ASID 5, then switching to ASID 6, needs no invalidate; going
 *    back to ASID 5 does.  The invalidates (B4.2.2, "TLB maintenance
 *    operations, not in Hyp mode"): by MVA removes that VA's entries of
 *    the given ASID and its global entries; by ASID every non-global entry
 *    of that ASID and no global one; by MVA all ASIDs the VA's entries of
 *    any ASID, global or not; the whole-TLB forms everything.
 *
 *  - The descriptor store must be visible to the table walker before the
 *    invalidate, or the walker can refill the old descriptor after it:
 *    a DSB between the store and the invalidate; and where the walker does
 *    not read through the L1 data cache, a clean of the descriptor's cache
 *    line to the point of unification first (B3.10.1; the ID_MMFR3
 *    "coherent walk" field says which cores need it).  The DSB is the
 *    storing CPU's, whichever CPU invalidates.  A missing DSB is a
 *    HAZARD_BARRIER, a missing clean a HAZARD_PTE_NOT_CLEANED, both found
 *    when the invalidate covering the changed descriptor runs.  Such an
 *    invalidate removes nothing: the walkers may refill the old
 *    descriptor after it, so a later access may be a HAZARD_STALE too
 *    (hazard_report.refill).
 *
 * Which cores need the clean (hazard_core_needs_pte_clean()): the ARM11
 * walkers read memory, not the L1 data cache (ARM1136JF-S TRM DDI 0211K
 * and ARM1176JZF-S TRM DDI 0301H, 6.11 "Hardware page table translation";
 * Linux cpu_v6_set_pte_ext in arch/arm/mm/proc-v6.S cleans the line after
 * every PTE store).  Cortex-A7, A9 and A15 report coherent walks in
 * ID_MMFR3[23:20]: their walks look up the L1 data cache when the TTBR
 * walk attributes are Inner cacheable, as Linux sets them; Linux's
 * cpu_v7_set_pte_ext (arch/arm/mm/proc-v7-2level.S) cleans only on UP
 * builds (ALT_UP).  kmaplab does not model the TTBR walk attributes:
 * ARMv7 walks are taken as coherent, and the clean is required on
 * arm1176 only.
 *
 * What the checker needs from the emulator (hazard_* calls below), and
 * nothing else -- no per-access hook on the fast path:
 *   1. every store to a watched page-table page, before it happens
 *      (hazard_pt_watched() tells which physical pages; hazard_pt_store());
 *   2. every TLB invalidate, with the CPUs it reaches (hazard_invalidate());
 *   3. DSB / ISB and D-cache clean operations (hazard_dsb(), hazard_isb(),
 *      hazard_dcache_clean());
 *   4. accesses, only while hazard_cpu_quiet() is false for that CPU (the
 *      set of possibly-stale VAs of that CPU is empty almost always), at
 *      micro-TLB-miss granularity or finer (hazard_access()).
 * Every call is O(1) in the common case (hash probes on bounded tables);
 * only TLBIALL/TLBIASID and a change of a first-level table descriptor
 * touch more (the set, or the 256 pages of the old L2 table).
 *
 * The state is per CPU from the start: an array indexed by CPU id; stores
 * are seen by every CPU, invalidates reach the CPUs in the mask given.
 *
 * Limits (documented in docs/hazards.md): one translation table, the one
 * TTBR0 points at when hazard_create() runs (swapper_pg_dir) or at the
 * last hazard_tables_changed() (emu/cp15_regs.c calls it on a guest TTBR write); an L2 table reached through more than one L1 entry is
 * followed through the last one seen.  Bounded tables: what does not fit is
 * counted in hazard_stats.untracked, never silently dropped. */
#ifndef KMAPLAB_MM_HAZARD_H
#define KMAPLAB_MM_HAZARD_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu.h"
#include "phys.h"

#define HAZARD_MAX_CPUS 32
/* Possibly-stale translations kept per CPU (pkmap + fixmap windows fit). */
#define HAZARD_SET_MAX 4096
/* Invalidated-but-not-yet-completed translations kept per CPU. */
#define HAZARD_PENDING_MAX 1024
/* Page-table cache lines stored but not yet cleaned, per CPU (arm1176). */
#define HAZARD_DIRTY_MAX 256

/* --hazards; 0 is the default so that a zeroed struct mm has it. */
enum hazard_mode {
	HAZARD_MODE_ARCHITECTURAL, /* both checks; reports are architectural (default) */
	HAZARD_MODE_OBSERVED,      /* only what the modelled TLB served (mm/access.c) */
	HAZARD_MODE_OFF,           /* nothing checked or counted */
};

enum hazard_kind {
	HAZARD_STALE,           /* hazards.stale_tlb.architectural */
	HAZARD_BARRIER,         /* hazards.barrier */
	HAZARD_PTE_NOT_CLEANED, /* hazards.pte_not_cleaned */
	HAZARD_NR_KINDS
};

/* How the current translation differs from the possibly-cached one. */
#define HAZARD_DIFF_PAGE     (1u << 0) /* another physical page */
#define HAZARD_DIFF_UNMAPPED (1u << 1) /* no translation now (fault) */
#define HAZARD_DIFF_WEAKER   (1u << 2) /* the stale entry allows more (write, execute, domain) */
#define HAZARD_DIFF_STRONGER (1u << 3) /* the stale entry allows less */
#define HAZARD_DIFF_ATTR     (1u << 4) /* memory type (TEX, C, B, S) or nG differs */

/* Why a HAZARD_BARRIER. */
enum hazard_barrier_why {
	HAZARD_NO_DSB_AFTER_TLBI,  /* access before the DSB completing the invalidate */
	HAZARD_NO_ISB_AFTER_TLBI,  /* access after the DSB, before the ISB */
	HAZARD_NO_DSB_BEFORE_TLBI, /* invalidate before a DSB made the store visible */
};

/* Where a translation became valid: the store that wrote its descriptor. */
struct hazard_origin {
	uint32_t pc;    /* guest PC of the store, or of the hypercall for a kernel store; 0: boot */
	bool kernel;    /* written by the modelled kernel (set_pte_at / pte_clear) */
	bool known;     /* false: not remembered (table full) */
};

struct hazard_report {
	enum hazard_kind kind;
	unsigned cpu;
	uint32_t va;
	struct mmu_translation old;  /* the possibly-cached translation */
	struct mmu_translation now;  /* the tables' (now.fault != MMU_OK: none) */
	unsigned diff;               /* HAZARD_DIFF_* (HAZARD_STALE, HAZARD_BARRIER after a TLBI) */
	bool observed;               /* the modelled TLB served the stale entry */
	struct hazard_origin origin; /* of the old translation */
	enum hazard_barrier_why why; /* HAZARD_BARRIER */
	uint32_t desc_pa;            /* the changed descriptor (BARRIER before TLBI, NOT_CLEANED) */
	unsigned store_cpu;          /* the CPU that stored it (BARRIER before TLBI, NOT_CLEANED) */
	uint8_t asid;                /* old.ng: the ASID the old translation is tagged with */
	bool refill;                 /* STALE: an invalidate covered it before the store
				      * was visible, so the walker may have refilled it */
};

struct hazard_stats {
	uint64_t count[HAZARD_NR_KINDS];
	uint64_t observed;   /* HAZARD_STALE accesses the modelled TLB also served stale */
	uint64_t pt_stores;  /* descriptor stores seen that changed a descriptor */
	uint64_t untracked;  /* translations or lines that did not fit a bounded table */
};

struct hazard_ops {
	/* One hazard; r lives for the call.  PC is the emulator's to find. */
	void (*report)(void *arg, const struct hazard_report *r);
};

struct hazard_cpu;
struct hazard_checker;

/* The checker for `ncpus` CPUs (1..HAZARD_MAX_CPUS) over the tables in
 * `mem` that `regs` (TTBR0, CONTEXTIDR, ...; kept by the caller and read
 * on every walk) point at.  Scans the first-level table once to learn
 * the second-level tables.  `needs_clean`: see hazard_core_needs_pte_clean.
 * NULL if out of memory or ncpus is out of range. */
struct hazard_checker *hazard_create(const struct phys_mem *mem, const struct mmu_regs *regs,
				     unsigned ncpus, bool needs_clean);
void hazard_destroy(struct hazard_checker *hz);
/* TTBR0 now points at another first-level table (a guest CP15 write):
 * learn it and the L2 tables it points at.  Pages of the old tables stay
 * watched; translations of the old table are not retired (a switch is not
 * a descriptor store: with ASIDs, its entries may legitimately stay). */
void hazard_tables_changed(struct hazard_checker *hz);
void hazard_set_ops(struct hazard_checker *hz, const struct hazard_ops *ops, void *arg);
/* Makes the checker increment *epoch whenever something an emulator may
 * have cached about `cpu` could change: hazard_cpu_quiet(),
 * hazard_va_quiet() or the per-MiB counts for `cpu`, a page starting to be
 * watched (hazard_pt_watch_gen) and every hazard_pt_store() (the latter
 * two for every CPU).  --model fill keeps one such counter per CPU
 * (emu/fill_model.c).  NULL: none. */
void hazard_set_epoch(struct hazard_checker *hz, unsigned cpu, uint64_t *epoch);

/* True for a core whose table walker does not read through the L1 data
 * cache ("arm1176"), so a descriptor store needs a clean to PoU. */
bool hazard_core_needs_pte_clean(const char *core_name);

const struct hazard_stats *hazard_stats(const struct hazard_checker *hz);

/* The PC the modelled kernel's stores are attributed to (the hypercall's). */
void hazard_set_kernel_pc(struct hazard_checker *hz, uint32_t pc);

/* 1. Stores.  True if physical page `pa` holds descriptors. */
bool hazard_pt_watched(const struct hazard_checker *hz, uint32_t pa);
/* A store of `size` bytes (1, 2, 4 or 8) of `value` at `pa` by `cpu`,
 * called BEFORE memory changes.  `pc`: the storing instruction (ignored
 * for kernel stores, which use hazard_set_kernel_pc's).  `kernel`: the
 * modelled kernel's own set_pte_at, which cleans the line as Linux does. */
void hazard_pt_store(struct hazard_checker *hz, unsigned cpu, uint32_t pa, unsigned size,
		     uint64_t value, uint32_t pc, bool kernel);

/* 2. Invalidates issued by `cpu` reaching the CPUs in `cpus` (bit n: CPU
 * n), on the TLB sides in `sides` (ITLB* and DTLB* ops reach one side; a
 * translation leaves the set once both sides are invalidated).  The
 * issuing CPU's removed translations wait for its DSB and ISB. */
enum hazard_inval { HAZARD_INV_ALL, HAZARD_INV_MVA, HAZARD_INV_MVA_ALL_ASID, HAZARD_INV_ASID };
#define HAZARD_SIDE_I 1u
#define HAZARD_SIDE_D 2u
#define HAZARD_SIDES  3u
#define HAZARD_ALL_CPUS (~(uint64_t)0)
void hazard_invalidate(struct hazard_checker *hz, unsigned cpu, uint64_t cpus, unsigned sides,
		       enum hazard_inval op, uint32_t va, uint8_t asid);

/* `cpu` now runs with ASID `asid` (a guest CONTEXTIDR write).  Each
 * CPU's ASID history decides which ASIDs a non-global translation may be
 * cached under (see retire() in hazard.c); accesses by `cpu` match only
 * non-global translations of its current ASID, and global ones. */
void hazard_asid_changed(struct hazard_checker *hz, unsigned cpu, uint8_t asid);

/* 3. Barriers and cache maintenance executed by `cpu`. */
void hazard_dsb(struct hazard_checker *hz, unsigned cpu);
void hazard_isb(struct hazard_checker *hz, unsigned cpu);
/* Clean (or clean+invalidate) to PoU or PoC of the line holding physical
 * `pa`; all_lines: the whole D-cache (ARMv6 c7, c10, 0 / c7, c14, 0). */
void hazard_dcache_clean(struct hazard_checker *hz, unsigned cpu, uint32_t pa, bool all_lines);

/* A flush primitive of the modelled kernel: DSB; invalidate; DSB; ISB. */
void hazard_kernel_flush(struct hazard_checker *hz, unsigned cpu, uint64_t cpus,
			 enum hazard_inval op, uint32_t va, uint8_t asid);

/* 4. Accesses.  What the checker keeps inline, first in its struct: while
 * watch[cpu] is 0 the CPU has nothing possibly stale or pending, and its
 * accesses need not be told (the common case: one load and a compare). */
struct hazard_hot {
	uint32_t watch_gen; /* hazard_pt_watch_gen() */
	uint32_t watch[HAZARD_MAX_CPUS];
	uint32_t *per_mib[HAZARD_MAX_CPUS]; /* per CPU: records in each 1 MiB of VA */
};
static inline bool hazard_cpu_quiet(const struct hazard_checker *hz, unsigned cpu)
{
	return !hz || ((const struct hazard_hot *)(const void *)hz)->watch[cpu] == 0;
}
/* hazard_access() of `va` on `cpu` would find nothing: the CPU has no
 * possibly-stale translation at all, or none in va's 1 MiB.  With several
 * CPUs a CPU can hold possibly-stale translations it never uses for ever
 * (another CPU's kmap_atomic fixmap slots, which are flushed only locally),
 * so the whole-CPU test alone is rarely true there: smp_pagecache on 4 CPUs
 * ran every access through mm_access_slow() (tools/bench-smp 0.66 -> 0.83). */
static inline bool hazard_va_quiet(const struct hazard_checker *hz, unsigned cpu, uint32_t va)
{
	const struct hazard_hot *h = (const struct hazard_hot *)(const void *)hz;
	return !hz || h->watch[cpu] == 0 || h->per_mib[cpu][va >> 20] == 0;
}
/* Told whenever 1 MiB of VA (`mib`: VA >> 20) of `cpu` gains (`on`) or
 * loses its last possibly-stale or pending record, i.e. whenever
 * hazard_va_quiet() changes for the VAs in it while the CPU is not quiet;
 * `mib` is HAZARD_MIB_ALL (on) when a record of that CPU did not fit its
 * bounded set (hazard_stats.untracked): it is then anywhere.  An emulator
 * that skips the checker for accesses it does not see one by one
 * (--model fill) uses it to stop caching that MiB. */
#define HAZARD_MIB_ALL 0xffffffffu
typedef void (*hazard_mib_fn)(void *arg, unsigned cpu, uint32_t mib, bool on);
void hazard_set_mib_hook(struct hazard_checker *hz, hazard_mib_fn fn, void *arg);
/* Changes whenever a page starts being watched (an emulator that caches
 * "not watched" per page, --model fill, drops that cache then). */
static inline uint32_t hazard_pt_watch_gen(const struct hazard_checker *hz)
{
	return hz ? ((const struct hazard_hot *)(const void *)hz)->watch_gen : 0;
}
/* An access to `va` by `cpu` (`fetch`: an instruction fetch, else data); `observed`: the modelled TLB served an entry
 * whose descriptor changed (mm/access.c's check).  Returns the number of
 * hazards found (reported through ops). */
unsigned hazard_access(struct hazard_checker *hz, unsigned cpu, uint32_t va, bool fetch,
		       bool observed);

/* "different page", "weaker permissions", ... for diff bits; buf gets a
 * comma-separated list. */
const char *hazard_diff_str(unsigned diff, char *buf, unsigned len);
/* "stale_tlb", "barrier", "pte_not_cleaned". */
const char *hazard_kind_name(enum hazard_kind k);

#endif
