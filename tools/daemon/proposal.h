/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SA proposals: strongSwan's proposal strings ("aes128-sha256-x25519",
 * "default"), choosing a proposal as the responder (RFC 7296 2.7, 3.3.6)
 * with an explanation when nothing matches, and rendering a proposal back
 * to strongSwan's syntax.  Transform numbers are those of ikev2.h.
 *
 * A proposal holds, per transform type, the transforms in preference
 * order.  It has no pointers: copy it by assignment.
 */
#ifndef ESPTUND_PROPOSAL_H
#define ESPTUND_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikev2.h"

#define PROP_NTYPES	6	/* index = enum ikev2_transform_type, 0 unused */
#define PROP_MAX_TRANS	16	/* transforms per type in one proposal */
#define PROP_ERR_LEN	512

struct prop_transform {
	uint16_t id;		/* IKEV2_ENCR_*, IKEV2_PRF_*, ... */
	uint16_t key_bits;	/* ENCR key length attribute; 0 if none */
};

struct proposal {
	uint8_t protocol;	/* IKEV2_PROTO_IKE or IKEV2_PROTO_ESP */
	uint8_t num;		/* proposal number on the wire; 0 if none */
	uint8_t n[PROP_NTYPES];	/* transforms of each type */
	struct prop_transform t[PROP_NTYPES][PROP_MAX_TRANS];
};

struct proposal_list {
	size_t n;
	struct proposal *v;
};

/*
 * Parses a comma-separated strongSwan proposal list for IKE
 * (`proposals`) or ESP (`esp_proposals`).  NULL or "" gives what
 * strongSwan uses when the key is absent.  On error returns -1 with a
 * message in err (PROP_ERR_LEN bytes) and leaves *out empty.
 */
int proposal_list_parse(const char *s, uint8_t protocol,
			struct proposal_list *out, char *err);
void proposal_list_free(struct proposal_list *l);

/* Adds a transform (for message parsers too); -1 if the type is full. */
int proposal_add(struct proposal *p, unsigned int type, uint16_t id,
		 uint16_t key_bits);
bool proposal_encr_is_aead(uint16_t encr);

enum prop_select_flags {
	/* Ignore DH: a child SA created in IKE_AUTH (RFC 7296 1.2). */
	PROP_SKIP_DH		= 1 << 0,
	/* Prefer our order, as strongSwan's prefer_configured_proposals. */
	PROP_PREFER_LOCAL	= 1 << 1,
};

/*
 * Chooses, as the responder, the first of the peer's proposals (in the
 * peer's order) acceptable to one of ours, and one transform of each type
 * (again the peer's first acceptable one).  Returns the index in peer[]
 * and fills *chosen (num taken from the peer's proposal); or -1 with
 * "no proposal chosen: ..." in why (PROP_ERR_LEN bytes), naming the
 * transform type without overlap.
 */
int proposal_select(const struct proposal_list *local,
		    const struct proposal *peer, size_t npeer,
		    unsigned int flags, struct proposal *chosen, char *why);

/* strongSwan syntax: "aes128gcm16-prfsha256-ecp256"; returns strlen. */
size_t proposal_str(const struct proposal *p, char *buf, size_t len);
/* The list, separated by ", " */
size_t proposal_list_str(const struct proposal_list *l, char *buf,
			 size_t len);

#endif /* ESPTUND_PROPOSAL_H */
