/* SPDX-License-Identifier: MIT */
/* Page-table updates through FIX_PGD/PUD/PMD/PTE (arch/arm64/mm/mmu.c,
 * Linux v5.10): the guest creates two PAGE_KERNEL mappings in the (empty)
 * modules area with __create_pgd_mapping() as paging_init() runs it, then
 * loads and stores through them and reads the new descriptors back from
 * swapper_pg_dir through the linear map.  It works out how many times the
 * kernel's code maps and clears a fixmap slot for these two ranges from
 * the state of the tables before the call and prints the total, which
 * tests/meson.build compares with fixmap.pgtable_set/clear:
 *   - pgd_set_fixmap/pgd_clear_fixmap around the walk (paging_init): 1;
 *   - alloc_init_pud: FIX_PUD once per pgd entry with 4 levels (VA_BITS
 *     48); with 3 the pud is folded (pud_set_fixmap_offset is the pgd
 *     entry, no slot);
 *   - init_pmd: FIX_PMD once per CONT_PMD_SIZE (32 MiB) range, as
 *     alloc_init_cont_pmd calls it per range;
 *   - early_pgtable_alloc: FIX_PTE once per new table page (zeroing);
 *   - init_pte: FIX_PTE once per CONT_PTE_SIZE (64 KiB) range, as
 *     alloc_init_cont_pte calls it per range.
 * Every clear is clear_fixmap(): one flush_tlb_kernel_range page. */
#include <stdint.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define SZ_64K 0x10000ul
#define SZ_2M 0x200000ul
#define SZ_32M 0x2000000ul
#define PTE_CONT (1ull << 52)
#define ADDR_MASK 0x0000fffffffff000ull

static uint8_t buf[40 * PAGE_SIZE] __attribute__((aligned(0x10000)));

static unsigned long pa_symbol(const void *p)
{
	return (uintptr_t)p - kmaplab_kernel_info(KINFO_KIMAGE_VADDR) + kmaplab_kernel_info(KINFO_PHYS_OFFSET);
}

static volatile uint64_t *table_va(uint64_t desc)
{
	return (volatile uint64_t *)(uintptr_t)((desc & ADDR_MASK) - kmaplab_kernel_info(KINFO_PHYS_OFFSET) +
						kmaplab_kernel_info(KINFO_PAGE_OFFSET));
}

static unsigned long va_bits;

/* The pmd table of `va`'s 1 GiB region (must exist: the image's). */
static volatile uint64_t *pmd_table(unsigned long va)
{
	volatile uint64_t *pgd = (volatile uint64_t *)(uintptr_t)kmaplab_kernel_info(KINFO_SWAPPER_PG_DIR);
	uint64_t e = pgd[(va >> (va_bits == 48 ? 39 : 30)) & 511];
	CHECK((e & 3) == 3, "pgd entry of 0x%lx is a table", va);
	if (va_bits == 48) {
		e = table_va(e)[(va >> 30) & 511];
		CHECK((e & 3) == 3, "pud entry of 0x%lx is a table", va);
	}
	return table_va(e);
}

static uint64_t pte_of(unsigned long va)
{
	uint64_t pmd = pmd_table(va)[(va >> 21) & 511];
	CHECK((pmd & 3) == 3, "pmd entry of 0x%lx is a table", va);
	return table_va(pmd)[(va >> 12) & 511];
}

static unsigned long chunks(unsigned long start, unsigned long end, unsigned long size)
{
	return ((end - 1) / size) - (start / size) + 1;
}

/* Slot pairs __create_pgd_mapping() uses for [va, va + len) within one
 * pgd entry whose pud exists, counting the pmd entries that are empty. */
static unsigned long expected_pairs(unsigned long va, unsigned long len)
{
	unsigned long pairs = 1 + (va_bits == 48) + chunks(va, va + len, SZ_32M);
	volatile uint64_t *pmd = pmd_table(va);
	for (unsigned long a = va & ~(SZ_2M - 1); a < va + len; a += SZ_2M)
		pairs += pmd[(a >> 21) & 511] == 0; /* early_pgtable_alloc */
	for (unsigned long a = va & ~(SZ_2M - 1); a < va + len; a += SZ_2M) {
		unsigned long s = a > va ? a : va, e = a + SZ_2M < va + len ? a + SZ_2M : va + len;
		pairs += chunks(s, e, SZ_64K); /* init_pte per contiguous range */
	}
	return pairs;
}

static void check_range(unsigned long va, uint8_t *backing, unsigned long npages, uint8_t tag, int cont)
{
	unsigned long pa = pa_symbol(backing);
	for (unsigned long i = 0; i < npages; i++) {
		volatile uint8_t *p = (volatile uint8_t *)(va + i * PAGE_SIZE);
		backing[i * PAGE_SIZE + 3] = (uint8_t)(tag + i);
		CHECK(p[3] == (uint8_t)(tag + i), "load through 0x%lx", va + i * PAGE_SIZE);
		p[5] = (uint8_t)(tag ^ i);
		CHECK(backing[i * PAGE_SIZE + 5] == (uint8_t)(tag ^ i), "store through 0x%lx", va + i * PAGE_SIZE);
		uint64_t pte = pte_of(va + i * PAGE_SIZE);
		/* PAGE_KERNEL (PROT_NORMAL), plus PTE_CONT where v5.10 sets it. */
		uint64_t want = (pa + i * PAGE_SIZE) | 3u | 3u << 8 | 1u << 10 | 1ull << 51 | 1ull << 53 | 1ull << 54 |
				(cont ? PTE_CONT : 0);
		CHECK(pte == want, "pte of 0x%lx: 0x%llx, expected 0x%llx", va + i * PAGE_SIZE,
		      (unsigned long long)pte, (unsigned long long)want);
	}
}

int main(int argc, char **argv)
{
	(void)argv;
	va_bits = kmaplab_kernel_info(KINFO_VA_BITS);
	if (argc > 1) { /* "block": the image is 2 MiB blocks; a page there BUGs */
		unsigned long img = kmaplab_kernel_info(KINFO_KIMAGE_VADDR);
		__create_pgd_mapping(pa_symbol(buf), img + SZ_2M, PAGE_SIZE, NO_BLOCK_MAPPINGS);
		return 0;
	}
	/* MODULES_VADDR = _PAGE_END(VA_BITS_MIN) + SZ_128M (memory.h v5.10). */
	unsigned long modules = -(1ul << (va_bits - 1)) + 0x8000000ul;
	/* A: 24 pages across a 2 MiB boundary, page mappings only. */
	unsigned long va_a = modules + SZ_2M - 8 * PAGE_SIZE, len_a = 24 * PAGE_SIZE;
	/* B: one 64 KiB-aligned contiguous range: PTE_CONT is set. */
	unsigned long va_b = modules + 2 * SZ_2M, len_b = 16 * PAGE_SIZE;
	unsigned long pairs = expected_pairs(va_a, len_a);
	__create_pgd_mapping(pa_symbol(buf), va_a, len_a, NO_BLOCK_MAPPINGS | NO_CONT_MAPPINGS);
	pairs += expected_pairs(va_b, len_b);
	__create_pgd_mapping(pa_symbol(buf + 16 * PAGE_SIZE), va_b, len_b, NO_BLOCK_MAPPINGS);
	check_range(va_a, buf, 24, 0x40, 0);
	check_range(va_b, buf + 16 * PAGE_SIZE, 16, 0x80, 1);
	printf("pgtable ok: %lu fixmap set/clear pairs\n", pairs);
	return 0;
}
