/* SPDX-License-Identifier: MIT */
/* The AArch64 guest runtime's memcpy, memmove and memset
 * (guest-tests/runtime/string_a64.S, which kmaplab-cc links into every
 * AArch64 guest), checked byte by byte against what each call must leave,
 * and their instruction counts against a count worked out by hand.
 *
 *   memcpy   every size 0..300 from every source offset 0..15 to every
 *            destination offset 0..15 (mod 16: the routine aligns the
 *            source to 16 bytes): the copied bytes, and 64 bytes either
 *            side left alone;
 *   memmove  every size 0..300, source offsets 0..15, the destination
 *            1..17, 31..33, 63..65 bytes above and below the source
 *            (overlapping: the copy must run backwards when the
 *            destination is above) and exactly n and n + 1 away (touching,
 *            not overlapping);
 *   memset   every size 0..300 at every offset 0..15, values 0x00, 0xff,
 *            0x5a, 0x1a5 and -128 (the byte stored is (unsigned char)c:
 *            0xa5 and 0x80);
 *   count    instructions (the PMU's INST_RETIRED, event 0x08, docs/pmu.md)
 *            of a page-aligned 4 KiB memcpy, memset and memmove, against
 *            the counts below.
 *
 * What a call must leave is computed from the buffer's pattern (source
 * byte i is pattern(i)), not by another copy: a loop over the buffer
 * compares it with the expected bytes (8 at a time, then one by one).
 *
 * usage: a64_string memcpy|memmove|memset|count */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define MAXN 300
#define MARGIN 64
/* Buffer sizes rounded up to 8 bytes, the unit restore() writes. */
#define ROUND8(n) (((n) + 7) & ~7)

typedef void *(*copy_fn)(void *, const void *, size_t);
typedef void *(*set_fn)(void *, int, size_t);

/* Called through volatile pointers, so GCC can neither inline its builtin
 * copies nor assume the result: the runtime's code runs every time. */
static copy_fn volatile do_memcpy = memcpy;
static copy_fn volatile do_memmove = memmove;
static set_fn volatile do_memset = memset;

/* Source bytes: 7 bits, different for every offset below 128 and for i and
 * i + 128 (37 is odd); guard bytes have bit 7 set, so a stray store of any
 * source byte into a guard is seen. */
static uint8_t pattern(size_t i)
{
	return (uint8_t)((i * 37 + (i >> 7) * 5) & 0x7f);
}

static uint8_t guard(size_t i)
{
	return (uint8_t)(0x80 | (i & 0x7f));
}

/* The first i < n where a[i] != b[i], or n: 8 bytes at a time (loads need
 * no alignment: SCTLR_EL1.A is 0, emu/machine_a64.c), then bytes. */
static size_t first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x, y;
		__builtin_memcpy(&x, a + i, 8);
		__builtin_memcpy(&y, b + i, 8);
		if (x != y)
			break;
	}
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* Checks buf[from..to) against want[0..to - from); on a difference, fails
 * naming the call, fn(buf + d, buf + s, n), and the byte. */
static void check_range(const char *fn, size_t d, size_t s, size_t n, const uint8_t *buf, size_t from, size_t to,
			const uint8_t *want)
{
	size_t i = from + first_diff(buf + from, want, to - from);
	CHECK(i == to, "%s(dst offset %zu, src offset %zu, n %zu): byte %zu is 0x%02x, want 0x%02x", fn, d, s, n, i, buf[i],
	      want[i - from]);
}

/* buf[from..to) = ref[from..to), widened to 8-byte words (buf and ref are
 * 64-byte aligned, their sizes multiples of 8), through a volatile pointer: GCC would make a plain
 * copy loop a call to the memcpy under test. */
static void restore(uint8_t *buf, const uint8_t *ref, size_t from, size_t to)
{
	for (size_t i = from & ~(size_t)7; i < to; i += 8) {
		uint64_t w;
		__builtin_memcpy(&w, ref + i, 8);
		*(volatile uint64_t *)(void *)(buf + i) = w;
	}
}

