/* SPDX-License-Identifier: MIT */
/* --trace on the AArch64 machine (trace_a64.h): the names its records'
 * numbers stand for, and the events of the arm64 kernel and the guest. */
#include "trace_a64.h"

#include <errno.h>
#include <string.h>

#include "exit_status.h"
#include "kmaplab/hypercall.h"
#include "machine_a64.h"

/* Flush functions (arm64 has no local_flush_tlb_kernel_page). */
enum { A64_TR_FLUSH_RANGE, A64_TR_FLUSH_ALL };
static const char *const flush_ops[] = { "flush_tlb_kernel_range", "flush_tlb_all" };

/* Causes: the modelled kernel function the flush ran in. */
enum { A64_TR_CAUSE_NONE, A64_TR_CAUSE_CLEAR_FIXMAP, A64_TR_CAUSE_EARLY_IOUNMAP, A64_TR_CAUSE_TEXT_POKE,
       A64_TR_CAUSE_PGD_MAPPING, A64_TR_CAUSE_GUEST };
static const char *const causes[] = { "none", "clear_fixmap", "early_iounmap", "text_poke",
				      "create_pgd_mapping", "guest" };

/* kmap-kind operations: the ARM32 names where the call is the same. */
enum {
	A64_TR_KMAP, A64_TR_KUNMAP, A64_TR_KMAP_ATOMIC, A64_TR_KUNMAP_ATOMIC, A64_TR_KMAP_LOCAL,
	A64_TR_KUNMAP_LOCAL, A64_TR_PAGE_ADDRESS, A64_TR_SET_FIXMAP, A64_TR_CLEAR_FIXMAP,
	A64_TR_EARLY_IOREMAP, A64_TR_EARLY_IOUNMAP, A64_TR_ALLOC_PAGE, A64_TR_FREE_PAGE,
	A64_TR_SET_FIXMAP_IO, A64_TR_TEXT_POKE, A64_TR_PGD_MAPPING,
};
static const char *const kmap_ops[] = {
	"kmap", "kunmap", "kmap_atomic", "kunmap_atomic", "kmap_local", "kunmap_local", "page_address",
	"set_fixmap", "clear_fixmap", "early_ioremap", "early_iounmap", "alloc_page", "free_page",
	"set_fixmap_io", "aarch64_insn_patch_text_nosync", "__create_pgd_mapping",
};

/* TLBI operations in enum a64_tlbi order (a64_tlbi_name: the stats keys
 * flush.tlbi.<OP>), then the two barriers. */
#define A64_TR_DSB A64_TLBI_NR
#define A64_TR_ISB (A64_TLBI_NR + 1)
static const char *tlbi_ops[A64_TLBI_NR + 2];
static const unsigned tlbi_kinds[A64_TLBI_NR + 2] = {
	[A64_TLBI_VAALE1IS] = TLBI_KIND_MVAA, [A64_TLBI_VAE1IS] = TLBI_KIND_MVA,
	[A64_TLBI_VMALLE1IS] = TLBI_KIND_ALL, [A64_TLBI_ASIDE1IS] = TLBI_KIND_ASID,
	[A64_TLBI_VAE1] = TLBI_KIND_MVA, [A64_TLBI_VAALE1] = TLBI_KIND_MVAA,
	[A64_TLBI_VMALLE1] = TLBI_KIND_ALL, [A64_TLBI_ASIDE1] = TLBI_KIND_ASID,
	[A64_TLBI_VALE1IS] = TLBI_KIND_MVA, [A64_TLBI_VALE1] = TLBI_KIND_MVA,
	[A64_TLBI_VAAE1IS] = TLBI_KIND_MVAA, [A64_TLBI_VAAE1] = TLBI_KIND_MVAA,
	[A64_TR_DSB] = TRACE_TLBI_KIND_BARRIER, [A64_TR_ISB] = TRACE_TLBI_KIND_BARRIER,
};

