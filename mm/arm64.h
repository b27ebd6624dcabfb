/* SPDX-License-Identifier: MIT */
/* The arm64 kernel's memory model, 4 KiB pages, as Linux v5.10 lays it out
 * (arch/arm64/include/asm/memory.h, pgtable-hwdef.h, pgtable-prot.h,
 * fixmap.h and arch/arm64/mm/mmu.c, checked against the stable tree
 * 5.10.13).  Page tables live in the guest's RAM; nothing here knows of
 * Unicorn.  The ARM32 model (mm.h) is separate: its addresses are 32 bits. */
#ifndef KMAPLAB_MM_ARM64_H
#define KMAPLAB_MM_ARM64_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define A64_PAGE_SHIFT 12
#define A64_PAGE_SIZE (1ull << A64_PAGE_SHIFT)
#define A64_PMD_SHIFT 21 /* one L2 entry maps 2 MiB */
#define A64_PUD_SHIFT 30 /* one L1 entry maps 1 GiB */
#define A64_PTRS 512
#define SZ_2M (2ull << 20)
#define SZ_16M (16ull << 20)
#define SZ_128M (128ull << 20)
#define SZ_256K (256ull << 10)

/* memory.h: the linear map starts at the bottom of the TTBR1 range. */
#define A64_PAGE_OFFSET(va_bits) (0 - (1ull << (va_bits)))
#define A64_PAGE_END(va_bits) (0 - (1ull << ((va_bits) - 1)))
#define STRUCT_PAGE_MAX_SHIFT 6 /* sizeof(struct page) = 64 */

/* MAIR indices (memory.h, v5.10: MT_NORMAL is index 0). */
enum a64_mt {
	MT_NORMAL = 0,
	MT_NORMAL_TAGGED = 1,
	MT_NORMAL_NC = 2,
	MT_NORMAL_WT = 3,
	MT_DEVICE_nGnRnE = 4,
	MT_DEVICE_nGnRE = 5,
	MT_DEVICE_GRE = 6,
};

/* Descriptor bits (pgtable-hwdef.h). */
#define PTE_VALID (1ull << 0)
#define PTE_TYPE_PAGE (3ull << 0)  /* also "table" at L1/L2 */
#define PMD_TYPE_TABLE (3ull << 0)
#define PMD_TYPE_SECT (1ull << 0)
#define PTE_RDONLY (1ull << 7)     /* AP[2] */
#define PTE_SHARED (3ull << 8)     /* SH: inner shareable */
#define PTE_AF (1ull << 10)
#define PTE_NG (1ull << 11)
#define PTE_DBM (1ull << 51)
#define PTE_WRITE PTE_DBM
#define PTE_CONT (1ull << 52)
#define PTE_PXN (1ull << 53)
#define PTE_UXN (1ull << 54)
#define PTE_ATTRINDX(t) ((uint64_t)(t) << 2)
#define PTE_ATTRINDX_MASK (7ull << 2)
#define PTE_ADDR_MASK 0x0000fffffffff000ull

/* pgtable-prot.h: PROT_DEFAULT and the kernel's page protections. */
#define PROT_DEFAULT (PTE_TYPE_PAGE | PTE_AF | PTE_SHARED)
#define PROT_NORMAL (PROT_DEFAULT | PTE_PXN | PTE_UXN | PTE_WRITE | PTE_ATTRINDX(MT_NORMAL))
#define PROT_NORMAL_NC (PROT_DEFAULT | PTE_PXN | PTE_UXN | PTE_WRITE | PTE_ATTRINDX(MT_NORMAL_NC))
#define PROT_DEVICE_nGnRE (PROT_DEFAULT | PTE_PXN | PTE_UXN | PTE_WRITE | PTE_ATTRINDX(MT_DEVICE_nGnRE))
#define PAGE_KERNEL PROT_NORMAL
#define PAGE_KERNEL_EXEC (PROT_NORMAL & ~PTE_PXN)
#define FIXMAP_PAGE_NORMAL PAGE_KERNEL
#define FIXMAP_PAGE_IO PROT_DEVICE_nGnRE
#define FIXMAP_PAGE_CLEAR 0ull

/* The kernel's virtual layout for one VA_BITS (memory.h, no KASAN). */
struct a64_layout {
	unsigned va_bits;
	uint64_t page_offset, page_end;
	uint64_t bpf_jit_start, modules_vaddr, modules_end, kimage_vaddr;
	uint64_t vmemmap_start, vmemmap_size;
	uint64_t pci_io_start, pci_io_end;
	uint64_t fixaddr_top, fixaddr_start;
	uint64_t phys_offset, ram_size;
};

/* The kernel configuration the fixmap enum depends on (fixmap.h).  The
 * default is a distribution kernel's: all three on. */
