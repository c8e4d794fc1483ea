// SPDX-License-Identifier: GPL-2.0
/*
 * esptund public key authentication (see auth.h).
 *
 * Layout: loading credentials; names and identities; signature schemes
 * (our choice, the peer's AlgorithmIdentifier); signing and verifying;
 * chain verification.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "auth.h"
#include "ikev2.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))

static int __attribute__((format(printf, 2, 3)))
fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, AUTH_ERR_LEN, fmt, ap);
	va_end(ap);
	ERR_clear_error();
	return -1;
}

/* OpenSSL's last error, for messages about files. */
static const char *ssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	return r ? r : "not PEM or DER";
}

/* ---- loading ---- */

static void path_in(const char *dir, const char *sub, const char *name,
		    char *buf, size_t cap)
{
	if (name[0] == '/' || !dir)
		snprintf(buf, cap, "%s", name);
	else
		snprintf(buf, cap, "%s/%s/%s", dir, sub, name);
}

static X509 *load_cert(const char *path, char *err)
{
	BIO *b = BIO_new_file(path, "rb");
	X509 *x;

	if (!b) {
		fail(err, "%s: cannot open: %s", path, ssl_reason());
		return NULL;
	}
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (!x) {
		ERR_clear_error();
		(void)BIO_reset(b);
		x = d2i_X509_bio(b, NULL);
	}
	BIO_free(b);
	if (!x)
		fail(err, "%s: not an X.509 certificate (PEM or DER)", path);
	return x;
}

static EVP_PKEY *load_key(const char *path, const struct conf_secret *s,
			  char *err)
{
	char pass[1024] = "";
	BIO *b = BIO_new_file(path, "rb");
	EVP_PKEY *k;

	if (!b) {
		fail(err, "%s: cannot open: %s", path, ssl_reason());
		return NULL;
	}
	if (s->data && s->len < sizeof(pass))
		memcpy(pass, s->data, s->len);
	k = PEM_read_bio_PrivateKey(b, NULL, NULL, pass);
	if (!k) {
		ERR_clear_error();
		(void)BIO_reset(b);
		k = d2i_PrivateKey_bio(b, NULL);
	}
	OPENSSL_cleanse(pass, sizeof(pass));
	BIO_free(b);
	if (!k)
		fail(err, "%s (%s): not a private key, or encrypted and `secret` is not its passphrase",
		     path, s->name);
	return k;
}

/* SHA-1 of cert's SubjectPublicKeyInfo (RFC 7296 3.7), appended. */
static int certreq_add(struct cred_conn *cc, X509 *ca)
{
	unsigned char *spki = NULL;
	unsigned int hlen = 20;
	uint8_t *p;
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(ca), &spki);

	if (len <= 0)
		return -1;
	p = realloc(cc->certreq, cc->certreq_len + 20);
	if (!p) {
		OPENSSL_free(spki);
		return -1;
	}
	cc->certreq = p;
	if (!EVP_Digest(spki, (size_t)len, p + cc->certreq_len, &hlen,
			EVP_sha1(), NULL)) {
		OPENSSL_free(spki);
		return -1;
	}
	OPENSSL_free(spki);
	cc->certreq_len += 20;
	return 0;
}

/* One trust anchor for the peer's certificates, and our CERTREQ for it. */
static int add_ca(struct cred_conn *cc, const char *path, char *err)
{
	X509 *x = load_cert(path, err);
	int r;

	if (!x)
		return -1;
	r = X509_STORE_add_cert(cc->store, x) != 1 || certreq_add(cc, x);
	X509_free(x);
	if (r)
		return fail(err, "%s: cannot add it as a CA", path);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * No remote.cacerts: like swanctl, trust every certificate in DIR/x509ca
 * (*.pem, *.crt, *.cer, *.der; other files are not certificates).  One
 * that does not load is an error: a CA silently left out would only show
 * as an untrusted peer later.  A missing directory adds nothing.
 */
static int add_ca_dir(struct cred_conn *cc, const char *dir, char *err)
{
	char path[4096], **names = NULL;
	size_t n = 0, i;
	struct dirent *e;
	int r = -1;
	DIR *dp;

	if (!dir)
		return 0;
	snprintf(path, sizeof(path), "%s/x509ca", dir);
	dp = opendir(path);
	if (!dp)
		return 0;
	while ((e = readdir(dp))) {
		const char *dot = strrchr(e->d_name, '.');
		char **nn;

		if (e->d_name[0] == '.' || !dot ||
		    (strcasecmp(dot, ".pem") && strcasecmp(dot, ".crt") &&
		     strcasecmp(dot, ".cer") && strcasecmp(dot, ".der")))
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (nn)
			names = nn;
		if (!nn || !(names[n] = strdup(e->d_name))) {
			fail(err, "out of memory");
			goto out;
		}
		n++;
	}
	/* In name order: the CERTREQ and the logs do not depend on readdir. */
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/x509ca/%s", dir, names[i]);
		if (add_ca(cc, path, err))
			goto out;
	}
	r = 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dp);
	return r;
}

