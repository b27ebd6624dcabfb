/* SPDX-License-Identifier: MIT */
/* Loading a policy and serving hypercalls with it (see policy.h). */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "policy.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bug.h"
#include "flush.h"
#include "gfp.h"
#include "kdata.h"
#include "kmaplab/hypercall.h"
#include "page.h"
#include "pgtable.h"
#include "plugin.h"

/* plugins/linux.c and its variants, plugins/nohighmem.c */
int kmaplab_linux_install(kmaplab_plugin_id_t id, const struct kmaplab_plugin_info *info,
			  int argc, char **argv);
int kmaplab_eager_install(kmaplab_plugin_id_t id, const struct kmaplab_plugin_info *info,
			  int argc, char **argv);
int kmaplab_eager_local_install(kmaplab_plugin_id_t id, const struct kmaplab_plugin_info *info,
				int argc, char **argv);
int kmaplab_local_install(kmaplab_plugin_id_t id, const struct kmaplab_plugin_info *info,
			  int argc, char **argv);
int kmaplab_nohighmem_install(kmaplab_plugin_id_t id, const struct kmaplab_plugin_info *info,
			      int argc, char **argv);
int kmaplab_flushall_install(kmaplab_plugin_id_t id, const struct kmaplab_plugin_info *info,
			     int argc, char **argv);

const struct builtin_policy builtin_policies[] = {
	{ "linux", NULL, "Linux v5.x ARM: pkmap with flush on wrap, kmap_atomic on the fixmap",
	  kmaplab_linux_install },
	{ "eager", NULL, "linux, but kunmap to no users clears the PTE and flushes that page at once",
	  kmaplab_eager_install },
	{ "local", NULL, "every kmap served like kmap_local_page: fixmap stack, flush per map",
	  kmaplab_local_install },
	{ "nohighmem", NULL, "all RAM in lowmem (CONFIG_HIGHMEM=n): kmap is page_address, no flushes",
	  kmaplab_nohighmem_install },
	{ "flushall", "N", "linux, but a range flush of more than N pages is one flush_tlb_all",
	  kmaplab_flushall_install },
	{ "eager-local", NULL, "eager with a local-only flush: on SMP the other CPUs keep stale entries",
	  kmaplab_eager_local_install },
	{ NULL, NULL, NULL, NULL },
};

static void fill_info(struct kmaplab_plugin *p)
{
	const struct kmap_state *ks = p->ks;
	const struct mm *mm = ks->mm;
	const struct kernel_layout *l = &mm->layout;
	p->info = (struct kmaplab_plugin_info){
		.abi_version = KMAPLAB_PLUGIN_ABI_VERSION,
		.size = sizeof(struct kmaplab_plugin_info),
		.core = mm->core ? mm->core->name : "?",
		.page_offset = l->page_offset,
		.high_memory = l->high_memory,
		.pkmap_base = l->pkmap_base,
		.last_pkmap = LAST_PKMAP,
		.arch_pfn_offset = ks->arch_pfn_offset,
		.max_low_pfn = ks->max_low_pfn,
		.max_pfn = ks->max_pfn,
		.nr_cpus = ks->fix.nr_cpus,
		.mem_map = ks->mem_map,
		.pkmap_count = ks->pkmap_count,
		.last_pkmap_nr = ks->last_pkmap_nr,
		.page_address_htable = ks->page_address_htable,
		.page_address_maps = ks->page_address_maps,
		.kmap_atomic_idx = ks->kmap_atomic_idx,
		.pkmap_page_table = __va(l, mm->pkmap_page_table),
		.bm_pte = __va(l, mm->bm_pte),
		.kernel_version = KMAPLAB_KERNEL_VERSION(ks->kernel.major, ks->kernel.minor),
		.kernel_config = (ks->kernel.smp ? KMAPLAB_KCONFIG_SMP : 0) |
				 (ks->kernel.debug_highmem ? KMAPLAB_KCONFIG_DEBUG_HIGHMEM : 0) |
				 (ks->kernel.debug_kmap_local ? KMAPLAB_KCONFIG_DEBUG_KMAP_LOCAL : 0) |
				 (ks->kernel.errata_720789 ? KMAPLAB_KCONFIG_ARM_ERRATA_720789 : 0) |
				 (ks->kernel.errata_798181 ? KMAPLAB_KCONFIG_ARM_ERRATA_798181 : 0),
	};
}

