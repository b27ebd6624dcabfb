/* SPDX-License-Identifier: MIT */
/* Loading a guest ELF with libelf: checks it is something we can run, and
 * hands back its PT_LOAD segments, entry point and symbols. */
#ifndef KMAPLAB_EMU_ELF_LOAD_H
#define KMAPLAB_EMU_ELF_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "symbols.h"

struct elf_segment {
	uint32_t vaddr, paddr;
	uint32_t filesz, memsz;
	uint32_t flags; /* PF_R | PF_W | PF_X */
	const uint8_t *data; /* filesz bytes, owned by the elf_image */
};

struct elf_image {
	char *path;
	uint32_t entry; /* bit 0 set: Thumb */
	size_t nsegs;
	struct elf_segment *segs;
	uint8_t *file;  /* the whole file */
	size_t file_size;
	struct symtab symbols;
};

/* Reads and checks `path`.  Returns 0, or -1 with a one-line reason
 * (naming the file) in err. */
int elf_load(const char *path, struct elf_image *img, char *err, size_t errlen);
/* The same for a copy of `size` bytes at `data` (the fuzz target);
 * `name` stands for the path. */
int elf_load_memory(const void *data, size_t size, const char *name, struct elf_image *img,
		    char *err, size_t errlen);

/* Checks that every segment lies inside [ram_base, ram_base + ram_size) and
 * that the entry point is inside an executable segment.  Returns 0 or -1. */
int elf_check_placement(const struct elf_image *img, uint32_t ram_base, uint32_t ram_size,
			char *err, size_t errlen);

void elf_free(struct elf_image *img);

#endif
