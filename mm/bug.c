/* SPDX-License-Identifier: MIT */
/* BUG(), WARN() and would-sleep reports (see bug.h). */
#include "bug.h"

#include <stdarg.h>
#include <stdio.h>

#include "highmem.h"

static void report(struct kmap_state *ks, enum kmap_status st, const char *prefix,
		   const char *fmt, va_list ap)
{
	if (ks->status != KMAP_RUNNING)
		return; /* BUG() does not return: the first report is the one */
	ks->status = st;
	int n = snprintf(ks->message, sizeof(ks->message), "%s", prefix);
	if (n < 0 || (size_t)n >= sizeof(ks->message))
		return;
	vsnprintf(ks->message + n, sizeof(ks->message) - (size_t)n, fmt, ap);
	/* One line: a message may quote guest data. */
	for (char *p = ks->message; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

void kmap_bug(struct kmap_state *ks, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(ks, KMAP_BUG, "kernel BUG: ", fmt, ap);
	va_end(ap);
}

void kmap_would_sleep(struct kmap_state *ks, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(ks, KMAP_WOULD_SLEEP, "would sleep forever: ", fmt, ap);
	va_end(ap);
}

void kmap_warn(struct kmap_state *ks, const char *fmt, ...)
{
	char line[sizeof(ks->last_warning)];
	va_list ap;
	va_start(ap, fmt);
	int n = snprintf(line, sizeof(line), "WARNING: ");
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	snprintf(ks->last_warning, sizeof(ks->last_warning), "%s", line);
	ks->stats.warnings++;
	if (ks->trace && ks->trace->warn)
		ks->trace->warn(ks->trace_arg, line);
}

bool kmap_stopped(const struct kmap_state *ks)
{
	return ks->status != KMAP_RUNNING;
}

enum kmap_status kmap_status(const struct kmap_state *ks)
{
	return ks->status;
}

const char *kmap_status_message(const struct kmap_state *ks)
{
	return ks->message;
}

void kmap_resume(struct kmap_state *ks)
{
	if (ks->status == KMAP_WOULD_SLEEP) {
		ks->status = KMAP_RUNNING;
		ks->message[0] = '\0';
	}
}
