/* SPDX-License-Identifier: MIT */
/* The AArch64 machine (machine_a64.h): boot as arm64 Linux v5.10 has done
 * before C code runs -- swapper_pg_dir with the linear map and the kernel
 * image as 2 MiB blocks, the fixmap tables wired by early_fixmap_init(),
 * MAIR/TCR/TTBR0/TTBR1 and SCTLR_EL1.M set, EL1h with interrupts masked --
 * then run the guest ELF from its entry point. */
#include "machine_a64.h"

#include <capstone/capstone.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "costs_a64.h"
#include "exit_status.h"
#include "fault.h"
#include "json.h"
#include "kmaplab/hypercall.h"
#include "sched_a64.h"
#include "stats.h"
#include "uc_compat.h"

#define A64_PHYS_OFFSET 0x40000000ull /* RAM base, as on QEMU's virt board */
#define A64_RAM_DEFAULT (256ull << 20)
#define A64_IMAGE_WINDOW (32ull << 20) /* kmaplab-cc: 8 MiB text + 24 MiB data/heap/stack */
#define A64_PGD_MAPPING_WINDOW (8ull << 20) /* MODULES_VADDR..: where guests create mappings */
#define A64_PGTABLE_POOL (1ull << 20)  /* boot page-table pages, top of RAM */
#define A64_SEMIHOST_HLT 0xd45e0000u   /* hlt #0xf000 */
#define A64_HYPERCALL_SVC 0xd40969a1u  /* svc #0x4b4d */
#define SCR_EL3_RW (1ull << 10)        /* lower ELs are AArch64 */

static const struct {
	const char *core;
	int uc_model;
} a64_cores[] = {
	{ "cortex-a53", UC_CPU_ARM64_A53 },
	{ "cortex-a57", UC_CPU_ARM64_A57 },
	{ "cortex-a72", UC_CPU_ARM64_A72 },
};

static struct a64_machine *volatile a64_running;

static void a64_on_signal(int sig)
{
	if (a64_running)
		a64_running->interrupt_signal = sig;
}

static int core_model(const char *core)
{
	for (size_t i = 0; i < sizeof(a64_cores) / sizeof(a64_cores[0]); i++)
		if (strcmp(core, a64_cores[i].core) == 0)
			return a64_cores[i].uc_model;
	return -1;
}

bool a64_wanted(const char *core, const char *path)
{
	if (core_model(core) >= 0)
		return true;
	unsigned char h[20];
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	size_t n = fread(h, 1, sizeof(h), f);
	fclose(f);
	return n == sizeof(h) && memcmp(h, ELFMAG, SELFMAG) == 0 && h[EI_CLASS] == ELFCLASS64 &&
	       h[EI_DATA] == ELFDATA2LSB && (h[18] | h[19] << 8) == EM_AARCH64;
}

void a64_stop(struct a64_machine *m, enum stop_reason reason, const char *fmt, ...)
{
	if (m->stop != STOP_NONE)
		return;
	m->stop = reason;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->message, sizeof(m->message), fmt, ap);
	va_end(ap);
	if (m->uc)
		uc_emu_stop(m->uc);
}

static int fail(struct a64_machine *m, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct a64_machine *m, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->message, sizeof(m->message), fmt, ap);
	va_end(ap);
	return status;
}

uint64_t a64_reg(struct a64_machine *m, int reg)
{
	uint64_t v = 0;
	uc_reg_read(m->uc, reg, &v);
	return v;
}

void a64_set_reg(struct a64_machine *m, int reg, uint64_t v)
{
	uc_reg_write(m->uc, reg, &v);
}

const char *a64_symbolize(const struct a64_machine *m, uint64_t va, char *buf, size_t len)
{
	uint64_t base = m->k.layout.kimage_vaddr;
	if (va >= base && va - base < A64_IMAGE_WINDOW && symtab_lookup(&m->syms, (uint32_t)(va - base))) {
		const struct symbol *s = symtab_lookup(&m->syms, (uint32_t)(va - base));
		snprintf(buf, len, "%s+0x%llx (0x%016llx)", s->name,
			 (unsigned long long)(va - base - s->addr), (unsigned long long)va);
	} else {
		snprintf(buf, len, "0x%016llx", (unsigned long long)va);
	}
	return buf;
}

/* Guest virtual memory through the tables the guest runs on (TTBR1 for
 * kernel addresses; TTBR0 holds an empty table). */
static int guest_copy(struct a64_machine *m, uint64_t va, uint8_t *p, uint64_t len, bool write)
{
	while (len) {
		uint64_t desc, pa;
		unsigned level;
		uint64_t chunk = A64_PAGE_SIZE - (va & (A64_PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		if (!(va >> 63) || !a64_walk(&m->k.mem, m->k.swapper_pg_dir, m->k.layout.va_bits, va, &desc, &level, &pa) ||
		    !a64_phys_ok(&m->k.mem, pa, chunk))
			return -1;
		uint8_t *host = m->k.mem.host + (pa - m->k.mem.base);
		if (write)
			memcpy(host, p, chunk);
		else
			memcpy(p, host, chunk);
		va += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

int a64_guest_read(struct a64_machine *m, uint64_t va, void *buf, uint64_t len)
{
	return guest_copy(m, va, buf, len, false);
}

int a64_guest_write(struct a64_machine *m, uint64_t va, const void *buf, uint64_t len)
{
	return guest_copy(m, va, (uint8_t *)buf, len, true);
}

/* ---- the ELF ---- */

static int load_elf(struct a64_machine *m)
{
	int fd = open(m->elf_path, O_RDONLY);
	if (fd < 0)
		return fail(m, EXIT_NO_INPUT, "%s: %s", m->elf_path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) || !(m->file = malloc(st.st_size ? (size_t)st.st_size : 1)) ||
	    read(fd, m->file, (size_t)st.st_size) != st.st_size) {
		close(fd);
		return fail(m, EXIT_NO_INPUT, "%s: cannot read it", m->elf_path);
	}
	close(fd);
	m->file_size = (size_t)st.st_size;
	elf_version(EV_CURRENT);
	Elf *e = elf_memory((char *)m->file, m->file_size);
	GElf_Ehdr eh;
	size_t nph;
	int rc = 0;
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) || gelf_getclass(e) != ELFCLASS64 ||
	    eh.e_machine != EM_AARCH64 || eh.e_type != ET_EXEC || elf_getphdrnum(e, &nph)) {
		rc = fail(m, EXIT_BAD_ELF, "%s: not a 64-bit AArch64 executable ELF (build it with kmaplab-cc --core cortex-a53)",
			  m->elf_path);
		goto out;
	}
	m->entry = eh.e_entry;
	m->segs = calloc(nph ? nph : 1, sizeof(*m->segs));
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		uint64_t base = m->k.layout.kimage_vaddr;
		if (ph.p_vaddr < base || ph.p_memsz > A64_IMAGE_WINDOW || ph.p_vaddr - base > A64_IMAGE_WINDOW - ph.p_memsz ||
		    ph.p_filesz > ph.p_memsz || ph.p_offset > m->file_size || ph.p_filesz > m->file_size - ph.p_offset) {
			rc = fail(m, EXIT_BAD_ELF, "%s: segment at VA 0x%016llx (0x%llx bytes) is not inside the kernel image window [KIMAGE_VADDR 0x%016llx, +32 MiB) of VA_BITS %u; build the guest with kmaplab-cc --core cortex-a53 --va-bits %u",
				  m->elf_path, (unsigned long long)ph.p_vaddr, (unsigned long long)ph.p_memsz,
				  (unsigned long long)base, m->k.layout.va_bits, m->k.layout.va_bits);
			goto out;
		}
		/* picolibc's link map puts initialised data at a load address
		 * (p_paddr, in the text window) that its crt0 copies to p_vaddr:
		 * the bytes go to p_paddr, which must lie in the window too. */
		if (ph.p_paddr < base || ph.p_filesz > A64_IMAGE_WINDOW || ph.p_paddr - base > A64_IMAGE_WINDOW - ph.p_filesz) {
			rc = fail(m, EXIT_BAD_ELF, "%s: segment load address 0x%016llx is not inside the kernel image window",
				  m->elf_path, (unsigned long long)ph.p_paddr);
			goto out;
		}
		struct a64_segment *s = &m->segs[m->nsegs++];
		s->vaddr = ph.p_paddr;
		s->filesz = ph.p_filesz;
		s->memsz = ph.p_memsz;
		s->data = m->file + ph.p_offset;
		s->exec = (ph.p_flags & PF_X) != 0;
		if (ph.p_vaddr + ph.p_memsz > m->image_end)
			m->image_end = ph.p_vaddr + ph.p_memsz;
	}
	if (!m->nsegs || m->entry < m->k.layout.kimage_vaddr || m->entry >= m->image_end) {
		rc = fail(m, EXIT_BAD_ELF, "%s: no loadable segment holds the entry point 0x%016llx", m->elf_path,
			  (unsigned long long)m->entry);
		goto out;
	}
	/* Symbols, as offsets into the image (the symbol table is 32-bit). */
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			if (!gelf_getsym(d, (int)i, &sym) || (GELF_ST_TYPE(sym.st_info) != STT_FUNC &&
			    GELF_ST_TYPE(sym.st_info) != STT_OBJECT))
				continue;
			const char *name = elf_strptr(e, sh.sh_link, sym.st_name);
			uint64_t base = m->k.layout.kimage_vaddr;
			if (name && *name && sym.st_value >= base && sym.st_value - base < A64_IMAGE_WINDOW)
				symtab_add(&m->syms, (uint32_t)(sym.st_value - base), (uint32_t)sym.st_size, name);
		}
	}
	symtab_sort(&m->syms);
