// SPDX-License-Identifier: GPL-2.0
/*
 * esptund IKE SAs: the IKEv2 state machine (see ike_sa.h for the states).
 *
 * Layout of this file:
 *   helpers     logging and last_error, addresses, identities, PSKs,
 *               proposals on the wire, NAT detection
 *   sending     requests (with retransmission) and cached responses,
 *               SK payload protection
 *   IKE_SA_INIT initiator: build, handle the response (COOKIE,
 *               INVALID_KE_PAYLOAD, errors); responder: COOKIEs under
 *               load, answer
 *   IKE_AUTH    PSK or certificate authentication (signatures and X.509
 *               in auth.c) and the first Child SA, both roles
 *   INFORMATIONAL  liveness, Delete of the IKE SA or a Child SA
 *   dispatch    ike_sa_recv(), message IDs, the response cache, timers
 *
 * Every error that ends an SA or a Child SA goes through sa_fail() or
 * child_fail(), which log it and keep it in sa->last_error, worded so
 * that the reader knows what to change.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "../../kmod/uapi/linux/esptun.h"
#include "auth.h"
#include "dh.h"
#include "ike_sa.h"
#include "sk.h"
#include "ts.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))
#define NONCE_LEN	32
#define MAX_KE_RETRIES	3
#define MAX_COOKIE_RETRIES	3

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

const char *ikesa_state_name(enum ikesa_state s)
{
	static const char *const names[] = {
		[IKE_SA_INIT_SENT] = "IKE_SA_INIT_SENT",
		[IKE_SA_INIT_DONE] = "IKE_SA_INIT_DONE",
		[IKE_AUTH_SENT] = "IKE_AUTH_SENT",
		[IKE_ESTABLISHED] = "ESTABLISHED",
		[IKE_DELETING] = "DELETING",
		[IKE_DEAD] = "DEAD",
	};

	return (unsigned)s < N(names) ? names[s] : "?";
}

static const char *notify_name(uint16_t t)
{
	switch (t) {
	case IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD:
		return "UNSUPPORTED_CRITICAL_PAYLOAD";
	case IKEV2_N_INVALID_IKE_SPI:	return "INVALID_IKE_SPI";
	case IKEV2_N_INVALID_MAJOR_VERSION: return "INVALID_MAJOR_VERSION";
	case IKEV2_N_INVALID_SYNTAX:	return "INVALID_SYNTAX";
	case IKEV2_N_INVALID_MESSAGE_ID: return "INVALID_MESSAGE_ID";
	case IKEV2_N_INVALID_SPI:	return "INVALID_SPI";
	case IKEV2_N_NO_PROPOSAL_CHOSEN: return "NO_PROPOSAL_CHOSEN";
	case IKEV2_N_INVALID_KE_PAYLOAD: return "INVALID_KE_PAYLOAD";
	case IKEV2_N_AUTHENTICATION_FAILED: return "AUTHENTICATION_FAILED";
	case IKEV2_N_SINGLE_PAIR_REQUIRED: return "SINGLE_PAIR_REQUIRED";
	case IKEV2_N_NO_ADDITIONAL_SAS:	return "NO_ADDITIONAL_SAS";
	case IKEV2_N_INTERNAL_ADDRESS_FAILURE:
		return "INTERNAL_ADDRESS_FAILURE";
	case IKEV2_N_FAILED_CP_REQUIRED: return "FAILED_CP_REQUIRED";
	case IKEV2_N_TS_UNACCEPTABLE:	return "TS_UNACCEPTABLE";
	case IKEV2_N_INVALID_SELECTORS:	return "INVALID_SELECTORS";
	case IKEV2_N_TEMPORARY_FAILURE:	return "TEMPORARY_FAILURE";
	case IKEV2_N_CHILD_SA_NOT_FOUND: return "CHILD_SA_NOT_FOUND";
	}
	return t < IKEV2_N_STATUS_MIN ? "error notify" : "status notify";
}

/* ---- logging and last_error ---- */

static void __attribute__((format(printf, 3, 4)))
sa_log(struct ikesa *sa, int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sa->d->io->log(sa->d->ctx, level, "%s[%llu]: %s",
		       sa->conn ? sa->conn->name : "-",
		       (unsigned long long)sa->uid, msg);
}

static void __attribute__((format(printf, 2, 0)))
vset_error(struct ikesa *sa, const char *fmt, va_list ap)
{
	vsnprintf(sa->last_error, sizeof(sa->last_error), fmt, ap);
	sa_log(sa, IKE_LOG_ERR, "%s", sa->last_error);
}

static void __attribute__((format(printf, 2, 3)))
set_error(struct ikesa *sa, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset_error(sa, fmt, ap);
	va_end(ap);
}

static void child_uninstall(struct ikesa *sa);

/* The SA is over: no more retransmissions, Child SAs removed. */
static void sa_dead(struct ikesa *sa)
{
	if (sa->state == IKE_DEAD)
		return;
	child_uninstall(sa);
	free(sa->req);
	sa->req = NULL;
	sa->req_deadline = 0;
	dh_free(sa->dh);
	sa->dh = NULL;
	sa->state = IKE_DEAD;
	sa->dead_since = sa->d->io->now(sa->d->ctx);
}

static void __attribute__((format(printf, 2, 3)))
sa_fail(struct ikesa *sa, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset_error(sa, fmt, ap);
	va_end(ap);
	sa_dead(sa);
}

/* ---- addresses ---- */

static const uint8_t *addr_ip(const struct sockaddr *a, size_t *len)
{
	if (a->sa_family == AF_INET) {
		*len = 4;
		return (const uint8_t *)&((const struct sockaddr_in *)a)->sin_addr;
	}
	*len = 16;
	return (const uint8_t *)&((const struct sockaddr_in6 *)a)->sin6_addr;
}

static uint16_t addr_port(const struct sockaddr *a)
{
	return ntohs(a->sa_family == AF_INET ?
		     ((const struct sockaddr_in *)a)->sin_port :
		     ((const struct sockaddr_in6 *)a)->sin6_port);
}

static void addr_set_port(struct sockaddr_storage *a, uint16_t port)
{
	if (a->ss_family == AF_INET)
		((struct sockaddr_in *)a)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)a)->sin6_port = htons(port);
}

static bool addr_ok(const struct sockaddr *a)
{
	return a && (a->sa_family == AF_INET || a->sa_family == AF_INET6);
}

static void addr_copy(struct sockaddr_storage *dst, const struct sockaddr *a)
{
	memset(dst, 0, sizeof(*dst));
	memcpy(dst, a, a->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
	       sizeof(struct sockaddr_in6));
}

static bool addr_eq(const struct sockaddr *a, const struct sockaddr *b,
		    bool ports)
{
	const uint8_t *pa, *pb;
	size_t la, lb;

	if (a->sa_family != b->sa_family)
		return false;
	pa = addr_ip(a, &la);
	pb = addr_ip(b, &lb);
	return !memcmp(pa, pb, la) && (!ports || addr_port(a) == addr_port(b));
}

static char *addr_str(const struct sockaddr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	size_t l;

	inet_ntop(a->sa_family, addr_ip(a, &l), ip, sizeof(ip));
	snprintf(buf, len, "%s[%u]", ip, addr_port(a));
	return buf;
}

/* Whether a configured local_addrs/remote_addrs list admits a. */
static bool addrs_match(const struct conf_addrs *l, const struct sockaddr *a)
{
	size_t i, n;
	const uint8_t *ip = addr_ip(a, &n);

	if (!l->n)
		return true;
	for (i = 0; i < l->n; i++) {
		const struct conf_addr *c = &l->v[i];
		uint8_t tmp[16];

		switch (c->kind) {
		case CONF_ADDR_ANY:
			if (!c->family || c->family == a->sa_family)
				return true;
			break;
		case CONF_ADDR_RANGE:
			if (c->family == a->sa_family &&
			    memcmp(ip, c->lo, n) >= 0 && memcmp(ip, c->hi, n) <= 0)
				return true;
			break;
		case CONF_ADDR_HOST:
			/* TODO: names are resolved by the socket layer; a
			 * literal address written as a host still matches. */
			if (inet_pton(a->sa_family, c->host, tmp) == 1 &&
			    !memcmp(tmp, ip, n))
				return true;
			break;
		}
	}
	return false;
}

/* ---- identities ---- */

/* The wire data of a configured identity (not %any). */
static struct ike_bytes conf_id_data(const struct conf_id *id)
{
	if (id->data)
		return (struct ike_bytes){ id->data, id->len };
	return (struct ike_bytes){ (const uint8_t *)id->str,
				   id->str ? strlen(id->str) : 0 };
}

/* ID payload body (type | 3 reserved | data) for our configured ID;
 * %any or unset: our IP address, as strongSwan does.  A DN is written
 * as text in the configuration and goes on the wire as DER. */
static int id_body(const struct conf_id *id, const struct sockaddr *addr,
		   uint8_t *body, size_t cap, size_t *len)
{
	struct ike_bytes d;
	uint8_t type;

	if (id->type == IKEV2_ID_DER_ASN1_DN && !id->data) {
		uint8_t *der;
		size_t dlen;

		if (!id->str || auth_dn_from_text(id->str, &der, &dlen))
			return -1;
		if (dlen + 4 > cap) {
			free(der);
			return -1;
		}
		memset(body, 0, 4);
		body[0] = IKEV2_ID_DER_ASN1_DN;
		memcpy(body + 4, der, dlen);
		*len = dlen + 4;
		free(der);
		return 0;
	}
	if (id->type) {
		type = id->type;
		d = conf_id_data(id);
	} else {
		size_t n;

		d.p = addr_ip(addr, &n);
		d.len = n;
		type = n == 4 ? IKEV2_ID_IPV4_ADDR : IKEV2_ID_IPV6_ADDR;
	}
	if (d.len + 4 > cap || !d.len)
		return -1;
	memset(body, 0, 4);
	body[0] = type;
	memcpy(body + 4, d.p, d.len);
	*len = d.len + 4;
	return 0;
}

/* Whether a configured ID (%any matches everything) names a wire ID. */
static bool id_matches(const struct conf_id *c, uint8_t type,
		       const uint8_t *data, size_t len)
{
	struct ike_bytes d;

	if (!c->type)
		return true;
	if (c->type != type)
		return false;
	if (type == IKEV2_ID_DER_ASN1_DN && !c->data) {
		uint8_t *der;
		size_t dlen;
		bool eq;

		if (!c->str || auth_dn_from_text(c->str, &der, &dlen))
			return false;
		eq = auth_dn_eq(der, dlen, data, len);
		free(der);
		return eq;
	}
	d = conf_id_data(c);
	if (d.len != len)
		return false;
	if (type == IKEV2_ID_FQDN || type == IKEV2_ID_RFC822_ADDR)
		return !strncasecmp((const char *)d.p, (const char *)data, len);
	return !memcmp(d.p, data, len);
}

/* A wire ID for humans: "192.0.2.1", "gw.example.org", "#0a0b". */
static char *id_str(uint8_t type, const uint8_t *data, size_t len, char *buf,
		    size_t cap)
{
	size_t i, off = 0;

	buf[0] = 0;
	if ((type == IKEV2_ID_IPV4_ADDR && len == 4) ||
	    (type == IKEV2_ID_IPV6_ADDR && len == 16)) {
		inet_ntop(len == 4 ? AF_INET : AF_INET6, data, buf, (socklen_t)cap);
		return buf;
	}
	if (type == IKEV2_ID_DER_ASN1_DN)
		return auth_dn_der_str(data, len, buf, cap);
	if (type == IKEV2_ID_KEY_ID || type == IKEV2_ID_DER_ASN1_GN) {
		off = (size_t)snprintf(buf, cap, "%s#",
				       type == IKEV2_ID_KEY_ID ? "" : "der");
		for (i = 0; i < len && off + 3 < cap; i++)
			off += (size_t)snprintf(buf + off, cap - off, "%02x",
						data[i]);
		return buf;
	}
	for (i = 0; i < len && off + 1 < cap; i++)
		buf[off++] = isprint(data[i]) ? (char)data[i] : '?';
	buf[off] = 0;
	return buf;
}

static char *id_body_str(const uint8_t *body, size_t len, char *buf,
			 size_t cap)
{
	return id_str(body[0], body + 4, len - 4, buf, cap);
}

static const char *conf_id_str(const struct conf_id *c)
{
	return c->type && c->str ? c->str : "%any";
}

/*
 * The PSK for our ID and the peer's (ID payload bodies): strongSwan's
 * rule, simplified: a secret listing both IDs beats one listing the
 * peer's, which beats one listing ours, which beats one without IDs.
 */
static const struct conf_secret *find_psk(const struct config *cfg,
					  const uint8_t *local, size_t llen,
					  const uint8_t *peer, size_t plen)
{
	const struct conf_secret *best = NULL;
	int best_score = 0;
	size_t i, j;

	for (i = 0; i < cfg->n_secrets; i++) {
		const struct conf_secret *s = &cfg->secrets[i];
		bool ml = false, mp = false;
		int score;

		if (s->type != CONF_SECRET_IKE)
			continue;
		for (j = 0; j < s->n_ids; j++) {
			if (id_matches(&s->ids[j], local[0], local + 4, llen - 4))
				ml = true;
			if (id_matches(&s->ids[j], peer[0], peer + 4, plen - 4))
				mp = true;
		}
		if (s->n_ids && !ml && !mp)
			continue;
		score = 1 + ml + 2 * mp;
		if (score > best_score) {
			best = s;
			best_score = score;
		}
	}
	return best;
}

/* ---- proposals on the wire ---- */

static const uint8_t type_order[] = {
	IKEV2_TRANS_ENCR, IKEV2_TRANS_PRF, IKEV2_TRANS_INTEG, IKEV2_TRANS_DH,
	IKEV2_TRANS_ESN,
};

static void prop_to_wire(const struct proposal *p, uint8_t num,
			 const uint8_t *spi, uint8_t spi_size,
			 struct ike_prop *w)
{
	size_t i;
	int j;

	memset(w, 0, sizeof(*w));
	w->num = num;
	w->proto = p->protocol;
	w->spi_size = spi_size;
	if (spi_size)
		memcpy(w->spi, spi, spi_size);
	for (i = 0; i < N(type_order); i++) {
		unsigned t = type_order[i];

		for (j = 0; j < p->n[t] && w->n_xf < IKE_PROP_MAX_XFORMS; j++) {
			struct ike_xform *x = &w->xf[w->n_xf++];

			x->type = (uint8_t)t;
			x->id = p->t[t][j].id;
			x->keylen = p->t[t][j].key_bits;
		}
	}
}

/* -1: a transform type or attribute we do not know (RFC 7296 3.3.6:
 * such a proposal is rejected). */
static int prop_from_wire(const struct ike_prop *w, struct proposal *p)
{
	unsigned i;

	memset(p, 0, sizeof(*p));
	p->protocol = w->proto;
	p->num = w->num;
	for (i = 0; i < w->n_xf; i++) {
		const struct ike_xform *x = &w->xf[i];

		if (x->unknown_attr || !x->type || x->type >= PROP_NTYPES)
			return -1;
		if (proposal_add(p, x->type, x->id, x->keylen))
			return -1;
	}
	return 0;
}

/* The proposals of an SA payload for one protocol, unusable ones left
 * out; their wire index in idx[]. */
static size_t props_from_sa(const struct ike_sa *w, uint8_t proto,
			    struct proposal *out, unsigned *idx)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < w->n_prop; i++) {
		if (w->prop[i].proto != proto)
			continue;
		if (proto == IKEV2_PROTO_ESP && w->prop[i].spi_size != 4)
			continue;
		if (prop_from_wire(&w->prop[i], &out[n]))
			continue;
		idx[n++] = i;
	}
	return n;
}

static void props_str(const struct proposal *v, size_t n, char *buf,
		      size_t len)
{
	size_t i, off = 0;

	buf[0] = 0;
	for (i = 0; i < n && off < len; i++) {
		if (i)
			off += (size_t)snprintf(buf + off, len - off, ", ");
		if (off < len)
			off += proposal_str(&v[i], buf + off, len - off);
	}
}

