// SPDX-License-Identifier: GPL-2.0
/*
 * esptun: route-based ESP (RFC 4303) tunnel interfaces.
 *
 * Module entry.  Init order: the SA work queue (sa.c), the ESP receive
 * hooks (encap.c), the "esptun" link kind (device.c), the "esptun" generic
 * netlink family (netlink.c).  Unload goes in reverse: no request can
 * arrive while interfaces go; deleting the interfaces unlinks every SA and
 * waits (netdev refcounts) until the last packet in flight let go of them;
 * then the receive hooks go, and the work queue is drained.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

#include "device.h"
#include "encap.h"
#include "netlink.h"
#include "sa.h"
#include "version.h"

static int __init esptun_mod_init(void)
{
	int err;

	err = esptun_sa_init();
	if (err)
		return err;
	err = esptun_encap_init();
	if (err)
		goto err_sa;
	err = esptun_device_init();
	if (err)
		goto err_encap;
	err = esptun_genl_init();
	if (err)
		goto err_device;

	pr_info("esptun " ESPTUN_VERSION " loaded\n");
	return 0;

err_device:
	esptun_device_uninit();
err_encap:
	esptun_encap_uninit();
err_sa:
	esptun_sa_uninit();
	return err;
}

static void __exit esptun_mod_exit(void)
{
	esptun_genl_uninit();
	esptun_device_uninit();
	esptun_encap_uninit();
	esptun_sa_uninit();
}

module_init(esptun_mod_init);
module_exit(esptun_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Route-based ESP tunnel interfaces");
MODULE_VERSION(ESPTUN_VERSION);
MODULE_ALIAS_RTNL_LINK(KBUILD_MODNAME);
MODULE_ALIAS_GENL_FAMILY(ESPTUN_GENL_NAME);
