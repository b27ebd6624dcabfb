/* SPDX-License-Identifier: MIT */
/* The primitives of the policy plugin ABI (kmaplab-plugin.h), on mm/.
 * Each is a thin, checked layer: the kernel semantics and the charging
 * live in mm/ so that built-in code and plugins are measured alike. */
#include <stdarg.h>
#include <stdio.h>

#include "bug.h"
#include "flush.h"
#include "highmem.h"
#include "kdata.h"
#include "page.h"
#include "pgtable.h"
#include "plugin.h"

/* The plugin ABI repeats mm/'s numbers; keep them in step. */
_Static_assert((int)KMAPLAB_WINDOW_PKMAP == (int)PTE_WINDOW_PKMAP, "window");
_Static_assert((int)KMAPLAB_WINDOW_FIXMAP == (int)PTE_WINDOW_FIXMAP, "window");
_Static_assert((int)KMAPLAB_PROT_KERNEL == (int)PROT_KERNEL, "prot");
_Static_assert((int)KMAPLAB_PROT_IO == (int)PROT_KERNEL_IO, "prot");
_Static_assert((int)KMAPLAB_PROT_RO == (int)PROT_KERNEL_RO, "prot");
_Static_assert((int)KMAPLAB_FLUSH_PKMAP_WRAP == (int)FLUSH_CAUSE_PKMAP_WRAP, "cause");
_Static_assert((int)KMAPLAB_FLUSH_KMAP_ATOMIC == (int)FLUSH_CAUSE_KMAP_ATOMIC, "cause");
_Static_assert((int)KMAPLAB_FLUSH_KUNMAP_ATOMIC == (int)FLUSH_CAUSE_KUNMAP_ATOMIC, "cause");
_Static_assert((int)KMAPLAB_FLUSH_KMAP_LOCAL == (int)FLUSH_CAUSE_KMAP_LOCAL, "cause");
_Static_assert((int)KMAPLAB_FLUSH_KUNMAP_LOCAL == (int)FLUSH_CAUSE_KUNMAP_LOCAL, "cause");
_Static_assert((int)KMAPLAB_FLUSH_SET_FIXMAP == (int)FLUSH_CAUSE_SET_FIXMAP, "cause");
_Static_assert((int)KMAPLAB_FLUSH_CLEAR_FIXMAP == (int)FLUSH_CAUSE_CLEAR_FIXMAP, "cause");
_Static_assert((int)KMAPLAB_FLUSH_EARLY_IOREMAP == (int)FLUSH_CAUSE_EARLY_IOREMAP, "cause");
_Static_assert((int)KMAPLAB_FLUSH_EARLY_IOUNMAP == (int)FLUSH_CAUSE_EARLY_IOUNMAP, "cause");
_Static_assert((int)KMAPLAB_FLUSH_GUEST == (int)FLUSH_CAUSE_GUEST, "cause");
_Static_assert((int)KMAPLAB_FLUSH_POLICY_EAGER == (int)FLUSH_CAUSE_POLICY_EAGER, "cause");
_Static_assert((int)KMAPLAB_FLUSH_POLICY == (int)FLUSH_CAUSE_POLICY, "cause");
_Static_assert(FLUSH_NR_CAUSES == KMAPLAB_FLUSH_POLICY + 1, "cause");

static bool valid_window(kmaplab_plugin_id_t id, enum kmaplab_window win, const char *who)
{
	if (win == KMAPLAB_WINDOW_PKMAP || win == KMAPLAB_WINDOW_FIXMAP)
		return true;
	kmap_bug(id->ks, "%s: policy %s passed an unknown window %d", who, id->name, (int)win);
	return false;
}

static enum flush_cause cause_of(enum kmaplab_flush_cause c)
{
	return (unsigned)c < FLUSH_NR_CAUSES ? (enum flush_cause)c : FLUSH_CAUSE_POLICY;
}

int kmaplab_register_policy(kmaplab_plugin_id_t id, const char *name,
			    const struct kmaplab_policy_ops *ops, void *priv)
{
	if (!id->installing || id->ops || !ops)
		return -1;
	id->ops = ops;
	id->priv = priv;
	if (name && *name)
		snprintf(id->name, sizeof(id->name), "%s", name);
	return 0;
}

