/* SPDX-License-Identifier: MIT */
/* Tasks, the scheduler tick and context switches (see sched.h,
 * docs/sched.md). */
#include "sched.h"

#include <stdlib.h>
#include <string.h>

#include "highmem.h"
#include "hypercall.h"
#include "machine.h"
#include "policy.h"
#include "sched_a64.h"
#include "uc_compat.h"

_Static_assert(SCHED_SWITCH_CYCLES == A64_SCHED_SWITCH_CYCLES && KMAPLAB_MAX_TASKS == A64_MAX_TASKS,
	       "the AArch64 scheduler charges and limits as this one (emu/sched_a64.h)");

static const int ctx_regs[17] = {
	UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R4, UC_ARM_REG_R5,
	UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8, UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
	UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR, UC_ARM_REG_PC, UC_ARM_REG_CPSR,
};

int sched_init(struct machine *m)
{
	m->tasks = calloc(KMAPLAB_MAX_TASKS, sizeof(*m->tasks));
	if (!m->tasks)
		return -1;
	/* main() is task 0, running on CPU 0. */
	struct cpu *c = &m->cpus[0];
	struct task *k = &m->tasks[0];
	k->used = true;
	k->cpu = 0;
	k->on_cpu = true;
	m->ntasks = 1;
	c->curr = k;
	c->t.id = 0;
	c->t.state = CPU_RUNNING;
	c->t.task = c->boot_ts;
	c->t.stack_top = c->boot_stack;
	return 0;
}

void sched_free(struct machine *m)
{
	free(m->tasks);
	m->tasks = NULL;
}

struct task *sched_new_task(struct machine *m, unsigned cpu)
{
	if (m->ntasks >= KMAPLAB_MAX_TASKS)
		return NULL;
	struct task *k = &m->tasks[m->ntasks];
	memset(k, 0, sizeof(*k));
	k->used = true;
	k->cpu = cpu;
	k->t.id = m->ntasks++;
	k->t.state = CPU_RUNNING;
	return k;
}

struct task_ctx *sched_ctx(struct machine *m, struct task *k)
{
	return k->on_cpu ? &m->cpus[k->cpu].t : &k->t;
}

struct task *sched_find(struct machine *m, uint32_t ts)
{
	for (unsigned i = m->ntasks; ts && i-- > 0;)
		if (sched_ctx(m, &m->tasks[i])->task == ts)
			return &m->tasks[i];
	return NULL;
}

/* A switched-out task of `c` that can run. */
static bool other_runnable(const struct machine *m, const struct cpu *c)
{
	for (unsigned i = 0; i < m->ntasks; i++) {
		const struct task *k = &m->tasks[i];
		if (k->cpu == c->id && !k->on_cpu && k->t.state == CPU_RUNNING)
			return true;
	}
	return false;
}

bool sched_cpu_runnable(const struct machine *m, const struct cpu *c)
{
	return c->t.state == CPU_RUNNING || other_runnable(m, c);
}

bool sched_cpu_idle(const struct machine *m, const struct cpu *c)
{
	for (unsigned i = 0; i < m->ntasks; i++) {
		const struct task *k = &m->tasks[i];
		const struct task_ctx *t = k->on_cpu ? &c->t : &k->t;
		if (k->cpu == c->id && (t->state != CPU_PARKED || t->thread))
			return false;
	}
	return !c->in_call;
}

/* Round robin: the next runnable task of `c` after the current one. */
static struct task *pick_next(struct machine *m, struct cpu *c)
{
	unsigned from = c->curr ? c->curr->t.id : 0, n = m->ntasks;
	for (unsigned j = 1; j <= n; j++) {
		struct task *k = &m->tasks[(from + j) % n];
		if (k->cpu == c->id && !k->on_cpu && k->t.state == CPU_RUNNING)
			return k;
	}
	return NULL;
}

/* TPIDRURO: the guest's preempt_count (kmaplab/sched.h). */
static uint32_t guest_preempt_count(struct cpu *c)
{
	uint32_t v = 0;
	uc_compat_cp15_read(c->uc, 13, 0, 0, 3, &v);
	return v;
}

/* preemptible(): preempt_count 0 -- no preempt_disable(), no kmap_atomic
 * section open -- and not in an IPI handler (interrupts masked). */
static bool preemptible(struct cpu *c)
{
	return !c->in_call && !c->t.atomic && !guest_preempt_count(c);
}

/* Runs the policy's hook and counts the PTE stores and local flushes it
 * made. */
static void kmap_hook(struct machine *m, void (*hook)(struct kmaplab_plugin *, uint32_t), uint32_t task,
		      uint64_t *ptes, uint64_t *flushes)
{
	uint64_t p = m->ks->stats.pte_writes, f = m->mm.stats.local_flush_tlb_kernel_page.calls;
	hook(m->policy, task);
	*ptes += m->ks->stats.pte_writes - p;
	*flushes += m->mm.stats.local_flush_tlb_kernel_page.calls - f;
}

/* context_switch(): the outgoing task's registers, preempt_count and
 * context saved, prepare_task_switch()'s kmap_local_sched_out(), the switch
 * itself, finish_task_switch()'s kmap_local_sched_in(), the incoming task's
 * context loaded.  `c` is the running CPU with its engine stopped. */
