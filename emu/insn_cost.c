/* SPDX-License-Identifier: MIT */
/* Per-core instruction costs and the per-block cost cache (see insn_cost.h).
 *
 * Sources, abbreviated in the comments below:
 *   [1176]  ARM1176JZF-S Technical Reference Manual, ARM DDI 0301H, chapter 16
 *           "Cycle Timings and Interlock Behavior".
 *   [A9]    Cortex-A9 Technical Reference Manual, ARM DDI 0388I, appendix B
 *           "Cycle Timings and Interlock Behavior".
 *   [gccA7] GCC gcc/config/arm/cortex-a7.md (pipeline description
 *           "Contributed by ARM Ltd.").
 *   [gccA9] GCC gcc/config/arm/cortex-a9.md ("Integer Pipeline description
 *           contributed by ARM Ltd.").
 *   [gccA15] GCC gcc/config/arm/cortex-a15.md (written at ARM Ltd.).
 *   [R7]    Cortex-R7 TRM, ARM DDI 0458, A.6.1 "Serializing instructions".
 * ARM publishes no instruction timing tables for Cortex-A7 or Cortex-A15;
 * their numbers come from ARM's own contributions to GCC's scheduler, which
 * describe issue-unit occupancy, and are marked ASSUMPTION where they go
 * beyond that.  docs/instruction-costs.md has the reasoning in full. */
#include "insn_cost.h"
#include "insn_mem.h"
#include "load_use.h"

#include <stdlib.h>
#include <string.h>

/* ---- the tables ------------------------------------------------------- */

static const struct insn_costs costs_arm1176 = {
	.core = "arm1176",
	.alu = 1,           /* [1176] Table 16-4: ADD Rd, Rn, Rm{, LSL #imm}: 1 cycle */
	.alu_shift_reg = 2, /* [1176] Table 16-4: ADD Rd, Rn, Rm, LSL Rs: 2 issue cycles */
	.mul = 2,           /* [1176] Table 16-10: MUL, MLA: 2 cycles */
	.mul_long = 3,      /* [1176] Table 16-10: SMULL, UMULL, SMLAL, UMLAL: 3 cycles */
	.mul_setflags = 3,  /* [1176] Table 16-10: MULS 5 (2 + 3), SMULLS 6 (3 + 3) */
	.div = 1,           /* ARMv6 has no SDIV/UDIV (UNDEFINED); never a real cost */
	.load = 1,          /* [1176] 16.10: single-cycle issue with an immediate offset or
			     * a register offset unshifted or LSL #2 (the common forms) */
	.store = 1,         /* [1176] 16.10: as loads */
	.lsm_base = 0,      /* [1176] 16.12, Table 16-18: one issue cycle, then two */
	.lsm_words_per_cycle = 2, /* registers per memory cycle on the 64-bit datapath
				   * (LDMIA {R1-R7}: 4 memory cycles), aligned base */
	.branch = 1,        /* [1176] Table 16-11: B/BL/BLX <immed>, not-folded dynamic
			     * prediction: 1 (folded predicted branches, 0, not credited) */
	.branch_indirect = 4, /* [1176] Table 16-11: BX R14 with a correct return-stack
			       * prediction: 4; Table 16-5: MOV pc, lr: 4;
			       * Table 16-19: LDMIA sp!, {...,pc} predicted: 4 */
	.vfp = 1,           /* ASSUMPTION: VFP11 issues one instruction per cycle; its
			     * timings (VFP11 TRM) were not consulted; nofp guests */
	.dmb = 1,           /* ASSUMPTION; ARMv6 has no DMB instruction (CP15 c7, c10, 5) */
	.dsb = 8,           /* = mm/core.c arm1176 core_costs.dsb/.isb (ASSUMPTIONs there); */
	.isb = 8,           /* ARMv6 has no DSB/ISB instructions, only the CP15 c7 forms */
	.mcr = 1,           /* ASSUMPTION: the coprocessor timings of [1176] ch. 16 are */
	.mrc = 1,           /* not in the stored sources; in-order: one issue cycle */
};

