/* SPDX-License-Identifier: MIT */
/* The kmaplab hypercall ABI (guest-tests/kmaplab/hypercall.h) on the host
 * side: decode r12/r0-r3, call into mm/ or the policy, result in r0. */
#ifndef KMAPLAB_EMU_HYPERCALL_H
#define KMAPLAB_EMU_HYPERCALL_H

#include <stdint.h>

#include "kmaplab/hypercall.h"

struct machine;

/* Serves the hypercall whose SVC is at `pc`. */
void hypercall_dispatch(struct machine *m, uint32_t pc);

#endif