int a64_trace_open(struct a64_machine *m)
{
	for (int i = 0; i < A64_TLBI_NR; i++)
		tlbi_ops[i] = a64_tlbi_name[i];
	tlbi_ops[A64_TR_DSB] = "DSB";
	tlbi_ops[A64_TR_ISB] = "ISB";
	static const struct trace_names names = {
		.flush_ops = flush_ops, .nflush_ops = sizeof(flush_ops) / sizeof(flush_ops[0]),
		.causes = causes, .ncauses = sizeof(causes) / sizeof(causes[0]),
		.kmap_ops = kmap_ops, .nkmap_ops = sizeof(kmap_ops) / sizeof(kmap_ops[0]),
		.tlbi_ops = tlbi_ops, .tlbi_kinds = tlbi_kinds, .ntlbi_ops = A64_TLBI_NR + 2,
	};
	struct trace_options o = m->opt.trace_opt;
	o.names = &names;
	o.sym_base = m->k.layout.kimage_vaddr; /* the symbol table holds image offsets */
	char err[512], split[32];
	snprintf(split, sizeof(split), "VA_BITS %u", m->k.layout.va_bits);
	/* The ELF's file name: a trace must not depend on the directory. */
	const char *slash = strrchr(m->elf_path, '/');
	m->trace.nr = UINT64_MAX;
	m->trace.tw = trace_open_options(m->opt.trace_path, &m->syms, slash ? slash + 1 : m->elf_path, m->opt.core,
					 split, "linux", &o, err, sizeof(err));
	if (!m->trace.tw) {
		int status = errno == EINVAL ? EXIT_USAGE : EXIT_IO;
		snprintf(m->message, sizeof(m->message), "--trace: %s", err);
		return status;
	}
	return 0;
}

static uint32_t invalidated_since_mark(struct a64_machine *m)
{
	uint64_t now = m->tlb.stats.invalidated;
	uint32_t n = (uint32_t)(now - m->trace.inval_mark);
	m->trace.inval_mark = now;
	return n;
}

void a64_trace_call_begin(struct a64_machine *m, uint64_t nr, uint64_t pc)
{
	if (!m->trace.tw)
		return;
	m->trace.nr = nr;
	m->trace.pc = pc;
	m->trace.args[0] = a64_reg(m, UC_ARM64_REG_X0);
	m->trace.args[1] = a64_reg(m, UC_ARM64_REG_X1);
	m->trace.args[2] = a64_reg(m, UC_ARM64_REG_X2);
	m->trace.cycle = a64_cycles(m);
	m->trace.inval_mark = m->tlb.stats.invalidated;
}

static unsigned cause_of(uint64_t nr)
{
	switch (nr) {
	case HC_CLEAR_FIXMAP: return A64_TR_CAUSE_CLEAR_FIXMAP;
	case HC_EARLY_IOUNMAP: return A64_TR_CAUSE_EARLY_IOUNMAP;
	case HC_AARCH64_INSN_PATCH_TEXT_NOSYNC: return A64_TR_CAUSE_TEXT_POKE;
	case HC_CREATE_PGD_MAPPING: return A64_TR_CAUSE_PGD_MAPPING;
	case HC_FLUSH_TLB_KERNEL_RANGE:
	case HC_FLUSH_TLB_ALL: return A64_TR_CAUSE_GUEST;
	default: return A64_TR_CAUSE_NONE;
	}
}

void a64_trace_flushed(void *arg, bool all, uint64_t start, uint64_t pages, uint64_t cycles)
{
	struct a64_machine *m = arg;
	if (!m->trace.tw)
		return;
	struct trace_flush_rec ev = {
		.cycle = a64_cycles(m) - cycles, .op = (enum flush_op)(all ? A64_TR_FLUSH_ALL : A64_TR_FLUSH_RANGE),
		.cause = (enum flush_cause)cause_of(m->trace.nr), .start = all ? 0 : start, .pages = (uint32_t)pages,
		.invalidated = invalidated_since_mark(m), .cycles = cycles,
	};
	trace_flush64(m->trace.tw, m->trace.pc, &ev);
}

static struct trace_kmap_rec kmap_rec(unsigned op, uint64_t cycle, uint64_t pc, uint64_t cycles)
{
	return (struct trace_kmap_rec){ .cycle = cycle, .op = (enum kmap_op)op, .pc = pc, .page = TRACE_NONE, .pfn = TRACE_NONE,
					.va = TRACE_NONE, .pkmap_nr = TRACE_NONE, .fix_idx = TRACE_NONE,
					.arg = TRACE_NONE, .cycles = cycles };
}

void a64_trace_fixmap(void *arg, unsigned idx, uint64_t phys, uint64_t prot, uint64_t cycles)
{
	struct a64_machine *m = arg;
	if (!m->trace.tw)
		return;
	unsigned op = !prot ? A64_TR_CLEAR_FIXMAP : prot == FIXMAP_PAGE_IO ? A64_TR_SET_FIXMAP_IO : A64_TR_SET_FIXMAP;
	struct trace_kmap_rec ev = kmap_rec(op, a64_cycles(m) - cycles, m->trace.pc, cycles);
	ev.va = a64_fix_to_virt(&m->k, idx);
	ev.fix_idx = idx;
	if (prot)
		ev.arg = phys;
	trace_kmap64(m->trace.tw, &ev);
}

