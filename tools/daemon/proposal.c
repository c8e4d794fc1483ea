// SPDX-License-Identifier: GPL-2.0
/*
 * Proposals: strongSwan's proposal syntax, the `default` set, responder
 * selection and the "no proposal chosen" explanation, and rendering.
 *
 * The parsing rules follow strongSwan 5.9.8 (proposal.c check_proposal(),
 * proposal_keywords_static.txt), restricted to the algorithms esptun
 * offers (the kernel module: AES-CBC with HMAC-SHA2, AES-GCM with 8, 12 or
 * 16-byte ICV, ChaCha20-Poly1305):
 * - tokens are separated by '-', algorithm names are case-sensitive;
 * - IKE without a PRF takes it from each integrity algorithm (sha256 ->
 *   prfsha256); an AEAD-only IKE proposal needs an explicit prf... or an
 *   integrity keyword (then used for the PRF only);
 * - AEAD and classic ciphers may not share a proposal; with AEAD the
 *   integrity algorithms are dropped;
 * - "none"/"modpnone" is dropped from IKE, kept in ESP (PFS optional);
 * - ESP without esn/noesn gets noesn; PRFs in ESP are dropped.
 *
 * `default` (strongSwan's proposal_create_default() then
 * proposal_create_default_aead(), minus what esptun lacks):
 *   IKE  aes128-aes192-aes256-sha256-sha384-sha512-prfsha256-prfsha384-
 *        prfsha512-ecp256-ecp384-ecp521-curve25519-curve448-modp2048,
 *        aes128gcm16-aes192gcm16-aes256gcm16-chacha20poly1305-
 *        aes128gcm12-aes192gcm12-aes256gcm12-aes128gcm8-aes192gcm8-
 *        aes256gcm8-prfsha256-prfsha384-prfsha512-<same DH>
 *   ESP  aes128-aes192-aes256-sha256-sha384-sha512-noesn,
 *        aes128gcm16-aes192gcm16-aes256gcm16-noesn
 * (dropped: CTR, Camellia, 3DES, SHA-1, XCBC/CMAC, brainpool, MODP
 * 3072-8192).  Without any proposals key strongSwan uses the same two,
 * but for ESP the AEAD one first.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proposal.h"

struct prop_keyword {
	const char *name;
	uint8_t type;
	uint16_t id;
	uint16_t key_bits;
};

/* The first name of each algorithm is the one proposal_str() prints. */
static const struct prop_keyword keywords[] = {
	{ "aes128",		IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, 128 },
	{ "aes192",		IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, 192 },
	{ "aes256",		IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, 256 },
	{ "aes",		IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, 128 },
	{ "aes128gcm16",	IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 128 },
	{ "aes192gcm16",	IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 192 },
	{ "aes256gcm16",	IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 256 },
	{ "aes128gcm128",	IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 128 },
	{ "aes192gcm128",	IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 192 },
	{ "aes256gcm128",	IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 256 },
	{ "aes128gcm",		IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 128 },
	{ "aes192gcm",		IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 192 },
	{ "aes256gcm",		IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 256 },
	{ "aes128gcm12",	IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_12, 128 },
	{ "aes192gcm12",	IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_12, 192 },
	{ "aes256gcm12",	IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_12, 256 },
	{ "aes128gcm96",	IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_12, 128 },
	{ "aes192gcm96",	IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_12, 192 },
	{ "aes256gcm96",	IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_12, 256 },
	{ "aes128gcm8",		IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_8, 128 },
	{ "aes192gcm8",		IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_8, 192 },
	{ "aes256gcm8",		IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_8, 256 },
	{ "aes128gcm64",	IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_8, 128 },
	{ "aes192gcm64",	IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_8, 192 },
	{ "aes256gcm64",	IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_8, 256 },
	{ "chacha20poly1305",	IKEV2_TRANS_ENCR, IKEV2_ENCR_CHACHA20_POLY1305, 0 },
	{ "sha256",	IKEV2_TRANS_INTEG, IKEV2_INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha384",	IKEV2_TRANS_INTEG, IKEV2_INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha512",	IKEV2_TRANS_INTEG, IKEV2_INTEG_HMAC_SHA2_512_256, 0 },
	{ "sha2_256",	IKEV2_TRANS_INTEG, IKEV2_INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha2_384",	IKEV2_TRANS_INTEG, IKEV2_INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha2_512",	IKEV2_TRANS_INTEG, IKEV2_INTEG_HMAC_SHA2_512_256, 0 },
	{ "prfsha256",	IKEV2_TRANS_PRF, IKEV2_PRF_HMAC_SHA2_256, 0 },
	{ "prfsha384",	IKEV2_TRANS_PRF, IKEV2_PRF_HMAC_SHA2_384, 0 },
	{ "prfsha512",	IKEV2_TRANS_PRF, IKEV2_PRF_HMAC_SHA2_512, 0 },
	{ "modp2048",	IKEV2_TRANS_DH, IKEV2_DH_MODP_2048, 0 },
	{ "ecp256",	IKEV2_TRANS_DH, IKEV2_DH_ECP_256, 0 },
	{ "ecp384",	IKEV2_TRANS_DH, IKEV2_DH_ECP_384, 0 },
	{ "ecp521",	IKEV2_TRANS_DH, IKEV2_DH_ECP_521, 0 },
	{ "curve25519",	IKEV2_TRANS_DH, IKEV2_DH_CURVE25519, 0 },
	{ "x25519",	IKEV2_TRANS_DH, IKEV2_DH_CURVE25519, 0 },
	{ "curve448",	IKEV2_TRANS_DH, IKEV2_DH_CURVE448, 0 },
	{ "x448",	IKEV2_TRANS_DH, IKEV2_DH_CURVE448, 0 },
	{ "none",	IKEV2_TRANS_DH, IKEV2_DH_NONE, 0 },
	{ "modpnone",	IKEV2_TRANS_DH, IKEV2_DH_NONE, 0 },
	{ "esn",	IKEV2_TRANS_ESN, IKEV2_ESN_YES, 0 },
	{ "noesn",	IKEV2_TRANS_ESN, IKEV2_ESN_NO, 0 },
};

