/* SPDX-License-Identifier: MIT */
/* The arm64 fixmap and early_ioremap, step for step with Linux v5.10:
 * enum fixed_addresses (arch/arm64/include/asm/fixmap.h),
 * early_fixmap_init() and __set_fixmap() (arch/arm64/mm/mmu.c),
 * flush_tlb_kernel_range() (arch/arm64/include/asm/tlbflush.h) and
 * early_ioremap()/early_iounmap() (mm/early_ioremap.c).
 * The v5.0 seed differs in none of these steps except that v5.0's
 * __set_fixmap() and early_fixmap_init() walk pgd->pud->pmd without the p4d
 * level that v5.8 added (folded away on arm64 either way). */
#include "arm64.h"

#include <stdio.h>
#include <string.h>

/* The enum's values depend on three config options: GHES slots, SDEI slots
 * (only with GHES) and the KPTI trampoline slots. */
void a64_fixmap_enum_init(struct a64_fixmap_enum *e, const struct a64_config *cfg)
{
	unsigned n = 0;
	memset(e, 0, sizeof(*e));
	e->fix_hole = n++;
	e->fix_fdt_end = n++;
	e->fix_fdt = e->fix_fdt_end + (unsigned)(FIX_FDT_SIZE / A64_PAGE_SIZE) - 1;
	n = e->fix_fdt + 1;
	e->fix_earlycon_mem_base = n++;
	e->fix_text_poke0 = n++;
	e->fix_apei_ghes_irq = e->fix_apei_ghes_sea = -1;
	e->fix_apei_ghes_sdei_normal = e->fix_apei_ghes_sdei_critical = -1;
	e->fix_entry_tramp_data = e->fix_entry_tramp_text = -1;
	if (cfg->acpi_apei_ghes) {
		e->fix_apei_ghes_irq = (int)n++;
		e->fix_apei_ghes_sea = (int)n++;
		if (cfg->arm_sde_interface) {
			e->fix_apei_ghes_sdei_normal = (int)n++;
			e->fix_apei_ghes_sdei_critical = (int)n++;
		}
	}
	if (cfg->unmap_kernel_at_el0) {
		e->fix_entry_tramp_data = (int)n++;
		e->fix_entry_tramp_text = (int)n++;
	}
	e->end_of_permanent = n;
	e->fix_btmap_end = n;
	e->fix_btmap_begin = e->fix_btmap_end + (unsigned)TOTAL_FIX_BTMAPS - 1;
	n = e->fix_btmap_begin + 1;
	e->fix_pte = n++;
	e->fix_pmd = n++;
	e->fix_pud = n++;
	e->fix_pgd = n++;
	e->end_of_fixed = n;
}

uint64_t a64_fix_to_virt(const struct a64_kernel *k, unsigned idx)
{
	return k->layout.fixaddr_top - ((uint64_t)idx << A64_PAGE_SHIFT);
}

/* asm-generic/fixmap.h: BUG_ON outside [FIXADDR_START, FIXADDR_TOP). */
long a64_virt_to_fix(const struct a64_kernel *k, uint64_t va)
{
	if (va >= k->layout.fixaddr_top || va < k->layout.fixaddr_start)
		return -1;
	return (long)((k->layout.fixaddr_top - (va & ~(A64_PAGE_SIZE - 1))) >> A64_PAGE_SHIFT);
}

static uint64_t pgd_index(const struct a64_kernel *k, uint64_t va)
{
	unsigned shift = k->layout.va_bits > 39 ? 39 : 30;
	return (va >> shift) & (A64_PTRS - 1);
}

/* Wires the static tables into swapper_pg_dir for FIXADDR_START: with
 * VA_BITS 48 (4 levels) bm_pud into the pgd entry, bm_pmd into bm_pud and
 * bm_pte into bm_pmd; with VA_BITS 39 the pud is folded into the pgd, so
 * bm_pmd goes into the pgd entry and there is no bm_pud.  The p4d level
 * (v5.8) is folded on arm64 either way.  As early_fixmap_init() does, an
 * entry already present is kept (the kernel BUGs unless it is bm_pud, which
 * only 16 KiB-page kernels share with the image; not modelled). */
