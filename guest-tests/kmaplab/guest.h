/* SPDX-License-Identifier: MIT */
/* kmaplab/guest.h — the kernel API a kmaplab guest programs against.
 *
 * Names and meanings are the Linux kernel's (include/linux/highmem.h,
 * include/linux/gfp.h, arch/arm/include/asm/fixmap.h, asm/tlbflush.h).  Each
 * call is a hypercall (kmaplab/hypercall.h): the modelled kernel code runs
 * on the host, on page tables and kernel data in the guest's own RAM, and
 * is counted and charged cycles there. */
#ifndef KMAPLAB_GUEST_H
#define KMAPLAB_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmaplab/hypercall.h"

/* One hypercall: number in r12, arguments in r0-r3, result in r0 (ARM32);
 * on AArch64 number in x8, arguments in x0-x3, result in x0.  Arguments and
 * result are machine words (32 or 64 bits). */
static inline unsigned long kmaplab_hypercall(unsigned long nr, unsigned long a0, unsigned long a1,
					      unsigned long a2, unsigned long a3)
{
#ifdef __aarch64__
	register unsigned long r0 __asm__("x0") = a0;
	register unsigned long r1 __asm__("x1") = a1;
	register unsigned long r2 __asm__("x2") = a2;
	register unsigned long r3 __asm__("x3") = a3;
	register unsigned long r8 __asm__("x8") = nr;
	__asm__ volatile("svc #0x4b4d" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r8) : "memory");
#else
	register unsigned long r0 __asm__("r0") = a0;
	register unsigned long r1 __asm__("r1") = a1;
	register unsigned long r2 __asm__("r2") = a2;
	register unsigned long r3 __asm__("r3") = a3;
	register unsigned long r12 __asm__("r12") = nr;
#ifdef __thumb__
	__asm__ volatile("svc #0x4b" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r12) : "memory");
#else
	__asm__ volatile("svc #0x4b4d4c" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r12) : "memory");
#endif
#endif
	return r0;
}

static inline unsigned long kmaplab_kernel_info(unsigned int which)
{
	return kmaplab_hypercall(HC_KERNEL_INFO, which, 0, 0, 0);
}

/* Lowmem only, as in the kernel (arch/arm/include/asm/memory.h). */
static inline uint32_t virt_to_phys(const volatile void *va)
{
	return (uintptr_t)va - kmaplab_kernel_info(KINFO_PAGE_OFFSET) +
	       kmaplab_kernel_info(KINFO_PHYS_OFFSET);
}

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

/* gfp flags: where alloc_page looks (include/linux/gfp.h, v5.x values). */
typedef unsigned int gfp_t;
#define __GFP_HIGHMEM 0x02u
#define __GFP_ZERO 0x100u
#define GFP_KERNEL 0x0cc0u
#define GFP_HIGHUSER (GFP_KERNEL | 0x100000u | __GFP_HIGHMEM)

/* struct page as an ARM32 v5.x kernel lays it out, 32 bytes, in mem_map[]
 * in guest RAM (mm/page.h on the host documents every field). */
struct list_head {
	struct list_head *next, *prev;
};

struct page {
	unsigned long flags; /* the zone in bits [31:30] */
	struct list_head lru;
	void *mapping;
	unsigned long index;
	unsigned long private;
	int _mapcount;
	int _refcount;
#ifdef __aarch64__
	unsigned long memcg_data; /* arm64 v5.10: 64 bytes (STRUCT_PAGE_MAX_SHIFT 6) */
#endif
};

#ifdef __aarch64__
_Static_assert(sizeof(struct page) == 64, "struct page is 64 bytes on arm64");
_Static_assert(__builtin_offsetof(struct page, _refcount) == 52, "mm/arm64_page.h");
#else
_Static_assert(sizeof(struct page) == 32, "struct page is 32 bytes on ARM32");
#endif

#define ZONES_PGSHIFT 30
#define ZONE_NORMAL 0
#define ZONE_HIGHMEM 1

static inline unsigned int page_zonenum(const struct page *page)
{
	return (page->flags >> ZONES_PGSHIFT) & 3u;
}

static inline bool PageHighMem(const struct page *page)
{
	return page_zonenum(page) == ZONE_HIGHMEM;
}