/* strongSwan keywords for algorithms esptun does not offer. */
static const char *const foreign[] = {
	"3des", "des", "null", "blowfish*", "cast128", "camellia*",
	"serpent*", "twofish*", "aes*ctr*", "aes*ccm*", "aes*gmac",
	"chacha20poly1305compat", "sha", "sha1*", "md5*", "sha*_96",
	"aesxcbc", "aescmac", "prfsha", "prfsha1", "prfmd5", "prfaes*",
	"prfcamellia*", "modp768", "modp1024*", "modp1536", "modp3072",
	"modp4096", "modp6144", "modp8192", "modpnull", "modp2048s*",
	"ecp192", "ecp224*", "ecp*bp", "ntru*", "newhope*", "mlkem*",
	"ke?_*",
};

static const char *const type_names[PROP_NTYPES] = {
	"?", "ENCR", "PRF", "INTEG", "DH", "ESN",
};

/* The order of types in strings and in selection. */
static const uint8_t type_order[] = {
	IKEV2_TRANS_ENCR, IKEV2_TRANS_INTEG, IKEV2_TRANS_PRF, IKEV2_TRANS_DH,
	IKEV2_TRANS_ESN,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

bool proposal_encr_is_aead(uint16_t encr)
{
	return encr == IKEV2_ENCR_AES_GCM_8 || encr == IKEV2_ENCR_AES_GCM_12 ||
	       encr == IKEV2_ENCR_AES_GCM_16 || encr == IKEV2_ENCR_AES_CCM_16 ||
	       encr == IKEV2_ENCR_CHACHA20_POLY1305;
}

static bool has(const struct proposal *p, unsigned int type, uint16_t id,
		uint16_t key_bits)
{
	int i;

	for (i = 0; i < p->n[type]; i++)
		if (p->t[type][i].id == id && p->t[type][i].key_bits == key_bits)
			return true;
	return false;
}

int proposal_add(struct proposal *p, unsigned int type, uint16_t id,
		 uint16_t key_bits)
{
	if (type == 0 || type >= PROP_NTYPES)
		return -1;
	if (has(p, type, id, key_bits))
		return 0;
	if (p->n[type] >= PROP_MAX_TRANS)
		return -1;
	p->t[type][p->n[type]++] = (struct prop_transform){ id, key_bits };
	return 0;
}

static void drop_type(struct proposal *p, unsigned int type)
{
	p->n[type] = 0;
}

static const struct prop_keyword *lookup(const char *name)
{
	size_t i;

	for (i = 0; i < N(keywords); i++)
		if (!strcmp(keywords[i].name, name))
			return &keywords[i];
	return NULL;
}

static const char *transform_name(unsigned int type,
				  const struct prop_transform *t,
				  char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < N(keywords); i++)
		if (keywords[i].type == type && keywords[i].id == t->id &&
		    keywords[i].key_bits == t->key_bits)
			return keywords[i].name;
	if (t->key_bits)
		snprintf(buf, len, "%s%u_%u", type_names[type], t->id,
			 t->key_bits);
	else
		snprintf(buf, len, "%s%u", type_names[type], t->id);
	return buf;
}

