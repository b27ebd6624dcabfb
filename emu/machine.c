/* SPDX-License-Identifier: MIT */
/* Machine set-up and the run loop.  The boot sequence mirrors what a real
 * ARM kernel has done before it runs C code: RAM, swapper_pg_dir with
 * lowmem as sections, MMU on in SVC mode, a stack, then the entry point. */
#include "machine.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "exit_status.h"
#include "cpu_model.h"
#include "elf_arch.h"
#include "fault.h"
#include "fill_model.h"
#include "pmu.h"
#include "access.h"
#include "costs.h"
#include "hypercall.h"
#include "policy.h"
#include "smp.h"
#include "trace.h"
#include "uc_compat.h"

#define CPSR_MODE_SVC 0x13u
#define CPSR_I (1u << 7)
#define CPSR_F (1u << 6)
#define CPSR_T (1u << 5)

/* The guest's newlib heap and its SVC stack, placed after the image. */
#define HEAP_SIZE_MAX (32u << 20)
#define STACK_SIZE (1u << 20)
/* Unmapped below the stack: catches frames up to 64 KiB; aligned to its
 * size, it never straddles a 1 MiB section (mm/paging.c). */
#define STACK_GUARD (64u << 10)

static const struct {
	const char *core;
	int uc_model;
} uc_models[] = {
	{ "cortex-a7", UC_CPU_ARM_CORTEX_A7 },
	{ "cortex-a9", UC_CPU_ARM_CORTEX_A9 },
	{ "cortex-a15", UC_CPU_ARM_CORTEX_A15 },
	{ "arm1176", UC_CPU_ARM_1176 },
};

void machine_stop(struct machine *m, enum stop_reason reason, const char *fmt, ...)
{
	if (m->stop != STOP_NONE)
		return; /* the first cause is the one worth reporting */
	m->stop = reason;
	va_list ap;
	va_start(ap, fmt);
	int n = 0;
	if (m->ncpus > 1 && m->cur && reason != STOP_WOULD_SLEEP)
		n = snprintf(m->message, sizeof(m->message), "CPU%u: ", m->cur->id);
	vsnprintf(m->message + n, sizeof(m->message) - (size_t)n, fmt, ap);
	va_end(ap);
	if (m->uc)
		uc_emu_stop(m->uc);
}

const char *machine_symbolize(const struct machine *m, uint32_t va, char *buf, size_t len)
{
	return symtab_format(&m->img.symbols, va, buf, len);
}

uint32_t guest_reg(struct machine *m, int reg)
{
	uint32_t v = 0;
	uc_reg_read(m->uc, reg, &v);
	return v;
}

void guest_set_reg(struct machine *m, int reg, uint32_t val)
{
	uc_reg_write(m->uc, reg, &val);
}

/* Copies between host and guest VA space one page at a time, because
 * consecutive virtual pages need not be consecutive in RAM. */