out:
	if (e)
		elf_end(e);
	return rc;
}

/* ---- boot: RAM, tables, registers ---- */

static int uc_fail(struct a64_machine *m, const char *what, uc_err err)
{
	return fail(m, EXIT_INTERNAL, "Unicorn refused %s: %s", what, uc_strerror(err));
}

static unsigned a64_host_tlbi(void *arg, enum a64_tlbi op, uint64_t va);
static void a64_host_barrier(void *arg, bool isb);
static void a64_host_pt_store(void *arg, uint64_t pa, uint64_t old, uint64_t new_desc);
static void a64_host_pt_table(void *arg, uint64_t pa, uint64_t va);
static const struct a64_flush_ops a64_flush_ops = {
	.tlbi = a64_host_tlbi, .barrier = a64_host_barrier, .pt_store = a64_host_pt_store,
	.pt_table = a64_host_pt_table, .flushed = a64_trace_flushed, .fixmap = a64_trace_fixmap,
};

static int build_kernel(struct a64_machine *m)
{
	struct a64_kernel *k = &m->k;
	uint64_t phys_image = A64_PHYS_OFFSET; /* the image sits at the start of RAM */
	k->kimage_voffset = k->layout.kimage_vaddr - phys_image;
	for (size_t i = 0; i < m->nsegs; i++) {
		const struct a64_segment *s = &m->segs[i];
		uint8_t *dst = k->mem.host + (s->vaddr - k->kimage_voffset - k->mem.base);
		memcpy(dst, s->data, s->filesz); /* the rest is fresh, zeroed RAM */
	}
	/* The page-table pool is the lower half of RAM's last 2 MiB: the last
	 * 1 MiB stays unused, RAM a guest may take as a device region (as
	 * guest-tests/bounce_ioremap.c does with early_ioremap). */
	k->memblock_next = k->mem.base + k->mem.size - 2 * A64_PGTABLE_POOL;
	k->memblock_end = k->mem.base + k->mem.size - A64_PGTABLE_POOL;
	k->swapper_pg_dir = a64_early_pgtable_alloc(k);
	k->reserved_pg_dir = a64_early_pgtable_alloc(k);
	if (k->layout.va_bits > 39)
		k->bm_pud = a64_early_pgtable_alloc(k);
	k->bm_pmd = a64_early_pgtable_alloc(k);
	k->bm_pte = a64_early_pgtable_alloc(k);
	/* map_mem(): the linear map of all RAM, not executable (PAGE_KERNEL);
	 * map_kernel(): the image window, executable and writable (kmaplab
	 * does not split text/rodata/data into separate permissions). */
	/* vmemmap: 64 bytes per page of RAM, backed by 2 MiB blocks just below
	 * the last 2 MiB of RAM (which hold the page-table pool). */
	m->memmap_size = ((k->mem.size >> A64_PAGE_SHIFT) * A64_STRUCT_PAGE_SIZE + SZ_2M - 1) & ~(SZ_2M - 1);
	uint64_t memmap_phys = k->mem.base + k->mem.size - SZ_2M - m->memmap_size;
	a64_pages_init(&m->pages, k, memmap_phys, (phys_image + A64_IMAGE_WINDOW) >> A64_PAGE_SHIFT,
		       memmap_phys >> A64_PAGE_SHIFT);
	if (a64_map_blocks(k, k->layout.vmemmap_start, memmap_phys, m->memmap_size, PAGE_KERNEL) ||
	    a64_map_blocks(k, k->layout.page_offset, k->mem.base, k->mem.size, PAGE_KERNEL) ||
	    a64_map_blocks(k, k->layout.kimage_vaddr, phys_image, A64_IMAGE_WINDOW, PAGE_KERNEL_EXEC))
		return fail(m, EXIT_INTERNAL, "out of boot page-table pages");
	a64_early_fixmap_init(k);
	a64_early_ioremap_setup(k);
	k->flush = &a64_flush_ops;
	k->flush_arg = m;
	return 0;
}

static uc_err sysreg_write(uc_engine *uc, unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
			   uint64_t val)
{
	uc_arm64_cp_reg r = { .crn = crn, .crm = crm, .op0 = op0, .op1 = op1, .op2 = op2, .val = val };
	return uc_reg_write(uc, UC_ARM64_REG_CP_REG, &r);
}

static uc_err sysreg_read(uc_engine *uc, unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
			  uint64_t *val)
{
	uc_arm64_cp_reg r = { .crn = crn, .crm = crm, .op0 = op0, .op1 = op1, .op2 = op2 };
	uc_err err = uc_reg_read(uc, UC_ARM64_REG_CP_REG, &r);
	*val = r.val;
	return err;
}

/* MAIR_EL1 as proc.S v5.10 programs it: one attribute per MT_* index. */
static uint64_t mair_el1(void)
{
	return 0xffull << (8 * MT_NORMAL) | 0xffull << (8 * MT_NORMAL_TAGGED) | 0x44ull << (8 * MT_NORMAL_NC) |
	       0xbbull << (8 * MT_NORMAL_WT) | 0x00ull << (8 * MT_DEVICE_nGnRnE) | 0x04ull << (8 * MT_DEVICE_nGnRE) |
	       0x0cull << (8 * MT_DEVICE_GRE);
}

/* TCR_EL1: T0SZ = T1SZ = 64 - VA_BITS, 4 KiB granules (TG0 0, TG1 2),
 * write-back inner-shareable walks, IPS 40 bits (the A53's PARange). */
static uint64_t tcr_el1(unsigned va_bits)
{
	uint64_t tsz = 64 - va_bits;
	uint64_t walk = 1ull << 8 | 1ull << 10 | 3ull << 12; /* IRGN0, ORGN0 WBWA, SH0 inner */
	return tsz | walk | tsz << 16 | walk << 16 | 2ull << 30 | 2ull << 32;
}

