/* SPDX-License-Identifier: MIT */
/* ARMv7-A short-descriptor translation table walk (ARM ARM DDI 0406C, B3.5)
 * and the domain/permission check (B3.7), done on tables in emulated
 * physical memory.
 *
 * Only what decides *whether* and *where* an access goes is modelled: the
 * memory-type bits (TEX, C, B, S), NS, and bit 9 are carried in the raw
 * descriptors but never interpreted.  Accesses are checked as on a core
 * with SCTLR.AFE == 0 and no TEX remap. */
#include "mmu.h"

#include <string.h>

#define SZ_4K  0x00001000u
#define SZ_64K 0x00010000u
#define SZ_1M  0x00100000u
#define SZ_16M 0x01000000u

/* SCTLR.M, bit 0: stage 1 MMU enable. */
#define SCTLR_M (1u << 0)

/* TTBCR: N in [2:0]; PD0/PD1 (bits 4, 5) disable walks through TTBR0/TTBR1. */
#define TTBCR_N_MASK 0x7u
#define TTBCR_PD0    (1u << 4)
#define TTBCR_PD1    (1u << 5)

/* TTBR1 always holds a 16 KiB table: base bits [31:14] (B3.5.4). */
#define TTBR1_BASE_MASK 0xffffc000u

/* First-level descriptors, B3.5.1 (Figure "Short-descriptor first-level
 * descriptor formats"). */
#define L1_TYPE_MASK     0x3u
#define L1_TYPE_FAULT    0x0u
#define L1_TYPE_TABLE    0x1u
#define L1_TYPE_SECT     0x2u
#define L1_TYPE_RESERVED 0x3u
#define L1_TABLE_BASE    0xfffffc00u /* page table: L2 table base [31:10] */
#define L1_DOMAIN_SHIFT  5           /* domain [8:5], table and section */
#define L1_DOMAIN_MASK   0xfu
#define L1_SECT_XN       (1u << 4)
#define L1_SECT_AP_SHIFT 10          /* AP[1:0] in [11:10] */
#define L1_SECT_TEX1     (1u << 12)  /* TEX[0]; used by the builder only */
#define L1_SECT_APX      (1u << 15)
#define L1_SECT_NG       (1u << 17)
#define L1_SECT_SUPER    (1u << 18)
/* Supersection PA[35:32] in [23:20] and PA[39:36] in [8:5]. */
#define L1_SUPER_EXTBASE ((0xfu << 20) | (0xfu << 5))

/* Second-level descriptors, B3.5.1 (Figure "Short-descriptor second-level
 * descriptor formats").  Bit 1 set means small page, and then bit 0 is XN. */
#define L2_TYPE_MASK     0x3u
#define L2_TYPE_FAULT    0x0u
#define L2_TYPE_LARGE    0x1u
#define L2_SMALL         (1u << 1)
#define L2_SMALL_XN      (1u << 0)
#define L2_AP_SHIFT      4           /* AP[1:0] in [5:4], both page sizes */
#define L2_SMALL_TEX1    (1u << 6)   /* TEX[0]; used by the builder only */
#define L2_APX           (1u << 9)
#define L2_NG            (1u << 11)
#define L2_LARGE_XN      (1u << 15)

/* B (bit 2) and C (bit 3) sit at the same place in sections and pages. */
#define DESC_B (1u << 2)
#define DESC_C (1u << 3)

/* DACR: two bits per domain (B3.7.3). */
#define DACR_NO_ACCESS 0x0u
#define DACR_CLIENT    0x1u
#define DACR_RESERVED  0x2u
#define DACR_MANAGER   0x3u

/* The APX:AP value for privileged and user read/write (B3.7.1). */
#define AP_FULL 0x3u

static enum mmu_fault walk_fault(struct mmu_translation *t, enum mmu_fault f, uint8_t level)
{
	t->fault = f;
	t->level = level;
	return f;
}

