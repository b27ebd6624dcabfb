/* SPDX-License-Identifier: MIT */
/* `kmaplab trace` output formats (emu/trace_convert.h, docs/trace.md).
 *
 * Every event becomes one row of the same 20 columns; CSV, JSON lines and
 * Chrome's `args` are three spellings of that row.  Strings from the trace
 * (operation names, symbols, WARN messages) are made valid UTF-8 first and
 * then escaped for the format; the header's names are escaped once, up
 * front, since they repeat on every row. */
#include "trace_convert.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_CAP (1u << 20)
#define OUT_SLACK 512u /* room for a row's fixed-size columns */
#define HOLD_MAX 4096
#define PAGE_SIZE 4096u
#define SYMCACHE 16384u

enum col {
	C_CYCLE, C_CPU, C_KIND, C_OP, C_CAUSE, C_START, C_END, C_PAGES, C_INVALIDATED, C_CYCLES,
	C_PC, C_SYMBOL, C_PAGE, C_PFN, C_VA, C_SLOT, C_ARG, C_FAILED, C_WINDOW, C_MESSAGE, NCOLS
};

static const char *const col_names[NCOLS] = {
	"cycle", "cpu", "kind", "op", "cause", "start", "end", "pages", "invalidated", "cycles",
	"pc", "symbol", "page", "pfn", "va", "slot", "arg", "failed", "window", "message",
};

/* A column's value. */
enum vt {
	V_NONE,  /* does not apply: CSV empty, JSON null, left out of Chrome args */
	V_INT,   /* decimal */
	V_HEX8,  /* "0x%08x" (more digits if it does not fit) */
	V_HEX,   /* "0x%x" */
	V_BOOL,  /* CSV 0/1, JSON lines false/true, Chrome 0/1 */
	V_NAME,  /* a string escaped up front (struct esc) */
	V_SYM,   /* symbol + offset */
	V_TEXT,  /* a raw string from the trace (a WARN message) */
};

/* A string escaped for the output format: `pre` is written, then for a
 * symbol "+0x<off>", then the closing quote if `quoted`. */
struct esc {
	char *pre;
	size_t len;
	bool quoted;
};

struct val {
	enum vt t;
	uint64_t n;
	const struct esc *e;
	const char *s;
};

struct held {
	struct trace_record rec; /* msg copied only up to its NUL */
};

struct op_count {
	int kind;
	uint32_t op;
	uint64_t n;
};

struct trace_conv {
	enum trace_format fmt;
	const struct trace_header *h;
	int fd, err;
	char *buf;
	size_t len;

	/* Escaped names: per table entry, and per symbol. */
	struct esc *flush_ops, *causes, *kmap_ops, *tlbi_ops, *hazard_ops, *syms;
	size_t nhazard_ops;
	struct esc kinds[TRACE_NKINDS], warn_op, guest_mcr, win_pkmap, win_fixmap;

	size_t name_max; /* the longest escaped name (struct esc) */

	/* Symbol of a PC: a direct-mapped cache over symtab_lookup(). */
	struct { uint64_t pc; int32_t sym; bool valid; } symcache[SYMCACHE];

	/* Chrome */
	bool first;
	struct held *held;
	size_t nheld;
	uint32_t inner_op;  /* flush_all_zero_pkmaps's number, UINT32_MAX if none */
	uint64_t cpus_named; /* bit per CPU (< 64) whose thread_name was written */

	/* --count */
	uint64_t kind_count[TRACE_NKINDS];
	struct op_count *counts;
	size_t ncounts, cap_counts;
	size_t *count_at[TRACE_NKINDS]; /* per kind and op number: index + 1 in counts */
	size_t count_tab_n[TRACE_NKINDS];
};

/* ---- Output buffer ---- */

static void out_flush(struct trace_conv *c)
{
	size_t off = 0;
	while (off < c->len && !c->err) {
		ssize_t w = write(c->fd, c->buf + off, c->len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			c->err = errno;
			break;
		}
		off += (size_t)w;
	}
	c->len = 0;
}

static inline void room(struct trace_conv *c, size_t n)
{
	if (OUT_CAP - c->len < n)
		out_flush(c);
}

static inline void put(struct trace_conv *c, const char *s, size_t n)
{
	if (n > OUT_CAP / 2) { /* cannot happen for rows; be safe anyway */
		out_flush(c);
		size_t off = 0;
		while (off < n) {
			size_t k = n - off > OUT_CAP ? OUT_CAP : n - off;
			memcpy(c->buf, s + off, k);
			c->len = k;
			out_flush(c);
			off += k;
		}
		return;
	}
	room(c, n);
	memcpy(c->buf + c->len, s, n);
	c->len += n;
}

static inline void puts_(struct trace_conv *c, const char *s)
{
	put(c, s, strlen(s));
}

static inline void putch(struct trace_conv *c, char ch)
{
	room(c, 1);
	c->buf[c->len++] = ch;
}

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Callers make room (OUT_SLACK) first. */
static inline void put_dec(struct trace_conv *c, uint64_t v)
{
	if (v < 10) {
		c->buf[c->len++] = (char)('0' + v);
		return;
	}
	char tmp[24];
	int i = 24;
	while (v >= 100) {
		unsigned d = (unsigned)(v % 100);
		v /= 100;
		tmp[--i] = digit_pairs[2 * d + 1];
		tmp[--i] = digit_pairs[2 * d];
	}
	if (v >= 10) {
		tmp[--i] = digit_pairs[2 * v + 1];
		tmp[--i] = digit_pairs[2 * v];
	} else {
		tmp[--i] = (char)('0' + v);
	}
	memcpy(c->buf + c->len, tmp + i, (size_t)(24 - i));
	c->len += (size_t)(24 - i);
}

