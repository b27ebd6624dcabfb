/* SPDX-License-Identifier: MIT */
/* Unit tests of guest ELF loading (emu/elf_load.{h,c}).  Every file is built
 * by hand here from <elf.h> structs and written to a temporary directory;
 * the expected values are the ones written into it.
 *
 * The valid file (all offsets hex):
 *   000  Elf32_Ehdr   ET_EXEC, EM_ARM, entry 0xc0008001 (Thumb)
 *   034  Elf32_Phdr 0 PT_LOAD R+X  off 100  va c0008000  pa 8000  filesz 10  memsz 20
 *   054  Elf32_Phdr 1 PT_LOAD R+W  off 110  va c0009000  pa 9000  filesz 08  memsz 1000
 *   074  Elf32_Phdr 2 PT_NOTE      (ignored)
 *   094  Elf32_Phdr 3 PT_LOAD memsz 0 (ignored: empty)
 *   100  code payload (16 bytes), 110 data payload (8 bytes)
 *   120  symbols: null, main (FUNC c0008001 size 8), var (OBJECT c0009000 size 4),
 *        $a (mapping symbol), undef (SHN_UNDEF), abs (SHN_ABS)
 *   180  string table
 *   1a0  Elf32_Shdr 0..2  null, .symtab (link 2), .strtab
 *   218  end of file
 *
 * Each malformed variant must be refused with one message that names the
 * file and the cause (checked by key words). */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "elf_load.h"

#define FILE_SIZE 0x218u
#define OFF_PHDR  0x34u
#define OFF_SHDR  0x1a0u
#define OFF_CODE  0x100u
#define OFF_DATA  0x110u
#define OFF_SYMS  0x120u
#define OFF_STRS  0x180u

#define RAM_64M   (64u << 20)

static char dir[64];
static unsigned file_no;
static char written[64][160]; /* every file written, removed at the end */

struct file {
	uint8_t b[FILE_SIZE];
	size_t size;
};

static Elf32_Ehdr *ehdr(struct file *f)
{
	return (Elf32_Ehdr *)f->b;
}

static Elf32_Phdr *phdr(struct file *f, unsigned i)
{
	return (Elf32_Phdr *)(f->b + OFF_PHDR + i * sizeof(Elf32_Phdr));
}

static const char strtab[] = "\0main\0var\0$a\0undef\0abs";
/* Offsets in strtab: main 1, var 6, $a 10, undef 13, abs 19. */