static void prop_suite(const struct proposal *p, struct suite *s)
{
	memset(s, 0, sizeof(*s));
	s->encr = p->t[IKEV2_TRANS_ENCR][0].id;
	s->encr_keybits = p->t[IKEV2_TRANS_ENCR][0].key_bits;
	s->integ = p->n[IKEV2_TRANS_INTEG] ? p->t[IKEV2_TRANS_INTEG][0].id :
					     IKEV2_INTEG_NONE;
	s->prf = p->n[IKEV2_TRANS_PRF] ? p->t[IKEV2_TRANS_PRF][0].id : 0;
}

static bool offers_group(const struct proposal_list *l, int group)
{
	size_t i;
	int j;

	for (i = 0; i < l->n; i++)
		for (j = 0; j < l->v[i].n[IKEV2_TRANS_DH]; j++)
			if (l->v[i].t[IKEV2_TRANS_DH][j].id == group)
				return true;
	return false;
}

/* ---- NAT detection (RFC 7296 2.23) ---- */

/* SHA-1(SPIi | SPIr | IP | port) */
static void natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8],
		      const struct sockaddr *a, uint8_t out[20])
{
	uint8_t buf[8 + 8 + 16 + 2];
	const uint8_t *ip;
	size_t n;
	unsigned int olen = 20;

	ip = addr_ip(a, &n);
	memcpy(buf, spi_i, 8);
	memcpy(buf + 8, spi_r, 8);
	memcpy(buf + 16, ip, n);
	put16(buf + 16 + n, addr_port(a));
	if (!EVP_Digest(buf, 16 + n + 2, out, &olen, EVP_sha1(), NULL))
		memset(out, 0, 20);
}

/*
 * Checks the peer's NAT_DETECTION payloads of m (hashed with the SPIs of
 * m's header) against the addresses the datagram really had.  Returns
 * false if the peer sent none.
 */
static bool natd_check(struct ikesa *sa, const struct ike_msg *m,
		       const struct sockaddr *from, const struct sockaddr *to)
{
	uint8_t hsrc[20], hdst[20];
	bool have_src = false, have_dst = false, src_ok = false, dst_ok = false;
	struct ike_notify n;
	struct ike_err err;
	unsigned i;

	natd_hash(m->spi_i, m->spi_r, from, hsrc);
	natd_hash(m->spi_i, m->spi_r, to, hdst);
	for (i = 0; i < m->n; i++) {
		if (m->pl[i].type != IKEV2_PL_NOTIFY ||
		    ike_pl_notify(&m->pl[i], &n, &err))
			continue;
		if (n.type == IKEV2_N_NAT_DETECTION_SOURCE_IP) {
			have_src = true;
			if (n.data.len == 20 && !memcmp(n.data.p, hsrc, 20))
				src_ok = true;
		} else if (n.type == IKEV2_N_NAT_DETECTION_DESTINATION_IP) {
			have_dst = true;
			if (n.data.len == 20 && !memcmp(n.data.p, hdst, 20))
				dst_ok = true;
		}
	}
	if (!have_src || !have_dst)
		return false;
	sa->nat_remote = !src_ok;
	sa->nat_local = !dst_ok;
	if (sa->nat_local || sa->nat_remote)
		sa_log(sa, IKE_LOG_INFO, "NAT detected: %s%s%s",
		       sa->nat_local ? "we are behind a NAT" : "",
		       sa->nat_local && sa->nat_remote ? ", " : "",
		       sa->nat_remote ? "the peer is behind a NAT" : "");
	return true;
}

/* What the peer's IKE_SA_INIT message says about signatures: the hashes
 * of its SIGNATURE_HASH_ALGORITHMS (RFC 7427), and whether it asks for
 * our certificate. */
static void scan_init_notifies(struct ikesa *sa, const struct ike_msg *m)
{
	struct ike_notify n;
	struct ike_err err;
	unsigned i;

	sa->peer_hashes = 0;
	sa->peer_frag = false;
	for (i = 0; i < m->n; i++) {
		if (m->pl[i].type != IKEV2_PL_NOTIFY ||
		    ike_pl_notify(&m->pl[i], &n, &err))
			continue;
		if (n.type == IKEV2_N_SIGNATURE_HASH_ALGORITHMS)
			sa->peer_hashes |= auth_hashes_parse(n.data.p,
							     n.data.len);
		else if (n.type == IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED)
			sa->peer_frag = true;
	}
}

static int buf_notify(struct ike_buf *b, uint8_t proto, uint16_t type,
		      const void *data, size_t len)
{
	struct ike_notify n = {
		.proto = proto, .type = type,
		.data = { data, len },
	};

	return ike_buf_notify(b, &n);
}

/*
 * NAT_DETECTION_*, SIGNATURE_HASH_ALGORITHMS and
 * IKEV2_FRAGMENTATION_SUPPORTED, for both IKE_SA_INIT messages.
 */
static void buf_init_notifies(struct ike_buf *b, const struct ikesa *sa,
			      const uint8_t spi_r[8])
{
	static const uint8_t hashes[] = { 0, IKEV2_HASH_SHA2_256, 0,
		IKEV2_HASH_SHA2_384, 0, IKEV2_HASH_SHA2_512, 0,
		IKEV2_HASH_IDENTITY };
	uint8_t h[20];

	natd_hash(sa->spi_i, spi_r, (const struct sockaddr *)&sa->local, h);
	buf_notify(b, 0, IKEV2_N_NAT_DETECTION_SOURCE_IP, h, 20);
	natd_hash(sa->spi_i, spi_r, (const struct sockaddr *)&sa->remote, h);
	buf_notify(b, 0, IKEV2_N_NAT_DETECTION_DESTINATION_IP, h, 20);
	buf_notify(b, 0, IKEV2_N_SIGNATURE_HASH_ALGORITHMS, hashes,
		   sizeof(hashes));
	buf_notify(b, 0, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
}

/* ---- sending ---- */

static void send_dgram(struct ikesa *sa, const uint8_t *buf, size_t len)
{
	if (sa->d->io->send(sa->d->ctx, buf, len,
			    (const struct sockaddr *)&sa->local,
			    (const struct sockaddr *)&sa->remote))
		sa_log(sa, IKE_LOG_WARN, "sending %zu bytes failed", len);
}

/*
 * A message as we send it, and keep it for retransmission: one datagram,
 * or its fragments (RFC 7383), each behind its length in 4 octets.
 */
static uint8_t *wire_add(uint8_t *w, size_t *wlen, const uint8_t *d,
			 size_t len)
{
	uint8_t *n = realloc(w, *wlen + 4 + len);

	if (!n) {
		free(w);
		*wlen = 0;
		return NULL;
	}
	n[*wlen] = (uint8_t)(len >> 24);
	n[*wlen + 1] = (uint8_t)(len >> 16);
	n[*wlen + 2] = (uint8_t)(len >> 8);
	n[*wlen + 3] = (uint8_t)len;
	memcpy(n + *wlen + 4, d, len);
	*wlen += 4 + len;
	return n;
}

static void send_wire(struct ikesa *sa, const uint8_t *w, size_t wlen)
{
	size_t off = 0, len;

	while (wlen - off >= 4) {
		len = (size_t)w[off] << 24 | (size_t)w[off + 1] << 16 |
		      (size_t)w[off + 2] << 8 | w[off + 3];
		if (len > wlen - off - 4)
			break;
		send_dgram(sa, w + off + 4, len);
		off += 4 + len;
	}
}

static void hdr_for(const struct ikesa *sa, struct ike_msg *h, uint8_t exch,
		    bool response, uint32_t msgid)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->spi_i, sa->spi_i, 8);
	memcpy(h->spi_r, sa->spi_r, 8);
	h->exchange = exch;
	h->flags = (uint8_t)((sa->initiator ? IKEV2_FLAG_INITIATOR : 0) |
			     (response ? IKEV2_FLAG_RESPONSE : 0));
	h->msgid = msgid;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	if (c)
		memcpy(c, p, len);
	return c;
}

/* Sends a request (wire_add() form, which it takes over) and arms its
 * retransmission. */
static int start_request_wire(struct ikesa *sa, uint8_t *w, size_t wlen,
			      uint8_t exch, uint32_t msgid)
{
	free(sa->req);
	sa->req = w;
	if (!sa->req)
		return -1;
	sa->req_len = wlen;
	sa->req_id = msgid;
	sa->req_exchange = exch;
	sa->req_tries = 0;
	sa->req_deadline = sa->d->io->now(sa->d->ctx) + IKE_RETRANSMIT_BASE_MS;
	send_wire(sa, sa->req, sa->req_len);
	return 0;
}

/* start_request_wire() for one datagram. */
static int start_request(struct ikesa *sa, const uint8_t *buf, size_t len,
			 uint8_t exch, uint32_t msgid)
{
	size_t wlen = 0;
	uint8_t *w = wire_add(NULL, &wlen, buf, len);

	return start_request_wire(sa, w, wlen, exch, msgid);
}

/* The response to our outstanding request arrived. */
static void request_done(struct ikesa *sa)
{
	free(sa->req);
	sa->req = NULL;
	sa->req_deadline = 0;
	sa->my_next_id++;
}

/* Sends a response (wire_add() form, which it takes over) and keeps it
 * for retransmitted requests. */
static void respond_wire(struct ikesa *sa, uint8_t *w, size_t wlen)
{
	free(sa->last_resp);
	sa->last_resp = w;
	sa->last_resp_len = w ? wlen : 0;
	if (w)
		send_wire(sa, w, wlen);
}

static void respond(struct ikesa *sa, const uint8_t *buf, size_t len)
{
	size_t wlen = 0;
	uint8_t *w = wire_add(NULL, &wlen, buf, len);

	respond_wire(sa, w, wlen);
}

/* Header | SK { inner }; the length, or -1. */
static long build_sk(struct ikesa *sa, uint8_t exch, bool response,
		     uint32_t msgid, struct ike_buf *inner, uint8_t *out,
		     size_t cap)
{
	struct ike_buf b;
	struct ike_msg h;
	const char *err = NULL;
	long plain = ike_buf_finish(inner), len;
	size_t sk_off, body;
	uint8_t *zero;

	if (plain < 0)
		return -1;
	hdr_for(sa, &h, exch, response, msgid);
	ike_buf_init(&b, out, cap);
	ike_buf_hdr(&b, &h);
	sk_off = b.len;
	body = sk_body_len(&sa->keys.sizes, (size_t)plain);
	zero = calloc(1, body);
	if (!zero)
		return -1;
	ike_buf_sk(&b, inner->first, zero, body);
	free(zero);
	len = ike_buf_finish(&b);
	if (len < 0 || sk_encrypt(&sa->keys, sa->initiator, out, (size_t)len,
				  sk_off, inner->p, (size_t)plain, &err)) {
		sa_log(sa, IKE_LOG_ERR, "cannot build %s message: %s",
		       ike_exchange_name(exch), err ? err : "too large");
		return -1;
	}
	return len;
}

/*
 * The largest datagram we send in one piece once the peer takes
 * fragments: an IP packet of frag_size octets less the IP and UDP headers
 * and the non-ESP marker on port 4500.
 */
static size_t frag_limit(const struct ikesa *sa)
{
	size_t l = sa->d->frag_size -
		   (sa->remote.ss_family == AF_INET6 ? 40 : 20) - 8;

	if (addr_port((const struct sockaddr *)&sa->local) == IKEV2_NATT_PORT ||
	    addr_port((const struct sockaddr *)&sa->remote) == IKEV2_NATT_PORT)
		l -= 4;
	return l;
}

/* The inner payloads of inner (plain, plen) as Encrypted Fragment
 * payloads of at most frag_limit() octets each (RFC 7383 2.5). */
static uint8_t *fragment(struct ikesa *sa, uint8_t exch, bool response,
			 uint32_t msgid, uint8_t first, const uint8_t *plain,
			 size_t plen, size_t *wlen)
{
	const struct key_sizes *ks = &sa->keys.sizes;
	size_t room = frag_limit(sa) - IKEV2_HDR_LEN - IKEV2_GENERIC_HDR_LEN -
		      4 - ks->iv - ks->icv, share, total, i;
	uint8_t out[IKE_MAX_MSG], *w = NULL;

	*wlen = 0;
	/* Room for the share, the pad length octet and the padding. */
	share = ks->block > 1 ? room / ks->block * ks->block - 1 : room - 1;
	total = (plen + share - 1) / share;
	if (!total || total > FRAG_MAX) {
		sa_log(sa, IKE_LOG_ERR, "cannot fragment a %s message of %zu octets",
		       ike_exchange_name(exch), plen);
		return NULL;
	}
	for (i = 0; i < total; i++) {
		size_t at = i * share, n = plen - at < share ? plen - at : share;
		size_t body = sk_body_len(ks, n), skf_off;
		struct ike_skf f = { .num = (uint16_t)(i + 1),
				     .total = (uint16_t)total };
		const char *e = NULL;
		struct ike_buf b;
		struct ike_msg h;
		uint8_t *zero = calloc(1, body);
		long len;

		if (!zero) {
			free(w);
			*wlen = 0;
			return NULL;
		}
		f.data = (struct ike_bytes){ zero, body };
		hdr_for(sa, &h, exch, response, msgid);
		ike_buf_init(&b, out, sizeof(out));
		ike_buf_hdr(&b, &h);
		skf_off = b.len;
		ike_buf_skf(&b, i ? 0 : first, &f);
		free(zero);
		len = ike_buf_finish(&b);
		if (len < 0 || skf_encrypt(&sa->keys, sa->initiator, out,
					   (size_t)len, skf_off, plain + at, n,
					   &e)) {
			sa_log(sa, IKE_LOG_ERR, "cannot build fragment %zu of %zu: %s",
			       i + 1, total, e ? e : "too large");
			free(w);
			*wlen = 0;
			return NULL;
		}
		w = wire_add(w, wlen, out, (size_t)len);
		if (!w)
			return NULL;
	}
	sa_log(sa, IKE_LOG_DEBUG, "%s %s %u: %zu octets sent in %zu fragments",
	       ike_exchange_name(exch), response ? "response" : "request",
	       msgid, plen, total);
	return w;
}

/* inner as one SK datagram, or in fragments when it is too large for
 * one and the peer announced that it takes them. */
static uint8_t *build_wire(struct ikesa *sa, uint8_t exch, bool response,
			   uint32_t msgid, struct ike_buf *inner, size_t *wlen)
{
	uint8_t out[IKE_MAX_MSG];
	long len = build_sk(sa, exch, response, msgid, inner, out,
			    sizeof(out));

	*wlen = 0;
	if (len < 0)
		return NULL;
	if (!sa->peer_frag || (size_t)len <= frag_limit(sa))
		return wire_add(NULL, wlen, out, (size_t)len);
	return fragment(sa, exch, response, msgid, inner->first, inner->p,
			(size_t)ike_buf_finish(inner), wlen);
}

static int send_request_sk(struct ikesa *sa, uint8_t exch,
			   struct ike_buf *inner)
{
	size_t wlen;
	uint8_t *w = build_wire(sa, exch, false, sa->my_next_id, inner, &wlen);

	if (!w)
		return -1;
	return start_request_wire(sa, w, wlen, exch, sa->my_next_id);
}

static int send_response_sk(struct ikesa *sa, uint8_t exch, uint32_t msgid,
			    struct ike_buf *inner)
{
	size_t wlen;
	uint8_t *w = build_wire(sa, exch, true, msgid, inner, &wlen);

	if (!w)
		return -1;
	respond_wire(sa, w, wlen);
	return 0;
}

/* An encrypted response carrying one notify (an error, usually). */
static void respond_notify_sk(struct ikesa *sa, uint8_t exch, uint32_t msgid,
			      uint16_t type, const void *data, size_t len)
{
	uint8_t mem[512];
	struct ike_buf in;

	ike_buf_init_inner(&in, mem, sizeof(mem));
	buf_notify(&in, 0, type, data, len);
	send_response_sk(sa, exch, msgid, &in);
}

