// SPDX-License-Identifier: GPL-2.0
/*
 * The value types of swanctl.conf, as strongSwan reads them:
 * - address lists (local_addrs): IPs, CIDR subnets, from-to ranges, %any,
 *   %any4, %any6, DNS names (resolved later), separated by commas;
 * - traffic selectors: CIDR, address, range or "dynamic", each with an
 *   optional [proto/port] (vici_config.c parse_ts());
 * - durations: a number with s, m, h or d (seconds without);
 * - identities (identification_create_from_string()): %any, IPv4, IPv6,
 *   DN (contains '='), user@fqdn (email), @fqdn, @#hex (key ID), @@user,
 *   else FQDN; or a prefix ipv4: ipv6: fqdn: dns: email: rfc822:
 *   userfqdn: asn1dn: keyid:;
 * - secrets: text, 0x hex or 0s base64.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "config.h"
#include "ikev2.h"

#define ITEM_LEN	256

/*
 * The next comma-separated item of *s, trimmed, into buf; 1 if there is
 * one, 0 at the end, -1 (with err) if empty or too long.
 */
static int next_item(const char **s, char *buf, char *err)
{
	const char *p = *s, *end;
	size_t len;

	if (!p)
		return 0;
	p += strspn(p, " \t");
	end = strchr(p, ',');
	len = end ? (size_t)(end - p) : strlen(p);
	*s = end ? end + 1 : NULL;
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	if (!len) {
		snprintf(err, CONF_ERR_LEN, "empty item in the list");
		return -1;
	}
	if (len >= ITEM_LEN) {
		snprintf(err, CONF_ERR_LEN, "item too long (%zu bytes)", len);
		return -1;
	}
	memcpy(buf, p, len);
	buf[len] = 0;
	return 1;
}

static int ip_parse(const char *s, int *family, uint8_t *a)
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -1;
}

static int addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* CIDR, single address or from-to range; 1 if s is none of them. */
static int range_parse(const char *s, int *family, uint8_t *lo,
		       uint8_t *hi, char *err)
{
	char buf[ITEM_LEN], *sep;
	int fam2, bits, i, n;
	unsigned long prefix;

	snprintf(buf, sizeof(buf), "%s", s);
	sep = strchr(buf, '/');
	if (sep) {
		*sep++ = 0;
		if (ip_parse(buf, family, lo))
			return 1;
		bits = addr_len(*family) * 8;
		errno = 0;
		prefix = strtoul(sep, &sep, 10);
		if (!isdigit((unsigned char)sep[-1]) || *sep || errno ||
		    prefix > (unsigned long)bits) {
			snprintf(err, CONF_ERR_LEN,
				 "'%s': bad prefix length (0-%d)", s, bits);
			return -1;
		}
		for (i = 0; i < addr_len(*family); i++) {
			n = (int)prefix - i * 8;
			uint8_t mask = n >= 8 ? 0xff : n <= 0 ? 0 :
				       (uint8_t)(0xff << (8 - n));

			lo[i] &= mask;
			hi[i] = lo[i] | (uint8_t)~mask;
		}
		memset(hi + addr_len(*family), 0, 16 - addr_len(*family));
		return 0;
	}
	sep = strchr(buf, '-');
	if (sep) {
		*sep++ = 0;
		if (ip_parse(buf, family, lo))
			return 1;
		if (ip_parse(sep, &fam2, hi) || fam2 != *family) {
			snprintf(err, CONF_ERR_LEN,
				 "'%s': a range needs two addresses of the same family",
				 s);
			return -1;
		}
		if (memcmp(lo, hi, 16) > 0) {
			snprintf(err, CONF_ERR_LEN,
				 "'%s': the range ends before it starts", s);
			return -1;
		}
		return 0;
	}
	if (ip_parse(buf, family, lo))
		return 1;
	memcpy(hi, lo, 16);
	return 0;
}

