/* SPDX-License-Identifier: MIT */
/* The cycle model's constants as data: names, the source of every default
 * value (a TRM section, a measurement site, or ASSUMPTION), and a --costs
 * FILE that overrides any of them (docs/costs.md has the format).
 *
 * mm/core.c holds the defaults (struct core_costs); this file names them
 * and says where each comes from, the same table docs/cycle-model.md
 * shows. */
#ifndef KMAPLAB_MM_COSTS_H
#define KMAPLAB_MM_COSTS_H

#include <stddef.h>

#include "core.h"

#define CORE_COST_NR 12u
#define COST_ORIGIN_LEN 160u

/* Constant `i` (0 .. CORE_COST_NR - 1): "micro_miss", ... as in
 * struct core_costs; NULL past the end. */
const char *core_cost_name(unsigned i);
unsigned *core_cost_field(struct core_costs *c, unsigned i);
unsigned core_cost_get(const struct core_costs *c, unsigned i);

/* Where each value of `c` came from: the default's source, or "FILE:LINE"
 * of the --costs line that set it. */
struct cost_origins {
	char origin[CORE_COST_NR][COST_ORIGIN_LEN];
};

/* The sources of `core`'s defaults (every one cited or ASSUMPTION). */
void cost_origins_default(const struct core_profile *core, struct cost_origins *o);

/* Applies the cost file `path` to `c` (core `core_name`):
 *	# comment
 *	KEY = VALUE           every core
 *	CORE.KEY = VALUE      only that core (wins over KEY whatever the order)
 * VALUE is a whole number of cycles, 0 .. 1000000.  A key may be set once
 * per scope.  Returns 0; -1 with one line "FILE:LINE: reason" in `err`;
 * or -2 with "FILE: reason" if it cannot be opened.  `c` and `o` are
 * unchanged on error.
 * `o` (may be NULL) records which lines set what. */
int costs_load(const char *path, const char *core_name, struct core_costs *c, struct cost_origins *o,
	       char *err, size_t errlen);

#endif
