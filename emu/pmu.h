/* SPDX-License-Identifier: MIT */
/* The guest's PMU sees the model: PMCCNTR counts the cycles kmaplab charges
 * (not QEMU's host-clock cycles, which differ from run to run), and the
 * architected TLB-refill events count the modelled micro-TLB refills.
 *
 * ARMv7 PMU, CP15 c9 (ARM DDI 0406C, C12 "The Performance Monitors
 * Extension", B4.1.117 PMCR .. PMXEVTYPER):
 *   c9,c12,0 PMCR  (E bit 0, P bit 1 resets the event counters, C bit 2
 *                   resets PMCCNTR, D bit 3 counts every 64th cycle)
 *   c9,c12,1 PMCNTENSET  c9,c12,2 PMCNTENCLR  (bit 31 PMCCNTR, bit n counter n)
 *   c9,c12,5 PMSELR      c9,c13,0 PMCCNTR
 *   c9,c13,1 PMXEVTYPER  c9,c13,2 PMXEVCNTR   (of the counter PMSELR selects)
 * Events modelled: 0x02 L1I_TLB_REFILL and 0x05 L1D_TLB_REFILL (a micro-TLB
 * miss of that side: refill of the lowest TLB level), 0x11 CPU_CYCLES (the
 * model's cycles), 0x08 INST_RETIRED (the model's instruction count, per
 * translated block).  Any other event counts 0.
 *
 * How: like the TLBI MCRs, every MRC/MCR p15, 0, Rt, c9, CRm, opc2 in the
 * guest's code is found by a pre-scan and gets a single-address code hook.
 * Before an MCR executes the hook applies Rt to the host-side PMU state;
 * before an MRC of PMCCNTR or PMXEVCNTR it stops QEMU's counters (PMCR.E
 * written 0) and writes the model's value into QEMU's register, so the MRC
 * itself reads exactly that; before an MRC of PMCR it restores the guest's
 * PMCR.  QEMU's own counting never reaches the guest.
 *
 * Limits: the model charges a translated block's cycles when the block
 * starts, so PMCCNTR read inside a block already includes the rest of it.
 * The ARM1176's PMU (CP15 c15) is not modelled.
 *
 * SMP (docs/smp.md): every CPU has its own PMU registers and counts its
 * own events -- its clock, its TLB's refills, its instructions -- as each
 * core of an MPCore cluster does; the hooks are on every CPU's engine. */
#ifndef KMAPLAB_EMU_PMU_H
#define KMAPLAB_EMU_PMU_H

struct machine;

/* Scans the guest's executable segments and hooks the PMU accesses.
 * Returns 0, or an exit status with m->message set. */
int pmu_init(struct machine *m);
/* The same hooks on another CPU's engine (emu/smp.c).  0 or an exit status. */
#include <unicorn/unicorn.h>
int pmu_add_hooks(struct machine *m, uc_engine *uc);
void pmu_free(struct machine *m);

#endif
