/* SPDX-License-Identifier: MIT */
/* `kmaplab trace` filters (emu/trace_filter.h, docs/trace.md). */
#include "trace_filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void trace_filter_init(struct trace_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->to = UINT64_MAX;
	f->last_pc_match = -1;
}

void trace_filter_free(struct trace_filter *f)
{
	for (int k = 0; k < TRACE_NKINDS; k++)
		free(f->ops[k]);
	free(f->syms);
	free(f->pcs);
	trace_filter_init(f);
}

/* The name of operation i of a kind (NULL past the end; *n the count). */
static const char *op_name(const struct trace_header *h, int kind, size_t i, size_t *n)
{
	switch (kind) {
	case TRACE_FLUSH: *n = h->nflush_ops; return i < *n ? h->flush_ops[i] : NULL;
	case TRACE_TLBI: *n = h->ntlbi_ops; return i < *n ? h->tlbi_ops[i] : NULL;
	case TRACE_KMAP: *n = h->nkmap_ops; return i < *n ? h->kmap_ops[i] : NULL;
	case TRACE_HAZARD: return trace_hazard_name((uint32_t)i, n);
	default: *n = 0; return NULL;
	}
}

/* Takes operation `i` of `kind` (every one if i is SIZE_MAX). */
static int take(struct trace_filter *f, const struct trace_header *h, int kind, size_t i)
{
	size_t n;
	op_name(h, kind, 0, &n);
	if (!f->ops[kind]) {
		f->ops[kind] = calloc(n + 1, sizeof(bool));
		if (!f->ops[kind])
			return -1;
		f->nops[kind] = n;
	}
	for (size_t j = 0; j < n; j++)
		if (i == SIZE_MAX || j == i)
			f->ops[kind][j] = true;
	return 0;
}

/* One word of --ops: how many operations it took. */
static int take_word(struct trace_filter *f, const struct trace_header *h, const char *w)
{
	int took = 0;
	const char *dot = strchr(w, '.');
	for (int kind = TRACE_FLUSH; kind < TRACE_NKINDS; kind++) {
		const char *kn = trace_kind_name((enum trace_kind)kind);
		size_t kl = strlen(kn);
		const char *op = w;
		if (dot) { /* KIND.OP */
			if ((size_t)(dot - w) != kl || strncmp(w, kn, kl))
				continue;
			op = dot + 1;
		} else if (strcmp(w, kn) == 0) { /* KIND */
			if (kind == TRACE_WARN)
				f->warn = true;
			else if (take(f, h, kind, SIZE_MAX))
				return -1;
			took++;
			continue;
		}
		if (kind == TRACE_WARN) {
			if (strcmp(op, "WARN") == 0) {
				f->warn = true;
				took++;
			}
			continue;
		}
		size_t n;
		op_name(h, kind, 0, &n);
		for (size_t i = 0; i < n; i++) {
			const char *name = op_name(h, kind, i, &n);
			if (name && strcmp(name, op) == 0) {
				if (take(f, h, kind, i))
					return -1;
				took++;
			}
		}
	}
	return took;
}

int trace_filter_ops(struct trace_filter *f, const struct trace_header *h, const char *list,
		     char *err, size_t errlen)
{
	char *copy = strdup(list), *save = NULL;
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->ops_set = true;
	int rc = 0;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int took = take_word(f, h, w);
		if (took <= 0) {
			snprintf(err, errlen,
				 took < 0 ? "out of memory"
					  : "'%.80s' is not an event kind or an operation this trace names (kmaplab trace FILE --count lists them)",
				 w);
			rc = -1;
			break;
		}
	}
	free(copy);
	return rc;
}

static int add_sym(struct trace_filter *f, const struct symbol *s)
{
	const struct symbol **v = realloc(f->syms, (f->nsyms + 1) * sizeof(*v));
	if (!v)
		return -1;
	f->syms = v;
	f->syms[f->nsyms++] = s;
	return 0;
}

int trace_filter_pc(struct trace_filter *f, const struct trace_header *h, const char *list,
		    char *err, size_t errlen)
{
	char *copy = strdup(list), *save = NULL;
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->pc_set = true;
	int rc = 0;
	for (char *w = strtok_r(copy, ",", &save); w && !rc; w = strtok_r(NULL, ",", &save)) {
		char *end;
		if (strncmp(w, "0x", 2) == 0) {
			unsigned long long v = strtoull(w, &end, 16);
			if (*end || (h->addr_bits != 64 && v > UINT32_MAX)) {
				snprintf(err, errlen, "'%.80s' is not a 32-bit address", w);
				rc = -1;
				break;
			}
			uint64_t *p = realloc(f->pcs, (f->npcs + 1) * sizeof(*p));
			if (!p) {
				snprintf(err, errlen, "out of memory");
				rc = -1;
				break;
			}
			f->pcs = p;
			f->pcs[f->npcs++] = v;
			continue;
		}
		/* Every symbol of that name, as the symbol column would name
		 * a PC inside it: the first of the aliases at its address. */
		size_t found = 0;
		for (size_t i = 0; i < h->syms.n; i++) {
			const struct symbol *s = &h->syms.syms[i];
			if (strcmp(s->name, w))
				continue;
			const struct symbol *canon = trace_symbol_of(h, h->sym_base + s->addr);
			if (canon && add_sym(f, canon)) {
				snprintf(err, errlen, "out of memory");
				rc = -1;
				break;
			}
			found++;
		}
		if (!found && !rc) {
			snprintf(err, errlen, "no symbol '%.80s' in the trace's symbol table", w);
			rc = -1;
		}
	}
	free(copy);
	return rc;
}

static bool pc_matches(struct trace_filter *f, const struct trace_header *h, uint64_t pc)
{
	if (f->last_pc_match >= 0 && pc == f->last_pc)
		return f->last_pc_match;
	bool m = false;
	for (size_t i = 0; i < f->npcs && !m; i++)
		m = f->pcs[i] == pc;
	if (!m && pc && f->nsyms) {
		const struct symbol *s = trace_symbol_of(h, pc);
		for (size_t i = 0; i < f->nsyms && !m; i++)
			m = f->syms[i] == s;
	}
	f->last_pc = pc;
	f->last_pc_match = m;
	return m;
}

bool trace_filter_match(struct trace_filter *f, const struct trace_header *h,
			const struct trace_record *rec)
{
	if (rec->cycle < f->from || rec->cycle > f->to)
		return false;
	if (f->cpu_set && rec->cpu != f->cpu)
		return false;
	if (f->ops_set) {
		if (rec->kind == TRACE_WARN) {
			if (!f->warn)
				return false;
		} else {
			uint32_t op = trace_record_op(rec);
			const bool *want = f->ops[rec->kind];
			if (!want || op >= f->nops[rec->kind] || !want[op])
				return false;
		}
	}
	if (f->pc_set && !pc_matches(f, h, rec->pc))
		return false;
	return true;
}
