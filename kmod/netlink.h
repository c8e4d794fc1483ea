/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "esptun" generic netlink family.
 */
#ifndef _ESPTUN_NETLINK_H
#define _ESPTUN_NETLINK_H

#include <net/netlink.h>

struct esptun_device;
struct esptun_sa;
struct sk_buff;

extern const struct nla_policy esptun_nl_limit_policy[];

int esptun_genl_init(void);
void esptun_genl_uninit(void);

__printf(3, 4)
void esptun_nl_err(struct netlink_ext_ack *extack, const struct nlattr *attr,
		   const char *fmt, ...);

void esptun_nl_notify_acquire(struct esptun_device *edev,
			      struct sk_buff *skb);
void esptun_nl_notify_expire(struct esptun_sa *sa, bool hard, u8 limit);

#endif /* _ESPTUN_NETLINK_H */
