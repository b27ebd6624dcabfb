/* SPDX-License-Identifier: MIT */
/* Bounded hazard reports (see hazard_report.h; the rules: mm/hazard.h and
 * docs/hazards.md). */
#include "hazard_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "trace.h"

#define SITE_SLOTS (2u * HAZARD_SITES_MAX)
#define KIND_OBSERVED HAZARD_NR_KINDS /* a site kind of its own */

int hazard_reporter_init(struct hazard_reporter *hr, unsigned max_reports)
{
	memset(hr, 0, sizeof(*hr));
	hr->max_reports = max_reports;
	hr->sites = calloc(SITE_SLOTS, sizeof(*hr->sites));
	return hr->sites ? 0 : -1;
}

void hazard_reporter_free(struct hazard_reporter *hr)
{
	free(hr->sites);
	hr->sites = NULL;
}

enum site_result { SITE_SEEN, SITE_NEW, SITE_FULL };

/* Looks the site up and adds it if new and there is room. */
static enum site_result site_add(struct hazard_reporter *hr, unsigned kind, unsigned cpu,
				 uint32_t pc, uint32_t va)
{
	if (!hr->sites)
		return SITE_FULL;
	uint32_t h = (pc * 0x9e3779b1u) ^ (va * 0x85ebca6bu) ^ (kind << 8 | cpu);
	h ^= h >> 15;
	for (uint32_t n = 0; n < SITE_SLOTS; n++) {
		struct hazard_site *s = &hr->sites[(h + n) & (SITE_SLOTS - 1)];
		if (!s->used) {
			if (hr->nsites == HAZARD_SITES_MAX)
				return SITE_FULL;
			*s = (struct hazard_site){ pc, va, (uint8_t)kind, (uint8_t)cpu, true };
			hr->nsites++;
			return SITE_NEW;
		}
		if (s->pc == pc && s->va == va && s->kind == kind && s->cpu == cpu)
			return SITE_SEEN;
	}
	return SITE_FULL;
}

/* Whether to print a line for a hazard at this site (and trace it). */
static bool new_site(struct machine *m, unsigned kind, unsigned cpu, uint32_t pc, uint32_t va,
		     bool *print)
{
	struct hazard_reporter *hr = &m->hazrep;
	hr->occurrences++;
	*print = false;
	/* One site per page: a loop over a stale page is one finding. */
	switch (site_add(hr, kind, cpu, pc, va & ~0xfffu)) {
	case SITE_SEEN:
		return false;
	case SITE_FULL:
		hr->unsited++;
		return false;
	case SITE_NEW:
		break;
	}
	if (hr->printed < hr->max_reports) {
		hr->printed++;
		*print = true;
	} else {
		hr->suppressed++;
	}
	return true;
}

static uint32_t leaf_desc(const struct mmu_translation *t)
{
	return t->level == 2 ? t->l2_desc : t->l1_desc;
}

static const char *where(const struct machine *m, uint32_t pc, char *buf, size_t len)
{
	char sym[128];
	snprintf(buf, len, "%s (0x%08x)", machine_symbolize(m, pc, sym, sizeof(sym)), pc);
	return buf;
}

static void origin_str(const struct machine *m, const struct hazard_origin *o, char *buf,
		       size_t len)
{
	char w[160];
	if (!o->known)
		snprintf(buf, len, "valid since boot (paging_init) or an older store not remembered");
	else if (o->kernel)
		snprintf(buf, len, "made valid by the kernel's set_pte_at in the call at %s",
			 where(m, o->pc, w, sizeof(w)));
	else
		snprintf(buf, len, "made valid by the store at %s", where(m, o->pc, w, sizeof(w)));
}

/* The flush that would have covered the old translation. */
static void cover_str(const struct mmu_translation *t, uint32_t va, char *buf, size_t len)
{
	if (t->size == 0x1000u)
		snprintf(buf, len, "local_flush_tlb_kernel_page(0x%08x) or flush_tlb_kernel_range, i.e. TLBIMVA 0x%08x",
			 va & ~0xfffu, va & ~0xfffu);
	else
		snprintf(buf, len, "TLBIMVA of any address in the %u KiB mapping at 0x%08x, or flush_tlb_all()",
			 t->size >> 10, t->va_base);
}

