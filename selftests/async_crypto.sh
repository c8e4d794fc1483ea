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

modprobe crypto_user 2> /dev/null
modprobe pcrypt 2> /dev/null

# Instantiate pcrypt over the best rfc4106(gcm(aes)) via NETLINK_CRYPTO
# (what crconf does): CRYPTO_MSG_NEWALG with a struct crypto_user_alg.
pcrypt_new() {
python3 - "$1" << 'PY'
import socket, struct, sys, errno
NETLINK_CRYPTO, CRYPTO_MSG_NEWALG = 21, 0x10
NLM_F_REQUEST, NLM_F_ACK = 1, 4
alg = struct.pack("64s64s64sIIII", b"", sys.argv[1].encode(), b"",
                  3, 0xf, 0, 0)   # CRYPTO_ALG_TYPE_AEAD, CRYPTO_ALG_TYPE_MASK
msg = struct.pack("IHHII", 16 + len(alg), CRYPTO_MSG_NEWALG,
                  NLM_F_REQUEST | NLM_F_ACK, 1, 0) + alg
try:
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_CRYPTO)
except OSError as e:
    sys.exit("NETLINK_CRYPTO: %s" % e)
s.send(msg)
err = struct.unpack("i", s.recv(4096)[16:20])[0]
if err not in (0, -errno.EEXIST):
    sys.exit("CRYPTO_MSG_NEWALG %s: %s" % (sys.argv[1], errno.errorcode.get(-err, err)))
PY
}

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
grep -q "^driver *: pcrypt(rfc4106" /proc/crypto ||
	fail "pcrypt(rfc4106(gcm(aes))) not in /proc/crypto"
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
exit 0
