// SPDX-License-Identifier: GPL-2.0
/*
 * esptun show [DEV]: interfaces, their counters and drop reasons.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/esptun.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "../lib/json.h"
#include "cli.h"
#include "nl.h"
#include "parse.h"

struct dev_info {
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	uint32_t mtu;
	bool has_listen_port, has_ttl, has_df, has_dscp, has_sa_count;
	uint16_t listen_port;
	uint8_t ttl, df, dscp;
	uint32_t sa_count;
	uint64_t stats[ESPTUN_A_STATS_MAX + 1];
	bool has_stats;
	uint64_t drops[ESPTUN_A_DROP_MAX + 1];
	bool has_drop[ESPTUN_A_DROP_MAX + 1];
};

struct show_state {
	struct dev_info *devs;
	size_t n, cap;
	int bad_reply;
};

/* enum esptun_drop_attr, lowercased, _ as - */
static const char *const drop_names[] = {
	[ESPTUN_A_DROP_TX_NO_SA]	= "tx-no-sa",
	[ESPTUN_A_DROP_TX_BAD_PROTO]	= "tx-bad-proto",
	[ESPTUN_A_DROP_TX_NO_ROUTE]	= "tx-no-route",
	[ESPTUN_A_DROP_TX_LOOP]		= "tx-loop",
	[ESPTUN_A_DROP_TX_EXPIRED]	= "tx-expired",
	[ESPTUN_A_DROP_TX_NOMEM]	= "tx-nomem",
	[ESPTUN_A_DROP_TX_CRYPTO]	= "tx-crypto",
	[ESPTUN_A_DROP_RX_NO_SA]	= "rx-no-sa",
	[ESPTUN_A_DROP_RX_SHORT_HEADER]	= "rx-short-header",
	[ESPTUN_A_DROP_RX_BAD_LENGTH]	= "rx-bad-length",
	[ESPTUN_A_DROP_RX_BAD_OUTER]	= "rx-bad-outer",
	[ESPTUN_A_DROP_RX_REPLAY]	= "rx-replay",
	[ESPTUN_A_DROP_RX_ICV]		= "rx-icv",
	[ESPTUN_A_DROP_RX_BAD_PADDING]	= "rx-bad-padding",
	[ESPTUN_A_DROP_RX_DUMMY]	= "rx-dummy",
	[ESPTUN_A_DROP_RX_BAD_PROTO]	= "rx-bad-proto",
	[ESPTUN_A_DROP_RX_SELECTOR]	= "rx-selector",
	[ESPTUN_A_DROP_RX_ECN]		= "rx-ecn",
	[ESPTUN_A_DROP_RX_EXPIRED]	= "rx-expired",
	[ESPTUN_A_DROP_RX_NOMEM]	= "rx-nomem",
	[ESPTUN_A_DROP_TX_TOO_BIG]	= "tx-too-big",
};

_Static_assert(sizeof(drop_names) / sizeof(drop_names[0]) ==
	       ESPTUN_A_DROP_MAX + 1, "a drop reason has no name");

/* libnl checks minimum lengths; maxlen makes integers exact. */
static const struct nla_policy device_policy[ESPTUN_A_DEVICE_MAX + 1] = {
	[ESPTUN_A_DEVICE_IFINDEX]     = { .type = NLA_U32, .maxlen = 4 },
	[ESPTUN_A_DEVICE_IFNAME]      = { .type = NLA_STRING, .maxlen = IF_NAMESIZE },
	[ESPTUN_A_DEVICE_MTU]	      = { .type = NLA_U32, .maxlen = 4 },
	[ESPTUN_A_DEVICE_STATS]	      = { .type = NLA_NESTED },
	[ESPTUN_A_DEVICE_DROPS]	      = { .type = NLA_NESTED },
	[ESPTUN_A_DEVICE_LISTEN_PORT] = { .type = NLA_U16, .maxlen = 2 },
	[ESPTUN_A_DEVICE_TTL]	      = { .type = NLA_U8, .maxlen = 1 },
	[ESPTUN_A_DEVICE_DF]	      = { .type = NLA_U8, .maxlen = 1 },
	[ESPTUN_A_DEVICE_DSCP]	      = { .type = NLA_U8, .maxlen = 1 },
	[ESPTUN_A_DEVICE_SA_COUNT]    = { .type = NLA_U32, .maxlen = 4 },
};