static int load_conn(struct cred_conn *cc, const struct config *cfg,
		     const struct conf_conn *conn, EVP_PKEY *const *keys,
		     const char *dir, char *err)
{
	char path[4096], sub[256];
	size_t i, k;

	if (conn->local.method == CONF_AUTH_PUBKEY) {
		if (!conn->local.certs.n)
			return fail(err, "connection %s: local auth = %s needs a certificate: add local { certs = CERT.pem } (in %s/x509)",
				    conn->name, conn->local.auth ? conn->local.auth : "pubkey",
				    dir ? dir : ".");
		cc->chain = sk_X509_new_null();
		if (!cc->chain)
			return fail(err, "out of memory");
		for (i = 0; i < conn->local.certs.n; i++) {
			X509 *x;

			path_in(dir, "x509", conn->local.certs.v[i], path,
				sizeof(path));
			x = load_cert(path, err);
			if (!x)
				return -1;
			if (!i) {
				cc->cert = x;
			} else if (!sk_X509_push(cc->chain, x)) {
				X509_free(x);
				return fail(err, "out of memory");
			}
		}
		for (k = 0; k < cfg->n_secrets; k++)
			if (keys[k] && EVP_PKEY_eq(keys[k],
						   X509_get0_pubkey(cc->cert)) == 1)
				break;
		if (k == cfg->n_secrets)
			return fail(err, "connection %s: no private key for certificate %s (%s): add secrets { private-NAME { file = KEY.pem } } with its key",
				    conn->name, conn->local.certs.v[0],
				    auth_name_str(X509_get_subject_name(cc->cert),
						  sub, sizeof(sub)));
		if (!EVP_PKEY_up_ref(keys[k]))
			return fail(err, "out of memory");
		cc->key = keys[k];
	}
	if (conn->remote.method == CONF_AUTH_PUBKEY) {
		cc->store = X509_STORE_new();
		if (!cc->store)
			return fail(err, "out of memory");
		for (i = 0; i < conn->remote.cacerts.n; i++) {
			path_in(dir, "x509ca", conn->remote.cacerts.v[i], path,
				sizeof(path));
			if (add_ca(cc, path, err))
				return -1;
		}
		if (!conn->remote.cacerts.n && add_ca_dir(cc, dir, err))
			return -1;
		if (!cc->certreq_len)
			return fail(err, "connection %s: remote auth = %s but no CA to check the peer's certificate with: add remote { cacerts = CA.pem }, or put the CA certificates in %s/x509ca",
				    conn->name,
				    conn->remote.auth ? conn->remote.auth : "pubkey",
				    dir ? dir : ".");
	}
	return 0;
}

int creds_load(struct creds *c, const struct config *cfg, const char *dir,
	       char *err)
{
	EVP_PKEY **keys;
	char path[4096];
	size_t i;
	int r = -1;

	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	keys = calloc(cfg->n_secrets + 1, sizeof(*keys));
	c->conn = calloc(cfg->n_conns + 1, sizeof(*c->conn));
	if (!keys || !c->conn) {
		fail(err, "out of memory");
		goto out;
	}
	c->n = cfg->n_conns;
	for (i = 0; i < cfg->n_secrets; i++) {
		const struct conf_secret *s = &cfg->secrets[i];

		if (s->type != CONF_SECRET_PRIVATE || !s->file)
			continue;
		path_in(dir, "private", s->file, path, sizeof(path));
		keys[i] = load_key(path, s, err);
		if (!keys[i])
			goto out;
	}
	for (i = 0; i < cfg->n_conns; i++)
		if (load_conn(&c->conn[i], cfg, &cfg->conns[i], keys, dir, err))
			goto out;
	r = 0;
out:
	if (keys)
		for (i = 0; i < cfg->n_secrets; i++)
			EVP_PKEY_free(keys[i]);
	free(keys);
	if (r)
		creds_free(c);
	return r;
}

void creds_free(struct creds *c)
{
	size_t i;

	for (i = 0; c->conn && i < c->n; i++) {
		struct cred_conn *cc = &c->conn[i];

		X509_free(cc->cert);
		sk_X509_pop_free(cc->chain, X509_free);
		EVP_PKEY_free(cc->key);
		X509_STORE_free(cc->store);
		free(cc->certreq);
	}
	free(c->conn);
	memset(c, 0, sizeof(*c));
}

