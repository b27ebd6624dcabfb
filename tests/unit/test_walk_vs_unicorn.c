/* SPDX-License-Identifier: MIT */
/* Differential test of the short-descriptor walker (mm/mmu.c: mmu_walk +
 * mmu_check) against Unicorn's own ARM MMU (QEMU's get_phys_addr_v6), as
 * DESIGN.md "Testing" asks: random page tables in guest memory, a real guest
 * load through QEMU's MMU and the model's walk must name the same physical
 * page, or both must fault.
 *
 * Physical RAM: 64 MiB at PA 0 (uc_mem_map_ptr over a host buffer, which the
 * model reads as its struct phys_mem):
 *
 *   0x00000000  code MiB   VA == PA through L1[0] (a fixed section); the
 *                          code at 0x8000 is  ldr r1, [r0] ; svc #0
 *                          and at 0x8010      str r2, [r0] ; svc #0
 *   0x00100000  L1 area    128 KiB of random descriptors; the live tables
 *                          sit inside it, so an L1 read at a wrongly masked
 *                          or indexed address finds a different (valid)
 *                          random descriptor instead of zero:
 *                            TT0_N0 0x00100000  16 KiB, TTBR0 with N = 0
 *                            TT1    0x00110000  16 KiB, TTBR1 with N > 0
 *                            TT0_N1 0x0010a000   8 KiB, TTBR0 with N = 1
 *                                   (8 KiB aligned, not 16)
 *                            TT0_N2 0x0010d000   4 KiB, TTBR0 with N = 2
 *                                   (bit 12 set)
 *   0x00200000  L2 pool    512 second-level tables of 1 KiB each
 *   0x01000000  data       48 MiB of tagged pages: every 32-bit word holds
 *                          its own physical address, so the value a load
 *                          returns names the PA QEMU translated to
 *
 * Every leaf (section, supersection, large and small page) maps into the data
 * region, so tables and code are never targets.  TTBRn carry random walk
 * attribute bits in [6:0] that both walkers must ignore.
 *
 * Probed VAs: any word-aligned VA from 1 MiB up (L1 entry 0 is the code).
 * Unicorn checks *virtual* addresses against its regions, so placeholder
 * windows cover [64 MiB, 4 GiB) (VAs below 64 MiB fall in the RAM region);
 * the windows are never touched, so they cost no host memory.
 *
 * Per probe: r0 = VA, run from the code; UC_HOOK_INTR stops on svc (intno 2)
 * or on a data abort (intno 4).  Two thirds of the probes are privileged
 * loads (r1 = loaded word), one third privileged stores of a marker (r2, not
 * a possible tag), looked for in RAM afterwards and then overwritten with the
 * tag again.  The model (mmu_walk, then mmu_check for MMU_READ or MMU_WRITE,
 * privileged) must give MMU_OK with mmu_pa() the word QEMU loaded or stored
 * exactly when QEMU did the access, and a translation, domain or permission
 * fault exactly when QEMU aborted.
 *
 * The fault *kind* is not visible (aborts never reach the guest's vectors, so
 * QEMU never writes DFSR), so the DACR of each round is one of: random (per
 * domain no access, reserved, client or manager), all manager (every VA the
 * model calls a domain or permission fault must now load: only translation
 * faults remain) and all client (no domain faults: AP alone decides).
 *
 * Profiles: TTBCR.N = 0, 1, 2 (N > 0: separate TTBR0 and TTBR1 tables), each
 * with several rounds of fresh tables and DACR.  Deterministic: the seed is
 * printed; KMAPLAB_SEED=<n> in the environment (or argv[1]) replays a run.
 *
 * Deliberately not generated:
 *  - L1 type 0b11.  Reserved in ARMv7 without the PXN extension, and the model
 *    faults on it; but a core with LPAE (Cortex-A7 here; QEMU sets PXN with
 *    LPAE) reads it as a section with PXN set, so the two would (rightly)
 *    disagree about a case the model documents as not modelled.
 *  - Supersections with extended base address bits (PA[39:32] != 0): the
 *    model's PAs are 32 bits and it faults on them by design.
 *  - NS bits (section bit 19, page-table bit 3): the CPU runs secure and the
 *    model has one physical address space.
 *  - SCTLR.AFE and SCTLR.TRE are cleared: the model checks as with AFE == 0
 *    and no TEX remap.
 * Memory-type bits (TEX, C, B, S), nG, XN, PXN (page-table bit 2) and the
 * IMPLEMENTATION DEFINED bit 9 are random: neither walker may let them
 * change where a privileged read goes or whether it is allowed.
 *
 * Known, tolerated difference in fault *kind* (both abort, which is what
 * is compared): QEMU checks the domain of a page-table L1 entry before
 * reading the L2 descriptor, so an L2 fault in a no-access domain is a domain
 * fault there; ARM ARM B3.13.3 (TranslationTableWalkSD) raises the L2
 * translation fault first, and the model follows the ARM ARM.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicorn/unicorn.h>

#include "check.h"
#include "mmu.h"
#include "uc_compat.h"

#define RAM_SIZE  0x04000000u /* 64 MiB */
#define CODE      0x00008000u
#define L1_AREA   0x00100000u
#define L1_AREA_SZ 0x00020000u
#define TT0_N0    0x00100000u
#define TT0_N1    0x0010a000u
#define TT0_N2    0x0010d000u
#define TT1       0x00110000u
#define L2_POOL   0x00200000u
#define L2_COUNT  512u
#define DATA      0x01000000u
#define DATA_END  RAM_SIZE

