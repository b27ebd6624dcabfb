/* SPDX-License-Identifier: MIT */
/* Unit tests of the per-block instruction cost model (emu/insn_cost.c).
 *
 * The blocks are hand-assembled (encodings from the ARM ARM, checked once
 * with arm-none-eabi-as + objdump) and every expected cycle count is summed
 * by hand from the tables in emu/insn_cost.c / docs/instruction-costs.md:
 *
 *              alu  sreg mul  mull  muls+ div  ld st  lsm(words/2) br  bri  vfp dsb mcr mrc
 *   arm1176     1    2    2    3     3    1   1  1    ceil(w/2)    1   4    1   8   1   1
 *   cortex-a7   1    1    1    1     0    5   1  1    ceil(w/2)    1   1    1  10   1   1
 *   cortex-a9   1    1    2    3     0    1   1  1    ceil(w/2)    1   1    1  10   8   1
 *   cortex-a15  1    2    1    2     0   10   1  1    ceil(w/2)    1   1    1  20  15   1
 *
 * (sreg: operand shifted by a register; muls+: added for a flag-setting
 * multiply; br/bri: direct/indirect branch; a PC-writing instruction costs
 * max(its class, bri).) */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <capstone/capstone.h>

#include "check.h"
#include "core.h"
#include "insn_cost.h"

static csh h_arm, h_thumb;

static void put32s(uint8_t *buf, const uint32_t *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		buf[4 * i + 0] = (uint8_t)w[i];
		buf[4 * i + 1] = (uint8_t)(w[i] >> 8);
		buf[4 * i + 2] = (uint8_t)(w[i] >> 16);
		buf[4 * i + 3] = (uint8_t)(w[i] >> 24);
	}
}

static void put16s(uint8_t *buf, const uint16_t *h, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		buf[2 * i + 0] = (uint8_t)h[i];
		buf[2 * i + 1] = (uint8_t)(h[i] >> 8);
	}
}

/* An ARM function body ending in a return. */
static const uint32_t arm_block[] = {
	0xe92d4010, /* push {r4, lr}            lsm, 2 words */
	0xe0010392, /* mul r1, r2, r3           mul */
	0xe0811312, /* add r1, r1, r2, lsl r3   alu, register-shifted */
	0xe5910004, /* ldr r0, [r1, #4]         load */
	0xe5810008, /* str r0, [r1, #8]         store */
	0xe0832190, /* umull r2, r3, r0, r1     mul_long */
	0xe0100291, /* muls r0, r1, r2          mul + mul_setflags */
	0xe89000fe, /* ldm r0, {r1-r7}          lsm, 7 words */
	0xf57ff04f, /* dsb sy                   dsb */
	0xee080f37, /* mcr p15,0,r0,c8,c7,1     mcr (TLBIMVA's issue) */
	0xee100f10, /* mrc p15,0,r0,c0,c0,0     mrc (MIDR) */
	0xe12fff1e, /* bx lr                    branch_indirect */
};

/* A VFP block ending in a direct branch. */
static const uint32_t vfp_block[] = {
	0xed2d8b04, /* vpush {d8-d9}            lsm, 4 words */
	0xed900b00, /* vldr d0, [r0]            load */
	0xee300a81, /* vadd.f32 s0, s1, s2      vfp */
	0xec830b04, /* vstmia r3, {d0-d1}       lsm, 4 words */
	0xeafffffa, /* b <start>                branch */
};

/* A Thumb-2 block ending in a POP of the PC. */
static const uint16_t thumb_block[] = {
	0xb510,         /* push {r4, lr}         lsm, 2 words */
	0x4348,         /* muls r0, r1, r0       mul + mul_setflags (16-bit: sets flags) */
	0xfb91, 0xf0f2, /* sdiv r0, r1, r2       div */
	0xfa11, 0xf002, /* lsls.w r0, r1, r2     alu, register-shifted */
	0x0088,         /* lsls r0, r1, #2       alu */
	0xf3bf, 0x8f4f, /* dsb sy                dsb */
	0xee08, 0x0f37, /* mcr p15,0,r0,c8,c7,1  mcr */
	0xbf0c,         /* ite eq                alu */
	0x4600,         /* moveq r0, r0          alu */
	0x4608,         /* movne r0, r1          alu */
	0xbdf0,         /* pop {r4-r7, pc}       lsm, 5 words, writes the PC */
};

