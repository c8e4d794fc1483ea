// SPDX-License-Identifier: GPL-2.0
/*
 * esptund's main loop (see run.h).  It owns the configuration, the IKE
 * state machine (ike_sa.c) and everything the state machine does through
 * struct ike_io: datagrams through net.c, SPIs and Child SAs through
 * kernel.c, logs to stderr (-f) or syslog, time from loop.c.  It feeds
 * the state machine the datagrams, the timer, the kernel's ACQUIREs (for
 * start_action = trap) and EXPIREs, and the control requests of
 * `esptun ike` (struct ctl_ops).
 *
 * Configuration generations: IKE SAs point into the configuration they
 * were made with.  A reload makes a new generation (configuration,
 * certificates, keys) current and keeps the old ones until no IKE SA
 * points into them any more.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <syslog.h>
#include <unistd.h>

#include <linux/esptun.h>

#include "auth.h"
#include "config.h"
#include "ctl.h"
#include "glue.h"
#include "ike_sa.h"
#include "ikev2.h"
#include "kernel.h"
#include "loop.h"
#include "net.h"
#include "proposal.h"
#include "run.h"
#include "ts.h"

_Static_assert(CTL_ERR_LEN >= CONF_ERR_LEN, "config errors must fit");
_Static_assert(CTL_ERR_LEN >= GLUE_ERR_LEN, "config errors must fit");
_Static_assert(CTL_LAST_ERROR >= IKE_LAST_ERROR_LEN, "last_error must fit");
_Static_assert(CTL_LAST_ERROR >= KERNEL_ERR_LEN, "kernel errors must fit");

/* One loaded configuration and the certificates and keys it names. */
struct cfg_gen {
	struct config conf;
	struct creds creds;
	struct cfg_gen *next;
};

struct daemon {
	struct loop loop;
	struct kernel *k;
	struct net net;
	struct ctl *ctl;
	struct ike_daemon ike;
	const char *config_path;
	struct cfg_gen *cfg;		/* current */
	struct cfg_gen *retired;	/* older, still used by IKE SAs */
	bool fg, debug;
	int sigfd;
	/* The kernel's reason for the last refused SA, for last_error. */
	char kerr[KERNEL_ERR_LEN];
	char kerr_child[CTL_NAME_MAX + 1];
	uint32_t kerr_spi;
	uint8_t buf[NET_BUF_MAX];
};

/* ---- logging ---- */

static const char *level_name(int level)
{
	switch (level) {
	case IKE_LOG_ERR: return "error";
	case IKE_LOG_WARN: return "warning";
	case IKE_LOG_INFO: return "info";
	default: return "debug";
	}
}

