/* SPDX-License-Identifier: MIT */
/* Unit tests of the Unicorn 2.0.1 workarounds in emu/uc_compat.{h,c}
 * (DESIGN.md, "Unicorn 2.0.1 — measured facts").  One group per workaround:
 *
 *   (a) uc_compat_open: the CPU model asked for (MIDR part number) and a
 *       4096-byte internal page size (2.0.1's page-size control is off by one).
 *   (b) uc_compat_map_va_window: Unicorn checks *virtual* addresses against
 *       its regions, so a VA the tables map but no region covers fails with
 *       UC_ERR_READ_UNMAPPED until a placeholder region is mapped over it;
 *       the placeholder's own bytes are never used.
 *   (c) uc_compat_flush_tlb_page / _all: a host write to a PTE does not flush
 *       QEMU's TLB, so the guest keeps reading the old page until the flush.
 *   (d) uc_compat_vtlb / uc_compat_hook_va: a memory hook learns the VA of
 *       each access, also where Unicorn (2.1) reports physical addresses,
 *       for two VAs of one physical page used in turn, and for a fault.
 *
 * (b) differs by version: 2.0.x checks VAs against regions, 2.1 checks
 * physical addresses only (a VA needs no placeholder).  The version is read
 * here with uc_version(), not from uc_compat.
 *
 * Guest code and descriptors are hand-assembled hex:
 *   ldr r1, [r0]   0xe5901000
 *   svc #0         0xef000000   (UC_HOOK_INTR, intno 2, stops the run)
 *   section        base | 0x400 (AP = 01) | 0x2
 *   page table     base | 0x1   (domain 0)
 *   small page     base | 0x10  (AP = 01) | 0x2
 *
 * Physical RAM (4 MiB at PA 0, uc_mem_map_ptr):
 *   0x00002000  DATA_B   word read through the 0xd0000000 section
 *   0x00004000  L1       16 KiB first-level table (TTBR0, N = 0)
 *   0x00005000  L2       1 KiB second-level table for VA 0xe0000000..0xe00fffff
 *   0x00008000  CODE     ldr r1, [r0]; svc #0   (VA 0xc0008000)
 *   0x00010000  P1       page 1 of test (c)
 *   0x00011000  P2       page 2 of test (c)
 *
 * VA map: 0xc0000000 section -> PA 0 (placeholder region from the start:
 * the code runs there), 0xd0000000 section -> PA 0 (no region until (b)
 * maps one), 0xe0000000 page table -> L2 (placeholder region). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicorn/unicorn.h>

#include "check.h"
#include "uc_compat.h"

#define RAM_SIZE 0x00400000u
#define DATA_B   0x00002000u
#define L1       0x00004000u
#define L2       0x00005000u
#define CODE     0x00008000u
#define P1       0x00010000u
#define P2       0x00011000u

#define VA_CODE  0xc0008000u
#define VA_B     0xd0002000u
#define VA_X     0xe0003124u /* page 3 of the 0xe0000000 MiB, offset 0x124 */
#define VA_Y     0xe0005000u /* another page in the same L2 table */

#define VAL_B     0x12345678u
#define VAL_DECOY 0xdeadbeefu
#define VAL_P1    0x11111111u
#define VAL_P2    0x22222222u

static const struct {
	const char *name;
	int model;
	uint32_t part; /* MIDR[15:4] */
} cpus[] = {
	{ "cortex-a7", UC_CPU_ARM_CORTEX_A7, 0xc07 },
	{ "cortex-a9", UC_CPU_ARM_CORTEX_A9, 0xc09 },
	{ "cortex-a15", UC_CPU_ARM_CORTEX_A15, 0xc0f },
	{ "arm1176", UC_CPU_ARM_1176, 0xb76 },
};

static uint8_t *ram;
static int last_intno;

static void w32(uint32_t pa, uint32_t v)
{
	memcpy(ram + pa, &v, 4);
}

static void on_intr(uc_engine *uc, uint32_t intno, void *arg)
{
	(void)arg;
	last_intno = (int)intno;
	uc_emu_stop(uc);
}

