// SPDX-License-Identifier: GPL-2.0
/*
 * esptund <-> esptun kernel module, over the "esptun" generic netlink
 * family with libnl-genl-3: SA_NEW/SA_DEL/SA_GET requests with the
 * kernel's extended ack passed back, inbound SPI allocation, and the
 * ACQUIRE/EXPIRE events of the "events" group.  Request buffers that held
 * keys are wiped before they are freed.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <linux/esptun.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "../lib/nlreq.h"
#include "kernel.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define SPI_ALLOC_TRIES 64
/*
 * An SPI handed out for a negotiation that then failed is never
 * installed nor released: forget it after longer than any IKE exchange
 * with its retransmissions lasts.
 */
#define SPI_RESERVE_MS	(10 * 60 * 1000)

struct reservation {
	uint32_t spi;
	uint64_t at;			/* CLOCK_MONOTONIC ms */
};

struct kernel {
	struct nl_sock *req;		/* requests and their answers */
	struct nl_sock *ev;		/* the "events" group */
	int family;
	struct reservation *reserved;	/* SPIs handed out, not installed */
	size_t n_reserved, cap_reserved;
	/* state of the event read in progress */
	kernel_event_fn ev_fn;
	void *ev_arg;
};

void kernel_sa_wipe(struct kernel_sa *sa)
{
	explicit_bzero(sa->aead_key, sizeof(sa->aead_key));
	explicit_bzero(sa->enc_key, sizeof(sa->enc_key));
	explicit_bzero(sa->auth_key, sizeof(sa->auth_key));
	sa->aead_key_len = sa->enc_key_len = sa->auth_key_len = 0;
}

/* ---- building ---- */

static int put_addr(struct nl_msg *msg, int type,
		    const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return nla_put(msg, type, 4,
			       &((const struct sockaddr_in *)ss)->sin_addr);
	if (ss->ss_family == AF_INET6)
		return nla_put(msg, type, 16,
			       &((const struct sockaddr_in6 *)ss)->sin6_addr);
	return -EINVAL;
}

static int put_sel(struct nl_msg *msg, int addr, int plen,
		   const struct kernel_sel *s)
{
	int len = s->family == AF_INET ? 4 : 16;

	if (!s->family)
		return 0;
	if ((s->family != AF_INET && s->family != AF_INET6) ||
	    s->plen > len * 8)
		return -EINVAL;
	if (nla_put(msg, addr, len, s->addr) || nla_put_u8(msg, plen, s->plen))
		return -ENOMEM;
	return 0;
}