static const struct insn_costs costs_cortex_a7 = {
	.core = "cortex-a7",
	.alu = 1,           /* [gccA7] cortex_a7_alu_imm/_reg: one cycle of ex1 or ex2
			     * (dual issue not credited) */
	.alu_shift_reg = 1, /* [gccA7] cortex_a7_alu_shift: one cycle of ex1 */
	.mul = 1,           /* [gccA7] cortex_a7_mul: both pipes for one cycle */
	.mul_long = 1,      /* [gccA7] mul64 uses the same reservation; ASSUMPTION */
	.mul_setflags = 0,  /* ASSUMPTION: [gccA7] makes no difference */
	.div = 5,           /* [gccA7] cortex_a7_idiv: both pipes * 5, "an estimate" as
			     * the latency depends on the operands */
	.load = 1,          /* [gccA7] cortex_a7_load1: one cycle of ex1 */
	.store = 1,         /* [gccA7] cortex_a7_store1: one cycle of ex1 */
	.lsm_base = 0,      /* [gccA7] load2/store2 one cycle, load3/4 and store3/4 */
	.lsm_words_per_cycle = 2, /* two cycles: two words a cycle */
	.branch = 1,        /* ASSUMPTION: [gccA7] cortex_a7_branch takes an issue slot,
			     * no latency; taken and correctly predicted */
	.branch_indirect = 1, /* ASSUMPTION: return stack / indirect predictor correct */
	.vfp = 1,           /* ASSUMPTION: [gccA7] cortex_a7_fpalu occupies ex1 one cycle */
	.dmb = 1,           /* ASSUMPTION: in order, no store buffer modelled */
	.dsb = 10,          /* = mm/core.c cortex-a7 core_costs.dsb (ASSUMPTION there) */
	.isb = 8,           /* = mm/core.c cortex-a7 core_costs.isb (ASSUMPTION there) */
	.mcr = 1,           /* ASSUMPTION: in order, no serialization beyond issue */
	.mrc = 1,           /* ASSUMPTION: as mcr */
};

static const struct insn_costs costs_cortex_a9 = {
	.core = "cortex-a9",
	.alu = 1,           /* [gccA9] cortex_a9_dp: one E2 cycle in P0 or P1 */
	.alu_shift_reg = 1, /* [gccA9] cortex_a9_dp_shift: E1 then E2, pipelined */
	.mul = 2,           /* [gccA9] cortex_a9_mult / _mac: MAC M1 for 2 cycles */
	.mul_long = 3,      /* [gccA9] cortex_a9_mult_long: MAC M1 for 3 cycles */
	.mul_setflags = 0,  /* ASSUMPTION: [gccA9] makes no difference */
	.div = 1,           /* Cortex-A9 has no integer divide (SDIV/UDIV UNDEFINED) */
	.load = 1,          /* [A9] Table B-2: LDR with immediate or register offset:
			     * 1 AGU cycle (LDRB/LDRH take 2: not distinguished) */
	.store = 1,         /* ASSUMPTION: one AGU cycle as loads */
	.lsm_base = 0,      /* [A9] Table B-3: LDM of n registers from a 64-bit */
	.lsm_words_per_cycle = 2, /* aligned address: ceil(n / 2) AGU cycles */
	.branch = 1,        /* ASSUMPTION: [gccA9] cortex_a9_branch, one slot; predicted */
	.branch_indirect = 1, /* ASSUMPTION: return stack / BTAC prediction correct */
	.vfp = 1,           /* ASSUMPTION: [gccA9] VFP ops take the VFP/NEON issue slot
			     * one cycle */
	.dmb = 1,           /* ASSUMPTION */
	.dsb = 10,          /* = mm/core.c cortex-a9 core_costs.dsb (ASSUMPTION there) */
	.isb = 8,           /* = mm/core.c cortex-a9 core_costs.isb (ASSUMPTION there) */
	.mcr = 8,           /* ASSUMPTION: CP15 MCRs serialize an out-of-order-completion
			     * core ([R7]: "all MCR to CP14 or CP15 except ISB and DMB"
			     * are serializing); a drain of the 8-stage pipeline, the
			     * same as isb */
	.mrc = 1,           /* ASSUMPTION: MRC p15 is not serializing ([R7]) */
};

