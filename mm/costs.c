/* SPDX-License-Identifier: MIT */
/* The cost constants' names, sources and the --costs file (costs.h). */
#include "costs.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COST_VALUE_MAX 1000000ul
#define COST_SIZE_MAX (1ul << 30)

static const struct {
	const char *name;
	size_t off;
} keys[CORE_COST_NR] = {
	{ "micro_miss", offsetof(struct core_costs, micro_miss) },
	{ "walk_start", offsetof(struct core_costs, walk_start) },
	{ "desc_read", offsetof(struct core_costs, desc_read) },
	{ "tlbi_mva", offsetof(struct core_costs, tlbi_mva) },
	{ "tlbi_asid", offsetof(struct core_costs, tlbi_asid) },
	{ "tlbi_all", offsetof(struct core_costs, tlbi_all) },
	{ "bpiall", offsetof(struct core_costs, bpiall) },
	{ "dsb", offsetof(struct core_costs, dsb) },
	{ "isb", offsetof(struct core_costs, isb) },
	{ "pte_write", offsetof(struct core_costs, pte_write) },
	{ "mem_access", offsetof(struct core_costs, mem_access) },
	{ "hypercall", offsetof(struct core_costs, hypercall) },
};

/* The cache figures (mm/cache.h), keys CORE_COST_NR on: which level of
 * struct cache_profile and which field. */
enum cache_field { CF_SIZE, CF_WAYS, CF_LINE, CF_LATENCY, CF_MEM, CF_WALK_ENTRIES, CF_WB_L2, CF_WB_MEM };
static const struct {
	const char *name;
	size_t level; /* offset of the struct cache_geometry */
	enum cache_field field;
} cache_keys[CACHE_COST_NR] = {
	{ "l1i_size", offsetof(struct cache_profile, l1i), CF_SIZE },
	{ "l1i_ways", offsetof(struct cache_profile, l1i), CF_WAYS },
	{ "l1i_line", offsetof(struct cache_profile, l1i), CF_LINE },
	{ "l1d_size", offsetof(struct cache_profile, l1d), CF_SIZE },
	{ "l1d_ways", offsetof(struct cache_profile, l1d), CF_WAYS },
	{ "l1d_line", offsetof(struct cache_profile, l1d), CF_LINE },
	{ "l1d_latency", offsetof(struct cache_profile, l1d), CF_LATENCY },
	{ "l2_size", offsetof(struct cache_profile, l2), CF_SIZE },
	{ "l2_ways", offsetof(struct cache_profile, l2), CF_WAYS },
	{ "l2_line", offsetof(struct cache_profile, l2), CF_LINE },
	{ "l2_latency", offsetof(struct cache_profile, l2), CF_LATENCY },
	{ "mem_latency", 0, CF_MEM },
	{ "walk_entries", offsetof(struct cache_profile, walk), CF_WALK_ENTRIES },
	{ "l1d_writeback", 0, CF_WB_L2 },
	{ "l2_writeback", 0, CF_WB_MEM },
};

static struct cache_geometry *cache_level(struct cache_profile *cp, unsigned k)
{
	return (struct cache_geometry *)(void *)((char *)cp + cache_keys[k].level);
}

static unsigned cache_get(const struct cache_profile *cp, unsigned k)
{
	const struct cache_geometry *g =
		(const struct cache_geometry *)(const void *)((const char *)cp + cache_keys[k].level);
	switch (cache_keys[k].field) {
	case CF_SIZE: return g->size;
	case CF_WAYS: return g->ways;
	case CF_LINE: return g->line;
	case CF_LATENCY: return g->latency;
	case CF_MEM: return cp->mem_latency;
	case CF_WB_L2: return cp->wb_l2;
	case CF_WB_MEM: return cp->wb_mem;
	case CF_WALK_ENTRIES: default: return g->ways;
	}
}

static void cache_set(struct cache_profile *cp, unsigned k, unsigned v)
{
	struct cache_geometry *g = cache_level(cp, k);
	switch (cache_keys[k].field) {
	case CF_SIZE: g->size = v; break;
	case CF_WAYS: g->ways = v; break;
	case CF_LINE: g->line = v; break;
	case CF_LATENCY: g->latency = v; break;
	case CF_MEM: cp->mem_latency = v; break;
	case CF_WB_L2: cp->wb_l2 = v; break;
	case CF_WB_MEM: cp->wb_mem = v; break;
	case CF_WALK_ENTRIES: /* one descriptor an entry, fully associative */
		g->size = 4 * v;
		g->line = 4;
		g->ways = v;
		break;
	}
}

