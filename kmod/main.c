// SPDX-License-Identifier: GPL-2.0
/*
 * esptun: route-based ESP (RFC 4303) tunnel interfaces.
 *
 * Module entry: registers the "esptun" link kind (device.c) and the "esptun"
 * generic netlink family (netlink.c).  The family goes first on unload so no
 * request can arrive while interfaces are being torn down.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

#include "device.h"
#include "netlink.h"
#include "version.h"

static int __init esptun_mod_init(void)
{
	int err;

	err = esptun_device_init();
	if (err)
		return err;

	err = esptun_genl_init();
	if (err) {
		esptun_device_uninit();
		return err;
	}

	pr_info("esptun " ESPTUN_VERSION " loaded\n");
	return 0;
}

static void __exit esptun_mod_exit(void)
{
	esptun_genl_uninit();
	esptun_device_uninit();
}

module_init(esptun_mod_init);
module_exit(esptun_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Route-based ESP tunnel interfaces");
MODULE_VERSION(ESPTUN_VERSION);
MODULE_ALIAS_RTNL_LINK(KBUILD_MODNAME);
MODULE_ALIAS_GENL_FAMILY(ESPTUN_GENL_NAME);
