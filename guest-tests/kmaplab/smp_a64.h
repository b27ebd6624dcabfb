/* SPDX-License-Identifier: MIT */
/* kmaplab/smp_a64.h — the AArch64 half of kmaplab/smp.h: barriers,
 * preempt_count, smp_processor_id, spinlock_t and atomic_t on A64
 * exclusives.  Included by smp.h only for __aarch64__; the kthread,
 * scheduler and cross-call parts of smp.h are shared.
 *
 * The AArch64 machine models one CPU (docs/aarch64.md): several tasks run
 * on it, switched by schedule()/cond_resched() and the --tick preemption
 * (docs/sched.md), so the locks and atomics below do guard against a
 * preempted task, not against a second CPU. */
#ifndef KMAPLAB_SMP_A64_H
#define KMAPLAB_SMP_A64_H

#include <stdbool.h>
#include <stdint.h>

/* smp_mb(): DMB ISH (arch/arm64/include/asm/barrier.h, v5.10). */
static inline void smp_mb(void)
{
	__asm__ volatile("dmb ish" ::: "memory");
}

static inline void cpu_relax(void)
{
	__kmaplab_barrier();
}

/* preempt_count: arm64 Linux keeps it in thread_info, found through SP_EL0
 * (`current`).  kmaplab keeps the running task's in TPIDRRO_EL0, which the
 * host saves and restores with the task (emu/sched_a64.c), so that the tick
 * does not switch a task out while it is non-zero.  kmap_atomic()'s part
 * is kept by the host. */
static inline uint32_t preempt_count(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, tpidrro_el0" : "=r"(v));
	return (uint32_t)v;
}

static inline void __kmaplab_preempt_count_set(uint32_t v)
{
	__asm__ volatile("msr tpidrro_el0, %0" : : "r"((uint64_t)v) : "memory");
}

#include "preempt.h"

/* The CPU number: arm64 Linux reaches per-CPU data through TPIDR_EL1
 * (__my_cpu_offset); the host writes the CPU number there at boot: 0,
 * the only CPU. */
static inline unsigned int smp_processor_id(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(v));
	return (unsigned int)v;
}

/* picolibc's stdio needs nothing here: one CPU, and its console output
 * is one semihosting call per write. */
static inline void __kmaplab_smp_stdio(void)
{
}

/* ---- spinlock_t ----
 * arm64 v5.10 has no lock of its own: arch/arm64/include/asm/spinlock.h
 * pulls in the generic queued spinlock (asm/qspinlock.h ->
 * include/asm-generic/qspinlock.h).  Its uncontended path is what is
 * modelled: lock = an acquire compare-and-swap of the lock word from 0
 * to "locked", unlock = a release store of 0 to the locked byte.  The
 * contended path here waits on the word with LDAXR and WFE (what arm64's
 * smp_cond_load_acquire() does through __cmpwait) instead of the MCS
 * queue; on one CPU with preemption off while a lock is held, nobody
 * ever waits. */

typedef struct {
	volatile uint32_t val; /* the locked byte is bits 7:0 */
} spinlock_t;

#define __KMAPLAB_Q_LOCKED_VAL 1u

static inline void spin_lock_init(spinlock_t *lock)
{
	lock->val = 0;
}

/* cmpxchg_acquire(&lock->val, 0, locked): LDAXR/STXR; true if it was 0. */
static inline bool __kmaplab_spin_try(spinlock_t *lock)
{
	uint32_t old, fail;
	__asm__ volatile("1:	ldaxr	%w0, [%2]\n"
			 "	cbnz	%w0, 2f\n"
			 "	stxr	%w1, %w3, [%2]\n"
			 "	cbnz	%w1, 1b\n"
			 "	b	3f\n"
			 "2:	clrex\n"
			 "3:"
			 : "=&r"(old), "=&r"(fail)
			 : "r"(&lock->val), "r"(__KMAPLAB_Q_LOCKED_VAL)
			 : "memory");
	return old == 0;
}

static inline void spin_lock(spinlock_t *lock)
{
	preempt_disable();
	while (!__kmaplab_spin_try(lock)) {
		uint32_t v;
		/* Arm the monitor on the word, sleep until it changes. */
		__asm__ volatile("ldaxr %w0, [%1]" : "=&r"(v) : "r"(&lock->val) : "memory");
		if (v)
			__asm__ volatile("wfe" ::: "memory");
	}
}

static inline bool spin_trylock(spinlock_t *lock)
{
	preempt_disable();
	if (__kmaplab_spin_try(lock))
		return true;
	preempt_enable();
	return false;
}

/* queued_spin_unlock(): smp_store_release(&lock->locked, 0) -- STLRB. */
static inline void spin_unlock(spinlock_t *lock)
{
	__asm__ volatile("stlrb wzr, [%0]" : : "r"(&lock->val) : "memory");
	preempt_enable();
}

/* ---- atomic_t: the LL/SC forms of arch/arm64/include/asm/atomic_ll_sc.h
 * (v5.10; kmaplab-cc builds for ARMv8.0, which has no LSE atomics) ---- */

/* atomic_add(): the relaxed form -- LDXR, ADD, STXR, retry; no barrier. */
static inline void atomic_add(int i, atomic_t *v)
{
	int result;
	uint32_t fail;
	__asm__ volatile("1:	ldxr	%w0, [%2]\n"
			 "	add	%w0, %w0, %w3\n"
			 "	stxr	%w1, %w0, [%2]\n"
			 "	cbnz	%w1, 1b"
			 : "=&r"(result), "=&r"(fail)
			 : "r"(&v->counter), "r"(i)
			 : "memory");
}

/* atomic_add_return(): the fully ordered form -- the store-exclusive is a
 * release (STLXR) and a DMB ISH follows the loop. */
static inline int atomic_add_return(int i, atomic_t *v)
{
	int result;
	uint32_t fail;
	__asm__ volatile("1:	ldxr	%w0, [%2]\n"
			 "	add	%w0, %w0, %w3\n"
			 "	stlxr	%w1, %w0, [%2]\n"
			 "	cbnz	%w1, 1b\n"
			 "	dmb	ish"
			 : "=&r"(result), "=&r"(fail)
			 : "r"(&v->counter), "r"(i)
			 : "memory");
	return result;
}

/* atomic_cmpxchg(): the fully ordered __cmpxchg_case_mb_32 -- LDXR, compare,
 * STLXR, retry, DMB ISH; no barrier when the compare fails. */
static inline int atomic_cmpxchg(atomic_t *v, int old, int new)
{
	int prev;
	uint32_t fail;
	__asm__ volatile("1:	ldxr	%w0, [%2]\n"
			 "	cmp	%w0, %w3\n"
			 "	b.ne	2f\n"
			 "	stlxr	%w1, %w4, [%2]\n"
			 "	cbnz	%w1, 1b\n"
			 "	dmb	ish\n"
			 "2:"
			 : "=&r"(prev), "=&r"(fail)
			 : "r"(&v->counter), "r"(old), "r"(new)
			 : "cc", "memory");
	return prev;
}

#endif
