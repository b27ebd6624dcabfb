/* SPDX-License-Identifier: MIT */
/* Kernel threads on the AArch64 machine's one CPU (emu/sched_a64.c,
 * docs/sched.md), through the API of kmaplab/smp.h.
 *
 * usage: a64_kthreads [yield [ROUNDS [NTHREADS [STOPROUNDS]]]]   (defaults 5, 3, 4)
 *   yield: NTHREADS kthreads and main each log their number and call
 *     schedule() ROUNDS times; main then kthread_stop()s each (result
 *     100 + its number).  Round robin makes the log 0, 1, .., N, 0, 1, ..
 *     (checked here).  Then one kthread loops schedule() until
 *     kthread_should_stop() while main calls cond_resched() STOPROUNDS
 *     times (each must return 1; 0 with preemption disabled); its
 *     kthread_stop() returns the loops it made.  Run with --tick 0: a tick
 *     would reorder the log.
 *   spin LOOPS: main and one kthread each take a spinlock LOOPS times and
 *     bump a plain counter slowly inside it, and an atomic_t outside it;
 *     both totals must be 2 * LOOPS whatever the tick preempts.
 *   ipi: smp_call_function_single() to CPU 1, which the one-CPU machine
 *     has not: the run stops (status 76).
 *   atomic | kmap_atomic: schedule() with preemption disabled by
 *     preempt_disable() or by an open kmap_atomic section: the kernel's
 *     "scheduling while atomic" BUG (status 73).
 * Prints "a64_kthreads: ok ..." when every check passed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define MAX_THREADS 8u
#define MAX_ROUNDS 64u

static unsigned int rounds = 5, nthreads = 3, stoprounds = 4;
static unsigned char order[(MAX_THREADS + 1) * MAX_ROUNDS];
static unsigned int norder;

static int yielder(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;
	for (unsigned int r = 0; r < rounds; r++) {
		order[norder++] = (unsigned char)id;
		schedule();
	}
	return 100 + (int)id;
}

static int until_stopped(void *arg)
{
	(void)arg;
	int loops = 0;
	while (!kthread_should_stop()) {
		loops++;
		schedule();
	}
	return loops;
}

static int yield_test(void)
{
	struct task_struct *k[MAX_THREADS];
	for (unsigned int t = 0; t < nthreads; t++)
		CHECK((k[t] = kthread_run_on_cpu(yielder, (void *)(uintptr_t)(t + 1), 0, "yielder/%u")) != NULL,
		      "kthread %u", t + 1);
	CHECK(kthread_run_on_cpu(yielder, NULL, 1, "nowhere") == NULL, "a kthread on CPU 1 of a one-CPU machine");
	yielder((void *)0);
	for (unsigned int t = 0; t < nthreads; t++) {
		int ret = kthread_stop(k[t]);
		CHECK(ret == 101 + (int)t, "kthread %u returned %d", t + 1, ret);
	}
	CHECK(norder == (nthreads + 1) * rounds, "%u log entries", norder);
	for (unsigned int i = 0; i < norder; i++)
		CHECK(order[i] == i % (nthreads + 1), "log entry %u is task %u, round robin says %u", i, order[i],
		      i % (nthreads + 1));
	struct task_struct *s = kthread_run_on_cpu(until_stopped, NULL, 0, "until_stopped");
	CHECK(s != NULL, "the until_stopped kthread");
	preempt_disable();
	CHECK(cond_resched() == 0, "cond_resched() with preemption disabled switched");
	preempt_enable();
	for (unsigned int r = 0; r < stoprounds; r++)
		CHECK(cond_resched() == 1, "cond_resched() %u did not switch", r);
	int loops = kthread_stop(s);
	CHECK(loops == (int)stoprounds, "until_stopped looped %d times, want %u", loops, stoprounds);
	CHECK(num_online_cpus() == 1 && smp_processor_id() == 0, "one CPU, CPU 0");
	printf("a64_kthreads: ok (%u kthreads x %u rounds, %u stop rounds)\n", nthreads, rounds, stoprounds);
	return 0;
}

static DEFINE_SPINLOCK(lock);
static volatile unsigned int counter;
static atomic_t hits = ATOMIC_INIT(0);
static unsigned int loops = 2000;

static int spinner(void *arg)
{
	(void)arg;
	for (unsigned int i = 0; i < loops; i++) {
		spin_lock(&lock);
		unsigned int v = counter;
		for (volatile int d = 0; d < 40; d++) /* a long section: ticks land in it */
			;
		counter = v + 1;
		spin_unlock(&lock);
		atomic_inc(&hits);
	}
	return 0;
}

static int spin_test(void)
{
	struct task_struct *k = kthread_run_on_cpu(spinner, NULL, 0, "spinner");
	CHECK(k != NULL, "the spinner kthread");
	spinner(NULL);
	CHECK(kthread_stop(k) == 0, "spinner");
	CHECK(counter == 2 * loops, "counter %u, want %u", counter, 2 * loops);
	CHECK(atomic_read(&hits) == (int)(2 * loops), "atomic %d, want %u", atomic_read(&hits), 2 * loops);
	CHECK(atomic_cmpxchg(&hits, (int)(2 * loops), 7) == (int)(2 * loops) && atomic_read(&hits) == 7,
	      "atomic_cmpxchg");
	CHECK(atomic_dec_and_test(&(atomic_t)ATOMIC_INIT(1)), "atomic_dec_and_test");
	printf("a64_kthreads: ok (spin: %u + %u locked increments)\n", loops, loops);
	return 0;
}

static void nothing(void *info)
{
	(void)info;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "yield";
	if (!strcmp(mode, "yield")) {
		if (argc > 2)
			rounds = (unsigned int)strtoul(argv[2], NULL, 0);
		if (argc > 3)
			nthreads = (unsigned int)strtoul(argv[3], NULL, 0);
		if (argc > 4)
			stoprounds = (unsigned int)strtoul(argv[4], NULL, 0);
		CHECK(rounds <= MAX_ROUNDS && nthreads >= 1 && nthreads <= MAX_THREADS, "arguments");
		return yield_test();
	}
	if (!strcmp(mode, "spin")) {
		if (argc > 2)
			loops = (unsigned int)strtoul(argv[2], NULL, 0);
		return spin_test();
	}
	if (!strcmp(mode, "ipi")) {
		printf("calling CPU 1\n");
		fflush(stdout);
		smp_call_function_single(1, nothing, NULL, 1);
		printf("returned\n");
		return 0;
	}
	if (!strcmp(mode, "atomic") || !strcmp(mode, "kmap_atomic")) {
		struct page *pg = alloc_page(GFP_KERNEL);
		CHECK(pg != NULL, "a page");
		void *va = NULL;
		if (mode[0] == 'k')
			va = kmap_atomic(pg);
		else
			preempt_disable();
		schedule();
		printf("schedule() returned (%p)\n", va);
		return 0;
	}
	fprintf(stderr, "a64_kthreads: unknown mode %s\n", mode);
	return 2;
}
