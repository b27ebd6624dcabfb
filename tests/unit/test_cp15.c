/* SPDX-License-Identifier: MIT */
/* Guest writes to the translation registers (mm/cp15.c) as the model sees
 * them: decoding, and what a write changes for the next access.
 *
 * Expectations from the ARM architecture (ARM DDI 0406C):
 *  - B4.1: SCTLR is c1,c0,0; TTBR0/TTBR1/TTBCR c2,c0,0/1/2; DACR c3,c0,0;
 *    CONTEXTIDR c13,c0,1; opc1 is 0 (ACTLR c1,c0,1 is another register).
 *  - B3.5: with N = 0 every VA walks the table TTBR0 points at.
 *  - B3.9: a non-global entry matches only the ASID it was filled with, so a
 *    changed descriptor seen under another ASID is no stale hit, and under
 *    the first ASID again it is (no invalidate came in between).
 *  - B3.7.3: DACR field 00 is no access (domain fault), 11 manager.
 *  - B3.2.1: with SCTLR.M clear, VA = PA and no TLB is looked up.
 *  - TTBCR.EAE (bit 31) selects the long descriptors, not modelled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "access.h"
#include "check.h"
#include "cp15.h"
#include "mm.h"
#include "tlb.h"

#define MiB (1u << 20)
#define TABLE 0x00300000u    /* a second L1 table (16 KiB aligned) */
#define USER_VA 0x00100000u
#define SECT(pa, ng) ((pa) | 0x400u | 0x2u | ((ng) ? (1u << 17) : 0)) /* AP 01, domain 0 */

static struct mm mm;

static int setup(uint8_t *host, uint32_t ram)
{
	char err[200];
	memset(&mm, 0, sizeof(mm));
	if (layout_init(&mm.layout, SPLIT_3G_1G, ram, err, sizeof(err)))
		return -1;
	mm.mem = (struct phys_mem){ .host = host, .base = 0, .size = ram };
	mm.core = core_profile_find("cortex-a15");
	mm.boot.memblock_start = mm.boot.memblock_next = 0x280000;
	mm.boot.memblock_end = mm.layout.lowmem_size;
	if (paging_init(&mm))
		return -1;
	mm.tlb = tlb_create(mm.core, 1);
	return mm.tlb ? 0 : -1;
}

static void test_decode(void)
{
	static const struct { unsigned crn, crm, opc2; enum cp15_reg r; const char *name; } regs[] = {
		{ 1, 0, 0, CP15_SCTLR, "SCTLR" },   { 2, 0, 0, CP15_TTBR0, "TTBR0" },
		{ 2, 0, 1, CP15_TTBR1, "TTBR1" },   { 2, 0, 2, CP15_TTBCR, "TTBCR" },
		{ 3, 0, 0, CP15_DACR, "DACR" },     { 13, 0, 1, CP15_CONTEXTIDR, "CONTEXTIDR" },
	};
	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		enum cp15_reg r = CP15_NR_REGS;
		CHECK_EQ(cp15_reg_decode(0, regs[i].crn, regs[i].crm, regs[i].opc2, &r), 0);
		CHECK_EQ(r, regs[i].r);
		CHECK(strcmp(cp15_reg_name(r), regs[i].name) == 0);
	}
	enum cp15_reg r;
	CHECK_EQ(cp15_reg_decode(0, 1, 0, 1, &r), -1);  /* ACTLR */
	CHECK_EQ(cp15_reg_decode(1, 2, 0, 0, &r), -1);  /* opc1 1: not TTBR0 */
	CHECK_EQ(cp15_reg_decode(0, 13, 0, 0, &r), -1); /* FCSEIDR */
	CHECK_EQ(cp15_reg_decode(0, 8, 7, 0, &r), -1);  /* TLBIALL is no register */
}

