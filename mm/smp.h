/* SPDX-License-Identifier: MIT */
/* SMP: what mm/ knows of the other CPUs -- their modelled TLBs, their cycle
 * clocks, how TLB maintenance reaches them -- and the per-CPU counters of
 * cross-CPU work (shootdowns, IPIs, lock spinning).
 *
 * The emulator (emu/smp.c) owns the CPUs and switches mm to the one that
 * runs: mm->tlb, mm->regs and mm->stats.cycles are always the running
 * CPU's (mm->stats.cycles is its clock); smp.clock[] holds the others'.
 * With one CPU nothing here changes a number: every broadcast below is a
 * no-op and costs nothing, so `--cpus 1` is the single-core model.
 *
 * How ARM Linux v5.10 reaches the other CPUs (arch/arm/kernel/smp_tlb.c,
 * arch/arm/include/asm/tlbflush.h, arch/arm/mm/tlb-v7.S):
 *   - flush_tlb_kernel_range(), flush_tlb_kernel_page(), flush_tlb_all():
 *     if tlb_ops_need_broadcast() (an ARMv6 SMP core: ID_MMFR3 says its
 *     maintenance is not broadcast in hardware) the flush is
 *     on_each_cpu(ipi_flush_tlb_*, &args, 1): the caller runs the local
 *     routine itself, sends an IPI to every other online CPU, each of them
 *     runs the same local routine in its IPI handler, and the caller waits
 *     for all of them.  Otherwise (ARMv7 with the Multiprocessing
 *     Extensions) the local routine is used, whose SMP form in tlb-v7.S
 *     issues the Inner Shareable operations (TLBIMVAIS, TLBIALLIS, BPIALLIS):
 *     the hardware invalidates the matching entries in every CPU's TLB, and
 *     the caller's DSB waits until they all completed.
 *   - then broadcast_tlb_a15_erratum(): with Cortex-A15 erratum 798181
 *     configured, a dummy TLBIMVAIS + DSB (dummy_flush_tlb_a15_erratum) and
 *     smp_call_function(ipi_flush_tlb_a15_erratum, NULL, 1): an IPI to
 *     every other CPU that runs a DMB, waited for.
 *   - local_flush_tlb_kernel_page() (kmap_atomic's set_fixmap_pte) is
 *     local on every core: TLBIMVA on this CPU only. */
#ifndef KMAPLAB_MM_SMP_H
#define KMAPLAB_MM_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "tlb.h"
#include "tlbi.h"

/* The most CPUs a machine may have (`--cpus`). */
#define NR_CPUS_MAX 8u

enum tlb_broadcast {
	TLB_BROADCAST_IS,  /* ARMv7 MP: Inner Shareable operations */
	TLB_BROADCAST_IPI, /* tlb_ops_need_broadcast(): on_each_cpu(ipi_flush_tlb_*) */
};

/* Cycle costs of cross-CPU work; every one is an ASSUMPTION (no TRM gives
 * them) and docs/smp.md lists them. */
struct smp_costs {
	unsigned is_op;      /* per IS operation, per other CPU: the DVM message */
	unsigned is_sync;    /* the DSB after IS operations: waiting for every CPU to complete */
	unsigned ipi_send;   /* the caller's part of one IPI: csd set-up and its share of the SGI write */
	unsigned ipi_entry;  /* the target: IRQ entry, GIC acknowledge, call-function dispatch */
	unsigned ipi_exit;   /* the target: EOI, csd unlock, return from the IRQ */
	unsigned ipi_ack;    /* the caller seeing the csd unlocked once the target is done */
	unsigned dmb;        /* ipi_flush_tlb_a15_erratum's DMB */
};

/* Per-CPU counters of cross-CPU work (stats: cpus[i].smp.*). */
struct smp_cpu_stats {
	uint64_t is_ops;             /* IS operations this CPU issued */
	uint64_t remote_invalidated; /* entries of this CPU's TLB removed by another CPU's IS op or IPI */
	uint64_t ipi_sent;
	uint64_t ipi_received;
	uint64_t ipi_send_cycles;    /* sending and waiting for IPIs this CPU sent */
	uint64_t ipi_handler_cycles; /* running IPI handlers for other CPUs */
	uint64_t spin_cycles;        /* spinning on a contended kernel lock (kmap_lock, ...) */
	uint64_t lock_contended;     /* contended acquisitions */
	uint64_t idle_cycles;        /* parked or asleep (the clock moved without work) */
	uint64_t wfe_cycles;         /* waiting in WFE for another CPU (spin_lock) */
};

