/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the guest ELF loader (emu/elf_load.c) on arbitrary
 * bytes.  A file it accepts must keep its own promises: every segment's
 * file bytes lie inside the file, filesz <= memsz, and the symbol table is
 * sorted. */
#include <stdint.h>
#include <stdlib.h>

#include "elf_load.h"

#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image img;
	char err[512];
	if (elf_load_memory(data, size, "fuzz.elf", &img, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < img.nsegs; i++) {
			const struct elf_segment *s = &img.segs[i];
			REQUIRE(s->filesz <= s->memsz);
			if (s->filesz) {
				REQUIRE(s->data >= img.file);
				REQUIRE(s->data + s->filesz <= img.file + img.file_size);
			}
		}
		for (size_t i = 1; i < img.symbols.n; i++)
			REQUIRE(img.symbols.syms[i - 1].addr <= img.symbols.syms[i].addr);
		/* The checks the machine makes next, for the 3G/1G layout. */
		(void)elf_check_placement(&img, 0x8000, 64u << 20, err, sizeof(err));
		char buf[128];
		symtab_format(&img.symbols, img.entry & ~1u, buf, sizeof(buf));
	}
	elf_free(&img);
	return 0;
}