void a64_early_fixmap_init(struct a64_kernel *k)
{
	uint64_t addr = k->layout.fixaddr_start;
	uint64_t *pgd = a64_table(&k->mem, k->swapper_pg_dir);
	uint64_t *pudp = &pgd[pgd_index(k, addr)]; /* fixmap_pud(): the pgd entry when folded */
	if (k->layout.va_bits > 39) {
		if (!(*pudp & PTE_VALID))
			*pudp = k->bm_pud | PMD_TYPE_TABLE; /* __p4d_populate(bm_pud) */
		pudp = &a64_table(&k->mem, *pudp & PTE_ADDR_MASK)[(addr >> A64_PUD_SHIFT) & (A64_PTRS - 1)];
	}
	if (!(*pudp & PTE_VALID))
		*pudp = k->bm_pmd | PMD_TYPE_TABLE; /* __pud_populate(bm_pmd) */
	uint64_t *pmd = a64_table(&k->mem, *pudp & PTE_ADDR_MASK);
	pmd[(addr >> A64_PMD_SHIFT) & (A64_PTRS - 1)] = k->bm_pte | PMD_TYPE_TABLE; /* __pmd_populate */
}

void a64_kernel_dsb(struct a64_kernel *k)
{
	k->stats.dsb++;
	k->cycles += k->dsb_cycles;
	if (k->flush && k->flush->barrier)
		k->flush->barrier(k->flush_arg, false);
}

void a64_kernel_isb(struct a64_kernel *k)
{
	k->stats.isb++;
	k->cycles += k->isb_cycles;
	if (k->flush && k->flush->barrier)
		k->flush->barrier(k->flush_arg, true);
}

void a64_set_pte(struct a64_kernel *k, uint64_t *ptep, uint64_t v)
{
	if (k->flush && k->flush->pt_store)
		k->flush->pt_store(k->flush_arg, k->mem.base + (uint64_t)((uint8_t *)ptep - k->mem.host), *ptep, v);
	*ptep = v;
}

#define dsb a64_kernel_dsb
#define isb a64_kernel_isb

static void tlbi(struct a64_kernel *k, enum a64_tlbi op, uint64_t va)
{
	k->stats.tlbi[op]++;
	if (k->flush && k->flush->tlbi)
		k->cycles += k->flush->tlbi(k->flush_arg, op, va);
}

/* flush_tlb_all(): dsb(ishst); tlbi vmalle1is; dsb(ish); isb(). */
void a64_flush_tlb_all(struct a64_kernel *k)
{
	uint64_t c0 = k->cycles;
	k->stats.flush_tlb_all_calls++;
	dsb(k);
	tlbi(k, A64_TLBI_VMALLE1IS, 0);
	dsb(k);
	isb(k);
	k->stats.flush_tlb_all_cycles += k->cycles - c0;
	if (k->flush && k->flush->flushed)
		k->flush->flushed(k->flush_arg, true, 0, 0, k->cycles - c0);
}

/* Ranges over MAX_TLBI_OPS (PTRS_PER_PTE) pages flush everything; else one
 * TLBI VAALE1IS per page (last level, all ASIDs, inner shareable). */
void a64_flush_tlb_kernel_range(struct a64_kernel *k, uint64_t start, uint64_t end)
{
	k->stats.flush_tlb_kernel_range_calls++;
	if (end - start > (uint64_t)A64_PTRS * A64_PAGE_SIZE) {
		a64_flush_tlb_all(k);
		return;
	}
	uint64_t c0 = k->cycles;
	start &= ~(A64_PAGE_SIZE - 1);
	dsb(k);
	for (uint64_t a = start; a < end; a += A64_PAGE_SIZE) {
		tlbi(k, A64_TLBI_VAALE1IS, a);
		k->stats.flush_tlb_kernel_range_pages++;
	}
	dsb(k);
	isb(k);
	k->stats.flush_tlb_kernel_range_cycles += k->cycles - c0;
	if (k->flush && k->flush->flushed)
		k->flush->flushed(k->flush_arg, false, start, (end - start + A64_PAGE_SIZE - 1) >> A64_PAGE_SHIFT,
				  k->cycles - c0);
}

/* __set_fixmap(): a new PTE is written with no TLB maintenance (set_pte
 * issues dsb(ishst); isb() for a valid kernel PTE, which orders the store
 * but invalidates nothing); clearing writes 0 and flushes that one page. */
int a64___set_fixmap(struct a64_kernel *k, unsigned idx, uint64_t phys, uint64_t prot)
{
	if (idx <= k->fix.fix_hole || idx >= k->fix.end_of_fixed) {
		snprintf(k->bug, sizeof(k->bug), "kernel BUG at arch/arm64/mm/mmu.c (__set_fixmap): fixmap index %u outside (FIX_HOLE, __end_of_fixed_addresses = %u)",
			 idx, k->fix.end_of_fixed);
		return -1;
	}
	uint64_t addr = a64_fix_to_virt(k, idx);
	uint64_t *ptep = &a64_table(&k->mem, k->bm_pte)[(addr >> A64_PAGE_SHIFT) & (A64_PTRS - 1)];
	uint64_t c_call = k->cycles;
	if (prot) {
		k->stats.set_fixmap++;
		a64_set_pte(k, ptep, (phys & PTE_ADDR_MASK) | prot);
		/* set_pte() of a valid kernel PTE: dsb(ishst); isb(). */
		uint64_t c0 = k->cycles;
		dsb(k);
		isb(k);
		k->stats.set_fixmap_cycles += k->cycles - c0;
	} else {
		k->stats.clear_fixmap++;
		a64_set_pte(k, ptep, 0);
		a64_flush_tlb_kernel_range(k, addr, addr + A64_PAGE_SIZE);
	}
	if (k->flush && k->flush->fixmap)
		k->flush->fixmap(k->flush_arg, idx, phys, prot, k->cycles - c_call);
	return 0;
}

