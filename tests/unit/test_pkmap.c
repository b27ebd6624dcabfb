/* SPDX-License-Identifier: MIT */
/* Host unit tests of the modelled kernel's highmem machinery (mm/highmem.c,
 * mm/page_alloc.c, mm/flush.c) and of the `linux` policy (plugins/linux.c)
 * driven through the hypercall dispatcher (plugins/policy.c), on a fake
 * machine: RAM on the host, layout_init + paging_init + kmap_init, no
 * Unicorn.
 *
 * Expected values are worked out here from the kernel's algorithm and the
 * ARM32 constants, not read back from the code under test:
 *
 *   3G/1G, 1 GiB RAM: PAGE_OFFSET 0xc0000000, lowmem 768 MiB (vmalloc_min
 *   0xf0000000), so max_low_pfn 0x30000, max_pfn 0x40000 (most tests use
 *   800 MiB: max_pfn 0x32000, 8192 highmem pages);
 *   PKMAP_BASE 0xbfe00000, PKMAP_ADDR(nr) = 0xbfe00000 + nr * 4096;
 *   FIXADDR_TOP 0xffeff000, __fix_to_virt(idx) = 0xffeff000 - idx * 4096;
 *   ARM32 fixmap enum with KM_TYPE_NR 16 (ARM's: arch/arm/include/asm/
 *   kmap_types.h, v5.10), NR_CPUS 1: FIX_KMAP_BEGIN 1, FIX_KMAP_END 16,
 *   FIX_TEXT_POKE0 17, FIX_TEXT_POKE1 18, FIX_BTMAP_END 1,
 *   FIX_BTMAP_BEGIN 1 + 7 * 32 - 1 = 224, __end_of_fixed_addresses 225.
 *
 *   map_new_virtual (mm/highmem.c): count = 512; loop { nr = ++last & 511;
 *   if nr == 0 { flush_all_zero_pkmaps(); count = 512 } if !pkmap_count[nr]
 *   take it; if !--count sleep }.  flush_all_zero_pkmaps clears every slot
 *   with count 1 and does one flush_tlb_kernel_range of the whole window if
 *   it cleared any.  The reference model `struct ref` below is that
 *   algorithm on plain arrays. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* MAP_ANONYMOUS */
#endif
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "access.h"
#include "check.h"
#include "flush.h"
#include "gfp.h"
#include "highmem.h"
#include "kernel.h"
#include "kmaplab/hypercall.h"
#include "pgtable.h"
#include "policy.h"

#define PKMAP_BASE_3G 0xbfe00000u
#define FIXTOP 0xffeff000u
#define HIGH_PFN0 0x30000u
#define NPKMAP 512u

static uint32_t pkmap_addr(uint32_t nr)
{
	return PKMAP_BASE_3G + nr * 4096u;
}

static uint32_t fix_virt(uint32_t idx)
{
	return FIXTOP - idx * 4096u;
}

/* ------------------------------------------------------------------ */
/* The fake machine */

struct trace_counts {
	unsigned flushes[FLUSH_NR_OPS];
	unsigned flush_pages;
	unsigned kmaps[KMAP_NR_OPS];
	unsigned warnings;
	struct kmap_event last_kmap;
	struct flush_event last_flush;
};

struct fake {
	struct mm mm;
	struct kmap_state *ks;
	struct kmaplab_plugin *p;
	uint32_t mem_map;
	struct trace_counts tc;
};

static void on_flush(void *arg, const struct flush_event *ev)
{
	struct trace_counts *tc = arg;
	tc->flushes[ev->op]++;
	tc->flush_pages += ev->pages;
	tc->last_flush = *ev;
}

static void on_kmap(void *arg, const struct kmap_event *ev)
{
	struct trace_counts *tc = arg;
	tc->kmaps[ev->op]++;
	tc->last_kmap = *ev;
}

static void on_warn(void *arg, const char *msg)
{
	struct trace_counts *tc = arg;
	(void)msg;
	tc->warnings++;
}

static const struct mm_trace_ops trace_ops = {
	.flush = on_flush,
	.kmap = on_kmap,
	.warn = on_warn,
};

