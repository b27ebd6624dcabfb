/* SPDX-License-Identifier: MIT */
/* The AArch64 TLB model (mm/tlb_a64.c) on hand-built VA_BITS 39 and 48
 * tables.  Expected numbers come from the TRM geometries and the ARMv8-A
 * TLBI rules, worked out here:
 *   - a VA_BITS 39 walk of a 4 KiB page reads 3 descriptors (L1, L2, L3),
 *     of a 2 MiB block 2; VA_BITS 48 adds the level-0 read;
 *   - A53 (DDI 0500 5.1): 10-entry micro TLBs, 512-entry 4-way main TLB
 *     (128 sets: pages 128 apart share a set), 64-entry walk cache that
 *     holds the L3 table pointer of a page walk, so a walk-cache hit reads
 *     only the L3 descriptor; every maintenance op empties the micro TLBs;
 *   - A72 (100095 5.2): 32-entry L1 data TLB, maintenance is selective;
 *   - A57 (DDI 0488 5.2.1, 5.2.2): the L1 TLBs hold at most 1 MB of a
 *     larger mapping (the 1 MB region of the access); 48/32 entries;
 *   - TLBI VALE1* leaves walk-cache entries, VAE1* removes them;
 *     ASIDE1 removes only non-global entries of its ASID. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tlb_a64.h"

#define BASE 0x40000000ull
#define SIZE (8ull << 20)

static uint8_t *ram;
static struct a64_mem mem;
static uint64_t next_table;

static uint64_t new_table(void)
{
	uint64_t pa = next_table;
	next_table += 4096;
	memset(a64_table(&mem, pa), 0, 4096);
	return pa;
}

/* Tables for kernel VA `va`: a 4 KiB page (nG as asked) or a 2 MiB block. */
static uint64_t *entry(uint64_t root, unsigned va_bits, uint64_t va, unsigned stop)
{
	uint64_t table = root;
	for (unsigned lvl = va_bits == 48 ? 0 : 1;; lvl++) {
		uint64_t *e = &a64_table(&mem, table)[(va >> (12 + 9 * (3 - lvl))) & 511];
		if (lvl == stop)
			return e;
		if (!(*e & 1))
			*e = new_table() | 3;
		table = *e & PTE_ADDR_MASK;
	}
}

static void map_page(uint64_t root, unsigned va_bits, uint64_t va, uint64_t pa, bool ng)
{
	*entry(root, va_bits, va, 3) = pa | PAGE_KERNEL | (ng ? PTE_NG : 0);
}

static void map_block(uint64_t root, unsigned va_bits, uint64_t va, uint64_t pa)
{
	*entry(root, va_bits, va, 2) = pa | ((PAGE_KERNEL & ~3ull) | 1);
}

#define KVA39 0xffffffc010000000ull
#define KVA48 0xffff800010000000ull

static struct a64_regime regime(uint64_t root, unsigned va_bits, uint16_t asid)
{
	return (struct a64_regime){ .mem = &mem, .ttbr0 = 0, .ttbr1 = root, .va_bits = va_bits, .asid = asid };
}

static enum a64_hit acc(struct a64_tlb *t, const struct a64_regime *r, uint64_t va, uint64_t *reads)
{
	bool ok;
	uint64_t pa, before = t->stats.walk_reads;
	enum a64_hit h = a64_tlb_access(t, A64_SIDE_D, r, va, &ok, &pa);
	CHECK(ok);
	if (reads)
		*reads = t->stats.walk_reads - before;
	return h;
}

