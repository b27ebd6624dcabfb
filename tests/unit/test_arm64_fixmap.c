/* SPDX-License-Identifier: MIT */
/* Unit tests of the arm64 layout and fixmap (mm/arm64_layout.c,
 * mm/arm64_fixmap.c) against numbers worked out by hand from Linux v5.10
 * (arch/arm64/include/asm/memory.h, fixmap.h; checked in stable 5.10.13).
 *
 * Layout, no KASAN, STRUCT_PAGE_MAX_SHIFT 6, PCI_IO_SIZE 16 MiB:
 *   VA_BITS 39: PAGE_OFFSET = -2^39 = 0xffffff8000000000
 *     _PAGE_END(39) = -2^38 = 0xffffffc000000000 = BPF JIT start
 *     MODULES_VADDR = +128M = 0xffffffc008000000, KIMAGE_VADDR = +128M
 *     = 0xffffffc010000000
 *     VMEMMAP_SIZE = 2^38 >> 6 = 2^32; VMEMMAP_START = -2^32 - 2M
 *     = 0xfffffffeffe00000; PCI_IO_END = -2M = 0xfffffffeffc00000;
 *     PCI_IO_START = -16M = 0xfffffffefec00000; FIXADDR_TOP = -2M
 *     = 0xfffffffefea00000
 *   VA_BITS 48: PAGE_OFFSET 0xffff000000000000, _PAGE_END 0xffff800000000000,
 *     KIMAGE_VADDR 0xffff800010000000, VMEMMAP_SIZE 2^47 >> 6 = 2^41,
 *     VMEMMAP_START 0xfffffdffffe00000, PCI_IO_START 0xfffffdfffec00000,
 *     FIXADDR_TOP 0xfffffdfffea00000
 * enum fixed_addresses, 4 KiB pages, FIX_FDT_SIZE 4 MiB = 1024 pages:
 *   FIX_HOLE 0, FIX_FDT_END 1, FIX_FDT 1024, FIX_EARLYCON_MEM_BASE 1025,
 *   FIX_TEXT_POKE0 1026; with GHES+SDEI 1027..1030; with KPTI
 *   FIX_ENTRY_TRAMP_DATA/TEXT next; NR_FIX_BTMAPS 64, 7 slots = 448.
 *   All on:  __end_of_permanent 1033, FIX_BTMAP_BEGIN 1480, FIX_PTE 1481,
 *            FIX_PGD 1484, __end_of_fixed_addresses 1485
 *   All off: __end_of_permanent 1027, FIX_BTMAP_BEGIN 1474, __end 1479 */
#include <stdlib.h>
#include <string.h>

#include "arm64.h"
#include "check.h"

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (64ull << 20)

static enum a64_tlbi last_op;
static uint64_t last_va, ops;
static unsigned rec_tlbi(void *arg, enum a64_tlbi op, uint64_t va)
{
	(void)arg;
	last_op = op;
	last_va = va;
	ops++;
	return 0;
}
static const struct a64_flush_ops rec_ops = { .tlbi = rec_tlbi };

static void test_layout(void)
{
	struct a64_config all = { true, true, true };
	struct a64_fixmap_enum e;
	a64_fixmap_enum_init(&e, &all);
	struct a64_layout l;
	char err[128];
	CHECK_EQ(a64_layout_init(&l, 39, RAM_BASE, RAM_SIZE, &e, err, sizeof(err)), 0);
	CHECK_EQ(l.page_offset, 0xffffff8000000000ull);
	CHECK_EQ(l.modules_vaddr, 0xffffffc008000000ull);
	CHECK_EQ(l.kimage_vaddr, 0xffffffc010000000ull);
	CHECK_EQ(l.vmemmap_start, 0xfffffffeffe00000ull);
	CHECK_EQ(l.pci_io_start, 0xfffffffefec00000ull);
	CHECK_EQ(l.fixaddr_top, 0xfffffffefea00000ull);
	CHECK_EQ(l.fixaddr_start, 0xfffffffefea00000ull - 1033ull * 4096);
	CHECK_EQ(a64_layout_init(&l, 48, RAM_BASE, RAM_SIZE, &e, err, sizeof(err)), 0);
	CHECK_EQ(l.page_offset, 0xffff000000000000ull);
	CHECK_EQ(l.kimage_vaddr, 0xffff800010000000ull);
	CHECK_EQ(l.vmemmap_start, 0xfffffdffffe00000ull);
	CHECK_EQ(l.pci_io_start, 0xfffffdfffec00000ull);
	CHECK_EQ(l.fixaddr_top, 0xfffffdfffea00000ull);
	CHECK(a64_layout_init(&l, 42, RAM_BASE, RAM_SIZE, &e, err, sizeof(err)) != 0);
}

