/* SPDX-License-Identifier: MIT */
/* Kernel WARNs: early_ioremap of more than NR_FIX_BTMAPS pages (the
 * kernel's __early_ioremap WARN_ON(nrpages > NR_FIX_BTMAPS), which returns
 * NULL), three times from one call site and once from another.  kmaplab
 * must count all four (kmap.warnings) and print one line per call site. */
#include <stdio.h>

#include "kmaplab/guest.h"

#define TOO_BIG (40u * PAGE_SIZE) /* NR_FIX_BTMAPS is 32 on ARM */

__attribute__((noinline)) static void *map_big(uint32_t phys)
{
	return early_ioremap(phys, TOO_BIG);
}

__attribute__((noinline)) static void *map_big_again(uint32_t phys)
{
	return early_ioremap(phys, TOO_BIG + PAGE_SIZE);
}

int main(void)
{
	int null = 0;
	for (int i = 0; i < 3; i++)
		null += map_big(0x100000u * (uint32_t)(i + 1)) == NULL;
	null += map_big_again(0x100000u) == NULL;
	printf("kernel_warn: %d of 4 early_ioremap calls returned NULL\n", null);
	return null == 4 ? 0 : 1;
}
