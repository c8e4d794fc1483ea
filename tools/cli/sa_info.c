// SPDX-License-Identifier: GPL-2.0
/*
 * SAs on the wire: the SA_NEW request, and SA_GET replies and ACQUIRE and
 * EXPIRE events read back and printed (`sa list`, `monitor`).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "../lib/json.h"
#include "sa_info.h"

/* libnl checks minimum lengths; maxlen makes integers exact. */
#define U8  { .type = NLA_U8,  .maxlen = 1 }
#define U16 { .type = NLA_U16, .maxlen = 2 }
#define U32 { .type = NLA_U32, .maxlen = 4 }
#define U64 { .type = NLA_U64, .maxlen = 8 }
#define ADDR { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 16 }
#define NAME { .type = NLA_STRING, .maxlen = ESPTUN_ALG_NAME_MAX }

static const struct nla_policy top_policy[ESPTUN_A_DEVICE_MAX + 1] = {
	[ESPTUN_A_DEVICE_IFINDEX] = U32,
	[ESPTUN_A_DEVICE_IFNAME]  = { .type = NLA_STRING, .maxlen = IF_NAMESIZE },
	[ESPTUN_A_DEVICE_SA]	  = { .type = NLA_NESTED },
};

static const struct nla_policy sa_policy[ESPTUN_A_SA_MAX + 1] = {
	[ESPTUN_A_SA_DIR]		= U8,
	[ESPTUN_A_SA_SPI]		= U32,
	[ESPTUN_A_SA_SRC]		= ADDR,
	[ESPTUN_A_SA_DST]		= ADDR,
	[ESPTUN_A_SA_ENCAP_SPORT]	= U16,
	[ESPTUN_A_SA_ENCAP_DPORT]	= U16,
	[ESPTUN_A_SA_AEAD_NAME]		= NAME,
	[ESPTUN_A_SA_AEAD_ICV_BITS]	= U32,
	[ESPTUN_A_SA_ENC_NAME]		= NAME,
	[ESPTUN_A_SA_AUTH_NAME]		= NAME,
	[ESPTUN_A_SA_AUTH_TRUNC_BITS]	= U32,
	[ESPTUN_A_SA_REPLAY_WINDOW]	= U32,
	[ESPTUN_A_SA_FLAGS]		= U32,
	[ESPTUN_A_SA_SEL_SRC]		= ADDR,
	[ESPTUN_A_SA_SEL_SRC_PLEN]	= U8,
	[ESPTUN_A_SA_SEL_DST]		= ADDR,
	[ESPTUN_A_SA_SEL_DST_PLEN]	= U8,
	[ESPTUN_A_SA_LIMITS]		= { .type = NLA_NESTED },
	[ESPTUN_A_SA_SEQ]		= U64,
	[ESPTUN_A_SA_STATS]		= { .type = NLA_NESTED },
	[ESPTUN_A_SA_ADD_TIME]		= U64,
	[ESPTUN_A_SA_USE_TIME]		= U64,
	[ESPTUN_A_SA_EXPIRE_HARD]	= U8,
	[ESPTUN_A_SA_EXPIRE_LIMIT]	= U16,
	[ESPTUN_A_SA_PROTO]		= U8,
};

static const struct nla_policy limit_policy[ESPTUN_A_LIMIT_MAX + 1] = {
	[ESPTUN_A_LIMIT_TIME_SOFT]   = U64,
	[ESPTUN_A_LIMIT_TIME_HARD]   = U64,
	[ESPTUN_A_LIMIT_BYTE_SOFT]   = U64,
	[ESPTUN_A_LIMIT_BYTE_HARD]   = U64,
	[ESPTUN_A_LIMIT_PACKET_SOFT] = U64,
	[ESPTUN_A_LIMIT_PACKET_HARD] = U64,
};

static const struct nla_policy stats_policy[ESPTUN_A_SA_STATS_MAX + 1] = {
	[ESPTUN_A_SA_STATS_PACKETS]  = U64,
	[ESPTUN_A_SA_STATS_BYTES]    = U64,
	[ESPTUN_A_SA_STATS_REPLAY]   = U64,
	[ESPTUN_A_SA_STATS_ICV_FAIL] = U64,
	[ESPTUN_A_SA_STATS_SELECTOR] = U64,
	[ESPTUN_A_SA_STATS_ERRORS]   = U64,
};

