/* SPDX-License-Identifier: MIT */
/* Thousands of random kmap / kunmap / kmap_atomic calls (fixed-seed PRNG)
 * with at most MAX_LIVE kmaps outstanding, over a pool of POOL > LAST_PKMAP
 * highmem pages, checked against this guest's own model of the kernel's
 * pkmap (mm/highmem.c v5.x, ARM's kmap_atomic from arch/arm/mm/highmem.c):
 *
 *   kmap_high:       vaddr = page_address(page) ?: map_new_virtual(page);
 *                    pkmap_count[PKMAP_NR(vaddr)]++
 *   map_new_virtual: count = LAST_PKMAP; for (;;) { last_pkmap_nr =
 *                    (last_pkmap_nr + 1) & (LAST_PKMAP - 1); if it is 0:
 *                    flush_all_zero_pkmaps(), count = LAST_PKMAP; free slot
 *                    (count 0): take it; else if (--count == 0) sleep }
 *                    the slot gets pkmap_count 1 and the page its address
 *   flush_all_zero_pkmaps: every slot at count 1 goes to 0 and loses its
 *                    page; one flush_tlb_kernel_range of all 512 pages if
 *                    any slot was cleared, none otherwise
 *   kunmap_high:     pkmap_count[nr]-- (the page keeps its address)
 *   kmap_atomic:     a page with a pkmap address (count >= 1): that address,
 *                    count + 1 (kmap_high_get), kunmap_atomic gives it back;
 *                    otherwise fixmap slot FIX_KMAP_BEGIN + depth and one
 *                    local_flush_tlb_kernel_page
 *
 * Every returned address is compared with the model's, pkmap_count[] and
 * last_pkmap_nr with the model's every CHECK_EVERY operations, and each
 * page's data (a pattern of its pfn plus a per-page generation word that
 * every mapping bumps) is checked through every mapping.  At the end the
 * guest prints the model's counts ("expected: ..."), which the test driver
 * compares with the stats file.
 *
 * usage: pkmap_random [seed [ops]] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kmaplab/guest.h"

#define LAST_PKMAP 512u
#define POOL 640u
#define MAX_LIVE 64u
#define CHECK_EVERY 256u
#define SAMPLES 16u /* pattern words checked per mapping, besides word 0 */

#define CHECK(cond, ...)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			printf("FAIL line %d op %lu: %s: ", __LINE__,           \
			       (unsigned long)op_nr, #cond);                    \
			printf(__VA_ARGS__);                                    \
			printf("\n");                                           \
			fflush(stdout);                                         \
			exit(1);                                                \
		}                                                               \
	} while (0)

static unsigned long op_nr;

/* xorshift32 */
static uint32_t rng_state;
static uint32_t rnd(uint32_t n)
{
	uint32_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rng_state = x;
	return x % n;
}

/* The guest's view of the machine */
static struct page *pool[POOL];
static uint32_t pool_pfn[POOL];
static uint32_t generation[POOL]; /* what word 0 of the page must hold */
static volatile int32_t *pkmap_count;
static volatile uint32_t *last_pkmap_nr_k;
static uint32_t pkmap_base;

/* The reference model */
static int32_t m_count[LAST_PKMAP];
static int32_t m_page_in_slot[LAST_PKMAP]; /* pool index, -1 none */
static int32_t m_slot_of[POOL];            /* pkmap slot, -1 none */
static uint32_t m_last;
static unsigned long m_wraps, m_range_flushes, m_local_flushes, m_kmaps, m_kunmaps,
	m_atomics, m_atomic_pkmap, m_new_slots;

static void m_flush_all_zero_pkmaps(void)
{
	int need_flush = 0;
	for (uint32_t i = 0; i < LAST_PKMAP; i++) {
		if (m_count[i] != 1)
			continue;
		m_count[i] = 0;
		m_slot_of[m_page_in_slot[i]] = -1;
		m_page_in_slot[i] = -1;
		need_flush = 1;
	}
	m_wraps++;
	if (need_flush)
		m_range_flushes++;
}

