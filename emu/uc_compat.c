/* SPDX-License-Identifier: MIT */
#include "uc_compat.h"

#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KMAPLAB_LSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define KMAPLAB_LSAN 1
#endif
#ifdef KMAPLAB_LSAN
#include <sanitizer/lsan_interface.h>
#endif

/* Unicorn 2.1 headers name the virtual TLB mode and its fill hook. */
#if UC_API_MAJOR > 2 || (UC_API_MAJOR == 2 && UC_API_MINOR >= 1)
#define HAVE_UC_VTLB 1
#else
#define HAVE_UC_VTLB 0
#endif

static bool runtime_is_2_0(void)
{
	unsigned major, minor;
	uc_version(&major, &minor);
	return major == 2 && minor == 0;
}

bool uc_compat_regions_are_virtual(void)
{
	return runtime_is_2_0();
}

/* UC_CTL_UC_PAGE_SIZE counts one bit too many in 2.0.x and 2.1.0-2.1.1
 * (uc.c: `while (page_size) bits++`, later `while (page_size > 1)`), so
 * there 2048 asks for 4096.  uc_version() gives only major and minor, and
 * a Unicorn built from a branch may carry either loop: guess from the
 * version, read the size back, and retry with the other value if wrong. */
static uint32_t page_size_request_guess(void)
{
	unsigned major, minor;
	uc_version(&major, &minor);
	bool counts_extra_bit = major == 2 && (minor == 0 || (minor == 1 && UC_API_PATCH <= 1));
	return counts_extra_bit ? 2048 : 4096;
}

static uc_err open_with_page_size(int cpu_model, uint32_t request, uc_engine **out)
{
	uc_engine *uc;
	uc_err err = uc_open(UC_ARCH_ARM, UC_MODE_ARM, &uc);
	if (err)
		return err;
	/* The CPU model first: reading any engine state (the page size too)
	 * initialises the engine, after which neither setting is taken. */
	err = uc_ctl_set_cpu_model(uc, cpu_model);
	if (!err)
		err = uc_ctl_set_page_size(uc, request);
	if (err) {
		uc_close(uc);
		return err;
	}
	*out = uc;
	return UC_ERR_OK;
}

uc_err uc_compat_open(int cpu_model, uc_engine **out)
{
	uint32_t request = page_size_request_guess();
	for (int attempt = 0; attempt < 2; attempt++) {
		uc_engine *uc;
		uc_err err = open_with_page_size(cpu_model, request, &uc);
		if (err)
			return err;
		uint32_t got = uc_compat_init_engine(uc);
		if (got == 4096) {
			*out = uc;
			return UC_ERR_OK;
		}
		uc_close(uc);
		if (got != 2 * request && got != request / 2)
			break;
		request = request == 2048 ? 4096 : 2048;
	}
	return UC_ERR_ARG;
}

/* 2.0.1's UC_CTL_READ shifts the int 2 left by 30, a signed overflow that
 * UBSan reports: the same control word, computed unsigned. */
#define COMPAT_CTL_READ(type, nr) \
	((uc_control_type)((unsigned)(type) | ((unsigned)(nr) << 26) | (2u << 30)))

uint32_t uc_compat_page_size(uc_engine *uc)
{
	uint32_t ps = 0;
	if (uc_ctl(uc, COMPAT_CTL_READ(UC_CTL_UC_PAGE_SIZE, 1), &ps) != UC_ERR_OK)
		return 0;
	return ps;
}

/* Unicorn 2.1.1 leaks one 32-byte block per engine in the lazy
 * initialisation that the first read of engine state runs (uc_open, one
 * UC_CTL_UC_PAGE_SIZE read and uc_close reproduce it, with no kmaplab
 * code involved).  Under AddressSanitizer that initialisation runs with
 * LeakSanitizer's recording off, so the block is not reported.  A
 * suppression file did the same before, but matching it symbolised the
 * leak's stack from the debug information at the exit of every process,
 * 0.2 s each.  On 2.0.x, which does not leak, everything stays checked. */