const struct cred_conn *creds_for(const struct creds *c,
				  const struct conf_conn *conn)
{
	size_t i;

	if (!c || !c->cfg || conn < c->cfg->conns ||
	    conn >= c->cfg->conns + c->n)
		return NULL;
	i = (size_t)(conn - c->cfg->conns);
	return &c->conn[i];
}

/* ---- names and identities ---- */

char *auth_name_str(const X509_NAME *name, char *buf, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n;

	buf[0] = 0;
	if (!b)
		return buf;
	X509_NAME_print_ex(b, name, 0,
			   (XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB &
			    ~XN_FLAG_SPC_EQ) | ASN1_STRFLGS_UTF8_CONVERT);
	n = BIO_read(b, buf, (int)cap - 1);
	buf[n > 0 ? n : 0] = 0;
	BIO_free(b);
	return buf;
}

char *auth_dn_der_str(const uint8_t *der, size_t len, char *buf, size_t cap)
{
	const unsigned char *p = der;
	X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)len);

	if (!name || p != der + len) {
		snprintf(buf, cap, "(not a DN)");
		ERR_clear_error();
	} else {
		auth_name_str(name, buf, cap);
	}
	X509_NAME_free(name);
	return buf;
}

int auth_dn_from_text(const char *text, uint8_t **der, size_t *len)
{
	X509_NAME *name = X509_NAME_new();
	char *copy = strdup(text), *tok, *save = NULL;
	const char *sep = text[0] == '/' ? "/" : ",";
	unsigned char *out = NULL;
	int n = 0, l;

	if (!name || !copy)
		goto bad;
	for (tok = strtok_r(copy, sep, &save); tok;
	     tok = strtok_r(NULL, sep, &save)) {
		char *eq = strchr(tok, '='), *k = tok, *v, *end;

		if (!eq)
			goto bad;
		*eq = 0;
		v = eq + 1;
		while (*k == ' ')
			k++;
		for (end = eq; end > k && end[-1] == ' '; end--)
			end[-1] = 0;
		while (*v == ' ')
			v++;
		for (end = v + strlen(v); end > v && end[-1] == ' '; end--)
			end[-1] = 0;
		if (!*k || !*v)
			goto bad;
		if (!X509_NAME_add_entry_by_txt(name, k, MBSTRING_UTF8,
						(const unsigned char *)v, -1,
						-1, 0)) {
			/* "cn", "c": OpenSSL's short names are upper case */
			char *u;

			ERR_clear_error();
			for (u = k; *u; u++)
				*u = (char)toupper((unsigned char)*u);
			if (!X509_NAME_add_entry_by_txt(name, k, MBSTRING_UTF8,
							(const unsigned char *)v,
							-1, -1, 0))
				goto bad;
		}
		n++;
	}
	if (!n)
		goto bad;
	l = i2d_X509_NAME(name, &out);
	if (l <= 0)
		goto bad;
	*der = malloc((size_t)l);
	if (!*der)
		goto bad;
	memcpy(*der, out, (size_t)l);
	*len = (size_t)l;
	OPENSSL_free(out);
	X509_NAME_free(name);
	free(copy);
	return 0;
bad:
	ERR_clear_error();
	OPENSSL_free(out);
	X509_NAME_free(name);
	free(copy);
	return -1;
}

bool auth_dn_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	const unsigned char *pa = a, *pb = b;
	X509_NAME *na = d2i_X509_NAME(NULL, &pa, (long)alen);
	X509_NAME *nb = d2i_X509_NAME(NULL, &pb, (long)blen);
	bool eq = na && nb && pa == a + alen && pb == b + blen &&
		  X509_NAME_cmp(na, nb) == 0;

	X509_NAME_free(na);
	X509_NAME_free(nb);
	ERR_clear_error();
	return eq;
}

bool auth_cert_has_id(X509 *cert, uint8_t type, const uint8_t *data,
		      size_t len)
{
	unsigned char *subj = NULL;
	char *s;
	bool ok = false;
	int l;

	switch (type) {
	case IKEV2_ID_DER_ASN1_DN:
		l = i2d_X509_NAME(X509_get_subject_name(cert), &subj);
		ok = l > 0 && auth_dn_eq(subj, (size_t)l, data, len);
		OPENSSL_free(subj);
		return ok;
	case IKEV2_ID_FQDN:
	case IKEV2_ID_RFC822_ADDR:
		if (!len || memchr(data, 0, len))
			return false;
		s = strndup((const char *)data, len);
		if (!s)
			return false;
		ok = type == IKEV2_ID_FQDN ?
		     X509_check_host(cert, s, len,
				     X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
				     X509_CHECK_FLAG_NO_WILDCARDS, NULL) == 1 :
		     X509_check_email(cert, s, len,
				      X509_CHECK_FLAG_NEVER_CHECK_SUBJECT) == 1;
		free(s);
		return ok;
	case IKEV2_ID_IPV4_ADDR:
	case IKEV2_ID_IPV6_ADDR:
		return (len == 4 || len == 16) &&
		       X509_check_ip(cert, data, len, 0) == 1;
	}
	return false;
}

