/* SPDX-License-Identifier: MIT */
/* The --trace file: writer and reader (format in docs/trace.md). */
#include "trace.h"
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUF_SIZE (64u * 1024u)
/* Longest record: tag + 12 varints of at most 10 bytes, or a WARN with its
 * message; the buffer is written out before a record that might not fit. */
#define MAX_RECORD (1u + 12u * 10u + 10u + TRACE_WARN_MAX + 11u /* a CPU record before it */)
/* Sanity limits for a reader, far above anything the writer produces. */
#define MAX_HEADER (256u * 1024u * 1024u)
#define MAX_TABLE 4096u

struct trace_writer {
	int fd;                /* out.fd */
	unsigned version;      /* the format version the header says */
	struct outfile out;    /* a temporary file until trace_close() (outfile.h) */
	int err;               /* first errno of a failed write */
	uint8_t *buf;
	/* Bytes of whole records in buf.  Advanced only after a record is
	 * complete (with a signal fence), so trace_flush_from_signal() never
	 * writes part of one. */
	volatile size_t len;
	uint64_t last_cycle;   /* of the previous record (delta base) */
	uint64_t last_pc;      /* of the previous record (delta base) */
	bool wide;             /* version 3: 64-bit PCs and addresses */
	uint32_t pc;           /* trace_set_pc() */
	const uint64_t *clock; /* trace_set_clock() */
	unsigned kinds;        /* TRACE_KIND_BIT()s recorded */
	uint64_t max_bytes;    /* --trace-max-bytes, 0: none */
	uint64_t saved_cycle;  /* last_cycle/last_pc before the record being */
	uint64_t saved_pc;     /* encoded, restored if it does not fit */
	unsigned saved_cpu;    /* last_cpu, likewise (a CPU record dropped with it) */
	unsigned cpu;          /* trace_set_cpu() */
	unsigned last_cpu;     /* of the previous event record (0 at the start) */
	struct trace_counts counts;
};

static const char *const kind_names[] = {
	[TRACE_FLUSH] = "flush",
	[TRACE_TLBI] = "tlbi",
	[TRACE_KMAP] = "kmap",
	[TRACE_WARN] = "warn",
	[TRACE_HAZARD] = "hazard",
};
#define NKIND_NAMES (sizeof(kind_names) / sizeof(kind_names[0]))

const char *trace_kind_name(enum trace_kind kind)
{
	return (unsigned)kind < NKIND_NAMES ? kind_names[kind] : NULL;
}

int trace_kinds_parse(const char *list, unsigned *kinds, char *err, size_t errlen)
{
	unsigned k = 0;
	const char *p = list;
	for (;;) {
		size_t n = strcspn(p, ",");
		bool found = n == 3 && strncmp(p, "all", 3) == 0;
		if (found)
			k |= TRACE_KINDS_ALL;
		for (unsigned i = 0; i < NKIND_NAMES && !found; i++) {
			if (kind_names[i] && strlen(kind_names[i]) == n && strncmp(p, kind_names[i], n) == 0) {
				k |= TRACE_KIND_BIT(i);
				found = true;
			}
		}
		if (!found) {
			snprintf(err, errlen, "'%.*s' is not an event kind (flush, tlbi, kmap, warn, hazard, all)",
				 (int)(n > 64 ? 64 : n), p);
			return -1;
		}
		if (!p[n])
			break;
		p += n + 1;
	}
	*kinds = k;
	return 0;
}

/* ---- Encoding ---- */

static inline uint8_t *put_u(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* Zigzag: 0, -1, 1, -2, ... -> 0, 1, 2, 3, ...  `d` is a two's complement
 * difference computed in unsigned arithmetic. */
static inline uint64_t zigzag(uint64_t d)
{
	return (d << 1) ^ (0 - (d >> 63));
}

static inline uint64_t unzigzag(uint64_t z)
{
	return (z >> 1) ^ (0 - (z & 1));
}

/* VAs that are normally page aligned are stored rotated right by 12 bits:
 * an aligned one needs 3 bytes instead of 5, any value round-trips. */
static inline uint32_t ror12(uint32_t v)
{
	return (v >> 12) | (v << 20);
}

static inline uint32_t rol12(uint32_t v)
{
	return (v << 12) | (v >> 20);
}

/* Version 3: the same rotation within 64 bits. */
static inline uint64_t ror12_64(uint64_t v)
{
	return (v >> 12) | (v << 52);
}

static inline uint64_t rol12_64(uint64_t v)
{
	return (v << 12) | (v >> 52);
}

/* An address in the writer's format: 32-bit rotation before version 3. */
static inline uint64_t ror12_addr(const struct trace_writer *tw, uint64_t v)
{
	return tw->version >= 3 ? ror12_64(v) : ror12((uint32_t)v);
}

/* Version 3 optional field: TRACE_NONE -> 0, v -> v + 1. */
static inline uint64_t opt64(uint64_t v)
{
	return v == TRACE_NONE ? 0 : v + 1;
}

/* Optional field: KMAP_EVENT_NONE -> 0, v -> v + 1. */
static inline uint64_t opt(uint32_t v)
{
	return v == KMAP_EVENT_NONE ? 0 : (uint64_t)v + 1;
}

static uint32_t crc32(const uint8_t *p, size_t n)
{
	/* CRC-32 (IEEE 802.3, as zlib.crc32), bitwise: the header is small. */
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0 - (c & 1)));
	}
	return ~c;
}

