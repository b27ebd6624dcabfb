/* SPDX-License-Identifier: MIT */
/* kmaplab policy plugin API, version 1.
 *
 * A mapping policy decides what the modelled kernel does for the kmap
 * family (kmap, kunmap, kmap_atomic, kunmap_atomic, kmap_local_page,
 * kunmap_local, page_address) and for the fixmap (set_fixmap, clear_fixmap,
 * early_ioremap, early_iounmap) when a guest calls them.  It works only
 * through the primitives below -- the PTEs of the pkmap and fixmap windows,
 * the three TLB flush functions, the page_address hash, and the kernel data
 * in guest RAM -- so that every policy is measured by the same rules.  This
 * header is all a policy needs: it does not include kmaplab's mm/ headers
 * and every handle is opaque.
 *
 * A policy is built into kmaplab (`--policy linux`) or is a shared object
 * (`--policy ./mine.so,key=value,...`), built with
 *
 *	cc -shared -fPIC -I<kmaplab>/plugins mine.c -o mine.so
 *
 * A shared object exports two symbols (like QEMU's TCG plugins):
 *
 *	KMAPLAB_PLUGIN_EXPORT const uint32_t kmaplab_plugin_abi_version =
 *		KMAPLAB_PLUGIN_ABI_VERSION;
 *	KMAPLAB_PLUGIN_EXPORT int kmaplab_plugin_install(kmaplab_plugin_id_t id,
 *		const struct kmaplab_plugin_info *info, int argc, char **argv);
 *
 * kmaplab refuses an object whose kmaplab_plugin_abi_version is not its own
 * KMAPLAB_PLUGIN_ABI_VERSION.  kmaplab_plugin_install() runs once, after the
 * kernel's memory is set up and before the guest's first instruction; it
 * parses argv (the "key=value" strings after the policy name; they are
 * valid only during the call: copy what you keep), registers the policy's
 * callbacks with kmaplab_register_policy(), and returns 0 (or non-zero to
 * refuse to run, after saying why with kmaplab_warn(); kmaplab then undoes
 * any configuration the install made).  KMAPLAB_PLUGIN_DEFINE() below
 * writes both symbols for you; keep your own install function static so
 * that it cannot be interposed by a symbol of the same name elsewhere.
 *
 * The primitives resolve against the kmaplab binary, which exports them
 * (it is linked with --export-dynamic).
 *
 * Conventions
 *   - Guest pointers (kernel VAs, struct page *) are uint32_t.
 *   - Every callback and primitive takes the kmaplab_plugin_id_t the
 *     install function was given; a policy may be installed on several
 *     machines at once, so keep per-machine state in `priv`, not globals.
 *   - A kernel bug the guest provokes is reported with kmaplab_bug(); a
 *     call that would block forever with kmaplab_would_sleep().  Both
 *     return: the callback must then return at once (its return value is
 *     ignored).  From then on every primitive that changes state does
 *     nothing, and kmaplab stops the run with the message.
 *
 * Cost model (see docs/cycle-model.md for the core constants): kernel work
 * a policy does is charged as the hardware would spend it --
 *   kmaplab_read32 / kmaplab_write32 (a kernel-data load or store,
 *     e.g. one pkmap_count[] read = one slot-scan step)   mem_access each
 *   kmaplab_pte_read                                        mem_access
 *   kmaplab_set_pte / kmaplab_pte_clear                     pte_write
 *   kmaplab_page_address (hash walk: lock, list_empty, per entry page
 *     compare + next pointer, unlock)                       mem_access per word
 *   kmaplab_set_page_address (2 stores + lock + list op)    mem_access per word
 *   kmaplab_PageHighMem (page->flags load)                  mem_access
 *   the flush functions: their instructions' costs (DSB, TLBIMVA per page,
 *     BPIALL, ISB / TLBIALL)
 * The entry and exit of the kernel function (one hypercall cost) is
 * charged by kmaplab.  Work a policy does on private host-side data is
 * free unless it charges it with kmaplab_charge().
 */
#ifndef KMAPLAB_PLUGIN_H
#define KMAPLAB_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KMAPLAB_PLUGIN_ABI_VERSION 1

