/* SPDX-License-Identifier: MIT */
/* Reads a kernel VA that no page-table entry maps (just below the pkmap
 * window, in the vmalloc area), which must stop the run with a data abort
 * naming this function and the invalid L1 descriptor. */
#include <stdint.h>
#include <stdio.h>

#include "kmaplab/guest.h"

__attribute__((noinline)) static uint32_t read_unmapped(volatile uint32_t *p)
{
	return *p;
}

int main(void)
{
	uint32_t pkmap_base = kmaplab_kernel_info(KINFO_PKMAP_BASE);
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)(pkmap_base - 0x100000u + 0x10);
	printf("reading %p\n", (void *)p);
	fflush(stdout);
	printf("read 0x%08x: should not get here\n", (unsigned)read_unmapped(p));
	return 0;
}
