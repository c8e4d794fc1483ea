// SPDX-License-Identifier: GPL-2.0
/*
 * esptun sa add|del|flush|list: the security associations of an interface,
 * in the vocabulary of `ip xfrm state`.  The words are parsed by parse.c;
 * this file turns them into ESPTUN_CMD_SA_* requests and prints replies.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/esptun.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "../lib/json.h"
#include "cli.h"
#include "nl.h"
#include "parse.h"
#include "sa_info.h"

static int sa_usage_err(const char *sub, const char *msg)
{
	cli_err("sa %s: %s\nTry `esptun sa --help`.", sub, msg);
	return EXIT_USAGE;
}

/* Sends one request that changes state and reports the kernel's answer. */
static int do_request(const char *what, const char *dev, struct nl_msg *msg,
		      struct esptun_nl *nl)
{
	struct nlreq_error e;
	int err;

	err = esptun_nl_request(nl, msg, NULL, NULL, &e);
	if (err) {
		esptun_nl_report(what, dev, err, &e);
		return 1;
	}
	return 0;
}

static int sa_add(int argc, char **argv)
{
	struct parse_err perr;
	struct sa_add_args a;
	struct esptun_nl nl;
	struct nl_msg *msg;
	int ret;

	if (parse_sa_add(argc, argv, &a, &perr))
		return sa_usage_err("add", perr.msg);
	if (esptun_nl_open_cli(&nl)) {
		sa_add_args_free(&a);
		return 1;
	}
	msg = esptun_nl_new(&nl, ESPTUN_CMD_SA_NEW, 0);
	if (!msg || nla_put_string(msg, ESPTUN_A_DEVICE_IFNAME, a.dev) ||
	    sa_put_request(msg, &a)) {
		nlreq_msg_free(msg);
		sa_add_args_free(&a);
		esptun_nl_close(&nl);
		cli_err("sa add: out of memory");
		return 1;
	}
	sa_add_args_free(&a);
	ret = do_request("sa add", a.dev, msg, &nl);
	esptun_nl_close(&nl);
	return ret;
}

static int sa_del(int argc, char **argv)
{
	struct parse_err perr;
	struct sa_del_args a;
	struct esptun_nl nl;
	struct nlattr *sa;
	struct nl_msg *msg;
	int ret;

	if (parse_sa_del(argc, argv, &a, &perr))
		return sa_usage_err("del", perr.msg);
	if (esptun_nl_open_cli(&nl))
		return 1;
	msg = esptun_nl_new(&nl, ESPTUN_CMD_SA_DEL, 0);
	if (!msg || nla_put_string(msg, ESPTUN_A_DEVICE_IFNAME, a.dev) ||
	    !(sa = nla_nest_start(msg, ESPTUN_A_DEVICE_SA)) ||
	    nla_put_u8(msg, ESPTUN_A_SA_DIR, a.dir) ||
	    nla_put_u32(msg, ESPTUN_A_SA_SPI, a.spi)) {
		nlreq_msg_free(msg);
		esptun_nl_close(&nl);
		cli_err("sa del: out of memory");
		return 1;
	}
	nla_nest_end(msg, sa);
	ret = do_request("sa del", a.dev, msg, &nl);
	esptun_nl_close(&nl);
	return ret;
}

static int sa_flush(int argc, char **argv)
{
	struct parse_err perr;
	struct esptun_nl nl;
	struct nl_msg *msg;
	const char *dev;
	int ret;

	if (parse_sa_dev(argc, argv, true, &dev, &perr))
		return sa_usage_err("flush", perr.msg);
	if (esptun_nl_open_cli(&nl))
		return 1;
	msg = esptun_nl_new(&nl, ESPTUN_CMD_SA_FLUSH, 0);
	if (!msg || nla_put_string(msg, ESPTUN_A_DEVICE_IFNAME, dev)) {
		nlreq_msg_free(msg);
		esptun_nl_close(&nl);
		cli_err("sa flush: out of memory");
		return 1;
	}
	ret = do_request("sa flush", dev, msg, &nl);
	esptun_nl_close(&nl);
	return ret;
}

