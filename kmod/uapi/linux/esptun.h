/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * esptun: route-based ESP tunnel interfaces.
 *
 * Userspace API, shared by the kernel module and the tools.  The full
 * description, with every attribute and error, is in
 * Documentation/netlink.rst and Documentation/netlink/esptun.yaml.
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
 * ESPTUN_CMD_DEV_GET     doit: one interface; dumpit: every esptun interface
 *                        of the netns.  Read-only, no capability needed.
 * ESPTUN_CMD_DEV_SET     changes LISTEN_PORT, TTL, DF, DSCP, MTU, MTU_AUTO,
 *                        MSS_CLAMP of an interface.
 * ESPTUN_CMD_SA_NEW      adds one SA (ESPTUN_A_DEVICE_SA nest) to an
 *                        interface.  All or nothing.
 * ESPTUN_CMD_SA_DEL      deletes the SA named by DIR and SPI.
 * ESPTUN_CMD_SA_GET      doit: one SA (DIR and SPI); dumpit: the SAs of one
 *                        interface (IFINDEX/IFNAME given) or of all
 *                        interfaces of the netns.  Never carries keys.
 * ESPTUN_CMD_SA_FLUSH    deletes every SA of an interface.
 * ESPTUN_CMD_ACQUIRE     event: a packet was routed into an interface and no
 *                        outbound SA covers it.
 * ESPTUN_CMD_EXPIRE      event: an SA reached a soft or hard limit.
 *
 * Commands that change state, and SA_GET (SPIs, peers and sequence numbers
 * help whoever forges ESP), require CAP_NET_ADMIN in the user namespace
 * that owns the interface's network namespace.  The multicast group
 * ESPTUN_MCGRP_EVENTS carries ACQUIRE and EXPIRE; joining it requires
 * CAP_NET_ADMIN.
 */
#ifndef _UAPI_LINUX_ESPTUN_H
#define _UAPI_LINUX_ESPTUN_H

#define ESPTUN_GENL_NAME	"esptun"
#define ESPTUN_GENL_VERSION	1
#define ESPTUN_MCGRP_EVENTS	"events"

enum esptun_cmd {
	ESPTUN_CMD_UNSPEC,
	ESPTUN_CMD_DEV_GET,
	ESPTUN_CMD_DEV_SET,
	ESPTUN_CMD_SA_NEW,
	ESPTUN_CMD_SA_DEL,
	ESPTUN_CMD_SA_GET,
	ESPTUN_CMD_SA_FLUSH,
	ESPTUN_CMD_ACQUIRE,
	ESPTUN_CMD_EXPIRE,
	__ESPTUN_CMD_MAX
};

#define ESPTUN_CMD_MAX (__ESPTUN_CMD_MAX - 1)

