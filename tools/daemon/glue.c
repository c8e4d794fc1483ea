// SPDX-License-Identifier: GPL-2.0
/*
 * Between the configuration, the IKE state machine and the kernel (see
 * glue.h).  No I/O.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/esptun.h>

#include "glue.h"
#include "ikev2.h"

static int line_of(int line, int fallback)
{
	return line > 0 ? line : fallback;
}

/* A remote_addrs entry that names one peer: a DNS name or one address. */
static bool single_peer(const struct conf_addrs *a)
{
	size_t i, len;

	for (i = 0; i < a->n; i++) {
		if (a->v[i].kind == CONF_ADDR_HOST)
			return true;
		if (a->v[i].kind != CONF_ADDR_RANGE)
			continue;
		len = a->v[i].family == AF_INET ? 4 : 16;
		if (!memcmp(a->v[i].lo, a->v[i].hi, len))
			return true;
	}
	return false;
}

int glue_check_config(const char *file, const struct config *c, char *err)
{
	bool have_psk = false;
	size_t i, k;

	for (i = 0; i < c->n_secrets; i++)
		if (c->secrets[i].type == CONF_SECRET_IKE)
			have_psk = true;
	for (i = 0; i < c->n_conns; i++) {
		const struct conf_conn *conn = &c->conns[i];
		const struct conf_auth *a[2] = { &conn->local, &conn->remote };
		const char *side[2] = { "local", "remote" };
		int j;

		for (j = 0; j < 2; j++) {
			if (a[j]->method == CONF_AUTH_PSK && !have_psk) {
				snprintf(err, GLUE_ERR_LEN,
					 "%s:%d: connections.%s.%s.auth = psk, but there is no pre-shared key: add secrets { ike-%s { id = ...; secret = ... } }",
					 file, line_of(a[j]->line, conn->line),
					 conn->name, side[j], conn->name);
				return -1;
			}
		}
		if (conn->local_port != IKEV2_PORT &&
		    conn->local_port != IKEV2_NATT_PORT) {
			snprintf(err, GLUE_ERR_LEN,
				 "%s:%d: connections.%s.local_port = %u: esptund listens on ports %u and %u only; remove local_port or use one of them",
				 file, conn->line, conn->name, conn->local_port,
				 IKEV2_PORT, IKEV2_NATT_PORT);
			return -1;
		}
		for (k = 0; k < conn->n_children; k++) {
			const struct conf_child *ch = &conn->children[k];

			if (!(ch->start_action &
			      (CONF_START_START | CONF_START_TRAP)) ||
			    single_peer(&conn->remote_addrs))
				continue;
			snprintf(err, GLUE_ERR_LEN,
				 "%s:%d: connections.%s.children.%s: start_action = %s needs a peer to initiate to, but remote_addrs of %s names none (%%any or a range): give its address or DNS name",
				 file, ch->line, conn->name, ch->name,
				 ch->start_action & CONF_START_START ? "start" :
				 "trap", conn->name);
			return -1;
		}
	}
	return 0;
}

/* ---- traffic selectors ---- */

static int sel_family(const struct ike_ts_sel *s)
{
	return s->type == IKEV2_TS_IPV4_ADDR_RANGE ? AF_INET :
	       s->type == IKEV2_TS_IPV6_ADDR_RANGE ? AF_INET6 : 0;
}

/* Leading bits a and b (len bytes) have in common. */
static unsigned common_bits(const uint8_t *a, const uint8_t *b, size_t len)
{
	unsigned bits = 0;
	size_t i;
	uint8_t x;

	for (i = 0; i < len; i++) {
		x = a[i] ^ b[i];
		if (!x) {
			bits += 8;
			continue;
		}
		while (!(x & 0x80)) {
			bits++;
			x <<= 1;
		}
		break;
	}
	return bits;
}

/* Whether [lo, hi] is exactly the prefix lo/plen. */
static bool is_prefix(const uint8_t *lo, const uint8_t *hi, size_t len,
		      unsigned plen)
{
	unsigned bit;

	for (bit = plen; bit < len * 8; bit++) {
		uint8_t m = (uint8_t)(0x80 >> (bit % 8));

		if ((lo[bit / 8] & m) || !(hi[bit / 8] & m))
			return false;
	}
	return true;
}

void glue_ts_to_sel(const struct ike_ts *ts, struct kernel_sel *sel,
		    bool *exact)
{
	uint8_t lo[16], hi[16];
	unsigned i, plen;
	int family;
	size_t len;

	memset(sel, 0, sizeof(*sel));
	*exact = true;
	if (!ts->n)
		return;
	family = sel_family(&ts->sel[0]);
	len = family == AF_INET ? 4 : 16;
	if (!family) {
		*exact = false;
		return;
	}
	memcpy(lo, ts->sel[0].start, len);
	memcpy(hi, ts->sel[0].end, len);
	for (i = 0; i < ts->n; i++) {
		const struct ike_ts_sel *s = &ts->sel[i];

		if (sel_family(s) != family) {
			/* Both families: one prefix cannot say it. */
			*exact = false;
			memset(sel, 0, sizeof(*sel));
			return;
		}
		if (s->ip_proto || s->start_port != 0 ||
		    s->end_port != 0xffff)
			*exact = false;
		if (memcmp(s->start, lo, len) < 0)
			memcpy(lo, s->start, len);
		if (memcmp(s->end, hi, len) > 0)
			memcpy(hi, s->end, len);
	}
	if (ts->n > 1)
		*exact = false;
	plen = common_bits(lo, hi, len);
	if (!is_prefix(lo, hi, len, plen))
		*exact = false;
	sel->family = family;
	sel->plen = (uint8_t)plen;
	for (i = 0; i < len; i++) {
		unsigned keep = plen > i * 8 ? plen - i * 8 : 0;

		sel->addr[i] = keep >= 8 ? lo[i] :
			       (uint8_t)(lo[i] & (0xff00 >> keep));
	}
}

