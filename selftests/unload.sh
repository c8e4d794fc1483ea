#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module unloads while interfaces exist (up, addressed, in several
# namespaces, some moved away from where they were created) and takes them
# all with it; afterwards both its generic netlink family and its link kind
# load it again on demand (MODULE_ALIAS_GENL_FAMILY, MODULE_ALIAS_RTNL_LINK).
. "$(dirname "$0")/lib/esptun_lib.sh"

ns_create ul-a ul-b
# Autoload through the link kind.
run ip -n ul-a link add esp0 type esptun
grep -q '^esptun ' /proc/modules || fail "esptun.ko not loaded after ip link add"
run ip -n ul-a link add esp1 type esptun
run ip -n ul-a addr add 10.1.0.1/24 dev esp0
run ip -n ul-a link set esp0 up
run ip -n ul-b link add esp0 type esptun
run ip -n ul-b link set esp0 up
run ip -n ul-a link set esp1 netns ul-b

run rmmod esptun
grep -q '^esptun ' /proc/modules && fail "esptun.ko still loaded after rmmod"
for ns in ul-a ul-b; do
	expect_eq "esptun interfaces in $ns after unload" "$(esptun_links $ns)" ""
	ip -n $ns link show esp0 > /dev/null 2>&1 && fail "esp0 survived in $ns"
done

# Autoload through the generic netlink family name.
expect_eq "esptun show after unload" "$(esptun_json 'len(d)' ul-a)" 0
grep -q '^esptun ' /proc/modules || fail "esptun show did not load esptun.ko"

run rmmod esptun
run ip -n ul-b link add esp2 type esptun
expect_eq "interface after reload" "$(esptun_links ul-b)" "esp2"
exit $KSFT_PASS
