/* SPDX-License-Identifier: MIT */
/* `kmaplab run --trace FILE`: every TLB maintenance event and every
 * kmap-family call, written to a compact binary file (docs/trace.md) that
 * `kmaplab trace` (emu/trace_cmd.c) turns into CSV, JSON lines or a
 * Chrome/Perfetto timeline.
 *
 * Writing: trace_open() writes the header (run description, name tables,
 * the guest's symbol table) and flushes it; each event is appended to a
 * 64 KiB buffer as one whole record and the buffer goes to the file when it
 * is full and on trace_close(), which also writes the end record.  The
 * bytes go to a temporary file beside `path` that trace_close() renames to
 * `path` (emu/outfile.h; a device or FIFO is written directly), so `path`
 * appears complete or not at all.  The temporary file always holds the
 * header and a prefix of whole records (a crash in the middle of write(2)
 * can leave part of one record at the end; readers stop cleanly before it).
 *
 * Ctrl-C: the emulator's SIGINT/SIGTERM handler only stops the run; the
 * normal path then calls trace_close(), so an interrupted run leaves a
 * complete trace with its end record.  For a fatal signal after which the
 * process dies (SIGSEGV, SIGABRT...), trace_flush_from_signal() writes the
 * whole records still buffered with nothing but write(2), into the
 * temporary file (it is never renamed: `path` keeps what it held).
 *
 * The same run gives a byte-identical file: nothing from the host (time,
 * pid, absolute paths not given by the user) is written.
 *
 * Reading: trace_reader_open()/trace_read() decode a file record by record,
 * streaming it through a small buffer.  It is the one reader of the format:
 * `kmaplab trace` (emu/trace_cmd.c), the unit tests and the fuzz target use
 * it. */
#ifndef KMAPLAB_EMU_TRACE_H
#define KMAPLAB_EMU_TRACE_H

#include <stddef.h>
#include <stdint.h>

/* mm/trace.h, named by path: this header is emu/trace.h. */
#include "../mm/trace.h"
#include "../mm/tlbi.h"
#include "symbols.h"

/* Version 2 adds the CPU record (tag 0x06); a writer with one CPU writes
 * version 1, which is version 2 without CPU records.  Version 3 is the
 * AArch64 machine's: the same records with 64-bit addresses (PCs, VAs,
 * struct page pointers, TLBI operands, symbols) and its own name tables. */
#define TRACE_FORMAT_VERSION 3
#define TRACE_MAGIC "\x89KMTRACE" /* 8 bytes */
#define TRACE_MAGIC_LEN 8
#define TRACE_WARN_MAX 1024        /* a WARN message is cut to this many bytes */

/* Record tags (the first byte of every record). */
enum trace_kind {
	TRACE_FLUSH = 1, /* a kernel flush primitive (struct flush_event) */
	TRACE_TLBI = 2,  /* a TLB maintenance MCR the guest executed */
	TRACE_KMAP = 3,  /* a kmap-family call (struct kmap_event) */
	TRACE_WARN = 4,  /* a WARN() of the modelled kernel */
	TRACE_HAZARD = 5, /* a TLB hazard (struct trace_hazard_event; emu/hazard_report.c) */
	TRACE_CPU = 6,   /* version 2: the CPU of the event records that follow */
	TRACE_END = 0x7f /* written by trace_close(): the file is complete */
};

/* One bit per recorded kind: (1u << TRACE_FLUSH) | ... */
#define TRACE_KIND_BIT(k) (1u << (k))
#define TRACE_KINDS_ALL                                                                            \
	(TRACE_KIND_BIT(TRACE_FLUSH) | TRACE_KIND_BIT(TRACE_TLBI) | TRACE_KIND_BIT(TRACE_KMAP) |   \
	 TRACE_KIND_BIT(TRACE_WARN) | TRACE_KIND_BIT(TRACE_HAZARD))
#define TRACE_NKINDS (TRACE_HAZARD + 1)

/* "flush", "tlbi", "kmap", "warn", "hazard" (the kind column of the
 * converter and the names --trace-events takes); NULL for anything else. */
const char *trace_kind_name(enum trace_kind kind);
/* "kmap,flush" -> the kinds' bits; "all" is every kind.  Returns 0, or -1
 * with a one-line reason naming the bad word. */
