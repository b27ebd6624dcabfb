/* SPDX-License-Identifier: MIT */
/* Host unit test of the short-descriptor walker and the access check
 * (mm/mmu.c).  Every descriptor is a hand-assembled hex literal and every
 * expected value was worked out by hand from ARM ARM DDI 0406C B3.5 and
 * B3.7; the builders are tested on their own against hand-written hex.
 *
 * RAM starts at 0x80000000 so that an address computed relative to the
 * wrong base lands outside it.  Layout of the 256 KiB of RAM:
 *
 *   0x80004000  TT0     16 KiB L1 table for TTBR0 with N = 0
 *   0x80008000  TT1     16 KiB L1 table for TTBR1
 *   0x8000d000  TT0_N2   4 KiB L1 table for TTBR0 with N = 2 (bit 12 set,
 *                        so a base masked to [31:14] misses it)
 *   0x80010400  L2A      1 KiB L2 table (not 4 KiB aligned, on purpose)
 *   0x8003fc00  L2_LAST  the last 1 KiB of RAM
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mmu.h"

#define RAM_BASE 0x80000000u
#define RAM_SIZE 0x00040000u

#define TT0      0x80004000u
#define TT1      0x80008000u
#define TT0_N2   0x8000d000u
#define L2A      0x80010400u
#define L2_LAST  0x8003fc00u

/* Linux's v7 SCTLR value with and without M (bit 0). */
#define SCTLR_ON  0x10c5387du
#define SCTLR_OFF 0x10c5387cu

/* Walk-cacheability bits in TTBRn[6:0]: the walker must mask them off. */
#define TTBR0_ATTR 0x4bu
#define TTBR1_ATTR 0x59u

static struct phys_mem mem;

static void poke(uint32_t pa, uint32_t v)
{
	phys_write32(&mem, pa, v);
}

static struct mmu_regs regs_n(uint32_t ttbcr, uint32_t ttbr0)
{
	struct mmu_regs r = {
		.sctlr = SCTLR_ON,
		.ttbr0 = ttbr0 | TTBR0_ATTR,
		.ttbr1 = TT1 | TTBR1_ATTR,
		.ttbcr = ttbcr,
		.dacr = 0x55555555u,
	};
	return r;
}

static struct mmu_regs regs0(void)
{
	return regs_n(0, TT0);
}

/* Walks with `t` full of garbage first, so stale fields would show. */
static enum mmu_fault walk(const struct mmu_regs *r, uint32_t va, struct mmu_translation *t)
{
	memset(t, 0xa5, sizeof(*t));
	return mmu_walk(&mem, r, va, t);
}

/* ---- first level ------------------------------------------------------ */

static void test_l1_fault_and_reserved(void)
{
	struct mmu_regs r = regs0();
	struct mmu_translation t;

	/* VA 0x00000000: entry 0 at TT0, all zero. */
	CHECK_EQ(walk(&r, 0x00000000u, &t), MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.fault, MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.level, 1);
	CHECK_EQ(t.desc_reads, 1);
	CHECK_EQ(t.l1_pa, 0x80004000u);
	CHECK_EQ(t.l1_desc, 0);
	CHECK_EQ(t.l2_pa, 0);

	/* Type 0b00 with every other bit set is still a fault. */
	poke(0x8000400cu, 0xfffffffcu);
	CHECK_EQ(walk(&r, 0x00312345u, &t), MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.level, 1);
	CHECK_EQ(t.l1_pa, 0x8000400cu);
	CHECK_EQ(t.l1_desc, 0xfffffffcu);

	/* Type 0b11: reserved (no PXN modelled). */
	poke(0x80004010u, 0x9ab00c03u);
	CHECK_EQ(walk(&r, 0x00400000u, &t), MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.level, 1);
	CHECK_EQ(t.desc_reads, 1);
	CHECK_EQ(t.l1_desc, 0x9ab00c03u);
}