unsigned auth_hashes_parse(const uint8_t *data, size_t len)
{
	unsigned bits = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		unsigned h = (unsigned)(data[i] << 8 | data[i + 1]);

		if (h < 16)
			bits |= 1u << h;
	}
	return bits;
}

/* ---- signature schemes ---- */

enum scheme_kind { SCH_RSA, SCH_PSS, SCH_ECDSA, SCH_ED25519 };

/* A hash of SIGNATURE_HASH_ALGORITHMS. */
struct hash_info {
	unsigned id;		/* IKEV2_HASH_* */
	const char *name;
	int nid;
	uint8_t oid[9];		/* 2.16.840.1.101.3.4.2.x */
	size_t len;
};

static const struct hash_info hashes[] = {
	{ IKEV2_HASH_SHA2_256, "sha256", NID_sha256,
	  { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 }, 32 },
	{ IKEV2_HASH_SHA2_384, "sha384", NID_sha384,
	  { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02 }, 48 },
	{ IKEV2_HASH_SHA2_512, "sha512", NID_sha512,
	  { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03 }, 64 },
};

static const struct hash_info *hash_by_nid(int nid)
{
	size_t i;

	for (i = 0; i < N(hashes); i++)
		if (hashes[i].nid == nid)
			return &hashes[i];
	return NULL;
}

static const EVP_MD *hash_md(const struct hash_info *h)
{
	return EVP_get_digestbynid(h->nid);
}

/* The AlgorithmIdentifier of a scheme (RFC 7427 appendix A, RFC 8420):
 * DER into out (at least 80 bytes); its length. */
static size_t algid(enum scheme_kind k, const struct hash_info *h,
		    uint8_t *out)
{
	static const uint8_t rsa[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86,
		0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x00, 0x05, 0x00 };
	static const uint8_t ecdsa[] = { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
		0x48, 0xce, 0x3d, 0x04, 0x03, 0x00 };
	static const uint8_t ed25519[] = { 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65,
		0x70 };
	static const uint8_t pss_oid[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
		0xf7, 0x0d, 0x01, 0x01, 0x0a };
	static const uint8_t mgf1_oid[] = { 0x06, 0x09, 0x2a, 0x86, 0x48,
		0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08 };
	uint8_t hash_alg[15];	/* SEQUENCE { OID hash, NULL } */
	size_t n = 0;

	hash_alg[0] = 0x30;
	hash_alg[1] = 0x0d;
	hash_alg[2] = 0x06;
	hash_alg[3] = 0x09;
	if (h)
		memcpy(hash_alg + 4, h->oid, 9);
	hash_alg[13] = 0x05;
	hash_alg[14] = 0x00;
	switch (k) {
	case SCH_RSA:	/* sha{256,384,512}WithRSAEncryption: 1.2.840.113549.1.1.{11,12,13} */
		memcpy(out, rsa, sizeof(rsa));
		out[12] = (uint8_t)(10 + h->id - IKEV2_HASH_SHA2_256 + 1);
		return sizeof(rsa);
	case SCH_ECDSA:	/* ecdsa-with-SHA{256,384,512}: 1.2.840.10045.4.3.{2,3,4} */
		memcpy(out, ecdsa, sizeof(ecdsa));
		out[11] = (uint8_t)(2 + h->id - IKEV2_HASH_SHA2_256);
		return sizeof(ecdsa);
	case SCH_ED25519:
		memcpy(out, ed25519, sizeof(ed25519));
		return sizeof(ed25519);
	case SCH_PSS:
		/* SEQUENCE { rsassaPss, SEQUENCE { [0] hash, [1] { mgf1,
		 * hash }, [2] INTEGER saltLength = hash length } } */
		out[n++] = 0x30;
		out[n++] = 0x41;
		memcpy(out + n, pss_oid, sizeof(pss_oid));
		n += sizeof(pss_oid);
		out[n++] = 0x30;
		out[n++] = 0x34;
		out[n++] = 0xa0;
		out[n++] = 0x0f;
		memcpy(out + n, hash_alg, 15);
		n += 15;
		out[n++] = 0xa1;
		out[n++] = 0x1c;
		out[n++] = 0x30;
		out[n++] = 0x1a;
		memcpy(out + n, mgf1_oid, sizeof(mgf1_oid));
		n += sizeof(mgf1_oid);
		memcpy(out + n, hash_alg, 15);
		n += 15;
		out[n++] = 0xa2;
		out[n++] = 0x03;
		out[n++] = 0x02;
		out[n++] = 0x01;
		out[n++] = (uint8_t)h->len;
		return n;
	}
	return 0;
}

