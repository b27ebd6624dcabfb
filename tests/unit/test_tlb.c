/* SPDX-License-Identifier: MIT */
/* Unit tests of the TLB model (mm/tlb.c) and the core profiles (mm/core.c).
 *
 * Every expected hit/miss and count below is worked out by hand from the
 * geometry and replacement policy documented in mm/core.c and mm/tlb.c:
 *
 *   cortex-a7   micro 10 FA round-robin (I, D); main 256 x 2-way RR = 128 sets;
 *               maintenance flushes both micro TLBs.
 *   cortex-a9   micro 32 FA RR; main 128 x 2-way RR = 64 sets; + 4 lockable;
 *               maintenance flushes both micro TLBs; CONTEXTIDR write too.
 *   cortex-a15  L1 32 FA LRU, 4 KiB pieces only; L2 512 x 4-way LRU = 128 sets;
 *               precise maintenance; scope I/D respected.
 *   arm1176     micro 10 FA random; main 64 x 2-way RR = 32 sets; + 8 lockable.
 *
 * Set of a 4 KiB page in a main TLB with S sets: (va >> 12) & (S - 1), so
 * pages 4 KiB * S apart share a set: 512 KiB apart on A7/A15 (128 sets),
 * 256 KiB on A9 (64 sets), 128 KiB on ARM1176 (32 sets).
 *
 * Replacement rule (tlb.c): a fill takes the lowest invalid way first; only
 * a full set evicts (RR: the way under the pointer, pointer + 1; LRU: the
 * way used longest ago; random: seeded generator). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "core.h"
#include "tlb.h"

#define I TLB_SIDE_I
#define D TLB_SIDE_D

static const struct core_profile *A7, *A9, *A15, *ARM11;

static struct mmu_translation page(uint32_t va, uint32_t pa, bool ng)
{
	struct mmu_translation t;
	memset(&t, 0, sizeof(t));
	t.fault = MMU_OK;
	t.level = 2;
	t.desc_reads = 2;
	t.va_base = va & ~0xfffu;
	t.size = 0x1000;
	t.pa_base = pa & ~0xfffu;
	t.ap = MMU_AP_PRIV_RW;
	t.ng = ng;
	return t;
}

static struct mmu_translation block(uint32_t va, uint32_t pa, uint32_t size, bool ng)
{
	struct mmu_translation t = page(va, pa, ng);
	t.size = size;
	t.va_base = va & ~(size - 1);
	t.pa_base = pa & ~(size - 1);
	t.level = size == 0x10000 ? 2 : 1;
	t.desc_reads = size == 0x10000 ? 2 : 1;
	return t;
}

/* Looks va up and returns the hit level. */
static enum tlb_hit look(struct tlb *tlb, enum tlb_side side, uint32_t va, uint8_t asid)
{
	enum tlb_hit h = TLB_HIT_MICRO;
	const struct tlb_entry *e = tlb_lookup(tlb, side, va, asid, &h);
	CHECK((e == NULL) == (h == TLB_MISS));
	if (e) {
		CHECK(e->valid);
		CHECK(va - e->t.va_base < e->t.size);
	}
	return h;
}

/* What the emulator does on an access: look up; on a miss, walk and fill.
 * The page maps va to pa = va - 0x40000000 (a kernel-like linear map). */
static enum tlb_hit access_page(struct tlb *tlb, enum tlb_side side, uint32_t va, uint8_t asid,
				bool ng)
{
	enum tlb_hit h = look(tlb, side, va, asid);
	if (h == TLB_MISS) {
		struct mmu_translation t = page(va, va - 0x40000000u, ng);
		CHECK(tlb_fill(tlb, side, &t, asid) != NULL);
	}
	return h;
}

static void count_cb(const struct tlb_entry *e, void *arg)
{
	(void)e;
	(*(unsigned *)arg)++;
}

static unsigned count_entries(const struct tlb *tlb)
{
	unsigned n = 0;
	tlb_for_each(tlb, count_cb, &n);
	return n;
}

struct va_count {
	uint32_t va;
	unsigned n;
};

static void va_count_cb(const struct tlb_entry *e, void *arg)
{
	struct va_count *c = arg;
	if (c->va - e->t.va_base < e->t.size)
		c->n++;
}

/* Entries of all levels that map va. */
static unsigned copies_of(const struct tlb *tlb, uint32_t va)
{
	struct va_count c = { va, 0 };
	tlb_for_each(tlb, va_count_cb, &c);
	return c.n;
}

/* ---- profiles --------------------------------------------------------------- */

static void test_profiles(void)
{
	CHECK(core_profiles[0] != NULL);
	CHECK(strcmp(core_profiles[0]->name, "cortex-a7") == 0); /* the default comes first */
	CHECK(core_profile_find("cortex-a7") == core_profiles[0]);
	CHECK(core_profile_find("nonesuch") == NULL);
	CHECK(core_profile_find(NULL) == NULL);
	unsigned n = 0;
	while (core_profiles[n])
		n++;
	CHECK_EQ(n, 4);

	CHECK(A7 && A9 && A15 && ARM11);
	/* DDI 0464F 5.3.1/5.3.2 */
	CHECK_EQ(A7->utlb_i.entries, 10);
	CHECK_EQ(A7->utlb_d.entries, 10);
	CHECK_EQ(A7->main.entries, 256);
	CHECK_EQ(A7->main.ways, 2);
	/* DDI 0388I 6.2.1/6.2.2 */
	CHECK_EQ(A9->utlb_i.entries, 32);
	CHECK_EQ(A9->utlb_d.entries, 32);
	CHECK_EQ(A9->main.ways, 2);
	CHECK(A9->main.entries == 64 || A9->main.entries == 128);
	CHECK_EQ(A9->main_lockable, 4);
	/* DDI 0438 5.2 */
	CHECK_EQ(A15->utlb_i.entries, 32);
	CHECK_EQ(A15->utlb_i.ways, 32);
	CHECK_EQ(A15->utlb_d.entries, 32);
	CHECK_EQ(A15->main.entries, 512);
	CHECK_EQ(A15->main.ways, 4);
	CHECK_EQ(A15->main_lockable, 0);
	/* DDI 0301H 6.2.1/6.2.2 */
	CHECK_EQ(ARM11->utlb_i.entries, 10);
	CHECK_EQ(ARM11->utlb_d.entries, 10);
	CHECK_EQ(ARM11->main.entries, 64);
	CHECK_EQ(ARM11->main.ways, 2);
	CHECK_EQ(ARM11->main_lockable, 8);

	for (unsigned i = 0; core_profiles[i]; i++) {
		struct tlb *t = tlb_create(core_profiles[i], 42);
		CHECK(t != NULL);
		CHECK(tlb_core(t) == core_profiles[i]);
		CHECK_EQ(count_entries(t), 0);
		tlb_destroy(t);
	}

	/* A geometry whose set count is not a power of two is refused. */
	struct core_profile bad = *A7;
	bad.main.entries = 96;
	bad.main.ways = 2; /* 48 sets */
	CHECK(tlb_create(&bad, 1) == NULL);
}

