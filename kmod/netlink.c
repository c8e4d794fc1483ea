// SPDX-License-Identifier: GPL-2.0
/*
 * The "esptun" generic netlink family: configuration and state of esptun
 * interfaces, and the "events" multicast group.
 *
 * Attribute validation: every request attribute is checked against a rule
 * table that names it in the error message (see esptun_nl_check()).  Keys
 * are write-only: no reply or event ever carries them, and SA_NEW wipes
 * them from the request once the transform has them.
 *
 * Locking: the family runs with parallel_ops.  Everything that reads or
 * changes an interface's settings or SAs holds RTNL, which also keeps the
 * interface from being unregistered meanwhile.  Transforms are allocated
 * before RTNL is taken: that may load crypto modules.  Events are sent
 * from the expire work (RTNL, GFP_KERNEL) and the transmit path (ACQUIRE,
 * atomic).
 */
#include <linux/hash.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/ipv6.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "crypto.h"
#include "device.h"
#include "encap.h"
#include "netlink.h"
#include "pmtu.h"
#include "sa.h"

/*
 * Formatted extack messages.  6.1 has no NL_SET_ERR_MSG_FMT (6.2 added a
 * buffer to the extack); the message must outlive the request, until the
 * core builds the ack.  So formatted messages are interned: each distinct
 * text is allocated once and kept until the module goes.  The table is
 * bounded; past it the unformatted text is used, which still names the
 * attribute.  Process context only.
 */
#define ESPTUN_NL_MSG_MAX	1024

static DEFINE_MUTEX(esptun_nl_msg_lock);
static const char *esptun_nl_msgs[ESPTUN_NL_MSG_MAX];
static unsigned int esptun_nl_nmsgs;

void esptun_nl_err(struct netlink_ext_ack *extack, const struct nlattr *attr,
		   const char *fmt, ...)
{
	const char *msg = NULL;
	char buf[320];
	unsigned int i;
	va_list ap;

	might_sleep();
	if (!extack)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	mutex_lock(&esptun_nl_msg_lock);
	for (i = 0; i < esptun_nl_nmsgs && !msg; i++)
		if (!strcmp(esptun_nl_msgs[i], buf))
			msg = esptun_nl_msgs[i];
	if (!msg && esptun_nl_nmsgs < ESPTUN_NL_MSG_MAX) {
		msg = kstrdup(buf, GFP_KERNEL);
		if (msg)
			esptun_nl_msgs[esptun_nl_nmsgs++] = msg;
	}
	mutex_unlock(&esptun_nl_msg_lock);

	extack->_msg = msg ?: fmt;
	extack->bad_attr = attr;
}

static void esptun_nl_free_msgs(void)
{
	while (esptun_nl_nmsgs)
		kfree(esptun_nl_msgs[--esptun_nl_nmsgs]);
}

/*
 * Attribute validation: the core's policy checks answer malformed
 * attributes with a generic message.  Each request attribute is declared
 * NLA_BINARY with a validate callback that checks it against a rule and
 * names it in the message.
 */
enum esptun_nl_kind {
	ESPTUN_NL_U8 = 1,
	ESPTUN_NL_U16,
	ESPTUN_NL_U32,
	ESPTUN_NL_U64,
	ESPTUN_NL_STRING,	/* NUL-terminated, 1..max characters */
	ESPTUN_NL_ADDR,		/* 4 or 16 bytes */
	ESPTUN_NL_BYTES,	/* 0..max bytes */
};

struct esptun_nl_rule {
	const char *name;
	u8 kind;
	u64 min, max;
	const char *expect;	/* what a valid value looks like */
};

static int esptun_nl_check(const struct esptun_nl_rule *rule,
			   const struct nlattr *nla,
			   struct netlink_ext_ack *extack)
{
	static const u8 sizes[] = {
		[ESPTUN_NL_U8] = 1, [ESPTUN_NL_U16] = 2, [ESPTUN_NL_U32] = 4,
		[ESPTUN_NL_U64] = 8,
	};
	const char *data = nla_data(nla);
	int len = nla_len(nla);
	u64 val;

	if (!rule->name) {
		esptun_nl_err(extack, nla, "unexpected attribute %u",
			      nla_type(nla));
		return -EINVAL;
	}
	switch (rule->kind) {
	case ESPTUN_NL_STRING:
		if (len < 2 || len > rule->max + 1 || data[len - 1] ||
		    strlen(data) != len - 1) {
			esptun_nl_err(extack, nla,
				      "%s must be a NUL-terminated string of 1 to %llu characters%s%s",
				      rule->name, rule->max,
				      rule->expect ? ": " : "",
				      rule->expect ?: "");
			return -EINVAL;
		}
		return 0;
	case ESPTUN_NL_ADDR:
		if (len != 4 && len != 16) {
			esptun_nl_err(extack, nla,
				      "%s must be an IPv4 (4 bytes) or IPv6 (16 bytes) address, not %d bytes",
				      rule->name, len);
			return -EINVAL;
		}
		return 0;
	case ESPTUN_NL_BYTES:
		if (len > rule->max) {
			esptun_nl_err(extack, nla,
				      "%s: %d bytes is longer than any %s (at most %llu)",
				      rule->name, len, rule->expect, rule->max);
			return -EINVAL;
		}
		return 0;
	}

	if (len != sizes[rule->kind]) {
		esptun_nl_err(extack, nla, "%s must be a u%u, not %d bytes",
			      rule->name, sizes[rule->kind] * 8, len);
		return -EINVAL;
	}
	switch (rule->kind) {
	case ESPTUN_NL_U8:
		val = nla_get_u8(nla);
		break;
	case ESPTUN_NL_U16:
		val = nla_get_u16(nla);
		break;
	case ESPTUN_NL_U32:
		val = nla_get_u32(nla);
		break;
	default:
		val = nla_get_u64(nla);
		break;
	}
	if (val < rule->min || val > rule->max) {
		esptun_nl_err(extack, nla, "%s: %llu is out of range (%s)",
			      rule->name, val, rule->expect);
		return -ERANGE;
	}
	return 0;
}

