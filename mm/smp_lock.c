/* SPDX-License-Identifier: MIT */
/* Kernel spinlocks the host runs (kmap_lock, the page_address_htable
 * bucket locks) on several CPUs: contention charged from the CPUs' clocks.
 *
 * A critical section of modelled kernel code runs at once on the host,
 * but in model time it occupies [acquire, release] of its CPU's clock.  A
 * CPU that takes the lock at a time inside the last such interval of
 * another CPU spins until its end: those cycles are charged to it
 * (smp.spin_cycles) and the acquisition counts as contended.  Sections
 * are ordered as the scheduler ran them (docs/smp.md: within one quantum),
 * so a CPU whose clock is before the other's acquire is not charged. */
#include "smp.h"

#include "mm.h"

static struct smp_klock *klock(struct mm *mm, unsigned id)
{
	return id < SMP_NR_KLOCKS ? &mm->smp.klocks[id] : NULL;
}

void smp_klock_acquire(struct mm *mm, unsigned id)
{
	struct mm_smp *s = &mm->smp;
	struct smp_klock *l = klock(mm, id);
	if (s->ncpus < 2 || !l)
		return;
	uint64_t now = mm->stats.cycles;
	if (l->held && l->cpu != s->cpu && now >= l->acquired && now < l->released) {
		uint64_t spin = l->released - now;
		mm->stats.cycles += spin;
		s->stats[s->cpu].spin_cycles += spin;
		s->stats[s->cpu].lock_contended++;
	}
	l->pending = mm->stats.cycles;
	l->pending_cpu = s->cpu;
}

void smp_klock_release(struct mm *mm, unsigned id)
{
	struct mm_smp *s = &mm->smp;
	struct smp_klock *l = klock(mm, id);
	if (s->ncpus < 2 || !l || l->pending_cpu != s->cpu)
		return;
	l->held = true;
	l->cpu = s->cpu;
	l->acquired = l->pending;
	l->released = mm->stats.cycles;
}
