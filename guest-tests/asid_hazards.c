/* SPDX-License-Identifier: MIT */
/* asid_hazards: the ASID rules of the architectural checker
 * (docs/hazards.md, "ASIDs"), one case per run, on a fixmap page whose
 * PTE the guest writes itself (bm_pte slot 701, a slot nothing else uses).
 *
 * usage: asid_hazards.elf MODE
 *
 * Every mode maps page A at VA under ASID 5 the right way (store; DSB;
 * TLBIMVA VA|5; DSB; ISB) and reads it, so the TLB may hold VA -> A
 * tagged 5 (or global).  Then it points the PTE at page B with no
 * invalidate.  What ARM DDI 0406C says of the reads that follow (B3.9.1:
 * a non-global entry is tagged with the ASID current when it was walked
 * and matches only that ASID; a global one matches all; B3.10.4: a walk
 * may run whenever the descriptor is valid; B4.2.2: what each invalidate
 * removes), with the count of architectural stale_tlb hazards:
 *
 *   switch     nG; rewrite under 5; switch to ASID 6; read.  A is tagged
 *              5 only, ASID 6 cannot match it: 0 (the read gives B).
 *   return     as switch, then back to ASID 5 and read: A tagged 5 may
 *              still be there: 1.
 *   asid       as switch, then TLBIASID 5; DSB; ISB; back to 5; read: 0.
 *   mva        as switch, then TLBIMVA VA|5 (issued under ASID 6; the
 *              operand names the ASID); DSB; ISB; back to 5; read: 0.
 *   mva-other  as switch, then TLBIMVA VA|6: it does not cover the entry
 *              tagged 5; back to 5; read: 1.
 *   mvaa       as switch, then TLBIMVAA VA (every ASID); back to 5: 0.
 *   late       nG; switch to ASID 6 first, then rewrite; read under 6.
 *              While ASID 6 was current A was still in the table, so a
 *              walk may have cached it tagged 6: 1.
 *   global     A global; rewrite; switch to 6; read: a global entry
 *              matches every ASID: 1.
 *   asid-global  A global; rewrite; TLBIASID 5; DSB; ISB; read under 5:
 *              TLBIASID leaves global entries alone: 1.
 *   mva-global   A global; rewrite; TLBIMVA VA|6; DSB; ISB; read under
 *              5: by-MVA removes the VA's global entries whatever ASID
 *              it names: 0.
 * Prints "MODE: read 0x..." with the last word read; modes with 0
 * hazards must read B. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kmaplab/guest.h"

#define DSB() __asm__ volatile("dsb" : : : "memory")
#define ISB() __asm__ volatile("isb" : : : "memory")
#define TLBIMVA(v) __asm__ volatile("mcr p15, 0, %0, c8, c7, 1" : : "r"(v) : "memory")
#define TLBIASID(a) __asm__ volatile("mcr p15, 0, %0, c8, c7, 2" : : "r"(a) : "memory")
#define TLBIMVAA(v) __asm__ volatile("mcr p15, 0, %0, c8, c7, 3" : : "r"(v) : "memory")
#define PTE_NG (1u << 11)

static uint8_t page_a[4096] __attribute__((aligned(4096)));
static uint8_t page_b[4096] __attribute__((aligned(4096)));

static uint32_t small_page(uint32_t pa, int global)
{
	return pa | (global ? 0 : PTE_NG) | 0x40 | 0x10 | 0x8 | 0x4 | 0x2; /* TEX=001 C B, AP=01 */
}

/* CONTEXTIDR, as cpu_v7_switch_mm writes it (ASID in [7:0]). */
static void set_asid(uint32_t asid)
{
	__asm__ volatile("mcr p15, 0, %0, c13, c0, 1\n\tisb" : : "r"(asid) : "memory");
}

__attribute__((noinline)) static uint32_t read_va(volatile uint32_t *p)
{
	return *p;
}

static int is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "switch";
	volatile uint32_t *bm_pte = (volatile uint32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_BM_PTE);
	uint32_t va = FIXADDR_TOP - (701u << 12);
	volatile uint32_t *pte = &bm_pte[(va - FIXADDR_START) >> 12];
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)va;
	int global = is(mode, "global") || is(mode, "asid-global") || is(mode, "mva-global");
	int back = !is(mode, "switch") && !is(mode, "late") && !is(mode, "global");
	int stale = is(mode, "return") || is(mode, "mva-other") || is(mode, "late") ||
		    is(mode, "global") || is(mode, "asid-global");
	memset(page_a, 0xaa, sizeof(page_a));
	memset(page_b, 0xbb, sizeof(page_b));

	set_asid(5);
	*pte = small_page(virt_to_phys(page_a), global);
	DSB();
	TLBIMVA(va | 5);
	DSB();
	ISB();
	if (read_va(p) != 0xaaaaaaaau) {
		printf("%s: page A reads wrong\n", mode);
		return 1;
	}
	if (is(mode, "late"))
		set_asid(6);
	*pte = small_page(virt_to_phys(page_b), global);
	DSB();
	uint32_t v = 0;
	if (!is(mode, "asid-global") && !is(mode, "mva-global")) {
		set_asid(6);
		v = read_va(p);
	}
	if (is(mode, "asid") || is(mode, "asid-global"))
		TLBIASID(5);
	else if (is(mode, "mva"))
		TLBIMVA(va | 5);
	else if (is(mode, "mva-other") || is(mode, "mva-global"))
		TLBIMVA(va | 6);
	else if (is(mode, "mvaa"))
		TLBIMVAA(va);
	else if (!is(mode, "switch") && !is(mode, "return") && !is(mode, "late") && !is(mode, "global")) {
		printf("unknown mode %s\n", mode);
		return 2;
	}
	DSB();
	ISB();
	if (back) {
		set_asid(5);
		v = read_va(p);
	}
	set_asid(0);
	printf("%s: read 0x%08lx\n", mode, (unsigned long)v);
	return !stale && v != 0xbbbbbbbbu ? 1 : 0;
}
