/* SPDX-License-Identifier: MIT */
/* A page-cache style reader: a "file" of highmem pages, read over and over
 * in short kmap/kunmap sections, as generic_file_read_iter's copy-out does
 * (kmap the page, copy a chunk, kunmap).  Mostly sequential passes with a
 * random re-read now and then.  Prints what it did and a checksum. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kmaplab/guest.h"

#define FILE_PAGES 1536 /* 6 MiB: three times the pkmap window */
#define PASSES 3
#define CHUNK 128       /* bytes copied out per read */

static struct page *file_pages[FILE_PAGES];
static uint8_t user_buf[CHUNK];

static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

static uint32_t read_page(unsigned i, unsigned off)
{
	uint8_t *va = kmap(file_pages[i]);
	uint32_t sum = 0;
	for (unsigned b = 0; b < CHUNK; b++) {
		user_buf[b] = va[off + b];
		sum += user_buf[b];
	}
	kunmap(file_pages[i]);
	return sum;
}

int main(void)
{
	unsigned highmem = 0;
	for (unsigned i = 0; i < FILE_PAGES; i++) {
		file_pages[i] = alloc_page(GFP_HIGHUSER);
		if (!file_pages[i]) {
			printf("pagecache_read: out of pages at %u\n", i);
			return 1;
		}
		highmem += PageHighMem(file_pages[i]);
		uint32_t *va = kmap(file_pages[i]);
		for (unsigned w = 0; w < PAGE_SIZE / 4; w++) /* bytes i + b, b = 4w .. 4w+3 */
			va[w] = (uint32_t)(uint8_t)(i + 4 * w) | (uint32_t)(uint8_t)(i + 4 * w + 1) << 8 |
				(uint32_t)(uint8_t)(i + 4 * w + 2) << 16 | (uint32_t)(uint8_t)(i + 4 * w + 3) << 24;
		kunmap(file_pages[i]);
	}
	uint32_t sum = 0, reads = 0;
	for (unsigned pass = 0; pass < PASSES; pass++) {
		for (unsigned i = 0; i < FILE_PAGES; i++) {
			unsigned off = (pass * CHUNK) % PAGE_SIZE;
			sum += read_page(i, off);
			reads++;
			if (next_rand() % 8 == 0) { /* a reader seeking back */
				sum += read_page(next_rand() % FILE_PAGES, 0);
				reads++;
			}
		}
	}
	/* The same reads, computed from the pattern without any mapping. */
	rng = 12345;
	uint32_t expect = 0;
	for (unsigned pass = 0; pass < PASSES; pass++) {
		for (unsigned i = 0; i < FILE_PAGES; i++) {
			unsigned off = (pass * CHUNK) % PAGE_SIZE;
			for (unsigned b = 0; b < CHUNK; b++)
				expect += (uint8_t)(i + off + b);
			if (next_rand() % 8 == 0) {
				unsigned j = next_rand() % FILE_PAGES;
				for (unsigned b = 0; b < CHUNK; b++)
					expect += (uint8_t)(j + b);
			}
		}
	}
	printf("pagecache_read: %u-page file (%u in highmem), %u reads of %u bytes, checksum 0x%08lx %s\n",
	       FILE_PAGES, highmem, (unsigned)reads, CHUNK, (unsigned long)sum, sum == expect ? "ok" : "WRONG");
	return sum == expect ? 0 : 1;
}
