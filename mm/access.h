/* SPDX-License-Identifier: MIT */
/* One guest memory access through the modelled TLB: look-up, walk on a
 * miss, cycles, the stale-translation check on a hit (observed), and the
 * architectural check (mm/hazard.h) while the CPU has anything possibly
 * stale.  CPU 0: the model has one CPU for now. */
#ifndef KMAPLAB_MM_ACCESS_H
#define KMAPLAB_MM_ACCESS_H

#include <stdint.h>

#include "mm.h"
#include "tlb.h"

/* Models `count` consecutive accesses of kind `access` to the page of `va`
 * (an instruction fetch of a block costs one look-up per instruction; all
 * after the first hit the micro TLB).  Returns MMU_OK, or the fault the
 * walk or the permission check found (the emulator raises the abort). */
enum mmu_fault mm_access_slow(struct mm *mm, uint32_t va, enum mmu_access access, uint32_t count);

/* --model cache: one data load or store (write) of `pa` through the
 * CPU's L1D and the L2; charges the latency beyond an L1 hit (the
 * instruction's own cost holds that) and the write-backs of the dirty
 * lines its fills evicted; a store leaves its line dirty.  Only called
 * when mm->caches is set. */
void mm_cache_data(struct mm *mm, uint32_t pa, bool write);

/* --model cache: the instruction fetches of `bytes` bytes of code from
 * `va` on, within one page, whose fetch look-up mm_access() has just made
 * (MMU_OK): one L1I look-up per cache line they span, then the L2; charges
 * the cycles beyond an L1I hit.  Only called when mm->caches is set. */
void mm_cache_fetch(struct mm *mm, uint32_t va, uint32_t bytes);

/* A successful access of `va` at `pa`: data goes through L1D; a fetch's
 * PA is kept for mm_cache_fetch(). */
static inline void mm_cache_note(struct mm *mm, uint32_t va, uint32_t pa, enum mmu_access access)
{
	if (access != MMU_FETCH) {
		mm_cache_data(mm, pa, access == MMU_WRITE);
	} else {
		mm->caches->fetch_va = va;
		mm->caches->fetch_pa = pa;
	}
}

/* True if mmu_check() would return MMU_OK (false: ask it). */
static inline bool mm_check_ok_fast(const struct mmu_translation *t, uint32_t dacr,
				    enum mmu_access access)
{
	if (t->fault != MMU_OK)
		return false;
	if (t->mmu_off)
		return true;
	unsigned d = (dacr >> (2 * (t->domain & 0xfu))) & 0x3u;
	if (d == 0x3u) /* manager */
		return true;
	if (d != 0x1u || (access == MMU_FETCH && t->xn))
		return false;
	unsigned ap = t->ap & 0x7u; /* privileged: 1..3 RW, 5..7 RO */
	return (ap >= 1 && ap <= 3) || (ap >= 5 && access != MMU_WRITE);
}

static inline enum mmu_fault mm_access(struct mm *mm, uint32_t va, enum mmu_access access,
				       uint32_t count)
{
	if (__builtin_expect(!(mm->regs.sctlr & 1u), 0))
		return MMU_OK; /* SCTLR.M clear: VA is PA, no TLB is used (B3.2.1) */
	enum tlb_side side = access == MMU_FETCH ? TLB_SIDE_I : TLB_SIDE_D;
	const struct mmu_translation *t = tlb_peek_mru(mm->tlb, side, va, (uint8_t)(mm->regs.contextidr & 0xff));
	if (t && count) {
		if ((t->level == 0 || (phys_read32(&mm->mem, t->l1_pa) == t->l1_desc &&
				       (t->level != 2 || phys_read32(&mm->mem, t->l2_pa) == t->l2_desc))) &&
		    mm_check_ok_fast(t, mm->regs.dacr, access) && hazard_va_quiet(mm->hazards, mm->smp.cpu, va)) {
			tlb_count_mru_hits(mm->tlb, count); /* micro hits cost 0 cycles */
			if (mm->caches)
				mm_cache_note(mm, va, mmu_pa(t, va), access);
			return MMU_OK;
		}
	}
	return mm_access_slow(mm, va, access, count);
}

#endif
