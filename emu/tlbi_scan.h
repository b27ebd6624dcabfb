/* SPDX-License-Identifier: MIT */
/* The Capstone pre-scan for guest-executed CP15 maintenance instructions.
 *
 * Unicorn 2.0.1 never fires UC_HOOK_INSN for ARM32 (DESIGN.md), so the
 * emulator finds every TLB-maintenance MCR in the guest's code before it
 * runs and puts a single-address UC_HOOK_CODE hook on each.  Guests are
 * mixed ARM/Thumb (newlib is Thumb-2 even in a -marm program), so the scan
 * decodes both instruction sets over the same bytes:
 *
 *   ARM   (A1, ARM DDI 0406C A8.8.99 MCR): every 4-byte aligned word
 *         cond 1110 opc1:3 0 CRn Rt 1111 opc2:3 1 CRm, cond != 1111
 *         with opc1 = 0 and CRn = c8:  (w & 0x0fff0f10) == 0x0e080f10
 *   Thumb (T1, 32-bit, any 2-byte alignment): hw1 = 1110 1110 opc1:3 0 CRn,
 *         hw2 = Rt 1111 opc2:3 1 CRm
 *         with opc1 = 0 and CRn = c8:  hw1 == 0xee08, (hw2 & 0x0f10) == 0x0f10
 *
 * Each bit-pattern candidate is confirmed by Capstone (the instruction must
 * decode as MCR p15, #0, Rt, c8, CRm, #opc2 with the same fields) and then
 * by tlbi_decode().  With TLBI_SCAN_BARRIERS the same is done for CRn = c7
 * and the CP15 barrier / branch-predictor operations listed in enum
 * cp15_barrier, and with TLBI_SCAN_CP15_REGS for the translation registers of
 * mm/cp15.h (SCTLR c1, TTBR0/TTBR1/TTBCR c2, DACR c3, CONTEXTIDR c13).
 *
 * False positives are harmless but real: a literal-pool word, data in a
 * code segment, or the middle of another instruction (an ARM word whose
 * high half is 0xee08 is a Thumb hw1 at +2; the second halfword of a
 * Thumb-2 instruction can equal 0xee08) all decode as a valid MCR.  A hook
 * on data never fires; a hook on an address where an instruction of the
 * *other* instruction set starts does fire, so the hook must check that the
 * CPU is in the site's state (and that the condition passes) before acting:
 * tlbi_site_should_apply() does both.  A false positive then costs only the
 * hook call. */
#ifndef KMAPLAB_EMU_TLBI_SCAN_H
#define KMAPLAB_EMU_TLBI_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <capstone/capstone.h>

#include "cp15.h"
#include "tlbi.h"

enum tlbi_site_kind {
	TLBI_SITE_TLBI,         /* MCR p15, 0, Rt, c8, ... : site->op */
	TLBI_SITE_CP15_BARRIER, /* MCR p15, 0, Rt, c7, ... : site->barrier */
	TLBI_SITE_BARRIER,      /* DMB, DSB, ISB (ARMv7 instructions): site->insn */
	TLBI_SITE_CACHE,        /* MCR p15, 0, Rt, c7, ... D-cache clean: site->cache */
	TLBI_SITE_CP15_REG,     /* a write to SCTLR, TTBR0/1, TTBCR, DACR or
				 * CONTEXTIDR (mm/cp15.h): site->reg */
};

/* The ARMv7 barrier instructions (ARM DDI 0406C A8.8.43 DMB, A8.8.44 DSB,
 * A8.8.53 ISB): ARM 0xf57ff04X DSB, 0xf57ff05X DMB, 0xf57ff06X ISB (X the
 * option); Thumb hw1 0xf3bf, hw2 0x8f4X / 0x8f5X / 0x8f6X. */
enum arm_barrier { ARM_DSB, ARM_DMB, ARM_ISB, ARM_NR_BARRIERS };
const char *arm_barrier_name(enum arm_barrier b);

/* CP15 c7 data-cache cleans by MVA and (ARMv6) of the whole cache (ARM DDI
 * 0406C, VMSA CP15 c7 register summary; ARM1176JZF-S TRM 3.2.22): what
 * makes a descriptor store visible to a walker that does not read the L1
 * data cache.  Rt is the MVA for the by-MVA forms. */
enum cp15_cache_op {
	CP15_DCCMVAC,  /* c7, c10, 1: clean by MVA to PoC */
	CP15_DCCMVAU,  /* c7, c11, 1: clean by MVA to PoU */
	CP15_DCCIMVAC, /* c7, c14, 1: clean and invalidate by MVA to PoC */
	CP15_DCCALL,   /* c7, c10, 0: ARMv6 clean entire data cache */
	CP15_DCCIALL,  /* c7, c14, 0: ARMv6 clean and invalidate entire data cache */
	/* Found for the cache model only (TLBI_SCAN_CACHE_OPS; the ones above,
	 * the D-cache cleans, also with TLBI_SCAN_ORDERING), DDI 0406C B4.2.1: */
	CP15_DCIMVAC,  /* c7, c6, 1: invalidate by MVA to PoC */
	CP15_DCISW,    /* c7, c6, 2: invalidate by set/way */
	CP15_DCCSW,    /* c7, c10, 2: clean by set/way */
	CP15_DCCISW,   /* c7, c14, 2: clean and invalidate by set/way */
	CP15_ICIALLU,  /* c7, c5, 0: invalidate all instruction caches to PoU */
	CP15_ICIALLUIS, /* c7, c1, 0: the same, Inner Shareable */
	CP15_ICIMVAU,  /* c7, c5, 1: invalidate instruction cache line by MVA to PoU */
	CP15_NR_CACHE_OPS
};
const char *cp15_cache_op_name(enum cp15_cache_op op);
int cp15_cache_op_decode(unsigned crm, unsigned opc2, enum cp15_cache_op *op);