static int guest_copy(struct machine *m, uint32_t va, void *buf, uint32_t len, bool write)
{
	uint8_t *p = buf;
	while (len) {
		uint32_t pa;
		uint32_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		if (!mm_virt_to_phys(&m->mm, va, &pa) || !phys_contains(&m->mm.mem, pa, chunk))
			return -1;
		if (write)
			memcpy(phys_ptr(&m->mm.mem, pa), p, chunk);
		else
			memcpy(p, phys_ptr(&m->mm.mem, pa), chunk);
		va += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

int guest_read(struct machine *m, uint32_t va, void *buf, uint32_t len)
{
	return guest_copy(m, va, buf, len, false);
}

int guest_write(struct machine *m, uint32_t va, const void *buf, uint32_t len)
{
	return guest_copy(m, va, (void *)buf, len, true);
}

static void host_flush_page(void *arg, uint32_t va)
{
	struct machine *m = arg;
	uc_compat_flush_tlb_page(m->uc, va);
}

static void host_flush_all(void *arg)
{
	struct machine *m = arg;
	uc_compat_vtlb_flush_all(m->vtlb, m->uc);
}

/* --hazards observed: reported once per (PC, VA page), bounded (emu/hazard_report.c). */
static void host_stale_hazard(void *arg, uint32_t va, uint32_t stale_pa, bool cur_valid, uint32_t cur_pa)
{
	hazard_report_observed(arg, va, stale_pa, cur_valid, cur_pa);
}

/* Another CPU's engine: flushed whole before it runs next (QEMU's TLB is
 * refilled by the host only; the model has done the exact invalidate). */
static void host_flush_cpu(void *arg, unsigned cpu, uint32_t va, bool all)
{
	struct machine *m = arg;
	(void)va;
	(void)all;
	if (m->cpus && cpu < m->ncpus)
		m->cpus[cpu].host_flush_pending = true;
}

static const struct mm_host_ops host_ops = {
	.flush_page = host_flush_page,
	.flush_all = host_flush_all,
	.flush_cpu = host_flush_cpu,
	.stale_hazard = host_stale_hazard,
};

static int fail(struct machine *m, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct machine *m, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->message, sizeof(m->message), fmt, ap);
	va_end(ap);
	return status;
}

static int uc_fail(struct machine *m, const char *what, uc_err err)
{
	return fail(m, EXIT_INTERNAL, "Unicorn refused %s: %s", what, uc_strerror(err));
}

/* A kernel image is linked at PAGE_OFFSET + TEXT_OFFSET and loaded at
 * PHYS_OFFSET + TEXT_OFFSET: every segment must sit in the linear map. */
static int check_linked_for_split(struct machine *m)
{
	const struct kernel_layout *l = &m->mm.layout;
	for (size_t i = 0; i < m->img.nsegs; i++) {
		const struct elf_segment *s = &m->img.segs[i];
		if (s->vaddr - l->page_offset != s->paddr - l->phys_offset ||
		    s->vaddr < l->page_offset || s->vaddr - l->page_offset >= l->lowmem_size)
			return fail(m, EXIT_BAD_ELF,
				    "%s: segment at VA 0x%08x (physical 0x%08x) is not in the linear map of split %s (PAGE_OFFSET 0x%08x); build the guest with kmaplab-cc --split %s",
				    m->img.path, s->vaddr, s->paddr, vm_split_name(l->split),
				    l->page_offset, vm_split_name(l->split));
	}
	return 0;
}

static int load_image(struct machine *m)
{
	struct boot_mem *b = &m->mm.boot;
	b->image_start = UINT32_MAX;
	b->image_end = 0;
	for (size_t i = 0; i < m->img.nsegs; i++) {
		const struct elf_segment *s = &m->img.segs[i];
		uint8_t *dst = phys_ptr(&m->mm.mem, s->paddr);
		memcpy(dst, s->data, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz); /* .bss */
		if (s->paddr < b->image_start)
			b->image_start = s->paddr;
		if (s->paddr + s->memsz > b->image_end)
			b->image_end = s->paddr + s->memsz;
	}
	const struct kernel_layout *l = &m->mm.layout;
	uint32_t lowmem_end = l->phys_offset + l->lowmem_size;
	if (b->image_start < l->phys_offset + TEXT_OFFSET)
		return fail(m, EXIT_BAD_ELF, "%s: a segment starts at physical 0x%08x, below the kernel text at 0x%08x (swapper_pg_dir lives there)",
			    m->img.path, b->image_start, l->phys_offset + TEXT_OFFSET);

	uint32_t heap = l->lowmem_size / 4 < HEAP_SIZE_MAX ? l->lowmem_size / 4 : HEAP_SIZE_MAX;
	b->heap_start = (b->image_end + PAGE_SIZE - 1) & PAGE_MASK;
	b->heap_end = b->heap_start + heap;
	/* newlib's _sbrk stops at heap_end (SYS_HEAPINFO); the unmapped guard
	 * section above it catches the stack growing down past stack_base. */
	b->stack_guard = (b->heap_end + STACK_GUARD - 1) & ~(STACK_GUARD - 1);
	b->stack_base = b->stack_guard + STACK_GUARD;
	b->stack_top = b->stack_base + STACK_SIZE;
	b->memblock_start = b->memblock_next = b->stack_top;
	b->memblock_end = lowmem_end;
	if (b->image_end > lowmem_end || b->stack_top >= lowmem_end)
		return fail(m, EXIT_BAD_ELF, "%s: image, heap and stack (to physical 0x%08x) do not fit in lowmem (ends at 0x%08x)",
			    m->img.path, b->stack_top, lowmem_end);
	return 0;
}

static int map_engine_memory(struct machine *m);

static int map_memory(struct machine *m)
{
	const struct kernel_layout *l = &m->mm.layout;
	m->ram = mmap(NULL, l->ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		      -1, 0);
	if (m->ram == MAP_FAILED) {
		m->ram = NULL;
		return fail(m, EXIT_INTERNAL, "cannot allocate %u MiB of guest RAM", l->ram_size >> 20);
	}
	m->mm.mem.host = m->ram;
	m->mm.mem.base = l->phys_offset;
	m->mm.mem.size = l->ram_size;
	return map_engine_memory(m);
}

/* One engine's view of RAM (the host buffer all CPUs share) and of the
 * kernel's VA windows. */
static int map_engine_memory(struct machine *m)
{
	const struct kernel_layout *l = &m->mm.layout;
	uc_err err = uc_mem_map_ptr(m->uc, l->phys_offset, l->ram_size, UC_PROT_ALL, m->ram);
	if (err)
		return uc_fail(m, "the RAM region", err);
	/* Placeholders over every VA that is not RAM: the kernel's windows
	 * (pkmap + lowmem, fixmap up to the vectors page) and the gaps between,
	 * so that no guest access is outside every region.  A bad access is
	 * then always an MMU fault, for which QEMU restores the exact PC (for an
	 * access outside every region, Unicorn 2.0.1 leaves the PC at the
	 * start of the translated block; emu/fault.c). */
	uint32_t ram_end = l->phys_offset + l->ram_size;
	if (ram_end < l->pkmap_base)
		err = uc_compat_map_va_window(m->uc, ram_end, l->pkmap_base - ram_end);
	if (!err)
		err = uc_compat_map_va_window(m->uc, l->pkmap_base, l->high_memory - l->pkmap_base);
	if (!err)
		err = uc_compat_map_va_window(m->uc, l->high_memory, FIXADDR_START - l->high_memory);
	if (!err)
		err = uc_compat_map_va_window(m->uc, FIXADDR_START, 0u - FIXADDR_START);
	if (err)
		return uc_fail(m, "a VA placeholder region", err);
	return 0;
}

static int load_cp15(struct machine *m)
{
	const struct mmu_regs *r = &m->mm.regs;
	uc_err err = uc_compat_cp15_write(m->uc, 2, 0, 0, 2, r->ttbcr);
	if (!err)
		err = uc_compat_cp15_write(m->uc, 2, 0, 0, 0, r->ttbr0);
	if (!err)
		err = uc_compat_cp15_write(m->uc, 2, 0, 0, 1, r->ttbr1);
	if (!err)
		err = uc_compat_cp15_write(m->uc, 3, 0, 0, 0, r->dacr);
	if (!err)
		err = uc_compat_cp15_write(m->uc, 13, 0, 0, 1, r->contextidr);
	if (!err) {
		/* Keep the reset value's other bits (caches, RES1) and set ours. */
		uint32_t sctlr = 0;
		err = uc_compat_cp15_read(m->uc, 1, 0, 0, 0, &sctlr);
		sctlr |= r->sctlr;
		sctlr &= ~(1u << 1); /* A: no alignment faults, as Linux runs */
		if (!err)
			err = uc_compat_cp15_write(m->uc, 1, 0, 0, 0, sctlr);
	}
	if (!err)
		err = uc_compat_flush_tlb_all(m->uc);
	return err ? uc_fail(m, "a CP15 register write", err) : 0;
}

static bool hook_intr(uc_engine *uc, uint32_t intno, void *arg)
{
	(void)uc;
	fault_on_exception(arg, intno);
	return true;
}

static bool hook_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
			  void *arg)
{
	(void)uc;
	(void)size;
	(void)value;
	struct machine *m = arg;
	fault_on_unmapped(m, type, uc_compat_hook_va(m->vtlb, addr));
	return false;
}

