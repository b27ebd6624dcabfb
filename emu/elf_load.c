/* SPDX-License-Identifier: MIT */
/* Guest ELF loading.  Everything is checked before anything is used: a
 * guest file is untrusted input and a bad one gets one line naming the file
 * and the cause. */
#include "elf_load.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "%s: ", path);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int read_file(const char *path, struct elf_image *img, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(err, errlen, path, "cannot open: %s", strerror(errno));
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			fclose(f);
			return fail(err, errlen, path, "out of memory");
		}
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		if (cap >= (256u << 20)) {
			free(buf);
			fclose(f);
			return fail(err, errlen, path, "larger than 256 MiB");
		}
		cap *= 2;
		uint8_t *nb = realloc(buf, cap);
		if (!nb)
			free(buf);
		buf = nb;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return fail(err, errlen, path, "read error");
	}
	img->file = buf;
	img->file_size = n;
	return 0;
}

/* Mapping symbols ($a, $t, $d) mark instruction sets, not functions. */
static bool is_mapping_symbol(const char *name)
{
	return name[0] == '$' && (name[1] == 'a' || name[1] == 't' || name[1] == 'd') &&
	       (name[2] == '\0' || name[2] == '.');
}

static void load_symbols(Elf *e, struct elf_image *img)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		size_t count = d->d_size / sh.sh_entsize;
		for (size_t i = 0; i < count; i++) {
			GElf_Sym s;
			if (!gelf_getsym(d, (int)i, &s))
				break;
			int type = GELF_ST_TYPE(s.st_info);
			if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE)
				continue;
			if (s.st_shndx == SHN_UNDEF || s.st_shndx == SHN_ABS)
				continue;
			const char *name = elf_strptr(e, sh.sh_link, s.st_name);
			if (!name || !*name || is_mapping_symbol(name))
				continue;
			symtab_add(&img->symbols, (uint32_t)s.st_value & ~1u, (uint32_t)s.st_size, name);
		}
	}
	symtab_sort(&img->symbols);
}

static int check_header(Elf *e, const char *path, char *err, size_t errlen)
{
	if (elf_kind(e) != ELF_K_ELF)
		return fail(err, errlen, path, "not an ELF file");
	const char *id = elf_getident(e, NULL);
	if (!id)
		return fail(err, errlen, path, "truncated ELF header");
	if (id[EI_CLASS] != ELFCLASS32)
		return fail(err, errlen, path, "not ELF32 (class %d); kmaplab runs 32-bit ARM guests",
			    id[EI_CLASS]);
	if (id[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, path, "not little-endian");
	GElf_Ehdr eh;
	if (!gelf_getehdr(e, &eh))
		return fail(err, errlen, path, "truncated ELF header");
	if (eh.e_machine != EM_ARM)
		return fail(err, errlen, path, "machine %u is not EM_ARM (40)", eh.e_machine);
	if (eh.e_type != ET_EXEC)
		return fail(err, errlen, path, "not an executable (e_type %u)", eh.e_type);
	return 0;
}

static int load_segments(Elf *e, struct elf_image *img, const char *path, char *err, size_t errlen)
{
	/* libelf quietly shortens a header table that runs past the end of
	 * the file (even to no entries), which would drop segments without a
	 * word: check the counts the ELF header gives.  (PN_XNUM / e_shnum 0:
	 * the real count is in section 0; at least that entry must exist.) */
	GElf_Ehdr eh;
	if (!gelf_getehdr(e, &eh))
		return fail(err, errlen, path, "truncated ELF header");
	size_t nph = eh.e_phnum == PN_XNUM ? 1 : eh.e_phnum;
	if (nph && (eh.e_phoff > img->file_size ||
		    (uint64_t)nph * eh.e_phentsize > img->file_size - eh.e_phoff))
		return fail(err, errlen, path,
			    "program header table (%zu entries at 0x%llx) lies past the end of the file (%zu bytes): truncated",
			    nph, (unsigned long long)eh.e_phoff, img->file_size);
	size_t nsh = eh.e_shnum ? eh.e_shnum : eh.e_shoff != 0;
	if (nsh && (eh.e_shoff > img->file_size ||
		    (uint64_t)nsh * eh.e_shentsize > img->file_size - eh.e_shoff))
		return fail(err, errlen, path,
			    "section header table (%zu entries at 0x%llx) lies past the end of the file (%zu bytes): truncated",
			    nsh, (unsigned long long)eh.e_shoff, img->file_size);
	if (elf_getphdrnum(e, &nph) != 0)
		return fail(err, errlen, path, "bad program header table: %s", elf_errmsg(-1));
	img->segs = calloc(nph ? nph : 1, sizeof(*img->segs));
	if (!img->segs)
		return fail(err, errlen, path, "out of memory");
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph))
			return fail(err, errlen, path, "program header %zu is truncated", i);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (ph.p_filesz > ph.p_memsz)
			return fail(err, errlen, path, "segment %zu: file size 0x%llx exceeds memory size 0x%llx",
				    i, (unsigned long long)ph.p_filesz, (unsigned long long)ph.p_memsz);
		if (ph.p_offset > img->file_size || ph.p_filesz > img->file_size - ph.p_offset)
			return fail(err, errlen, path, "segment %zu: data at 0x%llx+0x%llx lies past the end of the file (%zu bytes): truncated",
				    i, (unsigned long long)ph.p_offset, (unsigned long long)ph.p_filesz,
				    img->file_size);
		if (ph.p_paddr + ph.p_memsz > 0x100000000ull || ph.p_vaddr + ph.p_memsz > 0x100000000ull)
			return fail(err, errlen, path, "segment %zu wraps past 4 GiB", i);
		struct elf_segment *s = &img->segs[img->nsegs++];
		s->vaddr = (uint32_t)ph.p_vaddr;
		s->paddr = (uint32_t)ph.p_paddr;
		s->filesz = (uint32_t)ph.p_filesz;
		s->memsz = (uint32_t)ph.p_memsz;
		s->flags = ph.p_flags;
		s->data = img->file + ph.p_offset;
	}
	if (img->nsegs == 0)
		return fail(err, errlen, path, "no PT_LOAD segment");
	for (size_t i = 0; i < img->nsegs; i++) {
		for (size_t j = i + 1; j < img->nsegs; j++) {
			const struct elf_segment *a = &img->segs[i], *b = &img->segs[j];
			if (a->paddr < b->paddr + b->memsz && b->paddr < a->paddr + a->memsz)
				return fail(err, errlen, path,
					    "segments at physical 0x%08x+0x%x and 0x%08x+0x%x overlap",
					    a->paddr, a->memsz, b->paddr, b->memsz);
		}
	}
	return 0;
}

