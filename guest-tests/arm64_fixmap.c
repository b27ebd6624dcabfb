/* SPDX-License-Identifier: MIT */
/* The arm64 fixmap from an AArch64 guest (kernel v5.10, docs/aarch64.md):
 * set_fixmap() maps a page of the guest's own data at FIX_TEXT_POKE0 and
 * clear_fixmap() takes it away; early_ioremap() of a buffer that straddles
 * a page boundary in each of the 7 BTMAP slots, each loaded and stored
 * through its fixmap VA (level-3 pages under bm_pte).  The counts of TLB
 * maintenance (0 per set, 1 page per clear) are checked from the stats by
 * tests/meson.build. */
#include <stdint.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

static uint8_t page[2 * PAGE_SIZE] __attribute__((aligned(4096)));

/* __pa_symbol(): the image is loaded at PHYS_OFFSET (kimage_voffset). */
static unsigned long pa_symbol(const void *p)
{
	return (uintptr_t)p - kmaplab_kernel_info(KINFO_KIMAGE_VADDR) + kmaplab_kernel_info(KINFO_PHYS_OFFSET);
}

int main(int argc, char **argv)
{
	(void)argv;
	CHECK(kmaplab_hypercall(HC_ABI_VERSION, 0, 0, 0, 0) == KMAPLAB_HC_ABI_VERSION, "ABI");
	unsigned long va_bits = kmaplab_kernel_info(KINFO_VA_BITS);
	CHECK(va_bits == 39 || va_bits == 48, "VA_BITS %lu", va_bits);
	/* FIXADDR_TOP = PCI_IO_START - 2 MiB (v5.10): 0xfffffffefea00000 with
	 * VA_BITS 39, 0xfffffdfffea00000 with 48 (tests/unit/test_arm64_fixmap.c
	 * works both out). */
	unsigned long top = va_bits == 48 ? 0xfffffdfffea00000ul : 0xfffffffefea00000ul;
	unsigned poke = (unsigned)kmaplab_kernel_info(KINFO_FIX_TEXT_POKE0);
	CHECK(FIXADDR_TOP == top, "FIXADDR_TOP 0x%lx", FIXADDR_TOP);
	/* FIX_TEXT_POKE0 = 1026 in v5.10 (FIX_FDT = 1 + 4 MiB / 4 KiB - 1). */
	CHECK(poke == 1026, "FIX_TEXT_POKE0 %u", poke);
	CHECK(fix_to_virt(poke) == top - 1026ul * 4096, "fix_to_virt");
	page[5] = 0x5a;
	set_fixmap(poke, pa_symbol(page));
	volatile uint8_t *fix = (volatile uint8_t *)fix_to_virt(poke);
	CHECK(fix[5] == 0x5a, "load through FIX_TEXT_POKE0: 0x%x", fix[5]);
	fix[6] = 0xa5;
	CHECK(page[6] == 0xa5, "store through FIX_TEXT_POKE0 reached the page");
	clear_fixmap(poke);
	if (argc > 1) { /* "after-clear": the page is gone, the load must fault */
		printf("loading through the cleared slot\n");
		fflush(stdout);
		return fix[5];
	}

	void *slots[7];
	for (int i = 0; i < 7; i++) {
		slots[i] = early_ioremap(pa_symbol(page) + PAGE_SIZE - 8, 16);
		CHECK(((uintptr_t)slots[i] & (PAGE_SIZE - 1)) == PAGE_SIZE - 8, "offset kept");
		/* The 16 bytes straddle two PTEs of the slot. */
		volatile uint8_t *v = slots[i];
		v[15] = (uint8_t)(0x30 + i);
		CHECK(page[PAGE_SIZE + 7] == 0x30 + i && v[0] == page[PAGE_SIZE - 8], "slot %d's two pages", i);
	}
	/* slot i starts at index FIX_BTMAP_BEGIN - 64 i, so 64 pages above slot i-1
	 * (NR_FIX_BTMAPS = SZ_256K / PAGE_SIZE; higher index, lower VA). */
	CHECK((uintptr_t)slots[1] - (uintptr_t)slots[0] == 64 * PAGE_SIZE, "slot spacing");
	for (int i = 6; i >= 0; i--)
		early_iounmap(slots[i], 16);
	printf("arm64 fixmap ok\n");
	return 0;
}
