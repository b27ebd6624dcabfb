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

#include "cpu_model.h"
#include "machine.h"

struct tlb;
struct uc_compat_vtlb;

/* Whether `--model fill` can give the per-access model's statistics on
 * this run; if not the run uses the per-access model (why: *why). */
bool fill_model_usable(const struct machine *m, const char **why);

/* The fill translation for m->vtlb's engine (a uc_compat_translate_fn). */
bool fill_model_translate(void *arg, uint32_t va, uc_mem_type type, uint32_t *pa, uint32_t *prot);

/* Connects CPU `cpu`'s modelled TLB and block cache `h` to its engine's
 * TLB (evictions flush it; the CPU's epoch follows the TLB and the hazard
 * checker) and maps the engine's per-access alias.  0 or a uc_err. */
int fill_model_attach(struct machine *m, struct tlb *tlb, struct uc_compat_vtlb *v,
		      struct cpu_model_hot *h, unsigned cpu);

/* Fills in a new block_front's --model fill part (fill_hits, exit_*)
 * from its costing: `c` its conditional accesses, `mem` all of them. */
void fill_model_describe(struct block_front *f, const struct insn_mem_conds *c, uint32_t mem);

/* The instruction side of a block within one page, `insns` look-ups:
 * true if they were counted here (the page's micro-TLB entry was found
 * current by a look-up in this epoch), else the caller makes the look-up
 * (mm_access) and then calls fill_model_fetched(). */
bool fill_model_fetch(struct machine *m, uint32_t va, uint32_t size, uint32_t insns);
void fill_model_fetched(struct machine *m, uint32_t va, uint32_t size);

/* The block hook's general part, after the fetches: settle the last
 * block's conditional accesses (fill_model_settle), count this block's
 * data accesses as micro-TLB hits (before it runs), take back those its
 * entry flags decide that fail, follow the hazard checker's state, and let
 * the block take the fast path while this epoch lasts.  f:
 * cpu_model_front(). */
void fill_model_block(struct machine *m, struct block_front *f, uint32_t va, uint32_t size);

/* The last block's conditional accesses when its exit's address does not
 * settle them: CPSR does. */
void fill_model_settle_flags(struct machine *m, const struct block_front *p);

/* ---- The block hook's fast path (inline: it runs on every block) ------ */

static inline bool fill_single_page(uint32_t va, uint32_t size)
{
	return ((va ^ (va + size - 1)) & PAGE_MASK) == 0;
}

/* The last block's conditional accesses that its exit's flags decide,
 * from `va`, the address of the block that followed it (mostly the branch
 * that ended it went to va or did not, which settles every such access
 * whose condition is the branch's or its opposite: block_front.exit_*):
 * 1 and *back set to the early counts to take back (those that failed),
 * or 0: CPSR settles them (fill_model_settle_flags). */
static inline bool fill_exit_settled(const struct block_front *p, uint32_t va, uint32_t *back)
{
	unsigned taken = va != p->va + p->size;
	unsigned unsettled = (p->exit_flags >> taken) & 1u; /* FILL_EXIT_FT/OTHER_UNSETTLED */
	*back = p->exit_uncount[taken];
	return (unsettled ^ 1u) | (taken & (va == p->exit_target));
}

/* fill_exit_settled() of the CPU's last block, else CPSR: settles it. */
static inline void fill_model_settle(struct machine *m, uint32_t va)
{
	struct cpu_model_hot *h = m->front;
	const struct block_front *p = h->pending;
	uint32_t back;
	h->pending = &h->none;
	if (fill_exit_settled(p, va, &back))
		tlb_uncount_mru_hits(m->mm.tlb, back);
	else
		fill_model_settle_flags(m, p);
}

/* The whole of --model fill's work for a block when it is only counting:
 * the block's fetches were found current in this epoch (one compare: the
 * epoch changes on everything fill_model_fetch() and fill_model_block()
 * check, the hazard checker's state included) and the last block's exit
 * settles its conditional accesses: the block's fetches and data accesses
 * are micro hits, less the last block's accesses that failed.  False (and
 * nothing done) otherwise.  f: cpu_model_front() after cpu_model_block(),
 * so a current fill_epoch means f is this block's. */
static inline bool fill_model_block_fast(struct machine *m, const struct block_front *f, uint32_t va)
{
	struct cpu_model_hot *h = m->front;
	const struct block_front *p = h->pending;
	uint32_t back;
	if (!fill_exit_settled(p, va, &back) || f->fill_epoch != h->epoch)
		return false;
	tlb_count_mru_hits_less(m->mm.tlb, f->fill_hits, back);
	h->pending = f;
	return true;
}

/* A page the CPU now runs code from (SMP): its data accesses must be seen
 * one by one from now on, on every CPU. */
void fill_model_code_page(struct machine *m, uint32_t va);

#endif