static int boot_cpu(struct a64_machine *m)
{
	uc_engine *uc = m->uc;
	uint64_t sctlr = 0;
	uc_err err = sysreg_write(uc, 3, 0, 10, 2, 0, mair_el1());
	if (!err)
		err = sysreg_write(uc, 3, 0, 2, 0, 2, tcr_el1(m->k.layout.va_bits));
	if (!err)
		err = sysreg_write(uc, 3, 0, 2, 0, 0, m->k.reserved_pg_dir); /* TTBR0_EL1 */
	if (!err)
		err = sysreg_write(uc, 3, 0, 2, 0, 1, m->k.swapper_pg_dir);  /* TTBR1_EL1 */
	if (!err)
		err = sysreg_write(uc, 3, 0, 1, 0, 2, 3ull << 20);           /* CPACR_EL1.FPEN: FP/SIMD on */
	/* SCR_EL3.RW: EL1 is AArch64.  Unicorn resets SCR_EL3 to 0 and has no
	 * boot loader to set it, and QEMU's arm_el_is_aa64(env, 1)
	 * (target/arm/cpu.h) then says EL1 is AArch32, so the EL1 regime was
	 * walked as AArch32 LPAE on the VA's low 32 bits: every load, store and
	 * fetch was translated at the address truncated to 32 bits (measured
	 * with AT S1E1R before and after, docs/aarch64.md). */
	uint64_t scr = 0;
	if (!err)
		err = sysreg_read(uc, 3, 6, 1, 1, 0, &scr);
	if (!err)
		err = sysreg_write(uc, 3, 6, 1, 1, 0, scr | SCR_EL3_RW);
	if (!err)
		err = sysreg_read(uc, 3, 0, 1, 0, 0, &sctlr);
	/* M (MMU), C, I on; A (alignment) and SA (stack alignment) off. */
	sctlr = (sctlr | 1u | 1u << 2 | 1u << 12) & ~(uint64_t)(1u << 1 | 1u << 3);
	if (!err)
		err = sysreg_write(uc, 3, 0, 1, 0, 0, sctlr);
	uint64_t zero = 0;
	if (!err)
		err = uc_reg_write(uc, UC_ARM64_REG_X29, &zero);
	if (!err)
		err = uc_reg_write(uc, UC_ARM64_REG_X30, &zero);
	return err ? uc_fail(m, "a system register write", err) : 0;
}

/* Unicorn 2.0 checks every VA against its regions: placeholders for the
 * linear map, the image window and the fixmap's 2 MiB (bm_pte). */
static int map_memory(struct a64_machine *m)
{
	uc_err err = uc_mem_map_ptr(m->uc, m->k.mem.base, m->k.mem.size, UC_PROT_ALL, m->ram);
	if (err)
		return uc_fail(m, "the RAM region", err);
	if (!uc_compat_regions_are_virtual())
		return 0;
	const struct a64_layout *l = &m->k.layout;
	err = uc_mem_map(m->uc, l->page_offset, m->k.mem.size, UC_PROT_ALL);
	if (!err)
		err = uc_mem_map(m->uc, l->kimage_vaddr, A64_IMAGE_WINDOW, UC_PROT_ALL);
	if (!err)
		err = uc_mem_map(m->uc, l->vmemmap_start, m->memmap_size, UC_PROT_ALL);
	if (!err)
		err = uc_mem_map(m->uc, l->fixaddr_start & ~(SZ_2M - 1), SZ_2M, UC_PROT_ALL);
	if (!err) /* create_pgd_mapping()'s window (docs/aarch64.md) */
		err = uc_mem_map(m->uc, l->modules_vaddr, A64_PGD_MAPPING_WINDOW, UC_PROT_ALL);
	return err ? uc_fail(m, "a VA placeholder region", err) : 0;
}

/* ---- the hazard checker (mm/hazard_a64.h) ---- */

/* One stderr line per distinct (kind, PC, VA page), at most A64_HZ_SITES
 * (the lines are written by a64_hz_print(), emu/hazard_report_a64.c). */
static void hz_report(struct a64_machine *m, enum a64_hz_kind kind, uint64_t pc, const struct a64_hz_report *r)
{
	uint64_t va = r->va & ~(A64_PAGE_SIZE - 1);
	for (unsigned i = 0; i < m->nhz_sites; i++)
		if (m->hz_sites[i].kind == kind && m->hz_sites[i].pc == pc && m->hz_sites[i].va == va)
			return;
	if (m->nhz_sites == A64_HZ_SITES)
		return;
	m->hz_sites[m->nhz_sites].kind = kind;
	m->hz_sites[m->nhz_sites].pc = pc;
	m->hz_sites[m->nhz_sites++].va = va;
	char sym[160];
	a64_hz_print(stderr, kind, a64_symbolize(m, pc, sym, sizeof(sym)), r);
}

static void hz_tlbi(struct a64_machine *m, enum a64_tlbi op, uint64_t operand, uint64_t pc)
{
	struct a64_hz_report r;
	if (a64_hazard_tlbi(&m->hz, op, operand, &r) != A64_HZ_NONE)
		hz_report(m, A64_HZ_BARRIER_STORE, pc, &r);
}

/* An access to `va`: checked against the possibly-stale set, with the
 * translation the tables hold now (the architecture's, not the TLB's). */
static void hz_access(struct a64_machine *m, uint64_t va, uint64_t pc)
{
	struct a64_hz_report r;
	enum a64_hz_kind kind = a64_hazard_access(&m->hz, va, &r);
	if (kind != A64_HZ_NONE)
		hz_report(m, kind, pc, &r);
}

static void a64_host_barrier(void *arg, bool isb)
{
	struct a64_machine *m = arg;
	if (m->hz_on)
		(isb ? a64_hazard_isb : a64_hazard_dsb)(&m->hz);
}

/* The modelled TLB served a stale entry for `va` (mm/tlb_a64.h): counted
 * in every mode, a line of its own with --hazards observed. */
static void hz_observed(struct a64_machine *m, uint64_t va, uint64_t pc)
{
	if (!m->hz.observed_only)
		return;
	struct a64_hz_report r = { .va = va, .old = m->tlb.stale_desc, .now = m->tlb.stale_now, .global = true };
	hz_report(m, A64_HZ_OBSERVED, pc, &r);
}

static void hz_store(struct a64_machine *m, uint64_t pa, uint64_t old, uint64_t new_desc)
{
	struct a64_hz_report r;
	if (old != new_desc && m->tlb_on)
		a64_tlb_tables_changed(&m->tlb);
	if (a64_hazard_pt_store(&m->hz, pa, old, new_desc, &r) == A64_HZ_BBM)
		hz_report(m, A64_HZ_BBM, a64_reg(m, UC_ARM64_REG_PC), &r);
}

static void a64_host_pt_store(void *arg, uint64_t pa, uint64_t old, uint64_t new_desc)
{
	struct a64_machine *m = arg;
	if (m->hz_on)
		hz_store(m, pa, old, new_desc);
}

static void a64_host_pt_table(void *arg, uint64_t pa, uint64_t va)
{
	struct a64_machine *m = arg;
	if (m->hz_on)
		a64_hazard_watch_table(&m->hz, pa, va, 3);
}

/* A guest store of `size` bytes at physical `pa` into a watched table:
 * the 8-byte descriptor before and after it. */
static void hz_guest_store(struct a64_machine *m, uint64_t pa, int size, int64_t value)
{
	uint64_t at = pa & ~7ull;
	if (size < 1 || size > 8 || (pa & 7) + (uint64_t)size > 8 || !a64_phys_ok(&m->k.mem, at, 8)) {
		m->hz.stats.untracked++;
		return;
	}
	uint64_t old, new_desc;
	memcpy(&old, m->k.mem.host + (at - m->k.mem.base), 8);
	new_desc = old;
	memcpy((uint8_t *)&new_desc + (pa & 7), &value, (size_t)size); /* little-endian */
	hz_store(m, at, old, new_desc);
}

/* ---- TLB maintenance on QEMU's TLB ---- */

/* The kernel's TLBIs, replayed on QEMU's TLB through the system register
 * interface (op0 1, CRn 8; encodings from the ARMv8-A ARM, C5.5). */
