#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for esptun selftests: failure reporting that names the
# command, network namespaces owned by the test (and removed on exit,
# whatever happens), and the topologies tests are built from.
#
# Source it first thing: . "$(dirname "$0")/lib/esptun_lib.sh"

set -u

ESPTUN_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ESPTUN=${ESPTUN:-$ESPTUN_TOP/tools/esptun}
TEST_NAME=$(basename "$0" .sh)
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

_esptun_ns=()

fail() {
	echo "FAIL: $TEST_NAME: $*"
	exit $KSFT_FAIL
}

skip() {
	echo "SKIP: $TEST_NAME: $*"
	exit $KSFT_SKIP
}

log() { echo "# $*"; }

# esptun_debug_kernel: true on the debug kernel (KASAN, lockdep, kmemleak),
# several times slower than Debian's under TCG.  Tests that repeat an
# operation many times use it to do fewer repetitions of the same paths.
esptun_debug_kernel() {
	[ "${ESPTUN_FLAVOUR:-}" = debug ] || [ -e /proc/lockdep ] ||
		[ -e /sys/kernel/debug/kmemleak ]
}

# run CMD...: runs CMD, fails the test naming CMD if it fails.
run() {
	echo "+ $*"
	"$@" || fail "command failed (exit $?): $*"
}

# run_fails EXPECTED_STDERR_RE CMD...: CMD must fail, and say so clearly.
run_fails() {
	local re=$1 err rc
	shift
	echo "+ ! $*"
	err=$("$@" 2>&1 > /dev/null)
	rc=$?
	[ $rc != 0 ] || fail "command should have failed: $*"
	echo "  -> exit $rc: $err"
	[[ $err =~ $re ]] || fail "error of '$*' does not match /$re/: $err"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# ns_create NAME...: new network namespaces with loopback up, removed when
# the test exits.
ns_create() {
	local ns
	for ns in "$@"; do
		ip netns add "$ns" || fail "cannot create netns $ns"
		_esptun_ns+=("$ns")
		ip -n "$ns" link set lo up || fail "lo up in $ns"
	done
}

# ns_forget NAME: the test deleted it itself.
ns_forget() {
	local i
	for i in "${!_esptun_ns[@]}"; do
		[ "${_esptun_ns[$i]}" = "$1" ] && unset "_esptun_ns[$i]"
	done
}

# ns_bg NS CMD...: runs CMD in the background in NS and sets BG_PID.  It is
# killed when the test exits (bg_stop ends it earlier).  A subshell does not
# run the test's EXIT trap: there, `_esptun_pids=(); trap bg_stop_all EXIT`
# first, so that it ends what it started, and only that.
_esptun_pids=()
ns_bg() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@" &
	BG_PID=$!
	_esptun_pids+=("$BG_PID")
}

# bg_stop PID: kills a process started by ns_bg and reaps it; returns its
# exit status if it had already ended by itself.
bg_stop() {
	local i rc
	for i in "${!_esptun_pids[@]}"; do
		[ "${_esptun_pids[$i]}" = "$1" ] && unset "_esptun_pids[$i]"
	done
	kill "$1" 2> /dev/null
	wait "$1" 2> /dev/null
	rc=$?
	return $rc
}

# bg_wait PID: waits for a process started by ns_bg to end by itself;
# returns its exit status.
bg_wait() {
	local i
	for i in "${!_esptun_pids[@]}"; do
		[ "${_esptun_pids[$i]}" = "$1" ] && unset "_esptun_pids[$i]"
	done
	wait "$1"
}

bg_stop_all() {
	local pid
	for pid in "${_esptun_pids[@]}"; do
		bg_stop "$pid"
	done
}

_esptun_cleanup() {
	local ns
	bg_stop_all
	for ns in "${_esptun_ns[@]}"; do
		ip netns del "$ns" 2> /dev/null
	done
}
trap _esptun_cleanup EXIT

