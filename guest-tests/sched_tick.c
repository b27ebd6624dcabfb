/* SPDX-License-Identifier: MIT */
/* The scheduler tick and cond_resched() with two tasks on one CPU.
 * Usage: sched_tick local|atomic|cond_resched
 *
 *   local         main holds a kmap_local_page() mapping and spins until
 *                 task B has run: only a tick can switch to B (main never
 *                 sleeps or yields), and main's mapping must read its page
 *                 afterwards (sched_out/in took it out and put it back).
 *   atomic        main spins inside kmap_atomic() for many ticks: B must
 *                 not run there (kmap_atomic disables preemption); after
 *                 kunmap_atomic() a tick switches to B.
 *   cond_resched  (run with --tick 0) cond_resched() switches only when
 *                 another task of this CPU is runnable, and never with
 *                 preemption disabled.
 *   bug           schedule() inside kmap_atomic(): "BUG: scheduling while
 *                 atomic", the run stops (status 73). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

static volatile unsigned int b_runs;

static int task_b(void *arg)
{
	(void)arg;
	while (!kthread_should_stop()) {
		b_runs = b_runs + 1;
		cond_resched();
	}
	return 7;
}

static struct page *highmem_page(uint32_t fill)
{
	struct page *p = alloc_page(GFP_HIGHUSER);
	CHECK(p && PageHighMem(p), "no highmem page");
	uint32_t *v = kmap_local_page(p);
	for (unsigned int i = 0; i < PAGE_SIZE / 4; i++)
		v[i] = fill;
	kunmap_local(v);
	return p;
}

static struct task_struct *start_b(void)
{
	struct task_struct *b = kthread_run_on_cpu(task_b, NULL, smp_processor_id(), "b");
	CHECK(b != NULL, "no second task on CPU %u", smp_processor_id());
	return b;
}

static void stop_b(struct task_struct *b)
{
	int ret = kthread_stop(b);
	CHECK(ret == 7, "kthread_stop(B) returned %d", ret);
}

static void local_mode(void)
{
	struct page *p = highmem_page(0x5a5a0001u);
	volatile uint32_t *v = kmap_local_page(p);
	struct task_struct *b = start_b();
	unsigned long spins = 0;
	while (!b_runs)
		spins++;
	CHECK(v[0] == 0x5a5a0001u && v[PAGE_SIZE / 4 - 1] == 0x5a5a0001u,
	      "after being preempted the mapping reads 0x%lx", (unsigned long)v[0]);
	kunmap_local((void *)v);
	stop_b(b);
	printf("local: B ran after %lu spins\n", spins);
}

static void atomic_mode(void)
{
	struct page *p = highmem_page(0xa5a50002u);
	struct task_struct *b = start_b();
	volatile uint32_t *v = kmap_atomic(p);
	unsigned int before = b_runs;
	uint32_t sum = 0;
	/* Millions of cycles: several default ticks. */
	for (unsigned int i = 0; i < 400000; i++)
		sum += v[i & (PAGE_SIZE / 4 - 1)];
	unsigned int during = b_runs - before;
	kunmap_atomic((void *)v);
	CHECK(during == 0, "task B ran %u times inside kmap_atomic", during);
	CHECK(sum == 400000u * 0xa5a50002u, "sum 0x%lx", (unsigned long)sum);
	while (b_runs == before)
		;
	stop_b(b);
	printf("atomic: B ran %u times inside kmap_atomic\n", during);
}

static void cond_resched_mode(void)
{
	CHECK(cond_resched() == 0, "cond_resched() switched with no other task");
	struct task_struct *b = start_b();
	CHECK(b_runs == 0, "B ran before anything switched (--tick 0?)");
	preempt_disable();
	CHECK(cond_resched() == 0, "cond_resched() switched with preemption disabled");
	preempt_enable();
	CHECK(b_runs == 0, "B ran with preemption disabled");
	CHECK(cond_resched() == 1, "cond_resched() did not switch to the runnable B");
	CHECK(b_runs == 1, "B ran %u times for one cond_resched()", b_runs);
	stop_b(b);
	CHECK(cond_resched() == 0, "cond_resched() switched after B ended");
	printf("cond_resched: ok\n");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "local";
	if (!strcmp(mode, "local"))
		local_mode();
	else if (!strcmp(mode, "atomic"))
		atomic_mode();
	else if (!strcmp(mode, "cond_resched"))
		cond_resched_mode();
	else if (!strcmp(mode, "bug")) {
		void *v = kmap_atomic(highmem_page(1));
		schedule();
		kunmap_atomic(v);
		CHECK(0, "schedule() returned inside kmap_atomic");
	}
	else
		CHECK(0, "unknown mode %s", mode);
	return 0;
}