static int32_t m_map_new_virtual(uint32_t pi)
{
	uint32_t count = LAST_PKMAP;
	for (;;) {
		m_last = (m_last + 1) & (LAST_PKMAP - 1);
		if (m_last == 0) {
			m_flush_all_zero_pkmaps();
			count = LAST_PKMAP;
		}
		if (!m_count[m_last])
			break;
		if (--count)
			continue;
		return -1; /* would sleep: cannot happen with MAX_LIVE < LAST_PKMAP */
	}
	m_count[m_last] = 1;
	m_page_in_slot[m_last] = (int32_t)pi;
	m_slot_of[pi] = (int32_t)m_last;
	m_new_slots++;
	return (int32_t)m_last;
}

static uint32_t m_kmap(uint32_t pi)
{
	int32_t s = m_slot_of[pi];
	if (s < 0)
		s = m_map_new_virtual(pi);
	CHECK(s >= 0, "model would sleep");
	m_count[s]++;
	m_kmaps++;
	return pkmap_base + ((uint32_t)s << PAGE_SHIFT);
}

static void m_kunmap(uint32_t pi)
{
	CHECK(m_slot_of[pi] >= 0 && m_count[m_slot_of[pi]] >= 2, "model: kunmap of an unmapped page");
	m_count[m_slot_of[pi]]--;
	m_kunmaps++;
}

static uint32_t pattern(uint32_t pfn, uint32_t i)
{
	return (pfn * 0x9e3779b1u) ^ (i * 0x85ebca6bu) ^ 0x726e6421u;
}

/* Checks page `pi` through mapping `p` and bumps its generation word. */
static void touch(uint32_t pi, volatile uint32_t *p, const char *how)
{
	uint32_t pfn = pool_pfn[pi];
	CHECK(p[0] == generation[pi], "%s of pool page %lu (pfn 0x%lx) at %p: generation 0x%08lx, want 0x%08lx",
	      how, (unsigned long)pi, (unsigned long)pfn, (void *)p, (unsigned long)p[0],
	      (unsigned long)generation[pi]);
	for (uint32_t s = 0; s < SAMPLES; s++) {
		uint32_t i = 1 + (s * 1021u + generation[pi] * 7u) % (PAGE_SIZE / 4 - 1);
		CHECK(p[i] == pattern(pfn, i), "%s of pool page %lu (pfn 0x%lx) at %p: word %lu = 0x%08lx, want 0x%08lx",
		      how, (unsigned long)pi, (unsigned long)pfn, (void *)p, (unsigned long)i,
		      (unsigned long)p[i], (unsigned long)pattern(pfn, i));
	}
	generation[pi] += 0x10001u;
	p[0] = generation[pi];
}

static void compare_with_kernel(void)
{
	for (uint32_t nr = 0; nr < LAST_PKMAP; nr++)
		CHECK(pkmap_count[nr] == m_count[nr], "pkmap_count[%lu] = %ld, model %ld", (unsigned long)nr,
		      (long)pkmap_count[nr], (long)m_count[nr]);
	CHECK(*last_pkmap_nr_k == m_last, "last_pkmap_nr = %lu, model %lu", (unsigned long)*last_pkmap_nr_k,
	      (unsigned long)m_last);
}

/* One outstanding kmap: a pool index. */
static uint32_t live[MAX_LIVE];
static uint32_t nlive;