uint32_t uc_compat_init_engine(uc_engine *uc)
{
#ifdef KMAPLAB_LSAN
	bool ignore = !runtime_is_2_0();
	if (ignore)
		__lsan_disable();
#endif
	uint32_t ps = uc_compat_page_size(uc);
#ifdef KMAPLAB_LSAN
	if (ignore)
		__lsan_enable();
#endif
	return ps;
}

uc_err uc_compat_cp15_write(uc_engine *uc, unsigned crn, unsigned crm, unsigned opc1,
			    unsigned opc2, uint32_t val)
{
	uc_arm_cp_reg r = { .cp = 15, .sec = 0, .crn = crn, .crm = crm, .opc1 = opc1, .opc2 = opc2, .val = val };
	return uc_reg_write(uc, UC_ARM_REG_CP_REG, &r);
}

uc_err uc_compat_cp15_read(uc_engine *uc, unsigned crn, unsigned crm, unsigned opc1,
			   unsigned opc2, uint32_t *val)
{
	uc_arm_cp_reg r = { .cp = 15, .sec = 0, .crn = crn, .crm = crm, .opc1 = opc1, .opc2 = opc2 };
	uc_err err = uc_reg_read(uc, UC_ARM_REG_CP_REG, &r);
	*val = (uint32_t)r.val;
	return err;
}

uc_err uc_compat_flush_tlb_all(uc_engine *uc)
{
	return uc_compat_cp15_write(uc, 8, 7, 0, 0, 0); /* TLBIALL */
}

uc_err uc_compat_flush_tlb_page(uc_engine *uc, uint32_t va)
{
	/* TLBIMVA: QEMU flushes the page for every ASID (its TLB is not
	 * ASID-tagged), and unlike TLBIMVAA it exists on ARMv6 too. */
	return uc_compat_cp15_write(uc, 8, 7, 0, 1, va & ~0xfffu);
}

uc_err uc_compat_flush_code(uc_engine *uc)
{
#ifdef uc_ctl_flush_tb
	return uc_ctl_flush_tb(uc);
#else
	return uc_ctl_flush_tlb(uc);
#endif
}

uc_err uc_compat_map_va_window(uc_engine *uc, uint32_t va, uint32_t size)
{
	if (!uc_compat_regions_are_virtual())
		return UC_ERR_OK; /* 2.1: regions are physical, nothing to place */
	return uc_mem_map(uc, va, size, UC_PROT_ALL);
}

struct uc_compat_vtlb {
	struct uc_compat_vtlb_hot hot; /* first: uc_compat_hook_va() reads it */
	uc_engine *uc;
	uc_compat_translate_fn translate;
	void *arg;
	uint32_t ram_base, ram_pages;
	uint32_t *va_of_pfn;     /* VA page | epoch tag | 1 that QEMU may hold for a RAM page, 0: none */
	/* Whole flushes of QEMU's TLB made through uc_compat_vtlb_flush_all();
	 * a record tagged with another epoch than the current (bits 1-11) is
	 * one QEMU cannot hold any more. */
	uint32_t epoch;
	uint32_t last_va, last_pa; /* the latest fill (an access outside RAM) */
	uint8_t *ram;              /* the host's RAM, for the alias (uc_compat_vtlb_alias) */
	uc_compat_alias_fn alias;
	void *alias_arg;
	/* The VA pages of RAM QEMU was given since they were last dropped,
	 * a bit per page for each 1 MiB of VA (valid while its bit in
	 * `sections` is set): a section leaving the micro TLB drops just
	 * these, not a look at each of its 256 pages (vtlb_forget_section). */
	uint64_t (*filled)[4];
	uint64_t sections[4096 / 64];
};

#define VTLB_TRAP (1ull << 32)
/* The per-access alias of RAM (uc_compat_vtlb_alias): an I/O region at
 * 8 GiB, above the traps; ARM's physical space in QEMU is 40 bits. */
#define VTLB_ALIAS (1ull << 33)