static bool dns_name(const char *s)
{
	size_t label = 0, len = strlen(s);

	if (!len || len > 253 || *s == '-' || *s == '.')
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (!label)
				return false;
			label = 0;
		} else if (isalnum((unsigned char)*s) || *s == '-' ||
			   *s == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

static void *grow(void *v, size_t n, size_t size)
{
	if (n >= 1024)
		return NULL;
	return realloc(v, (n + 1) * size);
}

int conf_parse_addrs(const char *s, struct conf_addrs *out, char *err)
{
	char item[ITEM_LEN];
	struct conf_addr a, *v;
	int r;

	out->n = 0;
	out->v = NULL;
	while ((r = next_item(&s, item, err)) > 0) {
		memset(&a, 0, sizeof(a));
		if (!strcmp(item, "%any") || !strcmp(item, "%any4") ||
		    !strcmp(item, "%any6")) {
			a.kind = CONF_ADDR_ANY;
			a.family = item[4] == '4' ? AF_INET :
				   item[4] == '6' ? AF_INET6 : 0;
		} else {
			r = range_parse(item, &a.family, a.lo, a.hi, err);
			if (r < 0)
				goto fail;
			a.kind = CONF_ADDR_RANGE;
			if (r) {
				if (!dns_name(item)) {
					snprintf(err, CONF_ERR_LEN,
						 "'%s': not an IP address, CIDR subnet, range, %%any or DNS name",
						 item);
					goto fail;
				}
				a.kind = CONF_ADDR_HOST;
				a.host = strdup(item);
				if (!a.host)
					goto oom;
			}
		}
		v = grow(out->v, out->n, sizeof(*v));
		if (!v) {
			free(a.host);
			goto oom;
		}
		out->v = v;
		out->v[out->n++] = a;
	}
	if (r < 0)
		goto fail;
	if (!out->n) {
		snprintf(err, CONF_ERR_LEN, "empty address list");
		goto fail;
	}
	return 0;
oom:
	snprintf(err, CONF_ERR_LEN, "out of memory or too many items");
fail:
	conf_addrs_free(out);
	return -1;
}

void conf_addrs_free(struct conf_addrs *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i].host);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

static const struct { const char *name; uint8_t proto; } protos[] = {
	{ "icmp", 1 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 },
	{ "esp", 50 }, { "ah", 51 }, { "ipv6-icmp", 58 }, { "icmpv6", 58 },
	{ "sctp", 132 },
};

static const struct { const char *name; uint16_t port; } services[] = {
	{ "ssh", 22 }, { "domain", 53 }, { "http", 80 }, { "ntp", 123 },
	{ "snmp", 161 }, { "https", 443 }, { "isakmp", 500 },
	{ "ipsec-nat-t", 4500 },
};

static int number(const char *s, unsigned long max, unsigned long *out,
		  const char **end)
{
	char *e;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoul(s, &e, 10);
	if (errno || *out > max)
		return -1;
	*end = e;
	return 0;
}

/* "proto/port" from a [proto/port] suffix */
static int protoport(char *pp, struct conf_ts *ts, const char *orig,
		     char *err)
{
	char *port = strchr(pp, '/');
	unsigned long v, v2;
	const char *end;
	size_t i;

	if (port)
		*port++ = 0;
	ts->proto = 0;
	if (strcmp(pp, "any") && *pp) {
		for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
			if (!strcmp(pp, protos[i].name))
				break;
		if (i < sizeof(protos) / sizeof(protos[0]))
			ts->proto = protos[i].proto;
		else if (!number(pp, 255, &v, &end) && !*end)
			ts->proto = v;
		else
			goto bad;
	}
	ts->port_lo = 0;
	ts->port_hi = 0xffff;
	if (!port || !*port || !strcmp(port, "any"))
		return 0;
	if (!strcmp(port, "opaque")) {
		ts->port_lo = 0xffff;
		ts->port_hi = 0;
		return 0;
	}
	for (i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		if (!strcmp(port, services[i].name)) {
			ts->port_lo = ts->port_hi = services[i].port;
			return 0;
		}
	}
	if (number(port, 0xffff, &v, &end))
		goto bad;
	v2 = v;
	if (*end == '-' && number(end + 1, 0xffff, &v2, &end))
		goto bad;
	if (*end || v2 < v)
		goto bad;
	ts->port_lo = v;
	ts->port_hi = v2;
	return 0;
bad:
	snprintf(err, CONF_ERR_LEN,
		 "'%s': bad [protocol/port]: use e.g. [tcp/443], [udp/1000-2000], [17] or [any/opaque]",
		 orig);
	return -1;
}