/* FLATMEM: mem_map[0] describes pfn ARCH_PFN_OFFSET. */
static inline struct page *kmaplab_mem_map(void)
{
	return (struct page *)(uintptr_t)kmaplab_kernel_info(KINFO_MEM_MAP);
}

static inline unsigned long page_to_pfn(const struct page *page)
{
	return (unsigned long)(page - kmaplab_mem_map()) + kmaplab_kernel_info(KINFO_ARCH_PFN_OFFSET);
}

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return kmaplab_mem_map() + (pfn - kmaplab_kernel_info(KINFO_ARCH_PFN_OFFSET));
}

static inline struct page *alloc_page(gfp_t gfp)
{
	return (struct page *)(uintptr_t)kmaplab_hypercall(HC_ALLOC_PAGE, gfp, 0, 0, 0);
}

static inline void __free_page(struct page *page)
{
	kmaplab_hypercall(HC_FREE_PAGE, (uintptr_t)page, 0, 0, 0);
}

static inline void *page_address(const struct page *page)
{
	return (void *)(uintptr_t)kmaplab_hypercall(HC_PAGE_ADDRESS, (uintptr_t)page, 0, 0, 0);
}

static inline void *kmap(struct page *page)
{
	return (void *)(uintptr_t)kmaplab_hypercall(HC_KMAP, (uintptr_t)page, 0, 0, 0);
}

static inline void kunmap(struct page *page)
{
	kmaplab_hypercall(HC_KUNMAP, (uintptr_t)page, 0, 0, 0);
}

static inline void *kmap_atomic(struct page *page)
{
	return (void *)(uintptr_t)kmaplab_hypercall(HC_KMAP_ATOMIC, (uintptr_t)page, 0, 0, 0);
}

static inline void kunmap_atomic(void *addr)
{
	kmaplab_hypercall(HC_KUNMAP_ATOMIC, (uintptr_t)addr, 0, 0, 0);
}

static inline void *kmap_local_page(struct page *page)
{
	return (void *)(uintptr_t)kmaplab_hypercall(HC_KMAP_LOCAL_PAGE, (uintptr_t)page, 0, 0, 0);
}

static inline void kunmap_local(const void *addr)
{
	kmaplab_hypercall(HC_KUNMAP_LOCAL, (uintptr_t)addr, 0, 0, 0);
}

#ifdef __aarch64__
/* fixmap (arch/arm64/include/asm/fixmap.h, v5.10): index 0 is the highest
 * page below FIXADDR_TOP, which depends on VA_BITS; the enum's values depend
 * on the kernel configuration, so both come from the host (KINFO_FIX_*). */
#define FIXADDR_TOP kmaplab_kernel_info(KINFO_FIXADDR_TOP)
#define __fix_to_virt(x) (FIXADDR_TOP - ((unsigned long)(x) << PAGE_SHIFT))

static inline unsigned long fix_to_virt(unsigned int idx)
{
	return __fix_to_virt(idx);
}

/* __memcpy_toio() (arch/arm64/kernel/io.c, v5.10): bytes until the target
 * is 8-byte aligned, then 8-byte stores, then bytes -- Device memory takes
 * no unaligned access, which memcpy() would make. */
static inline void memcpy_toio(volatile void *to, const void *from, unsigned long count)
{
	volatile uint8_t *t = to;
	const uint8_t *f = from;
	while (count && ((uintptr_t)t & 7)) {
		*t++ = *f++;
		count--;
	}
	while (count >= 8) {
		uint64_t v;
		__builtin_memcpy(&v, f, 8);
		*(volatile uint64_t *)t = v;
		t += 8;
		f += 8;
		count -= 8;
	}
	while (count--)
		*t++ = *f++;
}

/* aarch64_insn_patch_text_nosync() (arch/arm64/kernel/insn.c, v5.10): writes
 * one instruction through the FIX_TEXT_POKE0 alias of its page, unmaps it
 * (one TLBI), then __flush_icache_range() over it.  0, or -EINVAL (-22)
 * for an address that is not 4-byte aligned. */
static inline int aarch64_insn_patch_text_nosync(void *addr, uint32_t insn)
{
	return (int)kmaplab_hypercall(HC_AARCH64_INSN_PATCH_TEXT_NOSYNC, (uintptr_t)addr, insn, 0, 0);
}