#define ESPTUN_NL_RULE(attr, kind, min, max, expect) \
	[attr] = { #attr, kind, min, max, expect }

static const struct esptun_nl_rule esptun_nl_device_rules[] = {
	ESPTUN_NL_RULE(ESPTUN_A_DEVICE_IFINDEX, ESPTUN_NL_U32, 1, INT_MAX,
		       "a positive interface index"),
	ESPTUN_NL_RULE(ESPTUN_A_DEVICE_IFNAME, ESPTUN_NL_STRING, 1,
		       IFNAMSIZ - 1, "an interface name"),
	ESPTUN_NL_RULE(ESPTUN_A_DEVICE_LISTEN_PORT, ESPTUN_NL_U16, 0, 65535,
		       "0 closes the socket"),
	ESPTUN_NL_RULE(ESPTUN_A_DEVICE_TTL, ESPTUN_NL_U8, 1, 255,
		       "a TTL or hop limit of 1 to 255"),
	ESPTUN_NL_RULE(ESPTUN_A_DEVICE_DF, ESPTUN_NL_U8, ESPTUN_DF_COPY,
		       ESPTUN_DF_CLEAR, "0 copy, 1 set, 2 clear"),
	ESPTUN_NL_RULE(ESPTUN_A_DEVICE_DSCP, ESPTUN_NL_U8, 0,
		       ESPTUN_DSCP_COPY, "a DSCP of 0 to 63, or 255 to copy"),
	ESPTUN_NL_RULE(ESPTUN_A_DEVICE_MTU, ESPTUN_NL_U32, ETH_MIN_MTU, 65535,
		       "an MTU of 68 to 65535"),
	ESPTUN_NL_RULE(ESPTUN_A_DEVICE_MTU_AUTO, ESPTUN_NL_U8, 0, 1,
		       "1 automatic, 0 keep the current MTU"),
	ESPTUN_NL_RULE(ESPTUN_A_DEVICE_MSS_CLAMP, ESPTUN_NL_U32, 0,
		       ESPTUN_MSS_CLAMP_MAX,
		       "0 off, 1 auto, or an MSS of 88 to 65495"),
};

static const struct esptun_nl_rule esptun_nl_sa_rules[] = {
	ESPTUN_NL_RULE(ESPTUN_A_SA_DIR, ESPTUN_NL_U8, ESPTUN_SA_DIR_IN,
		       ESPTUN_SA_DIR_OUT, "1 in, 2 out"),
	ESPTUN_NL_RULE(ESPTUN_A_SA_SPI, ESPTUN_NL_U32, 256, U32_MAX,
		       "SPIs 0 to 255 are reserved, RFC 4303 2.1"),
	ESPTUN_NL_RULE(ESPTUN_A_SA_SRC, ESPTUN_NL_ADDR, 0, 0, NULL),
	ESPTUN_NL_RULE(ESPTUN_A_SA_DST, ESPTUN_NL_ADDR, 0, 0, NULL),
	ESPTUN_NL_RULE(ESPTUN_A_SA_ENCAP_SPORT, ESPTUN_NL_U16, 1, 65535,
		       "a UDP port of 1 to 65535"),
	ESPTUN_NL_RULE(ESPTUN_A_SA_ENCAP_DPORT, ESPTUN_NL_U16, 1, 65535,
		       "a UDP port of 1 to 65535"),
	ESPTUN_NL_RULE(ESPTUN_A_SA_AEAD_NAME, ESPTUN_NL_STRING, 1, 63,
		       "an algorithm name such as rfc4106(gcm(aes))"),
	ESPTUN_NL_RULE(ESPTUN_A_SA_AEAD_KEY, ESPTUN_NL_BYTES, 0, 64,
		       "AEAD key and salt"),
	ESPTUN_NL_RULE(ESPTUN_A_SA_AEAD_ICV_BITS, ESPTUN_NL_U32, 1, 256,
		       "64, 96 or 128"),
	ESPTUN_NL_RULE(ESPTUN_A_SA_ENC_NAME, ESPTUN_NL_STRING, 1, 63,
		       "cbc(aes) or ecb(cipher_null)"),
	ESPTUN_NL_RULE(ESPTUN_A_SA_ENC_KEY, ESPTUN_NL_BYTES, 0, 64,
		       "encryption key"),
	ESPTUN_NL_RULE(ESPTUN_A_SA_AUTH_NAME, ESPTUN_NL_STRING, 1, 63,
		       "hmac(sha256), hmac(sha384) or hmac(sha512)"),
	ESPTUN_NL_RULE(ESPTUN_A_SA_AUTH_KEY, ESPTUN_NL_BYTES, 0, 128,
		       "integrity key"),
	ESPTUN_NL_RULE(ESPTUN_A_SA_AUTH_TRUNC_BITS, ESPTUN_NL_U32, 1, 512,
		       "128, 192 or 256"),
	ESPTUN_NL_RULE(ESPTUN_A_SA_REPLAY_WINDOW, ESPTUN_NL_U32, 0,
		       ESPTUN_REPLAY_MAX_WINDOW, "0 (off) to 65536 packets"),
	ESPTUN_NL_RULE(ESPTUN_A_SA_FLAGS, ESPTUN_NL_U32, 0, ESPTUN_SA_F_ESN,
		       "ESPTUN_SA_F_* bits: 1 ESN"),
	ESPTUN_NL_RULE(ESPTUN_A_SA_SEL_SRC, ESPTUN_NL_ADDR, 0, 0, NULL),
	ESPTUN_NL_RULE(ESPTUN_A_SA_SEL_SRC_PLEN, ESPTUN_NL_U8, 0, 128,
		       "a prefix length"),
	ESPTUN_NL_RULE(ESPTUN_A_SA_SEL_DST, ESPTUN_NL_ADDR, 0, 0, NULL),
	ESPTUN_NL_RULE(ESPTUN_A_SA_SEL_DST_PLEN, ESPTUN_NL_U8, 0, 128,
		       "a prefix length"),
	ESPTUN_NL_RULE(ESPTUN_A_SA_SEQ, ESPTUN_NL_U64, 0, U64_MAX, ""),
};

static const struct esptun_nl_rule esptun_nl_limit_rules[] = {
	ESPTUN_NL_RULE(ESPTUN_A_LIMIT_TIME_SOFT, ESPTUN_NL_U64, 0, U64_MAX, ""),
	ESPTUN_NL_RULE(ESPTUN_A_LIMIT_TIME_HARD, ESPTUN_NL_U64, 0, U64_MAX, ""),
	ESPTUN_NL_RULE(ESPTUN_A_LIMIT_BYTE_SOFT, ESPTUN_NL_U64, 0, U64_MAX, ""),
	ESPTUN_NL_RULE(ESPTUN_A_LIMIT_BYTE_HARD, ESPTUN_NL_U64, 0, U64_MAX, ""),
	ESPTUN_NL_RULE(ESPTUN_A_LIMIT_PACKET_SOFT, ESPTUN_NL_U64, 0, U64_MAX,
		       ""),
	ESPTUN_NL_RULE(ESPTUN_A_LIMIT_PACKET_HARD, ESPTUN_NL_U64, 0, U64_MAX,
		       ""),
};

#define ESPTUN_NL_VALIDATE_FN(set)					\
static int esptun_nl_validate_##set(const struct nlattr *nla,		\
				    struct netlink_ext_ack *extack)	\
{									\
	unsigned int type = nla_type(nla);				\
									\
	if (type >= ARRAY_SIZE(esptun_nl_##set##_rules)) {		\
		esptun_nl_err(extack, nla, "unexpected attribute %u", type); \
		return -EINVAL;						\
	}								\
	return esptun_nl_check(&esptun_nl_##set##_rules[type], nla, extack); \
}

ESPTUN_NL_VALIDATE_FN(device)
ESPTUN_NL_VALIDATE_FN(sa)
ESPTUN_NL_VALIDATE_FN(limit)

#define ESPTUN_NLA_CHECKED(set) \
	NLA_POLICY_VALIDATE_FN(NLA_BINARY, esptun_nl_validate_##set)
/* Reply-only attributes: the message is built from the attribute's name. */
#define ESPTUN_NLA_REPLY_ONLY(attr, hint) {				\
	.type = NLA_REJECT,						\
	.reject_message = #attr " only appears in replies" hint,	\
}

const struct nla_policy esptun_nl_limit_policy[ESPTUN_A_LIMIT_MAX + 1] = {
	[ESPTUN_A_LIMIT_PAD]	     = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_LIMIT_PAD, ""),
	[ESPTUN_A_LIMIT_TIME_SOFT]   = ESPTUN_NLA_CHECKED(limit),
	[ESPTUN_A_LIMIT_TIME_HARD]   = ESPTUN_NLA_CHECKED(limit),
	[ESPTUN_A_LIMIT_BYTE_SOFT]   = ESPTUN_NLA_CHECKED(limit),
	[ESPTUN_A_LIMIT_BYTE_HARD]   = ESPTUN_NLA_CHECKED(limit),
	[ESPTUN_A_LIMIT_PACKET_SOFT] = ESPTUN_NLA_CHECKED(limit),
	[ESPTUN_A_LIMIT_PACKET_HARD] = ESPTUN_NLA_CHECKED(limit),
	[ESPTUN_A_LIMIT_SEQ]	     = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_LIMIT_SEQ,
							     " (EXPIRE events)"),
};

