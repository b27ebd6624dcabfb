/* SPDX-License-Identifier: MIT */
/* TLB maintenance reaching other CPUs (see smp.h): the Inner Shareable
 * broadcast of ARMv7 MP cores and the IPI shootdown of
 * arch/arm/kernel/smp_tlb.c (Linux v5.10).
 *
 * Seam for the architectural stale-TLB checker (issue 10): every
 * invalidate that reaches another CPU happens below, on s->tlb[i] for CPU
 * i -- smp_tlb_is_mva/_is_all (kernel flushes, IS), smp_tlbi_broadcast
 * (guest IS MCRs) and smp_ipi_each's `apply` (IPI shootdowns).  The running
 * CPU's own invalidates are mm/flush.c's and tlbi_apply()'s on mm->tlb,
 * whose CPU is mm->smp.cpu.  A checker keeping per-CPU state hooks those
 * places with (CPU, VA or all). */
#include "smp.h"

#include "mm.h"

void smp_costs_default(struct smp_costs *c)
{
	*c = (struct smp_costs){
		/* ASSUMPTION: a DVM message on the coherent interconnect (CCI or
		 * the SCU) per operation and per other core. */
		.is_op = 2,
		/* ASSUMPTION: the DSB's DVM sync round trip to every core. */
		.is_sync = 20,
		/* ASSUMPTION: csd lock, llist add and a GICD_SGIR write (device
		 * store) per target, as smp_call_function_many() does them. */
		.ipi_send = 40,
		/* ASSUMPTION: exception entry, gic_handle_irq()'s GICC_IAR read,
		 * handle_IPI() and the call-function queue walk. */
		.ipi_entry = 150,
		/* ASSUMPTION: GICC_EOIR write, csd unlock, exception return. */
		.ipi_exit = 60,
		/* ASSUMPTION: the caller's csd_lock_wait() seeing the unlock
		 * (a coherent cache-line transfer). */
		.ipi_ack = 30,
		/* ASSUMPTION: a DMB on an otherwise idle store buffer. */
		.dmb = 10,
	};
}

uint64_t smp_now(const struct mm *mm)
{
	return mm->stats.cycles;
}

/* The emulator's own TLB of another CPU. */
static void host_flush(struct mm *mm, unsigned cpu, uint32_t va, bool all)
{
	if (mm->host && mm->host->flush_cpu)
		mm->host->flush_cpu(mm->host_arg, cpu, va, all);
}

uint64_t smp_tlb_is_mva(struct mm *mm, uint32_t va, uint8_t asid)
{
	struct mm_smp *s = &mm->smp;
	if (s->ncpus < 2)
		return 0;
	for (unsigned i = 0; i < s->ncpus; i++) {
		if (i == s->cpu)
			continue;
		s->stats[i].remote_invalidated += tlb_invalidate_mva(s->tlb[i], TLB_SCOPE_ALL, va, asid);
		host_flush(mm, i, va, false);
	}
	s->stats[s->cpu].is_ops++;
	return (uint64_t)s->costs.is_op * (s->ncpus - 1);
}

uint64_t smp_tlb_is_all(struct mm *mm)
{
	struct mm_smp *s = &mm->smp;
	if (s->ncpus < 2)
		return 0;
	for (unsigned i = 0; i < s->ncpus; i++) {
		if (i == s->cpu)
			continue;
		s->stats[i].remote_invalidated += tlb_invalidate_all(s->tlb[i], TLB_SCOPE_ALL);
		host_flush(mm, i, 0, true);
	}
	s->stats[s->cpu].is_ops++;
	return (uint64_t)s->costs.is_op * (s->ncpus - 1);
}

uint64_t smp_tlb_is_sync(struct mm *mm)
{
	return mm->smp.ncpus < 2 ? 0 : mm->smp.costs.is_sync;
}