/*
 * A descriptor fetch.  The walk reads guest RAM and nothing else, so a
 * descriptor address outside RAM is where a real system takes a synchronous
 * external abort on the translation table walk (B3.12).  The read was still
 * issued, so it counts towards desc_reads: a walk that aborts costs time too.
 */
static bool read_desc(const struct phys_mem *mem, uint32_t pa, uint32_t *desc,
		      struct mmu_translation *t)
{
	t->desc_reads++;
	if (!phys_contains(mem, pa, sizeof(*desc)))
		return false;
	*desc = phys_read32(mem, pa);
	return true;
}

/*
 * B3.5.4: with N == 0 every VA uses TTBR0.  Otherwise a VA whose top N bits
 * are zero uses TTBR0, whose table then shrinks to 16 KiB >> N (base bits
 * [31:14-N], index VA[31-N:20]); any other VA uses TTBR1 with a full 16 KiB
 * table indexed by VA[31:20].  B3.5.5 gives the descriptor address as base
 * OR index << 2.  The low TTBR bits hold walk cacheability, not address.
 *
 * Returns false if the selected TTBR has walks disabled (TTBCR.PDx).
 */
static bool l1_desc_addr(const struct mmu_regs *regs, uint32_t va, uint32_t *pa)
{
	unsigned int n = regs->ttbcr & TTBCR_N_MASK;
	uint32_t base, index;

	if (n == 0 || (va >> (32 - n)) == 0) {
		if (regs->ttbcr & TTBCR_PD0)
			return false;
		base = regs->ttbr0 & (0xffffffffu << (14 - n));
		index = (va & (0xffffffffu >> n)) >> 20;
	} else {
		if (regs->ttbcr & TTBCR_PD1)
			return false;
		base = regs->ttbr1 & TTBR1_BASE_MASK;
		index = va >> 20;
	}
	*pa = base | index << 2;
	return true;
}

/* APX and AP[1:0] sit at different places per descriptor type; keep them
 * as one 3-bit value, the index of Table B3-8 in B3.7.1. */
static uint8_t desc_ap(uint32_t desc, uint32_t apx_bit, unsigned int ap_shift)
{
	return (uint8_t)(((desc & apx_bit) ? 0x4u : 0u) | ((desc >> ap_shift) & 0x3u));
}

static void set_leaf(struct mmu_translation *t, uint32_t va, uint32_t desc, uint32_t size)
{
	t->size = size;
	t->va_base = va & ~(size - 1);
	t->pa_base = desc & ~(size - 1);
}

/* Section (1 MiB) or supersection (16 MiB) descriptor, B3.5.1. */
static enum mmu_fault walk_section(uint32_t va, uint32_t desc, struct mmu_translation *t)
{
	if (desc & L1_SECT_SUPER) {
		/*
		 * The extended base address bits give PA[39:32].  Physical
		 * addresses here are 32 bits wide (pa_base, struct phys_mem),
		 * so a supersection above 4 GiB cannot be represented; rather
		 * than silently aliasing it into the low 4 GiB, fail the walk
		 * as a translation fault.  Real LPAE hardware would translate
		 * it.
		 */
		if (desc & L1_SUPER_EXTBASE)
			return walk_fault(t, MMU_FAULT_TRANSLATION, 1);
		/* Supersections have no domain field: they are in domain 0. */
		t->domain = 0;
		set_leaf(t, va, desc, SZ_16M);
	} else {
		t->domain = (desc >> L1_DOMAIN_SHIFT) & L1_DOMAIN_MASK;
		set_leaf(t, va, desc, SZ_1M);
	}
	t->ap = desc_ap(desc, L1_SECT_APX, L1_SECT_AP_SHIFT);
	t->xn = desc & L1_SECT_XN;
	t->ng = desc & L1_SECT_NG;
	return walk_fault(t, MMU_OK, 1);
}

/* Second level, B3.5.1 and B3.5.5: the page table descriptor gives the
 * 1 KiB-aligned L2 table, indexed by VA[19:12]. */
