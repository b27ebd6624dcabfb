/* SPDX-License-Identifier: MIT */
/* Tasks, the tick and context switches on the AArch64 machine's one CPU
 * (sched_a64.h, docs/sched.md). */
#include "sched_a64.h"

#include <stdlib.h>
#include <string.h>

#include "kmaplab/hypercall.h"
#include "machine_a64.h"

#define A64_EINTR 4 /* kthread_stop() of a task that never ran */
#define A64_KTHREAD_OWN_STACK 1u /* smp.h's __KMAPLAB_KTHREAD_OWN_STACK */

enum a64_task_state {
	A64_TASK_RUNNABLE, /* running or ready */
	A64_TASK_STOPPING, /* in kthread_stop(), waiting for `wait_for` to end */
	A64_TASK_DEAD,     /* its threadfn returned (kthread_exit) */
};

struct a64_task {
	enum a64_task_state state;
	uint64_t ts;             /* its struct task_struct * (the stack's base; main: 0) */
	bool should_stop;        /* kthread_stop() was called on it */
	int32_t result;          /* threadfn's, once DEAD */
	unsigned wait_for;       /* STOPPING: the task it waits for */
	unsigned atomic;         /* open kmap_atomic sections (their preempt_disable) */
	/* while switched out */
	uint64_t x[31], sp, pc, nzcv, fpcr, fpsr, preempt;
	uint8_t q[32][16];
};

struct a64_sched {
	struct a64_task tasks[A64_MAX_TASKS];
	unsigned ntasks, curr;
	bool need_resched;       /* a tick asked for a switch */
	bool deferred;           /* ... and it waits for preempt_count 0 */
	uint64_t next_tick;
	uint64_t cycles;         /* A64_SCHED_SWITCH_CYCLES per switch */
	struct a64_sched_stats st;
};

int a64_sched_init(struct a64_machine *m)
{
	m->sched = calloc(1, sizeof(*m->sched));
	if (!m->sched)
		return -1;
	m->sched->ntasks = 1; /* main(), task 0, running */
	/* smp_processor_id() reads TPIDR_EL1 (kmaplab/smp_a64.h): CPU 0. */
	a64_set_reg(m, UC_ARM64_REG_TPIDR_EL1, 0);
	a64_set_reg(m, UC_ARM64_REG_TPIDRRO_EL0, 0);
	return 0;
}

void a64_sched_free(struct a64_machine *m)
{
	free(m->sched);
	m->sched = NULL;
}

static int xreg(unsigned i)
{
	/* X0-X28 are consecutive in Unicorn's enum; X29, X30 are not. */
	return i < 29 ? UC_ARM64_REG_X0 + (int)i : i == 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30;
}

static void save_task(struct a64_machine *m, struct a64_task *t, uint64_t pc)
{
	for (unsigned i = 0; i < 31; i++)
		t->x[i] = a64_reg(m, xreg(i));
	t->sp = a64_reg(m, UC_ARM64_REG_SP);
	t->nzcv = a64_reg(m, UC_ARM64_REG_NZCV);
	t->fpcr = a64_reg(m, UC_ARM64_REG_FPCR);
	t->fpsr = a64_reg(m, UC_ARM64_REG_FPSR);
	t->preempt = a64_reg(m, UC_ARM64_REG_TPIDRRO_EL0);
	for (int i = 0; i < 32; i++)
		uc_reg_read(m->uc, UC_ARM64_REG_Q0 + i, t->q[i]);
	t->pc = pc;
}

static void load_task(struct a64_machine *m, const struct a64_task *t)
{
	for (unsigned i = 0; i < 31; i++)
		a64_set_reg(m, xreg(i), t->x[i]);
	a64_set_reg(m, UC_ARM64_REG_SP, t->sp);
	a64_set_reg(m, UC_ARM64_REG_NZCV, t->nzcv);
	a64_set_reg(m, UC_ARM64_REG_FPCR, t->fpcr);
	a64_set_reg(m, UC_ARM64_REG_FPSR, t->fpsr);
	a64_set_reg(m, UC_ARM64_REG_TPIDRRO_EL0, t->preempt);
	for (int i = 0; i < 32; i++)
		uc_reg_write(m->uc, UC_ARM64_REG_Q0 + i, t->q[i]);
	/* Last: in a hook, writing PC makes Unicorn leave the current
	 * translated block and go on at the new PC. */
	a64_set_reg(m, UC_ARM64_REG_PC, t->pc);
}

