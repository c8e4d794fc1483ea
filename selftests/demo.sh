#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`, inside the VM: two sites joined by an IKEv2 tunnel that
# esptund negotiates and installs into esptun interfaces.
#
#   lan-a 10.1.0.10                                           lan-b 10.2.0.10
#     | l-a                                                          | l-b
#     | a-l 10.1.0.1                                  10.2.0.1 b-l   |
#   gw-a: esptund, esp0 -- a-r 192.0.2.1 ==== 192.0.2.2 b-r -- gw-b: esptund, esp0
#
# The gateways' esptund configurations are examples/esptund/gw-{a,b}.conf
# (swanctl.conf syntax, a pre-shared key); gw-a initiates when its esptund
# starts.  Then the LAN hosts ping and iperf3 through the tunnel, tcpdump
# on the underlay shows only ESP, and the demo prints what `esptun ike
# list`, `esptun show`, `esptun sa list` and `ip -s link` say.
#
# It exits non-zero, with the daemons' logs, if the tunnel does not come up
# or carry the traffic.
. "$(dirname "$0")/lib/esptun_lib.sh"

ESPTUND=$ESPTUN_TOP/tools/esptund
EXAMPLES=$ESPTUN_TOP/examples/esptund
WORK=$(mktemp -d /tmp/demo.XXXXXX) || fail "mktemp"

demo_cleanup() {
	local rc=$?
	_esptun_cleanup
	rm -rf "$WORK"
	exit $rc
}
trap demo_cleanup EXIT

# fail MSG: the daemons' logs first, then esptun_lib.sh's message.
fail() {
	local f
	for f in "$WORK"/*.log; do
		[ -s "$f" ] || continue
		echo "== ${f##*/} (last 40 lines)"
		tail -n 40 "$f"
	done
	echo "FAIL: demo: $*"
	exit 1
}

title() { echo; echo "== $*"; }

# --- The network --------------------------------------------------------
ns_create lan-a gw-a gw-b lan-b
run ip link add a-r netns gw-a type veth peer name b-r netns gw-b
run ip link add l-a netns lan-a type veth peer name a-l netns gw-a
run ip link add l-b netns lan-b type veth peer name b-l netns gw-b
run ip -n gw-a addr add 192.0.2.1/24 dev a-r
run ip -n gw-b addr add 192.0.2.2/24 dev b-r
run ip -n gw-a addr add 10.1.0.1/24 dev a-l
run ip -n gw-b addr add 10.2.0.1/24 dev b-l
run ip -n lan-a addr add 10.1.0.10/24 dev l-a
run ip -n lan-b addr add 10.2.0.10/24 dev l-b
for l in gw-a:a-r gw-a:a-l gw-b:b-r gw-b:b-l lan-a:l-a lan-b:l-b; do
	run ip -n "${l%%:*}" link set "${l#*:}" up
done
run ip -n lan-a route add default via 10.1.0.1
run ip -n lan-b route add default via 10.2.0.1
for gw in gw-a gw-b; do
	run ip netns exec $gw sysctl -qw net.ipv4.ip_forward=1
done

# The tunnel interfaces: route-based, so the routes say what goes in.
run ip -n gw-a link add esp0 type esptun
run ip -n gw-b link add esp0 type esptun
for gw in gw-a gw-b; do
	run ip -n $gw link set esp0 up
done
run ip -n gw-a route add 10.2.0.0/24 dev esp0 src 10.1.0.1
run ip -n gw-b route add 10.1.0.0/24 dev esp0 src 10.2.0.1

# --- esptund on both gateways --------------------------------------------
title "examples/esptund/gw-a.conf (gw-b.conf is its mirror image)"
cat "$EXAMPLES/gw-a.conf"
ike() { local gw=$1; shift; ip netns exec "$gw" "$ESPTUN" ike -s "$WORK/$gw.sock" "$@"; }

# B first, answering, so that A's first IKE_SA_INIT finds it.
for gw in gw-b gw-a; do
	title "$gw: esptund -t -c examples/esptund/$gw.conf; esptund -f"
	"$ESPTUND" -t -c "$EXAMPLES/$gw.conf" || fail "esptund -t: $gw.conf"
	ns_bg $gw "$ESPTUND" -c "$EXAMPLES/$gw.conf" -f -s "$WORK/$gw.sock" \
		> "$WORK/esptund-$gw.log" 2>&1
	for ((i = 0; i < 100; i++)); do
		ike $gw list > /dev/null 2>&1 && break
		kill -0 "$BG_PID" 2> /dev/null || fail "esptund on $gw exited"
		sleep 0.2
	done
done

# up GW: the IKE SA ESTABLISHED with its Child SA INSTALLED.
up() {
	ike "$1" list -j 2> /dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
sas = d.get("ike_sas", []) if isinstance(d, dict) else d
sys.exit(0 if any(s.get("state") == "ESTABLISHED" and
                  any(c.get("state") == "INSTALLED" for c in s.get("children", []))
                  for s in sas) else 1)'
}

t0=$(date +%s)
for gw in gw-a gw-b; do
	for ((i = 0; i < 120; i++)); do
		up $gw && break
		sleep 0.5
	done
	up $gw || fail "$gw: no IKE SA with an installed Child SA after $(($(date +%s) - t0)) s"
done
echo "IKE SA and Child SA up at both gateways after $(($(date +%s) - t0)) s"

# --- Traffic ------------------------------------------------------------
title "gw-b: tcpdump -n -i b-r (the underlay) while lan-a pings lan-b"
ip netns exec gw-b tcpdump -l -n -c 6 -i b-r esp or icmp > "$WORK/tcpdump.txt" 2> /dev/null &
dump=$!
sleep 1
run ip netns exec lan-a ping -c 3 -i 0.3 -W 2 10.2.0.10
for ((i = 0; i < 20; i++)); do
	kill -0 $dump 2> /dev/null || break
	sleep 0.25
done
kill $dump 2> /dev/null
wait $dump 2> /dev/null
cat "$WORK/tcpdump.txt"
grep -q ICMP "$WORK/tcpdump.txt" && fail "ICMP in clear on the underlay"
grep -q ESP "$WORK/tcpdump.txt" || fail "no ESP on the underlay"

title "lan-a -> lan-b: iperf3 -t 3 (TCP)"
ns_bg lan-b iperf3 -s -1 > "$WORK/iperf3-server.log" 2>&1
srv=$BG_PID
for ((i = 0; i < 40; i++)); do
	ip netns exec lan-b ss -ltn 2> /dev/null | grep -q ':5201 ' && break
	sleep 0.25
done
ip netns exec lan-a iperf3 -c 10.2.0.10 -t 3 -f m > "$WORK/iperf3.log" 2>&1 ||
	{ cat "$WORK/iperf3.log"; fail "iperf3 through the tunnel"; }
grep -E 'sender|receiver' "$WORK/iperf3.log"
wait $srv 2> /dev/null

# --- What the tools say -------------------------------------------------
for gw in gw-a gw-b; do
	title "$gw: esptun ike list"
	ike $gw list
done
title "gw-a: esptun show"
ip netns exec gw-a "$ESPTUN" show
title "gw-a: esptun sa list"
ip netns exec gw-a "$ESPTUN" sa list
title "gw-a: ip -s link show esp0"
ip -n gw-a -s link show esp0
title "gw-a: esptund's log"
cat "$WORK/esptund-gw-a.log"
echo
echo "demo: done.  For your gateways, start from examples/esptund/gw-a.conf"
echo "and Documentation/esptund.rst."
exit 0
