// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for esptund's configuration (tools/daemon/config.c,
 * config_value.c, settings.c): realistic configurations, strongSwan's
 * own test configurations (adapted: `interface` added), each error with
 * its FILE:LINE: KEY: reason, and the warnings.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../daemon/config.h"
#include "tap.h"

static char err[CONF_ERR_LEN];
static char warnings[8192];

static void collect(void *arg, const char *msg)
{
	size_t off = strlen(warnings);

	(void)arg;
	snprintf(warnings + off, sizeof(warnings) - off, "%s\n", msg);
}

static int load(const char *text, struct config *c)
{
	warnings[0] = 0;
	return config_load_text("t.conf", text, strlen(text), c, collect,
				NULL, err);
}

/* The warnings, as TAP comments, when a check about them failed. */
static void show_warnings(void)
{
	char *line, *save, copy[sizeof(warnings)];

	memcpy(copy, warnings, sizeof(copy));
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("#   %s\n", line);
}

/* The load fails with exactly this message. */
static void fails(const char *text, const char *want, const char *what)
{
	struct config c;
	int r = load(text, &c);

	check(r < 0 && !strcmp(err, want), "%s: %s", what, r ? err : "loaded");
	if (r == 0 || strcmp(err, want))
		printf("#   wanted \"%s\"\n", want);
	check(c.n_conns == 0 && c.conns == NULL && c.secrets == NULL,
	      "%s: nothing half-loaded", what);
	if (!r)
		config_free(&c);
}

static const char full[] =
	"# esptun: a site-to-site PSK tunnel and a road warrior with certificates\n"
	"connections {\n"
	"    site {\n"
	"        version = 2\n"
	"        local_addrs = 192.0.2.1\n"
	"        remote_addrs = 198.51.100.7, vpn.example.org, 2001:db8::/64\n"
	"        proposals = aes256gcm16-prfsha384-ecp384, aes128-sha256-x25519\n"
	"        rekey_time = 6h\n"
	"        local {\n"
	"            auth = psk\n"
	"            id = gw1.example.org\n"
	"        }\n"
	"        remote {\n"
	"            auth = psk\n"
	"            id = @gw2.example.org\n"
	"        }\n"
	"        children {\n"
	"            lan {\n"
	"                local_ts = 10.1.0.0/16, 2001:db8:1::/48\n"
	"                remote_ts = 10.2.0.0/16[tcp/443], 10.3.0.1-10.3.0.9[udp/1000-2000]\n"
	"                esp_proposals = aes128gcm16, aes256-sha512-modp2048-esn\n"
	"                start_action = trap|start\n"
	"                rekey_time = 50m\n"
	"                life_time = 1h\n"
	"                interface = esp0\n"
	"                mode = tunnel\n"
	"            }\n"
	"        }\n"
	"    }\n"
	"    rw {\n"
	"        local_addrs = %any\n"
	"        local-cert {\n"
	"            auth = ecdsa-sha384\n"
	"            certs = gwCert.pem, gwCert2.pem\n"
	"            id = \"C=CH, O=esptun, CN=gw1.example.org\"\n"
	"        }\n"
	"        remote {\n"
	"            auth = pubkey\n"
	"            cacerts = caCert.pem\n"
	"            id = carol@example.org\n"
	"        }\n"
	"        children {\n"
	"            rw { interface = esp1 }\n"
	"        }\n"
	"    }\n"
	"}\n"
	"secrets {\n"
	"    ike-site {\n"
	"        id-a = gw1.example.org\n"
	"        id-b = @gw2.example.org\n"
	"        secret = \"a \\\"quoted\\\" secret\\twith tab\"\n"
	"    }\n"
	"    ike-hex { id = 192.0.2.1\n secret = 0x0102:03ff }\n"
	"    private-gw { file = gwKey.pem\n secret = 0sYWJj }\n"
	"}\n";

