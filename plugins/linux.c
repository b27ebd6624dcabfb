/* SPDX-License-Identifier: MIT */
/* The `linux` policy: what Linux v5.x on ARM32 does, step for step.
 *
 *   kmap, kunmap, kmap_high, map_new_virtual, flush_all_zero_pkmaps,
 *   kunmap_high, kmap_high_get                      mm/highmem.c (v5.4..v5.10)
 *   kmap_atomic, __kunmap_atomic, set_fixmap_pte    arch/arm/mm/highmem.c (v5.x)
 *   kmap_local_page, kunmap_local                   mm/highmem.c (v5.11:
 *	__kmap_local_page_prot, __kmap_local_pfn_prot, kunmap_local_indexed,
 *	with ARM's arch_kmap_local_* hooks from arch/arm/include/asm/highmem.h)
 *   __set_fixmap (set_fixmap, clear_fixmap)         arch/arm/mm/mmu.c
 *   early_ioremap, early_iounmap                    mm/early_ioremap.c
 *
 * A CPU may run several tasks (docs/sched.md): their kmap_local mappings
 * are taken out and put back on a context switch as v5.11+ does (the
 * sched hooks below); smp_processor_id() comes from kmaplab (docs/smp.md);
 * the locks' cost is charged, uncontended.  kmap() finding every pkmap slot
 * held reports "would sleep"; with other CPUs that could kunmap, the
 * emulator puts the CPU to sleep on pkmap_map_wait and retries the call
 * when a kunmap wakes it, else the run stops ("would sleep forever").
 *
 * ARCH_NEEDS_KMAP_HIGH_GET is defined on ARM (kmap_atomic first tries the
 * page's pkmap address) and every modelled core has a non-VIVT data cache,
 * so cache_is_vivt() is false: no cache maintenance, and DEBUG_HIGHMEM
 * makes kmap_atomic skip kmap_high_get.
 *
 * Kernel profiles (--kernel, docs/kernel-profiles.md): the rules above are
 * v5.10's.  Under --kernel 6.6 kmap_atomic/kunmap_atomic run the
 * kmap_local code below (kmap_high_get, else a slot of the kmap_local
 * stack, flushed on map and on unmap), the stack has KM_MAX_IDX slots, and
 * CONFIG_DEBUG_KMAP_LOCAL steps it by KM_INCR 2.
 *
 * kmap_local_page did not exist before v5.11, where kmap_atomic became a
 * wrapper around it.  Here both coexist, so they share one per-CPU stack
 * of fixmap slots (as they do in v5.11) -- two stacks would hand out the
 * same slots.  kmap_atomic keeps its v5.x behaviour (its kunmap leaves the
 * PTE in place), so a kmap_local_page reusing a depth finds the PTE an
 * earlier kmap_atomic left there: that one is expected and overwritten;
 * any other PTE still trips v5.11's BUG_ON(!pte_none()).
 *
 * Options (the --policy linux,key=value,... list):
 *   km_type_nr=N     KM_TYPE_NR, fixmap kmap slots per CPU (default: the
 *                    kernel profile's, ARM's 16; 20 is asm-generic's, the
 *                    seed's; --kernel 5.10,km_type_nr=N says the same).
 *                    Refused on --kernel 6.6, which has no KM_TYPE_NR.
 *   debug_highmem=0|1  (default: --kernel's debug_highmem)
 *                    CONFIG_DEBUG_HIGHMEM: kunmap_atomic clears its PTE
 *                    and flushes, kmap_atomic BUGs on a PTE still set and
 *                    never reuses a pkmap address, nor does kmap_local_page.
 *                    CONFIG_DEBUG_KMAP_LOCAL's guard slots are modelled
 *                    (--kernel 6.6,debug_kmap_local=1); its FORCE_MAP of
 *                    lowmem (DEBUG_KMAP_LOCAL_FORCE_MAP) is not.
 *   strict=0|1       check what only CONFIG_DEBUG_HIGHMEM (or a WARN)
 *                    catches in the kernel -- kmap_atomic nested past
 *                    KM_TYPE_NR, kunmap_atomic/kunmap_local out of stack
 *                    order or of an address they did not return -- and
 *                    report it as a BUG (default 1).  With strict=0 those
 *                    run as a non-debug kernel runs them.
 *
 * Variants: three more built-in policies run this same code with one rule
 * changed (docs/policies.md), so that a comparison measures the rule and
 * nothing else.  They take the options above too.
 *   eager        kunmap_high() dropping a slot to no users (count 1)
 *                clears its PTE, removes its page_address and flushes that
 *                page at once (local_flush_tlb_kernel_page, cause
 *                policy_eager): no slot ever waits at count 1, so a wrap's
 *                flush_all_zero_pkmaps() finds nothing to flush.
 *   local        kmap() is kmap_local_page() and kunmap() is kunmap_local()
 *                of the innermost kmap: the per-CPU stack of fixmap slots,
 *                one flush per map and one per unmap, and kunmap() must
 *                come in reverse order of kmap() (LIFO, like kunmap_local;
 *                anything else is a BUG).  pkmap is never used.
 *   eager-local  eager with its flush always local_flush_tlb_kernel_page(),
 *                as on one CPU: with several CPUs the others keep the
 *                translation, which a later kmap() of another page into
 *                the slot turns into stale-translation hazards on them.
 *                (eager itself flushes the page on every CPU under SMP.)
 *   flushall:N   (option n=N, default 33: x86's tlb_single_page_flush_ceiling)
 *                a flush_tlb_kernel_range() of more than N pages becomes
 *                one flush_tlb_all(), as x86 and FreeBSD do; the cause is
 *                kept (a wrap's is still pkmap_wrap).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmaplab-plugin.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)

/* The fixmap has 768 slots: no stack of slots can be deeper. */
#define FIXMAP_SLOTS 768
/* kmaplab's --cpus limit (docs/smp.md). */
#define MAX_CPUS 8

/* KIND_KMAP: a kmap() of the `local` variant. */
enum stack_kind { KIND_NONE, KIND_ATOMIC, KIND_LOCAL, KIND_KMAP };

enum linux_variant { VARIANT_LINUX, VARIANT_EAGER, VARIANT_LOCAL, VARIANT_FLUSHALL, VARIANT_EAGER_LOCAL };

struct linux_policy {
	kmaplab_plugin_id_t id;
	struct kmaplab_plugin_info info;
	struct kmaplab_fixmap_layout fix;
	bool debug_highmem;
	bool strict;
	/* v5.11+ (--kernel 6.6): kmap_atomic is kmap_local with preemption
	 * and page faults disabled -- flush on map and on unmap. */
	bool atomic_is_local;
	int32_t km_incr;       /* KM_INCR: 2 with CONFIG_DEBUG_KMAP_LOCAL (guard slots) */
	enum linux_variant variant;
	uint32_t flushall_n; /* flushall:N */
	char name[32];

	/* Host-side shadow of each CPU's kmap stack (the depth itself is
	 * __kmap_atomic_idx in guest memory): who pushed each level, and the
	 * PTE a kmap_atomic left behind at it (v5.x kunmap_atomic does not
	 * clear it). */
	uint8_t kind[MAX_CPUS][FIXMAP_SLOTS];
	kmaplab_pte_t left[MAX_CPUS][FIXMAP_SLOTS];
	/* current->kmap_ctrl.pteval[] of the task each CPU runs: what each
	 * kmap_local level maps (0 for a kmap_atomic of v5.10 and for
	 * DEBUG_KMAP_LOCAL's guards), and the saved kmap_ctrl of the tasks
	 * that are switched out (allocated at their first switch). */
	kmaplab_pte_t pteval[MAX_CPUS][FIXMAP_SLOTS];
	struct kmap_ctrl *ctrl[KMAPLAB_MAX_TASKS];

	/* mm/early_ioremap.c's statics. */
	uint32_t prev_map[7];
	uint32_t prev_size[7];
	uint32_t slot_virt[7];
};