int main(int argc, char **argv)
{
	uint32_t seed = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 0x6b6d6170u;
	unsigned long ops = argc > 2 ? strtoul(argv[2], NULL, 0) : 20000;
	rng_state = seed ? seed : 1;

	pkmap_base = kmaplab_kernel_info(KINFO_PKMAP_BASE);
	pkmap_count = (volatile int32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_PKMAP_COUNT);
	last_pkmap_nr_k = (volatile uint32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_LAST_PKMAP_NR);
	for (uint32_t i = 0; i < LAST_PKMAP; i++)
		m_page_in_slot[i] = -1;

	/* The pool, each page filled through a kmap_atomic (fixmap: no page
	 * has a pkmap address yet). */
	for (uint32_t pi = 0; pi < POOL; pi++) {
		pool[pi] = alloc_page(GFP_HIGHUSER);
		CHECK(pool[pi] && PageHighMem(pool[pi]), "highmem page %lu", (unsigned long)pi);
		pool_pfn[pi] = page_to_pfn(pool[pi]);
		m_slot_of[pi] = -1;
		volatile uint32_t *p = kmap_atomic(pool[pi]);
		m_atomics++;
		m_local_flushes++;
		CHECK((uint32_t)(uintptr_t)p == __fix_to_virt(1), "fill kmap_atomic at %p", (void *)p);
		generation[pi] = pool_pfn[pi] << 8;
		p[0] = generation[pi];
		for (uint32_t i = 1; i < PAGE_SIZE / 4; i++)
			p[i] = pattern(pool_pfn[pi], i);
		kunmap_atomic((void *)p);
	}
	compare_with_kernel();

	for (op_nr = 1; op_nr <= ops; op_nr++) {
		uint32_t r = rnd(100);
		if (r < 48 && nlive < MAX_LIVE) {
			/* kmap: a random pool page, possibly one already live */
			uint32_t pi = rnd(POOL);
			uint32_t want = m_kmap(pi);
			volatile uint32_t *p = kmap(pool[pi]);
			CHECK((uint32_t)(uintptr_t)p == want, "kmap(pool page %lu) = %p, model 0x%08lx",
			      (unsigned long)pi, (void *)p, (unsigned long)want);
			touch(pi, p, "kmap");
			live[nlive++] = pi;
		} else if (r < 90 && nlive) {
			/* kunmap a random outstanding kmap, after a last check */
			uint32_t li = rnd(nlive);
			uint32_t pi = live[li];
			live[li] = live[--nlive];
			volatile uint32_t *p = page_address(pool[pi]);
			CHECK((uint32_t)(uintptr_t)p == pkmap_base + ((uint32_t)m_slot_of[pi] << PAGE_SHIFT),
			      "page_address(pool page %lu) = %p", (unsigned long)pi, (void *)p);
			touch(pi, p, "page_address");
			m_kunmap(pi);
			kunmap(pool[pi]);
		} else {
			/* kmap_atomic of a random page: its pkmap address if it
			 * still has one, else the fixmap at depth 0 */
			uint32_t pi = rnd(POOL);
			uint32_t want;
			m_atomics++;
			if (m_slot_of[pi] >= 0) {
				m_count[m_slot_of[pi]]++;
				m_atomic_pkmap++;
				want = pkmap_base + ((uint32_t)m_slot_of[pi] << PAGE_SHIFT);
			} else {
				m_local_flushes++;
				want = __fix_to_virt(1);
			}
			volatile uint32_t *p = kmap_atomic(pool[pi]);
			CHECK((uint32_t)(uintptr_t)p == want, "kmap_atomic(pool page %lu) = %p, model 0x%08lx",
			      (unsigned long)pi, (void *)p, (unsigned long)want);
			touch(pi, p, "kmap_atomic");
			kunmap_atomic((void *)p);
			if (m_slot_of[pi] >= 0)
				m_count[m_slot_of[pi]]--;
		}
		if (op_nr % CHECK_EVERY == 0)
			compare_with_kernel();
	}
	while (nlive) {
		uint32_t pi = live[--nlive];
		m_kunmap(pi);
		kunmap(pool[pi]);
	}
	compare_with_kernel();

	/* Last pass: every page through a fresh mapping. */
	for (uint32_t pi = 0; pi < POOL; pi++) {
		uint32_t want = m_kmap(pi);
		volatile uint32_t *p = kmap(pool[pi]);
		CHECK((uint32_t)(uintptr_t)p == want, "final kmap(pool page %lu) = %p, model 0x%08lx",
		      (unsigned long)pi, (void *)p, (unsigned long)want);
		touch(pi, p, "final kmap");
		m_kunmap(pi);
		kunmap(pool[pi]);
	}
	compare_with_kernel();

	printf("seed 0x%lx, %lu ops over %u pages (<= %u live): %lu kmaps (%lu new slots), %lu kmap_atomic (%lu via pkmap)\n",
	       (unsigned long)seed, ops, POOL, MAX_LIVE, m_kmaps, m_new_slots, m_atomics, m_atomic_pkmap);
	printf("expected: kmap=%lu kunmap=%lu kmap_atomic=%lu flush_all_zero_pkmaps=%lu range_flushes=%lu range_pages=%lu local_flushes=%lu\n",
	       m_kmaps, m_kunmaps, m_atomics, m_wraps, m_range_flushes, m_range_flushes * LAST_PKMAP,
	       m_local_flushes);
	printf("pkmap_random: ok\n");
	return 0;
}
