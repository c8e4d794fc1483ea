#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the packet-level esptun selftests (replay, malformed packets,
# SA lifetimes): a sender and a receiver namespace joined by a veth pair,
# native xfrm SAs for the side that is not esptun, hand-made ESP packets
# (lib/esp_pkt.py) and exact counter deltas.
#
# Source after esptun_lib.sh:
#	. "$(dirname "$0")/lib/esptun_lib.sh"
#	. "$(dirname "$0")/lib/esptun_pkt.sh"

# Debian's python (scapy, cryptography), whatever python3 comes first in PATH.
PK_PY=${PK_PY:-/usr/bin/python3}
PK_HELPER=$ESPTUN_TOP/selftests/lib/esp_pkt.py
export ESPTUN

# Underlay: sender side .1, receiver side .2.
PK_S4=192.0.2.1
PK_R4=192.0.2.2
PK_S6=2001:db8:ff::1
PK_R6=2001:db8:ff::2
# Inner networks: sender 10.0.1.0/24 (fd00:1::/64), receiver 10.0.2.0/24.
PK_SIN4=10.0.1.1
PK_RIN4=10.0.2.1
PK_SIN6=fd00:1::1
PK_RIN6=fd00:2::1

# Keys: null encryption with HMAC-SHA256 (32-byte key), AES-GCM-128 (16-byte
# key + 4-byte salt), AES-CBC-128.
PK_HKEY=0x$(printf '%064x' 0x1122334455667788)
PK_GKEY=0x000102030405060708090a0b0c0d0e0fdeadbeef
PK_CKEY=0x$(printf '%032x' 0xc0ffee)

# Scratch directory, removed at exit together with the namespaces.
PK_TMP=$(mktemp -d /tmp/esptun-pkt.XXXXXX)
_pk_pids=()
_pk_cleanup() {
	local p
	for p in "${_pk_pids[@]}"; do
		kill "$p" 2> /dev/null
	done
	for p in "${_pk_pids[@]}"; do
		wait "$p" 2> /dev/null
	done
	if [ -n "${PK_SRV_W:-}" ]; then
		# Background commands may hold PK_SRV_W too: no waiting for EOF.
		exec {PK_SRV_W}>&-
		kill "$PK_SRV_PID" 2> /dev/null
		wait "$PK_SRV_PID" 2> /dev/null
	fi
	rm -rf "$PK_TMP"
	_esptun_cleanup
}
trap _pk_cleanup EXIT

# pk_bg CMD...: runs CMD in the background; sets PK_PID, which is killed at
# exit if still running.
pk_bg() {
	"$@" &
	PK_PID=$!
	_pk_pids+=("$PK_PID")
}

pk_py() { "$PK_PY" "$PK_HELPER" "$@"; }

# pk_need_python: skip unless Debian's python has what the helper needs.
pk_need_python() {
	"$PK_PY" -c 'import cryptography' 2> /dev/null ||
		skip "$PK_PY lacks the cryptography module (python3-cryptography)"
}

# pk_underlay NS_S NS_R: veth ul-s (in NS_S, .1) <-> ul-r (in NS_R, .2) over
# 192.0.2.0/24 and 2001:db8:ff::/64.
pk_underlay() {
	local s=$1 r=$2
	run ip link add ul-s netns "$s" type veth peer name ul-r netns "$r"
	run ip -n "$s" addr add $PK_S4/24 dev ul-s
	run ip -n "$r" addr add $PK_R4/24 dev ul-r
	run ip -n "$s" addr add $PK_S6/64 dev ul-s nodad
	run ip -n "$r" addr add $PK_R6/64 dev ul-r nodad
	run ip -n "$s" link set ul-s up
	run ip -n "$r" link set ul-r up
}

# pk_inner NS DEV ADDR4 ADDR6: inner addresses on DEV (a dummy for native
# xfrm, the esptun interface otherwise).
pk_inner() {
	run ip -n "$1" addr add "$3"/32 dev "$2"
	run ip -n "$1" addr add "$4"/128 dev "$2" nodad
	run ip -n "$1" link set "$2" up
}

