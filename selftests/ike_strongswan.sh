#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# esptund against strongSwan: gateway A runs esptund with an esptun
# interface, gateway B Debian's charon (5.9.8) with Linux's own IPsec behind
# an xfrm interface (lib/ike_lib.sh):
#
#   ik-a: esptund, esp0                        ik-b: charon, ipsec0 (if_id 42)
#   lo 10.1.0.1 fd00:1::1                      lo 10.2.0.1 fd00:2::1
#   ul-a 192.0.2.1 ------------ veth ---------- ul-b 192.0.2.2
#
# The Child SA carries 10.1.0.0/24, fd00:1::/64 <-> 10.2.0.0/24, fd00:2::/64.
#
# Each case of the matrix negotiates one IKE SA and its Child SA, esptund
# initiating (role i: `esptun ike initiate`; role s: start_action = start)
# or responding (role r: `swanctl --initiate`), with PSK, RSA-2048 or ECDSA
# P-256 certificates, or ECDSA P-384 ones issued by an intermediate CA that
# each end sends along (the other trusts only the root); between them the cases cover the ESP ciphers AES-GCM-16
# 128/256, ChaCha20-Poly1305, AES-CBC-256 with HMAC-SHA2-256/384/512, and the
# DH groups 14, 19, 20, 21, 31 and 32.  After each: ping both ways and
# iperf3 both ways through the tunnel, only ESP on the wire (nft counters
# on ul-b), and the same Child SA SPIs at both ends (charon's xfrm states,
# esptun's SAs, `esptun ike list`).
#
# Then the failures, each asserting the words `esptun ike list` shows and
# what charon says: a wrong PSK (AUTHENTICATION_FAILED, PSK mismatch), no
# common DH group (NO_PROPOSAL_CHOSEN naming the DH transform type), and
# traffic selectors without overlap (TS_UNACCEPTABLE showing both sets).
#
# ESPTUN_QUICK=1, and the debug kernel (with ESPTUN_IKE_DEBUG=1), run 6
# matrix cases (still every cipher, group, authentication and role) and 3
# failures.
# ESPTUN_IKE_CASES=REGEX runs only the cases whose name matches.
# The test skips only when strongSwan is not installed; an esptund that
# does not start or negotiate fails it.
. "$(dirname "$0")/lib/esptun_lib.sh"
. "$(dirname "$0")/lib/ike_lib.sh"

ike_skip_debug_kernel

ike_require_charon
for c in iperf3 nft ss ping python3; do
	command -v $c > /dev/null || skip "$c is not installed"
done

A=ik-a B=ik-b
IFID=42
quick=${ESPTUN_QUICK:-}
if [ -z "$quick" ]; then
	quick=0
	esptun_debug_kernel && quick=1
fi
case_re=${ESPTUN_IKE_CASES:-.}

# What esptund must say (`esptun ike list`, the last_error of the IKE SA or
# its child) and what charon says, per failure.  Extended regexes, matched
# case-insensitively against esptund's messages.
ERR_PSK_R='AUTHENTICATION_FAILED.*PSK mismatch'
ERR_PSK_I='AUTHENTICATION_FAILED.*(pre-shared key|PSK)'
ERR_DH_R='no.proposal.chosen.*\bDH\b'
ERR_DH_I='NO_PROPOSAL_CHOSEN'
ERR_TS='TS_UNACCEPTABLE'

