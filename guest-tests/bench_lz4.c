/* SPDX-License-Identifier: MIT */
/* Benchmark workload: real third-party code, LZ4 1.9.4 (third_party/lz4,
 * BSD 2-clause), compressing and decompressing generated text: hash-table
 * probes, byte copies and match searches, as a kernel's zram or a file
 * system's compression would run them.
 *
 *   bench_lz4 [SCALE]   SCALE (default 1) multiplies the rounds.
 *
 * Deterministic: the input is generated from a fixed seed (words from a
 * small vocabulary, so that it compresses about 2-3x); every round checks
 * the round trip byte for byte and prints a checksum of the compressed
 * sizes, so the compiler cannot drop the work. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "third_party/lz4/lz4.h"

#define INPUT_BYTES (128u << 10)
#define ROUNDS 48

static const char *const words[] = {
	"page", "kmap", "highmem", "pkmap_count", "flush", "tlb", "fixmap", "slot", "the",
	"of", "a", "to", "mapping", "kernel", "virtual", "address", "entry", "table", "cpu",
	"atomic", "local", "unmap", "wrap", "zone", "lowmem", "pte", "invalidate", "range",
};

static uint32_t rng = 12345;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void make_text(char *buf, size_t len)
{
	size_t n = 0;
	while (n < len) {
		const char *w = words[next_rand() % (sizeof(words) / sizeof(words[0]))];
		size_t wl = strlen(w);
		for (size_t i = 0; i < wl && n < len; i++)
			buf[n++] = w[i];
		if (n < len)
			buf[n++] = next_rand() % 11 == 0 ? '\n' : ' ';
		if (next_rand() % 97 == 0) /* a number now and then: less regular */
			n += (size_t)snprintf(buf + n, len - n, "%u ", (unsigned)(next_rand() % 100000));
	}
}

int main(int argc, char **argv)
{
	unsigned scale = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 1;
	int bound = LZ4_compressBound(INPUT_BYTES);
	char *in = malloc(INPUT_BYTES + 16), *packed = malloc((size_t)bound), *out = malloc(INPUT_BYTES);
	if (!in || !packed || !out || scale == 0) {
		printf("bench_lz4: no memory or bad SCALE\n");
		return 1;
	}
	make_text(in, INPUT_BYTES);
	uint32_t sum = 0;
	for (unsigned r = 0; r < ROUNDS * scale; r++) {
		/* Each round changes a few bytes, so no round repeats the last. */
		in[(r * 7919u) % INPUT_BYTES] = (char)('a' + r % 26);
		int n = LZ4_compress_default(in, packed, INPUT_BYTES, bound);
		if (n <= 0) {
			printf("bench_lz4: compression failed in round %u\n", r);
			return 1;
		}
		int m = LZ4_decompress_safe(packed, out, n, INPUT_BYTES);
		if (m != (int)INPUT_BYTES || memcmp(in, out, INPUT_BYTES) != 0) {
			printf("bench_lz4: round %u did not round-trip (%d bytes back)\n", r, m);
			return 1;
		}
		sum = sum * 31 + (uint32_t)n;
	}
	printf("bench_lz4: %u rounds of %u bytes, last %d compressed bytes, checksum 0x%08x\n",
	       ROUNDS * scale, INPUT_BYTES, LZ4_compress_default(in, packed, INPUT_BYTES, bound), sum);
	return 0;
}
