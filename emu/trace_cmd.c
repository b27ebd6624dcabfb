/* SPDX-License-Identifier: MIT */
/* `kmaplab trace`: reads a trace with the one reader of the format
 * (emu/trace.c), keeps the events the filters pass (emu/trace_filter.c)
 * and writes them in the chosen format (emu/trace_convert.c).  Errors are
 * reported here, once, as one line on stderr. */
#include "trace_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "parse_num.h"
#include "trace.h"
#include "trace_convert.h"
#include "trace_filter.h"

/* Exit statuses (docs/trace.md). */
enum {
	TRACE_EXIT_OK = 0,
	TRACE_EXIT_USAGE = 64,
	TRACE_EXIT_DATAERR = 65,   /* not a trace, corrupt, newer format version */
	TRACE_EXIT_NOINPUT = 66,   /* FILE cannot be read */
	TRACE_EXIT_TRUNCATED = 67, /* FILE stops before its end record */
	TRACE_EXIT_CANTCREAT = 73, /* OUT cannot be written */
};

static const char help_text[] =
	"usage: kmaplab trace FILE [--format csv|jsonl|chrome | --count] [-o OUT]\n"
	"                     [--ops LIST] [--cpu N] [--from CYCLE] [--to CYCLE] [--pc LIST]\n"
	"                     [--progress | --no-progress]\n"
	"\n"
	"Converts a `kmaplab run --trace FILE` trace (docs/trace.md); FILE - reads stdin.\n"
	"\n"
	"  --format csv     one row per event, with a header row (the default)\n"
	"  --format jsonl   one JSON object per line, same keys as the CSV columns\n"
	"  --format chrome  Trace Event Format JSON for Perfetto UI / chrome://tracing\n"
	"                   (timestamps at a nominal 1 GHz: 1000 cycles = 1 us)\n"
	"  --count          events per kind and per operation, one key=value a line\n"
	"  -o OUT           write to OUT instead of standard output\n"
	"\n"
	"filters (an event is kept when it passes every filter given):\n"
	"  --ops LIST       kinds (flush, tlbi, kmap, warn, hazard), operations (kmap,\n"
	"                   flush_tlb_kernel_range, TLBIMVA, WARN...) or KIND.OP\n"
	"  --cpu N          events of CPU N (the last CPU record's; 0 in a one-CPU trace)\n"
	"  --from CYCLE     events that begin at or after CYCLE\n"
	"  --to CYCLE       events that begin at or before CYCLE\n"
	"  --pc LIST        events whose PC is in these functions (symbol names) or\n"
	"                   at these addresses (0x...)\n"
	"\n"
	"  --progress       report progress on stderr (by default only when stderr is\n"
	"                   a terminal that the output does not also go to)\n"
	"  --no-progress    never report progress\n"
	"\n"
	"exit status: 0 converted; 64 usage; 65 not a trace, corrupt, or a newer\n"
	"format version; 66 FILE cannot be read; 67 FILE is truncated (a crashed\n"
	"run): every whole event before the cut was converted; 73 OUT cannot be\n"
	"written.\n";

