/* SPDX-License-Identifier: MIT */
/* The CPUs of an SMP machine and their scheduler (see smp.h, docs/smp.md). */
#include "smp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bug.h"
#include "cache.h"
#include "cpu_model.h"
#include "exit_status.h"
#include "fault.h"
#include "fill_model.h"
#include "hypercall.h"
#include "kdata.h"
#include "machine.h"
#include "pmu.h"
#include "sched.h"
#include "uc_compat.h"

#define CPSR_MODE_SVC 0x13u
#define CPSR_I (1u << 7)
#define CPSR_F (1u << 6)
#define CPSR_T (1u << 5)
#define EINTR 4
#define EBUSY 16

static const int ctx_regs[17] = {
	UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R4, UC_ARM_REG_R5,
	UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8, UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
	UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR, UC_ARM_REG_PC, UC_ARM_REG_CPSR,
};

/* ------------------------------------------------------------------ */
/* Per-CPU accounting: the counters that moved while a CPU ran. */

_Static_assert(sizeof(struct mm_stats) % sizeof(uint64_t) == 0, "mm_stats is all uint64_t");
_Static_assert(sizeof(struct kmap_stats) % sizeof(uint64_t) == 0, "kmap_stats is all uint64_t");

static void u64_add_delta(void *acc, const void *now, const void *snap, size_t size)
{
	uint64_t a[size / 8], n[size / 8], s[size / 8];
	memcpy(a, acc, size);
	memcpy(n, now, size);
	memcpy(s, snap, size);
	for (size_t i = 0; i < size / 8; i++)
		a[i] += n[i] - s[i];
	memcpy(acc, a, size);
}

static void take(const struct machine *m, struct cpu_acct *a)
{
	a->mm = m->mm.stats;
	if (m->ks)
		a->ks = m->ks->stats;
	a->insns = m->insns;
}

static uint64_t clock_of(const struct machine *m, const struct cpu *c)
{
	return c == m->cur ? m->mm.stats.cycles : m->mm.smp.clock[c->id];
}

static void switch_out(struct machine *m)
{
	struct cpu *c = m->cur;
	struct cpu_acct now;
	take(m, &now);
	u64_add_delta(&c->acct.mm, &now.mm, &c->snap.mm, sizeof(now.mm));
	u64_add_delta(&c->acct.ks, &now.ks, &c->snap.ks, sizeof(now.ks));
	c->acct.insns += now.insns - c->snap.insns;
	c->regs = m->mm.regs;
	m->mm.smp.clock[c->id] = m->mm.stats.cycles;
	m->cur = NULL;
}

static void switch_in(struct machine *m, struct cpu *c)
{
	m->cur = c;
	m->uc = c->uc;
	m->vtlb = c->vtlb;
	m->front = c->front;
	m->mm.tlb = c->tlb;
	m->mm.caches = c->caches;
	m->mm.regs = c->regs; /* its CP15 state: a guest MCR changes only its own */
	m->mm.smp.cpu = c->id;
	m->mm.stats.cycles = m->mm.smp.clock[c->id];
	if (m->trace)
		trace_set_cpu(m->trace, c->id);
	take(m, &c->snap);
	if (c->host_flush_pending) {
		c->host_flush_pending = false;
		uc_compat_vtlb_flush_all(c->vtlb, c->uc);
	}
	if (c->code_flush_pending) {
		/* Another CPU wrote a page this one ran code from: drop all of
		 * its translated code (a range removal would do, at more
		 * bookkeeping). */
		c->code_flush_pending = false;
		uc_compat_flush_code(c->uc);
		m->smp_code_flushes++;
	}
}

uint64_t smp_total_cycles(const struct machine *m)
{
	if (!m->cpus || m->ncpus < 2)
		return m->mm.stats.cycles;
	uint64_t t = 0;
	for (unsigned i = 0; i < m->ncpus; i++)
		t += m->cpus[i].acct.mm.cycles + m->mm.smp.remote_cycles[i];
	return t;
}

/* ------------------------------------------------------------------ */
/* Set-up */

int smp_alloc_boot(struct machine *m)
{
	unsigned n = m->ncpus;
	m->cpus = calloc(n, sizeof(*m->cpus));
	if (!m->cpus)
		return -1;
	if (n < 2)
		return 0; /* one CPU: the boot layout of the single-core model */
	const struct kernel_layout *l = &m->mm.layout;
	for (unsigned i = 0; i < n; i++) {
		struct cpu *c = &m->cpus[i];
		uint32_t task = memblock_alloc(&m->mm, 64, 64);
		if (!task)
			return -1;
		c->boot_ts = __va(l, task);
		phys_write32(&m->mm.mem, task, i); /* struct task_struct { int cpu; } */
		if (i == 0) {
			c->boot_stack = __va(l, m->mm.boot.stack_top);
			continue;
		}
		uint32_t stack = memblock_alloc(&m->mm, SMP_STACK_SIZE, PAGE_SIZE);
		if (!stack)
			return -1;
		c->boot_stack = __va(l, stack + SMP_STACK_SIZE);
	}
	return 0;
}

