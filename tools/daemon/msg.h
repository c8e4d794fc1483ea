/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv2 message codec (RFC 7296 section 3, RFC 7383 for SKF): the wire
 * format only.  Owns parsing a datagram into bounded views that point into
 * the caller's buffer, the typed payload decoders, the per-exchange payload
 * rules and the writer that builds messages.  It knows nothing of keys,
 * SAs or sockets: the SK payload stays opaque until the caller decrypts it
 * and hands the plaintext chain to ike_msg_parse_inner().
 *
 * Every function returns 0 on success and -1 with *err filled in; the
 * notify in err is what the peer should be told (0: drop silently).
 */
#ifndef ESPTUND_MSG_H
#define ESPTUND_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "ikev2.h"

#define IKE_MSG_MAX_PL		64	/* payloads per message */
#define IKE_SA_MAX_PROPS	16	/* proposals per SA payload */
#define IKE_PROP_MAX_XFORMS	64	/* transforms per proposal */
#define IKE_TS_MAX		16	/* selectors per TS payload */
#define IKE_NONCE_MIN		16	/* RFC 7296 3.9 */
#define IKE_NONCE_MAX		256

/* Why a message or payload was refused. */
struct ike_err {
	uint16_t notify;	/* IKEV2_N_* to answer with, 0 = none */
	uint8_t pl_type;	/* UNSUPPORTED_CRITICAL_PAYLOAD data */
	char msg[192];
};

/* A view into a buffer the caller owns; never outlives it. */
struct ike_bytes {
	const uint8_t *p;
	size_t len;
};

/* One payload: its type and body (after the 4-byte generic header). */
struct ike_pl {
	uint8_t type;
	uint8_t critical;	/* the C bit as received */
	uint8_t inner;		/* came from the decrypted SK/SKF chain */
	struct ike_bytes body;
};

struct ike_msg {
	uint8_t spi_i[8], spi_r[8];
	uint8_t next;		/* header's next payload */
	uint8_t version;	/* major << 4 | minor */
	uint8_t exchange;
	uint8_t flags;		/* IKEV2_FLAG_* */
	uint32_t msgid;
	uint32_t length;
	const uint8_t *raw;	/* the whole datagram (for AAD, retransmits) */
	int sk;			/* index of SK or SKF in pl[], -1 if none */
	uint8_t sk_next;	/* first inner payload type (SK/SKF next) */
	uint8_t decrypted;	/* ike_msg_parse_inner() has run */
	unsigned skipped;	/* unknown non-critical payloads skipped */
	unsigned n;
	struct ike_pl pl[IKE_MSG_MAX_PL];
};

/* Typed payload contents; data views point into the message. */
struct ike_xform {
	uint8_t type;		/* IKEV2_TRANS_* */
	uint16_t id;
	uint16_t keylen;	/* Key Length attribute, 0 = absent */
	uint8_t unknown_attr;	/* has an attribute we do not know */
};

struct ike_prop {
	uint8_t num, proto, spi_size, n_xf;
	uint8_t spi[8];
	struct ike_xform xf[IKE_PROP_MAX_XFORMS];
};

struct ike_sa {
	unsigned n_prop;
	struct ike_prop prop[IKE_SA_MAX_PROPS];
};

struct ike_ke	{ uint16_t group; struct ike_bytes data; };
struct ike_id	{ uint8_t type; struct ike_bytes data; };	/* IDi, IDr */
struct ike_cert	{ uint8_t encoding; struct ike_bytes data; };	/* CERT(REQ) */
struct ike_auth	{ uint8_t method; struct ike_bytes data; };
struct ike_nonce { struct ike_bytes data; };
struct ike_vendor { struct ike_bytes data; };
struct ike_cp	{ uint8_t type; struct ike_bytes attrs; };	/* opaque */

struct ike_notify {
	uint8_t proto, spi_size;
	uint16_t type;
	struct ike_bytes spi, data;
};

struct ike_delete {
	uint8_t proto, spi_size;
	uint16_t num;
	struct ike_bytes spis;	/* num * spi_size bytes */
};

struct ike_ts_sel {
	uint8_t type;		/* IKEV2_TS_IPV4/6_ADDR_RANGE */
	uint8_t ip_proto;
	uint16_t start_port, end_port;
	uint8_t start[16], end[16];	/* 4 bytes used for IPv4 */
};

struct ike_ts {
	unsigned n;
	struct ike_ts_sel sel[IKE_TS_MAX];
};

struct ike_skf {
	uint16_t num, total;
	struct ike_bytes data;	/* IV | ciphertext | ICV */
};

/* Parsing.  buf must outlive m.  Unknown non-critical payloads are
 * skipped; every known payload is fully validated by its decoder. */
int ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *m,
		  struct ike_err *err);
