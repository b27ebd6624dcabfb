/* SPDX-License-Identifier: MIT */
/* TLB-maintenance mistakes on AArch64 descriptors written directly into the
 * tables (as kernel code that bypasses __set_fixmap would), one per
 * argument (docs/aarch64.md, "Hazards").  The expected counts follow from
 * the rules in mm/hazard_a64.h (ARMv8-A ARM DDI 0487 D5.10.1, D5.10.2):
 *   R1 an access whose translation differs from one a valid descriptor
 *      gave before it changed, with no TLBI covering it since, is one
 *      stale_tlb; a last-level TLBI (VALE1, VAALE1) covers pages and
 *      blocks but not a table pointer;
 *   R2 an access between a covering TLBI and its DSB + ISB: one barrier;
 *   R3 a TLBI before the DSB that publishes the store: one barrier;
 *   R4 a valid descriptor replaced by a valid one of another output
 *      address (writable), or block <-> table, with no invalid value and
 *      completed TLBI + DSB between: one bbm, at the store.
 *
 * With --hazards observed only the accesses the modelled TLB (mm/tlb_a64.c)
 * served from an entry whose descriptor changed are counted: no-tlbi 1
 * (the first load left the entry in the micro and main TLBs), never 0,
 * table-last-level 1 on the A53 (its walk cache keeps the old table
 * pointer, which the last-level TLBI leaves, and the load walks from it)
 * and 0 on the A57 (no walk cache modelled).
 *
 * Level 3, the FIX_TEXT_POKE0 fixmap PTE in bm_pte; before each mode but
 * never the slot maps page A (set_fixmap) and is loaded from:
 *   right        STR 0; DSB; TLBI VAALE1IS; DSB; ISB; STR B; DSB; ISB; load   -> 0
 *   bbm          STR B; DSB; TLBI VAALE1IS; DSB; ISB; load                    -> 1 bbm (R4)
 *   no-tlbi      STR B; DSB; load                                -> 1 bbm, 1 stale_tlb (R4, R1)
 *   never        no-tlbi without the load before it: the same two, as a
 *                walk may have cached page A at any time; the modelled
 *                TLB never held it, so --hazards observed counts 0
 *   clear-no-tlbi  STR 0; DSB; STR B; DSB; load: the make while the break
 *                is not invalidated                              -> 1 bbm, 1 stale_tlb (R4, R1)
 *   no-dsb       STR B; TLBI; DSB; ISB; load                     -> 1 bbm, 1 barrier (R4, R3)
 *   no-sync      STR B; DSB; TLBI; load; DSB; ISB                -> 1 bbm, 1 barrier (R4, R2)
 * Level 2, the first 2 MiB of the modules area (MODULES_VADDR), mapped by
 * __create_pgd_mapping() as one block of page A's 2 MiB, or (table-*) as
 * a pte table of page mappings; the new translation is block B's 2 MiB:
 *   block-right  STR 0; DSB; TLBI VAALE1IS; DSB; ISB; STR block B; DSB; ISB; load -> 0
 *   block-bbm    STR block B; DSB; TLBI VAALE1IS; DSB; ISB; load                -> 1 bbm
 *   block-no-tlbi  STR block B; DSB; ISB; load                   -> 1 bbm, 1 stale_tlb
 *   table-right  STR 0; DSB; TLBI VAAE1IS of each of the 512 pages; DSB; ISB;
 *                STR table T2; DSB; ISB; load                              -> 0
 *                (one TLBI VAAE1IS removes the cached table pointer and its
 *                own page's entry, not the other pages' cached through the
 *                old table: hence one per page, or VMALLE1IS)
 *   table-last-level  the same with TLBI VAALE1IS: every page's entry goes,
 *                the cached pmd entry (a table pointer) stays; table -> table
 *                is no bbm case                                  -> 1 stale_tlb
 *   table-to-block  STR block A (the same memory, one entry); DSB;
 *                TLBI VAAE1IS; DSB; ISB; load: same translation -> 1 bbm (size changes)
 * T2 is a pte table in the guest's data mapping block B's pages.  Every
 * load is of one byte; the right sequences check the byte they get. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define ADDR_MASK 0x0000fffffffff000ull
#define SZ_2M (2ul << 20)

static uint8_t pages[2 * PAGE_SIZE] __attribute__((aligned(4096)));
static uint64_t t2[512] __attribute__((aligned(4096)));
static unsigned long va_bits;

static unsigned long pa_symbol(const void *p)
{
	return (uintptr_t)p - kmaplab_kernel_info(KINFO_KIMAGE_VADDR) + kmaplab_kernel_info(KINFO_PHYS_OFFSET);
}

static volatile uint8_t *lm(unsigned long pa) /* __va(): the linear map */
{
	return (volatile uint8_t *)(uintptr_t)(pa - kmaplab_kernel_info(KINFO_PHYS_OFFSET) +
					       kmaplab_kernel_info(KINFO_PAGE_OFFSET));
}