int trace_kinds_parse(const char *list, unsigned *kinds, char *err, size_t errlen);

/* Recording options (kmaplab run --trace-events, --trace-max-bytes). */
struct trace_options {
	unsigned kinds;     /* TRACE_KIND_BIT()s to record; 0: all */
	uint64_t max_bytes; /* the file never grows past this (end record
			     * included): recording stops before the first
			     * event that would not fit; 0: no limit */
	unsigned ncpus;     /* CPUs of the run: above 1, the header says format
			     * version 2 (CPU records) from the start, so that a
			     * trace to a pipe never needs rewriting; 0: 1 */
	/* Version 3 (the AArch64 machine): 64-bit addresses, the name
	 * tables in `names`, symbol addresses sym_base + symtab address. */
	const struct trace_names *names; /* non-NULL: version 3 */
	uint64_t sym_base;
};

/* The name tables of a version 3 header (docs/trace.md): the numbers the
 * writer's records carry, in order. */
struct trace_names {
	const char *const *flush_ops;
	size_t nflush_ops;
	const char *const *causes;
	size_t ncauses;
	const char *const *kmap_ops;
	size_t nkmap_ops;
	const char *const *tlbi_ops;
	const unsigned *tlbi_kinds; /* enum tlbi_kind, and TRACE_TLBI_KIND_BARRIER */
	size_t ntlbi_ops;
};
/* A TLBI table entry that is a barrier (DSB, ISB): no operand. */
#define TRACE_TLBI_KIND_BARRIER 4u

/* Bytes kept free for the end record under --trace-max-bytes. */
#define TRACE_END_RESERVE 12u

/* End record flags (after its event count). */
#define TRACE_END_LIMITED 1u /* recording stopped at --trace-max-bytes */

/* Events written so far (the stats list them as trace.*). */
struct trace_counts {
	uint64_t events;  /* all of the below */
	uint64_t flush;
	uint64_t tlbi;
	uint64_t kmap;
	uint64_t warn;
	uint64_t hazard;
	uint64_t bytes;   /* file size so far, buffered bytes included */
	uint64_t dropped; /* events lost after a write error */
	uint64_t not_recorded; /* events not recorded after --trace-max-bytes was reached */
	int truncated;    /* 1: recording stopped at --trace-max-bytes */
};

struct trace_writer;

/* Opens `path` (emu/outfile.h) and writes the header.  `syms` may be NULL or
 * empty; the strings describe the run and may be NULL (written as "").
 * Returns NULL with a one-line reason in err on failure. */
struct trace_writer *trace_open(const char *path, const struct symtab *syms, const char *guest_path,
				const char *core, const char *split, const char *policy, char *err,
				size_t errlen);
/* The same with recording options (`o` may be NULL).  A max_bytes too
 * small for the header and the end record fails with errno EINVAL. */
struct trace_writer *trace_open_options(const char *path, const struct symtab *syms,
					const char *guest_path, const char *core, const char *split,
					const char *policy, const struct trace_options *o,
					char *err, size_t errlen);

/* The guest PC given to flush records (struct flush_event carries none):
 * the emulator sets it before it serves each hypercall. */
void trace_set_pc(struct trace_writer *tw, uint32_t pc);
/* Optional: where the current cycle count lives (&mm->stats.cycles), used
 * for WARN records; without it a WARN gets the previous record's cycle. */
void trace_set_clock(struct trace_writer *tw, const uint64_t *cycles);
/* SMP (docs/trace.md, version 2): the machine has `ncpus` CPUs (above 1
 * the header says version 2), and the events from now on are CPU `cpu`'s:
 * a CPU record precedes the next event record when the CPU changed. */
void trace_set_cpus(struct trace_writer *tw, unsigned ncpus);
void trace_set_cpu(struct trace_writer *tw, unsigned cpu);

void trace_flush_event(struct trace_writer *tw, uint32_t pc, const struct flush_event *ev);
/* ev->pc 0 (an event a policy reports from inside a call) is recorded as
 * the trace_set_pc() PC. */
void trace_kmap_event(struct trace_writer *tw, const struct kmap_event *ev);
/* A guest TLB maintenance MCR: `rt` is the register operand (VA | ASID,
 * ASID, or ignored), `invalidated` the entries it dropped, `cycles` what it
 * was charged; `cycle` is the cycle count before it. */
