/* SPDX-License-Identifier: MIT */
#include "stats.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "highmem.h"
#include "machine.h"
#include "outfile.h"
#include "sched.h"
#include "smp.h"

static const char *const reason_names[] = {
	[STOP_NONE] = "none",
	[STOP_EXIT] = "exit",
	[STOP_FAULT] = "fault",
	[STOP_RUNAWAY] = "runaway",
	[STOP_BAD_CALL] = "bad_call",
	[STOP_KERNEL_BUG] = "kernel_bug",
	[STOP_WOULD_SLEEP] = "would_sleep",
	[STOP_INTERNAL] = "internal",
	[STOP_INTERRUPTED] = "interrupted",
};

const char *stop_reason_name(int reason)
{
	if (reason < 0 || (size_t)reason >= sizeof(reason_names) / sizeof(reason_names[0]))
		return "unknown";
	return reason_names[reason];
}

static void write_flush(struct json *j, const char *name, const struct flush_stats *f, bool pages)
{
	json_object(j, name);
	json_u64(j, "calls", f->calls);
	if (pages)
		json_u64(j, "pages", f->pages);
	json_u64(j, "cycles", f->cycles);
	json_end_object(j);
}

static void write_tlb(struct json *j, const struct tlb_stats *t)
{
	json_object(j, "tlb");
	json_u64(j, "accesses", t->accesses);
	json_u64(j, "micro_hits", t->micro_hits);
	json_u64(j, "main_hits", t->main_hits);
	json_u64(j, "misses", t->misses);
	json_u64(j, "walks", t->walks);
	json_u64(j, "walk_reads", t->walk_reads);
	json_u64(j, "invalidated", t->invalidated);
	json_u64(j, "micro_misses_i", t->micro_misses[TLB_SIDE_I]);
	json_u64(j, "micro_misses_d", t->micro_misses[TLB_SIDE_D]);
	json_end_object(j);
}

static void write_flushes(struct json *j, const struct mm_stats *s, const struct kmap_stats *ks)
{
	json_object(j, "flush");
	write_flush(j, "local_flush_tlb_kernel_page", &s->local_flush_tlb_kernel_page, false);
	write_flush(j, "flush_tlb_kernel_range", &s->flush_tlb_kernel_range, true);
	write_flush(j, "flush_tlb_all", &s->flush_tlb_all, false);
	/* The guest's own TLB maintenance instructions, per operation. */
	json_object(j, "tlbi");
	for (int op = 0; op < TLBI_NR_OPS; op++)
		json_u64(j, tlbi_op_name((enum tlbi_op)op), s->tlbi.count[op]);
	json_u64(j, "invalidated", s->tlbi.invalidated);
	json_u64(j, "cycles", s->tlbi.cycles);
	json_end_object(j);
	/* What the kernel's flush primitives issued, per operation. */
	json_object(j, "ops");
	for (int op = 0; op < KOP_NR; op++)
		json_u64(j, kop_name((enum kop)op), ks ? ks->ops[op] : 0);
	json_end_object(j);
	json_end_object(j);
}

static void write_kmap(struct json *j, const struct kmap_stats *k)
{
	static const struct kmap_stats none;
	if (!k)
		k = &none;
	json_object(j, "kmap");
	for (int op = 0; op < KMAP_NR_OPS; op++)
		json_u64(j, kmap_op_name((enum kmap_op)op), k->calls[op]);
	json_u64(j, "mem_accesses", k->mem_accesses);
	json_u64(j, "pte_writes", k->pte_writes);
	json_u64(j, "warnings", k->warnings);
	json_end_object(j);
}

/* The TLB counters of every CPU added up (one CPU: its own). */
static struct tlb_stats tlb_total(const struct machine *m)
{
	struct tlb_stats t = { 0 };
	for (unsigned i = 0; i < m->mm.smp.ncpus && i < NR_CPUS_MAX; i++) {
		const struct tlb_stats *c = m->mm.smp.tlb[i] ? tlb_stats(m->mm.smp.tlb[i]) : NULL;
		if (!c)
			continue;
		t.accesses += c->accesses;
		t.micro_hits += c->micro_hits;
		t.main_hits += c->main_hits;
		t.misses += c->misses;
		t.walks += c->walks;
		t.walk_reads += c->walk_reads;
		t.invalidated += c->invalidated;
		t.micro_flushed += c->micro_flushed;
		t.micro_misses[TLB_SIDE_I] += c->micro_misses[TLB_SIDE_I];
		t.micro_misses[TLB_SIDE_D] += c->micro_misses[TLB_SIDE_D];
	}
	if (!m->mm.smp.ncpus && m->mm.tlb)
		t = *tlb_stats(m->mm.tlb);
	return t;
}

