// SPDX-License-Identifier: GPL-2.0
/*
 * ESP output (RFC 4303 3.3): an inner IPv4/IPv6 packet becomes ESP in
 * tunnel mode, optionally in UDP (RFC 3948), sent from the namespace the
 * interface was created in.
 *
 * Steps: take a sequence number, pad (RFC 4303 2.4: 1, 2, 3, ... up to the
 * cipher's block, at least 4-byte aligned), add the trailer, push the ESP
 * header and IV, encrypt in place, then push UDP and the outer IP header
 * and hand the packet to the outer IP stack.
 *
 * ESN (RFC 4303 2.2.1): the ICV covers the high 32 sequence bits, which are
 * not sent.  Before encryption the header is laid out as
 * SPI | seq_hi | seq_lo (4 bytes earlier than the real header), which is
 * the associated data both RFC 4106 5 and authencesn expect; afterwards
 * the SPI goes back over seq_hi.
 *
 * The outer route is looked up before encryption (esptun_esp_route()), once
 * per packet the stack hands the interface, so pmtu.c can measure the
 * packet against it; each packet in crypto holds its own reference on it.
 *
 * Context: called from esptun_xmit() through pmtu.c (softirq or process
 * context with BH disabled, under RCU), or from a crypto completion.  The
 * packet holds a reference on its SA while crypto runs.
 */
#include <crypto/aead.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/random.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp.h>

#include "crypto.h"
#include "device.h"
#include "esp.h"
#include "sa.h"

struct esptun_esp_ctx *esptun_esp_alloc_ctx(struct crypto_aead *aead,
					    int nsg,
					    struct aead_request **req,
					    struct scatterlist **sg)
{
	unsigned int req_off, sg_off, len;
	struct esptun_esp_ctx *ctx;

	req_off = ALIGN(sizeof(*ctx), crypto_tfm_ctx_alignment());
	sg_off = ALIGN(req_off + sizeof(struct aead_request) +
		       crypto_aead_reqsize(aead),
		       __alignof__(struct scatterlist));
	len = sg_off + nsg * sizeof(struct scatterlist);

	ctx = kmalloc(len, GFP_ATOMIC);
	if (!ctx)
		return NULL;
	*req = (struct aead_request *)((u8 *)ctx + req_off);
	*sg = (struct scatterlist *)((u8 *)ctx + sg_off);
	aead_request_set_tfm(*req, aead);
	return ctx;
}

static void esptun_esp_tx_drop(struct esptun_sa *sa, struct sk_buff *skb,
			       enum esptun_drop_attr reason)
{
	esptun_device_count_drop(sa->edev, reason, true);
	esptun_sa_count_drop(sa, ESPTUN_SA_STAT_ERRORS);
	kfree_skb(skb);
}

/*
 * The outer route of sa for the outer DSCP/ECN tos, with a reference, and
 * the source address it chose; or ERR_PTR(-EHOSTUNREACH) without a route,
 * ERR_PTR(-ELOOP) when it leads back into the interface.  For IPv6, *fl6
 * is left with the flow looked up.
 */
struct dst_entry *esptun_esp_lookup(struct esptun_sa *sa, u8 tos,
				    union esptun_addr *saddr,
				    struct flowi6 *fl6)
{
	u8 proto = sa->encap ? IPPROTO_UDP : IPPROTO_ESP;
	struct dst_entry *dst;

