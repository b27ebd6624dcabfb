/* SPDX-License-Identifier: MIT */
/* ARM semihosting (the "Angel" interface newlib's rdimon uses), served on
 * the host because Unicorn compiles it out.  Guests see only the console,
 * unless a --semihosting-root directory is given: then files inside it. */
#ifndef KMAPLAB_EMU_SEMIHOST_H
#define KMAPLAB_EMU_SEMIHOST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SEMIHOST_MAX_FILES 32

struct semihost_file {
	bool used;
	int fd;              /* host fd, or -1 for the features pseudo-file */
	uint32_t pos;        /* for the features pseudo-file */
};

struct semihost {
	int rootfd;          /* -1: no file access */
	char *root;          /* realpath of the root */
	int last_errno;      /* for SYS_ERRNO */
	unsigned said;       /* kinds of refusal already explained on stderr */
	struct semihost_file files[SEMIHOST_MAX_FILES];
};

struct machine;

int semihost_init(struct semihost *sh, const char *root, char *err, size_t errlen);
void semihost_free(struct semihost *sh);

/* Serves the call in r0/r1 of the guest; sets r0.  Stops the machine on
 * exit or on a malformed call. */
void semihost_call(struct machine *m);

#endif