static void test_a53(void)
{
	next_table = BASE;
	uint64_t root = new_table();
	/* 1 MiB of pages at KVA39, to physical BASE + 4 MiB + i pages. */
	for (uint64_t i = 0; i < 1024; i++)
		map_page(root, 39, KVA39 + i * 4096, BASE + (4ull << 20) + (i % 256) * 4096, false);
	struct a64_tlb t;
	CHECK_EQ(a64_tlb_init(&t, a64_tlb_profile_find("cortex-a53")), 0);
	struct a64_regime r = regime(root, 39, 0);
	uint64_t reads;
	bool ok;
	uint64_t pa;
	CHECK_EQ(a64_tlb_access(&t, A64_SIDE_D, &r, KVA39 + 5 * 4096 + 7, &ok, &pa), A64_HIT_WALK);
	CHECK(ok);
	CHECK_EQ(pa, BASE + (4ull << 20) + 5 * 4096 + 7);
	CHECK_EQ(t.stats.walk_reads, 3);
	CHECK_EQ(acc(&t, &r, KVA39 + 5 * 4096, NULL), A64_HIT_MICRO);
	/* Pages 6..15 (ten more, same 2 MiB region): walk-cache hits, one read each. */
	for (uint64_t i = 6; i < 16; i++) {
		CHECK_EQ(acc(&t, &r, KVA39 + i * 4096, &reads), A64_HIT_WALK);
		CHECK_EQ(reads, 1);
	}
	CHECK_EQ(t.stats.walk_cache_hits, 10);
	/* Eleven pages through a 10-entry round-robin micro TLB: page 5 left it. */
	CHECK_EQ(acc(&t, &r, KVA39 + 5 * 4096, NULL), A64_HIT_MAIN);
	/* The I side has its own micro TLB: a main hit there too. */
	CHECK_EQ(a64_tlb_access(&t, A64_SIDE_I, &r, KVA39 + 6 * 4096, &ok, &pa), A64_HIT_MAIN);
	/* Set 5 of 128: pages 5, 133, 261, 389 fill its 4 ways, 517 evicts
	 * the oldest (page 5), so page 5 walks again (walk cache: 1 read). */
	for (uint64_t i = 1; i <= 4; i++)
		CHECK_EQ(acc(&t, &r, KVA39 + (5 + 128 * i) * 4096, NULL), A64_HIT_WALK);
	struct a64_tlb_entry *m = t.micro[A64_SIDE_D];
	memset(m, 0, 10 * sizeof(*m)); /* forget the micro copies */
	CHECK_EQ(acc(&t, &r, KVA39 + 5 * 4096, &reads), A64_HIT_WALK);
	CHECK_EQ(reads, 1);
	/* Refilling page 5 evicted the next oldest, page 133; 261 is still there. */
	CHECK_EQ(acc(&t, &r, KVA39 + 261 * 4096, NULL), A64_HIT_MAIN);
	/* TLBI VALE1IS of page 261: its main entry goes (micro TLBs are
	 * emptied whatever the op), the walk cache stays: 1 read. */
	unsigned cyc;
	CHECK_EQ(a64_tlb_tlbi(&t, A64_TLBI_VALE1IS, (KVA39 + 261 * 4096) >> 12 & ((1ull << 44) - 1), &cyc), 1);
	CHECK_EQ(cyc, t.p->cost.tlbi_va);
	CHECK_EQ(acc(&t, &r, KVA39 + 6 * 4096, NULL), A64_HIT_MAIN); /* micro emptied */
	CHECK_EQ(acc(&t, &r, KVA39 + 261 * 4096, &reads), A64_HIT_WALK);
	CHECK_EQ(reads, 1);
	/* TLBI VAE1IS of page 261: main entry and its region's walk entry. */
	CHECK_EQ(a64_tlb_tlbi(&t, A64_TLBI_VAE1IS, (KVA39 + 261 * 4096) >> 12 & ((1ull << 44) - 1), &cyc), 2);
	CHECK_EQ(acc(&t, &r, KVA39 + 261 * 4096, &reads), A64_HIT_WALK);
	CHECK_EQ(reads, 3);
	/* VMALLE1IS: everything; the next access walks in full. */
	CHECK(a64_tlb_tlbi(&t, A64_TLBI_VMALLE1IS, 0, &cyc) > 0);
	CHECK_EQ(cyc, t.p->cost.tlbi_all);
	CHECK_EQ(acc(&t, &r, KVA39 + 7 * 4096, &reads), A64_HIT_WALK);
	CHECK_EQ(reads, 3);
	a64_tlb_free(&t);
}

