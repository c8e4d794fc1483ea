// SPDX-License-Identifier: GPL-2.0
/*
 * Command line parsers (see parse.h).  No libnl here: the unit tests and the
 * fuzzer link this file alone.
 *
 * Every message names the token that was wrong and what was expected.
 * Tokens are quoted and cut to TOK_MAX characters so a very long argument
 * cannot drown the message.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"

#define TOK_MAX 48
/* Quoted token for "%s" style messages: use with TOK(s). */
#define TOKF "\"%.48s%s\""
#define TOK(s) (s), (strlen(s) > TOK_MAX ? "..." : "")

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int __attribute__((format(printf, 2, 3)))
fail(struct parse_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int parse_u64(const char *s, uint64_t *v)
{
	uint64_t n = 0;
	unsigned int base = 10;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		d = hexval(*s);
		if (d < 0 || (unsigned int)d >= base)
			return -EINVAL;
		if (n > (UINT64_MAX - (unsigned int)d) / base) {
			/* keep scanning: junk after an overflow is junk */
			for (s++; *s; s++) {
				d = hexval(*s);
				if (d < 0 || (unsigned int)d >= base)
					return -EINVAL;
			}
			return -ERANGE;
		}
		n = n * base + (unsigned int)d;
	}
	*v = n;
	return 0;
}

int parse_u32(const char *s, uint32_t *v)
{
	uint64_t n;
	int err = parse_u64(s, &n);

	if (err)
		return err;
	if (n > UINT32_MAX)
		return -ERANGE;
	*v = (uint32_t)n;
	return 0;
}

/* A number in [min, max]; "what" names it in the message. */
static int parse_range(const char *what, const char *s, uint64_t min,
		       uint64_t max, uint64_t *v, struct parse_err *err)
{
	int e = parse_u64(s, v);

	if (e == -EINVAL)
		return fail(err, "%s " TOKF ": not a number (expected decimal or 0x-hex, %llu to %llu)",
			    what, TOK(s), (unsigned long long)min,
			    (unsigned long long)max);
	if (e || *v < min || *v > max)
		return fail(err, "%s " TOKF ": out of range (expected %llu to %llu)",
			    what, TOK(s), (unsigned long long)min,
			    (unsigned long long)max);
	return 0;
}

int parse_spi(const char *s, uint32_t *spi, struct parse_err *err)
{
	uint64_t v;
	int e = parse_u64(s, &v);

	if (e == -EINVAL)
		return fail(err, "SPI " TOKF ": not a number (expected decimal or 0x-hex, 256 to 0xffffffff)",
			    TOK(s));
	if (e || v > UINT32_MAX)
		return fail(err, "SPI " TOKF ": too large (expected 256 to 0xffffffff)",
			    TOK(s));
	if (v < 256)
		return fail(err, "SPI " TOKF ": 0 to 255 are reserved (RFC 4303 2.1); use 256 to 0xffffffff",
			    TOK(s));
	*spi = (uint32_t)v;
	return 0;
}

void key_free(struct esptun_key *key)
{
	if (key->data) {
		explicit_bzero(key->data, key->len);
		free(key->data);
	}
	key->data = NULL;
	key->len = 0;
}

int parse_key(const char *s, struct esptun_key *key, struct parse_err *err)
{
	size_t digits, i;
	uint8_t *buf;

	key->data = NULL;
	key->len = 0;
	if (!*s)
		return 0;
	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return fail(err, "KEY " TOKF ": not hex (expected 0x followed by an even number of hex digits)",
			    TOK(s));
	s += 2;
	digits = strlen(s);
	for (i = 0; i < digits; i++)
		if (hexval(s[i]) < 0)
			return fail(err, "KEY " TOKF ": not hex (expected 0x followed by an even number of hex digits)",
				    TOK(s - 2));
	if (digits % 2)
		return fail(err, "KEY " TOKF ": odd number of hex digits (expected 0x followed by an even number of hex digits)",
			    TOK(s - 2));
	if (digits / 2 > ESPTUN_KEY_MAX)
		return fail(err, "KEY is %zu bytes long (at most %d)",
			    digits / 2, ESPTUN_KEY_MAX);
	if (!digits)
		return 0;
	buf = malloc(digits / 2);
	if (!buf)
		return fail(err, "out of memory");
	for (i = 0; i < digits / 2; i++)
		buf[i] = (uint8_t)(hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]));
	key->data = buf;
	key->len = digits / 2;
	return 0;
}

static bool get_addr(const char *s, struct esptun_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, s, addr->a) == 1) {
		addr->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, addr->a) == 1) {
		addr->family = AF_INET6;
		return true;
	}
	return false;
}