/* The source of cache key k: its level's in cache_profile.src. */
static const char *cache_source(const struct cache_profile *cp, unsigned k)
{
	size_t level = cache_keys[k].level;
	const char *s = cache_keys[k].field == CF_MEM ? cp->src.mem
		: cache_keys[k].field == CF_WB_L2 || cache_keys[k].field == CF_WB_MEM ? cp->src.wb
		: level == offsetof(struct cache_profile, l1i) ? cp->src.l1i
		: level == offsetof(struct cache_profile, l1d) ? cp->src.l1d
		: level == offsetof(struct cache_profile, l2) ? cp->src.l2
		: cp->src.walk;
	return s ? s : "ASSUMPTION (no source recorded)";
}

/* The sources of mm/core.c's values, as docs/cycle-model.md tables them
 * (the key documents are listed there: DDI 0464F is the Cortex-A7 TRM,
 * 7cpu-A9 https://7-cpu.com/cpu/Cortex-A9.html, ...). */
static const struct {
	const char *core;
	const char *src[CORE_COST_NR];
} sources[] = {
	{ "cortex-a7", {
		/* micro_miss = 2 */ "tmb-A7 (Raspberry Pi 2 tinymembench: 64, 128 KiB blocks; DDI 0464F 5.3.2 says only \"variable\")",
		/* walk_start = 4 */ "ASSUMPTION",
		/* desc_read = 8 */ "ASSUMPTION (walks may read L1, DDI 0464F 5.2)",
		/* tlbi_mva = 8 */ "ASSUMPTION",
		/* tlbi_asid = 136 */ "ASSUMPTION (128 sets, one per cycle, + 8)",
		/* tlbi_all = 136 */ "ASSUMPTION",
		/* bpiall = 1 */ "ASSUMPTION",
		/* dsb = 10 */ "ASSUMPTION",
		/* isb = 8 */ "ASSUMPTION (8-stage pipeline refill)",
		/* pte_write = 2 */ "ASSUMPTION (Linux and hardware PTE stores, no clean)",
		/* mem_access = 3 */ "ASSUMPTION (L1 hit)",
		/* hypercall = 10 */ "ASSUMPTION",
	} },
	{ "arm1176", {
		/* micro_miss = 5 */ "ASSUMPTION (DDI 0301H 6.2.2: \"variable\")",
		/* walk_start = 4 */ "ASSUMPTION",
		/* desc_read = 40 */ "ASSUMPTION (walks bypass L1 as on the ARM1136, DDI 0211 6.11)",
		/* tlbi_mva = 8 */ "ASSUMPTION",
		/* tlbi_asid = 40 */ "ASSUMPTION (32 sets + 8)",
		/* tlbi_all = 40 */ "ASSUMPTION",
		/* bpiall = 4 */ "ASSUMPTION",
		/* dsb = 8 */ "ASSUMPTION (write-buffer drain)",
		/* isb = 8 */ "ASSUMPTION (pipeline, DDI 0301H 1.8)",
		/* pte_write = 22 */ "ASSUMPTION (2 stores + D-cache line clean)",
		/* mem_access = 3 */ "ASSUMPTION (L1 hit)",
		/* hypercall = 10 */ "ASSUMPTION",
	} },
	{ "cortex-a9", {
		/* micro_miss = 7 */ "7cpu-A9 (L1 TLB miss)",
		/* walk_start = 1 */ "ASSUMPTION (split of the measured 7)",
		/* desc_read = 3 */ "ASSUMPTION; a page walk totals 7, 7cpu-A9 (L2 TLB miss)",
		/* tlbi_mva = 8 */ "ASSUMPTION",
		/* tlbi_asid = 72 */ "ASSUMPTION (64 sets + 8)",
		/* tlbi_all = 72 */ "ASSUMPTION",
		/* bpiall = 4 */ "ASSUMPTION",
		/* dsb = 10 */ "ASSUMPTION",
		/* isb = 8 */ "ASSUMPTION",
		/* pte_write = 2 */ "ASSUMPTION",
		/* mem_access = 4 */ "7cpu-A9 (TLB + L1 latency)",
		/* hypercall = 10 */ "ASSUMPTION",
	} },
	{ "cortex-a15", {
		/* micro_miss = 12 */ "7cpu-A15 (L1 TLB miss penalty)",
		/* walk_start = 10 */ "ASSUMPTION (split of the measured 30)",
		/* desc_read = 20 */ "ASSUMPTION; a section walk totals 30 (7cpu-A15 L2 TLB miss) and a page walk 50 (the extra 20 is the measured PDE-cache miss)",
		/* tlbi_mva = 8 */ "ASSUMPTION",
		/* tlbi_asid = 136 */ "ASSUMPTION (128 sets + 8)",
		/* tlbi_all = 136 */ "ASSUMPTION",
		/* bpiall = 1 */ "ASSUMPTION (ignored unless ACTLR bit 0 is set)",
		/* dsb = 20 */ "ASSUMPTION",
		/* isb = 15 */ "ASSUMPTION (15-stage integer pipeline)",
		/* pte_write = 2 */ "ASSUMPTION",
		/* mem_access = 4 */ "7cpu-A15 (L1 data cache latency)",
		/* hypercall = 10 */ "ASSUMPTION",
	} },
};