static unsigned a64_host_tlbi(void *arg, enum a64_tlbi op, uint64_t va)
{
	struct a64_machine *m = arg;
	static const struct { unsigned crm, op2; } enc[A64_TLBI_NR] = {
		[A64_TLBI_VAALE1IS] = { 3, 7 }, [A64_TLBI_VAE1IS] = { 3, 1 }, [A64_TLBI_VMALLE1IS] = { 3, 0 },
		[A64_TLBI_ASIDE1IS] = { 3, 2 }, [A64_TLBI_VAE1] = { 7, 1 }, [A64_TLBI_VAALE1] = { 7, 7 },
		[A64_TLBI_VMALLE1] = { 7, 0 }, [A64_TLBI_ASIDE1] = { 7, 2 }, [A64_TLBI_VALE1IS] = { 3, 5 },
		[A64_TLBI_VALE1] = { 7, 5 }, [A64_TLBI_VAAE1IS] = { 3, 3 }, [A64_TLBI_VAAE1] = { 7, 3 },
	};
	uint64_t arg_va = (va >> 12) & ((1ull << 44) - 1); /* __TLBI_VADDR(addr, 0) */
	unsigned cycles = 0;
	if (m->hz_on)
		hz_tlbi(m, op, arg_va, a64_reg(m, UC_ARM64_REG_PC));
	if (m->tlb_on)
		a64_tlb_tlbi(&m->tlb, op, arg_va, &cycles);
	uc_err err = sysreg_write(m->uc, 1, 0, 8, enc[op].crm, enc[op].op2, arg_va);
	if (err)
		a64_stop(m, STOP_INTERNAL, "Unicorn refused TLBI %s: %s", a64_tlbi_name[op], uc_strerror(err));
	a64_vtlb_flush_all(m->vtlb);
	return cycles;
}

/* ---- hypercalls ---- */

/* kmap.* stats keys, in this order. */
enum a64_kmap_stat {
	A64_KS_KMAP, A64_KS_KUNMAP, A64_KS_KMAP_ATOMIC, A64_KS_KUNMAP_ATOMIC, A64_KS_KMAP_LOCAL,
	A64_KS_KUNMAP_LOCAL, A64_KS_PAGE_ADDRESS, A64_KS_ALLOC_PAGE, A64_KS_FREE_PAGE,
};
static const char *const a64_kmap_stat_name[] = {
	"kmap", "kunmap", "kmap_atomic", "kunmap_atomic", "kmap_local", "kunmap_local", "page_address",
	"alloc_page", "free_page",
};

static void a64_bug(struct a64_machine *m, uint64_t pc)
{
	char sym[160];
	a64_stop(m, STOP_KERNEL_BUG, "%s, called from %s", m->k.bug, a64_symbolize(m, pc, sym, sizeof(sym)));
}

static uint64_t kernel_info(struct a64_machine *m, uint64_t which, bool *ok)
{
	const struct a64_kernel *k = &m->k;
	*ok = true;
	switch (which) {
	case KINFO_PAGE_OFFSET: return k->layout.page_offset;
	case KINFO_PHYS_OFFSET: return k->layout.phys_offset;
	case KINFO_SWAPPER_PG_DIR: return a64_phys_to_virt(&k->layout, k->swapper_pg_dir);
	case KINFO_BM_PTE: return a64_phys_to_virt(&k->layout, k->bm_pte);
	case KINFO_NR_CPUS: return 1;
	case KINFO_MEM_MAP: return a64_pfn_to_page(k, m->pages.memstart_pfn);
	case KINFO_ARCH_PFN_OFFSET: return m->pages.memstart_pfn;
	case KINFO_MAX_LOW_PFN: /* no highmem: all of RAM is low */
	case KINFO_MAX_PFN: return m->pages.end_pfn;
	case KINFO_FIXADDR_TOP: return k->layout.fixaddr_top;
	case KINFO_KIMAGE_VADDR: return k->layout.kimage_vaddr;
	case KINFO_VA_BITS: return k->layout.va_bits;
	case KINFO_FIX_TEXT_POKE0: return k->fix.fix_text_poke0;
	case KINFO_FIX_BTMAP_BEGIN: return k->fix.fix_btmap_begin;
	case KINFO_FIX_BTMAP_END: return k->fix.fix_btmap_end;
	case KINFO_END_OF_FIXED: return k->fix.end_of_fixed;
	}
	*ok = false;
	return 0;
}

static int64_t a64_patch_text(struct a64_machine *m, uint64_t addr, uint32_t insn, bool flush, uint64_t pc);

static void a64_hypercall(struct a64_machine *m, uint64_t pc)
{
	uint64_t a0 = a64_reg(m, UC_ARM64_REG_X0), a1 = a64_reg(m, UC_ARM64_REG_X1);
	uint64_t nr = a64_reg(m, UC_ARM64_REG_X8), ret = 0;
	struct a64_kernel *k = &m->k;
	char sym[160];
	bool ok = true;
	if (nr != HC_ABI_VERSION && nr != HC_KERNEL_INFO)
		m->kernel_calls++;
	bool set_ret; /* kthreads, schedule(), one CPU's SMP calls (sched_a64.c) */
	if (a64_sched_hypercall(m, nr, pc, &ret, &set_ret)) {
		if (set_ret)
			a64_set_reg(m, UC_ARM64_REG_X0, ret);
		return;
	}
	switch (nr) {
	case HC_ABI_VERSION: ret = KMAPLAB_HC_ABI_VERSION; break;
	case HC_KERNEL_INFO:
		ret = kernel_info(m, a0, &ok);
		if (!ok) {
			a64_stop(m, STOP_BAD_CALL, "HC_KERNEL_INFO: selector %llu has no meaning on the AArch64 machine, called from %s",
				 (unsigned long long)a0, a64_symbolize(m, pc, sym, sizeof(sym)));
			return;
		}
		break;
	case HC_SET_FIXMAP: /* set_fixmap(): FIXMAP_PAGE_NORMAL */
		if (a0 > UINT32_MAX || a64___set_fixmap(k, (unsigned)a0, a1, FIXMAP_PAGE_NORMAL))
			return a64_bug(m, pc);
		break;
	case HC_SET_FIXMAP_IO: /* set_fixmap_io(): FIXMAP_PAGE_IO */
		if (a0 > UINT32_MAX || a64___set_fixmap(k, (unsigned)a0, a1, FIXMAP_PAGE_IO))
			return a64_bug(m, pc);
		break;
	case HC_CLEAR_FIXMAP: /* clear_fixmap(): __set_fixmap(idx, 0, FIXMAP_PAGE_CLEAR) */
		if (a0 > UINT32_MAX || a64___set_fixmap(k, (unsigned)a0, 0, FIXMAP_PAGE_CLEAR))
			return a64_bug(m, pc);
		break;
	case HC_EARLY_IOREMAP: /* early_ioremap(): FIXMAP_PAGE_IO */
		ret = a64_early_ioremap(k, a0, a1, FIXMAP_PAGE_IO);
		if (!ret)
			return a64_bug(m, pc);
		break;
	case HC_EARLY_IOUNMAP:
		if (a64_early_iounmap(k, a0, a1))
			return a64_bug(m, pc);
		break;
	case HC_ALLOC_PAGE:
		ret = a64_alloc_page(k, &m->pages, (unsigned)a0);
		m->kmap_calls[A64_KS_ALLOC_PAGE]++;
		break;
	case HC_FREE_PAGE:
		m->kmap_calls[A64_KS_FREE_PAGE]++;
		if (a64_free_page(k, &m->pages, a0)) {
			snprintf(k->bug, sizeof(k->bug), "BUG: __free_page(0x%016llx): not an allocated struct page",
				 (unsigned long long)a0);
			return a64_bug(m, pc);
		}
		break;
	case HC_PAGE_ADDRESS: case HC_KMAP: case HC_KMAP_ATOMIC: case HC_KMAP_LOCAL_PAGE: {
		/* !CONFIG_HIGHMEM (include/linux/highmem.h v5.10): all three
		 * kmap forms are page_address(); nothing is mapped or flushed. */
		int64_t pfn = a64_page_to_pfn(k, &m->pages, a0);
		m->kmap_calls[nr == HC_PAGE_ADDRESS ? A64_KS_PAGE_ADDRESS : nr == HC_KMAP ? A64_KS_KMAP
			      : nr == HC_KMAP_ATOMIC ? A64_KS_KMAP_ATOMIC : A64_KS_KMAP_LOCAL]++;
		if (pfn < 0) {
			snprintf(k->bug, sizeof(k->bug), "BUG: %s(0x%016llx): not a struct page in vmemmap",
				 nr == HC_PAGE_ADDRESS ? "page_address" : nr == HC_KMAP ? "kmap"
				 : nr == HC_KMAP_ATOMIC ? "kmap_atomic" : "kmap_local_page", (unsigned long long)a0);
			return a64_bug(m, pc);
		}
		ret = a64_pfn_to_virt(k, (uint64_t)pfn);
		break;
	}
	/* kunmap(), kunmap_atomic(), kunmap_local(): nothing to undo. */
	case HC_KUNMAP: m->kmap_calls[A64_KS_KUNMAP]++; break;
	case HC_KUNMAP_ATOMIC: m->kmap_calls[A64_KS_KUNMAP_ATOMIC]++; break;
	case HC_KUNMAP_LOCAL: m->kmap_calls[A64_KS_KUNMAP_LOCAL]++; break;
	case HC_AARCH64_INSN_PATCH_TEXT_NOSYNC:
		ret = (uint64_t)a64_patch_text(m, a0, (uint32_t)a1, a64_reg(m, UC_ARM64_REG_X2) != 1, pc);
		if (m->stop != STOP_NONE)
			return;
		break;
	case HC_FLUSH_TLB_KERNEL_RANGE: a64_flush_tlb_kernel_range(k, a0, a1); break;
	case HC_FLUSH_TLB_ALL: a64_flush_tlb_all(k); break;
	case HC_CREATE_PGD_MAPPING: /* paging_init()'s __create_pgd_mapping(), PAGE_KERNEL */
		if (a64_create_pgd_mapping(k, a0, a1, a64_reg(m, UC_ARM64_REG_X2), PAGE_KERNEL,
					   (int)(a64_reg(m, UC_ARM64_REG_X3) & 3)))
			return a64_bug(m, pc);
		break;
	default:
		a64_stop(m, STOP_BAD_CALL, "unknown hypercall %llu (x8) for the AArch64 machine, called from %s",
			 (unsigned long long)nr, a64_symbolize(m, pc, sym, sizeof(sym)));
		return;
	}
	a64_set_reg(m, UC_ARM64_REG_X0, ret);
}