int parse_addr(const char *what, const char *s, struct esptun_addr *addr,
	       struct parse_err *err)
{
	if (!get_addr(s, addr))
		return fail(err, "%s " TOKF ": not an IPv4 or IPv6 address",
			    what, TOK(s));
	return 0;
}

static unsigned int addr_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

int parse_prefix(const char *what, const char *s, struct esptun_prefix *p,
		 struct parse_err *err)
{
	const char *slash = strchr(s, '/');
	char abuf[INET6_ADDRSTRLEN + 1];
	unsigned int bits, i;
	size_t alen;
	uint64_t plen;

	memset(p, 0, sizeof(*p));
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen >= sizeof(abuf) || (memcpy(abuf, s, alen), abuf[alen] = 0,
				     !get_addr(abuf, &p->addr)))
		return fail(err, "%s " TOKF ": not an IPv4 or IPv6 prefix (expected ADDR/LEN or ADDR)",
			    what, TOK(s));
	bits = addr_bits(p->addr.family);
	if (!slash) {
		p->plen = (uint8_t)bits;
		return 0;
	}
	if (!slash[1] || parse_u64(slash + 1, &plen) || plen > bits ||
	    (slash[1] == '0' && slash[2]))
		return fail(err, "%s " TOKF ": bad prefix length (expected /0 to /%u)",
			    what, TOK(s), bits);
	p->plen = (uint8_t)plen;
	for (i = p->plen; i < bits; i++)
		if (p->addr.a[i / 8] & (0x80 >> (i % 8)))
			return fail(err, "%s " TOKF ": host bits are set (the address must be the first of the /%u)",
				    what, TOK(s), p->plen);
	return 0;
}

int parse_port(const char *what, const char *s, bool allow_zero,
	       uint16_t *port, struct parse_err *err)
{
	uint64_t v;

	if (parse_range(what, s, allow_zero ? 0 : 1, 65535, &v, err))
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int parse_ttl(const char *s, uint8_t *ttl, struct parse_err *err)
{
	uint64_t v;

	if (parse_range("ttl", s, 1, 255, &v, err))
		return -1;
	*ttl = (uint8_t)v;
	return 0;
}

int parse_dscp(const char *s, uint8_t *dscp, struct parse_err *err)
{
	uint64_t v;

	if (!strcmp(s, "copy")) {
		*dscp = ESPTUN_DSCP_COPY;
		return 0;
	}
	if (parse_u64(s, &v) || v > 63)
		return fail(err, "dscp " TOKF ": expected copy or a number from 0 to 63",
			    TOK(s));
	*dscp = (uint8_t)v;
	return 0;
}

int parse_mtu(const char *s, bool *mtu_auto, uint32_t *mtu,
	      struct parse_err *err)
{
	uint64_t v;
	int e;

	if (!strcmp(s, "auto")) {
		*mtu_auto = true;
		return 0;
	}
	e = parse_u64(s, &v);
	if (e == -EINVAL)
		return fail(err, "mtu " TOKF ": expected auto or a number from %d to %d",
			    TOK(s), ESPTUN_SET_MTU_MIN, ESPTUN_SET_MTU_MAX);
	if (e || v < ESPTUN_SET_MTU_MIN || v > ESPTUN_SET_MTU_MAX)
		return fail(err, "mtu " TOKF ": out of range (expected auto or %d to %d)",
			    TOK(s), ESPTUN_SET_MTU_MIN, ESPTUN_SET_MTU_MAX);
	*mtu_auto = false;
	*mtu = (uint32_t)v;
	return 0;
}

int parse_mss_clamp(const char *s, uint32_t *v, struct parse_err *err)
{
	uint64_t n;
	int e;

	if (!strcmp(s, "auto")) {
		*v = ESPTUN_MSS_CLAMP_AUTO;
		return 0;
	}
	if (!strcmp(s, "off")) {
		*v = ESPTUN_MSS_CLAMP_OFF;
		return 0;
	}
	e = parse_u64(s, &n);
	if (e == -EINVAL)
		return fail(err, "mss-clamp " TOKF ": expected auto, off or an MSS from %d to %d",
			    TOK(s), ESPTUN_MSS_CLAMP_MIN, ESPTUN_MSS_CLAMP_MAX);
	if (e || n < ESPTUN_MSS_CLAMP_MIN || n > ESPTUN_MSS_CLAMP_MAX)
		return fail(err, "mss-clamp " TOKF ": out of range (expected auto, off or an MSS from %d to %d)",
			    TOK(s), ESPTUN_MSS_CLAMP_MIN, ESPTUN_MSS_CLAMP_MAX);
	*v = (uint32_t)n;
	return 0;
}

static const char *const df_names[] = {
	[ESPTUN_DF_COPY]  = "copy",
	[ESPTUN_DF_SET]   = "set",
	[ESPTUN_DF_CLEAR] = "clear",
};

const char *df_name(int df)
{
	if (df >= 0 && (size_t)df < ARRAY_SIZE(df_names))
		return df_names[df];
	return NULL;
}

int parse_df(const char *s, uint8_t *df, struct parse_err *err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(df_names); i++) {
		if (!strcmp(s, df_names[i])) {
			*df = (uint8_t)i;
			return 0;
		}
	}
	return fail(err, "df " TOKF ": expected copy, set or clear", TOK(s));
}

