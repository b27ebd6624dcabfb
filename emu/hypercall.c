/* Hypercall dispatch.  The guest's SVC carries the call number in r12 and
 * up to four arguments in r0-r3; the result goes back in r0.  Every number
 * is served by the policy layer (plugins/policy.c), which runs the kernel
 * code on mm/ and the loaded mapping policy. */
#include "hypercall.h"

#include "machine.h"
#include "policy.h"
#include "smp.h"
#include "trace.h"

void hypercall_dispatch(struct machine *m, uint32_t pc)
{
	uint32_t args[4] = {
		guest_reg(m, UC_ARM_REG_R0), guest_reg(m, UC_ARM_REG_R1),
		guest_reg(m, UC_ARM_REG_R2), guest_reg(m, UC_ARM_REG_R3),
	};
	uint32_t nr = guest_reg(m, UC_ARM_REG_R12), ret = 0;
	if (smp_hypercall(m, nr, args, pc, &ret)) {
		if (!m->hc_no_ret)
			guest_set_reg(m, UC_ARM_REG_R0, ret);
		return;
	}
	if (m->trace)
		trace_set_pc(m->trace, pc);
	hazard_set_kernel_pc(m->mm.hazards, pc);
	switch (kmaplab_hypercall(m->policy, nr, args, pc, &ret)) {
	case HC_DONE:
		guest_set_reg(m, UC_ARM_REG_R0, ret);
		smp_after_kmap_call(m, nr, ret);
		return;
	case HC_STOP_BUG:
		machine_stop(m, STOP_KERNEL_BUG, "%s", policy_message(m->policy));
		return;
	case HC_STOP_WOULD_SLEEP:
		/* pkmap_map_wait: another CPU's kunmap() may wake it. */
		if (nr == HC_KMAP && smp_pkmap_sleep(m, pc, args[0]))
			return;
		machine_stop(m, STOP_WOULD_SLEEP, "%s", policy_message(m->policy));
		return;
	case HC_BAD_CALL:
		machine_stop(m, STOP_BAD_CALL, "%s", policy_message(m->policy));
		return;
	}
}