/* An address attribute: exactly 4 or 16 bytes. */
static int get_addr(struct nlattr *a, uint8_t *out, size_t *len)
{
	int n;

	if (!a)
		return 0;
	n = nla_len(a);
	if (n != 4 && n != 16)
		return -1;
	memcpy(out, nla_data(a), (size_t)n);
	*len = (size_t)n;
	return 0;
}

static int get_sel(struct nlattr *addr, struct nlattr *plen, bool *has,
		   uint8_t *out, size_t *len, uint8_t *pl)
{
	if (!addr)
		return 0;
	if (get_addr(addr, out, len))
		return -1;
	*pl = plen ? nla_get_u8(plen) : (uint8_t)(*len * 8);
	if (*pl > *len * 8)
		return -1;
	*has = true;
	return 0;
}

int sa_info_parse(struct nlmsghdr *nlh, struct sa_info *s)
{
	struct nlattr *tb[ESPTUN_A_DEVICE_MAX + 1];
	struct nlattr *sa[ESPTUN_A_SA_MAX + 1];
	struct nlattr *sub[ESPTUN_A_LIMIT_MAX + ESPTUN_A_SA_STATS_MAX + 2];
	struct genlmsghdr *gh;
	int t;

	memset(s, 0, sizeof(*s));
	if (!genlmsg_valid_hdr(nlh, 0))
		return -1;
	gh = nlmsg_data(nlh);
	s->cmd = gh->cmd;
	if (genlmsg_parse(nlh, 0, tb, ESPTUN_A_DEVICE_MAX, top_policy) < 0 ||
	    !tb[ESPTUN_A_DEVICE_IFINDEX] || !tb[ESPTUN_A_DEVICE_SA])
		return -1;
	s->ifindex = nla_get_u32(tb[ESPTUN_A_DEVICE_IFINDEX]);
	if (tb[ESPTUN_A_DEVICE_IFNAME])
		nla_strlcpy(s->ifname, tb[ESPTUN_A_DEVICE_IFNAME],
			    sizeof(s->ifname));
	else if (!if_indextoname(s->ifindex, s->ifname))
		snprintf(s->ifname, sizeof(s->ifname), "if%u", s->ifindex);

	if (nla_parse_nested(sa, ESPTUN_A_SA_MAX, tb[ESPTUN_A_DEVICE_SA],
			     sa_policy) < 0)
		return -1;
	if (sa[ESPTUN_A_SA_DIR])
		s->dir = nla_get_u8(sa[ESPTUN_A_SA_DIR]);
	if (sa[ESPTUN_A_SA_SPI]) {
		s->has_spi = true;
		s->spi = nla_get_u32(sa[ESPTUN_A_SA_SPI]);
	}
	if (get_addr(sa[ESPTUN_A_SA_SRC], s->src, &s->src_len) ||
	    get_addr(sa[ESPTUN_A_SA_DST], s->dst, &s->dst_len))
		return -1;
	if (sa[ESPTUN_A_SA_ENCAP_SPORT] || sa[ESPTUN_A_SA_ENCAP_DPORT]) {
		s->has_encap = true;
		if (sa[ESPTUN_A_SA_ENCAP_SPORT])
			s->sport = nla_get_u16(sa[ESPTUN_A_SA_ENCAP_SPORT]);
		if (sa[ESPTUN_A_SA_ENCAP_DPORT])
			s->dport = nla_get_u16(sa[ESPTUN_A_SA_ENCAP_DPORT]);
	}
	if (sa[ESPTUN_A_SA_AEAD_NAME])
		nla_strlcpy(s->aead, sa[ESPTUN_A_SA_AEAD_NAME], sizeof(s->aead));
	if (sa[ESPTUN_A_SA_AEAD_ICV_BITS])
		s->icv_bits = nla_get_u32(sa[ESPTUN_A_SA_AEAD_ICV_BITS]);
	if (sa[ESPTUN_A_SA_ENC_NAME])
		nla_strlcpy(s->enc, sa[ESPTUN_A_SA_ENC_NAME], sizeof(s->enc));
	if (sa[ESPTUN_A_SA_AUTH_NAME])
		nla_strlcpy(s->auth, sa[ESPTUN_A_SA_AUTH_NAME], sizeof(s->auth));
	if (sa[ESPTUN_A_SA_AUTH_TRUNC_BITS])
		s->trunc_bits = nla_get_u32(sa[ESPTUN_A_SA_AUTH_TRUNC_BITS]);
	if (sa[ESPTUN_A_SA_REPLAY_WINDOW]) {
		s->has_replay_window = true;
		s->replay_window = nla_get_u32(sa[ESPTUN_A_SA_REPLAY_WINDOW]);
	}
	if (sa[ESPTUN_A_SA_FLAGS])
		s->flags = nla_get_u32(sa[ESPTUN_A_SA_FLAGS]);
	if (get_sel(sa[ESPTUN_A_SA_SEL_SRC], sa[ESPTUN_A_SA_SEL_SRC_PLEN],
		    &s->has_sel_src, s->sel_src, &s->sel_src_len,
		    &s->sel_src_plen) ||
	    get_sel(sa[ESPTUN_A_SA_SEL_DST], sa[ESPTUN_A_SA_SEL_DST_PLEN],
		    &s->has_sel_dst, s->sel_dst, &s->sel_dst_len,
		    &s->sel_dst_plen))
		return -1;
	if (sa[ESPTUN_A_SA_LIMITS]) {
		if (nla_parse_nested(sub, ESPTUN_A_LIMIT_MAX,
				     sa[ESPTUN_A_SA_LIMITS], limit_policy) < 0)
			return -1;
		for (t = ESPTUN_A_LIMIT_TIME_SOFT;
		     t <= ESPTUN_A_LIMIT_PACKET_HARD; t++) {
			/* 0 means no limit, as absent */
			if (sub[t] && nla_get_u64(sub[t])) {
				s->has_limit[t] = true;
				s->limits[t] = nla_get_u64(sub[t]);
			}
		}
	}
	if (sa[ESPTUN_A_SA_SEQ]) {
		s->has_seq = true;
		s->seq = nla_get_u64(sa[ESPTUN_A_SA_SEQ]);
	}
	if (sa[ESPTUN_A_SA_STATS]) {
		if (nla_parse_nested(sub, ESPTUN_A_SA_STATS_MAX,
				     sa[ESPTUN_A_SA_STATS], stats_policy) < 0)
			return -1;
		s->has_stats = true;
		for (t = 1; t <= ESPTUN_A_SA_STATS_MAX; t++)
			if (sub[t])
				s->stats[t] = nla_get_u64(sub[t]);
	}
	if (sa[ESPTUN_A_SA_ADD_TIME]) {
		s->has_add_time = true;
		s->add_time = nla_get_u64(sa[ESPTUN_A_SA_ADD_TIME]);
	}
	if (sa[ESPTUN_A_SA_USE_TIME]) {
		s->has_use_time = true;
		s->use_time = nla_get_u64(sa[ESPTUN_A_SA_USE_TIME]);
	}
	if (sa[ESPTUN_A_SA_EXPIRE_HARD]) {
		s->has_expire_hard = true;
		s->expire_hard = nla_get_u8(sa[ESPTUN_A_SA_EXPIRE_HARD]);
	}
	if (sa[ESPTUN_A_SA_EXPIRE_LIMIT]) {
		s->has_expire_limit = true;
		s->expire_limit = nla_get_u16(sa[ESPTUN_A_SA_EXPIRE_LIMIT]);
	}
	if (sa[ESPTUN_A_SA_PROTO]) {
		s->has_proto = true;
		s->proto = nla_get_u8(sa[ESPTUN_A_SA_PROTO]);
	}
	return 0;
}