static void print_stale(struct machine *m, const struct hazard_report *r, uint32_t pc)
{
	char w[160], now[96], diff[160], origin[256], cover[128];
	if (r->now.fault == MMU_OK)
		snprintf(now, sizeof(now), "0x%08x (descriptor 0x%08x)", mmu_pa(&r->now, r->va) & ~0xfffu,
			 leaf_desc(&r->now));
	else
		snprintf(now, sizeof(now), "no page (unmapped)");
	origin_str(m, &r->origin, origin, sizeof(origin));
	cover_str(&r->old, r->va, cover, sizeof(cover));
	char asid[32] = "", since[320];
	if (r->old.ng)
		snprintf(asid, sizeof(asid), " (non-global, ASID %u)", r->asid);
	if (r->refill)
		snprintf(since, sizeof(since), "the invalidate that covered it ran before the descriptor store was visible to the table walker, which may have refilled it (%s after STR; DSB would have)", cover);
	else
		snprintf(since, sizeof(since), "no invalidate covered it since (%s would have)", cover);
	fprintf(stderr, "kmaplab: hazard: stale TLB entry on cpu%u at %s: VA 0x%08x -> physical 0x%08x (descriptor 0x%08x)%s may still be in the TLB, %s in the page tables: %s; the old translation was %s and %s; this core's modelled TLB %s\n",
		r->cpu, where(m, pc, w, sizeof(w)), r->va, mmu_pa(&r->old, r->va) & ~0xfffu,
		leaf_desc(&r->old), asid, now, hazard_diff_str(r->diff, diff, sizeof(diff)), origin, since,
		r->observed ? "served the stale entry" : "did not hold it (the architecture still lets a TLB keep it)");
}

static void print_barrier(struct machine *m, const struct hazard_report *r, uint32_t pc)
{
	char w[160];
	where(m, pc, w, sizeof(w));
	switch (r->why) {
	case HAZARD_NO_DSB_AFTER_TLBI:
	case HAZARD_NO_ISB_AFTER_TLBI:
		fprintf(stderr, "kmaplab: hazard: barrier on cpu%u at %s: access to VA 0x%08x %s its TLB invalidate; the old translation to physical 0x%08x may still be used (needs TLBI; DSB; ISB before the access)\n",
			r->cpu, w, r->va,
			r->why == HAZARD_NO_DSB_AFTER_TLBI ? "before the DSB that completes"
							   : "after the DSB but before the ISB that follows",
			mmu_pa(&r->old, r->va) & ~0xfffu);
		break;
	case HAZARD_NO_DSB_BEFORE_TLBI:
		if (r->store_cpu != r->cpu) /* the DSB that was missing is the storing CPU's */
			fprintf(stderr, "kmaplab: hazard: barrier on cpu%u at %s: TLB invalidate of VA 0x%08x before a DSB on cpu%u made its descriptor store at physical 0x%08x visible to the table walker, which can refill the old entry (needs STR; DSB on cpu%u before the TLBI on cpu%u)\n",
				r->cpu, w, r->va, r->store_cpu, r->desc_pa, r->store_cpu, r->cpu);
		else
			fprintf(stderr, "kmaplab: hazard: barrier on cpu%u at %s: TLB invalidate of VA 0x%08x before a DSB made the descriptor store at physical 0x%08x visible to the table walker, which can refill the old entry (needs STR; DSB; TLBI)\n",
				r->cpu, w, r->va, r->desc_pa);
		break;
	}
}

static void print_not_cleaned(struct machine *m, const struct hazard_report *r, uint32_t pc)
{
	char w[160];
	char by[24] = "";
	if (r->store_cpu != r->cpu)
		snprintf(by, sizeof(by), " by cpu%u", r->store_cpu);
	fprintf(stderr, "kmaplab: hazard: pte_not_cleaned on cpu%u at %s: TLB invalidate of VA 0x%08x while the descriptor store%s at physical 0x%08x is not cleaned from the L1 data cache, which the %s table walker does not read (needs DCCMVAU or DCCMVAC of the descriptor, then DSB, before the TLBI)\n",
		r->cpu, where(m, pc, w, sizeof(w)), r->va, by, r->desc_pa, m->opt.core);
}

