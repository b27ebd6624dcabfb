/* SPDX-License-Identifier: MIT */
/* The highmem machinery's kernel data and the page_address hash
 * (mm/highmem.c, HASHED_PAGE_VIRTUAL part, Linux v5.x); see highmem.h. */
#include "highmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kdata.h"
#include "hash.h"
#include "list.h"
#include "page.h"
#include "gfp.h"

static uint32_t boot_alloc(struct mm *mm, uint32_t size, uint32_t align)
{
	uint32_t pa = memblock_alloc(mm, size, align);
	return pa ? __va(&mm->layout, pa) : 0;
}

/* page_address_init() */
static void page_address_init(struct kmap_state *ks)
{
	for (uint32_t i = 0; i < PA_HASH_SIZE; i++) {
		uint32_t pas = ks->page_address_htable + i * PAGE_ADDRESS_SLOT_SIZE;
		INIT_LIST_HEAD(ks, pas + PAS_OFF_LH);
		kpoke32(ks, pas + PAS_OFF_LOCK, 0); /* spin_lock_init */
	}
}

struct kmap_state *kmap_init(struct mm *mm, const struct kmap_config *cfg, char *err,
			     size_t errlen)
{
	const struct kernel_layout *l = &mm->layout;
	unsigned nr_cpus = cfg && cfg->nr_cpus ? cfg->nr_cpus : NR_CPUS_DEFAULT;

	struct kmap_state *ks = calloc(1, sizeof(*ks));
	if (!ks) {
		snprintf(err, errlen, "out of memory for the kernel state");
		return NULL;
	}
	ks->mm = mm;
	if (cfg && cfg->kernel)
		ks->kernel = *cfg->kernel;
	else
		kernel_profile_default("5.10", &ks->kernel);
	unsigned km_type_nr = cfg && cfg->km_type_nr ? cfg->km_type_nr : ks->kernel.km_slots;
	if (tlbflush_seqs_init(&ks->seqs, mm->core, &ks->kernel)) {
		snprintf(err, errlen, "no flush sequences for core '%s'", mm->core ? mm->core->name : "?");
		goto fail;
	}
	if (fixmap_layout_init(&ks->fix, km_type_nr, nr_cpus, err, errlen))
		goto fail;

	ks->arch_pfn_offset = l->phys_offset >> PAGE_SHIFT;
	ks->max_low_pfn = (l->phys_offset + l->lowmem_size) >> PAGE_SHIFT;
	ks->max_pfn = (uint32_t)(((uint64_t)l->phys_offset + l->ram_size) >> PAGE_SHIFT);
	uint32_t nr_pages = ks->max_pfn - ks->arch_pfn_offset;

	/* Like the kernel's bootmem-era layout: mem_map first (the big one),
	 * then the small highmem tables, each cache-line aligned. */
	ks->mem_map = boot_alloc(mm, nr_pages * STRUCT_PAGE_SIZE, PAGE_SIZE);
	ks->pkmap_count = boot_alloc(mm, LAST_PKMAP * 4, 64);
	ks->last_pkmap_nr = boot_alloc(mm, 4, 64);
	ks->page_address_maps = boot_alloc(mm, LAST_PKMAP * PAGE_ADDRESS_MAP_SIZE, 64);
	ks->page_address_htable = boot_alloc(mm, PA_HASH_SIZE * PAGE_ADDRESS_SLOT_SIZE, 64);
	ks->kmap_atomic_idx = boot_alloc(mm, nr_cpus * 4, 64);
	if (!ks->mem_map || !ks->pkmap_count || !ks->last_pkmap_nr || !ks->page_address_maps ||
	    !ks->page_address_htable || !ks->kmap_atomic_idx) {
		snprintf(err, errlen,
			 "lowmem too small for the kernel's highmem data (mem_map alone needs %u KiB)",
			 nr_pages * STRUCT_PAGE_SIZE >> 10);
		goto fail;
	}
	page_address_init(ks);

	if (page_alloc_init(ks, err, errlen))
		goto fail;
	return ks;
fail:
	kmap_free(ks);
	return NULL;
}

void kmap_free(struct kmap_state *ks)
{
	if (!ks)
		return;
	free(ks->page_free);
	free(ks);
}

