/* SPDX-License-Identifier: MIT */
/* Tasks and preemption: several kernel threads per CPU, round-robin among
 * a CPU's runnable tasks, a deterministic scheduler tick (--tick), the
 * guest's schedule() and cond_resched(), and the context switch with the
 * policy's __kmap_local_sched_out/in hooks (docs/sched.md).
 *
 * A task's context while it is switched out: its registers, TPIDRURO (the
 * guest's preempt_count, kmaplab/sched.h) and its struct task_ctx.  A CPU
 * switches only at a point where the engine is stopped (the scheduler's
 * run loop, emu/smp.c), so a switch is always between translated blocks. */
#ifndef KMAPLAB_EMU_SCHED_H
#define KMAPLAB_EMU_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "kmaplab-plugin.h"
#include "smp.h"

struct machine;

/* __schedule() and switch_to() of two kernel threads (no mm switch):
 * ASSUMPTION, no manual gives it (docs/sched.md). */
#define SCHED_SWITCH_CYCLES 1000u
/* --tick default: HZ=1000 at 1 GHz (docs/sched.md). */
#define SCHED_TICK_DEFAULT 1000000u

struct task {
	bool used;          /* created; numbers are never reused */
	unsigned cpu;       /* kthreads are bound to their CPU */
	bool on_cpu;        /* its context is its CPU's (cpu.t, the engine) */
	struct task_ctx t;  /* while switched out */
	uint32_t regs[17];  /* r0-r12, sp, lr, pc, cpsr while switched out */
	uint32_t preempt;   /* TPIDRURO while switched out */
};

/* Task 0 is CPU 0's (main).  Returns 0 or -1 (out of memory). */
int sched_init(struct machine *m);
void sched_free(struct machine *m);

/* A new task on `cpu`, switched out and runnable; NULL if all
 * KMAPLAB_MAX_TASKS are used.  The caller fills its context. */
struct task *sched_new_task(struct machine *m, unsigned cpu);

/* The live context of task `k`: its CPU's if it runs, else its own. */
struct task_ctx *sched_ctx(struct machine *m, struct task *k);
/* The newest task whose struct task_struct is at VA `ts`, or NULL. */
struct task *sched_find(struct machine *m, uint32_t ts);
/* Some task of `c` can run (the current one or a switched-out one). */
bool sched_cpu_runnable(const struct machine *m, const struct cpu *c);
/* Every task of `c` has ended (or it never had one). */
bool sched_cpu_idle(const struct machine *m, const struct cpu *c);

/* Before the running CPU `c` resumes: its tick, and a context switch if
 * its task cannot run or a tick or schedule() asked for one and it is
 * preemptible.  Returns the clock at which its turn must end early (a
 * tick due, or a deferred one to retry at the next block), or UINT64_MAX. */
uint64_t sched_prepare(struct machine *m, struct cpu *c);

/* HC_SCHEDULE and HC_COND_RESCHED.  Returns true if `nr` is one of them. */
bool sched_hypercall(struct machine *m, uint32_t nr, uint32_t *ret);

/* Totals over every CPU (stats). */
void sched_total(const struct machine *m, struct sched_stats *out);

#endif
