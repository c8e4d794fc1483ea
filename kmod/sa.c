// SPDX-License-Identifier: GPL-2.0
/*
 * Security associations: creation from netlink attributes, the tables that
 * find them, their reference counts, counters and lifetimes.
 *
 * Where SAs live:
 * - every SA is on its interface's sa_in or sa_out list;
 * - inbound SAs are also in esptun_sa_in_table, hashed by (outer netns,
 *   SPI): an ESP packet names its SA by SPI alone (RFC 4301 4.1), so an
 *   inbound SPI is unique per namespace; and in esptun_sa_addr_table, by
 *   (netns, outer destination), to tell ESP with an unknown SPI that was
 *   meant for esptun from ESP for the kernel's own IPsec in O(1);
 * - outbound lists are sorted most specific selector first, so the first
 *   match is the longest-prefix match;
 * - outbound SAs are also in esptun_sa_out_table, by (netns, SPI), for
 *   ICMP errors that quote one of our outer packets (pmtu.c); outbound
 *   SPIs are chosen by the peers, so several may share one.
 *
 * Locking:
 * - Lists and the hash table change under RTNL only (netlink requests, the
 *   expiry work, interface deletion).  The data path walks them under RCU
 *   and takes no lock.
 * - Lifetime: refcnt.  The lists own one reference; each packet in flight
 *   through asynchronous crypto owns one; a queued expire_work owns one.
 *   The last put frees the SA after an RCU grace period, in process
 *   context (crypto_free_aead may sleep).  An SA holds its interface, so
 *   the interface outlives every packet in flight.
 * - Lock order: RTNL, then esptun_replay.lock (data path, BH).
 */
#include <linux/hashtable.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/inetdevice.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "crypto.h"
#include "device.h"
#include "netlink.h"
#include "pmtu.h"
#include "sa.h"

#define ESPTUN_SA_HASH_BITS	12

static DEFINE_HASHTABLE(esptun_sa_in_table, ESPTUN_SA_HASH_BITS);
/* inbound SAs again, by (netns, outer destination): see net_has_addr() */
static DEFINE_HASHTABLE(esptun_sa_addr_table, ESPTUN_SA_HASH_BITS);
/* outbound SAs, by (netns, SPI) */
static DEFINE_HASHTABLE(esptun_sa_out_table, ESPTUN_SA_HASH_BITS);
static struct workqueue_struct *esptun_sa_wq;

static u32 esptun_sa_hash(const struct net *net, u32 spi)
{
	return jhash_2words(spi, net_hash_mix(net), 0);
}

static u32 esptun_sa_addr_hash(const struct net *net, u8 family,
			       const union esptun_addr *addr)
{
	if (family == AF_INET)
		return jhash_1word((__force u32)addr->ip4, net_hash_mix(net));
	return jhash2((const u32 *)&addr->ip6, 4, net_hash_mix(net));
}

/* --- reference counting ------------------------------------------------ */

static void esptun_sa_free_work(struct work_struct *work)
{
	struct esptun_sa *sa = container_of(to_rcu_work(work),
					    struct esptun_sa, free_work);
	struct esptun_device *edev = sa->edev;

	esptun_crypto_free(sa);
	esptun_replay_free(&sa->replay);
	free_percpu(sa->stats);
	kfree(sa);
	/* Last: the interface may go once no SA points to it. */
	if (edev)
		esptun_device_put(edev);
}

void esptun_sa_put(struct esptun_sa *sa)
{
	if (refcount_dec_and_test(&sa->refcnt))
		queue_rcu_work(esptun_sa_wq, &sa->free_work);
}

/* --- counters ----------------------------------------------------------- */

void esptun_sa_count(struct esptun_sa *sa, unsigned int bytes)
{
	struct esptun_sa_pcpu_stats *s = get_cpu_ptr(sa->stats);
	unsigned long now;

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->packets);
	u64_stats_add(&s->bytes, bytes);
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(sa->stats);
	/* Write the shared line once per tick, not once per packet. */
	now = jiffies ?: 1;
	if (READ_ONCE(sa->use_jiffies) != now)
		WRITE_ONCE(sa->use_jiffies, now);
}

