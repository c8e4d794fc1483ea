// SPDX-License-Identifier: GPL-2.0
/*
 * Path MTU: no black holes.
 *
 * An SA's budget is the largest inner packet whose ESP packet fits an outer
 * path MTU: the outer header, UDP for NAT-T, the ESP header and IV, the ICV
 * and the trailer, with the payload plus trailer padded to the cipher's
 * alignment (esptun_pmtu_budget()).
 *
 * - The interface MTU, when automatic (the default), is the smallest
 *   budget over the outbound SAs for the MTU of the outer route toward
 *   each peer, at least 1280 so that IPv6 stays enabled on the interface.
 *   It is recomputed, under RTNL, when an outbound SA comes or goes and
 *   when an interface of the outer namespace changes MTU or comes up.  It
 *   ignores path MTUs learned from ICMP: ICMP about ESP is not
 *   authenticated, and a forged one must not shrink the interface (or
 *   disable IPv6 on it); it only lowers the per-packet budget below, until
 *   the kernel expires the learned value.  A user-set MTU is never changed.
 * - Per packet (esptun_pmtu_xmit()), the effective MTU is the smaller of
 *   the interface MTU and the SA's budget for the outer route's current
 *   MTU, learned values included.  Over it, IPv4 with DF and IPv6 over
 *   1280 bytes get an ICMP error with the effective MTU (and the inner
 *   route a PMTU exception, as xfrm interfaces do); IPv4 without DF is
 *   fragmented before encryption (RFC 4459 3: the far gateway reassembles
 *   nothing, the inner receiver does); IPv6 of up to 1280 bytes, which
 *   IPv6 requires to pass (RFC 8200 5), is sent and the outer packet
 *   fragmented.
 * - ICMP "fragmentation needed" and "packet too big" about our outer
 *   packets update the outer route's PMTU exception: for plain ESP here,
 *   after matching the SPI and addresses to an outbound SA; for ESP in UDP
 *   the UDP error path does it (after esptun_pmtu_udp_err_lookup() for the
 *   interface's own socket).
 *
 * Locking: the data path runs under RCU and reads sa and edev fields with
 * READ_ONCE; esptun_pmtu_refresh() runs under RTNL.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/percpu.h>
#include <linux/rtnetlink.h>
#include <net/addrconf.h>
#include <net/esp.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_fib.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>

#include "device.h"
#include "esp.h"
#include "pmtu.h"
#include "sa.h"

/* The largest inner packet whose ESP packet fits path_mtu; 0 if none. */
unsigned int esptun_pmtu_budget(const struct esptun_sa *sa,
				unsigned int path_mtu)
{
	unsigned int over;

	over = (sa->family == AF_INET ? sizeof(struct iphdr) :
					sizeof(struct ipv6hdr)) +
	       (sa->encap ? sizeof(struct udphdr) : 0) +
	       ESPTUN_ESP_HLEN + sa->ivlen + sa->icvlen;
	/* The payload and the 2-byte trailer are padded to sa->align. */
	if (path_mtu < over + sa->align)
		return 0;
	return rounddown(path_mtu - over, sa->align) - 2;
}

/*
 * The effective MTU of a packet about to go through sa along rt; it also
 * refreshes sa->mtu, which MSS clamping of inbound SYNs reads.
 */
unsigned int esptun_pmtu_effective(struct esptun_sa *sa,
				   const struct esptun_esp_route *rt)
{
	unsigned int mtu = esptun_pmtu_budget(sa, rt->mtu);

	if (unlikely(READ_ONCE(sa->mtu) != mtu))
		WRITE_ONCE(sa->mtu, mtu);
	return min(mtu, READ_ONCE(sa->edev->dev->mtu));
}

static void esptun_pmtu_too_big(struct esptun_sa *sa, struct sk_buff *skb,
				unsigned int mtu)
{
	/*
	 * The inner route learns it too: the next packets to this
	 * destination are answered by the IP layer before they reach us.
	 */
	skb_dst_update_pmtu_no_confirm(skb, mtu);
	if (skb->protocol == htons(ETH_P_IP)) {
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			      htonl(mtu));
	} else {
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
	}
	esptun_device_count_drop(sa->edev, ESPTUN_A_DROP_TX_TOO_BIG, true);
	kfree_skb(skb);
}

/* --- IPv4 fragmentation before encryption ------------------------------ */

/*
 * ip_do_fragment() hands each fragment to an output function that has no
 * argument for us: the SA and route go through this per-CPU slot.  The
 * transmit path runs with BH disabled; a nested esptun transmit on the
 * same CPU (tunnel in tunnel) saves and restores the slot.
 */
