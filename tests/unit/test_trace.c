/* SPDX-License-Identifier: MIT */
/* Unit tests of the --trace file (emu/trace.c, docs/trace.md): synthetic
 * events of every kind with random fields (fixed seed) are written, read
 * back and compared field by field; the file cut at many byte offsets reads
 * back as exactly the records that are whole in it; a corrupt or newer file
 * is refused; two writes of the same events are byte-identical.
 *
 *   test_trace DOCS/trace.md   run the checks (files in a temporary directory;
 *                              the name tables are checked against the doc)
 *   test_trace --write FILE    only write the synthetic trace to FILE and print
 *                              "events=N flush=N tlbi=N kmap=N warn=N"
 *                              (tests/guest/trace_roundtrip.py uses it) */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "../../emu/trace.h"

#define NEVENTS 4000

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t rnd_below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* A 32-bit value with the shapes real traces have: small, page aligned,
 * kernel VAs, the extremes. */
static uint32_t rnd_u32(void)
{
	switch (rnd_below(6)) {
	case 0: return rnd_below(16);
	case 1: return 0xc0000000u + (rnd_below(0x40000) << 12);
	case 2: return 0xffc00000u + (rnd_below(768) << 12);
	case 3: return rnd_below(2) ? 0 : UINT32_MAX - 1;
	default: return (uint32_t)rnd();
	}
}

static uint32_t rnd_opt(void)
{
	return rnd_below(3) == 0 ? KMAP_EVENT_NONE : rnd_u32();
}

static uint64_t rnd_cycles(void)
{
	switch (rnd_below(4)) {
	case 0: return rnd_below(100);
	case 1: return rnd() >> 24;
	case 2: return rnd_below(2) ? 0 : UINT64_MAX;
	default: return rnd_below(5000);
	}
}

struct synth {
	struct trace_record *rec; /* what was written, as the reader returns it */
	size_t n;
	struct trace_counts counts;
};

static void make_symtab(struct symtab *st)
{
	memset(st, 0, sizeof(*st));
	symtab_add(st, 0xc0008000, 0x40, "_start");
	symtab_add(st, 0xc0008040, 0x100, "main");
	symtab_add(st, 0xc0008140, 0, "main_alias");
	symtab_add(st, 0xc0008140, 0x20, "helper");
	symtab_add(st, 0xc0100000, 0x10, "\xc3\xa9t\xc3\xa9 with spaces, \"quotes\"");
	for (unsigned i = 0; i < 200; i++) {
		char name[32];
		snprintf(name, sizeof(name), "f%u", i);
		symtab_add(st, 0xc0200000 + i * 0x30, 0x30, name);
	}
	symtab_sort(st);
}

/* Writes NEVENTS random events through every entry point; fills *s with
 * what the reader must return.  Returns 0 or -1. */
/* Recording options for write_synthetic() (NULL: none). */
static const struct trace_options *synth_opts;