/* A store to a page-table page, before it lands (Unicorn calls write
 * hooks before the store): the architectural checker retires the
 * translation the old descriptor gave.  The PA comes from the micro-TLB
 * entry the access just used, else from a walk. */
static void watch_pt_store(struct machine *m, uint32_t va, unsigned size, uint64_t value)
{
	const struct mmu_translation *t =
		tlb_peek_mru(m->mm.tlb, TLB_SIDE_D, va, (uint8_t)(m->mm.regs.contextidr & 0xffu));
	uint32_t pa;
	if (t)
		pa = mmu_pa(t, va);
	else if (!mm_virt_to_phys(&m->mm, va, &pa))
		return;
	if (hazard_pt_watched(m->mm.hazards, pa))
		hazard_pt_store(m->mm.hazards, m->mm.smp.cpu, pa, size, value, guest_reg(m, UC_ARM_REG_PC), false);
}

/* Every data access goes through the modelled TLB.  A fault the model
 * finds is remembered so that the abort QEMU raises next can be reported
 * with its address. */
static void hook_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void *arg)
{
	(void)uc;
	(void)value;
	struct machine *m = arg;
	bool write = type == UC_MEM_WRITE;
	addr = uc_compat_hook_va(m->vtlb, addr);
	if (write && m->code_pages)
		smp_code_write(m, (uint32_t)addr);
	if (mm_access(&m->mm, (uint32_t)addr, write ? MMU_WRITE : MMU_READ, 1) != MMU_OK) {
		m->have_fault_va = true;
		m->fault_va = (uint32_t)addr;
		m->fault_size = (uint8_t)size;
		m->fault_is_write = write;
		return;
	}
	if (write && m->mm.hazards)
		watch_pt_store(m, (uint32_t)addr, (unsigned)size, (uint64_t)value);
}