static void build_valid(struct file *f)
{
	memset(f, 0, sizeof(*f));
	f->size = FILE_SIZE;
	Elf32_Ehdr *e = ehdr(f);
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS32;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_ARM;
	e->e_version = EV_CURRENT;
	e->e_entry = 0xc0008001u;
	e->e_phoff = OFF_PHDR;
	e->e_shoff = OFF_SHDR;
	e->e_flags = 0x05000200u;
	e->e_ehsize = sizeof(Elf32_Ehdr);
	e->e_phentsize = sizeof(Elf32_Phdr);
	e->e_phnum = 4;
	e->e_shentsize = sizeof(Elf32_Shdr);
	e->e_shnum = 3;
	e->e_shstrndx = SHN_UNDEF;

	*phdr(f, 0) = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = OFF_CODE, .p_vaddr = 0xc0008000u,
				    .p_paddr = 0x8000u, .p_filesz = 0x10, .p_memsz = 0x20,
				    .p_flags = PF_R | PF_X, .p_align = 4 };
	*phdr(f, 1) = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = OFF_DATA, .p_vaddr = 0xc0009000u,
				    .p_paddr = 0x9000u, .p_filesz = 8, .p_memsz = 0x1000,
				    .p_flags = PF_R | PF_W, .p_align = 4 };
	*phdr(f, 2) = (Elf32_Phdr){ .p_type = PT_NOTE, .p_offset = OFF_CODE, .p_vaddr = 0x100000u,
				    .p_paddr = 0x8000u, .p_filesz = 4, .p_memsz = 4, .p_flags = PF_R };
	*phdr(f, 3) = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = OFF_CODE, .p_vaddr = 0xc0008000u,
				    .p_paddr = 0x8000u, .p_filesz = 0, .p_memsz = 0, .p_flags = PF_R };

	Elf32_Shdr *sh = (Elf32_Shdr *)(f->b + OFF_SHDR);
	sh[1] = (Elf32_Shdr){ .sh_type = SHT_SYMTAB, .sh_offset = OFF_SYMS, .sh_size = 6 * sizeof(Elf32_Sym),
			      .sh_link = 2, .sh_info = 1, .sh_addralign = 4, .sh_entsize = sizeof(Elf32_Sym) };
	sh[2] = (Elf32_Shdr){ .sh_type = SHT_STRTAB, .sh_offset = OFF_STRS, .sh_size = sizeof(strtab),
			      .sh_addralign = 1 };

	for (unsigned i = 0; i < 16; i++)
		f->b[OFF_CODE + i] = (uint8_t)(0xa0 + i);
	for (unsigned i = 0; i < 8; i++)
		f->b[OFF_DATA + i] = (uint8_t)(0x50 + i);

	Elf32_Sym *s = (Elf32_Sym *)(f->b + OFF_SYMS);
	s[1] = (Elf32_Sym){ .st_name = 1, .st_value = 0xc0008001u, .st_size = 8,
			    .st_info = ELF32_ST_INFO(STB_GLOBAL, STT_FUNC), .st_shndx = 1 };
	s[2] = (Elf32_Sym){ .st_name = 6, .st_value = 0xc0009000u, .st_size = 4,
			    .st_info = ELF32_ST_INFO(STB_GLOBAL, STT_OBJECT), .st_shndx = 1 };
	s[3] = (Elf32_Sym){ .st_name = 10, .st_value = 0xc0008000u,
			    .st_info = ELF32_ST_INFO(STB_LOCAL, STT_NOTYPE), .st_shndx = 1 };
	s[4] = (Elf32_Sym){ .st_name = 13, .st_value = 0,
			    .st_info = ELF32_ST_INFO(STB_GLOBAL, STT_NOTYPE), .st_shndx = SHN_UNDEF };
	s[5] = (Elf32_Sym){ .st_name = 19, .st_value = 0x1234,
			    .st_info = ELF32_ST_INFO(STB_GLOBAL, STT_NOTYPE), .st_shndx = SHN_ABS };
	memcpy(f->b + OFF_STRS, strtab, sizeof(strtab));
}

/* Writes the first `size` bytes of `data` to a fresh file; returns its path. */
static const char *write_tmp(const void *data, size_t size, const char *tag)
{
	if (file_no >= sizeof(written) / sizeof(written[0])) {
		fprintf(stderr, "too many files\n");
		exit(2);
	}
	char *path = written[file_no];
	snprintf(path, sizeof(written[0]), "%s/%02u-%s.elf", dir, file_no, tag);
	file_no++;
	FILE *fp = fopen(path, "wb");
	if (!fp || (size && fwrite(data, 1, size, fp) != size)) {
		perror(path);
		exit(2);
	}
	fclose(fp);
	return path;
}

/* elf_load must refuse `f` with a message holding the path and every key
 * word (NULL-terminated). */
static void refused(const struct file *f, const char *tag, const char *const *words)
{
	const char *path = write_tmp(f->b, f->size, tag);
	struct elf_image img;
	char err[512] = "";
	int rc = elf_load(path, &img, err, sizeof(err));
	if (!CHECK_EQ(rc, -1))
		fprintf(stderr, "  case %s was accepted\n", tag);
	bool ok = strstr(err, path) != NULL && strchr(err, '\n') == NULL;
	for (const char *const *w = words; *w; w++)
		ok = ok && strstr(err, *w) != NULL;
	if (!CHECK(ok))
		fprintf(stderr, "  case %s: message \"%s\"\n", tag, err);
	CHECK(img.file != NULL); /* the file was read: a bad ELF, not a missing file */
	elf_free(&img);
}

