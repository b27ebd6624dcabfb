/* SPDX-License-Identifier: MIT */
/* Benchmark workload: load/store heavy.  Six 4 MiB arrays from malloc (24
 * lowmem sections in all, more than the 10-entry micro TLBs of the
 * Cortex-A7 hold) are summed and updated: first in sequential sweeps
 * (three loads and a store per element, mostly micro-TLB hits), then in a
 * strided walk that hops to another array, and another section, on every
 * access, so the micro TLB misses and the main TLB answers.  Lowmem is
 * mapped with sections and the 24 fit in the main TLB, so page-table walks
 * stay rare (one per section).
 *
 *   bench_loadstore [SCALE]   SCALE (default 1) multiplies the work.
 *
 * Fixed size and deterministic: prints a checksum that depends on every
 * access, so the compiler cannot drop the work.  About 130 M guest
 * instructions at SCALE 1 (tools/bench reports the exact count). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define NARR 6
#define WORDS (1u << 20) /* 4 MiB per array */
#define SWEEPS 1          /* sequential passes over all arrays, per SCALE */
#define STRIDED (3u << 20) /* strided accesses, per SCALE */
/* A quarter of an array and a little over a page, in words: every access
 * lands in another 1 MiB section; odd, so the walk covers every word. */
#define STRIDE (WORDS / 4 + 1024u + 17u)

static uint32_t *arr[NARR];

/* dst[i] += s1[i] ^ s2[i] + pass over one array; returns a running sum. */
static uint32_t sweep(uint32_t *restrict dst, const uint32_t *s1, const uint32_t *s2, uint32_t pass)
{
	uint32_t sum = 0;
	for (uint32_t i = 0; i < WORDS; i++) {
		uint32_t v = (s1[i] ^ s2[i]) + pass;
		dst[i] += v;
		sum += v;
	}
	return sum;
}

/* Hops through all arrays, one access per array in turn, each in another
 * section: 24 sections in turn, more than a micro TLB holds. */
static uint32_t strided(uint32_t n, uint32_t seed)
{
	uint32_t idx = seed & (WORDS - 1), sum = 0;
	for (uint32_t k = 0; k < n; k += NARR) {
		for (unsigned a = 0; a < NARR; a++) {
			uint32_t *p = &arr[a][idx];
			uint32_t v = *p;
			*p = v + k;
			sum = (sum << 1 | sum >> 31) ^ v;
			idx = (idx + STRIDE) & (WORDS - 1);
		}
	}
	return sum;
}

int main(int argc, char **argv)
{
	unsigned scale = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 1;
	if (!scale)
		scale = 1;
	for (unsigned a = 0; a < NARR; a++) {
		arr[a] = malloc(WORDS * sizeof(uint32_t));
		if (!arr[a]) {
			printf("bench_loadstore: out of memory\n");
			return 2;
		}
		uint32_t x = 0x9e3779b9u * (a + 1);
		for (uint32_t i = 0; i < WORDS; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			arr[a][i] = x;
		}
	}
	uint32_t check = 0;
	for (unsigned s = 0; s < scale; s++) {
		for (uint32_t p = 0; p < SWEEPS; p++)
			for (unsigned a = 0; a < NARR; a++)
				check += sweep(arr[a], arr[(a + 1) % NARR], arr[(a + 2) % NARR], p + s);
		check ^= strided(STRIDED, check);
	}
	for (unsigned a = 0; a < NARR; a++)
		for (uint32_t i = 0; i < WORDS; i += 4099)
			check = check * 31 + arr[a][i];
	printf("bench_loadstore: scale %u checksum 0x%08lx\n", scale, (unsigned long)check);
	return 0;
}