/* ---- Child SAs ---- */

static int copy_alg(char *name, const char *src, uint8_t *key,
		    size_t *key_len, const struct chunk *k, char *err,
		    size_t errlen)
{
	if (strlen(src) >= KERNEL_ALG_NAME || k->len > KERNEL_KEY_MAX ||
	    (k->len && !k->ptr)) {
		snprintf(err, errlen,
			 "algorithm %s with a %zu-byte key does not fit the kernel request (a bug in esptund)",
			 src, k->len);
		return -1;
	}
	memcpy(name, src, strlen(src) + 1);
	if (k->len)
		memcpy(key, k->ptr, k->len);
	*key_len = k->len;
	return 0;
}

int glue_child_to_kernel(const struct ike_child_dir *c, struct kernel_sa *out,
			 bool *exact, char *err, size_t errlen)
{
	bool ex_src, ex_dst;

	memset(out, 0, sizeof(*out));
	*exact = true;
	if (!c->interface || !c->interface[0] ||
	    strlen(c->interface) >= sizeof(out->ifname)) {
		snprintf(err, errlen,
			 "child %s has no usable interface: set children.%s.interface to an esptun device",
			 c->child ? c->child : "?", c->child ? c->child : "?");
		return -1;
	}
	memcpy(out->ifname, c->interface, strlen(c->interface) + 1);
	out->dir = c->dir;
	out->spi = c->spi;
	out->src = c->src;
	out->dst = c->dst;
	out->encap_sport = c->encap_sport;
	out->encap_dport = c->encap_dport;
	if (c->aead_name) {
		if (copy_alg(out->aead_name, c->aead_name, out->aead_key,
			     &out->aead_key_len, &c->aead_key, err, errlen))
			goto fail;
		out->aead_icv_bits = c->aead_icv_bits;
	} else if (c->enc_name && c->auth_name) {
		if (copy_alg(out->enc_name, c->enc_name, out->enc_key,
			     &out->enc_key_len, &c->enc_key, err, errlen) ||
		    copy_alg(out->auth_name, c->auth_name, out->auth_key,
			     &out->auth_key_len, &c->auth_key, err, errlen))
			goto fail;
		out->auth_trunc_bits = c->auth_trunc_bits;
	} else {
		snprintf(err, errlen,
			 "child %s: no ESP algorithm for the kernel (a bug in esptund)",
			 c->child ? c->child : "?");
		return -1;
	}
	out->esn = c->esn;
	out->replay_window = 0;		/* the module's default */
	if (c->sel_src)
		glue_ts_to_sel(c->sel_src, &out->sel_src, &ex_src);
	else
		ex_src = false;
	if (c->sel_dst)
		glue_ts_to_sel(c->sel_dst, &out->sel_dst, &ex_dst);
	else
		ex_dst = false;
	/* The kernel wants both selectors of one family, or none. */
	if (out->sel_src.family && out->sel_dst.family &&
	    out->sel_src.family != out->sel_dst.family) {
		memset(&out->sel_src, 0, sizeof(out->sel_src));
		memset(&out->sel_dst, 0, sizeof(out->sel_dst));
		ex_src = ex_dst = false;
	}
	*exact = ex_src && ex_dst;
	out->lim.time_soft = c->soft_time;
	out->lim.time_hard = c->hard_time;
	return 0;
fail:
	kernel_sa_wipe(out);
	return -1;
}

/* ---- finding children ---- */

const struct conf_child *glue_find_child(const struct config *c,
					 const char *name,
					 const struct conf_conn **conn)
{
	size_t i, k;

	for (i = 0; i < c->n_conns; i++)
		for (k = 0; k < c->conns[i].n_children; k++)
			if (!strcmp(c->conns[i].children[k].name, name)) {
				*conn = &c->conns[i];
				return &c->conns[i].children[k];
			}
	return NULL;
}

static bool ts_covers(const struct conf_ts_list *l, int family,
		      const uint8_t *a)
{
	size_t i, len = family == AF_INET ? 4 : 16;

	if (!l->n)
		return true;
	for (i = 0; i < l->n; i++) {
		const struct conf_ts *t = &l->v[i];

		if (t->dynamic)
			return true;
		if (t->family == family && memcmp(a, t->lo, len) >= 0 &&
		    memcmp(a, t->hi, len) <= 0)
			return true;
	}
	return false;
}

const struct conf_child *glue_trap_child(const struct config *c,
					 const char *ifname, int family,
					 const uint8_t *src, const uint8_t *dst,
					 const struct conf_conn **conn)
{
	size_t i, k;

	for (i = 0; i < c->n_conns; i++) {
		for (k = 0; k < c->conns[i].n_children; k++) {
			const struct conf_child *ch = &c->conns[i].children[k];

			if (!(ch->start_action & CONF_START_TRAP) ||
			    !ch->interface || strcmp(ch->interface, ifname) ||
			    !ts_covers(&ch->remote_ts, family, dst) ||
			    !ts_covers(&ch->local_ts, family, src))
				continue;
			*conn = &c->conns[i];
			return ch;
		}
	}
	return NULL;
}

bool glue_conn_in(const struct config *c, const struct conf_conn *a)
{
	uintptr_t p = (uintptr_t)a, b = (uintptr_t)c->conns;

	return c->n_conns && p >= b &&
	       p < b + c->n_conns * sizeof(struct conf_conn);
}