static int put_limits(struct nl_msg *msg, const struct kernel_limits *l)
{
	const struct { int type; uint64_t v; } lim[] = {
		{ ESPTUN_A_LIMIT_TIME_SOFT, l->time_soft },
		{ ESPTUN_A_LIMIT_TIME_HARD, l->time_hard },
		{ ESPTUN_A_LIMIT_BYTE_SOFT, l->byte_soft },
		{ ESPTUN_A_LIMIT_BYTE_HARD, l->byte_hard },
		{ ESPTUN_A_LIMIT_PACKET_SOFT, l->packet_soft },
		{ ESPTUN_A_LIMIT_PACKET_HARD, l->packet_hard },
	};
	struct nlattr *nest;
	size_t i;

	/* No limit at all: no nest, as `esptun sa add` without `limit`. */
	for (i = 0; i < sizeof(lim) / sizeof(lim[0]); i++)
		if (lim[i].v)
			break;
	if (i == sizeof(lim) / sizeof(lim[0]))
		return 0;
	nest = nla_nest_start(msg, ESPTUN_A_SA_LIMITS);
	if (!nest)
		return -ENOMEM;
	for (i = 0; i < sizeof(lim) / sizeof(lim[0]); i++)
		if (lim[i].v && nla_put_u64(msg, lim[i].type, lim[i].v))
			return -ENOMEM;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_alg(struct nl_msg *msg, int name, const char *s, int key,
		   const uint8_t *k, size_t klen)
{
	if (!memchr(s, '\0', KERNEL_ALG_NAME) || klen > KERNEL_KEY_MAX)
		return -EINVAL;
	if (nla_put_string(msg, name, s) || nla_put(msg, key, (int)klen, k))
		return -ENOMEM;
	return 0;
}

int kernel_put_sa(struct nl_msg *msg, const struct kernel_sa *sa)
{
	struct nlattr *nest;
	int err;

	if (!memchr(sa->ifname, '\0', sizeof(sa->ifname)) || !sa->ifname[0] ||
	    sa->src.ss_family != sa->dst.ss_family ||
	    (sa->dir != ESPTUN_SA_DIR_IN && sa->dir != ESPTUN_SA_DIR_OUT) ||
	    sa->spi < 256 || !sa->encap_sport != !sa->encap_dport ||
	    !sa->aead_name[0] == !sa->enc_name[0] ||
	    (sa->enc_name[0] && !sa->auth_name[0]))
		return -EINVAL;
	if (nla_put_string(msg, ESPTUN_A_DEVICE_IFNAME, sa->ifname))
		return -ENOMEM;
	nest = nla_nest_start(msg, ESPTUN_A_DEVICE_SA);
	if (!nest || nla_put_u8(msg, ESPTUN_A_SA_DIR, sa->dir) ||
	    nla_put_u32(msg, ESPTUN_A_SA_SPI, sa->spi))
		return -ENOMEM;
	if ((err = put_addr(msg, ESPTUN_A_SA_SRC, &sa->src)) ||
	    (err = put_addr(msg, ESPTUN_A_SA_DST, &sa->dst)))
		return err;
	if (sa->encap_sport &&
	    (nla_put_u16(msg, ESPTUN_A_SA_ENCAP_SPORT, sa->encap_sport) ||
	     nla_put_u16(msg, ESPTUN_A_SA_ENCAP_DPORT, sa->encap_dport)))
		return -ENOMEM;
	if (sa->aead_name[0]) {
		err = put_alg(msg, ESPTUN_A_SA_AEAD_NAME, sa->aead_name,
			      ESPTUN_A_SA_AEAD_KEY, sa->aead_key,
			      sa->aead_key_len);
		if (!err && nla_put_u32(msg, ESPTUN_A_SA_AEAD_ICV_BITS,
					sa->aead_icv_bits))
			err = -ENOMEM;
	} else {
		err = put_alg(msg, ESPTUN_A_SA_ENC_NAME, sa->enc_name,
			      ESPTUN_A_SA_ENC_KEY, sa->enc_key,
			      sa->enc_key_len);
		if (!err)
			err = put_alg(msg, ESPTUN_A_SA_AUTH_NAME,
				      sa->auth_name, ESPTUN_A_SA_AUTH_KEY,
				      sa->auth_key, sa->auth_key_len);
		if (!err && nla_put_u32(msg, ESPTUN_A_SA_AUTH_TRUNC_BITS,
					sa->auth_trunc_bits))
			err = -ENOMEM;
	}
	if (err)
		return err;
	if (sa->dir == ESPTUN_SA_DIR_IN && sa->replay_window &&
	    nla_put_u32(msg, ESPTUN_A_SA_REPLAY_WINDOW, sa->replay_window))
		return -ENOMEM;
	if (sa->esn && nla_put_u32(msg, ESPTUN_A_SA_FLAGS, ESPTUN_SA_F_ESN))
		return -ENOMEM;
	if ((err = put_sel(msg, ESPTUN_A_SA_SEL_SRC, ESPTUN_A_SA_SEL_SRC_PLEN,
			   &sa->sel_src)) ||
	    (err = put_sel(msg, ESPTUN_A_SA_SEL_DST, ESPTUN_A_SA_SEL_DST_PLEN,
			   &sa->sel_dst)) ||
	    (err = put_limits(msg, &sa->lim)))
		return err;
	nla_nest_end(msg, nest);
	return 0;
}

/* ---- requests ---- */

/*
 * Sends msg (then wipes and frees it) and reads the answer.  0, or a
 * negative errno with the kernel's message, or a substitute, in err.
 */
static int request(struct kernel *k, const char *what, struct nl_msg *msg,
		   int (*fn)(struct nl_msg *, void *), void *arg, char *err,
		   size_t errlen)
{
	struct nlreq_error e;
	int ret = nlreq_run(k->req, msg, fn, arg, &e);

	if (!ret)
		return 0;
	if (e.msg[0])
		snprintf(err, errlen, "%s: %s", what, e.msg);
	else if (ret == -EPERM)
		snprintf(err, errlen, "%s: %s (esptund needs CAP_NET_ADMIN)",
			 what, strerror(-ret));
	else
		snprintf(err, errlen, "%s: %s", what, strerror(-ret));
	return ret;
}

static struct nl_msg *new_msg(struct kernel *k, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, k->family, 0,
				flags, cmd, ESPTUN_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void unreserve(struct kernel *k, uint32_t spi)
{
	size_t i;

	for (i = 0; i < k->n_reserved; i++) {
		if (k->reserved[i].spi == spi) {
			k->reserved[i] = k->reserved[--k->n_reserved];
			return;
		}
	}
}

static bool reserved(struct kernel *k, uint32_t spi)
{
	size_t i;

	for (i = 0; i < k->n_reserved; i++)
		if (k->reserved[i].spi == spi)
			return true;
	return false;
}

static void expire_reservations(struct kernel *k)
{
	uint64_t now = now_ms();
	size_t i = 0;

	while (i < k->n_reserved) {
		if (now - k->reserved[i].at >= SPI_RESERVE_MS)
			k->reserved[i] = k->reserved[--k->n_reserved];
		else
			i++;
	}
}

int kernel_sa_add(struct kernel *k, const struct kernel_sa *sa, char *err,
		  size_t errlen)
{
	const char *what = sa->dir == ESPTUN_SA_DIR_IN ? "adding inbound SA" :
			   "adding outbound SA";
	struct nl_msg *msg = new_msg(k, ESPTUN_CMD_SA_NEW, 0);
	int ret;

	if (!msg) {
		snprintf(err, errlen, "%s: out of memory", what);
		return -ENOMEM;
	}
	ret = kernel_put_sa(msg, sa);
	if (ret) {
		nlreq_msg_free(msg);
		snprintf(err, errlen, "%s: %s", what, ret == -EINVAL ?
			 "invalid SA description (a bug in esptund)" :
			 "out of memory");
		return ret;
	}
	ret = request(k, what, msg, NULL, NULL, err, errlen);
	if (!ret && sa->dir == ESPTUN_SA_DIR_IN)
		unreserve(k, sa->spi);
	return ret;
}

static struct nl_msg *sa_id_msg(struct kernel *k, uint8_t cmd,
				const char *ifname, uint8_t dir, uint32_t spi)
{
	struct nl_msg *msg = new_msg(k, cmd, 0);
	struct nlattr *nest;

	if (!msg || nla_put_string(msg, ESPTUN_A_DEVICE_IFNAME, ifname) ||
	    !(nest = nla_nest_start(msg, ESPTUN_A_DEVICE_SA)) ||
	    nla_put_u8(msg, ESPTUN_A_SA_DIR, dir) ||
	    nla_put_u32(msg, ESPTUN_A_SA_SPI, spi)) {
		nlreq_msg_free(msg);
		return NULL;
	}
	nla_nest_end(msg, nest);
	return msg;
}

int kernel_sa_del(struct kernel *k, const char *ifname, uint8_t dir,
		  uint32_t spi, char *err, size_t errlen)
{
	struct nl_msg *msg = sa_id_msg(k, ESPTUN_CMD_SA_DEL, ifname, dir, spi);

	if (!msg) {
		snprintf(err, errlen, "deleting SA: out of memory");
		return -ENOMEM;
	}
	return request(k, "deleting SA", msg, NULL, NULL, err, errlen);
}

int kernel_child_install(struct kernel *k, const struct kernel_sa *in,
			 const struct kernel_sa *out, char *err, size_t errlen)
{
	char derr[KERNEL_ERR_LEN];
	int ret;

	if (in->dir != ESPTUN_SA_DIR_IN || out->dir != ESPTUN_SA_DIR_OUT) {
		snprintf(err, errlen,
			 "installing Child SA: directions swapped (a bug in esptund)");
		return -EINVAL;
	}
	ret = kernel_sa_add(k, in, err, errlen);
	if (ret)
		return ret;
	ret = kernel_sa_add(k, out, err, errlen);
	if (ret && kernel_sa_del(k, in->ifname, ESPTUN_SA_DIR_IN, in->spi,
				 derr, sizeof(derr))) {
		/* Say so: an inbound SA without its twin stays behind. */
		size_t n = strlen(err);

		snprintf(err + n, errlen - n, "; removing the inbound SA %08x again failed too: %s",
			 in->spi, derr);
	}
	return ret;
}

/* ---- reading SAs ---- */

static struct nlattr *sa_nest(struct nl_msg *msg, struct nlattr **tb)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *top[ESPTUN_A_DEVICE_MAX + 1];

	if (!genlmsg_valid_hdr(nlh, 0) ||
	    genlmsg_parse(nlh, 0, top, ESPTUN_A_DEVICE_MAX, NULL) < 0 ||
	    !top[ESPTUN_A_DEVICE_SA] ||
	    nla_parse_nested(tb, ESPTUN_A_SA_MAX, top[ESPTUN_A_DEVICE_SA],
			     NULL) < 0)
		return NULL;
	return top[ESPTUN_A_DEVICE_SA];
}

static bool get_u64(const struct nlattr *a, uint64_t *v)
{
	if (!a || nla_len(a) != 8)
		return false;
	memcpy(v, nla_data(a), 8);
	return true;
}

static bool get_u32(const struct nlattr *a, uint32_t *v)
{
	if (!a || nla_len(a) != 4)
		return false;
	memcpy(v, nla_data(a), 4);
	return true;
}

static bool get_u16(const struct nlattr *a, uint16_t *v)
{
	if (!a || nla_len(a) != 2)
		return false;
	memcpy(v, nla_data(a), 2);
	return true;
}

static bool get_u8(const struct nlattr *a, uint8_t *v)
{
	if (!a || nla_len(a) != 1)
		return false;
	*v = *(const uint8_t *)nla_data(a);
	return true;
}

static int on_stats(struct nl_msg *msg, void *arg)
{
	struct kernel_sa_stats *st = arg;
	struct nlattr *tb[ESPTUN_A_SA_MAX + 1], *s[ESPTUN_A_SA_STATS_MAX + 1];

	if (!sa_nest(msg, tb))
		return NL_SKIP;
	if (tb[ESPTUN_A_SA_STATS] &&
	    !nla_parse_nested(s, ESPTUN_A_SA_STATS_MAX, tb[ESPTUN_A_SA_STATS],
			      NULL)) {
		get_u64(s[ESPTUN_A_SA_STATS_PACKETS], &st->packets);
		get_u64(s[ESPTUN_A_SA_STATS_BYTES], &st->bytes);
	}
	get_u64(tb[ESPTUN_A_SA_ADD_TIME], &st->add_time);
	st->used = get_u64(tb[ESPTUN_A_SA_USE_TIME], &st->use_time);
	return NL_OK;
}

int kernel_sa_stats(struct kernel *k, const char *ifname, uint8_t dir,
		    uint32_t spi, struct kernel_sa_stats *st, char *err,
		    size_t errlen)
{
	struct nl_msg *msg = sa_id_msg(k, ESPTUN_CMD_SA_GET, ifname, dir, spi);

	memset(st, 0, sizeof(*st));
	if (!msg) {
		snprintf(err, errlen, "reading SA: out of memory");
		return -ENOMEM;
	}
	return request(k, "reading SA", msg, on_stats, st, err, errlen);
}

/* ---- SPI allocation ---- */

struct spi_set {
	uint32_t *v;
	size_t n, cap;
	bool nomem;
};

static int on_spi(struct nl_msg *msg, void *arg)
{
	struct spi_set *s = arg;
	struct nlattr *tb[ESPTUN_A_SA_MAX + 1];
	uint32_t spi, *nv;
	uint8_t dir;

	if (!sa_nest(msg, tb) || !get_u8(tb[ESPTUN_A_SA_DIR], &dir) ||
	    dir != ESPTUN_SA_DIR_IN || !get_u32(tb[ESPTUN_A_SA_SPI], &spi))
		return NL_OK;
	if (s->n == s->cap) {
		nv = realloc(s->v, (s->cap ? s->cap * 2 : 64) * sizeof(*nv));
		if (!nv) {
			s->nomem = true;
			return NL_STOP;
		}
		s->v = nv;
		s->cap = s->cap ? s->cap * 2 : 64;
	}
	s->v[s->n++] = spi;
	return NL_OK;
}

static bool in_list(const uint32_t *v, size_t n, uint32_t spi)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == spi)
			return true;
	return false;
}