static int usage(const char *fmt, const char *arg)
{
	fputs("kmaplab trace: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (kmaplab trace --help)\n", stderr);
	return TRACE_EXIT_USAGE;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Progress on stderr: on a terminal one line rewritten in place (from
 * half a second on, cleared at the end); otherwise (--progress into a file
 * or pipe) a line a second and a last one. */
struct progress {
	bool on, tty, shown;
	double start, next;
	uint64_t size;
	const char *name;
};

static void progress_line(struct progress *p, uint64_t off, uint64_t events, bool last)
{
	double t = now() - p->start;
	double mb = (double)off / 1e6;
	char line[200];
	int n;
	if (p->size)
		n = snprintf(line, sizeof(line), "kmaplab trace: %s: %3.0f%% (%.1f of %.1f MB), %llu events",
			     p->name, 100.0 * (double)off / (double)p->size, mb,
			     (double)p->size / 1e6, (unsigned long long)events);
	else
		n = snprintf(line, sizeof(line), "kmaplab trace: %s: %.1f MB, %llu events", p->name,
			     mb, (unsigned long long)events);
	if (last && t > 0)
		snprintf(line + n, sizeof(line) - (size_t)n, " in %.1f s (%.0f MB/s)", t, mb / t);
	if (p->tty)
		fprintf(stderr, "\r%s\033[K", line);
	else
		fprintf(stderr, "%s\n", line);
	p->shown = true;
}

static void progress_tick(struct progress *p, uint64_t off, uint64_t events)
{
	if (!p->on)
		return;
	double t = now();
	if (t < p->next)
		return;
	p->next = t + (p->tty ? 0.2 : 1.0);
	progress_line(p, off, events, false);
}

static void progress_end(struct progress *p, uint64_t off, uint64_t events, bool forced)
{
	if (!p->on)
		return;
	if (p->tty && !forced) {
		if (p->shown)
			fputs("\r\033[K", stderr);
		return;
	}
	progress_line(p, off, events, true);
	if (p->tty)
		fputc('\n', stderr);
}

enum { OPT_FORMAT = 256, OPT_COUNT, OPT_OPS, OPT_CPU, OPT_FROM, OPT_TO, OPT_PC, OPT_PROGRESS,
       OPT_NO_PROGRESS };

struct args {
	const char *file, *out;
	enum trace_format fmt;
	const char *ops, *pc;
	bool cpu_set;
	uint64_t cpu, from, to;
	int progress; /* -1 never, 0 auto, 1 always */
};

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "count", no_argument, NULL, OPT_COUNT },
		{ "output", required_argument, NULL, 'o' },
		{ "ops", required_argument, NULL, OPT_OPS },
		{ "cpu", required_argument, NULL, OPT_CPU },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "pc", required_argument, NULL, OPT_PC },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool count = false;
	a->to = UINT64_MAX;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (strcmp(optarg, "csv") == 0)
				a->fmt = TRACE_FMT_CSV;
			else if (strcmp(optarg, "jsonl") == 0)
				a->fmt = TRACE_FMT_JSONL;
			else if (strcmp(optarg, "chrome") == 0)
				a->fmt = TRACE_FMT_CHROME;
			else
				return usage("--format: '%s' is not csv, jsonl or chrome", optarg);
			break;
		case OPT_COUNT: count = true; break;
		case 'o': a->out = optarg; break;
		case OPT_OPS: a->ops = optarg; break;
		case OPT_PC: a->pc = optarg; break;
		case OPT_CPU:
			if (parse_num(optarg, &a->cpu, PARSE_NUM_PLAIN) || a->cpu > UINT32_MAX)
				return usage("--cpu: '%s' is not a CPU number", optarg);
			a->cpu_set = true;
			break;
		case OPT_FROM:
			if (parse_num(optarg, &a->from, PARSE_NUM_PLAIN))
				return usage("--from: '%s' is not a cycle count", optarg);
			break;
		case OPT_TO:
			if (parse_num(optarg, &a->to, PARSE_NUM_PLAIN))
				return usage("--to: '%s' is not a cycle count", optarg);
			break;
		case OPT_PROGRESS: a->progress = 1; break;
		case OPT_NO_PROGRESS: a->progress = -1; break;
		case 'h': fputs(help_text, stdout); return -1;
		default:
			return usage("unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage("no trace FILE given%s", "");
	if (optind + 1 < argc)
		return usage("one trace FILE at a time ('%s' is a second)", argv[optind + 1]);
	a->file = argv[optind];
	if (count)
		a->fmt = TRACE_FMT_COUNT;
	if (a->from > a->to)
		return usage("--from is after --to%s", "");
	return 0;
}

/* The output: standard output, or OUT (written through whatever it is: a
 * file is replaced, a FIFO or device written to).  Never the trace itself. */
