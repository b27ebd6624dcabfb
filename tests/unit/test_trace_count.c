/* SPDX-License-Identifier: MIT */
/* `kmaplab trace --count` names each operation from the trace header's
 * tables, and an operation number a table does not have (a newer writer's)
 * as PREFIX<number>: flush_op_, TLBI_, kmap_op_, hazard_ (docs/trace.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "trace_convert.h"

static char *flush_names[] = { "flush_tlb_all" };
static char *kmap_names[] = { "kmap" };
static char *tlbi_names[] = { "TLBIALL" };

static struct trace_record rec(enum trace_kind k, uint32_t op)
{
	struct trace_record r;
	memset(&r, 0, sizeof(r));
	r.kind = k;
	switch (k) {
	case TRACE_FLUSH: r.u.flush.op = op; break;
	case TRACE_TLBI: r.u.tlbi.op = (enum tlbi_op)op; break;
	case TRACE_KMAP: r.u.kmap.op = op; break;
	case TRACE_HAZARD: r.u.hazard.kind = op; break;
	default: break;
	}
	return r;
}

static bool has_line(const char *out, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = out; (p = strstr(p, line)) != NULL; p++)
		if ((p == out || p[-1] == '\n') && p[n] == '\n')
			return true;
	fprintf(stderr, "no line \"%s\" in:\n%s", line, out);
	return false;
}

int main(void)
{
	struct trace_header h;
	memset(&h, 0, sizeof(h));
	h.version = 2;
	h.flush_ops = flush_names;
	h.nflush_ops = 1;
	h.kmap_ops = kmap_names;
	h.nkmap_ops = 1;
	h.tlbi_ops = tlbi_names;
	h.ntlbi_ops = 1;
	FILE *f = tmpfile();
	CHECK(f != NULL);
	if (!f)
		return check_done();
	struct trace_conv *c = trace_conv_new(TRACE_FMT_COUNT, &h, fileno(f));
	CHECK(c != NULL);
	const struct trace_record evs[] = {
		rec(TRACE_FLUSH, 0), rec(TRACE_FLUSH, 5), rec(TRACE_FLUSH, 5),
		rec(TRACE_TLBI, 0), rec(TRACE_TLBI, 7),
		rec(TRACE_KMAP, 0), rec(TRACE_KMAP, 3),
		rec(TRACE_HAZARD, 1), rec(TRACE_HAZARD, 9),
	};
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		trace_conv_event(c, &evs[i]);
	CHECK_EQ(trace_conv_finish(c), 0);
	char out[4096];
	size_t n = (size_t)pread(fileno(f), out, sizeof(out) - 1, 0);
	out[n < sizeof(out) ? n : 0] = 0;
	fclose(f);
	CHECK(has_line(out, "events=9"));
	CHECK(has_line(out, "flush.flush_tlb_all=1"));
	CHECK(has_line(out, "flush.flush_op_5=2"));
	CHECK(has_line(out, "tlbi.TLBIALL=1"));
	CHECK(has_line(out, "tlbi.TLBI_7=1"));
	CHECK(has_line(out, "kmap.kmap=1"));
	CHECK(has_line(out, "kmap.kmap_op_3=1"));
	CHECK(has_line(out, "hazard.barrier=1")); /* the reader's own name for kind 1 */
	CHECK(has_line(out, "hazard.hazard_9=1"));
	return check_done();
}
