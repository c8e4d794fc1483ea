#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Interoperability: an ESP tunnel between two gateway namespaces (lib:
# topo_gateways), for each combination of
#   peers    esptun<->esptun, esptun<->xfrm (Linux's own IPsec behind an xfrm
#            interface), and xfrm<->xfrm as the reference that proves the
#            xfrm side and the checks themselves;
#   cipher   AES-GCM 128/192/256 (ICV 128, 64, 96), ChaCha20-Poly1305,
#            AES-CBC with HMAC-SHA-256/384/512, null encryption + HMAC;
#   family   4in4, 6in4, 4in6, 6in6 (inner in outer);
#   ESN      on or off;
#   NAT-T    ESP in UDP 4500 or plain ESP.
# Each one: ping both ways, 1 MiB of TCP (iperf3) each way (256 KiB on the
# debug kernel, where TCP runs at a few Mbit/s); on the underlay
# the traffic is ESP (or ESP in UDP) and nothing in clear (nft counters); the
# tunnel interfaces and esptun's SAs counted it, without drops or errors.
# Then a hub with two peers whose outbound SAs are chosen by selector.
#
# The full matrix (30 tunnels: not the whole product, but every cipher in
# two families, every family with and without ESN and NAT-T, each peer
# pairing) takes a few minutes on Debian's kernel under TCG.
# ESPTUN_QUICK=1, and the debug kernel, run a reduced one that still covers
# every cipher, family, ESN and NAT-T setting and every peer pairing.
# ESPTUN_INTEROP_PEERS="esptun-xfrm ..." limits the peer pairings.
# Every combination runs even after one failed; the test fails at the end.
. "$(dirname "$0")/lib/esptun_lib.sh"

for c in iperf3 nft ss ping python3; do
	command -v $c > /dev/null || skip "$c is not installed"
done

NS_A=io-a NS_B=io-b
IFID=42
NATT_PORT=4500
IPERF_PORT=5201
quick=${ESPTUN_QUICK:-}
if [ -z "$quick" ]; then
	quick=0
	# The debug kernel (KASAN, lockdep...) is several times slower.
	esptun_debug_kernel && quick=1
fi
# xfrm-xfrm checks the test itself against Linux alone; on the debug kernel,
# where the point is esptun's own code under KASAN and lockdep, it is left
# to the Debian kernel's run.
peers_default="xfrm-xfrm esptun-esptun esptun-xfrm"
esptun_debug_kernel && peers_default="esptun-esptun esptun-xfrm"
peers_wanted=${ESPTUN_INTEROP_PEERS:-$peers_default}
# TCP bytes each way, and the floor the receiving side's counters must
# reach (iperf3 -n stops once the sender wrote its bytes, not once they
# arrived): a quarter.
TCP_BYTES=1M TCP_FLOOR=$((1 << 18))
esptun_debug_kernel && TCP_BYTES=256K TCP_FLOOR=$((1 << 16))
work=$(mktemp -d /tmp/interop.XXXXXX) || fail "mktemp"
trap '_esptun_cleanup; rm -rf "$work"' EXIT