static int open_out(const struct args *a, int *fd)
{
	if (!a->out) {
		*fd = STDOUT_FILENO;
		return 0;
	}
	struct stat in, out;
	if (strcmp(a->file, "-") && stat(a->file, &in) == 0 && stat(a->out, &out) == 0 &&
	    in.st_dev == out.st_dev && in.st_ino == out.st_ino)
		return usage("-o %s is the trace being read", a->out);
	*fd = open(a->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (*fd < 0) {
		fprintf(stderr, "kmaplab trace: cannot write %s: %s\n", a->out, strerror(errno));
		return TRACE_EXIT_CANTCREAT;
	}
	return 0;
}

static int build_filter(struct trace_filter *f, const struct args *a, const struct trace_header *h)
{
	char err[300];
	trace_filter_init(f);
	f->from = a->from;
	f->to = a->to;
	f->cpu_set = a->cpu_set;
	f->cpu = (unsigned)a->cpu;
	if (a->ops && trace_filter_ops(f, h, a->ops, err, sizeof(err)))
		return usage("--ops: %s", err);
	if (a->pc && trace_filter_pc(f, h, a->pc, err, sizeof(err)))
		return usage("--pc: %s", err);
	return 0;
}

int trace_cmd(int argc, char **argv)
{
	struct args a = { 0 };
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc < 0 ? 0 : rc;

	char err[400];
	struct trace_reader *r = trace_reader_open(a.file, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "kmaplab trace: %s\n", err);
		return errno ? TRACE_EXIT_NOINPUT : TRACE_EXIT_DATAERR;
	}
	const struct trace_header *h = trace_reader_header(r);
	struct trace_filter f;
	int fd = -1;
	struct trace_record *rec = malloc(sizeof(*rec));
	struct trace_conv *c = NULL;
	if (!rec) {
		fputs("kmaplab trace: out of memory\n", stderr);
		rc = TRACE_EXIT_DATAERR;
		goto out_reader;
	}
	rc = build_filter(&f, &a, h);
	if (rc)
		goto out_filter;
	rc = open_out(&a, &fd);
	if (rc)
		goto out_filter;
	/* A reader that goes away (`| head`) is not an error: write() says
	 * EPIPE and the conversion stops quietly. */
	signal(SIGPIPE, SIG_IGN);
	c = trace_conv_new(a.fmt, h, fd);
	if (!c) {
		fputs("kmaplab trace: out of memory\n", stderr);
		rc = TRACE_EXIT_DATAERR;
		goto out_file;
	}

	struct progress p = { .size = trace_reader_size(r), .name = a.file };
	bool out_is_tty = !a.out && isatty(STDOUT_FILENO);
	p.tty = isatty(STDERR_FILENO);
	p.on = a.progress > 0 || (a.progress == 0 && p.tty && !out_is_tty);
	p.start = now();
	p.next = p.start + (a.progress > 0 ? 1.0 : 0.5);

	enum trace_read_status st;
	uint64_t n = 0;
	while ((st = trace_read(r, rec)) == TRACE_READ_RECORD) {
		if (trace_filter_match(&f, h, rec))
			trace_conv_event(c, rec);
		if ((++n & 0x3fff) == 0) {
			if (trace_conv_error(c))
				break;
			progress_tick(&p, trace_reader_offset(r), n);
		}
	}
	/* What was read is written, whatever ended the read. */
	int werr = trace_conv_finish(c);
	progress_end(&p, trace_reader_offset(r), n, a.progress > 0);
	if (werr == EPIPE) {
		rc = TRACE_EXIT_OK;
	} else if (werr) {
		fprintf(stderr, "kmaplab trace: cannot write %s: %s\n", a.out ? a.out : "standard output",
			strerror(werr));
		rc = TRACE_EXIT_CANTCREAT;
	} else {
		switch (st) {
		case TRACE_READ_END:
			if (trace_reader_end_flags(r) & TRACE_END_LIMITED)
				fprintf(stderr,
					"kmaplab trace: %s: recording stopped at --trace-max-bytes after %llu events\n",
					a.file, (unsigned long long)n);
			rc = TRACE_EXIT_OK;
			break;
		case TRACE_READ_TRUNCATED:
			fprintf(stderr, "kmaplab trace: %s: trace truncated after %llu events\n", a.file,
				(unsigned long long)n);
			rc = TRACE_EXIT_TRUNCATED;
			break;
		case TRACE_READ_CORRUPT:
			fprintf(stderr, "kmaplab trace: %s: corrupt trace after %llu events: %s\n", a.file,
				(unsigned long long)n, trace_reader_why(r));
			rc = TRACE_EXIT_DATAERR;
			break;
		case TRACE_READ_ERROR:
			fprintf(stderr, "kmaplab trace: cannot read %s: %s\n", a.file, trace_reader_why(r));
			rc = TRACE_EXIT_NOINPUT;
			break;
		case TRACE_READ_RECORD:
			rc = TRACE_EXIT_OK;
			break;
		}
	}
out_file:
	if (a.out && fd >= 0 && close(fd) && rc == TRACE_EXIT_OK) {
		fprintf(stderr, "kmaplab trace: cannot write %s: %s\n", a.out, strerror(errno));
		rc = TRACE_EXIT_CANTCREAT;
	}
out_filter:
	trace_filter_free(&f);
out_reader:
	free(rec);
	trace_reader_close(r);
	return rc;
}