# wait_for SECONDS CMD...: polls CMD (output discarded) every 0.1 s until it
# succeeds.  Returns 1 if it never did within SECONDS.
wait_for() {
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# esptun_links [NS]: names of the esptun interfaces, one per line, sorted,
# as the kernel's own rtnetlink reports them.
esptun_links() {
	ip ${1:+-n "$1"} -j link show type esptun |
		python3 -c 'import json,sys; print("\n".join(sorted(d["ifname"] for d in json.load(sys.stdin))))'
}

# esptun_json EXPR [NS] [DEV]: evaluates the Python expression EXPR over
# d = the parsed `esptun show -j` output.
esptun_json() {
	local expr=$1 ns=${2:-} dev=${3:-} j
	if [ -n "$ns" ]; then
		j=$(ip netns exec "$ns" "$ESPTUN" show $dev -j) ||
			fail "esptun show $dev -j failed in $ns"
	else
		j=$("$ESPTUN" show $dev -j) || fail "esptun show $dev -j failed"
	fi
	python3 -c "import json,sys; d=json.loads(sys.argv[1]); print($expr)" "$j" ||
		fail "esptun show -j output does not parse or lacks '$expr': $j"
}

# --- Two gateways --------------------------------------------------------
#
#   NS_A                                          NS_B
#   TUN  10.10.0.1/24 fd00:10::1/64               TUN  10.10.0.2/24 fd00:10::2/64
#   ul-a 192.0.2.1/24 2001:db8:1::1/64 --veth--   ul-b 192.0.2.2/24 2001:db8:1::2/64
#
# Index 0 of these arrays is side A, 1 side B.
TOPO_UL4=(192.0.2.1 192.0.2.2)
TOPO_UL6=(2001:db8:1::1 2001:db8:1::2)
TOPO_IN4=(10.10.0.1 10.10.0.2)
TOPO_IN6=(fd00:10::1 fd00:10::2)
TOPO_UL=(ul-a ul-b)

# topo_gateways NS_A NS_B: the two namespaces and their underlay (no tunnel).
topo_gateways() {
	local side ns nss=("$1" "$2")
	ns_create "$1" "$2"
	run ip link add ul-a netns "$1" type veth peer name ul-b netns "$2"
	for side in 0 1; do
		ns=${nss[$side]}
		run ip -n "$ns" addr add "${TOPO_UL4[$side]}/24" dev "${TOPO_UL[$side]}"
		run ip -n "$ns" addr add "${TOPO_UL6[$side]}/64" dev "${TOPO_UL[$side]}" nodad
		run ip -n "$ns" link set "${TOPO_UL[$side]}" up
	done
	TOPO_NS=("$1" "$2")
}

# topo_spoke NS_HUB NS UL_HUB UL ADDR: one more gateway NS, with the IPv4
# underlay address ADDR (192.0.2.0/24) on its own veth (UL_HUB -- UL) to the
# hub, which keeps its address of ul-a and reaches ADDR by a host route.
topo_spoke() {
	local hub=$1 ns=$2 ulh=$3 ul=$4 addr=$5
	ns_create "$ns"
	run ip link add "$ulh" netns "$hub" type veth peer name "$ul" netns "$ns"
	run ip -n "$ns" addr add "$addr/24" dev "$ul"
	run ip -n "$ns" link set "$ul" up
	run ip -n "$hub" link set "$ulh" up
	run ip -n "$hub" route add "$addr/32" dev "$ulh"
}

# topo_tunnel NS SIDE KIND DEV [IFID]: the tunnel interface of gateway SIDE
# (0 = A, 1 = B) with the inner addresses.  KIND esptun, or xfrm: an xfrm
# interface on the underlay with if_id IFID (MTU 1390, esptun's default, so
# both ends agree on the MSS).  No IPv6 link-local address: only the test's
# own traffic crosses the tunnel.
topo_tunnel() {
	local ns=$1 side=$2 kind=$3 dev=$4 ifid=${5:-}
	case "$kind" in
	esptun)	run ip -n "$ns" link add "$dev" type esptun ;;
	xfrm)	run ip -n "$ns" link add "$dev" mtu 1390 type xfrm \
			dev "${TOPO_UL[$side]}" if_id "$ifid" ;;
	*)	fail "topo_tunnel: unknown kind $kind" ;;
	esac
	run ip -n "$ns" link set "$dev" addrgenmode none
	run ip -n "$ns" addr add "${TOPO_IN4[$side]}/24" dev "$dev"
	run ip -n "$ns" addr add "${TOPO_IN6[$side]}/64" dev "$dev" nodad
	run ip -n "$ns" link set "$dev" up
}

