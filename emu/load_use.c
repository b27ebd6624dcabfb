/* SPDX-License-Identifier: MIT */
/* Load-to-use interlocks of a translated block (see load_use.h). */
#include "load_use.h"

#include <string.h>

/* Capstone's register id as r0..r15, or -1. */
static int reg_index(unsigned r)
{
	if (r >= ARM_REG_R0 && r <= ARM_REG_R12)
		return (int)(r - ARM_REG_R0);
	switch (r) {
	case ARM_REG_SP: return 13;
	case ARM_REG_LR: return 14;
	case ARM_REG_PC: return 15;
	default: return -1;
	}
}

void load_use_begin(struct load_use_block *b, uint32_t va)
{
	b->n = 0;
	b->overflow = false;
	b->self_loop = false;
	b->va = va;
}

static struct load_use_insn *next_slot(struct load_use_block *b)
{
	if (b->n == LOAD_USE_MAX_INSNS) {
		b->overflow = true;
		return NULL;
	}
	struct load_use_insn *s = &b->v[b->n++];
	memset(s, 0, sizeof(*s));
	s->load_dst = -1;
	return s;
}

static bool single_load(unsigned id)
{
	switch (id) {
	case ARM_INS_LDR: case ARM_INS_LDRB: case ARM_INS_LDRH: case ARM_INS_LDRSB: case ARM_INS_LDRSH:
		return true;
	default:
		return false;
	}
}

void load_use_note(struct load_use_block *b, csh h, const cs_insn *insn, unsigned cost)
{
	struct load_use_insn *s = next_slot(b);
	if (!s)
		return;
	s->cost = (uint16_t)(cost < 0xffffu ? cost : 0xffffu);
	b->self_loop = false; /* only the last instruction decides */
	if (!insn->detail)
		return;
	const cs_arm *a = &insn->detail->arm;
	cs_regs rd, wr;
	uint8_t nrd = 0, nwr = 0;
	if (cs_regs_access(h, insn, rd, &nrd, wr, &nwr) == CS_ERR_OK) {
		for (unsigned i = 0; i < nrd; i++) {
			int r = reg_index(rd[i]);
			if (r >= 0)
				s->reads |= (uint16_t)(1u << r);
		}
		for (unsigned i = 0; i < nwr; i++) {
			int r = reg_index(wr[i]);
			if (r >= 0)
				s->writes |= (uint16_t)(1u << r);
		}
	}
	if (single_load(insn->id) && a->op_count >= 1 && a->operands[0].type == ARM_OP_REG) {
		int r = reg_index(a->operands[0].reg);
		if (r >= 0 && r < 15)
			s->load_dst = (int8_t)r;
	}
	if (insn->id == ARM_INS_B && a->op_count == 1 && a->operands[0].type == ARM_OP_IMM &&
	    (uint32_t)a->operands[0].imm == b->va)
		b->self_loop = true;
}

void load_use_note_unknown(struct load_use_block *b, unsigned cost)
{
	struct load_use_insn *s = next_slot(b);
	if (s)
		s->cost = (uint16_t)cost;
	b->self_loop = false;
}

unsigned load_use_stalls(const struct load_use_block *b, unsigned latency)
{
	if (b->overflow || !latency)
		return 0;
	unsigned stalls = 0;
	for (uint32_t i = 0; i < b->n; i++) {
		if (b->v[i].load_dst < 0)
			continue;
		uint16_t bit = (uint16_t)(1u << b->v[i].load_dst);
		unsigned dist = b->v[i].cost;
		uint32_t steps = b->self_loop ? b->n : b->n - 1 - i;
		for (uint32_t k = 1; k <= steps && dist < latency; k++) {
			const struct load_use_insn *u = &b->v[(i + k) % b->n];
			if (u->reads & bit) {
				stalls += latency - dist;
				break;
			}
			if (u->writes & bit)
				break; /* overwritten unread */
			dist += u->cost;
		}
	}
	return stalls;
}