/* A switched-out task's kmap_ctrl (include/linux/sched.h, v5.11+), and
 * the host-side shadow of who pushed each of its levels. */
struct kmap_ctrl {
	int32_t idx;
	kmaplab_pte_t pteval[FIXMAP_SLOTS];
	uint8_t kind[FIXMAP_SLOTS];
};

/* ------------------------------------------------------------------ */
/* Kernel data and small helpers */

static uint32_t PKMAP_ADDR(const struct linux_policy *lp, uint32_t nr)
{
	return lp->info.pkmap_base + (nr << PAGE_SHIFT);
}

static uint32_t PKMAP_NR(const struct linux_policy *lp, uint32_t va)
{
	return (va - lp->info.pkmap_base) >> PAGE_SHIFT;
}

static bool in_pkmap(const struct linux_policy *lp, uint32_t va)
{
	return va >= PKMAP_ADDR(lp, 0) && va < PKMAP_ADDR(lp, lp->info.last_pkmap);
}

static uint32_t __fix_to_virt(const struct linux_policy *lp, uint32_t idx)
{
	return lp->fix.fixaddr_top - (idx << PAGE_SHIFT);
}

static int32_t pkmap_count_get(struct linux_policy *lp, uint32_t nr)
{
	return (int32_t)kmaplab_read32(lp->id, lp->info.pkmap_count + nr * 4);
}

static void pkmap_count_set(struct linux_policy *lp, uint32_t nr, int32_t count)
{
	kmaplab_write32(lp->id, lp->info.pkmap_count + nr * 4, (uint32_t)count);
}

/* kmap_lock: an uncontended spin_lock is one load and one store of the
 * lock word, spin_unlock the same (ARM's ticket lock). */
static void lock_kmap(struct linux_policy *lp)
{
	kmaplab_kmap_lock(lp->id); /* spins while another CPU's section lasts */
	kmaplab_charge(lp->id, KMAPLAB_COST_MEM_ACCESS, 2);
}

static void unlock_kmap(struct linux_policy *lp)
{
	kmaplab_charge(lp->id, KMAPLAB_COST_MEM_ACCESS, 2);
	kmaplab_kmap_unlock(lp->id);
}

static uint32_t pfn_of(const struct linux_policy *lp, kmaplab_page_t page)
{
	return kmaplab_page_to_pfn(lp->id, page);
}

/* pte_page(): the struct page a PTE maps, 0 if its pfn has none. */
static kmaplab_page_t pte_page(const struct linux_policy *lp, kmaplab_pte_t pte)
{
	return kmaplab_pfn_to_page(lp->id, kmaplab_pte_pfn(pte));
}

/* flush_tlb_kernel_range(); under flushall:N, x86's rule (arch/x86/mm/
 * tlb.c): more than N pages is one flush_tlb_all() instead.  Pages are
 * counted as tlb-v7.S loops over them (at least one). */
static void flush_kernel_range(struct linux_policy *lp, uint32_t start, uint32_t end,
			       enum kmaplab_flush_cause cause)
{
	uint32_t pages = (end & PAGE_MASK) > (start & PAGE_MASK)
				 ? ((end & PAGE_MASK) - (start & PAGE_MASK)) >> PAGE_SHIFT
				 : 1;

	if (lp->variant == VARIANT_FLUSHALL && pages > lp->flushall_n)
		kmaplab_flush_tlb_all(lp->id, cause);
	else
		kmaplab_flush_tlb_kernel_range(lp->id, start, end, cause);
}

/* ------------------------------------------------------------------ */
/* Persistent kmaps: mm/highmem.c */

/* get_next_pkmap_nr(): last_pkmap_nr is a static of the kernel, kept in
 * guest memory here, loaded and stored on every step of the scan. */
static uint32_t get_next_pkmap_nr(struct linux_policy *lp)
{
	uint32_t last_pkmap_nr = kmaplab_read32(lp->id, lp->info.last_pkmap_nr);

	last_pkmap_nr = (last_pkmap_nr + 1) & (lp->info.last_pkmap - 1);
	kmaplab_write32(lp->id, lp->info.last_pkmap_nr, last_pkmap_nr);
	return last_pkmap_nr;
}

static void flush_all_zero_pkmaps(struct linux_policy *lp)
{
	kmaplab_plugin_id_t id = lp->id;
	uint32_t cleared = 0;
	int need_flush = 0;

	kmaplab_event(id, KMAPLAB_EVENT_FLUSH_ALL_ZERO_PKMAPS_BEGIN, 0);
	/* flush_cache_kmaps(): nothing on a non-VIVT cache. */
	for (uint32_t i = 0; i < lp->info.last_pkmap && !kmaplab_stopped(id); i++) {
		/* flush_all_zero_pkmaps() (mm/highmem.c, v5.10) acts only on
		 * slots at count 1: mapped, no user left, TLB not yet
		 * flushed.  0 is a free slot, more than 1 a slot in use. */
		if (pkmap_count_get(lp, i) != 1)
			continue;
		pkmap_count_set(lp, i, 0);

		/* The kernel's BUG_ON(pte_none()): a count-1 slot must map
		 * something. */
		kmaplab_pte_t pte = kmaplab_pte_read(id, KMAPLAB_WINDOW_PKMAP, i);
		if (kmaplab_pte_none(pte)) {
			kmaplab_bug(id, "flush_all_zero_pkmaps: BUG_ON(pte_none(pkmap_page_table[%u])): pkmap_count[%u] was 1 but the slot maps nothing",
				    i, i);
			return;
		}
		kmaplab_page_t page = pte_page(lp, pte);
		kmaplab_pte_clear(id, KMAPLAB_WINDOW_PKMAP, i);

		kmaplab_set_page_address(id, page, 0);
		need_flush = 1;
		cleared++;
	}
	/* One flush of the whole window, however many slots were cleared --
	 * and none at all if none were. */
	if (need_flush)
		flush_kernel_range(lp, PKMAP_ADDR(lp, 0), PKMAP_ADDR(lp, lp->info.last_pkmap),
				   KMAPLAB_FLUSH_PKMAP_WRAP);
	kmaplab_event(id, KMAPLAB_EVENT_FLUSH_ALL_ZERO_PKMAPS, cleared);
}

static uint32_t map_new_virtual(struct linux_policy *lp, kmaplab_page_t page)
{
	kmaplab_plugin_id_t id = lp->id;
	uint32_t last_pkmap_nr;
	uint32_t count = lp->info.last_pkmap; /* get_pkmap_entries_count(color) */

	/* map_new_virtual() (mm/highmem.c, v5.10): step the cursor
	 * round the window until a slot with count 0 turns up. */
	for (;;) {
		if (kmaplab_stopped(id))
			return 0;
		last_pkmap_nr = get_next_pkmap_nr(lp);
		if (last_pkmap_nr == 0) { /* no_more_pkmaps(): wrapped */
			flush_all_zero_pkmaps(lp);
			count = lp->info.last_pkmap;
		}
		if (!pkmap_count_get(lp, last_pkmap_nr))
			break; /* a free slot */
		if (--count)
			continue;

		/* Every slot is held: the kernel would sleep on
		 * pkmap_map_wait until a kunmap frees one, but the guest is
		 * the only task, so nothing ever would. */
		kmaplab_would_sleep(id, "kmap(page 0x%08x, pfn 0x%x) sleeps on pkmap_map_wait: all %u pkmap slots are in use and only the caller could kunmap one",
				    page, pfn_of(lp, page), lp->info.last_pkmap);
		return 0;
	}
	uint32_t vaddr = PKMAP_ADDR(lp, last_pkmap_nr);
	kmaplab_set_pte(id, KMAPLAB_WINDOW_PKMAP, last_pkmap_nr,
			kmaplab_mk_pte(id, pfn_of(lp, page), KMAPLAB_PROT_KERNEL));

	/* 1, not 2: kmap_high() adds the caller's reference. */
	pkmap_count_set(lp, last_pkmap_nr, 1);
	kmaplab_set_page_address(id, page, vaddr);

	return vaddr;
}