/* An unencrypted IKE_SA_INIT response with one notify; no SA kept. */
static void respond_init_notify(struct ike_daemon *d, const struct ike_msg *m,
				const struct sockaddr *from,
				const struct sockaddr *to, uint16_t type,
				const void *data, size_t len)
{
	uint8_t out[512];
	struct ike_buf b;
	struct ike_msg h;
	long n;

	memset(&h, 0, sizeof(h));
	memcpy(h.spi_i, m->spi_i, 8);
	h.exchange = IKEV2_EXCH_IKE_SA_INIT;
	h.flags = IKEV2_FLAG_RESPONSE;
	ike_buf_init(&b, out, sizeof(out));
	ike_buf_hdr(&b, &h);
	buf_notify(&b, 0, type, data, len);
	n = ike_buf_finish(&b);
	if (n > 0)
		d->io->send(d->ctx, out, (size_t)n, to, from);
}

/* ---- SA objects ---- */

static struct ikesa *sa_new(struct ike_daemon *d, bool initiator,
			    const struct sockaddr *local,
			    const struct sockaddr *remote)
{
	struct ikesa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sa->d = d;
	sa->initiator = initiator;
	sa->uid = ++d->next_uid;
	addr_copy(&sa->local, local);
	addr_copy(&sa->remote, remote);
	sa->created = d->io->now(d->ctx);
	sa->next = d->sas;
	d->sas = sa;
	return sa;
}

