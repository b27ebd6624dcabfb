/* SPDX-License-Identifier: MIT */
/* Unit tests of the AArch64 hazard rules (mm/hazard_a64.c) on tables built
 * in a small fake RAM: VA_BITS 39 (pgd at level 1) and 48 (level 0).  Each
 * sequence's expected counts follow from the rules in mm/hazard_a64.h
 * (ARMv8-A ARM DDI 0487 D5.10.1, D5.10.2, D5.9.1), worked out here:
 * a change of a valid descriptor leaves its old translation possibly
 * cached until a covering TLBI, DSB and ISB; a last-level TLBI does not
 * cover a table entry; a valid -> valid change of output address (when
 * writable), memory type, shareability, block <-> table or nG -> G needs
 * break-before-make. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hazard_a64.h"

#define RAM 0x40000000ull
#define PGD (RAM + 0x0000)
#define PMD (RAM + 0x1000)
#define PTE (RAM + 0x2000)
#define PTE2 (RAM + 0x3000) /* a second pte table */
#define PUD48 (RAM + 0x4000) /* VA_BITS 48: level-1 table under the level-0 pgd */
#define PAGE_A (RAM + 0x200000)
#define PAGE_B (RAM + 0x201000)
#define BLOCK_A (RAM + 0x200000) /* 2 MiB aligned */
#define BLOCK_B (RAM + 0x400000)
#define VA 0xffffffc008000000ull /* MODULES_VADDR, VA_BITS 39: a 2 MiB aligned region */
#define VA48 0xffff800008000000ull
#define OPND(va) ((((va) >> 12) & ((1ull << 44) - 1)))
#define OPND_ASID(va, asid) (OPND(va) | (uint64_t)(asid) << 48)
#define PAGE(pa) ((pa) | 0x703ull)                /* AF, SH inner, page, AttrIndx 0 */
#define BLOCK(pa) ((pa) | 0x701ull)               /* the same as a level-2 block */
#define TABLE(pa) ((pa) | 3ull)

static uint8_t *host;
static struct a64_mem mem;
static struct a64_hazard h;
static struct a64_hz_report r;

static uint64_t *at(uint64_t pa)
{
	return (uint64_t *)(host + (pa - RAM));
}

static uint64_t entry(uint64_t table, uint64_t va, unsigned level)
{
	return table + 8 * ((va >> a64_hz_shift(level)) & 511);
}

/* VA_BITS 39: pgd (level 1) -> pmd -> pte; pte entries 0..15 map PAGE_A + i pages. */
static void setup39(void)
{
	memset(host, 0, 8 << 20);
	*at(entry(PGD, VA, 1)) = TABLE(PMD);
	*at(entry(PMD, VA, 2)) = TABLE(PTE);
	for (unsigned i = 0; i < 16; i++) {
		*at(PTE + 8 * i) = PAGE(PAGE_A + i * 4096ull);
		*at(PTE2 + 8 * i) = PAGE(PAGE_B + i * 4096ull);
	}
	a64_hazard_init(&h, &mem, 39, RAM + 0x7000, PGD);
}

/* A store as the machine reports it: the old value from RAM, then written. */
static enum a64_hz_kind store(uint64_t pa, uint64_t v)
{
	enum a64_hz_kind k = a64_hazard_pt_store(&h, pa, *at(pa), v, &r);
	*at(pa) = v;
	return k;
}

static void tlbi(enum a64_tlbi op, uint64_t operand)
{
	a64_hazard_tlbi(&h, op, operand, &r);
}

static void done_sync(void)
{
	a64_hazard_dsb(&h);
	a64_hazard_isb(&h);
}