static void test_l1_section(void)
{
	struct mmu_regs r = regs0();
	struct mmu_translation t;

	/* VA 0x12345678: index 0x123, at 0x80004000 + 0x48c.
	 * 0x9ab21cbe = base 0x9ab | nG(17) | TEX=001(12) | AP=11(11:10)
	 *            | domain 5 (0xa0) | XN(4) | C B | 0b10. */
	poke(0x8000448cu, 0x9ab21cbeu);
	CHECK_EQ(walk(&r, 0x12345678u, &t), MMU_OK);
	CHECK_EQ(t.fault, MMU_OK);
	CHECK_EQ(t.level, 1);
	CHECK_EQ(t.desc_reads, 1);
	CHECK_EQ(t.va_base, 0x12300000u);
	CHECK_EQ(t.size, 0x00100000u);
	CHECK_EQ(t.pa_base, 0x9ab00000u);
	CHECK_EQ(mmu_pa(&t, 0x12345678u), 0x9ab45678u);
	CHECK_EQ(t.l1_pa, 0x8000448cu);
	CHECK_EQ(t.l1_desc, 0x9ab21cbeu);
	CHECK_EQ(t.l2_pa, 0);
	CHECK_EQ(t.l2_desc, 0);
	CHECK_EQ(t.domain, 5);
	CHECK_EQ(t.ap, 3);
	CHECK(t.xn);
	CHECK(t.ng);
	CHECK(!t.mmu_off);

	/* VA 0xffffffff: the last entry, 0x80007ffc.
	 * 0x400085e2 = base 0x400 | APX(15) | AP=01 | domain 15 | 0b10;
	 * global, executable. */
	poke(0x80007ffcu, 0x400085e2u);
	CHECK_EQ(walk(&r, 0xffffffffu, &t), MMU_OK);
	CHECK_EQ(t.l1_pa, 0x80007ffcu);
	CHECK_EQ(t.va_base, 0xfff00000u);
	CHECK_EQ(t.pa_base, 0x40000000u);
	CHECK_EQ(mmu_pa(&t, 0xffffffffu), 0x400fffffu);
	CHECK_EQ(t.domain, 15);
	CHECK_EQ(t.ap, 5);
	CHECK(!t.xn);
	CHECK(!t.ng);
}

static void test_l1_supersection(void)
{
	struct mmu_regs r = regs0();
	struct mmu_translation t;

	/* VA 0x23456789: index 0x234, at 0x800048d0.  Only that one of the
	 * 16 repeated entries is written: the walker must use it.
	 * 0xa506181e = base 0xa5 | bit18 | nG | TEX=001 | AP=10 | XN | C B | 0b10. */
	poke(0x800048d0u, 0xa506181eu);
	CHECK_EQ(walk(&r, 0x23456789u, &t), MMU_OK);
	CHECK_EQ(t.level, 1);
	CHECK_EQ(t.desc_reads, 1);
	CHECK_EQ(t.size, 0x01000000u);
	CHECK_EQ(t.va_base, 0x23000000u);
	CHECK_EQ(t.pa_base, 0xa5000000u);
	CHECK_EQ(mmu_pa(&t, 0x23456789u), 0xa5456789u);
	CHECK_EQ(t.l1_desc, 0xa506181eu);
	CHECK_EQ(t.domain, 0);
	CHECK_EQ(t.ap, 2);
	CHECK(t.xn);
	CHECK(t.ng);

	/* Extended base PA[35:32] (bit 20) set: above 4 GiB, refused. */
	poke(0x80004900u, 0xa516181eu);
	CHECK_EQ(walk(&r, 0x24000000u, &t), MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.level, 1);
	CHECK_EQ(t.l1_pa, 0x80004900u);

	/* Extended base PA[39:36] (bit 5, where a section has its domain). */
	poke(0x80004940u, 0xa506183eu);
	CHECK_EQ(walk(&r, 0x25000000u, &t), MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.level, 1);
}

/* ---- second level ----------------------------------------------------- */

/* VA 0x001xxxxx: L1 index 1 at 0x80004004 -> L2A, domain 3.
 * 0x80010669 = L2 base 0x80010400 | bit 9 (impl. defined) | domain 3
 *            | NS (bit 3) | 0b01: bits 9 and 3 must not leak into domain. */
static void setup_l2a(void)
{
	poke(0x80004004u, 0x80010669u);
}