static const struct insn_costs costs_cortex_a15 = {
	.core = "cortex-a15",
	.alu = 1,           /* [gccA15] cortex_a15_alu: one issue slot, one SX cycle
			     * (triple issue not credited) */
	.alu_shift_reg = 2, /* [gccA15] cortex_a15_alu_shift_reg: two issue slots */
	.mul = 1,           /* [gccA15] cortex_a15_mult32: one MX cycle */
	.mul_long = 2,      /* [gccA15] cortex_a15_mult64: MX for 2 cycles */
	.mul_setflags = 0,  /* ASSUMPTION: [gccA15] makes no difference */
	.div = 10,          /* [gccA15] udiv latency 9, sdiv 10; ASSUMPTION: charged at
			     * the (larger) latency, the divider being iterative and its
			     * result wanted at once */
	.load = 1,          /* [gccA15] cortex_a15_load1: one issue slot, one LS cycle */
	.store = 1,         /* [gccA15] cortex_a15_store1: as loads */
	.lsm_base = 0,      /* [gccA15] load3/store3: 3-4 words in two LS cycles */
	.lsm_words_per_cycle = 2,
	.branch = 1,        /* [gccA15] cortex_a15_branch: one issue slot; predicted */
	.branch_indirect = 1, /* ASSUMPTION: predicted */
	.vfp = 1,           /* ASSUMPTION: one issue slot */
	.dmb = 1,           /* ASSUMPTION */
	.dsb = 20,          /* = mm/core.c cortex-a15 core_costs.dsb (ASSUMPTION there) */
	.isb = 15,          /* = mm/core.c cortex-a15 core_costs.isb (ASSUMPTION there) */
	.mcr = 15,          /* ASSUMPTION: serializing, as cortex-a9; a drain of the
			     * 15-stage integer pipeline, the same as isb */
	.mrc = 1,           /* ASSUMPTION: as cortex-a9 */
};

const struct insn_costs *const insn_costs_tables[] = {
	&costs_cortex_a7, &costs_arm1176, &costs_cortex_a9, &costs_cortex_a15, NULL,
};

const struct insn_costs *insn_costs_find(const char *core)
{
	for (const struct insn_costs *const *t = insn_costs_tables; *t; t++)
		if (strcmp((*t)->core, core) == 0)
			return *t;
	return NULL;
}

void insn_costs_with_core(struct insn_costs *out, const struct insn_costs *base,
			  const struct core_costs *cc)
{
	*out = *base;
	if (cc) {
		out->dsb = cc->dsb;
		out->isb = cc->isb;
	}
}

/* ---- classification --------------------------------------------------- */

/* Words a register in a list transfers. */
static unsigned reg_words(unsigned reg)
{
	if (reg >= ARM_REG_D0 && reg <= ARM_REG_D31)
		return 2;
	if (reg >= ARM_REG_Q0 && reg <= ARM_REG_Q15)
		return 4;
	return 1;
}

static bool has_group(const cs_insn *insn, uint8_t g)
{
	for (unsigned i = 0; i < insn->detail->groups_count; i++)
		if (insn->detail->groups[i] == g)
			return true;
	return false;
}

static bool writes_pc(const cs_arm *a)
{
	for (unsigned i = 0; i < a->op_count; i++)
		if (a->operands[i].type == ARM_OP_REG && a->operands[i].reg == ARM_REG_PC &&
		    (a->operands[i].access & CS_AC_WRITE))
			return true;
	return false;
}

static bool reg_shifted(const cs_arm *a)
{
	for (unsigned i = 0; i < a->op_count; i++)
		if (a->operands[i].shift.type >= ARM_SFT_ASR_REG)
			return true;
	return false;
}

/* Words moved by a load/store-multiple; `skip_base` skips operand 0. */
static unsigned list_words(const cs_arm *a, bool skip_base)
{
	unsigned w = 0;
	for (unsigned i = skip_base ? 1 : 0; i < a->op_count; i++)
		if (a->operands[i].type == ARM_OP_REG)
			w += reg_words(a->operands[i].reg);
	return w;
}

static unsigned lsm_cost(const struct insn_costs *c, unsigned words)
{
	unsigned per = c->lsm_words_per_cycle ? c->lsm_words_per_cycle : 1;
	unsigned cyc = c->lsm_base + (words + per - 1) / per;
	return cyc ? cyc : 1;
}