/* The same with the I-cache flush left out: a kernel bug, for tests of the
 * stale-code hazard (text_poke.stale_fetches). */
static inline int kmaplab_patch_text_noflush(void *addr, uint32_t insn)
{
	return (int)kmaplab_hypercall(HC_AARCH64_INSN_PATCH_TEXT_NOSYNC, (uintptr_t)addr, insn, 1, 0);
}

/* set_fixmap_io(): FIXMAP_PAGE_IO, Device-nGnRE (MAIR index MT_DEVICE_nGnRE). */
static inline void set_fixmap_io(unsigned int idx, unsigned long phys)
{
	kmaplab_hypercall(HC_SET_FIXMAP_IO, idx, phys, 0, 0);
}

/* set_fixmap_nocache() does not build on arm64 v5.10: asm-generic/fixmap.h
 * makes FIXMAP_PAGE_NOCACHE default to PAGE_KERNEL_NOCACHE, which arm64's
 * pgtable-prot.h never defines (it defines FIXMAP_PAGE_IO only). */
void set_fixmap_nocache(unsigned int idx, unsigned long phys)
	__attribute__((error("set_fixmap_nocache: arm64 (v5.10) has no PAGE_KERNEL_NOCACHE; use set_fixmap_io")));

/* __create_pgd_mapping() as paging_init() runs it (arch/arm64/mm/mmu.c
 * v5.10): PAGE_KERNEL, swapper_pg_dir through FIX_PGD, each lower table
 * through FIX_PUD/PMD/PTE, new tables from early_pgtable_alloc(). */
#define NO_BLOCK_MAPPINGS (1 << 0)
#define NO_CONT_MAPPINGS (1 << 1)
static inline void __create_pgd_mapping(unsigned long phys, unsigned long virt, unsigned long size, int flags)
{
	kmaplab_hypercall(HC_CREATE_PGD_MAPPING, phys, virt, size, (unsigned long)flags);
}
#else
/* fixmap (arch/arm/include/asm/fixmap.h): index 0 is the highest page. */
#define FIXADDR_START 0xffc00000UL
#define FIXADDR_END 0xfff00000UL
#define FIXADDR_TOP (FIXADDR_END - PAGE_SIZE)
#define __fix_to_virt(x) (FIXADDR_TOP - ((unsigned long)(x) << PAGE_SHIFT))

static inline unsigned long fix_to_virt(unsigned int idx)
{
	return __fix_to_virt(idx);
}

#endif

static inline void set_fixmap(unsigned int idx, unsigned long phys)
{
	kmaplab_hypercall(HC_SET_FIXMAP, idx, phys, 0, 0);
}

static inline void clear_fixmap(unsigned int idx)
{
	kmaplab_hypercall(HC_CLEAR_FIXMAP, idx, 0, 0, 0);
}

static inline void *early_ioremap(unsigned long phys, unsigned long size)
{
	return (void *)(uintptr_t)kmaplab_hypercall(HC_EARLY_IOREMAP, phys, size, 0, 0);
}

static inline void early_iounmap(void *addr, unsigned long size)
{
	kmaplab_hypercall(HC_EARLY_IOUNMAP, (uintptr_t)addr, size, 0, 0);
}

/* TLB maintenance (arch/arm/include/asm/tlbflush.h). */
static inline void local_flush_tlb_kernel_page(unsigned long addr)
{
	kmaplab_hypercall(HC_LOCAL_FLUSH_TLB_KERNEL_PAGE, addr, 0, 0, 0);
}

static inline void flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	kmaplab_hypercall(HC_FLUSH_TLB_KERNEL_RANGE, start, end, 0, 0);
}

static inline void flush_tlb_all(void)
{
	kmaplab_hypercall(HC_FLUSH_TLB_ALL, 0, 0, 0, 0);
}

/* The PMU (read_ccnt, read_pmn, ...): kmaplab/pmu.h. */
#include "kmaplab/pmu.h"
/* SMP: CPUs, kthreads, IPIs, spinlocks, atomics (on AArch64: one CPU,
 * several tasks on it, kmaplab/smp_a64.h). */
#include "kmaplab/smp.h"

#endif
