#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Path MTU and MSS clamping, modelled on the vti cases of the kernel's
# tools/testing/selftests/net/pmtu.sh:
#
#   pm-c --------- pm-a ============ pm-r ============ pm-b --------- pm-s
#   client        gateway A         router R         gateway B       server
#       c-a -- a-c      a-r ---- r-a      r-b ---- b-r      b-s -- s-b
#   10.1.0.0/24      198.51.100.0/24    203.0.113.0/24      10.2.0.0/24
#   fd00:1::/64      2001:db8:1::/64    2001:db8:2::/64     fd00:2::/64
#
# esptun (esp0) on A and B carries the client's and the server's subnets;
# R routes only the outer addresses.  AES-GCM-128, ICV 128 bits throughout.
#
#  1. The automatic MTU of A's esp0: the ESP budget of its outbound SAs
#     over a 1500 underlay (1446 IPv4 outer, 1438 NAT-T, 1426 IPv6 outer,
#     the smallest of several), following the underlay's MTU; a user MTU
#     (ip link, ip link add, esptun set) survives SA and underlay changes
#     until `mtu auto`; invalid MTUs are refused and change nothing.
#  2. R's link to B has MTU 1400: a DF ping that exactly fills the budget
#     (1346) passes, one byte more gets "Frag needed" with mtu 1346 once A
#     has learned the outer path MTU from R's ICMP; IPv6 gets "Packet too
#     big"; with NAT-T everything is 8 bytes less (1338).
#  3. IPv4 without DF is fragmented before encryption: no IP fragment on
#     the underlay.  IPv6 of 1280 bytes or less that does not fit (R's link
#     at 1300) is sent with the outer packet fragmented.
#  4. ICMP to the client blocked: a TCP transfer completes with mss-clamp
#     auto (MSS 1306, IPv6 1286) and stalls with mss-clamp off.
#  5. Interop: gateway B is Linux's own IPsec (xfrm interface): case 2,
#     and case 4 with only A clamping (the SYN-ACK on its way in).
#
# Every case talks to addresses of the server of its own, so that route
# exceptions one case leaves on the client cannot hide a problem of the
# next: the client's link MTU is 1500, and each case first checks that the
# client has no cached MTU toward its target.
. "$(dirname "$0")/lib/esptun_lib.sh"

for c in nft ping python3 ss; do
	command -v $c > /dev/null || skip "$c is not installed"
done

C=pm-c A=pm-a R=pm-r B=pm-b S=pm-s
# Outer addresses.  B's .3 is its NAT-T address and .4 its xfrm one, so
# that each starts without the outer path MTU learned for .2.
A4=198.51.100.1 RA4=198.51.100.2 A6=2001:db8:1::1 RA6=2001:db8:1::2
B4=203.0.113.2 RB4=203.0.113.1 B6=2001:db8:2::2 RB6=2001:db8:2::1
B4_NATT=203.0.113.3 B4_XFRM=203.0.113.4
# Server addresses, one or two per case (see above).
S4_PING=10.2.0.2 S6_PING=fd00:2::2	# 2, esptun, plain ESP and NAT-T
S4_FRAG=10.2.0.3			# 3, IPv4 without DF
S4_TCP=10.2.0.4 S6_TCP=fd00:2::4	# 4
S4_SMALL=10.2.0.5 S6_SMALL=fd00:2::5	# 3, IPv6 <= 1280 outer-fragmented
S4_XPING=10.2.0.6 S6_XPING=fd00:2::6	# 5, xfrm peer
S4_XTCP=10.2.0.7			# 5
TCP_PORT=7000
IFID=42
K_AB=0x$(printf %02x $(seq 1 20))
K_BA=0x$(printf %02x $(seq 101 120))
GCM_AB=(aead 'rfc4106(gcm(aes))' "$K_AB" 128)
GCM_BA=(aead 'rfc4106(gcm(aes))' "$K_BA" 128)

