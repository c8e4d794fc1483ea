// SPDX-License-Identifier: GPL-2.0
/*
 * One netlink request and its answer (nlreq.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/netlink.h>

#include "nlreq.h"

void nlreq_msg_free(struct nl_msg *msg)
{
	struct nlmsghdr *nlh;

	if (!msg)
		return;
	nlh = nlmsg_hdr(msg);
	explicit_bzero(nlmsg_data(nlh), (size_t)nlmsg_datalen(nlh));
	nlmsg_free(msg);
}

/*
 * The error message is followed by our request (capped to its header, as
 * asked with NETLINK_CAP_ACK) and, with NLM_F_ACK_TLVS, NLMSGERR_ATTR_*.
 */
void nlreq_parse_extack(const struct nlmsghdr *nlh, struct nlreq_error *e)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlmsgerr *err;
	size_t total = nlh->nlmsg_len, off;

	if (total < NLMSG_HDRLEN + sizeof(*err) ||
	    !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	err = (const struct nlmsgerr *)((const char *)nlh + NLMSG_HDRLEN);
	off = NLMSG_HDRLEN + sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (err->msg.nlmsg_len < NLMSG_HDRLEN)
			return;
		off += NLMSG_ALIGN((size_t)err->msg.nlmsg_len) - NLMSG_HDRLEN;
	}
	if (off >= total || nla_parse(tb, NLMSGERR_ATTR_MAX,
				      (struct nlattr *)((char *)nlh + off),
				      (int)(total - off), NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(e->msg, tb[NLMSGERR_ATTR_MSG], sizeof(e->msg));
#ifdef NLMSGERR_ATTR_MISS_TYPE
	if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) == sizeof(uint32_t))
		e->miss_type = (int)nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
#endif
}

struct state {
	int (*fn)(struct nl_msg *msg, void *arg);
	void *arg;
	struct nlreq_error *e;
	bool done;
};

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *err, void *arg)
{
	struct state *st = arg;

	(void)who;
	st->e->err = err->error;
	/* libnl hands us the payload of the NLMSG_ERROR it checked. */
	nlreq_parse_extack((const struct nlmsghdr *)((char *)err - NLMSG_HDRLEN),
			   st->e);
	st->done = true;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct state *st = arg;

	return st->fn ? st->fn(msg, st->arg) : NL_OK;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct state *st = arg;

	(void)msg;
	st->done = true;
	return NL_STOP;
}

int nlreq_run(struct nl_sock *sk, struct nl_msg *msg,
	      int (*fn)(struct nl_msg *msg, void *arg), void *arg,
	      struct nlreq_error *e)
{
	struct state st = { .fn = fn, .arg = arg, .e = e };
	struct nl_cb *cb;
	int err;

	memset(e, 0, sizeof(*e));
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlreq_msg_free(msg);
		snprintf(e->msg, sizeof(e->msg), "out of memory");
		return e->err = -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &st);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &st);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_finish, &st);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &st);

	err = nl_send_auto(sk, msg);
	nlreq_msg_free(msg);
	if (err < 0) {
		nl_cb_put(cb);
		snprintf(e->msg, sizeof(e->msg), "sending the request: %s",
			 nl_geterror(err));
		return e->err = -EIO;
	}
	while (!st.done) {
		err = nl_recvmsgs(sk, cb);
		/*
		 * libnl returns the kernel's error even when our callback
		 * consumed it: what on_error() saved is the answer.
		 */
		if (err < 0 && st.done && e->err)
			break;
		if (err == -NLE_DUMP_INTR) {
			snprintf(e->msg, sizeof(e->msg),
				 "the kernel's list changed while it was read");
			e->err = -EAGAIN;
			break;
		}
		if (err < 0) {
			snprintf(e->msg, sizeof(e->msg),
				 "reading the kernel's answer: %s",
				 nl_geterror(err));
			e->err = -EIO;
			break;
		}
	}
	nl_cb_put(cb);
	return e->err;
}