/* "supported: aes128 aes192 ..." (the printed names only) */
static size_t supported(char *buf, size_t len)
{
	size_t i, j, off;

	off = snprintf(buf, len, "supported:");
	for (i = 0; i < N(keywords) && off < len; i++) {
		for (j = 0; j < i; j++)
			if (keywords[j].type == keywords[i].type &&
			    keywords[j].id == keywords[i].id &&
			    keywords[j].key_bits == keywords[i].key_bits)
				break;
		if (j == i)
			off += snprintf(buf + off, len - off, " %s",
					keywords[i].name);
	}
	return off;
}

static int bad_keyword(const char *tok, const char *item, char *err)
{
	char list[400];
	bool known = false;
	size_t i;

	for (i = 0; i < N(foreign); i++)
		if (!fnmatch(foreign[i], tok, 0))
			known = true;
	supported(list, sizeof(list));
	snprintf(err, PROP_ERR_LEN, "'%s' in '%s': %s; %s", tok, item,
		 known ? "esptun does not offer this algorithm" :
		 "unknown algorithm", list);
	return -1;
}

/* strongSwan's check_proposal(), for what esptun supports. */
static int check(struct proposal *p, const char *item, char *err)
{
	bool aead = false, classic = false;
	int i, j;

	for (i = 0; i < p->n[IKEV2_TRANS_ENCR]; i++) {
		if (proposal_encr_is_aead(p->t[IKEV2_TRANS_ENCR][i].id))
			aead = true;
		else
			classic = true;
	}
	if (p->protocol == IKEV2_PROTO_IKE) {
		if (!p->n[IKEV2_TRANS_PRF]) {
			struct prop_transform *t = p->t[IKEV2_TRANS_INTEG];

			for (i = 0; i < p->n[IKEV2_TRANS_INTEG]; i++)
				proposal_add(p, IKEV2_TRANS_PRF,
					     t[i].id == IKEV2_INTEG_HMAC_SHA2_256_128 ?
					     IKEV2_PRF_HMAC_SHA2_256 :
					     t[i].id == IKEV2_INTEG_HMAC_SHA2_384_192 ?
					     IKEV2_PRF_HMAC_SHA2_384 :
					     IKEV2_PRF_HMAC_SHA2_512, 0);
		}
		if (!p->n[IKEV2_TRANS_PRF]) {
			snprintf(err, PROP_ERR_LEN,
				 "'%s': an IKE proposal needs a PRF: add prfsha256, prfsha384 or prfsha512 (AEAD ciphers have no integrity algorithm to take it from)",
				 item);
			return -1;
		}
		for (i = j = 0; i < p->n[IKEV2_TRANS_DH]; i++)
			if (p->t[IKEV2_TRANS_DH][i].id != IKEV2_DH_NONE)
				p->t[IKEV2_TRANS_DH][j++] = p->t[IKEV2_TRANS_DH][i];
		p->n[IKEV2_TRANS_DH] = j;
		if (!p->n[IKEV2_TRANS_DH]) {
			snprintf(err, PROP_ERR_LEN,
				 "'%s': an IKE proposal needs a DH group, e.g. ecp256 or curve25519",
				 item);
			return -1;
		}
		if (p->n[IKEV2_TRANS_ESN]) {
			snprintf(err, PROP_ERR_LEN,
				 "'%s': esn/noesn belong in esp_proposals, not in IKE proposals",
				 item);
			return -1;
		}
	} else {
		drop_type(p, IKEV2_TRANS_PRF);
		if (!p->n[IKEV2_TRANS_ESN])
			proposal_add(p, IKEV2_TRANS_ESN, IKEV2_ESN_NO, 0);
	}
	if (!aead && !classic) {
		snprintf(err, PROP_ERR_LEN,
			 "'%s': an encryption algorithm is mandatory, e.g. aes256gcm16 or aes256",
			 item);
		return -1;
	}
	if (aead && classic) {
		snprintf(err, PROP_ERR_LEN,
			 "'%s': classic and AEAD (gcm, chacha20poly1305) ciphers cannot share a proposal; separate them with a comma",
			 item);
		return -1;
	}
	if (aead) {
		drop_type(p, IKEV2_TRANS_INTEG);
	} else if (!p->n[IKEV2_TRANS_INTEG]) {
		snprintf(err, PROP_ERR_LEN,
			 "'%s': AES-CBC needs an integrity algorithm: add sha256, sha384 or sha512",
			 item);
		return -1;
	}
	return 0;
}

