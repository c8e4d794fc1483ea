/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink for the selftests that check esptun's replies byte
 * by byte (genl_errors.c, sa_errors.c): requests are built by hand so that
 * malformed ones can be sent too, and error replies are parsed down to
 * their extack attributes (message, offset, missing type).
 */
#ifndef ESPTUN_SELFTEST_GENL_H
#define ESPTUN_SELFTEST_GENL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/esptun.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct req {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char buf[1024];
};

struct reply {
	int err;		/* 0, or negative errno from NLMSG_ERROR */
	char msg[512];		/* NLMSGERR_ATTR_MSG */
	int has_offs;
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS */
	int has_miss;
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE */
	int nmsgs;		/* data messages received */
	char data[16384];	/* the first data message */
	int data_len;
};

static inline void req_init(struct req *r, uint16_t type, uint8_t cmd, int flags)
{
	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->n.nlmsg_type = type;
	r->n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r->n.nlmsg_seq = 1;
	r->g.cmd = cmd;
	r->g.version = 1;
}

/* Appends an attribute of any length: malformed ones are the point. */
static inline uint32_t req_attr(struct req *r, uint16_t type,
				const void *data, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)r + NLMSG_ALIGN(r->n.nlmsg_len));
	uint32_t off = NLMSG_ALIGN(r->n.nlmsg_len);

	if (off + NLA_ALIGN(NLA_HDRLEN + len) > sizeof(*r)) {
		fprintf(stderr, "req_attr: attribute %u (%u bytes) overflows the request\n",
			type, len);
		abort();
	}
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->n.nlmsg_len = off + NLA_ALIGN(a->nla_len);
	return off;
}

static inline void parse_error(const struct nlmsghdr *h, struct reply *rep)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	const char *end = (const char *)h + h->nlmsg_len;
	const struct nlattr *a;
	size_t off;

	rep->err = e->error;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	for (a = (const struct nlattr *)((const char *)h + off);
	     (const char *)a + NLA_HDRLEN <= end && a->nla_len >= NLA_HDRLEN &&
	     (const char *)a + a->nla_len <= end;
	     a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len))) {
		const void *p = (const char *)a + NLA_HDRLEN;
		int plen = a->nla_len - NLA_HDRLEN;

		switch (a->nla_type) {
		case NLMSGERR_ATTR_MSG:
			snprintf(rep->msg, sizeof(rep->msg), "%.*s", plen,
				 (const char *)p);
			break;
		case NLMSGERR_ATTR_OFFS:
			if (plen == 4) {
				memcpy(&rep->offs, p, 4);
				rep->has_offs = 1;
			}
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (plen == 4) {
				memcpy(&rep->miss_type, p, 4);
				rep->has_miss = 1;
			}
			break;
		}
	}
}

/* Sends r and reads until the ACK, error or end of dump. */
static inline int transact(int fd, struct req *r, struct reply *rep)
{
	static char buf[65536];
	int done = 0;

	memset(rep, 0, sizeof(*rep));
	if (send(fd, r, r->n.nlmsg_len, 0) < 0)
		return -errno;
	while (!done) {
		int len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (len < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				parse_error(h, rep);
				done = 1;
			} else if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
			} else {
				if (!rep->nmsgs++ && h->nlmsg_len <= sizeof(rep->data)) {
					memcpy(rep->data, h, h->nlmsg_len);
					rep->data_len = h->nlmsg_len;
				}
			}
		}
	}
	return 0;
}

/* Finds attribute type in the first data message (top level). */
static inline const struct nlattr *reply_attr(const struct reply *rep, uint16_t type)
{
	const struct nlmsghdr *h = (const void *)rep->data;
	const char *end = rep->data + rep->data_len;
	const struct nlattr *a;

	if (!rep->data_len)
		return NULL;
	for (a = (const void *)((const char *)NLMSG_DATA(h) + GENL_HDRLEN);
	     (const char *)a + NLA_HDRLEN <= end && a->nla_len >= NLA_HDRLEN &&
	     (const char *)a + a->nla_len <= end;
	     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len)))
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
	return NULL;
}

static inline int nest_count(const struct nlattr *nest)
{
	const char *end = (const char *)nest + nest->nla_len;
	const struct nlattr *a;
	int n = 0;

	for (a = (const void *)((const char *)nest + NLA_HDRLEN);
	     (const char *)a + NLA_HDRLEN <= end && a->nla_len >= NLA_HDRLEN;
	     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len)))
		n++;
	return n;
}

static inline int nl_open(void)
{
	int one = 1, fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
				 NETLINK_GENERIC);

	if (fd >= 0)
		setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return fd;
}

/* Family id and the id of its "events" group, from the controller. */
static inline int resolve(int fd, int *family, int *events)
{
	struct reply rep;
	struct req r;
	const struct nlattr *a, *g, *x;

	req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	req_attr(&r, CTRL_ATTR_FAMILY_NAME, ESPTUN_GENL_NAME,
		 sizeof(ESPTUN_GENL_NAME));
	if (transact(fd, &r, &rep) || rep.err)
		return -1;
	a = reply_attr(&rep, CTRL_ATTR_FAMILY_ID);
	if (!a)
		return -1;
	*family = *(const uint16_t *)((const char *)a + NLA_HDRLEN);
	*events = -1;
	a = reply_attr(&rep, CTRL_ATTR_MCAST_GROUPS);
	if (!a)
		return 0;
	for (g = (const void *)((const char *)a + NLA_HDRLEN);
	     (const char *)g < (const char *)a + a->nla_len;
	     g = (const void *)((const char *)g + NLA_ALIGN(g->nla_len))) {
		const char *name = NULL;
		int id = -1;

		for (x = (const void *)((const char *)g + NLA_HDRLEN);
		     (const char *)x < (const char *)g + g->nla_len;
		     x = (const void *)((const char *)x + NLA_ALIGN(x->nla_len))) {
			if (x->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
				name = (const char *)x + NLA_HDRLEN;
			if (x->nla_type == CTRL_ATTR_MCAST_GRP_ID)
				id = *(const uint32_t *)((const char *)x + NLA_HDRLEN);
		}
		if (name && !strcmp(name, ESPTUN_MCGRP_EVENTS))
			*events = id;
	}
	return 0;
}

#define ASSERT_MSG_HAS(rep, s) \
	ASSERT_NE(NULL, strstr((rep).msg, (s))) TH_LOG("message \"%s\" lacks \"%s\"", (rep).msg, (s))

#endif /* ESPTUN_SELFTEST_GENL_H */
