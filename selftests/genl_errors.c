// SPDX-License-Identifier: GPL-2.0
/*
 * The esptun generic netlink API, spoken raw so that requests can be
 * malformed on purpose: every missing or bad attribute gets an error whose
 * extack message names the attribute (and the core's offset points at it),
 * reply-only attributes are refused, lookups are confined to the caller's
 * namespace, GET (doit and dump) returns what rtnetlink knows, and joining
 * the events group takes CAP_NET_ADMIN.
 *
 * Each test runs in a fresh network namespace holding esp0.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/esptun.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"

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

static void req_init(struct req *r, uint16_t type, uint8_t cmd, int flags)
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
static uint32_t req_attr(struct req *r, uint16_t type, const void *data,
			 uint16_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)r + NLMSG_ALIGN(r->n.nlmsg_len));
	uint32_t off = NLMSG_ALIGN(r->n.nlmsg_len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->n.nlmsg_len = off + NLA_ALIGN(a->nla_len);
	return off;
}

static void parse_error(const struct nlmsghdr *h, struct reply *rep)
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
static int transact(int fd, struct req *r, struct reply *rep)
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
static const struct nlattr *reply_attr(const struct reply *rep, uint16_t type)
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

static int nest_count(const struct nlattr *nest)
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

static int nl_open(void)
{
	int one = 1, fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
				 NETLINK_GENERIC);

	if (fd >= 0)
		setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return fd;
}

/* Family id and the id of its "events" group, from the controller. */
static int resolve(int fd, int *family, int *events)
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

FIXTURE(genl) {
	int fd;
	int family;
	int events;
	uint32_t ifindex;
};

FIXTURE_SETUP(genl)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, system("ip link set lo up && ip link add esp0 type esptun"));
	self->ifindex = if_nametoindex("esp0");
	ASSERT_NE(0U, self->ifindex);
	self->fd = nl_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, resolve(self->fd, &self->family, &self->events));
}

FIXTURE_TEARDOWN(genl)
{
	close(self->fd);
}

/* A GET doit request with one attribute; returns the reply. */
static void get1(struct __test_metadata *_metadata, FIXTURE_DATA(genl) *self,
		 uint16_t type, const void *data, uint16_t len,
		 struct reply *rep, uint32_t *off)
{
	struct req r;
	uint32_t o;

	req_init(&r, self->family, ESPTUN_CMD_DEV_GET, 0);
	o = req_attr(&r, type, data, len);
	if (off)
		*off = o;
	ASSERT_EQ(0, transact(self->fd, &r, rep));
	TH_LOG("error %d: \"%s\"", rep->err, rep->msg);
}

#define ASSERT_MSG_HAS(rep, s) \
	ASSERT_NE(NULL, strstr((rep).msg, (s))) TH_LOG("message \"%s\" lacks \"%s\"", (rep).msg, (s))

TEST_F(genl, missing_device_names_both_attributes)
{
	struct reply rep;
	struct req r;

	req_init(&r, self->family, ESPTUN_CMD_DEV_GET, 0);
	ASSERT_EQ(0, transact(self->fd, &r, &rep));
	ASSERT_EQ(-EINVAL, rep.err);
	ASSERT_MSG_HAS(rep, "ESPTUN_A_DEVICE_IFINDEX");
	ASSERT_MSG_HAS(rep, "ESPTUN_A_DEVICE_IFNAME");
	ASSERT_EQ(1, rep.has_miss);
	ASSERT_EQ((uint32_t)ESPTUN_A_DEVICE_IFINDEX, rep.miss_type);
}

TEST_F(genl, ifindex_wrong_length)
{
	uint16_t v = 1;
	struct reply rep;
	uint32_t off;

	get1(_metadata, self, ESPTUN_A_DEVICE_IFINDEX, &v, sizeof(v), &rep, &off);
	ASSERT_EQ(-EINVAL, rep.err);
	ASSERT_MSG_HAS(rep, "ESPTUN_A_DEVICE_IFINDEX");
	ASSERT_EQ(1, rep.has_offs);
	ASSERT_EQ(off, rep.offs);
}

TEST_F(genl, ifindex_zero)
{
	uint32_t v = 0;
	struct reply rep;

	get1(_metadata, self, ESPTUN_A_DEVICE_IFINDEX, &v, sizeof(v), &rep, NULL);
	ASSERT_EQ(-ERANGE, rep.err);
	ASSERT_MSG_HAS(rep, "ESPTUN_A_DEVICE_IFINDEX");
}

