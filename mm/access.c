/* SPDX-License-Identifier: MIT */
/* The modelled TLB is the truth for statistics and hazards.  Unicorn's own
 * TLB decides what data the guest really gets; this path decides what the
 * access cost and whether real hardware would have used a stale entry. */
#include "access.h"

static inline uint8_t current_asid(const struct mm *mm)
{
	return (uint8_t)(mm->regs.contextidr & 0xff);
}

/* An entry is stale when a descriptor it was filled from has changed since:
 * hardware would go on using the old translation until an invalidate.
 * Returns true for a stale entry.  With the architectural checker on, it
 * reports (saying whether this entry was served); else the host does. */
static bool check_stale(struct mm *mm, const struct tlb_entry *e, uint32_t va)
{
	const struct mmu_translation *t = &e->t;
	if (t->level == 0 || mm->hazard_mode == HAZARD_MODE_OFF)
		return false; /* MMU off: nothing was read */
	bool changed = phys_read32(&mm->mem, t->l1_pa) != t->l1_desc;
	if (!changed && t->level == 2)
		changed = phys_read32(&mm->mem, t->l2_pa) != t->l2_desc;
	if (!changed)
		return false;
	mm->stats.stale_tlb++;
	if (mm->hazards || !mm->host || !mm->host->stale_hazard)
		return true;
	struct mmu_translation now;
	bool valid = mmu_walk(&mm->mem, &mm->regs, va, &now) == MMU_OK;
	mm->host->stale_hazard(mm->host_arg, va, mmu_pa(t, va) & PAGE_MASK, valid,
			       valid ? mmu_pa(&now, va) & PAGE_MASK : 0);
	return true;
}

/* Out of line (one call from mm_access()): inlined there, the look-up made
 * mm_access() itself 14% more host instructions under --model on, which
 * never calls it (callgrind, bench_loadstore). */
void mm_cache_data(struct mm *mm, uint32_t pa, bool write)
{
	struct cpu_caches *cc = mm->caches;
	/* An L1D hit costs nothing beyond the instruction's own cost. */
	if (!cache_lookup(&cc->l1d, pa, write, true))
		mm->stats.cycles += cpu_cache_l1d_miss(cc, pa, write) - cc->p->l1d.latency;
}

void mm_cache_fetch(struct mm *mm, uint32_t va, uint32_t bytes)
{
	struct cpu_caches *cc = mm->caches;
	uint32_t pa = va; /* SCTLR.M clear: VA is PA */
	if (mm->regs.sctlr & 1u) {
		if (cc->fetch_va != va)
			return; /* no look-up of this VA just made: nothing known */
		pa = cc->fetch_pa;
	}
	if (!bytes || !cc->l1i.g.size)
		return;
	struct cache *l1i = &cc->l1i;
	uint32_t shift = l1i->line_shift, first = pa >> shift, last = (pa + bytes - 1) >> shift;
	struct cpu_fetch_memo *memo = &cc->fetch_memo[first % (sizeof(cc->fetch_memo) / sizeof(cc->fetch_memo[0]))];
	if (memo->changes == l1i->changes && memo->first == first && memo->last == last) {
		/* All still resident: what a hit in each does (cache_lookup). */
		l1i->clock += last - first + 1;
		l1i->stats.hits += last - first + 1;
		return;
	}
	uint64_t changes = l1i->changes, extra = 0;
	for (uint32_t line = first; line <= last; line++)
		extra += cpu_cache_fetch(cc, line << shift);
	mm->stats.cycles += extra;
	if (l1i->changes == changes && !l1i->used)
		*memo = (struct cpu_fetch_memo){ first, last, changes };
}

/* A walk's cycles: its descriptor reads go through the hierarchy, starting
 * at L1D where the core's walker reads it (mm/cache.c walk_l1), each at the
 * latency of the level that had it, instead of desc_read each. */
static uint64_t walk_cycles(struct mm *mm, const struct mmu_translation *t, uint32_t va,
			    uint8_t asid)
{
	const struct core_costs *cost = &mm->core->cost;
	struct cpu_caches *cc = mm->caches;
	if (!cc)
		return tlb_hit_cycles(cost, TLB_MISS, t->desc_reads);
	uint64_t c = cost->micro_miss + cost->walk_start;
	/* A page walk whose L1 descriptor the walk cache holds reads only
	 * the L2 descriptor (mm/cache.h). */
	bool cached_l1 = t->desc_reads >= 2 && cpu_walk_cache_hit(cc, va, asid);
	if (t->desc_reads >= 1 && !cached_l1)
		c += cpu_cache_read(cc, t->l1_pa, cc->p->walk_l1);
	if (t->desc_reads >= 2)
		c += cpu_cache_read(cc, t->l2_pa, cc->p->walk_l1);
	return c;
}

enum mmu_fault mm_access_slow(struct mm *mm, uint32_t va, enum mmu_access access, uint32_t count)
{
	if (!(mm->regs.sctlr & 1u))
		return MMU_OK; /* SCTLR.M clear: VA is PA, no TLB is used (B3.2.1) */
	enum tlb_side side = access == MMU_FETCH ? TLB_SIDE_I : TLB_SIDE_D;
	const struct core_costs *cost = &mm->core->cost;
	uint8_t asid = current_asid(mm);
	enum tlb_hit hit;
	const struct tlb_entry *e = tlb_lookup(mm->tlb, side, va, asid, &hit);
	bool observed = false;
	if (e) {
		mm->stats.cycles += tlb_hit_cycles(cost, hit, 0);
		observed = check_stale(mm, e, va);
	} else {
		struct mmu_translation t;
		enum mmu_fault f = mmu_walk(&mm->mem, &mm->regs, va, &t);
		mm->stats.cycles += walk_cycles(mm, &t, va, asid);
		if (f != MMU_OK) {
			/* An entry the architecture lets the TLB keep may
			 * still serve a VA that is unmapped now. */
			if (!hazard_cpu_quiet(mm->hazards, mm->smp.cpu))
				hazard_access(mm->hazards, mm->smp.cpu, va, access == MMU_FETCH, false);
			/* A faulting walk is counted (walks, walk_reads) and
			 * cached nowhere (docs/cycle-model.md). */
			tlb_fill_va(mm->tlb, side, &t, asid, va);
			return f;
		}
		e = tlb_fill_va(mm->tlb, side, &t, asid, va);
	}
	if (!hazard_cpu_quiet(mm->hazards, mm->smp.cpu))
		hazard_access(mm->hazards, mm->smp.cpu, va, access == MMU_FETCH, observed);
	enum mmu_fault f = mmu_check(&e->t, mm->regs.dacr, access, true);
	/* The rest of a run of accesses to one page hit the micro TLB just
	 * filled: look them up so the statistics count every access. */
	tlb_repeat(mm->tlb, side, va, asid, count);
	if (mm->caches && f == MMU_OK)
		mm_cache_note(mm, va, mmu_pa(&e->t, va), access);
	return f;
}
