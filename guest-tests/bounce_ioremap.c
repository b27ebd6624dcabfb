/* SPDX-License-Identifier: MIT */
/* A bounce-buffer style early_ioremap user: a "device" region of physical
 * memory (in highmem when there is any) is mapped with early_ioremap, data
 * bounced in from a lowmem buffer and checked, then unmapped, many times,
 * as early boot code copies firmware tables or device buffers. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kmaplab/guest.h"

#define REGION (64u << 10) /* 16 pages per mapping */
#define TRANSFERS 48

static uint8_t bounce[REGION];

int main(void)
{
	/* The device region: the last 1 MiB of RAM. */
	uint32_t max_pfn = kmaplab_kernel_info(KINFO_MAX_PFN);
	uint32_t phys = (max_pfn << PAGE_SHIFT) - (1u << 20);
	unsigned bad = 0;
	for (unsigned t = 0; t < TRANSFERS; t++) {
		uint32_t where = phys + (t % 16) * REGION;
		memset(bounce, (int)t, REGION);
		bounce[t] = 0x5a; /* a byte that moves with each transfer */
		uint8_t *io = early_ioremap(where, REGION);
		if (!io) {
			printf("bounce_ioremap: early_ioremap(0x%08lx) failed\n", (unsigned long)where);
			return 1;
		}
#ifdef __aarch64__
		memcpy_toio(io, bounce, REGION); /* early_ioremap gives Device memory */
#else
		memcpy(io, bounce, REGION);
#endif
		for (unsigned b = 0; b < REGION; b += 61)
			bad += io[b] != (b == t ? 0x5a : (uint8_t)t);
		bad += io[t] != 0x5a;
		early_iounmap(io, REGION);
	}
	printf("bounce_ioremap: %u transfers of %u KiB through early_ioremap at 0x%08lx, %u bad bytes\n",
	       TRANSFERS, REGION >> 10, (unsigned long)phys, bad);
	return bad ? 1 : 0;
}
