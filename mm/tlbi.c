/* SPDX-License-Identifier: MIT */
/* Guest-executed TLB maintenance operations (see tlbi.h). */
#include "tlbi.h"

#include <stddef.h>

struct tlbi_desc {
	const char *name;
	unsigned crm, opc2;
	enum tlbi_kind kind;
	enum tlb_scope scope;
	bool shareable;
};

/* Encodings: ARM DDI 0406C, VMSA CP15 c8 register summary. */
static const struct tlbi_desc tlbi_descs[TLBI_NR_OPS] = {
	[TLBI_TLBIALLIS]  = { "TLBIALLIS",  3, 0, TLBI_KIND_ALL,  TLB_SCOPE_ALL, true },
	[TLBI_TLBIMVAIS]  = { "TLBIMVAIS",  3, 1, TLBI_KIND_MVA,  TLB_SCOPE_ALL, true },
	[TLBI_TLBIASIDIS] = { "TLBIASIDIS", 3, 2, TLBI_KIND_ASID, TLB_SCOPE_ALL, true },
	[TLBI_TLBIMVAAIS] = { "TLBIMVAAIS", 3, 3, TLBI_KIND_MVAA, TLB_SCOPE_ALL, true },
	[TLBI_ITLBIALL]   = { "ITLBIALL",   5, 0, TLBI_KIND_ALL,  TLB_SCOPE_I,   false },
	[TLBI_ITLBIMVA]   = { "ITLBIMVA",   5, 1, TLBI_KIND_MVA,  TLB_SCOPE_I,   false },
	[TLBI_ITLBIASID]  = { "ITLBIASID",  5, 2, TLBI_KIND_ASID, TLB_SCOPE_I,   false },
	[TLBI_DTLBIALL]   = { "DTLBIALL",   6, 0, TLBI_KIND_ALL,  TLB_SCOPE_D,   false },
	[TLBI_DTLBIMVA]   = { "DTLBIMVA",   6, 1, TLBI_KIND_MVA,  TLB_SCOPE_D,   false },
	[TLBI_DTLBIASID]  = { "DTLBIASID",  6, 2, TLBI_KIND_ASID, TLB_SCOPE_D,   false },
	[TLBI_TLBIALL]    = { "TLBIALL",    7, 0, TLBI_KIND_ALL,  TLB_SCOPE_ALL, false },
	[TLBI_TLBIMVA]    = { "TLBIMVA",    7, 1, TLBI_KIND_MVA,  TLB_SCOPE_ALL, false },
	[TLBI_TLBIASID]   = { "TLBIASID",   7, 2, TLBI_KIND_ASID, TLB_SCOPE_ALL, false },
	[TLBI_TLBIMVAA]   = { "TLBIMVAA",   7, 3, TLBI_KIND_MVAA, TLB_SCOPE_ALL, false },
};

static const struct tlbi_desc *desc(enum tlbi_op op)
{
	return (unsigned)op < TLBI_NR_OPS ? &tlbi_descs[op] : NULL;
}

const char *tlbi_op_name(enum tlbi_op op)
{
	const struct tlbi_desc *d = desc(op);
	return d ? d->name : "?";
}

int tlbi_decode(unsigned crm, unsigned opc2, enum tlbi_op *op)
{
	for (unsigned i = 0; i < TLBI_NR_OPS; i++) {
		if (tlbi_descs[i].crm == crm && tlbi_descs[i].opc2 == opc2) {
			*op = (enum tlbi_op)i;
			return 0;
		}
	}
	return -1;
}

enum tlbi_kind tlbi_op_kind(enum tlbi_op op)
{
	const struct tlbi_desc *d = desc(op);
	return d ? d->kind : TLBI_KIND_ALL;
}

enum tlb_scope tlbi_op_scope(enum tlbi_op op)
{
	const struct tlbi_desc *d = desc(op);
	return d ? d->scope : TLB_SCOPE_ALL;
}

bool tlbi_op_is_shareable(enum tlbi_op op)
{
	const struct tlbi_desc *d = desc(op);
	return d ? d->shareable : false;
}

unsigned tlbi_apply(struct tlb *tlb, const struct core_costs *cost, enum tlbi_op op,
		    uint32_t rt, struct tlbi_stats *st, uint64_t *cycles)
{
	const struct tlbi_desc *d = desc(op);
	if (!d)
		return 0;

	uint32_t va = rt & 0xfffff000u;
	uint8_t asid = (uint8_t)(rt & 0xffu);
	unsigned n = 0, c = 0;

	/* Single-core model: an IS form is its local form (see tlbi.h). */
	switch (d->kind) {
	case TLBI_KIND_ALL:
		n = tlb_invalidate_all(tlb, d->scope);
		c = cost->tlbi_all;
		break;
	case TLBI_KIND_MVA:
		n = tlb_invalidate_mva(tlb, d->scope, va, asid);
		c = cost->tlbi_mva;
		break;
	case TLBI_KIND_ASID:
		n = tlb_invalidate_asid(tlb, d->scope, asid);
		c = cost->tlbi_asid;
		break;
	case TLBI_KIND_MVAA:
		n = tlb_invalidate_mva_all_asid(tlb, d->scope, va);
		c = cost->tlbi_mva;
		break;
	}

	if (st) {
		st->count[op]++;
		st->invalidated += n;
		st->cycles += c;
	}
	if (cycles)
		*cycles += c;
	return n;
}