struct esptun_pmtu_frag {
	struct esptun_sa *sa;
	const struct esptun_esp_route *rt;
};

static DEFINE_PER_CPU(struct esptun_pmtu_frag, esptun_pmtu_frag);

static int esptun_pmtu_frag_output(struct net *net, struct sock *sk,
				   struct sk_buff *skb)
{
	struct esptun_pmtu_frag *f = this_cpu_ptr(&esptun_pmtu_frag);

	/* The fake route below lives on the stack: never past this call. */
	skb_dst_drop(skb);
	esptun_esp_output(f->sa, skb, f->rt, false);
	return 0;
}

static unsigned int esptun_pmtu_frag_dst_mtu(const struct dst_entry *dst)
{
	return READ_ONCE(dst->dev->mtu);
}

static struct dst_ops esptun_pmtu_frag_dst_ops = {
	.family = AF_UNSPEC,
	.mtu = esptun_pmtu_frag_dst_mtu,
};

static void esptun_pmtu_fragment(struct esptun_sa *sa, struct sk_buff *skb,
				 const struct esptun_esp_route *rt,
				 unsigned int mtu)
{
	struct esptun_pmtu_frag *f, saved;
	struct rtable frag_rt = {};
	unsigned long orig_dst;

	/* ip_do_fragment() keeps 8-byte multiples after the header. */
	if (mtu < ip_hdrlen(skb) + 8) {
		esptun_pmtu_too_big(sa, skb, mtu);
		return;
	}
	f = this_cpu_ptr(&esptun_pmtu_frag);
	saved = *f;
	f->sa = sa;
	f->rt = rt;

	/* As sch_frag.c: a route whose only job is to carry the MTU. */
	dst_init(&frag_rt.dst, &esptun_pmtu_frag_dst_ops, NULL, 1,
		 DST_OBSOLETE_NONE, DST_NOCOUNT);
	frag_rt.dst.dev = sa->edev->dev;
	orig_dst = skb->_skb_refdst;
	skb_dst_set_noref(skb, &frag_rt.dst);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	IPCB(skb)->frag_max_size = mtu;
	ip_do_fragment(dev_net(sa->edev->dev), skb->sk, skb,
		       esptun_pmtu_frag_output);
	refdst_drop(orig_dst);

	f = this_cpu_ptr(&esptun_pmtu_frag);
	*f = saved;
}

/* One packet (a GSO segment, or a packet that never was GSO). */
static void esptun_pmtu_xmit_one(struct esptun_sa *sa, struct sk_buff *skb,
				 const struct esptun_esp_route *rt,
				 unsigned int mtu)
{
	if (likely(skb->len <= mtu))
		esptun_esp_output(sa, skb, rt, false);
	else if (skb->protocol == htons(ETH_P_IP))
		esptun_pmtu_fragment(sa, skb, rt, mtu);
	else
		/* IPv6 of up to 1280 bytes: checked by the caller. */
		esptun_esp_output(sa, skb, rt, true);
}

static bool esptun_pmtu_fits(const struct sk_buff *skb, unsigned int mtu)
{
	if (skb_is_gso(skb))
		return skb_gso_validate_network_len(skb, mtu);
	return skb->len <= mtu;
}

/*
 * Sends skb (an inner packet, possibly GSO) through sa along rt, with mtu
 * the effective MTU.  Consumes skb; the caller keeps rt.
 */
void esptun_pmtu_xmit(struct esptun_sa *sa, struct sk_buff *skb,
		      const struct esptun_esp_route *rt, unsigned int mtu)
{
	struct sk_buff *segs, *next;

	if (unlikely(!esptun_pmtu_fits(skb, mtu))) {
		if (skb->protocol == htons(ETH_P_IP)) {
			if (ip_hdr(skb)->frag_off & htons(IP_DF)) {
				esptun_pmtu_too_big(sa, skb, mtu);
				return;
			}
		} else if (!esptun_pmtu_fits(skb, max(mtu, IPV6_MIN_MTU))) {
			esptun_pmtu_too_big(sa, skb, max(mtu, IPV6_MIN_MTU));
			return;
		}
	}

	if (!skb_is_gso(skb)) {
		esptun_pmtu_xmit_one(sa, skb, rt, mtu);
		return;
	}
	/*
	 * Each segment needs its own sequence number and ICV: segment
	 * before encrypting, so TSO senders work.
	 */
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		esptun_device_count_drop(sa->edev, ESPTUN_A_DROP_TX_NOMEM, true);
		kfree_skb(skb);
		return;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		esptun_pmtu_xmit_one(sa, skb, rt, mtu);
	}
}