now_ms() { local t=${EPOCHREALTIME//[^0-9]/}; echo $((10#$t / 1000)); }
T0=$(now_ms)
case_start() {
	local d=$(($(now_ms) - T0))
	log "[$((d / 1000)).$((d % 1000 / 100))s] $*"
}

# ipb NS: `ip -n NS -batch -` of the commands on stdin, echoed.
ipb() {
	local cmds
	cmds=$(sed '/^$/d')
	sed "s/^/+ ip -n $1 /" <<< "$cmds"
	ip -n "$1" -batch - <<< "$cmds" || fail "ip -n $1 -batch failed"
}

# et NS ARGS...: the esptun tool in NS.
et() {
	local ns=$1
	shift
	run ip netns exec "$ns" "$ESPTUN" "$@"
}

# Under TCG every process counts: the helpers below parse in bash.
mtu_of() {
	local out
	out=$(ip -n "$1" -o link show "$2" 2> /dev/null)
	[[ $out =~ \ mtu\ ([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}

# expect_mtu WHAT NS DEV WANT: the interface MTU becomes WANT (at once, or
# soon: recomputing after an underlay change may be deferred).
expect_mtu() {
	local i got
	for ((i = 0; i < 50; i++)); do
		got=$(mtu_of "$2" "$3")
		[ "$got" = "$4" ] && break
		sleep 0.1
	done
	expect_eq "$1: MTU of $3 in $2" "$got" "$4"
	echo "  -> $3 mtu $4"
}

# show_eq NS DEV KEY WANT [KEY WANT]...: KEY of `esptun show DEV -j`,
# JSON-encoded (1346, true, "icmp", null when absent), is WANT.
show_eq() {
	local ns=$1 dev=$2 got keys=() want=()
	shift 2
	while [ $# -ge 2 ]; do
		keys+=("$1")
		want+=("$1=$2")
		shift 2
	done
	got=$(esptun_json "' '.join('%s=%s' % (k, json.dumps(d[0].get(k))) for k in '${keys[*]}'.split())" "$ns" "$dev")
	expect_eq "esptun show $dev in $ns" "$got" "${want[*]}"
	echo "  -> $got"
}

# show_drop NS DEV REASON: that drop counter.
show_drop() {
	esptun_json "d[0]['drops'].get('$3', -1)" "$1" "$2"
}

# route_mtu NS ADDR: the MTU the route (exception) toward ADDR carries, or
# "none".
route_mtu() {
	local out
	out=$(ip -n "$1" route get "$2")
	if [[ $out =~ \ mtu\ ([0-9]+) ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo none
	fi
}

# fresh_target ADDR...: the client has no cached MTU toward ADDR.
fresh_target() {
	local a
	for a; do
		expect_eq "client's cached MTU toward $a before the case" "$(route_mtu $C "$a")" none
	done
}

# ping_ok ARGS...: every one of 3 pings from the client gets its reply.
ping_ok() {
	local out
	echo "+ ip netns exec $C ping -c 3 -i 0.2 -W 2 $*"
	out=$(ip netns exec $C ping -c 3 -i 0.2 -W 2 "$@" 2>&1)
	grep -q ' 0% packet loss' <<< "$out" ||
		fail "ping $* from the client: $(grep -E 'loss|From|error' <<< "$out" | head -n 3 | tr '\n' ' ')"
}

# ping_eventually ARGS...: a ping from the client gets a reply within a
# few tries (the first may be lost while a gateway learns the path MTU).
ping_eventually() {
	local i
	echo "+ ip netns exec $C ping -c 1 -W 1 $* (up to 6 times)"
	for i in 1 2 3 4 5 6; do
		ip netns exec $C ping -c 1 -W 1 "$@" > /dev/null 2>&1 && return 0
	done
	fail "ping $* from the client never got a reply"
}

# ping_error RE ARGS...: single pings from the client until one prints an
# ICMP error matching RE (the first may be lost while a gateway learns the
# outer path MTU from R).
ping_error() {
	local re=$1 i out
	shift
	echo "+ ip netns exec $C ping -c 1 -W 1 $* (until /$re/)"
	for i in 1 2 3 4 5 6; do
		out=$(ip netns exec $C ping -c 1 -W 1 "$@" 2>&1)
		if [[ $out =~ $re ]]; then
			echo "  -> try $i: ${BASH_REMATCH[0]}"
			return 0
		fi
	done
	fail "ping $*: no /$re/ in 6 tries; the last said: $(grep -E 'From|error|loss' <<< "$out" | head -n 2 | tr '\n' ' ')"
}

# counter NS FAMILY TABLE NAME: packets of a named nft counter.
counter() {
	ip netns exec "$1" nft list counter "$2" "$3" "$4" | awk '/packets/ {print $2}'
}

# tcp_send ADDR BYTES TIMEOUT: BYTES from the client to the server's sink,
# which must report them all received.  Returns the client's status.
tcp_send() {
	echo "+ ip netns exec $C timeout $3 python3 <send> $1 $TCP_PORT $2"
	ip netns exec $C timeout "$3" python3 -c '
import socket, sys
addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = socket.create_connection((addr, port))
c.sendall(b"x" * n)
c.shutdown(socket.SHUT_WR)
got = c.makefile().readline().strip()
print("  -> sent %d, the server received %s" % (n, got))
sys.exit(0 if got == str(n) else 1)' "$1" $TCP_PORT "$2"
}

# --- Topology ---------------------------------------------------------------
ns_create $C $A $R $B $S
run ip link add c-a netns $C type veth peer name a-c netns $A
run ip link add a-r netns $A type veth peer name r-a netns $R
run ip link add r-b netns $R type veth peer name b-r netns $B
run ip link add b-s netns $B type veth peer name s-b netns $S
for ns in $A $R $B; do
	run ip netns exec $ns sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
done
ipb $C <<EOF
addr add 10.1.0.2/24 dev c-a
addr add fd00:1::2/64 dev c-a nodad
link set c-a up
route add default via 10.1.0.1
route add ::/0 via fd00:1::1
EOF
ipb $A <<EOF
addr add 10.1.0.1/24 dev a-c
addr add fd00:1::1/64 dev a-c nodad
addr add $A4/24 dev a-r
addr add $A6/64 dev a-r nodad
link set a-c up
link set a-r up
route add 203.0.113.0/24 via $RA4
route add 2001:db8:2::/64 via $RA6
EOF
ipb $R <<EOF
addr add $RA4/24 dev r-a
addr add $RA6/64 dev r-a nodad
addr add $RB4/24 dev r-b
addr add $RB6/64 dev r-b nodad
link set r-a up
link set r-b up
EOF
ipb $B <<EOF
addr add $B4/24 dev b-r
addr add $B4_NATT/24 dev b-r
addr add $B4_XFRM/24 dev b-r
addr add $B6/64 dev b-r nodad
addr add 10.2.0.1/24 dev b-s
addr add fd00:2::1/64 dev b-s nodad
link set b-r up
link set b-s up
route add 198.51.100.0/24 via $RB4
route add 2001:db8:1::/64 via $RB6
EOF
ipb $S <<EOF
$(for i in 2 3 4 5 6 7; do echo "addr add 10.2.0.$i/24 dev s-b"; done)
$(for i in 2 4 5 6; do echo "addr add fd00:2::$i/64 dev s-b nodad"; done)
link set s-b up
route add default via 10.2.0.1
route add ::/0 via fd00:2::1
EOF
# esptun_dev NS DEV ROUTES...: an esptun interface, up, the inner subnets
# routed into it.
esptun_dev() {
	local ns=$1 dev=$2 r
	shift 2
	ipb "$ns" <<-EOF
	link add $dev type esptun
	link set $dev addrgenmode none
	link set $dev up
	$(for r; do echo "route add $r dev $dev"; done)
	EOF
}
esptun_dev $A esp0 10.2.0.0/24 fd00:2::/64
esptun_dev $B esp0 10.1.0.0/24 fd00:1::/64

# R's view of the underlay, both directions of both links: IP fragments
# (IPv4 MF or an offset; an IPv6 fragment header), and ESP that A sent.
run ip netns exec $R nft -f - <<EOF
table netdev ul {
	counter frags {}
	counter esp_from_a {}
	chain a_in {
		type filter hook ingress device "r-a" priority 0; policy accept;
		ip frag-off & 0x3fff != 0 counter name "frags"
		ip6 nexthdr 44 counter name "frags"
		meta l4proto esp counter name "esp_from_a"
	}
	chain b_in {
		type filter hook ingress device "r-b" priority 0; policy accept;
		ip frag-off & 0x3fff != 0 counter name "frags"
		ip6 nexthdr 44 counter name "frags"
	}
	chain a_out {
		type filter hook egress device "r-a" priority 0; policy accept;
		ip frag-off & 0x3fff != 0 counter name "frags"
		ip6 nexthdr 44 counter name "frags"
	}
	chain b_out {
		type filter hook egress device "r-b" priority 0; policy accept;
		ip frag-off & 0x3fff != 0 counter name "frags"
		ip6 nexthdr 44 counter name "frags"
	}
}
EOF

# The MSS of the TCP handshakes: SYN-ACKs as the client receives them, SYNs
# as the server does.
MSS_VALUES="1306 1286 1460"
mss_table() {
	local ns=$1 flags=$2 m
	{
		echo "table inet mss {"
		for m in $MSS_VALUES; do echo "	counter m$m {}"; done
		echo "	chain in {"
		echo "		type filter hook input priority 0; policy accept;"
		for m in $MSS_VALUES; do
			echo "		tcp flags & (syn | ack) == $flags tcp option maxseg size $m counter name \"m$m\""
		done
		echo "	}"
		echo "}"
	} | ip netns exec "$ns" nft -f - || fail "nft: table inet mss in $ns"
}
mss_table $C "syn | ack"
mss_table $S syn
# mss_read NS ARRAY: ARRAY[MSS] = handshakes seen with MSS in NS.
mss_read() {
	local -n _counts=$2
	local name n list
	_counts=()
	list=$(ip netns exec "$1" nft list counters table inet mss |
	       awk '/counter/ {name = $2} /packets/ {print name, $2}')
	while read -r name n; do
		_counts[${name#m}]=$n
	done <<< "$list"
}
# mss_snapshot; mss_new NS MSS: handshakes seen with MSS since the snapshot.
declare -A MSS0_C MSS0_S
mss_snapshot() {
	mss_read $C MSS0_C
	mss_read $S MSS0_S
}
mss_new() {
	local -A now
	mss_read "$1" now
	if [ "$1" = $C ]; then
		echo $((now[$2] - MSS0_C[$2]))
	else
		echo $((now[$2] - MSS0_S[$2]))
	fi
}
# expect_mss WHAT NS MSS: at least one handshake with MSS (a retransmitted
# SYN counts twice).
expect_mss() {
	local n
	n=$(mss_new "$2" "$3")
	[ "$n" -ge 1 ] || fail "$1: no handshake with MSS $3 seen in $2"
	echo "  -> $1: $n with MSS $3"
}

# noicmp {on|off}: the client drops every ICMP error that would tell it a
# path MTU.
noicmp() {
	if [ "$1" = on ]; then
		run ip netns exec $C nft -f - <<-EOF
		table inet noicmp {
			counter dropped {}
			chain in {
				type filter hook input priority -10; policy accept;
				icmp type destination-unreachable counter name "dropped" drop
				icmpv6 type packet-too-big counter name "dropped" drop
			}
		}
		EOF
	else
		run ip netns exec $C nft delete table inet noicmp
	fi
}

# The server's TCP sink: for each connection, reads to the end, answers with
# the byte count.  One thread per connection: a stalled one blocks nothing.
ns_bg $S python3 -c '
import socket, sys, threading
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1])))
s.listen(16)
def serve(c):
    n = 0
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            n += len(b)
        c.sendall(b"%d\n" % n)
    except OSError:
        pass
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()' $TCP_PORT
_listening() { [ -n "$(ip netns exec $S ss -Htln "sport = :$TCP_PORT")" ]; }
wait_for 10 _listening || fail "the server's TCP sink never listened"

# --- 1. Automatic and user MTU ----------------------------------------------
case_start "1. automatic MTU of A's esp0: the budget of its outbound SAs"
expect_mtu "new interface" $A esp0 1390
show_eq $A esp0 mtu-auto true effective-mtu null mss-clamp '"auto"'
esptun_peer_sa $A esp0 in $B4 $A4 0x201 "${GCM_BA[@]}"
expect_mtu "inbound SA only" $A esp0 1390
esptun_peer_sa $A esp0 out $A4 $B4 0x200 "${GCM_AB[@]}"
expect_mtu "IPv4 outer, 1500 underlay: 1500-20-8-8-16 -> 1448 - 2" $A esp0 1446
show_eq $A esp0 effective-mtu 1446 path-mtu 1500 path-mtu-source '"link"' \
	path-mtu-spi $((0x200))
et $A sa del dev esp0 dir out spi 0x200
expect_mtu "no outbound SA left: unchanged" $A esp0 1446
esptun_peer_sa $A esp0 out $A4 $B4 0x202 "${GCM_AB[@]}" encap espinudp 4500 4500
expect_mtu "NAT-T: 8 bytes less" $A esp0 1438
et $A sa del dev esp0 dir out spi 0x202
esptun_peer_sa $A esp0 out $A6 $B6 0x203 "${GCM_AB[@]}"
expect_mtu "IPv6 outer: 1500-40-8-8-16 -> 1428 - 2" $A esp0 1426
esptun_peer_sa $A esp0 out $A4 $B4 0x200 "${GCM_AB[@]}" sel dst 10.2.0.0/24
expect_mtu "IPv6 and IPv4 outer SAs: the smaller" $A esp0 1426
show_eq $A esp0 path-mtu-spi $((0x203))
et $A sa del dev esp0 dir out spi 0x203
expect_mtu "the IPv6 outer SA deleted" $A esp0 1446
et $A sa flush dev esp0
esptun_peer_sa $A esp0 out $A4 $B4 0x202 "${GCM_AB[@]}" encap espinudp 4500 4500
expect_mtu "sa flush, then a NAT-T SA" $A esp0 1438
et $A sa flush dev esp0
esptun_peer_sa $A esp0 out $A4 $B4 0x200 "${GCM_AB[@]}"
expect_mtu "sa flush of the NAT-T SA, then a plain one: its budget" $A esp0 1446

case_start "1. the automatic MTU follows the underlay"
run ip -n $A link set a-r mtu 1400
expect_mtu "A's a-r at 1400: 1400-20-8-8-16 -> 1348 - 2" $A esp0 1346
run ip -n $A link set a-r mtu 1500
expect_mtu "A's a-r back at 1500" $A esp0 1446

case_start "1. a user MTU stays until 'mtu auto'"
# A witness in automatic mode: once it has followed an underlay change,
# esp0 has had every chance to follow it too.
esptun_dev $A esp9
esptun_peer_sa $A esp9 out $A4 $B4 0x209 "${GCM_AB[@]}"
expect_mtu "witness" $A esp9 1446
run ip -n $A link set esp0 mtu 1300
expect_mtu "ip link set mtu 1300" $A esp0 1300
show_eq $A esp0 mtu-auto false
et $A sa del dev esp0 dir out spi 0x200
esptun_peer_sa $A esp0 out $A4 $B4 0x200 "${GCM_AB[@]}"
expect_mtu "user MTU after SA delete and add" $A esp0 1300
run ip -n $A link set a-r mtu 1400
expect_mtu "witness, a-r at 1400" $A esp9 1346
expect_mtu "user MTU, a-r at 1400" $A esp0 1300
run ip -n $A link set a-r mtu 1500
expect_mtu "witness, a-r at 1500" $A esp9 1446
expect_mtu "user MTU, a-r at 1500" $A esp0 1300
et $A set esp0 mtu auto
expect_mtu "mtu auto" $A esp0 1446
show_eq $A esp0 mtu-auto true
et $A set esp0 mtu 1350
expect_mtu "esptun set mtu 1350" $A esp0 1350
show_eq $A esp0 mtu-auto false
run ip -n $A link set a-r mtu 1400
expect_mtu "witness, a-r at 1400" $A esp9 1346
expect_mtu "esptun set MTU, a-r at 1400" $A esp0 1350
run ip -n $A link set a-r mtu 1500
expect_mtu "witness, a-r at 1500" $A esp9 1446
et $A set esp0 mtu auto
expect_mtu "mtu auto again" $A esp0 1446
run ip -n $A link del esp9
run ip -n $A link add esp1 mtu 1320 type esptun
expect_mtu "ip link add mtu 1320" $A esp1 1320
esptun_peer_sa $A esp1 out $A4 $B4 0x210 "${GCM_AB[@]}"
expect_mtu "MTU given at creation, after an outbound SA" $A esp1 1320
et $A sa flush dev esp1
et $A set esp1 mtu auto
expect_mtu "mtu auto without outbound SAs: the default" $A esp1 1390
run ip -n $A link del esp1

case_start "1. invalid MTUs are refused"
run_fails 'mtu less than device minimum' ip -n $A link set esp0 mtu 67
run_fails 'mtu greater than device maximum' ip -n $A link set esp0 mtu 70000
run_fails '[Mm][Tt][Uu]' ip netns exec $A "$ESPTUN" set esp0 mtu 67
run_fails '[Mm][Tt][Uu]' ip netns exec $A "$ESPTUN" set esp0 mtu 70000
expect_mtu "after invalid MTUs" $A esp0 1446
run_fails 'mtu less than device minimum' ip -n $A link add esp2 mtu 67 type esptun
run_fails 'mtu greater than device maximum' ip -n $A link add esp2 mtu 70000 type esptun
ip -n $A link show esp2 > /dev/null 2>&1 && fail "esp2 exists after a refused ip link add"
# ...and esp0 is still automatic.
run ip -n $A link set a-r mtu 1400
expect_mtu "still automatic after invalid MTUs" $A esp0 1346
run ip -n $A link set a-r mtu 1500
expect_mtu "still automatic after invalid MTUs" $A esp0 1446
et $A sa flush dev esp0

# --- 2. Outer path MTU learned from R ---------------------------------------
# tunnel_esptun B_ADDR SPI [SA ARGS...]: A and B, SPI from A to B, SPI+1
# back.
tunnel_esptun() {
	local b=$1 spi=$2
	shift 2
	et $A sa flush dev esp0
	et $B sa flush dev esp0
	esptun_peer_sa $A esp0 out $A4 "$b" "$spi" "${GCM_AB[@]}" "$@"
	esptun_peer_sa $A esp0 in "$b" $A4 $((spi + 1)) "${GCM_BA[@]}" "$@"
	esptun_peer_sa $B esp0 out "$b" $A4 $((spi + 1)) "${GCM_BA[@]}" "$@"
	esptun_peer_sa $B esp0 in $A4 "$b" "$spi" "${GCM_AB[@]}" "$@"
}
case_start "2. R's link to B at 1400: A learns it from R's ICMP"
run ip -n $R link set r-b mtu 1400
run ip -n $B link set b-r mtu 1400
tunnel_esptun $B4 0x300
expect_mtu "A, before it learns the path" $A esp0 1446
expect_mtu "B, from its own 1400 link" $B esp0 1346
fresh_target $S4_PING $S6_PING
ping_ok $S4_PING
too_big0=$(show_drop $A esp0 tx-too-big)
# 1319 + 28 = 1347: 4 bytes of ESP padding more than 1400 holds.
ping_error 'Frag needed and DF set \(mtu = 1346\)' -Mdo -s 1319 $S4_PING
expect_eq "client's route MTU toward $S4_PING" "$(route_mtu $C $S4_PING)" 1346
show_eq $A esp0 effective-mtu 1346 path-mtu 1400 path-mtu-source '"icmp"' \
	path-mtu-spi $((0x300))
expect_mtu "A's interface MTU does not follow ICMP" $A esp0 1446
[ "$(show_drop $A esp0 tx-too-big)" -gt "$too_big0" ] ||
	fail "A's tx-too-big did not count the packet it refused"
ping_ok -Mdo -s 1318 $S4_PING
ping_error 'Packet too big: mtu=1346' -Mdo -s 1299 $S6_PING
expect_eq "client's route MTU toward $S6_PING" "$(route_mtu $C $S6_PING)" 1346
ping_ok -Mdo -s 1298 $S6_PING

# --- 3. IPv4 without DF ----------------------------------------------------
case_start "3. IPv4 without DF: fragmented before encryption"
fresh_target $S4_FRAG
f0=$(counter $R netdev ul frags)
e0=$(counter $R netdev ul esp_from_a)
# 1428 bytes: A forwards it whole into esp0 (MTU 1446), esptun splits it.
ping_ok -Mdont -s 1400 $S4_FRAG
e1=$(counter $R netdev ul esp_from_a)
[ $((e1 - e0)) -ge 6 ] ||
	fail "3 requests of 1428 bytes over a 1346 budget: $((e1 - e0)) ESP packets from A, want 2 each"
ping_ok -Mdont -s 3000 $S4_FRAG
expect_eq "IP fragments on the underlay (nft on R)" "$(counter $R netdev ul frags)" "$f0"
expect_eq "client's route MTU toward $S4_FRAG" "$(route_mtu $C $S4_FRAG)" none

# --- 4. MSS clamping --------------------------------------------------------
case_start "4. MSS clamping with ICMP to the client blocked"
fresh_target $S4_TCP $S6_TCP
noicmp on
mss_snapshot
tcp_send $S4_TCP $((1 << 20)) 60 || fail "1 MiB over TCP with mss-clamp auto"
# The effective MTU 1346 (A learned it in case 2, B has it from its link).
expect_mss "SYNs at the server" $S 1306
expect_mss "SYN-ACKs at the client" $C 1306
tcp_send $S6_TCP $((256 << 10)) 60 || fail "256 KiB over TCP/IPv6 with mss-clamp auto"
expect_mss "IPv6 SYNs at the server" $S 1286
expect_mss "IPv6 SYN-ACKs at the client" $C 1286
expect_eq "handshakes with MSS 1460 at the client, mss-clamp auto" "$(mss_new $C 1460)" 0
expect_eq "handshakes with MSS 1460 at the server, mss-clamp auto" "$(mss_new $S 1460)" 0
d0=$(counter $C inet noicmp dropped)
et $A set esp0 mss-clamp off
et $B set esp0 mss-clamp off
show_eq $A esp0 mss-clamp '"off"'
# Segments of 1500 bytes, and the client never hears why they vanish.
tcp_send $S4_TCP $((1 << 20)) 8 &&
	fail "1 MiB over TCP with mss-clamp off and ICMP blocked went through: the test cannot fail"
expect_mss "SYN-ACKs at the client, mss-clamp off" $C 1460
[ "$(counter $C inet noicmp dropped)" -gt "$d0" ] ||
	fail "the stalled transfer caused no ICMP error to the client"
expect_eq "client's route MTU toward $S4_TCP" "$(route_mtu $C $S4_TCP)" none
et $A set esp0 mss-clamp auto
et $B set esp0 mss-clamp auto
noicmp off

# --- 2 again, NAT-T ---------------------------------------------------------
case_start "2. NAT-T: 8 bytes less"
et $A set esp0 listen-port 4500
et $B set esp0 listen-port 4500
tunnel_esptun $B4_NATT 0x400 encap espinudp 4500 4500
expect_mtu "A, NAT-T, before it learns the path" $A esp0 1438
expect_mtu "B, NAT-T, from its own 1400 link" $B esp0 1338
# The client's route toward $S4_PING says 1346: 1339 bytes reach A.
ping_error 'Frag needed and DF set \(mtu = 1338\)' -Mdo -s 1311 $S4_PING
show_eq $A esp0 effective-mtu 1338 path-mtu 1400 path-mtu-source '"icmp"'
ping_ok -Mdo -s 1310 $S4_PING
ping_error 'Packet too big: mtu=1338' -Mdo -s 1291 $S6_PING
ping_ok -Mdo -s 1290 $S6_PING

# --- 3 again: IPv6 of 1280 bytes or less --------------------------------------
case_start "3. R's link to B at 1300: IPv6 up to 1280 bytes is outer-fragmented"
run ip -n $R link set r-b mtu 1300
run ip -n $B link set b-r mtu 1300
# NAT-T over 1300: 1300-20-8-8-8-16 -> 1240 - 2 = 1238, below IPv6's 1280.
expect_mtu "B's interface MTU: at least 1280" $B esp0 1280
fresh_target $S4_SMALL $S6_SMALL
ping_error 'Frag needed and DF set \(mtu = 1238\)' -Mdo -s 1211 $S4_SMALL
ping_ok -Mdo -s 1210 $S4_SMALL
show_eq $A esp0 effective-mtu 1238
f0=$(counter $R netdev ul frags)
ping_eventually -s 1232 $S6_SMALL
ping_ok -s 1232 $S6_SMALL
f1=$(counter $R netdev ul frags)
# Each of the 3 requests and replies: two fragments at least.
[ $((f1 - f0)) -ge 12 ] ||
	fail "IPv6 of 1280 bytes over a 1238 budget: $((f1 - f0)) outer fragments on the underlay, want >= 12"
ping_error 'Packet too big: mtu=1280' -Mdo -s 1233 $S6_SMALL
run ip -n $R link set r-b mtu 1400
run ip -n $B link set b-r mtu 1400

# --- 5. Interop: B is Linux's own IPsec --------------------------------------
case_start "5. B is an xfrm interface: case 2, and case 4 with A clamping alone"
et $A sa del dev esp0 dir out spi 0x400
et $A sa del dev esp0 dir in spi 0x401
run ip -n $B link del esp0
ipb $B <<EOF
link add ipsec0 mtu 1400 type xfrm dev b-r if_id $IFID
link set ipsec0 addrgenmode none
link set ipsec0 up
route add 10.1.0.0/24 dev ipsec0
route add fd00:1::/64 dev ipsec0
EOF
esptun_peer_sa $A esp0 out $A4 $B4_XFRM 0x500 "${GCM_AB[@]}"
esptun_peer_sa $A esp0 in $B4_XFRM $A4 0x501 "${GCM_BA[@]}"
xfrm_peer_sa $B $IFID out $B4_XFRM $A4 0x501 "${GCM_BA[@]}" flag af-unspec
xfrm_peer_sa $B $IFID in $A4 $B4_XFRM 0x500 "${GCM_AB[@]}" replay-window 32 flag af-unspec
expect_mtu "A, toward the xfrm peer" $A esp0 1446
fresh_target $S4_XPING $S6_XPING $S4_XTCP
ping_ok $S4_XPING
ping_error 'Frag needed and DF set \(mtu = 1346\)' -Mdo -s 1319 $S4_XPING
ping_ok -Mdo -s 1318 $S4_XPING
ping_error 'Packet too big: mtu=1346' -Mdo -s 1299 $S6_XPING
ping_ok -Mdo -s 1298 $S6_XPING
show_eq $A esp0 effective-mtu 1346
noicmp on
mss_snapshot
tcp_send $S4_XTCP $((1 << 20)) 60 || fail "1 MiB over TCP to the xfrm peer with mss-clamp auto"
expect_mss "SYNs at the server (A clamps on the way out)" $S 1306
expect_mss "SYN-ACKs at the client (A clamps on the way in)" $C 1306
expect_eq "SYN-ACKs with MSS 1460 at the client" "$(mss_new $C 1460)" 0
noicmp off

case_start "done"
exit $KSFT_PASS
