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

struct esptun_nl {
	struct nl_sock *sk;
	int family;
};

/* What the kernel said when it refused a request. */
struct esptun_nl_error {
	int err;		/* negative errno, 0 if none */
	char msg[512];		/* extack message, may be empty */
	int miss_type;		/* attribute the kernel said is missing, or 0 */
};

/* Called for each reply message; returns NL_OK or NL_STOP. */
typedef int (*esptun_nl_reply_fn)(struct nl_msg *msg, void *arg);

int esptun_nl_open(struct esptun_nl *nl);
/* esptun_nl_open(), and on failure a message on stderr. */
int esptun_nl_open_cli(struct esptun_nl *nl);
/* "esptun: WHAT: <the kernel's message>", or the best substitute. */
void esptun_nl_report(const char *what, const char *dev, int err,
		      const struct esptun_nl_error *e);
/* Wipes the message (it may hold keys) and frees it; NULL is fine. */
void esptun_nl_msg_free(struct nl_msg *msg);
void esptun_nl_close(struct esptun_nl *nl);
struct nl_msg *esptun_nl_new(struct esptun_nl *nl, uint8_t cmd, int flags);
/*
 * Sends msg (and wipes and frees it); 0, or a negative errno with *e filled in.
 * -EAGAIN: a dump was interrupted because the kernel's list changed; the
 * socket may still hold the rest of it, so retry on a new one.
 */
int esptun_nl_request(struct esptun_nl *nl, struct nl_msg *msg,
		      esptun_nl_reply_fn fn, void *arg,
		      struct esptun_nl_error *e);
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
		  void *arg, struct esptun_nl_error *e);
const char *esptun_nl_attr_name(int type);

#endif /* ESPTUN_CLI_NL_H */
