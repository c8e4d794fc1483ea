// SPDX-License-Identifier: GPL-2.0
/*
 * ESPTUN_CMD_SA_NEW errors, spoken as raw generic netlink (helpers as in
 * genl_errors.c):
 * - a key of the wrong length is refused with a message naming the key
 *   attribute, its length and the algorithm, pointing at the attribute;
 * - a duplicate SPI is refused with EEXIST and leaves the first SA as it
 *   was; inbound SPIs are unique per network namespace (esptun finds the
 *   SA of an ESP packet by SPI alone);
 * - an unknown interface is ENODEV, an SPI below 256 is refused, naming
 *   ESPTUN_A_SA_SPI;
 * - without CAP_NET_ADMIN, SA_NEW is EPERM;
 * - keys are never returned.
 *
 * Each test runs in a fresh network namespace holding esp0 and esp1.
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


static const unsigned char v4_a[4] = { 192, 0, 2, 1 };
static const unsigned char v4_b[4] = { 192, 0, 2, 2 };
static const unsigned char v4_c[4] = { 192, 0, 2, 3 };

/* Where an attribute inside the SA nest starts, for NLMSGERR_ATTR_OFFS. */
struct sa_req {
	struct req r;
	uint32_t nest;		/* offset of the nest header */
	uint32_t key_off;	/* offset of the key attribute */
};

static void nest_begin(struct sa_req *s)
{
	s->nest = req_attr(&s->r, ESPTUN_A_DEVICE_SA | NLA_F_NESTED, "", 0);
}

static uint32_t nest_attr(struct sa_req *s, uint16_t type, const void *d,
			  uint16_t len)
{
	uint32_t off = req_attr(&s->r, type, d, len);
	struct nlattr *n = (struct nlattr *)((char *)&s->r + s->nest);

	n->nla_len = s->r.n.nlmsg_len - s->nest;
	return off;
}

/* SA_NEW on DEV: DIR, SPI, SRC a, DST dst, AEAD rfc4106(gcm(aes)) with a
 * KEYLEN-byte key and a 128-bit ICV. */
static void sa_gcm(struct sa_req *s, int family, const char *dev, uint8_t dir,
		   uint32_t spi, const unsigned char *dst, uint16_t keylen)
{
	static const char alg[] = "rfc4106(gcm(aes))";
	unsigned char key[64];
	uint32_t icv = 128;

	memset(key, 0x11, sizeof(key));
	req_init(&s->r, family, ESPTUN_CMD_SA_NEW, 0);
	req_attr(&s->r, ESPTUN_A_DEVICE_IFNAME, dev, strlen(dev) + 1);
	nest_begin(s);
	nest_attr(s, ESPTUN_A_SA_DIR, &dir, 1);
	nest_attr(s, ESPTUN_A_SA_SPI, &spi, 4);
	nest_attr(s, ESPTUN_A_SA_SRC, v4_a, 4);
	nest_attr(s, ESPTUN_A_SA_DST, dst, 4);
	nest_attr(s, ESPTUN_A_SA_AEAD_NAME, alg, sizeof(alg));
	s->key_off = nest_attr(s, ESPTUN_A_SA_AEAD_KEY, key, keylen);
	nest_attr(s, ESPTUN_A_SA_AEAD_ICV_BITS, &icv, 4);
}

/* SA_NEW: ENC_NAME with an ENCLEN-byte key, AUTH hmac(sha256) with an
 * AUTHLEN-byte key truncated to 128 bits. */
static void sa_enc_auth(struct sa_req *s, int family, const char *enc,
			uint16_t enclen, uint16_t authlen, uint32_t *enc_off,
			uint32_t *auth_off)
{
	static const char auth[] = "hmac(sha256)";
	unsigned char key[64];
	uint32_t spi = 0x200, trunc = 128;
	uint8_t dir = ESPTUN_SA_DIR_IN;

	memset(key, 0x22, sizeof(key));
	req_init(&s->r, family, ESPTUN_CMD_SA_NEW, 0);
	req_attr(&s->r, ESPTUN_A_DEVICE_IFNAME, "esp0", 5);
	nest_begin(s);
	nest_attr(s, ESPTUN_A_SA_DIR, &dir, 1);
	nest_attr(s, ESPTUN_A_SA_SPI, &spi, 4);
	nest_attr(s, ESPTUN_A_SA_SRC, v4_a, 4);
	nest_attr(s, ESPTUN_A_SA_DST, v4_b, 4);
	nest_attr(s, ESPTUN_A_SA_ENC_NAME, enc, strlen(enc) + 1);
	*enc_off = nest_attr(s, ESPTUN_A_SA_ENC_KEY, key, enclen);
	nest_attr(s, ESPTUN_A_SA_AUTH_NAME, auth, sizeof(auth));
	*auth_off = nest_attr(s, ESPTUN_A_SA_AUTH_KEY, key, authlen);
	nest_attr(s, ESPTUN_A_SA_AUTH_TRUNC_BITS, &trunc, 4);
}

