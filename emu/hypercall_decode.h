/* SPDX-License-Identifier: MIT */
/* Decoding a kmaplab hypercall from the guest's registers
 * (guest-tests/kmaplab/hypercall.h): the number in r12, the arguments in
 * r0-r3.  No Unicorn here: the fuzz target feeds it register blocks. */
#ifndef KMAPLAB_EMU_HYPERCALL_DECODE_H
#define KMAPLAB_EMU_HYPERCALL_DECODE_H

#include <stdint.h>

struct hc_call {
	uint32_t nr;
	uint32_t args[4];
	uint32_t pc; /* the SVC's address */
};

/* regs[0..15] are r0-r15 at the SVC; `pc` is the SVC's address. */
void hypercall_decode(const uint32_t regs[16], uint32_t pc, struct hc_call *c);

#endif