static void test_full(void)
{
	const struct conf_conn *s, *rw;
	const struct conf_child *ch;
	const struct conf_secret *sec;
	struct config c;
	char buf[512];
	uint8_t a[16];

	check(!load(full, &c), "full config loads: %s", err);
	check(!warnings[0], "no warnings: %s", warnings);
	check(c.n_conns == 2 && c.n_secrets == 3, "2 connections, 3 secrets");
	s = config_find_conn(&c, "site");
	rw = config_find_conn(&c, "rw");
	check(s && rw && !config_find_conn(&c, "nope"), "found by name");
	if (!s || !rw)
		return;
	check(s->version == 2 && rw->version == 0, "version");
	check(s->local_addrs.n == 1 &&
	      s->local_addrs.v[0].kind == CONF_ADDR_RANGE &&
	      s->local_addrs.v[0].family == AF_INET, "local_addrs");
	check(s->remote_addrs.n == 3 &&
	      s->remote_addrs.v[1].kind == CONF_ADDR_HOST &&
	      !strcmp(s->remote_addrs.v[1].host, "vpn.example.org") &&
	      s->remote_addrs.v[2].family == AF_INET6 &&
	      s->remote_addrs.v[2].hi[7] == 0 && s->remote_addrs.v[2].hi[8] == 0xff,
	      "remote_addrs: IP, DNS name, IPv6 subnet");
	check(rw->local_addrs.v[0].kind == CONF_ADDR_ANY &&
	      rw->remote_addrs.v[0].kind == CONF_ADDR_ANY,
	      "%%any, and the default");
	proposal_list_str(&s->ike, buf, sizeof(buf));
	check(!strcmp(buf, "aes256gcm16-prfsha384-ecp384, aes128-sha256-prfsha256-curve25519"),
	      "IKE proposals: %s", buf);
	check(rw->ike.n == 2, "IKE default: 2 proposals");
	check(s->rekey_time == 6 * 3600 && rw->rekey_time == 4 * 3600,
	      "IKE rekey_time, default 4h");
	check(s->local.method == CONF_AUTH_PSK &&
	      s->local.id.type == IKEV2_ID_FQDN &&
	      !strcmp(s->local.id.str, "gw1.example.org") &&
	      s->remote.id.type == IKEV2_ID_FQDN &&
	      !strcmp(s->remote.id.str, "gw2.example.org") &&
	      s->remote.id.len == 15, "PSK ids");
	check(rw->local.method == CONF_AUTH_PUBKEY &&
	      !strcmp(rw->local.auth, "ecdsa-sha384") &&
	      rw->local.certs.n == 2 &&
	      !strcmp(rw->local.certs.v[1], "gwCert2.pem") &&
	      rw->local.id.type == IKEV2_ID_DER_ASN1_DN &&
	      rw->remote.cacerts.n == 1 &&
	      rw->remote.id.type == IKEV2_ID_RFC822_ADDR,
	      "pubkey auth, certs, DN and email ids");
	ch = &s->children[0];
	check(s->n_children == 1 && !strcmp(ch->name, "lan") &&
	      !strcmp(ch->interface, "esp0"), "child and interface");
	check(ch->local_ts.n == 2 && ch->local_ts.v[1].family == AF_INET6 &&
	      ch->remote_ts.n == 2 && ch->remote_ts.v[0].proto == 6 &&
	      ch->remote_ts.v[0].port_lo == 443 &&
	      ch->remote_ts.v[0].port_hi == 443 &&
	      ch->remote_ts.v[1].proto == 17 &&
	      ch->remote_ts.v[1].port_lo == 1000 &&
	      ch->remote_ts.v[1].port_hi == 2000, "traffic selectors");
	inet_pton(AF_INET, "10.2.255.255", a);
	check(!memcmp(ch->remote_ts.v[0].hi, a, 4), "TS subnet end");
	inet_pton(AF_INET, "10.3.0.9", a);
	check(!memcmp(ch->remote_ts.v[1].hi, a, 4), "TS range end");
	check(ch->esp.n == 2 &&
	      ch->esp.v[1].t[IKEV2_TRANS_ESN][0].id == IKEV2_ESN_YES,
	      "esp_proposals");
	check(ch->start_action == (CONF_START_TRAP | CONF_START_START),
	      "start_action");
	check(ch->rekey_time == 3000 && ch->life_time == 3600 &&
	      ch->rand_time == 600, "child times");
	ch = &rw->children[0];
	check(ch->local_ts.n == 1 && ch->local_ts.v[0].dynamic &&
	      ch->remote_ts.v[0].dynamic, "TS default: dynamic");
	check(ch->rekey_time == 3600 && ch->life_time == 3960 &&
	      ch->rand_time == 360, "child time defaults (strongSwan's)");
	check(ch->esp.n == 2 &&
	      ch->esp.v[0].t[IKEV2_TRANS_ENCR][0].id == IKEV2_ENCR_AES_GCM_16,
	      "ESP default: AEAD first");
	sec = &c.secrets[0];
	check(sec->type == CONF_SECRET_IKE && sec->n_ids == 2 &&
	      sec->len == 26 &&
	      !memcmp(sec->data, "a \"quoted\" secret\twith tab", 26),
	      "quoted secret with escapes");
	sec = &c.secrets[1];
	check(sec->len == 4 && !memcmp(sec->data, "\x01\x02\x03\xff", 4) &&
	      sec->ids[0].type == IKEV2_ID_IPV4_ADDR && sec->ids[0].len == 4,
	      "hex secret, IPv4 id");
	sec = &c.secrets[2];
	check(sec->type == CONF_SECRET_PRIVATE && sec->len == 3 &&
	      !memcmp(sec->data, "abc", 3) && !strcmp(sec->file, "gwKey.pem"),
	      "private key with base64 passphrase");
	config_free(&c);
	check(c.conns == NULL && c.n_conns == 0, "freed");
}