/* The kmap-kind record of a hypercall, recorded when it returns (after
 * the flushes and __set_fixmap()s inside it); set_fixmap, set_fixmap_io
 * and clear_fixmap are __set_fixmap()'s own records. */
void a64_trace_call_end(struct a64_machine *m)
{
	uint64_t nr = m->trace.nr;
	m->trace.nr = UINT64_MAX;
	if (!m->trace.tw)
		return;
	int op;
	switch (nr) {
	case HC_KMAP: op = A64_TR_KMAP; break;
	case HC_KUNMAP: op = A64_TR_KUNMAP; break;
	case HC_KMAP_ATOMIC: op = A64_TR_KMAP_ATOMIC; break;
	case HC_KUNMAP_ATOMIC: op = A64_TR_KUNMAP_ATOMIC; break;
	case HC_KMAP_LOCAL_PAGE: op = A64_TR_KMAP_LOCAL; break;
	case HC_KUNMAP_LOCAL: op = A64_TR_KUNMAP_LOCAL; break;
	case HC_PAGE_ADDRESS: op = A64_TR_PAGE_ADDRESS; break;
	case HC_EARLY_IOREMAP: op = A64_TR_EARLY_IOREMAP; break;
	case HC_EARLY_IOUNMAP: op = A64_TR_EARLY_IOUNMAP; break;
	case HC_ALLOC_PAGE: op = A64_TR_ALLOC_PAGE; break;
	case HC_FREE_PAGE: op = A64_TR_FREE_PAGE; break;
	case HC_AARCH64_INSN_PATCH_TEXT_NOSYNC: op = A64_TR_TEXT_POKE; break;
	case HC_CREATE_PGD_MAPPING: op = A64_TR_PGD_MAPPING; break;
	default: return;
	}
	uint64_t a0 = a64_reg(m, UC_ARM64_REG_X0); /* the result, after the call */
	struct trace_kmap_rec ev = kmap_rec((unsigned)op, m->trace.cycle, m->trace.pc, a64_cycles(m) - m->trace.cycle);
	ev.failed = m->stop != STOP_NONE;
	const uint64_t *arg = m->trace.args;
	switch (nr) {
	case HC_KMAP: case HC_KMAP_ATOMIC: case HC_KMAP_LOCAL_PAGE: case HC_PAGE_ADDRESS:
		ev.page = arg[0];
		if (!ev.failed)
			ev.va = a0;
		break;
	case HC_KUNMAP: case HC_FREE_PAGE: ev.page = arg[0]; break;
	case HC_KUNMAP_ATOMIC: case HC_KUNMAP_LOCAL: ev.va = arg[0]; break;
	case HC_EARLY_IOREMAP:
		if (!ev.failed)
			ev.va = a0;
		ev.arg = arg[1];
		break;
	case HC_EARLY_IOUNMAP: ev.va = arg[0]; ev.arg = arg[1]; break;
	case HC_ALLOC_PAGE:
		ev.page = a0 ? a0 : TRACE_NONE;
		ev.arg = arg[0];
		break;
	case HC_AARCH64_INSN_PATCH_TEXT_NOSYNC: ev.va = arg[0]; ev.arg = arg[1] & 0xffffffffu; break;
	case HC_CREATE_PGD_MAPPING: ev.va = arg[1]; ev.arg = arg[2]; break;
	}
	if (ev.page != TRACE_NONE) {
		int64_t pfn = a64_page_to_pfn(&m->k, &m->pages, ev.page);
		if (pfn >= 0)
			ev.pfn = (uint64_t)pfn;
	}
	if (ev.va != TRACE_NONE) {
		long idx = a64_virt_to_fix(&m->k, ev.va);
		if (idx >= 0)
			ev.fix_idx = (uint64_t)idx;
	}
	trace_kmap64(m->trace.tw, &ev);
}

void a64_trace_site(struct a64_machine *m, const struct a64_site *s, uint64_t pc, uint64_t cycle, uint64_t xt,
		    uint32_t invalidated, uint64_t cycles)
{
	if (!m->trace.tw)
		return;
	unsigned op = s->kind == A64_SITE_TLBI ? (unsigned)s->op : s->kind == A64_SITE_DSB ? A64_TR_DSB : A64_TR_ISB;
	trace_tlbi64(m->trace.tw, cycle, pc, op, s->kind == A64_SITE_TLBI ? xt : 0, invalidated, cycles);
}

int a64_trace_close(struct a64_machine *m)
{
	if (!m->trace.tw)
		return 0;
	m->trace.closed = true;
	int rc = trace_close_counts(m->trace.tw, &m->trace.counts);
	m->trace.tw = NULL;
	return rc;
}
