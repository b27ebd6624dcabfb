/* SPDX-License-Identifier: MIT */
/* `kmaplab costs`: the effective cost table of a core, each value with its
 * source (docs/costs.md). */
#include "costs_cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "costs.h"
#include "costs_a64.h"
#include "exit_status.h"

static const char costs_usage[] =
	"usage: kmaplab costs [--core NAME] [--costs FILE]\n"
	"\n"
	"Prints the cycle model's constants for a core (default cortex-a7) as kmaplab run\n"
	"would use them, one per line: name, cycles, source (a TRM section, a measurement\n"
	"site, ASSUMPTION, or FILE:LINE of the --costs line that set it), then the memory\n"
	"hierarchy of --model cache (sizes in bytes, ways, latencies).  docs/costs.md.\n"
	"AArch64 cores (cortex-a53, cortex-a57, cortex-a72): their TLB model's constants\n"
	"(docs/aarch64.md).\n";

/* An AArch64 core's table (mm/costs_a64.h): no cache model. */
static int costs_a64(const char *core, const char *path)
{
	struct a64_tlb_costs costs = a64_tlb_profile_find(core)->cost;
	struct a64_cost_origins o;
	a64_cost_origins_default(core, &o);
	if (path) {
		char err[512];
		int rc = a64_costs_load(path, core, &costs, &o, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "kmaplab: --costs %s\n", err);
			return rc == -2 ? EXIT_NO_INPUT : EXIT_USAGE;
		}
	}
	printf("# %s: cycle costs (docs/aarch64.md)\n", core);
	for (unsigned i = 0; i < A64_COST_NR; i++)
		printf("%-12s %7u  %s\n", a64_cost_name(i), a64_cost_get(&costs, i), o.origin[i]);
	return 0;
}

int cmd_costs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "core", required_argument, NULL, 'c' },
		{ "costs", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *core_name = "cortex-a7", *path = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': core_name = optarg; break;
		case 'f': path = optarg; break;
		case 'h': fputs(costs_usage, stdout); return 0;
		default:
			fprintf(stderr, "kmaplab: costs: unknown or incomplete option '%s' (kmaplab costs --help)\n",
				argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kmaplab: costs: unexpected argument '%s' (kmaplab costs --help)\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (a64_tlb_profile_find(core_name))
		return costs_a64(core_name, path);
	const struct core_profile *core = core_profile_find(core_name);
	if (!core) {
		fprintf(stderr, "kmaplab: costs: unknown --core '%s' (cortex-a7, cortex-a9, cortex-a15, arm1176, cortex-a53, cortex-a57, cortex-a72)\n",
			core_name);
		return EXIT_USAGE;
	}
	struct core_costs costs = core->cost;
	struct cache_profile cache = *cache_profile_find(core->name); /* every core has one */
	struct cost_origins o;
	cost_origins_default(core, &cache, &o);
	if (path) {
		char err[400];
		int rc = costs_load(path, core->name, &costs, &cache, &o, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "kmaplab: --costs %s\n", err);
			return rc == -2 ? EXIT_NO_INPUT : EXIT_USAGE;
		}
	}
	printf("# %s: cycle costs (docs/cycle-model.md)\n", core->name);
	for (unsigned i = 0; i < COST_KEY_NR; i++) {
		if (i == CORE_COST_NR)
			printf("# %s memory hierarchy (--model cache): bytes, ways, cycles\n", cache.soc);
		printf("%-13s %6u  %s\n", cost_key_name(i), cost_key_get(&costs, &cache, i), o.origin[i]);
	}
	return 0;
}