const char *dir_name(int dir)
{
	return dir == ESPTUN_SA_DIR_IN ? "in" :
	       dir == ESPTUN_SA_DIR_OUT ? "out" : NULL;
}

int parse_dir(const char *s, uint8_t *dir, struct parse_err *err)
{
	if (!strcmp(s, "in"))
		*dir = ESPTUN_SA_DIR_IN;
	else if (!strcmp(s, "out"))
		*dir = ESPTUN_SA_DIR_OUT;
	else
		return fail(err, "dir " TOKF ": expected in or out", TOK(s));
	return 0;
}

/* As the kernel's dev_valid_name(). */
int parse_ifname(const char *s, struct parse_err *err)
{
	size_t len = strlen(s), i;

	if (!len || len >= ESPTUN_IFNAME_MAX || !strcmp(s, ".") ||
	    !strcmp(s, ".."))
		goto bad;
	for (i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == ':' || s[i] == ' ' ||
		    (s[i] >= '\t' && s[i] <= '\r'))
			goto bad;
	return 0;
bad:
	return fail(err, TOKF " is not a valid interface name (1 to %d characters, no '/', ':' or spaces)",
		    TOK(s), ESPTUN_IFNAME_MAX - 1);
}

static const char *const limit_names[] = {
	[ESPTUN_A_LIMIT_TIME_SOFT]   = "time-soft",
	[ESPTUN_A_LIMIT_TIME_HARD]   = "time-hard",
	[ESPTUN_A_LIMIT_BYTE_SOFT]   = "byte-soft",
	[ESPTUN_A_LIMIT_BYTE_HARD]   = "byte-hard",
	[ESPTUN_A_LIMIT_PACKET_SOFT] = "packet-soft",
	[ESPTUN_A_LIMIT_PACKET_HARD] = "packet-hard",
	[ESPTUN_A_LIMIT_SEQ]	     = "seq",
};

const char *limit_name(int type)
{
	if (type > 0 && (size_t)type < ARRAY_SIZE(limit_names))
		return limit_names[type];
	return NULL;
}

int parse_limit_kind(const char *s, struct parse_err *err)
{
	int t;

	for (t = ESPTUN_A_LIMIT_TIME_SOFT; t <= ESPTUN_A_LIMIT_PACKET_HARD; t++)
		if (!strcmp(s, limit_names[t]))
			return t;
	fail(err, "limit " TOKF ": expected time-soft, time-hard, byte-soft, byte-hard, packet-soft or packet-hard",
	     TOK(s));
	return -1;
}

bool format_addr(const void *a, size_t len, char *buf, size_t size)
{
	if (len == 4)
		return inet_ntop(AF_INET, a, buf, (socklen_t)size);
	if (len == 16)
		return inet_ntop(AF_INET6, a, buf, (socklen_t)size);
	return false;
}

/*
 * Algorithms this tool knows, by kernel crypto name.  Names it does not know
 * go to the kernel unchanged, which decides; the table only gives early,
 * specific messages and the ip-xfrm aliases.
 */
enum alg_kind { ALG_AEAD, ALG_ENC, ALG_AUTH };

struct alg_info {
	const char *name;
	const char *alias;	/* ip xfrm short name */
	enum alg_kind kind;
	size_t key_lens[4];	/* allowed key lengths in bytes, 0-ended;
				 * all 0: any non-empty key */
	bool empty_key;		/* the key must be empty */
	const char *key_hint;
	uint32_t icv_bits[4];	/* AEAD: allowed ICV lengths, 0-ended */
	const char *icv_hint;
	uint32_t hash_bits;	/* AUTH: digest length */
};