static const char hex_digits[] = "0123456789abcdef";

static inline void put_hex(struct trace_conv *c, uint64_t v, int min_digits)
{
	char *o = c->buf + c->len;
	o[0] = '0';
	o[1] = 'x';
	if (min_digits == 8 && v <= UINT32_MAX) { /* the common case: 0x%08x */
		for (int k = 0; k < 8; k++)
			o[2 + k] = hex_digits[(v >> (28 - 4 * k)) & 15];
		c->len += 10;
		return;
	}
	char tmp[20];
	int i = 20;
	do {
		tmp[--i] = hex_digits[v & 15];
		v >>= 4;
	} while (v || 20 - i < min_digits);
	memcpy(o + 2, tmp + i, (size_t)(20 - i));
	c->len += 2 + (size_t)(20 - i);
}

/* Microseconds at a nominal 1 GHz, exactly: "<cycle / 1000>.<3 digits>". */
static inline void put_us(struct trace_conv *c, uint64_t cycle)
{
	put_dec(c, cycle / 1000);
	uint64_t f = cycle % 1000;
	c->buf[c->len++] = '.';
	c->buf[c->len++] = (char)('0' + f / 100);
	c->buf[c->len++] = (char)('0' + f / 10 % 10);
	c->buf[c->len++] = (char)('0' + f % 10);
}

/* ---- Strings ---- */

size_t trace_utf8_clean(const char *str, size_t n, char *out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t o = 0, i = 0;
	while (i < n) {
		unsigned char b = s[i];
		if (b < 0x80) {
			out[o++] = (char)b;
			i++;
			continue;
		}
		/* Length and the range of the second byte (Unicode 3-7). */
		size_t len;
		unsigned char lo = 0x80, hi = 0xbf;
		if (b >= 0xc2 && b <= 0xdf)
			len = 2;
		else if (b >= 0xe0 && b <= 0xef) {
			len = 3;
			if (b == 0xe0)
				lo = 0xa0;
			else if (b == 0xed)
				hi = 0x9f;
		} else if (b >= 0xf0 && b <= 0xf4) {
			len = 4;
			if (b == 0xf0)
				lo = 0x90;
			else if (b == 0xf4)
				hi = 0x8f;
		} else
			len = 0;
		size_t k = 1;
		if (len) {
			while (k < len && i + k < n) {
				unsigned char x = s[i + k];
				if (k == 1 ? (x < lo || x > hi) : (x < 0x80 || x > 0xbf))
					break;
				k++;
			}
		}
		if (len && k == len) {
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
		} else {
			/* The maximal well-formed prefix (at least one byte)
			 * is one U+FFFD. */
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i += k;
		}
	}
	out[o] = 0;
	return o;
}

/* Decodes one code point of valid UTF-8 at *p. */
static uint32_t utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t cp;
	if (s[0] < 0x80) {
		cp = s[0];
		*p += 1;
	} else if (s[0] < 0xe0) {
		cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		*p += 2;
	} else if (s[0] < 0xf0) {
		cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		*p += 3;
	} else {
		cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
		     (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
		*p += 4;
	}
	return cp;
}

/* A growable string for escaping. */
struct sb {
	char *p;
	size_t len, cap;
};

static void sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return; /* the string comes out short; out of memory is reported by the caller */
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

/* JSON string contents, ASCII only (as Python's json with ensure_ascii):
 * `"` and `\` escaped, controls, DEL and non-ASCII as \uXXXX (surrogate
 * pairs above U+FFFF). */
