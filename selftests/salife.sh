#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SA lifetimes and teardown under traffic, esptun on both ends:
# - packet limits (outbound) and byte limits (inbound): the soft limit emits
#   an expire event, the hard one another and removes the SA; traffic past
#   it is dropped, not sent with an expired SA;
# - time limits: both events, then the SA is gone;
# - an SA deleted under iperf3 traffic: sending stops cleanly (tx-no-sa),
#   nothing arrives any more on the peer's SA, a new SA restores the flow;
# - 10,000 SAs (2,000 on the debug kernel) added, listed, and flushed;
# - `rmmod esptun` under iperf3 traffic succeeds, and the module loads again.
# Events come from `esptun monitor -j`, run in the background.
. "$(dirname "$0")/lib/esptun_lib.sh"
. "$(dirname "$0")/lib/esptun_pkt.sh"

command -v iperf3 > /dev/null || skip "iperf3 missing"
pk_need_python
ns_create sl-a sl-b
pk_underlay sl-a sl-b
# sl-a: 10.0.1.1 (underlay .1), sl-b: 10.0.2.1 (underlay .2).
pk_esptun_dev sl-a esp0 $PK_SIN4 10.0.2.0/24
pk_esptun_dev sl-b esp0 $PK_RIN4 10.0.1.0/24
gcm=(aead 'rfc4106(gcm(aes))' $PK_GKEY 128)
# a_out/b_in (SPI 0x6001, a -> b), b_out/a_in (SPI 0x6002, b -> a) [ARGS...]
a_out() { run pk_esptun sl-a sa add dev esp0 dir out src $PK_S4 dst $PK_R4 spi 0x6001 "${gcm[@]}" "$@"; }
b_in() { run pk_esptun sl-b sa add dev esp0 dir in src $PK_S4 dst $PK_R4 spi 0x6001 "${gcm[@]}" "$@"; }
b_out() { run pk_esptun sl-b sa add dev esp0 dir out src $PK_R4 dst $PK_S4 spi 0x6002 "${gcm[@]}" "$@"; }
a_in() { run pk_esptun sl-a sa add dev esp0 dir in src $PK_R4 dst $PK_S4 spi 0x6002 "${gcm[@]}" "$@"; }
ping_ab() {	# ping_ab COUNT: prints how many echo replies came back
	ip netns exec sl-a ping -c "$1" -i 0.1 -W 2 -q $PK_RIN4 |
		sed -n 's/.* \([0-9]*\) received.*/\1/p'
}
has_sa() { pk_sa "$1" "sa('$2', $3) is not None"; }

pk_monitor sl-a "$PK_TMP/mon-a"
mon_a=$PK_MON_PID
pk_monitor sl-b "$PK_TMP/mon-b"
mon_b=$PK_MON_PID

log "packet limits on an outbound SA"
a_out limit packet-soft 5 limit packet-hard 10
b_in
b_out
a_in
expect_eq "limits listed" "$(pk_sa sl-a 'sa("out", 0x6001)["limits"]')" \
	"{'packet-soft': 5, 'packet-hard': 10}"
expect_eq "echo replies with a 10-packet SA" "$(ping_ab 14)" 10
pk_wait_event "$PK_TMP/mon-a" 'e["event"] == "expire" and e["spi"] == 0x6001 and e["dir"] == "out" and e["hard"] is False and e["limit"] == "packet-soft" and e["dev"] == "esp0"'
pk_wait_event "$PK_TMP/mon-a" 'e["event"] == "expire" and e["spi"] == 0x6001 and e["dir"] == "out" and e["hard"] is True and e["limit"] == "packet-hard"'
expect_eq "outbound SA after its hard limit" "$(has_sa sl-a out 0x6001)" False
expect_eq "one soft and one hard event" "$("$PK_PY" -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(sorted((e["hard"], e["limit"]) for e in ev if e.get("spi") == 0x6001))' "$PK_TMP/mon-a")" \
	"[(False, 'packet-soft'), (True, 'packet-hard')]"
expect_eq "packets the peer accepted" \
	"$(pk_sa sl-b 'sa("in", 0x6001)["stats"]["packets"]')" 10