/* --- the outer path, outside the data path ----------------------------- */

static u8 esptun_pmtu_source(const struct esptun_sa *sa,
			     const struct dst_entry *dst)
{
	if (sa->family == AF_INET) {
		const struct rtable *rt = (const struct rtable *)dst;

		if (rt->rt_pmtu && time_before(jiffies, dst->expires))
			return ESPTUN_PMTU_SRC_ICMP;
	} else {
		const struct rt6_info *rt = (const struct rt6_info *)dst;

		/* PMTU exceptions are cached clones with their own MTU. */
		if ((rt->rt6i_flags & RTF_CACHE) &&
		    dst_metric_raw(dst, RTAX_MTU))
			return ESPTUN_PMTU_SRC_ICMP;
	}
	return dst_metric_raw(dst, RTAX_MTU) ? ESPTUN_PMTU_SRC_ROUTE :
					       ESPTUN_PMTU_SRC_LINK;
}

/*
 * The outer path MTU toward sa's peer now (*path_mtu), where it comes from
 * (*source), and what it is without values learned from ICMP (*base_mtu).
 * Returns false without a route.  Process context.
 */
bool esptun_pmtu_sa_path(struct esptun_sa *sa, unsigned int *path_mtu,
			 u8 *source, unsigned int *base_mtu)
{
	union esptun_addr saddr;
	struct dst_entry *dst;
	struct flowi6 fl6;
	unsigned int base;
	u8 src;

	dst = esptun_esp_lookup(sa, 0, &saddr, &fl6);
	if (IS_ERR(dst))
		return false;
	*path_mtu = dst_mtu(dst);
	src = esptun_pmtu_source(sa, dst);
	base = *path_mtu;
	if (src == ESPTUN_PMTU_SRC_ICMP) {
		base = READ_ONCE(dst->dev->mtu);
		if (sa->family == AF_INET && dst_metric_raw(dst, RTAX_MTU))
			base = dst_metric_raw(dst, RTAX_MTU);
	}
	if (source)
		*source = src;
	if (base_mtu)
		*base_mtu = base;
	dst_release(dst);
	return true;
}

/* Sets the automatic MTU from edev->auto_mtu.  RTNL. */
static void esptun_pmtu_apply(struct esptun_device *edev)
{
	struct net_device *dev = edev->dev;
	unsigned int mtu;
	int err;

	/* No outbound SA (or no route yet): keep what we have. */
	if (!edev->mtu_auto || !edev->auto_mtu ||
	    dev->reg_state != NETREG_REGISTERED)
		return;
	mtu = clamp_t(unsigned int, edev->auto_mtu, IPV6_MIN_MTU,
		      dev->max_mtu);
	if (mtu == dev->mtu)
		return;
	edev->mtu_refreshing = true;
	err = dev_set_mtu(dev, mtu);
	edev->mtu_refreshing = false;
	if (err)
		netdev_warn(dev, "cannot set the automatic MTU %u: error %d\n",
			    mtu, err);
}

/*
 * A new outbound SA can only lower the smallest budget: one route lookup,
 * not one per SA, so adding thousands of SAs stays linear.  RTNL.
 */
void esptun_pmtu_sa_added(struct esptun_sa *sa)
{
	struct esptun_device *edev = sa->edev;
	unsigned int path, base, budget;

	ASSERT_RTNL();
	if (!esptun_pmtu_sa_path(sa, &path, NULL, &base))
		return;
	WRITE_ONCE(sa->mtu, esptun_pmtu_budget(sa, path));
	budget = esptun_pmtu_budget(sa, base);
	if (budget && (!edev->auto_mtu || budget < edev->auto_mtu))
		edev->auto_mtu = budget;
	esptun_pmtu_apply(edev);
}

/*
 * Recomputes every outbound SA's budget and, when automatic, the interface
 * MTU: after an outbound SA went, an outer interface changed, or the user
 * asked for `mtu auto`.  RTNL.
 */
void esptun_pmtu_refresh(struct esptun_device *edev)
{
	unsigned int path, base, budget, mtu = 0;
	struct esptun_sa *sa;

	ASSERT_RTNL();
	list_for_each_entry(sa, &edev->sa_out, dev_node) {
		if (!esptun_pmtu_sa_path(sa, &path, NULL, &base))
			continue;
		WRITE_ONCE(sa->mtu, esptun_pmtu_budget(sa, path));
		budget = esptun_pmtu_budget(sa, base);
		if (budget && (!mtu || budget < mtu))
			mtu = budget;
	}
	edev->auto_mtu = mtu;
	esptun_pmtu_apply(edev);
}

