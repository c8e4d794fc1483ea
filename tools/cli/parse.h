/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command line parsers of the esptun CLI: numbers, keys, addresses and the
 * argument lists of `sa add|del|flush|list` and `set`.
 *
 * This layer knows nothing of netlink (no libnl here) so that the unit tests
 * and the fuzzer can drive it directly.  Every parser either fills its
 * output and returns 0, or returns -1 with a message in struct parse_err
 * that names the offending token and says what was expected.
 */
#ifndef ESPTUN_CLI_PARSE_H
#define ESPTUN_CLI_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/esptun.h>

/* Longest key accepted, in bytes (as XFRM_ALGO_KEY_BUF_SIZE). */
#define ESPTUN_KEY_MAX		512
/* Longest algorithm name, with its NUL (as xfrm's alg_name). */
#define ESPTUN_ALG_NAME_MAX	64
/* Longest interface name, with its NUL (IF_NAMESIZE). */
#define ESPTUN_IFNAME_MAX	16

struct parse_err {
	char msg[400];		/* always NUL-terminated */
};

struct esptun_addr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t a[16];		/* network order; 4 bytes used for AF_INET */
};

struct esptun_prefix {
	struct esptun_addr addr;
	uint8_t plen;
};

/* A secret.  data is on the heap and wiped by key_free(). */
struct esptun_key {
	uint8_t *data;
	size_t len;
};

struct sa_add_args {
	const char *dev;		/* points into argv */
	uint8_t dir;			/* ESPTUN_SA_DIR_* */
	uint32_t spi;
	struct esptun_addr src, dst;

	/* Either aead_name, or enc_name with auth_name.  Names are kernel
	 * crypto names: static strings or pointers into argv. */
	const char *aead_name;
	struct esptun_key aead_key;
	uint32_t icv_bits;
	const char *enc_name;
	struct esptun_key enc_key;
	const char *auth_name;
	struct esptun_key auth_key;
	uint32_t trunc_bits;

	bool has_replay_window;
	uint32_t replay_window;
	uint32_t flags;			/* ESPTUN_SA_F_* */
	bool has_encap;
	uint16_t encap_sport, encap_dport;
	bool has_sel_src, has_sel_dst;
	struct esptun_prefix sel_src, sel_dst;
	bool has_seq;
	uint64_t seq;
	/* limits[ESPTUN_A_LIMIT_*], valid where has_limit[] is set */
	bool has_limit[ESPTUN_A_LIMIT_MAX + 1];
	uint64_t limits[ESPTUN_A_LIMIT_MAX + 1];
};

struct sa_del_args {
	const char *dev;
	uint8_t dir;
	uint32_t spi;
};

/* Interface MTUs `set DEV mtu N` accepts (the kernel may refuse more). */
#define ESPTUN_SET_MTU_MIN	68
#define ESPTUN_SET_MTU_MAX	65535

struct set_args {
	const char *dev;
	bool has_listen_port, has_ttl, has_df, has_dscp, has_mtu,
	     has_mss_clamp;
	uint16_t listen_port;		/* 0 closes the socket */
	uint8_t ttl;			/* 1..255 */
	uint8_t df;			/* enum esptun_df */
	uint8_t dscp;			/* 0..63 or ESPTUN_DSCP_COPY */
	bool mtu_auto;			/* mtu auto; else mtu is set */
	uint32_t mtu;			/* 68..65535 */
	uint32_t mss_clamp;		/* ESPTUN_MSS_CLAMP_OFF, _AUTO, or
					 * 88..65495 */
};

/* Numbers: decimal or 0x-hex, no sign, no spaces.  -EINVAL junk, -ERANGE. */
int parse_u32(const char *s, uint32_t *v);
int parse_u64(const char *s, uint64_t *v);

/* The parsers below return 0, or -1 with err filled in. */
int parse_spi(const char *s, uint32_t *spi, struct parse_err *err);
/* "0x" followed by an even number of hex digits; "" and "0x" are empty. */
int parse_key(const char *s, struct esptun_key *key, struct parse_err *err);
void key_free(struct esptun_key *key);
int parse_addr(const char *what, const char *s, struct esptun_addr *addr,
	       struct parse_err *err);
/* ADDR/PLEN, or a bare ADDR (full length); host bits must be clear. */
int parse_prefix(const char *what, const char *s, struct esptun_prefix *p,
		 struct parse_err *err);
int parse_port(const char *what, const char *s, bool allow_zero,
	       uint16_t *port, struct parse_err *err);
int parse_ttl(const char *s, uint8_t *ttl, struct parse_err *err);
int parse_dscp(const char *s, uint8_t *dscp, struct parse_err *err);
int parse_df(const char *s, uint8_t *df, struct parse_err *err);
/* "auto" (*mtu_auto set), or 68 to 65535 in *mtu. */
int parse_mtu(const char *s, bool *mtu_auto, uint32_t *mtu,
	      struct parse_err *err);
/* "auto", "off" or an MSS of 88 to 65495: an ESPTUN_A_DEVICE_MSS_CLAMP. */
int parse_mss_clamp(const char *s, uint32_t *v, struct parse_err *err);
int parse_dir(const char *s, uint8_t *dir, struct parse_err *err);
int parse_ifname(const char *s, struct parse_err *err);
/* "time-soft" ... "packet-hard" -> ESPTUN_A_LIMIT_*, or -1. */
int parse_limit_kind(const char *s, struct parse_err *err);

/* argv holds the words after "sa add" (etc.). */
int parse_sa_add(int argc, char **argv, struct sa_add_args *a,
		 struct parse_err *err);
/* Wipes the keys; safe on a zeroed or partly filled struct. */
void sa_add_args_free(struct sa_add_args *a);
int parse_sa_del(int argc, char **argv, struct sa_del_args *a,
		 struct parse_err *err);
/* `sa flush dev DEV` (dev required) and `sa list [dev DEV]`. */
int parse_sa_dev(int argc, char **argv, bool required, const char **dev,
		 struct parse_err *err);
/* argv holds the words after "set": DEV SETTING... */
int parse_set(int argc, char **argv, struct set_args *a,
	      struct parse_err *err);

/* Names used in output; NULL for values this tool does not know. */
const char *limit_name(int type);	/* ESPTUN_A_LIMIT_*, incl. SEQ */
const char *df_name(int df);
const char *dir_name(int dir);
/* Address bytes in a reply to text; false unless len is 4 or 16. */
bool format_addr(const void *a, size_t len, char *buf, size_t size);

#endif /* ESPTUN_CLI_PARSE_H */
