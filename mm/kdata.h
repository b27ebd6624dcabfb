/* SPDX-License-Identifier: MIT */
/* Kernel data in guest RAM, as the modelled kernel's C code touches it.
 *
 * Everything the highmem machinery keeps (mem_map, pkmap_count[],
 * page_address_htable[], the PTEs...) lives in guest RAM at lowmem kernel
 * VAs, so the guest (or a debugger) can read it.  mm/ reads and writes it
 * through these helpers, which are also the cost model of kernel work:
 *
 *   every 32-bit load or store of kernel data   core_costs.mem_access
 *   every PTE store (mm/pgtable.h)              core_costs.pte_write
 *
 * A VA outside lowmem is a kernel bug (a wild pointer): it is reported with
 * kmap_bug() and the access does nothing (loads return 0). */
#ifndef KMAPLAB_MM_KDATA_H
#define KMAPLAB_MM_KDATA_H

#include <stdbool.h>
#include <stdint.h>

struct kmap_state;

/* True if [va, va + len) is lowmem kernel data (linearly mapped RAM). */
bool kdata_valid(const struct kmap_state *ks, uint32_t va, uint32_t len);

/* Charged accesses (one mem_access each). */
uint32_t kread32(struct kmap_state *ks, uint32_t va);
void kwrite32(struct kmap_state *ks, uint32_t va, uint32_t val);

/* Uncharged accesses for set-up and for reports (not kernel work).  The VA
 * must be valid (callers check). */
uint32_t kpeek32(const struct kmap_state *ks, uint32_t va);
void kpoke32(struct kmap_state *ks, uint32_t va, uint32_t val);

/* Adds `cycles` of kernel work to mm->stats.cycles. */
void kcharge(struct kmap_state *ks, uint64_t cycles);

#endif
