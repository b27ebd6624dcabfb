/* SPDX-License-Identifier: MIT */
/* The CPUs of an SMP machine: one Unicorn engine per CPU on the one host
 * RAM buffer, each with its own registers, CP15 state, modelled TLB and
 * cycle clock; the deterministic scheduler that interleaves them; the
 * guest's SMP hypercalls (kthreads, cross calls, sleeping) -- docs/smp.md.
 *
 * Scheduling rule: the runnable CPU with the lowest clock runs next (ties:
 * the lowest id) until its clock has advanced by `--quantum` cycles or it
 * stops being runnable.  The quantum is checked when a translated block
 * starts, so CPUs interleave at block boundaries (a block is at most 512
 * instructions; a loop body is usually one). */
#ifndef KMAPLAB_EMU_SMP_H
#define KMAPLAB_EMU_SMP_H

#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

#include "highmem.h"
#include "mm.h"

struct machine;

#define SMP_QUANTUM_DEFAULT 1000u /* cycles */
#define SMP_STACK_SIZE (64u << 10)
#define SMP_MAX_CALLS 16u

enum cpu_state {
	CPU_PARKED,  /* no work: a secondary before its first kthread (WFE-like) */
	CPU_RUNNING, /* runnable */
	CPU_BLOCKED, /* asleep in a hypercall until another CPU wakes it */
};

enum cpu_wait {
	WAIT_NONE,
	WAIT_KTHREAD, /* kthread_stop(): for the thread on wait_arg to end */
	WAIT_CALLS,   /* on_each_cpu(..., wait = 1): for its cross calls */
	WAIT_PKMAP,   /* kmap(): pkmap_map_wait, page wait_arg */
	WAIT_MUTEX,   /* newlib's __malloc_lock / __env_lock held by another CPU */
};

struct smp_call {
	uint32_t func, info, ret_trampoline;
	unsigned from;
};

/* What ends up under cpus[i] in the stats: counters moved while the CPU
 * ran (the deltas of mm->stats and ks->stats over its turns). */
struct cpu_acct {
	struct mm_stats mm;
	struct kmap_stats ks;
	uint64_t insns;
};

/* What of a CPU belongs to the task it runs: the CPU's copy is live, the
 * task's (struct task) holds it while the task is switched out
 * (emu/sched.c). */
struct task_ctx {
	unsigned id;        /* task number, 0..KMAPLAB_MAX_TASKS-1 */
	enum cpu_state state;
	enum cpu_wait wait;
	uint32_t wait_arg;  /* WAIT_KTHREAD: a task number; WAIT_PKMAP: a page */
	bool pkmap_retry;   /* its kmap() slept on pkmap_map_wait and runs again */
	uint32_t task;      /* VA of its struct task_struct (guest.h) */
	uint32_t stack_top; /* VA */
	/* The kthread it is. */
	bool thread;
	bool thread_done;
	bool should_stop;
	uint32_t thread_ret;
	/* kmap_atomic sections it has open: the part of its preempt_count
	 * the host keeps (the guest's preempt_disable() is in TPIDRURO). */
	uint32_t atomic;
};

/* Context switches and what they cost (stats: sched.*, cpus[i].sched.*). */
struct sched_stats {
	uint64_t switches;       /* every context switch */
	uint64_t preemptions;    /* switches a tick made */
	uint64_t ticks;          /* ticks that found another runnable task */
	uint64_t deferred;       /* of those, ticks that waited for preempt_count 0 */
	uint64_t yields;         /* switches by schedule() or cond_resched() */
	uint64_t cycles;         /* cycles of the switches (sched_switch and the sched hooks) */
	uint64_t out_pte_clears; /* __kmap_local_sched_out: PTEs cleared */
	uint64_t out_flushes;    /* ... and their local flushes */
	uint64_t in_pte_sets;    /* __kmap_local_sched_in: PTEs set */
	uint64_t in_flushes;     /* ... and their local flushes */
};