# now_ms; ms_since T: seconds since T (now_ms), one decimal.
now_ms() { local t=${EPOCHREALTIME//[^0-9]/}; echo $((10#$t / 1000)); }
ms_since() {
	local d=$(($(now_ms) - $1))
	printf '%d.%d' $((d / 1000)) $((d % 1000 / 100))
}

# hexkey BYTES SEED: a key that differs for every SEED.
hexkey() {
	local i b k=0x
	for ((i = 0; i < $1; i++)); do
		printf -v b %02x $(((i * 29 + $2 * 53 + 7) & 255))
		k+=$b
	done
	echo "$k"
}

# cipher_args CIPHER SEED: sets ALG, the algorithm words of an SA; esptun
# and ip xfrm share the vocabulary.
cipher_args() {
	local s=$2 a=$(($2 + 1000))
	case "$1" in
	gcm128)	ALG=(aead 'rfc4106(gcm(aes))' "$(hexkey 20 $s)" 128) ;;
	gcm192)	ALG=(aead 'rfc4106(gcm(aes))' "$(hexkey 28 $s)" 128) ;;
	gcm256)	ALG=(aead 'rfc4106(gcm(aes))' "$(hexkey 36 $s)" 128) ;;
	gcm128-icv64) ALG=(aead 'rfc4106(gcm(aes))' "$(hexkey 20 $s)" 64) ;;
	gcm256-icv96) ALG=(aead 'rfc4106(gcm(aes))' "$(hexkey 36 $s)" 96) ;;
	chacha20poly1305)
		ALG=(aead 'rfc7539esp(chacha20,poly1305)' "$(hexkey 36 $s)" 128) ;;
	cbc128-sha256)
		ALG=(enc 'cbc(aes)' "$(hexkey 16 $s)"
		     auth-trunc 'hmac(sha256)' "$(hexkey 32 $a)" 128) ;;
	cbc192-sha384)
		ALG=(enc 'cbc(aes)' "$(hexkey 24 $s)"
		     auth-trunc 'hmac(sha384)' "$(hexkey 48 $a)" 192) ;;
	cbc256-sha512)
		ALG=(enc 'cbc(aes)' "$(hexkey 32 $s)"
		     auth-trunc 'hmac(sha512)' "$(hexkey 64 $a)" 256) ;;
	null-sha256)
		ALG=(enc cipher_null ""
		     auth-trunc 'hmac(sha256)' "$(hexkey 32 $a)" 128) ;;
	*)	fail "unknown cipher $1" ;;
	esac
}

CIPHERS=(gcm128 gcm192 gcm256 gcm128-icv64 gcm256-icv96 chacha20poly1305
	 cbc128-sha256 cbc192-sha384 cbc256-sha512 null-sha256)
FAMS=(4in4 6in4 4in6 6in6)

# The matrix: "PEERS CIPHER FAMILY ESN NATT" per line.
combos=()
add() { [[ " $peers_wanted " = *" $1 "* ]] && combos+=("$*"); }
if [ "$quick" = 1 ]; then
	add xfrm-xfrm gcm128 6in6 1 1
	# Every family, ESN and NAT-T: both settings each over IPv4 and
	# over IPv6 outer headers.
	for f in 0 1 2 3; do
		m=$((3 - f))
		add esptun-esptun "${CIPHERS[$((f * 3))]}" "${FAMS[$f]}" $((m & 1)) $((m >> 1))
	done
	# Each cipher once; every family with NAT-T on and off.
	for c in "${!CIPHERS[@]}"; do
		m=$(((c + 2 * (c / 4)) % 4))
		add esptun-xfrm "${CIPHERS[$c]}" "${FAMS[$((c % 4))]}" $((m & 1)) $((m >> 1))
	done
else
	# The reference: both directions of af-unspec, ESN, NAT-T.
	add xfrm-xfrm gcm128 6in4 1 0
	add xfrm-xfrm gcm128 4in6 0 1
	# Every family with NAT-T on and off, ESN alternating, the ciphers
	# in turn.
	for f in 0 1 2 3; do
		for natt in 0 1; do
			i=$((2 * f + natt))
			add esptun-esptun "${CIPHERS[$((i % ${#CIPHERS[@]}))]}" \
				"${FAMS[$f]}" $(((f + natt) & 1)) $natt
		done
	done
	# Every cipher in two families, every family five times; each cipher
	# once with NAT-T and once without, ESN varying with cipher and
	# family.
	for c in "${!CIPHERS[@]}"; do
		for f in $((c % 4)) $(((c + 2) % 4)); do
			m=$(((c / 4 + f) % 4))
			add esptun-xfrm "${CIPHERS[$c]}" "${FAMS[$f]}" $((m & 1)) $((m >> 1))
		done
	done
