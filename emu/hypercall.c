/* SPDX-License-Identifier: MIT */
/* Hypercall dispatch.  The guest's SVC carries the call number in r12 and
 * up to four arguments in r0-r3; the result goes back in r0.  Every number
 * is served by the policy layer (plugins/policy.c), which runs the kernel
 * code on mm/ and the loaded mapping policy. */
#include "hypercall.h"

#include <string.h>

#include "hypercall_decode.h"
#include "machine.h"
#include "policy.h"
#include "smp.h"
#include "trace.h"

/* FNV-1a of the WARN's kernel function (its text up to the first '('). */
static uint32_t warn_site_fn(const char *w)
{
	uint32_t h = 2166136261u;
	if (!strncmp(w, "WARNING: ", 9))
		w += 9;
	for (; *w && *w != '(' && *w != ':'; w++)
		h = (h ^ (uint8_t)*w) * 16777619u;
	return h;
}

/* A kernel WARN is printed as the kernel prints it, once per site (the
 * guest call site and the kernel function that warned, as WARN_ONCE would
 * do for one caller); kmap.warnings counts every one. */
static void print_warning(struct machine *m, uint32_t pc)
{
	uint32_t fn = warn_site_fn(m->ks->last_warning);
	for (size_t i = 0; i < m->nwarned; i++)
		if (m->warned[i].pc == pc && m->warned[i].fn == fn)
			return;
	if (m->nwarned == MAX_WARN_SITES)
		return;
	m->warned[m->nwarned].pc = pc;
	m->warned[m->nwarned].fn = fn;
	m->nwarned++;
	char sym[128];
	fprintf(stderr, "kmaplab: %s [called at %s] (printed once per call site; kmap.warnings counts all)\n",
		m->ks->last_warning, machine_symbolize(m, pc, sym, sizeof(sym)));
}

void hypercall_dispatch(struct machine *m, uint32_t pc)
{
	uint64_t warnings = m->ks->stats.warnings;
	uint32_t regs[16] = { 0 }, ret = 0;
	for (int i = 0; i < 4; i++)
		regs[i] = guest_reg(m, UC_ARM_REG_R0 + i);
	regs[12] = guest_reg(m, UC_ARM_REG_R12);
	struct hc_call c;
	hypercall_decode(regs, pc, &c);
	/* ABI v2's SMP calls (0x50-0x57) are the scheduler's (emu/smp.c). */
	if (smp_hypercall(m, c.nr, c.args, c.pc, &ret)) {
		if (!m->hc_no_ret)
			guest_set_reg(m, UC_ARM_REG_R0, ret);
		return;
	}
	if (m->trace)
		trace_set_pc(m->trace, pc);
	hazard_set_kernel_pc(m->mm.hazards, pc);
	enum hc_status r = kmaplab_hypercall(m->policy, c.nr, c.args, c.pc, &ret);
	if (m->ks->stats.warnings > warnings)
		print_warning(m, pc);
	switch (r) {
	case HC_DONE:
		guest_set_reg(m, UC_ARM_REG_R0, ret);
		smp_after_kmap_call(m, c.nr, ret);
		return;
	case HC_STOP_BUG:
		machine_stop(m, STOP_KERNEL_BUG, "%s", policy_message(m->policy));
		return;
	case HC_STOP_WOULD_SLEEP:
		/* pkmap_map_wait: another CPU's kunmap() may wake it. */
		if (c.nr == HC_KMAP && smp_pkmap_sleep(m, pc, c.args[0]))
			return;
		machine_stop(m, STOP_WOULD_SLEEP, "%s", policy_message(m->policy));
		return;
	case HC_BAD_CALL:
		machine_stop(m, STOP_BAD_CALL, "%s", policy_message(m->policy));
		return;
	}
}