int conf_parse_ts(const char *s, struct conf_ts_list *out, char *err)
{
	char item[ITEM_LEN], orig[ITEM_LEN], *pp, *close;
	struct conf_ts ts, *v;
	int r, k, copies;

	out->n = 0;
	out->v = NULL;
	while ((r = next_item(&s, item, err)) > 0) {
		memset(&ts, 0, sizeof(ts));
		ts.port_hi = 0xffff;
		copies = 1;
		memcpy(orig, item, sizeof(orig));
		pp = strchr(item, '[');
		if (pp) {
			close = strrchr(pp, ']');
			if (!close || close[1]) {
				snprintf(err, CONF_ERR_LEN,
					 "'%s': '[' without a closing ']' at the end",
					 item);
				goto fail;
			}
			*close = 0;
			*pp++ = 0;
			if (protoport(pp, &ts, orig, err))
				goto fail;
		}
		if (!strcmp(item, "dynamic")) {
			ts.dynamic = true;
		} else if (!strcmp(item, "%any") || !strcmp(item, "%any4") ||
			   !strcmp(item, "%any6")) {
			ts.family = item[4] == '6' ? AF_INET6 : AF_INET;
			memset(ts.hi, 0xff, addr_len(ts.family));
			copies = item[4] ? 1 : 2;
		} else {
			r = range_parse(item, &ts.family, ts.lo, ts.hi, err);
			if (r > 0)
				snprintf(err, CONF_ERR_LEN,
					 "'%s': not a subnet (10.1.0.0/16), address, range (10.1.0.1-10.1.0.9) or dynamic",
					 orig);
			if (r)
				goto fail;
		}
		for (k = 0; k < copies; k++) {
			v = grow(out->v, out->n, sizeof(*v));
			if (!v) {
				snprintf(err, CONF_ERR_LEN, "too many traffic selectors");
				goto fail;
			}
			out->v = v;
			out->v[out->n++] = ts;
			/* %any: the IPv6 one too */
			ts.family = AF_INET6;
			memset(ts.hi, 0xff, 16);
		}
	}
	if (r < 0)
		goto fail;
	if (!out->n) {
		snprintf(err, CONF_ERR_LEN, "empty traffic selector list");
		goto fail;
	}
	return 0;
fail:
	free(out->v);
	out->v = NULL;
	out->n = 0;
	return -1;
}

int conf_parse_duration(const char *s, uint32_t *out, char *err)
{
	unsigned long long v, mul = 1;
	char *end;

	if (!isdigit((unsigned char)*s))
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		goto bad;
	switch (*end) {
	case 'd':
		mul = 86400;
		end++;
		break;
	case 'h':
		mul = 3600;
		end++;
		break;
	case 'm':
		mul = 60;
		end++;
		break;
	case 's':
		end++;
		break;
	}
	if (*end || v > UINT32_MAX / mul)
		goto bad;
	*out = v * mul;
	return 0;
bad:
	snprintf(err, CONF_ERR_LEN,
		 "'%s': not a duration: a number with s, m, h or d (e.g. 1h), at most 136 years",
		 s);
	return -1;
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? tolower(c) - 'a' + 10 : -1;
}

/* Hex to bytes, ':' and ' ' allowed between bytes. */
static int hex_decode(const char *s, uint8_t *out, size_t *len)
{
	size_t n = 0;
	int h, l;

	while (*s) {
		if (*s == ':' || *s == ' ') {
			s++;
			continue;
		}
		h = hexval((unsigned char)s[0]);
		l = h < 0 ? -1 : hexval((unsigned char)s[1]);
		if (l < 0)
			return -1;
		out[n++] = h << 4 | l;
		s += 2;
	}
	*len = n;
	return n ? 0 : -1;
}

