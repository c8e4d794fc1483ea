/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Path MTU: the interface MTU, the per-packet budget of an SA, what happens
 * to packets over it, and ICMP errors about outer packets (pmtu.c).  TCP
 * MSS clamping (mss.c).
 */
#ifndef _ESPTUN_PMTU_H
#define _ESPTUN_PMTU_H

#include <linux/skbuff.h>
#include <linux/types.h>

struct esptun_device;
struct esptun_esp_route;
struct esptun_sa;
struct sock;

unsigned int esptun_pmtu_budget(const struct esptun_sa *sa,
				unsigned int path_mtu);
unsigned int esptun_pmtu_effective(struct esptun_sa *sa,
				   const struct esptun_esp_route *rt);
void esptun_pmtu_xmit(struct esptun_sa *sa, struct sk_buff *skb,
		      const struct esptun_esp_route *rt, unsigned int mtu);

bool esptun_pmtu_sa_path(struct esptun_sa *sa, unsigned int *path_mtu,
			 u8 *source, unsigned int *base_mtu);
void esptun_pmtu_sa_added(struct esptun_sa *sa);
void esptun_pmtu_refresh(struct esptun_device *edev);
void esptun_pmtu_set_auto(struct esptun_device *edev);

int esptun_pmtu_err4(struct sk_buff *skb, u32 info);
int esptun_pmtu_err6(struct sk_buff *skb, u8 type, int offset, __be32 info);
int esptun_pmtu_udp_err_lookup(struct sock *sk, struct sk_buff *skb);

void esptun_mss_clamp(struct esptun_device *edev, struct sk_buff *skb,
		      unsigned int mtu);
void esptun_mss_clamp_rx(struct esptun_device *edev, struct sk_buff *skb);

#endif /* _ESPTUN_PMTU_H */
