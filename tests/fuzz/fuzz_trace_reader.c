/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the trace reader (emu/trace.c) and everything
 * `kmaplab trace` does with what it reads -- filters and all four output
 * formats -- on arbitrary bytes.  Checks the reader's own promises: it
 * never returns a record of an unknown kind, a complete trace's end count
 * equals the records read, and its UTF-8 cleaning always gives valid
 * UTF-8. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"
#include "trace_convert.h"
#include "trace_filter.h"

#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

/* Strict UTF-8 check (Unicode Table 3-7). */
static int valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char b = s[i];
		size_t len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3
			     : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
		if (!len || i + len > n)
			return 0;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		if ((b == 0xe0 && s[i + 1] < 0xa0) || (b == 0xed && s[i + 1] > 0x9f) ||
		    (b == 0xf0 && s[i + 1] < 0x90) || (b == 0xf4 && s[i + 1] > 0x8f))
			return 0;
		i += len;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int devnull = -1;
	if (devnull < 0)
		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	char *clean = malloc(3 * size + 1);
	size_t n = trace_utf8_clean((const char *)data, size, clean);
	REQUIRE(n <= 3 * size && clean[n] == 0 && valid_utf8((unsigned char *)clean, n));
	free(clean);

	char err[400];
	struct trace_reader *r = trace_reader_open_memory(data, size, "fuzz", err, sizeof(err));
	if (!r)
		return 0;
	const struct trace_header *h = trace_reader_header(r);
	struct trace_conv *conv[4];
	for (int f = 0; f < 4; f++)
		conv[f] = trace_conv_new((enum trace_format)f, h, devnull);
	/* A filter of every kind, built against this header. */
	struct trace_filter filt;
	trace_filter_init(&filt);
	(void)trace_filter_ops(&filt, h, "kmap,flush_tlb_kernel_range,tlbi.TLBIMVA,WARN", err,
			       sizeof(err));
	if (h->syms.n)
		(void)trace_filter_pc(&filt, h, h->syms.syms[0].name, err, sizeof(err));
	filt.from = 10;

	struct trace_record *rec = malloc(sizeof(*rec));
	enum trace_read_status st;
	uint64_t count = 0;
	while ((st = trace_read(r, rec)) == TRACE_READ_RECORD) {
		REQUIRE(rec->kind >= TRACE_FLUSH && rec->kind < TRACE_NKINDS);
		REQUIRE(strlen(rec->msg) <= TRACE_WARN_MAX);
		count++;
		(void)trace_filter_match(&filt, h, rec);
		for (int f = 0; f < 4; f++)
			if (conv[f])
				trace_conv_event(conv[f], rec);
	}
	REQUIRE(trace_reader_events(r) == count);
	if (st == TRACE_READ_END)
		REQUIRE(trace_reader_end_count(r) == count);
	if (st == TRACE_READ_CORRUPT)
		REQUIRE(trace_reader_why(r)[0] != 0);
	REQUIRE(trace_read(r, rec) == st); /* sticky */
	for (int f = 0; f < 4; f++)
		if (conv[f])
			trace_conv_finish(conv[f]);
	trace_filter_free(&filt);
	free(rec);
	trace_reader_close(r);
	return 0;
}
