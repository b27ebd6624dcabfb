/* SPDX-License-Identifier: MIT */
/* The architectural hazard checker (mm/hazard.c) on hand-built tables with
 * two simulated CPUs.  Every expected report follows from the rules in
 * ARM DDI 0406C B3.10.1 as mm/hazard.h states them:
 *   - a valid translation that is changed stays possibly cached on EVERY
 *     CPU until an invalidate covering it runs on that CPU;
 *   - an invalidate is complete after the issuer's DSB, visible after its ISB;
 *   - the store must precede the invalidate with a DSB (and, where the
 *     walker does not read the L1 D-cache, a clean of the line). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hazard.h"
#include "mmu.h"

#define RAM_SIZE (8u << 20)
#define L1_PA 0x4000u
#define L2_PA 0x8000u          /* covers VA 0xffc00000..0xffcfffff */
#define MANY_L2_PA 0x100000u   /* 17 L2 tables for VA 0x80000000.. */
#define VA 0xffc05000u
#define PTE_PA (L2_PA + 5 * 4)
#define PAGE_A 0x200000u
#define PAGE_B 0x201000u
#define PAGE_C 0x202000u
#define SECT_VA 0xc0000000u
#define SZ_1M_PA 0x100000u

static struct phys_mem mem;
static struct mmu_regs regs;

#define MAX_SEEN 16
static struct hazard_report seen[MAX_SEEN];
static unsigned nseen;

static void on_report(void *arg, const struct hazard_report *r)
{
	(void)arg;
	if (nseen < MAX_SEEN)
		seen[nseen] = *r;
	nseen++;
}

static const struct hazard_ops ops = { .report = on_report };

static void wr(uint32_t pa, uint32_t v)
{
	phys_write32(&mem, pa, v);
}

/* A store by `cpu` the way the emulator sees it: told first, then done. */
static void store(struct hazard_checker *hz, unsigned cpu, uint32_t pa, uint32_t v, uint32_t pc)
{
	hazard_pt_store(hz, cpu, pa, 4, v, pc, false);
	wr(pa, v);
}

static unsigned access(struct hazard_checker *hz, unsigned cpu, uint32_t va, bool fetch)
{
	nseen = 0;
	if (hazard_cpu_quiet(hz, cpu))
		return 0;
	return hazard_access(hz, cpu, va, fetch, false);
}

static void setup_tables(void)
{
	memset(mem.host, 0, RAM_SIZE);
	/* Sections for the linear map, one L2 table at 0xffc00000. */
	wr(L1_PA + (SECT_VA >> 20) * 4, mmu_l1_section(0, MMU_AP_PRIV_RW, 0, false, false));
	wr(L1_PA + (0xffcu << 2), mmu_l1_table(L2_PA, 0));
	regs = (struct mmu_regs){ .sctlr = 1, .ttbr0 = L1_PA, .ttbr1 = L1_PA, .dacr = 1 };
}

static struct hazard_checker *fresh(unsigned ncpus, bool needs_clean)
{
	setup_tables();
	struct hazard_checker *hz = hazard_create(&mem, &regs, ncpus, needs_clean);
	CHECK(hz != NULL);
	hazard_set_ops(hz, &ops, NULL);
	return hz;
}

/* A PTE set up from invalid retires nothing (faulting translations are
 * never cached); retargeting a valid one leaves the old translation on
 * both CPUs; a local flush on CPU 0 leaves CPU 1 stale (the remote case);
 * an IS invalidate by CPU 1 must then be completed by its DSB and ISB. */
