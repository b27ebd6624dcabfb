/* SPDX-License-Identifier: MIT */
/* Access patterns whose TLB statistics can be worked out exactly from the
 * core's TLB geometry (tests/guest/tlb_counts.py does that).
 *
 *   tlb_counts SCENARIO ITERATIONS K
 *
 * Each scenario runs one of the loops below ITERATIONS times; an iteration
 * loads one word from each of K pages, VA base + i * stride (i < K), after
 * an optional TLB maintenance instruction.  The loops are hand-written ARM
 * code, aligned so that all of a loop's instructions lie in one 4 KiB page,
 * and touch no memory besides those K loads (no stack, no literals): the
 * only translations an iteration needs are the code page's and the K pages'.
 * The test runs each scenario with ITERATIONS = N and 2N and takes the
 * difference, which cancels start-up, printf and exit.
 *
 * Scenarios (the page kind the K loads go to, and the loop):
 *   plain   K highmem pages kmapped in consecutive pkmap slots; loop_plain
 *   mva     the same pages; loop_tlbimva with an address nothing maps
 *   all     the same pages; loop_tlbiall
 *   section a 1 MiB section this program maps itself at SECTION_VA, K loads
 *           4 KiB apart inside it; loop_tlbimva at SECTION_VA + 512 KiB
 *   large   a 64 KiB large page this program maps itself at LARGE_VA, K <= 16
 *           loads 4 KiB apart inside it; loop_tlbimva at LARGE_VA + 32 KiB
 *   asid    one not-global small page at ASID_VA; loop_asid (K unused): load
 *           it under ASID 1, TLBIASID 1, load it under ASID 2
 *   thrash  K small pages this program maps at THRASH_VA + j MiB, so that all
 *           fall in one main-TLB set; loop_tlbimva with an address nothing maps
 * Instructions per iteration: loop_plain 3K + 4, the other two 3K + 7.
 * Prints the VAs it uses; exits 0, or 1 (CHECK) if the set-up failed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

/* User-space VAs (below PAGE_OFFSET for every split), inside the RAM that
 * Unicorn maps at its physical addresses, so its VA region check passes. */
#define SECTION_VA 0x20500000u
#define LARGE_VA 0x20610000u
#define THRASH_VA 0x20705000u /* + j MiB, j < K */
#define ASID_VA 0x20806000u

void loop_plain(uint32_t base, uint32_t iters, uint32_t k, uint32_t stride);
void loop_tlbimva(uint32_t base, uint32_t iters, uint32_t k, uint32_t stride, uint32_t mva);
void loop_tlbiall(uint32_t base, uint32_t iters, uint32_t k, uint32_t stride, uint32_t unused);

#if __ARM_ARCH >= 7
#define DSB "	dsb\n"
#define ISB "	isb\n"
#else /* ARMv6 (arm1176): the CP15 c7 forms */
#define DSB "	mcr p15, 0, r0, c7, c10, 4\n"
#define ISB "	mcr p15, 0, r0, c7, c5, 4\n"
#endif
#define BARRIERS DSB ISB

/* Each loop starts with TLBIALL so that both runs (N and 2N) enter it with
 * empty TLBs, after its last stack access.  r0 base, r1 iterations, r2 K,
 * r3 stride, [sp] MVA. */
#define LOOP(name, maint)                                                       \
	"	.balign 256\n"                                                  \
	"	.global " name "\n"                                             \
	"	.type " name ", %function\n"                                    \
	name ":\n"                                                              \
	"	ldr r12, [sp]\n"                                                \
	"	push {r4-r6, lr}\n"                                             \
	"	mcr p15, 0, r0, c8, c7, 0\n" /* TLBIALL */                      \
	BARRIERS                                                                \
	"1:\n"                                                                  \
	maint                                                                   \
	"	mov r5, r0\n"                                                   \
	"	mov r6, r2\n"                                                   \
	"2:	ldr r4, [r5], r3\n"                                             \
	"	subs r6, r6, #1\n"                                              \
	"	bne 2b\n"                                                       \
	"	subs r1, r1, #1\n"                                              \
	"	bne 1b\n"                                                       \
	"	pop {r4-r6, pc}\n"                                              \
	"	.size " name ", . - " name "\n"

