/* SPDX-License-Identifier: MIT */
/* Trace sink for the modelled kernel: one event per TLB flush primitive and
 * one per kmap-family call, handed to whoever the emulator registered
 * (--trace writes them out; tools/ turn them into reports).
 *
 * The sink is optional: with no ops set nothing is built or called.  Events
 * are passed by pointer and live only for the duration of the call. */
#ifndef KMAPLAB_MM_TRACE_H
#define KMAPLAB_MM_TRACE_H

#include <stdint.h>

#include "flush.h"

/* The three flush primitives (mm/flush.h). */
enum flush_op {
	FLUSH_OP_LOCAL_FLUSH_TLB_KERNEL_PAGE,
	FLUSH_OP_FLUSH_TLB_KERNEL_RANGE,
	FLUSH_OP_FLUSH_TLB_ALL,
	FLUSH_NR_OPS
};

/* Kernel-side operations a guest can ask for (one per hypercall) plus the
 * events inside a policy worth seeing on a timeline. */
enum kmap_op {
	KMAP_OP_KMAP,
	KMAP_OP_KUNMAP,
	KMAP_OP_KMAP_ATOMIC,
	KMAP_OP_KUNMAP_ATOMIC,
	KMAP_OP_KMAP_LOCAL_PAGE,
	KMAP_OP_KUNMAP_LOCAL,
	KMAP_OP_PAGE_ADDRESS,
	KMAP_OP_SET_FIXMAP,
	KMAP_OP_CLEAR_FIXMAP,
	KMAP_OP_EARLY_IOREMAP,
	KMAP_OP_EARLY_IOUNMAP,
	KMAP_OP_ALLOC_PAGE,
	KMAP_OP_FREE_PAGE,
	/* Reported by a policy from inside one of the calls above: `arg` is
	 * the number of pkmap slots it cleared. */
	KMAP_OP_FLUSH_ALL_ZERO_PKMAPS,
	KMAP_NR_OPS
};

struct flush_event {
	uint64_t cycle;          /* mm->stats.cycles when the flush began */
	enum flush_op op;
	enum flush_cause cause;
	uint32_t start;          /* first VA invalidated (page aligned; 0 for flush_tlb_all) */
	uint32_t pages;          /* TLBIMVA(IS) operations issued (0 for flush_tlb_all) */
	uint32_t invalidated;    /* modelled TLB entries actually dropped */
	uint64_t cycles;         /* cycles charged for the flush */
};

#define KMAP_EVENT_NONE UINT32_MAX /* a field that does not apply */

struct kmap_event {
	uint64_t cycle;          /* mm->stats.cycles when the call began */
	enum kmap_op op;
	uint32_t pc;             /* guest PC of the hypercall, 0 if none (unit tests) */
	uint32_t page;           /* struct page * (guest VA), or KMAP_EVENT_NONE */
	uint32_t pfn;            /* page frame, or KMAP_EVENT_NONE */
	uint32_t va;             /* the VA returned (kmap*) or given (kunmap_atomic/local...) */
	uint32_t pkmap_nr;       /* PKMAP_NR(va) if va is in the pkmap window, else NONE */
	uint32_t fix_idx;        /* __virt_to_fix(va) if va is in the fixmap, else NONE */
	uint32_t arg;            /* op-specific: size (early_io*), phys (set_fixmap), gfp, slots cleared */
	uint64_t cycles;         /* cycles charged inside the call (flushes included) */
	int failed;              /* the call ended in BUG, WARN-and-fail or would-sleep */
};

struct mm_trace_ops {
	void (*flush)(void *arg, const struct flush_event *ev);
	void (*kmap)(void *arg, const struct kmap_event *ev);
	/* A WARN() of the modelled kernel: the guest goes on.  One line, no
	 * trailing newline. */
	void (*warn)(void *arg, const char *msg);
};

/* "local_flush_tlb_kernel_page", "flush_tlb_kernel_range", "flush_tlb_all":
 * the stats keys flush.<name>. */
const char *flush_op_name(enum flush_op op);
/* The stats keys kmap.<name>: "kmap", "kunmap", "kmap_atomic",
 * "kunmap_atomic", "kmap_local", "kunmap_local", "flush_all_zero_pkmaps",
 * and "page_address", "set_fixmap", "clear_fixmap", "early_ioremap",
 * "early_iounmap", "alloc_page", "free_page".  "?" out of range. */
const char *kmap_op_name(enum kmap_op op);

#endif
