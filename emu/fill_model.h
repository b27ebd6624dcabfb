/* SPDX-License-Identifier: MIT */
/* --model fill: the modelled TLB driven by Unicorn 2.1's TLB fills instead
 * of a hook on every load and store (docs/speed.md, "The TLB-fill model").
 * Unicorn's TLB holds a subset of what the modelled D micro TLB holds, so
 * a data access QEMU serves from its own TLB is a micro-TLB hit; those
 * hits are counted from the decoded blocks, and the model itself runs
 * only when QEMU asks for a translation. */
#ifndef KMAPLAB_EMU_FILL_MODEL_H
#define KMAPLAB_EMU_FILL_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <unicorn/unicorn.h>

struct machine;
struct tlb;
struct uc_compat_vtlb;

/* Whether `--model fill` can give the per-access model's statistics on
 * this run; if not the run uses the per-access model (why: *why). */
bool fill_model_usable(const struct machine *m, const char **why);

/* The fill translation for m->vtlb's engine (a uc_compat_translate_fn). */
bool fill_model_translate(void *arg, uint32_t va, uc_mem_type type, uint32_t *pa, uint32_t *prot);

/* Connects a CPU's modelled TLB to its engine's TLB (evictions flush it)
 * and maps the engine's per-access alias.  0 or a uc_err. */
int fill_model_attach(struct machine *m, struct tlb *tlb, struct uc_compat_vtlb *v);

/* The instruction side of a block within one page, `insns` look-ups:
 * true if they were counted here (the page's micro-TLB entry was found
 * current by the last look-up and nothing that could change that has
 * happened since), else the caller makes the look-up (mm_access) and then
 * calls fill_model_fetched(). */
bool fill_model_fetch(struct machine *m, uint32_t va, uint32_t size, uint32_t insns);
void fill_model_fetched(struct machine *m, uint32_t va, uint32_t size);

/* The block hook's part: count the block's data accesses as micro-TLB
 * hits (before it runs) and follow the hazard checker's state. */
void fill_model_block(struct machine *m, uint32_t va, uint32_t size);

/* A page the CPU now runs code from (SMP): its data accesses must be seen
 * one by one from now on, on every CPU. */
void fill_model_code_page(struct machine *m, uint32_t va);

#endif