static int write_synthetic(const char *path, const struct symtab *syms, struct synth *s)
{
	char err[256];
	struct trace_writer *tw = trace_open_options(path, syms, "guest-tests/x.elf", "cortex-a7",
						     "3G/1G", "linux", synth_opts, err, sizeof(err));
	if (!tw) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	s->rec = calloc(NEVENTS, sizeof(*s->rec));
	s->n = 0;
	if (!s->rec)
		return -1;
	rng_state = 0x6b6d61706c6162ull; /* "kmaplab" */
	uint64_t clock = 1000;
	uint64_t last_cycle = 0;
	uint32_t set_pc = 0; /* the last trace_set_pc() */
	trace_set_clock(tw, &clock);

	/* Four fixed events first: tests/guest/trace_roundtrip.py checks
	 * their converted rows exactly. */
	struct trace_record *r = &s->rec[0];
	r->kind = TRACE_FLUSH;
	r->cycle = 100;
	r->pc = 0xc0008050; /* main+0x10 */
	struct flush_event fe0 = { .cycle = 100, .op = FLUSH_OP_LOCAL_FLUSH_TLB_KERNEL_PAGE,
				   .cause = FLUSH_CAUSE_KMAP_ATOMIC, .start = 0xffef9000,
				   .pages = 1, .invalidated = 1, .cycles = 30 };
	trace_flush_rec_of(&r->u.flush, &fe0);
	trace_set_pc(tw, set_pc = (uint32_t)r->pc);
	trace_mm_ops.flush(tw, &fe0);
	r = &s->rec[1];
	r->kind = TRACE_KMAP;
	r->cycle = 90;
	r->pc = 0xc0008050;
	struct kmap_event ke0 = { .cycle = 90, .op = KMAP_OP_KMAP_ATOMIC, .pc = 0xc0008050,
				  .page = 0xc1234560, .pfn = 0x30000, .va = 0xffef9000,
				  .pkmap_nr = KMAP_EVENT_NONE, .fix_idx = 6,
				  .arg = KMAP_EVENT_NONE, .cycles = 55, .failed = 0 };
	trace_kmap_rec_of(&r->u.kmap, &ke0);
	trace_mm_ops.kmap(tw, &ke0);
	r = &s->rec[2];
	r->kind = TRACE_TLBI;
	r->cycle = 200;
	r->pc = 0xc0008144; /* helper+0x4: helper and main_alias share 0xc0008140 */
	r->u.tlbi = (struct trace_tlbi_event){ .cycle = 200, .op = TLBI_TLBIMVA, .rt = 0xbf801042,
					       .invalidated = 2, .cycles = 12 };
	trace_guest_tlbi(tw, 200, (uint32_t)r->pc, TLBI_TLBIMVA, 0xbf801042, 2, 12);
	r = &s->rec[3];
	r->kind = TRACE_WARN;
	r->cycle = clock = 300;
	r->pc = 0xc0100004;
	snprintf(r->msg, sizeof(r->msg), "kmap_atomic: slot stack overflow, \"x\"");
	trace_set_pc(tw, set_pc = (uint32_t)r->pc);
	trace_mm_ops.warn(tw, r->msg);
	s->n = 4;
	last_cycle = 300;

	for (size_t i = 4; i < NEVENTS; i++) {
		r = &s->rec[i];
		/* Mostly forward in time, sometimes back (a kmap call is
		 * reported after the flushes inside it), sometimes far. */
		uint64_t cycle;
		switch (rnd_below(8)) {
		case 0: cycle = last_cycle - rnd_below(3000); break;
		case 1: cycle = rnd(); break;
		case 2: cycle = rnd_below(2) ? 0 : UINT64_MAX; break;
		default: cycle = last_cycle + rnd_below(2000); break;
		}
		uint32_t pc = rnd_below(10) == 0 ? 0 : 0xc0008000u + (rnd_below(0x4000) & ~1u);
		if (rnd_below(20) == 0)
			pc = (uint32_t)rnd();
		r->cycle = cycle;
		r->pc = pc;
		switch (rnd_below(7)) {
		case 0:
		case 1: {
			struct flush_event e = {
				.cycle = cycle,
				.op = (enum flush_op)rnd_below(FLUSH_NR_OPS),
				.cause = (enum flush_cause)rnd_below(FLUSH_NR_CAUSES),
				.start = rnd_u32(),
				.pages = rnd_below(3) ? rnd_below(600) : rnd_u32(),
				.invalidated = rnd_u32(),
				.cycles = rnd_cycles(),
			};
			r->kind = TRACE_FLUSH;
			trace_flush_rec_of(&r->u.flush, &e);
			if (rnd_below(2)) {
				trace_flush_event(tw, pc, &e);
			} else {
				trace_set_pc(tw, set_pc = pc);
				trace_mm_ops.flush(tw, &e);
			}
			break;
		}
		case 2: {
			struct trace_tlbi_event e = {
				.cycle = cycle,
				.op = (enum tlbi_op)rnd_below(TLBI_NR_OPS),
				.rt = rnd_u32(),
				.invalidated = rnd_u32(),
				.cycles = rnd_cycles(),
			};
			r->kind = TRACE_TLBI;
			r->u.tlbi = e;
			trace_guest_tlbi(tw, cycle, pc, e.op, (uint32_t)e.rt, e.invalidated, e.cycles);
			break;
		}
		case 3:
		case 4:
		case 5: {
			struct kmap_event e = {
				.cycle = cycle,
				.op = (enum kmap_op)rnd_below(KMAP_NR_OPS),
				.pc = pc,
				.page = rnd_opt(),
				.pfn = rnd_opt(),
				.va = rnd_opt(),
				.pkmap_nr = rnd_below(2) ? KMAP_EVENT_NONE : rnd_below(512),
				.fix_idx = rnd_below(2) ? KMAP_EVENT_NONE : rnd_below(768),
				.arg = rnd_opt(),
				.cycles = rnd_cycles(),
				.failed = rnd_below(5) == 0 ? (int)rnd_below(3) + 1 : 0,
			};
			r->kind = TRACE_KMAP;
			trace_kmap_rec_of(&r->u.kmap, &e);
			/* No PC of its own: the hypercall's. */
			if (!pc)
				r->pc = r->u.kmap.pc = set_pc;
			if (rnd_below(2))
				trace_kmap_event(tw, &e);
			else
				trace_mm_ops.kmap(tw, &e);
			break;
		}
		default: {
			/* A WARN: its cycle comes from the clock, its PC from
			 * trace_set_pc(); long messages are cut. */
			char msg[TRACE_WARN_MAX + 200];
			size_t len = rnd_below(4) ? rnd_below(100) : rnd_below(sizeof(msg));
			for (size_t k = 0; k < len; k++)
				msg[k] = (char)(' ' + rnd_below(95));
			msg[len] = 0;
			if (len > 3) /* some UTF-8 and JSON/CSV specials */
				memcpy(msg, "\xc3\xa9\",", 4);
			clock = cycle;
			trace_set_pc(tw, set_pc = pc);
			r->kind = TRACE_WARN;
			size_t keep = len > TRACE_WARN_MAX ? TRACE_WARN_MAX : len;
			memcpy(r->msg, msg, keep);
			r->msg[keep] = 0;
			if (rnd_below(2))
				trace_warn(tw, msg);
			else
				trace_mm_ops.warn(tw, msg);
			break;
		}
		}
		last_cycle = cycle;
		s->n++;
	}
	return trace_close_counts(tw, &s->counts);
}