struct cpu {
	unsigned id;
	uc_engine *uc;
	uint32_t pc;        /* where it resumes (bit 0: Thumb) */
	bool pc_override;   /* pc set by a hypercall: ignore the engine's */
	bool host_flush_pending; /* its engine's TLB must be flushed before it runs */
	bool code_flush_pending; /* its engine's translated code, likewise */
	uint32_t code_page;      /* the VA page smp_code_fetch() marked last */
	struct mmu_regs regs;
	struct tlb *tlb;
	struct cpu_caches *caches;   /* --model cache: its L1D, the shared L2; NULL: off */
	struct uc_compat_vtlb *vtlb; /* its engine's (Unicorn 2.1, emu/uc_compat.h) */
	/* Its block hook's cost cache (emu/cpu_model.h): a miss reads this
	 * CPU's CPSR, so the entries are this CPU's.  CPU 0's is the model's. */
	struct cpu_model_hot *front;
	uint32_t boot_stack; /* VA: the stack its first kthread runs on */
	uint32_t boot_ts;    /* VA of that kthread's struct task_struct */

	/* The task it runs (NULL: none yet) and that task's context. */
	struct task *curr;
	struct task_ctx t;
	/* The scheduler (emu/sched.c). */
	bool need_resched;   /* a tick or schedule() asked for a switch */
	bool resched_tick;   /* ... and it was a tick */
	bool deferred;       /* that tick is waiting for preempt_count 0 */
	uint64_t next_tick;  /* clock of its next tick (--tick) */
	struct sched_stats sched;

	/* Cross calls queued for it, and the one it runs. */
	struct smp_call calls[SMP_MAX_CALLS];
	unsigned ncalls;
	bool in_call;
	struct smp_call call;
	uint32_t saved[17]; /* r0-r12, sp, lr, pc, cpsr of the interrupted context */
	enum cpu_state saved_state;
	unsigned calls_pending; /* calls it sent that have not returned */

	struct cpu_acct acct, snap;
};

/* Opens CPUs 1..ncpus-1 beside the machine's first engine (m->uc) and makes
 * CPU 0 current.  Returns 0 or an exit status with m->message set. */
int smp_init(struct machine *m, int uc_model);
/* Kernel stacks and task_structs for the secondaries (before kmap_init:
 * memblock is retired after it).  Returns 0 or -1. */
int smp_alloc_boot(struct machine *m);
void smp_free(struct machine *m);

/* The run loop (machine_run). */
void smp_run(struct machine *m);

/* The hypercalls of kmaplab/hypercall.h's SMP section.  Returns true if `nr`
 * is one of them (served; *ret set unless the CPU went to sleep). */
bool smp_hypercall(struct machine *m, uint32_t nr, const uint32_t args[4], uint32_t pc, uint32_t *ret);

/* kmap() found every pkmap slot in use: with other CPUs that could kunmap,
 * the caller sleeps on pkmap_map_wait and retries the SVC at `pc` when woken.
 * Returns false if it is the only CPU (the caller stops the run). */
bool smp_pkmap_sleep(struct machine *m, uint32_t pc, uint32_t page);
/* After a kmap-family call: wakes pkmap_map_wait sleepers if a pkmap slot
 * is free or awaiting a flush. */
void smp_after_kmap_call(struct machine *m, uint32_t nr, uint32_t ret);

/* WFE and SEV at `pc` (Unicorn raises them as undefined): WFE waits for an
 * event -- the CPU's clock moves to the earliest other runnable CPU's and
 * it yields (docs/smp.md) -- SEV is a no-op; both are stepped over.
 * Returns false for any other instruction. */
bool smp_hint(struct machine *m, uint32_t pc);

/* Code written by one CPU that another has translated (text patching):
 * smp_code_fetch() notes the VA pages each CPU runs code from (at every
 * block), smp_code_write() a store by the running CPU; another CPU that ran
 * code from that page drops its translated code before it runs next.
 * Tracked by VA (a store through an alias is not seen) and only with
 * --model on (the store hook). */
void smp_code_fetch(struct machine *m, uint32_t va, uint32_t size);
void smp_code_write(struct machine *m, uint32_t va);

/* Totals over every CPU for the stats. */
uint64_t smp_total_cycles(const struct machine *m);

#endif
