/* SPDX-License-Identifier: MIT */
/* Writing a file the user named without ever losing one (outfile.h). */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* As many links as the kernel follows in one path lookup (MAXSYMLINKS). */
#define MAX_LINK_HOPS 40
/* Room left in a 255-byte file name for ".", ".XXXXXXXX.tmp". */
#define TMP_BASE_MAX 200

/* Where a chain of symbolic links at `path` ends (the path itself if it
 * is no link, or does not exist): the file whose contents change, and
 * the directory the temporary file must be in for rename() to replace
 * it.  A dangling link ends at the name it points to, which is created. */
static char *follow_links(const char *path)
{
	char *cur = strdup(path);
	for (int hop = 0; cur && hop < MAX_LINK_HOPS; hop++) {
		struct stat st;
		char link[PATH_MAX];
		if (lstat(cur, &st) || !S_ISLNK(st.st_mode))
			return cur;
		ssize_t n = readlink(cur, link, sizeof(link) - 1);
		if (n < 0) {
			free(cur);
			return NULL;
		}
		link[n] = '\0';
		const char *slash = strrchr(cur, '/');
		char *next;
		if (link[0] == '/' || !slash) {
			next = strdup(link);
		} else { /* relative to the link's own directory */
			size_t dl = (size_t)(slash - cur) + 1;
			next = malloc(dl + (size_t)n + 1);
			if (next) {
				memcpy(next, cur, dl);
				memcpy(next + dl, link, (size_t)n + 1);
			}
		}
		free(cur);
		cur = next;
	}
	if (cur) {
		free(cur);
		errno = ELOOP;
	}
	return NULL;
}

/* A new file beside `target`, named .BASE.XXXXXXXX.tmp with a name nobody
 * else holds (O_EXCL): concurrent runs never share one, and no file of the
 * user's can be in the way.  Mode 0666 less the umask, like any new file. */
static int create_tmp(struct outfile *of)
{
	const char *slash = strrchr(of->target, '/');
	size_t dl = slash ? (size_t)(slash - of->target) + 1 : 0;
	const char *base = of->target + dl;
	size_t bl = strlen(base);
	if (bl > TMP_BASE_MAX)
		bl = TMP_BASE_MAX;
	size_t n = dl + 1 + bl + 1 + 8 + 4 + 1;
	of->tmp = malloc(n);
	if (!of->tmp)
		return -1;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t x = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_nsec ^
		     ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)of;
	for (int tries = 0; tries < 100; tries++) {
		x ^= x << 13; /* xorshift64: only the names differ, no secrecy needed */
		x ^= x >> 7;
		x ^= x << 17;
		snprintf(of->tmp, n, "%.*s.%.*s.%08x.tmp", (int)dl, of->target, (int)bl, base,
			 (unsigned)(x >> 32));
		of->fd = open(of->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
		if (of->fd >= 0 || errno != EEXIST)
			break;
	}
	if (of->fd < 0) {
		int e = errno;
		free(of->tmp);
		of->tmp = NULL;
		errno = e;
		return -1;
	}
	return 0;
}

int outfile_open(struct outfile *of, const char *path, char *err, size_t errlen)
{
	struct stat st;
	of->fd = -1;
	of->tmp = NULL;
	of->target = follow_links(path);
	if (!of->target) {
		snprintf(err, errlen, "cannot follow the symbolic link %s: %s", path, strerror(errno));
		return -1;
	}
	int exists = stat(of->target, &st) == 0;
	if (exists && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		snprintf(err, errlen, "%s is a directory", of->target);
		goto fail;
	}
	if (exists && S_ISSOCK(st.st_mode)) {
		errno = EOPNOTSUPP;
		snprintf(err, errlen, "%s is a socket (give a file, a device or a FIFO)", of->target);
		goto fail;
	}
	if (exists && !S_ISREG(st.st_mode)) {
		/* A device or a FIFO: write into it, never replace the node. */
		of->fd = open(of->target, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (of->fd < 0) {
			snprintf(err, errlen, "cannot open %s: %s", of->target, strerror(errno));
			goto fail;
		}
		return 0;
	}
	if (create_tmp(of)) {
		int e = errno;
		const char *slash = strrchr(of->target, '/');
		snprintf(err, errlen, "cannot create a file in %.*s: %s",
			 slash ? (int)(slash - of->target + (slash == of->target)) : 1,
			 slash ? of->target : ".", strerror(e));
		errno = e;
		goto fail;
	}
	if (exists) {
		/* Replacing a file keeps its permissions (and, for root, its owner). */
		if (fchown(of->fd, st.st_uid, st.st_gid)) {
			/* not root: the new file is the caller's, as any file it writes */
		}
		fchmod(of->fd, st.st_mode & 07777);
	}
	return 0;

fail: {
		int e = errno;
		free(of->target);
		of->target = NULL;
		errno = e;
	}
	return -1;
}

int outfile_check(const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *target = follow_links(path);
	if (!target) {
		snprintf(err, errlen, "cannot follow the symbolic link %s: %s", path, strerror(errno));
		return -1;
	}
	int rc = 0, e = 0;
	if (stat(target, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode) || S_ISSOCK(st.st_mode)) {
			e = S_ISDIR(st.st_mode) ? EISDIR : EOPNOTSUPP;
			snprintf(err, errlen, "%s is a %s", target, S_ISDIR(st.st_mode) ? "directory" : "socket");
		} else if (access(target, W_OK)) {
			e = errno;
			snprintf(err, errlen, "cannot write %s: %s", target, strerror(e));
		}
	} else {
		const char *slash = strrchr(target, '/');
		char *dir = slash ? strndup(target, slash == target ? 1 : (size_t)(slash - target)) : strdup(".");
		if (!dir) {
			e = ENOMEM;
			snprintf(err, errlen, "out of memory");
		} else if (access(dir, W_OK | X_OK)) {
			e = errno;
			snprintf(err, errlen, "cannot create a file in %s: %s", dir, strerror(e));
		}
		free(dir);
	}
	free(target);
	if (e) {
		errno = e;
		rc = -1;
	}
	return rc;
}

int outfile_write(struct outfile *of, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t w = write(of->fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void release(struct outfile *of)
{
	free(of->tmp);
	free(of->target);
	of->tmp = NULL;
	of->target = NULL;
	of->fd = -1;
}

int outfile_commit(struct outfile *of)
{
	int rc = 0, e = 0;
	if (close(of->fd)) {
		rc = -1;
		e = errno;
	}
	if (of->tmp) {
		if (!rc && rename(of->tmp, of->target)) {
			rc = -1;
			e = errno;
		}
		if (rc)
			unlink(of->tmp);
	}
	release(of);
	if (rc)
		errno = e ? e : EIO;
	return rc;
}

void outfile_discard(struct outfile *of)
{
	if (of->fd >= 0)
		close(of->fd);
	if (of->tmp)
		unlink(of->tmp);
	release(of);
}
