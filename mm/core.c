/* SPDX-License-Identifier: MIT */
/* Core profiles: TLB geometry, replacement and cycle costs of the modelled
 * cores.  Every number carries its source: a Technical Reference Manual
 * (document number and section), a published measurement, or the word
 * ASSUMPTION.  docs/cycle-model.md lists them all in one table.
 *
 * Sources:
 *   DDI 0464F  Cortex-A7 MPCore TRM r0p5
 *   DDI 0388I  Cortex-A9 TRM r4p1
 *   DDI 0438   Cortex-A15 MPCore TRM (section 5.2, TLB organization)
 *   DDI 0301H  ARM1176JZF-S TRM r0p7
 *   DDI 0211   ARM1136JF-S TRM (for the ARM11 page-walk behaviour)
 *   7cpu-A9    https://7-cpu.com/cpu/Cortex-A9.html  (Exynos 4210 measurements)
 *   7cpu-A15   https://7-cpu.com/cpu/Cortex-A15.html (Exynos 5250 measurements)
 *   tmb-A7     tinymembench v0.4.9 latency run on a Raspberry Pi 2 (BCM2836,
 *              900 MHz) by sbc-bench v0.9.1: results/3MGs.txt of
 *              ThomasKaiser/sbc-bench (docs/calibration.md)
 *
 * How the costs combine (see docs/cycle-model.md): a micro-TLB hit costs
 * nothing beyond the access (single-cycle lookup in parallel with the cache:
 * DDI 0464F 5.3.1, DDI 0388I 6.2.1, DDI 0438 5.2.1, DDI 0301H 6.2.1); a
 * main-TLB hit costs micro_miss; a miss costs micro_miss + walk_start +
 * desc_reads * desc_read. */
#include <stddef.h>
#include <string.h>

#include "core.h"

static const struct core_profile cortex_a7 = {
	.name = "cortex-a7",
	.description = "ARM Cortex-A7 MPCore (Raspberry Pi 2): 10-entry I/D micro TLBs, "
		       "256-entry 2-way main TLB",
	/* DDI 0464F 5.3.1: "a micro TLB of 10 entries ... on each of the
	 * instruction and data sides", fully associative (single-cycle lookup
	 * of any entry).  Replacement: ASSUMPTION round-robin (not stated).
	 * Page sizes: ASSUMPTION every size is cached whole (not stated). */
	.utlb_i = { .entries = 10, .ways = 10, .replacement = TLB_REPL_ROUND_ROBIN, .max_page = 0 },
	.utlb_d = { .entries = 10, .ways = 10, .replacement = TLB_REPL_ROUND_ROBIN, .max_page = 0 },
	/* DDI 0464F 5.3.2: "256-entry 2-way set-associative", supports 4K, 64K,
	 * 1M and 16M pages.  Replacement: ASSUMPTION round-robin per set. */
	.main = { .entries = 256, .ways = 2, .replacement = TLB_REPL_ROUND_ROBIN, .max_page = 0 },
	/* ASSUMPTION: none; DDI 0464F 5.3 describes no lockable TLB entries. */
	.main_lockable = 0,
	.cost = {
		/* tmb-A7 (Raspberry Pi 2, BCM2836): 1.8, solved with the L2
		 * latency from its 64 and 128 KiB blocks (16 and 32 pages: the
		 * 10-entry micro TLB misses 6/16 and 22/32 of the loads, the
		 * main TLB none; docs/calibration.md).  DDI 0464F 5.3.2 says only
		 * that main-TLB accesses take "a variable number of cycles". */
		.micro_miss = 2,
		/* ASSUMPTION. */
		.walk_start = 4,
		/* ASSUMPTION: DDI 0464F 5.2 says walks can read descriptors from
		 * the L1 data cache; charged between an L1 and an L2 hit. */
		.desc_read = 8,
		/* ASSUMPTION. */
		.tlbi_mva = 8,
		/* ASSUMPTION: one main-TLB set per cycle (128 sets) + 8. */
		.tlbi_asid = 136,
		/* ASSUMPTION: as tlbi_asid. */
		.tlbi_all = 136,
		/* ASSUMPTION. */
		.bpiall = 1,
		/* ASSUMPTION. */
		.dsb = 10,
		/* ASSUMPTION: a refill of the 8-stage in-order pipeline (depth
		 * from ARM's product description, not from the TRM). */
		.isb = 8,
		/* ASSUMPTION: two stores (Linux and hardware PTE, as ARM's
		 * cpu_v7_set_pte_ext writes), no cache clean (walks coherent with
		 * L1, DDI 0464F 5.2). */
		.pte_write = 2,
		/* ASSUMPTION: an L1 data-cache hit. */
		.mem_access = 3,
		/* ASSUMPTION: call, prologue, epilogue, return. */
		.hypercall = 10,
	},
	/* DDI 0464F 5.3.1: "All main TLB related maintenance operations affect
	 * both the instruction and data micro TLBs, causing them to be flushed." */
	.maint_flushes_micro = true,
	/* ASSUMPTION: the register list that Cortex-A5 documentation gives for
	 * its alike 10-entry micro TLBs (DDI 0433 6.3.1, as reproduced in
	 * Microchip's SAMA5 manuals: CONTEXTIDR, DACR, PRRR, NMRR, TTBR0/1);
	 * the A7 micro TLB also checks permissions (DDI 0464F 5.3.1). */
	.micro_flush_regs = CORE_REG_CONTEXTIDR | CORE_REG_DACR | CORE_REG_TTBR | CORE_REG_REMAP,
};

