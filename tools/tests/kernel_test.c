// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of esptund's kernel interface (daemon/kernel.c) without the
 * module: SA_NEW messages are built into a buffer and their attributes
 * checked; ACQUIRE and EXPIRE events, canned and malformed, are parsed;
 * so are the kernel's extended-ack messages.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <linux/esptun.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "../daemon/kernel.h"
#include "../lib/nlreq.h"
#include "tap.h"

#define FAMILY 0x1c	/* a made-up generic netlink family id */

static void addr4(struct sockaddr_storage *ss, const char *a)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, a, &sin->sin_addr);
}

static void addr6(struct sockaddr_storage *ss, const char *a)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	sin6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, a, &sin6->sin6_addr);
}

static struct nl_msg *new_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, FAMILY, 0, 0, cmd,
		    ESPTUN_GENL_VERSION);
	return msg;
}

static void base_sa(struct kernel_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	strcpy(sa->ifname, "esp0");
	sa->dir = ESPTUN_SA_DIR_IN;
	sa->spi = 0xc0ffee01;
	addr4(&sa->src, "198.51.100.2");
	addr4(&sa->dst, "192.0.2.1");
	strcpy(sa->aead_name, "rfc4106(gcm(aes))");
	memset(sa->aead_key, 0x5a, 36);
	sa->aead_key_len = 36;
	sa->aead_icv_bits = 128;
	sa->replay_window = 2048;
}

static bool u32_is(struct nlattr *a, uint32_t v)
{
	return a && nla_len(a) == 4 && nla_get_u32(a) == v;
}

