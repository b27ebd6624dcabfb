/* SPDX-License-Identifier: MIT */
/* ARM semihosting v2 ("Semihosting for AArch32 and AArch64", ARM DUI 0958
 * / the Angel interface), enough for newlib's rdimon: console I/O, exit
 * with a status (SYS_EXIT_EXTENDED, advertised through the
 * ":semihosting-features" pseudo-file), the heap, time and the command
 * line.  Files: only stdin/stdout/stderr unless --semihosting-root DIR,
 * then only regular files inside DIR. */
#include "semihost.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "machine.h"
#include "semihost_decode.h"

#define ADP_Stopped_ApplicationExit 0x20026u
#define ADP_Stopped_RunTimeError 0x20023u
/* SIGABRT as newlib numbers it (sys/signal.h), the subcode _kill() passes. */
#define SIGABRT_NUMBER 6u

/* Guest handles 1..3 are the console; files get SEMIHOST_FD_BASE + slot. */
#define FD_STDIN 1
#define FD_STDOUT 2
#define FD_STDERR 3
#define SEMIHOST_FD_BASE 4

/* The modelled clock: SYS_CLOCK and SYS_TIME come from cycles, not from the
 * host, so that runs are deterministic.  ASSUMPTION: 1 GHz nominal clock. */
#define MODEL_HZ 1000000000ull

/* "SHFB" magic and feature byte 0: EXIT_EXTENDED | STDOUT_STDERR. */
static const uint8_t features[] = { 'S', 'H', 'F', 'B', 0x03 };
#define FEATURES_NAME ":semihosting-features"

int semihost_init(struct semihost *sh, const char *root, char *err, size_t errlen)
{
	memset(sh, 0, sizeof(*sh));
	sh->rootfd = -1;
	if (!root)
		return 0;
	sh->root = realpath(root, NULL);
	if (!sh->root) {
		snprintf(err, errlen, "--semihosting-root %s: %s", root, strerror(errno));
		return -1;
	}
	sh->rootfd = open(sh->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sh->rootfd < 0) {
		snprintf(err, errlen, "--semihosting-root %s: %s", root, strerror(errno));
		return -1;
	}
	return 0;
}

void semihost_free(struct semihost *sh)
{
	for (int i = 0; i < SEMIHOST_MAX_FILES; i++)
		if (sh->files[i].used && sh->files[i].fd >= 0)
			close(sh->files[i].fd);
	if (sh->rootfd >= 0)
		close(sh->rootfd);
	free(sh->root);
	memset(sh, 0, sizeof(*sh));
	sh->rootfd = -1;
}

/* The guest's memory for semihost_decode(). */
static int mem_read(void *ctx, uint32_t va, void *buf, uint32_t len)
{
	return guest_read(ctx, va, buf, len);
}

/* Why a file operation was refused.  Each kind is explained on stderr once
 * per run (a guest that probes many names gets one line, not one each);
 * the guest sees the errno. */
enum refusal {
	REFUSE_NO_ROOT,      /* no --semihosting-root */
	REFUSE_NAME,         /* absolute, empty, or with a ".." component */
	REFUSE_OUTSIDE,      /* resolves (through a symlink) outside the root */
	REFUSE_NOT_REGULAR,  /* a directory, FIFO, device or symlink */
	REFUSE_MODE,         /* not an fopen mode (0..11) */
	REFUSE_TOO_MANY,     /* SEMIHOST_MAX_FILES already open */
	REFUSE_CALL,         /* SYS_RENAME, SYS_TMPNAM, SYS_SYSTEM */
};

static void refuse(struct machine *m, enum refusal why, const char *op, const char *name, int err)
{
	static const char *const reason[] = {
		[REFUSE_NO_ROOT] = "no --semihosting-root was given, so the guest has the console only",
		[REFUSE_NAME] = "only names relative to --semihosting-root without '..' are allowed",
		[REFUSE_OUTSIDE] = "it resolves to a place outside --semihosting-root",
		[REFUSE_NOT_REGULAR] = "only regular files are opened or removed (not directories, FIFOs, devices or symlinks)",
		[REFUSE_MODE] = "the mode is not one of fopen's (0..11)",
		[REFUSE_TOO_MANY] = "too many files are open (at most 32)",
		[REFUSE_CALL] = "the guest may not rename files, make temporary names or run commands",
	};
	m->sh.last_errno = err;
	if (m->sh.said & (1u << why))
		return;
	m->sh.said |= 1u << why;
	fflush(stdout);
	fprintf(stderr, "kmaplab: semihosting: refused %s%s%s%s: %s (%s; said once per kind of refusal)\n", op,
		name ? " '" : "", name ? name : "", name ? "'" : "", reason[why], strerror(err));
}