static void put_le(uint8_t *p, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A growable byte string for the header. */
struct bytes {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static uint8_t *bytes_room(struct bytes *b, size_t n)
{
	if (b->oom)
		return NULL;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return NULL;
		}
		b->p = p;
		b->cap = cap;
	}
	return b->p + b->len;
}

static void bytes_u(struct bytes *b, uint64_t v)
{
	uint8_t *p = bytes_room(b, 10);
	if (p)
		b->len = (size_t)(put_u(p, v) - b->p);
}

static void bytes_str(struct bytes *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	bytes_u(b, n);
	uint8_t *p = bytes_room(b, n);
	if (p && n) {
		memcpy(p, s, n);
		b->len += n;
	}
}

/* ---- Writing ---- */

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void drain(struct trace_writer *tw)
{
	size_t n = tw->len;
	if (!n || tw->err)
		return;
	if (write_all(tw->fd, tw->buf, n))
		tw->err = errno ? errno : EIO;
	tw->len = 0;
}

/* Room for one record of `kind`; NULL if the kind is not recorded, the
 * trace has failed or reached --trace-max-bytes. */
static inline uint8_t *begin(struct trace_writer *tw, enum trace_kind kind)
{
	if (!(tw->kinds & TRACE_KIND_BIT(kind)))
		return NULL;
	if (tw->counts.truncated) {
		tw->counts.not_recorded++;
		return NULL;
	}
	if (tw->err) {
		tw->counts.dropped++;
		return NULL;
	}
	tw->saved_cycle = tw->last_cycle;
	tw->saved_pc = tw->last_pc;
	tw->saved_cpu = tw->last_cpu;
	if (BUF_SIZE - tw->len < MAX_RECORD) {
		drain(tw);
		if (tw->err) {
			tw->counts.dropped++;
			return NULL;
		}
	}
	return tw->buf + tw->len;
}

/* Makes the record encoded at buf[len..end) part of the trace; false if
 * it would take the file past --trace-max-bytes (recording stops there:
 * the record is forgotten and the end record still fits). */
static inline bool commit(struct trace_writer *tw, uint8_t *end)
{
	size_t n = (size_t)(end - tw->buf);
	if (tw->max_bytes &&
	    tw->counts.bytes + (n - tw->len) + TRACE_END_RESERVE > tw->max_bytes) {
		tw->last_cycle = tw->saved_cycle;
		tw->last_pc = tw->saved_pc;
		tw->last_cpu = tw->saved_cpu;
		tw->counts.truncated = 1;
		tw->counts.not_recorded++;
		return false;
	}
	tw->counts.bytes += n - tw->len;
	tw->counts.events++;
	/* The record's bytes before the length that exposes them. */
	atomic_signal_fence(memory_order_release);
	tw->len = n;
	return true;
}

/* Tag, cycle delta, PC delta: the start of every event record. */
static inline uint8_t *put_head(struct trace_writer *tw, uint8_t *p, enum trace_kind kind,
				uint64_t cycle, uint64_t pc)
{
	if (tw->cpu != tw->last_cpu) {
		/* Version 2: not an event record (no cycle, pc; not counted). */
		*p++ = TRACE_CPU;
		p = put_u(p, tw->cpu);
		tw->last_cpu = tw->cpu;
	}
	*p++ = (uint8_t)kind;
	p = put_u(p, zigzag(cycle - tw->last_cycle));
	if (tw->wide)
		p = put_u(p, zigzag(pc - tw->last_pc));
	else
		p = put_u(p, zigzag((uint64_t)(int64_t)(int32_t)((uint32_t)pc - (uint32_t)tw->last_pc)));
	tw->last_cycle = cycle;
	tw->last_pc = pc;
	return p;
}

/* A version 3 header's name tables (struct trace_names). */
static void header_names(struct bytes *h, const struct trace_names *n)
{
	bytes_u(h, n->nflush_ops);
	for (size_t i = 0; i < n->nflush_ops; i++)
		bytes_str(h, n->flush_ops[i]);
	bytes_u(h, n->ncauses);
	for (size_t i = 0; i < n->ncauses; i++)
		bytes_str(h, n->causes[i]);
	bytes_u(h, n->nkmap_ops);
	for (size_t i = 0; i < n->nkmap_ops; i++)
		bytes_str(h, n->kmap_ops[i]);
	bytes_u(h, n->ntlbi_ops);
	for (size_t i = 0; i < n->ntlbi_ops; i++) {
		bytes_str(h, n->tlbi_ops[i]);
		bytes_u(h, n->tlbi_kinds[i]);
	}
}

struct trace_writer *trace_open(const char *path, const struct symtab *syms, const char *guest_path,
				const char *core, const char *split, const char *policy, char *err,
				size_t errlen)
{
	return trace_open_options(path, syms, guest_path, core, split, policy, NULL, err, errlen);
}

