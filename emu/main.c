/* SPDX-License-Identifier: MIT */
/* kmaplab: the command line.  Every error is reported once, here, as one
 * line on stderr; the exit status says what kind of ending it was. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "costs_cmd.h"
#include "exit_status.h"
#include "machine.h"
#include "outfile.h"
#include "machine_a64.h"
#include "parse_num.h"
#include "stats.h"
#include "trace_cmd.h"

#ifndef KMAPLAB_VERSION
#define KMAPLAB_VERSION "unknown"
#endif

static const char usage_text[] =
	"usage: kmaplab run [options] GUEST.elf [guest arguments...]\n"
	"       kmaplab compare [options] [GUEST.elf...]   (kmaplab compare --help)\n"
	"       kmaplab trace FILE [--format csv|jsonl|chrome|--count] [-o OUT] [filters]\n"
	"                                                   (kmaplab trace --help)\n"
	"       kmaplab costs [--core NAME] [--costs FILE]   (the cost table with sources)\n"
	"       kmaplab --version | --help\n"
	"\n"
	"Runs an ARM guest ELF (built with kmaplab-cc) as privileged kernel code on an\n"
	"emulated ARMv7 machine with the MMU on, and exits with the guest's exit status.\n"
	"\n"
	"options:\n"
	"  --core NAME             cortex-a7 (default), cortex-a9, cortex-a15, arm1176, cortex-a53, cortex-a57, cortex-a72\n"
	"                          (the last three: the AArch64 machine, also picked by an\n"
	"                          AArch64 ELF; docs/aarch64.md)\n"
	"  --va-bits 39|48         AArch64 VA_BITS (default 39); the guest must be built\n"
	"                          for it (kmaplab-cc --va-bits)\n"
	"  --split S               3G/1G (default), 2G/2G, 1G/3G: PAGE_OFFSET 0xc0000000,\n"
	"                          0x80000000, 0x40000000; the guest must be built for it\n"
	"  --ram SIZE              guest RAM, e.g. 1G, 896M (default 1G, less if the split\n"
	"                          needs it; at most 3070M, 2046M, 1022M for 3G/1G, 2G/2G,\n"
	"                          1G/3G); RAM above the lowmem limit is ZONE_HIGHMEM\n"
	"  --max-insns N           stop a runaway guest after N instructions\n"
	"  --semihosting-root DIR  let the guest open files inside DIR (default: console only)\n"
	"  --policy NAME[,k=v...]  the mapping policy for the kmap family (docs/policies.md):\n"
	"                          linux (default, Linux v5.x: flush the pkmap window on\n"
	"                          wrap), eager (flush each page at its last kunmap),\n"
	"                          local (every kmap as kmap_local_page), nohighmem (all\n"
	"                          RAM lowmem, no flushes; needs no highmem, e.g. 2G/2G),\n"
	"                          flushall:N (a range flush over N pages is flush_tlb_all),\n"
	"                          eager-local (eager with a local-only flush: on SMP\n"
	"                          the other CPUs keep stale entries),\n"
	"                          or PATH.so, a policy plugin (plugins/kmaplab-plugin.h);\n"
	"                          options: km_type_nr=N, debug_highmem=0|1, strict=0|1\n"
	"                          (km_type_nr and debug_highmem default to --kernel's)\n"
	"  --kernel V[,k=v...]     the modelled kernel (docs/kernel-profiles.md): 5.10\n"
	"                          (default; kmap_atomic flushes on map only, KM_TYPE_NR\n"
	"                          16) or 6.6 (kmap_atomic is kmap_local: flushes on map\n"
	"                          and unmap, KM_MAX_IDX 16); options: km_type_nr=N (5.10;\n"
	"                          20 is the seed's asm-generic value), smp, debug_highmem,\n"
	"                          debug_kmap_local (6.6), errata_720789, errata_798181 =0|1\n"
	"  --costs FILE            override cycle-model constants: lines KEY = VALUE or\n"
	"                          CORE.KEY = VALUE (docs/costs.md; kmaplab costs lists them)\n"
	"  --stats FILE.json       write the run's statistics (docs/stats.md)\n"
	"  --trace FILE            write every TLB flush and kmap-family call (docs/trace.md)\n"
	"  --trace-events LIST     record only these kinds: flush,tlbi,kmap,warn,hazard\n"
	"                          (default all)\n"
	"  --trace-max-bytes N     stop recording before the trace passes N bytes (1M, 2G...);\n"
	"                          the file stays valid, stats say trace.truncated\n"
	"  --seed N                seed for random TLB replacement (default 1)\n"
	"  --model on|off|none|tlb|cache|fill\n"
	"                          off: no TLB model on guest accesses (tlb.* stay 0;\n"
	"                          for measuring the model's own cost; default on);\n"
	"                          none: no per-block hook either (no instruction,\n"
	"                          cycle or TLB counts, no --max-insns): Unicorn's\n"
	"                          own speed, the ceiling benchmarks compare with;\n"
	"                          tlb: the same as on; cache: and the L1D/L2\n"
	"                          hierarchy of the core's SoC (docs/cycle-model.md);\n"
	"                          none runs --cpus 1 only; fill: the same statistics\n"
	"                          as on, from Unicorn 2.1's TLB fills instead of a hook\n"
	"                          on every access (docs/speed.md); where it cannot\n"
	"                          (Unicorn 2.0, cortex-a15, cache, --hazards observed)\n"
	"                          it runs as on\n"
	"  --hazards MODE          architectural (default): stale translations the ARM\n"
	"                          architecture lets a TLB hold, and missing DSB/ISB or\n"
	"                          PTE cleans (docs/hazards.md), on AArch64 also\n"
	"                          break-before-make (docs/aarch64.md); observed: only\n"
	"                          entries the modelled TLB served; off: no checks\n"
	"  --max-reports N         print at most N hazard lines, then a summary (default 20)\n"
	"  --argv0 NAME            the guest's argv[0] (default: the ELF's file name\n"
	"                          without its directory, so results do not depend on\n"
	"                          where the guest lives)\n"
	"  --cpus N                CPUs, 1 to 8 (default 1); docs/smp.md\n"
	"  --quantum N             cycles a CPU runs before the scheduler looks again\n"
	"                          (default 1000; CPUs interleave at block boundaries)\n"
	"  --tlb-broadcast is|ipi  how kernel TLB flushes reach the other CPUs: Inner\n"
	"                          Shareable operations (default on ARMv7) or IPIs to\n"
	"                          each CPU (tlb_ops_need_broadcast(); arm1176's only way)\n"
	"  --erratum-798181        Cortex-A15 erratum 798181 workaround on every kernel\n"
	"                          TLB flush (a dummy TLBIMVAIS and a DMB IPI to each CPU)\n"
	"  --tick N                the scheduler tick: every N cycles of a CPU's clock\n"
	"                          another runnable task of that CPU preempts the running\n"
	"                          one (default 1000000; 0: off); docs/sched.md\n"
	"\n"
	"exit status: the guest's own, or kmaplab's (see docs/cli.md):\n"
	"  64 usage  65 bad ELF  66 cannot open  70 internal  71 guest fault\n"
	"  72 --max-insns reached  73 kernel BUG  74 would sleep forever  75 I/O error\n"
	"  76 unknown SVC/hypercall  130 interrupted (SIGINT, SIGTERM, SIGHUP)\n";

static struct machine *volatile running;

/* Only async-signal-safe work here: raise the flag and ask Unicorn to stop
 * at the next block; machine_run() turns that into STOP_INTERRUPTED. */
