// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>

#include "json.h"

void json_init(struct json *j, FILE *out, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->pretty = pretty;
}

static void json_indent(struct json *j)
{
	int i;

	if (!j->pretty)
		return;
	fputc('\n', j->out);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/* Separator and indentation before a value or key at the current depth. */
static void json_before_item(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0 && j->depth <= JSON_MAX_DEPTH) {
		if (j->need_comma[j->depth - 1])
			fputc(',', j->out);
		j->need_comma[j->depth - 1] = true;
		json_indent(j);
	}
}

static void json_open(struct json *j, char c)
{
	json_before_item(j);
	fputc(c, j->out);
	if (j->depth >= JSON_MAX_DEPTH)
		j->overflow = true;
	else
		j->need_comma[j->depth] = false;
	j->depth++;
}

static void json_close(struct json *j, char c)
{
	bool had_items = j->depth > 0 && j->depth <= JSON_MAX_DEPTH &&
			 j->need_comma[j->depth - 1];

	if (j->depth == 0) {
		j->overflow = true;
		return;
	}
	j->depth--;
	if (had_items)
		json_indent(j);
	fputc(c, j->out);
}

void json_begin_object(struct json *j) { json_open(j, '{'); }
void json_end_object(struct json *j) { json_close(j, '}'); }
void json_begin_array(struct json *j) { json_open(j, '['); }
void json_end_array(struct json *j) { json_close(j, ']'); }

size_t json_utf8_len(const unsigned char *s, size_t left)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void json_string_len(struct json *j, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;

	json_before_item(j);
	fputc('"', j->out);
	while (i < len) {
		unsigned char c = s[i];

		switch (c) {
		case '"':  fputs("\\\"", j->out); i++; continue;
		case '\\': fputs("\\\\", j->out); i++; continue;
		case '\b': fputs("\\b", j->out); i++; continue;
		case '\f': fputs("\\f", j->out); i++; continue;
		case '\n': fputs("\\n", j->out); i++; continue;
		case '\r': fputs("\\r", j->out); i++; continue;
		case '\t': fputs("\\t", j->out); i++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(j->out, "\\u%04x", c);
			i++;
			continue;
		}
		n = json_utf8_len(s + i, len - i);
		if (!n) {
			fputs("\\ufffd", j->out);
			i++;
			continue;
		}
		fwrite(s + i, 1, n, j->out);
		i += n;
	}
	fputc('"', j->out);
}

void json_string(struct json *j, const char *s)
{
	json_string_len(j, s, strlen(s));
}

void json_key(struct json *j, const char *key)
{
	json_string(j, key);
	fputc(':', j->out);
	if (j->pretty)
		fputc(' ', j->out);
	j->after_key = true;
}

void json_u64(struct json *j, uint64_t v)
{
	json_before_item(j);
	fprintf(j->out, "%" PRIu64, v);
}

void json_number_text(struct json *j, const char *text)
{
	json_before_item(j);
	fputs(text, j->out);
}

void json_bool(struct json *j, bool v)
{
	json_before_item(j);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j)
{
	json_before_item(j);
	fputs("null", j->out);
}

bool json_finish(struct json *j)
{
	fputc('\n', j->out);
	return j->depth == 0 && !j->overflow && !j->after_key;
}
