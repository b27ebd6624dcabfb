/* SPDX-License-Identifier: MIT */
/* malloc and free from every CPU at once: newlib's allocator is not
 * reentrant, so kmaplab serialises it with a lock of its own around
 * __malloc_lock/__malloc_unlock (docs/smp.md).  Each CPU allocates blocks
 * of varying sizes, fills each with its own pattern, checks and frees them;
 * a corrupted heap shows as a wrong word, a fault or a failed malloc.
 * usage: smp_malloc [ROUNDS]   (default 400) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define SLOTS 16

static unsigned int rounds = 400;

static int worker(void *arg)
{
	(void)arg;
	unsigned int cpu = smp_processor_id();
	uint32_t *slot[SLOTS] = { 0 };
	size_t len[SLOTS] = { 0 };
	uint32_t rng = 0x9e3779b9u * (cpu + 1);
	for (unsigned int r = 0; r < rounds; r++) {
		rng = rng * 1103515245u + 12345u;
		unsigned int s = (rng >> 16) % SLOTS;
		if (slot[s]) {
			for (size_t w = 0; w < len[s]; w++)
				CHECK(slot[s][w] == (cpu << 24 | s << 16 | (uint32_t)w), "CPU %u slot %u word %u", cpu, s,
				      (unsigned)w);
			free(slot[s]);
			slot[s] = NULL;
		} else {
			len[s] = 1 + (rng >> 8) % 200;
			slot[s] = malloc(len[s] * 4);
			CHECK(slot[s] != NULL, "malloc on CPU %u", cpu);
			for (size_t w = 0; w < len[s]; w++)
				slot[s][w] = cpu << 24 | s << 16 | (uint32_t)w;
		}
	}
	for (unsigned int s = 0; s < SLOTS; s++)
		free(slot[s]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		rounds = (unsigned int)strtoul(argv[1], NULL, 0);
	unsigned int n = num_online_cpus();
	struct task_struct *t[8] = { 0 };
	for (unsigned int cpu = 1; cpu < n; cpu++)
		CHECK((t[cpu] = kthread_run_on_cpu(worker, NULL, cpu, "malloc/%u")) != NULL, "kthread %u", cpu);
	worker(NULL);
	for (unsigned int cpu = 1; cpu < n; cpu++)
		CHECK(kthread_stop(t[cpu]) == 0, "worker on CPU %u", cpu);
	printf("smp_malloc: ok on %u CPUs\n", n);
	return 0;
}