	if (sa->family == AF_INET) {
		struct flowi4 fl4 = {
			.daddr = sa->daddr.ip4,
			.saddr = sa->saddr.ip4,
			.flowi4_proto = proto,
			.flowi4_tos = RT_TOS(tos),
			.fl4_sport = sa->sport,
			.fl4_dport = sa->dport,
		};
		struct rtable *r = ip_route_output_key(sa->net, &fl4);

		if (IS_ERR(r))
			return ERR_PTR(-EHOSTUNREACH);
		dst = &r->dst;
		saddr->ip4 = fl4.saddr;
	} else {
		*fl6 = (struct flowi6) {
			.daddr = sa->daddr.ip6,
			.saddr = sa->saddr.ip6,
			.flowi6_proto = proto,
			.flowlabel = ip6_make_flowinfo(tos, 0),
			.fl6_sport = sa->sport,
			.fl6_dport = sa->dport,
		};
		dst = ipv6_stub->ipv6_dst_lookup_flow(sa->net, NULL, fl6, NULL);
		if (IS_ERR(dst))
			return ERR_PTR(-EHOSTUNREACH);
		saddr->ip6 = fl6->saddr;
	}
	if (dst->dev == sa->edev->dev) {
		dst_release(dst);
		return ERR_PTR(-ELOOP);
	}
	return dst;
}

/*
 * The outer route of sa for skb (an inner packet, network header pulled):
 * the outer DSCP/ECN and DF follow the inner header and the interface's
 * settings.  Returns 0, or the drop reason.  rt->dst holds a reference.
 */
int esptun_esp_route(struct esptun_sa *sa, struct sk_buff *skb,
		     struct esptun_esp_route *rt)
{
	struct esptun_device *edev = sa->edev;
	u8 dsfield, dscp = READ_ONCE(edev->dscp), dfmode = READ_ONCE(edev->df);
	struct dst_entry *dst;
	struct flowi6 fl6;
	__be16 df;

	if (skb->protocol == htons(ETH_P_IP)) {
		dsfield = ip_hdr(skb)->tos;
		df = ip_hdr(skb)->frag_off & htons(IP_DF);
	} else {
		dsfield = ipv6_get_dsfield(ipv6_hdr(skb));
		df = htons(IP_DF);
	}
	rt->tos = INET_ECN_encapsulate(dscp == ESPTUN_DSCP_COPY ?
				       dsfield & ~INET_ECN_MASK : dscp << 2,
				       dsfield);
	rt->df = dfmode == ESPTUN_DF_SET ? htons(IP_DF) :
		 dfmode == ESPTUN_DF_CLEAR ? 0 : df;
	rt->flowlabel = 0;

	dst = esptun_esp_lookup(sa, rt->tos, &rt->saddr, &fl6);
	if (IS_ERR(dst))
		return PTR_ERR(dst) == -ELOOP ? ESPTUN_A_DROP_TX_LOOP :
						ESPTUN_A_DROP_TX_NO_ROUTE;
	/* A locked route MTU forbids DF (RFC 1191 "don't fragment"). */
	if (sa->family == AF_INET && ip_mtu_locked(dst))
		rt->df = 0;
	/* From the inner flow, so ECMP can spread tunnels. */
	if (sa->family == AF_INET6)
		rt->flowlabel = ip6_make_flowlabel(sa->net, skb, 0, true, &fl6);
	rt->dst = dst;
	rt->mtu = dst_mtu(dst);
	return 0;
}

/* Consumes skb and the reference on rt->dst. */
static int esptun_esp_xmit4(struct esptun_sa *sa, struct sk_buff *skb,
			    const struct esptun_esp_route *rt, u8 proto,
			    bool may_frag)
{
	struct net_device *dev = sa->edev->dev;
	struct iphdr *iph;

	skb_scrub_packet(skb, !net_eq(sa->net, dev_net(dev)));
	skb_dst_set(skb, rt->dst);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	skb->dev = NULL;

	skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = rt->tos;
	iph->frag_off = may_frag ? 0 : rt->df;
	iph->ttl = READ_ONCE(sa->edev->ttl);
	iph->protocol = proto;
	iph->saddr = rt->saddr.ip4;
	iph->daddr = sa->daddr.ip4;
	__ip_select_ident(sa->net, iph, 1);
	/* ip_local_out() fills in the length and the header checksum. */
	return ip_local_out(sa->net, NULL, skb);
}

