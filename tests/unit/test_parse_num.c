/* SPDX-License-Identifier: MIT */
/* emu/parse_num.c: what each tool accepts as a number (docs/cli.md).
 * kmaplab's options take decimal, 0x hex and 0 octal, and --ram and
 * --trace-max-bytes also K/M/G (binary: 2^10, 2^20, 2^30);
 * `kmaplab trace --cpu/--from/--to` take no suffix and no sign at all. */
#include <string.h>

#include "check.h"
#include "parse_num.h"

/* Accepted, with the value worked out by hand. */
static void ok(const char *s, unsigned flags, uint64_t want)
{
	uint64_t v = 0xdeadbeefu;
	if (!CHECK(parse_num(s, &v, flags) == 0))
		fprintf(stderr, "  refused \"%s\" (flags %u)\n", s, flags);
	CHECK_EQ(v, want);
}

static void bad(const char *s, unsigned flags)
{
	uint64_t v = 0xdeadbeefu;
	if (!CHECK(parse_num(s, &v, flags) == -1))
		fprintf(stderr, "  accepted \"%s\" (flags %u)\n", s, flags);
	CHECK_EQ(v, 0xdeadbeefu); /* untouched when refused */
}

int main(void)
{
	/* Every flag set: bases, and what is refused everywhere. */
	const unsigned all[] = { 0, PARSE_NUM_SUFFIX, PARSE_NUM_PLAIN };
	for (unsigned i = 0; i < 3; i++) {
		unsigned f = all[i];
		ok("0", f, 0);
		ok("42", f, 42);
		ok("0x10", f, 16);
		ok("010", f, 8);
		ok("18446744073709551615", f, UINT64_MAX);
		bad("", f);
		bad("-1", f);
		bad("18446744073709551616", f); /* 2^64: out of range */
		bad("12abc", f);
		bad("0x", f);
		bad("1T", f);
		bad("5 ", f);
	}
	/* The options of `kmaplab run` (flags 0): a '+' or leading space is
	 * strtoull's to accept; no suffix. */
	ok("+7", 0, 7);
	ok(" 7", 0, 7);
	bad("1K", 0);
	/* --ram, --trace-max-bytes. */
	ok("1K", PARSE_NUM_SUFFIX, 1024);
	ok("896M", PARSE_NUM_SUFFIX, 896ull * 1024 * 1024);
	ok("1g", PARSE_NUM_SUFFIX, 1ull << 30);
	ok("0x10k", PARSE_NUM_SUFFIX, 16 * 1024);
	ok("+2M", PARSE_NUM_SUFFIX, 2u << 20);
	ok("17179869183G", PARSE_NUM_SUFFIX, 17179869183ull << 30); /* 2^34 - 1 GiB: fits */
	bad("17179869184G", PARSE_NUM_SUFFIX); /* 2^34 GiB = 2^64: does not */
	bad("1KB", PARSE_NUM_SUFFIX);
	bad("K", PARSE_NUM_SUFFIX);
	/* kmaplab trace --cpu/--from/--to. */
	bad("+7", PARSE_NUM_PLAIN);
	bad(" 7", PARSE_NUM_PLAIN);
	bad("1K", PARSE_NUM_PLAIN);
	return check_done();
}
