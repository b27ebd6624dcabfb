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
	struct outfile out;    /* a temporary file until trace_close() (outfile.h) */
	int err;               /* first errno of a failed write */
	uint8_t *buf;
	/* Bytes of whole records in buf.  Advanced only after a record is
	 * complete (with a signal fence), so trace_flush_from_signal() never
	 * writes part of one. */
	volatile size_t len;
	uint64_t last_cycle;   /* of the previous record (delta base) */
	uint32_t last_pc;      /* of the previous record (delta base) */
	uint32_t pc;           /* trace_set_pc() */
	const uint64_t *clock; /* trace_set_clock() */
	unsigned cpu;          /* trace_set_cpu() */
	unsigned last_cpu;     /* of the previous event record (0 at the start) */
	struct trace_counts counts;
};

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

/* Room for one record; NULL if the trace has failed. */
static inline uint8_t *begin(struct trace_writer *tw)
{
	if (tw->err) {
		tw->counts.dropped++;
		return NULL;
	}
	if (BUF_SIZE - tw->len < MAX_RECORD) {
		drain(tw);
		if (tw->err) {
			tw->counts.dropped++;
			return NULL;
		}
	}
	return tw->buf + tw->len;
}

static inline void commit(struct trace_writer *tw, uint8_t *end)
{
	size_t n = (size_t)(end - tw->buf);
	tw->counts.bytes += n - tw->len;
	tw->counts.events++;
	/* The record's bytes before the length that exposes them. */
	atomic_signal_fence(memory_order_release);
	tw->len = n;
}

/* Tag, cycle delta, PC delta: the start of every event record. */
static inline uint8_t *put_head(struct trace_writer *tw, uint8_t *p, enum trace_kind kind,
				uint64_t cycle, uint32_t pc)
{
	if (tw->cpu != tw->last_cpu) {
		/* Version 2: not an event record (no cycle, pc; not counted). */
		*p++ = TRACE_CPU;
		p = put_u(p, tw->cpu);
		tw->last_cpu = tw->cpu;
	}
	*p++ = (uint8_t)kind;
	p = put_u(p, zigzag(cycle - tw->last_cycle));
	p = put_u(p, zigzag((uint64_t)(int64_t)(int32_t)(pc - tw->last_pc)));
	tw->last_cycle = cycle;
	tw->last_pc = pc;
	return p;
}

struct trace_writer *trace_open(const char *path, const struct symtab *syms, const char *guest_path,
				const char *core, const char *split, const char *policy, char *err,
				size_t errlen)
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

	/* The header body (docs/trace.md). */
	bytes_str(&h, "kmaplab " KMAPLAB_VERSION);
	bytes_str(&h, guest_path);
	bytes_str(&h, core);
	bytes_str(&h, split);
	bytes_str(&h, policy);
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
	size_t nsyms = syms ? syms->n : 0;
	bytes_u(&h, nsyms);
	uint32_t prev = 0;
	for (size_t i = 0; i < nsyms; i++) {
		const struct symbol *s = &syms->syms[i];
		/* symtab_sort() order: addresses never go down. */
		bytes_u(&h, zigzag((uint64_t)(int64_t)(int32_t)(s->addr - prev)));
		bytes_u(&h, s->size);
		bytes_str(&h, s->name);
		prev = s->addr;
	}
	if (h.oom || h.len > MAX_HEADER) {
		snprintf(err, errlen, "cannot write trace %s: out of memory", path);
		goto fail;
	}

	char why[512];
	if (outfile_open(&tw->out, path, why, sizeof(why))) {
		snprintf(err, errlen, "cannot write trace %s: %s", path, why);
		goto fail;
	}
	tw->fd = tw->out.fd;
	/* One write: magic, version, length, body, CRC. */
	const size_t pre = TRACE_MAGIC_LEN + 2 + 4, body = h.len;
	uint8_t *all = malloc(pre + body + 4);
	if (!all) {
		snprintf(err, errlen, "cannot write trace %s: out of memory", path);
		goto fail;
	}
	memcpy(all, TRACE_MAGIC, TRACE_MAGIC_LEN);
	/* Version 1 until trace_set_cpus() says there are CPU records. */
	put_le(all + TRACE_MAGIC_LEN, 1, 2);
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
	return NULL;
}