static void vlogmsg(struct daemon *d, int level, const char *fmt, va_list ap)
{
	char msg[2048];
	size_t i;

	if (level >= IKE_LOG_DEBUG && !d->debug)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Peers choose some of these strings (IDs): no control bytes. */
	for (i = 0; msg[i]; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = '?';
	if (d->fg)
		fprintf(stderr, "esptund: %s: %s\n", level_name(level), msg);
	else
		syslog(level, "%s", msg);
}

static void __attribute__((format(printf, 3, 4)))
logmsg(struct daemon *d, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlogmsg(d, level, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
io_log(void *ctx, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlogmsg(ctx, level, fmt, ap);
	va_end(ap);
}

/* ---- addresses ---- */

static socklen_t ss_len(int family)
{
	return family == AF_INET ? sizeof(struct sockaddr_in) :
				   sizeof(struct sockaddr_in6);
}

static void ss_set(struct sockaddr_storage *ss, int family,
		   const uint8_t *addr, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		memcpy(&s->sin_addr, addr, 4);
		s->sin_port = htons(port);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		memcpy(&s->sin6_addr, addr, 16);
		s->sin6_port = htons(port);
	}
}

static void ss_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	uint16_t port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		port = ntohs(s->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		port = ntohs(s->sin6_port);
	}
	snprintf(buf, len, "%s[%u]", a, port);
}

/*
 * The peer to initiate to (the first of remote_addrs naming one; DNS
 * names are resolved here) and our address towards it (the first single
 * address of local_addrs of its family, else the route's source).
 */
static int conn_addrs(const struct conf_conn *conn,
		      struct sockaddr_storage *local,
		      struct sockaddr_storage *remote, char *err, size_t errlen)
{
	const struct conf_addr *a;
	uint8_t addr[16];
	socklen_t sl;
	size_t i, len;
	int fd, family = 0;

	memset(remote, 0, sizeof(*remote));
	for (i = 0; i < conn->remote_addrs.n && !family; i++) {
		a = &conn->remote_addrs.v[i];
		if (a->kind == CONF_ADDR_HOST) {
			struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
						  .ai_family = a->family }, *res;
			int r = getaddrinfo(a->host, NULL, &hints, &res);

			if (r) {
				snprintf(err, errlen, "%s: cannot resolve %s: %s",
					 conn->name, a->host, gai_strerror(r));
				return -1;
			}
			if (res->ai_addrlen <= sizeof(*remote) &&
			    (res->ai_family == AF_INET ||
			     res->ai_family == AF_INET6)) {
				memcpy(remote, res->ai_addr, res->ai_addrlen);
				family = res->ai_family;
			}
			freeaddrinfo(res);
		} else if (a->kind == CONF_ADDR_RANGE) {
			len = a->family == AF_INET ? 4 : 16;
			if (memcmp(a->lo, a->hi, len))
				continue;
			ss_set(remote, a->family, a->lo, 0);
			family = a->family;
		}
	}
	if (!family) {
		snprintf(err, errlen,
			 "%s: remote_addrs names no single peer to initiate to; give its address or DNS name",
			 conn->name);
		return -1;
	}
	/* The port: ss_set() clears *remote first, so copy the address. */
	memcpy(addr, family == AF_INET ?
	       (const void *)&((struct sockaddr_in *)remote)->sin_addr :
	       (const void *)&((struct sockaddr_in6 *)remote)->sin6_addr,
	       family == AF_INET ? 4 : 16);
	ss_set(remote, family, addr, conn->remote_port);
	for (i = 0; i < conn->local_addrs.n; i++) {
		a = &conn->local_addrs.v[i];
		len = a->family == AF_INET ? 4 : 16;
		if (a->kind == CONF_ADDR_RANGE && a->family == family &&
		    !memcmp(a->lo, a->hi, len)) {
			ss_set(local, family, a->lo, conn->local_port);
			return 0;
		}
	}
	/* The source address the routing table picks for the peer. */
	memset(local, 0, sizeof(*local));
	sl = sizeof(*local);
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)remote, ss_len(family)) ||
	    getsockname(fd, (struct sockaddr *)local, &sl)) {
		char r[64];

		ss_str(remote, r, sizeof(r));
		snprintf(err, errlen, "%s: no route to %s: %s", conn->name, r,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (family == AF_INET)
		((struct sockaddr_in *)local)->sin_port = htons(conn->local_port);
	else
		((struct sockaddr_in6 *)local)->sin6_port =
			htons(conn->local_port);
	return 0;
}

/* ---- struct ike_io ---- */

static int io_send(void *ctx, const uint8_t *buf, size_t len,
		   const struct sockaddr *from, const struct sockaddr *to)
{
	struct daemon *d = ctx;
	struct sockaddr_storage l, r;
	char a[64];

	if ((from->sa_family != AF_INET && from->sa_family != AF_INET6) ||
	    from->sa_family != to->sa_family)
		return -1;
	memset(&l, 0, sizeof(l));
	memset(&r, 0, sizeof(r));
	memcpy(&l, from, ss_len(from->sa_family));
	memcpy(&r, to, ss_len(to->sa_family));
	if (net_send(&d->net, &l, &r, buf, len)) {
		ss_str(&r, a, sizeof(a));
		logmsg(d, IKE_LOG_WARN, "sending %zu bytes to %s: %s", len, a,
		       errno == ENOENT ? "no IKE socket on that local address and port" :
		       strerror(errno));
		return -1;
	}
	return 0;
}

static int io_spi_alloc(void *ctx, uint32_t *spi)
{
	struct daemon *d = ctx;
	char err[KERNEL_ERR_LEN];

	if (kernel_spi_alloc(d->k, spi, err, sizeof(err))) {
		logmsg(d, IKE_LOG_ERR, "%s", err);
		return -1;
	}
	return 0;
}

static const char *sel_str(const struct kernel_sel *s, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (!s->family) {
		snprintf(buf, len, "any");
		return buf;
	}
	inet_ntop(s->family, s->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, s->plen);
	return buf;
}

static int io_child_install(void *ctx, const struct ike_child_dir *c)
{
	struct daemon *d = ctx;
	char err[KERNEL_ERR_LEN];
	struct kernel_sa ks;
	bool exact;
	int ret;

	if (glue_child_to_kernel(c, &ks, &exact, err, sizeof(err))) {
		ret = -1;
		goto fail;
	}
	if (!exact && c->dir == ESPTUN_SA_DIR_IN) {
		char a[256] = "", b[256] = "", sa[64], sb[64];

		if (c->sel_src)
			ts_str(c->sel_src, a, sizeof(a));
		if (c->sel_dst)
			ts_str(c->sel_dst, b, sizeof(b));
		logmsg(d, IKE_LOG_WARN,
		       "%s: the kernel checks one address prefix per side: inbound traffic of %s === %s is checked as %s === %s only",
		       c->child, a, b, sel_str(&ks.sel_src, sa, sizeof(sa)),
		       sel_str(&ks.sel_dst, sb, sizeof(sb)));
	}
	ret = kernel_sa_add(d->k, &ks, err, sizeof(err));
	kernel_sa_wipe(&ks);
	if (!ret) {
		logmsg(d, IKE_LOG_DEBUG, "%s: installed %s SA %08x on %s",
		       c->child, c->dir == ESPTUN_SA_DIR_IN ? "inbound" :
		       "outbound", c->spi, c->interface);
		return 0;
	}
fail:
	if (c->dir == ESPTUN_SA_DIR_IN)
		kernel_spi_release(d->k, c->spi);
	logmsg(d, IKE_LOG_ERR, "%s: %s", c->child, err);
	snprintf(d->kerr, sizeof(d->kerr), "%s", err);
	snprintf(d->kerr_child, sizeof(d->kerr_child), "%s", c->child);
	d->kerr_spi = c->spi;
	return -1;
}

static int io_child_delete(void *ctx, const char *interface, uint8_t dir,
			   uint32_t spi, const struct sockaddr *dst)
{
	struct daemon *d = ctx;
	char err[KERNEL_ERR_LEN];

	(void)dst;
	if (!interface)
		return -1;
	if (kernel_sa_del(d->k, interface, dir, spi, err, sizeof(err))) {
		logmsg(d, IKE_LOG_WARN, "%s SA %08x on %s: %s",
		       dir == ESPTUN_SA_DIR_IN ? "inbound" : "outbound", spi,
		       interface, err);
		return -1;
	}
	return 0;
}

static uint64_t io_now(void *ctx)
{
	(void)ctx;
	return loop_now_ms();
}

static const struct ike_io io = {
	.send = io_send,
	.spi_alloc = io_spi_alloc,
	.child_install = io_child_install,
	.child_delete = io_child_delete,
	.log = io_log,
	.now = io_now,
};

/*
 * The state machine words a refused Child SA itself; add the kernel's
 * reason (which only io_child_install saw) to that IKE SA's last_error.
 */
static void attach_kernel_error(struct daemon *d)
{
	struct ikesa *sa;
	size_t n;

	if (!d->kerr[0])
		return;
	for (sa = d->ike.sas; sa; sa = sa->next) {
		if (!sa->has_child || !sa->child.conf ||
		    strcmp(sa->child.conf->name, d->kerr_child) ||
		    (sa->child.spi_in != d->kerr_spi &&
		     sa->child.spi_out != d->kerr_spi))
			continue;
		n = strnlen(sa->last_error, sizeof(sa->last_error));
		if (!strstr(sa->last_error, d->kerr))
			snprintf(sa->last_error + n, sizeof(sa->last_error) - n,
				 "%skernel: %s", n ? "; " : "", d->kerr);
	}
	d->kerr[0] = '\0';
}

/* ---- configuration generations, timer ---- */

static bool gen_used(struct daemon *d, const struct cfg_gen *g)
{
	struct ikesa *sa;

	for (sa = d->ike.sas; sa; sa = sa->next)
		if (sa->conn && glue_conn_in(&g->conf, sa->conn))
			return true;
	return false;
}

static void gen_free(struct cfg_gen *g)
{
	creds_free(&g->creds);
	config_free(&g->conf);
	free(g);
}

static void gen_reap(struct daemon *d)
{
	struct cfg_gen **pp = &d->retired, *g;

	while ((g = *pp)) {
		if (gen_used(d, g)) {
			pp = &g->next;
			continue;
		}
		*pp = g->next;
		gen_free(g);
	}
}

static void on_timer(void *arg);

/* After anything that moved the state machine: errors, reaping, timer. */
static void settle(struct daemon *d)
{
	int64_t t;

	attach_kernel_error(d);
	gen_reap(d);
	t = ike_daemon_next_timeout(&d->ike);
	if (t < 0)
		loop_set_timer(&d->loop, 0, NULL, NULL);
	else
		loop_set_timer(&d->loop, loop_now_ms() + (uint64_t)t + 1,
			       on_timer, d);
}

static void on_timer(void *arg)
{
	struct daemon *d = arg;

	ike_daemon_tick(&d->ike);
	settle(d);
}

/* ---- starting children ---- */

/* Whether sa negotiates child ch or carries it installed. */
static bool has_child(const struct ikesa *sa, const struct conf_child *ch)
{
	if (sa->state == IKE_DEAD || sa->state == IKE_DELETING)
		return false;
	if (!sa->has_child)
		return sa->want_child == ch;
	return sa->child.conf == ch && sa->child.installed &&
	       !sa->child_deleting;
}

/* An IKE SA negotiating or carrying child ch, not on its way out. */
static struct ikesa *child_sa(struct daemon *d, const struct conf_child *ch)
{
	struct ikesa *sa;

	for (sa = d->ike.sas; sa; sa = sa->next)
		if (has_child(sa, ch))
			return sa;
	return NULL;
}

static int initiate(struct daemon *d, const struct conf_conn *conn,
		    const struct conf_child *ch, const char *why, char *err,
		    size_t errlen)
{
	char e[IKE_LAST_ERROR_LEN] = "", a[64];
	struct sockaddr_storage local, remote;

	if (conn_addrs(conn, &local, &remote, err, errlen))
		return -1;
	if (!ike_sa_initiate(&d->ike, conn->name, ch->name,
			     (struct sockaddr *)&local,
			     (struct sockaddr *)&remote, e)) {
		snprintf(err, errlen, "%s", e[0] ? e : "cannot initiate");
		return -1;
	}
	ss_str(&remote, a, sizeof(a));
	logmsg(d, IKE_LOG_INFO, "%s: initiating %s to %s (%s)", ch->name,
	       conn->name, a, why);
	return 0;
}

/* Every start_action = start child that has no IKE SA yet. */
static void start_children(struct daemon *d)
{
	const struct config *c = &d->cfg->conf;
	char err[CTL_ERR_LEN];
	size_t i, k;

	for (i = 0; i < c->n_conns; i++) {
		for (k = 0; k < c->conns[i].n_children; k++) {
			const struct conf_child *ch = &c->conns[i].children[k];

			if (!(ch->start_action & CONF_START_START) ||
			    child_sa(d, ch))
				continue;
			if (initiate(d, &c->conns[i], ch, "start_action = start",
				     err, sizeof(err)))
				logmsg(d, IKE_LOG_ERR, "%s: %s", ch->name, err);
		}
	}
}

/* ---- control requests ---- */

/* Keys strongSwan knows and esptund ignores, unknown keys: said, not fatal. */
static void conf_warn(void *arg, const char *msg)
{
	logmsg(arg, IKE_LOG_WARN, "%s", msg);
}

/*
 * The certificates and keys, from the configuration's directory (x509/,
 * x509ca/, private/, as swanctl).  auth.c names the connection that
 * failed: its line goes in front, like every configuration error.
 */
static int load_creds(const char *path, struct cfg_gen *g, char *err)
{
	char dir[4096], aerr[AUTH_ERR_LEN], key[CTL_NAME_MAX + 16];
	int line = 0;
	size_t i;

	snprintf(dir, sizeof(dir), "%s", path);
	if (!creds_load(&g->creds, &g->conf, dirname(dir), aerr))
		return 0;
	for (i = 0; i < g->conf.n_conns && !line; i++) {
		snprintf(key, sizeof(key), "connection %s:",
			 g->conf.conns[i].name);
		if (strstr(aerr, key))
			line = g->conf.conns[i].line;
	}
	if (line)
		snprintf(err, CTL_ERR_LEN, "%s:%d: %.400s", path, line, aerr);
	else
		snprintf(err, CTL_ERR_LEN, "%s: %.400s", path, aerr);
	return -1;
}

static int load(struct daemon *d, char *msg, char *err)
{
	struct cfg_gen *g = calloc(1, sizeof(*g));
	const struct config *c;
	size_t i, children = 0;

	if (!g) {
		snprintf(err, CTL_ERR_LEN, "out of memory");
		return -1;
	}
	if (config_load_file(d->config_path, &g->conf, conf_warn, d, err)) {
		free(g);
		return -1;
	}
	if (glue_check_config(d->config_path, &g->conf, err) ||
	    load_creds(d->config_path, g, err)) {
		config_free(&g->conf);
		free(g);
		return -1;
	}
	if (d->cfg) {
		d->cfg->next = d->retired;
		d->retired = d->cfg;
	}
	d->cfg = g;
	d->ike.cfg = &g->conf;
	d->ike.creds = &g->creds;
	c = &g->conf;
	for (i = 0; i < c->n_conns; i++)
		children += c->conns[i].n_children;
	snprintf(msg, CTL_ERR_LEN,
		 "loaded %s: %zu connection%s, %zu child%s, %zu secret%s",
		 d->config_path, c->n_conns, c->n_conns == 1 ? "" : "s",
		 children, children == 1 ? "" : "ren", c->n_secrets,
		 c->n_secrets == 1 ? "" : "s");
	return 0;
}

static int ctl_load(void *arg, char *msg, char *err)
{
	struct daemon *d = arg;

	if (load(d, msg, err)) {
		logmsg(d, IKE_LOG_ERR, "reload refused, keeping the configuration in use: %s",
		       err);
		return -1;
	}
	logmsg(d, IKE_LOG_INFO, "%s", msg);
	start_children(d);
	settle(d);
	return 0;
}

static int ctl_initiate(void *arg, const char *name, char *err)
{
	struct daemon *d = arg;
	const struct conf_conn *conn;
	const struct conf_child *ch;
	struct ikesa *sa;
	int ret;

	ch = glue_find_child(&d->cfg->conf, name, &conn);
	if (!ch) {
		snprintf(err, CTL_ERR_LEN,
			 "no child %s in the configuration; `esptun ike load` after adding it",
			 name);
		return -1;
	}
	sa = child_sa(d, ch);
	if (sa) {
		snprintf(err, CTL_ERR_LEN,
			 "child %s is already %s (IKE SA %s[%llu]); `esptun ike terminate %s` first to start over",
			 name, sa->state == IKE_ESTABLISHED ? "up" : "being negotiated",
			 conn->name, (unsigned long long)sa->uid, name);
		return -1;
	}
	ret = initiate(d, conn, ch, "esptun ike initiate", err, CTL_ERR_LEN);
	settle(d);
	return ret;
}

/*
 * NAME is a connection: its IKE SAs go, children with them.  Else a
 * child: an installed one is deleted alone (its IKE SA stays), one being
 * negotiated takes its IKE SA with it.
 */
static int ctl_terminate(void *arg, const char *name, char *err)
{
	struct daemon *d = arg;
	struct ikesa *sa;
	int n = 0;

	for (sa = d->ike.sas; sa; sa = sa->next) {
		if (sa->state == IKE_DEAD || sa->state == IKE_DELETING)
			continue;
		if (sa->conn && !strcmp(sa->conn->name, name)) {
			ike_sa_delete(sa);
			n++;
			continue;
		}
		if (sa->has_child && sa->child.conf && sa->child.installed &&
		    !sa->child_deleting &&
		    !strcmp(sa->child.conf->name, name)) {
			if (ike_sa_delete_child(sa)) {
				logmsg(d, IKE_LOG_INFO,
				       "%s: the IKE SA is busy with another exchange: deleting it with the child",
				       name);
				ike_sa_delete(sa);
			}
			n++;
		} else if (!sa->has_child && sa->want_child &&
			   !strcmp(sa->want_child->name, name)) {
			ike_sa_delete(sa);
			n++;
		}
	}
	settle(d);
	if (!n) {
		snprintf(err, CTL_ERR_LEN,
			 "no IKE or Child SA named %s is up; `esptun ike list` shows them",
			 name);
		return -1;
	}
	return 0;
}

static void spi8_str(const uint8_t spi[8], uint64_t *out)
{
	size_t i;

	*out = 0;
	for (i = 0; i < 8; i++)
		*out = *out << 8 | spi[i];
}

static void fill_ts(const struct ike_ts *ts, char (*out)[CTL_STR],
		    size_t *n)
{
	struct ike_ts one;
	unsigned i;

	*n = 0;
	for (i = 0; i < ts->n && *n < CTL_TS_MAX; i++) {
		one.n = 1;
		one.sel[0] = ts->sel[i];
		ts_str(&one, out[*n], CTL_STR);
		(*n)++;
	}
}

static void fill_child(struct daemon *d, const struct ikesa *sa,
		       struct ctl_child *c)
{
	const struct child_sa *cs = &sa->child;
	const struct conf_child *conf = sa->has_child ? cs->conf :
					sa->want_child;
	struct kernel_sa_stats in, out;
	char err[KERNEL_ERR_LEN];

	if (!conf)
		return;

	snprintf(c->name, sizeof(c->name), "%s", conf->name);
	snprintf(c->ifname, sizeof(c->ifname), "%s",
		 conf->interface ? conf->interface : "");
	if (!sa->has_child)
		snprintf(c->state, sizeof(c->state), "%s",
			 sa->state == IKE_DEAD ? "FAILED" : "CONNECTING");
	else if (cs->installed)
		snprintf(c->state, sizeof(c->state), "%s",
			 sa->child_deleting ? "DELETING" : "INSTALLED");
	else
		snprintf(c->state, sizeof(c->state), "DELETED");
	if (!cs->installed && sa->state == IKE_DEAD && sa->last_error[0])
		snprintf(c->last_error, sizeof(c->last_error), "%s",
			 sa->last_error);
	if (!sa->has_child)
		return;
	c->spi_in = cs->spi_in;
	c->spi_out = cs->spi_out;
	c->encap = sa->nat_local || sa->nat_remote;
	proposal_str(&cs->prop, c->algs, sizeof(c->algs));
	fill_ts(&cs->ts_local, c->local_ts, &c->n_local_ts);
	fill_ts(&cs->ts_remote, c->remote_ts, &c->n_remote_ts);
	if (!cs->installed || !conf->interface)
		return;
	if (kernel_sa_stats(d->k, conf->interface, ESPTUN_SA_DIR_IN,
			    cs->spi_in, &in, err, sizeof(err)) ||
	    kernel_sa_stats(d->k, conf->interface, ESPTUN_SA_DIR_OUT,
			    cs->spi_out, &out, err, sizeof(err))) {
		snprintf(c->last_error, sizeof(c->last_error), "%s", err);
		return;
	}
	c->counters = true;
	c->bytes_in = in.bytes;
	c->packets_in = in.packets;
	c->bytes_out = out.bytes;
	c->packets_out = out.packets;
	c->age = out.add_time;
	if (conf->rekey_time) {
		c->rekey_set = true;
		c->rekey_in = c->age < conf->rekey_time ?
			      conf->rekey_time - c->age : 0;
	}
}

static int ctl_list(void *arg, struct ctl_list *l, char *err)
{
	struct daemon *d = arg;
	uint64_t now = loop_now_ms();
	struct ikesa *sa;
	size_t n = 0;

	memset(l, 0, sizeof(*l));
	for (sa = d->ike.sas; sa; sa = sa->next)
		n++;
	if (!n)
		return 0;
	l->v = calloc(n, sizeof(*l->v));
	if (!l->v) {
		snprintf(err, CTL_ERR_LEN, "out of memory");
		return -1;
	}
	for (sa = d->ike.sas; sa; sa = sa->next) {
		struct ctl_ike *s = &l->v[l->n++];

		snprintf(s->name, sizeof(s->name), "%s",
			 sa->conn ? sa->conn->name : "-");
		snprintf(s->state, sizeof(s->state), "%s",
			 ikesa_state_name(sa->state));
		ss_str(&sa->local, s->local, sizeof(s->local));
		ss_str(&sa->remote, s->remote, sizeof(s->remote));
		snprintf(s->local_id, sizeof(s->local_id), "%s",
			 sa->conn && sa->conn->local.id.str ?
			 sa->conn->local.id.str : "%any");
		/* Who authenticated, rather than whom we would accept. */
		snprintf(s->remote_id, sizeof(s->remote_id), "%s",
			 sa->peer_id[0] ? sa->peer_id :
			 sa->conn && sa->conn->remote.id.str ?
			 sa->conn->remote.id.str : "%any");
		spi8_str(sa->spi_i, &s->spi_i);
		spi8_str(sa->spi_r, &s->spi_r);
		s->initiator = sa->initiator;
		if (sa->have_keys)
			proposal_str(&sa->ike_prop, s->algs, sizeof(s->algs));
		s->age = (now - sa->created) / 1000;
		snprintf(s->last_error, sizeof(s->last_error), "%s",
			 sa->last_error);
		if (!sa->conn || (!sa->has_child && !sa->want_child))
			continue;
		s->children = calloc(1, sizeof(*s->children));
		if (!s->children)
			continue;
		s->n_children = 1;
		fill_child(d, sa, &s->children[0]);
	}
	return 0;
}

static void ctl_list_free(void *arg, struct ctl_list *l)
{
	size_t i;

	(void)arg;
	for (i = 0; i < l->n; i++)
		free(l->v[i].children);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static const struct ctl_ops ops = {
	.load = ctl_load,
	.initiate = ctl_initiate,
	.terminate = ctl_terminate,
	.list = ctl_list,
	.list_free = ctl_list_free,
};

/* ---- events ---- */

static void on_ike(int fd, void *arg)
{
	struct daemon *d = arg;
	struct sockaddr_storage local, remote;
	ssize_t n;
	int i;

	/* A bounded batch, so that one busy socket cannot starve the rest. */
	for (i = 0; i < 64; i++) {
		n = net_recv(&d->net, fd, d->buf, sizeof(d->buf), &local,
			     &remote);
		if (n < 0)
			break;
		if (n > 0)
			ike_sa_recv(&d->ike, d->buf, (size_t)n,
				    (struct sockaddr *)&remote,
				    (struct sockaddr *)&local);
	}
	settle(d);
}

static struct ikesa *sa_by_spi(struct daemon *d, const char *ifname,
			       uint8_t dir, uint32_t spi)
{
	struct ikesa *sa;

	for (sa = d->ike.sas; sa; sa = sa->next) {
		if (!sa->has_child || !sa->child.installed ||
		    !sa->child.conf->interface ||
		    strcmp(sa->child.conf->interface, ifname))
			continue;
		if ((dir == ESPTUN_SA_DIR_IN ? sa->child.spi_in :
		     sa->child.spi_out) == spi)
			return sa;
	}
	return NULL;
}

static void on_expire(struct daemon *d, const struct kernel_event *ev)
{
	struct ikesa *sa = sa_by_spi(d, ev->ifname, ev->dir, ev->spi);
	const struct conf_child *ch;
	const struct conf_conn *conn;
	char err[CTL_ERR_LEN];

	if (!sa) {
		logmsg(d, IKE_LOG_DEBUG, "%s expire of %s SA %08x on %s: not one of ours",
		       ev->hard ? "hard" : "soft",
		       ev->dir == ESPTUN_SA_DIR_IN ? "inbound" : "outbound",
		       ev->spi, ev->ifname);
		return;
	}
	ch = sa->child.conf;
	conn = sa->conn;
	/*
	 * No CREATE_CHILD_SA yet: at its rekey time the initiator replaces
	 * the IKE SA and its child with new ones; a responder waits for the
	 * peer to do so, and only the hard limit (life_time) ends it.
	 */
	if (!ev->hard && !sa->initiator) {
		if (ev->dir == ESPTUN_SA_DIR_OUT)
			logmsg(d, IKE_LOG_INFO,
			       "%s: Child SA reached its rekey time; waiting for the peer to re-establish it (esptund cannot rekey yet)",
			       ch->name);
		return;
	}
	logmsg(d, IKE_LOG_INFO,
	       "%s: Child SA reached its %s (%s SA %08x): %s",
	       ch->name, ev->hard ? "life_time" : "rekey_time",
	       ev->dir == ESPTUN_SA_DIR_IN ? "inbound" : "outbound", ev->spi,
	       ev->hard ? "closing it" :
	       "esptund cannot rekey yet: re-establishing the IKE SA");
	if (!ev->hard || !sa->last_error[0])
		snprintf(sa->last_error, sizeof(sa->last_error),
			 "Child SA %s reached its %s", ch->name,
			 ev->hard ? "life_time" : "rekey_time");
	ike_sa_delete(sa);
	if ((ch->start_action & CONF_START_START) &&
	    glue_conn_in(&d->cfg->conf, conn) && !child_sa(d, ch) &&
	    initiate(d, conn, ch, "re-establishing", err, sizeof(err)))
		logmsg(d, IKE_LOG_ERR, "%s: %s", ch->name, err);
}

static void on_acquire(struct daemon *d, const struct kernel_event *ev)
{
	const struct conf_conn *conn;
	const struct conf_child *ch;
	char a[INET6_ADDRSTRLEN] = "?", b[INET6_ADDRSTRLEN] = "?";
	char err[CTL_ERR_LEN], why[160];

	inet_ntop(ev->family, ev->src, a, sizeof(a));
	inet_ntop(ev->family, ev->dst, b, sizeof(b));
	ch = glue_trap_child(&d->cfg->conf, ev->ifname, ev->family, ev->src,
			     ev->dst, &conn);
	if (!ch) {
		logmsg(d, IKE_LOG_DEBUG,
		       "acquire on %s for %s -> %s (protocol %u): no child with start_action = trap covers it",
		       ev->ifname, a, b, ev->proto);
		return;
	}
	if (child_sa(d, ch)) {
		logmsg(d, IKE_LOG_DEBUG, "acquire on %s for %s -> %s: %s is already up or being negotiated",
		       ev->ifname, a, b, ch->name);
		return;
	}
	snprintf(why, sizeof(why), "traffic %s -> %s on %s", a, b, ev->ifname);
	if (initiate(d, conn, ch, why, err, sizeof(err)))
		logmsg(d, IKE_LOG_ERR, "%s: %s", ch->name, err);
}

static void on_event(void *arg, const struct kernel_event *ev)
{
	struct daemon *d = arg;

	if (ev->type == KERNEL_EV_ACQUIRE)
		on_acquire(d, ev);
	else
		on_expire(d, ev);
}

static void on_kernel(int fd, void *arg)
{
	struct daemon *d = arg;
	char err[KERNEL_ERR_LEN];

	(void)fd;
	if (kernel_events_read(d->k, on_event, d, err, sizeof(err)))
		logmsg(d, IKE_LOG_WARN, "%s", err);
	settle(d);
}

static void on_signal(int fd, void *arg)
{
	struct daemon *d = arg;
	struct signalfd_siginfo si;
	char msg[CTL_ERR_LEN], err[CTL_ERR_LEN];

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			ctl_load(d, msg, err);
			continue;
		}
		logmsg(d, IKE_LOG_INFO, "%s: shutting down",
		       strsignal((int)si.ssi_signo));
		loop_stop(&d->loop);
	}
}

