#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The selftests' own ESP packets (lib/esp_pkt.py), checked against the
# kernel's native ESP (xfrm) before they are used on esptun: what the
# reference implementation accepts and rejects, esptun must too.
# - null encryption + HMAC-SHA256, AES-GCM and AES-CBC + HMAC-SHA256 packets
#   are accepted and their inner ICMP echo requests delivered intact;
# - with ESN, the high half of the sequence number is authenticated
#   (AES-GCM AAD, HMAC trailer): packets across 2^32 are accepted, one
#   claiming the wrong high half fails its ICV;
# - a corrupted ICV fails, a replay and a packet older than the window are
#   dropped as such;
# - IPv6 outer and inner headers;
# - ESP the kernel encrypted itself, captured on the wire and injected again
#   (the replay tests' method), is dropped as a replay.
. "$(dirname "$0")/lib/esptun_lib.sh"
. "$(dirname "$0")/lib/esptun_pkt.sh"

pk_need_python
ns_create px-s px-r
pk_underlay px-s px-r
run ip -n px-r link add in-r type dummy
pk_inner px-r in-r $PK_RIN4 $PK_RIN6
pk_xfrm_policy px-r in 10.0.1.0/24 10.0.2.0/24 $PK_S4 $PK_R4 1
pk_xfrm_policy px-r in fd00:1::/64 fd00:2::/64 $PK_S6 $PK_R6 2

xs() {	# xs SPI ALGO... : inbound tunnel-mode SA on the receiver
	local spi=$1
	shift
	run ip -n px-r xfrm state add src $PK_S4 dst $PK_R4 proto esp \
		spi "$spi" mode tunnel reqid 1 "$@"
}
null_auth=(enc cipher_null "" auth-trunc 'hmac(sha256)' $PK_HKEY 128)
null_send=(--src $PK_S4 --dst $PK_R4 --alg null --auth-key $PK_HKEY)
gcm=(aead 'rfc4106(gcm(aes))' $PK_GKEY 128)
echos() { pk_snmp px-r Icmp.InEchos; }

log "null encryption + hmac(sha256) 128: accepted, inner packets intact"
xs 0x1000 replay-window 32 "${null_auth[@]}"
e0=$(echos)
pk_send px-s "${null_send[@]}" --spi 0x1000 --seq 1-3
pk_wait_eq "packets on SA 0x1000" 3 pk_xfrm_sa px-r 0x1000 packets
pk_wait_eq "ICMP echo requests delivered" $((e0 + 3)) echos

log "corrupted ICV fails"
pk_send px-s "${null_send[@]}" --spi 0x1000 --seq 4 --corrupt-icv
pk_wait_eq "integrity failures on SA 0x1000" 1 pk_xfrm_sa px-r 0x1000 failed
expect_eq "packets after a bad ICV" "$(pk_xfrm_sa px-r 0x1000 packets)" 3

log "a replay and a packet older than the window are dropped"
pk_send px-s "${null_send[@]}" --spi 0x1000 --seq 2
pk_wait_eq "replays on SA 0x1000" 1 pk_xfrm_sa px-r 0x1000 replay
pk_send px-s "${null_send[@]}" --spi 0x1000 --seq 5,7-19,21-29,31-50
pk_wait_eq "packets on SA 0x1000" 46 pk_xfrm_sa px-r 0x1000 packets
pk_send px-s "${null_send[@]}" --spi 0x1000 --seq 6
pk_wait_eq "too old on SA 0x1000" 1 pk_xfrm_sa px-r 0x1000 replay-window
pk_send px-s "${null_send[@]}" --spi 0x1000 --seq 30,20
pk_wait_eq "reordered in the window" 48 pk_xfrm_sa px-r 0x1000 packets
expect_eq "echo requests delivered" "$(echos)" $((e0 + 48))

log "AES-GCM, 32-bit sequence numbers"
xs 0x1001 "${gcm[@]}"
pk_send px-s --src $PK_S4 --dst $PK_R4 --alg gcm --enc-key $PK_GKEY \
	--spi 0x1001 --seq 1,2
pk_wait_eq "packets on SA 0x1001" 2 pk_xfrm_sa px-r 0x1001 packets