static int hook_libc_locks(struct machine *m, uc_engine *uc);

static int smp_fail(struct machine *m, const char *what, uc_err err)
{
	snprintf(m->message, sizeof(m->message), "Unicorn refused %s: %s", what, uc_strerror(err));
	return EXIT_INTERNAL;
}

int smp_init(struct machine *m, int uc_model)
{
	struct mm_smp *s = &m->mm.smp;
	if (!m->cpus && smp_alloc_boot(m))
		return smp_fail(m, "memory for the CPUs", UC_ERR_NOMEM);
	s->ncpus = m->ncpus;
	smp_costs_default(&s->costs);
	s->broadcast = m->opt.tlb_broadcast;
	s->erratum_798181 = m->opt.erratum_798181;
	uc_engine *boot = m->uc;
	for (unsigned i = 0; i < m->ncpus; i++) {
		struct cpu *c = &m->cpus[i];
		c->id = i;
		c->regs = m->mm.regs;
		s->clock[i] = m->mm.stats.cycles;
		if (i == 0) {
			c->uc = boot;
			c->vtlb = m->vtlb;
			c->front = m->front;
			c->tlb = m->mm.tlb;
			c->caches = m->mm.caches;
			c->pc = m->img.entry;
		} else {
			uc_err err = uc_compat_open(m->uc_model, &c->uc);
			if (err)
				return smp_fail(m, "to open an engine for a secondary CPU", err);
			m->uc = c->uc;
			int rc = machine_setup_engine(m);
			if (!rc)
				rc = pmu_add_hooks(m, c->uc); /* its own PMU (emu/pmu.h) */
			c->vtlb = m->vtlb;
			m->uc = boot;
			m->vtlb = m->cpus[0].vtlb;
			if (rc)
				return rc;
			c->tlb = tlb_create(m->mm.core, m->opt.seed + i);
			if (!c->tlb)
				return smp_fail(m, "(out of memory for) a TLB model", UC_ERR_NOMEM);
			c->front = calloc(1, sizeof(*c->front));
			if (!c->front)
				return smp_fail(m, "(out of memory for) a block cost cache", UC_ERR_NOMEM);
			if ((err = (uc_err)fill_model_attach(m, c->tlb, c->vtlb, c->front, i)))
				return smp_fail(m, "the TLB-fill model's I/O alias", err);
			/* Each CPU its own L1D, one L2 for the cluster (mm/cache.h). */
			if (m->mm.caches) {
				c->caches = cpu_caches_create_sibling(m->mm.caches, m->opt.seed + i);
				if (!c->caches)
					return smp_fail(m, "(out of memory for) an L1D model", UC_ERR_NOMEM);
				tlb_set_walk_cache(c->tlb, &c->caches->walk);
			}
			c->t.state = CPU_PARKED; /* no task yet */
		}
		s->tlb[i] = c->tlb;
		/* TPIDRPRW holds the CPU number: smp_processor_id() in guest.h. */
		if (m->ncpus > 1) {
			uc_err err = uc_compat_cp15_write(c->uc, 13, 0, 0, 4, i);
			if (err)
				return smp_fail(m, "a TPIDRPRW write", err);
		}
	}
	(void)uc_model;
	for (unsigned i = 0; i < m->ncpus && m->ncpus > 1; i++)
		if (hook_libc_locks(m, m->cpus[i].uc))
			return smp_fail(m, "a hook on __malloc_lock", UC_ERR_HOOK);
	if (m->ncpus > 1) {
		m->code_pages = calloc(1u << (32 - PAGE_SHIFT), 1);
		if (!m->code_pages)
			return smp_fail(m, "(out of memory for) the code-page map", UC_ERR_NOMEM);
	}
	if (sched_init(m))
		return smp_fail(m, "(out of memory for) the tasks", UC_ERR_NOMEM);
	/* CPU 0 is current from the start: the boot work is its own. */
	m->cur = &m->cpus[0];
	m->mm.smp.cpu = 0;
	memset(&m->cpus[0].snap, 0, sizeof(m->cpus[0].snap));
	return 0;
}