void esptun_sa_count_drop(struct esptun_sa *sa, enum esptun_sa_stat stat)
{
	struct esptun_sa_pcpu_stats *s = get_cpu_ptr(sa->stats);

	u64_stats_update_begin(&s->syncp);
	switch (stat) {
	case ESPTUN_SA_STAT_REPLAY:
		u64_stats_inc(&s->replay);
		break;
	case ESPTUN_SA_STAT_ICV_FAIL:
		u64_stats_inc(&s->icv_fail);
		break;
	case ESPTUN_SA_STAT_SELECTOR:
		u64_stats_inc(&s->selector);
		break;
	case ESPTUN_SA_STAT_ERRORS:
		u64_stats_inc(&s->errors);
		break;
	}
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(sa->stats);
}

void esptun_sa_read_stats(struct esptun_sa *sa, u64 *packets, u64 *bytes,
			  u64 *replay, u64 *icv, u64 *selector, u64 *errors)
{
	int cpu;

	*packets = *bytes = *replay = *icv = *selector = *errors = 0;
	for_each_possible_cpu(cpu) {
		const struct esptun_sa_pcpu_stats *s =
			per_cpu_ptr(sa->stats, cpu);
		u64 p, b, r, i, sel, e;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			p = u64_stats_read(&s->packets);
			b = u64_stats_read(&s->bytes);
			r = u64_stats_read(&s->replay);
			i = u64_stats_read(&s->icv_fail);
			sel = u64_stats_read(&s->selector);
			e = u64_stats_read(&s->errors);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		*packets += p;
		*bytes += b;
		*replay += r;
		*icv += i;
		*selector += sel;
		*errors += e;
	}
}

/* --- sequence numbers and lifetimes --------------------------------------- */

u64 esptun_sa_seq(struct esptun_sa *sa)
{
	if (sa->dir == ESPTUN_SA_DIR_OUT)
		return atomic64_read(&sa->oseq);
	return esptun_replay_top(&sa->replay);
}

static void esptun_sa_kick_expire(struct esptun_sa *sa, unsigned long delay)
{
	if (!esptun_sa_get(sa))
		return;
	/* A pending work already owns a reference. */
	if (mod_delayed_work(esptun_sa_wq, &sa->expire_work, delay))
		esptun_sa_put(sa);
}

static void esptun_sa_hit_hard(struct esptun_sa *sa, u8 limit)
{
	if (test_and_set_bit(ESPTUN_SA_HARD, &sa->expire_state))
		return;
	sa->expire_limit = limit;
	esptun_sa_kick_expire(sa, 0);
}

/*
 * Takes the next outbound sequence number.  It never wraps (RFC 4303
 * 3.3.3): the IV of GCM and ChaCha20-Poly1305 is the sequence number, so a
 * repeat would reuse a nonce.  Instead the SA hard-expires.
 */
bool esptun_sa_next_seq(struct esptun_sa *sa, u64 *seq)
{
	s64 limit = sa->esn ? (s64)U64_MAX : (s64)U32_MAX;
	s64 old = atomic64_fetch_add_unless(&sa->oseq, 1, limit);

	if (unlikely(old == limit)) {
		esptun_sa_hit_hard(sa, ESPTUN_A_LIMIT_SEQ);
		return false;
	}
	*seq = (u64)old + 1;
	return true;
}

