#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Throughput smoke: esptun and the kernel's own IPsec (an xfrm interface),
# side by side on the same two namespaces, same cipher (AES-GCM-128), same
# run.  It prints the figures and their ratio and asserts nothing about
# time: under QEMU/TCG only ratios measured in one run mean anything
# (`make bench` is the real benchmark).  It does assert that both tunnels
# carried the whole transfer, and that the two coexist: the xfrm SPIs pass
# through esptun's ESP handler to the kernel's.
. "$(dirname "$0")/lib/esptun_lib.sh"

secs=${ESPTUN_TP_SECS:-4}

ns_create tp-a tp-b
run ip link add ul-a netns tp-a type veth peer name ul-b netns tp-b
run ip -n tp-a addr add 192.0.2.1/24 dev ul-a
run ip -n tp-b addr add 192.0.2.2/24 dev ul-b
run ip -n tp-a link set ul-a up
run ip -n tp-b link set ul-b up

key_ab=0x0123456789abcdef0123456789abcdef01020304
key_ba=0xfedcba9876543210fedcba987654321005060708
gcm="rfc4106(gcm(aes))"

# esptun: 10.1.0.1 <-> 10.1.0.2
for ns in tp-a tp-b; do
	run ip -n $ns link add esp0 type esptun
	run ip -n $ns link set esp0 up
done
run ip -n tp-a addr add 10.1.0.1/32 peer 10.1.0.2 dev esp0
run ip -n tp-b addr add 10.1.0.2/32 peer 10.1.0.1 dev esp0
et() { run ip netns exec "$1" "$ESPTUN" sa add dev esp0 "${@:2}"; }
et tp-a dir out src 192.0.2.1 dst 192.0.2.2 spi 0x1001 aead "$gcm" $key_ab 128
et tp-a dir in src 192.0.2.2 dst 192.0.2.1 spi 0x2002 aead "$gcm" $key_ba 128
et tp-b dir out src 192.0.2.2 dst 192.0.2.1 spi 0x2002 aead "$gcm" $key_ba 128
et tp-b dir in src 192.0.2.1 dst 192.0.2.2 spi 0x1001 aead "$gcm" $key_ab 128

# xfrm interface: 10.2.0.1 <-> 10.2.0.2, its own SPIs
xs() {
	run ip -n "$1" xfrm state add src "$2" dst "$3" proto esp spi "$4" \
		mode tunnel aead "$gcm" "$5" 128 if_id 7
}
for ns in tp-a tp-b; do
	ul=ul-${ns#tp-}
	run ip -n $ns link add ipsec0 type xfrm dev $ul if_id 7
	run ip -n $ns link set ipsec0 up
done
run ip -n tp-a xfrm policy add dir out src 0.0.0.0/0 dst 0.0.0.0/0 if_id 7 \
	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel
run ip -n tp-a xfrm policy add dir in src 0.0.0.0/0 dst 0.0.0.0/0 if_id 7 \
	tmpl src 192.0.2.2 dst 192.0.2.1 proto esp mode tunnel
run ip -n tp-b xfrm policy add dir out src 0.0.0.0/0 dst 0.0.0.0/0 if_id 7 \
	tmpl src 192.0.2.2 dst 192.0.2.1 proto esp mode tunnel
run ip -n tp-b xfrm policy add dir in src 0.0.0.0/0 dst 0.0.0.0/0 if_id 7 \
	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel
xs tp-a 192.0.2.1 192.0.2.2 0x3003 $key_ab
xs tp-a 192.0.2.2 192.0.2.1 0x4004 $key_ba
xs tp-b 192.0.2.1 192.0.2.2 0x3003 $key_ab
xs tp-b 192.0.2.2 192.0.2.1 0x4004 $key_ba
run ip -n tp-a addr add 10.2.0.1/32 peer 10.2.0.2 dev ipsec0
run ip -n tp-b addr add 10.2.0.2/32 peer 10.2.0.1 dev ipsec0

run ip netns exec tp-a ping -c 2 -W 2 10.1.0.2
run ip netns exec tp-a ping -c 2 -W 2 10.2.0.2

# iperf3 TCP from tp-a to ADDR for $secs seconds; prints Mbit/s and bytes
# received.
iperf_mbps() {
	local addr=$1 port=$2 out
	ip netns exec tp-b iperf3 -s -1 -p "$port" > /dev/null 2>&1 &
	local srv=$!
	wait_tcp_listen tp-b "$port"
	out=$(ip netns exec tp-a iperf3 -c "$addr" -p "$port" -t "$secs" -J) ||
		fail "iperf3 to $addr failed"
	wait $srv
	python3 -c 'import json,sys
d=json.loads(sys.argv[1])
r=d["end"]["sum_received"]
print("%.1f %d" % (r["bits_per_second"] / 1e6, r["bytes"]))' "$out"
}

wait_tcp_listen() {
	local i
	for i in $(seq 50); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	fail "nothing listens on TCP port $2 in $1"
}

# measure MBPS_VAR BYTES_VAR ADDR PORT: iperf_mbps's results into the two
# variables; its failure (in the command substitution) fails the test.
measure() {
	local r
	r=$(iperf_mbps "$3" "$4") || { echo "$r"; exit $KSFT_FAIL; }
	read -r "$1" "$2" <<< "$r"
}
measure plain plain_bytes 192.0.2.2 5201
measure esptun esptun_bytes 10.1.0.2 5202
measure xfrmi xfrmi_bytes 10.2.0.2 5203

# Both tunnels really carried it, each through its own SAs: an ESP packet
# holds at most one MTU (1500 here) of iperf3's bytes, so the inbound SA
# counts at least bytes/1500 packets.  Relative to what iperf3 measured,
# not to a rate, which the debug kernel under load does not reach.
pk=$(ip netns exec tp-b "$ESPTUN" sa list -j |
     python3 -c 'import json,sys; print(sum(s["stats"]["packets"] for s in json.load(sys.stdin) if s["dir"] == "in"))')
[ "$pk" -ge $((esptun_bytes / 1500)) ] && [ "$pk" -gt 100 ] ||
	fail "esptun inbound SA counted $pk packets for $esptun_bytes bytes"
xp=$(ip -n tp-b -s xfrm state get src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x3003 |
     sed -n 's/.* \([0-9]*\)(packets).*/\1/p' | head -1)
[ "${xp:-0}" -ge $((xfrmi_bytes / 1500)) ] && [ "${xp:-0}" -gt 100 ] ||
	fail "xfrm state 0x3003 counted ${xp:-0} packets for $xfrmi_bytes bytes"

echo "# TCP, $secs s, one stream, AES-GCM-128 (Mbit/s):"
echo "#   veth (no tunnel)  $plain"
echo "#   esptun            $esptun"
echo "#   xfrm interface    $xfrmi"
python3 -c 'import sys; e,x,p=map(float,sys.argv[1:])
print("#   esptun/xfrmi %.2f  esptun/veth %.2f  xfrmi/veth %.2f" % (e/x, e/p, x/p))' \
	"$esptun" "$xfrmi" "$plain"
exit 0
