#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ESP (RFC 4303) packets for the esptun selftests, built by hand.

Building packets here rather than with the kernel gives the tests full
control: any sequence number (ESN high half included), wrong padding,
truncated headers and ICVs, dummy packets, inner packets outside the
selectors.  Only the standard library is needed for null encryption and
HMAC-SHA2; AES (GCM, CBC) needs python3-cryptography.

  esp_pkt.py send   --src A --dst B --spi N --seq LIST [algorithm] [inner]
                    [malformations] [--encap SPORT:DPORT]
  esp_pkt.py capture --iface IF --out FILE --count N [--timeout S] [--ready F]
  esp_pkt.py inject --iface IF --in FILE [--index LIST]
  esp_pkt.py sa-bulk --dev DEV --count N ...      (SA_NEW over raw netlink)
  esp_pkt.py serve  (send, snap, delta... read from stdin; see cmd_serve)

`send` sends the ESP payload through a raw IP socket (or a UDP socket with
--encap), so the kernel adds the outer header.  `capture` records whole
incoming frames (ESP, or UDP with --udp-port) from an AF_PACKET socket, one
hex line each; `inject` sends such frames out of another interface as they
are, which is how the tests replay what the kernel itself encrypted.

Algorithms (as `ip xfrm`/`esptun sa add` name them):
  --alg null   ecb(cipher_null) + --auth hmac(sha256|sha384|sha512)
  --alg cbc    cbc(aes) with --enc-key + --auth ...
  --alg gcm    rfc4106(gcm(aes)), --enc-key is key + 4-byte salt
