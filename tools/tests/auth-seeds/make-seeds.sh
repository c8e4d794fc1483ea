#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make-seeds.sh WORKDIR: the seeds of tests/fuzz_auth (tests/corpus-auth/):
# a chain CA -> intermediate -> end entity (ECDSA P-256, RSA-1024, Ed25519)
# with subjectAltNames, and for two of them an AUTH payload (RFC 7427)
# that verifies over fuzz_auth.c's octets.  The CA and its key are kept in
# WORKDIR and reused; a new CA must be pasted into fuzz_auth.c (ca_pem).
set -euo pipefail
w=$1
out=$(cd "$(dirname "$0")/.." && pwd)/corpus-auth
mkdir -p "$w" "$out"
cd "$w"
q() { openssl "$@" 2> /dev/null; }
if [ ! -e ca.pem ]; then
	q req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout ca.key -out ca.pem -days 36500 -subj "/O=esptun fuzz/CN=fuzz CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign"
fi
q req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout int.key \
	-subj "/O=esptun fuzz/CN=fuzz intermediate" -out int.csr
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n' > int.ext
q x509 -req -in int.csr -CA ca.pem -CAkey ca.key -set_serial 2 -days 36500 \
	-extfile int.ext -out int.pem
q x509 -in int.pem -outform DER -out int.der
printf '%s\n' "subjectAltName=DNS:moon.example.org,IP:192.0.2.1,IP:2001:db8::1,email:moon@example.org" \
	"keyUsage=critical,digitalSignature" > ee.ext
octets="esptun fuzz: the octets AUTH signs"
sep=$'\xff\xfe\xfd\xfc'
serial=3
for k in ec rsa ed25519; do
	case $k in
	ec)	opt=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
	rsa)	opt=(-newkey rsa:1024) ;;
	ed25519) opt=(-newkey ed25519) ;;
	esac
	q req -new "${opt[@]}" -nodes -keyout ee-$k.key \
		-subj "/C=CH/O=esptun fuzz/CN=moon.example.org" -out ee-$k.csr
	q x509 -req -in ee-$k.csr -CA int.pem -CAkey int.key -set_serial $serial \
		-days 36500 -extfile ee.ext -out ee-$k.pem
	serial=$((serial + 1))
	q x509 -in ee-$k.pem -outform DER -out ee-$k.der
	printf '%s' "$octets" > octets
	case $k in
	ec)	# ecdsa-with-SHA256, DER signature
		q dgst -sha256 -sign ee-ec.key -out sig octets
		algid='\x0c\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02' ;;
	ed25519)
		q pkeyutl -sign -rawin -inkey ee-ed25519.key -in octets -out sig
		algid='\x07\x30\x05\x06\x03\x2b\x65\x70' ;;
	rsa)	: > sig
		algid= ;;
	esac
	# FQDN ID (2), Digital Signature (14): chain, ID, AUTH
	{ printf '\x02\x0e'; cat ee-$k.der; printf '%s' "$sep"; cat int.der
	  printf '%s' "$sep"; printf 'moon.example.org'; printf '%s' "$sep"
	  printf "$algid"; cat sig; } > "$out/chain-$k"
	# IPv4 ID (1), the end entity alone
	{ printf '\x01\x0e'; cat ee-$k.der; printf '%s' "$sep"
	  printf '\xc0\x00\x02\x01'; printf '%s' "$sep"; printf "$algid"; cat sig; } \
		> "$out/leaf-$k"
done
# A DN ID (9): the subject, DER
q x509 -in ee-ec.pem -noout -subject -nameopt RFC2253 > /dev/null
{ printf '\x09\x01'; cat ee-ec.der; printf '%s' "$sep"; cat int.der; printf '%s' "$sep"
  q x509 -in ee-ec.pem -outform DER | python3 -c '
import sys
d = sys.stdin.buffer.read()
def tlv(b, i):
    l = b[i + 1]; h = 2
    if l & 0x80:
        n = l & 0x7f; l = int.from_bytes(b[i + 2:i + 2 + n], "big"); h = 2 + n
    return h, l
# Certificate > TBSCertificate > [0] version, serial, sigalg, issuer, validity, subject
h, l = tlv(d, 0); i = h
h, l = tlv(d, i); i += h
for _ in range(5):
    h, l = tlv(d, i); i += h + l
h, l = tlv(d, i)
sys.stdout.buffer.write(d[i:i + h + l])'
  printf '%s' "$sep"; } > "$out/dn-ec"
openssl verify -CAfile ca.pem -untrusted int.pem ee-ec.pem ee-rsa.pem ee-ed25519.pem
