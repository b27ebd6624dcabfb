/* SPDX-License-Identifier: MIT */
/* Core profiles: the TLB geometry and the cycle costs of one ARM core.
 * Every number has its source next to it in core.c (a TRM section) or is
 * marked there as an assumption; docs/cycle-model.md lists them all. */
#ifndef KMAPLAB_MM_CORE_H
#define KMAPLAB_MM_CORE_H

#include <stdbool.h>
#include <stdint.h>

enum tlb_replacement {
	TLB_REPL_ROUND_ROBIN, /* next victim pointer per set */
	TLB_REPL_RANDOM,      /* seeded pseudo-random: deterministic per seed */
	TLB_REPL_LRU,
};

struct tlb_geometry {
	unsigned entries;  /* 0: the level does not exist */
	unsigned ways;     /* entries == ways: fully associative */
	enum tlb_replacement replacement;
	/* Largest page this level caches whole (a power of two >= 4096); a
	 * larger translation is cached as the max_page-sized piece holding the
	 * accessed address.  0: every page size is cached whole. */
	uint32_t max_page;
};

/* CP15 registers whose write flushes the micro TLBs on some cores
 * (core_profile.micro_flush_regs, tlb_reg_write()). */
enum core_reg {
	CORE_REG_CONTEXTIDR = 1u << 0,
	CORE_REG_DACR       = 1u << 1,
	CORE_REG_TTBR       = 1u << 2, /* TTBR0, TTBR1 (and TTBCR) */
	CORE_REG_REMAP      = 1u << 3, /* PRRR, NMRR */
};

/* Cycles charged by the model, per event.  All in core clock cycles. */
struct core_costs {
	unsigned micro_miss;     /* micro-TLB miss that hits the main TLB */
	unsigned walk_start;     /* main-TLB miss, before the descriptor reads */
	unsigned desc_read;      /* each descriptor read of a walk */
	unsigned tlbi_mva;       /* TLBIMVA / TLBIMVAA / TLBIMVAIS ... per page */
	unsigned tlbi_asid;      /* TLBIASID */
	unsigned tlbi_all;       /* TLBIALL */
	unsigned bpiall;         /* branch predictor invalidate all */
	unsigned dsb;
	unsigned isb;
	unsigned pte_write;      /* one PTE store by kernel code (plugin work) */
	unsigned mem_access;     /* one load/store of kernel data (plugin work) */
	unsigned hypercall;      /* entry/exit of a modelled kernel function */
};

struct core_profile {
	const char *name;            /* "cortex-a7", ... as given to --core */
	const char *description;
	struct tlb_geometry utlb_i;  /* instruction micro TLB */
	struct tlb_geometry utlb_d;  /* data micro TLB */
	struct tlb_geometry main;    /* unified main TLB */
	unsigned main_lockable;      /* lockable entries beside the main TLB (0 if none) */
	struct core_costs cost;
	/* Every TLB maintenance operation flushes both micro TLBs entirely,
	 * whatever its scope or address (the TRMs of A7 and A9 say so). */
	bool maint_flushes_micro;
	/* CORE_REG_* mask: writing one of these flushes both micro TLBs. */
	unsigned micro_flush_regs;
};

/* NULL if no profile has that name. */
const struct core_profile *core_profile_find(const char *name);
/* The profiles, in a fixed order, ending with NULL. */
extern const struct core_profile *const core_profiles[];

#endif
