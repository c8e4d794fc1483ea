#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for esptun selftests: failure reporting that names the
# command, network namespaces owned by the test (and removed on exit,
# whatever happens), and the topologies tests are built from.
#
# Source it first thing: . "$(dirname "$0")/lib/esptun_lib.sh"

set -u

ESPTUN_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ESPTUN=${ESPTUN:-$ESPTUN_TOP/tools/esptun}
TEST_NAME=$(basename "$0" .sh)
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

_esptun_ns=()

fail() {
	echo "FAIL: $TEST_NAME: $*"
	exit $KSFT_FAIL
}

skip() {
	echo "SKIP: $TEST_NAME: $*"
	exit $KSFT_SKIP
}

log() { echo "# $*"; }

# run CMD...: runs CMD, fails the test naming CMD if it fails.
run() {
	echo "+ $*"
	"$@" || fail "command failed (exit $?): $*"
}

# run_fails EXPECTED_STDERR_RE CMD...: CMD must fail, and say so clearly.
run_fails() {
	local re=$1 err rc
	shift
	echo "+ ! $*"
	err=$("$@" 2>&1 > /dev/null)
	rc=$?
	[ $rc != 0 ] || fail "command should have failed: $*"
	echo "  -> exit $rc: $err"
	[[ $err =~ $re ]] || fail "error of '$*' does not match /$re/: $err"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# ns_create NAME...: new network namespaces with loopback up, removed when
# the test exits.
ns_create() {
	local ns
	for ns in "$@"; do
		ip netns add "$ns" || fail "cannot create netns $ns"
		_esptun_ns+=("$ns")
		ip -n "$ns" link set lo up || fail "lo up in $ns"
	done
}

# ns_forget NAME: the test deleted it itself.
ns_forget() {
	local i
	for i in "${!_esptun_ns[@]}"; do
		[ "${_esptun_ns[$i]}" = "$1" ] && unset "_esptun_ns[$i]"
	done
}

_esptun_cleanup() {
	local ns
	for ns in "${_esptun_ns[@]}"; do
		ip netns del "$ns" 2> /dev/null
	done
}
trap _esptun_cleanup EXIT

# esptun_links [NS]: names of the esptun interfaces, one per line, sorted,
# as the kernel's own rtnetlink reports them.
esptun_links() {
	ip ${1:+-n "$1"} -j link show type esptun |
		python3 -c 'import json,sys; print("\n".join(sorted(d["ifname"] for d in json.load(sys.stdin))))'
}

# esptun_json EXPR [NS] [DEV]: evaluates the Python expression EXPR over
# d = the parsed `esptun show -j` output.
esptun_json() {
	local expr=$1 ns=${2:-} dev=${3:-} j
	if [ -n "$ns" ]; then
		j=$(ip netns exec "$ns" "$ESPTUN" show $dev -j) ||
			fail "esptun show $dev -j failed in $ns"
	else
		j=$("$ESPTUN" show $dev -j) || fail "esptun show $dev -j failed"
	fi
	python3 -c "import json,sys; d=json.loads(sys.argv[1]); print($expr)" "$j" ||
		fail "esptun show -j output does not parse or lacks '$expr': $j"
}