/* strongSwan's testing/tests/ikev2/net2net-psk moon (5.9.8), adapted. */
static const char net2net_psk[] =
	"connections {\n"
	"\n"
	"   gw-gw {\n"
	"      local_addrs  = 192.168.0.1\n"
	"      remote_addrs = 192.168.0.2\n"
	"\n"
	"      local {\n"
	"         auth = psk\n"
	"         id = moon.strongswan.org\n"
	"      }\n"
	"      remote {\n"
	"         auth = psk\n"
	"         id = sun.strongswan.org\n"
	"      }\n"
	"      children {\n"
	"         net-net {\n"
	"            local_ts  = 10.1.0.0/16\n"
	"            remote_ts = 10.2.0.0/16\n"
	"\n"
	"            updown = /usr/local/libexec/ipsec/_updown iptables\n"
	"            rekey_time = 5400\n"
	"            rekey_bytes = 500000000\n"
	"            rekey_packets = 1000000\n"
	"            esp_proposals = aes128gcm128-x25519\n"
	"            interface = esp0\n"
	"         }\n"
	"      }\n"
	"      version = 2\n"
	"      mobike = no\n"
	"      reauth_time = 10800\n"
	"      proposals = aes128-sha256-x25519\n"
	"   }\n"
	"}\n"
	"\n"
	"secrets {\n"
	"   ike-1 {\n"
	"      id-1 = moon.strongswan.org\n"
	"      secret = 0x45a30759df97dc26a15b88ff\n"
	"   }\n"
	"   ike-2 {\n"
	"      id-2 = sun.strongswan.org\n"
	"      secret = \"This is a strong password\"\n"
	"   }\n"
	"   ike-3 {\n"
	"      id-3a = moon.strongswan.org\n"
	"      id-3b =sun.strongswan.org\n"
	"      secret = 0sv+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL\n"
	"   }\n"
	"   ike-4 {\n"
	"      secret = 'My \"home\" is my \"castle\"!'\n"
	"   }\n"
	"   ike-5 {\n"
	"     id-5 = 192.168.0.1\n"
	"     secret = \"Andi's home\"\n"
	"   }\n"
	"}";