static const struct alg_info algs[] = {
	{ "rfc4106(gcm(aes))", NULL, ALG_AEAD, { 20, 28, 36 }, false,
	  "20, 28 or 36 bytes: a 16, 24 or 32-byte AES key, then the 4-byte salt",
	  { 64, 96, 128 }, "64, 96 or 128", 0 },
	{ "rfc7539esp(chacha20,poly1305)", NULL, ALG_AEAD, { 36 }, false,
	  "36 bytes: the 32-byte key, then the 4-byte salt",
	  { 128 }, "128", 0 },
	{ "cbc(aes)", "aes", ALG_ENC, { 16, 24, 32 }, false,
	  "16, 24 or 32 bytes", { 0 }, NULL, 0 },
	{ "ecb(cipher_null)", "cipher_null", ALG_ENC, { 0 }, true,
	  "empty (\"\" or 0x)", { 0 }, NULL, 0 },
	/* RFC 4868 2.1.1: the key is as long as the hash */
	{ "hmac(sha256)", "sha256", ALG_AUTH, { 32 }, false,
	  "32 bytes: the hash length, RFC 4868", { 0 }, NULL, 256 },
	{ "hmac(sha384)", "sha384", ALG_AUTH, { 48 }, false,
	  "48 bytes: the hash length, RFC 4868", { 0 }, NULL, 384 },
	{ "hmac(sha512)", "sha512", ALG_AUTH, { 64 }, false,
	  "64 bytes: the hash length, RFC 4868", { 0 }, NULL, 512 },
};

static const char *const kind_word[] = {
	[ALG_AEAD] = "aead", [ALG_ENC] = "enc", [ALG_AUTH] = "auth",
};

static const char *const kind_use[] = {
	[ALG_AEAD] = "aead ALGO KEY ICV-BITS",
	[ALG_ENC]  = "enc ALGO KEY",
	[ALG_AUTH] = "auth ALGO KEY or auth-trunc ALGO KEY BITS",
};

static const struct alg_info *find_alg(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(algs); i++)
		if (!strcmp(s, algs[i].name) ||
		    (algs[i].alias && !strcmp(s, algs[i].alias)))
			return &algs[i];
	return NULL;
}

/*
 * Looks up ALGO for the slot "kind".  *name becomes the kernel name, *info
 * the table entry (NULL for a name the kernel alone can judge).
 */
static int parse_alg(enum alg_kind kind, const char *s, const char **name,
		     const struct alg_info **info, struct parse_err *err)
{
	const struct alg_info *a = find_alg(s);
	size_t i, len = strlen(s);

	if (a && a->kind != kind)
		return fail(err, "%s " TOKF ": %s is %s algorithm; use %s",
			    kind_word[kind], TOK(s), a->name,
			    a->kind == ALG_AEAD ? "an AEAD" :
			    a->kind == ALG_ENC ? "an encryption" :
			    "an authentication", kind_use[a->kind]);
	if (a) {
		*name = a->name;
		*info = a;
		return 0;
	}
	if (!len || len >= ESPTUN_ALG_NAME_MAX)
		goto bad;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			goto bad;
	*name = s;
	*info = NULL;
	return 0;
bad:
	return fail(err, "%s " TOKF ": not an algorithm name (a kernel crypto name such as %s, 1 to %d characters)",
		    kind_word[kind], TOK(s),
		    kind == ALG_AEAD ? "rfc4106(gcm(aes))" :
		    kind == ALG_ENC ? "cbc(aes)" : "hmac(sha256)",
		    ESPTUN_ALG_NAME_MAX - 1);
}

static int check_key(enum alg_kind kind, const struct alg_info *a,
		     const char *tok, const struct esptun_key *key,
		     struct parse_err *err)
{
	size_t i;

	if (!a)
		return 0;
	if (a->empty_key) {
		if (key->len)
			return fail(err, "%s %s: KEY: %s takes no key (give \"\" or 0x)",
				    kind_word[kind], a->name, a->name);
		return 0;
	}
	if (!key->len)
		return fail(err, "%s %s: KEY " TOKF ": empty (expected 0x followed by the key in hex)",
			    kind_word[kind], a->name, TOK(tok));
	if (!a->key_lens[0])
		return 0;
	for (i = 0; i < ARRAY_SIZE(a->key_lens) && a->key_lens[i]; i++)
		if (key->len == a->key_lens[i])
			return 0;
	/* A well-formed key of the wrong length may be a real one: not shown. */
	return fail(err, "%s %s: KEY is %zu bytes long (expected %s)",
		    kind_word[kind], a->name, key->len, a->key_hint);
}

/* Bit counts of ICVs and truncated HMACs: whole bytes, 32 to 512. */
static int parse_bits(const char *what, const char *alg, const char *label,
		      const char *s, uint32_t *bits, struct parse_err *err)
{
	uint64_t v;

	if (parse_u64(s, &v) || v < 32 || v > 512 || v % 8)
		return fail(err, "%s %s: %s " TOKF ": expected a number of bits, a multiple of 8 from 32 to 512",
			    what, alg, label, TOK(s));
	*bits = (uint32_t)v;
	return 0;
}