void smp_code_fetch(struct machine *m, uint32_t va, uint32_t size)
{
	uint32_t first = va >> PAGE_SHIFT, last = (va + size - 1) >> PAGE_SHIFT;
	struct cpu *c = m->cur;
	if (first == last && first == c->code_page)
		return; /* marked already: most blocks run from the page of the one before */
	uint8_t bit = (uint8_t)(1u << c->id);
	m->code_pages[first] |= bit;
	m->code_pages[last] |= bit;
	c->code_page = last;
}

void smp_code_write(struct machine *m, uint32_t va)
{
	uint8_t others = m->code_pages[va >> PAGE_SHIFT] & (uint8_t)~(1u << m->cur->id);
	for (unsigned i = 0; others; i++, others >>= 1)
		if (others & 1)
			m->cpus[i].code_flush_pending = true;
}

void smp_free(struct machine *m)
{
	free(m->code_pages);
	m->code_pages = NULL;
	sched_free(m);
	if (!m->cpus)
		return;
	/* mm shows CPU 0 again: machine_free() frees its TLB and caches. */
	if (m->cpus[0].tlb)
		m->mm.tlb = m->cpus[0].tlb;
	if (m->cpus[0].caches)
		m->mm.caches = m->cpus[0].caches;
	for (unsigned i = 1; i < m->ncpus; i++) {
		struct cpu *c = &m->cpus[i];
		if (c->tlb)
			tlb_destroy(c->tlb);
		cpu_caches_free(c->caches);
		if (c->uc)
			uc_close(c->uc);
		uc_compat_vtlb_free(c->vtlb);
		free(c->front);
	}
	free(m->cpus);
	m->cpus = NULL;
}

/* ------------------------------------------------------------------ */
/* Sleeping and waking */

static uint64_t now(const struct machine *m)
{
	return m->mm.stats.cycles;
}

/* Lets the scheduler look again soon: another CPU became runnable. */
static void reschedule_soon(struct machine *m)
{
	uint64_t t = now(m) + m->opt.quantum;
	if (m->slice_end > t)
		m->slice_end = t;
}

static void block(struct machine *m, enum cpu_wait wait, uint32_t arg)
{
	struct cpu *c = m->cur;
	c->t.state = CPU_BLOCKED;
	c->t.wait = wait;
	c->t.wait_arg = arg;
	m->yield = true;
	uc_emu_stop(m->uc);
}

/* Moves a CPU that is not running to time `t` if it is behind: idle. */
static void catch_up(struct machine *m, struct cpu *c, uint64_t t)
{
	uint64_t *clk = &m->mm.smp.clock[c->id];
	if (c == m->cur)
		return; /* its clock is running */
	if (*clk < t) {
		m->mm.smp.stats[c->id].idle_cycles += t - *clk;
		*clk = t;
	}
}

static void wake(struct machine *m, struct cpu *c, bool set_r0, uint32_t r0)
{
	c->t.wait = WAIT_NONE;
	catch_up(m, c, now(m));
	if (c->in_call) {
		c->saved_state = CPU_RUNNING;
		if (set_r0)
			c->saved[0] = r0;
	} else {
		c->t.state = CPU_RUNNING;
		if (set_r0)
			uc_reg_write(c->uc, UC_ARM_REG_R0, &r0);
	}
	reschedule_soon(m);
}

/* Wakes task `k` wherever it is: the current task of its CPU, or one
 * switched out (it runs when its CPU next switches, emu/sched.c). */
static void wake_task(struct machine *m, struct task *k, bool set_r0, uint32_t r0)
{
	struct cpu *c = &m->cpus[k->cpu];
	if (k->on_cpu) {
		wake(m, c, set_r0, r0);
		return;
	}
	if (!sched_cpu_runnable(m, c))
		catch_up(m, c, now(m)); /* it was idle until now */
	k->t.wait = WAIT_NONE;
	k->t.state = CPU_RUNNING;
	if (set_r0)
		k->regs[0] = r0;
	reschedule_soon(m);
}

/* ------------------------------------------------------------------ */
/* Cross calls: an IPI that makes a CPU run func(info) */

static void save_context(struct cpu *c)
{
	for (int i = 0; i < 17; i++)
		uc_reg_read(c->uc, ctx_regs[i], &c->saved[i]);
	c->saved[15] = c->pc; /* the engine's PC is stale between turns */
}

