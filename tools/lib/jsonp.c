// SPDX-License-Identifier: GPL-2.0
/*
 * Strict JSON reader: recursive descent over a length-bounded buffer into
 * a tree of struct jv.  See jsonp.h for what is refused.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jsonp.h"

struct jp {
	const unsigned char *p;
	size_t len, off;
	char *err;
	size_t errlen;
	bool failed;
};

static int fail(struct jp *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct jp *j, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (j->failed)
		return -1;
	j->failed = true;
	if (!j->errlen)
		return -1;
	n = snprintf(j->err, j->errlen, "offset %zu: ", j->off);
	if (n >= 0 && (size_t)n < j->errlen) {
		va_start(ap, fmt);
		vsnprintf(j->err + n, j->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void skip_ws(struct jp *j)
{
	while (j->off < j->len && (j->p[j->off] == ' ' ||
	       j->p[j->off] == '\t' || j->p[j->off] == '\n' ||
	       j->p[j->off] == '\r'))
		j->off++;
}

static int peek(const struct jp *j)
{
	return j->off < j->len ? j->p[j->off] : -1;
}

static bool digit(const struct jp *j)
{
	return peek(j) >= '0' && peek(j) <= '9';
}

static int literal(struct jp *j, const char *word)
{
	size_t n = strlen(word);

	if (j->len - j->off < n || memcmp(j->p + j->off, word, n))
		return fail(j, "unexpected character (not JSON)");
	j->off += n;
	return 0;
}

/* Four hex digits at j->off, which the caller checked are in bounds. */
static int hex4(struct jp *j, size_t end, uint32_t *out)
{
	uint32_t v = 0;
	int i, c;

	if (end - j->off < 4)
		return fail(j, "truncated \\u escape");
	for (i = 0; i < 4; i++) {
		c = j->p[j->off++];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return fail(j, "bad \\u escape");
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* One escape after the backslash, appended to s at *n. */
static int parse_escape(struct jp *j, size_t end, char *s, size_t *n)
{
	uint32_t cp, lo;
	unsigned char c = j->p[j->off++];

	switch (c) {
	case '"': case '\\': case '/':
		s[(*n)++] = (char)c;
		return 0;
	case 'b': s[(*n)++] = '\b'; return 0;
	case 'f': s[(*n)++] = '\f'; return 0;
	case 'n': s[(*n)++] = '\n'; return 0;
	case 'r': s[(*n)++] = '\r'; return 0;
	case 't': s[(*n)++] = '\t'; return 0;
	case 'u':
		break;
	default:
		j->off--;
		return fail(j, "bad escape in a string");
	}
	if (hex4(j, end, &cp))
		return -1;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (end - j->off < 6 || j->p[j->off] != '\\' ||
		    j->p[j->off + 1] != 'u')
			return fail(j, "lone surrogate in a string");
		j->off += 2;
		if (hex4(j, end, &lo))
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail(j, "lone surrogate in a string");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xdc00 && cp <= 0xdfff) {
		return fail(j, "lone surrogate in a string");
	} else if (cp == 0) {
		return fail(j, "\\u0000 in a string");
	}
	*n += put_utf8(s + *n, cp);
	return 0;
}

/* A string at j->off (on the quote); *out is malloc'd and decoded. */
static int parse_string(struct jp *j, char **out, size_t *outlen)
{
	size_t start = ++j->off, end, n = 0, k;
	char *s;

	for (end = start; end < j->len && j->p[end] != '"'; end++)
		if (j->p[end] == '\\')
			end++;
	if (end >= j->len)
		return fail(j, "unterminated string");
	/* The decoded string is never longer than the encoded one. */
	s = malloc(end - start + 1);
	if (!s)
		return fail(j, "out of memory");
	while (j->off < end) {
		unsigned char c = j->p[j->off];

		if (c < 0x20) {
			free(s);
			return fail(j, "control character in a string");
		}
		if (c == '\\') {
			j->off++;
			if (parse_escape(j, end, s, &n)) {
				free(s);
				return -1;
			}
			continue;
		}
		k = json_utf8_len(j->p + j->off, end - j->off);
		if (!k) {
			free(s);
			return fail(j, "invalid UTF-8 in a string");
		}
		memcpy(s + n, j->p + j->off, k);
		n += k;
		j->off += k;
	}
	s[n] = '\0';
	j->off = end + 1;
	*out = s;
	*outlen = n;
	return 0;
}

static int parse_number(struct jp *j, struct jv *v)
{
	size_t start = j->off;
	bool integer = true, over = false;
	uint64_t u = 0;

	if (peek(j) == '-') {
		j->off++;
		integer = false;
	}
	if (peek(j) == '0') {
		j->off++;
	} else if (peek(j) >= '1' && peek(j) <= '9') {
		while (digit(j)) {
			unsigned int d = (unsigned int)(j->p[j->off++] - '0');

			if (u > (UINT64_MAX - d) / 10)
				over = true;
			u = u * 10 + d;
		}
	} else {
		return fail(j, "bad number");
	}
	if (peek(j) == '.') {
		integer = false;
		j->off++;
		if (!digit(j))
			return fail(j, "bad number");
		while (digit(j))
			j->off++;
	}
	if (peek(j) == 'e' || peek(j) == 'E') {
		integer = false;
		j->off++;
		if (peek(j) == '+' || peek(j) == '-')
			j->off++;
		if (!digit(j))
			return fail(j, "bad number");
		while (digit(j))
			j->off++;
	}
	v->type = JV_NUM;
	v->len = j->off - start;
	v->s = malloc(v->len + 1);
	if (!v->s)
		return fail(j, "out of memory");
	memcpy(v->s, j->p + start, v->len);
	v->s[v->len] = '\0';
	v->is_u64 = integer && !over;
	v->u = v->is_u64 ? u : 0;
	return 0;
}

static int parse_value(struct jp *j, struct jv *v, int depth);

static int grow(struct jp *j, struct jv *v, size_t *cap, bool keys)
{
	size_t ncap = *cap ? *cap * 2 : 4;
	struct jv *nv;
	char **nk;

	if (v->n < *cap)
		return 0;
	if (keys) {
		nk = realloc(v->keys, ncap * sizeof(*nk));
		if (!nk)
			return fail(j, "out of memory");
		v->keys = nk;
	}
	nv = realloc(v->v, ncap * sizeof(*nv));
	if (!nv)
		return fail(j, "out of memory");
	v->v = nv;
	*cap = ncap;
	return 0;
}

static int parse_key(struct jp *j, struct jv *v)
{
	size_t i, klen;
	char *key;

	skip_ws(j);
	if (peek(j) != '"')
		return fail(j, "expected a key (a string)");
	if (parse_string(j, &key, &klen))
		return -1;
	for (i = 0; i < v->n; i++) {
		if (!strcmp(v->keys[i], key)) {
			free(key);
			return fail(j, "duplicate key \"%.40s\"", v->keys[i]);
		}
	}
	skip_ws(j);
	if (peek(j) != ':') {
		free(key);
		return fail(j, "expected ':'");
	}
	j->off++;
	v->keys[v->n] = key;
	return 0;
}

static int parse_container(struct jp *j, struct jv *v, int depth)
{
	bool obj = peek(j) == '{';
	char close = obj ? '}' : ']';
	size_t cap = 0;

	if (depth >= JSONP_MAX_DEPTH)
		return fail(j, "nested deeper than %d", JSONP_MAX_DEPTH);
	v->type = obj ? JV_OBJ : JV_ARR;
	j->off++;
	skip_ws(j);
	if (peek(j) == close) {
		j->off++;
		return 0;
	}
	for (;;) {
		if (grow(j, v, &cap, obj))
			return -1;
		if (obj && parse_key(j, v))
			return -1;
		memset(&v->v[v->n], 0, sizeof(v->v[0]));
		v->n++;
		if (parse_value(j, &v->v[v->n - 1], depth + 1))
			return -1;
		skip_ws(j);
		if (peek(j) == ',') {
			j->off++;
			continue;
		}
		if (peek(j) == close) {
			j->off++;
			return 0;
		}
		return fail(j, "expected ',' or '%c'", close);
	}
}

static int parse_value(struct jp *j, struct jv *v, int depth)
{
	skip_ws(j);
	switch (peek(j)) {
	case '{':
	case '[':
		return parse_container(j, v, depth);
	case '"':
		v->type = JV_STR;
		return parse_string(j, &v->s, &v->len);
	case 't':
		v->type = JV_BOOL;
		v->b = true;
		return literal(j, "true");
	case 'f':
		v->type = JV_BOOL;
		return literal(j, "false");
	case 'n':
		v->type = JV_NULL;
		return literal(j, "null");
	case -1:
		return fail(j, "unexpected end of input");
	default:
		if (peek(j) == '-' || digit(j))
			return parse_number(j, v);
		return fail(j, "unexpected character (not JSON)");
	}
}

int jv_parse(const char *text, size_t len, struct jv *out, char *err,
	     size_t errlen)
{
	struct jp j = { .p = (const unsigned char *)text, .len = len,
			.err = err, .errlen = errlen };

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = '\0';
	if (parse_value(&j, out, 0) == 0) {
		skip_ws(&j);
		if (j.off == j.len)
			return 0;
		fail(&j, "trailing characters after the JSON value");
	}
	jv_free(out);
	return -1;
}

void jv_free(struct jv *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		jv_free(&v->v[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->v);
	free(v->keys);
	free(v->s);
	memset(v, 0, sizeof(*v));
}

const struct jv *jv_get(const struct jv *obj, const char *key)
{
	size_t i;

	if (!obj || obj->type != JV_OBJ)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->v[i];
	return NULL;
}

const char *jv_str(const struct jv *obj, const char *key)
{
	const struct jv *v = jv_get(obj, key);

	return v && v->type == JV_STR ? v->s : NULL;
}

uint64_t jv_u64(const struct jv *obj, const char *key, uint64_t def)
{
	const struct jv *v = jv_get(obj, key);

	return v && v->type == JV_NUM && v->is_u64 ? v->u : def;
}