static void context_switch(struct machine *m, struct cpu *c, struct task *next)
{
	struct sched_stats *st = &c->sched;
	uint64_t begin = m->mm.stats.cycles;
	struct task *prev = c->curr;
	if (prev) {
		for (int i = 0; i < 17; i++)
			uc_reg_read(c->uc, ctx_regs[i], &prev->regs[i]);
		prev->regs[15] = c->pc; /* the engine's PC is stale between turns */
		prev->preempt = guest_preempt_count(c);
		prev->t = c->t;
		prev->on_cpu = false;
		kmap_hook(m, policy_sched_out, prev->t.id, &st->out_pte_clears, &st->out_flushes);
	}
	m->mm.stats.cycles += SCHED_SWITCH_CYCLES;
	kmap_hook(m, policy_sched_in, next->t.id, &st->in_pte_sets, &st->in_flushes);
	c->curr = next;
	c->t = next->t;
	next->on_cpu = true;
	uc_reg_write(c->uc, UC_ARM_REG_CPSR, &next->regs[16]); /* the mode first: SP is banked */
	for (int i = 0; i < 16; i++)
		if (ctx_regs[i] != UC_ARM_REG_PC)
			uc_reg_write(c->uc, ctx_regs[i], &next->regs[i]);
	uc_compat_cp15_write(c->uc, 13, 0, 0, 3, next->preempt);
	c->pc = next->regs[15];
	st->switches++;
	st->cycles += m->mm.stats.cycles - begin;
	if (kmap_stopped(m->ks))
		machine_stop(m, STOP_KERNEL_BUG, "%s", policy_message(m->policy));
}

uint64_t sched_prepare(struct machine *m, struct cpu *c)
{
	if (c->in_call)
		return UINT64_MAX; /* the IPI handler first: no switch in interrupt context */
	uint64_t now = m->mm.stats.cycles, tick = m->opt.tick;
	bool other = other_runnable(m, c);
	if (tick && now >= c->next_tick) {
		/* Ticks are at multiples of --tick on this CPU's clock; ones
		 * that passed while it was idle or in one long block count
		 * once (NO_HZ-like). */
		c->next_tick = (now / tick + 1) * tick;
		if (other && c->t.state == CPU_RUNNING) {
			c->sched.ticks++;
			c->need_resched = true;
			c->resched_tick = true;
		}
	}
	if (c->t.state != CPU_RUNNING) {
		/* It sleeps, waits or ended: the next runnable task runs. */
		struct task *next = pick_next(m, c);
		if (next)
			context_switch(m, c, next);
		c->need_resched = c->deferred = false;
	} else if (c->need_resched) {
		if (!other) {
			c->need_resched = c->deferred = false;
		} else if (!preemptible(c)) {
			/* CONFIG_PREEMPT: the switch waits for preempt_count 0
			 * (preempt_enable()'s preempt_schedule()); looked at
			 * again after the next block. */
			if (!c->deferred)
				c->sched.deferred++;
			c->deferred = true;
			return now + 1;
		} else {
			if (c->resched_tick)
				c->sched.preemptions++;
			else
				c->sched.yields++;
			c->need_resched = c->deferred = false;
			context_switch(m, c, pick_next(m, c));
		}
	}
	if (tick && other_runnable(m, c))
		return c->next_tick;
	return UINT64_MAX;
}

bool sched_hypercall(struct machine *m, uint32_t nr, uint32_t *ret)
{
	struct cpu *c = m->cur;
	if (nr != HC_SCHEDULE && nr != HC_COND_RESCHED)
		return false;
	*ret = 0;
	bool atomic = !preemptible(c);
	if (nr == HC_SCHEDULE && atomic) {
		/* __schedule_bug() (kernel/sched/core.c) */
		machine_stop(m, STOP_KERNEL_BUG,
			     "BUG: scheduling while atomic: schedule() on CPU %u in task %u with preempt_count %u%s%s",
			     c->id, c->t.id, guest_preempt_count(c) + c->t.atomic,
			     c->t.atomic ? " (a kmap_atomic section is open)" : "",
			     c->in_call ? " (in an IPI handler)" : "");
		return true;
	}
	/* cond_resched(): should_resched(0) is false with preemption off.
	 * Both switch only if another task of this CPU can run. */
	if (atomic || !other_runnable(m, c))
		return true;
	c->need_resched = true;
	c->resched_tick = false;
	*ret = nr == HC_COND_RESCHED;
	m->yield = true;
	uc_emu_stop(m->uc);
	return true;
}

void sched_total(const struct machine *m, struct sched_stats *out)
{
	memset(out, 0, sizeof(*out));
	_Static_assert(sizeof(*out) % sizeof(uint64_t) == 0, "sched_stats is all uint64_t");
	for (unsigned i = 0; m->cpus && i < m->ncpus; i++) {
		uint64_t a[sizeof(*out) / 8], b[sizeof(*out) / 8];
		memcpy(a, out, sizeof(a));
		memcpy(b, &m->cpus[i].sched, sizeof(b));
		for (size_t k = 0; k < sizeof(a) / 8; k++)
			a[k] += b[k];
		memcpy(out, a, sizeof(a));
	}
}