/* The curve's hash for ECDSA (RFC 4754), 0 if not one we know. */
static unsigned ec_hash_id(EVP_PKEY *k, int *legacy_method)
{
	char curve[64];

	if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
					    curve, sizeof(curve), NULL))
		return 0;
	if (!strcmp(curve, "prime256v1") || !strcmp(curve, "P-256")) {
		*legacy_method = IKEV2_AUTH_ECDSA_256;
		return IKEV2_HASH_SHA2_256;
	}
	if (!strcmp(curve, "secp384r1") || !strcmp(curve, "P-384")) {
		*legacy_method = IKEV2_AUTH_ECDSA_384;
		return IKEV2_HASH_SHA2_384;
	}
	if (!strcmp(curve, "secp521r1") || !strcmp(curve, "P-521")) {
		*legacy_method = IKEV2_AUTH_ECDSA_521;
		return IKEV2_HASH_SHA2_512;
	}
	return 0;
}

static const struct hash_info *hash_by_id(unsigned id)
{
	size_t i;

	for (i = 0; i < N(hashes); i++)
		if (hashes[i].id == id)
			return &hashes[i];
	return NULL;
}

static const char *key_type_name(EVP_PKEY *k)
{
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:	return "RSA";
	case EVP_PKEY_RSA_PSS:	return "RSA-PSS";
	case EVP_PKEY_EC:	return "ECDSA";
	case EVP_PKEY_ED25519:	return "Ed25519";
	case EVP_PKEY_ED448:	return "Ed448";
	}
	return "unknown";
}

/* r | s (RFC 4754) <-> DER ECDSA-Sig-Value */
static int ecdsa_raw_to_der(const uint8_t *raw, size_t len, uint8_t **der,
			    size_t *der_len)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, (int)(len / 2), NULL);
	BIGNUM *s = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
	unsigned char *out = NULL;
	int l = -1;

	if (sig && r && s && ECDSA_SIG_set0(sig, r, s)) {
		r = s = NULL;
		l = i2d_ECDSA_SIG(sig, &out);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	if (l <= 0)
		return -1;
	*der = out;
	*der_len = (size_t)l;
	return 0;
}

static int ecdsa_der_to_raw(const uint8_t *der, size_t len, size_t half,
			    uint8_t *raw)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *s;
	int ok;

	if (!sig)
		return -1;
	ECDSA_SIG_get0(sig, &r, &s);
	ok = BN_bn2binpad(r, raw, (int)half) == (int)half &&
	     BN_bn2binpad(s, raw + half, (int)half) == (int)half;
	ECDSA_SIG_free(sig);
	return ok ? 0 : -1;
}

/* One signature over octets: md NULL for Ed25519; pss_salt >= 0 for
 * RSASSA-PSS with MGF1(md). */
static int do_sign(EVP_PKEY *key, const EVP_MD *md, int pss_salt,
		   const uint8_t *octets, size_t len, uint8_t **out,
		   size_t *out_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t sl = 0;
	int r = -1;

	*out = NULL;
	if (!ctx || EVP_DigestSignInit(ctx, &pctx, md, NULL, key) != 1)
		goto out;
	if (pss_salt >= 0 &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss_salt) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1))
		goto out;
	if (EVP_DigestSign(ctx, NULL, &sl, octets, len) != 1)
		goto out;
	*out = malloc(sl);
	if (!*out || EVP_DigestSign(ctx, *out, &sl, octets, len) != 1)
		goto out;
	*out_len = sl;
	r = 0;
out:
	if (r) {
		free(*out);
		*out = NULL;
	}
	EVP_MD_CTX_free(ctx);
	return r;
}

static int do_verify(EVP_PKEY *key, const EVP_MD *md, int pss_salt,
		     const EVP_MD *mgf1, const uint8_t *sig, size_t sig_len,
		     const uint8_t *octets, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int r = -1;

	if (!ctx || EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key) != 1)
		goto out;
	if (pss_salt >= 0 &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss_salt) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, mgf1) != 1))
		goto out;
	r = EVP_DigestVerify(ctx, sig, sig_len, octets, len) == 1 ? 0 : -1;
out:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

/* ---- signing ---- */