#define VA_FIRST  0x00100000u /* first probed VA: L1[0] is the code MiB */

#define SZ_64K 0x00010000u
#define SZ_1M  0x00100000u
#define SZ_16M 0x01000000u

#define ROUNDS_PER_PROFILE 9
#define PROBES_PER_ROUND   3000
#define MAX_REPORTS        20

/* Hand-assembled ARM. */
#define INSN_LDR_R1_R0 0xe5901000u /* ldr r1, [r0] */
#define INSN_STR_R2_R0 0xe5802000u /* str r2, [r0] */
#define INSN_SVC_0     0xef000000u /* svc #0 */
#define CODE_LOAD      CODE
#define CODE_STORE     (CODE + 0x10u)

/* Unicorn's intno for ARM exceptions (QEMU's EXCP_*). */
#define INTNO_SWI        2
#define INTNO_DATA_ABORT 4

/* The code section's domain; its DACR field is forced to client or manager. */
#define CODE_DOMAIN 15u

static uint8_t *ram;
static struct phys_mem mem;

/* ---- PRNG: splitmix64, deterministic across hosts ---------------------- */

static uint64_t rng_state;

static uint64_t rng64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rng32(void)
{
	return (uint32_t)(rng64() >> 32);
}

/* Uniform in [0, n), n > 0. */
static uint32_t rng_below(uint32_t n)
{
	return (uint32_t)(((uint64_t)rng32() * n) >> 32);
}

static bool rng_bit(void)
{
	return rng32() & 1u;
}

/* ---- descriptors, hand-built from ARM ARM B3.5.1 ----------------------- */

static void w32(uint32_t pa, uint32_t v)
{
	phys_write32(&mem, pa, v);
}

/* APX:AP as 3 bits -> section bits AP[1:0] = [11:10], APX = 15. */
static uint32_t sect_ap_bits(uint32_t ap)
{
	return (ap & 3u) << 10 | ((ap & 4u) ? 1u << 15 : 0);
}

/* Page (small or large): AP[1:0] = [5:4], APX = 9. */
static uint32_t page_ap_bits(uint32_t ap)
{
	return (ap & 3u) << 4 | ((ap & 4u) ? 1u << 9 : 0);
}

/* Bits that must not change a privileged read's translation or permission:
 * B (2), C (3), XN (4), IMP DEF (9), TEX (14:12), S (16), nG (17). */
static uint32_t sect_noise(void)
{
	return rng32() & ((1u << 2) | (1u << 3) | (1u << 4) | (1u << 9) | (7u << 12) |
			  (1u << 16) | (1u << 17));
}

static uint32_t rand_data_pa(uint32_t align)
{
	uint32_t slots = (DATA_END - DATA) / align;
	return DATA + rng_below(slots) * align;
}

/* Section: type 0b10, bit 18 clear, domain [8:5]. */
static uint32_t rand_section(void)
{
	return rand_data_pa(SZ_1M) | sect_ap_bits(rng_below(8)) | rng_below(16) << 5 |
	       sect_noise() | 0x2u;
}

