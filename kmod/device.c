// SPDX-License-Identifier: GPL-2.0
/*
 * esptun interface: the net_device, the "esptun" rtnl link kind, the
 * per-interface counters, the list of all interfaces, and the netdevice
 * notifier that tells pmtu.c when an outer interface changed MTU.
 *
 * Locking:
 * - esptun_device_list and each esptun_device's device_list are changed and
 *   walked under RTNL only.
 * - The transmit path runs locklessly (NETIF_F_LLTX): it finds its SA
 *   under RCU (sa.c) and touches only per-CPU counters.  The outer header
 *   settings (ttl, df, dscp, mss_clamp) are written under RTNL and read with
 *   READ_ONCE semantics: a packet may see the old or the new value.
 * - SAs hold a reference on the interface; dellink unlinks them all, and
 *   the interface is freed only after the last packet in flight through
 *   asynchronous crypto has released its SA.
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
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "device.h"
#include "encap.h"
#include "esp.h"
#include "netlink.h"
#include "pmtu.h"
#include "sa.h"

/*
 * Until the first outbound SA tells pmtu.c where packets go, pick an MTU
 * that fits the worst case of every supported SA over a 1500-byte underlay:
 * outer IPv6 (40) + UDP for NAT-T (8) + ESP header (8) + CBC IV (16) + HMAC-
 * SHA-512/256 ICV (32) = 104 bytes, leaving 1396 of a 1500-byte underlay;
 * the payload plus the 2-byte ESP trailer is padded to the 16-byte AES
 * block, so at most 1392 - 2 = 1390 bytes of inner packet fit.
 * ESPTUN_WORST_OVERHEAD adds the worst padding (15) and the trailer (2) to
 * those 104 bytes; it bounds the largest MTU an outer packet can carry.
 */
#define ESPTUN_WORST_OVERHEAD	(40 + 8 + 8 + 16 + 32 + 15 + 2)
#define ESPTUN_MAX_MTU		(IP_MAX_MTU - ESPTUN_WORST_OVERHEAD)

/*
 * Offloads the stack may leave to us: checksums and segmentation are done
 * in software before encryption (esp_out.c), once per big packet instead
 * of once per MTU-sized one in the layers above.
 */
#define ESPTUN_FEATURES		(NETIF_F_HW_CSUM | NETIF_F_SG | \
				 NETIF_F_GSO_SOFTWARE | NETIF_F_HIGHDMA)
/* Outer IPv6 + UDP + ESP header + ESN + IV, before the link layer. */
#define ESPTUN_HEADROOM		(LL_MAX_HEADER + 40 + 8 + 8 + 4 + 16)
/* Padding (up to the AES block), trailer, ICV. */
#define ESPTUN_TAILROOM		(15 + 2 + 32)

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

void esptun_device_count_rx(struct esptun_device *edev, unsigned int len)
{
	dev_sw_netstats_rx_add(edev->dev, len);
}

void esptun_device_count_tx(struct esptun_device *edev, unsigned int len)
{
	dev_sw_netstats_tx_add(edev->dev, 1, len);
}

/*
 * No outbound SA covers the packet: drop it, tell the sender (ICMP, rate
 * limited by the ICMP code) and tell a keying daemon (ACQUIRE, rate
 * limited per destination in netlink.c).
 */
static void esptun_xmit_no_sa(struct esptun_device *edev, struct sk_buff *skb)
{
	esptun_device_count_drop(edev, ESPTUN_A_DROP_TX_NO_SA, true);
	if (skb->protocol == htons(ETH_P_IP))
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	else
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH,
				0);
	esptun_nl_notify_acquire(edev, skb);
	kfree_skb(skb);
}

static netdev_tx_t esptun_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct esptun_device *edev = netdev_priv(dev);
	struct esptun_esp_route rt;
	struct esptun_sa *sa;
	unsigned int mtu;
	int reason;
	bool ok;

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		ok = pskb_network_may_pull(skb, sizeof(struct iphdr)) &&
		     ip_hdr(skb)->version == 4;
		break;
	case htons(ETH_P_IPV6):
		ok = pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) &&
		     ipv6_hdr(skb)->version == 6;
		break;
	default:
		ok = false;
		break;
	}
	if (!ok) {
		esptun_device_count_drop(edev, ESPTUN_A_DROP_TX_BAD_PROTO, true);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}

	/* ndo_start_xmit runs under rcu_read_lock_bh(). */
	sa = esptun_sa_lookup_out(edev, skb);
	if (!sa) {
		esptun_xmit_no_sa(edev, skb);
		return NETDEV_TX_OK;
	}

	/* Once per packet from the stack, however many segments follow. */
	reason = esptun_esp_route(sa, skb, &rt);
	if (reason) {
		esptun_device_count_drop(edev, reason, true);
		esptun_sa_count_drop(sa, ESPTUN_SA_STAT_ERRORS);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}
	mtu = esptun_pmtu_effective(sa, &rt);
	esptun_mss_clamp(edev, skb, mtu);
	esptun_pmtu_xmit(sa, skb, &rt, mtu);
	dst_release(rt.dst);
	return NETDEV_TX_OK;
}