static uint32_t kmap_high(struct linux_policy *lp, kmaplab_page_t page)
{
	kmaplab_plugin_id_t id = lp->id;
	uint32_t vaddr;

	/* kmap_high() (mm/highmem.c, v5.10) reads the page's pkmap
	 * address only under kmap_lock: before it, a concurrent wrap could
	 * be clearing that mapping. */
	lock_kmap(lp);
	vaddr = kmaplab_page_address(id, page);
	if (!vaddr)
		vaddr = map_new_virtual(lp, page);
	if (kmaplab_stopped(id))
		return 0;
	uint32_t nr = PKMAP_NR(lp, vaddr);
	int32_t count = pkmap_count_get(lp, nr) + 1;
	pkmap_count_set(lp, nr, count);
	if (count < 2) {
		kmaplab_bug(id, "kmap_high: BUG_ON(pkmap_count[%u] < 2): count %d after taking a reference to page 0x%08x",
			    nr, count, page);
		return 0;
	}
	unlock_kmap(lp);
	return vaddr;
}

/* Returns the page's pkmap address with a reference taken, or 0 if it has
 * none (ARCH_NEEDS_KMAP_HIGH_GET). */
static uint32_t kmap_high_get(struct linux_policy *lp, kmaplab_page_t page)
{
	kmaplab_plugin_id_t id = lp->id;
	uint32_t vaddr;

	lock_kmap(lp); /* lock_kmap_any(flags) */
	vaddr = kmaplab_page_address(id, page);
	if (vaddr) {
		uint32_t nr = PKMAP_NR(lp, vaddr);
		int32_t count = pkmap_count_get(lp, nr);
		if (count < 1) {
			kmaplab_bug(id, "kmap_high_get: BUG_ON(pkmap_count[%u] < 1): page 0x%08x has pkmap address 0x%08x but count %d",
				    nr, page, vaddr, count);
			return 0;
		}
		pkmap_count_set(lp, nr, count + 1);
	}
	unlock_kmap(lp);
	return vaddr;
}

static void kunmap_high(struct linux_policy *lp, kmaplab_page_t page)
{
	kmaplab_plugin_id_t id = lp->id;
	uint32_t vaddr, nr;

	lock_kmap(lp); /* lock_kmap_any(flags) */
	vaddr = kmaplab_page_address(id, page);
	if (!vaddr) {
		kmaplab_bug(id, "kunmap_high: BUG_ON(!vaddr): page 0x%08x (pfn 0x%x) is not kmapped",
			    page, pfn_of(lp, page));
		return;
	}
	nr = PKMAP_NR(lp, vaddr);
	if (nr >= lp->info.last_pkmap) {
		kmaplab_bug(id, "kunmap_high: page 0x%08x has address 0x%08x, outside the pkmap window",
			    page, vaddr);
		return;
	}

	/* kunmap_high() (mm/highmem.c, v5.10) drops the count to 1 at
	 * most: only flush_all_zero_pkmaps() takes a slot to 0, after the
	 * TLB flush that retires its translation. */
	int32_t count = pkmap_count_get(lp, nr) - 1;
	if ((lp->variant == VARIANT_EAGER || lp->variant == VARIANT_EAGER_LOCAL) && count == 1) {
		/* eager: the last user is gone -- unmap the slot and flush
		 * its page now, instead of leaving it at count 1 for
		 * flush_all_zero_pkmaps() on the next wrap. */
		pkmap_count_set(lp, nr, 0);
		kmaplab_pte_clear(id, KMAPLAB_WINDOW_PKMAP, nr);
		kmaplab_set_page_address(id, page, 0);
		/* Any CPU may have used the pkmap address, so on SMP the flush
		 * must reach them all (flush_tlb_kernel_range of the page:
		 * Inner Shareable, or an IPI each).  On one CPU -- and always
		 * under eager-local, which shows the bug -- the local flush. */
		if (lp->variant == VARIANT_EAGER && lp->fix.nr_cpus > 1)
			kmaplab_flush_tlb_kernel_range(id, vaddr, vaddr + PAGE_SIZE,
						       KMAPLAB_FLUSH_POLICY_EAGER);
		else
			kmaplab_local_flush_tlb_kernel_page(id, vaddr, KMAPLAB_FLUSH_POLICY_EAGER);
		unlock_kmap(lp);
		return;
	}
	pkmap_count_set(lp, nr, count);
	switch (count) {
	case 0:
		kmaplab_bug(id, "kunmap_high: BUG(): pkmap_count[%u] of page 0x%08x (pfn 0x%x) went to 0 -- kunmap of a page with no kmap outstanding",
			    nr, page, pfn_of(lp, page));
		return;
	case 1:
		/*
		 * The kernel wakes pkmap_map_wait here if anyone waits; with
		 * one task nobody can be waiting (a waiter is reported as
		 * "would sleep forever" before it could get there).
		 */
		break;
	}
	unlock_kmap(lp); /* unlock_kmap_any(flags) */
}

/* arch/arm/mm/highmem.c */
static uint32_t linux_kmap(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page)
{
	struct linux_policy *lp = priv;

	/* might_sleep() */
	if (!kmaplab_PageHighMem(id, page))
		return kmaplab_page_address(id, page);
	return kmap_high(lp, page);
}

static void linux_kunmap(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page)
{
	struct linux_policy *lp = priv;

	if (!kmaplab_PageHighMem(id, page))
		return;
	kunmap_high(lp, page);
}

/* ------------------------------------------------------------------ */
/* The per-CPU stack of fixmap kmap slots */

static uint32_t kmap_idx_va(const struct linux_policy *lp)
{
	return lp->info.kmap_atomic_idx + kmaplab_smp_processor_id(lp->id) * 4;
}

static int32_t kmap_atomic_idx(struct linux_policy *lp)
{
	return (int32_t)kmaplab_read32(lp->id, kmap_idx_va(lp)) - 1;
}

/* Adds `delta` to the stack depth (__kmap_atomic_idx, or v5.11+'s
 * current->kmap_ctrl.idx) and returns the new value. */
static int32_t kmap_idx_add(struct linux_policy *lp, int32_t delta)
{
	int32_t idx = (int32_t)kmaplab_read32(lp->id, kmap_idx_va(lp)) + delta;

	kmaplab_write32(lp->id, kmap_idx_va(lp), (uint32_t)idx);
	return idx;
}

/* __this_cpu_inc_return(__kmap_atomic_idx) - 1 */
static int32_t kmap_idx_inc(struct linux_policy *lp)
{
	return kmap_idx_add(lp, 1) - 1;
}

/* __this_cpu_dec_return(__kmap_atomic_idx) */
static int32_t kmap_idx_dec(struct linux_policy *lp)
{
	return kmap_idx_add(lp, -1);
}

static void stack_note(struct linux_policy *lp, int32_t type, enum stack_kind kind,
		       kmaplab_pte_t left)
{
	uint32_t cpu = kmaplab_smp_processor_id(lp->id);
	if (type >= 0 && type < FIXMAP_SLOTS && cpu < MAX_CPUS) {
		lp->kind[cpu][type] = (uint8_t)kind;
		lp->left[cpu][type] = left;
	}
}

static void pteval_note(struct linux_policy *lp, int32_t type, kmaplab_pte_t pteval)
{
	uint32_t cpu = kmaplab_smp_processor_id(lp->id);
	if (type >= 0 && type < FIXMAP_SLOTS && cpu < MAX_CPUS)
		lp->pteval[cpu][type] = pteval;
}

static enum stack_kind stack_kind_at(const struct linux_policy *lp, int32_t type)
{
	uint32_t cpu = kmaplab_smp_processor_id(lp->id);
	return type >= 0 && type < FIXMAP_SLOTS && cpu < MAX_CPUS ? (enum stack_kind)lp->kind[cpu][type]
								  : KIND_NONE;
}

static kmaplab_pte_t stack_left_at(const struct linux_policy *lp, int32_t type)
{
	uint32_t cpu = kmaplab_smp_processor_id(lp->id);
	return type >= 0 && type < FIXMAP_SLOTS && cpu < MAX_CPUS ? lp->left[cpu][type] : 0;
}

