/* SPDX-License-Identifier: MIT */
/* The AArch64 guest's PMU counts the model (pmu_a64.h). */
#include "pmu_a64.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "exit_status.h"
#include "machine_a64.h"

#define PMCR_E (1ull << 0)
#define PMCR_P (1ull << 1)
#define PMCR_C (1ull << 2)
#define PMCR_D (1ull << 3)
#define PMCR_LC (1ull << 6)
#define PMCR_WRITABLE 0x79ull /* E, D, X, DP, LC; P and C act and read as 0 */
#define CCNT_BIT (1u << 31)

enum a64_pmu_event {
	EV_L1I_TLB_REFILL = 0x02,
	EV_L1D_TLB_REFILL = 0x05,
	EV_INST_RETIRED = 0x08,
	EV_CPU_CYCLES = 0x11,
};

/* What event `ev` has counted so far: the model's refills, instructions,
 * cycles (ARMv8-A ARM D7.10 common event numbers). */
static uint64_t event_source(const struct a64_machine *m, uint32_t ev)
{
	switch (ev & 0xffffu) {
	case EV_L1I_TLB_REFILL: return m->tlb.stats.micro_refills[A64_SIDE_I];
	case EV_L1D_TLB_REFILL: return m->tlb.stats.micro_refills[A64_SIDE_D];
	case EV_INST_RETIRED: return m->insns;
	case EV_CPU_CYCLES: return a64_cycles(m);
	default: return 0;
	}
}

/* Brings the counters up to the model's present: what happened since the
 * last access counts if the counter was enabled all along (the state only
 * changes in the hooks, which call this first). */
static void pmu_update(struct a64_machine *m)
{
	struct a64_pmu *p = &m->pmu;
	uint64_t now = a64_cycles(m);
	bool on = p->pmcr & PMCR_E;
	if (on && (p->cnten & CCNT_BIT)) {
		/* PMCR.D: every 64th cycle. */
		p->ccnt_sub += now - p->last_cycles;
		uint64_t step = p->pmcr & PMCR_D ? p->ccnt_sub / 64 : p->ccnt_sub;
		p->ccnt += step;
		p->ccnt_sub -= p->pmcr & PMCR_D ? step * 64 : step;
	}
	p->last_cycles = now;
	for (unsigned i = 0; i < p->counters; i++) {
		uint64_t src = event_source(m, p->evtype[i]);
		if (on && (p->cnten & (1u << i)))
			p->evcnt[i] += (uint32_t)(src - p->last_src[i]);
		p->last_src[i] = src;
	}
}

/* Which PMU register an MRS/MSR names: an index below, or -1. */
enum { R_PMCR, R_CNTENSET, R_CNTENCLR, R_SELR, R_CCNTR, R_XEVTYPER, R_XEVCNTR, R_EVCNTR, R_EVTYPER };

static int pmu_reg(const uc_arm64_cp_reg *r, unsigned *n)
{
	if (r->op0 != 3 || r->op1 != 3)
		return -1;
	if (r->crn == 9 && r->crm == 12) {
		switch (r->op2) {
		case 0: return R_PMCR;
		case 1: return R_CNTENSET;
		case 2: return R_CNTENCLR;
		case 5: return R_SELR;
		default: return -1;
		}
	}
	if (r->crn == 9 && r->crm == 13 && r->op2 <= 2)
		return R_CCNTR + (int)r->op2;
	if (r->crn == 14 && r->crm >= 8 && r->crm <= 15) {
		*n = (unsigned)((r->crm & 3) << 3 | r->op2);
		if (r->crm >= 12)
			return *n == 31 ? -1 : R_EVTYPER; /* PMCCFILTR_EL0 is n 31 */
		return R_EVCNTR;
	}
	return -1;
}

