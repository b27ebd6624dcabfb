/* SPDX-License-Identifier: MIT */
/* kmap_atomic nested to the limit, then unwound in reverse order (ARM
 * v5.x, arch/arm/mm/highmem.c and include/linux/highmem.h):
 *
 *   kmap_atomic(page): lowmem -> page_address(page), no stack slot;
 *     a highmem page with a pkmap address -> kmap_high_get(): that address,
 *     no stack slot (not under DEBUG_HIGHMEM on a non-VIVT cache);
 *     otherwise type = kmap_atomic_idx_push() (BUG_ON(idx >= KM_TYPE_NR)
 *     under DEBUG_HIGHMEM -- kmaplab's strict=1 checks it always),
 *     idx = FIX_KMAP_BEGIN + type + KM_TYPE_NR * smp_processor_id(),
 *     vaddr = __fix_to_virt(idx), set_fixmap_pte() = PTE + one
 *     local_flush_tlb_kernel_page.
 *   The ARM fixmap enum (mm/fixmap.h): FIX_EARLYCON_MEM_BASE = 0, then
 *   FIX_KMAP_BEGIN = 1; __fix_to_virt(i) = FIXADDR_TOP - (i << PAGE_SHIFT).
 *   So depth d (0-based) maps at FIXADDR_TOP - ((1 + d) << 12).
 *   kunmap_atomic(): a fixmap address pops the stack (the PTE stays unless
 *   DEBUG_HIGHMEM, which clears it with set_fixmap_pte: one more local
 *   flush); a pkmap address goes back through kunmap_high().
 *
 * KM_TYPE_NR fixmap-backed kmap_atomics nest (ARM's 16 by default; the
 * test passes 20 with --kernel 5.10,km_type_nr=20); the guest interleaves
 * lowmem and kmapped pages, which take no stack slot, so the nest holds more
 * than KM_TYPE_NR mappings.  With `over`, one more fixmap-backed kmap_atomic
 * at full depth must BUG.  The guest counts the local flushes it expects
 * and prints them for the driver.
 *
 * usage: kmap_atomic_nest KM_TYPE_NR [over] [debug]
 *   debug: expect CONFIG_DEBUG_HIGHMEM (--policy linux,debug_highmem=1) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define FIX_KMAP_BEGIN 1u
#define MAX_MAPS 64

enum kind { LOW, PKMAPPED, FRESH };

struct map {
	struct page *page;
	enum kind kind;
	volatile uint32_t *va;
	int depth; /* fixmap stack depth, -1 if none */
};

static uint32_t pkmap_base;
static volatile int32_t *pkmap_count;
static volatile int32_t *kmap_atomic_idx; /* __kmap_atomic_idx[0] */
static unsigned local_flushes;
static bool debug;

static uint32_t pattern(uint32_t pfn, uint32_t i)
{
	return (pfn * 0x9e3779b1u) ^ (i * 0x85ebca6bu) ^ 0x6e657374u;
}

static void check_pattern(volatile const uint32_t *p, uint32_t pfn, const char *what)
{
	for (uint32_t i = 8; i < PAGE_SIZE / 4; i += 37)
		CHECK(p[i] == pattern(pfn, i), "%s: pfn 0x%lx at %p word %lu = 0x%08lx", what,
		      (unsigned long)pfn, (const void *)p, (unsigned long)i, (unsigned long)p[i]);
}

static void fill(volatile uint32_t *p, uint32_t pfn)
{
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		p[i] = pattern(pfn, i);
}

static uint32_t pkmap_nr(const volatile void *va)
{
	return ((uint32_t)(uintptr_t)va - pkmap_base) >> PAGE_SHIFT;
}

__attribute__((noinline)) static void *kmap_atomic_one_too_many(struct page *page)
{
	return kmap_atomic(page);
}