void a64_early_ioremap_setup(struct a64_kernel *k)
{
	for (unsigned i = 0; i < FIX_BTMAPS_SLOTS; i++)
		k->slot_virt[i] = a64_fix_to_virt(k, k->fix.fix_btmap_begin - (unsigned)NR_FIX_BTMAPS * i);
}

uint64_t a64_early_ioremap(struct a64_kernel *k, uint64_t phys, uint64_t size, uint64_t prot)
{
	int slot = -1;
	for (int i = 0; i < FIX_BTMAPS_SLOTS; i++)
		if (!k->prev_map[i]) {
			slot = i;
			break;
		}
	if (slot < 0) {
		snprintf(k->bug, sizeof(k->bug), "WARNING: __early_ioremap(0x%llx, 0x%llx) not found slot (mm/early_ioremap.c)",
			 (unsigned long long)phys, (unsigned long long)size);
		return 0;
	}
	uint64_t last = phys + size - 1;
	if (!size || last < phys) {
		snprintf(k->bug, sizeof(k->bug), "WARNING: __early_ioremap: zero size or wraparound (mm/early_ioremap.c)");
		return 0;
	}
	uint64_t offset = phys & (A64_PAGE_SIZE - 1);
	uint64_t base = phys & ~(A64_PAGE_SIZE - 1);
	uint64_t nrpages = (((last + 1) + A64_PAGE_SIZE - 1) & ~(A64_PAGE_SIZE - 1)) - base;
	nrpages >>= A64_PAGE_SHIFT;
	if (nrpages > NR_FIX_BTMAPS) {
		snprintf(k->bug, sizeof(k->bug), "WARNING: __early_ioremap: %llu pages exceed NR_FIX_BTMAPS (%llu) (mm/early_ioremap.c)",
			 (unsigned long long)nrpages, (unsigned long long)NR_FIX_BTMAPS);
		return 0;
	}
	k->prev_size[slot] = size;
	unsigned idx = k->fix.fix_btmap_begin - (unsigned)NR_FIX_BTMAPS * (unsigned)slot;
	for (; nrpages; nrpages--, idx--, base += A64_PAGE_SIZE)
		if (a64___set_fixmap(k, idx, base, prot))
			return 0;
	k->stats.early_ioremap++;
	k->prev_map[slot] = k->slot_virt[slot] + offset;
	return k->prev_map[slot];
}

int a64_early_iounmap(struct a64_kernel *k, uint64_t va, uint64_t size)
{
	int slot = -1;
	for (int i = 0; i < FIX_BTMAPS_SLOTS; i++)
		if (k->prev_map[i] == va) {
			slot = i;
			break;
		}
	if (slot < 0) {
		snprintf(k->bug, sizeof(k->bug), "WARNING: early_iounmap(0x%llx, 0x%llx) not found slot (mm/early_ioremap.c)",
			 (unsigned long long)va, (unsigned long long)size);
		return -1;
	}
	if (k->prev_size[slot] != size) {
		snprintf(k->bug, sizeof(k->bug), "WARNING: early_iounmap(0x%llx, 0x%llx) [%d] size not consistent 0x%llx (mm/early_ioremap.c)",
			 (unsigned long long)va, (unsigned long long)size, slot,
			 (unsigned long long)k->prev_size[slot]);
		return -1;
	}
	uint64_t offset = va & (A64_PAGE_SIZE - 1);
	uint64_t nrpages = (offset + size + A64_PAGE_SIZE - 1) >> A64_PAGE_SHIFT;
	unsigned idx = k->fix.fix_btmap_begin - (unsigned)NR_FIX_BTMAPS * (unsigned)slot;
	for (; nrpages; nrpages--, idx--)
		a64___set_fixmap(k, idx, 0, FIXMAP_PAGE_CLEAR); /* __early_set_fixmap = __set_fixmap */
	k->stats.early_iounmap++;
	k->prev_map[slot] = 0;
	return 0;
}