/* ---- Cortex-A7 -------------------------------------------------------------- */

/* 11 distinct pages in distinct main sets: the 10-entry round-robin micro
 * TLB evicts, the main TLB keeps all 11. */
static void test_a7_micro(void)
{
	struct tlb *tlb = tlb_create(A7, 1);
	uint32_t P[11];
	for (unsigned k = 0; k < 11; k++)
		P[k] = 0xc0000000u + k * 0x1000u; /* main sets 0..10 */

	for (unsigned k = 0; k < 10; k++)
		CHECK_EQ(access_page(tlb, D, P[k] + 0x10, 0, false), TLB_MISS);
	/* micro D: P0..P9 in slots 0..9 (invalid slots first).  Using P0 again
	 * does not protect it from round robin (LRU would evict P1 next). */
	CHECK_EQ(look(tlb, D, P[0], 0), TLB_HIT_MICRO);
	/* P10 evicts the slot under the pointer, slot 0 = P0; pointer -> 1. */
	CHECK_EQ(access_page(tlb, D, P[10] + 0x10, 0, false), TLB_MISS);
	const struct tlb_stats *s = tlb_stats(tlb);
	CHECK_EQ(s->accesses, 12);
	CHECK_EQ(s->misses, 11);
	CHECK_EQ(s->walks, 11);
	CHECK_EQ(s->walk_reads, 22);
	CHECK_EQ(count_entries(tlb), 21); /* 11 main + 10 micro D */

	for (unsigned k = 1; k <= 10; k++)
		CHECK_EQ(look(tlb, D, P[k], 0), TLB_HIT_MICRO);
	/* P0: main hit, refill evicts slot 1 = P1; pointer -> 2. */
	CHECK_EQ(look(tlb, D, P[0] + 0xfff, 0), TLB_HIT_MAIN);
	CHECK_EQ(look(tlb, D, P[0], 0), TLB_HIT_MICRO);
	/* P1: main hit, refill evicts slot 2 = P2; pointer -> 3. */
	CHECK_EQ(look(tlb, D, P[1], 0), TLB_HIT_MAIN);
	CHECK_EQ(look(tlb, D, P[3], 0), TLB_HIT_MICRO);
	CHECK_EQ(look(tlb, D, P[2], 0), TLB_HIT_MAIN);
	/* The I side has its own, empty, micro TLB: the main TLB serves it. */
	CHECK_EQ(look(tlb, I, P[5], 0), TLB_HIT_MAIN);
	CHECK_EQ(look(tlb, I, P[5], 0), TLB_HIT_MICRO);

	CHECK_EQ(s->accesses, 12 + 10 + 5 + 2);
	CHECK_EQ(s->micro_hits, 1 + 10 + 1 + 1 + 1);
	CHECK_EQ(s->main_hits, 3 + 1);
	CHECK_EQ(s->misses, 11);
	CHECK_EQ(s->accesses, s->micro_hits + s->main_hits + s->misses);

	/* The entry returned translates: PA = VA - 0x40000000. */
	const struct tlb_entry *e = tlb_lookup(tlb, D, P[3] + 0x123, 0, NULL);
	CHECK(e != NULL);
	CHECK_EQ(mmu_pa(&e->t, P[3] + 0x123), P[3] + 0x123 - 0x40000000u);
	tlb_destroy(tlb);
}

/* Three pages in main set 0 of the 2-way main TLB: the third evicts the
 * first.  A7 maintenance flushes both micro TLBs, so an invalidate of an
 * unmapped address empties them and exposes the main TLB alone. */
static void test_a7_main_conflict(void)
{
	struct tlb *tlb = tlb_create(A7, 1);
	const uint32_t a = 0xc0000000u, b = 0xc0080000u, c = 0xc0100000u; /* set 0 */
	CHECK_EQ(access_page(tlb, D, a, 0, false), TLB_MISS); /* set 0 way 0 */
	CHECK_EQ(access_page(tlb, D, b, 0, false), TLB_MISS); /* way 1 */
	CHECK_EQ(access_page(tlb, D, c, 0, false), TLB_MISS); /* full: way 0 (a), ptr -> 1 */

	/* The D micro TLB still holds a (it is not inclusive of the main TLB). */
	CHECK_EQ(look(tlb, D, a, 0), TLB_HIT_MICRO);
	/* Invalidate a VA nothing maps: main 0, micro D flushed (a, b, c) = 3. */
	CHECK_EQ(tlb_invalidate_mva(tlb, TLB_SCOPE_ALL, 0x00001000u, 0), 3);
	CHECK_EQ(tlb_stats(tlb)->micro_flushed, 3);
	CHECK_EQ(look(tlb, D, a, 0), TLB_MISS);
	CHECK_EQ(look(tlb, D, c, 0), TLB_HIT_MAIN);
	CHECK_EQ(look(tlb, D, b, 0), TLB_HIT_MAIN);
	/* Refill a: set 0 = {c (way 0), b (way 1)}, pointer 1 -> evicts b, the
	 * entry used last (LRU would have evicted c). */
	struct mmu_translation ta = page(a, a - 0x40000000u, false);
	CHECK(tlb_fill(tlb, D, &ta, 0) != NULL);
	/* micro D holds b, c (refilled on the main hits) and a: flush = 3. */
	CHECK_EQ(tlb_invalidate_mva(tlb, TLB_SCOPE_ALL, 0x00001000u, 0), 3);
	CHECK_EQ(look(tlb, D, b, 0), TLB_MISS);
	CHECK_EQ(look(tlb, D, c, 0), TLB_HIT_MAIN);
	CHECK_EQ(look(tlb, D, a, 0), TLB_HIT_MAIN);
	tlb_destroy(tlb);
}