/* PAGE_KERNEL (PROT_NORMAL): page, AttrIndx 0, SH inner, AF, DBM, PXN, UXN. */
static uint64_t kernel_pte(unsigned long pa)
{
	return pa | 3u | 3u << 8 | 1u << 10 | 1ull << 51 | 1ull << 53 | 1ull << 54;
}

static uint64_t kernel_block(unsigned long pa)
{
	return (kernel_pte(pa) & ~3ull) | 1u; /* pmd_set_huge(): the same attributes, type block */
}

static volatile uint64_t *slot_pte(unsigned idx)
{
	volatile uint64_t *bm_pte = (volatile uint64_t *)(uintptr_t)kmaplab_kernel_info(KINFO_BM_PTE);
	return &bm_pte[(fix_to_virt(idx) >> PAGE_SHIFT) & 511];
}

/* The pmd entry of `va` (its 1 GiB region's pmd table exists: the image's). */
static volatile uint64_t *pmd_entry(unsigned long va)
{
	volatile uint64_t *t = (volatile uint64_t *)(uintptr_t)kmaplab_kernel_info(KINFO_SWAPPER_PG_DIR);
	for (unsigned level = va_bits == 48 ? 0 : 1; level < 2; level++) {
		uint64_t e = t[(va >> (12 + 9 * (3 - level))) & 511];
		CHECK((e & 3) == 3, "level-%u entry of 0x%lx is a table", level, va);
		t = (volatile uint64_t *)lm(e & ADDR_MASK);
	}
	return &t[(va >> 21) & 511];
}

static inline void dsb_ishst(void) { __asm__ volatile("dsb ishst" ::: "memory"); }
static inline void dsb_ish(void) { __asm__ volatile("dsb ish" ::: "memory"); }
static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void tlbi_vaale1is(unsigned long va)
{
	__asm__ volatile("tlbi vaale1is, %0" ::"r"((va >> 12) & ((1ul << 44) - 1)) : "memory");
}
static inline void tlbi_vaae1is(unsigned long va)
{
	__asm__ volatile("tlbi vaae1is, %0" ::"r"((va >> 12) & ((1ul << 44) - 1)) : "memory");
}

static int level3(const char *mode)
{
	unsigned idx = (unsigned)kmaplab_kernel_info(KINFO_FIX_TEXT_POKE0);
	unsigned long va = fix_to_virt(idx);
	volatile uint8_t *p = (volatile uint8_t *)va;
	volatile uint64_t *pte = slot_pte(idx);
	pages[0] = 0xaa;
	pages[PAGE_SIZE] = 0xbb;
	set_fixmap(idx, pa_symbol(pages)); /* __set_fixmap: STR; DSB; ISB */
	if (strcmp(mode, "never"))
		CHECK(p[0] == 0xaa, "first mapping");
	uint64_t b = kernel_pte(pa_symbol(pages + PAGE_SIZE));
	uint8_t got;
	if (!strcmp(mode, "right")) {
		*pte = 0;
		dsb_ishst();
		tlbi_vaale1is(va);
		dsb_ish();
		isb();
		*pte = b;
		dsb_ishst();
		isb();
		got = p[0];
		CHECK(got == 0xbb, "after break-before-make the new page: 0x%x", got);
	} else if (!strcmp(mode, "bbm")) {
		*pte = b;
		dsb_ishst();
		tlbi_vaale1is(va);
		dsb_ish();
		isb();
		got = p[0];
	} else if (!strcmp(mode, "no-tlbi") || !strcmp(mode, "never")) {
		*pte = b;
		dsb_ishst();
		got = p[0]; /* the old page or the new one: unpredictable */
	} else if (!strcmp(mode, "clear-no-tlbi")) {
		*pte = 0;
		dsb_ishst();
		*pte = b;
		dsb_ishst();
		got = p[0];
	} else if (!strcmp(mode, "no-dsb")) {
		*pte = b;
		tlbi_vaale1is(va);
		dsb_ish();
		isb();
		got = p[0];
	} else if (!strcmp(mode, "no-sync")) {
		*pte = b;
		dsb_ishst();
		tlbi_vaale1is(va);
		got = p[0];
		dsb_ish();
		isb();
	} else {
		return -1;
	}
	clear_fixmap(idx); /* __set_fixmap: STR 0; DSB; TLBI; DSB; ISB */
	printf("%s: loaded 0x%x\n", mode, got);
	return 0;
}

