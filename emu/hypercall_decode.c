/* SPDX-License-Identifier: MIT */
#include "hypercall_decode.h"

void hypercall_decode(const uint32_t regs[16], uint32_t pc, struct hc_call *c)
{
	c->nr = regs[12];
	for (int i = 0; i < 4; i++)
		c->args[i] = regs[i];
	c->pc = pc;
}