/* testing/tests/ikev2/rw-psk-fqdn moon, adapted */
static const char rw_psk_fqdn[] =
	"connections {\n"
	"   rw {\n"
	"      local_addrs  = 192.168.0.1\n"
	"      local {\n"
	"         auth = psk \n"
	"         id = moon.strongswan.org\n"
	"      }\n"
	"      remote {\n"
	"         auth = psk \n"
	"      }\n"
	"      children {\n"
	"         net {\n"
	"            local_ts  = 10.1.0.0/16 \n"
	"            esp_proposals = aes128gcm128-x25519\n"
	"            interface = esp0\n"
	"         }\n"
	"      }\n"
	"      version = 2\n"
	"      proposals = aes128-sha256-x25519\n"
	"   }\n"
	"}\n"
	"secrets {\n"
	"   ike-carol {\n"
	"      id = carol@strongswan.org\n"
	"      secret = 0sFpZAZqEN6Ti9sqt4ZP5EWcqx\n"
	"   }\n"
	"   ike-dave {\n"
	"      id = dave@strongswan.org\n"
	"      secret = 0sjVzONCF02ncsgiSlmIXeqhGN\n"
	"   }\n"
	"}\n";

static void test_strongswan_examples(void)
{
	const struct conf_child *ch;
	struct config c;

	check(!load(net2net_psk, &c), "net2net-psk loads: %s", err);
	check(strstr(warnings, "t.conf:20: updown: ignored; esptund runs no updown script") &&
	      strstr(warnings, "t.conf:22: rekey_bytes: key not used by esptund, ignored") &&
	      strstr(warnings, "t.conf:29: mobike: ignored; esptund does not do MOBIKE"),
	      "net2net-psk: updown, rekey_bytes, mobike warned about");
	if (failed)
		show_warnings();
	ch = c.n_conns ? &c.conns[0].children[0] : NULL;
	check(ch && ch->rekey_time == 5400 && ch->life_time == 5940,
	      "rekey_time in seconds");
	check(c.n_secrets == 5 && c.secrets[0].len == 12 &&
	      c.secrets[2].len == 24 && c.secrets[2].n_ids == 2 &&
	      c.secrets[3].n_ids == 0 &&
	      c.secrets[3].len == 24 &&
	      !memcmp(c.secrets[3].data, "'My home is my castle !'", 24) &&
	      c.secrets[4].ids[0].type == IKEV2_ID_IPV4_ADDR,
	      "secrets as strongSwan reads them (unquoted words joined by one space)");
	config_free(&c);

	check(!load(rw_psk_fqdn, &c), "rw-psk-fqdn loads: %s", err);
	check(c.n_secrets == 2 && c.secrets[0].len == 18 &&
	      c.secrets[0].ids[0].type == IKEV2_ID_RFC822_ADDR &&
	      c.conns[0].remote.id.type == 0 &&
	      c.conns[0].remote_addrs.v[0].kind == CONF_ADDR_ANY,
	      "rw-psk-fqdn: email ids, remote %%any");
	config_free(&c);
}