/* Keyword bits, to refuse a keyword given twice. */
enum {
	KW_DEV = 1 << 0, KW_DIR = 1 << 1, KW_SRC = 1 << 2, KW_DST = 1 << 3,
	KW_SPI = 1 << 4, KW_AEAD = 1 << 5, KW_ENC = 1 << 6, KW_AUTH = 1 << 7,
	KW_REPLAY = 1 << 8, KW_ENCAP = 1 << 9, KW_SEL = 1 << 10,
	KW_SEQ = 1 << 11, KW_ESN = 1 << 12,
	KW_LISTEN_PORT = 1 << 13, KW_TTL = 1 << 14, KW_DF = 1 << 15,
	KW_DSCP = 1 << 16, KW_MTU = 1 << 17, KW_MSS_CLAMP = 1 << 18,
};

struct words {
	int argc, i;
	char **argv;
	struct parse_err *err;
	unsigned int seen;
};

/* The value after keyword argv[i - 1]; NULL (and a message) if none. */
static const char *need(struct words *w, const char *kw, const char *what)
{
	if (w->i >= w->argc) {
		fail(w->err, "%s needs %s", kw, what);
		return NULL;
	}
	return w->argv[w->i++];
}

static int once(struct words *w, unsigned int bit, const char *kw)
{
	if (w->seen & bit)
		return fail(w->err, "%s given twice", kw);
	w->seen |= bit;
	return 0;
}

static int word_dev(struct words *w, const char **dev)
{
	const char *v;

	if (once(w, KW_DEV, "dev") || !(v = need(w, "dev", "an interface name")))
		return -1;
	if (parse_ifname(v, w->err))
		return -1;
	*dev = v;
	return 0;
}

static int word_dir(struct words *w, uint8_t *dir)
{
	const char *v;

	if (once(w, KW_DIR, "dir") || !(v = need(w, "dir", "in or out")))
		return -1;
	return parse_dir(v, dir, w->err);
}

static int word_spi(struct words *w, uint32_t *spi)
{
	const char *v;

	if (once(w, KW_SPI, "spi") ||
	    !(v = need(w, "spi", "a number (256 to 0xffffffff)")))
		return -1;
	return parse_spi(v, spi, w->err);
}

static int unknown_word(struct words *w, const char *cmd, const char *known)
{
	return fail(w->err, "unknown word " TOKF " (%s takes %s)",
		    TOK(w->argv[w->i]), cmd, known);
}

static int parse_sel(struct words *w, struct sa_add_args *a)
{
	bool any = false;

	if (once(w, KW_SEL, "sel"))
		return -1;
	while (w->i < w->argc) {
		const char *kw = w->argv[w->i], *v;
		struct esptun_prefix *p;
		bool *has;

		if (!strcmp(kw, "src")) {
			p = &a->sel_src;
			has = &a->has_sel_src;
		} else if (!strcmp(kw, "dst")) {
			p = &a->sel_dst;
			has = &a->has_sel_dst;
		} else {
			break;
		}
		w->i++;
		if (*has)
			return fail(w->err, "sel %s given twice", kw);
		v = need(w, kw[0] == 's' ? "sel src" : "sel dst",
			 "a prefix (ADDR/LEN or ADDR)");
		if (!v || parse_prefix(kw[0] == 's' ? "sel src" : "sel dst",
				       v, p, w->err))
			return -1;
		*has = true;
		any = true;
	}
	if (!any)
		return fail(w->err, "sel needs src PREFIX and/or dst PREFIX");
	if (a->has_sel_src && a->has_sel_dst &&
	    a->sel_src.addr.family != a->sel_dst.addr.family)
		return fail(w->err, "sel src and sel dst are of different address families (both IPv4 or both IPv6)");
	return 0;
}

static int parse_encap(struct words *w, struct sa_add_args *a)
{
	struct esptun_addr oaddr;
	const char *v;

	if (once(w, KW_ENCAP, "encap") ||
	    !(v = need(w, "encap", "espinudp SPORT DPORT")))
		return -1;
	if (strcmp(v, "espinudp"))
		return fail(w->err, "encap " TOKF ": expected espinudp (ESP in UDP, RFC 3948)",
			    TOK(v));
	if (!(v = need(w, "encap espinudp", "SPORT DPORT")) ||
	    parse_port("encap SPORT", v, false, &a->encap_sport, w->err) ||
	    !(v = need(w, "encap espinudp SPORT", "DPORT")) ||
	    parse_port("encap DPORT", v, false, &a->encap_dport, w->err))
		return -1;
	/* ip xfrm wants an OADDR after the ports: accepted, not used. */
	if (w->i < w->argc && get_addr(w->argv[w->i], &oaddr))
		w->i++;
	a->has_encap = true;
	return 0;
}