#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_valid(void)
{
	struct file f;
	build_valid(&f);
	const char *path = write_tmp(f.b, f.size, "valid");
	struct elf_image img;
	char err[512] = "";
	if (!CHECK_EQ(elf_load(path, &img, err, sizeof(err)), 0)) {
		fprintf(stderr, "  valid file refused: %s\n", err);
		elf_free(&img);
		return;
	}
	CHECK(img.path && strcmp(img.path, path) == 0);
	CHECK_EQ(img.entry, 0xc0008001u);
	CHECK_EQ(img.file_size, FILE_SIZE);
	/* PT_NOTE and the empty PT_LOAD are not segments. */
	if (CHECK_EQ(img.nsegs, 2)) {
		const struct elf_segment *c = &img.segs[0], *d = &img.segs[1];
		CHECK_EQ(c->vaddr, 0xc0008000u);
		CHECK_EQ(c->paddr, 0x8000u);
		CHECK_EQ(c->filesz, 0x10);
		CHECK_EQ(c->memsz, 0x20);
		CHECK_EQ(c->flags, PF_R | PF_X);
		CHECK(c->data && c->data[0] == 0xa0 && c->data[15] == 0xaf);
		CHECK_EQ(d->vaddr, 0xc0009000u);
		CHECK_EQ(d->paddr, 0x9000u);
		CHECK_EQ(d->filesz, 8);
		CHECK_EQ(d->memsz, 0x1000);
		CHECK_EQ(d->flags, PF_R | PF_W);
		CHECK(d->data && d->data[0] == 0x50 && d->data[7] == 0x57);
	}
	/* Symbols: main (Thumb bit cleared) and var; not $a, undef, abs. */
	CHECK_EQ(img.symbols.n, 2);
	uint32_t a = 0;
	CHECK(symtab_find(&img.symbols, "main", &a) == 0 && a == 0xc0008000u);
	CHECK(symtab_find(&img.symbols, "var", &a) == 0 && a == 0xc0009000u);
	CHECK(symtab_find(&img.symbols, "$a", &a) != 0);
	CHECK(symtab_find(&img.symbols, "undef", &a) != 0);
	CHECK(symtab_find(&img.symbols, "abs", &a) != 0);

	/* Placement in 64 MiB of RAM at 0: fine; also in RAM that ends
	 * exactly at the data segment's end (0x9000 + 0x1000). */
	CHECK_EQ(elf_check_placement(&img, 0, RAM_64M, err, sizeof(err)), 0);
	CHECK_EQ(elf_check_placement(&img, 0, 0xa000u, err, sizeof(err)), 0);
	/* One byte short at the top, or RAM starting one page above 0x8000. */
	CHECK_EQ(elf_check_placement(&img, 0, 0x9fffu, err, sizeof(err)), -1);
	CHECK(strstr(err, path) && strstr(err, "outside RAM"));
	CHECK_EQ(elf_check_placement(&img, 0x9000u, RAM_64M, err, sizeof(err)), -1);
	CHECK(strstr(err, path) && strstr(err, "outside RAM"));
	elf_free(&img);
}