static int32_t kmap_atomic_idx_push(struct linux_policy *lp)
{
	int32_t idx = kmap_idx_inc(lp);

	/* BUG_ON(idx >= KM_TYPE_NR) is under CONFIG_DEBUG_HIGHMEM. */
	if ((lp->strict || lp->debug_highmem) && idx >= (int32_t)lp->fix.km_type_nr) {
		kmaplab_bug(lp->id, "kmap_atomic_idx_push: BUG_ON(idx >= KM_TYPE_NR): kmap_atomic nested %d deep, KM_TYPE_NR is %u",
			    idx + 1, lp->fix.km_type_nr);
		return -1;
	}
	if (idx < 0) {
		kmaplab_bug(lp->id, "kmap_atomic_idx_push: __kmap_atomic_idx is %d (negative: more kunmap_atomic than kmap_atomic)",
			    idx);
		return -1;
	}
	return idx;
}

static void kmap_atomic_idx_pop(struct linux_policy *lp)
{
	int32_t idx = kmap_idx_dec(lp);

	/* BUG_ON(idx < 0) is under CONFIG_DEBUG_HIGHMEM. */
	if ((lp->strict || lp->debug_highmem) && idx < 0)
		kmaplab_bug(lp->id, "kmap_atomic_idx_pop: BUG_ON(idx < 0): kunmap_atomic with no kmap_atomic outstanding");
}

/* The fixmap index of stack level `type` on this CPU. */
static uint32_t kmap_fix_idx(const struct linux_policy *lp, int32_t type)
{
	return (uint32_t)((int32_t)lp->fix.fix_kmap_begin + type +
			  (int32_t)(lp->fix.km_type_nr * kmaplab_smp_processor_id(lp->id)));
}

/* set_fixmap_pte(): the PTE store and a local flush of that page -- the
 * flush is what lets kunmap_atomic leave stale PTEs behind. */
static void set_fixmap_pte(struct linux_policy *lp, uint32_t idx, kmaplab_pte_t pte,
			   enum kmaplab_flush_cause cause)
{
	uint32_t vaddr = __fix_to_virt(lp, idx);

	if (kmaplab_pte_none(pte))
		kmaplab_pte_clear(lp->id, KMAPLAB_WINDOW_FIXMAP, idx);
	else
		kmaplab_set_pte(lp->id, KMAPLAB_WINDOW_FIXMAP, idx, pte);
	kmaplab_local_flush_tlb_kernel_page(lp->id, vaddr, cause);
}

static uint32_t __kmap_local_pfn_prot(struct linux_policy *lp, uint32_t pfn, enum stack_kind kind,
				      enum kmaplab_flush_cause cause);
static void kunmap_local_indexed(struct linux_policy *lp, uint32_t vaddr, enum stack_kind expect,
				 enum kmaplab_flush_cause cause);

/* v6.6 (include/linux/highmem-internal.h): kmap_atomic_prot() is
 * preempt_disable(); pagefault_disable(); __kmap_local_page_prot() --
 * kmap_high_get() first (unless DEBUG_HIGHMEM), else a fixmap slot of the
 * kmap_local stack, flushed on map. */
static uint32_t kmap_atomic_v6(struct linux_policy *lp, kmaplab_page_t page)
{
	uint32_t kmap = lp->debug_highmem ? 0 : kmap_high_get(lp, page);

	if (kmap || kmaplab_stopped(lp->id))
		return kmap;
	return __kmap_local_pfn_prot(lp, pfn_of(lp, page), KIND_ATOMIC, KMAPLAB_FLUSH_KMAP_ATOMIC);
}

static uint32_t linux_kmap_atomic(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page)
{
	struct linux_policy *lp = priv;
	uint32_t idx, vaddr, kmap;
	int32_t type;

	/* preempt_disable(); pagefault_disable(): one task, nothing to do */
	if (!kmaplab_PageHighMem(id, page))
		return kmaplab_page_address(id, page);
	if (lp->atomic_is_local)
		return kmap_atomic_v6(lp, page);

	/* kmap_atomic() (arch/arm/mm/highmem.c, v5.10): a page that still
	 * has a pkmap address is served from it, except under
	 * DEBUG_HIGHMEM on a non-VIVT cache (every core here), where the
	 * kernel always takes a fresh fixmap slot so that the debug checks
	 * below see every mapping. */
	if (lp->debug_highmem)
		kmap = 0;
	else
		kmap = kmap_high_get(lp, page);
	if (kmap || kmaplab_stopped(id))
		return kmap;

	type = kmap_atomic_idx_push(lp);
	if (kmaplab_stopped(id))
		return 0;

	idx = kmap_fix_idx(lp, type);
	vaddr = __fix_to_virt(lp, idx);
	if (lp->debug_highmem) {
		/* Under DEBUG_HIGHMEM kunmap_atomic clears the slot's PTE,
		 * so the kernel BUGs if it finds one still set. */
		kmaplab_pte_t old = kmaplab_pte_read(id, KMAPLAB_WINDOW_FIXMAP, idx);
		if (!kmaplab_pte_none(old)) {
			kmaplab_bug(id, "kmap_atomic: BUG_ON(!pte_none(get_fixmap_pte(0x%08x))): fixmap slot %u still maps pfn 0x%x",
				    vaddr, idx, kmaplab_pte_pfn(old));
			return 0;
		}
	}
	/* Without DEBUG_HIGHMEM the slot may still hold the PTE of an
	 * earlier kmap_atomic (kunmap_atomic leaves it): the local flush in
	 * set_fixmap_pte() is what drops that stale translation. */
	kmaplab_pte_t pte = kmaplab_mk_pte(id, pfn_of(lp, page), KMAPLAB_PROT_KERNEL);
	set_fixmap_pte(lp, idx, pte, KMAPLAB_FLUSH_KMAP_ATOMIC);
	stack_note(lp, type, KIND_ATOMIC, pte);

	return vaddr;
}

/* A VA below PAGE_OFFSET or above high_memory that is not pkmap/fixmap:
 * nothing kmap_atomic or kmap_local_page ever returns. */
static bool foreign(const struct linux_policy *lp, uint32_t va)
{
	return va < lp->info.page_offset || va >= lp->info.high_memory;
}

/* kmap_high_unmap_local() / the pkmap branch of __kunmap_atomic(): the
 * address came from kmap_high_get(); give that reference back. */
static void kunmap_pkmap_address(struct linux_policy *lp, uint32_t vaddr, const char *who)
{
	uint32_t nr = PKMAP_NR(lp, vaddr);
	kmaplab_pte_t pte = kmaplab_pte_read(lp->id, KMAPLAB_WINDOW_PKMAP, nr);

	/* pte_page() of an empty PTE is mem_map[0]: the kernel would then
	 * corrupt pkmap_count[] far out of bounds. */
	if (kmaplab_pte_none(pte)) {
		kmaplab_bug(lp->id, "%s(0x%08x): pkmap slot %u maps nothing (kunmap_high(pte_page(pkmap_page_table[%u])) on an empty PTE)",
			    who, vaddr, nr, nr);
		return;
	}
	kmaplab_page_t page = pte_page(lp, pte);
	if (!page) {
		kmaplab_bug(lp->id, "%s(0x%08x): pkmap slot %u maps pfn 0x%x, which has no struct page",
			    who, vaddr, nr, kmaplab_pte_pfn(pte));
		return;
	}
	kunmap_high(lp, page);
}