log "AES-GCM with ESN across 2^32; a wrong high half fails the ICV"
xs 0x1002 "${gcm[@]}" replay-window 128 flag esn replay-seq 0xfffffff0
pk_send px-s --src $PK_S4 --dst $PK_R4 --alg gcm --enc-key $PK_GKEY --esn \
	--spi 0x1002 --seq 0xfffffffe,0x100000002
pk_wait_eq "packets on SA 0x1002" 2 pk_xfrm_sa px-r 0x1002 packets
pk_send px-s --src $PK_S4 --dst $PK_R4 --alg gcm --enc-key $PK_GKEY --esn \
	--spi 0x1002 --seq 0x200000005
pk_wait_eq "failures on SA 0x1002" 1 pk_xfrm_sa px-r 0x1002 failed
# ...and without ESN in the AAD, the same number fails too.
pk_send px-s --src $PK_S4 --dst $PK_R4 --alg gcm --enc-key $PK_GKEY \
	--spi 0x1002 --seq 0x100000006
pk_wait_eq "failures on SA 0x1002" 2 pk_xfrm_sa px-r 0x1002 failed

log "AES-CBC + hmac(sha256) with ESN across 2^32"
xs 0x1003 enc 'cbc(aes)' $PK_CKEY auth-trunc 'hmac(sha256)' $PK_HKEY 128 \
	replay-window 64 flag esn replay-seq 0xfffffff0
pk_send px-s --src $PK_S4 --dst $PK_R4 --alg cbc --enc-key $PK_CKEY \
	--auth-key $PK_HKEY --esn --spi 0x1003 --seq 0xfffffffe,0x100000001
pk_wait_eq "packets on SA 0x1003" 2 pk_xfrm_sa px-r 0x1003 packets

log "IPv6 outside and inside"
run ip -n px-r xfrm state add src $PK_S6 dst $PK_R6 proto esp spi 0x1004 \
	mode tunnel reqid 2 "${gcm[@]}"
e6=$(pk_snmp px-r Icmp6InEchos)
pk_send px-s --src $PK_S6 --dst $PK_R6 --alg gcm --enc-key $PK_GKEY \
	--spi 0x1004 --inner-src $PK_SIN6 --inner-dst $PK_RIN6 --seq 1
pk_wait_eq "packets on SA 0x1004" 1 pk_xfrm_sa px-r 0x1004 packets
pk_wait_eq "ICMPv6 echo requests delivered" $((e6 + 1)) pk_snmp px-r Icmp6InEchos

log "kernel-made ESP captured and injected again is a replay"
xs 0x1005 "${gcm[@]}" replay-window 32
run ip -n px-s link add in-s type dummy
pk_inner px-s in-s $PK_SIN4 $PK_SIN6
run ip -n px-s route add 10.0.2.0/24 via $PK_R4
run ip -n px-s xfrm state add src $PK_S4 dst $PK_R4 proto esp spi 0x1005 \
	mode tunnel reqid 1 "${gcm[@]}"
pk_xfrm_policy px-s out 10.0.1.0/24 10.0.2.0/24 $PK_S4 $PK_R4 1
pk_bg ip netns exec px-r "$PK_PY" "$PK_HELPER" capture --iface ul-r \
	--out "$PK_TMP/cap" --count 3 --ready "$PK_TMP/ready"
cap=$PK_PID
pk_wait_eq "capture ready" yes sh -c "[ -e $PK_TMP/ready ] && echo yes"
# No SA back to px-s: the echo replies go nowhere, the requests count.
ip netns exec px-s ping -c 3 -i 0.2 -W 1 -I $PK_SIN4 $PK_RIN4 > /dev/null
wait $cap || fail "capture of 3 ESP packets failed"
pk_wait_eq "packets on SA 0x1005" 3 pk_xfrm_sa px-r 0x1005 packets
run ip netns exec px-s "$PK_PY" "$PK_HELPER" inject --iface ul-s \
	--in "$PK_TMP/cap" --index 1
pk_wait_eq "replays on SA 0x1005" 1 pk_xfrm_sa px-r 0x1005 replay
expect_eq "packets on SA 0x1005 after the replay" \
	"$(pk_xfrm_sa px-r 0x1005 packets)" 3
exit $KSFT_PASS
