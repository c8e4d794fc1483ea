#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Without CAP_NET_ADMIN nothing changes: a process running as nobody cannot
# create, delete, reconfigure or move esptun interfaces, and its failed
# attempts leave the interfaces as they were; reading (`esptun show`) works.
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

out=$(nobody "$ESPTUN" show -j) || fail "esptun show as nobody"
expect_eq "esptun show as nobody" \
	"$(python3 -c 'import json,sys; print([d["ifname"] for d in json.loads(sys.argv[1])])' "$out")" \
	"['esp0']"
exit $KSFT_PASS