/* Top-level attributes of every message. */
enum esptun_device_attr {
	ESPTUN_A_DEVICE_UNSPEC,
	ESPTUN_A_DEVICE_PAD,
	ESPTUN_A_DEVICE_IFINDEX,	/* u32 */
	ESPTUN_A_DEVICE_IFNAME,		/* string */
	/*
	 * u32: the interface MTU.  Setting it (here or with `ip link set DEV
	 * mtu N`) turns MTU_AUTO off.
	 */
	ESPTUN_A_DEVICE_MTU,
	ESPTUN_A_DEVICE_STATS,		/* nest of ESPTUN_A_STATS_*, reply only */
	ESPTUN_A_DEVICE_DROPS,		/* nest of ESPTUN_A_DROP_*, reply only */
	/* u16: UDP port of the module's own ESP-in-UDP socket; 0 closes it */
	ESPTUN_A_DEVICE_LISTEN_PORT,
	ESPTUN_A_DEVICE_TTL,		/* u8, 1..255: outer TTL/hop limit */
	ESPTUN_A_DEVICE_DF,		/* u8, enum esptun_df */
	ESPTUN_A_DEVICE_DSCP,		/* u8, 0..63, or ESPTUN_DSCP_COPY */
	ESPTUN_A_DEVICE_SA,		/* nest of ESPTUN_A_SA_* */
	ESPTUN_A_DEVICE_SA_COUNT,	/* u32, reply only: SAs installed */
	/*
	 * u8: 1 (the default) when the MTU follows the outbound SAs and the
	 * underlay (Documentation/datapath.rst); 0 once a user set it.  In
	 * DEV_SET, 1 returns to automatic (with no outbound SA: the default
	 * MTU), 0 keeps the current MTU as if the user had set it; 1 with
	 * ESPTUN_A_DEVICE_MTU in one request is refused.
	 */
	ESPTUN_A_DEVICE_MTU_AUTO,
	/*
	 * u32, reply only: the largest inner packet that leaves unfragmented:
	 * the smaller of the interface MTU and the budget of the outbound SA
	 * with the smallest one for its outer path MTU now.  Absent without
	 * outbound SAs (or outer routes).
	 */
	ESPTUN_A_DEVICE_EFFECTIVE_MTU,
	ESPTUN_A_DEVICE_PATH_MTU,	/* u32, reply only: that outer path MTU */
	/* u8, reply only: enum esptun_pmtu_source of PATH_MTU */
	ESPTUN_A_DEVICE_PATH_MTU_SOURCE,
	ESPTUN_A_DEVICE_PATH_MTU_SPI,	/* u32, reply only: that SA's SPI */
	/* u32: TCP MSS clamping, ESPTUN_MSS_CLAMP_* or a fixed MSS */
	ESPTUN_A_DEVICE_MSS_CLAMP,
	__ESPTUN_A_DEVICE_MAX
};

#define ESPTUN_A_DEVICE_MAX (__ESPTUN_A_DEVICE_MAX - 1)

/* ESPTUN_A_DEVICE_DF: the DF bit of outer IPv4 headers. */
enum esptun_df {
	ESPTUN_DF_COPY,		/* from the inner IPv4 header; set for IPv6 */
	ESPTUN_DF_SET,
	ESPTUN_DF_CLEAR,
};

/* ESPTUN_A_DEVICE_DSCP: copy the inner packet's DSCP to the outer header. */
#define ESPTUN_DSCP_COPY	0xff

/* ESPTUN_A_DEVICE_PATH_MTU_SOURCE: where an outer path MTU comes from. */
enum esptun_pmtu_source {
	ESPTUN_PMTU_SRC_LINK = 1,	/* the MTU of the outer device */
	ESPTUN_PMTU_SRC_ROUTE,		/* an `mtu` on the outer route */
	ESPTUN_PMTU_SRC_ICMP,		/* learned from ICMP; it expires */
};

/*
 * ESPTUN_A_DEVICE_MSS_CLAMP: off, auto (the effective MTU minus 40 for
 * IPv4 or 60 for IPv6), or a fixed MSS of ESPTUN_MSS_CLAMP_MIN or more.
 */
#define ESPTUN_MSS_CLAMP_OFF	0
#define ESPTUN_MSS_CLAMP_AUTO	1
#define ESPTUN_MSS_CLAMP_MIN	88
#define ESPTUN_MSS_CLAMP_MAX	65495

enum esptun_sa_dir {
	ESPTUN_SA_DIR_IN = 1,
	ESPTUN_SA_DIR_OUT = 2,
};

/* ESPTUN_A_SA_FLAGS, a bit mask */
enum esptun_sa_flags {
	ESPTUN_SA_F_ESN = 1,	/* 64-bit sequence numbers (RFC 4304) */
};

/*
 * One SA.  In SA_NEW: DIR, SPI, SRC, DST and one algorithm set (AEAD_*, or
 * ENC_* with AUTH_*) are required; the rest are optional.  Keys are
 * write-only.  In replies and events: everything but the keys, plus the
 * reply-only attributes.
 */