static bool same_record(const struct trace_record *a, const struct trace_record *b)
{
	if (a->kind != b->kind || a->cycle != b->cycle || a->pc != b->pc)
		return false;
	switch (a->kind) {
	case TRACE_FLUSH: {
		const struct trace_flush_rec *x = &a->u.flush, *y = &b->u.flush;
		return x->cycle == y->cycle && x->op == y->op && x->cause == y->cause &&
		       x->start == y->start && x->pages == y->pages &&
		       x->invalidated == y->invalidated && x->cycles == y->cycles;
	}
	case TRACE_TLBI: {
		const struct trace_tlbi_event *x = &a->u.tlbi, *y = &b->u.tlbi;
		return x->cycle == y->cycle && x->op == y->op && x->rt == y->rt &&
		       x->invalidated == y->invalidated && x->cycles == y->cycles;
	}
	case TRACE_KMAP: {
		const struct trace_kmap_rec *x = &a->u.kmap, *y = &b->u.kmap;
		return x->cycle == y->cycle && x->op == y->op && x->pc == y->pc &&
		       x->page == y->page && x->pfn == y->pfn && x->va == y->va &&
		       x->pkmap_nr == y->pkmap_nr && x->fix_idx == y->fix_idx && x->arg == y->arg &&
		       x->cycles == y->cycles && x->failed == y->failed;
	}
	case TRACE_WARN:
		return strcmp(a->msg, b->msg) == 0;
	default:
		return false;
	}
}

static uint8_t *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *p = malloc(n > 0 ? (size_t)n : 1);
	if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return p;
}

/* Reads `size` bytes of a trace; checks every record against the expected
 * ones; returns the status that ended the read and the count and offsets
 * (ends[i]: file offset after record i, may be NULL). */
static enum trace_read_status read_back(const uint8_t *data, size_t size, const struct synth *s,
					uint64_t *count, size_t *ends, size_t *header_end)
{
	char err[256];
	struct trace_reader *r = trace_reader_open_memory(data, size, "synthetic", err, sizeof(err));
	*count = 0;
	if (!r)
		return TRACE_READ_CORRUPT;
	if (header_end)
		*header_end = trace_reader_offset(r);
	static struct trace_record rec;
	enum trace_read_status st;
	bool all_same = true;
	while ((st = trace_read(r, &rec)) == TRACE_READ_RECORD) {
		if (*count >= s->n || !same_record(&rec, &s->rec[*count])) {
			if (all_same)
				fprintf(stderr, "record %llu differs (kind %d)\n",
					(unsigned long long)*count, (int)rec.kind);
			all_same = false;
		}
		if (ends && *count < s->n)
			ends[*count] = trace_reader_offset(r);
		(*count)++;
	}
	CHECK(all_same);
	CHECK_EQ(trace_reader_events(r), *count);
	CHECK(trace_read(r, &rec) == st); /* sticky */
	trace_reader_close(r);
	return st;
}

static const char *docs_path; /* docs/trace.md (argv[1]) */

/* The backquoted names of the row "| <table> | `a`, `b`, ... |" of
 * docs/trace.md, in order, must be exactly names[0..n). */
