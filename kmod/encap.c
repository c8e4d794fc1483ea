// SPDX-License-Identifier: GPL-2.0
/*
 * Where ESP comes in.
 *
 * Plain ESP (IP protocol 50): esptun registers as an xfrm protocol handler
 * for IPv4 and IPv6, ahead of the kernel's own ESP (priority 20; xfrm
 * interfaces use 10, esp4/esp6 0).  A handler that returns -EINVAL passes
 * the packet to the next one, which is how SPIs esptun does not own reach
 * the kernel's IPsec.
 *
 * ESP in UDP (RFC 3948) arrives two ways:
 * - through a UDP_ENCAP_ESPINUDP socket that a daemon owns (esptund,
 *   which also gets IKE on it): the kernel's xfrm4/6_udp_encap_rcv strips
 *   UDP and calls the same handlers' input_handler;
 * - for manual keying without a daemon, through a socket the interface
 *   opens itself (`esptun set DEV listen-port 4500`, as wg does).  Its
 *   receive hook below eats NAT keepalives (0xFF) and drops non-ESP (IKE
 *   has no reader there).
 *
 * ICMP errors about ESP we sent go to pmtu.c: for plain ESP through the
 * handlers' err_handler, for ESP in UDP through the UDP error path (the
 * interface's own socket checks the SPI with encap_err_lookup).
 *
 * Locking: edev->encap_sock changes under RTNL.  The receive hook finds the
 * interface through sk_user_data under RCU, only to count drops: closing
 * the socket clears it, and the interface is freed after a grace period.
 */
#include <linux/udp.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>
#include <net/xfrm.h>

#include "device.h"
#include "encap.h"
#include "esp.h"
#include "netlink.h"
#include "pmtu.h"

#define ESPTUN_XFRM_PRIORITY	20

static int esptun_encap_rcv_esp(struct sk_buff *skb)
{
	return esptun_esp_input(skb, false);
}

static int esptun_encap_input_handler(struct sk_buff *skb, int nexthdr,
				      __be32 spi, int encap_type)
{
	/* Only xfrm*_rcv_encap() calls this: ESP that came in UDP. */
	return esptun_esp_input(skb, encap_type != 0);
}

static int esptun_encap_cb_handler(struct sk_buff *skb, int err)
{
	/* Called for packets the kernel's IPsec processed: not ours. */
	return 1;
}

/* ICMP errors about plain ESP we sent: pmtu.c.  -ENOENT: not our SPI. */
static int esptun_encap_err4(struct sk_buff *skb, u32 info)
{
	return esptun_pmtu_err4(skb, info);
}

static int esptun_encap_err6(struct sk_buff *skb, struct inet6_skb_parm *opt,
			     u8 type, u8 code, int offset, __be32 info)
{
	return esptun_pmtu_err6(skb, type, offset, info);
}

static struct xfrm4_protocol esptun_esp4_protocol __read_mostly = {
	.handler	= esptun_encap_rcv_esp,
	.input_handler	= esptun_encap_input_handler,
	.cb_handler	= esptun_encap_cb_handler,
	.err_handler	= esptun_encap_err4,
	.priority	= ESPTUN_XFRM_PRIORITY,
};

static struct xfrm6_protocol esptun_esp6_protocol __read_mostly = {
	.handler	= esptun_encap_rcv_esp,
	.input_handler	= esptun_encap_input_handler,
	.cb_handler	= esptun_encap_cb_handler,
	.err_handler	= esptun_encap_err6,
	.priority	= ESPTUN_XFRM_PRIORITY,
};

/*
 * Receive hook of the module-owned socket; skb->data is at the UDP header.
 * Returns 0: consumed (always; nobody reads this socket).
 */