Keys are hex, with or without 0x.
"""
import argparse
import hashlib
import hmac
import os
import socket
import struct
import sys
import time

HASHES = {"hmac(sha256)": hashlib.sha256, "hmac(sha384)": hashlib.sha384,
          "hmac(sha512)": hashlib.sha512}


def unhex(s):
    s = s or ""
    if s.startswith("0x") or s.startswith("0X"):
        s = s[2:]
    return bytes.fromhex(s)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def is_v6(addr):
    return ":" in addr


def inner_packet(src, dst, payload_len=32, ident=0x4242, seq=1, reply=False):
    """An ICMP (v4) or ICMPv6 echo request (or reply) from src to dst."""
    data = bytes((i & 0xff for i in range(payload_len)))
    if is_v6(src):
        s6 = socket.inet_pton(socket.AF_INET6, src)
        d6 = socket.inet_pton(socket.AF_INET6, dst)
        icmp = struct.pack("!BBHHH", 129 if reply else 128, 0, 0, ident,
                           seq & 0xffff) + data
        pseudo = s6 + d6 + struct.pack("!I3xB", len(icmp), 58)
        icmp = icmp[:2] + struct.pack("!H", csum(pseudo + icmp)) + icmp[4:]
        return struct.pack("!IHBB", 6 << 28, len(icmp), 58, 64) + s6 + d6 + icmp
    icmp = struct.pack("!BBHHH", 0 if reply else 8, 0, 0, ident,
                       seq & 0xffff) + data
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq & 0xffff,
                      0x4000, 64, 1, 0, socket.inet_aton(src),
                      socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + icmp


class SA:
    def __init__(self, spi, alg, enc_key, auth, auth_key, icv_bits, esn):
        self.spi, self.alg, self.esn = spi, alg, esn
        self.enc_key, self.auth, self.auth_key = enc_key, auth, auth_key
        self.icv_len = icv_bits // 8
        if alg == "null":
            self.iv_len, self.block = 0, 4
        elif alg == "cbc":
            self.iv_len, self.block = 16, 16
        elif alg == "gcm":
            self.iv_len, self.block = 8, 4
        else:
            raise SystemExit("unknown --alg %s" % alg)
        if alg != "gcm" and auth not in HASHES:
            raise SystemExit("unknown --auth %s" % auth)

    def trailer(self, plen, nh, bad_pad=False, padlen=None):
        """Padding, pad length and next header for a plen-byte payload."""
        n = (-(plen + 2)) % self.block
        pad = bytearray(range(1, n + 1))
        if bad_pad:
            if not pad:		# make room for a wrong pad byte
                n = self.block
                pad = bytearray(range(1, n + 1))
            pad[-1] ^= 0x80
        return bytes(pad) + bytes([len(pad) if padlen is None else padlen, nh])

    def encrypt(self, seq, plaintext, extra=b""):
        """SPI, sequence number, IV, ciphertext (+ extra, authenticated
        but not encrypted: a ciphertext of the wrong length), ICV."""
        lo, hi = seq & 0xffffffff, seq >> 32
        head = struct.pack("!II", self.spi, lo)
        if self.alg == "gcm":
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM
            key, salt = self.enc_key[:-4], self.enc_key[-4:]
            iv = struct.pack("!Q", seq ^ 0x5a5a5a5a5a5a5a5a)
            aad = (struct.pack("!III", self.spi, hi, lo) if self.esn
                   else head)
            ct = AESGCM(key).encrypt(salt + iv, plaintext, aad)
            body, tag = ct[:-16], ct[-16:]
            return head + iv + body + tag[:self.icv_len]
        if self.alg == "cbc":
            from cryptography.hazmat.primitives.ciphers import (
                Cipher, algorithms, modes)
            iv = os.urandom(16)
            e = Cipher(algorithms.AES(self.enc_key), modes.CBC(iv)).encryptor()
            body = iv + e.update(plaintext) + e.finalize() + extra
        else:
            body = plaintext + extra
        msg = head + body + (struct.pack("!I", hi) if self.esn else b"")
        icv = hmac.new(self.auth_key, msg, HASHES[self.auth]).digest()
        return head + body + icv[:self.icv_len]


def cmd_send(a):
    sa = SA(int(a.spi, 0), a.alg, unhex(a.enc_key), a.auth,
            unhex(a.auth_key), a.icv_bits, a.esn)
    seqs = []
    for part in a.seq.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            seqs += range(int(lo, 0), int(hi, 0) + 1)
        else:
            seqs.append(int(part, 0))
    fam = socket.AF_INET6 if is_v6(a.dst) else socket.AF_INET
    if a.encap:
        sport, dport = (int(x) for x in a.encap.split(":"))
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((a.src, sport))
        dest = (a.dst, dport)
    else:
        s = socket.socket(fam, socket.SOCK_RAW, 50)
        s.bind((a.src, 0))
        dest = (a.dst, 0)
    for i, seq in enumerate(seqs):
        if a.raw is not None:
            pkt = unhex(a.raw)
        else:
            if a.next_header == 59 and a.inner_len is not None:
                inner = bytes(a.inner_len)
            else:
                inner = inner_packet(a.inner_src, a.inner_dst,
                                     a.payload_len, seq=seq,
                                     reply=a.icmp_type == "reply")
                if a.inner_len is not None:
                    inner = inner[:a.inner_len]
            nh = a.next_header
            if nh is None:
                nh = 41 if is_v6(a.inner_src) else 4
            pt = inner + sa.trailer(len(inner), nh, a.bad_pad, a.padlen)
            pkt = sa.encrypt(seq, pt, b"\0" if a.misalign else b"")
            if a.corrupt_icv:
                pkt = pkt[:-1] + bytes([pkt[-1] ^ 1])
            if a.truncate is not None:
                pkt = pkt[:a.truncate]
        s.sendto(pkt, dest)
        if a.interval and i + 1 < len(seqs):
            time.sleep(a.interval)
    s.close()


def frame_wanted(f, udp_port):
    """An ESP packet (or ESP in UDP to/from udp_port) in an Ethernet frame."""
    et = struct.unpack("!H", f[12:14])[0]
    if et == 0x0800 and len(f) >= 34:
        ihl = (f[14] & 0xf) * 4
        proto, l4 = f[23], f[14 + ihl:]
    elif et == 0x86dd and len(f) >= 54:
        proto, l4 = f[20], f[54:]
    else:
        return False
    if proto == 50:
        return udp_port is None
    if proto == 17 and udp_port is not None and len(l4) >= 12:
        sp, dp = struct.unpack("!HH", l4[:4])
        # not IKE (non-ESP marker) and not a NAT-T keepalive
        return udp_port in (sp, dp) and l4[8:12] != bytes(4)
    return False


def cmd_capture(a):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((a.iface, 0))
    s.settimeout(0.2)
    if a.ready:
        open(a.ready, "w").close()
    got = []
    end = time.monotonic() + a.timeout
    while len(got) < a.count and time.monotonic() < end:
        try:
            f, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        if frame_wanted(f, a.udp_port):
            got.append(f)
    with open(a.out, "w") as o:
        for f in got:
            o.write(f.hex() + "\n")
    if len(got) < a.count:
        sys.exit("capture: got %d of %d frames in %gs" %
                 (len(got), a.count, a.timeout))


def cmd_inject(a):
    frames = [bytes.fromhex(x) for x in open(a.input).read().split()]
    idx = range(len(frames)) if a.index == "all" else \
        [int(x) for x in a.index.split(",")]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    for i in idx:
        s.send(frames[i])
        if a.interval:
            time.sleep(a.interval)


# --- counters: esptun show -j and sa list -j, flattened -------------------

def esptun_cmd(ns, *args):
    import subprocess
    cmd = ["ip", "netns", "exec", ns] if ns else []
    cmd += [os.environ.get("ESPTUN", "esptun")] + list(args)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise SystemExit("%s: exit %d: %s" % (" ".join(cmd), r.returncode,
                                               r.stderr.strip()))
    return r.stdout


def flatten(obj, prefix, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            flatten(v, prefix + [k], out)
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        out[".".join(prefix)] = obj


def snapshot(ns, dev):
    """Every counter of DEV and its SAs: {"drops.rx-icv": 0,
    "stats.rx.dropped": 0, "sa.in.0x1000.icv-fail": 0, ...}."""
    import json
    show = json.loads(esptun_cmd(ns, "show", dev, "-j"))
    sas = json.loads(esptun_cmd(ns, "sa", "list", "dev", dev, "-j"))
    c = {}
    for d in show:
        flatten(d.get("drops", {}), ["drops"], c)
        stats = {}
        flatten(d.get("stats", {}), ["stats"], stats)
        # "rx": {"packets"} and "rx-packets" are the same counter
        c.update({k.replace("stats.rx-", "stats.rx.")
                  .replace("stats.tx-", "stats.tx."): v
                  for k, v in stats.items()})
    for sa in sas:
        flatten(sa.get("stats", {}),
                ["sa", sa["dir"], "0x%x" % sa["spi"]], c)
    return c


def cmd_snap(a):
    import json
    with open(a.out, "w") as f:
        json.dump(snapshot(a.ns, a.dev), f)


def cmd_delta(a):
    """Every counter must have moved by exactly what EXPECT says (KEY=N, or
    KEY=? for "0 or 1"), every other one not at all.  Polls until the
    expected changes are there (receive is asynchronous), then settles.
    On success the counters now are the next delta's starting point."""
    import json
    before = json.load(open(a.before))
    want = {}
    for e in a.expect:
        k, v = e.split("=")
        want[k] = None if v == "?" else int(v)
    def problems(now):
        bad = []
        for k in sorted(set(before) | set(now) | set(want)):
            if k not in now or k not in before:
                if k in want:
                    bad.append("%s: missing" % k)
                continue
            d = now[k] - before[k]
            w = want.get(k, 0)
            if k.endswith("bytes") and k not in want:
                continue	# follows the packet counters
            if (w is None and d not in (0, 1)) or (w is not None and d != w):
                bad.append("%s moved by %d, want %s" %
                           (k, d, "0 or 1" if w is None else w))
        return bad
    end = time.monotonic() + a.timeout
    while True:
        now = snapshot(a.ns, a.dev)
        bad = problems(now)
        if not bad or time.monotonic() > end:
            break
        time.sleep(0.2)
    if not bad:
        time.sleep(a.settle)	# nothing else may arrive late
        now = snapshot(a.ns, a.dev)
        bad = problems(now)
    if bad:
        print("counter deltas wrong: " + "; ".join(bad))
        sys.exit(1)
    with open(a.before, "w") as f:	# the next delta starts here
        json.dump(now, f)


