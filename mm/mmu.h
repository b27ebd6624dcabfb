/* SPDX-License-Identifier: MIT */
/* ARMv7-A short-descriptor translation (ARM ARM B3.5), walked in emulated
 * physical memory.  The walker finds the descriptor(s); permission and
 * domain checks are separate so that a TLB entry can be checked on a hit
 * exactly as the walk result is checked on a miss. */
#ifndef KMAPLAB_MM_MMU_H
#define KMAPLAB_MM_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "phys.h"

/* The CP15 state translation depends on. */
struct mmu_regs {
	uint32_t sctlr;      /* bit 0 M: MMU enable */
	uint32_t ttbr0;
	uint32_t ttbr1;
	uint32_t ttbcr;      /* bits [2:0] N; EAE (bit 31) must be 0 */
	uint32_t dacr;
	uint32_t contextidr; /* bits [7:0] ASID */
};

enum mmu_access { MMU_READ, MMU_WRITE, MMU_FETCH };

enum mmu_fault {
	MMU_OK = 0,
	MMU_FAULT_TRANSLATION, /* descriptor type 0b00 (or reserved) */
	MMU_FAULT_DOMAIN,      /* DACR field 0b00 (no access) or 0b10 (reserved) */
	MMU_FAULT_PERMISSION,  /* AP/APX or XN denies the access */
	MMU_FAULT_EXTERNAL,    /* a descriptor address lies outside RAM */
};

/* One translation: what a TLB entry holds, plus where its descriptors came
 * from so that a later change to them can be noticed (stale entries). */
struct mmu_translation {
	enum mmu_fault fault; /* MMU_OK, MMU_FAULT_TRANSLATION or MMU_FAULT_EXTERNAL from the walk */
	uint8_t level;        /* 1 or 2: level of the leaf descriptor, or of the fault
			       * (0 with the MMU off: no descriptor) */
	uint8_t desc_reads;   /* descriptor reads the walk made or attempted (1 or 2;
			       * 0 with the MMU off or a walk disabled by TTBCR.PD0/PD1) */
	uint32_t va_base;     /* VA of the first byte the entry maps */
	uint32_t size;        /* 4 KiB, 64 KiB, 1 MiB or 16 MiB */
	uint32_t pa_base;     /* PA of the first byte (supersection: bits [31:24] only) */
	uint32_t l1_pa, l1_desc; /* the first-level descriptor and its address */
	uint32_t l2_pa, l2_desc; /* the second-level descriptor (0, 0 for a section) */
	uint8_t domain;       /* 0..15 (supersections: 0) */
	uint8_t ap;           /* APX << 2 | AP[1:0] */
	bool xn;
	bool ng;              /* not global: tagged with the ASID */
	bool mmu_off;         /* SCTLR.M == 0: flat, and mmu_check() checks nothing (B3.2.1) */
};

/* Walks the tables for `va`.  Fills `t` and returns t->fault.  With the MMU
 * off (SCTLR.M == 0) the translation is flat, 1 MiB, global, full access. */
enum mmu_fault mmu_walk(const struct phys_mem *mem, const struct mmu_regs *regs,
			uint32_t va, struct mmu_translation *t);

/* Domain and access-permission check (SCTLR.AFE == 0, TEX remap ignored) of
 * a successful translation.  Returns MMU_OK, MMU_FAULT_DOMAIN or MMU_FAULT_PERMISSION
 * (given a failed walk, it returns that walk's fault; with t->mmu_off, MMU_OK). */
enum mmu_fault mmu_check(const struct mmu_translation *t, uint32_t dacr,
			 enum mmu_access access, bool privileged);

/* PA of `va` within translation `t`. */
static inline uint32_t mmu_pa(const struct mmu_translation *t, uint32_t va)
{
	return t->pa_base + (va - t->va_base);
}

const char *mmu_fault_name(enum mmu_fault f);

/* Descriptor builders used by the emulator and tests to write tables.
 * ap is APX << 2 | AP[1:0]. */
uint32_t mmu_l1_section(uint32_t pa, uint8_t ap, uint8_t domain, bool xn, bool ng);
uint32_t mmu_l1_table(uint32_t l2_pa, uint8_t domain);
uint32_t mmu_l2_small(uint32_t pa, uint8_t ap, bool xn, bool ng);

/* Access permissions used by the kernel: privileged read/write, no user access. */
#define MMU_AP_PRIV_RW 0x1u
/* Privileged read-only (APX = 1, AP = 01). */
#define MMU_AP_PRIV_RO 0x5u

#endif
