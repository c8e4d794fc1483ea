/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esptun interface: the net_device, its rtnl link kind and its counters.
 */
#ifndef _ESPTUN_DEVICE_H
#define _ESPTUN_DEVICE_H

#include <linux/netdevice.h>
#include <linux/u64_stats_sync.h>
#include <net/gro_cells.h>

#include "uapi/linux/esptun.h"

/* The MTU before any outbound SA: the worst case, see device.c. */
#define ESPTUN_DEFAULT_MTU	1390

struct esptun_pcpu_drops {
	u64_stats_t reason[__ESPTUN_A_DROP_MAX];
	struct u64_stats_sync syncp;
};

struct esptun_device {
	struct net_device *dev;
	/*
	 * The namespace the interface was created in.  Outer (ESP) packets
	 * live there even after the interface moves to another namespace, as
	 * with wireguard.  Not refcounted: esptun_device_net_exit_rtnl()
	 * deletes the interface before that namespace goes away.
	 */
	struct net *creating_net;
	struct esptun_pcpu_drops __percpu *drops;
	/* on esptun_device_list, under RTNL */
	struct list_head device_list;

	/* SAs (sa.c): RCU lists, changed under RTNL */
	struct list_head sa_in;
	struct list_head sa_out;
	u32 sa_count;

	/* Outer header settings, written under RTNL, read locklessly. */
	u8 ttl;
	u8 df;				/* enum esptun_df */
	u8 dscp;			/* 0..63 or ESPTUN_DSCP_COPY */
	u32 mss_clamp;			/* ESPTUN_MSS_CLAMP_* or an MSS */

	/* MTU (pmtu.c), under RTNL. */
	bool mtu_auto;			/* the MTU follows the SAs */
	bool mtu_refreshing;		/* pmtu.c is setting it */
	unsigned int auto_mtu;		/* smallest SA budget; 0: no SA */

	/* The module-owned ESP-in-UDP socket (encap.c), under RTNL. */
	struct socket *encap_sock;
	u16 listen_port;

	struct gro_cells gro_cells;

	/* ACQUIRE rate limit: jiffies of the last event per hash bucket. */
	unsigned long acquire_last[64];
};

extern struct rtnl_link_ops esptun_link_ops;

int esptun_device_init(void);
void esptun_device_uninit(void);

void esptun_device_put(struct esptun_device *edev);
bool esptun_device_is_esptun(const struct net_device *dev);

void esptun_device_count_drop(struct esptun_device *edev,
			      enum esptun_drop_attr reason, bool tx);
void esptun_device_count_rx(struct esptun_device *edev, unsigned int len);
void esptun_device_count_tx(struct esptun_device *edev, unsigned int len);
void esptun_device_read_drops(struct esptun_device *edev,
			      u64 totals[__ESPTUN_A_DROP_MAX]);

#endif /* _ESPTUN_DEVICE_H */
