/* SPDX-License-Identifier: MIT */
/* The arm64 kernel's virtual layout and its boot page tables (swapper_pg_dir
 * with 2 MiB blocks, as paging_init()/map_kernel() leave them), Linux v5.10
 * (arch/arm64/include/asm/memory.h, arch/arm64/mm/mmu.c). */
#include "arm64.h"

#include <stdio.h>
#include <string.h>

const char *const a64_tlbi_name[A64_TLBI_NR] = {
	"VAALE1IS", "VAE1IS", "VMALLE1IS", "ASIDE1IS", "VAE1", "VAALE1", "VMALLE1", "ASIDE1",
	"VALE1IS", "VALE1", "VAAE1IS", "VAAE1",
};

int a64_layout_init(struct a64_layout *l, unsigned va_bits, uint64_t phys_offset, uint64_t ram_size,
		    const struct a64_fixmap_enum *e, char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	if (va_bits != 39 && va_bits != 48) {
		snprintf(err, errlen, "VA_BITS %u is not 39 or 48", va_bits);
		return -1;
	}
	l->va_bits = va_bits;
	l->page_offset = A64_PAGE_OFFSET(va_bits);
	/* VA_BITS_MIN = VA_BITS for 39 and 48; without KASAN the BPF JIT
	 * region starts at KASAN_SHADOW_END = _PAGE_END(VA_BITS_MIN). */
	l->page_end = A64_PAGE_END(va_bits);
	l->bpf_jit_start = l->page_end;
	l->modules_vaddr = l->bpf_jit_start + SZ_128M;
	l->modules_end = l->modules_vaddr + SZ_128M;
	l->kimage_vaddr = l->modules_end;
	l->vmemmap_size = (l->page_end - l->page_offset) >> (A64_PAGE_SHIFT - STRUCT_PAGE_MAX_SHIFT);
	l->vmemmap_start = 0 - l->vmemmap_size - SZ_2M;
	l->pci_io_end = l->vmemmap_start - SZ_2M;
	l->pci_io_start = l->pci_io_end - SZ_16M;
	l->fixaddr_top = l->pci_io_start - SZ_2M;
	/* FIXADDR_SIZE covers the permanent slots only (fixmap.h). */
	l->fixaddr_start = l->fixaddr_top - ((uint64_t)e->end_of_permanent << A64_PAGE_SHIFT);
	l->phys_offset = phys_offset;
	l->ram_size = ram_size;
	return 0;
}

uint64_t a64_early_pgtable_alloc(struct a64_kernel *k)
{
	if (k->memblock_next + A64_PAGE_SIZE > k->memblock_end)
		return 0;
	uint64_t pa = k->memblock_next;
	k->memblock_next += A64_PAGE_SIZE;
	memset(a64_table(&k->mem, pa), 0, A64_PAGE_SIZE);
	return pa;
}

/* Index of `va` in the table at `level` (0: the 48-bit pgd, 1: pud or the
 * 39-bit pgd, 2: pmd, 3: pte). */
static unsigned a64_index(uint64_t va, unsigned level)
{
	return (unsigned)(va >> (12 + 9 * (3 - level))) & (A64_PTRS - 1);
}

/* The level of swapper_pg_dir: 1 with VA_BITS 39 (3 levels: pgd, pmd, pte),
 * 0 with VA_BITS 48 (4 levels: pgd, pud, pmd, pte), CONFIG_PGTABLE_LEVELS. */
unsigned a64_pgd_level(unsigned va_bits)
{
	return va_bits > 39 ? 0 : 1;
}

int a64_map_blocks(struct a64_kernel *k, uint64_t va, uint64_t pa, uint64_t size, uint64_t prot)
{
	if ((va | pa | size) & (SZ_2M - 1))
		return -1;
	for (uint64_t off = 0; off < size; off += SZ_2M) {
		uint64_t *table = a64_table(&k->mem, k->swapper_pg_dir);
		/* Down to the pmd, allocating the tables that are missing. */
		for (unsigned lvl = a64_pgd_level(k->layout.va_bits); lvl < 2; lvl++) {
			uint64_t *entry = &table[a64_index(va + off, lvl)];
			if (!(*entry & PTE_VALID)) {
				uint64_t next = a64_early_pgtable_alloc(k);
				if (!next)
					return -1;
				*entry = next | PMD_TYPE_TABLE;
			}
			table = a64_table(&k->mem, *entry & PTE_ADDR_MASK);
		}
		/* A block descriptor: the page bits with type 0b01. */
		table[a64_index(va + off, 2)] = ((pa + off) & PTE_ADDR_MASK) | (prot & ~PTE_TYPE_PAGE) | PMD_TYPE_SECT;
	}
	return 0;
}

/* The VMSAv8-64 stage-1 walk, 4 KiB granule, starting level from VA_BITS
 * (39: level 1, 48: level 0), for TTBR1 addresses. */
bool a64_walk(const struct a64_mem *m, uint64_t ttbr, unsigned va_bits, uint64_t va, uint64_t *desc,
	      unsigned *level, uint64_t *pa)
{
	unsigned lvl = a64_pgd_level(va_bits);
	uint64_t table = ttbr & PTE_ADDR_MASK;
	for (;; lvl++) {
		uint64_t dpa = table + 8ull * a64_index(va, lvl);
		if (!a64_phys_ok(m, dpa, 8))
			return false;
		uint64_t d = *a64_table(m, dpa);
		*desc = d;
		*level = lvl;
		if (!(d & PTE_VALID))
			return false;
		if (lvl == 3) {
			/* A page needs type 0b11 and, with hardware access-flag
			 * management off (TCR_EL1.HA = 0), AF set: else an
			 * Access flag fault. */
			if ((d & 3) != 3 || !(d & PTE_AF))
				return false;
			*pa = (d & PTE_ADDR_MASK) | (va & (A64_PAGE_SIZE - 1));
			return true;
		}
		if ((d & 3) == 1) { /* block: 1 GiB at level 1, 2 MiB at level 2 */
			if (lvl == 0 || !(d & PTE_AF))
				return false;
			uint64_t bsize = 1ull << (12 + 9 * (3 - lvl));
			*pa = (d & PTE_ADDR_MASK & ~(bsize - 1)) | (va & (bsize - 1));
			return true;
		}
		table = d & PTE_ADDR_MASK;
	}
}