int kmap_set_km_type_nr(struct kmap_state *ks, unsigned km_type_nr, char *err, size_t errlen)
{
	struct fixmap_layout f;
	if (fixmap_layout_init(&f, km_type_nr, ks->fix.nr_cpus, err, errlen))
		return -1;
	ks->fix = f;
	return 0;
}

uint32_t page_slot(const struct kmap_state *ks, uint32_t page)
{
	return ks->page_address_htable + hash_ptr(page, PA_HASH_ORDER) * PAGE_ADDRESS_SLOT_SIZE;
}

/* arch_spinlock_t on ARMv7 is a ticket lock {u16 owner; u16 next}: lock
 * takes a ticket (ldrex/strex on the word), unlock bumps owner: one load
 * and one store each, plus the spinning another CPU's section costs. */
static unsigned bucket_klock(const struct kmap_state *ks, uint32_t lock)
{
	return SMP_KLOCK_PA_BUCKET + (lock - ks->page_address_htable) / PAGE_ADDRESS_SLOT_SIZE;
}

static void spin_lock(struct kmap_state *ks, uint32_t lock)
{
	smp_klock_acquire(ks->mm, bucket_klock(ks, lock)); /* SMP: contention (mm/smp_lock.c) */
	kwrite32(ks, lock, kread32(ks, lock) + 0x10000u);
}

static void spin_unlock(struct kmap_state *ks, uint32_t lock)
{
	uint32_t v = kread32(ks, lock);
	kwrite32(ks, lock, (v & 0xffff0000u) | ((v + 1) & 0xffffu));
	smp_klock_release(ks->mm, bucket_klock(ks, lock));
}

/* list_for_each_entry(pam, &pas->lh, list) looking for `page`.  Returns
 * the page_address_map's VA, or 0.  The list is guest memory: a corrupted
 * one (a cycle that misses the head, a wild pointer) is a kernel BUG. */
static uint32_t find_pam(struct kmap_state *ks, uint32_t pas, uint32_t page, const char *who)
{
	uint32_t head = pas + PAS_OFF_LH;
	uint32_t pos = list_next(ks, head);
	for (uint32_t n = 0; pos != head && !kmap_stopped(ks); n++) {
		if (n > LAST_PKMAP) {
			kmap_bug(ks, "%s: page_address_htable bucket at 0x%08x is corrupted (no end after %u entries)",
				 who, pas, LAST_PKMAP);
			return 0;
		}
		uint32_t pam = pos - PAM_OFF_LIST;
		if (kread32(ks, pam + PAM_OFF_PAGE) == page)
			return pam;
		pos = list_next(ks, pos);
	}
	return 0;
}

uint32_t page_address(struct kmap_state *ks, uint32_t page)
{
	if (!check_page(ks, page, "page_address"))
		return 0;
	if (!PageHighMem(ks, page))
		return lowmem_page_address(ks, page);

	uint32_t pas = page_slot(ks, page);
	uint32_t ret = 0;
	spin_lock(ks, pas + PAS_OFF_LOCK);
	/* if (!list_empty(&pas->lh)) */
	if (list_next(ks, pas + PAS_OFF_LH) != pas + PAS_OFF_LH) {
		uint32_t pam = find_pam(ks, pas, page, "page_address");
		if (pam)
			ret = kread32(ks, pam + PAM_OFF_VIRTUAL);
	}
	spin_unlock(ks, pas + PAS_OFF_LOCK);
	return ret;
}

uint32_t page_address_peek(const struct kmap_state *ks, uint32_t page)
{
	if (!page_valid(ks, page))
		return 0;
	uint32_t pfn = page_to_pfn(ks, page);
	uint32_t flags = kpeek32(ks, page + PAGE_OFF_FLAGS);
	if (((flags >> ZONES_PGSHIFT) & ZONES_MASK) != ZONE_HIGHMEM)
		return __va(&ks->mm->layout, pfn << PAGE_SHIFT);
	uint32_t head = page_slot(ks, page) + PAS_OFF_LH;
	uint32_t pos = kpeek32(ks, head + LIST_OFF_NEXT);
	for (uint32_t n = 0; pos != head && n <= LAST_PKMAP; n++) {
		uint32_t pam = pos - PAM_OFF_LIST;
		if (!kdata_valid(ks, pam, PAGE_ADDRESS_MAP_SIZE))
			return 0;
		if (kpeek32(ks, pam + PAM_OFF_PAGE) == page)
			return kpeek32(ks, pam + PAM_OFF_VIRTUAL);
		pos = kpeek32(ks, pos + LIST_OFF_NEXT);
	}
	return 0;
}

