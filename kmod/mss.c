// SPDX-License-Identifier: GPL-2.0
/*
 * TCP MSS clamping, built in: a TCP connection through the tunnel starts
 * with segments that fit it, before any path MTU discovery, and keeps
 * working when ICMP toward its endpoints is filtered (the classic "ping
 * works, big transfers hang").
 *
 * SYN and SYN-ACK segments get their MSS option lowered, never raised, to
 * the effective MTU minus 40 (IPv4) or 60 (IPv6) header bytes, or to a
 * fixed value (`esptun set DEV mss-clamp {auto|off|N}`).  Both directions:
 * on transmit before encryption, with the effective MTU of the SA the
 * packet goes through; on receive after decryption, with that of the
 * outbound SA that will carry the other direction of the connection.
 * Other options and the payload are untouched; the TCP checksum is updated
 * incrementally, as xt_TCPMSS does.
 *
 * Locking: none; edev->mss_clamp is written under RTNL, read with
 * READ_ONCE.  Callers hold rcu_read_lock().
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "device.h"
#include "pmtu.h"
#include "sa.h"

/* Finds the TCP header of a SYN at the network header; 0 if there is none. */
static unsigned int esptun_mss_syn_offset(struct sk_buff *skb,
					  unsigned int *hdrs)
{
	unsigned int thoff;
	struct tcphdr *th;

	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->protocol != IPPROTO_TCP ||
		    (iph->frag_off & htons(IP_MF | IP_OFFSET)))
			return 0;
		thoff = iph->ihl * 4;
		*hdrs = sizeof(struct iphdr) + sizeof(struct tcphdr);
	} else {
		__be16 frag_off;
		u8 nexthdr = ipv6_hdr(skb)->nexthdr;
		int off;

		off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
					    sizeof(struct ipv6hdr),
				       &nexthdr, &frag_off);
		if (off < 0 || nexthdr != IPPROTO_TCP || frag_off)
			return 0;
		thoff = off - skb_network_offset(skb);
		*hdrs = sizeof(struct ipv6hdr) + sizeof(struct tcphdr);
	}
	if (!pskb_may_pull(skb, skb_network_offset(skb) + thoff +
			   sizeof(struct tcphdr)))
		return 0;
	th = (struct tcphdr *)(skb_network_header(skb) + thoff);
	if (!th->syn || th->doff * 4 <= sizeof(struct tcphdr))
		return 0;
	return thoff;
}

static void esptun_mss_lower(struct sk_buff *skb, unsigned int thoff,
			     u16 mss)
{
	unsigned int optlen, i, len, end;
	struct tcphdr *th;
	u16 old;
	u8 *opt;

	th = (struct tcphdr *)(skb_network_header(skb) + thoff);
	end = skb_network_offset(skb) + thoff + th->doff * 4;
	if (skb_ensure_writable(skb, end))
		return;
	th = (struct tcphdr *)(skb_network_header(skb) + thoff);
	opt = (u8 *)(th + 1);
	optlen = th->doff * 4 - sizeof(*th);

	for (i = 0; i < optlen; i += len) {
		if (opt[i] == TCPOPT_EOL)
			return;
		if (opt[i] == TCPOPT_NOP) {
			len = 1;
			continue;
		}
		if (i + 1 >= optlen)
			return;
		len = opt[i + 1];
		if (len < 2 || i + len > optlen)
			return;
		if (opt[i] != TCPOPT_MSS || len != TCPOLEN_MSS)
			continue;
		old = get_unaligned_be16(&opt[i + 2]);
		if (old <= mss)
			return;
		put_unaligned_be16(mss, &opt[i + 2]);
		inet_proto_csum_replace2(&th->check, skb, htons(old),
					 htons(mss), false);
		return;
	}
}

static void esptun_mss_apply(struct sk_buff *skb, u32 setting,
			     unsigned int thoff, unsigned int hdrs,
			     unsigned int mtu)
{
	u16 mss;

	if (setting == ESPTUN_MSS_CLAMP_AUTO)
		mss = min_t(unsigned int, max(mtu, hdrs + TCP_MIN_MSS) - hdrs,
			    U16_MAX);
	else
		mss = setting;
	esptun_mss_lower(skb, thoff, mss);
}

/*
 * Lowers the MSS option of a TCP SYN at skb's network header (pulled) for
 * a tunnel whose effective MTU is mtu.
 */
void esptun_mss_clamp(struct esptun_device *edev, struct sk_buff *skb,
		      unsigned int mtu)
{
	u32 setting = READ_ONCE(edev->mss_clamp);
	unsigned int thoff, hdrs;

	if (setting == ESPTUN_MSS_CLAMP_OFF)
		return;
	thoff = esptun_mss_syn_offset(skb, &hdrs);
	if (thoff)
		esptun_mss_apply(skb, setting, thoff, hdrs, mtu);
}

/*
 * A decrypted packet: clamp with the budget of the outbound SA whose
 * selectors cover the reverse direction, or the interface MTU without one.
 */
void esptun_mss_clamp_rx(struct esptun_device *edev, struct sk_buff *skb)
{
	u32 setting = READ_ONCE(edev->mss_clamp);
	unsigned int mtu, thoff, hdrs;
	struct esptun_sa *sa;

	if (setting == ESPTUN_MSS_CLAMP_OFF)
		return;
	thoff = esptun_mss_syn_offset(skb, &hdrs);
	if (!thoff)
		return;
	mtu = READ_ONCE(edev->dev->mtu);
	sa = esptun_sa_lookup_out_reverse(edev, skb);
	if (sa && READ_ONCE(sa->mtu))
		mtu = min(mtu, READ_ONCE(sa->mtu));
	esptun_mss_apply(skb, setting, thoff, hdrs, mtu);
}
