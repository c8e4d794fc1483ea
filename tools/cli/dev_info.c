// SPDX-License-Identifier: GPL-2.0
/*
 * DEV_GET replies: read (see dev_info.h) and printed for `esptun show`.
 */
#include <inttypes.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "dev_info.h"
#include "parse.h"

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

static const char *const pmtu_source_names[] = {
	[ESPTUN_PMTU_SRC_LINK]	= "link",
	[ESPTUN_PMTU_SRC_ROUTE]	= "route",
	[ESPTUN_PMTU_SRC_ICMP]	= "icmp",
};

static const char *pmtu_source_name(unsigned int src)
{
	if (src < sizeof(pmtu_source_names) / sizeof(pmtu_source_names[0]))
		return pmtu_source_names[src];
	return NULL;
}

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
	[ESPTUN_A_DEVICE_MTU_AUTO]    = { .type = NLA_U8, .maxlen = 1 },
	[ESPTUN_A_DEVICE_EFFECTIVE_MTU] = { .type = NLA_U32, .maxlen = 4 },
	[ESPTUN_A_DEVICE_PATH_MTU]    = { .type = NLA_U32, .maxlen = 4 },
	[ESPTUN_A_DEVICE_PATH_MTU_SOURCE] = { .type = NLA_U8, .maxlen = 1 },
	[ESPTUN_A_DEVICE_PATH_MTU_SPI] = { .type = NLA_U32, .maxlen = 4 },
	[ESPTUN_A_DEVICE_MSS_CLAMP]   = { .type = NLA_U32, .maxlen = 4 },
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

int dev_info_parse(struct nlmsghdr *nlh, struct dev_info *d)
{
	struct nlattr *tb[ESPTUN_A_DEVICE_MAX + 1];

	memset(d, 0, sizeof(*d));
	if (genlmsg_parse(nlh, 0, tb, ESPTUN_A_DEVICE_MAX, device_policy) < 0 ||
	    !tb[ESPTUN_A_DEVICE_IFINDEX] || !tb[ESPTUN_A_DEVICE_IFNAME])
		return -1;
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
	if (tb[ESPTUN_A_DEVICE_MTU_AUTO]) {
		d->has_mtu_auto = true;
		d->mtu_auto = nla_get_u8(tb[ESPTUN_A_DEVICE_MTU_AUTO]);
	}
	if (tb[ESPTUN_A_DEVICE_EFFECTIVE_MTU]) {
		d->has_effective_mtu = true;
		d->effective_mtu = nla_get_u32(tb[ESPTUN_A_DEVICE_EFFECTIVE_MTU]);
	}
	if (tb[ESPTUN_A_DEVICE_PATH_MTU]) {
		d->has_path_mtu = true;
		d->path_mtu = nla_get_u32(tb[ESPTUN_A_DEVICE_PATH_MTU]);
	}
	if (tb[ESPTUN_A_DEVICE_PATH_MTU_SOURCE]) {
		d->has_path_mtu_source = true;
		d->path_mtu_source =
			nla_get_u8(tb[ESPTUN_A_DEVICE_PATH_MTU_SOURCE]);
	}
	if (tb[ESPTUN_A_DEVICE_PATH_MTU_SPI]) {
		d->has_path_mtu_spi = true;
		d->path_mtu_spi = nla_get_u32(tb[ESPTUN_A_DEVICE_PATH_MTU_SPI]);
	}
	if (tb[ESPTUN_A_DEVICE_MSS_CLAMP]) {
		d->has_mss_clamp = true;
		d->mss_clamp = nla_get_u32(tb[ESPTUN_A_DEVICE_MSS_CLAMP]);
	}
	if (tb[ESPTUN_A_DEVICE_STATS]) {
		read_u64_nest(tb[ESPTUN_A_DEVICE_STATS], d->stats, NULL,
			      ESPTUN_A_STATS_MAX);
		d->has_stats = true;
	}
	if (tb[ESPTUN_A_DEVICE_DROPS])
		read_u64_nest(tb[ESPTUN_A_DEVICE_DROPS], d->drops, d->has_drop,
			      ESPTUN_A_DROP_MAX);
	return 0;
}

/* The kernel reports path MTUs (they are absent without outbound SAs). */
static bool knows_pmtu(const struct dev_info *d)
{
	return d->has_mtu_auto || d->has_effective_mtu;
}

/*
 * "    listen-port 4500 ttl 64 df copy dscp copy mss-clamp auto sa-count 2"
 */
