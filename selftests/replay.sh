#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Anti-replay on esptun's inbound SAs (RFC 4303 3.4.3), against ESP made by
# the kernel's own IPsec (xfrm) and by hand (lib/esp_pkt.py):
# - a captured packet injected again is dropped and counted (rx-replay,
#   the SA's replay stat), nothing else moves;
# - packets reordered within the window are all accepted;
# - with replay-window 32, a packet 40 behind the newest one is dropped
#   even though it never arrived, one 25 behind is accepted, a duplicate
#   inside the window is dropped;
# - replay-window 0 accepts the same packet again and again;
# - the same over IPv6.
. "$(dirname "$0")/lib/esptun_lib.sh"
. "$(dirname "$0")/lib/esptun_pkt.sh"

pk_need_python
ns_create rp-s rp-r
pk_underlay rp-s rp-r
pk_esptun_dev rp-r esp0 $PK_RIN4 10.0.1.0/24
gcm=(aead 'rfc4106(gcm(aes))' $PK_GKEY 128)
in_sa() {	# in_sa SPI ARGS...: esptun inbound SA from the sender
	local spi=$1
	shift
	run pk_esptun rp-r sa add dev esp0 dir in src $PK_S4 dst $PK_R4 \
		spi "$spi" "$@"
}

log "native xfrm sender <-> esptun, AES-GCM, replay-window 32"
in_sa 0x2001 "${gcm[@]}" replay-window 32
run pk_esptun rp-r sa add dev esp0 dir out src $PK_R4 dst $PK_S4 \
	spi 0x3001 "${gcm[@]}"
run ip -n rp-s link add in-s type dummy
pk_inner rp-s in-s $PK_SIN4 $PK_SIN6
run ip -n rp-s route add 10.0.2.0/24 via $PK_R4
for d in out in; do
	if [ $d = out ]; then spi=0x2001 src=$PK_S4 dst=$PK_R4
	else spi=0x3001 src=$PK_R4 dst=$PK_S4; fi
	run ip -n rp-s xfrm state add src $src dst $dst proto esp spi $spi \
		mode tunnel reqid 1 replay-window 32 "${gcm[@]}"
done
pk_xfrm_policy rp-s out 10.0.1.0/24 10.0.2.0/24 $PK_S4 $PK_R4 1
pk_xfrm_policy rp-s in 10.0.2.0/24 10.0.1.0/24 $PK_R4 $PK_S4 1

capture() {	# capture N: N incoming ESP frames on rp-r's ul-r, into cap
	pk_bg ip netns exec rp-r "$PK_PY" "$PK_HELPER" capture --iface ul-r \
		--out "$PK_TMP/cap" --count "$1" --ready "$PK_TMP/ready"
	cap=$PK_PID
	pk_wait_eq "capture ready" yes sh -c "[ -e $PK_TMP/ready ] && echo yes"
	rm -f "$PK_TMP/ready"
}
inject() {	# inject INDEXES: frames of cap, from rp-s
	run ip netns exec rp-s "$PK_PY" "$PK_HELPER" inject --iface ul-s \
		--in "$PK_TMP/cap" --index "$1"
}

capture 3
pk_snap rp-r esp0
run ip netns exec rp-s ping -c 3 -i 0.3 -W 2 -I $PK_SIN4 $PK_RIN4
wait $cap || fail "capture of 3 ESP packets failed"
pk_delta rp-r esp0 "3 pings through esptun" stats.rx.packets=3 \
	stats.tx.packets=3 sa.in.0x2001.packets=3 sa.out.0x3001.packets=3

pk_snap rp-r esp0
inject 1
pk_delta rp-r esp0 "a captured packet injected again" drops.rx-replay=1 \
	stats.rx.dropped=1 sa.in.0x2001.replay=1
pk_snap rp-r esp0
inject 0,2
pk_delta rp-r esp0 "two more injected again" drops.rx-replay=2 \
	stats.rx.dropped=2 sa.in.0x2001.replay=2

log "kernel-made packets reordered within the window are accepted"
# Hold the sender's next packets back from esptun (netfilter drops them
# after the capture has seen them), then deliver them out of order.
run ip netns exec rp-r nft -f - <<NFT
table inet rp-hold {
	chain input {
		type filter hook input priority 0; policy accept;
		meta l4proto esp counter drop
	}
}
NFT
capture 6
pk_snap rp-r esp0
ip netns exec rp-s ping -c 6 -i 0.2 -W 1 -I $PK_SIN4 $PK_RIN4 > /dev/null &&
	fail "pings answered while their ESP was held back"