/* Round robin: the next runnable task after the current one (itself if
 * it is the only one); -1 if none can run. */
static int pick_next(const struct a64_sched *s, bool include_self)
{
	for (unsigned j = 1; j <= s->ntasks; j++) {
		unsigned i = (s->curr + j) % s->ntasks;
		if (s->tasks[i].state == A64_TASK_RUNNABLE && (i != s->curr || include_self))
			return (int)i;
	}
	return -1;
}

static bool preemptible(struct a64_machine *m)
{
	return !m->sched->tasks[m->sched->curr].atomic && !(uint32_t)a64_reg(m, UC_ARM64_REG_TPIDRRO_EL0);
}

/* context_switch() of two kernel threads: the outgoing task's context is
 * saved (it resumes at `pc`), the incoming one's loaded.  No
 * kmap_local_sched_out/in work: arm64 has no highmem (sched_a64.h). */
static void context_switch(struct a64_machine *m, unsigned next, uint64_t pc)
{
	struct a64_sched *s = m->sched;
	save_task(m, &s->tasks[s->curr], pc);
	s->curr = next;
	load_task(m, &s->tasks[next]);
	s->cycles += A64_SCHED_SWITCH_CYCLES;
	s->st.cycles += A64_SCHED_SWITCH_CYCLES;
	s->st.switches++;
}

/* The current task cannot run on (it sleeps or ended): the next runnable
 * one runs; with none, every task sleeps in kthread_stop(). */
static void switch_away(struct a64_machine *m, uint64_t pc)
{
	struct a64_sched *s = m->sched;
	int next = pick_next(s, false);
	if (next < 0) {
		a64_stop(m, STOP_WOULD_SLEEP,
			 "would sleep forever: every task waits in kthread_stop() (task %u waits for task %u)", s->curr,
			 s->tasks[s->curr].wait_for);
		return;
	}
	context_switch(m, (unsigned)next, pc);
}

/* HC_KTHREAD_CREATE: a task on CPU 0 on the stack the guest allocated;
 * its struct task_struct is the stack's base ({ cpu, flags }, as ARM32's). */
static uint64_t kthread_create(struct a64_machine *m, uint64_t info)
{
	struct a64_sched *s = m->sched;
	uint64_t w[6]; /* entry, fn, arg, cpu, stack, stack_size */
	if (a64_guest_read(m, info, w, sizeof(w)))
		return 0;
	uint64_t cpu = w[3], stack = w[4], size = w[5];
	if (cpu != 0 || size < 1024 || stack + size < stack || (stack & 7) || s->ntasks >= A64_MAX_TASKS)
		return 0;
	uint64_t ts[2] = { 0, A64_KTHREAD_OWN_STACK };
	if (a64_guest_write(m, stack, ts, sizeof(ts)))
		return 0;
	struct a64_task *t = &s->tasks[s->ntasks++];
	memset(t, 0, sizeof(*t));
	t->state = A64_TASK_RUNNABLE;
	t->ts = stack;
	/* entry(fn, arg) on the new stack (AAPCS64: 16-byte aligned SP). */
	t->pc = w[0];
	t->x[0] = w[1];
	t->x[1] = w[2];
	t->sp = (stack + size) & ~15ull;
	t->fpcr = a64_reg(m, UC_ARM64_REG_FPCR);
	return stack;
}

static int find_task(const struct a64_sched *s, uint64_t ts)
{
	for (unsigned i = s->ntasks; ts && i-- > 1;)
		if (s->tasks[i].ts == ts)
			return (int)i;
	return -1;
}

