/* SPDX-License-Identifier: MIT */
/* Unit tests of cross-CPU TLB maintenance (mm/smp_tlb.c) and host-run
 * kernel lock contention (mm/smp_lock.c), on bare struct mm with four
 * cortex-a7 TLBs.  Expected values come from the rules in mm/smp.h and
 * docs/smp.md, worked out here:
 *
 *   IS by-VA operation from CPU c: every other CPU's TLB drops its entries
 *   for the VA; the issuer pays is_op * (N - 1) (2 * 3 = 6 cycles); the
 *   DSB after it is_sync (20).
 *   IPI shootdown from CPU c at time T with handler work W: target i (in
 *   order, skipping c) is sent at T + k * ipi_send (k = 1, 2, 3), starts at
 *   max(its clock, that time) and ends ipi_entry + W + ipi_exit later; the
 *   issuer pays the sends, then waits from T + 3 * ipi_send for the last
 *   end, plus ipi_ack.
 *   A lock section [100, 200] on CPU 1: CPU 0 taking it at 150 spins 50;
 *   at 250 it does not spin; at 50 (before the section) neither. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "core.h"
#include "mm.h"
#include "smp.h"
#include "tlb.h"

static struct mmu_translation page(uint32_t va, uint32_t pa)
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
	return t;
}

static bool holds(struct tlb *tlb, uint32_t va)
{
	enum tlb_hit hit;
	tlb_lookup(tlb, TLB_SIDE_D, va, 0, &hit);
	return hit != TLB_MISS;
}

static void setup(struct mm *mm, unsigned n, unsigned cpu)
{
	memset(mm, 0, sizeof(*mm));
	mm->core = core_profile_find("cortex-a7");
	mm->smp.ncpus = n;
	mm->smp.cpu = cpu;
	smp_costs_default(&mm->smp.costs);
	for (unsigned i = 0; i < n; i++)
		mm->smp.tlb[i] = tlb_create(mm->core, 1 + i);
	mm->tlb = mm->smp.tlb[cpu];
}

static void teardown(struct mm *mm)
{
	for (unsigned i = 0; i < mm->smp.ncpus; i++)
		tlb_destroy(mm->smp.tlb[i]);
}

static void test_is(void)
{
	struct mm mm;
	setup(&mm, 4, 1);
	struct mmu_translation a = page(0xffc00000u, 0x100000u), b = page(0xffc01000u, 0x101000u);
	for (unsigned i = 0; i < 4; i++) {
		tlb_fill(mm.smp.tlb[i], TLB_SIDE_D, &a, 0);
		tlb_fill(mm.smp.tlb[i], TLB_SIDE_D, &b, 0);
	}
	CHECK_EQ(smp_tlb_is_mva(&mm, a.va_base, 0), 2 * 3);
	CHECK_EQ(smp_tlb_is_sync(&mm), 20);
	for (unsigned i = 0; i < 4; i++) {
		/* The issuer's own TLB is the caller's to invalidate. */
		CHECK_EQ(holds(mm.smp.tlb[i], a.va_base), i == 1);
		CHECK(holds(mm.smp.tlb[i], b.va_base));
		if (i != 1)
			CHECK(mm.smp.stats[i].remote_invalidated >= 1);
	}
	CHECK_EQ(mm.smp.stats[1].remote_invalidated, 0);
	CHECK_EQ(mm.smp.stats[1].is_ops, 1);
	CHECK(smp_tlb_is_all(&mm) > 0);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(holds(mm.smp.tlb[i], b.va_base), i == 1);
	/* Guest TLBIMVAIS: the other CPUs; a non-IS TLBIMVA: nobody else. */
	for (unsigned i = 0; i < 4; i++)
		tlb_fill(mm.smp.tlb[i], TLB_SIDE_D, &a, 0);
	CHECK_EQ(smp_tlbi_broadcast(&mm, TLBI_TLBIMVA, a.va_base), 0);
	CHECK(holds(mm.smp.tlb[0], a.va_base));
	CHECK_EQ(smp_tlbi_broadcast(&mm, TLBI_TLBIMVAIS, a.va_base), 2 * 3 + 20);
	CHECK(!holds(mm.smp.tlb[0], a.va_base) && !holds(mm.smp.tlb[3], a.va_base));
	teardown(&mm);

	/* One CPU: nothing to broadcast, nothing charged. */
	setup(&mm, 1, 0);
	CHECK_EQ(smp_tlb_is_mva(&mm, 0x1000, 0) + smp_tlb_is_sync(&mm) + smp_tlb_is_all(&mm), 0);
	teardown(&mm);
}

