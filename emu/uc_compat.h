/* SPDX-License-Identifier: MIT */
/* Every Unicorn quirk kmaplab designs around lives behind this header (see
 * DESIGN.md, "Unicorn 2.0.1 — measured facts").  Nothing else in emu/ knows
 * which Unicorn version it runs on. */
#ifndef KMAPLAB_EMU_UC_COMPAT_H
#define KMAPLAB_EMU_UC_COMPAT_H

#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

/* Opens an ARM engine with CPU model `cpu_model` and 4 KiB internal pages.
 * The order matters: the model must be set before the page size, and
 * nothing may read engine state in between (that initialises the engine
 * and both settings are then refused).  2.0.1's page-size control is off by
 * one bit: asking for 2048 gives 4096. */
uc_err uc_compat_open(int cpu_model, uc_engine **out);

/* The internal page size the engine really uses. */
uint32_t uc_compat_page_size(uc_engine *uc);

/* Initialises an engine opened with uc_open (any read of its state does;
 * set the CPU model first) and returns its page size, keeping Unicorn
 * 2.1.1's one leaked block per engine out of LeakSanitizer's report
 * (uc_compat.c says why this is not a suppression).  uc_compat_open calls
 * it; an engine opened otherwise (AArch64) calls it right after
 * uc_ctl_set_cpu_model. */
uint32_t uc_compat_init_engine(uc_engine *uc);

/* CP15 access through UC_ARM_REG_CP_REG, secure bank (the CPU runs secure
 * SVC, and the banked registers it uses are the secure ones). */
uc_err uc_compat_cp15_write(uc_engine *uc, unsigned crn, unsigned crm, unsigned opc1,
			    unsigned opc2, uint32_t val);
uc_err uc_compat_cp15_read(uc_engine *uc, unsigned crn, unsigned crm, unsigned opc1,
			   unsigned opc2, uint32_t *val);

/* Drops QEMU's cached translations.  Host writes to SCTLR/TTBR/DACR do not
 * flush QEMU's TLB and uc_ctl_flush_tlb only drops translated code, so the
 * flush is a write to the TLBIALL / TLBIMVA registers, which also works
 * from inside a hook. */
uc_err uc_compat_flush_tlb_all(uc_engine *uc);
uc_err uc_compat_flush_tlb_page(uc_engine *uc, uint32_t va);

/* Drops every translated block of the engine (code another CPU rewrote,
 * emu/smp.c).  2.0.x names this control uc_ctl_flush_tlb (UC_CTL_TB_FLUSH);
 * 2.1 calls it uc_ctl_flush_tb and uc_ctl_flush_tlb there flushes the TLB. */
uc_err uc_compat_flush_code(uc_engine *uc);

/* Unicorn checks every *virtual* address against its mapped regions even
 * with the MMU on, so each VA window the guest uses needs a placeholder
 * region whose bytes are never used.  RAM placeholders, not MMIO: windows
 * that hold code must be RAM for QEMU to translate from them. */
uc_err uc_compat_map_va_window(uc_engine *uc, uint32_t va, uint32_t size);

/* Unicorn 2.1 changed two things kmaplab relies on (uc.c, cputlb.c of
 * 2.1.x): memory regions are *physical* (no placeholder for VA windows is
 * needed), and memory hooks report the *physical* address of an access.
 * The model needs the virtual one, so on 2.1 the engine runs in its virtual
 * TLB mode (uc_ctl_tlb_mode(UC_TLB_VIRTUAL)): every QEMU TLB fill asks
 * `translate` (the model's own walk of the guest's tables), and the layer
 * keeps QEMU's TLB free of aliases (one VA page per physical page, evicting
 * the older VA on a fill), so that a hook's physical address names one VA.
 * On 2.0.x QEMU walks the tables itself and hooks see VAs already.
 * One per engine (per modelled CPU). */
struct uc_compat_vtlb;

