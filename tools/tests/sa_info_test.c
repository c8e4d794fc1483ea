// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the SA wire code (tools/cli/sa_info.c), without a kernel:
 * an `sa add` request is built, read back as a reply would be, and printed
 * as `sa list` and `monitor` print it; malformed replies are refused and
 * unknown attributes ignored.  Run under ASan and UBSan by `make unit`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "../cli/sa_info.h"
#include "tap.h"

#define FAMILY 0x42

static void expect_str(const char *name, const char *got, const char *want)
{
	check(!strcmp(got, want), "%s", name);
	if (strcmp(got, want))
		printf("#   got:\n%s#   want:\n%s", got, want);
}

static struct nl_msg *new_msg(uint8_t cmd, uint32_t ifindex, const char *ifname)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, 0, 0, FAMILY, 0, 0, cmd, 1) ||
	    nla_put_u32(msg, ESPTUN_A_DEVICE_IFINDEX, ifindex) ||
	    (ifname && nla_put_string(msg, ESPTUN_A_DEVICE_IFNAME, ifname)))
		abort();
	return msg;
}

static char *text_of(const struct sa_info *s, int mode)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	if (!f)
		abort();
	if (mode == 0) {
		sa_print_text(f, s);
	} else if (mode == 1) {
		json_init(&j, f, false);
		sa_print_json(&j, s);
		json_finish(&j);
	} else {
		event_print(f, mode == 3, s);
	}
	fclose(f);
	return buf;
}

#define KEY20 "0x000102030405060708090a0b0c0d0e0f10111213"

