/* SPDX-License-Identifier: MIT */
/* The kernel's TLB flush primitives on the modelled TLB (see flush.h). */
#include "flush.h"

#include "highmem.h"
#include "kdata.h"
#include "trace.h"

/* The emulator's own TLB is kept coherent page by page up to this many
 * pages, with one full flush beyond: a host-side shortcut only (QEMU
 * flushes its whole TLB for a TLBIMVA anyway with 1 KiB pages); the model
 * always does every per-page invalidate. */
#define HOST_FLUSH_PAGES_MAX 32u

static const char *const cause_names[FLUSH_NR_CAUSES] = {
	[FLUSH_CAUSE_NONE] = "none",
	[FLUSH_CAUSE_PKMAP_WRAP] = "pkmap_wrap",
	[FLUSH_CAUSE_KMAP_ATOMIC] = "kmap_atomic",
	[FLUSH_CAUSE_KUNMAP_ATOMIC] = "kunmap_atomic",
	[FLUSH_CAUSE_KMAP_LOCAL] = "kmap_local",
	[FLUSH_CAUSE_KUNMAP_LOCAL] = "kunmap_local",
	[FLUSH_CAUSE_SET_FIXMAP] = "set_fixmap",
	[FLUSH_CAUSE_CLEAR_FIXMAP] = "clear_fixmap",
	[FLUSH_CAUSE_EARLY_IOREMAP] = "early_ioremap",
	[FLUSH_CAUSE_EARLY_IOUNMAP] = "early_iounmap",
	[FLUSH_CAUSE_GUEST] = "guest",
	[FLUSH_CAUSE_POLICY_EAGER] = "policy_eager",
	[FLUSH_CAUSE_POLICY] = "policy",
};

const char *flush_cause_name(enum flush_cause cause)
{
	return (unsigned)cause < FLUSH_NR_CAUSES ? cause_names[cause] : "?";
}

static const char *const op_names[FLUSH_NR_OPS] = {
	[FLUSH_OP_LOCAL_FLUSH_TLB_KERNEL_PAGE] = "local_flush_tlb_kernel_page",
	[FLUSH_OP_FLUSH_TLB_KERNEL_RANGE] = "flush_tlb_kernel_range",
	[FLUSH_OP_FLUSH_TLB_ALL] = "flush_tlb_all",
};

const char *flush_op_name(enum flush_op op)
{
	return (unsigned)op < FLUSH_NR_OPS ? op_names[op] : "?";
}

uint32_t flush_range_pages(uint32_t start, uint32_t end)
{
	start &= PAGE_MASK;
	end &= PAGE_MASK;
	/* 1: mcr TLBIMVA; add r0, #PAGE_SZ; cmp r0, r1; blo 1b */
	return end > start ? (end - start) >> PAGE_SHIFT : 1;
}

static uint8_t current_asid(const struct kmap_state *ks)
{
	return (uint8_t)(ks->mm->regs.contextidr & 0xffu);
}

static struct flush_stats *op_stats(struct mm *mm, enum flush_op op)
{
	switch (op) {
	case FLUSH_OP_LOCAL_FLUSH_TLB_KERNEL_PAGE:
		return &mm->stats.local_flush_tlb_kernel_page;
	case FLUSH_OP_FLUSH_TLB_KERNEL_RANGE:
		return &mm->stats.flush_tlb_kernel_range;
	default:
		return &mm->stats.flush_tlb_all;
	}
}

/* Counts, charges and reports one flush. */
static void account(struct kmap_state *ks, enum flush_op op, enum flush_cause cause,
		    uint32_t start, uint32_t pages, unsigned invalidated, uint64_t cycles)
{
	struct mm *mm = ks->mm;
	struct flush_event ev = {
		.cycle = mm->stats.cycles,
		.op = op,
		.cause = cause,
		.start = start,
		.pages = pages,
		.invalidated = invalidated,
		.cycles = cycles,
	};
	struct flush_stats *st = op_stats(mm, op);
	st->calls++;
	st->pages += pages;
	st->cycles += cycles;
	if ((unsigned)cause < FLUSH_NR_CAUSES) {
		ks->stats.by_cause[cause].calls++;
		ks->stats.by_cause[cause].pages += pages;
		ks->stats.by_cause[cause].cycles += cycles;
	}
	kcharge(ks, cycles);
	if (ks->trace && ks->trace->flush)
		ks->trace->flush(ks->trace_arg, &ev);
}