struct a64_config {
	bool acpi_apei_ghes;      /* CONFIG_ACPI_APEI_GHES */
	bool arm_sde_interface;   /* CONFIG_ARM_SDE_INTERFACE */
	bool unmap_kernel_at_el0; /* CONFIG_UNMAP_KERNEL_AT_EL0 */
};

/* enum fixed_addresses, computed for a configuration (values vary). */
struct a64_fixmap_enum {
	unsigned fix_hole, fix_fdt_end, fix_fdt, fix_earlycon_mem_base, fix_text_poke0;
	int fix_apei_ghes_irq, fix_apei_ghes_sea, fix_apei_ghes_sdei_normal,
		fix_apei_ghes_sdei_critical; /* -1: not configured */
	int fix_entry_tramp_data, fix_entry_tramp_text;
	unsigned end_of_permanent, fix_btmap_end, fix_btmap_begin;
	unsigned fix_pte, fix_pmd, fix_pud, fix_pgd, end_of_fixed;
};
#define FIX_FDT_SIZE (SZ_2M + SZ_2M) /* MAX_FDT_SIZE + SZ_2M */
#define NR_FIX_BTMAPS (SZ_256K / A64_PAGE_SIZE)
#define FIX_BTMAPS_SLOTS 7
#define TOTAL_FIX_BTMAPS (NR_FIX_BTMAPS * FIX_BTMAPS_SLOTS)

void a64_fixmap_enum_init(struct a64_fixmap_enum *e, const struct a64_config *cfg);
/* Returns 0, or -1 (with a reason) for an unsupported VA_BITS. */
int a64_layout_init(struct a64_layout *l, unsigned va_bits, uint64_t phys_offset, uint64_t ram_size,
		    const struct a64_fixmap_enum *e, char *err, size_t errlen);

/* Guest RAM seen from the host. */
struct a64_mem {
	uint8_t *host;
	uint64_t base, size;
};
static inline bool a64_phys_ok(const struct a64_mem *m, uint64_t pa, uint64_t len)
{
	return pa >= m->base && len <= m->size && pa - m->base <= m->size - len;
}
static inline uint64_t *a64_table(const struct a64_mem *m, uint64_t pa)
{
	return (uint64_t *)(m->host + (pa - m->base));
}

/* TLB maintenance the kernel code issues, as the TLBI ops it executes
 * (tlbflush.h v5.10); the machine acts on them and counts them. */
enum a64_tlbi {
	A64_TLBI_VAALE1IS, A64_TLBI_VAE1IS, A64_TLBI_VMALLE1IS, A64_TLBI_ASIDE1IS,
	A64_TLBI_VAE1, A64_TLBI_VAALE1, A64_TLBI_VMALLE1, A64_TLBI_ASIDE1, A64_TLBI_VALE1IS,
	A64_TLBI_VALE1, A64_TLBI_VAAE1IS, A64_TLBI_VAAE1,
	A64_TLBI_NR
};
extern const char *const a64_tlbi_name[A64_TLBI_NR];
struct a64_flush_ops {
	/* Acts on one TLBI; returns the cycles it costs (0 if not timed). */
	unsigned (*tlbi)(void *arg, enum a64_tlbi op, uint64_t va);
	/* Optional, for the hazard checker: each DSB/ISB the kernel code
	 * issues, each descriptor store (before it is made, physical
	 * address of the entry) and each new level-3 table (mapping `va`). */
	void (*barrier)(void *arg, bool isb);
	void (*pt_store)(void *arg, uint64_t pa, uint64_t old, uint64_t new_desc);
	void (*pt_table)(void *arg, uint64_t pa, uint64_t va);
	/* Optional, for --trace: after each flush function (all:
	 * flush_tlb_all, else flush_tlb_kernel_range of `pages` pages from
	 * `start`) and each __set_fixmap() (prot 0: a clear), with the
	 * cycles it took (k->cycles is already past them). */
	void (*flushed)(void *arg, bool all, uint64_t start, uint64_t pages, uint64_t cycles);
	void (*fixmap)(void *arg, unsigned idx, uint64_t phys, uint64_t prot, uint64_t cycles);
};

/* Counters of the kernel functions (stats keys flush.* and fixmap.*). */
struct a64_kstats {
	uint64_t set_fixmap, clear_fixmap;
	uint64_t flush_tlb_kernel_range_calls, flush_tlb_kernel_range_pages;
	uint64_t flush_tlb_all_calls;
	uint64_t early_ioremap, early_iounmap;
	/* __create_pgd_mapping(): FIX_PGD/PUD/PMD/PTE sets and clears, entries written */
	uint64_t pgtable_set_fixmap, pgtable_clear_fixmap, pgtable_entries;
	uint64_t pgtable_cycles; /* their set_pte/set_pmd/set_pud barriers */
	uint64_t tlbi[A64_TLBI_NR];
	uint64_t dsb, isb;
	/* Cycles (with a TLB model: the TLBIs' costs and dsb_cycles,
	 * isb_cycles): each function's own, set_fixmap's set_pte barriers. */
	uint64_t flush_tlb_kernel_range_cycles, flush_tlb_all_cycles, set_fixmap_cycles;
};

