/* SPDX-License-Identifier: MIT */
/* Unit tests of guest TLB maintenance: tlbi_decode/tlbi_apply (mm/tlbi.c)
 * and the Capstone pre-scan (emu/tlbi_scan.c).
 *
 * Every encoding below is written by hand from the ARM ARM (ARM DDI 0406C,
 * A8.8.99 MCR, encodings A1 and T1) and was checked once against
 * arm-none-eabi-as + objdump:
 *
 *   ARM A1:   cond 1110 opc1 0 CRn Rt 1111 opc2 1 CRm
 *             MCR p15, 0, Rt, c8, CRm, opc2 = 0xee080f10 | Rt << 12 | opc2 << 5 | CRm
 *   Thumb T1: 1110 1110 opc1 0 CRn | Rt 1111 opc2 1 CRm
 *             hw1 = 0xee08, hw2 = 0x0f10 | Rt << 12 | opc2 << 5 | CRm
 *
 * Expected TLB counts for tlbi_apply are worked out by hand for cortex-a15,
 * whose maintenance is precise (mm/core.c: maint_flushes_micro false): a
 * fill on side S puts one entry in the main TLB and one in micro TLB S; an
 * operation of scope I or D reaches the main TLB and that micro TLB only. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <capstone/capstone.h>

#include "check.h"
#include "core.h"
#include "tlb.h"
#include "tlbi.h"
#include "tlbi_scan.h"

static csh h_arm, h_thumb;

#define CPSR_N (1u << 31)
#define CPSR_Z (1u << 30)
#define CPSR_C (1u << 29)
#define CPSR_V (1u << 28)
#define CPSR_T (1u << 5)

/* ---- tlbi_decode / names / kinds --------------------------------------- */

static void test_decode(void)
{
	static const struct {
		unsigned crm, opc2;
		enum tlbi_op op;
		const char *name;
		enum tlbi_kind kind;
		enum tlb_scope scope;
		bool is;
	} ops[] = {
		{ 3, 0, TLBI_TLBIALLIS,  "TLBIALLIS",  TLBI_KIND_ALL,  TLB_SCOPE_ALL, true },
		{ 3, 1, TLBI_TLBIMVAIS,  "TLBIMVAIS",  TLBI_KIND_MVA,  TLB_SCOPE_ALL, true },
		{ 3, 2, TLBI_TLBIASIDIS, "TLBIASIDIS", TLBI_KIND_ASID, TLB_SCOPE_ALL, true },
		{ 3, 3, TLBI_TLBIMVAAIS, "TLBIMVAAIS", TLBI_KIND_MVAA, TLB_SCOPE_ALL, true },
		{ 5, 0, TLBI_ITLBIALL,   "ITLBIALL",   TLBI_KIND_ALL,  TLB_SCOPE_I,   false },
		{ 5, 1, TLBI_ITLBIMVA,   "ITLBIMVA",   TLBI_KIND_MVA,  TLB_SCOPE_I,   false },
		{ 5, 2, TLBI_ITLBIASID,  "ITLBIASID",  TLBI_KIND_ASID, TLB_SCOPE_I,   false },
		{ 6, 0, TLBI_DTLBIALL,   "DTLBIALL",   TLBI_KIND_ALL,  TLB_SCOPE_D,   false },
		{ 6, 1, TLBI_DTLBIMVA,   "DTLBIMVA",   TLBI_KIND_MVA,  TLB_SCOPE_D,   false },
		{ 6, 2, TLBI_DTLBIASID,  "DTLBIASID",  TLBI_KIND_ASID, TLB_SCOPE_D,   false },
		{ 7, 0, TLBI_TLBIALL,    "TLBIALL",    TLBI_KIND_ALL,  TLB_SCOPE_ALL, false },
		{ 7, 1, TLBI_TLBIMVA,    "TLBIMVA",    TLBI_KIND_MVA,  TLB_SCOPE_ALL, false },
		{ 7, 2, TLBI_TLBIASID,   "TLBIASID",   TLBI_KIND_ASID, TLB_SCOPE_ALL, false },
		{ 7, 3, TLBI_TLBIMVAA,   "TLBIMVAA",   TLBI_KIND_MVAA, TLB_SCOPE_ALL, false },
	};
	CHECK_EQ(sizeof(ops) / sizeof(ops[0]), TLBI_NR_OPS);
	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		enum tlbi_op op = TLBI_NR_OPS;
		CHECK_EQ(tlbi_decode(ops[i].crm, ops[i].opc2, &op), 0);
		CHECK_EQ(op, ops[i].op);
		CHECK(strcmp(tlbi_op_name(ops[i].op), ops[i].name) == 0);
		CHECK_EQ(tlbi_op_kind(ops[i].op), ops[i].kind);
		CHECK_EQ(tlbi_op_scope(ops[i].op), ops[i].scope);
		CHECK_EQ(tlbi_op_is_shareable(ops[i].op), ops[i].is);
	}
	/* Not ARMv7 PL1 TLB operations: unused CRm, opc2 beyond the table,
	 * the ARMv8 "last level" forms (c3/c7, opc2 5 and 7). */
	static const unsigned bad[][2] = {
		{ 0, 0 }, { 1, 0 }, { 2, 1 }, { 4, 0 }, { 8, 0 }, { 15, 7 },
		{ 3, 4 }, { 3, 5 }, { 3, 7 }, { 5, 3 }, { 6, 3 }, { 7, 4 }, { 7, 5 }, { 7, 7 },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum tlbi_op op = TLBI_TLBIALL;
		CHECK_EQ(tlbi_decode(bad[i][0], bad[i][1], &op), -1);
	}
	CHECK(strcmp(tlbi_op_name(TLBI_NR_OPS), "?") == 0);

	static const struct { unsigned crm, opc2; enum cp15_barrier b; const char *name; } bars[] = {
		{ 1, 6, CP15_BPIALLIS, "BPIALLIS" }, { 5, 6, CP15_BPIALL, "BPIALL" },
		{ 5, 7, CP15_BPIMVA, "BPIMVA" },     { 5, 4, CP15_ISB, "CP15ISB" },
		{ 10, 4, CP15_DSB, "CP15DSB" },      { 10, 5, CP15_DMB, "CP15DMB" },
	};
	for (unsigned i = 0; i < sizeof(bars) / sizeof(bars[0]); i++) {
		enum cp15_barrier b = CP15_NR_BARRIERS;
		CHECK_EQ(cp15_barrier_decode(bars[i].crm, bars[i].opc2, &b), 0);
		CHECK_EQ(b, bars[i].b);
		CHECK(strcmp(cp15_barrier_name(b), bars[i].name) == 0);
	}
	enum cp15_barrier b;
	CHECK_EQ(cp15_barrier_decode(5, 0, &b), -1);  /* ICIALLU */
	CHECK_EQ(cp15_barrier_decode(10, 1, &b), -1); /* DCCMVAC */
	CHECK_EQ(cp15_barrier_decode(14, 1, &b), -1); /* DCCIMVAC */
}