static void test_placement(void)
{
	struct file f;
	struct elf_image img;
	char err[512];
	const char *path;

	/* A segment outside RAM (physical 0x04000000 = 64 MiB: just past it). */
	build_valid(&f);
	phdr(&f, 1)->p_paddr = RAM_64M;
	path = write_tmp(f.b, f.size, "outside-ram");
	CHECK_EQ(elf_load(path, &img, err, sizeof(err)), 0);
	CHECK_EQ(elf_check_placement(&img, 0, RAM_64M, err, sizeof(err)), -1);
	if (!CHECK(strstr(err, path) && strstr(err, "outside RAM") && strstr(err, "0x04000000")))
		fprintf(stderr, "  outside RAM: \"%s\"\n", err);
	elf_free(&img);

	/* A segment straddling the end of RAM. */
	build_valid(&f);
	phdr(&f, 1)->p_paddr = RAM_64M - 0x800u;
	path = write_tmp(f.b, f.size, "straddles-ram");
	CHECK_EQ(elf_load(path, &img, err, sizeof(err)), 0);
	CHECK_EQ(elf_check_placement(&img, 0, RAM_64M, err, sizeof(err)), -1);
	CHECK(strstr(err, path) && strstr(err, "outside RAM"));
	elf_free(&img);

	/* Entry in the data segment (R+W, not X). */
	build_valid(&f);
	ehdr(&f)->e_entry = 0xc0009004u;
	path = write_tmp(f.b, f.size, "entry-in-data");
	CHECK_EQ(elf_load(path, &img, err, sizeof(err)), 0);
	CHECK_EQ(elf_check_placement(&img, 0, RAM_64M, err, sizeof(err)), -1);
	if (!CHECK(strstr(err, path) && strstr(err, "entry point") && strstr(err, "0xc0009004") &&
		   strstr(err, "executable")))
		fprintf(stderr, "  entry: \"%s\"\n", err);
	elf_free(&img);

	/* Entry one past the code segment's end (0xc0008000 + 0x20). */
	build_valid(&f);
	ehdr(&f)->e_entry = 0xc0008020u;
	path = write_tmp(f.b, f.size, "entry-past-code");
	CHECK_EQ(elf_load(path, &img, err, sizeof(err)), 0);
	CHECK_EQ(elf_check_placement(&img, 0, RAM_64M, err, sizeof(err)), -1);
	CHECK(strstr(err, path) && strstr(err, "entry point"));
	elf_free(&img);

	/* Last halfword of the code segment, as a Thumb address: fine. */
	build_valid(&f);
	ehdr(&f)->e_entry = 0xc000801fu;
	path = write_tmp(f.b, f.size, "entry-last-thumb");
	CHECK_EQ(elf_load(path, &img, err, sizeof(err)), 0);
	CHECK_EQ(elf_check_placement(&img, 0, RAM_64M, err, sizeof(err)), 0);
	elf_free(&img);

	/* Two segments that touch (0x8000+0x20 == next paddr) do not overlap. */
	build_valid(&f);
	phdr(&f, 1)->p_paddr = 0x8020u;
	path = write_tmp(f.b, f.size, "adjacent");
	CHECK_EQ(elf_load(path, &img, err, sizeof(err)), 0);
	CHECK_EQ(img.nsegs, 2);
	elf_free(&img);
}

