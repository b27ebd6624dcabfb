/* SPDX-License-Identifier: MIT */
/* What the kernel's TLB flush primitives issue, operation by operation, on
 * each modelled core: a data table built from the kernel's own description
 * of the core, its tlb_flags (arch/arm/include/asm/tlbflush.h, v5.10 and
 * v6.6 alike), and from the range-flush assembly (arch/arm/mm/tlb-v6.S,
 * tlb-v7.S).  mm/flush.c runs these sequences on the modelled TLB, charges
 * each step from the core's costs and counts it under flush.ops.<OP>.
 *
 * The flags of the modelled cores:
 *   arm1176     v6wbi_tlb_flags = WB | DCLEAN | BARRIER | V6_I_FULL |
 *               V6_D_FULL | V6_I_PAGE | V6_D_PAGE | V6_I_ASID | V6_D_ASID |
 *               V6_BP: Harvard TLBs, a D-side and an I-side operation each
 *               time (no SMP: ARM1176 is uniprocessor).
 *   cortex-a7/a9/a15
 *               v7wbi_tlb_flags_smp = WB | BARRIER | V7_UIS_FULL |
 *               V7_UIS_PAGE | V7_UIS_ASID | V7_UIS_BP (CONFIG_SMP, the
 *               default: an SMP_ON_UP kernel picks these on an MPCore even
 *               with one CPU), or v7wbi_tlb_flags_up = WB | DCLEAN |
 *               BARRIER | V6_U_FULL | V6_U_PAGE | V6_U_ASID | V6_BP (smp=0).
 *
 * The sequences (tlb_op(flag, ...) issues its operation when the core has
 * the flag):
 *   local_flush_tlb_kernel_page(va)       tlbflush.h
 *	WB: DSB(nshst); V6_U_PAGE: TLBIMVA; V6_D_PAGE: DTLBIMVA;
 *	V6_I_PAGE: ITLBIMVA; V7_UIS_PAGE: TLBIMVA (the local c8,c7,1 form);
 *	BARRIER: DSB(nsh), ISB
 *   flush_tlb_kernel_range(start, end)
 *	v7 (v7wbi_flush_kern_tlb_range, tlb-v7.S): DSB(ish); per page
 *	TLBIMVAIS (SMP; TLBIMVAAIS with ARM_ERRATA_720789) or TLBIMVA (UP);
 *	DSB(ish); ISB.  No branch-predictor invalidate: the v3.x routine
 *	ended with a BTAC/BTB flush, v5.10 and v6.6 do not.
 *	v6 (v6wbi_flush_kern_tlb_range, tlb-v6.S): DSB (CP15 c7,c10,4); per
 *	page DTLBIMVA and ITLBIMVA; DSB; ISB (CP15 c7,c5,4).
 *	SMP with ARM_ERRATA_798181 on a Cortex-A15 then adds
 *	broadcast_tlb_a15_erratum() (arch/arm/kernel/smp_tlb.c): a dummy
 *	TLBIMVAIS of address 0 and DSB(ish), then IPIs to the other CPUs.
 *   flush_tlb_all()
 *	SMP (__flush_tlb_all): DSB(ishst); V7_UIS_FULL: TLBIALLIS; DSB(ish);
 *	ISB; then the 798181 erratum as above.
 *	UP (local_flush_tlb_all): WB: DSB(nshst); V6_U_FULL: TLBIALL;
 *	V6_D_FULL: DTLBIALL; V6_I_FULL: ITLBIALL; BARRIER: DSB(nsh), ISB.
 *
 * A pkmap wrap (flush_tlb_kernel_range over LAST_PKMAP = 512 pages) is
 * therefore 512 invalidates on a v7 core and 1024 on the ARM1176.
 *
 * For SMP extensions (other CPUs, IPIs): a step's `op` says which operation
 * it is and `per_page` whether it repeats per page; the table is filled in
 * tlbflush.c from the flags only, so a new form is a new row there. */
#ifndef KMAPLAB_MM_TLBFLUSH_H
#define KMAPLAB_MM_TLBFLUSH_H

#include <stdbool.h>
#include <stdint.h>

#include "core.h"
#include "kernel.h"

