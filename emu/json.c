/* SPDX-License-Identifier: MIT */
#include "json.h"

static void indent(struct json *j)
{
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

static void key(struct json *j, const char *k)
{
	fputs(j->first ? "\n" : ",\n", j->f);
	j->first = 0;
	indent(j);
	fprintf(j->f, "\"%s\": ", k);
}

static void escaped(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void json_begin(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 1;
	j->first = 1;
	fputc('{', f);
}

void json_object(struct json *j, const char *k)
{
	key(j, k);
	fputc('{', j->f);
	j->depth++;
	j->first = 1;
}

void json_end_object(struct json *j)
{
	j->depth--;
	if (!j->first) {
		fputc('\n', j->f);
		indent(j);
	}
	fputc('}', j->f);
	j->first = 0;
}

void json_u64(struct json *j, const char *k, uint64_t v)
{
	key(j, k);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void json_i64(struct json *j, const char *k, int64_t v)
{
	key(j, k);
	fprintf(j->f, "%lld", (long long)v);
}

void json_string(struct json *j, const char *k, const char *v)
{
	key(j, k);
	escaped(j->f, v);
}

void json_null(struct json *j, const char *k)
{
	key(j, k);
	fputs("null", j->f);
}

void json_bool(struct json *j, const char *k, int v)
{
	key(j, k);
	fputs(v ? "true" : "false", j->f);
}

void json_finish(struct json *j)
{
	j->depth = 0;
	fputs("\n}\n", j->f);
}

void json_array(struct json *j, const char *k)
{
	key(j, k);
	fputc('[', j->f);
	j->depth++;
	j->first = 1;
}

void json_element_object(struct json *j)
{
	fputs(j->first ? "\n" : ",\n", j->f);
	j->first = 0;
	indent(j);
	fputc('{', j->f);
	j->depth++;
	j->first = 1;
}

void json_end_array(struct json *j)
{
	j->depth--;
	if (!j->first) {
		fputc('\n', j->f);
		indent(j);
	}
	fputc(']', j->f);
	j->first = 0;
}
