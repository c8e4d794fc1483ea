// SPDX-License-Identifier: GPL-2.0
/*
 * esptund's IKE sockets (see net.h): opening them, receiving with the
 * local address from packet info, the non-ESP marker on the NAT-T port,
 * and sending from a chosen local address.  Lengths come from the kernel's
 * answers, never from the datagram.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>


#include "ikev2.h"
#include "net.h"

#ifndef UDP_ENCAP
#define UDP_ENCAP 100
#endif
#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif

static const uint8_t non_esp_marker[4];

static uint16_t ss_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

static void ss_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static socklen_t ss_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
					  sizeof(struct sockaddr_in6);
}

static bool ss_any(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
		       htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(
		&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static bool ss_same_addr(const struct sockaddr_storage *a,
			 const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
}

static int open_one(struct net *n, const struct sockaddr_storage *addr,
		    uint16_t port, bool encap, bool optional, char *err,
		    size_t errlen)
{
	struct net_sock *s = &n->s[n->n];
	int one = 1, type = UDP_ENCAP_ESPINUDP, fd, family = addr->ss_family;
	char host[INET6_ADDRSTRLEN] = "?";

	s->bound = *addr;
	ss_set_port(&s->bound, port);
	inet_ntop(family, family == AF_INET ?
		  (const void *)&((struct sockaddr_in *)&s->bound)->sin_addr :
		  (const void *)&((struct sockaddr_in6 *)&s->bound)->sin6_addr,
		  host, sizeof(host));
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		if (optional && errno == EAFNOSUPPORT)
			return 0;
		snprintf(err, errlen, "UDP socket for %s: %s", host,
			 strerror(errno));
		return -1;
	}
	if ((family == AF_INET &&
	     setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one))) ||
	    (family == AF_INET6 &&
	     (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
	      setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
			 sizeof(one))))) {
		snprintf(err, errlen, "packet info on the socket for %s: %s",
			 host, strerror(errno));
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&s->bound, ss_len(&s->bound))) {
		if (optional && family == AF_INET6 &&
		    errno == EADDRNOTAVAIL) {
			close(fd);
			return 0;
		}
		snprintf(err, errlen, "cannot bind to %s%s%s port %u: %s%s",
			 family == AF_INET6 ? "[" : "", host,
			 family == AF_INET6 ? "]" : "", port, strerror(errno),
			 errno == EADDRINUSE ?
			 " (is another IKE daemon, such as charon, running?)" :
			 errno == EACCES ?
			 " (esptund needs CAP_NET_BIND_SERVICE)" : "");
		close(fd);
		return -1;
	}
	if (encap && setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &type,
				sizeof(type))) {
		snprintf(err, errlen,
			 "UDP_ENCAP_ESPINUDP on port %u for %s: %s (the kernel needs ESP in UDP support%s)",
			 port, host, strerror(errno),
			 family == AF_INET6 ? " for IPv6" : "");
		close(fd);
		return -1;
	}
	s->fd = fd;
	s->family = family;
	s->port = port;
	s->encap = encap;
	n->n++;
	return 0;
}

int net_open(struct net *n, const struct sockaddr_storage *addrs,
	     size_t n_addrs, uint16_t port, uint16_t natt_port, char *err,
	     size_t errlen)
{
	struct sockaddr_storage any[2] = { { 0 } };
	size_t i;

	memset(n, 0, sizeof(*n));
	port = port ? port : IKEV2_PORT;
	natt_port = natt_port ? natt_port : IKEV2_NATT_PORT;
	if (port == natt_port) {
		snprintf(err, errlen,
			 "the IKE port and the NAT-T port must differ (both %u)",
			 port);
		return -1;
	}
	if (n_addrs > NET_MAX_ADDRS) {
		snprintf(err, errlen, "at most %d local addresses",
			 NET_MAX_ADDRS);
		return -1;
	}
	if (!n_addrs) {
		any[0].ss_family = AF_INET;
		any[1].ss_family = AF_INET6;
		addrs = any;
		n_addrs = 2;
	}
	for (i = 0; i < n_addrs; i++) {
		bool optional = addrs == any && addrs[i].ss_family == AF_INET6;

		if (addrs[i].ss_family != AF_INET &&
		    addrs[i].ss_family != AF_INET6) {
			snprintf(err, errlen, "local address %zu is not IPv4 or IPv6",
				 i + 1);
			goto fail;
		}
		if (open_one(n, &addrs[i], port, false, optional, err, errlen))
			goto fail;
		/* The IPv6 stack is absent: skip its NAT-T socket too. */
		if (optional && (!n->n || n->s[n->n - 1].family != AF_INET6))
			continue;
		if (open_one(n, &addrs[i], natt_port, true, false, err,
			     errlen))
			goto fail;
	}
	return 0;
fail:
	net_close(n);
	return -1;
}