/* arch/arm/include/asm/tlbflush.h (v5.10, v6.6) flag bits. */
#define TLB_V6_U_PAGE (1u << 4)
#define TLB_V6_D_PAGE (1u << 5)
#define TLB_V6_I_PAGE (1u << 6)
#define TLB_V6_U_FULL (1u << 12)
#define TLB_V6_D_FULL (1u << 13)
#define TLB_V6_I_FULL (1u << 14)
#define TLB_V6_U_ASID (1u << 16)
#define TLB_V6_D_ASID (1u << 17)
#define TLB_V6_I_ASID (1u << 18)
#define TLB_V6_BP (1u << 19)
#define TLB_V7_UIS_PAGE (1u << 20)
#define TLB_V7_UIS_FULL (1u << 21)
#define TLB_V7_UIS_ASID (1u << 22)
#define TLB_V7_UIS_BP (1u << 23)
#define TLB_BARRIER (1u << 28)
#define TLB_DCLEAN (1u << 30)
#define TLB_WB (1u << 31)

#define v6wbi_tlb_flags                                                                    \
	(TLB_WB | TLB_DCLEAN | TLB_BARRIER | TLB_V6_I_FULL | TLB_V6_D_FULL | TLB_V6_I_PAGE | \
	 TLB_V6_D_PAGE | TLB_V6_I_ASID | TLB_V6_D_ASID | TLB_V6_BP)
#define v7wbi_tlb_flags_smp \
	(TLB_WB | TLB_BARRIER | TLB_V7_UIS_FULL | TLB_V7_UIS_PAGE | TLB_V7_UIS_ASID | TLB_V7_UIS_BP)
#define v7wbi_tlb_flags_up                                                                 \
	(TLB_WB | TLB_DCLEAN | TLB_BARRIER | TLB_V6_U_FULL | TLB_V6_U_PAGE | TLB_V6_U_ASID | \
	 TLB_V6_BP)

/* The operations a flush primitive can issue: flush.ops.<name>. */
enum kop {
	KOP_DSB,
	KOP_ISB,
	KOP_BPIALL,
	KOP_TLBIMVA,
	KOP_TLBIMVAIS,
	KOP_TLBIMVAAIS,
	KOP_DTLBIMVA,
	KOP_ITLBIMVA,
	KOP_TLBIALL,
	KOP_TLBIALLIS,
	KOP_DTLBIALL,
	KOP_ITLBIALL,
	KOP_NR
};

/* "DSB", "TLBIMVA", ... ("?" out of range). */
const char *kop_name(enum kop op);

/* The barrier's domain as the kernel wrote it ("nshst", "ish", "sy" for
 * ARMv6's CP15 barriers), or NULL for a maintenance operation. */
struct kop_step {
	enum kop op;
	bool per_page;      /* repeated for every page of the range */
	bool va_zero;       /* an MVA operation on address 0 (the 798181 dummy), not the range's */
	const char *domain;
};

#define FLUSH_SEQ_MAX 12
struct flush_seq {
	unsigned n;
	struct kop_step step[FLUSH_SEQ_MAX];
};

/* The three primitives of one core under one kernel profile. */
struct tlbflush_seqs {
	uint32_t tlb_flags;                /* the core's __cpu_tlb_flags */
	const char *flags_name;            /* "v7wbi_tlb_flags_smp", ... */
	struct flush_seq kernel_page;      /* local_flush_tlb_kernel_page */
	struct flush_seq kernel_range;     /* flush_tlb_kernel_range */
	struct flush_seq all;              /* flush_tlb_all */
};

/* Fills `s` for `core` under kernel `k`.  Returns 0, or -1 for a core
 * the table does not know. */
int tlbflush_seqs_init(struct tlbflush_seqs *s, const struct core_profile *core,
		       const struct kernel_profile *k);

/* How many times `seq` issues each operation for a flush of `pages` pages
 * (out[KOP_NR], added to), and the cycles that costs on `c`. */
uint64_t flush_seq_count(const struct flush_seq *seq, uint32_t pages, const struct core_costs *c,
			 uint64_t out[KOP_NR]);

/* The cost of one operation on `c`. */
unsigned kop_cost(enum kop op, const struct core_costs *c);

#endif
