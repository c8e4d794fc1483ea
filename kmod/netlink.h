/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ESPTUN_NETLINK_H
#define _ESPTUN_NETLINK_H

int esptun_genl_init(void);
void esptun_genl_uninit(void);

#endif /* _ESPTUN_NETLINK_H */
