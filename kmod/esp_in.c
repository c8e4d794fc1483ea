// SPDX-License-Identifier: GPL-2.0
/*
 * ESP input (RFC 4303 3.4): ESP addressed to one of our inbound SAs, plain
 * or in UDP, becomes the inner packet on the SA's interface.
 *
 * Order, as RFC 4303 3.4 wants it: find the SA by SPI; check lengths; the
 * cheap replay check (nothing changes yet); decrypt and verify the ICV;
 * only then move the replay window; remove padding (checked byte by byte)
 * and the trailer; check the inner packet against the SA's selectors
 * (RFC 4301 5.2); RFC 6040 ECN decapsulation; deliver through GRO cells.
 * Each way a packet can fail has its own drop counter.
 *
 * SPIs we do not own are handed back (-EINVAL) to the next xfrm protocol
 * handler, i.e. the kernel's own IPsec, unless the packet is addressed to
 * one of our SAs' outer addresses and the kernel has no state for it
 * either: then it is ours, and counted as rx-no-sa.
 *
 * Context: softirq, under RCU; or a crypto completion with BH disabled.
 * The packet holds a reference on its SA while crypto runs.
 */
#include <crypto/aead.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/xfrm.h>

#include "device.h"
#include "esp.h"
#include "pmtu.h"
#include "sa.h"

static void esptun_esp_rx_drop(struct esptun_sa *sa, struct sk_buff *skb,
			       enum esptun_drop_attr reason,
			       enum esptun_sa_stat stat)
{
	esptun_device_count_drop(sa->edev, reason, false);
	esptun_sa_count_drop(sa, stat);
	kfree_skb(skb);
}

static bool esptun_esp_check_padding(struct sk_buff *skb, unsigned int off,
				     unsigned int padlen)
{
	u8 pad[255];
	unsigned int i;

	if (skb_copy_bits(skb, off, pad, padlen))
		return false;
	/* RFC 4303 2.4: 1, 2, 3, ... */
	for (i = 0; i < padlen; i++)
		if (pad[i] != i + 1)
			return false;
	return true;
}

/* Validates the inner header at skb->data; trims TFC padding. */
static bool esptun_esp_inner(struct sk_buff *skb, u8 nexthdr, u8 *dsfield)
{
	unsigned int len;

	skb_reset_network_header(skb);
	if (nexthdr == IPPROTO_IPIP) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return false;
		iph = ip_hdr(skb);
		if (iph->version != 4 || iph->ihl < 5 ||
		    !pskb_may_pull(skb, iph->ihl * 4))
			return false;
		iph = ip_hdr(skb);
		len = ntohs(iph->tot_len);
		if (len < iph->ihl * 4 || len > skb->len)
			return false;
		*dsfield = iph->tos;
		skb->protocol = htons(ETH_P_IP);
	} else if (nexthdr == IPPROTO_IPV6) {
		const struct ipv6hdr *ip6h;

		if (!pskb_may_pull(skb, sizeof(*ip6h)))
			return false;
		ip6h = ipv6_hdr(skb);
		if (ip6h->version != 6)
			return false;
		len = sizeof(*ip6h) + ntohs(ip6h->payload_len);
		if (len > skb->len)
			return false;
		*dsfield = ipv6_get_dsfield(ip6h);
		skb->protocol = htons(ETH_P_IPV6);
	} else {
		return false;
	}
	/* Anything after the inner packet is TFC padding (RFC 4303 2.7). */
	return !pskb_trim(skb, len);
}

