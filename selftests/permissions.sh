#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Without CAP_NET_ADMIN nothing changes: a process running as nobody cannot
# create, delete, reconfigure or move esptun interfaces, add, delete, flush
# or even read SAs, and its failed attempts leave everything as it was;
# reading the interfaces (`esptun show`) works.
# (Joining the events multicast group is covered by genl_errors.)
. "$(dirname "$0")/lib/esptun_lib.sh"

command -v setpriv > /dev/null || skip "setpriv (util-linux) missing"
nobody() { ip netns exec pm-a setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

ns_create pm-a pm-b
run ip -n pm-a link add esp0 type esptun

run_fails "Operation not permitted" nobody ip link add esp1 type esptun
run_fails "Operation not permitted" nobody ip link del esp0
run_fails "Operation not permitted" nobody ip link set esp0 mtu 1300
run_fails "Operation not permitted" nobody ip link set esp0 up
run_fails "Operation not permitted" nobody ip link set esp0 name esp9
run_fails "Operation not permitted" nobody ip link set esp0 netns pm-b

expect_eq "interfaces after the attempts" "$(esptun_links pm-a)" "esp0"
expect_eq "interfaces in pm-b" "$(esptun_links pm-b)" ""
st=$(ip -n pm-a -j link show esp0 | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
print(d["mtu"], "UP" in d["flags"])')
expect_eq "esp0 MTU and state" "$st" "1390 False"

key=0x0123456789abcdef0123456789abcdef01020304
sa="dir out src 192.0.2.1 dst 192.0.2.2 spi 0x1001 aead rfc4106(gcm(aes)) $key 128"
run ip netns exec pm-a "$ESPTUN" sa add dev esp0 $sa
run_fails "Operation not permitted" nobody "$ESPTUN" sa add dev esp0 \
	dir in src 192.0.2.2 dst 192.0.2.1 spi 0x2002 aead "rfc4106(gcm(aes))" $key 128
run_fails "Operation not permitted" nobody "$ESPTUN" sa del dev esp0 dir out spi 0x1001
run_fails "Operation not permitted" nobody "$ESPTUN" sa flush dev esp0
# SPIs, peers and sequence numbers help whoever forges ESP: admins only.
run_fails "Operation not permitted" nobody "$ESPTUN" sa list
run_fails "Operation not permitted" nobody "$ESPTUN" set esp0 ttl 9
run_fails "Operation not permitted" nobody "$ESPTUN" set esp0 listen-port 4500
expect_eq "SAs after the attempts" \
	"$(ip netns exec pm-a "$ESPTUN" sa list -j | python3 -c 'import json,sys; print([(s["dir"], s["spi"]) for s in json.load(sys.stdin)])')" \
	"[('out', 4097)]"
expect_eq "settings after the attempts" \
	"$(esptun_json 'd[0]["ttl"], d[0]["listen-port"]' pm-a esp0)" "64 0"

out=$(nobody "$ESPTUN" show -j) || fail "esptun show as nobody"
expect_eq "esptun show as nobody" \
	"$(python3 -c 'import json,sys; print([d["ifname"] for d in json.loads(sys.argv[1])])' "$out")" \
	"['esp0']"
exit $KSFT_PASS
