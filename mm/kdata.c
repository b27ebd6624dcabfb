/* SPDX-License-Identifier: MIT */
/* Kernel data in guest RAM: charged loads and stores (see kdata.h). */
#include "kdata.h"

#include "access.h"
#include "bug.h"
#include "highmem.h"

bool kdata_valid(const struct kmap_state *ks, uint32_t va, uint32_t len)
{
	const struct kernel_layout *l = &ks->mm->layout;
	uint64_t end = (uint64_t)va + len;
	return va >= l->page_offset && end <= l->high_memory && (va & 3) == 0;
}

uint32_t kpeek32(const struct kmap_state *ks, uint32_t va)
{
	return phys_read32(&ks->mm->mem, __pa(&ks->mm->layout, va));
}

void kpoke32(struct kmap_state *ks, uint32_t va, uint32_t val)
{
	phys_write32(&ks->mm->mem, __pa(&ks->mm->layout, va), val);
}

void kcharge(struct kmap_state *ks, uint64_t cycles)
{
	ks->mm->stats.cycles += cycles;
}

uint32_t kread32(struct kmap_state *ks, uint32_t va)
{
	if (!kdata_valid(ks, va, 4)) {
		kmap_bug(ks, "unable to handle kernel read at 0x%08x (not lowmem kernel data)", va);
		return 0;
	}
	ks->stats.mem_accesses++;
	kcharge(ks, ks->mm->core->cost.mem_access);
	if (ks->mm->caches) /* --model cache: beyond the L1 hit mem_access is */
		mm_cache_data(ks->mm, __pa(&ks->mm->layout, va), false);
	return kpeek32(ks, va);
}

void kwrite32(struct kmap_state *ks, uint32_t va, uint32_t val)
{
	if (!kdata_valid(ks, va, 4)) {
		kmap_bug(ks, "unable to handle kernel write at 0x%08x (not lowmem kernel data)", va);
		return;
	}
	ks->stats.mem_accesses++;
	kcharge(ks, ks->mm->core->cost.mem_access);
	if (ks->mm->caches)
		mm_cache_data(ks->mm, __pa(&ks->mm->layout, va), true);
	kpoke32(ks, va, val);
}
