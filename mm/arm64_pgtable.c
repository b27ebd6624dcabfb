/* SPDX-License-Identifier: MIT */
/* Kernel page-table updates through the FIX_PTE/PMD/PUD/PGD fixmap slots,
 * step for step with arch/arm64/mm/mmu.c of Linux v5.10: paging_init()
 * maps swapper_pg_dir at FIX_PGD (pgd_set_fixmap) and __create_pgd_mapping()
 * walks it with alloc_init_pud(), alloc_init_cont_pmd(), init_pmd(),
 * alloc_init_cont_pte() and init_pte().  Each level below the pgd is
 * reached by mapping its table page at that level's slot
 * (pud/pmd/pte_set_fixmap_offset, arch/arm64/include/asm/pgtable.h v5.10),
 * writing entries through the slot, and clearing the slot
 * (pud/pmd/pte_clear_fixmap: clear_fixmap, so one TLBI VAALE1IS each).
 * early_pgtable_alloc() zeroes every new table page through FIX_PTE.
 * With 3 levels (VA_BITS 39) the pud is folded: pud_set_fixmap_offset()
 * returns the pgd entry and pud_clear_fixmap() does nothing; the p4d level
 * is folded at either VA_BITS.  v5.10's init_pte() maps and clears FIX_PTE
 * once per contiguous-PTE range (CONT_PTE_SIZE, 64 KiB), since
 * alloc_init_cont_pte() calls it per range; later kernels map it once per
 * table (not modelled). */
#include "arm64.h"

#include <stdio.h>
#include <string.h>

#define CONT_PTE_SIZE (16ull * A64_PAGE_SIZE) /* CONT_PTES 16 (4 KiB pages) */
#define CONT_PMD_SIZE (16ull * SZ_2M)          /* CONT_PMDS 16 */
#define A64_PUD_SIZE (1ull << A64_PUD_SHIFT)
#define A64_PGD_SHIFT(k) ((k)->layout.va_bits > 39 ? 39u : 30u)

static void barrier_pair(struct a64_kernel *k)
{
	/* set_pte/set_pmd/set_pud/set_p4d of a valid kernel entry: dsb(ishst); isb(). */
	uint64_t c0 = k->cycles;
	a64_kernel_dsb(k);
	a64_kernel_isb(k);
	k->stats.pgtable_cycles += k->cycles - c0;
}

/* The host pointer behind a fixmap slot, found as the CPU would: through
 * the slot's PTE in bm_pte.  NULL (a BUG) if the slot is not mapped. */
static uint64_t *fixmap_table(struct a64_kernel *k, unsigned idx)
{
	uint64_t addr = a64_fix_to_virt(k, idx);
	uint64_t pte = a64_table(&k->mem, k->bm_pte)[(addr >> A64_PAGE_SHIFT) & (A64_PTRS - 1)];
	uint64_t pa = pte & PTE_ADDR_MASK;
	if (!(pte & PTE_VALID) || !a64_phys_ok(&k->mem, pa, A64_PAGE_SIZE))
		return NULL;
	return a64_table(&k->mem, pa);
}

/* set_fixmap_offset(idx, table_phys): 0 or -1 with k->bug set. */
static uint64_t *table_set_fixmap(struct a64_kernel *k, unsigned idx, uint64_t table_phys)
{
	if (a64___set_fixmap(k, idx, table_phys, FIXMAP_PAGE_NORMAL))
		return NULL;
	k->stats.pgtable_set_fixmap++;
	uint64_t *t = fixmap_table(k, idx);
	if (!t)
		snprintf(k->bug, sizeof(k->bug), "kernel BUG at arch/arm64/mm/mmu.c: table page 0x%llx is not RAM",
			 (unsigned long long)table_phys);
	return t;
}

static void table_clear_fixmap(struct a64_kernel *k, unsigned idx)
{
	k->stats.pgtable_clear_fixmap++;
	a64___set_fixmap(k, idx, 0, FIXMAP_PAGE_CLEAR);
}

/* early_pgtable_alloc(): a memblock page, zeroed through FIX_PTE (the
 * FIX_PGD/PUD/PMD slots may be in use, FIX_PTE is free here). */
static uint64_t early_pgtable_alloc(struct a64_kernel *k)
{
	uint64_t phys = a64_early_pgtable_alloc(k);
	if (!phys) {
		snprintf(k->bug, sizeof(k->bug), "Kernel panic: Failed to allocate page table page (arch/arm64/mm/mmu.c)");
		return 0;
	}
	uint64_t *t = table_set_fixmap(k, k->fix.fix_pte, phys);
	if (!t)
		return 0;
	memset(t, 0, A64_PAGE_SIZE);
	table_clear_fixmap(k, k->fix.fix_pte);
	return phys;
}

