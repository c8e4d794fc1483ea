// SPDX-License-Identifier: GPL-2.0
/*
 * esptun interface: the net_device, the "esptun" rtnl link kind, the
 * per-interface counters and the list of all interfaces.
 *
 * Locking:
 * - esptun_device_list and each esptun_device's device_list are changed and
 *   walked under RTNL only.
 * - The transmit path runs locklessly (NETIF_F_LLTX) and touches only
 *   per-CPU counters.
 * - Lifetime: struct esptun_device is the net_device's private area; it is
 *   freed by free_netdev() once the last dev_hold() reference is gone, so a
 *   holder of a reference (netlink readers) may read the counters at any
 *   time.  The per-CPU drop counters are freed in the priv_destructor, which
 *   runs at that point too.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/module.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "device.h"

/*
 * Until the interface has learnt its path MTU, pick one that fits the worst
 * case of every supported SA, so nothing is fragmented on the outside:
 * outer IPv6 (40) + UDP for NAT-T (8) + ESP header (8) + CBC IV (16) + HMAC-
 * SHA-512/256 ICV (32) = 104 bytes, leaving 1396 of a 1500-byte underlay;
 * the payload plus the 2-byte ESP trailer is padded to the 16-byte AES
 * block, so at most 1392 - 2 = 1390 bytes of inner packet fit.
 * ESPTUN_WORST_OVERHEAD adds the worst padding (15) and the trailer (2) to
 * those 104 bytes; it bounds the largest MTU an outer packet can carry.
 */
#define ESPTUN_WORST_OVERHEAD	(40 + 8 + 8 + 16 + 32 + 15 + 2)
#define ESPTUN_DEFAULT_MTU	1390
#define ESPTUN_MAX_MTU		(IP_MAX_MTU - ESPTUN_WORST_OVERHEAD)

static LIST_HEAD(esptun_device_list);

bool esptun_device_is_esptun(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &esptun_link_ops;
}

void esptun_device_put(struct esptun_device *edev)
{
	dev_put(edev->dev);
}

void esptun_device_count_drop(struct esptun_device *edev,
			      enum esptun_drop_attr reason, bool tx)
{
	struct esptun_pcpu_drops *drops = get_cpu_ptr(edev->drops);

	u64_stats_update_begin(&drops->syncp);
	u64_stats_inc(&drops->reason[reason]);
	u64_stats_update_end(&drops->syncp);
	put_cpu_ptr(edev->drops);

	if (tx)
		dev_core_stats_tx_dropped_inc(edev->dev);
	else
		dev_core_stats_rx_dropped_inc(edev->dev);
}

void esptun_device_read_drops(struct esptun_device *edev,
			      u64 totals[__ESPTUN_A_DROP_MAX])
{
	int cpu, i;

	memset(totals, 0, sizeof(u64) * __ESPTUN_A_DROP_MAX);
	for_each_possible_cpu(cpu) {
		const struct esptun_pcpu_drops *drops =
			per_cpu_ptr(edev->drops, cpu);
		u64 snap[__ESPTUN_A_DROP_MAX];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&drops->syncp);
			for (i = 0; i < __ESPTUN_A_DROP_MAX; i++)
				snap[i] = u64_stats_read(&drops->reason[i]);
		} while (u64_stats_fetch_retry(&drops->syncp, start));

		for (i = 0; i < __ESPTUN_A_DROP_MAX; i++)
			totals[i] += snap[i];
	}
}

static netdev_tx_t esptun_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct esptun_device *edev = netdev_priv(dev);
	enum esptun_drop_attr reason;

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		reason = pskb_network_may_pull(skb, sizeof(struct iphdr)) ?
			 ESPTUN_A_DROP_TX_NO_SA : ESPTUN_A_DROP_TX_BAD_PROTO;
		break;
	case htons(ETH_P_IPV6):
		reason = pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) ?
			 ESPTUN_A_DROP_TX_NO_SA : ESPTUN_A_DROP_TX_BAD_PROTO;
		break;
	default:
		reason = ESPTUN_A_DROP_TX_BAD_PROTO;
		break;
	}

	/*
	 * No outbound SA can cover the packet: the interface has no security
	 * association database yet.  Count the drop under its reason so that
	 * "why does nothing come out" has an answer in `esptun show`.
	 */
	esptun_device_count_drop(edev, reason, true);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static int esptun_dev_init(struct net_device *dev)
{
	struct esptun_device *edev = netdev_priv(dev);

	edev->drops = netdev_alloc_pcpu_stats(struct esptun_pcpu_drops);
	if (!edev->drops)
		return -ENOMEM;
	return 0;
}

