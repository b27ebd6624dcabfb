/* SPDX-License-Identifier: MIT */
/* Guest-executed TLB maintenance: the ARMv7 CP15 c8 operations
 * (MCR p15, 0, Rt, c8, CRm, opc2), decoded and applied to the modelled TLB,
 * counted per operation and charged from the core's costs.
 *
 * mm/ knows nothing of Unicorn or Capstone: emu/tlbi_scan.c finds the
 * instructions, emu/ reads Rt when one executes and calls tlbi_apply().
 *
 * Reference: ARM Architecture Reference Manual ARMv7-A/R (ARM DDI 0406C),
 * the VMSA "CP15 c8 register summary, TLB maintenance operations" and
 * "TLB maintenance operations, functional group" (Rt formats: MVA in
 * Rt[31:12] with the ASID in Rt[7:0]; ASID in Rt[7:0]). */
#ifndef KMAPLAB_MM_TLBI_H
#define KMAPLAB_MM_TLBI_H

#include <stdbool.h>
#include <stdint.h>

#include "core.h"
#include "tlb.h"

/* Every ARMv7 (VMSA, PL1) TLB maintenance operation, in encoding order.
 * The IS ("Inner Shareable") forms need the Multiprocessing Extensions; the
 * rest exist from ARMv6 on (TLBIMVAA only from v7 MP).  Hyp-mode forms
 * (opc1 = 4) and the ARMv8 AArch32 "last level" forms (TLBIMVAL...) are not
 * decoded: guests run in SVC mode on a v7 core. */
enum tlbi_op {
	/* CRm = c3: Inner Shareable */
	TLBI_TLBIALLIS,  /* opc2 0 */
	TLBI_TLBIMVAIS,  /* opc2 1 */
	TLBI_TLBIASIDIS, /* opc2 2 */
	TLBI_TLBIMVAAIS, /* opc2 3 */
	/* CRm = c5: instruction TLB */
	TLBI_ITLBIALL,   /* opc2 0 */
	TLBI_ITLBIMVA,   /* opc2 1 */
	TLBI_ITLBIASID,  /* opc2 2 */
	/* CRm = c6: data TLB */
	TLBI_DTLBIALL,   /* opc2 0 */
	TLBI_DTLBIMVA,   /* opc2 1 */
	TLBI_DTLBIASID,  /* opc2 2 */
	/* CRm = c7: unified TLB */
	TLBI_TLBIALL,    /* opc2 0 */
	TLBI_TLBIMVA,    /* opc2 1 */
	TLBI_TLBIASID,   /* opc2 2 */
	TLBI_TLBIMVAA,   /* opc2 3 */
	TLBI_NR_OPS
};

/* What an operation selects by. */
enum tlbi_kind {
	TLBI_KIND_ALL,  /* everything (Rt ignored) */
	TLBI_KIND_MVA,  /* Rt[31:12] VA, Rt[7:0] ASID: global entries or that ASID */
	TLBI_KIND_ASID, /* Rt[7:0] ASID: non-global entries of that ASID */
	TLBI_KIND_MVAA, /* Rt[31:12] VA, any ASID */
};

struct tlbi_stats {
	uint64_t count[TLBI_NR_OPS]; /* flush.tlbi.<NAME> */
	uint64_t invalidated;        /* TLB entries the operations removed */
	uint64_t cycles;             /* cycles charged for them */
};

/* The ARM name ("TLBIMVA", ...), used as the stats key flush.tlbi.<NAME>;
 * "?" for a value out of range. */
const char *tlbi_op_name(enum tlbi_op op);

/* Decodes CRm/opc2 of MCR p15, 0, Rt, c8, CRm, opc2 (opc1 0, CRn c8 are the
 * caller's to check).  Returns 0 and sets *op, or -1 for an encoding that is
 * not an ARMv7 PL1 TLB maintenance operation. */
int tlbi_decode(unsigned crm, unsigned opc2, enum tlbi_op *op);

enum tlbi_kind tlbi_op_kind(enum tlbi_op op);
/* TLB_SCOPE_I for ITLB*, TLB_SCOPE_D for DTLB*, else TLB_SCOPE_ALL. */
enum tlb_scope tlbi_op_scope(enum tlbi_op op);
/* True for the Inner Shareable (broadcast) forms. */
bool tlbi_op_is_shareable(enum tlbi_op op);

/* Applies `op` with register value `rt` to the modelled TLB:
 *   MVA ops:  VA = rt & 0xfffff000, ASID = rt & 0xff
 *   ASID ops: ASID = rt & 0xff
 *   ALL ops:  rt ignored
 * ITLB* and DTLB* reach only their micro TLB (plus the unified main TLB,
 * which tlb.h says every operation reaches).
 *
 * On the running CPU's TLB an IS operation acts like its local form and is
 * counted under its own name; with several CPUs the emulator then calls
 * smp_tlbi_broadcast() (mm/smp.h), which applies it to every other CPU's
 * TLB and returns the broadcast's cost.
 *
 * Counts the op in st->count, adds the entries invalidated to
 * st->invalidated, charges cost->tlbi_mva (MVA and MVAA forms),
 * cost->tlbi_asid or cost->tlbi_all to st->cycles and, if `cycles` is not
 * NULL, to *cycles.  `st` may be NULL.  Returns the entries invalidated
 * (0 for an out-of-range op, which is neither counted nor charged). */
unsigned tlbi_apply(struct tlb *tlb, const struct core_costs *cost, enum tlbi_op op,
		    uint32_t rt, struct tlbi_stats *st, uint64_t *cycles);

#endif
