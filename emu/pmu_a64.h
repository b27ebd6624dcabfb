/* SPDX-License-Identifier: MIT */
/* The AArch64 guest's PMU sees the model, as the ARM32 one does (pmu.h):
 * PMCCNTR_EL0 counts the cycles kmaplab charges (a64_cycles()), and the
 * architected events 0x02 L1I_TLB_REFILL and 0x05 L1D_TLB_REFILL count the
 * modelled micro/L1 TLB refills of each side, 0x08 INST_RETIRED the
 * instructions, 0x11 CPU_CYCLES the cycles; any other event counts 0.
 *
 * Registers (ARMv8-A ARM, D7 "The Performance Monitors Extension"; op0 3,
 * op1 3): PMCR_EL0 (c9,c12,0: E, P, C, D, LC), PMCNTENSET_EL0 (c9,c12,1),
 * PMCNTENCLR_EL0 (c9,c12,2), PMSELR_EL0 (c9,c12,5), PMCCNTR_EL0 (c9,c13,0,
 * 64 bits), PMXEVTYPER_EL0 / PMXEVCNTR_EL0 (c9,c13,1/2, of the counter
 * PMSELR selects), PMEVCNTR<n>_EL0 (c14,c8+n/8,n%8) and PMEVTYPER<n>_EL0
 * (c14,c12+n/8,n%8).  Others (PMOVS*, PMINTEN*, PMUSERENR, PMCEID*,
 * PMCCFILTR) are QEMU's.
 *
 * How: Unicorn's UC_HOOK_INSN for UC_ARM64_INS_MRS and UC_ARM64_INS_MSR
 * (2.0.1 and 2.1.1) calls back before every MRS/MSR of a system register;
 * for the registers above the callback does the access on the model's
 * state and tells Unicorn to skip the instruction, so QEMU's own PMU (whose
 * cycle counter follows the host's clock) never reaches the guest.
 *
 * Limits: as on ARM32, a translated block's instructions are charged when
 * the block starts, so a read inside a block includes the rest of it. */
#ifndef KMAPLAB_EMU_PMU_A64_H
#define KMAPLAB_EMU_PMU_A64_H

#include <stdint.h>

#define A64_PMU_COUNTERS 6 /* PMCR_EL0.N of the A53, A57 and A72 */

struct a64_pmu {
	uint64_t pmcr;     /* the guest's PMCR_EL0 bits: E, D, X, DP, LC */
	uint64_t id;       /* QEMU's read-only PMCR_EL0 bits (IMP, IDCODE, N) */
	uint32_t cnten;    /* PMCNTENSET_EL0 */
	uint32_t selr;     /* PMSELR_EL0 */
	unsigned counters; /* PMCR_EL0.N, at most A64_PMU_COUNTERS */
	uint64_t ccnt, ccnt_sub, last_cycles;
	uint32_t evtype[A64_PMU_COUNTERS];
	uint32_t evcnt[A64_PMU_COUNTERS];
	uint64_t last_src[A64_PMU_COUNTERS];
};

struct a64_machine;

/* Hooks MRS/MSR.  0, or an exit status with m->message set. */
int a64_pmu_init(struct a64_machine *m);

#endif