static void report(void *arg, const struct hazard_report *r)
{
	struct machine *m = arg;
	uint32_t pc = guest_reg(m, UC_ARM_REG_PC);
	bool print;
	if (r->cpu < sizeof(m->cpu_hazards) / sizeof(m->cpu_hazards[0]) && (unsigned)r->kind < HAZARD_NR_KINDS)
		m->cpu_hazards[r->cpu][r->kind]++; /* cpus[i].hazards (SMP stats) */
	if (!new_site(m, r->kind, r->cpu, pc, r->va, &print))
		return;
	if (m->trace) {
		struct trace_hazard_event ev = {
			.cycle = m->mm.stats.cycles,
			.kind = r->kind,
			.cpu = r->cpu,
			.va = r->va,
			.old_pa = r->old.fault == MMU_OK ? mmu_pa(&r->old, r->va) & ~0xfffu : KMAP_EVENT_NONE,
			.new_pa = r->now.fault == MMU_OK && r->kind == HAZARD_STALE ?
					  mmu_pa(&r->now, r->va) & ~0xfffu : KMAP_EVENT_NONE,
			.old_desc = leaf_desc(&r->old),
			.new_desc = r->now.fault == MMU_OK ? leaf_desc(&r->now) : 0,
			.flags = (r->observed ? TRACE_HAZARD_FLAG_OBSERVED : 0) | (r->diff & 0x1fu) << 1 |
				 (r->kind == HAZARD_BARRIER ? (uint32_t)r->why << 8 : 0),
		};
		trace_hazard(m->trace, pc, &ev);
	}
	if (!print)
		return;
	switch (r->kind) {
	case HAZARD_STALE:
		print_stale(m, r, pc);
		break;
	case HAZARD_BARRIER:
		print_barrier(m, r, pc);
		break;
	default:
		print_not_cleaned(m, r, pc);
		break;
	}
}

const struct hazard_ops hazard_report_ops = {
	.report = report,
};

void hazard_report_observed(struct machine *m, uint32_t va, uint32_t stale_pa, bool cur_valid,
			    uint32_t cur_pa)
{
	uint32_t pc = guest_reg(m, UC_ARM_REG_PC);
	unsigned cpu = m->mm.smp.cpu; /* each CPU's TLB is its own bug (SMP) */
	bool print;
	if (!new_site(m, KIND_OBSERVED, cpu, pc, va, &print))
		return;
	if (m->trace) {
		struct trace_hazard_event ev = {
			.cycle = m->mm.stats.cycles, .kind = TRACE_HAZARD_OBSERVED, .cpu = cpu, .va = va,
			.old_pa = stale_pa, .new_pa = cur_valid ? cur_pa : KMAP_EVENT_NONE,
			.flags = TRACE_HAZARD_FLAG_OBSERVED,
		};
		trace_hazard(m->trace, pc, &ev);
	}
	if (!print)
		return;
	char w[160], cur[32];
	if (cur_valid)
		snprintf(cur, sizeof(cur), "0x%08x", cur_pa);
	else
		snprintf(cur, sizeof(cur), "no page (unmapped)");
	char on[24] = "";
	if (m->ncpus > 1)
		snprintf(on, sizeof(on), " on cpu%u", cpu);
	fprintf(stderr, "kmaplab: hazard: stale TLB entry used%s at %s: VA 0x%08x -> physical 0x%08x in the TLB, %s in the page tables\n",
		on, where(m, pc, w, sizeof(w)), va, stale_pa, cur);
}

void hazard_report_summary(const struct machine *m)
{
	const struct hazard_reporter *hr = &m->hazrep;
	if (!hr->occurrences)
		return;
	const struct hazard_stats *s = m->mm.hazards ? hazard_stats(m->mm.hazards) : NULL;
	char more[256] = "";
	size_t at = 0;
	if (hr->suppressed)
		at += (size_t)snprintf(more + at, sizeof(more) - at, "; %llu more not printed (--max-reports %u)",
				       (unsigned long long)hr->suppressed, hr->max_reports);
	if (hr->unsited && at < sizeof(more))
		snprintf(more + at, sizeof(more) - at, "; %llu at further sites beyond the %u-site table, counted only",
			 (unsigned long long)hr->unsited, HAZARD_SITES_MAX);
	if (s)
		fprintf(stderr, "kmaplab: hazards: %llu stale_tlb (architectural; the modelled TLB served %llu stale), %llu barrier, %llu pte_not_cleaned, at %u distinct (cpu, pc, page) sites; %u printed%s\n",
			(unsigned long long)s->count[HAZARD_STALE],
			(unsigned long long)m->mm.stats.stale_tlb,
			(unsigned long long)s->count[HAZARD_BARRIER],
			(unsigned long long)s->count[HAZARD_PTE_NOT_CLEANED], hr->nsites, hr->printed,
			more);
	else
		fprintf(stderr, "kmaplab: hazards: %llu stale_tlb (observed: the modelled TLB served a stale entry), at %u distinct (pc, page) sites; %u printed%s\n",
			(unsigned long long)m->mm.stats.stale_tlb, hr->nsites, hr->printed, more);
}
