// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the JSON writer (tools/lib/json.c).  Built and run under
 * ASan and UBSan by `make check`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/json.h"
#include "tap.h"

static void expect(const char *name, const char *got, const char *want)
{
	check(!strcmp(got, want), "%s", name);
	if (strcmp(got, want))
		printf("#   got:  %s\n#   want: %s\n", got, want);
}

/* Runs fn against a fresh writer and returns what it wrote (caller frees). */
static char *render(void (*fn)(struct json *), bool pretty, bool *ok)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	if (!f)
		abort();
	json_init(&j, f, pretty);
	fn(&j);
	*ok = json_finish(&j);
	fclose(f);
	return buf;
}

static void doc_empty_array(struct json *j)
{
	json_begin_array(j);
	json_end_array(j);
}

static void doc_nested(struct json *j)
{
	json_begin_array(j);
	json_begin_object(j);
	json_key(j, "ifname");
	json_string(j, "esp0");
	json_key(j, "mtu");
	json_u64(j, 1390);
	json_key(j, "drops");
	json_begin_object(j);
	json_key(j, "tx-no-sa");
	json_u64(j, 18446744073709551615ULL);
	json_end_object(j);
	json_key(j, "up");
	json_bool(j, false);
	json_key(j, "encap");
	json_null(j);
	json_end_object(j);
	json_begin_object(j);
	json_end_object(j);
	json_end_array(j);
}

static void doc_escapes(struct json *j)
{
	/* interface names may contain quotes and backslashes */
	json_string(j, "e\"q\\x\n\t\x01\x7f/");
}

static void doc_utf8(struct json *j)
{
	json_begin_array(j);
	json_string(j, "caf\xc3\xa9");			/* valid 2-byte */
	json_string(j, "\xe2\x82\xac\xf0\x9f\x98\x80");	/* 3- and 4-byte */
	json_string(j, "a\xff" "b");			/* invalid byte */
	json_string(j, "\xc0\xaf");			/* overlong '/' */
	json_string(j, "\xed\xa0\x80");			/* surrogate */
	json_string(j, "\xe2\x82");			/* truncated */
	json_end_array(j);
}

static void doc_embedded_nul(struct json *j)
{
	json_string_len(j, "a\0b", 3);
}

static void doc_unbalanced(struct json *j)
{
	json_begin_object(j);
	json_key(j, "k");
}

static void doc_too_deep(struct json *j)
{
	int i;

	for (i = 0; i < JSON_MAX_DEPTH + 5; i++)
		json_begin_array(j);
	for (i = 0; i < JSON_MAX_DEPTH + 5; i++)
		json_end_array(j);
}

static void doc_pretty(struct json *j)
{
	json_begin_object(j);
	json_key(j, "a");
	json_begin_array(j);
	json_u64(j, 1);
	json_u64(j, 2);
	json_end_array(j);
	json_end_object(j);
}

int main(void)
{
	bool ok;
	char *s;

	s = render(doc_empty_array, false, &ok);
	expect("empty array", s, "[]\n");
	expect("empty array is well formed", ok ? "yes" : "no", "yes");
	free(s);

	s = render(doc_nested, false, &ok);
	expect("nested objects, commas, u64 max, bool, null", s,
	       "[{\"ifname\":\"esp0\",\"mtu\":1390,\"drops\":{\"tx-no-sa\":18446744073709551615},\"up\":false,\"encap\":null},{}]\n");
	free(s);

	s = render(doc_escapes, false, &ok);
	expect("escapes quotes, backslash, controls", s,
	       "\"e\\\"q\\\\x\\n\\t\\u0001\\u007f/\"\n");
	free(s);

	s = render(doc_utf8, false, &ok);
	expect("valid UTF-8 kept, invalid replaced", s,
	       "[\"caf\xc3\xa9\",\"\xe2\x82\xac\xf0\x9f\x98\x80\",\"a\\ufffdb\",\"\\ufffd\\ufffd\",\"\\ufffd\\ufffd\\ufffd\",\"\\ufffd\\ufffd\"]\n");
	free(s);

	s = render(doc_embedded_nul, false, &ok);
	expect("embedded NUL escaped", s, "\"a\\u0000b\"\n");
	free(s);

	s = render(doc_unbalanced, false, &ok);
	expect("unbalanced document reported", ok ? "yes" : "no", "no");
	free(s);

	s = render(doc_too_deep, false, &ok);
	expect("nesting overflow reported", ok ? "yes" : "no", "no");
	free(s);

	s = render(doc_pretty, true, &ok);
	expect("pretty printing", s, "{\n  \"a\": [\n    1,\n    2\n  ]\n}\n");
	free(s);

	return tap_done();
}
