/* SPDX-License-Identifier: MIT */
/* The AArch64 machine: a Unicorn ARM64 core (Cortex-A53/A57/A72) running one
 * guest ELF at EL1 with the MMU on, in the virtual layout of arm64 Linux
 * v5.10 (mm/arm64.h), its page tables in guest RAM.  Separate from the
 * ARM32 machine (machine.c), whose addresses are 32 bits; it shares the
 * option set, the exit statuses, the JSON writer and the symbol table.
 * docs/aarch64.md describes it. */
#ifndef KMAPLAB_EMU_MACHINE_A64_H
#define KMAPLAB_EMU_MACHINE_A64_H
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

#include "arm64.h"
#include "arm64_page.h"
#include "asid_a64.h"
#include "hazard_a64.h"
#include "hazard_report_a64.h"
#include "machine.h"
#include "pmu_a64.h"
#include "symbols.h"
#include "tlb_a64.h"
#include "tlbi_scan_a64.h"
#include "trace_a64.h"
#include "vtlb_a64.h"

#define A64_HZ_SITES 64 /* distinct hazard sites reported on stderr */

struct a64_segment {
	uint64_t vaddr, filesz, memsz;
	const uint8_t *data;
	bool exec;                   /* PF_X: kernel text (is_image_text) */
};

struct a64_machine {
	struct machine_options opt;
	const char *elf_path;
	uc_engine *uc;
	uint8_t *ram;
	struct a64_kernel k;
	uint64_t entry;
	uint64_t image_end;          /* VA just past the highest segment */
	uint8_t *file;               /* the ELF file */
	size_t file_size;
	struct a64_segment *segs;
	size_t nsegs;
	struct symtab syms;          /* offsets from k.layout.kimage_vaddr */
	uint64_t insns;
	enum stop_reason stop;
	int exit_code;
	char message[1024];
	int sh_errno;                /* semihosting SYS_ERRNO */
	volatile sig_atomic_t interrupt_signal;
	struct a64_vtlb *vtlb;       /* Unicorn 2.1: the model translates (vtlb_a64.h) */
	/* Pages and the no-highmem kmap family (mm/arm64_page.h). */
	struct a64_pages pages;
	uint64_t memmap_size;        /* bytes of vmemmap mapped, 2 MiB blocks */
	uint64_t kmap_calls[9];      /* enum a64_kmap_stat */
	/* --core's profile with --costs applied (mm/costs_a64.h). */
	struct a64_tlb_profile profile;
	/* The TLB model (off with --model off/none) and what feeds it. */
	bool tlb_on;
	struct a64_tlb tlb;
	struct a64_regime regime;
	uint64_t ttbr0_el1, ttbr1_el1, tcr_el1; /* as the guest last wrote them (asid_a64.h) */
	struct a64_site *sites;      /* the pre-scan's TLBI/DSB/ISB sites */
	size_t nsites;
	uint64_t guest_tlbi[A64_TLBI_NR], guest_tlbi_invalidated, guest_tlbi_cycles;
	uint64_t guest_dsb, guest_isb, guest_barrier_cycles;
	uint64_t kernel_calls;       /* modelled kernel functions called (hypercalls) */
	/* Text patching: calls, I-cache flushes, fetches of code patched
	 * without one (the last such instruction, until a flush covers it). */
	uint64_t poke_calls, poke_icache_flushes, poke_stale_fetches, poke_cycles;
	uint64_t stale_code;         /* VA of the unflushed patch, 0: none */
	/* The architectural hazard checker (mm/hazard_a64.h; --hazards
	 * architectural with a TLB model) and the sites it reported. */
	bool hz_on;
	struct a64_hazard hz;
	struct { uint64_t pc, va; unsigned kind; } hz_sites[A64_HZ_SITES];
	unsigned nhz_sites;
	struct a64_trace trace;      /* --trace (trace_a64.h) */
	struct a64_pmu pmu;          /* the guest's PMU counts the model (pmu_a64.h) */
	struct a64_sched *sched;     /* kernel threads on the one CPU (sched_a64.h) */
};

/* True when `core` names an AArch64 core, or the ELF at `path` is EM_AARCH64. */
bool a64_wanted(const char *core, const char *path);
/* The whole of `kmaplab run` for an AArch64 guest: set-up, run, report,
 * --stats.  Returns the process's exit status. */
int a64_run(const struct machine_options *opt, const char *elf_path, const char *stats_path);

/* Used by the semihosting and hypercall halves (semihost_a64.c). */
void a64_stop(struct a64_machine *m, enum stop_reason reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int a64_guest_read(struct a64_machine *m, uint64_t va, void *buf, uint64_t len);
int a64_guest_write(struct a64_machine *m, uint64_t va, const void *buf, uint64_t len);
uint64_t a64_reg(struct a64_machine *m, int reg);
void a64_set_reg(struct a64_machine *m, int reg, uint64_t v);
const char *a64_symbolize(const struct a64_machine *m, uint64_t va, char *buf, size_t len);
/* The modelled cycle count so far (the stats' `cycles`). */
uint64_t a64_cycles(const struct a64_machine *m);
/* Serves `hlt #0xf000` (ARM semihosting, AArch64 flavour: x0 op, x1 arg). */
void a64_semihost_call(struct a64_machine *m);

#endif