static void check_table(const char *docs, const char *table, char **names, size_t n)
{
	FILE *f = fopen(docs, "r");
	if (!CHECK(f != NULL))
		return;
	char line[4096], want[256];
	snprintf(want, sizeof(want), "| %s | ", table);
	bool found = false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		found = true;
		size_t k = 0;
		for (char *p = line + strlen(want); (p = strchr(p, '`')) != NULL; k++) {
			char *e = strchr(p + 1, '`');
			if (!e)
				break;
			*e = 0;
			if (!CHECK(k < n && strcmp(names[k], p + 1) == 0))
				fprintf(stderr, "%s %zu: docs/trace.md says %s, the trace %s\n", table, k,
					p + 1, k < n ? names[k] : "(none)");
			p = e + 1;
		}
		if (!CHECK_EQ(k, n))
			fprintf(stderr, "%s: docs/trace.md lists %zu names, the trace has %zu\n", table,
				k, n);
	}
	CHECK(found);
	fclose(f);
}

static void test_header(const char *path, const struct symtab *syms)
{
	char err[256];
	struct trace_reader *r = trace_reader_open(path, err, sizeof(err));
	if (!CHECK(r != NULL)) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	const struct trace_header *h = trace_reader_header(r);
	CHECK_EQ(h->version, 1); /* one CPU: version 1 (no CPU records) */
	CHECK(strcmp(h->producer, "kmaplab " KMAPLAB_VERSION) == 0);
	CHECK(strcmp(h->guest, "guest-tests/x.elf") == 0);
	CHECK(strcmp(h->core, "cortex-a7") == 0);
	CHECK(strcmp(h->split, "3G/1G") == 0);
	CHECK(strcmp(h->policy, "linux") == 0);
	/* The name tables against docs/trace.md's list (not against the
	 * writer's own tables: the documentation is the contract). */
	if (CHECK(docs_path != NULL)) {
		check_table(docs_path, "flush operations", h->flush_ops, h->nflush_ops);
		check_table(docs_path, "flush causes", h->causes, h->ncauses);
		check_table(docs_path, "kmap operations", h->kmap_ops, h->nkmap_ops);
		check_table(docs_path, "TLBI operations", h->tlbi_ops, h->ntlbi_ops);
	}
	/* A TLBI's kind follows from its ARM name (ARMv7 ARM B4.2.2 / the
	 * c8 encodings): ...ALL invalidates everything, ...MVAA by VA for
	 * any ASID, ...MVA by VA and ASID, ...ASID by ASID. */
	for (size_t i = 0; i < h->ntlbi_ops; i++) {
		const char *n = h->tlbi_ops[i];
		unsigned want = strstr(n, "ALL") ? 0 : strstr(n, "MVAA") ? 3 : strstr(n, "MVA") ? 1 : 2;
		if (!CHECK_EQ(h->tlbi_kinds[i], want))
			fprintf(stderr, "TLBI %s: kind %u\n", n, h->tlbi_kinds[i]);
	}
	CHECK_EQ(h->kinds, TRACE_KINDS_ALL);
	CHECK_EQ(h->syms.n, syms->n);
	bool same = h->syms.n == syms->n;
	for (size_t i = 0; same && i < syms->n; i++)
		same = h->syms.syms[i].addr == syms->syms[i].addr &&
		       h->syms.syms[i].size == syms->syms[i].size &&
		       strcmp(h->syms.syms[i].name, syms->syms[i].name) == 0;
	CHECK(same);
	char a[128], b[128];
	CHECK(strcmp(symtab_format(&h->syms, 0xc0008150, a, sizeof(a)),
		     symtab_format(syms, 0xc0008150, b, sizeof(b))) == 0);
	CHECK(strcmp(a, "helper+0x10") == 0);
	trace_reader_close(r);
}

/* Every cut of the file reads back as exactly the records whole in it. */
static void test_truncation(const uint8_t *data, size_t size, const struct synth *s)
{
	size_t *ends = calloc(s->n, sizeof(*ends));
	size_t header_end = 0;
	uint64_t count;
	CHECK(read_back(data, size, s, &count, ends, &header_end) == TRACE_READ_END);
	CHECK_EQ(count, s->n);

	/* Cuts to try: inside the header, every byte of the first records,
	 * both sides of some record boundaries, the end record, random. */
	size_t cuts[4096], ncuts = 0;
	for (size_t c = 0; c < header_end; c += 97)
		cuts[ncuts++] = c;
	cuts[ncuts++] = header_end - 1;
	for (size_t c = header_end; c < header_end + 600 && c < size; c++)
		cuts[ncuts++] = c;
	for (size_t i = 0; i < s->n && ncuts < 3000; i += 41) {
		cuts[ncuts++] = ends[i] - 1;
		cuts[ncuts++] = ends[i];
		cuts[ncuts++] = ends[i] + 1;
	}
	cuts[ncuts++] = ends[s->n - 1];  /* all events, no end record */
	cuts[ncuts++] = size - 1;        /* end record cut */
	rng_state = 12345;
	while (ncuts < sizeof(cuts) / sizeof(cuts[0]))
		cuts[ncuts++] = header_end + rnd_below((uint32_t)(size - header_end));

	unsigned bad = 0;
	for (size_t k = 0; k < ncuts; k++) {
		size_t cut = cuts[k];
		if (cut >= size)
			continue;
		enum trace_read_status st = read_back(data, cut, s, &count, NULL, NULL);
		if (cut < header_end) {
			/* The header is written in one piece at open; a cut
			 * one is refused (CORRUPT here means "open failed"). */
			if (st != TRACE_READ_CORRUPT || count != 0)
				bad++;
			continue;
		}
		uint64_t whole = 0;
		while (whole < s->n && ends[whole] <= cut)
			whole++;
		if (st != TRACE_READ_TRUNCATED || count != whole) {
			if (bad++ < 5)
				fprintf(stderr, "cut at %zu: status %d, %llu records, expected %llu\n",
					cut, (int)st, (unsigned long long)count, (unsigned long long)whole);
		}
	}
	CHECK_EQ(bad, 0);
	free(ends);
}