static void test_build_aead(void)
{
	struct nlattr *top[ESPTUN_A_DEVICE_MAX + 1], *tb[ESPTUN_A_SA_MAX + 1];
	struct nlattr *lim[ESPTUN_A_LIMIT_MAX + 1];
	struct kernel_sa sa;
	struct nl_msg *msg;
	struct nlmsghdr *nlh;
	uint8_t key[36];

	base_sa(&sa);
	sa.encap_sport = 4500;
	sa.encap_dport = 31337;
	sa.esn = true;
	sa.sel_src.family = AF_INET;
	inet_pton(AF_INET, "10.2.0.0", sa.sel_src.addr);
	sa.sel_src.plen = 16;
	sa.lim.time_soft = 3000;
	sa.lim.byte_hard = 1ull << 40;

	msg = new_msg(ESPTUN_CMD_SA_NEW);
	check(kernel_put_sa(msg, &sa) == 0, "AEAD SA builds");
	nlh = nlmsg_hdr(msg);
	check(genlmsg_parse(nlh, 0, top, ESPTUN_A_DEVICE_MAX, NULL) == 0 &&
	      top[ESPTUN_A_DEVICE_IFNAME] &&
	      !strcmp(nla_get_string(top[ESPTUN_A_DEVICE_IFNAME]), "esp0"),
	      "IFNAME");
	check(top[ESPTUN_A_DEVICE_SA] &&
	      !nla_parse_nested(tb, ESPTUN_A_SA_MAX, top[ESPTUN_A_DEVICE_SA],
				NULL), "SA nest");
	check(tb[ESPTUN_A_SA_DIR] && nla_len(tb[ESPTUN_A_SA_DIR]) == 1 &&
	      nla_get_u8(tb[ESPTUN_A_SA_DIR]) == ESPTUN_SA_DIR_IN, "DIR");
	check(u32_is(tb[ESPTUN_A_SA_SPI], 0xc0ffee01), "SPI, host order");
	check(tb[ESPTUN_A_SA_SRC] && nla_len(tb[ESPTUN_A_SA_SRC]) == 4 &&
	      !memcmp(nla_data(tb[ESPTUN_A_SA_SRC]), "\xc6\x33\x64\x02", 4),
	      "SRC 4 bytes, network order");
	check(tb[ESPTUN_A_SA_DST] && nla_len(tb[ESPTUN_A_SA_DST]) == 4,
	      "DST");
	check(tb[ESPTUN_A_SA_ENCAP_SPORT] &&
	      nla_get_u16(tb[ESPTUN_A_SA_ENCAP_SPORT]) == 4500 &&
	      nla_get_u16(tb[ESPTUN_A_SA_ENCAP_DPORT]) == 31337,
	      "ENCAP ports, host order");
	memset(key, 0x5a, sizeof(key));
	check(tb[ESPTUN_A_SA_AEAD_NAME] &&
	      !strcmp(nla_get_string(tb[ESPTUN_A_SA_AEAD_NAME]),
		      "rfc4106(gcm(aes))") &&
	      nla_len(tb[ESPTUN_A_SA_AEAD_KEY]) == 36 &&
	      !memcmp(nla_data(tb[ESPTUN_A_SA_AEAD_KEY]), key, 36) &&
	      u32_is(tb[ESPTUN_A_SA_AEAD_ICV_BITS], 128), "AEAD");
	check(!tb[ESPTUN_A_SA_ENC_NAME] && !tb[ESPTUN_A_SA_AUTH_KEY],
	      "no ENC/AUTH with AEAD");
	check(u32_is(tb[ESPTUN_A_SA_REPLAY_WINDOW], 2048), "REPLAY_WINDOW");
	check(u32_is(tb[ESPTUN_A_SA_FLAGS], ESPTUN_SA_F_ESN), "FLAGS ESN");
	check(tb[ESPTUN_A_SA_SEL_SRC] && nla_len(tb[ESPTUN_A_SA_SEL_SRC]) == 4 &&
	      nla_get_u8(tb[ESPTUN_A_SA_SEL_SRC_PLEN]) == 16 &&
	      !tb[ESPTUN_A_SA_SEL_DST] && !tb[ESPTUN_A_SA_SEL_DST_PLEN],
	      "selector on the source side only");
	check(tb[ESPTUN_A_SA_LIMITS] &&
	      !nla_parse_nested(lim, ESPTUN_A_LIMIT_MAX, tb[ESPTUN_A_SA_LIMITS],
				NULL) &&
	      nla_get_u64(lim[ESPTUN_A_LIMIT_TIME_SOFT]) == 3000 &&
	      nla_get_u64(lim[ESPTUN_A_LIMIT_BYTE_HARD]) == 1ull << 40 &&
	      !lim[ESPTUN_A_LIMIT_TIME_HARD] && !lim[ESPTUN_A_LIMIT_PACKET_SOFT],
	      "LIMITS: only those set");
	/* nlreq_msg_free() wipes the payload first; ASan checks the rest */
	nlreq_msg_free(msg);
	kernel_sa_wipe(&sa);
	check(sa.aead_key_len == 0 && !memcmp(sa.aead_key,
	      (uint8_t[KERNEL_KEY_MAX]){ 0 }, KERNEL_KEY_MAX),
	      "kernel_sa_wipe clears the keys");
}