/* Appends the decrypted SK (or reassembled SKF) chain to m: first is
 * m->sk_next, pt the plaintext without padding and pad length. */
int ike_msg_parse_inner(struct ike_msg *m, uint8_t first, const uint8_t *pt,
			size_t len, struct ike_err *err);
/* The n-th (from 0) payload of type, or NULL. */
const struct ike_pl *ike_msg_find(const struct ike_msg *m, uint8_t type,
				  unsigned nth);
const struct ike_pl *ike_msg_find_notify(const struct ike_msg *m,
					 uint16_t type);

/* Payload rules per exchange and direction.  IKE_RULES_EAP: EAP is in
 * use, so IKE_AUTH may lack IDi, IDr and AUTH (RFC 7296 2.16). */
#define IKE_RULES_EAP	0x1
int ike_msg_check_rules(const struct ike_msg *m, unsigned opts,
			struct ike_err *err);

/* Typed decoders.  ctx (may be NULL) gives the exchange and direction
 * for the SA payload's SPI size and proposal-number rules. */
int ike_pl_sa(const struct ike_pl *pl, const struct ike_msg *ctx,
	      struct ike_sa *sa, struct ike_err *err);
int ike_pl_ke(const struct ike_pl *pl, struct ike_ke *ke, struct ike_err *err);
int ike_pl_id(const struct ike_pl *pl, struct ike_id *id, struct ike_err *err);
int ike_pl_cert(const struct ike_pl *pl, struct ike_cert *c,
		struct ike_err *err);
int ike_pl_auth(const struct ike_pl *pl, struct ike_auth *a,
		struct ike_err *err);
int ike_pl_nonce(const struct ike_pl *pl, struct ike_nonce *n,
		 struct ike_err *err);
int ike_pl_notify(const struct ike_pl *pl, struct ike_notify *n,
		  struct ike_err *err);
int ike_pl_delete(const struct ike_pl *pl, struct ike_delete *d,
		  struct ike_err *err);
int ike_pl_vendor(const struct ike_pl *pl, struct ike_vendor *v,
		  struct ike_err *err);
int ike_pl_ts(const struct ike_pl *pl, struct ike_ts *ts, struct ike_err *err);
int ike_pl_cp(const struct ike_pl *pl, struct ike_cp *cp, struct ike_err *err);
int ike_pl_skf(const struct ike_pl *pl, struct ike_skf *f,
	       struct ike_err *err);

const char *ike_pl_name(uint8_t type);
const char *ike_exchange_name(uint8_t exchange);

/*
 * Writer.  Each append chains itself into the previous payload's (or the
 * header's) next-payload field and patches its own length.  Errors stick:
 * after an overflow every call fails and ike_buf_finish() returns -1.
 * An inner buffer (ike_buf_init_inner) has no header: it builds the chain
 * to encrypt, and b->first is the type to put in the SK payload.
 */
struct ike_buf {
	uint8_t *p;
	size_t cap, len;
	size_t next_at;		/* where the next payload's type goes */
	uint8_t first;		/* inner: type of the first payload */
	uint8_t has_hdr, sealed, failed;
};

void ike_buf_init(struct ike_buf *b, uint8_t *mem, size_t cap);
void ike_buf_init_inner(struct ike_buf *b, uint8_t *mem, size_t cap);
int ike_buf_hdr(struct ike_buf *b, const struct ike_msg *h);
int ike_buf_raw(struct ike_buf *b, uint8_t type, int critical,
		const void *body, size_t len);
int ike_buf_sa(struct ike_buf *b, const struct ike_sa *sa);
int ike_buf_ke(struct ike_buf *b, const struct ike_ke *ke);
int ike_buf_id(struct ike_buf *b, uint8_t type, const struct ike_id *id);
int ike_buf_cert(struct ike_buf *b, uint8_t type, const struct ike_cert *c);
int ike_buf_auth(struct ike_buf *b, const struct ike_auth *a);
int ike_buf_nonce(struct ike_buf *b, const struct ike_nonce *n);
int ike_buf_notify(struct ike_buf *b, const struct ike_notify *n);
int ike_buf_delete(struct ike_buf *b, const struct ike_delete *d);
int ike_buf_vendor(struct ike_buf *b, const struct ike_vendor *v);
int ike_buf_ts(struct ike_buf *b, uint8_t type, const struct ike_ts *ts);
int ike_buf_cp(struct ike_buf *b, const struct ike_cp *cp);
/* SK/SKF end the message: nothing can be appended after them. */
int ike_buf_sk(struct ike_buf *b, uint8_t first, const void *data,
	       size_t len);
int ike_buf_skf(struct ike_buf *b, uint8_t first, const struct ike_skf *f);
/* Patches the header length; the message length, or -1. */
long ike_buf_finish(struct ike_buf *b);

#endif /* ESPTUND_MSG_H */
