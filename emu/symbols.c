/* SPDX-License-Identifier: MIT */
#include "symbols.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void symtab_add(struct symtab *st, uint32_t addr, uint32_t size, const char *name)
{
	struct symbol *s = realloc(st->syms, (st->n + 1) * sizeof(*s));
	if (!s)
		return; /* diagnostics only: a missing name is not fatal */
	st->syms = s;
	s[st->n].addr = addr;
	s[st->n].size = size;
	s[st->n].name = strdup(name);
	if (s[st->n].name)
		st->n++;
}

static int by_addr(const void *a, const void *b)
{
	const struct symbol *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Deterministic among aliases: the sized symbol first, then by name. */
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return strcmp(x->name, y->name);
}

void symtab_sort(struct symtab *st)
{
	if (st->n)
		qsort(st->syms, st->n, sizeof(st->syms[0]), by_addr);
}

const struct symbol *symtab_lookup(const struct symtab *st, uint32_t addr)
{
	size_t lo = 0, hi = st->n;
	while (lo < hi) { /* first symbol with addr > target */
		size_t mid = lo + (hi - lo) / 2;
		if (st->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	/* Walk back over aliases at the same address to the first (sorted) one. */
	size_t i = lo - 1;
	while (i > 0 && st->syms[i - 1].addr == st->syms[i].addr)
		i--;
	const struct symbol *s = &st->syms[i];
	/* A sized symbol that ends before addr does not contain it; still the
	 * nearest name is more useful than a bare address, within 64 KiB. */
	if (addr - s->addr > 0x10000)
		return NULL;
	return s;
}

int symtab_find(const struct symtab *st, const char *name, uint32_t *addr)
{
	for (size_t i = 0; i < st->n; i++) {
		if (strcmp(st->syms[i].name, name) == 0) {
			*addr = st->syms[i].addr;
			return 0;
		}
	}
	return -1;
}

const char *symtab_format(const struct symtab *st, uint32_t addr, char *buf, size_t len)
{
	const struct symbol *s = symtab_lookup(st, addr);
	if (s)
		snprintf(buf, len, "%s+0x%x", s->name, addr - s->addr);
	else
		snprintf(buf, len, "0x%08x", addr);
	return buf;
}

void symtab_free(struct symtab *st)
{
	for (size_t i = 0; i < st->n; i++)
		free(st->syms[i].name);
	free(st->syms);
	st->syms = NULL;
	st->n = 0;
}
