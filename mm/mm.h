/* SPDX-License-Identifier: MIT */
/* struct mm: the memory model of one machine — guest RAM, the kernel
 * layout, the page tables and kernel data kept in guest RAM, the modelled
 * TLB and every counter that ends up in the stats.  The emulator owns one
 * and talks to mm/ only through the functions declared in mm/ headers. */
#ifndef KMAPLAB_MM_MM_H
#define KMAPLAB_MM_MM_H

#include <stdbool.h>
#include <stdint.h>

#include "cache.h"
#include "core.h"
#include "hazard.h"
#include "layout.h"
#include "mmu.h"
#include "phys.h"
#include "smp.h"
#include "tlb.h"
#include "tlbi.h"

/* What the emulator must do when the model changes translations: keep its
 * own (QEMU's) TLB coherent with the page tables so that guest data is
 * always architecturally right.  mm/ calls these; it never sees Unicorn. */
struct mm_host_ops {
	void (*flush_page)(void *arg, uint32_t va);
	void (*flush_all)(void *arg);
	/* An access hit a modelled TLB entry whose descriptor changed since the
	 * fill, with no invalidate in between (already counted in stale_tlb).
	 * cur_pa is meaningless when !cur_valid (the descriptor is now invalid). */
	void (*stale_hazard)(void *arg, uint32_t va, uint32_t stale_pa, bool cur_valid, uint32_t cur_pa);
	/* Another CPU's emulator TLB (SMP, mm/smp.h): the page of `va`, or
	 * everything if `all`.  May be NULL with one CPU. */
	void (*flush_cpu)(void *arg, unsigned cpu, uint32_t va, bool all);
};

struct flush_stats {
	uint64_t calls;
	uint64_t pages;
	uint64_t cycles;
};

struct mm_stats {
	uint64_t cycles;  /* everything charged by the model, guest and kernel */
	struct flush_stats local_flush_tlb_kernel_page;
	struct flush_stats flush_tlb_kernel_range;
	struct flush_stats flush_tlb_all;
	struct tlbi_stats tlbi; /* TLB maintenance the guest executed itself */
	/* hazards.stale_tlb.observed: accesses the modelled TLB served from an
	 * entry whose descriptor changed since the fill (mm/access.c). */
	uint64_t stale_tlb;
};

/* Where the boot code put things, all physical addresses in lowmem. */
struct boot_mem {
	uint32_t image_start, image_end; /* the guest's PT_LOAD segments */
	uint32_t heap_start, heap_end;   /* newlib's heap (SYS_HEAPINFO) */
	uint32_t stack_base, stack_top;  /* the SVC stack, full descending */
	/* The stack's guard: [stack_guard, stack_base), 64 KiB-aligned pages
	 * left out of the linear map so that an overflow faults (0: none). */
	uint32_t stack_guard;
	uint32_t memblock_start;         /* kernel data allocated at boot */
	uint32_t memblock_next;
	uint32_t memblock_end;
};

struct mm {
	struct phys_mem mem;
	struct kernel_layout layout;
	const struct core_profile *core;
	struct mmu_regs regs;
	struct tlb *tlb;
	struct boot_mem boot;

	/* Page tables in guest RAM (physical addresses). */
	uint32_t swapper_pg_dir;   /* 16 KiB L1 table */
	uint32_t pkmap_page_table; /* 512 L2 entries covering PKMAP_BASE..PAGE_OFFSET */
	uint32_t bm_pte;           /* 768 L2 entries covering FIXADDR_START..FIXADDR_END */
	uint32_t vectors_pte;      /* 256 L2 entries covering 0xfff00000..0xffffffff */

	struct mm_stats stats;
	const struct mm_host_ops *host;
	void *host_arg;

	/* --hazards: the architectural checker (mm/hazard.h; NULL: none) and
	 * the mode (HAZARD_MODE_OFF skips the observed check too). */
	struct hazard_checker *hazards;
	enum hazard_mode hazard_mode;

	/* --model cache: CPU 0's L1D and the L2 (mm/cache.h); NULL: the
	 * hierarchy is off and no access looks at it. */
	struct cpu_caches *caches;
	/* The other CPUs (mm/smp.h); ncpus 1 when the emulator says nothing. */
	struct mm_smp smp;
};

/* Allocates `size` bytes of zeroed, `align`-aligned kernel data from the
 * boot allocator (memblock_alloc).  Returns the PA, or 0 if lowmem is full. */
uint32_t memblock_alloc(struct mm *mm, uint32_t size, uint32_t align);

/* Builds swapper_pg_dir: lowmem as 1 MiB sections at PAGE_OFFSET, the pkmap
 * and fixmap L2 tables, the vectors page at 0xffff0000 (physical page 0),
 * and sets regs for the MMU on (TTBR0 = TTBR1 = swapper_pg_dir, N = 0,
 * DACR: domain 0 client).  mm->boot must be filled in.  Returns 0 or -1. */
int paging_init(struct mm *mm);

/* Kernel VA -> PA through the current tables (no TLB, no counting).
 * Returns false if `va` does not translate. */
bool mm_virt_to_phys(const struct mm *mm, uint32_t va, uint32_t *pa);

#endif
