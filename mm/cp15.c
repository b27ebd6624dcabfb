/* SPDX-License-Identifier: MIT */
/* Guest writes to the CP15 registers the translation depends on. */
#include "cp15.h"

#include <stddef.h>

#define TTBCR_EAE (1u << 31)

/* ARM DDI 0406C, B4.1 (the VMSA CP15 registers by CRn). */
static const struct {
	const char *name;
	unsigned crn, crm, opc2;
	unsigned core_reg; /* enum core_reg: whose write flushes micro TLBs */
} regs[CP15_NR_REGS] = {
	[CP15_SCTLR]      = { "SCTLR",       1, 0, 0, 0 },
	[CP15_TTBR0]      = { "TTBR0",       2, 0, 0, CORE_REG_TTBR },
	[CP15_TTBR1]      = { "TTBR1",       2, 0, 1, CORE_REG_TTBR },
	[CP15_TTBCR]      = { "TTBCR",       2, 0, 2, CORE_REG_TTBR },
	[CP15_DACR]       = { "DACR",        3, 0, 0, CORE_REG_DACR },
	[CP15_CONTEXTIDR] = { "CONTEXTIDR", 13, 0, 1, CORE_REG_CONTEXTIDR },
};

const char *cp15_reg_name(enum cp15_reg r)
{
	return (unsigned)r < CP15_NR_REGS ? regs[r].name : "?";
}

int cp15_reg_decode(unsigned opc1, unsigned crn, unsigned crm, unsigned opc2, enum cp15_reg *r)
{
	if (opc1 != 0)
		return -1;
	for (unsigned i = 0; i < CP15_NR_REGS; i++) {
		if (regs[i].crn == crn && regs[i].crm == crm && regs[i].opc2 == opc2) {
			*r = (enum cp15_reg)i;
			return 0;
		}
	}
	return -1;
}

int mm_cp15_write(struct mm *mm, enum cp15_reg r, uint32_t val)
{
	struct mmu_regs *m = &mm->regs;
	switch (r) {
	case CP15_SCTLR: m->sctlr = val; break;
	case CP15_TTBR0: m->ttbr0 = val; break;
	case CP15_TTBR1: m->ttbr1 = val; break;
	case CP15_TTBCR:
		if (val & TTBCR_EAE)
			return -1;
		m->ttbcr = val;
		break;
	case CP15_DACR: m->dacr = val; break;
	case CP15_CONTEXTIDR: m->contextidr = val; break;
	default: return -1;
	}
	if (regs[r].core_reg && mm->tlb)
		tlb_reg_write(mm->tlb, regs[r].core_reg);
	return 0;
}
