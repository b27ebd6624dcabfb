/* SPDX-License-Identifier: MIT */
/* The kernel's TLB flush primitives for kernel mappings, as ARM Linux
 * v5.10 and v6.6 run them: local_flush_tlb_kernel_page(),
 * flush_tlb_kernel_range() and flush_tlb_all().  Which maintenance
 * operations and barriers each one issues on the modelled core is the
 * table in mm/tlbflush.h (from tlbflush.h's tlb_flags, tlb-v6.S and
 * tlb-v7.S); e.g. on a Cortex-A7 with an SMP kernel
 *
 *   local_flush_tlb_kernel_page(va)   DSB(nshst); TLBIMVA va; DSB(nsh); ISB
 *   flush_tlb_kernel_range(s, e)      DSB(ish); TLBIMVAIS per page; DSB(ish); ISB
 *   flush_tlb_all()                   DSB(ishst); TLBIALLIS; DSB(ish); ISB
 *
 * and on the ARM1176 (Harvard TLBs) a DTLBIMVA and an ITLBIMVA per page.
 * There is no switch to a full flush above some number of pages: one pkmap
 * wrap costs LAST_PKMAP (512) per-page steps.
 *
 * Each one runs its sequence on the modelled TLB, charges each operation
 * from the core's costs to mm->stats.cycles and to the primitive's
 * flush_stats, counts the operations in ks->stats.ops (flush.ops.<OP>),
 * keeps the emulator's own TLB coherent through mm->host, and reports a
 * flush_event to the trace sink.
 *
 * With several CPUs (mm/smp.h), flush_tlb_kernel_range() and flush_tlb_all()
 * reach every CPU: Inner Shareable operations (every TLB invalidated, the
 * broadcast's cost to the caller) or, with tlb_ops_need_broadcast(), an IPI
 * to each other CPU that runs the local loop on its own clock; then the
 * Cortex-A15 erratum 798181 IPIs if configured.  local_flush_tlb_kernel_page()
 * stays on this CPU.  local_flush_tlb_kernel_range() (what __set_fixmap()
 * calls: the flush causes set_fixmap, clear_fixmap, early_ioremap,
 * early_iounmap) is the same sequence, IS on SMP ARMv7, but never sends
 * IPIs; it is counted as flush_tlb_kernel_range.  With one CPU all of this
 * costs and counts exactly what the single-core model did.  These kernel
 * routines are counted under flush.<primitive> and flush.ops.<OP>;
 * flush.tlbi.<OP> counts only the maintenance instructions the guest
 * executes itself. */
#ifndef KMAPLAB_MM_FLUSH_H
#define KMAPLAB_MM_FLUSH_H

#include <stdint.h>

struct kmap_state;

/* Why a flush happened.  The numbers are ABI: plugins/kmaplab-plugin.h
 * has the same values as enum kmaplab_flush_cause. */
enum flush_cause {
	FLUSH_CAUSE_NONE = 0,        /* not said */
	FLUSH_CAUSE_PKMAP_WRAP = 1,  /* flush_all_zero_pkmaps() when last_pkmap_nr wraps */
	FLUSH_CAUSE_KMAP_ATOMIC = 2, /* set_fixmap_pte() in kmap_atomic() */
	FLUSH_CAUSE_KUNMAP_ATOMIC = 3, /* kunmap_atomic() clearing its PTE (DEBUG_HIGHMEM) */
	FLUSH_CAUSE_KMAP_LOCAL = 4,  /* arch_kmap_local_post_map() */
	FLUSH_CAUSE_KUNMAP_LOCAL = 5, /* arch_kmap_local_post_unmap() */
	FLUSH_CAUSE_SET_FIXMAP = 6,  /* __set_fixmap() with a mapping */
	FLUSH_CAUSE_CLEAR_FIXMAP = 7, /* __set_fixmap() clearing */
	FLUSH_CAUSE_EARLY_IOREMAP = 8, /* __early_set_fixmap() in early_ioremap() */
	FLUSH_CAUSE_EARLY_IOUNMAP = 9, /* early_iounmap() clearing */
	FLUSH_CAUSE_GUEST = 10,      /* the guest called the flush function itself */
	FLUSH_CAUSE_POLICY_EAGER = 11, /* a policy flushing at unmap time instead of on wrap */
	FLUSH_CAUSE_POLICY = 12,     /* any other policy-specific reason */
	FLUSH_NR_CAUSES
};

/* "pkmap_wrap", "kmap_atomic", ... ("?" out of range). */
const char *flush_cause_name(enum flush_cause cause);

/* Each returns the number of modelled TLB entries invalidated.  `va`,
 * `start` and `end` need not be page aligned: like the kernel, the range
 * covers the pages from start & PAGE_MASK up to (not including)
 * end & PAGE_MASK, and always at least one page (tlb-v7.S loops with
 * do/while). */
unsigned local_flush_tlb_kernel_page(struct kmap_state *ks, uint32_t va, enum flush_cause cause);
unsigned flush_tlb_kernel_range(struct kmap_state *ks, uint32_t start, uint32_t end,
				enum flush_cause cause);
unsigned flush_tlb_all(struct kmap_state *ks, enum flush_cause cause);

/* Number of TLBIMVA operations flush_tlb_kernel_range(start, end) issues. */
uint32_t flush_range_pages(uint32_t start, uint32_t end);

#endif