static void test_corrupt(const uint8_t *data, size_t size, const struct synth *s)
{
	char err[256];
	uint8_t *d = malloc(size);
	memcpy(d, data, size);
	struct trace_reader *r;

	d[0] ^= 1;
	r = trace_reader_open_memory(d, size, "x", err, sizeof(err));
	CHECK(r == NULL && strstr(err, "not a kmaplab trace"));
	d[0] ^= 1;

	d[TRACE_MAGIC_LEN] = TRACE_FORMAT_VERSION + 1;
	r = trace_reader_open_memory(d, size, "x", err, sizeof(err));
	CHECK(r == NULL && strstr(err, "version 4, this reader knows up to 3"));
	d[TRACE_MAGIC_LEN] = 1;

	d[TRACE_MAGIC_LEN + 2 + 4 + 3] ^= 0x40; /* inside the header body */
	r = trace_reader_open_memory(d, size, "x", err, sizeof(err));
	CHECK(r == NULL && strstr(err, "CRC"));
	d[TRACE_MAGIC_LEN + 2 + 4 + 3] ^= 0x40;

	d[TRACE_MAGIC_LEN + 2 + 3] = 0x7f; /* header length far past the end */
	r = trace_reader_open_memory(d, size, "x", err, sizeof(err));
	CHECK(r == NULL && strstr(err, "corrupt trace header"));
	memcpy(d, data, size);

	/* A bad tag after some records: those records, then CORRUPT. */
	size_t ends[10], hend;
	uint64_t count;
	size_t *all = calloc(s->n, sizeof(*all));
	read_back(d, size, s, &count, all, &hend);
	memcpy(ends, all, sizeof(ends));
	free(all);
	d[ends[6]] = 0x00;
	CHECK(read_back(d, size, s, &count, NULL, NULL) == TRACE_READ_CORRUPT);
	CHECK_EQ(count, 7);
	d[ends[6]] = 0xee;
	CHECK(read_back(d, size, s, &count, NULL, NULL) == TRACE_READ_CORRUPT);
	CHECK_EQ(count, 7);
	memcpy(d, data, size);

	/* An end record whose count disagrees (the last byte is its flags). */
	d[size - 2] ^= 1;
	CHECK(read_back(d, size, s, &count, NULL, NULL) == TRACE_READ_CORRUPT);
	free(d);
}

static void test_empty_and_errors(const char *dir)
{
	char path[600], err[256];
	snprintf(path, sizeof(path), "%s/empty.kmt", dir);
	struct trace_writer *tw = trace_open(path, NULL, NULL, NULL, NULL, NULL, err, sizeof(err));
	CHECK(tw != NULL);
	if (tw) {
		struct trace_counts c;
		trace_counts(tw, &c);
		CHECK_EQ(c.events, 0);
		CHECK_EQ(trace_close(tw), 0);
	}
	struct trace_reader *r = trace_reader_open(path, err, sizeof(err));
	CHECK(r != NULL);
	if (r) {
		struct trace_record rec;
		CHECK(strcmp(trace_reader_header(r)->guest, "") == 0);
		CHECK_EQ(trace_reader_header(r)->syms.n, 0);
		CHECK(trace_read(r, &rec) == TRACE_READ_END);
		trace_reader_close(r);
	}
	CHECK_EQ(trace_close(NULL), 0);

	snprintf(path, sizeof(path), "%s/no/such/dir.kmt", dir);
	CHECK(trace_open(path, NULL, "g", "c", "s", "p", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "cannot write trace") != NULL);
	CHECK(trace_reader_open(path, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "cannot read trace") != NULL);

	/* A full disk: the header write fails at open. */
	if (access("/dev/full", W_OK) == 0) {
		CHECK(trace_open("/dev/full", NULL, "g", "c", "s", "p", err, sizeof(err)) == NULL);
		CHECK(strstr(err, "No space") != NULL);
	}
}

