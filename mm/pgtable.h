/* SPDX-License-Identifier: MIT */
/* Kernel PTEs of the two highmem windows, in guest RAM:
 *
 *   PTE_WINDOW_PKMAP   pkmap_page_table[nr], nr 0..LAST_PKMAP-1, maps
 *                      PKMAP_ADDR(nr) = PKMAP_BASE + (nr << PAGE_SHIFT)
 *   PTE_WINDOW_FIXMAP  the bm_pte entry of fixmap slot nr, nr 0..767, maps
 *                      __fix_to_virt(nr) = FIXADDR_TOP - (nr << PAGE_SHIFT)
 *
 * A PTE value is the ARMv7 short-descriptor small-page descriptor the MMU
 * walks (ARM Linux keeps a second, "Linux" PTE beside it: not modelled,
 * but its store is in the pte_write cost).  0 is pte_none.
 *
 * Stores are charged pte_write, loads mem_access.  An nr out of range is a
 * kernel BUG (the kernel would scribble past the table). */
#ifndef KMAPLAB_MM_PGTABLE_H
#define KMAPLAB_MM_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"

struct kmap_state;

enum pte_window { PTE_WINDOW_PKMAP, PTE_WINDOW_FIXMAP };

/* Protections kernel code maps with.  All are privileged-only and XN
 * (PAGE_KERNEL and FIXMAP_PAGE_* carry L_PTE_XN on ARM).  Memory type:
 * every mapping is Normal write-back (mmu_l2_small): FIXMAP_PAGE_IO's
 * Device type is not modelled, so that QEMU does not apply Device rules
 * (alignment) to a guest's early_ioremap of RAM. */
enum kprot {
	PROT_KERNEL,     /* kmap_prot = PAGE_KERNEL, FIXMAP_PAGE_NORMAL */
	PROT_KERNEL_IO,  /* FIXMAP_PAGE_IO / FIXMAP_PAGE_NOCACHE */
	PROT_KERNEL_RO,  /* FIXMAP_PAGE_RO */
};

uint32_t mk_pte(uint32_t pfn, enum kprot prot);

static inline bool pte_none(uint32_t pte)
{
	return pte == 0;
}

/* pfn of a small-page descriptor. */
static inline uint32_t pte_pfn(uint32_t pte)
{
	return pte >> PAGE_SHIFT;
}

/* Number of PTEs in a window. */
uint32_t pte_window_size(enum pte_window win);
/* VA mapped by PTE `nr` of `win` (nr must be in range). */
uint32_t pte_window_va(const struct kmap_state *ks, enum pte_window win, uint32_t nr);
/* Physical address of PTE `nr`; false if nr is out of range. */
bool pte_window_pa(const struct kmap_state *ks, enum pte_window win, uint32_t nr, uint32_t *pa);

uint32_t pte_read(struct kmap_state *ks, enum pte_window win, uint32_t nr);
void set_pte_at(struct kmap_state *ks, enum pte_window win, uint32_t nr, uint32_t pte);
void pte_clear(struct kmap_state *ks, enum pte_window win, uint32_t nr);

/* Uncharged read for reports. */
uint32_t pte_peek(const struct kmap_state *ks, enum pte_window win, uint32_t nr);

#endif
