// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of daemon/glue.c: the checks a configuration must pass before
 * esptund runs it, negotiated Child SA directions as kernel SAs (keys,
 * algorithms, selectors as covering prefixes), and finding children by
 * name and for ACQUIRE events.
 */
#include <arpa/inet.h>
#include <string.h>

#include <linux/esptun.h>

#include "../daemon/glue.h"
#include "../daemon/ikev2.h"
#include "tap.h"

static const char base_conf[] =
	"connections {\n"
	"  gw {\n"
	"    remote_addrs = 192.0.2.2\n"
	"    local { auth = psk\n id = a.example }\n"
	"    remote { auth = psk\n id = b.example }\n"
	"    children {\n"
	"      net {\n"
	"        local_ts = 10.1.0.0/16\n"
	"        remote_ts = 10.2.0.0/16\n"
	"        interface = esp0\n"
	"        start_action = trap\n"
	"      }\n"
	"      web {\n"
	"        local_ts = 10.1.0.0/16\n"
	"        remote_ts = 10.9.0.0/16\n"
	"        interface = esp1\n"
	"      }\n"
	"    }\n"
	"  }\n"
	"}\n"
	"secrets { ike-gw { id = b.example\n secret = 0x0102030405060708 } }\n";

static int load(const char *text, struct config *c, char *err)
{
	return config_load_text("t.conf", text, strlen(text), c, NULL, NULL,
				err);
}

/* base_conf with one substitution, checked by glue_check_config. */
static int check_variant(const char *from, const char *to, char *err)
{
	char text[4096];
	const char *p = strstr(base_conf, from);
	struct config c;
	int ret;

	if (!p)
		return -2;
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(p - base_conf),
		 base_conf, to, p + strlen(from));
	if (load(text, &c, err))
		return -3;
	ret = glue_check_config("t.conf", &c, err);
	config_free(&c);
	return ret;
}

static void test_check_config(void)
{
	char err[GLUE_ERR_LEN];
	int r;

	r = check_variant("", "", err);
	check(r == 0, "the base configuration passes%s%s", r ? ": " : "",
	      r ? err : "");
	r = check_variant("local { auth = psk", "local { auth = pubkey", err);
	check(r == 0, "pubkey is auth.c's to check");
	r = check_variant("secrets { ike-gw { id = b.example\n secret = 0x0102030405060708 } }\n",
			  "", err);
	check(r == -1 && strstr(err, "t.conf:4:") &&
	      strstr(err, "no pre-shared key"), "psk without a secret: %s",
	      err);
	r = check_variant("remote_addrs = 192.0.2.2", "remote_addrs = %any",
			  err);
	check(r == -1 && strstr(err, "t.conf:9:") &&
	      strstr(err, "start_action = trap"),
	      "trap without a single peer: %s", err);
	r = check_variant("remote_addrs = 192.0.2.2",
			  "remote_addrs = 192.0.2.0/24", err);
	check(r == -1, "a range is no peer to initiate to");
	r = check_variant("remote_addrs = 192.0.2.2",
			  "remote_addrs = %any, vpn.example", err);
	check(r == 0, "a DNS name is one");
	r = check_variant("remote_addrs = 192.0.2.2",
			  "remote_addrs = 192.0.2.2\n local_port = 600", err);
	check(r == -1 && strstr(err, "local_port = 600"),
	      "local_port other than 500/4500: %s", err);
}

static void ts4(struct ike_ts_sel *s, const char *lo, const char *hi)
{
	memset(s, 0, sizeof(*s));
	s->type = IKEV2_TS_IPV4_ADDR_RANGE;
	s->end_port = 0xffff;
	inet_pton(AF_INET, lo, s->start);
	inet_pton(AF_INET, hi, s->end);
}

static bool sel_is(const struct kernel_sel *s, const char *addr,
		   unsigned plen)
{
	uint8_t a[16] = { 0 };
	int fam = strchr(addr, ':') ? AF_INET6 : AF_INET;

	inet_pton(fam, addr, a);
	return s->family == fam && s->plen == plen &&
	       !memcmp(s->addr, a, fam == AF_INET ? 4 : 16);
}