enum esptun_sa_attr {
	ESPTUN_A_SA_UNSPEC,
	ESPTUN_A_SA_PAD,
	ESPTUN_A_SA_DIR,		/* u8, enum esptun_sa_dir */
	ESPTUN_A_SA_SPI,		/* u32, host order, 256..2^32-1 */
	ESPTUN_A_SA_SRC,		/* binary: outer source, 4 or 16 bytes */
	ESPTUN_A_SA_DST,		/* binary: outer destination */
	ESPTUN_A_SA_ENCAP_SPORT,	/* u16: ESP in UDP (RFC 3948) from */
	ESPTUN_A_SA_ENCAP_DPORT,	/* u16: ... to this port */
	ESPTUN_A_SA_AEAD_NAME,		/* string, e.g. "rfc4106(gcm(aes))" */
	ESPTUN_A_SA_AEAD_KEY,		/* binary: key, then 4-byte salt */
	ESPTUN_A_SA_AEAD_ICV_BITS,	/* u32 */
	ESPTUN_A_SA_ENC_NAME,		/* string: "cbc(aes)", "ecb(cipher_null)" */
	ESPTUN_A_SA_ENC_KEY,		/* binary */
	ESPTUN_A_SA_AUTH_NAME,		/* string: "hmac(sha256)", ... */
	ESPTUN_A_SA_AUTH_KEY,		/* binary */
	ESPTUN_A_SA_AUTH_TRUNC_BITS,	/* u32 */
	ESPTUN_A_SA_REPLAY_WINDOW,	/* u32, inbound: 0 (off) .. 65536 */
	ESPTUN_A_SA_FLAGS,		/* u32, ESPTUN_SA_F_* */
	ESPTUN_A_SA_SEL_SRC,		/* binary: inner source prefix address */
	ESPTUN_A_SA_SEL_SRC_PLEN,	/* u8 */
	ESPTUN_A_SA_SEL_DST,		/* binary: inner destination prefix */
	ESPTUN_A_SA_SEL_DST_PLEN,	/* u8 */
	ESPTUN_A_SA_LIMITS,		/* nest of ESPTUN_A_LIMIT_* */
	/*
	 * u64: out: last sequence number sent; in: highest one received.
	 * Settable in SA_NEW (tests, migration).
	 */
	ESPTUN_A_SA_SEQ,
	ESPTUN_A_SA_STATS,		/* nest of ESPTUN_A_SA_STATS_*, reply */
	ESPTUN_A_SA_ADD_TIME,		/* u64, reply: seconds since added */
	/* u64, reply: seconds since the last packet; absent if never used */
	ESPTUN_A_SA_USE_TIME,
	ESPTUN_A_SA_EXPIRE_HARD,	/* u8, EXPIRE: 1 hard, 0 soft */
	/* u16, EXPIRE: the ESPTUN_A_LIMIT_* reached, or ESPTUN_A_LIMIT_SEQ */
	ESPTUN_A_SA_EXPIRE_LIMIT,
	ESPTUN_A_SA_PROTO,		/* u8, ACQUIRE: inner IP protocol */
	__ESPTUN_A_SA_MAX
};

#define ESPTUN_A_SA_MAX (__ESPTUN_A_SA_MAX - 1)

/* Lifetimes: 0 or absent means no limit.  Times in seconds since added. */
enum esptun_limit_attr {
	ESPTUN_A_LIMIT_UNSPEC,
	ESPTUN_A_LIMIT_PAD,
	ESPTUN_A_LIMIT_TIME_SOFT,	/* u64 */
	ESPTUN_A_LIMIT_TIME_HARD,	/* u64 */
	ESPTUN_A_LIMIT_BYTE_SOFT,	/* u64, inner bytes */
	ESPTUN_A_LIMIT_BYTE_HARD,	/* u64 */
	ESPTUN_A_LIMIT_PACKET_SOFT,	/* u64 */
	ESPTUN_A_LIMIT_PACKET_HARD,	/* u64 */
	/* only in EXPIRE_LIMIT: the outbound sequence numbers ran out */
	ESPTUN_A_LIMIT_SEQ,
	__ESPTUN_A_LIMIT_MAX
};