/* The attribute TYPE of the SA nest of the first reply message. */
static const struct nlattr *reply_sa_attr(const struct reply *rep,
					  uint16_t type)
{
	const struct nlattr *nest = reply_attr(rep, ESPTUN_A_DEVICE_SA), *a;

	if (!nest)
		return NULL;
	for (a = (const void *)((const char *)nest + NLA_HDRLEN);
	     (const char *)a + NLA_HDRLEN <= (const char *)nest + nest->nla_len &&
	     a->nla_len >= NLA_HDRLEN;
	     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len)))
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
	return NULL;
}

/* SA_GET doit of (DIR, SPI) on DEV. */
static void sa_get(int fd, int family, const char *dev, uint8_t dir,
		   uint32_t spi, struct reply *rep)
{
	struct sa_req s;

	req_init(&s.r, family, ESPTUN_CMD_SA_GET, 0);
	req_attr(&s.r, ESPTUN_A_DEVICE_IFNAME, dev, strlen(dev) + 1);
	nest_begin(&s);
	nest_attr(&s, ESPTUN_A_SA_DIR, &dir, 1);
	nest_attr(&s, ESPTUN_A_SA_SPI, &spi, 4);
	transact(fd, &s.r, rep);
}

FIXTURE(sa) {
	int fd;
	int family;
	int events;
};

FIXTURE_SETUP(sa)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, system("ip link set lo up && ip link add esp0 type esptun && ip link add esp1 type esptun"));
	self->fd = nl_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, resolve(self->fd, &self->family, &self->events));
}

FIXTURE_TEARDOWN(sa)
{
	close(self->fd);
}

TEST_F(sa, aead_key_length_named)
{
	struct reply rep;
	struct sa_req s;

	sa_gcm(&s, self->family, "esp0", ESPTUN_SA_DIR_IN, 0x100, v4_b, 10);
	ASSERT_EQ(0, transact(self->fd, &s.r, &rep));
	TH_LOG("error %d: \"%s\"", rep.err, rep.msg);
	ASSERT_EQ(-EINVAL, rep.err);
	ASSERT_MSG_HAS(rep, "ESPTUN_A_SA_AEAD_KEY");
	ASSERT_MSG_HAS(rep, "10");
	ASSERT_MSG_HAS(rep, "rfc4106(gcm(aes))");
	ASSERT_EQ(1, rep.has_offs);
	ASSERT_EQ(s.key_off, rep.offs);
	/* nothing was added */
	sa_get(self->fd, self->family, "esp0", ESPTUN_SA_DIR_IN, 0x100, &rep);
	ASSERT_EQ(-ENOENT, rep.err);
}

TEST_F(sa, enc_key_length_named)
{
	uint32_t enc_off, auth_off;
	struct reply rep;
	struct sa_req s;

	sa_enc_auth(&s, self->family, "cbc(aes)", 15, 32, &enc_off, &auth_off);
	ASSERT_EQ(0, transact(self->fd, &s.r, &rep));
	TH_LOG("error %d: \"%s\"", rep.err, rep.msg);
	ASSERT_EQ(-EINVAL, rep.err);
	ASSERT_MSG_HAS(rep, "ESPTUN_A_SA_ENC_KEY");
	ASSERT_MSG_HAS(rep, "15");
	ASSERT_MSG_HAS(rep, "cbc(aes)");
	ASSERT_EQ(1, rep.has_offs);
	ASSERT_EQ(enc_off, rep.offs);
}

TEST_F(sa, auth_key_length_named)
{
	uint32_t enc_off, auth_off;
	struct reply rep;
	struct sa_req s;

	sa_enc_auth(&s, self->family, "cbc(aes)", 16, 7, &enc_off, &auth_off);
	ASSERT_EQ(0, transact(self->fd, &s.r, &rep));
	TH_LOG("error %d: \"%s\"", rep.err, rep.msg);
	ASSERT_EQ(-EINVAL, rep.err);
	ASSERT_MSG_HAS(rep, "ESPTUN_A_SA_AUTH_KEY");
	ASSERT_MSG_HAS(rep, "7");
	ASSERT_MSG_HAS(rep, "hmac(sha256)");
	ASSERT_EQ(1, rep.has_offs);
	ASSERT_EQ(auth_off, rep.offs);
}

TEST_F(sa, good_keys_accepted)
{
	uint32_t enc_off, auth_off;
	struct reply rep;
	struct sa_req s;

	sa_enc_auth(&s, self->family, "cbc(aes)", 16, 32, &enc_off, &auth_off);
	ASSERT_EQ(0, transact(self->fd, &s.r, &rep));
	TH_LOG("error %d: \"%s\"", rep.err, rep.msg);
	ASSERT_EQ(0, rep.err);
	sa_gcm(&s, self->family, "esp0", ESPTUN_SA_DIR_IN, 0x100, v4_b, 20);
	ASSERT_EQ(0, transact(self->fd, &s.r, &rep));
	ASSERT_EQ(0, rep.err);
}

