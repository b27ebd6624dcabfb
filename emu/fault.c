/* SPDX-License-Identifier: MIT */
/* Guest faults.  Unicorn never delivers aborts to the guest's vectors and
 * never tells the faulting address, so the report is rebuilt here: the VA
 * from a memory hook on a re-execution of the instruction, the cause from
 * the model's own walk of the tables. */
#include "fault.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <string.h>

#include "hypercall.h"
#include "machine.h"
#include "semihost.h"
#include "uc_compat.h"

#define CPSR_T (1u << 5)
#define SEMIHOST_SVC_ARM 0x123456u
#define SEMIHOST_SVC_THUMB 0xabu

static bool in_thumb(struct machine *m)
{
	return guest_reg(m, UC_ARM_REG_CPSR) & CPSR_T;
}

const char *fault_disasm(struct machine *m, uint32_t pc, char *buf, size_t len)
{
	uint8_t code[4];
	bool thumb = in_thumb(m);
	snprintf(buf, len, "?");
	if (guest_read(m, pc, code, 2) || (guest_read(m, pc + 2, code + 2, 2) && !thumb))
		return buf;
	csh cs;
	if (cs_open(CS_ARCH_ARM, thumb ? CS_MODE_THUMB : CS_MODE_ARM, &cs) != CS_ERR_OK)
		return buf;
	cs_insn *insn;
	size_t n = cs_disasm(cs, code, sizeof(code), pc, 1, &insn);
	if (n) {
		snprintf(buf, len, "%s%s%s", insn[0].mnemonic, insn[0].op_str[0] ? " " : "", insn[0].op_str);
		cs_free(insn, n);
	} else {
		uint32_t word;
		memcpy(&word, code, 4);
		snprintf(buf, len, thumb ? ".inst.n 0x%04x" : ".inst 0x%08x", thumb ? word & 0xffff : word);
	}
	cs_close(&cs);
	return buf;
}

/* Which descriptor let the access down, in words. */
static void describe_walk(struct machine *m, uint32_t va, enum mmu_access access, char *buf, size_t len)
{
	struct mmu_translation t;
	enum mmu_fault f = mmu_walk(&m->mm.mem, &m->mm.regs, va, &t);
	if (f == MMU_OK)
		f = mmu_check(&t, m->mm.regs.dacr, access, true);
	uint32_t dpa = t.level == 2 ? t.l2_pa : t.l1_pa;
	uint32_t desc = t.level == 2 ? t.l2_desc : t.l1_desc;
	switch (f) {
	case MMU_OK:
		snprintf(buf, len, "the tables allow it (L%u descriptor 0x%08x at 0x%08x)", t.level, desc, dpa);
		break;
	case MMU_FAULT_TRANSLATION:
		snprintf(buf, len, "translation fault: L%u descriptor 0x%08x at 0x%08x is invalid", t.level,
			 desc, dpa);
		break;
	case MMU_FAULT_EXTERNAL:
		snprintf(buf, len, "external abort: L%u descriptor address 0x%08x is outside RAM", t.level, dpa);
		break;
	case MMU_FAULT_DOMAIN:
		snprintf(buf, len, "domain fault: L%u descriptor 0x%08x at 0x%08x is in domain %u, DACR 0x%08x denies it",
			 t.level, desc, dpa, t.domain, m->mm.regs.dacr);
		break;
	case MMU_FAULT_PERMISSION:
		snprintf(buf, len, "permission fault: L%u descriptor 0x%08x at 0x%08x (APX:AP %u%u%u%s) denies a %s",
			 t.level, desc, dpa, (t.ap >> 2) & 1, (t.ap >> 1) & 1, t.ap & 1, t.xn ? ", XN" : "",
			 access == MMU_FETCH ? "fetch" : access == MMU_WRITE ? "write" : "read");
		break;
	}
}

static void report_abort(struct machine *m, const char *kind, uint32_t pc, uint32_t va,
			 enum mmu_access access, bool va_known)
{
	char sym[128], dis[96], why[256];
	machine_symbolize(m, pc, sym, sizeof(sym));
	fault_disasm(m, pc, dis, sizeof(dis));
	if (!va_known) {
		machine_stop(m, STOP_FAULT, "%s at %s (0x%08x) `%s`: faulting address unknown", kind, sym, pc, dis);
		return;
	}
	describe_walk(m, va, access, why, sizeof(why));
	machine_stop(m, STOP_FAULT, "%s at %s (0x%08x) `%s`: %s of VA 0x%08x: %s", kind, sym, pc, dis,
		     access == MMU_FETCH ? "fetch" : access == MMU_WRITE ? "write" : "read", va, why);
}

static void record_access(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
			  void *arg)
{
	(void)uc;
	(void)size;
	(void)value;
	struct machine *m = arg;
	if (!m->want_fault_va)
		return;
	m->want_fault_va = false;
	m->have_fault_va = true;
	m->fault_va = uc_compat_hook_va(m->vtlb, addr); /* 2.1 hooks get the PA */
	m->fault_is_write = type == UC_MEM_WRITE;
}

