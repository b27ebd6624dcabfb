/* SPDX-License-Identifier: MIT */
/* Which architecture a guest ELF was built for, from its build attributes
 * (the .ARM.attributes section, "aeabi" subsection, Tag_CPU_arch; ARM IHI
 * 0045 "Addenda to, and Errata in, the ABI for the ARM Architecture",
 * section 2.5), so that a guest built for ARMv7 is refused on --core arm1176
 * (ARMv6KZ) with one line instead of faulting on its first v7 instruction. */
#ifndef KMAPLAB_EMU_ELF_ARCH_H
#define KMAPLAB_EMU_ELF_ARCH_H

#include <stddef.h>

#include "elf_load.h"

/* Tag_CPU_arch of the file scope: 0 (pre-v4) .. 10 (v7) .., or -1 if the
 * ELF has no (readable) attributes section or no such tag. */
int elf_cpu_arch(const struct elf_image *img);

/* The architecture's name ("ARMv7", "ARMv6KZ", ...). */
const char *elf_cpu_arch_name(int arch);

/* Checks that code for `arch` runs on core `core` (a --core name).  An ELF
 * without the attribute is accepted.  Returns 0, or -1 with a one-line
 * reason naming the file in err. */
int elf_check_core(const struct elf_image *img, const char *core, char *err, size_t errlen);

#endif