# --- generic netlink, enough to add SAs in bulk --------------------------

def nla(t, payload):
    ln = 4 + len(payload)
    return struct.pack("=HH", ln, t) + payload + bytes((-ln) % 4)


class Genl:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        self.s.bind((0, 0))
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.seq = 0
        self.family = self.resolve("esptun")

    def msg(self, ntype, cmd, attrs, flags=5):	# REQUEST|ACK
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + attrs
        return struct.pack("=IHHII", 16 + len(body), ntype, flags, self.seq,
                           0) + body

    def acks(self, n):
        """Reads n acks; returns the errors (seq, errno)."""
        errs = []
        while n > 0:
            buf = self.s.recv(1 << 20)
            off = 0
            while off + 16 <= len(buf):
                ln, t, fl, seq, _ = struct.unpack_from("=IHHII", buf, off)
                if t == 2:	# NLMSG_ERROR
                    err = struct.unpack_from("=i", buf, off + 16)[0]
                    if err:
                        errs.append((seq, -err))
                    n -= 1
                else:
                    self.last = buf[off:off + ln]
                off += (ln + 3) & ~3
        return errs

    def resolve(self, name):
        self.s.send(self.msg(0x10, 3, nla(2, name.encode() + b"\0")))
        errs = self.acks(1)
        if errs:
            raise SystemExit("genl family %s: errno %d" % (name, errs[0][1]))
        off = 20
        while off < len(self.last):
            ln, t = struct.unpack_from("=HH", self.last, off)
            if t == 1:
                return struct.unpack_from("=H", self.last, off + 4)[0]
            off += (ln + 3) & ~3
        raise SystemExit("no family id for %s" % name)


