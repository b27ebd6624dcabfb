/* SPDX-License-Identifier: MIT */
/* The kernel's flush sequences per core and kernel profile (tlbflush.h). */
#include "tlbflush.h"

#include <string.h>

static const char *const kop_names[KOP_NR] = {
	[KOP_DSB] = "DSB",
	[KOP_ISB] = "ISB",
	[KOP_BPIALL] = "BPIALL",
	[KOP_TLBIMVA] = "TLBIMVA",
	[KOP_TLBIMVAIS] = "TLBIMVAIS",
	[KOP_TLBIMVAAIS] = "TLBIMVAAIS",
	[KOP_DTLBIMVA] = "DTLBIMVA",
	[KOP_ITLBIMVA] = "ITLBIMVA",
	[KOP_TLBIALL] = "TLBIALL",
	[KOP_TLBIALLIS] = "TLBIALLIS",
	[KOP_DTLBIALL] = "DTLBIALL",
	[KOP_ITLBIALL] = "ITLBIALL",
};

const char *kop_name(enum kop op)
{
	return (unsigned)op < KOP_NR ? kop_names[op] : "?";
}

/* Which flags the kernel gives each core: the table smp extends. */
static const struct core_tlb {
	const char *core;
	bool armv6;          /* v6wbi: no SMP form, CP15 barriers */
	bool a15_798181;     /* erratum_a15_798181() is true on this core */
} core_tlbs[] = {
	{ "arm1176", true, false },
	{ "cortex-a7", false, false },
	{ "cortex-a9", false, false },
	/* The erratum applies to Cortex-A15 r0p0..r3p2 (arch/arm/kernel/
	 * smp_tlb.c, erratum_a15_798181_init, v5.10); the model is one. */
	{ "cortex-a15", false, true },
};

static void add(struct flush_seq *s, enum kop op, bool per_page, const char *domain)
{
	if (s->n < FLUSH_SEQ_MAX)
		s->step[s->n++] = (struct kop_step){ .op = op, .per_page = per_page, .domain = domain };
}

/* tlb_op(flag, ...): the operation is issued when the core has the flag. */
static void op_if(struct flush_seq *s, uint32_t flags, uint32_t flag, enum kop op, bool per_page)
{
	if (flags & flag)
		add(s, op, per_page, NULL);
}

/* local_flush_tlb_kernel_page() (tlbflush.h, v5.10/v6.6). */
static void build_kernel_page(struct flush_seq *s, uint32_t f, const char *sy)
{
	op_if(s, f, TLB_WB, KOP_DSB, false);
	if (f & TLB_WB)
		s->step[s->n - 1].domain = sy ? sy : "nshst";
	op_if(s, f, TLB_V6_U_PAGE, KOP_TLBIMVA, false);
	op_if(s, f, TLB_V6_D_PAGE, KOP_DTLBIMVA, false);
	op_if(s, f, TLB_V6_I_PAGE, KOP_ITLBIMVA, false);
	op_if(s, f, TLB_V7_UIS_PAGE, KOP_TLBIMVA, false); /* "c8, c7, 1": local */
	if (f & TLB_BARRIER) {
		add(s, KOP_DSB, false, sy ? sy : "nsh");
		add(s, KOP_ISB, false, NULL);
	}
}

/* broadcast_tlb_a15_erratum(): dummy_flush_tlb_a15_erratum() on this CPU
 * (TLBIMVAIS of 0, dsb(ish)), then smp_call_function() to the others. */
static void add_798181(struct flush_seq *s)
{
	add(s, KOP_TLBIMVAIS, false, NULL);
	s->step[s->n - 1].va_zero = true;
	add(s, KOP_DSB, false, "ish");
}

/* v6wbi_flush_kern_tlb_range (tlb-v6.S) or v7wbi_flush_kern_tlb_range
 * (tlb-v7.S), v5.10/v6.6, then smp_tlb.c's erratum broadcast. */