void net_close(struct net *n)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		close(n->s[i].fd);
	n->n = 0;
}

static struct net_sock *find_fd(struct net *n, int fd)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		if (n->s[i].fd == fd)
			return &n->s[i];
	return NULL;
}

static void local_from_cmsg(const struct net_sock *s, struct msghdr *mh,
			    struct sockaddr_storage *local)
{
	struct cmsghdr *c;

	*local = s->bound;
	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (s->family == AF_INET && c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			((struct sockaddr_in *)local)->sin_addr = pi.ipi_addr;
		} else if (s->family == AF_INET6 &&
			   c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_PKTINFO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;
			struct sockaddr_in6 *l6 = (struct sockaddr_in6 *)local;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			l6->sin6_addr = pi.ipi6_addr;
			l6->sin6_scope_id =
				IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr) ?
				pi.ipi6_ifindex : 0;
		}
	}
	ss_set_port(local, s->port);
}

ssize_t net_recv(struct net *n, int fd, uint8_t *buf, size_t size,
		 struct sockaddr_storage *local,
		 struct sockaddr_storage *remote)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			 CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr mh = {
		.msg_name = remote, .msg_namelen = sizeof(*remote),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	struct net_sock *s = find_fd(n, fd);
	ssize_t got;

	if (!s) {
		errno = EBADF;
		return -1;
	}
	memset(remote, 0, sizeof(*remote));
	got = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_TRUNC);
	if (got < 0)
		return -1;
	/* MSG_TRUNC makes got the real length: a larger one was cut. */
	if ((size_t)got > size || (mh.msg_flags & MSG_TRUNC))
		return 0;
	if (remote->ss_family != s->family ||
	    mh.msg_namelen < ss_len(remote))
		return 0;
	/* NAT keepalive (RFC 3948 2.3): a single 0xff. */
	if (got == 1 && buf[0] == 0xff)
		return 0;
	if (s->encap) {
		/* Not behind the marker: ESP that the kernel did not take. */
		if (got <= (ssize_t)sizeof(non_esp_marker) ||
		    memcmp(buf, non_esp_marker, sizeof(non_esp_marker)))
			return 0;
		got -= (ssize_t)sizeof(non_esp_marker);
		memmove(buf, buf + sizeof(non_esp_marker), (size_t)got);
	}
	local_from_cmsg(s, &mh, local);
	return got;
}

int net_send(struct net *n, const struct sockaddr_storage *local,
	     const struct sockaddr_storage *remote, const uint8_t *buf,
	     size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov[2];
	struct msghdr mh = { 0 };
	struct net_sock *s = NULL;
	uint16_t port = ss_port(local);
	struct cmsghdr *c;
	size_t i;

	if (local->ss_family != remote->ss_family ||
	    len > NET_BUF_MAX - sizeof(non_esp_marker)) {
		errno = EINVAL;
		return -1;
	}
	/* The socket bound to local itself, else the wildcard one. */
	for (i = 0; i < n->n; i++) {
		if (n->s[i].family != local->ss_family || n->s[i].port != port)
			continue;
		if (ss_same_addr(&n->s[i].bound, local)) {
			s = &n->s[i];
			break;
		}
		if (ss_any(&n->s[i].bound))
			s = &n->s[i];
	}
	if (!s) {
		errno = ENOENT;
		return -1;
	}
	mh.msg_name = (void *)remote;
	mh.msg_namelen = ss_len(remote);
	mh.msg_iov = iov;
	if (s->encap) {
		iov[mh.msg_iovlen].iov_base = (void *)non_esp_marker;
		iov[mh.msg_iovlen++].iov_len = sizeof(non_esp_marker);
	}
	iov[mh.msg_iovlen].iov_base = (void *)buf;
	iov[mh.msg_iovlen++].iov_len = len;
	/* From the local address the exchange uses, unless "any". */
	if (!ss_any(local) && ss_any(&s->bound)) {
		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		c = (struct cmsghdr *)cbuf.buf;
		if (s->family == AF_INET) {
			struct in_pktinfo pi = { 0 };

			pi.ipi_spec_dst =
				((const struct sockaddr_in *)local)->sin_addr;
			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			c->cmsg_level = IPPROTO_IP;
			c->cmsg_type = IP_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		} else {
			const struct sockaddr_in6 *l6 =
				(const struct sockaddr_in6 *)local;
			struct in6_pktinfo pi = { 0 };

			pi.ipi6_addr = l6->sin6_addr;
			pi.ipi6_ifindex = l6->sin6_scope_id;
			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			c->cmsg_level = IPPROTO_IPV6;
			c->cmsg_type = IPV6_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		}
	}
	for (;;) {
		ssize_t sent = sendmsg(s->fd, &mh, MSG_DONTWAIT);

		if (sent < 0 && errno == EINTR)
			continue;
		if (sent < 0)
			return -1;
		return 0;
	}
}
