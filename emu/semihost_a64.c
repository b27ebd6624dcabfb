/* SPDX-License-Identifier: MIT */
/* ARM semihosting for AArch64 guests (picolibc's `--oslib=semihost`):
 * `hlt #0xf000`, operation in w0, argument (often a block of 64-bit words)
 * in x1, result in x0.  Served on the host because Unicorn compiles
 * semihosting out.  Console only: the AArch64 machine gives no file access
 * (--semihosting-root is refused for it).  The ARM32 side (semihost.c) is
 * written around 32-bit words and the ARM32 machine; this is its 64-bit
 * counterpart with the same operation numbers and exit rules. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "machine_a64.h"

enum {
	SYS_OPEN = 0x01, SYS_CLOSE = 0x02, SYS_WRITEC = 0x03, SYS_WRITE0 = 0x04, SYS_WRITE = 0x05,
	SYS_READ = 0x06, SYS_ISTTY = 0x09, SYS_SEEK = 0x0a, SYS_FLEN = 0x0c, SYS_CLOCK = 0x10,
	SYS_TIME = 0x11, SYS_ERRNO = 0x13, SYS_GET_CMDLINE = 0x15, SYS_HEAPINFO = 0x16,
	SYS_EXIT = 0x18, SYS_EXIT_EXTENDED = 0x20,
};
#define ADP_Stopped_ApplicationExit 0x20026u
/* picolibc (1.8, semihost/sys_exit.c) reports exit(status != 0) as this
 * reason with the status as subcode. */
#define ADP_Stopped_RunTimeErrorUnknown 0x20023u
/* Console handles: ":tt" opened for reading is stdin, for writing stdout,
 * for appending stderr (the open mode numbers of the semihosting spec). */
enum { H_STDIN = 1, H_STDOUT = 2, H_STDERR = 3 };

static int args(struct a64_machine *m, uint64_t block, uint64_t *a, unsigned n)
{
	return a64_guest_read(m, block, a, 8ull * n);
}

static FILE *console(uint64_t h)
{
	return h == H_STDOUT ? stdout : h == H_STDERR ? stderr : NULL;
}

static uint64_t sys_open(struct a64_machine *m, uint64_t block)
{
	uint64_t a[3];
	char name[8] = { 0 };
	if (args(m, block, a, 3) || a[2] >= sizeof(name) || a64_guest_read(m, a[0], name, a[2]))
		return UINT64_MAX;
	if (strcmp(name, ":tt") != 0) {
		m->sh_errno = EACCES; /* no file access on this machine */
		return UINT64_MAX;
	}
	return a[1] < 4 ? H_STDIN : a[1] < 8 ? H_STDOUT : H_STDERR;
}

static uint64_t sys_write(struct a64_machine *m, uint64_t block)
{
	uint64_t a[3];
	if (args(m, block, a, 3))
		return UINT64_MAX;
	FILE *f = console(a[0]);
	if (!f) {
		m->sh_errno = EBADF;
		return a[2];
	}
	char buf[512];
	for (uint64_t done = 0; done < a[2];) {
		uint64_t n = a[2] - done < sizeof(buf) ? a[2] - done : sizeof(buf);
		if (a64_guest_read(m, a[1] + done, buf, n))
			return a[2] - done;
		fwrite(buf, 1, n, f);
		done += n;
	}
	return 0; /* bytes not written */
}

static uint64_t sys_get_cmdline(struct a64_machine *m, uint64_t block)
{
	uint64_t a[2];
	if (args(m, block, a, 2))
		return UINT64_MAX;
	char line[1024];
	size_t n = 0;
	/* picolibc's crt0 names the program itself (argv[0]) and parses the
	 * arguments from this line. */
	for (int i = 1; i < m->opt.guest_argc; i++) {
		size_t l = strlen(m->opt.guest_argv[i]);
		if (n + l + 2 > sizeof(line) || n + l + 2 > a[1])
			return UINT64_MAX;
		if (n)
			line[n++] = ' ';
		memcpy(line + n, m->opt.guest_argv[i], l);
		n += l;
	}
	line[n] = '\0';
	uint64_t len = n;
	if (a64_guest_write(m, a[0], line, n + 1) || a64_guest_write(m, block + 8, &len, 8))
		return UINT64_MAX;
	return 0;
}

static void sys_exit(struct a64_machine *m, uint64_t x1)
{
	/* On AArch64 both exits take a block {reason, subcode} (the spec's
	 * 64-bit rule; SYS_EXIT's bare-reason form is 32-bit only). */
	uint64_t a[2];
	if (args(m, x1, a, 2)) {
		a64_stop(m, STOP_BAD_CALL, "SYS_EXIT: parameter block at 0x%016llx unreadable", (unsigned long long)x1);
		return;
	}
	if (a[0] != ADP_Stopped_ApplicationExit && a[0] != ADP_Stopped_RunTimeErrorUnknown) {
		a64_stop(m, STOP_BAD_CALL, "guest stopped with semihosting exception 0x%llx (subcode %llu)",
			 (unsigned long long)a[0], (unsigned long long)a[1]);
		return;
	}
	m->exit_code = (int)(a[1] & 0xff);
	a64_stop(m, STOP_EXIT, "guest exited with status %d", m->exit_code);
}

void a64_semihost_call(struct a64_machine *m)
{
	uint64_t op = a64_reg(m, UC_ARM64_REG_X0) & 0xffffffffu;
	uint64_t x1 = a64_reg(m, UC_ARM64_REG_X1);
	uint64_t ret = 0, a[3];
	/* Modelled time: 1 instruction = 1 ns at the machine's 1 GHz, so
	 * guests see the same clock on every host. */
	uint64_t cs = m->insns / 10000000u;
	char c;
	switch (op) {
	case SYS_OPEN: ret = sys_open(m, x1); break;
	case SYS_CLOSE: ret = 0; break;
	case SYS_WRITEC:
		if (!a64_guest_read(m, x1, &c, 1))
			fputc(c, stdout);
		break;
	case SYS_WRITE0:
		for (uint64_t va = x1; !a64_guest_read(m, va, &c, 1) && c; va++)
			fputc(c, stdout);
		break;
	case SYS_WRITE: ret = sys_write(m, x1); break;
	case SYS_READ: ret = args(m, x1, a, 3) ? UINT64_MAX : a[2]; break; /* EOF: nothing read */
	case SYS_ISTTY: ret = args(m, x1, a, 1) ? 0 : a[0] >= H_STDIN && a[0] <= H_STDERR; break;
	case SYS_SEEK: m->sh_errno = ESPIPE; ret = UINT64_MAX; break;
	case SYS_FLEN: ret = 0; break;
	case SYS_CLOCK: ret = cs; break;
	case SYS_TIME: ret = cs / 100; break;
	case SYS_ERRNO: ret = (uint64_t)m->sh_errno; break;
	case SYS_GET_CMDLINE: ret = sys_get_cmdline(m, x1); break;
	case SYS_EXIT:
	case SYS_EXIT_EXTENDED: sys_exit(m, x1); return;
	default: {
		char sym[160];
		a64_stop(m, STOP_BAD_CALL, "unknown semihosting operation 0x%llx at %s", (unsigned long long)op,
			 a64_symbolize(m, a64_reg(m, UC_ARM64_REG_PC), sym, sizeof(sym)));
		return;
	}
	}
	a64_set_reg(m, UC_ARM64_REG_X0, ret);
}