# The matrix: "NAME ROLE AUTH IKE_PROPOSALS ESP_PROPOSALS" per line.
# Quick: the first six (every ESP cipher, every DH group, each
# authentication in both roles).
matrix=(
	"psk-i-gcm128-x25519 i psk aes128gcm16-prfsha256-curve25519 aes128gcm16"
	"psk-r-gcm256-ecp256 r psk aes256gcm16-prfsha384-ecp256 aes256gcm16"
	"rsa-i-chacha-modp2048 i rsa aes256-sha256-modp2048 chacha20poly1305"
	"rsa-r-cbcsha256-ecp384 r rsa chacha20poly1305-prfsha256-ecp384 aes256-sha256"
	"ecdsa-i-cbcsha384-ecp521 i ecdsa aes256-sha384-ecp521 aes256-sha384"
	"ecdsa-r-cbcsha512-x448 r ecdsa aes256-sha512-curve448 aes256-sha512"
	"psk-r-chacha-modp2048 r psk aes256-sha256-modp2048 chacha20poly1305"
	"psk-s-cbcsha512-ecp521 s psk aes256gcm16-prfsha512-ecp521 aes256-sha512"
	"rsa-i-gcm128-x448 i rsa aes128gcm16-prfsha256-curve448 aes128gcm16"
	"rsa-r-gcm256-x25519 r rsa aes256-sha384-curve25519 aes256gcm16"
	"ecdsa-r-cbcsha384-ecp256 r ecdsa aes256gcm16-prfsha256-ecp256 aes256-sha384"
	"ecdsa-i-cbcsha256-ecp384 i ecdsa chacha20poly1305-prfsha384-ecp384 aes256-sha256"
	"chain-r-gcm256-ecp384 r chain aes256gcm16-prfsha384-ecp384 aes256gcm16"
)
# The failures: "NAME ROLE KIND".
failures=(
	"psk-wrong-r r psk"
	"dh-mismatch-i i dh"
	"ts-mismatch-r r ts"
	"psk-wrong-i i psk"
	"dh-mismatch-r r dh"
	"ts-mismatch-i i ts"
)
[ "$quick" = 1 ] && matrix=("${matrix[@]:0:6}") failures=("${failures[@]:0:3}")
sel_matrix=() sel_failures=()
for c in "${matrix[@]}"; do [[ ${c%% *} =~ $case_re ]] && sel_matrix+=("$c"); done
for c in "${failures[@]}"; do [[ ${c%% *} =~ $case_re ]] && sel_failures+=("$c"); done
[ $((${#sel_matrix[@]} + ${#sel_failures[@]})) -gt 0 ] ||
	skip "no case matches ESPTUN_IKE_CASES=$case_re"

# --- Topology and daemons ---------------------------------------------------
T0=$(now_ms)
ike_topo $A $B
ike_tunnel $A 0 esptun esp0
ike_tunnel $B 1 xfrm ipsec0 $IFID
ike_wire_counters $B ul-b
if [[ " ${sel_matrix[*]} " =~ \ (rsa|ecdsa|chain)\  ]]; then
	t=$(now_ms)
	ike_make_certs a b
	log "certificates made in $(ms_since "$t")s"
fi
charon_start $B cb

# side_conf SIDE: the IKE_* addresses, identities and selectors of gateway
# SIDE (0 = A, esptund; 1 = B, charon), on top of ike_conf_defaults.
side_conf() {
	local me=$1 peer=$((1 - $1))
	IKE_LOCAL=${TOPO_UL4[$me]} IKE_REMOTE=${TOPO_UL4[$peer]}
	IKE_LOCAL_ID=$([ "$me" = 0 ] && echo a || echo b).$IKE_DOMAIN
	IKE_REMOTE_ID=$([ "$peer" = 0 ] && echo a || echo b).$IKE_DOMAIN
	IKE_LOCAL_TS=${IKE_NET4[$me]},${IKE_NET6[$me]}
	IKE_REMOTE_TS=${IKE_NET4[$peer]},${IKE_NET6[$peer]}
	IKE_IFID=$IFID IKE_IFNAME=esp0
}

# configure N AUTH IKE ESP [B_OVERRIDES...]: charon's connection cN loaded,
# esptund started with its own; B_OVERRIDES are VAR=VALUE for charon only.
configure() {
	local n=$1 auth=$2 ike=$3 esp=$4 kv
	shift 4
	ike_conf_defaults
	side_conf 1
	IKE_CONN=c$n IKE_AUTH=$auth IKE_PROPOSALS=$ike IKE_ESP_PROPOSALS=$esp
	for kv in "$@"; do
		printf -v "${kv%%=*}" '%s' "${kv#*=}"
	done
	charon_load cb
	ike_conf_defaults
	side_conf 0
	IKE_CONN=c$n IKE_AUTH=$auth IKE_PROPOSALS=$ike IKE_ESP_PROPOSALS=$esp
	IKE_START=${ESPTUND_START:-none}
	esptund_start $A ea
}

# teardown N: whatever case N left, gone at both ends.
teardown() {
	charon_terminate cb "c$1"
	esptund_stop ea
	ip netns exec $A "$ESPTUN" sa flush dev esp0 > /dev/null 2>&1
	wait_for 10 _no_xfrm_states $B ||
		{ echo "  xfrm states left at B:"; xfrm_spis $B; }
}
_no_xfrm_states() { [ -z "$(ip -n "$1" xfrm state)" ]; }

# check_spis: the Child SA's SPIs agree between charon's xfrm states,
# esptun's SAs on esp0 and `esptun ike list`.
check_spis() {
	local x e l
	x=$(xfrm_spis $B)
	e=$(ip netns exec $A "$ESPTUN" sa list dev esp0 -j) ||
		fail "esptun sa list dev esp0 -j"
	l=$(esptund_list ea) || fail "esptun ike list -j: $l"
	python3 - "$x" "$e" "$l" "${TOPO_UL4[@]}" <<'EOF' || fail "Child SA SPIs differ"
import json, sys
xfrm, esptun, ike, ul_a, ul_b = sys.argv[1:]
x = {}
for line in xfrm.splitlines():
    dst, spi = line.split()
    x.setdefault(dst, []).append(int(spi, 16))
sas = json.loads(esptun)
e = {d: sorted(s["spi"] for s in sas if s["dir"] == d) for d in ("in", "out")}
d = json.loads(ike)
ikes = d.get("ike_sas", []) if isinstance(d, dict) else d
kids = [c for s in ikes for c in s.get("children", [])]
print(f"    charon: to A {[hex(s) for s in x.get(ul_a, [])]}, to B {[hex(s) for s in x.get(ul_b, [])]}")
print(f"    esptun: in {[hex(s) for s in e['in']]}, out {[hex(s) for s in e['out']]}")
print(f"    esptun ike list: {[(c.get('spi_in'), c.get('spi_out')) for c in kids]}")
errs = []
if len(x.get(ul_a, [])) != 1 or len(x.get(ul_b, [])) != 1:
    errs.append(f"charon has not exactly one SA each way: {xfrm!r}")
if len(e["in"]) != 1 or len(e["out"]) != 1:
    errs.append(f"esp0 has not exactly one SA each way: {e}")
if not errs:
    if e["in"] != x[ul_a]:
        errs.append(f"A's inbound SPI {e['in'][0]:#x} is not charon's outbound {x[ul_a][0]:#x}")
    if e["out"] != x[ul_b]:
        errs.append(f"A's outbound SPI {e['out'][0]:#x} is not charon's inbound {x[ul_b][0]:#x}")
    if len(kids) != 1:
        errs.append(f"esptun ike list shows {len(kids)} Child SAs, want 1")
    elif (int(kids[0]["spi_in"], 16), int(kids[0]["spi_out"], 16)) != (e["in"][0], e["out"][0]):
        errs.append(f"esptun ike list SPIs {kids[0]['spi_in']}/{kids[0]['spi_out']} "
                    f"are not esp0's {e['in'][0]:08x}/{e['out'][0]:08x}")
for m in errs:
    print("    " + m)
sys.exit(1 if errs else 0)
EOF
}

# initiate ROLE: esptund (i) or charon (r) starts the IKE SA; with s,
# esptund started it by itself (start_action = start).
initiate() {
	if [ "$1" = i ]; then
		esptund_initiate ea
	elif [ "$1" = r ]; then
		charon_initiate cb || fail "charon: swanctl --initiate failed: $(tail -n 5 "$IKE_WORK/cb/initiate.out")"
	fi
}

# run_case N NAME ROLE AUTH IKE ESP (in a subshell: `fail` ends only it)
run_case() {
	local n=$1 name=$2 role=$3 auth=$4 ike=$5 esp=$6 t=$(now_ms) t_up
	ike_subshell
	[ "$role" = s ] && ESPTUND_START=start
	configure "$n" "$auth" "$ike" "$esp"
	initiate "$role"
	ike_wait 30 "esptund established" esptund_established ea
	ike_wait 20 "charon established" charon_established cb
	t_up=$(ms_since "$t")
	if [ "$auth" = chain ]; then
		# Each end sent its intermediate CA, and the other needed it:
		# esptund trusts only the root (remote.cacerts).
		expect_charon_log "charon sent its intermediate" 'sending issuer cert.*intermediate'
		expect_charon_log "esptund sent its intermediate" 'received issuer cert.*intermediate'
		# Two certificates do not fit into 1280 octets: esptund's
		# IKE_AUTH went in RFC 7383 fragments.
		expect_charon_log "esptund fragmented its IKE_AUTH" 'reassembled fragmented IKE message'
	fi
	charon_sas cb | grep -E 'ESTABLISHED|INSTALLED|^ +(IKE|in|out) ' | sed 's/^/    /'
	ike_wire_reset $B
	ike_ping $A "${IKE_LAN4[1]}"
	ike_ping $B "${IKE_LAN6[0]}"
	ike_iperf $B $A "${IKE_LAN4[1]}"
	ike_wire_check $B 100000
	check_spis
	echo "    time: up ${t_up}s, checked $(ms_since "$t")s"
}

# expect_error WHAT REGEX: esptund's `esptun ike list` shows an error
# matching REGEX (within 30 s).
expect_error() {
	local i errs
	for ((i = 0; i < 60; i++)); do
		errs=$(esptund_errors ea 2> /dev/null)
		grep -qiE "$2" <<< "$errs" && break
		sleep 0.5
	done
	echo "    esptun ike list: $errs"
	grep -qiE "$2" <<< "$errs" ||
		fail "$1: esptun ike list shows no error matching /$2/: '$errs'"
}

# expect_charon_log WHAT REGEX
expect_charon_log() {
	ike_wait 20 "charon logged /$2/" charon_log_has cb "$2"
	grep -E "$2" "$IKE_WORK/cb/charon.log" | tail -n 2 | sed 's/^/    charon: /'
}

# run_failure N NAME ROLE KIND
run_failure() {
	local n=$1 name=$2 role=$3 kind=$4 out
	ike_subshell
	case "$kind" in
	psk)	configure "$n" psk aes256-sha256-ecp256 aes256gcm16 \
			IKE_PSK=not-the-same-psk ;;
	dh)	configure "$n" psk aes256-sha256-ecp256 aes256gcm16 \
			IKE_PROPOSALS=aes256-sha256-curve25519 ;;
	ts)	# B takes 10.3.0.0/24 for A's side: A's 10.1.0.0/24 does not
		# overlap it.
		configure "$n" psk aes256-sha256-ecp256 aes256gcm16 \
			IKE_REMOTE_TS=10.3.0.0/24 IKE_LOCAL_TS=10.2.0.0/24 ;;
	esac
	if [ "$role" = i ]; then
		echo "+ esptun ike initiate $IKE_CHILD (esptund ea; must fail)"
		out=$(esptund_ctl ea initiate "$IKE_CHILD" 2>&1)
		echo "    $out"
	else
		charon_initiate cb && fail "charon's initiate succeeded against a $kind mismatch"
	fi
	case "$kind-$role" in
	psk-r)	expect_error "wrong PSK" "$ERR_PSK_R"
		grep -q AUTHENTICATION_FAILED "$IKE_WORK/cb/initiate.out" ||
			fail "charon's initiate does not say AUTHENTICATION_FAILED" ;;
	psk-i)	expect_error "wrong PSK" "$ERR_PSK_I"
		expect_charon_log "wrong PSK" "MAC mismatched" ;;
	dh-r)	expect_error "DH mismatch" "$ERR_DH_R"
		grep -q NO_PROPOSAL_CHOSEN "$IKE_WORK/cb/initiate.out" ||
			fail "charon's initiate does not say NO_PROPOSAL_CHOSEN" ;;
	dh-i)	expect_error "DH mismatch" "$ERR_DH_I"
		expect_charon_log "DH mismatch" "received proposals unacceptable" ;;
	ts-r)	# esptund names both sets: the peer's (10.3.0.0/24) and its own.
		expect_error "TS mismatch" "$ERR_TS.*10\.3\.0\.0/24"
		expect_error "TS mismatch" "$ERR_TS.*10\.1\.0\.0/24"
		grep -q TS_UNACCEPTABLE "$IKE_WORK/cb/initiate.out" ||
			fail "charon's initiate does not say TS_UNACCEPTABLE" ;;
	ts-i)	expect_error "TS mismatch" "$ERR_TS.*10\.1\.0\.0/24"
		expect_charon_log "TS mismatch" "traffic selectors .* unacceptable" ;;
	esac
	# Nothing was installed for the failed Child SA.
	[ -z "$(ip netns exec $A "$ESPTUN" sa list dev esp0 -j | tr -d '[] \n')" ] ||
		fail "esp0 has SAs after a failed negotiation"
}

passed=0
failed=()
n=0
for spec in "${sel_matrix[@]}" "${sel_failures[@]}"; do
	set -- $spec
	n=$((n + 1))
	t0=$(now_ms)
	echo "# --- $n/$((${#sel_matrix[@]} + ${#sel_failures[@]})): $spec"
	if [ $# = 5 ]; then
		(run_case $n "$@")
	else
		(run_failure $n "$@")
	fi
	rc=$?
	teardown $n
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
