/* SPDX-License-Identifier: MIT */
/* TLB-maintenance mistakes on a fixmap PTE, written directly into bm_pte
 * (as kernel code that bypasses __set_fixmap would), one per argument
 * (docs/aarch64.md, "Hazards"):
 *   right        retarget: STR; DSB ISHST; TLBI VAALE1IS; DSB ISH; ISB; load  -> no hazard
 *   no-tlbi      retarget: STR; DSB; load                                     -> stale_tlb
 *   clear-no-tlbi  clear:  STR 0; DSB; (no TLBI) then retarget the slot again
 *                after the load would fault; the load is through the old
 *                translation only if the TLB kept it, so the guest maps the
 *                slot again first: STR new; DSB; load                        -> stale_tlb
 *   no-dsb       retarget: STR; TLBI; DSB; ISB; load                           -> barrier (store)
 *   no-sync      retarget: STR; DSB; TLBI; load; DSB; ISB                      -> barrier (access)
 * Before each, the slot maps page A and is loaded from, so a TLB may hold
 * it (architecturally it may hold it anyway). */
#include <stdint.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

static uint8_t pages[2 * PAGE_SIZE] __attribute__((aligned(4096)));

static unsigned long pa_symbol(const void *p)
{
	return (uintptr_t)p - kmaplab_kernel_info(KINFO_KIMAGE_VADDR) + kmaplab_kernel_info(KINFO_PHYS_OFFSET);
}

/* PAGE_KERNEL (PROT_NORMAL): page, AttrIndx 0, SH inner, AF, DBM, PXN, UXN. */
static uint64_t kernel_pte(unsigned long pa)
{
	return pa | 3u | 3u << 8 | 1u << 10 | 1ull << 51 | 1ull << 53 | 1ull << 54;
}

static volatile uint64_t *slot_pte(unsigned idx)
{
	volatile uint64_t *bm_pte = (volatile uint64_t *)(uintptr_t)kmaplab_kernel_info(KINFO_BM_PTE);
	return &bm_pte[(fix_to_virt(idx) >> PAGE_SHIFT) & 511];
}

static inline void dsb_ishst(void) { __asm__ volatile("dsb ishst" ::: "memory"); }
static inline void dsb_ish(void) { __asm__ volatile("dsb ish" ::: "memory"); }
static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void tlbi_vaale1is(unsigned long va)
{
	__asm__ volatile("tlbi vaale1is, %0" ::"r"((va >> 12) & ((1ul << 44) - 1)) : "memory");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "right";
	unsigned idx = (unsigned)kmaplab_kernel_info(KINFO_FIX_TEXT_POKE0);
	unsigned long va = fix_to_virt(idx);
	volatile uint8_t *p = (volatile uint8_t *)va;
	volatile uint64_t *pte = slot_pte(idx);
	pages[0] = 0xaa;
	pages[PAGE_SIZE] = 0xbb;
	set_fixmap(idx, pa_symbol(pages)); /* __set_fixmap: STR; DSB; ISB */
	CHECK(p[0] == 0xaa, "first mapping");
	uint64_t b = kernel_pte(pa_symbol(pages + PAGE_SIZE));
	uint8_t got;
	if (!strcmp(mode, "right")) {
		*pte = b;
		dsb_ishst();
		tlbi_vaale1is(va);
		dsb_ish();
		isb();
		got = p[0];
		CHECK(got == 0xbb, "after TLBI; DSB; ISB the new page: 0x%x", got);
	} else if (!strcmp(mode, "no-tlbi")) {
		*pte = b;
		dsb_ishst();
		got = p[0]; /* the old page or the new one: unpredictable */
	} else if (!strcmp(mode, "clear-no-tlbi")) {
		*pte = 0;
		dsb_ishst();
		*pte = b;
		dsb_ishst();
		got = p[0];
	} else if (!strcmp(mode, "no-dsb")) {
		*pte = b;
		tlbi_vaale1is(va);
		dsb_ish();
		isb();
		got = p[0];
	} else if (!strcmp(mode, "no-sync")) {
		*pte = b;
		dsb_ishst();
		tlbi_vaale1is(va);
		got = p[0];
		dsb_ish();
		isb();
	} else {
		CHECK(0, "unknown mode %s", mode);
		return 1;
	}
	clear_fixmap(idx); /* __set_fixmap: STR 0; DSB; TLBI; DSB; ISB */
	printf("%s: loaded 0x%x\n", mode, got);
	return 0;
}