/* Checks the byte and packet limits after traffic; true if hard-expired. */
bool esptun_sa_expired(struct esptun_sa *sa)
{
	const struct esptun_sa_limits *l = &sa->limits;
	u64 packets, bytes, r, i, s, e;

	if (test_bit(ESPTUN_SA_HARD, &sa->expire_state))
		return true;
	if (!l->packet_soft && !l->packet_hard && !l->byte_soft &&
	    !l->byte_hard)
		return false;

	/*
	 * Summing per-CPU counters costs a loop over CPUs; SAs with a
	 * traffic limit pay it, the others do not.
	 */
	esptun_sa_read_stats(sa, &packets, &bytes, &r, &i, &s, &e);
	if (l->packet_hard && packets >= l->packet_hard) {
		esptun_sa_hit_hard(sa, ESPTUN_A_LIMIT_PACKET_HARD);
		return true;
	}
	if (l->byte_hard && bytes >= l->byte_hard) {
		esptun_sa_hit_hard(sa, ESPTUN_A_LIMIT_BYTE_HARD);
		return true;
	}
	if (((l->packet_soft && packets >= l->packet_soft) ||
	     (l->byte_soft && bytes >= l->byte_soft)) &&
	    !test_bit(ESPTUN_SA_SOFT_SENT, &sa->expire_state))
		esptun_sa_kick_expire(sa, 0);
	return false;
}

static u64 esptun_sa_age(const struct esptun_sa *sa)
{
	return ktime_get_boottime_seconds() - sa->add_time;
}

/* Next time limit to wake up for, in jiffies from now; 0 if none. */
static unsigned long esptun_sa_next_timeout(struct esptun_sa *sa)
{
	u64 age = esptun_sa_age(sa), next = 0;

	if (sa->limits.time_hard)
		next = sa->limits.time_hard;
	if (sa->limits.time_soft &&
	    !test_bit(ESPTUN_SA_SOFT_SENT, &sa->expire_state) &&
	    (!next || sa->limits.time_soft < next))
		next = sa->limits.time_soft;
	if (!next)
		return 0;
	if (next <= age)
		return 1;
	return min_t(u64, (next - age) * HZ, MAX_JIFFY_OFFSET / 2);
}

static void esptun_sa_expire_work(struct work_struct *work)
{
	struct esptun_sa *sa = container_of(to_delayed_work(work),
					    struct esptun_sa, expire_work);
	const struct esptun_sa_limits *l = &sa->limits;
	u64 packets, bytes, r, i, s, e, age;
	unsigned long next;
	u8 soft = 0;

	rtnl_lock();
	if (sa->dead)
		goto out;

	age = esptun_sa_age(sa);
	if (l->time_hard && age >= l->time_hard &&
	    !test_and_set_bit(ESPTUN_SA_HARD, &sa->expire_state))
		sa->expire_limit = ESPTUN_A_LIMIT_TIME_HARD;
	if (test_bit(ESPTUN_SA_HARD, &sa->expire_state)) {
		/* Unlink first: when the event arrives, the SA is gone. */
		esptun_sa_unlink(sa);
		esptun_nl_notify_expire(sa, true, sa->expire_limit);
		if (sa->dir == ESPTUN_SA_DIR_OUT)
			esptun_pmtu_refresh(sa->edev);
		goto out;
	}

	esptun_sa_read_stats(sa, &packets, &bytes, &r, &i, &s, &e);
	if (l->packet_soft && packets >= l->packet_soft)
		soft = ESPTUN_A_LIMIT_PACKET_SOFT;
	else if (l->byte_soft && bytes >= l->byte_soft)
		soft = ESPTUN_A_LIMIT_BYTE_SOFT;
	else if (l->time_soft && age >= l->time_soft)
		soft = ESPTUN_A_LIMIT_TIME_SOFT;
	if (soft && !test_and_set_bit(ESPTUN_SA_SOFT_SENT, &sa->expire_state))
		esptun_nl_notify_expire(sa, false, soft);

	next = esptun_sa_next_timeout(sa);
	if (next)
		esptun_sa_kick_expire(sa, next);
out:
	rtnl_unlock();
	esptun_sa_put(sa);
}

/* --- lookups ------------------------------------------------------------- */

/* Caller holds rcu_read_lock(); no reference is taken. */
struct esptun_sa *esptun_sa_lookup_in(struct net *net, u32 spi)
{
	struct esptun_sa *sa;