int main(int argc, char **argv)
{
	CHECK(argc >= 2, "usage: kmap_atomic_nest KM_TYPE_NR [over] [debug]");
	unsigned limit = (unsigned)strtoul(argv[1], NULL, 0);
	bool over = false;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "over"))
			over = true;
		else if (!strcmp(argv[i], "debug"))
			debug = true;
	}
	CHECK(limit >= 8 && limit + 8 < MAX_MAPS, "KM_TYPE_NR %u", limit);
	CHECK(kmaplab_kernel_info(KINFO_KM_TYPE_NR) == limit, "the kernel has KM_TYPE_NR %lu, the test expects %u",
	      (unsigned long)kmaplab_kernel_info(KINFO_KM_TYPE_NR), limit);
	pkmap_base = kmaplab_kernel_info(KINFO_PKMAP_BASE);
	pkmap_count = (volatile int32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_PKMAP_COUNT);
	kmap_atomic_idx = (volatile int32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_KMAP_ATOMIC_IDX);

	/* Pages: limit + 1 fresh highmem, two lowmem, two kmapped highmem. */
	struct page *fresh[MAX_MAPS], *low[2], *kmapped[2];
	volatile uint32_t *kva[2];
	for (unsigned i = 0; i <= limit; i++) {
		fresh[i] = alloc_page(GFP_HIGHUSER);
		CHECK(fresh[i] && PageHighMem(fresh[i]), "highmem page %u", i);
		volatile uint32_t *p = kmap_atomic(fresh[i]); /* depth 0 */
		local_flushes += debug ? 2 : 1;
		CHECK((uint32_t)(uintptr_t)p == __fix_to_virt(FIX_KMAP_BEGIN), "fill mapping at %p", (void *)p);
		fill(p, page_to_pfn(fresh[i]));
		kunmap_atomic((void *)p);
	}
	for (unsigned i = 0; i < 2; i++) {
		low[i] = alloc_page(GFP_KERNEL);
		CHECK(low[i] && !PageHighMem(low[i]), "lowmem page %u", i);
		fill(page_address(low[i]), page_to_pfn(low[i]));
		kmapped[i] = alloc_page(GFP_HIGHUSER);
		CHECK(kmapped[i] && PageHighMem(kmapped[i]), "kmapped page %u", i);
		kva[i] = kmap(kmapped[i]);
		CHECK((uint32_t)(uintptr_t)kva[i] == pkmap_base + ((i + 1u) << PAGE_SHIFT), "kmap %u at %p", i,
		      (void *)kva[i]);
		fill(kva[i], page_to_pfn(kmapped[i]));
	}

	/* Nest until the fixmap stack is full. */
	struct map maps[MAX_MAPS];
	int n = 0, depth = 0;
	unsigned next_fresh = 0;
	while (depth < (int)limit) {
		struct map *m = &maps[n];
		m->kind = n == 2 ? LOW : n == 5 ? PKMAPPED : n == 9 ? LOW : n == 13 ? PKMAPPED : FRESH;
		m->page = m->kind == LOW ? low[n == 9] : m->kind == PKMAPPED ? kmapped[n == 13]
							 : fresh[next_fresh++];
		m->va = kmap_atomic(m->page);
		uint32_t va = (uint32_t)(uintptr_t)m->va;
		if (m->kind == LOW) {
			m->depth = -1;
			CHECK(m->va == page_address(m->page), "map %d: lowmem kmap_atomic %p", n, (void *)m->va);
		} else if (m->kind == PKMAPPED && !debug) {
			m->depth = -1;
			volatile uint32_t *want = kva[n == 13];
			CHECK(m->va == want, "map %d: kmap_atomic of a kmapped page %p, want %p", n, (void *)m->va,
			      (void *)want);
			CHECK(pkmap_count[pkmap_nr(m->va)] == 3, "map %d: pkmap_count %ld, want 3", n,
			      (long)pkmap_count[pkmap_nr(m->va)]);
		} else {
			m->depth = depth++;
			local_flushes++;
			uint32_t want = FIXADDR_TOP - ((uint32_t)(FIX_KMAP_BEGIN + m->depth) << PAGE_SHIFT);
			CHECK(va == want, "map %d at depth %d: %p, want 0x%08lx", n, m->depth, (void *)m->va,
			      (unsigned long)want);
			CHECK(va == __fix_to_virt(FIX_KMAP_BEGIN + m->depth), "__fix_to_virt");
		}
		CHECK(*kmap_atomic_idx == depth, "__kmap_atomic_idx %ld, want %d", (long)*kmap_atomic_idx, depth);
		n++;
	}
	printf("nested %d kmap_atomic mappings, %d of them on the fixmap stack (KM_TYPE_NR %u), top at 0x%08lx\n",
	       n, depth, limit, (unsigned long)(uintptr_t)maps[n - 1].va);

	/* All mappings live at once: each shows its own page, and a write
	 * through each is its own. */
	for (int i = 0; i < n; i++) {
		check_pattern(maps[i].va, page_to_pfn(maps[i].page), "nested");
		maps[i].va[1] = 0xa70a0000u + (uint32_t)i;
	}
	for (int i = 0; i < n; i++)
		CHECK(maps[i].va[1] == 0xa70a0000u + (uint32_t)i, "map %d word 1 = 0x%08lx", i,
		      (unsigned long)maps[i].va[1]);

	if (over) {
		printf("kmap_atomic number %u on the fixmap stack:\n", limit + 1);
		fflush(stdout);
		void *p = kmap_atomic_one_too_many(fresh[limit]);
		printf("FAIL: kmap_atomic nested past KM_TYPE_NR returned %p\n", p);
		return 1;
	}

	/* Unwind in reverse order. */
	for (int i = n - 1; i >= 0; i--) {
		kunmap_atomic((void *)maps[i].va);
		if (maps[i].depth >= 0) {
			depth--;
			if (debug)
				local_flushes++;
		}
		CHECK(*kmap_atomic_idx == depth, "after unmapping %d: __kmap_atomic_idx %ld, want %d", i,
		      (long)*kmap_atomic_idx, depth);
	}
	CHECK(pkmap_count[1] == 2 && pkmap_count[2] == 2, "kmapped pages' counts %ld %ld after unwinding",
	      (long)pkmap_count[1], (long)pkmap_count[2]);

	/* What was written through the nest, read through other mappings. */
	for (int i = 0; i < n; i++) {
		volatile uint32_t *p;
		if (maps[i].kind == LOW)
			p = page_address(maps[i].page);
		else if (maps[i].kind == PKMAPPED)
			p = kva[maps[i].page == kmapped[1]];
		else
			p = kmap(maps[i].page);
		uint32_t want = 0xa70a0000u + (uint32_t)i;
		/* a page mapped twice in the nest holds the later write */
		for (int j = i + 1; j < n; j++)
			if (maps[j].page == maps[i].page)
				want = 0xa70a0000u + (uint32_t)j;
		CHECK(p[1] == want, "map %d: word 1 through %p = 0x%08lx, want 0x%08lx", i, (void *)p,
		      (unsigned long)p[1], (unsigned long)want);
		check_pattern(p, page_to_pfn(maps[i].page), "after unwinding");
		if (maps[i].kind == FRESH)
			kunmap(maps[i].page);
	}
	kunmap(kmapped[0]);
	kunmap(kmapped[1]);

	printf("unwound in reverse order\n");
	printf("expected: local_flushes=%u\n", local_flushes);
	printf("kmap_atomic_nest: ok\n");
	return 0;
}