/* Sections, large pages and supersections are found whatever set they sit in. */
static void test_a7_page_sizes(void)
{
	struct tlb *tlb = tlb_create(A7, 1);
	struct mmu_translation sec = block(0xc0100000u, 0x80100000u, 0x100000, false);
	struct mmu_translation lp = block(0xc0210000u, 0x80210000u, 0x10000, false);
	struct mmu_translation ss = block(0x10000000u, 0x20000000u, 0x1000000, false);
	struct mmu_translation sp = page(0xc0300000u, 0x80300000u, false);
	CHECK(tlb_fill(tlb, D, &sec, 0) != NULL);
	CHECK(tlb_fill(tlb, D, &lp, 0) != NULL);
	CHECK(tlb_fill(tlb, D, &ss, 0) != NULL);
	CHECK(tlb_fill(tlb, D, &sp, 0) != NULL);
	CHECK_EQ(tlb_stats(tlb)->walk_reads, 1 + 2 + 1 + 2);

	const struct tlb_entry *e;
	enum tlb_hit h;
	e = tlb_lookup(tlb, I, 0xc01abcdeu, 0, &h);
	CHECK_EQ(h, TLB_HIT_MAIN);
	CHECK(e && mmu_pa(&e->t, 0xc01abcdeu) == 0x801abcdeu);
	e = tlb_lookup(tlb, I, 0xc021fffcu, 0, &h);
	CHECK_EQ(h, TLB_HIT_MAIN);
	CHECK(e && mmu_pa(&e->t, 0xc021fffcu) == 0x8021fffcu);
	e = tlb_lookup(tlb, I, 0x10fffff0u, 0, &h);
	CHECK_EQ(h, TLB_HIT_MAIN);
	CHECK(e && mmu_pa(&e->t, 0x10fffff0u) == 0x20fffff0u);
	e = tlb_lookup(tlb, I, 0xc0300004u, 0, &h);
	CHECK_EQ(h, TLB_HIT_MAIN);
	CHECK(e && mmu_pa(&e->t, 0xc0300004u) == 0x80300004u);
	/* Just outside each: misses. */
	CHECK_EQ(look(tlb, I, 0xc0200000u, 0), TLB_MISS);
	CHECK_EQ(look(tlb, I, 0xc0220000u, 0), TLB_MISS);
	CHECK_EQ(look(tlb, I, 0x11000000u, 0), TLB_MISS);
	CHECK_EQ(look(tlb, I, 0xc0301000u, 0), TLB_MISS);

	/* TLBIMVA anywhere in the section removes it: main 1, and the A7 flushes
	 * both micro TLBs: D 4, I 4 (the I side refilled all four) = 9. */
	CHECK_EQ(tlb_invalidate_mva(tlb, TLB_SCOPE_ALL, 0xc01ff000u, 0), 9);
	CHECK_EQ(look(tlb, D, 0xc0100000u, 0), TLB_MISS);
	CHECK_EQ(look(tlb, D, 0x10000000u, 0), TLB_HIT_MAIN);

	/* Filling the same page twice overwrites, it does not duplicate. */
	unsigned before = count_entries(tlb);
	CHECK(tlb_fill(tlb, D, &ss, 0) != NULL);
	CHECK_EQ(count_entries(tlb), before);

	/* A faulting walk is counted but not cached. */
	struct mmu_translation f = page(0xc0500000u, 0, false);
	f.fault = MMU_FAULT_TRANSLATION;
	f.desc_reads = 1;
	uint64_t walks = tlb_stats(tlb)->walks, reads = tlb_stats(tlb)->walk_reads;
	CHECK(tlb_fill(tlb, D, &f, 0) == NULL);
	CHECK_EQ(tlb_stats(tlb)->walks, walks + 1);
	CHECK_EQ(tlb_stats(tlb)->walk_reads, reads + 1);
	CHECK_EQ(look(tlb, D, 0xc0500000u, 0), TLB_MISS);
	tlb_destroy(tlb);
}

