/* SPDX-License-Identifier: MIT */
/* The smallest guest: printf through newlib's semihosting, exit 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	char *heap = malloc(1 << 20); /* newlib's heap, from SYS_HEAPINFO */
	if (!heap)
		return 2;
	memset(heap, 0x5a, 1 << 20);
	printf("Hello from kmaplab: %d argument%s, running at %p\n", argc, argc == 1 ? "" : "s",
	       (void *)main);
	for (int i = 0; i < argc; i++)
		printf("argv[%d] = %s\n", i, argv[i]);
	free(heap);
	return 0;
}
