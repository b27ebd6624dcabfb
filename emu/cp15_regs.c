/* SPDX-License-Identifier: MIT */
/* Following the guest's writes to the translation registers. */
#include "cp15_regs.h"

#include "cpu_model.h"
#include "fault.h"
#include "hazard.h"
#include "machine.h"
#include "uc_compat.h"

#define SCTLR_M 1u

/* Turning the MMU off is only survivable from code whose VA is its PA (an
 * identity mapping): the next fetch is from the PC as a physical address.
 * Anywhere else real hardware fetches whatever that address holds, and
 * Unicorn would run through a placeholder region's zeros. */
static void check_mmu_off(struct machine *m, uint32_t pc, const char *dis)
{
	uint32_t next = pc + 4; /* MCR is 4 bytes in ARM and in Thumb */
	if (phys_contains(&m->mm.mem, next, 4))
		return;
	char sym[128];
	machine_stop(m, STOP_FAULT, "prefetch abort after %s (0x%08x) `%s`: it clears SCTLR.M, and with the MMU off the next instruction is fetched from physical 0x%08x, which is not RAM (turn the MMU off from an identity mapping)",
		     machine_symbolize(m, pc, sym, sizeof(sym)), pc, dis, next);
}

void cp15_guest_write(struct machine *m, uint32_t pc, enum cp15_reg r, uint32_t val)
{
	bool mmu_off = r == CP15_SCTLR && (m->mm.regs.sctlr & SCTLR_M) && !(val & SCTLR_M);
	char dis[96] = "";
	if (mmu_off) /* read while the MCR still translates */
		fault_disasm(m, pc, dis, sizeof(dis));
	if (mm_cp15_write(&m->mm, r, val)) {
		char sym[128];
		machine_stop(m, STOP_INTERNAL, "%s = 0x%08x at %s: the long-descriptor format (TTBCR.EAE) is not modelled",
			     cp15_reg_name(r), val, machine_symbolize(m, pc, sym, sizeof(sym)));
		return;
	}
	/* The hook runs before the MCR, with no memory access between the two,
	 * so dropping QEMU's TLB now means it refills from the new values.
	 * (QEMU flushes on its own for DACR, SCTLR and a CONTEXTIDR change, but
	 * not for a 32-bit TTBR write.) */
	uc_compat_vtlb_flush_all(m->vtlb, m->uc);
	/* --model fill: what the CPU's instruction-side look-ups found may
	 * not hold any more (emu/fill_model.c; SCTLR.M, DACR, the ASID). */
	if (m->front)
		m->front->epoch++;
	/* The stale-TLB checker watches the tables TTBR0 points at. */
	if (m->mm.hazards && (r == CP15_TTBR0 || r == CP15_TTBR1 || r == CP15_TTBCR))
		hazard_tables_changed(m->mm.hazards);
	/* ... and which ASID each CPU's non-global walks are tagged with. */
	if (m->mm.hazards && r == CP15_CONTEXTIDR)
		hazard_asid_changed(m->mm.hazards, m->mm.smp.cpu, (uint8_t)(val & 0xffu));
	if (mmu_off)
		check_mmu_off(m, pc, dis);
}