static void deliver(struct machine *m, struct cpu *c)
{
	if (c->in_call || !c->ncalls)
		return;
	c->call = c->calls[0];
	memmove(&c->calls[0], &c->calls[1], --c->ncalls * sizeof(c->calls[0]));
	save_context(c);
	c->saved_state = c->t.state;
	c->in_call = true;
	c->t.state = CPU_RUNNING;
	uint32_t cpsr = (c->saved[16] & ~CPSR_T) | CPSR_I | ((c->call.func & 1) ? CPSR_T : 0);
	uc_reg_write(c->uc, UC_ARM_REG_CPSR, &cpsr);
	uc_reg_write(c->uc, UC_ARM_REG_R0, &c->call.info);
	uc_reg_write(c->uc, UC_ARM_REG_LR, &c->call.ret_trampoline);
	c->pc = c->call.func;
	/* The IPI's entry work is the target's. */
	uint64_t entry = m->mm.smp.costs.ipi_entry;
	if (c == m->cur) {
		m->mm.stats.cycles += entry;
	} else {
		m->mm.smp.clock[c->id] += entry;
		m->mm.smp.remote_cycles[c->id] += entry;
	}
	m->mm.smp.stats[c->id].ipi_received++;
	m->mm.smp.stats[c->id].ipi_handler_cycles += entry;
}

static uint32_t hc_smp_call(struct machine *m, const uint32_t a[4])
{
	struct cpu *c = m->cur;
	if (a[0] >= m->ncpus || a[0] == c->id)
		return (uint32_t)-22; /* -EINVAL: the caller runs its own part */
	struct cpu *t = &m->cpus[a[0]];
	if (t->ncalls >= SMP_MAX_CALLS)
		return (uint32_t)-EBUSY;
	m->mm.stats.cycles += m->mm.smp.costs.ipi_send;
	m->mm.smp.stats[c->id].ipi_sent++;
	m->mm.smp.stats[c->id].ipi_send_cycles += m->mm.smp.costs.ipi_send;
	t->calls[t->ncalls++] = (struct smp_call){ a[1], a[2], a[3], c->id };
	c->calls_pending++;
	if (t->t.state != CPU_RUNNING && !t->in_call) {
		/* An idle or sleeping CPU takes the IPI when it arrives. */
		catch_up(m, t, now(m));
		deliver(m, t);
	}
	reschedule_soon(m);
	return 0;
}

static void restore_context(struct cpu *c)
{
	for (int i = 0; i < 17; i++)
		if (ctx_regs[i] != UC_ARM_REG_PC)
			uc_reg_write(c->uc, ctx_regs[i], &c->saved[i]);
	c->pc = c->saved[15];
	c->pc_override = true;
}

static void hc_smp_call_return(struct machine *m)
{
	struct cpu *c = m->cur;
	if (!c->in_call) {
		machine_stop(m, STOP_BAD_CALL, "HC_SMP_CALL_RETURN outside a cross call");
		return;
	}
	c->in_call = false;
	m->mm.stats.cycles += m->mm.smp.costs.ipi_exit;
	m->mm.smp.stats[c->id].ipi_handler_cycles += m->mm.smp.costs.ipi_exit;
	restore_context(c);
	c->t.state = c->saved_state;
	struct cpu *from = &m->cpus[c->call.from];
	if (from->calls_pending && --from->calls_pending == 0 && from->t.wait == WAIT_CALLS) {
		uint64_t t = now(m) + m->mm.smp.costs.ipi_ack;
		catch_up(m, from, t);
		wake(m, from, true, 0);
	}
	if (c->ncalls)
		deliver(m, c); /* the next one queued, before going back */
	m->yield = true; /* resume at the restored PC, or sleep again */
	uc_emu_stop(m->uc);
}

/* ------------------------------------------------------------------ */
/* kthreads: tasks bound to a CPU (emu/sched.c runs several per CPU) */

#define KTHREAD_OWN_STACK 1u /* struct task_struct flags: its stack is the guest's */

/* The registers a kthread starts with: entry(fn, arg) in SVC mode with
 * interrupts masked, on `sp`. */
static void kthread_regs(uint32_t regs[17], uint32_t entry, uint32_t fn, uint32_t arg, uint32_t sp)
{
	memset(regs, 0, 17 * sizeof(regs[0]));
	regs[0] = fn;
	regs[1] = arg;
	regs[13] = sp;
	regs[15] = entry;
	regs[16] = CPSR_MODE_SVC | CPSR_I | CPSR_F | ((entry & 1) ? CPSR_T : 0);
}

/* HC_KTHREAD_RUN_ON_CPU: the first kthread of a CPU that has none alive,
 * on its boot stack, started at once. */