uint32_t uc_compat_hook_va_slow(const struct uc_compat_vtlb *v, uint64_t addr)
{
	if (addr & VTLB_TRAP)
		return (uint32_t)addr;
	struct uc_compat_vtlb_hot *hot = (struct uc_compat_vtlb_hot *)&v->hot;
	uint32_t pa = (uint32_t)addr, off = pa & 0xfffu;
	uint32_t pfn = (pa - v->ram_base) >> 12;
	if (pa >= v->ram_base && pfn < v->ram_pages && v->va_of_pfn[pfn]) {
		hot->pa_page = pa & ~0xfffu;
		hot->va_page = v->va_of_pfn[pfn] & ~0xfffu;
		return hot->va_page | off;
	}
	if ((pa & ~0xfffu) == v->last_pa)
		return v->last_va | off;
	return pa; /* no fill names it: cannot happen while every fill passes here */
}

/* The VA page `va` QEMU held at `pa`: no longer (va_of_pfn). */
static void vtlb_unrecord(struct uc_compat_vtlb *v, uint32_t va, uint32_t pa)
{
	uint32_t pfn = (pa - v->ram_base) >> 12;
	if (pa < v->ram_base || pfn >= v->ram_pages || (v->va_of_pfn[pfn] & ~0xfffu) != va ||
	    !v->va_of_pfn[pfn])
		return;
	v->va_of_pfn[pfn] = 0;
	if (v->hot.pa_page == (pa & ~0xfffu))
		v->hot.pa_page = 1;
}

/* Drops from QEMU's TLB the pages of the 1 MiB of VA at `va` (mapped at
 * `pa`) that it was given; past `max` of them one whole flush.  Returns
 * false if it flushed everything. */
static bool vtlb_forget_section(struct uc_compat_vtlb *v, uint32_t va, uint32_t pa, unsigned max)
{
	uint32_t s = va >> 20;
	if (!(v->sections[s / 64] >> (s % 64) & 1))
		return true;
	v->sections[s / 64] &= ~(1ull << (s % 64));
	unsigned held = 0;
	for (unsigned w = 0; w < 4 && max < 256; w++)
		held += (unsigned)__builtin_popcountll(v->filled[s][w]);
	if (held > max) {
		uc_compat_vtlb_flush_all(v, v->uc);
		return false;
	}
	for (unsigned w = 0; w < 4; w++)
		for (uint64_t bits = v->filled[s][w]; bits; bits &= bits - 1) {
			uint32_t off = (w * 64 + (unsigned)__builtin_ctzll(bits)) << 12;
			uc_compat_flush_tlb_page(v->uc, va + off);
			vtlb_unrecord(v, va + off, pa + off);
		}
	return true;
}

#if HAVE_UC_VTLB
static inline uint32_t vtlb_epoch_tag(const struct uc_compat_vtlb *v)
{
	return (v->epoch & 0x7ffu) << 1;
}

static void vtlb_note_filled(struct uc_compat_vtlb *v, uint32_t va)
{
	uint32_t s = va >> 20, page = (va >> 12) & 0xffu;
	if (!(v->sections[s / 64] >> (s % 64) & 1)) {
		v->sections[s / 64] |= 1ull << (s % 64);
		memset(v->filled[s], 0, sizeof(v->filled[s]));
	}
	v->filled[s][page / 64] |= 1ull << (page % 64);
}

/* QEMU's fill for one page.  An older VA of the same physical page is
 * dropped from QEMU's TLB first, so the page has one VA there.  A page the
 * guest may not access this way is sent to a physical address above 4 GiB
 * that no region holds: the access then reaches the *_UNMAPPED hooks with
 * its exact address (the fill only sees the page), VA = low 32 bits. */
