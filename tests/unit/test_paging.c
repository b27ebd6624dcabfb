/* SPDX-License-Identifier: MIT */
/* Unit tests of the kernel layout (mm/layout.{h,c}) and the boot page
 * tables (mm/paging.c), checked through the walker (mm/mmu.c).
 *
 * Layout numbers, worked by hand from Linux v5.x ARM:
 *   VMALLOC_END 0xff800000, vmalloc_min = VMALLOC_END - 240 MiB - 8 MiB
 *   = 0xff800000 - 0x0f000000 - 0x00800000 = 0xf0000000: lowmem ends at VA
 *   0xf0000000 whatever the split.  PKMAP_BASE = PAGE_OFFSET - 2 MiB.
 *
 *   split  PAGE_OFFSET  PKMAP_BASE  1 GiB RAM: lowmem      high_memory
 *   3G/1G  0xc0000000   0xbfe00000  0x30000000 (768 MiB)  0xf0000000
 *   2G/2G  0x80000000   0x7fe00000  0x40000000 (1 GiB)    0xc0000000
 *   1G/3G  0x40000000   0x3fe00000  refused: RAM must end below PKMAP_BASE
 *          (at most 0x3fe00000 = 1022 MiB); the default is capped to a
 *          16 MiB multiple: 0x3f000000 (1008 MiB), all lowmem, high_memory
 *          0x7f000000.
 *
 * Descriptors as mm/mmu.c writes them (Normal WBWA memory type):
 *   section      pa | 0x100c (TEX=001, C, B) | AP<<10 | domain<<5 | 0x2
 *                kernel RW (AP 01), domain 0: pa | 0x140e
 *   small page   pa | 0x04c (TEX=001, C, B) | APX<<9 | AP<<4 | 0x2
 *                vectors, privileged RO (APX 1, AP 01): pa | 0x25e
 *   page table   l2 | domain<<5 | 0x1
 *
 * Boot tables: swapper_pg_dir at PHYS_OFFSET + 0x4000; L2 tables from the
 * boot allocator starting at memblock_next = 16 MiB: pkmap 2 KiB (2 MiB of
 * VA), fixmap 3 KiB (0xffc00000..0xfff00000), vectors 1 KiB (0xfff00000..):
 * 6 KiB = 0x1800 in all, every piece 1 KiB-aligned so no padding. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "mm.h"

#define GiB (1u << 30)
#define MiB (1u << 20)
#define MEMBLOCK_START 0x01000000u

static void test_parse(void)
{
	enum vm_split s = SPLIT_1G_3G;
	CHECK(vm_split_parse("3G/1G", &s) == 0 && s == SPLIT_3G_1G);
	CHECK(vm_split_parse("2G/2G", &s) == 0 && s == SPLIT_2G_2G);
	CHECK(vm_split_parse("1G/3G", &s) == 0 && s == SPLIT_1G_3G);
	CHECK(vm_split_parse("4G/0G", &s) == -1);
	CHECK(vm_split_parse("3g/1g", &s) == -1);
	CHECK(vm_split_parse("", &s) == -1);
	CHECK(strcmp(vm_split_name(SPLIT_3G_1G), "3G/1G") == 0);
	CHECK(strcmp(vm_split_name(SPLIT_2G_2G), "2G/2G") == 0);
	CHECK(strcmp(vm_split_name(SPLIT_1G_3G), "1G/3G") == 0);
}

static void test_layout(void)
{
	struct kernel_layout l;
	char err[300];

	CHECK_EQ(VMALLOC_MIN, 0xf0000000u);

	/* 3G/1G, 1 GiB */
	CHECK_EQ(layout_default_ram(SPLIT_3G_1G), GiB);
	if (CHECK_EQ(layout_init(&l, SPLIT_3G_1G, GiB, err, sizeof(err)), 0)) {
		CHECK_EQ(l.split, SPLIT_3G_1G);
		CHECK_EQ(l.page_offset, 0xc0000000u);
		CHECK_EQ(l.phys_offset, 0);
		CHECK_EQ(l.ram_size, 0x40000000u);
		CHECK_EQ(l.lowmem_size, 0x30000000u); /* 768 MiB */
		CHECK_EQ(l.high_memory, 0xf0000000u);
		CHECK_EQ(l.pkmap_base, 0xbfe00000u);
		CHECK_EQ(PKMAP_ADDR(&l, 0), 0xbfe00000u);
		CHECK_EQ(PKMAP_ADDR(&l, 1), 0xbfe01000u);
		CHECK_EQ(PKMAP_ADDR(&l, LAST_PKMAP), 0xc0000000u); /* ends at PAGE_OFFSET */
		CHECK_EQ(PKMAP_NR(&l, 0xbfe05fffu), 5);
		CHECK_EQ(__pa(&l, 0xc0123456u), 0x00123456u);
		CHECK_EQ(__va(&l, 0x2fffffffu), 0xefffffffu);
	}

	/* 2G/2G, 1 GiB: all lowmem */
	CHECK_EQ(layout_default_ram(SPLIT_2G_2G), GiB);
	if (CHECK_EQ(layout_init(&l, SPLIT_2G_2G, GiB, err, sizeof(err)), 0)) {
		CHECK_EQ(l.page_offset, 0x80000000u);
		CHECK_EQ(l.lowmem_size, 0x40000000u);
		CHECK_EQ(l.high_memory, 0xc0000000u);
		CHECK_EQ(l.pkmap_base, 0x7fe00000u);
		CHECK_EQ(__pa(&l, 0x80000000u), 0);
	}
	/* 2G/2G with 2 GiB - 2 MiB (the most below PKMAP_BASE): lowmem still
	 * stops at VA 0xf0000000, i.e. 0x70000000 = 1792 MiB. */
	if (CHECK_EQ(layout_init(&l, SPLIT_2G_2G, 0x7fe00000u, err, sizeof(err)), 0)) {
		CHECK_EQ(l.lowmem_size, 0x70000000u);
		CHECK_EQ(l.high_memory, 0xf0000000u);
	}

	/* 1G/3G: 1 GiB does not fit below PKMAP_BASE 0x3fe00000. */
	err[0] = 0;
	CHECK_EQ(layout_init(&l, SPLIT_1G_3G, GiB, err, sizeof(err)), -1);
	if (!CHECK(strstr(err, "--ram") && strstr(err, "1024M") && strstr(err, "0x3fe00000") &&
		   strstr(err, "1G/3G") && strstr(err, "1022M")))
		fprintf(stderr, "  1G/3G message: \"%s\"\n", err);
	CHECK_EQ(layout_default_ram(SPLIT_1G_3G), 0x3f000000u); /* 1008 MiB */
	if (CHECK_EQ(layout_init(&l, SPLIT_1G_3G, 0x3f000000u, err, sizeof(err)), 0)) {
		CHECK_EQ(l.page_offset, 0x40000000u);
		CHECK_EQ(l.pkmap_base, 0x3fe00000u);
		CHECK_EQ(l.lowmem_size, 0x3f000000u);
		CHECK_EQ(l.high_memory, 0x7f000000u);
	}
	CHECK_EQ(layout_init(&l, SPLIT_1G_3G, 0x3fe00000u, err, sizeof(err)), 0); /* exactly fits */
	CHECK_EQ(layout_init(&l, SPLIT_1G_3G, 0x3ff00000u, err, sizeof(err)), -1);

	/* 3G/1G: less RAM than the lowmem limit is all lowmem. */
	if (CHECK_EQ(layout_init(&l, SPLIT_3G_1G, 512 * MiB, err, sizeof(err)), 0)) {
		CHECK_EQ(l.lowmem_size, 512 * MiB);
		CHECK_EQ(l.high_memory, 0xe0000000u);
	}
	/* RAM size rules: at least 16 MiB, whole MiB. */
	CHECK_EQ(layout_init(&l, SPLIT_3G_1G, 16 * MiB, err, sizeof(err)), 0);
	CHECK_EQ(layout_init(&l, SPLIT_3G_1G, 15 * MiB, err, sizeof(err)), -1);
	CHECK(strstr(err, "--ram") != NULL);
	CHECK_EQ(layout_init(&l, SPLIT_3G_1G, 16 * MiB + 4096, err, sizeof(err)), -1);
	CHECK(strstr(err, "--ram") != NULL);
	CHECK_EQ(layout_init(&l, SPLIT_3G_1G, 0xbfe00000u, err, sizeof(err)), 0);
	CHECK_EQ(layout_init(&l, SPLIT_3G_1G, 0xbff00000u, err, sizeof(err)), -1);

	/* Fixmap slots: index 0 at FIXADDR_TOP = 0xffeff000, 767 at FIXADDR_START. */
	CHECK_EQ(__fix_to_virt(0), 0xffeff000u);
	CHECK_EQ(__fix_to_virt(767), 0xffc00000u);
	CHECK_EQ(__virt_to_fix(0xffeffabcu), 0);
	CHECK_EQ(__virt_to_fix(0xffc00000u), 767);
}