wait $cap || fail "capture of 6 ESP packets failed"
run ip netns exec rp-r nft delete table inet rp-hold
pk_delta rp-r esp0 "nothing while held back"
inject 0,3,2,5,1,4
# Each late echo request is answered (the sender ignores the replies).
pk_delta rp-r esp0 "6 reordered packets" stats.rx.packets=6 \
	sa.in.0x2001.packets=6 stats.tx.packets=6 sa.out.0x3001.packets=6
pk_snap rp-r esp0
inject 4
pk_delta rp-r esp0 "one of them again" drops.rx-replay=1 \
	stats.rx.dropped=1 sa.in.0x2001.replay=1

log "window edges, hand-made packets (null encryption + hmac(sha256))"
null=(enc cipher_null "" auth-trunc 'hmac(sha256)' $PK_HKEY 128)
send() {	# send SPI SEQS [ARGS...]: echo replies (nothing answers them)
	local spi=$1 seq=$2
	shift 2
	pk_send rp-s --src $PK_S4 --dst $PK_R4 --alg null --auth-key $PK_HKEY \
		--icmp-type reply --spi "$spi" --seq "$seq" "$@"
}
in_sa 0x2002 "${null[@]}" replay-window 32
expect_eq "replay-window of SA 0x2002" \
	"$(pk_sa rp-r 'sa("in", 0x2002)["replay-window"]')" 32
pk_snap rp-r esp0
send 0x2002 1-4,6-19,21-29,31-45
pk_delta rp-r esp0 "42 packets, 3 gaps" stats.rx.packets=42 sa.in.0x2002.packets=42
expect_eq "seq of SA 0x2002" "$(pk_sa rp-r 'sa("in", 0x2002)["seq"]')" 45
pk_snap rp-r esp0
send 0x2002 5
pk_delta rp-r esp0 "never received, but 40 behind with a window of 32" \
	drops.rx-replay=1 stats.rx.dropped=1 sa.in.0x2002.replay=1
pk_snap rp-r esp0
send 0x2002 20,30
pk_delta rp-r esp0 "never received, 25 and 15 behind" stats.rx.packets=2 \
	sa.in.0x2002.packets=2
pk_snap rp-r esp0
send 0x2002 30,44,45
pk_delta rp-r esp0 "duplicates inside the window" drops.rx-replay=3 \
	stats.rx.dropped=3 sa.in.0x2002.replay=3
pk_snap rp-r esp0
send 0x2002 48,46,47,100,70
pk_delta rp-r esp0 "ahead and reordered" stats.rx.packets=5 \
	sa.in.0x2002.packets=5
expect_eq "seq of SA 0x2002" "$(pk_sa rp-r 'sa("in", 0x2002)["seq"]')" 100
pk_snap rp-r esp0
send 0x2002 67,68
pk_delta rp-r esp0 "33 and 32 behind" drops.rx-replay=2 stats.rx.dropped=2 \
	sa.in.0x2002.replay=2
pk_snap rp-r esp0
send 0x2002 69
pk_delta rp-r esp0 "31 behind, never received" stats.rx.packets=1 \
	sa.in.0x2002.packets=1

log "replay-window 0 accepts replays"
in_sa 0x2003 "${null[@]}" replay-window 0
pk_snap rp-r esp0
send 0x2003 1,1,1,100,2,2
pk_delta rp-r esp0 "replays without a window" stats.rx.packets=6 \
	sa.in.0x2003.packets=6

log "IPv6 outside"
run pk_esptun rp-r sa add dev esp0 dir in src $PK_S6 dst $PK_R6 \
	spi 0x2004 "${gcm[@]}" replay-window 64
pk_snap rp-r esp0
pk_send rp-s --src $PK_S6 --dst $PK_R6 --alg gcm --enc-key $PK_GKEY \
	--icmp-type reply --spi 0x2004 --seq 1,3,2
pk_delta rp-r esp0 "IPv6: reordered" stats.rx.packets=3 sa.in.0x2004.packets=3
pk_snap rp-r esp0
pk_send rp-s --src $PK_S6 --dst $PK_R6 --alg gcm --enc-key $PK_GKEY \
	--icmp-type reply --spi 0x2004 --seq 3
pk_delta rp-r esp0 "IPv6: replayed" drops.rx-replay=1 stats.rx.dropped=1 \
	sa.in.0x2004.replay=1
exit $KSFT_PASS
