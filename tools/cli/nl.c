// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/esptun.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "cli.h"
#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static const char *const esptun_attr_names[] = {
	[ESPTUN_A_DEVICE_IFINDEX]     = "ESPTUN_A_DEVICE_IFINDEX",
	[ESPTUN_A_DEVICE_IFNAME]      = "ESPTUN_A_DEVICE_IFNAME",
	[ESPTUN_A_DEVICE_MTU]	      = "ESPTUN_A_DEVICE_MTU",
	[ESPTUN_A_DEVICE_STATS]	      = "ESPTUN_A_DEVICE_STATS",
	[ESPTUN_A_DEVICE_DROPS]	      = "ESPTUN_A_DEVICE_DROPS",
	[ESPTUN_A_DEVICE_LISTEN_PORT] = "ESPTUN_A_DEVICE_LISTEN_PORT",
	[ESPTUN_A_DEVICE_TTL]	      = "ESPTUN_A_DEVICE_TTL",
	[ESPTUN_A_DEVICE_DF]	      = "ESPTUN_A_DEVICE_DF",
	[ESPTUN_A_DEVICE_DSCP]	      = "ESPTUN_A_DEVICE_DSCP",
	[ESPTUN_A_DEVICE_SA]	      = "ESPTUN_A_DEVICE_SA",
	[ESPTUN_A_DEVICE_SA_COUNT]    = "ESPTUN_A_DEVICE_SA_COUNT",
	[ESPTUN_A_DEVICE_MTU_AUTO]    = "ESPTUN_A_DEVICE_MTU_AUTO",
	[ESPTUN_A_DEVICE_EFFECTIVE_MTU] = "ESPTUN_A_DEVICE_EFFECTIVE_MTU",
	[ESPTUN_A_DEVICE_PATH_MTU]    = "ESPTUN_A_DEVICE_PATH_MTU",
	[ESPTUN_A_DEVICE_PATH_MTU_SOURCE] = "ESPTUN_A_DEVICE_PATH_MTU_SOURCE",
	[ESPTUN_A_DEVICE_PATH_MTU_SPI] = "ESPTUN_A_DEVICE_PATH_MTU_SPI",
	[ESPTUN_A_DEVICE_MSS_CLAMP]   = "ESPTUN_A_DEVICE_MSS_CLAMP",
};

_Static_assert(sizeof(esptun_attr_names) / sizeof(esptun_attr_names[0]) ==
	       ESPTUN_A_DEVICE_MAX + 1, "a device attribute has no name");

const char *esptun_nl_attr_name(int type)
{
	if (type > 0 && (size_t)type < sizeof(esptun_attr_names) /
	    sizeof(esptun_attr_names[0]) && esptun_attr_names[type])
		return esptun_attr_names[type];
	return "unknown attribute";
}

int esptun_nl_open_cli(struct esptun_nl *nl)
{
	int err = esptun_nl_open(nl);

	if (err == -ENOENT)
		cli_err("the esptun kernel module is not available: install it (`make install`) or load it (`insmod kmod/esptun.ko`)");
	else if (err)
		cli_err("cannot open a generic netlink socket: %s",
			strerror(-err));
	return err;
}

void esptun_nl_report(const char *what, const char *dev, int err,
		      const struct nlreq_error *e)
{
	if (e->msg[0])
		cli_err("%s: %s", what, e->msg);
	else if (dev && err == -ENODEV)
		cli_err("%s: %s: no such esptun interface in this network namespace",
			what, dev);
	else if (err == -EPERM)
		cli_err("%s: %s (CAP_NET_ADMIN is needed)", what,
			strerror(-err));
	else if (e->miss_type)
		cli_err("%s: %s: the kernel wants %s", what, strerror(-err),
			esptun_nl_attr_name(e->miss_type));
	else
		cli_err("%s: %s", what, strerror(-err));
}

int esptun_nl_open(struct esptun_nl *nl)
{
	int one = 1, err;

	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	err = genl_connect(nl->sk);
	if (err < 0) {
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return -EIO;
	}
	/* Ask for the kernel's error text, and do not echo our request. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));

	/* Resolving the family by name autoloads esptun.ko if installed. */
	nl->family = genl_ctrl_resolve(nl->sk, ESPTUN_GENL_NAME);
	if (nl->family < 0) {
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return -ENOENT;
	}
	return 0;
}

void esptun_nl_close(struct esptun_nl *nl)
{
	nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *esptun_nl_new(struct esptun_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, ESPTUN_GENL_VERSION)) {
		nlreq_msg_free(msg);
		return NULL;
	}
	return msg;
}

int esptun_nl_request(struct esptun_nl *nl, struct nl_msg *msg,
		      esptun_nl_reply_fn fn, void *arg,
		      struct nlreq_error *e)
{
	return nlreq_run(nl->sk, msg, fn, arg, e);
}

/* SAs and interfaces coming and going interrupt a dump: read it again. */
#define ESPTUN_NL_GET_ATTEMPTS 10

int esptun_nl_get(const char *what, uint8_t cmd, bool dump, const char *dev,
		  esptun_nl_reply_fn fn, void (*restart)(void *arg),
		  void *arg, struct nlreq_error *e)
{
	struct esptun_nl nl;
	struct nl_msg *msg;
	int attempt, err = 0;

	for (attempt = 0; attempt < ESPTUN_NL_GET_ATTEMPTS; attempt++) {
		if (esptun_nl_open_cli(&nl))
			return 1;
		msg = esptun_nl_new(&nl, cmd, dump ? NLM_F_DUMP : 0);
		if (!msg ||
		    (dev && nla_put_string(msg, ESPTUN_A_DEVICE_IFNAME, dev))) {
			nlreq_msg_free(msg);
			esptun_nl_close(&nl);
			cli_err("%s: out of memory", what);
			return 1;
		}
		restart(arg);
		err = esptun_nl_request(&nl, msg, fn, arg, e);
		esptun_nl_close(&nl);
		if (err != -EAGAIN)
			break;
	}
	return err;
}
