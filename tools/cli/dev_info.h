/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One interface as the kernel describes it in DEV_GET replies, read with a
 * strict attribute policy, and printed as `esptun show` prints it.
 */
#ifndef ESPTUN_CLI_DEV_INFO_H
#define ESPTUN_CLI_DEV_INFO_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/esptun.h>
#include <linux/netlink.h>

#include "../lib/json.h"

struct dev_info {
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	uint32_t mtu;
	bool has_listen_port, has_ttl, has_df, has_dscp, has_sa_count;
	uint16_t listen_port;
	uint8_t ttl, df, dscp;
	uint32_t sa_count;
	bool has_mtu_auto, has_mss_clamp;
	uint8_t mtu_auto;		/* 1: automatic */
	uint32_t mss_clamp;		/* ESPTUN_MSS_CLAMP_* or an MSS */
	/* the tightest outbound SA; absent without outbound SAs */
	bool has_effective_mtu, has_path_mtu, has_path_mtu_source,
	     has_path_mtu_spi;
	uint32_t effective_mtu, path_mtu, path_mtu_spi;
	uint8_t path_mtu_source;	/* enum esptun_pmtu_source */
	uint64_t stats[ESPTUN_A_STATS_MAX + 1];
	bool has_stats;
	uint64_t drops[ESPTUN_A_DROP_MAX + 1];
	bool has_drop[ESPTUN_A_DROP_MAX + 1];
};

/*
 * Reads a DEV_GET reply.  Unknown attributes are ignored; known ones of
 * the wrong size, or a missing IFINDEX or IFNAME, make it fail (-1).
 */
int dev_info_parse(struct nlmsghdr *nlh, struct dev_info *d);

/* `esptun show` output: one block of text, or one JSON object. */
void dev_print_text(FILE *f, const struct dev_info *d);
void dev_print_json(struct json *j, const struct dev_info *d);

#endif /* ESPTUN_CLI_DEV_INFO_H */