static const struct nla_policy esptun_nl_sa_policy[ESPTUN_A_SA_MAX + 1] = {
	[ESPTUN_A_SA_PAD]	      = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_SA_PAD, ""),
	[ESPTUN_A_SA_DIR]	      = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_SPI]	      = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_SRC]	      = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_DST]	      = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_ENCAP_SPORT]     = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_ENCAP_DPORT]     = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_AEAD_NAME]	      = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_AEAD_KEY]	      = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_AEAD_ICV_BITS]   = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_ENC_NAME]	      = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_ENC_KEY]	      = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_AUTH_NAME]	      = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_AUTH_KEY]	      = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_AUTH_TRUNC_BITS] = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_REPLAY_WINDOW]   = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_FLAGS]	      = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_SEL_SRC]	      = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_SEL_SRC_PLEN]    = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_SEL_DST]	      = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_SEL_DST_PLEN]    = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_LIMITS]	      = NLA_POLICY_NESTED(esptun_nl_limit_policy),
	[ESPTUN_A_SA_SEQ]	      = ESPTUN_NLA_CHECKED(sa),
	[ESPTUN_A_SA_STATS]	      = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_SA_STATS, ""),
	[ESPTUN_A_SA_ADD_TIME]	      = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_SA_ADD_TIME, ""),
	[ESPTUN_A_SA_USE_TIME]	      = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_SA_USE_TIME, ""),
	[ESPTUN_A_SA_EXPIRE_HARD]     = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_SA_EXPIRE_HARD,
							      " (EXPIRE events)"),
	[ESPTUN_A_SA_EXPIRE_LIMIT]    = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_SA_EXPIRE_LIMIT,
							      " (EXPIRE events)"),
	[ESPTUN_A_SA_PROTO]	      = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_SA_PROTO,
							      " (ACQUIRE events)"),
};

static const struct nla_policy esptun_device_policy[ESPTUN_A_DEVICE_MAX + 1] = {
	[ESPTUN_A_DEVICE_PAD]	  = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_DEVICE_PAD, ""),
	[ESPTUN_A_DEVICE_IFINDEX] = ESPTUN_NLA_CHECKED(device),
	[ESPTUN_A_DEVICE_IFNAME]  = ESPTUN_NLA_CHECKED(device),
	[ESPTUN_A_DEVICE_MTU]	  = ESPTUN_NLA_CHECKED(device),
	[ESPTUN_A_DEVICE_STATS]	  = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_DEVICE_STATS, ""),
	[ESPTUN_A_DEVICE_DROPS]	  = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_DEVICE_DROPS, ""),
	[ESPTUN_A_DEVICE_LISTEN_PORT] = ESPTUN_NLA_CHECKED(device),
	[ESPTUN_A_DEVICE_TTL]	  = ESPTUN_NLA_CHECKED(device),
	[ESPTUN_A_DEVICE_DF]	  = ESPTUN_NLA_CHECKED(device),
	[ESPTUN_A_DEVICE_DSCP]	  = ESPTUN_NLA_CHECKED(device),
	[ESPTUN_A_DEVICE_SA]	  = NLA_POLICY_NESTED(esptun_nl_sa_policy),
	[ESPTUN_A_DEVICE_SA_COUNT] = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_DEVICE_SA_COUNT, ""),
	[ESPTUN_A_DEVICE_MTU_AUTO] = ESPTUN_NLA_CHECKED(device),
	[ESPTUN_A_DEVICE_EFFECTIVE_MTU] =
		ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_DEVICE_EFFECTIVE_MTU, ""),
	[ESPTUN_A_DEVICE_PATH_MTU] =
		ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_DEVICE_PATH_MTU, ""),
	[ESPTUN_A_DEVICE_PATH_MTU_SOURCE] =
		ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_DEVICE_PATH_MTU_SOURCE, ""),
	[ESPTUN_A_DEVICE_PATH_MTU_SPI] =
		ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_DEVICE_PATH_MTU_SPI, ""),
	[ESPTUN_A_DEVICE_MSS_CLAMP] = ESPTUN_NLA_CHECKED(device),
};

static struct genl_family esptun_nl_family;

/* Finds the interface a request names; holds a reference on success. */
static struct esptun_device *esptun_nl_lookup(struct net *net,
					      struct nlattr **attrs,
					      struct netlink_ext_ack *extack)
{
	struct nlattr *ifindex = attrs[ESPTUN_A_DEVICE_IFINDEX];
	struct nlattr *ifname = attrs[ESPTUN_A_DEVICE_IFNAME];
	struct net_device *dev;

	if (!ifindex && !ifname) {
		NL_SET_ERR_MSG(extack,
			       "missing ESPTUN_A_DEVICE_IFINDEX or ESPTUN_A_DEVICE_IFNAME: name the esptun interface");
		NL_SET_ERR_ATTR_MISS(extack, NULL, ESPTUN_A_DEVICE_IFINDEX);
		return ERR_PTR(-EINVAL);
	}
	if (ifindex && ifname) {
		NL_SET_ERR_MSG_ATTR(extack, ifname,
				    "give ESPTUN_A_DEVICE_IFINDEX or ESPTUN_A_DEVICE_IFNAME, not both");
		return ERR_PTR(-EINVAL);
	}