/* ---- memcpy ---- */

static uint8_t cpy_src[16 + MAXN] __attribute__((aligned(64)));
static uint8_t cpy_dst[ROUND8(16 + MAXN + MARGIN)] __attribute__((aligned(64)));
static uint8_t cpy_guard[sizeof(cpy_dst)] __attribute__((aligned(64)));

/* memcpy(dst + da, src + sa, n): dst[da..da + n) is src[sa..sa + n), the
 * guard bytes below it and MARGIN beyond it are as they were. */
static void one_memcpy(size_t da, size_t sa, size_t n)
{
	void *r = do_memcpy(cpy_dst + da, cpy_src + sa, n);
	CHECK(r == cpy_dst + da, "memcpy(dst + %zu, src + %zu, %zu) returned %p, not dst", da, sa, n, r);
	check_range("memcpy", da, sa, n, cpy_dst, 0, da, cpy_guard);
	check_range("memcpy", da, sa, n, cpy_dst, da, da + n, cpy_src + sa);
	check_range("memcpy", da, sa, n, cpy_dst, da + n, da + n + MARGIN, cpy_guard + da + n);
	restore(cpy_dst, cpy_guard, da, da + n);
}

static unsigned test_memcpy(void)
{
	unsigned calls = 0;
	for (size_t i = 0; i < sizeof(cpy_src); i++)
		cpy_src[i] = pattern(i);
	for (size_t i = 0; i < sizeof(cpy_dst); i++)
		cpy_dst[i] = cpy_guard[i] = guard(i);
	for (size_t n = 0; n <= MAXN; n++) {
		for (size_t sa = 0; sa < 16; sa++) {
			for (size_t da = 0; da < 16; da++) {
				one_memcpy(da, sa, n);
				calls++;
			}
		}
	}
	check_range("after all: memcpy", 0, 0, 0, cpy_dst, 0, sizeof(cpy_dst), cpy_guard);
	return calls;
}

/* ---- memmove ---- */

/* The source at BASE + 0..15; destinations up to MAXN + 1 below and above
 * it, with MARGIN checked beyond. */
#define BASE (MARGIN + MAXN + 1 + 16)
static uint8_t mov_buf[ROUND8(BASE + 16 + 2 * MAXN + 1 + MARGIN)] __attribute__((aligned(64)));
static uint8_t mov_pat[sizeof(mov_buf)] __attribute__((aligned(64)));

/* One memmove(buf + d, buf + s, n) on a buffer that holds pattern(i)
 * everywhere: afterwards byte i in [d, d + n) is the one that was at
 * i - d + s, every other byte is as it was (checked to MARGIN bytes
 * beyond both ranges); then the pattern is put back. */
static void one_memmove(size_t d, size_t s, size_t n)
{
	void *r = do_memmove(mov_buf + d, mov_buf + s, n);
	CHECK(r == mov_buf + d, "memmove(buf + %zu, buf + %zu, %zu) returned %p, not dst", d, s, n, r);
	size_t lo = (d < s ? d : s) - MARGIN, hi = (d > s ? d : s) + n + MARGIN;
	check_range("memmove", d, s, n, mov_buf, lo, d, mov_pat + lo);
	check_range("memmove", d, s, n, mov_buf, d, d + n, mov_pat + s);
	check_range("memmove", d, s, n, mov_buf, d + n, hi, mov_pat + d + n);
	restore(mov_buf, mov_pat, d, d + n);
}

static unsigned test_memmove(void)
{
	static const unsigned near[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 31, 32, 33, 63, 64, 65 };
	unsigned calls = 0;
	for (size_t i = 0; i < sizeof(mov_buf); i++)
		mov_buf[i] = mov_pat[i] = pattern(i);
	for (size_t n = 0; n <= MAXN; n++) {
		for (size_t sa = 0; sa < 16; sa++) {
			size_t s = BASE + sa;
			for (size_t k = 0; k < sizeof(near) / sizeof(near[0]); k++) {
				one_memmove(s + near[k], s, n); /* above: backwards */
				one_memmove(s - near[k], s, n); /* below: forwards */
				calls += 2;
			}
			one_memmove(s + n, s, n); /* adjacent, no overlap */
			one_memmove(s - n, s, n);
			one_memmove(s + n + 1, s, n);
			one_memmove(s - n - 1, s, n);
			one_memmove(s, s, n); /* onto itself */
			calls += 5;
		}
	}
	check_range("after all: memmove", 0, 0, 0, mov_buf, 0, sizeof(mov_buf), mov_pat);
	return calls;
}