static void test_malformed(void)
{
	struct file f;

	build_valid(&f);
	f.size = 0;
	refused(&f, "empty", WORDS("not an ELF"));

	build_valid(&f);
	f.b[1] = 'X';
	refused(&f, "bad-magic", WORDS("magic"));

	/* Magic and a whole e_ident, but the header stops at byte 20 of 52. */
	build_valid(&f);
	f.size = 20;
	refused(&f, "truncated-header", WORDS("truncated"));

	/* Only 10 bytes: magic, class and data, nothing more. */
	build_valid(&f);
	f.size = 10;
	refused(&f, "ten-bytes", WORDS("truncated"));

	/* The whole header (52 bytes) but nothing after it. */
	build_valid(&f);
	f.size = sizeof(Elf32_Ehdr);
	refused(&f, "header-only", WORDS("truncated"));

	build_valid(&f);
	ehdr(&f)->e_ident[EI_CLASS] = ELFCLASS64;
	refused(&f, "elfclass64", WORDS("ELF32", "class 2"));

	build_valid(&f);
	ehdr(&f)->e_ident[EI_DATA] = ELFDATA2MSB;
	refused(&f, "big-endian", WORDS("little-endian"));

	build_valid(&f);
	ehdr(&f)->e_machine = EM_386;
	refused(&f, "x86", WORDS("machine 3", "EM_ARM"));

	build_valid(&f);
	ehdr(&f)->e_type = ET_DYN;
	refused(&f, "et-dyn", WORDS("not an executable", "e_type 3"));

	/* Program header table starting 16 bytes before the end. */
	build_valid(&f);
	ehdr(&f)->e_phoff = FILE_SIZE - 16;
	refused(&f, "phdr-past-eof", WORDS("program header", "past the end"));

	/* A table of 200 entries from 0x34: only 15 fit in the file. */
	build_valid(&f);
	ehdr(&f)->e_phnum = 200;
	refused(&f, "phdr-table-cut", WORDS("program header", "past the end"));

	/* Table starting past the end of the file. */
	build_valid(&f);
	ehdr(&f)->e_phoff = FILE_SIZE + 0x100;
	refused(&f, "phoff-past-eof", WORDS("program header", "past the end"));

	/* Section header table cut off: the file ends inside it (segments
	 * and symbols are intact, but the file is truncated). */
	build_valid(&f);
	f.size = FILE_SIZE - 8;
	refused(&f, "shdr-cut", WORDS("section header", "past the end"));
	build_valid(&f);
	ehdr(&f)->e_shoff = FILE_SIZE + 0x40;
	refused(&f, "shoff-past-eof", WORDS("section header", "past the end"));

	/* Code data at 0x100 + 0x10, but the file ends at 0x108. */
	build_valid(&f);
	f.size = 0x108;
	ehdr(&f)->e_shoff = 0;
	ehdr(&f)->e_shnum = 0;
	refused(&f, "data-truncated", WORDS("segment 0", "past the end", "truncated"));

	/* Same cause from an offset past the file's end. */
	build_valid(&f);
	phdr(&f, 1)->p_offset = FILE_SIZE;
	refused(&f, "offset-past-eof", WORDS("segment 1", "past the end"));

	build_valid(&f);
	phdr(&f, 0)->p_filesz = 0x21;
	refused(&f, "filesz-gt-memsz", WORDS("segment 0", "file size 0x21", "memory size 0x20"));

	/* Data segment at physical 0x801f: its first byte is the code's last. */
	build_valid(&f);
	phdr(&f, 1)->p_paddr = 0x801fu;
	refused(&f, "overlap", WORDS("overlap", "0x00008000", "0x0000801f"));

	/* Data segment wholly inside the code segment's physical range, and
	 * the reverse order (the overlap check must not depend on order). */
	build_valid(&f);
	phdr(&f, 0)->p_paddr = 0x9100u;
	refused(&f, "overlap-inside", WORDS("overlap"));

	build_valid(&f);
	for (unsigned i = 0; i < 4; i++)
		if (phdr(&f, i)->p_type == PT_LOAD)
			phdr(&f, i)->p_type = PT_NOTE;
	refused(&f, "no-pt-load", WORDS("no PT_LOAD"));

	build_valid(&f);
	phdr(&f, 1)->p_paddr = 0xfffff800u;
	refused(&f, "wraps", WORDS("segment 1", "4 GiB"));
}

static void test_missing(void)
{
	char path[160];
	snprintf(path, sizeof(path), "%s/does-not-exist.elf", dir);
	struct elf_image img;
	char err[512] = "";
	CHECK_EQ(elf_load(path, &img, err, sizeof(err)), -1);
	if (!CHECK(strstr(err, path) && strstr(err, "cannot open") && strstr(err, "No such file")))
		fprintf(stderr, "  missing: \"%s\"\n", err);
	/* The emulator tells "cannot open" (exit 66) from "bad ELF" (65) by this. */
	CHECK(img.file == NULL);
	elf_free(&img);
}

/* A short error buffer truncates but stays a C string. */
static void test_short_buffer(void)
{
	struct file f;
	build_valid(&f);
	f.b[0] = 0;
	const char *path = write_tmp(f.b, f.size, "short-buffer");
	struct elf_image img;
	char err[8];
	memset(err, 'x', sizeof(err));
	CHECK_EQ(elf_load(path, &img, err, sizeof(err)), -1);
	CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	elf_free(&img);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/kmaplab-elf-XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	test_valid();
	test_placement();
	test_malformed();
	test_missing();
	test_short_buffer();

	for (unsigned i = 0; i < file_no; i++)
		unlink(written[i]);
	if (rmdir(dir) != 0)
		perror(dir);
	return check_done();
}
