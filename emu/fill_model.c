/* SPDX-License-Identifier: MIT */
/* --model fill (docs/speed.md, "The TLB-fill model").
 *
 * The invariant: every data page QEMU's TLB holds lies in an entry of the
 * modelled D micro TLB (for the current ASID).  Then an access QEMU serves
 * from its TLB is a micro-TLB hit, and with replacement that no hit
 * changes (round-robin, random: everything but LRU) a hit changes nothing
 * but the hit counters.  So:
 *   - a block's data accesses are counted as micro hits when it starts
 *     (struct block_front_cold.mem, the counting rule in emu/insn_mem.c);
 *   - QEMU asks for a translation (UC_HOOK_TLB_FILL) when its TLB misses:
 *     the model looks that access up as the per-access model would (a
 *     micro miss, or a micro hit on a 4 KiB page of a larger entry that
 *     QEMU had not cached) and takes one early-counted hit back;
 *   - every entry leaving the D micro TLB leaves QEMU's TLB too
 *     (tlb_set_evict_hook): the invariant holds.
 * Instruction fetches stay block-driven (QEMU fills code pages when it
 * translates, not when it runs): a fill for a fetch grants execute only,
 * so that a data access to a code page still reaches the D side.
 *
 * Pages whose every access the model must see go through the alias
 * (uc_compat_vtlb_alias, an I/O region, one callback per access): the
 * pages holding page tables while the hazard checker is on (guest stores
 * to descriptors), the data pages of every 1 MiB of VA in which the
 * checker has something possibly stale on this CPU (hazard_va_quiet()
 * false: where the per-access model leaves its fast path), and with
 * several CPUs the pages code runs from (another CPU's store to code). */
#include "fill_model.h"

#include "machine.h"
#include "access.h"
#include "cpu_model.h"
#include "smp.h"
#include "uc_compat.h"

bool fill_model_usable(const struct machine *m, const char **why)
{
	*why = NULL;
	if (uc_compat_regions_are_virtual())
		*why = "Unicorn 2.0 has no TLB-fill hook";
	else if (m->mm.core->utlb_d.replacement == TLB_REPL_LRU)
		*why = "the D micro TLB's LRU replacement depends on every hit";
	else if (!m->mm.core->utlb_d.entries)
		*why = "the core has no D micro TLB";
	else if (m->opt.caches)
		*why = "--model cache needs every access's address";
	else if (m->opt.hazard_mode == HAZARD_MODE_OBSERVED)
		*why = "--hazards observed checks every access's descriptors";
	return *why == NULL;
}

static struct uc_compat_vtlb *cpu_vtlb(struct machine *m, unsigned cpu)
{
	return m->cpus ? m->cpus[cpu].vtlb : m->vtlb;
}

static void flush_all_engines(struct machine *m)
{
	for (unsigned i = 0; i < (m->cpus ? m->ncpus : 1); i++)
		if (cpu_vtlb(m, i))
			uc_compat_vtlb_flush_range(cpu_vtlb(m, i), 0, 0, 0);
}

/* One data access the block counted already: the model's look-up. */
static void model_data_access(struct machine *m, uint32_t va, bool write)
{
	if (!(m->mm.regs.sctlr & 1u))
		return; /* MMU off: nothing looked up, nothing counted */
	mm_access(&m->mm, va, write ? MMU_WRITE : MMU_READ, 1);
	tlb_uncount_mru_hit(m->mm.tlb);
}

/* The MiBs CPU `cpu` gained (fill_model_mib) that still hold something
 * possibly stale leave its QEMU TLB.  One that lost it again before the
 * CPU could access it needs nothing: the invalidate that removed the
 * record on that CPU removed the translation from its micro TLB too, and
 * with it the page from QEMU's TLB (the eviction hook).  So the kernel's
 * own pte_clear + flush (pkmap's wrap) costs no page flush: 150K per
 * smp_pagecache 1024 150 run when flushed at once. */