/* ---- memset ---- */

/* Guard bytes 0x10..0x4f: none of the values stored. */
static uint8_t set_guard(size_t i)
{
	return (uint8_t)(0x10 + i % 64);
}

static uint8_t set_buf[16 + MAXN + MARGIN] __attribute__((aligned(64)));

static unsigned test_memset(void)
{
	static const int values[] = { 0x00, 0xff, 0x5a, 0x1a5, -128 };
	unsigned calls = 0;
	for (size_t i = 0; i < sizeof(set_buf); i++)
		set_buf[i] = set_guard(i);
	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		uint8_t byte = (uint8_t)values[v];
		for (size_t n = 0; n <= MAXN; n++) {
			for (size_t da = 0; da < 16; da++) {
				void *r = do_memset(set_buf + da, values[v], n);
				CHECK(r == set_buf + da, "memset(buf + %zu, %d, %zu) returned %p, not buf", da, values[v], n,
				      r);
				for (size_t i = 0; i < da + n + MARGIN; i++) {
					uint8_t want = i >= da && i < da + n ? byte : set_guard(i);
					CHECK(set_buf[i] == want, "memset(buf + %zu, %d, %zu): buf[%zu] = 0x%02x, want 0x%02x",
					      da, values[v], n, i, set_buf[i], want);
				}
				for (size_t i = da; i < da + n; i++)
					set_buf[i] = set_guard(i);
				calls++;
			}
		}
	}
	return calls;
}

/* ---- count ---- */

/* A function of one instruction, to check the measurement itself. */
void *a64_string_null(void *, const void *, size_t);
__asm__(".text\n"
	".global a64_string_null\n"
	".type a64_string_null, %function\n"
	"a64_string_null:\n\t"
	"ret\n"
	".size a64_string_null, . - a64_string_null\n");

/* INST_RETIRED across one call fn(a, b, n).  kmaplab counts a translated
 * block's instructions when the block starts (docs/pmu.md), so the first
 * MRS reads a count that already holds its own block up to and including
 * the BLR, and the second reads one that holds its block: the MRS and the
 * B that ends it.  The difference is therefore the instructions fn ran
 * (its RET included) + 2. */
#define HARNESS 2
static uint64_t insns_of(void *fn, void *a, const void *b, size_t n)
{
	uint64_t before, after;
	__asm__ volatile("mov x0, %[a]\n\t"
			 "mov x1, %[b]\n\t"
			 "mov x2, %[n]\n\t"
			 "mrs %[before], pmevcntr0_el0\n\t"
			 "blr %[fn]\n\t"
			 "mrs %[after], pmevcntr0_el0\n\t"
			 "b 1f\n"
			 "1:"
			 : [before] "=&r"(before), [after] "=r"(after)
			 : [a] "r"(a), [b] "r"(b), [n] "r"(n), [fn] "r"(fn)
			 : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
			   "x15", "x16", "x17", "x18", "x30", "cc", "memory");
	return after - before;
}

static uint8_t cnt_buf[3 * PAGE_SIZE] __attribute__((aligned(4096)));