struct expect {
	const char *core;
	uint32_t arm, vfp, thumb;
};

/* Hand sums, term by term in the order of the blocks above. */
static const struct expect expects[] = {
	{ "arm1176",
	  /* 1 + 2 + 2 + 1 + 1 + 3 + (2+3) + 4 + 8 + 1 + 1 + 4 */
	  33,
	  /* 2 + 1 + 1 + 2 + 1 */
	  7,
	  /* 1 + (2+3) + 1 + 2 + 1 + 8 + 1 + 1 + 1 + 1 + max(3, 4) */
	  26 },
	{ "cortex-a7",
	  /* 1 + 1 + 1 + 1 + 1 + 1 + (1+0) + 4 + 10 + 1 + 1 + 1 */
	  24,
	  7,
	  /* 1 + (1+0) + 5 + 1 + 1 + 10 + 1 + 1 + 1 + 1 + max(3, 1) */
	  26 },
	{ "cortex-a9",
	  /* 1 + 2 + 1 + 1 + 1 + 3 + (2+0) + 4 + 10 + 8 + 1 + 1 */
	  35,
	  7,
	  /* 1 + (2+0) + 1 + 1 + 1 + 10 + 8 + 1 + 1 + 1 + max(3, 1) */
	  30 },
	{ "cortex-a15",
	  /* 1 + 1 + 2 + 1 + 1 + 2 + (1+0) + 4 + 20 + 15 + 1 + 1 */
	  50,
	  7,
	  /* 1 + (1+0) + 10 + 2 + 1 + 20 + 15 + 1 + 1 + 1 + max(3, 1) */
	  56 },
};

static void test_blocks(void)
{
	uint8_t arm[sizeof(arm_block)], vfp[sizeof(vfp_block)], thumb[sizeof(thumb_block)];
	put32s(arm, arm_block, sizeof(arm_block) / 4);
	put32s(vfp, vfp_block, sizeof(vfp_block) / 4);
	put16s(thumb, thumb_block, sizeof(thumb_block) / 2);

	for (unsigned i = 0; i < sizeof(expects) / sizeof(expects[0]); i++) {
		const struct insn_costs *c = insn_costs_find(expects[i].core);
		CHECK(c != NULL);
		if (!c)
			continue;
		struct block_cost_cache cache;
		memset(&cache, 0, sizeof(cache));
		struct block_cost bc;

		CHECK_EQ(block_cost(&cache, h_arm, h_thumb, arm, 0x80008000u, sizeof(arm), false, c, &bc), 0);
		CHECK_EQ(bc.insns, 12);
		CHECK_EQ(bc.undecoded, 0);
		if (!CHECK_EQ(bc.cycles, expects[i].arm))
			fprintf(stderr, "  core %s, ARM block\n", expects[i].core);

		CHECK_EQ(block_cost(&cache, h_arm, h_thumb, vfp, 0x80008030u, sizeof(vfp), false, c, &bc), 0);
		CHECK_EQ(bc.insns, 5);
		if (!CHECK_EQ(bc.cycles, expects[i].vfp))
			fprintf(stderr, "  core %s, VFP block\n", expects[i].core);

		/* Thumb, at a VA that is 2 mod 4. */
		CHECK_EQ(block_cost(&cache, h_arm, h_thumb, thumb, 0x80009002u, sizeof(thumb), true, c, &bc), 0);
		CHECK_EQ(bc.insns, 11);
		CHECK_EQ(bc.undecoded, 0);
		if (!CHECK_EQ(bc.cycles, expects[i].thumb))
			fprintf(stderr, "  core %s, Thumb block\n", expects[i].core);

		CHECK_EQ(cache.misses, 3);
		CHECK_EQ(cache.hits, 0);
		block_cost_cache_free(&cache);
	}
}

