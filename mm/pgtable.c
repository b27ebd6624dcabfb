/* SPDX-License-Identifier: MIT */
/* PTEs of the pkmap and fixmap windows (see pgtable.h). */
#include "pgtable.h"
#include "access.h"

#include "bug.h"
#include "fixmap.h"
#include "highmem.h"
#include "kdata.h"

uint32_t mk_pte(uint32_t pfn, enum kprot prot)
{
	uint8_t ap = prot == PROT_KERNEL_RO ? MMU_AP_PRIV_RO : MMU_AP_PRIV_RW;
	return mmu_l2_small(pfn << PAGE_SHIFT, ap, true, false);
}

uint32_t pte_window_size(enum pte_window win)
{
	return win == PTE_WINDOW_PKMAP ? LAST_PKMAP : FIXMAP_SLOTS;
}

uint32_t pte_window_va(const struct kmap_state *ks, enum pte_window win, uint32_t nr)
{
	return win == PTE_WINDOW_PKMAP ? PKMAP_ADDR(&ks->mm->layout, nr) : __fix_to_virt(nr);
}

bool pte_window_pa(const struct kmap_state *ks, enum pte_window win, uint32_t nr, uint32_t *pa)
{
	if (win == PTE_WINDOW_PKMAP) {
		if (nr >= LAST_PKMAP)
			return false;
		*pa = ks->mm->pkmap_page_table + nr * 4;
	} else {
		if (win != PTE_WINDOW_FIXMAP || nr >= FIXMAP_SLOTS)
			return false;
		*pa = ks->mm->bm_pte + fixmap_pte_index(nr) * 4;
	}
	return true;
}

static bool entry(struct kmap_state *ks, enum pte_window win, uint32_t nr, uint32_t *pa,
		  const char *who)
{
	if (pte_window_pa(ks, win, nr, pa))
		return true;
	kmap_bug(ks, "%s: %s PTE index %u out of range (0..%u)", who,
		 win == PTE_WINDOW_PKMAP ? "pkmap" : "fixmap", nr, pte_window_size(win) - 1);
	return false;
}

uint32_t pte_peek(const struct kmap_state *ks, enum pte_window win, uint32_t nr)
{
	uint32_t pa;
	return pte_window_pa(ks, win, nr, &pa) ? phys_read32(&ks->mm->mem, pa) : 0;
}

uint32_t pte_read(struct kmap_state *ks, enum pte_window win, uint32_t nr)
{
	uint32_t pa;
	if (!entry(ks, win, nr, &pa, "pte_read"))
		return 0;
	ks->stats.mem_accesses++;
	kcharge(ks, ks->mm->core->cost.mem_access);
	if (ks->mm->caches) /* --model cache: beyond the L1 hit mem_access is */
		mm_cache_data(ks->mm, pa, false);
	return phys_read32(&ks->mm->mem, pa);
}

/* --model cache: the clean of the hardware PTE's line that the kernel's
 * set_pte_ext does after the store ("flush_pte", DCCMVAC): always on ARMv6
 * (armv6_set_pte_ext, arch/arm/mm/proc-macros.S), on ARMv7 only in a
 * uniprocessor kernel (cpu_v7_set_pte_ext, proc-v7-2level.S: ALT_UP; an
 * SMP kernel's walks read through the caches), Linux v5.10.  The line's
 * write-back is charged; the MCR's issue stays in pte_write. */
static void pte_clean(struct kmap_state *ks, uint32_t pa)
{
	struct mm *mm = ks->mm;
	if (!mm->caches || (ks->kernel.smp && !hazard_core_needs_pte_clean(mm->core->name)))
		return;
	mm->stats.cycles += cpu_cache_maint(mm->caches, CACHE_OP_DCCMVAC, pa);
}

void set_pte_at(struct kmap_state *ks, enum pte_window win, uint32_t nr, uint32_t pte)
{
	uint32_t pa;
	if (!entry(ks, win, nr, &pa, "set_pte_at"))
		return;
	ks->stats.pte_writes++;
	kcharge(ks, ks->mm->core->cost.pte_write);
	if (ks->mm->caches)
		mm_cache_data(ks->mm, pa, true);
	hazard_pt_store(ks->mm->hazards, 0, pa, 4, pte, 0, true);
	phys_write32(&ks->mm->mem, pa, pte);
	pte_clean(ks, pa);
}

void pte_clear(struct kmap_state *ks, enum pte_window win, uint32_t nr)
{
	uint32_t pa;
	if (!entry(ks, win, nr, &pa, "pte_clear"))
		return;
	ks->stats.pte_writes++;
	kcharge(ks, ks->mm->core->cost.pte_write);
	if (ks->mm->caches)
		mm_cache_data(ks->mm, pa, true);
	hazard_pt_store(ks->mm->hazards, 0, pa, 4, 0, 0, true);
	phys_write32(&ks->mm->mem, pa, 0);
	pte_clean(ks, pa);
}