struct trace_writer *trace_open_options(const char *path, const struct symtab *syms,
					const char *guest_path, const char *core, const char *split,
					const char *policy, const struct trace_options *o,
					char *err, size_t errlen)
{
	struct trace_writer *tw = calloc(1, sizeof(*tw));
	uint8_t *buf = malloc(BUF_SIZE);
	struct bytes h = { 0 };
	if (!tw || !buf) {
		snprintf(err, errlen, "cannot write trace %s: out of memory", path);
		goto fail;
	}
	tw->buf = buf;
	tw->fd = -1;
	tw->kinds = o && o->kinds ? o->kinds & TRACE_KINDS_ALL : TRACE_KINDS_ALL;
	tw->max_bytes = o ? o->max_bytes : 0;
	const struct trace_names *names = o ? o->names : NULL;
	tw->wide = names != NULL;

	/* The header body (docs/trace.md). */
	bytes_str(&h, "kmaplab " KMAPLAB_VERSION);
	bytes_str(&h, guest_path);
	bytes_str(&h, core);
	bytes_str(&h, split);
	bytes_str(&h, policy);
	if (names) {
		header_names(&h, names);
		goto symbols;
	}
	bytes_u(&h, FLUSH_NR_OPS);
	for (unsigned i = 0; i < FLUSH_NR_OPS; i++)
		bytes_str(&h, flush_op_name((enum flush_op)i));
	bytes_u(&h, FLUSH_NR_CAUSES);
	for (unsigned i = 0; i < FLUSH_NR_CAUSES; i++)
		bytes_str(&h, flush_cause_name((enum flush_cause)i));
	bytes_u(&h, KMAP_NR_OPS);
	for (unsigned i = 0; i < KMAP_NR_OPS; i++)
		bytes_str(&h, kmap_op_name((enum kmap_op)i));
	bytes_u(&h, TLBI_NR_OPS);
	for (unsigned i = 0; i < TLBI_NR_OPS; i++) {
		bytes_str(&h, tlbi_op_name((enum tlbi_op)i));
		bytes_u(&h, tlbi_op_kind((enum tlbi_op)i));
	}
symbols:;
	size_t nsyms = syms ? syms->n : 0;
	bytes_u(&h, nsyms);
	uint64_t prev = 0;
	for (size_t i = 0; i < nsyms; i++) {
		const struct symbol *s = &syms->syms[i];
		/* symtab_sort() order: addresses never go down. */
		if (names) {
			uint64_t a = o->sym_base + s->addr;
			bytes_u(&h, zigzag(a - prev));
			prev = a;
		} else {
			bytes_u(&h, zigzag((uint64_t)(int64_t)(int32_t)(s->addr - (uint32_t)prev)));
			prev = s->addr;
		}
		bytes_u(&h, s->size);
		bytes_str(&h, s->name);
	}
	/* An addition within version 1: the kinds recorded (readers of the
	 * first version ignore it; without it, every kind). */
	bytes_u(&h, tw->kinds);
	if (h.oom || h.len > MAX_HEADER) {
		snprintf(err, errlen, "cannot write trace %s: out of memory", path);
		goto fail;
	}
	const size_t pre = TRACE_MAGIC_LEN + 2 + 4, body = h.len;
	if (tw->max_bytes && pre + body + 4 + TRACE_END_RESERVE > tw->max_bytes) {
		snprintf(err, errlen,
			 "--trace-max-bytes %llu is too small: the header and end record of this trace take %zu bytes",
			 (unsigned long long)tw->max_bytes, pre + body + 4 + TRACE_END_RESERVE);
		free(h.p);
		free(buf);
		free(tw);
		errno = EINVAL;
		return NULL;
	}

	char why[512];
	if (outfile_open(&tw->out, path, why, sizeof(why))) {
		snprintf(err, errlen, "cannot write trace %s: %s", path, why);
		goto fail;
	}
	tw->fd = tw->out.fd;
	/* One write: magic, version, length, body, CRC. */
	uint8_t *all = malloc(pre + body + 4);
	if (!all) {
		snprintf(err, errlen, "cannot write trace %s: out of memory", path);
		goto fail;
	}
	memcpy(all, TRACE_MAGIC, TRACE_MAGIC_LEN);
	/* Version 2 with CPU records (several CPUs), else 1 byte for byte as
	 * before; trace_set_cpus() can still raise it on a seekable file. */
	tw->version = names ? 3 : o && o->ncpus > 1 ? 2 : 1;
	put_le(all + TRACE_MAGIC_LEN, tw->version, 2);
	put_le(all + TRACE_MAGIC_LEN + 2, (uint32_t)body, 4);
	if (body)
		memcpy(all + pre, h.p, body);
	put_le(all + pre + body, crc32(h.p, body), 4);
	int rc = write_all(tw->fd, all, pre + body + 4);
	free(all);
	if (rc) {
		snprintf(err, errlen, "cannot write trace %s: %s", path, strerror(errno));
		goto fail;
	}
	tw->counts.bytes = pre + body + 4;
	free(h.p);
	return tw;

fail:
	if (tw && tw->fd >= 0)
		outfile_discard(&tw->out);
	free(h.p);
	free(buf);
	free(tw);
	errno = EIO;
	return NULL;
}

void trace_set_pc(struct trace_writer *tw, uint32_t pc)
{
	tw->pc = pc;
}

void trace_set_cpus(struct trace_writer *tw, unsigned ncpus)
{
	uint8_t v[2] = { 2, 0 };
	if (ncpus > 1 && tw->version == 1 && !tw->err && pwrite(tw->fd, v, 2, TRACE_MAGIC_LEN) != 2)
		tw->err = errno ? errno : EIO;
	if (ncpus > 1 && tw->version == 1)
		tw->version = 2;
}

void trace_set_cpu(struct trace_writer *tw, unsigned cpu)
{
	tw->cpu = cpu;
}

void trace_set_clock(struct trace_writer *tw, const uint64_t *cycles)
{
	tw->clock = cycles;
}

/* The 32-bit machines' events are written by the version 3 writers below:
 * the record layout is the same, only the rotation of an address differs
 * (ror12_addr). */
void trace_flush_event(struct trace_writer *tw, uint32_t pc, const struct flush_event *ev)
{
	struct trace_flush_rec r;
	trace_flush_rec_of(&r, ev);
	trace_flush64(tw, pc, &r);
}