/* ---- tlbi_apply on the real TLB model ---------------------------------- */

static struct mmu_translation page(uint32_t va, bool ng)
{
	struct mmu_translation t;
	memset(&t, 0, sizeof(t));
	t.fault = MMU_OK;
	t.level = 2;
	t.desc_reads = 2;
	t.va_base = va & ~0xfffu;
	t.size = 0x1000;
	t.pa_base = (va - 0x40000000u) & ~0xfffu;
	t.ap = MMU_AP_PRIV_RW;
	t.ng = ng;
	return t;
}

static void fill(struct tlb *tlb, enum tlb_side side, uint32_t va, bool ng, uint8_t asid)
{
	struct mmu_translation t = page(va, ng);
	CHECK(tlb_fill(tlb, side, &t, asid) != NULL);
}

static bool cached(struct tlb *tlb, enum tlb_side side, uint32_t va, uint8_t asid)
{
	enum tlb_hit h;
	return tlb_lookup(tlb, side, va, asid, &h) != NULL;
}

static void test_apply(void)
{
	const struct core_profile *core = core_profile_find("cortex-a15");
	CHECK(core != NULL);
	if (!core)
		return;
	CHECK(!core->maint_flushes_micro); /* the hand counts below assume it */
	const struct core_costs *cost = &core->cost;
	struct tlb *tlb = tlb_create(core, 1);
	CHECK(tlb != NULL);
	if (!tlb)
		return;
	struct tlbi_stats st;
	memset(&st, 0, sizeof(st));
	uint64_t cycles = 0;
	uint64_t want_cycles = 0;
	unsigned want_inval = 0;

	/* A global kernel page on the D side: main + micro D = 2 entries.
	 * TLBIMVA with any ASID removes a global entry; Rt[11:0] other than
	 * the ASID are ignored. */
	fill(tlb, TLB_SIDE_D, 0xc0001000u, false, 0);
	CHECK_EQ(tlbi_apply(tlb, cost, TLBI_TLBIMVA, 0xc0001f09u, &st, &cycles), 2);
	want_inval += 2;
	want_cycles += cost->tlbi_mva;
	CHECK(!cached(tlb, TLB_SIDE_D, 0xc0001000u, 0));

	/* TLBIMVA of an ASID-tagged page with the wrong ASID leaves it. */
	fill(tlb, TLB_SIDE_D, 0x00400000u, true, 7);
	CHECK_EQ(tlbi_apply(tlb, cost, TLBI_TLBIMVA, 0x00400000u | 8, &st, &cycles), 0);
	want_cycles += cost->tlbi_mva;
	CHECK(cached(tlb, TLB_SIDE_D, 0x00400000u, 7));
	/* TLBIMVAA ignores the ASID: main + micro D. */
	CHECK_EQ(tlbi_apply(tlb, cost, TLBI_TLBIMVAA, 0x00400123u, &st, &cycles), 2);
	want_inval += 2;
	want_cycles += cost->tlbi_mva;

	/* An I-side page: DTLBIMVA reaches main (1) and micro D (0), leaving
	 * micro I; ITLBIASID then removes that micro I entry (1). */
	fill(tlb, TLB_SIDE_I, 0x00010000u, true, 5);
	CHECK_EQ(tlbi_apply(tlb, cost, TLBI_DTLBIMVA, 0x00010000u | 5, &st, &cycles), 1);
	want_inval += 1;
	want_cycles += cost->tlbi_mva;
	CHECK_EQ(tlbi_apply(tlb, cost, TLBI_ITLBIASID, 5, &st, &cycles), 1);
	want_inval += 1;
	want_cycles += cost->tlbi_asid;
	CHECK(!cached(tlb, TLB_SIDE_I, 0x00010000u, 5));

	/* TLBIASIDIS: the IS form acts as TLBIASID on this single core; the
	 * global page is kept, the two ASID 3 pages (2 entries each) go. */
	fill(tlb, TLB_SIDE_D, 0x00020000u, true, 3);
	fill(tlb, TLB_SIDE_D, 0x00021000u, true, 3);
	fill(tlb, TLB_SIDE_D, 0xc0002000u, false, 0);
	CHECK_EQ(tlbi_apply(tlb, cost, TLBI_TLBIASIDIS, 0xabcd0003u, &st, &cycles), 4);
	want_inval += 4;
	want_cycles += cost->tlbi_asid;
	CHECK(cached(tlb, TLB_SIDE_D, 0xc0002000u, 3));

	/* TLBIMVAIS acts as TLBIMVA. */
	CHECK_EQ(tlbi_apply(tlb, cost, TLBI_TLBIMVAIS, 0xc0002000u, &st, &cycles), 2);
	want_inval += 2;
	want_cycles += cost->tlbi_mva;

	/* DTLBIALL: main (2 pages) + micro D (1 page), micro I kept (1). */
	fill(tlb, TLB_SIDE_D, 0xc0003000u, false, 0);
	fill(tlb, TLB_SIDE_I, 0xc0004000u, false, 0);
	CHECK_EQ(tlbi_apply(tlb, cost, TLBI_DTLBIALL, 0xffffffffu, &st, &cycles), 3);
	want_inval += 3;
	want_cycles += cost->tlbi_all;
	/* TLBIALL takes the rest: the micro I entry. */
	CHECK_EQ(tlbi_apply(tlb, cost, TLBI_TLBIALL, 0, &st, &cycles), 1);
	want_inval += 1;
	want_cycles += cost->tlbi_all;
	/* TLBIALLIS on an empty TLB: counted and charged, nothing removed. */
	CHECK_EQ(tlbi_apply(tlb, cost, TLBI_TLBIALLIS, 0, &st, NULL), 0);
	want_cycles += cost->tlbi_all;

	/* An out-of-range op is neither counted nor charged. */
	CHECK_EQ(tlbi_apply(tlb, cost, TLBI_NR_OPS, 0, &st, &cycles), 0);
	/* st may be NULL. */
	fill(tlb, TLB_SIDE_D, 0xc0005000u, false, 0);
	uint64_t c2 = 0;
	CHECK_EQ(tlbi_apply(tlb, cost, TLBI_TLBIMVA, 0xc0005000u, NULL, &c2), 2);
	CHECK_EQ(c2, cost->tlbi_mva);

	CHECK_EQ(st.count[TLBI_TLBIMVA], 2);
	CHECK_EQ(st.count[TLBI_TLBIMVAA], 1);
	CHECK_EQ(st.count[TLBI_DTLBIMVA], 1);
	CHECK_EQ(st.count[TLBI_ITLBIASID], 1);
	CHECK_EQ(st.count[TLBI_TLBIASIDIS], 1);
	CHECK_EQ(st.count[TLBI_TLBIMVAIS], 1);
	CHECK_EQ(st.count[TLBI_DTLBIALL], 1);
	CHECK_EQ(st.count[TLBI_TLBIALL], 1);
	CHECK_EQ(st.count[TLBI_TLBIALLIS], 1);
	CHECK_EQ(st.count[TLBI_TLBIASID], 0);
	CHECK_EQ(st.invalidated, want_inval);
	CHECK_EQ(st.cycles, want_cycles);
	CHECK_EQ(cycles, want_cycles - cost->tlbi_all); /* the TLBIALLIS passed NULL */
	/* tlb.c counts the same entries (plus the last, st-less, call). */
	CHECK_EQ(tlb_stats(tlb)->invalidated, want_inval + 2);
	tlb_destroy(tlb);
}

