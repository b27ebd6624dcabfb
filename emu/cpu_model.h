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
	uint32_t va, size; /* size 0: empty */
	uint32_t insns, cycles;
	uint32_t mem; /* data accesses (struct block_cost.mem), for --model fill */
	struct insn_mem_conds conds; /* and the conditional ones among them */
};

/* The first member of struct cpu_model (emu/cpu_model.c). */
struct cpu_model_hot {
	struct block_front front[1u << BLOCK_FRONT_BITS];
	/* --model fill: the instruction-side look-up last found a current
	 * micro-TLB hit on this page (emu/fill_model.c, fill_model_fetch). */
	struct fill_fetch_memo {
		uint32_t page;      /* VA page + 1; 0: nothing remembered */
		uint32_t tlb_gen;   /* tlb_peek_gen(TLB_SIDE_I) then */
		uint32_t store_gen; /* hazard_pt_store_gen() then */
		uint32_t contextidr, dacr;
	} fetch;
	/* --model fill: the last block's conditional accesses that the flags
	 * at its exit decide (emu/fill_model.c), and its fall-through address. */
	uint32_t pending_end;
	struct insn_mem_conds pending;
};

int cpu_model_init(struct machine *m);

/* The TLB-maintenance hooks on engine m->uc (each CPU's engine needs them). */
int cpu_model_add_hooks(struct machine *m);

/* cpu_model_block() on a front-cache miss: costs the block, caches it. */
uint32_t cpu_model_block_miss(struct machine *m, struct block_front *f, uint32_t va, uint32_t size);

static inline struct block_front *cpu_model_front(struct cpu_model_hot *h, uint32_t va, uint32_t size)
{
	uint32_t i = (va >> 1) ^ (va >> (BLOCK_FRONT_BITS + 1)) ^ (size << 3);
	return &h->front[i & ((1u << BLOCK_FRONT_BITS) - 1)];
}

/* Accounts one execution of the block at `va` of `size` bytes: adds its
 * cycles to *cycles and returns its instruction count. */
static inline uint32_t cpu_model_block(struct machine *m, struct cpu_model_hot *h, uint64_t *cycles,
				       uint32_t va, uint32_t size)
{
	struct block_front *f = cpu_model_front(h, va, size);
	if (f->va != va || f->size != size)
		return cpu_model_block_miss(m, f, va, size);
	*cycles += f->cycles;
	return f->insns;
}
void cpu_model_free(struct machine *m);

#endif