unsigned insn_cost_one(const struct insn_costs *c, const cs_insn *insn)
{
	if (!insn->detail)
		return c->alu;
	const cs_arm *a = &insn->detail->arm;
	unsigned cost;
	bool indirect = false;

	switch (insn->id) {
	/* branches */
	case ARM_INS_B: case ARM_INS_BL: case ARM_INS_CBZ: case ARM_INS_CBNZ:
		return c->branch;
	case ARM_INS_BLX:
		if (a->op_count && a->operands[0].type == ARM_OP_IMM)
			return c->branch;
		return c->branch_indirect;
	case ARM_INS_BX: case ARM_INS_BXJ:
		return c->branch_indirect;
	case ARM_INS_TBB: case ARM_INS_TBH:
		cost = c->load; /* a table load, then the branch */
		indirect = true;
		break;

	/* multiplies */
	case ARM_INS_MUL: case ARM_INS_MLA: case ARM_INS_MLS:
	case ARM_INS_SMULBB: case ARM_INS_SMULBT: case ARM_INS_SMULTB: case ARM_INS_SMULTT:
	case ARM_INS_SMULWB: case ARM_INS_SMULWT:
	case ARM_INS_SMLABB: case ARM_INS_SMLABT: case ARM_INS_SMLATB: case ARM_INS_SMLATT:
	case ARM_INS_SMLAWB: case ARM_INS_SMLAWT:
	case ARM_INS_SMUAD: case ARM_INS_SMUADX: case ARM_INS_SMUSD: case ARM_INS_SMUSDX:
	case ARM_INS_SMLAD: case ARM_INS_SMLADX: case ARM_INS_SMLSD: case ARM_INS_SMLSDX:
	case ARM_INS_SMMUL: case ARM_INS_SMMULR: case ARM_INS_SMMLA: case ARM_INS_SMMLAR:
	case ARM_INS_SMMLS: case ARM_INS_SMMLSR:
		return c->mul + (a->update_flags ? c->mul_setflags : 0);
	case ARM_INS_UMULL: case ARM_INS_SMULL: case ARM_INS_UMLAL: case ARM_INS_SMLAL:
	case ARM_INS_UMAAL:
	case ARM_INS_SMLALBB: case ARM_INS_SMLALBT: case ARM_INS_SMLALTB: case ARM_INS_SMLALTT:
	case ARM_INS_SMLALD: case ARM_INS_SMLALDX: case ARM_INS_SMLSLD: case ARM_INS_SMLSLDX:
		return c->mul_long + (a->update_flags ? c->mul_setflags : 0);
	case ARM_INS_SDIV: case ARM_INS_UDIV:
		return c->div;

	/* single loads and stores */
	case ARM_INS_LDR: case ARM_INS_LDRB: case ARM_INS_LDRH: case ARM_INS_LDRSB:
	case ARM_INS_LDRSH: case ARM_INS_LDRD: case ARM_INS_LDRT: case ARM_INS_LDRBT:
	case ARM_INS_LDRHT: case ARM_INS_LDRSBT: case ARM_INS_LDRSHT:
	case ARM_INS_LDREX: case ARM_INS_LDREXB: case ARM_INS_LDREXH: case ARM_INS_LDREXD:
	case ARM_INS_LDA: case ARM_INS_LDAB: case ARM_INS_LDAH:
	case ARM_INS_LDAEX: case ARM_INS_LDAEXB: case ARM_INS_LDAEXH: case ARM_INS_LDAEXD:
	case ARM_INS_PLD: case ARM_INS_PLDW: case ARM_INS_PLI:
	case ARM_INS_VLDR:
	case ARM_INS_LDC: case ARM_INS_LDCL: case ARM_INS_LDC2: case ARM_INS_LDC2L:
		cost = c->load;
		indirect = writes_pc(a);
		break;
	case ARM_INS_STR: case ARM_INS_STRB: case ARM_INS_STRH: case ARM_INS_STRD:
	case ARM_INS_STRT: case ARM_INS_STRBT: case ARM_INS_STRHT:
	case ARM_INS_STREX: case ARM_INS_STREXB: case ARM_INS_STREXH: case ARM_INS_STREXD:
	case ARM_INS_STL: case ARM_INS_STLB: case ARM_INS_STLH:
	case ARM_INS_STLEX: case ARM_INS_STLEXB: case ARM_INS_STLEXH: case ARM_INS_STLEXD:
	case ARM_INS_VSTR:
	case ARM_INS_STC: case ARM_INS_STCL: case ARM_INS_STC2: case ARM_INS_STC2L:
		return c->store;
	case ARM_INS_SWP: case ARM_INS_SWPB:
		return c->load + c->store;

	/* load/store multiple: operand 0 is the base for LDM/STM/VLDM/VSTM;
	 * PUSH/POP/VPUSH/VPOP list only registers; VLDn/VSTn list the
	 * registers then a memory operand. */
	case ARM_INS_LDM: case ARM_INS_LDMDA: case ARM_INS_LDMDB: case ARM_INS_LDMIB:
	case ARM_INS_STM: case ARM_INS_STMDA: case ARM_INS_STMDB: case ARM_INS_STMIB:
	case ARM_INS_VLDMIA: case ARM_INS_VLDMDB: case ARM_INS_VSTMIA: case ARM_INS_VSTMDB:
	case ARM_INS_FLDMDBX: case ARM_INS_FLDMIAX: case ARM_INS_FSTMDBX: case ARM_INS_FSTMIAX:
		cost = lsm_cost(c, list_words(a, true));
		indirect = writes_pc(a);
		break;
	case ARM_INS_PUSH: case ARM_INS_POP: case ARM_INS_VPUSH: case ARM_INS_VPOP:
	case ARM_INS_VLD1: case ARM_INS_VLD2: case ARM_INS_VLD3: case ARM_INS_VLD4:
	case ARM_INS_VST1: case ARM_INS_VST2: case ARM_INS_VST3: case ARM_INS_VST4:
		cost = lsm_cost(c, list_words(a, false));
		indirect = writes_pc(a);
		break;

	/* barriers and coprocessor transfers */
	case ARM_INS_DMB:
		return c->dmb;
	case ARM_INS_DSB:
		return c->dsb;
	case ARM_INS_ISB:
		return c->isb;
	case ARM_INS_MCR: case ARM_INS_MCR2: case ARM_INS_MCRR: case ARM_INS_MCRR2:
	case ARM_INS_CDP: case ARM_INS_CDP2:
		return c->mcr;
	case ARM_INS_MRC: case ARM_INS_MRC2: case ARM_INS_MRRC: case ARM_INS_MRRC2:
		return c->mrc;

	default:
		if (has_group(insn, ARM_GRP_VFP2) || has_group(insn, ARM_GRP_VFP3) ||
		    has_group(insn, ARM_GRP_VFP4) || has_group(insn, ARM_GRP_NEON) ||
		    has_group(insn, ARM_GRP_FPARMV8) || has_group(insn, ARM_GRP_DPVFP)) {
			cost = c->vfp;
			break;
		}
		/* Data processing (and everything else: system, hints, IT).
		 * Thumb LSL/LSR/ASR/ROR Rd, Rn, Rm are register-shifted moves. */
		cost = c->alu;
		if (reg_shifted(a) ||
		    ((insn->id == ARM_INS_LSL || insn->id == ARM_INS_LSR ||
		      insn->id == ARM_INS_ASR || insn->id == ARM_INS_ROR) &&
		     a->op_count == 3 && a->operands[2].type == ARM_OP_REG))
			cost = c->alu_shift_reg;
		indirect = writes_pc(a);
		break;
	}
	if (indirect && cost < c->branch_indirect)
		cost = c->branch_indirect;
	return cost;
}