#if defined(__GNUC__)
#define KMAPLAB_PLUGIN_EXPORT __attribute__((visibility("default")))
#define KMAPLAB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define KMAPLAB_PLUGIN_EXPORT
#define KMAPLAB_PRINTF(f, a)
#endif

/* One installed policy on one machine. */
typedef struct kmaplab_plugin *kmaplab_plugin_id_t;

/* A struct page * of the guest's mem_map (guest VA). */
typedef uint32_t kmaplab_page_t;

/* A PTE value: the ARMv7 small-page descriptor the MMU walks; 0 is none. */
typedef uint32_t kmaplab_pte_t;

/* The machine the policy is installed on.  All addresses are kernel VAs,
 * readable and writable with kmaplab_read32/kmaplab_write32. */
struct kmaplab_plugin_info {
	uint32_t abi_version;      /* KMAPLAB_PLUGIN_ABI_VERSION of kmaplab */
	uint32_t size;             /* sizeof(struct kmaplab_plugin_info) in kmaplab */
	const char *core;          /* "cortex-a7", ... */

	/* The kernel's layout (arch/arm/include/asm/memory.h, highmem.h). */
	uint32_t page_offset;      /* PAGE_OFFSET */
	uint32_t high_memory;      /* end of the linear map */
	uint32_t pkmap_base;       /* PKMAP_BASE = PAGE_OFFSET - 2 MiB */
	uint32_t last_pkmap;       /* LAST_PKMAP (512) */
	uint32_t arch_pfn_offset;  /* pfn of mem_map[0] */
	uint32_t max_low_pfn;      /* first highmem pfn */
	uint32_t max_pfn;          /* end of RAM */
	uint32_t nr_cpus;          /* NR_CPUS (the guest runs on CPU 0) */

	/* Kernel data (mm/highmem.h documents the layouts). */
	uint32_t mem_map;             /* struct page[], 32 bytes each */
	uint32_t pkmap_count;         /* int[LAST_PKMAP] */
	uint32_t last_pkmap_nr;       /* unsigned int */
	uint32_t page_address_htable; /* struct page_address_slot[128], 64 bytes each */
	uint32_t page_address_maps;   /* struct page_address_map[LAST_PKMAP], 16 bytes each */
	uint32_t kmap_atomic_idx;     /* int __kmap_atomic_idx[NR_CPUS] */
	uint32_t pkmap_page_table;    /* pte_t[LAST_PKMAP] (use kmaplab_pte_* instead) */
	uint32_t bm_pte;              /* the fixmap's 768 PTEs (use kmaplab_pte_* instead) */

	/* The modelled kernel (--kernel, docs/kernel-profiles.md).  Appended
	 * within ABI 1: present when size reaches past kernel_config. */
	uint32_t kernel_version;      /* KMAPLAB_KERNEL_VERSION(5, 10) or (6, 6) */
	uint32_t kernel_config;       /* KMAPLAB_KCONFIG_* bits */
};

#define KMAPLAB_KERNEL_VERSION(major, minor) (((uint32_t)(major) << 16) | ((uint32_t)(minor) << 8))
#define KMAPLAB_KCONFIG_SMP (1u << 0)
#define KMAPLAB_KCONFIG_DEBUG_HIGHMEM (1u << 1)
#define KMAPLAB_KCONFIG_DEBUG_KMAP_LOCAL (1u << 2)
#define KMAPLAB_KCONFIG_ARM_ERRATA_720789 (1u << 3)
#define KMAPLAB_KCONFIG_ARM_ERRATA_798181 (1u << 4)

/* ---------------------------------------------------------------------
 * Registration
 */

/* The callbacks of a policy.  `priv` is what was given to
 * kmaplab_register_policy().  A NULL callback means the policy does not
 * provide that call: a guest calling it stops with "not implemented by
 * policy NAME" (except page_address, where kmaplab uses the kernel's
 * page_address(), i.e. kmaplab_page_address()).
 *
 * kmaplab has already checked every kmaplab_page_t argument: it is a
 * struct page inside mem_map (a bad one is a kernel BUG reported before
 * the callback). */