static void kthread_exit(struct a64_machine *m, int32_t result, uint64_t pc)
{
	struct a64_sched *s = m->sched;
	struct a64_task *t = &s->tasks[s->curr];
	char sym[160];
	if (s->curr == 0) {
		a64_stop(m, STOP_BAD_CALL, "kthread exit from main(), which is no kthread, called from %s",
			 a64_symbolize(m, pc, sym, sizeof(sym)));
		return;
	}
	t->state = A64_TASK_DEAD;
	t->result = result;
	/* kthread_stop()'s waiter wakes with the result (it runs at the
	 * switch this exit makes, or later). */
	for (unsigned i = 0; i < s->ntasks; i++)
		if (s->tasks[i].state == A64_TASK_STOPPING && s->tasks[i].wait_for == s->curr) {
			s->tasks[i].state = A64_TASK_RUNNABLE;
			s->tasks[i].x[0] = (uint64_t)(int64_t)result;
		}
	switch_away(m, pc);
}

/* kthread_stop(): should_stop set, then sleep until the task ended. */
static bool kthread_stop(struct a64_machine *m, uint64_t ts, uint64_t pc, uint64_t *ret)
{
	struct a64_sched *s = m->sched;
	int k = find_task(s, ts);
	char sym[160];
	if (k < 0) {
		*ret = (uint64_t)-A64_EINTR;
		return true;
	}
	if ((unsigned)k == s->curr) {
		a64_stop(m, STOP_WOULD_SLEEP, "would sleep forever: task %u calls kthread_stop() on itself, called from %s",
			 s->curr, a64_symbolize(m, pc, sym, sizeof(sym)));
		return false;
	}
	struct a64_task *t = &s->tasks[k];
	t->should_stop = true;
	if (t->state == A64_TASK_DEAD) {
		*ret = (uint64_t)(int64_t)t->result;
		return true;
	}
	s->tasks[s->curr].state = A64_TASK_STOPPING;
	s->tasks[s->curr].wait_for = (unsigned)k;
	switch_away(m, a64_reg(m, UC_ARM64_REG_PC));
	return false;
}

/* schedule() and cond_resched(): the next runnable task runs. */
static bool resched(struct a64_machine *m, uint64_t nr, uint64_t pc, uint64_t *ret)
{
	struct a64_sched *s = m->sched;
	struct a64_task *t = &s->tasks[s->curr];
	bool atomic = !preemptible(m);
	char sym[160];
	*ret = 0;
	if (nr == HC_SCHEDULE && atomic) {
		/* __schedule_bug() (kernel/sched/core.c) */
		a64_stop(m, STOP_KERNEL_BUG,
			 "BUG: scheduling while atomic: schedule() on CPU 0 in task %u with preempt_count %u%s, called from %s",
			 s->curr, (unsigned)(uint32_t)a64_reg(m, UC_ARM64_REG_TPIDRRO_EL0) + t->atomic,
			 t->atomic ? " (a kmap_atomic section is open)" : "", a64_symbolize(m, pc, sym, sizeof(sym)));
		return false;
	}
	int next = pick_next(s, false);
	if (atomic || next < 0)
		return true;
	/* x0 of the caller when it resumes: cond_resched() switched. */
	a64_set_reg(m, UC_ARM64_REG_X0, nr == HC_COND_RESCHED);
	s->st.yields++;
	s->need_resched = s->deferred = false;
	context_switch(m, (unsigned)next, a64_reg(m, UC_ARM64_REG_PC));
	return false;
}

