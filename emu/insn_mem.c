/* SPDX-License-Identifier: MIT */
/* Counting rule (docs/speed.md): what QEMU 5.0's ARM translator emits per
 * instruction, one guest load or store each:
 *   LDR/STR and their B, H, SB, SH, T, acquire/release forms,
 *   LDREX{,B,H,D}/LDAEX* (LDREXD: one 64-bit access)               1
 *   LDRD/STRD (two 32-bit accesses, op_ldrd/op_strd)               2
 *   STREX{,B,H,D}/STLEX* (QEMU's compare-and-swap outside parallel
 *   mode loads, then stores; none when the monitor's address
 *   differs, which this count ignores)                            2
 *   LDM/STM (any mode), PUSH/POP                     one per register
 *   VLDR/VSTR                                                      1
 *   TBB/TBH (the table entry)                                      1
 *   VLDM/VSTM, VPUSH/VPOP                            one per register
 *   SWP/SWPB (a load and a store)                                  2
 *   SRS/RFE (two words)                                            2
 *   PLD/PLI/PLDW and everything else                               0
 * Advanced SIMD element loads (VLDn/VSTn) count one per register listed,
 * an approximation: kmaplab's guests are built soft-float. */
#include "insn_mem.h"

unsigned insn_mem_accesses(const cs_insn *insn)
{
	const cs_arm *a = insn->detail ? &insn->detail->arm : NULL;
	unsigned ops = a ? a->op_count : 0;
	switch (insn->id) {
	case ARM_INS_LDR: case ARM_INS_LDRB: case ARM_INS_LDRH: case ARM_INS_LDRSB:
	case ARM_INS_LDRSH: case ARM_INS_LDRT: case ARM_INS_LDRBT: case ARM_INS_LDRHT:
	case ARM_INS_LDRSBT: case ARM_INS_LDRSHT: case ARM_INS_LDREX: case ARM_INS_LDREXB:
	case ARM_INS_LDREXH: case ARM_INS_LDREXD: case ARM_INS_LDA: case ARM_INS_LDAB:
	case ARM_INS_LDAH: case ARM_INS_LDAEX: case ARM_INS_LDAEXB: case ARM_INS_LDAEXH:
	case ARM_INS_LDAEXD:
	case ARM_INS_STR: case ARM_INS_STRB: case ARM_INS_STRH: case ARM_INS_STRT:
	case ARM_INS_STRBT: case ARM_INS_STRHT:
	case ARM_INS_STL: case ARM_INS_STLB: case ARM_INS_STLH:
	case ARM_INS_VLDR: case ARM_INS_VSTR:
	case ARM_INS_TBB: case ARM_INS_TBH: /* the table entry */
		return 1;
	case ARM_INS_LDRD: case ARM_INS_STRD:
	case ARM_INS_STREX: case ARM_INS_STREXB: case ARM_INS_STREXH: case ARM_INS_STREXD:
	case ARM_INS_STLEX: case ARM_INS_STLEXB: case ARM_INS_STLEXH: case ARM_INS_STLEXD:
	case ARM_INS_SWP: case ARM_INS_SWPB:
	case ARM_INS_SRSDA: case ARM_INS_SRSDB: case ARM_INS_SRSIA: case ARM_INS_SRSIB:
	case ARM_INS_RFEDA: case ARM_INS_RFEDB: case ARM_INS_RFEIA: case ARM_INS_RFEIB:
		return 2;
	case ARM_INS_PUSH: case ARM_INS_POP: case ARM_INS_VPUSH: case ARM_INS_VPOP:
		return ops;
	case ARM_INS_LDM: case ARM_INS_LDMDA: case ARM_INS_LDMDB: case ARM_INS_LDMIB:
	case ARM_INS_STM: case ARM_INS_STMDA: case ARM_INS_STMDB: case ARM_INS_STMIB:
	case ARM_INS_VLDMIA: case ARM_INS_VLDMDB: case ARM_INS_VSTMIA: case ARM_INS_VSTMDB:
	case ARM_INS_VLD1: case ARM_INS_VLD2: case ARM_INS_VLD3: case ARM_INS_VLD4:
	case ARM_INS_VST1: case ARM_INS_VST2: case ARM_INS_VST3: case ARM_INS_VST4:
		return ops > 1 ? ops - 1 : 0; /* the base register is operand 0 */
	default:
		return 0;
	}
}