static void test_errors(void)
{
	fails("connections { a { proposals = aes128-sha256-foo\n } }",
	      "t.conf:1: proposals: 'foo' in 'aes128-sha256-foo': unknown algorithm; supported: aes128 aes192 aes256 aes128gcm16 aes192gcm16 aes256gcm16 aes128gcm12 aes192gcm12 aes256gcm12 aes128gcm8 aes192gcm8 aes256gcm8 chacha20poly1305 sha256 sha384 sha512 prfsha256 prfsha384 prfsha512 modp2048 ecp256 ecp384 ecp521 curve25519 curve448 none esn noesn",
	      "bad proposal keyword");
	fails("connections {\n a {\n  children {\n   c {\n    esp_proposals = aes128gcm16-sha1\n    interface = esp0\n } } } }",
	      "t.conf:5: esp_proposals: 'sha1' in 'aes128gcm16-sha1': esptun does not offer this algorithm; supported: aes128 aes192 aes256 aes128gcm16 aes192gcm16 aes256gcm16 aes128gcm12 aes192gcm12 aes256gcm12 aes128gcm8 aes192gcm8 aes256gcm8 chacha20poly1305 sha256 sha384 sha512 prfsha256 prfsha384 prfsha512 modp2048 ecp256 ecp384 ecp521 curve25519 curve448 none esn noesn",
	      "ESP algorithm esptun lacks");
	fails("connections {\n a {\n  children {\n   net {\n    local_ts = 10.1.0.0/16\n   }\n  }\n }\n}\n",
	      "t.conf:4: net: no interface: esptun binds each child to its interface; add `interface = esp0` (the esptun device) to the child",
	      "missing interface");
	fails("connections { a { children { c {\n interface = esp0\n remote_ts = 10.0.0.0/33\n } } } }",
	      "t.conf:3: remote_ts: '10.0.0.0/33': bad prefix length (0-32)",
	      "bad TS prefix");
	fails("connections { a { children { c {\n interface = esp0\n local_ts = 10.0.0.0/8[tcp/http-alt]\n } } } }",
	      "t.conf:3: local_ts: '10.0.0.0/8[tcp/http-alt]': bad [protocol/port]: use e.g. [tcp/443], [udp/1000-2000], [17] or [any/opaque]",
	      "bad TS port");
	fails("connections { a { children { c {\n interface = esp0\n local_ts = lan.example.org\n } } } }",
	      "t.conf:3: local_ts: 'lan.example.org': not a subnet (10.1.0.0/16), address, range (10.1.0.1-10.1.0.9) or dynamic",
	      "TS is not a name");
	fails("connections { a { children { c {\n interface = esp0\n local_ts = 10.0.0.9-10.0.0.1\n } } } }",
	      "t.conf:3: local_ts: '10.0.0.9-10.0.0.1': the range ends before it starts",
	      "TS range backwards");
	fails("connections { a { children { c {\n interface = esp0\n mode = transport\n } } } }",
	      "t.conf:3: mode: 'transport': esptun does tunnel mode only (mode = tunnel, the default)",
	      "transport mode");
	fails("connections {\n a {\n  version = 2\n",
	      "t.conf:2: a: unterminated section: missing '}'",
	      "unterminated section");
	fails("connections { }\n}\n", "t.conf:2: unexpected '}': no section is open",
	      "stray brace");
	fails("connections {\n a { }\n b { }\n a { }\n}",
	      "t.conf:4: a: duplicate name (first at line 2); strongSwan would merge the sections, esptun refuses",
	      "duplicate connection");
	fails("connections { a { children {\n c { interface = esp0 }\n c { interface = esp1 }\n} } }",
	      "t.conf:3: c: duplicate name (first at line 2); strongSwan would merge the sections, esptun refuses",
	      "duplicate child");
	fails("secrets {\n ike-a { secret = x }\n ike-a { secret = y }\n}",
	      "t.conf:3: ike-a: duplicate name (first at line 2); strongSwan would merge the sections, esptun refuses",
	      "duplicate secret");
	fails("secrets {\n ike-a {\n secret = \"abc\n def\n }\n}\n",
	      "t.conf:3: unterminated string: missing '\"'", "unterminated string");
	fails("include conf.d/*.conf\n",
	      "t.conf:1: include: not supported; esptund reads one file, put everything in it",
	      "include");
	fails("connections {\n a : b { }\n}",
	      "t.conf:2: a: section references (NAME : TEMPLATE) are not supported",
	      "references");
	fails("connections {\n a {\n  version = 1\n }\n}",
	      "t.conf:3: version: esptund does IKEv2 only (version = 2)",
	      "IKEv1");
	fails("connections { a { children { c {\n interface = esp0\n rekey_time = 1w\n } } } }",
	      "t.conf:3: rekey_time: '1w': not a duration: a number with s, m, h or d (e.g. 1h), at most 136 years",
	      "bad duration");
	fails("connections { a { children { c {\n interface = esp0\n life_time = 30m\n } } } }",
	      "t.conf:3: life_time: 1800s must be longer than rekey_time (3600s): the SA would expire before it is rekeyed",
	      "life_time below rekey_time");
	fails("connections { a { children { c {\n interface = esp0 is long\n } } } }",
	      "t.conf:2: interface: 'esp0 is long': not an interface name (at most 15 characters, no '/', ':' or spaces)",
	      "bad interface name");
	fails("connections { a { children { c {\n interface = esp0\n ah_proposals = sha256\n } } } }",
	      "t.conf:3: ah_proposals: esptun does ESP only; use esp_proposals",
	      "AH");
	fails("connections {\n a {\n  remote_addrs = 10.0.0.1, bad_host!\n }\n}",
	      "t.conf:3: remote_addrs: 'bad_host!': not an IP address, CIDR subnet, range, %any or DNS name",
	      "bad address");
	fails("connections {\n a {\n  local {\n   auth = eap-mschapv2\n  }\n }\n}",
	      "t.conf:4: auth: 'eap-mschapv2': esptund authenticates with psk or pubkey (also rsa, ecdsa, ed25519, ed448), not EAP or XAuth",
	      "EAP");
	fails("connections {\n a {\n  local { }\n  local-2 { }\n }\n}",
	      "t.conf:4: local-2: a second authentication round (first: local at line 3): esptund does one round each way",
	      "second round");
	fails("connections {\n a {\n  remote {\n   id = asn1dn:garbage\n  }\n }\n}",
	      "t.conf:4: id: 'garbage': not a distinguished name (e.g. \"C=CH, O=strongSwan, CN=moon\")",
	      "bad DN");
	fails("connections {\n a {\n  remote {\n   id = ipv4:fe80::1\n  }\n }\n}",
	      "t.conf:4: id: 'fe80::1': not an IPv4 address", "ipv4: prefix");
	fails("secrets {\n ike-a {\n  secret = 0x12g4\n }\n}",
	      "t.conf:3: secret: 0x...: not hex (pairs of 0-9a-f, ':' allowed between)",
	      "bad hex secret");
	fails("secrets {\n ike-a {\n  secret = 0s!!!!\n }\n}",
	      "t.conf:3: secret: 0s...: not base64", "bad base64 secret");
	fails("secrets {\n ike-a {\n  id = a.example\n }\n}",
	      "t.conf:2: ike-a: no secret: add `secret = ...` (text, 0x hex or 0s base64)",
	      "PSK without secret");
	fails("secrets {\n private-a {\n  secret = pass\n }\n}",
	      "t.conf:2: private-a: no file: add `file = KEY.pem` (in /etc/swanctl/private)",
	      "private key without file");
	fails("connections {\n a = b\n}", "t.conf:2: a: a section (name { ... }) is expected, not a key",
	      "connection as a key");
	fails("connections {\n a {\n  remote_port = 70000\n }\n}",
	      "t.conf:3: remote_port: '70000': a port is 1-65535", "bad port");
	fails("connections {\n a {\n  x = 1\n  x { }\n }\n}",
	      "t.conf:4: x: duplicate name (first at line 3)", "key and section");
	fails("connections\n{\n a b = c\n}",
	      "t.conf:3: a: expected '=' or '{' after the name", "two names");
	fails("connections {\n a.b = c\n}",
	      "t.conf:2: a: expected '=' or '{' after the name", "dot");
	fails("connections { a { local_addrs = 10.0.0.1 } } secrets { ike-x { secret = \"\" } }",
	      "t.conf:1: secret: empty secret", "empty secret; earlier conns freed");
}