/* (a) */
static void test_open(void)
{
	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		uc_engine *uc = NULL;
		uc_err err = uc_compat_open(cpus[i].model, &uc);
		if (!CHECK_EQ(err, UC_ERR_OK)) {
			fprintf(stderr, "  uc_compat_open(%s): %s\n", cpus[i].name, uc_strerror(err));
			continue;
		}
		CHECK_EQ(uc_compat_page_size(uc), 4096);
		uint32_t midr = 0;
		CHECK_EQ(uc_compat_cp15_read(uc, 0, 0, 0, 0, &midr), UC_ERR_OK);
		if (!CHECK_EQ((midr >> 4) & 0xfff, cpus[i].part))
			fprintf(stderr, "  %s: MIDR 0x%08x\n", cpus[i].name, midr);
		CHECK_EQ(midr >> 24, 0x41); /* implementer: ARM */
		uc_close(uc);
	}
}

/* Opens an engine on `model` with the RAM and tables above, the MMU on. */
static uc_engine *machine(int model)
{
	uc_engine *uc = NULL;
	if (!CHECK_EQ(uc_compat_open(model, &uc), UC_ERR_OK))
		return NULL;
	memset(ram, 0, RAM_SIZE);
	w32(CODE, 0xe5901000u);     /* ldr r1, [r0] */
	w32(CODE + 4, 0xef000000u); /* svc #0 */
	w32(DATA_B, VAL_B);
	w32(P1 + 0x124, VAL_P1);
	w32(P2 + 0x124, VAL_P2);
	/* L1 index = VA >> 20, 4 bytes each. */
	w32(L1 + 0xc00 * 4, 0x00000402u); /* 0xc0000000: section PA 0, AP 01 */
	w32(L1 + 0xd00 * 4, 0x00000402u); /* 0xd0000000: section PA 0, AP 01 */
	w32(L1 + 0xe00 * 4, 0x00005001u); /* 0xe0000000: page table at 0x5000 */
	/* L2 index = VA[19:12]: page 3 of 0xe0000000 -> P1. */
	w32(L2 + 3 * 4, 0x00010012u);
	/* Page 5 (VA_Y) -> P2, so that flushing it is an ordinary page flush. */
	w32(L2 + 5 * 4, 0x00011012u);

	uc_err err = uc_mem_map_ptr(uc, 0, RAM_SIZE, UC_PROT_ALL, ram);
	if (!err)
		err = uc_compat_map_va_window(uc, 0xc0000000u, 0x00100000u);
	if (!err)
		err = uc_compat_map_va_window(uc, 0xe0000000u, 0x00100000u);
	uint32_t sctlr = 0;
	if (!err)
		err = uc_compat_cp15_write(uc, 2, 0, 0, 2, 0); /* TTBCR: N = 0 */
	if (!err)
		err = uc_compat_cp15_write(uc, 2, 0, 0, 0, L1); /* TTBR0 */
	if (!err)
		err = uc_compat_cp15_write(uc, 3, 0, 0, 0, 0x1u); /* DACR: domain 0 client */
	if (!err)
		err = uc_compat_cp15_read(uc, 1, 0, 0, 0, &sctlr);
	/* M, and XP (bit 23: ARMv6 uses the v6/v7 descriptor format only with
	 * it; RES1 on ARMv7); A cleared. */
	if (!err)
		err = uc_compat_cp15_write(uc, 1, 0, 0, 0, (sctlr | 1u | (1u << 23)) & ~(1u << 1));
	if (!err)
		err = uc_compat_flush_tlb_all(uc);
	uc_hook h;
	if (!err)
		err = uc_hook_add(uc, &h, UC_HOOK_INTR, (void *)on_intr, NULL, 1, 0);
	if (!CHECK_EQ(err, UC_ERR_OK)) {
		fprintf(stderr, "  machine setup: %s\n", uc_strerror(err));
		uc_close(uc);
		return NULL;
	}
	uint32_t check = 0;
	CHECK_EQ(uc_compat_cp15_read(uc, 1, 0, 0, 0, &check), UC_ERR_OK);
	CHECK_EQ(check & 1u, 1u);
	return uc;
}