/* ASIDs: a non-global entry matches its own ASID only; a global one any. */
static void test_a7_asid(void)
{
	struct tlb *tlb = tlb_create(A7, 1);
	const uint32_t user = 0x00010000u, kern = 0xc0008000u;
	CHECK_EQ(access_page(tlb, D, user, 1, true), TLB_MISS);
	CHECK_EQ(access_page(tlb, D, kern, 1, false), TLB_MISS);
	CHECK_EQ(look(tlb, D, user, 1), TLB_HIT_MICRO);
	CHECK_EQ(look(tlb, D, user, 2), TLB_MISS);
	CHECK_EQ(look(tlb, I, user, 2), TLB_MISS);
	CHECK_EQ(look(tlb, D, kern, 2), TLB_HIT_MICRO);
	CHECK_EQ(look(tlb, D, kern, 255), TLB_HIT_MICRO);
	CHECK_EQ(look(tlb, I, kern, 77), TLB_HIT_MAIN);

	/* The same VA for ASID 2 is a separate entry. */
	CHECK_EQ(access_page(tlb, D, user, 2, true), TLB_MISS);
	CHECK_EQ(look(tlb, D, user, 1), TLB_HIT_MICRO);
	CHECK_EQ(look(tlb, D, user, 2), TLB_HIT_MICRO);
	/* main: user/1, kern, user/2 = 3; micro D: the same 3; micro I: kern. */
	CHECK_EQ(count_entries(tlb), 7);

	/* TLBIASID 1: main user/1 (1); micro flush D 3 + I 1 = 4; total 5. */
	CHECK_EQ(tlb_invalidate_asid(tlb, TLB_SCOPE_ALL, 1), 5);
	CHECK_EQ(look(tlb, D, user, 1), TLB_MISS);
	CHECK_EQ(look(tlb, D, user, 2), TLB_HIT_MAIN);
	CHECK_EQ(look(tlb, D, kern, 1), TLB_HIT_MAIN);
	/* CONTEXTIDR write flushes the micro TLBs (D: user/2, kern = 2). */
	CHECK_EQ(tlb_reg_write(tlb, CORE_REG_CONTEXTIDR), 2);
	CHECK_EQ(tlb_stats(tlb)->micro_flushed, 4 + 2);
	CHECK_EQ(tlb_stats(tlb)->invalidated, 5); /* register writes are not maintenance */
	CHECK_EQ(tlb_reg_write(tlb, CORE_REG_DACR), 0); /* already empty */
	CHECK_EQ(look(tlb, D, kern, 3), TLB_HIT_MAIN);
	CHECK_EQ(tlb_reg_write(tlb, CORE_REG_TTBR), 1);
	tlb_destroy(tlb);
}

/* A7 maintenance reaches both micro TLBs whatever the scope. */
static void test_a7_scope(void)
{
	struct tlb *tlb = tlb_create(A7, 1);
	const uint32_t x = 0xc0001000u, y = 0xc0002000u;
	CHECK_EQ(access_page(tlb, I, x, 0, false), TLB_MISS);
	/* The D side finds x in the main TLB the I side filled. */
	CHECK_EQ(access_page(tlb, D, x, 0, false), TLB_HIT_MAIN);
	CHECK_EQ(tlb_stats(tlb)->main_hits, 1);
	CHECK_EQ(access_page(tlb, D, y, 0, false), TLB_MISS);
	/* main x, y (2); micro I x; micro D x, y. */
	CHECK_EQ(count_entries(tlb), 5);
	/* TLBIMVA x, scope I: main x 1 + micro I 1 + micro D 2 = 4. */
	CHECK_EQ(tlb_invalidate_mva(tlb, TLB_SCOPE_I, x, 0), 4);
	CHECK_EQ(look(tlb, D, y, 0), TLB_HIT_MAIN);
	CHECK_EQ(look(tlb, D, x, 0), TLB_MISS);
	/* TLBIALL: main y 1 + micro D y 1 = 2. */
	CHECK_EQ(tlb_invalidate_all(tlb, TLB_SCOPE_D), 2);
	CHECK_EQ(count_entries(tlb), 0);
	CHECK_EQ(tlb_invalidate_all(tlb, TLB_SCOPE_ALL), 0);
	CHECK_EQ(tlb_stats(tlb)->invalidated, 4 + 2);
	tlb_destroy(tlb);
}

/* ---- Cortex-A9 -------------------------------------------------------------- */

static void test_a9(void)
{
	struct tlb *tlb = tlb_create(A9, 1);
	const unsigned sets = A9->main.entries / A9->main.ways; /* 64 (128 / 2) */
	CHECK_EQ(sets, 64);
	const uint32_t stride = sets * 0x1000u;                   /* 256 KiB */
	CHECK_EQ(stride, 0x40000);

	/* 33 pages in distinct main sets (0..32): the 32-entry RR micro D TLB
	 * fills slots 0..31, the 33rd evicts slot 0 = P0. */
	for (unsigned k = 0; k < 33; k++)
		CHECK_EQ(access_page(tlb, D, 0xc0000000u + k * 0x1000u, 0, false), TLB_MISS);
	CHECK_EQ(look(tlb, D, 0xc0001000u, 0), TLB_HIT_MICRO);
	CHECK_EQ(look(tlb, D, 0xc0020000u, 0), TLB_HIT_MICRO); /* P32 */
	CHECK_EQ(look(tlb, D, 0xc0000000u, 0), TLB_HIT_MAIN);  /* P0, evicts P1 */
	CHECK_EQ(look(tlb, D, 0xc0001000u, 0), TLB_HIT_MAIN);
	CHECK_EQ(look(tlb, D, 0xc0002000u, 0), TLB_HIT_MAIN);  /* P1's refill evicted P2 */
	/* P2's refill took slot 3 (P3), pointer -> 4; slots 4..31 untouched. */
	CHECK_EQ(look(tlb, D, 0xc001f000u, 0), TLB_HIT_MICRO); /* P31 */
	CHECK_EQ(look(tlb, D, 0xc0004000u, 0), TLB_HIT_MICRO); /* P4 */
	CHECK_EQ(look(tlb, D, 0xc0003000u, 0), TLB_HIT_MAIN);  /* evicts P4 */
	CHECK_EQ(look(tlb, D, 0xc0004000u, 0), TLB_HIT_MAIN);
	tlb_destroy(tlb);

	/* Main set 0: a, b, c 256 KiB apart; c evicts a.  The I micro TLB is
	 * empty, so I-side lookups show the main TLB. */
	tlb = tlb_create(A9, 1);
	const uint32_t a = 0xc0000000u, b = a + stride, c = a + 2 * stride;
	CHECK_EQ(access_page(tlb, D, a, 0, false), TLB_MISS);
	CHECK_EQ(access_page(tlb, D, b, 0, false), TLB_MISS);
	CHECK_EQ(access_page(tlb, D, c, 0, false), TLB_MISS);
	CHECK_EQ(look(tlb, I, a, 0), TLB_MISS);
	CHECK_EQ(look(tlb, I, b, 0), TLB_HIT_MAIN);
	CHECK_EQ(look(tlb, I, c, 0), TLB_HIT_MAIN);
	CHECK_EQ(look(tlb, D, a, 0), TLB_HIT_MICRO); /* still in micro D */

	/* DDI 0388I 6.2.1: CONTEXTIDR writes flush the micro TLBs, DACR writes
	 * do not.  micro D: a, b, c; micro I: b, c. */
	CHECK_EQ(tlb_reg_write(tlb, CORE_REG_DACR), 0);
	CHECK_EQ(tlb_reg_write(tlb, CORE_REG_CONTEXTIDR | CORE_REG_DACR), 5);
	CHECK_EQ(look(tlb, D, a, 0), TLB_MISS);
	/* TLBIALL: main b, c = 2 (micro TLBs already empty). */
	CHECK_EQ(tlb_invalidate_all(tlb, TLB_SCOPE_ALL), 2);
	CHECK_EQ(count_entries(tlb), 0);
	tlb_destroy(tlb);
}

