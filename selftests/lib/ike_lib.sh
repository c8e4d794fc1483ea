#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IKE daemons for the selftests: strongSwan's charon (Debian's 5.9.8, native
# xfrm behind an xfrm interface) and esptund, each in a network namespace,
# with their configurations (swanctl.conf syntax for both), credentials made
# at test time, and bounded waits on what they negotiate.
#
# Source it after esptun_lib.sh:
#   . "$(dirname "$0")/lib/esptun_lib.sh"
#   . "$(dirname "$0")/lib/ike_lib.sh"
#   ike_require_charon		# skips the test if strongSwan is not installed
#
# Everything a test starts here lives under $IKE_WORK (a directory in
# /tmp, removed at exit) and is stopped when the test exits.  Daemon logs
# are printed when the test fails, and copied to build/ike/TEST/ in the
# checkout (which the guest shares with the host) whatever the outcome.

IKE_CHARON=${IKE_CHARON:-/usr/lib/ipsec/charon}
IKE_SWANCTL=${IKE_SWANCTL:-$(command -v swanctl || echo /usr/sbin/swanctl)}
ESPTUND=${ESPTUND:-$ESPTUN_TOP/tools/esptund}
# The plugins charon loads: nothing else on the host's configuration is read
# (STRONGSWAN_CONF points to a file of the test's own).
IKE_CHARON_PLUGINS="random nonce openssl pem pkcs1 pkcs8 x509 pubkey revocation constraints curve25519 kdf hmac sha2 aes gcm kernel-netlink socket-default vici"
# Under TCG charon takes 2-11 s to open its vici socket on Debian's kernel,
# about 30 s on the debug kernel.
IKE_START_WAIT=${IKE_START_WAIT:-$(esptun_debug_kernel && echo 180 || echo 60)}
IKE_KEEP=$ESPTUN_TOP/build/ike/$TEST_NAME

IKE_WORK=$(mktemp -d /tmp/ike.XXXXXX) || { echo "FAIL: $TEST_NAME: mktemp"; exit 1; }
# The daemons this test started: "charon:NAME" or "esptund:NAME" -> pid.
declare -A _ike_pid=()
declare -A _ike_ns=()

# fail MSG: as esptun_lib.sh's, after what the daemons know and the end of
# their logs.
fail() {
	ike_dump_state
	ike_dump_logs
	echo "FAIL: $TEST_NAME: $*"
	exit $KSFT_FAIL
}