static void test_l2_small(void)
{
	struct mmu_regs r = regs0();
	struct mmu_translation t;

	setup_l2a();
	/* VA 0x00105abc: L2 index 5 at 0x80010414.
	 * 0x87654a5f = base 0x87654 | nG(11) | APX(9) | TEX=001(6) | AP=01
	 *            | C B | 0b1x with XN (bit 0). */
	poke(0x80010414u, 0x87654a5fu);
	CHECK_EQ(walk(&r, 0x00105abcu, &t), MMU_OK);
	CHECK_EQ(t.level, 2);
	CHECK_EQ(t.desc_reads, 2);
	CHECK_EQ(t.va_base, 0x00105000u);
	CHECK_EQ(t.size, 0x1000u);
	CHECK_EQ(t.pa_base, 0x87654000u);
	CHECK_EQ(mmu_pa(&t, 0x00105abcu), 0x87654abcu);
	CHECK_EQ(t.l1_pa, 0x80004004u);
	CHECK_EQ(t.l1_desc, 0x80010669u);
	CHECK_EQ(t.l2_pa, 0x80010414u);
	CHECK_EQ(t.l2_desc, 0x87654a5fu);
	CHECK_EQ(t.domain, 3);
	CHECK_EQ(t.ap, 5);
	CHECK(t.xn);
	CHECK(t.ng);

	/* Type 0b10: small page without XN.  VA 0x00106fff: index 6.
	 * 0x1234e03e = base 0x1234e | AP=11 | C B | 0b10. */
	poke(0x80010418u, 0x1234e03eu);
	CHECK_EQ(walk(&r, 0x00106fffu, &t), MMU_OK);
	CHECK_EQ(t.l2_pa, 0x80010418u);
	CHECK_EQ(t.size, 0x1000u);
	CHECK_EQ(mmu_pa(&t, 0x00106fffu), 0x1234efffu);
	CHECK_EQ(t.ap, 3);
	CHECK(!t.xn);
	CHECK(!t.ng);
}

static void test_l2_large(void)
{
	struct mmu_regs r = regs0();
	struct mmu_translation t;

	setup_l2a();
	/* VA 0x0013abcd: L2 index 0x3a at 0x800104e8.
	 * 0x1234983d = base 0x1234 | XN(15) | TEX=001(12) | nG(11) | AP=11
	 *            | C B | 0b01.  Bits [15:12] are not address bits. */
	poke(0x800104e8u, 0x1234983du);
	CHECK_EQ(walk(&r, 0x0013abcdu, &t), MMU_OK);
	CHECK_EQ(t.level, 2);
	CHECK_EQ(t.desc_reads, 2);
	CHECK_EQ(t.size, 0x10000u);
	CHECK_EQ(t.va_base, 0x00130000u);
	CHECK_EQ(t.pa_base, 0x12340000u);
	CHECK_EQ(mmu_pa(&t, 0x0013abcdu), 0x1234abcdu);
	CHECK_EQ(t.l2_pa, 0x800104e8u);
	CHECK_EQ(t.l2_desc, 0x1234983du);
	CHECK_EQ(t.domain, 3);
	CHECK_EQ(t.ap, 3);
	CHECK(t.xn);
	CHECK(t.ng);

	/* VA 0x00140000: index 0x40 at 0x80010500.  0x56780211 = base 0x5678
	 * | APX | AP=01 | 0b01: bit 0 is the type here, not XN. */
	poke(0x80010500u, 0x56780211u);
	CHECK_EQ(walk(&r, 0x00140000u, &t), MMU_OK);
	CHECK_EQ(t.size, 0x10000u);
	CHECK_EQ(t.pa_base, 0x56780000u);
	CHECK_EQ(t.ap, 5);
	CHECK(!t.xn);
	CHECK(!t.ng);
}