static void linux_kunmap_atomic(kmaplab_plugin_id_t id, void *priv, uint32_t kvaddr)
{
	struct linux_policy *lp = priv;
	uint32_t vaddr = kvaddr & PAGE_MASK;

	/* v6.6 __kunmap_atomic(): kunmap_local_indexed(), which clears the
	 * PTE and flushes (arch_kmap_local_post_unmap); then pagefault_enable,
	 * preempt_enable. */
	if (lp->atomic_is_local) {
		kunmap_local_indexed(lp, kvaddr, KIND_ATOMIC, KMAPLAB_FLUSH_KUNMAP_ATOMIC);
		return;
	}
	if (kvaddr >= lp->fix.fixaddr_start) {
		int32_t type = kmap_atomic_idx(lp);
		uint32_t idx = kmap_fix_idx(lp, type);

		/* cache_is_vivt(): no __cpuc_flush_dcache_area() */
		if (lp->strict || lp->debug_highmem) {
			if (type < 0) {
				kmaplab_bug(id, "kunmap_atomic(0x%08x): no kmap_atomic is outstanding (__kmap_atomic_idx is %d)",
					    kvaddr, type + 1);
				return;
			}
			if (vaddr != __fix_to_virt(lp, idx)) {
				kmaplab_bug(id, "kunmap_atomic: BUG_ON(vaddr != __fix_to_virt(idx)): 0x%08x is not the innermost kmap_atomic address 0x%08x (fixmap slot %u, depth %d): unmapped out of order, or not from kmap_atomic",
					    kvaddr, __fix_to_virt(lp, idx), idx, type + 1);
				return;
			}
		}
		if (lp->strict && stack_kind_at(lp, type) == KIND_LOCAL) {
			kmaplab_bug(id, "kunmap_atomic(0x%08x): that address came from kmap_local_page (use kunmap_local)",
				    kvaddr);
			return;
		}
		if (lp->strict && stack_kind_at(lp, type) == KIND_KMAP) {
			kmaplab_bug(id, "kunmap_atomic(0x%08x): that address came from kmap (policy %s: use kunmap)",
				    kvaddr, lp->name);
			return;
		}
		if (lp->debug_highmem) {
			set_fixmap_pte(lp, idx, 0, KMAPLAB_FLUSH_KUNMAP_ATOMIC);
			stack_note(lp, type, KIND_NONE, 0);
		} else {
			/* The PTE stays: the next kmap_atomic at this depth
			 * overwrites it and flushes. */
			stack_note(lp, type, KIND_NONE, stack_kind_at(lp, type) == KIND_ATOMIC ? stack_left_at(lp, type) : 0);
		}
		kmap_atomic_idx_pop(lp);
	} else if (in_pkmap(lp, vaddr)) {
		/* a pkmap address: kmap_atomic found it with kmap_high_get() */
		kunmap_pkmap_address(lp, vaddr, "kunmap_atomic");
	} else if (lp->strict && foreign(lp, vaddr)) {
		kmaplab_bug(id, "kunmap_atomic(0x%08x): not an address kmap_atomic returns (neither lowmem, pkmap nor fixmap)",
			    kvaddr);
	}
	/* pagefault_enable(); preempt_enable() */
}

/* ------------------------------------------------------------------ */
/* kmap_local (v5.11) */

/* kmap_local_idx_push() (mm/highmem.c, v5.11..v6.6): current->kmap_ctrl.idx
 * += KM_INCR; BUG_ON(idx >= KM_MAX_IDX); the slot is idx - 1.  The check is
 * on the new index, so kmap_local nests KM_MAX_IDX - 1 deep (15) -- one less
 * than v5.10 kmap_atomic's KM_TYPE_NR -- or, with CONFIG_DEBUG_KMAP_LOCAL
 * (KM_INCR 2, KM_MAX_IDX 33), 16 deep on the odd slots 1, 3, ... 31, every
 * even slot an unmapped guard.  KM_MAX_IDX is this stack's size. */
static int32_t kmap_local_idx_push(struct linux_policy *lp, const char *who)
{
	int32_t idx = kmap_idx_add(lp, lp->km_incr);

	if (idx >= (int32_t)lp->fix.km_type_nr) {
		kmaplab_bug(lp->id, "kmap_local_idx_push: BUG_ON(current->kmap_ctrl.idx >= KM_MAX_IDX): %s nested %d deep, KM_MAX_IDX is %u",
			    who, idx / lp->km_incr, lp->fix.km_type_nr);
		return -1;
	}
	if (idx <= 0) {
		kmaplab_bug(lp->id, "kmap_local_idx_push: the kmap stack depth is %d (negative: more unmaps than maps)",
			    idx - lp->km_incr);
		return -1;
	}
	return idx - 1;
}

static void kmap_local_idx_pop(struct linux_policy *lp, const char *who)
{
	int32_t idx = kmap_idx_add(lp, -lp->km_incr);

	if (idx < 0)
		kmaplab_bug(lp->id, "kmap_local_idx_pop: BUG_ON(current->kmap_ctrl.idx < 0): %s with no mapping outstanding",
			    who);
}

/* `kind`/`cause`: a kmap_local_page, or (v6.6) a kmap_atomic. */
static uint32_t __kmap_local_pfn_prot(struct linux_policy *lp, uint32_t pfn, enum stack_kind kind,
				      enum kmaplab_flush_cause cause)
{
	kmaplab_plugin_id_t id = lp->id;
	int32_t type = kmap_local_idx_push(lp, kind == KIND_ATOMIC ? "kmap_atomic" : "kmap_local_page");

	if (kmaplab_stopped(id))
		return 0;
	/* kmap_local_calc_idx(): idx + KM_MAX_IDX * smp_processor_id() */
	uint32_t idx = kmap_fix_idx(lp, type);
	uint32_t vaddr = __fix_to_virt(lp, idx);
	kmaplab_pte_t old = kmaplab_pte_read(id, KMAPLAB_WINDOW_FIXMAP, idx);

	if (!kmaplab_pte_none(old) && !(stack_kind_at(lp, type) == KIND_NONE && old == stack_left_at(lp, type))) {
		kmaplab_bug(id, "__kmap_local_pfn_prot: BUG_ON(!pte_none(*(kmap_pte - idx))): fixmap slot %u (0x%08x) still maps pfn 0x%x",
			    idx, vaddr, kmaplab_pte_pfn(old));
		return 0;
	}
	kmaplab_pte_t pteval = kmaplab_mk_pte(id, pfn, KMAPLAB_PROT_KERNEL);
	kmaplab_set_pte(id, KMAPLAB_WINDOW_FIXMAP, idx, pteval);
	/* arch_kmap_local_post_map(): local_flush_tlb_kernel_page()
	 * (arch/arm/include/asm/highmem.h, v5.11..v6.6) */
	kmaplab_local_flush_tlb_kernel_page(id, vaddr, cause);
	/* current->kmap_ctrl.pteval[kmap_local_idx()] = pteval */
	stack_note(lp, type, kind, 0);
	pteval_note(lp, type, pteval);
	return vaddr;
}

static uint32_t linux_kmap_local_page(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page)
{
	struct linux_policy *lp = priv;
	uint32_t kmap;

	/* !CONFIG_DEBUG_KMAP_LOCAL_FORCE_MAP */
	if (!kmaplab_PageHighMem(id, page))
		return kmaplab_page_address(id, page);

	/* __kmap_local_page_prot() (mm/highmem.c, v5.11) first asks the
	 * architecture for an existing pkmap mapping; ARM's
	 * arch_kmap_local_high_get() does not under DEBUG_HIGHMEM. */
	kmap = lp->debug_highmem ? 0 : kmap_high_get(lp, page);
	if (kmap || kmaplab_stopped(id))
		return kmap;

	return __kmap_local_pfn_prot(lp, pfn_of(lp, page), KIND_LOCAL, KMAPLAB_FLUSH_KMAP_LOCAL);
}

/* kunmap_local_indexed(): of a kmap_local_page (`expect` KIND_LOCAL), or
 * on v6.6 of a kmap_atomic (KIND_ATOMIC). */
static void kunmap_local_indexed(struct linux_policy *lp, uint32_t vaddr, enum stack_kind expect,
				 enum kmaplab_flush_cause cause)
{
	kmaplab_plugin_id_t id = lp->id;
	uint32_t addr = vaddr & PAGE_MASK;
	bool atomic = expect == KIND_ATOMIC;
	const char *who = atomic ? "kunmap_atomic" : "kunmap_local";
	const char *maker = atomic ? "kmap_atomic" : "kmap_local_page";

