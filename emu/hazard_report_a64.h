/* SPDX-License-Identifier: MIT */
/* The stderr line of one AArch64 hazard (mm/hazard_a64.h), docs/aarch64.md. */
#ifndef KMAPLAB_EMU_HAZARD_REPORT_A64_H
#define KMAPLAB_EMU_HAZARD_REPORT_A64_H

#include <stdio.h>

#include "hazard_a64.h"

/* `where` is the symbolized PC of the access, TLBI or store. */
void a64_hz_print(FILE *f, enum a64_hz_kind kind, const char *where, const struct a64_hz_report *r);

#endif