static void test_asid_and_blocks(void)
{
	next_table = BASE;
	uint64_t root = new_table();
	map_page(root, 39, KVA39, BASE + 0x1000, true);            /* nG */
	map_page(root, 39, KVA39 + 4096, BASE + 0x2000, false);    /* global */
	map_block(root, 39, KVA39 + (4ull << 20), BASE + (2ull << 20));
	struct a64_tlb t;
	CHECK_EQ(a64_tlb_init(&t, a64_tlb_profile_find("cortex-a72")), 0);
	struct a64_regime r1 = regime(root, 39, 1), r2 = regime(root, 39, 2);
	uint64_t reads;
	CHECK_EQ(acc(&t, &r1, KVA39, NULL), A64_HIT_WALK);
	CHECK_EQ(acc(&t, &r1, KVA39 + 4096, NULL), A64_HIT_WALK);
	CHECK_EQ(acc(&t, &r2, KVA39, NULL), A64_HIT_WALK);       /* nG: ASID 2 has no entry */
	CHECK_EQ(acc(&t, &r2, KVA39 + 4096, NULL), A64_HIT_MICRO); /* global */
	/* ASIDE1 1: the nG entry of ASID 1 in the L1 and L2 TLBs; A72 is
	 * selective, so ASID 2's entry and the global one stay. */
	unsigned cyc;
	CHECK_EQ(a64_tlb_tlbi(&t, A64_TLBI_ASIDE1, 1ull << 48, &cyc), 2);
	CHECK_EQ(acc(&t, &r2, KVA39, NULL), A64_HIT_MICRO);
	CHECK_EQ(acc(&t, &r1, KVA39 + 4096, NULL), A64_HIT_MICRO);
	CHECK_EQ(acc(&t, &r1, KVA39, NULL), A64_HIT_WALK);
	/* A 2 MiB block: 2 reads, then any page of it hits. */
	CHECK_EQ(acc(&t, &r1, KVA39 + (4ull << 20) + 0x1234, &reads), A64_HIT_WALK);
	CHECK_EQ(reads, 2);
	CHECK_EQ(acc(&t, &r1, KVA39 + (4ull << 20) + (1ull << 20), NULL), A64_HIT_MICRO);
	/* 33 distinct pages through the A72's 32-entry L1 data TLB. */
	for (uint64_t i = 0; i < 33; i++)
		acc(&t, &r1, KVA39 + (4ull << 20) + i * 4096, NULL);
	CHECK_EQ(t.stats.walks, 5);
	a64_tlb_free(&t);
}

/* A 2 MiB block on the A57: each 1 MB half is its own L1 data TLB entry,
 * filled from the L2 TLB; on the A72 (no such limit modelled) one entry. */
static void test_a57_1m(void)
{
	next_table = BASE;
	uint64_t root = new_table();
	uint64_t blk = KVA39 + (4ull << 20);
	map_block(root, 39, blk, BASE + (2ull << 20));
	struct a64_regime r = regime(root, 39, 0);
	struct a64_tlb t;
	CHECK_EQ(a64_tlb_init(&t, a64_tlb_profile_find("cortex-a57")), 0);
	CHECK_EQ(acc(&t, &r, blk + 0x10, NULL), A64_HIT_WALK);
	CHECK_EQ(acc(&t, &r, blk + (1ull << 20) - 8, NULL), A64_HIT_MICRO); /* same 1 MB */
	CHECK_EQ(acc(&t, &r, blk + (1ull << 20), NULL), A64_HIT_MAIN);      /* the other half */
	CHECK_EQ(acc(&t, &r, blk + (1ull << 20) + 0x123, NULL), A64_HIT_MICRO);
	bool ok;
	uint64_t pa;
	a64_tlb_access(&t, A64_SIDE_D, &r, blk + (1ull << 20) + 0x5678, &ok, &pa);
	CHECK(ok && pa == BASE + (2ull << 20) + (1ull << 20) + 0x5678);
	/* 33 distinct 1 MB regions (17 blocks) through the 32-entry L1 DTLB:
	 * the first one's entry is gone, the L2 TLB still has its block. */
	for (uint64_t i = 1; i < 17; i++)
		map_block(root, 39, blk + i * (2ull << 20), BASE + (2ull << 20));
	for (uint64_t i = 0; i < 34; i++)
		acc(&t, &r, blk + i * (1ull << 20), NULL);
	CHECK_EQ(acc(&t, &r, blk, NULL), A64_HIT_MAIN);
	a64_tlb_free(&t);
	CHECK_EQ(a64_tlb_init(&t, a64_tlb_profile_find("cortex-a72")), 0);
	CHECK_EQ(acc(&t, &r, blk + 0x10, NULL), A64_HIT_WALK);
	CHECK_EQ(acc(&t, &r, blk + (1ull << 20), NULL), A64_HIT_MICRO);
	a64_tlb_free(&t);
}