TEST_F(genl, ifname_not_terminated)
{
	struct reply rep;
	uint32_t off;

	get1(_metadata, self, ESPTUN_A_DEVICE_IFNAME, "esp0", 4, &rep, &off);
	ASSERT_EQ(-EINVAL, rep.err);
	ASSERT_MSG_HAS(rep, "ESPTUN_A_DEVICE_IFNAME");
	ASSERT_EQ(off, rep.offs);
}

TEST_F(genl, ifname_too_long)
{
	const char name[] = "esp0123456789abcdef";
	struct reply rep;

	get1(_metadata, self, ESPTUN_A_DEVICE_IFNAME, name, sizeof(name), &rep, NULL);
	ASSERT_EQ(-EINVAL, rep.err);
	ASSERT_MSG_HAS(rep, "ESPTUN_A_DEVICE_IFNAME");
}

TEST_F(genl, ifname_empty_or_with_inner_nul)
{
	struct reply rep;

	get1(_metadata, self, ESPTUN_A_DEVICE_IFNAME, "", 1, &rep, NULL);
	ASSERT_EQ(-EINVAL, rep.err);
	ASSERT_MSG_HAS(rep, "ESPTUN_A_DEVICE_IFNAME");
	get1(_metadata, self, ESPTUN_A_DEVICE_IFNAME, "esp\0x", 6, &rep, NULL);
	ASSERT_EQ(-EINVAL, rep.err);
	ASSERT_MSG_HAS(rep, "ESPTUN_A_DEVICE_IFNAME");
}

TEST_F(genl, both_names_refused)
{
	struct reply rep;
	struct req r;

	req_init(&r, self->family, ESPTUN_CMD_DEV_GET, 0);
	req_attr(&r, ESPTUN_A_DEVICE_IFINDEX, &self->ifindex, 4);
	req_attr(&r, ESPTUN_A_DEVICE_IFNAME, "esp0", 5);
	ASSERT_EQ(0, transact(self->fd, &r, &rep));
	ASSERT_EQ(-EINVAL, rep.err);
	ASSERT_MSG_HAS(rep, "not both");
}

TEST_F(genl, reply_only_attributes_refused)
{
	static const struct { uint16_t type; const char *name; } ro[] = {
		{ ESPTUN_A_DEVICE_MTU, "ESPTUN_A_DEVICE_MTU" },
		{ ESPTUN_A_DEVICE_STATS, "ESPTUN_A_DEVICE_STATS" },
		{ ESPTUN_A_DEVICE_DROPS, "ESPTUN_A_DEVICE_DROPS" },
		{ ESPTUN_A_DEVICE_PAD, "ESPTUN_A_DEVICE_PAD" },
	};
	uint32_t v = 1400;
	struct reply rep;
	struct req r;
	size_t i;

	for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		req_init(&r, self->family, ESPTUN_CMD_DEV_GET, 0);
		req_attr(&r, ESPTUN_A_DEVICE_IFINDEX, &self->ifindex, 4);
		req_attr(&r, ro[i].type, &v, sizeof(v));
		ASSERT_EQ(0, transact(self->fd, &r, &rep));
		ASSERT_EQ(-EINVAL, rep.err);
		ASSERT_MSG_HAS(rep, ro[i].name);
	}
}

TEST_F(genl, unknown_attribute_located)
{
	uint32_t v = 1;
	struct reply rep;
	uint32_t off;

	get1(_metadata, self, 200, &v, sizeof(v), &rep, &off);
	ASSERT_EQ(-EINVAL, rep.err);
	ASSERT_EQ(1, rep.has_offs);
	ASSERT_EQ(off, rep.offs);
}

TEST_F(genl, truncated_attribute)
{
	struct reply rep;
	struct req r;
	struct nlattr *a;

	req_init(&r, self->family, ESPTUN_CMD_DEV_GET, 0);
	req_attr(&r, ESPTUN_A_DEVICE_IFINDEX, &self->ifindex, 4);
	/* claim more bytes than the message holds */
	a = (struct nlattr *)((char *)&r + NLMSG_LENGTH(GENL_HDRLEN));
	a->nla_len = 64;
	ASSERT_EQ(0, transact(self->fd, &r, &rep));
	ASSERT_EQ(-EINVAL, rep.err);
}