/* The hazard record (tag 0x05): every field back as written, including
 * "no page" and the rotated VA. */
static void test_hazard_record(const char *dir)
{
	char path[600], err[256];
	snprintf(path, sizeof(path), "%s/hazard.kmt", dir);
	struct trace_writer *tw = trace_open(path, NULL, "g", "c", "s", "p", err, sizeof(err));
	CHECK(tw != NULL);
	if (!tw)
		return;
	const struct trace_hazard_event ev[2] = {
		{ .cycle = 5000, .kind = 0, .cpu = 0, .va = 0xffc43004, .old_pa = 0x13000,
		  .new_pa = 0x12000, .old_desc = 0x1305e, .new_desc = 0x1205e, .flags = 0x3 },
		{ .cycle = 4000, .kind = 1, .cpu = 3, .va = 0xbfe00000, .old_pa = 0x30000000,
		  .new_pa = KMAP_EVENT_NONE, .old_desc = 0x3000005f, .new_desc = 0, .flags = 2u << 8 },
	};
	trace_hazard(tw, 0xc0008050, &ev[0]);
	trace_hazard(tw, 0xc0008000, &ev[1]);
	struct trace_counts c;
	trace_counts(tw, &c);
	CHECK_EQ(c.hazard, 2);
	CHECK_EQ(c.events, 2);
	CHECK_EQ(trace_close(tw), 0);
	struct trace_reader *r = trace_reader_open(path, err, sizeof(err));
	CHECK(r != NULL);
	if (r) {
		struct trace_record rec;
		for (unsigned i = 0; i < 2; i++) {
			CHECK(trace_read(r, &rec) == TRACE_READ_RECORD);
			CHECK_EQ(rec.kind, TRACE_HAZARD);
			CHECK_EQ(rec.pc, i ? 0xc0008000u : 0xc0008050u);
			CHECK_EQ(rec.cpu, ev[i].cpu); /* the record's CPU is the event's */
			const struct trace_hazard_event *h = &rec.u.hazard;
			CHECK(h->cycle == ev[i].cycle && h->kind == ev[i].kind && h->cpu == ev[i].cpu &&
			      h->va == ev[i].va && h->old_pa == ev[i].old_pa && h->new_pa == ev[i].new_pa &&
			      h->old_desc == ev[i].old_desc && h->new_desc == ev[i].new_desc &&
			      h->flags == ev[i].flags);
		}
		CHECK(trace_read(r, &rec) == TRACE_READ_END);
		trace_reader_close(r);
	}
	unlink(path);
}

/* Reads a whole file written with options; returns the records (at most
 * max) and the end status. */
static enum trace_read_status read_all(const char *path, struct trace_record *out, size_t max,
				       size_t *n, unsigned *flags, unsigned *kinds)
{
	char err[256];
	struct trace_reader *r = trace_reader_open(path, err, sizeof(err));
	*n = 0;
	if (!r) {
		fprintf(stderr, "%s\n", err);
		return TRACE_READ_CORRUPT;
	}
	*kinds = trace_reader_header(r)->kinds;
	static struct trace_record rec;
	enum trace_read_status st;
	while ((st = trace_read(r, &rec)) == TRACE_READ_RECORD)
		if (*n < max)
			out[(*n)++] = rec;
	*flags = trace_reader_end_flags(r);
	trace_reader_close(r);
	return st;
}

/* --trace-events and --trace-max-bytes: the same synthetic events written
 * with options read back as the records those options keep. */