static int b64val(int c)
{
	const char *tab =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(tab, c) : NULL;

	return p ? p - tab : -1;
}

static int b64_decode(const char *s, uint8_t *out, size_t *len)
{
	unsigned int acc = 0;
	size_t n = 0;
	int bits = 0, pad = 0, v;

	for (; *s; s++) {
		if (*s == '=') {
			pad++;
			continue;
		}
		v = b64val((unsigned char)*s);
		if (v < 0 || pad)
			return -1;
		acc = acc << 6 | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = acc >> bits;
		}
	}
	if (pad > 2)	/* leftover bits are dropped, as strongSwan does */
		return -1;
	*len = n;
	return n ? 0 : -1;
}

int conf_parse_secret(const char *s, uint8_t **data, size_t *len, char *err)
{
	size_t n = strlen(s);
	uint8_t *buf = malloc(n + 1);
	int r = 0;

	*data = NULL;
	*len = 0;
	if (!buf) {
		snprintf(err, CONF_ERR_LEN, "out of memory");
		return -1;
	}
	if (!strncmp(s, "0x", 2)) {
		r = hex_decode(s + 2, buf, len);
		if (r)
			snprintf(err, CONF_ERR_LEN,
				 "0x...: not hex (pairs of 0-9a-f, ':' allowed between)");
	} else if (!strncmp(s, "0s", 2)) {
		r = b64_decode(s + 2, buf, len);
		if (r)
			snprintf(err, CONF_ERR_LEN, "0s...: not base64");
	} else if (!n) {
		r = -1;
		snprintf(err, CONF_ERR_LEN, "empty secret");
	} else {
		memcpy(buf, s, n);
		*len = n;
	}
	if (r) {
		explicit_bzero(buf, n + 1);
		free(buf);
		*len = 0;
		return -1;
	}
	*data = buf;
	return 0;
}

/* Light DN syntax check: RDNs "attr=value" separated by ',' or '/'. */
static bool dn_ok(const char *s)
{
	const char *p = s + (*s == '/');
	size_t attr;

	while (*p) {
		p += strspn(p, " ");
		attr = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.");
		if (!attr || p[attr] != '=')
			return false;
		p += attr + 1;
		p += strcspn(p, ",/");
		if (*p)
			p++;
	}
	return p != s;
}

static const struct { const char *prefix; uint8_t type; } id_prefixes[] = {
	{ "ipv4:", IKEV2_ID_IPV4_ADDR }, { "ipv6:", IKEV2_ID_IPV6_ADDR },
	{ "fqdn:", IKEV2_ID_FQDN }, { "dns:", IKEV2_ID_FQDN },
	{ "email:", IKEV2_ID_RFC822_ADDR }, { "rfc822:", IKEV2_ID_RFC822_ADDR },
	{ "userfqdn:", IKEV2_ID_RFC822_ADDR },
	{ "asn1dn:", IKEV2_ID_DER_ASN1_DN }, { "keyid:", IKEV2_ID_KEY_ID },
};