# pk_esptun_dev NS DEV LOCAL4 REMOTE_NET4 [LOCAL6 REMOTE_NET6]: an esptun
# interface with an inner address and a route to the peer's inner network.
# Without IPv6 addresses IPv6 is off on DEV, so that no MLD report sneaks
# through the SAs and spoils exact counts.
pk_esptun_dev() {
	local ns=$1 dev=$2 l4=$3 r4=$4 l6=${5:-} r6=${6:-}
	run ip -n "$ns" link add "$dev" type esptun
	if [ -z "$l6" ]; then
		run ip netns exec "$ns" sysctl -qw net.ipv6.conf.$dev.disable_ipv6=1
	fi
	run ip -n "$ns" addr add "$l4"/32 dev "$dev"
	[ -z "$l6" ] || run ip -n "$ns" addr add "$l6"/128 dev "$dev" nodad
	run ip -n "$ns" link set "$dev" up
	run ip -n "$ns" route add "$r4" dev "$dev"
	[ -z "$r6" ] || run ip -n "$ns" route add "$r6" dev "$dev"
}

# pk_xfrm_policy NS DIR SRC DST TSRC TDST REQID: tunnel-mode policy (and fwd
# for DIR in) from inner prefix SRC to DST through outer TSRC -> TDST.
pk_xfrm_policy() {
	local ns=$1 dir=$2 src=$3 dst=$4 tsrc=$5 tdst=$6 reqid=$7 d
	for d in $dir $([ "$dir" = in ] && echo fwd); do
		run ip -n "$ns" xfrm policy add src "$src" dst "$dst" dir "$d" \
			tmpl src "$tsrc" dst "$tdst" proto esp mode tunnel \
			reqid "$reqid"
	done
}

# pk_xfrm_stat NS NAME: a counter of /proc/net/xfrm_stat in NS.
pk_xfrm_stat() {
	ip netns exec "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/xfrm_stat
}

# pk_xfrm_sa NS SPI FIELD: packets|bytes|replay|replay-window|failed of the
# native xfrm SA with SPI, from `ip -s xfrm state` (awk: python starts slowly
# under TCG).
pk_xfrm_sa() {
	ip -n "$1" -s xfrm state list spi "$2" | awk -v f="$3" '
		/\(bytes\), .*\(packets\)/ {
			s = $0
			gsub(/[(),]/, " ", s)
			split(s, x, " ")
			v["bytes"] = x[1]; v["packets"] = x[3]
		}
		$1 == "replay-window" && $3 == "replay" {
			v["replay-window"] = $2; v["replay"] = $4; v["failed"] = $6
		}
		END { print (f in v) ? v[f] : "none" }'
}

# pk_snmp NS KEY: a counter from /proc/net/snmp (Icmp.InEchos) or
# /proc/net/snmp6 (Icmp6InEchos) in NS.
pk_snmp() {
	ip netns exec "$1" awk -v k="$2" '
		FILENAME ~ /snmp6$/ { if ($1 == k) print $2; next }
		{
			split(k, g, ".")
			if ($1 != g[1] ":") next
			if (!hdr) { for (i = 2; i <= NF; i++) if ($i == g[2]) col = i; hdr = 1; next }
			if (col) print $col
			exit
		}' /proc/net/snmp6 /proc/net/snmp
}

# pk_call NS ARGS...: `esp_pkt.py ARGS` in NS, through one esp_pkt.py
# serve for the whole test (a Python start per packet costs seconds under
# TCG).  Sets PK_OUT to what it printed; returns its exit status.  Call it
# from the test's own shell, not from $(...): the server is started there.
PK_SRV_PID=
pk_call() {
	local ns=$1 rc=1 b64=
	shift
	if [ -z "$PK_SRV_PID" ]; then
		coproc PK_SRV { exec "$PK_PY" "$PK_HELPER" serve 2>&1; }
		# Own copies: bash drops the coproc's fds when it exits, and
		# the server must see EOF when the test closes PK_SRV_W.
		exec {PK_SRV_W}>&"${PK_SRV[1]}" {PK_SRV_R}<&"${PK_SRV[0]}"
		eval "exec ${PK_SRV[1]}>&- ${PK_SRV[0]}<&-"
	fi
	(IFS=$'\x1f'; printf '%s\n' "$ns$IFS$*") >&"$PK_SRV_W" 2> /dev/null &&
		IFS=' ' read -r rc b64 <&"$PK_SRV_R" ||
		fail "esp_pkt.py serve ended (request: $*)"
	PK_OUT=$(printf '%s' "$b64" | base64 -d)
	return "$rc"
}