/* is_image_text(): the guest's executable segments are the kernel text. */
static bool a64_is_image_text(const struct a64_machine *m, uint64_t va)
{
	for (size_t i = 0; i < m->nsegs; i++)
		if (m->segs[i].exec && va >= m->segs[i].vaddr && va - m->segs[i].vaddr < m->segs[i].memsz)
			return true;
	return false;
}

/* aarch64_insn_patch_text_nosync() and __aarch64_insn_write() of
 * arch/arm64/kernel/insn.c (v5.10): patch_map() maps the text page at
 * FIX_TEXT_POKE0 (set_fixmap_offset: FIXMAP_PAGE_NORMAL, no flush), the
 * instruction is stored through that alias, patch_unmap() clears it
 * (clear_fixmap: one TLBI VAALE1IS), and __flush_icache_range() cleans the
 * D-cache line to the point of unification and invalidates the I-cache
 * line (DC CVAU, DSB ISH, IC IVAU, DSB ISH, ISB).  kmaplab's store is the
 * host's, so QEMU's translated code of that instruction is dropped where
 * the I-cache is invalidated; without the flush the old code stays. */
static int64_t a64_patch_text(struct a64_machine *m, uint64_t addr, uint32_t insn, bool flush, uint64_t pc)
{
	struct a64_kernel *k = &m->k;
	m->poke_calls++;
	if (addr & 3)
		return -22; /* -EINVAL: A64 instructions are word aligned */
	uint64_t waddr = addr, idx = k->fix.fix_text_poke0, pa;
	bool image = a64_is_image_text(m, addr), ok;
	if (image) {
		/* __pa_symbol(addr): the image sits at kimage_voffset. */
		uint64_t phys = addr - k->kimage_voffset;
		if (a64___set_fixmap(k, (unsigned)idx, phys & ~(A64_PAGE_SIZE - 1), FIXMAP_PAGE_NORMAL)) {
			a64_bug(m, pc);
			return -22;
		}
		waddr = a64_fix_to_virt(k, (unsigned)idx) + (addr & (A64_PAGE_SIZE - 1));
	}
	/* copy_to_kernel_nofault(waddr, &insn, 4): a store by the kernel. */
	if (m->tlb_on)
		a64_tlb_access(&m->tlb, A64_SIDE_D, &m->regime, waddr, &ok, &pa);
	if (a64_guest_write(m, waddr, &insn, 4)) {
		char sym[160];
		a64_stop(m, STOP_FAULT, "aarch64_insn_patch_text_nosync(0x%016llx): the store to 0x%016llx does not translate, called from %s",
			 (unsigned long long)addr, (unsigned long long)waddr, a64_symbolize(m, pc, sym, sizeof(sym)));
		return -14;
	}
	if (image)
		a64___set_fixmap(k, (unsigned)idx, 0, FIXMAP_PAGE_CLEAR); /* patch_unmap() */
	if (!flush) {
		m->stale_code = addr;
		return 0;
	}
	m->poke_icache_flushes++;
	uint64_t c0 = k->cycles;
	k->stats.dsb += 2;
	k->stats.isb += 1;
	k->cycles += 2 * (uint64_t)k->dsb_cycles + k->isb_cycles;
	m->poke_cycles += k->cycles - c0;
	uc_err err = uc_ctl_remove_cache(m->uc, addr, addr + 4);
	if (err)
		a64_stop(m, STOP_INTERNAL, "Unicorn refused to drop the translated code at 0x%016llx: %s",
			 (unsigned long long)addr, uc_strerror(err));
	if (m->stale_code >= addr && m->stale_code < addr + 4)
		m->stale_code = 0;
	return 0;
}

/* ---- exceptions and faults ---- */

static const char *disasm(struct a64_machine *m, uint64_t pc, char *buf, size_t len)
{
	uint8_t code[4];
	csh cs;
	snprintf(buf, len, "?");
	if (a64_guest_read(m, pc, code, 4) || cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs) != CS_ERR_OK)
		return buf;
	cs_insn *insn;
	size_t n = cs_disasm(cs, code, 4, pc, 1, &insn);
	if (n) {
		snprintf(buf, len, "%.31s%s%.120s", insn[0].mnemonic, insn[0].op_str[0] ? " " : "", insn[0].op_str);
		cs_free(insn, n);
	} else {
		uint32_t w;
		memcpy(&w, code, 4);
		snprintf(buf, len, ".inst 0x%08x", w);
	}
	cs_close(&cs);
	return buf;
}

static void report_fault(struct a64_machine *m, const char *kind, uint64_t pc)
{
	char sym[160], insn[160];
	a64_stop(m, STOP_FAULT, "%s at %s: %s", kind, a64_symbolize(m, pc, sym, sizeof(sym)),
		 disasm(m, pc, insn, sizeof(insn)));
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *arg)
{
	struct a64_machine *m = arg;
	uint64_t pc = a64_reg(m, UC_ARM64_REG_PC);
	uint32_t word = 0;
	switch (intno) {
	case EXCP_UDEF: /* HLT arrives here with PC at the instruction */
		if (!a64_guest_read(m, pc, &word, 4) && word == A64_SEMIHOST_HLT) {
			a64_set_reg(m, UC_ARM64_REG_PC, pc + 4);
			a64_semihost_call(m);
			return;
		}
		report_fault(m, "undefined instruction", pc);
		return;
	case EXCP_SWI: /* SVC: PC already past it */
		if (!a64_guest_read(m, pc - 4, &word, 4) && word == A64_HYPERCALL_SVC) {
			a64_trace_call_begin(m, a64_reg(m, UC_ARM64_REG_X8), pc - 4);
			a64_hypercall(m, pc - 4);
			a64_trace_call_end(m);
			return;
		}
		report_fault(m, "unknown SVC (not the hypercall svc #0x4b4d)", pc - 4);
		return;
	case EXCP_PREFETCH_ABORT: {
		char sym[160];
		a64_stop(m, STOP_FAULT, "prefetch abort: instruction fetch from %s does not translate",
			 a64_symbolize(m, pc, sym, sizeof(sym)));
		return;
	}
	case EXCP_DATA_ABORT: report_fault(m, "data abort", pc); return;
	default: {
		char kind[64];
		snprintf(kind, sizeof(kind), "exception %u", intno);
		report_fault(m, kind, pc);
	}
	}
	(void)uc;
}