static void test_48(void)
{
	next_table = BASE;
	uint64_t root = new_table();
	map_page(root, 48, KVA48 + 0x3000, BASE + 0x5000, false);
	struct a64_tlb t;
	CHECK_EQ(a64_tlb_init(&t, a64_tlb_profile_find("cortex-a53")), 0);
	struct a64_regime r = regime(root, 48, 0);
	uint64_t reads;
	CHECK_EQ(acc(&t, &r, KVA48 + 0x3010, &reads), A64_HIT_WALK);
	CHECK_EQ(reads, 4);
	bool ok;
	uint64_t pa;
	a64_tlb_access(&t, A64_SIDE_D, &r, KVA48 + 0x4000, &ok, &pa); /* not mapped */
	CHECK(!ok);
	CHECK_EQ(t.stats.faults, 1);
	/* The faulting walk read L0, L1, L2 (from the walk cache: L3 only). */
	CHECK_EQ(t.stats.walk_cache_hits, 1);
	CHECK(a64_tlb_profile_find("cortex-a7") == NULL);
	a64_tlb_free(&t);
}

/* The observed-stale check (hazards.stale_tlb.observed): a hit on an entry
 * whose translation the tables no longer give is flagged after the
 * descriptor change is announced (a64_tlb_tables_changed), a hit on an
 * unchanged one is not; a walk that starts from a walk-cache entry whose
 * table pointer changed is flagged too (A53: the last-level TLBI left it). */
static void test_stale_served(void)
{
	next_table = BASE;
	uint64_t root = new_table();
	map_page(root, 39, KVA39, BASE + 0x5000, false);
	map_page(root, 39, KVA39 + 0x1000, BASE + 0x6000, false);
	struct a64_tlb t;
	CHECK_EQ(a64_tlb_init(&t, a64_tlb_profile_find("cortex-a53")), 0);
	struct a64_regime r = regime(root, 39, 0);
	uint64_t reads;
	acc(&t, &r, KVA39, &reads);
	acc(&t, &r, KVA39 + 0x1000, &reads);
	/* Retarget page 0, announce it: page 0's hit is stale, page 1's not. */
	*entry(root, 39, KVA39, 3) = (BASE + 0x7000) | PAGE_KERNEL;
	a64_tlb_tables_changed(&t);
	CHECK_EQ(acc(&t, &r, KVA39 + 0x1000, &reads), A64_HIT_MICRO);
	CHECK(!t.stale && t.stats.stale_served == 0);
	CHECK_EQ(acc(&t, &r, KVA39, &reads), A64_HIT_MICRO);
	CHECK(t.stale && t.stats.stale_served == 1 && (t.stale_desc & PTE_ADDR_MASK) == BASE + 0x5000);
	CHECK((t.stale_now & PTE_ADDR_MASK) == BASE + 0x7000);
	/* After TLBI VAE1 of it the walk gives the new page: not stale. */
	unsigned cycles;
	a64_tlb_tlbi(&t, A64_TLBI_VAE1IS, (KVA39 >> 12) & ((1ull << 44) - 1), &cycles);
	acc(&t, &r, KVA39, &reads);
	CHECK(!t.stale && t.stats.stale_served == 1);
	/* The L2 entry now points at a new table mapping page 1 elsewhere;
	 * a last-level TLBI of page 1 keeps the walk-cache entry, so the next
	 * walk reads the old table: stale. */
	uint64_t *pmd = entry(root, 39, KVA39, 2);
	uint64_t old_table = *pmd & PTE_ADDR_MASK, table2 = new_table();
	memcpy(a64_table(&mem, table2), a64_table(&mem, old_table), 4096);
	a64_table(&mem, table2)[1] = (BASE + 0x8000) | PAGE_KERNEL;
	*pmd = table2 | 3;
	a64_tlb_tables_changed(&t);
	a64_tlb_tlbi(&t, A64_TLBI_VAALE1IS, ((KVA39 + 0x1000) >> 12) & ((1ull << 44) - 1), &cycles);
	CHECK_EQ(acc(&t, &r, KVA39 + 0x1000, &reads), A64_HIT_WALK);
	CHECK(t.stale && t.stats.stale_served == 2 && t.stats.walk_cache_hits >= 1);
	/* ... and with VAE1 (all levels) the walk starts from the TTBR. */
	a64_tlb_tlbi(&t, A64_TLBI_VAE1IS, ((KVA39 + 0x1000) >> 12) & ((1ull << 44) - 1), &cycles);
	acc(&t, &r, KVA39 + 0x1000, &reads);
	CHECK(!t.stale && t.stats.stale_served == 2);
	a64_tlb_free(&t);
}

int main(void)
{
	ram = calloc(1, SIZE);
	mem = (struct a64_mem){ ram, BASE, SIZE };
	test_a53();
	test_asid_and_blocks();
	test_a57_1m();
	test_48();
	test_stale_served();
	free(ram);
	return check_done();
}
