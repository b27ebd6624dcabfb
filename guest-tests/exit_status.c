/* SPDX-License-Identifier: MIT */
/* Exits with the status given as its first argument (default 42), to check
 * that the guest's status becomes kmaplab's; "abort" calls abort() and
 * "assert" fails an assert() (which prints and calls abort()). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "abort"))
		abort();
	if (argc > 1 && !strcmp(argv[1], "assert"))
		assert(argc == 1);
	exit(argc > 1 ? atoi(argv[1]) : 42);
}