/* `mtu auto`: as refresh, and back to the default without outbound SAs. */
void esptun_pmtu_set_auto(struct esptun_device *edev)
{
	ASSERT_RTNL();
	edev->mtu_auto = true;
	esptun_pmtu_refresh(edev);
	if (!edev->auto_mtu && edev->dev->mtu != ESPTUN_DEFAULT_MTU) {
		edev->mtu_refreshing = true;
		dev_set_mtu(edev->dev, ESPTUN_DEFAULT_MTU);
		edev->mtu_refreshing = false;
	}
}

/* --- ICMP errors about our outer packets ------------------------------- */

/* An outbound SA that sent the packet an ICMP error quotes.  RCU. */
static struct esptun_sa *esptun_pmtu_find_sa(struct net *net, u8 family,
					     const void *saddr,
					     const void *daddr, __be32 spi,
					     bool encap)
{
	struct esptun_sa *sa;

	sa = esptun_sa_lookup_out_spi(net, ntohl(spi), family, daddr);
	if (!sa || sa->encap != encap)
		return NULL;
	if (family == AF_INET ? sa->saddr.ip4 != *(const __be32 *)saddr :
	    !ipv6_addr_equal(&sa->saddr.ip6, saddr))
		return NULL;
	return sa;
}

/*
 * Plain ESP over IPv4 (xfrm4_protocol err_handler).  skb->data is at the
 * quoted IP header; icmp_socket_deliver() pulled 8 bytes past it, which
 * covers the SPI.  Returns 0 when the SPI is ours.
 */
int esptun_pmtu_err4(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const struct ip_esp_hdr *esph;
	struct net *net = dev_net(skb->dev);

	esph = (const struct ip_esp_hdr *)(skb->data + (iph->ihl << 2));
	if (!esptun_pmtu_find_sa(net, AF_INET, &iph->saddr, &iph->daddr,
				 esph->spi, false))
		return -ENOENT;

	if (icmp_hdr(skb)->type == ICMP_DEST_UNREACH &&
	    icmp_hdr(skb)->code == ICMP_FRAG_NEEDED)
		ipv4_update_pmtu(skb, net, info, 0, IPPROTO_ESP);
	else if (icmp_hdr(skb)->type == ICMP_REDIRECT)
		ipv4_redirect(skb, net, 0, IPPROTO_ESP);
	return 0;
}

/*
 * Plain ESP over IPv6 (xfrm6_protocol err_handler): the ESP header is at
 * offset, and icmpv6_notify() pulled 8 bytes of it.
 */
int esptun_pmtu_err6(struct sk_buff *skb, u8 type, int offset, __be32 info)
{
	const struct ipv6hdr *ip6h = (const struct ipv6hdr *)skb->data;
	const struct ip_esp_hdr *esph;
	struct net *net = dev_net(skb->dev);

	esph = (const struct ip_esp_hdr *)(skb->data + offset);
	if (!esptun_pmtu_find_sa(net, AF_INET6, &ip6h->saddr, &ip6h->daddr,
				 esph->spi, false))
		return -ENOENT;

	if (type == ICMPV6_PKT_TOOBIG)
		ip6_update_pmtu(skb, net, info, 0, 0, sock_net_uid(net, NULL));
	else if (type == NDISC_REDIRECT)
		ip6_redirect(skb, net, skb->dev->ifindex, 0,
			     sock_net_uid(net, NULL));
	return 0;
}

/*
 * ESP in UDP, the interface's own socket (udp_tunnel encap_err_lookup):
 * the network header is at the quoted IP header, the transport header at
 * its UDP header.  Returns 0 (the UDP layer then updates the PMTU) when
 * the SPI after it is one of our outbound SAs'.  Copies rather than pulls:
 * the caller still points into the ICMP packet.
 */
int esptun_pmtu_udp_err_lookup(struct sock *sk, struct sk_buff *skb)
{
	int off = skb_transport_offset(skb) + sizeof(struct udphdr);
	struct net *net = sock_net(sk);
	__be32 _spi;
	const __be32 *spi;

	spi = skb_header_pointer(skb, off, sizeof(_spi), &_spi);
	/* A zero word is the non-ESP marker: IKE, not ours. */
	if (!spi || !*spi)
		return -ENOENT;
	if (ip_hdr(skb)->version == 4) {
		const struct iphdr *iph = ip_hdr(skb);

		if (esptun_pmtu_find_sa(net, AF_INET, &iph->saddr, &iph->daddr,
					*spi, true))
			return 0;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		if (esptun_pmtu_find_sa(net, AF_INET6, &ip6h->saddr,
					&ip6h->daddr, *spi, true))
			return 0;
	}
	return -ENOENT;
}
