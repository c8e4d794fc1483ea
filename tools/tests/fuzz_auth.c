// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for what esptund does with a peer's certificates and
 * AUTH payload (tools/daemon/auth.c), the part of IKE_AUTH the state
 * machine's fuzzer cannot reach without the SK keys.
 *
 * Input: byte 0 is an ID type, byte 1 an AUTH method; the rest is cut at
 * "\xff\xfe\xfd\xfc" into segments.  With three or more, the last two are
 * the ID data and the AUTH data, and the others the CERT payloads (DER,
 * end entity first); with fewer, all are certificates.  The certificates
 * are verified against the CA below (the chain in tests/corpus-auth/
 * verifies: tests/corpus-auth/make-seeds.sh made both); the ID is
 * matched against the end entity; the AUTH data is verified over fixed
 * octets with its key, whether or not the chain verified.
 * Build and run: `make -C tools fuzz`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "../daemon/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ca_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBtjCCAV2gAwIBAgIUJHo97kb2LzC3GSb9NUVqwmmqHBcwCgYIKoZIzj0EAwIw\n"
	"KDEUMBIGA1UECgwLZXNwdHVuIGZ1enoxEDAOBgNVBAMMB2Z1enogQ0EwIBcNMjYx\n"
	"MTIzMjIyNjQyWhgPMjEyNjEwMzAyMjI2NDJaMCgxFDASBgNVBAoMC2VzcHR1biBm\n"
	"dXp6MRAwDgYDVQQDDAdmdXp6IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
	"F23HA5rs39YOJBMEmBGhtvr2wt7F6tR3Pe++DMWV120pE5XbC5wBKZqFUt0w9mC3\n"
	"N+TqUHKDTSzTAorcWSX2X6NjMGEwHQYDVR0OBBYEFD2kpCgu/XEYHTciuUNyhZiL\n"
	"BcXyMB8GA1UdIwQYMBaAFD2kpCgu/XEYHTciuUNyhZiLBcXyMA8GA1UdEwEB/wQF\n"
	"MAMBAf8wDgYDVR0PAQH/BAQDAgEGMAoGCCqGSM49BAMCA0cAMEQCIDSu2Mkn+GmM\n"
	"I2JKAt2CAn0dsEw2aOye4jl79DARuEq6AiBMe0AmI7pZgoc+Hl0Ke83aAPfn/UVZ\n"
	"aNlQKzZ+FiChjQ==\n"
	"-----END CERTIFICATE-----\n"
;

#define SEP	"\xff\xfe\xfd\xfc"
#define MAXSEG	6

static struct cred_conn cc;

static void setup(void)
{
	BIO *b = BIO_new_mem_buf(ca_pem, -1);
	X509 *ca = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	cc.store = X509_STORE_new();
	if (!ca || !cc.store || X509_STORE_add_cert(cc.store, ca) != 1)
		abort();
	X509_free(ca);
	BIO_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t octets[] = "esptun fuzz: the octets AUTH signs";
	const uint8_t *seg[MAXSEG], *p, *end;
	size_t len[MAXSEG], n = 0, ncert;
	const uint8_t *id = NULL, *auth = NULL;
	size_t id_len = 0, auth_len = 0;
	char err[AUTH_ERR_LEN], buf[512];
	X509 *leaf = NULL, *first = NULL;
	EVP_PKEY *key;
	uint8_t id_type, method;

	if (!cc.store)
		setup();
	if (size < 2)
		return 0;
	id_type = data[0];
	method = data[1];
	p = data + 2;
	end = data + size;
	while (n < MAXSEG) {
		const uint8_t *s = memmem(p, (size_t)(end - p), SEP, 4);

		seg[n] = p;
		len[n] = (size_t)((s ? s : end) - p);
		n++;
		if (!s)
			break;
		p = s + 4;
	}
	ncert = n;
	if (n >= 3) {
		ncert = n - 2;
		id = seg[n - 2];
		id_len = len[n - 2];
		auth = seg[n - 1];
		auth_len = len[n - 1];
	}
	if (auth_cert_verify(&cc, seg, len, ncert, &leaf, err) == 0 && !leaf)
		abort();
	if (getenv("FUZZ_AUTH_DEBUG"))
		fprintf(stderr, "chain: %s\n", leaf ? "verified" : err);
	if (!leaf && len[0]) {
		const unsigned char *q = seg[0];

		first = d2i_X509(NULL, &q, (long)len[0]);
	}
	if (leaf || first) {
		X509 *x = leaf ? leaf : first;

		auth_name_str(X509_get_subject_name(x), buf, sizeof(buf));
		key = X509_get0_pubkey(x);
		if (key) {
			int r = auth_verify(key, method, auth, auth_len, octets,
					    sizeof(octets) - 1, err);

			if (getenv("FUZZ_AUTH_DEBUG"))
				fprintf(stderr, "ID %s; AUTH: %s\n",
					auth_cert_has_id(x, id_type, id, id_len) ?
					"matches" : "does not match",
					r ? err : "verified");
		}
	}
	auth_dn_der_str(id, id_len, buf, sizeof(buf));
	auth_dn_eq(id, id_len, auth, auth_len);
	auth_hashes_parse(auth, auth_len);
	X509_free(leaf);
	X509_free(first);
	return 0;
}