/* Supersection: bit 18 set; base PA[31:24]; extended base [23:20] and [8:5]
 * left zero (see the header). */
static uint32_t rand_supersection(void)
{
	return rand_data_pa(SZ_16M) | 1u << 18 | sect_ap_bits(rng_below(8)) | sect_noise() |
	       0x2u;
}

/* Page table: type 0b01, L2 base [31:10], PXN (2) random, NS (3) clear,
 * domain [8:5], bit 9 random. */
static uint32_t rand_page_table(void)
{
	uint32_t l2 = L2_POOL + rng_below(L2_COUNT) * 0x400u;
	return l2 | rng_below(16) << 5 | (rng32() & ((1u << 2) | (1u << 9))) | 0x1u;
}

/* Small page: bit 1 set, bit 0 XN; B, C, TEX [8:6], S (10), nG (11). */
static uint32_t rand_small(void)
{
	uint32_t noise = rng32() & (1u | (1u << 2) | (1u << 3) | (7u << 6) | (1u << 10) | (1u << 11));
	return rand_data_pa(0x1000u) | page_ap_bits(rng_below(8)) | noise | 0x2u;
}

/* Large page: type 0b01; B, C, S (10), nG (11), TEX [14:12], XN (15). */
static uint32_t rand_large(void)
{
	uint32_t noise = rng32() & ((1u << 2) | (1u << 3) | (1u << 10) | (1u << 11) | (7u << 12) |
				    (1u << 15));
	return rand_data_pa(SZ_64K) | page_ap_bits(rng_below(8)) | noise | 0x1u;
}

/* A fault descriptor: type 0b00, the other bits are ignored (random). */
static uint32_t rand_fault(void)
{
	return rng32() & ~3u;
}

/* Fills `count` L1 entries at `pa`: fault 20 %, section 30 %, page table
 * 40 %, and (in groups of 16 aligned entries, as B3.5.1 requires)
 * supersections 10 %.  `first` entries at the start are left alone. */
static void fill_l1(uint32_t pa, uint32_t count, uint32_t first)
{
	for (uint32_t i = first; i < count;) {
		uint32_t r = rng_below(100);
		if (r < 10 && (i & 15u) == 0 && i + 16 <= count) {
			uint32_t d = rand_supersection();
			for (uint32_t k = 0; k < 16; k++)
				w32(pa + (i + k) * 4, d);
			i += 16;
			continue;
		}
		uint32_t d = r < 30 ? rand_fault() : r < 60 ? rand_section() : rand_page_table();
		w32(pa + i * 4, d);
		i++;
	}
}

/* L2 table: fault 25 %, small 50 %, large 25 % (16 identical entries at a
 * 16-entry boundary). */
static void fill_l2(uint32_t pa)
{
	for (uint32_t i = 0; i < 256;) {
		uint32_t r = rng_below(100);
		if (r < 25 && (i & 15u) == 0) {
			uint32_t d = rand_large();
			for (uint32_t k = 0; k < 16; k++)
				w32(pa + (i + k) * 4, d);
			i += 16;
			continue;
		}
		w32(pa + i * 4, r < 50 ? rand_fault() : rand_small());
		i++;
	}
}

/* DACR: per domain no access 20 %, reserved (0b10) 5 %, client 55 %,
 * manager 20 %; CODE_DOMAIN client or manager.  Every third round all
 * manager, every third all client (see the header). */
static uint32_t rand_dacr(int round)
{
	if (round % 3 == 1)
		return 0xffffffffu;
	if (round % 3 == 2)
		return 0x55555555u;

	uint32_t dacr = 0;
	for (unsigned d = 0; d < 16; d++) {
		uint32_t r = rng_below(100);
		uint32_t f = r < 20 ? 0u : r < 25 ? 2u : r < 80 ? 1u : 3u;
		if (d == CODE_DOMAIN)
			f = rng_bit() ? 3u : 1u;
		dacr |= f << (2 * d);
	}
	return dacr;
}

/* ---- the machine ------------------------------------------------------- */

static int last_intno;

static void on_intr(uc_engine *uc, uint32_t intno, void *arg)
{
	(void)arg;
	last_intno = (int)intno;
	uc_emu_stop(uc);
}

static bool ok(uc_err err, const char *what)
{
	if (!CHECK_EQ(err, UC_ERR_OK)) {
		fprintf(stderr, "  %s: %s\n", what, uc_strerror(err));
		return false;
	}
	return true;
}