static void pmu_write(struct a64_machine *m, int reg, unsigned n, uint64_t v)
{
	struct a64_pmu *p = &m->pmu;
	if (reg == R_XEVTYPER || reg == R_XEVCNTR) {
		n = p->selr & 0x1fu;
		reg = reg == R_XEVTYPER ? R_EVTYPER : R_EVCNTR;
	}
	switch (reg) {
	case R_PMCR:
		p->pmcr = v & PMCR_WRITABLE;
		if (v & PMCR_C) {
			p->ccnt = 0;
			p->ccnt_sub = 0;
		}
		if (v & PMCR_P)
			memset(p->evcnt, 0, sizeof(p->evcnt));
		break;
	case R_CNTENSET: p->cnten |= (uint32_t)v & (CCNT_BIT | ((1u << p->counters) - 1)); break;
	case R_CNTENCLR: p->cnten &= ~(uint32_t)v; break;
	case R_SELR: p->selr = (uint32_t)v & 0x1fu; break;
	case R_CCNTR: p->ccnt = v; p->ccnt_sub = 0; break;
	case R_EVTYPER:
		if (n < p->counters) {
			p->evtype[n] = (uint32_t)v & 0xffffu;
			p->last_src[n] = event_source(m, p->evtype[n]);
		}
		break;
	case R_EVCNTR:
		if (n < p->counters)
			p->evcnt[n] = (uint32_t)v;
		break;
	}
}

static uint64_t pmu_read(struct a64_machine *m, int reg, unsigned n)
{
	struct a64_pmu *p = &m->pmu;
	if (reg == R_XEVTYPER || reg == R_XEVCNTR) {
		n = p->selr & 0x1fu;
		reg = reg == R_XEVTYPER ? R_EVTYPER : R_EVCNTR;
	}
	switch (reg) {
	case R_PMCR: return p->id | p->pmcr;
	case R_CNTENSET: case R_CNTENCLR: return p->cnten;
	case R_SELR: return p->selr;
	case R_CCNTR: return p->ccnt;
	case R_EVTYPER: return n < p->counters ? p->evtype[n] : 0;
	case R_EVCNTR: return n < p->counters ? p->evcnt[n] : 0;
	default: return 0;
	}
}

/* X0-X28 are consecutive in Unicorn's enum; X29, X30 and XZR are not. */
static bool is_xreg(uc_arm64_reg r)
{
	return (r >= UC_ARM64_REG_X0 && r <= UC_ARM64_REG_X28) || r == UC_ARM64_REG_X29 || r == UC_ARM64_REG_X30 ||
	       r == UC_ARM64_REG_XZR;
}

/* MRS: the model's value into the destination, the instruction skipped. */
static uint32_t hook_mrs(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *arg)
{
	struct a64_machine *m = arg;
	unsigned n = 0;
	int r = pmu_reg(cp, &n);
	if (r < 0 || !is_xreg(reg))
		return 0; /* not the PMU's: QEMU executes it */
	pmu_update(m);
	uint64_t v = pmu_read(m, r, n);
	if (reg != UC_ARM64_REG_XZR)
		uc_reg_write(uc, reg, &v);
	return 1;
}

/* MSR: the value written takes effect in the model, not in QEMU. */
static uint32_t hook_msr(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *arg)
{
	(void)uc;
	(void)reg;
	struct a64_machine *m = arg;
	unsigned n = 0;
	int r = pmu_reg(cp, &n);
	if (r < 0)
		return 0;
	pmu_update(m);
	pmu_write(m, r, n, cp->val);
	return 1;
}

int a64_pmu_init(struct a64_machine *m)
{
	struct a64_pmu *p = &m->pmu;
	memset(p, 0, sizeof(*p));
	/* PMCR_EL0.N (bits 15:11) and the ID bits of QEMU's model of the core. */
	uc_arm64_cp_reg r = { .op0 = 3, .op1 = 3, .crn = 9, .crm = 12, .op2 = 0 };
	if (uc_reg_read(m->uc, UC_ARM64_REG_CP_REG, &r) == UC_ERR_OK) {
		p->counters = (unsigned)(r.val >> 11) & 0x1fu;
		p->id = r.val & ~0x7ffull;
	}
	if (p->counters > A64_PMU_COUNTERS)
		p->counters = A64_PMU_COUNTERS;
	uc_hook h;
	uc_err err = uc_hook_add(m->uc, &h, UC_HOOK_INSN, (void *)hook_mrs, m, 1, 0, UC_ARM64_INS_MRS);
	if (!err)
		err = uc_hook_add(m->uc, &h, UC_HOOK_INSN, (void *)hook_msr, m, 1, 0, UC_ARM64_INS_MSR);
	if (err) {
		snprintf(m->message, sizeof(m->message), "Unicorn refused the PMU's MRS/MSR hooks: %s", uc_strerror(err));
		return EXIT_INTERNAL;
	}
	return 0;
}