const char *cost_key_name(unsigned i)
{
	if (i < CORE_COST_NR)
		return keys[i].name;
	return i < COST_KEY_NR ? cache_keys[i - CORE_COST_NR].name : NULL;
}

unsigned cost_key_get(const struct core_costs *c, const struct cache_profile *cp, unsigned i)
{
	if (i < CORE_COST_NR)
		return core_cost_get(c, i);
	return cp ? cache_get(cp, i - CORE_COST_NR) : 0;
}

const char *core_cost_name(unsigned i)
{
	return i < CORE_COST_NR ? keys[i].name : NULL;
}

unsigned *core_cost_field(struct core_costs *c, unsigned i)
{
	return (unsigned *)((char *)c + keys[i].off);
}

unsigned core_cost_get(const struct core_costs *c, unsigned i)
{
	return *(const unsigned *)((const char *)c + keys[i].off);
}

void cost_origins_default(const struct core_profile *core, const struct cache_profile *cp,
			  struct cost_origins *o)
{
	for (unsigned i = 0; i < COST_KEY_NR; i++)
		snprintf(o->origin[i], COST_ORIGIN_LEN, "ASSUMPTION (no source recorded)");
	for (unsigned k = 0; cp && k < CACHE_COST_NR; k++)
		snprintf(o->origin[CORE_COST_NR + k], COST_ORIGIN_LEN, "%s", cache_source(cp, k));
	for (size_t s = 0; s < sizeof(sources) / sizeof(sources[0]); s++) {
		if (strcmp(sources[s].core, core->name))
			continue;
		for (unsigned i = 0; i < CORE_COST_NR; i++)
			snprintf(o->origin[i], COST_ORIGIN_LEN, "%s", sources[s].src[i]);
	}
}

#define CORE_PROFILES_MAX 8

/* Position in core_profiles[] (0 .. CORE_PROFILES_MAX - 1), -1 if none. */
static int core_index(const char *name)
{
	for (int i = 0; i < CORE_PROFILES_MAX && core_profiles[i]; i++)
		if (strcmp(core_profiles[i]->name, name) == 0)
			return i;
	return -1;
}