static bool is_path(const char *name)
{
	size_t n = strlen(name);
	return strchr(name, '/') || (n > 3 && strcmp(name + n - 3, ".so") == 0);
}

static kmaplab_plugin_install_fn open_shared(struct kmaplab_plugin *p, const char *path,
					     char *err, size_t errlen)
{
	/* "mine.so" is the file in the current directory, not a library
	 * dlopen() would search for. */
	char rel[4096];
	if (!strchr(path, '/') && snprintf(rel, sizeof(rel), "./%s", path) < (int)sizeof(rel))
		p->dl = dlopen(rel, RTLD_NOW | RTLD_LOCAL);
	else
		p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!p->dl) {
		snprintf(err, errlen, "cannot load the policy: %s", dlerror());
		return NULL;
	}
	const uint32_t *ver = dlsym(p->dl, "kmaplab_plugin_abi_version");
	void *fn = dlsym(p->dl, "kmaplab_plugin_install");
	if (!ver || !fn) {
		snprintf(err, errlen,
			 "%s is not a kmaplab policy (no kmaplab_plugin_abi_version or kmaplab_plugin_install; see plugins/kmaplab-plugin.h)",
			 path);
		return NULL;
	}
	if (*ver != KMAPLAB_PLUGIN_ABI_VERSION) {
		snprintf(err, errlen,
			 "%s was built for plugin ABI version %u, this kmaplab has version %u: rebuild it against this kmaplab's plugins/kmaplab-plugin.h",
			 path, *ver, KMAPLAB_PLUGIN_ABI_VERSION);
		return NULL;
	}
	kmaplab_plugin_install_fn install;
	memcpy(&install, &fn, sizeof(install)); /* ISO C has no function-pointer cast from void * */
	return install;
}

struct kmaplab_plugin *policy_load(struct kmap_state *ks, const char *name, int argc,
				   char **argv, char *err, size_t errlen)
{
	struct kmaplab_plugin *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory for the policy");
		return NULL;
	}
	p->ks = ks;
	snprintf(p->name, sizeof(p->name), "%s", name);

	kmaplab_plugin_install_fn install = NULL;
	char **args = NULL, narg[48];
	for (const struct builtin_policy *b = builtin_policies; b->name; b++) {
		size_t n = strlen(b->name);
		if (strcmp(b->name, name) == 0) {
			install = b->install;
		} else if (b->arg && strncmp(b->name, name, n) == 0 && name[n] == ':' &&
			   !is_path(name)) {
			/* NAME:N is NAME,n=N (flushall:32) */
			snprintf(narg, sizeof(narg), "n=%s", name + n + 1);
			args = malloc(sizeof(char *) * ((size_t)argc + 1));
			if (!args) {
				snprintf(err, errlen, "out of memory for the policy");
				goto fail;
			}
			args[0] = narg;
			for (int i = 0; i < argc; i++)
				args[i + 1] = argv[i];
			argc++;
			argv = args;
			install = b->install;
		}
	}
	if (!install) {
		if (!is_path(name)) {
			int n = snprintf(err, errlen, "unknown --policy '%s' (built in:", name);
			for (const struct builtin_policy *b = builtin_policies; b->name && n > 0 &&
			     (size_t)n < errlen; b++)
				n += snprintf(err + n, errlen - (size_t)n, " %s%s%s", b->name,
					      b->arg ? ":" : "", b->arg ? b->arg : "");
			if (n > 0 && (size_t)n < errlen)
				snprintf(err + n, errlen - (size_t)n, "; or a path to a .so)");
			goto fail;
		}
		install = open_shared(p, name, err, errlen);
		if (!install)
			goto fail;
	}

	fill_info(p);
	uint64_t warnings = ks->stats.warnings;
	struct fixmap_layout fix = ks->fix; /* a failed install changes nothing */
	p->installing = true;
	int rc = install(p, &p->info, argc, argv);
	p->installing = false;
	if (rc || kmap_stopped(ks) || !p->ops) {
		ks->fix = fix;
		if (kmap_stopped(ks))
			snprintf(err, errlen, "install failed: %s", kmap_status_message(ks));
		else if (ks->stats.warnings > warnings)
			/* The policy said why: its own words, less "WARNING: ". */
			snprintf(err, errlen, "%s",
				 strncmp(ks->last_warning, "WARNING: ", 9) ? ks->last_warning
									   : ks->last_warning + 9);
		else if (!p->ops)
			snprintf(err, errlen, "install failed (%d): it registered no callbacks (kmaplab_register_policy)", rc);
		else
			snprintf(err, errlen, "install failed (%d) without saying why (kmaplab_warn)", rc);
		if (p->ops && p->ops->uninstall)
			p->ops->uninstall(p, p->priv);
		p->ops = NULL;
		p->sched = NULL;
		goto fail;
	}
	free(args);
	return p;
