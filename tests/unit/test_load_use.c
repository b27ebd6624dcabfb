/* SPDX-License-Identifier: MIT */
/* Load-to-use interlocks (emu/load_use.c), on hand-assembled ARM blocks
 * with hand-set issue costs; every expected stall is worked out here:
 * stall = latency - (issue cycles from the load up to its first reader).
 *
 *   e5910000 ldr r0, [r1]      e2802001 add r2, r0, #1
 *   e3a00001 mov r0, #1        e0050796 mul r5, r6, r7
 *   e2500001 subs r0, r0, #1   e5944000 ldr r4, [r4]
 *   2afffffc bcs .-8 (the block's start, from offset 8)
 *   2a000010 bcs elsewhere */
#include <stdint.h>
#include <string.h>

#include <capstone/capstone.h>

#include "check.h"
#include "load_use.h"

#define VA 0x8000u

static csh h;

/* Decodes `n` words at VA, each charged costs[i]; returns the stalls. */
static unsigned stalls(const uint32_t *w, const unsigned *costs, unsigned n, unsigned latency)
{
	static struct load_use_block b;
	uint8_t code[64];
	memcpy(code, w, 4 * n); /* little-endian host and guest */
	load_use_begin(&b, VA);
	cs_insn *insn = cs_malloc(h);
	const uint8_t *p = code;
	size_t left = 4 * n;
	uint64_t addr = VA;
	for (unsigned i = 0; i < n; i++) {
		CHECK(cs_disasm_iter(h, &p, &left, &addr, insn));
		load_use_note(&b, h, insn, costs[i]);
	}
	cs_free(insn, 1);
	return load_use_stalls(&b, latency);
}

int main(void)
{
	if (cs_open(CS_ARCH_ARM, CS_MODE_ARM, &h) != CS_ERR_OK)
		return 1;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	const unsigned one[] = { 1, 1, 1 };

	/* The pointer chase: subs, ldr r4,[r4], bcs back to subs.  The next
	 * run's ldr reads r4 after ldr + bcs + subs = 3 cycles: 4 - 3 = 1. */
	const uint32_t chase[] = { 0xe2500001, 0xe5944000, 0x2afffffc };
	CHECK_EQ(stalls(chase, one, 3, 4), 1);
	CHECK_EQ(stalls(chase, one, 3, 3), 0);  /* latency 3: no wait */
	CHECK_EQ(stalls(chase, one, 3, 0), 0);  /* not modelled */
	/* The same, branching elsewhere: the reader is in another block. */
	const uint32_t away[] = { 0xe2500001, 0xe5944000, 0x2a000010 };
	CHECK_EQ(stalls(away, one, 3, 4), 0);

	/* ldr r0 then add reading r0 at once: 4 - 1 = 3. */
	const uint32_t use[] = { 0xe5910000, 0xe2802001 };
	CHECK_EQ(stalls(use, one, 2, 4), 3);
	/* A 2-cycle mul between: 4 - (1 + 2) = 1. */
	const uint32_t mul[] = { 0xe5910000, 0xe0050796, 0xe2802001 };
	const unsigned mulc[] = { 1, 2, 1 };
	CHECK_EQ(stalls(mul, mulc, 3, 4), 1);
	/* r0 overwritten by mov before add reads it: nothing waits. */
	const uint32_t dead[] = { 0xe5910000, 0xe3a00001, 0xe2802001 };
	CHECK_EQ(stalls(dead, one, 3, 4), 0);

	cs_close(&h);
	return check_done();
}
