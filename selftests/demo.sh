#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`, inside the VM: two gateway namespaces joined by a veth link,
# an esptun interface in each, and what `esptun show` says about them.
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
echo
echo "== gw-a: esptun show -j -p"
ip netns exec gw-a "$ESPTUN" show -j -p
exit 0