static int esptun_dev_init(struct net_device *dev)
{
	struct esptun_device *edev = netdev_priv(dev);

	int err;

	edev->drops = netdev_alloc_pcpu_stats(struct esptun_pcpu_drops);
	if (!edev->drops)
		return -ENOMEM;
	err = gro_cells_init(&edev->gro_cells, dev);
	if (err) {
		free_percpu(edev->drops);
		edev->drops = NULL;
		return err;
	}
	return 0;
}

static void esptun_dev_uninit(struct net_device *dev)
{
	struct esptun_device *edev = netdev_priv(dev);

	esptun_encap_dev_uninit(edev);
	gro_cells_destroy(&edev->gro_cells);
}

static int esptun_change_mtu(struct net_device *dev, int new_mtu)
{
	struct esptun_device *edev = netdev_priv(dev);

	/* Anyone but pmtu.c is a user who chose this MTU: keep it. */
	if (!edev->mtu_refreshing)
		edev->mtu_auto = false;
	WRITE_ONCE(dev->mtu, new_mtu);
	return 0;
}

static const struct net_device_ops esptun_netdev_ops = {
	.ndo_init		= esptun_dev_init,
	.ndo_uninit		= esptun_dev_uninit,
	.ndo_start_xmit		= esptun_xmit,
	.ndo_change_mtu		= esptun_change_mtu,
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
	dev->needed_headroom = ESPTUN_HEADROOM;
	dev->needed_tailroom = ESPTUN_TAILROOM;
	dev->features |= NETIF_F_LLTX | ESPTUN_FEATURES;
	dev->hw_features |= ESPTUN_FEATURES;
	dev->hw_enc_features |= ESPTUN_FEATURES;
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
	INIT_LIST_HEAD(&edev->sa_in);
	INIT_LIST_HEAD(&edev->sa_out);
	edev->ttl = 64;
	edev->df = ESPTUN_DF_COPY;
	edev->dscp = ESPTUN_DSCP_COPY;
	edev->mss_clamp = ESPTUN_MSS_CLAMP_AUTO;
	/* rtnl_create_link() already applied an MTU given at creation. */
	edev->mtu_auto = !tb[IFLA_MTU];

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
	esptun_sa_flush(edev);
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

/*
 * An interface of some namespace changed MTU or came up: the outer routes
 * of the esptun interfaces created there may have changed MTU with it.
 * esptun interfaces themselves are skipped, so a refresh that changes one
 * does not recurse.
 */
static int esptun_device_netdev_event(struct notifier_block *nb,
				      unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct esptun_device *edev;

	if ((event != NETDEV_CHANGEMTU && event != NETDEV_UP) ||
	    esptun_device_is_esptun(dev))
		return NOTIFY_DONE;
	ASSERT_RTNL();
	list_for_each_entry(edev, &esptun_device_list, device_list)
		if (net_eq(edev->creating_net, dev_net(dev)))
			esptun_pmtu_refresh(edev);
	return NOTIFY_DONE;
}

static struct notifier_block esptun_device_notifier = {
	.notifier_call = esptun_device_netdev_event,
};

int esptun_device_init(void)
{
	int err;

	err = register_pernet_device(&esptun_device_net_ops);
	if (err)
		return err;

	err = rtnl_link_register(&esptun_link_ops);
	if (err)
		goto err_pernet;
	err = register_netdevice_notifier(&esptun_device_notifier);
	if (err)
		goto err_link;
	return 0;

err_link:
	rtnl_link_unregister(&esptun_link_ops);
err_pernet:
	unregister_pernet_device(&esptun_device_net_ops);
	return err;
}

void esptun_device_uninit(void)
{
	unregister_netdevice_notifier(&esptun_device_notifier);
	/* Deletes every remaining esptun interface, in every namespace. */
	rtnl_link_unregister(&esptun_link_ops);
	unregister_pernet_device(&esptun_device_net_ops);
}