static int id_set(struct conf_id *id, uint8_t type, const char *str,
		  char *err)
{
	int family;
	uint8_t a[16];

	id->type = type;
	id->str = strdup(str);
	if (!id->str)
		goto oom;
	switch (type) {
	case IKEV2_ID_IPV4_ADDR:
	case IKEV2_ID_IPV6_ADDR:
		if (ip_parse(str, &family, a) ||
		    (family == AF_INET) != (type == IKEV2_ID_IPV4_ADDR)) {
			snprintf(err, CONF_ERR_LEN, "'%s': not an %s address",
				 str, type == IKEV2_ID_IPV4_ADDR ? "IPv4" : "IPv6");
			return -1;
		}
		id->len = addr_len(family);
		id->data = malloc(id->len);
		if (!id->data)
			goto oom;
		memcpy(id->data, a, id->len);
		return 0;
	case IKEV2_ID_KEY_ID:
		if (*str == '#') {	/* hex */
			id->data = malloc(strlen(str) + 1);
			if (!id->data)
				goto oom;
			if (hex_decode(str + 1, id->data, &id->len)) {
				snprintf(err, CONF_ERR_LEN,
					 "'%s': a key ID after # is hex", str);
				return -1;
			}
			return 0;
		}
		break;
	case IKEV2_ID_DER_ASN1_DN:
		if (!dn_ok(str)) {
			snprintf(err, CONF_ERR_LEN,
				 "'%s': not a distinguished name (e.g. \"C=CH, O=strongSwan, CN=moon\")",
				 str);
			return -1;
		}
		return 0;
	}
	if (!*str) {
		snprintf(err, CONF_ERR_LEN, "empty identity");
		return -1;
	}
	/* FQDN, email, text key ID: the text is the value */
	id->len = strlen(str);
	id->data = (uint8_t *)strdup(str);
	if (!id->data)
		goto oom;
	return 0;
oom:
	snprintf(err, CONF_ERR_LEN, "out of memory");
	return -1;
}

int conf_parse_id(const char *s, struct conf_id *out, char *err)
{
	uint8_t a[16];
	int family, r;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < sizeof(id_prefixes) / sizeof(id_prefixes[0]); i++) {
		size_t n = strlen(id_prefixes[i].prefix);

		if (!strncasecmp(s, id_prefixes[i].prefix, n)) {
			r = id_set(out, id_prefixes[i].type, s + n, err);
			goto done;
		}
	}
	if (!*s || !strcmp(s, "%any") || !strcmp(s, "%any6") ||
	    !strcmp(s, "*") || !strcmp(s, "0.0.0.0") || !strcmp(s, "::")) {
		out->str = strdup("%any");
		r = out->str ? 0 : -1;
		if (r)
			snprintf(err, CONF_ERR_LEN, "out of memory");
		goto done;
	}
	if (strchr(s, '='))
		r = id_set(out, IKEV2_ID_DER_ASN1_DN, s, err);
	else if (!strchr(s, '@') && !ip_parse(s, &family, a))
		r = id_set(out, family == AF_INET ? IKEV2_ID_IPV4_ADDR :
			   IKEV2_ID_IPV6_ADDR, s, err);
	else if (!strchr(s, '@'))
		r = id_set(out, IKEV2_ID_FQDN, s, err);
	else if (!strncmp(s, "@#", 2))
		r = id_set(out, IKEV2_ID_KEY_ID, s + 1, err);
	else if (!strncmp(s, "@@", 2))
		r = id_set(out, IKEV2_ID_RFC822_ADDR, s + 2, err);
	else if (*s == '@')
		r = id_set(out, IKEV2_ID_FQDN, s + 1, err);
	else
		r = id_set(out, IKEV2_ID_RFC822_ADDR, s, err);
done:
	if (r)
		conf_id_free(out);
	return r;
}

void conf_id_free(struct conf_id *id)
{
	free(id->str);
	free(id->data);
	memset(id, 0, sizeof(*id));
}

int conf_parse_strs(const char *s, struct conf_strs *out, char *err)
{
	char item[ITEM_LEN], **v;
	int r;

	out->n = 0;
	out->v = NULL;
	while ((r = next_item(&s, item, err)) > 0) {
		v = grow(out->v, out->n, sizeof(*v));
		if (!v)
			goto oom;
		out->v = v;
		out->v[out->n] = strdup(item);
		if (!out->v[out->n])
			goto oom;
		out->n++;
	}
	if (!r)
		return 0;
	conf_strs_free(out);
	return -1;
oom:
	snprintf(err, CONF_ERR_LEN, "out of memory or too many items");
	conf_strs_free(out);
	return -1;
}

void conf_strs_free(struct conf_strs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
