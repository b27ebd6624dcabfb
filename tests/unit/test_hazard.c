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
	CHECK_EQ(nseen, 0); /* the store was CPU 0's, and its kernel flush began with a DSB */
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
	CHECK_EQ(seen[0].store_cpu, 0);
	hazard_dsb(hz, 0);
	hazard_isb(hz, 0);
	/* The walker may have refilled the old entry after that invalidate:
	 * still possibly cached, now saying why. */
	CHECK_EQ(access(hz, 0, VA, false), 1);
	CHECK_EQ(seen[0].kind, HAZARD_STALE);
	CHECK(seen[0].refill);
	CHECK_EQ(mmu_pa(&seen[0].old, VA), PAGE_A);
	/* STR; DSB; TLBIMVA; DSB; ISB: nothing (and the refilled entry goes too). */
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

/* A checker for `ncpus` over tables mapping n pages from VA 0x80000000 to
 * PAGE_A, then each retargeted to PAGE_B by CPU 0 with no invalidate. */
static struct hazard_checker *many_changed(unsigned ncpus, unsigned n)
{
	setup_tables();
	for (unsigned t = 0; t < (n + 255) / 256; t++) {
		wr(L1_PA + ((0x800u + t) << 2), mmu_l1_table(MANY_L2_PA + t * 1024, 0));
		for (unsigned i = 0; i < 256; i++)
			wr(MANY_L2_PA + t * 1024 + i * 4,
			   mmu_l2_small(PAGE_A, MMU_AP_PRIV_RW, true, false));
	}
	struct hazard_checker *hz = hazard_create(&mem, &regs, ncpus, false);
	CHECK(hz != NULL);
	hazard_set_ops(hz, &ops, NULL);
	for (unsigned k = 0; k < n; k++)
		store(hz, 0, MANY_L2_PA + k * 4, mmu_l2_small(PAGE_B, MMU_AP_PRIV_RW, true, false), 0);
	return hz;
}

/* More changed-and-not-invalidated translations than the set holds: the
 * rest is counted as untracked, on each CPU. */
static void test_bounded(void)
{
	const unsigned n = HAZARD_SET_MAX + 104;
	struct hazard_checker *hz = many_changed(2, n);
	CHECK_EQ(hazard_stats(hz)->untracked, 2 * (n - HAZARD_SET_MAX));
	CHECK_EQ(access(hz, 1, 0x80000000u, false), 1);
	hazard_kernel_flush(hz, 0, HAZARD_ALL_CPUS, HAZARD_INV_ALL, 0, 0);
	CHECK(hazard_cpu_quiet(hz, 0) && hazard_cpu_quiet(hz, 1));
	hazard_destroy(hz);
}

/* ---- the 1 MiB hook (hazard_set_mib_hook, --model fill) ------------------ */

#define MAX_MIB_CALLS 64
struct mib_call {
	unsigned cpu;
	uint32_t mib;
	bool on;
};
static struct mib_call mib_calls[MAX_MIB_CALLS];
static unsigned nmib_calls, nmib_all;

static void on_mib(void *arg, unsigned cpu, uint32_t mib, bool on)
{
	(void)arg;
	if (mib == HAZARD_MIB_ALL) {
		nmib_all++;
		return;
	}
	if (nmib_calls < MAX_MIB_CALLS)
		mib_calls[nmib_calls] = (struct mib_call){ cpu, mib, on };
	nmib_calls++;
}

static bool mib_call(unsigned i, unsigned cpu, uint32_t mib, bool on)
{
	return i < nmib_calls && mib_calls[i].cpu == cpu && mib_calls[i].mib == mib && mib_calls[i].on == on;
}

/* By the rules above: a retargeted valid PTE is possibly cached on both
 * CPUs (MiB 0xffc gains a record on each); a second change in the same
 * MiB adds records but no MiB; CPU 0's local flush empties its MiB; CPU
 * 1's IS invalidate keeps the translation pending on CPU 1 (no change)
 * until its DSB and ISB. */
