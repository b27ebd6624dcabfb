/* SPDX-License-Identifier: MIT */
/* kmaplab/smp.h — the kernel's SMP primitives for kmaplab guests (included
 * by kmaplab/guest.h).  Names and meanings are Linux's:
 *   smp_processor_id, num_online_cpus        include/linux/smp.h, cpumask.h
 *   on_each_cpu, smp_call_function_single    kernel/smp.c (v5.10)
 *   kthread_run_on_cpu, kthread_stop,
 *   kthread_should_stop                      include/linux/kthread.h
 *   spinlock_t, spin_lock, spin_unlock       arch/arm/include/asm/spinlock.h
 *   atomic_t and its operations              arch/arm/include/asm/atomic.h
 *   smp_mb, preempt_disable/enable           asm/barrier.h, linux/preempt.h
 *
 * Spinlocks and atomics are real guest code on LDREX/STREX: CPUs really
 * interleave (docs/smp.md says at what granularity), so a data race
 * really corrupts data.  Kthreads, IPIs and sleeping are hypercalls
 * (kmaplab/hypercall.h): the host parks, wakes and interrupts CPUs.
 * On AArch64 (one modelled CPU, several tasks on it) the barriers, locks
 * and atomics are kmaplab/smp_a64.h's; IPIs to another CPU stop the run
 * (docs/aarch64.md). */
#ifndef KMAPLAB_SMP_H
#define KMAPLAB_SMP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kmaplab/hypercall.h"

/* What is the same on both architectures; each architecture's file gives
 * the barriers, preempt_count's register, the spinlock_t and the atomic
 * primitives (atomic_add, atomic_add_return, atomic_cmpxchg). */
#define __kmaplab_barrier() __asm__ volatile("" ::: "memory")

#define __SPIN_LOCK_UNLOCKED(name) { 0 }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED(x)

typedef struct {
	volatile int counter;
} atomic_t;

#define ATOMIC_INIT(i) { (i) }

static inline int atomic_read(const atomic_t *v)
{
	return v->counter;
}

static inline void atomic_set(atomic_t *v, int i)
{
	v->counter = i;
}

#ifdef __aarch64__
#include "kmaplab/smp_a64.h"
#else
/* The compiler barrier (the kernel's barrier(); not defined under that
 * name here, which guests may use for their own). */

/* smp_mb(): DMB ISH on ARMv7; ARMv6's CP15 barrier (asm/barrier.h). */
static inline void smp_mb(void)
{
#if __ARM_ARCH >= 7
	__asm__ volatile("dmb ish" ::: "memory");
#else
	__asm__ volatile("mcr p15, 0, %0, c7, c10, 5" : : "r"(0) : "memory");
#endif
}

/* dsb_sev(): the unlocking store visible, then wake WFE waiters. */
static inline void __kmaplab_dsb_sev(void)
{
#if __ARM_ARCH >= 7
	__asm__ volatile("dsb ishst\n\tsev" ::: "memory");
#else
	__asm__ volatile("mcr p15, 0, %0, c7, c10, 4\n\tsev" : : "r"(0) : "memory");
#endif
}

static inline void cpu_relax(void)
{
	__kmaplab_barrier();
}

/* preempt_count: kmaplab keeps the running task's in TPIDRURO (CP15 c13,
 * c0, 3, which the host saves and restores with the task; ARM Linux keeps
 * it in thread_info), so that the scheduler tick does not switch a task
 * out while it is non-zero (docs/sched.md).  kmap_atomic's part is kept
 * by the host. */
static inline uint32_t preempt_count(void)
{
	uint32_t v;
	__asm__ volatile("mrc p15, 0, %0, c13, c0, 3" : "=r"(v));
	return v;
}

static inline void __kmaplab_preempt_count_set(uint32_t v)
{
	__asm__ volatile("mcr p15, 0, %0, c13, c0, 3" : : "r"(v) : "memory");
}

#include "preempt.h"