struct machine {
	struct mm mm;
	uint8_t *ram;
	size_t ram_size;
};

static bool machine_up(struct machine *m, enum vm_split split, uint32_t ram_size)
{
	char err[300];
	memset(m, 0, sizeof(*m));
	if (!CHECK_EQ(layout_init(&m->mm.layout, split, ram_size, err, sizeof(err)), 0))
		return false;
	m->ram_size = ram_size;
	m->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		      -1, 0);
	if (!CHECK(m->ram != MAP_FAILED))
		return false;
	/* Garbage below and in the boot allocator's area: paging_init must
	 * zero every table it uses (0xaa.. is a valid small-page descriptor). */
	memset(m->ram, 0xaa, 32 * MiB);
	m->mm.mem = (struct phys_mem){ .host = m->ram, .base = 0, .size = ram_size };
	m->mm.boot.memblock_start = m->mm.boot.memblock_next = MEMBLOCK_START;
	m->mm.boot.memblock_end = m->mm.layout.phys_offset + m->mm.layout.lowmem_size;
	return true;
}

static void machine_down(struct machine *m)
{
	if (m->ram && m->ram != MAP_FAILED)
		munmap(m->ram, m->ram_size);
}

static uint32_t rd(struct machine *m, uint32_t pa)
{
	uint32_t v;
	memcpy(&v, m->ram + pa, 4);
	return v;
}