/* The Thumb block decoded right after an IT block that the previous decode
 * left open still costs the same: MULS stays flag-setting (arm1176: 5). */
static void test_it_state_reset(void)
{
	const struct insn_costs *c = insn_costs_find("arm1176");
	struct block_cost_cache cache;
	memset(&cache, 0, sizeof(cache));
	struct block_cost bc;
	/* A block that ends inside an IT block: itttt eq; nop. */
	static const uint16_t open_it[] = { 0xbf01, 0xbf00 };
	uint8_t b1[sizeof(open_it)];
	put16s(b1, open_it, 2);
	CHECK_EQ(block_cost(&cache, h_arm, h_thumb, b1, 0x1000, sizeof(b1), true, c, &bc), 0);
	CHECK_EQ(bc.insns, 2);
	static const uint16_t muls[] = { 0x4348 };
	uint8_t b2[2];
	put16s(b2, muls, 1);
	CHECK_EQ(block_cost(&cache, h_arm, h_thumb, b2, 0x2000, sizeof(b2), true, c, &bc), 0);
	CHECK_EQ(bc.cycles, 2 + 3);
	block_cost_cache_free(&cache);
}

static void test_undecodable(void)
{
	const struct insn_costs *c = insn_costs_find("cortex-a7");
	struct block_cost_cache cache;
	memset(&cache, 0, sizeof(cache));
	struct block_cost bc;
	/* 0xffffffff and 0xe6000010 do not decode in Capstone 4; the mul does. */
	static const uint32_t w[] = { 0xffffffff, 0xe0010392, 0xe6000010 };
	uint8_t b[sizeof(w)];
	put32s(b, w, 3);
	CHECK_EQ(block_cost(&cache, h_arm, h_thumb, b, 0x3000, sizeof(b), false, c, &bc), 0);
	CHECK_EQ(bc.insns, 3);
	CHECK_EQ(bc.undecoded, 2);
	CHECK_EQ(bc.cycles, 1 + 1 + 1);
	/* Thumb: 0xb600 is not a 16-bit encoding Capstone 4 knows. */
	static const uint16_t t[] = { 0xb600, 0x4348 };
	uint8_t tb[sizeof(t)];
	put16s(tb, t, 2);
	CHECK_EQ(block_cost(&cache, h_arm, h_thumb, tb, 0x3100, sizeof(tb), true, c, &bc), 0);
	CHECK_EQ(bc.insns, 2);
	CHECK_EQ(bc.undecoded, 1);
	CHECK_EQ(bc.cycles, 1 + 1);
	block_cost_cache_free(&cache);
}