static bool vtlb_fill(uc_engine *uc, uint64_t addr, uc_mem_type type, uc_tlb_entry *e, void *arg)
{
	(void)uc;
	struct uc_compat_vtlb *v = arg;
	uint32_t va = (uint32_t)addr & ~0xfffu, pa, prot;
	if (!v->translate(v->arg, (uint32_t)addr, type, &pa, &prot)) {
		vtlb_note_filled(v, va);
		e->paddr = VTLB_TRAP | va;
		e->perms = UC_PROT_ALL;
		return true;
	}
	pa &= ~0xfffu;
	uint32_t pfn = (pa - v->ram_base) >> 12;
	bool alias = (prot & UC_COMPAT_PROT_ALIAS) && v->alias && pa >= v->ram_base && pfn < v->ram_pages;
	prot &= UC_PROT_ALL;
	if (pa >= v->ram_base && pfn < v->ram_pages) {
		uint32_t old = v->va_of_pfn[pfn];
		/* Not if QEMU's whole TLB was flushed since: with several CPUs
		 * a pkmap page comes back at another VA on every pass. */
		if (old && (old & ~0xfffu) != va && (old & 0xffeu) == vtlb_epoch_tag(v))
			uc_compat_flush_tlb_page(v->uc, old & ~0xfffu);
		v->va_of_pfn[pfn] = va | vtlb_epoch_tag(v) | 1;
		if (v->hot.pa_page == pa)
			v->hot.va_page = va;
	}
	/* Outside RAM too: uc_compat_vtlb_flush_mib() drops every page. */
	vtlb_note_filled(v, va);
	v->last_va = va;
	v->last_pa = pa;
	/* QEMU cannot run code from an I/O region: the alias is data only. */
	e->paddr = alias ? VTLB_ALIAS + (pa - v->ram_base) : pa;
	e->perms = alias ? prot & ~(uint32_t)UC_PROT_EXEC : prot;
	return true;
}

/* The alias: every access QEMU makes through it arrives here, one call per
 * access, with its physical offset in RAM; the page has one VA (the fill
 * keeps QEMU's TLB alias-free), so the VA is exact too. */
static uint32_t alias_va(const struct uc_compat_vtlb *v, uint64_t off)
{
	return (v->va_of_pfn[off >> 12] & ~0xfffu) | (uint32_t)(off & 0xfff);
}

/* memcpy with a size known at compile time per case: no library call on
 * a path every aliased access takes. */
static inline void copy_small(void *dst, const void *src, unsigned size)
{
	switch (size) {
	case 1: memcpy(dst, src, 1); break;
	case 2: memcpy(dst, src, 2); break;
	case 4: memcpy(dst, src, 4); break;
	case 8: memcpy(dst, src, 8); break;
	default: memcpy(dst, src, size); break;
	}
}

static uint64_t alias_read(uc_engine *uc, uint64_t off, unsigned size, void *arg)
{
	(void)uc;
	struct uc_compat_vtlb *v = arg;
	uint64_t val = 0;
	if (off + size > (uint64_t)v->ram_pages << 12)
		return 0;
	v->alias(v->alias_arg, alias_va(v, off), v->ram_base + (uint32_t)off, size, false, 0);
	copy_small(&val, v->ram + off, size); /* little-endian guest and host */
	return val;
}

static void alias_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t val, void *arg)
{
	(void)uc;
	struct uc_compat_vtlb *v = arg;
	if (off + size > (uint64_t)v->ram_pages << 12)
		return;
	/* Before memory changes, as Unicorn's write hooks are called. */
	v->alias(v->alias_arg, alias_va(v, off), v->ram_base + (uint32_t)off, size, true, val);
	copy_small(v->ram + off, &val, size);
}
#endif

uc_err uc_compat_vtlb_alias(struct uc_compat_vtlb *v, uint8_t *ram, uc_compat_alias_fn fn, void *arg)
{
#if HAVE_UC_VTLB
	v->ram = ram;
	v->alias = fn;
	v->alias_arg = arg;
	return uc_mmio_map(v->uc, VTLB_ALIAS, (size_t)v->ram_pages << 12, alias_read, v, alias_write, v);
#else
	(void)v;
	(void)ram;
	(void)fn;
	(void)arg;
	return UC_ERR_VERSION;
#endif
}

#ifndef FLUSH_PAGES_MAX
#define FLUSH_PAGES_MAX 256
#endif

