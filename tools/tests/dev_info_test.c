// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for DEV_GET replies (tools/cli/dev_info.c), without a kernel:
 * replies are built as the kernel builds them, read back and printed as
 * `esptun show` prints them; malformed replies are refused and unknown
 * attributes ignored.  Run under ASan and UBSan by `make unit`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "../cli/dev_info.h"
#include "tap.h"

#define FAMILY 0x42

static void expect_str(const char *name, const char *got, const char *want)
{
	check(!strcmp(got, want), "%s", name);
	if (strcmp(got, want))
		printf("#   got:\n%s#   want:\n%s", got, want);
}

static struct nl_msg *new_reply(uint32_t ifindex, const char *ifname,
				uint32_t mtu)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, 0, 0, FAMILY, 0, 0, ESPTUN_CMD_DEV_GET, 1) ||
	    nla_put_u32(msg, ESPTUN_A_DEVICE_IFINDEX, ifindex) ||
	    nla_put_string(msg, ESPTUN_A_DEVICE_IFNAME, ifname) ||
	    nla_put_u32(msg, ESPTUN_A_DEVICE_MTU, mtu))
		abort();
	return msg;
}

/* Every counter nest as DEV_GET sends it; drops[r] for reason r. */
static void put_counters(struct nl_msg *msg, const uint64_t *stats,
			 const uint64_t *drops)
{
	struct nlattr *n;
	int t;

	n = nla_nest_start(msg, ESPTUN_A_DEVICE_STATS);
	for (t = 1; t <= ESPTUN_A_STATS_MAX; t++)
		if (t != ESPTUN_A_STATS_PAD)
			nla_put_u64(msg, t, stats[t]);
	nla_nest_end(msg, n);
	n = nla_nest_start(msg, ESPTUN_A_DEVICE_DROPS);
	for (t = 1; t <= ESPTUN_A_DROP_MAX; t++)
		if (t != ESPTUN_A_DROP_PAD)
			nla_put_u64(msg, t, drops[t]);
	nla_nest_end(msg, n);
}

/* mode 0: text, 1: JSON */
static char *text_of(const struct dev_info *d, int mode)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	if (!f)
		abort();
	if (mode == 0) {
		dev_print_text(f, d);
	} else {
		json_init(&j, f, false);
		dev_print_json(&j, d);
		json_finish(&j);
	}
	fclose(f);
	return buf;
}

