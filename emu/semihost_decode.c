/* SPDX-License-Identifier: MIT */
/* Semihosting argument decoding (emu/semihost_decode.h).  The block
 * layouts are those of "Semihosting for AArch32 and AArch64" (ARM DUI
 * 0958): each call's words, in order. */
#include "semihost_decode.h"

#include <stdlib.h>
#include <string.h>

/* Words of the parameter block per operation, and which word holds a
 * name's address and which its length (-1: no name). */
struct layout {
	uint32_t op;
	unsigned nw;
	int name, len;
};

static const struct layout layouts[] = {
	{ SYS_OPEN, 3, 0, 2 },        /* name, mode, length */
	{ SYS_CLOSE, 1, -1, -1 },     /* handle */
	{ SYS_WRITEC, 0, -1, -1 },    /* r1 points at the character */
	{ SYS_WRITE0, 0, -1, -1 },    /* r1 points at a string, read as it is written */
	{ SYS_WRITE, 3, -1, -1 },     /* handle, buffer, length */
	{ SYS_READ, 3, -1, -1 },      /* handle, buffer, length */
	{ SYS_READC, 0, -1, -1 },
	{ SYS_ISERROR, 1, -1, -1 },   /* status */
	{ SYS_ISTTY, 1, -1, -1 },     /* handle */
	{ SYS_SEEK, 2, -1, -1 },      /* handle, position */
	{ SYS_FLEN, 1, -1, -1 },      /* handle */
	{ SYS_TMPNAM, 0, -1, -1 },    /* refused, not decoded */
	{ SYS_REMOVE, 2, 0, 1 },      /* name, length */
	{ SYS_RENAME, 0, -1, -1 },    /* refused, not decoded */
	{ SYS_CLOCK, 0, -1, -1 },
	{ SYS_TIME, 0, -1, -1 },
	{ SYS_SYSTEM, 0, -1, -1 },    /* refused, not decoded */
	{ SYS_ERRNO, 0, -1, -1 },
	{ SYS_GET_CMDLINE, 2, -1, -1 }, /* buffer, size */
	{ SYS_HEAPINFO, 1, -1, -1 },  /* where the four words go */
	{ SYS_EXIT, 0, -1, -1 },      /* r1 is the reason */
	{ SYS_EXIT_EXTENDED, 2, -1, -1 }, /* reason, subcode */
	{ SYS_ELAPSED, 0, -1, -1 },   /* r1: where the 64-bit count goes */
	{ SYS_TICKFREQ, 0, -1, -1 },
};

static const struct layout *layout_of(uint32_t op)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].op == op)
			return &layouts[i];
	return NULL;
}

/* The name at va, len bytes: NULL if unreadable, too long or with a NUL
 * inside (which would hide part of it from the host's checks). */
static char *read_name(const struct guest_mem *mem, uint32_t va, uint32_t len)
{
	if (len > SH_NAME_MAX)
		return NULL;
	char *s = malloc((size_t)len + 1);
	if (!s || (len && mem->read(mem->ctx, va, s, len))) {
		free(s);
		return NULL;
	}
	s[len] = '\0';
	if (strlen(s) != len) {
		free(s);
		return NULL;
	}
	return s;
}

enum semihost_decode_status semihost_decode(uint32_t r0, uint32_t r1, const struct guest_mem *mem,
					    struct semihost_req *req)
{
	memset(req, 0, sizeof(*req));
	req->op = r0;
	req->r1 = r1;
	const struct layout *l = layout_of(r0);
	if (!l)
		return SH_UNKNOWN;
	if (r0 == SYS_WRITEC && mem->read(mem->ctx, r1, &req->ch, 1))
		return SH_BAD_BLOCK;
	req->nw = l->nw;
	if (l->nw && mem->read(mem->ctx, r1, req->w, l->nw * 4))
		return SH_BAD_BLOCK;
	if (l->name >= 0) {
		req->name_len = req->w[l->len];
		req->name = read_name(mem, req->w[l->name], req->name_len);
		if (!req->name)
			return SH_BAD_NAME;
	}
	return SH_DECODED;
}

void semihost_req_free(struct semihost_req *req)
{
	free(req->name);
	req->name = NULL;
}
