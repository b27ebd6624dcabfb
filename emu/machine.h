/* SPDX-License-Identifier: MIT */
/* One emulated machine: a Unicorn ARM core running one guest ELF with the
 * MMU on, the memory model (mm/) beside it, and the run's outcome. */
#ifndef KMAPLAB_EMU_MACHINE_H
#define KMAPLAB_EMU_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <unicorn/unicorn.h>

#include "elf_load.h"
#include "hazard_report.h"
#include "kernel.h"
#include "mm.h"
#include "semihost.h"
#include "trace.h"

#define MAX_WARN_SITES 64

struct machine_options {
	const char *core;          /* --core */
	enum vm_split split;       /* --split */
	uint64_t ram;              /* --ram, 0: default for the split */
	uint64_t max_insns;        /* --max-insns, 0: no limit */
	const char *semihost_root; /* --semihosting-root, NULL: none */
	char **guest_argv;         /* argv[0] is the ELF's file name, or --argv0 */
	int guest_argc;
	uint64_t seed;             /* --seed */
	bool model;                /* --model on: every access through the TLB model */
	bool fill;                 /* --model fill: the model driven by Unicorn 2.1's TLB fills */
	bool no_block_hook;        /* --model none: Unicorn alone (benchmark ceiling) */
	bool caches;               /* --model cache: and data through the caches (mm/cache.h) */
	const char *policy;        /* --policy NAME|PATH.so[,key=value...] */
	const char *trace_path;    /* --trace FILE, NULL: none */
	enum hazard_mode hazard_mode; /* --hazards (0: architectural) */
	unsigned max_reports;      /* --max-reports */
	const char *kernel;        /* --kernel VERSION[,key=value...], NULL: 5.10 (mm/kernel.h) */
	const char *costs_path;    /* --costs FILE, NULL: the core's defaults */
	struct trace_options trace_opt; /* --trace-events, --trace-max-bytes */
	unsigned ncpus;            /* --cpus, 0: 1 */
	uint64_t quantum;          /* --quantum cycles (emu/smp.h) */
	enum tlb_broadcast tlb_broadcast; /* --tlb-broadcast is|ipi */
	bool erratum_798181;       /* --erratum-798181 */
	uint64_t tick;             /* --tick cycles, 0: off (emu/sched.h) */
	unsigned va_bits;          /* --va-bits (AArch64 machine), 0: 39 */
};

enum stop_reason {
	STOP_NONE,
	STOP_EXIT,        /* the guest called exit() */
	STOP_FAULT,       /* abort, undefined instruction, unknown exception */
	STOP_RUNAWAY,     /* --max-insns */
	STOP_BAD_CALL,    /* unknown SVC, hypercall or semihosting call */
	STOP_KERNEL_BUG,  /* BUG: in modelled kernel code */
	STOP_WOULD_SLEEP, /* pkmap exhaustion */
	STOP_INTERNAL,    /* Unicorn refused something */
	STOP_INTERRUPTED, /* SIGINT or SIGTERM */
};

#define FILL_MIB_MAX 16 /* --model fill: gained MiBs kept per CPU until follow_hazards() */

struct machine {
	struct machine_options opt;
	uc_engine *uc;
	struct uc_compat_vtlb *vtlb; /* Unicorn 2.1's fills (emu/uc_compat.h), NULL on 2.0 */
	uint8_t *ram;              /* host memory backing guest RAM */
	struct mm mm;
	struct core_profile core;  /* --core's profile with --costs applied; mm.core points here */
	struct cache_profile cache_prof; /* its memory hierarchy with --costs applied (--model cache) */
	struct kernel_profile kernel; /* --kernel */
	struct elf_image img;
	struct semihost sh;
	struct cpu_model *cpu;     /* emu/cpu_model.c */
	struct cpu_model_hot *front; /* the current CPU's block-hook cost cache (emu/cpu_model.h) */
	struct pmu *pmu;           /* emu/pmu.c: the guest's PMU counts the model */
	struct kmap_state *ks;     /* the kernel's highmem state (mm/highmem.h) */
	struct kmaplab_plugin *policy; /* the mapping policy (plugins/policy.h) */
	struct trace_writer *trace; /* --trace (emu/trace.h), NULL without */
	struct trace_counts trace_counts; /* what the trace held when closed */
	bool traced;

	uint64_t insns;            /* guest instructions executed */
	enum stop_reason stop;
	int exit_code;             /* guest's status, valid for STOP_EXIT */
	char message[2048];        /* one line for every other stop (holds a policy report, plugin.h: 1536) */
	volatile sig_atomic_t interrupt_signal; /* set by a signal handler */