static bool sets_flags(const cs_insn *insn)
{
	const cs_detail *d = insn->detail;
	if (!d)
		return true; /* unknown: assume the worst */
	if (d->arm.update_flags || insn->id == ARM_INS_MSR)
		return true;
	for (unsigned i = 0; i < d->regs_write_count; i++)
		if (d->regs_write[i] == ARM_REG_CPSR)
			return true;
	return false;
}

/* Whether the instruction writes the PC (a branch, or a load, pop or data
 * processing with PC as a destination); *direct: to the immediate *target. */
static bool writes_pc(const cs_insn *insn, bool *direct, uint32_t *target)
{
	const cs_arm *a = &insn->detail->arm;
	*direct = false;
	switch (insn->id) {
	case ARM_INS_B: case ARM_INS_BL: case ARM_INS_BLX: case ARM_INS_BX: case ARM_INS_BXJ:
		if (a->op_count >= 1 && a->operands[0].type == ARM_OP_IMM) {
			*direct = true;
			*target = (uint32_t)a->operands[0].imm; /* Capstone: absolute */
		}
		return true;
	case ARM_INS_TBB: case ARM_INS_TBH:
		return true;
	default:
		break;
	}
	for (unsigned i = 0; i < a->op_count; i++)
		if (a->operands[i].type == ARM_OP_REG && a->operands[i].reg == ARM_REG_PC &&
		    (a->operands[i].access & CS_AC_WRITE))
			return true;
	return false;
}

static void note_exit(struct insn_mem_scan *s, const cs_insn *insn, arm_cc cc)
{
	s->c.exit_cond = INSN_MEM_NO_EXIT;
	bool direct;
	uint32_t target = 0;
	if (cc == ARM_CC_AL || cc == ARM_CC_INVALID || !insn->detail || !writes_pc(insn, &direct, &target))
		return;
	s->c.exit_cond = (uint8_t)((unsigned)cc - 1);
	s->c.exit_direct = direct;
	s->c.exit_target = target;
}

void insn_mem_note_unknown(struct insn_mem_scan *s)
{
	s->setter_seen = true;
	s->setters++;
	s->c.exit_cond = INSN_MEM_NO_EXIT;
}

void insn_mem_note(struct insn_mem_scan *s, const cs_insn *insn, unsigned mem)
{
	arm_cc cc = insn->detail ? insn->detail->arm.cc : ARM_CC_AL;
	note_exit(s, insn, cc);
	if (mem && cc != ARM_CC_AL && cc != ARM_CC_INVALID) {
		unsigned cond = (unsigned)cc - 1; /* Capstone: the ARM encoding + 1 */
		if (s->c.n < INSN_MEM_CONDS && mem < 256) {
			s->c.cond[s->c.n] = (uint8_t)(cond | (s->setter_seen ? INSN_MEM_AT_EXIT : 0));
			s->c.mem[s->c.n] = (uint8_t)mem;
			s->after[s->c.n] = (uint8_t)(s->setters > 255 ? 255 : s->setters);
			s->c.n++;
		} else {
			s->c.unresolved = (uint8_t)(s->c.unresolved + mem > 255 ? 255 : s->c.unresolved + mem);
		}
	}
	if (sets_flags(insn)) {
		s->setter_seen = true;
		s->setters++;
	}
}

void insn_mem_done(struct insn_mem_scan *s, struct insn_mem_conds *out)
{
	/* An item to be read at exit must have no flag setter after it. */
	unsigned k = 0;
	for (unsigned i = 0; i < s->c.n; i++) {
		bool at_exit = s->c.cond[i] & INSN_MEM_AT_EXIT;
		if (at_exit && s->after[i] != s->setters && s->setters <= 255) {
			s->c.unresolved = (uint8_t)(s->c.unresolved + s->c.mem[i] > 255 ? 255
						    : s->c.unresolved + s->c.mem[i]);
			continue;
		}
		s->c.cond[k] = s->c.cond[i];
		s->c.mem[k] = s->c.mem[i];
		k++;
	}
	s->c.n = (uint8_t)k;
	*out = s->c;
}