d0=$(esptun_json 'd[0]["drops"]["tx-no-sa"] + d[0]["drops"]["tx-expired"]' sl-a esp0)
expect_eq "echo replies without an SA" "$(ping_ab 2)" 0
expect_eq "drops without the SA" \
	"$(esptun_json 'd[0]["drops"]["tx-no-sa"] + d[0]["drops"]["tx-expired"]' sl-a esp0)" $((d0 + 2))

log "byte limits on an inbound SA"
run pk_esptun sl-b sa del dev esp0 dir in spi 0x6001
a_out
# 84-byte echo requests: soft after 6, hard after 12 of them.
b_in limit byte-soft 500 limit byte-hard 1000
got=$(ping_ab 16)
[ "$got" -ge 11 ] && [ "$got" -le 12 ] ||
	fail "echo replies with a 1000-byte inbound SA: $got, want 11 or 12"
pk_wait_event "$PK_TMP/mon-b" 'e["event"] == "expire" and e["spi"] == 0x6001 and e["dir"] == "in" and not e["hard"] and e["limit"] == "byte-soft"'
pk_wait_event "$PK_TMP/mon-b" 'e["event"] == "expire" and e["spi"] == 0x6001 and e["dir"] == "in" and e["hard"] and e["limit"] == "byte-hard"'
expect_eq "inbound SA after its hard limit" "$(has_sa sl-b in 0x6001)" False

log "time limits"
run pk_esptun sl-a sa del dev esp0 dir out spi 0x6001
a_out limit time-soft 2 limit time-hard 4
b_in
t0=$(date +%s)
expect_eq "echo replies before the time limits" "$(ping_ab 3)" 3
pk_wait_event "$PK_TMP/mon-a" 'e["event"] == "expire" and e["spi"] == 0x6001 and not e["hard"] and e["limit"] == "time-soft"' 10
pk_wait_event "$PK_TMP/mon-a" 'e["event"] == "expire" and e["spi"] == 0x6001 and e["hard"] and e["limit"] == "time-hard"' 10
t=$(($(date +%s) - t0))
[ $t -ge 3 ] || fail "the hard time limit of 4s expired after ${t}s"
expect_eq "SA after its hard time limit" "$(has_sa sl-a out 0x6001)" False
kill "$mon_a" "$mon_b"

log "an SA deleted under iperf3 traffic, then replaced"
# fresh_tunnel: new A->B SAs on both ends (a new outbound SA starts again
# at 1) and a one-shot iperf3 server in B (PID in srv).
fresh_tunnel() {
	run pk_esptun sl-b sa del dev esp0 dir in spi 0x6001
	b_in
	a_out
	pk_bg ip netns exec sl-b iperf3 -s -1 -B $PK_RIN4
	srv=$PK_PID
	sleep 1
}
fresh_tunnel
# Long enough to outlast the slow checks under TCG; killed below.
pk_bg ip netns exec sl-a iperf3 -c $PK_RIN4 -B $PK_SIN4 -t 120
cli=$PK_PID
sleep 3
p0=$(pk_sa sl-b 'sa("in", 0x6001)["stats"]["packets"]')
[ "$p0" -gt 20 ] || fail "iperf3 did not get going: $p0 packets"
kill -0 $cli 2> /dev/null || fail "iperf3 client ended early"
run pk_esptun sl-a sa del dev esp0 dir out spi 0x6001
n0=$(esptun_json 'd[0]["drops"]["tx-no-sa"]' sl-a esp0)
p1=$(pk_sa sl-b 'sa("in", 0x6001)["stats"]["packets"]')
# TCP keeps retransmitting into the interface: counted as tx-no-sa.
for _ in $(seq 20); do
	sleep 1
	n1=$(esptun_json 'd[0]["drops"]["tx-no-sa"]' sl-a esp0)
	[ "$n1" -gt "$n0" ] && break
done
[ "$n1" -gt "$n0" ] || fail "iperf3 traffic without an SA not counted as tx-no-sa ($n0 -> $n1)"
expect_eq "packets arriving with the SA deleted" \
	"$(pk_sa sl-b 'sa("in", 0x6001)["stats"]["packets"]')" "$p1"
