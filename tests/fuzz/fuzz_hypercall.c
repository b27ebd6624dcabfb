/* SPDX-License-Identifier: MIT */
/* libFuzzer target: hypercalls as a hostile guest would make them.  Each
 * input boots the kernel model (mm/: page tables, mem_map, pkmap, fixmap;
 * no Unicorn) with a policy, then replays a sequence of SVCs: register
 * blocks decoded by hypercall_decode() (emu/hypercall_decode.c) and served
 * by kmaplab_hypercall() (plugins/policy.c), the path every guest hypercall
 * takes.  Any status is fine; a crash, a sanitizer report or a leak is not.
 *
 * Input: byte 0 picks the policy; then 17 bytes per call: one picks the
 * number (most often one of the ABI's, sometimes raw), four little-endian
 * words give r0-r3, each either raw or (low two bits 0) one of the values
 * earlier calls returned -- word >> 2 counts back from the latest (0), as
 * pages from alloc_page, VAs from kmap -- plus 0x20 if bit 13 is set (an
 * address inside a page), so that the sequences reach deep into the
 * kernel's state (tests/fuzz/make_seeds.py writes seeds this way). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "highmem.h"
#include "hypercall_decode.h"
#include "kmaplab/hypercall.h"
#include "mm.h"
#include "policy.h"

#define RAM (800u << 20) /* 3G/1G: 768 MiB lowmem, 32 MiB highmem */

static const char *const policies[] = { "linux", "eager", "local", "flushall:8",
					"linux,debug_highmem=1,strict=1", "linux,strict=0,km_type_nr=4" };
static const uint32_t numbers[] = {
	HC_ABI_VERSION, HC_KERNEL_INFO, HC_ALLOC_PAGE, HC_FREE_PAGE, HC_PAGE_ADDRESS, HC_KMAP,
	HC_KUNMAP, HC_KMAP_ATOMIC, HC_KUNMAP_ATOMIC, HC_KMAP_LOCAL_PAGE, HC_KUNMAP_LOCAL,
	HC_SET_FIXMAP, HC_CLEAR_FIXMAP, HC_EARLY_IOREMAP, HC_EARLY_IOUNMAP,
	HC_LOCAL_FLUSH_TLB_KERNEL_PAGE, HC_FLUSH_TLB_KERNEL_RANGE, HC_FLUSH_TLB_ALL,
};
#define NNUM (sizeof(numbers) / sizeof(numbers[0]))

struct kernel {
	struct mm mm;
	struct kmap_state *ks;
	struct kmaplab_plugin *p;
};

/* What the emulator's boot does (as tests/unit/test_pkmap.c's boot()). */
static int boot(struct kernel *k, const char *policy)
{
	char err[400];
	memset(k, 0, sizeof(*k));
	if (layout_init(&k->mm.layout, SPLIT_3G_1G, RAM, err, sizeof(err)))
		return -1;
	void *host = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			  -1, 0);
	if (host == MAP_FAILED)
		return -1;
	k->mm.mem.host = host;
	k->mm.mem.base = k->mm.layout.phys_offset;
	k->mm.mem.size = RAM;
	k->mm.core = core_profile_find("cortex-a7");
	struct boot_mem *b = &k->mm.boot;
	b->image_start = 0x8000;
	b->image_end = 0x80000;
	b->heap_start = 0x80000;
	b->heap_end = 0x180000;
	b->stack_base = 0x180000;
	b->stack_top = 0x280000;
	b->memblock_start = b->memblock_next = 0x280000;
	b->memblock_end = k->mm.layout.phys_offset + k->mm.layout.lowmem_size;
	if (paging_init(&k->mm))
		return -1;
	k->mm.tlb = tlb_create(k->mm.core, 1);
	k->ks = kmap_init(&k->mm, NULL, err, sizeof(err));
	if (!k->ks)
		return -1;
	k->p = policy_load_spec(k->ks, policy, err, sizeof(err));
	return k->p ? 0 : -1;
}

static void shutdown(struct kernel *k)
{
	if (k->p)
		policy_unload(k->p);
	if (k->ks)
		kmap_free(k->ks);
	if (k->mm.tlb)
		tlb_destroy(k->mm.tlb);
	if (k->mm.mem.host)
		munmap(k->mm.mem.host, RAM);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 17 * 4096)
		return 0;
	struct kernel k;
	if (boot(&k, policies[data[0] % (sizeof(policies) / sizeof(policies[0]))])) {
		shutdown(&k);
		return 0;
	}
	uint32_t seen[16] = { 0 };
	unsigned nseen = 0, next = 0; /* a ring of the last 16 results */
	for (size_t off = 1; off + 17 <= size; off += 17) {
		const uint8_t *in = data + off;
		uint32_t regs[16] = { 0 };
		regs[12] = in[0] < 0xf0 ? numbers[in[0] % NNUM] : le32(in + 1) >> (in[0] & 7);
		for (int i = 0; i < 4; i++) {
			uint32_t w = le32(in + 1 + 4 * i);
			regs[i] = (w & 3) == 0 && nseen
					  ? seen[(next - 1 - (w >> 2) % nseen) % 16] + ((w >> 8) & 0x20)
					  : w;
		}
		struct hc_call c;
		hypercall_decode(regs, 0xc0008000u + (uint32_t)off * 4, &c);
		uint32_t ret = 0;
		enum hc_status st = kmaplab_hypercall(k.p, c.nr, c.args, c.pc, &ret);
		if (st != HC_DONE)
			break; /* the run would stop here: BUG, would-sleep, bad call */
		if (ret) {
			seen[next++ % 16] = ret;
			nseen = next < 16 ? next : 16;
		}
	}
	shutdown(&k);
	return 0;
}