static void test_l2_fault(void)
{
	struct mmu_regs r = regs0();
	struct mmu_translation t;

	setup_l2a();
	/* VA 0x00107000: index 7 at 0x8001041c, zero. */
	CHECK_EQ(walk(&r, 0x00107000u, &t), MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.level, 2);
	CHECK_EQ(t.desc_reads, 2);
	CHECK_EQ(t.l1_pa, 0x80004004u);
	CHECK_EQ(t.l1_desc, 0x80010669u);
	CHECK_EQ(t.l2_pa, 0x8001041cu);
	CHECK_EQ(t.l2_desc, 0);
	CHECK_EQ(t.domain, 3);

	/* Type 0b00 with the other bits set. */
	poke(0x80010420u, 0xfffffffcu);
	CHECK_EQ(walk(&r, 0x00108000u, &t), MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.level, 2);
	CHECK_EQ(t.l2_desc, 0xfffffffcu);
}

/* ---- descriptors outside RAM ------------------------------------------ */

static void test_external(void)
{
	struct mmu_regs r;
	struct mmu_translation t;

	/* L1 table just below RAM. */
	r = regs_n(0, 0x7fffc000u);
	CHECK_EQ(walk(&r, 0x00000000u, &t), MMU_FAULT_EXTERNAL);
	CHECK_EQ(t.level, 1);
	CHECK_EQ(t.desc_reads, 1);
	CHECK_EQ(t.l1_pa, 0x7fffc000u);
	CHECK_EQ(t.l1_desc, 0);
	CHECK_EQ(walk(&r, 0xfff00000u, &t), MMU_FAULT_EXTERNAL);
	CHECK_EQ(t.l1_pa, 0x7ffffffcu);

	/* L1 table in the last 16 KiB: its last entry is the last word of
	 * RAM (zero: a translation fault, not an external abort). */
	r = regs_n(0, 0x8003c000u);
	CHECK_EQ(walk(&r, 0xfff00000u, &t), MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.l1_pa, 0x8003fffcu);

	/* L1 table just past the end of RAM. */
	r = regs_n(0, 0x80040000u);
	CHECK_EQ(walk(&r, 0x00000000u, &t), MMU_FAULT_EXTERNAL);
	CHECK_EQ(t.level, 1);

	r = regs0();
	/* VA 0x00203000: L1 index 2 -> page table at 0x90000000 (domain 0);
	 * L2 index 3 -> 0x9000000c, outside RAM. */
	poke(0x80004008u, 0x90000001u);
	CHECK_EQ(walk(&r, 0x00203000u, &t), MMU_FAULT_EXTERNAL);
	CHECK_EQ(t.level, 2);
	CHECK_EQ(t.desc_reads, 2);
	CHECK_EQ(t.l1_desc, 0x90000001u);
	CHECK_EQ(t.l2_pa, 0x9000000cu);
	CHECK_EQ(t.l2_desc, 0);

	/* L2 table in the last 1 KiB of RAM: entry 0xff is its last word. */
	poke(0x80004014u, 0x8003fc01u);
	poke(0x8003fffcu, 0x2000003eu);
	CHECK_EQ(walk(&r, 0x005ff123u, &t), MMU_OK);
	CHECK_EQ(t.l2_pa, 0x8003fffcu);
	CHECK_EQ(mmu_pa(&t, 0x005ff123u), 0x20000123u);

	/* L2 table just past the end of RAM. */
	poke(0x80004018u, 0x80040001u);
	CHECK_EQ(walk(&r, 0x00600000u, &t), MMU_FAULT_EXTERNAL);
	CHECK_EQ(t.level, 2);
	CHECK_EQ(t.l2_pa, 0x80040000u);
}

/* ---- TTBR0 / TTBR1 selection (B3.5.4) --------------------------------- */

static void test_ttbcr_n0(void)
{
	struct mmu_regs r = regs0();
	struct mmu_translation t;

	/* N == 0: every VA goes through TTBR0, TTBR1 is never read.
	 * TT0 is empty at these indexes, TT1 holds sections there. */
	poke(0x80009000u, 0xcaf00c22u);
	poke(0x8000b000u, 0x80000c02u);
	CHECK_EQ(walk(&r, 0x40012345u, &t), MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.l1_pa, 0x80005000u);
	CHECK_EQ(walk(&r, 0xc0000000u, &t), MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.l1_pa, 0x80007000u);

	/* With N == 0, TTBR0 bits [13:7] are reserved, not address bits. */
	r.ttbr0 |= 0x3f80u;
	CHECK_EQ(walk(&r, 0xc0000000u, &t), MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.l1_pa, 0x80007000u);
	r.ttbr0 &= ~0x3f80u;

	/* PD1 has no effect when everything uses TTBR0. */
	poke(0x8000448cu, 0x9ab21cbeu);
	r.ttbcr = 0x20;
	CHECK_EQ(walk(&r, 0x12345678u, &t), MMU_OK);
	/* PD0 disables the walk: level 1 translation fault, no read. */
	r.ttbcr = 0x10;
	CHECK_EQ(walk(&r, 0x12345678u, &t), MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.level, 1);
	CHECK_EQ(t.desc_reads, 0);
}