static void test_build_cbc_v6(void)
{
	struct nlattr *top[ESPTUN_A_DEVICE_MAX + 1], *tb[ESPTUN_A_SA_MAX + 1];
	struct kernel_sa sa;
	struct nl_msg *msg;

	base_sa(&sa);
	sa.dir = ESPTUN_SA_DIR_OUT;
	sa.aead_name[0] = '\0';
	addr6(&sa.src, "2001:db8::1");
	addr6(&sa.dst, "2001:db8::2");
	strcpy(sa.enc_name, "cbc(aes)");
	sa.enc_key_len = 32;
	strcpy(sa.auth_name, "hmac(sha256)");
	sa.auth_key_len = 32;
	sa.auth_trunc_bits = 128;
	sa.sel_dst.family = AF_INET6;
	sa.sel_dst.plen = 48;
	msg = new_msg(ESPTUN_CMD_SA_NEW);
	check(kernel_put_sa(msg, &sa) == 0, "CBC/HMAC IPv6 SA builds");
	genlmsg_parse(nlmsg_hdr(msg), 0, top, ESPTUN_A_DEVICE_MAX, NULL);
	nla_parse_nested(tb, ESPTUN_A_SA_MAX, top[ESPTUN_A_DEVICE_SA], NULL);
	check(nla_len(tb[ESPTUN_A_SA_SRC]) == 16 &&
	      nla_len(tb[ESPTUN_A_SA_DST]) == 16, "IPv6 outer addresses");
	check(!strcmp(nla_get_string(tb[ESPTUN_A_SA_ENC_NAME]), "cbc(aes)") &&
	      nla_len(tb[ESPTUN_A_SA_ENC_KEY]) == 32 &&
	      !strcmp(nla_get_string(tb[ESPTUN_A_SA_AUTH_NAME]),
		      "hmac(sha256)") &&
	      nla_len(tb[ESPTUN_A_SA_AUTH_KEY]) == 32 &&
	      u32_is(tb[ESPTUN_A_SA_AUTH_TRUNC_BITS], 128) &&
	      !tb[ESPTUN_A_SA_AEAD_NAME], "ENC + AUTH");
	check(!tb[ESPTUN_A_SA_REPLAY_WINDOW] && !tb[ESPTUN_A_SA_FLAGS] &&
	      !tb[ESPTUN_A_SA_ENCAP_SPORT], "outbound: no replay window, no ESN, no encap");
	check(!tb[ESPTUN_A_SA_LIMITS], "no limits: no LIMITS nest");
	check(nla_len(tb[ESPTUN_A_SA_SEL_DST]) == 16 &&
	      nla_get_u8(tb[ESPTUN_A_SA_SEL_DST_PLEN]) == 48, "IPv6 selector");
	nlreq_msg_free(msg);
}

static void test_build_defaults(void)
{
	struct nlattr *top[ESPTUN_A_DEVICE_MAX + 1], *tb[ESPTUN_A_SA_MAX + 1];
	struct kernel_sa sa;
	struct nl_msg *msg;

	base_sa(&sa);
	sa.replay_window = 0;
	msg = new_msg(ESPTUN_CMD_SA_NEW);
	check(kernel_put_sa(msg, &sa) == 0, "inbound SA, window 0, builds");
	genlmsg_parse(nlmsg_hdr(msg), 0, top, ESPTUN_A_DEVICE_MAX, NULL);
	nla_parse_nested(tb, ESPTUN_A_SA_MAX, top[ESPTUN_A_DEVICE_SA], NULL);
	check(!tb[ESPTUN_A_SA_REPLAY_WINDOW],
	      "replay window 0: left to the module's default, not turned off");
	nlreq_msg_free(msg);
}

/* An NLMSG_ERROR as the kernel writes it, with an extack message. */
static size_t nlerr(uint8_t *buf, size_t size, bool capped,
		    uint32_t echo_len, const char *text)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlmsgerr *e = (struct nlmsgerr *)(buf + NLMSG_HDRLEN);
	size_t off = NLMSG_HDRLEN + sizeof(*e), tl = strlen(text) + 1;
	struct nlattr *a;

	memset(buf, 0, size);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS | (capped ? NLM_F_CAPPED : 0);
	e->error = -EINVAL;
	e->msg.nlmsg_len = echo_len;
	if (!capped)	/* the request echoed: zeros will do */
		off += NLMSG_ALIGN(echo_len >= NLMSG_HDRLEN ? echo_len : 0) -
		       NLMSG_HDRLEN;
	a = (struct nlattr *)(buf + off);
	a->nla_type = NLMSGERR_ATTR_MSG;
	a->nla_len = (uint16_t)(NLA_HDRLEN + tl);
	memcpy(buf + off + NLA_HDRLEN, text, tl);
	nlh->nlmsg_len = (uint32_t)(off + NLA_ALIGN(a->nla_len));
	return nlh->nlmsg_len;
}