static void test_writes(void)
{
	uint32_t pa;
	/* The kernel table has nothing at USER_VA. */
	CHECK_EQ(mm_access(&mm, USER_VA, MMU_READ, 1), MMU_FAULT_TRANSLATION);

	/* A second table: the kernel's entries plus USER_VA -> 5 MiB, not global. */
	memcpy(phys_ptr(&mm.mem, TABLE), phys_ptr(&mm.mem, mm.swapper_pg_dir), 16384);
	phys_write32(&mm.mem, TABLE + (USER_VA >> 20) * 4, SECT(5 * MiB, true));
	CHECK_EQ(mm_cp15_write(&mm, CP15_CONTEXTIDR, 5), 0);
	CHECK_EQ(mm_cp15_write(&mm, CP15_TTBR0, TABLE), 0);
	CHECK_EQ(mm.regs.ttbr0, TABLE);
	CHECK_EQ(mm_access(&mm, USER_VA + 0x10, MMU_READ, 1), MMU_OK);
	CHECK(mm_virt_to_phys(&mm, USER_VA + 0x10, &pa) && pa == 5 * MiB + 0x10);
	CHECK_EQ(mm_access(&mm, 0xc0001000u, MMU_FETCH, 1), MMU_OK); /* the kernel still runs */

	/* Another process (ASID 6) gets USER_VA -> 7 MiB with no invalidate. */
	phys_write32(&mm.mem, TABLE + (USER_VA >> 20) * 4, SECT(7 * MiB, true));
	CHECK_EQ(mm_cp15_write(&mm, CP15_CONTEXTIDR, 6), 0);
	CHECK_EQ(mm_access(&mm, USER_VA + 0x10, MMU_READ, 1), MMU_OK);
	CHECK_EQ(mm.stats.stale_tlb, 0);
	/* Back to ASID 5: its entry for 5 MiB is still there, now stale. */
	CHECK_EQ(mm_cp15_write(&mm, CP15_CONTEXTIDR, 5), 0);
	CHECK_EQ(mm_access(&mm, USER_VA + 0x10, MMU_READ, 1), MMU_OK);
	CHECK_EQ(mm.stats.stale_tlb, 1);

	/* DACR: domain 0 no access, then manager. */
	CHECK_EQ(mm_cp15_write(&mm, CP15_DACR, 0x0), 0);
	CHECK_EQ(mm_access(&mm, 0xc0002000u, MMU_READ, 1), MMU_FAULT_DOMAIN);
	CHECK_EQ(mm_cp15_write(&mm, CP15_DACR, 0x3), 0);
	CHECK_EQ(mm_access(&mm, 0xc0002000u, MMU_WRITE, 1), MMU_OK);
	CHECK_EQ(mm_cp15_write(&mm, CP15_DACR, 0x1), 0);

	/* SCTLR.M clear: no translation, no TLB look-up. */
	uint64_t before = tlb_stats(mm.tlb)->accesses;
	uint32_t sctlr = mm.regs.sctlr;
	CHECK_EQ(mm_cp15_write(&mm, CP15_SCTLR, sctlr & ~1u), 0);
	CHECK_EQ(mm_access(&mm, 0x00200000u, MMU_READ, 1), MMU_OK);
	CHECK_EQ(mm_access_slow(&mm, 0x00200000u, MMU_WRITE, 1), MMU_OK);
	CHECK(mm_virt_to_phys(&mm, 0x00200010u, &pa) && pa == 0x00200010u);
	CHECK_EQ(tlb_stats(mm.tlb)->accesses, before);
	CHECK_EQ(mm_cp15_write(&mm, CP15_SCTLR, sctlr), 0);
	CHECK_EQ(mm_access(&mm, 0x00200000u, MMU_READ, 1), MMU_FAULT_TRANSLATION);

	/* TTBCR.EAE: refused, nothing changes. */
	CHECK_EQ(mm_cp15_write(&mm, CP15_TTBCR, 1u << 31), -1);
	CHECK_EQ(mm.regs.ttbcr, 0);
	/* TTBCR.N = 1: VAs from 2 GiB up walk TTBR1 (the kernel table). */
	CHECK_EQ(mm_cp15_write(&mm, CP15_TTBR1, mm.swapper_pg_dir), 0);
	CHECK_EQ(mm_cp15_write(&mm, CP15_TTBCR, 1), 0);
	CHECK_EQ(mm_access(&mm, 0xc0003000u, MMU_READ, 1), MMU_OK);
}

int main(void)
{
	const uint32_t ram = 64u << 20;
	uint8_t *host = mmap(NULL, ram, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (host == MAP_FAILED || setup(host, ram)) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	test_decode();
	test_writes();
	tlb_destroy(mm.tlb);
	return check_done();
}
