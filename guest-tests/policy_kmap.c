/* SPDX-License-Identifier: MIT */
/* policy_kmap: one kmap workload for every mapping policy (tests/guest/
 * policy_test.py runs it under each and works out, from each policy's
 * rule, the flushes it must cost).  The guest checks its own data and says
 * which window every mapping came from; it does not know the policy.
 *
 * usage: policy_kmap.elf [N [M [MODE]]]     (defaults 1100 600 check)
 *
 * With P0..P(N-1) pages from alloc_page(GFP_HIGHUSER), in this order:
 *   1. for i in 0..N-1: kmap(Pi), fill it with pattern(i), kunmap(Pi)
 *   2. for i in 0..N-1: kmap(Pi), check it, kunmap(Pi)
 *   3. a = kmap(P0); b = kmap(P1); c = kmap(P0); a word written through c
 *      reads back through a, P1 checks through b; kunmap(P0), kunmap(P1),
 *      kunmap(P0) -- nested, in reverse order
 *   4. h = kmap(P0); for j in 0..M-1: kmap, check, kunmap P(1 + j % (N-1));
 *      then P0 checks through h (held across every wrap); kunmap(P0)
 *   5. for i in 0..7: kmap_atomic(Pi), check, kunmap_atomic
 *   6. x = kmap_local_page(P0); y = kmap_local_page(P1); check both;
 *      kunmap_local(y); kunmap_local(x)
 * MODE:
 *   check      any wrong word: exit 1 (the default)
 *   nocheck    count wrong words but exit 0 (a policy known to be broken)
 *   unordered  then kmap(P0), kmap(P1), kunmap(P0), kunmap(P1): out of order
 *
 * Prints, for the driver:
 *   "pages: N (H in highmem)"
 *   "kmap: A pkmap, B fixmap, C lowmem, D other" (and for kmap_atomic,
 *   kmap_local_page) -- where the addresses the calls returned lie
 *   "data: W wrong words" */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmaplab/guest.h"

#define MAX_PAGES 4096
#define WORDS (PAGE_SIZE / 4)

static struct page *pages[MAX_PAGES];
static unsigned long wrong;

enum api { API_KMAP, API_KMAP_ATOMIC, API_KMAP_LOCAL, NR_API };
enum where { W_PKMAP, W_FIXMAP, W_LOWMEM, W_OTHER, NR_WHERE };
static unsigned long seen[NR_API][NR_WHERE];
static uint32_t pkmap_base, page_offset, high_memory;

static uint32_t pattern(unsigned i, unsigned w)
{
	return (i + 1) * 0x9e3779b9u ^ w * 0x85ebca6bu;
}

static void *note(enum api api, void *va)
{
	uint32_t a = (uint32_t)(uintptr_t)va;
	enum where w = a >= pkmap_base && a < pkmap_base + (2u << 20) ? W_PKMAP
		       : a >= FIXADDR_START && a < FIXADDR_END	       ? W_FIXMAP
		       : a >= page_offset && a < high_memory	       ? W_LOWMEM
								       : W_OTHER;
	seen[api][w]++;
	return va;
}

static void fill(unsigned i, volatile uint32_t *p)
{
	for (unsigned w = 0; w < WORDS; w++)
		p[w] = pattern(i, w);
}

static void check(unsigned i, const volatile uint32_t *p, const char *what)
{
	unsigned bad = 0;
	for (unsigned w = 0; w < WORDS; w++)
		if (p[w] != pattern(i, w))
			bad++;
	if (bad && wrong < 20)
		printf("page %u: %u wrong words (%s through %p)\n", i, bad, what, (const void *)p);
	wrong += bad;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 1100;
	unsigned m = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 600;
	const char *mode = argc > 3 ? argv[3] : "check";
	if (n < 8 || n > MAX_PAGES) {
		printf("N must be 8..%u\n", MAX_PAGES);
		return 2;
	}
	pkmap_base = kmaplab_kernel_info(KINFO_PKMAP_BASE);
	page_offset = kmaplab_kernel_info(KINFO_PAGE_OFFSET);
	/* __va(max_low_pfn << PAGE_SHIFT): the end of the linear map */
	high_memory = (kmaplab_kernel_info(KINFO_MAX_LOW_PFN) << PAGE_SHIFT) -
		      kmaplab_kernel_info(KINFO_PHYS_OFFSET) + page_offset;

	unsigned high = 0;
	for (unsigned i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_HIGHUSER);
		if (!pages[i]) {
			printf("alloc_page failed at %u\n", i);
			return 2;
		}
		high += PageHighMem(pages[i]);
	}
	printf("pages: %u (%u in highmem)\n", n, high);

	/* 1, 2 */
	for (unsigned i = 0; i < n; i++) {
		fill(i, note(API_KMAP, kmap(pages[i])));
		kunmap(pages[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		check(i, note(API_KMAP, kmap(pages[i])), "kmap");
		kunmap(pages[i]);
	}

	/* 3 */
	volatile uint32_t *a = note(API_KMAP, kmap(pages[0]));
	volatile uint32_t *b = note(API_KMAP, kmap(pages[1]));
	volatile uint32_t *c = note(API_KMAP, kmap(pages[0]));
	c[7] = 0x5a5a5a5au;
	if (a[7] != 0x5a5a5a5au) {
		printf("a word written through %p reads 0x%08lx through %p\n", (void *)c,
		       (unsigned long)a[7], (void *)a);
		wrong++;
	}
	a[7] = pattern(0, 7);
	check(0, c, "a nested kmap");
	check(1, b, "kmap");
	kunmap(pages[0]);
	kunmap(pages[1]);
	kunmap(pages[0]);

	/* 4 */
	volatile uint32_t *h = note(API_KMAP, kmap(pages[0]));
	for (unsigned j = 0; j < m; j++) {
		unsigned i = 1 + j % (n - 1);
		check(i, note(API_KMAP, kmap(pages[i])), "kmap");
		kunmap(pages[i]);
	}
	check(0, h, "a kmap held");
	kunmap(pages[0]);

	/* 5 */
	for (unsigned i = 0; i < 8; i++) {
		void *v = note(API_KMAP_ATOMIC, kmap_atomic(pages[i]));
		check(i, v, "kmap_atomic");
		kunmap_atomic(v);
	}

	/* 6 */
	void *x = note(API_KMAP_LOCAL, kmap_local_page(pages[0]));
	void *y = note(API_KMAP_LOCAL, kmap_local_page(pages[1]));
	check(0, x, "kmap_local_page");
	check(1, y, "kmap_local_page");
	kunmap_local(y);
	kunmap_local(x);

	static const char *const api_names[NR_API] = { "kmap", "kmap_atomic", "kmap_local_page" };
	for (int api = 0; api < NR_API; api++)
		printf("%s: %lu pkmap, %lu fixmap, %lu lowmem, %lu other\n", api_names[api],
		       seen[api][W_PKMAP], seen[api][W_FIXMAP], seen[api][W_LOWMEM], seen[api][W_OTHER]);
	printf("data: %lu wrong words\n", wrong);

	if (strcmp(mode, "unordered") == 0) {
		kmap(pages[0]);
		kmap(pages[1]);
		printf("kunmap out of order\n");
		kunmap(pages[0]);
		kunmap(pages[1]);
		printf("done\n");
	}
	return wrong && strcmp(mode, "nocheck") != 0 ? 1 : 0;
}