static void test_enum(void)
{
	struct a64_config all = { true, true, true }, none = { false, false, false };
	struct a64_fixmap_enum e;
	a64_fixmap_enum_init(&e, &all);
	CHECK_EQ(e.fix_fdt, 1024);
	CHECK_EQ(e.fix_earlycon_mem_base, 1025);
	CHECK_EQ(e.fix_text_poke0, 1026);
	CHECK_EQ(e.fix_apei_ghes_irq, 1027);
	CHECK_EQ(e.fix_apei_ghes_sdei_critical, 1030);
	CHECK_EQ(e.fix_entry_tramp_text, 1032);
	CHECK_EQ(e.end_of_permanent, 1033);
	CHECK_EQ(e.fix_btmap_begin, 1480);
	CHECK_EQ(e.fix_pte, 1481);
	CHECK_EQ(e.fix_pgd, 1484);
	CHECK_EQ(e.end_of_fixed, 1485);
	a64_fixmap_enum_init(&e, &none);
	CHECK_EQ(e.fix_apei_ghes_irq, -1);
	CHECK_EQ(e.end_of_permanent, 1027);
	CHECK_EQ(e.fix_btmap_begin, 1474);
	CHECK_EQ(e.end_of_fixed, 1479);
}

/* FIXADDR_TOP worked out above, per VA_BITS. */
static uint64_t top_of(unsigned va_bits)
{
	return va_bits == 48 ? 0xfffffdfffea00000ull : 0xfffffffefea00000ull;
}

static uint8_t *boot(struct a64_kernel *k, unsigned va_bits)
{
	uint8_t *ram = calloc(1, RAM_SIZE);
	char err[128];
	memset(k, 0, sizeof(*k));
	k->cfg = (struct a64_config){ true, true, true };
	a64_fixmap_enum_init(&k->fix, &k->cfg);
	a64_layout_init(&k->layout, va_bits, RAM_BASE, RAM_SIZE, &k->fix, err, sizeof(err));
	k->mem = (struct a64_mem){ ram, RAM_BASE, RAM_SIZE };
	k->memblock_next = RAM_BASE + RAM_SIZE - (1 << 20);
	k->memblock_end = RAM_BASE + RAM_SIZE;
	k->swapper_pg_dir = a64_early_pgtable_alloc(k);
	if (va_bits == 48)
		k->bm_pud = a64_early_pgtable_alloc(k);
	k->bm_pmd = a64_early_pgtable_alloc(k);
	k->bm_pte = a64_early_pgtable_alloc(k);
	a64_early_fixmap_init(k);
	a64_early_ioremap_setup(k);
	k->flush = &rec_ops;
	return ram;
}

/* __set_fixmap: a set flushes nothing, a clear flushes exactly its page
 * with one TLBI VAALE1IS; the walk sees the new PTE. */
