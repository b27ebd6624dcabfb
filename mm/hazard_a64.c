/* SPDX-License-Identifier: MIT */
/* The AArch64 TLB-hazard checker (rules in hazard_a64.h). */
#include "hazard_a64.h"

#include <string.h>

#define PAGE_MASK_A64 (~(A64_PAGE_SIZE - 1))

void a64_hazard_init(struct a64_hazard *h)
{
	memset(h, 0, sizeof(*h));
}

void a64_hazard_watch_table(struct a64_hazard *h, uint64_t pa, uint64_t va)
{
	pa &= PAGE_MASK_A64;
	for (unsigned i = 0; i < h->ntables; i++)
		if (h->tables[i].pa == pa) {
			h->tables[i].va = va;
			return;
		}
	if (h->ntables == A64_HZ_TABLES) {
		h->stats.untracked++;
		return;
	}
	h->tables[h->ntables].pa = pa;
	h->tables[h->ntables++].va = va & ~(SZ_2M - 1);
}

static int table_of(const struct a64_hazard *h, uint64_t pa)
{
	for (unsigned i = 0; i < h->ntables; i++)
		if (h->tables[i].pa == (pa & PAGE_MASK_A64))
			return (int)i;
	return -1;
}

bool a64_hazard_pt_watched(const struct a64_hazard *h, uint64_t pa)
{
	return table_of(h, pa) >= 0;
}

void a64_hazard_pt_store(struct a64_hazard *h, uint64_t pa, uint64_t old, uint64_t new_desc)
{
	int t = table_of(h, pa);
	if (t < 0 || old == new_desc || !(old & PTE_VALID))
		return; /* a fault is never cached: writing an invalid entry's successor is safe */
	uint64_t va = h->tables[t].va + (((pa & (A64_PAGE_SIZE - 1)) >> 3) << A64_PAGE_SHIFT);
	if (h->nset == A64_HZ_SET_MAX || h->nunpub == A64_HZ_SET_MAX) {
		h->stats.untracked++;
		return;
	}
	h->set[h->nset++] = (struct a64_hz_entry){ .va = va, .old = old, .pte_pa = pa, .state = 0 };
	h->unpublished[h->nunpub].va = va;
	h->unpublished[h->nunpub++].pte_pa = pa;
}

/* The operand holds VA[55:12] in bits [43:0] (__TLBI_VADDR). */
static bool covers(enum a64_tlbi op, uint64_t operand, uint64_t va)
{
	const uint64_t vpn = (1ull << 44) - 1;
	switch (op) {
	case A64_TLBI_VMALLE1IS: case A64_TLBI_VMALLE1: return true;
	case A64_TLBI_ASIDE1IS: case A64_TLBI_ASIDE1: return false; /* kernel entries are global */
	default: return (operand & vpn) == ((va >> A64_PAGE_SHIFT) & vpn);
	}
}

enum a64_hz_kind a64_hazard_tlbi(struct a64_hazard *h, enum a64_tlbi op, uint64_t operand, uint64_t *bad_va,
				 uint64_t *pte_pa)
{
	enum a64_hz_kind k = A64_HZ_NONE;
	for (unsigned i = 0; i < h->nunpub;) {
		if (covers(op, operand, h->unpublished[i].va)) {
			if (k == A64_HZ_NONE) {
				k = A64_HZ_BARRIER_STORE;
				*bad_va = h->unpublished[i].va;
				*pte_pa = h->unpublished[i].pte_pa;
			}
			h->stats.barrier++;
			h->unpublished[i] = h->unpublished[--h->nunpub];
		} else {
			i++;
		}
	}
	for (unsigned i = 0; i < h->nset; i++)
		if (covers(op, operand, h->set[i].va))
			h->set[i].state = 1;
	return k;
}

void a64_hazard_dsb(struct a64_hazard *h)
{
	h->nunpub = 0;
	for (unsigned i = 0; i < h->nset; i++)
		if (h->set[i].state == 1)
			h->set[i].state = 2;
}

void a64_hazard_isb(struct a64_hazard *h)
{
	for (unsigned i = 0; i < h->nset;)
		if (h->set[i].state == 2)
			h->set[i] = h->set[--h->nset];
		else
			i++;
}

/* Two descriptors give the same translation if both map the same page
 * with the same attributes and permissions (AF and DBM aside: hardware
 * and software flags the walk does not change the translation by). */
static bool same_translation(uint64_t a, uint64_t b)
{
	uint64_t ignore = PTE_AF | PTE_DBM;
	return (a & PTE_VALID) && (b & PTE_VALID) && (a & ~ignore) == (b & ~ignore);
}

enum a64_hz_kind a64_hazard_access(struct a64_hazard *h, uint64_t va, uint64_t cur, uint64_t *old)
{
	va &= PAGE_MASK_A64;
	for (unsigned i = 0; i < h->nset; i++) {
		const struct a64_hz_entry *e = &h->set[i];
		if (e->va != va || same_translation(e->old, cur))
			continue;
		*old = e->old;
		if (e->state == 0) {
			h->stats.stale++;
			return A64_HZ_STALE;
		}
		h->stats.barrier++;
		return A64_HZ_BARRIER_ACCESS;
	}
	return A64_HZ_NONE;
}