struct list_state {
	struct sa_info *sas;
	size_t n, cap;
	int bad_reply;
};

static int on_sa(struct nl_msg *msg, void *arg)
{
	struct list_state *st = arg;
	struct sa_info *s;

	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		struct sa_info *p = realloc(st->sas, cap * sizeof(*p));

		if (!p) {
			st->bad_reply = ENOMEM;
			return NL_STOP;
		}
		st->sas = p;
		st->cap = cap;
	}
	s = &st->sas[st->n];
	if (sa_info_parse(nlmsg_hdr(msg), s)) {
		st->bad_reply = EINVAL;
		return NL_SKIP;
	}
	st->n++;
	return NL_OK;
}

/* An interrupted dump is read again: forget what it gave. */
static void list_restart(void *arg)
{
	struct list_state *st = arg;

	st->n = 0;
	st->bad_reply = 0;
}

static int sa_list(const struct cli_opts *opts, int argc, char **argv)
{
	struct list_state st = { 0 };
	struct nlreq_error e;
	struct parse_err perr;
	const char *dev;
	int err = 0, ret = 0;
	size_t i;

	if (parse_sa_dev(argc, argv, false, &dev, &perr))
		return sa_usage_err("list", perr.msg);

	err = esptun_nl_get("sa list", ESPTUN_CMD_SA_GET, true, dev, on_sa,
			    list_restart, &st, &e);
	if (err > 0) {
		ret = 1;
		goto out;
	}
	if (err) {
		esptun_nl_report("sa list", dev, err, &e);
		ret = 1;
		goto out;
	}
	if (st.bad_reply) {
		cli_err(st.bad_reply == ENOMEM ? "sa list: out of memory" :
			"sa list: the kernel sent a reply this tool cannot read (module and tools from different versions?)");
		ret = 1;
		goto out;
	}

	if (opts->json) {
		struct json j;

		json_init(&j, stdout, opts->pretty);
		json_begin_array(&j);
		for (i = 0; i < st.n; i++)
			sa_print_json(&j, &st.sas[i]);
		json_end_array(&j);
		json_finish(&j);
	} else {
		for (i = 0; i < st.n; i++)
			sa_print_text(stdout, &st.sas[i]);
	}
	if (fflush(stdout) || ferror(stdout)) {
		cli_err("sa list: writing the output failed");
		ret = 1;
	}
out:
	free(st.sas);
	return ret;
}

static int sa_run(const struct cli_opts *opts, int argc, char **argv)
{
	const char *sub;

	if (argc < 1)
		return cli_usage_err(&cli_cmd_sa,
				     "missing a subcommand: add, del, flush or list");
	sub = argv[0];
	if (!strcmp(sub, "add"))
		return sa_add(argc - 1, argv + 1);
	if (!strcmp(sub, "del") || !strcmp(sub, "delete"))
		return sa_del(argc - 1, argv + 1);
	if (!strcmp(sub, "flush"))
		return sa_flush(argc - 1, argv + 1);
	if (!strcmp(sub, "list") || !strcmp(sub, "show"))
		return sa_list(opts, argc - 1, argv + 1);
	return cli_usage_err(&cli_cmd_sa,
			     "unknown subcommand \"%s\" (expected add, del, flush or list)",
			     sub);
}