/* The first data abort at an instruction arms a memory hook and lets the
 * instruction run again (the PC still points at it); the hook sees the VA
 * before the access faults, and the second abort is reported. */
static void on_data_abort(struct machine *m, uint32_t pc)
{
	if (!m->have_fault_va && !m->fault_hook) {
		m->want_fault_va = true;
		if (uc_hook_add(m->uc, &m->fault_hook, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, record_access, m,
				1, 0) == UC_ERR_OK)
			return;
	}
	report_abort(m, "data abort", pc, m->fault_va, m->fault_is_write ? MMU_WRITE : MMU_READ,
		     m->have_fault_va);
}

static void on_prefetch_abort(struct machine *m, uint32_t pc)
{
	/* A Thumb-2 instruction may straddle a page: the second half faulted
	 * if the first translates. */
	uint32_t va = pc, pa;
	if (in_thumb(m) && mm_virt_to_phys(&m->mm, pc, &pa))
		va = pc + 2;
	report_abort(m, "prefetch abort", pc, va, MMU_FETCH, true);
}

static void on_svc(struct machine *m)
{
	uint32_t pc = guest_reg(m, UC_ARM_REG_PC); /* past the SVC */
	bool thumb = in_thumb(m);
	uint32_t at = pc - (thumb ? 2 : 4), imm;
	uint32_t insn = 0;
	char sym[128];
	if (guest_read(m, at, &insn, thumb ? 2 : 4)) {
		machine_stop(m, STOP_FAULT, "svc at %s: cannot read the instruction",
			     machine_symbolize(m, at, sym, sizeof(sym)));
		return;
	}
	imm = thumb ? (insn & 0xff) : (insn & 0xffffff);
	if (imm == (thumb ? SEMIHOST_SVC_THUMB : SEMIHOST_SVC_ARM))
		semihost_call(m);
	else if (imm == (thumb ? KMAPLAB_SVC_THUMB : KMAPLAB_SVC_ARM))
		hypercall_dispatch(m, at);
	else
		machine_stop(m, STOP_BAD_CALL, "unknown svc #0x%x at %s (not semihosting, not a kmaplab hypercall)",
			     imm, machine_symbolize(m, at, sym, sizeof(sym)));
}

void fault_on_exception(struct machine *m, uint32_t intno)
{
	uint32_t pc = guest_reg(m, UC_ARM_REG_PC);
	char sym[128], dis[96];
	if (intno != EXCP_DATA_ABORT && m->fault_hook) {
		uc_hook_del(m->uc, m->fault_hook);
		m->fault_hook = 0;
		m->have_fault_va = m->want_fault_va = false;
	}
	switch (intno) {
	case EXCP_SWI:
		on_svc(m);
		return;
	case EXCP_DATA_ABORT:
		on_data_abort(m, pc);
		return;
	case EXCP_PREFETCH_ABORT:
		on_prefetch_abort(m, pc);
		return;
	case EXCP_UDEF:
		machine_stop(m, STOP_FAULT, "undefined instruction at %s (0x%08x) `%s`",
			     machine_symbolize(m, pc, sym, sizeof(sym)), pc, fault_disasm(m, pc, dis, sizeof(dis)));
		return;
	case EXCP_BKPT:
		machine_stop(m, STOP_FAULT, "breakpoint at %s (0x%08x) `%s`",
			     machine_symbolize(m, pc, sym, sizeof(sym)), pc, fault_disasm(m, pc, dis, sizeof(dis)));
		return;
	default:
		machine_stop(m, STOP_FAULT, "unknown exception %u at %s (0x%08x)", intno,
			     machine_symbolize(m, pc, sym, sizeof(sym)), pc);
	}
}

void fault_on_unmapped(struct machine *m, uc_mem_type type, uint32_t va)
{
	uint32_t pc = guest_reg(m, UC_ARM_REG_PC);
	if (type == UC_MEM_FETCH_UNMAPPED)
		report_abort(m, "prefetch abort", va, va, MMU_FETCH, true);
	else
		report_abort(m, "data abort", pc, va, type == UC_MEM_WRITE_UNMAPPED ? MMU_WRITE : MMU_READ, true);
}

void fault_on_uc_error(struct machine *m, uc_err err)
{
	uint32_t pc = guest_reg(m, UC_ARM_REG_PC);
	char sym[128], dis[96];
	if (err == UC_ERR_INSN_INVALID) {
		machine_stop(m, STOP_FAULT, "undefined instruction at %s (0x%08x) `%s`",
			     machine_symbolize(m, pc, sym, sizeof(sym)), pc, fault_disasm(m, pc, dis, sizeof(dis)));
		return;
	}
	machine_stop(m, STOP_INTERNAL, "emulation failed at %s (0x%08x): %s",
		     machine_symbolize(m, pc, sym, sizeof(sym)), pc, uc_strerror(err));
}
