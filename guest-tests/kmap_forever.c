/* SPDX-License-Identifier: MIT */
/* kmaps and kunmaps highmem pages forever: for testing that Ctrl-C (or
 * --max-insns) leaves complete stats and a readable trace. */
#include <stdio.h>

#include "kmaplab/guest.h"

#define PAGES 64

int main(void)
{
	struct page *pages[PAGES];
	for (unsigned i = 0; i < PAGES; i++)
		if (!(pages[i] = alloc_page(GFP_HIGHUSER)))
			return 1;
	printf("kmap_forever: looping\n");
	fflush(stdout);
	for (unsigned long n = 0;; n++) {
		volatile unsigned *v = kmap(pages[n % PAGES]);
		*v = (unsigned)n;
		kunmap(pages[n % PAGES]);
	}
}
