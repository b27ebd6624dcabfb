/* SPDX-License-Identifier: MIT */
/* The AArch64 machine on Unicorn 2.1: its memory hooks report *physical*
 * addresses (uc_compat.h explains the change), so, as the ARM32 machine's
 * uc_compat vtlb does with 32-bit VAs, the engine runs in its virtual TLB
 * mode: every QEMU TLB fill asks the model's own walk of swapper_pg_dir
 * (QEMU's walker is not used), and QEMU's TLB is kept free of aliases (one
 * VA page per RAM page: a fill for a second VA drops QEMU's whole TLB),
 * so that a hook's physical address names one VA.  On 2.0.x none of this
 * is installed and hooks see VAs. */
#ifndef KMAPLAB_EMU_VTLB_A64_H
#define KMAPLAB_EMU_VTLB_A64_H

#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

#include "arm64.h"

struct a64_vtlb;

/* Installs it on 2.1 (NULL and *err == UC_ERR_OK on 2.0.x).  The walk uses
 * `ttbr1` (kernel VAs) and `ttbr0` tables of `mem`, VA_BITS `va_bits`. */
struct a64_vtlb *a64_vtlb_install(uc_engine *uc, const struct a64_mem *mem, uint64_t ttbr0, uint64_t ttbr1,
				  unsigned va_bits, uc_err *err);
void a64_vtlb_free(struct a64_vtlb *v);
/* After any TLBI: QEMU's AArch64 pages are 1 KiB (Unicorn cannot set
 * another size for ARM64; measured on 2.0.1 and 2.1.1) and a fill entry
 * carries no page size, so QEMU's TLBI by VA would drop only the first
 * 1 KiB of a 4 KiB page: its whole TLB is dropped instead (the model, not
 * QEMU's TLB, is what is counted and timed).  No-op without a vtlb. */
void a64_vtlb_flush_all(struct a64_vtlb *v);
/* The guest wrote TTBR0_EL1/TTBR1_EL1 (table addresses): later fills walk
 * those; when they changed QEMU's TLB is dropped.  No-op without a vtlb. */
void a64_vtlb_set_tables(struct a64_vtlb *v, uint64_t ttbr0, uint64_t ttbr1);
/* The VA of the access a memory hook reported at `addr` (identity without
 * a vtlb). */
uint64_t a64_vtlb_hook_va(const struct a64_vtlb *v, uint64_t addr);

#endif