TEST_F(sa, duplicate_spi_eexist_first_intact)
{
	const struct nlattr *a;
	struct reply rep;
	struct sa_req s;

	sa_gcm(&s, self->family, "esp0", ESPTUN_SA_DIR_IN, 0x100, v4_b, 20);
	ASSERT_EQ(0, transact(self->fd, &s.r, &rep));
	ASSERT_EQ(0, rep.err);
	/* same direction and SPI, another destination */
	sa_gcm(&s, self->family, "esp0", ESPTUN_SA_DIR_IN, 0x100, v4_c, 20);
	ASSERT_EQ(0, transact(self->fd, &s.r, &rep));
	TH_LOG("error %d: \"%s\"", rep.err, rep.msg);
	ASSERT_EQ(-EEXIST, rep.err);
	/* an inbound SPI is unique in the namespace, across interfaces */
	sa_gcm(&s, self->family, "esp1", ESPTUN_SA_DIR_IN, 0x100, v4_c, 20);
	ASSERT_EQ(0, transact(self->fd, &s.r, &rep));
	TH_LOG("error %d: \"%s\"", rep.err, rep.msg);
	ASSERT_EQ(-EEXIST, rep.err);

	sa_get(self->fd, self->family, "esp0", ESPTUN_SA_DIR_IN, 0x100, &rep);
	ASSERT_EQ(0, rep.err);
	a = reply_sa_attr(&rep, ESPTUN_A_SA_DST);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(NLA_HDRLEN + 4, a->nla_len);
	ASSERT_EQ(0, memcmp((const char *)a + NLA_HDRLEN, v4_b, 4));
	sa_get(self->fd, self->family, "esp1", ESPTUN_SA_DIR_IN, 0x100, &rep);
	ASSERT_EQ(-ENOENT, rep.err);
}

TEST_F(sa, keys_never_returned)
{
	struct reply rep;
	struct sa_req s;

	sa_gcm(&s, self->family, "esp0", ESPTUN_SA_DIR_OUT, 0x101, v4_b, 20);
	ASSERT_EQ(0, transact(self->fd, &s.r, &rep));
	ASSERT_EQ(0, rep.err);
	sa_get(self->fd, self->family, "esp0", ESPTUN_SA_DIR_OUT, 0x101, &rep);
	ASSERT_EQ(0, rep.err);
	ASSERT_NE(NULL, reply_sa_attr(&rep, ESPTUN_A_SA_AEAD_NAME));
	ASSERT_EQ(NULL, reply_sa_attr(&rep, ESPTUN_A_SA_AEAD_KEY));
	ASSERT_EQ(NULL, reply_sa_attr(&rep, ESPTUN_A_SA_ENC_KEY));
	ASSERT_EQ(NULL, reply_sa_attr(&rep, ESPTUN_A_SA_AUTH_KEY));
}

TEST_F(sa, unknown_device)
{
	struct reply rep;
	struct sa_req s;

	sa_gcm(&s, self->family, "esp9", ESPTUN_SA_DIR_IN, 0x100, v4_b, 20);
	ASSERT_EQ(0, transact(self->fd, &s.r, &rep));
	TH_LOG("error %d: \"%s\"", rep.err, rep.msg);
	ASSERT_EQ(-ENODEV, rep.err);
	ASSERT_MSG_HAS(rep, "ESPTUN_A_DEVICE_IFNAME");
}

TEST_F(sa, spi_below_256_refused)
{
	struct reply rep;
	struct sa_req s;

	sa_gcm(&s, self->family, "esp0", ESPTUN_SA_DIR_IN, 255, v4_b, 20);
	ASSERT_EQ(0, transact(self->fd, &s.r, &rep));
	TH_LOG("error %d: \"%s\"", rep.err, rep.msg);
	/* EINVAL, or ERANGE as the netlink core's range checks say */
	ASSERT_TRUE(rep.err == -EINVAL || rep.err == -ERANGE);
	ASSERT_MSG_HAS(rep, "ESPTUN_A_SA_SPI");
}

TEST_F(sa, sa_new_needs_cap_net_admin)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct reply rep;
		struct sa_req s;
		int fd;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		fd = nl_open();
		if (fd < 0)
			_exit(3);
		sa_gcm(&s, self->family, "esp0", ESPTUN_SA_DIR_IN, 0x100, v4_b, 20);
		if (transact(fd, &s.r, &rep))
			_exit(4);
		_exit(rep.err == -EPERM ? 0 : 5);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* and nothing was added */
	{
		struct reply rep;

		sa_get(self->fd, self->family, "esp0", ESPTUN_SA_DIR_IN, 0x100, &rep);
		ASSERT_EQ(-ENOENT, rep.err);
	}
}

TEST_HARNESS_MAIN