struct kmaplab_policy_ops {
	/* void *kmap(struct page *page): returns the VA; may sleep (report
	 * kmaplab_would_sleep() if it would sleep forever). */
	uint32_t (*kmap)(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page);
	/* void kunmap(struct page *page) */
	void (*kunmap)(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page);
	/* void *kmap_atomic(struct page *page): must not sleep. */
	uint32_t (*kmap_atomic)(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page);
	/* void kunmap_atomic(void *addr): `va` is what the guest passed. */
	void (*kunmap_atomic)(kmaplab_plugin_id_t id, void *priv, uint32_t va);
	/* void *kmap_local_page(struct page *page) */
	uint32_t (*kmap_local_page)(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page);
	/* void kunmap_local(void *addr) */
	void (*kunmap_local)(kmaplab_plugin_id_t id, void *priv, uint32_t va);
	/* void *page_address(const struct page *page): optional. */
	uint32_t (*page_address)(kmaplab_plugin_id_t id, void *priv, kmaplab_page_t page);
	/* set_fixmap(idx, phys) / clear_fixmap(idx): `idx` unchecked. */
	void (*set_fixmap)(kmaplab_plugin_id_t id, void *priv, uint32_t idx, uint32_t phys);
	void (*clear_fixmap)(kmaplab_plugin_id_t id, void *priv, uint32_t idx);
	/* void __iomem *early_ioremap(phys, size): 0 on failure. */
	uint32_t (*early_ioremap)(kmaplab_plugin_id_t id, void *priv, uint32_t phys, uint32_t size);
	/* void early_iounmap(void __iomem *addr, unsigned long size) */
	void (*early_iounmap)(kmaplab_plugin_id_t id, void *priv, uint32_t va, uint32_t size);
	/* Called once when the machine goes away: free `priv`.  Optional. */
	void (*uninstall)(kmaplab_plugin_id_t id, void *priv);
};

/* Registers the policy's callbacks (from kmaplab_plugin_install only;
 * `ops` must outlive the machine, e.g. a static const).  `name` is used in
 * messages ("policy linux: ...").  Returns 0, or -1 if called twice or
 * outside install. */
int kmaplab_register_policy(kmaplab_plugin_id_t id, const char *name,
			    const struct kmaplab_policy_ops *ops, void *priv);

/* ---------------------------------------------------------------------
 * Configuration (from kmaplab_plugin_install only)
 */

/* The ARM32 fixmap enum (arch/arm/include/asm/fixmap.h) as configured:
 * slot idx is at __fix_to_virt(idx) = 0xffeff000 - (idx << 12). */
struct kmaplab_fixmap_layout {
	uint32_t km_type_nr;            /* KM_TYPE_NR */
	uint32_t nr_cpus;               /* NR_CPUS */
	uint32_t fix_earlycon_mem_base; /* 0 */
	uint32_t fix_kmap_begin;        /* 1 */
	uint32_t fix_kmap_end;          /* FIX_KMAP_BEGIN + KM_TYPE_NR * NR_CPUS - 1 */
	uint32_t fix_text_poke0;
	uint32_t fix_text_poke1;
	uint32_t end_of_fixmap_region;
	uint32_t nr_fix_btmaps;         /* NR_FIX_BTMAPS: pages per early_ioremap slot (32) */
	uint32_t fix_btmaps_slots;      /* FIX_BTMAPS_SLOTS (7) */
	uint32_t fix_btmap_end;         /* 1: FIX_BTMAP shares the kmap range */
	uint32_t fix_btmap_begin;       /* FIX_BTMAP_END + 7 * 32 - 1 */
	uint32_t end_of_early_ioremap_region;
	uint32_t end_of_fixed_addresses; /* __end_of_fixed_addresses */
	uint32_t fixaddr_start;         /* 0xffc00000 */
	uint32_t fixaddr_top;           /* 0xffeff000 */
};

/* Sets KM_TYPE_NR (default: the kernel profile's, 16 on ARM v5.10), which moves FIX_KMAP_END and everything
 * after it.  Returns 0, or -1 (with a kmaplab_warn() saying why) if the
 * slots would not fit in the fixmap. */
int kmaplab_set_km_type_nr(kmaplab_plugin_id_t id, uint32_t km_type_nr);

/* Fills `out` with the current fixmap enum.  Any time. */
void kmaplab_fixmap_layout(kmaplab_plugin_id_t id, struct kmaplab_fixmap_layout *out);

/* ---------------------------------------------------------------------
 * struct page
 */

