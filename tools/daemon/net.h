/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esptund's IKE sockets: UDP 500 and 4500 (or the configured ports), for
 * IPv4 and IPv6, each bound to a configured address or to any.  The
 * 4500 sockets are UDP_ENCAP_ESPINUDP sockets: the kernel hands the ESP
 * in UDP arriving there to esptun, and IKE arrives behind the 4-byte
 * non-ESP marker, which net_recv() strips and net_send() adds.  The local
 * address of each datagram comes from IP_PKTINFO/IPV6_RECVPKTINFO, and
 * answers leave from that address.
 */
#ifndef ESPTUND_NET_H
#define ESPTUND_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define NET_MAX_ADDRS	8
#define NET_MAX_SOCKS	(2 * NET_MAX_ADDRS + 4)
#define NET_BUF_MAX	65536	/* the largest UDP payload */
#define NET_ERR_LEN	256

struct net_sock {
	int fd;
	int family;
	uint16_t port;			/* host order */
	int encap;			/* UDP_ENCAP_ESPINUDP is on */
	struct sockaddr_storage bound;	/* the address it is bound to */
};

struct net {
	size_t n;
	struct net_sock s[NET_MAX_SOCKS];
};

/*
 * Opens the sockets: for each address of addrs (ports ignored; none: the
 * IPv4 and the IPv6 wildcard) one on port and one on natt_port (0: the
 * defaults 500 and 4500).  With no address given, a missing IPv6 stack
 * is not an error.  0, or -1 with the reason and the fix in err.
 */
int net_open(struct net *n, const struct sockaddr_storage *addrs,
	     size_t n_addrs, uint16_t port, uint16_t natt_port, char *err,
	     size_t errlen);
void net_close(struct net *n);

/*
 * Reads one datagram from fd, one of n's sockets (when poll said so).
 * Returns its IKE payload length (marker stripped) with local and remote
 * (ports included) filled in; 0 for what is not IKE (NAT keepalives, ESP
 * the kernel did not take, truncated or malformed datagrams); -1 with
 * errno (EAGAIN: nothing to read).
 */
ssize_t net_recv(struct net *n, int fd, uint8_t *buf, size_t size,
		 struct sockaddr_storage *local,
		 struct sockaddr_storage *remote);
/*
 * Sends an IKE message from local (address and port: the port picks the
 * socket; a wildcard address lets the kernel choose) to remote, with the
 * non-ESP marker on the NAT-T port.  0, or -1 with errno (ENOENT: no
 * socket for that local address and port).
 */
int net_send(struct net *n, const struct sockaddr_storage *local,
	     const struct sockaddr_storage *remote, const uint8_t *buf,
	     size_t len);

#endif /* ESPTUND_NET_H */