/* A kernel spinlock run by the host (mm/smp_lock.c): its last critical
 * section in model time. */
struct smp_klock {
	bool held;                   /* a section was recorded */
	unsigned cpu;
	uint64_t acquired, released;
	unsigned pending_cpu;
	uint64_t pending;
};

#define SMP_KLOCK_KMAP 0u         /* kmap_lock */
#define SMP_KLOCK_PA_BUCKET 1u    /* + bucket: page_address_htable[bucket].lock */
#define SMP_NR_KLOCKS (1u + 128u)

struct mm_smp {
	unsigned ncpus;              /* 1..NR_CPUS_MAX */
	unsigned cpu;                /* the CPU running */
	struct tlb *tlb[NR_CPUS_MAX];
	uint64_t clock[NR_CPUS_MAX]; /* the clocks of the CPUs not running */
	/* Cycles charged to CPU i while another CPU ran (IPI handlers): part
	 * of the machine's total, not of the running CPU's. */
	uint64_t remote_cycles[NR_CPUS_MAX];
	enum tlb_broadcast broadcast;
	bool erratum_798181;         /* CONFIG_ARM_ERRATA_798181 on an affected A15 */
	struct smp_costs costs;
	struct smp_cpu_stats stats[NR_CPUS_MAX];
	struct smp_klock klocks[SMP_NR_KLOCKS];
};

struct mm;

/* The defaults of smp_costs (docs/smp.md). */
void smp_costs_default(struct smp_costs *c);

/* The running CPU's clock. */
uint64_t smp_now(const struct mm *mm);

/* An Inner Shareable TLB operation by the running CPU, after the caller
 * applied it to its own TLB: the same invalidation in every other CPU's
 * TLB (counted there as remote_invalidated; their emulator TLBs flushed),
 * and the cost of the broadcast for `ops` operations returned (0 with one
 * CPU).  `all` selects TLBIALLIS (va ignored), else TLBIMVA(A)IS of va. */
uint64_t smp_tlb_is_mva(struct mm *mm, uint32_t va, uint8_t asid);
uint64_t smp_tlb_is_all(struct mm *mm);
/* The DSB that completes a sequence of IS operations (0 with one CPU). */
uint64_t smp_tlb_is_sync(struct mm *mm);

/* A guest-executed IS form (TLBI_TLBI*IS) with Rt `rt`, after tlbi_apply()
 * on the running CPU: applies it to every other CPU; returns the extra
 * cycles of the broadcast (0 with one CPU or a non-IS op). */
uint64_t smp_tlbi_broadcast(struct mm *mm, enum tlbi_op op, uint32_t rt);

/* on_each_cpu(func, args, 1) where func is a local TLB flush: for every
 * other CPU, `apply` runs on its TLB (its emulator TLB flushed: `va` page,
 * or everything if `all`), its clock pays `handler_cycles` plus the IPI
 * entry and exit from when the IPI reaches it, and the counters move.
 * Returns the cycles the running CPU spends sending and waiting (0 with one
 * CPU).  The caller runs and charges its own local part. */
typedef unsigned (*smp_tlb_apply_fn)(struct tlb *tlb, void *arg);
uint64_t smp_ipi_each(struct mm *mm, uint64_t handler_cycles, smp_tlb_apply_fn apply, void *arg,
		      bool all, uint32_t va, uint32_t pages);

/* broadcast_tlb_a15_erratum(): the dummy TLBIMVAIS + DSB and a DMB IPI to
 * every other CPU, if erratum_798181; returns the running CPU's cycles. */
uint64_t smp_a15_erratum(struct mm *mm);

/* spin_lock()/spin_unlock() of kernel lock `id` (SMP_KLOCK_*) by the
 * running CPU: charges the spinning if another CPU held it at this time
 * (mm/smp_lock.c).  No-ops with one CPU. */
void smp_klock_acquire(struct mm *mm, unsigned id);
void smp_klock_release(struct mm *mm, unsigned id);

#endif