/* One operation of a flush sequence on the modelled TLB (kernel entries
 * are global; an MVA operation carries CONTEXTIDR's ASID, as the hardware
 * would see it).  Returns the entries it removed. */
static unsigned apply_op(struct tlb *tlb, enum kop op, uint32_t va, uint8_t asid)
{
	if (!tlb)
		return 0;
	switch (op) {
	case KOP_TLBIMVA:
	case KOP_TLBIMVAIS: return tlb_invalidate_mva(tlb, TLB_SCOPE_ALL, va, asid);
	case KOP_TLBIMVAAIS: return tlb_invalidate_mva_all_asid(tlb, TLB_SCOPE_ALL, va);
	case KOP_DTLBIMVA: return tlb_invalidate_mva(tlb, TLB_SCOPE_D, va, asid);
	case KOP_ITLBIMVA: return tlb_invalidate_mva(tlb, TLB_SCOPE_I, va, asid);
	case KOP_TLBIALL:
	case KOP_TLBIALLIS: return tlb_invalidate_all(tlb, TLB_SCOPE_ALL);
	case KOP_DTLBIALL: return tlb_invalidate_all(tlb, TLB_SCOPE_D);
	case KOP_ITLBIALL: return tlb_invalidate_all(tlb, TLB_SCOPE_I);
	case KOP_DSB:
	case KOP_ISB:
	case KOP_BPIALL:
	case KOP_NR: break;
	}
	return 0;
}

/* Runs `seq` over `pages` pages from `start` in the model and counts its
 * operations under flush.ops; returns the entries invalidated and sets
 * *cycles to what the sequence costs on this core. */
static unsigned run_seq(struct kmap_state *ks, const struct flush_seq *seq, uint32_t start,
			uint32_t pages, uint64_t *cycles)
{
	struct mm *mm = ks->mm;
	uint8_t asid = current_asid(ks);
	unsigned n = 0;

	for (unsigned i = 0; i < seq->n; i++) {
		const struct kop_step *st = &seq->step[i];
		if (!st->per_page) {
			n += apply_op(mm->tlb, st->op, st->va_zero ? 0 : start, asid);
			continue;
		}
		for (uint32_t p = 0; p < pages; p++)
			n += apply_op(mm->tlb, st->op, start + (p << PAGE_SHIFT), asid);
	}
	*cycles = flush_seq_count(seq, pages, &mm->core->cost, ks->stats.ops);
	return n;
}

unsigned local_flush_tlb_kernel_page(struct kmap_state *ks, uint32_t va, enum flush_cause cause)
{
	struct mm *mm = ks->mm;
	uint64_t cycles;

	va &= PAGE_MASK;
	unsigned n = run_seq(ks, &ks->seqs.kernel_page, va, 1, &cycles);
	/* TLBIMVA: this CPU only, on every core */
	hazard_kernel_flush(mm->hazards, mm->smp.cpu, 1ull << mm->smp.cpu, HAZARD_INV_MVA, va,
			    current_asid(ks));
	if (mm->host && mm->host->flush_page)
		mm->host->flush_page(mm->host_arg, va);
	account(ks, FLUSH_OP_LOCAL_FLUSH_TLB_KERNEL_PAGE, cause, va, 1, n, cycles);
	return n;
}

/* ipi_flush_tlb_kernel_range() on another CPU: its local loop. */
struct range_args {
	uint32_t start, pages;
	uint8_t asid;
};

static unsigned apply_range(struct tlb *tlb, void *arg)
{
	const struct range_args *a = arg;
	unsigned n = 0;
	for (uint32_t i = 0; i < a->pages; i++)
		n += tlb_invalidate_mva(tlb, TLB_SCOPE_ALL, a->start + (i << PAGE_SHIFT), a->asid);
	return n;
}