static uint32_t hc_kthread_run(struct machine *m, const uint32_t a[4])
{
	uint32_t entry = a[0], fn = a[1], arg = a[2], cpu = a[3];
	if (cpu >= m->ncpus || cpu == m->cur->id || !m->cpus[cpu].boot_stack)
		return 0; /* NULL: the guest makes a task with a stack of its own */
	struct cpu *t = &m->cpus[cpu];
	if (t->in_call || !sched_cpu_idle(m, t))
		return 0;
	struct task *k = sched_new_task(m, cpu);
	if (!k)
		return 0;
	catch_up(m, t, now(m));
	if (t->curr) { /* the CPU's last task, which ended: switched out */
		t->curr->t = t->t;
		t->curr->on_cpu = false;
	}
	uint32_t regs[17];
	kthread_regs(regs, entry, fn, arg, t->boot_stack);
	uc_reg_write(t->uc, UC_ARM_REG_CPSR, &regs[16]); /* the mode first: SP is banked */
	for (int i = 0; i < 16; i++)
		if (ctx_regs[i] != UC_ARM_REG_PC)
			uc_reg_write(t->uc, ctx_regs[i], &regs[i]);
	uc_compat_cp15_write(t->uc, 13, 0, 0, 3, 0); /* preempt_count */
	t->curr = k;
	k->on_cpu = true;
	t->t = (struct task_ctx){ .id = k->t.id, .state = CPU_RUNNING, .task = t->boot_ts,
				  .stack_top = t->boot_stack, .thread = true };
	t->pc = entry;
	reschedule_soon(m);
	return t->t.task;
}

/* HC_KTHREAD_CREATE: another task on any CPU (the caller's too), on a
 * stack the guest allocated; its struct task_struct is the stack's base.
 * It runs when its CPU next switches (a tick, schedule(), the running
 * task sleeping or ending, or at once on an idle CPU). */
static uint32_t hc_kthread_create(struct machine *m, uint32_t info)
{
	uint32_t w[6]; /* entry, fn, arg, cpu, stack, stack_size */
	if (guest_read(m, info, w, sizeof(w)))
		return 0;
	uint32_t cpu = w[3], stack = w[4], size = w[5];
	if (cpu >= m->ncpus || size < 1024 || stack + size < stack || (stack & 7))
		return 0;
	uint32_t ts[2] = { cpu, KTHREAD_OWN_STACK }; /* struct task_struct { int cpu; flags; } */
	if (guest_write(m, stack, ts, sizeof(ts)))
		return 0;
	struct cpu *c = &m->cpus[cpu];
	bool idle = !sched_cpu_runnable(m, c);
	struct task *k = sched_new_task(m, cpu);
	if (!k)
		return 0;
	if (idle)
		catch_up(m, c, now(m));
	kthread_regs(k->regs, w[0], w[1], w[2], (stack + size) & ~7u);
	k->t.task = stack;
	k->t.stack_top = stack + size;
	k->t.thread = true;
	reschedule_soon(m);
	return stack;
}

static void hc_kthread_exit(struct machine *m, uint32_t ret)
{
	struct cpu *c = m->cur;
	if (!c->t.thread) {
		machine_stop(m, STOP_BAD_CALL, "kthread exit on CPU %u, which runs no kthread", c->id);
		return;
	}
	c->t.thread = false;
	c->t.thread_done = true;
	c->t.thread_ret = ret;
	c->t.state = CPU_PARKED;
	m->yield = true;
	uc_emu_stop(m->uc);
	for (unsigned i = 0; i < m->ntasks; i++) {
		struct task_ctx *w = sched_ctx(m, &m->tasks[i]);
		if (w->wait == WAIT_KTHREAD && w->wait_arg == c->t.id) {
			c->t.thread_done = false;
			wake_task(m, &m->tasks[i], true, ret);
		}
	}
}

/* kthread_stop(): tells the thread to stop and waits for it to end; its
 * result, or -EINTR if it has none running. */
static bool hc_kthread_stop(struct machine *m, uint32_t ts, uint32_t *ret)
{
	struct task *k = sched_find(m, ts);
	if (!k || k == m->cur->curr) {
		*ret = (uint32_t)-EINTR;
		return true;
	}
	struct task_ctx *t = sched_ctx(m, k);
	t->should_stop = true;
	if (t->thread_done) {
		t->thread_done = false;
		*ret = t->thread_ret;
		return true;
	}
	if (!t->thread) {
		*ret = (uint32_t)-EINTR;
		return true;
	}
	block(m, WAIT_KTHREAD, t->id);
	return false;
}

/* ------------------------------------------------------------------ */

