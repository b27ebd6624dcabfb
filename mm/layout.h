/* SPDX-License-Identifier: MIT */
/* The kernel's memory layout for one machine: the VM split, where RAM sits,
 * how much of it is lowmem, and where the pkmap and fixmap windows are.
 * Numbers follow Linux v5.x ARM (arch/arm/include/asm/{memory,highmem,
 * fixmap,pgtable}.h and arch/arm/mm/mmu.c). */
#ifndef KMAPLAB_MM_LAYOUT_H
#define KMAPLAB_MM_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define SECTION_SHIFT 20
#define SECTION_SIZE (1u << SECTION_SHIFT)

/* arch/arm/include/asm/highmem.h */
#define LAST_PKMAP 512u
#define LAST_PKMAP_MASK (LAST_PKMAP - 1)
/* arch/arm/include/asm/fixmap.h */
#define FIXADDR_START 0xffc00000u
#define FIXADDR_END 0xfff00000u
#define FIXADDR_TOP (FIXADDR_END - PAGE_SIZE)
/* arch/arm/include/asm/pgtable.h: the end of the vmalloc area. */
#define VMALLOC_END 0xff800000u
#define VMALLOC_OFFSET (8u << 20)
/* arch/arm/mm/mmu.c: vmalloc_min keeps 240 MiB of vmalloc space. */
#define VMALLOC_MIN (VMALLOC_END - (240u << 20) - VMALLOC_OFFSET)
/* High exception vectors (SCTLR.V = 1). */
#define VECTORS_BASE 0xffff0000u
/* The kernel image is linked at PAGE_OFFSET + TEXT_OFFSET. */
#define TEXT_OFFSET 0x8000u
/* swapper_pg_dir sits 16 KiB below the image, as on ARM. */
#define SWAPPER_PG_DIR_OFFSET 0x4000u

enum vm_split { SPLIT_3G_1G, SPLIT_2G_2G, SPLIT_1G_3G };

struct kernel_layout {
	enum vm_split split;
	uint32_t page_offset;  /* PAGE_OFFSET */
	uint32_t phys_offset;  /* PHYS_OFFSET: RAM starts here (0, as on the Raspberry Pi 2) */
	uint32_t ram_size;
	uint32_t lowmem_size;  /* arm_lowmem_limit - PHYS_OFFSET: the linearly mapped part */
	uint32_t high_memory;  /* VA just past lowmem */
	uint32_t pkmap_base;   /* PKMAP_BASE = PAGE_OFFSET - 2 MiB */
};

/* Parses "3G/1G", "2G/2G" or "1G/3G".  Returns 0, or -1 if unknown. */
int vm_split_parse(const char *s, enum vm_split *out);
const char *vm_split_name(enum vm_split split);

/* The most RAM a split allows: Unicorn checks VAs against its regions, so
 * physical RAM (from PHYS_OFFSET 0) must end at PKMAP_BASE, where the
 * kernel's windows begin: 3G/1G 3070 MiB, 2G/2G 2046 MiB, 1G/3G 1022 MiB. */
uint32_t layout_max_ram(enum vm_split split);

/* RAM a machine gets when --ram is not given: 1 GiB (the Raspberry Pi 2),
 * capped so that RAM stays below PKMAP_BASE. */
uint32_t layout_default_ram(enum vm_split split);

/* Fills `l`.  Returns 0, or -1 with a one-line reason in err. */
int layout_init(struct kernel_layout *l, enum vm_split split, uint32_t ram_size,
		char *err, size_t errlen);

static inline uint32_t __pa(const struct kernel_layout *l, uint32_t va)
{
	return va - l->page_offset + l->phys_offset;
}

static inline uint32_t __va(const struct kernel_layout *l, uint32_t pa)
{
	return pa - l->phys_offset + l->page_offset;
}

static inline uint32_t PKMAP_ADDR(const struct kernel_layout *l, uint32_t nr)
{
	return l->pkmap_base + (nr << PAGE_SHIFT);
}

static inline uint32_t PKMAP_NR(const struct kernel_layout *l, uint32_t va)
{
	return (va - l->pkmap_base) >> PAGE_SHIFT;
}

static inline uint32_t __fix_to_virt(uint32_t idx)
{
	return FIXADDR_TOP - (idx << PAGE_SHIFT);
}

static inline uint32_t __virt_to_fix(uint32_t va)
{
	return (FIXADDR_TOP - (va & PAGE_MASK)) >> PAGE_SHIFT;
}

#endif