bool a64_sched_hypercall(struct a64_machine *m, uint64_t nr, uint64_t pc, uint64_t *ret, bool *set_ret)
{
	struct a64_sched *s = m->sched;
	struct a64_task *t = &s->tasks[s->curr];
	uint64_t a0 = a64_reg(m, UC_ARM64_REG_X0);
	char sym[160];
	*ret = 0;
	*set_ret = true;
	switch (nr) {
	/* kmap_atomic() is preempt_disable() + page_address() without
	 * highmem (include/linux/highmem.h v5.10); the machine serves it. */
	case HC_KMAP_ATOMIC: t->atomic++; return false;
	case HC_KUNMAP_ATOMIC: if (t->atomic) t->atomic--; return false;
	/* One modelled CPU (docs/aarch64.md). */
	case HC_NUM_ONLINE_CPUS: *ret = 1; return true;
	/* The first kthread of an idle CPU: there is no idle CPU, CPU 0 runs
	 * the caller; smp.h then makes a task beside it (HC_KTHREAD_CREATE),
	 * or returns NULL for a CPU above 0. */
	case HC_KTHREAD_RUN_ON_CPU: return true;
	case HC_KTHREAD_CREATE: *ret = kthread_create(m, a0); return true;
	case HC_KTHREAD_SHOULD_STOP: *ret = t->should_stop; return true;
	case HC_KTHREAD_EXIT: kthread_exit(m, (int32_t)a0, a64_reg(m, UC_ARM64_REG_PC)); break;
	case HC_KTHREAD_STOP:
		if (kthread_stop(m, a0, pc, ret))
			return true;
		break;
	case HC_SCHEDULE: case HC_COND_RESCHED:
		if (resched(m, nr, pc, ret))
			return true;
		break;
	/* smp_call_function_single() to this CPU and on_each_cpu() with one
	 * CPU never get here (smp.h runs func directly); nothing is pending. */
	case HC_SMP_CALL_WAIT: return true;
	case HC_SMP_CALL:
		a64_stop(m, STOP_BAD_CALL,
			 "IPI to CPU %llu: the AArch64 machine models one CPU (no smp_call_function to another CPU), called from %s",
			 (unsigned long long)a0, a64_symbolize(m, pc, sym, sizeof(sym)));
		break;
	case HC_SMP_CALL_RETURN:
		a64_stop(m, STOP_BAD_CALL, "IPI return outside an IPI handler (the AArch64 machine sends none), called from %s",
			 a64_symbolize(m, pc, sym, sizeof(sym)));
		break;
	default: return false;
	}
	*set_ret = false;
	return true;
}

bool a64_sched_block(struct a64_machine *m, uint64_t addr)
{
	struct a64_sched *s = m->sched;
	uint64_t tick = m->opt.tick;
	if (!s || s->ntasks < 2)
		return false;
	int next = pick_next(s, false);
	if (tick) {
		uint64_t now = a64_cycles(m);
		if (now >= s->next_tick) {
			/* Ticks at multiples of --tick; ones that passed inside one
			 * block count once (as emu/sched.c). */
			s->next_tick = (now / tick + 1) * tick;
			if (next >= 0) {
				s->st.ticks++;
				s->need_resched = true;
			}
		}
	}
	if (!s->need_resched)
		return false;
	if (next < 0) {
		s->need_resched = s->deferred = false;
		return false;
	}
	if (!preemptible(m)) {
		/* CONFIG_PREEMPT: the switch waits for preempt_count 0. */
		if (!s->deferred)
			s->st.deferred++;
		s->deferred = true;
		return false;
	}
	s->need_resched = s->deferred = false;
	s->st.preemptions++;
	context_switch(m, (unsigned)next, addr);
	/* The next tick is the first after the switch: ticks that passed
	 * during it count once, so a --tick shorter than a switch still lets
	 * each task run a block. */
	if (tick)
		s->next_tick = (a64_cycles(m) / tick + 1) * tick;
	return true;
}

uint64_t a64_sched_cycles(const struct a64_machine *m)
{
	return m->sched ? m->sched->cycles : 0;
}

bool a64_sched_used(const struct a64_machine *m)
{
	return m->sched && m->sched->ntasks > 1;
}

unsigned a64_sched_ntasks(const struct a64_machine *m)
{
	return m->sched ? m->sched->ntasks : 1;
}

const struct a64_sched_stats *a64_sched_stats(const struct a64_machine *m)
{
	return &m->sched->st;
}