static void build_kernel_range(struct flush_seq *s, const struct core_tlb *ct,
			       const struct kernel_profile *k)
{
	if (ct->armv6) {
		add(s, KOP_DSB, false, "sy"); /* mcr p15, 0, r2, c7, c10, 4 */
		add(s, KOP_DTLBIMVA, true, NULL);
		add(s, KOP_ITLBIMVA, true, NULL);
		add(s, KOP_DSB, false, "sy");
		add(s, KOP_ISB, false, NULL); /* mcr p15, 0, r2, c7, c5, 4 */
		return;
	}
	add(s, KOP_DSB, false, "ish");
	if (!k->smp)
		add(s, KOP_TLBIMVA, true, NULL); /* ALT_UP */
	else
		add(s, k->errata_720789 ? KOP_TLBIMVAAIS : KOP_TLBIMVAIS, true, NULL);
	add(s, KOP_DSB, false, "ish");
	add(s, KOP_ISB, false, NULL);
	if (k->smp && k->errata_798181 && ct->a15_798181)
		add_798181(s);
}

/* flush_tlb_all(): __flush_tlb_all() + the erratum on SMP (smp_tlb.c),
 * local_flush_tlb_all() on UP (tlbflush.h), v5.10/v6.6. */
static void build_all(struct flush_seq *s, uint32_t f, const struct core_tlb *ct,
		      const struct kernel_profile *k, const char *sy)
{
	bool smp = k->smp && !ct->armv6;
	if (f & TLB_WB)
		add(s, KOP_DSB, false, sy ? sy : smp ? "ishst" : "nshst");
	op_if(s, f, TLB_V6_U_FULL, KOP_TLBIALL, false);
	op_if(s, f, TLB_V6_D_FULL, KOP_DTLBIALL, false);
	op_if(s, f, TLB_V6_I_FULL, KOP_ITLBIALL, false);
	op_if(s, f, TLB_V7_UIS_FULL, smp ? KOP_TLBIALLIS : KOP_TLBIALL, false);
	if (f & TLB_BARRIER) {
		add(s, KOP_DSB, false, sy ? sy : smp ? "ish" : "nsh");
		add(s, KOP_ISB, false, NULL);
	}
	if (smp && k->errata_798181 && ct->a15_798181)
		add_798181(s);
}

int tlbflush_seqs_init(struct tlbflush_seqs *s, const struct core_profile *core,
		       const struct kernel_profile *k)
{
	const struct core_tlb *ct = NULL;
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < sizeof(core_tlbs) / sizeof(core_tlbs[0]); i++)
		if (core && strcmp(core->name, core_tlbs[i].core) == 0)
			ct = &core_tlbs[i];
	if (!ct)
		return -1;
	/* ARMv6's dsb()/isb() are CP15 operations without a domain
	 * (arch/arm/include/asm/barrier.h, v5.10). */
	const char *sy = ct->armv6 ? "sy" : NULL;
	if (ct->armv6) {
		s->tlb_flags = v6wbi_tlb_flags;
		s->flags_name = "v6wbi_tlb_flags";
	} else if (k->smp) {
		s->tlb_flags = v7wbi_tlb_flags_smp;
		s->flags_name = "v7wbi_tlb_flags_smp";
	} else {
		s->tlb_flags = v7wbi_tlb_flags_up;
		s->flags_name = "v7wbi_tlb_flags_up";
	}
	build_kernel_page(&s->kernel_page, s->tlb_flags, sy);
	build_kernel_range(&s->kernel_range, ct, k);
	build_all(&s->all, s->tlb_flags, ct, k, sy);
	return 0;
}

unsigned kop_cost(enum kop op, const struct core_costs *c)
{
	switch (op) {
	case KOP_DSB: return c->dsb;
	case KOP_ISB: return c->isb;
	case KOP_BPIALL: return c->bpiall;
	case KOP_TLBIALL:
	case KOP_TLBIALLIS:
	case KOP_DTLBIALL:
	case KOP_ITLBIALL: return c->tlbi_all;
	case KOP_TLBIMVA:
	case KOP_TLBIMVAIS:
	case KOP_TLBIMVAAIS:
	case KOP_DTLBIMVA:
	case KOP_ITLBIMVA: return c->tlbi_mva;
	case KOP_NR: break;
	}
	return 0;
}

uint64_t flush_seq_count(const struct flush_seq *seq, uint32_t pages, const struct core_costs *c,
			 uint64_t out[KOP_NR])
{
	uint64_t cycles = 0;
	for (unsigned i = 0; i < seq->n; i++) {
		const struct kop_step *st = &seq->step[i];
		uint64_t times = st->per_page ? pages : 1;
		out[st->op] += times;
		cycles += times * kop_cost(st->op, c);
	}
	return cycles;
}
