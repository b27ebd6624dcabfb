/* SPDX-License-Identifier: MIT */
/* The per-instruction side of the cycle model: instruction counts and
 * costs per translated block (Capstone, cached), and the hooks on TLB
 * maintenance instructions the guest executes itself. */
#ifndef KMAPLAB_EMU_CPU_MODEL_H
#define KMAPLAB_EMU_CPU_MODEL_H

#include <stdint.h>

#include "insn_mem.h"

struct machine;
struct cpu_model;

/* The block hook's own cache, in front of block_cost()'s: direct-mapped,
 * keyed by what the hook is given (address, size), so that a hit needs no
 * register read.  The instruction set is read (CPSR.T) only on a miss and
 * is part of the entry: a block is assumed to run in the state it was
 * first costed in.  QEMU's translated blocks carry the state in their flags
 * (ARM and Thumb code at one VA are different blocks), but Unicorn's hook
 * reports only (address, size); the two would collide here only if the
 * same bytes at the same VA were run as both ARM and Thumb code with the
 * same block length, which no compiler emits. */
#define BLOCK_FRONT_BITS 12
struct block_front {
	/* 32 bytes, two entries a host cache line (it was 40 bytes, entries
	 * straddling lines: --model cache on bench_loadstore ran about 6%
	 * slower, docs/speed.md).  size and insns fit 16 bits: a block has
	 * at most MAX_BLOCK_BYTES (emu/cpu_model.c) */
	uint32_t va;
	uint16_t size, insns; /* size 0: empty */
	uint32_t cycles;
	uint32_t exit_target; /* --model fill: below */
	/* --model fill (emu/fill_model.h).  The fast path counts fill_hits
	 * (the fetches and data accesses, all micro-TLB hits) while the CPU's
	 * epoch is fill_epoch: the epoch the block's fetches were last found
	 * current in.  fill_hits 0: the block always takes the general path
	 * (two pages, no instructions, or accesses its entry flags decide). */
	uint64_t fill_epoch;
	uint16_t fill_hits;
	/* Its conditional accesses that the flags at its exit decide, settled
	 * by the next block's address (fill_model_settle): with exit_flags 0
	 * any next block settles them, FILL_EXIT_FT_UNSETTLED: not the
	 * fall-through va + size, FILL_EXIT_OTHER_UNSETTLED: no other block
	 * but exit_target; FILL_EXIT_BY_LIST: CPSR and the whole list
	 * (block_front_cold.conds), else CPSR and exit_cond; exit_target
	 * (above, for the layout) the target of FILL_EXIT_OTHER_UNSETTLED. */
	uint16_t exit_uncount[2]; /* [taken]: the accesses whose condition failed */
	uint8_t exit_flags, exit_cond;
};
#define FILL_EXIT_FT_UNSETTLED 1u
#define FILL_EXIT_OTHER_UNSETTLED 2u
#define FILL_EXIT_BY_LIST 4u
/* What only the general path reads, at the same index. */
struct block_front_cold {
	uint32_t mem; /* data accesses (struct block_cost.mem), for --model fill */
	struct insn_mem_conds conds; /* and the conditional ones among them */
};

/* The first member of struct cpu_model (emu/cpu_model.c); one per CPU. */
struct cpu_model_hot {
	_Alignas(64) struct block_front front[1u << BLOCK_FRONT_BITS];
	/* --model fill: incremented by every event that may change what a
	 * block's instruction-side look-up finds (emu/fill_model.c): changes
	 * to the I micro TLB's recent entries (tlb_set_change_counter), CP15
	 * translation-register writes, stores to watched page-table pages and
	 * the hazard checker's state for this CPU (hazard_set_epoch).  Starts
	 * at 1, so that a zeroed block_front.fill_epoch is never current. */
	uint64_t epoch;
	/* The block the CPU ran last (its exit settles its conditional
	 * accesses), or `none`. */
	const struct block_front *pending;
	struct block_front none;
	/* The instruction-side look-up found a current micro-TLB hit on this
	 * page in this epoch (fill_model_fetched); two, by page parity, for
	 * code that alternates between two pages. */
	struct fill_fetch_memo {
		uint32_t page; /* VA page + 1; 0: nothing remembered */
		uint64_t epoch;
	} fetch[2];
	struct block_front_cold cold[1u << BLOCK_FRONT_BITS];
};

int cpu_model_init(struct machine *m);

/* The TLB-maintenance hooks on engine m->uc (each CPU's engine needs them). */
int cpu_model_add_hooks(struct machine *m);

/* cpu_model_block() on a front-cache miss: costs the block, caches it in
 * *f (left as it was, but for fill_epoch 0, if the code is unreadable). */
uint32_t cpu_model_block_miss(struct machine *m, struct block_front *f, uint32_t va, uint32_t size);

/* Indexed by the address alone: the size in the hash put bench_branchy's
 * two hottest blocks in one slot (714K misses a run, 469 without). */
static inline struct block_front *cpu_model_front(struct cpu_model_hot *h, uint32_t va)
{
	uint32_t i = (va >> 1) ^ (va >> (BLOCK_FRONT_BITS + 1));
	return &h->front[i & ((1u << BLOCK_FRONT_BITS) - 1)];
}

static inline struct block_front_cold *cpu_model_front_cold(struct cpu_model_hot *h,
							    const struct block_front *f)
{
	return &h->cold[f - h->front];
}

/* Accounts one execution of the block at `va` of `size` bytes, whose
 * entry is f = cpu_model_front(h, va): adds its cycles to *cycles and
 * returns its instruction count. */
static inline uint32_t cpu_model_block(struct machine *m, struct block_front *f, uint64_t *cycles,
				       uint32_t va, uint32_t size)
{
	if (f->va != va || f->size != size)
		return cpu_model_block_miss(m, f, va, size);
	*cycles += f->cycles;
	return f->insns;
}
void cpu_model_free(struct machine *m);

#endif
