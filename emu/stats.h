/* SPDX-License-Identifier: MIT */
/* The stats file (--stats FILE.json); keys documented in docs/stats.md. */
#ifndef KMAPLAB_EMU_STATS_H
#define KMAPLAB_EMU_STATS_H

struct machine;

/* Writes the stats of `m` to `path` (through a temporary file renamed into
 * place, so a reader never sees half a file).  `status` is the process exit
 * status.  Returns 0, or -1 with errno set. */
int stats_write(const struct machine *m, const char *path, int status);

const char *stop_reason_name(int reason);

#endif
