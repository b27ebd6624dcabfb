/* SPDX-License-Identifier: MIT */
/* The one way kmaplab writes a file the user named (--stats, --trace).
 *
 * A regular file (or a new one) is written to a unique temporary file in
 * the target's own directory and renamed over the target only when it is
 * complete: a failed or interrupted write leaves the old file untouched,
 * two runs writing the same PATH each rename a whole file (the last one to
 * finish wins), and no fixed name such as PATH.tmp is ever created or
 * destroyed.  A symbolic link is followed: its target gets the result and
 * the link stays.  A character or block device or a FIFO (/dev/null,
 * /dev/full, a pipe someone reads) is written directly, never replaced;
 * a directory or a socket is refused.  docs/cli.md ("Output files"). */
#ifndef KMAPLAB_EMU_OUTFILE_H
#define KMAPLAB_EMU_OUTFILE_H

#include <stddef.h>

struct outfile {
	int fd;       /* where the bytes go: the temporary file, or the device */
	char *target; /* the file that gets the result (a symlink's target) */
	char *tmp;    /* the temporary file, renamed to target at commit; NULL when writing directly */
};

/* Opens for writing.  On failure returns -1 with errno set and a one-line
 * reason in err ("cannot create ... in DIR: ..."); nothing is left behind. */
int outfile_open(struct outfile *of, const char *path, char *err, size_t errlen);

/* Checks, without creating anything, that outfile_open(path) could
 * succeed (the target is no directory or socket; a new or regular file's
 * directory exists and is writable; a device or FIFO is writable), so that
 * a long run is not made only to fail at its end.  0, or -1 with errno and
 * a one-line reason in err. */
int outfile_check(const char *path, char *err, size_t errlen);

/* Writes all of buf (retrying short writes); -1 with errno on failure. */
int outfile_write(struct outfile *of, const void *buf, size_t len);

/* Closes and, for a temporary file, renames it over the target.  On any
 * failure the temporary file is removed and -1 returned with errno set
 * (the target is then as it was). */
int outfile_commit(struct outfile *of);

/* Closes and removes the temporary file: the target stays as it was. */
void outfile_discard(struct outfile *of);

#endif
