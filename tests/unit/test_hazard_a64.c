/* SPDX-License-Identifier: MIT */
/* Unit tests of the AArch64 hazard rules (mm/hazard_a64.c): one watched
 * level-3 table mapping the 2 MiB at VA, its entry 5 retargeted from page A
 * to page B; each sequence's expected counts follow from the three rules
 * in mm/hazard_a64.h (ARMv8-A ARM D5.10). */
#include <string.h>

#include "check.h"
#include "hazard_a64.h"

#define TABLE 0x40100000ull
#define VA 0xfffffffefe400000ull
#define E5 (TABLE + 5 * 8)
#define VA5 (VA + 5 * 4096)
#define OPND5 ((VA5 >> 12) & ((1ull << 44) - 1))
#define PA_A (0x40200000ull | 0x703)
#define PA_B (0x40201000ull | 0x703)

static struct a64_hazard h;

static void setup(void)
{
	a64_hazard_init(&h);
	a64_hazard_watch_table(&h, TABLE, VA);
}

int main(void)
{
	uint64_t old, bad_va, pte_pa;
	/* Invalid -> valid: a fault is never cached, nothing to check. */
	setup();
	a64_hazard_pt_store(&h, E5, 0, PA_A);
	CHECK(a64_hazard_quiet(&h));
	/* Retarget, no TLBI: every access is stale until a covering TLBI
	 * completes; another VA is not. */
	setup();
	a64_hazard_pt_store(&h, E5, PA_A, PA_B);
	CHECK(!a64_hazard_quiet(&h));
	CHECK(a64_hazard_access(&h, VA5 + 12, PA_B, &old) == A64_HZ_STALE && old == PA_A);
	CHECK(a64_hazard_access(&h, VA5 + 4096, PA_B, &old) == A64_HZ_NONE);
	CHECK(h.stats.stale == 1);
	/* The kernel's order: STR; DSB; TLBI; DSB; ISB -> nothing, set empty. */
	setup();
	a64_hazard_pt_store(&h, E5, PA_A, PA_B);
	a64_hazard_dsb(&h);
	CHECK(a64_hazard_tlbi(&h, A64_TLBI_VAALE1IS, OPND5, &bad_va, &pte_pa) == A64_HZ_NONE);
	a64_hazard_dsb(&h);
	a64_hazard_isb(&h);
	CHECK(a64_hazard_quiet(&h) && h.stats.barrier == 0 && h.stats.stale == 0);
	/* TLBI before the DSB that publishes the store. */
	setup();
	a64_hazard_pt_store(&h, E5, PA_A, PA_B);
	CHECK(a64_hazard_tlbi(&h, A64_TLBI_VAE1IS, OPND5, &bad_va, &pte_pa) == A64_HZ_BARRIER_STORE);
	CHECK(bad_va == VA5 && pte_pa == E5 && h.stats.barrier == 1);
	/* Access between TLBI and DSB, and between DSB and ISB. */
	setup();
	a64_hazard_pt_store(&h, E5, PA_A, PA_B);
	a64_hazard_dsb(&h);
	a64_hazard_tlbi(&h, A64_TLBI_VAALE1IS, OPND5, &bad_va, &pte_pa);
	CHECK(a64_hazard_access(&h, VA5, PA_B, &old) == A64_HZ_BARRIER_ACCESS);
	a64_hazard_dsb(&h);
	CHECK(a64_hazard_access(&h, VA5, PA_B, &old) == A64_HZ_BARRIER_ACCESS);
	a64_hazard_isb(&h);
	CHECK(a64_hazard_access(&h, VA5, PA_B, &old) == A64_HZ_NONE && h.stats.barrier == 2);
	/* ASIDE1IS leaves global kernel entries: still stale; VMALLE1IS covers. */
	setup();
	a64_hazard_pt_store(&h, E5, PA_A, 0);
	a64_hazard_dsb(&h);
	a64_hazard_tlbi(&h, A64_TLBI_ASIDE1IS, 0, &bad_va, &pte_pa);
	a64_hazard_dsb(&h);
	a64_hazard_isb(&h);
	CHECK(a64_hazard_access(&h, VA5, 0, &old) == A64_HZ_STALE);
	a64_hazard_tlbi(&h, A64_TLBI_VMALLE1IS, 0, &bad_va, &pte_pa);
	a64_hazard_dsb(&h);
	a64_hazard_isb(&h);
	CHECK(a64_hazard_quiet(&h));
	/* The same translation again (only AF differs) is no hazard. */
	setup();
	a64_hazard_pt_store(&h, E5, PA_A, PA_A & ~PTE_AF);
	CHECK(a64_hazard_access(&h, VA5, PA_A, &old) == A64_HZ_NONE);
	/* A store outside any watched table is not tracked. */
	setup();
	a64_hazard_pt_store(&h, TABLE + 4096, PA_A, PA_B);
	CHECK(a64_hazard_quiet(&h) && !a64_hazard_pt_watched(&h, TABLE + 4096) && a64_hazard_pt_watched(&h, E5));
	return check_done();
}