__asm__("	.section .text.tlb_counts_loops,\"ax\",%progbits\n"
	"	.arm\n"
	LOOP("loop_plain", "")
	LOOP("loop_tlbimva", "	mcr p15, 0, r12, c8, c7, 1\n" BARRIERS) /* TLBIMVA */
	LOOP("loop_tlbiall", "	mcr p15, 0, r12, c8, c7, 0\n" BARRIERS) /* TLBIALL */
	/* loop_asid(va, iters): per iteration, under ASID 1 load va, then
	 * TLBIASID 1, then under ASID 2 load va.  Each CP15 write is followed
	 * by a branch, so a translated block starts after it.  14 instructions
	 * per iteration; CONTEXTIDR is 0 again on return. */
	"	.balign 256\n"
	"	.global loop_asid\n"
	"	.type loop_asid, %function\n"
	"loop_asid:\n"
	"	push {r4-r7, lr}\n"
	"	mov r7, #1\n"
	"	mov r6, #2\n"
	"	mcr p15, 0, r0, c8, c7, 0\n" /* TLBIALL */
	BARRIERS
	"1:	mcr p15, 0, r7, c13, c0, 1\n" /* CONTEXTIDR: ASID 1 */
	ISB
	"	b 3f\n"
	"3:	ldr r4, [r0]\n"
	"	mcr p15, 0, r7, c8, c7, 2\n" /* TLBIASID 1 */
	BARRIERS
	"	b 4f\n"
	"4:	mcr p15, 0, r6, c13, c0, 1\n" /* CONTEXTIDR: ASID 2 */
	ISB
	"	b 5f\n"
	"5:	ldr r4, [r0]\n"
	"	subs r1, r1, #1\n"
	"	bne 1b\n"
	"	mov r4, #0\n"
	"	mcr p15, 0, r4, c13, c0, 1\n" /* CONTEXTIDR: ASID 0 */
	ISB
	"	pop {r4-r7, pc}\n"
	"	.size loop_asid, . - loop_asid\n"
	"	.text\n");
void loop_asid(uint32_t va, uint32_t iters);

/* A second-level table for LARGE_VA's megabyte (1 KiB aligned, as the
 * short-descriptor format requires). */
static uint32_t large_l2[256] __attribute__((aligned(1024)));
static uint8_t target[64 << 10] __attribute__((aligned(64 << 10)));

static uint32_t thrash_l2[256] __attribute__((aligned(1024)));
static uint32_t asid_l2[256] __attribute__((aligned(1024)));

static volatile uint32_t *l1_entry(uint32_t va)
{
	uint32_t *pgd = (uint32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_SWAPPER_PG_DIR);
	return &pgd[va >> 20];
}

/* ARMv7 short descriptors (ARM DDI 0406C B3.5.1), kernel RW (AP = 01),
 * domain 0, global, Normal write-back (C, B): a section, an L1 entry
 * pointing at a table, a large page. */
static void map_section(uint32_t va, uint32_t pa)
{
	CHECK(*l1_entry(va) == 0, "L1 entry of 0x%08lx is already in use", (unsigned long)va);
	*l1_entry(va) = (pa & 0xfff00000u) | (1u << 10) | 0xcu | 0x2u;
}

static void map_large(uint32_t va, uint32_t pa)
{
	CHECK(*l1_entry(va) == 0, "L1 entry of 0x%08lx is already in use", (unsigned long)va);
	for (unsigned i = 0; i < 16; i++)
		large_l2[((va >> 12) & 0xf0u) + i] = (pa & 0xffff0000u) | (1u << 4) | 0xcu | 0x1u;
	*l1_entry(va) = (virt_to_phys(large_l2) & 0xfffffc00u) | 0x1u;
}

/* K small pages, one per megabyte, at the same offset in each: every L1
 * entry points at one table whose entry for that offset maps `pa`. */
static void map_thrash(uint32_t va, uint32_t k, uint32_t pa)
{
	thrash_l2[(va >> 12) & 0xffu] = (pa & 0xfffff000u) | (1u << 4) | 0xcu | 0x2u;
	for (uint32_t j = 0; j < k; j++) {
		uint32_t v = va + (j << 20);
		CHECK(*l1_entry(v) == 0, "L1 entry of 0x%08lx is already in use", (unsigned long)v);
		*l1_entry(v) = (virt_to_phys(thrash_l2) & 0xfffffc00u) | 0x1u;
	}
}