static int parse_one(const char *item, uint8_t protocol, struct proposal *p,
		     char *err)
{
	const struct prop_keyword *kw;
	char buf[256], *tok, *save;

	memset(p, 0, sizeof(*p));
	p->protocol = protocol;
	if (strlen(item) >= sizeof(buf)) {
		snprintf(err, PROP_ERR_LEN, "proposal too long (%zu bytes, at most %zu)",
			 strlen(item), sizeof(buf) - 1);
		return -1;
	}
	strcpy(buf, item);
	for (tok = strtok_r(buf, "-", &save); tok;
	     tok = strtok_r(NULL, "-", &save)) {
		tok += strspn(tok, " \t");
		tok[strcspn(tok, " \t")] = 0;
		if (!*tok) {
			snprintf(err, PROP_ERR_LEN, "'%s': empty algorithm name",
				 item);
			return -1;
		}
		kw = lookup(tok);
		if (!kw)
			return bad_keyword(tok, item, err);
		if (proposal_add(p, kw->type, kw->id, kw->key_bits)) {
			snprintf(err, PROP_ERR_LEN,
				 "'%s': more than %d %s algorithms", item,
				 PROP_MAX_TRANS, type_names[kw->type]);
			return -1;
		}
	}
	return check(p, item, err);
}

static const char *const default_strs[2][2] = {
	/* IKE: classic, AEAD */
	{ "aes128-aes192-aes256-sha256-sha384-sha512-prfsha256-prfsha384-prfsha512-ecp256-ecp384-ecp521-curve25519-curve448-modp2048",
	  "aes128gcm16-aes192gcm16-aes256gcm16-chacha20poly1305-aes128gcm12-aes192gcm12-aes256gcm12-aes128gcm8-aes192gcm8-aes256gcm8-prfsha256-prfsha384-prfsha512-ecp256-ecp384-ecp521-curve25519-curve448-modp2048" },
	/* ESP */
	{ "aes128-aes192-aes256-sha256-sha384-sha512-noesn",
	  "aes128gcm16-aes192gcm16-aes256gcm16-noesn" },
};

static int append(struct proposal_list *l, const struct proposal *p,
		  char *err)
{
	struct proposal *v;

	if (l->n >= 64) {
		snprintf(err, PROP_ERR_LEN, "more than 64 proposals");
		return -1;
	}
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v) {
		snprintf(err, PROP_ERR_LEN, "out of memory");
		return -1;
	}
	l->v = v;
	l->v[l->n++] = *p;
	return 0;
}

static int add_defaults(struct proposal_list *l, uint8_t protocol,
			bool aead_first, char *err)
{
	int esp = protocol == IKEV2_PROTO_ESP, i, k;
	struct proposal p;

	for (k = 0; k < 2; k++) {
		i = aead_first ? !k : k;
		if (parse_one(default_strs[esp][i], protocol, &p, err) ||
		    append(l, &p, err))
			return -1;
	}
	return 0;
}

int proposal_list_parse(const char *s, uint8_t protocol,
			struct proposal_list *out, char *err)
{
	char item[300];
	const char *end;
	struct proposal p;
	size_t len;

