/* SPDX-License-Identifier: MIT */
/* Turning a guest exception or a Unicorn error into one line: the kind, the
 * PC as symbol+offset, the instruction, the VA and the descriptor that was
 * invalid or denied the access. */
#ifndef KMAPLAB_EMU_FAULT_H
#define KMAPLAB_EMU_FAULT_H

#include <stdint.h>
#include <unicorn/unicorn.h>

struct machine;

/* QEMU's ARM exception numbers as UC_HOOK_INTR reports them. */
enum {
	EXCP_UDEF = 1,
	EXCP_SWI = 2,
	EXCP_PREFETCH_ABORT = 3,
	EXCP_DATA_ABORT = 4,
	EXCP_BKPT = 7,
};

void fault_on_exception(struct machine *m, uint32_t intno);
void fault_on_unmapped(struct machine *m, uc_mem_type type, uint32_t va);
void fault_on_uc_error(struct machine *m, uc_err err);
/* The run ended with no error and no cause recorded: a WFI (one CPU, no
 * interrupt source: it would wait forever), or an internal error. */
void fault_on_stop(struct machine *m);

/* Disassembles the instruction at guest VA `pc` into buf ("?" if it cannot
 * be read or decoded). */
const char *fault_disasm(struct machine *m, uint32_t pc, char *buf, size_t len);

#endif