kill -0 $cli 2> /dev/null || fail "iperf3 client died of the deleted SA"
kill $cli $srv
wait $cli
wait $srv
# A new SA restores the flow.
fresh_tunnel
run ip netns exec sl-a iperf3 -c $PK_RIN4 -B $PK_SIN4 -t 3
wait $srv || fail "iperf3 server on the new SA failed"
p2=$(pk_sa sl-b 'sa("in", 0x6001)["stats"]["packets"]')
[ "$p2" -gt 100 ] || fail "too little traffic on the new SA: $p2 packets"

# 10,000 on Debian's kernel.  The debug kernel checks the same paths with
# 2,000: KASAN makes each SA_NEW (a crypto transform per SA) ten times
# slower, and the count adds nothing to what it looks for.
nsas=10000
esptun_debug_kernel && nsas=2000
log "$nsas SAs: added, listed, flushed"
t0=$(date +%s%N)
for i in $(seq 20); do
	pk_esptun sl-a sa add dev esp0 dir in src $PK_R4 dst $PK_S4 \
		spi $((0x70000 + i)) "${gcm[@]}" || fail "sa add #$i failed"
done
ms=$((($(date +%s%N) - t0) / 20000000))
log "esptun sa add: ${ms} ms per SA under this machine: batching over raw netlink"
before=$(pk_sa sl-a 'len(sas)' esp0)
t0=$(date +%s)
run ip netns exec sl-a "$PK_PY" "$PK_HELPER" sa-bulk --dev esp0 \
	--src $PK_R4 --dst $PK_S4 --first-spi 0x100000 --count $nsas
log "sa-bulk took $(($(date +%s) - t0))s"
t0=$(date +%s)
expect_eq "SAs listed" "$(pk_sa sl-a 'len(sas)' esp0)" $((before + nsas))
log "sa list -j of $((before + nsas)) SAs took $(($(date +%s) - t0))s"
expect_eq "sa-count" "$(esptun_json 'd[0]["sa-count"]' sl-a esp0)" $((before + nsas))
expect_eq "SPIs listed" "$(pk_sa sl-a 'len({s["spi"] for s in sas if 0x100000 <= s["spi"] < 0x100000 + '$nsas'})' esp0)" $nsas
expect_eq "traffic with $nsas more SAs" "$(ping_ab 3)" 3
t0=$(date +%s)
run pk_esptun sl-a sa flush dev esp0
log "sa flush took $(($(date +%s) - t0))s"
expect_eq "SAs after the flush" "$(pk_sa sl-a 'len(sas)' esp0)" 0
expect_eq "sa-count after the flush" "$(esptun_json 'd[0]["sa-count"]' sl-a esp0)" 0
expect_eq "sl-b's SAs untouched" "$(pk_sa sl-b 'len(sas)' esp0)" 2

log "rmmod esptun under iperf3 traffic"
# sl-b's inbound SA has seen iperf3's numbers: a new one for a new a_out.
run pk_esptun sl-b sa del dev esp0 dir in spi 0x6001
b_in
a_out
a_in
expect_eq "echo replies before rmmod" "$(ping_ab 2)" 2
pk_bg ip netns exec sl-b iperf3 -s -1 -B $PK_RIN4
srv=$PK_PID
sleep 1
pk_bg ip netns exec sl-a iperf3 -c $PK_RIN4 -B $PK_SIN4 -t 30 -i 0
cli=$PK_PID
sleep 3
kill -0 $cli 2> /dev/null || fail "iperf3 ended before rmmod"
run rmmod esptun
grep -q '^esptun ' /proc/modules && fail "esptun.ko still loaded after rmmod"
for ns in sl-a sl-b; do
	expect_eq "esptun interfaces in $ns after rmmod" "$(esptun_links $ns)" ""
done
kill $cli $srv 2> /dev/null
wait $cli
wait $srv
run ip -n sl-a link add esp0 type esptun
grep -q '^esptun ' /proc/modules || fail "esptun.ko did not load again"
expect_eq "a fresh interface has no SAs" "$(pk_sa sl-a 'len(sas)' esp0)" 0
exit $KSFT_PASS