	hash_for_each_possible_rcu(esptun_sa_in_table, sa, spi_node,
				   esptun_sa_hash(net, spi))
		if (sa->spi == spi && net_eq(sa->net, net))
			return sa;
	return NULL;
}

static bool esptun_prefix_match(const struct esptun_prefix *p, u8 family,
				const void *addr)
{
	if (!p->family)
		return true;
	if (p->family != family)
		return false;
	if (family == AF_INET)
		return !((*(const __be32 *)addr ^ p->addr.ip4) &
			 inet_make_mask(p->plen));
	return ipv6_prefix_equal(addr, &p->addr.ip6, p->plen);
}

/*
 * Whether the inner packet at the network header lies inside the SA's
 * selectors.  The header has been pulled by the caller.
 */
bool esptun_sa_match_inner(const struct esptun_sa *sa,
			   const struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph = ip_hdr(skb);

		return esptun_prefix_match(&sa->sel_src, AF_INET,
					   &iph->saddr) &&
		       esptun_prefix_match(&sa->sel_dst, AF_INET, &iph->daddr);
	}
	return esptun_prefix_match(&sa->sel_src, AF_INET6,
				   &ipv6_hdr(skb)->saddr) &&
	       esptun_prefix_match(&sa->sel_dst, AF_INET6,
				   &ipv6_hdr(skb)->daddr);
}

/*
 * The outbound SA for a packet routed into the interface (its network
 * header pulled), or NULL.  Caller holds rcu_read_lock().
 */
struct esptun_sa *esptun_sa_lookup_out(struct esptun_device *edev,
				       struct sk_buff *skb)
{
	struct esptun_sa *sa;

	list_for_each_entry_rcu(sa, &edev->sa_out, dev_node)
		if (esptun_sa_match_inner(sa, skb))
			return sa;
	return NULL;
}

/*
 * The outbound SA whose selectors cover the reverse of a received packet
 * (network header pulled): the one the other direction leaves through.
 * Caller holds rcu_read_lock().
 */
struct esptun_sa *esptun_sa_lookup_out_reverse(struct esptun_device *edev,
					       struct sk_buff *skb)
{
	const void *saddr, *daddr;
	struct esptun_sa *sa;
	u8 family;

	if (skb->protocol == htons(ETH_P_IP)) {
		family = AF_INET;
		saddr = &ip_hdr(skb)->saddr;
		daddr = &ip_hdr(skb)->daddr;
	} else {
		family = AF_INET6;
		saddr = &ipv6_hdr(skb)->saddr;
		daddr = &ipv6_hdr(skb)->daddr;
	}
	list_for_each_entry_rcu(sa, &edev->sa_out, dev_node)
		if (esptun_prefix_match(&sa->sel_src, family, daddr) &&
		    esptun_prefix_match(&sa->sel_dst, family, saddr))
			return sa;
	return NULL;
}

/*
 * The outbound SA of this namespace with this SPI and outer destination,
 * or NULL.  Caller holds rcu_read_lock().
 */
struct esptun_sa *esptun_sa_lookup_out_spi(struct net *net, u32 spi,
					   u8 family, const void *daddr)
{
	struct esptun_sa *sa;

	hash_for_each_possible_rcu(esptun_sa_out_table, sa, spi_node,
				   esptun_sa_hash(net, spi)) {
		if (sa->spi != spi || sa->family != family ||
		    !net_eq(sa->net, net))
			continue;
		if (family == AF_INET ?
		    sa->daddr.ip4 == *(const __be32 *)daddr :
		    ipv6_addr_equal(&sa->daddr.ip6, daddr))
			return sa;
	}
	return NULL;
}

/*
 * Whether an inbound SA of this namespace has daddr as its outer
 * destination; *edevp is then its interface.  Used to tell "ESP for us with
 * an SPI we do not know" from "ESP for the kernel's own IPsec".
 * Caller holds rcu_read_lock().
 */
