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

unsigned local_flush_tlb_kernel_page(struct kmap_state *ks, uint32_t va, enum flush_cause cause)
{
	struct mm *mm = ks->mm;
	const struct core_costs *c = &mm->core->cost;
	unsigned n = 0;

	va &= PAGE_MASK;
	/* dsb(nshst); TLBIMVA (c8, c7, 1); dsb(nsh); isb() */
	if (mm->tlb)
		n = tlb_invalidate_mva(mm->tlb, TLB_SCOPE_ALL, va, current_asid(ks));
	hazard_kernel_flush(mm->hazards, 0, 1u, HAZARD_INV_MVA, va, current_asid(ks));
	if (mm->host && mm->host->flush_page)
		mm->host->flush_page(mm->host_arg, va);
	account(ks, FLUSH_OP_LOCAL_FLUSH_TLB_KERNEL_PAGE, cause, va, 1, n,
		(uint64_t)c->dsb + c->tlbi_mva + c->dsb + c->isb);
	return n;
}

unsigned flush_tlb_kernel_range(struct kmap_state *ks, uint32_t start, uint32_t end,
				enum flush_cause cause)
{
	struct mm *mm = ks->mm;
	const struct core_costs *c = &mm->core->cost;
	uint32_t pages = flush_range_pages(start, end);
	uint8_t asid = current_asid(ks);
	unsigned n = 0;

	start &= PAGE_MASK;
	/* v7wbi_flush_kern_tlb_range: dsb; TLBIMVA(IS) per page; BPIALL(IS); dsb; isb */
	for (uint32_t i = 0; i < pages; i++) {
		uint32_t va = start + (i << PAGE_SHIFT);
		if (mm->tlb)
			n += tlb_invalidate_mva(mm->tlb, TLB_SCOPE_ALL, va, asid);
		hazard_kernel_flush(mm->hazards, 0, HAZARD_ALL_CPUS, HAZARD_INV_MVA, va, asid);
		if (mm->host && mm->host->flush_page && pages <= HOST_FLUSH_PAGES_MAX)
			mm->host->flush_page(mm->host_arg, va);
	}
	if (mm->host && mm->host->flush_all && pages > HOST_FLUSH_PAGES_MAX)
		mm->host->flush_all(mm->host_arg);
	account(ks, FLUSH_OP_FLUSH_TLB_KERNEL_RANGE, cause, start, pages, n,
		(uint64_t)c->dsb + (uint64_t)pages * c->tlbi_mva + c->bpiall + c->dsb + c->isb);
	return n;
}

unsigned flush_tlb_all(struct kmap_state *ks, enum flush_cause cause)
{
	struct mm *mm = ks->mm;
	const struct core_costs *c = &mm->core->cost;
	unsigned n = 0;

	/* dsb(ishst); TLBIALLIS (c8, c3, 0); dsb(ish); isb() */
	if (mm->tlb)
		n = tlb_invalidate_all(mm->tlb, TLB_SCOPE_ALL);
	hazard_kernel_flush(mm->hazards, 0, HAZARD_ALL_CPUS, HAZARD_INV_ALL, 0, 0);
	if (mm->host && mm->host->flush_all)
		mm->host->flush_all(mm->host_arg);
	account(ks, FLUSH_OP_FLUSH_TLB_ALL, cause, 0, 0, n,
		(uint64_t)c->dsb + c->tlbi_all + c->dsb + c->isb);
	return n;
}
