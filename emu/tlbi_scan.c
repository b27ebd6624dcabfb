/* SPDX-License-Identifier: MIT */
/* The Capstone pre-scan for guest CP15 maintenance MCRs (see tlbi_scan.h). */
#include "tlbi_scan.h"

#include <stdlib.h>
#include <string.h>

/* A CP15 c7 operation: its name and the CRm/opc2 that select it (CRn 7,
 * opc1 0). */
struct c7_op {
	const char *name;
	unsigned crm, opc2;
};

/* The index of (crm, opc2) in `ops`, or -1. */
static int c7_decode(const struct c7_op *ops, unsigned n, unsigned crm, unsigned opc2)
{
	for (unsigned i = 0; i < n; i++)
		if (ops[i].crm == crm && ops[i].opc2 == opc2)
			return (int)i;
	return -1;
}

/* ARM DDI 0406C, VMSA CP15 c7 register summary. */
static const struct c7_op barriers[CP15_NR_BARRIERS] = {
	[CP15_BPIALLIS] = { "BPIALLIS", 1, 6 },
	[CP15_BPIALL]   = { "BPIALL",   5, 6 },
	[CP15_BPIMVA]   = { "BPIMVA",   5, 7 },
	[CP15_ISB]      = { "CP15ISB",  5, 4 },
	[CP15_DSB]      = { "CP15DSB", 10, 4 },
	[CP15_DMB]      = { "CP15DMB", 10, 5 },
};

const char *cp15_barrier_name(enum cp15_barrier b)
{
	return (unsigned)b < CP15_NR_BARRIERS ? barriers[b].name : "?";
}

int cp15_barrier_decode(unsigned crm, unsigned opc2, enum cp15_barrier *b)
{
	int i = c7_decode(barriers, CP15_NR_BARRIERS, crm, opc2);
	if (i < 0)
		return -1;
	*b = (enum cp15_barrier)i;
	return 0;
}

static const struct c7_op cache_ops[CP15_NR_CACHE_OPS] = {
	[CP15_DCCMVAC]  = { "DCCMVAC",  10, 1 },
	[CP15_DCCMVAU]  = { "DCCMVAU",  11, 1 },
	[CP15_DCCIMVAC] = { "DCCIMVAC", 14, 1 },
	[CP15_DCCALL]   = { "DCCALL",   10, 0 },
	[CP15_DCCIALL]  = { "DCCIALL",  14, 0 },
	[CP15_DCIMVAC]  = { "DCIMVAC",   6, 1 },
	[CP15_DCISW]    = { "DCISW",     6, 2 },
	[CP15_DCCSW]    = { "DCCSW",    10, 2 },
	[CP15_DCCISW]   = { "DCCISW",   14, 2 },
	[CP15_ICIALLU]  = { "ICIALLU",   5, 0 },
	[CP15_ICIALLUIS] = { "ICIALLUIS", 1, 0 },
	[CP15_ICIMVAU]  = { "ICIMVAU",   5, 1 },
};

const char *cp15_cache_op_name(enum cp15_cache_op op)
{
	return (unsigned)op < CP15_NR_CACHE_OPS ? cache_ops[op].name : "?";
}

int cp15_cache_op_decode(unsigned crm, unsigned opc2, enum cp15_cache_op *op)
{
	int i = c7_decode(cache_ops, CP15_NR_CACHE_OPS, crm, opc2);
	if (i < 0)
		return -1;
	*op = (enum cp15_cache_op)i;
	return 0;
}

const char *arm_barrier_name(enum arm_barrier b)
{
	static const char *const names[ARM_NR_BARRIERS] = { "DSB", "DMB", "ISB" };
	return (unsigned)b < ARM_NR_BARRIERS ? names[b] : "?";
}

/* Bits [7:4] of a barrier's encoding (both instruction sets): 4 DSB, 5 DMB, 6 ISB. */
static bool barrier_type(unsigned nibble, enum arm_barrier *b)
{
	switch (nibble) {
	case 4: *b = ARM_DSB; return true;
	case 5: *b = ARM_DMB; return true;
	case 6: *b = ARM_ISB; return true;
	default: return false;
	}
}

