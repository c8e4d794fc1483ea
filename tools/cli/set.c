// SPDX-License-Identifier: GPL-2.0
/*
 * esptun set DEV ...: the settings of an interface (ESPTUN_CMD_DEV_SET).
 */
#include <stdio.h>

#include <linux/esptun.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "cli.h"
#include "nl.h"
#include "parse.h"

static int set_run(const struct cli_opts *opts, int argc, char **argv)
{
	struct nlreq_error e;
	struct parse_err perr;
	struct esptun_nl nl;
	struct set_args a;
	struct nl_msg *msg;
	int err;

	(void)opts;
	if (parse_set(argc, argv, &a, &perr))
		return cli_usage_err(&cli_cmd_set, "%s", perr.msg);
	if (esptun_nl_open_cli(&nl))
		return 1;
	msg = esptun_nl_new(&nl, ESPTUN_CMD_DEV_SET, 0);
	if (!msg || nla_put_string(msg, ESPTUN_A_DEVICE_IFNAME, a.dev) ||
	    (a.has_listen_port &&
	     nla_put_u16(msg, ESPTUN_A_DEVICE_LISTEN_PORT, a.listen_port)) ||
	    (a.has_ttl && nla_put_u8(msg, ESPTUN_A_DEVICE_TTL, a.ttl)) ||
	    (a.has_df && nla_put_u8(msg, ESPTUN_A_DEVICE_DF, a.df)) ||
	    (a.has_dscp && nla_put_u8(msg, ESPTUN_A_DEVICE_DSCP, a.dscp)) ||
	    (a.has_mtu && a.mtu_auto &&
	     nla_put_u8(msg, ESPTUN_A_DEVICE_MTU_AUTO, 1)) ||
	    (a.has_mtu && !a.mtu_auto &&
	     nla_put_u32(msg, ESPTUN_A_DEVICE_MTU, a.mtu)) ||
	    (a.has_mss_clamp &&
	     nla_put_u32(msg, ESPTUN_A_DEVICE_MSS_CLAMP, a.mss_clamp))) {
		nlreq_msg_free(msg);
		esptun_nl_close(&nl);
		cli_err("set: out of memory");
		return 1;
	}
	err = esptun_nl_request(&nl, msg, NULL, NULL, &e);
	esptun_nl_close(&nl);
	if (err) {
		esptun_nl_report("set", a.dev, err, &e);
		return 1;
	}
	return 0;
}

const struct cli_cmd cli_cmd_set = {
	.name = "set",
	.summary = "change the settings of an interface",
	.usage =
	"Usage: esptun set DEV [listen-port PORT] [ttl N] [df {copy|set|clear}]\n"
	"                      [dscp {copy|N}] [mtu {auto|N}]\n"
	"                      [mss-clamp {auto|off|N}]\n"
	"\n"
	"Change the settings of the esptun interface DEV (at least one):\n"
	"  listen-port PORT  open a UDP socket of the module's own on PORT that\n"
	"                    receives ESP in UDP (RFC 3948) for DEV's SAs with\n"
	"                    encap; 0 closes it (default: none)\n"
	"  ttl N             TTL or hop limit of outer headers, 1 to 255\n"
	"                    (default 64)\n"
	"  df copy|set|clear the DF bit of outer IPv4 headers: copied from the\n"
	"                    inner IPv4 header (set for inner IPv6), always set,\n"
	"                    or always clear (default copy)\n"
	"  dscp copy|N       DSCP of outer headers: copied from the inner packet,\n"
	"                    or N, 0 to 63 (default copy)\n"
	"  mtu auto|N        the interface MTU: auto (the default) fits the\n"
	"                    outbound SAs into the MTU of the outer route to each\n"
	"                    peer, at least 1280; N, 68 to 65535, fixes it, as\n"
	"                    `ip link set DEV mtu N` does, until `mtu auto`\n"
	"  mss-clamp auto|off|N\n"
	"                    lower the MSS of TCP SYNs crossing the tunnel to fit\n"
	"                    the effective MTU (auto, the default), to N (88 to\n"
	"                    65495), or leave it (off)\n"
	"\n"
	"`esptun show DEV` prints the current settings and the effective MTU.\n",
	.run = set_run,
};