static void test_mib_hook(void)
{
	struct hazard_checker *hz = fresh(2, false);
	hazard_set_mib_hook(hz, on_mib, NULL);
	nmib_calls = nmib_all = 0;
	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_A, MMU_AP_PRIV_RW, true, false), 0);
	store(hz, 0, PTE_PA + 4, mmu_l2_small(PAGE_A, MMU_AP_PRIV_RW, true, false), 0);
	CHECK_EQ(nmib_calls, 0); /* from invalid: nothing cached */
	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_B, MMU_AP_PRIV_RW, true, false), 0);
	CHECK_EQ(nmib_calls, 2);
	CHECK(mib_call(0, 0, VA >> 20, true) && mib_call(1, 1, VA >> 20, true));
	store(hz, 0, PTE_PA + 4, mmu_l2_small(PAGE_C, MMU_AP_PRIV_RW, true, false), 0);
	CHECK_EQ(nmib_calls, 2);
	hazard_kernel_flush(hz, 0, 1u << 0, HAZARD_INV_MVA, VA, 0);
	CHECK_EQ(nmib_calls, 2); /* VA + 0x1000 is still there */
	hazard_kernel_flush(hz, 0, 1u << 0, HAZARD_INV_MVA, VA + 0x1000, 0);
	CHECK_EQ(nmib_calls, 3);
	CHECK(mib_call(2, 0, VA >> 20, false));
	hazard_dsb(hz, 1);
	hazard_invalidate(hz, 1, HAZARD_ALL_CPUS, HAZARD_SIDES, HAZARD_INV_ALL, 0, 0);
	CHECK_EQ(nmib_calls, 3);
	hazard_dsb(hz, 1);
	hazard_isb(hz, 1);
	CHECK_EQ(nmib_calls, 4);
	CHECK(mib_call(3, 1, VA >> 20, false));
	CHECK_EQ(nmib_all, 0);
	hazard_destroy(hz);

	/* HAZARD_SET_MAX (4096) changed pages from 0x80000000 fill 16 MiBs;
	 * the three after them fit nowhere: "anywhere", once each. */
	const unsigned n = HAZARD_SET_MAX + 3;
	setup_tables();
	for (unsigned t = 0; t < (n + 255) / 256; t++) {
		wr(L1_PA + ((0x800u + t) << 2), mmu_l1_table(MANY_L2_PA + t * 1024, 0));
		for (unsigned i = 0; i < 256; i++)
			wr(MANY_L2_PA + t * 1024 + i * 4, mmu_l2_small(PAGE_A, MMU_AP_PRIV_RW, true, false));
	}
	hz = hazard_create(&mem, &regs, 1, false);
	CHECK(hz != NULL);
	hazard_set_mib_hook(hz, on_mib, NULL);
	nmib_calls = nmib_all = 0;
	for (unsigned k = 0; k < n; k++)
		store(hz, 0, MANY_L2_PA + k * 4, mmu_l2_small(PAGE_B, MMU_AP_PRIV_RW, true, false), 0);
	CHECK_EQ(nmib_calls, 16);
	for (unsigned i = 0; i < 16; i++)
		CHECK(mib_call(i, 0, 0x800u + i, true));
	CHECK_EQ(nmib_all, 3);
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_ALL, 0, 0);
	CHECK_EQ(nmib_calls, 32);
	hazard_destroy(hz);
}

/* ---- ASIDs (ARM DDI 0406C B3.9.1, B3.10.4, B4.2.2) ---------------------- */

static uint32_t ng_page(uint32_t pa)
{
	return mmu_l2_small(pa, MMU_AP_PRIV_RW, true, true);
}

static void set_asid(struct hazard_checker *hz, unsigned cpu, uint8_t asid)
{
	regs.contextidr = asid; /* what a walk would see; the checker keeps its own per CPU */
	hazard_asid_changed(hz, cpu, asid);
}

/* A non-global page made valid and rewritten under ASID 5 on CPU 0: CPU 0
 * can hold the old one tagged 5 only; CPU 1, at ASID 0 all along, tagged
 * 0.  Then which invalidate removes what. */
