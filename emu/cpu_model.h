/* SPDX-License-Identifier: MIT */
/* The per-instruction side of the cycle model: instruction counts and
 * costs per translated block (Capstone, cached), and the hooks on TLB
 * maintenance instructions the guest executes itself. */
#ifndef KMAPLAB_EMU_CPU_MODEL_H
#define KMAPLAB_EMU_CPU_MODEL_H

#include <stdint.h>

struct machine;

int cpu_model_init(struct machine *m);
/* Accounts one execution of the block at `va` of `size` bytes; returns its
 * instruction count. */
uint32_t cpu_model_block(struct machine *m, uint32_t va, uint32_t size);
void cpu_model_free(struct machine *m);

#endif