/* ---- Cortex-A15 ------------------------------------------------------------- */

static void test_a15_l2_lru(void)
{
	struct tlb *tlb = tlb_create(A15, 1);
	const uint32_t stride = 0x80000; /* 128 sets * 4 KiB */
	uint32_t p[5];
	for (unsigned j = 0; j < 5; j++)
		p[j] = 0xc0000000u + j * stride; /* all in L2 set 0 */
	for (unsigned j = 0; j < 5; j++)
		CHECK_EQ(access_page(tlb, D, p[j], 0, false), TLB_MISS);
	/* L2 set 0: p0..p3 took ways 0..3; p4 evicted the LRU way, p0. */
	CHECK_EQ(look(tlb, I, p[0], 0), TLB_MISS);
	CHECK_EQ(look(tlb, I, p[1], 0), TLB_HIT_MAIN); /* p1 becomes most recent */
	struct mmu_translation t0 = page(p[0], p[0] - 0x40000000u, false);
	CHECK(tlb_fill(tlb, I, &t0, 0) != NULL);
	/* L2 set 0 was p1 (used last), p2, p3, p4: the LRU is p2 (round robin
	 * would have taken way 1 = p1). */
	CHECK_EQ(look(tlb, I, p[2], 0), TLB_MISS);
	CHECK_EQ(look(tlb, I, p[1], 0), TLB_HIT_MICRO);
	CHECK_EQ(look(tlb, I, p[3], 0), TLB_HIT_MAIN);
	CHECK_EQ(look(tlb, I, p[4], 0), TLB_HIT_MAIN);
	/* The data L1 TLB (32 entries) still holds all five. */
	for (unsigned j = 0; j < 5; j++)
		CHECK_EQ(look(tlb, D, p[j], 0), TLB_HIT_MICRO);
	tlb_destroy(tlb);
}

static void test_a15_l1_lru(void)
{
	struct tlb *tlb = tlb_create(A15, 1);
	/* 32 pages in distinct L2 sets fill the L1 D TLB exactly. */
	for (unsigned k = 0; k < 32; k++)
		CHECK_EQ(access_page(tlb, D, 0xc0000000u + k * 0x1000u, 0, false), TLB_MISS);
	CHECK_EQ(look(tlb, D, 0xc0000000u, 0), TLB_HIT_MICRO); /* P0 used again */
	/* P32 evicts the least recently used: P1 (P0 was just used). */
	CHECK_EQ(access_page(tlb, D, 0xc0020000u, 0, false), TLB_MISS);
	CHECK_EQ(look(tlb, D, 0xc0000000u, 0), TLB_HIT_MICRO);
	CHECK_EQ(look(tlb, D, 0xc0002000u, 0), TLB_HIT_MICRO);
	CHECK_EQ(look(tlb, D, 0xc0001000u, 0), TLB_HIT_MAIN); /* evicts P3 now */
	CHECK_EQ(look(tlb, D, 0xc0003000u, 0), TLB_HIT_MAIN);
	tlb_destroy(tlb);
}

/* DDI 0438 5.2.1/5.2.2: the L1 TLBs hold 4 KiB pieces of larger pages. */
static void test_a15_pieces(void)
{
	struct tlb *tlb = tlb_create(A15, 1);
	struct mmu_translation sec = block(0xc0000000u, 0x80000000u, 0x100000, false);
	enum tlb_hit h;
	CHECK(tlb_lookup(tlb, D, 0xc0012345u, 0, &h) == NULL);
	const struct tlb_entry *e = tlb_fill(tlb, D, &sec, 0);
	CHECK(e && e->t.size == 0x100000 && e->t.va_base == 0xc0000000u); /* the L2 entry */

	e = tlb_lookup(tlb, D, 0xc0012ffcu, 0, &h); /* the piece of the missed VA */
	CHECK_EQ(h, TLB_HIT_MICRO);
	CHECK(e && e->t.size == 0x1000 && e->t.va_base == 0xc0012000u);
	CHECK(e && mmu_pa(&e->t, 0xc0012ffcu) == 0x80012ffcu);
	e = tlb_lookup(tlb, D, 0xc0013000u, 0, &h); /* another 4K of the section */
	CHECK_EQ(h, TLB_HIT_MAIN);
	CHECK(e && e->t.size == 0x1000 && e->t.va_base == 0xc0013000u);
	CHECK(e && mmu_pa(&e->t, 0xc0013004u) == 0x80013004u);
	CHECK_EQ(look(tlb, D, 0xc0013008u, 0), TLB_HIT_MICRO);
	CHECK_EQ(copies_of(tlb, 0xc0012000u), 2); /* L2 section + L1 piece */

	/* TLBIMVA elsewhere in the section: L2 section 1 + both L1 pieces 2. */
	CHECK_EQ(tlb_invalidate_mva(tlb, TLB_SCOPE_ALL, 0xc00ff000u, 0), 3);
	CHECK_EQ(count_entries(tlb), 0);

	/* tlb_fill_va picks the piece explicitly. */
	e = tlb_fill_va(tlb, I, &sec, 0, 0xc0077000u);
	CHECK(e && e->t.size == 0x100000);
	CHECK_EQ(look(tlb, I, 0xc0077abcu, 0), TLB_HIT_MICRO);
	CHECK_EQ(look(tlb, I, 0xc0000000u, 0), TLB_HIT_MAIN);
	/* TLBIMVAA at the section's last page: the L2 section and both L1 I
	 * pieces (0xc0077000, 0xc0000000) = 3. */
	CHECK_EQ(tlb_invalidate_mva_all_asid(tlb, TLB_SCOPE_ALL, 0xc00ffffcu), 3);
	CHECK_EQ(count_entries(tlb), 0);
	tlb_destroy(tlb);
}

