// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the CLI's argument parsers (tools/cli/parse.c), run under
 * ASan and UBSan by `make -C tools unit`.  Bad input must be refused with a
 * message that names the offending token; good input must land in the
 * right fields.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../cli/parse.h"
#include "tap.h"

/* The error message must contain every one of the NULL-ended needles. */
static int msg_has(const struct parse_err *err, const char *const *needles)
{
	for (; *needles; needles++) {
		if (!strstr(err->msg, *needles)) {
			printf("#   message \"%s\" lacks \"%s\"\n", err->msg,
			       *needles);
			return 0;
		}
	}
	return 1;
}

#define NEEDLES(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_numbers(void)
{
	static const struct {
		const char *s;
		int ret;
		uint64_t v;
	} cases[] = {
		{ "0", 0, 0 },
		{ "42", 0, 42 },
		{ "0x2a", 0, 42 },
		{ "0X2A", 0, 42 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "0xffffffffffffffff", 0, UINT64_MAX },
		{ "18446744073709551616", -1, 0 },
		{ "0x10000000000000000", -1, 0 },
		{ "99999999999999999999999x", -1, 0 },
		{ "", -1, 0 },
		{ "0x", -1, 0 },
		{ "-1", -1, 0 },
		{ "+1", -1, 0 },
		{ " 1", -1, 0 },
		{ "1 ", -1, 0 },
		{ "12a", -1, 0 },
		{ "0x1g", -1, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;
		int r = parse_u64(cases[i].s, &v);

		check((r == 0) == (cases[i].ret == 0) &&
		      (r || v == cases[i].v),
		      "parse_u64(\"%s\") = %d", cases[i].s, r);
	}
}

static void test_spi(void)
{
	static const struct {
		const char *s;
		int ok;
		uint32_t v;
	} cases[] = {
		{ "0", 0, 0 }, { "255", 0, 0 }, { "0xff", 0, 0 },
		{ "256", 1, 256 }, { "0x100", 1, 256 },
		{ "0xffffffff", 1, 0xffffffff }, { "4294967295", 1, 0xffffffff },
		{ "4294967296", 0, 0 }, { "0x100000000", 0, 0 },
		{ "99999999999999999999", 0, 0 },
		{ "", 0, 0 }, { "0x", 0, 0 }, { "spi", 0, 0 }, { "-256", 0, 0 },
		{ "256k", 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parse_err err = { "" };
		uint32_t spi = 7;
		int r = parse_spi(cases[i].s, &spi, &err);
		char q[64];

		snprintf(q, sizeof(q), "\"%s\"", cases[i].s);
		if (cases[i].ok)
			check(r == 0 && spi == cases[i].v,
			      "SPI %s accepted as %u", q, spi);
		else
			check(r == -1 && msg_has(&err, NEEDLES("SPI", q)),
			      "SPI %s refused: %s", q, err.msg);
	}
}

static void test_keys(void)
{
	static const struct {
		const char *s;
		int ok;
		size_t len;
		const char *why;
	} cases[] = {
		{ "", 1, 0, NULL },
		{ "0x", 1, 0, NULL },
		{ "0x00", 1, 1, NULL },
		{ "0xdeadBEEF", 1, 4, NULL },
		{ "0XDEADBEEF", 1, 4, NULL },
		{ "0x123", 0, 0, "odd number" },
		{ "deadbeef", 0, 0, "not hex" },
		{ "0x12z4", 0, 0, "not hex" },
		{ "0x 12", 0, 0, "not hex" },
		{ "x1234", 0, 0, "not hex" },
		{ "mysecret", 0, 0, "not hex" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct esptun_key key = { (uint8_t *)1, 99 };
		struct parse_err err = { "" };
		int r = parse_key(cases[i].s, &key, &err);
		char q[64];

		snprintf(q, sizeof(q), "\"%s\"", cases[i].s);
		if (cases[i].ok)
			check(r == 0 && key.len == cases[i].len &&
			      (key.len ? key.data != NULL : key.data == NULL),
			      "key %s: %zu bytes", q, key.len);
		else
			check(r == -1 && !key.data && !key.len &&
			      msg_has(&err, NEEDLES("KEY", q, cases[i].why,
						    "expected 0x")),
			      "key %s refused: %s", q, err.msg);
		key_free(&key);
	}

	{
		struct esptun_key key;
		struct parse_err err = { "" };
		int r = parse_key("0xdeadBEEF", &key, &err);

		check(r == 0 && key.data[0] == 0xde && key.data[1] == 0xad &&
		      key.data[2] == 0xbe && key.data[3] == 0xef,
		      "key bytes decoded, mixed case");
		key_free(&key);
		check(!key.data && !key.len, "key_free clears the key");
	}

	/* A long bad token is cut short in the message. */
	{
		char s[300];
		struct esptun_key key;
		struct parse_err err = { "" };

		memset(s, 'a', sizeof(s));
		memcpy(s, "0x", 2);
		s[sizeof(s) - 2] = 'z';
		s[sizeof(s) - 1] = 0;
		check(parse_key(s, &key, &err) == -1 &&
		      msg_has(&err, NEEDLES("KEY \"0xaaa", "...\"", "not hex")) &&
		      strlen(err.msg) < 200, "long bad key cut short: %s",
		      err.msg);
	}

	/* The longest key, one byte more, and something absurd. */
	{
		size_t sizes[] = { 512, 513, 100000 };
		size_t i2;

		for (i2 = 0; i2 < 3; i2++) {
			size_t n = sizes[i2];
			char *s = malloc(2 * n + 3);
			struct esptun_key key;
			struct parse_err err = { "" };
			int r;

			if (!s)
				abort();
			s[0] = '0';
			s[1] = 'x';
			memset(s + 2, 'a', 2 * n);
			s[2 * n + 2] = 0;
			r = parse_key(s, &key, &err);
			if (n <= 512)
				check(r == 0 && key.len == n,
				      "key of %zu bytes accepted", n);
			else
				check(r == -1 && msg_has(&err, NEEDLES("KEY", "at most 512")) &&
				      strlen(err.msg) < 200,
				      "key of %zu bytes refused: %s",
				      n, err.msg);
			key_free(&key);
			free(s);
		}
	}
}

static void test_prefixes(void)
{
	static const struct {
		const char *s;
		int ok;
		int family;
		unsigned int plen;
		const char *why;
	} cases[] = {
		{ "10.0.0.0/24", 1, AF_INET, 24, NULL },
		{ "10.0.0.1", 1, AF_INET, 32, NULL },
		{ "0.0.0.0/0", 1, AF_INET, 0, NULL },
		{ "10.0.0.1/32", 1, AF_INET, 32, NULL },
		{ "2001:db8::/32", 1, AF_INET6, 32, NULL },
		{ "2001:db8::1", 1, AF_INET6, 128, NULL },
		{ "::/0", 1, AF_INET6, 0, NULL },
		{ "2001:db8::1/128", 1, AF_INET6, 128, NULL },
		{ "10.0.0.0/33", 0, 0, 0, "/0 to /32" },
		{ "2001:db8::/129", 0, 0, 0, "/0 to /128" },
		{ "10.0.0.0/", 0, 0, 0, "prefix length" },
		{ "10.0.0.0/-1", 0, 0, 0, "prefix length" },
		{ "10.0.0.0/08", 0, 0, 0, "prefix length" },
		{ "10.0.0.0/0x8", 0, 0, 0, "prefix length" },
		{ "10.0.0.0/24/1", 0, 0, 0, "prefix length" },
		{ "10.0.0.1/24", 0, 0, 0, "host bits" },
		{ "2001:db8::1/64", 0, 0, 0, "host bits" },
		{ "/24", 0, 0, 0, "not an IPv4 or IPv6 prefix" },
		{ "", 0, 0, 0, "not an IPv4 or IPv6 prefix" },
		{ "10.0.0/24", 0, 0, 0, "not an IPv4 or IPv6 prefix" },
		{ "host.example/24", 0, 0, 0, "not an IPv4 or IPv6 prefix" },
		{ "2001:db8:0000:0000:0000:0000:0000:0000:0000/64", 0, 0, 0,
		  "not an IPv4 or IPv6 prefix" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct esptun_prefix p;
		struct parse_err err = { "" };
		int r = parse_prefix("sel src", cases[i].s, &p, &err);
		char q[80];

		snprintf(q, sizeof(q), "\"%.40s", cases[i].s);
		if (cases[i].ok)
			check(r == 0 && p.addr.family == cases[i].family &&
			      p.plen == cases[i].plen,
			      "prefix %s\" family %d /%u", q, p.addr.family,
			      p.plen);
		else
			check(r == -1 && msg_has(&err, NEEDLES("sel src", q,
							       cases[i].why)),
			      "prefix %s\" refused: %s", q, err.msg);
	}
}

static void test_ranges(void)
{
	struct parse_err err;
	uint16_t port;
	uint8_t v;

	check(!parse_port("encap SPORT", "4500", false, &port, &err) &&
	      port == 4500, "port 4500");
	check(!parse_port("encap SPORT", "65535", false, &port, &err) &&
	      port == 65535, "port 65535");
	check(parse_port("encap SPORT", "0", false, &port, &err) &&
	      msg_has(&err, NEEDLES("encap SPORT", "\"0\"", "1 to 65535")),
	      "port 0 refused for encap: %s", err.msg);
	check(!parse_port("listen-port", "0", true, &port, &err) && port == 0,
	      "listen-port 0 (closes)");
	check(parse_port("listen-port", "65536", true, &port, &err) &&
	      msg_has(&err, NEEDLES("\"65536\"", "0 to 65535")),
	      "port 65536 refused: %s", err.msg);
	check(parse_port("listen-port", "ipsec-nat-t", true, &port, &err) &&
	      msg_has(&err, NEEDLES("not a number")),
	      "port by name refused: %s", err.msg);

	check(!parse_ttl("1", &v, &err) && v == 1, "ttl 1");
	check(!parse_ttl("255", &v, &err) && v == 255, "ttl 255");
	check(parse_ttl("0", &v, &err) && msg_has(&err, NEEDLES("ttl", "\"0\"", "1 to 255")),
	      "ttl 0 refused: %s", err.msg);
	check(parse_ttl("256", &v, &err) && msg_has(&err, NEEDLES("\"256\"")),
	      "ttl 256 refused: %s", err.msg);

	check(!parse_dscp("0", &v, &err) && v == 0, "dscp 0");
	check(!parse_dscp("63", &v, &err) && v == 63, "dscp 63");
	check(!parse_dscp("0x2e", &v, &err) && v == 46, "dscp 0x2e");
	check(!parse_dscp("copy", &v, &err) && v == ESPTUN_DSCP_COPY,
	      "dscp copy");
	check(parse_dscp("64", &v, &err) &&
	      msg_has(&err, NEEDLES("dscp", "\"64\"", "copy", "0 to 63")),
	      "dscp 64 refused: %s", err.msg);
	check(parse_dscp("inherit", &v, &err) && msg_has(&err, NEEDLES("\"inherit\"")),
	      "dscp inherit refused: %s", err.msg);

	check(!parse_df("copy", &v, &err) && v == ESPTUN_DF_COPY, "df copy");
	check(!parse_df("set", &v, &err) && v == ESPTUN_DF_SET, "df set");
	check(!parse_df("clear", &v, &err) && v == ESPTUN_DF_CLEAR, "df clear");
	check(parse_df("on", &v, &err) &&
	      msg_has(&err, NEEDLES("\"on\"", "copy, set or clear")),
	      "df on refused: %s", err.msg);
}

static void test_limit_kinds(void)
{
	static const struct {
		const char *s;
		int type;
	} cases[] = {
		{ "time-soft", ESPTUN_A_LIMIT_TIME_SOFT },
		{ "time-hard", ESPTUN_A_LIMIT_TIME_HARD },
		{ "byte-soft", ESPTUN_A_LIMIT_BYTE_SOFT },
		{ "byte-hard", ESPTUN_A_LIMIT_BYTE_HARD },
		{ "packet-soft", ESPTUN_A_LIMIT_PACKET_SOFT },
		{ "packet-hard", ESPTUN_A_LIMIT_PACKET_HARD },
		{ "seq", -1 },		/* only in events */
		{ "time", -1 },
		{ "", -1 },
		{ "Time-Soft", -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parse_err err = { "" };
		int t = parse_limit_kind(cases[i].s, &err);
		char q[64];

		snprintf(q, sizeof(q), "\"%s\"", cases[i].s);
		check(t == cases[i].type &&
		      (t >= 0 ? !strcmp(limit_name(t), cases[i].s) :
		       msg_has(&err, NEEDLES(q, "packet-hard"))),
		      "limit kind %s -> %d", q, t);
	}
	check(!strcmp(limit_name(ESPTUN_A_LIMIT_SEQ), "seq") &&
	      !limit_name(0) && !limit_name(ESPTUN_A_LIMIT_MAX + 1),
	      "limit names for events");
}

/* Splits a command line on spaces; '' stands for an empty argument. */
static int split(const char *line, char *buf, size_t size, char **argv,
		 int max)
{
	char *save = NULL, *t;
	int argc = 0;

	snprintf(buf, size, "%s", line);
	for (t = strtok_r(buf, " ", &save); t && argc < max;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = strcmp(t, "''") ? t : t + 2;
	return argc;
}

#define BASE "dev esp0 dir out src 192.0.2.1 dst 192.0.2.2 spi 0x100 "
#define K16 "0x000102030405060708090a0b0c0d0e0f"
#define K20 "0x000102030405060708090a0b0c0d0e0f10111213"
#define K32 K16 "000102030405060708090a0b0c0d0e0f"
#define K36 K32 "01020304"
#define K48 K32 "000102030405060708090a0b0c0d0e0f"
#define K64 K32 "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"

static const struct {
	const char *line;
	const char *const needles[4];	/* bad lines: in the message */
} sa_add_bad[] = {
	{ "", { "missing dev" } },
	{ BASE, { "missing algorithms" } },
	{ "dir out src 192.0.2.1 dst 192.0.2.2 spi 256 aead rfc4106(gcm(aes)) " K20 " 128",
	  { "missing dev" } },
	{ "dev esp0 src 192.0.2.1 dst 192.0.2.2 spi 256 aead rfc4106(gcm(aes)) " K20 " 128",
	  { "missing dir" } },
	{ "dev esp0 dir out dst 192.0.2.2 spi 256 aead rfc4106(gcm(aes)) " K20 " 128",
	  { "missing src" } },
	{ "dev esp0 dir out src 192.0.2.1 spi 256 aead rfc4106(gcm(aes)) " K20 " 128",
	  { "missing dst" } },
	{ "dev esp0 dir out src 192.0.2.1 dst 192.0.2.2 aead rfc4106(gcm(aes)) " K20 " 128",
	  { "missing spi" } },
	{ "dev esp0 dir out src 192.0.2.1 dst 2001:db8::2 spi 256 aead rfc4106(gcm(aes)) " K20 " 128",
	  { "different address families" } },
	{ "dev esp0 dir sideways", { "dir", "\"sideways\"", "in or out" } },
	{ "dev esp0 dir", { "dir needs" } },
	{ "dev", { "dev needs" } },
	{ "dev esp0 dev esp1", { "dev given twice" } },
	{ "dev 0123456789abcdef", { "\"0123456789abcdef\"", "interface name" } },
	{ "dev a/b", { "\"a/b\"", "interface name" } },
	{ "dev ''", { "\"\"", "interface name" } },
	{ "dev esp0 src 192.0.2.300", { "src", "\"192.0.2.300\"", "IPv4 or IPv6" } },
	{ "dev esp0 dst gw.example", { "dst", "\"gw.example\"" } },
	{ "dev esp0 spi 255", { "SPI", "\"255\"", "reserved", "256" } },
	{ "dev esp0 spi 0x1ffffffff", { "SPI", "\"0x1ffffffff\"", "too large" } },
	{ "dev esp0 spi one", { "SPI", "\"one\"", "not a number" } },
	{ "dev esp0 spi 256 spi 257", { "spi given twice" } },
	{ BASE "frobnicate 1", { "unknown word", "\"frobnicate\"" } },
	{ BASE "mode tunnel", { "unknown word", "\"mode\"" } },
	/* algorithms */
	{ BASE "aead rfc4106(gcm(aes)) 0x12z4 128",
	  { "KEY", "\"0x12z4\"", "not hex", "even number of hex digits" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 100",
	  { "ICV-BITS", "\"100\"", "expected 64, 96 or 128" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " icv",
	  { "\"icv\"", "expected 64, 96 or 128" } },
	{ BASE "aead rfc4106(gcm(aes)) " K16 " 128",
	  { "KEY is 16 bytes", "20, 28 or 36", "salt" } },
	{ BASE "aead rfc4106(gcm(aes)) '' 128", { "KEY", "\"\"", "empty" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20, { "ICV-BITS" } },
	{ BASE "aead rfc4106(gcm(aes))", { "KEY ICV-BITS" } },
	{ BASE "aead", { "aead needs" } },
	{ BASE "aead rfc7539esp(chacha20,poly1305) " K36 " 96",
	  { "\"96\"", "expected 128" } },
	{ BASE "aead rfc7539esp(chacha20,poly1305) " K32 " 128",
	  { "KEY is 32 bytes", "36 bytes" } },
	{ BASE "aead cbc(aes) " K16 " 128",
	  { "aead", "\"cbc(aes)\"", "encryption algorithm", "enc ALGO KEY" } },
	{ BASE "enc rfc4106(gcm(aes)) " K20,
	  { "\"rfc4106(gcm(aes))\"", "AEAD", "aead ALGO KEY ICV-BITS" } },
	{ BASE "auth cbc(aes) " K16, { "\"cbc(aes)\"", "encryption" } },
	{ BASE "aead gcm(aes)x " K20 " 100",
	  { "ICV-BITS", "\"100\"", "multiple of 8" } },
	{ BASE "aead bad\x01name " K20 " 128", { "not an algorithm name" } },
	{ BASE "enc cbc(aes) " K16, { "enc needs auth" } },
	{ BASE "auth sha256 " K32, { "auth needs enc", "cipher_null" } },
	{ BASE "enc cbc(aes) " K16 " auth sha256 " K32 " auth sha256 " K32,
	  { "auth", "twice" } },
	{ BASE "enc cbc(aes) " K16 " auth sha256 " K32 " auth-trunc sha256 " K32 " 96",
	  { "auth-trunc", "twice" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 enc cbc(aes) " K16 " auth sha256 " K32,
	  { "aead replaces enc and auth" } },
	{ BASE "enc cbc(aes) 0x0102 auth sha256 " K32,
	  { "enc cbc(aes)", "KEY is 2 bytes", "16, 24 or 32" } },
	{ BASE "enc cipher_null " K16 " auth sha256 " K32,
	  { "ecb(cipher_null)", "takes no key" } },
	{ BASE "enc cbc(aes) " K16 " auth sha256 ''", { "auth hmac(sha256)", "empty" } },
	{ BASE "enc cbc(aes) " K16 " auth sha512 " K32,
	  { "auth hmac(sha512)", "KEY is 32 bytes", "64 bytes" } },
	{ BASE "enc cbc(aes) " K16 " auth-trunc hmac(sha384) " K64 " 192",
	  { "auth hmac(sha384)", "KEY is 64 bytes", "48 bytes" } },
	{ BASE "enc cbc(aes) " K16 " auth hmac(md5) " K16,
	  { "hmac(md5)", "auth-trunc hmac(md5) KEY BITS" } },
	{ BASE "enc cbc(aes) " K16 " auth-trunc sha256 " K32 " 512",
	  { "BITS", "\"512\"", "256-bit digest" } },
	{ BASE "enc cbc(aes) " K16 " auth-trunc sha256 " K32 " 100",
	  { "BITS", "\"100\"", "multiple of 8" } },
	{ BASE "enc cbc(aes) " K16 " auth-trunc sha256 " K32,
	  { "BITS" } },
	/* options */
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 replay-window 65537",
	  { "replay-window", "\"65537\"", "0 to 65536" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 replay-window",
	  { "replay-window needs" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 flag noecn",
	  { "flag", "\"noecn\"", "esn" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 flag esn flag esn",
	  { "flag esn given twice" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 encap espinudp 0 4500",
	  { "encap SPORT", "\"0\"", "1 to 65535" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 encap espinudp 4500 70000",
	  { "encap DPORT", "\"70000\"" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 encap espintcp 4500 4500",
	  { "encap", "\"espintcp\"", "espinudp" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 encap espinudp 4500",
	  { "DPORT" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 encap espinudp 4500 4500 1.2.3.4 encap espinudp 1 1",
	  { "encap given twice" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 sel src 10.0.0.0/33",
	  { "sel src", "\"10.0.0.0/33\"", "/0 to /32" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 sel src 10.0.0.0/24 dst 2001:db8::/64",
	  { "different address families" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 sel", { "sel needs" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 sel proto 1", { "sel needs" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 sel src 10.0.0.0/8 src 10.0.0.0/8",
	  { "sel src given twice" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 sel dst", { "sel dst needs" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 limit time-soft",
	  { "time-soft needs" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 limit bytes-soft 10",
	  { "limit", "\"bytes-soft\"", "byte-soft" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 limit byte-soft 10k",
	  { "limit byte-soft", "\"10k\"" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 limit byte-soft 10 limit byte-soft 20",
	  { "limit byte-soft given twice" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 seq -1",
	  { "seq", "\"-1\"" } },
	{ BASE "aead rfc4106(gcm(aes)) " K20 " 128 seq 18446744073709551616",
	  { "seq", "\"18446744073709551616\"", "out of range" } },
};

static void test_sa_add_bad(void)
{
	size_t i, j;

	for (i = 0; i < sizeof(sa_add_bad) / sizeof(sa_add_bad[0]); i++) {
		struct sa_add_args a;
		struct parse_err err = { "" };
		char buf[1024], *argv[64];
		int argc = split(sa_add_bad[i].line, buf, sizeof(buf), argv, 64);
		int r = parse_sa_add(argc, argv, &a, &err), ok = r == -1;

		for (j = 0; ok && j < 4 && sa_add_bad[i].needles[j]; j++)
			if (!strstr(err.msg, sa_add_bad[i].needles[j])) {
				printf("#   message \"%s\" lacks \"%s\"\n",
				       err.msg, sa_add_bad[i].needles[j]);
				ok = 0;
			}
		/* a refused parse holds no key */
		ok = ok && !a.aead_key.data && !a.enc_key.data && !a.auth_key.data;
		check(ok, "sa add refuses \"%.60s%s\": %s", sa_add_bad[i].line,
		      strlen(sa_add_bad[i].line) > 60 ? "..." : "", err.msg);
		if (!r)
			sa_add_args_free(&a);
	}
}

static int parse_line(const char *line, struct sa_add_args *a,
		      struct parse_err *err)
{
	static char buf[4096];
	char *argv[64];
	int argc = split(line, buf, sizeof(buf), argv, 64);

	return parse_sa_add(argc, argv, a, err);
}

static void test_sa_add_good(void)
{
	struct parse_err err = { "" };
	struct sa_add_args a;
	uint8_t v4[4];

	/* AEAD, the minimum */
	check(!parse_line(BASE "aead rfc4106(gcm(aes)) " K20 " 128", &a, &err) &&
	      !strcmp(a.dev, "esp0") && a.dir == ESPTUN_SA_DIR_OUT &&
	      a.spi == 256 && a.src.family == AF_INET &&
	      !memcmp(a.src.a, (inet_pton(AF_INET, "192.0.2.1", v4), v4), 4) &&
	      !memcmp(a.dst.a, (inet_pton(AF_INET, "192.0.2.2", v4), v4), 4) &&
	      !strcmp(a.aead_name, "rfc4106(gcm(aes))") &&
	      a.aead_key.len == 20 && a.aead_key.data[19] == 0x13 &&
	      a.icv_bits == 128 && !a.enc_name && !a.auth_name &&
	      !a.has_replay_window && !a.flags && !a.has_encap &&
	      !a.has_sel_src && !a.has_sel_dst && !a.has_seq &&
	      !a.has_limit[ESPTUN_A_LIMIT_TIME_SOFT],
	      "sa add aead minimal: %s", err.msg);
	sa_add_args_free(&a);

	/* every option, IPv6, any order */
	check(!parse_line("spi 4294967295 aead rfc7539esp(chacha20,poly1305) " K36
			  " 128 dir in dev esp-fifteen-ch src 2001:db8::1 dst 2001:db8::2"
			  " replay-window 0 flag esn encap espinudp 4500 4501 ::"
			  " sel src 10.0.0.0/24 dst 10.1.0.0/16 seq 0xffffffff"
			  " limit time-soft 10 limit packet-hard 18446744073709551615",
			  &a, &err) &&
	      a.dir == ESPTUN_SA_DIR_IN && a.spi == 0xffffffff &&
	      a.src.family == AF_INET6 && a.src.a[15] == 1 &&
	      a.dst.a[15] == 2 && a.has_replay_window && !a.replay_window &&
	      a.flags == ESPTUN_SA_F_ESN && a.has_encap &&
	      a.encap_sport == 4500 && a.encap_dport == 4501 &&
	      a.has_sel_src && a.sel_src.plen == 24 &&
	      a.sel_src.addr.family == AF_INET && a.has_sel_dst &&
	      a.sel_dst.plen == 16 && a.has_seq && a.seq == 0xffffffff &&
	      a.has_limit[ESPTUN_A_LIMIT_TIME_SOFT] &&
	      a.limits[ESPTUN_A_LIMIT_TIME_SOFT] == 10 &&
	      a.has_limit[ESPTUN_A_LIMIT_PACKET_HARD] &&
	      a.limits[ESPTUN_A_LIMIT_PACKET_HARD] == UINT64_MAX &&
	      !a.has_limit[ESPTUN_A_LIMIT_BYTE_SOFT],
	      "sa add with every option: %s", err.msg);
	sa_add_args_free(&a);

	/* enc + auth with ip xfrm's aliases: RFC 4868 truncation */
	check(!parse_line(BASE "enc aes " K32 " auth sha384 " K48, &a, &err) &&
	      !strcmp(a.enc_name, "cbc(aes)") && a.enc_key.len == 32 &&
	      !strcmp(a.auth_name, "hmac(sha384)") && a.trunc_bits == 192 &&
	      !a.aead_name, "sa add enc aes auth sha384: %s", err.msg);
	sa_add_args_free(&a);
	check(!parse_line(BASE "enc cbc(aes) " K16 " auth hmac(sha512) " K64, &a, &err) &&
	      a.trunc_bits == 256, "auth hmac(sha512) truncates to 256");
	sa_add_args_free(&a);
	check(!parse_line(BASE "auth hmac(sha256) " K32 " enc cbc(aes) " K16, &a, &err) &&
	      a.trunc_bits == 128, "auth before enc, sha256 truncates to 128");
	sa_add_args_free(&a);
	check(!parse_line(BASE "enc cbc(aes) " K16 " auth-trunc hmac(sha256) " K32 " 96",
			  &a, &err) && a.trunc_bits == 96,
	      "auth-trunc 96: %s", err.msg);
	sa_add_args_free(&a);

	/* null encryption, the three spellings of an empty key */
	check(!parse_line(BASE "enc cipher_null '' auth sha256 " K32, &a, &err) &&
	      !strcmp(a.enc_name, "ecb(cipher_null)") && !a.enc_key.len,
	      "enc cipher_null \"\": %s", err.msg);
	sa_add_args_free(&a);
	check(!parse_line(BASE "enc ecb(cipher_null) 0x auth sha256 " K32, &a, &err) &&
	      !strcmp(a.enc_name, "ecb(cipher_null)"),
	      "enc ecb(cipher_null) 0x: %s", err.msg);
	sa_add_args_free(&a);

	/* an algorithm this tool does not know goes to the kernel */
	check(!parse_line(BASE "enc cbc(des3_ede) 0x0102 auth-trunc hmac(sha1) " K20 " 96",
			  &a, &err) && !strcmp(a.enc_name, "cbc(des3_ede)") &&
	      !strcmp(a.auth_name, "hmac(sha1)") && a.trunc_bits == 96,
	      "unknown algorithms pass through: %s", err.msg);
	sa_add_args_free(&a);

	/* selectors: bare addresses, one side only; encap without OADDR */
	check(!parse_line(BASE "aead rfc4106(gcm(aes)) " K20 " 64 sel dst 2001:db8::5"
			  " encap espinudp 4500 4500", &a, &err) &&
	      !a.has_sel_src && a.has_sel_dst && a.sel_dst.plen == 128 &&
	      a.icv_bits == 64 && a.has_encap,
	      "sel dst only, encap without OADDR: %s", err.msg);
	sa_add_args_free(&a);
	check(!parse_line(BASE "aead rfc4106(gcm(aes)) " K20 " 96 encap espinudp 1 2 0.0.0.0 seq 1",
			  &a, &err) && a.has_seq && a.seq == 1 &&
	      a.encap_sport == 1 && a.encap_dport == 2,
	      "encap OADDR skipped, next word parsed: %s", err.msg);
	sa_add_args_free(&a);
}

static void test_sa_del_dev(void)
{
	struct parse_err err = { "" };
	struct sa_del_args d;
	const char *dev;
	char buf[256], *argv[16];
	int argc;

	argc = split("dev esp0 dir in spi 0x1234", buf, sizeof(buf), argv, 16);
	check(!parse_sa_del(argc, argv, &d, &err) && !strcmp(d.dev, "esp0") &&
	      d.dir == ESPTUN_SA_DIR_IN && d.spi == 0x1234, "sa del");
	argc = split("dev esp0 dir in", buf, sizeof(buf), argv, 16);
	check(parse_sa_del(argc, argv, &d, &err) &&
	      msg_has(&err, NEEDLES("missing spi")), "sa del without spi: %s",
	      err.msg);
	argc = split("dev esp0 spi 256 src 1.2.3.4", buf, sizeof(buf), argv, 16);
	check(parse_sa_del(argc, argv, &d, &err) &&
	      msg_has(&err, NEEDLES("\"src\"", "dev, dir and spi")),
	      "sa del with src: %s", err.msg);

	argc = split("dev esp0", buf, sizeof(buf), argv, 16);
	check(!parse_sa_dev(argc, argv, true, &dev, &err) &&
	      !strcmp(dev, "esp0"), "sa flush dev esp0");
	check(parse_sa_dev(0, argv, true, &dev, &err) &&
	      msg_has(&err, NEEDLES("missing dev")), "sa flush without dev");
	check(!parse_sa_dev(0, argv, false, &dev, &err) && !dev,
	      "sa list without dev");
	argc = split("esp0", buf, sizeof(buf), argv, 16);
	check(parse_sa_dev(argc, argv, false, &dev, &err) &&
	      msg_has(&err, NEEDLES("\"esp0\"", "dev DEV")),
	      "sa list esp0 (without the word dev): %s", err.msg);
}

static void test_set(void)
{
	static const struct {
		const char *line;
		const char *needle;	/* NULL: must parse */
	} cases[] = {
		{ "esp0 listen-port 4500", NULL },
		{ "esp0 listen-port 0 ttl 1 df clear dscp copy", NULL },
		{ "esp0 dscp 63 df set ttl 255", NULL },
		{ "", "missing DEV" },
		{ "esp0", "nothing to set" },
		{ "listen-port 4500", "missing DEV" },
		{ "esp0 ttl 0", "\"0\"" },
		{ "esp0 ttl 256", "\"256\"" },
		{ "esp0 ttl", "ttl needs" },
		{ "esp0 dscp 64", "\"64\"" },
		{ "esp0 df maybe", "\"maybe\"" },
		{ "esp0 listen-port 65536", "\"65536\"" },
		{ "esp0 ttl 64 ttl 64", "ttl given twice" },
		{ "esp0 mtu 1400", NULL },
		{ "esp0 mtu auto", NULL },
		{ "esp0 mtu 68 mss-clamp 88", NULL },
		{ "esp0 mtu 0xffff mss-clamp 65495", NULL },
		{ "esp0 mss-clamp off ttl 3", NULL },
		{ "esp0 mtu 67", "mtu \"67\": out of range (expected auto or 68 to 65535)" },
		{ "esp0 mtu 65536", "mtu \"65536\": out of range" },
		{ "esp0 mtu 99999999999999999999", "mtu \"99999999999999999999\": out of range" },
		{ "esp0 mtu x", "mtu \"x\": expected auto or a number from 68 to 65535" },
		{ "esp0 mtu -1", "mtu \"-1\"" },
		{ "esp0 mtu AUTO", "mtu \"AUTO\"" },
		{ "esp0 mtu", "mtu needs auto or a number" },
		{ "esp0 mtu auto mtu 1400", "mtu given twice" },
		{ "esp0 mss-clamp 50", "mss-clamp \"50\": out of range (expected auto, off or an MSS from 88 to 65495)" },
		{ "esp0 mss-clamp 0", "mss-clamp \"0\": out of range" },
		{ "esp0 mss-clamp 1", "mss-clamp \"1\": out of range" },
		{ "esp0 mss-clamp 87", "mss-clamp \"87\"" },
		{ "esp0 mss-clamp 65496", "mss-clamp \"65496\"" },
		{ "esp0 mss-clamp on", "mss-clamp \"on\": expected auto, off or an MSS" },
		{ "esp0 mss-clamp", "mss-clamp needs" },
		{ "esp0 mss-clamp off mss-clamp auto", "mss-clamp given twice" },
		{ "esp0 mtu-auto", "(set DEV takes listen-port, ttl, df, dscp, mtu and mss-clamp)" },
		{ "mtu 1400", "missing DEV" },
		{ "mss-clamp auto", "missing DEV" },
		{ "dev esp0 ttl 3", "missing DEV" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parse_err err = { "" };
		struct set_args s;
		char buf[256], *argv[16];
		int argc = split(cases[i].line, buf, sizeof(buf), argv, 16);
		int r = parse_set(argc, argv, &s, &err);

		if (!cases[i].needle)
			check(!r, "set %s: %s", cases[i].line, err.msg);
		else
			check(r && strstr(err.msg, cases[i].needle),
			      "set %s refused: %s", cases[i].line, err.msg);
	}

	{
		struct parse_err err = { "" };
		struct set_args s;
		char buf[256], *argv[16];
		int argc = split("esp0 listen-port 0 ttl 7 df clear dscp copy",
				 buf, sizeof(buf), argv, 16);

		check(!parse_set(argc, argv, &s, &err) && !strcmp(s.dev, "esp0") &&
		      s.has_listen_port && s.listen_port == 0 && s.has_ttl &&
		      s.ttl == 7 && s.has_df && s.df == ESPTUN_DF_CLEAR &&
		      s.has_dscp && s.dscp == ESPTUN_DSCP_COPY,
		      "set fills every field");
		argc = split("esp0 ttl 9", buf, sizeof(buf), argv, 16);
		check(!parse_set(argc, argv, &s, &err) && s.has_ttl &&
		      !s.has_listen_port && !s.has_df && !s.has_dscp &&
		      !s.has_mtu && !s.has_mss_clamp,
		      "set one field only");

		argc = split("esp0 mtu auto", buf, sizeof(buf), argv, 16);
		check(!parse_set(argc, argv, &s, &err) && s.has_mtu &&
		      s.mtu_auto && !s.has_mss_clamp && !s.has_ttl,
		      "set mtu auto");
		argc = split("esp0 mtu 1400", buf, sizeof(buf), argv, 16);
		check(!parse_set(argc, argv, &s, &err) && s.has_mtu &&
		      !s.mtu_auto && s.mtu == 1400, "set mtu 1400");
		argc = split("esp0 mss-clamp auto", buf, sizeof(buf), argv, 16);
		check(!parse_set(argc, argv, &s, &err) && s.has_mss_clamp &&
		      s.mss_clamp == ESPTUN_MSS_CLAMP_AUTO && !s.has_mtu,
		      "set mss-clamp auto");
		argc = split("esp0 mss-clamp off", buf, sizeof(buf), argv, 16);
		check(!parse_set(argc, argv, &s, &err) && s.has_mss_clamp &&
		      s.mss_clamp == ESPTUN_MSS_CLAMP_OFF, "set mss-clamp off");
		argc = split("esp0 mss-clamp 1300 mtu 0x578", buf, sizeof(buf),
			     argv, 16);
		check(!parse_set(argc, argv, &s, &err) && s.has_mss_clamp &&
		      s.mss_clamp == 1300 && s.has_mtu && !s.mtu_auto &&
		      s.mtu == 1400, "set mss-clamp 1300 mtu 0x578");
	}
}

static void test_format(void)
{
	uint8_t a4[4] = { 192, 0, 2, 1 }, a6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	char buf[64];

	check(format_addr(a4, 4, buf, sizeof(buf)) && !strcmp(buf, "192.0.2.1"),
	      "format IPv4");
	check(format_addr(a6, 16, buf, sizeof(buf)) && !strcmp(buf, "2001:db8::"),
	      "format IPv6");
	check(!format_addr(a6, 5, buf, sizeof(buf)), "format refuses 5 bytes");
	check(!strcmp(df_name(ESPTUN_DF_CLEAR), "clear") && !df_name(3) &&
	      !strcmp(dir_name(ESPTUN_SA_DIR_OUT), "out") && !dir_name(0),
	      "df and dir names");
}

int main(void)
{
	test_numbers();
	test_spi();
	test_keys();
	test_prefixes();
	test_ranges();
	test_limit_kinds();
	test_sa_add_bad();
	test_sa_add_good();
	test_sa_del_dev();
	test_set();
	test_format();
	return tap_done();
}
