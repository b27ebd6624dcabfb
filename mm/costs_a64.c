/* SPDX-License-Identifier: MIT */
/* The AArch64 cost constants' names, sources and --costs (costs_a64.h). */
#include "costs_a64.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COST_VALUE_MAX 1000000ul

static const struct {
	const char *name;
	size_t off;
} keys[A64_COST_NR] = {
	{ "micro_miss", offsetof(struct a64_tlb_costs, micro_miss) },
	{ "walk_start", offsetof(struct a64_tlb_costs, walk_start) },
	{ "desc_read", offsetof(struct a64_tlb_costs, desc_read) },
	{ "tlbi_va", offsetof(struct a64_tlb_costs, tlbi_va) },
	{ "tlbi_asid", offsetof(struct a64_tlb_costs, tlbi_asid) },
	{ "tlbi_all", offsetof(struct a64_tlb_costs, tlbi_all) },
	{ "dsb", offsetof(struct a64_tlb_costs, dsb) },
	{ "isb", offsetof(struct a64_tlb_costs, isb) },
	{ "insn", offsetof(struct a64_tlb_costs, insn) },
	{ "hypercall", offsetof(struct a64_tlb_costs, hypercall) },
};

/* Where mm/tlb_a64.c's values come from (docs/aarch64.md, "Cycle costs").
 * CAQA6 is Hennessy & Patterson, Computer Architecture: A Quantitative
 * Approach, 6th ed., section 2.6, which describes the Cortex-A53's memory
 * hierarchy with its miss penalties. */
static const struct {
	const char *core;
	const char *src[A64_COST_NR];
} sources[] = {
	{ "cortex-a53", {
		/* micro_miss = 2 */ "CAQA6 2.6 (micro TLB miss penalty, I and D)",
		/* walk_start = 7 */ "ASSUMPTION: CAQA6 2.6's 20-cycle L2 TLB miss less one descriptor read (a walk-cache hit)",
		/* desc_read = 13 */ "ASSUMPTION: CAQA6 2.6's L1 miss penalty (a descriptor read served by the L2)",
		/* tlbi_va = 8 */ "ASSUMPTION (cortex-a7's; DDI 0500 gives no timing)",
		/* tlbi_asid = 136 */ "ASSUMPTION (cortex-a7's)",
		/* tlbi_all = 136 */ "ASSUMPTION (cortex-a7's)",
		/* dsb = 10 */ "ASSUMPTION (cortex-a7's)",
		/* isb = 8 */ "ASSUMPTION (8-stage pipeline refill, as cortex-a7)",
		/* insn = 1 */ "ASSUMPTION (one per instruction; no per-class AArch64 table)",
		/* hypercall = 10 */ "ASSUMPTION",
	} },
	{ "cortex-a57", {
		/* micro_miss = 12 */ "ASSUMPTION (cortex-a15's 7cpu-A15 figure; DDI 0488 5.2.3: \"variable\")",
		/* walk_start = 10 */ "ASSUMPTION (cortex-a15's)",
		/* desc_read = 20 */ "ASSUMPTION (cortex-a15's)",
		/* tlbi_va = 8 */ "ASSUMPTION",
		/* tlbi_asid = 136 */ "ASSUMPTION",
		/* tlbi_all = 136 */ "ASSUMPTION",
		/* dsb = 20 */ "ASSUMPTION (cortex-a15's)",
		/* isb = 15 */ "ASSUMPTION (cortex-a15's)",
		/* insn = 1 */ "ASSUMPTION (one per instruction; no per-class AArch64 table)",
		/* hypercall = 10 */ "ASSUMPTION",
	} },
	{ "cortex-a72", {
		/* micro_miss = 12 */ "ASSUMPTION (cortex-a15's; 100095 5.2.3: L2 TLB accesses take \"a variable number of cycles\")",
		/* walk_start = 10 */ "ASSUMPTION (cortex-a15's)",
		/* desc_read = 20 */ "ASSUMPTION (cortex-a15's)",
		/* tlbi_va = 8 */ "ASSUMPTION",
		/* tlbi_asid = 136 */ "ASSUMPTION",
		/* tlbi_all = 136 */ "ASSUMPTION",
		/* dsb = 20 */ "ASSUMPTION (cortex-a15's)",
		/* isb = 15 */ "ASSUMPTION (cortex-a15's)",
		/* insn = 1 */ "ASSUMPTION (one per instruction; no per-class AArch64 table)",
		/* hypercall = 10 */ "ASSUMPTION",
	} },
};

const char *a64_cost_name(unsigned i)
{
	return i < A64_COST_NR ? keys[i].name : NULL;
}

unsigned a64_cost_get(const struct a64_tlb_costs *c, unsigned i)
{
	return *(const unsigned *)((const char *)c + keys[i].off);
}

static unsigned *cost_field(struct a64_tlb_costs *c, unsigned i)
{
	return (unsigned *)((char *)c + keys[i].off);
}

void a64_cost_origins_default(const char *core, struct a64_cost_origins *o)
{
	for (unsigned i = 0; i < A64_COST_NR; i++)
		snprintf(o->origin[i], COST_ORIGIN_LEN, "ASSUMPTION (no source recorded)");
	for (size_t s = 0; s < sizeof(sources) / sizeof(sources[0]); s++)
		if (strcmp(sources[s].core, core) == 0)
			for (unsigned i = 0; i < A64_COST_NR; i++)
				snprintf(o->origin[i], COST_ORIGIN_LEN, "%s", sources[s].src[i]);
}