static unsigned apply_a(struct tlb *tlb, void *arg)
{
	return tlb_invalidate_mva(tlb, TLB_SCOPE_ALL, *(uint32_t *)arg, 0);
}

static void test_ipi(void)
{
	struct mm mm;
	setup(&mm, 4, 2);
	const struct smp_costs *c = &mm.smp.costs;
	uint64_t T = 1000, W = 50;
	mm.stats.cycles = T;
	mm.smp.clock[0] = 0;     /* idle behind: takes it when sent */
	mm.smp.clock[1] = 5000;  /* ahead: takes it at its own time */
	mm.smp.clock[3] = 1100;
	struct mmu_translation a = page(0xffc00000u, 0x100000u);
	for (unsigned i = 0; i < 4; i++)
		tlb_fill(mm.smp.tlb[i], TLB_SIDE_D, &a, 0);
	uint32_t va = a.va_base;
	uint64_t cost = smp_ipi_each(&mm, W, apply_a, &va, false, va, 1);
	uint64_t handler = c->ipi_entry + W + c->ipi_exit;
	uint64_t end0 = T + 1 * c->ipi_send + handler;     /* CPU 0, sent first */
	uint64_t end1 = 5000 + handler;                    /* CPU 1 */
	uint64_t t3 = T + 3 * c->ipi_send;                 /* CPU 3, sent third */
	uint64_t end3 = (t3 > 1100 ? t3 : 1100) + handler;
	CHECK_EQ(mm.smp.clock[0], end0);
	CHECK_EQ(mm.smp.clock[1], end1);
	CHECK_EQ(mm.smp.clock[3], end3);
	uint64_t last = end1 > end3 ? (end1 > end0 ? end1 : end0) : (end3 > end0 ? end3 : end0);
	CHECK_EQ(cost, 3 * c->ipi_send + (last - (T + 3 * c->ipi_send)) + c->ipi_ack);
	CHECK_EQ(mm.smp.stats[2].ipi_sent, 3);
	for (unsigned i = 0; i < 4; i++) {
		CHECK_EQ(mm.smp.stats[i].ipi_received, i == 2 ? 0 : 1);
		CHECK_EQ(holds(mm.smp.tlb[i], va), i == 2);
	}
	CHECK_EQ(mm.smp.remote_cycles[0], handler);
	CHECK_EQ(mm.smp.stats[0].idle_cycles, T + c->ipi_send);
	teardown(&mm);
}

static void test_lock(void)
{
	struct mm mm;
	setup(&mm, 2, 1);
	mm.stats.cycles = 100;
	smp_klock_acquire(&mm, SMP_KLOCK_KMAP);
	mm.stats.cycles = 200;
	smp_klock_release(&mm, SMP_KLOCK_KMAP);
	mm.smp.cpu = 0;
	mm.stats.cycles = 150;
	smp_klock_acquire(&mm, SMP_KLOCK_KMAP);
	CHECK_EQ(mm.stats.cycles, 200);
	CHECK_EQ(mm.smp.stats[0].spin_cycles, 50);
	CHECK_EQ(mm.smp.stats[0].lock_contended, 1);
	smp_klock_release(&mm, SMP_KLOCK_KMAP);
	/* CPU 1 again at 250, after CPU 0's section [200, 200]: no spin;
	 * then at 50, before it: no spin either (the scheduler's order). */
	mm.smp.cpu = 1;
	mm.stats.cycles = 250;
	smp_klock_acquire(&mm, SMP_KLOCK_KMAP);
	CHECK_EQ(mm.stats.cycles, 250);
	smp_klock_release(&mm, SMP_KLOCK_KMAP);
	mm.smp.cpu = 0;
	mm.stats.cycles = 50;
	smp_klock_acquire(&mm, SMP_KLOCK_KMAP);
	CHECK_EQ(mm.stats.cycles, 50);
	CHECK_EQ(mm.smp.stats[0].lock_contended, 1);
	teardown(&mm);
}

int main(void)
{
	test_is();
	test_ipi();
	test_lock();
	return check_done();
}
