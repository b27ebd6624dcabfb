/* SPDX-License-Identifier: MIT */
/* pkmap_map_wait across CPUs (mm/highmem.c v5.10, map_new_virtual and
 * kunmap_high).  Usage: smp_pkmap_wait wake|deadlock
 *
 * A kthread on CPU 1 kmaps LAST_PKMAP = 512 distinct highmem pages: every
 * pkmap slot held (pkmap_exhaust.c works out why all 512 are usable).  CPU 0
 * then kmaps one more page: every slot is in use, so it sleeps on
 * pkmap_map_wait.
 *   wake:     CPU 1 (after a delay, so that CPU 0 is asleep by then)
 *             kunmaps one page: its slot drops to count 1 and kunmap_high()
 *             wakes the sleeper, whose kmap() starts over: the cursor wraps,
 *             flush_all_zero_pkmaps() clears that one slot with one flush
 *             of the window, and CPU 0 gets it.  CPU 0 checks the page's
 *             data through it.  kmap() is called 512 + 1 times in all.
 *   deadlock: CPU 1 kmaps one more page itself instead: both CPUs sleep,
 *             nobody can kunmap -- kmaplab stops with status 74 and names
 *             CPU 1 as the holder of the 512 slots. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define LAST_PKMAP 512u

static struct page *held[LAST_PKMAP];
static struct page *extra[2];
static atomic_t full = ATOMIC_INIT(0);
static atomic_t cpu0_kmapping = ATOMIC_INIT(0);
static atomic_t cpu0_done = ATOMIC_INIT(0);
static bool deadlock;

static int holder(void *arg)
{
	(void)arg;
	for (unsigned int i = 0; i < LAST_PKMAP; i++)
		CHECK(kmap(held[i]) != NULL, "kmap #%u on CPU 1", i);
	atomic_set(&full, 1);
	while (!atomic_read(&cpu0_kmapping))
		cpu_relax();
	/* Long enough for CPU 0's kmap() to find every slot held. */
	for (volatile unsigned int d = 0; d < 20000; d++)
		;
	if (deadlock) {
		kmap(extra[1]); /* sleeps too: nobody is left to kunmap */
		return 1;
	}
	kunmap(held[0]);
	while (!atomic_read(&cpu0_done))
		cpu_relax();
	for (unsigned int i = 1; i < LAST_PKMAP; i++)
		kunmap(held[i]);
	return 0;
}

int main(int argc, char **argv)
{
	deadlock = argc > 1 && strcmp(argv[1], "deadlock") == 0;
	CHECK(num_online_cpus() >= 2, "needs --cpus 2 or more, has %u", num_online_cpus());
	for (unsigned int i = 0; i < LAST_PKMAP; i++)
		held[i] = alloc_page(GFP_HIGHUSER);
	for (unsigned int i = 0; i < 2; i++) {
		extra[i] = alloc_page(GFP_HIGHUSER);
		CHECK(extra[i] && PageHighMem(extra[i]), "a highmem page");
	}
	/* Fill the extra page through a short-lived mapping first. */
	uint32_t *w = kmap_atomic(extra[0]);
	for (unsigned int i = 0; i < 1024; i++)
		w[i] = 0x5eed0000u + i;
	kunmap_atomic(w);

	struct task_struct *t = kthread_run_on_cpu(holder, NULL, 1, "holder");
	CHECK(t != NULL, "kthread on CPU 1");
	while (!atomic_read(&full))
		cpu_relax();
	atomic_set(&cpu0_kmapping, 1);
	volatile uint32_t *p = kmap(extra[0]); /* sleeps until CPU 1 kunmaps */
	for (unsigned int i = 0; i < 1024; i++)
		CHECK(p[i] == 0x5eed0000u + i, "word %u of the page is 0x%08x", i, (unsigned)p[i]);
	printf("CPU 0 woke with page at 0x%08x\n", (unsigned)(uintptr_t)p);
	kunmap(extra[0]);
	atomic_set(&cpu0_done, 1);
	CHECK(kthread_stop(t) == 0, "holder failed");
	printf("smp_pkmap_wait: ok\n");
	return 0;
}