/* ---- the block cache -------------------------------------------------- */

struct block_cost_entry {
	uint32_t va, size;
	bool used, thumb;
	struct block_cost cost;
};

static size_t hash_key(uint32_t va, uint32_t size, bool thumb)
{
	uint64_t k = ((uint64_t)va << 1 | thumb) ^ ((uint64_t)size << 33);
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL; /* splitmix/murmur finalizer */
	k ^= k >> 33;
	return (size_t)k;
}

static struct block_cost_entry *find_slot(const struct block_cost_cache *cache, uint32_t va,
					  uint32_t size, bool thumb)
{
	size_t mask = cache->cap - 1;
	for (size_t i = hash_key(va, size, thumb) & mask;; i = (i + 1) & mask) {
		struct block_cost_entry *e = &cache->slots[i];
		if (!e->used || (e->va == va && e->size == size && e->thumb == thumb))
			return e;
	}
}

bool block_cost_lookup(const struct block_cost_cache *cache, uint32_t va, uint32_t size,
		       bool thumb, struct block_cost *out)
{
	if (!cache->cap)
		return false;
	const struct block_cost_entry *e = find_slot(cache, va, size, thumb);
	if (!e->used)
		return false;
	*out = e->cost;
	return true;
}

static int cache_grow(struct block_cost_cache *cache)
{
	size_t cap = cache->cap ? cache->cap * 2 : 1024;
	struct block_cost_entry *old = cache->slots;
	size_t old_cap = cache->cap;
	struct block_cost_entry *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -1;
	cache->slots = slots;
	cache->cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].used)
			*find_slot(cache, old[i].va, old[i].size, old[i].thumb) = old[i];
	free(old);
	return 0;
}