void trace_guest_tlbi(struct trace_writer *tw, uint64_t cycle, uint32_t pc, enum tlbi_op op,
		      uint32_t rt, uint32_t invalidated, uint64_t cycles);
void trace_warn(struct trace_writer *tw, const char *msg);

struct trace_flush_rec;
struct trace_kmap_rec;
/* Version 3 (64-bit addresses): the same records, numbers from the
 * header's own tables (trace_options.names).  The fields are as in the
 * reader's structs below; TRACE_NONE for a field that does not apply. */
void trace_flush64(struct trace_writer *tw, uint64_t pc, const struct trace_flush_rec *ev);
void trace_kmap64(struct trace_writer *tw, const struct trace_kmap_rec *ev);
void trace_tlbi64(struct trace_writer *tw, uint64_t cycle, uint64_t pc, unsigned op, uint64_t rt,
		  uint32_t invalidated, uint64_t cycles);

/* A hazard (docs/hazards.md).  kind: enum hazard_kind (mm/hazard.h), or
 * TRACE_HAZARD_OBSERVED for a stale entry the modelled TLB served, reported
 * in --hazards observed mode.  old_pa/new_pa: KMAP_EVENT_NONE if none. */
#define TRACE_HAZARD_OBSERVED 3u
#define TRACE_HAZARD_FLAG_OBSERVED 1u /* flags bit 0; bits 1..5: HAZARD_DIFF_* << 1; bits 8..9: why */
struct trace_hazard_event {
	uint64_t cycle;
	uint32_t kind;
	uint32_t cpu;
	uint32_t va;
	uint32_t old_pa, new_pa;
	uint32_t old_desc, new_desc; /* leaf descriptors (0: none) */
	uint32_t flags;
};
void trace_hazard(struct trace_writer *tw, uint32_t pc, const struct trace_hazard_event *ev);

/* struct kmap_state's trace sink: set ks->trace = &trace_mm_ops and
 * ks->trace_arg = the writer.  flush records take the PC from
 * trace_set_pc(). */
extern const struct mm_trace_ops trace_mm_ops;

void trace_counts(const struct trace_writer *tw, struct trace_counts *out);
/* 0, or the errno of the first failed write (later events are dropped). */
int trace_error(const struct trace_writer *tw);

/* Async-signal-safe: writes the whole records still in the buffer with
 * write(2) and empties it.  Only for a handler of a fatal signal: the
 * process must not append to the trace afterwards. */
void trace_flush_from_signal(struct trace_writer *tw);

/* Writes the end record and the buffer, closes the file, frees tw.
 * Returns 0, or -1 if any write (now or earlier) or the close failed, with
 * errno set.  NULL is allowed (returns 0). */
int trace_close(struct trace_writer *tw);
/* The same, and the final counts in *out (bytes: the file's size, end
 * record included; with a write error, what reached the buffer). */
int trace_close_counts(struct trace_writer *tw, struct trace_counts *out);

/* ---- Reading ---- */

struct trace_header {
	unsigned version;
	char *producer; /* "kmaplab 0.1.0" */
	char *guest, *core, *split, *policy;
	/* Name tables, indexed by the numbers in the records. */
	char **flush_ops;
	size_t nflush_ops;
	char **causes;
	size_t ncauses;
	char **kmap_ops;
	size_t nkmap_ops;
	char **tlbi_ops;
	unsigned *tlbi_kinds; /* enum tlbi_kind */
	size_t ntlbi_ops;
	struct symtab syms;
	unsigned kinds; /* TRACE_KIND_BIT()s recorded (TRACE_KINDS_ALL if not said) */
	unsigned addr_bits; /* 32, or 64 (version 3) */
	/* syms holds addresses - sym_base (version 3: the lowest symbol's
	 * address; symbols more than 4 GiB above it are left out); 0 before. */
	uint64_t sym_base;
};

/* A flush and a kmap record as the reader returns them (struct flush_event
 * and kmap_event of mm/trace.h, with 64-bit addresses). */
