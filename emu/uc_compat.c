#include "uc_compat.h"

static bool is_2_0_x(void)
{
	unsigned major, minor;
	uc_version(&major, &minor);
	return major == 2 && minor == 0;
}

uc_err uc_compat_open(int cpu_model, uc_engine **out)
{
	uc_engine *uc;
	uc_err err = uc_open(UC_ARCH_ARM, UC_MODE_ARM, &uc);
	if (err)
		return err;
	err = uc_ctl_set_cpu_model(uc, cpu_model);
	if (!err)
		err = uc_ctl_set_page_size(uc, is_2_0_x() ? 2048 : 4096);
	if (!err && uc_compat_page_size(uc) != 4096)
		err = UC_ERR_ARG;
	if (err) {
		uc_close(uc);
		return err;
	}
	*out = uc;
	return UC_ERR_OK;
}

/* 2.0.1's UC_CTL_READ shifts the int 2 left by 30, a signed overflow that
 * UBSan reports: the same control word, computed unsigned. */
#define COMPAT_CTL_READ(type, nr) \
	((uc_control_type)((unsigned)(type) | ((unsigned)(nr) << 26) | (2u << 30)))

uint32_t uc_compat_page_size(uc_engine *uc)
{
	uint32_t ps = 0;
	if (uc_ctl(uc, COMPAT_CTL_READ(UC_CTL_UC_PAGE_SIZE, 1), &ps) != UC_ERR_OK)
		return 0;
	return ps;
}

uc_err uc_compat_cp15_write(uc_engine *uc, unsigned crn, unsigned crm, unsigned opc1,
			    unsigned opc2, uint32_t val)
{
	uc_arm_cp_reg r = { .cp = 15, .sec = 0, .crn = crn, .crm = crm, .opc1 = opc1, .opc2 = opc2, .val = val };
	return uc_reg_write(uc, UC_ARM_REG_CP_REG, &r);
}

uc_err uc_compat_cp15_read(uc_engine *uc, unsigned crn, unsigned crm, unsigned opc1,
			   unsigned opc2, uint32_t *val)
{
	uc_arm_cp_reg r = { .cp = 15, .sec = 0, .crn = crn, .crm = crm, .opc1 = opc1, .opc2 = opc2 };
	uc_err err = uc_reg_read(uc, UC_ARM_REG_CP_REG, &r);
	*val = (uint32_t)r.val;
	return err;
}

uc_err uc_compat_flush_tlb_all(uc_engine *uc)
{
	return uc_compat_cp15_write(uc, 8, 7, 0, 0, 0); /* TLBIALL */
}

uc_err uc_compat_flush_tlb_page(uc_engine *uc, uint32_t va)
{
	/* TLBIMVA: QEMU flushes the page for every ASID (its TLB is not
	 * ASID-tagged), and unlike TLBIMVAA it exists on ARMv6 too. */
	return uc_compat_cp15_write(uc, 8, 7, 0, 1, va & ~0xfffu);
}

uc_err uc_compat_map_va_window(uc_engine *uc, uint32_t va, uint32_t size)
{
	return uc_mem_map(uc, va, size, UC_PROT_ALL);
}
