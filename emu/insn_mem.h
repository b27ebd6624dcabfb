/* SPDX-License-Identifier: MIT */
/* How many data accesses an instruction makes when it executes, counted
 * the way the per-access model sees them: one UC_HOOK_MEM_* call per
 * access QEMU's ARM translator emits (Unicorn 2.1, QEMU 5.0
 * target/arm/translate.c).  `--model fill` counts micro-TLB hits from
 * these (docs/speed.md, "The TLB-fill model"). */
#ifndef KMAPLAB_EMU_INSN_MEM_H
#define KMAPLAB_EMU_INSN_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include <capstone/capstone.h>

/* Data accesses of one decoded instruction (Capstone detail on), its
 * condition taken as passed. */
unsigned insn_mem_accesses(const cs_insn *insn);

/* A block's conditional data accesses, resolved with the NZCV flags: an
 * instruction with no flag-setting instruction before it in the block by
 * the flags at the block's entry, one with none after it by the flags at
 * its exit (the next block's entry).  Those with flag setters on both
 * sides, and any beyond INSN_MEM_CONDS, are counted as passed. */
#define INSN_MEM_CONDS 6
#define INSN_MEM_AT_EXIT 0x80u
struct insn_mem_conds {
	uint8_t n;
	uint8_t cond[INSN_MEM_CONDS]; /* ARM condition (0 EQ .. 13 LE) | INSN_MEM_AT_EXIT */
	uint8_t mem[INSN_MEM_CONDS];  /* the instruction's data accesses */
	uint8_t unresolved;           /* conditional accesses counted as passed */
	/* The block's last instruction when it is a conditional one that
	 * writes the PC (B<cc>, BX<cc>, POP<cc> {..., pc}, LDR<cc> pc, ...):
	 * its condition passed iff the next block is not the fall-through, so
	 * the next block's address decides the items whose condition is the
	 * same or the opposite, without reading CPSR (emu/fill_model.c). */
	uint8_t exit_cond;            /* ARM condition, INSN_MEM_NO_EXIT: none */
	bool exit_direct;             /* a branch to exit_target (else indirect) */
	uint32_t exit_target;
};
#define INSN_MEM_NO_EXIT 0xffu

/* Builds `c` while a block is decoded: call insn_mem_note() on every
 * instruction in order, then insn_mem_done(). */
struct insn_mem_scan {
	struct insn_mem_conds c;
	bool setter_seen;
	uint8_t after[INSN_MEM_CONDS]; /* flag setters seen when item i was noted */
	unsigned setters;
};
void insn_mem_note(struct insn_mem_scan *s, const cs_insn *insn, unsigned mem);
/* An instruction Capstone could not decode (it may set the flags). */
void insn_mem_note_unknown(struct insn_mem_scan *s);
void insn_mem_done(struct insn_mem_scan *s, struct insn_mem_conds *out);

/* Whether ARM condition `cond` (0 EQ .. 14 AL) passes with CPSR `cpsr`. */
static inline bool insn_cond_passes(unsigned cond, uint32_t cpsr)
{
	bool n = cpsr >> 31 & 1, z = cpsr >> 30 & 1, c = cpsr >> 29 & 1, v = cpsr >> 28 & 1;
	bool r;
	switch (cond >> 1) {
	case 0: r = z; break;
	case 1: r = c; break;
	case 2: r = n; break;
	case 3: r = v; break;
	case 4: r = c && !z; break;
	case 5: r = n == v; break;
	case 6: r = !z && n == v; break;
	default: return true;
	}
	return (cond & 1) ? !r : r;
}

#endif