/* Instruction counts by hand, from string_a64.S's paths for n = 4096 with
 * 16-byte aligned pointers (page-aligned here):
 *
 * memcpy:  mov, cmp, b.lo (not taken), neg, ands (0: src aligned),
 *          b.eq (taken), subs (4096 - 64 = 4032), b.lo (not taken)   8
 *          loop, 10 each (4 LDP, 4 STP, subs, b.hs): it repeats while
 *          4032 - 64k >= 0, so k = 1..63 go round and the 64th falls
 *          through                                             64 x 10 = 640
 *          x2 = -64: bits 5..0 clear, so every tail test skips:
 *          tbz #5, tbz #4, tbz #3, tbz #2, tbz #1, tbz #0              6
 *          ret                                                         1
 *                                                                    655
 * memset:  mov, and, orr, orr, orr (the byte in all 8), cmp, b.lo,
 *          add (end), neg, ands (0), b.eq (taken), subs, b.lo         13
 *          loop, 6 each (4 STP, subs, b.hs)                    64 x 6 = 384
 *          tbz #5, tbz #4, ands (0), b.eq (taken), ret                  5
 *                                                                    402
 * memmove, dst 64 above src (overlapping, backwards):
 *          sub (64), cmp (64 < 4096), b.hs (not taken), add, add, cmp,
 *          b.lo, ands (src end aligned: 0), b.eq (taken), subs, b.lo  11
 *          loop, 10 each, 64 times as memcpy's                        640
 *          tbz x 6, ret                                                 7
 *                                                                    658
 * memmove, dst 64 below src (forwards): sub, cmp (2^64 - 64 >= 4096),
 *          b.hs (taken) to __memcpy                                     3
 *          then memcpy's                                              655
 *                                                                    658
 * a64_string_null: ret                                                 1 */
#define N_MEMCPY 655
#define N_MEMSET 402
#define N_MEMMOVE 658
#define N_NULL 1

#define SYSREG_W(name, v) __asm__ volatile("msr " name ", %0\n\tisb" : : "r"((uint64_t)(v)) : "memory")

static void check_count(const char *what, uint64_t got, uint64_t body)
{
	printf("%s: %llu instructions, %llu + %d by hand\n", what, (unsigned long long)got, (unsigned long long)body,
	       HARNESS);
	CHECK(got == body + HARNESS, "%s: measured %llu, worked out %llu", what, (unsigned long long)got,
	      (unsigned long long)(body + HARNESS));
}

static void test_count(void)
{
	SYSREG_W("pmevtyper0_el0", 0x08); /* INST_RETIRED */
	SYSREG_W("pmcntenset_el0", 1);
	SYSREG_W("pmcr_el0", 1 | 2); /* E, reset the event counters */
	uint8_t *p0 = cnt_buf, *p1 = cnt_buf + PAGE_SIZE;
	for (size_t i = 0; i < PAGE_SIZE; i++)
		p0[i] = pattern(i);
	check_count("null", insns_of((void *)a64_string_null, p1, p0, PAGE_SIZE), N_NULL);
	check_count("memcpy 4096", insns_of((void *)memcpy, p1, p0, PAGE_SIZE), N_MEMCPY);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		CHECK(p1[i] == pattern(i), "memcpy 4096: byte %zu", i);
	check_count("memset 4096", insns_of((void *)memset, p1, (const void *)0x5a, PAGE_SIZE), N_MEMSET);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		CHECK(p1[i] == 0x5a, "memset 4096: byte %zu", i);
	check_count("memmove 4096 up", insns_of((void *)memmove, p0 + 64, p0, PAGE_SIZE), N_MEMMOVE);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		CHECK(p0[64 + i] == pattern(i), "memmove 4096 up: byte %zu", i);
	check_count("memmove 4096 down", insns_of((void *)memmove, p0, p0 + 64, PAGE_SIZE), N_MEMMOVE);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		CHECK(p0[i] == pattern(i), "memmove 4096 down: byte %zu", i);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "memcpy"))
		printf("a64 string memcpy ok: %u calls\n", test_memcpy());
	else if (!strcmp(mode, "memmove"))
		printf("a64 string memmove ok: %u calls\n", test_memmove());
	else if (!strcmp(mode, "memset"))
		printf("a64 string memset ok: %u calls\n", test_memset());
	else if (!strcmp(mode, "count")) {
		test_count();
		printf("a64 string count ok\n");
	} else {
		printf("usage: a64_string memcpy|memmove|memset|count\n");
		return 2;
	}
	return 0;
}