static enum mmu_fault walk_l2(const struct phys_mem *mem, uint32_t va, uint32_t l1,
			      struct mmu_translation *t)
{
	uint32_t desc;

	/* The domain comes from the L1 entry; it is valid in the fault
	 * status for second-level faults too, so keep it on a fault. */
	t->domain = (l1 >> L1_DOMAIN_SHIFT) & L1_DOMAIN_MASK;
	t->l2_pa = (l1 & L1_TABLE_BASE) | ((va >> 12) & 0xffu) << 2;
	if (!read_desc(mem, t->l2_pa, &desc, t))
		return walk_fault(t, MMU_FAULT_EXTERNAL, 2);
	t->l2_desc = desc;

	if (desc & L2_SMALL) {
		set_leaf(t, va, desc, SZ_4K);
		t->xn = desc & L2_SMALL_XN;
	} else if ((desc & L2_TYPE_MASK) == L2_TYPE_LARGE) {
		/* The table repeats a large page in 16 consecutive entries;
		 * whichever one VA[15:12] picks maps all 64 KiB. */
		set_leaf(t, va, desc, SZ_64K);
		t->xn = desc & L2_LARGE_XN;
	} else {
		return walk_fault(t, MMU_FAULT_TRANSLATION, 2);
	}
	t->ap = desc_ap(desc, L2_APX, L2_AP_SHIFT);
	t->ng = desc & L2_NG;
	return walk_fault(t, MMU_OK, 2);
}

/*
 * B3.2.1: with stage 1 translation disabled, VA == PA and there are no
 * permission or domain checks.  Hand back a 1 MiB global identity entry so
 * that callers can treat it like any other translation.
 */
static enum mmu_fault walk_mmu_off(uint32_t va, struct mmu_translation *t)
{
	set_leaf(t, va, va, SZ_1M);
	t->ap = AP_FULL;
	t->mmu_off = true;
	return walk_fault(t, MMU_OK, 0);
}

enum mmu_fault mmu_walk(const struct phys_mem *mem, const struct mmu_regs *regs,
			uint32_t va, struct mmu_translation *t)
{
	uint32_t desc;

	memset(t, 0, sizeof(*t));
	if (!(regs->sctlr & SCTLR_M))
		return walk_mmu_off(va, t);

	/* TTBCR.PDx: a TLB miss is a first-level translation fault with no
	 * walk at all (QEMU's ARM MMU does the same). */
	if (!l1_desc_addr(regs, va, &t->l1_pa))
		return walk_fault(t, MMU_FAULT_TRANSLATION, 1);
	if (!read_desc(mem, t->l1_pa, &desc, t))
		return walk_fault(t, MMU_FAULT_EXTERNAL, 1);
	t->l1_desc = desc;

	switch (desc & L1_TYPE_MASK) {
	case L1_TYPE_TABLE:
		return walk_l2(mem, va, desc, t);
	case L1_TYPE_SECT:
		return walk_section(va, desc, t);
	case L1_TYPE_RESERVED:
		/*
		 * Reserved on a core without the PXN extension.  A core with
		 * LPAE (Cortex-A7, A15) implements PXN and reads 0b11 as a
		 * section with PXN set; that is not modelled.
		 */
	case L1_TYPE_FAULT:
	default:
		return walk_fault(t, MMU_FAULT_TRANSLATION, 1);
	}
}

/* Table B3-8 (B3.7.1), SCTLR.AFE == 0.  APX:AP == 0b100 is reserved; treat
 * it as no access.  0b110 is the deprecated encoding of 0b111. */
static bool ap_allows(uint8_t ap, bool write, bool privileged)
{
	switch (ap & 0x7u) {
	case 0x1: /* privileged RW, user none */
		return privileged;
	case 0x2: /* privileged RW, user RO */
		return privileged || !write;
	case 0x3: /* full access */
		return true;
	case 0x5: /* privileged RO, user none */
		return privileged && !write;
	case 0x6: /* privileged RO, user RO */
	case 0x7:
		return !write;
	case 0x0: /* no access */
	case 0x4: /* reserved */
	default:
		return false;
	}
}