static const struct core_profile arm1176 = {
	.name = "arm1176",
	.description = "ARM1176JZF-S (Raspberry Pi 1): 10-entry I/D MicroTLBs, "
		       "64-entry 2-way main TLB + 8 lockable entries",
	/* DDI 0301H 6.2.1: "a small MicroTLB of ten entries ... on each of the
	 * instruction and data sides", fully associative.  Replacement: the
	 * TRM says it is configurable, round-robin or random; ASSUMPTION:
	 * random (which one a reset core uses is not confirmed here).
	 * Page sizes: ASSUMPTION every size is cached whole. */
	.utlb_i = { .entries = 10, .ways = 10, .replacement = TLB_REPL_RANDOM, .max_page = 0 },
	.utlb_d = { .entries = 10, .ways = 10, .replacement = TLB_REPL_RANDOM, .max_page = 0 },
	/* DDI 0301H 6.2.2: "a 64-entry 2-way associative structure" (the
	 * low-associativity region).  Replacement: ASSUMPTION round-robin. */
	.main = { .entries = 64, .ways = 2, .replacement = TLB_REPL_ROUND_ROBIN, .max_page = 0 },
	/* DDI 0301H 6.2.2: "A fully-associative array of eight elements, that
	 * is lockable".  Capacity only: the model has no lock API yet. */
	.main_lockable = 8,
	.cost = {
		/* ASSUMPTION: DDI 0301H 6.2.2 says "a variable number of cycles". */
		.micro_miss = 5,
		/* ASSUMPTION. */
		.walk_start = 4,
		/* ASSUMPTION: walks do not read the L1 data cache, as DDI 0211
		 * 6.11 states for the sibling ARM1136JF-S; one external read. */
		.desc_read = 40,
		/* ASSUMPTION. */
		.tlbi_mva = 8,
		/* ASSUMPTION: one main-TLB set per cycle (32 sets) + 8. */
		.tlbi_asid = 40,
		/* ASSUMPTION: as tlbi_asid. */
		.tlbi_all = 40,
		/* ASSUMPTION: flush of the branch target cache. */
		.bpiall = 4,
		/* ASSUMPTION: drain of the write buffer (CP15 c7, c10, 4). */
		.dsb = 8,
		/* ASSUMPTION: Flush Prefetch Buffer (CP15 c7, c5, 4) refills the
		 * 8-stage pipeline (DDI 0301H 1.8 gives the pipeline stages). */
		.isb = 8,
		/* ASSUMPTION: two stores plus a D-cache line clean, because the
		 * walker does not read L1 (see desc_read). */
		.pte_write = 22,
		/* ASSUMPTION: an L1 data-cache hit. */
		.mem_access = 3,
		/* ASSUMPTION. */
		.hypercall = 10,
	},
	/* ASSUMPTION: as the A7/A9 TRMs say for their micro TLBs.  DDI 0301H
	 * 3.2.23: the TLB is unified, and "Any TLB operations specified for the
	 * Instruction or Data TLB perform the equivalent operation on the
	 * unified TLB", so a scoped operation reaches both sides anyway. */
	.maint_flushes_micro = true,
	/* ASSUMPTION: none; the MicroTLB entries carry the ASID (DDI 0301H
	 * 6.2.1), so a context switch needs no flush. */
	.micro_flush_regs = 0,
};