static void test_asid_tags(void)
{
	struct hazard_checker *hz = fresh(2, false);
	set_asid(hz, 0, 5);
	store(hz, 0, PTE_PA, ng_page(PAGE_A), 0xc0002000u);
	store(hz, 0, PTE_PA, ng_page(PAGE_B), 0xc0002010u);
	set_asid(hz, 0, 6);
	CHECK_EQ(access(hz, 0, VA, false), 0); /* ASID 6 matches no entry of A */
	CHECK(!hazard_cpu_quiet(hz, 0));
	CHECK_EQ(access(hz, 1, VA, false), 1);
	CHECK(seen[0].old.ng);
	CHECK_EQ(seen[0].asid, 0);
	set_asid(hz, 0, 5);
	CHECK_EQ(access(hz, 0, VA, false), 1); /* back to ASID 5: A may be there */
	CHECK_EQ(seen[0].asid, 5);
	CHECK_EQ(mmu_pa(&seen[0].old, VA), PAGE_A);
	CHECK_EQ(seen[0].origin.pc, 0xc0002000u);

	/* TLBIMVA names ASID 6: A tagged 5 stays.  TLBIASID 6: stays. */
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_MVA, VA, 6);
	CHECK_EQ(access(hz, 0, VA, false), 1);
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_ASID, 0, 6);
	CHECK_EQ(access(hz, 0, VA, false), 1);
	/* TLBIASID 5 removes every non-global entry of ASID 5. */
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_ASID, 0, 5);
	CHECK(hazard_cpu_quiet(hz, 0));
	/* TLBIMVA of CPU 1's ASID 0 entry by an IS TLBIMVAA from CPU 0. */
	CHECK(!hazard_cpu_quiet(hz, 1));
	hazard_kernel_flush(hz, 0, HAZARD_ALL_CPUS, HAZARD_INV_MVA_ALL_ASID, VA, 77);
	CHECK(hazard_cpu_quiet(hz, 1));
	CHECK_EQ(hazard_stats(hz)->count[HAZARD_STALE], 4);
	hazard_destroy(hz);
}

/* Switching ASID before rewriting (B3.10.4): while ASID 6 was current the
 * old descriptor was still valid, so a walk may have cached it tagged 6
 * as well as 5.  TLBIMVA VA, 6 removes only the first. */
static void test_asid_switch_then_rewrite(void)
{
	struct hazard_checker *hz = fresh(1, false);
	set_asid(hz, 0, 5);
	store(hz, 0, PTE_PA, ng_page(PAGE_A), 0);
	set_asid(hz, 0, 6);
	store(hz, 0, PTE_PA, ng_page(PAGE_B), 0);
	CHECK_EQ(access(hz, 0, VA, false), 1);
	CHECK_EQ(seen[0].asid, 6);
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_MVA, VA, 6);
	CHECK_EQ(access(hz, 0, VA, false), 0);
	CHECK(!hazard_cpu_quiet(hz, 0)); /* the entry tagged 5 */
	set_asid(hz, 0, 5);
	CHECK_EQ(access(hz, 0, VA, false), 1);
	CHECK_EQ(seen[0].asid, 5);
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_MVA, VA + 0x123, 5); /* any address in the page */
	CHECK(hazard_cpu_quiet(hz, 0));
	hazard_destroy(hz);
}

/* Only the ASIDs current while the descriptor was valid: ASID 3 was left
 * before A was stored, so A cannot be tagged 3.  A descriptor valid since
 * before the checker started may be tagged with any ASID ever current. */
static void test_asid_window(void)
{
	setup_tables();
	wr(PTE_PA + 4, ng_page(PAGE_C)); /* VA + 0x1000, valid since boot */
	struct hazard_checker *hz = hazard_create(&mem, &regs, 1, false);
	CHECK(hz != NULL);
	hazard_set_ops(hz, &ops, NULL);
	set_asid(hz, 0, 3);
	set_asid(hz, 0, 5);
	store(hz, 0, PTE_PA, ng_page(PAGE_A), 0);
	store(hz, 0, PTE_PA, ng_page(PAGE_B), 0);
	store(hz, 0, PTE_PA + 4, ng_page(PAGE_A), 0);
	set_asid(hz, 0, 3);
	CHECK_EQ(access(hz, 0, VA, false), 0);
	CHECK_EQ(access(hz, 0, VA + 0x1000, false), 1);
	CHECK_EQ(seen[0].asid, 3);
	set_asid(hz, 0, 0);
	CHECK_EQ(access(hz, 0, VA, false), 0);
	CHECK_EQ(access(hz, 0, VA + 0x1000, false), 1); /* ASID 0 at the start */
	set_asid(hz, 0, 9);
	CHECK_EQ(access(hz, 0, VA + 0x1000, false), 0); /* never current while valid */
	set_asid(hz, 0, 5);
	CHECK_EQ(access(hz, 0, VA, false), 1);
	/* TLBIALL removes every ASID's entries. */
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_ALL, 0, 0);
	CHECK(hazard_cpu_quiet(hz, 0));
	hazard_destroy(hz);
}