void trace_kmap_event(struct trace_writer *tw, const struct kmap_event *ev)
{
	struct trace_kmap_rec r;
	trace_kmap_rec_of(&r, ev);
	/* An event a policy reports from inside a call may carry no PC:
	 * it happened at the hypercall's. */
	if (!r.pc)
		r.pc = tw->pc;
	trace_kmap64(tw, &r);
}

void trace_guest_tlbi(struct trace_writer *tw, uint64_t cycle, uint32_t pc, enum tlbi_op op,
		      uint32_t rt, uint32_t invalidated, uint64_t cycles)
{
	trace_tlbi64(tw, cycle, pc, (unsigned)op, rt, invalidated, cycles);
}

void trace_flush64(struct trace_writer *tw, uint64_t pc, const struct trace_flush_rec *ev)
{
	uint8_t *p = begin(tw, TRACE_FLUSH);
	if (!p)
		return;
	p = put_head(tw, p, TRACE_FLUSH, ev->cycle, pc);
	p = put_u(p, (uint32_t)ev->op);
	p = put_u(p, (uint32_t)ev->cause);
	p = put_u(p, ror12_addr(tw, ev->start));
	p = put_u(p, ev->pages);
	p = put_u(p, ev->invalidated);
	p = put_u(p, ev->cycles);
	if (commit(tw, p))
		tw->counts.flush++;
}

void trace_kmap64(struct trace_writer *tw, const struct trace_kmap_rec *ev)
{
	uint8_t *p = begin(tw, TRACE_KMAP);
	if (!p)
		return;
	p = put_head(tw, p, TRACE_KMAP, ev->cycle, ev->pc);
	p = put_u(p, (uint32_t)ev->op);
	p = put_u(p, ev->failed ? 1 : 0);
	p = put_u(p, opt64(ev->page));
	p = put_u(p, opt64(ev->pfn));
	p = put_u(p, ev->va == TRACE_NONE ? 0 : ror12_addr(tw, ev->va) + 1);
	p = put_u(p, opt64(ev->pkmap_nr));
	p = put_u(p, opt64(ev->fix_idx));
	p = put_u(p, opt64(ev->arg));
	p = put_u(p, ev->cycles);
	if (commit(tw, p))
		tw->counts.kmap++;
}

void trace_tlbi64(struct trace_writer *tw, uint64_t cycle, uint64_t pc, unsigned op, uint64_t rt,
		  uint32_t invalidated, uint64_t cycles)
{
	uint8_t *p = begin(tw, TRACE_TLBI);
	if (!p)
		return;
	p = put_head(tw, p, TRACE_TLBI, cycle, pc);
	p = put_u(p, op);
	p = put_u(p, rt);
	p = put_u(p, invalidated);
	p = put_u(p, cycles);
	if (commit(tw, p))
		tw->counts.tlbi++;
}

void trace_hazard(struct trace_writer *tw, uint32_t pc, const struct trace_hazard_event *ev)
{
	uint8_t *p = begin(tw, TRACE_HAZARD);
	if (!p)
		return;
	p = put_head(tw, p, TRACE_HAZARD, ev->cycle, pc);
	p = put_u(p, ev->kind);
	p = put_u(p, ev->cpu);
	p = put_u(p, ror12(ev->va));
	p = put_u(p, opt(ev->old_pa));
	p = put_u(p, opt(ev->new_pa));
	p = put_u(p, ev->old_desc);
	p = put_u(p, ev->new_desc);
	p = put_u(p, ev->flags);
	if (commit(tw, p))
		tw->counts.hazard++;
}

void trace_warn(struct trace_writer *tw, const char *msg)
{
	uint8_t *p = begin(tw, TRACE_WARN);
	if (!p)
		return;
	size_t n = strlen(msg);
	if (n > TRACE_WARN_MAX)
		n = TRACE_WARN_MAX;
	p = put_head(tw, p, TRACE_WARN, tw->clock ? *tw->clock : tw->last_cycle, tw->pc);
	p = put_u(p, n);
	memcpy(p, msg, n);
	p += n;
	if (commit(tw, p))
		tw->counts.warn++;
}

static void ops_flush(void *arg, const struct flush_event *ev)
{
	struct trace_writer *tw = arg;
	trace_flush_event(tw, tw->pc, ev);
}

static void ops_kmap(void *arg, const struct kmap_event *ev)
{
	trace_kmap_event(arg, ev);
}

static void ops_warn(void *arg, const char *msg)
{
	trace_warn(arg, msg);
}

const struct mm_trace_ops trace_mm_ops = {
	.flush = ops_flush,
	.kmap = ops_kmap,
	.warn = ops_warn,
};

void trace_counts(const struct trace_writer *tw, struct trace_counts *out)
{
	*out = tw->counts;
}

int trace_error(const struct trace_writer *tw)
{
	return tw->err;
}