static const struct core_profile cortex_a9 = {
	.name = "cortex-a9",
	.description = "ARM Cortex-A9: 32-entry I/D micro TLBs, 128-entry 2-way main TLB "
		       "+ 4 lockable entries",
	/* DDI 0388I 6.2.1: "a micro TLB of 32 entries on the data side, and
	 * configurable 32 or 64 entries on the instruction side", fully
	 * associative; 32 chosen.  Replacement: ASSUMPTION round-robin.
	 * Page sizes: ASSUMPTION every size is cached whole. */
	.utlb_i = { .entries = 32, .ways = 32, .replacement = TLB_REPL_ROUND_ROBIN, .max_page = 0 },
	.utlb_d = { .entries = 32, .ways = 32, .replacement = TLB_REPL_ROUND_ROBIN, .max_page = 0 },
	/* DDI 0388I 6.2.2: "a 2-way associative structure of 2x32, 2x64,
	 * 2x128 or 2x256 entries"; 2x64 = 128 as measured on Exynos 4210
	 * (7cpu-A9).  Replacement: ASSUMPTION round-robin per set. */
	.main = { .entries = 128, .ways = 2, .replacement = TLB_REPL_ROUND_ROBIN, .max_page = 0 },
	/* DDI 0388I 6.2.2 "a fully-associative, lockable array of four
	 * elements"; 4.3.2 TLBTR.DLsize = 4.  Capacity only (no lock API). */
	.main_lockable = 4,
	.cost = {
		/* 7cpu-A9: "+ 7 (L1 TLB miss)". */
		.micro_miss = 7,
		/* 7cpu-A9: "+ 7 (L2 TLB miss)" with the tables in cache;
		 * ASSUMPTION: split as 1 + 2 * 3 for a small-page walk. */
		.walk_start = 1,
		/* See walk_start. */
		.desc_read = 3,
		/* ASSUMPTION. */
		.tlbi_mva = 8,
		/* ASSUMPTION: one main-TLB set per cycle (64 sets) + 8. */
		.tlbi_asid = 72,
		/* ASSUMPTION: as tlbi_asid. */
		.tlbi_all = 72,
		/* ASSUMPTION: flush of the BTAC. */
		.bpiall = 4,
		/* ASSUMPTION. */
		.dsb = 10,
		/* ASSUMPTION: a refill of an 8-stage pipeline. */
		.isb = 8,
		/* ASSUMPTION: two stores, no cache clean (as cortex-a7). */
		.pte_write = 2,
		/* 7cpu-A9: "TLB + L1" latency 4 cycles. */
		.mem_access = 4,
		/* ASSUMPTION. */
		.hypercall = 10,
	},
	/* DDI 0388I 6.2.1: "All main TLB related operations affect both the
	 * instruction and data micro TLBs, causing them to be flushed." */
	.maint_flushes_micro = true,
	/* DDI 0388I 6.2.1: "any change of the Context ID Register causes the
	 * micro TLBs to be flushed." */
	.micro_flush_regs = CORE_REG_CONTEXTIDR,
};