/* Capstone must decode the candidate as that barrier. */
static bool cs_confirm_barrier(csh h, cs_insn *insn, const uint8_t *p, uint32_t va,
			       enum arm_barrier b)
{
	static const unsigned ids[ARM_NR_BARRIERS] = { ARM_INS_DSB, ARM_INS_DMB, ARM_INS_ISB };
	const uint8_t *code = p;
	size_t left = 4;
	uint64_t addr = va;
	return cs_disasm_iter(h, &code, &left, &addr, insn) && insn->size == 4 &&
	       insn->id == ids[b];
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8); /* guest code is little-endian */
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Capstone 4 register id -> architectural number, -1 if not R0..R15. */
static int cs_gpr_num(unsigned reg)
{
	switch (reg) {
	case ARM_REG_SP: return 13;
	case ARM_REG_LR: return 14;
	case ARM_REG_PC: return 15;
	default:
		if (reg >= ARM_REG_R0 && reg <= ARM_REG_R12)
			return (int)(reg - ARM_REG_R0);
		return -1;
	}
}

/* The fields a bit-pattern match claims; Capstone must agree with all. */
struct mcr_fields {
	unsigned cond; /* 0..14; Thumb: 14 */
	unsigned rt, crn, crm, opc2;
};

/* Capstone 4 presents MCR as six operands: p15 (PIMM), opc1 (IMM), Rt (REG),
 * CRn (CIMM), CRm (CIMM), opc2 (IMM); arm.cc is the condition + 1. */
static bool cs_confirm(csh h, cs_insn *insn, const uint8_t *p, uint32_t va,
		       const struct mcr_fields *f, bool thumb)
{
	const uint8_t *code = p;
	size_t left = 4;
	uint64_t addr = va;
	if (!cs_disasm_iter(h, &code, &left, &addr, insn))
		return false;
	if (insn->id != ARM_INS_MCR || insn->size != 4 || !insn->detail)
		return false;
	const cs_arm *a = &insn->detail->arm;
	if (a->op_count != 6)
		return false;
	const cs_arm_op *o = a->operands;
	if (o[0].type != ARM_OP_PIMM || o[0].imm != 15)
		return false;
	if (o[1].type != ARM_OP_IMM || o[1].imm != 0)
		return false;
	if (o[2].type != ARM_OP_REG || cs_gpr_num(o[2].reg) != (int)f->rt)
		return false;
	if (o[3].type != ARM_OP_CIMM || o[3].imm != (int)f->crn)
		return false;
	if (o[4].type != ARM_OP_CIMM || o[4].imm != (int)f->crm)
		return false;
	if (o[5].type != ARM_OP_IMM || o[5].imm != (int)f->opc2)
		return false;
	/* In Thumb state Capstone decodes one instruction without its IT
	 * context, so it reports AL; the IT condition is found separately. */
	if (!thumb && (unsigned)a->cc != f->cond + 1)
		return false;
	return true;
}

static int sites_push(struct tlbi_sites *s, const struct tlbi_site *site)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct tlbi_site *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = *site;
	return 0;
}

/* Turns confirmed fields into a site, or returns false if CRm/opc2 is not a
 * known operation for that CRn. */
static bool make_site(const struct mcr_fields *f, uint32_t va, bool thumb, struct tlbi_site *site)
{
	memset(site, 0, sizeof(*site));
	site->va = va;
	site->thumb = thumb;
	site->rt = (uint8_t)f->rt;
	site->crn = (uint8_t)f->crn;
	site->crm = (uint8_t)f->crm;
	site->opc2 = (uint8_t)f->opc2;
	site->cond = (uint8_t)f->cond;
	if (f->crn == 8) {
		site->kind = TLBI_SITE_TLBI;
		return tlbi_decode(f->crm, f->opc2, &site->op) == 0;
	}
	if (f->crn != 7) {
		site->kind = TLBI_SITE_CP15_REG;
		return cp15_reg_decode(0, f->crn, f->crm, f->opc2, &site->reg) == 0;
	}
	site->kind = TLBI_SITE_CP15_BARRIER;
	if (cp15_barrier_decode(f->crm, f->opc2, &site->barrier) == 0)
		return true;
	site->kind = TLBI_SITE_CACHE;
	return cp15_cache_op_decode(f->crm, f->opc2, &site->cache) == 0;
}