void trace_flush_from_signal(struct trace_writer *tw)
{
	if (!tw || tw->err || tw->fd < 0)
		return;
	size_t n = tw->len;
	atomic_signal_fence(memory_order_acquire);
	const uint8_t *p = tw->buf;
	while (n) {
		ssize_t w = write(tw->fd, p, n);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	tw->len = 0;
}

int trace_close_counts(struct trace_writer *tw, struct trace_counts *out)
{
	if (!tw) {
		if (out)
			memset(out, 0, sizeof(*out));
		return 0;
	}
	if (!tw->err) {
		/* The end record: tag, the number of event records, flags
		 * (an addition within version 1; first readers stop at the
		 * count). */
		if (BUF_SIZE - tw->len < TRACE_END_RESERVE)
			drain(tw);
		uint8_t *p = tw->buf + tw->len;
		*p++ = TRACE_END;
		p = put_u(p, tw->counts.events);
		*p++ = tw->counts.truncated ? TRACE_END_LIMITED : 0;
		tw->counts.bytes += (size_t)(p - (tw->buf + tw->len));
		tw->len = (size_t)(p - tw->buf);
		drain(tw);
	}
	int err = tw->err;
	if (err) /* no partial trace: the file named keeps what it held */
		outfile_discard(&tw->out);
	else if (outfile_commit(&tw->out))
		err = errno ? errno : EIO;
	if (out)
		*out = tw->counts;
	free(tw->buf);
	free(tw);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int trace_close(struct trace_writer *tw)
{
	return trace_close_counts(tw, NULL);
}

/* ---- Reading ---- */

/* The reader streams the file through a window buf[0..len) that holds the
 * bytes from file offset `base` on; `pos` is the next record's start in
 * it.  Before a record is decoded the window holds at least MAX_RECORD
 * bytes past pos (or everything up to the end of the file), so running out
 * of bytes inside a record always means the file ends there. */
#define READ_BUF (1u << 20)

struct trace_reader {
	int fd;                /* -1: all bytes are in buf (memory) */
	uint8_t *buf;
	size_t cap, len, pos;
	uint64_t base;         /* file offset of buf[0] */
	bool eof;              /* nothing follows buf[len - 1] */
	uint64_t size;         /* the file's size if known, else 0 */
	struct trace_header h;
	uint64_t last_cycle;
	uint64_t last_pc;
	unsigned cpu; /* the last CPU record's */
	uint64_t events, end_count;
	unsigned end_flags;
	enum trace_read_status done; /* TRACE_READ_RECORD while there is more */
	bool end_flags_written; /* the writer appends flags to the end record */
	char why[160];
};

/* Reads until the window holds `want` bytes past pos or the file ends;
 * grows the buffer when `want` needs it (the header).  -1 on a read
 * error (errno set). */
static int fill(struct trace_reader *r, size_t want)
{
	if (r->eof || r->len - r->pos >= want)
		return 0;
	if (r->pos) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->base += r->pos;
		r->len -= r->pos;
		r->pos = 0;
	}
	if (want > r->cap) {
		uint8_t *b = realloc(r->buf, want);
		if (!b) {
			errno = ENOMEM;
			return -1;
		}
		r->buf = b;
		r->cap = want;
	}
	while (r->len < r->cap) {
		ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			r->eof = true;
			break;
		}
		r->len += (size_t)n;
		if (r->len - r->pos >= want && r->len >= READ_BUF / 2)
			break; /* enough for now; do not wait on a slow pipe */
	}
	return 0;
}

/* A cursor over [p, end): `eof` is set when a read runs past the end,
 * `bad` when a value cannot be right (too long, too large for its field). */
struct cur {
	const uint8_t *p, *end;
	bool eof, bad;
};

static inline uint64_t get_u(struct cur *c)
{
	/* The common case: one byte. */
	if (c->p < c->end && !(*c->p & 0x80))
		return *c->p++;
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (c->p >= c->end) {
			c->eof = true;
			return 0;
		}
		uint8_t b = *c->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	c->bad = true; /* longer than 10 bytes */
	return 0;
}

static char *get_str(struct cur *c)
{
	uint64_t n = get_u(c);
	if (c->eof || c->bad)
		return NULL;
	if (n > (uint64_t)(c->end - c->p)) {
		c->eof = true;
		return NULL;
	}
	char *s = malloc((size_t)n + 1);
	if (!s) {
		c->bad = true;
		return NULL;
	}
	memcpy(s, c->p, (size_t)n);
	s[n] = 0;
	c->p += n;
	return s;
}

static char **get_names(struct cur *c, size_t *n, unsigned **kinds)
{
	uint64_t k = get_u(c);
	if (c->eof || c->bad || k > MAX_TABLE) {
		c->bad = true;
		return NULL;
	}
	char **v = calloc((size_t)k + 1, sizeof(*v));
	if (kinds)
		*kinds = calloc((size_t)k + 1, sizeof(**kinds));
	if (!v || (kinds && !*kinds)) {
		c->bad = true;
		return v;
	}
	*n = (size_t)k;
	for (size_t i = 0; i < k && !c->bad && !c->eof; i++) {
		v[i] = get_str(c);
		if (kinds)
			(*kinds)[i] = (unsigned)get_u(c);
	}
	return v;
}

static void free_names(char **v, size_t n)
{
	if (v)
		for (size_t i = 0; i < n; i++)
			free(v[i]);
	free(v);
}

