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

/* Unicorn checks every *virtual* address against its mapped regions even
 * with the MMU on, so each VA window the guest uses needs a placeholder
 * region whose bytes are never used.  RAM placeholders, not MMIO: windows
 * that hold code must be RAM for QEMU to translate from them. */
uc_err uc_compat_map_va_window(uc_engine *uc, uint32_t va, uint32_t size);

#endif
