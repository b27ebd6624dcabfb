/* SPDX-License-Identifier: MIT */
/* The ARM32 fixmap enum, computed for the configured KM_TYPE_NR and
 * NR_CPUS (see fixmap.h). */
#include "fixmap.h"

#include <stdio.h>

int fixmap_layout_init(struct fixmap_layout *f, unsigned km_type_nr, unsigned nr_cpus,
		       char *err, size_t errlen)
{
	if (!km_type_nr || !nr_cpus) {
		snprintf(err, errlen, "KM_TYPE_NR and NR_CPUS must be at least 1 (got %u, %u)",
			 km_type_nr, nr_cpus);
		return -1;
	}
	/* The kernel's BUILD_BUG_ON(FIXADDR_START + __end_of_fixed_addresses *
	 * PAGE_SIZE > FIXADDR_END), computed without overflow. */
	uint64_t kmap_slots = (uint64_t)km_type_nr * nr_cpus;
	uint64_t end_fixmap = __end_of_permanent_fixed_addresses + kmap_slots + 2;
	if (end_fixmap > FIXMAP_SLOTS) {
		snprintf(err, errlen,
			 "KM_TYPE_NR %u x NR_CPUS %u kmap slots do not fit in the fixmap (%u slots, 3 taken)",
			 km_type_nr, nr_cpus, FIXMAP_SLOTS);
		return -1;
	}
	f->km_type_nr = km_type_nr;
	f->nr_cpus = nr_cpus;
	f->fix_kmap_begin = __end_of_permanent_fixed_addresses;
	f->fix_kmap_end = f->fix_kmap_begin + (uint32_t)kmap_slots - 1;
	f->fix_text_poke0 = f->fix_kmap_end + 1;
	f->fix_text_poke1 = f->fix_kmap_end + 2;
	f->end_of_fixmap_region = f->fix_text_poke1 + 1;
	f->end_of_fixed_addresses = f->end_of_fixmap_region > __end_of_early_ioremap_region
					    ? f->end_of_fixmap_region
					    : __end_of_early_ioremap_region;
	return 0;
}