static int key_index(const char *name)
{
	for (unsigned i = 0; i < COST_KEY_NR; i++)
		if (strcmp(cost_key_name(i), name) == 0)
			return (int)i;
	return -1;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* One line "[CORE.]KEY = VALUE".  Sets *scope_core (NULL: every core),
 * *key and *value; returns 0 or -1 with the reason in err. */
static int parse_line(char *line, char **scope_core, int *key, unsigned long *value, char *err,
		      size_t errlen)
{
	char *eq = strchr(line, '=');
	if (!eq) {
		snprintf(err, errlen, "expected KEY = VALUE or CORE.KEY = VALUE, got '%.60s'", line);
		return -1;
	}
	*eq = '\0';
	char *name = trim(line), *val = trim(eq + 1);
	char *dot = strrchr(name, '.');
	*scope_core = NULL;
	if (dot) {
		*dot = '\0';
		*scope_core = name;
		name = dot + 1;
		if (!core_profile_find(*scope_core)) {
			snprintf(err, errlen, "unknown core '%s' (cortex-a7, cortex-a9, cortex-a15, arm1176)",
				 *scope_core);
			return -1;
		}
	}
	*key = key_index(name);
	if (*key < 0) {
		char known[400] = "";
		for (unsigned i = 0; i < COST_KEY_NR; i++) {
			strcat(known, cost_key_name(i));
			strcat(known, i + 1 < COST_KEY_NR ? ", " : "");
		}
		snprintf(err, errlen, "unknown constant '%.40s' (%s)", name, known);
		return -1;
	}
	char *end;
	errno = 0;
	*value = strtoul(val, &end, 10);
	bool size = *key >= (int)CORE_COST_NR && cache_keys[*key - CORE_COST_NR].field == CF_SIZE;
	unsigned long max = size ? COST_SIZE_MAX : COST_VALUE_MAX;
	if (errno || end == val || *end || *val == '-' || *value > max) {
		snprintf(err, errlen, "%s: '%.40s' is not a whole number %sfrom 0 to %lu", name, val,
			 *key < (int)CORE_COST_NR ? "of cycles " : size ? "of bytes " : "", max);
		return -1;
	}
	return 0;
}

int costs_load(const char *path, const char *core_name, struct core_costs *c, struct cache_profile *cp,
	       struct cost_origins *o, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -2;
	}
	struct core_costs out = *c;
	struct cache_profile out_cp;
	if (cp)
		out_cp = *cp;
	struct cost_origins orig;
	if (o)
		orig = *o;
	/* Line that set each key: [0] for every core, [1 + n] for
	 * core_profiles[n]; a key may be set once in each. */
	unsigned set_at[1 + CORE_PROFILES_MAX][COST_KEY_NR] = { { 0 } };
	int self = 1 + core_index(core_name);
	char line[512], why[400];
	unsigned lineno = 0;
	int rc = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line longer than %zu characters", path, lineno, sizeof(line) - 2);
			rc = -1;
			break;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = trim(line);
		if (!*s)
			continue;
		char *scope;
		int key;
		unsigned long value;
		if (parse_line(s, &scope, &key, &value, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			rc = -1;
			break;
		}
		int level = scope ? 1 + core_index(scope) : 0;
		if (set_at[level][key]) {
			snprintf(err, errlen, "%s:%u: %s%s%s is set twice (first on line %u)", path, lineno,
				 scope ? scope : "", scope ? "." : "", cost_key_name((unsigned)key), set_at[level][key]);
			rc = -1;
			break;
		}
		set_at[level][key] = lineno;
		if (scope && strcmp(scope, core_name))
			continue; /* another core's */
		if (!scope && self > 0 && set_at[self][key])
			continue; /* this core's own line wins */
		if (key < (int)CORE_COST_NR)
			*core_cost_field(&out, (unsigned)key) = (unsigned)value;
		else if (cp)
			cache_set(&out_cp, (unsigned)key - CORE_COST_NR, (unsigned)value);
		snprintf(orig.origin[key], COST_ORIGIN_LEN, "%s:%u", path, lineno);
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -1;
	}
	fclose(f);
	const char *level;
	if (!rc && cp && cache_profile_check(&out_cp, &level) && !strcmp(level, "latency")) {
		snprintf(err, errlen, "%s: latencies must not fall outward: l1d_latency %u, l2_latency %u, mem_latency %u",
			 path, out_cp.l1d.latency, out_cp.l2.latency, out_cp.mem_latency);
		rc = -1;
	} else if (!rc && cp && cache_profile_check(&out_cp, &level)) {
		const struct cache_geometry *g = level[0] == 'w' ? &out_cp.walk
			: level[1] == '2' ? &out_cp.l2 : level[2] == 'i' ? &out_cp.l1i : &out_cp.l1d;
		snprintf(err, errlen,
			 "%s: %s: %u bytes, %u ways, %u-byte lines is no cache (lines a power of two, size a power-of-two multiple of ways x line%s)",
			 path, level, g->size, g->ways, g->line, level[2] == 'd' ? ", L1D not 0" : "");
		rc = -1;
	}
	if (!rc) {
		*c = out;
		if (cp)
			*cp = out_cp;
		if (o)
			*o = orig;
	}
	return rc;
}