static void test_options(const char *dir, const struct symtab *syms, const uint8_t *full,
			 size_t full_size, const struct synth *all)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/opt.kmt", dir);
	struct trace_record *got = calloc(NEVENTS, sizeof(*got));
	size_t *ends = calloc(NEVENTS, sizeof(*ends));
	size_t header_end = 0, n;
	uint64_t count;
	unsigned flags, kinds;
	struct synth s;
	read_back(full, full_size, all, &count, ends, &header_end);

	/* Only kmap and WARN events: exactly those, in order. */
	struct trace_options o = { .kinds = TRACE_KIND_BIT(TRACE_KMAP) | TRACE_KIND_BIT(TRACE_WARN) };
	synth_opts = &o;
	CHECK_EQ(write_synthetic(path, syms, &s), 0);
	CHECK(read_all(path, got, NEVENTS, &n, &flags, &kinds) == TRACE_READ_END);
	CHECK_EQ(kinds, o.kinds);
	CHECK_EQ(flags, 0);
	size_t k = 0;
	bool same = true;
	for (size_t i = 0; i < all->n; i++) {
		if (all->rec[i].kind != TRACE_KMAP && all->rec[i].kind != TRACE_WARN)
			continue;
		same = same && k < n && same_record(&got[k], &all->rec[i]);
		k++;
	}
	CHECK(same);
	CHECK_EQ(n, k);
	CHECK_EQ(s.counts.events, k);
	CHECK_EQ(s.counts.flush + s.counts.tlbi, 0);
	CHECK_EQ(s.counts.truncated, 0);
	free(s.rec);

	/* A limit half way: the longest prefix of events that leaves room
	 * for the end record (TRACE_END_RESERVE bytes) under the limit. */
	o = (struct trace_options){ .max_bytes = header_end + (full_size - header_end) / 2 };
	size_t fit = 0;
	while (fit < all->n && ends[fit] + TRACE_END_RESERVE <= o.max_bytes)
		fit++;
	CHECK(fit > 0 && fit < all->n);
	CHECK_EQ(write_synthetic(path, syms, &s), 0);
	CHECK(read_all(path, got, NEVENTS, &n, &flags, &kinds) == TRACE_READ_END);
	CHECK_EQ(flags, TRACE_END_LIMITED);
	CHECK_EQ(n, fit);
	same = true;
	for (size_t i = 0; i < n && i < fit; i++)
		same = same && same_record(&got[i], &all->rec[i]);
	CHECK(same);
	CHECK_EQ(s.counts.truncated, 1);
	CHECK_EQ(s.counts.events, fit);
	CHECK_EQ(s.counts.not_recorded, all->n - fit);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (uint64_t)st.st_size <= o.max_bytes);
	CHECK_EQ(s.counts.bytes, (uint64_t)st.st_size);
	free(s.rec);

	/* Room for the header and the end record only: no event, still valid. */
	o.max_bytes = header_end + TRACE_END_RESERVE;
	CHECK_EQ(write_synthetic(path, syms, &s), 0);
	CHECK(read_all(path, got, NEVENTS, &n, &flags, &kinds) == TRACE_READ_END);
	CHECK_EQ(n, 0);
	CHECK_EQ(flags, TRACE_END_LIMITED);
	free(s.rec);

	/* Less than that: refused at open. */
	char err[256];
	o.max_bytes = header_end + TRACE_END_RESERVE - 1;
	errno = 0;
	CHECK(trace_open_options(path, syms, "guest-tests/x.elf", "cortex-a7", "3G/1G", "linux", &o,
				 err, sizeof(err)) == NULL);
	CHECK_EQ(errno, EINVAL);
	CHECK(strstr(err, "--trace-max-bytes") != NULL);

	synth_opts = NULL;
	unlink(path);
	free(got);
	free(ends);
}

/* The reader's reasons for a corrupt record name the byte. */
static void test_why(const uint8_t *data, size_t size)
{
	char err[256];
	uint8_t *d = malloc(size);
	memcpy(d, data, size);
	struct trace_reader *r = trace_reader_open_memory(d, size, "x", err, sizeof(err));
	size_t at = trace_reader_offset(r);
	trace_reader_close(r);
	d[at] = 0x55; /* the first record's tag */
	r = trace_reader_open_memory(d, size, "x", err, sizeof(err));
	static struct trace_record rec;
	CHECK(trace_read(r, &rec) == TRACE_READ_CORRUPT);
	char want[64];
	snprintf(want, sizeof(want), "unknown record tag 0x55 at byte %zu", at);
	if (!CHECK(strcmp(trace_reader_why(r), want) == 0))
		fprintf(stderr, "why: %s\n", trace_reader_why(r));
	trace_reader_close(r);
	free(d);
}

/* Version 2: CPU records.  Events on CPUs 0, 1, 1, 3, 0 come back with
 * their CPU; a CPU record is written only where the CPU changes (3 here),
 * is not an event (the end record counts 5), and makes the header say 2. */