/* The kernel's state: swapper_pg_dir, the fixmap tables, early_ioremap's
 * slots, and a bump allocator for early page-table pages (memblock). */
struct a64_kernel {
	struct a64_mem mem;
	struct a64_layout layout;
	struct a64_config cfg;
	struct a64_fixmap_enum fix;
	uint64_t kimage_voffset;      /* KIMAGE_VADDR - the image's physical base */
	uint64_t swapper_pg_dir;      /* physical address of the L1 table (pgd) */
	uint64_t reserved_pg_dir;     /* empty TTBR0 table */
	uint64_t bm_pud, bm_pmd, bm_pte; /* physical, early_fixmap_init(); bm_pud: VA_BITS 48 only */
	uint64_t memblock_next, memblock_end;
	/* early_ioremap state (mm/early_ioremap.c v5.10) */
	uint64_t prev_map[FIX_BTMAPS_SLOTS]; /* VA, 0: free */
	uint64_t prev_size[FIX_BTMAPS_SLOTS];
	uint64_t slot_virt[FIX_BTMAPS_SLOTS];
	const struct a64_flush_ops *flush;
	void *flush_arg;
	unsigned dsb_cycles, isb_cycles; /* costs of a DSB and an ISB, 0: untimed */
	uint64_t cycles;                  /* running sum of all of the above */
	struct a64_kstats stats;
	char bug[256];                /* the last BUG: message */
};

static inline uint64_t a64_phys_to_virt(const struct a64_layout *l, uint64_t pa)
{
	return (pa - l->phys_offset) | l->page_offset;
}

/* The level of the pgd: 0 (VA_BITS 48) or 1 (VA_BITS 39). */
unsigned a64_pgd_level(unsigned va_bits);
/* Allocates a zeroed page-table page from the boot allocator; 0 if none. */
uint64_t a64_early_pgtable_alloc(struct a64_kernel *k);
/* Maps [va, va + size) to pa with 2 MiB blocks of `prot` in swapper_pg_dir.
 * Returns 0 or -1 (out of table pages or misaligned). */
int a64_map_blocks(struct a64_kernel *k, uint64_t va, uint64_t pa, uint64_t size, uint64_t prot);
/* Walks the TTBR1 tables for `va`: true with the descriptor and its level. */
bool a64_walk(const struct a64_mem *m, uint64_t ttbr, unsigned va_bits, uint64_t va, uint64_t *desc,
	      unsigned *level, uint64_t *pa);

/* Linux's functions (fixmap.c), each under its kernel name. */
uint64_t a64_fix_to_virt(const struct a64_kernel *k, unsigned idx);
/* Returns -1 for an address outside the fixmap (virt_to_fix BUGs). */
long a64_virt_to_fix(const struct a64_kernel *k, uint64_t va);
void a64_early_fixmap_init(struct a64_kernel *k);
/* 0, or -1 with k->bug set (BUG_ON in the kernel). */
int a64___set_fixmap(struct a64_kernel *k, unsigned idx, uint64_t phys, uint64_t prot);
void a64_flush_tlb_kernel_range(struct a64_kernel *k, uint64_t start, uint64_t end);
/* dsb(ishst) / isb() by the kernel code: counted, timed, told to flush->barrier. */
void a64_kernel_dsb(struct a64_kernel *k);
void a64_kernel_isb(struct a64_kernel *k);
/* WRITE_ONCE of a descriptor (any level), told to flush->pt_store first. */
void a64_set_pte(struct a64_kernel *k, uint64_t *ptep, uint64_t v);
void a64_flush_tlb_all(struct a64_kernel *k);
void a64_early_ioremap_setup(struct a64_kernel *k);
/* Returns the VA, or 0 (WARN in the kernel) with k->bug set. */
uint64_t a64_early_ioremap(struct a64_kernel *k, uint64_t phys, uint64_t size, uint64_t prot);
int a64_early_iounmap(struct a64_kernel *k, uint64_t va, uint64_t size);


/* __create_pgd_mapping() flags (arch/arm64/mm/mmu.c v5.10). */
#define A64_NO_BLOCK_MAPPINGS (1 << 0)
#define A64_NO_CONT_MAPPINGS (1 << 1)
/* Maps [virt, virt + size) to phys in swapper_pg_dir as paging_init() does,
 * every table reached through FIX_PGD/PUD/PMD/PTE (arm64_pgtable.c) and new
 * tables from early_pgtable_alloc().  0, or -1 with k->bug set. */
int a64_create_pgd_mapping(struct a64_kernel *k, uint64_t phys, uint64_t virt, uint64_t size, uint64_t prot,
			   int flags);

#endif