int auth_sign(EVP_PKEY *key, const char *conf_auth, unsigned peer_hashes,
	      const uint8_t *octets, size_t len, uint8_t *method,
	      uint8_t **out, size_t *out_len, char *err)
{
	const char *ca = conf_auth ? conf_auth : "pubkey";
	const struct hash_info *h = NULL;
	enum scheme_kind kind;
	uint8_t alg[96], *sig = NULL, *raw;
	size_t alen = 0, slen = 0, i;
	int legacy = 0, type = EVP_PKEY_get_base_id(key);
	bool rfc7427 = peer_hashes & ((1u << IKEV2_HASH_SHA2_256) |
				      (1u << IKEV2_HASH_SHA2_384) |
				      (1u << IKEV2_HASH_SHA2_512) |
				      (1u << IKEV2_HASH_IDENTITY));

	*out = NULL;
	switch (type) {
	case EVP_PKEY_ED25519:
		if (!(peer_hashes & (1u << IKEV2_HASH_IDENTITY)))
			return fail(err, "our key is Ed25519, but the peer did not announce the Identity hash (RFC 8420) in SIGNATURE_HASH_ALGORITHMS: use an RSA or ECDSA certificate with this peer");
		*method = IKEV2_AUTH_DIGITAL_SIGNATURE;
		alen = algid(SCH_ED25519, NULL, alg);
		if (do_sign(key, NULL, -1, octets, len, &sig, &slen))
			return fail(err, "Ed25519 signature failed");
		break;
	case EVP_PKEY_EC:
		h = hash_by_id(ec_hash_id(key, &legacy));
		if (!h)
			return fail(err, "our ECDSA key is on a curve IKEv2 has no signature for: use P-256, P-384 or P-521");
		if (rfc7427 && !(peer_hashes & (1u << h->id)))
			for (i = 0; i < N(hashes); i++)
				if (peer_hashes & (1u << hashes[i].id)) {
					h = &hashes[i];
					break;
				}
		if (do_sign(key, hash_md(h), -1, octets, len, &sig, &slen))
			return fail(err, "ECDSA signature failed");
		if (rfc7427) {
			*method = IKEV2_AUTH_DIGITAL_SIGNATURE;
			alen = algid(SCH_ECDSA, h, alg);
			break;
		}
		/* RFC 4754: r | s, each as long as the curve's order */
		*method = (uint8_t)legacy;
		i = legacy == IKEV2_AUTH_ECDSA_521 ? 66 : h->len;
		raw = malloc(2 * i);
		if (!raw || ecdsa_der_to_raw(sig, slen, i, raw)) {
			free(raw);
			free(sig);
			return fail(err, "ECDSA signature failed");
		}
		free(sig);
		sig = raw;
		slen = 2 * i;
		break;
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		kind = strstr(ca, "pss") || type == EVP_PKEY_RSA_PSS ?
		       SCH_PSS : SCH_RSA;
		h = strstr(ca, "sha512") ? &hashes[2] :
		    strstr(ca, "sha384") ? &hashes[1] : &hashes[0];
		if (!rfc7427) {
			if (kind == SCH_PSS)
				return fail(err, "local auth = %s asks for RSA-PSS, but the peer did not announce RFC 7427 signatures (SIGNATURE_HASH_ALGORITHMS): use auth = pubkey",
					    ca);
			*method = IKEV2_AUTH_RSA_SIG;
			if (do_sign(key, EVP_sha1(), -1, octets, len, &sig,
				    &slen))
				return fail(err, "RSA signature failed");
			break;
		}
		if (!(peer_hashes & (1u << h->id)))
			for (i = 0; i < N(hashes); i++)
				if (peer_hashes & (1u << hashes[i].id)) {
					h = &hashes[i];
					break;
				}
		if (!(peer_hashes & (1u << h->id)))
			return fail(err, "the peer announced no SHA-2 hash in SIGNATURE_HASH_ALGORITHMS to sign with");
		*method = IKEV2_AUTH_DIGITAL_SIGNATURE;
		alen = algid(kind, h, alg);
		if (do_sign(key, hash_md(h), kind == SCH_PSS ? (int)h->len : -1,
			    octets, len, &sig, &slen))
			return fail(err, "RSA%s signature failed",
				    kind == SCH_PSS ? "-PSS" : "");
		break;
	default:
		return fail(err, "our private key is %s; esptund signs with RSA, ECDSA or Ed25519 keys",
			    key_type_name(key));
	}
	if (*method != IKEV2_AUTH_DIGITAL_SIGNATURE) {
		*out = sig;
		*out_len = slen;
		return 0;
	}
	*out = malloc(1 + alen + slen);
	if (!*out) {
		free(sig);
		return fail(err, "out of memory");
	}
	(*out)[0] = (uint8_t)alen;
	memcpy(*out + 1, alg, alen);
	memcpy(*out + 1 + alen, sig, slen);
	*out_len = 1 + alen + slen;
	free(sig);
	return 0;
}