static uc_engine *machine(void)
{
	uc_engine *uc = NULL;
	if (!ok(uc_compat_open(UC_CPU_ARM_CORTEX_A7, &uc), "uc_compat_open"))
		return NULL;
	uc_err err = uc_mem_map_ptr(uc, 0, RAM_SIZE, UC_PROT_ALL, ram);
	/* VA placeholders over [64 MiB, 4 GiB). */
	if (!err)
		err = uc_compat_map_va_window(uc, RAM_SIZE, 0x80000000u - RAM_SIZE);
	if (!err)
		err = uc_compat_map_va_window(uc, 0x80000000u, 0x80000000u);
	uc_hook h;
	if (!err)
		err = uc_hook_add(uc, &h, UC_HOOK_INTR, (void *)on_intr, NULL, 1, 0);
	uint32_t sctlr = 0;
	if (!err)
		err = uc_compat_cp15_read(uc, 1, 0, 0, 0, &sctlr);
	/* M on, XP (23) set; A (1), TRE (28), AFE (29) clear. */
	sctlr = (sctlr | 1u | (1u << 23)) & ~((1u << 1) | (1u << 28) | (1u << 29));
	if (!err)
		err = uc_compat_cp15_write(uc, 1, 0, 0, 0, sctlr);
	if (!ok(err, "machine setup")) {
		uc_close(uc);
		return NULL;
	}
	return uc;
}

/* Runs ldr r1, [r0] with r0 = va.  Returns the intno that stopped it (-1 if
 * none); *r1 gets r1, *err Unicorn's verdict. */
static int guest_load(uc_engine *uc, uint32_t va, uint32_t *r1, uc_err *err)
{
	uint32_t junk = 0x5a5a5a5au;
	uc_reg_write(uc, UC_ARM_REG_R0, &va);
	uc_reg_write(uc, UC_ARM_REG_R1, &junk);
	last_intno = -1;
	*err = uc_emu_start(uc, CODE_LOAD, CODE_LOAD + 8, 0, 4);
	uc_reg_read(uc, UC_ARM_REG_R1, r1);
	return last_intno;
}

/* Runs str r2, [r0] with r0 = va, r2 = val. */
static int guest_store(uc_engine *uc, uint32_t va, uint32_t val, uc_err *err)
{
	uc_reg_write(uc, UC_ARM_REG_R0, &va);
	uc_reg_write(uc, UC_ARM_REG_R2, &val);
	last_intno = -1;
	*err = uc_emu_start(uc, CODE_STORE, CODE_STORE + 8, 0, 4);
	return last_intno;
}

/* ---- the comparison ---------------------------------------------------- */

struct profile {
	unsigned n;
	uint32_t ttbr0_table;
};

static const struct profile profiles[] = {
	{ 0, TT0_N0 },
	{ 1, TT0_N1 },
	{ 2, TT0_N2 },
};

/* Mismatches are counted, not CHECKed one by one, so that the output stays
 * short: the first MAX_REPORTS are described, then one CHECK per profile. */
static unsigned reports, mismatches;

/* Outcome counts, so that a run which never reaches a case fails. */
enum { K_SECT, K_SUPER, K_SMALL, K_LARGE, K_NKIND };
static unsigned n_ok[K_NKIND], n_fault[MMU_FAULT_EXTERNAL + 1], n_ttbr1, n_total;
static unsigned n_store_ok, n_store_perm;

static int leaf_kind(const struct mmu_translation *t)
{
	switch (t->size) {
	case SZ_16M:
		return K_SUPER;
	case SZ_1M:
		return K_SECT;
	case SZ_64K:
		return K_LARGE;
	default:
		return K_SMALL;
	}
}

