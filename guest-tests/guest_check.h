/* SPDX-License-Identifier: MIT */
/* CHECK() for guest test programs: on failure print the line, the
 * condition and a printf-style explanation, then exit(1), so the test
 * driver sees a non-zero status and the reason on stdout. */
#ifndef KMAPLAB_GUEST_CHECK_H
#define KMAPLAB_GUEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond, ...)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			printf("FAIL line %d: %s: ", __LINE__, #cond);          \
			printf(__VA_ARGS__);                                    \
			printf("\n");                                           \
			fflush(stdout);                                         \
			exit(1);                                                \
		}                                                               \
	} while (0)

#endif
