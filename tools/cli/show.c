// SPDX-License-Identifier: GPL-2.0
/*
 * esptun show [DEV]: interfaces, their counters and drop reasons.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/esptun.h>
#include <netlink/genl/genl.h>

#include "../lib/json.h"
#include "cli.h"
#include "dev_info.h"
#include "nl.h"

struct show_state {
	struct dev_info *devs;
	size_t n, cap;
	int bad_reply;
};

static int on_device(struct nl_msg *msg, void *arg)
{
	struct show_state *st = arg;

	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 8;
		struct dev_info *p = realloc(st->devs, cap * sizeof(*p));

		if (!p) {
			st->bad_reply = ENOMEM;
			return NL_STOP;
		}
		st->devs = p;
		st->cap = cap;
	}
	if (dev_info_parse(nlmsg_hdr(msg), &st->devs[st->n])) {
		st->bad_reply = 1;
		return NL_SKIP;
	}
	st->n++;
	return NL_OK;
}

/* An interrupted dump is read again: forget what it gave. */
static void show_restart(void *arg)
{
	struct show_state *st = arg;

	st->n = 0;
	st->bad_reply = 0;
}

static int show_run(const struct cli_opts *opts, int argc, char **argv)
{
	struct show_state st = { 0 };
	struct nlreq_error e;
	const char *dev = NULL;
	int err, ret = 0;
	size_t i;

	if (argc > 1)
		return cli_usage_err(&cli_cmd_show,
				     "too many arguments: \"%s\"", argv[1]);
	if (argc == 1) {
		dev = argv[0];
		if (!*dev || strlen(dev) >= IF_NAMESIZE)
			return cli_usage_err(&cli_cmd_show,
					     "\"%s\" is not a valid interface name (1 to %d characters)",
					     dev, IF_NAMESIZE - 1);
	}

	err = esptun_nl_get("show", ESPTUN_CMD_DEV_GET, !dev, dev, on_device,
			    show_restart, &st, &e);
	if (err > 0) {
		ret = 1;
		goto out;
	}

	if (err) {
		if (dev && err == -ENODEV && if_nametoindex(dev))
			cli_err("%s is not an esptun interface", dev);
		else if (dev && err == -ENODEV)
			cli_err("%s: no such interface in this network namespace",
				dev);
		else
			cli_err("show: %s%s%s", strerror(-err),
				e.msg[0] ? ": " : "", e.msg);
		ret = 1;
		goto out;
	}
	if (st.bad_reply) {
		cli_err("show: the kernel sent a reply this tool cannot read (module and tools from different versions?)");
		ret = 1;
		goto out;
	}

	if (opts->json) {
		struct json j;

		json_init(&j, stdout, opts->pretty);
		json_begin_array(&j);
		for (i = 0; i < st.n; i++)
			dev_print_json(&j, &st.devs[i]);
		json_end_array(&j);
		json_finish(&j);
	} else {
		for (i = 0; i < st.n; i++)
			dev_print_text(stdout, &st.devs[i]);
	}
	if (fflush(stdout) || ferror(stdout)) {
		cli_err("show: writing the output failed");
		ret = 1;
	}
out:
	free(st.devs);
	return ret;
}

const struct cli_cmd cli_cmd_show = {
	.name = "show",
	.summary = "show esptun interfaces, their counters and drop reasons",
	.usage =
	"Usage: esptun show [DEV] [-j [-p]]\n"
	"\n"
	"Show every esptun interface of this network namespace, or only DEV:\n"
	"its index, MTU (auto or fixed), settings (listen-port, ttl, df, dscp,\n"
	"mss-clamp; see `esptun set --help`), number of SAs (sa-count), the\n"
	"effective MTU, the counters `ip -s link` shows, and how many packets\n"
	"were dropped for each reason.\n"
	"\n"
	"The effective MTU is the largest inner packet that is sent without\n"
	"fragmenting it or the ESP packet: the MTU, or less if the outbound SA\n"
	"with the least room needs it.  That SA's SPI and its outer path MTU\n"
	"are shown with where the path MTU comes from: link (the MTU of the\n"
	"outer device), route (an mtu on the outer route) or icmp (learned\n"
	"from an ICMP error; it expires).\n"
	"\n"
	"The text lists the drop reasons with a non-zero count, JSON (object\n"
	"\"drops\") all of them:\n"
	"  tx-no-sa         routed into the interface, but no outbound SA covers it\n"
	"  tx-bad-proto     not IPv4 or IPv6, or shorter than its network header\n"
	"  tx-no-route      no route to the SA's outer destination\n"
	"  tx-loop          the outer route leads back into the interface itself\n"
	"  tx-expired       the SA hit a hard limit (sequence numbers, bytes, packets)\n"
	"  tx-nomem         out of memory, or GSO segmentation failed\n"
	"  tx-crypto        the crypto API refused or failed the request\n"
	"  tx-too-big       larger than the effective MTU (IPv4 with DF, IPv6 over\n"
	"                   1280 bytes): the sender got an ICMP error instead\n"
	"  rx-no-sa         ESP for this interface's addresses with an SPI it does\n"
	"                   not own\n"
	"  rx-short-header  shorter than the ESP header and IV\n"
	"  rx-bad-length    payload shorter than trailer and ICV, or not block aligned\n"
	"  rx-bad-outer     outer destination not the SA's, or UDP encapsulation\n"
	"                   where the SA has none (or the reverse)\n"
	"  rx-replay        replayed, or older than the replay window\n"
	"  rx-icv           integrity check (ICV) failed\n"
	"  rx-bad-padding   padding bytes or pad length invalid (RFC 4303 2.4)\n"
	"  rx-dummy         next header 59: a dummy packet (RFC 4303 2.6), dropped\n"
	"                   by design\n"
	"  rx-bad-proto     next header not IPv4/IPv6, or a malformed inner header\n"
	"  rx-selector      inner addresses outside the SA's selectors (RFC 4301 5.2)\n"
	"  rx-ecn           outer CE over a not-ECT inner packet (RFC 6040)\n"
	"  rx-expired       the SA hit a hard limit\n"
	"  rx-nomem         out of memory, or the crypto API failed other than by ICV\n"
	"\n"
	"  -j, --json    print a JSON array, one object per interface\n"
	"  -p, --pretty  indent the JSON\n",
	.run = show_run,
};
