/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Security associations: what an SA is, how it is found, how long it lives.
 */
#ifndef _ESPTUN_SA_H
#define _ESPTUN_SA_H

#include <crypto/aead.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "replay.h"
#include "uapi/linux/esptun.h"

struct esptun_device;
struct netlink_ext_ack;
struct nlattr;

union esptun_addr {
	__be32 ip4;
	struct in6_addr ip6;
};

/* One side of a traffic selector: family 0 means any address. */
struct esptun_prefix {
	union esptun_addr addr;
	u8 family;
	u8 plen;
};

struct esptun_sa_pcpu_stats {
	u64_stats_t packets;
	u64_stats_t bytes;
	u64_stats_t replay;
	u64_stats_t icv_fail;
	u64_stats_t selector;
	u64_stats_t errors;
	struct u64_stats_sync syncp;
};

enum esptun_sa_stat {
	ESPTUN_SA_STAT_REPLAY,
	ESPTUN_SA_STAT_ICV_FAIL,
	ESPTUN_SA_STAT_SELECTOR,
	ESPTUN_SA_STAT_ERRORS,
};

struct esptun_sa_limits {
	u64 time_soft, time_hard;	/* seconds after add_time */
	u64 byte_soft, byte_hard;
	u64 packet_soft, packet_hard;
};

/* Bits of esptun_sa.expire_state */
enum {
	ESPTUN_SA_SOFT_SENT,	/* the soft EXPIRE event went out */
	ESPTUN_SA_HARD,		/* a hard limit was reached: drop everything */
};

struct esptun_sa {
	/* inbound: on esptun_sa_in_table and esptun_sa_addr_table */
	struct hlist_node spi_node;
	struct hlist_node addr_node;
	/* edev->sa_in or edev->sa_out, RCU list, changed under RTNL */
	struct list_head dev_node;
	refcount_t refcnt;
	struct rcu_work free_work;
	struct delayed_work expire_work;

	/* Set at creation, then constant. */
	struct esptun_device *edev;	/* holds a reference on edev->dev */
	struct net *net;		/* outer namespace: edev->creating_net */
	u32 spi;
	u8 dir;
	u8 family;			/* outer: AF_INET or AF_INET6 */
	bool esn;
	bool encap;
	__be16 sport, dport;
	union esptun_addr saddr, daddr;
	struct esptun_prefix sel_src, sel_dst;
	struct esptun_sa_limits limits;
	u64 add_time;			/* ktime_get_boottime_seconds() */

	/* Crypto: see crypto.c */
	struct crypto_aead *aead;
	u8 alg;				/* index into esptun_crypto_algs[] */
	u8 ivlen;
	u8 icvlen;
	u8 align;			/* payload + trailer padded to this */
	u8 auth;			/* 1 + index of the HMAC, 0 if AEAD */
	u16 key_bits;

	/* Outbound: last sequence number used. */
	atomic64_t oseq;
	/*
	 * Outbound: the largest inner packet that fits the outer path MTU
	 * last seen (pmtu.c); 0 until known.  Read locklessly.
	 */
	unsigned int mtu;
	/* Inbound */
	struct esptun_replay replay;

	unsigned long expire_state;
	u8 expire_limit;		/* ESPTUN_A_LIMIT_* that hit hard */
	unsigned long use_jiffies;	/* 0 if never used */
	bool dead;			/* unlinked; under RTNL */
	struct esptun_sa_pcpu_stats __percpu *stats;
};

int esptun_sa_init(void);
void esptun_sa_uninit(void);

struct esptun_sa *esptun_sa_create(struct esptun_device *edev,
				   struct nlattr **tb,
				   struct netlink_ext_ack *extack);
int esptun_sa_insert(struct esptun_sa *sa, struct netlink_ext_ack *extack);
void esptun_sa_unlink(struct esptun_sa *sa);
void esptun_sa_flush(struct esptun_device *edev);
struct esptun_sa *esptun_sa_find(struct esptun_device *edev, u8 dir, u32 spi);

struct esptun_sa *esptun_sa_lookup_in(struct net *net, u32 spi);
struct esptun_sa *esptun_sa_lookup_out(struct esptun_device *edev,
				       struct sk_buff *skb);
struct esptun_sa *esptun_sa_lookup_out_reverse(struct esptun_device *edev,
					       struct sk_buff *skb);
struct esptun_sa *esptun_sa_lookup_out_spi(struct net *net, u32 spi,
					   u8 family, const void *daddr);
bool esptun_sa_match_inner(const struct esptun_sa *sa,
			   const struct sk_buff *skb);
bool esptun_sa_net_has_addr(struct net *net, u8 family,
			    const union esptun_addr *daddr,
			    struct esptun_device **edevp);

static inline bool esptun_sa_get(struct esptun_sa *sa)
{
	return refcount_inc_not_zero(&sa->refcnt);
}

void esptun_sa_put(struct esptun_sa *sa);

void esptun_sa_count(struct esptun_sa *sa, unsigned int bytes);
void esptun_sa_count_drop(struct esptun_sa *sa, enum esptun_sa_stat stat);
void esptun_sa_read_stats(struct esptun_sa *sa, u64 *packets, u64 *bytes,
			  u64 *replay, u64 *icv, u64 *selector, u64 *errors);
u64 esptun_sa_seq(struct esptun_sa *sa);
bool esptun_sa_next_seq(struct esptun_sa *sa, u64 *seq);
bool esptun_sa_expired(struct esptun_sa *sa);

#endif /* _ESPTUN_SA_H */
