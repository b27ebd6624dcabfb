/* SPDX-License-Identifier: MIT */
/* Two tasks on one CPU, each holding kmap_local mappings across a
 * context switch.  Usage: sched_kmap_local [A [B]]  (mappings each task
 * holds, default 3 and 2; at most 8)
 *
 * main (task A) maps A highmem pages with kmap_local_page(), starts task B
 * on its own CPU and calls schedule() three times; B maps B pages, calls
 * schedule() once, checks and unmaps its pages and returns.  The switches
 * are (A->B, B->A, A->B, B exits->A); v5.11+'s __kmap_local_sched_out()
 * clears each of the outgoing task's mappings with a local flush, and
 * __kmap_local_sched_in() sets each of the incoming task's again with a
 * local flush (tests/guest/sched_test.py works the counts out).
 *
 * What the guest checks itself: B's mappings are at the same fixmap
 * addresses as A's (the slots belong to whichever task runs), and after
 * each switch every task still reads its own pages through them. */
#include <stdio.h>
#include <stdlib.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define MAX_MAPS 8

static unsigned int na = 3, nb = 2;
static struct page *pages_a[MAX_MAPS], *pages_b[MAX_MAPS];
static volatile uint32_t *va_a[MAX_MAPS], *va_b[MAX_MAPS];
static volatile int b_mapped;

/* Each page holds its pfn in every word: what a mapping must show. */
static struct page *filled_page(void)
{
	struct page *p = alloc_page(GFP_HIGHUSER);
	CHECK(p && PageHighMem(p), "no highmem page");
	/* Not kmap(): its pkmap address would stay, and kmap_local_page()
	 * would hand that out (kmap_high_get) instead of a fixmap slot. */
	uint32_t *v = kmap_local_page(p);
	for (unsigned int i = 0; i < PAGE_SIZE / 4; i++)
		v[i] = (uint32_t)page_to_pfn(p);
	kunmap_local(v);
	return p;
}

static void check_maps(volatile uint32_t **va, struct page **pages, unsigned int n, const char *who)
{
	for (unsigned int i = 0; i < n; i++)
		CHECK(va[i][0] == page_to_pfn(pages[i]) && va[i][PAGE_SIZE / 4 - 1] == page_to_pfn(pages[i]),
		      "%s mapping %u at %p reads 0x%lx, not pfn 0x%lx", who, i, (void *)va[i], (unsigned long)va[i][0],
		      page_to_pfn(pages[i]));
}

static int task_b(void *arg)
{
	(void)arg;
	for (unsigned int i = 0; i < nb; i++)
		va_b[i] = kmap_local_page(pages_b[i]);
	for (unsigned int i = 0; i < nb && i < na; i++)
		CHECK(va_b[i] == va_a[i], "B's mapping %u at %p, A's at %p: not the same slot", i,
		      (void *)va_b[i], (void *)va_a[i]);
	b_mapped = 1;
	check_maps(va_b, pages_b, nb, "B");
	schedule();
	check_maps(va_b, pages_b, nb, "B after a switch");
	for (unsigned int i = nb; i-- > 0;)
		kunmap_local((void *)va_b[i]);
	return 42;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		na = (unsigned int)atoi(argv[1]);
	if (argc > 2)
		nb = (unsigned int)atoi(argv[2]);
	CHECK(na <= MAX_MAPS && nb <= MAX_MAPS, "at most %u mappings each", MAX_MAPS);
	for (unsigned int i = 0; i < na; i++)
		pages_a[i] = filled_page();
	for (unsigned int i = 0; i < nb; i++)
		pages_b[i] = filled_page();

	for (unsigned int i = 0; i < na; i++)
		va_a[i] = kmap_local_page(pages_a[i]);
	struct task_struct *b = kthread_run_on_cpu(task_b, NULL, smp_processor_id(), "b");
	CHECK(b != NULL, "no second task on CPU %u", smp_processor_id());
	schedule(); /* A -> B */
	CHECK(b_mapped, "task B did not run at schedule()");
	check_maps(va_a, pages_a, na, "A after a switch");
	schedule(); /* A -> B; B ends -> A */
	check_maps(va_a, pages_a, na, "A after B ended");
	schedule(); /* nothing else runnable: no switch */
	int ret = kthread_stop(b);
	CHECK(ret == 42, "kthread_stop(B) returned %d", ret);
	for (unsigned int i = na; i-- > 0;)
		kunmap_local((void *)va_a[i]);
	printf("A %u B %u\n", na, nb);
	return 0;
}
