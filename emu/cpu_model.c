/* SPDX-License-Identifier: MIT */
/* Instruction costs and guest-executed TLB maintenance.
 *
 * Each translated block is costed once (Capstone, emu/insn_cost.c) and
 * charged every time it runs.  TLB maintenance MCRs are found before the
 * run by a scan of the executable segments (Unicorn 2.0.1 never fires
 * UC_HOOK_INSN on ARM), and each gets a single-address code hook that
 * applies the operation to the modelled TLB.  Writes to the translation
 * registers are found and hooked the same way (emu/cp15_regs.c). */
#include "cpu_model.h"

#include <capstone/capstone.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "cp15_regs.h"
#include "fill_model.h"
#include "insn_cost.h"
#include "machine.h"
#include "tlbi_scan.h"
#include "trace.h"

#define CPSR_T (1u << 5)
/* QEMU ends a translated block after at most 512 instructions (TCG_MAX_INSNS),
 * 2 KiB of ARM code. */
#define MAX_BLOCK_BYTES 4096u
_Static_assert(MAX_BLOCK_BYTES <= UINT16_MAX, "block_front.size and .insns are 16 bits");
_Static_assert(sizeof(struct block_front) == 32, "two block_front entries a host cache line");

struct cpu_model {
	struct cpu_model_hot hot; /* first: cpu_model_block() reads it */
	csh arm, thumb;
	struct insn_costs costs;
	struct block_cost_cache cache;
	struct tlbi_sites sites;
	uint8_t code[MAX_BLOCK_BYTES];
};

static const int reg_of[16] = {
	UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R4, UC_ARM_REG_R5,
	UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8, UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
	UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR, UC_ARM_REG_PC,
};

/* The architectural checker's view of a guest TLBI (mm/hazard.h): an IS
 * form reaches every CPU, ITLB and DTLB forms one side. */
static void hazard_tlbi(struct machine *m, enum tlbi_op op, uint32_t rt)
{
	static const enum hazard_inval inv[] = {
		[TLBI_KIND_ALL] = HAZARD_INV_ALL, [TLBI_KIND_MVA] = HAZARD_INV_MVA,
		[TLBI_KIND_ASID] = HAZARD_INV_ASID, [TLBI_KIND_MVAA] = HAZARD_INV_MVA_ALL_ASID,
	};
	enum tlb_scope scope = tlbi_op_scope(op);
	unsigned sides = scope == TLB_SCOPE_I ? HAZARD_SIDE_I :
			 scope == TLB_SCOPE_D ? HAZARD_SIDE_D : HAZARD_SIDES;
	unsigned cpu = m->mm.smp.cpu;
	uint64_t cpus = tlbi_op_is_shareable(op) ? HAZARD_ALL_CPUS : 1ull << cpu;
	hazard_invalidate(m->mm.hazards, cpu, cpus, sides, inv[tlbi_op_kind(op)], rt & 0xfffff000u,
			  (uint8_t)(rt & 0xffu));
}

/* Barriers and D-cache cleans, for the architectural checker. */
static void hazard_ordering(struct machine *m, const struct tlbi_site *s, uint32_t rt)
{
	struct hazard_checker *hz = m->mm.hazards;
	uint32_t pa;
	switch (s->kind) {
	case TLBI_SITE_BARRIER:
		if (s->insn == ARM_DSB)
			hazard_dsb(hz, m->mm.smp.cpu);
		else if (s->insn == ARM_ISB)
			hazard_isb(hz, m->mm.smp.cpu);
		break;
	case TLBI_SITE_CP15_BARRIER:
		if (s->barrier == CP15_DSB)
			hazard_dsb(hz, m->mm.smp.cpu);
		else if (s->barrier == CP15_ISB)
			hazard_isb(hz, m->mm.smp.cpu);
		break;
	case TLBI_SITE_CACHE:
		if (s->cache == CP15_DCCALL || s->cache == CP15_DCCIALL)
			hazard_dcache_clean(hz, m->mm.smp.cpu, 0, true);
		else if ((s->cache == CP15_DCCMVAC || s->cache == CP15_DCCMVAU ||
			  s->cache == CP15_DCCIMVAC) && mm_virt_to_phys(&m->mm, rt, &pa))
			hazard_dcache_clean(hz, m->mm.smp.cpu, pa, false);
		break;
	default:
		break;
	}
}

/* A guest cache maintenance MCR on the modelled caches (--model cache):
 * by MVA, the line of Rt's PA (an MVA with no translation does nothing
 * here); by set/way, Rt as the architecture encodes it. */
