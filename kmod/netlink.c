// SPDX-License-Identifier: GPL-2.0
/*
 * The "esptun" generic netlink family: configuration and state of esptun
 * interfaces, and the "events" multicast group.
 *
 * Attribute validation: the core's policy checks answer malformed attributes
 * with a generic message ("invalid attribute length").  Users of a tunnel
 * tool deserve the attribute's name and what it should look like, so each
 * request attribute is declared NLA_BINARY with a validate callback that
 * checks its real type and says so; attributes that exist only in replies are
 * NLA_REJECT with a message saying so.
 *
 * Locking: the family runs with parallel_ops; each operation takes what it
 * needs.  GET holds RTNL while it reads an interface, so the name and the
 * namespace it reports are stable.
 */
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "device.h"
#include "netlink.h"

static int esptun_nl_validate_device_attr(const struct nlattr *nla,
					  struct netlink_ext_ack *extack)
{
	const char *data = nla_data(nla);
	int len = nla_len(nla);

	switch (nla_type(nla)) {
	case ESPTUN_A_DEVICE_IFINDEX:
		if (len != sizeof(u32)) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "ESPTUN_A_DEVICE_IFINDEX must be a u32 interface index");
			return -EINVAL;
		}
		if (!nla_get_u32(nla) || nla_get_u32(nla) > INT_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "ESPTUN_A_DEVICE_IFINDEX must be a positive interface index");
			return -EINVAL;
		}
		return 0;
	case ESPTUN_A_DEVICE_IFNAME:
		if (len < 2 || len > IFNAMSIZ || data[len - 1] != '\0' ||
		    strlen(data) != len - 1) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "ESPTUN_A_DEVICE_IFNAME must be a NUL-terminated interface name of 1 to 15 characters");
			return -EINVAL;
		}
		return 0;
	}
	/* Only the attributes above point here. */
	NL_SET_ERR_MSG_ATTR(extack, nla, "unexpected esptun attribute");
	return -EINVAL;
}

#define ESPTUN_NLA_CHECKED \
	NLA_POLICY_VALIDATE_FN(NLA_BINARY, esptun_nl_validate_device_attr)
/* Reply-only attributes: the message is built from the attribute's name. */
#define ESPTUN_NLA_REPLY_ONLY(attr, hint) {				\
	.type = NLA_REJECT,						\
	.reject_message = #attr " only appears in replies" hint,	\
}

static const struct nla_policy esptun_device_policy[ESPTUN_A_DEVICE_MAX + 1] = {
	[ESPTUN_A_DEVICE_PAD]	  = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_DEVICE_PAD, ""),
	[ESPTUN_A_DEVICE_IFINDEX] = ESPTUN_NLA_CHECKED,
	[ESPTUN_A_DEVICE_IFNAME]  = ESPTUN_NLA_CHECKED,
	[ESPTUN_A_DEVICE_MTU]	  = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_DEVICE_MTU,
							  ": set it with `ip link set DEV mtu N`"),
	[ESPTUN_A_DEVICE_STATS]	  = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_DEVICE_STATS, ""),
	[ESPTUN_A_DEVICE_DROPS]	  = ESPTUN_NLA_REPLY_ONLY(ESPTUN_A_DEVICE_DROPS, ""),
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

static const struct genl_ops esptun_nl_ops[] = {
	{
		/* Read-only, like `ip link show`: no capability needed. */
		.cmd	= ESPTUN_CMD_DEV_GET,
		.doit	= esptun_nl_get_device_doit,
		.dumpit	= esptun_nl_get_device_dumpit,
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
}