/* Copies the u64 attributes of a nest into out[type]; ignores others. */
static void read_u64_nest(struct nlattr *nest, uint64_t *out, bool *seen,
			  int max)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		int type = nla_type(a);

		if (type <= 0 || type > max || nla_len(a) != sizeof(uint64_t))
			continue;
		out[type] = nla_get_u64(a);
		if (seen)
			seen[type] = true;
	}
}

static int on_device(struct nl_msg *msg, void *arg)
{
	struct show_state *st = arg;
	struct nlattr *tb[ESPTUN_A_DEVICE_MAX + 1];
	struct dev_info *d;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ESPTUN_A_DEVICE_MAX,
			  device_policy) < 0 ||
	    !tb[ESPTUN_A_DEVICE_IFINDEX] || !tb[ESPTUN_A_DEVICE_IFNAME]) {
		st->bad_reply = 1;
		return NL_SKIP;
	}
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
	d = &st->devs[st->n++];
	memset(d, 0, sizeof(*d));
	d->ifindex = nla_get_u32(tb[ESPTUN_A_DEVICE_IFINDEX]);
	nla_strlcpy(d->ifname, tb[ESPTUN_A_DEVICE_IFNAME], sizeof(d->ifname));
	if (tb[ESPTUN_A_DEVICE_MTU])
		d->mtu = nla_get_u32(tb[ESPTUN_A_DEVICE_MTU]);
	if (tb[ESPTUN_A_DEVICE_LISTEN_PORT]) {
		d->has_listen_port = true;
		d->listen_port = nla_get_u16(tb[ESPTUN_A_DEVICE_LISTEN_PORT]);
	}
	if (tb[ESPTUN_A_DEVICE_TTL]) {
		d->has_ttl = true;
		d->ttl = nla_get_u8(tb[ESPTUN_A_DEVICE_TTL]);
	}
	if (tb[ESPTUN_A_DEVICE_DF]) {
		d->has_df = true;
		d->df = nla_get_u8(tb[ESPTUN_A_DEVICE_DF]);
	}
	if (tb[ESPTUN_A_DEVICE_DSCP]) {
		d->has_dscp = true;
		d->dscp = nla_get_u8(tb[ESPTUN_A_DEVICE_DSCP]);
	}
	if (tb[ESPTUN_A_DEVICE_SA_COUNT]) {
		d->has_sa_count = true;
		d->sa_count = nla_get_u32(tb[ESPTUN_A_DEVICE_SA_COUNT]);
	}
	if (tb[ESPTUN_A_DEVICE_STATS]) {
		read_u64_nest(tb[ESPTUN_A_DEVICE_STATS], d->stats, NULL,
			      ESPTUN_A_STATS_MAX);
		d->has_stats = true;
	}
	if (tb[ESPTUN_A_DEVICE_DROPS])
		read_u64_nest(tb[ESPTUN_A_DEVICE_DROPS], d->drops, d->has_drop,
			      ESPTUN_A_DROP_MAX);
	return NL_OK;
}

/* "    listen-port 4500 ttl 64 df copy dscp copy sa-count 2" */
static void print_settings(const struct dev_info *d)
{
	bool any = false;

	if (d->has_listen_port) {
		printf("%s listen-port %u", any ? "" : "   ", d->listen_port);
		any = true;
	}
	if (d->has_ttl) {
		printf("%s ttl %u", any ? "" : "   ", d->ttl);
		any = true;
	}
	if (d->has_df) {
		if (df_name(d->df))
			printf("%s df %s", any ? "" : "   ", df_name(d->df));
		else
			printf("%s df %u", any ? "" : "   ", d->df);
		any = true;
	}
	if (d->has_dscp) {
		if (d->dscp == ESPTUN_DSCP_COPY)
			printf("%s dscp copy", any ? "" : "   ");
		else
			printf("%s dscp %u", any ? "" : "   ", d->dscp);
		any = true;
	}
	if (d->has_sa_count) {
		printf("%s sa-count %" PRIu32, any ? "" : "   ", d->sa_count);
		any = true;
	}
	if (any)
		putchar('\n');
}