int main(int argc, char **argv)
{
	CHECK(argc == 4, "usage: tlb_counts plain|mva|all|section|large|thrash|asid ITERATIONS K");
	const char *scenario = argv[1];
	uint32_t iters = (uint32_t)strtoul(argv[2], NULL, 0);
	uint32_t k = (uint32_t)strtoul(argv[3], NULL, 0);
	CHECK(iters > 0 && k > 0 && k <= 64, "ITERATIONS > 0, 0 < K <= 64");

	printf("loops at 0x%08lx 0x%08lx 0x%08lx\n", (unsigned long)(uintptr_t)loop_plain,
	       (unsigned long)(uintptr_t)loop_tlbimva, (unsigned long)(uintptr_t)loop_tlbiall);
	if (!strcmp(scenario, "asid")) {
		/* A not-global (nG) small page: its TLB entries carry the ASID. */
		CHECK(*l1_entry(ASID_VA) == 0, "L1 entry of ASID_VA is already in use");
		asid_l2[(ASID_VA >> 12) & 0xffu] =
			(virt_to_phys(target) & 0xfffff000u) | (1u << 11) | (1u << 4) | 0xcu | 0x2u;
		*l1_entry(ASID_VA) = (virt_to_phys(asid_l2) & 0xfffffc00u) | 0x1u;
		printf("asid at 0x%08lx, nG, ASIDs 1 and 2 (loop at 0x%08lx)\n", (unsigned long)ASID_VA,
		       (unsigned long)(uintptr_t)loop_asid);
		fflush(stdout);
		loop_asid(ASID_VA, iters);
	} else if (!strcmp(scenario, "thrash")) {
		memset(target, 0x5a, sizeof(target));
		map_thrash(THRASH_VA, k, virt_to_phys(target));
		printf("thrash at 0x%08lx, %lu pages 1 MiB apart\n", (unsigned long)THRASH_VA,
		       (unsigned long)k);
		fflush(stdout);
		loop_tlbimva(THRASH_VA, iters, k, 1u << 20, 0x3ff00000u);
	} else if (!strcmp(scenario, "section") || !strcmp(scenario, "large")) {
		bool section = !strcmp(scenario, "section");
		uint32_t va = section ? SECTION_VA : LARGE_VA;
		CHECK(section ? k <= 256 : k <= 16, "K loads must stay inside the page");
		memset(target, 0x5a, sizeof(target));
		if (section)
			map_section(va, virt_to_phys(target));
		else
			map_large(va, virt_to_phys(target));
		uint32_t mva = va + (section ? (512u << 10) : (32u << 10));
		printf("%s at 0x%08lx, %lu loads 4 KiB apart, TLBIMVA 0x%08lx\n", scenario,
		       (unsigned long)va, (unsigned long)k, (unsigned long)mva);
		fflush(stdout);
		loop_tlbimva(va, iters, k, 4096, mva);
	} else {
		uint32_t va0 = 0;
		for (uint32_t i = 0; i < k; i++) {
			struct page *p = alloc_page(GFP_HIGHUSER);
			CHECK(p && PageHighMem(p), "a highmem page");
			uint32_t va = (uint32_t)(uintptr_t)kmap(p);
			if (i == 0)
				va0 = va;
			/* Fresh kmaps take consecutive pkmap slots (map_new_virtual),
			 * so the K pages are one stride apart. */
			CHECK(va == va0 + i * 4096u, "kmap #%lu at 0x%08lx, not 0x%08lx", (unsigned long)i,
			      (unsigned long)va, (unsigned long)(va0 + i * 4096u));
			*(volatile uint32_t *)(uintptr_t)va = i;
		}
		printf("pages at 0x%08lx, %lu pages 4 KiB apart\n", (unsigned long)va0, (unsigned long)k);
		fflush(stdout);
		if (!strcmp(scenario, "plain"))
			loop_plain(va0, iters, k, 4096);
		else if (!strcmp(scenario, "mva"))
			loop_tlbimva(va0, iters, k, 4096, 0x3ff00000u); /* maps nothing */
		else if (!strcmp(scenario, "all"))
			loop_tlbiall(va0, iters, k, 4096, 0);
		else
			CHECK(0, "unknown scenario %s", scenario);
	}
	printf("tlb_counts: ok\n");
	return 0;
}