static void on_signal(int sig)
{
	struct machine *m = running;
	if (m) {
		m->interrupt_signal = sig;
		uc_emu_stop(m->uc);
	}
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("kmaplab: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (kmaplab --help)\n", stderr);
	return EXIT_USAGE;
}

enum { OPT_CORE = 256, OPT_SPLIT, OPT_RAM, OPT_MAX_INSNS, OPT_ROOT, OPT_STATS, OPT_SEED, OPT_MODEL,
       OPT_POLICY, OPT_TRACE, OPT_HAZARDS, OPT_MAX_REPORTS, OPT_KERNEL, OPT_COSTS,
       OPT_TRACE_EVENTS, OPT_TRACE_MAX_BYTES, OPT_ARGV0, OPT_CPUS, OPT_QUANTUM,
       OPT_TLB_BROADCAST, OPT_ERRATUM_798181, OPT_TICK, OPT_VA_BITS };

static int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "core", required_argument, NULL, OPT_CORE },
		{ "split", required_argument, NULL, OPT_SPLIT },
		{ "ram", required_argument, NULL, OPT_RAM },
		{ "max-insns", required_argument, NULL, OPT_MAX_INSNS },
		{ "semihosting-root", required_argument, NULL, OPT_ROOT },
		{ "stats", required_argument, NULL, OPT_STATS },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "model", required_argument, NULL, OPT_MODEL },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "trace", required_argument, NULL, OPT_TRACE },
		{ "hazards", required_argument, NULL, OPT_HAZARDS },
		{ "max-reports", required_argument, NULL, OPT_MAX_REPORTS },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "costs", required_argument, NULL, OPT_COSTS },
		{ "trace-events", required_argument, NULL, OPT_TRACE_EVENTS },
		{ "trace-max-bytes", required_argument, NULL, OPT_TRACE_MAX_BYTES },
		{ "argv0", required_argument, NULL, OPT_ARGV0 },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "quantum", required_argument, NULL, OPT_QUANTUM },
		{ "tlb-broadcast", required_argument, NULL, OPT_TLB_BROADCAST },
		{ "erratum-798181", no_argument, NULL, OPT_ERRATUM_798181 },
		{ "tick", required_argument, NULL, OPT_TICK },
		{ "va-bits", required_argument, NULL, OPT_VA_BITS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct machine_options opt = { .core = "cortex-a7", .split = SPLIT_3G_1G, .seed = 1, .model = true,
				     .policy = "linux", .hazard_mode = HAZARD_MODE_ARCHITECTURAL,
				     .max_reports = HAZARD_MAX_REPORTS_DEFAULT };
	const char *stats_path = NULL, *argv0 = NULL;
	const char *broadcast = NULL;
	uint64_t u;
	bool core_given = false;
	int c;
	opt.ncpus = 1;
	opt.quantum = 1000; /* SMP_QUANTUM_DEFAULT */
	opt.tick = 1000000; /* SCHED_TICK_DEFAULT */
	bool tick_given = false;
	optind = 1;
	opterr = 0;
	/* '+': options end at the ELF; what follows is the guest's argv. */
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CORE: opt.core = optarg; core_given = true; break;
		case OPT_SPLIT:
			if (vm_split_parse(optarg, &opt.split))
				return usage_error("--split: '%s' is not 3G/1G, 2G/2G or 1G/3G", optarg);
			break;
		case OPT_RAM:
			if (parse_num(optarg, &opt.ram, PARSE_NUM_SUFFIX) || !opt.ram)
				return usage_error("--ram: '%s' is not a size like 1G or 896M (more than zero)", optarg);
			break;
		case OPT_MAX_INSNS:
			if (parse_num(optarg, &opt.max_insns, 0) || !opt.max_insns)
				return usage_error("--max-insns: '%s' is not a positive number", optarg);
			break;
		case OPT_ROOT: opt.semihost_root = optarg; break;
		case OPT_STATS: stats_path = optarg; break;
		case OPT_POLICY: opt.policy = optarg; break;
		case OPT_TRACE: opt.trace_path = optarg; break;
		case OPT_COSTS: opt.costs_path = optarg; break;
		case OPT_KERNEL: opt.kernel = optarg; break;
		case OPT_TRACE_EVENTS: {
			char err[160];
			if (trace_kinds_parse(optarg, &opt.trace_opt.kinds, err, sizeof(err)))
				return usage_error("--trace-events: %s", err);
			break;
		}
		case OPT_TRACE_MAX_BYTES:
			if (parse_num(optarg, &opt.trace_opt.max_bytes, PARSE_NUM_SUFFIX) || !opt.trace_opt.max_bytes)
				return usage_error("--trace-max-bytes: '%s' is not a size like 100M or 4096", optarg);
			break;
		case OPT_ARGV0:
			if (!*optarg || strchr(optarg, ' '))
				return usage_error("--argv0: '%s' must be one non-empty word (the command line is split at spaces)", optarg);
			argv0 = optarg;
			break;
		case OPT_SEED:
			if (parse_num(optarg, &opt.seed, 0))
				return usage_error("--seed: '%s' is not a number", optarg);
			break;
		case OPT_MODEL:
			if (strcmp(optarg, "on") && strcmp(optarg, "off") && strcmp(optarg, "none") &&
			    strcmp(optarg, "tlb") && strcmp(optarg, "cache") && strcmp(optarg, "fill"))
				return usage_error("--model: '%s' is not on, off, none, tlb, cache or fill", optarg);
			opt.model = !strcmp(optarg, "on") || !strcmp(optarg, "tlb") || !strcmp(optarg, "cache") ||
				    !strcmp(optarg, "fill");
			opt.fill = strcmp(optarg, "fill") == 0;
			opt.no_block_hook = strcmp(optarg, "none") == 0;
			opt.caches = strcmp(optarg, "cache") == 0;
			break;
		case OPT_HAZARDS:
			if (strcmp(optarg, "architectural") == 0)
				opt.hazard_mode = HAZARD_MODE_ARCHITECTURAL;
			else if (strcmp(optarg, "observed") == 0)
				opt.hazard_mode = HAZARD_MODE_OBSERVED;
			else if (strcmp(optarg, "off") == 0)
				opt.hazard_mode = HAZARD_MODE_OFF;
			else
				return usage_error("--hazards: '%s' is not architectural, observed or off", optarg);
			break;
		case OPT_MAX_REPORTS: {
			uint64_t n;
			if (parse_num(optarg, &n, 0) || n > 1000000)
				return usage_error("--max-reports: '%s' is not a number from 0 to 1000000", optarg);
			opt.max_reports = (unsigned)n;
			break;
		}
		case OPT_CPUS:
			if (parse_num(optarg, &u, 0) || u < 1 || u > 8)
				return usage_error("--cpus: '%s' is not a number of CPUs from 1 to 8", optarg);
			opt.ncpus = (unsigned)u;
			break;
		case OPT_QUANTUM:
			if (parse_num(optarg, &opt.quantum, 0) || !opt.quantum)
				return usage_error("--quantum: '%s' is not a positive number of cycles", optarg);
			break;
		case OPT_TLB_BROADCAST:
			if (strcmp(optarg, "is") && strcmp(optarg, "ipi"))
				return usage_error("--tlb-broadcast: '%s' is not is or ipi", optarg);
			broadcast = optarg;
			break;
		case OPT_ERRATUM_798181: opt.erratum_798181 = true; break;
		case OPT_TICK:
			if (parse_num(optarg, &opt.tick, 0))
				return usage_error("--tick: '%s' is not a number of cycles (0: off)", optarg);
			tick_given = true;
			break;
		case OPT_VA_BITS:
			if (strcmp(optarg, "39") && strcmp(optarg, "48"))
				return usage_error("--va-bits: '%s' is not 39 or 48", optarg);
			opt.va_bits = (unsigned)atoi(optarg);
			break;
		case 'h': fputs(usage_text, stdout); return 0;
		default:
			return usage_error("run: unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("run: no guest ELF given%s", "");
	if ((opt.trace_opt.kinds || opt.trace_opt.max_bytes) && !opt.trace_path)
		return usage_error("run: --trace-events and --trace-max-bytes need --trace FILE%s", "");
	/* The guest's argv[0] is a name, not the path: the guest's work (and so
	 * every count) must not depend on the directory it was run from. */
	const char *elf_path = argv[optind];
	const char *slash = strrchr(elf_path, '/');
	argv[optind] = (char *)(argv0 ? argv0 : slash && slash[1] ? slash + 1 : elf_path);
	/* ARMv6 has no Inner Shareable operations: tlb_ops_need_broadcast(). */
	bool v6 = strcmp(opt.core, "arm1176") == 0;
	if (v6 && broadcast && strcmp(broadcast, "is") == 0)
		return usage_error("--tlb-broadcast is: %s (ARMv6) has no Inner Shareable TLB operations", opt.core);
	opt.tlb_broadcast = (v6 || (broadcast && strcmp(broadcast, "ipi") == 0)) ? TLB_BROADCAST_IPI
										   : TLB_BROADCAST_IS;
	/* The scheduler's quantum is kept in the block hook (emu/smp.h). */
	if (opt.no_block_hook && opt.ncpus > 1)
		return usage_error("--model none: runs one CPU only (%s needs the block hook's scheduler)",
				   "--cpus above 1");
	/* The tick is seen in the block hook too (emu/sched.h). */
	if (opt.no_block_hook && tick_given && opt.tick)
		return usage_error("--model none: has no scheduler tick (%s needs the block hook)", "--tick");
	if (opt.no_block_hook)
		opt.tick = 0;
	if (opt.erratum_798181 && strcmp(opt.core, "cortex-a15"))
		return usage_error("--erratum-798181: the erratum is Cortex-A15's, not %s's", opt.core);
	opt.guest_argv = argv + optind;
	opt.guest_argc = argc - optind;
	/* An output that cannot be written is found now, not after the run. */
	const char *outs[2][2] = { { "--stats", stats_path }, { "--trace", opt.trace_path } };
	for (int i = 0; i < 2; i++) {
		char why[512];
		if (outs[i][1] && outfile_check(outs[i][1], why, sizeof(why))) {
			fprintf(stderr, "kmaplab: %s %s: %s\n", outs[i][0], outs[i][1], why);
			return EXIT_IO;
		}
	}
	/* An AArch64 core or ELF runs on the 64-bit machine (machine_a64.c). */
	if (a64_wanted(opt.core, elf_path)) {
		if (!core_given)
			opt.core = "cortex-a53";
		return a64_run(&opt, elf_path, stats_path);
	}

	struct machine *m = calloc(1, sizeof(*m));
	if (!m) {
		fputs("kmaplab: out of memory\n", stderr);
		return EXIT_INTERNAL;
	}
	int status = machine_init(m, &opt, elf_path);
	if (status) {
		fprintf(stderr, "kmaplab: %s\n", m->message);
	} else {
		running = m;
		/* The block hook is where a signal stops the run; without it
		 * (--model none) a signal ends the process as usual. */
		if (!opt.no_block_hook) {
			signal(SIGINT, on_signal);
			signal(SIGTERM, on_signal);
			signal(SIGHUP, on_signal); /* a closed terminal: stop the same way */
		}
		machine_run(m);
		running = NULL;
		fflush(stdout);
		status = stop_exit_status(m->stop, m->exit_code);
		if (m->stop != STOP_EXIT)
			fprintf(stderr, "kmaplab: %s\n", m->message);
		hazard_report_summary(m);
	}
	if (m->trace && machine_close_trace(m)) {
		fprintf(stderr, "kmaplab: --trace %s: %s\n", opt.trace_path, strerror(errno));
		if (status == 0)
			status = EXIT_IO;
	}
	if (stats_path && stats_write(m, stats_path, status)) {
		fprintf(stderr, "kmaplab: --stats %s: %s\n", stats_path, strerror(errno));
		if (status == 0)
			status = EXIT_IO;
	}
	machine_free(m);
	free(m);
	return status;
}

/* `kmaplab compare` is a tool around the emulator (tools/); the binary
 * hands over to it with its own path and the bundled guests' directory.
 * (`kmaplab trace` is built in: emu/trace_cmd.c.) */
static int exec_tool(const char *tool, int argc, char **argv, bool pass_self)
{
	char self[4096], path[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr, "kmaplab: cannot find my own executable: %s\n", strerror(errno));
		return EXIT_INTERNAL;
	}
	self[n] = '\0';
	snprintf(path, sizeof(path), "%s/%s", KMAPLAB_TOOLS_DIR, tool);
	char **args = calloc((size_t)argc + 6, sizeof(*args));
	if (!args)
		return EXIT_INTERNAL;
	int k = 0;
	args[k++] = "python3";
	args[k++] = path;
	if (pass_self) {
		args[k++] = "--kmaplab";
		args[k++] = self;
		args[k++] = "--guest-dir";
		args[k++] = KMAPLAB_GUEST_DIR;
	}
	for (int i = 1; i < argc; i++)
		args[k++] = argv[i];
	args[k] = NULL;
	fflush(stdout);
	execvp("python3", args);
	fprintf(stderr, "kmaplab: cannot run %s: %s\n", path, strerror(errno));
	free(args);
	return EXIT_INTERNAL;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("no command given%s", "");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		/* The Unicorn loaded now, and the headers it was built with
		 * (tools/setup --unicorn-2.1 builds against a second one). */
		unsigned major, minor;
		uc_version(&major, &minor);
		printf("kmaplab %s (Unicorn %u.%u; built with %d.%d.%d headers)\n", KMAPLAB_VERSION, major, minor,
		       UC_API_MAJOR, UC_API_MINOR, UC_API_PATCH);
		return 0;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "costs") == 0)
		return cmd_costs(argc - 1, argv + 1);
	if (strcmp(argv[1], "compare") == 0)
		return exec_tool("kmaplab-compare", argc - 1, argv + 1, true);
	if (strcmp(argv[1], "trace") == 0)
		return trace_cmd(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", argv[1]);
}