bool smp_hypercall(struct machine *m, uint32_t nr, const uint32_t a[4], uint32_t pc, uint32_t *ret)
{
	(void)pc;
	bool set = true;
	*ret = 0;
	switch (nr) {
	case HC_NUM_ONLINE_CPUS:
		*ret = m->ncpus;
		break;
	case HC_KTHREAD_RUN_ON_CPU:
		*ret = hc_kthread_run(m, a);
		break;
	case HC_KTHREAD_EXIT:
		hc_kthread_exit(m, a[0]);
		set = false;
		break;
	case HC_KTHREAD_STOP:
		set = hc_kthread_stop(m, a[0], ret);
		break;
	case HC_KTHREAD_SHOULD_STOP:
		*ret = m->cur->t.should_stop;
		break;
	case HC_SMP_CALL:
		*ret = hc_smp_call(m, a);
		break;
	case HC_SMP_CALL_RETURN:
		hc_smp_call_return(m);
		set = false;
		break;
	case HC_KTHREAD_CREATE:
		*ret = hc_kthread_create(m, a[0]);
		break;
	case HC_SMP_CALL_WAIT:
		if (m->cur->calls_pending) {
			block(m, WAIT_CALLS, 0);
			set = false;
		}
		break;
	default:
		if (!sched_hypercall(m, nr, ret))
			return false;
		set = m->stop == STOP_NONE;
		break;
	}
	if (!set)
		*ret = UINT32_MAX; /* not written back: see machine's dispatch */
	m->hc_no_ret = !set;
	return true;
}

/* ------------------------------------------------------------------ */
/* newlib's malloc lock: __malloc_lock()/__malloc_unlock() are empty in
 * this newlib (no retargetable locking), so with several CPUs the host
 * makes them a recursive sleeping lock, as a threaded libc's would be. */

static void hook_libc_lock(uc_engine *uc, uint64_t addr, uint32_t size, void *arg)
{
	(void)uc;
	(void)size;
	struct machine *m = arg;
	struct cpu *c = m->cur;
	if (m->libc_lock_depth && m->libc_lock_owner != c->t.id) {
		/* Held by another CPU: sleep, and take it when woken by
		 * running __malloc_lock again. */
		bool thumb = guest_reg(m, UC_ARM_REG_CPSR) & CPSR_T;
		c->pc = (uint32_t)addr | (thumb ? 1u : 0u);
		c->pc_override = true;
		/* The engine stops at the next block boundary: the function's
		 * `bx lr` may run first, which changes nothing but the PC, and
		 * the CPU resumes here. */
		m->libc_lock_sleeps++;
		block(m, WAIT_MUTEX, 0);
		return;
	}
	m->libc_lock_owner = c->t.id; /* a task's: two tasks of one CPU exclude each other too */
	m->libc_lock_depth++;
}

static void hook_libc_unlock(uc_engine *uc, uint64_t addr, uint32_t size, void *arg)
{
	(void)uc;
	(void)addr;
	(void)size;
	struct machine *m = arg;
	if (!m->libc_lock_depth || m->libc_lock_owner != m->cur->t.id || --m->libc_lock_depth)
		return;
	for (unsigned i = 0; i < m->ntasks; i++)
		if (sched_ctx(m, &m->tasks[i])->wait == WAIT_MUTEX)
			wake_task(m, &m->tasks[i], false, 0);
}