static int parse(const char *path, struct elf_image *img, char *err, size_t errlen);

int elf_load(const char *path, struct elf_image *img, char *err, size_t errlen)
{
	memset(img, 0, sizeof(*img));
	img->path = strdup(path);
	if (!img->path)
		return fail(err, errlen, path, "out of memory");
	if (read_file(path, img, err, errlen))
		return -1;
	return parse(path, img, err, errlen);
}

int elf_load_memory(const void *data, size_t size, const char *name, struct elf_image *img,
		    char *err, size_t errlen)
{
	memset(img, 0, sizeof(*img));
	img->path = strdup(name);
	img->file = malloc(size ? size : 1);
	if (!img->path || !img->file)
		return fail(err, errlen, name, "out of memory");
	if (size)
		memcpy(img->file, data, size);
	img->file_size = size;
	return parse(name, img, err, errlen);
}

/* Checks and decodes the file in img->file. */
static int parse(const char *path, struct elf_image *img, char *err, size_t errlen)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(err, errlen, path, "libelf is too old");
	if (img->file_size < 4 || memcmp(img->file, ELFMAG, SELFMAG) != 0)
		return fail(err, errlen, path, "not an ELF file (bad magic)");
	if (img->file_size < sizeof(Elf32_Ehdr))
		return fail(err, errlen, path, "truncated ELF header (%zu bytes)", img->file_size);
	Elf *e = elf_memory((char *)img->file, img->file_size);
	if (!e)
		return fail(err, errlen, path, "libelf: %s", elf_errmsg(-1));
	int rc = check_header(e, path, err, errlen);
	if (!rc) {
		GElf_Ehdr eh;
		gelf_getehdr(e, &eh);
		img->entry = (uint32_t)eh.e_entry;
		rc = load_segments(e, img, path, err, errlen);
	}
	if (!rc)
		load_symbols(e, img);
	elf_end(e);
	return rc;
}

int elf_check_placement(const struct elf_image *img, uint32_t ram_base, uint32_t ram_size,
			char *err, size_t errlen)
{
	bool entry_ok = false;
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		uint64_t end = (uint64_t)s->paddr + s->memsz;
		if (s->paddr < ram_base || end > (uint64_t)ram_base + ram_size)
			return fail(err, errlen, img->path,
				    "segment at physical 0x%08x+0x%x lies outside RAM 0x%08x..0x%08llx",
				    s->paddr, s->memsz, ram_base,
				    (unsigned long long)ram_base + ram_size);
		uint32_t entry = img->entry & ~1u;
		if ((s->flags & PF_X) && entry >= s->vaddr && entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	if (!entry_ok)
		return fail(err, errlen, img->path, "entry point 0x%08x is not inside an executable segment",
			    img->entry);
	return 0;
}

void elf_free(struct elf_image *img)
{
	free(img->path);
	free(img->segs);
	free(img->file);
	symtab_free(&img->symbols);
	memset(img, 0, sizeof(*img));
}