	/* Fault decoding: the last data access the guest attempted. */
	bool want_fault_va;
	bool have_fault_va;
	uint32_t fault_va;
	uint8_t fault_size;        /* bytes of that access */
	bool fault_is_write;
	uc_hook fault_hook;

	/* Hazard reports, de-duplicated and bounded (emu/hazard_report.h). */
	struct hazard_reporter hazrep;

	/* Kernel WARN sites already printed (emu/hypercall.c). */
	struct { uint32_t pc, fn; } warned[MAX_WARN_SITES];
	size_t nwarned;
	/* SMP (emu/smp.h): m->uc, mm.tlb, mm.regs and mm.stats.cycles are the
	 * current CPU's. */
	unsigned ncpus;
	int uc_model;
	struct cpu *cpus;
	struct cpu *cur;
	uint64_t slice_end;        /* the current CPU yields at this clock */
	bool yield;                /* uc_emu_stop was the scheduler's */
	bool hc_no_ret;            /* the SMP hypercall leaves r0 alone */
	uint8_t pkmap_holder[512]; /* the CPU whose kmap() mapped each pkmap slot */
	uint64_t smp_sleeps, smp_wakeups; /* pkmap_map_wait */
	uint8_t *code_pages;       /* per VA page: bit i set once CPU i ran code there */
	uint64_t smp_code_flushes; /* engines that dropped their code for it */
	unsigned libc_lock_owner, libc_lock_depth; /* newlib's malloc lock (emu/smp.c) */
	uint64_t libc_lock_sleeps;
	uint64_t cpu_hazards[8][4];  /* per CPU and enum hazard_kind: what the checker reported */
	struct task *tasks;          /* every task made (emu/sched.h) */
	unsigned ntasks;
	/* --model fill (emu/fill_model.h) */
	bool fill;                 /* on for this run (fill_model_usable) */
	uint32_t fill_watch_gen;   /* hazard_pt_watch_gen() the engines' TLBs were filled under */
	bool fill_alias_all[32];   /* per CPU: every data page through the alias (a checker record that fit nowhere) */
	bool fill_mib_pending;     /* some CPU gained a possibly-stale MiB since follow_hazards() */
	uint8_t fill_mib_n[32];    /* per CPU: how many in fill_mib[] (past FILL_MIB_MAX: too many) */
	uint16_t fill_mib[32][FILL_MIB_MAX]; /* per CPU: those MiBs (VA >> 20) */

};

/* Unicorn 2.1's fill: the guest's tables as they are now (emu/uc_compat.h). */
bool machine_vtlb_translate(void *arg, uint32_t va, uc_mem_type type, uint32_t *pa, uint32_t *prot);

/* Sets up the machine and loads the guest.  Returns 0, or an exit status
 * (emu/exit_status.h) with the reason in m->message. */
int machine_init(struct machine *m, const struct machine_options *opt, const char *elf_path);

/* Runs the guest to its end; m->stop says how it ended. */
void machine_run(struct machine *m);

/* Closes --trace (end record, buffer written).  Returns 0 or -1 (errno). */
int machine_close_trace(struct machine *m);

void machine_free(struct machine *m);

/* Maps RAM and the VA windows into engine m->uc, loads its CP15 state and
 * adds every hook (a secondary CPU's engine, emu/smp.c).  0 or an exit status. */
int machine_setup_engine(struct machine *m);

/* The process's exit status for a run that ended with `stop`: the guest's
 * own for an exit(), else kmaplab's for that ending (emu/exit_status.h,
 * docs/cli.md).  Both machines, ARM32 and AArch64, use it. */
int stop_exit_status(enum stop_reason stop, int guest_exit_code);

/* Stops the run with `reason` and a formatted one-line message. */
void machine_stop(struct machine *m, enum stop_reason reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "symbol+0xoff" for a guest VA. */
const char *machine_symbolize(const struct machine *m, uint32_t va, char *buf, size_t len);

/* Guest virtual memory through the current page tables.  Return 0, or -1 if
 * some byte does not translate. */
int guest_read(struct machine *m, uint32_t va, void *buf, uint32_t len);
int guest_write(struct machine *m, uint32_t va, const void *buf, uint32_t len);
uint32_t guest_reg(struct machine *m, int reg);
void guest_set_reg(struct machine *m, int reg, uint32_t val);

#endif
