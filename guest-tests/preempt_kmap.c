/* SPDX-License-Identifier: MIT */
/* kmap_local users preempted by the scheduler tick: two tasks on every
 * CPU, each copying its own highmem pages into a page of its own --
 * source with kmap() (a page cache page), destination with
 * kmap_local_page() -- with both mappings held through the copy.  A tick
 * that lands inside a copy switches to the CPU's other task: v5.11+'s
 * __kmap_local_sched_out() clears the preempted task's kmap_local PTEs
 * with a local flush each and __kmap_local_sched_in() sets the incoming
 * task's again, flushed (docs/sched.md).  Under the `local` policy kmap()
 * is a kmap_local too, so both mappings go out and in; under `linux` only
 * the destination; `nohighmem` maps nothing.  A multi-task workload for
 * `kmaplab compare` (the default --tick).
 *
 * usage: preempt_kmap [PAGES_PER_TASK [PASSES]]   (defaults 32, 80)
 * Prints "preempt_kmap: ok" after checking every copy. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define MAX_TASKS 16u
#define MAX_PAGES 256u

static unsigned int npages = 32, passes = 80;
static struct page *src[MAX_TASKS][MAX_PAGES], *dst[MAX_TASKS];
static uint32_t sums[MAX_TASKS];

static uint32_t word_at(unsigned int t, unsigned int i, unsigned int w)
{
	return (t + 1) * 0x01000193u ^ i * 0x9e3779b1u ^ w;
}

static int copier(void *arg)
{
	unsigned int t = (unsigned int)(uintptr_t)arg;
	uint32_t sum = 0;
	for (unsigned int p = 0; p < passes; p++)
		for (unsigned int i = 0; i < npages; i++) {
			const uint32_t *from = kmap(src[t][i]);
			uint32_t *to = kmap_local_page(dst[t]);
			memcpy(to, from, PAGE_SIZE);
			sum += to[(i + p) % (PAGE_SIZE / 4)];
			kunmap_local(to);
			kunmap(src[t][i]);
		}
	sums[t] = sum;
	return 0;
}

/* A highmem page, except under a split that puts all RAM in lowmem (the
 * nohighmem baseline compare runs), where kmap is page_address. */
static struct page *user_page(void)
{
	struct page *pg = alloc_page(GFP_HIGHUSER);
	CHECK(pg, "out of pages");
	return pg;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		npages = (unsigned int)strtoul(argv[1], NULL, 0);
	if (argc > 2)
		passes = (unsigned int)strtoul(argv[2], NULL, 0);
	unsigned int ncpus = num_online_cpus(), ntasks = 2 * ncpus;
	CHECK(npages >= 1 && npages <= MAX_PAGES && ntasks <= MAX_TASKS, "1 to %u pages, %u tasks", MAX_PAGES,
	      MAX_TASKS);
	for (unsigned int t = 0; t < ntasks; t++) {
		dst[t] = user_page();
		for (unsigned int i = 0; i < npages; i++) {
			src[t][i] = user_page();
			uint32_t *va = kmap_local_page(src[t][i]);
			for (unsigned int w = 0; w < PAGE_SIZE / 4; w++)
				va[w] = word_at(t, i, w);
			kunmap_local(va);
		}
	}
	/* Task t runs on CPU t / 2; main is task 0. */
	struct task_struct *k[MAX_TASKS] = { 0 };
	for (unsigned int t = 1; t < ntasks; t++) {
		k[t] = kthread_run_on_cpu(copier, (void *)(uintptr_t)t, t / 2, "copier/%u");
		CHECK(k[t] != NULL, "no task %u on CPU %u", t, t / 2);
	}
	copier((void *)0);
	for (unsigned int t = 1; t < ntasks; t++)
		CHECK(kthread_stop(k[t]) == 0, "task %u", t);
	for (unsigned int t = 0; t < ntasks; t++) {
		uint32_t want = 0;
		for (unsigned int p = 0; p < passes; p++)
			for (unsigned int i = 0; i < npages; i++)
				want += word_at(t, i, (i + p) % (PAGE_SIZE / 4));
		CHECK(sums[t] == want, "task %u copied 0x%lx, want 0x%lx", t, (unsigned long)sums[t],
		      (unsigned long)want);
	}
	printf("preempt_kmap: ok (%u tasks on %u CPUs)\n", ntasks, ncpus);
	return 0;
}