static void test_set_fixmap(unsigned va_bits)
{
	struct a64_kernel k;
	uint8_t *ram = boot(&k, va_bits);
	uint64_t top = top_of(va_bits), start = top - 1033ull * 4096; /* FIXADDR_START */
	uint64_t *pgd = a64_table(&k.mem, k.swapper_pg_dir);
	if (va_bits == 39) {
		/* early_fixmap_init: the pgd entry of FIXADDR_START -> bm_pmd, its
		 * pmd entry -> bm_pte (3 levels: no bm_pud).  0xfffffffefe5f7000:
		 * VA[38:30] = 507, VA[29:21] = 498. */
		CHECK_EQ(start, 0xfffffffefe5f7000ull);
		CHECK_EQ(pgd[507], k.bm_pmd | 3);
		CHECK_EQ(a64_table(&k.mem, k.bm_pmd)[498], k.bm_pte | 3);
	} else {
		/* 4 levels: pgd -> bm_pud -> bm_pmd -> bm_pte.  0xfffffdfffe5f7000:
		 * VA[47:39] = 507, VA[38:30] = 511, VA[29:21] = 498. */
		CHECK_EQ(start, 0xfffffdfffe5f7000ull);
		CHECK_EQ(pgd[507], k.bm_pud | 3);
		CHECK_EQ(a64_table(&k.mem, k.bm_pud)[511], k.bm_pmd | 3);
		CHECK_EQ(a64_table(&k.mem, k.bm_pmd)[498], k.bm_pte | 3);
	}
	uint64_t va = top - 1026ull * 4096; /* FIX_TEXT_POKE0 */
	CHECK_EQ(a64_fix_to_virt(&k, k.fix.fix_text_poke0), va);
	CHECK_EQ(a64_virt_to_fix(&k, va + 123), 1026);
	CHECK_EQ(a64_virt_to_fix(&k, top), -1);
	ops = 0;
	CHECK_EQ(a64___set_fixmap(&k, k.fix.fix_text_poke0, RAM_BASE + 0x5000, PAGE_KERNEL), 0);
	CHECK_EQ(ops, 0);
	uint64_t desc, pa;
	unsigned level;
	CHECK(a64_walk(&k.mem, k.swapper_pg_dir, va_bits, va + 8, &desc, &level, &pa));
	CHECK_EQ(level, 3);
	CHECK_EQ(pa, RAM_BASE + 0x5008);
	CHECK_EQ((desc >> 2) & 7, MT_NORMAL);
	CHECK_EQ(a64___set_fixmap(&k, k.fix.fix_earlycon_mem_base, 0x09000000, FIXMAP_PAGE_IO), 0);
	CHECK(a64_walk(&k.mem, k.swapper_pg_dir, va_bits, a64_fix_to_virt(&k, 1025), &desc, &level, &pa));
	CHECK_EQ((desc >> 2) & 7, MT_DEVICE_nGnRE); /* MAIR index 5 */
	CHECK_EQ(ops, 0);
	CHECK_EQ(a64___set_fixmap(&k, k.fix.fix_text_poke0, 0, FIXMAP_PAGE_CLEAR), 0);
	CHECK_EQ(ops, 1);
	CHECK_EQ(last_op, A64_TLBI_VAALE1IS);
	CHECK_EQ(last_va, va);
	CHECK_EQ(k.stats.flush_tlb_kernel_range_calls, 1);
	CHECK(!a64_walk(&k.mem, k.swapper_pg_dir, va_bits, va, &desc, &level, &pa));
	CHECK(a64___set_fixmap(&k, 0, RAM_BASE, PAGE_KERNEL) != 0); /* FIX_HOLE: BUG_ON */
	CHECK(a64___set_fixmap(&k, 1485, RAM_BASE, PAGE_KERNEL) != 0);
	/* Ranges over 512 pages become flush_tlb_all (TLBI VMALLE1IS). */
	ops = 0;
	a64_flush_tlb_kernel_range(&k, va, va + 513 * 4096ull);
	CHECK_EQ(ops, 1);
	CHECK_EQ(last_op, A64_TLBI_VMALLE1IS);
	a64_flush_tlb_kernel_range(&k, va, va + 512 * 4096ull);
	CHECK_EQ(ops, 1 + 512);
	free(ram);
}