/* `core` and `kernel` (a --kernel spec) may be NULL: cortex-a7, v5.10. */
static struct fake *boot_with(enum vm_split split, uint32_t ram, const char *core, const char *kernel,
			      const char *policy)
{
	char err[400];
	struct kernel_profile kp;
	if (kernel_profile_parse(kernel ? kernel : "5.10", &kp, err, sizeof(err))) {
		fprintf(stderr, "kernel_profile_parse(%s): %s\n", kernel, err);
		exit(2);
	}
	struct fake *f = calloc(1, sizeof(*f));
	if (!f || layout_init(&f->mm.layout, split, ram, err, sizeof(err))) {
		fprintf(stderr, "layout_init: %s\n", err);
		exit(2);
	}
	/* Lazily zeroed pages: only what the kernel data touches is real. */
	void *host = mmap(NULL, ram, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	f->mm.mem.host = host == MAP_FAILED ? NULL : host;
	f->mm.mem.base = f->mm.layout.phys_offset;
	f->mm.mem.size = ram;
	f->mm.core = core_profile_find(core ? core : "cortex-a7");
	/* What the emulator's boot does: image at TEXT_OFFSET, heap, stack,
	 * then memblock up to the end of lowmem. */
	struct boot_mem *b = &f->mm.boot;
	b->image_start = 0x8000;
	b->image_end = 0x80000;
	b->heap_start = 0x80000;
	b->heap_end = 0x180000;
	b->stack_base = 0x180000;
	b->stack_top = 0x280000;
	b->memblock_start = b->memblock_next = 0x280000;
	b->memblock_end = f->mm.layout.phys_offset + f->mm.layout.lowmem_size;
	if (!f->mm.mem.host || paging_init(&f->mm)) {
		fprintf(stderr, "paging_init failed\n");
		exit(2);
	}
	f->mm.tlb = tlb_create(f->mm.core, 1);
	struct kmap_config cfg = { .kernel = &kp };
	f->ks = kmap_init(&f->mm, &cfg, err, sizeof(err));
	if (!f->ks) {
		fprintf(stderr, "kmap_init: %s\n", err);
		exit(2);
	}
	f->ks->trace = &trace_ops;
	f->ks->trace_arg = &f->tc;
	f->p = policy_load_spec(f->ks, policy, err, sizeof(err));
	if (!f->p) {
		fprintf(stderr, "policy_load_spec(%s): %s\n", policy, err);
		exit(2);
	}
	CHECK_EQ(kmap_kernel_info(f->ks, KINFO_MEM_MAP, &f->mem_map), 0);
	return f;
}

static struct fake *boot(enum vm_split split, uint32_t ram, const char *policy)
{
	return boot_with(split, ram, NULL, NULL, policy);
}

/* 800 MiB: 768 MiB of lowmem and 8192 highmem pages (pfn 0x30000 up). */
static struct fake *boot_linux(const char *policy)
{
	return boot(SPLIT_3G_1G, 800u << 20, policy);
}

static struct fake *boot_kernel(const char *core, const char *kernel, const char *policy)
{
	return boot_with(SPLIT_3G_1G, 800u << 20, core, kernel, policy);
}

static void shutdown(struct fake *f)
{
	policy_unload(f->p);
	kmap_free(f->ks);
	tlb_destroy(f->mm.tlb);
	munmap(f->mm.mem.host, f->mm.mem.size);
	free(f);
}

/* A hypercall from guest PC 0xc0008000 that must succeed. */
static uint32_t hc(struct fake *f, uint32_t nr, uint32_t a0, uint32_t a1)
{
	uint32_t args[4] = { a0, a1, 0, 0 }, ret = 0;
	enum hc_status st = kmaplab_hypercall(f->p, nr, args, 0xc0008000u, &ret);
	if (!CHECK_EQ(st, HC_DONE))
		fprintf(stderr, "  hypercall 0x%x(0x%x, 0x%x): %s\n", nr, a0, a1, policy_message(f->p));
	return ret;
}

/* A hypercall expected to stop the run with `want`, whose message must
 * contain `needle`. */
static void hc_stops(struct fake *f, uint32_t nr, uint32_t a0, uint32_t a1, enum hc_status want,
		     const char *needle, int line)
{
	uint32_t args[4] = { a0, a1, 0, 0 }, ret = 0xdead;
	enum hc_status st = kmaplab_hypercall(f->p, nr, args, 0xc0008000u, &ret);
	bool ok = st == want && strstr(policy_message(f->p), needle) && ret == 0;
	check_one(ok, "hypercall stops as expected", __FILE__, line);
	if (!ok)
		fprintf(stderr, "  status %d (want %d), r0 0x%x, message: %s\n  (wanted \"%s\")\n", st,
			want, ret, policy_message(f->p), needle);
}
#define HC_STOPS(f, nr, a0, a1, want, needle) hc_stops(f, nr, a0, a1, want, needle, __LINE__)

static uint32_t page_of(const struct fake *f, uint32_t pfn)
{
	return f->mem_map + pfn * 32u; /* ARCH_PFN_OFFSET is 0 */
}

static int32_t pkmap_count(const struct fake *f, uint32_t nr)
{
	uint32_t va;
	kmap_kernel_info(f->ks, KINFO_PKMAP_COUNT, &va);
	return (int32_t)phys_read32(&f->mm.mem, va - 0xc0000000u + nr * 4);
}

static uint32_t guest_word(const struct fake *f, uint32_t va)
{
	return phys_read32(&f->mm.mem, va - f->mm.layout.page_offset + f->mm.layout.phys_offset);
}

/* What the MMU sees at `va`: the PA it translates to, or 0xffffffff. */
static uint32_t translate(const struct fake *f, uint32_t va)
{
	uint32_t pa;
	return mm_virt_to_phys(&f->mm, va, &pa) ? pa : 0xffffffffu;
}

/* ------------------------------------------------------------------ */
/* The reference model of the pkmap algorithm */

struct ref {
	int count[NPKMAP];
	uint32_t page[NPKMAP];
	uint32_t last;
	unsigned zero_calls, flushes, flushed_pages;
};

static int ref_slot_of(const struct ref *r, uint32_t page)
{
	for (unsigned i = 0; i < NPKMAP; i++)
		if (r->count[i] > 0 && r->page[i] == page)
			return (int)i;
	return -1;
}

/* Returns the slot kmap(page) uses, or -1 if it would sleep. */
static int ref_kmap(struct ref *r, uint32_t page)
{
	int slot = ref_slot_of(r, page);
	if (slot < 0) {
		unsigned budget = NPKMAP;
		for (;;) {
			r->last = (r->last + 1) % NPKMAP;
			if (r->last == 0) {
				bool any = false;
				r->zero_calls++;
				for (unsigned i = 0; i < NPKMAP; i++) {
					if (r->count[i] == 1) {
						r->count[i] = 0;
						any = true;
					}
				}
				if (any) {
					r->flushes++;
					r->flushed_pages += NPKMAP;
				}
				budget = NPKMAP;
			}
			if (r->count[r->last] == 0)
				break;
			if (--budget == 0)
				return -1;
		}
		slot = (int)r->last;
		r->count[slot] = 1;
		r->page[slot] = page;
	}
	r->count[slot]++;
	return slot;
}

static void ref_kunmap(struct ref *r, uint32_t page)
{
	int slot = ref_slot_of(r, page);
	if (slot >= 0)
		r->count[slot]--;
}

/* ------------------------------------------------------------------ */
/* Layout, mem_map and the page allocator */

static void test_layout_and_mem_map(void)
{
	struct fake *f = boot(SPLIT_3G_1G, 1u << 30, "linux");
	uint32_t v;

	CHECK_EQ(kmap_kernel_info(f->ks, KINFO_MAX_LOW_PFN, &v), 0);
	CHECK_EQ(v, 0x30000);
	CHECK_EQ(kmap_kernel_info(f->ks, KINFO_MAX_PFN, &v), 0);
	CHECK_EQ(v, 0x40000);
	CHECK_EQ(kmap_kernel_info(f->ks, KINFO_PKMAP_BASE, &v), 0);
	CHECK_EQ(v, PKMAP_BASE_3G);
	CHECK_EQ(kmap_kernel_info(f->ks, KINFO_KM_TYPE_NR, &v), 0);
	CHECK_EQ(v, 16); /* ARM's KM_TYPE_NR, arch/arm/include/asm/kmap_types.h (v5.10) */
	CHECK_EQ(kmap_kernel_info(f->ks, KINFO_NR_CPUS, &v), 0);
	CHECK_EQ(v, 1);
	CHECK(kmap_kernel_info(f->ks, 9999, &v) != 0);
	/* Kernel data lives in lowmem and is 32-byte struct pages. */
	CHECK(f->mem_map >= 0xc0000000u && f->mem_map < 0xf0000000u);
	CHECK_EQ(f->mem_map % 32, 0);

	/* page->flags: zone in bits [31:30], ZONE_HIGHMEM == 1. */
	CHECK_EQ(guest_word(f, page_of(f, 0x2ffff)) >> 30, 0);
	CHECK_EQ(guest_word(f, page_of(f, 0x30000)) >> 30, 1);
	CHECK_EQ(guest_word(f, page_of(f, 0x3ffff)) >> 30, 1);
	/* The kernel image's pages are PG_reserved (bit 12) with _refcount 1;
	 * free highmem pages have _refcount 0 and PageBuddy in page_type. */
	CHECK(guest_word(f, page_of(f, 0x8)) & (1u << 12));
	CHECK_EQ(guest_word(f, page_of(f, 0x8) + 28), 1);
	CHECK_EQ(guest_word(f, page_of(f, 0x30000) + 28), 0);
	CHECK_EQ(guest_word(f, page_of(f, 0x30000) + 24), 0xffffff7fu);
	/* lru is INIT_LIST_HEAD: both pointers at itself. */
	CHECK_EQ(guest_word(f, page_of(f, 0x30001) + 4), page_of(f, 0x30001) + 4);
	CHECK_EQ(guest_word(f, page_of(f, 0x30001) + 8), page_of(f, 0x30001) + 4);

	/* page_address_htable: 128 empty buckets (lh points at itself),
	 * 64 bytes apart. */
	uint32_t htable = f->ks->page_address_htable;
	CHECK_EQ(guest_word(f, htable), htable);
	CHECK_EQ(guest_word(f, htable + 127 * 64 + 4), htable + 127 * 64);
	/* memblock is retired: the page allocator owns the rest of lowmem. */
	CHECK_EQ(memblock_alloc(&f->mm, 4, 4), 0);
	shutdown(f);
}

static void test_page_allocator(void)
{
	struct fake *f = boot_linux("linux");

	/* GFP_HIGHUSER: the lowest free highmem pfns, in order. */
	uint32_t h0 = hc(f, HC_ALLOC_PAGE, GFP_HIGHUSER, 0);
	uint32_t h1 = hc(f, HC_ALLOC_PAGE, GFP_HIGHUSER, 0);
	CHECK_EQ(h0, page_of(f, 0x30000));
	CHECK_EQ(h1, page_of(f, 0x30001));
	CHECK_EQ(guest_word(f, h0 + 28), 1);          /* _refcount */
	CHECK_EQ(guest_word(f, h0 + 24), 0xffffffffu); /* _mapcount -1: not a buddy */
	CHECK_EQ(hc(f, HC_PAGE_ADDRESS, h0, 0), 0);   /* highmem, not kmapped */

	/* GFP_KERNEL: lowmem, above every boot allocation, consecutive. */
	uint32_t l0 = hc(f, HC_ALLOC_PAGE, GFP_KERNEL, 0);
	uint32_t l1 = hc(f, HC_ALLOC_PAGE, GFP_KERNEL, 0);
	uint32_t pfn0 = (l0 - f->mem_map) / 32;
	CHECK(pfn0 < 0x30000 && pfn0 >= 0x280);
	CHECK_EQ(l1, l0 + 32);
	CHECK(!(guest_word(f, l0) & (1u << 12)));
	/* page_address of lowmem is __va. */
	CHECK_EQ(hc(f, HC_PAGE_ADDRESS, l0, 0), 0xc0000000u + pfn0 * 4096);

	/* Freeing puts it back: the lowest free pfn comes out next. */
	hc(f, HC_FREE_PAGE, h0, 0);
	CHECK_EQ(guest_word(f, h0 + 28), 0);
	CHECK_EQ(hc(f, HC_ALLOC_PAGE, GFP_HIGHUSER, 0), h0);
	hc(f, HC_FREE_PAGE, l0, 0);
	CHECK_EQ(hc(f, HC_ALLOC_PAGE, GFP_KERNEL, 0), l0);
	/* __GFP_ZERO */
	phys_write32(&f->mm.mem, 0x30002u * 4096, 0x12345678);
	uint32_t z = hc(f, HC_ALLOC_PAGE, GFP_HIGHUSER | __GFP_ZERO, 0);
	CHECK_EQ(z, page_of(f, 0x30002));
	CHECK_EQ(phys_read32(&f->mm.mem, 0x30002u * 4096), 0);
	CHECK_EQ(f->tc.kmaps[KMAP_OP_ALLOC_PAGE], 7);
	CHECK_EQ(f->tc.kmaps[KMAP_OP_FREE_PAGE], 2);

	/* A double free is a BUG. */
	hc(f, HC_FREE_PAGE, h1, 0);
	HC_STOPS(f, HC_FREE_PAGE, h1, 0, HC_STOP_BUG, "double free");
	shutdown(f);

	/* Freeing a reserved page (the kernel image) is a BUG. */
	f = boot_linux("linux");
	HC_STOPS(f, HC_FREE_PAGE, page_of(f, 0x8), 0, HC_STOP_BUG, "PG_reserved");
	shutdown(f);

	/* 2G/2G with 1 GiB: no highmem, GFP_HIGHUSER falls back to lowmem
	 * like the kernel's zonelist. */
	f = boot(SPLIT_2G_2G, 1u << 30, "linux");
	uint32_t v;
	kmap_kernel_info(f->ks, KINFO_MAX_LOW_PFN, &v);
	CHECK_EQ(v, 0x40000);
	uint32_t pg = hc(f, HC_ALLOC_PAGE, GFP_HIGHUSER, 0);
	CHECK(pg != 0 && (pg - f->mem_map) / 32 < 0x40000);
	CHECK_EQ(guest_word(f, pg) >> 30, 0);
	/* kmap of it is its linear address, no pkmap slot used. */
	CHECK_EQ(hc(f, HC_KMAP, pg, 0), 0x80000000u + (pg - f->mem_map) / 32 * 4096);
	CHECK_EQ(f->mm.stats.flush_tlb_kernel_range.calls, 0);
	shutdown(f);

	/* Highmem runs out: GFP_HIGHUSER falls back to lowmem; with 784 MiB
	 * there are 16 MiB = 4096 highmem pages. */
	f = boot(SPLIT_3G_1G, 784u << 20, "linux");
	for (unsigned i = 0; i < 4096; i++)
		hc(f, HC_ALLOC_PAGE, GFP_HIGHUSER, 0);
	CHECK_EQ(zone_nr_free(f->ks, ZONE_HIGHMEM), 0);
	pg = hc(f, HC_ALLOC_PAGE, GFP_HIGHUSER, 0);
	CHECK(pg && (pg - f->mem_map) / 32 < 0x30000);
	shutdown(f);
}

/* ------------------------------------------------------------------ */
/* kmap / kunmap */

static void test_kmap_basics(void)
{
	struct fake *f = boot_linux("linux");

	/* Lowmem: page_address, nothing in pkmap touched. */
	uint32_t low = page_of(f, 0x1000);
	CHECK_EQ(hc(f, HC_KMAP, low, 0), 0xc1000000u);
	hc(f, HC_KUNMAP, low, 0);
	CHECK_EQ(pkmap_count(f, 1), 0);

	/* The first highmem kmap takes slot 1: last_pkmap_nr starts at 0 and
	 * get_next_pkmap_nr() increments before use. */
	uint32_t pg = page_of(f, HIGH_PFN0 + 5);
	uint32_t va = hc(f, HC_KMAP, pg, 0);
	CHECK_EQ(va, pkmap_addr(1));
	CHECK_EQ(pkmap_count(f, 1), 2);
	CHECK_EQ(translate(f, va), (HIGH_PFN0 + 5) * 4096u);
	CHECK_EQ(translate(f, va + 0x123), (HIGH_PFN0 + 5) * 4096u + 0x123);
	/* The same page again: same VA, one more user: n + 1 = 3. */
	CHECK_EQ(hc(f, HC_KMAP, pg, 0), va);
	CHECK_EQ(pkmap_count(f, 1), 3);
	CHECK_EQ(hc(f, HC_PAGE_ADDRESS, pg, 0), va);

	/* page_address_htable in guest memory: the page's bucket is
	 * hash_32(page) = (page * 0x61C88647) >> 25, and its list holds
	 * page_address_maps[1] (16-byte entries, list at +8). */
	uint32_t bucket = f->ks->page_address_htable + ((pg * 0x61C88647u) >> 25) * 64;
	uint32_t pam = f->ks->page_address_maps + 1 * 16;
	CHECK_EQ(guest_word(f, bucket), pam + 8);     /* lh.next */
	CHECK_EQ(guest_word(f, bucket + 4), pam + 8); /* lh.prev */
	CHECK_EQ(guest_word(f, pam), pg);             /* pam->page */
	CHECK_EQ(guest_word(f, pam + 4), va);         /* pam->virtual */
	CHECK_EQ(guest_word(f, pam + 8), bucket);     /* pam->list.next */

	/* kunmap never flushes: the count goes to 2, then 1 (mapped, unused,
	 * awaiting the flush), and the mapping stays. */
	hc(f, HC_KUNMAP, pg, 0);
	CHECK_EQ(pkmap_count(f, 1), 2);
	hc(f, HC_KUNMAP, pg, 0);
	CHECK_EQ(pkmap_count(f, 1), 1);
	CHECK_EQ(hc(f, HC_PAGE_ADDRESS, pg, 0), va);
	CHECK_EQ(translate(f, va), (HIGH_PFN0 + 5) * 4096u);
	CHECK_EQ(f->mm.stats.flush_tlb_kernel_range.calls, 0);
	CHECK_EQ(f->mm.stats.local_flush_tlb_kernel_page.calls, 0);
	/* A kmap of the page while its count is 1 reuses the slot. */
	CHECK_EQ(hc(f, HC_KMAP, pg, 0), va);
	CHECK_EQ(pkmap_count(f, 1), 2);

	/* A second page takes slot 2. */
	CHECK_EQ(hc(f, HC_KMAP, page_of(f, HIGH_PFN0 + 9), 0), pkmap_addr(2));
	CHECK_EQ(f->ks->stats.calls[KMAP_OP_KMAP], 5);
	CHECK_EQ(f->tc.kmaps[KMAP_OP_KMAP], 5);
	CHECK_EQ(f->tc.last_kmap.pkmap_nr, 2);
	CHECK_EQ(f->tc.last_kmap.pfn, HIGH_PFN0 + 9);
	CHECK_EQ(f->tc.last_kmap.va, pkmap_addr(2));
	shutdown(f);
}

/* LAST_PKMAP + 1 distinct pages, each kunmapped before the next kmap:
 * slots 1..511, then the wrap to 0 clears the 511 slots of count 1 with one
 * flush of the 512-page window, then slot 0, then slot 1 again. */
static void test_one_wrap(void)
{
	struct fake *f = boot_linux("linux");
	const struct core_costs *c = &f->mm.core->cost;

	for (uint32_t i = 0; i <= NPKMAP; i++) {
		uint32_t pg = page_of(f, HIGH_PFN0 + i);
		uint32_t want = i < NPKMAP - 1 ? pkmap_addr(i + 1) : i == NPKMAP - 1 ? pkmap_addr(0)
											: pkmap_addr(1);
		CHECK_EQ(hc(f, HC_KMAP, pg, 0), want);
		if (i == NPKMAP - 2) {
			/* Before the wrap: nothing flushed yet. */
			CHECK_EQ(f->mm.stats.flush_tlb_kernel_range.calls, 0);
			CHECK_EQ(f->ks->stats.calls[KMAP_OP_FLUSH_ALL_ZERO_PKMAPS], 0);
		}
		hc(f, HC_KUNMAP, pg, 0);
	}
	CHECK_EQ(f->ks->stats.calls[KMAP_OP_FLUSH_ALL_ZERO_PKMAPS], 1);
	CHECK_EQ(f->mm.stats.flush_tlb_kernel_range.calls, 1);
	CHECK_EQ(f->mm.stats.flush_tlb_kernel_range.pages, 512);
	CHECK_EQ(f->mm.stats.local_flush_tlb_kernel_page.calls, 0);
	CHECK_EQ(f->mm.stats.flush_tlb_all.calls, 0);
	CHECK_EQ(f->ks->stats.by_cause[FLUSH_CAUSE_PKMAP_WRAP].calls, 1);
	/* v7wbi_flush_kern_tlb_range (arch/arm/mm/tlb-v7.S, v5.10): dsb ish,
	 * 512 x TLBIMVAIS (SMP), dsb ish, isb -- no BTB flush since v3.x. */
	CHECK_EQ(f->mm.stats.flush_tlb_kernel_range.cycles, 2ull * c->dsb + 512ull * c->tlbi_mva + c->isb);
	CHECK_EQ(f->ks->stats.ops[KOP_TLBIMVAIS], 512);
	CHECK_EQ(f->ks->stats.ops[KOP_DSB], 2);
	CHECK_EQ(f->ks->stats.ops[KOP_ISB], 1);
	CHECK_EQ(f->ks->stats.ops[KOP_BPIALL], 0);
	CHECK_EQ(f->tc.flushes[FLUSH_OP_FLUSH_TLB_KERNEL_RANGE], 1);
	CHECK_EQ(f->tc.last_flush.start, PKMAP_BASE_3G);
	CHECK_EQ(f->tc.last_flush.pages, 512);
	CHECK_EQ(f->tc.last_flush.cause, FLUSH_CAUSE_PKMAP_WRAP);
	/* The pages of the cleared slots lost their address (and their PTE);
	 * the hash entry was unlinked and poisoned by list_del. */
	CHECK_EQ(hc(f, HC_PAGE_ADDRESS, page_of(f, HIGH_PFN0 + 5), 0), 0);
	CHECK_EQ(translate(f, pkmap_addr(6)), 0xffffffffu);
	CHECK_EQ(guest_word(f, f->ks->page_address_maps + 6 * 16 + 8), 0x100);
	CHECK_EQ(guest_word(f, f->ks->page_address_maps + 6 * 16 + 12), 0x122);
	/* Slot 0 (page 511) and slot 1 (page 512) are mapped with count 1. */
	CHECK_EQ(pkmap_count(f, 0), 1);
	CHECK_EQ(pkmap_count(f, 1), 1);
	CHECK_EQ(pkmap_count(f, 2), 0);
	shutdown(f);
}

/* The wrap invalidates what the TLB cached for the window: re-using a slot
 * for another page after the flush never hits a stale entry, and a PTE
 * change without a flush does (what the hazard detector exists for). */
static void test_wrap_keeps_tlb_coherent(void)
{
	struct fake *f = boot_linux("linux");

	for (uint32_t i = 0; i < NPKMAP + 40; i++) {
		uint32_t pg = page_of(f, HIGH_PFN0 + i);
		uint32_t va = hc(f, HC_KMAP, pg, 0);
		CHECK_EQ(mm_access(&f->mm, va, MMU_WRITE, 1), MMU_OK);
		hc(f, HC_KUNMAP, pg, 0);
	}
	CHECK_EQ(f->mm.stats.stale_tlb, 0);
	CHECK(f->tc.last_flush.invalidated >= 1);

	/* Slot 41 maps page 552 now; remap it behind the kernel's back. */
	uint32_t va = pkmap_addr(40);
	CHECK_EQ(mm_access(&f->mm, va, MMU_READ, 1), MMU_OK);
	set_pte_at(f->ks, PTE_WINDOW_PKMAP, 40, mk_pte(HIGH_PFN0 + 1000, PROT_KERNEL));
	CHECK_EQ(mm_access(&f->mm, va, MMU_READ, 1), MMU_OK);
	CHECK_EQ(f->mm.stats.stale_tlb, 1);
	/* A local flush of that page repairs it. */
	local_flush_tlb_kernel_page(f->ks, va, FLUSH_CAUSE_POLICY);
	CHECK_EQ(mm_access(&f->mm, va, MMU_READ, 1), MMU_OK);
	CHECK_EQ(f->mm.stats.stale_tlb, 1);
	shutdown(f);
}

/* 512 kmaps held: the 513th would sleep on pkmap_map_wait forever. */
static void test_exhaustion(void)
{
	struct fake *f = boot_linux("linux");
	for (uint32_t i = 0; i < NPKMAP; i++)
		hc(f, HC_KMAP, page_of(f, HIGH_PFN0 + i), 0);
	/* The 512th (slot 0) came after a wrap with nothing to clear: no flush. */
	CHECK_EQ(f->ks->stats.calls[KMAP_OP_FLUSH_ALL_ZERO_PKMAPS], 1);
	CHECK_EQ(f->mm.stats.flush_tlb_kernel_range.calls, 0);
	HC_STOPS(f, HC_KMAP, page_of(f, HIGH_PFN0 + NPKMAP), 0, HC_STOP_WOULD_SLEEP,
		 "pkmap_map_wait");
	CHECK(strstr(policy_message(f->p), "512 of 512 pkmap slots held") != NULL);
	CHECK(strstr(policy_message(f->p), "slot 0: pfn 0x301ff, 1 user, kmap at 0xc0008000") != NULL);
	/* The scan went round once more: a second wrap, still nothing to flush. */
	CHECK_EQ(f->ks->stats.calls[KMAP_OP_FLUSH_ALL_ZERO_PKMAPS], 2);
	CHECK_EQ(f->mm.stats.flush_tlb_kernel_range.calls, 0);
	shutdown(f);

	/* All held but slot 200, kunmapped to count 1 (awaiting the flush).
	 * The scan from slot 1 passes it (count 1 is not free), wraps, the
	 * flush frees it, and the count of entries to scan starts again at
	 * LAST_PKMAP -- without that restart the scan would give up at slot 0
	 * and sleep. */
	f = boot_linux("linux");
	for (uint32_t i = 0; i < NPKMAP; i++)
		hc(f, HC_KMAP, page_of(f, HIGH_PFN0 + i), 0);
	hc(f, HC_KUNMAP, page_of(f, HIGH_PFN0 + 199), 0); /* slot 200 */
	CHECK_EQ(pkmap_count(f, 200), 1);
	CHECK_EQ(hc(f, HC_KMAP, page_of(f, HIGH_PFN0 + 1000), 0), pkmap_addr(200));
	CHECK_EQ(f->mm.stats.flush_tlb_kernel_range.calls, 1);
	CHECK_EQ(f->mm.stats.flush_tlb_kernel_range.pages, 512);
	CHECK_EQ(pkmap_count(f, 200), 2);
	CHECK_EQ(hc(f, HC_PAGE_ADDRESS, page_of(f, HIGH_PFN0 + 199), 0), 0);
	shutdown(f);
}

/* Random kmap/kunmap with at most 64 references live, over 700 pages so
 * that slots keep being recycled: every VA and the flush count must match
 * the reference model. */
static void test_random_against_reference(void)
{
	for (unsigned seed = 1; seed <= 3; seed++) {
		struct fake *f = boot_linux("linux");
		struct ref r;
		memset(&r, 0, sizeof(r));
		uint32_t live[64];
		unsigned nlive = 0, mismatches = 0;
		uint64_t x = seed * 0x9e3779b97f4a7c15ull;

		for (unsigned step = 0; step < 20000; step++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			bool map = nlive == 0 || (nlive < 64 && (x & 3) != 0);
			if (map) {
				uint32_t pg = page_of(f, HIGH_PFN0 + (uint32_t)((x >> 8) % 700));
				int slot = ref_kmap(&r, pg);
				uint32_t va = hc(f, HC_KMAP, pg, 0);
				if (slot < 0 || va != pkmap_addr((uint32_t)slot))
					mismatches++;
				live[nlive++] = pg;
			} else {
				unsigned k = (unsigned)((x >> 8) % nlive);
				ref_kunmap(&r, live[k]);
				hc(f, HC_KUNMAP, live[k], 0);
				live[k] = live[--nlive];
			}
		}
		CHECK_EQ(mismatches, 0);
		CHECK(r.flushes > 10);
		CHECK_EQ(f->mm.stats.flush_tlb_kernel_range.calls, r.flushes);
		CHECK_EQ(f->mm.stats.flush_tlb_kernel_range.pages, r.flushed_pages);
		CHECK_EQ(f->ks->stats.calls[KMAP_OP_FLUSH_ALL_ZERO_PKMAPS], r.zero_calls);
		unsigned count_mismatches = 0;
		for (uint32_t i = 0; i < NPKMAP; i++)
			if (pkmap_count(f, i) != r.count[i])
				count_mismatches++;
		CHECK_EQ(count_mismatches, 0);
		CHECK_EQ(f->mm.stats.stale_tlb, 0);
		shutdown(f);
	}
}

/* ------------------------------------------------------------------ */
/* kmap_atomic and the fixmap */

static void test_kmap_atomic(void)
{
	struct fake *f = boot_linux("linux");
	const struct core_costs *c = &f->mm.core->cost;

	/* Lowmem: page_address. */
	CHECK_EQ(hc(f, HC_KMAP_ATOMIC, page_of(f, 0x2000), 0), 0xc2000000u);
	hc(f, HC_KUNMAP_ATOMIC, 0xc2000000u, 0);
	CHECK_EQ(f->mm.stats.local_flush_tlb_kernel_page.calls, 0);

	/* Nest to KM_TYPE_NR (16): slot i is FIX_KMAP_BEGIN + i = 1 + i, each
	 * with set_fixmap_pte's local flush of that page. */
	for (uint32_t i = 0; i < 16; i++) {
		uint32_t va = hc(f, HC_KMAP_ATOMIC, page_of(f, HIGH_PFN0 + 100 + i), 0);
		CHECK_EQ(va, fix_virt(1 + i));
		CHECK_EQ(translate(f, va), (HIGH_PFN0 + 100 + i) * 4096u);
	}
	/* local_flush_tlb_kernel_page (tlbflush.h, v5.10, v7 SMP flags):
	 * dsb(nshst), TLBIMVA, dsb(nsh), isb. */
	CHECK_EQ(f->mm.stats.local_flush_tlb_kernel_page.calls, 16);
	CHECK_EQ(f->mm.stats.local_flush_tlb_kernel_page.cycles,
		 16ull * (2 * c->dsb + c->tlbi_mva + c->isb));
	CHECK_EQ(f->ks->stats.by_cause[FLUSH_CAUSE_KMAP_ATOMIC].calls, 16);
	CHECK_EQ(f->tc.last_kmap.fix_idx, 16);
	CHECK_EQ(guest_word(f, f->ks->kmap_atomic_idx), 16); /* __kmap_atomic_idx */

	/* Unmap in order: the PTEs stay (no DEBUG_HIGHMEM), no flush. */
	for (uint32_t i = 16; i-- > 0;)
		hc(f, HC_KUNMAP_ATOMIC, fix_virt(1 + i) + 0x10, 0);
	CHECK_EQ(guest_word(f, f->ks->kmap_atomic_idx), 0);
	CHECK_EQ(f->mm.stats.local_flush_tlb_kernel_page.calls, 16);
	CHECK_EQ(translate(f, fix_virt(1)), (HIGH_PFN0 + 100) * 4096u);

	/* A page that has a pkmap address is served from it (kmap_high_get),
	 * with its count raised, and given back through kunmap_high. */
	uint32_t pg = page_of(f, HIGH_PFN0 + 7);
	uint32_t kva = hc(f, HC_KMAP, pg, 0);
	CHECK_EQ(hc(f, HC_KMAP_ATOMIC, pg, 0), kva);
	CHECK_EQ(pkmap_count(f, 1), 3);
	hc(f, HC_KUNMAP_ATOMIC, kva + 4, 0);
	CHECK_EQ(pkmap_count(f, 1), 2);

	/* Nest 16 again, then one more is a BUG. */
	for (uint32_t i = 0; i < 16; i++)
		hc(f, HC_KMAP_ATOMIC, page_of(f, HIGH_PFN0 + 200 + i), 0);
	HC_STOPS(f, HC_KMAP_ATOMIC, page_of(f, HIGH_PFN0 + 300), 0, HC_STOP_BUG,
		 "BUG_ON(idx >= KM_TYPE_NR): kmap_atomic nested 17 deep, KM_TYPE_NR is 16");
	shutdown(f);

	/* The seed's 20 (asm-generic's KM_TYPE_NR), from the kernel profile
	 * or the policy: twenty, then the BUG; FIX_TEXT_POKE0 moves to 21. */
	const char *km20[][2] = { { "5.10,km_type_nr=20", "linux" }, { NULL, "linux,km_type_nr=20" } };
	for (int k = 0; k < 2; k++) {
		f = boot_kernel(NULL, km20[k][0], km20[k][1]);
		uint32_t v;
		kmap_kernel_info(f->ks, KINFO_KM_TYPE_NR, &v);
		CHECK_EQ(v, 20);
		CHECK_EQ(f->ks->fix.fix_text_poke0, 21);
		for (uint32_t i = 0; i < 20; i++)
			CHECK_EQ(hc(f, HC_KMAP_ATOMIC, page_of(f, HIGH_PFN0 + i), 0), fix_virt(1 + i));
		HC_STOPS(f, HC_KMAP_ATOMIC, page_of(f, HIGH_PFN0 + 20), 0, HC_STOP_BUG,
			 "kmap_atomic nested 21 deep, KM_TYPE_NR is 20");
		shutdown(f);
	}

	/* debug_highmem=1: kunmap_atomic clears the PTE and flushes; a page
	 * with a pkmap address still gets its own fixmap slot. */
	f = boot_linux("linux,debug_highmem=1");
	pg = page_of(f, HIGH_PFN0 + 3);
	kva = hc(f, HC_KMAP, pg, 0);
	uint32_t ava = hc(f, HC_KMAP_ATOMIC, pg, 0);
	CHECK_EQ(ava, fix_virt(1));
	CHECK_EQ(pkmap_count(f, 1), 2);
	hc(f, HC_KUNMAP_ATOMIC, ava, 0);
	CHECK_EQ(translate(f, ava), 0xffffffffu);
	CHECK_EQ(f->mm.stats.local_flush_tlb_kernel_page.calls, 2);
	CHECK_EQ(f->ks->stats.by_cause[FLUSH_CAUSE_KUNMAP_ATOMIC].calls, 1);
	shutdown(f);
}

static void test_fixmap(void)
{
	struct fake *f = boot_linux("linux");
	const struct core_costs *c = &f->mm.core->cost;

	/* set_fixmap(FIX_TEXT_POKE0 = 17, phys) maps fix_virt(17). */
	CHECK_EQ(f->ks->fix.fix_text_poke0, 17);
	hc(f, HC_SET_FIXMAP, 17, 0x00345000);
	CHECK_EQ(translate(f, 0xffeff000u - 17 * 4096 + 0x10), 0x00345010);
	/* __set_fixmap flushes with local_flush_tlb_kernel_range(vaddr,
	 * vaddr + PAGE_SIZE): the range sequence for one page, v7wbi_flush_
	 * kern_tlb_range (tlb-v7.S, v5.10): dsb ish, TLBIMVAIS, dsb ish, isb. */
	CHECK_EQ(f->mm.stats.flush_tlb_kernel_range.calls, 1);
	CHECK_EQ(f->mm.stats.flush_tlb_kernel_range.pages, 1);
	CHECK_EQ(f->mm.stats.flush_tlb_kernel_range.cycles, 2ull * c->dsb + c->tlbi_mva + c->isb);
	CHECK_EQ(f->ks->stats.by_cause[FLUSH_CAUSE_SET_FIXMAP].calls, 1);
	CHECK_EQ(f->tc.last_kmap.fix_idx, 17);
	hc(f, HC_CLEAR_FIXMAP, 17, 0);
	CHECK_EQ(translate(f, 0xffeff000u - 17 * 4096), 0xffffffffu);
	CHECK_EQ(f->ks->stats.by_cause[FLUSH_CAUSE_CLEAR_FIXMAP].calls, 1);
	/* The last index: __end_of_fixed_addresses - 1 = 224. */
	hc(f, HC_SET_FIXMAP, 224, 0x00400000);
	CHECK_EQ(translate(f, 0xffeff000u - 224 * 4096), 0x00400000);
	HC_STOPS(f, HC_SET_FIXMAP, 225, 0x1000, HC_STOP_BUG,
		 "BUG_ON(idx >= __end_of_fixed_addresses): idx 225, __end_of_fixed_addresses is 225");
	shutdown(f);

	f = boot_linux("linux");
	HC_STOPS(f, HC_CLEAR_FIXMAP, 100000, 0, HC_STOP_BUG, "__end_of_fixed_addresses");
	shutdown(f);
}

static void test_early_ioremap(void)
{
	struct fake *f = boot_linux("linux");

	/* Slot 0 starts at FIX_BTMAP_BEGIN (224); 0x123 + 0x2000 spans three
	 * pages, each set with __set_fixmap and its one-page flush. */
	uint32_t va = hc(f, HC_EARLY_IOREMAP, 0x01000123, 0x2000);
	CHECK_EQ(va, fix_virt(224) + 0x123);
	CHECK_EQ(translate(f, va), 0x01000123);
	CHECK_EQ(translate(f, fix_virt(222)), 0x01002000); /* idx goes down */
	CHECK_EQ(f->ks->stats.by_cause[FLUSH_CAUSE_EARLY_IOREMAP].calls, 3);
	/* Slot 1 is 32 pages further down. */
	uint32_t va1 = hc(f, HC_EARLY_IOREMAP, 0x02000000, 4096);
	CHECK_EQ(va1, fix_virt(224 - 32));
	/* A size that differs from the mapping's is a WARN, nothing more. */
	hc(f, HC_EARLY_IOUNMAP, va, 0x1000);
	CHECK_EQ(f->tc.warnings, 1);
	CHECK_EQ(translate(f, va), 0x01000123);
	hc(f, HC_EARLY_IOUNMAP, va, 0x2000);
	CHECK_EQ(translate(f, va), 0xffffffffu);
	CHECK_EQ(f->ks->stats.by_cause[FLUSH_CAUSE_EARLY_IOUNMAP].calls, 3);
	/* More than NR_FIX_BTMAPS (32) pages: WARN and NULL. */
	CHECK_EQ(hc(f, HC_EARLY_IOREMAP, 0x03000000, 33 * 4096), 0);
	CHECK_EQ(f->tc.warnings, 2);
	/* Seven slots: slot 0 is free again, 1 is taken; five more fit, the
	 * eighth mapping finds no slot. */
	for (unsigned i = 0; i < 6; i++)
		CHECK(hc(f, HC_EARLY_IOREMAP, 0x04000000 + i * 4096, 4096) != 0);
	CHECK_EQ(hc(f, HC_EARLY_IOREMAP, 0x05000000, 4096), 0);
	CHECK_EQ(f->tc.warnings, 3);
	CHECK_EQ(f->ks->stats.warnings, 3);
	shutdown(f);
}

/* ------------------------------------------------------------------ */
/* kmap_local_page (v5.11) */

static void test_kmap_local(void)
{
	struct fake *f = boot_linux("linux");

	uint32_t a = page_of(f, HIGH_PFN0 + 1), b = page_of(f, HIGH_PFN0 + 2);
	uint32_t va = hc(f, HC_KMAP_LOCAL_PAGE, a, 0);
	uint32_t vb = hc(f, HC_KMAP_LOCAL_PAGE, b, 0);
	CHECK_EQ(va, fix_virt(1));
	CHECK_EQ(vb, fix_virt(2));
	CHECK_EQ(translate(f, vb), (HIGH_PFN0 + 2) * 4096u);
	/* Flush on map and on unmap; the unmap clears the PTE. */
	hc(f, HC_KUNMAP_LOCAL, vb, 0);
	hc(f, HC_KUNMAP_LOCAL, va + 0x800, 0);
	CHECK_EQ(translate(f, va), 0xffffffffu);
	CHECK_EQ(f->ks->stats.by_cause[FLUSH_CAUSE_KMAP_LOCAL].calls, 2);
	CHECK_EQ(f->ks->stats.by_cause[FLUSH_CAUSE_KUNMAP_LOCAL].calls, 2);
	CHECK_EQ(f->mm.stats.local_flush_tlb_kernel_page.calls, 4);

	/* One stack with kmap_atomic: a kmap_atomic left its PTE at depth 0;
	 * kmap_local_page at depth 0 takes the slot over (no BUG). */
	uint32_t at = hc(f, HC_KMAP_ATOMIC, a, 0);
	CHECK_EQ(hc(f, HC_KMAP_LOCAL_PAGE, b, 0), fix_virt(2));
	hc(f, HC_KUNMAP_LOCAL, fix_virt(2), 0);
	hc(f, HC_KUNMAP_ATOMIC, at, 0);
	CHECK_EQ(translate(f, at), (HIGH_PFN0 + 1) * 4096u);
	CHECK_EQ(hc(f, HC_KMAP_LOCAL_PAGE, b, 0), fix_virt(1));
	CHECK_EQ(translate(f, fix_virt(1)), (HIGH_PFN0 + 2) * 4096u);
	hc(f, HC_KUNMAP_LOCAL, fix_virt(1), 0);

	/* A kmapped page is served from pkmap and given back by kunmap_local. */
	uint32_t kva = hc(f, HC_KMAP, a, 0);
	CHECK_EQ(hc(f, HC_KMAP_LOCAL_PAGE, a, 0), kva);
	CHECK_EQ(pkmap_count(f, 1), 3);
	hc(f, HC_KUNMAP_LOCAL, kva, 0);
	CHECK_EQ(pkmap_count(f, 1), 2);

	/* Lowmem: its linear address. */
	CHECK_EQ(hc(f, HC_KMAP_LOCAL_PAGE, page_of(f, 0x3000), 0), 0xc3000000u);
	hc(f, HC_KUNMAP_LOCAL, 0xc3000000u, 0);

	/* v5.11 checks the new depth against KM_MAX_IDX (16 slots): 15 nest,
	 * the 16th is the BUG. */
	for (uint32_t i = 0; i < 15; i++)
		CHECK_EQ(hc(f, HC_KMAP_LOCAL_PAGE, page_of(f, HIGH_PFN0 + 50 + i), 0), fix_virt(1 + i));
	HC_STOPS(f, HC_KMAP_LOCAL_PAGE, page_of(f, HIGH_PFN0 + 70), 0, HC_STOP_BUG, "KM_MAX_IDX");
	shutdown(f);

	/* A PTE someone else left in a kmap slot trips BUG_ON(!pte_none()). */
	f = boot_linux("linux");
	hc(f, HC_SET_FIXMAP, 1, 0x00500000);
	HC_STOPS(f, HC_KMAP_LOCAL_PAGE, page_of(f, HIGH_PFN0), 0, HC_STOP_BUG, "BUG_ON(!pte_none");
	shutdown(f);
}

/* ------------------------------------------------------------------ */
/* Kernel bugs: each one a BUG report, never a crash */

static void test_bugs(void)
{
	struct fake *f;
	uint32_t a, b, va, vb;

	/* kunmap of a page that was never kmapped. */
	f = boot_linux("linux");
	HC_STOPS(f, HC_KUNMAP, page_of(f, HIGH_PFN0 + 4), 0, HC_STOP_BUG,
		 "kunmap_high: BUG_ON(!vaddr): page");
	CHECK(strstr(policy_message(f->p), "[in kunmap(page 0x") != NULL);
	CHECK(strstr(policy_message(f->p), "policy linux]") != NULL);
	/* Once stopped, every later call reports the same stop. */
	HC_STOPS(f, HC_ALLOC_PAGE, GFP_KERNEL, 0, HC_STOP_BUG, "BUG_ON(!vaddr)");
	shutdown(f);

	/* One kunmap too many: the count would drop to 0 without a flush. */
	f = boot_linux("linux");
	a = page_of(f, HIGH_PFN0 + 4);
	hc(f, HC_KMAP, a, 0);
	hc(f, HC_KUNMAP, a, 0);
	HC_STOPS(f, HC_KUNMAP, a, 0, HC_STOP_BUG, "pkmap_count[1] of page");
	shutdown(f);

	/* kunmap_atomic out of stack order. */
	f = boot_linux("linux");
	a = page_of(f, HIGH_PFN0 + 1);
	b = page_of(f, HIGH_PFN0 + 2);
	va = hc(f, HC_KMAP_ATOMIC, a, 0);
	vb = hc(f, HC_KMAP_ATOMIC, b, 0);
	(void)vb;
	HC_STOPS(f, HC_KUNMAP_ATOMIC, va, 0, HC_STOP_BUG, "not the innermost kmap_atomic address");
	shutdown(f);

	/* kunmap_atomic of a fixmap address kmap_atomic did not return. */
	f = boot_linux("linux");
	hc(f, HC_KMAP_ATOMIC, page_of(f, HIGH_PFN0 + 1), 0);
	HC_STOPS(f, HC_KUNMAP_ATOMIC, fix_virt(21), 0, HC_STOP_BUG, "BUG_ON(vaddr != __fix_to_virt(idx))");
	shutdown(f);

	/* kunmap_atomic with nothing outstanding. */
	f = boot_linux("linux");
	HC_STOPS(f, HC_KUNMAP_ATOMIC, fix_virt(1), 0, HC_STOP_BUG, "no kmap_atomic is outstanding");
	shutdown(f);

	/* kunmap_atomic of a user address. */
	f = boot_linux("linux");
	HC_STOPS(f, HC_KUNMAP_ATOMIC, 0x00010000, 0, HC_STOP_BUG, "not an address kmap_atomic returns");
	shutdown(f);

	/* kunmap_atomic of an empty pkmap slot. */
	f = boot_linux("linux");
	HC_STOPS(f, HC_KUNMAP_ATOMIC, pkmap_addr(7), 0, HC_STOP_BUG, "pkmap slot 7 maps nothing");
	shutdown(f);

	/* kunmap_atomic of a kmap_local_page address, and the reverse. */
	f = boot_linux("linux");
	va = hc(f, HC_KMAP_LOCAL_PAGE, page_of(f, HIGH_PFN0 + 1), 0);
	HC_STOPS(f, HC_KUNMAP_ATOMIC, va, 0, HC_STOP_BUG, "came from kmap_local_page");
	shutdown(f);
	f = boot_linux("linux");
	va = hc(f, HC_KMAP_ATOMIC, page_of(f, HIGH_PFN0 + 1), 0);
	HC_STOPS(f, HC_KUNMAP_LOCAL, va, 0, HC_STOP_BUG, "came from kmap_atomic");
	shutdown(f);

	/* kunmap_local out of order. */
	f = boot_linux("linux");
	va = hc(f, HC_KMAP_LOCAL_PAGE, page_of(f, HIGH_PFN0 + 1), 0);
	hc(f, HC_KMAP_LOCAL_PAGE, page_of(f, HIGH_PFN0 + 2), 0);
	HC_STOPS(f, HC_KUNMAP_LOCAL, va, 0, HC_STOP_BUG, "not the innermost kmap_local_page");
	shutdown(f);

	/* Bad struct page pointers: misaligned, before and past mem_map, NULL. */
	f = boot_linux("linux");
	HC_STOPS(f, HC_KMAP, f->mem_map + 4, 0, HC_STOP_BUG, "not at a struct page boundary");
	shutdown(f);
	f = boot_linux("linux");
	HC_STOPS(f, HC_KMAP_ATOMIC, f->mem_map - 32, 0, HC_STOP_BUG, "outside mem_map");
	shutdown(f);
	f = boot_linux("linux");
	HC_STOPS(f, HC_KUNMAP, page_of(f, 0x32000), 0, HC_STOP_BUG, "outside mem_map"); /* just past */
	shutdown(f);
	f = boot_linux("linux");
	HC_STOPS(f, HC_KMAP_LOCAL_PAGE, 0, 0, HC_STOP_BUG, "bad struct page * 0x00000000");
	shutdown(f);
	f = boot_linux("linux");
	HC_STOPS(f, HC_PAGE_ADDRESS, 0xc0000001u, 0, HC_STOP_BUG, "bad struct page");
	shutdown(f);

	/* A guest that corrupts the kernel's data gets a BUG, not a crash:
	 * a page_address_htable bucket pointing at user memory (0x1000 is
	 * the list_head of an entry at 0x1000 - 8). */
	f = boot_linux("linux");
	a = page_of(f, HIGH_PFN0 + 1);
	uint32_t bucket = f->ks->page_address_htable + ((a * 0x61C88647u) >> 25) * 64;
	phys_write32(&f->mm.mem, bucket - 0xc0000000u, 0x00001000);
	HC_STOPS(f, HC_KMAP, a, 0, HC_STOP_BUG, "unable to handle kernel read at 0x00000ff8");
	shutdown(f);

	/* strict=0 runs a non-debug kernel: out-of-order kunmap_atomic just
	 * pops, and the 21st nested kmap_atomic silently takes the next
	 * slot (another CPU's, with NR_CPUS > 1; FIX_TEXT_POKE0 here). */
	f = boot_linux("linux,strict=0");
	va = hc(f, HC_KMAP_ATOMIC, page_of(f, HIGH_PFN0 + 1), 0);
	hc(f, HC_KMAP_ATOMIC, page_of(f, HIGH_PFN0 + 2), 0);
	hc(f, HC_KUNMAP_ATOMIC, va, 0);
	hc(f, HC_KUNMAP_ATOMIC, va, 0);
	for (uint32_t i = 0; i < 21; i++)
		CHECK_EQ(hc(f, HC_KMAP_ATOMIC, page_of(f, HIGH_PFN0 + 10 + i), 0), fix_virt(1 + i));
	shutdown(f);
}

/* ------------------------------------------------------------------ */
/* Dispatch, options and the flush primitives themselves */

static void test_dispatch_and_options(void)
{
	char err[300];
	struct fake *f = boot_linux("linux");
	uint32_t args[4] = { 0 }, ret;

	CHECK_EQ(hc(f, HC_ABI_VERSION, 0, 0), KMAPLAB_HC_ABI_VERSION);
	CHECK_EQ(hc(f, HC_KERNEL_INFO, KINFO_LAST_PKMAP, 0), 512);
	args[0] = 4242;
	CHECK_EQ(kmaplab_hypercall(f->p, HC_KERNEL_INFO, args, 0x1234, &ret), HC_BAD_CALL);
	CHECK(strstr(policy_message(f->p), "unknown selector 4242 at 0x00001234") != NULL);
	CHECK_EQ(kmaplab_hypercall(f->p, 0xdead, args, 0, &ret), HC_BAD_CALL);
	CHECK(strstr(policy_message(f->p), "unknown hypercall 57005 at 0x00000000 (hypercall ABI version 3)") != NULL);

	/* Guest-called flushes are counted under their own cause. */
	hc(f, HC_LOCAL_FLUSH_TLB_KERNEL_PAGE, 0xc0001234u, 0);
	hc(f, HC_FLUSH_TLB_KERNEL_RANGE, 0xc0000000u, 0xc0004000u);
	hc(f, HC_FLUSH_TLB_ALL, 0, 0);
	CHECK_EQ(f->ks->stats.by_cause[FLUSH_CAUSE_GUEST].calls, 3);
	CHECK_EQ(f->ks->stats.by_cause[FLUSH_CAUSE_GUEST].pages, 5);
	CHECK_EQ(f->mm.stats.flush_tlb_all.calls, 1);
	CHECK_EQ(f->tc.last_flush.op, FLUSH_OP_FLUSH_TLB_ALL);
	/* Every hypercall charged its entry/exit cost. */
	CHECK(f->mm.stats.cycles >= 8ull * f->mm.core->cost.hypercall);

	/* Bad options and unknown policies are refused with a reason. */
	CHECK(policy_load_spec(f->ks, "linux,km_type_nr=1000", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "do not fit in the fixmap") != NULL);
	CHECK(policy_load_spec(f->ks, "linux,debug_highmem=2", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "bad option 'debug_highmem=2'") != NULL);
	CHECK(policy_load_spec(f->ks, "linux,frob=1", err, sizeof(err)) == NULL);
	/* A failed install leaves the machine as it was. */
	CHECK(policy_load_spec(f->ks, "linux,km_type_nr=20,frob=1", err, sizeof(err)) == NULL);
	CHECK_EQ(hc(f, HC_KERNEL_INFO, KINFO_KM_TYPE_NR, 0), 16);
	CHECK(policy_load_spec(f->ks, "nosuch", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "unknown --policy 'nosuch' (built in: linux") != NULL);
	CHECK(policy_load_spec(f->ks, "./nosuch.so", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "nosuch.so") != NULL);
	shutdown(f);
}

static void test_flush_primitives(void)
{
	struct fake *f = boot_linux("linux");
	const struct core_costs *c = &f->mm.core->cost;

	/* tlb-v7.S loops do/while over whole pages. */
	CHECK_EQ(flush_range_pages(0x1000, 0x1000), 1);
	CHECK_EQ(flush_range_pages(0x1000, 0x3000), 2);
	CHECK_EQ(flush_range_pages(0x1fff, 0x3001), 2);
	CHECK_EQ(flush_range_pages(0x3000, 0x1000), 1);
	CHECK_EQ(flush_range_pages(0xbfe00000u, 0xc0000000u), 512);

	/* Fill the TLB with two lowmem sections and a pkmap page. */
	uint32_t pg = page_of(f, HIGH_PFN0);
	uint32_t va = hc(f, HC_KMAP, pg, 0);
	CHECK_EQ(mm_access(&f->mm, va, MMU_READ, 1), MMU_OK);
	CHECK_EQ(mm_access(&f->mm, 0xc0100000u, MMU_READ, 1), MMU_OK);
	uint64_t walks = tlb_stats(f->mm.tlb)->walks;
	CHECK_EQ(mm_access(&f->mm, va, MMU_READ, 1), MMU_OK);
	CHECK_EQ(tlb_stats(f->mm.tlb)->walks, walks); /* a hit */

	/* A range over another page leaves it in the main TLB (the A7 drops
	 * its micro TLBs on any maintenance: a main hit, no walk); a range
	 * over it drops it (a walk). */
	flush_tlb_kernel_range(f->ks, va + 4096, va + 8192, FLUSH_CAUSE_POLICY);
	CHECK_EQ(mm_access(&f->mm, va, MMU_READ, 1), MMU_OK);
	CHECK_EQ(tlb_stats(f->mm.tlb)->walks, walks);
	CHECK(flush_tlb_kernel_range(f->ks, va, va + 4096, FLUSH_CAUSE_POLICY) >= 1);
	CHECK_EQ(mm_access(&f->mm, va, MMU_READ, 1), MMU_OK);
	CHECK_EQ(tlb_stats(f->mm.tlb)->walks, walks + 1); /* refilled */

	uint64_t cycles = f->mm.stats.cycles;
	CHECK(flush_tlb_all(f->ks, FLUSH_CAUSE_POLICY) >= 2);
	CHECK_EQ(f->mm.stats.cycles - cycles, 2ull * c->dsb + c->tlbi_all + c->isb);
	CHECK_EQ(f->mm.stats.flush_tlb_all.cycles, 2ull * c->dsb + c->tlbi_all + c->isb);
	CHECK_EQ(f->tc.last_flush.cycle, cycles);
	CHECK(strcmp(flush_cause_name(FLUSH_CAUSE_PKMAP_WRAP), "pkmap_wrap") == 0);
	CHECK(strcmp(flush_op_name(FLUSH_OP_FLUSH_TLB_KERNEL_RANGE), "flush_tlb_kernel_range") == 0);
	/* The stats keys of DESIGN.md. */
	CHECK(strcmp(kmap_op_name(KMAP_OP_KMAP_LOCAL_PAGE), "kmap_local") == 0);
	CHECK(strcmp(kmap_op_name(KMAP_OP_FLUSH_ALL_ZERO_PKMAPS), "flush_all_zero_pkmaps") == 0);
	CHECK_EQ(flush_cause_name((enum flush_cause)99)[0], '?');
	shutdown(f);
}

/* ------------------------------------------------------------------ */
/* The flush primitives' operations per core and kernel profile, written
 * out here from the kernel sources (v5.10; v6.6 has the same code):
 *
 *   tlbflush.h: local_flush_tlb_kernel_page() = if TLB_WB dsb(nshst);
 *     tlb_op(TLB_V6_U_PAGE, c8,c7,1) (D_PAGE c8,c6,1; I_PAGE c8,c5,1);
 *     tlb_op(TLB_V7_UIS_PAGE, c8,c7,1); if TLB_BARRIER { dsb(nsh); isb() }
 *   smp_tlb.c __flush_tlb_all (SMP): dsb(ishst); TLBIALLIS; dsb(ish); isb;
 *   tlbflush.h local_flush_tlb_all (UP): dsb; V6_U/D/I_FULL ops; dsb; isb.
 *   tlb-v7.S v7wbi_flush_kern_tlb_range: dsb ish; per page ALT_SMP
 *     TLBIMVAIS (TLBIMVAAIS with ARM_ERRATA_720789) / ALT_UP TLBIMVA;
 *     dsb ish; isb.
 *   tlb-v6.S v6wbi_flush_kern_tlb_range (HARVARD_TLB): drain write buffer
 *     (DSB); per page D MVA and I MVA; DSB; prefetch flush (ISB).
 *   v6wbi_tlb_flags: WB, BARRIER, V6_D_PAGE, V6_I_PAGE, V6_D_FULL,
 *     V6_I_FULL; v7wbi_tlb_flags_smp: WB, BARRIER, V7_UIS_PAGE,
 *     V7_UIS_FULL; v7wbi_tlb_flags_up: WB, BARRIER, V6_U_PAGE, V6_U_FULL.
 *   smp_tlb.c broadcast_tlb_a15_erratum (ARM_ERRATA_798181, Cortex-A15):
 *     TLBIMVAIS of 0; dsb(ish); IPIs to the other CPUs (none here). */
struct want_ops {
	unsigned dsb, isb, bpiall, mva, mvais, mvaais, dmva, imva, all, allis, dall, iall;
};

static void check_ops(const struct fake *f, const uint64_t *before, const struct want_ops *w,
		      const char *what)
{
	const uint64_t *o = f->ks->stats.ops;
	uint64_t got[KOP_NR];
	for (int i = 0; i < KOP_NR; i++)
		got[i] = o[i] - before[i];
	bool ok = got[KOP_DSB] == w->dsb && got[KOP_ISB] == w->isb && got[KOP_BPIALL] == w->bpiall &&
		  got[KOP_TLBIMVA] == w->mva && got[KOP_TLBIMVAIS] == w->mvais &&
		  got[KOP_TLBIMVAAIS] == w->mvaais && got[KOP_DTLBIMVA] == w->dmva &&
		  got[KOP_ITLBIMVA] == w->imva && got[KOP_TLBIALL] == w->all &&
		  got[KOP_TLBIALLIS] == w->allis && got[KOP_DTLBIALL] == w->dall &&
		  got[KOP_ITLBIALL] == w->iall;
	check_one(ok, what, __FILE__, __LINE__);
	if (!ok) {
		fprintf(stderr, "  %s on %s:", what, f->mm.core->name);
		for (int i = 0; i < KOP_NR; i++)
			if (got[i])
				fprintf(stderr, " %s=%llu", kop_name((enum kop)i), (unsigned long long)got[i]);
		fputc('\n', stderr);
	}
}

/* Cycles of a want_ops on core costs c (each op at its own cost). */
static uint64_t ops_cycles(const struct want_ops *w, const struct core_costs *c)
{
	return (uint64_t)w->dsb * c->dsb + (uint64_t)w->isb * c->isb + (uint64_t)w->bpiall * c->bpiall +
	       (uint64_t)(w->mva + w->mvais + w->mvaais + w->dmva + w->imva) * c->tlbi_mva +
	       (uint64_t)(w->all + w->allis + w->dall + w->iall) * c->tlbi_all;
}

static void one_profile(const char *core, const char *kernel, const struct want_ops *page,
			const struct want_ops *range512, const struct want_ops *all)
{
	struct fake *f = boot_kernel(core, kernel, "linux");
	const struct core_costs *c = &f->mm.core->cost;
	uint64_t before[KOP_NR];
	char what[128];

	memcpy(before, f->ks->stats.ops, sizeof(before));
	uint64_t cyc = f->mm.stats.cycles;
	hc(f, HC_LOCAL_FLUSH_TLB_KERNEL_PAGE, 0xffeef000u, 0);
	snprintf(what, sizeof(what), "local_flush_tlb_kernel_page ops (%s, %s)", core, kernel);
	check_ops(f, before, page, what);
	CHECK_EQ(f->mm.stats.local_flush_tlb_kernel_page.cycles, ops_cycles(page, c));

	memcpy(before, f->ks->stats.ops, sizeof(before));
	hc(f, HC_FLUSH_TLB_KERNEL_RANGE, PKMAP_BASE_3G, PKMAP_BASE_3G + 512 * 4096);
	snprintf(what, sizeof(what), "flush_tlb_kernel_range(pkmap) ops (%s, %s)", core, kernel);
	check_ops(f, before, range512, what);
	CHECK_EQ(f->mm.stats.flush_tlb_kernel_range.cycles, ops_cycles(range512, c));

	memcpy(before, f->ks->stats.ops, sizeof(before));
	hc(f, HC_FLUSH_TLB_ALL, 0, 0);
	snprintf(what, sizeof(what), "flush_tlb_all ops (%s, %s)", core, kernel);
	check_ops(f, before, all, what);
	CHECK_EQ(f->mm.stats.flush_tlb_all.cycles, ops_cycles(all, c));
	/* The primitives' costs are all the model charged here. */
	CHECK(f->mm.stats.cycles - cyc >= ops_cycles(page, c) + ops_cycles(range512, c) + ops_cycles(all, c));
	shutdown(f);
}

static void test_flush_sequences(void)
{
	/* ARMv7 SMP kernel (the default), v5.10 and v6.6 alike. */
	const struct want_ops v7_page = { .dsb = 2, .isb = 1, .mva = 1 };
	const struct want_ops v7_range = { .dsb = 2, .isb = 1, .mvais = 512 };
	const struct want_ops v7_all = { .dsb = 2, .isb = 1, .allis = 1 };
	static const char *const v7[] = { "cortex-a7", "cortex-a9", "cortex-a15" };
	for (int i = 0; i < 3; i++) {
		one_profile(v7[i], "5.10", &v7_page, &v7_range, &v7_all);
		one_profile(v7[i], "6.6", &v7_page, &v7_range, &v7_all);
	}
	/* ARM1176: Harvard TLBs, a D and an I operation each time -- a pkmap
	 * wrap is 1024 invalidates. */
	const struct want_ops v6_page = { .dsb = 2, .isb = 1, .dmva = 1, .imva = 1 };
	const struct want_ops v6_range = { .dsb = 2, .isb = 1, .dmva = 512, .imva = 512 };
	const struct want_ops v6_all = { .dsb = 2, .isb = 1, .dall = 1, .iall = 1 };
	one_profile("arm1176", "5.10", &v6_page, &v6_range, &v6_all);
	one_profile("arm1176", "6.6", &v6_page, &v6_range, &v6_all);
	/* UP kernel on v7 (v7wbi_tlb_flags_up, ALT_UP): the local forms. */
	const struct want_ops up_range = { .dsb = 2, .isb = 1, .mva = 512 };
	const struct want_ops up_all = { .dsb = 2, .isb = 1, .all = 1 };
	one_profile("cortex-a7", "5.10,smp=0", &v7_page, &up_range, &up_all);
	/* ARM_ERRATA_720789: the range loop invalidates all ASIDs. */
	const struct want_ops e720_range = { .dsb = 2, .isb = 1, .mvaais = 512 };
	one_profile("cortex-a9", "5.10,errata_720789=1", &v7_page, &e720_range, &v7_all);
	/* ARM_ERRATA_798181 on a Cortex-A15: one dummy TLBIMVAIS + dsb(ish)
	 * after the range and after flush_tlb_all; the local page flush is
	 * not broadcast and unchanged.  On a Cortex-A7 the erratum check is
	 * false at run time: nothing changes. */
	const struct want_ops e798_range = { .dsb = 3, .isb = 1, .mvais = 513 };
	const struct want_ops e798_all = { .dsb = 3, .isb = 1, .allis = 1, .mvais = 1 };
	one_profile("cortex-a15", "6.6,errata_798181=1", &v7_page, &e798_range, &e798_all);
	one_profile("cortex-a7", "6.6,errata_798181=1", &v7_page, &v7_range, &v7_all);

	/* The ARM1176's pair reaches instruction-side entries: kernel text
	 * fetched through the TLB walks again after the page flush. */
	struct fake *f = boot_kernel("arm1176", NULL, "linux");
	uint32_t va = 0xc0008000u;
	CHECK_EQ(mm_access(&f->mm, va, MMU_FETCH, 1), MMU_OK);
	uint64_t walks = tlb_stats(f->mm.tlb)->walks;
	CHECK_EQ(mm_access(&f->mm, va, MMU_FETCH, 1), MMU_OK);
	CHECK_EQ(tlb_stats(f->mm.tlb)->walks, walks);
	CHECK(local_flush_tlb_kernel_page(f->ks, va, FLUSH_CAUSE_POLICY) >= 1);
	CHECK_EQ(mm_access(&f->mm, va, MMU_FETCH, 1), MMU_OK);
	CHECK_EQ(tlb_stats(f->mm.tlb)->walks, walks + 1);
	shutdown(f);

	CHECK(strcmp(kop_name(KOP_DTLBIMVA), "DTLBIMVA") == 0);
	CHECK(strcmp(kop_name(KOP_TLBIMVAIS), "TLBIMVAIS") == 0);
	CHECK_EQ(kop_name((enum kop)99)[0], '?');
}

/* ------------------------------------------------------------------ */
/* Kernel profiles: --kernel parsing, and v6.6's kmap_atomic */

static void test_kernel_profiles(void)
{
	struct kernel_profile k;
	char err[200];

	CHECK_EQ(kernel_profile_parse("5.10", &k, err, sizeof(err)), 0);
	CHECK_EQ(k.km_slots, 16); /* arch/arm/include/asm/kmap_types.h, v5.10 */
	CHECK(!k.kmap_atomic_is_local && k.smp && !k.debug_highmem);
	CHECK_EQ(kernel_profile_parse("6.6", &k, err, sizeof(err)), 0);
	CHECK_EQ(k.km_slots, 16); /* KM_MAX_IDX, include/asm-generic/kmap_size.h, v6.6 */
	CHECK(k.kmap_atomic_is_local);
	CHECK_EQ(kernel_profile_parse("6.6,debug_kmap_local=1", &k, err, sizeof(err)), 0);
	CHECK_EQ(k.km_slots, 33);
	CHECK_EQ(kernel_profile_parse("5.10,km_type_nr=20,debug_highmem=1", &k, err, sizeof(err)), 0);
	CHECK(k.km_slots == 20 && k.debug_highmem);
	CHECK(kernel_profile_parse("5.4", &k, err, sizeof(err)) != 0);
	CHECK(strstr(err, "unknown kernel version '5.4'") != NULL);
	CHECK(kernel_profile_parse("6.6,km_type_nr=20", &k, err, sizeof(err)) != 0);
	CHECK(strstr(err, "no KM_TYPE_NR") != NULL);
	CHECK(kernel_profile_parse("5.10,debug_kmap_local=1", &k, err, sizeof(err)) != 0);
	CHECK(kernel_profile_parse("5.10,smp=2", &k, err, sizeof(err)) != 0);
	CHECK(strstr(err, "smp: '2' is not 0 or 1") != NULL);
	CHECK(kernel_profile_parse("5.10,frob=1", &k, err, sizeof(err)) != 0);
	CHECK(kernel_profile_parse("5.10,smp", &k, err, sizeof(err)) != 0);
	CHECK(kernel_profile_parse("5.10,km_type_nr=0", &k, err, sizeof(err)) != 0);

	/* v6.6: kmap_atomic = kmap_local.  15 nest (BUG_ON(idx >= KM_MAX_IDX)
	 * on the new index), each flushed on map; the 16th is the BUG. */
	struct fake *f = boot_kernel(NULL, "6.6", "linux");
	const struct core_costs *c = &f->mm.core->cost;
	for (uint32_t i = 0; i < 15; i++) {
		uint32_t va = hc(f, HC_KMAP_ATOMIC, page_of(f, HIGH_PFN0 + 100 + i), 0);
		CHECK_EQ(va, fix_virt(1 + i));
		CHECK_EQ(translate(f, va), (HIGH_PFN0 + 100 + i) * 4096u);
	}
	CHECK_EQ(f->ks->stats.by_cause[FLUSH_CAUSE_KMAP_ATOMIC].calls, 15);
	/* kunmap_atomic clears the PTE and flushes (arch_kmap_local_post_unmap). */
	for (uint32_t i = 15; i-- > 0;) {
		hc(f, HC_KUNMAP_ATOMIC, fix_virt(1 + i) + 0x10, 0);
		CHECK_EQ(translate(f, fix_virt(1 + i)), 0xffffffffu);
	}
	CHECK_EQ(f->ks->stats.by_cause[FLUSH_CAUSE_KUNMAP_ATOMIC].calls, 15);
	CHECK_EQ(f->mm.stats.local_flush_tlb_kernel_page.calls, 30);
	CHECK_EQ(f->mm.stats.local_flush_tlb_kernel_page.cycles, 30ull * (2 * c->dsb + c->tlbi_mva + c->isb));
	CHECK_EQ(guest_word(f, f->ks->kmap_atomic_idx), 0);
	/* kmap_high_get still serves a kmapped page (ARM's
	 * arch_kmap_local_high_get, v6.6), no flush. */
	uint32_t pg = page_of(f, HIGH_PFN0 + 7);
	uint32_t kva = hc(f, HC_KMAP, pg, 0);
	CHECK_EQ(hc(f, HC_KMAP_ATOMIC, pg, 0), kva);
	CHECK_EQ(pkmap_count(f, 1), 3);
	hc(f, HC_KUNMAP_ATOMIC, kva, 0);
	CHECK_EQ(pkmap_count(f, 1), 2);
	CHECK_EQ(f->mm.stats.local_flush_tlb_kernel_page.calls, 30);
	for (uint32_t i = 0; i < 15; i++)
		hc(f, HC_KMAP_ATOMIC, page_of(f, HIGH_PFN0 + 200 + i), 0);
	HC_STOPS(f, HC_KMAP_ATOMIC, page_of(f, HIGH_PFN0 + 300), 0, HC_STOP_BUG,
		 "BUG_ON(current->kmap_ctrl.idx >= KM_MAX_IDX): kmap_atomic nested 16 deep, KM_MAX_IDX is 16");
	shutdown(f);

	/* The policy refuses v5.10's KM_TYPE_NR on v6.6. */
	f = boot_kernel(NULL, "6.6", "linux");
	CHECK(policy_load_spec(f->ks, "linux,km_type_nr=20", err, sizeof(err)) == NULL);
	shutdown(f);

	/* DEBUG_KMAP_LOCAL: KM_MAX_IDX 33, KM_INCR 2 -- maps on the odd slots
	 * FIX_KMAP_BEGIN + 1, + 3, ... with an unmapped guard page between. */
	f = boot_kernel(NULL, "6.6,debug_kmap_local=1", "linux");
	for (uint32_t i = 0; i < 16; i++) {
		uint32_t va = hc(f, HC_KMAP_ATOMIC, page_of(f, HIGH_PFN0 + 100 + i), 0);
		CHECK_EQ(va, fix_virt(1 + 2 * i + 1));
		CHECK_EQ(translate(f, fix_virt(1 + 2 * i)), 0xffffffffu); /* the guard */
	}
	CHECK_EQ(guest_word(f, f->ks->kmap_atomic_idx), 32);
	HC_STOPS(f, HC_KMAP_LOCAL_PAGE, page_of(f, HIGH_PFN0 + 300), 0, HC_STOP_BUG,
		 "kmap_local_page nested 17 deep, KM_MAX_IDX is 33");
	shutdown(f);

	/* v5.10's kmap_atomic under the same calls leaves its PTE (flush on
	 * map only). */
	f = boot_kernel(NULL, "5.10", "linux");
	uint32_t va = hc(f, HC_KMAP_ATOMIC, page_of(f, HIGH_PFN0 + 100), 0);
	hc(f, HC_KUNMAP_ATOMIC, va, 0);
	CHECK_EQ(translate(f, va), (HIGH_PFN0 + 100) * 4096u);
	CHECK_EQ(f->mm.stats.local_flush_tlb_kernel_page.calls, 1);
	shutdown(f);
}

int main(void)
{
	test_layout_and_mem_map();
	test_page_allocator();
	test_kmap_basics();
	test_one_wrap();
	test_wrap_keeps_tlb_coherent();
	test_exhaustion();
	test_random_against_reference();
	test_kmap_atomic();
	test_fixmap();
	test_early_ioremap();
	test_kmap_local();
	test_bugs();
	test_dispatch_and_options();
	test_flush_primitives();
	test_flush_sequences();
	test_kernel_profiles();
	return check_done();
}
