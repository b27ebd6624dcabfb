/* SPDX-License-Identifier: MIT */
/* The modelled kernel's highmem machinery and its state (mm/highmem.c in
 * Linux v5.x): mem_map, the pkmap window's kernel data, page_address() and
 * set_page_address() through page_address_htable, and everything a policy
 * (plugins/) works on.
 *
 * Kernel data in guest RAM, all allocated with memblock_alloc() by
 * kmap_init() and laid out like the kernel's (VAs in struct kmap_state):
 *
 *   mem_map               struct page[max_pfn - ARCH_PFN_OFFSET], 32 bytes each (page.h)
 *   pkmap_count           int[LAST_PKMAP]: 0 free, 1 mapped but unused and
 *                         awaiting a flush, n > 1 used by n - 1 kmaps
 *   last_pkmap_nr         unsigned int: the round-robin cursor (a static in
 *                         get_next_pkmap_nr() in the kernel)
 *   page_address_maps     struct page_address_map[LAST_PKMAP], 16 bytes each:
 *                           0 struct page *page, 4 void *virtual,
 *                           8 struct list_head list
 *   page_address_htable   struct page_address_slot[1 << PA_HASH_ORDER],
 *                         ____cacheline_aligned_in_smp (64 bytes each):
 *                           0 struct list_head lh, 8 spinlock_t lock (0)
 *   __kmap_atomic_idx     int[NR_CPUS]: depth of each CPU's kmap_atomic stack
 *
 * page_slot(page) = &page_address_htable[hash_ptr(page, PA_HASH_ORDER)],
 * hash_ptr being hash_32(page * GOLDEN_RATIO_32) >> (32 - 7) on 32 bits.
 *
 * The emulator's sequence: layout_init, paging_init, (its own
 * memblock_alloc calls), kmap_init, then plugins/ loads the policy. */
#ifndef KMAPLAB_MM_HIGHMEM_H
#define KMAPLAB_MM_HIGHMEM_H

#include <stddef.h>
#include <stdint.h>

#include "bug.h"
#include "fixmap.h"
#include "flush.h"
#include "kernel.h"
#include "mm.h"
#include "mmzone.h"
#include "tlbflush.h"
#include "trace.h"

#define PA_HASH_ORDER 7u
#define PA_HASH_SIZE (1u << PA_HASH_ORDER)

#define PAGE_ADDRESS_MAP_SIZE 16u
#define PAM_OFF_PAGE 0u
#define PAM_OFF_VIRTUAL 4u
#define PAM_OFF_LIST 8u
#define PAGE_ADDRESS_SLOT_SIZE 64u /* L1_CACHE_BYTES on ARMv7 */
#define PAS_OFF_LH 0u
#define PAS_OFF_LOCK 8u

struct kmap_config {
	unsigned km_type_nr; /* fixmap kmap slots per CPU; 0: the kernel profile's */
	unsigned nr_cpus;    /* NR_CPUS; 0: NR_CPUS_DEFAULT (1) */
	const struct kernel_profile *kernel; /* NULL: v5.10's defaults (mm/kernel.h) */
};

/* What ends up under "kmap" and "flush" in the stats besides mm->stats. */
struct kmap_stats {
	uint64_t calls[KMAP_NR_OPS];            /* kmap.<op>, incl. flush_all_zero_pkmaps */
	struct flush_stats by_cause[FLUSH_NR_CAUSES]; /* the three primitives together */
	uint64_t mem_accesses;                  /* charged kernel-data loads/stores */
	uint64_t pte_writes;                    /* charged PTE stores */
	uint64_t warnings;
	uint64_t ops[KOP_NR];                   /* flush.ops.<OP>: what the primitives issued */
};

struct kmap_state {
	struct mm *mm;
	struct fixmap_layout fix;
	struct kernel_profile kernel;  /* the modelled kernel (--kernel) */
	struct tlbflush_seqs seqs;     /* its flush primitives on this core */

	/* pfns: mem_map[0] is ARCH_PFN_OFFSET; lowmem below max_low_pfn. */
	uint32_t arch_pfn_offset;
	uint32_t max_low_pfn;
	uint32_t max_pfn;

	/* Kernel data in guest RAM (kernel VAs). */
	uint32_t mem_map;
	uint32_t pkmap_count;
	uint32_t last_pkmap_nr;
	uint32_t page_address_maps;
	uint32_t page_address_htable;
	uint32_t kmap_atomic_idx;

	/* Page allocator (mm/page_alloc.c). */
	struct zone zones[MAX_NR_ZONES];
	uint8_t *page_free; /* per pfn - arch_pfn_offset: 1 while on a free list */

	/* BUG / would-sleep (mm/bug.h). */
	enum kmap_status status;
	char message[1024];
	char last_warning[256];

	/* The trace sink (mm/trace.h); set by the emulator, may stay NULL. */
	const struct mm_trace_ops *trace;
	void *trace_arg;

	struct kmap_stats stats;
};

/* Allocates the kernel data above with memblock_alloc, initialises it
 * (page_address_init, mem_map with zones and PG_reserved), and hands the
 * rest of lowmem and all of highmem to the page allocator.  After it,
 * memblock is retired (memblock_end = memblock_next: memblock_alloc fails),
 * as mem_init() does.  `cfg` may be NULL for the defaults.  Returns a new
 * state, or NULL with a reason in `err`. */
struct kmap_state *kmap_init(struct mm *mm, const struct kmap_config *cfg, char *err,
			     size_t errlen);
void kmap_free(struct kmap_state *ks);

/* Changes KM_TYPE_NR (policies do this at install, before the guest
 * runs).  Returns 0, or -1 with a reason. */
int kmap_set_km_type_nr(struct kmap_state *ks, unsigned km_type_nr, char *err, size_t errlen);

/* The kernel's page_address(): a lowmem page's linear address, a highmem
 * page's pkmap address from the hash, or 0.  Charged.  BUG on a bad page. */
uint32_t page_address(struct kmap_state *ks, uint32_t page);

/* set_page_address(): `virtual` != 0 adds the page_address_maps entry of
 * PKMAP_NR(virtual) to the page's hash bucket; 0 removes the page's entry.
 * BUG_ON(!PageHighMem(page)); BUG if `virtual` is not a pkmap address. */
void set_page_address(struct kmap_state *ks, uint32_t page, uint32_t virtual);

/* page_address() for reports and traces: the same lookup, uncharged and
 * without side effects (no lock), never a BUG (a bad page or a corrupted
 * bucket gives 0). */
uint32_t page_address_peek(const struct kmap_state *ks, uint32_t page);

/* &page_address_htable[hash_ptr(page, PA_HASH_ORDER)] (kernel VA). */
uint32_t page_slot(const struct kmap_state *ks, uint32_t page);

/* Lets a policy's event (KMAP_OP_FLUSH_ALL_ZERO_PKMAPS) reach the stats
 * and the trace sink. */
void kmap_note(struct kmap_state *ks, enum kmap_op op, uint32_t arg);
/* The same for work that began at cycle `begin` and ends now: the event
 * gets that start and the cycles in between (flush_all_zero_pkmaps, whose
 * range flush then lies inside it on a timeline). */
void kmap_note_span(struct kmap_state *ks, enum kmap_op op, uint32_t arg, uint64_t begin);

/* Sends a kmap_event to the trace sink (if any) and counts it. */
void kmap_trace(struct kmap_state *ks, const struct kmap_event *ev);

#endif