/* True if `page` is a struct page * inside mem_map (no report). */
bool kmaplab_page_valid(kmaplab_plugin_id_t id, kmaplab_page_t page);
/* Pointer arithmetic on mem_map (uncharged): page_to_pfn, pfn_to_page
 * (0 if the pfn has no struct page). */
uint32_t kmaplab_page_to_pfn(kmaplab_plugin_id_t id, kmaplab_page_t page);
kmaplab_page_t kmaplab_pfn_to_page(kmaplab_plugin_id_t id, uint32_t pfn);
/* PageHighMem(page): loads page->flags.  BUG on a bad page. */
bool kmaplab_PageHighMem(kmaplab_plugin_id_t id, kmaplab_page_t page);
/* lowmem_page_address(page) = __va(PFN_PHYS(page_to_pfn(page))) (uncharged). */
uint32_t kmaplab_lowmem_page_address(kmaplab_plugin_id_t id, kmaplab_page_t page);
/* The CPU the guest runs on (smp_processor_id()): always 0. */
uint32_t kmaplab_smp_processor_id(kmaplab_plugin_id_t id);

/* ---------------------------------------------------------------------
 * page_address hash (mm/highmem.c, HASHED_PAGE_VIRTUAL)
 */

/* The kernel's page_address(): lowmem -> its linear address; highmem ->
 * the pkmap address recorded in page_address_htable, or 0. */
uint32_t kmaplab_page_address(kmaplab_plugin_id_t id, kmaplab_page_t page);
/* The kernel's set_page_address(): va != 0 links page_address_maps
 * [PKMAP_NR(va)] into the page's bucket; va == 0 unlinks the page's entry.
 * BUG if the page is lowmem or va is not in the pkmap window. */
void kmaplab_set_page_address(kmaplab_plugin_id_t id, kmaplab_page_t page, uint32_t va);

/* ---------------------------------------------------------------------
 * PTEs of the two windows
 */

enum kmaplab_window {
	/* pkmap_page_table[nr], nr 0..LAST_PKMAP-1, maps pkmap_base + (nr << 12) */
	KMAPLAB_WINDOW_PKMAP = 0,
	/* fixmap slot nr (an enum fixed_addresses index) 0..767, maps
	 * 0xffeff000 - (nr << 12) */
	KMAPLAB_WINDOW_FIXMAP = 1,
};

enum kmaplab_prot {
	KMAPLAB_PROT_KERNEL = 0, /* kmap_prot, FIXMAP_PAGE_NORMAL */
	KMAPLAB_PROT_IO = 1,     /* FIXMAP_PAGE_IO (modelled as Normal memory) */
	KMAPLAB_PROT_RO = 2,     /* FIXMAP_PAGE_RO */
};

/* mk_pte / pfn_pte. */
kmaplab_pte_t kmaplab_mk_pte(kmaplab_plugin_id_t id, uint32_t pfn, enum kmaplab_prot prot);

static inline bool kmaplab_pte_none(kmaplab_pte_t pte)
{
	return pte == 0;
}

static inline uint32_t kmaplab_pte_pfn(kmaplab_pte_t pte)
{
	return pte >> 12;
}

/* The VA PTE `nr` of `win` maps (uncharged). */
uint32_t kmaplab_window_va(kmaplab_plugin_id_t id, enum kmaplab_window win, uint32_t nr);

/* Load / store / clear PTE `nr` of `win`.  No TLB maintenance: that is
 * the policy's job, and a store with no flush after it is what a
 * stale-translation hazard is made of.  BUG if nr is out of range. */
kmaplab_pte_t kmaplab_pte_read(kmaplab_plugin_id_t id, enum kmaplab_window win, uint32_t nr);
void kmaplab_set_pte(kmaplab_plugin_id_t id, enum kmaplab_window win, uint32_t nr,
		     kmaplab_pte_t pte);
void kmaplab_pte_clear(kmaplab_plugin_id_t id, enum kmaplab_window win, uint32_t nr);

/* ---------------------------------------------------------------------
 * TLB flushes (ARMv7 Linux v5.x, see mm/flush.h for the instruction
 * sequences and their costs)
 */

/* Why: every flush is counted and traced under its cause.  Same values as
 * kmaplab's enum flush_cause. */
