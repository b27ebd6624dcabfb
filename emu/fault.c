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
#include "symbols.h"

#define CPSR_T (1u << 5)
#define SEMIHOST_SVC_ARM 0x123456u
#define SEMIHOST_SVC_THUMB 0xabu

static bool in_thumb(struct machine *m)
{
	return guest_reg(m, UC_ARM_REG_CPSR) & CPSR_T;
}

/* The condition the IT block gives the Thumb instruction the CPU is at:
 * ITSTATE is CPSR[15:10]:CPSR[26:25] (ARM DDI 0406C A2.5.2), and QEMU
 * restores it with the PC when an instruction faults.  -1 outside a block. */
static int it_condition(struct machine *m)
{
	uint32_t cpsr = guest_reg(m, UC_ARM_REG_CPSR);
	unsigned itstate = ((cpsr >> 8) & 0xfc) | ((cpsr >> 25) & 0x3);
	if (!(cpsr & CPSR_T) || !(itstate & 0xf))
		return -1;
	return (int)(itstate >> 4);
}

/* "str" -> "strne", "str.w" -> "strne.w": Capstone decodes one Thumb
 * instruction without its IT block, so the condition is added here. */
static void add_condition(char *mnemonic, size_t len, int cond)
{
	static const char names[15][3] = { "eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc",
					   "hi", "ls", "ge", "lt", "gt", "le", "al" };
	if (cond < 0 || cond > 14)
		return;
	char *dot = strchr(mnemonic, '.');
	char tail[16] = "";
	if (dot) {
		snprintf(tail, sizeof(tail), "%s", dot);
		*dot = '\0';
	}
	size_t n = strlen(mnemonic);
	snprintf(mnemonic + n, len - n, "%s%s", names[cond], tail);
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
		char mnemonic[48];
		snprintf(mnemonic, sizeof(mnemonic), "%s", insn[0].mnemonic);
		if (thumb && pc == guest_reg(m, UC_ARM_REG_PC))
			add_condition(mnemonic, sizeof(mnemonic), it_condition(m));
		snprintf(buf, len, "%s%s%s", mnemonic, insn[0].op_str[0] ? " " : "", insn[0].op_str);
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
static void describe_walk(struct machine *m, uint32_t va, enum mmu_access access, unsigned size,
			  char *buf, size_t len)
{
	struct mmu_translation t;
	enum mmu_fault f = mmu_walk(&m->mm.mem, &m->mm.regs, va, &t);
	if (f == MMU_OK)
		f = mmu_check(&t, m->mm.regs.dacr, access, true);
	uint32_t dpa = t.level == 2 ? t.l2_pa : t.l1_pa;
	uint32_t desc = t.level == 2 ? t.l2_desc : t.l1_desc;
	switch (f) {
	case MMU_OK:
		/* The tables allow it, so the abort is the alignment check: an
		 * exclusive access (LDREX, STREX, ...) must be naturally aligned
		 * whatever SCTLR.A says (ARM DDI 0406C A3.2.1). */
		if (access != MMU_FETCH && size > 1 && (va & (size - 1)))
			snprintf(buf, len, "alignment fault: a %u-byte access must be %u-byte aligned (the tables allow it: L%u descriptor 0x%08x at 0x%08x)",
				 size, size, t.level, desc, dpa);
		else
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

/* The guard pages machine.c leaves unmapped below the SVC stack. */
static bool in_stack_guard(struct machine *m, uint32_t va)
{
	const struct boot_mem *b = &m->mm.boot;
	uint32_t guard = __va(&m->mm.layout, b->stack_guard);
	return b->stack_guard && va - guard < b->stack_base - b->stack_guard;
}

static const char *access_name(enum mmu_access access)
{
	return access == MMU_FETCH ? "fetch" : access == MMU_WRITE ? "write" : "read";
}

static void report_abort(struct machine *m, const char *kind, uint32_t pc, uint32_t va,
			 enum mmu_access access, unsigned size, bool va_known)
{
	char where[160], sym[128], dis[96], why[320], lr[160] = "";
	if (symtab_lookup(&m->img.symbols, pc))
		snprintf(where, sizeof(where), "%s (0x%08x)", machine_symbolize(m, pc, sym, sizeof(sym)), pc);
	else
		snprintf(where, sizeof(where), "0x%08x", pc);
	fault_disasm(m, pc, dis, sizeof(dis));
	if (access == MMU_FETCH) {
		/* Code outside every function was reached by a branch: LR
		 * usually says from where. */
		uint32_t l = guest_reg(m, UC_ARM_REG_LR) & ~1u;
		snprintf(lr, sizeof(lr), " (lr %s)", machine_symbolize(m, l, sym, sizeof(sym)));
	}
	if (!va_known) {
		machine_stop(m, STOP_FAULT, "%s at %s `%s`%s: faulting address unknown", kind, where, dis, lr);
		return;
	}
	if (access != MMU_FETCH && in_stack_guard(m, va)) {
		const struct boot_mem *b = &m->mm.boot;
		const struct kernel_layout *l = &m->mm.layout;
		machine_stop(m, STOP_FAULT, "stack overflow %s %s `%s`: %s of VA 0x%08x (sp 0x%08x) in the unmapped guard below the %u KiB SVC stack 0x%08x..0x%08x",
			     strstr(kind, "block") ? "in the translated block starting at" : "at", where, dis, access_name(access), va, guest_reg(m, UC_ARM_REG_SP),
			     (b->stack_top - b->stack_base) >> 10, __va(l, b->stack_base), __va(l, b->stack_top));
		return;
	}
	describe_walk(m, va, access, size, why, sizeof(why));
	machine_stop(m, STOP_FAULT, "%s at %s `%s`%s: %s of VA 0x%08x: %s", kind, where, dis, lr,
		     access_name(access), va, why);
}

/* Armed for the re-execution of an aborted instruction: every access it
 * makes is recorded, so the last one before the abort is the one that
 * faulted (an LDM's first words may well be fine). */
static void record_access(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
			  void *arg)
{
	(void)uc;
	(void)value;
	struct machine *m = arg;
	if (!m->want_fault_va)
		return;
	m->have_fault_va = true;
	m->fault_va = uc_compat_hook_va(m->vtlb, addr); /* 2.1 hooks get the PA */
	m->fault_size = (uint8_t)size;
	m->fault_is_write = type == UC_MEM_WRITE;
}

/* The first data abort at an instruction arms a memory hook and lets the
 * instruction run again (QEMU restores the PC of the faulting instruction,
 * and its registers are as they were before it); the hook sees the VA
 * before the access faults, and the second abort is reported.  With the
 * TLB model on, its own memory hook has usually recorded the VA already. */
static void on_data_abort(struct machine *m, uint32_t pc)
{
	if (!m->have_fault_va && !m->fault_hook) {
		m->want_fault_va = true;
		if (uc_hook_add(m->uc, &m->fault_hook, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, record_access, m,
				1, 0) == UC_ERR_OK)
			return;
	}
	report_abort(m, "data abort", pc, m->fault_va, m->fault_is_write ? MMU_WRITE : MMU_READ,
		     m->fault_size, m->have_fault_va);
}

/* The fetch that faulted: a 32-bit Thumb instruction whose first halfword
 * is the last of a page that may be fetched faults on its second half. */
static uint32_t prefetch_fault_va(struct machine *m, uint32_t pc)
{
	struct mmu_translation t;
	if (!in_thumb(m) || (pc & (PAGE_SIZE - 1)) != PAGE_SIZE - 2)
		return pc;
	if (mmu_walk(&m->mm.mem, &m->mm.regs, pc, &t) != MMU_OK ||
	    mmu_check(&t, m->mm.regs.dacr, MMU_FETCH, true) != MMU_OK)
		return pc;
	uint16_t hw;
	if (guest_read(m, pc, &hw, 2))
		return pc;
	/* 32-bit Thumb encodings start with 0b11101, 0b11110 or 0b11111. */
	return (hw >> 11) >= 0x1d ? pc + 2 : pc;
}

static void on_prefetch_abort(struct machine *m, uint32_t pc)
{
	report_abort(m, "prefetch abort", pc, prefetch_fault_va(m, pc), MMU_FETCH, 2, true);
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

/* Every VA has a Unicorn region (machine.c maps placeholders over the
 * gaps), so a bad access is an MMU fault with an exact PC, and this is only
 * a fallback: Unicorn 2.0.1 leaves the PC at the start of the translated
 * block here, which the report says instead of naming a wrong instruction. */
void fault_on_unmapped(struct machine *m, uc_mem_type type, uint32_t va)
{
	uint32_t pc = guest_reg(m, UC_ARM_REG_PC);
	if (type == UC_MEM_FETCH_UNMAPPED)
		report_abort(m, "prefetch abort", va, va, MMU_FETCH, 2, true);
	else
		report_abort(m, "data abort in the translated block starting", pc, va,
			     type == UC_MEM_WRITE_UNMAPPED ? MMU_WRITE : MMU_READ, 1, true);
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

/* QEMU halts the CPU at WFI and Unicorn's run then ends without an error,
 * the PC past the WFI (16-bit 0xbf30 or 32-bit 0xf3af 0x8003 in Thumb,
 * cond 0320f003 in ARM; ARM DDI 0406C A8.8.425).  The address of the WFI
 * that ended the run, or 0 if the instruction before the PC is none. */
static uint32_t wfi_before(struct machine *m, uint32_t pc)
{
	uint16_t hw[2];
	uint32_t w;
	if (in_thumb(m)) {
		if (!guest_read(m, pc - 2, hw, 2) && hw[0] == 0xbf30)
			return pc - 2;
		if (!guest_read(m, pc - 4, hw, 4) && hw[0] == 0xf3af && hw[1] == 0x8003)
			return pc - 4;
		return 0;
	}
	if (!guest_read(m, pc - 4, &w, 4) && (w & 0x0fffffffu) == 0x0320f003u && (w >> 28) != 0xf)
		return pc - 4;
	return 0;
}

void fault_on_stop(struct machine *m)
{
	uint32_t pc = guest_reg(m, UC_ARM_REG_PC), at = wfi_before(m, pc);
	char sym[128], dis[96];
	if (at) {
		/* With --cpus, IPIs are delivered at hypercalls (emu/smp.c), never
		 * to a WFI: it waits forever there too. */
		machine_stop(m, STOP_WOULD_SLEEP, "would sleep forever: %s at %s (0x%08x) waits for an interrupt, and %s",
			     fault_disasm(m, at, dis, sizeof(dis)), machine_symbolize(m, at, sym, sizeof(sym)), at,
			     m->ncpus > 1 ? "no interrupt source wakes a WFI on this machine"
					  : "this machine has one CPU and no interrupt source");
		return;
	}
	machine_stop(m, STOP_INTERNAL, "the emulator stopped without a cause at %s",
		     machine_symbolize(m, pc, sym, sizeof(sym)));
}