static void test_two_cpus(void)
{
	struct hazard_checker *hz = fresh(2, false);
	CHECK(hazard_pt_watched(hz, L1_PA) && hazard_pt_watched(hz, L2_PA));
	CHECK(!hazard_pt_watched(hz, PAGE_A));
	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_A, MMU_AP_PRIV_RW, true, false), 0xc0001000u);
	CHECK(hazard_cpu_quiet(hz, 0) && hazard_cpu_quiet(hz, 1));

	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_B, MMU_AP_PRIV_RW, true, false), 0xc0001010u);
	CHECK(!hazard_cpu_quiet(hz, 0) && !hazard_cpu_quiet(hz, 1));
	CHECK_EQ(access(hz, 1, VA + 0x10, false), 1);
	CHECK_EQ(seen[0].kind, HAZARD_STALE);
	CHECK_EQ(seen[0].cpu, 1);
	CHECK_EQ(seen[0].diff, HAZARD_DIFF_PAGE);
	CHECK_EQ(mmu_pa(&seen[0].old, VA), PAGE_A);
	CHECK_EQ(mmu_pa(&seen[0].now, VA), PAGE_B);
	CHECK(seen[0].origin.known && !seen[0].origin.kernel);
	CHECK_EQ(seen[0].origin.pc, 0xc0001000u); /* the store that made A valid */
	CHECK_EQ(access(hz, 0, VA, false), 1);
	CHECK_EQ(access(hz, 0, VA + 0x1000, false), 0); /* the next page is another VA */

	/* local_flush_tlb_kernel_page on CPU 0 only. */
	hazard_kernel_flush(hz, 0, 1u << 0, HAZARD_INV_MVA, VA, 0);
	CHECK(hazard_cpu_quiet(hz, 0));
	CHECK_EQ(access(hz, 0, VA, false), 0);
	CHECK_EQ(access(hz, 1, VA, false), 1);
	CHECK_EQ(seen[0].cpu, 1);

	/* TLBIMVAIS by CPU 1, then the access before DSB, between DSB and
	 * ISB, and after. */
	nseen = 0;
	hazard_invalidate(hz, 1, HAZARD_ALL_CPUS, HAZARD_SIDES, HAZARD_INV_MVA, VA, 0);
	CHECK_EQ(nseen, 0); /* the store was CPU 0's: CPU 1's DSB is not the question */
	CHECK_EQ(access(hz, 1, VA, false), 1);
	CHECK_EQ(seen[0].kind, HAZARD_BARRIER);
	CHECK_EQ(seen[0].why, HAZARD_NO_DSB_AFTER_TLBI);
	hazard_isb(hz, 1); /* an ISB before the DSB completes nothing */
	CHECK_EQ(access(hz, 1, VA, false), 1);
	CHECK_EQ(seen[0].why, HAZARD_NO_DSB_AFTER_TLBI);
	hazard_dsb(hz, 1);
	CHECK_EQ(access(hz, 1, VA, false), 1);
	CHECK_EQ(seen[0].why, HAZARD_NO_ISB_AFTER_TLBI);
	hazard_isb(hz, 1);
	CHECK(hazard_cpu_quiet(hz, 1));
	CHECK_EQ(hazard_stats(hz)->count[HAZARD_STALE], 3);
	CHECK_EQ(hazard_stats(hz)->count[HAZARD_BARRIER], 3);
	hazard_destroy(hz);
}

/* Same page, fewer rights: the stale entry allows more.  Then the store
 * followed by an invalidate with no DSB between. */
static void test_permissions_and_store_order(void)
{
	struct hazard_checker *hz = fresh(1, false);
	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_A, MMU_AP_PRIV_RW, true, false), 0);
	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_A, MMU_AP_PRIV_RO, true, false), 0);
	CHECK_EQ(access(hz, 0, VA, false), 1);
	CHECK_EQ(seen[0].diff, HAZARD_DIFF_WEAKER);
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_ALL, 0, 0);
	CHECK(hazard_cpu_quiet(hz, 0));

	/* RO -> RW is stronger for the stale entry, and also a new page. */
	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_C, MMU_AP_PRIV_RW, true, false), 0);
	CHECK_EQ(access(hz, 0, VA, false), 1);
	CHECK_EQ(seen[0].diff, HAZARD_DIFF_PAGE | HAZARD_DIFF_STRONGER);

	/* STR; TLBIMVA with no DSB between: reported at the invalidate. */
	nseen = 0;
	hazard_invalidate(hz, 0, 1, HAZARD_SIDES, HAZARD_INV_MVA, VA, 0);
	CHECK_EQ(nseen, 1);
	CHECK_EQ(seen[0].kind, HAZARD_BARRIER);
	CHECK_EQ(seen[0].why, HAZARD_NO_DSB_BEFORE_TLBI);
	CHECK_EQ(seen[0].desc_pa, PTE_PA);
	hazard_dsb(hz, 0);
	hazard_isb(hz, 0);
	/* STR; DSB; TLBIMVA; DSB; ISB: nothing. */
	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_B, MMU_AP_PRIV_RW, true, false), 0);
	nseen = 0;
	hazard_dsb(hz, 0);
	hazard_invalidate(hz, 0, 1, HAZARD_SIDES, HAZARD_INV_MVA, VA, 0);
	hazard_dsb(hz, 0);
	hazard_isb(hz, 0);
	CHECK_EQ(nseen, 0);
	CHECK(hazard_cpu_quiet(hz, 0));
	/* Unmapped without a flush: the old entry may still serve the VA. */
	store(hz, 0, PTE_PA, 0, 0);
	CHECK_EQ(access(hz, 0, VA, false), 1);
	CHECK_EQ(seen[0].diff, HAZARD_DIFF_UNMAPPED);
	hazard_destroy(hz);
}

