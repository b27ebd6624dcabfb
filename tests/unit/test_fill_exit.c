/* SPDX-License-Identifier: MIT */
/* --model fill's per-block description (fill_model_describe) and how the
 * next block's address settles the last block's conditional accesses
 * (fill_exit_settled), emu/fill_model.h.
 *
 * Every block is at 0x1000, 0x20 bytes: its fall-through is 0x1020.  An
 * access "at exit" is one no flag setter follows in its block, so the
 * flags at the block's exit decide it (emu/insn_mem.h).  When the block
 * ends in a conditional branch on condition X, the branch was taken iff
 * the next block is not the fall-through (a direct branch: iff it is the
 * target), i.e. iff X held at the exit; an access on X then passed iff
 * taken, one on the opposite condition (X with bit 0 flipped, ARM ARM
 * A8.3 "Conditional execution") iff not taken.  The expected counts to
 * take back below follow from that rule by hand. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "fill_model.h"

enum { EQ, NE, CS, CC, MI, PL, VS, VC, HI, LS, GE, LT, GT, LE };

#define VA 0x1000u
#define END 0x1020u
#define TARGET 0x2000u
#define ELSEWHERE 0x3000u

struct item {
	unsigned cond, mem;
	bool at_exit;
};

/* The block's entry as cpu_model_block_miss() makes it: `insns`
 * instructions, `mem` data accesses, these conditional ones, and an exit
 * on `exit_cond` (INSN_MEM_NO_EXIT: none), direct to `target` or not. */
static struct block_front block(uint32_t va, uint32_t size, uint32_t insns, uint32_t mem,
				const struct item *items, unsigned n, unsigned exit_cond, bool direct,
				uint32_t target)
{
	struct insn_mem_conds c;
	memset(&c, 0, sizeof(c));
	for (unsigned i = 0; i < n; i++) {
		c.cond[i] = (uint8_t)(items[i].cond | (items[i].at_exit ? INSN_MEM_AT_EXIT : 0));
		c.mem[i] = (uint8_t)items[i].mem;
	}
	c.n = (uint8_t)n;
	c.exit_cond = (uint8_t)exit_cond;
	c.exit_direct = direct;
	c.exit_target = target;
	struct block_front f;
	memset(&f, 0xa5, sizeof(f)); /* describe must set every field it uses */
	f.va = va;
	f.size = size;
	f.insns = insns;
	f.cycles = insns;
	fill_model_describe(&f, &c, mem);
	return f;
}

/* -1: the address does not settle them (CPSR must), else the count to
 * take back. */
static int settle(const struct block_front *f, uint32_t next)
{
	uint32_t back = 0xdead;
	return fill_exit_settled(f, next, &back) ? (int)back : -1;
}

/* strlt r0, [r1]; blt TARGET */
static void test_same_condition(void)
{
	const struct item it[] = { { LT, 1, true } };
	struct block_front f = block(VA, 0x20, 8, 3, it, 1, LT, true, TARGET);
	CHECK_EQ(f.fill_hits, 8 + 3);
	CHECK_EQ(f.fill_epoch, 0);
	CHECK_EQ(settle(&f, TARGET), 0); /* taken: LT held, the store ran */
	CHECK_EQ(settle(&f, END), 1);    /* not taken: it did not */
	CHECK_EQ(settle(&f, ELSEWHERE), -1);
}

/* strge r0, [r1] (2 accesses: strd); ldrlt r2, [r3]; blt TARGET */
static void test_both_conditions(void)
{
	const struct item it[] = { { GE, 2, true }, { LT, 1, true } };
	struct block_front f = block(VA, 0x20, 8, 5, it, 2, LT, true, TARGET);
	CHECK_EQ(settle(&f, TARGET), 2);
	CHECK_EQ(settle(&f, END), 1);
	CHECK_EQ(settle(&f, ELSEWHERE), -1);
}

/* strne r0, [r1]; cmp ...; beq TARGET: the store is decided at entry (a
 * flag setter follows it), so the block never takes the fast path; its
 * exit has nothing to settle. */