/* The CPU number lives in TPIDRPRW (CP15 c13, c0, 4), which ARM Linux
 * uses for the per-CPU offset; the host writes it at boot. */
static inline unsigned int smp_processor_id(void)
{
	uint32_t v;
	__asm__ volatile("mrc p15, 0, %0, c13, c0, 4" : "=r"(v));
	return v;
}

/* printf from several CPUs: each call is formatted on the caller's stack
 * and written with one host call once stdout is unbuffered (newlib's
 * __sbprintf), so output lines do not mix.  (malloc is serialised by the
 * emulator around newlib's __malloc_lock, docs/smp.md.) */
static inline void __kmaplab_smp_stdio(void)
{
	if (!(stdout->_flags & __SNBF)) {
		fflush(stdout);
		setvbuf(stdout, NULL, _IONBF, 0);
	}
}

/* ---- spinlock_t: ARM's ticket lock (arch_spin_lock, v5.10) ---- */

typedef struct {
	volatile uint32_t slock; /* owner in bits 15:0, next ticket in 31:16 */
} spinlock_t;

static inline void spin_lock_init(spinlock_t *lock)
{
	lock->slock = 0;
}

static inline void spin_lock(spinlock_t *lock)
{
	uint32_t old, newval, fail;
	preempt_disable();
	/* Take a ticket: next += 1, atomically. */
	__asm__ volatile("1:	ldrex	%0, [%3]\n"
			 "	add	%1, %0, #0x10000\n"
			 "	strex	%2, %1, [%3]\n"
			 "	teq	%2, #0\n"
			 "	bne	1b"
			 : "=&r"(old), "=&r"(newval), "=&r"(fail)
			 : "r"(&lock->slock)
			 : "cc", "memory");
	/* Wait in WFE until the owner field reaches it. */
	while ((old >> 16) != (old & 0xffffu)) {
		__asm__ volatile("wfe" ::: "memory");
		old = (old & 0xffff0000u) | (lock->slock & 0xffffu);
	}
	smp_mb();
}

static inline bool spin_trylock(spinlock_t *lock)
{
	uint32_t old, fail;
	preempt_disable();
	do {
		__asm__ volatile("ldrex %0, [%1]" : "=&r"(old) : "r"(&lock->slock) : "memory");
		if ((old >> 16) != (old & 0xffffu)) {
			__asm__ volatile("clrex" ::: "memory");
			preempt_enable();
			return false;
		}
		__asm__ volatile("strex %0, %1, [%2]"
				 : "=&r"(fail)
				 : "r"(old + 0x10000u), "r"(&lock->slock)
				 : "memory");
	} while (fail);
	smp_mb();
	return true;
}

static inline void spin_unlock(spinlock_t *lock)
{
	smp_mb();
	/* owner += 1: a halfword store, as lock->tickets.owner++ */
	volatile uint16_t *owner = (volatile uint16_t *)&lock->slock;
	*owner = (uint16_t)(*owner + 1);
	__kmaplab_dsb_sev();
	preempt_enable();
}

/* ---- atomic_t (arch/arm/include/asm/atomic.h) ---- */

/* atomic_add(): no ordering, as the kernel's. */
static inline void atomic_add(int i, atomic_t *v)
{
	int result;
	uint32_t fail;
	__asm__ volatile("1:	ldrex	%0, [%2]\n"
			 "	add	%0, %0, %3\n"
			 "	strex	%1, %0, [%2]\n"
			 "	teq	%1, #0\n"
			 "	bne	1b"
			 : "=&r"(result), "=&r"(fail)
			 : "r"(&v->counter), "Ir"(i)
			 : "cc", "memory");
}

/* atomic_add_return(): fully ordered (smp_mb() before and after). */
static inline int atomic_add_return(int i, atomic_t *v)
{
	int result;
	uint32_t fail;
	smp_mb();
	__asm__ volatile("1:	ldrex	%0, [%2]\n"
			 "	add	%0, %0, %3\n"
			 "	strex	%1, %0, [%2]\n"
			 "	teq	%1, #0\n"
			 "	bne	1b"
			 : "=&r"(result), "=&r"(fail)
			 : "r"(&v->counter), "Ir"(i)
			 : "cc", "memory");
	smp_mb();
	return result;
}

