/* SPDX-License-Identifier: MIT */
/* The modelled TLB of one AArch64 core: I and D micro TLBs in front of a
 * unified main TLB, and a walk cache of the last table pointer of stage-1
 * walks (VMSAv8-64, 4 KiB granule).  Entries are tagged with a 16-bit ASID
 * or global (nG clear); VMID is always 0 (no EL2).  The geometries come from
 * the cores' TRMs (tlb_a64.c).  No Unicorn here: the machine calls
 * a64_tlb_access() for each access and a64_tlb_tlbi() for each TLBI. */
#ifndef KMAPLAB_MM_TLB_A64_H
#define KMAPLAB_MM_TLB_A64_H

#include <stdbool.h>
#include <stdint.h>

#include "arm64.h"

struct a64_tlb_costs {
	unsigned micro_miss;  /* a micro-TLB miss that hits the main TLB */
	unsigned walk_start;  /* a main-TLB miss, before its descriptor reads */
	unsigned desc_read;   /* each descriptor read of a walk */
	unsigned tlbi_va;     /* TLBI by VA (VAE1, VALE1, VAAE1, VAALE1 and IS forms) */
	unsigned tlbi_asid;   /* TLBI ASIDE1(IS) */
	unsigned tlbi_all;    /* TLBI VMALLE1(IS) */
	unsigned dsb;
	unsigned isb;
	unsigned insn;        /* every instruction (issue cost, L1 hits) */
	unsigned hypercall;   /* entry/exit of a modelled kernel function */
};

struct a64_tlb_profile {
	const char *core;          /* "cortex-a53", ... as given to --core */
	const char *source;        /* where the geometry comes from */
	unsigned micro_i, micro_d; /* fully associative micro / L1 TLB entries */
	unsigned main_entries, main_ways;
	unsigned walk_entries, walk_ways; /* 0: no walk cache modelled */
	bool maint_flushes_micro;  /* every maintenance operation empties both micro TLBs */
	unsigned micro_max_shift;  /* micro entries cover at most 1 << this (0: the mapping) */
	struct a64_tlb_costs cost;
};

/* NULL if `core` has no AArch64 profile. */
const struct a64_tlb_profile *a64_tlb_profile_find(const char *core);

enum a64_side { A64_SIDE_I, A64_SIDE_D };
enum a64_hit { A64_HIT_MICRO, A64_HIT_MAIN, A64_HIT_WALK };

struct a64_tlb_entry {
	bool valid, global;
	uint16_t asid;
	unsigned shift;   /* 12: a page, 21: a 2 MiB block, 30: 1 GiB */
	uint64_t va, pa;  /* bases, aligned to 1 << shift */
	uint64_t seq;     /* fill order (replacement: the oldest of a set goes) */
	uint64_t desc;    /* the leaf descriptor it was filled from */
	uint64_t gen;     /* a64_tlb.tables_gen when it last matched the tables */
};

/* A walk-cache entry: the physical address of the last-level table for
 * the 2 MiB region at `va` (the result of a walk "up to but not including
 * the last level", A53 TRM DDI 0500). */
struct a64_walk_entry {
	bool valid, global;
	uint16_t asid;
	uint64_t va, table;
	uint64_t seq;
};

struct a64_tlb_stats {
	uint64_t accesses, micro_hits, main_hits, misses;
	uint64_t walks, walk_reads, walk_cache_hits, faults;
	uint64_t invalidated;   /* main-TLB, walk-cache and (selective) micro entries TLBIs removed */
	uint64_t lookup_cycles; /* cycles the look-ups cost (a64_tlb_costs) */
	uint64_t micro_refills[2]; /* micro/L1 TLB fills per side (PMU events 0x02, 0x05) */
	uint64_t stale_served;  /* accesses served a translation the tables no longer give */
};

struct a64_tlb {
	const struct a64_tlb_profile *p;
	struct a64_tlb_entry *micro[2];
	struct a64_tlb_entry *main;
	struct a64_walk_entry *walk;
	unsigned micro_next[2];
	uint64_t seq;
	struct a64_tlb_stats stats;
	/* The observed-stale check: bumped at every descriptor store
	 * (a64_tlb_tables_changed); an entry hit with an older generation is
	 * compared with a fresh walk once.  `stale` tells the caller of the
	 * last a64_tlb_access() that it served a stale translation, with the
	 * descriptor it used and the one the tables hold (0: none). */
	uint64_t tables_gen;
	bool stale;
	uint64_t stale_desc, stale_now;
};

/* 0, or -1 when out of memory. */
int a64_tlb_init(struct a64_tlb *t, const struct a64_tlb_profile *p);
void a64_tlb_free(struct a64_tlb *t);

/* The translation tables an access walks: TTBR1's for VA bit 55 set,
 * TTBR0's otherwise, with the current ASID (TTBR0_EL1[63:48], TCR.A1 = 0). */
struct a64_regime {
	const struct a64_mem *mem;
	uint64_t ttbr0, ttbr1;
	unsigned va_bits;
	uint16_t asid;
};

/* One access to `va`: micro TLB, main TLB, walk cache, walk.  Returns how
 * it was served; a walk that faults is counted (stats.faults) and cached
 * nowhere.  *pa gets the physical address when it translates. */
enum a64_hit a64_tlb_access(struct a64_tlb *t, enum a64_side side, const struct a64_regime *r, uint64_t va,
			    bool *ok, uint64_t *pa);

/* A descriptor changed in the tables: entries are re-checked on their next hit. */
static inline void a64_tlb_tables_changed(struct a64_tlb *t)
{
	t->tables_gen++;
}

/* A TLBI with its operand (Xt: VA[55:12] in bits [43:0], ASID in [63:48],
 * as __TLBI_VADDR builds it).  Returns the entries invalidated and adds
 * them to stats.invalidated; *cycles gets the cost. */
unsigned a64_tlb_tlbi(struct a64_tlb *t, enum a64_tlbi op, uint64_t xt, unsigned *cycles);

#endif
