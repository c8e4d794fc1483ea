/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One SA as the kernel describes it in SA_GET replies and in ACQUIRE and
 * EXPIRE events, read with strict attribute policies.
 */
#ifndef ESPTUN_CLI_SA_INFO_H
#define ESPTUN_CLI_SA_INFO_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/esptun.h>
#include <linux/netlink.h>
#include <netlink/msg.h>

#include "../lib/json.h"
#include "parse.h"

struct sa_info {
	uint8_t cmd;			/* ESPTUN_CMD_* of the message */
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];

	uint8_t dir;
	bool has_spi;
	uint32_t spi;
	uint8_t src[16], dst[16];
	size_t src_len, dst_len;	/* 0 (absent), 4 or 16 */
	bool has_encap;
	uint16_t sport, dport;
	char aead[ESPTUN_ALG_NAME_MAX];
	uint32_t icv_bits;
	char enc[ESPTUN_ALG_NAME_MAX];
	char auth[ESPTUN_ALG_NAME_MAX];
	uint32_t trunc_bits;
	bool has_replay_window;
	uint32_t replay_window;
	uint32_t flags;
	bool has_sel_src, has_sel_dst;
	uint8_t sel_src[16], sel_dst[16];
	size_t sel_src_len, sel_dst_len;
	uint8_t sel_src_plen, sel_dst_plen;
	bool has_limit[ESPTUN_A_LIMIT_MAX + 1];
	uint64_t limits[ESPTUN_A_LIMIT_MAX + 1];
	bool has_seq;
	uint64_t seq;
	bool has_stats;
	uint64_t stats[ESPTUN_A_SA_STATS_MAX + 1];
	bool has_add_time, has_use_time;
	uint64_t add_time, use_time;
	/* events */
	bool has_expire_hard, has_expire_limit, has_proto;
	uint8_t expire_hard;
	uint16_t expire_limit;
	uint8_t proto;
};

/*
 * Reads a message with IFINDEX, IFNAME and an ESPTUN_A_DEVICE_SA nest.
 * Unknown attributes are ignored; known ones of the wrong size, addresses
 * not 4 or 16 bytes long, prefix lengths beyond the address, or a missing
 * IFINDEX or SA nest make it fail (-1).
 */
int sa_info_parse(struct nlmsghdr *nlh, struct sa_info *s);

/* Adds the ESPTUN_A_DEVICE_SA nest of an SA_NEW request; -1 if full. */
int sa_put_request(struct nl_msg *msg, const struct sa_add_args *a);

/* `sa list` output: one block of text, or one JSON object. */
void sa_print_text(FILE *f, const struct sa_info *s);
void sa_print_json(struct json *j, const struct sa_info *s);

/* `monitor` output: one line for an ACQUIRE or EXPIRE; -1 for others. */
int event_print(FILE *f, bool json, const struct sa_info *s);

#endif /* ESPTUN_CLI_SA_INFO_H */
