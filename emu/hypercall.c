/* Hypercall dispatch.  The guest's SVC carries the call number in r12 and
 * up to four arguments in r0-r3; the result goes back in r0. */
#include "hypercall.h"

#include "machine.h"

static uint32_t kernel_info(struct machine *m, uint32_t which, bool *ok)
{
	const struct kernel_layout *l = &m->mm.layout;
	*ok = true;
	switch (which) {
	case KINFO_PAGE_OFFSET: return l->page_offset;
	case KINFO_PHYS_OFFSET: return l->phys_offset;
	case KINFO_PKMAP_BASE: return l->pkmap_base;
	case KINFO_LAST_PKMAP: return LAST_PKMAP;
	case KINFO_SWAPPER_PG_DIR: return __va(l, m->mm.swapper_pg_dir);
	case KINFO_PKMAP_PAGE_TABLE: return __va(l, m->mm.pkmap_page_table);
	case KINFO_BM_PTE: return __va(l, m->mm.bm_pte);
	case KINFO_MAX_LOW_PFN: return (l->phys_offset + l->lowmem_size) >> PAGE_SHIFT;
	case KINFO_MAX_PFN: return (l->phys_offset + l->ram_size) >> PAGE_SHIFT;
	case KINFO_ARCH_PFN_OFFSET: return l->phys_offset >> PAGE_SHIFT;
	case KINFO_NR_CPUS: return 1;
	}
	*ok = false;
	return 0;
}

void hypercall_dispatch(struct machine *m, uint32_t pc)
{
	uint32_t nr = guest_reg(m, UC_ARM_REG_R12);
	uint32_t a0 = guest_reg(m, UC_ARM_REG_R0);
	uint32_t ret = 0;
	bool ok = true;
	char sym[128];

	switch (nr) {
	case HC_ABI_VERSION:
		ret = KMAPLAB_HC_ABI_VERSION;
		break;
	case HC_KERNEL_INFO:
		ret = kernel_info(m, a0, &ok);
		if (!ok) {
			machine_stop(m, STOP_BAD_CALL, "HC_KERNEL_INFO: unknown selector %u at %s", a0,
				     machine_symbolize(m, pc, sym, sizeof(sym)));
			return;
		}
		break;
	default:
		machine_stop(m, STOP_BAD_CALL, "unknown hypercall %u at %s (hypercall ABI version %d)", nr,
			     machine_symbolize(m, pc, sym, sizeof(sym)), KMAPLAB_HC_ABI_VERSION);
		return;
	}
	guest_set_reg(m, UC_ARM_REG_R0, ret);
}