static void test_ts(void)
{
	struct kernel_sel sel;
	struct ike_ts ts;
	bool exact;

	ts.n = 1;
	ts4(&ts.sel[0], "10.2.0.0", "10.2.255.255");
	glue_ts_to_sel(&ts, &sel, &exact);
	check(exact && sel_is(&sel, "10.2.0.0", 16), "10.2.0.0/16 exact");

	ts4(&ts.sel[0], "192.0.2.7", "192.0.2.7");
	glue_ts_to_sel(&ts, &sel, &exact);
	check(exact && sel_is(&sel, "192.0.2.7", 32), "one host: /32");

	ts4(&ts.sel[0], "0.0.0.0", "255.255.255.255");
	glue_ts_to_sel(&ts, &sel, &exact);
	check(exact && sel_is(&sel, "0.0.0.0", 0), "everything: /0");

	ts4(&ts.sel[0], "10.0.0.1", "10.0.0.6");
	glue_ts_to_sel(&ts, &sel, &exact);
	check(!exact && sel_is(&sel, "10.0.0.0", 29),
	      "range 10.0.0.1-6: covered by 10.0.0.0/29, not exact");

	ts4(&ts.sel[0], "10.2.0.0", "10.2.255.255");
	ts.sel[0].ip_proto = 6;
	glue_ts_to_sel(&ts, &sel, &exact);
	check(!exact && sel_is(&sel, "10.2.0.0", 16),
	      "protocol: same prefix, not exact");

	ts.n = 2;
	ts4(&ts.sel[0], "10.2.0.0", "10.2.255.255");
	ts4(&ts.sel[1], "10.3.0.0", "10.3.255.255");
	glue_ts_to_sel(&ts, &sel, &exact);
	check(!exact && sel_is(&sel, "10.2.0.0", 15),
	      "two /16s: covered by /15");

	ts.sel[1].type = IKEV2_TS_IPV6_ADDR_RANGE;
	glue_ts_to_sel(&ts, &sel, &exact);
	check(!exact && sel.family == 0, "both families: no selector");

	ts.n = 1;
	memset(&ts.sel[0], 0, sizeof(ts.sel[0]));
	ts.sel[0].type = IKEV2_TS_IPV6_ADDR_RANGE;
	ts.sel[0].end_port = 0xffff;
	inet_pton(AF_INET6, "2001:db8:1::", ts.sel[0].start);
	inet_pton(AF_INET6, "2001:db8:1:ffff:ffff:ffff:ffff:ffff",
		  ts.sel[0].end);
	glue_ts_to_sel(&ts, &sel, &exact);
	check(exact && sel_is(&sel, "2001:db8:1::", 48), "IPv6 /48");

	ts.n = 0;
	glue_ts_to_sel(&ts, &sel, &exact);
	check(sel.family == 0, "no selectors: none");
}

