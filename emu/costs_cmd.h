/* SPDX-License-Identifier: MIT */
/* `kmaplab costs [--core NAME] [--costs FILE]` (emu/costs_cmd.c). */
#ifndef KMAPLAB_EMU_COSTS_CMD_H
#define KMAPLAB_EMU_COSTS_CMD_H

/* argv[0] is "costs".  Returns the exit status. */
int cmd_costs(int argc, char **argv);

#endif