static void test_warnings(void)
{
	struct config c;

	check(!load("connections {\n a {\n  if_id_in = 42\n  foo = bar\n  children {\n   c {\n    interface = esp0\n    if_id_out = 1\n    policies = no\n    mode = tunnel # the only one\n   }\n  }\n  local_addrs = 10.0.0.1\n  local_addrs = 10.0.0.2\n }\n}\nauthorities { }\n", &c),
	      "warnings only: %s", err);
	check(strstr(warnings, "t.conf:3: if_id_in: ignored; esptun binds children with `interface = ...`\n") &&
	      strstr(warnings, "t.conf:4: foo: key not used by esptund, ignored\n") &&
	      strstr(warnings, "t.conf:8: if_id_out: ignored; esptun binds children with `interface = ...`\n") &&
	      strstr(warnings, "t.conf:9: policies: ignored;") &&
	      strstr(warnings, "t.conf:14: local_addrs: overrides the value at line 13\n") &&
	      strstr(warnings, "t.conf:17: authorities: section not used by esptund, ignored\n"),
	      "if_id_in, unknown key, override, unknown section warned about");
	if (failed)
		show_warnings();
	check(c.n_conns == 1 && c.conns[0].local_addrs.v[0].lo[3] == 2,
	      "the later value wins, as in strongSwan");
	config_free(&c);
}