/* early_ioremap: slot i starts at FIX_BTMAP_BEGIN - 64 i; 7 slots, then a
 * WARN; iounmap clears (and flushes) each page. */
static void test_early_ioremap(unsigned va_bits)
{
	struct a64_kernel k;
	uint8_t *ram = boot(&k, va_bits);
	uint64_t top = top_of(va_bits);
	uint64_t va[7];
	ops = 0;
	for (unsigned i = 0; i < 7; i++) {
		va[i] = a64_early_ioremap(&k, RAM_BASE + 0x10000 * i + 0x10, 0x1800, FIXMAP_PAGE_IO);
		CHECK_EQ(va[i], top - ((1480ull - 64 * i) << 12) + 0x10);
	}
	CHECK_EQ(ops, 0);
	CHECK_EQ(a64_early_ioremap(&k, RAM_BASE, 0x1000, FIXMAP_PAGE_IO), 0); /* no free slot */
	CHECK_EQ(a64_early_ioremap(&k, RAM_BASE, 0, FIXMAP_PAGE_IO), 0);
	uint64_t desc, pa;
	unsigned level;
	CHECK(a64_walk(&k.mem, k.swapper_pg_dir, va_bits, va[3] + 0x1000, &desc, &level, &pa));
	CHECK_EQ(pa, RAM_BASE + 0x30000 + 0x1010);
	CHECK(a64_early_iounmap(&k, va[3], 0x1000) != 0); /* size not consistent */
	CHECK_EQ(a64_early_iounmap(&k, va[3], 0x1800), 0);
	CHECK_EQ(ops, 2); /* 0x10 + 0x1800 spans 2 pages */
	CHECK(!a64_walk(&k.mem, k.swapper_pg_dir, va_bits, va[3], &desc, &level, &pa));
	CHECK_EQ(a64_early_ioremap(&k, RAM_BASE, 64 * 4096ull + 1, FIXMAP_PAGE_IO), 0); /* > NR_FIX_BTMAPS */
	CHECK_EQ(a64_early_ioremap(&k, RAM_BASE + 0x7000, 0x100, FIXMAP_PAGE_IO),
		 top - ((1480ull - 64 * 3) << 12)); /* the freed slot */
	free(ram);
}

/* map_kernel()/map_mem() as 2 MiB blocks: the walk starts at level 1
 * (VA_BITS 39) or 0 (48) and ends in a level-2 block. */
static void test_map_blocks(unsigned va_bits)
{
	struct a64_kernel k;
	uint8_t *ram = boot(&k, va_bits);
	uint64_t kimage = va_bits == 48 ? 0xffff800010000000ull : 0xffffffc010000000ull;
	CHECK_EQ(a64_pgd_level(va_bits), va_bits == 48 ? 0u : 1u);
	CHECK_EQ(a64_map_blocks(&k, kimage, RAM_BASE + SZ_2M, 2 * SZ_2M, PAGE_KERNEL_EXEC), 0);
	CHECK(a64_map_blocks(&k, kimage + 4096, RAM_BASE, SZ_2M, PAGE_KERNEL) != 0); /* misaligned */
	uint64_t desc, pa;
	unsigned level;
	CHECK(a64_walk(&k.mem, k.swapper_pg_dir, va_bits, kimage + SZ_2M + 0x1234, &desc, &level, &pa));
	CHECK_EQ(level, 2);
	CHECK_EQ(desc & 3, 1); /* block */
	CHECK_EQ(pa, RAM_BASE + 2 * SZ_2M + 0x1234);
	CHECK_EQ(desc & PTE_PXN, 0);
	CHECK(!a64_walk(&k.mem, k.swapper_pg_dir, va_bits, kimage + 2 * SZ_2M, &desc, &level, &pa));
	free(ram);
}

int main(void)
{
	test_layout();
	test_enum();
	test_set_fixmap(39);
	test_set_fixmap(48);
	test_early_ioremap(39);
	test_early_ioremap(48);
	test_map_blocks(39);
	test_map_blocks(48);
	return check_done();
}
