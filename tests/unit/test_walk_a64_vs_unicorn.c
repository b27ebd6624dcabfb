/* SPDX-License-Identifier: MIT */
/* Differential test of the AArch64 stage-1 walker (mm/arm64_layout.c:
 * a64_walk) against Unicorn's own AArch64 MMU (QEMU's get_phys_addr_lpae),
 * like the ARM32 one (test_walk_vs_unicorn.c): random 4 KiB-granule tables
 * behind TTBR1_EL1, and for random kernel VAs the guest executes
 *   AT S1E1R, x0 ; MRS x1, PAR_EL1 ; AT S1E1W, x0 ; MRS x2, PAR_EL1
 * so QEMU walks the tables itself; PAR_EL1.F says whether it faulted and
 * PAR_EL1[47:12] is the page it found.  The model must translate exactly
 * the VAs QEMU translates, to the same page, and (for the write) refuse
 * exactly the read-only ones (AP[2], PTE_RDONLY).
 *
 * Physical RAM: 32 MiB at 0x40000000 (uc_mem_map_ptr over the buffer the
 * model reads).  The code is at VA == PA 0x40000000, mapped by a fixed
 * 1 GiB block in TTBR0's table (behind a level-0 table with VA_BITS 48); TTBR1's tables come from a pool of 256
 * pages per level filled with random descriptors for that level:
 *   table levels: invalid (bit 0 clear, other bits random), block (0b01,
 *                 levels 1 and 2), table (0b11, to a random page of the
 *                 next level's set);
 *   level 3:      invalid, reserved 0b01 (faults), page 0b11;
 *   leaves:       random output address below 2^40 (the A53's PARange: the
 *                 targets are never accessed), random AF (clear: an Access
 *                 flag fault with TCR_EL1.HA = 0), random AP[2], random
 *                 attribute, SH, nG, PXN/UXN and software bits.
 * Deliberately not generated: table descriptors keep bits [63:59]
 * (NSTable, APTable, XNTable, PXNTable) clear, as hierarchical permissions
 * are not in the model; a block's output address has its RES0 bits (below
 * the block size) clear: with them set the result is CONSTRAINED
 * UNPREDICTABLE, and QEMU ORs the VA's offset into them (measured: PA
 * 0x7db7be5000 for a 1 GiB block at 0x7da0be5000, offset 0x17080d8e); and
 * no block at level 0, which the architecture makes a translation fault
 * with a 4 KiB granule (the model faults) but QEMU (Unicorn 2.0.1 and
 * 2.1.1) maps as a 512 GiB block (measured: desc 0x...059d at level 0 gave
 * PAR 0x69ea5ac000 for VA 0xffff32e9ea5ac02f).  No kernel writes either.  Rounds with VA_BITS 39 (3 levels) and 48 (4 levels).  The
 * seed is printed; KMAPLAB_SEED=<n> replays a run. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "arm64.h"
#include "check.h"
#include "uc_compat.h"

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (32ull << 20)
#define POOL (RAM_BASE + (4ull << 20)) /* 4 x 256 table pages, one set per level */
#define LEVEL_PAGES 256u
#define TT0 (RAM_BASE + (1ull << 20))

static uint64_t rng_state;
static uint64_t rng64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint8_t *ram;
static unsigned reported; /* mismatches printed (the first 10) */
static struct a64_mem mem;

static uint64_t *page(uint64_t pa)
{
	return a64_table(&mem, pa);
}

/* A random descriptor for a table at `level` (0..3). */
static uint64_t random_desc(unsigned level)
{
	uint64_t r = rng64(), kind = rng64() % 8;
	uint64_t attrs = r & (PTE_ATTRINDX_MASK | PTE_SHARED | PTE_NG | PTE_PXN | PTE_UXN | (0xfull << 55));
	attrs |= (rng64() % 4 ? PTE_AF : 0) | (rng64() % 2 ? PTE_RDONLY : 0);
	uint64_t out = rng64() & 0x000000fffffff000ull; /* below 2^40 */
	if (kind < 3)
		return r & ~1ull; /* invalid */
	if (level < 3 && kind < 6)
		return (POOL + ((level + 1) * LEVEL_PAGES + rng64() % LEVEL_PAGES) * 4096) | 3; /* table */
	if (level == 3 && kind == 3)
		return (out | attrs | 1) & ~2ull; /* reserved at level 3 */
	if (level == 3)
		return out | attrs | 3; /* page */
	if (level == 0)
		return r & ~1ull; /* no level-0 blocks (see above): invalid */
	out &= ~((1ull << (12 + 9 * (3 - level))) - 1); /* RES0 below the block size */
	return (out | attrs | 1) & ~2ull; /* block */
}

