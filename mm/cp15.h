/* SPDX-License-Identifier: MIT */
/* The CP15 registers translation depends on, as guest code writes them:
 * MCR p15, 0, Rt, CRn, CRm, opc2 (ARM DDI 0406C B4.1, VMSA register
 * summary).  The emulator finds these writes in the guest's code and hands
 * each to mm_cp15_write(), so that the model walks the tables, checks the
 * domains and tags its TLB entries exactly as the guest set them up. */
#ifndef KMAPLAB_MM_CP15_H
#define KMAPLAB_MM_CP15_H

#include <stdbool.h>
#include <stdint.h>

#include "mm.h"

enum cp15_reg {
	CP15_SCTLR,      /* c1, c0, 0: M (bit 0) turns the MMU on and off */
	CP15_TTBR0,      /* c2, c0, 0 */
	CP15_TTBR1,      /* c2, c0, 1 */
	CP15_TTBCR,      /* c2, c0, 2: N, PD0, PD1; EAE (bit 31) long descriptors */
	CP15_DACR,       /* c3, c0, 0 */
	CP15_CONTEXTIDR, /* c13, c0, 1: ASID in [7:0] */
	CP15_NR_REGS
};

const char *cp15_reg_name(enum cp15_reg r);

/* Decodes MCR p15, opc1, Rt, CRn, CRm, opc2; 0 or -1 (not one of these). */
int cp15_reg_decode(unsigned opc1, unsigned crn, unsigned crm, unsigned opc2, enum cp15_reg *r);

/* Applies a guest write of `val` to register `r`: mm->regs changes, and the
 * micro TLBs are flushed where the core does that on this register's write
 * (core_profile.micro_flush_regs; TLB entries themselves stay, as on
 * hardware: a TTBR or ASID change needs no invalidate for entries tagged
 * with another ASID).  Returns 0, or -1 if the value asks for something
 * the model does not do (TTBCR.EAE: the long-descriptor format); mm->regs
 * is then unchanged. */
int mm_cp15_write(struct mm *mm, enum cp15_reg r, uint32_t val);

#endif