/* ---- the scan ------------------------------------------------------------ */

static void put32(uint8_t *p, uint32_t w)
{
	p[0] = (uint8_t)w;
	p[1] = (uint8_t)(w >> 8);
	p[2] = (uint8_t)(w >> 16);
	p[3] = (uint8_t)(w >> 24);
}

static void put16(uint8_t *p, uint16_t h)
{
	p[0] = (uint8_t)h;
	p[1] = (uint8_t)(h >> 8);
}

static void check_tlbi(const struct tlbi_site *s, uint32_t va, bool thumb, enum tlbi_op op,
		       unsigned rt, unsigned cond)
{
	CHECK_EQ(s->va, va);
	CHECK_EQ(s->thumb, thumb);
	CHECK_EQ(s->kind, TLBI_SITE_TLBI);
	CHECK_EQ(s->crn, 8);
	CHECK_EQ(s->op, op);
	CHECK_EQ(s->rt, rt);
	CHECK_EQ(s->cond, cond);
}

static void check_barrier(const struct tlbi_site *s, uint32_t va, bool thumb, enum cp15_barrier b)
{
	CHECK_EQ(s->va, va);
	CHECK_EQ(s->thumb, thumb);
	CHECK_EQ(s->kind, TLBI_SITE_CP15_BARRIER);
	CHECK_EQ(s->crn, 7);
	CHECK_EQ(s->barrier, b);
}

