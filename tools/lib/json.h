/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal streaming JSON writer for the esptun tools' -j output.
 *
 * Commas and nesting are tracked by the writer, strings are escaped per
 * RFC 8259 and invalid UTF-8 (interface names are bytes) is replaced by
 * U+FFFD, so the output always parses.
 */
#ifndef ESPTUN_JSON_H
#define ESPTUN_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *out;
	int depth;
	bool pretty;
	bool overflow;		/* nesting deeper than JSON_MAX_DEPTH */
	bool need_comma[JSON_MAX_DEPTH];
	bool after_key;
};

void json_init(struct json *j, FILE *out, bool pretty);
void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
void json_string_len(struct json *j, const char *s, size_t len);
void json_u64(struct json *j, uint64_t v);
/* text must be a JSON number (as jsonp.c read it); written as is. */
void json_number_text(struct json *j, const char *text);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/*
 * Length of the valid UTF-8 sequence at s (1 to 4 bytes, at most left),
 * or 0 if it is invalid: overlong, a surrogate, beyond U+10FFFF or cut.
 * The writer replaces invalid bytes; the reader (jsonp.c) refuses them.
 */
size_t json_utf8_len(const unsigned char *s, size_t left);
/* Ends the document with a newline; false if it was not well formed. */
bool json_finish(struct json *j);

#endif /* ESPTUN_JSON_H */
