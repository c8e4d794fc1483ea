/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esptund's side of the esptun generic netlink family: installing and
 * deleting the Child SAs the IKE state machine negotiated, allocating
 * inbound SPIs, reading SA counters, and the ACQUIRE/EXPIRE events.
 * kernel.c owns the sockets; the message building and event parsing are
 * exported for the unit test, which needs no module.
 */
#ifndef ESPTUND_KERNEL_H
#define ESPTUND_KERNEL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define KERNEL_ALG_NAME	64	/* crypto API names: "rfc4106(gcm(aes))" */
#define KERNEL_KEY_MAX	128
#define KERNEL_ERR_LEN	512

struct kernel_sel {
	int family;		/* AF_INET, AF_INET6; 0 = any (no selector) */
	uint8_t addr[16];
	uint8_t plen;
};

struct kernel_limits {		/* 0 = no limit */
	uint64_t time_soft, time_hard;		/* seconds */
	uint64_t byte_soft, byte_hard;
	uint64_t packet_soft, packet_hard;
};

/*
 * One SA for ESPTUN_CMD_SA_NEW.  Either aead_name (with aead_key: key then
 * 4-byte salt) or enc_name with auth_name.  The caller owns the keys and
 * wipes them with kernel_sa_wipe() once installed.
 */
struct kernel_sa {
	char ifname[IF_NAMESIZE];
	uint8_t dir;			/* ESPTUN_SA_DIR_IN/OUT */
	uint32_t spi;			/* host order, >= 256 */
	struct sockaddr_storage src, dst;	/* outer; ports ignored */
	uint16_t encap_sport, encap_dport;	/* ESP in UDP; 0 = none */
	char aead_name[KERNEL_ALG_NAME];
	uint8_t aead_key[KERNEL_KEY_MAX];
	size_t aead_key_len;
	uint32_t aead_icv_bits;
	char enc_name[KERNEL_ALG_NAME];
	uint8_t enc_key[KERNEL_KEY_MAX];
	size_t enc_key_len;
	char auth_name[KERNEL_ALG_NAME];
	uint8_t auth_key[KERNEL_KEY_MAX];
	size_t auth_key_len;
	uint32_t auth_trunc_bits;
	bool esn;
	uint32_t replay_window;		/* inbound only; 0: the module's default */
	struct kernel_sel sel_src, sel_dst;
	struct kernel_limits lim;
};

enum kernel_event_type {
	KERNEL_EV_ACQUIRE = 1,
	KERNEL_EV_EXPIRE,
};

struct kernel_event {
	enum kernel_event_type type;
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	/* ACQUIRE: the dropped packet's inner addresses and protocol */
	int family;
	uint8_t src[16], dst[16];
	uint8_t proto;
	/* EXPIRE */
	uint8_t dir;
	uint32_t spi;
	bool hard;
	uint16_t limit;			/* ESPTUN_A_LIMIT_* */
	struct sockaddr_storage sa_src, sa_dst;	/* outer addresses */
};

struct kernel_sa_stats {
	uint64_t packets, bytes, add_time;
	bool used;
	uint64_t use_time;		/* seconds since the last packet */
};

struct kernel;
typedef void (*kernel_event_fn)(void *arg, const struct kernel_event *ev);

/*
 * Opens a request socket and an event socket joined to "events".  NULL
 * with the reason (and the fix) in err (KERNEL_ERR_LEN bytes).
 */
struct kernel *kernel_open(char *err, size_t errlen);
void kernel_close(struct kernel *k);
/* The event socket, for the loop; readable: call kernel_events_read(). */
int kernel_event_fd(const struct kernel *k);
/*
 * Reads the pending events and calls fn for each one esptund understands.
 * 0, or -1 with err set (events were lost, or the socket failed).
 */
int kernel_events_read(struct kernel *k, kernel_event_fn fn, void *arg,
		       char *err, size_t errlen);

/*
 * Installs a Child SA: in first, then out; if out fails, in is deleted
 * again, so that on failure nothing is left installed.  0, or a negative
 * errno with the kernel's message in err.
 */
int kernel_child_install(struct kernel *k, const struct kernel_sa *in,
			 const struct kernel_sa *out, char *err, size_t errlen);
int kernel_sa_add(struct kernel *k, const struct kernel_sa *sa, char *err,
		  size_t errlen);
int kernel_sa_del(struct kernel *k, const char *ifname, uint8_t dir,
		  uint32_t spi, char *err, size_t errlen);
int kernel_sa_stats(struct kernel *k, const char *ifname, uint8_t dir,
		    uint32_t spi, struct kernel_sa_stats *st, char *err,
		    size_t errlen);
/*
 * A random inbound SPI (>= 256) that no inbound SA of this netns uses and
 * that this process has not handed out already.  It stays reserved until
 * installed as an inbound SA, given back with kernel_spi_release(), or
 * for ten minutes (a negotiation that failed).
 * 0, or a negative errno with err set.
 */
int kernel_spi_alloc(struct kernel *k, uint32_t *spi, char *err,
		     size_t errlen);
void kernel_spi_release(struct kernel *k, uint32_t spi);
void kernel_sa_wipe(struct kernel_sa *sa);

/* For the unit test: the building and parsing steps. */
struct nl_msg;
struct nlmsghdr;
/* Puts IFNAME and the ESPTUN_A_DEVICE_SA nest of sa; 0 or -ENOMEM/-EINVAL. */
int kernel_put_sa(struct nl_msg *msg, const struct kernel_sa *sa);
/* Parses an ACQUIRE or EXPIRE of the family; 0, or -1 if not one. */
int kernel_parse_event(const struct nlmsghdr *nlh, int family,
		       struct kernel_event *ev);

#endif /* ESPTUND_KERNEL_H */