# ike_dump_logs [LINES]: the last LINES (60) of every daemon log.
ike_dump_logs() {
	local f
	for f in "$IKE_WORK"/*/*.log; do
		[ -s "$f" ] || continue
		echo "# ---- ${f#"$IKE_WORK"/} (last ${1:-60} lines)"
		tail -n "${1:-60}" "$f" | sed 's/^/#   /'
	done
}

# ike_dump_state: the SAs of every daemon the test started.
ike_dump_state() {
	local k name
	for k in "${!_ike_ns[@]}"; do
		name=${k#*:}
		case "$k" in
		charon:*)
			echo "# ---- charon $name: swanctl --list-sas"
			swanctl_ "$name" --list-sas 2>&1 | sed 's/^/#   /' ;;
		esptund:*)
			echo "# ---- esptund $name: esptun ike list -j"
			timeout 10 ip netns exec "${_ike_ns[$k]}" "$ESPTUN" ike \
				-s "$IKE_WORK/$name/esptund.sock" list -j 2>&1 | sed 's/^/#   /' ;;
		esac
		echo "# ---- ip xfrm state in ${_ike_ns[$k]}"
		ip -n "${_ike_ns[$k]}" xfrm state 2>&1 | grep -E '^src|proto' | sed 's/^/#   /'
	done
}

_ike_cleanup() {
	local rc=$? k
	for k in "${!_ike_pid[@]}"; do
		_ike_stop_key "$k"
	done
	_esptun_cleanup
	mkdir -p "$IKE_KEEP" 2> /dev/null &&
		(cd "$IKE_WORK" && find . \( -name '*.log' -o -name '*.conf' -o \
			-name '*.out' \) -exec cp --parents {} "$IKE_KEEP" \; 2> /dev/null)
	rm -rf "$IKE_WORK"
	exit $rc
}
rm -rf "$IKE_KEEP"
trap _ike_cleanup EXIT

# ike_subshell: first thing in a ( subshell ) that starts daemons or
# background jobs (a subshell does not run the test's EXIT trap): when it
# exits, it stops what it started, and only that.
ike_subshell() {
	_ike_pid=()
	_esptun_pids=()
	trap _ike_subshell_exit EXIT
}

_ike_subshell_exit() {
	local rc=$? k
	for k in "${!_ike_pid[@]}"; do
		_ike_stop_key "$k"
	done
	bg_stop_all
	exit $rc
}

# ike_require_charon: skips the test (kselftest SKIP) unless strongSwan's
# charon and swanctl are installed.  A missing plugin is a failure: the
# Debian packages are in `make deps`.
ike_require_charon() {
	local p
	[ -x "$IKE_CHARON" ] ||
		skip "strongSwan's charon is not installed ($IKE_CHARON: apt-get install strongswan-charon)"
	[ -x "$IKE_SWANCTL" ] ||
		skip "strongSwan's swanctl is not installed (apt-get install strongswan-swanctl)"
	for p in openssl gcm curve25519 vici kernel-netlink; do
		[ -e "/usr/lib/ipsec/plugins/libstrongswan-$p.so" ] ||
			fail "strongSwan plugin $p is missing: run 'make deps' (libstrongswan-standard-plugins, libstrongswan-extra-plugins)"
	done
	command -v openssl > /dev/null || skip "openssl is not installed"
}

# ike_skip_debug_kernel: `make check` runs the IKE tests on Debian's kernel
# only.  esptund is userspace, and its unit tests run under ASan and UBSan;
# what it asks of the kernel (SA add and delete over genl, ACQUIRE events,
# plain ESP) is what the other selftests exercise on the debug kernel, while
# these two would add 8 minutes to it.  ESPTUN_IKE_DEBUG=1 runs them there
# anyway.
ike_skip_debug_kernel() {
	if esptun_debug_kernel && [ "${ESPTUN_IKE_DEBUG:-}" != 1 ]; then
		skip "IKE tests run on Debian's kernel; ESPTUN_IKE_DEBUG=1 runs them on the debug kernel too"
	fi
	return 0
}

# now_ms; ms_since T: seconds since T (now_ms), one decimal.
now_ms() { local t=${EPOCHREALTIME//[^0-9]/}; echo $((10#$t / 1000)); }
ms_since() {
	local d=$(($(now_ms) - $1))
	printf '%d.%d' $((d / 1000)) $((d % 1000 / 100))
}

# --- Credentials ------------------------------------------------------------
#
# ike_make_certs NAME...: a CA (ECDSA P-256) and, for each NAME, an RSA-2048
# and an ECDSA P-256 end-entity certificate for NAME.esptun.test (CN and
# subjectAltName DNS), signed by the CA; and an ECDSA P-384 one signed by
# an intermediate CA (ECDSA P-384, signed by the CA).  Made once per test,
# with openssl:
#   $IKE_WORK/pki/ca.pem         int.pem (the intermediate)
#   $IKE_WORK/pki/NAME-rsa.pem   NAME-rsa.key   (PKCS#8, unencrypted)
#   $IKE_WORK/pki/NAME-ecdsa.pem NAME-ecdsa.key
#   $IKE_WORK/pki/NAME-chain.pem NAME-chain.key (issued by int.pem)
IKE_DOMAIN=esptun.test
ike_make_certs() {
	local pki=$IKE_WORK/pki name kind serial=1 ext issuer
	mkdir -p "$pki"
	if [ ! -e "$pki/ca.pem" ]; then
		_ike_openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
			-nodes -keyout "$pki/ca.key" -out "$pki/ca.pem" -days 7 \
			-subj "/O=esptun selftests/CN=esptun test CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" \
			-addext "subjectKeyIdentifier=hash"
	fi
	if [ ! -e "$pki/int.pem" ]; then
		_ike_openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
			-out "$pki/int.key"
		_ike_openssl req -new -key "$pki/int.key" \
			-subj "/O=esptun selftests/CN=esptun test intermediate CA" \
			-out "$pki/int.csr"
		printf '%s\n' "basicConstraints=critical,CA:TRUE,pathlen:0" \
			"keyUsage=critical,keyCertSign,cRLSign" \
			"subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" \
			> "$pki/int.ext"
		_ike_openssl x509 -req -in "$pki/int.csr" -CA "$pki/ca.pem" \
			-CAkey "$pki/ca.key" -set_serial "1$RANDOM" -days 7 -sha384 \
			-extfile "$pki/int.ext" -out "$pki/int.pem"
	fi
	for name in "$@"; do
		for kind in rsa ecdsa chain; do
			[ -e "$pki/$name-$kind.pem" ] && continue
			serial=$((serial + 1))
			case $kind in
			rsa)	_ike_openssl genpkey -algorithm RSA \
					-pkeyopt rsa_keygen_bits:2048 -out "$pki/$name-$kind.key" ;;
			ecdsa)	_ike_openssl genpkey -algorithm EC \
					-pkeyopt ec_paramgen_curve:P-256 -out "$pki/$name-$kind.key" ;;
			chain)	_ike_openssl genpkey -algorithm EC \
					-pkeyopt ec_paramgen_curve:P-384 -out "$pki/$name-$kind.key" ;;
			esac
			_ike_openssl req -new -key "$pki/$name-$kind.key" \
				-subj "/O=esptun selftests/CN=$name.$IKE_DOMAIN" \
				-out "$pki/$name-$kind.csr"
			ext=$pki/$name-$kind.ext
			printf '%s\n' "subjectAltName=DNS:$name.$IKE_DOMAIN" \
				"keyUsage=critical,digitalSignature" \
				"extendedKeyUsage=serverAuth,clientAuth" \
				"authorityKeyIdentifier=keyid" > "$ext"
			issuer=ca
			[ $kind = chain ] && issuer=int
			_ike_openssl x509 -req -in "$pki/$name-$kind.csr" \
				-CA "$pki/$issuer.pem" -CAkey "$pki/$issuer.key" \
				-set_serial "$serial$RANDOM" -days 7 -sha256 \
				-extfile "$ext" -out "$pki/$name-$kind.pem"
		done
	done
}

_ike_openssl() {
	local out
	out=$(openssl "$@" 2>&1) || fail "openssl $*: $out"
}

# --- Configuration ----------------------------------------------------------
#
# ike_conf FILE FLAVOUR: writes a swanctl.conf with one connection for
# FLAVOUR "charon" (the child on an xfrm interface: if_id_in/if_id_out) or
# "esptund" (the same syntax, with `interface` in the child instead).  The
# connection is described by these variables (the test sets them, usually
# through ike_conf_defaults first):
#   IKE_CONN	connection name			IKE_CHILD	child name
#   IKE_LOCAL	local address (local_addrs)	IKE_REMOTE	peer (remote_addrs)
#   IKE_LOCAL_ID, IKE_REMOTE_ID			identities (FQDNs)
#   IKE_AUTH	psk, rsa, ecdsa or chain (the certificates of ike_make_certs:
#		IKE_LOCAL_ID's host part names the key pair)
#   IKE_PSK	the pre-shared key
#   IKE_PROPOSALS, IKE_ESP_PROPOSALS		strongSwan proposal strings
#   IKE_LOCAL_TS, IKE_REMOTE_TS			traffic selectors
#   IKE_START	start_action (none, trap, start)
#   IKE_IFID	charon: if_id_in and if_id_out	IKE_IFNAME	esptund: interface
#   IKE_EXTRA	more lines for the connection (e.g. "mobike = no")
ike_conf_defaults() {
	IKE_CONN=gw IKE_CHILD=net
	IKE_AUTH=psk IKE_PSK="esptun-selftest-psk-0123456789"
	IKE_PROPOSALS=aes256-sha256-ecp256 IKE_ESP_PROPOSALS=aes256gcm16
	IKE_LOCAL_TS=0.0.0.0/0,::/0 IKE_REMOTE_TS=0.0.0.0/0,::/0
	IKE_START=none IKE_IFID=42 IKE_IFNAME=esp0 IKE_EXTRA=
}

ike_conf() {
	local file=$1 flavour=$2 name auth="$IKE_AUTH" pki=$IKE_WORK/pki local_auth remote_auth
	local child_if
	name=${IKE_LOCAL_ID%%.*}
	case "$flavour" in
	charon)	child_if="if_id_in = $IKE_IFID
				if_id_out = $IKE_IFID" ;;
	esptund) child_if="interface = $IKE_IFNAME" ;;
	*)	fail "ike_conf: unknown flavour $flavour" ;;
	esac
	case "$auth" in
	psk)	local_auth="auth = psk"
		remote_auth="auth = psk" ;;
	rsa|ecdsa|chain)
		[ -e "$pki/$name-$auth.pem" ] || fail "ike_conf: no $auth certificate for $name: call ike_make_certs"
		local_auth="auth = pubkey
			certs = $pki/$name-$auth.pem"
		# The intermediate goes along: esptund sends the certs after
		# the first; charon finds it in its x509ca (charon_load).
		[ "$auth" = chain ] && [ "$flavour" = esptund ] &&
			local_auth="$local_auth, $pki/int.pem"
		remote_auth="auth = pubkey
			cacerts = $pki/ca.pem" ;;
	*)	fail "ike_conf: unknown auth $auth" ;;
	esac
	cat > "$file" <<EOF
# $flavour, written by $TEST_NAME
connections {
	$IKE_CONN {
		version = 2
		local_addrs = $IKE_LOCAL
		remote_addrs = $IKE_REMOTE
		proposals = $IKE_PROPOSALS
		${IKE_EXTRA}
		local {
			$local_auth
			id = $IKE_LOCAL_ID
		}
		remote {
			$remote_auth
			id = $IKE_REMOTE_ID
		}
		children {
			$IKE_CHILD {
				local_ts = $IKE_LOCAL_TS
				remote_ts = $IKE_REMOTE_TS
				esp_proposals = $IKE_ESP_PROPOSALS
				mode = tunnel
				$child_if
				start_action = $IKE_START
			}
		}
	}
}
secrets {
EOF
	if [ "$auth" = psk ]; then
		cat >> "$file" <<EOF
	ike-$IKE_CONN {
		id-local = $IKE_LOCAL_ID
		id-remote = $IKE_REMOTE_ID
		secret = "$IKE_PSK"
	}
EOF
	else
		cat >> "$file" <<EOF
	private-$IKE_CONN {
		file = $pki/$name-$auth.key
	}
EOF
	fi
	echo "}" >> "$file"
}

# --- charon -----------------------------------------------------------------
#
# charon_start NS NAME: starts charon in NS, its files under $IKE_WORK/NAME/
# (strongswan.conf, charon.log, the vici socket charon.vici, swanctl/ with
# swanctl.conf and the credential directories), and waits for
# its vici socket.  charon runs with a tmpfs on /run and /var/run of its own
# (`unshare -m`): its pid file is /var/run/charon.pid, so several can run.
charon_start() {
	local ns=$1 name=$2 dir=$IKE_WORK/$2 t=$(now_ms) pid sub
	# swanctl reads credentials from the directories beside the file of
	# --file: all of them must exist, even empty.
	for sub in x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private \
		   rsa ecdsa bliss pkcs8 pkcs12; do
		mkdir -p "$dir/swanctl/$sub" || fail "mkdir $dir/swanctl/$sub"
	done
	cat > "$dir/strongswan.conf" <<EOF
# charon $name in $ns, written by $TEST_NAME
charon {
	load = $IKE_CHARON_PLUGINS
	# Routes are the test's: children go through xfrm interfaces.
	install_routes = no
	install_virtual_ip = no
	# Give up after 4 + 7.2 + 13 + 23.3 s, not strongSwan's 165 s.  Not
	# less: in a fresh guest the first SA of a cipher takes the kernel
	# seconds (module loads, crypto self-tests) before charon answers.
	retransmit_timeout = 4.0
	retransmit_tries = 3
	# Under TCG every thread costs.
	threads = 8
	plugins {
		vici {
			socket = unix://$dir/charon.vici
		}
	}
	filelog {
		test {
			path = $dir/charon.log
			time_format = %T
			ike_name = yes
			append = no
			flush_line = yes
			default = 1
			ike = 2
			cfg = 2
			knl = 2
		}
	}
	syslog {
		daemon {
			default = -1
		}
		auth {
			default = -1
		}
	}
}
swanctl {
	load = pem pkcs1 pkcs8 x509 revocation constraints pubkey openssl random
}
EOF
	echo "+ charon $name in $ns ($dir)"
	: > "$dir/charon.log"
	# ip netns exec and unshare exec: the pid is charon's.
	ns_bg "$ns" unshare -m sh -c '
		mkdir -p /var/run 2> /dev/null
		mount -t tmpfs none /run || exit 1
		[ -d /var/run ] && [ ! -L /var/run ] && mount -t tmpfs none /var/run
		exec env STRONGSWAN_CONF="$1" "$2" --use-syslog' \
		charon "$dir/strongswan.conf" "$IKE_CHARON" > "$dir/stderr.log" 2>&1
	pid=$BG_PID
	_ike_pid[charon:$name]=$pid
	_ike_ns[charon:$name]=$ns
	_ike_wait_up "charon $name" "$pid" _charon_up "$name" ||
		fail "charon $name in $ns: no vici socket after ${IKE_START_WAIT}s"
	echo "  charon $name up after $(ms_since "$t")s"
}

_charon_up() {
	[ -S "$IKE_WORK/$1/charon.vici" ] && swanctl_ "$1" --stats > /dev/null 2>&1
}

# _ike_wait_up WHAT PID CHECK ARGS...: waits up to IKE_START_WAIT for CHECK;
# fails at once if PID died.
_ike_wait_up() {
	local what=$1 pid=$2 i
	shift 2
	for ((i = 0; i < IKE_START_WAIT * 5; i++)); do
		kill -0 "$pid" 2> /dev/null ||
			fail "$what exited during startup (status $(wait "$pid"; echo $?))"
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# swanctl_ NAME ARGS...: swanctl against charon NAME's vici socket.
swanctl_() {
	local name=$1
	shift
	STRONGSWAN_CONF=$IKE_WORK/$name/strongswan.conf SWANCTL_DIR=$IKE_WORK/$name/swanctl \
		"$IKE_SWANCTL" "$@" --uri "unix://$IKE_WORK/$name/charon.vici"
}

# charon_load NAME: writes charon NAME's swanctl.conf from the IKE_*
# variables (ike_conf) and loads it (replacing connections and secrets).
# The private key, if any, goes into its swanctl/private directory.
charon_load() {
	local name=$1 dir=$IKE_WORK/$1 out key
	rm -f "$dir"/swanctl/private/*
	rm -f "$dir"/swanctl/x509ca/*
	if [ "$IKE_AUTH" != psk ]; then
		key=$IKE_WORK/pki/${IKE_LOCAL_ID%%.*}-$IKE_AUTH.key
		cp "$key" "$dir/swanctl/private/" || fail "charon_load: no key $key"
	fi
	if [ "$IKE_AUTH" = chain ]; then
		cp "$IKE_WORK/pki/int.pem" "$dir/swanctl/x509ca/" ||
			fail "charon_load: no intermediate CA: call ike_make_certs"
	fi
	ike_conf "$dir/swanctl/swanctl.conf" charon
	echo "+ swanctl --load-all --clear --file $dir/swanctl/swanctl.conf (charon $name)"
	out=$(swanctl_ "$name" --load-all --clear --noprompt \
		--file "$dir/swanctl/swanctl.conf" 2>&1) ||
		fail "charon $name: swanctl --load-all failed: $out"
	if grep -qiE 'fail|error|ignor' <<< "$out"; then
		fail "charon $name: swanctl --load-all: $out"
	fi
}

# charon_initiate NAME [CHILD [TIMEOUT]]: swanctl --initiate, bounded.  The
# output goes to $IKE_WORK/NAME/initiate.out; returns swanctl's status.
charon_initiate() {
	local name=$1 child=${2:-$IKE_CHILD} tmo=${3:-30} rc
	echo "+ swanctl --initiate --child $child --timeout $tmo (charon $name)"
	swanctl_ "$name" --initiate --child "$child" --timeout "$tmo" \
		> "$IKE_WORK/$name/initiate.out" 2>&1
	rc=$?
	grep -E 'established|failed|initiate' "$IKE_WORK/$name/initiate.out" | tail -n 3 | sed 's/^/    /'
	return $rc
}

# charon_terminate NAME [IKE]: closes the IKE SA (and its children) at once.
charon_terminate() {
	swanctl_ "$1" --terminate --ike "${2:-$IKE_CONN}" --force --timeout 5 > /dev/null 2>&1
	return 0
}

# charon_sas NAME: swanctl --list-sas (text).
charon_sas() { swanctl_ "$1" --list-sas 2>&1; }

# charon_established NAME [CHILD]: an IKE SA ESTABLISHED with CHILD INSTALLED.
charon_established() {
	local out
	out=$(charon_sas "$1") || return 1
	grep -q ESTABLISHED <<< "$out" &&
		grep -qE "^ +${2:-$IKE_CHILD}: #[0-9]+, reqid [0-9]+, INSTALLED" <<< "$out"
}

# charon_log_has NAME REGEX: charon NAME logged a line matching REGEX (ERE).
charon_log_has() { grep -qE "$2" "$IKE_WORK/$1/charon.log"; }

# charon_stop NAME: SIGTERM, and wait (charon deletes its SAs and policies).
charon_stop() { _ike_stop_key "charon:$1"; }

_ike_stop_key() {
	local pid=${_ike_pid[$1]:-}
	[ -n "$pid" ] || return 0
	unset "_ike_pid[$1]"
	bg_stop "$pid"
	return 0
}

# --- esptund ----------------------------------------------------------------
#
# esptund_start NS NAME: writes esptund NAME's configuration from the IKE_*
# variables (ike_conf, flavour esptund) and starts `esptund -c FILE -f -s
# SOCKET` in NS; its files are under $IKE_WORK/NAME/ (esptund.conf,
# esptund.log, esptund.sock).  Waits until `esptun ike list` answers.
esptund_start() {
	local ns=$1 name=$2 dir=$IKE_WORK/$2 t=$(now_ms) pid
	mkdir -p "$dir"
	ike_conf "$dir/esptund.conf" esptund
	echo "+ esptund -c $dir/esptund.conf -f -s $dir/esptund.sock (in $ns)"
	[ -x "$ESPTUND" ] || fail "$ESPTUND is not built: make tools"
	ns_bg "$ns" "$ESPTUND" -c "$dir/esptund.conf" -f -s "$dir/esptund.sock" \
		> "$dir/esptund.log" 2>&1
	pid=$BG_PID
	_ike_pid[esptund:$name]=$pid
	_ike_ns[esptund:$name]=$ns
	_ike_wait_up "esptund $name" "$pid" _esptund_up "$name" ||
		fail "esptund $name in $ns: \`esptun ike list\` got no answer after ${IKE_START_WAIT}s"
	echo "  esptund $name up after $(ms_since "$t")s"
}

_esptund_up() {
	[ -S "$IKE_WORK/$1/esptund.sock" ] && esptund_ctl "$1" list -j > /dev/null 2>&1
}

# esptund_ctl NAME ARGS...: `esptun ike -s SOCKET ARGS` for esptund NAME,
# in its namespace.
esptund_ctl() {
	local name=$1
	shift
	ip netns exec "${_ike_ns[esptund:$name]}" "$ESPTUN" ike \
		-s "$IKE_WORK/$name/esptund.sock" "$@"
}

# esptund_stop NAME
esptund_stop() { _ike_stop_key "esptund:$1"; }

# esptund_initiate NAME [CHILD]: asks esptund NAME to initiate CHILD.
esptund_initiate() {
	local out
	echo "+ esptun ike initiate ${2:-$IKE_CHILD} (esptund $1)"
	out=$(esptund_ctl "$1" initiate "${2:-$IKE_CHILD}" 2>&1) ||
		fail "esptund $1: esptun ike initiate ${2:-$IKE_CHILD}: $out"
}

# esptund_list NAME: `esptun ike list -j`, to stdout.
esptund_list() { esptund_ctl "$1" list -j; }

# esptund_json NAME EXPR: the Python expression EXPR over sas = the IKE SAs
# of `esptun ike list -j` (a list of objects; each has "children").  Also
# defined: errors = every last_error, of the IKE SAs and their children.
# Returns 1 if esptund does not answer: callers poll it, often inside
# $(...), where `fail` would not end the test.
esptund_json() {
	local j
	j=$(esptund_list "$1" 2>&1) ||
		{ echo "esptund $1: esptun ike list -j: $j" >&2; return 1; }
	python3 - "$2" "$j" <<'EOF'
import json, sys
d = json.loads(sys.argv[2])
sas = d.get("ike_sas", []) if isinstance(d, dict) else d
errors = [e for s in sas for e in [s.get("last_error", "")] +
          [c.get("last_error", "") for c in s.get("children", [])] if e]
print(eval(sys.argv[1]))
EOF
}

# esptund_established NAME [CHILD]: an IKE SA ESTABLISHED with CHILD
# INSTALLED.
esptund_established() {
	[ "$(esptund_json "$1" "any(s.get('state') == 'ESTABLISHED' and any(
	     c.get('name') == '${2:-$IKE_CHILD}' and c.get('state') == 'INSTALLED'
	     for c in s.get('children', [])) for s in sas)")" = True ]
}

# esptund_errors NAME: every last_error of esptund NAME, one per line.
esptund_errors() { esptund_json "$1" '"\n".join(errors)'; }

# --- Waiting and checking ---------------------------------------------------

# ike_wait SECONDS WHAT CMD...: polls CMD every 0.5 s; fails the test naming
# WHAT if it never succeeded.
ike_wait() {
	local n=$(($1 * 2)) what=$2 i t=$(now_ms)
	shift 2
	for ((i = 0; i < n; i++)); do
		if "$@" > /dev/null 2>&1; then
			echo "  $what after $(ms_since "$t")s"
			return 0
		fi
		sleep 0.5
	done
	fail "$what: not within $(ms_since "$t")s"
}

# xfrm_spis NS: the SPIs of NS's xfrm states, "DST SPI" per line (SPI as
# 8 hex digits), sorted.
xfrm_spis() {
	ip -n "$1" xfrm state | awk '/^src /{dst=$4} /proto esp spi/{
		s=$4; sub(/^0x/, "", s); print dst, s}' | sort
}

# ike_wire_counters NS DEV: nft netdev counters on DEV in NS (table
# "ikewire"): esp, udp 500/4500 and inner traffic in clear, each way.
ike_wire_counters() {
	run ip netns exec "$1" nft -f - <<EOF
table netdev ikewire {
	counter esp_in {}
	counter esp_out {}
	counter ike_in {}
	counter ike_out {}
	counter clear_in {}
	counter clear_out {}
	chain in {
		type filter hook ingress device "$2" priority 0; policy accept;
		meta l4proto 50 counter name "esp_in"
		udp dport { 500, 4500 } counter name "ike_in"
		meta l4proto tcp counter name "clear_in"
		icmp type { echo-request, echo-reply } counter name "clear_in"
		icmpv6 type { echo-request, echo-reply } counter name "clear_in"
	}
	chain out {
		type filter hook egress device "$2" priority 0; policy accept;
		meta l4proto 50 counter name "esp_out"
		udp dport { 500, 4500 } counter name "ike_out"
		meta l4proto tcp counter name "clear_out"
		icmp type { echo-request, echo-reply } counter name "clear_out"
		icmpv6 type { echo-request, echo-reply } counter name "clear_out"
	}
}
EOF
}

# ike_wire NS: the counters, "NAME PACKETS BYTES" per line.
ike_wire() {
	ip netns exec "$1" nft -j list counters table netdev ikewire |
		python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    c = o.get("counter")
    if c:
        print(c["name"], c["packets"], c["bytes"])'
}

# ike_wire_reset NS
ike_wire_reset() {
	ip netns exec "$1" nft reset counters table netdev ikewire > /dev/null ||
		fail "nft reset counters table netdev ikewire in $1"
}

# ike_wire_check NS MIN_BYTES: since the last reset, at least MIN_BYTES of
# ESP each way, and no inner traffic in clear.  After ike_iperf's 256 KiB
# each way, 100000 is the floor the tests use: `iperf3 -n` stops once the
# sender has written its bytes, not once they arrived, so a slow guest sees
# as little as 198 KB of ESP in one direction.
ike_wire_check() {
	local w
	w=$(ike_wire "$1") || fail "nft list counters in $1"
	echo "  wire at $1: $(tr '\n' ' ' <<< "$w")"
	awk -v min="$2" '
		$1 ~ /^esp_/ && $3 < min { print $1 ": " $3 " bytes, want >= " min; bad = 1 }
		$1 ~ /^clear_/ && $2 > 0 { print $1 ": " $2 " packets of inner traffic in clear"; bad = 1 }
		END { exit bad }' <<< "$w" > "$IKE_WORK/wire.err" ||
		fail "on the wire at $1: $(tr '\n' ';' < "$IKE_WORK/wire.err")"
}

# ike_ping NS ADDR: 3 pings, none lost.
ike_ping() {
	local out
	echo "+ ip netns exec $1 ping -c 3 -i 0.2 -W 2 $2"
	out=$(ip netns exec "$1" ping -c 3 -i 0.2 -W 2 "$2" 2>&1) ||
		fail "ping $2 from $1: $(grep -m1 'packet loss' <<< "$out" || echo "$out")"
	grep -q ' 0% packet loss' <<< "$out" ||
		fail "ping $2 from $1 lost packets: $(grep 'packet loss' <<< "$out")"
}

# ike_iperf NS_SERVER NS_CLIENT ADDR [BYTES]: short iperf3 transfers of
# BYTES (256K), from NS_CLIENT to ADDR in NS_SERVER and back (-R).
IKE_IPERF_PORT=5201
ike_iperf() {
	local srv=$1 cli=$2 addr=$3 n=${4:-256K} out rc spid dir
	for dir in "" -R; do
		ns_bg "$srv" iperf3 -s -1 -p $IKE_IPERF_PORT > "$IKE_WORK/iperf-s.log" 2>&1
		spid=$BG_PID
		wait_for 10 _ike_listening "$srv" || fail "iperf3 server in $srv never listened"
		echo "+ ip netns exec $cli iperf3 -c $addr -n $n $dir"
		out=$(ip netns exec "$cli" timeout 60 iperf3 -c "$addr" -p $IKE_IPERF_PORT \
			-n "$n" $dir 2>&1)
		rc=$?
		bg_stop "$spid"
		grep -E 'sender|receiver' <<< "$out" | sed 's/^/    /'
		[ $rc = 0 ] || fail "iperf3 -c $addr -n $n $dir from $cli: exit $rc: $(tail -n 3 <<< "$out")"
	done
}

_ike_listening() { [ -n "$(ip netns exec "$1" ss -Htln "sport = :$IKE_IPERF_PORT")" ]; }

# --- Topology ---------------------------------------------------------------
#
#   NS_A                                         NS_B
#   lo   10.1.0.1/32 fd00:1::1/128               lo   10.2.0.1/32 fd00:2::1/128
#   TUN  (no address)                            TUN  (no address)
#   ul-a 192.0.2.1/24 2001:db8:1::1/64 --veth--  ul-b 192.0.2.2/24 2001:db8:1::2/64
#
# Each side's "LAN" address is on lo; the route to the other side's goes
# through the tunnel interface, with the LAN address as source.
IKE_LAN4=(10.1.0.1 10.2.0.1)
IKE_LAN6=(fd00:1::1 fd00:2::1)
IKE_NET4=(10.1.0.0/24 10.2.0.0/24)
IKE_NET6=(fd00:1::/64 fd00:2::/64)

# ike_topo NS_A NS_B: topo_gateways plus the LAN addresses; then
# ike_warm_crypto in NS_A.
ike_topo() {
	local side ns
	topo_gateways "$1" "$2"
	for side in 0 1; do
		ns=${TOPO_NS[$side]}
		run ip -n "$ns" addr add "${IKE_LAN4[$side]}/32" dev lo
		run ip -n "$ns" addr add "${IKE_LAN6[$side]}/128" dev lo
	done
	ike_warm_crypto "$1"
}

# ike_warm_crypto NS: adds and deletes one xfrm state of each ESP
# transform the tests negotiate.  In a fresh guest the kernel's first SA
# with a transform takes seconds (module loads, crypto self-tests): long
# enough for an IKE peer to retransmit, which is not what a test of IKE
# should depend on.
ike_warm_crypto() {
	local ns=$1 t=$(now_ms) i=0 alg algs=(
		"aead rfc4106(gcm(aes)) 0x$(printf '%040d' 0) 128"
		"aead rfc4106(gcm(aes)) 0x$(printf '%072d' 0) 128"
		"aead rfc7539esp(chacha20,poly1305) 0x$(printf '%072d' 0) 128"
		"enc cbc(aes) 0x$(printf '%064d' 0) auth-trunc hmac(sha256) 0x$(printf '%064d' 0) 128"
		"enc cbc(aes) 0x$(printf '%064d' 0) auth-trunc hmac(sha384) 0x$(printf '%096d' 0) 192"
		"enc cbc(aes) 0x$(printf '%064d' 0) auth-trunc hmac(sha512) 0x$(printf '%0128d' 0) 256")
	for alg in "${algs[@]}"; do
		i=$((i + 1))
		# shellcheck disable=SC2086
		ip -n "$ns" xfrm state add src 192.0.2.250 dst 192.0.2.251 proto esp \
			spi $((0x7e000000 + i)) mode tunnel $alg ||
			fail "ip xfrm state add ... $alg: the kernel lacks this transform"
		ip -n "$ns" -6 xfrm state add src 2001:db8:ff::1 dst 2001:db8:ff::2 proto esp \
			spi $((0x7e000000 + i)) mode tunnel $alg ||
			fail "ip -6 xfrm state add ... $alg: the kernel lacks this transform"
	done
	ip -n "$ns" xfrm state flush
	echo "  ESP transforms warmed up in $(ms_since "$t")s"
}

# ike_tunnel NS SIDE KIND DEV [IFID]: the tunnel interface of SIDE (0 = A,
# 1 = B), KIND esptun or xfrm (if_id IFID on the underlay, MTU 1390), up,
# with routes to the other side's LAN.
ike_tunnel() {
	local ns=$1 side=$2 kind=$3 dev=$4 ifid=${5:-} other=$((1 - $2))
	case "$kind" in
	esptun)	run ip -n "$ns" link add "$dev" type esptun ;;
	xfrm)	run ip -n "$ns" link add "$dev" mtu 1390 type xfrm \
			dev "${TOPO_UL[$side]}" if_id "$ifid" ;;
	*)	fail "ike_tunnel: unknown kind $kind" ;;
	esac
	run ip -n "$ns" link set "$dev" addrgenmode none
	run ip -n "$ns" link set "$dev" up
	run ip -n "$ns" route add "${IKE_NET4[$other]}" dev "$dev" src "${IKE_LAN4[$side]}"
	run ip -n "$ns" route add "${IKE_NET6[$other]}" dev "$dev" src "${IKE_LAN6[$side]}"
}

ike_conf_defaults
IKE_LOCAL= IKE_REMOTE= IKE_LOCAL_ID= IKE_REMOTE_ID=