	out->n = 0;
	out->v = NULL;
	if (protocol != IKEV2_PROTO_IKE && protocol != IKEV2_PROTO_ESP) {
		snprintf(err, PROP_ERR_LEN, "protocol %u: IKE or ESP only",
			 protocol);
		return -1;
	}
	if (!s || !s[strspn(s, " \t")]) {
		/* vici_config.c: ESP prefers AEAD when nothing is given */
		if (add_defaults(out, protocol, protocol == IKEV2_PROTO_ESP,
				 err))
			goto fail;
		return 0;
	}
	for (;;) {
		s += strspn(s, " \t");
		end = strchr(s, ',');
		len = end ? (size_t)(end - s) : strlen(s);
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (!len) {
			snprintf(err, PROP_ERR_LEN, "empty proposal in the list");
			goto fail;
		}
		if (len >= sizeof(item)) {
			snprintf(err, PROP_ERR_LEN,
				 "proposal too long (%zu bytes)", len);
			goto fail;
		}
		memcpy(item, s, len);
		item[len] = 0;
		if (!strcasecmp(item, "default")) {
			if (add_defaults(out, protocol, false, err))
				goto fail;
		} else if (parse_one(item, protocol, &p, err) ||
			   append(out, &p, err)) {
			goto fail;
		}
		if (!end)
			return 0;
		s = end + 1;
	}
fail:
	proposal_list_free(out);
	return -1;
}

void proposal_list_free(struct proposal_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* ESP DH may be absent on one side when the other offers "none". */
static bool dh_optional_ok(const struct proposal *a, const struct proposal *b)
{
	const struct proposal *full = a->n[IKEV2_TRANS_DH] ? a : b;

	return has(full, IKEV2_TRANS_DH, IKEV2_DH_NONE, 0);
}

/*
 * Picks from pref's order a transform of type that other also has.
 */
static bool pick(const struct proposal *pref, const struct proposal *other,
		 unsigned int type, struct prop_transform *out)
{
	int i;

	for (i = 0; i < pref->n[type]; i++) {
		const struct prop_transform *t = &pref->t[type][i];

		if (has(other, type, t->id, t->key_bits)) {
			*out = *t;
			return true;
		}
	}
	return false;
}

/* 0 and *out on success, else the transform type that did not match. */
static unsigned int select_pair(const struct proposal *peer,
				const struct proposal *loc, unsigned int flags,
				struct proposal *out)
{
	const struct proposal *pref = peer, *other = loc;
	struct prop_transform t;
	bool aead = false;
	size_t i;

	if (flags & PROP_PREFER_LOCAL) {
		pref = loc;
		other = peer;
	}
	memset(out, 0, sizeof(*out));
	out->protocol = peer->protocol;
	out->num = peer->num;
	for (i = 0; i < N(type_order); i++) {
		unsigned int type = type_order[i];

		if (type == IKEV2_TRANS_DH && (flags & PROP_SKIP_DH))
			continue;
		if (type == IKEV2_TRANS_INTEG && aead)
			continue;
		if (!peer->n[type] && !loc->n[type])
			continue;
		if (type == IKEV2_TRANS_DH &&
		    peer->protocol == IKEV2_PROTO_ESP &&
		    (!peer->n[type] || !loc->n[type])) {
			if (dh_optional_ok(peer, loc))
				continue;
			return type;
		}
		if (!pick(pref, other, type, &t))
			return type;
		if (type == IKEV2_TRANS_ENCR && proposal_encr_is_aead(t.id))
			aead = true;
		if (t.id == 0 && type != IKEV2_TRANS_ESN)
			continue;	/* NONE: nothing to add */
		out->t[type][out->n[type]++] = t;
	}
	return 0;
}

/* Every transform of type offered by one side, without repeats. */
static void gather(const struct proposal *v, size_t n, uint8_t protocol,
		   unsigned int type, struct proposal *all)
{
	size_t i;
	int j;

	for (i = 0; i < n; i++) {
		if (v[i].protocol != protocol)
			continue;
		for (j = 0; j < v[i].n[type]; j++)
			if (type != IKEV2_TRANS_INTEG || v[i].t[type][j].id)
				proposal_add(all, type, v[i].t[type][j].id,
					     v[i].t[type][j].key_bits);
	}
}

static size_t names(const struct proposal *p, unsigned int type, char *buf,
		    size_t len)
{
	char tmp[32];
	size_t off = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < p->n[type] && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				transform_name(type, &p->t[type][i], tmp,
					       sizeof(tmp)));
	if (!p->n[type])
		off = snprintf(buf, len, "none");
	return off;
}