static void test_reply(void)
{
	uint64_t stats[ESPTUN_A_STATS_MAX + 1] = {
		[ESPTUN_A_STATS_RX_PACKETS] = 40, [ESPTUN_A_STATS_RX_BYTES] = 3360,
		[ESPTUN_A_STATS_RX_DROPPED] = 1, [ESPTUN_A_STATS_TX_PACKETS] = 42,
		[ESPTUN_A_STATS_TX_BYTES] = 3528,
	};
	uint64_t drops[ESPTUN_A_DROP_MAX + 1] = {
		[ESPTUN_A_DROP_RX_REPLAY] = 1,
	};
	struct nl_msg *msg = new_reply(4, "esp0", 1446);
	struct dev_info d;
	char *out;

	nla_put_u16(msg, ESPTUN_A_DEVICE_LISTEN_PORT, 0);
	nla_put_u8(msg, ESPTUN_A_DEVICE_TTL, 64);
	nla_put_u8(msg, ESPTUN_A_DEVICE_DF, ESPTUN_DF_COPY);
	nla_put_u8(msg, ESPTUN_A_DEVICE_DSCP, ESPTUN_DSCP_COPY);
	nla_put_u32(msg, ESPTUN_A_DEVICE_SA_COUNT, 2);
	nla_put_u8(msg, ESPTUN_A_DEVICE_MTU_AUTO, 1);
	nla_put_u32(msg, ESPTUN_A_DEVICE_EFFECTIVE_MTU, 1346);
	nla_put_u32(msg, ESPTUN_A_DEVICE_PATH_MTU, 1400);
	nla_put_u8(msg, ESPTUN_A_DEVICE_PATH_MTU_SOURCE, ESPTUN_PMTU_SRC_ICMP);
	nla_put_u32(msg, ESPTUN_A_DEVICE_PATH_MTU_SPI, 0x1001);
	nla_put_u32(msg, ESPTUN_A_DEVICE_MSS_CLAMP, ESPTUN_MSS_CLAMP_AUTO);
	put_counters(msg, stats, drops);
	nla_put_u32(msg, ESPTUN_A_DEVICE_MAX + 3, 1);	/* a future attribute */

	check(!dev_info_parse(nlmsg_hdr(msg), &d), "reply reads");
	out = text_of(&d, 0);
	expect_str("show text", out,
		   "esp0: ifindex 4 mtu 1446 (auto)\n"
		   "    listen-port 0 ttl 64 df copy dscp copy mss-clamp auto sa-count 2\n"
		   "    effective mtu 1346: outer path mtu 1400 (icmp) via SA 0x00001001\n"
		   "    rx: packets 40 bytes 3360 errors 0 dropped 1\n"
		   "    tx: packets 42 bytes 3528 errors 0 dropped 0\n"
		   "    drops: rx-replay 1\n");
	free(out);
	out = text_of(&d, 1);
	expect_str("show JSON", out,
		   "{\"ifindex\":4,\"ifname\":\"esp0\",\"mtu\":1446,"
		   "\"mtu-auto\":true,\"effective-mtu\":1346,\"path-mtu\":1400,"
		   "\"path-mtu-source\":\"icmp\",\"path-mtu-spi\":4097,"
		   "\"listen-port\":0,\"ttl\":64,\"df\":\"copy\",\"dscp\":\"copy\","
		   "\"mss-clamp\":\"auto\",\"sa-count\":2,"
		   "\"stats\":{\"rx\":{\"packets\":40,\"bytes\":3360,\"errors\":0,\"dropped\":1},"
		   "\"tx\":{\"packets\":42,\"bytes\":3528,\"errors\":0,\"dropped\":0}},"
		   "\"drops\":{\"tx-no-sa\":0,\"tx-bad-proto\":0,\"tx-no-route\":0,"
		   "\"tx-loop\":0,\"tx-expired\":0,\"tx-nomem\":0,\"tx-crypto\":0,"
		   "\"rx-no-sa\":0,\"rx-short-header\":0,\"rx-bad-length\":0,"
		   "\"rx-bad-outer\":0,\"rx-replay\":1,\"rx-icv\":0,"
		   "\"rx-bad-padding\":0,\"rx-dummy\":0,\"rx-bad-proto\":0,"
		   "\"rx-selector\":0,\"rx-ecn\":0,\"rx-expired\":0,\"rx-nomem\":0,"
		   "\"tx-too-big\":0}}\n");
	free(out);
	nlmsg_free(msg);
}

/* A fixed MTU, no outbound SA, no MSS clamping. */
static void test_no_outbound_sa(void)
{
	struct nl_msg *msg = new_reply(5, "esp2", 1400);
	struct dev_info d;
	char *out;

	nla_put_u8(msg, ESPTUN_A_DEVICE_MTU_AUTO, 0);
	nla_put_u32(msg, ESPTUN_A_DEVICE_MSS_CLAMP, ESPTUN_MSS_CLAMP_OFF);
	nla_put_u32(msg, ESPTUN_A_DEVICE_SA_COUNT, 1);
	check(!dev_info_parse(nlmsg_hdr(msg), &d), "reply without SA reads");
	out = text_of(&d, 0);
	expect_str("no outbound SA text", out,
		   "esp2: ifindex 5 mtu 1400 (fixed)\n"
		   "    mss-clamp off sa-count 1\n"
		   "    effective mtu: no outbound SA\n"
		   "    drops: none\n");
	free(out);
	out = text_of(&d, 1);
	expect_str("no outbound SA JSON", out,
		   "{\"ifindex\":5,\"ifname\":\"esp2\",\"mtu\":1400,"
		   "\"mtu-auto\":false,\"effective-mtu\":null,\"path-mtu\":null,"
		   "\"path-mtu-source\":null,\"path-mtu-spi\":null,"
		   "\"mss-clamp\":\"off\",\"sa-count\":1,\"drops\":{}}\n");
	free(out);
	nlmsg_free(msg);

	/* a fixed MSS, and a path MTU source this tool does not know */
	msg = new_reply(5, "esp2", 1400);
	nla_put_u8(msg, ESPTUN_A_DEVICE_MTU_AUTO, 0);
	nla_put_u32(msg, ESPTUN_A_DEVICE_EFFECTIVE_MTU, 1400);
	nla_put_u32(msg, ESPTUN_A_DEVICE_PATH_MTU, 9000);
	nla_put_u8(msg, ESPTUN_A_DEVICE_PATH_MTU_SOURCE, 9);
	nla_put_u32(msg, ESPTUN_A_DEVICE_PATH_MTU_SPI, 0xdeadbeef);
	nla_put_u32(msg, ESPTUN_A_DEVICE_MSS_CLAMP, 1300);
	check(!dev_info_parse(nlmsg_hdr(msg), &d), "fixed MSS reply reads");
	out = text_of(&d, 0);
	expect_str("fixed MSS text", out,
		   "esp2: ifindex 5 mtu 1400 (fixed)\n"
		   "    mss-clamp 1300\n"
		   "    effective mtu 1400: outer path mtu 9000 (9) via SA 0xdeadbeef\n"
		   "    drops: none\n");
	free(out);
	out = text_of(&d, 1);
	expect_str("fixed MSS JSON", out,
		   "{\"ifindex\":5,\"ifname\":\"esp2\",\"mtu\":1400,"
		   "\"mtu-auto\":false,\"effective-mtu\":1400,\"path-mtu\":9000,"
		   "\"path-mtu-source\":9,\"path-mtu-spi\":3735928559,"
		   "\"mss-clamp\":1300,\"drops\":{}}\n");
	free(out);
	nlmsg_free(msg);
}

