/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esptund's configuration: the swanctl.conf subset esptun understands,
 * as plain C structures.  config.c owns the meaning of each key and the
 * load (all or nothing); config_value.c the value types (addresses,
 * traffic selectors, durations, identities, secrets).
 *
 *   connections { NAME { version local_addrs remote_addrs local_port
 *     remote_port proposals rekey_time
 *     local[-X] { auth id certs }  remote[-X] { auth id cacerts certs }
 *     children { CHILD { local_ts remote_ts esp_proposals start_action
 *       rekey_time life_time interface mode } } } }
 *   secrets { ike-X { id[-Y] secret }  private-X { file secret } }
 */
#ifndef ESPTUND_CONFIG_H
#define ESPTUND_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proposal.h"

#define CONF_ERR_LEN	512

/* One entry of local_addrs/remote_addrs. */
struct conf_addr {
	enum { CONF_ADDR_ANY, CONF_ADDR_RANGE, CONF_ADDR_HOST } kind;
	int family;		/* AF_INET, AF_INET6; 0 = both (%any) */
	uint8_t lo[16], hi[16];	/* CONF_ADDR_RANGE, network order */
	char *host;		/* CONF_ADDR_HOST: a DNS name to resolve */
};

struct conf_addrs {
	size_t n;
	struct conf_addr *v;
};

struct conf_ts {
	bool dynamic;		/* "dynamic": the IKE SA's own address */
	int family;		/* unless dynamic */
	uint8_t lo[16], hi[16];
	uint8_t proto;		/* 0 = any */
	uint16_t port_lo, port_hi;	/* 0-65535 = any; opaque: 65535-0 */
};

struct conf_ts_list {
	size_t n;
	struct conf_ts *v;
};

struct conf_id {
	uint8_t type;		/* IKEV2_ID_*; 0 = %any or unset */
	char *str;		/* as written, without the type prefix */
	uint8_t *data;		/* binary form: IP address or key ID */
	size_t len;		/* (DNs stay text: DER is the cert code's) */
};

enum conf_auth_method {
	CONF_AUTH_NONE,		/* not configured */
	CONF_AUTH_PSK,
	CONF_AUTH_PUBKEY,	/* pubkey, rsa, ecdsa, ed25519, ed448 */
};

struct conf_strs {
	size_t n;
	char **v;
};

struct conf_auth {
	enum conf_auth_method method;
	char *auth;		/* as written, e.g. "rsa/pss-sha256" */
	struct conf_id id;
	struct conf_strs certs;
	struct conf_strs cacerts;	/* remote only */
	int line;
};

enum conf_start_action {
	CONF_START_NONE	= 0,
	CONF_START_TRAP	= 1 << 0,
	CONF_START_START = 1 << 1,
};

struct conf_child {
	char *name;
	struct conf_ts_list local_ts, remote_ts;
	struct proposal_list esp;
	unsigned int start_action;
	uint32_t rekey_time, life_time, rand_time;	/* seconds */
	char *interface;
	int line;
};

struct conf_conn {
	char *name;
	unsigned int version;	/* 0 (any) or 2 */
	struct conf_addrs local_addrs, remote_addrs;
	uint16_t local_port, remote_port;
	struct proposal_list ike;
	uint32_t rekey_time;	/* seconds */
	struct conf_auth local, remote;
	size_t n_children;
	struct conf_child *children;
	int line;
};

enum conf_secret_type {
	CONF_SECRET_IKE,	/* ike-X: pre-shared key */
	CONF_SECRET_PRIVATE,	/* private-X, rsa-X, ecdsa-X, pkcs8-X */
};

struct conf_secret {
	enum conf_secret_type type;
	char *name;		/* the section name, e.g. "ike-home" */
	size_t n_ids;
	struct conf_id *ids;
	uint8_t *data;		/* the key, or the private key's passphrase */
	size_t len;
	char *file;		/* private: the key file */
	int line;
};

struct config {
	size_t n_conns;
	struct conf_conn *conns;
	size_t n_secrets;
	struct conf_secret *secrets;
};

/* Where warnings go (unknown or ignored keys); NULL drops them. */
typedef void (*conf_warn_fn)(void *arg, const char *msg);

/*
 * Loads a whole configuration.  0 with *out filled, or -1 with
 * "FILE:LINE: KEY: reason" in err (CONF_ERR_LEN bytes) and *out empty.
 */
int config_load_file(const char *path, struct config *out,
		     conf_warn_fn warn, void *arg, char *err);
int config_load_text(const char *file, const char *text, size_t len,
		     struct config *out, conf_warn_fn warn, void *arg,
		     char *err);
/* Frees everything; secrets are wiped first. */
void config_free(struct config *c);

const struct conf_conn *config_find_conn(const struct config *c,
					 const char *name);

/* Value types (config_value.c): 0, or -1 with the reason in err. */
int conf_parse_addrs(const char *s, struct conf_addrs *out, char *err);
void conf_addrs_free(struct conf_addrs *a);
int conf_parse_ts(const char *s, struct conf_ts_list *out, char *err);
int conf_parse_duration(const char *s, uint32_t *out, char *err);
int conf_parse_id(const char *s, struct conf_id *out, char *err);
void conf_id_free(struct conf_id *id);
int conf_parse_secret(const char *s, uint8_t **data, size_t *len,
		      char *err);
int conf_parse_strs(const char *s, struct conf_strs *out, char *err);
void conf_strs_free(struct conf_strs *l);

#endif /* ESPTUND_CONFIG_H */
