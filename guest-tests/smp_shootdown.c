/* SPDX-License-Identifier: MIT */
/* Cross-CPU TLB shootdown.  Usage: smp_shootdown flush|noflush|pkmap
 *
 * CPU 0 maps page A at a fixmap address (set_fixmap, FIX_EARLYCON_MEM_BASE)
 * and every CPU reads it (on_each_cpu), so every CPU's TLB holds VA -> A.
 * CPU 0 then points the PTE at page B itself and flushes with
 * local_flush_tlb_kernel_page(), which is TLBIMVA on this CPU only on
 * every ARM core (asm/tlbflush.h, v5.10; kmap_atomic's flush): only CPU
 * 0's TLB drops VA -> A.
 *   flush:   CPU 0 then calls flush_tlb_kernel_range() over the page, which
 *            reaches every CPU (Inner Shareable ops, or an IPI to each), and
 *            every CPU must read B's data.
 *   noflush: it does not; the other CPUs still hold VA -> A, so their read is
 *            a stale-translation hazard (reported on their CPU), and what
 *            they read is whatever their TLB gives -- printed, not checked.
 *   pkmap:   noflush first (the other CPUs keep VA -> A as a possibly-stale
 *            translation they never use again), then the same on a pkmap
 *            address: CPU 0 kmap()s a highmem page, every CPU reads it, CPU
 *            0 points that pkmap PTE at page B with a local flush only, and
 *            every CPU reads again: a hazard on each other CPU, in another
 *            1 MiB of VA than the fixmap's.  (--model fill sends only the
 *            MiBs a CPU has something possibly stale in through its
 *            per-access path: this is the pkmap page that was filled while
 *            its MiB had nothing, docs/speed.md.)  Afterwards both PTEs
 *            are put back and flushed on every CPU. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest_check.h"
#include "kmaplab/guest.h"

static uint8_t page_a[4096] __attribute__((aligned(4096)));
static uint8_t page_b[4096] __attribute__((aligned(4096)));
static volatile uint32_t seen[8];

static void read_slot(void *info)
{
	volatile uint32_t *p = info;
	seen[smp_processor_id()] = *p;
}

/* The pkmap part of "pkmap": one hazard on each CPU but 0. */
static void pkmap_stale(unsigned int n)
{
	struct page *page = alloc_page(GFP_HIGHUSER);
	CHECK(page != NULL, "no highmem page");
	volatile uint32_t *va = kmap(page);
	*va = 0xccccccccu;
	on_each_cpu(read_slot, (void *)va, 1);
	for (unsigned int cpu = 0; cpu < n; cpu++)
		CHECK(seen[cpu] == 0xccccccccu, "CPU %u read 0x%08x through kmap", cpu, (unsigned)seen[cpu]);
	volatile uint32_t *ptes = (volatile uint32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_PKMAP_PAGE_TABLE);
	volatile uint32_t *pte = &ptes[((uint32_t)(uintptr_t)va - (uint32_t)kmaplab_kernel_info(KINFO_PKMAP_BASE)) >>
				       PAGE_SHIFT];
	uint32_t old = *pte;
	*pte = virt_to_phys(page_b) | 0x10 | 0x8 | 0x4 | 0x2; /* as set_fixmap's above */
	local_flush_tlb_kernel_page((unsigned long)va);
	on_each_cpu(read_slot, (void *)va, 1);
	CHECK(seen[0] == 0xbbbbbbbbu, "CPU 0 read 0x%08x after its own flush (pkmap)", (unsigned)seen[0]);
	for (unsigned int cpu = 1; cpu < n; cpu++)
		printf("CPU %u read 0x%08x (pkmap)\n", cpu, (unsigned)seen[cpu]);
	*pte = old;
	flush_tlb_kernel_range((unsigned long)va, (unsigned long)va + PAGE_SIZE);
	kunmap(page);
}

int main(int argc, char **argv)
{
	bool flush = argc > 1 && strcmp(argv[1], "flush") == 0;
	bool pkmap = argc > 1 && strcmp(argv[1], "pkmap") == 0;
	unsigned int n = num_online_cpus();
	volatile uint32_t *va = (volatile uint32_t *)fix_to_virt(0);

	memset(page_a, 0xaa, sizeof(page_a));
	memset(page_b, 0xbb, sizeof(page_b));
	set_fixmap(0, virt_to_phys(page_a));
	on_each_cpu(read_slot, (void *)va, 1);
	for (unsigned int cpu = 0; cpu < n; cpu++)
		CHECK(seen[cpu] == 0xaaaaaaaau, "CPU %u read 0x%08x through the new mapping of A", cpu,
		      (unsigned)seen[cpu]);

	volatile uint32_t *bm_pte = (volatile uint32_t *)(uintptr_t)kmaplab_kernel_info(KINFO_BM_PTE);
	volatile uint32_t *pte = &bm_pte[((uint32_t)(uintptr_t)va - FIXADDR_START) >> PAGE_SHIFT];
	/* An ARMv7 small-page descriptor: B, C, AP 01 (privileged RW), as
	 * set_fixmap wrote for A. */
	*pte = virt_to_phys(page_b) | 0x10 | 0x8 | 0x4 | 0x2;
	local_flush_tlb_kernel_page((unsigned long)va); /* this CPU's TLB only */
	if (flush)
		flush_tlb_kernel_range((unsigned long)va, (unsigned long)va + PAGE_SIZE);
	on_each_cpu(read_slot, (void *)va, 1);
	CHECK(seen[0] == 0xbbbbbbbbu, "CPU 0 read 0x%08x after its own flush", (unsigned)seen[0]);
	for (unsigned int cpu = 1; cpu < n; cpu++) {
		if (flush)
			CHECK(seen[cpu] == 0xbbbbbbbbu, "CPU %u read 0x%08x after flush_tlb_kernel_range", cpu,
			      (unsigned)seen[cpu]);
		printf("CPU %u read 0x%08x\n", cpu, (unsigned)seen[cpu]);
	}
	if (pkmap) {
		pkmap_stale(n);
		flush_tlb_kernel_range((unsigned long)va, (unsigned long)va + PAGE_SIZE);
	}
	clear_fixmap(0);
	return 0;
}