/* Checks that `va` is an unmapped L2 entry of a present kernel table
 * whose PTE lives at `pte_pa`. */
static void check_l2_hole(struct machine *m, uint32_t va, uint32_t pte_pa)
{
	struct mmu_translation t;
	enum mmu_fault f = mmu_walk(&m->mm.mem, &m->mm.regs, va, &t);
	/* Both checks run (each reports its own failure) before the VA is named. */
	bool bad = !CHECK_EQ(f, MMU_FAULT_TRANSLATION);
	bad = !CHECK_EQ(t.level, 2) || bad;
	if (bad)
		fprintf(stderr, "  VA 0x%08x\n", va);
	CHECK_EQ(t.l1_desc & 0x3u, 0x1u); /* page table */
	CHECK_EQ((t.l1_desc >> 5) & 0xfu, 0); /* domain 0 */
	CHECK_EQ(t.l1_pa, 0x4000u + (va >> 20) * 4);
	CHECK_EQ(t.l2_pa, pte_pa);
	CHECK_EQ(t.l2_desc, 0);
	CHECK_EQ(t.desc_reads, 2);
}

static void test_paging_3g(void)
{
	struct machine m;
	if (!machine_up(&m, SPLIT_3G_1G, GiB)) {
		machine_down(&m);
		return;
	}
	struct mm *mm = &m.mm;
	if (!CHECK_EQ(paging_init(mm), 0)) {
		machine_down(&m);
		return;
	}

	/* Registers. */
	CHECK_EQ(mm->swapper_pg_dir, 0x4000u);
	CHECK_EQ(mm->regs.sctlr & 1u, 1u);
	CHECK_EQ(mm->regs.ttbr0 & ~0x7fu, 0x4000u);
	CHECK_EQ(mm->regs.ttbcr & 7u, 0);
	CHECK_EQ(mm->regs.dacr & 3u, 1u); /* domain 0: client */

	/* Boot allocator: 0x1800 bytes of L2 tables, 1 KiB-aligned, distinct. */
	CHECK_EQ(mm->boot.memblock_next, MEMBLOCK_START + 0x1800u);
	uint32_t tables[3] = { mm->pkmap_page_table, mm->bm_pte, mm->vectors_pte };
	uint32_t sizes[3] = { 0x800, 0xc00, 0x400 };
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(tables[i] & 0x3ffu, 0);
		CHECK(tables[i] >= MEMBLOCK_START && tables[i] + sizes[i] <= MEMBLOCK_START + 0x1800u);
		for (int j = 0; j < i; j++)
			CHECK(tables[i] + sizes[i] <= tables[j] || tables[j] + sizes[j] <= tables[i]);
	}

	/* The whole L1 table: 768 sections for 0xc00..0xeff, page tables for
	 * 0xbfe, 0xbff (pkmap), 0xffc..0xffe (fixmap), 0xfff (vectors). */
	unsigned sections = 0, ptables = 0, faults = 0, wrong = 0;
	for (uint32_t i = 0; i < 4096; i++) {
		uint32_t d = rd(&m, 0x4000u + i * 4);
		if (i >= 0xc00 && i < 0xf00) {
			sections++;
			wrong += d != (((i - 0xc00) << 20) | 0x140eu);
		} else if (i == 0xbfe || i == 0xbff || i >= 0xffc) {
			ptables++;
			wrong += (d & 0x3ffu) != 0x001u;
		} else {
			faults++;
			wrong += d != 0;
		}
	}
	CHECK_EQ(wrong, 0);
	CHECK_EQ(sections + ptables + faults, 4096);
	CHECK_EQ(rd(&m, 0x4000u + 0xbfe * 4), mm->pkmap_page_table | 1u);
	CHECK_EQ(rd(&m, 0x4000u + 0xbff * 4), (mm->pkmap_page_table + 0x400u) | 1u);
	CHECK_EQ(rd(&m, 0x4000u + 0xffc * 4), mm->bm_pte | 1u);
	CHECK_EQ(rd(&m, 0x4000u + 0xffd * 4), (mm->bm_pte + 0x400u) | 1u);
	CHECK_EQ(rd(&m, 0x4000u + 0xffe * 4), (mm->bm_pte + 0x800u) | 1u);
	CHECK_EQ(rd(&m, 0x4000u + 0xfff * 4), mm->vectors_pte | 1u);

	struct mmu_translation t;
	uint32_t pa = 0;

	/* Lowmem: PAGE_OFFSET + 0x123456 -> 0x123456. */
	CHECK_EQ(mmu_walk(&mm->mem, &mm->regs, 0xc0123456u, &t), MMU_OK);
	CHECK_EQ(mmu_pa(&t, 0xc0123456u), 0x00123456u);
	CHECK_EQ(t.level, 1);
	CHECK_EQ(t.size, MiB);
	CHECK_EQ(t.l1_pa, 0x4000u + 0xc01 * 4);
	CHECK_EQ(t.l1_desc, 0x0010140eu);
	CHECK_EQ(t.domain, 0);
	CHECK_EQ(t.ap, 1); /* privileged RW */
	CHECK(!t.ng);
	CHECK(!t.xn);
	CHECK_EQ(mmu_check(&t, mm->regs.dacr, MMU_WRITE, true), MMU_OK);
	CHECK_EQ(mmu_check(&t, mm->regs.dacr, MMU_FETCH, true), MMU_OK);
	CHECK_EQ(mmu_check(&t, mm->regs.dacr, MMU_READ, false), MMU_FAULT_PERMISSION);
	CHECK(mm_virt_to_phys(mm, 0xc0123456u, &pa) && pa == 0x00123456u);

	/* The first and last lowmem bytes. */
	CHECK_EQ(mmu_walk(&mm->mem, &mm->regs, 0xc0000000u, &t), MMU_OK);
	CHECK_EQ(mmu_pa(&t, 0xc0000000u), 0);
	CHECK_EQ(mmu_walk(&mm->mem, &mm->regs, 0xefffffffu, &t), MMU_OK);
	CHECK_EQ(mmu_pa(&t, 0xefffffffu), 0x2fffffffu);
	CHECK_EQ(t.l1_desc, 0x2ff0140eu);

	/* Past lowmem, below PKMAP_BASE, and user space: nothing at L1. */
	uint32_t holes[] = { 0xf0000000u, 0xf7ffffffu, 0xff7ff000u, 0xbfdff000u, 0x00008000u, 0x0u };
	for (size_t i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
		if (!CHECK_EQ(mmu_walk(&mm->mem, &mm->regs, holes[i], &t), MMU_FAULT_TRANSLATION))
			fprintf(stderr, "  VA 0x%08x\n", holes[i]);
		CHECK_EQ(t.level, 1);
		CHECK_EQ(t.l1_desc, 0);
		CHECK_EQ(t.desc_reads, 1);
	}
	CHECK(!mm_virt_to_phys(mm, 0xf0000000u, &pa));

	/* pkmap: one table, PTE i of PKMAP_ADDR(i) at pkmap_page_table + 4 i. */
	uint32_t nrs[] = { 0, 1, 255, 256, 511 };
	for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
		check_l2_hole(&m, 0xbfe00000u + nrs[i] * 0x1000u + 0x123u,
			      mm->pkmap_page_table + nrs[i] * 4);

	/* fixmap: PTE of VA at bm_pte + 4 ((VA - 0xffc00000) >> 12). */
	check_l2_hole(&m, 0xffeff000u, mm->bm_pte + 0x2ff * 4); /* fix index 0 */
	check_l2_hole(&m, 0xffc00000u, mm->bm_pte);             /* fix index 767 */
	check_l2_hole(&m, 0xffd00004u, mm->bm_pte + 0x100 * 4);
	/* The vectors MiB around the page. */
	check_l2_hole(&m, 0xfff00000u, mm->vectors_pte);
	check_l2_hole(&m, 0xffff1000u, mm->vectors_pte + 0xf1 * 4);
	check_l2_hole(&m, 0xfffef000u, mm->vectors_pte + 0xef * 4);

	/* Vectors: 0xffff0000 -> PA 0, privileged read-only, executable. */
	CHECK_EQ(mmu_walk(&mm->mem, &mm->regs, 0xffff0000u, &t), MMU_OK);
	CHECK_EQ(mmu_pa(&t, 0xffff0000u), 0);
	CHECK_EQ(mmu_pa(&t, 0xffff0ffcu), 0xffcu);
	CHECK_EQ(t.level, 2);
	CHECK_EQ(t.size, 4096);
	CHECK_EQ(t.l2_pa, mm->vectors_pte + 0xf0 * 4);
	CHECK_EQ(t.l2_desc, 0x0000025eu);
	CHECK_EQ(t.ap, 5);
	CHECK(!t.ng);
	CHECK_EQ(mmu_check(&t, mm->regs.dacr, MMU_READ, true), MMU_OK);
	CHECK_EQ(mmu_check(&t, mm->regs.dacr, MMU_FETCH, true), MMU_OK);
	CHECK_EQ(mmu_check(&t, mm->regs.dacr, MMU_WRITE, true), MMU_FAULT_PERMISSION);
	CHECK(mm_virt_to_phys(mm, 0xffff0010u, &pa) && pa == 0x10u);

	machine_down(&m);
}