static void report(unsigned n, const struct mmu_regs *regs, uint32_t va, bool store,
		   const struct mmu_translation *t, enum mmu_fault f, int intno, uc_err err,
		   uint32_t r1)
{
	if (reports++ >= MAX_REPORTS) {
		if (reports == MAX_REPORTS + 1)
			fprintf(stderr, "  (further mismatches not shown)\n");
		return;
	}
	fprintf(stderr,
		"  mismatch: %s N=%u VA 0x%08" PRIx32 " TTBR0 0x%08" PRIx32 " TTBR1 0x%08" PRIx32
		" DACR 0x%08" PRIx32 "\n"
		"    L1 [0x%08" PRIx32 "] = 0x%08" PRIx32 ", L2 [0x%08" PRIx32 "] = 0x%08" PRIx32 "\n"
		"    model: %s (walk %s, level %u, domain %u, ap %u)",
		store ? "store" : "load", n, va, regs->ttbr0, regs->ttbr1, regs->dacr, t->l1_pa, t->l1_desc, t->l2_pa,
		t->l2_desc, mmu_fault_name(f), mmu_fault_name(t->fault), t->level, t->domain,
		t->ap);
	if (f == MMU_OK)
		fprintf(stderr, " PA 0x%08" PRIx32, mmu_pa(t, va));
	fprintf(stderr, "\n    unicorn: intno %d, %s", intno, uc_strerror(err));
	if (!store)
		fprintf(stderr, ", r1 0x%08" PRIx32, r1);
	else if (f == MMU_OK)
		fprintf(stderr, ", word at the model's PA 0x%08" PRIx32, r1);
	fputc('\n', stderr);
}

static void probe(uc_engine *uc, const struct profile *p, const struct mmu_regs *regs,
		  uint32_t va, bool store)
{
	struct mmu_translation t;
	mmu_walk(&mem, regs, va, &t);
	enum mmu_fault f = mmu_check(&t, regs->dacr, store ? MMU_WRITE : MMU_READ, true);

	uint32_t r1 = 0;
	uc_err err;
	int intno;
	/* Tags are PAs below 64 MiB: the marker (bit 31 set) is none of them. */
	uint32_t marker = 0x80000000u | (rng32() & 0x7ffffffcu);
	/* Every leaf maps into the data region: a model PA outside it is
	 * wrong by itself (and must not be dereferenced). */
	bool pa_ok = f != MMU_OK || (mmu_pa(&t, va) >= DATA && mmu_pa(&t, va) < DATA_END);
	if (store) {
		intno = guest_store(uc, va, marker, &err);
		if (f == MMU_OK && pa_ok) {
			/* Where the model says the store went; put the tag back. */
			uint32_t pa = mmu_pa(&t, va);
			r1 = phys_read32(&mem, pa);
			phys_write32(&mem, pa, pa);
		}
	} else {
		intno = guest_load(uc, va, &r1, &err);
	}

	bool match;
	n_total++;
	if (p->n && (va >> (32 - p->n)))
		n_ttbr1++;
	if (f == MMU_OK) {
		n_ok[leaf_kind(&t)]++;
		n_store_ok += store;
		/* Load: the loaded word is the PA QEMU used (the data tag).
		 * Store: the marker is at the model's PA. */
		match = pa_ok && err == UC_ERR_OK && intno == INTNO_SWI &&
			r1 == (store ? marker : mmu_pa(&t, va));
	} else {
		n_fault[f]++;
		n_store_perm += store && f == MMU_FAULT_PERMISSION;
		match = f != MMU_FAULT_EXTERNAL && err == UC_ERR_OK && intno == INTNO_DATA_ABORT;
	}
	if (!match) {
		mismatches++;
		report(p->n, regs, va, store, &t, f, intno, err, r1);
	}
}

