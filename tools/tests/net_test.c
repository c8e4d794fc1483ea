// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of esptund's IKE sockets (daemon/net.c) over the loopback:
 * the local address from packet info, the non-ESP marker stripped on the
 * NAT-T port and added when sending there, NAT keepalives and oversized
 * datagrams dropped, and the refusals.  Uses two unprivileged ports.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "../daemon/net.h"
#include "tap.h"

static void lo4(struct sockaddr_storage *ss, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons(port);
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static int fd_on(const struct net *n, uint16_t port)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		if (n->s[i].port == port)
			return n->s[i].fd;
	return -1;
}

static void wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	poll(&p, 1, 1000);
}

int main(void)
{
	static uint8_t buf[NET_BUF_MAX];
	struct sockaddr_storage addr, local, remote, peer;
	uint16_t ike = 0, natt = 0;
	char err[NET_ERR_LEN];
	struct net n;
	socklen_t sl;
	ssize_t got;
	int peer_fd, ret = -1, tries;

	/* Two free ports: let the kernel pick, then try them. */
	for (tries = 0; tries < 20 && ret; tries++) {
		int t = socket(AF_INET, SOCK_DGRAM, 0);

		lo4(&addr, 0);
		bind(t, (struct sockaddr *)&addr, sizeof(struct sockaddr_in));
		sl = sizeof(addr);
		getsockname(t, (struct sockaddr *)&addr, &sl);
		close(t);
		ike = port_of(&addr);
		natt = ike < 65535 ? ike + 1 : ike - 1;
		lo4(&addr, 0);
		ret = net_open(&n, &addr, 1, ike, natt, err, sizeof(err));
	}
	check(ret == 0, "net_open on 127.0.0.1 ports %u and %u%s%s", ike, natt,
	      ret ? ": " : "", ret ? err : "");
	if (ret)
		return tap_done();
	check(n.n == 2 && !n.s[0].encap && n.s[1].encap,
	      "one plain and one UDP_ENCAP_ESPINUDP socket");

	peer_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	lo4(&peer, 0);
	bind(peer_fd, (struct sockaddr *)&peer, sizeof(struct sockaddr_in));
	sl = sizeof(peer);
	getsockname(peer_fd, (struct sockaddr *)&peer, &sl);

	/* IKE on the plain port, as it comes. */
	lo4(&addr, ike);
	sendto(peer_fd, "IKEHDR", 6, 0, (struct sockaddr *)&addr,
	       sizeof(struct sockaddr_in));
	wait_readable(fd_on(&n, ike));
	got = net_recv(&n, fd_on(&n, ike), buf, sizeof(buf), &local, &remote);
	check(got == 6 && !memcmp(buf, "IKEHDR", 6), "IKE on port %u", ike);
	check(local.ss_family == AF_INET && port_of(&local) == ike &&
	      ((struct sockaddr_in *)&local)->sin_addr.s_addr ==
	      htonl(INADDR_LOOPBACK), "local address and port from pktinfo");
	check(port_of(&remote) == port_of(&peer), "remote port");

	/* IKE behind the non-ESP marker on the NAT-T port. */
	lo4(&addr, natt);
	sendto(peer_fd, "\0\0\0\0IKE", 7, 0, (struct sockaddr *)&addr,
	       sizeof(struct sockaddr_in));
	wait_readable(fd_on(&n, natt));
	got = net_recv(&n, fd_on(&n, natt), buf, sizeof(buf), &local,
		       &remote);
	check(got == 3 && !memcmp(buf, "IKE", 3) && port_of(&local) == natt,
	      "the marker is stripped on port %u", natt);

	/* A NAT keepalive is not IKE (the kernel usually eats it first). */
	sendto(peer_fd, "\xff", 1, 0, (struct sockaddr *)&addr,
	       sizeof(struct sockaddr_in));
	wait_readable(fd_on(&n, natt));
	got = net_recv(&n, fd_on(&n, natt), buf, sizeof(buf), &local,
		       &remote);
	check(got == 0 || (got == -1 && errno == EAGAIN),
	      "NAT keepalive not passed on as IKE");

	/* A datagram larger than the buffer is dropped, not cut. */
	lo4(&addr, ike);
	sendto(peer_fd, "0123456789", 10, 0, (struct sockaddr *)&addr,
	       sizeof(struct sockaddr_in));
	wait_readable(fd_on(&n, ike));
	got = net_recv(&n, fd_on(&n, ike), buf, 4, &local, &remote);
	check(got == 0, "truncated datagram dropped");

	got = net_recv(&n, fd_on(&n, ike), buf, sizeof(buf), &local, &remote);
	check(got == -1 && errno == EAGAIN, "nothing left: EAGAIN");
	got = net_recv(&n, peer_fd, buf, sizeof(buf), &local, &remote);
	check(got == -1 && errno == EBADF, "not one of ours: EBADF");

	/* Sending: from the NAT-T port the marker goes first. */
	lo4(&local, natt);
	check(net_send(&n, &local, &peer, (const uint8_t *)"ANSWER", 6) == 0,
	      "net_send from port %u", natt);
	wait_readable(peer_fd);
	got = recv(peer_fd, buf, sizeof(buf), 0);
	check(got == 10 && !memcmp(buf, "\0\0\0\0ANSWER", 10),
	      "non-ESP marker added on the NAT-T port");
	lo4(&local, ike);
	check(net_send(&n, &local, &peer, (const uint8_t *)"ANSWER", 6) == 0,
	      "net_send from port %u", ike);
	wait_readable(peer_fd);
	got = recv(peer_fd, buf, sizeof(buf), 0);
	check(got == 6 && !memcmp(buf, "ANSWER", 6), "no marker on port %u",
	      ike);
	lo4(&local, 1);
	errno = 0;
	check(net_send(&n, &local, &peer, buf, 1) == -1 && errno == ENOENT,
	      "no socket on that port: ENOENT");
	lo4(&local, ike);
	check(net_send(&n, &local, &peer, buf, NET_BUF_MAX) == -1 &&
	      errno == EINVAL, "oversized message: EINVAL");

	close(peer_fd);
	net_close(&n);

	/* Refusals */
	check(net_open(&n, &local, 1, 4500, 4500, err, sizeof(err)) == -1 &&
	      strstr(err, "must differ"), "same ports refused: %s", err);
	return tap_done();
}
