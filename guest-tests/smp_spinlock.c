/* SPDX-License-Identifier: MIT */
/* A spinlock-protected counter incremented from every CPU, and an
 * unprotected one beside it.  Usage: smp_spinlock [ITERATIONS]
 *
 * Expected (independent of the implementation): each of the N CPUs adds
 * ITERATIONS under the lock, so the locked counter ends at exactly
 * N * ITERATIONS, and so does an atomic_t incremented with atomic_inc().
 * The plain counter's read-modify-write races whenever two CPUs interleave
 * inside it; it must never exceed N * ITERATIONS.  The guest prints how
 * many increments the race lost, so a test can see that the interleaving
 * is real (not one CPU after the other). */
#include <stdio.h>
#include <stdlib.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

static DEFINE_SPINLOCK(lock);
static volatile unsigned int locked_count;
static volatile unsigned int racy_count;
static atomic_t atomic_count = ATOMIC_INIT(0);
static unsigned int iterations = 20000;
static volatile unsigned int ran_on[8];

/* A call between the load and the store: the increment spans translated
 * blocks, where CPUs interleave. */
static __attribute__((noinline)) unsigned int bump(unsigned int v)
{
	__asm__ volatile("" ::: "memory");
	return v + 1;
}

static int work(void *arg)
{
	(void)arg;
	unsigned int cpu = smp_processor_id();
	for (unsigned int i = 0; i < iterations; i++) {
		spin_lock(&lock);
		locked_count = locked_count + 1;
		spin_unlock(&lock);
		atomic_inc(&atomic_count);
	}
	for (unsigned int i = 0; i < iterations; i++)
		racy_count = bump(racy_count); /* a data race, on purpose */
	ran_on[cpu]++;
	return (int)cpu + 100;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		iterations = (unsigned int)strtoul(argv[1], NULL, 0);
	unsigned int n = num_online_cpus();
	CHECK(n >= 1 && n <= 8, "num_online_cpus() = %u", n);
	CHECK(smp_processor_id() == 0, "main() runs on CPU %u, not the boot CPU", smp_processor_id());

	struct task_struct *task[8] = { 0 };
	for (unsigned int cpu = 1; cpu < n; cpu++) {
		task[cpu] = kthread_run_on_cpu(work, NULL, cpu, "worker/%u");
		CHECK(task[cpu] != NULL, "kthread_run_on_cpu(cpu %u) failed", cpu);
	}
	/* No CPU beyond the last. */
	CHECK(kthread_run_on_cpu(work, NULL, n, "none") == NULL, "a task on CPU %u of %u", n, n);
	work(NULL);
	for (unsigned int cpu = 1; cpu < n; cpu++) {
		int ret = kthread_stop(task[cpu]);
		CHECK(ret == (int)cpu + 100, "kthread_stop(CPU %u) returned %d", cpu, ret);
	}
	for (unsigned int cpu = 0; cpu < n; cpu++)
		CHECK(ran_on[cpu] == 1, "CPU %u ran the work %u times", cpu, ran_on[cpu]);

	unsigned int want = n * iterations;
	CHECK(locked_count == want, "locked counter %u, want %u", locked_count, want);
	CHECK(atomic_read(&atomic_count) == (int)want, "atomic counter %d, want %u",
	      atomic_read(&atomic_count), want);
	CHECK(racy_count <= want, "racy counter %u above %u", racy_count, want);
	printf("cpus %u iterations %u locked %u atomic %d racy %u lost %u\n", n, iterations, locked_count,
	       atomic_read(&atomic_count), racy_count, want - racy_count);
	return 0;
}
