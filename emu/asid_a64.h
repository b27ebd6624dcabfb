/* SPDX-License-Identifier: MIT */
/* The guest's translation context on the AArch64 machine: TTBR0_EL1,
 * TTBR1_EL1 and TCR_EL1 as the guest writes them (MSR, found by the
 * pre-scan), and the current ASID they select (ARMv8-A ARM DDI 0487,
 * D5.9.1 and the TTBR0_EL1/TCR_EL1 register descriptions, in our own
 * words): the ASID is TTBR0_EL1[63:48], or TTBR1_EL1[63:48] when
 * TCR_EL1.A1 (bit 22) is set; with TCR_EL1.AS (bit 36) clear it has 8 bits
 * and bits [63:56] are ignored, in the TTBRs and in TLBI operands alike.
 * The TLB model tags non-global entries with it, the hazard checker
 * follows it and the Unicorn 2.1 fill walk uses the new tables. */
#ifndef KMAPLAB_EMU_ASID_A64_H
#define KMAPLAB_EMU_ASID_A64_H

#include <stdint.h>

#include "tlbi_scan_a64.h"

struct a64_machine;

#define TCR_A1 (1ull << 22)
#define TCR_AS (1ull << 36)

/* The machine's registers as boot_cpu() set them. */
void a64_ctx_init(struct a64_machine *m, uint64_t ttbr0, uint64_t ttbr1, uint64_t tcr);
/* A guest MSR of `reg` with `val`, before it executes. */
void a64_ctx_msr(struct a64_machine *m, enum a64_sysreg reg, uint64_t val);
/* A TLBI operand as the current ASID size reads it (8 bits: ASID[15:8] 0). */
uint64_t a64_ctx_tlbi_operand(const struct a64_machine *m, uint64_t xt);

#endif