/* atomic_cmpxchg(): returns the old value; stores `new` if it was `old`. */
static inline int atomic_cmpxchg(atomic_t *v, int old, int new)
{
	int prev;
	uint32_t fail;
	smp_mb();
	do {
		__asm__ volatile("ldrex %0, [%1]" : "=&r"(prev) : "r"(&v->counter) : "memory");
		fail = 0;
		if (prev == old)
			__asm__ volatile("strex %0, %1, [%2]"
					 : "=&r"(fail)
					 : "r"(new), "r"(&v->counter)
					 : "memory");
		else
			__asm__ volatile("clrex" ::: "memory");
	} while (fail);
	smp_mb();
	return prev;
}

#endif /* __aarch64__ */

static inline void atomic_inc(atomic_t *v) { atomic_add(1, v); }
static inline void atomic_dec(atomic_t *v) { atomic_add(-1, v); }
static inline void atomic_sub(int i, atomic_t *v) { atomic_add(-i, v); }
static inline int atomic_inc_return(atomic_t *v) { return atomic_add_return(1, v); }
static inline int atomic_dec_return(atomic_t *v) { return atomic_add_return(-1, v); }
static inline bool atomic_dec_and_test(atomic_t *v) { return atomic_add_return(-1, v) == 0; }

static inline unsigned int num_online_cpus(void)
{
	return (unsigned int)kmaplab_hypercall(HC_NUM_ONLINE_CPUS, 0, 0, 0, 0);
}

/* ---- kthreads: tasks bound to a CPU, several per CPU (docs/sched.md) ---- */

struct task_struct; /* opaque: the host's, in kernel memory */

static inline void __attribute__((noreturn)) __kmaplab_kthread_entry(int (*threadfn)(void *), void *data)
{
	int ret = threadfn(data);
	kmaplab_hypercall(HC_KTHREAD_EXIT, (uint32_t)ret, 0, 0, 0);
	for (;;)
		;
}

/* The stack of a task kthread_run_on_cpu() makes beside another one (the
 * kernel's THREAD_SIZE is 8 KiB on ARM; newlib's printf wants more). */
#define KTHREAD_STACK_SIZE (16u << 10)
#define __KMAPLAB_KTHREAD_OWN_STACK 1u

struct __kmaplab_kthread_create {
	unsigned long entry, fn, arg, cpu, stack, stack_size; /* machine words */
};

/* Starts threadfn(data) as a new task bound to `cpu`: at once on a CPU
 * with no task (on its own boot stack), else beside the tasks it has
 * (the caller's CPU too; a stack of KTHREAD_STACK_SIZE from malloc), where
 * it runs when the scheduler switches to it.  Returns the task, or NULL
 * (no such CPU, no memory, or all KMAPLAB_MAX_TASKS tasks made). */
static inline struct task_struct *kthread_run_on_cpu(int (*threadfn)(void *data), void *data,
						      unsigned int cpu, const char *namefmt)
{
	(void)namefmt;
	__kmaplab_smp_stdio();
	unsigned long t = kmaplab_hypercall(HC_KTHREAD_RUN_ON_CPU, (unsigned long)(uintptr_t)__kmaplab_kthread_entry,
				       (unsigned long)(uintptr_t)threadfn, (unsigned long)(uintptr_t)data, cpu);
	if (t || cpu >= num_online_cpus())
		return (struct task_struct *)(uintptr_t)t;
	void *stack = malloc(KTHREAD_STACK_SIZE);
	if (!stack)
		return NULL;
	struct __kmaplab_kthread_create info = {
		(unsigned long)(uintptr_t)__kmaplab_kthread_entry, (unsigned long)(uintptr_t)threadfn,
		(unsigned long)(uintptr_t)data, cpu, (unsigned long)(uintptr_t)stack, KTHREAD_STACK_SIZE,
	};
	t = kmaplab_hypercall(HC_KTHREAD_CREATE, (unsigned long)(uintptr_t)&info, 0, 0, 0);
	if (!t)
		free(stack);
	return (struct task_struct *)(uintptr_t)t;
}

