/* SPDX-License-Identifier: MIT */
/* Which events `kmaplab trace` converts: --ops, --cpu, --from/--to, --pc.
 * A filter is built against one trace's header (its name tables and symbol
 * table); an event passes when it passes every filter that was given. */
#ifndef KMAPLAB_EMU_TRACE_FILTER_H
#define KMAPLAB_EMU_TRACE_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.h"

struct trace_filter {
	/* --ops: per kind, one flag per operation number of the header's
	 * table, or per hazard kind (NULL: the kind is not wanted); WARNs by
	 * `warn`. */
	bool ops_set;
	bool *ops[TRACE_NKINDS];    /* indexed by enum trace_kind (flush, tlbi, kmap, hazard) */
	size_t nops[TRACE_NKINDS];
	bool warn;
	/* --cpu */
	bool cpu_set;
	unsigned cpu;
	/* --from, --to: from <= cycle <= to */
	uint64_t from, to;
	/* --pc: the symbols (as symtab_lookup() names a PC) and exact PCs */
	bool pc_set;
	const struct symbol **syms;
	size_t nsyms;
	uint64_t *pcs;
	size_t npcs;
	/* The last PC decided, and its answer. */
	uint64_t last_pc;
	int last_pc_match; /* -1: none yet */
};

/* An empty filter: everything passes. */
void trace_filter_init(struct trace_filter *f);
void trace_filter_free(struct trace_filter *f);

/* "kmap,flush_tlb_kernel_range,tlbi.TLBIMVA,warn": a kind name takes the
 * whole kind, KIND.OP one operation of a kind, OP that name in any kind.
 * Returns 0, or -1 with a one-line reason (the word that matched nothing). */
int trace_filter_ops(struct trace_filter *f, const struct trace_header *h, const char *list,
		     char *err, size_t errlen);
/* "kmap_loop,0xc0008120": events whose PC lies in these functions (the
 * symbol column names them), or exactly at these addresses.  Returns 0,
 * or -1 with a one-line reason (a name not in the trace's symbol table). */
int trace_filter_pc(struct trace_filter *f, const struct trace_header *h, const char *list,
		    char *err, size_t errlen);

bool trace_filter_match(struct trace_filter *f, const struct trace_header *h,
			const struct trace_record *rec);

#endif