static bool hook_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void *arg)
{
	(void)uc;
	(void)size;
	(void)value;
	struct a64_machine *m = arg;
	uint64_t pc = a64_reg(m, UC_ARM64_REG_PC);
	char sym[160], insn[160];
	addr = a64_vtlb_hook_va(m->vtlb, addr);
	a64_stop(m, STOP_FAULT, "%s of unmapped VA 0x%016llx at %s: %s",
		 type == UC_MEM_FETCH_UNMAPPED ? "fetch" : type == UC_MEM_WRITE_UNMAPPED ? "write" : "read",
		 (unsigned long long)addr, a64_symbolize(m, pc, sym, sizeof(sym)), disasm(m, pc, insn, sizeof(insn)));
	return false;
}

/* Fixed-width instructions: a block of `size` bytes is size / 4 of them. */
static void hook_block(uc_engine *uc, uint64_t addr, uint32_t size, void *arg)
{
	struct a64_machine *m = arg;
	/* A stop requested from the interrupt hook does not always take
	 * effect on AArch64 (measured: the guest ran on past its SYS_EXIT):
	 * ask again at the next block. */
	if (m->interrupt_signal || m->stop != STOP_NONE) {
		uc_emu_stop(uc);
		return;
	}
	/* The tick: a preemption switches tasks before this block runs. */
	if (a64_sched_block(m, addr))
		return;
	if (m->opt.max_insns && m->insns >= m->opt.max_insns) {
		char sym[160];
		a64_stop(m, STOP_RUNAWAY, "runaway guest: stopped after %llu instructions (--max-insns %llu) at %s",
			 (unsigned long long)m->insns, (unsigned long long)m->opt.max_insns,
			 a64_symbolize(m, addr, sym, sizeof(sym)));
		return;
	}
	m->insns += size / 4;
	/* Code patched without __flush_icache_range() being fetched: the
	 * architecture does not say which instruction runs (stale code). */
	if (m->stale_code && m->stale_code - addr < size)
		m->poke_stale_fetches++;
	if (m->tlb_on && size) {
		/* One look-up per fetched instruction: the block's first, the
		 * first of a second page if it crosses one, the rest hit the
		 * micro TLB entry those left (as tlb_repeat() on ARM32). */
		bool ok;
		uint64_t pa, last = addr + size - 4;
		a64_tlb_access(&m->tlb, A64_SIDE_I, &m->regime, addr, &ok, &pa);
		if (m->tlb.stale && m->hz_on)
			hz_observed(m, addr, addr);
		uint32_t rest = size / 4 - 1;
		if ((last ^ addr) >> A64_PAGE_SHIFT) {
			a64_tlb_access(&m->tlb, A64_SIDE_I, &m->regime, last & ~(A64_PAGE_SIZE - 1), &ok, &pa);
			if (m->tlb.stale && m->hz_on)
				hz_observed(m, last, last);
			rest--;
		}
		m->tlb.stats.accesses += rest;
		m->tlb.stats.micro_hits += rest;
		if (m->hz_on && !a64_hazard_quiet(&m->hz)) {
			hz_access(m, addr, addr);
			if ((last ^ addr) >> A64_PAGE_SHIFT)
				hz_access(m, last, last);
		}
	}
}

/* Every load and store: one D-side look-up. */
static void hook_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void *arg)
{
	(void)uc;
	struct a64_machine *m = arg;
	bool ok;
	uint64_t pa;
	uint64_t va = a64_vtlb_hook_va(m->vtlb, addr);
	a64_tlb_access(&m->tlb, A64_SIDE_D, &m->regime, va, &ok, &pa);
	if (!m->hz_on)
		return;
	if (m->tlb.stale)
		hz_observed(m, va, a64_reg(m, UC_ARM64_REG_PC));
	if (type == UC_MEM_WRITE && ok && a64_hazard_pt_watched(&m->hz, pa))
		hz_guest_store(m, pa, size, value);
	if (!a64_hazard_quiet(&m->hz))
		hz_access(m, va, a64_reg(m, UC_ARM64_REG_PC));
}

/* A pre-scanned TLBI, DSB or ISB is about to execute: the model acts on it
 * (Unicorn's own TLB is maintained by QEMU executing it). */
static void hook_site(uc_engine *uc, uint64_t addr, uint32_t size, void *arg)
{
	(void)uc;
	(void)size;
	struct a64_machine *m = arg;
	const struct a64_site *s = NULL;
	for (size_t lo = 0, hi = m->nsites; lo < hi;) {
		size_t mid = (lo + hi) / 2;
		if (m->sites[mid].va < addr) {
			lo = mid + 1;
		} else {
			hi = mid;
			if (m->sites[mid].va == addr)
				s = &m->sites[mid];
		}
	}
	if (!s)
		return;
	const struct a64_tlb_costs *c = &m->tlb.p->cost;
	uint64_t cycle = m->trace.tw ? a64_cycles(m) : 0;
	switch (s->kind) {
	case A64_SITE_TLBI: {
		/* X0-X28 are consecutive in Unicorn's enum; X29, X30 are not. */
		int reg = s->rt < 29 ? UC_ARM64_REG_X0 + (int)s->rt : s->rt == 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30;
		uint64_t xt = a64_ctx_tlbi_operand(m, s->rt == 31 ? 0 : a64_reg(m, reg));
		unsigned cycles;
		m->guest_tlbi[s->op]++;
		a64_vtlb_flush_all(m->vtlb);
		unsigned inval = a64_tlb_tlbi(&m->tlb, s->op, xt, &cycles);
		m->guest_tlbi_invalidated += inval;
		if (m->hz_on)
			hz_tlbi(m, s->op, xt, addr);
		m->guest_tlbi_cycles += cycles;
		a64_trace_site(m, s, addr, cycle, xt, inval, cycles);
		break;
	}
	case A64_SITE_MSR: {
		int reg = s->rt < 29 ? UC_ARM64_REG_X0 + (int)s->rt : s->rt == 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30;
		a64_ctx_msr(m, s->reg, s->rt == 31 ? 0 : a64_reg(m, reg));
		break;
	}
	case A64_SITE_DSB: m->guest_dsb++; m->guest_barrier_cycles += c->dsb; a64_host_barrier(m, false);
		a64_trace_site(m, s, addr, cycle, 0, 0, c->dsb); break;
	case A64_SITE_ISB: m->guest_isb++; m->guest_barrier_cycles += c->isb; a64_host_barrier(m, true);
		a64_trace_site(m, s, addr, cycle, 0, 0, c->isb); break;
	}
}

static int site_cmp(const void *a, const void *b)
{
	const struct a64_site *x = a, *y = b;
	return x->va < y->va ? -1 : x->va > y->va;
}

/* The TLB model: the profile of --core, the pre-scan, the hooks. */
static int setup_tlb_model(struct a64_machine *m)
{
	const struct a64_tlb_profile *p = &m->profile;
	if (a64_tlb_init(&m->tlb, p))
		return fail(m, EXIT_INTERNAL, "no TLB model for %s", m->opt.core);
	m->tlb_on = true;
	m->k.dsb_cycles = p->cost.dsb;
	m->k.isb_cycles = p->cost.isb;
	m->regime = (struct a64_regime){ .mem = &m->k.mem, .ttbr0 = m->k.reserved_pg_dir,
					 .ttbr1 = m->k.swapper_pg_dir, .va_bits = m->k.layout.va_bits, .asid = 0 };
	for (size_t i = 0; i < m->nsegs; i++)
		if (a64_scan_sites(m->segs[i].data, m->segs[i].filesz, m->segs[i].vaddr, &m->sites, &m->nsites) < 0)
			return fail(m, EXIT_INTERNAL, "the TLBI pre-scan failed (Capstone or memory)");
	if (m->nsites)
		qsort(m->sites, m->nsites, sizeof(*m->sites), site_cmp);
	/* --hazards architectural (the default): every table reachable from
	 * TTBR0/TTBR1 is watched from the start, tables linked in later as
	 * their pointers are stored. */
	if (m->opt.hazard_mode != HAZARD_MODE_OFF) {
		m->hz_on = true;
		a64_hazard_init(&m->hz, &m->k.mem, m->k.layout.va_bits, m->k.reserved_pg_dir, m->k.swapper_pg_dir);
		m->hz.observed_only = m->opt.hazard_mode == HAZARD_MODE_OBSERVED;
	}
	a64_ctx_init(m, m->k.reserved_pg_dir, m->k.swapper_pg_dir, tcr_el1(m->k.layout.va_bits));
	uc_hook h;
	uc_err err = uc_hook_add(m->uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, hook_mem, m, 1, 0);
	for (size_t i = 0; !err && i < m->nsites; i++)
		err = uc_hook_add(m->uc, &h, UC_HOOK_CODE, hook_site, m, m->sites[i].va, m->sites[i].va);
	return err ? uc_fail(m, "a TLB-model hook", err) : 0;
}

