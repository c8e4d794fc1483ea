#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`, inside the VM: two gateway namespaces joined by a veth link,
# an esptun interface in each, a manually keyed AES-GCM tunnel between them,
# and what `esptun show` and `esptun sa list` say about it.
# (IKE-negotiated tunnels arrive with esptund.)
. "$(dirname "$0")/lib/esptun_lib.sh"

ns_create gw-a gw-b
run ip link add a-r netns gw-a type veth peer name b-r netns gw-b
run ip -n gw-a addr add 192.0.2.1/24 dev a-r
run ip -n gw-b addr add 192.0.2.2/24 dev b-r
run ip -n gw-a link set a-r up
run ip -n gw-b link set b-r up
for gw in gw-a gw-b; do
	run ip -n $gw link add esp0 type esptun
	run ip -n $gw link set esp0 up
done
run ip -n gw-a addr add 10.0.0.1/32 peer 10.0.0.2 dev esp0
run ip -n gw-b addr add 10.0.0.2/32 peer 10.0.0.1 dev esp0

echo
echo "== gw-a: ip -d link show esp0"
ip -n gw-a -d link show esp0
for gw in gw-a gw-b; do
	echo
	echo "== $gw: esptun show"
	ip netns exec $gw "$ESPTUN" show
done
echo
echo "== gw-a: ping -c 2 10.0.0.2 (no SA yet: dropped and counted)"
ip netns exec gw-a ping -c 2 -W 1 10.0.0.2

# One key per direction, 16 bytes of AES-128 and 4 of salt, as ip-xfrm
# spells them.
key_ab=0x$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
key_ba=0x$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
gcm="aead rfc4106(gcm(aes))"
echo
echo "== SAs: gw-a -> gw-b SPI 0x1001, gw-b -> gw-a SPI 0x2002"
run ip netns exec gw-a "$ESPTUN" sa add dev esp0 dir out src 192.0.2.1 dst 192.0.2.2 spi 0x1001 $gcm "$key_ab" 128
run ip netns exec gw-a "$ESPTUN" sa add dev esp0 dir in src 192.0.2.2 dst 192.0.2.1 spi 0x2002 $gcm "$key_ba" 128
run ip netns exec gw-b "$ESPTUN" sa add dev esp0 dir out src 192.0.2.2 dst 192.0.2.1 spi 0x2002 $gcm "$key_ba" 128
run ip netns exec gw-b "$ESPTUN" sa add dev esp0 dir in src 192.0.2.1 dst 192.0.2.2 spi 0x1001 $gcm "$key_ab" 128

echo
echo "== gw-b: tcpdump on the underlay while gw-a pings through the tunnel"
ip netns exec gw-b tcpdump -l -n -c 4 -i b-r esp > /tmp/demo-tcpdump.txt 2> /dev/null &
dump=$!
sleep 1
run ip netns exec gw-a ping -c 3 -i 0.3 -W 2 10.0.0.2
wait $dump
cat /tmp/demo-tcpdump.txt
echo
echo "== gw-a: esptun sa list"
ip netns exec gw-a "$ESPTUN" sa list
echo
echo "== gw-a: ip -s link show esp0"
ip -n gw-a -s link show esp0
echo
echo "== gw-a: esptun show -j -p"
ip netns exec gw-a "$ESPTUN" show -j -p
exit 0