bool esptun_sa_net_has_addr(struct net *net, u8 family,
			    const union esptun_addr *daddr,
			    struct esptun_device **edevp)
{
	struct esptun_sa *sa;

	hash_for_each_possible_rcu(esptun_sa_addr_table, sa, addr_node,
				   esptun_sa_addr_hash(net, family, daddr)) {
		if (!net_eq(sa->net, net) || sa->family != family)
			continue;
		if (family == AF_INET ? sa->daddr.ip4 == daddr->ip4 :
		    ipv6_addr_equal(&sa->daddr.ip6, &daddr->ip6)) {
			*edevp = sa->edev;
			return true;
		}
	}
	return false;
}

/* Under RTNL. */
struct esptun_sa *esptun_sa_find(struct esptun_device *edev, u8 dir, u32 spi)
{
	struct esptun_sa *sa;

	ASSERT_RTNL();
	list_for_each_entry(sa, dir == ESPTUN_SA_DIR_IN ? &edev->sa_in :
			   &edev->sa_out, dev_node)
		if (sa->spi == spi)
			return sa;
	return NULL;
}

/* --- creation ------------------------------------------------------------ */

static int esptun_sa_parse_addr(struct nlattr *nla, union esptun_addr *addr,
				u8 *family)
{
	if (nla_len(nla) == sizeof(__be32)) {
		addr->ip4 = nla_get_in_addr(nla);
		*family = AF_INET;
	} else {
		addr->ip6 = nla_get_in6_addr(nla);
		*family = AF_INET6;
	}
	return 0;
}

static int esptun_sa_parse_prefix(struct nlattr *addr, struct nlattr *plen,
				  struct esptun_prefix *p, const char *name,
				  struct netlink_ext_ack *extack)
{
	unsigned int max;

	if (!addr && !plen)
		return 0;
	if (!addr) {
		esptun_nl_err(extack, plen, "%s_PLEN without %s", name, name);
		return -EINVAL;
	}
	esptun_sa_parse_addr(addr, &p->addr, &p->family);
	max = p->family == AF_INET ? 32 : 128;
	p->plen = plen ? nla_get_u8(plen) : max;
	if (p->plen > max) {
		esptun_nl_err(extack, plen,
			      "%s_PLEN: prefix length %u is longer than an %s address (%u bits)",
			      name, p->plen,
			      p->family == AF_INET ? "IPv4" : "IPv6", max);
		return -EINVAL;
	}
	/* Store the network address, so "10.1.2.3/8" matches like 10/8. */
	if (p->family == AF_INET)
		p->addr.ip4 &= inet_make_mask(p->plen);
	else
		ipv6_addr_prefix(&p->addr.ip6, &p->addr.ip6, p->plen);
	return 0;
}

static u64 esptun_sa_limit(const struct nlattr *nla)
{
	return nla ? nla_get_u64(nla) : 0;
}

static int esptun_sa_parse_limits(struct esptun_sa *sa, struct nlattr *nest,
				  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[ESPTUN_A_LIMIT_MAX + 1];
	struct esptun_sa_limits *l = &sa->limits;
	int err;

	if (!nest)
		return 0;
	err = nla_parse_nested(tb, ESPTUN_A_LIMIT_MAX, nest,
			       esptun_nl_limit_policy, extack);
	if (err)
		return err;
	l->time_soft = esptun_sa_limit(tb[ESPTUN_A_LIMIT_TIME_SOFT]);
	l->time_hard = esptun_sa_limit(tb[ESPTUN_A_LIMIT_TIME_HARD]);
	l->byte_soft = esptun_sa_limit(tb[ESPTUN_A_LIMIT_BYTE_SOFT]);
	l->byte_hard = esptun_sa_limit(tb[ESPTUN_A_LIMIT_BYTE_HARD]);
	l->packet_soft = esptun_sa_limit(tb[ESPTUN_A_LIMIT_PACKET_SOFT]);
	l->packet_hard = esptun_sa_limit(tb[ESPTUN_A_LIMIT_PACKET_HARD]);
	if ((l->time_soft && l->time_hard && l->time_soft > l->time_hard) ||
	    (l->byte_soft && l->byte_hard && l->byte_soft > l->byte_hard) ||
	    (l->packet_soft && l->packet_hard &&
	     l->packet_soft > l->packet_hard)) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "ESPTUN_A_SA_LIMITS: a soft limit is above its hard limit");
		return -EINVAL;
	}
	return 0;
}

