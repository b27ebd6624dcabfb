/* SPDX-License-Identifier: MIT */
/* smp_pte_order: a PTE stored by one CPU, invalidated by another.
 *
 * usage: smp_pte_order.elf right|nodsb     (run with --cpus 2)
 *
 * CPU 0 maps page A at a fixmap VA (bm_pte slot 702, a slot nothing else
 * uses) the right way and reads it.  A kthread on CPU 1 points the PTE at
 * page B and tells CPU 0 through a flag; CPU 0 then runs TLBIMVAIS; DSB;
 * ISB and reads the VA.  For the table walkers to see B after the
 * invalidate, the store must be complete before it, and only a DSB on the
 * CPU that stored guarantees that (ARM DDI 0406C B3.10.1: an invalidate
 * affects only the descriptors the walker can observe; a DMB orders the
 * flag after the PTE for other observers, not for the walker, A3.8.3 and
 * B3.10.1 "TLB maintenance operations and the memory order model"):
 *
 *   right   CPU 1: store; DSB; flag.  0 hazards; CPU 0 reads B.
 *   nodsb   CPU 1: store; DMB; flag.  The invalidate on CPU 0 runs before
 *           CPU 1's store is known complete: 1 barrier hazard, reported on
 *           cpu0 naming cpu1.  The walker (of either CPU: the invalidate
 *           is Inner Shareable) may refill A after it, so CPU 0's read
 *           after DSB; ISB may still use A: 1 stale_tlb (architectural).
 *
 * CPU 1 then waits for CPU 0 to finish (no barrier of its own can land
 * between its store and CPU 0's invalidate). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

#define TLBIMVAIS(v) __asm__ volatile("mcr p15, 0, %0, c8, c3, 1" : : "r"(v) : "memory")

static uint8_t page_a[4096] __attribute__((aligned(4096)));
static uint8_t page_b[4096] __attribute__((aligned(4096)));
static volatile uint32_t stored, done;
static int with_dsb;

static uint32_t small_page(uint32_t pa)
{
	return pa | 0x40 | 0x10 | 0x8 | 0x4 | 0x2; /* TEX=001 C B, AP=01, global */
}

static volatile uint32_t *pte_of(uint32_t va)
{
	volatile uint32_t *bm_pte = (volatile uint32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_BM_PTE);
	return &bm_pte[(va - FIXADDR_START) >> 12];
}

__attribute__((noinline)) static uint32_t read_va(volatile uint32_t *p)
{
	return *p;
}

/* CPU 1: retarget the PTE, then raise the flag. */
static int retarget(void *data)
{
	uint32_t va = (uint32_t)(uintptr_t)data;
	*pte_of(va) = small_page(virt_to_phys(page_b));
	if (with_dsb)
		__asm__ volatile("dsb" : : : "memory");
	else
		smp_mb(); /* DMB: orders the flag, does not complete the store */
	stored = 1;
	while (!done)
		cpu_relax();
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "right";
	uint32_t va = FIXADDR_TOP - (702u << 12);
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)va;
	CHECK(num_online_cpus() >= 2, "needs --cpus 2 (%u online)", num_online_cpus());
	CHECK(!strcmp(mode, "right") || !strcmp(mode, "nodsb"), "unknown mode %s", mode);
	with_dsb = !strcmp(mode, "right");
	memset(page_a, 0xaa, sizeof(page_a));
	memset(page_b, 0xbb, sizeof(page_b));

	*pte_of(va) = small_page(virt_to_phys(page_a));
	__asm__ volatile("dsb" : : : "memory");
	TLBIMVAIS(va);
	__asm__ volatile("dsb\n\tisb" : : : "memory");
	CHECK(read_va(p) == 0xaaaaaaaau, "page A reads wrong");

	struct task_struct *k = kthread_run_on_cpu(retarget, (void *)(uintptr_t)va, 1, "retarget");
	CHECK(k != NULL, "kthread_run_on_cpu failed");
	while (!stored)
		cpu_relax();
	smp_mb();
	TLBIMVAIS(va);
	__asm__ volatile("dsb\n\tisb" : : : "memory");
	uint32_t v = read_va(p);
	done = 1;
	kthread_stop(k);
	printf("%s: read 0x%08lx\n", mode, (unsigned long)v);
	if (with_dsb)
		CHECK(v == 0xbbbbbbbbu, "CPU 0 read 0x%08lx after the invalidate", (unsigned long)v);
	return 0;
}
