/* SPDX-License-Identifier: MIT */
/* Every pkmap slot held: how many kmaps of distinct highmem pages can be
 * outstanding, and what the next one does (mm/highmem.c v5.x).
 *
 * map_new_virtual() takes a slot whose pkmap_count is 0.  last_pkmap_nr
 * starts at 0 and is pre-incremented: kmaps #1..#511 take slots 1..511.
 * kmap #512 steps the cursor to 0, the wrap: flush_all_zero_pkmaps() finds
 * no slot at count 1 (all are held, count 2), clears nothing and issues no
 * flush_tlb_kernel_range; slot 0 has count 0 and is taken.  So all
 * LAST_PKMAP = 512 slots are usable, slot 0 last.
 *
 * kmap #513 then scans with count = 512: slots 1..511 are held (count
 * 511 -> 1), the cursor wraps to 0 again -- a second flush_all_zero_pkmaps
 * (nothing to clear), count reset to 512 -- slot 0 is held (511), slots
 * 1..511 again (-> 0): it would sleep on pkmap_map_wait, and with one task
 * nobody can ever kunmap.  kmaplab stops with status 74 and names the
 * holders.  Expected stats: kmap 513, flush_all_zero_pkmaps 2, no range
 * flush, last_pkmap_nr 511 (printed before the last kmap).
 *
 * usage: pkmap_exhaust [N]: hold N kmaps (default 512), then one more. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define LAST_PKMAP 512u

static struct page *pages[LAST_PKMAP + 1];
static volatile uint32_t *addr[LAST_PKMAP + 1];

static uint32_t pattern(uint32_t pfn, uint32_t i)
{
	return (pfn * 0x9e3779b1u) ^ (i * 0x85ebca6bu) ^ 0x68656c64u;
}

/* The kmaps that hold the slots: the report must name this function, and
 * the one that would sleep kmap_one_more (noipa: GCC's identical code
 * folding would otherwise make them one function). */
__attribute__((noinline, noipa)) static volatile uint32_t *hold_slot(struct page *page)
{
	return kmap(page);
}

__attribute__((noinline, noipa)) static void *kmap_one_more(struct page *page)
{
	return kmap(page);
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : LAST_PKMAP;
	CHECK(n <= LAST_PKMAP, "N %u", n);
	uint32_t pkmap_base = kmaplab_kernel_info(KINFO_PKMAP_BASE);
	volatile int32_t *pkmap_count = (volatile int32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_PKMAP_COUNT);
	volatile uint32_t *last_pkmap_nr =
		(volatile uint32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_LAST_PKMAP_NR);

	for (unsigned i = 0; i <= n; i++) {
		pages[i] = alloc_page(GFP_HIGHUSER);
		CHECK(pages[i] && PageHighMem(pages[i]), "highmem page %u", i);
	}
	for (unsigned k = 1; k <= n; k++) {
		struct page *pg = pages[k - 1];
		volatile uint32_t *p = hold_slot(pg);
		uint32_t want = pkmap_base + ((k % LAST_PKMAP) << PAGE_SHIFT);
		CHECK((uint32_t)(uintptr_t)p == want, "kmap #%u at %p, want 0x%08lx", k, (void *)p,
		      (unsigned long)want);
		for (uint32_t i = 0; i < PAGE_SIZE / 4; i += 13)
			p[i] = pattern(page_to_pfn(pg), i);
		addr[k - 1] = p;
	}
	/* All held at once: every slot shows its own page. */
	for (unsigned k = 0; k < n; k++)
		for (uint32_t i = 0; i < PAGE_SIZE / 4; i += 13)
			CHECK(addr[k][i] == pattern(page_to_pfn(pages[k]), i), "held page %u word %lu", k,
			      (unsigned long)i);
	unsigned held = 0;
	for (uint32_t nr = 0; nr < LAST_PKMAP; nr++)
		held += pkmap_count[nr] == 2;
	CHECK(held == n, "%u slots at count 2, want %u", held, n);
	printf("holding %u kmaps of distinct highmem pages, slots %s; last_pkmap_nr %lu\n", n,
	       n == LAST_PKMAP ? "0..511 (slot 0 last)" : "from 1", (unsigned long)*last_pkmap_nr);
	printf("kmap #%u of pfn 0x%lx:\n", n + 1, (unsigned long)page_to_pfn(pages[n]));
	fflush(stdout);
	void *p = kmap_one_more(pages[n]);
	if (n == LAST_PKMAP) {
		printf("FAIL: kmap with every pkmap slot held returned %p\n", p);
		return 1;
	}
	CHECK((uint32_t)(uintptr_t)p == pkmap_base + (((n + 1) % LAST_PKMAP) << PAGE_SHIFT), "kmap #%u at %p",
	      n + 1, p);
	printf("pkmap_exhaust: ok with %u held\n", n);
	return 0;
}