	if (addr < __fix_to_virt(lp, lp->fix.fix_kmap_end) ||
	    addr > __fix_to_virt(lp, lp->fix.fix_kmap_begin)) {
		/* kunmap_local_indexed() (mm/highmem.c, v5.11): an address
		 * outside the fixmap kmap slots is either a pkmap address that
		 * kmap_high_get() handed out (below PAGE_OFFSET, so it is
		 * checked first) or, if it is in user space, a WARN. */
		if (in_pkmap(lp, addr))
			kunmap_pkmap_address(lp, addr, who);
		else if (lp->strict && foreign(lp, addr))
			kmaplab_bug(id, "%s(0x%08x): not an address %s returns (neither lowmem, pkmap nor a fixmap kmap slot)",
				    who, vaddr, maker);
		else if (addr < lp->info.page_offset)
			kmaplab_warn(id, "%s(0x%08x): WARN_ON_ONCE(addr < PAGE_OFFSET)", who, vaddr);
		return;
	}

	int32_t type = kmap_atomic_idx(lp);
	uint32_t idx = kmap_fix_idx(lp, type);
	if (addr != __fix_to_virt(lp, idx)) {
		if (lp->strict) {
			kmaplab_bug(id, "%s(0x%08x): not the innermost %s address %s0x%08x: unmapped out of order, or not from %s",
				    who, vaddr, maker, type < 0 ? "(none outstanding) " : "",
				    __fix_to_virt(lp, idx), maker);
			return;
		}
		kmaplab_warn(id, "%s(0x%08x): WARN_ON_ONCE(addr != __fix_to_virt(FIX_KMAP_BEGIN + idx)) (0x%08x)",
			     who, vaddr, __fix_to_virt(lp, idx));
	}
	enum stack_kind kind = stack_kind_at(lp, type);
	if (lp->strict && !atomic && kind == KIND_ATOMIC) {
		kmaplab_bug(id, "kunmap_local(0x%08x): that address came from kmap_atomic (use kunmap_atomic)",
			    vaddr);
		return;
	}
	if (lp->strict && atomic && kind == KIND_LOCAL) {
		kmaplab_bug(id, "kunmap_atomic(0x%08x): that address came from kmap_local_page (use kunmap_local)",
			    vaddr);
		return;
	}
	if (lp->strict && kind == KIND_KMAP) {
		kmaplab_bug(id, "%s(0x%08x): that address came from kmap (policy %s: use kunmap)", who,
			    vaddr, lp->name);
		return;
	}

	/* arch_kmap_local_pre_unmap(): no cache maintenance (non-VIVT) */
	kmaplab_pte_clear(id, KMAPLAB_WINDOW_FIXMAP, idx);
	/* arch_kmap_local_post_unmap(addr): local_flush_tlb_kernel_page() of
	 * the address given (arch/arm/include/asm/highmem.h, v5.11..v6.6) */
	kmaplab_local_flush_tlb_kernel_page(id, addr, cause);
	stack_note(lp, type, KIND_NONE, 0);
	pteval_note(lp, type, 0); /* current->kmap_ctrl.pteval[kmap_local_idx()] = __pte(0) */
	kmap_local_idx_pop(lp, who);
}

static void linux_kunmap_local(kmaplab_plugin_id_t id, void *priv, uint32_t vaddr)
{
	(void)id;
	kunmap_local_indexed(priv, vaddr, KIND_LOCAL, KMAPLAB_FLUSH_KUNMAP_LOCAL);
}

/* ------------------------------------------------------------------ */
/* The `local` variant: kmap() served as kmap_local_page() */

static uint32_t local_kmap(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page)
{
	struct linux_policy *lp = priv;
	uint32_t vaddr = linux_kmap_local_page(id, priv, page);

	/* Mark the stack level as a kmap(): its type from the address. */
	if (vaddr && !kmaplab_stopped(id) && vaddr >= lp->fix.fixaddr_start) {
		uint32_t idx = (lp->fix.fixaddr_top - vaddr) >> PAGE_SHIFT;
		stack_note(lp, (int32_t)(idx - kmap_fix_idx(lp, 0)), KIND_KMAP, 0);
	}
	return vaddr;
}

/* kunmap(page) has no address: it is the innermost level of the stack,
 * which must be a kmap() of this page (one load of the stack depth and
 * one of that level's PTE find it), then kunmap_local() of it. */
static void local_kunmap(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page)
{
	struct linux_policy *lp = priv;

	if (!kmaplab_PageHighMem(id, page))
		return;
	int32_t type = kmap_atomic_idx(lp);
	enum stack_kind kind = stack_kind_at(lp, type);
	if (type < 0 || kind != KIND_KMAP) {
		kmaplab_bug(id, "kunmap(page 0x%08x, pfn 0x%x): policy local serves kmap() as kmap_local_page(), so kunmap() must undo the innermost kmap() first, but %s",
			    page, pfn_of(lp, page),
			    type < 0		  ? "no kmap() is outstanding"
			    : kind == KIND_ATOMIC ? "the innermost mapping is a kmap_atomic()"
			    : kind == KIND_LOCAL  ? "the innermost mapping is a kmap_local_page()"
						  : "the innermost kmap stack level is not a kmap()");
		return;
	}
	uint32_t idx = kmap_fix_idx(lp, type);
	kmaplab_pte_t pte = kmaplab_pte_read(id, KMAPLAB_WINDOW_FIXMAP, idx);
	if (kmaplab_pte_pfn(pte) != pfn_of(lp, page)) {
		kmaplab_bug(id, "kunmap(page 0x%08x, pfn 0x%x): the innermost kmap() (0x%08x, fixmap slot %u) maps pfn 0x%x: policy local needs kunmap() in reverse order of kmap(), like kunmap_local()",
			    page, pfn_of(lp, page), __fix_to_virt(lp, idx), idx, kmaplab_pte_pfn(pte));
		return;
	}
	stack_note(lp, type, KIND_LOCAL, 0);
	linux_kunmap_local(id, priv, __fix_to_virt(lp, idx));
}

/* ------------------------------------------------------------------ */
/* fixmap: arch/arm/mm/mmu.c, mm/early_ioremap.c */

/*
 * __set_fixmap(): BUG_ON(idx >= __end_of_fixed_addresses), then the PTE
 * and local_flush_tlb_kernel_range(vaddr, vaddr + PAGE_SIZE) -- on ARMv7
 * the v7wbi_flush_kern_tlb_range sequence (with BPIALL), counted as one
 * flush_tlb_kernel_range of one page.
 */
static void __set_fixmap(struct linux_policy *lp, uint32_t idx, uint32_t phys,
			 enum kmaplab_prot prot, bool clear, enum kmaplab_flush_cause cause)
{
	kmaplab_plugin_id_t id = lp->id;

	if (idx >= lp->fix.end_of_fixed_addresses) {
		kmaplab_bug(id, "__set_fixmap: BUG_ON(idx >= __end_of_fixed_addresses): idx %u, __end_of_fixed_addresses is %u",
			    idx, lp->fix.end_of_fixed_addresses);
		return;
	}
	uint32_t vaddr = __fix_to_virt(lp, idx);

	if (!clear)
		kmaplab_set_pte(id, KMAPLAB_WINDOW_FIXMAP, idx,
				kmaplab_mk_pte(id, phys >> PAGE_SHIFT, prot));
	else
		kmaplab_pte_clear(id, KMAPLAB_WINDOW_FIXMAP, idx);
	flush_kernel_range(lp, vaddr, vaddr + PAGE_SIZE, cause);
}

static void linux_set_fixmap(kmaplab_plugin_id_t id, void *priv, uint32_t idx, uint32_t phys)
{
	(void)id;
	__set_fixmap(priv, idx, phys, KMAPLAB_PROT_KERNEL, false, KMAPLAB_FLUSH_SET_FIXMAP);
}