	if (ifindex)
		dev = dev_get_by_index(net, nla_get_u32(ifindex));
	else
		dev = dev_get_by_name(net, nla_data(ifname));
	if (!dev) {
		if (ifindex)
			NL_SET_ERR_MSG_ATTR(extack, ifindex,
					    "ESPTUN_A_DEVICE_IFINDEX: no interface with this index in this network namespace");
		else
			NL_SET_ERR_MSG_ATTR(extack, ifname,
					    "ESPTUN_A_DEVICE_IFNAME: no interface with this name in this network namespace");
		return ERR_PTR(-ENODEV);
	}
	if (!esptun_device_is_esptun(dev)) {
		dev_put(dev);
		if (ifindex)
			NL_SET_ERR_MSG_ATTR(extack, ifindex,
					    "ESPTUN_A_DEVICE_IFINDEX: this interface is not an esptun interface");
		else
			NL_SET_ERR_MSG_ATTR(extack, ifname,
					    "ESPTUN_A_DEVICE_IFNAME: this interface is not an esptun interface");
		return ERR_PTR(-ENODEV);
	}
	return netdev_priv(dev);
}

#define ESPTUN_NL_STAT(attr, field) \
	{ attr, offsetof(struct rtnl_link_stats64, field) }

/* ESPTUN_A_DEVICE_STATS: the counters `ip -s link` shows. */
static const struct {
	u16 attr;
	u16 offset;
} esptun_nl_stats[] = {
	ESPTUN_NL_STAT(ESPTUN_A_STATS_RX_PACKETS, rx_packets),
	ESPTUN_NL_STAT(ESPTUN_A_STATS_RX_BYTES, rx_bytes),
	ESPTUN_NL_STAT(ESPTUN_A_STATS_RX_ERRORS, rx_errors),
	ESPTUN_NL_STAT(ESPTUN_A_STATS_RX_DROPPED, rx_dropped),
	ESPTUN_NL_STAT(ESPTUN_A_STATS_TX_PACKETS, tx_packets),
	ESPTUN_NL_STAT(ESPTUN_A_STATS_TX_BYTES, tx_bytes),
	ESPTUN_NL_STAT(ESPTUN_A_STATS_TX_ERRORS, tx_errors),
	ESPTUN_NL_STAT(ESPTUN_A_STATS_TX_DROPPED, tx_dropped),
};