/* A global page matches every ASID; TLBIASID leaves it, a TLBIMVA naming
 * any ASID removes it. */
static void test_asid_global(void)
{
	struct hazard_checker *hz = fresh(1, false);
	set_asid(hz, 0, 5);
	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_A, MMU_AP_PRIV_RW, true, false), 0);
	store(hz, 0, PTE_PA, mmu_l2_small(PAGE_B, MMU_AP_PRIV_RW, true, false), 0);
	set_asid(hz, 0, 7);
	CHECK_EQ(access(hz, 0, VA, false), 1);
	CHECK(!seen[0].old.ng);
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_ASID, 0, 5);
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_ASID, 0, 7);
	CHECK_EQ(access(hz, 0, VA, false), 1);
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_MVA, VA, 200);
	CHECK(hazard_cpu_quiet(hz, 0));
	hazard_destroy(hz);
}

/* A PTE stored by CPU 1 and invalidated by CPU 0 (TLBIMVAIS): CPU 1's DSB
 * must come between.  Without it the barrier names both CPUs, and the old
 * translation stays possibly cached on both (the walkers may refill it). */
static void test_remote_store_order(void)
{
	struct hazard_checker *hz = fresh(2, false);
	store(hz, 1, PTE_PA, mmu_l2_small(PAGE_A, MMU_AP_PRIV_RW, true, false), 0);
	store(hz, 1, PTE_PA, mmu_l2_small(PAGE_B, MMU_AP_PRIV_RW, true, false), 0xc0003000u);
	hazard_dsb(hz, 0); /* CPU 0's own DSB does not publish CPU 1's store */
	nseen = 0;
	hazard_invalidate(hz, 0, HAZARD_ALL_CPUS, HAZARD_SIDES, HAZARD_INV_MVA, VA, 0);
	CHECK_EQ(nseen, 1);
	CHECK_EQ(seen[0].kind, HAZARD_BARRIER);
	CHECK_EQ(seen[0].why, HAZARD_NO_DSB_BEFORE_TLBI);
	CHECK_EQ(seen[0].cpu, 0);
	CHECK_EQ(seen[0].store_cpu, 1);
	hazard_dsb(hz, 0);
	hazard_isb(hz, 0);
	CHECK_EQ(access(hz, 0, VA, false), 1);
	CHECK(seen[0].kind == HAZARD_STALE && seen[0].refill);
	CHECK_EQ(access(hz, 1, VA, false), 1);
	/* The right order: CPU 1's DSB, then CPU 0's invalidate. */
	hazard_dsb(hz, 1);
	nseen = 0;
	hazard_invalidate(hz, 0, HAZARD_ALL_CPUS, HAZARD_SIDES, HAZARD_INV_MVA, VA, 0);
	CHECK_EQ(nseen, 0);
	hazard_dsb(hz, 0);
	hazard_isb(hz, 0);
	CHECK(hazard_cpu_quiet(hz, 0) && hazard_cpu_quiet(hz, 1));
	CHECK_EQ(hazard_stats(hz)->count[HAZARD_BARRIER], 1);
	hazard_destroy(hz);
}

/* More translations than the pending set holds, removed by one invalidate:
 * the kernel's flush (DSB; TLBIALL; DSB; ISB, nothing between) leaves
 * nothing pending, so nothing is lost; a guest TLBIALL keeps what it
 * removed pending until its DSB and ISB, and what does not fit is counted. */
static void test_pending_bound(void)
{
	const unsigned n = HAZARD_PENDING_MAX + 100;
	struct hazard_checker *hz = many_changed(1, n);
	hazard_kernel_flush(hz, 0, 1, HAZARD_INV_ALL, 0, 0);
	CHECK_EQ(hazard_stats(hz)->untracked, 0);
	CHECK(hazard_cpu_quiet(hz, 0));
	for (unsigned k = 0; k < n; k++)
		store(hz, 0, MANY_L2_PA + k * 4, mmu_l2_small(PAGE_C, MMU_AP_PRIV_RW, true, false), 0);
	hazard_dsb(hz, 0);
	hazard_invalidate(hz, 0, 1, HAZARD_SIDES, HAZARD_INV_ALL, 0, 0);
	CHECK_EQ(hazard_stats(hz)->untracked, 100);
	hazard_dsb(hz, 0);
	hazard_isb(hz, 0);
	CHECK(hazard_cpu_quiet(hz, 0));
	hazard_destroy(hz);
}