static void sa_free(struct ikesa *sa)
{
	frag_reset(&sa->frag_req);
	frag_reset(&sa->frag_resp);
	child_uninstall(sa);
	child_keys_free(&sa->child.keys);
	ike_keys_free(&sa->keys);
	dh_free(sa->dh);
	free(sa->init_req);
	free(sa->init_resp);
	free(sa->req);
	free(sa->last_req);
	free(sa->last_resp);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

static void sa_unlink(struct ikesa *sa)
{
	struct ikesa **pp;

	for (pp = &sa->d->sas; *pp; pp = &(*pp)->next)
		if (*pp == sa) {
			*pp = sa->next;
			return;
		}
}

static int random_spi8(uint8_t spi[8])
{
	static const uint8_t zero[8];

	do {
		if (RAND_bytes(spi, 8) != 1)
			return -1;
	} while (!memcmp(spi, zero, 8));
	return 0;
}

/* g^ir, SKEYSEED and SK_* once both nonces and KEs are known. */
static int derive_ike_keys(struct ikesa *sa, const struct ike_ke *peer_ke)
{
	struct key gir = { 0 }, seed = { 0 };
	struct suite s;
	const char *err = NULL;
	int r = -1;

	prop_suite(&sa->ike_prop, &s);
	if (dh_shared(sa->dh, peer_ke->data.p, peer_ke->data.len, &gir, &err))
		goto out;
	if (ike_skeyseed(s.prf, CHUNK(sa->ni, sa->ni_len),
			 CHUNK(sa->nr, sa->nr_len), key_chunk(&gir), &seed))
		goto out;
	if (ike_keys_derive(&sa->keys, &s, key_chunk(&seed),
			    CHUNK(sa->ni, sa->ni_len), CHUNK(sa->nr, sa->nr_len),
			    sa->spi_i, sa->spi_r, &err))
		goto out;
	sa->have_keys = true;
	r = 0;
out:
	if (r)
		set_error(sa, "key derivation failed: %s",
			  err ? err : "internal error");
	key_free(&gir);
	key_free(&seed);
	dh_free(sa->dh);
	sa->dh = NULL;
	return r;
}

/* ---- Child SAs ---- */

static int alloc_spi(struct ikesa *sa, uint32_t *spi)
{
	const struct ike_io *io = sa->d->io;
	int tries;

	if (io->spi_alloc)
		return io->spi_alloc(sa->d->ctx, spi);
	for (tries = 0; tries < 16; tries++) {
		if (RAND_bytes((uint8_t *)spi, sizeof(*spi)) != 1)
			return -1;
		if (*spi >= 256)
			return 0;
	}
	return -1;
}

/* The kernel's names for the negotiated ESP transforms. */
static int kernel_algs(const struct proposal *p, struct ike_child_dir *c,
		       const struct key *encr, const struct key *integ)
{
	uint16_t e = p->t[IKEV2_TRANS_ENCR][0].id;
	uint16_t i = p->n[IKEV2_TRANS_INTEG] ? p->t[IKEV2_TRANS_INTEG][0].id : 0;

	switch (e) {
	case IKEV2_ENCR_AES_GCM_16:
	case IKEV2_ENCR_AES_GCM_12:
	case IKEV2_ENCR_AES_GCM_8:
		c->aead_name = "rfc4106(gcm(aes))";
		c->aead_icv_bits = e == IKEV2_ENCR_AES_GCM_16 ? 128 :
				   e == IKEV2_ENCR_AES_GCM_12 ? 96 : 64;
		c->aead_key = key_chunk(encr);
		return 0;
	case IKEV2_ENCR_CHACHA20_POLY1305:
		c->aead_name = "rfc7539esp(chacha20,poly1305)";
		c->aead_icv_bits = 128;
		c->aead_key = key_chunk(encr);
		return 0;
	case IKEV2_ENCR_AES_CBC:
		c->enc_name = "cbc(aes)";
		c->enc_key = key_chunk(encr);
		break;
	default:
		return -1;
	}
	c->auth_key = key_chunk(integ);
	switch (i) {
	case IKEV2_INTEG_HMAC_SHA2_256_128:
		c->auth_name = "hmac(sha256)";
		c->auth_trunc_bits = 128;
		return 0;
	case IKEV2_INTEG_HMAC_SHA2_384_192:
		c->auth_name = "hmac(sha384)";
		c->auth_trunc_bits = 192;
		return 0;
	case IKEV2_INTEG_HMAC_SHA2_512_256:
		c->auth_name = "hmac(sha512)";
		c->auth_trunc_bits = 256;
		return 0;
	}
	return -1;
}

/*
 * Derives the Child SA keys (KEYMAT from this IKE SA's nonces, no PFS in
 * IKE_AUTH) and installs inbound, then outbound.  "_i" keys protect the
 * traffic the IKE initiator sends.
 */
static int child_install(struct ikesa *sa)
{
	struct child_sa *c = &sa->child;
	struct ike_child_dir in, out;
	struct suite s;
	const char *err = NULL;
	bool nat = sa->nat_local || sa->nat_remote;

	prop_suite(&c->prop, &s);
	s.prf = 0;
	if (child_keys_derive(&c->keys, &s, sa->ike_prop.t[IKEV2_TRANS_PRF][0].id,
			      key_chunk(&sa->keys.sk_d), CHUNK(NULL, 0),
			      CHUNK(sa->ni, sa->ni_len),
			      CHUNK(sa->nr, sa->nr_len), &err)) {
		set_error(sa, "Child SA %s: key derivation failed: %s",
			  c->conf->name, err ? err : "internal error");
		return -1;
	}
	memset(&in, 0, sizeof(in));
	in.conn = sa->conn->name;
	in.child = c->conf->name;
	in.interface = c->conf->interface;
	in.esn = c->esn;
	in.soft_time = c->conf->rekey_time;
	in.hard_time = c->conf->life_time;
	if (nat) {
		in.encap_sport = addr_port((const struct sockaddr *)&sa->local);
		in.encap_dport = addr_port((const struct sockaddr *)&sa->remote);
	}
	out = in;
	/* inbound: peer -> us */
	in.dir = ESPTUN_SA_DIR_IN;
	in.spi = c->spi_in;
	in.src = sa->remote;
	in.dst = sa->local;
	in.sel_src = &c->ts_remote;
	in.sel_dst = &c->ts_local;
	if (nat) {
		in.encap_sport = out.encap_dport;
		in.encap_dport = out.encap_sport;
	}
	/* outbound: us -> peer */
	out.dir = ESPTUN_SA_DIR_OUT;
	out.spi = c->spi_out;
	out.src = sa->local;
	out.dst = sa->remote;
	out.sel_src = &c->ts_local;
	out.sel_dst = &c->ts_remote;
	if (sa->initiator) {
		kernel_algs(&c->prop, &in, &c->keys.encr_r, &c->keys.integ_r);
		kernel_algs(&c->prop, &out, &c->keys.encr_i, &c->keys.integ_i);
	} else {
		kernel_algs(&c->prop, &in, &c->keys.encr_i, &c->keys.integ_i);
		kernel_algs(&c->prop, &out, &c->keys.encr_r, &c->keys.integ_r);
	}
	if (!in.aead_name && !in.enc_name) {
		set_error(sa, "Child SA %s: the kernel has no ESP transform for this proposal",
			  c->conf->name);
		return -1;
	}
	if (sa->d->io->child_install(sa->d->ctx, &in)) {
		set_error(sa, "Child SA %s: the kernel refused the inbound SA (SPI %08x)",
			  c->conf->name, c->spi_in);
		return -1;
	}
	if (sa->d->io->child_install(sa->d->ctx, &out)) {
		sa->d->io->child_delete(sa->d->ctx, c->conf->interface,
					ESPTUN_SA_DIR_IN, c->spi_in,
					(const struct sockaddr *)&sa->local);
		set_error(sa, "Child SA %s: the kernel refused the outbound SA (SPI %08x)",
			  c->conf->name, c->spi_out);
		return -1;
	}
	c->installed = true;
	{
		char a[256], b[256], p[128];

		proposal_str(&c->prop, p, sizeof(p));
		sa_log(sa, IKE_LOG_INFO,
		       "Child SA %s established: SPIs %08x (in) %08x (out), %s, %s === %s",
		       c->conf->name, c->spi_in, c->spi_out, p,
		       ts_str(&c->ts_local, a, sizeof(a)),
		       ts_str(&c->ts_remote, b, sizeof(b)));
	}
	return 0;
}

static void child_uninstall(struct ikesa *sa)
{
	struct child_sa *c = &sa->child;

	if (!sa->has_child || !c->installed)
		return;
	sa->d->io->child_delete(sa->d->ctx, c->conf->interface,
				ESPTUN_SA_DIR_OUT, c->spi_out,
				(const struct sockaddr *)&sa->remote);
	sa->d->io->child_delete(sa->d->ctx, c->conf->interface,
				ESPTUN_SA_DIR_IN, c->spi_in,
				(const struct sockaddr *)&sa->local);
	c->installed = false;
	sa_log(sa, IKE_LOG_INFO, "Child SA %s deleted", c->conf->name);
}

/* ---- IKE_SA_INIT, initiator ---- */

static int send_init_request(struct ikesa *sa)
{
	static const uint8_t zero[8];
	struct ike_sa wsa;
	struct ike_ke ke;
	struct ike_nonce nonce = { { sa->ni, sa->ni_len } };
	uint8_t out[IKE_MAX_MSG], kebuf[1024];
	size_t kelen = dh_ke_len(sa->dh_group), i;
	struct ike_buf b;
	struct ike_msg h;
	long len;

	if (!kelen || kelen > sizeof(kebuf) || dh_public(sa->dh, kebuf, kelen))
		return -1;
	memset(&wsa, 0, sizeof(wsa));
	for (i = 0; i < sa->conn->ike.n && i < IKE_SA_MAX_PROPS; i++)
		prop_to_wire(&sa->conn->ike.v[i], (uint8_t)(i + 1), NULL, 0,
			     &wsa.prop[wsa.n_prop++]);
	ke.group = (uint16_t)sa->dh_group;
	ke.data = (struct ike_bytes){ kebuf, kelen };
	memset(sa->spi_r, 0, 8);
	hdr_for(sa, &h, IKEV2_EXCH_IKE_SA_INIT, false, 0);
	ike_buf_init(&b, out, sizeof(out));
	ike_buf_hdr(&b, &h);
	if (sa->cookie_len)
		buf_notify(&b, 0, IKEV2_N_COOKIE, sa->cookie, sa->cookie_len);
	ike_buf_sa(&b, &wsa);
	ike_buf_ke(&b, &ke);
	ike_buf_nonce(&b, &nonce);
	buf_init_notifies(&b, sa, zero);
	len = ike_buf_finish(&b);
	if (len < 0)
		return -1;
	free(sa->init_req);
	sa->init_req = dup_bytes(out, (size_t)len);
	if (!sa->init_req)
		return -1;
	sa->init_req_len = (size_t)len;
	sa->state = IKE_SA_INIT_SENT;
	return start_request(sa, out, (size_t)len, IKEV2_EXCH_IKE_SA_INIT, 0);
}

static int send_auth_request(struct ikesa *sa);
static void buf_certreq(struct ikesa *sa, const struct conf_conn *conn,
			struct ike_buf *b);

/* What the initiator can tell about an error notify in a response. */
static void explain_peer_notify(struct ikesa *sa, uint8_t exch, uint16_t type)
{
	char ours[PROP_ERR_LEN], a[256], b[256], lid[128], rid[128];
	struct ike_ts tsi = { 0 }, tsr = { 0 };

	switch (type) {
	case IKEV2_N_NO_PROPOSAL_CHOSEN:
		if (exch == IKEV2_EXCH_IKE_SA_INIT) {
			proposal_list_str(&sa->conn->ike, ours, sizeof(ours));
			sa_fail(sa, "the peer accepted none of our IKE proposals (NO_PROPOSAL_CHOSEN); we offered: %s; the peer's log names the transform type without overlap: make `proposals` share one proposal with the peer's",
				ours);
		} else {
			proposal_list_str(&sa->want_child->esp, ours,
					  sizeof(ours));
			set_error(sa, "the peer accepted none of our ESP proposals for child %s (NO_PROPOSAL_CHOSEN); we offered: %s; make `esp_proposals` share one proposal with the peer's",
				  sa->want_child->name, ours);
		}
		return;
	case IKEV2_N_AUTHENTICATION_FAILED:
		snprintf(lid, sizeof(lid), "%s", conf_id_str(&sa->conn->local.id));
		snprintf(rid, sizeof(rid), "%s", conf_id_str(&sa->conn->remote.id));
		if (sa->conn->local.method == CONF_AUTH_PUBKEY)
			sa_fail(sa, "the peer refused our authentication (AUTHENTICATION_FAILED): either it does not trust our certificate (is our CA in its cacerts?), or our ID %s is not the one it expects, or it wants another auth method; the peer's log says which",
				lid);
		else
			sa_fail(sa, "the peer refused our authentication (AUTHENTICATION_FAILED): either the pre-shared key for %s <-> %s differs between the two ends, or the peer has no connection or PSK for our ID %s; the peer's log says which",
				lid, rid, lid);
		return;
	case IKEV2_N_TS_UNACCEPTABLE:
		ts_from_conf(&sa->want_child->local_ts,
			     (const struct sockaddr *)&sa->local, &tsi);
		ts_from_conf(&sa->want_child->remote_ts,
			     (const struct sockaddr *)&sa->remote, &tsr);
		set_error(sa, "the peer refused our traffic selectors for child %s (TS_UNACCEPTABLE): we proposed local_ts %s, remote_ts %s; they must overlap the peer's remote_ts and local_ts",
			  sa->want_child->name, ts_str(&tsi, a, sizeof(a)),
			  ts_str(&tsr, b, sizeof(b)));
		return;
	case IKEV2_N_SINGLE_PAIR_REQUIRED:
		set_error(sa, "the peer wants a single address pair (SINGLE_PAIR_REQUIRED): narrow local_ts/remote_ts of child %s to one address each",
			  sa->want_child->name);
		return;
	case IKEV2_N_FAILED_CP_REQUIRED:
		set_error(sa, "the peer requires a virtual IP request (FAILED_CP_REQUIRED), which esptund does not send yet");
		return;
	default:
		set_error(sa, "the peer answered %s with %s (%u)",
			  ike_exchange_name(exch), notify_name(type), type);
	}
}

static void init_response(struct ikesa *sa, const struct ike_msg *m,
			  const uint8_t *buf, size_t len,
			  const struct sockaddr *from, const struct sockaddr *to)
{
	struct ike_err err;
	struct ike_notify n;
	struct ike_sa wsa;
	struct ike_ke ke;
	struct ike_nonce nonce;
	struct proposal peer, chosen;
	char why[PROP_ERR_LEN];
	unsigned i;

	/* Notifies that change course before anything else counts. */
	for (i = 0; i < m->n; i++) {
		if (m->pl[i].type != IKEV2_PL_NOTIFY ||
		    ike_pl_notify(&m->pl[i], &n, &err))
			continue;
		if (n.type == IKEV2_N_COOKIE) {
			if (!n.data.len || n.data.len > sizeof(sa->cookie)) {
				sa_log(sa, IKE_LOG_WARN, "ignoring a COOKIE of %zu bytes",
				       n.data.len);
				return;
			}
			if (++sa->cookie_retries > MAX_COOKIE_RETRIES) {
				sa_fail(sa, "the responder keeps asking for a COOKIE (%u times): it is overloaded or does not accept our IKE_SA_INIT",
					sa->cookie_retries - 1);
				return;
			}
			memcpy(sa->cookie, n.data.p, n.data.len);
			sa->cookie_len = n.data.len;
			sa_log(sa, IKE_LOG_INFO, "the responder asks for a COOKIE; retrying");
			send_init_request(sa);
			return;
		}
		if (n.type == IKEV2_N_INVALID_KE_PAYLOAD) {
			const char *e = NULL;
			int group = n.data.len == 2 ? get16(n.data.p) : 0;

			if (!offers_group(&sa->conn->ike, group)) {
				sa_fail(sa, "the peer wants DH group %d (INVALID_KE_PAYLOAD), which our proposals do not offer: add it to `proposals`",
					group);
				return;
			}
			if (group == sa->dh_group || ++sa->ke_retries > MAX_KE_RETRIES) {
				sa_fail(sa, "the peer keeps refusing our KE payload (INVALID_KE_PAYLOAD for group %d)",
					group);
				return;
			}
			sa_log(sa, IKE_LOG_INFO,
			       "the peer prefers DH group %d over %d (INVALID_KE_PAYLOAD); retrying with it",
			       group, sa->dh_group);
			dh_free(sa->dh);
			sa->dh = dh_new(group, &e);
			if (!sa->dh) {
				sa_fail(sa, "DH group %d: %s", group, e ? e : "failed");
				return;
			}
			sa->dh_group = group;
			send_init_request(sa);
			return;
		}
		if (n.type < IKEV2_N_STATUS_MIN) {
			explain_peer_notify(sa, IKEV2_EXCH_IKE_SA_INIT, n.type);
			sa_dead(sa);
			return;
		}
	}
	if (ike_msg_check_rules(m, 0, &err)) {
		/* Unauthenticated: wait for a better answer. */
		sa_log(sa, IKE_LOG_WARN, "ignoring a malformed IKE_SA_INIT response: %s",
		       err.msg);
		return;
	}
	if (!memcmp(m->spi_r, "\0\0\0\0\0\0\0\0", 8)) {
		sa_log(sa, IKE_LOG_WARN, "ignoring an IKE_SA_INIT response without responder SPI");
		return;
	}
	if (ike_pl_sa(ike_msg_find(m, IKEV2_PL_SA, 0), m, &wsa, &err) ||
	    ike_pl_ke(ike_msg_find(m, IKEV2_PL_KE, 0), &ke, &err) ||
	    ike_pl_nonce(ike_msg_find(m, IKEV2_PL_NONCE, 0), &nonce, &err)) {
		sa_log(sa, IKE_LOG_WARN, "ignoring a malformed IKE_SA_INIT response: %s",
		       err.msg);
		return;
	}
	if (wsa.n_prop != 1 || prop_from_wire(&wsa.prop[0], &peer) ||
	    proposal_select(&sa->conn->ike, &peer, 1, 0, &chosen, why) < 0) {
		sa_fail(sa, "the responder chose an IKE proposal we did not offer");
		return;
	}
	if (!chosen.n[IKEV2_TRANS_DH] ||
	    chosen.t[IKEV2_TRANS_DH][0].id != sa->dh_group ||
	    ke.group != sa->dh_group) {
		sa_fail(sa, "the responder's KE payload (group %u) does not match our KE (group %d)",
			ke.group, sa->dh_group);
		return;
	}
	sa->ike_prop = chosen;
	memcpy(sa->spi_r, m->spi_r, 8);
	memcpy(sa->nr, nonce.data.p, nonce.data.len);
	sa->nr_len = nonce.data.len;
	if (derive_ike_keys(sa, &ke)) {
		sa_dead(sa);
		return;
	}
	free(sa->init_resp);
	sa->init_resp = dup_bytes(buf, len);
	if (!sa->init_resp) {
		sa_fail(sa, "out of memory");
		return;
	}
	sa->init_resp_len = len;
	request_done(sa);
	natd_check(sa, m, from, to);
	scan_init_notifies(sa, m);
	if (sa->nat_local || sa->nat_remote) {
		/* RFC 7296 2.23 / RFC 3948: float to 4500 with the non-ESP
		 * marker, which the socket layer adds. */
		addr_set_port(&sa->local, IKEV2_NATT_PORT);
		addr_set_port(&sa->remote, IKEV2_NATT_PORT);
	}
	{
		char p[128];

		proposal_str(&sa->ike_prop, p, sizeof(p));
		sa_log(sa, IKE_LOG_INFO, "IKE_SA_INIT done: %s", p);
	}
	if (send_auth_request(sa))
		sa_dead(sa);
}

/* ---- COOKIEs (RFC 7296 2.6) ---- */

static unsigned half_open_count(const struct ike_daemon *d)
{
	const struct ikesa *sa;
	unsigned n = 0;

	for (sa = d->sas; sa; sa = sa->next)
		if (sa->state == IKE_SA_INIT_DONE)
			n++;
	return n;
}

/* Draws the first secret, or a new one once the current one is
 * IKE_COOKIE_SECRET_MS old (the previous one stays valid). */
static int cookie_secret_update(struct ike_daemon *d)
{
	uint64_t now = d->io->now(d->ctx);

	if (d->cookie_secret_time &&
	    now - d->cookie_secret_time < IKE_COOKIE_SECRET_MS)
		return 0;
	if (d->cookie_secret_time)
		d->cookie_version++;
	if (RAND_bytes(d->cookie_secret[d->cookie_version & 1], 32) != 1)
		return -1;
	d->cookie_secret_time = now ? now : 1;
	return 0;
}

/* Cookie = version | HMAC-SHA-256(secret[version], Ni | IPi | SPIi) */
static int cookie_make(const struct ike_daemon *d, uint32_t version,
		       const struct ike_bytes *ni, const struct sockaddr *from,
		       const uint8_t spi_i[8], uint8_t out[IKE_COOKIE_LEN])
{
	struct chunk data[3];
	size_t iplen;
	const uint8_t *ip = addr_ip(from, &iplen);

	data[0] = CHUNK(ni->p, ni->len);
	data[1] = CHUNK(ip, iplen);
	data[2] = CHUNK(spi_i, 8);
	out[0] = (uint8_t)(version >> 24);
	out[1] = (uint8_t)(version >> 16);
	out[2] = (uint8_t)(version >> 8);
	out[3] = (uint8_t)version;
	return prf(IKEV2_PRF_HMAC_SHA2_256,
		   CHUNK(d->cookie_secret[version & 1], 32), data, 3, out + 4);
}

/*
 * Whether an IKE_SA_INIT request may create state.  Under load, a request
 * without a COOKIE we made (with the current or the previous secret) from
 * this initiator's Ni, address and SPIi is answered with one and dropped.
 */
static bool cookie_ok(struct ike_daemon *d, const struct ike_msg *m,
		      const struct ike_bytes *ni, const struct sockaddr *from,
		      const struct sockaddr *to)
{
	const struct ike_pl *pl = ike_msg_find(m, IKEV2_PL_NOTIFY, 0);
	uint8_t want[IKE_COOKIE_LEN];
	struct ike_notify n;
	struct ike_err err;
	uint32_t version;
	bool ok = false, had = false;

	if (half_open_count(d) < d->cookie_threshold)
		return true;
	if (cookie_secret_update(d))
		return false;
	/* The COOKIE notify must come first (RFC 7296 2.6). */
	if (m->n && pl == &m->pl[0] && !ike_pl_notify(pl, &n, &err) &&
	    n.type == IKEV2_N_COOKIE && n.data.len == IKE_COOKIE_LEN) {
		had = true;
		version = get32(n.data.p);
		if ((version == d->cookie_version ||
		     version + 1 == d->cookie_version) &&
		    !cookie_make(d, version, ni, from, m->spi_i, want))
			ok = CRYPTO_memcmp(want, n.data.p, IKE_COOKIE_LEN) == 0;
	}
	if (ok)
		return true;
	d->io->log(d->ctx, IKE_LOG_DEBUG,
		   "%u IKE SAs half-open: answering an IKE_SA_INIT request %s with a COOKIE",
		   half_open_count(d),
		   had ? "with a stale or forged COOKIE" : "without COOKIE");
	if (!cookie_make(d, d->cookie_version, ni, from, m->spi_i, want))
		respond_init_notify(d, m, from, to, IKEV2_N_COOKIE, want,
				    sizeof(want));
	OPENSSL_cleanse(want, sizeof(want));
	return false;
}

/* ---- What unauthenticated peers can make us hold ---- */

/*
 * Whether an IKE_SA_INIT request from this address may make a half-open
 * SA.  COOKIEs prove the address, nothing more: one address, or many real
 * ones, could still fill memory and our DH time.  Past the bounds the
 * request is dropped unanswered, and the initiator retransmits later.
 */
static bool half_open_room(struct ike_daemon *d, const struct sockaddr *from)
{
	unsigned all = 0, peer = 0;
	const struct ikesa *sa;
	char a[64];

	for (sa = d->sas; sa; sa = sa->next) {
		if (sa->state != IKE_SA_INIT_DONE)
			continue;
		all++;
		if (addr_eq((const struct sockaddr *)&sa->remote, from, false))
			peer++;
	}
	if (peer >= d->block_threshold) {
		d->io->log(d->ctx, IKE_LOG_DEBUG,
			   "IKE_SA_INIT from %s dropped: %u half-open IKE SAs from that address already (at most %u)",
			   addr_str(from, a, sizeof(a)), peer,
			   d->block_threshold);
		return false;
	}
	if (all >= d->half_open_max) {
		d->io->log(d->ctx, IKE_LOG_DEBUG,
			   "IKE_SA_INIT from %s dropped: %u half-open IKE SAs already (at most %u)",
			   addr_str(from, a, sizeof(a)), all, d->half_open_max);
		return false;
	}
	return true;
}

/*
 * Failed SAs stay IKE_DEAD_LINGER_MS so that `list` shows why; those of
 * initiators that never authenticated are anybody's to make, so only the
 * newest failed_unauth_max stay.  Called before a responder SA is made.
 */
static void forget_failed_unauth(struct ike_daemon *d)
{
	struct ikesa *sa, *oldest;
	unsigned n;

	for (;;) {
		n = 0;
		oldest = NULL;
		for (sa = d->sas; sa; sa = sa->next) {
			if (sa->initiator || sa->authenticated ||
			    sa->state != IKE_DEAD)
				continue;
			n++;
			if (!oldest || sa->dead_since <= oldest->dead_since)
				oldest = sa;
		}
		if (n < d->failed_unauth_max || !oldest)
			return;
		sa_unlink(oldest);
		sa_free(oldest);
	}
}

/* ---- IKE_SA_INIT, responder ---- */

static const struct conf_conn *
next_conn_for(const struct config *cfg, size_t *i,
	      const struct sockaddr *from, const struct sockaddr *to)
{
	for (; *i < cfg->n_conns; (*i)++) {
		const struct conf_conn *c = &cfg->conns[*i];

		if ((c->version == 0 || c->version == 2) &&
		    addrs_match(&c->local_addrs, to) &&
		    addrs_match(&c->remote_addrs, from)) {
			(*i)++;
			return c;
		}
	}
	return NULL;
}

static int init_request(struct ike_daemon *d, const struct ike_msg *m,
			const uint8_t *buf, size_t len,
			const struct sockaddr *from, const struct sockaddr *to)
{
	struct proposal peer[IKE_SA_MAX_PROPS], chosen;
	unsigned idx[IKE_SA_MAX_PROPS];
	const struct conf_conn *conn, *first = NULL;
	char why[PROP_ERR_LEN] = "", first_why[PROP_ERR_LEN] = "";
	struct ike_err err;
	struct ike_sa wsa, answer;
	struct ike_ke ke, myke;
	struct ike_nonce nonce, mynonce;
	struct ikesa *sa;
	size_t npeer, ci = 0;
	uint8_t out[IKE_MAX_MSG], kebuf[1024], g[2];
	const char *e = NULL;
	struct ike_buf b;
	struct ike_msg h;
	long olen;
	int group, pi = -1;

	/* A retransmission: replay our answer. */
	for (sa = d->sas; sa; sa = sa->next) {
		if (sa->initiator || memcmp(sa->spi_i, m->spi_i, 8) ||
		    !addr_eq((const struct sockaddr *)&sa->remote, from, true))
			continue;
		if (sa->last_req && sa->last_req_len == len &&
		    !memcmp(sa->last_req, buf, len) && sa->last_resp) {
			sa_log(sa, IKE_LOG_DEBUG, "IKE_SA_INIT retransmitted; resending our response");
			send_wire(sa, sa->last_resp, sa->last_resp_len);
			return 0;
		}
		return -1;
	}
	if (ike_msg_check_rules(m, 0, &err) ||
	    ike_pl_sa(ike_msg_find(m, IKEV2_PL_SA, 0), m, &wsa, &err) ||
	    ike_pl_ke(ike_msg_find(m, IKEV2_PL_KE, 0), &ke, &err) ||
	    ike_pl_nonce(ike_msg_find(m, IKEV2_PL_NONCE, 0), &nonce, &err)) {
		d->io->log(d->ctx, IKE_LOG_WARN, "IKE_SA_INIT request refused: %s",
			   err.msg);
		if (err.notify)
			respond_init_notify(d, m, from, to, err.notify, NULL, 0);
		return -1;
	}
	if (!cookie_ok(d, m, &nonce.data, from, to) ||
	    !half_open_room(d, from))
		return 0;
	forget_failed_unauth(d);
	npeer = props_from_sa(&wsa, IKEV2_PROTO_IKE, peer, idx);
	while ((conn = next_conn_for(d->cfg, &ci, from, to))) {
		if (!first)
			first = conn;
		pi = proposal_select(&conn->ike, peer, npeer, 0, &chosen, why);
		if (pi >= 0)
			break;
		if (!first_why[0])
			memcpy(first_why, why, sizeof(why));
	}
	sa = sa_new(d, false, to, from);
	if (!sa)
		return -1;
	memcpy(sa->spi_i, m->spi_i, 8);
	sa->conn = conn ? conn : first;
	if (!first) {
		char a[64], b2[64];

		sa_fail(sa, "no connection for %s -> %s: check local_addrs and remote_addrs",
			addr_str(from, a, sizeof(a)), addr_str(to, b2, sizeof(b2)));
		respond_init_notify(d, m, from, to, IKEV2_N_NO_PROPOSAL_CHOSEN,
				    NULL, 0);
		return 0;
	}
	if (pi < 0) {
		char theirs[PROP_ERR_LEN], ours[PROP_ERR_LEN];

		props_str(peer, npeer, theirs, sizeof(theirs));
		proposal_list_str(&first->ike, ours, sizeof(ours));
		sa_fail(sa, "IKE %s; the peer proposed: %s; we have: %s: make `proposals` share one proposal with the peer's",
			first_why, npeer ? theirs : "(nothing usable)", ours);
		respond_init_notify(d, m, from, to, IKEV2_N_NO_PROPOSAL_CHOSEN,
				    NULL, 0);
		return 0;
	}
	group = chosen.n[IKEV2_TRANS_DH] ? chosen.t[IKEV2_TRANS_DH][0].id : 0;
	if (ke.group != group) {
		/* Stateless (RFC 7296 1.2): the initiator retries. */
		sa_log(sa, IKE_LOG_INFO,
		       "the initiator sent KE for group %u but we chose group %d: asking for it (INVALID_KE_PAYLOAD)",
		       ke.group, group);
		put16(g, (uint16_t)group);
		respond_init_notify(d, m, from, to, IKEV2_N_INVALID_KE_PAYLOAD,
				    g, 2);
		sa_unlink(sa);
		sa_free(sa);
		return 0;
	}
	sa->ike_prop = chosen;
	sa->dh_group = group;
	memcpy(sa->ni, nonce.data.p, nonce.data.len);
	sa->ni_len = nonce.data.len;
	sa->nr_len = NONCE_LEN;
	if (random_spi8(sa->spi_r) || RAND_bytes(sa->nr, NONCE_LEN) != 1 ||
	    !(sa->dh = dh_new(group, &e)) ||
	    dh_public(sa->dh, kebuf, dh_ke_len(group))) {
		sa_fail(sa, "IKE_SA_INIT: %s", e ? e : "internal error");
		respond_init_notify(d, m, from, to, IKEV2_N_NO_PROPOSAL_CHOSEN,
				    NULL, 0);
		return 0;
	}
	myke.group = (uint16_t)group;
	myke.data = (struct ike_bytes){ kebuf, dh_ke_len(group) };
	if (derive_ike_keys(sa, &ke)) {
		respond_init_notify(d, m, from, to, IKEV2_N_INVALID_SYNTAX,
				    NULL, 0);
		sa_dead(sa);
		return 0;
	}
	natd_check(sa, m, from, to);
	scan_init_notifies(sa, m);

	memset(&answer, 0, sizeof(answer));
	answer.n_prop = 1;
	prop_to_wire(&chosen, wsa.prop[idx[pi]].num, NULL, 0, &answer.prop[0]);
	mynonce.data = (struct ike_bytes){ sa->nr, sa->nr_len };
	hdr_for(sa, &h, IKEV2_EXCH_IKE_SA_INIT, true, 0);
	ike_buf_init(&b, out, sizeof(out));
	ike_buf_hdr(&b, &h);
	ike_buf_sa(&b, &answer);
	ike_buf_ke(&b, &myke);
	ike_buf_nonce(&b, &mynonce);
	buf_init_notifies(&b, sa, sa->spi_r);
	buf_certreq(sa, sa->conn, &b);
	olen = ike_buf_finish(&b);
	sa->init_req = dup_bytes(buf, len);
	sa->last_req = dup_bytes(buf, len);
	sa->init_resp = olen > 0 ? dup_bytes(out, (size_t)olen) : NULL;
	if (!sa->init_req || !sa->last_req || !sa->init_resp) {
		sa_fail(sa, "IKE_SA_INIT: out of memory");
		return 0;
	}
	sa->init_req_len = sa->last_req_len = len;
	sa->init_resp_len = (size_t)olen;
	sa->peer_next_id = 1;
	sa->state = IKE_SA_INIT_DONE;
	{
		char p[128];

		proposal_str(&chosen, p, sizeof(p));
		sa_log(sa, IKE_LOG_INFO, "IKE_SA_INIT from %s: chose %s",
		       addr_str(from, why, sizeof(why)), p);
	}
	respond(sa, out, (size_t)olen);
	return 0;
}

/* ---- IKE_AUTH ---- */

/* Our ESP SA payload (one SPI for every proposal), numbered from 1. */
static void esp_sa_payload(const struct proposal_list *l, uint32_t spi,
			   struct ike_sa *w)
{
	uint8_t s[4] = { (uint8_t)(spi >> 24), (uint8_t)(spi >> 16),
			 (uint8_t)(spi >> 8), (uint8_t)spi };
	size_t i;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < l->n && i < IKE_SA_MAX_PROPS; i++)
		prop_to_wire(&l->v[i], (uint8_t)(i + 1), s, 4,
			     &w->prop[w->n_prop++]);
}

