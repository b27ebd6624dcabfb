/* SPDX-License-Identifier: MIT */
/* The AArch64 cores' cycle costs as data (struct a64_tlb_costs of
 * tlb_a64.h): their names, the source of every default (a TRM section, a
 * published measurement, or ASSUMPTION), and --costs FILE for an AArch64
 * run, with the rules and errors of the ARM32 file (costs.h,
 * docs/costs.md).  No Unicorn here. */
#ifndef KMAPLAB_MM_COSTS_A64_H
#define KMAPLAB_MM_COSTS_A64_H

#include <stddef.h>

#include "costs.h"
#include "tlb_a64.h"

#define A64_COST_NR 10u

/* Constant `i` (0 .. A64_COST_NR - 1): "micro_miss", ... as in struct
 * a64_tlb_costs; NULL past the end. */
const char *a64_cost_name(unsigned i);
unsigned a64_cost_get(const struct a64_tlb_costs *c, unsigned i);

struct a64_cost_origins {
	char origin[A64_COST_NR][COST_ORIGIN_LEN];
};

/* The sources of the defaults of `core` (an AArch64 core). */
void a64_cost_origins_default(const char *core, struct a64_cost_origins *o);

/* Applies the cost file `path` to `c` for AArch64 core `core`:
 *	KEY = VALUE           every core that has KEY
 *	CORE.KEY = VALUE      only that core (wins over KEY whatever the order)
 * CORE is an AArch64 core (KEY one of a64_cost_name()) or an ARM32 one
 * (KEY one of cost_key_name(): checked, not applied).  An unscoped KEY
 * must be an AArch64 constant or an ARM32 one (applied if the AArch64
 * table has it, as `dsb`).  Values 0 .. 1000000; a key once per scope.
 * Returns 0; -1 with "FILE:LINE: reason" in err; -2 with "FILE: reason"
 * if it cannot be opened.  `c` and `o` (may be NULL) are unchanged on
 * error. */
int a64_costs_load(const char *path, const char *core, struct a64_tlb_costs *c, struct a64_cost_origins *o,
		   char *err, size_t errlen);

#endif
