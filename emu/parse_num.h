/* SPDX-License-Identifier: MIT */
/* Whole numbers from the command line, for kmaplab's own options and
 * `kmaplab trace`'s: one strtoull-based parser, with what each tool has
 * always accepted kept apart by flags (docs/cli.md). */
#ifndef KMAPLAB_EMU_PARSE_NUM_H
#define KMAPLAB_EMU_PARSE_NUM_H

#include <stdint.h>

/* K, M or G (either case) after the number multiplies it by 2^10, 2^20,
 * 2^30 (--ram, --trace-max-bytes). */
#define PARSE_NUM_SUFFIX 1u
/* Refuse a leading '+' or space (`kmaplab trace --cpu/--from/--to`). */
#define PARSE_NUM_PLAIN  2u

/* Decimal, 0x hex or 0 octal (strtoull base 0) into *out; 0, or -1 for
 * anything else: empty, a leading '-', trailing characters, out of range. */
int parse_num(const char *s, uint64_t *out, unsigned flags);

#endif
