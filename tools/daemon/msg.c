// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv2 message codec: header and payload-chain parsing, the typed payload
 * decoders, the per-exchange payload rules and the message writer.  Wire
 * formats are RFC 7296 section 3 and RFC 7383 (SKF).  Every length read
 * from the wire is checked against what remains before it is used; parsed
 * data stays in the caller's buffer and is reached through views.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "msg.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int __attribute__((format(printf, 3, 4)))
fail(struct ike_err *err, uint16_t notify, const char *fmt, ...)
{
	va_list ap;

	err->notify = notify;
	err->pl_type = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

#define SYNTAX(err, ...) fail(err, IKEV2_N_INVALID_SYNTAX, __VA_ARGS__)

const char *ike_pl_name(uint8_t type)
{
	static const char *const names[] = {
		[IKEV2_PL_SA] = "SA", [IKEV2_PL_KE] = "KE",
		[IKEV2_PL_IDI] = "IDi", [IKEV2_PL_IDR] = "IDr",
		[IKEV2_PL_CERT] = "CERT", [IKEV2_PL_CERTREQ] = "CERTREQ",
		[IKEV2_PL_AUTH] = "AUTH", [IKEV2_PL_NONCE] = "Nonce",
		[IKEV2_PL_NOTIFY] = "Notify", [IKEV2_PL_DELETE] = "Delete",
		[IKEV2_PL_VENDOR] = "Vendor ID", [IKEV2_PL_TSI] = "TSi",
		[IKEV2_PL_TSR] = "TSr", [IKEV2_PL_SK] = "SK",
		[IKEV2_PL_CP] = "CP", [IKEV2_PL_EAP] = "EAP",
		[IKEV2_PL_SKF] = "SKF",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}

const char *ike_exchange_name(uint8_t exchange)
{
	switch (exchange) {
	case IKEV2_EXCH_IKE_SA_INIT:		return "IKE_SA_INIT";
	case IKEV2_EXCH_IKE_AUTH:		return "IKE_AUTH";
	case IKEV2_EXCH_CREATE_CHILD_SA:	return "CREATE_CHILD_SA";
	case IKEV2_EXCH_INFORMATIONAL:		return "INFORMATIONAL";
	}
	return "unknown exchange";
}

/* Bytes of a known payload's body before its variable part; -1: unknown. */
static int fixed_len(uint8_t type)
{
	switch (type) {
	case IKEV2_PL_SA: case IKEV2_PL_VENDOR: case IKEV2_PL_SK:
	case IKEV2_PL_NONCE:	/* its decoder says why */
		return 0;
	case IKEV2_PL_CERT: case IKEV2_PL_CERTREQ:
		return 1;
	case IKEV2_PL_KE: case IKEV2_PL_IDI: case IKEV2_PL_IDR:
	case IKEV2_PL_AUTH: case IKEV2_PL_NOTIFY: case IKEV2_PL_DELETE:
	case IKEV2_PL_TSI: case IKEV2_PL_TSR: case IKEV2_PL_CP:
	case IKEV2_PL_EAP: case IKEV2_PL_SKF:
		return 4;
	}
	return -1;
}

/* ---- typed decoders ---- */

static int parse_attrs(const uint8_t *p, size_t len, unsigned pn, unsigned tn,
		       struct ike_xform *x, struct ike_err *err)
{
	size_t off = 0;

	while (off < len) {
		uint16_t at, alen = 0;

		if (len - off < 4)
			return SYNTAX(err, "SA payload: proposal %u transform %u: "
				      "truncated attribute", pn, tn);
		at = get16(p + off);
		if (!(at & IKEV2_ATTR_TV)) {
			alen = get16(p + off + 2);
			if (alen > len - off - 4)
				return SYNTAX(err, "SA payload: proposal %u "
					      "transform %u: attribute length %u "
					      "runs past the transform", pn, tn,
					      alen);
		}
		if ((at & 0x7fff) == IKEV2_ATTR_KEY_LENGTH) {
			if (!(at & IKEV2_ATTR_TV))
				return SYNTAX(err, "SA payload: proposal %u "
					      "transform %u: Key Length attribute "
					      "must be TV (RFC 7296 3.3.5)",
					      pn, tn);
			if (x->keylen)
				return SYNTAX(err, "SA payload: proposal %u "
					      "transform %u: two Key Length "
					      "attributes", pn, tn);
			x->keylen = get16(p + off + 2);
			if (!x->keylen)
				return SYNTAX(err, "SA payload: proposal %u "
					      "transform %u: Key Length 0",
					      pn, tn);
		} else {
			x->unknown_attr = 1;
		}
		off += 4 + alen;
	}
	return 0;
}

static int parse_prop(const uint8_t *p, size_t len, unsigned idx,
		      struct ike_prop *pr, struct ike_err *err)
{
	size_t off;
	unsigned t;

	if (len < 4)
		return SYNTAX(err, "SA payload: proposal %u shorter than its "
			      "4-byte fixed part", idx);
	pr->num = p[0];
	pr->proto = p[1];
	pr->spi_size = p[2];
	pr->n_xf = p[3];
	if (pr->proto != IKEV2_PROTO_IKE && pr->proto != IKEV2_PROTO_AH &&
	    pr->proto != IKEV2_PROTO_ESP)
		return SYNTAX(err, "SA payload: proposal %u has protocol ID "
			      "%u, not IKE, AH or ESP", idx, pr->proto);
	if (pr->proto == IKEV2_PROTO_IKE ? pr->spi_size != 0 &&
	    pr->spi_size != 8 : pr->spi_size != 4)
		return SYNTAX(err, "SA payload: proposal %u (%s) has SPI size "
			      "%u", idx, pr->proto == IKEV2_PROTO_IKE ? "IKE" :
			      pr->proto == IKEV2_PROTO_AH ? "AH" : "ESP",
			      pr->spi_size);
	if (pr->spi_size > len - 4)
		return SYNTAX(err, "SA payload: proposal %u SPI runs past the "
			      "proposal", idx);
	memset(pr->spi, 0, sizeof(pr->spi));
	memcpy(pr->spi, p + 4, pr->spi_size);
	if (!pr->n_xf)
		return SYNTAX(err, "SA payload: proposal %u has no transforms",
			      idx);
	if (pr->n_xf > IKE_PROP_MAX_XFORMS)
		return SYNTAX(err, "SA payload: proposal %u has %u transforms, "
			      "at most %d handled", idx, pr->n_xf,
			      IKE_PROP_MAX_XFORMS);
	off = 4 + pr->spi_size;
	for (t = 0; off < len; t++) {
		struct ike_xform *x = &pr->xf[t];
		uint16_t tlen;

		if (t == pr->n_xf)
			return SYNTAX(err, "SA payload: proposal %u says %u "
				      "transforms but holds more", idx,
				      pr->n_xf);
		if (len - off < 8)
			return SYNTAX(err, "SA payload: proposal %u transform %u "
				      "truncated", idx, t + 1);
		tlen = get16(p + off + 2);
		if (tlen < 8 || tlen > len - off)
			return SYNTAX(err, "SA payload: proposal %u transform %u "
				      "length %u, %zu bytes remain", idx, t + 1,
				      tlen, len - off);
		if (p[off] != (t + 1 == pr->n_xf ? 0 : 3))
			return SYNTAX(err, "SA payload: proposal %u transform %u "
				      "has Last Substruc %u, transform count %u",
				      idx, t + 1, p[off], pr->n_xf);
		memset(x, 0, sizeof(*x));
		x->type = p[off + 4];
		x->id = get16(p + off + 6);
		if (parse_attrs(p + off + 8, tlen - 8u, idx, t + 1, x, err))
			return -1;
		off += tlen;
	}
	if (t != pr->n_xf)
		return SYNTAX(err, "SA payload: proposal %u says %u transforms "
			      "but holds %u", idx, pr->n_xf, t);
	return 0;
}

int ike_pl_sa(const struct ike_pl *pl, const struct ike_msg *ctx,
	      struct ike_sa *sa, struct ike_err *err)
{
	const uint8_t *p = pl->body.p;
	size_t len = pl->body.len, off = 0;
	int resp = ctx && (ctx->flags & IKEV2_FLAG_RESPONSE);
	unsigned i;

	sa->n_prop = 0;
	if (!len)
		return SYNTAX(err, "SA payload has no proposals");
	while (off < len) {
		struct ike_prop *pr = &sa->prop[sa->n_prop];
		uint16_t plen;

		if (sa->n_prop == IKE_SA_MAX_PROPS)
			return SYNTAX(err, "SA payload: more than %d proposals",
				      IKE_SA_MAX_PROPS);
		if (len - off < 8)
			return SYNTAX(err, "SA payload: proposal %u truncated "
				      "(%zu bytes)", sa->n_prop + 1, len - off);
		plen = get16(p + off + 2);
		if (plen < 8 || plen > len - off)
			return SYNTAX(err, "SA payload: proposal %u length %u, "
				      "%zu bytes remain", sa->n_prop + 1, plen,
				      len - off);
		if (p[off] != (plen == len - off ? 0 : 2))
			return SYNTAX(err, "SA payload: proposal %u has Last "
				      "Substruc %u", sa->n_prop + 1, p[off]);
		if (parse_prop(p + off + 4, plen - 4u, sa->n_prop + 1, pr, err))
			return -1;
		sa->n_prop++;
		off += plen;
	}
	for (i = 0; i < sa->n_prop; i++) {
		const struct ike_prop *pr = &sa->prop[i];

		/* RFC 7296 3.3.1: offers count from 1; an answer is one. */
		if (!resp && pr->num != i + 1)
			return SYNTAX(err, "SA payload: proposal %u numbered %u",
				      i + 1, pr->num);
		if (resp && (sa->n_prop != 1 || !pr->num))
			return SYNTAX(err, "SA payload in a response: %u "
				      "proposals numbered from %u, must be one",
				      sa->n_prop, sa->prop[0].num);
		if (!ctx)
			continue;
		if (ctx->exchange == IKEV2_EXCH_IKE_SA_INIT &&
		    (pr->proto != IKEV2_PROTO_IKE || pr->spi_size))
			return SYNTAX(err, "SA payload in IKE_SA_INIT: proposal "
				      "%u must be IKE with SPI size 0", i + 1);
		if (ctx->exchange == IKEV2_EXCH_IKE_AUTH &&
		    pr->proto == IKEV2_PROTO_IKE)
			return SYNTAX(err, "SA payload in IKE_AUTH: proposal %u "
				      "is for IKE", i + 1);
		if (ctx->exchange == IKEV2_EXCH_CREATE_CHILD_SA &&
		    pr->proto == IKEV2_PROTO_IKE && pr->spi_size != 8)
			return SYNTAX(err, "SA payload in CREATE_CHILD_SA: IKE "
				      "proposal %u has SPI size %u, not 8",
				      i + 1, pr->spi_size);
	}
	return 0;
}

static int need_data(const struct ike_pl *pl, size_t min, struct ike_err *err)
{
	if (pl->body.len < min)
		return SYNTAX(err, "%s payload of %zu bytes, at least %zu needed",
			      ike_pl_name(pl->type), pl->body.len, min);
	return 0;
}

static struct ike_bytes tail(const struct ike_pl *pl, size_t off)
{
	struct ike_bytes b = { pl->body.p + off, pl->body.len - off };

	return b;
}

int ike_pl_ke(const struct ike_pl *pl, struct ike_ke *ke, struct ike_err *err)
{
	if (need_data(pl, 5, err))
		return -1;
	ke->group = get16(pl->body.p);
	ke->data = tail(pl, 4);
	return 0;
}

int ike_pl_id(const struct ike_pl *pl, struct ike_id *id, struct ike_err *err)
{
	if (need_data(pl, 5, err))
		return -1;
	id->type = pl->body.p[0];
	id->data = tail(pl, 4);
	if ((id->type == IKEV2_ID_IPV4_ADDR && id->data.len != 4) ||
	    (id->type == IKEV2_ID_IPV6_ADDR && id->data.len != 16))
		return SYNTAX(err, "%s payload: IPv%c address of %zu bytes",
			      ike_pl_name(pl->type),
			      id->type == IKEV2_ID_IPV4_ADDR ? '4' : '6',
			      id->data.len);
	return 0;
}

int ike_pl_cert(const struct ike_pl *pl, struct ike_cert *c,
		struct ike_err *err)
{
	if (need_data(pl, pl->type == IKEV2_PL_CERT ? 2 : 1, err))
		return -1;
	c->encoding = pl->body.p[0];
	c->data = tail(pl, 1);
	/* RFC 7296 3.7: concatenated SHA-1 hashes of CA public keys. */
	if (pl->type == IKEV2_PL_CERTREQ &&
	    c->encoding == IKEV2_CERT_X509_SIGNATURE && c->data.len % 20)
		return SYNTAX(err, "CERTREQ payload: %zu bytes of CA hashes, "
			      "not a multiple of 20", c->data.len);
	return 0;
}

int ike_pl_auth(const struct ike_pl *pl, struct ike_auth *a,
		struct ike_err *err)
{
	if (need_data(pl, 5, err))
		return -1;
	a->method = pl->body.p[0];
	a->data = tail(pl, 4);
	return 0;
}

int ike_pl_nonce(const struct ike_pl *pl, struct ike_nonce *n,
		 struct ike_err *err)
{
	if (pl->body.len < IKE_NONCE_MIN || pl->body.len > IKE_NONCE_MAX)
		return SYNTAX(err, "Nonce payload of %zu bytes; RFC 7296 3.9 "
			      "requires %d to %d", pl->body.len, IKE_NONCE_MIN,
			      IKE_NONCE_MAX);
	n->data = pl->body;
	return 0;
}

/* Notify data sizes fixed by their RFCs (as strongSwan checks them). */
static int notify_len_ok(uint16_t type, size_t len)
{
	switch (type) {
	case IKEV2_N_INVALID_KE_PAYLOAD:
		return len == 2;
	case IKEV2_N_NAT_DETECTION_SOURCE_IP:
	case IKEV2_N_NAT_DETECTION_DESTINATION_IP:
		return len == 20;		/* SHA-1 */
	case IKEV2_N_COOKIE:
		return len >= 1 && len <= 64;
	case IKEV2_N_ADDITIONAL_IP4_ADDRESS:
		return len == 4;
	case IKEV2_N_ADDITIONAL_IP6_ADDRESS:
		return len == 16;
	case IKEV2_N_SIGNATURE_HASH_ALGORITHMS:
		return len % 2 == 0;
	case IKEV2_N_IPCOMP_SUPPORTED:
		return len == 3;
	case IKEV2_N_SET_WINDOW_SIZE:
		return len == 4;
	}
	return 1;
}

int ike_pl_notify(const struct ike_pl *pl, struct ike_notify *n,
		  struct ike_err *err)
{
	const uint8_t *p = pl->body.p;

	if (need_data(pl, 4, err))
		return -1;
	n->proto = p[0];
	n->spi_size = p[1];
	n->type = get16(p + 2);
	if (n->proto > IKEV2_PROTO_ESP)
		return SYNTAX(err, "Notify payload (type %u): protocol ID %u",
			      n->type, n->proto);
	if (n->spi_size != 0 && n->spi_size != 4 && n->spi_size != 8)
		return SYNTAX(err, "Notify payload (type %u): SPI size %u",
			      n->type, n->spi_size);
	if (n->spi_size > pl->body.len - 4)
		return SYNTAX(err, "Notify payload (type %u): SPI of %u bytes "
			      "runs past the payload", n->type, n->spi_size);
	n->spi.p = p + 4;
	n->spi.len = n->spi_size;
	n->data = tail(pl, 4u + n->spi_size);
	if (!notify_len_ok(n->type, n->data.len))
		return SYNTAX(err, "Notify payload (type %u): %zu bytes of "
			      "data", n->type, n->data.len);
	return 0;
}

int ike_pl_delete(const struct ike_pl *pl, struct ike_delete *d,
		  struct ike_err *err)
{
	const uint8_t *p = pl->body.p;

	if (need_data(pl, 4, err))
		return -1;
	d->proto = p[0];
	d->spi_size = p[1];
	d->num = get16(p + 2);
	d->spis = tail(pl, 4);
	if (d->proto == IKEV2_PROTO_IKE) {
		if (d->spi_size || d->num || d->spis.len)
			return SYNTAX(err, "Delete payload for IKE: SPI size %u, "
				      "%u SPIs; RFC 7296 3.11 requires none",
				      d->spi_size, d->num);
	} else if (d->proto == IKEV2_PROTO_AH || d->proto == IKEV2_PROTO_ESP) {
		if (d->spi_size != 4 || !d->num ||
		    d->spis.len != (size_t)d->num * 4)
			return SYNTAX(err, "Delete payload: SPI size %u, %u SPIs "
				      "in %zu bytes", d->spi_size, d->num,
				      d->spis.len);
	} else {
		return SYNTAX(err, "Delete payload: protocol ID %u", d->proto);
	}
	return 0;
}

int ike_pl_vendor(const struct ike_pl *pl, struct ike_vendor *v,
		  struct ike_err *err)
{
	(void)err;
	v->data = pl->body;
	return 0;
}

static int ts_sel(const uint8_t *p, size_t len, const char *name, unsigned i,
		  struct ike_ts_sel *s, struct ike_err *err)
{
	size_t alen;
	uint16_t slen;

	if (len < 8)
		return SYNTAX(err, "%s payload: selector %u truncated", name, i);
	s->type = p[0];
	s->ip_proto = p[1];
	slen = get16(p + 2);
	if (s->type == IKEV2_TS_IPV4_ADDR_RANGE)
		alen = 4;
	else if (s->type == IKEV2_TS_IPV6_ADDR_RANGE)
		alen = 16;
	else
		return fail(err, IKEV2_N_TS_UNACCEPTABLE, "%s payload: selector "
			    "%u has TS type %u", name, i, s->type);
	if (slen != 8 + 2 * alen)
		return SYNTAX(err, "%s payload: selector %u (IPv%c) has length "
			      "%u; RFC 7296 3.13.1 requires %zu", name, i,
			      alen == 4 ? '4' : '6', slen, 8 + 2 * alen);
	if (slen > len)
		return SYNTAX(err, "%s payload: selector %u runs past the "
			      "payload", name, i);
	s->start_port = get16(p + 4);
	s->end_port = get16(p + 6);
	memset(s->start, 0, sizeof(s->start));
	memset(s->end, 0, sizeof(s->end));
	memcpy(s->start, p + 8, alen);
	memcpy(s->end, p + 8 + alen, alen);
	/* 65535..0 is OPAQUE (RFC 7296 3.13.1). */
	if (s->start_port > s->end_port &&
	    !(s->start_port == 65535 && s->end_port == 0))
		return SYNTAX(err, "%s payload: selector %u ports %u..%u",
			      name, i, s->start_port, s->end_port);
	if (memcmp(s->start, s->end, alen) > 0)
		return SYNTAX(err, "%s payload: selector %u start address "
			      "above end address", name, i);
	return 0;
}

int ike_pl_ts(const struct ike_pl *pl, struct ike_ts *ts, struct ike_err *err)
{
	const char *name = ike_pl_name(pl->type);
	const uint8_t *p = pl->body.p;
	size_t off = 4;
	unsigned cnt, i;

	if (need_data(pl, 4, err))
		return -1;
	cnt = p[0];
	if (!cnt)
		return SYNTAX(err, "%s payload with no selectors", name);
	if (cnt > IKE_TS_MAX)
		return SYNTAX(err, "%s payload: %u selectors, at most %d "
			      "handled", name, cnt, IKE_TS_MAX);
	for (i = 0; i < cnt; i++) {
		if (ts_sel(p + off, pl->body.len - off, name, i + 1,
			   &ts->sel[i], err))
			return -1;
		off += get16(p + off + 2);
	}
	ts->n = cnt;
	if (off != pl->body.len)
		return SYNTAX(err, "%s payload: %zu bytes after %u selectors",
			      name, pl->body.len - off, cnt);
	return 0;
}

int ike_pl_cp(const struct ike_pl *pl, struct ike_cp *cp, struct ike_err *err)
{
	if (need_data(pl, 4, err))
		return -1;
	cp->type = pl->body.p[0];
	cp->attrs = tail(pl, 4);
	return 0;
}

int ike_pl_skf(const struct ike_pl *pl, struct ike_skf *f,
	       struct ike_err *err)
{
	if (need_data(pl, 4, err))
		return -1;
	f->num = get16(pl->body.p);
	f->total = get16(pl->body.p + 2);
	f->data = tail(pl, 4);
	if (!f->num || f->num > f->total)
		return SYNTAX(err, "SKF payload: fragment %u of %u", f->num,
			      f->total);
	return 0;
}

/* Runs the payload's decoder, for validation while parsing. */
static int check_pl(const struct ike_pl *pl, const struct ike_msg *m,
		    struct ike_err *err)
{
	union {
		struct ike_sa sa; struct ike_ke ke; struct ike_id id;
		struct ike_cert cert; struct ike_auth auth;
		struct ike_nonce nonce; struct ike_notify n;
		struct ike_delete d; struct ike_ts ts; struct ike_cp cp;
		struct ike_skf skf;
	} u;

	switch (pl->type) {
	case IKEV2_PL_SA:	return ike_pl_sa(pl, m, &u.sa, err);
	case IKEV2_PL_KE:	return ike_pl_ke(pl, &u.ke, err);
	case IKEV2_PL_IDI:
	case IKEV2_PL_IDR:	return ike_pl_id(pl, &u.id, err);
	case IKEV2_PL_CERT:
	case IKEV2_PL_CERTREQ:	return ike_pl_cert(pl, &u.cert, err);
	case IKEV2_PL_AUTH:	return ike_pl_auth(pl, &u.auth, err);
	case IKEV2_PL_NONCE:	return ike_pl_nonce(pl, &u.nonce, err);
	case IKEV2_PL_NOTIFY:	return ike_pl_notify(pl, &u.n, err);
	case IKEV2_PL_DELETE:	return ike_pl_delete(pl, &u.d, err);
	case IKEV2_PL_TSI:
	case IKEV2_PL_TSR:	return ike_pl_ts(pl, &u.ts, err);
	case IKEV2_PL_CP:	return ike_pl_cp(pl, &u.cp, err);
	case IKEV2_PL_SKF:	return ike_pl_skf(pl, &u.skf, err);
	case IKEV2_PL_EAP:
		if (get16(pl->body.p + 2) != pl->body.len)
			return SYNTAX(err, "EAP payload: EAP length %u in %zu "
				      "bytes", get16(pl->body.p + 2),
				      pl->body.len);
		return 0;
	}
	return 0;
}

/* ---- the payload chain ---- */

static int parse_chain(struct ike_msg *m, uint8_t next, const uint8_t *p,
		       size_t len, int inner, struct ike_err *err)
{
	size_t off = 0;

	while (next != IKEV2_PL_NONE) {
		struct ike_pl *pl;
		uint16_t plen;
		uint8_t nnext;
		int fixed = fixed_len(next);

		if (len - off < IKEV2_GENERIC_HDR_LEN)
			return SYNTAX(err, "%s payload (type %u) truncated: %zu "
				      "bytes left for its 4-byte header",
				      ike_pl_name(next), next, len - off);
		nnext = p[off];
		plen = get16(p + off + 2);
		if (plen < IKEV2_GENERIC_HDR_LEN)
			return SYNTAX(err, "%s payload (type %u): payload length "
				      "%u, less than its header",
				      ike_pl_name(next), next, plen);
		if (plen > len - off)
			return SYNTAX(err, "%s payload (type %u): payload length "
				      "%u runs past the end (%zu bytes left)",
				      ike_pl_name(next), next, plen, len - off);
		if (fixed < 0) {
			if (p[off + 1] & IKEV2_CRITICAL) {
				fail(err, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD,
				     "unknown payload type %u marked critical "
				     "(RFC 7296 2.5)", next);
				err->pl_type = next;
				return -1;
			}
			m->skipped++;
			off += plen;
			next = nnext;
			continue;
		}
		if ((size_t)(plen - IKEV2_GENERIC_HDR_LEN) < (size_t)fixed)
			return SYNTAX(err, "%s payload of %u bytes, shorter than "
				      "its %d-byte fixed part", ike_pl_name(next),
				      plen - IKEV2_GENERIC_HDR_LEN, fixed);
		if (m->n == IKE_MSG_MAX_PL)
			return SYNTAX(err, "more than %d payloads",
				      IKE_MSG_MAX_PL);
		pl = &m->pl[m->n];
		pl->type = next;
		pl->critical = !!(p[off + 1] & IKEV2_CRITICAL);
		pl->inner = (uint8_t)inner;
		pl->body.p = p + off + IKEV2_GENERIC_HDR_LEN;
		pl->body.len = plen - IKEV2_GENERIC_HDR_LEN;
		if (check_pl(pl, m, err))
			return -1;
		m->n++;
		off += plen;
		if (next == IKEV2_PL_SK || next == IKEV2_PL_SKF) {
			if (inner)
				return SYNTAX(err, "%s payload inside an "
					      "encrypted payload",
					      ike_pl_name(next));
			if (off != len)
				return SYNTAX(err, "%s payload is not the last "
					      "payload (%zu bytes follow)",
					      ike_pl_name(next), len - off);
			m->sk = (int)m->n - 1;
			m->sk_next = nnext;
			return 0;
		}
		next = nnext;
	}
	if (off != len)
		return SYNTAX(err, "%zu bytes after the last payload", len - off);
	return 0;
}

int ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *m,
		  struct ike_err *err)
{
	memset(m, 0, offsetof(struct ike_msg, pl));
	m->sk = -1;
	if (len < IKEV2_HDR_LEN)
		return SYNTAX(err, "message of %zu bytes, shorter than the "
			      "%d-byte IKE header", len, IKEV2_HDR_LEN);
	memcpy(m->spi_i, buf, 8);
	memcpy(m->spi_r, buf + 8, 8);
	m->next = buf[16];
	m->version = buf[17];
	m->exchange = buf[18];
	m->flags = buf[19];
	m->msgid = get32(buf + 20);
	m->length = get32(buf + 24);
	m->raw = buf;
	if (m->version >> 4 != IKEV2_VERSION >> 4)
		return fail(err, IKEV2_N_INVALID_MAJOR_VERSION, "IKE major "
			    "version %u, only 2 is supported", m->version >> 4);
	if (!get32(buf) && !get32(buf + 4))
		return fail(err, 0, "initiator SPI is zero (RFC 7296 3.1)");
	if (m->length != len)
		return SYNTAX(err, "header length %u, datagram of %zu bytes",
			      m->length, len);
	return parse_chain(m, m->next, buf + IKEV2_HDR_LEN,
			   len - IKEV2_HDR_LEN, 0, err);
}

int ike_msg_parse_inner(struct ike_msg *m, uint8_t first, const uint8_t *pt,
			size_t len, struct ike_err *err)
{
	if (m->sk < 0 || m->decrypted)
		return fail(err, 0, "inner payloads without an SK payload, or "
			    "parsed twice");
	m->decrypted = 1;
	return parse_chain(m, first, pt, len, 1, err);
}

const struct ike_pl *ike_msg_find(const struct ike_msg *m, uint8_t type,
				  unsigned nth)
{
	unsigned i;

	for (i = 0; i < m->n; i++)
		if (m->pl[i].type == type && !nth--)
			return &m->pl[i];
	return NULL;
}

const struct ike_pl *ike_msg_find_notify(const struct ike_msg *m,
					 uint16_t type)
{
	unsigned i;

	for (i = 0; i < m->n; i++)
		if (m->pl[i].type == IKEV2_PL_NOTIFY &&
		    m->pl[i].body.len >= 4 && get16(m->pl[i].body.p + 2) == type)
			return &m->pl[i];
	return NULL;
}

/* ---- payload rules (after strongSwan's message.c) ---- */

#define RF_ENCR		0x1	/* must come from inside SK/SKF */
#define RF_AUTH		0x2	/* minimum waived when EAP is in use */

struct ike_rule {
	uint8_t type, min, max, flags;
	uint8_t group;		/* payloads of one group come together */
};

#define MAXN	IKE_MSG_MAX_PL
static const struct ike_rule init_req[] = {
	{ IKEV2_PL_NOTIFY, 0, MAXN, 0, 0 },
	{ IKEV2_PL_SA, 1, 1, 0, 0 },
	{ IKEV2_PL_KE, 1, 1, 0, 0 },
	{ IKEV2_PL_NONCE, 1, 1, 0, 0 },
	{ IKEV2_PL_VENDOR, 0, 20, 0, 0 },
	{ 0 }
};
static const struct ike_rule init_resp[] = {
	{ IKEV2_PL_NOTIFY, 0, MAXN, 0, 0 },
	{ IKEV2_PL_SA, 1, 1, 0, 0 },
	{ IKEV2_PL_KE, 1, 1, 0, 0 },
	{ IKEV2_PL_NONCE, 1, 1, 0, 0 },
	{ IKEV2_PL_CERTREQ, 0, 20, 0, 0 },
	{ IKEV2_PL_VENDOR, 0, 20, 0, 0 },
	{ 0 }
};
/* IKE_AUTH: SA, TSi and TSr may all be absent (RFC 6023), not some. */
static const struct ike_rule auth_req[] = {
	{ IKEV2_PL_SK, 0, 1, 0, 0 },
	{ IKEV2_PL_SKF, 0, 1, 0, 0 },
	{ IKEV2_PL_NOTIFY, 0, MAXN, RF_ENCR, 0 },
	{ IKEV2_PL_IDI, 1, 1, RF_ENCR | RF_AUTH, 0 },
	{ IKEV2_PL_CERT, 0, 8, RF_ENCR, 0 },
	{ IKEV2_PL_CERTREQ, 0, 20, RF_ENCR, 0 },
	{ IKEV2_PL_IDR, 0, 1, RF_ENCR, 0 },
	{ IKEV2_PL_AUTH, 1, 1, RF_ENCR | RF_AUTH, 0 },
	{ IKEV2_PL_EAP, 0, 1, RF_ENCR, 0 },
	{ IKEV2_PL_CP, 0, 1, RF_ENCR, 0 },
	{ IKEV2_PL_SA, 0, 1, RF_ENCR, 1 },
	{ IKEV2_PL_TSI, 0, 1, RF_ENCR, 1 },
	{ IKEV2_PL_TSR, 0, 1, RF_ENCR, 1 },
	{ IKEV2_PL_VENDOR, 0, 20, RF_ENCR, 0 },
	{ 0 }
};
static const struct ike_rule auth_resp[] = {
	{ IKEV2_PL_SK, 0, 1, 0, 0 },
	{ IKEV2_PL_SKF, 0, 1, 0, 0 },
	{ IKEV2_PL_NOTIFY, 0, MAXN, RF_ENCR, 0 },
	{ IKEV2_PL_IDR, 1, 1, RF_ENCR | RF_AUTH, 0 },
	{ IKEV2_PL_CERT, 0, 8, RF_ENCR, 0 },
	{ IKEV2_PL_AUTH, 1, 1, RF_ENCR | RF_AUTH, 0 },
	{ IKEV2_PL_EAP, 0, 1, RF_ENCR, 0 },
	{ IKEV2_PL_CP, 0, 1, RF_ENCR, 0 },
	{ IKEV2_PL_SA, 0, 1, RF_ENCR, 1 },
	{ IKEV2_PL_TSI, 0, 1, RF_ENCR, 1 },
	{ IKEV2_PL_TSR, 0, 1, RF_ENCR, 1 },
	{ IKEV2_PL_VENDOR, 0, 20, RF_ENCR, 0 },
	{ 0 }
};
/* CREATE_CHILD_SA: TSi/TSr for a Child SA, neither to rekey the IKE SA. */
static const struct ike_rule child[] = {
	{ IKEV2_PL_SK, 0, 1, 0, 0 },
	{ IKEV2_PL_SKF, 0, 1, 0, 0 },
	{ IKEV2_PL_NOTIFY, 0, MAXN, RF_ENCR, 0 },
	{ IKEV2_PL_SA, 1, 1, RF_ENCR, 0 },
	{ IKEV2_PL_NONCE, 1, 1, RF_ENCR, 0 },
	{ IKEV2_PL_KE, 0, 1, RF_ENCR, 0 },
	{ IKEV2_PL_TSI, 0, 1, RF_ENCR, 1 },
	{ IKEV2_PL_TSR, 0, 1, RF_ENCR, 1 },
	{ IKEV2_PL_CP, 0, 1, RF_ENCR, 0 },
	{ IKEV2_PL_VENDOR, 0, 20, RF_ENCR, 0 },
	{ 0 }
};
static const struct ike_rule info[] = {
	{ IKEV2_PL_SK, 0, 1, 0, 0 },
	{ IKEV2_PL_SKF, 0, 1, 0, 0 },
	{ IKEV2_PL_NOTIFY, 0, MAXN, RF_ENCR, 0 },
	{ IKEV2_PL_DELETE, 0, 20, RF_ENCR, 0 },
	{ IKEV2_PL_CP, 0, 1, RF_ENCR, 0 },
	{ IKEV2_PL_VENDOR, 0, 20, RF_ENCR, 0 },
	{ 0 }
};

static const struct ike_rule *rules_for(uint8_t exchange, int resp)
{
	switch (exchange) {
	case IKEV2_EXCH_IKE_SA_INIT:	 return resp ? init_resp : init_req;
	case IKEV2_EXCH_IKE_AUTH:	 return resp ? auth_resp : auth_req;
	case IKEV2_EXCH_CREATE_CHILD_SA: return child;
	case IKEV2_EXCH_INFORMATIONAL:	 return info;
	}
	return NULL;
}

/* A response that only reports an error (or asks for a cookie) need not
 * carry the payloads a successful answer has. */
static int answers_with_notify(const struct ike_msg *m)
{
	unsigned i;

	if (!(m->flags & IKEV2_FLAG_RESPONSE))
		return 0;
	for (i = 0; i < m->n; i++) {
		uint16_t t;

		if (m->pl[i].type != IKEV2_PL_NOTIFY)
			continue;
		t = get16(m->pl[i].body.p + 2);
		if (t < IKEV2_N_STATUS_MIN ||
		    (t == IKEV2_N_COOKIE &&
		     m->exchange == IKEV2_EXCH_IKE_SA_INIT))
			return 1;
	}
	return 0;
}

int ike_msg_check_rules(const struct ike_msg *m, unsigned opts,
			struct ike_err *err)
{
	int resp = !!(m->flags & IKEV2_FLAG_RESPONSE);
	const char *ex = ike_exchange_name(m->exchange);
	const char *dir = resp ? "response" : "request";
	const struct ike_rule *rules = rules_for(m->exchange, resp), *r, *g;
	unsigned cnt[256] = { 0 }, i;
	int sufficient = answers_with_notify(m);

	if (!rules)
		return fail(err, 0, "exchange type %u not supported",
			    m->exchange);
	if (m->exchange == IKEV2_EXCH_IKE_SA_INIT) {
		static const uint8_t zero[8];

		if (m->msgid)
			return SYNTAX(err, "IKE_SA_INIT %s: message ID %u, "
				      "not 0", dir, m->msgid);
		if (!resp && memcmp(m->spi_r, zero, 8))
			return SYNTAX(err, "IKE_SA_INIT request: responder "
				      "SPI is not zero");
	} else if (m->sk < 0) {
		return SYNTAX(err, "%s %s: no SK payload (not encrypted)", ex,
			      dir);
	} else if (!m->decrypted) {
		return fail(err, 0, "%s %s: %s payload not decrypted yet", ex,
			    dir, ike_pl_name(m->pl[m->sk].type));
	}
	for (i = 0; i < m->n; i++) {
		const struct ike_pl *pl = &m->pl[i];

		for (r = rules; r->type && r->type != pl->type; r++)
			;
		if (!r->type)
			return SYNTAX(err, "%s %s: %s payload not allowed", ex,
				      dir, ike_pl_name(pl->type));
		if ((r->flags & RF_ENCR) && !pl->inner)
			return SYNTAX(err, "%s %s: %s payload outside SK", ex,
				      dir, ike_pl_name(pl->type));
		cnt[pl->type]++;
	}
	for (r = rules; r->type; r++) {
		unsigned c = cnt[r->type];

		if (c > r->max)
			return SYNTAX(err, "%s %s: %u %s payloads, at most %u",
				      ex, dir, c, ike_pl_name(r->type), r->max);
		if (c >= r->min || sufficient ||
		    ((r->flags & RF_AUTH) && (opts & IKE_RULES_EAP)))
			continue;
		return SYNTAX(err, "%s %s: %s payload missing", ex, dir,
			      ike_pl_name(r->type));
	}
	for (r = rules; r->type; r++) {
		if (!r->group || !cnt[r->type])
			continue;
		for (g = rules; g->type; g++)
			if (g->group == r->group && !cnt[g->type])
				return SYNTAX(err, "%s %s: %s without %s", ex,
					      dir, ike_pl_name(r->type),
					      ike_pl_name(g->type));
	}
	return 0;
}

/* ---- writer ---- */

#define NO_NEXT	((size_t)-1)

void ike_buf_init(struct ike_buf *b, uint8_t *mem, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->p = mem;
	b->cap = cap;
	b->next_at = NO_NEXT;
	b->has_hdr = 1;
}

void ike_buf_init_inner(struct ike_buf *b, uint8_t *mem, size_t cap)
{
	ike_buf_init(b, mem, cap);
	b->has_hdr = 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* Room for n more bytes at the end, or NULL (and the buffer fails). */
static uint8_t *grow(struct ike_buf *b, size_t n)
{
	uint8_t *p;

	if (b->failed || n > b->cap - b->len) {
		b->failed = 1;
		return NULL;
	}
	p = b->p + b->len;
	memset(p, 0, n);
	b->len += n;
	return p;
}

static int append(struct ike_buf *b, const void *data, size_t n)
{
	uint8_t *p = grow(b, n);

	if (!p)
		return -1;
	if (n)
		memcpy(p, data, n);
	return 0;
}

int ike_buf_hdr(struct ike_buf *b, const struct ike_msg *h)
{
	uint8_t *p;

	if (!b->has_hdr || b->len || !(p = grow(b, IKEV2_HDR_LEN))) {
		b->failed = 1;
		return -1;
	}
	memcpy(p, h->spi_i, 8);
	memcpy(p + 8, h->spi_r, 8);
	p[17] = h->version ? h->version : IKEV2_VERSION;
	p[18] = h->exchange;
	p[19] = h->flags;
	put32(p + 20, h->msgid);
	b->next_at = 16;
	return 0;
}

/* Starts a payload: chains it and writes its generic header. */
static long pl_begin(struct ike_buf *b, uint8_t type, int critical)
{
	size_t at = b->len;
	uint8_t *p;

	if (b->sealed || (b->has_hdr && b->next_at == NO_NEXT)) {
		b->failed = 1;
		return -1;
	}
	if (!(p = grow(b, IKEV2_GENERIC_HDR_LEN)))
		return -1;
	if (b->next_at != NO_NEXT)
		b->p[b->next_at] = type;
	else
		b->first = type;
	p[1] = critical ? IKEV2_CRITICAL : 0;
	b->next_at = at;
	return (long)at;
}

static int pl_end(struct ike_buf *b, long at)
{
	size_t n;

	if (at < 0 || b->failed) {
		b->failed = 1;
		return -1;
	}
	n = b->len - (size_t)at;
	if (n > 0xffff) {
		b->failed = 1;
		return -1;
	}
	put16(b->p + at + 2, (uint16_t)n);
	return 0;
}

int ike_buf_raw(struct ike_buf *b, uint8_t type, int critical,
		const void *body, size_t len)
{
	long at = pl_begin(b, type, critical);

	if (at >= 0)
		append(b, body, len);
	return pl_end(b, at);
}

/* A payload with a 4-byte fixed part (one byte, a 16-bit field or two
 * bytes, then reserved) and variable data. */
static int pl_fixed4(struct ike_buf *b, uint8_t type, const uint8_t fix[4],
		     const struct ike_bytes *data)
{
	long at = pl_begin(b, type, 0);

	if (at >= 0 && !append(b, fix, 4))
		append(b, data->p, data->len);
	return pl_end(b, at);
}

int ike_buf_sa(struct ike_buf *b, const struct ike_sa *sa)
{
	long at = pl_begin(b, IKEV2_PL_SA, 0);
	unsigned i, t;

	for (i = 0; at >= 0 && i < sa->n_prop; i++) {
		const struct ike_prop *pr = &sa->prop[i];
		size_t pat = b->len;
		uint8_t *p = grow(b, 8);

		if (!p || pr->spi_size > 8 || pr->n_xf > IKE_PROP_MAX_XFORMS)
			return b->failed = 1, -1;
		p[0] = i + 1 == sa->n_prop ? 0 : 2;
		p[4] = pr->num;
		p[5] = pr->proto;
		p[6] = pr->spi_size;
		p[7] = pr->n_xf;
		if (append(b, pr->spi, pr->spi_size))
			return -1;
		for (t = 0; t < pr->n_xf; t++) {
			const struct ike_xform *x = &pr->xf[t];
			uint8_t *q = grow(b, x->keylen ? 12 : 8);

			if (!q)
				return -1;
			q[0] = t + 1 == pr->n_xf ? 0 : 3;
			put16(q + 2, x->keylen ? 12 : 8);
			q[4] = x->type;
			put16(q + 6, x->id);
			if (x->keylen) {
				put16(q + 8, IKEV2_ATTR_TV |
				      IKEV2_ATTR_KEY_LENGTH);
				put16(q + 10, x->keylen);
			}
		}
		if (b->len - pat > 0xffff)
			return b->failed = 1, -1;
		put16(b->p + pat + 2, (uint16_t)(b->len - pat));
	}
	return pl_end(b, at);
}

int ike_buf_ke(struct ike_buf *b, const struct ike_ke *ke)
{
	uint8_t fix[4] = { 0 };

	put16(fix, ke->group);
	return pl_fixed4(b, IKEV2_PL_KE, fix, &ke->data);
}

int ike_buf_id(struct ike_buf *b, uint8_t type, const struct ike_id *id)
{
	uint8_t fix[4] = { id->type };

	return pl_fixed4(b, type, fix, &id->data);
}

int ike_buf_cert(struct ike_buf *b, uint8_t type, const struct ike_cert *c)
{
	long at = pl_begin(b, type, 0);

	if (at >= 0 && !append(b, &c->encoding, 1))
		append(b, c->data.p, c->data.len);
	return pl_end(b, at);
}

int ike_buf_auth(struct ike_buf *b, const struct ike_auth *a)
{
	uint8_t fix[4] = { a->method };

	return pl_fixed4(b, IKEV2_PL_AUTH, fix, &a->data);
}

int ike_buf_nonce(struct ike_buf *b, const struct ike_nonce *n)
{
	return ike_buf_raw(b, IKEV2_PL_NONCE, 0, n->data.p, n->data.len);
}

int ike_buf_notify(struct ike_buf *b, const struct ike_notify *n)
{
	uint8_t fix[4] = { n->proto, (uint8_t)n->spi.len };
	long at;

	put16(fix + 2, n->type);
	at = pl_begin(b, IKEV2_PL_NOTIFY, 0);
	if (at >= 0 && !append(b, fix, 4) && !append(b, n->spi.p, n->spi.len))
		append(b, n->data.p, n->data.len);
	return pl_end(b, at);
}

int ike_buf_delete(struct ike_buf *b, const struct ike_delete *d)
{
	uint8_t fix[4] = { d->proto, d->spi_size };

	put16(fix + 2, d->num);
	return pl_fixed4(b, IKEV2_PL_DELETE, fix, &d->spis);
}

int ike_buf_vendor(struct ike_buf *b, const struct ike_vendor *v)
{
	return ike_buf_raw(b, IKEV2_PL_VENDOR, 0, v->data.p, v->data.len);
}

int ike_buf_ts(struct ike_buf *b, uint8_t type, const struct ike_ts *ts)
{
	long at = pl_begin(b, type, 0);
	uint8_t *p;
	unsigned i;

	if (at < 0 || ts->n > IKE_TS_MAX || !(p = grow(b, 4)))
		return b->failed = 1, -1;
	p[0] = (uint8_t)ts->n;
	for (i = 0; i < ts->n; i++) {
		const struct ike_ts_sel *s = &ts->sel[i];
		size_t alen = s->type == IKEV2_TS_IPV6_ADDR_RANGE ? 16 : 4;

		if (!(p = grow(b, 8 + 2 * alen)))
			return -1;
		p[0] = s->type;
		p[1] = s->ip_proto;
		put16(p + 2, (uint16_t)(8 + 2 * alen));
		put16(p + 4, s->start_port);
		put16(p + 6, s->end_port);
		memcpy(p + 8, s->start, alen);
		memcpy(p + 8 + alen, s->end, alen);
	}
	return pl_end(b, at);
}

int ike_buf_cp(struct ike_buf *b, const struct ike_cp *cp)
{
	uint8_t fix[4] = { cp->type };

	return pl_fixed4(b, IKEV2_PL_CP, fix, &cp->attrs);
}

static int seal(struct ike_buf *b, long at, uint8_t first)
{
	if (pl_end(b, at))
		return -1;
	b->p[at] = first;
	b->sealed = 1;
	return 0;
}

int ike_buf_sk(struct ike_buf *b, uint8_t first, const void *data, size_t len)
{
	long at = b->has_hdr ? pl_begin(b, IKEV2_PL_SK, 0) : -1;

	if (at >= 0)
		append(b, data, len);
	return seal(b, at, first);
}

int ike_buf_skf(struct ike_buf *b, uint8_t first, const struct ike_skf *f)
{
	long at = b->has_hdr ? pl_begin(b, IKEV2_PL_SKF, 0) : -1;
	uint8_t fix[4];

	put16(fix, f->num);
	put16(fix + 2, f->total);
	if (at >= 0 && !append(b, fix, 4))
		append(b, f->data.p, f->data.len);
	return seal(b, at, first);
}

long ike_buf_finish(struct ike_buf *b)
{
	if (b->failed || (b->has_hdr && b->len < IKEV2_HDR_LEN) ||
	    b->len > UINT32_MAX)
		return -1;
	if (b->has_hdr)
		put32(b->p + 24, (uint32_t)b->len);
	return (long)b->len;
}