/* hazard_set_epoch: whatever an emulator may cache about a CPU (whether it
 * is quiet, whether a VA's MiB is, whether a page is watched, that no
 * descriptor changed) changes only with that CPU's epoch.  The sequence
 * is test_two_cpus's: the expected quiet states follow from B3.10.1 as
 * there; each step checks that a CPU whose answers changed has a new
 * epoch, and every descriptor store moves both. */
struct epoch_view {
	bool quiet, va_quiet;
	uint32_t watch_gen;
};

static struct epoch_view view(const struct hazard_checker *hz, unsigned cpu)
{
	return (struct epoch_view){ hazard_cpu_quiet(hz, cpu), hazard_va_quiet(hz, cpu, VA),
				    hazard_pt_watch_gen(hz) };
}

static void check_epochs(const struct hazard_checker *hz, const struct epoch_view *was,
			 const uint64_t *epoch_was, const uint64_t *epoch)
{
	for (unsigned c = 0; c < 2; c++) {
		struct epoch_view now = view(hz, c);
		if (now.quiet != was[c].quiet || now.va_quiet != was[c].va_quiet ||
		    now.watch_gen != was[c].watch_gen)
			CHECK(epoch[c] != epoch_was[c]);
	}
}

static void test_epoch(void)
{
	struct hazard_checker *hz = fresh(2, false);
	uint64_t epoch[2] = { 0, 0 }, was[2];
	struct epoch_view v[2];
	hazard_set_epoch(hz, 0, &epoch[0]);
	hazard_set_epoch(hz, 1, &epoch[1]);
#define STEP(op)                                                        \
	do {                                                            \
		v[0] = view(hz, 0), v[1] = view(hz, 1);                 \
		was[0] = epoch[0], was[1] = epoch[1];                   \
		op;                                                     \
		check_epochs(hz, v, was, epoch);                        \
	} while (0)
	STEP(store(hz, 0, PTE_PA, mmu_l2_small(PAGE_A, MMU_AP_PRIV_RW, true, false), 0));
	CHECK(epoch[0] != was[0] && epoch[1] != was[1]); /* a store moves every CPU's */
	STEP(store(hz, 0, PTE_PA, mmu_l2_small(PAGE_B, MMU_AP_PRIV_RW, true, false), 0));
	CHECK(!hazard_cpu_quiet(hz, 0) && !hazard_cpu_quiet(hz, 1));
	CHECK(epoch[0] != was[0] && epoch[1] != was[1]);
	STEP(hazard_kernel_flush(hz, 0, 1u << 0, HAZARD_INV_MVA, VA, 0));
	CHECK(hazard_cpu_quiet(hz, 0) && epoch[0] != was[0]);
	STEP(hazard_invalidate(hz, 1, HAZARD_ALL_CPUS, HAZARD_SIDES, HAZARD_INV_MVA, VA, 0));
	STEP(hazard_dsb(hz, 1));
	STEP(hazard_isb(hz, 1));
	CHECK(hazard_cpu_quiet(hz, 1) && epoch[1] != was[1]);
	/* A new first-level table: its pages become watched. */
	const uint32_t l1b = 0x10000u;
	wr(l1b + (0xffcu << 2), mmu_l1_table(L2_PA, 0));
	regs.ttbr0 = regs.ttbr1 = l1b;
	STEP(hazard_tables_changed(hz));
	CHECK(epoch[0] != was[0] && epoch[1] != was[1]);
	/* NULL: not told any more. */
	hazard_set_epoch(hz, 0, NULL);
	was[0] = epoch[0];
	store(hz, 1, PTE_PA, mmu_l2_small(PAGE_C, MMU_AP_PRIV_RW, true, false), 0);
	CHECK_EQ(epoch[0], was[0]);
#undef STEP
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
	test_mib_hook();
	test_asid_tags();
	test_asid_switch_then_rewrite();
	test_asid_window();
	test_asid_global();
	test_remote_store_order();
	test_pending_bound();
	test_epoch();
	free(mem.host);
	return check_done();
}
