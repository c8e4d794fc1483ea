// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic selectors: building ours from the configuration, narrowing
 * (RFC 7296 2.9: the responder answers with the intersection of what the
 * initiator offered and what its policy allows) and printing.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ts.h"

static size_t alen(uint8_t type)
{
	return type == IKEV2_TS_IPV4_ADDR_RANGE ? 4 : 16;
}

int ts_from_conf(const struct conf_ts_list *conf, const struct sockaddr *host,
		 struct ike_ts *out)
{
	size_t i;

	for (i = 0; i < conf->n; i++) {
		const struct conf_ts *c = &conf->v[i];
		struct ike_ts_sel *s;
		int family = c->dynamic ? host->sa_family : c->family;

		if (out->n == IKE_TS_MAX)
			return -1;
		s = &out->sel[out->n++];
		memset(s, 0, sizeof(*s));
		s->type = family == AF_INET ? IKEV2_TS_IPV4_ADDR_RANGE :
					      IKEV2_TS_IPV6_ADDR_RANGE;
		s->ip_proto = c->proto;
		s->start_port = c->port_lo;
		s->end_port = c->port_hi;
		if (!c->dynamic) {
			memcpy(s->start, c->lo, alen(s->type));
			memcpy(s->end, c->hi, alen(s->type));
		} else if (family == AF_INET) {
			memcpy(s->start, &((const struct sockaddr_in *)host)->sin_addr, 4);
			memcpy(s->end, s->start, 4);
		} else {
			memcpy(s->start, &((const struct sockaddr_in6 *)host)->sin6_addr, 16);
			memcpy(s->end, s->start, 16);
		}
	}
	return 0;
}

bool ts_sel_intersect(const struct ike_ts_sel *a, const struct ike_ts_sel *b,
		      struct ike_ts_sel *out)
{
	size_t n = alen(a->type);

	if (a->type != b->type)
		return false;
	if (a->ip_proto && b->ip_proto && a->ip_proto != b->ip_proto)
		return false;
	memset(out, 0, sizeof(*out));
	out->type = a->type;
	out->ip_proto = a->ip_proto ? a->ip_proto : b->ip_proto;
	/* OPAQUE (start 65535, end 0) only meets OPAQUE or any. */
	if (a->start_port > a->end_port || b->start_port > b->end_port) {
		const struct ike_ts_sel *o = a->start_port > a->end_port ? a : b;
		const struct ike_ts_sel *x = o == a ? b : a;

		if (x->start_port > x->end_port ||
		    (x->start_port == 0 && x->end_port == 0xffff)) {
			out->start_port = o->start_port;
			out->end_port = o->end_port;
		} else {
			return false;
		}
	} else {
		out->start_port = a->start_port > b->start_port ?
				  a->start_port : b->start_port;
		out->end_port = a->end_port < b->end_port ?
				a->end_port : b->end_port;
		if (out->start_port > out->end_port)
			return false;
	}
	memcpy(out->start, memcmp(a->start, b->start, n) > 0 ? a->start :
	       b->start, n);
	memcpy(out->end, memcmp(a->end, b->end, n) < 0 ? a->end : b->end, n);
	return memcmp(out->start, out->end, n) <= 0;
}

void ts_narrow(const struct ike_ts *offered, const struct ike_ts *ours,
	       struct ike_ts *out)
{
	unsigned i, j, k;
	struct ike_ts_sel s;

	out->n = 0;
	for (i = 0; i < offered->n; i++) {
		for (j = 0; j < ours->n; j++) {
			if (!ts_sel_intersect(&offered->sel[i], &ours->sel[j],
					      &s))
				continue;
			for (k = 0; k < out->n; k++)
				if (!memcmp(&out->sel[k], &s, sizeof(s)))
					break;
			if (k == out->n && out->n < IKE_TS_MAX)
				out->sel[out->n++] = s;
		}
	}
}

/* The prefix length if [start, end] is a CIDR block, else -1. */
static int prefix_len(const uint8_t *start, const uint8_t *end, size_t n)
{
	size_t bit;

	for (bit = 0; bit < n * 8; bit++) {
		uint8_t m = (uint8_t)(0x80 >> (bit % 8));

		if ((start[bit / 8] & m) != (end[bit / 8] & m))
			break;
	}
	for (size_t b = bit; b < n * 8; b++) {
		uint8_t m = (uint8_t)(0x80 >> (b % 8));

		if ((start[b / 8] & m) || !(end[b / 8] & m))
			return -1;
	}
	return (int)bit;
}

char *ts_str(const struct ike_ts *ts, char *buf, size_t len)
{
	size_t off = 0;
	unsigned i;

	buf[0] = 0;
	for (i = 0; i < ts->n && off < len; i++) {
		const struct ike_ts_sel *s = &ts->sel[i];
		int af = s->type == IKEV2_TS_IPV4_ADDR_RANGE ? AF_INET : AF_INET6;
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
		int pl = prefix_len(s->start, s->end, alen(s->type));

		inet_ntop(af, s->start, a, sizeof(a));
		inet_ntop(af, s->end, b, sizeof(b));
		off += (size_t)snprintf(buf + off, len - off, "%s", i ? ", " : "");
		if (off >= len)
			break;
		if (pl == (int)alen(s->type) * 8)
			off += (size_t)snprintf(buf + off, len - off, "%s/%d", a, pl);
		else if (pl >= 0)
			off += (size_t)snprintf(buf + off, len - off, "%s/%d", a, pl);
		else
			off += (size_t)snprintf(buf + off, len - off, "%s-%s", a, b);
		if (off >= len)
			break;
		if (s->ip_proto || s->start_port != 0 || s->end_port != 0xffff) {
			if (s->start_port > s->end_port)
				off += (size_t)snprintf(buf + off, len - off,
							"[%u/opaque]", s->ip_proto);
			else if (s->start_port == s->end_port)
				off += (size_t)snprintf(buf + off, len - off,
							"[%u/%u]", s->ip_proto,
							s->start_port);
			else
				off += (size_t)snprintf(buf + off, len - off,
							"[%u/%u-%u]", s->ip_proto,
							s->start_port, s->end_port);
		}
	}
	if (!ts->n)
		snprintf(buf, len, "(none)");
	return buf;
}