static void test_extack(void)
{
	uint8_t buf[1024];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlreq_error e;
	char long_msg[700];

	memset(&e, 0, sizeof(e));
	nlerr(buf, sizeof(buf), true, 40, "ESPTUN_A_SA_SPI: SPI in use");
	nlreq_parse_extack(nlh, &e);
	check(!strcmp(e.msg, "ESPTUN_A_SA_SPI: SPI in use"), "capped extack");

	memset(&e, 0, sizeof(e));
	nlerr(buf, sizeof(buf), false, 36, "no such device");
	nlreq_parse_extack(nlh, &e);
	check(!strcmp(e.msg, "no such device"), "extack after an echoed request");

	/* the echoed request claims more than the message holds */
	nlerr(buf, sizeof(buf), false, 36, "x");
	((struct nlmsgerr *)(buf + NLMSG_HDRLEN))->msg.nlmsg_len = 100000;
	strcpy(e.msg, "untouched");
	nlreq_parse_extack(nlh, &e);
	check(!strcmp(e.msg, "untouched"), "echo longer than the message ignored");

	/* an attribute longer than the message */
	nlerr(buf, sizeof(buf), true, 0, "abc");
	((struct nlattr *)(buf + NLMSG_HDRLEN +
			   sizeof(struct nlmsgerr)))->nla_len = 400;
	nlreq_parse_extack(nlh, &e);
	check(!strcmp(e.msg, "untouched"), "attribute past the end ignored");

	/* a message too short for its nlmsgerr */
	nlerr(buf, sizeof(buf), true, 0, "abc");
	nlh->nlmsg_len = NLMSG_HDRLEN + 4;
	nlreq_parse_extack(nlh, &e);
	check(!strcmp(e.msg, "untouched"), "truncated NLMSG_ERROR ignored");

	/* a long message is cut to the buffer, NUL-terminated */
	memset(long_msg, 'x', sizeof(long_msg) - 1);
	long_msg[sizeof(long_msg) - 1] = '\0';
	nlerr(buf, sizeof(buf), true, 0, long_msg);
	nlreq_parse_extack(nlh, &e);
	check(strlen(e.msg) == sizeof(e.msg) - 1 &&
	      !strncmp(e.msg, long_msg, sizeof(e.msg) - 1),
	      "long extack cut to the buffer");
	check(e.miss_type == 0, "no missing attribute named");
#ifdef NLMSGERR_ATTR_MISS_TYPE
	{
		/* the attribute the kernel says is missing, after the text */
		size_t len = nlerr(buf, sizeof(buf), true, 0, "missing attribute");
		struct nlattr *a = (struct nlattr *)(buf + len);
		uint32_t type = ESPTUN_A_SA_SPI;

		memset(&e, 0, sizeof(e));
		a->nla_type = NLMSGERR_ATTR_MISS_TYPE;
		a->nla_len = NLA_HDRLEN + sizeof(type);
		memcpy(buf + len + NLA_HDRLEN, &type, sizeof(type));
		nlh->nlmsg_len = (uint32_t)(len + NLA_ALIGN(a->nla_len));
		nlreq_parse_extack(nlh, &e);
		check(e.miss_type == ESPTUN_A_SA_SPI &&
		      !strcmp(e.msg, "missing attribute"),
		      "missing attribute named (%d)", e.miss_type);
	}
#endif
}

static void refused(void (*mod)(struct kernel_sa *), const char *what)
{
	struct kernel_sa sa;
	struct nl_msg *msg = new_msg(ESPTUN_CMD_SA_NEW);

	base_sa(&sa);
	mod(&sa);
	check(kernel_put_sa(msg, &sa) == -EINVAL, "refused: %s", what);
	nlreq_msg_free(msg);
}

static void m_spi(struct kernel_sa *s) { s->spi = 255; }
static void m_dir(struct kernel_sa *s) { s->dir = 3; }
static void m_fam(struct kernel_sa *s) { addr6(&s->dst, "::1"); }
static void m_encap(struct kernel_sa *s) { s->encap_sport = 4500; }
static void m_both(struct kernel_sa *s) { strcpy(s->enc_name, "cbc(aes)"); }
static void m_none(struct kernel_sa *s) { s->aead_name[0] = '\0'; }
static void m_noauth(struct kernel_sa *s)
{
	s->aead_name[0] = '\0';
	strcpy(s->enc_name, "cbc(aes)");
}
static void m_key(struct kernel_sa *s) { s->aead_key_len = KERNEL_KEY_MAX + 1; }
static void m_plen(struct kernel_sa *s)
{
	s->sel_dst.family = AF_INET;
	s->sel_dst.plen = 33;
}
static void m_ifname(struct kernel_sa *s) { s->ifname[0] = '\0'; }
static void m_name(struct kernel_sa *s)
{
	memset(s->aead_name, 'a', sizeof(s->aead_name));
}