/* Translates `va` for an access of `type` (UC_MEM_READ, UC_MEM_WRITE or
 * UC_MEM_FETCH): true with the page's physical address and the UC_PROT_*
 * bits every access to that page is allowed, or false (a fault: the access
 * is reported to the UC_HOOK_MEM_*_UNMAPPED hooks, whose address
 * uc_compat_hook_va() turns into the exact faulting VA). */
typedef bool (*uc_compat_translate_fn)(void *arg, uint32_t va, uc_mem_type type, uint32_t *pa,
				       uint32_t *prot);

/* Installs the translation on engines whose hooks report physical addresses
 * (a no-op returning NULL with *err == UC_ERR_OK on 2.0.x).  RAM is
 * [ram_base, ram_base + ram_size). */
struct uc_compat_vtlb *uc_compat_vtlb_install(uc_engine *uc, uint32_t ram_base, uint32_t ram_size,
					      uc_compat_translate_fn translate, void *arg, uc_err *err);
void uc_compat_vtlb_free(struct uc_compat_vtlb *v);

/* --model fill (emu/fill_model.c): a translate function may add this bit
 * to *prot to send the page's data accesses through the alias below
 * instead of straight to RAM (never its instruction fetches). */
#define UC_COMPAT_PROT_ALIAS (1u << 16)

/* Called for every data access through the alias, before it is done: the
 * access's VA and PA, its size, and for a store the value. */
typedef void (*uc_compat_alias_fn)(void *arg, uint32_t va, uint32_t pa, unsigned size, bool write,
				   uint64_t value);

/* Maps the alias: an I/O region whose reads and writes call fn and then
 * read or write `ram` (the host memory behind the RAM region), so that
 * chosen pages are seen access by access while all others stay on QEMU's
 * fast path (Unicorn sends every load and store through its slow path as
 * soon as any UC_HOOK_MEM_READ or _WRITE hook exists, whatever its range:
 * tcg/i386/tcg-target.inc.c, tcg_out_tlb_load). */
uc_err uc_compat_vtlb_alias(struct uc_compat_vtlb *v, uint8_t *ram, uc_compat_alias_fn fn, void *arg);

/* Drops [va, va + size), mapped to [pa, pa + size), from QEMU's TLB (size
 * 0: everything).  A large range is dropped by the pages of its physical
 * range that QEMU may hold (the fills' one-VA-per-page record), not one
 * by one over the whole range. */
void uc_compat_vtlb_flush_range(struct uc_compat_vtlb *v, uint32_t va, uint32_t pa, uint32_t size);

/* Drops from QEMU's TLB every page of the 1 MiB of VA at mib << 20 that
 * it was given since that MiB was last dropped (the per-MiB filled bits),
 * RAM or not; no whole flush. */
void uc_compat_vtlb_flush_mib(struct uc_compat_vtlb *v, uint32_t mib);

/* Drops engine uc's whole TLB; `v` (NULL on Unicorn 2.0) is its fill
 * layer, told so that it knows what QEMU can no longer hold (a later fill
 * of a page at another VA then needs no page flush of the old one). */
uc_err uc_compat_vtlb_flush_all(struct uc_compat_vtlb *v, uc_engine *uc);

/* The VA of the access a memory hook reported at `addr` (identity without
 * a vtlb). */
uint32_t uc_compat_hook_va_slow(const struct uc_compat_vtlb *v, uint64_t addr);

/* The first member of struct uc_compat_vtlb: the page the last hook
 * address fell in (runs of accesses stay on one page). */
struct uc_compat_vtlb_hot {
	uint64_t pa_page; /* 1: none */
	uint32_t va_page;
};

static inline uint32_t uc_compat_hook_va(const struct uc_compat_vtlb *v, uint64_t addr)
{
	if (!v)
		return (uint32_t)addr;
	const struct uc_compat_vtlb_hot *h = (const struct uc_compat_vtlb_hot *)(const void *)v;
	if ((addr & ~(uint64_t)0xfff) == h->pa_page)
		return h->va_page | (uint32_t)(addr & 0xfff);
	return uc_compat_hook_va_slow(v, addr);
}

/* True where Unicorn checks virtual addresses against its regions (2.0.x). */
bool uc_compat_regions_are_virtual(void);

#endif
