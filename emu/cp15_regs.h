/* SPDX-License-Identifier: MIT */
/* Guest writes to the translation registers (SCTLR, TTBR0/1, TTBCR, DACR,
 * CONTEXTIDR; mm/cp15.h), found by the Capstone pre-scan like the TLB
 * maintenance MCRs (emu/tlbi_scan.h) and hooked: the model follows each
 * write, and QEMU's TLB is dropped so that its translations come from the
 * registers' new values too. */
#ifndef KMAPLAB_EMU_CP15_REGS_H
#define KMAPLAB_EMU_CP15_REGS_H

#include <stdint.h>

#include "cp15.h"

struct machine;

/* Called from the code hook on the MCR at `pc`, before it executes, once
 * its condition is known to pass; `val` is Rt. */
void cp15_guest_write(struct machine *m, uint32_t pc, enum cp15_reg r, uint32_t val);

#endif
