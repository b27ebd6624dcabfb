/* SPDX-License-Identifier: MIT */
/* Reading Tag_CPU_arch from a guest's .ARM.attributes (see elf_arch.h). */
#include "elf_arch.h"

#include <gelf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef SHT_ARM_ATTRIBUTES
#define SHT_ARM_ATTRIBUTES 0x70000003u
#endif

enum {
	TAG_FILE = 1,       /* a sub-subsection for the whole file */
	TAG_CPU_RAW_NAME = 4,
	TAG_CPU_NAME = 5,
	TAG_CPU_ARCH = 6,
	TAG_COMPATIBILITY = 32,
	TAG_ALSO_COMPATIBLE_WITH = 65,
	TAG_CONFORMANCE = 67,
};

/* Tag_CPU_arch values (ABI addenda 2.5, "Target-related attributes"). */
static const char *const arch_names[] = {
	"pre-ARMv4", "ARMv4", "ARMv4T", "ARMv5T", "ARMv5TE", "ARMv5TEJ", "ARMv6", "ARMv6KZ",
	"ARMv6T2", "ARMv6K", "ARMv7", "ARMv6-M", "ARMv6S-M", "ARMv7E-M", "ARMv8",
};

const char *elf_cpu_arch_name(int arch)
{
	if (arch >= 0 && (size_t)arch < sizeof(arch_names) / sizeof(arch_names[0]))
		return arch_names[arch];
	return "a later architecture";
}

static int uleb(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
	uint32_t v = 0;
	for (unsigned shift = 0; *p < end && shift < 35; shift += 7) {
		uint8_t b = *(*p)++;
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

static int skip_string(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *z = memchr(*p, 0, (size_t)(end - *p));
	if (!z)
		return -1;
	*p = z + 1;
	return 0;
}

/* Tag_CPU_arch in one File-scope attribute list, or -1. */
static int find_cpu_arch(const uint8_t *p, const uint8_t *end)
{
	while (p < end) {
		uint32_t tag, val;
		if (uleb(&p, end, &tag))
			return -1;
		if (tag == TAG_CPU_RAW_NAME || tag == TAG_CPU_NAME || tag == TAG_ALSO_COMPATIBLE_WITH ||
		    tag == TAG_CONFORMANCE || (tag > TAG_COMPATIBILITY && (tag & 1))) {
			if (skip_string(&p, end))
				return -1;
			continue;
		}
		if (uleb(&p, end, &val))
			return -1;
		if (tag == TAG_COMPATIBILITY && skip_string(&p, end))
			return -1;
		if (tag == TAG_CPU_ARCH)
			return (int)val;
	}
	return -1;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Format: 'A', then subsections (u32 length, vendor name, data); the
 * "aeabi" one holds sub-subsections (tag, u32 length, attributes). */
static int parse_attributes(const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n;
	if (n < 1 || *p++ != 'A')
		return -1;
	while (end - p >= 4) {
		uint32_t len = rd32(p);
		if (len < 4 || len > (size_t)(end - p))
			return -1;
		const uint8_t *sub_end = p + len, *q = p + 4;
		p = sub_end;
		const uint8_t *z = memchr(q, 0, (size_t)(sub_end - q));
		if (!z || strcmp((const char *)q, "aeabi") != 0)
			continue;
		q = z + 1;
		while (sub_end - q >= 5) {
			uint8_t tag = *q;
			uint32_t slen = rd32(q + 1);
			if (slen < 5 || slen > (size_t)(sub_end - q))
				return -1;
			if (tag == TAG_FILE) {
				int arch = find_cpu_arch(q + 5, q + slen);
				if (arch >= 0)
					return arch;
			}
			q += slen;
		}
	}
	return -1;
}

int elf_cpu_arch(const struct elf_image *img)
{
	if (!img->file || elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	Elf *e = elf_memory((char *)img->file, img->file_size);
	if (!e)
		return -1;
	int arch = -1;
	Elf_Scn *scn = NULL;
	while (arch < 0 && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_ARM_ATTRIBUTES)
			continue;
		if (sh.sh_offset > img->file_size || sh.sh_size > img->file_size - sh.sh_offset)
			break;
		arch = parse_attributes(img->file + sh.sh_offset, sh.sh_size);
	}
	elf_end(e);
	return arch;
}

/* What each --core runs: ARM1176JZF-S is ARMv6KZ (with ARMv6K's
 * instructions, no Thumb-2); the Cortex-A cores are ARMv7-A, which runs
 * everything up to ARMv7 except the M profile. */
static bool core_runs(const char *core, int arch)
{
	if (strcmp(core, "arm1176") == 0)
		return arch <= 7 || arch == 9;
	return arch <= 10;
}

int elf_check_core(const struct elf_image *img, const char *core, char *err, size_t errlen)
{
	int arch = elf_cpu_arch(img);
	if (arch < 0 || core_runs(core, arch))
		return 0;
	snprintf(err, errlen, "%s: built for %s (Tag_CPU_arch %d), which --core %s cannot run; build it with kmaplab-cc --core %s",
		 img->path, elf_cpu_arch_name(arch), arch, core, core);
	return -1;
}
