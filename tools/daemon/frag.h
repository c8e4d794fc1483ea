/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esptund: reassembly of IKE messages that arrive in fragments (RFC 7383
 * 2.6).  One struct frag_buf holds the fragments of one message; an IKE SA
 * has one for requests and one for responses.  The state machine checks
 * each fragment's message ID against its window and decrypts it (its ICV
 * authenticates it, skf_decrypt()) before it comes here: what is kept was
 * sent by the peer.  Single-threaded, like the rest of the daemon.
 */
#ifndef ESPTUND_FRAG_H
#define ESPTUND_FRAG_H

#include <stddef.h>
#include <stdint.h>

#define FRAG_MAX	64	/* fragments of one message */
#define FRAG_MAX_BYTES	65535	/* its inner payloads, reassembled */

struct frag_buf {
	uint32_t msgid;
	uint16_t total;		/* 0: nothing kept */
	uint16_t have;
	uint8_t first_next;	/* fragment 1's Next Payload */
	size_t bytes;
	uint8_t *part[FRAG_MAX];
	size_t part_len[FRAG_MAX];
};

enum frag_result {
	FRAG_MORE,	/* kept, or a duplicate: the rest is awaited */
	FRAG_DONE,	/* complete: see frag_add() */
	FRAG_STALE,	/* fewer Total Fragments than those kept: ignored */
	FRAG_INVALID,	/* refused, *why says why; what was kept stays,
			 * unless memory ran out joining the parts */
};

/*
 * Adds fragment num of total of message msgid: plain is its decrypted
 * share (len octets), next the Next Payload of its SKF payload.  A new
 * message ID, or more Total Fragments than the fragments kept (the peer
 * fragmented again, smaller: RFC 7383 2.6), discards what was kept first.
 * On FRAG_DONE, *out (malloc()ed; wipe and free it) holds the inner
 * payloads in order, *out_len octets, *first_next the type of the first
 * one, and the buffer is empty again.
 */
enum frag_result frag_add(struct frag_buf *f, uint32_t msgid, uint16_t num,
			  uint16_t total, uint8_t next, const uint8_t *plain,
			  size_t len, uint8_t **out, size_t *out_len,
			  uint8_t *first_next, const char **why);

/* Wipes and frees what is kept; the buffer can be used again. */
void frag_reset(struct frag_buf *f);

#endif /* ESPTUND_FRAG_H */