/* `sa add` words -> SA_NEW -> read back as a reply -> printed. */
static void test_round_trip(void)
{
	char line[] = "dev esp0 dir out src 192.0.2.1 dst 192.0.2.2 spi 0x100 "
		      "aead rfc4106(gcm(aes)) " KEY20 " 128 replay-window 64 "
		      "flag esn encap espinudp 4500 4501 sel src 10.0.0.0/24 "
		      "seq 7 limit time-soft 10 limit packet-hard 1000";
	char *argv[64], *save = NULL, *t, *out;
	struct sa_add_args a;
	struct parse_err err;
	struct sa_info s;
	struct nl_msg *msg;
	int argc = 0;

	for (t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	check(!parse_sa_add(argc, argv, &a, &err), "parse: %s", err.msg);
	msg = new_msg(ESPTUN_CMD_SA_GET, 7, "esp0");
	check(!sa_put_request(msg, &a), "request built");
	sa_add_args_free(&a);

	check(!sa_info_parse(nlmsg_hdr(msg), &s), "request reads back");
	check(s.cmd == ESPTUN_CMD_SA_GET && s.ifindex == 7 &&
	      !strcmp(s.ifname, "esp0") && s.dir == ESPTUN_SA_DIR_OUT &&
	      s.spi == 256 && s.src_len == 4 && s.dst_len == 4 &&
	      s.has_encap && s.sport == 4500 && s.dport == 4501 &&
	      !strcmp(s.aead, "rfc4106(gcm(aes))") && s.icv_bits == 128 &&
	      !s.enc[0] && s.has_replay_window && s.replay_window == 64 &&
	      s.flags == ESPTUN_SA_F_ESN && s.has_sel_src &&
	      s.sel_src_plen == 24 && !s.has_sel_dst && s.has_seq &&
	      s.seq == 7 && s.has_limit[ESPTUN_A_LIMIT_TIME_SOFT] &&
	      s.limits[ESPTUN_A_LIMIT_PACKET_HARD] == 1000 &&
	      !s.has_limit[ESPTUN_A_LIMIT_BYTE_SOFT] && !s.has_stats &&
	      !s.has_add_time, "fields survive the round trip");

	out = text_of(&s, 0);
	expect_str("sa list text", out,
		   "dev esp0 dir out src 192.0.2.1 dst 192.0.2.2 spi 0x00000100\n"
		   "    aead rfc4106(gcm(aes)) icv-bits 128\n"
		   "    replay-window 64 flag esn\n"
		   "    encap espinudp sport 4500 dport 4501\n"
		   "    sel src 10.0.0.0/24 dst any\n"
		   "    limits: time-soft 10 packet-hard 1000\n"
		   "    seq 7\n");
	free(out);
	out = text_of(&s, 1);
	expect_str("sa list JSON", out,
		   "{\"dev\":\"esp0\",\"ifindex\":7,\"dir\":\"out\",\"spi\":256,"
		   "\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\","
		   "\"encap\":{\"type\":\"espinudp\",\"sport\":4500,\"dport\":4501},"
		   "\"aead\":{\"name\":\"rfc4106(gcm(aes))\",\"icv-bits\":128},"
		   "\"replay-window\":64,\"flags\":[\"esn\"],"
		   "\"sel\":{\"src\":\"10.0.0.0/24\",\"dst\":\"any\"},"
		   "\"limits\":{\"time-soft\":10,\"packet-hard\":1000},"
		   "\"seq\":7,\"use-time\":null}\n");
	free(out);
	nlmsg_free(msg);
}

/* A reply as the kernel sends it: no keys, stats, times. */
static void test_reply(void)
{
	static const uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t v6b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	static const uint8_t any6[16];
	struct nl_msg *msg = new_msg(ESPTUN_CMD_SA_GET, 9, NULL);
	struct nlattr *sa, *st;
	struct sa_info s;
	char *out;

	sa = nla_nest_start(msg, ESPTUN_A_DEVICE_SA);
	nla_put_u8(msg, ESPTUN_A_SA_DIR, ESPTUN_SA_DIR_IN);
	nla_put_u32(msg, ESPTUN_A_SA_SPI, 0xdeadbeef);
	nla_put(msg, ESPTUN_A_SA_SRC, 16, v6a);
	nla_put(msg, ESPTUN_A_SA_DST, 16, v6b);
	nla_put_string(msg, ESPTUN_A_SA_ENC_NAME, "cbc(aes)");
	nla_put_string(msg, ESPTUN_A_SA_AUTH_NAME, "hmac(sha256)");
	nla_put_u32(msg, ESPTUN_A_SA_AUTH_TRUNC_BITS, 128);
	nla_put_u32(msg, ESPTUN_A_SA_REPLAY_WINDOW, 1024);
	nla_put(msg, ESPTUN_A_SA_SEL_DST, 16, any6);
	nla_put_u8(msg, ESPTUN_A_SA_SEL_DST_PLEN, 0);
	nla_put_u64(msg, ESPTUN_A_SA_SEQ, 5);
	st = nla_nest_start(msg, ESPTUN_A_SA_STATS);
	nla_put_u64(msg, ESPTUN_A_SA_STATS_PACKETS, 3);
	nla_put_u64(msg, ESPTUN_A_SA_STATS_BYTES, 252);
	nla_put_u64(msg, ESPTUN_A_SA_STATS_ICV_FAIL, 1);
	nla_put_u64(msg, 200, 1);		/* a future counter */
	nla_nest_end(msg, st);
	nla_put_u64(msg, ESPTUN_A_SA_ADD_TIME, 12);
	nla_put_u64(msg, ESPTUN_A_SA_USE_TIME, 2);
	nla_put_u32(msg, ESPTUN_A_SA_MAX + 5, 1);	/* a future attribute */
	nla_nest_end(msg, sa);
	nla_put_u32(msg, ESPTUN_A_DEVICE_MAX + 3, 1);

	check(!sa_info_parse(nlmsg_hdr(msg), &s), "reply with unknown attributes reads");
	out = text_of(&s, 0);
	/* no IFNAME: the name comes from the index, or "if9" */
	if (strncmp(out, "dev if9 ", 8))
		memcpy(s.ifname, "if9", 4), free(out), out = text_of(&s, 0);
	expect_str("sa list text, enc+auth, IPv6, stats", out,
		   "dev if9 dir in src 2001:db8::1 dst 2001:db8::2 spi 0xdeadbeef\n"
		   "    enc cbc(aes) auth hmac(sha256) trunc-bits 128\n"
		   "    replay-window 1024\n"
		   "    sel src any dst ::/0\n"
		   "    seq 5 add-time 12 use-time 2\n"
		   "    stats: packets 3 bytes 252 replay 0 icv-fail 1 selector 0 errors 0\n");
	free(out);
	out = text_of(&s, 1);
	expect_str("sa list JSON, enc+auth", out,
		   "{\"dev\":\"if9\",\"ifindex\":9,\"dir\":\"in\",\"spi\":3735928559,"
		   "\"src\":\"2001:db8::1\",\"dst\":\"2001:db8::2\",\"encap\":null,"
		   "\"enc\":{\"name\":\"cbc(aes)\"},"
		   "\"auth\":{\"name\":\"hmac(sha256)\",\"trunc-bits\":128},"
		   "\"replay-window\":1024,\"flags\":[],"
		   "\"sel\":{\"src\":\"any\",\"dst\":\"::/0\"},\"limits\":{},\"seq\":5,"
		   "\"stats\":{\"packets\":3,\"bytes\":252,\"replay\":0,\"icv-fail\":1,"
		   "\"selector\":0,\"errors\":0},\"add-time\":12,\"use-time\":2}\n");
	free(out);
	nlmsg_free(msg);
}

static void test_events(void)
{
	static const uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 9, 9, 9 };
	static const uint8_t o1[4] = { 192, 0, 2, 1 }, o2[4] = { 192, 0, 2, 2 };
	struct nl_msg *msg = new_msg(ESPTUN_CMD_ACQUIRE, 3, "esp0");
	struct nlattr *sa;
	struct sa_info s;
	char *out;

	sa = nla_nest_start(msg, ESPTUN_A_DEVICE_SA);
	nla_put_u8(msg, ESPTUN_A_SA_DIR, ESPTUN_SA_DIR_OUT);
	nla_put(msg, ESPTUN_A_SA_SEL_SRC, 4, a);
	nla_put(msg, ESPTUN_A_SA_SEL_DST, 4, b);
	nla_put_u8(msg, ESPTUN_A_SA_PROTO, 1);
	nla_nest_end(msg, sa);
	check(!sa_info_parse(nlmsg_hdr(msg), &s), "acquire reads");
	out = text_of(&s, 2);
	expect_str("acquire text", out,
		   "acquire dev esp0 src 10.0.0.1 dst 10.9.9.9 proto 1\n");
	free(out);
	out = text_of(&s, 3);
	expect_str("acquire JSON", out,
		   "{\"event\":\"acquire\",\"dev\":\"esp0\",\"ifindex\":3,"
		   "\"src\":\"10.0.0.1\",\"dst\":\"10.9.9.9\",\"proto\":1}\n");
	free(out);
	nlmsg_free(msg);

	msg = new_msg(ESPTUN_CMD_EXPIRE, 3, "esp0");
	sa = nla_nest_start(msg, ESPTUN_A_DEVICE_SA);
	nla_put_u8(msg, ESPTUN_A_SA_DIR, ESPTUN_SA_DIR_OUT);
	nla_put_u32(msg, ESPTUN_A_SA_SPI, 256);
	nla_put(msg, ESPTUN_A_SA_SRC, 4, o1);
	nla_put(msg, ESPTUN_A_SA_DST, 4, o2);
	nla_put_u8(msg, ESPTUN_A_SA_EXPIRE_HARD, 0);
	nla_put_u16(msg, ESPTUN_A_SA_EXPIRE_LIMIT, ESPTUN_A_LIMIT_PACKET_SOFT);
	nla_nest_end(msg, sa);
	check(!sa_info_parse(nlmsg_hdr(msg), &s), "expire reads");
	out = text_of(&s, 2);
	expect_str("expire text", out,
		   "expire soft dev esp0 dir out spi 0x00000100 limit packet-soft\n");
	free(out);
	out = text_of(&s, 3);
	expect_str("expire JSON", out,
		   "{\"event\":\"expire\",\"hard\":false,\"dev\":\"esp0\",\"ifindex\":3,"
		   "\"dir\":\"out\",\"spi\":256,\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\","
		   "\"limit\":\"packet-soft\"}\n");
	free(out);
	s.expire_hard = 1;
	s.expire_limit = ESPTUN_A_LIMIT_SEQ;
	out = text_of(&s, 2);
	expect_str("expire hard seq text", out,
		   "expire hard dev esp0 dir out spi 0x00000100 limit seq\n");
	free(out);
	s.cmd = ESPTUN_CMD_SA_GET;
	check(event_print(stdout, false, &s) == -1, "other commands are no events");
	nlmsg_free(msg);
}

