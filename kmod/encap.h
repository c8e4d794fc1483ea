/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where ESP comes in: the IP protocol handlers and ESP-in-UDP sockets.
 */
#ifndef _ESPTUN_ENCAP_H
#define _ESPTUN_ENCAP_H

#include <linux/types.h>

struct esptun_device;
struct netlink_ext_ack;

int esptun_encap_init(void);
void esptun_encap_uninit(void);
void esptun_encap_dev_uninit(struct esptun_device *edev);
int esptun_encap_set_port(struct esptun_device *edev, u16 port,
			  struct netlink_ext_ack *extack);

#endif /* _ESPTUN_ENCAP_H */
