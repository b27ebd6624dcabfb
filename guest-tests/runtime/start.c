/* SPDX-License-Identifier: MIT */
/* C start-up for kmaplab guests: heap limit, newlib's console handles,
 * constructors, argv from the command line, then exit(main(...)). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmaplab/semihost.h"

extern int main(int argc, char **argv);
extern void initialise_monitor_handles(void);
extern void __libc_init_array(void);
/* librdimon's _sbrk honours this limit (0xcafedead: none known). */
extern uint32_t __heap_limit;

void __kmaplab_start(void) __attribute__((noreturn));

#define MAX_ARGS 32
static char cmdline[1024];
static char *argv_buf[MAX_ARGS + 1];

static int parse_cmdline(void)
{
	uint32_t block[2] = { (uint32_t)(uintptr_t)cmdline, sizeof(cmdline) };
	int argc = 0;
	if (kmaplab_semihost(SEMIHOST_SYS_GET_CMDLINE, block) != 0)
		return 0;
	for (char *p = cmdline; *p && argc < MAX_ARGS;) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		argv_buf[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	argv_buf[argc] = NULL;
	return argc;
}

void __kmaplab_start(void)
{
	uint32_t info[4];
	uint32_t block[1] = { (uint32_t)(uintptr_t)info };
	if (kmaplab_semihost(SEMIHOST_SYS_HEAPINFO, block) == 0)
		__heap_limit = info[1];
	initialise_monitor_handles();
	__libc_init_array();
	int argc = parse_cmdline();
	exit(main(argc, argv_buf));
}