static void test_refused(void)
{
	refused(m_spi, "SPI below 256");
	refused(m_dir, "bad direction");
	refused(m_fam, "mixed address families");
	refused(m_encap, "one encap port only");
	refused(m_both, "AEAD and ENC");
	refused(m_none, "no algorithm");
	refused(m_noauth, "ENC without AUTH");
	refused(m_key, "key too long");
	refused(m_plen, "prefix longer than the address");
	refused(m_ifname, "no interface");
	refused(m_name, "unterminated algorithm name");
}

/* ACQUIRE as the kernel sends it, byte for byte (little-endian host). */
static const uint8_t acquire_v4[] = {
	/* nlmsghdr: len 68, type FAMILY, flags 0, seq 0, pid 0 */
	68, 0, 0, 0, FAMILY, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* genlmsghdr: cmd ACQUIRE (7), version 1 */
	ESPTUN_CMD_ACQUIRE, 1, 0, 0,
	/* IFINDEX 5 */
	8, 0, ESPTUN_A_DEVICE_IFINDEX, 0, 5, 0, 0, 0,
	/* IFNAME "esp0" */
	9, 0, ESPTUN_A_DEVICE_IFNAME, 0, 'e', 's', 'p', '0', 0, 0, 0, 0,
	/* SA nest (NLA_F_NESTED), 28 bytes */
	28, 0, ESPTUN_A_DEVICE_SA, 0x80,
	5, 0, ESPTUN_A_SA_DIR, 0, ESPTUN_SA_DIR_OUT, 0, 0, 0,
	8, 0, ESPTUN_A_SA_SEL_SRC, 0, 10, 1, 0, 7,
	8, 0, ESPTUN_A_SA_SEL_DST, 0, 10, 2, 0, 9,
	/* PROTO lies outside the nest on purpose: it must be missed */
};

static void test_acquire_canned(void)
{
	uint8_t buf[sizeof(acquire_v4) + 8];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct kernel_event ev;

	_Static_assert(sizeof(acquire_v4) == 68, "canned ACQUIRE size");
	memcpy(buf, acquire_v4, sizeof(acquire_v4));
	nlh->nlmsg_len = sizeof(acquire_v4);
	check(kernel_parse_event(nlh, FAMILY, &ev) == -1,
	      "canned ACQUIRE without PROTO refused");
	/* append PROTO 6 to the nest */
	memcpy(buf + 68, (uint8_t[]){ 5, 0, ESPTUN_A_SA_PROTO, 0, 6, 0, 0, 0 },
	       8);
	buf[40] = 36;
	nlh->nlmsg_len = sizeof(buf);
	check(kernel_parse_event(nlh, FAMILY, &ev) == 0 &&
	      ev.type == KERNEL_EV_ACQUIRE && ev.ifindex == 5 &&
	      !strcmp(ev.ifname, "esp0") && ev.family == AF_INET &&
	      !memcmp(ev.src, "\x0a\x01\x00\x07", 4) &&
	      !memcmp(ev.dst, "\x0a\x02\x00\x09", 4) && ev.proto == 6 &&
	      ev.dir == ESPTUN_SA_DIR_OUT, "canned ACQUIRE parsed");
	check(kernel_parse_event(nlh, FAMILY + 1, &ev) == -1,
	      "another family's message ignored");
	/* an attribute claiming more than the message holds */
	buf[40] = 200;
	check(kernel_parse_event(nlh, FAMILY, &ev) == -1,
	      "nest longer than the message refused");
	buf[40] = 36;
	/* the message shorter than its genl header */
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	check(kernel_parse_event(nlh, FAMILY, &ev) == -1,
	      "truncated genl header refused");
}

static struct nl_msg *event(uint8_t cmd, bool v6_dst_mismatch)
{
	struct nl_msg *msg = new_msg(cmd);
	struct nlattr *n;