/* ---- verifying ---- */

/* RSASSA-PSS-params: hash, MGF1 hash and salt length. */
static int pss_params(const X509_ALGOR *alg, const struct hash_info **h,
		      const EVP_MD **mgf1, int *salt)
{
	const ASN1_TYPE *param = NULL;
	RSA_PSS_PARAMS *pss = NULL;
	X509_ALGOR *mgf_hash = NULL;
	int ptype = 0, r = -1;
	const void *pval = NULL;

	X509_ALGOR_get0(NULL, &ptype, &pval, alg);
	if (ptype != V_ASN1_SEQUENCE)
		return -1;
	param = alg->parameter;
	pss = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), param);
	if (!pss)
		return -1;
	/* Absent fields are SHA-1 (RFC 4055), which we do not take. */
	*h = pss->hashAlgorithm ?
	     hash_by_nid(OBJ_obj2nid(pss->hashAlgorithm->algorithm)) : NULL;
	if (!*h || !pss->maskGenAlgorithm ||
	    OBJ_obj2nid(pss->maskGenAlgorithm->algorithm) != NID_mgf1)
		goto out;
	mgf_hash = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR),
					     pss->maskGenAlgorithm->parameter);
	if (!mgf_hash || !hash_by_nid(OBJ_obj2nid(mgf_hash->algorithm)))
		goto out;
	*mgf1 = hash_md(hash_by_nid(OBJ_obj2nid(mgf_hash->algorithm)));
	*salt = pss->saltLength ? (int)ASN1_INTEGER_get(pss->saltLength) : 20;
	if (*salt < 0 || *salt > 512)
		goto out;
	r = 0;
out:
	X509_ALGOR_free(mgf_hash);
	RSA_PSS_PARAMS_free(pss);
	return r;
}

int auth_verify(EVP_PKEY *pub, uint8_t method, const uint8_t *data,
		size_t data_len, const uint8_t *octets, size_t len,
		char *err)
{
	int type = EVP_PKEY_get_base_id(pub), legacy = 0, salt = -1, nid;
	const struct hash_info *h = NULL;
	const EVP_MD *mgf1 = NULL;
	const char *what;
	uint8_t *der = NULL;
	size_t der_len, half;
	int r;

	switch (method) {
	case IKEV2_AUTH_RSA_SIG:
		if (type != EVP_PKEY_RSA)
			return fail(err, "AUTH method 1 (RSA) but the certificate's key is %s",
				    key_type_name(pub));
		if (do_verify(pub, EVP_sha1(), -1, NULL, data, data_len,
			      octets, len))
			return fail(err, "the RSA signature (AUTH method 1, SHA-1) does not verify with the certificate's key");
		return 0;
	case IKEV2_AUTH_ECDSA_256:
	case IKEV2_AUTH_ECDSA_384:
	case IKEV2_AUTH_ECDSA_521:
		if (type != EVP_PKEY_EC ||
		    !(h = hash_by_id(ec_hash_id(pub, &legacy))) ||
		    legacy != method)
			return fail(err, "AUTH method %u (ECDSA) does not fit the certificate's %s key",
				    method, key_type_name(pub));
		half = method == IKEV2_AUTH_ECDSA_521 ? 66 : h->len;
		if (data_len != 2 * half ||
		    ecdsa_raw_to_der(data, data_len, &der, &der_len))
			return fail(err, "AUTH method %u: an ECDSA signature of %zu bytes (want %zu)",
				    method, data_len, 2 * half);
		r = do_verify(pub, hash_md(h), -1, NULL, der, der_len, octets,
			      len);
		OPENSSL_free(der);
		if (r)
			return fail(err, "the ECDSA signature (AUTH method %u) does not verify with the certificate's key",
				    method);
		return 0;
	case IKEV2_AUTH_DIGITAL_SIGNATURE:
		break;
	default:
		return fail(err, "AUTH method %u is not a signature esptund knows (1, 9, 10, 11, 14)",
			    method);
	}

	/* RFC 7427: ASN.1 length | AlgorithmIdentifier | signature */
	{
		const unsigned char *p;
		X509_ALGOR *alg;
		size_t alen;

		if (data_len < 1 || (alen = data[0]) + 1 >= data_len)
			return fail(err, "AUTH method 14 with %zu bytes: too short for an AlgorithmIdentifier and a signature",
				    data_len);
		p = data + 1;
		alg = d2i_X509_ALGOR(NULL, &p, (long)alen);
		if (!alg || p != data + 1 + alen) {
			X509_ALGOR_free(alg);
			return fail(err, "AUTH method 14: the AlgorithmIdentifier does not parse");
		}
		nid = OBJ_obj2nid(alg->algorithm);
		switch (nid) {
		case NID_sha256WithRSAEncryption:
		case NID_sha384WithRSAEncryption:
		case NID_sha512WithRSAEncryption:
			h = hash_by_nid(nid == NID_sha256WithRSAEncryption ?
					NID_sha256 : nid == NID_sha384WithRSAEncryption ?
					NID_sha384 : NID_sha512);
			what = "RSA";
			r = type == EVP_PKEY_RSA;
			break;
		case NID_rsassaPss:
			what = "RSA-PSS";
			r = (type == EVP_PKEY_RSA || type == EVP_PKEY_RSA_PSS) &&
			    !pss_params(alg, &h, &mgf1, &salt);
			break;
		case NID_ecdsa_with_SHA256:
		case NID_ecdsa_with_SHA384:
		case NID_ecdsa_with_SHA512:
			h = hash_by_nid(nid == NID_ecdsa_with_SHA256 ? NID_sha256 :
					nid == NID_ecdsa_with_SHA384 ? NID_sha384 :
					NID_sha512);
			what = "ECDSA";
			r = type == EVP_PKEY_EC;
			break;
		case NID_ED25519:
			what = "Ed25519";
			r = type == EVP_PKEY_ED25519;
			break;
		default:
			what = OBJ_nid2sn(nid);
			X509_ALGOR_free(alg);
			ERR_clear_error();
			return fail(err, "AUTH method 14 with signature algorithm %s: esptund verifies RSA and RSA-PSS with SHA-2, ECDSA with SHA-2 and Ed25519",
				    what && nid != NID_undef ? what : "(unknown OID)");
		}
		X509_ALGOR_free(alg);
		if (!r)
			return fail(err, "AUTH method 14: the signature algorithm %s%s does not fit the certificate's %s key",
				    what, nid == NID_rsassaPss ?
				    " (or its parameters use SHA-1)" : "",
				    key_type_name(pub));
		if (do_verify(pub, h ? hash_md(h) : NULL, salt,
			      mgf1, data + 1 + alen, data_len - 1 - alen,
			      octets, len))
			return fail(err, "the %s%s%s signature (AUTH method 14) does not verify with the certificate's key",
				    what, h ? " " : "", h ? h->name : "");
	}
	return 0;
}