/* Instruction fetches: one look-up per instruction, split over the pages
 * the block spans in proportion to its bytes on each. */
static void model_fetches(struct machine *m, uint32_t addr, uint32_t size, uint32_t insns)
{
	uint32_t end = addr + size, left = insns;
	for (uint32_t va = addr; va < end && left;) {
		uint32_t page_end = (va & PAGE_MASK) + PAGE_SIZE;
		uint32_t bytes = (page_end < end ? page_end : end) - va;
		uint32_t n = page_end >= end ? left : (uint32_t)((uint64_t)insns * bytes / size);
		if (n && mm_access(&m->mm, va, MMU_FETCH, n) == MMU_OK && m->mm.caches)
			mm_cache_fetch(&m->mm, va, bytes); /* --model cache: L1I, L2 */
		left -= n;
		va += bytes;
	}
}

static void hook_block(uc_engine *uc, uint64_t addr, uint32_t size, void *arg)
{
	struct machine *m = arg;
	if (m->interrupt_signal) {
		uc_emu_stop(uc);
		return;
	}
	if (m->opt.max_insns && m->insns >= m->opt.max_insns) {
		char sym[128];
		machine_stop(m, STOP_RUNAWAY, "runaway guest: stopped after %llu instructions (--max-insns %llu) at %s",
			     (unsigned long long)m->insns, (unsigned long long)m->opt.max_insns,
			     machine_symbolize(m, (uint32_t)addr, sym, sizeof(sym)));
		return;
	}
	m->have_fault_va = false; /* a fault the model saw belongs to its own block */
	/* Not while a data abort's re-execution is being watched (emu/fault.c:
	 * its hook is on this CPU's engine). */
	if (m->mm.stats.cycles >= m->slice_end && !m->fault_hook) {
		/* The scheduler's quantum (emu/smp.h): the block has not run,
		 * and resumes here.  Unicorn 2.0.1's PC register is stale in a
		 * block hook (the PC of the last block that left the chain of
		 * translated blocks), so the CPU's PC is `addr`. */
		m->yield = true;
		m->cur->pc = (uint32_t)addr | ((guest_reg(m, UC_ARM_REG_CPSR) & (1u << 5)) ? 1u : 0u);
		m->cur->pc_override = true;
		uc_emu_stop(uc);
		return;
	}
	if (m->code_pages) {
		/* --model fill: a page that becomes a code page goes through the alias. */
		bool fresh = m->fill && !m->code_pages[(uint32_t)addr >> PAGE_SHIFT];
		smp_code_fetch(m, (uint32_t)addr, size);
		if (fresh)
			fill_model_code_page(m, (uint32_t)addr);
	}
	struct block_front *f = cpu_model_front(m->front, (uint32_t)addr);
	uint32_t insns = cpu_model_block(m, f, &m->mm.stats.cycles, (uint32_t)addr, size);
	m->insns += insns;
	if (!m->opt.model)
		return;
	if (m->fill && fill_model_block_fast(m, f, (uint32_t)addr))
		return;
	if (m->fill && fill_model_fetch(m, (uint32_t)addr, size, insns)) {
		/* counted: the page's entry is known current */
	} else if ((((uint32_t)addr ^ ((uint32_t)addr + size - 1)) & PAGE_MASK) == 0) {
		/* one page: the common case */
		if (mm_access(&m->mm, (uint32_t)addr, MMU_FETCH, insns) == MMU_OK && m->mm.caches)
			mm_cache_fetch(&m->mm, (uint32_t)addr, size); /* --model cache: L1I, L2 */
		if (m->fill)
			fill_model_fetched(m, (uint32_t)addr, size);
	} else
		model_fetches(m, (uint32_t)addr, size, insns);
	if (m->fill)
		fill_model_block(m, f, (uint32_t)addr, size);
}