/* The octets an AUTH payload covers (RFC 7296 2.15): ours or the
 * peer's, with that side's ID payload body.  *oct is malloc()ed. */
static int signed_octets(struct ikesa *sa, bool ours, const uint8_t *idbody,
			 size_t idlen, uint8_t **oct, size_t *olen)
{
	int prf_id = sa->ike_prop.t[IKEV2_TRANS_PRF][0].id;
	bool init_side = ours == sa->initiator;	/* whose AUTH this is */
	struct chunk real = init_side ? CHUNK(sa->init_req, sa->init_req_len) :
					CHUNK(sa->init_resp, sa->init_resp_len);
	struct chunk nonce = init_side ? CHUNK(sa->nr, sa->nr_len) :
					 CHUNK(sa->ni, sa->ni_len);
	struct chunk skp = init_side ? key_chunk(&sa->keys.sk_pi) :
				       key_chunk(&sa->keys.sk_pr);

	return auth_octets(prf_id, real, nonce, skp, CHUNK(idbody, idlen), oct,
			   olen);
}

static int psk_auth(struct ikesa *sa, const struct conf_secret *psk,
		    bool ours, const uint8_t *idbody, size_t idlen,
		    uint8_t *out, const struct ike_bytes *verify, bool *ok)
{
	int prf_id = sa->ike_prop.t[IKEV2_TRANS_PRF][0].id;
	uint8_t *oct = NULL;
	size_t olen;
	int r;

	if (signed_octets(sa, ours, idbody, idlen, &oct, &olen))
		return -1;
	if (verify) {
		*ok = auth_psk_verify(prf_id, CHUNK(psk->data, psk->len),
				      CHUNK(oct, olen),
				      CHUNK(verify->p, verify->len));
		r = 0;
	} else {
		r = auth_psk(prf_id, CHUNK(psk->data, psk->len),
			     CHUNK(oct, olen), out);
	}
	free(oct);
	return r;
}

/* ---- certificates and signatures (auth.c does the X.509 work) ---- */

static const struct cred_conn *conn_creds(const struct ikesa *sa,
					  const struct conf_conn *conn)
{
	return creds_for(sa->d->creds, conn);
}

/*
 * Our ID payload body for conn.  With a certificate: its subject DN if
 * local.id is not set (as strongSwan), and a configured ID must be in
 * the certificate, or the peer would refuse it.  -1 with last_error.
 */
static int local_id(struct ikesa *sa, const struct conf_conn *conn,
		    uint8_t *body, size_t cap, size_t *len)
{
	const struct cred_conn *cc = NULL;
	char subj[256];

	if (conn->local.method == CONF_AUTH_PUBKEY) {
		cc = conn_creds(sa, conn);
		if (!cc || !cc->cert || !cc->key) {
			set_error(sa, "connection %s: no certificate and private key loaded for local auth = pubkey (local.certs, secrets { private-... })",
				  conn->name);
			return -1;
		}
	}
	if (cc && !conn->local.id.type) {
		unsigned char *der = NULL;
		int l = i2d_X509_NAME(X509_get_subject_name(cc->cert), &der);

		if (l <= 0 || (size_t)l + 4 > cap) {
			OPENSSL_free(der);
			set_error(sa, "our certificate's subject DN is too long for an ID payload");
			return -1;
		}
		memset(body, 0, 4);
		body[0] = IKEV2_ID_DER_ASN1_DN;
		memcpy(body + 4, der, (size_t)l);
		*len = (size_t)l + 4;
		OPENSSL_free(der);
		return 0;
	}
	if (id_body(&conn->local.id, (const struct sockaddr *)&sa->local, body,
		    cap, len)) {
		set_error(sa, "cannot encode our ID %s", conf_id_str(&conn->local.id));
		return -1;
	}
	if (cc && !auth_cert_has_id(cc->cert, body[0], body + 4, *len - 4)) {
		set_error(sa, "our ID %s is not in our certificate (subject \"%s\"): set local.id to the subject DN or one of its subjectAltNames",
			  conf_id_str(&conn->local.id),
			  auth_name_str(X509_get_subject_name(cc->cert), subj,
					sizeof(subj)));
		return -1;
	}
	return 0;
}

static void buf_der_cert(struct ike_buf *b, X509 *x)
{
	unsigned char *der = NULL;
	int l = i2d_X509(x, &der);
	struct ike_cert c = { .encoding = IKEV2_CERT_X509_SIGNATURE };

	if (l > 0) {
		c.data = (struct ike_bytes){ der, (size_t)l };
		ike_buf_cert(b, IKEV2_PL_CERT, &c);
	}
	OPENSSL_free(der);
}

/* CERT payloads: our certificate, then the rest of local.certs. */
static void buf_our_certs(struct ikesa *sa, struct ike_buf *b)
{
	const struct cred_conn *cc = conn_creds(sa, sa->conn);
	int i;

	if (sa->conn->local.method != CONF_AUTH_PUBKEY || !cc || !cc->cert)
		return;
	buf_der_cert(b, cc->cert);
	for (i = 0; cc->chain && i < sk_X509_num(cc->chain); i++)
		buf_der_cert(b, sk_X509_value(cc->chain, i));
}

/* CERTREQ for the CAs we trust for conn's peer (strongSwan sends its
 * certificate only when asked, by default). */
static void buf_certreq(struct ikesa *sa, const struct conf_conn *conn,
			struct ike_buf *b)
{
	const struct cred_conn *cc = conn_creds(sa, conn);
	struct ike_cert c = { .encoding = IKEV2_CERT_X509_SIGNATURE };

	if (conn->remote.method != CONF_AUTH_PUBKEY || !cc || !cc->certreq_len)
		return;
	c.data = (struct ike_bytes){ cc->certreq, cc->certreq_len };
	ike_buf_cert(b, IKEV2_PL_CERTREQ, &c);
}

/* Our AUTH payload by signature; *mem holds its data (free() it). */
static int sig_auth(struct ikesa *sa, const uint8_t *idbody, size_t idlen,
		    struct ike_auth *auth, uint8_t **mem)
{
	const struct cred_conn *cc = conn_creds(sa, sa->conn);
	char err[AUTH_ERR_LEN];
	uint8_t *oct = NULL;
	size_t olen, slen;

	*mem = NULL;
	if (signed_octets(sa, true, idbody, idlen, &oct, &olen)) {
		set_error(sa, "cannot compute our AUTH payload");
		return -1;
	}
	if (auth_sign(cc->key, sa->conn->local.auth, sa->peer_hashes, oct,
		      olen, &auth->method, mem, &slen, err)) {
		free(oct);
		set_error(sa, "cannot sign our AUTH payload: %s", err);
		return -1;
	}
	free(oct);
	auth->data = (struct ike_bytes){ *mem, slen };
	return 0;
}

/* Whether remote.auth (rsa, ecdsa, ed25519, pubkey...) admits a key. */
static bool key_allowed(const char *conf_auth, EVP_PKEY *k)
{
	int t = EVP_PKEY_get_base_id(k);

	if (!conf_auth || !strncmp(conf_auth, "pubkey", 6))
		return true;
	if (!strncmp(conf_auth, "rsa", 3))
		return t == EVP_PKEY_RSA || t == EVP_PKEY_RSA_PSS;
	if (!strncmp(conf_auth, "ecdsa", 5))
		return t == EVP_PKEY_EC;
	if (!strncmp(conf_auth, "ed25519", 7))
		return t == EVP_PKEY_ED25519;
	if (!strncmp(conf_auth, "ed448", 5))
		return t == EVP_PKEY_ED448;
	return true;
}

/*
 * The peer's certificate authentication: its CERT payloads chain up to
 * remote.cacerts, its ID (pl_id) is in the certificate, and AUTH is its
 * signature.  0, or -1 with last_error.
 */
static int verify_peer_sig(struct ikesa *sa, const struct ike_msg *m,
			   const struct ike_pl *pl_id, const struct ike_auth *auth,
			   const char *got)
{
	const uint8_t *der[8];
	size_t der_len[8], n = 0, olen;
	struct ike_cert c;
	struct ike_err err;
	char why[AUTH_ERR_LEN], subj[256];
	uint8_t *oct = NULL;
	X509 *leaf = NULL;
	unsigned i;
	int r = -1;

	for (i = 0; i < m->n; i++) {
		if (m->pl[i].type != IKEV2_PL_CERT ||
		    ike_pl_cert(&m->pl[i], &c, &err))
			continue;
		if (c.encoding != IKEV2_CERT_X509_SIGNATURE) {
			sa_log(sa, IKE_LOG_DEBUG, "ignoring a CERT payload with encoding %u",
			       c.encoding);
			continue;
		}
		if (n == N(der)) {
			set_error(sa, "AUTHENTICATION_FAILED: the peer sent more than %zu certificates",
				  N(der));
			return -1;
		}
		der[n] = c.data.p;
		der_len[n++] = c.data.len;
	}
	if (auth_cert_verify(conn_creds(sa, sa->conn), der, der_len, n, &leaf,
			     why)) {
		set_error(sa, "AUTHENTICATION_FAILED: peer %s: %s", got, why);
		return -1;
	}
	auth_name_str(X509_get_subject_name(leaf), subj, sizeof(subj));
	if (!auth_cert_has_id(leaf, pl_id->body.p[0], pl_id->body.p + 4,
			      pl_id->body.len - 4)) {
		set_error(sa, "AUTHENTICATION_FAILED: ID mismatch: the peer's ID %s is not in its certificate \"%s\" (neither its subject nor a subjectAltName): set the peer's local.id to one of them",
			  got, subj);
		goto out;
	}
	if (!key_allowed(sa->conn->remote.auth, X509_get0_pubkey(leaf))) {
		set_error(sa, "AUTHENTICATION_FAILED: the peer's certificate \"%s\" has a key that remote.auth = %s does not allow",
			  subj, sa->conn->remote.auth);
		goto out;
	}
	if (signed_octets(sa, false, pl_id->body.p, pl_id->body.len, &oct,
			  &olen)) {
		set_error(sa, "cannot compute the peer's AUTH octets");
		goto out;
	}
	if (auth_verify(X509_get0_pubkey(leaf), auth->method, auth->data.p,
			auth->data.len, oct, olen, why)) {
		set_error(sa, "AUTHENTICATION_FAILED: peer %s (certificate \"%s\"): %s",
			  got, subj, why);
		goto out;
	}
	sa_log(sa, IKE_LOG_INFO, "the peer %s is authenticated by certificate \"%s\" (AUTH method %u)",
	       got, subj, auth->method);
	r = 0;
out:
	free(oct);
	X509_free(leaf);
	return r;
}

static bool is_sig_method(uint8_t method)
{
	return method == IKEV2_AUTH_RSA_SIG || method == IKEV2_AUTH_ECDSA_256 ||
	       method == IKEV2_AUTH_ECDSA_384 || method == IKEV2_AUTH_ECDSA_521 ||
	       method == IKEV2_AUTH_DIGITAL_SIGNATURE;
}

/* Whether the peer's AUTH method is the kind remote.auth expects;
 * otherwise last_error says which side to change. */
static bool method_fits(struct ikesa *sa, uint8_t method, const char *got)
{
	bool psk = sa->conn->remote.method == CONF_AUTH_PSK;

	if (psk ? method == IKEV2_AUTH_SHARED_KEY_MIC : is_sig_method(method))
		return true;
	if (psk && is_sig_method(method))
		set_error(sa, "AUTHENTICATION_FAILED: the peer %s signs with a certificate (AUTH method %u) but remote.auth = psk: set remote.auth = pubkey (and remote.cacerts), or auth = psk on the peer",
			  got, method);
	else if (method == IKEV2_AUTH_SHARED_KEY_MIC)
		set_error(sa, "AUTHENTICATION_FAILED: the peer %s uses a pre-shared key but remote.auth = %s: set remote.auth = psk, or give the peer a certificate",
			  got, sa->conn->remote.auth ? sa->conn->remote.auth : "pubkey");
	else
		set_error(sa, "AUTHENTICATION_FAILED: the peer %s uses AUTH method %u, which esptund does not implement (psk and signatures only)",
			  got, method);
	return false;
}

