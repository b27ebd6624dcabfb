/* SPDX-License-Identifier: MIT */
/* Decoding an ARM semihosting call from the guest's registers and memory:
 * r0 the operation, r1 its parameter block (or its one value), the words
 * of the block and the file name some calls point to.  The guest's memory
 * is reached through a reader, so this needs no Unicorn: emu/semihost.c
 * passes one over the machine, the fuzz target one over its input. */
#ifndef KMAPLAB_EMU_SEMIHOST_DECODE_H
#define KMAPLAB_EMU_SEMIHOST_DECODE_H

#include <stdint.h>

/* Guest virtual memory: read returns 0, or -1 if some byte does not
 * translate. */
struct guest_mem {
	int (*read)(void *ctx, uint32_t va, void *buf, uint32_t len);
	void *ctx;
};

#define SH_MAX_WORDS 3
#define SH_NAME_MAX 4096 /* PATH_MAX: a longer name is refused */

struct semihost_req {
	uint32_t op;       /* r0 */
	uint32_t r1;       /* the block's address, or the value (SYS_EXIT, SYS_WRITE0...) */
	uint32_t w[SH_MAX_WORDS]; /* the block's words the operation takes */
	unsigned nw;
	char *name;        /* SYS_OPEN, SYS_REMOVE: the name, NUL-free (NULL if bad) */
	uint32_t name_len;
	uint8_t ch;        /* SYS_WRITEC: the character */
};

enum semihost_decode_status {
	SH_DECODED,   /* *req is complete */
	SH_BAD_BLOCK, /* the parameter block (or SYS_WRITEC's byte) is unreadable */
	SH_BAD_NAME,  /* the name is unreadable, too long or has a NUL inside */
	SH_UNKNOWN,   /* not an operation kmaplab serves */
};

/* Fills *req (free it with semihost_req_free() whatever the status). */
enum semihost_decode_status semihost_decode(uint32_t r0, uint32_t r1, const struct guest_mem *mem,
					    struct semihost_req *req);
void semihost_req_free(struct semihost_req *req);

/* The semihosting operation numbers kmaplab serves. */
#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITEC 0x03
#define SYS_WRITE0 0x04
#define SYS_WRITE 0x05
#define SYS_READ 0x06
#define SYS_READC 0x07
#define SYS_ISERROR 0x08
#define SYS_ISTTY 0x09
#define SYS_SEEK 0x0a
#define SYS_FLEN 0x0c
#define SYS_TMPNAM 0x0d
#define SYS_REMOVE 0x0e
#define SYS_RENAME 0x0f
#define SYS_CLOCK 0x10
#define SYS_TIME 0x11
#define SYS_SYSTEM 0x12
#define SYS_ERRNO 0x13
#define SYS_GET_CMDLINE 0x15
#define SYS_HEAPINFO 0x16
#define SYS_EXIT 0x18
#define SYS_EXIT_EXTENDED 0x20
#define SYS_ELAPSED 0x30
#define SYS_TICKFREQ 0x31

#endif