/* Runs ldr r1, [r0] with r0 = va.  Returns Unicorn's verdict; *r1 gets r1. */
static uc_err guest_load(uc_engine *uc, uint32_t va, uint32_t *r1)
{
	uint32_t junk = 0x5a5a5a5au;
	uc_reg_write(uc, UC_ARM_REG_R0, &va);
	uc_reg_write(uc, UC_ARM_REG_R1, &junk);
	last_intno = -1;
	uc_err err = uc_emu_start(uc, VA_CODE, VA_CODE + 8, 0, 10);
	uc_reg_read(uc, UC_ARM_REG_R1, r1);
	return err;
}

/* (b) */
static void test_va_window(const char *name, int model)
{
	uc_engine *uc = machine(model);
	if (!uc)
		return;
	unsigned major, minor;
	uc_version(&major, &minor);
	bool va_checked = major == 2 && minor == 0;
	uint32_t r1 = 0;
	uc_err err = guest_load(uc, VA_B, &r1);
	if (!CHECK_EQ(err, va_checked ? UC_ERR_READ_UNMAPPED : UC_ERR_OK))
		fprintf(stderr, "  %s: load from unplaced VA: %s\n", name, uc_strerror(err));
	if (!va_checked)
		CHECK_EQ(r1, VAL_B);

	CHECK_EQ(uc_compat_map_va_window(uc, 0xd0000000u, 0x00100000u), UC_ERR_OK);
	/* The placeholder's bytes (uc_mem_write takes the region's address)
	 * must not be what the guest sees: the MMU sends it to PA 0x2000.
	 * On 2.1 there is no placeholder: the address is unmapped. */
	uint32_t decoy = VAL_DECOY;
	CHECK_EQ(uc_mem_write(uc, VA_B, &decoy, 4), va_checked ? UC_ERR_OK : UC_ERR_WRITE_UNMAPPED);
	CHECK_EQ(uc_compat_flush_tlb_all(uc), UC_ERR_OK);
	err = guest_load(uc, VA_B, &r1);
	if (!CHECK_EQ(err, UC_ERR_OK))
		fprintf(stderr, "  %s: load after map_va_window: %s\n", name, uc_strerror(err));
	CHECK_EQ(r1, VAL_B);
	CHECK_EQ(last_intno, 2);
	uc_close(uc);
}

/* (c) */
static void test_flush(const char *name, int model)
{
	uc_engine *uc = machine(model);
	if (!uc)
		return;
	uint32_t r1 = 0;
	if (!CHECK_EQ(guest_load(uc, VA_X, &r1), UC_ERR_OK))
		fprintf(stderr, "  %s: first load failed\n", name);
	CHECK_EQ(r1, VAL_P1);
	CHECK_EQ(last_intno, 2);

	/* Host rewrites the PTE: X -> P2.  No flush: QEMU still has P1. */
	w32(L2 + 3 * 4, 0x00011012u);
	CHECK_EQ(guest_load(uc, VA_X, &r1), UC_ERR_OK);
	CHECK_EQ(r1, VAL_P1);
	/* Flushing a different 4 KiB page leaves X's entry alone (with 1 KiB
	 * internal pages every page flush would drop the whole TLB). */
	CHECK_EQ(uc_compat_flush_tlb_page(uc, VA_Y), UC_ERR_OK);
	CHECK_EQ(guest_load(uc, VA_X, &r1), UC_ERR_OK);
	CHECK_EQ(r1, VAL_P1);
	/* TLBIMVA of X (any offset in the page): P2. */
	CHECK_EQ(uc_compat_flush_tlb_page(uc, VA_X), UC_ERR_OK);
	CHECK_EQ(guest_load(uc, VA_X, &r1), UC_ERR_OK);
	if (!CHECK_EQ(r1, VAL_P2))
		fprintf(stderr, "  %s: flush_tlb_page did not drop X\n", name);

	/* Back to P1: stale until TLBIALL. */
	w32(L2 + 3 * 4, 0x00010012u);
	CHECK_EQ(guest_load(uc, VA_X, &r1), UC_ERR_OK);
	CHECK_EQ(r1, VAL_P2);
	CHECK_EQ(uc_compat_flush_tlb_all(uc), UC_ERR_OK);
	CHECK_EQ(guest_load(uc, VA_X, &r1), UC_ERR_OK);
	if (!CHECK_EQ(r1, VAL_P1))
		fprintf(stderr, "  %s: flush_tlb_all did not drop X\n", name);
	uc_close(uc);
}

