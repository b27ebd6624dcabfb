/* SPDX-License-Identifier: MIT */
/* `kmaplab trace`'s output formats: CSV, JSON lines, Chrome/Perfetto Trace
 * Event Format, and per-operation counts (docs/trace.md says what each
 * column holds).  Events go in one at a time; the output is buffered and
 * written with write(2) to a file descriptor. */
#ifndef KMAPLAB_EMU_TRACE_CONVERT_H
#define KMAPLAB_EMU_TRACE_CONVERT_H

#include <stdint.h>

#include "trace.h"

enum trace_format { TRACE_FMT_CSV, TRACE_FMT_JSONL, TRACE_FMT_CHROME, TRACE_FMT_COUNT };

struct trace_conv;

/* Writes the format's preamble (CSV header row, Chrome's opening).  `h`
 * must outlive the converter.  NULL if out of memory. */
struct trace_conv *trace_conv_new(enum trace_format fmt, const struct trace_header *h, int fd);
void trace_conv_event(struct trace_conv *c, const struct trace_record *rec);
/* Writes what is held back and the closing (Chrome's "]}", the counts)
 * and flushes the buffer.  Returns 0, or the errno of the first failed
 * write (EPIPE included); the converter is freed either way. */
int trace_conv_finish(struct trace_conv *c);
/* 0, or the errno of the first failed write so far (a caller may stop). */
int trace_conv_error(const struct trace_conv *c);

/* Valid UTF-8 of the n bytes at s: each ill-formed sequence (its maximal
 * well-formed prefix, or one byte) becomes U+FFFD, as Python's
 * decode('utf-8', 'replace') does.  Writes at most 3n + 1 bytes to out
 * (NUL-terminated); returns the length. */
size_t trace_utf8_clean(const char *s, size_t n, char *out);

#endif