static void flush_gained(struct machine *m, unsigned cpu)
{
	unsigned n = m->fill_mib_n[cpu];
	m->fill_mib_n[cpu] = 0;
	if (n > FILL_MIB_MAX) {
		if (!hazard_cpu_quiet(m->mm.hazards, cpu) && cpu_vtlb(m, cpu))
			uc_compat_vtlb_flush_all(cpu_vtlb(m, cpu), NULL);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		if (!hazard_va_quiet(m->mm.hazards, cpu, (uint32_t)m->fill_mib[cpu][i] << 20))
			uc_compat_vtlb_flush_mib(cpu_vtlb(m, cpu), m->fill_mib[cpu][i]);
}

/* Before the CPU's next data access (the block hook, or right after a
 * guest's descriptor store through the alias): the gained MiBs leave the
 * QEMU TLBs, and a new page-table page drops every engine's TLB, so that
 * their next access asks again (needs_alias).  A CPU sent wholly through
 * the alias (a checker record that fit nowhere) comes back once it has
 * nothing possibly stale left; its aliased pages leave QEMU's TLB as they
 * leave the micro TLB (an aliased page is never wrong, only slower). */
static inline void follow_hazards(struct machine *m)
{
	if (!m->mm.hazards)
		return;
	unsigned cpu = m->mm.smp.cpu;
	uint32_t gen = hazard_pt_watch_gen(m->mm.hazards);
	if (m->fill_mib_pending) {
		m->fill_mib_pending = false;
		for (unsigned c = 0; c < (m->cpus ? m->ncpus : 1); c++)
			flush_gained(m, c);
	}
	if (gen != m->fill_watch_gen) {
		m->fill_watch_gen = gen;
		flush_all_engines(m);
	}
	if (m->fill_alias_all[cpu] && hazard_cpu_quiet(m->mm.hazards, cpu))
		m->fill_alias_all[cpu] = false;
}

/* Only the MiBs the checker has records in, not every page while it has
 * any: with several CPUs a CPU almost always holds some (another CPU's
 * pkmap changes, its kmap_atomic slots), and the alias on every page made
 * --model fill slower than --model on (docs/smp.md, "Speed"). */
static bool needs_alias(struct machine *m, uint32_t va, uint32_t pa)
{
	unsigned cpu = m->mm.smp.cpu;
	if (m->fill_alias_all[cpu] || !hazard_va_quiet(m->mm.hazards, cpu, va))
		return true;
	if (m->mm.hazards && hazard_pt_watched(m->mm.hazards, pa))
		return true;
	return m->code_pages && m->code_pages[va >> PAGE_SHIFT];
}

/* The checker's mib hook (hazard_set_mib_hook): 1 MiB of VA in which a
 * CPU gains something possibly stale must leave that CPU's QEMU TLB
 * before the CPU's next data access there, so that it is filled again,
 * through the alias: noted here, done by follow_hazards(); losing it
 * needs nothing.  A record that fit nowhere sends the whole CPU through
 * the alias (the whole-CPU rule of before) until it is quiet again.  A
 * CPU whose engine does not exist yet has nothing in its TLB to drop, and
 * needs_alias() asks the checker itself, so nothing is missed then. */
static void fill_model_mib(void *arg, unsigned cpu, uint32_t mib, bool on)
{
	struct machine *m = arg;
	if (!on || cpu >= 32)
		return;
	if (mib == HAZARD_MIB_ALL) {
		m->fill_alias_all[cpu] = true;
		if (cpu_vtlb(m, cpu))
			uc_compat_vtlb_flush_all(cpu_vtlb(m, cpu), NULL);
		return;
	}
	m->fill_mib_pending = true;
	for (unsigned i = 0; i < m->fill_mib_n[cpu] && i < FILL_MIB_MAX; i++)
		if (m->fill_mib[cpu][i] == mib)
			return;
	if (m->fill_mib_n[cpu] < FILL_MIB_MAX)
		m->fill_mib[cpu][m->fill_mib_n[cpu]] = (uint16_t)mib;
	if (m->fill_mib_n[cpu] <= FILL_MIB_MAX)
		m->fill_mib_n[cpu]++;
}

/* The translation the D micro TLB holds for va, if any: what the CPU
 * uses, stale or not (a descriptor changed without an invalidate), so
 * that the guest reads what it would through --model on, whose QEMU TLB
 * keeps a translation until it is flushed. */
static bool micro_translation(struct machine *m, uint32_t va, uc_mem_type type, uint32_t *pa,
			      uint32_t *prot)
{
	const struct mmu_translation *t =
		tlb_peek_mru(m->mm.tlb, TLB_SIDE_D, va, (uint8_t)(m->mm.regs.contextidr & 0xffu));
	if (!t || t->fault != MMU_OK || !(m->mm.regs.sctlr & 1u))
		return false;
	*prot = 0;
	if (mmu_check(t, m->mm.regs.dacr, MMU_READ, true) == MMU_OK)
		*prot |= UC_PROT_READ;
	if (mmu_check(t, m->mm.regs.dacr, MMU_WRITE, true) == MMU_OK)
		*prot |= UC_PROT_WRITE;
	if (mmu_check(t, m->mm.regs.dacr, MMU_FETCH, true) == MMU_OK)
		*prot |= UC_PROT_EXEC;
	*pa = mmu_pa(t, va);
	return *prot & (type == UC_MEM_WRITE ? UC_PROT_WRITE : UC_PROT_READ);
}

bool fill_model_translate(void *arg, uint32_t va, uc_mem_type type, uint32_t *pa, uint32_t *prot)
{
	struct machine *m = arg;
	bool ok = machine_vtlb_translate(m, va, type, pa, prot);
	if (type == UC_MEM_FETCH) {
		*prot &= UC_PROT_EXEC; /* the I side is the block hook's */
		return ok;
	}
	/* A faulting access: reported through the unmapped hooks; the
	 * per-access hook is not called for it either. */
	if (!ok && !micro_translation(m, va, type, pa, prot))
		return false;
	if (needs_alias(m, va, *pa)) {
		micro_translation(m, va, type, pa, prot);
		*prot |= UC_COMPAT_PROT_ALIAS; /* the alias looks every access up */
		return true;
	}
	model_data_access(m, va, type == UC_MEM_WRITE);
	micro_translation(m, va, type, pa, prot);
	return true;
}

/* Every access through the alias: what the per-access hook does. */
static void alias_access(void *arg, uint32_t va, uint32_t pa, unsigned size, bool write, uint64_t value)
{
	struct machine *m = arg;
	if (write && m->code_pages)
		smp_code_write(m, va);
	model_data_access(m, va, write);
	if (write && m->mm.hazards && hazard_pt_watched(m->mm.hazards, pa)) {
		hazard_pt_store(m->mm.hazards, m->mm.smp.cpu, pa, size, value,
				guest_reg(m, UC_ARM_REG_PC), false);
		follow_hazards(m);
	}
}

static void evict(void *arg, uint32_t va_base, uint32_t pa_base, uint32_t size)
{
	uc_compat_vtlb_flush_range(arg, va_base, pa_base, size);
}

int fill_model_attach(struct machine *m, struct tlb *tlb, struct uc_compat_vtlb *v,
		      struct cpu_model_hot *h, unsigned cpu)
{
	if (!m->fill)
		return 0;
	h->epoch = 1;
	h->pending = &h->none;
	tlb_set_change_counter(tlb, TLB_SIDE_I, &h->epoch);
	hazard_set_epoch(m->mm.hazards, cpu, &h->epoch);
	if (!v)
		return 0;
	tlb_set_evict_hook(tlb, TLB_SIDE_D, evict, v);
	if (m->mm.hazards)
		hazard_set_mib_hook(m->mm.hazards, fill_model_mib, m);
	return (int)uc_compat_vtlb_alias(v, m->ram, alias_access, m);
}

/* ---- The instruction side ---------------------------------------------
 * mm_access() looks a block's fetches up in the I micro TLB's most recent
 * entries and reads the entry's descriptors back from RAM (a stale entry
 * is a hazard).  Under --model fill a look-up that found a current micro
 * hit with the checker quiet near the VA is remembered with its page and
 * the CPU's epoch: the answer stays the same while nothing bumps the epoch
 * (struct cpu_model_hot.epoch: the micro TLB's recent entries, a
 * descriptor store to a watched page-table page -- every such store goes
 * through the alias, or is the host's set_pte_at; with the checker off a
 * changed descriptor changes no statistic, mm/access.c check_stale --, a
 * write to SCTLR, DACR or CONTEXTIDR, or the checker's state for the CPU).
 * A block whose page was found so in the current epoch is marked with it
 * (block_front.fill_epoch) and takes the fast path until the next bump. */

static struct fill_fetch_memo *fetch_memo(struct cpu_model_hot *h, uint32_t va)
{
	return &h->fetch[(va >> PAGE_SHIFT) & 1u];
}

static bool fetch_remembered(struct cpu_model_hot *h, uint32_t va)
{
	const struct fill_fetch_memo *f = fetch_memo(h, va);
	return f->page == (va >> PAGE_SHIFT) + 1 && f->epoch == h->epoch;
}

bool fill_model_fetch(struct machine *m, uint32_t va, uint32_t size, uint32_t insns)
{
	if (!insns || !fill_single_page(va, size) || !fetch_remembered(m->front, va))
		return false;
	tlb_count_mru_hits(m->mm.tlb, insns); /* as mm_access() would: micro hits */
	return true;
}

void fill_model_fetched(struct machine *m, uint32_t va, uint32_t size)
{
	struct fill_fetch_memo *f = fetch_memo(m->front, va);
	f->page = 0;
	if (!fill_single_page(va, size) || !(m->mm.regs.sctlr & 1u) ||
	    !hazard_va_quiet(m->mm.hazards, m->mm.smp.cpu, va))
		return;
	const struct mmu_translation *t =
		tlb_peek_mru(m->mm.tlb, TLB_SIDE_I, va, (uint8_t)(m->mm.regs.contextidr & 0xffu));
	if (!t || !mm_check_ok_fast(t, m->mm.regs.dacr, MMU_FETCH))
		return;
	if (t->level != 0 && (phys_read32(&m->mm.mem, t->l1_pa) != t->l1_desc ||
			      (t->level == 2 && phys_read32(&m->mm.mem, t->l2_pa) != t->l2_desc)))
		return;
	*f = (struct fill_fetch_memo){ .page = (va >> PAGE_SHIFT) + 1, .epoch = m->front->epoch };
}

/* ---- Conditional data accesses ------------------------------------------ */

/* Takes back the early counts of the conditional accesses in `c` (those
 * with INSN_MEM_AT_EXIT set iff `at_exit`) whose condition failed. */
static void uncount_failed(struct machine *m, const struct insn_mem_conds *c, bool at_exit, uint32_t cpsr)
{
	for (unsigned i = 0; i < c->n; i++) {
		if (!(c->cond[i] & INSN_MEM_AT_EXIT) != !at_exit)
			continue;
		if (!insn_cond_passes(c->cond[i] & 0xfu, cpsr))
			tlb_uncount_mru_hits(m->mm.tlb, c->mem[i]);
	}
}

static bool has_entry_conds(const struct insn_mem_conds *c)
{
	for (unsigned i = 0; i < c->n; i++)
		if (!(c->cond[i] & INSN_MEM_AT_EXIT))
			return true;
	return false;
}

/* The items the exit's flags decide: when the block ends in a conditional
 * instruction that writes the PC and each such item has its condition or
 * the opposite one (ARM conditions come in pairs that differ in bit 0),
 * whether the exit was taken settles them all: uncount[taken] are those
 * that failed.  The exit was taken iff the next block is not the
 * fall-through (for a direct branch: iff it is the target). */
static void describe_exit(struct block_front *f, const struct insn_mem_conds *c)
{
	uint32_t end = f->va + f->size, uncount[2] = { 0, 0 };
	bool any = false, decided = c->exit_cond != INSN_MEM_NO_EXIT;
	for (unsigned i = 0; i < c->n; i++) {
		if (!(c->cond[i] & INSN_MEM_AT_EXIT))
			continue;
		unsigned cond = c->cond[i] & 0xfu;
		any = true;
		if ((cond | 1u) != (c->exit_cond | 1u))
			decided = false;
		else /* the exit's condition fails when it is not taken */
			uncount[cond == c->exit_cond ? 0 : 1] += c->mem[i];
	}
	f->exit_target = end;
	f->exit_cond = c->exit_cond;
	if (!any)
		return; /* exit_flags 0, nothing to take back */
	if (!decided || uncount[0] > UINT16_MAX || uncount[1] > UINT16_MAX) {
		f->exit_flags = FILL_EXIT_FT_UNSETTLED | FILL_EXIT_OTHER_UNSETTLED | FILL_EXIT_BY_LIST;
		return;
	}
	f->exit_uncount[0] = (uint16_t)uncount[0];
	f->exit_uncount[1] = (uint16_t)uncount[1];
	if (!c->exit_direct)
		f->exit_flags = FILL_EXIT_FT_UNSETTLED; /* an indirect exit may go to its fall-through */
	else if (c->exit_target == end)
		f->exit_flags = FILL_EXIT_FT_UNSETTLED | FILL_EXIT_OTHER_UNSETTLED;
	else {
		f->exit_flags = FILL_EXIT_OTHER_UNSETTLED;
		f->exit_target = c->exit_target;
	}
}

void fill_model_describe(struct block_front *f, const struct insn_mem_conds *c, uint32_t mem)
{
	uint64_t hits = (uint64_t)f->insns + mem;
	f->fill_epoch = 0;
	f->fill_hits = f->insns && fill_single_page(f->va, f->size) && !has_entry_conds(c) &&
				       hits <= UINT16_MAX ? (uint16_t)hits : 0;
	f->exit_flags = 0;
	f->exit_uncount[0] = f->exit_uncount[1] = 0;
	describe_exit(f, c);
}

void fill_model_settle_flags(struct machine *m, const struct block_front *p)
{
	uint32_t cpsr = guest_reg(m, UC_ARM_REG_CPSR);
	if (p->exit_flags & FILL_EXIT_BY_LIST)
		uncount_failed(m, &cpu_model_front_cold(m->front, p)->conds, true, cpsr);
	else
		tlb_uncount_mru_hits(m->mm.tlb, p->exit_uncount[insn_cond_passes(p->exit_cond, cpsr)]);
}

void fill_model_block(struct machine *m, struct block_front *f, uint32_t va, uint32_t size)
{
	fill_model_settle(m, va);
	follow_hazards(m);
	struct cpu_model_hot *h = m->front;
	if (f->va != va || f->size != size || !(m->mm.regs.sctlr & 1u))
		return; /* unreadable code, or the MMU is off: nothing counted */
	const struct block_front_cold *c = cpu_model_front_cold(h, f);
	if (c->conds.n && has_entry_conds(&c->conds))
		uncount_failed(m, &c->conds, false, guest_reg(m, UC_ARM_REG_CPSR));
	tlb_count_mru_hits(m->mm.tlb, c->mem);
	h->pending = f;
	/* follow_hazards() has nothing more to do in this epoch. */
	if (f->fill_hits && fetch_remembered(h, va))
		f->fill_epoch = h->epoch;
}

void fill_model_code_page(struct machine *m, uint32_t va)
{
	for (unsigned i = 0; i < (m->cpus ? m->ncpus : 1); i++)
		if (cpu_vtlb(m, i))
			uc_compat_vtlb_flush_range(cpu_vtlb(m, i), va & PAGE_MASK, 0, PAGE_SIZE);
}