def cmd_sa_bulk(a):
    """SA_NEW for COUNT SAs with SPIs FIRST.., keeping WINDOW requests in
    flight (batched into one sendmsg each)."""
    g = Genl()
    src = socket.inet_pton(socket.AF_INET6 if is_v6(a.src) else
                           socket.AF_INET, a.src)
    dst = socket.inet_pton(socket.AF_INET6 if is_v6(a.dst) else
                           socket.AF_INET, a.dst)
    key = unhex(a.key)
    dirn = 1 if a.dir == "in" else 2
    first = int(a.first_spi, 0)
    t0 = time.monotonic()
    done = failed = 0
    while done < a.count:
        n = min(a.batch, a.count - done)
        buf = b""
        for i in range(n):
            spi = first + done + i
            sa = (nla(2, struct.pack("=B", dirn)) +
                  nla(3, struct.pack("=I", spi)) + nla(4, src) + nla(5, dst) +
                  nla(8, b"rfc4106(gcm(aes))\0") + nla(9, key) +
                  nla(10, struct.pack("=I", 128)))
            buf += g.msg(g.family, 3, nla(3, a.dev.encode() + b"\0") +
                         nla(11 | 0x8000, sa))	# NLA_F_NESTED
        g.s.send(buf)
        errs = g.acks(n)
        if errs:
            failed += len(errs)
            print("sa-bulk: %d errors, first errno %d" % (len(errs),
                                                          errs[0][1]),
                  file=sys.stderr)
        done += n
    print("sa-bulk: %d SA_NEW in %.2fs, %d failed" %
          (done, time.monotonic() - t0, failed))
    sys.exit(1 if failed else 0)


def cmd_serve(a):
    """Runs requests read from stdin, one per line: a network namespace
    name ("-": this one) and the arguments of a command, separated by
    \\x1f.  Answers a line per request: the exit status, a space, and the
    base64 of what the command printed.  One Python start for a whole test
    instead of one per packet, which costs seconds under TCG.  The namespace
    is left after each request, so the server pins none of them."""
    import base64
    import ctypes
    import io
    libc = ctypes.CDLL(None, use_errno=True)
    home = os.open("/proc/self/ns/net", os.O_RDONLY)

    def enter(fd):
        if libc.setns(fd, 0x40000000):          # CLONE_NEWNET
            raise OSError(ctypes.get_errno(), "setns")

    for line in sys.stdin:
        fields = line.rstrip("\n").split("\x1f")
        ns, argv = fields[0], fields[1:]
        out = io.StringIO()
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = out
        rc = 0
        try:
            if ns != "-":
                fd = os.open("/run/netns/" + ns, os.O_RDONLY)
                try:
                    enter(fd)
                finally:
                    os.close(fd)
            args = parser().parse_args(argv)
            if args.fn is cmd_serve:
                raise SystemExit("serve: not as a request")
            args.fn(args)
        except SystemExit as e:
            if isinstance(e.code, int):
                rc = e.code
            elif e.code is not None:
                print(e.code)
                rc = 1
        except Exception as e:          # a failed request, not the server
            print("%s: %s" % (type(e).__name__, e))
            rc = 1
        finally:
            sys.stdout, sys.stderr = saved
            if ns != "-":
                enter(home)
        sys.stdout.write("%d %s\n" % (rc, base64.b64encode(
            out.getvalue().encode()).decode()))
        sys.stdout.flush()


