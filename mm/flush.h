/* The kernel's TLB flush primitives for kernel mappings, as ARMv7 Linux
 * v5.x runs them (arch/arm/include/asm/tlbflush.h, arch/arm/mm/tlb-v7.S):
 *
 *   local_flush_tlb_kernel_page(va)
 *	DSB; TLBIMVA va; DSB; ISB
 *   flush_tlb_kernel_range(start, end)   (v7wbi_flush_kern_tlb_range)
 *	DSB; do { TLBIMVA(IS) p; p += PAGE_SIZE } while (p < end);
 *	BPIALL(IS); DSB; ISB
 *	There is no switch to a full flush above some number of pages: one
 *	pkmap wrap costs LAST_PKMAP (512) per-page invalidates.
 *   flush_tlb_all()
 *	DSB; TLBIALL(IS); DSB; ISB
 *
 * Each one invalidates in the modelled TLB (kernel entries are global; the
 * ASID given to TLBIMVA is CONTEXTIDR's, as the hardware would see it),
 * charges its cycles from the core's costs to mm->stats.cycles and to the
 * primitive's flush_stats, keeps the emulator's own TLB coherent through
 * mm->host, and reports a flush_event to the trace sink.
 *
 * One core is modelled, so the Inner Shareable forms act and cost exactly
 * like the local ones; local_flush_tlb_kernel_range() is the same sequence
 * as flush_tlb_kernel_range() on ARMv7 and is counted as one.  These
 * kernel routines are counted under flush.<primitive>; flush.tlbi.<OP>
 * counts only the maintenance instructions the guest executes itself. */
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
