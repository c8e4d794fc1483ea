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

#include "esptun_genl.h"

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
		{ ESPTUN_A_DEVICE_EFFECTIVE_MTU, "ESPTUN_A_DEVICE_EFFECTIVE_MTU" },
		{ ESPTUN_A_DEVICE_PATH_MTU, "ESPTUN_A_DEVICE_PATH_MTU" },
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