/* ---- set-up, run, report ---- */

static int a64_init(struct a64_machine *m)
{
	char err[512];
	int uc_model = core_model(m->opt.core);
	if (uc_model < 0)
		return fail(m, EXIT_USAGE, "%s is an AArch64 ELF: run it with --core cortex-a53, cortex-a57 or cortex-a72 (got --core %s)",
			    m->elf_path, m->opt.core);
	unsigned va_bits = m->opt.va_bits ? m->opt.va_bits : 39;
	m->profile = *a64_tlb_profile_find(m->opt.core); /* every AArch64 core has one */
	if (m->opt.costs_path) {
		int rc = a64_costs_load(m->opt.costs_path, m->opt.core, &m->profile.cost, NULL, err, sizeof(err));
		if (rc)
			return fail(m, rc == -2 ? EXIT_NO_INPUT : EXIT_USAGE, "--costs %s", err);
	}
	if (m->opt.semihost_root)
		return fail(m, EXIT_USAGE, "--semihosting-root: the AArch64 machine has console semihosting only");
	/* Options of the ARM32 machine that mean nothing here are refused, not
	 * ignored (docs/aarch64.md). */
	if (m->opt.ncpus > 1)
		return fail(m, EXIT_USAGE, "--cpus %u: the AArch64 machine runs one CPU", m->opt.ncpus);
	if (m->opt.policy && strcmp(m->opt.policy, "linux"))
		return fail(m, EXIT_USAGE, "--policy %s: the AArch64 machine has no highmem, so no mapping policy (kmap is page_address)",
			    m->opt.policy);
	if (m->opt.kernel && strcmp(m->opt.kernel, "5.10"))
		return fail(m, EXIT_USAGE, "--kernel %s: the AArch64 machine models arm64 Linux 5.10 only", m->opt.kernel);
	if (m->opt.caches || m->opt.fill)
		return fail(m, EXIT_USAGE, "--model %s: the AArch64 machine models TLBs only (--model on)",
			    m->opt.caches ? "cache" : "fill");
	uint64_t ram = m->opt.ram ? m->opt.ram : A64_RAM_DEFAULT;
	/* The image window, vmemmap (one 2 MiB block up to 128 MiB of RAM),
	 * the page-table pool's 2 MiB, and 2 MiB of pages to allocate. */
	if (ram % SZ_2M || ram < A64_IMAGE_WINDOW + 3 * SZ_2M)
		return fail(m, EXIT_USAGE, "--ram: the AArch64 machine needs a multiple of 2 MiB, at least 38 MiB");
	struct a64_config cfg = { .acpi_apei_ghes = true, .arm_sde_interface = true, .unmap_kernel_at_el0 = true };
	m->k.cfg = cfg;
	a64_fixmap_enum_init(&m->k.fix, &cfg);
	if (a64_layout_init(&m->k.layout, va_bits, A64_PHYS_OFFSET, ram, &m->k.fix, err, sizeof(err)))
		return fail(m, EXIT_USAGE, "--va-bits: %s", err);
	int rc = load_elf(m);
	if (rc)
		return rc;
	m->ram = mmap(NULL, ram, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->ram == MAP_FAILED) {
		m->ram = NULL;
		return fail(m, EXIT_INTERNAL, "cannot allocate %llu MiB of guest RAM", (unsigned long long)(ram >> 20));
	}
	m->k.mem = (struct a64_mem){ .host = m->ram, .base = A64_PHYS_OFFSET, .size = ram };
	if ((rc = build_kernel(m)))
		return rc;
	uc_err uerr = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &m->uc);
	if (!uerr)
		uerr = uc_ctl_set_cpu_model(m->uc, uc_model);
	if (!uerr && !uc_compat_init_engine(m->uc))
		uerr = UC_ERR_ARG;
	if (uerr)
		return uc_fail(m, "to open an AArch64 engine", uerr);
	if ((rc = map_memory(m)) || (rc = boot_cpu(m)))
		return rc;
	if (a64_sched_init(m))
		return fail(m, EXIT_INTERNAL, "out of memory for the task table");
	m->vtlb = a64_vtlb_install(m->uc, &m->k.mem, m->k.reserved_pg_dir, m->k.swapper_pg_dir, m->k.layout.va_bits,
				   &uerr);
	if (uerr)
		return uc_fail(m, "the virtual TLB mode", uerr);
	uc_hook h;
	uerr = uc_hook_add(m->uc, &h, UC_HOOK_INTR, hook_intr, m, 1, 0);
	if (!uerr)
		uerr = uc_hook_add(m->uc, &h, UC_HOOK_MEM_UNMAPPED, hook_unmapped, m, 1, 0);
	if (!uerr)
		uerr = uc_hook_add(m->uc, &h, UC_HOOK_BLOCK, hook_block, m, 1, 0);
	if (uerr)
		return uc_fail(m, "a hook", uerr);
	if (m->opt.model && (rc = setup_tlb_model(m)))
		return rc;
	if ((rc = a64_pmu_init(m)))
		return rc;
	return m->opt.trace_path ? a64_trace_open(m) : 0;
}

static void a64_execute(struct a64_machine *m)
{
	uc_err err = uc_emu_start(m->uc, m->entry, 0, 0, 0);
	if (m->interrupt_signal)
		a64_stop(m, STOP_INTERRUPTED, "interrupted by signal %d after %llu instructions",
			 (int)m->interrupt_signal, (unsigned long long)m->insns);
	if (m->stop != STOP_NONE)
		return;
	uint64_t pc = a64_reg(m, UC_ARM64_REG_PC);
	char sym[160], insn[160];
	if (err != UC_ERR_OK)
		a64_stop(m, STOP_FAULT, "%s at %s: %s", uc_strerror(err), a64_symbolize(m, pc, sym, sizeof(sym)),
			 disasm(m, pc, insn, sizeof(insn)));
	else
		a64_stop(m, STOP_INTERNAL, "the emulator stopped without a cause at %s",
			 a64_symbolize(m, pc, sym, sizeof(sym)));
}

/* The stats file: the ARM32 machine's keys where they mean the same
 * (docs/stats.md), plus the arm64 kernel's counters. */