static void test_paging_2g(void)
{
	struct machine m;
	if (!machine_up(&m, SPLIT_2G_2G, GiB)) {
		machine_down(&m);
		return;
	}
	struct mm *mm = &m.mm;
	if (!CHECK_EQ(paging_init(mm), 0)) {
		machine_down(&m);
		return;
	}
	struct mmu_translation t;
	/* All of RAM at 0x80000000..0xbfffffff. */
	CHECK_EQ(mmu_walk(&mm->mem, &mm->regs, 0x80000000u, &t), MMU_OK);
	CHECK_EQ(mmu_pa(&t, 0x80000000u), 0);
	CHECK_EQ(t.l1_desc, 0x0000140eu);
	CHECK_EQ(mmu_walk(&mm->mem, &mm->regs, 0xbfffffffu, &t), MMU_OK);
	CHECK_EQ(mmu_pa(&t, 0xbfffffffu), 0x3fffffffu);
	CHECK_EQ(t.l1_pa, 0x4000u + 0xbff * 4);
	CHECK_EQ(mmu_walk(&mm->mem, &mm->regs, 0xc0000000u, &t), MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.level, 1);
	check_l2_hole(&m, 0x7fe00000u, mm->pkmap_page_table);
	check_l2_hole(&m, 0x7ffff000u, mm->pkmap_page_table + 511 * 4);
	CHECK_EQ(mmu_walk(&mm->mem, &mm->regs, 0x7fd00000u, &t), MMU_FAULT_TRANSLATION);
	CHECK_EQ(t.level, 1);
	CHECK_EQ(mmu_walk(&mm->mem, &mm->regs, 0xffff0000u, &t), MMU_OK);
	CHECK_EQ(mmu_pa(&t, 0xffff0000u), 0);
	machine_down(&m);
}