static int a64_key(const char *name)
{
	for (unsigned i = 0; i < A64_COST_NR; i++)
		if (strcmp(keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

static bool arm32_key(const char *name)
{
	for (unsigned i = 0; cost_key_name(i); i++)
		if (strcmp(cost_key_name(i), name) == 0)
			return true;
	return false;
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

/* The scopes a key can be set in once each: every core, then one per
 * named core (AArch64 and ARM32). */
#define SCOPES 16
struct seen {
	char scope[SCOPES][24];
	char key[SCOPES * 40][24];
	unsigned scope_of[SCOPES * 40], line[SCOPES * 40], n, nscopes;
};

/* The line that set `key` in `scope` before, 0 if none (then remembered). */
static unsigned seen_before(struct seen *s, const char *scope, const char *key, unsigned lineno)
{
	unsigned sc = 0;
	while (sc < s->nscopes && strcmp(s->scope[sc], scope))
		sc++;
	if (sc == s->nscopes && s->nscopes < SCOPES)
		snprintf(s->scope[s->nscopes++], sizeof(s->scope[0]), "%s", scope);
	for (unsigned i = 0; i < s->n; i++)
		if (s->scope_of[i] == sc && strcmp(s->key[i], key) == 0)
			return s->line[i];
	if (s->n < sizeof(s->line) / sizeof(s->line[0])) {
		snprintf(s->key[s->n], sizeof(s->key[0]), "%s", key);
		s->scope_of[s->n] = sc;
		s->line[s->n++] = lineno;
	}
	return 0;
}

static const char *known_cores = "cortex-a53, cortex-a57, cortex-a72, cortex-a7, cortex-a9, cortex-a15, arm1176";

/* One line "[CORE.]KEY = VALUE": 0, or -1 with the reason in `why`. */
static int parse_line(char *line, char **scope, char **name, unsigned long *value, bool *a64_scope, char *why,
		      size_t whylen)
{
	char *eq = strchr(line, '=');
	if (!eq) {
		snprintf(why, whylen, "expected KEY = VALUE or CORE.KEY = VALUE, got '%.60s'", line);
		return -1;
	}
	*eq = '\0';
	*name = trim(line);
	char *val = trim(eq + 1), *dot = strrchr(*name, '.');
	*scope = NULL;
	*a64_scope = false;
	if (dot) {
		*dot = '\0';
		*scope = *name;
		*name = dot + 1;
		*a64_scope = a64_tlb_profile_find(*scope) != NULL;
		if (!*a64_scope && !core_profile_find(*scope)) {
			snprintf(why, whylen, "unknown core '%.40s' (%s)", *scope, known_cores);
			return -1;
		}
	}
	bool ok = *scope ? (*a64_scope ? a64_key(*name) >= 0 : arm32_key(*name))
			 : a64_key(*name) >= 0 || arm32_key(*name);
	if (!ok) {
		char list[400] = "";
		for (unsigned i = 0; i < A64_COST_NR; i++) {
			strcat(list, keys[i].name);
			strcat(list, i + 1 < A64_COST_NR ? ", " : "");
		}
		snprintf(why, whylen, "unknown constant '%.40s' (AArch64: %s)", *name, list);
		return -1;
	}
	char *end;
	errno = 0;
	*value = strtoul(val, &end, 10);
	if (errno || end == val || *end || *val == '-' || *value > COST_VALUE_MAX) {
		snprintf(why, whylen, "%s: '%.40s' is not a whole number of cycles from 0 to %lu", *name, val,
			 COST_VALUE_MAX);
		return -1;
	}
	return 0;
}

int a64_costs_load(const char *path, const char *core, struct a64_tlb_costs *c, struct a64_cost_origins *o,
		   char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -2;
	}
	struct seen *seen = calloc(1, sizeof(*seen));
	if (!seen) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	struct a64_tlb_costs out = *c;
	struct a64_cost_origins orig;
	if (o)
		orig = *o;
	unsigned own[A64_COST_NR] = { 0 }; /* line of this core's own setting */
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
		char *s = trim(line), *scope, *name;
		if (!*s)
			continue;
		unsigned long value;
		bool a64_scope;
		if (parse_line(s, &scope, &name, &value, &a64_scope, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			rc = -1;
			break;
		}
		unsigned first = seen_before(seen, scope ? scope : "", name, lineno);
		if (first) {
			snprintf(err, errlen, "%s:%u: %s%s%s is set twice (first on line %u)", path, lineno,
				 scope ? scope : "", scope ? "." : "", name, first);
			rc = -1;
			break;
		}
		int key = a64_key(name);
		if (key < 0 || (scope && strcmp(scope, core)))
			continue; /* an ARM32 constant, or another core's */
		if (!scope && own[key])
			continue; /* this core's own line wins */
		if (scope)
			own[key] = lineno;
		*cost_field(&out, (unsigned)key) = (unsigned)value;
		snprintf(orig.origin[key], COST_ORIGIN_LEN, "%s:%u", path, lineno);
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -1;
	}
	fclose(f);
	free(seen);
	if (!rc) {
		*c = out;
		if (o)
			*o = orig;
	}
	return rc;
}
