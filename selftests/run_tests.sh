#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_tests.sh OUT [TEST...]
#
# Runs esptun selftests inside the test VM and reports KTAP/TAP on stdout
# (the VM console) and in OUT/results.tap.  Every test runs with the timeout
# from ./settings; besides its own exit status a test fails when:
#  - the kernel logged a splat while it ran (WARNING, BUG, Oops, refcount,
#    KASAN, UBSAN, lockdep, RCU or sleep-in-atomic reports), or
#  - it left a network namespace behind.
# After the tests: `rmmod esptun` must succeed, the kernel log must be clean
# and, where kmemleak exists (debug kernel), a scan must find no leak.
# Per-test output and kernel log: OUT/tests/NAME.{log,dmesg}.
set -u

out=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
gen=$top/build/selftests
mkdir -p "$out/tests"
results=$out/results.tap
: > "$results"

# shellcheck disable=SC2034
timeout=$(sed -n 's/^timeout=//p' "$here/settings")
timeout=${timeout:-600}

tests=("$@")
if [ ${#tests[@]} = 0 ]; then
	mapfile -t tests < "$gen/tests.list"
fi

splat_re='WARNING:|BUG:|Oops|refcount_t:|KASAN:|UBSAN:|kernel BUG|general protection|possible recursive locking|possible circular locking|inconsistent lock state|suspicious RCU usage|sleeping function called from invalid context|unreferenced object|Call Trace:|INFO: task .* blocked|stack-protector|list_(add|del) corruption'

tap() { echo "$*" | tee -a "$results"; }

n=0 passed=0 failed=0 skipped=0
total=$((${#tests[@]} + 2))
tap "TAP version 13"
tap "1..$total"

# Boot noise is not ours: start from a clean log and leak state.
dmesg -c > "$out/dmesg-boot.log"
kmemleak=/sys/kernel/debug/kmemleak
[ -w "$kmemleak" ] && echo clear > "$kmemleak"

result() {	# result NAME STATUS(0 pass, 4 skip, else fail) [REASON]
	n=$((n + 1))
	case "$2" in
	0) passed=$((passed + 1)); tap "ok $n $1" ;;
	4) skipped=$((skipped + 1)); tap "ok $n $1 # SKIP ${3:-}" ;;
	*) failed=$((failed + 1)); tap "not ok $n $1 # ${3:-exit status $2}" ;;
	esac
}

# Prints the splat lines of a kernel log, if any.
splats() { grep -E "$splat_re" "$1" | head -n 20; }

for t in "${tests[@]}"; do
	if [ -x "$here/$t" ]; then
		prog=$here/$t
	elif [ -x "$gen/$t" ]; then
		prog=$gen/$t
	else
		result "$t" 1 "no such test"
		continue
	fi
	log=$out/tests/$t.log
	echo "# running $t"
	t0=$(date +%s)
	(cd "$here" && exec timeout -k 10 "$timeout" "$prog") > "$log" 2>&1
	rc=$?
	echo "# $t took $(($(date +%s) - t0))s"
	dmesg -c > "$out/tests/$t.dmesg"
	cat "$out/tests/$t.dmesg" >> "$out/dmesg.log"

	reason=
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		reason="timed out after ${timeout}s"
	elif [ $rc != 0 ] && [ $rc != 4 ]; then
		reason=$(grep -m1 '^FAIL:' "$log" || true)
		reason=${reason:-"exit status $rc"}
	fi
	s=$(splats "$out/tests/$t.dmesg")
	if [ -n "$s" ]; then
		reason="kernel splat: $(echo "$s" | head -n1)"
		rc=1
	fi
	left=$(ip netns list 2>/dev/null | awk '{print $1}')
	if [ -n "$left" ]; then
		[ -z "$reason" ] && reason="left network namespaces behind: $(echo $left)"
		[ $rc = 4 ] && rc=1
		for ns in $left; do ip netns del "$ns"; done
	fi
	[ -n "$reason" ] && [ $rc = 0 ] && rc=1
	if [ $rc != 0 ] && [ $rc != 4 ]; then
		sed 's/^/#   /' "$log" | tail -n 40
		[ -n "$s" ] && echo "$s" | sed 's/^/#   dmesg: /'
	fi
	skipmsg=
	[ $rc = 4 ] && skipmsg=$(grep -m1 '^SKIP:' "$log" || true)
	result "$t" "$rc" "${reason:-$skipmsg}"
done

# The module must come out cleanly with whatever the tests left behind.
if grep -q '^esptun ' /proc/modules; then
	if rmmod esptun > "$out/rmmod.log" 2>&1; then
		result rmmod-esptun 0
	else
		result rmmod-esptun 1 "rmmod esptun failed: $(cat "$out/rmmod.log")"
	fi
else
	result rmmod-esptun 0
fi

# Leaks and anything logged after the last test (e.g. during rmmod).
reason=
if [ "${ESPTUN_FLAVOUR:-}" = debug ] && [ ! -w "$kmemleak" ]; then
	reason="the debug kernel has no $kmemleak: leaks went unchecked"
elif [ -w "$kmemleak" ]; then
	# Objects must be a few seconds old before kmemleak reports them.
	sleep 6
	echo scan > "$kmemleak"
	echo scan > "$kmemleak"
	cat "$kmemleak" > "$out/kmemleak.log"
	if [ -s "$out/kmemleak.log" ]; then
		reason="kmemleak: $(grep -c 'unreferenced object' "$out/kmemleak.log") leaks, see kmemleak.log"
	fi
fi
dmesg -c > "$out/dmesg-final.log"
cat "$out/dmesg-final.log" >> "$out/dmesg.log"
s=$(splats "$out/dmesg-final.log")
[ -n "$s" ] && reason="kernel splat after the tests: $(echo "$s" | head -n1)"
if [ -n "$reason" ]; then
	result final-kernel-checks 1 "$reason"
else
	result final-kernel-checks 0
fi

tap "# esptun selftests on $(uname -r): $passed passed, $failed failed, $skipped skipped"
echo "done" > "$out/done"