TEST_F(genl, no_such_device)
{
	uint32_t v = 0x7ffffff0;
	struct reply rep;

	get1(_metadata, self, ESPTUN_A_DEVICE_IFINDEX, &v, sizeof(v), &rep, NULL);
	ASSERT_EQ(-ENODEV, rep.err);
	ASSERT_MSG_HAS(rep, "ESPTUN_A_DEVICE_IFINDEX");
	get1(_metadata, self, ESPTUN_A_DEVICE_IFNAME, "esp9", 5, &rep, NULL);
	ASSERT_EQ(-ENODEV, rep.err);
	ASSERT_MSG_HAS(rep, "ESPTUN_A_DEVICE_IFNAME");
}

TEST_F(genl, not_an_esptun_device)
{
	uint32_t lo = if_nametoindex("lo");
	struct reply rep;

	get1(_metadata, self, ESPTUN_A_DEVICE_IFINDEX, &lo, sizeof(lo), &rep, NULL);
	ASSERT_EQ(-ENODEV, rep.err);
	ASSERT_MSG_HAS(rep, "not an esptun interface");
	get1(_metadata, self, ESPTUN_A_DEVICE_IFNAME, "lo", 3, &rep, NULL);
	ASSERT_EQ(-ENODEV, rep.err);
	ASSERT_MSG_HAS(rep, "not an esptun interface");
}

TEST_F(genl, unknown_command)
{
	struct reply rep;
	struct req r;

	req_init(&r, self->family, 99, 0);
	ASSERT_EQ(0, transact(self->fd, &r, &rep));
	ASSERT_EQ(-EOPNOTSUPP, rep.err);
}

TEST_F(genl, get_returns_device)
{
	const struct nlattr *a;
	struct reply rep;

	get1(_metadata, self, ESPTUN_A_DEVICE_IFINDEX, &self->ifindex, 4, &rep, NULL);
	ASSERT_EQ(0, rep.err);
	ASSERT_EQ(1, rep.nmsgs);
	a = reply_attr(&rep, ESPTUN_A_DEVICE_IFNAME);
	ASSERT_NE(NULL, a);
	ASSERT_STREQ("esp0", (const char *)a + NLA_HDRLEN);
	a = reply_attr(&rep, ESPTUN_A_DEVICE_MTU);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(1390U, *(const uint32_t *)((const char *)a + NLA_HDRLEN));
	a = reply_attr(&rep, ESPTUN_A_DEVICE_STATS);
	ASSERT_NE(NULL, a);
	/* eight u64 counters, each maybe preceded by a pad attribute */
	ASSERT_LE(8, nest_count(a));
	a = reply_attr(&rep, ESPTUN_A_DEVICE_DROPS);
	ASSERT_NE(NULL, a);
	ASSERT_LE(ESPTUN_A_DROP_MAX - ESPTUN_A_DROP_PAD, nest_count(a));

	get1(_metadata, self, ESPTUN_A_DEVICE_IFNAME, "esp0", 5, &rep, NULL);
	ASSERT_EQ(0, rep.err);
	a = reply_attr(&rep, ESPTUN_A_DEVICE_IFINDEX);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(self->ifindex, *(const uint32_t *)((const char *)a + NLA_HDRLEN));
}

TEST_F(genl, dump_lists_every_device_of_the_namespace)
{
	struct reply rep;
	struct req r;

	ASSERT_EQ(0, system("ip link add esp1 type esptun && ip link add esp2 type esptun && ip link add d0 type dummy"));
	req_init(&r, self->family, ESPTUN_CMD_DEV_GET, NLM_F_DUMP);
	ASSERT_EQ(0, transact(self->fd, &r, &rep));
	ASSERT_EQ(0, rep.err);
	ASSERT_EQ(3, rep.nmsgs);
}

TEST_F(genl, events_group_needs_cap_net_admin)
{
	int status, grp = self->events;
	pid_t pid;

	ASSERT_LT(0, grp);
	/* root may listen */
	ASSERT_EQ(0, setsockopt(self->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&grp, sizeof(grp)));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		fd = nl_open();
		if (fd < 0)
			_exit(3);
		if (!setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&grp, sizeof(grp)))
			_exit(4);	/* nobody joined: wrong */
		_exit(errno == EPERM ? 0 : 5);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