static uint64_t addr_end(uint64_t addr, uint64_t end, uint64_t size)
{
	uint64_t b = (addr + size) & ~(size - 1);
	return b - 1 < end - 1 ? b : end;
}

static unsigned idx_of(uint64_t va, unsigned shift)
{
	return (unsigned)((va >> shift) & (A64_PTRS - 1));
}

/* init_pte(): FIX_PTE maps the pte table for [addr, end), one set_pte each. */
static int init_pte(struct a64_kernel *k, uint64_t pmd, uint64_t addr, uint64_t end, uint64_t phys,
		    uint64_t prot)
{
	uint64_t *ptep = table_set_fixmap(k, k->fix.fix_pte, pmd & PTE_ADDR_MASK);
	if (!ptep)
		return -1;
	for (; addr != end; addr += A64_PAGE_SIZE, phys += A64_PAGE_SIZE) {
		a64_set_pte(k, &ptep[idx_of(addr, A64_PAGE_SHIFT)], (phys & PTE_ADDR_MASK) | prot);
		k->stats.pgtable_entries++;
		barrier_pair(k);
	}
	table_clear_fixmap(k, k->fix.fix_pte);
	return 0;
}

static int alloc_init_cont_pte(struct a64_kernel *k, uint64_t *pmdp, uint64_t addr, uint64_t end,
			       uint64_t phys, uint64_t prot, int flags)
{
	if ((*pmdp & 3) == PMD_TYPE_SECT) {
		snprintf(k->bug, sizeof(k->bug), "kernel BUG at arch/arm64/mm/mmu.c (alloc_init_cont_pte): 0x%016llx is in a block mapping",
			 (unsigned long long)addr);
		return -1;
	}
	if (!*pmdp) {
		uint64_t pte_phys = early_pgtable_alloc(k);
		if (!pte_phys)
			return -1;
		a64_set_pte(k, pmdp, pte_phys | PMD_TYPE_TABLE); /* __pmd_populate */
		if (k->flush && k->flush->pt_table)
			k->flush->pt_table(k->flush_arg, pte_phys, addr);
		barrier_pair(k);
	}
	do {
		uint64_t next = addr_end(addr, end, CONT_PTE_SIZE), p = prot;
		if (!((addr | next | phys) & (CONT_PTE_SIZE - 1)) && !(flags & A64_NO_CONT_MAPPINGS))
			p |= PTE_CONT;
		if (init_pte(k, *pmdp, addr, next, phys, p))
			return -1;
		phys += next - addr;
		addr = next;
	} while (addr != end);
	return 0;
}

/* init_pmd(): FIX_PMD maps the pmd table; 2 MiB blocks where aligned. */
static int init_pmd(struct a64_kernel *k, uint64_t pud, uint64_t addr, uint64_t end, uint64_t phys,
		    uint64_t prot, int flags)
{
	uint64_t *pmdp = table_set_fixmap(k, k->fix.fix_pmd, pud & PTE_ADDR_MASK);
	if (!pmdp)
		return -1;
	do {
		uint64_t next = addr_end(addr, end, SZ_2M);
		uint64_t *e = &pmdp[idx_of(addr, A64_PMD_SHIFT)];
		if (!((addr | next | phys) & (SZ_2M - 1)) && !(flags & A64_NO_BLOCK_MAPPINGS) && !*e) {
			a64_set_pte(k, e, (phys & PTE_ADDR_MASK) | (prot & ~3ull) | PMD_TYPE_SECT); /* pmd_set_huge */
			k->stats.pgtable_entries++;
			barrier_pair(k);
		} else if (alloc_init_cont_pte(k, e, addr, next, phys, prot, flags)) {
			return -1;
		}
		phys += next - addr;
		addr = next;
	} while (addr != end);
	table_clear_fixmap(k, k->fix.fix_pmd);
	return 0;
}