static bool make_barrier_site(enum arm_barrier b, unsigned cond, uint32_t va, bool thumb,
			      struct tlbi_site *site)
{
	memset(site, 0, sizeof(*site));
	site->va = va;
	site->thumb = thumb;
	site->kind = TLBI_SITE_BARRIER;
	site->insn = b;
	site->cond = (uint8_t)cond;
	return true;
}

/* Capstone 4 keeps Thumb IT-block state in the handle across calls, so an
 * IT decoded here would make the next decodes on the handle (by anyone)
 * conditional.  An IT block covers at most four instructions: decoding four
 * plain 16-bit instructions (MOV r0, r0) runs any leftover block out. */
static void thumb_reset_it(csh h, cs_insn *insn)
{
	static const uint8_t mov_r0_r0[2] = { 0x00, 0x46 };
	for (int i = 0; i < 4; i++) {
		const uint8_t *c = mov_r0_r0;
		size_t left = sizeof(mov_r0_r0);
		uint64_t addr = 0;
		cs_disasm_iter(h, &c, &left, &addr, insn);
	}
}

/* The condition a Thumb instruction at offset `off` gets from an IT block
 * that covers it, or 14 (AL).  An IT instruction (16-bit, 0xbfXY with mask
 * Y != 0) is at most 2 + 3 * 4 = 14 bytes before the instruction; every
 * halfword that looks like one is checked by decoding forward from it with
 * Capstone: it must reach `off` exactly, within the block's length.  The
 * nearest such IT wins.  ITSTATE advance per ARM DDI 0406C A2.5.2. */
static unsigned thumb_it_cond_walk(csh h, cs_insn *insn, const uint8_t *code, uint32_t va,
				   uint32_t off)
{
	for (uint32_t back = 2; back <= 14 && back <= off; back += 2) {
		uint32_t p = off - back;
		uint16_t hw = rd16(code + p);
		if ((hw & 0xff00) != 0xbf00 || (hw & 0x000f) == 0)
			continue;
		unsigned itstate = hw & 0xff; /* firstcond:mask */
		if ((itstate >> 4) == 0xf)
			continue; /* firstcond 1111 is UNPREDICTABLE */
		const uint8_t *c = code + p;
		size_t left = back;
		uint64_t addr = va + p;
		if (!cs_disasm_iter(h, &c, &left, &addr, insn) || insn->id != ARM_INS_IT)
			continue;
		/* Walk the instructions between the IT and `off`, advancing
		 * ITSTATE past each: it ends after an instruction whose
		 * ITSTATE[2:0] is 000. */
		bool in_block = true;
		while (left > 0 && in_block) {
			if (!cs_disasm_iter(h, &c, &left, &addr, insn))
				break;
			if ((itstate & 0x7) == 0)
				in_block = false;
			else
				itstate = (itstate & 0xe0) | ((itstate << 1) & 0x1f);
		}
		if (left == 0 && in_block && addr == (uint64_t)va + off)
			return itstate >> 4;
	}
	return 14;
}

static unsigned thumb_it_cond(csh h, cs_insn *insn, const uint8_t *code, uint32_t va,
			      uint32_t off)
{
	unsigned cond = thumb_it_cond_walk(h, insn, code, va, off);
	thumb_reset_it(h, insn);
	return cond;
}

static int site_cmp(const void *a, const void *b)
{
	const struct tlbi_site *x = a, *y = b;
	if (x->va != y->va)
		return x->va < y->va ? -1 : 1;
	return (int)x->thumb - (int)y->thumb;
}

