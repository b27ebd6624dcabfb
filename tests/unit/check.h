/* SPDX-License-Identifier: MIT */
/* A minimal test harness for host unit tests: CHECK() records a failure with
 * its location and goes on; check_done() prints "N passed, N failed" and
 * returns the exit status. */
#ifndef KMAPLAB_TESTS_CHECK_H
#define KMAPLAB_TESTS_CHECK_H

#include <stdio.h>

static unsigned check_passed, check_failed;

#define CHECK(cond) check_one((cond), #cond, __FILE__, __LINE__)
#define CHECK_EQ(a, b) check_eq((unsigned long long)(a), (unsigned long long)(b), #a " == " #b, __FILE__, __LINE__)

static inline int check_one(int ok, const char *what, const char *file, int line)
{
	if (ok)
		check_passed++;
	else {
		check_failed++;
		fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	}
	return ok;
}

static inline int check_eq(unsigned long long a, unsigned long long b, const char *what,
			   const char *file, int line)
{
	if (a == b)
		check_passed++;
	else {
		check_failed++;
		fprintf(stderr, "%s:%d: check failed: %s (0x%llx != 0x%llx)\n", file, line, what, a, b);
	}
	return a == b;
}

static inline int check_done(void)
{
	printf("%u passed, %u failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
