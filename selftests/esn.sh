#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extended sequence numbers (RFC 4303 2.2.1, appendix A) across 2^32,
# between esptun and the kernel's own IPsec (xfrm), both directions, with
# AES-GCM (the high half in the AAD) and with AES-CBC + HMAC-SHA256 (the
# high half appended to the authenticated data):
# - esptun's outbound SA starts at `seq 4294967290`, xfrm's inbound one
#   expects numbers near 2^32 (replay-seq 0xfffffff0);
# - xfrm's outbound SA starts at replay-oseq 0xfffffff0, esptun's inbound
#   SA at seq 0xfffffff0;
# - 20 pings each way are all answered, and both esptun SAs end above 2^32
#   (xfrm agrees: its high halves are 1).
. "$(dirname "$0")/lib/esptun_lib.sh"
. "$(dirname "$0")/lib/esptun_pkt.sh"

ns_create es-x es-e
pk_underlay es-x es-e
# es-x: native xfrm with the sender's addresses; es-e: esptun.
pk_esptun_dev es-e esp0 $PK_RIN4 10.0.1.0/24
run ip -n es-x link add in-x type dummy
pk_inner es-x in-x $PK_SIN4 $PK_SIN6
run ip -n es-x route add 10.0.2.0/24 via $PK_R4
pk_xfrm_policy es-x out 10.0.1.0/24 10.0.2.0/24 $PK_S4 $PK_R4 1
pk_xfrm_policy es-x in 10.0.2.0/24 10.0.1.0/24 $PK_R4 $PK_S4 1

two32=4294967296
round() {	# round NAME ALGO...
	local name=$1 got
	shift
	log "$name: xfrm -> esptun across 2^32"
	run ip -n es-x xfrm state add src $PK_S4 dst $PK_R4 proto esp \
		spi 0x4002 mode tunnel reqid 1 "$@" replay-window 128 flag esn \
		replay-oseq 0xfffffff0
	run ip -n es-x xfrm state add src $PK_R4 dst $PK_S4 proto esp \
		spi 0x4001 mode tunnel reqid 1 "$@" replay-window 128 flag esn \
		replay-seq 0xfffffff0
	run pk_esptun es-e sa add dev esp0 dir in src $PK_S4 dst $PK_R4 \
		spi 0x4002 "$@" replay-window 128 flag esn seq $((0xfffffff0))
	run pk_esptun es-e sa add dev esp0 dir out src $PK_R4 dst $PK_S4 \
		spi 0x4001 "$@" flag esn seq 4294967290
	expect_eq "$name: flags" "$(pk_sa es-e 'sa("out", 0x4001)["flags"]')" "['esn']"
	expect_eq "$name: initial out seq" \
		"$(pk_sa es-e 'sa("out", 0x4001)["seq"]')" 4294967290

	run ip netns exec es-x ping -c 20 -i 0.1 -W 2 -I $PK_SIN4 $PK_RIN4
	got=$(pk_sa es-e 'sa("in", 0x4002)["seq"]')
	expect_eq "$name: esptun in seq after 20 echo requests" "$got" \
		$((0xfffffff0 + 20))
	got=$(pk_sa es-e 'sa("out", 0x4001)["seq"]')
	expect_eq "$name: esptun out seq after 20 echo replies" "$got" \
		$((4294967290 + 20))
	[ "$got" -gt $two32 ] || fail "$name: out seq $got not above 2^32"

	log "$name: esptun -> xfrm across 2^32"
	run ip netns exec es-e ping -c 20 -i 0.1 -W 2 -I $PK_RIN4 $PK_SIN4
	expect_eq "$name: esptun out seq" \
		"$(pk_sa es-e 'sa("out", 0x4001)["seq"]')" $((4294967290 + 40))
	expect_eq "$name: esptun in seq" \
		"$(pk_sa es-e 'sa("in", 0x4002)["seq"]')" $((0xfffffff0 + 40))
	expect_eq "$name: no replay, ICV or other SA drops" \
		"$(pk_sa es-e '[sa(d, s)["stats"][k] for d, s in (("in", 0x4002), ("out", 0x4001)) for k in ("replay", "icv-fail", "errors")]')" \
		"[0, 0, 0, 0, 0, 0]"
	# xfrm's view: both of its ESN high halves moved to 1.
	ip -n es-x xfrm state list spi 0x4001 | grep -q 'seq-hi 0x1,' ||
		fail "$name: xfrm in SA did not reach seq-hi 1: $(ip -n es-x xfrm state list spi 0x4001)"
	ip -n es-x xfrm state list spi 0x4002 | grep -q 'oseq-hi 0x1,' ||
		fail "$name: xfrm out SA did not reach oseq-hi 1: $(ip -n es-x xfrm state list spi 0x4002)"

	run ip -n es-x xfrm state flush
	run pk_esptun es-e sa flush dev esp0
}

round "AES-GCM" aead 'rfc4106(gcm(aes))' $PK_GKEY 128
round "AES-CBC + hmac(sha256)" enc 'cbc(aes)' $PK_CKEY \
	auth-trunc 'hmac(sha256)' $PK_HKEY 128
exit $KSFT_PASS
