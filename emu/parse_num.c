/* SPDX-License-Identifier: MIT */
/* Whole numbers from the command line (see parse_num.h). */
#include "parse_num.h"

#include <errno.h>
#include <stdlib.h>

int parse_num(const char *s, uint64_t *out, unsigned flags)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	/* strtoull would negate "-1" into a huge number rather than fail. */
	if (errno || end == s || *s == '-')
		return -1;
	if ((flags & PARSE_NUM_PLAIN) && (*s == '+' || *s == ' '))
		return -1;
	unsigned shift = 0;
	if (flags & PARSE_NUM_SUFFIX) {
		switch (*end) {
		case 'G': case 'g': shift = 30; end++; break;
		case 'M': case 'm': shift = 20; end++; break;
		case 'K': case 'k': shift = 10; end++; break;
		default: break;
		}
	}
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}