static void test_cpus(const char *dir)
{
	char path[600], err[256];
	snprintf(path, sizeof(path), "%s/cpus.kmt", dir);
	struct trace_writer *tw = trace_open(path, NULL, "g", "c", "s", "p", err, sizeof(err));
	if (!CHECK(tw != NULL))
		return;
	trace_set_cpus(tw, 4);
	static const unsigned cpus[5] = { 0, 1, 1, 3, 0 };
	for (unsigned i = 0; i < 5; i++) {
		trace_set_cpu(tw, cpus[i]);
		trace_guest_tlbi(tw, 100 * i, 0xc0008000u + 4 * i, TLBI_TLBIALL, 0, i, 1);
	}
	struct trace_counts c;
	trace_counts(tw, &c);
	CHECK_EQ(c.events, 5);
	CHECK_EQ(trace_close(tw), 0);
	struct trace_reader *r = trace_reader_open(path, err, sizeof(err));
	if (!CHECK(r != NULL))
		return;
	CHECK_EQ(trace_reader_header(r)->version, 2);
	struct trace_record rec;
	for (unsigned i = 0; i < 5; i++) {
		CHECK(trace_read(r, &rec) == TRACE_READ_RECORD);
		CHECK_EQ(rec.cpu, cpus[i]);
		CHECK_EQ(rec.cycle, 100 * i);
		CHECK_EQ(rec.u.tlbi.invalidated, i);
	}
	CHECK(trace_read(r, &rec) == TRACE_READ_END);
	trace_reader_close(r);
}

int main(int argc, char **argv)
{
	struct symtab syms;
	make_symtab(&syms);
	struct synth s;

	if (argc == 3 && strcmp(argv[1], "--write") == 0) {
		if (write_synthetic(argv[2], &syms, &s))
			return 1;
		printf("events=%llu flush=%llu tlbi=%llu kmap=%llu warn=%llu\n",
		       (unsigned long long)s.counts.events, (unsigned long long)s.counts.flush,
		       (unsigned long long)s.counts.tlbi, (unsigned long long)s.counts.kmap,
		       (unsigned long long)s.counts.warn);
		free(s.rec);
		symtab_free(&syms);
		return 0;
	}

	if (argc == 2)
		docs_path = argv[1];
	char dir[] = "/tmp/kmaplab-test-trace-XXXXXX";
	const char *tmp = getenv("TMPDIR");
	char dirbuf[400];
	if (tmp && *tmp) {
		snprintf(dirbuf, sizeof(dirbuf), "%s/kmaplab-test-trace-XXXXXX", tmp);
		if (!mkdtemp(dirbuf))
			return 1;
	} else {
		if (!mkdtemp(dir))
			return 1;
		snprintf(dirbuf, sizeof(dirbuf), "%s", dir);
	}
	char p1[600], p2[600];
	snprintf(p1, sizeof(p1), "%s/a.kmt", dirbuf);
	snprintf(p2, sizeof(p2), "%s/b.kmt", dirbuf);

	CHECK_EQ(write_synthetic(p1, &syms, &s), 0);
	size_t size = 0;
	uint8_t *data = slurp(p1, &size);
	CHECK(data != NULL);

	/* Counts: per kind, and the bytes are the file. */
	uint64_t kinds[5] = { 0 };
	for (size_t i = 0; i < s.n; i++)
		kinds[s.rec[i].kind]++;
	CHECK_EQ(s.counts.events, NEVENTS);
	CHECK_EQ(s.counts.flush, kinds[TRACE_FLUSH]);
	CHECK_EQ(s.counts.tlbi, kinds[TRACE_TLBI]);
	CHECK_EQ(s.counts.kmap, kinds[TRACE_KMAP]);
	CHECK_EQ(s.counts.warn, kinds[TRACE_WARN]);
	CHECK(kinds[TRACE_FLUSH] && kinds[TRACE_TLBI] && kinds[TRACE_KMAP] && kinds[TRACE_WARN]);
	CHECK_EQ(s.counts.dropped, 0);
	CHECK_EQ(s.counts.bytes, size);

	if (data) {
		/* Round trip: events written = events read back. */
		uint64_t count;
		CHECK(read_back(data, size, &s, &count, NULL, NULL) == TRACE_READ_END);
		CHECK_EQ(count, s.counts.events);
		test_header(p1, &syms);
		test_truncation(data, size, &s);
		test_corrupt(data, size, &s);
		test_options(dirbuf, &syms, data, size, &s);
		test_why(data, size);
	}

	/* Determinism: the same events give the same bytes. */
	struct synth s2;
	CHECK_EQ(write_synthetic(p2, &syms, &s2), 0);
	size_t size2 = 0;
	uint8_t *data2 = slurp(p2, &size2);
	CHECK(data && data2 && size == size2 && memcmp(data, data2, size) == 0);

	test_cpus(dirbuf);
	test_empty_and_errors(dirbuf);
	test_hazard_record(dirbuf);

	free(data);
	free(data2);
	free(s.rec);
	free(s2.rec);
	symtab_free(&syms);
	unlink(p1);
	unlink(p2);
	char e[600];
	snprintf(e, sizeof(e), "%s/empty.kmt", dirbuf);
	unlink(e);
	rmdir(dirbuf);
	return check_done();
}
