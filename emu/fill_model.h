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

/* ---- The block hook's fast path (inline: it runs on every block) ------ */

static inline bool fill_single_page(uint32_t va, uint32_t size)
{
	return ((va ^ (va + size - 1)) & PAGE_MASK) == 0;
}

/* The instruction-side memo (fill_model_fetch) answers for this block. */
static inline bool fill_fetch_current(const struct machine *m, uint32_t va, uint32_t size, uint32_t insns)
{
	const struct fill_fetch_memo *f = &m->front->fetch;
	return f->page == (va >> PAGE_SHIFT) + 1 && insns && fill_single_page(va, size) &&
	       f->tlb_gen == tlb_peek_gen(m->mm.tlb, TLB_SIDE_I) &&
	       f->store_gen == hazard_pt_store_gen(m->mm.hazards) &&
	       f->contextidr == m->mm.regs.contextidr && f->dacr == m->mm.regs.dacr &&
	       (m->mm.regs.sctlr & 1u) && hazard_va_quiet(m->mm.hazards, m->mm.smp.cpu, va);
}

/* Whether the last block's conditional exit (c->exit_cond) was taken, from
 * the address of the block that followed it: 1 taken, 0 not, -1 unknown
 * (an indirect exit to its own fall-through, or neither address). */
static inline int fill_exit_taken(const struct insn_mem_conds *c, uint32_t end, uint32_t next)
{
	if (c->exit_cond == INSN_MEM_NO_EXIT)
		return -1;
	if (c->exit_direct) {
		if (c->exit_target == end)
			return -1;
		return next == c->exit_target ? 1 : next == end ? 0 : -1;
	}
	return next != end ? 1 : -1;
}

/* Whether every item `c` leaves to its exit's flags has the exit's
 * condition or its opposite (ARM conditions come in pairs that differ in
 * bit 0), so that whether the exit was taken settles them all. */
static inline bool fill_exit_decides(const struct insn_mem_conds *c)
{
	for (unsigned i = 0; i < c->n; i++)
		if ((c->cond[i] & INSN_MEM_AT_EXIT) && ((c->cond[i] & 0xfu) | 1u) != (c->exit_cond | 1u))
			return false;
	return true;
}

/* Takes back the early counts of those items whose condition failed. */
static inline void fill_uncount_by_exit(struct tlb *tlb, const struct insn_mem_conds *c, int taken)
{
	for (unsigned i = 0; i < c->n; i++) {
		if (!(c->cond[i] & INSN_MEM_AT_EXIT))
			continue;
		bool passed = (c->cond[i] & 0xfu) == c->exit_cond ? taken : !taken;
		if (!passed)
			for (unsigned k = 0; k < c->mem[i]; k++)
				tlb_uncount_mru_hit(tlb);
	}
}

/* The whole of --model fill's work for one block when it is only counting:
 * the block is costed, its fetches are answered by the memo, the hazard
 * checker's state is what the engines' TLBs were filled under, and the
 * last block's conditional accesses are settled by where its exit went.
 * Then the block's fetches and data accesses are micro hits, as
 * fill_model_fetch() and fill_model_block() would count them; false (and
 * nothing done) otherwise. */
static inline bool fill_model_block_fast(struct machine *m, uint32_t va, uint32_t size, uint32_t insns)
{
	struct cpu_model_hot *h = m->front;
	const struct block_front *f = cpu_model_front(h, va, size);
	const struct hazard_checker *hz = m->mm.hazards;
	if (f->va != va || f->size != size || !fill_fetch_current(m, va, size, insns))
		return false;
	if (hz && (hazard_pt_watch_gen(hz) != m->fill_watch_gen || m->fill_mib_pending))
		return false; /* follow_hazards() has work */
	int taken = -1;
	if (h->pending.n) {
		taken = fill_exit_taken(&h->pending, h->pending_end, va);
		if (taken < 0 || !fill_exit_decides(&h->pending))
			return false; /* the flags are needed */
	}
	if (f->conds.n)
		for (unsigned i = 0; i < f->conds.n; i++)
			if (!(f->conds.cond[i] & INSN_MEM_AT_EXIT))
				return false; /* entry flags needed */
	if (h->pending.n)
		fill_uncount_by_exit(m->mm.tlb, &h->pending, taken);
	tlb_count_mru_hits(m->mm.tlb, insns + f->mem);
	h->pending.n = 0;
	if (f->conds.n) {
		h->pending = f->conds;
		h->pending_end = va + size;
	}
	return true;
}

/* A page the CPU now runs code from (SMP): its data accesses must be seen
 * one by one from now on, on every CPU. */
void fill_model_code_page(struct machine *m, uint32_t va);

#endif