fail:
	free(args);
	policy_unload(p);
	return NULL;
}

int policy_install_base(kmaplab_plugin_id_t id, kmaplab_plugin_install_fn install, int argc,
			char **argv, const struct kmaplab_policy_ops **ops, void **priv)
{
	if (!id->installing || id->ops)
		return -1;
	int rc = install(id, &id->info, argc, argv);
	*ops = id->ops;
	*priv = id->priv;
	id->ops = NULL;
	id->priv = NULL;
	if (rc || kmap_stopped(id->ks) || !*ops) {
		id->sched = NULL; /* its priv goes with the base */
		if (*ops && (*ops)->uninstall)
			(*ops)->uninstall(id, *priv);
		*ops = NULL;
		*priv = NULL;
		return -1;
	}
	return 0;
}

struct kmaplab_plugin *policy_load_spec(struct kmap_state *ks, const char *spec, char *err,
					size_t errlen)
{
	char *copy = strdup(spec);
	char *argv[64];
	int argc = 0;
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	char *name = copy, *comma = strchr(copy, ',');
	while (comma) {
		*comma = 0;
		if (argc == (int)(sizeof(argv) / sizeof(argv[0]))) {
			snprintf(err, errlen, "--policy %s: too many options", spec);
			free(copy);
			return NULL;
		}
		argv[argc++] = comma + 1;
		comma = strchr(comma + 1, ',');
	}
	struct kmaplab_plugin *p = policy_load(ks, name, argc, argv, err, errlen);
	free(copy);
	return p;
}

void policy_sched_out(struct kmaplab_plugin *p, uint32_t task)
{
	if (p && p->sched && p->sched->sched_out && !kmap_stopped(p->ks))
		p->sched->sched_out(p, p->sched_priv, task);
}

void policy_sched_in(struct kmaplab_plugin *p, uint32_t task)
{
	if (p && p->sched && p->sched->sched_in && !kmap_stopped(p->ks))
		p->sched->sched_in(p, p->sched_priv, task);
}

void policy_unload(struct kmaplab_plugin *p)
{
	if (!p)
		return;
	if (p->ops && p->ops->uninstall)
		p->ops->uninstall(p, p->priv);
	if (p->dl)
		dlclose(p->dl);
	free(p);
}

const char *policy_name(const struct kmaplab_plugin *p)
{
	return p->name;
}

void policy_set_symbolizer(struct kmaplab_plugin *p, policy_symbolize_fn fn, void *arg)
{
	p->symbolize = fn;
	p->symbolize_arg = arg;
}

const char *policy_message(const struct kmaplab_plugin *p)
{
	return p->message;
}

struct kmap_state *policy_kernel(const struct kmaplab_plugin *p)
{
	return p->ks;
}