enum kmaplab_flush_cause {
	KMAPLAB_FLUSH_NONE = 0,
	KMAPLAB_FLUSH_PKMAP_WRAP = 1,    /* flush_all_zero_pkmaps() */
	KMAPLAB_FLUSH_KMAP_ATOMIC = 2,
	KMAPLAB_FLUSH_KUNMAP_ATOMIC = 3,
	KMAPLAB_FLUSH_KMAP_LOCAL = 4,
	KMAPLAB_FLUSH_KUNMAP_LOCAL = 5,
	KMAPLAB_FLUSH_SET_FIXMAP = 6,
	KMAPLAB_FLUSH_CLEAR_FIXMAP = 7,
	KMAPLAB_FLUSH_EARLY_IOREMAP = 8,
	KMAPLAB_FLUSH_EARLY_IOUNMAP = 9,
	KMAPLAB_FLUSH_GUEST = 10,        /* reserved for the guest's own calls */
	KMAPLAB_FLUSH_POLICY_EAGER = 11, /* flushing at unmap instead of on wrap */
	KMAPLAB_FLUSH_POLICY = 12,       /* any other policy reason */
};

/* DSB; TLBIMVA va; DSB; ISB.  Returns the TLB entries invalidated. */
unsigned kmaplab_local_flush_tlb_kernel_page(kmaplab_plugin_id_t id, uint32_t va,
					     enum kmaplab_flush_cause cause);
/* DSB; TLBIMVA(IS) for each page of [start & PAGE_MASK, end & PAGE_MASK)
 * (at least one); BPIALL; DSB; ISB.  No full-flush threshold: a policy
 * that wants one calls kmaplab_flush_tlb_all() itself.  This is also
 * local_flush_tlb_kernel_range() (the same sequence on ARMv7). */
unsigned kmaplab_flush_tlb_kernel_range(kmaplab_plugin_id_t id, uint32_t start, uint32_t end,
					enum kmaplab_flush_cause cause);
/* DSB; TLBIALL(IS); DSB; ISB. */
unsigned kmaplab_flush_tlb_all(kmaplab_plugin_id_t id, enum kmaplab_flush_cause cause);

/* ---------------------------------------------------------------------
 * Kernel data in guest RAM
 */

/* 32-bit load / store at a lowmem kernel VA (4-byte aligned): pkmap_count
 * [nr] is at info->pkmap_count + 4 * nr.  A bad VA is a kernel BUG
 * ("unable to handle kernel read/write"); the load returns 0. */
uint32_t kmaplab_read32(kmaplab_plugin_id_t id, uint32_t va);
void kmaplab_write32(kmaplab_plugin_id_t id, uint32_t va, uint32_t val);

/* ---------------------------------------------------------------------
 * Cost, events, reports
 */

enum kmaplab_cost {
	KMAPLAB_COST_MEM_ACCESS = 0, /* n kernel-data loads/stores (e.g. a lock: 2) */
	KMAPLAB_COST_PTE_WRITE = 1,  /* n PTE stores */
	KMAPLAB_COST_CYCLES = 2,     /* n raw cycles (say in the policy's docs why) */
};

/* Charges n units of `what` to the guest's cycle count. */
void kmaplab_charge(kmaplab_plugin_id_t id, enum kmaplab_cost what, uint64_t n);

/* The global kmap_lock's critical section (lock_kmap()/unlock_kmap()): with
 * several CPUs, a CPU taking it while another CPU's section lasts is
 * charged the spinning (docs/smp.md).  Their own cost (a load and a store
 * each) is the policy's to charge.  Added in kmaplab 0.1 with SMP; a policy
 * that never calls them sees no contention. */
void kmaplab_kmap_lock(kmaplab_plugin_id_t id);
void kmaplab_kmap_unlock(kmaplab_plugin_id_t id);

enum kmaplab_event {
	/* flush_all_zero_pkmaps() ran; arg = slots it cleared (the
	 * kmap.flush_all_zero_pkmaps count and a trace event). */
	KMAPLAB_EVENT_FLUSH_ALL_ZERO_PKMAPS = 0,
	/* flush_all_zero_pkmaps() starts (arg unused).  Optional: sent
	 * before the event above, it lets the trace give the call its start
	 * cycle and duration, so that on a timeline it spans the range flush
	 * it issues.  Without it the event has no duration. */
	KMAPLAB_EVENT_FLUSH_ALL_ZERO_PKMAPS_BEGIN = 1,
};
void kmaplab_event(kmaplab_plugin_id_t id, enum kmaplab_event ev, uint32_t arg);