int kernel_spi_alloc(struct kernel *k, uint32_t *spi, char *err,
		     size_t errlen)
{
	struct spi_set used = { 0 };
	struct nl_msg *msg;
	uint32_t r;
	int ret, attempt, i;

	/* The inbound SPIs of every esptun interface of this netns. */
	for (attempt = 0; attempt < 5; attempt++) {
		used.n = 0;
		msg = new_msg(k, ESPTUN_CMD_SA_GET, NLM_F_DUMP);
		if (!msg) {
			ret = -ENOMEM;
			snprintf(err, errlen, "allocating an SPI: out of memory");
			break;
		}
		ret = request(k, "allocating an SPI", msg, on_spi, &used, err,
			      errlen);
		if (ret != -EAGAIN)
			break;
	}
	if (!ret && used.nomem) {
		ret = -ENOMEM;
		snprintf(err, errlen, "allocating an SPI: out of memory");
	}
	if (ret) {
		free(used.v);
		return ret;
	}
	expire_reservations(k);
	if (k->n_reserved == k->cap_reserved) {
		size_t cap = k->cap_reserved ? k->cap_reserved * 2 : 16;
		struct reservation *nr;

		nr = realloc(k->reserved, cap * sizeof(*nr));
		if (!nr) {
			free(used.v);
			snprintf(err, errlen, "allocating an SPI: out of memory");
			return -ENOMEM;
		}
		k->reserved = nr;
		k->cap_reserved = cap;
	}
	for (i = 0; i < SPI_ALLOC_TRIES; i++) {
		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			break;
		if (r < 256 || in_list(used.v, used.n, r) || reserved(k, r))
			continue;
		free(used.v);
		k->reserved[k->n_reserved].spi = r;
		k->reserved[k->n_reserved++].at = now_ms();
		*spi = r;
		return 0;
	}
	free(used.v);
	snprintf(err, errlen, "allocating an SPI: no free SPI found");
	return -EAGAIN;
}