/*
 * Builds an SA from the attributes of an ESPTUN_A_DEVICE_SA nest (already
 * validated by the policy).  Returns it with one reference, not linked
 * anywhere, or an ERR_PTR with extack set.  Called without RTNL: allocating
 * the transform may load modules; esptun_sa_insert() then links it under
 * RTNL.
 */
struct esptun_sa *esptun_sa_create(struct esptun_device *edev,
				   struct nlattr **tb,
				   struct netlink_ext_ack *extack)
{
	static const u16 required[] = {
		ESPTUN_A_SA_DIR, ESPTUN_A_SA_SPI, ESPTUN_A_SA_SRC,
		ESPTUN_A_SA_DST,
	};
	static const char *const required_names[] = {
		"ESPTUN_A_SA_DIR", "ESPTUN_A_SA_SPI", "ESPTUN_A_SA_SRC",
		"ESPTUN_A_SA_DST",
	};
	struct esptun_sa *sa;
	u32 window;
	u8 family;
	int i, err;

	for (i = 0; i < ARRAY_SIZE(required); i++) {
		if (!tb[required[i]]) {
			esptun_nl_err(extack, NULL, "%s missing: an SA needs %s",
				      required_names[i],
				      "DIR, SPI, SRC, DST and an algorithm");
			NL_SET_ERR_ATTR_MISS(extack, NULL, required[i]);
			return ERR_PTR(-EINVAL);
		}
	}
	if (nla_len(tb[ESPTUN_A_SA_SRC]) != nla_len(tb[ESPTUN_A_SA_DST])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[ESPTUN_A_SA_DST],
				    "ESPTUN_A_SA_SRC and ESPTUN_A_SA_DST must be of the same address family");
		return ERR_PTR(-EINVAL);
	}
	if (!!tb[ESPTUN_A_SA_ENCAP_SPORT] != !!tb[ESPTUN_A_SA_ENCAP_DPORT]) {
		NL_SET_ERR_MSG(extack,
			       "UDP encapsulation needs both ESPTUN_A_SA_ENCAP_SPORT and ESPTUN_A_SA_ENCAP_DPORT");
		return ERR_PTR(-EINVAL);
	}

	sa = kzalloc(sizeof(*sa), GFP_KERNEL);
	if (!sa)
		return ERR_PTR(-ENOMEM);
	refcount_set(&sa->refcnt, 1);
	INIT_RCU_WORK(&sa->free_work, esptun_sa_free_work);
	INIT_DELAYED_WORK(&sa->expire_work, esptun_sa_expire_work);
	INIT_LIST_HEAD(&sa->dev_node);
	/* Everything below is undone by the free work. */
	sa->stats = netdev_alloc_pcpu_stats(struct esptun_sa_pcpu_stats);
	if (!sa->stats) {
		kfree(sa);
		return ERR_PTR(-ENOMEM);
	}

	sa->dir = nla_get_u8(tb[ESPTUN_A_SA_DIR]);
	sa->spi = nla_get_u32(tb[ESPTUN_A_SA_SPI]);
	esptun_sa_parse_addr(tb[ESPTUN_A_SA_SRC], &sa->saddr, &sa->family);
	esptun_sa_parse_addr(tb[ESPTUN_A_SA_DST], &sa->daddr, &family);
	if (tb[ESPTUN_A_SA_ENCAP_SPORT]) {
		sa->encap = true;
		sa->sport = htons(nla_get_u16(tb[ESPTUN_A_SA_ENCAP_SPORT]));
		sa->dport = htons(nla_get_u16(tb[ESPTUN_A_SA_ENCAP_DPORT]));
	}
	if (tb[ESPTUN_A_SA_FLAGS])
		sa->esn = nla_get_u32(tb[ESPTUN_A_SA_FLAGS]) & ESPTUN_SA_F_ESN;
	sa->add_time = ktime_get_boottime_seconds();

	err = esptun_sa_parse_prefix(tb[ESPTUN_A_SA_SEL_SRC],
				     tb[ESPTUN_A_SA_SEL_SRC_PLEN],
				     &sa->sel_src, "ESPTUN_A_SA_SEL_SRC",
				     extack);
	if (!err)
		err = esptun_sa_parse_prefix(tb[ESPTUN_A_SA_SEL_DST],
					     tb[ESPTUN_A_SA_SEL_DST_PLEN],
					     &sa->sel_dst,
					     "ESPTUN_A_SA_SEL_DST", extack);
	if (!err && sa->sel_src.family && sa->sel_dst.family &&
	    sa->sel_src.family != sa->sel_dst.family) {
		NL_SET_ERR_MSG_ATTR(extack, tb[ESPTUN_A_SA_SEL_DST],
				    "ESPTUN_A_SA_SEL_SRC and ESPTUN_A_SA_SEL_DST must be of the same address family");
		err = -EINVAL;
	}
	if (!err)
		err = esptun_sa_parse_limits(sa, tb[ESPTUN_A_SA_LIMITS],
					     extack);
	if (err)
		goto err;

	window = ESPTUN_REPLAY_DEFAULT_WINDOW;
	if (tb[ESPTUN_A_SA_REPLAY_WINDOW]) {
		window = nla_get_u32(tb[ESPTUN_A_SA_REPLAY_WINDOW]);
		if (sa->dir == ESPTUN_SA_DIR_OUT) {
			NL_SET_ERR_MSG_ATTR(extack,
					    tb[ESPTUN_A_SA_REPLAY_WINDOW],
					    "ESPTUN_A_SA_REPLAY_WINDOW applies to inbound SAs only");
			err = -EINVAL;
			goto err;
		}
	}
	if (tb[ESPTUN_A_SA_SEQ] && !sa->esn &&
	    nla_get_u64(tb[ESPTUN_A_SA_SEQ]) > U32_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, tb[ESPTUN_A_SA_SEQ],
				    "ESPTUN_A_SA_SEQ: above 2^32-1 needs extended sequence numbers (ESPTUN_SA_F_ESN)");
		err = -ERANGE;
		goto err;
	}
	if (sa->dir == ESPTUN_SA_DIR_IN && sa->esn && !window) {
		NL_SET_ERR_MSG_ATTR(extack, tb[ESPTUN_A_SA_REPLAY_WINDOW],
				    "ESPTUN_A_SA_REPLAY_WINDOW: extended sequence numbers need a replay window to infer the high bits (RFC 4303 appendix A)");
		err = -EINVAL;
		goto err;
	}
	if (sa->dir == ESPTUN_SA_DIR_OUT) {
		window = 0;
		if (tb[ESPTUN_A_SA_SEQ])
			atomic64_set(&sa->oseq,
				     nla_get_u64(tb[ESPTUN_A_SA_SEQ]));
	}
	err = esptun_replay_init(&sa->replay, window, sa->esn,
				 sa->dir == ESPTUN_SA_DIR_IN &&
				 tb[ESPTUN_A_SA_SEQ] ?
				 nla_get_u64(tb[ESPTUN_A_SA_SEQ]) : 0,
				 GFP_KERNEL);
	if (err)
		goto err;

	err = esptun_crypto_setup(sa, tb, extack);
	if (err)
		goto err;

	sa->edev = edev;
	dev_hold(edev->dev);
	sa->net = edev->creating_net;
	return sa;