static void cache_maint(struct machine *m, enum cp15_cache_op op, uint32_t rt)
{
	static const enum cache_op of[CP15_NR_CACHE_OPS] = {
		[CP15_DCCMVAC] = CACHE_OP_DCCMVAC, [CP15_DCCMVAU] = CACHE_OP_DCCMVAU,
		[CP15_DCCIMVAC] = CACHE_OP_DCCIMVAC, [CP15_DCCALL] = CACHE_OP_DCCALL,
		[CP15_DCCIALL] = CACHE_OP_DCCIALL, [CP15_DCIMVAC] = CACHE_OP_DCIMVAC,
		[CP15_DCISW] = CACHE_OP_DCISW, [CP15_DCCSW] = CACHE_OP_DCCSW,
		[CP15_DCCISW] = CACHE_OP_DCCISW, [CP15_ICIALLU] = CACHE_OP_ICIALLU,
		[CP15_ICIALLUIS] = CACHE_OP_ICIALLU, [CP15_ICIMVAU] = CACHE_OP_ICIMVAU,
	};
	uint32_t arg = rt;
	bool by_mva = op == CP15_DCCMVAC || op == CP15_DCCMVAU || op == CP15_DCCIMVAC ||
		      op == CP15_DCIMVAC || op == CP15_ICIMVAU;
	if (by_mva && !mm_virt_to_phys(&m->mm, rt, &arg))
		return;
	m->mm.stats.cycles += cpu_cache_maint(m->mm.caches, of[op], arg);
}

static void hook_tlbi(uc_engine *uc, uint64_t addr, uint32_t size, void *arg)
{
	(void)uc;
	(void)size;
	struct machine *m = arg;
	uint32_t cpsr = guest_reg(m, UC_ARM_REG_CPSR);
	const struct tlbi_site *s = tlbi_sites_find(&m->cpu->sites, (uint32_t)addr, cpsr & CPSR_T);
	if (!s) { /* the identity alias of a translation-register write */
		s = tlbi_sites_find(&m->cpu->sites, __va(&m->mm.layout, (uint32_t)addr), cpsr & CPSR_T);
		if (s && s->kind != TLBI_SITE_CP15_REG)
			s = NULL;
	}
	/* A site found in the other instruction set, or a literal pool word
	 * that looked like an MCR, is not this instruction. */
	if (!s || !tlbi_site_should_apply(s, cpsr))
		return;
	if (s->kind == TLBI_SITE_CP15_REG) {
		cp15_guest_write(m, (uint32_t)addr, s->reg, guest_reg(m, reg_of[s->rt]));
		return;
	}
	if (s->kind == TLBI_SITE_CACHE && m->mm.caches)
		cache_maint(m, s->cache, guest_reg(m, reg_of[s->rt]));
	if (s->kind != TLBI_SITE_TLBI) {
		if (m->mm.hazards)
			hazard_ordering(m, s, s->kind == TLBI_SITE_CACHE ? guest_reg(m, reg_of[s->rt]) : 0);
		return;
	}
	uint32_t rt = guest_reg(m, reg_of[s->rt]);
	uint64_t before = m->mm.stats.cycles;
	unsigned dropped = tlbi_apply(m->mm.tlb, &m->mm.core->cost, s->op, rt, &m->mm.stats.tlbi,
				      &m->mm.stats.cycles);
	/* An IS form reaches every CPU's TLB (mm/smp.h). */
	uint64_t is = smp_tlbi_broadcast(&m->mm, s->op, rt);
	m->mm.stats.cycles += is;
	m->mm.stats.tlbi.cycles += is;
	if (m->trace)
		trace_guest_tlbi(m->trace, before, (uint32_t)addr, s->op, rt, dropped,
				 m->mm.stats.cycles - before);
	if (m->mm.hazards)
		hazard_tlbi(m, s->op, rt);
}

/* Finds the guest's own TLB maintenance in every executable segment. */
static int scan_tlbi_sites(struct machine *m)
{
	struct cpu_model *c = m->cpu;
	for (size_t i = 0; i < m->img.nsegs; i++) {
		const struct elf_segment *s = &m->img.segs[i];
		if (!(s->flags & PF_X) || !s->filesz)
			continue;
		/* The barriers and cleans only matter to the hazard checker. */
		unsigned flags = TLBI_SCAN_ARM | TLBI_SCAN_THUMB | TLBI_SCAN_CP15_REGS |
				 (m->mm.hazards ? TLBI_SCAN_ORDERING : 0) |
				 (m->mm.caches ? TLBI_SCAN_CACHE_OPS : 0);
		if (tlbi_scan(c->arm, c->thumb, s->data, s->vaddr, s->filesz, flags, &c->sites) < 0)
			return -1;
	}
	return cpu_model_add_hooks(m);
}

