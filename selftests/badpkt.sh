#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed ESP at an esptun receiver, plain and in UDP (RFC 3948): each
# packet is dropped, counted under its own reason (and in rx_dropped, and
# in the SA's stats where the contract says so), and nothing else moves:
#   unknown SPI                              rx-no-sa
#   shorter than the ESP header (and IV)     rx-short-header
#   shorter than trailer + ICV, or not a
#   whole number of cipher blocks            rx-bad-length
#   outer address or encapsulation not the
#   SA's                                     rx-bad-outer
#   corrupted ICV                            rx-icv, SA icv-fail
#   authenticated, wrong pad bytes or a pad
#   length beyond the payload                rx-bad-padding
#   next header 59 (dummy packet)            rx-dummy
#   next header neither IPv4 nor IPv6, or a
#   truncated inner header                   rx-bad-proto
#   inner addresses outside the selectors    rx-selector, SA selector
# Null encryption + HMAC-SHA256 makes every authenticated malformation easy
# to build (lib/esp_pkt.py); AES-CBC and AES-GCM SAs check the IV and block
# rules.  The kernel must log no warning (run_tests.sh checks).
. "$(dirname "$0")/lib/esptun_lib.sh"
. "$(dirname "$0")/lib/esptun_pkt.sh"

pk_need_python
ns_create bp-s bp-r
pk_underlay bp-s bp-r
run ip -n bp-r addr add 192.0.2.3/24 dev ul-r
pk_esptun_dev bp-r esp0 $PK_RIN4 10.0.1.0/24
run pk_esptun bp-r set esp0 listen-port 4500

null=(enc cipher_null "" auth-trunc 'hmac(sha256)' $PK_HKEY 128)
sel=(sel src 10.0.1.0/24 dst 10.0.2.0/24)
in_sa() {	# in_sa SPI ARGS...
	local spi=$1
	shift
	run pk_esptun bp-r sa add dev esp0 dir in src $PK_S4 dst $PK_R4 \
		spi "$spi" "$@"
}
in_sa 0x5001 "${null[@]}" "${sel[@]}"
in_sa 0x5002 "${null[@]}" "${sel[@]}" encap espinudp 4500 4500
in_sa 0x5003 enc 'cbc(aes)' $PK_CKEY auth-trunc 'hmac(sha256)' $PK_HKEY 128
in_sa 0x5004 aead 'rfc4106(gcm(aes))' $PK_GKEY 128

# send SPI ARGS...: one hand-made packet to the receiver, plain ESP for
# SA 0x5001, ESP in UDP for SA 0x5002 (unless ARGS say otherwise).
send() {
	local spi=$1 encap=()
	shift
	[ "$spi" = 0x5002 ] && encap=(--encap 4500:4500)
	pk_send bp-s --src $PK_S4 --dst $PK_R4 --alg null --auth-key $PK_HKEY \
		--icmp-type reply --spi "$spi" --seq "$seq" "${encap[@]}" "$@"
	seq=$((seq + 1))
}
# case_ WHAT SPI SEND-ARGS -- EXPECTED-DELTAS... (since the last delta)
case_() {
	local what=$1 spi=$2 args=() 
	shift 2
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	send "$spi" "${args[@]}"
	pk_delta bp-r esp0 "$what" "$@"
}

seq=1
pk_snap bp-r esp0
for spi in 0x5001 0x5002; do
	t=$([ $spi = 0x5001 ] && echo "ESP" || echo "ESP in UDP")
	log "$t (SA $spi)"
	case_ "$t: a good packet" $spi -- stats.rx.packets=1 sa.in.$spi.packets=1
	case_ "$t: unknown SPI" 0xdead0000 \
		$([ $spi = 0x5002 ] && echo --encap 4500:4500) -- \
		drops.rx-no-sa=1 stats.rx.dropped=1
	case_ "$t: 6 bytes of ESP header" $spi --truncate 6 -- \
		drops.rx-short-header=1 stats.rx.dropped=1 sa.in.$spi.errors=?
	case_ "$t: ICV cut short" $spi --truncate 18 -- \
		drops.rx-bad-length=1 stats.rx.dropped=1 sa.in.$spi.errors=?
	case_ "$t: corrupted ICV" $spi --corrupt-icv -- \
		drops.rx-icv=1 stats.rx.dropped=1 sa.in.$spi.icv-fail=1
	case_ "$t: wrong pad byte" $spi --bad-pad -- \
		drops.rx-bad-padding=1 stats.rx.dropped=1 sa.in.$spi.errors=?
	case_ "$t: pad length beyond the payload" $spi --padlen 200 -- \
		drops.rx-bad-padding=1 stats.rx.dropped=1 sa.in.$spi.errors=?
	# A dummy packet is a valid packet of the SA, without an inner one:
	# whether the SA counts it as a packet the contract does not say.
	case_ "$t: next header 59" $spi --next-header 59 --inner-len 20 -- \
		drops.rx-dummy=1 stats.rx.dropped=1 sa.in.$spi.errors=? \
		sa.in.$spi.packets=?
	case_ "$t: next header 17" $spi --next-header 17 -- \
		drops.rx-bad-proto=1 stats.rx.dropped=1 sa.in.$spi.errors=?
	case_ "$t: inner IPv4 header cut to 12 bytes" $spi --inner-len 12 -- \
		drops.rx-bad-proto=1 stats.rx.dropped=1 sa.in.$spi.errors=?
	case_ "$t: inner source outside the selector" $spi \
		--inner-src 10.0.9.1 -- \
		drops.rx-selector=1 stats.rx.dropped=1 sa.in.$spi.selector=1
	case_ "$t: inner destination outside the selector" $spi \
		--inner-dst 10.0.3.1 -- \
		drops.rx-selector=1 stats.rx.dropped=1 sa.in.$spi.selector=1
	case_ "$t: still good afterwards" $spi -- stats.rx.packets=1 \
		sa.in.$spi.packets=1
