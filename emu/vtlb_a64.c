/* SPDX-License-Identifier: MIT */
/* The AArch64 virtual TLB on Unicorn 2.1 (vtlb_a64.h). */
#include "vtlb_a64.h"

#include <stdlib.h>

#include "uc_compat.h"

#if UC_API_MAJOR > 2 || (UC_API_MAJOR == 2 && UC_API_MINOR >= 1)
#define HAVE_A64_VTLB 1
#else
#define HAVE_A64_VTLB 0
#endif

/* A page the guest may not access this way is sent to a physical address
 * no region holds, so the access reaches the *_UNMAPPED hooks; the VA is
 * the one of the latest refused fill. */
#define A64_VTLB_TRAP (1ull << 44)

struct a64_vtlb {
	uc_engine *uc;
	const struct a64_mem *mem;
	uint64_t ttbr0, ttbr1;
	unsigned va_bits;
	uint64_t *va_of_pfn; /* VA page | 1 that QEMU may hold for a RAM page, 0: none */
	uint64_t pages;
	uint64_t trap_va;    /* VA page of the latest refused fill */
};

uint64_t a64_vtlb_hook_va(const struct a64_vtlb *v, uint64_t addr)
{
	if (!v)
		return addr;
	uint64_t off = addr & (A64_PAGE_SIZE - 1);
	if (addr >= A64_VTLB_TRAP)
		return v->trap_va | off;
	uint64_t pfn = (addr - v->mem->base) >> A64_PAGE_SHIFT;
	if (addr >= v->mem->base && pfn < v->pages && v->va_of_pfn[pfn])
		return (v->va_of_pfn[pfn] & ~(A64_PAGE_SIZE - 1)) | off;
	return addr; /* no fill names it: cannot happen while every fill passes here */
}

#define QEMU_PAGE 1024u /* Unicorn's ARM64 target page */

void a64_vtlb_flush_all(struct a64_vtlb *v)
{
	if (!v)
		return;
	uc_arm64_cp_reg r = { .op0 = 1, .op1 = 0, .crn = 8, .crm = 7, .op2 = 0 }; /* TLBI VMALLE1 */
	uc_reg_write(v->uc, UC_ARM64_REG_CP_REG, &r);
}

void a64_vtlb_set_tables(struct a64_vtlb *v, uint64_t ttbr0, uint64_t ttbr1)
{
	if (!v || (v->ttbr0 == ttbr0 && v->ttbr1 == ttbr1))
		return; /* an ASID change alone: QEMU flushes its TLB itself (asid_a64.h) */
	v->ttbr0 = ttbr0;
	v->ttbr1 = ttbr1;
	a64_vtlb_flush_all(v);
}

#if HAVE_A64_VTLB
static bool vtlb_fill(uc_engine *uc, uint64_t addr, uc_mem_type type, uc_tlb_entry *e, void *arg)
{
	(void)uc;
	struct a64_vtlb *v = arg;
	uint64_t va = addr & ~(A64_PAGE_SIZE - 1), desc, pa;
	unsigned level;
	uint64_t ttbr = (va >> 55) & 1 ? v->ttbr1 : v->ttbr0;
	bool ok = a64_walk(v->mem, ttbr, v->va_bits, va, &desc, &level, &pa);
	/* EL1 permissions: AP[2] read-only, PXN no execution. */
	if (ok && ((type == UC_MEM_WRITE && (desc & PTE_RDONLY)) || (type == UC_MEM_FETCH && (desc & PTE_PXN))))
		ok = false;
	if (!ok) {
		v->trap_va = va;
		e->paddr = A64_VTLB_TRAP;
		e->perms = UC_PROT_ALL;
		return true;
	}
	pa &= ~(A64_PAGE_SIZE - 1);
	uint64_t pfn = (pa - v->mem->base) >> A64_PAGE_SHIFT;
	if (pa >= v->mem->base && pfn < v->pages) {
		uint64_t old = v->va_of_pfn[pfn];
		/* The older VA's 1 KiB pieces cannot be named by a TLBI by VA
		 * (its operand is VA[55:12]): QEMU's whole TLB goes. */
		if (old && (old & ~(A64_PAGE_SIZE - 1)) != va)
			a64_vtlb_flush_all(v);
		v->va_of_pfn[pfn] = va | 1;
	}
	e->paddr = pa | (addr & (A64_PAGE_SIZE - 1) & ~(uint64_t)(QEMU_PAGE - 1)); /* QEMU's 1 KiB piece */
	e->perms = (uc_prot)(UC_PROT_READ | ((desc & PTE_RDONLY) ? 0 : UC_PROT_WRITE) | ((desc & PTE_PXN) ? 0 : UC_PROT_EXEC));
	return true;
}
#endif

struct a64_vtlb *a64_vtlb_install(uc_engine *uc, const struct a64_mem *mem, uint64_t ttbr0, uint64_t ttbr1,
				  unsigned va_bits, uc_err *err)
{
	*err = UC_ERR_OK;
	if (uc_compat_regions_are_virtual())
		return NULL; /* 2.0.x: hooks see VAs, QEMU walks the tables itself */
#if HAVE_A64_VTLB
	struct a64_vtlb *v = calloc(1, sizeof(*v));
	if (v)
		v->va_of_pfn = calloc(mem->size >> A64_PAGE_SHIFT, sizeof(*v->va_of_pfn));
	if (!v || !v->va_of_pfn) {
		a64_vtlb_free(v);
		*err = UC_ERR_NOMEM;
		return NULL;
	}
	*v = (struct a64_vtlb){ .uc = uc, .mem = mem, .ttbr0 = ttbr0, .ttbr1 = ttbr1, .va_bits = va_bits,
				.va_of_pfn = v->va_of_pfn, .pages = mem->size >> A64_PAGE_SHIFT };
	uc_hook h;
	*err = uc_ctl_tlb_mode(uc, UC_TLB_VIRTUAL);
	if (!*err)
		*err = uc_hook_add(uc, &h, UC_HOOK_TLB_FILL, vtlb_fill, v, 1, 0);
	if (*err) {
		a64_vtlb_free(v);
		return NULL;
	}
	return v;
#else
	(void)uc;
	(void)mem;
	(void)ttbr0;
	(void)ttbr1;
	(void)va_bits;
	*err = UC_ERR_VERSION; /* built against 2.0 headers, running on a later library */
	return NULL;
#endif
}

void a64_vtlb_free(struct a64_vtlb *v)
{
	if (!v)
		return;
	free(v->va_of_pfn);
	free(v);
}