static int cache_insert(struct block_cost_cache *cache, uint32_t va, uint32_t size, bool thumb,
			const struct block_cost *cost)
{
	if ((cache->n + 1) * 2 > cache->cap && cache_grow(cache))
		return -1;
	struct block_cost_entry *e = find_slot(cache, va, size, thumb);
	if (!e->used)
		cache->n++;
	*e = (struct block_cost_entry){ .va = va, .size = size, .used = true, .thumb = thumb,
					.cost = *cost };
	return 0;
}

void block_cost_cache_clear(struct block_cost_cache *cache)
{
	if (cache->slots)
		memset(cache->slots, 0, cache->cap * sizeof(*cache->slots));
	cache->n = 0;
}

void block_cost_cache_free(struct block_cost_cache *cache)
{
	free(cache->slots);
	memset(cache, 0, sizeof(*cache));
}

/* Capstone 4 keeps Thumb IT-block state in the handle across calls: a block
 * decoded after one that ended inside an IT block (or after the tlbi scan)
 * would start "inside" it, and e.g. a 16-bit MULS would decode as a
 * non-flag-setting MUL.  An IT block covers at most four instructions:
 * decoding four plain 16-bit instructions (MOV r0, r0) runs it out.  (A
 * translated block that really starts inside an IT block is therefore
 * decoded as if outside it; its costs differ at most by mul_setflags.) */
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

static int decode_block(csh h, const uint8_t *code, uint32_t va, uint32_t size, bool thumb,
			const struct insn_costs *costs, struct block_cost *out)
{
	memset(out, 0, sizeof(*out));
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	cs_insn *insn = cs_malloc(h);
	if (!insn)
		return -1;
	static struct load_use_block lu; /* --model cache's interlocks; one decode at a time */
	load_use_begin(&lu, va);
	if (thumb)
		thumb_reset_it(h, insn);
	const uint8_t *p = code;
	size_t left = size;
	uint64_t addr = va;
	struct insn_mem_scan scan = { .c.exit_cond = INSN_MEM_NO_EXIT };
	while (left > 0) {
		if (cs_disasm_iter(h, &p, &left, &addr, insn)) {
			unsigned mem = insn_mem_accesses(insn);
			unsigned cost = insn_cost_one(costs, insn);
			out->insns++;
			out->cycles += cost;
			out->mem += mem;
			insn_mem_note(&scan, insn, mem);
			if (costs->load_use)
				load_use_note(&lu, h, insn, cost);
			continue;
		}
		/* Undecodable: step one unit and charge it as an ALU op. */
		size_t unit = thumb ? 2 : 4;
		if (unit > left)
			unit = left;
		p += unit;
		left -= unit;
		addr += unit;
		out->insns++;
		out->undecoded++;
		out->cycles += costs->alu;
		insn_mem_note_unknown(&scan);
		if (costs->load_use)
			load_use_note_unknown(&lu, costs->alu);
	}
	insn_mem_done(&scan, &out->conds);
	if (costs->load_use)
		out->cycles += load_use_stalls(&lu, costs->load_use);
	if (thumb)
		thumb_reset_it(h, insn);
	cs_free(insn, 1);
	return 0;
}

int block_cost(struct block_cost_cache *cache, csh handle_arm, csh handle_thumb,
	       const uint8_t *code, uint32_t va, uint32_t size, bool thumb,
	       const struct insn_costs *costs, struct block_cost *out)
{
	if (cache->costs != costs) {
		block_cost_cache_clear(cache);
		cache->costs = costs;
	}
	if (block_cost_lookup(cache, va, size, thumb, out)) {
		cache->hits++;
		return 0;
	}
	cache->misses++;
	csh h = thumb ? handle_thumb : handle_arm;
	if (!code || !h)
		return -1;
	if (decode_block(h, code, va, size, thumb, costs, out))
		return -1;
	return cache_insert(cache, va, size, thumb, out);
}