/* Precise maintenance: scope I/D limits which L1 TLB is reached. */
static void test_a15_scope_and_asid(void)
{
	struct tlb *tlb = tlb_create(A15, 1);
	const uint32_t x = 0xc0001000u;
	CHECK_EQ(access_page(tlb, I, x, 0, false), TLB_MISS);
	CHECK_EQ(access_page(tlb, D, x, 0, false), TLB_HIT_MAIN);
	CHECK_EQ(count_entries(tlb), 3); /* L2 x, L1 I x, L1 D x */
	CHECK_EQ(tlb_invalidate_mva(tlb, TLB_SCOPE_I, x, 0), 2); /* L2 + L1 I */
	CHECK_EQ(look(tlb, D, x, 0), TLB_HIT_MICRO);
	CHECK_EQ(look(tlb, I, x, 0), TLB_MISS);
	CHECK_EQ(tlb_invalidate_mva(tlb, TLB_SCOPE_D, x, 0), 1); /* L1 D */
	CHECK_EQ(look(tlb, D, x, 0), TLB_MISS);
	/* And the other way round: scope D leaves the L1 I TLB alone. */
	CHECK_EQ(access_page(tlb, I, x, 0, false), TLB_MISS);
	CHECK_EQ(access_page(tlb, D, x, 0, false), TLB_HIT_MAIN);
	CHECK_EQ(tlb_invalidate_mva_all_asid(tlb, TLB_SCOPE_D, x), 2); /* L2 + L1 D */
	CHECK_EQ(look(tlb, I, x, 0), TLB_HIT_MICRO);
	CHECK_EQ(look(tlb, D, x, 0), TLB_MISS);
	CHECK_EQ(tlb_invalidate_asid(tlb, TLB_SCOPE_I, 0), 0); /* x is global */
	CHECK_EQ(tlb_invalidate_all(tlb, TLB_SCOPE_I), 1);      /* L1 I */
	CHECK_EQ(count_entries(tlb), 0);
	CHECK_EQ(tlb_reg_write(tlb, CORE_REG_CONTEXTIDR | CORE_REG_TTBR), 0);
	tlb_destroy(tlb);

	/* ASID-tagged maintenance, counted exactly (no micro flush on A15). */
	tlb = tlb_create(A15, 1);
	const uint32_t u = 0x00010000u, g = 0xc0008000u;
	CHECK_EQ(access_page(tlb, D, u, 1, true), TLB_MISS);
	CHECK_EQ(access_page(tlb, D, u, 2, true), TLB_MISS);
	CHECK_EQ(access_page(tlb, D, g, 1, false), TLB_MISS);
	CHECK_EQ(count_entries(tlb), 6); /* 3 in L2, 3 in L1 D */
	CHECK_EQ(look(tlb, D, u, 3), TLB_MISS);
	CHECK_EQ(look(tlb, D, g, 3), TLB_HIT_MICRO);

	/* TLBIMVA u, ASID 1: u/1 in L2 and L1 D = 2; u/2 stays. */
	CHECK_EQ(tlb_invalidate_mva(tlb, TLB_SCOPE_ALL, u, 1), 2);
	CHECK_EQ(look(tlb, D, u, 2), TLB_HIT_MICRO);
	CHECK_EQ(look(tlb, D, u, 1), TLB_MISS);
	/* TLBIMVA g with any ASID: g is global = 2. */
	CHECK_EQ(tlb_invalidate_mva(tlb, TLB_SCOPE_ALL, g + 0x800, 7), 2);
	CHECK_EQ(look(tlb, D, g, 1), TLB_MISS);
	/* Refill u/1 and g; TLBIASID 2 removes u/2 only (2), never globals. */
	CHECK_EQ(access_page(tlb, D, u, 1, true), TLB_MISS);
	CHECK_EQ(access_page(tlb, D, g, 1, false), TLB_MISS);
	CHECK_EQ(tlb_invalidate_asid(tlb, TLB_SCOPE_ALL, 2), 2);
	CHECK_EQ(tlb_invalidate_asid(tlb, TLB_SCOPE_ALL, 2), 0);
	CHECK_EQ(look(tlb, D, g, 2), TLB_HIT_MICRO);
	/* TLBIMVAA u: u/1 whatever the ASID = 2. */
	CHECK_EQ(tlb_invalidate_mva_all_asid(tlb, TLB_SCOPE_ALL, u), 2);
	CHECK_EQ(look(tlb, D, u, 1), TLB_MISS);
	/* TLBIALL: g in L2 and L1 D = 2. */
	CHECK_EQ(tlb_invalidate_all(tlb, TLB_SCOPE_ALL), 2);
	CHECK_EQ(count_entries(tlb), 0);
	CHECK_EQ(tlb_stats(tlb)->invalidated, 2 + 2 + 2 + 2 + 2);
	CHECK_EQ(tlb_stats(tlb)->micro_flushed, 0);
	tlb_destroy(tlb);
}

/* ---- ARM1176 ---------------------------------------------------------------- */