/* Unicorn 2.1 asks for every translation QEMU caches: the answer is the
 * guest's page tables as they are now (the walk QEMU's own MMU would make),
 * with the permissions the model's check gives each kind of access. */
bool machine_vtlb_translate(void *arg, uint32_t va, uc_mem_type type, uint32_t *pa, uint32_t *prot)
{
	struct machine *m = arg;
	struct mmu_translation t;
	if (mmu_walk(&m->mm.mem, &m->mm.regs, va, &t) != MMU_OK)
		return false;
	static const struct { enum mmu_access access; uint32_t prot; } kinds[] = {
		{ MMU_READ, UC_PROT_READ }, { MMU_WRITE, UC_PROT_WRITE }, { MMU_FETCH, UC_PROT_EXEC },
	};
	*prot = 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (mmu_check(&t, m->mm.regs.dacr, kinds[i].access, true) == MMU_OK)
			*prot |= kinds[i].prot;
	uint32_t need = type == UC_MEM_WRITE ? UC_PROT_WRITE : type == UC_MEM_FETCH ? UC_PROT_EXEC : UC_PROT_READ;
	*pa = mmu_pa(&t, va);
	return (*prot & need) != 0;
}

static int add_hooks(struct machine *m)
{
	uc_hook h;
	uc_err err = UC_ERR_OK;
	/* --model none measures Unicorn alone: no hook on any fast path, QEMU's
	 * own MMU (no VAs are needed without memory hooks). */
	if (!m->opt.no_block_hook)
		m->vtlb = uc_compat_vtlb_install(m->uc, m->mm.mem.base, m->mm.mem.size,
						 m->fill ? fill_model_translate : machine_vtlb_translate, m, &err);
	if (err)
		return uc_fail(m, "its virtual TLB mode", err);
	err = uc_hook_add(m->uc, &h, UC_HOOK_INTR, hook_intr, m, 1, 0);
	if (!err)
		err = uc_hook_add(m->uc, &h, UC_HOOK_MEM_UNMAPPED, hook_unmapped, m, 1, 0);
	if (!err && !m->opt.no_block_hook)
		err = uc_hook_add(m->uc, &h, UC_HOOK_BLOCK, hook_block, m, 1, 0);
	if (!err && m->opt.model && !m->fill)
		err = uc_hook_add(m->uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, hook_mem, m, 1, 0);
	return err ? uc_fail(m, "a hook", err) : 0;
}