static int send_auth_request(struct ikesa *sa)
{
	const struct conf_conn *conn = sa->conn;
	const struct conf_child *ch = sa->want_child;
	uint8_t mem[IKE_MAX_MSG], idi[1024], idr[1024], authv[PRF_MAX_LEN];
	uint8_t *sig = NULL;
	size_t idi_len, idr_len = 0;
	const struct conf_secret *psk;
	struct ike_buf in;
	struct ike_id id;
	struct ike_auth auth;
	struct ike_sa esp;
	struct ike_ts tsi = { 0 }, tsr = { 0 };
	char s[256];
	int r;

	if (local_id(sa, conn, idi, sizeof(idi), &idi_len)) {
		sa_dead(sa);
		return -1;
	}
	if (conn->remote.id.type &&
	    id_body(&conn->remote.id, NULL, idr, sizeof(idr), &idr_len))
		idr_len = 0;
	if (conn->local.method == CONF_AUTH_PSK) {
		/* The PSK for the peer's expected ID (%any: its address). */
		uint8_t peer[1024];
		size_t plen;

		if (id_body(&conn->remote.id, (const struct sockaddr *)&sa->remote,
			    peer, sizeof(peer), &plen))
			plen = 0;
		psk = plen ? find_psk(sa->d->cfg, idi, idi_len, peer, plen) :
			     NULL;
		if (!psk) {
			sa_fail(sa, "no PSK for ID %s (and %s): add a secrets { ike-... { id = ...; secret = ... } } entry",
				id_body_str(idi, idi_len, s, sizeof(s)),
				conf_id_str(&conn->remote.id));
			return -1;
		}
		if (psk_auth(sa, psk, true, idi, idi_len, authv, NULL, NULL)) {
			sa_fail(sa, "cannot compute our AUTH payload");
			return -1;
		}
		auth.method = IKEV2_AUTH_SHARED_KEY_MIC;
		auth.data = (struct ike_bytes){ authv,
			prf_len(sa->ike_prop.t[IKEV2_TRANS_PRF][0].id) };
	} else if (sig_auth(sa, idi, idi_len, &auth, &sig)) {
		sa_dead(sa);
		return -1;
	}
	ike_buf_init_inner(&in, mem, sizeof(mem));
	id.type = idi[0];
	id.data = (struct ike_bytes){ idi + 4, idi_len - 4 };
	ike_buf_id(&in, IKEV2_PL_IDI, &id);
	buf_our_certs(sa, &in);
	buf_certreq(sa, conn, &in);
	/* TODO: only when we have no other IKE SA with this peer. */
	buf_notify(&in, 0, IKEV2_N_INITIAL_CONTACT, NULL, 0);
	if (idr_len) {
		id.type = idr[0];
		id.data = (struct ike_bytes){ idr + 4, idr_len - 4 };
		ike_buf_id(&in, IKEV2_PL_IDR, &id);
	}
	ike_buf_auth(&in, &auth);
	free(sig);
	if (ch) {
		sa->has_child = true;
		sa->child.conf = ch;
		if (alloc_spi(sa, &sa->child.spi_in)) {
			sa_fail(sa, "no ESP SPI available");
			return -1;
		}
		esp_sa_payload(&ch->esp, sa->child.spi_in, &esp);
		ts_from_conf(&ch->local_ts, (const struct sockaddr *)&sa->local,
			     &tsi);
		ts_from_conf(&ch->remote_ts,
			     (const struct sockaddr *)&sa->remote, &tsr);
		ike_buf_sa(&in, &esp);
		ike_buf_ts(&in, IKEV2_PL_TSI, &tsi);
		ike_buf_ts(&in, IKEV2_PL_TSR, &tsr);
	}
	/* TODO: CP (virtual IP), multiple AUTH, EAP. */
	sa->state = IKE_AUTH_SENT;
	r = send_request_sk(sa, IKEV2_EXCH_IKE_AUTH, &in);
	OPENSSL_cleanse(authv, sizeof(authv));
	if (r) {
		sa_fail(sa, "cannot build the IKE_AUTH request (%s)",
			in.failed ? "larger than the message buffer" : "internal error");
		return -1;
	}
	return 0;
}

/* Sends an INFORMATIONAL request with one notify (AUTHENTICATION_FAILED
 * after the responder failed to authenticate, RFC 7296 2.21.2) and does
 * not wait for the answer. */
static void send_info_notify(struct ikesa *sa, uint16_t type)
{
	uint8_t mem[256], out[1024];
	struct ike_buf in;
	long len;

	ike_buf_init_inner(&in, mem, sizeof(mem));
	buf_notify(&in, 0, type, NULL, 0);
	len = build_sk(sa, IKEV2_EXCH_INFORMATIONAL, false, sa->my_next_id,
		       &in, out, sizeof(out));
	if (len > 0)
		send_dgram(sa, out, (size_t)len);
	sa->my_next_id++;
}

static int send_delete_ike(struct ikesa *sa);

/* The responder's side of the first Child SA; 0 or the notify to send. */
static uint16_t child_respond(struct ikesa *sa, const struct ike_msg *m,
			      struct ike_sa *esp_out, struct ike_ts *tsi_out,
			      struct ike_ts *tsr_out)
{
	struct proposal peer[IKE_SA_MAX_PROPS], chosen;
	unsigned idx[IKE_SA_MAX_PROPS];
	struct ike_sa wsa;
	struct ike_ts tsi, tsr, mine_l, mine_r, nl, nr;
	struct ike_err err;
	const struct conf_child *ch = NULL;
	char why[PROP_ERR_LEN];
	size_t npeer, i;
	int pi;

	if (ike_pl_sa(ike_msg_find(m, IKEV2_PL_SA, 0), m, &wsa, &err) ||
	    ike_pl_ts(ike_msg_find(m, IKEV2_PL_TSI, 0), &tsi, &err) ||
	    ike_pl_ts(ike_msg_find(m, IKEV2_PL_TSR, 0), &tsr, &err)) {
		set_error(sa, "Child SA: %s", err.msg);
		return err.notify ? err.notify : IKEV2_N_INVALID_SYNTAX;
	}
	if (ike_msg_find_notify(m, IKEV2_N_USE_TRANSPORT_MODE))
		sa_log(sa, IKE_LOG_WARN,
		       "the peer asks for transport mode (USE_TRANSPORT_MODE); esptun only does tunnel mode, so the Child SA is tunnel mode: set mode = tunnel on the peer");
	/* TS narrowing: the peer's TSi is our remote side. */
	for (i = 0; i < sa->conn->n_children; i++) {
		const struct conf_child *c = &sa->conn->children[i];

		memset(&mine_l, 0, sizeof(mine_l));
		memset(&mine_r, 0, sizeof(mine_r));
		ts_from_conf(&c->local_ts, (const struct sockaddr *)&sa->local,
			     &mine_l);
		ts_from_conf(&c->remote_ts,
			     (const struct sockaddr *)&sa->remote, &mine_r);
		ts_narrow(&tsi, &mine_r, &nr);
		ts_narrow(&tsr, &mine_l, &nl);
		if (nr.n && nl.n) {
			ch = c;
			break;
		}
	}
	if (!ch) {
		char a[256], b[256], c2[256], d[256];

		if (sa->conn->n_children) {
			const struct conf_child *c = &sa->conn->children[0];

			memset(&mine_l, 0, sizeof(mine_l));
			memset(&mine_r, 0, sizeof(mine_r));
			ts_from_conf(&c->local_ts,
				     (const struct sockaddr *)&sa->local, &mine_l);
			ts_from_conf(&c->remote_ts,
				     (const struct sockaddr *)&sa->remote, &mine_r);
		}
		set_error(sa, "TS_UNACCEPTABLE: the peer proposed TSi %s, TSr %s; we allow remote_ts %s, local_ts %s%s%s: make them overlap",
			  ts_str(&tsi, a, sizeof(a)), ts_str(&tsr, b, sizeof(b)),
			  ts_str(&mine_r, c2, sizeof(c2)),
			  ts_str(&mine_l, d, sizeof(d)),
			  sa->conn->n_children ? " (child " : " (no children configured",
			  sa->conn->n_children ? sa->conn->children[0].name : "");
		strncat(sa->last_error, ")",
			sizeof(sa->last_error) - strlen(sa->last_error) - 1);
		return IKEV2_N_TS_UNACCEPTABLE;
	}
	npeer = props_from_sa(&wsa, IKEV2_PROTO_ESP, peer, idx);
	pi = proposal_select(&ch->esp, peer, npeer, PROP_SKIP_DH, &chosen, why);
	if (pi < 0) {
		char theirs[PROP_ERR_LEN], ours[PROP_ERR_LEN];

		props_str(peer, npeer, theirs, sizeof(theirs));
		proposal_list_str(&ch->esp, ours, sizeof(ours));
		set_error(sa, "child %s: ESP %s; the peer proposed: %s; we have: %s: make `esp_proposals` share one proposal with the peer's",
			  ch->name, why, npeer ? theirs : "(nothing usable)", ours);
		return IKEV2_N_NO_PROPOSAL_CHOSEN;
	}
	sa->has_child = true;
	sa->child.conf = ch;
	sa->child.prop = chosen;
	sa->child.esn = chosen.n[IKEV2_TRANS_ESN] &&
			chosen.t[IKEV2_TRANS_ESN][0].id == IKEV2_ESN_YES;
	sa->child.spi_out = get32(wsa.prop[idx[pi]].spi);
	sa->child.ts_local = nl;
	sa->child.ts_remote = nr;
	if (alloc_spi(sa, &sa->child.spi_in)) {
		set_error(sa, "child %s: no ESP SPI available", ch->name);
		sa->has_child = false;
		return IKEV2_N_NO_ADDITIONAL_SAS;
	}
	if (child_install(sa)) {
		sa->has_child = false;
		return IKEV2_N_NO_ADDITIONAL_SAS;
	}
	{
		uint8_t s[4] = { (uint8_t)(sa->child.spi_in >> 24),
				 (uint8_t)(sa->child.spi_in >> 16),
				 (uint8_t)(sa->child.spi_in >> 8),
				 (uint8_t)sa->child.spi_in };

		memset(esp_out, 0, sizeof(*esp_out));
		esp_out->n_prop = 1;
		prop_to_wire(&chosen, wsa.prop[idx[pi]].num, s, 4,
			     &esp_out->prop[0]);
	}
	*tsi_out = nr;
	*tsr_out = nl;
	return 0;
}

/* The responder refuses the IKE_AUTH request; last_error says why. */
static void auth_refuse(struct ikesa *sa, const struct ike_msg *m)
{
	respond_notify_sk(sa, IKEV2_EXCH_IKE_AUTH, m->msgid,
			  IKEV2_N_AUTHENTICATION_FAILED, NULL, 0);
	sa_dead(sa);
}

static void auth_request(struct ikesa *sa, const struct ike_msg *m)
{
	const struct ike_pl *pl_idi = ike_msg_find(m, IKEV2_PL_IDI, 0);
	const struct ike_pl *pl_auth = ike_msg_find(m, IKEV2_PL_AUTH, 0);
	const struct conf_conn *conn = NULL;
	const struct conf_secret *psk;
	uint8_t mem[IKE_MAX_MSG], idr[1024], authv[PRF_MAX_LEN], *sig = NULL;
	size_t idr_len, ci = 0;
	struct ike_id idi;
	struct ike_auth auth;
	struct ike_err err;
	struct ike_buf in;
	struct ike_id id;
	struct ike_sa esp;
	struct ike_ts tsi, tsr;
	char got[256], want[256];
	bool ok = false;
	uint16_t child_err = 0;
	const struct conf_conn *c;

	if (!pl_idi || !pl_auth || ike_pl_id(pl_idi, &idi, &err) ||
	    ike_pl_auth(pl_auth, &auth, &err)) {
		set_error(sa, "IKE_AUTH request without usable IDi/AUTH (EAP is not supported)");
		auth_refuse(sa, m);
		return;
	}
	id_str(idi.type, idi.data.p, idi.data.len, got, sizeof(got));
	/* Pick the connection by the peer's identity (strongSwan's
	 * re-selection), among those the addresses allow. */
	if (id_matches(&sa->conn->remote.id, idi.type, idi.data.p, idi.data.len))
		conn = sa->conn;
	while (!conn && (c = next_conn_for(sa->d->cfg, &ci,
					   (const struct sockaddr *)&sa->remote,
					   (const struct sockaddr *)&sa->local)))
		if (id_matches(&c->remote.id, idi.type, idi.data.p,
			       idi.data.len))
			conn = c;
	if (!conn) {
		snprintf(want, sizeof(want), "%s", conf_id_str(&sa->conn->remote.id));
		set_error(sa, "AUTHENTICATION_FAILED: ID mismatch: expected %s, got %s: set remote.id to the peer's local.id (or %%any)",
			  want, got);
		auth_refuse(sa, m);
		return;
	}
	sa->conn = conn;
	if (!method_fits(sa, auth.method, got)) {
		auth_refuse(sa, m);
		return;
	}
	if (conn->remote.method == CONF_AUTH_PUBKEY) {
		if (verify_peer_sig(sa, m, pl_idi, &auth, got)) {
			auth_refuse(sa, m);
			return;
		}
	} else {
		if (id_body(&conn->local.id, (const struct sockaddr *)&sa->local,
			    idr, sizeof(idr), &idr_len))
			idr_len = 0;
		psk = idr_len ? find_psk(sa->d->cfg, idr, idr_len,
					 pl_idi->body.p, pl_idi->body.len) : NULL;
		if (!psk) {
			set_error(sa, "AUTHENTICATION_FAILED: no PSK for ID %s: add a secrets { ike-... { id = %s; secret = ... } } entry",
				  got, got);
			auth_refuse(sa, m);
			return;
		}
		if (psk_auth(sa, psk, false, pl_idi->body.p, pl_idi->body.len,
			     NULL, &auth.data, &ok) || !ok) {
			set_error(sa, "AUTHENTICATION_FAILED: PSK mismatch (AUTH payload did not verify): the secret for %s differs between the two ends",
				  got);
			auth_refuse(sa, m);
			return;
		}
	}
	/* Our side: ID, certificates, AUTH. */
	if (local_id(sa, conn, idr, sizeof(idr), &idr_len)) {
		auth_refuse(sa, m);
		return;
	}
	if (conn->local.method == CONF_AUTH_PUBKEY) {
		if (sig_auth(sa, idr, idr_len, &auth, &sig)) {
			auth_refuse(sa, m);
			return;
		}
	} else {
		psk = find_psk(sa->d->cfg, idr, idr_len, pl_idi->body.p,
			       pl_idi->body.len);
		if (!psk || psk_auth(sa, psk, true, idr, idr_len, authv, NULL,
				     NULL)) {
			set_error(sa, "no PSK for our ID %s towards %s: add a secrets { ike-... } entry for both IDs",
				  id_body_str(idr, idr_len, want, sizeof(want)), got);
			auth_refuse(sa, m);
			return;
		}
		auth.method = IKEV2_AUTH_SHARED_KEY_MIC;
		auth.data = (struct ike_bytes){ authv,
			prf_len(sa->ike_prop.t[IKEV2_TRANS_PRF][0].id) };
	}
	if (ike_msg_find_notify(m, IKEV2_N_INITIAL_CONTACT))
		/* TODO: delete other IKE SAs with this peer's identity. */
		sa_log(sa, IKE_LOG_DEBUG, "INITIAL_CONTACT received");
	sa->state = IKE_ESTABLISHED;
	sa->authenticated = true;
	snprintf(sa->peer_id, sizeof(sa->peer_id), "%s", got);
	sa_log(sa, IKE_LOG_INFO, "IKE SA established with %s (%s)", got,
	       addr_str((const struct sockaddr *)&sa->remote, want, sizeof(want)));

	ike_buf_init_inner(&in, mem, sizeof(mem));
	id.type = idr[0];
	id.data = (struct ike_bytes){ idr + 4, idr_len - 4 };
	ike_buf_id(&in, IKEV2_PL_IDR, &id);
	buf_our_certs(sa, &in);
	ike_buf_auth(&in, &auth);
	free(sig);
	OPENSSL_cleanse(authv, sizeof(authv));
	if (ike_msg_find(m, IKEV2_PL_SA, 0)) {
		child_err = child_respond(sa, m, &esp, &tsi, &tsr);
		if (!child_err) {
			ike_buf_sa(&in, &esp);
			ike_buf_ts(&in, IKEV2_PL_TSI, &tsi);
			ike_buf_ts(&in, IKEV2_PL_TSR, &tsr);
		} else {
			buf_notify(&in, 0, child_err, NULL, 0);
		}
	}
	if (send_response_sk(sa, IKEV2_EXCH_IKE_AUTH, m->msgid, &in)) {
		set_error(sa, "cannot build the IKE_AUTH response (%s)",
			  in.failed ? "larger than the message buffer" : "internal error");
		auth_refuse(sa, m);
	}
}