/* Context switches (emu/sched.h). */
static void write_sched(struct json *j, const struct sched_stats *x)
{
	json_object(j, "sched");
	json_u64(j, "switches", x->switches);
	json_u64(j, "preemptions", x->preemptions);
	json_u64(j, "ticks", x->ticks);
	json_u64(j, "deferred", x->deferred);
	json_u64(j, "yields", x->yields);
	json_u64(j, "cycles", x->cycles);
	json_u64(j, "sched_out_pte_clears", x->out_pte_clears);
	json_u64(j, "sched_out_flushes", x->out_flushes);
	json_u64(j, "sched_in_pte_sets", x->in_pte_sets);
	json_u64(j, "sched_in_flushes", x->in_flushes);
	json_end_object(j);
}

/* Several tasks or CPUs: the scheduler's keys are in the stats. */
static bool sched_used(const struct machine *m)
{
	return m->cpus && (m->ncpus > 1 || m->ntasks > 1);
}

/* cpus[i]: what each CPU did (docs/stats.md); only with --cpus above 1. */
/* A per-CPU cache level's hits and misses summed over every CPU (--cpus;
 * CPU 0 alone if set-up stopped before smp_init), 0 with --model tlb. */
static void write_cpu_cache_sum(struct json *j, const struct machine *m, const char *name, size_t off)
{
	struct cache_stats sum = { .hits = 0 };
	const struct cpu_caches *c0 = m->mm.caches;
	bool per_cpu = m->cpus && m->cpus[0].caches;
	for (unsigned i = 0; per_cpu && i < m->ncpus; i++) {
		const struct cache *c = (const struct cache *)(const void *)((const char *)m->cpus[i].caches + off);
		if (m->cpus[i].caches) {
			sum.hits += c->stats.hits;
			sum.misses += c->stats.misses;
			sum.writebacks += c->stats.writebacks;
		}
	}
	if (c0 && !per_cpu) {
		const struct cache *c = (const struct cache *)(const void *)((const char *)c0 + off);
		sum = c->stats;
	}
	json_object(j, name);
	json_u64(j, "hits", sum.hits);
	json_u64(j, "misses", sum.misses);
	json_end_object(j);
}

static void write_cpus(struct json *j, const struct machine *m)
{
	const struct mm_smp *s = &m->mm.smp;
	json_array(j, "cpus");
	for (unsigned i = 0; i < m->ncpus; i++) {
		const struct cpu *c = &m->cpus[i];
		const struct smp_cpu_stats *x = &s->stats[i];
		json_element_object(j);
		json_u64(j, "cpu", i);
		json_u64(j, "instructions", c->acct.insns);
		json_u64(j, "cycles", c->acct.mm.cycles + s->remote_cycles[i]);
		json_u64(j, "clock", s->clock[i]);
		static const struct tlb_stats none;
		write_tlb(j, c->tlb ? tlb_stats(c->tlb) : &none); /* NULL: set-up failed before it */
		/* Its own L1D (--model cache; 0 without); the L2 is shared: cache.l2 only. */
		json_object(j, "cache");
		json_object(j, "l1d");
		json_u64(j, "hits", c->caches ? c->caches->l1d.stats.hits : 0);
		json_u64(j, "misses", c->caches ? c->caches->l1d.stats.misses : 0);
		json_end_object(j);
		json_end_object(j);
		write_flushes(j, &c->acct.mm, &c->acct.ks);
		write_kmap(j, &c->acct.ks);
		json_object(j, "smp");
		json_u64(j, "is_ops", x->is_ops);
		json_u64(j, "remote_invalidated", x->remote_invalidated);
		json_u64(j, "ipi_sent", x->ipi_sent);
		json_u64(j, "ipi_received", x->ipi_received);
		json_u64(j, "ipi_send_cycles", x->ipi_send_cycles);
		json_u64(j, "ipi_handler_cycles", x->ipi_handler_cycles);
		json_u64(j, "spin_cycles", x->spin_cycles);
		json_u64(j, "lock_contended", x->lock_contended);
		json_u64(j, "wfe_cycles", x->wfe_cycles);
		json_u64(j, "idle_cycles", x->idle_cycles);
		json_end_object(j);
		write_sched(j, &c->sched);
		/* As the totals' hazards (format 2), for this CPU's accesses. */
		json_object(j, "hazards");
		json_object(j, "stale_tlb");
		json_u64(j, "architectural", m->cpu_hazards[i][HAZARD_STALE]);
		json_u64(j, "observed", c->acct.mm.stale_tlb);
		json_end_object(j);
		json_u64(j, "barrier", m->cpu_hazards[i][HAZARD_BARRIER]);
		json_u64(j, "pte_not_cleaned", m->cpu_hazards[i][HAZARD_PTE_NOT_CLEANED]);
		json_end_object(j);
		json_end_object(j);
	}
	json_end_array(j);
}