int tlbi_scan(csh arm, csh thumb, const uint8_t *code, uint32_t va, uint32_t size,
	      unsigned flags, struct tlbi_sites *out)
{
	if (((flags & TLBI_SCAN_ARM) && !arm) || ((flags & TLBI_SCAN_THUMB) && !thumb))
		return -1;
	size_t before = out->n;
	cs_insn *insn_arm = NULL, *insn_thumb = NULL;
	int ret = -1;
	bool barriers_too = (flags & TLBI_SCAN_BARRIERS) != 0;
	bool ordering = (flags & TLBI_SCAN_ORDERING) != 0;
	bool cache_ops = (flags & TLBI_SCAN_CACHE_OPS) != 0;
	bool regs_too = (flags & TLBI_SCAN_CP15_REGS) != 0;
	enum cp15_reg reg;

	if (flags & TLBI_SCAN_ARM) {
		cs_option(arm, CS_OPT_DETAIL, CS_OPT_ON);
		if (!(insn_arm = cs_malloc(arm)))
			goto out;
	}
	if (flags & TLBI_SCAN_THUMB) {
		cs_option(thumb, CS_OPT_DETAIL, CS_OPT_ON);
		if (!(insn_thumb = cs_malloc(thumb)))
			goto out;
	}

	if (flags & TLBI_SCAN_ARM) {
		uint32_t off = (4 - (va & 3)) & 3;
		for (; size >= 4 && off <= size - 4; off += 4) {
			uint32_t w = rd32(code + off);
			enum arm_barrier ab;
			if (ordering && (w & 0xffffff00u) == 0xf57ff000u && barrier_type((w >> 4) & 0xf, &ab)) {
				out->candidates++;
				struct tlbi_site site;
				if (!cs_confirm_barrier(arm, insn_arm, code + off, va + off, ab) ||
				    !make_barrier_site(ab, 14, va + off, false, &site)) {
					out->rejected++;
					continue;
				}
				if (sites_push(out, &site))
					goto out;
				continue;
			}
			/* cond 1110 opc1=000 0 CRn Rt 1111 opc2 1 CRm */
			if ((w & 0x0ff00f10) != 0x0e000f10 || (w >> 28) == 0xf)
				continue;
			unsigned crn = (w >> 16) & 0xf;
			if (crn != 8 && !((barriers_too || ordering || cache_ops) && crn == 7) &&
			    !(regs_too && cp15_reg_decode(0, crn, w & 0xf, (w >> 5) & 7, &reg) == 0))
				continue;
			struct mcr_fields f = {
				.cond = w >> 28, .rt = (w >> 12) & 0xf, .crn = crn,
				.crm = w & 0xf, .opc2 = (w >> 5) & 7,
			};
			/* Other c7 ops (cache maintenance) are not candidates,
			 * but for the D-cache cleans with TLBI_SCAN_ORDERING. */
			enum cp15_barrier b;
			enum cp15_cache_op co;
			enum tlbi_op op;
			if (crn == 7 && !(barriers_too && cp15_barrier_decode(f.crm, f.opc2, &b) == 0) &&
			    !(ordering && (cp15_barrier_decode(f.crm, f.opc2, &b) == 0 ||
					   (cp15_cache_op_decode(f.crm, f.opc2, &co) == 0 &&
					    co <= CP15_DCCIALL))) &&
			    !(cache_ops && cp15_cache_op_decode(f.crm, f.opc2, &co) == 0))
				continue;
			out->candidates++;
			struct tlbi_site site;
			if (crn == 8 && tlbi_decode(f.crm, f.opc2, &op) != 0) {
				out->rejected++;
				continue;
			}
			if (!cs_confirm(arm, insn_arm, code + off, va + off, &f, false) ||
			    !make_site(&f, va + off, false, &site)) {
				out->rejected++;
				continue;
			}
			if (sites_push(out, &site))
				goto out;
		}
	}

	if (flags & TLBI_SCAN_THUMB) {
		thumb_reset_it(thumb, insn_thumb);
		uint32_t off = va & 1;
		for (; size >= 4 && off <= size - 4; off += 2) {
			uint16_t hw1 = rd16(code + off);
			enum arm_barrier ab;
			if (ordering && hw1 == 0xf3bf && (rd16(code + off + 2) & 0xff00) == 0x8f00 &&
			    barrier_type((rd16(code + off + 2) >> 4) & 0xf, &ab)) {
				out->candidates++;
				struct tlbi_site site;
				if (!cs_confirm_barrier(thumb, insn_thumb, code + off, va + off, ab)) {
					out->rejected++;
					continue;
				}
				unsigned cond = thumb_it_cond(thumb, insn_thumb, code, va, off);
				make_barrier_site(ab, cond, va + off, true, &site);
				if (sites_push(out, &site))
					goto out;
				continue;
			}
			/* 1110 1110 opc1=000 0 CRn */
			if ((hw1 & 0xfff0) != 0xee00)
				continue;
			unsigned crn = hw1 & 0xf;
			uint16_t hw2 = rd16(code + off + 2);
			/* Rt 1111 opc2 1 CRm */
			if ((hw2 & 0x0f10) != 0x0f10)
				continue;
			if (crn != 8 && !((barriers_too || ordering || cache_ops) && crn == 7) &&
			    !(regs_too && cp15_reg_decode(0, crn, hw2 & 0xf, (hw2 >> 5) & 7, &reg) == 0))
				continue;
			struct mcr_fields f = {
				.cond = 14, .rt = hw2 >> 12, .crn = crn,
				.crm = hw2 & 0xf, .opc2 = (hw2 >> 5) & 7,
			};
			enum cp15_barrier b;
			enum cp15_cache_op co;
			enum tlbi_op op;
			if (crn == 7 && !(barriers_too && cp15_barrier_decode(f.crm, f.opc2, &b) == 0) &&
			    !(ordering && (cp15_barrier_decode(f.crm, f.opc2, &b) == 0 ||
					   (cp15_cache_op_decode(f.crm, f.opc2, &co) == 0 &&
					    co <= CP15_DCCIALL))) &&
			    !(cache_ops && cp15_cache_op_decode(f.crm, f.opc2, &co) == 0))
				continue;
			out->candidates++;
			struct tlbi_site site;
			if (crn == 8 && tlbi_decode(f.crm, f.opc2, &op) != 0) {
				out->rejected++;
				continue;
			}
			if (!cs_confirm(thumb, insn_thumb, code + off, va + off, &f, true)) {
				out->rejected++;
				continue;
			}
			f.cond = thumb_it_cond(thumb, insn_thumb, code, va, off);
			if (!make_site(&f, va + off, true, &site)) {
				out->rejected++;
				continue;
			}
			if (sites_push(out, &site))
				goto out;
		}
	}

	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), site_cmp);
	ret = (int)(out->n - before);