static int parse_limit(struct words *w, struct sa_add_args *a)
{
	const char *v;
	int t;

	if (!(v = need(w, "limit", "a kind (time-soft, time-hard, byte-soft, byte-hard, packet-soft, packet-hard) and a number")))
		return -1;
	t = parse_limit_kind(v, w->err);
	if (t < 0)
		return -1;
	if (a->has_limit[t])
		return fail(w->err, "limit %s given twice", limit_names[t]);
	if (!(v = need(w, limit_names[t], "a number")))
		return -1;
	if (parse_u64(v, &a->limits[t]))
		return fail(w->err, "limit %s " TOKF ": expected a number (decimal or 0x-hex, at most 2^64-1)",
			    limit_names[t], TOK(v));
	a->has_limit[t] = true;
	return 0;
}

static int parse_flag(struct words *w, struct sa_add_args *a)
{
	const char *v;

	if (!(v = need(w, "flag", "a flag (esn)")))
		return -1;
	if (strcmp(v, "esn"))
		return fail(w->err, "flag " TOKF ": unknown (esptun knows: esn)",
			    TOK(v));
	if (once(w, KW_ESN, "flag esn"))
		return -1;
	a->flags |= ESPTUN_SA_F_ESN;
	return 0;
}

/* aead ALGO KEY ICV-BITS */
static int parse_aead(struct words *w, struct sa_add_args *a)
{
	const struct alg_info *info;
	const char *algo, *key;

	if (once(w, KW_AEAD, "aead") ||
	    !(algo = need(w, "aead", "ALGO KEY ICV-BITS")) ||
	    parse_alg(ALG_AEAD, algo, &a->aead_name, &info, w->err) ||
	    !(key = need(w, "aead ALGO", "KEY ICV-BITS")) ||
	    parse_key(key, &a->aead_key, w->err) ||
	    check_key(ALG_AEAD, info, key, &a->aead_key, w->err))
		return -1;
	if (!info && !a->aead_key.len)
		return fail(w->err, "aead %s: KEY " TOKF ": empty (expected 0x followed by the key in hex)",
			    a->aead_name, TOK(key));
	if (!(algo = need(w, "aead ALGO KEY", "ICV-BITS")))
		return -1;
	if (info) {
		uint64_t v;
		size_t i;

		if (!parse_u64(algo, &v))
			for (i = 0; i < ARRAY_SIZE(info->icv_bits) &&
			     info->icv_bits[i]; i++)
				if (v == info->icv_bits[i]) {
					a->icv_bits = (uint32_t)v;
					return 0;
				}
		return fail(w->err, "aead %s: ICV-BITS " TOKF ": expected %s",
			    info->name, TOK(algo), info->icv_hint);
	}
	return parse_bits("aead", a->aead_name, "ICV-BITS", algo, &a->icv_bits,
			  w->err);
}

/* enc ALGO KEY */
static int parse_enc(struct words *w, struct sa_add_args *a)
{
	const struct alg_info *info;
	const char *algo, *key;

	if (once(w, KW_ENC, "enc") ||
	    !(algo = need(w, "enc", "ALGO KEY")) ||
	    parse_alg(ALG_ENC, algo, &a->enc_name, &info, w->err) ||
	    !(key = need(w, "enc ALGO", "KEY")) ||
	    parse_key(key, &a->enc_key, w->err) ||
	    check_key(ALG_ENC, info, key, &a->enc_key, w->err))
		return -1;
	return 0;
}

/* auth ALGO KEY (RFC 4868: half the digest) or auth-trunc ALGO KEY BITS */
static int parse_auth(struct words *w, struct sa_add_args *a, bool trunc)
{
	const char *kw = trunc ? "auth-trunc" : "auth";
	const struct alg_info *info;
	const char *algo, *key, *bits;

	if (w->seen & KW_AUTH)
		return fail(w->err, "%s: authentication given twice (give one auth or auth-trunc)",
			    kw);
	w->seen |= KW_AUTH;
	if (!(algo = need(w, kw, trunc ? "ALGO KEY BITS" : "ALGO KEY")) ||
	    parse_alg(ALG_AUTH, algo, &a->auth_name, &info, w->err) ||
	    !(key = need(w, trunc ? "auth-trunc ALGO" : "auth ALGO",
			 trunc ? "KEY BITS" : "KEY")) ||
	    parse_key(key, &a->auth_key, w->err) ||
	    check_key(ALG_AUTH, info, key, &a->auth_key, w->err))
		return -1;
	if (!info && !a->auth_key.len)
		return fail(w->err, "%s %s: KEY " TOKF ": empty (expected 0x followed by the key in hex)",
			    kw, a->auth_name, TOK(key));
	if (!trunc) {
		if (!info)
			return fail(w->err, "auth %s: the truncation of this algorithm is not known here; use auth-trunc %s KEY BITS",
				    a->auth_name, a->auth_name);
		a->trunc_bits = info->hash_bits / 2;
		return 0;
	}
	if (!(bits = need(w, "auth-trunc ALGO KEY", "BITS")) ||
	    parse_bits("auth-trunc", a->auth_name, "BITS", bits,
		       &a->trunc_bits, w->err))
		return -1;
	if (info && a->trunc_bits > info->hash_bits)
		return fail(w->err, "auth-trunc %s: BITS " TOKF ": longer than the %u-bit digest (RFC 4868 uses %u)",
			    info->name, TOK(bits), info->hash_bits,
			    info->hash_bits / 2);
	return 0;
}