void kernel_spi_release(struct kernel *k, uint32_t spi)
{
	unreserve(k, spi);
}

/* ---- events ---- */

static bool get_addr(const struct nlattr *a, int *family, uint8_t *out)
{
	int len = a ? nla_len(a) : 0;

	if (len != 4 && len != 16)
		return false;
	if (*family && *family != (len == 4 ? AF_INET : AF_INET6))
		return false;
	*family = len == 4 ? AF_INET : AF_INET6;
	memcpy(out, nla_data(a), (size_t)len);
	return true;
}

static bool get_sockaddr(const struct nlattr *a,
			 struct sockaddr_storage *ss)
{
	int family = 0;
	uint8_t addr[16];

	if (!get_addr(a, &family, addr))
		return false;
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr, 16);
	}
	return true;
}

int kernel_parse_event(const struct nlmsghdr *nlh, int family,
		       struct kernel_event *ev)
{
	struct nlattr *top[ESPTUN_A_DEVICE_MAX + 1], *tb[ESPTUN_A_SA_MAX + 1];
	struct nlmsghdr *h = (struct nlmsghdr *)nlh;
	struct genlmsghdr *g;
	uint8_t hard;
	int fam = 0;

	memset(ev, 0, sizeof(*ev));
	if (nlh->nlmsg_type != family || !genlmsg_valid_hdr(h, 0))
		return -1;
	g = genlmsg_hdr(h);
	if (genlmsg_parse(h, 0, top, ESPTUN_A_DEVICE_MAX, NULL) < 0 ||
	    !top[ESPTUN_A_DEVICE_SA] ||
	    nla_parse_nested(tb, ESPTUN_A_SA_MAX, top[ESPTUN_A_DEVICE_SA],
			     NULL) < 0)
		return -1;
	get_u32(top[ESPTUN_A_DEVICE_IFINDEX], &ev->ifindex);
	if (top[ESPTUN_A_DEVICE_IFNAME])
		nla_strlcpy(ev->ifname, top[ESPTUN_A_DEVICE_IFNAME],
			    sizeof(ev->ifname));
	if (!ev->ifname[0])
		return -1;
	if (!get_u8(tb[ESPTUN_A_SA_DIR], &ev->dir))
		return -1;
	switch (g->cmd) {
	case ESPTUN_CMD_ACQUIRE:
		ev->type = KERNEL_EV_ACQUIRE;
		if (!get_addr(tb[ESPTUN_A_SA_SEL_SRC], &fam, ev->src) ||
		    !get_addr(tb[ESPTUN_A_SA_SEL_DST], &fam, ev->dst) ||
		    !get_u8(tb[ESPTUN_A_SA_PROTO], &ev->proto))
			return -1;
		ev->family = fam;
		return 0;
	case ESPTUN_CMD_EXPIRE:
		ev->type = KERNEL_EV_EXPIRE;
		if (!get_u32(tb[ESPTUN_A_SA_SPI], &ev->spi) ||
		    !get_u8(tb[ESPTUN_A_SA_EXPIRE_HARD], &hard) ||
		    !get_u16(tb[ESPTUN_A_SA_EXPIRE_LIMIT], &ev->limit) ||
		    (ev->dir != ESPTUN_SA_DIR_IN &&
		     ev->dir != ESPTUN_SA_DIR_OUT))
			return -1;
		ev->hard = hard;
		/* SRC and DST help logging only: tolerate their absence. */
		get_sockaddr(tb[ESPTUN_A_SA_SRC], &ev->sa_src);
		get_sockaddr(tb[ESPTUN_A_SA_DST], &ev->sa_dst);
		return 0;
	default:
		return -1;
	}
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct kernel *k = arg;
	struct kernel_event ev;

