/* SPDX-License-Identifier: MIT */
/* Boot-time page tables, as arch/arm/mm/mmu.c's paging_init() builds them:
 * map_lowmem() with sections, kmap_init() for the pkmap table,
 * early_fixmap_init() for bm_pte, and the high vectors page. */
#include "mm.h"

#include <string.h>

#define L1_ENTRIES 4096u
#define L2_ENTRIES 256u /* one hardware L2 table maps 1 MiB */
#define DOMAIN_KERNEL 0

uint32_t memblock_alloc(struct mm *mm, uint32_t size, uint32_t align)
{
	struct boot_mem *b = &mm->boot;
	uint32_t pa = (b->memblock_next + align - 1) & ~(align - 1);
	if (pa < b->memblock_next || pa > b->memblock_end || b->memblock_end - pa < size)
		return 0;
	b->memblock_next = pa + size;
	memset(phys_ptr(&mm->mem, pa), 0, size);
	return pa;
}

static void set_pmd(struct mm *mm, uint32_t va, uint32_t desc)
{
	phys_write32(&mm->mem, mm->swapper_pg_dir + (va >> SECTION_SHIFT) * 4, desc);
}

/* Lowmem as sections.  The section holding the stack's guard is mapped
 * with small pages instead, all but the guard's: a real ARM kernel has no
 * guard under its stacks (no VMAP_STACK on ARM32 in v5.x); kmaplab leaves
 * one unmapped so that a guest's stack overflow faults instead of running
 * through the heap, .text and the page tables, while every other lowmem
 * address stays mapped as the kernel maps it. */
static int map_lowmem(struct mm *mm)
{
	const struct kernel_layout *l = &mm->layout;
	const struct boot_mem *b = &mm->boot;
	for (uint32_t off = 0; off < l->lowmem_size; off += SECTION_SIZE) {
		uint32_t pa = l->phys_offset + off;
		if (!b->stack_guard || (b->stack_guard & ~(SECTION_SIZE - 1)) != pa) {
			set_pmd(mm, l->page_offset + off,
				mmu_l1_section(pa, MMU_AP_PRIV_RW, DOMAIN_KERNEL, false, false));
			continue;
		}
		uint32_t table = memblock_alloc(mm, L2_ENTRIES * 4, 1024);
		if (!table)
			return -1;
		for (uint32_t i = 0; i < L2_ENTRIES; i++) {
			uint32_t page = pa + i * PAGE_SIZE;
			bool guard = page >= b->stack_guard && page < b->stack_base;
			phys_write32(&mm->mem, table + i * 4,
				     guard ? 0 : mmu_l2_small(page, MMU_AP_PRIV_RW, false, false));
		}
		set_pmd(mm, l->page_offset + off, mmu_l1_table(table, DOMAIN_KERNEL));
	}
	return 0;
}

/* Allocates `mib` contiguous hardware L2 tables for the window at `va` and
 * points the L1 entries at them.  Returns the PA of the first PTE. */
static uint32_t alloc_l2_window(struct mm *mm, uint32_t va, uint32_t mib)
{
	uint32_t table = memblock_alloc(mm, mib * L2_ENTRIES * 4, 1024);
	if (!table)
		return 0;
	for (uint32_t i = 0; i < mib; i++)
		set_pmd(mm, va + i * SECTION_SIZE, mmu_l1_table(table + i * L2_ENTRIES * 4, DOMAIN_KERNEL));
	return table;
}

int paging_init(struct mm *mm)
{
	const struct kernel_layout *l = &mm->layout;

	mm->swapper_pg_dir = l->phys_offset + SWAPPER_PG_DIR_OFFSET;
	memset(phys_ptr(&mm->mem, mm->swapper_pg_dir), 0, L1_ENTRIES * 4);
	if (map_lowmem(mm))
		return -1;

	/* kmap_init(): LAST_PKMAP pages below PAGE_OFFSET, one table. */
	mm->pkmap_page_table = alloc_l2_window(mm, l->pkmap_base, (LAST_PKMAP * PAGE_SIZE) >> SECTION_SHIFT);
	/* early_fixmap_init(): bm_pte covers FIXADDR_START..FIXADDR_END. */
	mm->bm_pte = alloc_l2_window(mm, FIXADDR_START, (FIXADDR_END - FIXADDR_START) >> SECTION_SHIFT);
	/* devicemaps_init(): the vectors page, read-only, at 0xffff0000. */
	mm->vectors_pte = alloc_l2_window(mm, VECTORS_BASE & ~(SECTION_SIZE - 1), 1);
	if (!mm->pkmap_page_table || !mm->bm_pte || !mm->vectors_pte)
		return -1;
	phys_write32(&mm->mem, mm->vectors_pte + ((VECTORS_BASE >> PAGE_SHIFT) & 0xff) * 4,
		     mmu_l2_small(l->phys_offset, MMU_AP_PRIV_RO, false, false));

	memset(&mm->regs, 0, sizeof(mm->regs));
	/* M: MMU on; V: high vectors; U and XP: ARMv6 cores (arm1176) use the
	 * v6/v7 descriptor format only with XP set (RES1 on ARMv7). */
	mm->regs.sctlr = 1u | (1u << 13) | (1u << 22) | (1u << 23);
	mm->regs.ttbr0 = mm->swapper_pg_dir;
	mm->regs.ttbr1 = mm->swapper_pg_dir;
	mm->regs.ttbcr = 0;
	mm->regs.dacr = 1u << (2 * DOMAIN_KERNEL); /* client: AP bits are checked */
	return 0;
}

bool mm_virt_to_phys(const struct mm *mm, uint32_t va, uint32_t *pa)
{
	struct mmu_translation t;
	if (mmu_walk(&mm->mem, &mm->regs, va, &t) != MMU_OK)
		return false;
	*pa = mmu_pa(&t, va);
	return true;
}