static int esptun_nl_put_stats(struct sk_buff *skb, struct net_device *dev)
{
	struct rtnl_link_stats64 s;
	struct nlattr *nest;
	int i;

	dev_get_stats(dev, &s);
	nest = nla_nest_start(skb, ESPTUN_A_DEVICE_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(esptun_nl_stats); i++) {
		u64 val = *(u64 *)((u8 *)&s + esptun_nl_stats[i].offset);

		if (nla_put_u64_64bit(skb, esptun_nl_stats[i].attr, val,
				      ESPTUN_A_STATS_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int esptun_nl_put_drops(struct sk_buff *skb, struct esptun_device *edev)
{
	u64 drops[__ESPTUN_A_DROP_MAX];
	struct nlattr *nest;
	int reason;

	esptun_device_read_drops(edev, drops);
	nest = nla_nest_start(skb, ESPTUN_A_DEVICE_DROPS);
	if (!nest)
		return -EMSGSIZE;
	/* Every reason, zero or not: "no drops of this kind" is an answer. */
	for (reason = ESPTUN_A_DROP_PAD + 1; reason <= ESPTUN_A_DROP_MAX;
	     reason++) {
		if (nla_put_u64_64bit(skb, reason, drops[reason],
				      ESPTUN_A_DROP_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * The outbound SA with the smallest budget for its outer path MTU now, and
 * that path MTU; nothing without outbound SAs (or routes).  RTNL.
 */
static int esptun_nl_put_path_mtu(struct sk_buff *skb,
				  struct esptun_device *edev)
{
	unsigned int path, budget, best_path = 0, best = UINT_MAX;
	struct esptun_sa *sa, *best_sa = NULL;
	u8 src, best_src = 0;

	list_for_each_entry(sa, &edev->sa_out, dev_node) {
		if (!esptun_pmtu_sa_path(sa, &path, &src, NULL))
			continue;
		budget = esptun_pmtu_budget(sa, path);
		if (budget < best) {
			best = budget;
			best_sa = sa;
			best_path = path;
			best_src = src;
		}
	}
	if (!best_sa)
		return 0;
	if (nla_put_u32(skb, ESPTUN_A_DEVICE_EFFECTIVE_MTU,
			min(best, edev->dev->mtu)) ||
	    nla_put_u32(skb, ESPTUN_A_DEVICE_PATH_MTU, best_path) ||
	    nla_put_u8(skb, ESPTUN_A_DEVICE_PATH_MTU_SOURCE, best_src) ||
	    nla_put_u32(skb, ESPTUN_A_DEVICE_PATH_MTU_SPI, best_sa->spi))
		return -EMSGSIZE;
	return 0;
}

static int esptun_nl_fill_device(struct sk_buff *skb,
				 struct esptun_device *edev, u32 portid,
				 u32 seq, int flags, struct netlink_callback *cb)
{
	struct net_device *dev = edev->dev;
	void *hdr;

	ASSERT_RTNL();
	hdr = genlmsg_put(skb, portid, seq, &esptun_nl_family, flags,
			  ESPTUN_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	if (nla_put_u32(skb, ESPTUN_A_DEVICE_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, ESPTUN_A_DEVICE_IFNAME, dev->name) ||
	    nla_put_u32(skb, ESPTUN_A_DEVICE_MTU, READ_ONCE(dev->mtu)) ||
	    nla_put_u16(skb, ESPTUN_A_DEVICE_LISTEN_PORT, edev->listen_port) ||
	    nla_put_u8(skb, ESPTUN_A_DEVICE_TTL, edev->ttl) ||
	    nla_put_u8(skb, ESPTUN_A_DEVICE_DF, edev->df) ||
	    nla_put_u8(skb, ESPTUN_A_DEVICE_DSCP, edev->dscp) ||
	    nla_put_u32(skb, ESPTUN_A_DEVICE_SA_COUNT, edev->sa_count) ||
	    nla_put_u8(skb, ESPTUN_A_DEVICE_MTU_AUTO, edev->mtu_auto) ||
	    nla_put_u32(skb, ESPTUN_A_DEVICE_MSS_CLAMP, edev->mss_clamp) ||
	    esptun_nl_put_path_mtu(skb, edev) ||
	    esptun_nl_put_stats(skb, dev) ||
	    esptun_nl_put_drops(skb, edev)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int esptun_nl_get_device_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct esptun_device *edev;
	struct sk_buff *msg;
	int err;

	edev = esptun_nl_lookup(genl_info_net(info), info->attrs,
				info->extack);
	if (IS_ERR(edev))
		return PTR_ERR(edev);

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out_put;
	}

	rtnl_lock();
	err = esptun_nl_fill_device(msg, edev, info->snd_portid,
				    info->snd_seq, 0, NULL);
	rtnl_unlock();
	if (err) {
		nlmsg_free(msg);
		goto out_put;
	}
	err = genlmsg_reply(msg, info);
out_put:
	esptun_device_put(edev);
	return err;
}

/* cb->args[0]: how many esptun interfaces earlier parts of the dump sent. */
static int esptun_nl_get_device_dumpit(struct sk_buff *skb,
				       struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	long idx = 0, start = cb->args[0];
	struct net_device *dev;
	int err = 0;

	rtnl_lock();
	cb->seq = net->dev_base_seq;
	for_each_netdev(net, dev) {
		if (!esptun_device_is_esptun(dev))
			continue;
		if (idx >= start) {
			err = esptun_nl_fill_device(skb, netdev_priv(dev),
						    NETLINK_CB(cb->skb).portid,
						    cb->nlh->nlmsg_seq,
						    NLM_F_MULTI, cb);
			if (err)
				break;
		}
		idx++;
	}
	rtnl_unlock();
	cb->args[0] = idx;

	/* Nothing fitted in an empty message: report it, do not loop. */
	if (err && !skb->len)
		return err;
	return skb->len;
}

/* --- DEV_SET ------------------------------------------------------------ */

/* A user-chosen MTU: automatic no more.  RTNL. */
static int esptun_nl_set_mtu(struct esptun_device *edev, struct nlattr *nla,
			     struct netlink_ext_ack *extack)
{
	struct net_device *dev = edev->dev;
	u32 mtu = nla_get_u32(nla);
	int err;

	if (mtu < dev->min_mtu || mtu > dev->max_mtu) {
		esptun_nl_err(extack, nla,
			      "ESPTUN_A_DEVICE_MTU: %u is outside this interface's range, %u to %u",
			      mtu, dev->min_mtu, dev->max_mtu);
		return -ERANGE;
	}
	err = dev_set_mtu(dev, mtu);
	if (err) {
		esptun_nl_err(extack, nla,
			      "ESPTUN_A_DEVICE_MTU: the kernel refused MTU %u (error %d)",
			      mtu, err);
		return err;
	}
	edev->mtu_auto = false;
	return 0;
}

static int esptun_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct esptun_device *edev;
	unsigned int old_mtu;
	bool old_auto;
	int err = 0;

	if (attrs[ESPTUN_A_DEVICE_SA]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[ESPTUN_A_DEVICE_SA],
				    "ESPTUN_A_DEVICE_SA does not belong in DEV_SET: use SA_NEW");
		return -EINVAL;
	}
	if (attrs[ESPTUN_A_DEVICE_DSCP] &&
	    nla_get_u8(attrs[ESPTUN_A_DEVICE_DSCP]) > 63 &&
	    nla_get_u8(attrs[ESPTUN_A_DEVICE_DSCP]) != ESPTUN_DSCP_COPY) {
		esptun_nl_err(info->extack, attrs[ESPTUN_A_DEVICE_DSCP],
			      "ESPTUN_A_DEVICE_DSCP: %u is not a DSCP (0 to 63, or 255 to copy the inner one)",
			      nla_get_u8(attrs[ESPTUN_A_DEVICE_DSCP]));
		return -ERANGE;
	}

	if (attrs[ESPTUN_A_DEVICE_MSS_CLAMP] &&
	    nla_get_u32(attrs[ESPTUN_A_DEVICE_MSS_CLAMP]) > ESPTUN_MSS_CLAMP_AUTO &&
	    nla_get_u32(attrs[ESPTUN_A_DEVICE_MSS_CLAMP]) < ESPTUN_MSS_CLAMP_MIN) {
		esptun_nl_err(info->extack, attrs[ESPTUN_A_DEVICE_MSS_CLAMP],
			      "ESPTUN_A_DEVICE_MSS_CLAMP: %u is not 0 (off), 1 (auto) or an MSS of 88 to 65495",
			      nla_get_u32(attrs[ESPTUN_A_DEVICE_MSS_CLAMP]));
		return -ERANGE;
	}
	if (attrs[ESPTUN_A_DEVICE_MTU] && attrs[ESPTUN_A_DEVICE_MTU_AUTO] &&
	    nla_get_u8(attrs[ESPTUN_A_DEVICE_MTU_AUTO])) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    attrs[ESPTUN_A_DEVICE_MTU_AUTO],
				    "ESPTUN_A_DEVICE_MTU_AUTO: 1 contradicts ESPTUN_A_DEVICE_MTU; send one of them");
		return -EINVAL;
	}

	edev = esptun_nl_lookup(genl_info_net(info), attrs, info->extack);
	if (IS_ERR(edev))
		return PTR_ERR(edev);

	rtnl_lock();
	if (edev->dev->reg_state != NETREG_REGISTERED) {
		NL_SET_ERR_MSG(info->extack, "the interface is being deleted");
		err = -ENODEV;
		goto out;
	}
	old_mtu = edev->dev->mtu;
	old_auto = edev->mtu_auto;
	/* The steps that can fail go first, undone if a later one fails. */
	if (attrs[ESPTUN_A_DEVICE_MTU]) {
		err = esptun_nl_set_mtu(edev, attrs[ESPTUN_A_DEVICE_MTU],
					info->extack);
		if (err)
			goto out;
	}
	if (attrs[ESPTUN_A_DEVICE_LISTEN_PORT]) {
		err = esptun_encap_set_port(edev,
					    nla_get_u16(attrs[ESPTUN_A_DEVICE_LISTEN_PORT]),
					    info->extack);
		if (err) {
			if (attrs[ESPTUN_A_DEVICE_MTU]) {
				edev->mtu_refreshing = true;
				dev_set_mtu(edev->dev, old_mtu);
				edev->mtu_refreshing = false;
				edev->mtu_auto = old_auto;
			}
			goto out;
		}
	}
	if (attrs[ESPTUN_A_DEVICE_MTU_AUTO]) {
		if (nla_get_u8(attrs[ESPTUN_A_DEVICE_MTU_AUTO]))
			esptun_pmtu_set_auto(edev);
		else
			edev->mtu_auto = false;
	}
	if (attrs[ESPTUN_A_DEVICE_MSS_CLAMP])
		WRITE_ONCE(edev->mss_clamp,
			   nla_get_u32(attrs[ESPTUN_A_DEVICE_MSS_CLAMP]));
	if (attrs[ESPTUN_A_DEVICE_TTL])
		WRITE_ONCE(edev->ttl, nla_get_u8(attrs[ESPTUN_A_DEVICE_TTL]));
	if (attrs[ESPTUN_A_DEVICE_DF])
		WRITE_ONCE(edev->df, nla_get_u8(attrs[ESPTUN_A_DEVICE_DF]));
	if (attrs[ESPTUN_A_DEVICE_DSCP])
		WRITE_ONCE(edev->dscp, nla_get_u8(attrs[ESPTUN_A_DEVICE_DSCP]));
out:
	rtnl_unlock();
	esptun_device_put(edev);
	return err;
}

/* --- SAs ---------------------------------------------------------------- */

static u32 esptun_nl_sa_gen;

static int esptun_nl_put_addr(struct sk_buff *skb, int type, u8 family,
			      const union esptun_addr *addr)
{
	if (family == AF_INET)
		return nla_put_in_addr(skb, type, addr->ip4);
	return nla_put_in6_addr(skb, type, &addr->ip6);
}

static int esptun_nl_put_sa_stats(struct sk_buff *skb, struct esptun_sa *sa)
{
	u64 v[6];
	struct nlattr *nest;
	int i;

	esptun_sa_read_stats(sa, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]);
	nest = nla_nest_start(skb, ESPTUN_A_SA_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(v); i++)
		if (nla_put_u64_64bit(skb, ESPTUN_A_SA_STATS_PACKETS + i, v[i],
				      ESPTUN_A_SA_STATS_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int esptun_nl_put_limits(struct sk_buff *skb, struct esptun_sa *sa)
{
	const struct esptun_sa_limits *l = &sa->limits;
	const u64 v[] = {
		l->time_soft, l->time_hard, l->byte_soft, l->byte_hard,
		l->packet_soft, l->packet_hard,
	};
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, ESPTUN_A_SA_LIMITS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(v); i++)
		if (v[i] && nla_put_u64_64bit(skb, ESPTUN_A_LIMIT_TIME_SOFT + i,
					      v[i], ESPTUN_A_LIMIT_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* The SA as a nest; never its keys. */
static int esptun_nl_put_sa(struct sk_buff *skb, struct esptun_sa *sa)
{
	unsigned long used = READ_ONCE(sa->use_jiffies);
	struct nlattr *nest;

	nest = nla_nest_start(skb, ESPTUN_A_DEVICE_SA);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, ESPTUN_A_SA_DIR, sa->dir) ||
	    nla_put_u32(skb, ESPTUN_A_SA_SPI, sa->spi) ||
	    esptun_nl_put_addr(skb, ESPTUN_A_SA_SRC, sa->family, &sa->saddr) ||
	    esptun_nl_put_addr(skb, ESPTUN_A_SA_DST, sa->family, &sa->daddr) ||
	    (sa->encap &&
	     (nla_put_u16(skb, ESPTUN_A_SA_ENCAP_SPORT, ntohs(sa->sport)) ||
	      nla_put_u16(skb, ESPTUN_A_SA_ENCAP_DPORT, ntohs(sa->dport)))))
		goto nla_put_failure;
	if (esptun_crypto_is_aead(sa)) {
		if (nla_put_string(skb, ESPTUN_A_SA_AEAD_NAME,
				   esptun_crypto_enc_name(sa)) ||
		    nla_put_u32(skb, ESPTUN_A_SA_AEAD_ICV_BITS, sa->icvlen * 8))
			goto nla_put_failure;
	} else {
		if (nla_put_string(skb, ESPTUN_A_SA_ENC_NAME,
				   esptun_crypto_enc_name(sa)) ||
		    nla_put_string(skb, ESPTUN_A_SA_AUTH_NAME,
				   esptun_crypto_auth_name(sa)) ||
		    nla_put_u32(skb, ESPTUN_A_SA_AUTH_TRUNC_BITS,
				sa->icvlen * 8))
			goto nla_put_failure;
	}
	if ((sa->dir == ESPTUN_SA_DIR_IN &&
	     nla_put_u32(skb, ESPTUN_A_SA_REPLAY_WINDOW, sa->replay.window)) ||
	    nla_put_u32(skb, ESPTUN_A_SA_FLAGS, sa->esn ? ESPTUN_SA_F_ESN : 0))
		goto nla_put_failure;
	if (sa->sel_src.family &&
	    (esptun_nl_put_addr(skb, ESPTUN_A_SA_SEL_SRC, sa->sel_src.family,
				&sa->sel_src.addr) ||
	     nla_put_u8(skb, ESPTUN_A_SA_SEL_SRC_PLEN, sa->sel_src.plen)))
		goto nla_put_failure;
	if (sa->sel_dst.family &&
	    (esptun_nl_put_addr(skb, ESPTUN_A_SA_SEL_DST, sa->sel_dst.family,
				&sa->sel_dst.addr) ||
	     nla_put_u8(skb, ESPTUN_A_SA_SEL_DST_PLEN, sa->sel_dst.plen)))
		goto nla_put_failure;
	if (esptun_nl_put_limits(skb, sa) ||
	    nla_put_u64_64bit(skb, ESPTUN_A_SA_SEQ, esptun_sa_seq(sa),
			      ESPTUN_A_SA_PAD) ||
	    esptun_nl_put_sa_stats(skb, sa) ||
	    nla_put_u64_64bit(skb, ESPTUN_A_SA_ADD_TIME,
			      ktime_get_boottime_seconds() - sa->add_time,
			      ESPTUN_A_SA_PAD) ||
	    (used && nla_put_u64_64bit(skb, ESPTUN_A_SA_USE_TIME,
				       (jiffies - used) / HZ,
				       ESPTUN_A_SA_PAD)))
		goto nla_put_failure;
	nla_nest_end(skb, nest);
	return 0;

nla_put_failure:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int esptun_nl_fill_sa(struct sk_buff *skb, struct esptun_sa *sa,
			     u8 cmd, u32 portid, u32 seq, int flags,
			     struct netlink_callback *cb)
{
	struct net_device *dev = sa->edev->dev;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &esptun_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, ESPTUN_A_DEVICE_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, ESPTUN_A_DEVICE_IFNAME, dev->name) ||
	    esptun_nl_put_sa(skb, sa)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Parses ESPTUN_A_DEVICE_SA of a request; it must be there. */
static int esptun_nl_parse_sa(struct genl_info *info, struct nlattr **tb)
{
	struct nlattr *nest = info->attrs[ESPTUN_A_DEVICE_SA];

	if (!nest) {
		NL_SET_ERR_MSG(info->extack,
			       "missing ESPTUN_A_DEVICE_SA: describe the SA in a nest of ESPTUN_A_SA_* attributes");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, ESPTUN_A_DEVICE_SA);
		return -EINVAL;
	}
	return nla_parse_nested(tb, ESPTUN_A_SA_MAX, nest, esptun_nl_sa_policy,
				info->extack);
}

/* DIR and SPI name an existing SA. */
static int esptun_nl_sa_id(struct genl_info *info, struct nlattr **tb,
			   u8 *dir, u32 *spi)
{
	if (!tb[ESPTUN_A_SA_DIR] || !tb[ESPTUN_A_SA_SPI]) {
		NL_SET_ERR_MSG(info->extack,
			       "name the SA with ESPTUN_A_SA_DIR and ESPTUN_A_SA_SPI");
		NL_SET_ERR_ATTR_MISS(info->extack, info->attrs[ESPTUN_A_DEVICE_SA],
				     tb[ESPTUN_A_SA_DIR] ? ESPTUN_A_SA_SPI :
							   ESPTUN_A_SA_DIR);
		return -EINVAL;
	}
	*dir = nla_get_u8(tb[ESPTUN_A_SA_DIR]);
	*spi = nla_get_u32(tb[ESPTUN_A_SA_SPI]);
	return 0;
}

/*
 * The device and SA id of SA_DEL and SA_GET.  Returns the device with a
 * reference, or an ERR_PTR with the extack set.
 */
static struct esptun_device *esptun_nl_sa_target(struct genl_info *info,
						 u8 *dir, u32 *spi)
{
	struct nlattr *tb[ESPTUN_A_SA_MAX + 1];
	int err;

	err = esptun_nl_parse_sa(info, tb);
	if (!err)
		err = esptun_nl_sa_id(info, tb, dir, spi);
	if (err)
		return ERR_PTR(err);
	return esptun_nl_lookup(genl_info_net(info), info->attrs,
				info->extack);
}

static struct esptun_sa *esptun_nl_find_sa(struct genl_info *info,
					   struct esptun_device *edev,
					   u8 dir, u32 spi)
{
	struct esptun_sa *sa = esptun_sa_find(edev, dir, spi);

	if (!sa)
		esptun_nl_err(info->extack, NULL,
			      "ESPTUN_A_SA_SPI: %s has no %s SA with SPI 0x%08x",
			      edev->dev->name,
			      dir == ESPTUN_SA_DIR_IN ? "inbound" : "outbound",
			      spi);
	return sa;
}

/* Keys are secrets: wipe them from the request once used. */
static void esptun_nl_wipe_keys(struct nlattr **tb)
{
	static const int keys[] = {
		ESPTUN_A_SA_AEAD_KEY, ESPTUN_A_SA_ENC_KEY, ESPTUN_A_SA_AUTH_KEY,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (tb[keys[i]])
			memzero_explicit(nla_data(tb[keys[i]]),
					 nla_len(tb[keys[i]]));
}

static int esptun_nl_sa_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[ESPTUN_A_SA_MAX + 1];
	struct esptun_device *edev;
	struct esptun_sa *sa;
	int err;

	err = esptun_nl_parse_sa(info, tb);
	if (err)
		return err;
	edev = esptun_nl_lookup(genl_info_net(info), info->attrs,
				info->extack);
	if (IS_ERR(edev)) {
		err = PTR_ERR(edev);
		goto out_wipe;
	}

	/* Transforms may load modules: build the SA before taking RTNL. */
	sa = esptun_sa_create(edev, tb, info->extack);
	if (IS_ERR(sa)) {
		err = PTR_ERR(sa);
		goto out_put;
	}

	rtnl_lock();
	if (edev->dev->reg_state != NETREG_REGISTERED) {
		NL_SET_ERR_MSG(info->extack, "the interface is being deleted");
		err = -ENODEV;
	} else {
		err = esptun_sa_insert(sa, info->extack);
	}
	if (!err)
		esptun_nl_sa_gen++;
	rtnl_unlock();
	if (err)
		esptun_sa_put(sa);
out_put:
	esptun_device_put(edev);
out_wipe:
	esptun_nl_wipe_keys(tb);
	return err;
}

static int esptun_nl_sa_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct esptun_device *edev;
	struct esptun_sa *sa;
	u32 spi;
	u8 dir;

	edev = esptun_nl_sa_target(info, &dir, &spi);
	if (IS_ERR(edev))
		return PTR_ERR(edev);

	rtnl_lock();
	sa = esptun_nl_find_sa(info, edev, dir, spi);
	if (sa) {
		esptun_sa_unlink(sa);
		esptun_nl_sa_gen++;
		/* The smallest budget may have gone with it. */
		if (dir == ESPTUN_SA_DIR_OUT)
			esptun_pmtu_refresh(edev);
	}
	rtnl_unlock();
	esptun_device_put(edev);
	return sa ? 0 : -ENOENT;
}

static int esptun_nl_sa_flush_doit(struct sk_buff *skb,
				   struct genl_info *info)
{
	struct esptun_device *edev;

	edev = esptun_nl_lookup(genl_info_net(info), info->attrs,
				info->extack);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	rtnl_lock();
	esptun_sa_flush(edev);
	esptun_nl_sa_gen++;
	/* Forget the flushed SAs' budgets; the MTU stays until the next SA. */
	esptun_pmtu_refresh(edev);
	rtnl_unlock();
	esptun_device_put(edev);
	return 0;
}

static int esptun_nl_sa_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct esptun_device *edev;
	struct esptun_sa *sa;
	struct sk_buff *msg;
	u32 spi;
	u8 dir;
	int err;

	edev = esptun_nl_sa_target(info, &dir, &spi);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		esptun_device_put(edev);
		return -ENOMEM;
	}

	rtnl_lock();
	sa = esptun_nl_find_sa(info, edev, dir, spi);
	err = sa ? esptun_nl_fill_sa(msg, sa, ESPTUN_CMD_SA_GET,
				     info->snd_portid, info->snd_seq, 0, NULL) :
		   -ENOENT;
	rtnl_unlock();
	esptun_device_put(edev);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * cb->args[0]: ifindex being dumped; [1]: SAs of it already sent;
 * [2]: the ifindex the request asked for (0: all), resolved once.
 */
static int esptun_nl_sa_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct net *net = sock_net(skb->sk);
	struct esptun_device *edev;
	struct net_device *dev;
	struct esptun_sa *sa;
	struct list_head *lists[2];
	long idx;
	int err = 0, i;

	if (!cb->args[2] && (info->attrs[ESPTUN_A_DEVICE_IFINDEX] ||
			     info->attrs[ESPTUN_A_DEVICE_IFNAME])) {
		edev = esptun_nl_lookup(net, info->attrs, cb->extack);
		if (IS_ERR(edev))
			return PTR_ERR(edev);
		cb->args[2] = edev->dev->ifindex;
		esptun_device_put(edev);
	}

	rtnl_lock();
	cb->seq = esptun_nl_sa_gen;
	for_each_netdev(net, dev) {
		if (!esptun_device_is_esptun(dev) ||
		    dev->ifindex < cb->args[0] ||
		    (cb->args[2] && dev->ifindex != cb->args[2]))
			continue;
		if (dev->ifindex != cb->args[0]) {
			cb->args[0] = dev->ifindex;
			cb->args[1] = 0;
		}
		edev = netdev_priv(dev);
		lists[0] = &edev->sa_out;
		lists[1] = &edev->sa_in;
		idx = 0;
		for (i = 0; i < 2 && !err; i++) {
			list_for_each_entry(sa, lists[i], dev_node) {
				if (idx++ < cb->args[1])
					continue;
				err = esptun_nl_fill_sa(skb, sa,
							ESPTUN_CMD_SA_GET,
							NETLINK_CB(cb->skb).portid,
							cb->nlh->nlmsg_seq,
							NLM_F_MULTI, cb);
				if (err)
					break;
				cb->args[1] = idx;
			}
		}
		if (err)
			break;
		/* Done with this interface: the next one starts at 0. */
		cb->args[0] = dev->ifindex + 1;
		cb->args[1] = 0;
	}
	rtnl_unlock();

	if (err && !skb->len)
		return err;
	return skb->len;
}

/* --- events ---------------------------------------------------------------- */

static bool esptun_nl_has_listeners(struct net *net)
{
	return genl_has_listeners(&esptun_nl_family, net, 0);
}

/*
 * Every event: the interface, then the SA nest that the caller fills.
 * Returns the open nest, or NULL when msg is too small.
 */
static struct nlattr *esptun_nl_event_begin(struct sk_buff *msg, u8 cmd,
					    struct esptun_device *edev,
					    void **hdr)
{
	*hdr = genlmsg_put(msg, 0, 0, &esptun_nl_family, 0, cmd);
	if (!*hdr ||
	    nla_put_u32(msg, ESPTUN_A_DEVICE_IFINDEX, edev->dev->ifindex) ||
	    nla_put_string(msg, ESPTUN_A_DEVICE_IFNAME, edev->dev->name))
		return NULL;
	return nla_nest_start(msg, ESPTUN_A_DEVICE_SA);
}

static void esptun_nl_event_send(struct net *net, struct sk_buff *msg,
				 void *hdr, struct nlattr *nest, gfp_t gfp)
{
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&esptun_nl_family, net, msg, 0, 0, gfp);
}

/* From the expire work, under RTNL. */
void esptun_nl_notify_expire(struct esptun_sa *sa, bool hard, u8 limit)
{
	struct net *net = dev_net(sa->edev->dev);
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;

	if (!esptun_nl_has_listeners(net))
		return;
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return;
	nest = esptun_nl_event_begin(msg, ESPTUN_CMD_EXPIRE, sa->edev, &hdr);
	if (!nest ||
	    nla_put_u8(msg, ESPTUN_A_SA_DIR, sa->dir) ||
	    nla_put_u32(msg, ESPTUN_A_SA_SPI, sa->spi) ||
	    esptun_nl_put_addr(msg, ESPTUN_A_SA_SRC, sa->family, &sa->saddr) ||
	    esptun_nl_put_addr(msg, ESPTUN_A_SA_DST, sa->family, &sa->daddr) ||
	    nla_put_u8(msg, ESPTUN_A_SA_EXPIRE_HARD, hard) ||
	    nla_put_u16(msg, ESPTUN_A_SA_EXPIRE_LIMIT, limit))
		goto err;
	esptun_nl_event_send(net, msg, hdr, nest, GFP_KERNEL);
	return;
err:
	nlmsg_free(msg);
}

/*
 * From the transmit path (atomic).  At most one event per destination
 * hash bucket per second: a daemon needs one to start negotiating, not
 * one per packet.
 */
void esptun_nl_notify_acquire(struct esptun_device *edev, struct sk_buff *skb)
{
	struct net *net = dev_net(edev->dev);
	union esptun_addr src, dst;
	unsigned long *last, now = jiffies;
	struct sk_buff *msg;
	struct nlattr *nest;
	u8 family, proto;
	void *hdr;

	if (!esptun_nl_has_listeners(net))
		return;
	if (skb->protocol == htons(ETH_P_IP)) {
		family = AF_INET;
		src.ip4 = ip_hdr(skb)->saddr;
		dst.ip4 = ip_hdr(skb)->daddr;
		proto = ip_hdr(skb)->protocol;
		last = &edev->acquire_last[hash_32((__force u32)dst.ip4, 6)];
	} else {
		__be16 frag_off;

		family = AF_INET6;
		src.ip6 = ipv6_hdr(skb)->saddr;
		dst.ip6 = ipv6_hdr(skb)->daddr;
		/* The upper-layer protocol, past any extension headers. */
		proto = ipv6_hdr(skb)->nexthdr;
		ipv6_skip_exthdr(skb, skb_network_offset(skb) +
				 sizeof(struct ipv6hdr), &proto, &frag_off);
		last = &edev->acquire_last[hash_32(ipv6_addr_hash(&dst.ip6),
						   6)];
	}
	if (READ_ONCE(*last) && time_before(now, READ_ONCE(*last) + HZ))
		return;
	WRITE_ONCE(*last, now ?: 1);

	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		return;
	nest = esptun_nl_event_begin(msg, ESPTUN_CMD_ACQUIRE, edev, &hdr);
	if (!nest ||
	    nla_put_u8(msg, ESPTUN_A_SA_DIR, ESPTUN_SA_DIR_OUT) ||
	    esptun_nl_put_addr(msg, ESPTUN_A_SA_SEL_SRC, family, &src) ||
	    esptun_nl_put_addr(msg, ESPTUN_A_SA_SEL_DST, family, &dst) ||
	    nla_put_u8(msg, ESPTUN_A_SA_PROTO, proto))
		goto err;
	esptun_nl_event_send(net, msg, hdr, nest, GFP_ATOMIC);
	return;
err:
	nlmsg_free(msg);
}

static const struct genl_ops esptun_nl_ops[] = {
	{
		/* Read-only, like `ip link show`: no capability needed. */
		.cmd	= ESPTUN_CMD_DEV_GET,
		.doit	= esptun_nl_get_device_doit,
		.dumpit	= esptun_nl_get_device_dumpit,
	},
	{
		.cmd	= ESPTUN_CMD_DEV_SET,
		.doit	= esptun_nl_dev_set_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= ESPTUN_CMD_SA_NEW,
		.doit	= esptun_nl_sa_new_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= ESPTUN_CMD_SA_DEL,
		.doit	= esptun_nl_sa_del_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		/*
		 * Never carries keys, but SPIs, peers and sequence numbers
		 * are what an attacker forging packets would want: admins
		 * only, as for `ip xfrm state list`.
		 */
		.cmd	= ESPTUN_CMD_SA_GET,
		.doit	= esptun_nl_sa_get_doit,
		.dumpit	= esptun_nl_sa_get_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= ESPTUN_CMD_SA_FLUSH,
		.doit	= esptun_nl_sa_flush_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group esptun_nl_mcgrps[] = {
	/* Events describe traffic and peers: admins only. */
	{ .name = ESPTUN_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family esptun_nl_family __ro_after_init = {
	.name		= ESPTUN_GENL_NAME,
	.version	= ESPTUN_GENL_VERSION,
	.maxattr	= ESPTUN_A_DEVICE_MAX,
	.policy		= esptun_device_policy,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= esptun_nl_ops,
	.n_ops		= ARRAY_SIZE(esptun_nl_ops),
	.mcgrps		= esptun_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(esptun_nl_mcgrps),
};

int __init esptun_genl_init(void)
{
	return genl_register_family(&esptun_nl_family);
}

void esptun_genl_uninit(void)
{
	genl_unregister_family(&esptun_nl_family);
	esptun_nl_free_msgs();
}