static void test_arm1176(void)
{
	struct tlb *tlb = tlb_create(ARM11, 7);
	/* Ten pages fill the ten MicroTLB slots: no eviction while a slot is
	 * free, whatever the random policy would pick. */
	for (unsigned k = 0; k < 10; k++)
		CHECK_EQ(access_page(tlb, D, 0xc0000000u + k * 0x1000u, 0, false), TLB_MISS);
	for (unsigned k = 0; k < 10; k++)
		CHECK_EQ(look(tlb, D, 0xc0000000u + k * 0x1000u, 0), TLB_HIT_MICRO);
	/* The 11th evicts exactly one of them: the main TLB (sets 0..10) keeps
	 * 11, the MicroTLB 10; one of P0..P9 is left with a single copy. */
	CHECK_EQ(access_page(tlb, D, 0xc000a000u, 0, false), TLB_MISS);
	CHECK_EQ(count_entries(tlb), 21);
	unsigned single = 0;
	for (unsigned k = 0; k < 10; k++)
		single += copies_of(tlb, 0xc0000000u + k * 0x1000u) == 1;
	CHECK_EQ(single, 1);
	CHECK_EQ(copies_of(tlb, 0xc000a000u), 2);
	tlb_destroy(tlb);

	/* Main TLB: 32 sets, so a, a + 128K, a + 256K share set 0; round robin. */
	tlb = tlb_create(ARM11, 7);
	const uint32_t a = 0xc0000000u, b = a + 0x20000u, c = a + 0x40000u;
	CHECK_EQ(access_page(tlb, D, a, 0, false), TLB_MISS);
	CHECK_EQ(access_page(tlb, D, b, 0, false), TLB_MISS);
	CHECK_EQ(access_page(tlb, D, c, 0, false), TLB_MISS);
	CHECK_EQ(look(tlb, I, a, 0), TLB_MISS);
	CHECK_EQ(look(tlb, I, b, 0), TLB_HIT_MAIN);
	CHECK_EQ(look(tlb, I, c, 0), TLB_HIT_MAIN);
	/* Maintenance flushes both MicroTLBs (assumption, see core.c): TLBIMVA b
	 * scope D = main b 1 + micro D 3 + micro I 2 = 6. */
	CHECK_EQ(tlb_invalidate_mva(tlb, TLB_SCOPE_D, b, 0), 6);
	CHECK_EQ(look(tlb, I, c, 0), TLB_HIT_MAIN);
	CHECK_EQ(tlb_reg_write(tlb, CORE_REG_CONTEXTIDR), 0); /* ASID-tagged MicroTLB */
	tlb_destroy(tlb);
}

/* ---- random replacement ----------------------------------------------------- */

/* Fills 40 pages into the D side, then looks all of them up twice; records
 * the hit levels. */
static void random_run(const struct core_profile *core, uint64_t seed, enum tlb_hit *out,
		       struct tlb_stats *st)
{
	struct tlb *tlb = tlb_create(core, seed);
	unsigned n = 0;
	for (unsigned k = 0; k < 40; k++)
		out[n++] = access_page(tlb, D, 0xc0000000u + k * 0x1000u, 0, false);
	for (unsigned r = 0; r < 2; r++)
		for (unsigned k = 0; k < 40; k++)
			out[n++] = look(tlb, D, 0xc0000000u + ((k * 7) % 40) * 0x1000u, 0);
	*st = *tlb_stats(tlb);
	tlb_destroy(tlb);
}

static void test_random(void)
{
	enum tlb_hit r1[120], r2[120], r3[120];
	struct tlb_stats s1, s2, s3;
	random_run(ARM11, 12345, r1, &s1);
	random_run(ARM11, 12345, r2, &s2);
	random_run(ARM11, 54321, r3, &s3);
	CHECK(memcmp(r1, r2, sizeof(r1)) == 0);
	CHECK_EQ(s1.micro_hits, s2.micro_hits);
	CHECK_EQ(s1.main_hits, s2.main_hits);
	/* Whatever the seed: 40 misses (main TLB sets 0..31 then 0..7 again:
	 * 2-way, so 40 distinct pages all fit), then 80 hits of some level. */
	CHECK_EQ(s1.misses, 40);
	CHECK_EQ(s3.misses, 40);
	CHECK_EQ(s1.micro_hits + s1.main_hits, 80);
	CHECK_EQ(s3.micro_hits + s3.main_hits, 80);
	CHECK(memcmp(r1, r3, sizeof(r1)) != 0); /* the seed matters */

	/* A fully associative random main TLB of 4 entries: 5 fills evict
	 * exactly one, the same one for the same seed. */
	struct core_profile p = *A15;
	p.utlb_i.entries = 0;
	p.utlb_d.entries = 0;
	p.main.entries = 4;
	p.main.ways = 4;
	p.main.replacement = TLB_REPL_RANDOM;
	int victim[2] = { -1, -1 };
	for (unsigned run = 0; run < 2; run++) {
		struct tlb *tlb = tlb_create(&p, 99);
		CHECK(tlb != NULL);
		for (unsigned k = 0; k < 5; k++)
			CHECK_EQ(access_page(tlb, D, 0x1000u * (k + 1), 0, false), TLB_MISS);
		CHECK_EQ(count_entries(tlb), 4);
		unsigned missing = 0;
		for (unsigned k = 0; k < 4; k++)
			if (copies_of(tlb, 0x1000u * (k + 1)) == 0) {
				missing++;
				victim[run] = (int)k;
			}
		CHECK_EQ(missing, 1);
		CHECK_EQ(copies_of(tlb, 0x5000u), 1);
		/* With no micro TLB, a hit is a main hit. */
		CHECK_EQ(look(tlb, I, 0x5000u, 0), TLB_HIT_MAIN);
		tlb_destroy(tlb);
	}
	CHECK(victim[0] >= 0 && victim[0] == victim[1]);
}

/* ---- costs ------------------------------------------------------------------ */