static void print_settings(FILE *f, const struct dev_info *d)
{
	bool any = false;

	if (d->has_listen_port) {
		fprintf(f, "%s listen-port %u", any ? "" : "   ",
			d->listen_port);
		any = true;
	}
	if (d->has_ttl) {
		fprintf(f, "%s ttl %u", any ? "" : "   ", d->ttl);
		any = true;
	}
	if (d->has_df) {
		if (df_name(d->df))
			fprintf(f, "%s df %s", any ? "" : "   ", df_name(d->df));
		else
			fprintf(f, "%s df %u", any ? "" : "   ", d->df);
		any = true;
	}
	if (d->has_dscp) {
		if (d->dscp == ESPTUN_DSCP_COPY)
			fprintf(f, "%s dscp copy", any ? "" : "   ");
		else
			fprintf(f, "%s dscp %u", any ? "" : "   ", d->dscp);
		any = true;
	}
	if (d->has_mss_clamp) {
		if (d->mss_clamp == ESPTUN_MSS_CLAMP_AUTO)
			fprintf(f, "%s mss-clamp auto", any ? "" : "   ");
		else if (d->mss_clamp == ESPTUN_MSS_CLAMP_OFF)
			fprintf(f, "%s mss-clamp off", any ? "" : "   ");
		else
			fprintf(f, "%s mss-clamp %" PRIu32, any ? "" : "   ",
				d->mss_clamp);
		any = true;
	}
	if (d->has_sa_count) {
		fprintf(f, "%s sa-count %" PRIu32, any ? "" : "   ",
			d->sa_count);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

/*
 * "    effective mtu 1346: outer path mtu 1400 (icmp) via SA 0x00001001"
 * or "    effective mtu: no outbound SA"
 */
static void print_pmtu(FILE *f, const struct dev_info *d)
{
	const char *src = pmtu_source_name(d->path_mtu_source);

	if (!knows_pmtu(d))
		return;
	if (!d->has_effective_mtu) {
		fprintf(f, "    effective mtu: no outbound SA\n");
		return;
	}
	fprintf(f, "    effective mtu %" PRIu32, d->effective_mtu);
	if (d->has_path_mtu) {
		fprintf(f, ": outer path mtu %" PRIu32, d->path_mtu);
		if (d->has_path_mtu_source && src)
			fprintf(f, " (%s)", src);
		else if (d->has_path_mtu_source)
			fprintf(f, " (%u)", d->path_mtu_source);
	}
	if (d->has_path_mtu_spi)
		fprintf(f, " via SA 0x%08" PRIx32, d->path_mtu_spi);
	fputc('\n', f);
}

void dev_print_text(FILE *f, const struct dev_info *d)
{
	const uint64_t *s = d->stats;
	bool any = false;
	int r;

	fprintf(f, "%s: ifindex %" PRIu32 " mtu %" PRIu32 "%s\n", d->ifname,
		d->ifindex, d->mtu,
		!d->has_mtu_auto ? "" : d->mtu_auto ? " (auto)" : " (fixed)");
	print_settings(f, d);
	print_pmtu(f, d);
	if (d->has_stats) {
		fprintf(f, "    rx: packets %" PRIu64 " bytes %" PRIu64
			" errors %" PRIu64 " dropped %" PRIu64 "\n",
			s[ESPTUN_A_STATS_RX_PACKETS], s[ESPTUN_A_STATS_RX_BYTES],
			s[ESPTUN_A_STATS_RX_ERRORS], s[ESPTUN_A_STATS_RX_DROPPED]);
		fprintf(f, "    tx: packets %" PRIu64 " bytes %" PRIu64
			" errors %" PRIu64 " dropped %" PRIu64 "\n",
			s[ESPTUN_A_STATS_TX_PACKETS], s[ESPTUN_A_STATS_TX_BYTES],
			s[ESPTUN_A_STATS_TX_ERRORS], s[ESPTUN_A_STATS_TX_DROPPED]);
	}
	fprintf(f, "    drops:");
	for (r = 1; r <= ESPTUN_A_DROP_MAX; r++) {
		if (!d->has_drop[r] || !d->drops[r] || !drop_names[r])
			continue;
		fprintf(f, " %s %" PRIu64, drop_names[r], d->drops[r]);
		any = true;
	}
	fprintf(f, "%s\n", any ? "" : " none");
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

void dev_print_json(struct json *j, const struct dev_info *d)
{
	int r;

	json_begin_object(j);
	json_key(j, "ifindex");
	json_u64(j, d->ifindex);
	json_key(j, "ifname");
	json_string(j, d->ifname);
	json_key(j, "mtu");
	json_u64(j, d->mtu);
	if (d->has_mtu_auto) {
		json_key(j, "mtu-auto");
		json_bool(j, d->mtu_auto);
	}
	if (knows_pmtu(d)) {
		const char *src = pmtu_source_name(d->path_mtu_source);

		json_key(j, "effective-mtu");
		if (d->has_effective_mtu)
			json_u64(j, d->effective_mtu);
		else
			json_null(j);
		json_key(j, "path-mtu");
		if (d->has_path_mtu)
			json_u64(j, d->path_mtu);
		else
			json_null(j);
		json_key(j, "path-mtu-source");
		if (d->has_path_mtu_source && src)
			json_string(j, src);
		else if (d->has_path_mtu_source)
			json_u64(j, d->path_mtu_source);
		else
			json_null(j);
		json_key(j, "path-mtu-spi");
		if (d->has_path_mtu_spi)
			json_u64(j, d->path_mtu_spi);
		else
			json_null(j);
	}
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
	if (d->has_mss_clamp) {
		json_key(j, "mss-clamp");
		if (d->mss_clamp == ESPTUN_MSS_CLAMP_AUTO)
			json_string(j, "auto");
		else if (d->mss_clamp == ESPTUN_MSS_CLAMP_OFF)
			json_string(j, "off");
		else
			json_u64(j, d->mss_clamp);
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
