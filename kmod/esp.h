/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESP (RFC 4303) packet processing: output (esp_out.c) and input
 * (esp_in.c), and what they share.
 */
#ifndef _ESPTUN_ESP_H
#define _ESPTUN_ESP_H

#include <crypto/aead.h>
#include <linux/netdevice.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <net/dst.h>
#include <net/flow.h>

#include "sa.h"

struct esptun_device;

/* SPI and sequence number, then the IV. */
#define ESPTUN_ESP_HLEN		8
/* ESN: the high sequence bits are authenticated, placed after the SPI. */
#define ESPTUN_ESP_ESN_LEN	4
#define ESPTUN_ESP_MAX_IV	16

/*
 * Where an outbound packet goes, looked up once per packet the stack hands
 * us (a GSO packet: once for all its segments), before encryption, so the
 * packet can be measured against the path (pmtu.c).
 */
struct esptun_esp_route {
	struct dst_entry *dst;		/* outer route, holds a reference */
	union esptun_addr saddr;	/* outer source the route chose */
	unsigned int mtu;		/* dst_mtu(dst) */
	__be32 flowlabel;		/* outer IPv6: from the inner flow */
	__be16 df;			/* outer IPv4: DF */
	u8 tos;				/* outer DSCP and ECN */
};

/*
 * Per-packet state across an asynchronous crypto call, allocated with the
 * request and the scatterlist behind it.
 */
struct esptun_esp_ctx {
	struct esptun_sa *sa;		/* holds a reference */
	struct sk_buff *skb;
	unsigned int inner_len;		/* output: for the counters */
	struct esptun_esp_route rt;	/* output: dst holds a reference */
	bool may_frag;			/* output: outer fragments allowed */
	__be32 saved;			/* input, ESN: word under seq_hi */
	u64 seq;			/* input: the full sequence number */
	u8 outer_tos;			/* input: for RFC 6040 */
	u8 iv[ESPTUN_ESP_MAX_IV] __aligned(8);
};

struct esptun_esp_ctx *esptun_esp_alloc_ctx(struct crypto_aead *aead,
					    int nsg,
					    struct aead_request **req,
					    struct scatterlist **sg);

struct dst_entry *esptun_esp_lookup(struct esptun_sa *sa, u8 tos,
				    union esptun_addr *saddr,
				    struct flowi6 *fl6);
int esptun_esp_route(struct esptun_sa *sa, struct sk_buff *skb,
		     struct esptun_esp_route *rt);
void esptun_esp_output(struct esptun_sa *sa, struct sk_buff *skb,
		       const struct esptun_esp_route *rt, bool may_frag);
int esptun_esp_input(struct sk_buff *skb, bool encap);

#endif /* _ESPTUN_ESP_H */