	if (!kernel_parse_event(nlmsg_hdr(msg), k->family, &ev) && k->ev_fn)
		k->ev_fn(k->ev_arg, &ev);
	return NL_OK;
}

int kernel_events_read(struct kernel *k, kernel_event_fn fn, void *arg,
		       char *err, size_t errlen)
{
	int ret;

	k->ev_fn = fn;
	k->ev_arg = arg;
	ret = nl_recvmsgs_default(k->ev);
	k->ev_fn = NULL;
	if (ret >= 0 || ret == -NLE_AGAIN)
		return 0;
	if (ret == -NLE_NOMEM)
		snprintf(err, errlen,
			 "kernel events were lost (the receive buffer overflowed)");
	else
		snprintf(err, errlen, "reading kernel events: %s",
			 nl_geterror(ret));
	return -1;
}

int kernel_event_fd(const struct kernel *k)
{
	return nl_socket_get_fd(k->ev);
}

/* ---- sockets ---- */

static struct nl_sock *open_sock(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1;

	if (!sk)
		return NULL;
	if (genl_connect(sk) < 0) {
		nl_socket_free(sk);
		return NULL;
	}
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	return sk;
}

struct kernel *kernel_open(char *err, size_t errlen)
{
	struct kernel *k = calloc(1, sizeof(*k));
	int grp, ret;

	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	k->req = open_sock();
	k->ev = open_sock();
	if (!k->req || !k->ev) {
		snprintf(err, errlen, "cannot open a generic netlink socket");
		goto fail;
	}
	/* Resolving the family by name autoloads esptun.ko if installed. */
	k->family = genl_ctrl_resolve(k->req, ESPTUN_GENL_NAME);
	if (k->family < 0) {
		snprintf(err, errlen,
			 "the esptun kernel module is not available: install it (`make install`) or load it (`insmod kmod/esptun.ko`)");
		goto fail;
	}
	grp = genl_ctrl_resolve_grp(k->req, ESPTUN_GENL_NAME,
				    ESPTUN_MCGRP_EVENTS);
	if (grp < 0) {
		snprintf(err, errlen,
			 "the esptun module has no \"%s\" group (module older than esptund?)",
			 ESPTUN_MCGRP_EVENTS);
		goto fail;
	}
	ret = nl_socket_add_membership(k->ev, grp);
	if (ret < 0) {
		snprintf(err, errlen, "cannot join the esptun events group: %s%s",
			 nl_geterror(ret), ret == -NLE_PERM ?
			 " (esptund needs CAP_NET_ADMIN)" : "");
		goto fail;
	}
	nl_socket_disable_seq_check(k->ev);
	nl_socket_modify_cb(k->ev, NL_CB_VALID, NL_CB_CUSTOM, on_event, k);
	nl_socket_set_buffer_size(k->ev, 1 << 20, 0);
	if (nl_socket_set_nonblocking(k->ev) < 0) {
		snprintf(err, errlen, "cannot make the event socket non-blocking");
		goto fail;
	}
	return k;
fail:
	kernel_close(k);
	return NULL;
}

void kernel_close(struct kernel *k)
{
	if (!k)
		return;
	nl_socket_free(k->req);
	nl_socket_free(k->ev);
	free(k->reserved);
	free(k);
}
