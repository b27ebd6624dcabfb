/* SPDX-License-Identifier: MIT */
/* `kmaplab trace FILE ...`: converts a --trace file (docs/trace.md). */
#ifndef KMAPLAB_EMU_TRACE_CMD_H
#define KMAPLAB_EMU_TRACE_CMD_H

/* argv[0] is "trace".  Returns the exit status (docs/trace.md). */
int trace_cmd(int argc, char **argv);

#endif
