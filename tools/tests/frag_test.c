// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for daemon/frag.c: RFC 7383 2.6 reassembly rules.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/frag.h"
#include "tap.h"

static enum frag_result add(struct frag_buf *f, uint32_t id, uint16_t num,
			    uint16_t total, const char *text, uint8_t **out,
			    size_t *out_len, uint8_t *first)
{
	const char *why = NULL;
	enum frag_result r = frag_add(f, id, num, total, num == 1 ? 35 : 0,
				      (const uint8_t *)text, strlen(text), out,
				      out_len, first, &why);

	if (r == FRAG_INVALID)
		printf("#   refused: %s\n", why);
	return r;
}

static bool is(const uint8_t *out, size_t len, const char *want)
{
	return out && len == strlen(want) && !memcmp(out, want, len);
}

int main(void)
{
	struct frag_buf f;
	uint8_t *out = NULL, first = 0;
	size_t len = 0;
	static uint8_t big[FRAG_MAX_BYTES];
	const char *why = NULL;
	enum frag_result r;
	int i;

	memset(&f, 0, sizeof(f));

	/* In order, out of order, with a duplicate. */
	check(add(&f, 1, 1, 3, "aa", &out, &len, &first) == FRAG_MORE &&
	      add(&f, 1, 3, 3, "cc", &out, &len, &first) == FRAG_MORE &&
	      add(&f, 1, 3, 3, "XX", &out, &len, &first) == FRAG_MORE &&
	      add(&f, 1, 2, 3, "bb", &out, &len, &first) == FRAG_DONE,
	      "three fragments, the last one twice: done on the missing one");
	check(is(out, len, "aabbcc") && first == 35,
	      "joined in fragment order, the duplicate ignored, first payload from fragment 1");
	free(out);
	check(f.total == 0 && f.have == 0, "empty again after done");

	/* A single fragment is a whole message. */
	check(add(&f, 2, 1, 1, "x", &out, &len, &first) == FRAG_DONE &&
	      is(out, len, "x"), "one of one");
	free(out);

	/* A new message ID discards the old message's fragments. */
	add(&f, 3, 1, 2, "old", &out, &len, &first);
	check(add(&f, 4, 2, 2, "B", &out, &len, &first) == FRAG_MORE &&
	      add(&f, 4, 1, 2, "A", &out, &len, &first) == FRAG_DONE &&
	      is(out, len, "AB"), "a new message ID starts over");
	free(out);

	/* More Total Fragments: the peer fragmented again, smaller. */
	add(&f, 5, 1, 2, "big1", &out, &len, &first);
	check(add(&f, 5, 1, 3, "s1", &out, &len, &first) == FRAG_MORE &&
	      f.have == 1 && f.total == 3,
	      "more Total Fragments: what was kept is discarded");
	/* Fewer: a fragment of the older, larger set: ignored. */
	check(add(&f, 5, 2, 2, "big2", &out, &len, &first) == FRAG_STALE &&
	      f.have == 1, "fewer Total Fragments: the fragment is ignored");
	check(add(&f, 5, 2, 3, "s2", &out, &len, &first) == FRAG_MORE &&
	      add(&f, 5, 3, 3, "s3", &out, &len, &first) == FRAG_DONE &&
	      is(out, len, "s1s2s3"), "the smaller set completes");
	free(out);

	/* Invalid numbers, and too many. */
	check(add(&f, 6, 0, 2, "z", &out, &len, &first) == FRAG_INVALID &&
	      add(&f, 6, 3, 2, "z", &out, &len, &first) == FRAG_INVALID &&
	      add(&f, 6, 1, FRAG_MAX + 1, "z", &out, &len, &first) == FRAG_INVALID &&
	      f.total == 0, "fragment 0, beyond the total, or too many: refused, nothing kept");
	check(add(&f, 6, FRAG_MAX, FRAG_MAX, "z", &out, &len, &first) == FRAG_MORE,
	      "fragment %d of %d kept", FRAG_MAX, FRAG_MAX);
	frag_reset(&f);

	/* Empty shares count as received. */
	check(add(&f, 7, 1, 2, "", &out, &len, &first) == FRAG_MORE &&
	      add(&f, 7, 2, 2, "", &out, &len, &first) == FRAG_DONE && len == 0,
	      "empty fragments complete an empty message");
	free(out);

	/* The size bound holds across fragments, and a refusal keeps the rest. */
	r = frag_add(&f, 8, 1, 2, 35, big, sizeof(big), &out, &len, &first, &why);
	check(r == FRAG_MORE, "a fragment of %zu octets kept", sizeof(big));
	r = frag_add(&f, 8, 2, 2, 0, big, 1, &out, &len, &first, &why);
	check(r == FRAG_INVALID && f.have == 1 && why && strstr(why, "too long"),
	      "one octet more than %d refused: %s", FRAG_MAX_BYTES, why ? why : "");
	frag_reset(&f);

	/* Many messages, each complete: nothing leaks (ASan). */
	for (i = 0; i < 100; i++) {
		add(&f, (uint32_t)(10 + i), 2, 2, "b", &out, &len, &first);
		if (add(&f, (uint32_t)(10 + i), 1, 2, "a", &out, &len, &first) == FRAG_DONE)
			free(out);
	}
	add(&f, 200, 1, 3, "left", &out, &len, &first);
	frag_reset(&f);
	check(f.total == 0, "reset frees what was kept");
	return tap_done();
}