static int addr_len(const struct esptun_addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

static int put_key(struct nl_msg *msg, int type, const struct esptun_key *k)
{
	return nla_put(msg, type, (int)k->len, k->data);
}

int sa_put_request(struct nl_msg *msg, const struct sa_add_args *a)
{
	struct nlattr *sa, *lim;
	int t;

	sa = nla_nest_start(msg, ESPTUN_A_DEVICE_SA);
	if (!sa ||
	    nla_put_u8(msg, ESPTUN_A_SA_DIR, a->dir) ||
	    nla_put_u32(msg, ESPTUN_A_SA_SPI, a->spi) ||
	    nla_put(msg, ESPTUN_A_SA_SRC, addr_len(&a->src), a->src.a) ||
	    nla_put(msg, ESPTUN_A_SA_DST, addr_len(&a->dst), a->dst.a))
		return -1;
	if (a->has_encap &&
	    (nla_put_u16(msg, ESPTUN_A_SA_ENCAP_SPORT, a->encap_sport) ||
	     nla_put_u16(msg, ESPTUN_A_SA_ENCAP_DPORT, a->encap_dport)))
		return -1;
	if (a->aead_name) {
		if (nla_put_string(msg, ESPTUN_A_SA_AEAD_NAME, a->aead_name) ||
		    put_key(msg, ESPTUN_A_SA_AEAD_KEY, &a->aead_key) ||
		    nla_put_u32(msg, ESPTUN_A_SA_AEAD_ICV_BITS, a->icv_bits))
			return -1;
	} else {
		if (nla_put_string(msg, ESPTUN_A_SA_ENC_NAME, a->enc_name) ||
		    put_key(msg, ESPTUN_A_SA_ENC_KEY, &a->enc_key) ||
		    nla_put_string(msg, ESPTUN_A_SA_AUTH_NAME, a->auth_name) ||
		    put_key(msg, ESPTUN_A_SA_AUTH_KEY, &a->auth_key) ||
		    nla_put_u32(msg, ESPTUN_A_SA_AUTH_TRUNC_BITS,
				a->trunc_bits))
			return -1;
	}
	if (a->has_replay_window &&
	    nla_put_u32(msg, ESPTUN_A_SA_REPLAY_WINDOW, a->replay_window))
		return -1;
	if (a->flags && nla_put_u32(msg, ESPTUN_A_SA_FLAGS, a->flags))
		return -1;
	if (a->has_sel_src &&
	    (nla_put(msg, ESPTUN_A_SA_SEL_SRC, addr_len(&a->sel_src.addr),
		     a->sel_src.addr.a) ||
	     nla_put_u8(msg, ESPTUN_A_SA_SEL_SRC_PLEN, a->sel_src.plen)))
		return -1;
	if (a->has_sel_dst &&
	    (nla_put(msg, ESPTUN_A_SA_SEL_DST, addr_len(&a->sel_dst.addr),
		     a->sel_dst.addr.a) ||
	     nla_put_u8(msg, ESPTUN_A_SA_SEL_DST_PLEN, a->sel_dst.plen)))
		return -1;
	for (t = 1; t <= ESPTUN_A_LIMIT_MAX; t++)
		if (a->has_limit[t])
			break;
	if (t <= ESPTUN_A_LIMIT_MAX) {
		lim = nla_nest_start(msg, ESPTUN_A_SA_LIMITS);
		if (!lim)
			return -1;
		for (t = 1; t <= ESPTUN_A_LIMIT_MAX; t++)
			if (a->has_limit[t] &&
			    nla_put_u64(msg, t, a->limits[t]))
				return -1;
		nla_nest_end(msg, lim);
	}
	if (a->has_seq && nla_put_u64(msg, ESPTUN_A_SA_SEQ, a->seq))
		return -1;
	nla_nest_end(msg, sa);
	return 0;
}

static void addr_text(const uint8_t *a, size_t len, char *buf, size_t size)
{
	if (!format_addr(a, len, buf, size))
		snprintf(buf, size, "?");
}

static void sel_text(bool has, const uint8_t *a, size_t len, uint8_t plen,
		     char *buf, size_t size)
{
	char ab[INET6_ADDRSTRLEN];

	if (!has) {
		snprintf(buf, size, "any");
		return;
	}
	addr_text(a, len, ab, sizeof(ab));
	snprintf(buf, size, "%s/%u", ab, plen);
}

static const char *const sa_stat_names[] = {
	[ESPTUN_A_SA_STATS_PACKETS]  = "packets",
	[ESPTUN_A_SA_STATS_BYTES]    = "bytes",
	[ESPTUN_A_SA_STATS_REPLAY]   = "replay",
	[ESPTUN_A_SA_STATS_ICV_FAIL] = "icv-fail",
	[ESPTUN_A_SA_STATS_SELECTOR] = "selector",
	[ESPTUN_A_SA_STATS_ERRORS]   = "errors",
};

void sa_print_text(FILE *f, const struct sa_info *s)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char ss[INET6_ADDRSTRLEN + 5], sd[INET6_ADDRSTRLEN + 5];
	bool any = false;
	int t;

	addr_text(s->src, s->src_len, src, sizeof(src));
	addr_text(s->dst, s->dst_len, dst, sizeof(dst));
	fprintf(f, "dev %s dir %s src %s dst %s spi 0x%08" PRIx32 "\n",
		s->ifname, dir_name(s->dir) ? dir_name(s->dir) : "?", src, dst,
		s->spi);
	if (s->aead[0])
		fprintf(f, "    aead %s icv-bits %" PRIu32 "\n", s->aead,
			s->icv_bits);
	else if (s->enc[0])
		fprintf(f, "    enc %s auth %s trunc-bits %" PRIu32 "\n", s->enc,
			s->auth[0] ? s->auth : "?", s->trunc_bits);
	if (s->has_replay_window || s->flags) {
		fprintf(f, "   ");
		if (s->has_replay_window)
			fprintf(f, " replay-window %" PRIu32, s->replay_window);
		if (s->flags & ESPTUN_SA_F_ESN)
			fprintf(f, " flag esn");
		fputc('\n', f);
	}
	if (s->has_encap)
		fprintf(f, "    encap espinudp sport %u dport %u\n", s->sport,
			s->dport);
	sel_text(s->has_sel_src, s->sel_src, s->sel_src_len, s->sel_src_plen,
		 ss, sizeof(ss));
	sel_text(s->has_sel_dst, s->sel_dst, s->sel_dst_len, s->sel_dst_plen,
		 sd, sizeof(sd));
	fprintf(f, "    sel src %s dst %s\n", ss, sd);
	for (t = ESPTUN_A_LIMIT_TIME_SOFT; t <= ESPTUN_A_LIMIT_PACKET_HARD; t++) {
		if (!s->has_limit[t])
			continue;
		fprintf(f, "%s %s %" PRIu64, any ? "" : "    limits:", limit_name(t),
			s->limits[t]);
		any = true;
	}
	if (any)
		fputc('\n', f);
	if (s->has_seq || s->has_add_time) {
		fprintf(f, "   ");
		if (s->has_seq)
			fprintf(f, " seq %" PRIu64, s->seq);
		if (s->has_add_time)
			fprintf(f, " add-time %" PRIu64, s->add_time);
		if (s->has_use_time)
			fprintf(f, " use-time %" PRIu64, s->use_time);
		else if (s->has_add_time)
			fprintf(f, " use-time never");
		fputc('\n', f);
	}
	if (s->has_stats) {
		fprintf(f, "    stats:");
		for (t = ESPTUN_A_SA_STATS_PACKETS; t <= ESPTUN_A_SA_STATS_ERRORS;
		     t++)
			fprintf(f, " %s %" PRIu64, sa_stat_names[t], s->stats[t]);
		fputc('\n', f);
	}
}