static void test_ttbcr_n2(void)
{
	struct mmu_regs r = regs_n(2, TT0_N2);
	struct mmu_translation t;

	/* N == 2: VA[31:30] == 0 -> TTBR0, base [31:12], 1024 entries. */
	poke(0x8000d000u, 0x11100c02u); /* VA 0x000xxxxx -> 0x111xxxxx */
	poke(0x8000dffcu, 0x45600442u); /* VA 0x3ffxxxxx -> 0x456xxxxx, AP=01, dom 2 */
	/* Otherwise TTBR1, base [31:14], indexed by VA[31:20]. */
	poke(0x80009000u, 0xcaf00c22u); /* VA 0x400xxxxx -> 0xcafxxxxx, dom 1 */
	poke(0x8000b000u, 0x80000c02u); /* VA 0xc00xxxxx -> 0x800xxxxx */

	CHECK_EQ(walk(&r, 0x00054321u, &t), MMU_OK);
	CHECK_EQ(t.l1_pa, 0x8000d000u);
	CHECK_EQ(mmu_pa(&t, 0x00054321u), 0x11154321u);

	CHECK_EQ(walk(&r, 0x3ff12345u, &t), MMU_OK);
	CHECK_EQ(t.l1_pa, 0x8000dffcu);
	CHECK_EQ(mmu_pa(&t, 0x3ff12345u), 0x45612345u);
	CHECK_EQ(t.domain, 2);
	CHECK_EQ(t.ap, 1);

	CHECK_EQ(walk(&r, 0x40012345u, &t), MMU_OK);
	CHECK_EQ(t.l1_pa, 0x80009000u);
	CHECK_EQ(mmu_pa(&t, 0x40012345u), 0xcaf12345u);
	CHECK_EQ(t.domain, 1);
	CHECK_EQ(t.ap, 3);

	CHECK_EQ(walk(&r, 0xc0000000u, &t), MMU_OK);
	CHECK_EQ(t.l1_pa, 0x8000b000u);
	CHECK_EQ(mmu_pa(&t, 0xc0000000u), 0x80000000u);

	/* TTBR1 bits [13:7] are reserved, not address bits, even though
	 * TTBR0's base now reaches down to bit 12 (QEMU ignores them too). */
	r.ttbr1 |= 0x3f80u;
	CHECK_EQ(walk(&r, 0x40012345u, &t), MMU_OK);
	CHECK_EQ(t.l1_pa, 0x80009000u);
	r.ttbr1 &= ~0x3f80u;

	/* PD0: only the TTBR0 half faults, without reading. */
	r.ttbcr = 2 | 0x10;
	CHECK_EQ(walk(&r, 0x3ff12345u, &t), MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.level, 1);
	CHECK_EQ(t.desc_reads, 0);
	CHECK_EQ(walk(&r, 0x40012345u, &t), MMU_OK);
	/* PD1: only the TTBR1 half. */
	r.ttbcr = 2 | 0x20;
	CHECK_EQ(walk(&r, 0x40012345u, &t), MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.desc_reads, 0);
	CHECK_EQ(walk(&r, 0x3ff12345u, &t), MMU_OK);
}

static void test_ttbcr_n7(void)
{
	/* N == 7: TTBR0 covers VA < 0x02000000 with a 128-byte table at
	 * base [31:7]; 0x8000d080 is not 16 KiB or 4 KiB aligned. */
	struct mmu_regs r = regs_n(7, 0x8000d080u);
	struct mmu_translation t;

	walk(&r, 0x01f00000u, &t);
	CHECK_EQ(t.l1_pa, 0x8000d0fcu);
	walk(&r, 0x02000000u, &t);
	CHECK_EQ(t.l1_pa, 0x80008080u);
}