static int esptun_encap_udp_rcv(struct sock *sk, struct sk_buff *skb)
{
	unsigned int len = skb->len - sizeof(struct udphdr);
	struct esptun_device *edev;
	const u8 *data;

	if (!pskb_may_pull(skb, sizeof(struct udphdr) + min(len, 4U)))
		goto drop;
	data = skb->data + sizeof(struct udphdr);
	/* NAT keepalive (RFC 3948 2.3) */
	if (len == 1 && data[0] == 0xff)
		goto drop;
	/* Non-ESP marker: IKE, and no daemon listens here. */
	if (len < 4 || !get_unaligned((u32 *)data))
		goto drop;
	if (skb_unclone(skb, GFP_ATOMIC))
		goto drop;
	__skb_pull(skb, sizeof(struct udphdr));
	skb_reset_transport_header(skb);
	if (esptun_esp_input(skb, true) == -EINVAL) {
		/* ESP in UDP that no SA here owns: the listener counts it. */
		edev = rcu_dereference_sk_user_data(sk);
		if (edev)
			esptun_device_count_drop(edev, ESPTUN_A_DROP_RX_NO_SA,
						 false);
		goto drop;
	}
	return 0;
drop:
	kfree_skb(skb);
	return 0;
}

static void esptun_encap_close(struct esptun_device *edev)
{
	if (edev->encap_sock) {
		udp_tunnel_sock_release(edev->encap_sock);
		edev->encap_sock = NULL;
	}
	edev->listen_port = 0;
}

/* Opens (or with 0 closes) the interface's own ESP-in-UDP socket.  RTNL. */
int esptun_encap_set_port(struct esptun_device *edev, u16 port,
			  struct netlink_ext_ack *extack)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data = edev,
		.encap_type = UDP_ENCAP_ESPINUDP,
		.encap_rcv = esptun_encap_udp_rcv,
		/* ICMP errors count only for our outbound SAs' packets. */
		.encap_err_lookup = esptun_pmtu_udp_err_lookup,
	};
	struct udp_port_cfg cfg = {
		.family = AF_INET6,
		.local_ip6 = IN6ADDR_ANY_INIT,
		.local_udp_port = htons(port),
		.ipv6_v6only = 0,
		.use_udp6_rx_checksums = 1,
	};
	struct socket *sock;
	int err;

	ASSERT_RTNL();
	if (port == edev->listen_port)
		return 0;
	if (!port) {
		esptun_encap_close(edev);
		return 0;
	}

	/* One dual-stack socket receives ESP in UDP over IPv4 and IPv6. */
	err = udp_sock_create(edev->creating_net, &cfg, &sock);
	if (err == -EAFNOSUPPORT) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.family = AF_INET;
		cfg.local_udp_port = htons(port);
		err = udp_sock_create(edev->creating_net, &cfg, &sock);
	}
	if (err == -EADDRINUSE) {
		esptun_nl_err(extack, NULL,
			      "ESPTUN_A_DEVICE_LISTEN_PORT: UDP port %u is already in use in the interface's namespace (by another esptun interface, esptund or an IKE daemon); a daemon-owned encapsulation socket already delivers ESP to esptun, so no listen-port is needed then",
			      port);
		return err;
	}
	if (err) {
		esptun_nl_err(extack, NULL,
			      "ESPTUN_A_DEVICE_LISTEN_PORT: cannot open UDP port %u (error %d)",
			      port, err);
		return err;
	}
	setup_udp_tunnel_sock(edev->creating_net, sock, &tcfg);

	esptun_encap_close(edev);
	edev->encap_sock = sock;
	edev->listen_port = port;
	return 0;
}

void esptun_encap_dev_uninit(struct esptun_device *edev)
{
	esptun_encap_close(edev);
}

int esptun_encap_init(void)
{
	int err;

	err = xfrm4_protocol_register(&esptun_esp4_protocol, IPPROTO_ESP);
	if (err)
		return err;
	err = xfrm6_protocol_register(&esptun_esp6_protocol, IPPROTO_ESP);
	if (err) {
		xfrm4_protocol_deregister(&esptun_esp4_protocol, IPPROTO_ESP);
		return err;
	}
	return 0;
}

void esptun_encap_uninit(void)
{
	xfrm6_protocol_deregister(&esptun_esp6_protocol, IPPROTO_ESP);
	xfrm4_protocol_deregister(&esptun_esp4_protocol, IPPROTO_ESP);
}