static void esptun_esp_input_finish(struct esptun_esp_ctx *ctx, int err)
{
	struct esptun_sa *sa = ctx->sa;
	struct sk_buff *skb = ctx->skb;
	struct esptun_device *edev = sa->edev;
	struct net_device *dev = edev->dev;
	unsigned int hlen = ESPTUN_ESP_HLEN + sa->ivlen;
	unsigned int clen, padlen;
	u8 outer_tos = ctx->outer_tos;
	u64 seq = ctx->seq;
	u8 nh[2], inner_tos;

	if (sa->esn) {
		/* SPI | seq_hi | seq_lo  ->  what was there | SPI | seq_lo */
		*(__be32 *)(skb->data + ESPTUN_ESP_ESN_LEN) =
			*(__be32 *)skb->data;
		*(__be32 *)skb->data = ctx->saved;
		__skb_pull(skb, ESPTUN_ESP_ESN_LEN);
	}
	kfree(ctx);

	if (unlikely(err)) {
		if (err == -EBADMSG)
			esptun_esp_rx_drop(sa, skb, ESPTUN_A_DROP_RX_ICV,
					   ESPTUN_SA_STAT_ICV_FAIL);
		else
			esptun_esp_rx_drop(sa, skb, ESPTUN_A_DROP_RX_NOMEM,
					   ESPTUN_SA_STAT_ERRORS);
		goto out;
	}
	/* Authentic: now, and only now, the window may move. */
	if (esptun_replay_advance(&sa->replay, seq) != ESPTUN_REPLAY_OK) {
		esptun_esp_rx_drop(sa, skb, ESPTUN_A_DROP_RX_REPLAY,
				   ESPTUN_SA_STAT_REPLAY);
		goto out;
	}

	clen = skb->len - hlen - sa->icvlen;
	if (skb_copy_bits(skb, skb->len - sa->icvlen - 2, nh, 2))
		goto bad_padding;
	padlen = nh[0];
	if (padlen + 2 > clen ||
	    !esptun_esp_check_padding(skb, skb->len - sa->icvlen - 2 - padlen,
				      padlen))
		goto bad_padding;
	if (pskb_trim(skb, skb->len - sa->icvlen - 2 - padlen)) {
		esptun_esp_rx_drop(sa, skb, ESPTUN_A_DROP_RX_NOMEM,
				   ESPTUN_SA_STAT_ERRORS);
		goto out;
	}
	if (nh[1] == IPPROTO_NONE) {
		/* A dummy packet (RFC 4303 2.6): authentic, and discarded. */
		esptun_sa_count(sa, 0);
		esptun_device_count_drop(edev, ESPTUN_A_DROP_RX_DUMMY, false);
		kfree_skb(skb);
		goto out;
	}

	__skb_pull(skb, hlen);
	if (!esptun_esp_inner(skb, nh[1], &inner_tos)) {
		esptun_esp_rx_drop(sa, skb, ESPTUN_A_DROP_RX_BAD_PROTO,
				   ESPTUN_SA_STAT_ERRORS);
		goto out;
	}
	if (!esptun_sa_match_inner(sa, skb)) {
		esptun_esp_rx_drop(sa, skb, ESPTUN_A_DROP_RX_SELECTOR,
				   ESPTUN_SA_STAT_SELECTOR);
		goto out;
	}
	if (INET_ECN_decapsulate(skb, outer_tos, inner_tos) > 1) {
		esptun_esp_rx_drop(sa, skb, ESPTUN_A_DROP_RX_ECN,
				   ESPTUN_SA_STAT_ERRORS);
		goto out;
	}

	skb_scrub_packet(skb, !net_eq(sa->net, dev_net(dev)));
	skb->dev = dev;
	skb->pkt_type = PACKET_HOST;
	/* Decryption verified integrity, not the inner checksums. */
	skb->ip_summed = CHECKSUM_NONE;
	skb_reset_mac_header(skb);
	skb_reset_transport_header(skb);

	rcu_read_lock();
	esptun_mss_clamp_rx(edev, skb);
	rcu_read_unlock();

	esptun_sa_count(sa, skb->len);
	esptun_device_count_rx(edev, skb->len);
	esptun_sa_expired(sa);
	gro_cells_receive(&edev->gro_cells, skb);
	goto out;

bad_padding:
	esptun_esp_rx_drop(sa, skb, ESPTUN_A_DROP_RX_BAD_PADDING,
			   ESPTUN_SA_STAT_ERRORS);
out:
	esptun_sa_put(sa);
}

static void esptun_esp_input_done(struct crypto_async_request *areq, int err)
{
	if (err == -EINPROGRESS)
		return;
	esptun_esp_input_finish(areq->data, err);
}

/* Not one of our SPIs: ours anyway, or the kernel's own IPsec's? */
static int esptun_esp_unknown_spi(struct sk_buff *skb, __be32 spi)
{
	struct net *net = dev_net(skb->dev);
	struct esptun_device *edev;
	union esptun_addr daddr;
	struct xfrm_state *x;
	u8 family;

	if (ip_hdr(skb)->version == 4) {
		family = AF_INET;
		daddr.ip4 = ip_hdr(skb)->daddr;
	} else {
		family = AF_INET6;
		daddr.ip6 = ipv6_hdr(skb)->daddr;
	}
	x = xfrm_state_lookup(net, skb->mark, (xfrm_address_t *)&daddr, spi,
			      IPPROTO_ESP, family);
	if (x) {
		xfrm_state_put(x);
		return -EINVAL;
	}
	if (!esptun_sa_net_has_addr(net, family, &daddr, &edev))
		return -EINVAL;
	esptun_device_count_drop(edev, ESPTUN_A_DROP_RX_NO_SA, false);
	kfree_skb(skb);
	return 0;
}

/*
 * skb->data points at the ESP header, the network header at the outer IP
 * header; encap: it came in UDP.  Returns 0 when the packet was consumed,
 * -EINVAL when it is not ours (the caller passes it on).
 */