static const struct net_device_ops esptun_netdev_ops = {
	.ndo_init		= esptun_dev_init,
	.ndo_start_xmit		= esptun_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
};

static void esptun_destruct(struct net_device *dev)
{
	struct esptun_device *edev = netdev_priv(dev);

	free_percpu(edev->drops);
	edev->drops = NULL;
}

static void esptun_setup(struct net_device *dev)
{
	dev->netdev_ops = &esptun_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = ESPTUN_DEFAULT_MTU;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ESPTUN_MAX_MTU;
	dev->features |= NETIF_F_LLTX;
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
	dev->needs_free_netdev = true;
	dev->priv_destructor = esptun_destruct;
	netif_keep_dst(dev);
}

static int esptun_validate(struct nlattr *tb[], struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
				    "esptun interfaces have no link-layer address: drop \"address\"");
		return -EINVAL;
	}
	if (tb[IFLA_BROADCAST]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_BROADCAST],
				    "esptun interfaces have no link-layer broadcast address: drop \"broadcast\"");
		return -EINVAL;
	}
	return 0;
}

static int esptun_newlink(struct net *src_net, struct net_device *dev,
			  struct nlattr *tb[], struct nlattr *data[],
			  struct netlink_ext_ack *extack)
{
	struct esptun_device *edev = netdev_priv(dev);
	int err;

	ASSERT_RTNL();
	edev->dev = dev;
	edev->creating_net = src_net;

	err = register_netdevice(dev);
	if (err)
		return err;

	list_add(&edev->device_list, &esptun_device_list);
	return 0;
}

static void esptun_dellink(struct net_device *dev, struct list_head *head)
{
	struct esptun_device *edev = netdev_priv(dev);

	ASSERT_RTNL();
	list_del(&edev->device_list);
	unregister_netdevice_queue(dev, head);
}

struct rtnl_link_ops esptun_link_ops __read_mostly = {
	.kind		= KBUILD_MODNAME,
	.priv_size	= sizeof(struct esptun_device),
	.setup		= esptun_setup,
	.validate	= esptun_validate,
	.newlink	= esptun_newlink,
	.dellink	= esptun_dellink,
};

/*
 * A namespace that dies takes with it the interfaces created in it, wherever
 * they live now: their outer packets have nowhere left to go.  Interfaces
 * that merely live in the dying namespace are deleted by the core
 * (default_device_exit_batch() calls our dellink).
 */
static void esptun_device_net_exit_rtnl(struct list_head *net_list,
					struct list_head *dev_kill_list)
{
	struct esptun_device *edev, *tmp;
	struct net *net;

	ASSERT_RTNL();
	list_for_each_entry(net, net_list, exit_list) {
		list_for_each_entry_safe(edev, tmp, &esptun_device_list,
					 device_list) {
			if (edev->creating_net != net)
				continue;
			esptun_dellink(edev->dev, dev_kill_list);
		}
	}
}

static struct pernet_operations esptun_device_net_ops = {
	.exit_batch_rtnl = esptun_device_net_exit_rtnl,
};

int esptun_device_init(void)
{
	int err;

	err = register_pernet_device(&esptun_device_net_ops);
	if (err)
		return err;

	err = rtnl_link_register(&esptun_link_ops);
	if (err) {
		unregister_pernet_device(&esptun_device_net_ops);
		return err;
	}
	return 0;
}

void esptun_device_uninit(void)
{
	/* Deletes every remaining esptun interface, in every namespace. */
	rtnl_link_unregister(&esptun_link_ops);
	unregister_pernet_device(&esptun_device_net_ops);
}