/* ARM code: the words and what the scan must make of them. */
static const uint32_t arm_code[] = {
	0xee080f37, /* 0x00 mcr p15,0,r0,c8,c7,1   TLBIMVA */
	0xe1a00000, /* 0x04 mov r0, r0 */
	0xee081f17, /* 0x08 mcr p15,0,r1,c8,c7,0   TLBIALL */
	0x1e083f57, /* 0x0c mcrne p15,0,r3,c8,c7,2 TLBIASID, cond NE */
	0xee070f15, /* 0x10 mcr p15,0,r0,c7,c5,0   ICIALLU: cache op, never */
	0xee070f3a, /* 0x14 mcr p15,0,r0,c7,c10,1  DCCMVAC: cache op, never */
	0xee080e37, /* 0x18 mcr p14,0,r0,c8,c7,1   other coprocessor: never */
	0xee180f37, /* 0x1c mrc p15,0,r0,c8,c7,1   a read: never */
	0xee280f37, /* 0x20 mcr p15,1,r0,c8,c7,1   opc1 1: never */
	0xee880f17, /* 0x24 mcr p15,4,r0,c8,c7,0   TLBIALLH (Hyp): never */
	0xfe080f37, /* 0x28 mcr2 p15,0,r0,c8,c7,1  cond 1111: never */
	0xee080fb7, /* 0x2c mcr p15,0,r0,c8,c7,5   v8 TLBIMVAL: candidate, rejected */
	0xee070fd5, /* 0x30 mcr p15,0,r0,c7,c5,6   BPIALL */
	0xee070f95, /* 0x34 mcr p15,0,r0,c7,c5,4   CP15ISB */
	0xee070f9a, /* 0x38 mcr p15,0,r0,c7,c10,4  CP15DSB */
	0xee070fba, /* 0x3c mcr p15,0,r0,c7,c10,5  CP15DMB */
	0xee082f33, /* 0x40 mcr p15,0,r2,c8,c3,1   TLBIMVAIS */
};

static void test_scan_arm(void)
{
	uint8_t buf[sizeof(arm_code)];
	for (unsigned i = 0; i < sizeof(arm_code) / 4; i++)
		put32(buf + 4 * i, arm_code[i]);
	const uint32_t va = 0x80010000u;

	/* TLB maintenance only. */
	struct tlbi_sites s;
	memset(&s, 0, sizeof(s));
	CHECK_EQ(tlbi_scan(h_arm, 0, buf, va, sizeof(buf), TLBI_SCAN_ARM, &s), 4);
	CHECK_EQ(s.n, 4);
	CHECK_EQ(s.candidates, 5);
	CHECK_EQ(s.rejected, 1);
	if (s.n == 4) {
		check_tlbi(&s.v[0], va + 0x00, false, TLBI_TLBIMVA, 0, 14);
		check_tlbi(&s.v[1], va + 0x08, false, TLBI_TLBIALL, 1, 14);
		check_tlbi(&s.v[2], va + 0x0c, false, TLBI_TLBIASID, 3, 1);
		check_tlbi(&s.v[3], va + 0x40, false, TLBI_TLBIMVAIS, 2, 14);
		CHECK_EQ(s.v[0].crm, 7);
		CHECK_EQ(s.v[0].opc2, 1);
		CHECK_EQ(s.v[3].crm, 3);
	}
	CHECK(tlbi_sites_find(&s, va + 0x08, false) == &s.v[1]);
	CHECK(tlbi_sites_find(&s, va + 0x08, true) == NULL);
	CHECK(tlbi_sites_find(&s, va + 0x04, false) == NULL);
	tlbi_sites_free(&s);
	CHECK(s.v == NULL && s.n == 0);

	/* With the barriers. */
	CHECK_EQ(tlbi_scan(h_arm, 0, buf, va, sizeof(buf), TLBI_SCAN_ARM | TLBI_SCAN_BARRIERS, &s), 8);
	CHECK_EQ(s.candidates, 9);
	CHECK_EQ(s.rejected, 1);
	if (s.n == 8) {
		check_tlbi(&s.v[0], va + 0x00, false, TLBI_TLBIMVA, 0, 14);
		check_barrier(&s.v[3], va + 0x30, false, CP15_BPIALL);
		check_barrier(&s.v[4], va + 0x34, false, CP15_ISB);
		check_barrier(&s.v[5], va + 0x38, false, CP15_DSB);
		check_barrier(&s.v[6], va + 0x3c, false, CP15_DMB);
		check_tlbi(&s.v[7], va + 0x40, false, TLBI_TLBIMVAIS, 2, 14);
	}
	tlbi_sites_free(&s);

	/* Both instruction sets over ARM code: the known false positive.  The
	 * TLBIALL word's high half (0xee08) at +0x0a and the next word's low
	 * half (0x3f57) read as Thumb MCR p15,0,r3,c8,c7,2.  Its hook fires
	 * only if a Thumb instruction starts there, and must then do nothing
	 * in ARM state. */
	CHECK(tlbi_scan(h_arm, h_thumb, buf, va, sizeof(buf), TLBI_SCAN_ARM | TLBI_SCAN_THUMB, &s) >= 5);
	const struct tlbi_site *fp = tlbi_sites_find(&s, va + 0x0a, true);
	CHECK(fp != NULL);
	if (fp) {
		check_tlbi(fp, va + 0x0a, true, TLBI_TLBIASID, 3, 14);
		CHECK(!tlbi_site_should_apply(fp, 0x600001d3u)); /* SVC, ARM state */
	}
	const struct tlbi_site *real = tlbi_sites_find(&s, va + 0x08, false);
	CHECK(real != NULL);
	if (real)
		CHECK(tlbi_site_should_apply(real, 0x600001d3u));
	/* The sites stay sorted by (va, thumb). */
	for (size_t i = 1; i < s.n; i++)
		CHECK(s.v[i - 1].va < s.v[i].va ||
		      (s.v[i - 1].va == s.v[i].va && !s.v[i - 1].thumb && s.v[i].thumb));
	tlbi_sites_free(&s);

	/* A buffer whose VA is not word aligned: ARM words start at +2. */
	uint8_t ub[10];
	memset(ub, 0, sizeof(ub));
	put32(ub + 2, 0xee080f37);
	put32(ub + 6, 0xe1a00000);
	CHECK_EQ(tlbi_scan(h_arm, 0, ub, 0x80030002u, sizeof(ub), TLBI_SCAN_ARM, &s), 1);
	if (s.n == 1)
		check_tlbi(&s.v[0], 0x80030004u, false, TLBI_TLBIMVA, 0, 14);
	tlbi_sites_free(&s);

	/* Asking for a mode without its handle fails. */
	CHECK_EQ(tlbi_scan(h_arm, 0, buf, va, sizeof(buf), TLBI_SCAN_THUMB, &s), -1);
	/* Too small to hold an instruction: nothing, no error. */
	CHECK_EQ(tlbi_scan(h_arm, h_thumb, buf, va, 3, TLBI_SCAN_ALL, &s), 0);
	tlbi_sites_free(&s);
}