/* Sets kthread_should_stop() for the task and sleeps until it returns;
 * returns threadfn's result (-EINTR if it was not running). */
static inline int kthread_stop(struct task_struct *k)
{
	int ret = (int)kmaplab_hypercall(HC_KTHREAD_STOP, (unsigned long)(uintptr_t)k, 0, 0, 0);
	/* It has ended: a stack kthread_run_on_cpu() allocated goes back. */
	if (k && ((volatile unsigned long *)k)[1] == __KMAPLAB_KTHREAD_OWN_STACK && ret != -4)
		free(k);
	return ret;
}

/* ---- the scheduler (docs/sched.md) ---- */

/* schedule(): the next runnable task of this CPU runs (round robin); this
 * one stays runnable.  With preemption disabled it is a kernel BUG
 * ("scheduling while atomic"). */
static inline void schedule(void)
{
	kmaplab_hypercall(HC_SCHEDULE, 0, 0, 0, 0);
}

/* cond_resched(): the same, only if preemption is enabled and another
 * task of this CPU can run; returns 1 if it switched. */
static inline int cond_resched(void)
{
	return (int)kmaplab_hypercall(HC_COND_RESCHED, 0, 0, 0, 0);
}

static inline bool kthread_should_stop(void)
{
	return kmaplab_hypercall(HC_KTHREAD_SHOULD_STOP, 0, 0, 0, 0) != 0;
}

/* ---- cross calls: IPIs (kernel/smp.c, v5.10) ---- */

typedef void (*smp_call_func_t)(void *info);

static inline void __attribute__((noreturn)) __kmaplab_ipi_return(void)
{
	kmaplab_hypercall(HC_SMP_CALL_RETURN, 0, 0, 0, 0);
	for (;;)
		;
}

static inline int __kmaplab_smp_call(unsigned int cpu, smp_call_func_t func, void *info)
{
	return (int)kmaplab_hypercall(HC_SMP_CALL, cpu, (unsigned long)(uintptr_t)func, (unsigned long)(uintptr_t)info,
				      (unsigned long)(uintptr_t)__kmaplab_ipi_return);
}

/* Runs func(info) on `cpu` (directly if it is this one); waits for it
 * if `wait`.  Returns 0 or -errno. */
static inline int smp_call_function_single(int cpu, smp_call_func_t func, void *info, int wait)
{
	int ret = 0;
	preempt_disable();
	if ((unsigned int)cpu == smp_processor_id()) {
		func(info);
	} else {
		__kmaplab_smp_stdio();
		ret = __kmaplab_smp_call((unsigned int)cpu, func, info);
		if (!ret && wait)
			kmaplab_hypercall(HC_SMP_CALL_WAIT, 0, 0, 0, 0);
	}
	preempt_enable();
	return ret;
}

/* on_each_cpu(): an IPI to every other online CPU, waiting for them if
 * `wait`, then func(info) here -- v5.10's order (smp_call_function(), then
 * the local call with interrupts off). */
static inline void on_each_cpu(smp_call_func_t func, void *info, int wait)
{
	unsigned int n = num_online_cpus(), self;
	preempt_disable();
	self = smp_processor_id();
	if (n > 1)
		__kmaplab_smp_stdio();
	for (unsigned int cpu = 0; cpu < n; cpu++)
		if (cpu != self)
			__kmaplab_smp_call(cpu, func, info);
	if (n > 1 && wait)
		kmaplab_hypercall(HC_SMP_CALL_WAIT, 0, 0, 0, 0);
	func(info);
	preempt_enable();
}

#endif
