/* SPDX-License-Identifier: MIT */
/* A tiny streaming JSON writer for the stats file: nested objects, keys in
 * the order written, numbers and strings.  Output is deterministic. */
#ifndef KMAPLAB_EMU_JSON_H
#define KMAPLAB_EMU_JSON_H

#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *f;
	int depth;
	int first; /* nothing written yet at this depth */
};

void json_begin(struct json *j, FILE *f);
void json_object(struct json *j, const char *key); /* opens {"key": { */
void json_end_object(struct json *j);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_string(struct json *j, const char *key, const char *v);
void json_null(struct json *j, const char *key);
void json_bool(struct json *j, const char *key, int v);
/* Arrays of objects: json_array opens "key": [, json_element_object
 * opens the next { (closed with json_end_object), json_end_array the ]. */
void json_array(struct json *j, const char *key);
void json_element_object(struct json *j);
void json_end_array(struct json *j);
void json_finish(struct json *j);

#endif