static void print_text(const struct dev_info *d)
{
	const uint64_t *s = d->stats;
	bool any = false;
	int r;

	printf("%s: ifindex %" PRIu32 " mtu %" PRIu32 "\n", d->ifname,
	       d->ifindex, d->mtu);
	print_settings(d);
	if (d->has_stats) {
		printf("    rx: packets %" PRIu64 " bytes %" PRIu64
		       " errors %" PRIu64 " dropped %" PRIu64 "\n",
		       s[ESPTUN_A_STATS_RX_PACKETS], s[ESPTUN_A_STATS_RX_BYTES],
		       s[ESPTUN_A_STATS_RX_ERRORS], s[ESPTUN_A_STATS_RX_DROPPED]);
		printf("    tx: packets %" PRIu64 " bytes %" PRIu64
		       " errors %" PRIu64 " dropped %" PRIu64 "\n",
		       s[ESPTUN_A_STATS_TX_PACKETS], s[ESPTUN_A_STATS_TX_BYTES],
		       s[ESPTUN_A_STATS_TX_ERRORS], s[ESPTUN_A_STATS_TX_DROPPED]);
	}
	printf("    drops:");
	for (r = 1; r <= ESPTUN_A_DROP_MAX; r++) {
		if (!d->has_drop[r] || !d->drops[r] || !drop_names[r])
			continue;
		printf(" %s %" PRIu64, drop_names[r], d->drops[r]);
		any = true;
	}
	printf("%s\n", any ? "" : " none");
}

static void json_dir(struct json *j, const char *dir, const uint64_t *s,
		     int base)
{
	static const char *const fields[] = {
		"packets", "bytes", "errors", "dropped"
	};
	int i;

	json_key(j, dir);
	json_begin_object(j);
	for (i = 0; i < 4; i++) {
		json_key(j, fields[i]);
		json_u64(j, s[base + i]);
	}
	json_end_object(j);
}

static void print_json(struct json *j, const struct dev_info *d)
{
	int r;

	json_begin_object(j);
	json_key(j, "ifindex");
	json_u64(j, d->ifindex);
	json_key(j, "ifname");
	json_string(j, d->ifname);
	json_key(j, "mtu");
	json_u64(j, d->mtu);
	if (d->has_listen_port) {
		json_key(j, "listen-port");
		json_u64(j, d->listen_port);
	}
	if (d->has_ttl) {
		json_key(j, "ttl");
		json_u64(j, d->ttl);
	}
	if (d->has_df) {
		json_key(j, "df");
		if (df_name(d->df))
			json_string(j, df_name(d->df));
		else
			json_u64(j, d->df);
	}
	if (d->has_dscp) {
		json_key(j, "dscp");
		if (d->dscp == ESPTUN_DSCP_COPY)
			json_string(j, "copy");
		else
			json_u64(j, d->dscp);
	}
	if (d->has_sa_count) {
		json_key(j, "sa-count");
		json_u64(j, d->sa_count);
	}
	if (d->has_stats) {
		json_key(j, "stats");
		json_begin_object(j);
		json_dir(j, "rx", d->stats, ESPTUN_A_STATS_RX_PACKETS);
		json_dir(j, "tx", d->stats, ESPTUN_A_STATS_TX_PACKETS);
		json_end_object(j);
	}
	json_key(j, "drops");
	json_begin_object(j);
	for (r = 1; r <= ESPTUN_A_DROP_MAX; r++) {
		if (!d->has_drop[r] || !drop_names[r])
			continue;
		json_key(j, drop_names[r]);
		json_u64(j, d->drops[r]);
	}
	json_end_object(j);
	json_end_object(j);
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
	struct esptun_nl_error e;
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
			print_json(&j, &st.devs[i]);
		json_end_array(&j);
		json_finish(&j);
	} else {
		for (i = 0; i < st.n; i++)
			print_text(&st.devs[i]);
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
	"its index, MTU, settings (listen-port, ttl, df, dscp; see `esptun set\n"
	"--help`), number of SAs (sa-count), the counters `ip -s link` shows,\n"
	"and how many packets were dropped for each reason.  The text lists the\n"
	"reasons with a non-zero count, JSON (object \"drops\") all of them:\n"
	"  tx-no-sa         routed into the interface, but no outbound SA covers it\n"
	"  tx-bad-proto     not IPv4 or IPv6, or shorter than its network header\n"
	"  tx-no-route      no route to the SA's outer destination\n"
	"  tx-loop          the outer route leads back into the interface itself\n"
	"  tx-expired       the SA hit a hard limit (sequence numbers, bytes, packets)\n"
	"  tx-nomem         out of memory, or GSO segmentation failed\n"
	"  tx-crypto        the crypto API refused or failed the request\n"
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
