#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# esptund against esptund: two gateways, each with esptund and an esptun
# interface (lib/ike_lib.sh):
#
#   is-a: esptund, esp0                        is-b: esptund, esp0
#   lo 10.1.0.1 fd00:1::1                      lo 10.2.0.1 fd00:2::1
#   ul-a 192.0.2.1 ------------ veth ---------- ul-b 192.0.2.2
#
# For PSK, RSA-2048 and ECDSA P-256 certificates (each with its own
# proposals), A initiates: both ends show the IKE SA ESTABLISHED and the
# Child SA INSTALLED in `esptun ike list`; ping both ways and iperf3 both
# ways through the tunnel; only ESP on the wire (nft counters on ul-b);
# each end's outbound SPI is the other's inbound one, in `esptun sa list`
# and in `esptun ike list`.
#
# ESPTUN_QUICK=1, and the debug kernel (with ESPTUN_IKE_DEBUG=1), run PSK and ECDSA.
# ESPTUN_IKE_CASES=REGEX runs only the cases whose name matches.
# It does not skip when esptund fails: it fails.
. "$(dirname "$0")/lib/esptun_lib.sh"
. "$(dirname "$0")/lib/ike_lib.sh"

ike_skip_debug_kernel

command -v openssl > /dev/null || skip "openssl is not installed"
for c in iperf3 nft ss ping python3; do
	command -v $c > /dev/null || skip "$c is not installed"
done

A=is-a B=is-b
quick=${ESPTUN_QUICK:-}
if [ -z "$quick" ]; then
	quick=0
	esptun_debug_kernel && quick=1
fi
case_re=${ESPTUN_IKE_CASES:-.}