static void explain(const struct proposal_list *local,
		    const struct proposal *peer, size_t npeer,
		    unsigned int flags, char *why)
{
	char ours[200], theirs[200];
	uint8_t protocol = local->v[0].protocol;
	struct proposal a, b, tmp;
	size_t i;

	for (i = 0; i < N(type_order); i++) {
		unsigned int type = type_order[i];

		if (type == IKEV2_TRANS_DH && (flags & PROP_SKIP_DH))
			continue;
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		gather(peer, npeer, protocol, type, &a);
		gather(local->v, local->n, protocol, type, &b);
		if (!a.n[type] && !b.n[type])
			continue;
		if (type == IKEV2_TRANS_DH && protocol == IKEV2_PROTO_ESP &&
		    (!a.n[type] || !b.n[type]) && dh_optional_ok(&a, &b))
			continue;
		if (pick(&a, &b, type, &tmp.t[0][0]))
			continue;
		names(&a, type, theirs, sizeof(theirs));
		names(&b, type, ours, sizeof(ours));
		snprintf(why, PROP_ERR_LEN,
			 "no proposal chosen: %s: peer offers only %s; we offer %s",
			 type_names[type], theirs, ours);
		return;
	}
	for (i = 0; i < npeer && peer[i].protocol != protocol; i++)
		;
	if (i == npeer) {
		snprintf(why, PROP_ERR_LEN,
			 "no proposal chosen: the peer offers no %s proposal",
			 protocol == IKEV2_PROTO_IKE ? "IKE" : "ESP");
		return;
	}
	proposal_str(&peer[i], theirs, sizeof(theirs));
	proposal_str(&local->v[0], ours, sizeof(ours));
	snprintf(why, PROP_ERR_LEN,
		 "no proposal chosen: every transform type overlaps, but no proposal combines them (%s: peer's %s; ours %s)",
		 type_names[select_pair(&peer[i], &local->v[0], flags, &tmp)],
		 theirs, ours);
}

int proposal_select(const struct proposal_list *local,
		    const struct proposal *peer, size_t npeer,
		    unsigned int flags, struct proposal *chosen, char *why)
{
	size_t i, j, outer_n, inner_n;
	bool prefer_local = flags & PROP_PREFER_LOCAL;

	if (!local->n) {
		snprintf(why, PROP_ERR_LEN,
			 "no proposal chosen: no proposals configured");
		return -1;
	}
	if (!npeer) {
		snprintf(why, PROP_ERR_LEN,
			 "no proposal chosen: the peer sent no proposal");
		return -1;
	}
	outer_n = prefer_local ? local->n : npeer;
	inner_n = prefer_local ? npeer : local->n;
	for (i = 0; i < outer_n; i++) {
		for (j = 0; j < inner_n; j++) {
			size_t pi = prefer_local ? j : i;
			size_t li = prefer_local ? i : j;

			if (peer[pi].protocol != local->v[li].protocol)
				continue;
			if (!select_pair(&peer[pi], &local->v[li], flags,
					 chosen))
				return pi;
		}
	}
	explain(local, peer, npeer, flags, why);
	return -1;
}

size_t proposal_str(const struct proposal *p, char *buf, size_t len)
{
	size_t i, off = 0;
	char tmp[32];
	int j;

	if (len)
		buf[0] = 0;
	for (i = 0; i < N(type_order); i++) {
		unsigned int type = type_order[i];

		if (type == IKEV2_TRANS_ESN && p->n[type] == 1 &&
		    p->t[type][0].id == IKEV2_ESN_NO)
			continue;	/* strongSwan's default */
		for (j = 0; j < p->n[type]; j++) {
			const char *name = transform_name(type, &p->t[type][j],
							  tmp, sizeof(tmp));

			off += snprintf(buf + (off < len ? off : len),
					off < len ? len - off : 0, "%s%s",
					off ? "-" : "", name);
		}
	}
	return off;
}

size_t proposal_list_str(const struct proposal_list *l, char *buf,
			 size_t len)
{
	size_t i, off = 0;

	if (len)
		buf[0] = 0;
	for (i = 0; i < l->n; i++) {
		if (i)
			off += snprintf(buf + (off < len ? off : len),
					off < len ? len - off : 0, ", ");
		off += proposal_str(&l->v[i], buf + (off < len ? off : len),
				    off < len ? len - off : 0);
	}
	return off;
}