static void write_all(const struct machine *m, FILE *f, int status)
{
	struct json j;
	const struct mm_stats *s = &m->mm.stats;
	json_begin(&j, f);
	json_u64(&j, "format_version", 2);
	json_object(&j, "machine");
	json_string(&j, "core", m->opt.core);
	json_string(&j, "split", vm_split_name(m->opt.split));
	json_u64(&j, "ram", m->mm.layout.ram_size);
	json_u64(&j, "lowmem", m->mm.layout.lowmem_size);
	json_u64(&j, "seed", m->opt.seed);
	json_string(&j, "policy", m->opt.policy ? m->opt.policy : "");
	json_string(&j, "costs", m->opt.costs_path ? m->opt.costs_path : "");
	/* The model the run used: --model fill runs as on where it cannot be exact. */
	json_string(&j, "model", !m->opt.model ? (m->opt.no_block_hook ? "none" : "off")
				 : m->fill ? "fill" : m->opt.caches ? "cache" : "on");
	if (m->ncpus > 1) {
		json_u64(&j, "cpus", m->ncpus);
		json_u64(&j, "quantum", m->opt.quantum);
		json_string(&j, "tlb_broadcast", m->opt.tlb_broadcast == TLB_BROADCAST_IPI ? "ipi" : "is");
		json_u64(&j, "erratum_798181", m->opt.erratum_798181);
	}
	if (sched_used(m))
		json_u64(&j, "tick", m->opt.tick);
	json_end_object(&j);

	/* The modelled kernel (--kernel, docs/kernel-profiles.md). */
	if (m->ks) {
		const struct kernel_profile *k = &m->ks->kernel;
		json_object(&j, "kernel");
		json_string(&j, "version", k->version);
		json_u64(&j, "km_slots", m->ks->fix.km_type_nr);
		json_string(&j, "tlb_flags", m->ks->seqs.flags_name);
		json_object(&j, "config");
		json_u64(&j, "SMP", k->smp);
		json_u64(&j, "DEBUG_HIGHMEM", k->debug_highmem);
		json_u64(&j, "DEBUG_KMAP_LOCAL", k->debug_kmap_local);
		json_u64(&j, "ARM_ERRATA_720789", k->errata_720789);
		json_u64(&j, "ARM_ERRATA_798181", k->errata_798181);
		json_end_object(&j);
		json_end_object(&j);
	}

	json_object(&j, "guest");
	/* The file name only: stats must not depend on the directory. */
	const char *path = m->img.path ? m->img.path : "", *slash = strrchr(path, '/');
	json_string(&j, "path", slash && slash[1] ? slash + 1 : path);
	if (m->stop == STOP_EXIT)
		json_i64(&j, "exit_code", m->exit_code);
	else
		json_null(&j, "exit_code");
	json_u64(&j, "instructions", m->insns);
	json_string(&j, "stop", stop_reason_name(m->stop));
	json_string(&j, "message", m->message);
	json_i64(&j, "status", status);
	json_end_object(&j);

	json_u64(&j, "cycles", smp_total_cycles(m));
	struct tlb_stats t = tlb_total(m);
	write_tlb(&j, &t);

	/* --model cache (mm/cache.h): always present, 0 with the level off. */
	const struct cpu_caches *cc = m->mm.caches;
	uint64_t l1d_hits = 0, l1d_misses = 0, l1d_wb = 0; /* every CPU's L1D (--cpus) */
	for (unsigned i = 0; m->cpus && i < m->ncpus; i++)
		if (m->cpus[i].caches) {
			l1d_hits += m->cpus[i].caches->l1d.stats.hits;
			l1d_misses += m->cpus[i].caches->l1d.stats.misses;
			l1d_wb += m->cpus[i].caches->l1d.stats.writebacks;
		}
	if (cc && !(m->cpus && m->cpus[0].caches)) {
		l1d_hits = cc->l1d.stats.hits; /* set-up stopped before smp_init */
		l1d_misses = cc->l1d.stats.misses;
		l1d_wb = cc->l1d.stats.writebacks;
	}
	json_object(&j, "cache");
	json_object(&j, "l1d");
	json_u64(&j, "hits", l1d_hits);
	json_u64(&j, "misses", l1d_misses);
	json_u64(&j, "writebacks", l1d_wb);
	json_end_object(&j);
	json_object(&j, "l2");
	json_u64(&j, "hits", cc && cc->l2 ? cc->l2->stats.hits : 0);
	json_u64(&j, "misses", cc && cc->l2 ? cc->l2->stats.misses : 0);
	json_u64(&j, "writebacks", cc && cc->l2 ? cc->l2->stats.writebacks : 0);
	json_end_object(&j);
	write_cpu_cache_sum(&j, m, "l1i", offsetof(struct cpu_caches, l1i));
	write_cpu_cache_sum(&j, m, "walk", offsetof(struct cpu_caches, walk));
	json_end_object(&j);
	write_flushes(&j, s, m->ks ? &m->ks->stats : NULL);
	/* Kernel calls the guest made, and the policy's own work. */
	write_kmap(&j, m->ks ? &m->ks->stats : NULL);

	if (m->traced) {
		json_object(&j, "trace");
		json_u64(&j, "events", m->trace_counts.events);
		json_u64(&j, "flush", m->trace_counts.flush);
		json_u64(&j, "tlbi", m->trace_counts.tlbi);
		json_u64(&j, "kmap", m->trace_counts.kmap);
		json_u64(&j, "warn", m->trace_counts.warn);
		json_u64(&j, "hazard", m->trace_counts.hazard);
		json_u64(&j, "bytes", m->trace_counts.bytes);
		json_bool(&j, "truncated", m->trace_counts.truncated);
		json_u64(&j, "not_recorded", m->trace_counts.not_recorded);
		json_end_object(&j);
	}

	/* format_version 2: hazards.stale_tlb became an object. */
	const struct hazard_stats *hz = m->mm.hazards ? hazard_stats(m->mm.hazards) : NULL;
	json_object(&j, "hazards");
	json_object(&j, "stale_tlb");
	json_u64(&j, "architectural", hz ? hz->count[HAZARD_STALE] : 0);
	json_u64(&j, "observed", s->stale_tlb);
	json_end_object(&j);
	json_u64(&j, "barrier", hz ? hz->count[HAZARD_BARRIER] : 0);
	json_u64(&j, "pte_not_cleaned", hz ? hz->count[HAZARD_PTE_NOT_CLEANED] : 0);
	json_u64(&j, "untracked", hz ? hz->untracked : 0);
	json_u64(&j, "sites", m->hazrep.nsites);
	json_end_object(&j);
	if (m->ncpus > 1 && m->cpus && m->mm.smp.ncpus > 1) {
		json_object(&j, "smp");
		json_u64(&j, "pkmap_sleeps", m->smp_sleeps);
		json_u64(&j, "pkmap_wakeups", m->smp_wakeups);
		json_u64(&j, "code_flushes", m->smp_code_flushes);
		json_u64(&j, "malloc_lock_sleeps", m->libc_lock_sleeps);
		uint64_t elapsed = 0;
		for (unsigned i = 0; i < m->ncpus; i++)
			if (m->mm.smp.clock[i] > elapsed)
				elapsed = m->mm.smp.clock[i];
		json_u64(&j, "elapsed_cycles", elapsed);
		json_end_object(&j);
		write_cpus(&j, m);
	}
	if (sched_used(m)) {
		struct sched_stats total;
		sched_total(m, &total);
		json_u64(&j, "tasks", m->ntasks);
		write_sched(&j, &total);
	}
	json_finish(&j);
}

int stats_write(const struct machine *m, const char *path, int status)
{
	/* The whole file in memory first, then one outfile (outfile.h): a
	 * failed write never leaves half a stats file or loses the old one. */
	char *buf = NULL, err[512];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -1;
	write_all(m, f, status);
	int bad = ferror(f);
	if (fclose(f) || bad) {
		free(buf);
		errno = ENOMEM;
		return -1;
	}
	struct outfile of;
	int rc = outfile_open(&of, path, err, sizeof(err));
	if (!rc) {
		if (outfile_write(&of, buf, len)) {
			int e = errno;
			outfile_discard(&of);
			errno = e;
			rc = -1;
		} else {
			rc = outfile_commit(&of);
		}
	}
	free(buf);
	return rc;
}