static int alloc_init_cont_pmd(struct a64_kernel *k, uint64_t *pudp, uint64_t addr, uint64_t end,
			       uint64_t phys, uint64_t prot, int flags)
{
	if ((*pudp & 3) == PMD_TYPE_SECT) {
		snprintf(k->bug, sizeof(k->bug), "kernel BUG at arch/arm64/mm/mmu.c (alloc_init_cont_pmd): 0x%016llx is in a block mapping",
			 (unsigned long long)addr);
		return -1;
	}
	if (!*pudp) {
		uint64_t pmd_phys = early_pgtable_alloc(k);
		if (!pmd_phys)
			return -1;
		a64_set_pte(k, pudp, pmd_phys | PMD_TYPE_TABLE); /* __pud_populate */
		barrier_pair(k);
	}
	do {
		uint64_t next = addr_end(addr, end, CONT_PMD_SIZE);
		if (init_pmd(k, *pudp, addr, next, phys, prot, flags)) /* PTE_CONT on blocks: not modelled */
			return -1;
		phys += next - addr;
		addr = next;
	} while (addr != end);
	return 0;
}

/* alloc_init_pud(): with 4 levels the pgd (p4d) entry gets a pud table and
 * FIX_PUD maps it; with 3 the pgd entry is the pud entry. */
static int alloc_init_pud(struct a64_kernel *k, uint64_t *pgdp, uint64_t addr, uint64_t end, uint64_t phys,
			  uint64_t prot, int flags)
{
	bool four = k->layout.va_bits > 39;
	uint64_t *pudp;
	if (four) {
		if (!*pgdp) {
			uint64_t pud_phys = early_pgtable_alloc(k);
			if (!pud_phys)
				return -1;
			a64_set_pte(k, pgdp, pud_phys | PMD_TYPE_TABLE); /* __p4d_populate */
			barrier_pair(k);
		}
		pudp = table_set_fixmap(k, k->fix.fix_pud, *pgdp & PTE_ADDR_MASK);
		if (!pudp)
			return -1;
		pudp += idx_of(addr, A64_PUD_SHIFT);
	} else {
		pudp = pgdp;
	}
	do {
		uint64_t next = addr_end(addr, end, A64_PUD_SIZE);
		if (!((addr | next | phys) & (A64_PUD_SIZE - 1)) && !(flags & A64_NO_BLOCK_MAPPINGS) && !*pudp) {
			a64_set_pte(k, pudp, (phys & PTE_ADDR_MASK) | (prot & ~3ull) | PMD_TYPE_SECT); /* pud_set_huge */
			k->stats.pgtable_entries++;
			barrier_pair(k);
		} else if (alloc_init_cont_pmd(k, pudp, addr, next, phys, prot, flags)) {
			return -1;
		}
		phys += next - addr;
		addr = next;
		pudp++;
	} while (addr != end);
	if (four)
		table_clear_fixmap(k, k->fix.fix_pud);
	return 0;
}

int a64_create_pgd_mapping(struct a64_kernel *k, uint64_t phys, uint64_t virt, uint64_t size, uint64_t prot,
			   int flags)
{
	if ((phys ^ virt) & (A64_PAGE_SIZE - 1)) {
		snprintf(k->bug, sizeof(k->bug), "WARNING: __create_pgd_mapping: phys 0x%llx and virt 0x%llx differ in their page offset (arch/arm64/mm/mmu.c)",
			 (unsigned long long)phys, (unsigned long long)virt);
		return -1;
	}
	uint64_t addr = virt & ~(A64_PAGE_SIZE - 1);
	uint64_t length = (size + (virt & (A64_PAGE_SIZE - 1)) + A64_PAGE_SIZE - 1) & ~(A64_PAGE_SIZE - 1);
	uint64_t end = addr + length;
	if (!size || addr < k->layout.page_offset || end - 1 < addr) {
		snprintf(k->bug, sizeof(k->bug), "BUG: not creating mapping for 0x%llx at 0x%016llx - outside kernel range (arch/arm64/mm/mmu.c)",
			 (unsigned long long)phys, (unsigned long long)virt);
		return -1;
	}
	phys &= ~(A64_PAGE_SIZE - 1);
	/* paging_init(): pgd_set_fixmap(__pa_symbol(swapper_pg_dir)). */
	uint64_t *pgd = table_set_fixmap(k, k->fix.fix_pgd, k->swapper_pg_dir);
	if (!pgd)
		return -1;
	int err = 0;
	do {
		uint64_t next = addr_end(addr, end, 1ull << A64_PGD_SHIFT(k));
		err = alloc_init_pud(k, &pgd[idx_of(addr, A64_PGD_SHIFT(k))], addr, next, phys, prot, flags);
		phys += next - addr;
		addr = next;
	} while (!err && addr != end);
	if (!err)
		table_clear_fixmap(k, k->fix.fix_pgd); /* pgd_clear_fixmap() */
	return err;
}