static int a64_stats_write(const struct a64_machine *m, const char *path, int status)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	const struct a64_kstats *s = &m->k.stats;
	struct json j;
	json_begin(&j, f);
	json_u64(&j, "format", 1);
	json_string(&j, "arch", "aarch64");
	json_string(&j, "core", m->opt.core);
	json_string(&j, "costs", m->opt.costs_path ? m->opt.costs_path : "");
	json_u64(&j, "va_bits", m->k.layout.va_bits);
	json_object(&j, "guest");
	json_i64(&j, "status", status);
	json_string(&j, "elf", m->elf_path);
	json_string(&j, "stop", stop_reason_name(m->stop));
	if (m->stop == STOP_EXIT)
		json_i64(&j, "exit_code", m->exit_code);
	else
		json_null(&j, "exit_code");
	json_u64(&j, "instructions", m->insns);
	json_end_object(&j);
	const struct a64_tlb_stats *ts = &m->tlb.stats;
	json_u64(&j, "cycles", a64_cycles(m));
	json_object(&j, "tlb");
	json_u64(&j, "accesses", ts->accesses);
	json_u64(&j, "micro_hits", ts->micro_hits);
	json_u64(&j, "main_hits", ts->main_hits);
	json_u64(&j, "misses", ts->misses);
	json_u64(&j, "walks", ts->walks);
	json_u64(&j, "walk_reads", ts->walk_reads);
	json_u64(&j, "walk_cache_hits", ts->walk_cache_hits);
	json_u64(&j, "faults", ts->faults);
	json_u64(&j, "invalidated", ts->invalidated);
	json_u64(&j, "cycles", ts->lookup_cycles);
	json_end_object(&j);
	json_object(&j, "flush");
	/* arm64 has no local_flush_tlb_kernel_page(): always 0, kept for
	 * the readers of ARM32 stats (kmaplab compare). */
	json_object(&j, "local_flush_tlb_kernel_page");
	json_u64(&j, "calls", 0);
	json_u64(&j, "cycles", 0);
	json_end_object(&j);
	json_object(&j, "flush_tlb_kernel_range");
	json_u64(&j, "calls", s->flush_tlb_kernel_range_calls);
	json_u64(&j, "pages", s->flush_tlb_kernel_range_pages);
	json_u64(&j, "cycles", s->flush_tlb_kernel_range_cycles);
	json_end_object(&j);
	json_object(&j, "flush_tlb_all");
	json_u64(&j, "calls", s->flush_tlb_all_calls);
	json_u64(&j, "cycles", s->flush_tlb_all_cycles);
	json_end_object(&j);
	/* What the modelled kernel's flushes issued, as on ARM32. */
	json_object(&j, "ops");
	json_u64(&j, "DSB", s->dsb);
	json_u64(&j, "ISB", s->isb);
	for (int i = 0; i < A64_TLBI_NR; i++)
		json_u64(&j, a64_tlbi_name[i], s->tlbi[i]);
	json_end_object(&j);
	/* The guest's own TLBI instructions (the pre-scan's sites). */
	json_object(&j, "tlbi");
	for (int i = 0; i < A64_TLBI_NR; i++)
		json_u64(&j, a64_tlbi_name[i], m->guest_tlbi[i]);
	json_u64(&j, "invalidated", m->guest_tlbi_invalidated);
	json_u64(&j, "cycles", m->guest_tlbi_cycles);
	json_end_object(&j);
	json_end_object(&j);
	json_object(&j, "kmap");
	for (int i = 0; i < 9; i++)
		json_u64(&j, a64_kmap_stat_name[i], m->kmap_calls[i]);
	json_u64(&j, "flush_all_zero_pkmaps", 0); /* no pkmap on arm64 */
	json_end_object(&j);
	json_object(&j, "fixmap");
	json_u64(&j, "set", s->set_fixmap);
	json_u64(&j, "clear", s->clear_fixmap);
	json_u64(&j, "early_ioremap", s->early_ioremap);
	json_u64(&j, "early_iounmap", s->early_iounmap);
	json_u64(&j, "cycles", s->set_fixmap_cycles);
	json_u64(&j, "pgtable_set", s->pgtable_set_fixmap);
	json_u64(&j, "pgtable_clear", s->pgtable_clear_fixmap);
	json_u64(&j, "pgtable_entries", s->pgtable_entries);
	json_u64(&j, "pgtable_cycles", s->pgtable_cycles);
	json_end_object(&j);
	json_object(&j, "hazards");
	json_object(&j, "stale_tlb");
	json_u64(&j, "architectural", m->hz.stats.stale);
	json_u64(&j, "observed", m->hz_on ? m->tlb.stats.stale_served : 0);
	json_end_object(&j);
	json_u64(&j, "barrier", m->hz.stats.barrier);
	json_u64(&j, "bbm", m->hz.stats.bbm);
	json_u64(&j, "pte_not_cleaned", 0); /* ARMv8 walks are coherent */
	json_u64(&j, "untracked", m->hz.stats.untracked);
	json_u64(&j, "sites", m->nhz_sites);
	json_end_object(&j);
	json_object(&j, "text_poke");
	json_u64(&j, "calls", m->poke_calls);
	json_u64(&j, "icache_flushes", m->poke_icache_flushes);
	json_u64(&j, "stale_fetches", m->poke_stale_fetches);
	json_u64(&j, "cycles", m->poke_cycles);
	json_end_object(&j);
	/* The guest's own DSB and ISB instructions. */
	json_object(&j, "barriers");
	json_u64(&j, "dsb", m->guest_dsb);
	json_u64(&j, "isb", m->guest_isb);
	json_u64(&j, "cycles", m->guest_barrier_cycles);
	json_end_object(&j);
	if (a64_sched_used(m)) { /* as on ARM32: once a second task was made */
		const struct a64_sched_stats *x = a64_sched_stats(m);
		json_object(&j, "machine");
		json_u64(&j, "tick", m->opt.tick);
		json_end_object(&j);
		json_u64(&j, "tasks", a64_sched_ntasks(m));
		json_object(&j, "sched");
		json_u64(&j, "switches", x->switches);
		json_u64(&j, "preemptions", x->preemptions);
		json_u64(&j, "ticks", x->ticks);
		json_u64(&j, "deferred", x->deferred);
		json_u64(&j, "yields", x->yields);
		json_u64(&j, "cycles", x->cycles);
		json_u64(&j, "sched_out_pte_clears", 0); /* no highmem: no kmap_local PTEs */
		json_u64(&j, "sched_out_flushes", 0);
		json_u64(&j, "sched_in_pte_sets", 0);
		json_u64(&j, "sched_in_flushes", 0);
		json_end_object(&j);
	}
	if (m->trace.closed) { /* as on ARM32 (docs/stats.md) */
		const struct trace_counts *tc = &m->trace.counts;
		json_object(&j, "trace");
		json_u64(&j, "events", tc->events);
		json_u64(&j, "flush", tc->flush);
		json_u64(&j, "tlbi", tc->tlbi);
		json_u64(&j, "kmap", tc->kmap);
		json_u64(&j, "warn", tc->warn);
		json_u64(&j, "hazard", tc->hazard);
		json_u64(&j, "bytes", tc->bytes);
		json_bool(&j, "truncated", tc->truncated);
		json_u64(&j, "not_recorded", tc->not_recorded);
		json_end_object(&j);
	}
	json_finish(&j);
	if (fclose(f) || rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

/* With --model off nothing but the instructions is charged. */
uint64_t a64_cycles(const struct a64_machine *m)
{
	const struct a64_tlb_costs *c = &m->profile.cost;
	uint64_t kernel_cycles = m->tlb_on ? m->k.cycles + m->kernel_calls * c->hypercall + a64_sched_cycles(m) : 0;
	return m->insns * c->insn + m->tlb.stats.lookup_cycles + kernel_cycles + m->guest_tlbi_cycles +
	       m->guest_barrier_cycles;
}

static void a64_free(struct a64_machine *m)
{
	if (m->uc)
		uc_close(m->uc);
	a64_vtlb_free(m->vtlb);
	if (m->ram)
		munmap(m->ram, m->k.mem.size);
	symtab_free(&m->syms);
	if (m->tlb_on)
		a64_tlb_free(&m->tlb);
	free(m->sites);
	a64_sched_free(m);
	a64_pages_free_all(&m->pages);
	free(m->segs);
	free(m->file);
}

int a64_run(const struct machine_options *opt, const char *elf_path, const char *stats_path)
{
	struct a64_machine *m = calloc(1, sizeof(*m));
	if (!m) {
		fputs("kmaplab: out of memory\n", stderr);
		return EXIT_INTERNAL;
	}
	m->opt = *opt;
	m->elf_path = elf_path;
	int status = a64_init(m);
	if (status) {
		fprintf(stderr, "kmaplab: %s\n", m->message);
	} else {
		a64_running = m;
		signal(SIGINT, a64_on_signal);
		signal(SIGTERM, a64_on_signal);
		a64_execute(m);
		a64_running = NULL;
		fflush(stdout);
		status = stop_exit_status(m->stop, m->exit_code);
		if (m->stop != STOP_EXIT)
			fprintf(stderr, "kmaplab: %s\n", m->message);
	}
	if (m->trace.tw && a64_trace_close(m)) {
		fprintf(stderr, "kmaplab: --trace %s: %s\n", m->opt.trace_path, strerror(errno));
		if (status == 0)
			status = EXIT_IO;
	}
	if (stats_path && a64_stats_write(m, stats_path, status)) {
		fprintf(stderr, "kmaplab: --stats %s: %s\n", stats_path, strerror(errno));
		if (status == 0)
			status = EXIT_IO;
	}
	a64_free(m);
	free(m);
	return status;
}
