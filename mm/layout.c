/* SPDX-License-Identifier: MIT */
#include "layout.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	uint32_t page_offset;
} splits[] = {
	[SPLIT_3G_1G] = { "3G/1G", 0xc0000000u },
	[SPLIT_2G_2G] = { "2G/2G", 0x80000000u },
	[SPLIT_1G_3G] = { "1G/3G", 0x40000000u },
};

int vm_split_parse(const char *s, enum vm_split *out)
{
	for (size_t i = 0; i < sizeof(splits) / sizeof(splits[0]); i++) {
		if (strcmp(s, splits[i].name) == 0) {
			*out = (enum vm_split)i;
			return 0;
		}
	}
	return -1;
}

const char *vm_split_name(enum vm_split split)
{
	return splits[split].name;
}

static uint32_t pkmap_base_of(enum vm_split split)
{
	return splits[split].page_offset - (2u << 20);
}

uint32_t layout_max_ram(enum vm_split split)
{
	return pkmap_base_of(split) - 0; /* PHYS_OFFSET is 0 */
}

uint32_t layout_default_ram(enum vm_split split)
{
	uint32_t ram = 1u << 30;
	/* Physical RAM and the kernel's virtual windows share one address space
	 * in Unicorn (its region check is on VAs), so RAM must end below them. */
	uint32_t cap = pkmap_base_of(split) & ~((16u << 20) - 1);
	return ram < cap ? ram : cap;
}

int layout_init(struct kernel_layout *l, enum vm_split split, uint32_t ram_size,
		char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	l->split = split;
	l->page_offset = splits[split].page_offset;
	l->phys_offset = 0;
	l->pkmap_base = pkmap_base_of(split);
	if (ram_size < (16u << 20) || ram_size % SECTION_SIZE) {
		snprintf(err, errlen, "--ram must be a multiple of 1M and at least 16M (got %u bytes)",
			 ram_size);
		return -1;
	}
	if (ram_size > layout_max_ram(split)) {
		snprintf(err, errlen,
			 "--ram %uM does not fit below PKMAP_BASE 0x%08x with split %s (at most %uM)",
			 ram_size >> 20, l->pkmap_base, vm_split_name(split), layout_max_ram(split) >> 20);
		return -1;
	}
	l->ram_size = ram_size;
	/* arm_lowmem_limit: RAM up to vmalloc_min is mapped linearly; the rest is
	 * ZONE_HIGHMEM (arch/arm/mm/mmu.c, adjust_lowmem_bounds). */
	uint32_t lowmem_max = VMALLOC_MIN - l->page_offset;
	l->lowmem_size = ram_size < lowmem_max ? ram_size : lowmem_max;
	l->high_memory = l->page_offset + l->lowmem_size;
	return 0;
}