# pk_send NS ARGS...: hand-made ESP from NS (esp_pkt.py send ARGS).
pk_send() {
	local ns=$1
	shift
	echo "+ esp_pkt send $*"
	pk_call "$ns" send "$@" ||
		fail "esp_pkt.py send $* failed in $ns: $PK_OUT"
	[ -z "$PK_OUT" ] || echo "$PK_OUT"
}

# pk_wait_eq WHAT WANT CMD...: polls CMD (up to 5 s) until it prints WANT.
pk_wait_eq() {
	local what=$1 want=$2 got i
	shift 2
	for i in $(seq 50); do
		got=$("$@")
		[ "$got" = "$want" ] && return 0
		sleep 0.1
	done
	fail "$what: got '$got', want '$want'"
}

# pk_esptun NS ARGS...: the CLI in NS.
pk_esptun() {
	local ns=$1
	shift
	ip netns exec "$ns" "$ESPTUN" "$@"
}

# pk_sa NS EXPR [DEV]: Python expression over sas = `esptun sa list -j`.
# (Through a file: 10,000 SAs do not fit in an argument.)
pk_sa() {
	local j=$PK_TMP/sa.json
	pk_esptun "$1" sa list ${3:+dev "$3"} -j > "$j" ||
		fail "esptun sa list -j failed in $1"
	"$PK_PY" -c '
import json, sys
sas = json.load(open(sys.argv[1]))
def sa(dir, spi):
	m = [s for s in sas if s["dir"] == dir and s["spi"] == spi]
	return m[0] if m else None
print(eval(sys.argv[2]))' "$j" "$2" ||
		fail "esptun sa list -j does not parse or lacks '$2': $(head -c 2000 "$j")"
}

# pk_snap NS DEV: remembers every counter of DEV and its SAs.
pk_snap() {
	pk_call "$1" snap --dev "$2" --out "$PK_TMP/snap" ||
		fail "cannot read the counters of $2 in $1: $PK_OUT"
}

# pk_delta NS DEV WHAT KEY=N...: since pk_snap (or the last pk_delta),
# exactly these counters moved by N (? = 0 or 1), every other one stayed.
# Keys: drops.rx-icv, stats.rx.dropped, sa.in.0x1000.icv-fail ...
pk_delta() {
	local ns=$1 dev=$2 what=$3
	shift 3
	pk_call "$ns" delta --dev "$dev" --before "$PK_TMP/snap" "$@" ||
		fail "$what: $PK_OUT (esptun show -j: $(pk_esptun "$ns" show "$dev" -j); sa list -j: $(pk_esptun "$ns" sa list dev "$dev" -j))"
	log "$what: ok ($*)"
}

# pk_monitor NS FILE: `esptun monitor -j` in NS into FILE, in the background.
pk_monitor() {
	pk_bg ip netns exec "$1" "$ESPTUN" monitor -j > "$2" 2>&1
	PK_MON_PID=$PK_PID
	sleep 0.5
	kill -0 "$PK_MON_PID" 2> /dev/null ||
		fail "esptun monitor -j exited at once: $(cat "$2")"
}

# pk_wait_event FILE PYEXPR [SECONDS]: waits until a JSON line e of FILE
# satisfies PYEXPR.
pk_wait_event() {
	local file=$1 expr=$2 secs=${3:-10} i
	for i in $(seq $((secs * 5))); do
		"$PK_PY" -c '
import json, sys
for l in open(sys.argv[1]):
	try:
		e = json.loads(l)
	except ValueError:
		continue
	if eval(sys.argv[2]):
		sys.exit(0)
sys.exit(1)' "$file" "$expr" && return 0
		sleep 0.2
	done
	fail "no event matching '$expr' within ${secs}s; monitor saw: $(cat "$file")"
}