enum bad { BAD_SPI_LEN, BAD_ADDR_LEN, BAD_PLEN, BAD_NAME, NO_SA, NO_IFINDEX,
	   BAD_LIMIT, BAD_DIR_LEN, N_BAD };

static void test_malformed(void)
{
	static const char *const names[] = {
		"SPI of 2 bytes", "address of 5 bytes", "/33 on IPv4",
		"name without NUL", "no SA nest", "no IFINDEX",
		"limit of 4 bytes", "DIR of 4 bytes",
	};
	static const uint8_t addr[16] = { 10 };
	int i;

	for (i = 0; i < N_BAD; i++) {
		struct nl_msg *msg = nlmsg_alloc();
		struct nlattr *sa, *lim;
		struct sa_info s;

		if (!msg || !genlmsg_put(msg, 0, 0, FAMILY, 0, 0,
					 ESPTUN_CMD_SA_GET, 1))
			abort();
		if (i != NO_IFINDEX)
			nla_put_u32(msg, ESPTUN_A_DEVICE_IFINDEX, 1);
		if (i != NO_SA) {
			sa = nla_nest_start(msg, ESPTUN_A_DEVICE_SA);
			if (i == BAD_SPI_LEN)
				nla_put_u16(msg, ESPTUN_A_SA_SPI, 256);
			if (i == BAD_ADDR_LEN)
				nla_put(msg, ESPTUN_A_SA_SRC, 5, addr);
			if (i == BAD_PLEN) {
				nla_put(msg, ESPTUN_A_SA_SEL_SRC, 4, addr);
				nla_put_u8(msg, ESPTUN_A_SA_SEL_SRC_PLEN, 33);
			}
			if (i == BAD_NAME)
				nla_put(msg, ESPTUN_A_SA_AEAD_NAME, 3, "gcm");
			if (i == BAD_LIMIT) {
				lim = nla_nest_start(msg, ESPTUN_A_SA_LIMITS);
				nla_put_u32(msg, ESPTUN_A_LIMIT_TIME_SOFT, 1);
				nla_nest_end(msg, lim);
			}
			if (i == BAD_DIR_LEN)
				nla_put_u32(msg, ESPTUN_A_SA_DIR, 1);
			nla_nest_end(msg, sa);
		}
		check(sa_info_parse(nlmsg_hdr(msg), &s) == -1,
		      "malformed reply refused: %s", names[i]);
		nlmsg_free(msg);
	}
}

int main(void)
{
	test_round_trip();
	test_reply();
	test_events();
	test_malformed();
	return tap_done();
}