int kmaplab_set_km_type_nr(kmaplab_plugin_id_t id, uint32_t km_type_nr)
{
	char err[200];
	if (!id->installing) {
		kmaplab_warn(id, "kmaplab_set_km_type_nr: only while the policy installs");
		return -1;
	}
	if (kmap_set_km_type_nr(id->ks, km_type_nr, err, sizeof(err))) {
		kmaplab_warn(id, "km_type_nr=%u: %s", km_type_nr, err);
		return -1;
	}
	return 0;
}

void kmaplab_fixmap_layout(kmaplab_plugin_id_t id, struct kmaplab_fixmap_layout *out)
{
	const struct fixmap_layout *f = &id->ks->fix;
	*out = (struct kmaplab_fixmap_layout){
		.km_type_nr = f->km_type_nr,
		.nr_cpus = f->nr_cpus,
		.fix_earlycon_mem_base = FIX_EARLYCON_MEM_BASE,
		.fix_kmap_begin = f->fix_kmap_begin,
		.fix_kmap_end = f->fix_kmap_end,
		.fix_text_poke0 = f->fix_text_poke0,
		.fix_text_poke1 = f->fix_text_poke1,
		.end_of_fixmap_region = f->end_of_fixmap_region,
		.nr_fix_btmaps = NR_FIX_BTMAPS,
		.fix_btmaps_slots = FIX_BTMAPS_SLOTS,
		.fix_btmap_end = FIX_BTMAP_END,
		.fix_btmap_begin = FIX_BTMAP_BEGIN,
		.end_of_early_ioremap_region = __end_of_early_ioremap_region,
		.end_of_fixed_addresses = f->end_of_fixed_addresses,
		.fixaddr_start = FIXADDR_START,
		.fixaddr_top = FIXADDR_TOP,
	};
}

bool kmaplab_page_valid(kmaplab_plugin_id_t id, kmaplab_page_t page)
{
	return page_valid(id->ks, page);
}

uint32_t kmaplab_page_to_pfn(kmaplab_plugin_id_t id, kmaplab_page_t page)
{
	return page_to_pfn(id->ks, page);
}

kmaplab_page_t kmaplab_pfn_to_page(kmaplab_plugin_id_t id, uint32_t pfn)
{
	return pfn_valid(id->ks, pfn) ? pfn_to_page(id->ks, pfn) : 0;
}

bool kmaplab_PageHighMem(kmaplab_plugin_id_t id, kmaplab_page_t page)
{
	if (!check_page(id->ks, page, "PageHighMem"))
		return false;
	return PageHighMem(id->ks, page);
}

int kmaplab_register_sched(kmaplab_plugin_id_t id, const struct kmaplab_sched_ops *ops, void *priv)
{
	if (!id->installing || id->sched || !ops)
		return -1;
	id->sched = ops;
	id->sched_priv = priv;
	return 0;
}

uint32_t kmaplab_lowmem_page_address(kmaplab_plugin_id_t id, kmaplab_page_t page)
{
	return lowmem_page_address(id->ks, page);
}

uint32_t kmaplab_smp_processor_id(kmaplab_plugin_id_t id)
{
	return id->ks->mm->smp.cpu;
}

uint32_t kmaplab_page_address(kmaplab_plugin_id_t id, kmaplab_page_t page)
{
	return page_address(id->ks, page);
}

void kmaplab_set_page_address(kmaplab_plugin_id_t id, kmaplab_page_t page, uint32_t va)
{
	if (!kmap_stopped(id->ks))
		set_page_address(id->ks, page, va);
}

kmaplab_pte_t kmaplab_mk_pte(kmaplab_plugin_id_t id, uint32_t pfn, enum kmaplab_prot prot)
{
	(void)id;
	if (prot != KMAPLAB_PROT_IO && prot != KMAPLAB_PROT_RO)
		prot = KMAPLAB_PROT_KERNEL;
	return mk_pte(pfn, (enum kprot)prot);
}

uint32_t kmaplab_window_va(kmaplab_plugin_id_t id, enum kmaplab_window win, uint32_t nr)
{
	return pte_window_va(id->ks, (enum pte_window)win, nr);
}

kmaplab_pte_t kmaplab_pte_read(kmaplab_plugin_id_t id, enum kmaplab_window win, uint32_t nr)
{
	if (!valid_window(id, win, "kmaplab_pte_read"))
		return 0;
	return pte_read(id->ks, (enum pte_window)win, nr);
}