/* Consumes skb and the reference on rt->dst. */
static int esptun_esp_xmit6(struct esptun_sa *sa, struct sk_buff *skb,
			    const struct esptun_esp_route *rt, u8 proto,
			    bool may_frag)
{
	struct net_device *dev = sa->edev->dev;
	struct ipv6hdr *ip6h;

	if (proto == IPPROTO_UDP)
		/* IPv6 forbids a zero UDP checksum here (RFC 6935). */
		udp6_set_csum(false, skb, &rt->saddr.ip6, &sa->daddr.ip6,
			      skb->len);

	skb_scrub_packet(skb, !net_eq(sa->net, dev_net(dev)));
	skb_dst_set(skb, rt->dst);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	skb->dev = NULL;
	/* An inner IPv6 packet of up to 1280 bytes that does not fit: pmtu.c */
	skb->ignore_df = may_frag;

	skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6h = ipv6_hdr(skb);
	ip6_flow_hdr(ip6h, rt->tos, rt->flowlabel);
	ip6h->nexthdr = proto;
	ip6h->hop_limit = READ_ONCE(sa->edev->ttl);
	ip6h->saddr = rt->saddr.ip6;
	ip6h->daddr = sa->daddr.ip6;
	/* ip6_local_out() fills in the payload length. */
	return ip6_local_out(sa->net, NULL, skb);
}

/* After encryption: outer headers, and out it goes. */
static void esptun_esp_output_finish(struct esptun_esp_ctx *ctx, int err)
{
	struct esptun_esp_route rt = ctx->rt;
	struct esptun_sa *sa = ctx->sa;
	struct sk_buff *skb = ctx->skb;
	unsigned int inner_len = ctx->inner_len;
	bool may_frag = ctx->may_frag;
	u8 proto = IPPROTO_ESP;

	kfree(ctx);
	if (unlikely(err)) {
		dst_release(rt.dst);
		esptun_esp_tx_drop(sa, skb, ESPTUN_A_DROP_TX_CRYPTO);
		goto out;
	}

	if (sa->esn) {
		/* SPI | seq_hi | seq_lo  ->  SPI | seq_lo */
		*(__be32 *)(skb->data + ESPTUN_ESP_ESN_LEN) =
			*(__be32 *)skb->data;
		__skb_pull(skb, ESPTUN_ESP_ESN_LEN);
	}
	skb_reset_transport_header(skb);

	if (sa->encap) {
		struct udphdr *uh = skb_push(skb, sizeof(*uh));

		skb_reset_transport_header(skb);
		uh->source = sa->sport;
		uh->dest = sa->dport;
		uh->len = htons(skb->len);
		/* IPv4: no checksum, RFC 3948 2.1; IPv6: xmit6 sets it. */
		uh->check = 0;
		proto = IPPROTO_UDP;
	}

	esptun_sa_count(sa, inner_len);
	esptun_device_count_tx(sa->edev, inner_len);
	if (sa->family == AF_INET)
		err = esptun_esp_xmit4(sa, skb, &rt, proto, may_frag);
	else
		err = esptun_esp_xmit6(sa, skb, &rt, proto, may_frag);
	if (unlikely(net_xmit_eval(err)))
		DEV_STATS_INC(sa->edev->dev, tx_errors);
	esptun_sa_expired(sa);
out:
	esptun_sa_put(sa);
}

static void esptun_esp_output_done(struct crypto_async_request *areq, int err)
{
	/* A backlogged request started: the real completion follows. */
	if (err == -EINPROGRESS)
		return;
	esptun_esp_output_finish(areq->data, err);
}

/*
 * Encrypts one (non-GSO) packet with sa and sends it along rt, which the
 * caller keeps (each packet takes its own reference on rt->dst).  may_frag:
 * the outer packet may be fragmented (pmtu.c).  Consumes skb.  Caller holds
 * rcu_read_lock() (sa is not referenced yet).
 */
