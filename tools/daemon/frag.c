// SPDX-License-Identifier: GPL-2.0
/*
 * esptund: reassembly of fragmented IKE messages (frag.h, RFC 7383 2.6).
 */
#include <stdlib.h>
#include <string.h>

#include "frag.h"

void frag_reset(struct frag_buf *f)
{
	unsigned i;

	for (i = 0; i < FRAG_MAX; i++) {
		if (f->part[i]) {
			explicit_bzero(f->part[i], f->part_len[i]);
			free(f->part[i]);
		}
	}
	memset(f, 0, sizeof(*f));
}

enum frag_result frag_add(struct frag_buf *f, uint32_t msgid, uint16_t num,
			  uint16_t total, uint8_t next, const uint8_t *plain,
			  size_t len, uint8_t **out, size_t *out_len,
			  uint8_t *first_next, const char **why)
{
	uint8_t *p;
	size_t off;
	unsigned i;

	*out = NULL;
	*out_len = 0;
	if (!num || num > total) {
		*why = "fragment number 0, or beyond Total Fragments";
		return FRAG_INVALID;
	}
	if (total > FRAG_MAX) {
		*why = "more fragments than esptund reassembles (64)";
		return FRAG_INVALID;
	}
	if (f->total && f->msgid == msgid && total < f->total)
		return FRAG_STALE;
	if (f->total && (f->msgid != msgid || total > f->total))
		frag_reset(f);
	if (!f->total) {
		f->msgid = msgid;
		f->total = total;
	}
	if (f->part[num - 1])
		return FRAG_MORE;	/* a duplicate: the first one counts */
	if (f->bytes + len > FRAG_MAX_BYTES) {
		*why = "reassembled message too long (more than 65535 octets)";
		return FRAG_INVALID;
	}
	/* An empty share still marks its fragment as received. */
	p = malloc(len ? len : 1);
	if (!p) {
		*why = "out of memory";
		return FRAG_INVALID;
	}
	if (len)
		memcpy(p, plain, len);
	f->part[num - 1] = p;
	f->part_len[num - 1] = len;
	f->bytes += len;
	f->have++;
	if (num == 1)
		f->first_next = next;
	if (f->have < f->total)
		return FRAG_MORE;

	p = malloc(f->bytes ? f->bytes : 1);
	if (!p) {
		*why = "out of memory";
		frag_reset(f);
		return FRAG_INVALID;
	}
	for (i = 0, off = 0; i < f->total; i++) {
		memcpy(p + off, f->part[i], f->part_len[i]);
		off += f->part_len[i];
	}
	*out = p;
	*out_len = off;
	*first_next = f->first_next;
	frag_reset(f);
	return FRAG_DONE;
}
