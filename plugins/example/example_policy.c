/* SPDX-License-Identifier: MIT */
/* example_policy.c -- a complete kmaplab mapping policy in one file,
 * written only against kmaplab-plugin.h: start your own from here.
 *
 * Build it like any policy of your own (docs/policies.md):
 *
 *	cc -shared -fPIC -O2 -I<kmaplab>/plugins example_policy.c -o example_policy.so
 *	kmaplab run --policy ./example_policy.so,slots=64 guest.elf
 *
 * The rule, "first fit, flush at unmap":
 *
 *   - A lowmem page is its linear address (lowmem_page_address).
 *   - A highmem page gets the LOWEST free slot of the pkmap window (the
 *     kernel takes the next one round robin).  Nothing is flushed when a
 *     slot is mapped: every free slot was flushed when it was freed, and
 *     nothing else maps the window.
 *   - A page mapped already is shared: its slot gains a user.
 *   - When the last user unmaps, the slot's PTE is cleared, the page's
 *     page_address is removed and that one page is flushed
 *     (local_flush_tlb_kernel_page, cause policy_eager).
 *   - kmap_atomic and kmap_local_page are the same as kmap, and their
 *     unmaps take the address back to the page through the PTE.  They must
 *     not sleep: with every slot taken that is a BUG, where kmap would
 *     sleep.
 *   - set_fixmap, clear_fixmap, early_ioremap and early_iounmap are not
 *     provided: a guest calling them stops with "not implemented by policy
 *     example" (exit status 76).
 *
 * So N kmap+kunmap pairs of distinct pages cost N single-page flushes and
 * no wrap ever happens.  The slot state is the kernel's own pkmap_count[]
 * in guest RAM (0 free, n + 1 while n users hold it), so each step of the
 * slot scan is charged as a kernel-data load, and page_address() (the
 * hash) is the kernel's, so the guest's page_address() works unchanged.
 *
 * Options (--policy ./example_policy.so,key=value,...):
 *   slots=N   use only the first N slots of the window (1..512, default 512)
 *
 * Built with -DEXAMPLE_BROKEN this is broken_policy.so: kunmap clears the
 * PTE WITHOUT the flush, the bug kmaplab's TLB model exists to catch.  The
 * next kmap that reuses the slot points the PTE at another page while the
 * TLB still holds the old translation: every access through it is reported
 * as a stale-translation hazard ("kmaplab: hazard: ...", hazards.stale_tlb).
 */
#include <stdlib.h>
#include <string.h>

#include "kmaplab-plugin.h"

#ifdef EXAMPLE_BROKEN
#define POLICY_NAME "broken"
#else
#define POLICY_NAME "example"
#endif

#define PAGE_SHIFT 12

struct example {
	struct kmaplab_plugin_info info; /* copied: valid only during install */
	uint32_t slots;
};

static uint32_t slot_va(const struct example *ex, uint32_t nr)
{
	return ex->info.pkmap_base + (nr << PAGE_SHIFT);
}

static int32_t count_get(kmaplab_plugin_id_t id, const struct example *ex, uint32_t nr)
{
	return (int32_t)kmaplab_read32(id, ex->info.pkmap_count + 4 * nr);
}

static void count_set(kmaplab_plugin_id_t id, const struct example *ex, uint32_t nr, int32_t c)
{
	kmaplab_write32(id, ex->info.pkmap_count + 4 * nr, (uint32_t)c);
}

/* kmap and friends.  `may_sleep`: what to do with every slot taken. */
static uint32_t map(kmaplab_plugin_id_t id, struct example *ex, kmaplab_page_t page,
		    bool may_sleep)
{
	if (!kmaplab_PageHighMem(id, page))
		return kmaplab_lowmem_page_address(id, page);

	uint32_t va = kmaplab_page_address(id, page);
	if (va) { /* mapped already: one more user */
		uint32_t nr = (va - ex->info.pkmap_base) >> PAGE_SHIFT;
		count_set(id, ex, nr, count_get(id, ex, nr) + 1);
		return va;
	}
	for (uint32_t nr = 0; nr < ex->slots; nr++) {
		if (count_get(id, ex, nr) != 0)
			continue;
		/* The slot was flushed when it was freed: no flush here. */
		kmaplab_set_pte(id, KMAPLAB_WINDOW_PKMAP, nr,
				kmaplab_mk_pte(id, kmaplab_page_to_pfn(id, page), KMAPLAB_PROT_KERNEL));
		count_set(id, ex, nr, 2); /* mapped, one user */
		kmaplab_set_page_address(id, page, slot_va(ex, nr));
		return slot_va(ex, nr);
	}
	if (may_sleep)
		kmaplab_would_sleep(id, "kmap(page 0x%08x): policy " POLICY_NAME ": all %u slots are in use",
				    page, ex->slots);
	else
		kmaplab_bug(id, "kmap_atomic(page 0x%08x): policy " POLICY_NAME ": all %u slots are in use and it must not sleep",
			    page, ex->slots);
	return 0;
}