/* The initiator does not accept the responder's authentication: tell
 * it (RFC 7296 2.21.2) and give up; last_error says why. */
static void auth_reject(struct ikesa *sa)
{
	send_info_notify(sa, IKEV2_N_AUTHENTICATION_FAILED);
	sa_dead(sa);
}

static void auth_response(struct ikesa *sa, const struct ike_msg *m)
{
	const struct ike_pl *pl_idr = ike_msg_find(m, IKEV2_PL_IDR, 0);
	const struct ike_pl *pl_auth = ike_msg_find(m, IKEV2_PL_AUTH, 0);
	const struct conf_secret *psk;
	struct ike_id idr;
	struct ike_auth auth;
	struct ike_err err;
	struct ike_notify n;
	uint8_t idi[1024];
	size_t idi_len;
	char got[256], a[256];
	uint16_t child_err = 0;
	bool ok = false;
	unsigned i;

	for (i = 0; i < m->n; i++) {
		if (m->pl[i].type != IKEV2_PL_NOTIFY ||
		    ike_pl_notify(&m->pl[i], &n, &err) ||
		    n.type >= IKEV2_N_STATUS_MIN)
			continue;
		if (!pl_auth) {
			explain_peer_notify(sa, IKEV2_EXCH_IKE_AUTH, n.type);
			sa_dead(sa);
			return;
		}
		child_err = n.type;
	}
	if (!pl_idr || !pl_auth || ike_pl_id(pl_idr, &idr, &err) ||
	    ike_pl_auth(pl_auth, &auth, &err)) {
		sa_fail(sa, "the IKE_AUTH response lacks IDr or AUTH");
		return;
	}
	id_str(idr.type, idr.data.p, idr.data.len, got, sizeof(got));
	if (!id_matches(&sa->conn->remote.id, idr.type, idr.data.p,
			idr.data.len)) {
		set_error(sa, "AUTHENTICATION_FAILED: ID mismatch: expected %s, got %s: set remote.id to the peer's local.id",
			  conf_id_str(&sa->conn->remote.id), got);
		auth_reject(sa);
		return;
	}
	if (!method_fits(sa, auth.method, got)) {
		auth_reject(sa);
		return;
	}
	if (sa->conn->remote.method == CONF_AUTH_PUBKEY) {
		if (verify_peer_sig(sa, m, pl_idr, &auth, got)) {
			auth_reject(sa);
			return;
		}
	} else {
		if (local_id(sa, sa->conn, idi, sizeof(idi), &idi_len) ||
		    !(psk = find_psk(sa->d->cfg, idi, idi_len, pl_idr->body.p,
				     pl_idr->body.len))) {
			set_error(sa, "AUTHENTICATION_FAILED: no PSK for ID %s",
				  got);
			auth_reject(sa);
			return;
		}
		if (psk_auth(sa, psk, false, pl_idr->body.p, pl_idr->body.len,
			     NULL, &auth.data, &ok) || !ok) {
			set_error(sa, "AUTHENTICATION_FAILED: PSK mismatch (AUTH payload did not verify): the secret for %s differs between the two ends",
				  got);
			auth_reject(sa);
			return;
		}
	}
	sa->state = IKE_ESTABLISHED;
	sa->authenticated = true;
	snprintf(sa->peer_id, sizeof(sa->peer_id), "%s", got);
	sa_log(sa, IKE_LOG_INFO, "IKE SA established with %s (%s)", got,
	       addr_str((const struct sockaddr *)&sa->remote, a, sizeof(a)));
	if (!sa->want_child)
		return;
	if (child_err || !ike_msg_find(m, IKEV2_PL_SA, 0)) {
		explain_peer_notify(sa, IKEV2_EXCH_IKE_AUTH,
				    child_err ? child_err : IKEV2_N_NO_PROPOSAL_CHOSEN);
		goto child_failed;
	}
	{
		struct proposal peer, chosen;
		struct ike_sa wsa;
		struct ike_ts tsi, tsr, mine_l = { 0 }, mine_r = { 0 };
		char why[PROP_ERR_LEN];
		struct child_sa *c = &sa->child;

		if (ike_pl_sa(ike_msg_find(m, IKEV2_PL_SA, 0), m, &wsa, &err) ||
		    ike_pl_ts(ike_msg_find(m, IKEV2_PL_TSI, 0), &tsi, &err) ||
		    ike_pl_ts(ike_msg_find(m, IKEV2_PL_TSR, 0), &tsr, &err)) {
			set_error(sa, "child %s: malformed answer: %s",
				  sa->want_child->name, err.msg);
			goto child_failed;
		}
		if (wsa.n_prop != 1 || wsa.prop[0].proto != IKEV2_PROTO_ESP ||
		    wsa.prop[0].spi_size != 4 ||
		    prop_from_wire(&wsa.prop[0], &peer) ||
		    proposal_select(&sa->want_child->esp, &peer, 1,
				    PROP_SKIP_DH, &chosen, why) < 0) {
			set_error(sa, "child %s: the responder chose an ESP proposal we did not offer",
				  sa->want_child->name);
			goto child_failed;
		}
		ts_from_conf(&sa->want_child->local_ts,
			     (const struct sockaddr *)&sa->local, &mine_l);
		ts_from_conf(&sa->want_child->remote_ts,
			     (const struct sockaddr *)&sa->remote, &mine_r);
		ts_narrow(&tsi, &mine_l, &c->ts_local);
		ts_narrow(&tsr, &mine_r, &c->ts_remote);
		if (!c->ts_local.n || !c->ts_remote.n) {
			char x[256], y[256];

			set_error(sa, "child %s: the responder's selectors %s === %s are outside ours",
				  sa->want_child->name, ts_str(&tsi, x, sizeof(x)),
				  ts_str(&tsr, y, sizeof(y)));
			goto child_failed;
		}
		c->prop = chosen;
		c->esn = chosen.n[IKEV2_TRANS_ESN] &&
			 chosen.t[IKEV2_TRANS_ESN][0].id == IKEV2_ESN_YES;
		c->spi_out = get32(wsa.prop[0].spi);
		if (child_install(sa))
			goto child_failed;
	}
	return;
child_failed:
	sa->has_child = false;
	/* As strongSwan: no IKE SA without its Child SA. */
	sa_log(sa, IKE_LOG_WARN, "closing the IKE SA: its Child SA could not be set up");
	send_delete_ike(sa);
}

/* ---- INFORMATIONAL ---- */

static int send_delete_ike(struct ikesa *sa)
{
	uint8_t mem[256];
	struct ike_buf in;
	struct ike_delete del = { .proto = IKEV2_PROTO_IKE };

	if (sa->req) {
		/* TODO: queue behind the outstanding request (window 1). */
		free(sa->req);
		sa->req = NULL;
		sa->my_next_id++;
	}
	ike_buf_init_inner(&in, mem, sizeof(mem));
	ike_buf_delete(&in, &del);
	child_uninstall(sa);
	sa->state = IKE_DELETING;
	return send_request_sk(sa, IKEV2_EXCH_INFORMATIONAL, &in);
}

int ike_sa_delete(struct ikesa *sa)
{
	if (sa->state != IKE_ESTABLISHED) {
		if (!sa->last_error[0])
			snprintf(sa->last_error, sizeof(sa->last_error),
				 "closed in state %s", ikesa_state_name(sa->state));
		sa_dead(sa);
		return 0;
	}
	sa_log(sa, IKE_LOG_INFO, "deleting the IKE SA");
	return send_delete_ike(sa);
}

int ike_sa_liveness(struct ikesa *sa)
{
	uint8_t mem[16];
	struct ike_buf in;

	if (sa->state != IKE_ESTABLISHED || sa->req)
		return -1;
	ike_buf_init_inner(&in, mem, sizeof(mem));
	return send_request_sk(sa, IKEV2_EXCH_INFORMATIONAL, &in);
}

static void info_request(struct ikesa *sa, const struct ike_msg *m)
{
	uint8_t mem[512];
	struct ike_buf in;
	struct ike_err err;
	struct ike_delete del;
	struct ike_notify n;
	bool delete_ike = false;
	unsigned i, k;

	ike_buf_init_inner(&in, mem, sizeof(mem));
	for (i = 0; i < m->n; i++) {
		const struct ike_pl *pl = &m->pl[i];

		if (pl->type == IKEV2_PL_NOTIFY && !ike_pl_notify(pl, &n, &err) &&
		    n.type == IKEV2_N_AUTHENTICATION_FAILED) {
			set_error(sa, "the peer refused our authentication (AUTHENTICATION_FAILED after IKE_AUTH): it could not verify our AUTH or ID; the peer's log says which");
			delete_ike = true;
		}
		if (pl->type != IKEV2_PL_DELETE || ike_pl_delete(pl, &del, &err))
			continue;
		if (del.proto == IKEV2_PROTO_IKE) {
			delete_ike = true;
			continue;
		}
		if (del.proto != IKEV2_PROTO_ESP || del.spi_size != 4)
			continue;
		for (k = 0; k < del.num; k++) {
			uint32_t spi = get32(del.spis.p + 4 * k);
			uint8_t mine[4];
			struct ike_delete ans = {
				.proto = IKEV2_PROTO_ESP, .spi_size = 4,
				.num = 1, .spis = { mine, 4 },
			};

			if (!sa->has_child || !sa->child.installed ||
			    spi != sa->child.spi_out)
				continue;
			mine[0] = (uint8_t)(sa->child.spi_in >> 24);
			mine[1] = (uint8_t)(sa->child.spi_in >> 16);
			mine[2] = (uint8_t)(sa->child.spi_in >> 8);
			mine[3] = (uint8_t)sa->child.spi_in;
			sa_log(sa, IKE_LOG_INFO, "the peer deletes Child SA %s",
			       sa->child.conf->name);
			child_uninstall(sa);
			ike_buf_delete(&in, &ans);
		}
	}
	/* RFC 7296 1.4.1: answer a Delete of the IKE SA with an empty
	 * INFORMATIONAL; an empty request (liveness) gets one too. */
	if (delete_ike)
		ike_buf_init_inner(&in, mem, sizeof(mem));
	send_response_sk(sa, IKEV2_EXCH_INFORMATIONAL, m->msgid, &in);
	if (delete_ike) {
		if (!sa->last_error[0])
			snprintf(sa->last_error, sizeof(sa->last_error),
				 "deleted by the peer");
		sa_log(sa, IKE_LOG_INFO, "the peer deleted the IKE SA");
		sa_dead(sa);
	}
}

int ike_sa_delete_child(struct ikesa *sa)
{
	uint8_t mem[64], spi[4];
	struct ike_buf in;
	struct ike_delete del = {
		.proto = IKEV2_PROTO_ESP, .spi_size = 4, .num = 1,
		.spis = { spi, 4 },
	};

	if (sa->state != IKE_ESTABLISHED || sa->req || !sa->has_child ||
	    !sa->child.installed)
		return -1;
	spi[0] = (uint8_t)(sa->child.spi_in >> 24);
	spi[1] = (uint8_t)(sa->child.spi_in >> 16);
	spi[2] = (uint8_t)(sa->child.spi_in >> 8);
	spi[3] = (uint8_t)sa->child.spi_in;
	ike_buf_init_inner(&in, mem, sizeof(mem));
	ike_buf_delete(&in, &del);
	sa_log(sa, IKE_LOG_INFO, "deleting Child SA %s", sa->child.conf->name);
	sa->child_deleting = true;
	return send_request_sk(sa, IKEV2_EXCH_INFORMATIONAL, &in);
}

static void info_response(struct ikesa *sa, const struct ike_msg *m)
{
	(void)m;
	if (sa->state == IKE_DELETING) {
		sa_log(sa, IKE_LOG_INFO, "IKE SA deleted");
		sa_dead(sa);
		return;
	}
	/* The peer's Delete of its half, or nothing if it had already
	 * removed it (RFC 7296 1.4.1): either way our half goes. */
	if (sa->child_deleting) {
		sa->child_deleting = false;
		child_uninstall(sa);
	}
}

/* ---- dispatch ---- */

static struct ikesa *find_sa(struct ike_daemon *d, const struct ike_msg *m)
{
	bool we_init = !(m->flags & IKEV2_FLAG_INITIATOR);
	struct ikesa *sa;

	for (sa = d->sas; sa; sa = sa->next) {
		if (sa->initiator != we_init || memcmp(sa->spi_i, m->spi_i, 8))
			continue;
		if (!memcmp(sa->spi_r, m->spi_r, 8))
			return sa;
		/* The IKE_SA_INIT response brings the responder's SPI. */
		if (we_init && sa->state == IKE_SA_INIT_SENT &&
		    m->exchange == IKEV2_EXCH_IKE_SA_INIT)
			return sa;
	}
	return NULL;
}

/*
 * One SKF payload (RFC 7383): checked and decrypted on its own (its ICV
 * makes it the peer's), kept until its message is complete, then the
 * inner payloads of all of them parsed into m.  *plain as decrypt_msg().
 */
static int reassemble(struct ikesa *sa, struct ike_msg *m, const uint8_t *buf,
		      size_t len, uint8_t **plain, struct ike_err *err)
{
	bool resp = m->flags & IKEV2_FLAG_RESPONSE;
	struct frag_buf *fb = resp ? &sa->frag_resp : &sa->frag_req;
	const char *e = NULL;
	struct ike_skf f;
	size_t off, plen, olen;
	uint8_t *out, first;
	enum frag_result r;

	if (ike_pl_skf(&m->pl[m->sk], &f, err))
		return -1;
	off = (size_t)(m->pl[m->sk].body.p - buf) - IKEV2_GENERIC_HDR_LEN;
	if (skf_decrypt(&sa->keys, !!(m->flags & IKEV2_FLAG_INITIATOR), buf,
			len, off, *plain, len, &plen, &e)) {
		snprintf(err->msg, sizeof(err->msg), "fragment %u of %u: %s",
			 f.num, f.total, e ? e : "decryption failed");
		return -1;
	}
	r = frag_add(fb, m->msgid, f.num, f.total, m->sk_next, *plain, plen,
		     &out, &olen, &first, &e);
	OPENSSL_cleanse(*plain, plen);
	switch (r) {
	case FRAG_MORE:
	case FRAG_STALE:
		sa_log(sa, IKE_LOG_DEBUG, "%s %s %u: fragment %u of %u%s",
		       ike_exchange_name(m->exchange),
		       resp ? "response" : "request", m->msgid, f.num,
		       f.total, r == FRAG_STALE ?
		       " of an older fragmentation, ignored" : "");
		return 1;
	case FRAG_INVALID:
		snprintf(err->msg, sizeof(err->msg), "fragment %u of %u: %s",
			 f.num, f.total, e);
		return -1;
	case FRAG_DONE:
		break;
	}
	free(*plain);
	*plain = out;
	sa_log(sa, IKE_LOG_DEBUG, "%s %s %u: reassembled from %u fragments",
	       ike_exchange_name(m->exchange), resp ? "response" : "request",
	       m->msgid, f.total);
	m->sk_next = first;
	return ike_msg_parse_inner(m, first, out, olen, err);
}

/*
 * Checks and decrypts SK, or one SKF fragment, and parses the inner
 * payloads into m.  *plain is the caller's malloc()ed buffer of len
 * octets; the last fragment of a message replaces it with the reassembled
 * payloads: the caller frees whatever *plain is then.  0, 1 when a
 * fragment was kept and the message is not complete yet, or -1 with err
 * (notify 0: drop silently, the message was not authentic).
 */
static int decrypt_msg(struct ikesa *sa, struct ike_msg *m,
		       const uint8_t *buf, size_t len, uint8_t **plain,
		       struct ike_err *err)
{
	const char *e = NULL;
	size_t sk_off, plen;

