#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Asynchronous crypto completion.  With AES-NI, rfc4106(gcm(aes)) goes
# through cryptd only when the FPU happens to be busy, too rarely to test.
# pcrypt(rfc4106(gcm(aes))) is always asynchronous (padata workers run the
# request on any CPU and complete it in order), and once instantiated it
# outranks the plain driver, so new SAs get it.  Traffic must then flow
# both ways, and deleting SAs and interfaces with requests in flight must
# leave nothing behind (run_tests.sh checks splats; the debug kernel's
# kmemleak the rest).
. "$(dirname "$0")/lib/esptun_lib.sh"

# 6.1's padata_reorder() takes reorder->lock while it holds
# squeue->serial.lock, and both are padata_list locks of one lockdep class:
# lockdep calls it recursive locking and switches itself off for the rest of
# the run.  That is padata's annotation, not esptun; this test runs on
# kernels without lockdep (Debian's).
[ -e /proc/lockdep ] &&
	skip "lockdep kernel: 6.1's padata (pcrypt) nests two locks of one class (padata_reorder), a report not about esptun"

modprobe crypto_user 2> /dev/null
modprobe pcrypt 2> /dev/null

# crypto_msg NEWALG|DELALG DRIVER: instantiates pcrypt over the best
# rfc4106(gcm(aes)), or removes it, via NETLINK_CRYPTO (what crconf does),
# with a struct crypto_user_alg.
crypto_msg() {
python3 - "$1" "$2" << 'PY'
import socket, struct, sys, errno
NETLINK_CRYPTO = 21
CMD = {"NEWALG": 0x10, "DELALG": 0x11}[sys.argv[1]]
NLM_F_REQUEST, NLM_F_ACK = 1, 4
alg = struct.pack("64s64s64sIIII", b"", sys.argv[2].encode(), b"",
                  3, 0xf, 0, 0)   # CRYPTO_ALG_TYPE_AEAD, CRYPTO_ALG_TYPE_MASK
msg = struct.pack("IHHII", 16 + len(alg), CMD,
                  NLM_F_REQUEST | NLM_F_ACK, 1, 0) + alg
try:
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_CRYPTO)
except OSError as e:
    sys.exit("NETLINK_CRYPTO: %s" % e)
s.send(msg)
err = struct.unpack("i", s.recv(4096)[16:20])[0]
if err not in (0, -errno.EEXIST):
    sys.exit("CRYPTO_MSG_%s %s: %s" % (sys.argv[1], sys.argv[2],
                                       errno.errorcode.get(-err, err)))
PY
}
pcrypt_new() { crypto_msg NEWALG "$1"; }

# pcrypt outranks the driver it wraps, so it would stay the choice of every
# later rfc4106(gcm(aes)) user in this boot, the kernel's own xfrm too (whose
# 6.1 async resume path in xfrm_input() underflows a refcount with pcrypt).
# Remove it once the namespaces (and their SAs) are gone; it is busy until
# their RCU-deferred frees ran.
pcrypt_drv=
pcrypt_cleanup() {
	_esptun_cleanup
	[ -n "$pcrypt_drv" ] || return 0
	wait_for 20 crypto_msg DELALG "$pcrypt_drv" ||
		echo "# warning: cannot remove $pcrypt_drv: $(crypto_msg DELALG "$pcrypt_drv" 2>&1)"
}
trap pcrypt_cleanup EXIT

pcrypt_refcnt() {
	awk '/^driver *: pcrypt\(rfc4106/ { p = 1 } p && /^refcnt/ { print $3; exit }' /proc/crypto
}

ns_create as-a as-b
run ip link add ul-a netns as-a type veth peer name ul-b netns as-b
run ip -n as-a addr add 192.0.2.1/24 dev ul-a
run ip -n as-b addr add 192.0.2.2/24 dev ul-b
run ip -n as-a link set ul-a up
run ip -n as-b link set ul-b up
for ns in as-a as-b; do
	run ip -n $ns link add esp0 type esptun
	run ip -n $ns link set esp0 up
done
run ip -n as-a addr add 10.1.0.1/32 peer 10.1.0.2 dev esp0
run ip -n as-b addr add 10.1.0.2/32 peer 10.1.0.1 dev esp0
gcm="rfc4106(gcm(aes))"
k1=0x0123456789abcdef0123456789abcdef01020304
k2=0xfedcba9876543210fedcba987654321005060708
et() { run ip netns exec "$1" "$ESPTUN" sa add dev esp0 "${@:2}"; }

# The first SA instantiates rfc4106(gcm(aes)); pcrypt then wraps it.
et as-a dir out src 192.0.2.1 dst 192.0.2.2 spi 0x9999 aead "$gcm" $k1 128 sel dst 10.99.0.0/16
drv=$(awk '/^name *: rfc4106\(gcm\(aes\)\)/ { getline; print $3; exit }' /proc/crypto)
pcrypt_new "pcrypt($drv)" || pcrypt_new "pcrypt($gcm)" ||
	skip "cannot instantiate pcrypt over $drv (CONFIG_CRYPTO_USER, CONFIG_CRYPTO_PCRYPT)"
pcrypt_drv=$(awk '/^driver *: pcrypt\(rfc4106/ { print $3; exit }' /proc/crypto)
[ -n "$pcrypt_drv" ] || fail "pcrypt(rfc4106(gcm(aes))) not in /proc/crypto"
before=$(pcrypt_refcnt)
et as-a dir out src 192.0.2.1 dst 192.0.2.2 spi 0x1001 aead "$gcm" $k1 128 flag esn
et as-a dir in src 192.0.2.2 dst 192.0.2.1 spi 0x2002 aead "$gcm" $k2 128 flag esn
et as-b dir out src 192.0.2.2 dst 192.0.2.1 spi 0x2002 aead "$gcm" $k2 128 flag esn
et as-b dir in src 192.0.2.1 dst 192.0.2.2 spi 0x1001 aead "$gcm" $k1 128 flag esn

after=$(pcrypt_refcnt)
[ "$after" -gt "$before" ] ||
	fail "new SAs did not take pcrypt (refcnt $before -> $after)"
log "pcrypt refcnt $before -> $after: the SAs use the asynchronous driver"

run ip netns exec as-a ping -c 5 -i 0.2 -W 2 10.1.0.2
run ip netns exec as-b ping -c 5 -i 0.2 -W 2 10.1.0.1

ip netns exec as-b iperf3 -s -1 -p 5201 > /dev/null 2>&1 &
srv=$!
for i in $(seq 50); do
	ip netns exec as-b ss -Hltn "sport = :5201" | grep -q . && break
	sleep 0.1
done
run ip netns exec as-a iperf3 -c 10.1.0.2 -p 5201 -t 3
wait $srv

# Requests in flight while SAs and interfaces go away.
ip netns exec as-a ping -f -c 3000 10.1.0.2 > /dev/null 2>&1 &
flood=$!
sleep 1
run ip netns exec as-b "$ESPTUN" sa flush dev esp0
run ip -n as-a link del esp0
wait $flood

_esptun_cleanup
wait_for 20 crypto_msg DELALG "$pcrypt_drv" ||
	fail "cannot remove $pcrypt_drv: $(crypto_msg DELALG "$pcrypt_drv" 2>&1)"
pcrypt_drv=
exit 0