int cpu_model_add_hooks(struct machine *m)
{
	struct cpu_model *c = m->cpu;
	for (size_t i = 0; i < c->sites.n; i++) {
		uc_hook h;
		uint32_t va = c->sites.v[i].va;
		if (i && c->sites.v[i - 1].va == va)
			continue; /* one hook serves both instruction sets */
		if (uc_hook_add(m->uc, &h, UC_HOOK_CODE, hook_tlbi, m, va, va))
			return -1;
		/* Code that turns the MMU off or switches tables runs at its
		 * physical address, through an identity mapping (as a kernel's
		 * head.S and cpu_reset do): hook that alias too. */
		uint32_t pa = __pa(&m->mm.layout, va);
		if (c->sites.v[i].kind == TLBI_SITE_CP15_REG && pa != va &&
		    uc_hook_add(m->uc, &h, UC_HOOK_CODE, hook_tlbi, m, pa, pa))
			return -1;
	}
	return 0;
}

int cpu_model_init(struct machine *m)
{
	const struct insn_costs *base = insn_costs_find(m->mm.core->name);
	/* Aligned as the front array asks (calloc's large blocks start 16
	 * bytes into a page: every other entry would straddle two lines). */
	struct cpu_model *c = aligned_alloc(_Alignof(struct cpu_model), sizeof(*c));
	if (c)
		memset(c, 0, sizeof(*c));
	if (!c || !base) {
		free(c);
		snprintf(m->message, sizeof(m->message), "no instruction cost table for core %s",
			 m->mm.core->name);
		return 70;
	}
	m->cpu = c;
	m->front = &c->hot;
	if (cs_open(CS_ARCH_ARM, CS_MODE_ARM, &c->arm) != CS_ERR_OK ||
	    cs_open(CS_ARCH_ARM, CS_MODE_THUMB, &c->thumb) != CS_ERR_OK) {
		snprintf(m->message, sizeof(m->message), "Capstone cannot open an ARM decoder");
		return 70;
	}
	insn_costs_with_core(&c->costs, base, &m->mm.core->cost);
	if (m->mm.caches) /* --model cache: loads' readers wait for L1D (emu/load_use.h) */
		c->costs.load_use = m->mm.caches->p->l1d.latency;
	if (scan_tlbi_sites(m)) {
		snprintf(m->message, sizeof(m->message), "cannot hook the guest's TLB maintenance instructions");
		return 70;
	}
	return 0;
}

uint32_t cpu_model_block_miss(struct machine *m, struct block_front *f, uint32_t va, uint32_t size)
{
	struct cpu_model *c = m->cpu;
	/* --model fill: the last block's entry may be the one replaced. */
	if (m->fill)
		fill_model_settle(m, va);
	bool thumb = guest_reg(m, UC_ARM_REG_CPSR) & CPSR_T;
	struct block_cost cost;
	if (!block_cost_lookup(&c->cache, va, size, thumb, &cost)) {
		if (size > MAX_BLOCK_BYTES || guest_read(m, va, c->code, size) ||
		    block_cost(&c->cache, c->arm, c->thumb, c->code, va, size, thumb, &c->costs, &cost)) {
			f->fill_epoch = 0; /* no fast path for whatever f holds */
			return 0; /* unreadable code faults on its own, reported there */
		}
	}
	*f = (struct block_front){ .va = va, .size = size, .insns = cost.insns, .cycles = cost.cycles };
	*cpu_model_front_cold(m->front, f) = (struct block_front_cold){ .mem = cost.mem, .conds = cost.conds };
	if (m->fill) /* only --model fill reads the rest of the entry */
		fill_model_describe(f, &cost.conds, cost.mem);
	m->mm.stats.cycles += cost.cycles;
	return cost.insns;
}

void cpu_model_free(struct machine *m)
{
	struct cpu_model *c = m->cpu;
	if (!c)
		return;
	block_cost_cache_free(&c->cache);
	tlbi_sites_free(&c->sites);
	if (c->arm)
		cs_close(&c->arm);
	if (c->thumb)
		cs_close(&c->thumb);
	free(c);
	m->cpu = NULL;
	m->front = NULL;
}
