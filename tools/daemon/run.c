// SPDX-License-Identifier: GPL-2.0
/*
 * esptund's main loop (see run.h): wires the kernel events, the IKE
 * sockets, the control socket and signals into loop.c.  The IKE state
 * machine plugs in here: until it does, IKE datagrams are read and
 * dropped and kernel events only logged (STUB, marked below).
 */
#include <errno.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <syslog.h>
#include <unistd.h>

#include <linux/esptun.h>

#include "ctl.h"
#include "ctl_stub.h"
#include "kernel.h"
#include "loop.h"
#include "net.h"
#include "run.h"

struct daemon {
	struct loop loop;
	struct kernel *k;
	struct net net;
	struct ctl *ctl;
	struct ctl_stub stub;
	bool fg;
	int sigfd;
	uint8_t buf[NET_BUF_MAX];
};

static void logmsg(const struct daemon *d, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void logmsg(const struct daemon *d, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (d->fg) {
		fputs("esptund: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(prio, fmt, ap);
	}
	va_end(ap);
}

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
		/* STUB: hand (d->buf, n, &local, &remote) to the IKE SAs. */
	}
}

static void on_event(void *arg, const struct kernel_event *ev)
{
	struct daemon *d = arg;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	/* STUB: the state machine negotiates on ACQUIRE, rekeys on EXPIRE. */
	if (ev->type == KERNEL_EV_ACQUIRE) {
		inet_ntop(ev->family, ev->src, a, sizeof(a));
		inet_ntop(ev->family, ev->dst, b, sizeof(b));
		logmsg(d, LOG_INFO, "acquire on %s: %s -> %s proto %u",
		       ev->ifname, a, b, ev->proto);
	} else {
		logmsg(d, LOG_INFO, "%s expire on %s: %s SA %08x",
		       ev->hard ? "hard" : "soft", ev->ifname,
		       ev->dir == ESPTUN_SA_DIR_IN ? "inbound" : "outbound",
		       ev->spi);
	}
}

static void on_kernel(int fd, void *arg)
{
	struct daemon *d = arg;
	char err[KERNEL_ERR_LEN];

	(void)fd;
	if (kernel_events_read(d->k, on_event, d, err, sizeof(err)))
		logmsg(d, LOG_WARNING, "%s", err);
}

static void on_signal(int fd, void *arg)
{
	struct daemon *d = arg;
	struct signalfd_siginfo si;
	char msg[CTL_ERR_LEN], err[CTL_ERR_LEN];

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo != SIGHUP) {
			loop_stop(&d->loop);
			continue;
		}
		if (ctl_stub_ops.load(&d->stub, msg, err))
			logmsg(d, LOG_ERR, "reload: %s", err);
		else
			logmsg(d, LOG_INFO, "%s", msg);
	}
}

static int start(struct daemon *d, const char *sock)
{
	char err[KERNEL_ERR_LEN], msg[CTL_ERR_LEN];
	sigset_t set;
	size_t i;

	if (ctl_stub_ops.load(&d->stub, msg, err)) {
		logmsg(d, LOG_ERR, "%s", err);
		return -1;
	}
	d->k = kernel_open(err, sizeof(err));
	if (!d->k) {
		logmsg(d, LOG_ERR, "%s", err);
		return -1;
	}
	/* TODO: bind to the configured local_addrs/ports; any for now. */
	if (net_open(&d->net, NULL, 0, 0, 0, err, sizeof(err))) {
		logmsg(d, LOG_ERR, "%s", err);
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
		logmsg(d, LOG_ERR, "event loop: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < d->net.n; i++) {
		if (loop_add(&d->loop, d->net.s[i].fd, on_ike, d)) {
			logmsg(d, LOG_ERR, "event loop: %s", strerror(errno));
			return -1;
		}
	}
	d->ctl = ctl_open(&d->loop, sock, &ctl_stub_ops, &d->stub, err,
			  sizeof(err));
	if (!d->ctl) {
		logmsg(d, LOG_ERR, "%s", err);
		return -1;
	}
	logmsg(d, LOG_INFO, "%s; control socket %s", msg, sock);
	return 0;
}

int daemon_run(const char *config, const char *sock, bool foreground)
{
	struct daemon *d = calloc(1, sizeof(*d));
	int ret = 1;

	if (!d) {
		fprintf(stderr, "esptund: out of memory\n");
		return 1;
	}
	d->fg = foreground;
	d->sigfd = -1;
	d->stub.config_path = config;
	loop_init(&d->loop);
	if (!foreground)
		openlog("esptund", LOG_PID, LOG_DAEMON);
	/* Errors while starting go to stderr; detach only once running. */
	d->fg = true;
	if (start(d, sock))
		goto out;
	if (!foreground) {
		if (daemon(0, 0)) {
			logmsg(d, LOG_ERR, "cannot detach: %s", strerror(errno));
			goto out;
		}
		d->fg = false;
	}
	if (loop_run(&d->loop)) {
		logmsg(d, LOG_ERR, "poll: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	ctl_close(d->ctl);
	net_close(&d->net);
	kernel_close(d->k);
	if (d->sigfd >= 0)
		close(d->sigfd);
	if (d->stub.loaded)
		config_free(&d->stub.conf);
	free(d);
	return ret;
}
