/* SPDX-License-Identifier: MIT */
/* Hypercall dispatch.  The guest's SVC carries the call number in r12 and
 * up to four arguments in r0-r3; the result goes back in r0.  Every number
 * is served by the policy layer (plugins/policy.c), which runs the kernel
 * code on mm/ and the loaded mapping policy. */
#include "hypercall.h"

#include "hypercall_decode.h"
#include "machine.h"
#include "policy.h"
#include "trace.h"

void hypercall_dispatch(struct machine *m, uint32_t pc)
{
	uint32_t regs[16] = { 0 }, ret = 0;
	for (int i = 0; i < 4; i++)
		regs[i] = guest_reg(m, UC_ARM_REG_R0 + i);
	regs[12] = guest_reg(m, UC_ARM_REG_R12);
	struct hc_call c;
	hypercall_decode(regs, pc, &c);
	if (m->trace)
		trace_set_pc(m->trace, pc);
	hazard_set_kernel_pc(m->mm.hazards, pc);
	switch (kmaplab_hypercall(m->policy, c.nr, c.args, c.pc, &ret)) {
	case HC_DONE:
		guest_set_reg(m, UC_ARM_REG_R0, ret);
		return;
	case HC_STOP_BUG:
		machine_stop(m, STOP_KERNEL_BUG, "%s", policy_message(m->policy));
		return;
	case HC_STOP_WOULD_SLEEP:
		machine_stop(m, STOP_WOULD_SLEEP, "%s", policy_message(m->policy));
		return;
	case HC_BAD_CALL:
		machine_stop(m, STOP_BAD_CALL, "%s", policy_message(m->policy));
		return;
	}
}
