/* SPDX-License-Identifier: MIT */
/* The guest's PMU counts the model (see pmu.h). */
#include "pmu.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_load.h"
#include "machine.h"
#include "smp.h"
#include "tlbi_scan.h"
#include "uc_compat.h"

#define CPSR_T (1u << 5)
#define PMU_COUNTERS 6   /* PMCR.N: 4 on the A7, 6 on the A9 and A15 */

#define PMCR_E (1u << 0)
#define PMCR_P (1u << 1)
#define PMCR_C (1u << 2)
#define PMCR_D (1u << 3)
#define PMCR_WRITABLE 0x3fu /* E, P, C, D, X, DP; P and C read as 0 */

enum pmu_event {
	EV_L1I_CACHE_REFILL = 0x01,
	EV_L1I_TLB_REFILL = 0x02,
	EV_L1D_CACHE_REFILL = 0x03,
	EV_L1D_CACHE = 0x04,
	EV_L1D_TLB_REFILL = 0x05,
	EV_INST_RETIRED = 0x08,
	EV_CPU_CYCLES = 0x11,
	EV_L1I_CACHE = 0x14,
	EV_L2D_CACHE = 0x16,
	EV_L2D_CACHE_REFILL = 0x17,
};

/* The cache events each core's PMU implements, as Linux's cache maps use
 * them (arch/arm/kernel/perf_event_v7.c, v5.10: armv7_a7/a9/a15_perf_cache_map):
 * the A7 has L1I access and refill, L1D access and refill, L2 access and
 * refill; the A9 L1D access and refill and L1I refill, no L1I access and no
 * L2 events (its L2 is the external L2C-310); the A15 all six (Linux takes
 * its L1D and L2 figures from the read/write split events 0x40-0x53; the
 * common 0x03/0x04 are its generic cache-references/misses, 0x16/0x17:
 * ASSUMPTION as the ARMv7 common events).  Unimplemented: the counter
 * stays 0. */
#define EVB(e) (1u << ((e) & 0x1fu))
static const struct {
	const char *core;
	uint32_t events; /* EVB(event) of the cache events below 0x20 */
} cache_events[] = {
	{ "cortex-a7", EVB(0x01) | EVB(0x03) | EVB(0x04) | EVB(0x14) | EVB(0x16) | EVB(0x17) },
	{ "cortex-a9", EVB(0x01) | EVB(0x03) | EVB(0x04) },
	{ "cortex-a15", EVB(0x01) | EVB(0x03) | EVB(0x04) | EVB(0x14) | EVB(0x16) | EVB(0x17) },
};

/* A cache event's count on this CPU's caches (--model cache; 0 without, or
 * if the core does not implement it). */
static uint64_t cache_event(const struct machine *m, uint32_t ev)
{
	const struct cpu_caches *cc = m->mm.caches;
	bool known = false;
	for (size_t i = 0; cc && i < sizeof(cache_events) / sizeof(cache_events[0]); i++)
		if (strcmp(cache_events[i].core, m->mm.core->name) == 0)
			known = cache_events[i].events & EVB(ev);
	if (!known)
		return 0;
	const struct cache_stats *l1i = &cc->l1i.stats, *l1d = &cc->l1d.stats;
	const struct cache_stats *l2 = cc->l2 ? &cc->l2->stats : NULL;
	switch (ev) {
	case EV_L1I_CACHE_REFILL: return l1i->misses;
	case EV_L1I_CACHE: return l1i->hits + l1i->misses;
	case EV_L1D_CACHE_REFILL: return l1d->misses;
	case EV_L1D_CACHE: return l1d->hits + l1d->misses;
	case EV_L2D_CACHE: return l2 ? l2->hits + l2->misses : 0;
	case EV_L2D_CACHE_REFILL: return l2 ? l2->misses : 0;
	default: return 0;
	}
}

/* One MRC/MCR p15, 0, Rt, c9, CRm, opc2 found in the guest's code. */
struct pmu_site {
	uint32_t va;
	bool thumb, read;
	uint8_t rt, crm, opc2, cond;
};

