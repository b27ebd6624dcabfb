/* SPDX-License-Identifier: MIT */
/* The `nohighmem` policy: a kernel with all RAM in lowmem -- what
 * CONFIG_HIGHMEM=n gives (include/linux/highmem.h, the !CONFIG_HIGHMEM
 * half), as on a Raspberry Pi 2 kernel with the 2G/2G split or on any
 * 64-bit kernel.  It is the lower bound of what mapping a page can cost:
 *
 *   kmap(page), kmap_atomic(page), kmap_local_page(page)
 *				page_address(page), i.e. lowmem_page_address():
 *				pointer arithmetic on mem_map, nothing loaded,
 *				no PTE written, no TLB flush
 *   kunmap, kunmap_atomic, kunmap_local
 *				nothing (preempt/pagefault counts are not
 *				charged, as in `linux`)
 *   page_address(page)		lowmem_page_address(page) (no hash)
 *   set_fixmap, clear_fixmap, early_ioremap, early_iounmap
 *				exactly as `linux`: the ARM fixmap does not
 *				depend on CONFIG_HIGHMEM (this file runs the
 *				linux policy's code for them)
 *
 * The machine must have no highmem: a kernel without CONFIG_HIGHMEM cannot
 * reach RAM above the lowmem limit at all (arch/arm/mm/mmu.c drops it:
 * "Ignoring RAM at ..."), and running the same guest on less RAM than the
 * other policies would not be a comparison.  So with highmem present the
 * policy refuses to install and says what to run instead: a split whose
 * linear map covers all RAM (--split 2G/2G maps up to 1792 MiB, with a
 * guest built by kmaplab-cc --split 2G/2G) or less RAM (--ram).
 *
 * Options: those of `linux` (km_type_nr=N changes the fixmap layout; the
 * others concern only kmap_atomic/kmap_local, which do not use it here).
 *
 * Built in (it uses plugins/plugin.h's policy_install_base to run linux's
 * fixmap code); everything else is the plugin ABI. */
#include <stdlib.h>

#include "kmaplab-plugin.h"
#include "plugin.h"

int kmaplab_linux_install(kmaplab_plugin_id_t id, const struct kmaplab_plugin_info *info,
			  int argc, char **argv);

struct nohighmem {
	uint32_t max_low_pfn;
	const struct kmaplab_policy_ops *base; /* linux, for the fixmap */
	void *base_priv;
};

/* page_address() without HIGHMEM.  No highmem page exists (install made
 * sure of it); a page above max_low_pfn would be a broken machine. */
static uint32_t nh_address(kmaplab_plugin_id_t id, struct nohighmem *nh, kmaplab_page_t page,
			   const char *who)
{
	if (kmaplab_page_to_pfn(id, page) >= nh->max_low_pfn) {
		kmaplab_bug(id, "%s(page 0x%08x): pfn 0x%x is above max_low_pfn 0x%x, but policy nohighmem has no highmem",
			    who, page, kmaplab_page_to_pfn(id, page), nh->max_low_pfn);
		return 0;
	}
	return kmaplab_lowmem_page_address(id, page);
}

static uint32_t nh_kmap(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page)
{
	/* might_sleep(); return page_address(page); */
	return nh_address(id, priv, page, "kmap");
}

static uint32_t nh_kmap_atomic(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page)
{
	/* preempt_disable(); pagefault_disable(); return page_address(page); */
	return nh_address(id, priv, page, "kmap_atomic");
}

static uint32_t nh_kmap_local_page(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page)
{
	return nh_address(id, priv, page, "kmap_local_page");
}

static uint32_t nh_page_address(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page)
{
	return nh_address(id, priv, page, "page_address");
}

static void nh_kunmap(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page)
{
	(void)id;
	(void)priv;
	(void)page;
}

static void nh_kunmap_va(kmaplab_plugin_id_t id, void *priv, uint32_t va)
{
	(void)id;
	(void)priv;
	(void)va;
}

static void nh_set_fixmap(kmaplab_plugin_id_t id, void *priv, uint32_t idx, uint32_t phys)
{
	struct nohighmem *nh = priv;
	nh->base->set_fixmap(id, nh->base_priv, idx, phys);
}

static void nh_clear_fixmap(kmaplab_plugin_id_t id, void *priv, uint32_t idx)
{
	struct nohighmem *nh = priv;
	nh->base->clear_fixmap(id, nh->base_priv, idx);
}

static uint32_t nh_early_ioremap(kmaplab_plugin_id_t id, void *priv, uint32_t phys, uint32_t size)
{
	struct nohighmem *nh = priv;
	return nh->base->early_ioremap(id, nh->base_priv, phys, size);
}

static void nh_early_iounmap(kmaplab_plugin_id_t id, void *priv, uint32_t va, uint32_t size)
{
	struct nohighmem *nh = priv;
	nh->base->early_iounmap(id, nh->base_priv, va, size);
}

static void nh_uninstall(kmaplab_plugin_id_t id, void *priv)
{
	struct nohighmem *nh = priv;
	if (nh->base && nh->base->uninstall)
		nh->base->uninstall(id, nh->base_priv);
	free(nh);
}

static const struct kmaplab_policy_ops nohighmem_ops = {
	.kmap = nh_kmap,
	.kunmap = nh_kunmap,
	.kmap_atomic = nh_kmap_atomic,
	.kunmap_atomic = nh_kunmap_va,
	.kmap_local_page = nh_kmap_local_page,
	.kunmap_local = nh_kunmap_va,
	.page_address = nh_page_address,
	.set_fixmap = nh_set_fixmap,
	.clear_fixmap = nh_clear_fixmap,
	.early_ioremap = nh_early_ioremap,
	.early_iounmap = nh_early_iounmap,
	.uninstall = nh_uninstall,
};

int kmaplab_nohighmem_install(kmaplab_plugin_id_t id, const struct kmaplab_plugin_info *info,
			      int argc, char **argv)
{
	if (info->max_pfn > info->max_low_pfn) {
		uint32_t ram_mib = (info->max_pfn - info->arch_pfn_offset) >> 8;
		uint32_t low_mib = (info->max_low_pfn - info->arch_pfn_offset) >> 8;
		kmaplab_warn(id, "policy nohighmem needs all RAM in lowmem, but %u MiB of the %u MiB are highmem (PAGE_OFFSET 0x%08x maps %u MiB): use --ram %uM, or a split that maps it all, e.g. --split 2G/2G (up to 1792M; the guest built with kmaplab-cc --split 2G/2G)",
			     ram_mib - low_mib, ram_mib, info->page_offset, low_mib, low_mib);
		return -1;
	}
	struct nohighmem *nh = calloc(1, sizeof(*nh));
	if (!nh) {
		kmaplab_warn(id, "nohighmem: out of memory");
		return -1;
	}
	nh->max_low_pfn = info->max_low_pfn;
	if (policy_install_base(id, kmaplab_linux_install, argc, argv, &nh->base, &nh->base_priv)) {
		free(nh);
		return -1; /* linux said why (a bad option) */
	}
	if (kmaplab_register_policy(id, "nohighmem", &nohighmem_ops, nh)) {
		nh_uninstall(id, nh);
		return -1;
	}
	return 0;
}