static const struct core_profile cortex_a15 = {
	.name = "cortex-a15",
	.description = "ARM Cortex-A15 MPCore: 32-entry L1 I/D TLBs (4 KiB entries), "
		       "512-entry 4-way L2 TLB",
	/* DDI 0438 5.2.1: "a 32-entry fully-associative structure"; caches
	 * "at the 4KB granularity ... only": a larger page is cached as the
	 * 4K piece the access falls in.  Replacement: ASSUMPTION LRU. */
	.utlb_i = { .entries = 32, .ways = 32, .replacement = TLB_REPL_LRU, .max_page = 4096 },
	/* DDI 0438 5.2.2: two 32-entry fully-associative L1 data TLBs, one
	 * for loads and one for stores, 4K granularity by default (1 MiB too
	 * with the -l1tlb_1m build option).  Modelled as ONE 32-entry data
	 * TLB (the model has no load/store split).  Replacement: ASSUMPTION LRU. */
	.utlb_d = { .entries = 32, .ways = 32, .replacement = TLB_REPL_LRU, .max_page = 4096 },
	/* DDI 0438 5.2.3: "a 512-entry 4-way set-associative structure",
	 * all VMSAv7 page sizes.  Replacement: ASSUMPTION LRU. */
	.main = { .entries = 512, .ways = 4, .replacement = TLB_REPL_LRU, .max_page = 0 },
	/* DDI 0438 5.2: "does not support the locking of TLB entries". */
	.main_lockable = 0,
	.cost = {
		/* 7cpu-A15: "L1 TLB Miss Penalty = 12 cycles". */
		.micro_miss = 12,
		/* 7cpu-A15: "L2 TLB Miss Penalty = 30 cycles" (first-level
		 * descriptor in the PDE cache) and "PDE Cache Miss Penalty = 20
		 * cycles".  The PDE cache is not modelled, so a section walk (1
		 * read) costs 10 + 20 = 30 and a small-page walk (2 reads) 50;
		 * the 10/20 split is ASSUMPTION. */
		.walk_start = 10,
		/* See walk_start. */
		.desc_read = 20,
		/* ASSUMPTION. */
		.tlbi_mva = 8,
		/* ASSUMPTION: one L2-TLB set per cycle (128 sets) + 8. */
		.tlbi_asid = 136,
		/* ASSUMPTION: as tlbi_asid. */
		.tlbi_all = 136,
		/* ASSUMPTION: BPIALL is ignored unless ACTLR bit 0 is set, as
		 * firmware usually leaves it. */
		.bpiall = 1,
		/* ASSUMPTION: waits for an out-of-order core to drain. */
		.dsb = 20,
		/* ASSUMPTION: a refill of the 15-stage integer pipeline. */
		.isb = 15,
		/* ASSUMPTION: two stores, no cache clean (as cortex-a7). */
		.pte_write = 2,
		/* 7cpu-A15: "L1 Data Cache Latency = 4 cycles". */
		.mem_access = 4,
		/* ASSUMPTION. */
		.hypercall = 10,
	},
	/* ASSUMPTION: maintenance invalidates L1 TLB entries precisely (the
	 * TRM text used here does not say either way). */
	.maint_flushes_micro = false,
	/* DDI 0438 5.2: the TLBs "do not require to be flushed on a context or
	 * virtual machine switch". */
	.micro_flush_regs = 0,
};

const struct core_profile *const core_profiles[] = {
	&cortex_a7, /* the default (DESIGN.md) */
	&arm1176,
	&cortex_a9,
	&cortex_a15,
	NULL,
};

const struct core_profile *core_profile_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; core_profiles[i]; i++)
		if (strcmp(core_profiles[i]->name, name) == 0)
			return core_profiles[i];
	return NULL;
}
