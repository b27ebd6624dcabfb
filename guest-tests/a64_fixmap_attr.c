/* SPDX-License-Identifier: MIT */
/* The memory attributes of arm64's fixmap (kernel v5.10): set_fixmap()
 * writes FIXMAP_PAGE_NORMAL (PAGE_KERNEL = PROT_NORMAL, MAIR index
 * MT_NORMAL 0) and set_fixmap_io() FIXMAP_PAGE_IO (PROT_DEVICE_nGnRE, MAIR
 * index MT_DEVICE_nGnRE 5) into bm_pte (arch/arm64/include/asm/fixmap.h,
 * pgtable-prot.h, memory.h).  The guest reads each descriptor back from
 * bm_pte and MAIR_EL1 from the CPU and checks them against the bits worked
 * out here from the ARMv8-A ARM's stage 1 page descriptor (D5.3.3) and
 * proc.S's MAIR_EL1_SET.  set_fixmap_nocache() does not exist on arm64
 * (kmaplab/guest.h).  tests/meson.build checks the flush counts. */
#include <stdint.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

static uint8_t page[2 * PAGE_SIZE] __attribute__((aligned(4096)));

static unsigned long pa_symbol(const void *p)
{
	return (uintptr_t)p - kmaplab_kernel_info(KINFO_KIMAGE_VADDR) + kmaplab_kernel_info(KINFO_PHYS_OFFSET);
}

static uint64_t fixmap_pte(unsigned idx)
{
	volatile uint64_t *bm_pte = (volatile uint64_t *)(uintptr_t)kmaplab_kernel_info(KINFO_BM_PTE);
	return bm_pte[(fix_to_virt(idx) >> PAGE_SHIFT) & 511];
}

/* A valid level-3 page, inner shareable, accessed, global, writable
 * (AP[2] 0), dirty-bit-modifier set (PTE_WRITE), never executable at
 * EL1 or EL0, with AttrIndx `mt`. */
static uint64_t kernel_page(unsigned long pa, unsigned mt)
{
	return pa | 3u | (uint64_t)mt << 2 | 3u << 8 | 1u << 10 | 1ull << 51 | 1ull << 53 | 1ull << 54;
}

int main(void)
{
	uint64_t mair;
	__asm__ volatile("mrs %0, mair_el1" : "=r"(mair));
	/* MAIR_EL1_SET (arch/arm64/mm/proc.S v5.10): Normal write-back 0xff
	 * at MT_NORMAL 0, Device-nGnRE 0x04 at MT_DEVICE_nGnRE 5, Normal
	 * non-cacheable 0x44 at MT_NORMAL_NC 2. */
	CHECK((mair & 0xff) == 0xff, "MAIR_EL1 attr 0: 0x%llx", (unsigned long long)mair);
	CHECK(((mair >> 40) & 0xff) == 0x04, "MAIR_EL1 attr 5: 0x%llx", (unsigned long long)mair);
	CHECK(((mair >> 16) & 0xff) == 0x44, "MAIR_EL1 attr 2: 0x%llx", (unsigned long long)mair);

	unsigned poke = (unsigned)kmaplab_kernel_info(KINFO_FIX_TEXT_POKE0);
	unsigned io = poke - 1; /* FIX_EARLYCON_MEM_BASE: a device page in the kernel */
	unsigned long pa = pa_symbol(page);
	page[8] = 0x77;
	page[PAGE_SIZE + 16] = 0x99;
	set_fixmap(poke, pa);
	set_fixmap_io(io, pa + PAGE_SIZE);
	uint64_t normal = fixmap_pte(poke), dev = fixmap_pte(io);
	CHECK(normal == kernel_page(pa, 0), "set_fixmap descriptor 0x%llx, expected 0x%llx",
	      (unsigned long long)normal, (unsigned long long)kernel_page(pa, 0));
	CHECK(dev == kernel_page(pa + PAGE_SIZE, 5), "set_fixmap_io descriptor 0x%llx, expected 0x%llx",
	      (unsigned long long)dev, (unsigned long long)kernel_page(pa + PAGE_SIZE, 5));
	CHECK(((dev >> 2) & 7) == 5 && ((normal >> 2) & 7) == 0, "AttrIndx");
	/* Both translate: a byte through Normal memory, an aligned word
	 * through Device memory (which takes no unaligned access). */
	CHECK(*(volatile uint8_t *)(fix_to_virt(poke) + 8) == 0x77, "load through set_fixmap");
	CHECK(*(volatile uint64_t *)(fix_to_virt(io) + 16) == 0x99, "load through set_fixmap_io");
	clear_fixmap(io);
	clear_fixmap(poke);
	CHECK(fixmap_pte(poke) == 0 && fixmap_pte(io) == 0, "clear_fixmap writes 0");
	printf("fixmap attributes ok: AttrIndx %u and %u\n", (unsigned)((normal >> 2) & 7), (unsigned)((dev >> 2) & 7));
	return 0;
}
