/* SPDX-License-Identifier: MIT */
/* A long-held kmap set near LAST_PKMAP: HELD pages stay kmapped for the
 * whole run (like buffers pinned by a driver), while short kmap/kunmap
 * sections of other pages compete for the few slots left, so the pkmap
 * window wraps often. */
#include <stdint.h>
#include <stdio.h>

#include "kmaplab/guest.h"

#define HELD 496 /* of LAST_PKMAP = 512 slots */
#define OTHERS 256
#define ROUNDS 40

static struct page *held[HELD], *others[OTHERS];
static uint32_t *held_va[HELD];

int main(void)
{
	for (unsigned i = 0; i < HELD; i++) {
		held[i] = alloc_page(GFP_HIGHUSER);
		if (!held[i])
			return 1;
		held_va[i] = kmap(held[i]);
		held_va[i][0] = i;
	}
	for (unsigned i = 0; i < OTHERS; i++)
		if (!(others[i] = alloc_page(GFP_HIGHUSER)))
			return 1;
	unsigned short_kmaps = 0, bad = 0;
	for (unsigned r = 0; r < ROUNDS; r++) {
		for (unsigned i = 0; i < OTHERS; i++) {
			uint32_t *v = kmap(others[i]);
			if (r)
				bad += v[1] != r - 1;
			v[1] = r;
			kunmap(others[i]);
			short_kmaps++;
			/* the held mappings stay valid throughout */
			bad += held_va[(i * 7 + r) % HELD][0] != (i * 7 + r) % HELD;
		}
	}
	for (unsigned i = 0; i < HELD; i++)
		kunmap(held[i]);
	printf("longheld_kmaps: %u pages held kmapped, %u short kmaps of %u other pages, %u bad reads\n",
	       HELD, short_kmaps, OTHERS, bad);
	return bad ? 1 : 0;
}