	memset(err, 0, sizeof(*err));
	if (!sa->have_keys || m->sk < 0) {
		snprintf(err->msg, sizeof(err->msg), "not encrypted");
		return -1;
	}
	if (m->pl[m->sk].type == IKEV2_PL_SKF)
		return reassemble(sa, m, buf, len, plain, err);
	sk_off = (size_t)(m->pl[m->sk].body.p - buf) - IKEV2_GENERIC_HDR_LEN;
	if (sk_decrypt(&sa->keys, !!(m->flags & IKEV2_FLAG_INITIATOR), buf,
		       len, sk_off, *plain, len, &plen, &e)) {
		snprintf(err->msg, sizeof(err->msg), "%s", e ? e : "decryption failed");
		return -1;
	}
	return ike_msg_parse_inner(m, m->sk_next, *plain, plen, err);
}

/* Whether m is an authentic fragment 1 of a fragmented message. */
static bool first_fragment_again(struct ikesa *sa, const struct ike_msg *m,
				 const uint8_t *buf, size_t len)
{
	const char *e = NULL;
	struct ike_err err;
	struct ike_skf f;
	uint8_t *plain;
	size_t off, plen;
	bool ok;

	if (!sa->have_keys || m->sk < 0 || m->pl[m->sk].type != IKEV2_PL_SKF ||
	    ike_pl_skf(&m->pl[m->sk], &f, &err) || f.num != 1)
		return false;
	plain = malloc(len);
	if (!plain)
		return false;
	off = (size_t)(m->pl[m->sk].body.p - buf) - IKEV2_GENERIC_HDR_LEN;
	ok = !skf_decrypt(&sa->keys, !!(m->flags & IKEV2_FLAG_INITIATOR), buf,
			  len, off, plain, len, &plen, &e);
	if (ok)
		OPENSSL_cleanse(plain, plen);
	free(plain);
	return ok;
}

static int handle_request(struct ikesa *sa, struct ike_msg *m,
			  const uint8_t *buf, size_t len,
			  const struct sockaddr *from, const struct sockaddr *to)
{
	struct ike_err err;
	uint8_t *plain;
	int r = 0;

	/* A retransmission of the request we answered last: the same
	 * datagram, or the first fragment of it again (RFC 7383 2.6.1). */
	if (sa->last_req && m->msgid + 1 == sa->peer_next_id) {
		if (((sa->last_req_len == len &&
		      !memcmp(sa->last_req, buf, len)) ||
		     first_fragment_again(sa, m, buf, len)) &&
		    sa->last_resp) {
			sa_log(sa, IKE_LOG_DEBUG, "%s request %u retransmitted; resending our response",
			       ike_exchange_name(m->exchange), m->msgid);
			send_wire(sa, sa->last_resp, sa->last_resp_len);
			return 0;
		}
		return -1;
	}
	if (sa->state == IKE_DEAD || m->msgid != sa->peer_next_id) {
		sa_log(sa, IKE_LOG_DEBUG, "dropping %s request %u (expected %u, state %s)",
		       ike_exchange_name(m->exchange), m->msgid,
		       sa->peer_next_id, ikesa_state_name(sa->state));
		return -1;
	}
	plain = malloc(len);
	if (!plain)
		return -1;
	r = decrypt_msg(sa, m, buf, len, &plain, &err);
	if (r == 1) {
		free(plain);
		return 0;
	}
	if (r) {
		sa_log(sa, IKE_LOG_DEBUG, "dropping %s request %u: %s",
		       ike_exchange_name(m->exchange), m->msgid, err.msg);
		/* Authentic but unacceptable inner payloads: tell the peer. */
		if (err.notify && m->decrypted) {
			uint8_t t = err.pl_type;

			sa->peer_next_id++;
			free(sa->last_req);
			sa->last_req = dup_bytes(buf, len);
			sa->last_req_len = sa->last_req ? len : 0;
			respond_notify_sk(sa, m->exchange, m->msgid, err.notify,
					  err.notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD ? &t : NULL,
					  err.notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD);
		}
		free(plain);
		return -1;
	}
	/* Authentic: it may come from a new address (NAT, floating). */
	if (!addr_eq((const struct sockaddr *)&sa->remote, from, true) ||
	    !addr_eq((const struct sockaddr *)&sa->local, to, true)) {
		char a[64];

		sa_log(sa, IKE_LOG_INFO, "the peer moved to %s",
		       addr_str(from, a, sizeof(a)));
		addr_copy(&sa->remote, from);
		addr_copy(&sa->local, to);
	}
	sa->peer_next_id++;
	free(sa->last_req);
	sa->last_req = dup_bytes(buf, len);
	sa->last_req_len = sa->last_req ? len : 0;
	free(sa->last_resp);
	sa->last_resp = NULL;
	if (ike_msg_check_rules(m, 0, &err)) {
		sa_log(sa, IKE_LOG_WARN, "%s", err.msg);
		respond_notify_sk(sa, m->exchange, m->msgid,
				  err.notify ? err.notify : IKEV2_N_INVALID_SYNTAX,
				  NULL, 0);
		if (m->exchange == IKEV2_EXCH_IKE_AUTH) {
			set_error(sa, "IKE_AUTH request refused: %s", err.msg);
			sa_dead(sa);
		}
		free(plain);
		return 0;
	}
	switch (m->exchange) {
	case IKEV2_EXCH_IKE_AUTH:
		if (sa->state == IKE_SA_INIT_DONE)
			auth_request(sa, m);
		else
			respond_notify_sk(sa, m->exchange, m->msgid,
					  IKEV2_N_INVALID_SYNTAX, NULL, 0);
		break;
	case IKEV2_EXCH_INFORMATIONAL:
		if (sa->state == IKE_ESTABLISHED || sa->state == IKE_DELETING)
			info_request(sa, m);
		else
			respond_notify_sk(sa, m->exchange, m->msgid,
					  IKEV2_N_INVALID_SYNTAX, NULL, 0);
		break;
	case IKEV2_EXCH_CREATE_CHILD_SA:
		/* TODO: rekeying and further Child SAs. */
		respond_notify_sk(sa, m->exchange, m->msgid,
				  IKEV2_N_NO_ADDITIONAL_SAS, NULL, 0);
		break;
	default:
		r = -1;
	}
	free(plain);
	return r;
}

static int handle_response(struct ikesa *sa, struct ike_msg *m,
			   const uint8_t *buf, size_t len,
			   const struct sockaddr *from,
			   const struct sockaddr *to)
{
	struct ike_err err;
	uint8_t *plain;
	int r;

	if (!sa->req || m->msgid != sa->req_id ||
	    m->exchange != sa->req_exchange) {
		sa_log(sa, IKE_LOG_DEBUG, "dropping an unexpected %s response %u",
		       ike_exchange_name(m->exchange), m->msgid);
		return -1;
	}
	if (m->exchange == IKEV2_EXCH_IKE_SA_INIT) {
		init_response(sa, m, buf, len, from, to);
		return 0;
	}
	plain = malloc(len);
	if (!plain)
		return -1;
	r = decrypt_msg(sa, m, buf, len, &plain, &err);
	if (r == 1) {
		free(plain);
		return 0;
	}
	if (r || ike_msg_check_rules(m, 0, &err)) {
		sa_log(sa, IKE_LOG_WARN, "dropping a %s response: %s",
		       ike_exchange_name(m->exchange), err.msg);
		free(plain);
		return -1;
	}
	request_done(sa);
	switch (m->exchange) {
	case IKEV2_EXCH_IKE_AUTH:
		auth_response(sa, m);
		break;
	case IKEV2_EXCH_INFORMATIONAL:
		info_response(sa, m);
		break;
	}
	free(plain);
	return 0;
}

int ike_sa_recv(struct ike_daemon *d, const uint8_t *buf, size_t len,
		const struct sockaddr *from, const struct sockaddr *to)
{
	struct ike_msg *m;
	struct ike_err err;
	struct ikesa *sa;
	int r = -1;

	if (!addr_ok(from) || !addr_ok(to) || from->sa_family != to->sa_family)
		return -1;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -1;
	if (ike_msg_parse(buf, len, m, &err)) {
		d->io->log(d->ctx, IKE_LOG_DEBUG, "dropping %zu bytes: %s", len,
			   err.msg);
		/* Answer an IKE_SA_INIT request that we cannot parse if the
		 * header is sound enough to address the answer. */
		if (len >= IKEV2_HDR_LEN && buf[18] == IKEV2_EXCH_IKE_SA_INIT &&
		    (buf[19] & (IKEV2_FLAG_RESPONSE | IKEV2_FLAG_INITIATOR)) ==
		    IKEV2_FLAG_INITIATOR && get32(buf + 20) == 0 &&
		    (err.notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD ||
		     err.notify == IKEV2_N_INVALID_MAJOR_VERSION)) {
			uint8_t t = err.pl_type;

			memcpy(m->spi_i, buf, 8);
			respond_init_notify(d, m, from, to, err.notify,
					    err.notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD ? &t : NULL,
					    err.notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD);
		}
		goto out;
	}
	if (m->exchange == IKEV2_EXCH_IKE_SA_INIT &&
	    !(m->flags & IKEV2_FLAG_RESPONSE)) {
		if (m->flags & IKEV2_FLAG_INITIATOR)
			r = init_request(d, m, buf, len, from, to);
		goto out;
	}
	sa = find_sa(d, m);
	if (!sa) {
		/* TODO: INVALID_IKE_SPI (RFC 7296 2.21.4), rate-limited. */
		d->io->log(d->ctx, IKE_LOG_DEBUG, "dropping %s %s: no IKE SA for these SPIs",
			   ike_exchange_name(m->exchange),
			   m->flags & IKEV2_FLAG_RESPONSE ? "response" : "request");
		goto out;
	}
	if (m->flags & IKEV2_FLAG_RESPONSE)
		r = handle_response(sa, m, buf, len, from, to);
	else
		r = handle_request(sa, m, buf, len, from, to);
out:
	free(m);
	return r;
}

/* ---- initiating, timers, setup ---- */

struct ikesa *ike_sa_initiate(struct ike_daemon *d, const char *name,
			      const char *child, const struct sockaddr *local,
			      const struct sockaddr *remote, char *errbuf)
{
	const struct conf_conn *conn = config_find_conn(d->cfg, name);
	const struct conf_child *ch = NULL;
	const char *e = NULL;
	struct ikesa *sa;
	size_t i;
	int group;

	if (!conn) {
		snprintf(errbuf, IKE_LAST_ERROR_LEN, "no connection named %s", name);
		return NULL;
	}
	if (!addr_ok(local) || !addr_ok(remote) ||
	    local->sa_family != remote->sa_family) {
		snprintf(errbuf, IKE_LAST_ERROR_LEN, "%s: bad addresses", name);
		return NULL;
	}
	for (i = 0; i < conn->n_children; i++)
		if (!child || !strcmp(conn->children[i].name, child)) {
			ch = &conn->children[i];
			break;
		}
	if (child && !ch) {
		snprintf(errbuf, IKE_LAST_ERROR_LEN, "%s has no child %s", name,
			 child);
		return NULL;
	}
	if (conn->local.method == CONF_AUTH_PUBKEY &&
	    !(creds_for(d->creds, conn) && creds_for(d->creds, conn)->key)) {
		snprintf(errbuf, IKE_LAST_ERROR_LEN,
			 "%s: local auth = pubkey, but no certificate and private key are loaded for it (local.certs, secrets { private-... })",
			 name);
		return NULL;
	}
	if (!conn->ike.n || !conn->ike.v[0].n[IKEV2_TRANS_DH]) {
		snprintf(errbuf, IKE_LAST_ERROR_LEN,
			 "%s: the first IKE proposal has no DH group", name);
		return NULL;
	}
	group = conn->ike.v[0].t[IKEV2_TRANS_DH][0].id;
	sa = sa_new(d, true, local, remote);
	if (!sa) {
		snprintf(errbuf, IKE_LAST_ERROR_LEN, "out of memory");
		return NULL;
	}
	sa->conn = conn;
	sa->want_child = ch;
	sa->dh_group = group;
	sa->ni_len = NONCE_LEN;
	if (random_spi8(sa->spi_i) || RAND_bytes(sa->ni, NONCE_LEN) != 1 ||
	    !(sa->dh = dh_new(group, &e)) || send_init_request(sa)) {
		snprintf(errbuf, IKE_LAST_ERROR_LEN, "%s: cannot start: %s", name,
			 e ? e : "internal error");
		sa_unlink(sa);
		sa_free(sa);
		return NULL;
	}
	sa_log(sa, IKE_LOG_INFO, "initiating IKE_SA_INIT");
	return sa;
}

/* strongSwan: timeout * 1.8^tries */
static uint64_t backoff_ms(unsigned tries)
{
	uint64_t t = IKE_RETRANSMIT_BASE_MS;

	while (tries--)
		t = t * 9 / 5;
	return t;
}

void ike_daemon_tick(struct ike_daemon *d)
{
	uint64_t now = d->io->now(d->ctx);
	struct ikesa *sa, *next;

	for (sa = d->sas; sa; sa = next) {
		next = sa->next;
		if (sa->state == IKE_DEAD) {
			if (now - sa->dead_since >= IKE_DEAD_LINGER_MS) {
				sa_unlink(sa);
				sa_free(sa);
			}
			continue;
		}
		if (sa->req && now >= sa->req_deadline) {
			if (sa->req_tries >= IKE_RETRANSMIT_TRIES) {
				char a[64];

				if (sa->state == IKE_DELETING) {
					sa_log(sa, IKE_LOG_INFO, "no answer to our Delete; IKE SA gone");
					sa_dead(sa);
					continue;
				}
				sa_fail(sa, "no response to our %s request after %u retransmits: is %s reachable (UDP 500 and 4500 open, esptund running there)?",
					ike_exchange_name(sa->req_exchange),
					sa->req_tries,
					addr_str((const struct sockaddr *)&sa->remote,
						 a, sizeof(a)));
				continue;
			}
			sa->req_tries++;
			sa->req_deadline = now + backoff_ms(sa->req_tries);
			sa_log(sa, IKE_LOG_INFO, "retransmit %u of %s request %u",
			       sa->req_tries, ike_exchange_name(sa->req_exchange),
			       sa->req_id);
			send_wire(sa, sa->req, sa->req_len);
		}
		if (sa->state == IKE_SA_INIT_DONE &&
		    now - sa->created >= IKE_HALF_OPEN_MS)
			sa_fail(sa, "half-open IKE SA timed out: the initiator never completed IKE_AUTH");
	}
}

int64_t ike_daemon_next_timeout(struct ike_daemon *d)
{
	uint64_t now = d->io->now(d->ctx), best = UINT64_MAX, t;
	struct ikesa *sa;

	for (sa = d->sas; sa; sa = sa->next) {
		if (sa->state == IKE_DEAD)
			t = sa->dead_since + IKE_DEAD_LINGER_MS;
		else if (sa->req)
			t = sa->req_deadline;
		else if (sa->state == IKE_SA_INIT_DONE)
			t = sa->created + IKE_HALF_OPEN_MS;
		else
			continue;
		if (t < best)
			best = t;
	}
	if (best == UINT64_MAX)
		return -1;
	return best <= now ? 0 : (int64_t)(best - now);
}

void ike_daemon_init(struct ike_daemon *d, const struct config *cfg,
		     const struct ike_io *io, void *ctx)
{
	memset(d, 0, sizeof(*d));
	d->cfg = cfg;
	d->io = io;
	d->ctx = ctx;
	d->cookie_threshold = IKE_COOKIE_THRESHOLD;
	d->block_threshold = IKE_BLOCK_THRESHOLD;
	d->half_open_max = IKE_HALF_OPEN_MAX;
	d->failed_unauth_max = IKE_FAILED_UNAUTH_MAX;
	d->frag_size = IKE_FRAG_SIZE;
}

void ike_daemon_free(struct ike_daemon *d)
{
	while (d->sas) {
		struct ikesa *sa = d->sas;

		d->sas = sa->next;
		sa_free(sa);
	}
	OPENSSL_cleanse(d->cookie_secret, sizeof(d->cookie_secret));
	d->cookie_secret_time = 0;
}