/* A walker that does not read the L1 D-cache (ARM1176): the store must be
 * cleaned, then DSB, before the invalidate. */
static void test_clean(void)
{
	struct hazard_checker *hz = fresh(1, true);
	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_A, MMU_AP_PRIV_RW, true, false), 0);
	hazard_dcache_clean(hz, 0, PTE_PA, false);
	hazard_dsb(hz, 0);
	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_B, MMU_AP_PRIV_RW, true, false), 0);
	nseen = 0;
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_MVA, VA, 0); /* DSB but no clean */
	CHECK_EQ(nseen, 1);
	CHECK_EQ(seen[0].kind, HAZARD_PTE_NOT_CLEANED);

	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_C, MMU_AP_PRIV_RW, true, false), 0);
	hazard_dcache_clean(hz, 0, PTE_PA + 4, false); /* the same 32-byte line */
	nseen = 0;
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_MVA, VA, 0);
	CHECK_EQ(nseen, 0);

	/* Cleaned but the DSB after the clean is missing: a barrier. */
	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_A, MMU_AP_PRIV_RW, true, false), 0);
	hazard_dcache_clean(hz, 0, 0, true);
	nseen = 0;
	hazard_invalidate(hz, 0, 1, HAZARD_SIDES, HAZARD_INV_MVA, VA, 0);
	CHECK_EQ(nseen, 1);
	CHECK_EQ(seen[0].kind, HAZARD_BARRIER);
	/* The modelled kernel's own stores are cleaned (as set_pte_ext does). */
	hazard_dsb(hz, 0);
	hazard_isb(hz, 0);
	hazard_pt_store(hz, 0, PTE_PA, 4, mmu_l2_small(PAGE_B, MMU_AP_PRIV_RW, true, false), 0, true);
	wr(PTE_PA, mmu_l2_small(PAGE_B, MMU_AP_PRIV_RW, true, false));
	nseen = 0;
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_MVA, VA, 0);
	CHECK_EQ(nseen, 0);
	hazard_destroy(hz);
}

/* First-level changes: a section retargeted is one 1 MiB translation that
 * a TLBIMVA anywhere inside it covers; an L1 table pointer changed retires
 * every page of the old table; the new table is watched from then on. */
static void test_l1(void)
{
	struct hazard_checker *hz = fresh(1, false);
	uint32_t l1 = L1_PA + (SECT_VA >> 20) * 4;
	store(hz, 0, l1, mmu_l1_section(SZ_1M_PA, MMU_AP_PRIV_RW, 0, false, false), 0);
	CHECK_EQ(access(hz, 0, SECT_VA + 0x12344, false), 1);
	CHECK_EQ(seen[0].old.size, 1u << 20);
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_MVA, SECT_VA + 0x80000, 0);
	CHECK(hazard_cpu_quiet(hz, 0));

	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_A, MMU_AP_PRIV_RW, true, false), 0);
	store(hz, 0, PTE_PA + 4, mmu_l2_small(PAGE_B, MMU_AP_PRIV_RW, true, false), 0);
	uint32_t new_l2 = 0x9000u;
	CHECK(!hazard_pt_watched(hz, new_l2));
	store(hz, 0, L1_PA + (0xffcu << 2), mmu_l1_table(new_l2, 0), 0);
	CHECK(hazard_pt_watched(hz, new_l2));
	CHECK_EQ(access(hz, 0, VA, false), 1);
	CHECK_EQ(seen[0].diff, HAZARD_DIFF_UNMAPPED);
	CHECK_EQ(access(hz, 0, VA + 0x1000, false), 1);
	/* A store into the new table now retires what it maps. */
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_ALL, 0, 0);
	store(hz, 0, new_l2 + 5 * 4, mmu_l2_small(PAGE_C, MMU_AP_PRIV_RW, true, false), 0);
	store(hz, 0, new_l2 + 5 * 4, mmu_l2_small(PAGE_A, MMU_AP_PRIV_RW, true, false), 0);
	CHECK_EQ(access(hz, 0, VA, false), 1);
	CHECK_EQ(mmu_pa(&seen[0].old, VA), PAGE_C);
	hazard_destroy(hz);
}

/* A TTBR0 switch: the new table and its L2 tables are watched, and a
 * store there retires what it mapped. */
