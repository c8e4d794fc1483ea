// SPDX-License-Identifier: GPL-2.0
/*
 * esptun monitor: print ACQUIRE and EXPIRE events as they come, one line
 * each, flushed, until killed.  SIGINT and SIGTERM end it with status 0.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <linux/esptun.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "../lib/json.h"
#include "cli.h"
#include "nl.h"
#include "parse.h"
#include "sa_info.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct monitor_state {
	const struct cli_opts *opts;
	int family;
	int write_failed;
};

static int on_event(struct nl_msg *msg, void *arg)
{
	struct monitor_state *m = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct sa_info s;

	if (nlh->nlmsg_type != m->family)
		return NL_SKIP;
	if (sa_info_parse(nlh, &s)) {
		cli_err("monitor: an event this tool cannot read was skipped");
		return NL_SKIP;
	}
	if (event_print(stdout, m->opts->json, &s))
		return NL_SKIP;
	if (fflush(stdout) || ferror(stdout))
		m->write_failed = 1;
	return NL_OK;
}

static int monitor_run(const struct cli_opts *opts, int argc, char **argv)
{
	struct monitor_state m = { .opts = opts };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, orig;
	struct esptun_nl nl;
	struct pollfd pfd;
	int grp, err, ret = 0;

	if (argc > 0)
		return cli_usage_err(&cli_cmd_monitor,
				     "unexpected argument \"%s\" (monitor takes only -j)",
				     argv[0]);

	/*
	 * Signals are blocked but while waiting in ppoll(), so a signal can
	 * neither be lost between the check and the wait nor cut a line.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (esptun_nl_open_cli(&nl))
		return 1;
	m.family = nl.family;
	grp = genl_ctrl_resolve_grp(nl.sk, ESPTUN_GENL_NAME,
				    ESPTUN_MCGRP_EVENTS);
	if (grp < 0) {
		cli_err("monitor: the esptun module has no \"%s\" group (module older than this tool?)",
			ESPTUN_MCGRP_EVENTS);
		ret = 1;
		goto out;
	}
	err = nl_socket_add_membership(nl.sk, grp);
	if (err < 0) {
		cli_err("monitor: cannot join the events group: %s%s",
			nl_geterror(err),
			err == -NLE_PERM ? " (CAP_NET_ADMIN is needed)" : "");
		ret = 1;
		goto out;
	}
	/* Events are not answers to requests of ours. */
	nl_socket_disable_seq_check(nl.sk);
	nl_socket_modify_cb(nl.sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, &m);
	nl_socket_set_buffer_size(nl.sk, 1 << 20, 0);
	err = nl_socket_set_nonblocking(nl.sk);
	if (err < 0) {
		cli_err("monitor: %s", nl_geterror(err));
		ret = 1;
		goto out;
	}
	pfd.fd = nl_socket_get_fd(nl.sk);
	pfd.events = POLLIN;

	while (!stop && !m.write_failed) {
		if (ppoll(&pfd, 1, NULL, &orig) < 0) {
			if (errno == EINTR)
				continue;
			cli_err("monitor: poll: %s", strerror(errno));
			ret = 1;
			break;
		}
		err = nl_recvmsgs_default(nl.sk);
		if (err == -NLE_AGAIN || err >= 0)
			continue;
		if (err == -NLE_NOMEM) {
			/* ENOBUFS: the receive buffer overflowed */
			cli_err("monitor: events were lost (the receive buffer overflowed)");
			continue;
		}
		cli_err("monitor: reading events: %s", nl_geterror(err));
		ret = 1;
		break;
	}
	if (m.write_failed) {
		cli_err("monitor: writing the output failed");
		ret = 1;
	}
out:
	esptun_nl_close(&nl);
	return ret;
}

const struct cli_cmd cli_cmd_monitor = {
	.name = "monitor",
	.summary = "print SA events (acquire, expire) as they happen",
	.usage =
	"Usage: esptun monitor [-j]\n"
	"\n"
	"Print the esptun events of this network namespace, one line each, as\n"
	"they happen, until interrupted (SIGINT or SIGTERM: exit status 0).\n"
	"Needs CAP_NET_ADMIN.\n"
	"\n"
	"  acquire dev DEV src ADDR dst ADDR proto N\n"
	"      a packet was routed into DEV and no outbound SA covers it\n"
	"      (inner addresses and IP protocol of that packet)\n"
	"  expire {soft|hard} dev DEV dir {in|out} spi SPI limit KIND\n"
	"      an SA reached a limit: KIND is time-soft, time-hard, byte-soft,\n"
	"      byte-hard, packet-soft, packet-hard, or seq (the outbound\n"
	"      sequence numbers ran out); after a hard one the SA carries no\n"
	"      more packets\n"
	"\n"
	"  -j, --json  one JSON object per line, with \"event\": \"acquire\" or\n"
	"              \"expire\" and the fields above (\"hard\": true or false,\n"
	"              \"ifindex\", and for expire also \"src\" and \"dst\")\n",
	.run = monitor_run,
};