/* One CPU's PMU: every CPU has its own, counting its own events. */
struct pmu_regs {
	uint32_t pmcr;      /* the guest's PMCR: E, D, X, DP */
	uint32_t cnten;     /* PMCNTENSET */
	uint32_t selr;      /* PMSELR */
	uint64_t ccnt;      /* PMCCNTR (64 bits; the guest sees the low 32) */
	uint64_t ccnt_sub;  /* cycles not yet counted with PMCR.D */
	uint32_t evtype[PMU_COUNTERS];
	uint32_t evcnt[PMU_COUNTERS];
	uint64_t last_src[PMU_COUNTERS];
	uint64_t last_cycles;
};

struct pmu {
	struct pmu_site *sites;
	size_t n, cap;
	struct pmu_regs cpu[NR_CPUS_MAX]; /* indexed by mm.smp.cpu */
	unsigned counters;  /* PMCR.N of QEMU's model of the core */
	uint32_t pmcr_id;   /* PMCR's read-only IMP, IDCODE and N (bits 31:11) */
};

static const int reg_of[16] = {
	UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R4, UC_ARM_REG_R5,
	UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8, UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
	UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR, UC_ARM_REG_PC,
};

/* The instructions the running CPU has retired (m->insns is every CPU's;
 * emu/smp.h's accounting splits it). */
static uint64_t cpu_insns(const struct machine *m)
{
	const struct cpu *c = m->cur;
	return c ? c->acct.insns + (m->insns - c->snap.insns) : m->insns;
}

/* What event `ev` has counted so far on the running CPU: its TLB, its
 * instructions, its clock. */
static uint64_t event_source(const struct machine *m, uint32_t ev)
{
	const struct tlb_stats *t = m->mm.tlb ? tlb_stats(m->mm.tlb) : NULL;
	switch (ev & 0xffu) {
	case EV_L1I_TLB_REFILL: return t ? t->micro_misses[TLB_SIDE_I] : 0;
	case EV_L1D_TLB_REFILL: return t ? t->micro_misses[TLB_SIDE_D] : 0;
	case EV_INST_RETIRED: return cpu_insns(m);
	case EV_CPU_CYCLES: return m->mm.stats.cycles;
	case EV_L1I_CACHE_REFILL: case EV_L1I_CACHE: case EV_L1D_CACHE_REFILL: case EV_L1D_CACHE:
	case EV_L2D_CACHE: case EV_L2D_CACHE_REFILL:
		return cache_event(m, ev & 0xffu);
	default: return 0;
	}
}

/* Brings the counters up to the model's present: what ran since the last
 * update counts if the counter was enabled all along (state only changes
 * in the hooks, which call this first). */
static struct pmu_regs *this_cpu(struct machine *m)
{
	return &m->pmu->cpu[m->mm.smp.cpu < NR_CPUS_MAX ? m->mm.smp.cpu : 0];
}

static void pmu_update(struct machine *m)
{
	struct pmu_regs *p = this_cpu(m);
	unsigned counters = m->pmu->counters;
	uint64_t now = m->mm.stats.cycles;
	bool on = p->pmcr & PMCR_E;

	if (on && (p->cnten & (1u << 31))) {
		p->ccnt_sub += now - p->last_cycles;
		uint64_t step = p->pmcr & PMCR_D ? p->ccnt_sub / 64 : p->ccnt_sub;
		p->ccnt += step;
		p->ccnt_sub -= p->pmcr & PMCR_D ? step * 64 : step;
	}
	p->last_cycles = now;
	for (unsigned i = 0; i < counters; i++) {
		uint64_t src = event_source(m, p->evtype[i]);
		if (on && (p->cnten & (1u << i)))
			p->evcnt[i] += (uint32_t)(src - p->last_src[i]);
		p->last_src[i] = src;
	}
}

