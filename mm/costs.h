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

#include "cache.h"
#include "core.h"

#define CORE_COST_NR 12u
/* The memory hierarchy's figures (--model cache, struct cache_profile):
 * sizes, ways and lines in bytes or ways, latencies in cycles; they follow
 * the core constants as keys CORE_COST_NR .. COST_KEY_NR - 1. */
#define CACHE_COST_NR 15u
#define COST_KEY_NR (CORE_COST_NR + CACHE_COST_NR)
#define COST_ORIGIN_LEN 160u

/* Constant `i` (0 .. CORE_COST_NR - 1): "micro_miss", ... as in
 * struct core_costs; NULL past the end. */
const char *core_cost_name(unsigned i);
unsigned *core_cost_field(struct core_costs *c, unsigned i);
unsigned core_cost_get(const struct core_costs *c, unsigned i);

/* Key `i` (0 .. COST_KEY_NR - 1): a core constant's name, or a cache
 * figure's ("l1d_size", ...); NULL past the end. */
const char *cost_key_name(unsigned i);
/* Its value: from `c` for a core constant, from `cp` for a cache figure. */
unsigned cost_key_get(const struct core_costs *c, const struct cache_profile *cp, unsigned i);

/* Where each value came from: the default's source, or "FILE:LINE" of the
 * --costs line that set it (keys as cost_key_name). */
struct cost_origins {
	char origin[COST_KEY_NR][COST_ORIGIN_LEN];
};

/* The sources of `core`'s defaults (every one cited or ASSUMPTION); the
 * cache figures' from `cp` (NULL: none). */
void cost_origins_default(const struct core_profile *core, const struct cache_profile *cp,
			  struct cost_origins *o);

/* Applies the cost file `path` to `c` and `cp` (core `core_name`; `cp`
 * may be NULL: cache figures are checked, not applied):
 *	# comment
 *	KEY = VALUE           every core
 *	CORE.KEY = VALUE      only that core (wins over KEY whatever the order)
 * VALUE is a whole number, 0 .. 1000000 (cycles, ways), or up to 1 GiB for
 * a size.  A key may be set once per scope.  Returns 0; -1 with one line
 * "FILE:LINE: reason" in `err` (or "FILE: reason" for a cache geometry the
 * file made impossible); or -2 with "FILE: reason" if it cannot be opened.
 * `c`, `cp` and `o` are unchanged on error.
 * `o` (may be NULL) records which lines set what. */
int costs_load(const char *path, const char *core_name, struct core_costs *c, struct cache_profile *cp,
	       struct cost_origins *o, char *err, size_t errlen);

#endif