static void pages(void)
{
	uint64_t e5 = PTE + 5 * 8, va5 = VA + 5 * 4096;
	/* Invalid -> valid: a fault is never cached, nothing to check. */
	setup39();
	store(PTE + 100 * 8, PAGE(PAGE_A));
	CHECK(a64_hazard_quiet(&h));
	/* Retarget (writable: also a bbm), no TLBI: every access is stale
	 * until a covering TLBI completes; another page is not. */
	setup39();
	CHECK(store(e5, PAGE(PAGE_B)) == A64_HZ_BBM && h.stats.bbm == 1 && r.level == 3);
	CHECK(a64_hazard_access(&h, va5 + 12, &r) == A64_HZ_STALE && r.old == PAGE(PAGE_A + 5 * 4096));
	CHECK(r.now == PAGE(PAGE_B) && !r.table && r.global);
	CHECK(a64_hazard_access(&h, va5 + 4096, &r) == A64_HZ_NONE);
	CHECK(h.stats.stale == 1);
	/* Break-before-make done right: STR 0; DSB; TLBI; DSB; ISB; STR new -> nothing. */
	setup39();
	CHECK(store(e5, 0) == A64_HZ_NONE);
	a64_hazard_dsb(&h);
	CHECK(a64_hazard_tlbi(&h, A64_TLBI_VAALE1IS, OPND(va5), &r) == A64_HZ_NONE);
	done_sync();
	CHECK(a64_hazard_quiet(&h));
	CHECK(store(e5, PAGE(PAGE_B)) == A64_HZ_NONE && h.stats.bbm == 0);
	/* The make before the break's TLBI completed (DSB missing): bbm. */
	setup39();
	store(e5, 0);
	a64_hazard_dsb(&h);
	tlbi(A64_TLBI_VAALE1IS, OPND(va5));
	CHECK(store(e5, PAGE(PAGE_B)) == A64_HZ_BBM && r.old == PAGE(PAGE_A + 5 * 4096));
	/* TLBI before the DSB that publishes the store. */
	setup39();
	store(e5, 0);
	CHECK(a64_hazard_tlbi(&h, A64_TLBI_VAE1IS, OPND(va5), &r) == A64_HZ_BARRIER_STORE);
	CHECK(r.va == va5 && r.pte_pa == e5 && h.stats.barrier == 1);
	/* Access between TLBI and DSB, and between DSB and ISB. */
	setup39();
	store(e5, 0);
	a64_hazard_dsb(&h);
	tlbi(A64_TLBI_VAALE1IS, OPND(va5));
	CHECK(a64_hazard_access(&h, va5, &r) == A64_HZ_BARRIER_ACCESS);
	a64_hazard_dsb(&h);
	CHECK(a64_hazard_access(&h, va5, &r) == A64_HZ_BARRIER_ACCESS);
	a64_hazard_isb(&h);
	CHECK(a64_hazard_access(&h, va5, &r) == A64_HZ_NONE && h.stats.barrier == 2);
	/* ASIDE1IS leaves global entries: still stale; VMALLE1IS covers. */
	setup39();
	store(e5, 0);
	a64_hazard_dsb(&h);
	tlbi(A64_TLBI_ASIDE1IS, 0);
	done_sync();
	CHECK(a64_hazard_access(&h, va5, &r) == A64_HZ_STALE && r.now == 0);
	tlbi(A64_TLBI_VMALLE1IS, 0);
	done_sync();
	CHECK(a64_hazard_quiet(&h));
	/* The same translation again (only AF, DBM differ) is no hazard;
	 * a permission-only change (AP[2]) needs no break-before-make. */
	setup39();
	CHECK(store(e5, *at(e5) | PTE_DBM) == A64_HZ_NONE);
	CHECK(a64_hazard_access(&h, va5, &r) == A64_HZ_NONE);
	CHECK(store(e5, *at(e5) | PTE_RDONLY) == A64_HZ_NONE && h.stats.bbm == 0);
	/* A read-only page retargeted to another read-only page: no bbm (the
	 * OA rule applies only when one of them is writable); memory type
	 * (AttrIndx 0 -> 5) on the same page: bbm. */
	setup39();
	*at(e5) |= PTE_RDONLY;
	CHECK(store(e5, PAGE(PAGE_B) | PTE_RDONLY) == A64_HZ_NONE);
	CHECK(store(e5, PAGE(PAGE_B) | PTE_RDONLY | PTE_ATTRINDX(5)) == A64_HZ_BBM && h.stats.bbm == 1);
	/* A store outside any watched table is not tracked. */
	setup39();
	store(RAM + 0x100000, PAGE(PAGE_B));
	CHECK(a64_hazard_quiet(&h) && !a64_hazard_pt_watched(&h, RAM + 0x100000) && a64_hazard_pt_watched(&h, PTE));
}