/* ---- chain verification ---- */

int auth_cert_verify(const struct cred_conn *cc, const uint8_t *const *der,
		     const size_t *der_len, size_t n, X509 **leaf, char *err)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_STORE_CTX *ctx = NULL;
	X509 *ee = NULL;
	char subj[256], at[256], iss[256];
	size_t i;
	int r = -1;

	*leaf = NULL;
	if (!untrusted || !cc || !cc->store) {
		fail(err, "no CA certificates (remote.cacerts) loaded to check the peer's certificate with");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const unsigned char *p = der[i];
		X509 *x = d2i_X509(NULL, &p, (long)der_len[i]);

		if (!x || p != der[i] + der_len[i]) {
			X509_free(x);
			fail(err, "the peer's certificate #%zu (%zu bytes) is not valid DER X.509",
			     i + 1, der_len[i]);
			goto out;
		}
		if (!i) {
			ee = x;
		} else if (!sk_X509_push(untrusted, x)) {
			X509_free(x);
			fail(err, "out of memory");
			goto out;
		}
	}
	if (!ee) {
		fail(err, "the peer sent no certificate (CERT payload): give it local { certs = ... } (strongSwan sends it when asked with CERTREQ, or with send_cert = always)");
		goto out;
	}
	ctx = X509_STORE_CTX_new();
	if (!ctx || X509_STORE_CTX_init(ctx, cc->store, ee, untrusted) != 1) {
		fail(err, "out of memory");
		goto out;
	}
	if (X509_verify_cert(ctx) != 1) {
		int e = X509_STORE_CTX_get_error(ctx);
		X509 *bad = X509_STORE_CTX_get_current_cert(ctx);

		if (!bad)
			bad = ee;
		auth_name_str(X509_get_subject_name(ee), subj, sizeof(subj));
		auth_name_str(X509_get_issuer_name(bad), iss, sizeof(iss));
		fail(err, "untrusted certificate \"%s\": %s (at \"%s\", issuer \"%s\"): add the CA that issued it to remote.cacerts, or check its validity dates",
		     subj, X509_verify_cert_error_string(e),
		     auth_name_str(X509_get_subject_name(bad), at, sizeof(at)),
		     iss);
		goto out;
	}
	*leaf = ee;
	ee = NULL;
	r = 0;
out:
	X509_STORE_CTX_free(ctx);
	X509_free(ee);
	sk_X509_pop_free(untrusted, X509_free);
	return r;
}