/* Thumb code at a VA that is 2 mod 4, so that sites fall at both halfword
 * alignments. */
static const uint16_t thumb_code[] = {
	0xee08, 0x0f17, /* +0x00 (2 mod 4) mcr p15,0,r0,c8,c7,0 TLBIALL */
	0xbf00,         /* +0x04 nop */
	0xee08, 0x4f37, /* +0x06 (0 mod 4) mcr p15,0,r4,c8,c7,1 TLBIMVA */
	0xee08, 0x5f73, /* +0x0a mcr p15,0,r5,c8,c3,3 TLBIMVAAIS */
	0xbf00,         /* +0x0e nop */
	0xee08, 0x6f36, /* +0x10 mcr p15,0,r6,c8,c6,1 DTLBIMVA */
	0xee08, 0x0f55, /* +0x14 mcr p15,0,r0,c8,c5,2 ITLBIASID */
	0xee07, 0x0fd5, /* +0x18 mcr p15,0,r0,c7,c5,6 BPIALL */
	0xee07, 0x0f15, /* +0x1c mcr p15,0,r0,c7,c5,0 ICIALLU: never */
	0xee08, 0x0e37, /* +0x20 mcr p14,0,r0,c8,c7,1: never */
	0xee18, 0x0f37, /* +0x24 mrc p15,0,r0,c8,c7,1: never */
	0xbf0c,         /* +0x28 ite eq */
	0x4600,         /* +0x2a moveq r0, r0 */
	0xee08, 0x1f17, /* +0x2c mcrne p15,0,r1,c8,c7,0 TLBIALL, cond NE */
	0x4770,         /* +0x30 bx lr */
	0xbf18,         /* +0x32 it ne */
	0xbf00,         /* +0x34 nopne: the IT block ends here */
	0xee08, 0x0f37, /* +0x36 mcr p15,0,r0,c8,c7,1 TLBIMVA, unconditional */
};

static void test_scan_thumb(void)
{
	uint8_t buf[sizeof(thumb_code)];
	for (unsigned i = 0; i < sizeof(thumb_code) / 2; i++)
		put16(buf + 2 * i, thumb_code[i]);
	const uint32_t va = 0x80020002u;

	struct tlbi_sites s;
	memset(&s, 0, sizeof(s));
	CHECK_EQ(tlbi_scan(0, h_thumb, buf, va, sizeof(buf), TLBI_SCAN_THUMB | TLBI_SCAN_BARRIERS, &s), 8);
	CHECK_EQ(s.candidates, 8);
	CHECK_EQ(s.rejected, 0);
	if (s.n == 8) {
		check_tlbi(&s.v[0], va + 0x00, true, TLBI_TLBIALL, 0, 14);
		check_tlbi(&s.v[1], va + 0x06, true, TLBI_TLBIMVA, 4, 14);
		check_tlbi(&s.v[2], va + 0x0a, true, TLBI_TLBIMVAAIS, 5, 14);
		check_tlbi(&s.v[3], va + 0x10, true, TLBI_DTLBIMVA, 6, 14);
		check_tlbi(&s.v[4], va + 0x14, true, TLBI_ITLBIASID, 0, 14);
		check_barrier(&s.v[5], va + 0x18, true, CP15_BPIALL);
		check_tlbi(&s.v[6], va + 0x2c, true, TLBI_TLBIALL, 1, 1);
		check_tlbi(&s.v[7], va + 0x36, true, TLBI_TLBIMVA, 0, 14);
		CHECK_EQ(s.v[0].va & 3, 2);
		CHECK_EQ(s.v[1].va & 3, 0);

		/* The conditional site: applies in Thumb state when Z is clear. */
		const struct tlbi_site *c = &s.v[6];
		CHECK(tlbi_site_should_apply(c, 0x00000033u));
		CHECK(!tlbi_site_should_apply(c, 0x00000033u | CPSR_Z));
		CHECK(!tlbi_site_should_apply(c, 0x00000013u)); /* ARM state */
		CHECK(tlbi_site_should_apply(&s.v[0], 0xf0000033u));
	}
	tlbi_sites_free(&s);

	/* Without barriers, the BPIALL is not a candidate. */
	CHECK_EQ(tlbi_scan(0, h_thumb, buf, va, sizeof(buf), TLBI_SCAN_THUMB, &s), 7);
	CHECK_EQ(s.candidates, 7);
	tlbi_sites_free(&s);

	/* Two scans into one list (two segments) keep it sorted. */
	CHECK_EQ(tlbi_scan(0, h_thumb, buf + 0x10, va + 0x10, 8, TLBI_SCAN_THUMB, &s), 2);
	CHECK_EQ(tlbi_scan(0, h_thumb, buf, va, 0x0e, TLBI_SCAN_THUMB, &s), 3);
	CHECK_EQ(s.n, 5);
	for (size_t i = 1; i < s.n; i++)
		CHECK(s.v[i - 1].va < s.v[i].va);
	tlbi_sites_free(&s);

	/* The thumb handle is left with no IT state: a MULS decodes as
	 * flag-setting after a scan that walked an IT block. */
	static const uint8_t muls[] = { 0x48, 0x43 }; /* muls r0, r1, r0 */
	cs_insn *insn;
	size_t n = cs_disasm(h_thumb, muls, sizeof(muls), 0x1000, 1, &insn);
	CHECK_EQ(n, 1);
	if (n == 1) {
		CHECK(insn->detail->arm.update_flags);
		cs_free(insn, n);
	}
}