#define ESPTUN_A_LIMIT_MAX (__ESPTUN_A_LIMIT_MAX - 1)

/* Per-SA counters (u64 each). */
enum esptun_sa_stats_attr {
	ESPTUN_A_SA_STATS_UNSPEC,
	ESPTUN_A_SA_STATS_PAD,
	ESPTUN_A_SA_STATS_PACKETS,	/* inner packets */
	ESPTUN_A_SA_STATS_BYTES,	/* inner bytes */
	ESPTUN_A_SA_STATS_REPLAY,	/* duplicates and too old */
	ESPTUN_A_SA_STATS_ICV_FAIL,	/* integrity check failed */
	ESPTUN_A_SA_STATS_SELECTOR,	/* inner addresses outside selectors */
	ESPTUN_A_SA_STATS_ERRORS,	/* any other drop charged to the SA */
	__ESPTUN_A_SA_STATS_MAX
};

#define ESPTUN_A_SA_STATS_MAX (__ESPTUN_A_SA_STATS_MAX - 1)

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
	/* no route to the SA's outer destination */
	ESPTUN_A_DROP_TX_NO_ROUTE,
	/* the outer route leads back into the interface itself */
	ESPTUN_A_DROP_TX_LOOP,
	/* the SA hit a hard limit (sequence numbers, bytes, packets) */
	ESPTUN_A_DROP_TX_EXPIRED,
	/* out of memory, or GSO segmentation failed */
	ESPTUN_A_DROP_TX_NOMEM,
	/* the crypto API refused or failed the request */
	ESPTUN_A_DROP_TX_CRYPTO,
	/* ESP for this interface's addresses with an SPI it does not own */
	ESPTUN_A_DROP_RX_NO_SA,
	/* shorter than the ESP header and IV */
	ESPTUN_A_DROP_RX_SHORT_HEADER,
	/* payload shorter than trailer and ICV, or not block aligned */
	ESPTUN_A_DROP_RX_BAD_LENGTH,
	/* outer destination differs from the SA's, or in UDP when the SA
	 * is not (or the reverse)
	 */
	ESPTUN_A_DROP_RX_BAD_OUTER,
	/* replayed, or older than the replay window */
	ESPTUN_A_DROP_RX_REPLAY,
	/* integrity check (ICV) failed */
	ESPTUN_A_DROP_RX_ICV,
	/* padding bytes or pad length invalid (RFC 4303 2.4) */
	ESPTUN_A_DROP_RX_BAD_PADDING,
	/* next header 59: a dummy packet (RFC 4303 2.6), dropped by design */
	ESPTUN_A_DROP_RX_DUMMY,
	/* next header not IPv4/IPv6, or a malformed inner header */
	ESPTUN_A_DROP_RX_BAD_PROTO,
	/* inner addresses outside the SA's selectors (RFC 4301 5.2) */
	ESPTUN_A_DROP_RX_SELECTOR,
	/* outer CE over a not-ECT inner packet (RFC 6040) */
	ESPTUN_A_DROP_RX_ECN,
	/* the SA hit a hard limit */
	ESPTUN_A_DROP_RX_EXPIRED,
	/* out of memory, or the crypto API failed other than by ICV */
	ESPTUN_A_DROP_RX_NOMEM,
	/*
	 * larger than the tunnel's effective MTU, IPv4 with DF or IPv6 over
	 * 1280 bytes: an ICMP error told the sender the MTU
	 */
	ESPTUN_A_DROP_TX_TOO_BIG,
	__ESPTUN_A_DROP_MAX
};

#define ESPTUN_A_DROP_MAX (__ESPTUN_A_DROP_MAX - 1)

#endif /* _UAPI_LINUX_ESPTUN_H */