def parser():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("send")
    s.add_argument("--src", required=True)
    s.add_argument("--dst", required=True)
    s.add_argument("--spi", required=True)
    s.add_argument("--seq", default="1",
                   help="list: 1,2,7-9; 64-bit values for ESN")
    s.add_argument("--esn", action="store_true")
    s.add_argument("--alg", default="null", choices=("null", "cbc", "gcm"))
    s.add_argument("--enc-key", default="")
    s.add_argument("--auth", default="hmac(sha256)")
    s.add_argument("--auth-key", default="")
    s.add_argument("--icv-bits", type=int, default=128)
    s.add_argument("--inner-src", default="10.0.1.1")
    s.add_argument("--inner-dst", default="10.0.2.1")
    s.add_argument("--payload-len", type=int, default=32)
    s.add_argument("--icmp-type", default="request",
                   choices=("request", "reply"),
                   help="inner echo request, or a reply nothing answers")
    s.add_argument("--inner-len", type=int,
                   help="cut the inner packet to this many bytes")
    s.add_argument("--next-header", type=int)
    s.add_argument("--bad-pad", action="store_true",
                   help="authenticated, but a pad byte is wrong")
    s.add_argument("--padlen", type=int, help="pad length field value")
    s.add_argument("--misalign", action="store_true",
                   help="one byte more than the block size allows")
    s.add_argument("--corrupt-icv", action="store_true")
    s.add_argument("--truncate", type=int,
                   help="send only this many bytes of the ESP packet")
    s.add_argument("--raw", help="send these hex bytes as the ESP packet")
    s.add_argument("--encap", help="SPORT:DPORT, ESP in UDP")
    s.add_argument("--interval", type=float, default=0)
    s.set_defaults(fn=cmd_send)

    c = sub.add_parser("capture")
    c.add_argument("--iface", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--count", type=int, required=True)
    c.add_argument("--timeout", type=float, default=20)
    c.add_argument("--ready")
    c.add_argument("--udp-port", type=int)
    c.set_defaults(fn=cmd_capture)

    i = sub.add_parser("inject")
    i.add_argument("--iface", required=True)
    i.add_argument("--in", dest="input", required=True)
    i.add_argument("--index", default="all")
    i.add_argument("--interval", type=float, default=0)
    i.set_defaults(fn=cmd_inject)

    n = sub.add_parser("snap")
    n.add_argument("--ns")
    n.add_argument("--dev", required=True)
    n.add_argument("--out", required=True)
    n.set_defaults(fn=cmd_snap)

    d = sub.add_parser("delta")
    d.add_argument("--ns")
    d.add_argument("--dev", required=True)
    d.add_argument("--before", required=True)
    d.add_argument("--timeout", type=float, default=5)
    d.add_argument("--settle", type=float, default=0.3)
    d.add_argument("expect", nargs="*",
                   help="drops.rx-icv=1 sa.in.0x1000.icv-fail=1 ...")
    d.set_defaults(fn=cmd_delta)

    b = sub.add_parser("sa-bulk")
    b.add_argument("--dev", required=True)
    b.add_argument("--dir", default="in", choices=("in", "out"))
    b.add_argument("--src", required=True)
    b.add_argument("--dst", required=True)
    b.add_argument("--first-spi", default="0x10000")
    b.add_argument("--count", type=int, required=True)
    b.add_argument("--batch", type=int, default=64)
    b.add_argument("--key", default="0x" + "11" * 20)
    b.set_defaults(fn=cmd_sa_bulk)

    v = sub.add_parser("serve")
    v.set_defaults(fn=cmd_serve)
    return p


def main():
    a = parser().parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