#define TRACE_NONE UINT64_MAX /* a field that does not apply */
struct trace_flush_rec {
	uint64_t cycle;
	enum flush_op op;       /* a number of the header's table */
	enum flush_cause cause;
	uint64_t start;
	uint32_t pages;
	uint32_t invalidated;
	uint64_t cycles;
};
struct trace_kmap_rec {
	uint64_t cycle;
	enum kmap_op op;
	uint64_t pc, page, pfn, va, pkmap_nr, fix_idx, arg; /* TRACE_NONE: none */
	uint64_t cycles;
	int failed;
};
/* The symbol at or below `pc` (symtab_lookup() on the header's table,
 * sym_base applied), NULL if none; its address is sym_base + addr. */
const struct symbol *trace_symbol_of(const struct trace_header *h, uint64_t pc);
/* What the reader returns for a 32-bit event (KMAP_EVENT_NONE: TRACE_NONE). */
void trace_flush_rec_of(struct trace_flush_rec *out, const struct flush_event *ev);
void trace_kmap_rec_of(struct trace_kmap_rec *out, const struct kmap_event *ev);

struct trace_tlbi_event {
	uint64_t cycle;
	enum tlbi_op op;
	uint64_t rt;      /* Rt (32-bit formats) or Xt (version 3) */
	uint32_t invalidated;
	uint64_t cycles;
};

struct trace_record {
	enum trace_kind kind;
	uint64_t cycle;
	uint64_t pc;
	/* The CPU it happened on: a hazard record says its own; the others
	 * are the last CPU record's (version 2), 0 before any. */
	unsigned cpu;
	union {
		struct trace_flush_rec flush;
		struct trace_kmap_rec kmap; /* kmap.failed is 0 or 1 */
		struct trace_tlbi_event tlbi;
		struct trace_hazard_event hazard;
	} u;
	char msg[TRACE_WARN_MAX + 1]; /* TRACE_WARN */
};

enum trace_read_status {
	TRACE_READ_RECORD,    /* *rec holds the next record */
	TRACE_READ_END,       /* the end record: the file is complete */
	TRACE_READ_TRUNCATED, /* the file stops before the end record (maybe mid-record) */
	TRACE_READ_CORRUPT,   /* a record that cannot be decoded */
	TRACE_READ_ERROR,     /* the file could not be read further (I/O error) */
};

struct trace_reader;

/* Opens the file ("-": standard input) and checks its header.  NULL with a
 * one-line reason in err: the file cannot be read (errno set), or it is not
 * a trace, of a newer format version, or its header is corrupt (errno 0).
 * The records are then read as they are needed, through a 1 MiB buffer. */
struct trace_reader *trace_reader_open(const char *path, char *err, size_t errlen);
/* The same from a copy of `size` bytes at `data`; `name` is for messages. */
struct trace_reader *trace_reader_open_memory(const void *data, size_t size, const char *name,
					      char *err, size_t errlen);
const struct trace_header *trace_reader_header(const struct trace_reader *r);
/* The next record.  After anything but TRACE_READ_RECORD it returns the
 * same status again. */
enum trace_read_status trace_read(struct trace_reader *r, struct trace_record *rec);
/* Records returned so far. */
uint64_t trace_reader_events(const struct trace_reader *r);
/* The count the end record holds (valid after TRACE_READ_END; it equals
 * trace_reader_events(), or trace_read() returns TRACE_READ_CORRUPT). */
uint64_t trace_reader_end_count(const struct trace_reader *r);
/* The file offset just past the header or the last record returned. */
size_t trace_reader_offset(const struct trace_reader *r);
/* The file's size if known (a regular file or memory), else 0. */
uint64_t trace_reader_size(const struct trace_reader *r);
/* After TRACE_READ_END: the end record's flags (TRACE_END_LIMITED). */
unsigned trace_reader_end_flags(const struct trace_reader *r);
/* After TRACE_READ_CORRUPT or TRACE_READ_ERROR: what was wrong and at
 * which byte, one line without the file name. */
const char *trace_reader_why(const struct trace_reader *r);
void trace_reader_close(struct trace_reader *r);

/* The operation number of a record: enum flush_op, tlbi_op or kmap_op as
 * the header's tables name them, a hazard's kind; 0 for a WARN. */
uint32_t trace_record_op(const struct trace_record *rec);
/* A hazard record's kind as the converter names it ("stale_tlb",
 * "barrier", "pte_not_cleaned", "stale_tlb_observed"), NULL if unknown;
 * *n (if not NULL) is the number of names. */
const char *trace_hazard_name(uint32_t kind, size_t *n);

#endif