static uint32_t get_le(const uint8_t *p, int bytes)
{
	uint32_t v = 0;
	for (int i = 0; i < bytes; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

/* errno is left 0 for a format error, set for an I/O error. */
static int parse_header(struct trace_reader *r, char *err, size_t errlen, const char *path)
{
	const size_t pre = TRACE_MAGIC_LEN + 2 + 4;
	if (fill(r, pre)) {
		snprintf(err, errlen, "cannot read trace %s: %s", path, strerror(errno));
		return -1;
	}
	errno = 0;
	if (r->len < TRACE_MAGIC_LEN || memcmp(r->buf, TRACE_MAGIC, TRACE_MAGIC_LEN)) {
		snprintf(err, errlen, "%s: not a kmaplab trace (bad magic)", path);
		return -1;
	}
	if (r->len < pre) {
		snprintf(err, errlen, "%s: corrupt trace header (file too short)", path);
		return -1;
	}
	r->h.version = get_le(r->buf + TRACE_MAGIC_LEN, 2);
	if (r->h.version == 0 || r->h.version > TRACE_FORMAT_VERSION) {
		snprintf(err, errlen, "%s: trace format version %u, this reader knows up to %u", path,
			 r->h.version, TRACE_FORMAT_VERSION);
		return -1;
	}
	uint32_t hlen = get_le(r->buf + TRACE_MAGIC_LEN + 2, 4);
	if (hlen > MAX_HEADER || (r->size && r->size - pre < (uint64_t)hlen + 4)) {
		snprintf(err, errlen, "%s: corrupt trace header (length %u past the end of the file)",
			 path, hlen);
		return -1;
	}
	if (fill(r, pre + hlen + 4)) {
		snprintf(err, errlen, "cannot read trace %s: %s", path, strerror(errno));
		return -1;
	}
	errno = 0;
	if (r->len < pre + (size_t)hlen + 4) {
		snprintf(err, errlen, "%s: corrupt trace header (length %u past the end of the file)",
			 path, hlen);
		return -1;
	}
	const uint8_t *body = r->buf + pre;
	if (crc32(body, hlen) != get_le(body + hlen, 4)) {
		snprintf(err, errlen, "%s: corrupt trace header (CRC mismatch)", path);
		return -1;
	}
	struct cur c = { body, body + hlen, false, false };
	struct trace_header *h = &r->h;
	h->producer = get_str(&c);
	h->guest = get_str(&c);
	h->core = get_str(&c);
	h->split = get_str(&c);
	h->policy = get_str(&c);
	h->flush_ops = get_names(&c, &h->nflush_ops, NULL);
	h->causes = get_names(&c, &h->ncauses, NULL);
	h->kmap_ops = get_names(&c, &h->nkmap_ops, NULL);
	h->tlbi_ops = get_names(&c, &h->ntlbi_ops, &h->tlbi_kinds);
	uint64_t nsyms = get_u(&c);
	uint64_t addr = 0;
	h->addr_bits = h->version >= 3 ? 64 : 32;
	/* Each symbol takes at least 3 bytes. */
	if (nsyms > (uint64_t)(c.end - c.p) / 3)
		c.bad = true;
	for (uint64_t i = 0; i < nsyms && !c.bad && !c.eof; i++) {
		if (h->version >= 3) {
			/* 64-bit addresses, kept as offsets from the first. */
			addr += unzigzag(get_u(&c));
			if (i == 0)
				h->sym_base = addr;
		} else {
			addr = (uint32_t)(addr + (uint32_t)unzigzag(get_u(&c)));
		}
		uint64_t size = get_u(&c);
		char *name = get_str(&c);
		if (name && addr - h->sym_base <= UINT32_MAX)
			symtab_add(&h->syms, (uint32_t)(addr - h->sym_base), (uint32_t)size, name);
		free(name);
	}
	if (!h->producer || !h->guest || !h->core || !h->split || !h->policy)
		c.bad = true;
	if (c.bad || c.eof) {
		snprintf(err, errlen, "%s: corrupt trace header", path);
		return -1;
	}
	/* The kinds recorded, if the writer said (a version 1 addition);
	 * anything after it is left for later compatible additions. */
	h->kinds = TRACE_KINDS_ALL;
	if (c.p < c.end) {
		uint64_t k = get_u(&c);
		if (!c.bad && !c.eof)
			h->kinds = (unsigned)(k & TRACE_KINDS_ALL);
		/* Written by the same writer as the end record's flags. */
		r->end_flags_written = true;
	}
	r->pos = pre + hlen + 4;
	return 0;
}

static struct trace_reader *reader_new(void)
{
	struct trace_reader *r = calloc(1, sizeof(*r));
	if (r)
		r->fd = -1;
	return r;
}

static struct trace_reader *reader_finish(struct trace_reader *r, const char *name, char *err,
					  size_t errlen)
{
	if (parse_header(r, err, errlen, name)) {
		int e = errno;
		trace_reader_close(r);
		errno = e;
		return NULL;
	}
	r->done = TRACE_READ_RECORD;
	return r;
}

struct trace_reader *trace_reader_open(const char *path, char *err, size_t errlen)
{
	struct trace_reader *r = reader_new();
	if (!r) {
		snprintf(err, errlen, "cannot read trace %s: out of memory", path);
		errno = ENOMEM;
		return NULL;
	}
	bool is_stdin = strcmp(path, "-") == 0;
	/* Standard input is duplicated: closing the reader leaves it open. */
	r->fd = is_stdin ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0) : open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (r->fd < 0 || fstat(r->fd, &st)) {
		int e = errno;
		snprintf(err, errlen, "cannot read trace %s: %s", path, strerror(e));
		trace_reader_close(r);
		errno = e;
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot read trace %s: %s", path, strerror(EISDIR));
		trace_reader_close(r);
		errno = EISDIR;
		return NULL;
	}
	if (S_ISREG(st.st_mode))
		r->size = (uint64_t)st.st_size;
	r->buf = malloc(READ_BUF);
	if (!r->buf) {
		snprintf(err, errlen, "cannot read trace %s: out of memory", path);
		trace_reader_close(r);
		errno = ENOMEM;
		return NULL;
	}
	r->cap = READ_BUF;
	return reader_finish(r, path, err, errlen);
}

struct trace_reader *trace_reader_open_memory(const void *data, size_t size, const char *name,
					      char *err, size_t errlen)
{
	struct trace_reader *r = reader_new();
	if (r)
		r->buf = malloc(size ? size : 1);
	if (!r || !r->buf) {
		snprintf(err, errlen, "cannot read trace %s: out of memory", name);
		trace_reader_close(r);
		errno = ENOMEM;
		return NULL;
	}
	if (size)
		memcpy(r->buf, data, size);
	r->len = r->cap = r->size = size;
	r->eof = true;
	return reader_finish(r, name, err, errlen);
}

const struct trace_header *trace_reader_header(const struct trace_reader *r)
{
	return &r->h;
}

static inline uint32_t get_u32(struct cur *c)
{
	uint64_t v = get_u(c);
	if (v > UINT32_MAX)
		c->bad = true;
	return (uint32_t)v;
}

/* An optional 32-bit field: 0 -> KMAP_EVENT_NONE, v -> v - 1. */
static inline uint32_t get_opt(struct cur *c)
{
	uint64_t v = get_u(c);
	if (v > (uint64_t)UINT32_MAX + 1)
		c->bad = true;
	return v ? (uint32_t)(v - 1) : KMAP_EVENT_NONE;
}

/* An optional field as the reader returns it: TRACE_NONE if it does not
 * apply; 32 bits wide before version 3, 64 in it. */
static inline uint64_t get_opt_rec(struct cur *c, bool wide)
{
	if (wide) {
		uint64_t v = get_u(c);
		return v ? v - 1 : TRACE_NONE;
	}
	uint32_t v = get_opt(c);
	return v == KMAP_EVENT_NONE ? TRACE_NONE : v;
}

static enum trace_read_status corrupt(struct trace_reader *r, const char *fmt,
				      unsigned long long a, unsigned long long b)
{
	snprintf(r->why, sizeof(r->why), fmt, a, b);
	return r->done = TRACE_READ_CORRUPT;
}

enum trace_read_status trace_read(struct trace_reader *r, struct trace_record *rec)
{
	if (r->done != TRACE_READ_RECORD)
		return r->done;
	if (!r->eof && r->len - r->pos < MAX_RECORD && fill(r, MAX_RECORD)) {
		snprintf(r->why, sizeof(r->why), "read error at byte %llu: %s",
			 (unsigned long long)(r->base + r->len), strerror(errno));
		return r->done = TRACE_READ_ERROR;
	}
	if (r->pos >= r->len)
		return r->done = TRACE_READ_TRUNCATED;
	const unsigned long long at = r->base + r->pos;
	struct cur c = { r->buf + r->pos, r->buf + r->len, false, false };
	uint8_t tag = *c.p++;
	while (tag == TRACE_CPU && r->h.version >= 2) {
		uint64_t cpu = get_u(&c);
		if (c.eof || c.p >= c.end)
			return r->done = TRACE_READ_TRUNCATED;
		if (c.bad || cpu > 255)
			return r->done = TRACE_READ_CORRUPT;
		r->cpu = (unsigned)cpu;
		tag = *c.p++;
	}
	if (tag == TRACE_END) {
		r->end_count = get_u(&c);
		if (c.eof)
			return r->done = TRACE_READ_TRUNCATED;
		if (c.bad)
			return corrupt(r, "end record at byte %llu: a count longer than 10 bytes%.0llu",
				       at, 0);
		if (r->end_count != r->events)
			return corrupt(r, "end record says %llu events, the file holds %llu",
				       r->end_count, r->events);
		/* Flags: an addition within version 1, written with the
		 * header's kinds field (older files have neither). */
		if (r->end_flags_written) {
			r->end_flags = (unsigned)get_u(&c);
			if (c.eof)
				return r->done = TRACE_READ_TRUNCATED;
		}
		return r->done = TRACE_READ_END;
	}
	if (tag < TRACE_FLUSH || tag > TRACE_HAZARD)
		return corrupt(r, "unknown record tag 0x%02llx at byte %llu", tag, at);

	memset(rec, 0, offsetof(struct trace_record, msg));
	rec->msg[0] = 0;
	rec->kind = (enum trace_kind)tag;
	rec->cpu = r->cpu;
	const bool wide = r->h.version >= 3;
	rec->cycle = r->last_cycle + unzigzag(get_u(&c));
	if (wide)
		rec->pc = r->last_pc + unzigzag(get_u(&c));
	else
		rec->pc = (uint32_t)(r->last_pc + (uint32_t)unzigzag(get_u(&c)));
	switch (rec->kind) {
	case TRACE_FLUSH: {
		struct trace_flush_rec *e = &rec->u.flush;
		e->cycle = rec->cycle;
		e->op = (enum flush_op)get_u32(&c);
		e->cause = (enum flush_cause)get_u32(&c);
		e->start = wide ? rol12_64(get_u(&c)) : rol12(get_u32(&c));
		e->pages = get_u32(&c);
		e->invalidated = get_u32(&c);
		e->cycles = get_u(&c);
		break;
	}
	case TRACE_TLBI: {
		struct trace_tlbi_event *e = &rec->u.tlbi;
		e->cycle = rec->cycle;
		e->op = (enum tlbi_op)get_u32(&c);
		e->rt = wide ? get_u(&c) : get_u32(&c);
		e->invalidated = get_u32(&c);
		e->cycles = get_u(&c);
		break;
	}
	case TRACE_KMAP: {
		struct trace_kmap_rec *e = &rec->u.kmap;
		e->cycle = rec->cycle;
		e->pc = rec->pc;
		e->op = (enum kmap_op)get_u32(&c);
		uint64_t flags = get_u(&c);
		e->failed = (int)(flags & 1);
		e->page = get_opt_rec(&c, wide);
		e->pfn = get_opt_rec(&c, wide);
		uint64_t va = get_opt_rec(&c, wide);
		e->va = va == TRACE_NONE ? va : wide ? rol12_64(va) : rol12((uint32_t)va);
		e->pkmap_nr = get_opt_rec(&c, wide);
		e->fix_idx = get_opt_rec(&c, wide);
		e->arg = get_opt_rec(&c, wide);
		e->cycles = get_u(&c);
		break;
	}
	case TRACE_HAZARD: {
		struct trace_hazard_event *e = &rec->u.hazard;
		e->cycle = rec->cycle;
		e->kind = get_u32(&c);
		e->cpu = get_u32(&c);
		e->va = rol12(get_u32(&c));
		e->old_pa = get_opt(&c);
		e->new_pa = get_opt(&c);
		e->old_desc = get_u32(&c);
		e->new_desc = get_u32(&c);
		e->flags = get_u32(&c);
		rec->cpu = e->cpu; /* the one record that says its CPU */
		break;
	}
	case TRACE_WARN: {
		uint64_t n = get_u(&c);
		if (c.eof || c.bad)
			break;
		if (n > TRACE_WARN_MAX) {
			c.bad = true;
			break;
		}
		if (n > (uint64_t)(c.end - c.p)) {
			c.eof = true;
			break;
		}
		memcpy(rec->msg, c.p, (size_t)n);
		rec->msg[n] = 0;
		c.p += n;
		break;
	}
	default:
		break;
	}
	/* Running past the end of the file is a cut-off tail; a value
	 * that cannot be right before that is corruption. */
	if (c.eof)
		return r->done = TRACE_READ_TRUNCATED;
	if (c.bad) {
		snprintf(r->why, sizeof(r->why),
			 "%s record at byte %llu: a field too long or too large for it", kind_names[tag],
			 at);
		return r->done = TRACE_READ_CORRUPT;
	}
	r->pos = (size_t)(c.p - r->buf);
	r->last_cycle = rec->cycle;
	r->last_pc = rec->pc;
	r->events++;
	return TRACE_READ_RECORD;
}

uint64_t trace_reader_events(const struct trace_reader *r)
{
	return r->events;
}

uint64_t trace_reader_end_count(const struct trace_reader *r)
{
	return r->end_count;
}

unsigned trace_reader_end_flags(const struct trace_reader *r)
{
	return r->end_flags;
}

size_t trace_reader_offset(const struct trace_reader *r)
{
	return (size_t)(r->base + r->pos);
}

uint64_t trace_reader_size(const struct trace_reader *r)
{
	return r->size;
}

const char *trace_reader_why(const struct trace_reader *r)
{
	return r->why;
}

void trace_reader_close(struct trace_reader *r)
{
	if (!r)
		return;
	struct trace_header *h = &r->h;
	free(h->producer);
	free(h->guest);
	free(h->core);
	free(h->split);
	free(h->policy);
	free_names(h->flush_ops, h->nflush_ops);
	free_names(h->causes, h->ncauses);
	free_names(h->kmap_ops, h->nkmap_ops);
	free_names(h->tlbi_ops, h->ntlbi_ops);
	free(h->tlbi_kinds);
	symtab_free(&h->syms);
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r);
}