# "NAME AUTH IKE_PROPOSALS ESP_PROPOSALS"
cases=(
	"psk psk aes256gcm16-prfsha256-curve25519 aes256gcm16"
	"ecdsa ecdsa aes256-sha384-ecp384 chacha20poly1305"
	"rsa rsa aes128gcm16-prfsha512-modp2048 aes256-sha512"
)
[ "$quick" = 1 ] && cases=("${cases[@]:0:2}")
sel=()
for c in "${cases[@]}"; do [[ ${c%% *} =~ $case_re ]] && sel+=("$c"); done
[ ${#sel[@]} -gt 0 ] || skip "no case matches ESPTUN_IKE_CASES=$case_re"

T0=$(now_ms)
ike_topo $A $B
ike_tunnel $A 0 esptun esp0
ike_tunnel $B 1 esptun esp0
ike_wire_counters $B ul-b
if [[ " ${sel[*]} " = *" rsa "* || " ${sel[*]} " = *" ecdsa "* ]]; then
	t=$(now_ms)
	ike_make_certs a b
	log "certificates made in $(ms_since "$t")s"
fi
NSS=($A $B)

# start_side SIDE N AUTH IKE ESP: esptund eSIDE with connection cN.
start_side() {
	local me=$1 peer=$((1 - $1))
	ike_conf_defaults
	IKE_CONN=c$2 IKE_AUTH=$3 IKE_PROPOSALS=$4 IKE_ESP_PROPOSALS=$5
	IKE_LOCAL=${TOPO_UL4[$me]} IKE_REMOTE=${TOPO_UL4[$peer]}
	IKE_LOCAL_ID=$([ "$me" = 0 ] && echo a || echo b).$IKE_DOMAIN
	IKE_REMOTE_ID=$([ "$peer" = 0 ] && echo a || echo b).$IKE_DOMAIN
	IKE_LOCAL_TS=${IKE_NET4[$me]},${IKE_NET6[$me]}
	IKE_REMOTE_TS=${IKE_NET4[$peer]},${IKE_NET6[$peer]}
	IKE_IFNAME=esp0
	esptund_start "${NSS[$me]}" "e$me"
}

# check_spis: A's out SA is B's in SA and the other way round, in esptun's
# SAs and in `esptun ike list` at both ends.
check_spis() {
	local sa0 sa1 l0 l1
	sa0=$(ip netns exec $A "$ESPTUN" sa list dev esp0 -j) || fail "esptun sa list in $A"
	sa1=$(ip netns exec $B "$ESPTUN" sa list dev esp0 -j) || fail "esptun sa list in $B"
	l0=$(esptund_list e0) || fail "esptun ike list -j (A): $l0"
	l1=$(esptund_list e1) || fail "esptun ike list -j (B): $l1"
	python3 - "$sa0" "$sa1" "$l0" "$l1" <<'EOF' || fail "Child SA SPIs differ"
import json, sys
errs = []
sa = [json.loads(a) for a in sys.argv[1:3]]
spis = [{d: sorted(s["spi"] for s in x if s["dir"] == d) for d in ("in", "out")} for x in sa]
kids = []
for a in sys.argv[3:5]:
    d = json.loads(a)
    ikes = d.get("ike_sas", []) if isinstance(d, dict) else d
    kids.append([c for s in ikes for c in s.get("children", [])])
for side in (0, 1):
    print(f"    {'AB'[side]}: esptun in {[hex(s) for s in spis[side]['in']]}"
          f" out {[hex(s) for s in spis[side]['out']]}; esptun ike list "
          f"{[(c.get('spi_in'), c.get('spi_out')) for c in kids[side]]}")
    if len(spis[side]["in"]) != 1 or len(spis[side]["out"]) != 1:
        errs.append(f"{'AB'[side]}: not exactly one SA each way")
if not errs:
    for side in (0, 1):
        if spis[side]["out"] != spis[1 - side]["in"]:
            errs.append(f"{'AB'[side]}'s outbound SPI is not {'AB'[1 - side]}'s inbound")
        k = kids[side]
        if len(k) != 1:
            errs.append(f"{'AB'[side]}: esptun ike list shows {len(k)} Child SAs, want 1")
        elif (int(k[0]["spi_in"], 16), int(k[0]["spi_out"], 16)) != \
                (spis[side]["in"][0], spis[side]["out"][0]):
            errs.append(f"{'AB'[side]}: esptun ike list SPIs are not esp0's")
for m in errs:
    print("    " + m)
sys.exit(1 if errs else 0)
EOF
}

# run_case N NAME AUTH IKE ESP (in a subshell)
run_case() {
	local n=$1 t=$(now_ms) t_up
	ike_subshell
	start_side 1 "$n" "$3" "$4" "$5"
	start_side 0 "$n" "$3" "$4" "$5"
	esptund_initiate e0
	ike_wait 30 "A established" esptund_established e0
	ike_wait 20 "B established" esptund_established e1
	t_up=$(ms_since "$t")
	ike_wire_reset $B
	ike_ping $A "${IKE_LAN4[1]}"
	ike_ping $B "${IKE_LAN6[0]}"
	ike_iperf $B $A "${IKE_LAN4[1]}"
	ike_wire_check $B 100000
	check_spis
	echo "    time: up ${t_up}s, checked $(ms_since "$t")s"
}

passed=0
failed=()
n=0
for spec in "${sel[@]}"; do
	set -- $spec
	n=$((n + 1))
	t0=$(now_ms)
	echo "# --- $n/${#sel[@]}: $spec"
	(run_case $n "$@")
	rc=$?
	for ns in $A $B; do
		ip netns exec $ns "$ESPTUN" sa flush dev esp0 > /dev/null 2>&1
	done
	if [ $rc = 0 ]; then
		passed=$((passed + 1))
		echo "# ok $n $1 ($(ms_since "$t0")s)"
	else
		failed+=("$1")
		echo "# not ok $n $1 ($(ms_since "$t0")s)"
	fi
done
log "$passed passed, ${#failed[@]} failed in $(ms_since "$T0")s"
[ ${#failed[@]} = 0 ] || fail "failed: ${failed[*]}"
exit 0