/* Two 2 MiB physical blocks, A and B, in the page allocator's part of RAM
 * (64 and 66 MiB into it; no guest allocates pages here), page i of each
 * marked with 0xa0 + i and 0xb0 + i through the linear map. */
static unsigned long block_a, block_b;

static void mark_blocks(void)
{
	block_a = kmaplab_kernel_info(KINFO_PHYS_OFFSET) + (64ul << 20);
	block_b = block_a + SZ_2M;
	for (unsigned i = 0; i < 8; i++) {
		*lm(block_a + i * PAGE_SIZE) = (uint8_t)(0xa0 + i);
		*lm(block_b + i * PAGE_SIZE) = (uint8_t)(0xb0 + i);
	}
	for (unsigned i = 0; i < 512; i++)
		t2[i] = kernel_pte(block_b + i * PAGE_SIZE);
	dsb_ishst(); /* T2 visible to the walker before it is linked */
}

static int level2(const char *mode)
{
	/* MODULES_VADDR = _PAGE_END(VA_BITS_MIN) + SZ_128M (memory.h v5.10). */
	unsigned long m = -(1ul << (va_bits - 1)) + 0x8000000ul;
	volatile uint8_t *p = (volatile uint8_t *)(m + 3 * PAGE_SIZE);
	mark_blocks();
	bool table = !strncmp(mode, "table-", 6);
	__create_pgd_mapping(block_a, m, SZ_2M, table ? NO_BLOCK_MAPPINGS : 0);
	volatile uint64_t *pmd = pmd_entry(m);
	CHECK((*pmd & 3) == (table ? 3u : 1u), "%s: the pmd entry is a %s", mode, table ? "table" : "block");
	CHECK(p[0] == 0xa3, "first mapping: 0x%x", p[0]);
	uint8_t got;
	if (!strcmp(mode, "block-right")) {
		*pmd = 0;
		dsb_ishst();
		tlbi_vaale1is(m);
		dsb_ish();
		isb();
		*pmd = kernel_block(block_b);
		dsb_ishst();
		isb();
		got = p[0];
		CHECK(got == 0xb3, "after break-before-make block B: 0x%x", got);
	} else if (!strcmp(mode, "block-bbm")) {
		*pmd = kernel_block(block_b);
		dsb_ishst();
		tlbi_vaale1is(m);
		dsb_ish();
		isb();
		got = p[0];
	} else if (!strcmp(mode, "block-no-tlbi")) {
		*pmd = kernel_block(block_b);
		dsb_ishst();
		isb();
		got = p[0];
	} else if (!strcmp(mode, "table-right") || !strcmp(mode, "table-last-level")) {
		*pmd = 0;
		dsb_ishst();
		/* Every page of the 2 MiB: entries cached through the old table
		 * for any of them may stay until their own VA is invalidated. */
		for (unsigned long va = m; va < m + SZ_2M; va += PAGE_SIZE) {
			if (!strcmp(mode, "table-right"))
				tlbi_vaae1is(va);
			else
				tlbi_vaale1is(va);
		}
		dsb_ish();
		isb();
		*pmd = pa_symbol(t2) | 3u;
		dsb_ishst();
		isb();
		got = p[0];
		if (!strcmp(mode, "table-right"))
			CHECK(got == 0xb3, "after break-before-make table T2: 0x%x", got);
	} else if (!strcmp(mode, "table-to-block")) {
		*pmd = kernel_block(block_a);
		dsb_ishst();
		tlbi_vaae1is(m);
		dsb_ish();
		isb();
		got = p[0];
		CHECK(got == 0xa3, "block A maps what the table did: 0x%x", got);
	} else {
		return -1;
	}
	printf("%s: loaded 0x%x\n", mode, got);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "right";
	va_bits = kmaplab_kernel_info(KINFO_VA_BITS);
	int rc = !strncmp(mode, "block-", 6) || !strncmp(mode, "table-", 6) ? level2(mode) : level3(mode);
	CHECK(rc == 0, "unknown mode %s", mode);
	return rc ? 1 : 0;
}