err:
	esptun_sa_put(sa);
	return ERR_PTR(err);
}

static int esptun_sa_specificity(const struct esptun_sa *sa)
{
	/* Destination first (it routes), then source. */
	return (sa->sel_dst.family ? sa->sel_dst.plen + 1 : 0) * 256 +
	       (sa->sel_src.family ? sa->sel_src.plen + 1 : 0);
}

/* Links a new SA; the lists take over the caller's reference.  RTNL. */
int esptun_sa_insert(struct esptun_sa *sa, struct netlink_ext_ack *extack)
{
	struct esptun_device *edev = sa->edev;
	struct esptun_sa *pos;
	unsigned long next;

	ASSERT_RTNL();
	if (sa->dir == ESPTUN_SA_DIR_IN) {
		rcu_read_lock();
		pos = esptun_sa_lookup_in(sa->net, sa->spi);
		rcu_read_unlock();
		if (pos) {
			esptun_nl_err(extack, NULL,
				      "ESPTUN_A_SA_SPI: SPI 0x%08x is already used by an inbound SA of %s in this namespace; delete it first or pick another SPI",
				      sa->spi, pos->edev->dev->name);
			return -EEXIST;
		}
		hash_add_rcu(esptun_sa_in_table, &sa->spi_node,
			     esptun_sa_hash(sa->net, sa->spi));
		hash_add_rcu(esptun_sa_addr_table, &sa->addr_node,
			     esptun_sa_addr_hash(sa->net, sa->family,
						 &sa->daddr));
		list_add_tail_rcu(&sa->dev_node, &edev->sa_in);
	} else {
		if (esptun_sa_find(edev, ESPTUN_SA_DIR_OUT, sa->spi)) {
			esptun_nl_err(extack, NULL,
				      "ESPTUN_A_SA_SPI: SPI 0x%08x is already used by an outbound SA of %s; delete it first or pick another SPI",
				      sa->spi, edev->dev->name);
			return -EEXIST;
		}
		/* Before the first less specific SA: longest prefix wins. */
		list_for_each_entry(pos, &edev->sa_out, dev_node)
			if (esptun_sa_specificity(pos) <
			    esptun_sa_specificity(sa))
				break;
		list_add_tail_rcu(&sa->dev_node, &pos->dev_node);
		hash_add_rcu(esptun_sa_out_table, &sa->spi_node,
			     esptun_sa_hash(sa->net, sa->spi));
		esptun_pmtu_sa_added(sa);
	}
	edev->sa_count++;

	next = esptun_sa_next_timeout(sa);
	if (next)
		esptun_sa_kick_expire(sa, next);
	return 0;
}