/* ---- start and stop ---- */

static int start(struct daemon *d, const char *sock)
{
	char err[CTL_ERR_LEN], msg[CTL_ERR_LEN];
	sigset_t set;
	size_t i;

	/* The configuration first: a broken one opens nothing. */
	if (load(d, msg, err)) {
		logmsg(d, IKE_LOG_ERR, "%s", err);
		if (access(d->config_path, F_OK))
			logmsg(d, IKE_LOG_ERR,
			       "write the configuration there (Documentation/esptund.rst) or name it with -c FILE");
		return -1;
	}
	d->k = kernel_open(err, sizeof(err));
	if (!d->k) {
		logmsg(d, IKE_LOG_ERR, "%s", err);
		return -1;
	}
	if (net_open(&d->net, NULL, 0, IKEV2_PORT, IKEV2_NATT_PORT, err,
		     sizeof(err))) {
		logmsg(d, IKE_LOG_ERR, "%s", err);
		return -1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0 || loop_add(&d->loop, d->sigfd, on_signal, d) ||
	    loop_add(&d->loop, kernel_event_fd(d->k), on_kernel, d)) {
		logmsg(d, IKE_LOG_ERR, "event loop: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < d->net.n; i++) {
		if (loop_add(&d->loop, d->net.s[i].fd, on_ike, d)) {
			logmsg(d, IKE_LOG_ERR, "event loop: %s", strerror(errno));
			return -1;
		}
	}
	d->ctl = ctl_open(&d->loop, sock, &ops, d, err, sizeof(err));
	if (!d->ctl) {
		logmsg(d, IKE_LOG_ERR, "%s", err);
		return -1;
	}
	logmsg(d, IKE_LOG_INFO, "%s; control socket %s", msg, sock);
	return 0;
}

/* Deletes go out for established IKE SAs; then every SA is freed, its
 * Child SAs removed from the kernel. */
static void stop(struct daemon *d)
{
	struct ikesa *sa;
	struct cfg_gen *g;

	for (sa = d->ike.sas; sa; sa = sa->next)
		if (sa->state == IKE_ESTABLISHED)
			ike_sa_delete(sa);
	ike_daemon_free(&d->ike);
	while ((g = d->retired)) {
		d->retired = g->next;
		gen_free(g);
	}
	if (d->cfg) {
		gen_free(d->cfg);
		d->cfg = NULL;
	}
}

/* A daemon with nothing loaded or open; errors go to stderr. */
static struct daemon *daemon_new(const char *config, bool debug)
{
	struct daemon *d = calloc(1, sizeof(*d));

	if (!d) {
		fprintf(stderr, "esptund: out of memory\n");
		return NULL;
	}
	d->debug = debug;
	d->fg = true;
	d->sigfd = -1;
	d->config_path = config;
	loop_init(&d->loop);
	ike_daemon_init(&d->ike, NULL, &io, d);
	return d;
}

int daemon_check(const char *config)
{
	char err[CTL_ERR_LEN], msg[CTL_ERR_LEN];
	struct daemon *d = daemon_new(config, false);
	int ret = 1;

	if (!d)
		return 1;
	if (load(d, msg, err)) {
		logmsg(d, IKE_LOG_ERR, "%s", err);
	} else {
		printf("esptund: %s: configuration OK\n", msg);
		ret = 0;
	}
	stop(d);
	free(d);
	return ret;
}

int daemon_run(const char *config, const char *sock, bool foreground,
	       bool debug)
{
	struct daemon *d = daemon_new(config, debug);
	int ret = 1;

	if (!d)
		return 1;
	if (!foreground)
		openlog("esptund", LOG_PID, LOG_DAEMON);
	/* Errors while starting go to stderr; detach only once running. */
	if (start(d, sock))
		goto out;
	if (!foreground) {
		if (daemon(0, 0)) {
			logmsg(d, IKE_LOG_ERR, "cannot detach: %s",
			       strerror(errno));
			goto out;
		}
		d->fg = false;
	}
	start_children(d);
	settle(d);
	if (loop_run(&d->loop)) {
		logmsg(d, IKE_LOG_ERR, "poll: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	stop(d);
	ctl_close(d->ctl);
	net_close(&d->net);
	kernel_close(d->k);
	if (d->sigfd >= 0)
		close(d->sigfd);
	free(d);
	return ret;
}