/* ---- MMU off (B3.2.1) ------------------------------------------------- */

static void test_mmu_off(void)
{
	/* Tables outside RAM: with the MMU off they must not be touched. */
	struct mmu_regs r = regs_n(0, 0x00000000u);
	struct mmu_translation t;

	r.sctlr = SCTLR_OFF;
	CHECK_EQ(walk(&r, 0x12345678u, &t), MMU_OK);
	CHECK_EQ(t.fault, MMU_OK);
	CHECK_EQ(t.level, 0);
	CHECK_EQ(t.desc_reads, 0);
	CHECK_EQ(t.va_base, 0x12300000u);
	CHECK_EQ(t.pa_base, 0x12300000u);
	CHECK_EQ(t.size, 0x00100000u);
	CHECK_EQ(mmu_pa(&t, 0x12345678u), 0x12345678u);
	CHECK_EQ(t.l1_pa, 0);
	CHECK_EQ(t.l1_desc, 0);
	CHECK_EQ(t.l2_pa, 0);
	CHECK_EQ(t.l2_desc, 0);
	CHECK_EQ(t.domain, 0);
	CHECK_EQ(t.ap, 3);
	CHECK(!t.xn);
	CHECK(!t.ng);
	CHECK(t.mmu_off);

	/* No checks at all, whatever DACR says. */
	CHECK_EQ(mmu_check(&t, 0x00000000u, MMU_WRITE, false), MMU_OK);
	CHECK_EQ(mmu_check(&t, 0x00000000u, MMU_FETCH, false), MMU_OK);
	CHECK_EQ(mmu_check(&t, 0xaaaaaaaau, MMU_READ, true), MMU_OK);

	CHECK_EQ(walk(&r, 0xffffffffu, &t), MMU_OK);
	CHECK_EQ(t.va_base, 0xfff00000u);
	CHECK_EQ(mmu_pa(&t, 0xffffffffu), 0xffffffffu);
}

/* ---- mmu_check (B3.7) ------------------------------------------------- */

/* Table B3-8, SCTLR.AFE == 0, by APX:AP: may a {privileged read,
 * privileged write, user read, user write} go ahead? */
static const bool ap_table[8][4] = {
	[0] = { false, false, false, false }, /* no access */
	[1] = { true,  true,  false, false }, /* priv RW, user none */
	[2] = { true,  true,  true,  false }, /* priv RW, user RO */
	[3] = { true,  true,  true,  true  }, /* full */
	[4] = { false, false, false, false }, /* reserved */
	[5] = { true,  false, false, false }, /* priv RO, user none */
	[6] = { true,  false, true,  false }, /* priv RO, user RO (deprecated) */
	[7] = { true,  false, true,  false }, /* priv RO, user RO */
};

static enum mmu_fault expected_check(unsigned dacr_field, unsigned ap, bool xn,
				     enum mmu_access acc, bool priv)
{
	bool write = acc == MMU_WRITE;

	switch (dacr_field) {
	case 0: /* no access */
	case 2: /* reserved */
		return MMU_FAULT_DOMAIN;
	case 3: /* manager: not even XN */
		return MMU_OK;
	}
	if (acc == MMU_FETCH && xn)
		return MMU_FAULT_PERMISSION;
	return ap_table[ap][(priv ? 0 : 2) + (write ? 1 : 0)] ? MMU_OK : MMU_FAULT_PERMISSION;
}

