#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# esptun interfaces come and go with stock iproute2: creation, `ip -d link`,
# MTU bounds, rename, invalid attributes refused without leaving anything
# behind, and 1000 create/delete cycles (250 on the debug kernel) across
# three namespaces running concurrently with `esptun show` dumps.
. "$(dirname "$0")/lib/esptun_lib.sh"

ns_create lc-a lc-b lc-c

log "create, inspect, delete"
run ip -n lc-a link add esp0 type esptun
d=$(ip -n lc-a -d link show esp0) || fail "ip -d link show esp0"
echo "$d"
[[ $d =~ "esptun" ]] || fail "ip -d link show does not name the kind: $d"
[[ $d =~ POINTOPOINT ]] && [[ $d =~ NOARP ]] ||
	fail "esp0 should be POINTOPOINT,NOARP: $d"
expect_eq "default MTU" "$(ip -n lc-a -j link show esp0 |
	python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mtu"])')" 1390
run ip -n lc-a link set esp0 up
run ip -n lc-a link del esp0
expect_eq "interfaces after delete" "$(esptun_links lc-a)" ""

log "MTU bounds: 68 .. 65535 - worst-case overhead"
run ip -n lc-a link add esp0 type esptun
run ip -n lc-a link set esp0 mtu 68
run ip -n lc-a link set esp0 mtu 1280
run_fails "less than device minimum" ip -n lc-a link set esp0 mtu 67
run_fails "greater than device maximum" ip -n lc-a link set esp0 mtu 65500
expect_eq "MTU after refused changes" "$(ip -n lc-a -j link show esp0 |
	python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mtu"])')" 1280
run ip -n lc-a link add esp1 mtu 1400 type esptun
expect_eq "MTU given at creation" "$(ip -n lc-a -j link show esp1 |
	python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mtu"])')" 1400

log "rename keeps the interface reachable by its new name"
run ip -n lc-a link set esp1 name esp-renamed
expect_eq "name after rename" "$(esptun_json 'd[0]["ifname"] if len(d)==1 else d' lc-a esp-renamed)" esp-renamed
run ip -n lc-a link del esp-renamed
run ip -n lc-a link del esp0

log "invalid attributes are refused and nothing is half-created"
run_fails "no link-layer address" \
	ip -n lc-a link add esp0 address 02:00:00:00:00:01 type esptun
run_fails "no link-layer broadcast" \
	ip -n lc-a link add esp0 broadcast 02:00:00:00:00:ff type esptun
expect_eq "interfaces after refused creation" "$(esptun_links lc-a)" ""
run ip -n lc-a link add esp0 type esptun
run_fails "File exists" ip -n lc-a link add esp0 type esptun
expect_eq "interfaces after duplicate" "$(esptun_links lc-a)" "esp0"
run ip -n lc-a link del esp0

cycles=1000
esptun_debug_kernel && cycles=250
log "$cycles create/delete cycles over three namespaces, with dumps running"
batch() {	# batch NS FIRST COUNT: COUNT add/del cycles in NS, one batch
	local i
	for ((i = $2; i < $2 + $3; i++)); do
		echo "link add e$i type esptun"
		echo "link set e$i up"
		echo "link del e$i"
	done > "/tmp/$1.batch"
	ip -n "$1" -batch "/tmp/$1.batch"
}
dumper() {	# keeps dumping esptun interfaces while the cycles run
	while [ ! -e /tmp/lc.stop ]; do
		ip netns exec "$1" "$ESPTUN" show -j > /dev/null || return 1
	done
}
rm -f /tmp/lc.stop
dumper lc-a & dpid=$!
third=$((cycles / 3))
batch lc-a 0 $((cycles - 2 * third)) & p1=$!
batch lc-b $((cycles - 2 * third)) $third & p2=$!
batch lc-c $((cycles - third)) $third & p3=$!
rc=0
wait $p1 || rc=1
wait $p2 || rc=1
wait $p3 || rc=1
touch /tmp/lc.stop
wait $dpid || fail "esptun show -j failed while interfaces came and went"
[ $rc = 0 ] || fail "an ip -batch of create/delete cycles failed"
total=$(( $(grep -c '^link add' /tmp/lc-a.batch) +
	  $(grep -c '^link add' /tmp/lc-b.batch) +
	  $(grep -c '^link add' /tmp/lc-c.batch) ))
expect_eq "cycles run" "$total" "$cycles"
for ns in lc-a lc-b lc-c; do
	expect_eq "interfaces left in $ns" "$(esptun_links $ns)" ""
done
exit $KSFT_PASS
