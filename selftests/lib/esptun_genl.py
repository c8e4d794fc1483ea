#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# esptun_genl.py set DEV ATTR VALUE...: one ESPTUN_CMD_DEV_SET request with
# the u8/u16/u32 device attributes named (ATTR is the ESPTUN_A_DEVICE_ name,
# lowercased: mtu, mtu_auto, mss_clamp, ttl...), without the esptun tool.
# Tests use it for settings the tool cannot change (yet).  The attribute
# numbers and types come from kmod/uapi/linux/esptun.h, so they never go
# stale.  Prints the kernel's extack message and exits 1 when refused.
import os
import re
import socket
import struct
import sys

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NLMSG_ERROR = 2
NLM_F_REQUEST, NLM_F_ACK = 1, 4
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 3, 1, 2
NLMSGERR_ATTR_MSG = 1

HDR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "../../kmod/uapi/linux/esptun.h")


def uapi():
    """Commands and device attributes, numbered as the header has them."""
    text = re.sub(r"/\*.*?\*/", "", open(HDR).read(), flags=re.S)

    def enum(name):
        body = re.search(r"enum %s \{(.*?)\};" % name, text, re.S).group(1)
        return {m: i for i, m in enumerate(re.findall(r"^\s*(\w+)", body, re.M))}
    return enum("esptun_cmd"), enum("esptun_device_attr")


SIZES = {"ttl": "B", "df": "B", "dscp": "B", "mtu_auto": "B",
         "listen_port": "H", "mtu": "I", "mss_clamp": "I"}


def attr(atype, payload):
    n = 4 + len(payload)
    return struct.pack("HH", n, atype) + payload + b"\0" * (-n % 4)


def request(sock, ftype, cmd, attrs, seq):
    body = struct.pack("BBH", cmd, 1, 0) + b"".join(attrs)
    sock.send(struct.pack("IHHII", 16 + len(body), ftype,
                          NLM_F_REQUEST | NLM_F_ACK, seq, 0) + body)
    reply = None
    while True:
        data = sock.recv(65536)
        off = 0
        while off < len(data):
            n, t, flags, _, _ = struct.unpack_from("IHHII", data, off)
            msg = data[off + 16:off + n]
            off += (n + 3) & ~3
            if t != NLMSG_ERROR:
                reply = msg
                continue
            err = -struct.unpack_from("i", msg)[0]
            text = ""
            # nlmsgerr: error, then the request's header (capped), then TLVs.
            tlv = 4 + 16
            while tlv + 4 <= len(msg):
                alen, atype = struct.unpack_from("HH", msg, tlv)
                if alen < 4:
                    break
                if atype == NLMSGERR_ATTR_MSG:
                    text = msg[tlv + 4:tlv + alen].rstrip(b"\0").decode()
                tlv += (alen + 3) & ~3
            return err, text, reply


def family_id(sock):
    err, text, reply = request(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                               [attr(CTRL_ATTR_FAMILY_NAME, b"esptun\0")], 1)
    if err:
        sys.exit("esptun_genl: no generic netlink family esptun: %s" %
                 (text or os.strerror(err)))
    off = 4
    while off + 4 <= len(reply):
        alen, atype = struct.unpack_from("HH", reply, off)
        if atype == CTRL_ATTR_FAMILY_ID:
            return struct.unpack_from("H", reply, off + 4)[0]
        off += (alen + 3) & ~3
    sys.exit("esptun_genl: CTRL_CMD_GETFAMILY reply without a family id")


def main():
    if len(sys.argv) < 5 or sys.argv[1] != "set" or len(sys.argv) % 2 == 0:
        sys.exit("usage: esptun_genl.py set DEV ATTR VALUE [ATTR VALUE]...")
    cmds, devattrs = uapi()
    dev = sys.argv[2]
    attrs = [attr(devattrs["ESPTUN_A_DEVICE_IFNAME"], dev.encode() + b"\0")]
    for name, value in zip(sys.argv[3::2], sys.argv[4::2]):
        key = "ESPTUN_A_DEVICE_" + name.upper()
        if name not in SIZES or key not in devattrs:
            sys.exit("esptun_genl: unknown attribute %s" % name)
        attrs.append(attr(devattrs[key], struct.pack(SIZES[name], int(value, 0))))
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    sock.bind((0, 0))
    err, text, _ = request(sock, family_id(sock), cmds["ESPTUN_CMD_DEV_SET"],
                           attrs, 2)
    if err:
        print("esptun_genl: set %s: %s%s" % (dev, os.strerror(err),
                                              ": " + text if text else ""),
              file=sys.stderr)
        sys.exit(1)


main()
