/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esptund public key authentication: the certificates, CA certificates
 * and private keys the configuration names (loaded once, before any
 * IKE SA), chain verification, identities in certificates, and the
 * AUTH payload signatures:
 *
 *   14  Digital Signature (RFC 7427): AlgorithmIdentifier | signature,
 *       for RSA PKCS#1 v1.5 and PSS, ECDSA (DER) and Ed25519 (RFC 8420),
 *       with a hash the peer announced in SIGNATURE_HASH_ALGORITHMS;
 *   1   RSA Digital Signature (PKCS#1 v1.5, SHA-1), and
 *   9, 10, 11  ECDSA with SHA-256/384/512 on P-256/384/521 (RFC 4754,
 *       r | s), for peers that did not announce RFC 7427.
 *
 * Relative file names are looked up as swanctl does: local.certs in
 * DIR/x509/, remote.cacerts in DIR/x509ca/, private-X { file } in
 * DIR/private/, where DIR is the configuration's directory.
 *
 * Errors are English sentences saying what to fix, written to
 * err (AUTH_ERR_LEN bytes).
 */
#ifndef ESPTUND_AUTH_H
#define ESPTUND_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "config.h"

#define AUTH_ERR_LEN	512

/* What one connection authenticates with. */
struct cred_conn {
	/* local.certs: ours first, then intermediates to send along. */
	X509 *cert;
	STACK_OF(X509) *chain;
	EVP_PKEY *key;			/* matching private key */
	/* remote.cacerts */
	X509_STORE *store;
	uint8_t *certreq;		/* SHA-1 of each CA's SubjectPublicKeyInfo */
	size_t certreq_len;
};

struct creds {
	const struct config *cfg;
	size_t n;
	struct cred_conn *conn;		/* indexed like cfg->conns */
};

/* Loads every pubkey connection's credentials; 0, or -1 and err. */
int creds_load(struct creds *c, const struct config *cfg, const char *dir,
	       char *err);
void creds_free(struct creds *c);
/* The credentials of one of cfg's connections, or NULL. */
const struct cred_conn *creds_for(const struct creds *c,
				  const struct conf_conn *conn);

/* Bit (1 << IKEV2_HASH_*) of the hashes in SIGNATURE_HASH_ALGORITHMS. */
unsigned auth_hashes_parse(const uint8_t *data, size_t len);

/*
 * Signs octets with key for the AUTH payload: method 14 if the peer's
 * hashes (auth_hashes_parse()) allow, else the legacy method.  conf_auth
 * is local.auth ("pubkey", "rsa/pss-sha384", ...): "pss" and a hash name
 * in it choose the RSA padding and hash.  *out is malloc()ed.
 */
int auth_sign(EVP_PKEY *key, const char *conf_auth, unsigned peer_hashes,
	      const uint8_t *octets, size_t len, uint8_t *method,
	      uint8_t **out, size_t *out_len, char *err);
/* Verifies an AUTH payload (method, data) over octets with pub; -1 and
 * err if it does not verify or the method does not fit the key. */
int auth_verify(EVP_PKEY *pub, uint8_t method, const uint8_t *data,
		size_t data_len, const uint8_t *octets, size_t len,
		char *err);

/*
 * The peer's certificates (DER, end entity first) verified against the
 * connection's remote.cacerts.  *leaf is the end entity (X509_free() it).
 */
int auth_cert_verify(const struct cred_conn *cc, const uint8_t *const *der,
		     const size_t *der_len, size_t n, X509 **leaf, char *err);
/* Whether an IKE identity is cert's: its subject DN, or a subjectAltName
 * for FQDN, RFC822 and IP address identities. */
bool auth_cert_has_id(X509 *cert, uint8_t type, const uint8_t *data,
		      size_t len);

/* A DN for humans: "C=CH, O=esptun, CN=moon"; returns buf. */
char *auth_name_str(const X509_NAME *name, char *buf, size_t cap);
/* "C=CH, O=esptun, CN=moon" (or "/C=CH/O=..."), as in swanctl.conf, to
 * DER; *der is malloc()ed.  0, or -1 if it is no DN. */
int auth_dn_from_text(const char *text, uint8_t **der, size_t *len);
/* Whether two DNs (DER) name the same entity (OpenSSL's canonical
 * comparison: case and spacing do not matter). */
bool auth_dn_eq(const uint8_t *a, size_t alen, const uint8_t *b,
		size_t blen);
/* A DN in DER for humans; returns buf. */
char *auth_dn_der_str(const uint8_t *der, size_t len, char *buf, size_t cap);

#endif /* ESPTUND_AUTH_H */