static unsigned apply_all(struct tlb *tlb, void *arg)
{
	(void)arg;
	return tlb_invalidate_all(tlb, TLB_SCOPE_ALL);
}

static bool ipi_broadcast(const struct mm *mm)
{
	return mm->smp.ncpus > 1 && mm->smp.broadcast == TLB_BROADCAST_IPI;
}

unsigned flush_tlb_kernel_range(struct kmap_state *ks, uint32_t start, uint32_t end,
				enum flush_cause cause)
{
	struct mm *mm = ks->mm;
	uint32_t pages = flush_range_pages(start, end);
	uint8_t asid = current_asid(ks);
	uint64_t cycles, smp = 0;
	bool is = !ipi_broadcast(mm);
	/* __set_fixmap() (arch/arm/mm/mmu.c, v5.10) calls the local form,
	 * local_flush_tlb_kernel_range(): the same loop (TLBIMVAIS on SMP v7)
	 * but never IPIs -- on ARMv6 SMP it stays on this CPU. */
	bool local_only = cause == FLUSH_CAUSE_SET_FIXMAP || cause == FLUSH_CAUSE_CLEAR_FIXMAP ||
			  cause == FLUSH_CAUSE_EARLY_IOREMAP || cause == FLUSH_CAUSE_EARLY_IOUNMAP;
	/* The CPUs the invalidates reach (hazard checker, mm/hazard.h). */
	uint64_t reach = is || !local_only ? HAZARD_ALL_CPUS : 1ull << mm->smp.cpu;

	start &= PAGE_MASK;
	unsigned n = run_seq(ks, &ks->seqs.kernel_range, start, pages, &cycles);
	for (uint32_t i = 0; i < pages; i++) {
		uint32_t va = start + (i << PAGE_SHIFT);
		hazard_kernel_flush(mm->hazards, mm->smp.cpu, reach, HAZARD_INV_MVA, va, asid);
		if (is)
			smp += smp_tlb_is_mva(mm, va, asid); /* the other CPUs' TLBs (mm/smp.h) */
		if (mm->host && mm->host->flush_page && pages <= HOST_FLUSH_PAGES_MAX)
			mm->host->flush_page(mm->host_arg, va);
	}
	if (mm->host && mm->host->flush_all && pages > HOST_FLUSH_PAGES_MAX)
		mm->host->flush_all(mm->host_arg);
	if (is) {
		smp += smp_tlb_is_sync(mm);
	} else if (!local_only) {
		/* on_each_cpu(ipi_flush_tlb_kernel_range, &ta, 1): each other CPU
		 * runs the same local sequence on its own clock. */
		struct range_args a = { start, pages, asid };
		smp = smp_ipi_each(mm, cycles, apply_range, &a, false, start, pages);
	}
	if (!local_only)
		smp += smp_a15_erratum(mm);
	account(ks, FLUSH_OP_FLUSH_TLB_KERNEL_RANGE, cause, start, pages, n, cycles + smp);
	return n;
}

unsigned flush_tlb_all(struct kmap_state *ks, enum flush_cause cause)
{
	struct mm *mm = ks->mm;
	uint64_t cycles, smp;

	unsigned n = run_seq(ks, &ks->seqs.all, 0, 0, &cycles);
	hazard_kernel_flush(mm->hazards, mm->smp.cpu, HAZARD_ALL_CPUS, HAZARD_INV_ALL, 0, 0);
	if (mm->host && mm->host->flush_all)
		mm->host->flush_all(mm->host_arg);
	if (ipi_broadcast(mm))
		smp = smp_ipi_each(mm, cycles, apply_all, NULL, true, 0, 0); /* on_each_cpu(ipi_flush_tlb_all) */
	else
		smp = smp_tlb_is_all(mm) + smp_tlb_is_sync(mm);
	smp += smp_a15_erratum(mm);
	account(ks, FLUSH_OP_FLUSH_TLB_ALL, cause, 0, 0, n, cycles + smp);
	return n;
}