static void blocks_and_tables(void)
{
	uint64_t pmd_e = entry(PMD, VA, 2), pgd_e = entry(PGD, VA, 1);
	/* A level-2 block retargeted directly: bbm at the store; a last-level
	 * TLBI anywhere in its 2 MiB covers it (a block is a leaf entry). */
	setup39();
	*at(pmd_e) = BLOCK(BLOCK_A);
	CHECK(store(pmd_e, BLOCK(BLOCK_B)) == A64_HZ_BBM && r.level == 2);
	CHECK(a64_hazard_access(&h, VA + 0x12345, &r) == A64_HZ_STALE && r.level == 2 && !r.table);
	a64_hazard_dsb(&h);
	tlbi(A64_TLBI_VAALE1IS, OPND(VA + 0x1ff000));
	done_sync();
	CHECK(a64_hazard_quiet(&h) && h.stats.stale == 1 && h.stats.bbm == 1);
	/* Table -> block (same memory): bbm (the size changes), no stale. */
	setup39();
	CHECK(store(pmd_e, BLOCK(PAGE_A)) == A64_HZ_BBM);
	CHECK(a64_hazard_access(&h, VA + 0x3000, &r) == A64_HZ_NONE);
	/* Table pointer replaced by break-then-make with a last-level TLBI:
	 * the cached table entry stays, so an access is stale (the old table
	 * maps PAGE_A, the new one PAGE_B); table -> table is no bbm case. */
	setup39();
	store(pmd_e, 0);
	a64_hazard_dsb(&h);
	tlbi(A64_TLBI_VAALE1IS, OPND(VA));
	done_sync();
	CHECK(!a64_hazard_quiet(&h));
	CHECK(store(pmd_e, TABLE(PTE2)) == A64_HZ_NONE);
	CHECK(a64_hazard_access(&h, VA + 0x3000, &r) == A64_HZ_STALE && r.table && r.last_level_only);
	CHECK(r.old == TABLE(PTE) && r.now == PAGE(PAGE_B + 3 * 4096) && r.level == 2);
	/* ... a TLBI VAAE1IS (all levels) of one page then removes the table
	 * entry and that page's, but the other 15 pages cached through the old
	 * table may stay: page 4 is still stale; VMALLE1IS covers all. */
	tlbi(A64_TLBI_VAAE1IS, OPND(VA + 0x3000));
	done_sync();
	CHECK(a64_hazard_access(&h, VA + 0x3000, &r) == A64_HZ_NONE);
	CHECK(a64_hazard_access(&h, VA + 0x4000, &r) == A64_HZ_STALE && r.level == 3 && !r.table);
	CHECK(r.old == PAGE(PAGE_A + 4 * 4096) && r.pte_pa == PTE + 4 * 8 && h.stats.stale == 2);
	tlbi(A64_TLBI_VMALLE1IS, 0);
	done_sync();
	CHECK(a64_hazard_quiet(&h) && h.stats.bbm == 0);
	/* The same with VAAE1IS of each of the 16 mapped pages: nothing. */
	setup39();
	store(pmd_e, 0);
	a64_hazard_dsb(&h);
	for (unsigned i = 0; i < 16; i++)
		tlbi(A64_TLBI_VAAE1IS, OPND(VA + i * 4096ull));
	done_sync();
	CHECK(a64_hazard_quiet(&h));
	CHECK(store(pmd_e, TABLE(PTE2)) == A64_HZ_NONE);
	CHECK(a64_hazard_access(&h, VA + 0x3000, &r) == A64_HZ_NONE && h.stats.stale == 0 && h.stats.bbm == 0);
	/* The new table is watched from its pointer's store. */
	CHECK(a64_hazard_pt_watched(&h, PTE2 + 8));
	/* Table -> table directly (same contents elsewhere): no bbm, and no
	 * stale while both give the same translation. */
	setup39();
	memcpy(at(PTE2), at(PTE), 4096);
	CHECK(store(pmd_e, TABLE(PTE2)) == A64_HZ_NONE);
	CHECK(a64_hazard_access(&h, VA + 0x3000, &r) == A64_HZ_NONE);
	/* A level-1 table entry (the pgd of VA_BITS 39) cleared with no TLBI:
	 * the old walk still translates, the new one faults: stale. */
	setup39();
	store(pgd_e, 0);
	CHECK(a64_hazard_access(&h, VA + 0x5000, &r) == A64_HZ_STALE && r.level == 1 && r.table && r.now == 0);
	/* A level-1 block (1 GiB) replaced by another: bbm; VAE1IS of an
	 * address 512 MiB into it covers it. */
	setup39();
	*at(pgd_e) = BLOCK(RAM);
	CHECK(store(pgd_e, BLOCK(RAM + (1ull << 30))) == A64_HZ_BBM && r.level == 1);
	CHECK(a64_hazard_access(&h, VA + (512ull << 20), &r) == A64_HZ_STALE);
	a64_hazard_dsb(&h);
	tlbi(A64_TLBI_VAE1IS, OPND(VA + (512ull << 20)));
	done_sync();
	CHECK(a64_hazard_quiet(&h));
}