static void run_profile(uc_engine *uc, const struct profile *p)
{
	unsigned before = mismatches;
	for (int round = 0; round < ROUNDS_PER_PROFILE; round++) {
		/* Fresh tables: the whole L1 area and every L2 table. */
		fill_l1(L1_AREA, L1_AREA_SZ / 4, 0);
		for (uint32_t i = 0; i < L2_COUNT; i++)
			fill_l2(L2_POOL + i * 0x400u);
		/* Entries 1..15 again, without supersections: their group
		 * would include L1[0]. */
		fill_l1(p->ttbr0_table, 16, 1);
		/* L1[0]: the code MiB, VA == PA, privileged RW, executable. */
		w32(p->ttbr0_table, 0x00000000u | CODE_DOMAIN << 5 | 1u << 10 | 0x2u);

		struct mmu_regs regs = {
			.sctlr = 1u,
			.ttbr0 = p->ttbr0_table | (rng32() & 0x7fu),
			.ttbr1 = TT1 | (rng32() & 0x7fu),
			.ttbcr = p->n,
			.dacr = rand_dacr(round),
		};
		bool set = ok(uc_compat_cp15_write(uc, 2, 0, 0, 2, regs.ttbcr), "TTBCR") &&
			   ok(uc_compat_cp15_write(uc, 2, 0, 0, 0, regs.ttbr0), "TTBR0") &&
			   ok(uc_compat_cp15_write(uc, 2, 0, 0, 1, regs.ttbr1), "TTBR1") &&
			   ok(uc_compat_cp15_write(uc, 3, 0, 0, 0, regs.dacr), "DACR") &&
			   ok(uc_compat_flush_tlb_all(uc), "TLBIALL");
		if (!set)
			return;
		/* Read back what QEMU holds, so a bank or masking surprise
		 * shows up as itself rather than as walk mismatches. */
		uint32_t v = 0;
		CHECK(uc_compat_cp15_read(uc, 2, 0, 0, 2, &v) == UC_ERR_OK && v == regs.ttbcr);
		CHECK(uc_compat_cp15_read(uc, 2, 0, 0, 0, &v) == UC_ERR_OK && v == regs.ttbr0);
		CHECK(uc_compat_cp15_read(uc, 2, 0, 0, 1, &v) == UC_ERR_OK && v == regs.ttbr1);
		CHECK(uc_compat_cp15_read(uc, 3, 0, 0, 0, &v) == UC_ERR_OK && v == regs.dacr);

		for (int i = 0; i < PROBES_PER_ROUND; i++) {
			uint32_t va = VA_FIRST + (rng_below((0u - VA_FIRST) / 4) * 4);
			probe(uc, p, &regs, va, rng_below(3) == 0);
		}
	}
	if (!CHECK_EQ(mismatches - before, 0))
		fprintf(stderr, "  TTBCR.N = %u: %u of %u probes disagree\n", p->n,
			mismatches - before, ROUNDS_PER_PROFILE * PROBES_PER_ROUND);
}

int main(int argc, char **argv)
{
	uint64_t seed = 0x6b6d61706c616201ull;
	const char *s = argc > 1 ? argv[1] : getenv("KMAPLAB_SEED");
	if (s && *s)
		seed = strtoull(s, NULL, 0);
	rng_state = seed;
	printf("seed %" PRIu64 " (replay: KMAPLAB_SEED=%" PRIu64 ")\n", seed, seed);

	ram = aligned_alloc(4096, RAM_SIZE);
	if (!ram)
		return 1;
	memset(ram, 0, DATA);
	for (uint32_t pa = DATA; pa < DATA_END; pa += 4)
		memcpy(ram + pa, &pa, 4);
	mem = (struct phys_mem){ .host = ram, .base = 0, .size = RAM_SIZE };
	w32(CODE, INSN_LDR_R1_R0);
	w32(CODE + 4, INSN_SVC_0);
	w32(CODE_STORE, INSN_STR_R2_R0);
	w32(CODE_STORE + 4, INSN_SVC_0);

	uc_engine *uc = machine();
	if (uc) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
			run_profile(uc, &profiles[i]);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		uc_close(uc);
		double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		printf("%u probes in %.2f s (%u through TTBR1): ok section %u, supersection %u, "
		       "large %u, small %u; faults translation %u, domain %u, permission %u; "
		       "stores ok %u, denied by AP %u\n",
		       n_total, secs, n_ttbr1, n_ok[K_SECT], n_ok[K_SUPER], n_ok[K_LARGE],
		       n_ok[K_SMALL], n_fault[MMU_FAULT_TRANSLATION], n_fault[MMU_FAULT_DOMAIN],
		       n_fault[MMU_FAULT_PERMISSION], n_store_ok, n_store_perm);
		/* Every outcome must have been exercised. */
		for (int k = 0; k < K_NKIND; k++)
			CHECK(n_ok[k] > 0);
		CHECK(n_fault[MMU_FAULT_TRANSLATION] > 0);
		CHECK(n_fault[MMU_FAULT_DOMAIN] > 0);
		CHECK(n_fault[MMU_FAULT_PERMISSION] > 0);
		CHECK(n_ttbr1 > 0);
		CHECK(n_store_ok > 0);
		CHECK(n_store_perm > 0);
		CHECK_EQ(n_fault[MMU_FAULT_EXTERNAL], 0);
	}
	free(ram);
	return check_done();
}