uc_err uc_compat_vtlb_flush_all(struct uc_compat_vtlb *v, uc_engine *uc)
{
	if (!v)
		return uc_compat_flush_tlb_all(uc);
	v->epoch++;
	memset(v->sections, 0, sizeof(v->sections));
	return uc_compat_flush_tlb_all(v->uc);
}

void uc_compat_vtlb_flush_mib(struct uc_compat_vtlb *v, uint32_t mib)
{
	uint32_t s = mib & 0xfffu;
	if (!v || !(v->sections[s / 64] >> (s % 64) & 1))
		return; /* nothing filled there since it was last dropped */
	v->sections[s / 64] &= ~(1ull << (s % 64));
	/* The va_of_pfn records stay: one QEMU no longer holds costs at most
	 * one needless page flush when its page is filled at another VA. */
	for (unsigned w = 0; w < 4; w++)
		for (uint64_t bits = v->filled[s][w]; bits; bits &= bits - 1)
			uc_compat_flush_tlb_page(v->uc, s << 20 | (w * 64 + (unsigned)__builtin_ctzll(bits)) << 12);
}

void uc_compat_vtlb_flush_range(struct uc_compat_vtlb *v, uint32_t va, uint32_t pa, uint32_t size)
{
	if (!size) {
		uc_compat_vtlb_flush_all(v, v->uc);
		return;
	}
	if (size <= 16 * 4096u || pa < v->ram_base || pa - v->ram_base + (uint64_t)size > (uint64_t)v->ram_pages << 12) {
		if (size > 16 * 4096u) {
			uc_compat_vtlb_flush_all(v, v->uc);
			return;
		}
		for (uint32_t off = 0; off < size; off += 4096)
			uc_compat_flush_tlb_page(v->uc, va + off);
		return;
	}
	/* A section or supersection in RAM: only the pages QEMU was given
	 * (the `filled` bits of its 1 MiB pieces); past FLUSH_PAGES_MAX of
	 * them in one piece one whole flush (QEMU's page flush also clears
	 * the page's jump cache). */
	for (uint32_t off = 0; off < size; off += 1u << 20)
		if (!vtlb_forget_section(v, va + off, pa + off, FLUSH_PAGES_MAX))
			return;
}

struct uc_compat_vtlb *uc_compat_vtlb_install(uc_engine *uc, uint32_t ram_base, uint32_t ram_size,
					      uc_compat_translate_fn translate, void *arg, uc_err *err)
{
	*err = UC_ERR_OK;
	if (runtime_is_2_0())
		return NULL;
#if HAVE_UC_VTLB
	struct uc_compat_vtlb *v = calloc(1, sizeof(*v));
	if (v)
		v->va_of_pfn = calloc(ram_size >> 12, sizeof(*v->va_of_pfn));
	if (v)
		v->filled = calloc(4096, sizeof(*v->filled));
	if (!v || !v->va_of_pfn || !v->filled) {
		if (v)
			free(v->va_of_pfn);
		free(v);
		*err = UC_ERR_NOMEM;
		return NULL;
	}
	v->uc = uc;
	v->translate = translate;
	v->arg = arg;
	v->ram_base = ram_base;
	v->ram_pages = ram_size >> 12;
	v->last_pa = 1; /* matches no page */
	v->hot.pa_page = 1;
	uc_hook h;
	*err = uc_ctl_tlb_mode(uc, UC_TLB_VIRTUAL);
	if (!*err)
		*err = uc_hook_add(uc, &h, UC_HOOK_TLB_FILL, vtlb_fill, v, 1, 0);
	if (*err) {
		uc_compat_vtlb_free(v);
		return NULL;
	}
	return v;
#else
	/* Built against 2.0 headers but running on a later library. */
	(void)uc;
	(void)ram_base;
	(void)ram_size;
	(void)translate;
	(void)arg;
	*err = UC_ERR_VERSION;
	return NULL;
#endif
}

void uc_compat_vtlb_free(struct uc_compat_vtlb *v)
{
	if (!v)
		return;
	free(v->va_of_pfn);
	free(v->filled);
	free(v);
}