static void unmap(kmaplab_plugin_id_t id, struct example *ex, kmaplab_page_t page,
		  const char *who)
{
	if (!kmaplab_PageHighMem(id, page))
		return;
	uint32_t va = kmaplab_page_address(id, page);
	if (!va) {
		kmaplab_bug(id, "%s(page 0x%08x, pfn 0x%x): the page is not mapped", who, page,
			    kmaplab_page_to_pfn(id, page));
		return;
	}
	uint32_t nr = (va - ex->info.pkmap_base) >> PAGE_SHIFT;
	int32_t count = count_get(id, ex, nr) - 1;
	if (count > 1) { /* other users remain */
		count_set(id, ex, nr, count);
		return;
	}
	count_set(id, ex, nr, 0);
	kmaplab_pte_clear(id, KMAPLAB_WINDOW_PKMAP, nr);
	kmaplab_set_page_address(id, page, 0);
#ifndef EXAMPLE_BROKEN
	kmaplab_local_flush_tlb_kernel_page(id, va, KMAPLAB_FLUSH_POLICY_EAGER);
#endif
	/* EXAMPLE_BROKEN: no flush.  The TLB may keep translating va to the
	 * old page until something else evicts or invalidates it. */
}

/* kunmap_atomic / kunmap_local take an address: back to the page. */
static void unmap_va(kmaplab_plugin_id_t id, struct example *ex, uint32_t va, const char *who)
{
	if (va >= ex->info.page_offset && va < ex->info.high_memory)
		return; /* a lowmem page: nothing was mapped */
	uint32_t nr = (va - ex->info.pkmap_base) >> PAGE_SHIFT;
	if (va < ex->info.pkmap_base || nr >= ex->slots) {
		kmaplab_bug(id, "%s(0x%08x): not an address policy " POLICY_NAME " returned", who, va);
		return;
	}
	kmaplab_pte_t pte = kmaplab_pte_read(id, KMAPLAB_WINDOW_PKMAP, nr);
	kmaplab_page_t page = kmaplab_pfn_to_page(id, kmaplab_pte_pfn(pte));
	if (kmaplab_pte_none(pte) || !page) {
		kmaplab_bug(id, "%s(0x%08x): slot %u maps nothing", who, va, nr);
		return;
	}
	unmap(id, ex, page, who);
}

static uint32_t ex_kmap(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page)
{
	return map(id, priv, page, true);
}

static void ex_kunmap(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page)
{
	unmap(id, priv, page, "kunmap");
}

static uint32_t ex_kmap_atomic(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page)
{
	return map(id, priv, page, false);
}

static void ex_kunmap_atomic(kmaplab_plugin_id_t id, void *priv, uint32_t va)
{
	unmap_va(id, priv, va, "kunmap_atomic");
}

static void ex_kunmap_local(kmaplab_plugin_id_t id, void *priv, uint32_t va)
{
	unmap_va(id, priv, va, "kunmap_local");
}

static void ex_uninstall(kmaplab_plugin_id_t id, void *priv)
{
	(void)id;
	free(priv);
}

static const struct kmaplab_policy_ops example_ops = {
	.kmap = ex_kmap,
	.kunmap = ex_kunmap,
	.kmap_atomic = ex_kmap_atomic,
	.kunmap_atomic = ex_kunmap_atomic,
	.kmap_local_page = ex_kmap_atomic,
	.kunmap_local = ex_kunmap_local,
	/* page_address: NULL, the kernel's (the hash kept above) */
	/* set_fixmap, clear_fixmap, early_ioremap, early_iounmap: NULL */
	.uninstall = ex_uninstall,
};

static int example_install(kmaplab_plugin_id_t id, const struct kmaplab_plugin_info *info,
			   int argc, char **argv)
{
	struct example *ex = calloc(1, sizeof(*ex));
	if (!ex) {
		kmaplab_warn(id, POLICY_NAME ": out of memory");
		return -1;
	}
	ex->info = *info;
	ex->slots = info->last_pkmap;
	for (int i = 0; i < argc; i++) {
		char *end;
		if (strncmp(argv[i], "slots=", 6) == 0) {
			unsigned long n = strtoul(argv[i] + 6, &end, 0);
			if (argv[i][6] && !*end && n >= 1 && n <= info->last_pkmap) {
				ex->slots = (uint32_t)n;
				continue;
			}
		}
		kmaplab_warn(id, POLICY_NAME ": bad option '%s' (slots=1..%u)", argv[i], info->last_pkmap);
		free(ex);
		return -1;
	}
	if (kmaplab_register_policy(id, POLICY_NAME, &example_ops, ex)) {
		free(ex);
		return -1;
	}
	return 0;
}

KMAPLAB_PLUGIN_DEFINE(example_install)
