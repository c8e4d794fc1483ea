/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Talking to the esptun generic netlink family with libnl-genl-3, with the
 * kernel's extended ack (its error message and the attribute it names)
 * carried back to the user.
 */
#ifndef ESPTUN_CLI_NL_H
#define ESPTUN_CLI_NL_H

#include <stdbool.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "../lib/nlreq.h"

struct esptun_nl {
	struct nl_sock *sk;
	int family;
};

/* Called for each reply message; returns NL_OK or NL_STOP. */
typedef int (*esptun_nl_reply_fn)(struct nl_msg *msg, void *arg);

int esptun_nl_open(struct esptun_nl *nl);
/* esptun_nl_open(), and on failure a message on stderr. */
int esptun_nl_open_cli(struct esptun_nl *nl);
/* "esptun: WHAT: <the kernel's message>", or the best substitute. */
void esptun_nl_report(const char *what, const char *dev, int err,
		      const struct nlreq_error *e);
void esptun_nl_close(struct esptun_nl *nl);
struct nl_msg *esptun_nl_new(struct esptun_nl *nl, uint8_t cmd, int flags);
/* nlreq_run() on nl's socket: see lib/nlreq.h. */
int esptun_nl_request(struct esptun_nl *nl, struct nl_msg *msg,
		      esptun_nl_reply_fn fn, void *arg,
		      struct nlreq_error *e);
/*
 * A GET request (cmd) on a new socket, filtered by the interface dev
 * unless it is NULL, and a dump if dump is set; read again from the start
 * (after restart(arg)
 * forgot what the interrupted attempt collected) while the kernel reports
 * the dump interrupted.  0 on success; a negative errno with *e filled in
 * when the kernel refused; 1 when it was reported already ("WHAT: ..." on
 * stderr: no module, no socket, no memory).
 */
int esptun_nl_get(const char *what, uint8_t cmd, bool dump, const char *dev,
		  esptun_nl_reply_fn fn, void (*restart)(void *arg),
		  void *arg, struct nlreq_error *e);
const char *esptun_nl_attr_name(int type);

#endif /* ESPTUN_CLI_NL_H */