static int boot_cpu(struct machine *m)
{
	const struct kernel_layout *l = &m->mm.layout;
	uint32_t cpsr = CPSR_MODE_SVC | CPSR_I | CPSR_F | ((m->img.entry & 1) ? CPSR_T : 0);
	uint32_t sp = __va(l, m->mm.boot.stack_top);
	uint32_t zero = 0;
	uc_err err = uc_reg_write(m->uc, UC_ARM_REG_CPSR, &cpsr);
	if (!err)
		err = uc_reg_write(m->uc, UC_ARM_REG_SP, &sp);
	if (!err)
		err = uc_reg_write(m->uc, UC_ARM_REG_LR, &zero);
	return err ? uc_fail(m, "the boot registers", err) : 0;
}

static const char *symbolize_cb(void *arg, uint32_t va, char *buf, size_t len)
{
	return machine_symbolize(arg, va, buf, len);
}

/* The kernel's highmem state in guest RAM (mem_map, pkmap, fixmap), the
 * trace sink, and the mapping policy that serves the kmap family. */
static int kernel_init(struct machine *m)
{
	char err[400];
	/* NR_CPUS: the fixmap has KM_TYPE_NR kmap_atomic slots per CPU. */
	struct kmap_config cfg = { .kernel = &m->kernel, .nr_cpus = m->ncpus > 1 ? m->ncpus : 0 };
	m->ks = kmap_init(&m->mm, &cfg, err, sizeof(err));
	if (!m->ks)
		return fail(m, EXIT_INTERNAL, "kmap_init: %s", err);
	if (m->opt.trace_path) {
		/* The ELF's file name: a trace must not depend on the directory. */
		const char *slash = strrchr(m->img.path, '/');
		m->opt.trace_opt.ncpus = m->ncpus; /* the header's version, written once */
		m->trace = trace_open_options(m->opt.trace_path, &m->img.symbols,
					      slash && slash[1] ? slash + 1 : m->img.path,
					      m->opt.core, vm_split_name(m->opt.split), m->opt.policy,
					      &m->opt.trace_opt, err, sizeof(err));
		if (!m->trace)
			return fail(m, errno == EINVAL ? EXIT_USAGE : EXIT_IO, "--trace: %s", err);
		trace_set_clock(m->trace, &m->mm.stats.cycles); /* the running CPU's clock */
		trace_set_cpus(m->trace, m->ncpus);
		m->ks->trace = &trace_mm_ops;
		m->ks->trace_arg = m->trace;
	}
	m->policy = policy_load_spec(m->ks, m->opt.policy, err, sizeof(err));
	if (!m->policy)
		return fail(m, EXIT_USAGE, "--policy %s: %s", m->opt.policy, err);
	policy_set_symbolizer(m->policy, symbolize_cb, m);
	return 0;
}