void sa_add_args_free(struct sa_add_args *a)
{
	key_free(&a->aead_key);
	key_free(&a->enc_key);
	key_free(&a->auth_key);
}

#define SA_ADD_WORDS "dev, dir, src, dst, spi, aead, enc, auth, auth-trunc, replay-window, flag, encap, sel, seq and limit"

int parse_sa_add(int argc, char **argv, struct sa_add_args *a,
		 struct parse_err *err)
{
	struct words w = { .argc = argc, .argv = argv, .err = err };
	const char *v = NULL;
	uint64_t n = 0;

	memset(a, 0, sizeof(*a));
	while (w.i < argc) {
		const char *kw = argv[w.i++];
		int r;

		if (!strcmp(kw, "dev")) {
			r = word_dev(&w, &a->dev);
		} else if (!strcmp(kw, "dir")) {
			r = word_dir(&w, &a->dir);
		} else if (!strcmp(kw, "spi")) {
			r = word_spi(&w, &a->spi);
		} else if (!strcmp(kw, "src") || !strcmp(kw, "dst")) {
			bool src = kw[0] == 's';

			r = once(&w, src ? KW_SRC : KW_DST, kw);
			if (!r && !(v = need(&w, kw, "an IPv4 or IPv6 address")))
				r = -1;
			if (!r)
				r = parse_addr(kw, v, src ? &a->src : &a->dst,
					       err);
		} else if (!strcmp(kw, "aead")) {
			r = parse_aead(&w, a);
		} else if (!strcmp(kw, "enc")) {
			r = parse_enc(&w, a);
		} else if (!strcmp(kw, "auth")) {
			r = parse_auth(&w, a, false);
		} else if (!strcmp(kw, "auth-trunc")) {
			r = parse_auth(&w, a, true);
		} else if (!strcmp(kw, "replay-window")) {
			r = once(&w, KW_REPLAY, kw);
			if (!r && !(v = need(&w, kw, "a number (0 to 65536)")))
				r = -1;
			if (!r)
				r = parse_range(kw, v, 0, 65536, &n, err);
			a->replay_window = (uint32_t)n;
			a->has_replay_window = !r;
		} else if (!strcmp(kw, "flag")) {
			r = parse_flag(&w, a);
		} else if (!strcmp(kw, "encap")) {
			r = parse_encap(&w, a);
		} else if (!strcmp(kw, "sel")) {
			r = parse_sel(&w, a);
		} else if (!strcmp(kw, "seq")) {
			r = once(&w, KW_SEQ, kw);
			if (!r && !(v = need(&w, kw, "a number")))
				r = -1;
			if (!r)
				r = parse_range(kw, v, 0, UINT64_MAX, &a->seq,
						err);
			a->has_seq = !r;
		} else if (!strcmp(kw, "limit")) {
			r = parse_limit(&w, a);
		} else {
			w.i--;
			r = unknown_word(&w, "sa add", SA_ADD_WORDS);
		}
		if (r)
			goto out_err;
	}

	if (!a->dev)
		fail(err, "missing dev DEV");
	else if (!a->dir)
		fail(err, "missing dir in|out");
	else if (!a->src.family)
		fail(err, "missing src ADDR (the outer source address)");
	else if (!a->dst.family)
		fail(err, "missing dst ADDR (the outer destination address)");
	else if (a->src.family != a->dst.family)
		fail(err, "src and dst are of different address families (both IPv4 or both IPv6)");
	else if (!(w.seen & KW_SPI))
		fail(err, "missing spi SPI");
	else if (a->aead_name && (a->enc_name || a->auth_name))
		fail(err, "aead replaces enc and auth: give aead ALGO KEY ICV-BITS alone, or enc with auth");
	else if (a->enc_name && !a->auth_name)
		fail(err, "enc needs auth ALGO KEY or auth-trunc ALGO KEY BITS (ESP without integrity is not supported)");
	else if (a->auth_name && !a->enc_name)
		fail(err, "auth needs enc ALGO KEY (for integrity only: enc cipher_null \"\")");
	else if (!a->aead_name && !a->enc_name)
		fail(err, "missing algorithms: aead ALGO KEY ICV-BITS, or enc ALGO KEY with auth ALGO KEY");
	else
		return 0;
out_err:
	sa_add_args_free(a);
	return -1;
}