	nla_put_u32(msg, ESPTUN_A_DEVICE_IFINDEX, 9);
	nla_put_string(msg, ESPTUN_A_DEVICE_IFNAME, "wan-tun");
	n = nla_nest_start(msg, ESPTUN_A_DEVICE_SA);
	if (cmd == ESPTUN_CMD_ACQUIRE) {
		nla_put_u8(msg, ESPTUN_A_SA_DIR, ESPTUN_SA_DIR_OUT);
		nla_put(msg, ESPTUN_A_SA_SEL_SRC, 16,
			"\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1");
		nla_put(msg, ESPTUN_A_SA_SEL_DST, v6_dst_mismatch ? 4 : 16,
			"\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\2");
		nla_put_u8(msg, ESPTUN_A_SA_PROTO, 58);
	} else {
		nla_put_u8(msg, ESPTUN_A_SA_DIR, ESPTUN_SA_DIR_IN);
		nla_put_u32(msg, ESPTUN_A_SA_SPI, 0xdeadbeef);
		nla_put(msg, ESPTUN_A_SA_SRC, 4, "\xc6\x33\x64\x02");
		nla_put(msg, ESPTUN_A_SA_DST, 4, "\xc0\x00\x02\x01");
		nla_put_u8(msg, ESPTUN_A_SA_EXPIRE_HARD, 1);
		if (v6_dst_mismatch)	/* u32 where the kernel sends u16 */
			nla_put_u32(msg, ESPTUN_A_SA_EXPIRE_LIMIT,
				    ESPTUN_A_LIMIT_BYTE_HARD);
		else
			nla_put_u16(msg, ESPTUN_A_SA_EXPIRE_LIMIT,
				    ESPTUN_A_LIMIT_BYTE_HARD);
	}
	nla_nest_end(msg, n);
	return msg;
}

static void test_events(void)
{
	struct kernel_event ev;
	struct nl_msg *msg;

	msg = event(ESPTUN_CMD_ACQUIRE, false);
	check(!kernel_parse_event(nlmsg_hdr(msg), FAMILY, &ev) &&
	      ev.type == KERNEL_EV_ACQUIRE && ev.family == AF_INET6 &&
	      ev.src[15] == 1 && ev.dst[15] == 2 && ev.proto == 58 &&
	      ev.ifindex == 9 && !strcmp(ev.ifname, "wan-tun"),
	      "IPv6 ACQUIRE");
	nlmsg_free(msg);
	msg = event(ESPTUN_CMD_ACQUIRE, true);
	check(kernel_parse_event(nlmsg_hdr(msg), FAMILY, &ev) == -1,
	      "ACQUIRE with mixed address families refused");
	nlmsg_free(msg);

	msg = event(ESPTUN_CMD_EXPIRE, false);
	check(!kernel_parse_event(nlmsg_hdr(msg), FAMILY, &ev) &&
	      ev.type == KERNEL_EV_EXPIRE && ev.hard &&
	      ev.dir == ESPTUN_SA_DIR_IN && ev.spi == 0xdeadbeef &&
	      ev.limit == ESPTUN_A_LIMIT_BYTE_HARD &&
	      ev.sa_src.ss_family == AF_INET &&
	      ((struct sockaddr_in *)&ev.sa_dst)->sin_addr.s_addr ==
	      htonl(0xc0000201), "hard EXPIRE");
	nlmsg_free(msg);
	msg = event(ESPTUN_CMD_EXPIRE, true);
	check(kernel_parse_event(nlmsg_hdr(msg), FAMILY, &ev) == -1,
	      "EXPIRE with a wrongly sized attribute refused");
	nlmsg_free(msg);
	msg = event(ESPTUN_CMD_SA_GET, false);
	check(kernel_parse_event(nlmsg_hdr(msg), FAMILY, &ev) == -1,
	      "other commands are not events");
	nlmsg_free(msg);
}

int main(void)
{
	test_build_aead();
	test_build_cbc_v6();
	test_build_defaults();
	test_refused();
	test_extack();
	test_acquire_canned();
	test_events();
	return tap_done();
}
