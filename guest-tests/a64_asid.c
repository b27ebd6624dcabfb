/* SPDX-License-Identifier: MIT */
/* ASID switching on AArch64 (docs/aarch64.md, "ASIDs"): a non-global page
 * in the modules area, remapped from page A to page B while the guest
 * switches ASIDs by writing TTBR0_EL1[63:48] (TCR_EL1.A1 = 0, 8-bit ASIDs:
 * the machine's TCR_EL1).  The expected counts follow from the rules in
 * mm/hazard_a64.h (ARMv8-A ARM DDI 0487 D5.9.1, D5.10.1, D5.10.2):
 *   - a non-global translation is cached tagged with the ASID current when
 *     it was walked; the checker keeps an old one under every ASID the CPU
 *     had current since the run started (0 at boot, then 5 here): each
 *     access is compared only with its own ASID's;
 *   - break-before-make is about the entries of the current ASID.
 * Every mode first maps the page (global, __create_pgd_mapping), makes it
 * non-global (STR nG; DSB; TLBI VAAE1IS; DSB; ISB: nG 0 -> 1 needs no
 * break), switches to ASID 5 and loads through it (page A, tagged 5), then
 * breaks it under ASID 5 (STR 0; DSB) with no TLBI, switches to ASID 6,
 * never current before, and makes it (STR B; DSB; ISB) and loads:
 *   right        ... load under 6 must give page B            -> 0
 *                (Unicorn's TLB too: QEMU flushes on an ASID change)
 *   back         ... then back to ASID 5 and load             -> 1 stale_tlb (tagged 5)
 *   back-vae1    ... TLBI VAE1IS of the page with ASID 5; DSB; ISB; back to 5, load -> 0
 *   back-aside1  ... TLBI ASIDE1IS 5; DSB; ISB; back to 5, load -> 0
 *   back-wrong-asid  ... TLBI ASIDE1IS 7; DSB; ISB; back to 5, load -> 1 stale_tlb
 *   seen-first   switch to 6 and load before the break, so 6 is current
 *                while A is valid; the make under 6 comes before any TLBI:
 *                                                  -> 1 bbm, 1 stale_tlb (tagged 6)
 *   a1-MODE      MODE with TCR_EL1.A1 set first (one MSR TCR_EL1): the ASID
 *                is TTBR1_EL1[63:48], and set_asid() writes TTBR1_EL1; the
 *                counts are MODE's
 * With --hazards observed, back counts 1 (the modelled TLB still holds the
 * entry tagged 5 from the first load) and right 0. */
#include <stdint.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define ADDR_MASK 0x0000fffffffff000ull
#define PTE_NG (1ull << 11)

static uint8_t pages[2 * PAGE_SIZE] __attribute__((aligned(4096)));
static unsigned long va_bits;

static unsigned long pa_symbol(const void *p)
{
	return (uintptr_t)p - kmaplab_kernel_info(KINFO_KIMAGE_VADDR) + kmaplab_kernel_info(KINFO_PHYS_OFFSET);
}

static volatile uint64_t *lm(uint64_t pa) /* __va(): the linear map */
{
	return (volatile uint64_t *)(uintptr_t)(pa - kmaplab_kernel_info(KINFO_PHYS_OFFSET) +
						kmaplab_kernel_info(KINFO_PAGE_OFFSET));
}

/* The level-3 entry of `va` (its tables exist: __create_pgd_mapping made them). */
static volatile uint64_t *pte_of(unsigned long va)
{
	volatile uint64_t *t = (volatile uint64_t *)(uintptr_t)kmaplab_kernel_info(KINFO_SWAPPER_PG_DIR);
	for (unsigned level = va_bits == 48 ? 0 : 1; level < 3; level++) {
		uint64_t e = t[(va >> (12 + 9 * (3 - level))) & 511];
		CHECK((e & 3) == 3, "level-%u entry of 0x%lx is a table", level, va);
		t = lm(e & ADDR_MASK);
	}
	return &t[(va >> 12) & 511];
}

static inline void dsb_ishst(void) { __asm__ volatile("dsb ishst" ::: "memory"); }
static inline void dsb_ish(void) { __asm__ volatile("dsb ish" ::: "memory"); }
static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }

static int use_a1; /* TCR_EL1.A1 set: the ASID is TTBR1_EL1's */

