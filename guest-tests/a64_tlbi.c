/* SPDX-License-Identifier: MIT */
/* Guest TLBI instructions on the AArch64 machine: each is found by the
 * pre-scan, counted per operation (flush.tlbi.<OP>) and applied to the
 * modelled TLB, with its DSB and ISB counted too (barriers.*).  The page at
 * FIX_TEXT_POKE0 is touched before each TLBI so that the entries each one
 * removes are known (tests/meson.build checks flush.tlbi.invalidated = 4):
 *   VAALE1IS  its main-TLB entry (last level: the walk cache keeps the L3
 *             table pointer)                                          1
 *   VAE1IS    its main-TLB entry and the walk-cache entry             2
 *   ASIDE1    ASID 5: kernel mappings are global                      0
 *   VALE1     its main-TLB entry                                      1
 * (On the Cortex-A53 every TLBI also empties both micro TLBs; those are
 * copies and not counted.) */
#include <stdint.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

static uint8_t page[PAGE_SIZE] __attribute__((aligned(4096)));

static unsigned long pa_symbol(const void *p)
{
	return (uintptr_t)p - kmaplab_kernel_info(KINFO_KIMAGE_VADDR) + kmaplab_kernel_info(KINFO_PHYS_OFFSET);
}

/* __TLBI_VADDR(addr, asid) (arch/arm64/include/asm/tlbflush.h, v5.10). */
static uint64_t tlbi_vaddr(uint64_t addr, uint64_t asid)
{
	return ((addr >> 12) & ((1ull << 44) - 1)) | asid << 48;
}

int main(void)
{
	unsigned poke = (unsigned)kmaplab_kernel_info(KINFO_FIX_TEXT_POKE0);
	set_fixmap(poke, pa_symbol(page));
	volatile uint8_t *fix = (volatile uint8_t *)fix_to_virt(poke);
	uint64_t arg = tlbi_vaddr((uintptr_t)fix, 0);
	unsigned sum = fix[0];
	__asm__ volatile("tlbi vaale1is, %0\n\tdsb ish\n\tisb" : : "r"(arg) : "memory");
	sum += fix[1];
	__asm__ volatile("tlbi vae1is, %0\n\tdsb ish\n\tisb" : : "r"(arg) : "memory");
	sum += fix[2];
	__asm__ volatile("tlbi aside1, %0\n\tdsb nsh\n\tisb" : : "r"(5ull << 48) : "memory");
	sum += fix[3];
	__asm__ volatile("tlbi vale1, %0\n\tdsb nsh\n\tisb" : : "r"(arg) : "memory");
	sum += fix[4];
	clear_fixmap(poke);
	CHECK(sum == 0, "the page is zero");
	printf("a64 tlbi ok\n");
	return 0;
}