static void test_costs(void)
{
	for (unsigned i = 0; core_profiles[i]; i++) {
		const struct core_costs *c = &core_profiles[i]->cost;
		CHECK_EQ(tlb_hit_cycles(c, TLB_HIT_MICRO, 0), 0);
		CHECK_EQ(tlb_hit_cycles(c, TLB_HIT_MAIN, 0), c->micro_miss);
		CHECK_EQ(tlb_hit_cycles(c, TLB_MISS, 2), c->micro_miss + c->walk_start + 2 * c->desc_read);
		CHECK(c->micro_miss > 0 && c->desc_read > 0 && c->tlbi_mva > 0 && c->tlbi_all > 0);
		CHECK(c->isb > 0 && c->dsb > 0 && c->hypercall > 0);
	}
	/* Published figures (core.c): A9 +7 per L1 TLB miss and +7 per small-page
	 * walk (7-cpu); A15 +12 per L1 TLB miss, a section walk +30 (7-cpu). */
	CHECK_EQ(tlb_hit_cycles(&A9->cost, TLB_HIT_MAIN, 0), 7);
	CHECK_EQ(tlb_hit_cycles(&A9->cost, TLB_MISS, 2), 7 + 7);
	CHECK_EQ(tlb_hit_cycles(&A15->cost, TLB_HIT_MAIN, 0), 12);
	CHECK_EQ(tlb_hit_cycles(&A15->cost, TLB_MISS, 1), 12 + 30);
}

/* ---- the change counter (tlb_set_change_counter) ------------------------- */

/* What tlb_peek_mru() answers for the I side at each of n pages. */
static void peek_all(struct tlb *tlb, const uint32_t *va, unsigned n, const struct mmu_translation **out)
{
	for (unsigned k = 0; k < n; k++)
		out[k] = tlb_peek_mru(tlb, I, va[k], 0);
}

/* The counter's promise: an emulator may keep an answer of tlb_peek_mru()
 * while the counter stays the same.  So after any operation that changes
 * an answer (which entry, or none) the counter must have moved.  Driven
 * by a fixed pseudo-random mix of I and D look-ups and fills over 24
 * pages (more than the 10-entry micro TLBs of the A7 and ARM1176 hold)
 * and invalidates; the answers themselves are read back, not predicted. */
static void change_counter_mix(const struct core_profile *core)
{
	struct tlb *tlb = tlb_create(core, 7);
	uint64_t ctr = 0;
	tlb_set_change_counter(tlb, I, &ctr);
	uint32_t P[24];
	for (unsigned k = 0; k < 24; k++)
		P[k] = 0xc0000000u + k * 0x1000u;
	const struct mmu_translation *before[24], *after[24];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned moved = 0, stayed_wrongly = 0;
	for (unsigned step = 0; step < 4000; step++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint32_t va = P[x % 24] + (uint32_t)(x >> 40 & 0xfffu);
		peek_all(tlb, P, 24, before);
		uint64_t c = ctr;
		switch (x >> 32 & 7u) {
		case 0: case 1: case 2: access_page(tlb, I, va, 0, false); break;
		case 3: case 4: access_page(tlb, D, va, 0, false); break;
		case 5: tlb_invalidate_mva(tlb, TLB_SCOPE_ALL, va, 0); break;
		case 6: if ((x >> 48 & 15u) == 0) tlb_invalidate_all(tlb, TLB_SCOPE_ALL); break;
		default: tlb_count_mru_hits(tlb, 3); break;
		}
		peek_all(tlb, P, 24, after);
		bool changed = memcmp(before, after, sizeof(before)) != 0;
		moved += changed;
		stayed_wrongly += changed && ctr == c;
	}
	CHECK(moved > 100); /* the mix does change the answers */
	CHECK_EQ(stayed_wrongly, 0);
	tlb_destroy(tlb);
}

/* Hits and the D side leave the I side's counter alone (else an emulator
 * remembering I-side answers would forget them on every data access); an
 * invalidate of a page the I side answers for moves it; NULL detaches it. */
static void test_change_counter(void)
{
	change_counter_mix(A7);
	change_counter_mix(A9);
	change_counter_mix(ARM11);

	struct tlb *tlb = tlb_create(A7, 1);
	uint64_t ctr = 0;
	tlb_set_change_counter(tlb, I, &ctr);
	CHECK_EQ(access_page(tlb, I, 0xc0001000u, 0, false), TLB_MISS);
	CHECK_EQ(look(tlb, I, 0xc0001000u, 0), TLB_HIT_MICRO);
	CHECK(tlb_peek_mru(tlb, I, 0xc0001000u, 0) != NULL);
	uint64_t c = ctr;
	CHECK(c != 0);
	tlb_count_mru_hits(tlb, 5);
	CHECK_EQ(look(tlb, I, 0xc0001000u, 0), TLB_HIT_MICRO);
	CHECK_EQ(access_page(tlb, D, 0xc0009000u, 0, false), TLB_MISS);
	CHECK_EQ(look(tlb, D, 0xc0009000u, 0), TLB_HIT_MICRO);
	CHECK_EQ(ctr, c);
	tlb_invalidate_mva(tlb, TLB_SCOPE_ALL, 0xc0001000u, 0);
	CHECK(tlb_peek_mru(tlb, I, 0xc0001000u, 0) == NULL);
	CHECK(ctr != c);
	c = ctr;
	tlb_set_change_counter(tlb, I, NULL);
	CHECK_EQ(access_page(tlb, I, 0xc0001000u, 0, false), TLB_MISS); /* TLBIMVA: every level */
	CHECK_EQ(ctr, c);
	tlb_destroy(tlb);
}

int main(void)
{
	A7 = core_profile_find("cortex-a7");
	A9 = core_profile_find("cortex-a9");
	A15 = core_profile_find("cortex-a15");
	ARM11 = core_profile_find("arm1176");

	test_profiles();
	if (!A7 || !A9 || !A15 || !ARM11)
		return check_done();
	test_a7_micro();
	test_a7_main_conflict();
	test_a7_page_sizes();
	test_a7_asid();
	test_a7_scope();
	test_a9();
	test_a15_l2_lru();
	test_a15_l1_lru();
	test_a15_pieces();
	test_a15_scope_and_asid();
	test_arm1176();
	test_random();
	test_costs();
	test_change_counter();
	return check_done();
}
