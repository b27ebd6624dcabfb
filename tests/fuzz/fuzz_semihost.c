/* SPDX-License-Identifier: MIT */
/* libFuzzer target: semihosting argument decoding (emu/semihost_decode.c)
 * as a hostile guest would pass it.  The input is r0 (byte 0 picks one of
 * the served operations or, from 0xf0, a raw number), r1 (4 bytes) and the
 * guest's memory: the rest of the input mapped at MEM_BASE, everything
 * else unreadable.  The decoded request must keep its promises: a name is
 * exactly name_len bytes with no NUL, no longer than SH_NAME_MAX, and was
 * readable in guest memory. */
#include <stdint.h>
#include <string.h>

#include "semihost_decode.h"

#define MEM_BASE 0xc0100000u

#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

struct image {
	const uint8_t *p;
	size_t n;
};

static int img_read(void *ctx, uint32_t va, void *buf, uint32_t len)
{
	const struct image *im = ctx;
	uint64_t off = (uint64_t)va - MEM_BASE;
	if (va < MEM_BASE || off + len > im->n)
		return -1;
	memcpy(buf, im->p + off, len);
	return 0;
}

static const uint32_t ops[] = {
	SYS_OPEN, SYS_CLOSE, SYS_WRITEC, SYS_WRITE0, SYS_WRITE, SYS_READ, SYS_READC, SYS_ISERROR,
	SYS_ISTTY, SYS_SEEK, SYS_FLEN, SYS_TMPNAM, SYS_REMOVE, SYS_RENAME, SYS_CLOCK, SYS_TIME,
	SYS_SYSTEM, SYS_ERRNO, SYS_GET_CMDLINE, SYS_HEAPINFO, SYS_EXIT, SYS_EXIT_EXTENDED,
	SYS_ELAPSED, SYS_TICKFREQ,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 5)
		return 0;
	uint32_t r0 = data[0] < 0xf0 ? ops[data[0] % (sizeof(ops) / sizeof(ops[0]))]
				     : (uint32_t)data[0] << 8 | data[1];
	uint32_t r1 = (uint32_t)data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16 |
		      (uint32_t)data[4] << 24;
	/* Most blocks inside the image, so that decoding goes past them. */
	if (!(data[4] & 0x80))
		r1 = MEM_BASE + (r1 & 0xffff);
	struct image im = { data + 5, size - 5 };
	const struct guest_mem mem = { img_read, &im };
	struct semihost_req rq;
	enum semihost_decode_status st = semihost_decode(r0, r1, &mem, &rq);
	REQUIRE(rq.op == r0 && rq.r1 == r1 && rq.nw <= SH_MAX_WORDS);
	if (st == SH_DECODED && (r0 == SYS_OPEN || r0 == SYS_REMOVE)) {
		REQUIRE(rq.name != NULL);
		REQUIRE(strlen(rq.name) == rq.name_len && rq.name_len <= SH_NAME_MAX);
		uint32_t at = rq.w[0]; /* both take the name first */
		if (rq.name_len) {
			uint8_t check[SH_NAME_MAX];
			REQUIRE(img_read(&im, at, check, rq.name_len) == 0);
			REQUIRE(memcmp(check, rq.name, rq.name_len) == 0);
		}
	}
	if (st != SH_DECODED && st != SH_BAD_NAME)
		REQUIRE(rq.name == NULL);
	semihost_req_free(&rq);
	return 0;
}