void kmaplab_set_pte(kmaplab_plugin_id_t id, enum kmaplab_window win, uint32_t nr,
		     kmaplab_pte_t pte)
{
	if (kmap_stopped(id->ks) || !valid_window(id, win, "kmaplab_set_pte"))
		return;
	set_pte_at(id->ks, (enum pte_window)win, nr, pte);
}

void kmaplab_pte_clear(kmaplab_plugin_id_t id, enum kmaplab_window win, uint32_t nr)
{
	if (kmap_stopped(id->ks) || !valid_window(id, win, "kmaplab_pte_clear"))
		return;
	pte_clear(id->ks, (enum pte_window)win, nr);
}

unsigned kmaplab_local_flush_tlb_kernel_page(kmaplab_plugin_id_t id, uint32_t va,
					     enum kmaplab_flush_cause cause)
{
	if (kmap_stopped(id->ks))
		return 0;
	return local_flush_tlb_kernel_page(id->ks, va, cause_of(cause));
}

unsigned kmaplab_flush_tlb_kernel_range(kmaplab_plugin_id_t id, uint32_t start, uint32_t end,
					enum kmaplab_flush_cause cause)
{
	if (kmap_stopped(id->ks))
		return 0;
	return flush_tlb_kernel_range(id->ks, start, end, cause_of(cause));
}

unsigned kmaplab_flush_tlb_all(kmaplab_plugin_id_t id, enum kmaplab_flush_cause cause)
{
	if (kmap_stopped(id->ks))
		return 0;
	return flush_tlb_all(id->ks, cause_of(cause));
}

uint32_t kmaplab_read32(kmaplab_plugin_id_t id, uint32_t va)
{
	return kread32(id->ks, va);
}

void kmaplab_write32(kmaplab_plugin_id_t id, uint32_t va, uint32_t val)
{
	if (!kmap_stopped(id->ks))
		kwrite32(id->ks, va, val);
}

void kmaplab_charge(kmaplab_plugin_id_t id, enum kmaplab_cost what, uint64_t n)
{
	const struct core_costs *c = &id->ks->mm->core->cost;
	switch (what) {
	case KMAPLAB_COST_MEM_ACCESS:
		id->ks->stats.mem_accesses += n;
		kcharge(id->ks, n * c->mem_access);
		break;
	case KMAPLAB_COST_PTE_WRITE:
		id->ks->stats.pte_writes += n;
		kcharge(id->ks, n * c->pte_write);
		break;
	default:
		kcharge(id->ks, n);
		break;
	}
}

void kmaplab_kmap_lock(kmaplab_plugin_id_t id)
{
	smp_klock_acquire(id->ks->mm, SMP_KLOCK_KMAP);
}

void kmaplab_kmap_unlock(kmaplab_plugin_id_t id)
{
	smp_klock_release(id->ks->mm, SMP_KLOCK_KMAP);
}

void kmaplab_event(kmaplab_plugin_id_t id, enum kmaplab_event ev, uint32_t arg)
{
	switch (ev) {
	case KMAPLAB_EVENT_FLUSH_ALL_ZERO_PKMAPS_BEGIN:
		id->fazp_open = true;
		id->fazp_begin = id->ks->mm->stats.cycles;
		break;
	case KMAPLAB_EVENT_FLUSH_ALL_ZERO_PKMAPS:
		if (id->fazp_open)
			kmap_note_span(id->ks, KMAP_OP_FLUSH_ALL_ZERO_PKMAPS, arg, id->fazp_begin);
		else
			kmap_note(id->ks, KMAP_OP_FLUSH_ALL_ZERO_PKMAPS, arg);
		id->fazp_open = false;
		break;
	}
}

void kmaplab_bug(kmaplab_plugin_id_t id, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kmap_bug(id->ks, "%s", msg);
}

void kmaplab_would_sleep(kmaplab_plugin_id_t id, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kmap_would_sleep(id->ks, "%s", msg);
}

void kmaplab_warn(kmaplab_plugin_id_t id, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kmap_warn(id->ks, "%s", msg);
}

bool kmaplab_stopped(kmaplab_plugin_id_t id)
{
	return kmap_stopped(id->ks);
}