/* The hooks on engine `uc`, where the guest has the two functions. */
static int hook_libc_locks(struct machine *m, uc_engine *uc)
{
	uint32_t lock, unlock;
	if (symtab_find(&m->img.symbols, "__malloc_lock", &lock) ||
	    symtab_find(&m->img.symbols, "__malloc_unlock", &unlock))
		return 0; /* a guest without newlib's malloc */
	uc_hook h;
	if (uc_hook_add(uc, &h, UC_HOOK_CODE, hook_libc_lock, m, lock, lock) ||
	    uc_hook_add(uc, &h, UC_HOOK_CODE, hook_libc_unlock, m, unlock, unlock))
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* WFE / SEV */

#define ARM_WFE 0xe320f002u
#define ARM_SEV 0xe320f004u
#define THUMB_WFE 0xbf20u
#define THUMB_SEV 0xbf40u

bool smp_hint(struct machine *m, uint32_t pc)
{
	bool thumb = guest_reg(m, UC_ARM_REG_CPSR) & CPSR_T;
	uint32_t size = thumb ? 2 : 4, insn = 0, next = pc + size;
	/* QEMU reports a WFE it ended its block with at the next instruction,
	 * any other at the WFE itself. */
	for (int k = 0; k < 2; k++, next -= size) {
		uint32_t at = next - size;
		insn = 0;
		if (guest_read(m, at, &insn, size))
			return false;
		if ((thumb ? insn == THUMB_WFE || insn == THUMB_SEV : insn == ARM_WFE || insn == ARM_SEV))
			break;
	}
	bool wfe = thumb ? insn == THUMB_WFE : insn == ARM_WFE;
	bool sev = thumb ? insn == THUMB_SEV : insn == ARM_SEV;
	if (!wfe && !sev)
		return false;
	struct cpu *c = m->cur;
	c->pc = next | (thumb ? 1u : 0u);
	c->pc_override = true;
	m->yield = true;
	uc_emu_stop(m->uc);
	if (!wfe)
		return true;
	/* Some other CPU must act before the event this one waits for: it
	 * waits at least until the earliest of them has caught up. */
	uint64_t t = UINT64_MAX;
	for (unsigned i = 0; i < m->ncpus; i++) {
		struct cpu *o = &m->cpus[i];
		if (o != c && o->t.state == CPU_RUNNING && m->mm.smp.clock[i] < t)
			t = m->mm.smp.clock[i];
	}
	if (t != UINT64_MAX && t > now(m)) {
		m->mm.smp.stats[c->id].wfe_cycles += t - now(m);
		m->mm.stats.cycles = t;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* pkmap_map_wait */

bool smp_pkmap_sleep(struct machine *m, uint32_t pc, uint32_t page)
{
	if (m->ncpus < 2 && m->ntasks < 2)
		return false;
	struct cpu *c = m->cur;
	bool thumb = guest_reg(m, UC_ARM_REG_CPSR) & CPSR_T;
	kmap_resume(m->ks);
	/* kmap.kmap counts the guest's calls: a retry is not one. */
	if (c->t.pkmap_retry && m->ks->stats.calls[KMAP_OP_KMAP])
		m->ks->stats.calls[KMAP_OP_KMAP]--;
	c->t.pkmap_retry = true;
	c->pc = pc | (thumb ? 1u : 0u);
	c->pc_override = true;
	m->smp_sleeps++;
	block(m, WAIT_PKMAP, page);
	return true;
}

/* Some slot free (0) or awaiting the wrap's flush (1). */
static bool pkmap_slot_available(struct machine *m)
{
	struct kmap_state *ks = m->ks;
	for (uint32_t i = 0; i < LAST_PKMAP; i++)
		if (kpeek32(ks, ks->pkmap_count + 4 * i) <= 1)
			return true;
	return false;
}

void smp_after_kmap_call(struct machine *m, uint32_t nr, uint32_t ret)
{
	/* kmap_atomic()'s preempt_disable() and kunmap_atomic()'s
	 * preempt_enable() (include/linux/highmem.h v5.10, highmem-internal.h
	 * v6.6): the host keeps that part of preempt_count (emu/sched.c). */
	if (nr == HC_KMAP_ATOMIC)
		m->cur->t.atomic++;
	else if (nr == HC_KUNMAP_ATOMIC && m->cur->t.atomic)
		m->cur->t.atomic--;
	if (m->ncpus < 2 && m->ntasks < 2)
		return;
	const struct kernel_layout *l = &m->mm.layout;
	if (nr == HC_KMAP && m->cur->t.pkmap_retry) {
		m->cur->t.pkmap_retry = false;
		if (m->ks->stats.calls[KMAP_OP_KMAP])
			m->ks->stats.calls[KMAP_OP_KMAP]--;
	}
	if (nr == HC_KMAP && ret >= l->pkmap_base && ret < l->pkmap_base + LAST_PKMAP * PAGE_SIZE)
		m->pkmap_holder[(ret - l->pkmap_base) >> PAGE_SHIFT] = (uint8_t)m->cur->id;
	bool sleeper = false;
	for (unsigned i = 0; i < m->ntasks; i++)
		sleeper |= sched_ctx(m, &m->tasks[i])->wait == WAIT_PKMAP;
	if (!sleeper || (nr != HC_KUNMAP && nr != HC_KUNMAP_ATOMIC && nr != HC_KUNMAP_LOCAL))
		return;
	if (!pkmap_slot_available(m))
		return;
	/* kunmap_high(): wake_up(pkmap_map_wait) -- every sleeper retries. */
	for (unsigned i = 0; i < m->ntasks; i++)
		if (sched_ctx(m, &m->tasks[i])->wait == WAIT_PKMAP) {
			wake_task(m, &m->tasks[i], false, 0);
			m->smp_wakeups++;
		}
}

/* ------------------------------------------------------------------ */
/* The run loop */

static struct cpu *pick(struct machine *m)
{
	struct cpu *best = NULL;
	uint64_t best_clock = 0;
	for (unsigned i = 0; i < m->ncpus; i++) {
		struct cpu *c = &m->cpus[i];
		if (!sched_cpu_runnable(m, c))
			continue;
		uint64_t t = clock_of(m, c);
		if (!best || t < best_clock) {
			best = c;
			best_clock = t;
		}
	}
	return best;
}

static int others_runnable(const struct machine *m)
{
	int n = 0;
	for (unsigned i = 0; i < m->ncpus; i++)
		n += &m->cpus[i] != m->cur && sched_cpu_runnable(m, &m->cpus[i]);
	return n;
}

static const char *wait_name(enum cpu_wait w)
{
	switch (w) {
	case WAIT_KTHREAD: return "kthread_stop()";
	case WAIT_CALLS: return "on_each_cpu() waiting for its IPIs";
	case WAIT_PKMAP: return "kmap() on pkmap_map_wait";
	case WAIT_MUTEX: return "a libc lock";
	default: return "?";
	}
}

/* Nobody can run: every CPU is parked or asleep. */
static void all_asleep(struct machine *m)
{
	char buf[sizeof(m->message)];
	size_t n = 0;
	bool pkmap = false;
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "would sleep forever: every CPU sleeps:");
	for (unsigned i = 0; i < m->ncpus && n < sizeof(buf); i++) {
		struct cpu *c = &m->cpus[i];
		if (c->t.state == CPU_BLOCKED) {
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, " CPU%u in %s", i, wait_name(c->t.wait));
			if (c->t.wait == WAIT_PKMAP && n < sizeof(buf))
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, " (page 0x%08x)", c->t.wait_arg);
			else if (c->t.wait == WAIT_KTHREAD && n < sizeof(buf))
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, " of task %u", c->t.wait_arg);
			pkmap |= c->t.wait == WAIT_PKMAP;
		} else if (n < sizeof(buf)) {
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, " CPU%u idle", i);
		}
		if (n < sizeof(buf))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, i + 1 < m->ncpus ? "," : "");
	}
	/* Tasks switched out asleep (several tasks on a CPU, docs/sched.md). */
	for (unsigned i = 0; i < m->ntasks && n < sizeof(buf); i++) {
		const struct task *k = &m->tasks[i];
		if (k->on_cpu || k->t.state != CPU_BLOCKED)
			continue;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "; task %u of CPU%u in %s", i, k->cpu,
				      wait_name(k->t.wait));
		pkmap |= k->t.wait == WAIT_PKMAP;
	}
	if (pkmap && n < sizeof(buf)) {
		/* Who holds the pkmap slots (the CPU whose kmap() mapped each). */
		unsigned held[NR_CPUS_MAX] = { 0 };
		for (uint32_t i = 0; i < LAST_PKMAP; i++)
			if (kpeek32(m->ks, m->ks->pkmap_count + 4 * i) > 1)
				held[m->pkmap_holder[i]]++;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "; all %u pkmap slots are in use, held by",
				      LAST_PKMAP);
		for (unsigned i = 0; i < m->ncpus && n < sizeof(buf); i++)
			if (held[i])
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, " CPU%u (%u)", i, held[i]);
	}
	machine_stop(m, STOP_WOULD_SLEEP, "%s", buf);
}