uint64_t smp_tlbi_broadcast(struct mm *mm, enum tlbi_op op, uint32_t rt)
{
	struct mm_smp *s = &mm->smp;
	if (s->ncpus < 2 || !tlbi_op_is_shareable(op))
		return 0;
	uint32_t va = rt & 0xfffff000u;
	uint8_t asid = (uint8_t)(rt & 0xffu);
	for (unsigned i = 0; i < s->ncpus; i++) {
		if (i == s->cpu)
			continue;
		struct tlb *t = s->tlb[i];
		unsigned n = 0;
		switch (tlbi_op_kind(op)) {
		case TLBI_KIND_ALL: n = tlb_invalidate_all(t, TLB_SCOPE_ALL); break;
		case TLBI_KIND_MVA: n = tlb_invalidate_mva(t, TLB_SCOPE_ALL, va, asid); break;
		case TLBI_KIND_ASID: n = tlb_invalidate_asid(t, TLB_SCOPE_ALL, asid); break;
		case TLBI_KIND_MVAA: n = tlb_invalidate_mva_all_asid(t, TLB_SCOPE_ALL, va); break;
		}
		s->stats[i].remote_invalidated += n;
		host_flush(mm, i, va, tlbi_op_kind(op) == TLBI_KIND_ALL || tlbi_op_kind(op) == TLBI_KIND_ASID);
	}
	s->stats[s->cpu].is_ops++;
	/* The guest's own DSB is charged as an instruction; the broadcast's
	 * completion is charged here, with the operation. */
	return (uint64_t)s->costs.is_op * (s->ncpus - 1) + s->costs.is_sync;
}

/* One IPI to CPU `i` sent at `sent`: it is taken when the target's clock
 * reaches that time (a target already ahead takes it at once, at its own
 * time -- the interleaving's limit, docs/smp.md), runs `work` cycles, and
 * returns when it is done. */
static uint64_t ipi_run(struct mm *mm, unsigned i, uint64_t sent, uint64_t work)
{
	struct mm_smp *s = &mm->smp;
	uint64_t start = s->clock[i] > sent ? s->clock[i] : sent;
	uint64_t spent = s->costs.ipi_entry + work + s->costs.ipi_exit;
	s->stats[i].idle_cycles += start - s->clock[i];
	s->clock[i] = start + spent;
	s->remote_cycles[i] += spent;
	s->stats[i].ipi_received++;
	s->stats[i].ipi_handler_cycles += spent;
	return s->clock[i];
}

uint64_t smp_ipi_each(struct mm *mm, uint64_t handler_cycles, smp_tlb_apply_fn apply, void *arg,
		      bool all, uint32_t va, uint32_t pages)
{
	struct mm_smp *s = &mm->smp;
	if (s->ncpus < 2)
		return 0;
	uint64_t now = smp_now(mm), send = 0, done = 0;
	for (unsigned i = 0; i < s->ncpus; i++) {
		if (i == s->cpu)
			continue;
		send += s->costs.ipi_send;
		s->stats[s->cpu].ipi_sent++;
		s->stats[i].remote_invalidated += apply(s->tlb[i], arg);
		if (all || pages > 32)
			host_flush(mm, i, 0, true);
		else
			for (uint32_t p = 0; p < pages; p++)
				host_flush(mm, i, va + (p << 12), false);
		uint64_t end = ipi_run(mm, i, now + send, handler_cycles);
		if (end > done)
			done = end;
	}
	/* v5.10's on_each_cpu(): smp_call_function() sends and waits in
	 * csd_lock_wait() for the last target, then the caller runs its own
	 * part (which the caller charges). */
	uint64_t sent = now + send;
	uint64_t wait = done > sent ? done - sent : 0;
	uint64_t cost = send + wait + s->costs.ipi_ack;
	s->stats[s->cpu].ipi_send_cycles += cost;
	return cost;
}

static unsigned apply_nothing(struct tlb *tlb, void *arg)
{
	(void)tlb;
	(void)arg;
	return 0;
}

uint64_t smp_a15_erratum(struct mm *mm)
{
	struct mm_smp *s = &mm->smp;
	if (s->ncpus < 2 || !s->erratum_798181)
		return 0;
	/* dummy_flush_tlb_a15_erratum(): TLBIMVAIS of address 0, then dsb(ish) */
	const struct core_costs *c = &mm->core->cost;
	uint64_t cost = c->tlbi_mva + smp_tlb_is_mva(mm, 0, (uint8_t)(mm->regs.contextidr & 0xffu)) +
			c->dsb + smp_tlb_is_sync(mm);
	tlb_invalidate_mva(mm->tlb, TLB_SCOPE_ALL, 0, (uint8_t)(mm->regs.contextidr & 0xffu));
	/* smp_call_function(ipi_flush_tlb_a15_erratum, NULL, 1): the others only */
	mm->stats.cycles += cost;
	uint64_t ipi = smp_ipi_each(mm, s->costs.dmb, apply_nothing, NULL, false, 0, 0);
	mm->stats.cycles -= cost;
	return cost + ipi;
}