int parse_sa_del(int argc, char **argv, struct sa_del_args *a,
		 struct parse_err *err)
{
	struct words w = { .argc = argc, .argv = argv, .err = err };

	memset(a, 0, sizeof(*a));
	while (w.i < argc) {
		const char *kw = argv[w.i++];
		int r;

		if (!strcmp(kw, "dev")) {
			r = word_dev(&w, &a->dev);
		} else if (!strcmp(kw, "dir")) {
			r = word_dir(&w, &a->dir);
		} else if (!strcmp(kw, "spi")) {
			r = word_spi(&w, &a->spi);
		} else {
			w.i--;
			r = unknown_word(&w, "sa del", "dev, dir and spi");
		}
		if (r)
			return -1;
	}
	if (!a->dev)
		return fail(err, "missing dev DEV");
	if (!a->dir)
		return fail(err, "missing dir in|out");
	if (!(w.seen & KW_SPI))
		return fail(err, "missing spi SPI");
	return 0;
}

int parse_sa_dev(int argc, char **argv, bool required, const char **dev,
		 struct parse_err *err)
{
	struct words w = { .argc = argc, .argv = argv, .err = err };

	*dev = NULL;
	while (w.i < argc) {
		if (strcmp(argv[w.i], "dev"))
			return unknown_word(&w, required ? "sa flush" : "sa list",
					    "dev DEV");
		w.i++;
		if (word_dev(&w, dev))
			return -1;
	}
	if (required && !*dev)
		return fail(err, "missing dev DEV");
	return 0;
}

int parse_set(int argc, char **argv, struct set_args *a,
	      struct parse_err *err)
{
	struct words w = { .argc = argc, .argv = argv, .err = err };

	memset(a, 0, sizeof(*a));
	if (argc < 1 || !strcmp(argv[0], "listen-port") ||
	    !strcmp(argv[0], "ttl") || !strcmp(argv[0], "df") ||
	    !strcmp(argv[0], "dscp") || !strcmp(argv[0], "mtu") ||
	    !strcmp(argv[0], "mss-clamp") || !strcmp(argv[0], "dev"))
		return fail(err, "missing DEV: the interface comes first (esptun set DEV SETTING...)");
	if (parse_ifname(argv[0], err))
		return -1;
	a->dev = argv[0];
	w.i = 1;
	while (w.i < argc) {
		const char *kw = argv[w.i++], *v;

		if (!strcmp(kw, "listen-port")) {
			if (once(&w, KW_LISTEN_PORT, kw) ||
			    !(v = need(&w, kw, "a UDP port (0 to 65535, 0 closes the socket)")) ||
			    parse_port(kw, v, true, &a->listen_port, err))
				return -1;
			a->has_listen_port = true;
		} else if (!strcmp(kw, "ttl")) {
			if (once(&w, KW_TTL, kw) ||
			    !(v = need(&w, kw, "a number (1 to 255)")) ||
			    parse_ttl(v, &a->ttl, err))
				return -1;
			a->has_ttl = true;
		} else if (!strcmp(kw, "df")) {
			if (once(&w, KW_DF, kw) ||
			    !(v = need(&w, kw, "copy, set or clear")) ||
			    parse_df(v, &a->df, err))
				return -1;
			a->has_df = true;
		} else if (!strcmp(kw, "dscp")) {
			if (once(&w, KW_DSCP, kw) ||
			    !(v = need(&w, kw, "copy or a number (0 to 63)")) ||
			    parse_dscp(v, &a->dscp, err))
				return -1;
			a->has_dscp = true;
		} else if (!strcmp(kw, "mtu")) {
			if (once(&w, KW_MTU, kw) ||
			    !(v = need(&w, kw, "auto or a number (68 to 65535)")) ||
			    parse_mtu(v, &a->mtu_auto, &a->mtu, err))
				return -1;
			a->has_mtu = true;
		} else if (!strcmp(kw, "mss-clamp")) {
			if (once(&w, KW_MSS_CLAMP, kw) ||
			    !(v = need(&w, kw, "auto, off or an MSS (88 to 65495)")) ||
			    parse_mss_clamp(v, &a->mss_clamp, err))
				return -1;
			a->has_mss_clamp = true;
		} else {
			w.i--;
			return unknown_word(&w, "set DEV",
					    "listen-port, ttl, df, dscp, mtu and mss-clamp");
		}
	}
	if (!w.seen)
		return fail(err, "nothing to set: give listen-port PORT, ttl N, df {copy|set|clear}, dscp {copy|N}, mtu {auto|N} or mss-clamp {auto|off|N}");
	return 0;
}