/* Removes an SA from every table and drops the tables' reference.  RTNL. */
void esptun_sa_unlink(struct esptun_sa *sa)
{
	ASSERT_RTNL();
	if (sa->dead)
		return;
	sa->dead = true;
	hash_del_rcu(&sa->spi_node);
	if (sa->dir == ESPTUN_SA_DIR_IN)
		hash_del_rcu(&sa->addr_node);
	list_del_rcu(&sa->dev_node);
	sa->edev->sa_count--;
	/* A running work waits for RTNL, then sees sa->dead. */
	if (cancel_delayed_work(&sa->expire_work))
		esptun_sa_put(sa);
	esptun_sa_put(sa);
}

void esptun_sa_flush(struct esptun_device *edev)
{
	struct esptun_sa *sa, *tmp;

	ASSERT_RTNL();
	list_for_each_entry_safe(sa, tmp, &edev->sa_out, dev_node)
		esptun_sa_unlink(sa);
	list_for_each_entry_safe(sa, tmp, &edev->sa_in, dev_node)
		esptun_sa_unlink(sa);
}

int esptun_sa_init(void)
{
	esptun_sa_wq = alloc_workqueue("esptun_sa", WQ_UNBOUND, 0);
	return esptun_sa_wq ? 0 : -ENOMEM;
}

void esptun_sa_uninit(void)
{
	/*
	 * Every SA was unlinked with its interface; wait for the grace
	 * periods that queue the last free works, then for the works.
	 */
	rcu_barrier();
	destroy_workqueue(esptun_sa_wq);
}