int machine_init(struct machine *m, const struct machine_options *opt, const char *elf_path)
{
	char err[400];
	memset(m, 0, sizeof(*m));
	m->opt = *opt;
	m->sh.rootfd = -1;
	m->ncpus = opt->ncpus ? opt->ncpus : 1;
	m->slice_end = UINT64_MAX;

	m->mm.core = core_profile_find(opt->core);
	int uc_model = -1;
	for (size_t i = 0; i < sizeof(uc_models) / sizeof(uc_models[0]); i++)
		if (strcmp(uc_models[i].core, opt->core) == 0)
			uc_model = uc_models[i].uc_model;
	if (!m->mm.core || uc_model < 0)
		return fail(m, EXIT_USAGE, "unknown --core '%s' (cortex-a7, cortex-a9, cortex-a15, arm1176)",
			    opt->core);
	if (kernel_profile_parse(opt->kernel ? opt->kernel : "5.10", &m->kernel, err, sizeof(err)))
		return fail(m, EXIT_USAGE, "--kernel: %s", err);
	m->core = *m->mm.core;
	m->mm.core = &m->core;
	const struct cache_profile *cp = cache_profile_find(m->core.name);
	if (cp)
		m->cache_prof = *cp;
	if (opt->costs_path) {
		int rc = costs_load(opt->costs_path, m->core.name, &m->core.cost, cp ? &m->cache_prof : NULL, NULL,
				    err, sizeof(err));
		if (rc)
			return fail(m, rc == -2 ? EXIT_NO_INPUT : EXIT_USAGE, "--costs %s", err);
	}
	uint64_t max = layout_max_ram(opt->split);
	if (opt->ram > max)
		return fail(m, EXIT_USAGE, "--ram %lluM is more than split %s allows: RAM must end below PKMAP_BASE 0x%08llx (at most %lluM)",
			    (unsigned long long)(opt->ram >> 20), vm_split_name(opt->split),
			    (unsigned long long)max, (unsigned long long)(max >> 20));
	uint32_t ram = opt->ram ? (uint32_t)opt->ram : layout_default_ram(opt->split);
	if (layout_init(&m->mm.layout, opt->split, ram, err, sizeof(err)))
		return fail(m, EXIT_USAGE, "%s", err);

	if (elf_load(elf_path, &m->img, err, sizeof(err)))
		return fail(m, m->img.file ? EXIT_BAD_ELF : EXIT_NO_INPUT, "%s", err);
	if (elf_check_placement(&m->img, m->mm.layout.phys_offset, m->mm.layout.ram_size, err, sizeof(err)) ||
	    elf_check_core(&m->img, opt->core, err, sizeof(err)))
		return fail(m, EXIT_BAD_ELF, "%s", err);
	int rc = check_linked_for_split(m);
	if (rc)
		return rc;
	if (semihost_init(&m->sh, opt->semihost_root, err, sizeof(err)))
		return fail(m, EXIT_USAGE, "%s", err);

	m->uc_model = uc_model;
	uc_err uerr = uc_compat_open(uc_model, &m->uc);
	if (uerr)
		return uc_fail(m, "to open an ARM engine", uerr);
	if ((rc = map_memory(m)) || (rc = load_image(m)))
		return rc;
	if (paging_init(&m->mm))
		return fail(m, EXIT_INTERNAL, "paging_init: lowmem too small for the kernel page tables");
	if (smp_alloc_boot(m))
		return fail(m, EXIT_INTERNAL, "lowmem too small for %u CPUs' stacks", m->ncpus);
	m->mm.tlb = tlb_create(m->mm.core, opt->seed);
	if (!m->mm.tlb)
		return fail(m, EXIT_INTERNAL, "out of memory for the TLB model");
	if (opt->caches && opt->model) {
		if (!cache_profile_find(m->mm.core->name))
			return fail(m, EXIT_USAGE, "--model cache: no memory hierarchy for --core %s", m->mm.core->name);
		m->mm.caches = cpu_caches_create(&m->cache_prof, opt->seed);
		if (!m->mm.caches)
			return fail(m, EXIT_INTERNAL, "out of memory for the cache model");
		tlb_set_walk_cache(m->mm.tlb, &m->mm.caches->walk);
	}
	m->mm.host = &host_ops;
	m->mm.host_arg = m;
	m->mm.hazard_mode = opt->hazard_mode;
	if (hazard_reporter_init(&m->hazrep, opt->max_reports))
		return fail(m, EXIT_INTERNAL, "out of memory for hazard reports");
	/* The architectural checker needs every access through the model. */
	if (opt->hazard_mode == HAZARD_MODE_ARCHITECTURAL && opt->model) {
		m->mm.hazards = hazard_create(&m->mm.mem, &m->mm.regs, m->ncpus,
					      hazard_core_needs_pte_clean(m->mm.core->name));
		if (!m->mm.hazards)
			return fail(m, EXIT_INTERNAL, "out of memory for the hazard checker");
		hazard_set_ops(m->mm.hazards, &hazard_report_ops, m);
	}
	if ((rc = kernel_init(m)))
		return rc;
	const char *why;
	m->fill = opt->fill && opt->model && fill_model_usable(m, &why);
	if ((rc = cpu_model_init(m)) || (rc = pmu_init(m)) || (rc = load_cp15(m)) || (rc = add_hooks(m)) ||
	    (rc = boot_cpu(m)))
		return rc;
	uerr = (uc_err)fill_model_attach(m, m->mm.tlb, m->vtlb, m->front, 0);
	if (uerr)
		return uc_fail(m, "the TLB-fill model's I/O alias", uerr);
	return smp_init(m, uc_model);
}