int kmap_kernel_info(const struct kmap_state *ks, uint32_t which, uint32_t *val)
{
	const struct mm *mm = ks->mm;
	const struct kernel_layout *l = &mm->layout;
	switch (which) {
	case KINFO_PAGE_OFFSET: *val = l->page_offset; break;
	case KINFO_PHYS_OFFSET: *val = l->phys_offset; break;
	case KINFO_MEM_MAP: *val = ks->mem_map; break;
	case KINFO_ARCH_PFN_OFFSET: *val = ks->arch_pfn_offset; break;
	case KINFO_MAX_LOW_PFN: *val = ks->max_low_pfn; break;
	case KINFO_MAX_PFN: *val = ks->max_pfn; break;
	case KINFO_PKMAP_BASE: *val = l->pkmap_base; break;
	case KINFO_LAST_PKMAP: *val = LAST_PKMAP; break;
	case KINFO_KM_TYPE_NR: *val = ks->fix.km_type_nr; break;
	case KINFO_SWAPPER_PG_DIR: *val = __va(l, mm->swapper_pg_dir); break;
	case KINFO_PKMAP_COUNT: *val = ks->pkmap_count; break;
	case KINFO_PKMAP_PAGE_TABLE: *val = __va(l, mm->pkmap_page_table); break;
	case KINFO_BM_PTE: *val = __va(l, mm->bm_pte); break;
	case KINFO_NR_CPUS: *val = ks->fix.nr_cpus; break;
	case KINFO_KERNEL_VERSION: *val = KMAPLAB_KERNEL_VERSION(ks->kernel.major, ks->kernel.minor); break;
	case KINFO_KERNEL_CONFIG:
		*val = (ks->kernel.smp ? KCONFIG_SMP : 0) | (ks->kernel.debug_highmem ? KCONFIG_DEBUG_HIGHMEM : 0) |
		       (ks->kernel.debug_kmap_local ? KCONFIG_DEBUG_KMAP_LOCAL : 0) |
		       (ks->kernel.errata_720789 ? KCONFIG_ARM_ERRATA_720789 : 0) |
		       (ks->kernel.errata_798181 ? KCONFIG_ARM_ERRATA_798181 : 0);
		break;
#ifdef KINFO_PAGE_ADDRESS_HTABLE
	case KINFO_PAGE_ADDRESS_HTABLE: *val = ks->page_address_htable; break;
#endif
#ifdef KINFO_PAGE_ADDRESS_MAPS
	case KINFO_PAGE_ADDRESS_MAPS: *val = ks->page_address_maps; break;
#endif
#ifdef KINFO_LAST_PKMAP_NR
	case KINFO_LAST_PKMAP_NR: *val = ks->last_pkmap_nr; break;
#endif
#ifdef KINFO_KMAP_ATOMIC_IDX
	case KINFO_KMAP_ATOMIC_IDX: *val = ks->kmap_atomic_idx; break;
#endif
	default:
		return -1;
	}
	return 0;
}

static const char *where(const struct kmaplab_plugin *p, uint32_t pc, char *buf, size_t len)
{
	if (p->symbolize)
		return p->symbolize(p->symbolize_arg, pc, buf, len);
	snprintf(buf, len, "0x%08x", pc);
	return buf;
}

static void set_message(struct kmaplab_plugin *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_message(struct kmaplab_plugin *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->message, sizeof(p->message), fmt, ap);
	va_end(ap);
}

/* Appends who holds the pkmap slots to a would-sleep report. */
static void name_holders(struct kmaplab_plugin *p, char *buf, size_t len)
{
	struct kmap_state *ks = p->ks;
	unsigned held = 0, unused = 0, listed = 0;
	size_t n = strlen(buf);
	for (uint32_t nr = 0; nr < LAST_PKMAP; nr++) {
		int32_t count = (int32_t)kpeek32(ks, ks->pkmap_count + nr * 4);
		if (count == 1)
			unused++;
		if (count <= 1)
			continue;
		held++;
		if (listed < 6 && n < len) {
			char sym[96];
			uint32_t pfn = pte_pfn(pte_peek(ks, PTE_WINDOW_PKMAP, nr));
			int k = snprintf(buf + n, len - n, "%s slot %u: pfn 0x%x, %d user%s, kmap at %s",
					 listed ? ";" : " -- held:", nr, pfn, count - 1,
					 count == 2 ? "" : "s", where(p, p->pkmap_pc[nr], sym, sizeof(sym)));
			if (k > 0)
				n += (size_t)k;
			listed++;
		}
	}
	if (n < len)
		snprintf(buf + n, len - n, "%s (%u of %u pkmap slots held, %u mapped but unused)",
			 held > listed ? "; ..." : "", held, LAST_PKMAP, unused);
}

/* The page frame behind a VA a guest passes to kunmap_atomic/kunmap_local
 * (for the trace), read before the call can clear it. */