out:
	if (insn_arm)
		cs_free(insn_arm, 1);
	if (insn_thumb)
		cs_free(insn_thumb, 1);
	return ret;
}

void tlbi_sites_free(struct tlbi_sites *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

const struct tlbi_site *tlbi_sites_find(const struct tlbi_sites *s, uint32_t va, bool thumb)
{
	struct tlbi_site key = { .va = va, .thumb = thumb };
	if (!s->n)
		return NULL;
	return bsearch(&key, s->v, s->n, sizeof(*s->v), site_cmp);
}

bool tlbi_cond_passed(unsigned cond, uint32_t cpsr)
{
	bool n = cpsr >> 31 & 1, z = cpsr >> 30 & 1, c = cpsr >> 29 & 1, v = cpsr >> 28 & 1;
	bool r;
	switch (cond >> 1) {
	case 0: r = z; break;            /* EQ / NE */
	case 1: r = c; break;            /* CS / CC */
	case 2: r = n; break;            /* MI / PL */
	case 3: r = v; break;            /* VS / VC */
	case 4: r = c && !z; break;      /* HI / LS */
	case 5: r = n == v; break;       /* GE / LT */
	case 6: r = n == v && !z; break; /* GT / LE */
	default: return true;            /* AL (and 1111, unconditional) */
	}
	return (cond & 1) ? !r : r;
}

bool tlbi_site_should_apply(const struct tlbi_site *s, uint32_t cpsr)
{
	bool t = (cpsr >> 5) & 1;
	return t == s->thumb && tlbi_cond_passed(s->cond, cpsr);
}
