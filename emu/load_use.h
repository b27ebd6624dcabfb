/* SPDX-License-Identifier: MIT */
/* Load-to-use interlocks of a translated block (--model cache only): an
 * instruction that reads the register a load wrote waits until the load's
 * result is there, `latency` cycles after the load issued (the L1D
 * load-to-use latency of the core's memory hierarchy, mm/cache.h).  The
 * issue-cycle model (emu/insn_cost.c) charges a load as if its result were
 * ready on the next cycle; this adds the wait.  A pointer chase (each load's
 * address is the previous load's value) then costs the L1 latency per load,
 * as hardware measures it.  docs/instruction-costs.md. */
#ifndef KMAPLAB_EMU_LOAD_USE_H
#define KMAPLAB_EMU_LOAD_USE_H

#include <stdbool.h>
#include <stdint.h>

#include <capstone/capstone.h>

/* QEMU ends a block after at most 512 instructions; Thumb's 2-byte units
 * in MAX_BLOCK_BYTES (4096) bound it too. */
#define LOAD_USE_MAX_INSNS 2048u

struct load_use_insn {
	uint16_t cost;     /* issue cycles (insn_cost_one) */
	int8_t load_dst;   /* a single-register load's destination r0..r14, else -1 */
	uint16_t reads;    /* bit n: reads rn */
	uint16_t writes;   /* bit n: writes rn */
};

struct load_use_block {
	uint32_t n;
	bool overflow;     /* more instructions than fit: no stalls charged */
	bool self_loop;    /* ends with a branch to its own first instruction */
	uint32_t va;
	struct load_use_insn v[LOAD_USE_MAX_INSNS];
};

void load_use_begin(struct load_use_block *b, uint32_t va);
/* One decoded instruction (CS_OPT_DETAIL on), in block order; `h` decoded it. */
void load_use_note(struct load_use_block *b, csh h, const cs_insn *insn, unsigned cost);
/* An undecodable unit (no registers known). */
void load_use_note_unknown(struct load_use_block *b, unsigned cost);
/* The stall cycles of the block: for each load, latency minus the issue
 * cycles from the load to the first instruction reading its destination,
 * when positive.  The first reader is searched in the block, and for a
 * block that loops on itself also from its start again (the next run);
 * an instruction that writes the register without reading it ends the
 * search (the loaded value is dead). */
unsigned load_use_stalls(const struct load_use_block *b, unsigned latency);

#endif