static void test_cache(void)
{
	const struct insn_costs *a7 = insn_costs_find("cortex-a7");
	const struct insn_costs *a15 = insn_costs_find("cortex-a15");
	uint8_t arm[sizeof(arm_block)];
	put32s(arm, arm_block, sizeof(arm_block) / 4);
	struct block_cost_cache cache;
	memset(&cache, 0, sizeof(cache));
	struct block_cost bc;

	CHECK(!block_cost_lookup(&cache, 0x8000, sizeof(arm), false, &bc));
	CHECK_EQ(block_cost(&cache, h_arm, h_thumb, arm, 0x8000, sizeof(arm), false, a7, &bc), 0);
	CHECK_EQ(cache.misses, 1);
	/* A hit needs no code. */
	memset(&bc, 0, sizeof(bc));
	CHECK_EQ(block_cost(&cache, h_arm, h_thumb, NULL, 0x8000, sizeof(arm), false, a7, &bc), 0);
	CHECK_EQ(cache.hits, 1);
	CHECK_EQ(bc.cycles, 24);
	CHECK_EQ(bc.insns, 12);
	CHECK(block_cost_lookup(&cache, 0x8000, sizeof(arm), false, &bc));
	/* The key is (va, size, thumb). */
	CHECK(!block_cost_lookup(&cache, 0x8000, 8, false, &bc));
	CHECK(!block_cost_lookup(&cache, 0x8000, sizeof(arm), true, &bc));
	CHECK(!block_cost_lookup(&cache, 0x8004, sizeof(arm), false, &bc));
	/* A miss without code fails. */
	CHECK_EQ(block_cost(&cache, h_arm, h_thumb, NULL, 0x9000, 4, false, a7, &bc), -1);
	/* Another table clears the cache. */
	CHECK_EQ(block_cost(&cache, h_arm, h_thumb, arm, 0x8000, 8, false, a15, &bc), 0);
	CHECK_EQ(bc.cycles, 1 + 1); /* push, mul on cortex-a15 */
	CHECK(!block_cost_lookup(&cache, 0x8000, sizeof(arm), false, &bc));

	/* Many blocks: the table grows and keeps every entry. */
	for (uint32_t i = 0; i < 5000; i++)
		CHECK_EQ(block_cost(&cache, h_arm, h_thumb, arm, 0x100000 + 4 * i, 4 + 4 * (i % 3),
				    false, a15, &bc), 0);
	unsigned bad = 0;
	for (uint32_t i = 0; i < 5000; i++) {
		/* 1, 2 or 3 instructions: push (1), + mul (1), + add ... lsl r3 (2) */
		static const uint32_t want[3] = { 1, 2, 4 };
		if (!block_cost_lookup(&cache, 0x100000 + 4 * i, 4 + 4 * (i % 3), false, &bc) ||
		    bc.cycles != want[i % 3] || bc.insns != i % 3 + 1)
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(cache.n, 5001);
	block_cost_cache_clear(&cache);
	CHECK_EQ(cache.n, 0);
	CHECK(!block_cost_lookup(&cache, 0x100000, 4, false, &bc));
	block_cost_cache_free(&cache);
	CHECK(cache.slots == NULL && cache.cap == 0);
}

static void test_tables(void)
{
	CHECK(insn_costs_find("no-such-core") == NULL);
	unsigned n = 0;
	for (const struct insn_costs *const *t = insn_costs_tables; *t; t++, n++) {
		/* Every table belongs to a core profile of mm/core.c ... */
		const struct core_profile *p = core_profile_find((*t)->core);
		CHECK(p != NULL);
		CHECK(insn_costs_find((*t)->core) == *t);
		CHECK((*t)->lsm_words_per_cycle > 0);
		if (!p)
			continue;
		/* ... and its barrier costs are the profile's. */
		CHECK_EQ((*t)->dsb, p->cost.dsb);
		CHECK_EQ((*t)->isb, p->cost.isb);
		struct insn_costs w;
		insn_costs_with_core(&w, *t, &p->cost);
		CHECK_EQ(w.dsb, p->cost.dsb);
		CHECK_EQ(w.isb, p->cost.isb);
		CHECK_EQ(w.mul, (*t)->mul);
	}
	CHECK_EQ(n, 4);
	/* And every core profile has a table. */
	for (const struct core_profile *const *p = core_profiles; *p; p++)
		CHECK(insn_costs_find((*p)->name) != NULL);

	/* insn_costs_with_core takes the barriers from the profile. */
	struct core_costs cc;
	memset(&cc, 0, sizeof(cc));
	cc.dsb = 123;
	cc.isb = 45;
	struct insn_costs w;
	insn_costs_with_core(&w, insn_costs_find("cortex-a9"), &cc);
	CHECK_EQ(w.dsb, 123);
	CHECK_EQ(w.isb, 45);
	CHECK_EQ(w.dmb, insn_costs_find("cortex-a9")->dmb);
	insn_costs_with_core(&w, insn_costs_find("cortex-a9"), NULL);
	CHECK_EQ(w.dsb, insn_costs_find("cortex-a9")->dsb);
}

int main(void)
{
	if (cs_open(CS_ARCH_ARM, CS_MODE_ARM, &h_arm) != CS_ERR_OK ||
	    cs_open(CS_ARCH_ARM, CS_MODE_THUMB, &h_thumb) != CS_ERR_OK) {
		fprintf(stderr, "cs_open failed\n");
		return 1;
	}
	test_blocks();
	test_it_state_reset();
	test_undecodable();
	test_cache();
	test_tables();
	cs_close(&h_arm);
	cs_close(&h_thumb);
	return check_done();
}
