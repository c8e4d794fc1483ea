#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# espinudp.py PORT: holds UDP sockets on PORT, IPv4 and IPv6, marked
# UDP_ENCAP_ESPINUDP as an IKE daemon marks its NAT-T socket, until killed.
# Linux's xfrm only receives ESP in UDP (RFC 3948) on such a socket.
import signal
import socket
import sys

SOL_UDP = 17
UDP_ENCAP = 100
UDP_ENCAP_ESPINUDP = 2

port = int(sys.argv[1])
socks = []
for family, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    s = socket.socket(family, socket.SOCK_DGRAM)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    # Marked before bind: once the port shows up in ss, it is ready.
    s.setsockopt(SOL_UDP, UDP_ENCAP, UDP_ENCAP_ESPINUDP)
    s.bind((addr, port))
    socks.append(s)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
while True:
    signal.pause()