static uint32_t va_pfn_peek(const struct kmap_state *ks, uint32_t va)
{
	const struct kernel_layout *l = &ks->mm->layout;
	if (va >= l->page_offset && va < l->high_memory)
		return __pa(l, va) >> PAGE_SHIFT;
	if (va >= PKMAP_ADDR(l, 0) && va < PKMAP_ADDR(l, LAST_PKMAP))
		return pte_pfn(pte_peek(ks, PTE_WINDOW_PKMAP, PKMAP_NR(l, va)));
	if (va >= FIXADDR_START && va < FIXADDR_END)
		return pte_pfn(pte_peek(ks, PTE_WINDOW_FIXMAP, __virt_to_fix(va)));
	return KMAP_EVENT_NONE;
}

/* The kernel's names, for messages. */
static const char *const call_names[KMAP_NR_OPS] = {
	[KMAP_OP_KMAP] = "kmap",
	[KMAP_OP_KUNMAP] = "kunmap",
	[KMAP_OP_KMAP_ATOMIC] = "kmap_atomic",
	[KMAP_OP_KUNMAP_ATOMIC] = "kunmap_atomic",
	[KMAP_OP_KMAP_LOCAL_PAGE] = "kmap_local_page",
	[KMAP_OP_KUNMAP_LOCAL] = "kunmap_local",
	[KMAP_OP_PAGE_ADDRESS] = "page_address",
	[KMAP_OP_SET_FIXMAP] = "set_fixmap",
	[KMAP_OP_CLEAR_FIXMAP] = "clear_fixmap",
	[KMAP_OP_EARLY_IOREMAP] = "early_ioremap",
	[KMAP_OP_EARLY_IOUNMAP] = "early_iounmap",
	[KMAP_OP_ALLOC_PAGE] = "alloc_page",
	[KMAP_OP_FREE_PAGE] = "__free_page",
	[KMAP_OP_FLUSH_ALL_ZERO_PKMAPS] = "flush_all_zero_pkmaps",
};

static const char *call_name(enum kmap_op op)
{
	return (unsigned)op < KMAP_NR_OPS ? call_names[op] : "?";
}

/* One kmap-family call: checks, runs the policy's callback, traces. */
struct call {
	enum kmap_op op;
	uint32_t page;      /* struct page * argument, or NONE */
	uint32_t va_in;     /* VA argument (kunmap: the page's VA), or NONE */
	uint32_t arg;
};

static enum hc_status finish(struct kmaplab_plugin *p, const struct call *c, uint32_t pc,
			     uint64_t cycle0, uint32_t pfn, uint32_t *ret)
{
	struct kmap_state *ks = p->ks;
	const struct kernel_layout *l = &ks->mm->layout;
	bool returns_va = c->op == KMAP_OP_KMAP || c->op == KMAP_OP_KMAP_ATOMIC ||
			  c->op == KMAP_OP_KMAP_LOCAL_PAGE || c->op == KMAP_OP_PAGE_ADDRESS ||
			  c->op == KMAP_OP_EARLY_IOREMAP;
	uint32_t va = c->va_in != KMAP_EVENT_NONE	     ? c->va_in
		      : returns_va && !kmap_stopped(ks) && *ret ? *ret
								 : KMAP_EVENT_NONE;
	struct kmap_event ev = {
		.cycle = cycle0,
		.op = c->op,
		.pc = pc,
		.page = c->page,
		.pfn = pfn,
		.va = va,
		.pkmap_nr = KMAP_EVENT_NONE,
		.fix_idx = KMAP_EVENT_NONE,
		.arg = c->arg,
		.cycles = ks->mm->stats.cycles - cycle0,
		.failed = kmap_stopped(ks),
	};
	if (va != KMAP_EVENT_NONE && va >= PKMAP_ADDR(l, 0) && va < PKMAP_ADDR(l, LAST_PKMAP))
		ev.pkmap_nr = PKMAP_NR(l, va);
	if (va != KMAP_EVENT_NONE && va >= FIXADDR_START && va < FIXADDR_END)
		ev.fix_idx = __virt_to_fix(va);
	if (!kmap_stopped(ks) && ev.pkmap_nr != KMAP_EVENT_NONE &&
	    (c->op == KMAP_OP_KMAP || c->op == KMAP_OP_KMAP_ATOMIC ||
	     c->op == KMAP_OP_KMAP_LOCAL_PAGE))
		p->pkmap_pc[ev.pkmap_nr] = pc;
	kmap_trace(ks, &ev);

	if (!kmap_stopped(ks))
		return HC_DONE;
	*ret = 0;
	char sym[96], call[64];
	if (c->page != KMAP_EVENT_NONE)
		snprintf(call, sizeof(call), "%s(page 0x%08x)", call_name(c->op), c->page);
	else if (c->va_in != KMAP_EVENT_NONE)
		snprintf(call, sizeof(call), "%s(0x%08x)", call_name(c->op), c->va_in);
	else
		snprintf(call, sizeof(call), "%s", call_name(c->op));
	set_message(p, "%s [in %s called at %s, policy %s]", kmap_status_message(ks), call,
		    where(p, pc, sym, sizeof(sym)), p->name);
	if (kmap_status(ks) == KMAP_WOULD_SLEEP) {
		name_holders(p, p->message, sizeof(p->message));
		return HC_STOP_WOULD_SLEEP;
	}
	return HC_STOP_BUG;
}