static void linux_clear_fixmap(kmaplab_plugin_id_t id, void *priv, uint32_t idx)
{
	(void)id;
	__set_fixmap(priv, idx, 0, KMAPLAB_PROT_KERNEL, true, KMAPLAB_FLUSH_CLEAR_FIXMAP);
}

/* ARM has no __late_set_fixmap and never calls early_ioremap_reset(), so
 * early_ioremap keeps using __set_fixmap after paging_init. */
static uint32_t linux_early_ioremap(kmaplab_plugin_id_t id, void *priv, uint32_t phys_addr,
				    uint32_t size)
{
	struct linux_policy *lp = priv;
	uint32_t offset, last_addr, nrpages, idx;
	int slot = -1;

	for (int i = 0; i < (int)lp->fix.fix_btmaps_slots; i++) {
		if (!lp->prev_map[i]) {
			slot = i;
			break;
		}
	}
	if (slot < 0) {
		kmaplab_warn(id, "__early_ioremap(%08x, %08x) not found slot", phys_addr, size);
		return 0;
	}

	/* __early_ioremap() (mm/early_ioremap.c, v5.10) refuses a zero
	 * size and a range that wraps past the top of the address space. */
	last_addr = phys_addr + size - 1;
	if (!size || last_addr < phys_addr) {
		kmaplab_warn(id, "__early_ioremap(%08x, %08x): WARN_ON(!size || last_addr < phys_addr)",
			     phys_addr, size);
		return 0;
	}

	lp->prev_size[slot] = size;
	/* Whole pages are mapped: the offset into the first one is added
	 * back to the address returned. */
	offset = phys_addr & ~PAGE_MASK;
	phys_addr &= PAGE_MASK;
	size = PAGE_ALIGN(last_addr + 1) - phys_addr;

	/* A slot of the FIX_BTMAP area holds NR_FIX_BTMAPS pages at most. */
	nrpages = size >> PAGE_SHIFT;
	if (nrpages > lp->fix.nr_fix_btmaps) {
		kmaplab_warn(id, "__early_ioremap(%08x, %08x): WARN_ON(nrpages > NR_FIX_BTMAPS): %u pages, at most %u",
			     phys_addr + offset, lp->prev_size[slot], nrpages, lp->fix.nr_fix_btmaps);
		return 0;
	}

	/* Map the pages downwards from the slot's first fixmap index. */
	idx = lp->fix.fix_btmap_begin - lp->fix.nr_fix_btmaps * (uint32_t)slot;
	while (nrpages > 0 && !kmaplab_stopped(id)) {
		__set_fixmap(lp, idx, phys_addr, KMAPLAB_PROT_IO, false, KMAPLAB_FLUSH_EARLY_IOREMAP);
		phys_addr += PAGE_SIZE;
		--idx;
		--nrpages;
	}
	if (kmaplab_stopped(id))
		return 0;
	lp->prev_map[slot] = offset + lp->slot_virt[slot];
	return lp->prev_map[slot];
}

static void linux_early_iounmap(kmaplab_plugin_id_t id, void *priv, uint32_t addr, uint32_t size)
{
	struct linux_policy *lp = priv;
	uint32_t offset, nrpages, idx;
	int slot = -1;

	for (int i = 0; i < (int)lp->fix.fix_btmaps_slots; i++) {
		if (lp->prev_map[i] == addr) {
			slot = i;
			break;
		}
	}
	/* prev_map[] holds NULL for free slots: early_iounmap(NULL) must not
	 * match one. */
	if (slot < 0 || !addr) {
		kmaplab_warn(id, "early_iounmap(%08x, %08x) not found slot", addr, size);
		return;
	}
	if (lp->prev_size[slot] != size) {
		kmaplab_warn(id, "early_iounmap(%08x, %08x) [%d] size not consistent %08x", addr, size,
			     slot, lp->prev_size[slot]);
		return;
	}
	if (addr < __fix_to_virt(lp, lp->fix.fix_btmap_begin)) {
		kmaplab_warn(id, "early_iounmap(%08x, %08x): WARN_ON(virt_addr < fix_to_virt(FIX_BTMAP_BEGIN))",
			     addr, size);
		return;
	}

	offset = addr & ~PAGE_MASK;
	nrpages = PAGE_ALIGN(offset + size) >> PAGE_SHIFT;

	idx = lp->fix.fix_btmap_begin - lp->fix.nr_fix_btmaps * (uint32_t)slot;
	while (nrpages > 0 && !kmaplab_stopped(id)) {
		__set_fixmap(lp, idx, 0, KMAPLAB_PROT_KERNEL, true, KMAPLAB_FLUSH_EARLY_IOUNMAP);
		--idx;
		--nrpages;
	}
	lp->prev_map[slot] = 0;
}

/* ------------------------------------------------------------------ */
/* Context switches: __kmap_local_sched_out / __kmap_local_sched_in
 * (mm/highmem.c, v5.11..v6.6, called from prepare_task_switch() and
 * finish_task_switch() in kernel/sched/core.c).  A task's kmap_local
 * mappings live in its CPU's fixmap slots only while it runs: switching
 * out clears each of them with its flush (ARM's arch_kmap_local_post_unmap
 * is local_flush_tlb_kernel_page, arch/arm/include/asm/highmem.h), and
 * switching in re-installs the incoming task's with theirs
 * (arch_kmap_local_post_map, the same flush).  kmap_atomic never gets
 * here: it disables preemption.  In kmaplab the stack depth lives in
 * __kmap_atomic_idx[cpu] (see above), so it is saved with the task and
 * put back for the one that comes in. */

static struct kmap_ctrl *task_ctrl(struct linux_policy *lp, uint32_t task)
{
	if (task >= KMAPLAB_MAX_TASKS)
		return NULL;
	if (!lp->ctrl[task])
		lp->ctrl[task] = calloc(1, sizeof(*lp->ctrl[task]));
	return lp->ctrl[task];
}

/* DEBUG_KMAP_LOCAL: every even level is an unmapped guard. */
static bool guard_level(const struct linux_policy *lp, int32_t i)
{
	return lp->km_incr == 2 && !(i & 1);
}

static void linux_sched_out(kmaplab_plugin_id_t id, void *priv, uint32_t task)
{
	struct linux_policy *lp = priv;
	uint32_t cpu = kmaplab_smp_processor_id(id);
	/* kmap_local_sched_out(): if (unlikely(current->kmap_ctrl.idx)) */
	int32_t n = (int32_t)kmaplab_read32(id, kmap_idx_va(lp));
	struct kmap_ctrl *ctrl = task_ctrl(lp, task);

	if (!ctrl || cpu >= MAX_CPUS) {
		kmaplab_bug(id, "__kmap_local_sched_out: no room for task %u's kmap_ctrl", task);
		return;
	}
	ctrl->idx = n;
	for (int32_t i = 0; i < n && i < FIXMAP_SLOTS; i++) {
		kmaplab_pte_t pteval = lp->pteval[cpu][i];

		kmaplab_charge(id, KMAPLAB_COST_MEM_ACCESS, 1); /* tsk->kmap_ctrl.pteval[i] */
		ctrl->pteval[i] = pteval;
		ctrl->kind[i] = lp->kind[cpu][i];
		lp->pteval[cpu][i] = 0;
		lp->kind[cpu][i] = KIND_NONE;
		if (guard_level(lp, i) || kmaplab_pte_none(pteval))
			continue;
		uint32_t idx = kmap_fix_idx(lp, i);
		kmaplab_pte_clear(id, KMAPLAB_WINDOW_FIXMAP, idx);
		kmaplab_local_flush_tlb_kernel_page(id, __fix_to_virt(lp, idx), KMAPLAB_FLUSH_KUNMAP_LOCAL);
		lp->left[cpu][i] = 0;
	}
}