void trace_set_pc(struct trace_writer *tw, uint32_t pc)
{
	tw->pc = pc;
}

void trace_set_cpus(struct trace_writer *tw, unsigned ncpus)
{
	uint8_t v[2] = { 2, 0 };
	if (ncpus > 1 && !tw->err && pwrite(tw->fd, v, 2, TRACE_MAGIC_LEN) != 2)
		tw->err = errno ? errno : EIO;
}

void trace_set_cpu(struct trace_writer *tw, unsigned cpu)
{
	tw->cpu = cpu;
}

void trace_set_clock(struct trace_writer *tw, const uint64_t *cycles)
{
	tw->clock = cycles;
}

void trace_flush_event(struct trace_writer *tw, uint32_t pc, const struct flush_event *ev)
{
	uint8_t *p = begin(tw);
	if (!p)
		return;
	p = put_head(tw, p, TRACE_FLUSH, ev->cycle, pc);
	p = put_u(p, (uint32_t)ev->op);
	p = put_u(p, (uint32_t)ev->cause);
	p = put_u(p, ror12(ev->start));
	p = put_u(p, ev->pages);
	p = put_u(p, ev->invalidated);
	p = put_u(p, ev->cycles);
	tw->counts.flush++;
	commit(tw, p);
}

void trace_kmap_event(struct trace_writer *tw, const struct kmap_event *ev)
{
	uint8_t *p = begin(tw);
	if (!p)
		return;
	/* An event a policy reports from inside a call may carry no PC:
	 * it happened at the hypercall's. */
	p = put_head(tw, p, TRACE_KMAP, ev->cycle, ev->pc ? ev->pc : tw->pc);
	p = put_u(p, (uint32_t)ev->op);
	p = put_u(p, ev->failed ? 1 : 0);
	p = put_u(p, opt(ev->page));
	p = put_u(p, opt(ev->pfn));
	p = put_u(p, ev->va == KMAP_EVENT_NONE ? 0 : (uint64_t)ror12(ev->va) + 1);
	p = put_u(p, opt(ev->pkmap_nr));
	p = put_u(p, opt(ev->fix_idx));
	p = put_u(p, opt(ev->arg));
	p = put_u(p, ev->cycles);
	tw->counts.kmap++;
	commit(tw, p);
}

void trace_guest_tlbi(struct trace_writer *tw, uint64_t cycle, uint32_t pc, enum tlbi_op op,
		      uint32_t rt, uint32_t invalidated, uint64_t cycles)
{
	uint8_t *p = begin(tw);
	if (!p)
		return;
	p = put_head(tw, p, TRACE_TLBI, cycle, pc);
	p = put_u(p, (uint32_t)op);
	p = put_u(p, rt);
	p = put_u(p, invalidated);
	p = put_u(p, cycles);
	tw->counts.tlbi++;
	commit(tw, p);
}

void trace_hazard(struct trace_writer *tw, uint32_t pc, const struct trace_hazard_event *ev)
{
	uint8_t *p = begin(tw);
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
	tw->counts.hazard++;
	commit(tw, p);
}