static void set_asid(unsigned asid)
{
	uint64_t t;
	if (use_a1) {
		__asm__ volatile("mrs %0, ttbr1_el1" : "=r"(t));
		t = (t & ~(0xffffull << 48)) | (uint64_t)asid << 48;
		__asm__ volatile("msr ttbr1_el1, %0\n\tisb" ::"r"(t) : "memory");
		return;
	}
	__asm__ volatile("mrs %0, ttbr0_el1" : "=r"(t));
	t = (t & ~(0xffffull << 48)) | (uint64_t)asid << 48;
	__asm__ volatile("msr ttbr0_el1, %0\n\tisb" ::"r"(t) : "memory");
}

static void set_tcr_a1(void)
{
	uint64_t t;
	__asm__ volatile("mrs %0, tcr_el1" : "=r"(t));
	t |= 1ull << 22;
	__asm__ volatile("msr tcr_el1, %0\n\tisb" ::"r"(t) : "memory");
	use_a1 = 1;
}

static void tlbi_vaae1is(unsigned long va)
{
	__asm__ volatile("tlbi vaae1is, %0" ::"r"((va >> 12) & ((1ul << 44) - 1)) : "memory");
}

static void tlbi_vae1is(unsigned long va, unsigned asid)
{
	__asm__ volatile("tlbi vae1is, %0" ::"r"(((va >> 12) & ((1ul << 44) - 1)) | (uint64_t)asid << 48) : "memory");
}

static void tlbi_aside1is(unsigned asid)
{
	__asm__ volatile("tlbi aside1is, %0" ::"r"((uint64_t)asid << 48) : "memory");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "right";
	va_bits = kmaplab_kernel_info(KINFO_VA_BITS);
	if (!strncmp(mode, "a1-", 3)) { /* the same mode with the ASID in TTBR1_EL1 */
		set_tcr_a1();
		mode += 3;
	}
	/* MODULES_VADDR = _PAGE_END(VA_BITS_MIN) + SZ_128M (memory.h v5.10). */
	unsigned long m = -(1ul << (va_bits - 1)) + 0x8000000ul;
	volatile uint8_t *p = (volatile uint8_t *)m;
	pages[0] = 0xaa;
	pages[PAGE_SIZE] = 0xbb;
	__create_pgd_mapping(pa_symbol(pages), m, PAGE_SIZE, NO_BLOCK_MAPPINGS);
	volatile uint64_t *pte = pte_of(m);
	uint64_t a = *pte;
	CHECK((a & ADDR_MASK) == pa_symbol(pages) && !(a & PTE_NG), "the PTE maps page A, global: 0x%llx",
	      (unsigned long long)a);
	a |= PTE_NG;
	uint64_t b = (a & ~ADDR_MASK) | pa_symbol(pages + PAGE_SIZE);
	*pte = a;
	dsb_ishst();
	tlbi_vaae1is(m);
	dsb_ish();
	isb();
	set_asid(5);
	CHECK(p[0] == 0xaa, "page A under ASID 5");
	if (!strcmp(mode, "seen-first")) {
		set_asid(6);
		CHECK(p[0] == 0xaa, "page A under ASID 6");
	}
	*pte = 0;
	dsb_ishst();
	set_asid(6);
	*pte = b;
	dsb_ishst();
	isb();
	uint8_t got = p[0];
	if (!strcmp(mode, "right")) {
		CHECK(got == 0xbb, "page B under the new ASID 6: 0x%x", got);
	} else if (!strcmp(mode, "back") || !strcmp(mode, "back-vae1") || !strcmp(mode, "back-aside1") ||
		   !strcmp(mode, "back-wrong-asid")) {
		if (!strcmp(mode, "back-vae1"))
			tlbi_vae1is(m, 5);
		else if (!strcmp(mode, "back-aside1"))
			tlbi_aside1is(5);
		else if (!strcmp(mode, "back-wrong-asid"))
			tlbi_aside1is(7);
		dsb_ish();
		isb();
		set_asid(5);
		got = p[0];
		if (strcmp(mode, "back") && strcmp(mode, "back-wrong-asid"))
			CHECK(got == 0xbb, "page B under ASID 5 after the TLBI: 0x%x", got);
	} else if (strcmp(mode, "seen-first")) {
		CHECK(0, "unknown mode %s", mode);
		return 1;
	}
	set_asid(0);
	printf("%s: loaded 0x%x\n", mode, got);
	return 0;
}