static enum hc_status no_callback(struct kmaplab_plugin *p, const char *what, uint32_t pc)
{
	char sym[96];
	set_message(p, "%s is not implemented by policy %s (called at %s)", what, p->name,
		    where(p, pc, sym, sizeof(sym)));
	return HC_BAD_CALL;
}

enum hc_status kmaplab_hypercall(struct kmaplab_plugin *p, uint32_t nr, const uint32_t args[4],
				 uint32_t pc, uint32_t *ret)
{
	struct kmap_state *ks = p->ks;
	const struct kmaplab_policy_ops *ops = p->ops;
	uint32_t a0 = args[0], a1 = args[1];
	char sym[96];

	*ret = 0;
	if (kmap_stopped(ks)) {
		set_message(p, "%s", kmap_status_message(ks));
		return kmap_status(ks) == KMAP_WOULD_SLEEP ? HC_STOP_WOULD_SLEEP : HC_STOP_BUG;
	}
	kcharge(ks, ks->mm->core->cost.hypercall);
	uint64_t cycle0 = ks->mm->stats.cycles;
	struct call c = { .page = KMAP_EVENT_NONE, .va_in = KMAP_EVENT_NONE, .arg = 0 };
	uint32_t pfn = KMAP_EVENT_NONE;

	switch (nr) {
	case HC_ABI_VERSION:
		*ret = KMAPLAB_HC_ABI_VERSION;
		return HC_DONE;
	case HC_KERNEL_INFO:
		if (kmap_kernel_info(ks, a0, ret) == 0)
			return HC_DONE;
		set_message(p, "HC_KERNEL_INFO: unknown selector %u at %s", a0,
			    where(p, pc, sym, sizeof(sym)));
		return HC_BAD_CALL;

	case HC_LOCAL_FLUSH_TLB_KERNEL_PAGE:
		local_flush_tlb_kernel_page(ks, a0, FLUSH_CAUSE_GUEST);
		return HC_DONE;
	case HC_FLUSH_TLB_KERNEL_RANGE:
		flush_tlb_kernel_range(ks, a0, a1, FLUSH_CAUSE_GUEST);
		return HC_DONE;
	case HC_FLUSH_TLB_ALL:
		flush_tlb_all(ks, FLUSH_CAUSE_GUEST);
		return HC_DONE;

	case HC_ALLOC_PAGE:
		c.op = KMAP_OP_ALLOC_PAGE;
		c.arg = a0;
		*ret = alloc_page(ks, a0);
		c.page = *ret ? *ret : KMAP_EVENT_NONE;
		if (*ret)
			pfn = page_to_pfn(ks, *ret);
		break;
	case HC_FREE_PAGE:
		c.op = KMAP_OP_FREE_PAGE;
		c.page = a0;
		if (check_page(ks, a0, "__free_page")) {
			pfn = page_to_pfn(ks, a0);
			__free_page(ks, a0);
		}
		break;

	case HC_PAGE_ADDRESS:
	case HC_KMAP:
	case HC_KUNMAP:
	case HC_KMAP_ATOMIC:
	case HC_KMAP_LOCAL_PAGE:
		c.op = nr == HC_PAGE_ADDRESS ? KMAP_OP_PAGE_ADDRESS
		       : nr == HC_KMAP       ? KMAP_OP_KMAP
		       : nr == HC_KUNMAP     ? KMAP_OP_KUNMAP
		       : nr == HC_KMAP_ATOMIC ? KMAP_OP_KMAP_ATOMIC
					      : KMAP_OP_KMAP_LOCAL_PAGE;
		c.page = a0;
		if (!check_page(ks, a0, call_name(c.op)))
			break;
		pfn = page_to_pfn(ks, a0);
		switch (nr) {
		case HC_PAGE_ADDRESS:
			*ret = ops->page_address ? ops->page_address(p, p->priv, a0)
						 : page_address(ks, a0);
			break;
		case HC_KMAP:
			if (!ops->kmap)
				return no_callback(p, "kmap", pc);
			*ret = ops->kmap(p, p->priv, a0);
			break;
		case HC_KUNMAP:
			if (!ops->kunmap)
				return no_callback(p, "kunmap", pc);
			/* The VA being unmapped, for the trace. */
			c.va_in = page_address_peek(ks, a0);
			if (!c.va_in)
				c.va_in = KMAP_EVENT_NONE;
			ops->kunmap(p, p->priv, a0);
			break;
		case HC_KMAP_ATOMIC:
			if (!ops->kmap_atomic)
				return no_callback(p, "kmap_atomic", pc);
			*ret = ops->kmap_atomic(p, p->priv, a0);
			break;
		default:
			if (!ops->kmap_local_page)
				return no_callback(p, "kmap_local_page", pc);
			*ret = ops->kmap_local_page(p, p->priv, a0);
			break;
		}
		break;

	case HC_KUNMAP_ATOMIC:
	case HC_KUNMAP_LOCAL:
		c.op = nr == HC_KUNMAP_ATOMIC ? KMAP_OP_KUNMAP_ATOMIC : KMAP_OP_KUNMAP_LOCAL;
		c.va_in = a0;
		pfn = va_pfn_peek(ks, a0);
		if (nr == HC_KUNMAP_ATOMIC) {
			if (!ops->kunmap_atomic)
				return no_callback(p, "kunmap_atomic", pc);
			ops->kunmap_atomic(p, p->priv, a0);
		} else {
			if (!ops->kunmap_local)
				return no_callback(p, "kunmap_local", pc);
			ops->kunmap_local(p, p->priv, a0);
		}
		break;

	case HC_SET_FIXMAP:
		c.op = KMAP_OP_SET_FIXMAP;
		c.arg = a1;
		c.va_in = a0 < FIXMAP_SLOTS ? __fix_to_virt(a0) : KMAP_EVENT_NONE;
		pfn = a1 >> PAGE_SHIFT;
		if (!ops->set_fixmap)
			return no_callback(p, "set_fixmap", pc);
		ops->set_fixmap(p, p->priv, a0, a1);
		break;
	case HC_CLEAR_FIXMAP:
		c.op = KMAP_OP_CLEAR_FIXMAP;
		c.arg = a0;
		c.va_in = a0 < FIXMAP_SLOTS ? __fix_to_virt(a0) : KMAP_EVENT_NONE;
		if (!ops->clear_fixmap)
			return no_callback(p, "clear_fixmap", pc);
		ops->clear_fixmap(p, p->priv, a0);
		break;
	case HC_EARLY_IOREMAP:
		c.op = KMAP_OP_EARLY_IOREMAP;
		c.arg = a1;
		pfn = a0 >> PAGE_SHIFT;
		if (!ops->early_ioremap)
			return no_callback(p, "early_ioremap", pc);
		*ret = ops->early_ioremap(p, p->priv, a0, a1);
		break;
	case HC_EARLY_IOUNMAP:
		c.op = KMAP_OP_EARLY_IOUNMAP;
		c.va_in = a0;
		c.arg = a1;
		pfn = va_pfn_peek(ks, a0);
		if (!ops->early_iounmap)
			return no_callback(p, "early_iounmap", pc);
		ops->early_iounmap(p, p->priv, a0, a1);
		break;

	default:
		set_message(p, "unknown hypercall %u at %s (hypercall ABI version %d)", nr,
			    where(p, pc, sym, sizeof(sym)), KMAPLAB_HC_ABI_VERSION);
		return HC_BAD_CALL;
	}
	return finish(p, &c, pc, cycle0, pfn, ret);
}
