/* SPDX-License-Identifier: MIT */
/* The guest's symbol table, kept for diagnostics: PC -> "symbol+0xoff". */
#ifndef KMAPLAB_EMU_SYMBOLS_H
#define KMAPLAB_EMU_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

struct symbol {
	uint32_t addr; /* Thumb bit cleared */
	uint32_t size;
	char *name;
};

struct symtab {
	struct symbol *syms; /* sorted by addr */
	size_t n;
};

void symtab_add(struct symtab *st, uint32_t addr, uint32_t size, const char *name);
void symtab_sort(struct symtab *st);
/* The symbol containing addr (or the nearest one below it), or NULL. */
const struct symbol *symtab_lookup(const struct symtab *st, uint32_t addr);
/* Looks a name up; returns 0 and its address, or -1. */
int symtab_find(const struct symtab *st, const char *name, uint32_t *addr);
/* Formats "name+0xoff" (or "0xaddr") into buf; returns buf. */
const char *symtab_format(const struct symtab *st, uint32_t addr, char *buf, size_t len);
void symtab_free(struct symtab *st);

#endif