/* VA_BITS 48: a level-0 table pointer changed, VALE1IS leaves it, VAE1IS covers. */
static void level0(void)
{
	memset(host, 0, 8 << 20);
	uint64_t pgd_e = entry(PGD, VA48, 0);
	*at(pgd_e) = TABLE(PUD48);
	*at(entry(PUD48, VA48, 1)) = TABLE(PMD);
	*at(entry(PMD, VA48, 2)) = TABLE(PTE);
	*at(PTE) = PAGE(PAGE_A);
	a64_hazard_init(&h, &mem, 48, RAM + 0x7000, PGD);
	CHECK(a64_hazard_pt_watched(&h, PTE) && a64_hazard_pt_watched(&h, PUD48));
	store(pgd_e, 0);
	a64_hazard_dsb(&h);
	tlbi(A64_TLBI_VALE1IS, OPND(VA48));
	done_sync();
	CHECK(a64_hazard_access(&h, VA48, &r) == A64_HZ_STALE && r.level == 0 && r.last_level_only);
	tlbi(A64_TLBI_VAE1IS, OPND(VA48));
	done_sync();
	CHECK(a64_hazard_quiet(&h) && h.stats.stale == 1);
}

/* Non-global pages and ASIDs (D5.9.1): the old translation is kept under
 * every ASID seen so far; an access is checked only against its own
 * ASID's and global ones; TLBI VAE1 and ASIDE1 name an ASID, VAAE1 all. */
static void asids(void)
{
	uint64_t e5 = PTE + 5 * 8, va5 = VA + 5 * 4096;
	setup39();
	*at(e5) |= PTE_NG;
	a64_hazard_set_regime(&h, RAM + 0x7000, PGD, 5, false); /* ASIDs seen: 0, 5 */
	store(e5, 0);                                          /* 2 entries: ASID 0 and 5 */
	CHECK(a64_hazard_access(&h, va5, &r) == A64_HZ_STALE && !r.global && r.asid == 5);
	a64_hazard_set_regime(&h, RAM + 0x7000, PGD, 6, false); /* 6: not current while it was valid */
	CHECK(a64_hazard_access(&h, va5, &r) == A64_HZ_NONE);
	/* VAE1IS with ASID 5 (8-bit ASIDs: bits [63:56] ignored) covers ASID 5's. */
	a64_hazard_dsb(&h);
	tlbi(A64_TLBI_VAE1IS, OPND_ASID(va5, 0x105));
	done_sync();
	a64_hazard_set_regime(&h, RAM + 0x7000, PGD, 5, false);
	CHECK(a64_hazard_access(&h, va5, &r) == A64_HZ_NONE);
	a64_hazard_set_regime(&h, RAM + 0x7000, PGD, 0, false);
	CHECK(a64_hazard_access(&h, va5, &r) == A64_HZ_STALE && r.asid == 0);
	tlbi(A64_TLBI_ASIDE1IS, OPND_ASID(0, 0));
	done_sync();
	CHECK(a64_hazard_quiet(&h) && h.stats.stale == 2);
	/* 16-bit ASIDs: ASID 0x105 is not 5. */
	setup39();
	*at(e5) |= PTE_NG;
	a64_hazard_set_regime(&h, RAM + 0x7000, PGD, 0x105, true);
	store(e5, 0);
	a64_hazard_dsb(&h);
	tlbi(A64_TLBI_ASIDE1IS, OPND_ASID(0, 5));
	done_sync();
	CHECK(a64_hazard_access(&h, va5, &r) == A64_HZ_STALE && r.asid == 0x105);
	tlbi(A64_TLBI_VAAE1IS, OPND(va5)); /* any ASID: both go */
	done_sync();
	CHECK(a64_hazard_quiet(&h));
	/* nG -> global on a live entry: bbm. */
	setup39();
	*at(e5) |= PTE_NG;
	CHECK(store(e5, *at(e5) & ~PTE_NG) == A64_HZ_BBM);
}

int main(void)
{
	host = calloc(1, 8 << 20);
	mem = (struct a64_mem){ .host = host, .base = RAM, .size = 8 << 20 };
	pages();
	blocks_and_tables();
	level0();
	asids();
	free(host);
	return check_done();
}
