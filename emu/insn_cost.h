/* SPDX-License-Identifier: MIT */
/* Per-core instruction costs from Capstone's decoding, computed once per
 * translated block and cached.
 *
 * The model is an issue-cycle model: every instruction costs the cycles its
 * class occupies the issue/execute stage of an in-order pipeline, summed
 * over the block.  Conditional instructions are assumed to execute,
 * branches to be taken and correctly predicted, loads and stores to hit
 * the L1 cache, LDM/STM addresses to be 64-bit aligned.  Result latencies,
 * interlocks, dual/triple issue and out-of-order overlap are not modelled.
 * The TLB, walks, TLB maintenance and the CP15 maintenance operations'
 * effects are charged elsewhere (mm/, emu/tlbi_scan.h); the MCR that
 * carries them costs only its issue here.  docs/instruction-costs.md lists
 * every constant with its source and the model's limits. */
#ifndef KMAPLAB_EMU_INSN_COST_H
#define KMAPLAB_EMU_INSN_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <capstone/capstone.h>

#include "core.h"
#include "insn_mem.h"

/* Cycles per instruction class, core clock cycles. */
struct insn_costs {
	const char *core;           /* "cortex-a7", ... as core_profile.name */
	unsigned alu;               /* data processing, moves, compares, extends,
				     * bit-field, saturating, media, NOP, IT, system */
	unsigned alu_shift_reg;     /* ... with an operand shifted by a register */
	unsigned mul;               /* 32-bit result: MUL MLA MLS SMULxy SMLAxy SMMUL ... */
	unsigned mul_long;          /* 64-bit result: UMULL SMULL UMLAL SMLAL UMAAL ... */
	unsigned mul_setflags;      /* added when a multiply sets the flags (MULS) */
	unsigned div;               /* SDIV UDIV */
	unsigned load;              /* one load: LDR{B,H,SB,SH,D,EX,T} PLD VLDR LDC */
	unsigned store;             /* one store: STR{B,H,D,EX,T} VSTR STC */
	unsigned lsm_base;          /* LDM STM PUSH POP VLDM VSTM VPUSH VPOP VLDn VSTn: */
	unsigned lsm_words_per_cycle; /* lsm_base + ceil(words / this), at least 1 */
	unsigned branch;            /* B BL BLX<imm> CBZ CBNZ, taken, predicted */
	unsigned branch_indirect;   /* BX BLX<reg> TBB TBH; any write to the PC:
				     * the instruction costs max(its class, this) */
	unsigned vfp;               /* other VFP / Advanced SIMD instructions */
	unsigned dmb, dsb, isb;     /* the ARMv7 barrier instructions */
	unsigned mcr;               /* MCR MCRR CDP (any coprocessor; CP15 ops'
				     * effects are charged by the tlbi hook) */
	unsigned mrc;               /* MRC MRRC, VMRS/VMSR count as vfp */
	unsigned load_use;          /* --model cache: the L1D load-to-use latency the
				     * readers of a load's result wait for (emu/load_use.h);
				     * 0: not modelled (the built-in tables) */
};

/* The built-in table for a core name (core_profile.name), or NULL. */
const struct insn_costs *insn_costs_find(const char *core);
/* All built-in tables, ending with NULL. */
extern const struct insn_costs *const insn_costs_tables[];

/* *out = *base, with the DSB and ISB costs taken from the core profile's
 * cost table (mm/core.h: core_costs.dsb/.isb), so that a barrier executed
 * by the guest and one charged by a modelled kernel routine cost the same.
 * cc may be NULL (then *out = *base). */
void insn_costs_with_core(struct insn_costs *out, const struct insn_costs *base,
			  const struct core_costs *cc);

/* Cycles for one decoded instruction (decoded with CS_OPT_DETAIL on). */
unsigned insn_cost_one(const struct insn_costs *c, const cs_insn *insn);

struct block_cost {
	uint32_t insns;     /* instructions (undecodable units included) */
	uint32_t cycles;
	uint32_t undecoded; /* 2- or 4-byte units Capstone could not decode,
			     * each counted as one instruction of cost alu */
	uint32_t mem;       /* data accesses if every condition passes (emu/insn_mem.h) */
	/* Conditional data-access instructions whose condition the flags at
	 * the block's entry or exit decide (emu/insn_mem.h), at most
	 * INSN_MEM_CONDS; the rest are counted as passed (`cond_unresolved`). */
	struct insn_mem_conds conds;
};

/* A cache of block costs keyed by (VA, size, Thumb).  A zeroed struct is an
 * empty cache.  Entries are valid only while the code bytes at a VA do not
 * change: clear the cache when guest code is written or remapped (when the
 * emulator drops its translated code).  One cache serves one cost table;
 * passing another table to block_cost() clears it. */
struct block_cost_entry;
struct block_cost_cache {
	struct block_cost_entry *slots;
	size_t cap;   /* slots, a power of two (0 before the first insert) */
	size_t n;     /* entries in use */
	const struct insn_costs *costs;
	uint64_t hits, misses;
};

void block_cost_cache_clear(struct block_cost_cache *cache);
void block_cost_cache_free(struct block_cost_cache *cache);

/* A cached cost, without decoding; false if not cached. */
bool block_cost_lookup(const struct block_cost_cache *cache, uint32_t va, uint32_t size,
		       bool thumb, struct block_cost *out);

/* The cost of the translated block of `size` bytes at guest `va` whose
 * bytes are at host `code`: from the cache, or decoded with handle_thumb
 * (CS_MODE_THUMB) or handle_arm (CS_MODE_ARM) and then cached.  The handle
 * used gets CS_OPT_DETAIL turned on.  `code` may be NULL when the caller
 * knows the block is cached (a miss then fails).  Returns 0, or -1 (miss
 * without code, no handle, out of memory: *out is still filled from a fresh
 * decode when one was possible and only caching failed). */
int block_cost(struct block_cost_cache *cache, csh handle_arm, csh handle_thumb,
	       const uint8_t *code, uint32_t va, uint32_t size, bool thumb,
	       const struct insn_costs *costs, struct block_cost *out);

#endif