static void test_entry_condition(void)
{
	const struct item it[] = { { NE, 1, false } };
	struct block_front f = block(VA, 0x20, 8, 1, it, 1, EQ, true, TARGET);
	CHECK_EQ(f.fill_hits, 0);
	CHECK_EQ(settle(&f, TARGET), 0);
	CHECK_EQ(settle(&f, END), 0);
	CHECK_EQ(settle(&f, ELSEWHERE), 0);
}

/* strle r0, [r1]; pople {r4, pc}: an indirect exit.  Any block but the
 * fall-through means taken; the fall-through may be the popped address. */
static void test_indirect(void)
{
	const struct item it[] = { { LE, 1, true }, { LE, 2, true } };
	struct block_front f = block(VA, 0x20, 8, 3, it, 2, LE, false, 0);
	CHECK_EQ(settle(&f, ELSEWHERE), 0);
	CHECK_EQ(settle(&f, TARGET), 0);
	CHECK_EQ(settle(&f, END), -1);
}

/* strlt r0, [r1]; beq TARGET: LT is neither EQ nor NE. */
static void test_unrelated(void)
{
	const struct item it[] = { { LT, 1, true } };
	struct block_front f = block(VA, 0x20, 8, 1, it, 1, EQ, true, TARGET);
	CHECK(f.exit_flags & FILL_EXIT_BY_LIST);
	CHECK_EQ(settle(&f, TARGET), -1);
	CHECK_EQ(settle(&f, END), -1);
	CHECK_EQ(settle(&f, ELSEWHERE), -1);
}

/* strhi r0, [r1]; mov r0, r0 (no conditional exit) */
static void test_no_exit(void)
{
	const struct item it[] = { { HI, 1, true } };
	struct block_front f = block(VA, 0x20, 8, 1, it, 1, INSN_MEM_NO_EXIT, false, 0);
	CHECK_EQ(settle(&f, END), -1);
	CHECK_EQ(settle(&f, ELSEWHERE), -1);
}

/* strcs r0, [r1]; bcs END (a branch to its own fall-through: the next
 * block's address says nothing) */
static void test_branch_to_fall_through(void)
{
	const struct item it[] = { { CS, 1, true } };
	struct block_front f = block(VA, 0x20, 8, 1, it, 1, CS, true, END);
	CHECK_EQ(settle(&f, END), -1);
	CHECK_EQ(settle(&f, ELSEWHERE), -1);
}

/* Nothing conditional: every address settles, nothing to take back; the
 * same for the zeroed entry a CPU starts with (cpu_model_hot.none). */
static void test_nothing(void)
{
	struct block_front f = block(VA, 0x20, 8, 4, NULL, 0, NE, true, TARGET);
	CHECK_EQ(f.fill_hits, 12);
	CHECK_EQ(settle(&f, TARGET), 0);
	CHECK_EQ(settle(&f, END), 0);
	CHECK_EQ(settle(&f, ELSEWHERE), 0);
	struct block_front none;
	memset(&none, 0, sizeof(none));
	CHECK_EQ(settle(&none, 0), 0);
	CHECK_EQ(settle(&none, VA), 0);
}

/* The fast path counts only blocks within one page that run something. */
static void test_fill_hits(void)
{
	struct block_front f = block(0x1ff0, 0x20, 8, 1, NULL, 0, INSN_MEM_NO_EXIT, false, 0);
	CHECK_EQ(f.fill_hits, 0);
	f = block(0x1fe0, 0x20, 8, 1, NULL, 0, INSN_MEM_NO_EXIT, false, 0);
	CHECK_EQ(f.fill_hits, 9);
	f = block(VA, 0x20, 0, 0, NULL, 0, INSN_MEM_NO_EXIT, false, 0);
	CHECK_EQ(f.fill_hits, 0);
}

int main(void)
{
	test_same_condition();
	test_both_conditions();
	test_entry_condition();
	test_indirect();
	test_unrelated();
	test_no_exit();
	test_branch_to_fall_through();
	test_nothing();
	test_fill_hits();
	return check_done();
}
