/* SPDX-License-Identifier: MIT */
/* mm_access()'s inline fast path (mm/access.h: the micro TLB's hot copies,
 * stale check, permission shortcut) against mm_access_slow(), the plain
 * look-up/walk/check path, on two machines that share one RAM (so every
 * page-table edit reaches both) and have a TLB each.  Random accesses,
 * PTE and section edits without invalidates, every invalidate kind, ASID
 * and DACR changes; after every operation the fault, the TLB statistics,
 * the cycles and the stale-hazard count must be equal.  Each core, fixed
 * seeds.
 *
 * Both machines run mm/tlb.c, so that comparison alone would not notice a
 * bug in the TLB itself.  A third party, ref_tlb.h, is a reference TLB
 * written from docs/cycle-model.md's rules with none of tlb.c's code: on
 * every core without random replacement (arm1176's micro TLBs are random:
 * no independent answer) it must agree with the fast path on every fault,
 * counter, cycle and hazard too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "access.h"
#include "check.h"
#include "ref_tlb.h"
#include "mm.h"
#include "tlb.h"

static uint64_t rs;

static uint32_t rnd(uint32_t n)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)((rs >> 11) % n);
}

static int setup(struct mm *mm, const char *core, uint8_t *host, uint32_t ram, bool build_tables)
{
	char err[200];
	memset(mm, 0, sizeof(*mm));
	if (layout_init(&mm->layout, SPLIT_3G_1G, ram, err, sizeof(err)))
		return -1;
	mm->mem = (struct phys_mem){ .host = host, .base = mm->layout.phys_offset, .size = ram };
	mm->core = core_profile_find(core);
	struct boot_mem *b = &mm->boot;
	b->memblock_start = b->memblock_next = 0x280000;
	b->memblock_end = mm->layout.phys_offset + mm->layout.lowmem_size;
	if (build_tables && paging_init(mm))
		return -1;
	mm->tlb = tlb_create(mm->core, 7);
	return mm->tlb ? 0 : -1;
}

static bool same_stats(const struct mm *a, const struct mm *b)
{
	const struct tlb_stats *x = tlb_stats(a->tlb), *y = tlb_stats(b->tlb);
	return x->accesses == y->accesses && x->micro_hits == y->micro_hits && x->main_hits == y->main_hits &&
	       x->misses == y->misses && x->walks == y->walks && x->walk_reads == y->walk_reads &&
	       x->invalidated == y->invalidated && a->stats.cycles == b->stats.cycles &&
	       a->stats.stale_tlb == b->stats.stale_tlb;
}

static bool same_as_ref(const struct mm *a, const struct ref_tlb *r)
{
	const struct tlb_stats *x = tlb_stats(a->tlb), *y = &r->st;
	return x->accesses == y->accesses && x->micro_hits == y->micro_hits && x->main_hits == y->main_hits &&
	       x->misses == y->misses && x->walks == y->walks && x->walk_reads == y->walk_reads &&
	       x->invalidated == y->invalidated && a->stats.cycles == r->cycles &&
	       a->stats.stale_tlb == r->stale;
}

static bool has_random(const struct core_profile *c)
{
	return c->utlb_i.replacement == TLB_REPL_RANDOM || c->utlb_d.replacement == TLB_REPL_RANDOM ||
	       c->main.replacement == TLB_REPL_RANDOM;
}

static unsigned run(const char *core, uint64_t seed, long nops)
{
	const uint32_t ram = 64u << 20;
	uint8_t *host = mmap(NULL, ram, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static struct mm fast, slow;
	if (host == MAP_FAILED || setup(&fast, core, host, ram, true) || setup(&slow, core, host, ram, false)) {
		CHECK(!"machine set-up");
		return 1;
	}
	/* slow shares fast's tables (the same RAM) and registers. */
	slow.swapper_pg_dir = fast.swapper_pg_dir;
	slow.pkmap_page_table = fast.pkmap_page_table;
	slow.regs = fast.regs;
	uint32_t pk = fast.layout.pkmap_base, l1 = fast.swapper_pg_dir;
	unsigned mismatches = 0;
	static struct ref_tlb ref;
	bool use_ref = !has_random(fast.core);
	ref_init(&ref, fast.core);
	rs = seed;
	for (long op = 0; op < nops && mismatches < 5; op++) {
		uint32_t r = rnd(1000);
		if (r < 880) {
			uint32_t va = rnd(2) ? 0xc0000000u + rnd(6) * 0x100000u + rnd(0x100000)
					     : pk + rnd(16) * 4096u + rnd(4096);
			enum mmu_access a = (enum mmu_access)rnd(3);
			uint32_t cnt = rnd(4) ? 1 : rnd(9);
			enum mmu_fault f1 = mm_access(&fast, va, a, cnt);
			enum mmu_fault f2 = mm_access_slow(&slow, va, a, cnt);
			if (use_ref) {
				enum mmu_fault f3 = ref_access(&ref, &fast.mem, &fast.regs, va, a, cnt);
				if (f1 != f3) {
					fprintf(stderr, "%s seed %llu op %ld: VA 0x%08x access %d: fast %s, reference %s\n",
						core, (unsigned long long)seed, op, va, a, mmu_fault_name(f1),
						mmu_fault_name(f3));
					mismatches++;
				}
			}
			if (f1 != f2) {
				fprintf(stderr, "%s seed %llu op %ld: VA 0x%08x access %d: fast %s, slow %s\n", core,
					(unsigned long long)seed, op, va, a, mmu_fault_name(f1), mmu_fault_name(f2));
				mismatches++;
			}
		} else if (r < 930) { /* a pkmap PTE changed with no invalidate */
			uint32_t pte = rnd(8) ? mmu_l2_small(0x1000000u + rnd(64) * 4096u, (uint8_t)rnd(8), rnd(2), rnd(2)) : 0;
			phys_write32(&fast.mem, fast.pkmap_page_table + 4 * rnd(16), pte);
		} else if (r < 950) { /* a lowmem section descriptor changed */
			uint32_t s = 0xc00 + rnd(6);
			uint32_t d = rnd(3) ? mmu_l1_section((s - 0xc00) << 20, (uint8_t)(1 + rnd(7)), (uint8_t)rnd(2), rnd(2), rnd(2))
					    : mmu_l1_table(fast.pkmap_page_table + 1024 * rnd(2), (uint8_t)rnd(2));
			phys_write32(&fast.mem, l1 + 4 * s, d);
		} else if (r < 965) {
			enum tlb_scope sc = (enum tlb_scope)rnd(3);
			uint32_t va = 0xc0000000u + rnd(6) * 0x100000u + rnd(0x100000);
			uint8_t asid = (uint8_t)rnd(3);
			tlb_invalidate_mva(fast.tlb, sc, va, asid);
			tlb_invalidate_mva(slow.tlb, sc, va, asid);
			ref_invalidate(&ref, sc, REF_MVA, va, asid);
		} else if (r < 975) {
			enum tlb_scope sc = (enum tlb_scope)rnd(3);
			uint32_t va = pk + rnd(16) * 4096u;
			uint8_t asid = (uint8_t)rnd(3);
			tlb_invalidate_mva(fast.tlb, sc, va, asid);
			tlb_invalidate_mva(slow.tlb, sc, va, asid);
			ref_invalidate(&ref, sc, REF_MVA, va, asid);
		} else if (r < 980) {
			enum tlb_scope sc = (enum tlb_scope)rnd(3);
			tlb_invalidate_all(fast.tlb, sc);
			tlb_invalidate_all(slow.tlb, sc);
			ref_invalidate(&ref, sc, REF_ALL, 0, 0);
		} else if (r < 985) {
			enum tlb_scope sc = (enum tlb_scope)rnd(3);
			uint8_t asid = (uint8_t)rnd(3);
			tlb_invalidate_asid(fast.tlb, sc, asid);
			tlb_invalidate_asid(slow.tlb, sc, asid);
			ref_invalidate(&ref, sc, REF_ASID, 0, asid);
		} else if (r < 990) {
			enum tlb_scope sc = (enum tlb_scope)rnd(3);
			uint32_t va = pk + rnd(16) * 4096u;
			tlb_invalidate_mva_all_asid(fast.tlb, sc, va);
			tlb_invalidate_mva_all_asid(slow.tlb, sc, va);
			ref_invalidate(&ref, sc, REF_MVA_ALL_ASID, va, 0);
		} else if (r < 995) {
			fast.regs.contextidr = slow.regs.contextidr = rnd(3);
			tlb_reg_write(fast.tlb, CORE_REG_CONTEXTIDR);
			tlb_reg_write(slow.tlb, CORE_REG_CONTEXTIDR);
			ref_reg_write(&ref, CORE_REG_CONTEXTIDR);
		} else {
			static const uint32_t dacrs[] = { 0x1, 0x3, 0x0, 0x5, 0xd, 0x7 };
			fast.regs.dacr = slow.regs.dacr = dacrs[rnd(6)];
			if (rnd(2)) {
				tlb_reg_write(fast.tlb, CORE_REG_DACR);
				tlb_reg_write(slow.tlb, CORE_REG_DACR);
				ref_reg_write(&ref, CORE_REG_DACR);
			}
		}
		if (!same_stats(&fast, &slow)) {
			fprintf(stderr, "%s seed %llu: statistics differ after op %ld\n", core, (unsigned long long)seed, op);
			mismatches++;
		}
		if (use_ref && !same_as_ref(&fast, &ref)) {
			const struct tlb_stats *x = tlb_stats(fast.tlb);
			fprintf(stderr, "%s seed %llu: statistics differ from the reference after op %ld: "
				"acc %llu/%llu walks %llu/%llu reads %llu/%llu micro %llu/%llu main %llu/%llu misses %llu/%llu inval %llu/%llu cycles %llu/%llu stale %llu/%llu\n",
				core, (unsigned long long)seed, op, (unsigned long long)x->accesses, (unsigned long long)ref.st.accesses, (unsigned long long)x->walks, (unsigned long long)ref.st.walks, (unsigned long long)x->walk_reads, (unsigned long long)ref.st.walk_reads, (unsigned long long)x->micro_hits,
				(unsigned long long)ref.st.micro_hits, (unsigned long long)x->main_hits,
				(unsigned long long)ref.st.main_hits, (unsigned long long)x->misses,
				(unsigned long long)ref.st.misses, (unsigned long long)x->invalidated,
				(unsigned long long)ref.st.invalidated, (unsigned long long)fast.stats.cycles,
				(unsigned long long)ref.cycles, (unsigned long long)fast.stats.stale_tlb,
				(unsigned long long)ref.stale);
			mismatches++;
		}
	}
	CHECK(mismatches == 0);
	/* The run exercised what it is about. */
	CHECK(tlb_stats(fast.tlb)->micro_hits > 1000 && fast.stats.stale_tlb > 0 && tlb_stats(fast.tlb)->walks > 100);
	ref_free(&ref);
	tlb_destroy(fast.tlb);
	tlb_destroy(slow.tlb);
	munmap(host, ram);
	return mismatches;
}

int main(void)
{
	const char *cores[] = { "cortex-a7", "cortex-a9", "cortex-a15", "arm1176" };
	for (unsigned c = 0; c < 4; c++)
		for (uint64_t seed = 1; seed <= 6; seed++)
			run(cores[c], seed * 0x9e3779b97f4a7c15ull, 60000);
	return check_done();
}
