/* SPDX-License-Identifier: MIT */
/* Exits with the status given as its first argument (default 42), to check
 * that the guest's status becomes kmaplab's. */
#include <stdlib.h>

int main(int argc, char **argv)
{
	exit(argc > 1 ? atoi(argv[1]) : 42);
}