void esptun_esp_output(struct esptun_sa *sa, struct sk_buff *skb,
		       const struct esptun_esp_route *rt, bool may_frag)
{
	struct esptun_device *edev = sa->edev;
	unsigned int hlen, esn_len, clen, padlen, tailen, inner_len;
	struct esptun_esp_ctx *ctx;
	struct aead_request *req;
	struct scatterlist *sg;
	struct sk_buff *trailer;
	u8 nexthdr, *tail;
	__be32 *esph;
	u64 seq;
	int nsg, i, err;

	nexthdr = skb->protocol == htons(ETH_P_IP) ? IPPROTO_IPIP :
						     IPPROTO_IPV6;
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		esptun_esp_tx_drop(sa, skb, ESPTUN_A_DROP_TX_NOMEM);
		return;
	}
	if (unlikely(test_bit(ESPTUN_SA_HARD, &sa->expire_state) ||
		     !esptun_sa_next_seq(sa, &seq))) {
		esptun_esp_tx_drop(sa, skb, ESPTUN_A_DROP_TX_EXPIRED);
		return;
	}

	inner_len = skb->len;
	esn_len = sa->esn ? ESPTUN_ESP_ESN_LEN : 0;
	hlen = ESPTUN_ESP_HLEN + sa->ivlen;
	clen = ALIGN(inner_len + 2, sa->align);
	padlen = clen - inner_len - 2;
	tailen = padlen + 2 + sa->icvlen;

	/* Room for ESP, UDP, the outer header and the outer link layer. */
	if (skb_cow_head(skb, hlen + esn_len + sizeof(struct udphdr) +
			 sizeof(struct ipv6hdr) + LL_MAX_HEADER))
		goto nomem;
	nsg = skb_cow_data(skb, tailen, &trailer);
	if (nsg < 0)
		goto nomem;

	tail = pskb_put(skb, trailer, tailen);
	for (i = 0; i < padlen; i++)
		tail[i] = i + 1;
	tail[padlen] = padlen;
	tail[padlen + 1] = nexthdr;

	esph = skb_push(skb, hlen + esn_len);
	esph[0] = htonl(sa->spi);
	if (esn_len) {
		esph[1] = htonl(upper_32_bits(seq));
		esph[2] = htonl(lower_32_bits(seq));
	} else {
		esph[1] = htonl(lower_32_bits(seq));
	}

	ctx = esptun_esp_alloc_ctx(sa->aead, nsg, &req, &sg);
	if (!ctx)
		goto nomem;
	ctx->skb = skb;
	ctx->inner_len = inner_len;
	ctx->rt = *rt;
	ctx->may_frag = may_frag;

	if (esptun_crypto_seq_iv(sa)) {
		/* RFC 4106 3.1 / RFC 7634 2: the IV is the sequence number. */
		put_unaligned_be64(seq, ctx->iv);
	} else {
		/* CBC: unpredictable (RFC 3602 2.3). */
		get_random_bytes(ctx->iv, sa->ivlen);
	}
	memcpy((u8 *)esph + ESPTUN_ESP_HLEN + esn_len, ctx->iv, sa->ivlen);

	sg_init_table(sg, nsg);
	err = skb_to_sgvec(skb, sg, 0, skb->len);
	if (unlikely(err < 0)) {
		kfree(ctx);
		goto nomem;
	}

	if (!esptun_sa_get(sa)) {
		kfree(ctx);
		esptun_device_count_drop(edev, ESPTUN_A_DROP_TX_NO_SA, true);
		kfree_skb(skb);
		return;
	}
	ctx->sa = sa;
	dst_hold(ctx->rt.dst);
	aead_request_set_callback(req, 0, esptun_esp_output_done, ctx);
	aead_request_set_ad(req, ESPTUN_ESP_HLEN + esn_len + sa->ivlen);
	aead_request_set_crypt(req, sg, sg, clen, ctx->iv);

	err = crypto_aead_encrypt(req);
	if (err == -EINPROGRESS)
		return;
	esptun_esp_output_finish(ctx, err);
	return;

nomem:
	esptun_esp_tx_drop(sa, skb, ESPTUN_A_DROP_TX_NOMEM);
}