/* A kernel BUG(): records the one-line message (the first one wins).  The
 * current call fails and kmaplab stops the run with
 * "kernel BUG: <message>".  Say what and where, with the kernel's words:
 * "kunmap_high: BUG_ON(!vaddr): page 0x... (pfn 0x...) is not kmapped". */
void kmaplab_bug(kmaplab_plugin_id_t id, const char *fmt, ...) KMAPLAB_PRINTF(2, 3);

/* The call would sleep and nobody could wake it (the guest is a single
 * task): e.g. kmap() with every pkmap slot held.  Name who holds what.
 * kmaplab stops with "would sleep forever: <message>" and appends the
 * pkmap slots' holders (pfn, count, the guest PC of their kmap). */
void kmaplab_would_sleep(kmaplab_plugin_id_t id, const char *fmt, ...) KMAPLAB_PRINTF(2, 3);

/* A WARN(): printed, counted, the guest goes on. */
void kmaplab_warn(kmaplab_plugin_id_t id, const char *fmt, ...) KMAPLAB_PRINTF(2, 3);

/* True once kmaplab_bug() or kmaplab_would_sleep() has been called. */
bool kmaplab_stopped(kmaplab_plugin_id_t id);

/* ---------------------------------------------------------------------
 * Context switches (added within ABI 1: a policy that never registers
 * them is told nothing, which is right for one that keeps no mapping
 * across a switch)
 */

/* kmaplab runs several tasks per CPU (docs/sched.md).  When the running
 * CPU switches from task A to task B, kmaplab calls sched_out(A) and then
 * sched_in(B) on that CPU, as prepare_task_switch() and
 * finish_task_switch() call __kmap_local_sched_out() and
 * __kmap_local_sched_in() in Linux v5.11+ (kernel/sched/core.c,
 * mm/highmem.c): a policy whose kmap_local mappings live in per-CPU slots
 * takes A's out of the slots and puts B's in, with the TLB maintenance that
 * needs.  `task` is kmaplab's task number, 0..KMAPLAB_MAX_TASKS-1, fixed for
 * the task's life; kmaplab_smp_processor_id() is the CPU.  The work is
 * charged like any other kernel work (the primitives' costs). */
#define KMAPLAB_MAX_TASKS 64u

struct kmaplab_sched_ops {
	void (*sched_out)(kmaplab_plugin_id_t id, void *priv, uint32_t task);
	void (*sched_in)(kmaplab_plugin_id_t id, void *priv, uint32_t task);
};

/* From kmaplab_plugin_install only; `ops` must outlive the machine.
 * Returns 0, or -1 if called twice or outside install. */
int kmaplab_register_sched(kmaplab_plugin_id_t id, const struct kmaplab_sched_ops *ops, void *priv);

/* ---------------------------------------------------------------------
 * Entry points
 */

typedef int (*kmaplab_plugin_install_fn)(kmaplab_plugin_id_t id,
					  const struct kmaplab_plugin_info *info, int argc,
					  char **argv);

/* KMAPLAB_PLUGIN_DEFINE(my_install) in a policy's source exports the two
 * symbols a shared object needs.  Built-in policies are compiled with
 * KMAPLAB_PLUGIN_BUILTIN defined, where the macro expands to nothing and
 * kmaplab calls the install function by name. */
#ifdef KMAPLAB_PLUGIN_BUILTIN
#define KMAPLAB_PLUGIN_DEFINE(install_fn)
#else
#define KMAPLAB_PLUGIN_DEFINE(install_fn)                                                    \
	KMAPLAB_PLUGIN_EXPORT const uint32_t kmaplab_plugin_abi_version =                     \
		KMAPLAB_PLUGIN_ABI_VERSION;                                                   \
	KMAPLAB_PLUGIN_EXPORT int kmaplab_plugin_install(kmaplab_plugin_id_t id,              \
							 const struct kmaplab_plugin_info *info, \
							 int argc, char **argv)               \
	{                                                                                     \
		return install_fn(id, info, argc, argv);                                      \
	}
#endif

#ifdef __cplusplus
}
#endif

#endif