static void json_escape(struct sb *b, const char *clean)
{
	const unsigned char *p = (const unsigned char *)clean;
	char tmp[16];
	while (*p) {
		const unsigned char *run = p;
		while (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			sb_add(b, (const char *)run, (size_t)(p - run));
		if (!*p)
			break;
		uint32_t cp = utf8_next(&p);
		const char *e = NULL;
		switch (cp) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		default: break;
		}
		if (e) {
			sb_add(b, e, strlen(e));
		} else if (cp > 0xffff) {
			cp -= 0x10000;
			snprintf(tmp, sizeof(tmp), "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
			sb_add(b, tmp, 12);
		} else {
			snprintf(tmp, sizeof(tmp), "\\u%04x", cp);
			sb_add(b, tmp, 6);
		}
	}
}

/* The n bytes at raw, escaped for the converter's format, without the
 * closing quote (esc.quoted says whether one is due). */
static struct esc escape(const struct trace_conv *c, const char *raw, size_t n)
{
	char *clean = malloc(3 * n + 1);
	struct sb b = { 0 };
	struct esc e = { 0 };
	if (!clean)
		return e;
	trace_utf8_clean(raw, n, clean);
	if (c->fmt == TRACE_FMT_CSV) {
		/* Quoted when it holds a separator, a quote or a line break. */
		e.quoted = strpbrk(clean, ",\"\n\r") != NULL;
		if (e.quoted) {
			sb_add(&b, "\"", 1);
			for (const char *p = clean; *p; p++) {
				if (*p == '"')
					sb_add(&b, "\"\"", 2);
				else
					sb_add(&b, p, 1);
			}
		} else {
			sb_add(&b, clean, strlen(clean));
		}
	} else {
		e.quoted = true;
		sb_add(&b, "\"", 1);
		json_escape(&b, clean);
	}
	free(clean);
	if (!b.p)
		sb_add(&b, "", 0);
	e.pre = b.p;
	e.len = b.len;
	return e;
}

static struct esc *escape_table(struct trace_conv *c, char **names, size_t n)
{
	struct esc *v = calloc(n + 1, sizeof(*v));
	for (size_t i = 0; v && i < n; i++) {
		v[i] = escape(c, names[i] ? names[i] : "", names[i] ? strlen(names[i]) : 0);
		if (v[i].len > c->name_max)
			c->name_max = v[i].len;
	}
	return v;
}

static void free_table(struct esc *v, size_t n)
{
	if (v)
		for (size_t i = 0; i < n; i++)
			free(v[i].pre);
	free(v);
}

static inline void put_esc(struct trace_conv *c, const struct esc *e)
{
	put(c, e->pre, e->len);
	if (e->quoted)
		putch(c, '"');
}

/* A string from the trace (WARN message): escaped now. */
static void put_text(struct trace_conv *c, const char *s)
{
	struct esc e = escape(c, s, strlen(s));
	if (!e.pre) {
		c->err = c->err ? c->err : ENOMEM;
		return;
	}
	put_esc(c, &e);
	free(e.pre);
}

/* A name from a header table, or "<fallback><i>" for a number the table
 * does not have (a newer writer's), spelled into buf. */
static const struct esc *name_of(const struct trace_conv *c, struct esc *tab, size_t n, uint32_t i,
				 const char *fallback, struct esc *tmp, char *buf, size_t buflen)
{
	if (i < n && tab)
		return &tab[i];
	tmp->quoted = c->fmt != TRACE_FMT_CSV;
	snprintf(buf, buflen, "%s%s%u", tmp->quoted ? "\"" : "", fallback, i);
	tmp->pre = buf;
	tmp->len = strlen(buf);
	return tmp;
}

/* ---- Rows ---- */

static int32_t symbol_of(struct trace_conv *c, uint64_t pc)
{
	size_t slot = (size_t)((pc >> 1) ^ (pc >> 15)) & (SYMCACHE - 1);
	if (c->symcache[slot].valid && c->symcache[slot].pc == pc)
		return c->symcache[slot].sym;
	const struct symbol *s = trace_symbol_of(c->h, pc);
	int32_t idx = s ? (int32_t)(s - c->h->syms.syms) : -1;
	c->symcache[slot].pc = pc;
	c->symcache[slot].sym = idx;
	c->symcache[slot].valid = true;
	return idx;
}

/* Scratch for names a table does not have. */
struct scratch {
	struct esc op, cause;
	char opbuf[48], causebuf[48];
	char msg[128]; /* a hazard's message */
};

static void build_row(struct trace_conv *c, const struct trace_record *r, struct val *v,
		      struct scratch *sc)
{
	const struct trace_header *h = c->h;
	for (int i = 0; i < NCOLS; i++)
		v[i].t = V_NONE;
	v[C_CYCLE] = (struct val){ .t = V_INT, .n = r->cycle };
	v[C_CPU] = (struct val){ .t = V_INT, .n = r->cpu };
	v[C_KIND] = (struct val){ .t = V_NAME, .e = &c->kinds[r->kind] };
	if (r->pc) {
		v[C_PC] = (struct val){ .t = V_HEX8, .n = r->pc };
		int32_t s = symbol_of(c, r->pc);
		if (s >= 0)
			v[C_SYMBOL] = (struct val){ .t = V_SYM, .n = r->pc - h->sym_base - h->syms.syms[s].addr,
						    .e = &c->syms[s] };
		else
			v[C_SYMBOL] = (struct val){ .t = V_HEX8, .n = r->pc };
	}
	switch (r->kind) {
	case TRACE_FLUSH: {
		const struct trace_flush_rec *e = &r->u.flush;
		v[C_OP] = (struct val){ .t = V_NAME,
					.e = name_of(c, c->flush_ops, h->nflush_ops, e->op,
						     "flush_op_", &sc->op, sc->opbuf, sizeof(sc->opbuf)) };
		v[C_CAUSE] = (struct val){ .t = V_NAME,
					   .e = name_of(c, c->causes, h->ncauses, e->cause, "cause_",
							&sc->cause, sc->causebuf, sizeof(sc->causebuf)) };
		if (e->pages) {
			v[C_START] = (struct val){ .t = V_HEX8, .n = e->start };
			v[C_END] = (struct val){ .t = V_HEX8,
						 .n = (uint64_t)e->start + (uint64_t)e->pages * PAGE_SIZE };
		}
		v[C_PAGES] = (struct val){ .t = V_INT, .n = e->pages };
		v[C_INVALIDATED] = (struct val){ .t = V_INT, .n = e->invalidated };
		v[C_CYCLES] = (struct val){ .t = V_INT, .n = e->cycles };
		break;
	}
	case TRACE_TLBI: {
		const struct trace_tlbi_event *e = &r->u.tlbi;
		v[C_OP] = (struct val){ .t = V_NAME,
					.e = name_of(c, c->tlbi_ops, h->ntlbi_ops, e->op, "TLBI_",
						     &sc->op, sc->opbuf, sizeof(sc->opbuf)) };
		v[C_CAUSE] = (struct val){ .t = V_NAME, .e = &c->guest_mcr };
		unsigned kind = (unsigned)e->op < h->ntlbi_ops ? h->tlbi_kinds[e->op] : ~0u;
		bool by_va = kind == TLBI_KIND_MVA || kind == TLBI_KIND_MVAA;
		if (by_va) {
			/* Rt: VA[31:12] | ASID; version 3's Xt: VA[55:12] in
			 * bits [43:0], sign-extended from VA bit 55. */
			uint64_t va = h->addr_bits == 64 ? (uint64_t)((int64_t)((e->rt & ((1ull << 44) - 1)) << 20) >> 8)
							 : (e->rt & 0xfffff000u);
			v[C_START] = (struct val){ .t = V_HEX8, .n = va };
			v[C_END] = (struct val){ .t = V_HEX8, .n = (uint64_t)va + PAGE_SIZE };
		}
		v[C_PAGES] = (struct val){ .t = V_INT, .n = by_va };
		v[C_INVALIDATED] = (struct val){ .t = V_INT, .n = e->invalidated };
		v[C_CYCLES] = (struct val){ .t = V_INT, .n = e->cycles };
		if (kind != TRACE_TLBI_KIND_BARRIER) /* a DSB or ISB has no operand */
			v[C_ARG] = (struct val){ .t = V_HEX8, .n = e->rt };
		break;
	}
	case TRACE_KMAP: {
		const struct trace_kmap_rec *e = &r->u.kmap;
		v[C_OP] = (struct val){ .t = V_NAME,
					.e = name_of(c, c->kmap_ops, h->nkmap_ops, e->op,
						     "kmap_op_", &sc->op, sc->opbuf, sizeof(sc->opbuf)) };
		v[C_CYCLES] = (struct val){ .t = V_INT, .n = e->cycles };
		if (e->page != TRACE_NONE)
			v[C_PAGE] = (struct val){ .t = V_HEX8, .n = e->page };
		if (e->pfn != TRACE_NONE)
			v[C_PFN] = (struct val){ .t = V_INT, .n = e->pfn };
		if (e->va != TRACE_NONE)
			v[C_VA] = (struct val){ .t = V_HEX8, .n = e->va };
		if (e->pkmap_nr != TRACE_NONE) {
			v[C_SLOT] = (struct val){ .t = V_INT, .n = e->pkmap_nr };
			v[C_WINDOW] = (struct val){ .t = V_NAME, .e = &c->win_pkmap };
		} else if (e->fix_idx != TRACE_NONE) {
			v[C_SLOT] = (struct val){ .t = V_INT, .n = e->fix_idx };
			v[C_WINDOW] = (struct val){ .t = V_NAME, .e = &c->win_fixmap };
		}
		if (e->arg != TRACE_NONE)
			v[C_ARG] = (struct val){ .t = V_HEX, .n = e->arg };
		v[C_FAILED] = (struct val){ .t = V_BOOL, .n = e->failed != 0 };
		break;
	}
	case TRACE_WARN:
		v[C_OP] = (struct val){ .t = V_NAME, .e = &c->warn_op };
		v[C_MESSAGE] = (struct val){ .t = V_TEXT, .s = r->msg };
		break;
	case TRACE_HAZARD: {
		const struct trace_hazard_event *e = &r->u.hazard;
		v[C_OP] = (struct val){ .t = V_NAME,
					.e = name_of(c, c->hazard_ops, c->nhazard_ops, e->kind, "hazard_",
						     &sc->op, sc->opbuf, sizeof(sc->opbuf)) };
		v[C_VA] = (struct val){ .t = V_HEX8, .n = e->va };
		v[C_ARG] = (struct val){ .t = V_HEX, .n = e->flags };
		char oldp[16] = "none", newp[16] = "none";
		if (e->old_pa != KMAP_EVENT_NONE)
			snprintf(oldp, sizeof(oldp), "0x%08x", e->old_pa);
		if (e->new_pa != KMAP_EVENT_NONE)
			snprintf(newp, sizeof(newp), "0x%08x", e->new_pa);
		snprintf(sc->msg, sizeof(sc->msg), "old %s (descriptor 0x%08x), now %s (descriptor 0x%08x)",
			 oldp, e->old_desc, newp, e->new_desc);
		v[C_MESSAGE] = (struct val){ .t = V_TEXT, .s = sc->msg };
		break;
	}
	default:
		break;
	}
}

/* The bytes a row's values can take, V_TEXT aside (it makes its own
 * room): numbers, addresses and JSON keys, and at most six names or
 * symbols (kind, op, cause, symbol, window), none longer than the longest
 * this header holds (c->name_max, fallbacks included). */
static inline size_t row_room(const struct trace_conv *c)
{
	return 64 + NCOLS * (24 + 16) + 6 * c->name_max;
}

/* Raw bytes into room already made. */
static inline void emit(struct trace_conv *c, const char *s, size_t n)
{
	memcpy(c->buf + c->len, s, n);
	c->len += n;
}

/* One value into room already made (row_room); `jsonl`: V_BOOL as
 * false/true. */
static inline void put_val(struct trace_conv *c, const struct val *v, bool jsonl)
{
	bool quote = c->fmt != TRACE_FMT_CSV;
	switch (v->t) {
	case V_NONE:
		if (quote)
			emit(c, "null", 4);
		break;
	case V_INT: put_dec(c, v->n); break;
	case V_BOOL:
		if (jsonl)
			emit(c, v->n ? "true" : "false", v->n ? 4 : 5);
		else
			c->buf[c->len++] = v->n ? '1' : '0';
		break;
	case V_HEX8:
	case V_HEX:
		if (quote)
			c->buf[c->len++] = '"';
		put_hex(c, v->n, v->t == V_HEX8 ? 8 : 1);
		if (quote)
			c->buf[c->len++] = '"';
		break;
	case V_NAME:
		emit(c, v->e->pre, v->e->len);
		if (v->e->quoted)
			c->buf[c->len++] = '"';
		break;
	case V_SYM:
		emit(c, v->e->pre, v->e->len);
		c->buf[c->len++] = '+';
		put_hex(c, v->n, 1);
		if (v->e->quoted)
			c->buf[c->len++] = '"';
		break;
	case V_TEXT: put_text(c, v->s); break;
	}
}

static void csv_row(struct trace_conv *c, const struct val *v)
{
	room(c, row_room(c));
	for (int i = 0; i < NCOLS; i++) {
		if (i)
			c->buf[c->len++] = ',';
		put_val(c, &v[i], false); /* V_TEXT makes its own room... */
		if (v[i].t == V_TEXT)      /* ...and may use up ours */
			room(c, row_room(c));
	}
	c->buf[c->len++] = '\n';
}

/* CSV fast paths for the two kinds that make up nearly every trace: the
 * same bytes as build_row() + csv_row() (the round-trip test compares CSV
 * with JSON lines, which take the general path), written directly. */
static inline void csv_name(struct trace_conv *c, const struct esc *e)
{
	emit(c, e->pre, e->len);
	if (e->quoted)
		c->buf[c->len++] = '"';
}

/* ",PC,SYMBOL" or ",," */
static inline void csv_pc(struct trace_conv *c, uint64_t pc)
{
	c->buf[c->len++] = ',';
	if (!pc) {
		c->buf[c->len++] = ',';
		return;
	}
	put_hex(c, pc, 8);
	c->buf[c->len++] = ',';
	int32_t s = symbol_of(c, pc);
	if (s < 0) {
		put_hex(c, pc, 8);
		return;
	}
	const struct esc *e = &c->syms[s];
	emit(c, e->pre, e->len);
	c->buf[c->len++] = '+';
	put_hex(c, pc - c->h->sym_base - c->h->syms.syms[s].addr, 1);
	if (e->quoted)
		c->buf[c->len++] = '"';
}

/* The columns every fast CSV row begins with: cycle, cpu, kind. */
static void csv_row_start(struct trace_conv *c, const struct trace_record *r)
{
	room(c, row_room(c));
	put_dec(c, r->cycle);
	c->buf[c->len++] = ',';
	put_dec(c, r->cpu);
	c->buf[c->len++] = ',';
	csv_name(c, &c->kinds[r->kind]);
	c->buf[c->len++] = ',';
}

static bool csv_fast(struct trace_conv *c, const struct trace_record *r)
{
	const struct trace_header *h = c->h;
	if (r->kind == TRACE_FLUSH) {
		const struct trace_flush_rec *e = &r->u.flush;
		if ((uint32_t)e->op >= h->nflush_ops || (uint32_t)e->cause >= h->ncauses)
			return false;
		csv_row_start(c, r);
		csv_name(c, &c->flush_ops[e->op]);
		c->buf[c->len++] = ',';
		csv_name(c, &c->causes[e->cause]);
		c->buf[c->len++] = ',';
		if (e->pages) {
			put_hex(c, e->start, 8);
			c->buf[c->len++] = ',';
			put_hex(c, (uint64_t)e->start + (uint64_t)e->pages * PAGE_SIZE, 8);
		} else {
			c->buf[c->len++] = ',';
		}
		c->buf[c->len++] = ',';
		put_dec(c, e->pages);
		c->buf[c->len++] = ',';
		put_dec(c, e->invalidated);
		c->buf[c->len++] = ',';
		put_dec(c, e->cycles);
		csv_pc(c, r->pc);
		emit(c, ",,,,,,,,\n", 9);
		return true;
	}
	if (r->kind == TRACE_KMAP) {
		const struct trace_kmap_rec *e = &r->u.kmap;
		if ((uint32_t)e->op >= h->nkmap_ops)
			return false;
		csv_row_start(c, r);
		csv_name(c, &c->kmap_ops[e->op]);
		emit(c, ",,,,,,", 6);
		put_dec(c, e->cycles);
		csv_pc(c, r->pc);
		c->buf[c->len++] = ',';
		if (e->page != TRACE_NONE)
			put_hex(c, e->page, 8);
		c->buf[c->len++] = ',';
		if (e->pfn != TRACE_NONE)
			put_dec(c, e->pfn);
		c->buf[c->len++] = ',';
		if (e->va != TRACE_NONE)
			put_hex(c, e->va, 8);
		c->buf[c->len++] = ',';
		const struct esc *win = NULL;
		if (e->pkmap_nr != TRACE_NONE) {
			put_dec(c, e->pkmap_nr);
			win = &c->win_pkmap;
		} else if (e->fix_idx != TRACE_NONE) {
			put_dec(c, e->fix_idx);
			win = &c->win_fixmap;
		}
		c->buf[c->len++] = ',';
		if (e->arg != TRACE_NONE)
			put_hex(c, e->arg, 1);
		c->buf[c->len++] = ',';
		c->buf[c->len++] = e->failed ? '1' : '0';
		c->buf[c->len++] = ',';
		if (win)
			csv_name(c, win);
		emit(c, ",\n", 2);
		return true;
	}
	return false;
}

static void jsonl_row(struct trace_conv *c, const struct val *v)
{
	room(c, row_room(c));
	c->buf[c->len++] = '{';
	for (int i = 0; i < NCOLS; i++) {
		if (i)
			c->buf[c->len++] = ',';
		c->buf[c->len++] = '"';
		emit(c, col_names[i], strlen(col_names[i]));
		emit(c, "\":", 2);
		put_val(c, &v[i], true);
		if (v[i].t == V_TEXT)
			room(c, row_room(c));
	}
	emit(c, "}\n", 2);
}

/* ---- Chrome ---- */

static void chrome_raw_begin(struct trace_conv *c)
{
	if (!c->first)
		put(c, ",\n", 2);
	c->first = false;
}

static void chrome_name_cpu(struct trace_conv *c, unsigned cpu)
{
	/* CPUs from 64 on (none today) are not named: their events still
	 * carry their tid. */
	if (cpu >= 64 || (c->cpus_named & (1ull << cpu)))
		return;
	c->cpus_named |= 1ull << cpu;
	chrome_raw_begin(c);
	room(c, OUT_SLACK);
	puts_(c, "{\"ph\":\"M\",\"pid\":1,\"tid\":");
	put_dec(c, cpu);
	puts_(c, ",\"name\":\"thread_name\",\"args\":{\"name\":\"cpu");
	put_dec(c, cpu);
	puts_(c, "\"}}");
}

static void chrome_emit(struct trace_conv *c, const struct trace_record *r)
{
	struct val v[NCOLS];
	struct scratch sc;
	build_row(c, r, v, &sc);
	chrome_name_cpu(c, r->cpu);
	chrome_raw_begin(c);
	room(c, OUT_SLACK);
	if (r->kind == TRACE_WARN || r->kind == TRACE_HAZARD) {
		/* Instants: a WARN, a hazard. */
		puts_(c, "{\"name\":");
		put_esc(c, v[C_OP].e);
		puts_(c, ",\"cat\":\"");
		puts_(c, trace_kind_name(r->kind));
		puts_(c, "\",\"ph\":\"i\",\"s\":\"t\",\"ts\":");
		room(c, OUT_SLACK);
		put_us(c, r->cycle);
	} else {
		puts_(c, "{\"name\":");
		put_esc(c, v[C_OP].e);
		puts_(c, ",\"cat\":\"");
		puts_(c, trace_kind_name(r->kind));
		puts_(c, "\",\"ph\":\"X\",\"ts\":");
		room(c, OUT_SLACK);
		put_us(c, r->cycle);
		puts_(c, ",\"dur\":");
		room(c, OUT_SLACK);
		put_us(c, v[C_CYCLES].n);
	}
	puts_(c, ",\"pid\":1,\"tid\":");
	room(c, OUT_SLACK);
	put_dec(c, r->cpu);
	puts_(c, ",\"args\":{");
	room(c, row_room(c));
	bool any = false;
	for (int i = 0; i < NCOLS; i++) {
		if (v[i].t == V_NONE || i == C_OP || i == C_KIND || i == C_CPU || i == C_CYCLES)
			continue;
		if (any)
			c->buf[c->len++] = ',';
		any = true;
		c->buf[c->len++] = '"';
		emit(c, col_names[i], strlen(col_names[i]));
		emit(c, "\":", 2);
		put_val(c, &v[i], false);
		if (v[i].t == V_TEXT)
			room(c, row_room(c));
	}
	put(c, "}}", 2);
}

static uint64_t dur_of(const struct trace_record *r)
{
	switch (r->kind) {
	case TRACE_FLUSH: return r->u.flush.cycles;
	case TRACE_TLBI: return r->u.tlbi.cycles;
	case TRACE_KMAP: return r->u.kmap.cycles;
	default: return 0;
	}
}

/* Earlier first; at the same cycle the longer first (a parent before its
 * children); otherwise in the order recorded. */
static int by_start(const void *a, const void *b)
{
	const struct held *x = *(const struct held *const *)a, *y = *(const struct held *const *)b;
	if (x->rec.cycle != y->rec.cycle)
		return x->rec.cycle < y->rec.cycle ? -1 : 1;
	uint64_t dx = dur_of(&x->rec), dy = dur_of(&y->rec);
	if (dx != dy)
		return dx > dy ? -1 : 1;
	return x < y ? -1 : x > y;
}

static void chrome_release(struct trace_conv *c)
{
	if (!c->nheld)
		return;
	struct held **order = malloc(c->nheld * sizeof(*order));
	if (!order) {
		c->err = c->err ? c->err : ENOMEM;
		c->nheld = 0;
		return;
	}
	for (size_t i = 0; i < c->nheld; i++)
		order[i] = &c->held[i];
	qsort(order, c->nheld, sizeof(*order), by_start);
	for (size_t i = 0; i < c->nheld; i++)
		chrome_emit(c, &order[i]->rec);
	free(order);
	c->nheld = 0;
}

/* A kmap-family call is recorded when it returns, after the flushes (and a
 * policy's flush_all_zero_pkmaps) inside it: those are held back until the
 * next call and written after it, so that at equal timestamps a parent
 * always comes before its children. */
static void chrome_event(struct trace_conv *c, const struct trace_record *r)
{
	if (r->kind == TRACE_KMAP && (uint32_t)r->u.kmap.op != c->inner_op) {
		chrome_emit(c, r);
		chrome_release(c);
		return;
	}
	struct held *hd = &c->held[c->nheld++];
	memcpy(&hd->rec, r, offsetof(struct trace_record, msg));
	size_t n = r->kind == TRACE_WARN ? strlen(r->msg) : 0;
	memcpy(hd->rec.msg, r->msg, n);
	hd->rec.msg[n] = 0;
	if (c->nheld >= HOLD_MAX)
		chrome_release(c);
}

/* The JSON string of s (json.dumps), into b. */
static void json_quoted(struct sb *b, const char *s)
{
	char *clean = malloc(3 * strlen(s) + 1);
	if (!clean)
		return;
	trace_utf8_clean(s, strlen(s), clean);
	sb_add(b, "\"", 1);
	json_escape(b, clean);
	sb_add(b, "\"", 1);
	free(clean);
}

static void chrome_begin(struct trace_conv *c)
{
	const struct trace_header *h = c->h;
	struct sb b = { 0 };
	char num[32];
	/* otherData: the run, as Python's json.dumps spelled it. */
	const char *head = "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"format_version\": ";
	sb_add(&b, head, strlen(head));
	snprintf(num, sizeof(num), "%u", h->version);
	sb_add(&b, num, strlen(num));
	const char *keys[] = { "producer", "guest", "core", "split", "policy" };
	const char *vals[] = { h->producer, h->guest, h->core, h->split, h->policy };
	for (int i = 0; i < 5; i++) {
		sb_add(&b, ", \"", 3);
		sb_add(&b, keys[i], strlen(keys[i]));
		sb_add(&b, "\": ", 3);
		json_quoted(&b, vals[i]);
	}
	snprintf(num, sizeof(num), ", \"symbols\": %zu", h->syms.n);
	sb_add(&b, num, strlen(num));
	const char *tail = ", \"clock\": \"nominal 1 GHz: ts = cycle / 1000\"},\"traceEvents\":[\n"
			   "{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\",\"args\":{\"name\":";
	sb_add(&b, tail, strlen(tail));
	size_t glen = strlen(h->guest);
	char *pname = malloc(glen + 16);
	if (pname) {
		snprintf(pname, glen + 16, "kmaplab %s", glen ? h->guest : "guest");
		json_quoted(&b, pname);
		free(pname);
	}
	sb_add(&b, "}}", 2);
	if (b.p)
		put(c, b.p, b.len);
	else
		c->err = ENOMEM;
	free(b.p);
	c->first = false;
	chrome_name_cpu(c, 0);
}

/* ---- --count ---- */

static void count_event(struct trace_conv *c, const struct trace_record *r)
{
	c->kind_count[r->kind]++;
	uint32_t op = trace_record_op(r);
	size_t *at = c->count_at[r->kind];
	size_t idx = at && op < c->count_tab_n[r->kind] ? at[op] : 0;
	if (!idx) {
		for (size_t i = 0; i < c->ncounts && !idx; i++)
			if (c->counts[i].kind == (int)r->kind && c->counts[i].op == op)
				idx = i + 1;
	}
	if (!idx) {
		if (c->ncounts == c->cap_counts) {
			size_t cap = c->cap_counts ? c->cap_counts * 2 : 64;
			struct op_count *p = realloc(c->counts, cap * sizeof(*p));
			if (!p) {
				c->err = c->err ? c->err : ENOMEM;
				return;
			}
			c->counts = p;
			c->cap_counts = cap;
		}
		c->counts[c->ncounts] = (struct op_count){ (int)r->kind, op, 0 };
		idx = ++c->ncounts;
		if (at && op < c->count_tab_n[r->kind])
			at[op] = idx;
	}
	c->counts[idx - 1].n++;
}

static int by_kind_op(const void *a, const void *b)
{
	const struct op_count *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->op < y->op ? -1 : x->op > y->op;
}

/* The name of op number `op` of an event kind, from the header's tables
 * (the hazard names are this reader's own); a number a table does not have
 * (a newer writer's) is spelled "<prefix><op>" into buf.  Kinds with no op
 * are "WARN". */
static const char *op_name(const struct trace_header *h, unsigned kind, uint32_t op, char *buf,
			   size_t len)
{
	const char *name, *prefix;
	switch (kind) {
	case TRACE_FLUSH:
		name = op < h->nflush_ops ? h->flush_ops[op] : NULL;
		prefix = "flush_op_";
		break;
	case TRACE_TLBI:
		name = op < h->ntlbi_ops ? h->tlbi_ops[op] : NULL;
		prefix = "TLBI_";
		break;
	case TRACE_KMAP:
		name = op < h->nkmap_ops ? h->kmap_ops[op] : NULL;
		prefix = "kmap_op_";
		break;
	case TRACE_HAZARD:
		name = trace_hazard_name(op, NULL);
		prefix = "hazard_";
		break;
	default:
		return "WARN";
	}
	if (!name) {
		snprintf(buf, len, "%s%u", prefix, op);
		name = buf;
	}
	return name;
}

static void count_finish(struct trace_conv *c)
{
	const struct trace_header *h = c->h;
	uint64_t total = 0;
	for (int k = TRACE_FLUSH; k < TRACE_NKINDS; k++)
		total += c->kind_count[k];
	room(c, OUT_SLACK);
	puts_(c, "events=");
	put_dec(c, total);
	putch(c, '\n');
	for (int k = TRACE_FLUSH; k < TRACE_NKINDS; k++) {
		room(c, OUT_SLACK);
		puts_(c, trace_kind_name((enum trace_kind)k));
		putch(c, '=');
		put_dec(c, c->kind_count[k]);
		putch(c, '\n');
	}
	if (c->ncounts)
		qsort(c->counts, c->ncounts, sizeof(*c->counts), by_kind_op);
	for (size_t i = 0; i < c->ncounts; i++) {
		const struct op_count *oc = &c->counts[i];
		char buf[64];
		const char *name = op_name(h, oc->kind, oc->op, buf, sizeof(buf));
		puts_(c, trace_kind_name((enum trace_kind)oc->kind));
		putch(c, '.');
		char *clean = malloc(3 * strlen(name) + 1);
		if (clean) {
			trace_utf8_clean(name, strlen(name), clean);
			puts_(c, clean);
			free(clean);
		}
		room(c, OUT_SLACK);
		putch(c, '=');
		put_dec(c, oc->n);
		putch(c, '\n');
	}
}

/* ---- The converter ---- */

struct trace_conv *trace_conv_new(enum trace_format fmt, const struct trace_header *h, int fd)
{
	struct trace_conv *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fmt = fmt;
	c->h = h;
	c->fd = fd;
	c->first = true;
	c->inner_op = UINT32_MAX;
	c->name_max = 48; /* fallback names ("flush_op_4294967295") and fixed words */
	c->buf = malloc(OUT_CAP);
	bool ok = c->buf != NULL;
	if (fmt == TRACE_FMT_COUNT) {
		for (int k = TRACE_FLUSH; k < TRACE_NKINDS && ok; k++) {
			size_t n = 0;
			if (k == TRACE_FLUSH)
				n = h->nflush_ops;
			else if (k == TRACE_TLBI)
				n = h->ntlbi_ops;
			else if (k == TRACE_KMAP)
				n = h->nkmap_ops;
			else if (k == TRACE_HAZARD)
				trace_hazard_name(0, &n);
			c->count_at[k] = calloc(n + 1, sizeof(size_t));
			c->count_tab_n[k] = n;
			ok = c->count_at[k] != NULL;
		}
		if (!ok) {
			trace_conv_finish(c);
			return NULL;
		}
		return c;
	}
	c->flush_ops = escape_table(c, h->flush_ops, h->nflush_ops);
	c->causes = escape_table(c, h->causes, h->ncauses);
	c->kmap_ops = escape_table(c, h->kmap_ops, h->nkmap_ops);
	c->tlbi_ops = escape_table(c, h->tlbi_ops, h->ntlbi_ops);
	trace_hazard_name(0, &c->nhazard_ops);
	char *hnames[8];
	for (size_t i = 0; i < c->nhazard_ops && i < 8; i++)
		hnames[i] = (char *)trace_hazard_name((uint32_t)i, NULL);
	c->hazard_ops = escape_table(c, hnames, c->nhazard_ops);
	c->syms = calloc(h->syms.n + 1, sizeof(*c->syms));
	ok = ok && c->flush_ops && c->causes && c->kmap_ops && c->tlbi_ops && c->hazard_ops &&
	     c->syms;
	for (size_t i = 0; ok && i < h->syms.n; i++) {
		const char *n = h->syms.syms[i].name;
		c->syms[i] = escape(c, n, strlen(n));
		ok = c->syms[i].pre != NULL;
		if (c->syms[i].len > c->name_max)
			c->name_max = c->syms[i].len;
	}
	for (int k = TRACE_FLUSH; k < TRACE_NKINDS && ok; k++) {
		const char *n = trace_kind_name((enum trace_kind)k);
		c->kinds[k] = escape(c, n, strlen(n));
		ok = c->kinds[k].pre != NULL;
	}
	if (ok) {
		c->warn_op = escape(c, "WARN", 4);
		/* The AArch64 machine's (version 3) are TLBI, DSB and ISB
		 * instructions, ARM32's MCRs. */
		c->guest_mcr = c->h->addr_bits == 64 ? escape(c, "guest_insn", 10) : escape(c, "guest_mcr", 9);
		c->win_pkmap = escape(c, "pkmap", 5);
		c->win_fixmap = escape(c, "fixmap", 6);
		ok = c->warn_op.pre && c->guest_mcr.pre && c->win_pkmap.pre && c->win_fixmap.pre;
	}
	for (size_t i = 0; i < h->nkmap_ops; i++)
		if (h->kmap_ops[i] && strcmp(h->kmap_ops[i], "flush_all_zero_pkmaps") == 0)
			c->inner_op = (uint32_t)i;
	if (fmt == TRACE_FMT_CHROME) {
		c->held = malloc(HOLD_MAX * sizeof(*c->held));
		ok = ok && c->held;
	}
	if (!ok) {
		trace_conv_finish(c);
		return NULL;
	}
	switch (fmt) {
	case TRACE_FMT_CSV:
		for (int i = 0; i < NCOLS; i++) {
			if (i)
				putch(c, ',');
			puts_(c, col_names[i]);
		}
		putch(c, '\n');
		break;
	case TRACE_FMT_CHROME: chrome_begin(c); break;
	default: break;
	}
	return c;
}

void trace_conv_event(struct trace_conv *c, const struct trace_record *rec)
{
	struct val v[NCOLS];
	struct scratch sc;
	switch (c->fmt) {
	case TRACE_FMT_CSV:
		if (csv_fast(c, rec))
			break;
		build_row(c, rec, v, &sc);
		csv_row(c, v);
		break;
	case TRACE_FMT_JSONL:
		build_row(c, rec, v, &sc);
		jsonl_row(c, v);
		break;
	case TRACE_FMT_CHROME: chrome_event(c, rec); break;
	case TRACE_FMT_COUNT: count_event(c, rec); break;
	}
}

int trace_conv_error(const struct trace_conv *c)
{
	return c->err;
}

int trace_conv_finish(struct trace_conv *c)
{
	if (c->buf) {
		if (c->fmt == TRACE_FMT_CHROME && c->held) {
			chrome_release(c);
			put(c, "\n]}\n", 4);
		} else if (c->fmt == TRACE_FMT_COUNT) {
			count_finish(c);
		}
		out_flush(c);
	}
	int err = c->buf ? c->err : ENOMEM;
	const struct trace_header *h = c->h;
	free_table(c->flush_ops, h->nflush_ops);
	free_table(c->causes, h->ncauses);
	free_table(c->kmap_ops, h->nkmap_ops);
	free_table(c->tlbi_ops, h->ntlbi_ops);
	free_table(c->hazard_ops, c->nhazard_ops);
	free_table(c->syms, h->syms.n);
	for (int k = 0; k < TRACE_NKINDS; k++) {
		free(c->kinds[k].pre);
		free(c->count_at[k]);
	}
	free(c->warn_op.pre);
	free(c->guest_mcr.pre);
	free(c->win_pkmap.pre);
	free(c->win_fixmap.pre);
	free(c->counts);
	free(c->held);
	free(c->buf);
	free(c);
	return err;
}
