/* SPDX-License-Identifier: MIT */
/* The guest's TTBRs, TCR and current ASID (asid_a64.h). */
#include "asid_a64.h"

#include "machine_a64.h"

static void apply(struct a64_machine *m)
{
	bool asid16 = (m->tcr_el1 & TCR_AS) != 0;
	uint64_t sel = m->tcr_el1 & TCR_A1 ? m->ttbr1_el1 : m->ttbr0_el1;
	uint16_t asid = (uint16_t)(sel >> 48);
	if (!asid16)
		asid &= 0xff;
	uint64_t t0 = m->ttbr0_el1 & PTE_ADDR_MASK, t1 = m->ttbr1_el1 & PTE_ADDR_MASK;
	m->regime.ttbr0 = t0;
	m->regime.ttbr1 = t1;
	m->regime.asid = asid;
	if (m->hz_on)
		a64_hazard_set_regime(&m->hz, t0, t1, asid, asid16);
	/* QEMU's own TLB: its TTBR and TCR writes flush it when the ASID
	 * (or A1/AS) changes (checked on 2.0.1 and 2.1.1 by the a64_asid
	 * guest, which loads through a page remapped under another ASID);
	 * with 2.1's fill walk the tables it walks follow here. */
	a64_vtlb_set_tables(m->vtlb, t0, t1);
}

void a64_ctx_init(struct a64_machine *m, uint64_t ttbr0, uint64_t ttbr1, uint64_t tcr)
{
	m->ttbr0_el1 = ttbr0;
	m->ttbr1_el1 = ttbr1;
	m->tcr_el1 = tcr;
	apply(m);
}

void a64_ctx_msr(struct a64_machine *m, enum a64_sysreg reg, uint64_t val)
{
	switch (reg) {
	case A64_TTBR0_EL1: m->ttbr0_el1 = val; break;
	case A64_TTBR1_EL1: m->ttbr1_el1 = val; break;
	case A64_TCR_EL1: m->tcr_el1 = val; break;
	}
	apply(m);
}

uint64_t a64_ctx_tlbi_operand(const struct a64_machine *m, uint64_t xt)
{
	return m->tcr_el1 & TCR_AS ? xt : xt & ~(0xffull << 56);
}
