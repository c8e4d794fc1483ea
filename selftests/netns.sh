#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# esptun interfaces and network namespaces:
# - `ip link set DEV netns X` moves an interface; both namespaces see it
#   (and only it) where it is, through rtnetlink and through `esptun show`;
# - a move onto a taken name fails and leaves both interfaces in place;
# - deleting a namespace deletes the interfaces living in it;
# - deleting the namespace an interface was created in deletes it too, even
#   after it moved elsewhere (its outer packets lived there).
. "$(dirname "$0")/lib/esptun_lib.sh"

ns_create nn-a nn-b nn-c

log "move between namespaces and back"
run ip -n nn-a link add esp0 type esptun
run ip -n nn-a addr add 10.0.0.1/32 dev esp0
run ip -n nn-a link set esp0 up
run ip -n nn-a link set esp0 netns nn-b
expect_eq "esptun interfaces in nn-a after move" "$(esptun_links nn-a)" ""
expect_eq "esptun interfaces in nn-b after move" "$(esptun_links nn-b)" "esp0"
expect_eq "esptun show in nn-a" "$(esptun_json 'len(d)' nn-a)" 0
expect_eq "esptun show in nn-b" "$(esptun_json '[x["ifname"] for x in d]' nn-b)" "['esp0']"
run ip -n nn-b link set esp0 netns nn-a
expect_eq "back in nn-a" "$(esptun_links nn-a)" "esp0"
expect_eq "gone from nn-b" "$(esptun_links nn-b)" ""

log "a move onto a taken name fails and changes nothing"
run ip -n nn-b link add esp0 type esptun
run_fails "File exists|exists" ip -n nn-a link set esp0 netns nn-b
expect_eq "nn-a keeps its esp0" "$(esptun_links nn-a)" "esp0"
expect_eq "nn-b keeps its esp0" "$(esptun_links nn-b)" "esp0"
run ip -n nn-b link del esp0

log "created in one namespace, living in another from the start"
run ip -n nn-a link add esp1 netns nn-b type esptun
expect_eq "esp1 lives in nn-b" "$(esptun_links nn-b)" "esp1"

log "deleting a namespace deletes the interfaces living in it"
run ip -n nn-c link add esp2 type esptun
run ip -n nn-c link add esp3 type esptun
run ip -n nn-c link set esp2 up
run ip -n nn-c addr add 2001:db8::1/64 dev esp2 nodad
# A veth pair across nn-c and nn-a: its end in nn-a vanishes once the
# (asynchronous) cleanup of nn-c has run.
run ip link add mark-c netns nn-c type veth peer name mark-a netns nn-a
run ip netns del nn-c
ns_forget nn-c
for _ in $(seq 100); do
	ip -n nn-a link show mark-a > /dev/null 2>&1 || break
	sleep 0.1
done
ip -n nn-a link show mark-a > /dev/null 2>&1 && fail "nn-c was never cleaned up"
expect_eq "nothing returned to nn-a" "$(esptun_links nn-a)" "esp0"
expect_eq "nothing returned to the initial namespace" "$(esptun_links)" ""

log "deleting the creating namespace deletes interfaces created there"
run ip -n nn-a link set esp0 netns nn-b
expect_eq "nn-b holds esp0 and esp1" "$(esptun_links nn-b | tr '\n' ' ')" "esp0 esp1 "
run ip netns del nn-a
ns_forget nn-a
# Namespace cleanup runs asynchronously (netns workqueue): wait for it.
for _ in $(seq 100); do
	[ -z "$(esptun_links nn-b)" ] && break
	sleep 0.1
done
expect_eq "interfaces created in the deleted nn-a" "$(esptun_links nn-b)" ""
exit $KSFT_PASS
