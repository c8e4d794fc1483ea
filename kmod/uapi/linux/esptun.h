/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * esptun: route-based ESP tunnel interfaces.
 *
 * Userspace API, shared by the kernel module and the tools.
 *
 * Interfaces are created and deleted with rtnetlink, link kind "esptun":
 *
 *     ip link add esp0 type esptun
 *
 * Everything else is configured and read through the generic netlink family
 * ESPTUN_GENL_NAME.  Requests name the interface with exactly one of
 * ESPTUN_A_DEVICE_IFINDEX or ESPTUN_A_DEVICE_IFNAME, looked up in the
 * requester's network namespace.  Errors carry an extended ack message that
 * names the offending attribute.
 *
 * ESPTUN_CMD_GET_DEVICE
 *   doit:  one interface; returns the ESPTUN_A_DEVICE_* attributes below.
 *   dumpit (NLM_F_DUMP): every esptun interface of the requester's netns.
 *   Read-only; allowed without CAP_NET_ADMIN.
 *
 * Reply attributes:
 *   ESPTUN_A_DEVICE_IFINDEX  u32
 *   ESPTUN_A_DEVICE_IFNAME   NUL-terminated string
 *   ESPTUN_A_DEVICE_MTU      u32, the interface MTU
 *   ESPTUN_A_DEVICE_STATS    nest of ESPTUN_A_STATS_* (u64 each)
 *   ESPTUN_A_DEVICE_DROPS    nest of ESPTUN_A_DROP_* (u64 each): why packets
 *                            were dropped, one counter per reason
 *
 * Commands that change state require CAP_NET_ADMIN in the user namespace
 * that owns the interface's network namespace.
 *
 * The multicast group ESPTUN_MCGRP_EVENTS carries asynchronous events;
 * joining it requires CAP_NET_ADMIN.
 */
#ifndef _UAPI_LINUX_ESPTUN_H
#define _UAPI_LINUX_ESPTUN_H

#define ESPTUN_GENL_NAME	"esptun"
#define ESPTUN_GENL_VERSION	1
#define ESPTUN_MCGRP_EVENTS	"events"

enum esptun_cmd {
	ESPTUN_CMD_UNSPEC,
	ESPTUN_CMD_GET_DEVICE,
	__ESPTUN_CMD_MAX
};

#define ESPTUN_CMD_MAX (__ESPTUN_CMD_MAX - 1)

enum esptun_device_attr {
	ESPTUN_A_DEVICE_UNSPEC,
	ESPTUN_A_DEVICE_PAD,
	ESPTUN_A_DEVICE_IFINDEX,
	ESPTUN_A_DEVICE_IFNAME,
	ESPTUN_A_DEVICE_MTU,
	ESPTUN_A_DEVICE_STATS,
	ESPTUN_A_DEVICE_DROPS,
	__ESPTUN_A_DEVICE_MAX
};

#define ESPTUN_A_DEVICE_MAX (__ESPTUN_A_DEVICE_MAX - 1)

/* Interface counters, the same numbers as `ip -s link` shows. */
enum esptun_stats_attr {
	ESPTUN_A_STATS_UNSPEC,
	ESPTUN_A_STATS_PAD,
	ESPTUN_A_STATS_RX_PACKETS,
	ESPTUN_A_STATS_RX_BYTES,
	ESPTUN_A_STATS_RX_ERRORS,
	ESPTUN_A_STATS_RX_DROPPED,
	ESPTUN_A_STATS_TX_PACKETS,
	ESPTUN_A_STATS_TX_BYTES,
	ESPTUN_A_STATS_TX_ERRORS,
	ESPTUN_A_STATS_TX_DROPPED,
	__ESPTUN_A_STATS_MAX
};

#define ESPTUN_A_STATS_MAX (__ESPTUN_A_STATS_MAX - 1)

/*
 * Drop reasons.  Every packet esptun drops is counted under exactly one of
 * them (and in the interface's rx_dropped or tx_dropped).
 */
enum esptun_drop_attr {
	ESPTUN_A_DROP_UNSPEC,
	ESPTUN_A_DROP_PAD,
	/* routed into the interface, but no outbound SA covers it */
	ESPTUN_A_DROP_TX_NO_SA,
	/* not IPv4 or IPv6, or shorter than its network header */
	ESPTUN_A_DROP_TX_BAD_PROTO,
	__ESPTUN_A_DROP_MAX
};

#define ESPTUN_A_DROP_MAX (__ESPTUN_A_DROP_MAX - 1)

#endif /* _UAPI_LINUX_ESPTUN_H */
