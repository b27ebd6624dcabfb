/* SPDX-License-Identifier: MIT */
/* A page-cache reader on every CPU: each CPU reads its own "file" of
 * highmem pages in short kmap/kunmap sections (generic_file_read_iter's
 * copy-out), several passes.  With kmap() every CPU shares the pkmap window
 * and kmap_lock: a wrap's flush must reach every CPU (an IS broadcast or an
 * IPI to each) and the CPUs' sections contend for the lock; kmap_local-style
 * policies use per-CPU fixmap slots and flush locally.  A multi-CPU
 * workload for `kmaplab compare --cpus` (docs/smp.md).
 *
 * usage: smp_pagecache [PAGES_PER_CPU [PASSES [shared]]]   (defaults 384, 3)
 * `shared`: every CPU reads the same file (CPU 0's), so one page is often
 * kmapped on two CPUs at once and a pkmap slot's translation sits in
 * several TLBs -- a policy that flushes a freed slot only locally
 * (eager-local) leaves stale entries on the others.
 * Prints a checksum per CPU (the data is checked) and "smp_pagecache: ok". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define MAX_PAGES 1024u
#define CHUNK 128u

static unsigned int npages = 384, passes = 3;
static bool shared;
static struct page *file[8][MAX_PAGES];
static uint32_t sums[8];

static uint32_t word_at(unsigned int cpu, unsigned int i, unsigned int w)
{
	return (cpu + 1) * 0x01000193u ^ i * 0x9e3779b1u ^ w;
}

static int reader(void *arg)
{
	(void)arg;
	unsigned int cpu = smp_processor_id(), f = shared ? 0 : cpu;
	uint32_t sum = 0;
	for (unsigned int p = 0; p < passes; p++) {
		for (unsigned int i = 0; i < npages; i++) {
			uint32_t *va = kmap(file[f][i]);
			unsigned int off = ((i + p) % (1024u / (CHUNK / 4))) * (CHUNK / 4);
			for (unsigned int w = 0; w < CHUNK / 4; w++) {
				CHECK(va[off + w] == word_at(f, i, off + w), "CPU %u page %u word %u", cpu, i,
				      off + w);
				sum += va[off + w];
			}
			kunmap(file[f][i]);
		}
	}
	sums[cpu] = sum;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		npages = (unsigned int)strtoul(argv[1], NULL, 0);
	if (argc > 2)
		passes = (unsigned int)strtoul(argv[2], NULL, 0);
	shared = argc > 3 && argv[3][0] == 's';
	CHECK(npages >= 1 && npages <= MAX_PAGES, "PAGES_PER_CPU %u", npages);
	unsigned int n = num_online_cpus();
	for (unsigned int cpu = 0; cpu < n; cpu++)
		for (unsigned int i = 0; i < npages; i++) {
			file[cpu][i] = alloc_page(GFP_HIGHUSER);
			CHECK(file[cpu][i] != NULL, "out of pages");
			uint32_t *va = kmap_atomic(file[cpu][i]);
			for (unsigned int w = 0; w < 1024; w++)
				va[w] = word_at(cpu, i, w);
			kunmap_atomic(va);
		}
	struct task_struct *t[8] = { 0 };
	for (unsigned int cpu = 1; cpu < n; cpu++)
		CHECK((t[cpu] = kthread_run_on_cpu(reader, NULL, cpu, "reader/%u")) != NULL, "kthread %u", cpu);
	reader(NULL);
	for (unsigned int cpu = 1; cpu < n; cpu++)
		CHECK(kthread_stop(t[cpu]) == 0, "reader on CPU %u", cpu);
	for (unsigned int cpu = 0; cpu < n; cpu++)
		printf("CPU %u: %u pages x %u passes, checksum 0x%08x\n", cpu, npages, passes, (unsigned)sums[cpu]);
	printf("smp_pagecache: ok\n");
	return 0;
}