const struct cli_cmd cli_cmd_sa = {
	.name = "sa",
	.summary = "add, delete, flush and list the SAs of an interface",
	.usage =
	"Usage: esptun sa add dev DEV dir {in|out} src ADDR dst ADDR spi SPI\n"
	"              { aead ALGO KEY ICV-BITS |\n"
	"                enc ALGO KEY { auth ALGO KEY | auth-trunc ALGO KEY BITS } }\n"
	"              [replay-window N] [flag esn] [encap espinudp SPORT DPORT [OADDR]]\n"
	"              [sel [src PREFIX] [dst PREFIX]] [seq N]\n"
	"              [limit {time-soft|time-hard|byte-soft|byte-hard|packet-soft|packet-hard} N]...\n"
	"       esptun sa del dev DEV dir {in|out} spi SPI\n"
	"       esptun sa flush dev DEV\n"
	"       esptun sa list [dev DEV] [-j [-p]]\n"
	"\n"
	"Security associations (SAs) of an esptun interface, in the words of\n"
	"`ip xfrm state`.  The words of `sa add` may come in any order.\n"
	"\n"
	"  dev DEV        the esptun interface\n"
	"  dir in|out     out: encrypts packets routed into DEV; in: decrypts ESP\n"
	"                 arriving for DEV\n"
	"  src, dst ADDR  outer (tunnel) addresses, both IPv4 or both IPv6\n"
	"  spi SPI        decimal or 0x-hex, 256 to 0xffffffff\n"
	"  aead ALGO KEY ICV-BITS\n"
	"                 rfc4106(gcm(aes)): KEY is 20, 28 or 36 bytes (the AES key,\n"
	"                 then the 4-byte salt), ICV-BITS 64, 96 or 128;\n"
	"                 rfc7539esp(chacha20,poly1305): KEY 36 bytes, ICV-BITS 128\n"
	"  enc ALGO KEY   cbc(aes) (alias aes): KEY 16, 24 or 32 bytes;\n"
	"                 ecb(cipher_null) (alias cipher_null): KEY \"\" or 0x\n"
	"  auth ALGO KEY  hmac(sha256), hmac(sha384), hmac(sha512) (aliases sha256,\n"
	"                 sha384, sha512) with a KEY as long as the hash (32, 48\n"
	"                 or 64 bytes), truncated to half the hash (RFC 4868)\n"
	"  auth-trunc ALGO KEY BITS\n"
	"                 the same, truncated to BITS\n"
	"  KEY            0x followed by an even number of hex digits\n"
	"  replay-window N  inbound replay window in packets, 0 (off) to 65536;\n"
	"                 default 1024\n"
	"  flag esn       64-bit extended sequence numbers\n"
	"  encap espinudp SPORT DPORT [OADDR]\n"
	"                 ESP in UDP (RFC 3948) from SPORT to DPORT; OADDR is\n"
	"                 accepted for ip xfrm's sake and ignored\n"
	"  sel src PREFIX dst PREFIX\n"
	"                 inner addresses the SA covers (ADDR/LEN, or ADDR for a\n"
	"                 single address), as seen on the packet: for an out SA\n"
	"                 src is the local side, for an in SA the remote side.\n"
	"                 An absent side is any.\n"
	"  seq N          initial sequence number (out: last sent; in: highest seen)\n"
	"  limit KIND N   soft and hard limits raise an expire event; after a hard\n"
	"                 one the SA carries no more packets; time in seconds since\n"
	"                 it was added, byte and packet in inner bytes and packets\n"
	"\n"
	"Algorithm names this tool does not know are passed to the kernel as\n"
	"they are.  Keys are never shown: the kernel does not return them.\n"
	"\n"
	"`sa list` prints one block per SA, or with -j a JSON array of objects\n"
	"(dev, ifindex, dir, spi, src, dst, encap, aead or enc and auth,\n"
	"replay-window, flags, sel, limits, seq, stats, add-time, use-time).\n"
	"\n"
	"Example:\n"
	"  esptun sa add dev esp0 dir out src 192.0.2.1 dst 192.0.2.2 spi 0x100 \\\n"
	"      aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128 \\\n"
	"      sel src 10.0.0.0/24 dst 10.1.0.0/24\n",
	.run = sa_run,
};