static void test_memblock(void)
{
	struct machine m;
	if (!machine_up(&m, SPLIT_3G_1G, 64 * MiB)) {
		machine_down(&m);
		return;
	}
	struct mm *mm = &m.mm;
	/* Alignment rounds up from next; the block is zeroed. */
	mm->boot.memblock_next = MEMBLOCK_START + 1;
	CHECK_EQ(memblock_alloc(mm, 0x100, 0x400), MEMBLOCK_START + 0x400u);
	CHECK_EQ(mm->boot.memblock_next, MEMBLOCK_START + 0x500u);
	CHECK_EQ(rd(&m, MEMBLOCK_START + 0x400u), 0);
	CHECK_EQ(rd(&m, MEMBLOCK_START + 0x4fcu), 0);
	CHECK_EQ(rd(&m, MEMBLOCK_START + 0x500u), 0xaaaaaaaau); /* untouched */
	/* Exactly the rest fits; one more byte does not. */
	mm->boot.memblock_end = MEMBLOCK_START + 0x1000u;
	CHECK_EQ(memblock_alloc(mm, 0xb01, 4), 0);
	CHECK_EQ(memblock_alloc(mm, 0xb00, 4), MEMBLOCK_START + 0x500u);
	CHECK_EQ(memblock_alloc(mm, 1, 1), 0);

	/* paging_init with room for the pkmap table (2 KiB) only: refused. */
	mm->boot.memblock_next = MEMBLOCK_START;
	mm->boot.memblock_end = MEMBLOCK_START + 0x1000u;
	CHECK_EQ(paging_init(mm), -1);
	/* 6 KiB is exactly enough. */
	mm->boot.memblock_next = MEMBLOCK_START;
	mm->boot.memblock_end = MEMBLOCK_START + 0x1800u;
	CHECK_EQ(paging_init(mm), 0);
	machine_down(&m);
}

int main(void)
{
	test_parse();
	test_layout();
	test_paging_3g();
	test_paging_2g();
	test_memblock();
	return check_done();
}