static void json_addr(struct json *j, const char *key, const uint8_t *a,
		      size_t len)
{
	char buf[INET6_ADDRSTRLEN];

	addr_text(a, len, buf, sizeof(buf));
	json_key(j, key);
	json_string(j, buf);
}

void sa_print_json(struct json *j, const struct sa_info *s)
{
	char buf[INET6_ADDRSTRLEN + 5];
	int t;

	json_begin_object(j);
	json_key(j, "dev");
	json_string(j, s->ifname);
	json_key(j, "ifindex");
	json_u64(j, s->ifindex);
	json_key(j, "dir");
	json_string(j, dir_name(s->dir) ? dir_name(s->dir) : "?");
	json_key(j, "spi");
	json_u64(j, s->spi);
	json_addr(j, "src", s->src, s->src_len);
	json_addr(j, "dst", s->dst, s->dst_len);
	json_key(j, "encap");
	if (s->has_encap) {
		json_begin_object(j);
		json_key(j, "type");
		json_string(j, "espinudp");
		json_key(j, "sport");
		json_u64(j, s->sport);
		json_key(j, "dport");
		json_u64(j, s->dport);
		json_end_object(j);
	} else {
		json_null(j);
	}
	if (s->aead[0]) {
		json_key(j, "aead");
		json_begin_object(j);
		json_key(j, "name");
		json_string(j, s->aead);
		json_key(j, "icv-bits");
		json_u64(j, s->icv_bits);
		json_end_object(j);
	}
	if (s->enc[0]) {
		json_key(j, "enc");
		json_begin_object(j);
		json_key(j, "name");
		json_string(j, s->enc);
		json_end_object(j);
	}
	if (s->auth[0]) {
		json_key(j, "auth");
		json_begin_object(j);
		json_key(j, "name");
		json_string(j, s->auth);
		json_key(j, "trunc-bits");
		json_u64(j, s->trunc_bits);
		json_end_object(j);
	}
	if (s->has_replay_window) {
		json_key(j, "replay-window");
		json_u64(j, s->replay_window);
	}
	json_key(j, "flags");
	json_begin_array(j);
	if (s->flags & ESPTUN_SA_F_ESN)
		json_string(j, "esn");
	json_end_array(j);
	json_key(j, "sel");
	json_begin_object(j);
	sel_text(s->has_sel_src, s->sel_src, s->sel_src_len, s->sel_src_plen,
		 buf, sizeof(buf));
	json_key(j, "src");
	json_string(j, buf);
	sel_text(s->has_sel_dst, s->sel_dst, s->sel_dst_len, s->sel_dst_plen,
		 buf, sizeof(buf));
	json_key(j, "dst");
	json_string(j, buf);
	json_end_object(j);
	json_key(j, "limits");
	json_begin_object(j);
	for (t = ESPTUN_A_LIMIT_TIME_SOFT; t <= ESPTUN_A_LIMIT_PACKET_HARD; t++) {
		if (!s->has_limit[t])
			continue;
		json_key(j, limit_name(t));
		json_u64(j, s->limits[t]);
	}
	json_end_object(j);
	if (s->has_seq) {
		json_key(j, "seq");
		json_u64(j, s->seq);
	}
	if (s->has_stats) {
		json_key(j, "stats");
		json_begin_object(j);
		for (t = ESPTUN_A_SA_STATS_PACKETS; t <= ESPTUN_A_SA_STATS_ERRORS;
		     t++) {
			json_key(j, sa_stat_names[t]);
			json_u64(j, s->stats[t]);
		}
		json_end_object(j);
	}
	if (s->has_add_time) {
		json_key(j, "add-time");
		json_u64(j, s->add_time);
	}
	json_key(j, "use-time");
	if (s->has_use_time)
		json_u64(j, s->use_time);
	else
		json_null(j);
	json_end_object(j);
}