/* A name inside the root: relative, no "..", and no symlink out of it once
 * resolved.  Returns 0 if the name may be used, or the refusal. */
static int check_sandbox(struct semihost *sh, const char *name, bool creating, enum refusal *why)
{
	*why = REFUSE_NAME;
	if (!*name || name[0] == '/')
		return -1;
	for (const char *p = name; *p;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -1;
		p += n + (slash ? 1 : 0);
	}
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", sh->root, name) >= sizeof(path))
		return -1;
	*why = REFUSE_OUTSIDE;
	char *real = realpath(path, NULL);
	if (!real && creating && errno == ENOENT) {
		/* A new file: its directory must resolve inside the root. */
		char *slash = strrchr(path, '/');
		*slash = '\0';
		real = realpath(path, NULL);
	}
	if (!real)
		return errno == ENOENT ? 1 : -1; /* 1: not there, the host's own answer */
	size_t rl = strlen(sh->root);
	int ok = strncmp(real, sh->root, rl) == 0 && (real[rl] == '/' || real[rl] == '\0');
	free(real);
	return ok ? 0 : -1;
}

/* Opens a regular file only: O_NONBLOCK so that a FIFO cannot block the
 * run, O_NOFOLLOW so that a symlink named last is refused. */
static int open_regular(struct machine *m, const char *name, int flags, enum refusal *why)
{
	struct semihost *sh = &m->sh;
	int fd = openat(sh->rootfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0644);
	*why = REFUSE_NOT_REGULAR;
	if (fd < 0) {
		if (errno == ELOOP || errno == EISDIR || errno == ENXIO)
			return -2;
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = S_ISDIR(st.st_mode) ? EISDIR : EACCES;
		return -2;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

static int alloc_slot(struct semihost *sh)
{
	for (int i = 0; i < SEMIHOST_MAX_FILES; i++)
		if (!sh->files[i].used)
			return i;
	return -1;
}

static struct semihost_file *file_of(struct semihost *sh, uint32_t handle)
{
	if (handle < SEMIHOST_FD_BASE || handle >= SEMIHOST_FD_BASE + SEMIHOST_MAX_FILES)
		return NULL;
	struct semihost_file *f = &sh->files[handle - SEMIHOST_FD_BASE];
	return f->used ? f : NULL;
}

static uint32_t sys_open(struct machine *m, const struct semihost_req *rq)
{
	struct semihost *sh = &m->sh;
	const char *name = rq->name;
	uint32_t mode = rq->w[1];
	uint32_t ret = UINT32_MAX;
	if (strcmp(name, ":tt") == 0) {
		ret = mode < 4 ? FD_STDIN : mode < 8 ? FD_STDOUT : FD_STDERR;
	} else if (strcmp(name, FEATURES_NAME) == 0) {
		int slot = alloc_slot(sh);
		if (slot >= 0) {
			sh->files[slot] = (struct semihost_file){ .used = true, .fd = -1, .pos = 0 };
			ret = SEMIHOST_FD_BASE + (uint32_t)slot;
		} else {
			sh->last_errno = EMFILE;
		}
	} else if (sh->rootfd < 0) {
		refuse(m, REFUSE_NO_ROOT, "to open", name, EACCES);
	} else if (mode > 11) {
		refuse(m, REFUSE_MODE, "to open", name, EINVAL);
	} else {
		/* fopen modes r, rb, r+, r+b, w, wb, w+, w+b, a, ab, a+, a+b */
		static const int flags[] = { O_RDONLY, O_RDONLY, O_RDWR, O_RDWR,
					     O_WRONLY | O_CREAT | O_TRUNC, O_WRONLY | O_CREAT | O_TRUNC,
					     O_RDWR | O_CREAT | O_TRUNC, O_RDWR | O_CREAT | O_TRUNC,
					     O_WRONLY | O_CREAT | O_APPEND, O_WRONLY | O_CREAT | O_APPEND,
					     O_RDWR | O_CREAT | O_APPEND, O_RDWR | O_CREAT | O_APPEND };
		int slot = alloc_slot(sh);
		enum refusal why;
		int in;
		if (slot < 0) {
			refuse(m, REFUSE_TOO_MANY, "to open", name, EMFILE);
		} else if ((in = check_sandbox(sh, name, flags[mode] & O_CREAT, &why)) < 0) {
			refuse(m, why, "to open", name, EACCES);
		} else if (in > 0) {
			sh->last_errno = ENOENT;
		} else {
			int fd = open_regular(m, name, flags[mode], &why);
			if (fd == -2) {
				refuse(m, why, "to open", name, errno);
			} else if (fd < 0) {
				sh->last_errno = errno;
			} else {
				sh->files[slot] = (struct semihost_file){ .used = true, .fd = fd };
				ret = SEMIHOST_FD_BASE + (uint32_t)slot;
			}
		}
	}
	return ret;
}

static uint32_t sys_close(struct machine *m, const struct semihost_req *rq)
{
	uint32_t h = rq->w[0];
	if (h >= FD_STDIN && h <= FD_STDERR)
		return 0;
	struct semihost_file *f = file_of(&m->sh, h);
	if (!f) {
		m->sh.last_errno = EBADF;
		return UINT32_MAX;
	}
	if (f->fd >= 0)
		close(f->fd);
	f->used = false;
	return 0;
}

/* Returns the number of bytes NOT written, as the interface wants. */
static uint32_t sys_write(struct machine *m, const struct semihost_req *rq)
{
	uint32_t h = rq->w[0], va = rq->w[1], len = rq->w[2], done = 0;
	struct semihost_file *f = file_of(&m->sh, h);
	int fd = h == FD_STDOUT ? 1 : h == FD_STDERR ? 2 : (f && f->fd >= 0) ? f->fd : -1;
	if (fd < 0) {
		m->sh.last_errno = EBADF;
		return len;
	}
	if (fd == 1)
		fflush(stdout);
	char buf[4096];
	while (done < len) {
		uint32_t n = len - done < sizeof(buf) ? len - done : (uint32_t)sizeof(buf);
		if (guest_read(m, va + done, buf, n))
			break;
		ssize_t w = write(fd, buf, n);
		if (w <= 0) {
			m->sh.last_errno = errno;
			break;
		}
		done += (uint32_t)w;
	}
	return len - done;
}

static uint32_t sys_read(struct machine *m, const struct semihost_req *rq)
{
	uint32_t h = rq->w[0], va = rq->w[1], len = rq->w[2], done = 0;
	struct semihost_file *f = file_of(&m->sh, h);
	char buf[4096];
	while (done < len) {
		uint32_t want = len - done < sizeof(buf) ? len - done : (uint32_t)sizeof(buf);
		ssize_t n;
		if (f && f->fd < 0) { /* the features pseudo-file */
			uint32_t left = f->pos < sizeof(features) ? (uint32_t)sizeof(features) - f->pos : 0;
			n = want < left ? want : left;
			memcpy(buf, features + f->pos, (size_t)n);
			f->pos += (uint32_t)n;
		} else {
			int fd = h == FD_STDIN ? 0 : f ? f->fd : -1;
			if (fd < 0) {
				m->sh.last_errno = EBADF;
				return len;
			}
			n = read(fd, buf, want);
		}
		if (n <= 0)
			break;
		if (guest_write(m, va + done, buf, (uint32_t)n))
			break;
		done += (uint32_t)n;
		if (h == FD_STDIN)
			break; /* a console read returns what one line gave */
	}
	return len - done;
}

static uint32_t sys_seek(struct machine *m, const struct semihost_req *rq)
{
	const uint32_t *a = rq->w;
	struct semihost_file *f = file_of(&m->sh, a[0]);
	if (!f) {
		m->sh.last_errno = EBADF;
		return UINT32_MAX;
	}
	if (f->fd < 0) {
		f->pos = a[1];
		return 0;
	}
	return lseek(f->fd, a[1], SEEK_SET) < 0 ? UINT32_MAX : 0;
}

static uint32_t sys_flen(struct machine *m, const struct semihost_req *rq)
{
	uint32_t h = rq->w[0];
	struct semihost_file *f = file_of(&m->sh, h);
	if (!f) {
		m->sh.last_errno = EBADF;
		return UINT32_MAX;
	}
	if (f->fd < 0)
		return sizeof(features);
	struct stat st;
	return fstat(f->fd, &st) ? UINT32_MAX : (uint32_t)st.st_size;
}

static uint32_t sys_remove(struct machine *m, const struct semihost_req *rq)
{
	const char *name = rq->name;
	uint32_t ret = UINT32_MAX;
	enum refusal why;
	struct stat st;
	int in;
	if (!name)
		m->sh.last_errno = EFAULT;
	else if (m->sh.rootfd < 0)
		refuse(m, REFUSE_NO_ROOT, "to remove", name, EACCES);
	else if ((in = check_sandbox(&m->sh, name, false, &why)) < 0)
		refuse(m, why, "to remove", name, EACCES);
	else if (in > 0)
		m->sh.last_errno = ENOENT;
	else if (fstatat(m->sh.rootfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode))
		refuse(m, REFUSE_NOT_REGULAR, "to remove", name, S_ISDIR(st.st_mode) ? EISDIR : EACCES);
	else if (unlinkat(m->sh.rootfd, name, 0))
		m->sh.last_errno = errno;
	else
		ret = 0;
	return ret;
}

static uint32_t sys_get_cmdline(struct machine *m, const struct semihost_req *rq)
{
	const uint32_t *a = rq->w;
	uint32_t block = rq->r1;
	char line[1024];
	size_t n = 0;
	for (int i = 0; i < m->opt.guest_argc; i++) {
		size_t l = strlen(m->opt.guest_argv[i]);
		if (n + l + 2 > sizeof(line) || n + l + 1 > a[1])
			return UINT32_MAX;
		if (i)
			line[n++] = ' ';
		memcpy(line + n, m->opt.guest_argv[i], l);
		n += l;
	}
	line[n] = '\0';
	uint32_t len = (uint32_t)n;
	if (guest_write(m, a[0], line, len + 1) || guest_write(m, block + 4, &len, 4))
		return UINT32_MAX;
	return 0;
}

static uint32_t sys_heapinfo(struct machine *m, const struct semihost_req *rq)
{
	uint32_t ptr = rq->w[0];
	const struct boot_mem *b = &m->mm.boot;
	const struct kernel_layout *l = &m->mm.layout;
	uint32_t info[4] = { __va(l, b->heap_start), __va(l, b->heap_end), __va(l, b->stack_top),
			     __va(l, b->stack_base) };
	return guest_write(m, ptr, info, sizeof(info)) ? UINT32_MAX : 0;
}

/* The reason codes of SYS_EXIT (ARM semihosting specification, "Exception
 * type" ADP_Stopped_*), for a readable message. */
static const char *adp_name(uint32_t reason)
{
	static const char *const hw[] = { "ADP_Stopped_BranchThroughZero", "ADP_Stopped_UndefinedInstr",
					  "ADP_Stopped_SoftwareInterrupt", "ADP_Stopped_PrefetchAbort",
					  "ADP_Stopped_DataAbort", "ADP_Stopped_AddressException",
					  "ADP_Stopped_IRQ", "ADP_Stopped_FIQ" };
	static const char *const sw[] = { "ADP_Stopped_BreakPoint", "ADP_Stopped_WatchPoint",
					  "ADP_Stopped_StepComplete", "ADP_Stopped_RunTimeErrorUnknown",
					  "ADP_Stopped_InternalError", "ADP_Stopped_UserInterruption",
					  "ADP_Stopped_ApplicationExit", "ADP_Stopped_StackOverflow",
					  "ADP_Stopped_DivisionByZero", "ADP_Stopped_OSSpecific" };
	if (reason >= 0x20000u && reason < 0x20000u + 8)
		return hw[reason - 0x20000u];
	if (reason >= 0x20020u && reason < 0x20020u + 10)
		return sw[reason - 0x20020u];
	return NULL;
}

static void sys_exit(struct machine *m, const struct semihost_req *rq, bool extended)
{
	uint32_t reason = rq->r1, code = 0;
	if (extended) {
		reason = rq->w[0];
		code = rq->w[1];
	}
	if (reason == ADP_Stopped_RunTimeError && extended && code == SIGABRT_NUMBER) {
		/* newlib's _kill(pid, SIGABRT), which abort() (and a failed
		 * assert(), after its message) ends in. */
		machine_stop(m, STOP_FAULT, "the guest called abort() (semihosting ADP_Stopped_RunTimeError, signal %u)",
			     code);
		return;
	}
	if (reason != ADP_Stopped_ApplicationExit) {
		machine_stop(m, STOP_BAD_CALL, "guest stopped with semihosting exception 0x%x%s%s%s (subcode %u)",
			     reason, adp_name(reason) ? " (" : "", adp_name(reason) ? adp_name(reason) : "",
			     adp_name(reason) ? ")" : "", code);
		return;
	}
	m->exit_code = (int)(code & 0xff);
	machine_stop(m, STOP_EXIT, "guest exited with status %d", m->exit_code);
}

/* A call whose parameter block or name could not be read: what each
 * operation answers (the run stops only for SYS_EXIT_EXTENDED). */
static void bad_args(struct machine *m, const struct semihost_req *rq,
		     enum semihost_decode_status ds)
{
	uint32_t ret = UINT32_MAX;
	if (ds == SH_BAD_NAME) {
		m->sh.last_errno = rq->op == SYS_OPEN ? EFAULT : EACCES;
	} else if (rq->op == SYS_EXIT_EXTENDED) {
		machine_stop(m, STOP_BAD_CALL, "SYS_EXIT_EXTENDED: parameter block at 0x%08x unreadable",
			     rq->r1);
		return;
	} else if (rq->op == SYS_ISERROR || rq->op == SYS_ISTTY || rq->op == SYS_WRITEC) {
		ret = 0;
	}
	guest_set_reg(m, UC_ARM_REG_R0, ret);
}

void semihost_call(struct machine *m)
{
	uint32_t op = guest_reg(m, UC_ARM_REG_R0);
	uint32_t r1 = guest_reg(m, UC_ARM_REG_R1);
	const struct guest_mem mem = { mem_read, m };
	struct semihost_req rq;
	enum semihost_decode_status ds = semihost_decode(op, r1, &mem, &rq);
	if (ds == SH_BAD_BLOCK || ds == SH_BAD_NAME) {
		bad_args(m, &rq, ds);
		semihost_req_free(&rq);
		return;
	}
	uint32_t ret = 0;
	uint64_t cs = m->mm.stats.cycles / (MODEL_HZ / 100);
	char c;
	switch (op) {
	case SYS_OPEN: ret = sys_open(m, &rq); break;
	case SYS_CLOSE: ret = sys_close(m, &rq); break;
	case SYS_WRITEC:
		fflush(stdout);
		(void)!write(1, &rq.ch, 1);
		break;
	case SYS_WRITE0:
		fflush(stdout);
		for (uint32_t va = r1; !guest_read(m, va, &c, 1) && c; va++)
			(void)!write(1, &c, 1);
		break;
	case SYS_WRITE: ret = sys_write(m, &rq); break;
	case SYS_READ: ret = sys_read(m, &rq); break;
	case SYS_READC: {
		unsigned char ch;
		ret = read(0, &ch, 1) == 1 ? ch : UINT32_MAX;
		break;
	}
	case SYS_ISERROR: ret = (int32_t)rq.w[0] < 0; break;
	case SYS_ISTTY: ret = rq.w[0] >= FD_STDIN && rq.w[0] <= FD_STDERR; break;
	case SYS_SEEK: ret = sys_seek(m, &rq); break;
	case SYS_FLEN: ret = sys_flen(m, &rq); break;
	case SYS_REMOVE: ret = sys_remove(m, &rq); break;
	case SYS_CLOCK: ret = (uint32_t)cs; break;
	case SYS_TIME: ret = (uint32_t)(cs / 100); break; /* seconds since the modelled boot */
	case SYS_ERRNO: ret = (uint32_t)m->sh.last_errno; break;
	case SYS_GET_CMDLINE: ret = sys_get_cmdline(m, &rq); break;
	case SYS_HEAPINFO: ret = sys_heapinfo(m, &rq); break;
	case SYS_EXIT: sys_exit(m, &rq, false); goto out;
	case SYS_EXIT_EXTENDED: sys_exit(m, &rq, true); goto out;
	case SYS_ELAPSED: {
		uint64_t t = m->mm.stats.cycles;
		ret = guest_write(m, r1, &t, 8) ? UINT32_MAX : 0;
		break;
	}
	case SYS_TICKFREQ: ret = (uint32_t)MODEL_HZ; break;
	case SYS_TMPNAM:
	case SYS_RENAME:
	case SYS_SYSTEM:
		/* nothing outside the sandbox, no shell */
		refuse(m, REFUSE_CALL, op == SYS_RENAME ? "SYS_RENAME" : op == SYS_TMPNAM ? "SYS_TMPNAM" : "SYS_SYSTEM",
		       NULL, EACCES);
		ret = UINT32_MAX;
		break;
	default: {
		char sym[128];
		machine_stop(m, STOP_BAD_CALL, "unknown semihosting call 0x%x at %s", op,
			     machine_symbolize(m, guest_reg(m, UC_ARM_REG_PC), sym, sizeof(sym)));
		goto out;
	}
	}
	guest_set_reg(m, UC_ARM_REG_R0, ret);
out:
	semihost_req_free(&rq);
}