static void test_child(void)
{
	static const uint8_t key[36] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t big[KERNEL_KEY_MAX + 1] = { 0 };
	struct ike_ts l, r;
	struct ike_child_dir c;
	struct kernel_sa ks;
	char err[256];
	bool exact;

	l.n = r.n = 1;
	ts4(&l.sel[0], "10.1.0.0", "10.1.255.255");
	ts4(&r.sel[0], "10.2.0.0", "10.2.255.255");
	memset(&c, 0, sizeof(c));
	c.conn = "gw";
	c.child = "net";
	c.interface = "esp0";
	c.dir = ESPTUN_SA_DIR_IN;
	c.spi = 0x12345678;
	c.src.ss_family = AF_INET;
	c.dst.ss_family = AF_INET;
	c.encap_sport = 4500;
	c.encap_dport = 4501;
	c.aead_name = "rfc4106(gcm(aes))";
	c.aead_key = CHUNK(key, sizeof(key));
	c.aead_icv_bits = 128;
	c.esn = true;
	c.sel_src = &r;
	c.sel_dst = &l;
	c.soft_time = 3600;
	c.hard_time = 3960;
	check(glue_child_to_kernel(&c, &ks, &exact, err, sizeof(err)) == 0 &&
	      exact, "AEAD child maps");
	check(!strcmp(ks.ifname, "esp0") && ks.dir == ESPTUN_SA_DIR_IN &&
	      ks.spi == 0x12345678 && ks.encap_sport == 4500 &&
	      ks.encap_dport == 4501 && ks.esn && ks.replay_window == 0,
	      "interface, direction, SPI, encap, ESN, default window");
	check(!strcmp(ks.aead_name, "rfc4106(gcm(aes))") &&
	      ks.aead_key_len == 36 && !memcmp(ks.aead_key, key, 36) &&
	      ks.aead_icv_bits == 128 && !ks.enc_name[0],
	      "AEAD name and key copied");
	check(sel_is(&ks.sel_src, "10.2.0.0", 16) &&
	      sel_is(&ks.sel_dst, "10.1.0.0", 16), "selectors");
	check(ks.lim.time_soft == 3600 && ks.lim.time_hard == 3960 &&
	      !ks.lim.byte_soft, "time limits");
	kernel_sa_wipe(&ks);

	c.aead_name = NULL;
	c.enc_name = "cbc(aes)";
	c.enc_key = CHUNK(key, 32);
	c.auth_name = "hmac(sha256)";
	c.auth_key = CHUNK(key, 32);
	c.auth_trunc_bits = 128;
	check(glue_child_to_kernel(&c, &ks, &exact, err, sizeof(err)) == 0 &&
	      !strcmp(ks.enc_name, "cbc(aes)") && ks.enc_key_len == 32 &&
	      !strcmp(ks.auth_name, "hmac(sha256)") && ks.auth_key_len == 32 &&
	      ks.auth_trunc_bits == 128 && !ks.aead_name[0],
	      "CBC + HMAC child maps");
	kernel_sa_wipe(&ks);

	c.enc_key = CHUNK(big, sizeof(big));
	check(glue_child_to_kernel(&c, &ks, &exact, err, sizeof(err)) == -1 &&
	      ks.enc_key_len == 0, "oversized key refused, nothing kept");
	c.enc_key = CHUNK(key, 32);
	c.interface = "a-name-that-is-too-long";
	check(glue_child_to_kernel(&c, &ks, &exact, err, sizeof(err)) == -1 &&
	      strstr(err, "interface"), "interface name too long: %s", err);
	c.interface = "esp0";
	c.auth_name = NULL;
	check(glue_child_to_kernel(&c, &ks, &exact, err, sizeof(err)) == -1,
	      "ENC without AUTH refused");
	c.auth_name = "hmac(sha256)";
	r.sel[0].type = IKEV2_TS_IPV6_ADDR_RANGE;
	check(glue_child_to_kernel(&c, &ks, &exact, err, sizeof(err)) == 0 &&
	      !exact && !ks.sel_src.family && !ks.sel_dst.family,
	      "selectors of two families: none, not exact");
	kernel_sa_wipe(&ks);
}

static void test_find(void)
{
	const struct conf_conn *conn = NULL;
	const struct conf_child *ch;
	char err[CONF_ERR_LEN];
	uint8_t s[4], dst[4];
	struct config c;

	if (load(base_conf, &c, err)) {
		check(0, "base configuration loads: %s", err);
		return;
	}
	ch = glue_find_child(&c, "web", &conn);
	check(ch && !strcmp(ch->name, "web") && conn == &c.conns[0],
	      "child found by name");
	check(!glue_find_child(&c, "nope", &conn), "unknown child: NULL");

	inet_pton(AF_INET, "10.1.3.4", s);
	inet_pton(AF_INET, "10.2.9.9", dst);
	ch = glue_trap_child(&c, "esp0", AF_INET, s, dst, &conn);
	check(ch && !strcmp(ch->name, "net"), "ACQUIRE finds the trap child");
	check(!glue_trap_child(&c, "esp1", AF_INET, s, dst, &conn),
	      "other interface: none");
	inet_pton(AF_INET, "10.3.0.1", dst);
	check(!glue_trap_child(&c, "esp0", AF_INET, s, dst, &conn),
	      "destination outside remote_ts: none");
	inet_pton(AF_INET, "10.9.0.1", dst);
	check(!glue_trap_child(&c, "esp1", AF_INET, s, dst, &conn),
	      "a child without start_action = trap is not trapped");
	check(glue_conn_in(&c, &c.conns[0]) &&
	      !glue_conn_in(&c, (const struct conf_conn *)&c),
	      "glue_conn_in");
	config_free(&c);
}

int main(void)
{
	test_check_config();
	test_ts();
	test_child();
	test_find();
	return tap_done();
}