void set_page_address(struct kmap_state *ks, uint32_t page, uint32_t virtual)
{
	const struct kernel_layout *l = &ks->mm->layout;

	if (!check_page(ks, page, "set_page_address"))
		return;
	if (!PageHighMem(ks, page)) {
		kmap_bug(ks, "set_page_address: BUG_ON(!PageHighMem(page)): page 0x%08x (pfn 0x%x) is lowmem",
			 page, page_to_pfn(ks, page));
		return;
	}
	uint32_t pas = page_slot(ks, page);
	if (virtual) { /* Add */
		if (virtual < PKMAP_ADDR(l, 0) || virtual >= PKMAP_ADDR(l, LAST_PKMAP)) {
			kmap_bug(ks, "set_page_address: 0x%08x is not a pkmap address (page_address_maps[PKMAP_NR] out of bounds)",
				 virtual);
			return;
		}
		uint32_t pam = ks->page_address_maps + PKMAP_NR(l, virtual) * PAGE_ADDRESS_MAP_SIZE;
		kwrite32(ks, pam + PAM_OFF_PAGE, page);
		kwrite32(ks, pam + PAM_OFF_VIRTUAL, virtual);
		spin_lock(ks, pas + PAS_OFF_LOCK);
		list_add_tail(ks, pam + PAM_OFF_LIST, pas + PAS_OFF_LH);
		spin_unlock(ks, pas + PAS_OFF_LOCK);
	} else { /* Remove */
		spin_lock(ks, pas + PAS_OFF_LOCK);
		uint32_t pam = find_pam(ks, pas, page, "set_page_address");
		if (pam)
			list_del(ks, pam + PAM_OFF_LIST);
		spin_unlock(ks, pas + PAS_OFF_LOCK);
	}
}

/* The stats keys of DESIGN.md ("kmap.kmap_local", ...). */
static const char *const kmap_op_names[KMAP_NR_OPS] = {
	[KMAP_OP_KMAP] = "kmap",
	[KMAP_OP_KUNMAP] = "kunmap",
	[KMAP_OP_KMAP_ATOMIC] = "kmap_atomic",
	[KMAP_OP_KUNMAP_ATOMIC] = "kunmap_atomic",
	[KMAP_OP_KMAP_LOCAL_PAGE] = "kmap_local",
	[KMAP_OP_KUNMAP_LOCAL] = "kunmap_local",
	[KMAP_OP_PAGE_ADDRESS] = "page_address",
	[KMAP_OP_SET_FIXMAP] = "set_fixmap",
	[KMAP_OP_CLEAR_FIXMAP] = "clear_fixmap",
	[KMAP_OP_EARLY_IOREMAP] = "early_ioremap",
	[KMAP_OP_EARLY_IOUNMAP] = "early_iounmap",
	[KMAP_OP_ALLOC_PAGE] = "alloc_page",
	[KMAP_OP_FREE_PAGE] = "free_page",
	[KMAP_OP_FLUSH_ALL_ZERO_PKMAPS] = "flush_all_zero_pkmaps",
};

const char *kmap_op_name(enum kmap_op op)
{
	return (unsigned)op < KMAP_NR_OPS ? kmap_op_names[op] : "?";
}

void kmap_trace(struct kmap_state *ks, const struct kmap_event *ev)
{
	if ((unsigned)ev->op < KMAP_NR_OPS)
		ks->stats.calls[ev->op]++;
	if (ks->trace && ks->trace->kmap)
		ks->trace->kmap(ks->trace_arg, ev);
}

void kmap_note(struct kmap_state *ks, enum kmap_op op, uint32_t arg)
{
	kmap_note_span(ks, op, arg, ks->mm->stats.cycles);
}

void kmap_note_span(struct kmap_state *ks, enum kmap_op op, uint32_t arg, uint64_t begin)
{
	struct kmap_event ev = {
		.cycle = begin,
		.cycles = ks->mm->stats.cycles - begin,
		.op = op,
		.page = KMAP_EVENT_NONE,
		.pfn = KMAP_EVENT_NONE,
		.va = KMAP_EVENT_NONE,
		.pkmap_nr = KMAP_EVENT_NONE,
		.fix_idx = KMAP_EVENT_NONE,
		.arg = arg,
	};
	kmap_trace(ks, &ev);
}