static void test_new_tables(void)
{
	struct hazard_checker *hz = fresh(1, false);
	const uint32_t l1b = 0x10000u, l2b = 0xa000u;
	wr(l1b + (0xffcu << 2), mmu_l1_table(l2b, 0));
	wr(l2b + 5 * 4, mmu_l2_small(PAGE_A, MMU_AP_PRIV_RW, true, false));
	CHECK(!hazard_pt_watched(hz, l1b) && !hazard_pt_watched(hz, l2b));
	regs.ttbr0 = regs.ttbr1 = l1b;
	hazard_tables_changed(hz);
	CHECK(hazard_pt_watched(hz, l1b) && hazard_pt_watched(hz, l1b + 0x3000) && hazard_pt_watched(hz, l2b));
	store(hz, 0, l2b + 5 * 4, mmu_l2_small(PAGE_B, MMU_AP_PRIV_RW, true, false), 0);
	CHECK_EQ(access(hz, 0, VA, false), 1);
	CHECK_EQ(mmu_pa(&seen[0].old, VA), PAGE_A);
	hazard_destroy(hz);
}

/* ITLBIMVA reaches only the instruction side: data accesses stay stale
 * until DTLBIMVA. */
static void test_sides(void)
{
	struct hazard_checker *hz = fresh(1, false);
	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_A, MMU_AP_PRIV_RW, false, false), 0);
	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_B, MMU_AP_PRIV_RW, false, false), 0);
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_ALL, 0, 0);
	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_C, MMU_AP_PRIV_RW, false, false), 0);
	hazard_dsb(hz, 0);
	hazard_invalidate(hz, 0, 1, HAZARD_SIDE_I, HAZARD_INV_MVA, VA, 0);
	hazard_dsb(hz, 0);
	hazard_isb(hz, 0);
	CHECK_EQ(access(hz, 0, VA, true), 0);
	CHECK_EQ(access(hz, 0, VA, false), 1);
	CHECK_EQ(seen[0].kind, HAZARD_STALE);
	hazard_invalidate(hz, 0, 1, HAZARD_SIDE_D, HAZARD_INV_MVA, VA, 0);
	hazard_dsb(hz, 0);
	hazard_isb(hz, 0);
	CHECK(hazard_cpu_quiet(hz, 0));
	hazard_destroy(hz);
}

/* More changed-and-not-invalidated translations than the set holds: the
 * rest is counted as untracked, on each CPU. */
static void test_bounded(void)
{
	setup_tables();
	const unsigned n = HAZARD_SET_MAX + 104, tables = (n + 255) / 256;
	for (unsigned t = 0; t < tables; t++) {
		wr(L1_PA + ((0x800u + t) << 2), mmu_l1_table(MANY_L2_PA + t * 1024, 0));
		for (unsigned i = 0; i < 256; i++)
			wr(MANY_L2_PA + t * 1024 + i * 4,
			   mmu_l2_small(PAGE_A, MMU_AP_PRIV_RW, true, false));
	}
	struct hazard_checker *hz = hazard_create(&mem, &regs, 2, false);
	CHECK(hz != NULL);
	hazard_set_ops(hz, &ops, NULL);
	for (unsigned k = 0; k < n; k++)
		store(hz, 0, MANY_L2_PA + k * 4, mmu_l2_small(PAGE_B, MMU_AP_PRIV_RW, true, false), 0);
	CHECK_EQ(hazard_stats(hz)->untracked, 2 * (n - HAZARD_SET_MAX));
	CHECK_EQ(access(hz, 1, 0x80000000u, false), 1);
	hazard_kernel_flush(hz, 0, HAZARD_ALL_CPUS, HAZARD_INV_ALL, 0, 0);
	CHECK(hazard_cpu_quiet(hz, 0) && hazard_cpu_quiet(hz, 1));
	hazard_destroy(hz);
}

int main(void)
{
	mem.host = calloc(1, RAM_SIZE);
	mem.base = 0;
	mem.size = RAM_SIZE;
	if (!mem.host)
		return 2;
	CHECK(hazard_create(&mem, &regs, 0, false) == NULL);
	CHECK(hazard_create(&mem, &regs, HAZARD_MAX_CPUS + 1, false) == NULL);
	CHECK(hazard_core_needs_pte_clean("arm1176") && !hazard_core_needs_pte_clean("cortex-a7"));
	test_two_cpus();
	test_permissions_and_store_order();
	test_clean();
	test_l1();
	test_sides();
	test_new_tables();
	test_bounded();
	free(mem.host);
	return check_done();
}