/* CP15 c7 barrier-type operations (ARM DDI 0406C, VMSA CP15 c7 register
 * summary; the c7 barriers are the ARMv6 forms, deprecated in v7 but still
 * executed, e.g. by ARM1176 code). */
enum cp15_barrier {
	CP15_BPIALLIS, /* c7, c1, 6: branch predictor invalidate all, IS */
	CP15_BPIALL,   /* c7, c5, 6: branch predictor invalidate all */
	CP15_BPIMVA,   /* c7, c5, 7: branch predictor invalidate by MVA */
	CP15_ISB,      /* c7, c5, 4: CP15ISB (legacy "flush prefetch buffer") */
	CP15_DSB,      /* c7, c10, 4: CP15DSB (legacy "drain write buffer") */
	CP15_DMB,      /* c7, c10, 5: CP15DMB */
	CP15_NR_BARRIERS
};

const char *cp15_barrier_name(enum cp15_barrier b);
/* Decodes CRm/opc2 of MCR p15, 0, Rt, c7, CRm, opc2; 0 or -1. */
int cp15_barrier_decode(unsigned crm, unsigned opc2, enum cp15_barrier *b);

struct tlbi_site {
	uint32_t va;       /* guest VA of the MCR (no Thumb bit) */
	bool thumb;        /* found as a Thumb-2 instruction */
	uint8_t kind;      /* enum tlbi_site_kind */
	uint8_t rt;        /* Rt, 0..15 */
	uint8_t crn;       /* 8, 7 or 13 */
	uint8_t crm;
	uint8_t opc2;
	uint8_t cond;      /* 0..14 (14 = AL).  ARM: the cond field.  Thumb: the
			    * condition of the enclosing IT block found by
			    * decoding back from the site, else 14 */
	enum tlbi_op op;           /* kind == TLBI_SITE_TLBI */
	enum cp15_barrier barrier; /* kind == TLBI_SITE_CP15_BARRIER */
	enum arm_barrier insn;     /* kind == TLBI_SITE_BARRIER */
	enum cp15_cache_op cache;  /* kind == TLBI_SITE_CACHE */
	enum cp15_reg reg;         /* kind == TLBI_SITE_CP15_REG */
};

struct tlbi_sites {
	struct tlbi_site *v; /* sorted by (va, thumb) */
	size_t n, cap;
	size_t candidates;   /* bit-pattern matches tried, this and earlier scans */
	size_t rejected;     /* candidates Capstone or the decoders refused */
};

#define TLBI_SCAN_ARM      1u /* scan 4-byte aligned words as ARM */
#define TLBI_SCAN_THUMB    2u /* scan 2-byte aligned halfwords as Thumb-2 */
#define TLBI_SCAN_BARRIERS 4u /* also find the CP15 c7 barrier operations */
#define TLBI_SCAN_ORDERING 8u /* also DMB/DSB/ISB and the c7 D-cache cleans */
#define TLBI_SCAN_ALL      (TLBI_SCAN_ARM | TLBI_SCAN_THUMB | TLBI_SCAN_BARRIERS)
/* also find writes to the registers of mm/cp15.h (CRn = c1, c2, c3, c13) */
#define TLBI_SCAN_CP15_REGS 16u
/* also find every c7 cache maintenance operation (enum cp15_cache_op) */
#define TLBI_SCAN_CACHE_OPS 32u

/* Scans `size` bytes at host pointer `code`, which the guest sees at `va`
 * (alignment is taken from va), and appends what it finds to `out` (zero it
 * before the first scan; several scans, e.g. one per segment, may share
 * it).  `arm` and `thumb` are Capstone handles opened with CS_ARCH_ARM and
 * CS_MODE_ARM / CS_MODE_THUMB (little-endian); the scan turns
 * CS_OPT_DETAIL on for them and leaves the Thumb handle outside any IT
 * block (Capstone 4 keeps IT state in the handle between calls).  A handle
 * whose mode is not scanned may be 0.
 * Returns the number of sites added, or -1 (out of memory, no handle for a
 * requested mode). */
int tlbi_scan(csh arm, csh thumb, const uint8_t *code, uint32_t va, uint32_t size,
	      unsigned flags, struct tlbi_sites *out);

void tlbi_sites_free(struct tlbi_sites *s);

/* The site at (va, thumb), or NULL. */
const struct tlbi_site *tlbi_sites_find(const struct tlbi_sites *s, uint32_t va, bool thumb);

/* ARM condition check (ARM DDI 0406C A8.3 "Conditional execution") of
 * `cond` (0..15) against the NZCV flags in cpsr[31:28]. */
bool tlbi_cond_passed(unsigned cond, uint32_t cpsr);

/* What a UC_HOOK_CODE callback asks before acting on a site: the CPU is in
 * the site's instruction set (CPSR.T, bit 5) and its condition passes.  The
 * flags come from the CPSR read in the hook, which is up to date there. */
bool tlbi_site_should_apply(const struct tlbi_site *s, uint32_t cpsr);

#endif