void smp_run(struct machine *m)
{
	for (;;) {
		struct cpu *c = pick(m);
		if (!c) {
			all_asleep(m);
			break;
		}
		if (c != m->cur) {
			switch_out(m);
			switch_in(m, c);
		}
		deliver(m, c);
		uint64_t sched_end = sched_prepare(m, c); /* a tick, a context switch */
		if (m->stop != STOP_NONE)
			break;
		m->slice_end = others_runnable(m) ? now(m) + m->opt.quantum : UINT64_MAX;
		if (m->slice_end > sched_end)
			m->slice_end = sched_end;
		m->yield = false;
		c->pc_override = false;
		uc_err err = uc_emu_start(c->uc, c->pc, 0xffffffffu, 0, 0);
		if (!c->pc_override) {
			uint32_t pc = guest_reg(m, UC_ARM_REG_PC);
			bool thumb = guest_reg(m, UC_ARM_REG_CPSR) & CPSR_T;
			c->pc = pc | (thumb ? 1u : 0u);
		}
		if (m->interrupt_signal) {
			machine_stop(m, STOP_INTERRUPTED, "interrupted by signal %d after %llu instructions",
				     (int)m->interrupt_signal, (unsigned long long)m->insns);
			break;
		}
		if (m->stop != STOP_NONE)
			break;
		/* Unicorn 2.0.1 ends the run with "invalid instruction" at a WFE. */
		if (err == UC_ERR_INSN_INVALID && smp_hint(m, c->pc & ~1u))
			err = UC_ERR_OK;
		if (err != UC_ERR_OK) {
			fault_on_uc_error(m, err);
			break;
		}
		if (!m->yield) {
			fault_on_stop(m); /* a WFI with nothing to wake it, or no cause */
			break;
		}
	}
	if (m->cur)
		switch_out(m);
	/* Leave mm showing CPU 0 for the reports after the run. */
	switch_in(m, &m->cpus[0]);
	memset(&m->cpus[0].snap, 0, sizeof(m->cpus[0].snap));
	take(m, &m->cpus[0].snap);
}