/* CONTEXTIDR writes (ASID changes): MCR p15, 0, Rt, c13, c0, 1, encoded
 * from ARM DDI 0406C A8.8.99 (A1: cond 1110 opc1 0 CRn Rt 1111 opc2 1 CRm;
 * T1: 1110 1110 opc1 0 CRn, Rt 1111 opc2 1 CRm).  Only with
 * TLBI_SCAN_CP15_REGS (as a TLBI_SITE_CP15_REG of CP15_CONTEXTIDR);
 * c13, c0, 0 (FCSEIDR) and c13, c0, 2 are not it. */
static void test_scan_contextidr(void)
{
	static const uint32_t arm[] = {
		0xee0d7f30u, /* mcr p15, 0, r7, c13, c0, 1 */
		0xee0d7f10u, /* mcr p15, 0, r7, c13, c0, 0 (FCSEIDR) */
		0x1e0d3f30u, /* mcrne p15, 0, r3, c13, c0, 1 */
		0xee0d7f50u, /* mcr p15, 0, r7, c13, c0, 2 */
	};
	uint8_t buf[sizeof(arm)];
	for (unsigned i = 0; i < sizeof(arm) / 4; i++)
		put32(buf + 4 * i, arm[i]);
	const uint32_t va = 0x80030000u;
	struct tlbi_sites s;
	memset(&s, 0, sizeof(s));
	CHECK_EQ(tlbi_scan(h_arm, 0, buf, va, sizeof(buf), TLBI_SCAN_ARM, &s), 0);
	CHECK_EQ(tlbi_scan(h_arm, 0, buf, va, sizeof(buf), TLBI_SCAN_ARM | TLBI_SCAN_CP15_REGS, &s), 2);
	if (s.n == 2) {
		CHECK_EQ(s.v[0].va, va);
		CHECK_EQ(s.v[0].kind, TLBI_SITE_CP15_REG);
		CHECK_EQ(s.v[0].reg, CP15_CONTEXTIDR);
		CHECK_EQ(s.v[0].rt, 7);
		CHECK_EQ(s.v[0].cond, 14);
		CHECK_EQ(s.v[1].va, va + 8);
		CHECK_EQ(s.v[1].kind, TLBI_SITE_CP15_REG);
		CHECK_EQ(s.v[1].reg, CP15_CONTEXTIDR);
		CHECK_EQ(s.v[1].rt, 3);
		CHECK_EQ(s.v[1].cond, 1);
	}
	tlbi_sites_free(&s);

	/* Thumb: mcr p15, 0, r5, c13, c0, 1 = 0xee0d 0x5f30. */
	uint8_t t[4];
	put16(t, 0xee0du);
	put16(t + 2, 0x5f30u);
	memset(&s, 0, sizeof(s));
	CHECK_EQ(tlbi_scan(0, h_thumb, t, va, sizeof(t), TLBI_SCAN_THUMB | TLBI_SCAN_CP15_REGS, &s), 1);
	if (s.n == 1) {
		CHECK_EQ(s.v[0].kind, TLBI_SITE_CP15_REG);
		CHECK_EQ(s.v[0].reg, CP15_CONTEXTIDR);
		CHECK_EQ(s.v[0].rt, 5);
		CHECK(s.v[0].thumb);
	}
	tlbi_sites_free(&s);
}