static void fill_pool(void)
{
	for (unsigned level = 0; level < 4; level++)
		for (unsigned p = 0; p < LEVEL_PAGES; p++) {
			uint64_t *t = page(POOL + (level * LEVEL_PAGES + p) * 4096ull);
			for (unsigned i = 0; i < 512; i++)
				t[i] = random_desc(level);
		}
}

static uc_err sysreg(uc_engine *uc, unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2, uint64_t v)
{
	uc_arm64_cp_reg r = { .crn = crn, .crm = crm, .op0 = op0, .op1 = op1, .op2 = op2, .val = v };
	return uc_reg_write(uc, UC_ARM64_REG_CP_REG, &r);
}

/* tlbi vmalle1 ; dsb sy ; isb ; at s1e1r, x0 ; isb ; mrs x1, par_el1 ;
 * at s1e1w, x0 ; isb ; mrs x2, par_el1 ; nop (the stop address) */
static const uint32_t code[] = {
	0xd508871f, 0xd5033f9f, 0xd5033fdf, 0xd5087800, 0xd5033fdf, 0xd5387401,
	0xd5087820, 0xd5033fdf, 0xd5387402, 0xd503201f,
};

static void round_of(uc_engine *uc, unsigned va_bits, unsigned probes, unsigned *agree_ok, unsigned *agree_fault)
{
	fill_pool();
	uint64_t root = POOL + (a64_pgd_level(va_bits) * LEVEL_PAGES + rng64() % LEVEL_PAGES) * 4096;
	uint64_t tsz = 64 - va_bits;
	/* TCR: T0SZ = T1SZ, 4 KiB granules, IPS 40 bits; TTBR1 with a random ASID. */
	CHECK_EQ(sysreg(uc, 3, 0, 2, 0, 2, tsz | tsz << 16 | 2ull << 30 | 2ull << 32), UC_ERR_OK);
	CHECK_EQ(sysreg(uc, 3, 0, 2, 0, 1, root | (rng64() & 0xffffull) << 48), UC_ERR_OK);
	/* TTBR0: the code's 1 GiB block, behind a level-0 table at 48 bits. */
	CHECK_EQ(sysreg(uc, 3, 0, 2, 0, 0, va_bits == 48 ? TT0 + 4096 : TT0), UC_ERR_OK);
	for (unsigned n = 0; n < probes; n++) {
		uint64_t va = (0 - (1ull << va_bits)) | (rng64() & ((1ull << va_bits) - 1));
		uint64_t x0 = va, x1 = 0, x2 = 0, pc = RAM_BASE;
		uc_reg_write(uc, UC_ARM64_REG_X0, &x0);
		uc_reg_write(uc, UC_ARM64_REG_PC, &pc);
		uc_err err = uc_emu_start(uc, RAM_BASE, RAM_BASE + 4 * (sizeof(code) / 4 - 1), 0, 0);
		if (err != UC_ERR_OK) {
			uint64_t at = 0;
			uc_reg_read(uc, UC_ARM64_REG_PC, &at);
			printf("VA_BITS %u va 0x%016" PRIx64 ": %s at pc 0x%" PRIx64 "\n", va_bits, va, uc_strerror(err), at);
			CHECK_EQ(err, UC_ERR_OK);
			return;
		}
		uc_reg_read(uc, UC_ARM64_REG_X1, &x1);
		uc_reg_read(uc, UC_ARM64_REG_X2, &x2);
		uint64_t desc = 0, pa = 0;
		unsigned level = 0;
		bool model = a64_walk(&mem, root, va_bits, va, &desc, &level, &pa);
		bool qemu = !(x1 & 1);
		if (model != qemu || (model && (pa >> 12) != ((x1 >> 12) & 0xfffffffffull))) {
			if (reported++ < 10)
				printf("VA_BITS %u va 0x%016" PRIx64 ": model %s pa 0x%" PRIx64 " (level %u desc 0x%016" PRIx64
			       "), QEMU PAR 0x%016" PRIx64 "\n", va_bits, va, model ? "ok" : "fault", pa, level, desc, x1);
			continue;
		}
		/* S1E1W: a translation QEMU gives unless AP[2] makes it read-only. */
		bool w_model = model && !(desc & PTE_RDONLY), w_qemu = !(x2 & 1);
		if (w_model != w_qemu) {
			if (reported++ < 10)
				printf("VA_BITS %u va 0x%016" PRIx64 " write: model %d QEMU PAR 0x%016" PRIx64 " desc 0x%016" PRIx64 "\n",
			       va_bits, va, w_model, x2, desc);
			continue;
		}
		*(model ? agree_ok : agree_fault) += 1;
	}
}