static void test_syntax(void)
{
	struct config c;
	const struct conf_conn *a;

	check(!load("connections{a{local_addrs=10.0.0.1}b\n{\n}}", &c) &&
	      c.n_conns == 2, "compact syntax, name on its own line");
	config_free(&c);
	check(!load("# only a comment", &c) && c.n_conns == 0, "empty config");
	config_free(&c);
	check(!load("connections {\n a {\n  remote {\n   id = \"multi\\\n-line\" # comment\n  }\n }\n}\n", &c),
	      "escaped newline in a string: %s", err);
	a = c.n_conns ? &c.conns[0] : NULL;
	check(a && !strcmp(a->remote.id.str, "multi-line") &&
	      a->remote.id.type == IKEV2_ID_FQDN, "joined: %s",
	      a ? a->remote.id.str : "-");
	config_free(&c);
	check(!load("connections { a { remote { id = \"@#0a0b0c\" } local { id = 2001:db8::1 } } }", &c) &&
	      c.conns[0].remote.id.type == IKEV2_ID_KEY_ID &&
	      c.conns[0].remote.id.len == 3 &&
	      c.conns[0].local.id.type == IKEV2_ID_IPV6_ADDR &&
	      c.conns[0].local.id.len == 16, "key ID (quoted: # starts a comment) and IPv6 ids");
	config_free(&c);
	check(!load("connections { a { remote { id = fqdn:192.0.2.1 } local { id = %any } } }", &c) &&
	      c.conns[0].remote.id.type == IKEV2_ID_FQDN &&
	      c.conns[0].local.id.type == 0, "fqdn: prefix, %%any id");
	config_free(&c);
	check(!load("connections { a { children { c { interface = esp0\n local_ts = %any[icmp], 10.0.0.1[17/opaque] } } } }", &c) &&
	      c.conns[0].children[0].local_ts.n == 3 &&
	      c.conns[0].children[0].local_ts.v[1].family == AF_INET6 &&
	      c.conns[0].children[0].local_ts.v[1].proto == 1 &&
	      c.conns[0].children[0].local_ts.v[2].port_lo == 0xffff &&
	      c.conns[0].children[0].local_ts.v[2].port_hi == 0,
	      "%%any TS is both families; opaque ports");
	config_free(&c);
}

static void test_file(void)
{
	char path[] = "/tmp/esptund-config-test-XXXXXX";
	struct config c;
	int fd = mkstemp(path);

	check(fd >= 0 && write(fd, rw_psk_fqdn, strlen(rw_psk_fqdn)) ==
	      (ssize_t)strlen(rw_psk_fqdn), "temp file written");
	if (fd >= 0)
		close(fd);
	check(!config_load_file(path, &c, NULL, NULL, err) && c.n_conns == 1,
	      "config_load_file: %s", err);
	config_free(&c);
	unlink(path);
	check(config_load_file(path, &c, NULL, NULL, err) < 0 &&
	      strstr(err, "No such file"), "missing file: %s", err);
}

int main(void)
{
	test_full();
	test_strongswan_examples();
	test_errors();
	test_warnings();
	test_syntax();
	test_file();
	return tap_done();
}