static void print_acquire(FILE *f, bool json, const struct sa_info *s)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	struct json j;

	addr_text(s->sel_src, s->sel_src_len, src, sizeof(src));
	addr_text(s->sel_dst, s->sel_dst_len, dst, sizeof(dst));
	if (!json) {
		fprintf(f, "acquire dev %s src %s dst %s proto %u\n", s->ifname,
			src, dst, s->proto);
		return;
	}
	json_init(&j, f, false);
	json_begin_object(&j);
	json_key(&j, "event");
	json_string(&j, "acquire");
	json_key(&j, "dev");
	json_string(&j, s->ifname);
	json_key(&j, "ifindex");
	json_u64(&j, s->ifindex);
	json_key(&j, "src");
	json_string(&j, src);
	json_key(&j, "dst");
	json_string(&j, dst);
	json_key(&j, "proto");
	json_u64(&j, s->proto);
	json_end_object(&j);
	json_finish(&j);
}

static void print_expire(FILE *f, bool json, const struct sa_info *s)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], lim[16];
	const char *limit = limit_name(s->expire_limit);
	const char *dir = dir_name(s->dir);
	struct json j;

	if (!limit) {
		snprintf(lim, sizeof(lim), "%u", s->expire_limit);
		limit = lim;
	}
	addr_text(s->src, s->src_len, src, sizeof(src));
	addr_text(s->dst, s->dst_len, dst, sizeof(dst));
	if (!json) {
		fprintf(f, "expire %s dev %s dir %s spi 0x%08" PRIx32 " limit %s\n",
			s->expire_hard ? "hard" : "soft", s->ifname,
			dir ? dir : "?", s->spi, limit);
		return;
	}
	json_init(&j, f, false);
	json_begin_object(&j);
	json_key(&j, "event");
	json_string(&j, "expire");
	json_key(&j, "hard");
	json_bool(&j, s->expire_hard);
	json_key(&j, "dev");
	json_string(&j, s->ifname);
	json_key(&j, "ifindex");
	json_u64(&j, s->ifindex);
	json_key(&j, "dir");
	json_string(&j, dir ? dir : "?");
	json_key(&j, "spi");
	json_u64(&j, s->spi);
	json_key(&j, "src");
	json_string(&j, src);
	json_key(&j, "dst");
	json_string(&j, dst);
	json_key(&j, "limit");
	json_string(&j, limit);
	json_end_object(&j);
	json_finish(&j);
}

int event_print(FILE *f, bool json, const struct sa_info *s)
{
	if (s->cmd == ESPTUN_CMD_ACQUIRE)
		print_acquire(f, json, s);
	else if (s->cmd == ESPTUN_CMD_EXPIRE)
		print_expire(f, json, s);
	else
		return -1;
	return 0;
}
