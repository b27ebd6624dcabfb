/* SPDX-License-Identifier: MIT */
/* `kmaplab run --trace FILE` on the AArch64 machine: the trace format's
 * version 3 (docs/trace.md: 64-bit addresses, the arm64 kernel's own name
 * tables), written through the one writer of emu/trace.c.  Records:
 *   flush  each flush_tlb_kernel_range / flush_tlb_all of the modelled
 *          kernel, its cause the hypercall it ran in;
 *   kmap   each __set_fixmap() (set_fixmap, set_fixmap_io, clear_fixmap,
 *          also inside early_ioremap, text poke and __create_pgd_mapping)
 *          and each kmap-family call (kmap = page_address), early_ioremap,
 *          early_iounmap, text poke, __create_pgd_mapping, page allocator;
 *   tlbi   each TLBI, DSB and ISB instruction of the guest. */
#ifndef KMAPLAB_EMU_TRACE_A64_H
#define KMAPLAB_EMU_TRACE_A64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.h"

struct a64_machine;
struct a64_site;

struct a64_trace {
	struct trace_writer *tw;
	struct trace_counts counts; /* what the trace held when closed */
	bool closed;
	/* The hypercall being served (UINT64_MAX: none), where and when it
	 * began, and the TLB model's invalidation count at the last mark. */
	uint64_t nr, pc, cycle, inval_mark;
	uint64_t args[3];            /* x0..x2 when it began */
};

/* Opens --trace (m->opt.trace_path).  0, or an exit status with the reason
 * in m->message. */
int a64_trace_open(struct a64_machine *m);
/* Around each hypercall (nr in x8, arguments x0..x2, the result in x0). */
void a64_trace_call_begin(struct a64_machine *m, uint64_t nr, uint64_t pc);
void a64_trace_call_end(struct a64_machine *m);
/* A guest TLBI, DSB or ISB the pre-scan found, after the model applied it:
 * `cycle` the cycle count before it, `xt` its operand. */
void a64_trace_site(struct a64_machine *m, const struct a64_site *s, uint64_t pc, uint64_t cycle, uint64_t xt,
		    uint32_t invalidated, uint64_t cycles);
/* The kernel's flush functions and __set_fixmap() (a64_flush_ops). */
void a64_trace_flushed(void *arg, bool all, uint64_t start, uint64_t pages, uint64_t cycles);
void a64_trace_fixmap(void *arg, unsigned idx, uint64_t phys, uint64_t prot, uint64_t cycles);
/* Writes the end record.  0, or -1 with errno (a write failed). */
int a64_trace_close(struct a64_machine *m);

#endif