done

log "outer headers that are not the SA's"
pk_send bp-s --src $PK_S4 --dst $PK_R4 --auth-key $PK_HKEY --icmp-type reply \
	--spi 0x5002 --seq 100
pk_delta bp-r esp0 "plain ESP for an ESP-in-UDP SA" drops.rx-bad-outer=1 \
	stats.rx.dropped=1 sa.in.0x5002.errors=?
pk_send bp-s --src $PK_S4 --dst $PK_R4 --auth-key $PK_HKEY --icmp-type reply \
	--spi 0x5001 --seq 100 --encap 4500:4500
pk_delta bp-r esp0 "ESP in UDP for a plain ESP SA" drops.rx-bad-outer=1 \
	stats.rx.dropped=1 sa.in.0x5001.errors=?
pk_send bp-s --src $PK_S4 --dst 192.0.2.3 --auth-key $PK_HKEY \
	--icmp-type reply --spi 0x5001 --seq 101
pk_delta bp-r esp0 "to another address of the receiver" drops.rx-bad-outer=1 \
	stats.rx.dropped=1 sa.in.0x5001.errors=?

log "AES-CBC: IV and block size"
pk_send bp-s --src $PK_S4 --dst $PK_R4 --alg cbc --enc-key $PK_CKEY \
	--auth-key $PK_HKEY --icmp-type reply --spi 0x5003 --seq 1
pk_delta bp-r esp0 "AES-CBC: a good packet" stats.rx.packets=1 \
	sa.in.0x5003.packets=1
pk_send bp-s --src $PK_S4 --dst $PK_R4 --alg cbc --enc-key $PK_CKEY \
	--auth-key $PK_HKEY --icmp-type reply --spi 0x5003 --seq 2 --misalign
pk_delta bp-r esp0 "AES-CBC: ciphertext not whole blocks" \
	drops.rx-bad-length=1 stats.rx.dropped=1 sa.in.0x5003.errors=?
pk_send bp-s --src $PK_S4 --dst $PK_R4 --alg cbc --enc-key $PK_CKEY \
	--auth-key $PK_HKEY --icmp-type reply --spi 0x5003 --seq 3 --truncate 20
pk_delta bp-r esp0 "AES-CBC: IV cut short" \
	drops.rx-short-header=1 stats.rx.dropped=1 sa.in.0x5003.errors=?

log "AES-GCM: IV and ICV"
pk_send bp-s --src $PK_S4 --dst $PK_R4 --alg gcm --enc-key $PK_GKEY \
	--icmp-type reply --spi 0x5004 --seq 1
pk_delta bp-r esp0 "AES-GCM: a good packet" stats.rx.packets=1 \
	sa.in.0x5004.packets=1
pk_send bp-s --src $PK_S4 --dst $PK_R4 --alg gcm --enc-key $PK_GKEY \
	--icmp-type reply --spi 0x5004 --seq 2 --truncate 12
pk_delta bp-r esp0 "AES-GCM: IV cut short" \
	drops.rx-short-header=1 stats.rx.dropped=1 sa.in.0x5004.errors=?
pk_send bp-s --src $PK_S4 --dst $PK_R4 --alg gcm --enc-key $PK_GKEY \
	--icmp-type reply --spi 0x5004 --seq 3 --corrupt-icv
pk_delta bp-r esp0 "AES-GCM: corrupted ICV" \
	drops.rx-icv=1 stats.rx.dropped=1 sa.in.0x5004.icv-fail=1
pk_send bp-s --src $PK_S4 --dst $PK_R4 --alg gcm --enc-key $PK_GKEY \
	--icmp-type reply --spi 0x5004 --seq 4 --truncate 30
pk_delta bp-r esp0 "AES-GCM: shorter than the ICV" \
	drops.rx-bad-length=1 stats.rx.dropped=1 sa.in.0x5004.errors=?
exit $KSFT_PASS