# esptun_peer_sa NS DEV DIR SRC DST SPI ARGS...: `esptun sa add`, ARGS in
# ip-xfrm vocabulary (aead/enc/auth-trunc, flag esn, encap, sel...).
esptun_peer_sa() {
	local ns=$1 dev=$2 dir=$3 src=$4 dst=$5 spi=$6
	shift 6
	run ip netns exec "$ns" "$ESPTUN" sa add dev "$dev" dir "$dir" \
		src "$src" dst "$dst" spi "$spi" "$@"
}

# xfrm_peer_sa NS IFID DIR SRC DST SPI ARGS...: the same SA for Linux's own
# IPsec behind an xfrm interface with IFID: a tunnel-mode state (ARGS: ip
# xfrm state words) and the policies, for any IPv4 and IPv6 inner traffic,
# that send the interface's packets through it (out) or accept what it
# decapsulates (in, fwd).  Inner and outer families differ (4in6, 6in4)
# only with "flag af-unspec" in ARGS.
xfrm_peer_sa() {
	local ns=$1 ifid=$2 dir=$3 src=$4 dst=$5 spi=$6 sel pdir pdirs=out cmds
	shift 6
	[ "$dir" = in ] && pdirs="in fwd"
	run ip -n "$ns" xfrm state add src "$src" dst "$dst" proto esp \
		spi "$spi" reqid "$ifid" mode tunnel if_id "$ifid" "$@"
	# One `ip -batch` per selector family (every process counts under
	# TCG), not more: `ip xfrm policy add` keeps the family of the
	# selector in a global (preferred_family) that the next line of the
	# batch would inherit.
	for sel in 0.0.0.0/0 ::/0; do
		cmds=
		for pdir in $pdirs; do
			cmds+="xfrm policy add src $sel dst $sel dir $pdir if_id $ifid"
			cmds+=" tmpl src $src dst $dst proto esp reqid $ifid mode tunnel"$'\n'
		done
		sed "/^$/d; s/^/+ ip -n $ns /" <<< "$cmds"
		ip -n "$ns" -batch - <<< "$cmds" ||
			fail "ip -n $ns -batch: xfrm policy for SA $spi failed"
	done
}

# xfrm_peer_flush NS: removes every xfrm state and policy of NS.
xfrm_peer_flush() {
	echo "+ ip -n $1 xfrm state flush; ip -n $1 xfrm policy flush"
	ip -n "$1" -batch - <<< $'xfrm state flush\nxfrm policy flush' ||
		fail "ip -n $1 xfrm state/policy flush failed"
}

# espinudp_socket NS PORT: what an IKE daemon does for NAT-T: UDP sockets
# (IPv4 and IPv6) on PORT with UDP_ENCAP_ESPINUDP, without which xfrm does not
# receive ESP in UDP.  Killed at exit, or with bg_stop $BG_PID.
espinudp_socket() {
	ns_bg "$1" python3 "$ESPTUN_TOP/selftests/lib/espinudp.py" "$2"
	wait_for 10 _udp_bound "$1" "$2" ||
		fail "no UDP_ENCAP_ESPINUDP socket on port $2 in $1"
}

_udp_bound() {
	[ "$(ip netns exec "$1" ss -Huln "sport = :$2" | wc -l)" -ge 2 ]
}