/* A module without path MTU attributes; settings this tool does not know. */
static void test_sparse(void)
{
	struct nl_msg *msg = new_reply(9, "esp1", 1400);
	struct dev_info d;
	char *out;

	nla_put_u8(msg, ESPTUN_A_DEVICE_DF, 7);
	nla_put_u8(msg, ESPTUN_A_DEVICE_DSCP, 46);
	check(!dev_info_parse(nlmsg_hdr(msg), &d), "sparse reply reads");
	out = text_of(&d, 0);
	expect_str("sparse text", out,
		   "esp1: ifindex 9 mtu 1400\n"
		   "    df 7 dscp 46\n"
		   "    drops: none\n");
	free(out);
	out = text_of(&d, 1);
	expect_str("sparse JSON", out,
		   "{\"ifindex\":9,\"ifname\":\"esp1\",\"mtu\":1400,\"df\":7,"
		   "\"dscp\":46,\"drops\":{}}\n");
	free(out);
	nlmsg_free(msg);
}

enum bad { NO_IFINDEX, NO_IFNAME, BAD_MTU_LEN, BAD_TTL_LEN, BAD_AUTO_LEN,
	   BAD_SPI_LEN, BAD_MSS_LEN, N_BAD };

static void test_malformed(void)
{
	static const char *const names[] = {
		"no IFINDEX", "no IFNAME", "MTU of 2 bytes", "TTL of 4 bytes",
		"MTU_AUTO of 4 bytes", "PATH_MTU_SPI of 8 bytes",
		"MSS_CLAMP of 2 bytes",
	};
	int i;

	for (i = 0; i < N_BAD; i++) {
		struct nl_msg *msg = nlmsg_alloc();
		struct dev_info d;

		if (!msg || !genlmsg_put(msg, 0, 0, FAMILY, 0, 0,
					 ESPTUN_CMD_DEV_GET, 1))
			abort();
		if (i != NO_IFINDEX)
			nla_put_u32(msg, ESPTUN_A_DEVICE_IFINDEX, 1);
		if (i != NO_IFNAME)
			nla_put_string(msg, ESPTUN_A_DEVICE_IFNAME, "esp0");
		if (i == BAD_MTU_LEN)
			nla_put_u16(msg, ESPTUN_A_DEVICE_MTU, 1400);
		if (i == BAD_TTL_LEN)
			nla_put_u32(msg, ESPTUN_A_DEVICE_TTL, 64);
		if (i == BAD_AUTO_LEN)
			nla_put_u32(msg, ESPTUN_A_DEVICE_MTU_AUTO, 1);
		if (i == BAD_SPI_LEN)
			nla_put_u64(msg, ESPTUN_A_DEVICE_PATH_MTU_SPI, 0x1001);
		if (i == BAD_MSS_LEN)
			nla_put_u16(msg, ESPTUN_A_DEVICE_MSS_CLAMP, 1300);
		check(dev_info_parse(nlmsg_hdr(msg), &d) == -1,
		      "malformed reply refused: %s", names[i]);
		nlmsg_free(msg);
	}
}

int main(void)
{
	test_reply();
	test_no_outbound_sa();
	test_sparse();
	test_malformed();
	return tap_done();
}