static void test_cond(void)
{
	/* ARM DDI 0406C Table A8-1. */
	static const struct { uint32_t flags; uint16_t passes; } cases[] = {
		/* bit c set when condition c passes; AL (14) always */
		{ 0,                         1u << 1 | 1u << 3 | 1u << 5 | 1u << 7 | 1u << 9 | 1u << 10 | 1u << 12 },
		{ CPSR_Z,                    1u << 0 | 1u << 3 | 1u << 5 | 1u << 7 | 1u << 9 | 1u << 10 | 1u << 13 },
		{ CPSR_C,                    1u << 1 | 1u << 2 | 1u << 5 | 1u << 7 | 1u << 8 | 1u << 10 | 1u << 12 },
		{ CPSR_N,                    1u << 1 | 1u << 3 | 1u << 4 | 1u << 7 | 1u << 9 | 1u << 11 | 1u << 13 },
		{ CPSR_N | CPSR_V,           1u << 1 | 1u << 3 | 1u << 4 | 1u << 6 | 1u << 9 | 1u << 10 | 1u << 12 },
		{ CPSR_V,                    1u << 1 | 1u << 3 | 1u << 5 | 1u << 6 | 1u << 9 | 1u << 11 | 1u << 13 },
		{ CPSR_C | CPSR_Z,           1u << 0 | 1u << 2 | 1u << 5 | 1u << 7 | 1u << 9 | 1u << 10 | 1u << 13 },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (unsigned c = 0; c < 15; c++) {
			bool want = c == 14 || (cases[i].passes >> c & 1);
			if (!CHECK_EQ(tlbi_cond_passed(c, cases[i].flags), want))
				fprintf(stderr, "  case %u cond %u\n", i, c);
		}
}

/* TLBI_SCAN_ORDERING: the ARMv7 barrier instructions (encodings from ARM
 * DDI 0406C A8.8.43/44/53) and the CP15 c7 D-cache cleans, both
 * instruction sets; other c7 cache operations are not candidates. */
static const uint32_t ordering_arm[] = {
	0xf57ff04f, /* 0x00 dsb sy */
	0xf57ff05f, /* 0x04 dmb sy */
	0xf57ff06f, /* 0x08 isb sy */
	0xf57ff07f, /* 0x0c type 7: no barrier, never */
	0xee070f3b, /* 0x10 mcr p15,0,r0,c7,c11,1  DCCMVAU */
	0xee071f3a, /* 0x14 mcr p15,0,r1,c7,c10,1  DCCMVAC */
	0xee070f1a, /* 0x18 mcr p15,0,r0,c7,c10,0  ARMv6 clean entire D-cache */
	0xee070f15, /* 0x1c mcr p15,0,r0,c7,c5,0   ICIALLU: never */
	0xf57ff04e, /* 0x20 dsb st */
	0xee070f9a, /* 0x24 mcr p15,0,r0,c7,c10,4  CP15DSB */
};

static void test_scan_ordering(void)
{
	uint8_t buf[sizeof(ordering_arm)];
	for (unsigned i = 0; i < sizeof(ordering_arm) / 4; i++)
		put32(buf + 4 * i, ordering_arm[i]);
	const uint32_t va = 0x80020000u;
	struct tlbi_sites s;
	memset(&s, 0, sizeof(s));
	CHECK_EQ(tlbi_scan(h_arm, 0, buf, va, sizeof(buf), TLBI_SCAN_ARM, &s), 0);
	CHECK_EQ(tlbi_scan(h_arm, 0, buf, va, sizeof(buf), TLBI_SCAN_ARM | TLBI_SCAN_ORDERING, &s), 8);
	CHECK_EQ(s.rejected, 0);
	if (s.n == 8) {
		static const enum arm_barrier want[3] = { ARM_DSB, ARM_DMB, ARM_ISB };
		for (unsigned i = 0; i < 3; i++) {
			CHECK_EQ(s.v[i].va, va + 4 * i);
			CHECK_EQ(s.v[i].kind, TLBI_SITE_BARRIER);
			CHECK_EQ(s.v[i].insn, want[i]);
			CHECK_EQ(s.v[i].cond, 14);
		}
		CHECK_EQ(s.v[3].kind, TLBI_SITE_CACHE);
		CHECK_EQ(s.v[3].cache, CP15_DCCMVAU);
		CHECK_EQ(s.v[4].cache, CP15_DCCMVAC);
		CHECK_EQ(s.v[4].rt, 1);
		CHECK_EQ(s.v[5].cache, CP15_DCCALL);
		CHECK_EQ(s.v[6].va, va + 0x20);
		CHECK_EQ(s.v[6].insn, ARM_DSB);
		check_barrier(&s.v[7], va + 0x24, false, CP15_DSB);
	}
	CHECK(strcmp(arm_barrier_name(ARM_ISB), "ISB") == 0);
	CHECK(strcmp(cp15_cache_op_name(CP15_DCCIMVAC), "DCCIMVAC") == 0);
	tlbi_sites_free(&s);

	/* Thumb: dsb sy, nop, isb sy, dmb ish; at 2-byte alignment. */
	static const uint16_t thumb[] = { 0xbf00, 0xf3bf, 0x8f4f, 0xbf00, 0xf3bf, 0x8f6f,
					  0xf3bf, 0x8f5b, 0xbf00, 0xbf00 };
	uint8_t tb[sizeof(thumb)];
	for (unsigned i = 0; i < sizeof(thumb) / 2; i++)
		put16(tb + 2 * i, thumb[i]);
	memset(&s, 0, sizeof(s));
	CHECK_EQ(tlbi_scan(0, h_thumb, tb, va, sizeof(tb), TLBI_SCAN_THUMB | TLBI_SCAN_ORDERING, &s), 3);
	if (s.n == 3) {
		CHECK_EQ(s.v[0].va, va + 2);
		CHECK(s.v[0].thumb && s.v[0].insn == ARM_DSB);
		CHECK_EQ(s.v[1].va, va + 8);
		CHECK_EQ(s.v[1].insn, ARM_ISB);
		CHECK_EQ(s.v[2].va, va + 12);
		CHECK_EQ(s.v[2].insn, ARM_DMB);
	}
	tlbi_sites_free(&s);
}

/* ---- translation-register writes (TLBI_SCAN_CP15_REGS) ---------------- */
/* MCR p15, 0, Rt, CRn, CRm, opc2, ARM A1: 0x0e000f10 | cond << 28 | CRn << 16
 * | Rt << 12 | opc2 << 5 | CRm; Thumb T1: hw1 0xee00 | CRn, hw2 Rt << 12 |
 * 0x0f10 | opc2 << 5 | CRm.  MRC sets bit 20 (a read, not a write). */
#define A1(cond, crn, rt, opc2, crm) \
	(0x0e000f10u | (uint32_t)(cond) << 28 | (crn) << 16 | (rt) << 12 | (opc2) << 5 | (crm))

static void test_scan_cp15_regs(void)
{
	const uint32_t arm[] = {
		A1(14u, 2u, 0u, 0u, 0u),  /* +0x00 mcr TTBR0, r0 */
		A1(14u, 13u, 1u, 1u, 0u), /* +0x04 mcr CONTEXTIDR, r1 */
		A1(0u, 3u, 2u, 0u, 0u),   /* +0x08 mcreq DACR, r2 */
		A1(14u, 1u, 3u, 0u, 0u),  /* +0x0c mcr SCTLR, r3 */
		A1(14u, 1u, 3u, 1u, 0u),  /* +0x10 mcr ACTLR: not followed */
		A1(14u, 2u, 4u, 0u, 0u) | (1u << 20), /* +0x14 mrc TTBR0: a read */
		A1(14u, 2u, 5u, 2u, 0u),  /* +0x18 mcr TTBCR, r5 */
		A1(14u, 2u, 6u, 1u, 0u),  /* +0x1c mcr TTBR1, r6 */
	};
	uint8_t buf[sizeof(arm)];
	for (unsigned i = 0; i < sizeof(arm) / 4; i++)
		put32(buf + 4 * i, arm[i]);
	const uint32_t va = 0xc0010000u;
	struct tlbi_sites s;
	memset(&s, 0, sizeof(s));
	CHECK_EQ(tlbi_scan(h_arm, 0, buf, va, sizeof(buf), TLBI_SCAN_ARM, &s), 0);
	tlbi_sites_free(&s);
	CHECK_EQ(tlbi_scan(h_arm, 0, buf, va, sizeof(buf), TLBI_SCAN_ARM | TLBI_SCAN_CP15_REGS, &s), 6);
	static const struct { uint32_t off; enum cp15_reg r; unsigned rt, cond; } want[] = {
		{ 0x00, CP15_TTBR0, 0, 14 }, { 0x04, CP15_CONTEXTIDR, 1, 14 }, { 0x08, CP15_DACR, 2, 0 },
		{ 0x0c, CP15_SCTLR, 3, 14 }, { 0x18, CP15_TTBCR, 5, 14 },       { 0x1c, CP15_TTBR1, 6, 14 },
	};
	for (unsigned i = 0; i < s.n && i < 6; i++) {
		CHECK_EQ(s.v[i].va, va + want[i].off);
		CHECK_EQ(s.v[i].kind, TLBI_SITE_CP15_REG);
		CHECK_EQ(s.v[i].reg, want[i].r);
		CHECK_EQ(s.v[i].rt, want[i].rt);
		CHECK_EQ(s.v[i].cond, want[i].cond);
		CHECK_EQ(s.v[i].thumb, false);
	}
	tlbi_sites_free(&s);

	/* Thumb: mcr TTBR0, r7 at +0; mrc DACR at +4 (a read); a nop; mcr
	 * CONTEXTIDR, r2 at +0xa (only halfword aligned). */
	const uint16_t thumb[] = {
		0xee02, 0x7f10,         /* +0x0 mcr p15,0,r7,c2,c0,0 */
		0xee13, 0x0f10,         /* +0x4 mrc p15,0,r0,c3,c0,0 */
		0xbf00,                 /* +0x8 nop */
		0xee0d, 0x2f30,         /* +0xa mcr p15,0,r2,c13,c0,1 */
	};
	uint8_t tb[sizeof(thumb)];
	for (unsigned i = 0; i < sizeof(thumb) / 2; i++)
		put16(tb + 2 * i, thumb[i]);
	CHECK_EQ(tlbi_scan(0, h_thumb, tb, va, sizeof(tb), TLBI_SCAN_THUMB | TLBI_SCAN_CP15_REGS, &s), 2);
	if (s.n == 2) {
		CHECK_EQ(s.v[0].va, va);
		CHECK_EQ(s.v[0].reg, CP15_TTBR0);
		CHECK_EQ(s.v[0].rt, 7);
		CHECK_EQ(s.v[0].thumb, true);
		CHECK_EQ(s.v[1].va, va + 0xa);
		CHECK_EQ(s.v[1].reg, CP15_CONTEXTIDR);
		CHECK_EQ(s.v[1].rt, 2);
	}
	tlbi_sites_free(&s);
}

int main(void)
{
	if (cs_open(CS_ARCH_ARM, CS_MODE_ARM, &h_arm) != CS_ERR_OK ||
	    cs_open(CS_ARCH_ARM, CS_MODE_THUMB, &h_thumb) != CS_ERR_OK) {
		fprintf(stderr, "cs_open failed\n");
		return 1;
	}
	test_decode();
	test_apply();
	test_scan_arm();
	test_scan_thumb();
	test_scan_ordering();
	test_cond();
	test_scan_contextidr();
	test_scan_cp15_regs();
	cs_close(&h_arm);
	cs_close(&h_thumb);
	return check_done();
}