void trace_warn(struct trace_writer *tw, const char *msg)
{
	uint8_t *p = begin(tw);
	if (!p)
		return;
	size_t n = strlen(msg);
	if (n > TRACE_WARN_MAX)
		n = TRACE_WARN_MAX;
	p = put_head(tw, p, TRACE_WARN, tw->clock ? *tw->clock : tw->last_cycle, tw->pc);
	p = put_u(p, n);
	memcpy(p, msg, n);
	p += n;
	tw->counts.warn++;
	commit(tw, p);
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
		/* The end record: tag and the number of event records. */
		if (BUF_SIZE - tw->len < 11)
			drain(tw);
		uint8_t *p = tw->buf + tw->len;
		*p++ = TRACE_END;
		p = put_u(p, tw->counts.events);
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

struct trace_reader {
	uint8_t *data;
	size_t size, pos;
	struct trace_header h;
	uint64_t last_cycle;
	uint32_t last_pc;
	unsigned cpu; /* the last CPU record's */
	uint64_t events, end_count;
	enum trace_read_status done; /* TRACE_READ_RECORD while there is more */
};

/* A cursor over [p, end): `eof` is set when a read runs past the end,
 * `bad` when a value cannot be right (too long, too large for its field). */
struct cur {
	const uint8_t *p, *end;
	bool eof, bad;
};

static uint64_t get_u(struct cur *c)
{
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

static int parse_header(struct trace_reader *r, char *err, size_t errlen, const char *path)
{
	const size_t pre = TRACE_MAGIC_LEN + 2 + 4;
	if (r->size < TRACE_MAGIC_LEN || memcmp(r->data, TRACE_MAGIC, TRACE_MAGIC_LEN)) {
		snprintf(err, errlen, "%s: not a kmaplab trace (bad magic)", path);
		return -1;
	}
	if (r->size < pre) {
		snprintf(err, errlen, "%s: corrupt trace header (file too short)", path);
		return -1;
	}
	r->h.version = get_le(r->data + TRACE_MAGIC_LEN, 2);
	if (r->h.version == 0 || r->h.version > TRACE_FORMAT_VERSION) {
		snprintf(err, errlen, "%s: trace format version %u, this reader knows up to %u", path,
			 r->h.version, TRACE_FORMAT_VERSION);
		return -1;
	}
	uint32_t hlen = get_le(r->data + TRACE_MAGIC_LEN + 2, 4);
	if (hlen > MAX_HEADER || r->size - pre < (size_t)hlen + 4) {
		snprintf(err, errlen, "%s: corrupt trace header (length %u past the end of the file)",
			 path, hlen);
		return -1;
	}
	const uint8_t *body = r->data + pre;
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
	uint32_t addr = 0;
	/* Each symbol takes at least 3 bytes. */
	if (nsyms > (uint64_t)(c.end - c.p) / 3)
		c.bad = true;
	for (uint64_t i = 0; i < nsyms && !c.bad && !c.eof; i++) {
		addr += (uint32_t)unzigzag(get_u(&c));
		uint64_t size = get_u(&c);
		char *name = get_str(&c);
		if (name) {
			symtab_add(&h->syms, addr, (uint32_t)size, name);
			free(name);
		}
	}
	/* Bytes after the symbol table are left for compatible additions. */
	if (c.bad || c.eof) {
		snprintf(err, errlen, "%s: corrupt trace header", path);
		return -1;
	}
	r->pos = pre + hlen + 4;
	return 0;
}

static struct trace_reader *reader_finish(struct trace_reader *r, const char *name, char *err,
					  size_t errlen)
{
	if (parse_header(r, err, errlen, name)) {
		trace_reader_close(r);
		return NULL;
	}
	r->done = TRACE_READ_RECORD;
	return r;
}

struct trace_reader *trace_reader_open(const char *path, char *err, size_t errlen)
{
	struct trace_reader *r = calloc(1, sizeof(*r));
	FILE *f = fopen(path, "rb");
	if (!r || !f) {
		snprintf(err, errlen, "cannot read trace %s: %s", path, strerror(r ? errno : ENOMEM));
		goto fail;
	}
	size_t cap = 0;
	for (;;) {
		if (r->size == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			uint8_t *d = realloc(r->data, cap);
			if (!d) {
				snprintf(err, errlen, "cannot read trace %s: out of memory", path);
				goto fail;
			}
			r->data = d;
		}
		size_t n = fread(r->data + r->size, 1, cap - r->size, f);
		r->size += n;
		if (n == 0) {
			if (ferror(f)) {
				snprintf(err, errlen, "cannot read trace %s: %s", path, strerror(errno));
				goto fail;
			}
			break;
		}
	}
	fclose(f);
	return reader_finish(r, path, err, errlen);

fail:
	if (f)
		fclose(f);
	trace_reader_close(r);
	return NULL;
}

struct trace_reader *trace_reader_open_memory(const void *data, size_t size, const char *name,
					      char *err, size_t errlen)
{
	struct trace_reader *r = calloc(1, sizeof(*r));
	if (r)
		r->data = malloc(size ? size : 1);
	if (!r || !r->data) {
		snprintf(err, errlen, "cannot read trace %s: out of memory", name);
		trace_reader_close(r);
		return NULL;
	}
	if (size)
		memcpy(r->data, data, size);
	r->size = size;
	return reader_finish(r, name, err, errlen);
}

const struct trace_header *trace_reader_header(const struct trace_reader *r)
{
	return &r->h;
}

static uint32_t get_u32(struct cur *c)
{
	uint64_t v = get_u(c);
	if (v > UINT32_MAX)
		c->bad = true;
	return (uint32_t)v;
}

/* An optional 32-bit field: 0 -> KMAP_EVENT_NONE, v -> v - 1. */
static uint32_t get_opt(struct cur *c)
{
	uint64_t v = get_u(c);
	if (v > (uint64_t)UINT32_MAX + 1)
		c->bad = true;
	return v ? (uint32_t)(v - 1) : KMAP_EVENT_NONE;
}

enum trace_read_status trace_read(struct trace_reader *r, struct trace_record *rec)
{
	if (r->done != TRACE_READ_RECORD)
		return r->done;
	if (r->pos >= r->size)
		return r->done = TRACE_READ_TRUNCATED;
	struct cur c = { r->data + r->pos, r->data + r->size, false, false };
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
			return r->done = TRACE_READ_CORRUPT;
		if (r->end_count != r->events)
			return r->done = TRACE_READ_CORRUPT;
		return r->done = TRACE_READ_END;
	}
	if (tag < TRACE_FLUSH || tag > TRACE_HAZARD)
		return r->done = TRACE_READ_CORRUPT;

	memset(rec, 0, offsetof(struct trace_record, msg));
	rec->msg[0] = 0;
	rec->kind = (enum trace_kind)tag;
	rec->cpu = r->cpu;
	rec->cycle = r->last_cycle + unzigzag(get_u(&c));
	rec->pc = r->last_pc + (uint32_t)unzigzag(get_u(&c));
	switch (rec->kind) {
	case TRACE_FLUSH: {
		struct flush_event *e = &rec->u.flush;
		e->cycle = rec->cycle;
		e->op = (enum flush_op)get_u32(&c);
		e->cause = (enum flush_cause)get_u32(&c);
		e->start = rol12(get_u32(&c));
		e->pages = get_u32(&c);
		e->invalidated = get_u32(&c);
		e->cycles = get_u(&c);
		break;
	}
	case TRACE_TLBI: {
		struct trace_tlbi_event *e = &rec->u.tlbi;
		e->cycle = rec->cycle;
		e->op = (enum tlbi_op)get_u32(&c);
		e->rt = get_u32(&c);
		e->invalidated = get_u32(&c);
		e->cycles = get_u(&c);
		break;
	}
	case TRACE_KMAP: {
		struct kmap_event *e = &rec->u.kmap;
		e->cycle = rec->cycle;
		e->pc = rec->pc;
		e->op = (enum kmap_op)get_u32(&c);
		uint64_t flags = get_u(&c);
		e->failed = (int)(flags & 1);
		e->page = get_opt(&c);
		e->pfn = get_opt(&c);
		uint32_t va = get_opt(&c);
		e->va = va == KMAP_EVENT_NONE ? va : rol12(va);
		e->pkmap_nr = get_opt(&c);
		e->fix_idx = get_opt(&c);
		e->arg = get_opt(&c);
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
	if (c.bad)
		return r->done = TRACE_READ_CORRUPT;
	r->pos = (size_t)(c.p - r->data);
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

size_t trace_reader_offset(const struct trace_reader *r)
{
	return r->pos;
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
	free(r->data);
	free(r);
}
