/* SPDX-License-Identifier: MIT */
/* How many data accesses an instruction makes when it executes, counted
 * the way the per-access model sees them: one UC_HOOK_MEM_* call per
 * access QEMU's ARM translator emits (Unicorn 2.1, QEMU 5.0
 * target/arm/translate.c).  `--model fill` counts micro-TLB hits from
 * these (docs/speed.md, "The TLB-fill model"). */
#ifndef KMAPLAB_EMU_INSN_MEM_H
#define KMAPLAB_EMU_INSN_MEM_H

#include <capstone/capstone.h>

/* Data accesses of one decoded instruction (Capstone detail on), its
 * condition taken as passed. */
unsigned insn_mem_accesses(const cs_insn *insn);

#endif
