/* SPDX-License-Identifier: MIT */
/* preempt_disable() and preempt_enable() for both guest architectures, as
 * include/linux/preempt.h (v5.10) builds them for every architecture on top
 * of the architecture's preempt count.  kmaplab/smp.h (ARM) and
 * kmaplab/smp_a64.h (AArch64) include this after defining preempt_count(),
 * __kmaplab_preempt_count_set() (where the host reads the count: a
 * thread-ID register the kernel would not use this way) and
 * __kmaplab_barrier(). */
#ifndef KMAPLAB_PREEMPT_H
#define KMAPLAB_PREEMPT_H

static inline void preempt_disable(void)
{
	__kmaplab_preempt_count_set(preempt_count() + 1);
	__kmaplab_barrier();
}

/* A tick that came meanwhile switches at the next translated block (the
 * kernel's preempt_schedule() would switch right here). */
static inline void preempt_enable(void)
{
	__kmaplab_barrier();
	__kmaplab_preempt_count_set(preempt_count() - 1);
}

#endif
