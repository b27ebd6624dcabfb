/* SPDX-License-Identifier: MIT */
/* copy_highpage() in a loop: two kmap_atomic slots per copy (source and
 * destination), as the kernel copies pages on COW faults and migration. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kmaplab/guest.h"

#define PAIRS 256
#define ROUNDS 8

static struct page *src[PAIRS], *dst[PAIRS];

/* include/linux/highmem.h */
static void copy_highpage(struct page *to, struct page *from)
{
	char *vfrom = kmap_atomic(from);
	char *vto = kmap_atomic(to);
	memcpy(vto, vfrom, PAGE_SIZE);
	kunmap_atomic(vto);
	kunmap_atomic(vfrom);
}

int main(void)
{
	for (unsigned i = 0; i < PAIRS; i++) {
		src[i] = alloc_page(GFP_HIGHUSER);
		dst[i] = alloc_page(GFP_HIGHUSER);
		if (!src[i] || !dst[i])
			return 1;
		uint32_t *v = kmap_atomic(src[i]);
		for (unsigned w = 0; w < PAGE_SIZE / 4; w++)
			v[w] = i * 0x10000u + w;
		kunmap_atomic(v);
	}
	unsigned copies = 0, bad = 0;
	for (unsigned r = 0; r < ROUNDS; r++) {
		for (unsigned i = 0; i < PAIRS; i++) {
			copy_highpage(dst[i], src[i]);
			copies++;
		}
	}
	for (unsigned i = 0; i < PAIRS; i++) {
		uint32_t *v = kmap_atomic(dst[i]);
		for (unsigned w = 0; w < PAGE_SIZE / 4; w++)
			bad += v[w] != i * 0x10000u + w;
		kunmap_atomic(v);
	}
	printf("copy_highpage: %u copies of %u page pairs with two kmap_atomic slots each, %u bad words\n",
	       copies, PAIRS, bad);
	return bad ? 1 : 0;
}