fi
[ ${#combos[@]} -gt 0 ] || skip "no combination selected (ESPTUN_INTEROP_PEERS=$peers_wanted)"

# --- Topology ---------------------------------------------------------------
topo_gateways $NS_A $NS_B
# What crosses B's underlay, both ways: ESP, ESP in UDP, and inner traffic
# in clear (TCP, echo requests and replies), which must never be there.
# Netdev hooks see what really crosses the wire (inet hooks also see xfrm's
# inner packets on their way into the transform).
run ip netns exec $NS_B nft -f - <<EOF
table netdev ul {
	counter esp_in {}
	counter esp_out {}
	counter udp_in {}
	counter udp_out {}
	counter clear_in {}
	counter clear_out {}
	chain in {
		type filter hook ingress device "ul-b" priority 0; policy accept;
		meta l4proto 50 counter name "esp_in"
		udp dport $NATT_PORT counter name "udp_in"
		meta l4proto tcp counter name "clear_in"
		icmp type { echo-request, echo-reply } counter name "clear_in"
		icmpv6 type { echo-request, echo-reply } counter name "clear_in"
	}
	chain out {
		type filter hook egress device "ul-b" priority 0; policy accept;
		meta l4proto 50 counter name "esp_out"
		udp dport $NATT_PORT counter name "udp_out"
		meta l4proto tcp counter name "clear_out"
		icmp type { echo-request, echo-reply } counter name "clear_out"
		icmpv6 type { echo-request, echo-reply } counter name "clear_out"
	}
}
EOF

NSS=("$NS_A" "$NS_B")
KIND=(none none)
DEV=(none none)
encap_pids=()

# setup_peers PEERS: tunnel interfaces of the kinds PEERS names ("esptun-xfrm":
# esptun at A, xfrm at B), replacing the previous ones.
setup_peers() {
	local side pid
	for side in 0 1; do
		[ "${DEV[$side]}" != none ] && run ip -n "${NSS[$side]}" link del "${DEV[$side]}"
		xfrm_peer_flush "${NSS[$side]}"
	done
	for pid in "${encap_pids[@]}"; do
		bg_stop "$pid"
	done
	encap_pids=()
	KIND=("${1%-*}" "${1#*-}")
	for side in 0 1; do
		case "${KIND[$side]}" in
		esptun)	DEV[$side]=esp0
			topo_tunnel "${NSS[$side]}" $side esptun esp0
			# Receives ESP in UDP for the NAT-T combinations; plain
			# ESP must work regardless.
			run ip netns exec "${NSS[$side]}" "$ESPTUN" set esp0 \
				listen-port $NATT_PORT ;;
		xfrm)	DEV[$side]=ipsec0
			topo_tunnel "${NSS[$side]}" $side xfrm ipsec0 $IFID
			espinudp_socket "${NSS[$side]}" $NATT_PORT
			encap_pids+=("$BG_PID") ;;
		esac
	done
}
# peer_sa SIDE DIR SRC DST SPI SEED: one SA at SIDE, in that side's tongue.
peer_sa() {
	local side=$1 dir=$2 src=$3 dst=$4 spi=$5 ns=${NSS[$1]} flags=()
	local args
	cipher_args "$cipher" "$6"
	args=("${ALG[@]}")
	if [ "${KIND[$side]}" = esptun ]; then
		[ "$esn" = 1 ] && args+=(flag esn)
		[ "$natt" = 1 ] && args+=(encap espinudp $NATT_PORT $NATT_PORT)
		esptun_peer_sa "$ns" "${DEV[$side]}" "$dir" "$src" "$dst" "$spi" "${args[@]}"
	else
		# ESN needs a replay window in xfrm, even outbound.  Wide
		# enough for the reordering of asynchronous crypto.
		if [ "$esn" = 1 ]; then
			args+=(replay-window 128)
			flags+=(esn)
		else
			args+=(replay-window 128)
		fi
		[ "$inner" != "$outer" ] && flags+=(af-unspec)
		[ ${#flags[@]} -gt 0 ] && args+=(flag "${flags[@]}")
		if [ "$natt" = 1 ]; then
			args+=(encap espinudp $NATT_PORT $NATT_PORT)
			if [ "$outer" = 4 ]; then args+=(0.0.0.0); else args+=(::); fi
		fi
		xfrm_peer_sa "$ns" $IFID "$dir" "$src" "$dst" "$spi" "${args[@]}"
	fi
}

# snapshot TAG: counters before (0) or after (1) the traffic.
snapshot() {
	local side ns
	ip netns exec $NS_B nft -j list counters table netdev ul > "$work/nft$1.json" ||
		fail "nft list counters table netdev ul"
	for side in 0 1; do
		ns=${NSS[$side]}
		[ "${KIND[$side]}" = esptun ] || continue
		# Interface counters (those of ip -s link) and drop reasons.
		ip netns exec "$ns" "$ESPTUN" show "${DEV[$side]}" -j > "$work/show$1-$side.json" ||
			fail "esptun show ${DEV[$side]} -j in $ns"
		[ "$1" = 1 ] || continue
		ip netns exec "$ns" "$ESPTUN" sa list dev "${DEV[$side]}" -j > "$work/sa-$side.json" ||
			fail "esptun sa list dev ${DEV[$side]} -j in $ns"
	done
}
# iperf_servers: an iperf3 server on every address of both gateways, for
# the whole test (restarted after a failure, in case one got stuck).
iperf_pids=()
iperf_servers() {
	local side pid
	for pid in "${iperf_pids[@]}"; do
		bg_stop "$pid"
	done
	iperf_pids=()
	for side in 0 1; do
		ns_bg "${NSS[$side]}" iperf3 -s -p $IPERF_PORT > "$work/iperf-$side.log" 2>&1
		iperf_pids+=("$BG_PID")
		wait_for 10 _listening "${NSS[$side]}" ||
			fail "iperf3 server in ${NSS[$side]} never listened"
	done
}

_listening() { [ -n "$(ip netns exec "$1" ss -Htln "sport = :$IPERF_PORT")" ]; }

# tcp_transfer FROM_SIDE TO_SIDE: TCP_BYTES from one inner address to the
# other.
tcp_transfer() {
	local from=${NSS[$1]} addr out rc
	if [ "$inner" = 4 ]; then addr=${TOPO_IN4[$2]}; else addr=${TOPO_IN6[$2]}; fi
	echo "+ ip netns exec $from iperf3 -c $addr -n $TCP_BYTES"
	out=$(ip netns exec "$from" timeout 60 iperf3 -c "$addr" -p $IPERF_PORT -n $TCP_BYTES 2>&1)
	rc=$?
	grep -E 'sender|receiver' <<< "$out" | sed 's/^/    /'
	if [ $rc != 0 ]; then
		echo "$out" | tail -n 5
		fail "iperf3 -c $addr -n $TCP_BYTES from $from: exit $rc"
	fi
}

# ping_peer FROM_SIDE TO_SIDE
ping_peer() {
	local addr out
	if [ "$inner" = 4 ]; then addr=${TOPO_IN4[$2]}; else addr=${TOPO_IN6[$2]}; fi
	echo "+ ip netns exec ${NSS[$1]} ping -c 3 -i 0.2 -W 2 $addr"
	out=$(ip netns exec "${NSS[$1]}" ping -c 3 -i 0.2 -W 2 "$addr" 2>&1) ||
		fail "ping $addr from ${NSS[$1]}: $(grep -m1 'packet loss' <<< "$out")"
	grep -q ' 0% packet loss' <<< "$out" ||
		fail "ping $addr from ${NSS[$1]} lost packets: $(grep 'packet loss' <<< "$out")"
}

# check: compares the snapshots; prints what it saw, fails on any mismatch.
check() {
	python3 - "$work" "$natt" "$esn" "$spi_ab" "$spi_ba" "$TCP_FLOOR" "${KIND[@]}" <<'EOF'
import json, os, sys
work, natt, esn, spi_ab, spi_ba, bulk, kind_a, kind_b = sys.argv[1:]
natt, esn, spi = natt == "1", esn == "1", (int(spi_ab), int(spi_ba))
BULK = int(bulk)  # TCP_FLOOR
errs = []

def load(name):
    with open(os.path.join(work, name)) as f:
        return json.load(f)

def counters(name):
    return {o["counter"]["name"]: (o["counter"]["packets"], o["counter"]["bytes"])
            for o in load(name)["nftables"] if "counter" in o}

c0, c1 = counters("nft0.json"), counters("nft1.json")
ul = {k: (c1[k][0] - c0[k][0], c1[k][1] - c0[k][1]) for k in c1}
want, other = ("udp", "esp") if natt else ("esp", "udp")
for d in ("in", "out"):
    if ul[f"{want}_{d}"][1] < BULK:
        errs.append(f"underlay {d}: {ul[want + '_' + d][1]} bytes of {want}, want >= 256 KiB")
    if ul[f"{other}_{d}"][0]:
        errs.append(f"underlay {d}: {ul[other + '_' + d][0]} packets of {other}, want none")
    if ul[f"clear_{d}"][0]:
        errs.append(f"underlay {d}: {ul['clear_' + d][0]} inner packets in clear")
print(f"    underlay at B: in {ul[want + '_in'][0]} pkts {ul[want + '_in'][1]} B, "
      f"out {ul[want + '_out'][0]} pkts {ul[want + '_out'][1]} B of {want}")

for side, kind in enumerate((kind_a, kind_b)):
    name = "AB"[side]
    if kind != "esptun":
        continue
    s0, s1 = load(f"show0-{side}.json")[0], load(f"show1-{side}.json")[0]
    for d in ("rx", "tx"):
        got = s1["stats"][d]["bytes"] - s0["stats"][d]["bytes"]
        if got < BULK:
            errs.append(f"{name} {s1['ifname']}: {d} {got} bytes, want >= 256 KiB")
    drops = {k: v - s0["drops"].get(k, 0) for k, v in s1["drops"].items()
             if v != s0["drops"].get(k, 0)}
    if drops:
        errs.append(f"{name} esptun drops: {drops}")
    sas = {(x["dir"], x["spi"]): x for x in load(f"sa-{side}.json")}
    for d, s in (("out", spi[side]), ("in", spi[1 - side])):
        sa = sas.get((d, s))
        if sa is None:
            errs.append(f"{name}: no {d} SA {s:#x} in esptun sa list")
            continue
        st = sa["stats"]
        print(f"    {name} sa {d} {s:#x}: {st}")
        if st["packets"] < 6 or st["bytes"] < BULK:
            errs.append(f"{name} sa {d} {s:#x}: {st['packets']} packets, "
                        f"{st['bytes']} bytes, want >= 6 and >= 256 KiB")
        bad = {k: v for k, v in st.items() if k not in ("packets", "bytes") and v}
        if bad:
            errs.append(f"{name} sa {d} {s:#x}: errors {bad}")
        if ("esn" in sa.get("flags", [])) != esn:
            errs.append(f"{name} sa {d} {s:#x}: flags {sa.get('flags')}, esn {esn}")
        enc = sa.get("encap")
        if natt != bool(enc) or (enc and (enc["sport"], enc["dport"]) != (4500, 4500)):
            errs.append(f"{name} sa {d} {s:#x}: encap {enc}, NAT-T {natt}")
for e in errs:
    print("FAIL: interop:", e)
sys.exit(1 if errs else 0)
EOF
}

# dump_state: everything about both ends, after a failure.
dump_state() { _dump_state 2>&1 | sed 's/^/    /'; }
_dump_state() {
	local side ns
	for side in 0 1; do
		ns=${NSS[$side]}
		echo "## $ns (${KIND[$side]})"
		ip -n "$ns" -s link show "${DEV[$side]}"
		if [ "${KIND[$side]}" = esptun ]; then
			ip netns exec "$ns" "$ESPTUN" show -j
			ip netns exec "$ns" "$ESPTUN" sa list -j
		else
			ip -n "$ns" -s xfrm state
			echo "$(ip -n "$ns" xfrm policy | grep -c '	dir ') policies"
			ip netns exec "$ns" cat /proc/net/xfrm_stat 2> /dev/null | grep -v '\s0$'
		fi
		ip netns exec "$ns" cat /proc/net/snmp /proc/net/snmp6 | grep -E '^Udp[6: ]'
	done
	ip netns exec $NS_B nft list counters table netdev ul | grep -A1 counter | grep -v -- --
}

# run_combo N PEERS CIPHER FAMILY ESN NATT (in a subshell: `fail` ends only it)
run_combo() {
	local n=$1 side ul t=$(now_ms) t_sa t_ping t_tcp
	cipher=$3 inner=${4%in*} outer=${4#*in} esn=$5 natt=$6
	# Only what this subshell starts: the parent owns the NAT-T sockets.
	_esptun_pids=()
	trap bg_stop_all EXIT
	if [ "$outer" = 4 ]; then ul=("${TOPO_UL4[@]}"); else ul=("${TOPO_UL6[@]}"); fi
	spi_ab=$((0x10000 + 2 * n)) spi_ba=$((0x10000 + 2 * n + 1))
	for side in 0 1; do
		if [ "${KIND[$side]}" = esptun ]; then
			run ip netns exec "${NSS[$side]}" "$ESPTUN" sa flush dev "${DEV[$side]}"
		else
			xfrm_peer_flush "${NSS[$side]}"
		fi
	done
	# A->B with keys of seed 2n, B->A with 2n+1.
	peer_sa 0 out "${ul[0]}" "${ul[1]}" $spi_ab $((2 * n))
	peer_sa 0 in "${ul[1]}" "${ul[0]}" $spi_ba $((2 * n + 1))
	peer_sa 1 out "${ul[1]}" "${ul[0]}" $spi_ba $((2 * n + 1))
	peer_sa 1 in "${ul[0]}" "${ul[1]}" $spi_ab $((2 * n))
	snapshot 0
	t_sa=$(ms_since "$t")
	ping_peer 0 1
	ping_peer 1 0
	t_ping=$(ms_since "$t")
	tcp_transfer 0 1
	tcp_transfer 1 0
	t_tcp=$(ms_since "$t")
	snapshot 1
	check || fail "counters"
	echo "    time: SAs ${t_sa}s, pings ${t_ping}s, tcp ${t_tcp}s, checked $(ms_since "$t")s"
}

iperf_servers
# hub_case: gateway A is a hub with B and C behind it, one esptun interface
# for both.  Its outbound SAs are chosen by selector, longest destination
# prefix first: 10.10.0.0/24 goes to B, but 10.10.0.3/32 to C.  The /24 is
# added first, so that a first-match lookup would get it wrong.
hub_case() {
	local k_ab k_ba k_ac k_ca sa
	_esptun_pids=()
	trap bg_stop_all EXIT
	cipher=gcm128
	cipher_args gcm128 201; k_ab=${ALG[2]}
	cipher_args gcm128 202; k_ba=${ALG[2]}
	cipher_args gcm128 203; k_ac=${ALG[2]}
	cipher_args gcm128 204; k_ca=${ALG[2]}
	gcm() { echo aead 'rfc4106(gcm(aes))' "$1" 128; }
	for side in 0 1; do
		run ip netns exec "${NSS[$side]}" "$ESPTUN" sa flush dev esp0
	done
	# shellcheck disable=SC2046
	{
	esptun_peer_sa $NS_A esp0 out 192.0.2.1 192.0.2.2 0x2001 $(gcm "$k_ab") \
		sel src 10.10.0.0/24 dst 10.10.0.0/24
	esptun_peer_sa $NS_A esp0 out 192.0.2.1 192.0.2.3 0x2003 $(gcm "$k_ac") \
		sel src 10.10.0.0/24 dst 10.10.0.3/32
	esptun_peer_sa $NS_A esp0 in 192.0.2.2 192.0.2.1 0x2002 $(gcm "$k_ba") \
		sel src 10.10.0.2/32 dst 10.10.0.0/24
	esptun_peer_sa $NS_A esp0 in 192.0.2.3 192.0.2.1 0x2004 $(gcm "$k_ca") \
		sel src 10.10.0.3/32 dst 10.10.0.0/24
	esptun_peer_sa $NS_B esp0 out 192.0.2.2 192.0.2.1 0x2002 $(gcm "$k_ba")
	esptun_peer_sa $NS_B esp0 in 192.0.2.1 192.0.2.2 0x2001 $(gcm "$k_ab")
	esptun_peer_sa io-c esp0 out 192.0.2.3 192.0.2.1 0x2004 $(gcm "$k_ca")
	esptun_peer_sa io-c esp0 in 192.0.2.1 192.0.2.3 0x2003 $(gcm "$k_ac")
	}
	inner=4
	NSS[2]=io-c
	TOPO_IN4[2]=10.10.0.3
	ping_peer 0 1
	ping_peer 0 2
	ping_peer 1 0
	ping_peer 2 0
	# Each out SA of the hub: 3 requests, 3 replies.
	sa=$(ip netns exec $NS_A "$ESPTUN" sa list dev esp0 -j) || fail "esptun sa list"
	python3 -c '
import json, sys
sas = {x["spi"]: x for x in json.loads(sys.argv[1])}
got = {spi: sas[spi]["stats"]["packets"] for spi in (0x2001, 0x2003, 0x2002, 0x2004)}
print("    hub SA packets:", {hex(k): v for k, v in got.items()})
sys.exit(0 if all(v == 6 for v in got.values()) else 1)' "$sa" ||
		fail "the hub did not choose its SAs by longest destination prefix: $sa"
}

peers_now=
passed=0
failed=()
t_start=$(now_ms)
n=0
for combo in "${combos[@]}"; do
	set -- $combo
	name="$1 $2 $3 $([ "$4" = 1 ] && echo esn || echo no-esn) $([ "$5" = 1 ] && echo natt || echo no-natt)"
	if [ "$1" != "$peers_now" ]; then
		log "peers $1"
		setup_peers "$1"
		peers_now=$1
	fi
	n=$((n + 1))
	t0=$(now_ms)
	echo "# --- $n/${#combos[@]}: $name"
	(run_combo $n "$@")
	rc=$?
	dt=$(ms_since $t0)
	if [ $rc = 0 ]; then
		passed=$((passed + 1))
		echo "# ok $n $name (${dt}s)"
	else
		failed+=("$name")
		echo "# not ok $n $name (${dt}s)"
		dump_state
		iperf_servers
	fi
done

if [[ " $peers_wanted " = *" esptun-esptun "* ]]; then
	log "hub: two peers, outbound SAs by selector"
	setup_peers esptun-esptun
	topo_spoke $NS_A io-c ul-a2 ul-c 192.0.2.3
	topo_tunnel io-c 1 esptun esp0
	run ip -n io-c addr del 10.10.0.2/24 dev esp0
	run ip -n io-c addr add 10.10.0.3/24 dev esp0
	combos+=(hub)
	if (hub_case); then
		passed=$((passed + 1))
		echo "# ok hub selectors"
	else
		failed+=("hub selectors")
		echo "# not ok hub selectors"
		ip netns exec $NS_A "$ESPTUN" show -j | sed 's/^/    /'
	fi
fi
dt=$(ms_since $t_start)
echo "# interop: ${#combos[@]} combinations in ${dt}s: $passed passed, ${#failed[@]} failed"
for f in "${failed[@]}"; do
	echo "#   failed: $f"
done
[ ${#failed[@]} = 0 ] || fail "${#failed[@]} of ${#combos[@]} combinations failed: ${failed[0]}..."
exit $KSFT_PASS