/* (d) The translation the vtlb asks for (2.1 only): the two sections of
 * the tables above, read and write, no execute outside 0xc0000000; the
 * 0xe0000000 MiB is left untranslated (a fault). */
static bool test_translate(void *arg, uint32_t va, uc_mem_type type, uint32_t *pa, uint32_t *prot)
{
	(void)arg;
	if (va >> 20 != 0xc00 && va >> 20 != 0xd00)
		return false;
	*pa = va & 0xfffffu;
	*prot = UC_PROT_READ | UC_PROT_WRITE | (va >> 20 == 0xc00 ? UC_PROT_EXEC : 0);
	return type != UC_MEM_FETCH || va >> 20 == 0xc00;
}

struct seen {
	const struct uc_compat_vtlb *v;
	uint32_t va;
	int n;
};

static void on_read(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void *arg)
{
	(void)uc;
	(void)type;
	(void)size;
	(void)value;
	struct seen *s = arg;
	s->va = uc_compat_hook_va(s->v, addr);
	s->n++;
}

static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void *arg)
{
	on_read(uc, type, addr, size, value, arg);
	return false;
}

static void test_hook_va(const char *name, int model)
{
	uc_engine *uc = machine(model);
	if (!uc)
		return;
	uc_err err;
	struct seen seen = { 0 }, fault = { 0 };
	seen.v = fault.v = uc_compat_vtlb_install(uc, 0, RAM_SIZE, test_translate, NULL, &err);
	CHECK_EQ(err, UC_ERR_OK);
	CHECK_EQ(uc_compat_map_va_window(uc, 0xd0000000u, 0x00100000u), UC_ERR_OK);
	uc_hook h;
	CHECK_EQ(uc_hook_add(uc, &h, UC_HOOK_MEM_READ, (void *)on_read, &seen, 1, 0), UC_ERR_OK);
	CHECK_EQ(uc_hook_add(uc, &h, UC_HOOK_MEM_READ_UNMAPPED, (void *)on_unmapped, &fault, 1, 0), UC_ERR_OK);
	/* PA 0x2000 through its two VAs, in turn, twice. */
	static const uint32_t vas[] = { VA_B + 8, 0xc0002000u + 8, VA_B + 12, 0xc0002000u + 4 };
	for (size_t i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		uint32_t r1 = 0;
		CHECK_EQ(guest_load(uc, vas[i], &r1), UC_ERR_OK);
		if (!CHECK_EQ(seen.va, vas[i]))
			fprintf(stderr, "  %s: load %zu: hook VA 0x%08x\n", name, i, seen.va);
		CHECK_EQ(seen.n, (int)i + 1);
	}
	/* The 0xe0000000 MiB: 2.0 walks the real tables (page 3 -> P1), the
	 * vtlb's translation has no entry there (a fault at the exact VA). */
	uint32_t r1 = 0;
	err = guest_load(uc, VA_X, &r1);
	if (seen.v) {
		CHECK_EQ(err, UC_ERR_READ_UNMAPPED);
		CHECK_EQ(fault.n, 1);
		CHECK_EQ(fault.va, VA_X);
	} else {
		CHECK_EQ(err, UC_ERR_OK);
		CHECK_EQ(seen.va, VA_X);
		CHECK_EQ(r1, VAL_P1);
	}
	uc_close(uc);
	uc_compat_vtlb_free((struct uc_compat_vtlb *)seen.v);
}

int main(void)
{
	ram = aligned_alloc(4096, RAM_SIZE);
	if (!ram)
		return 1;
	test_open();
	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		test_va_window(cpus[i].name, cpus[i].model);
		test_flush(cpus[i].name, cpus[i].model);
		test_hook_va(cpus[i].name, cpus[i].model);
	}
	free(ram);
	return check_done();
}