static void linux_sched_in(kmaplab_plugin_id_t id, void *priv, uint32_t task)
{
	struct linux_policy *lp = priv;
	uint32_t cpu = kmaplab_smp_processor_id(id);
	const struct kmap_ctrl *ctrl = task < KMAPLAB_MAX_TASKS ? lp->ctrl[task] : NULL;
	int32_t n = ctrl ? ctrl->idx : 0;

	if (cpu >= MAX_CPUS)
		return;
	/* current is the incoming task: its kmap_ctrl.idx */
	kmaplab_write32(id, kmap_idx_va(lp), (uint32_t)n);
	for (int32_t i = 0; i < n && i < FIXMAP_SLOTS; i++) {
		kmaplab_pte_t pteval = ctrl->pteval[i];

		kmaplab_charge(id, KMAPLAB_COST_MEM_ACCESS, 1); /* tsk->kmap_ctrl.pteval[i] */
		lp->pteval[cpu][i] = pteval;
		lp->kind[cpu][i] = ctrl->kind[i];
		if (guard_level(lp, i) || kmaplab_pte_none(pteval))
			continue;
		uint32_t idx = kmap_fix_idx(lp, i);
		kmaplab_set_pte(id, KMAPLAB_WINDOW_FIXMAP, idx, pteval);
		kmaplab_local_flush_tlb_kernel_page(id, __fix_to_virt(lp, idx), KMAPLAB_FLUSH_KMAP_LOCAL);
		lp->left[cpu][i] = 0;
	}
}

static const struct kmaplab_sched_ops linux_sched_ops = {
	.sched_out = linux_sched_out,
	.sched_in = linux_sched_in,
};

/* ------------------------------------------------------------------ */
/* Install */

static void linux_uninstall(kmaplab_plugin_id_t id, void *priv)
{
	struct linux_policy *lp = priv;
	(void)id;
	for (uint32_t i = 0; lp && i < KMAPLAB_MAX_TASKS; i++)
		free(lp->ctrl[i]);
	free(priv);
}

static const struct kmaplab_policy_ops linux_ops = {
	.kmap = linux_kmap,
	.kunmap = linux_kunmap,
	.kmap_atomic = linux_kmap_atomic,
	.kunmap_atomic = linux_kunmap_atomic,
	.kmap_local_page = linux_kmap_local_page,
	.kunmap_local = linux_kunmap_local,
	.page_address = NULL, /* the kernel's own page_address() */
	.set_fixmap = linux_set_fixmap,
	.clear_fixmap = linux_clear_fixmap,
	.early_ioremap = linux_early_ioremap,
	.early_iounmap = linux_early_iounmap,
	.uninstall = linux_uninstall,
};

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	if (!*s || *s == '-')
		return -1;
	unsigned long v = strtoul(s, &end, 0);
	if (*end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* The ops of `local`: kmap and kunmap on the kmap stack. */
static const struct kmaplab_policy_ops local_ops = {
	.kmap = local_kmap,
	.kunmap = local_kunmap,
	.kmap_atomic = linux_kmap_atomic,
	.kunmap_atomic = linux_kunmap_atomic,
	.kmap_local_page = linux_kmap_local_page,
	.kunmap_local = linux_kunmap_local,
	.page_address = NULL,
	.set_fixmap = linux_set_fixmap,
	.clear_fixmap = linux_clear_fixmap,
	.early_ioremap = linux_early_ioremap,
	.early_iounmap = linux_early_iounmap,
	.uninstall = linux_uninstall,
};

static int install_variant(kmaplab_plugin_id_t id, const struct kmaplab_plugin_info *info,
			   int argc, char **argv, enum linux_variant variant)
{
	static const char *const names[] = { "linux", "eager", "local", "flushall", "eager-local" };

	if (info->abi_version != KMAPLAB_PLUGIN_ABI_VERSION)
		return -1;
	struct linux_policy *lp = calloc(1, sizeof(*lp));
	if (!lp) {
		kmaplab_warn(id, "linux: out of memory");
		return -1;
	}
	lp->id = id;
	lp->info = *info;
	lp->strict = true;
	lp->variant = variant;
	lp->flushall_n = 33; /* x86's tlb_single_page_flush_ceiling */
	lp->km_incr = 1;
	/* The kernel profile (--kernel), when kmaplab is new enough to say. */
	if (info->size >= offsetof(struct kmaplab_plugin_info, kernel_config) + sizeof(info->kernel_config)) {
		lp->atomic_is_local = info->kernel_version >= KMAPLAB_KERNEL_VERSION(5, 11);
		lp->debug_highmem = (info->kernel_config & KMAPLAB_KCONFIG_DEBUG_HIGHMEM) != 0;
		if (info->kernel_config & KMAPLAB_KCONFIG_DEBUG_KMAP_LOCAL)
			lp->km_incr = 2; /* KM_INCR */
	}

	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		unsigned long v;
		size_t klen = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		bool ok = eq && parse_uint(eq + 1, 0xffffffffu, &v) == 0;

		if (ok && klen == 10 && !strncmp(argv[i], "km_type_nr", klen)) {
			if (lp->atomic_is_local) {
				kmaplab_warn(id, "%s: km_type_nr: this kernel has no KM_TYPE_NR (KM_MAX_IDX slots; --kernel 6.6,debug_kmap_local=1 for 33)",
					     names[variant]);
				goto fail;
			}
			if (kmaplab_set_km_type_nr(id, (uint32_t)v))
				goto fail; /* it said why */
		} else if (ok && v <= 1 && klen == 13 && !strncmp(argv[i], "debug_highmem", klen)) {
			lp->debug_highmem = v;
		} else if (ok && v <= 1 && klen == 6 && !strncmp(argv[i], "strict", klen)) {
			lp->strict = v;
		} else if (ok && variant == VARIANT_FLUSHALL && klen == 1 && argv[i][0] == 'n') {
			lp->flushall_n = (uint32_t)v;
		} else {
			kmaplab_warn(id, "%s: bad option '%s' (%skm_type_nr=N, debug_highmem=0|1, strict=0|1)",
				     names[variant], argv[i],
				     variant == VARIANT_FLUSHALL ? "flushall:N or n=N, " : "");
			goto fail;
		}
	}
	kmaplab_fixmap_layout(id, &lp->fix);

	/* early_ioremap_setup() */
	for (uint32_t i = 0; i < lp->fix.fix_btmaps_slots && i < 7; i++)
		lp->slot_virt[i] = __fix_to_virt(lp, lp->fix.fix_btmap_begin - lp->fix.nr_fix_btmaps * i);

	if (variant == VARIANT_FLUSHALL)
		snprintf(lp->name, sizeof(lp->name), "flushall:%u", lp->flushall_n);
	else
		snprintf(lp->name, sizeof(lp->name), "%s", names[variant]);
	if (kmaplab_register_sched(id, &linux_sched_ops, lp) ||
	    kmaplab_register_policy(id, lp->name, variant == VARIANT_LOCAL ? &local_ops : &linux_ops, lp))
		goto fail;
	return 0;
fail:
	free(lp);
	return -1;
}

int kmaplab_linux_install(kmaplab_plugin_id_t id, const struct kmaplab_plugin_info *info,
			  int argc, char **argv)
{
	return install_variant(id, info, argc, argv, VARIANT_LINUX);
}

int kmaplab_eager_install(kmaplab_plugin_id_t id, const struct kmaplab_plugin_info *info,
			  int argc, char **argv)
{
	return install_variant(id, info, argc, argv, VARIANT_EAGER);
}

int kmaplab_eager_local_install(kmaplab_plugin_id_t id, const struct kmaplab_plugin_info *info,
				int argc, char **argv)
{
	return install_variant(id, info, argc, argv, VARIANT_EAGER_LOCAL);
}

int kmaplab_local_install(kmaplab_plugin_id_t id, const struct kmaplab_plugin_info *info,
			  int argc, char **argv)
{
	return install_variant(id, info, argc, argv, VARIANT_LOCAL);
}

int kmaplab_flushall_install(kmaplab_plugin_id_t id, const struct kmaplab_plugin_info *info,
			     int argc, char **argv)
{
	return install_variant(id, info, argc, argv, VARIANT_FLUSHALL);
}

KMAPLAB_PLUGIN_DEFINE(kmaplab_linux_install)