static void test_check_exhaustive(void)
{
	static const uint8_t domains[] = { 0, 7, 15 };
	static const enum mmu_access accs[] = { MMU_READ, MMU_WRITE, MMU_FETCH };

	for (unsigned d = 0; d < sizeof(domains); d++)
		for (unsigned field = 0; field < 4; field++) {
			/* Every other domain gets the opposite value, so
			 * reading the wrong field shows. */
			uint32_t dacr = 0;
			for (unsigned j = 0; j < 16; j++)
				dacr |= (j == domains[d] ? field : field ^ 3u) << (2 * j);

			for (unsigned ap = 0; ap < 8; ap++)
				for (int xn = 0; xn < 2; xn++)
					for (unsigned a = 0; a < 3; a++)
						for (int priv = 0; priv < 2; priv++) {
							struct mmu_translation t = {
								.fault = MMU_OK, .level = 2,
								.domain = domains[d], .ap = (uint8_t)ap,
								.xn = xn, .size = 0x1000,
							};
							enum mmu_fault want =
								expected_check(field, ap, xn, accs[a], priv);
							if (!CHECK_EQ(mmu_check(&t, dacr, accs[a], priv), want))
								fprintf(stderr, "  domain %u dacr %08x ap %u xn %d access %d priv %d\n",
									domains[d], (unsigned)dacr, ap, xn, (int)accs[a], priv);
						}
		}
}

static void test_check_literal(void)
{
	struct mmu_translation t = { .fault = MMU_OK, .level = 1, .domain = 3 };

	/* Domain 3 is DACR bits [7:6]. */
	t.ap = 5;
	CHECK_EQ(mmu_check(&t, 0x00000040u, MMU_READ, true), MMU_OK);
	CHECK_EQ(mmu_check(&t, 0x00000040u, MMU_WRITE, true), MMU_FAULT_PERMISSION);
	CHECK_EQ(mmu_check(&t, 0x00000040u, MMU_READ, false), MMU_FAULT_PERMISSION);
	CHECK_EQ(mmu_check(&t, 0x00000040u, MMU_FETCH, true), MMU_OK);
	CHECK_EQ(mmu_check(&t, 0x000000c0u, MMU_WRITE, false), MMU_OK);
	CHECK_EQ(mmu_check(&t, 0x00000080u, MMU_READ, true), MMU_FAULT_DOMAIN);
	CHECK_EQ(mmu_check(&t, 0xffffff3fu, MMU_READ, true), MMU_FAULT_DOMAIN);

	/* XN: client faults a fetch, manager does not. */
	t.ap = 3;
	t.xn = true;
	CHECK_EQ(mmu_check(&t, 0x00000040u, MMU_FETCH, true), MMU_FAULT_PERMISSION);
	CHECK_EQ(mmu_check(&t, 0x00000040u, MMU_READ, false), MMU_OK);
	CHECK_EQ(mmu_check(&t, 0x000000c0u, MMU_FETCH, false), MMU_OK);

	/* A fetch needs read permission: priv-only page, user fetch. */
	t.ap = 1;
	t.xn = false;
	CHECK_EQ(mmu_check(&t, 0x00000040u, MMU_FETCH, false), MMU_FAULT_PERMISSION);
	CHECK_EQ(mmu_check(&t, 0x00000040u, MMU_FETCH, true), MMU_OK);

	/* Domain fault wins over a permission fault. */
	t.ap = 0;
	CHECK_EQ(mmu_check(&t, 0x00000000u, MMU_READ, true), MMU_FAULT_DOMAIN);

	/* A failed walk keeps its own fault. */
	t.fault = MMU_FAULT_TRANSLATION;
	CHECK_EQ(mmu_check(&t, 0xffffffffu, MMU_READ, true), MMU_FAULT_TRANSLATION);
	t.fault = MMU_FAULT_EXTERNAL;
	CHECK_EQ(mmu_check(&t, 0xffffffffu, MMU_READ, true), MMU_FAULT_EXTERNAL);
}

/* The walked small page (domain 3, APX:AP 101, XN) through mmu_check. */
static void test_check_walked(void)
{
	struct mmu_regs r = regs0();
	struct mmu_translation t;

	setup_l2a();
	poke(0x80010414u, 0x87654a5fu);
	CHECK_EQ(walk(&r, 0x00105abcu, &t), MMU_OK);
	CHECK_EQ(mmu_check(&t, 0x00000040u, MMU_READ, true), MMU_OK);
	CHECK_EQ(mmu_check(&t, 0x00000040u, MMU_WRITE, true), MMU_FAULT_PERMISSION);
	CHECK_EQ(mmu_check(&t, 0x00000040u, MMU_READ, false), MMU_FAULT_PERMISSION);
	CHECK_EQ(mmu_check(&t, 0x00000040u, MMU_FETCH, true), MMU_FAULT_PERMISSION);
	CHECK_EQ(mmu_check(&t, 0x000000c0u, MMU_FETCH, true), MMU_OK);
	CHECK_EQ(mmu_check(&t, 0x55555515u, MMU_READ, true), MMU_FAULT_DOMAIN);
}