int machine_setup_engine(struct machine *m)
{
	int rc;
	if ((rc = map_engine_memory(m)) || (rc = load_cp15(m)) || (rc = add_hooks(m)) || (rc = boot_cpu(m)))
		return rc;
	if (cpu_model_add_hooks(m))
		return fail(m, EXIT_INTERNAL, "cannot hook the guest's TLB maintenance instructions");
	return 0;
}

void machine_run(struct machine *m)
{
	smp_run(m);
}

int machine_close_trace(struct machine *m)
{
	if (!m->trace)
		return 0;
	m->traced = true;
	int rc = trace_close_counts(m->trace, &m->trace_counts);
	m->trace = NULL;
	if (m->ks)
		m->ks->trace = NULL;
	return rc;
}

void machine_free(struct machine *m)
{
	machine_close_trace(m);
	if (m->policy)
		policy_unload(m->policy);
	if (m->ks)
		kmap_free(m->ks);
	cpu_model_free(m);
	pmu_free(m);
	smp_free(m);
	if (m->mm.tlb)
		tlb_destroy(m->mm.tlb);
	cpu_caches_free(m->mm.caches);
	m->mm.caches = NULL;
	hazard_destroy(m->mm.hazards);
	m->mm.hazards = NULL;
	hazard_reporter_free(&m->hazrep);
	if (m->uc)
		uc_close(m->uc);
	uc_compat_vtlb_free(m->vtlb);
	if (m->ram)
		munmap(m->ram, m->mm.layout.ram_size);
	semihost_free(&m->sh);
	elf_free(&m->img);
}

int stop_exit_status(enum stop_reason stop, int guest_exit_code)
{
	switch (stop) {
	case STOP_EXIT: return guest_exit_code;
	case STOP_FAULT: return EXIT_GUEST_FAULT;
	case STOP_RUNAWAY: return EXIT_RUNAWAY;
	case STOP_KERNEL_BUG: return EXIT_KERNEL_BUG;
	case STOP_WOULD_SLEEP: return EXIT_WOULD_SLEEP;
	case STOP_BAD_CALL: return EXIT_BAD_CALL;
	case STOP_INTERRUPTED: return 130;
	case STOP_NONE:
	case STOP_INTERNAL: break;
	}
	return EXIT_INTERNAL;
}
