/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One netlink request and its answer with libnl-3, for both the esptun
 * command (cli/nl.c) and esptund (daemon/kernel.c): the request is wiped
 * before it is freed (it may carry keys), each reply goes to a callback,
 * and what the kernel said when it refused (its extended ack: message and
 * missing attribute) is kept for the user.
 */
#ifndef ESPTUN_LIB_NLREQ_H
#define ESPTUN_LIB_NLREQ_H

#include <netlink/msg.h>

struct nlreq_error {
	int err;		/* negative errno, 0 if none */
	char msg[512];		/* the kernel's extack message, or ours */
	int miss_type;		/* attribute the kernel said is missing, or 0 */
};

/* Wipes the message's payload and frees it; NULL is fine. */
void nlreq_msg_free(struct nl_msg *msg);

/*
 * The extended ack of an NLMSG_ERROR (nlh->nlmsg_len bytes, already
 * checked against what was received) into e->msg and e->miss_type, which
 * are left alone when it has none.  Every length inside comes from the
 * wire and is checked against the message.
 */
void nlreq_parse_extack(const struct nlmsghdr *nlh, struct nlreq_error *e);

/*
 * Sends msg on sk, wipes and frees it, and reads the answer up to its ACK
 * or NLMSG_DONE, handing each reply to fn (when not NULL; it returns
 * NL_OK or NL_STOP).  0, or a negative errno with *e filled in: the
 * kernel's error and message; -EAGAIN when a dump was interrupted because
 * the kernel's list changed (the socket may still hold the rest: retry on
 * a new one); -EIO when sending or reading failed; -ENOMEM.
 */
int nlreq_run(struct nl_sock *sk, struct nl_msg *msg,
	      int (*fn)(struct nl_msg *msg, void *arg), void *arg,
	      struct nlreq_error *e);

#endif /* ESPTUN_LIB_NLREQ_H */