/* MCR: the value the guest writes takes effect in the model. */
static void pmu_write(struct machine *m, const struct pmu_site *s, uint32_t v)
{
	struct pmu_regs *p = this_cpu(m);
	unsigned sel = p->selr & 0x1fu, counters = m->pmu->counters;

	switch (s->crm << 4 | s->opc2) {
	case 0xc0: /* PMCR */
		p->pmcr = v & PMCR_WRITABLE & ~(PMCR_P | PMCR_C);
		if (v & PMCR_C) {
			p->ccnt = 0;
			p->ccnt_sub = 0;
		}
		if (v & PMCR_P)
			memset(p->evcnt, 0, sizeof(p->evcnt));
		break;
	case 0xc1: p->cnten |= v & (0x80000000u | ((1u << counters) - 1)); break; /* PMCNTENSET */
	case 0xc2: p->cnten &= ~v; break;                                          /* PMCNTENCLR */
	case 0xc5: p->selr = v & 0x1fu; break;                                      /* PMSELR */
	case 0xd0: p->ccnt = (p->ccnt & ~0xffffffffull) | v; p->ccnt_sub = 0; break; /* PMCCNTR */
	case 0xd1: /* PMXEVTYPER */
		if (sel < counters) {
			p->evtype[sel] = v & 0xffu;
			p->last_src[sel] = event_source(m, p->evtype[sel]);
		}
		break;
	case 0xd2: /* PMXEVCNTR */
		if (sel < counters)
			p->evcnt[sel] = v;
		break;
	default: break; /* PMOVSR, PMSWINC, PMUSERENR, interrupts: QEMU's */
	}
}

/* MRC: make QEMU's register hold the model's value, frozen, so that the
 * instruction about to run reads it. */
static void pmu_prepare_read(struct machine *m, const struct pmu_site *s)
{
	struct pmu_regs *p = this_cpu(m);
	uint32_t pmcr_id = m->pmu->pmcr_id;
	unsigned sel = p->selr & 0x1fu;

	switch (s->crm << 4 | s->opc2) {
	case 0xc0: /* PMCR: the guest's own bits beside QEMU's IMP, IDCODE, N */
		uc_compat_cp15_write(m->uc, 9, 12, 0, 0, pmcr_id | p->pmcr);
		break;
	case 0xd0: /* PMCCNTR */
		uc_compat_cp15_write(m->uc, 9, 12, 0, 0, pmcr_id | (p->pmcr & ~PMCR_E));
		uc_compat_cp15_write(m->uc, 9, 13, 0, 0, (uint32_t)p->ccnt);
		break;
	case 0xd2: /* PMXEVCNTR */
		if (sel < m->pmu->counters) {
			uc_compat_cp15_write(m->uc, 9, 12, 0, 0, pmcr_id | (p->pmcr & ~PMCR_E));
			uc_compat_cp15_write(m->uc, 9, 12, 0, 5, sel);
			uc_compat_cp15_write(m->uc, 9, 13, 0, 2, p->evcnt[sel]);
		}
		break;
	default: break;
	}
}

static const struct pmu_site *find_site(const struct pmu *p, uint32_t va, bool thumb)
{
	for (size_t i = 0; i < p->n; i++) /* few sites: a microbenchmark's handful */
		if (p->sites[i].va == va && p->sites[i].thumb == thumb)
			return &p->sites[i];
	return NULL;
}

static void hook_pmu(uc_engine *uc, uint64_t addr, uint32_t size, void *arg)
{
	(void)uc;
	(void)size;
	struct machine *m = arg;
	uint32_t cpsr = guest_reg(m, UC_ARM_REG_CPSR);
	const struct pmu_site *s = find_site(m->pmu, (uint32_t)addr, cpsr & CPSR_T);
	if (!s || !tlbi_cond_passed(s->cond, cpsr))
		return;
	pmu_update(m);
	if (s->read)
		pmu_prepare_read(m, s);
	else
		pmu_write(m, s, guest_reg(m, reg_of[s->rt]));
}

static int add_site(struct pmu *p, const struct pmu_site *s)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct pmu_site *v = realloc(p->sites, cap * sizeof(*v));
		if (!v)
			return -1;
		p->sites = v;
		p->cap = cap;
	}
	p->sites[p->n++] = *s;
	return 0;
}