uint32_t trace_record_op(const struct trace_record *rec)
{
	switch (rec->kind) {
	case TRACE_FLUSH: return (uint32_t)rec->u.flush.op;
	case TRACE_TLBI: return (uint32_t)rec->u.tlbi.op;
	case TRACE_KMAP: return (uint32_t)rec->u.kmap.op;
	case TRACE_HAZARD: return rec->u.hazard.kind;
	default: return 0;
	}
}

/* enum hazard_kind (mm/hazard.h), then TRACE_HAZARD_OBSERVED. */
static const char *const hazard_names[] = { "stale_tlb", "barrier", "pte_not_cleaned",
					    "stale_tlb_observed" };

const char *trace_hazard_name(uint32_t kind, size_t *n)
{
	if (n)
		*n = sizeof(hazard_names) / sizeof(hazard_names[0]);
	return kind < sizeof(hazard_names) / sizeof(hazard_names[0]) ? hazard_names[kind] : NULL;
}

const struct symbol *trace_symbol_of(const struct trace_header *h, uint64_t pc)
{
	if (pc - h->sym_base > UINT32_MAX)
		return NULL;
	return symtab_lookup(&h->syms, (uint32_t)(pc - h->sym_base));
}

static uint64_t none64(uint32_t v)
{
	return v == KMAP_EVENT_NONE ? TRACE_NONE : v;
}

void trace_flush_rec_of(struct trace_flush_rec *out, const struct flush_event *ev)
{
	*out = (struct trace_flush_rec){ .cycle = ev->cycle, .op = ev->op, .cause = ev->cause,
					 .start = ev->start, .pages = ev->pages,
					 .invalidated = ev->invalidated, .cycles = ev->cycles };
}

void trace_kmap_rec_of(struct trace_kmap_rec *out, const struct kmap_event *ev)
{
	*out = (struct trace_kmap_rec){ .cycle = ev->cycle, .op = ev->op, .pc = ev->pc,
					.page = none64(ev->page), .pfn = none64(ev->pfn),
					.va = none64(ev->va), .pkmap_nr = none64(ev->pkmap_nr),
					.fix_idx = none64(ev->fix_idx), .arg = none64(ev->arg),
					.cycles = ev->cycles, .failed = ev->failed != 0 };
}
