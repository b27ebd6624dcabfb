/* SPDX-License-Identifier: MIT */
/* Kernel profiles (see kernel.h). */
#include "kernel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kernel_profile_default(const char *version, struct kernel_profile *k)
{
	memset(k, 0, sizeof(*k));
	if (strcmp(version, "5.10") == 0) {
		*k = (struct kernel_profile){ .version = "5.10", .major = 5, .minor = 10,
					      .km_slots = KM_TYPE_NR_ARM, .smp = true };
		return 0;
	}
	if (strcmp(version, "6.6") == 0) {
		*k = (struct kernel_profile){ .version = "6.6", .major = 6, .minor = 6,
					      .kmap_atomic_is_local = true, .km_slots = KM_MAX_IDX,
					      .smp = true };
		return 0;
	}
	return -1;
}

static int parse_bool(const char *v, bool *out)
{
	if (strcmp(v, "0") == 0)
		*out = false;
	else if (strcmp(v, "1") == 0)
		*out = true;
	else
		return -1;
	return 0;
}

static int apply_option(struct kernel_profile *k, const char *key, const char *val, char *err,
			size_t errlen)
{
	static const struct {
		const char *key;
		size_t off;
	} bools[] = {
		{ "smp", offsetof(struct kernel_profile, smp) },
		{ "debug_highmem", offsetof(struct kernel_profile, debug_highmem) },
		{ "debug_kmap_local", offsetof(struct kernel_profile, debug_kmap_local) },
		{ "errata_720789", offsetof(struct kernel_profile, errata_720789) },
		{ "errata_798181", offsetof(struct kernel_profile, errata_798181) },
	};
	if (strcmp(key, "km_type_nr") == 0) {
		char *end;
		errno = 0;
		unsigned long n = strtoul(val, &end, 10);
		if (k->kmap_atomic_is_local) {
			snprintf(err, errlen, "km_type_nr: v%s has no KM_TYPE_NR (kmap_atomic uses KM_MAX_IDX; see debug_kmap_local)",
				 k->version);
			return -1;
		}
		if (errno || end == val || *end || *val == '-' || n == 0 || n > 256) {
			snprintf(err, errlen, "km_type_nr: '%s' is not a number from 1 to 256", val);
			return -1;
		}
		k->km_slots = (unsigned)n;
		return 0;
	}
	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		if (strcmp(key, bools[i].key))
			continue;
		if (parse_bool(val, (bool *)((char *)k + bools[i].off))) {
			snprintf(err, errlen, "%s: '%s' is not 0 or 1", key, val);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen,
		 "unknown option '%s' (km_type_nr, smp, debug_highmem, debug_kmap_local, errata_720789, errata_798181)",
		 key);
	return -1;
}

int kernel_profile_parse(const char *spec, struct kernel_profile *k, char *err, size_t errlen)
{
	char buf[256];
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "'%.32s...' is too long", spec);
		return -1;
	}
	strcpy(buf, spec);
	char *save = NULL;
	char *tok = strtok_r(buf, ",", &save);
	if (!tok || kernel_profile_default(tok, k)) {
		snprintf(err, errlen, "unknown kernel version '%s' (5.10, 6.6)", tok ? tok : "");
		return -1;
	}
	while ((tok = strtok_r(NULL, ",", &save))) {
		char *eq = strchr(tok, '=');
		if (!eq) {
			snprintf(err, errlen, "'%s' is not key=value", tok);
			return -1;
		}
		*eq = '\0';
		if (apply_option(k, tok, eq + 1, err, errlen))
			return -1;
	}
	if (k->debug_kmap_local && !k->kmap_atomic_is_local) {
		snprintf(err, errlen, "debug_kmap_local: CONFIG_DEBUG_KMAP_LOCAL does not exist in v%s (from v5.11)",
			 k->version);
		return -1;
	}
	/* include/asm-generic/kmap_size.h (v6.6): 33 slots with the guards. */
	if (k->kmap_atomic_is_local)
		k->km_slots = k->debug_kmap_local ? KM_MAX_IDX_DEBUG : KM_MAX_IDX;
	return 0;
}