int main(int argc, char **argv)
{
	const char *s = argc > 1 ? argv[1] : getenv("KMAPLAB_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 0) : 20260101;
	rng_state = seed;
	printf("seed %" PRIu64 " (KMAPLAB_SEED=%" PRIu64 " replays it)\n", seed, seed);
	ram = calloc(1, RAM_SIZE);
	mem = (struct a64_mem){ ram, RAM_BASE, RAM_SIZE };
	memcpy(ram, code, sizeof(code));
	/* TTBR0: L1[1] is a 1 GiB block, VA 0x40000000 -> PA 0x40000000, executable. */
	page(TT0)[1] = RAM_BASE | PTE_AF | PTE_SHARED | PTE_ATTRINDX(0) | 1;
	page(TT0 + 4096)[0] = TT0 | 3; /* the level-0 table for VA_BITS 48 */
	uc_engine *uc;
	CHECK_EQ(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc), UC_ERR_OK);
	CHECK_EQ(uc_ctl_set_cpu_model(uc, UC_CPU_ARM64_A53), UC_ERR_OK);
	CHECK(uc_compat_init_engine(uc) != 0);
	CHECK_EQ(uc_mem_map_ptr(uc, RAM_BASE, RAM_SIZE, UC_PROT_ALL, ram), UC_ERR_OK);
	/* SCR_EL3.RW: EL1 is AArch64 (emu/machine_a64.c explains why). */
	CHECK_EQ(sysreg(uc, 3, 6, 1, 1, 0, 1ull << 10), UC_ERR_OK);
	CHECK_EQ(sysreg(uc, 3, 0, 10, 2, 0, 0xff), UC_ERR_OK);   /* MAIR_EL1 */
	CHECK_EQ(sysreg(uc, 3, 0, 2, 0, 0, TT0), UC_ERR_OK);     /* TTBR0_EL1 */
	CHECK_EQ(sysreg(uc, 3, 0, 2, 0, 2, 25 | 25ull << 16 | 2ull << 30 | 2ull << 32), UC_ERR_OK);
	uc_arm64_cp_reg sctlr = { .op0 = 3, .op1 = 0, .crn = 1, .crm = 0, .op2 = 0 };
	uc_reg_read(uc, UC_ARM64_REG_CP_REG, &sctlr);
	CHECK_EQ(sysreg(uc, 3, 0, 1, 0, 0, (sctlr.val | 1) & ~(uint64_t)(1u << 1 | 1u << 3)), UC_ERR_OK);
	unsigned ok = 0, fault = 0;
	for (unsigned r = 0; r < 4; r++) {
		round_of(uc, 39, 1500, &ok, &fault);
		round_of(uc, 48, 1500, &ok, &fault);
	}
	printf("%u translations and %u faults agreed, %u mismatches\n", ok, fault, reported);
	CHECK_EQ(reported, 0);
	/* Both outcomes must have been exercised for the test to mean anything. */
	CHECK(ok > 500 && fault > 500);
	uc_close(uc);
	free(ram);
	return check_done();
}
