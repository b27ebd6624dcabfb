/* SPDX-License-Identifier: MIT */
/* Kernel threads on the AArch64 machine's one CPU (docs/sched.md,
 * docs/aarch64.md): kthread_run_on_cpu(), kthread_stop(),
 * kthread_should_stop(), schedule(), cond_resched() and preemption on the
 * --tick, as the ARM32 machine's emu/sched.c does for each of its CPUs.
 *
 * One modelled CPU: num_online_cpus() is 1, smp_processor_id() 0, every
 * task is bound to CPU 0, and a cross call to another CPU stops the run.
 * A task's context while switched out: X0-X30, SP, PC, NZCV, the FP/SIMD
 * registers (Q0-Q31, FPCR, FPSR: picolibc's memcpy uses them), and
 * TPIDRRO_EL0 (the guest's preempt_count, kmaplab/smp_a64.h).  The rest of
 * PSTATE is the same for every task (EL1h, DAIF masked).
 *
 * arm64 has no CONFIG_HIGHMEM: kmap_local_page() is page_address() with no
 * per-task state, so a switch has no __kmap_local_sched_out/in work (in
 * mm/highmem.c v6.6 those walk the task's kmap_ctrl.pteval[] of highmem
 * fixmap slots, which only a CONFIG_KMAP_LOCAL kernel has). */
#ifndef KMAPLAB_EMU_SCHED_A64_H
#define KMAPLAB_EMU_SCHED_A64_H

#include <stdbool.h>
#include <stdint.h>

struct a64_machine;
struct a64_sched;

/* emu/sched.h's SCHED_SWITCH_CYCLES and KMAPLAB_MAX_TASKS (sched.h cannot
 * be included beside the arm64 headers; emu/sched.c asserts they agree). */
#define A64_SCHED_SWITCH_CYCLES 1000u
#define A64_MAX_TASKS 64u

/* The sched.* counters, as struct sched_stats of emu/smp.h (the kmap_local
 * hooks' PTE and flush counts are always 0 here). */
struct a64_sched_stats {
	uint64_t switches, preemptions, ticks, deferred, yields, cycles;
};

/* Task 0 is main(), running.  Returns 0 or -1 (out of memory). */
int a64_sched_init(struct a64_machine *m);
void a64_sched_free(struct a64_machine *m);

/* The scheduler's hypercalls (HC_NUM_ONLINE_CPUS .. HC_COND_RESCHED).
 * Returns false if `nr` is not one of them; else true, with *set_ret
 * telling whether X0 gets *ret (not when the call switched tasks or
 * stopped the run).  HC_KMAP_ATOMIC/HC_KUNMAP_ATOMIC are only noted (their
 * preempt_disable()/enable()) and return false. */
bool a64_sched_hypercall(struct a64_machine *m, uint64_t nr, uint64_t pc, uint64_t *ret, bool *set_ret);

/* At the start of a translated block at `addr`, before it is counted:
 * the tick, and a preemption if one is due and the task is preemptible.
 * Returns true if it switched (the block at `addr` does not run now). */
bool a64_sched_block(struct a64_machine *m, uint64_t addr);

/* Cycles charged to context switches. */
uint64_t a64_sched_cycles(const struct a64_machine *m);
/* A second task was ever made: the sched.* keys belong in the stats. */
bool a64_sched_used(const struct a64_machine *m);
unsigned a64_sched_ntasks(const struct a64_machine *m);
const struct a64_sched_stats *a64_sched_stats(const struct a64_machine *m);

#endif