int esptun_esp_input(struct sk_buff *skb, bool encap)
{
	struct net *net = dev_net(skb->dev);
	struct esptun_esp_ctx *ctx;
	struct aead_request *req;
	struct sk_buff *trailer;
	struct scatterlist *sg;
	struct esptun_sa *sa;
	unsigned int elen, esn_len;
	__be32 *esph, spi;
	u8 outer_tos;
	bool outer_ok;
	int nsg, err;
	u64 seq;

	if (!pskb_may_pull(skb, sizeof(spi)))
		return -EINVAL;
	spi = *(__be32 *)skb->data;

	rcu_read_lock();
	sa = esptun_sa_lookup_in(net, ntohl(spi));
	if (!sa) {
		err = esptun_esp_unknown_spi(skb, spi);
		rcu_read_unlock();
		return err;
	}

	if (ip_hdr(skb)->version == 4) {
		outer_tos = ip_hdr(skb)->tos;
		outer_ok = sa->family == AF_INET &&
			   ip_hdr(skb)->daddr == sa->daddr.ip4;
	} else {
		outer_tos = ipv6_get_dsfield(ipv6_hdr(skb));
		outer_ok = sa->family == AF_INET6 &&
			   ipv6_addr_equal(&ipv6_hdr(skb)->daddr,
					   &sa->daddr.ip6);
	}
	if (!outer_ok || encap != sa->encap) {
		esptun_esp_rx_drop(sa, skb, ESPTUN_A_DROP_RX_BAD_OUTER,
				   ESPTUN_SA_STAT_ERRORS);
		goto consumed;
	}
	if (!pskb_may_pull(skb, ESPTUN_ESP_HLEN + sa->ivlen)) {
		esptun_esp_rx_drop(sa, skb, ESPTUN_A_DROP_RX_SHORT_HEADER,
				   ESPTUN_SA_STAT_ERRORS);
		goto consumed;
	}
	elen = skb->len - ESPTUN_ESP_HLEN - sa->ivlen;
	if (elen < sa->icvlen + 2 ||
	    ((elen - sa->icvlen) & (sa->align - 1))) {
		esptun_esp_rx_drop(sa, skb, ESPTUN_A_DROP_RX_BAD_LENGTH,
				   ESPTUN_SA_STAT_ERRORS);
		goto consumed;
	}

	esph = (__be32 *)skb->data;
	seq = esptun_replay_infer(&sa->replay, ntohl(esph[1]));
	if (esptun_replay_check(&sa->replay, seq) != ESPTUN_REPLAY_OK) {
		esptun_esp_rx_drop(sa, skb, ESPTUN_A_DROP_RX_REPLAY,
				   ESPTUN_SA_STAT_REPLAY);
		goto consumed;
	}
	if (test_bit(ESPTUN_SA_HARD, &sa->expire_state)) {
		esptun_esp_rx_drop(sa, skb, ESPTUN_A_DROP_RX_EXPIRED,
				   ESPTUN_SA_STAT_ERRORS);
		goto consumed;
	}

	/* Writable, and the scatterlist size for the whole packet. */
	nsg = skb_cow_data(skb, 0, &trailer);
	if (nsg < 0)
		goto nomem;
	ctx = esptun_esp_alloc_ctx(sa->aead, nsg, &req, &sg);
	if (!ctx)
		goto nomem;
	if (!esptun_sa_get(sa)) {
		kfree(ctx);
		goto nomem;
	}
	rcu_read_unlock();

	ctx->sa = sa;
	ctx->skb = skb;
	ctx->seq = seq;
	ctx->outer_tos = outer_tos;
	esn_len = 0;
	if (sa->esn) {
		/*
		 * The word before the header (the end of the outer header) is
		 * borrowed for seq_hi and put back afterwards.
		 */
		esn_len = ESPTUN_ESP_ESN_LEN;
		esph = skb_push(skb, esn_len);
		ctx->saved = esph[0];
		esph[0] = spi;
		esph[1] = htonl(upper_32_bits(seq));
	}
	memcpy(ctx->iv, skb->data + ESPTUN_ESP_HLEN + esn_len, sa->ivlen);

	sg_init_table(sg, nsg);
	err = skb_to_sgvec(skb, sg, 0, skb->len);
	if (unlikely(err < 0)) {
		esptun_esp_input_finish(ctx, err);
		return 0;
	}
	aead_request_set_callback(req, 0, esptun_esp_input_done, ctx);
	aead_request_set_ad(req, ESPTUN_ESP_HLEN + esn_len + sa->ivlen);
	aead_request_set_crypt(req, sg, sg, elen, ctx->iv);

	err = crypto_aead_decrypt(req);
	if (err == -EINPROGRESS)
		return 0;
	esptun_esp_input_finish(ctx, err);
	return 0;

nomem:
	esptun_esp_rx_drop(sa, skb, ESPTUN_A_DROP_RX_NOMEM,
			   ESPTUN_SA_STAT_ERRORS);
consumed:
	rcu_read_unlock();
	return 0;
}