/* MRC/MCR p15, 0, Rt, c9, CRm, opc2 (ARM DDI 0406C A8.8.99, A8.8.107):
 *   ARM   cond 1110 000 L 1001 Rt 1111 opc2 1 CRm:  (w & 0x0fef0f10) == 0x0e090f10
 *   Thumb hw1 1110 1110 000 L 1001 (0xee09 MCR, 0xee19 MRC), hw2 Rt 1111 opc2 1 CRm
 * A data word that matches gets a hook that never fires; a match in the
 * other instruction set is skipped by the CPSR.T check in the hook. */
static int scan(struct pmu *p, const uint8_t *code, uint32_t va, uint32_t size)
{
	for (uint32_t off = (4 - (va & 3)) & 3; off + 4 <= size; off += 4) {
		uint32_t w = code[off] | code[off + 1] << 8 | (uint32_t)code[off + 2] << 16 |
			     (uint32_t)code[off + 3] << 24;
		if ((w & 0x0fef0f10u) != 0x0e090f10u || w >> 28 == 0xf)
			continue;
		struct pmu_site s = { .va = va + off, .thumb = false, .read = (w >> 20) & 1,
				      .rt = (w >> 12) & 15, .crm = w & 15, .opc2 = (w >> 5) & 7,
				      .cond = w >> 28 };
		if (add_site(p, &s))
			return -1;
	}
	for (uint32_t off = va & 1; off + 4 <= size; off += 2) {
		uint32_t hw1 = code[off] | code[off + 1] << 8, hw2 = code[off + 2] | code[off + 3] << 8;
		if ((hw1 != 0xee09 && hw1 != 0xee19) || (hw2 & 0x0f10) != 0x0f10)
			continue;
		struct pmu_site s = { .va = va + off, .thumb = true, .read = hw1 == 0xee19,
				      .rt = hw2 >> 12, .crm = hw2 & 15, .opc2 = (hw2 >> 5) & 7,
				      .cond = 14 };
		if (add_site(p, &s))
			return -1;
	}
	return 0;
}

int pmu_init(struct machine *m)
{
	struct pmu *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(m->message, sizeof(m->message), "out of memory for the PMU model");
		return 70;
	}
	m->pmu = p;
	uint32_t pmcr = 0;
	/* PMCR.N, bits [15:11]: how many event counters QEMU's core has. */
	if (uc_compat_cp15_read(m->uc, 9, 12, 0, 0, &pmcr) == UC_ERR_OK) {
		p->counters = (pmcr >> 11) & 0x1fu;
		p->pmcr_id = pmcr & ~0x7ffu;
	}
	if (p->counters > PMU_COUNTERS)
		p->counters = PMU_COUNTERS;
	for (size_t i = 0; i < m->img.nsegs; i++) {
		const struct elf_segment *s = &m->img.segs[i];
		if ((s->flags & PF_X) && s->filesz && scan(p, s->data, s->vaddr, s->filesz)) {
			snprintf(m->message, sizeof(m->message), "out of memory for the PMU sites");
			return 70;
		}
	}
	return pmu_add_hooks(m, m->uc);
}

int pmu_add_hooks(struct machine *m, uc_engine *uc)
{
	struct pmu *p = m->pmu;
	for (size_t i = 0; p && i < p->n; i++) {
		uc_hook h;
		uint32_t va = p->sites[i].va;
		if (find_site(p, va, !p->sites[i].thumb) && p->sites[i].thumb)
			continue; /* one hook serves both instruction sets */
		if (uc_hook_add(uc, &h, UC_HOOK_CODE, hook_pmu, m, va, va)) {
			snprintf(m->message, sizeof(m->message), "cannot hook the guest's PMU accesses");
			return 70;
		}
	}
	return 0;
}

void pmu_free(struct machine *m)
{
	if (!m->pmu)
		return;
	free(m->pmu->sites);
	free(m->pmu);
	m->pmu = NULL;
}