/* ---- builders and names ----------------------------------------------- */

static void test_builders(void)
{
	struct mmu_regs r = regs0();
	struct mmu_translation t;

	CHECK_EQ(MMU_AP_PRIV_RW, 0x1);
	CHECK_EQ(MMU_AP_PRIV_RO, 0x5);

	/* Sections carry TEX=001 C=1 B=1 (0x100c): Normal WBWA memory. */
	CHECK_EQ(mmu_l1_section(0x9ab00000u, 3, 5, true, true), 0x9ab21cbeu);
	CHECK_EQ(mmu_l1_section(0x9ab12345u, 3, 5, true, true), 0x9ab21cbeu);
	CHECK_EQ(mmu_l1_section(0x40000000u, MMU_AP_PRIV_RO, 15, false, false), 0x400095eeu);
	CHECK_EQ(mmu_l1_section(0xc0000000u, MMU_AP_PRIV_RW, 0, false, false), 0xc000140eu);

	CHECK_EQ(mmu_l1_table(0x80010400u, 3), 0x80010461u);
	CHECK_EQ(mmu_l1_table(0x800107ffu, 15), 0x800105e1u);

	/* Small pages carry TEX=001 C=1 B=1 (0x04c). */
	CHECK_EQ(mmu_l2_small(0x87654000u, 5, true, true), 0x87654a5fu);
	CHECK_EQ(mmu_l2_small(0x87654fffu, 3, false, false), 0x8765407eu);
	CHECK_EQ(mmu_l2_small(0x00001000u, MMU_AP_PRIV_RW, false, false), 0x0000105eu);

	/* What a builder writes, the walker reads back. */
	poke(0x80004700u, mmu_l1_section(0x9ab00000u, 6, 9, false, true)); /* VA 0x1c0xxxxx */
	CHECK_EQ(walk(&r, 0x1c012345u, &t), MMU_OK);
	CHECK_EQ(mmu_pa(&t, 0x1c012345u), 0x9ab12345u);
	CHECK_EQ(t.domain, 9);
	CHECK_EQ(t.ap, 6);
	CHECK(!t.xn);
	CHECK(t.ng);
}

static void test_fault_names(void)
{
	static const enum mmu_fault all[] = {
		MMU_OK, MMU_FAULT_TRANSLATION, MMU_FAULT_DOMAIN,
		MMU_FAULT_PERMISSION, MMU_FAULT_EXTERNAL,
	};
	const unsigned n = sizeof(all) / sizeof(all[0]);

	for (unsigned i = 0; i < n; i++) {
		const char *name = mmu_fault_name(all[i]);
		if (!CHECK(name != NULL && name[0] != '\0'))
			continue;
		for (unsigned j = 0; j < i; j++)
			CHECK(strcmp(name, mmu_fault_name(all[j])) != 0);
	}
	CHECK(mmu_fault_name((enum mmu_fault)42) != NULL);
}

int main(void)
{
	mem.base = RAM_BASE;
	mem.size = RAM_SIZE;
	mem.host = calloc(1, RAM_SIZE);
	if (!mem.host)
		return 1;

	/* Each test starts from zeroed RAM. */
	void (*const tests[])(void) = {
		test_l1_fault_and_reserved, test_l1_section, test_l1_supersection,
		test_l2_small, test_l2_large, test_l2_fault, test_external,
		test_ttbcr_n0, test_ttbcr_n2, test_ttbcr_n7, test_mmu_off,
		test_check_exhaustive, test_check_literal, test_check_walked,
		test_builders, test_fault_names,
	};
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		memset(mem.host, 0, RAM_SIZE);
		tests[i]();
	}

	free(mem.host);
	return check_done();
}
