#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `esptun show`: text and JSON output list exactly the interfaces the kernel
# has (awkward names included), counters match `ip -s link` and count each
# drop under its reason, and every misuse gets a clear error and the right
# exit status (1 failure, 2 usage).
. "$(dirname "$0")/lib/esptun_lib.sh"

ns_create sh-a
# Interface names may hold quotes and backslashes: JSON must escape them.
odd='e"q\x'
run ip -n sh-a link add esp0 type esptun
run ip -n sh-a link add "$odd" type esptun
run ip -n sh-a link add esp-fifteen-ch type esptun
run ip -n sh-a link add dummy0 type dummy

log "JSON lists exactly the esptun interfaces rtnetlink reports"
want=$(ip -n sh-a -j link show type esptun | python3 -c '
import json, sys
print(sorted((d["ifname"], d["ifindex"], d["mtu"]) for d in json.load(sys.stdin)))')
got=$(esptun_json 'sorted((x["ifname"], x["ifindex"], x["mtu"]) for x in d)' sh-a)
expect_eq "esptun show -j vs ip -j link show type esptun" "$got" "$want"
expect_eq "number of interfaces" "$(esptun_json 'len(d)' sh-a)" 3
expect_eq "the odd name survives JSON" \
	"$(esptun_json '[x["ifname"] for x in d if "q" in x["ifname"]][0]' sh-a)" "$odd"
expect_eq "pretty JSON parses the same" \
	"$(ip netns exec sh-a "$ESPTUN" -j -p show | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 3
expect_eq "empty namespace gives an empty array" "$("$ESPTUN" show -j)" "[]"

log "text output"
txt=$(ip netns exec sh-a "$ESPTUN" show) || fail "esptun show"
echo "$txt"
for n in esp0 "$odd" esp-fifteen-ch; do
	grep -qF "$n: ifindex" <<< "$txt" || fail "esptun show does not list $n"
done
grep -q dummy0 <<< "$txt" && fail "esptun show lists a non-esptun interface"
expect_eq "show DEV shows one" "$(ip netns exec sh-a "$ESPTUN" show esp0 | grep -c ': ifindex')" 1

log "counters: drops are counted per reason and match ip -s link"
run ip netns exec sh-a sysctl -qw net.ipv6.conf.esp0.disable_ipv6=1
run ip -n sh-a addr add 10.9.0.1/24 dev esp0
run ip -n sh-a link set esp0 up
ip netns exec sh-a ping -c 3 -i 0.2 -W 1 10.9.0.2 > /dev/null &&
	fail "ping through an interface without SAs succeeded"
expect_eq "tx-no-sa after 3 pings" \
	"$(esptun_json 'd[0]["drops"]["tx-no-sa"]' sh-a esp0)" 3
expect_eq "tx dropped after 3 pings" \
	"$(esptun_json 'd[0]["stats"]["tx"]["dropped"]' sh-a esp0)" 3
expect_eq "ip -s link agrees" "$(ip -n sh-a -s -j link show esp0 |
	python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["dropped"])')" 3
# A non-IP frame (ARP ethertype over a packet socket) is a different reason.
run ip netns exec sh-a python3 -c '
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0806))
s.sendto(b"\0" * 28, ("esp0", 0x0806))'
expect_eq "tx-bad-proto" "$(esptun_json 'd[0]["drops"]["tx-bad-proto"]' sh-a esp0)" 1
expect_eq "tx-no-sa unchanged" "$(esptun_json 'd[0]["drops"]["tx-no-sa"]' sh-a esp0)" 3
txt=$(ip netns exec sh-a "$ESPTUN" show esp0)
grep -q "drops: tx-no-sa 3 tx-bad-proto 1" <<< "$txt" ||
	fail "text output lacks the drop reasons: $txt"

log "errors name the problem and exit non-zero"
run_fails "esp9: no such interface" ip netns exec sh-a "$ESPTUN" show esp9
run_fails "dummy0 is not an esptun interface" ip netns exec sh-a "$ESPTUN" show dummy0
run_fails "unknown command \"bogus\"" "$ESPTUN" bogus
run_fails "too many arguments" "$ESPTUN" show esp0 esp1
run_fails "not a valid interface name" "$ESPTUN" show 0123456789abcdef
run_fails "unknown option \"--frobnicate\"" "$ESPTUN" show --frobnicate
for args in "bogus" "show a b" "--frobnicate"; do
	"$ESPTUN" $args > /dev/null 2>&1
	expect_eq "exit status of 'esptun $args'" $? 2
done
ip netns exec sh-a "$ESPTUN" show esp9 > /dev/null 2>&1
expect_eq "exit status of a failed show" $? 1

log "help"
"$ESPTUN" --help | grep -q "^  show " || fail "esptun --help does not list show"
"$ESPTUN" show --help | grep -q "^Usage: esptun show" || fail "esptun show --help"
"$ESPTUN" help show | grep -q "tx-no-sa" || fail "esptun help show"
"$ESPTUN" > /dev/null 2>&1 && fail "esptun without a command should fail"
"$ESPTUN" --version | grep -q "^esptun [0-9]" || fail "esptun --version"
exit $KSFT_PASS