/*
 * Domain check first, then permissions (B3.7.3): a manager domain is not
 * checked against the descriptor's permission bits, and XN is one of them
 * (B3.7.2: execute-never applies only to client domains).  An instruction
 * fetch also needs read permission (B3.7.2), so it is a read plus XN.
 */
enum mmu_fault mmu_check(const struct mmu_translation *t, uint32_t dacr,
			 enum mmu_access access, bool privileged)
{
	/* Nothing to check on a failed walk: its fault takes priority. */
	if (t->fault != MMU_OK)
		return t->fault;
	if (t->mmu_off)
		return MMU_OK;

	switch ((dacr >> (2 * (t->domain & L1_DOMAIN_MASK))) & 0x3u) {
	case DACR_MANAGER:
		return MMU_OK;
	case DACR_CLIENT:
		break;
	case DACR_NO_ACCESS:
	case DACR_RESERVED: /* reserved: never grant access through it */
	default:
		return MMU_FAULT_DOMAIN;
	}

	if (access == MMU_FETCH && t->xn)
		return MMU_FAULT_PERMISSION;
	if (!ap_allows(t->ap, access == MMU_WRITE, privileged))
		return MMU_FAULT_PERMISSION;
	return MMU_OK;
}

const char *mmu_fault_name(enum mmu_fault f)
{
	switch (f) {
	case MMU_OK:
		return "ok";
	case MMU_FAULT_TRANSLATION:
		return "translation";
	case MMU_FAULT_DOMAIN:
		return "domain";
	case MMU_FAULT_PERMISSION:
		return "permission";
	case MMU_FAULT_EXTERNAL:
		return "external";
	}
	return "unknown";
}

/*
 * Builders.  Memory type: Normal, inner and outer write-back write-allocate
 * (TEX = 0b001, C = 1, B = 1), non-shareable, as Linux's PMD_SECT_WBWA and
 * L_PTE_MT_WRITEALLOC give on a UP ARMv7 kernel.  The walker ignores these
 * bits, but QEMU's MMU sees the same tables and Normal memory keeps it from
 * applying Device/Strongly-ordered rules (alignment) to guest accesses.
 */
#define SECT_MT_WBWA  (L1_SECT_TEX1 | DESC_C | DESC_B)
#define SMALL_MT_WBWA (L2_SMALL_TEX1 | DESC_C | DESC_B)

uint32_t mmu_l1_section(uint32_t pa, uint8_t ap, uint8_t domain, bool xn, bool ng)
{
	uint32_t desc = (pa & ~(SZ_1M - 1)) | SECT_MT_WBWA | L1_TYPE_SECT;

	desc |= (uint32_t)(ap & 0x3u) << L1_SECT_AP_SHIFT;
	desc |= (ap & 0x4u) ? L1_SECT_APX : 0;
	desc |= (uint32_t)(domain & L1_DOMAIN_MASK) << L1_DOMAIN_SHIFT;
	desc |= xn ? L1_SECT_XN : 0;
	desc |= ng ? L1_SECT_NG : 0;
	return desc;
}

uint32_t mmu_l1_table(uint32_t l2_pa, uint8_t domain)
{
	return (l2_pa & L1_TABLE_BASE) |
	       (uint32_t)(domain & L1_DOMAIN_MASK) << L1_DOMAIN_SHIFT | L1_TYPE_TABLE;
}

uint32_t mmu_l2_small(uint32_t pa, uint8_t ap, bool xn, bool ng)
{
	uint32_t desc = (pa & ~(SZ_4K - 1)) | SMALL_MT_WBWA | L2_SMALL;

	desc |= (uint32_t)(ap & 0x3u) << L2_AP_SHIFT;
	desc |= (ap & 0x4u) ? L2_APX : 0;
	desc |= xn ? L2_SMALL_XN : 0;
	desc |= ng ? L2_NG : 0;
	return desc;
}
