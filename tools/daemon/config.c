// SPDX-License-Identifier: GPL-2.0
/*
 * The meaning of swanctl.conf for esptund: which keys exist, their
 * defaults (strongSwan 5.9.8's), and the checks across keys.  A load is
 * all or nothing: the first invalid value fails it with
 * "FILE:LINE: KEY: reason".  Keys strongSwan knows but esptun does not
 * use are warned about with the reason; unknown keys are warned about.
 * The grammar is settings.c's, the value types config_value.c's.
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "settings.h"

#define IKE_REKEY_DEFAULT	(4 * 3600)	/* strongSwan: 4h */
#define CHILD_REKEY_DEFAULT	3600		/* strongSwan: 1h */
#define MAX_CONFIG_FILE		(1 << 20)

struct ctx {
	const char *file;
	char *err;
	conf_warn_fn warn;
	void *arg;
};

static int __attribute__((format(printf, 3, 4)))
fail(struct ctx *c, const struct set_node *n, const char *fmt, ...)
{
	size_t off;
	va_list ap;

	off = snprintf(c->err, CONF_ERR_LEN, "%s:%d: %s: ", c->file, n->line,
		       n->name);
	if (off < CONF_ERR_LEN) {
		va_start(ap, fmt);
		vsnprintf(c->err + off, CONF_ERR_LEN - off, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void __attribute__((format(printf, 3, 4)))
warn(struct ctx *c, const struct set_node *n, const char *fmt, ...)
{
	char msg[CONF_ERR_LEN];
	size_t off;
	va_list ap;

	if (!c->warn)
		return;
	off = snprintf(msg, sizeof(msg), "%s:%d: %s: ", c->file, n->line,
		       n->name);
	if (off < sizeof(msg)) {
		va_start(ap, fmt);
		vsnprintf(msg + off, sizeof(msg) - off, fmt, ap);
		va_end(ap);
	}
	c->warn(c->arg, msg);
}

/* The reason value parsers put in c->err, prefixed with the place. */
static int value_fail(struct ctx *c, const struct set_node *n)
{
	char reason[CONF_ERR_LEN];

	snprintf(reason, sizeof(reason), "%s", c->err);
	return fail(c, n, "%s", reason);
}

/* strongSwan keys esptund ignores, and why. */
static const struct { const char *key; const char *why; } ignored[] = {
	{ "if_id_in", "ignored; esptun binds children with `interface = ...`" },
	{ "if_id_out", "ignored; esptun binds children with `interface = ...`" },
	{ "mark_in", "ignored; esptun routes through its interface, not XFRM marks" },
	{ "mark_out", "ignored; esptun routes through its interface, not XFRM marks" },
	{ "set_mark_in", "ignored; esptun routes through its interface, not XFRM marks" },
	{ "set_mark_out", "ignored; esptun routes through its interface, not XFRM marks" },
	{ "updown", "ignored; esptund runs no updown script" },
	{ "hostaccess", "ignored; esptund installs no policies" },
	{ "policies", "ignored; esptun has no XFRM policies: routes to the interface select the SA" },
	{ "policies_fwd_out", "ignored; esptun has no XFRM policies" },
	{ "priority", "ignored; esptun has no XFRM policies" },
	{ "hw_offload", "ignored; esptun does its own ESP" },
	{ "pools", "ignored; esptund does not assign virtual IPs" },
	{ "vips", "ignored; esptund does not request virtual IPs" },
	{ "mobike", "ignored; esptund does not do MOBIKE" },
	{ "aggressive", "ignored; IKEv1 only" },
	{ "pull", "ignored; IKEv1 only" },
	{ "xauth_id", "ignored; IKEv1 only" },
	{ "ipcomp", "ignored; esptun does not compress" },
	{ "sha256_96", "ignored; esptun uses 128-bit HMAC-SHA-256 (RFC 4868)" },
};

static bool ignored_key(struct ctx *c, const struct set_node *n)
{
	size_t i;

	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		if (!strcmp(n->name, ignored[i].key)) {
			warn(c, n, "%s", ignored[i].why);
			return true;
		}
	}
	return false;
}

static void unknown(struct ctx *c, const struct set_node *n)
{
	if (!ignored_key(c, n))
		warn(c, n, "%s not used by esptund, ignored",
		     n->value ? "key" : "section");
}

static int need_key(struct ctx *c, const struct set_node *n)
{
	if (!n->value)
		return fail(c, n, "a key (name = value) is expected, not a section");
	return 0;
}

static int need_section(struct ctx *c, const struct set_node *n)
{
	if (n->value)
		return fail(c, n, "a section (name { ... }) is expected, not a key");
	return 0;
}

static int dup_str(struct ctx *c, const struct set_node *n, char **out)
{
	free(*out);
	*out = strdup(n->value);
	if (!*out)
		return fail(c, n, "out of memory");
	return 0;
}

static int parse_port(struct ctx *c, const struct set_node *n, uint16_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(n->value, &end, 10);
	if (!*n->value || *end || errno || !v || v > 65535)
		return fail(c, n, "'%s': a port is 1-65535", n->value);
	*out = v;
	return 0;
}

static int parse_proposals(struct ctx *c, const struct set_node *n,
			   uint8_t protocol, struct proposal_list *out)
{
	proposal_list_free(out);
	if (proposal_list_parse(n->value, protocol, out, c->err))
		return value_fail(c, n);
	return 0;
}

static int parse_auth_method(struct ctx *c, const struct set_node *n,
			     struct conf_auth *a)
{
	static const char *const pubkey[] = {
		"pubkey", "rsa", "ecdsa", "ed25519", "ed448",
	};
	size_t i, len = strcspn(n->value, "-/");

	if (dup_str(c, n, &a->auth))
		return -1;
	if (len == 3 && !strncmp(n->value, "psk", 3)) {
		a->method = CONF_AUTH_PSK;
		return 0;
	}
	for (i = 0; i < sizeof(pubkey) / sizeof(pubkey[0]); i++) {
		if (strlen(pubkey[i]) == len &&
		    !strncmp(n->value, pubkey[i], len)) {
			a->method = CONF_AUTH_PUBKEY;
			return 0;
		}
	}
	return fail(c, n, "'%s': esptund authenticates with psk or pubkey (also rsa, ecdsa, ed25519, ed448), not EAP or XAuth",
		    n->value);
}

static int parse_auth(struct ctx *c, const struct set_node *sec,
		      struct conf_auth *a, bool remote)
{
	const struct set_node *n;

	a->line = sec->line;
	a->method = CONF_AUTH_PUBKEY;	/* strongSwan's default */
	for (n = sec->child; n; n = n->next) {
		if (!strcmp(n->name, "auth")) {
			if (need_key(c, n) || parse_auth_method(c, n, a))
				return -1;
		} else if (!strcmp(n->name, "id")) {
			conf_id_free(&a->id);
			if (need_key(c, n) ||
			    (conf_parse_id(n->value, &a->id, c->err) &&
			     value_fail(c, n)))
				return -1;
		} else if (!strcmp(n->name, "certs") ||
			   (remote && !strcmp(n->name, "cacerts"))) {
			struct conf_strs *l = n->name[0] == 'c' &&
					      n->name[1] == 'a' ?
					      &a->cacerts : &a->certs;

			conf_strs_free(l);
			if (need_key(c, n) ||
			    (conf_parse_strs(n->value, l, c->err) &&
			     value_fail(c, n)))
				return -1;
		} else {
			unknown(c, n);
		}
	}
	return 0;
}

static int parse_start_action(struct ctx *c, const struct set_node *n,
			      unsigned int *out)
{
	char buf[64], *tok, *save;

	*out = CONF_START_NONE;
	snprintf(buf, sizeof(buf), "%s", n->value);
	for (tok = strtok_r(buf, "|", &save); tok;
	     tok = strtok_r(NULL, "|", &save)) {
		if (!strcmp(tok, "trap"))
			*out |= CONF_START_TRAP;
		else if (!strcmp(tok, "start"))
			*out |= CONF_START_START;
		else if (strcmp(tok, "none"))
			return fail(c, n, "'%s': use none, trap, start or trap|start",
				    n->value);
	}
	return 0;
}

static int parse_child(struct ctx *c, const struct set_node *sec,
		       struct conf_child *ch)
{
	const struct set_node *n, *life = NULL;
	bool have_rand = false;
	char ifname[IFNAMSIZ];

	ch->line = sec->line;
	ch->rekey_time = CHILD_REKEY_DEFAULT;
	ch->start_action = CONF_START_NONE;
	ch->name = strdup(sec->name);
	if (!ch->name)
		return fail(c, sec, "out of memory");
	for (n = sec->child; n; n = n->next) {
		if (!n->value) {
			unknown(c, n);
			continue;
		}
		if (!strcmp(n->name, "local_ts") ||
		    !strcmp(n->name, "remote_ts")) {
			struct conf_ts_list *l = n->name[0] == 'l' ?
						 &ch->local_ts : &ch->remote_ts;

			free(l->v);
			if (conf_parse_ts(n->value, l, c->err))
				return value_fail(c, n);
		} else if (!strcmp(n->name, "esp_proposals")) {
			if (parse_proposals(c, n, IKEV2_PROTO_ESP, &ch->esp))
				return -1;
		} else if (!strcmp(n->name, "ah_proposals")) {
			return fail(c, n, "esptun does ESP only; use esp_proposals");
		} else if (!strcmp(n->name, "start_action")) {
			if (parse_start_action(c, n, &ch->start_action))
				return -1;
		} else if (!strcmp(n->name, "rekey_time") ||
			   !strcmp(n->name, "life_time") ||
			   !strcmp(n->name, "rand_time")) {
			uint32_t *t = n->name[1] == 'e' ? &ch->rekey_time :
				      n->name[1] == 'i' ? &ch->life_time :
				      &ch->rand_time;

			if (conf_parse_duration(n->value, t, c->err))
				return value_fail(c, n);
			if (t == &ch->life_time)
				life = n;
			if (t == &ch->rand_time)
				have_rand = true;
		} else if (!strcmp(n->name, "interface")) {
			if (!*n->value || strlen(n->value) >= sizeof(ifname) ||
			    strpbrk(n->value, "/ \t:"))
				return fail(c, n, "'%s': not an interface name (at most %d characters, no '/', ':' or spaces)",
					    n->value, IFNAMSIZ - 1);
			if (dup_str(c, n, &ch->interface))
				return -1;
		} else if (!strcmp(n->name, "mode")) {
			if (strcmp(n->value, "tunnel"))
				return fail(c, n, "'%s': esptun does tunnel mode only (mode = tunnel, the default)",
					    n->value);
		} else {
			unknown(c, n);
		}
	}
	if (!ch->interface)
		return fail(c, sec, "no interface: esptun binds each child to its interface; add `interface = esp0` (the esptun device) to the child");
	if (!life) {
		ch->life_time = (uint64_t)ch->rekey_time * 110 / 100;
	} else if (ch->rekey_time && ch->life_time &&
		   ch->life_time <= ch->rekey_time) {
		return fail(c, life, "%us must be longer than rekey_time (%us): the SA would expire before it is rekeyed",
			    ch->life_time, ch->rekey_time);
	}
	if (!have_rand)
		ch->rand_time = ch->life_time > ch->rekey_time ?
				ch->life_time - ch->rekey_time : 0;
	if (!ch->local_ts.n &&
	    conf_parse_ts("dynamic", &ch->local_ts, c->err))
		return value_fail(c, sec);
	if (!ch->remote_ts.n &&
	    conf_parse_ts("dynamic", &ch->remote_ts, c->err))
		return value_fail(c, sec);
	if (!ch->esp.n &&
	    proposal_list_parse(NULL, IKEV2_PROTO_ESP, &ch->esp, c->err))
		return value_fail(c, sec);
	return 0;
}

static void child_free(struct conf_child *ch)
{
	free(ch->name);
	free(ch->local_ts.v);
	free(ch->remote_ts.v);
	proposal_list_free(&ch->esp);
	free(ch->interface);
}

static int parse_children(struct ctx *c, const struct set_node *sec,
			  struct conf_conn *conn)
{
	const struct set_node *n;
	struct conf_child *v;

	for (n = sec->child; n; n = n->next) {
		if (need_section(c, n))
			return -1;
		v = realloc(conn->children,
			    (conn->n_children + 1) * sizeof(*v));
		if (!v)
			return fail(c, n, "out of memory");
		conn->children = v;
		memset(&v[conn->n_children], 0, sizeof(*v));
		conn->n_children++;
		if (parse_child(c, n, &v[conn->n_children - 1]))
			return -1;
	}
	return 0;
}

static bool is_round(const char *name, const char *base)
{
	size_t len = strlen(base);

	return !strncmp(name, base, len) &&
	       (!name[len] || name[len] == '-');
}

static int parse_conn(struct ctx *c, const struct set_node *sec,
		      struct conf_conn *conn)
{
	const struct set_node *n, *local = NULL, *remote = NULL;

	conn->line = sec->line;
	conn->version = 0;	/* strongSwan's default: any */
	conn->rekey_time = IKE_REKEY_DEFAULT;
	conn->local_port = conn->remote_port = 500;
	conn->name = strdup(sec->name);
	if (!conn->name)
		return fail(c, sec, "out of memory");
	for (n = sec->child; n; n = n->next) {
		if (is_round(n->name, "local") || is_round(n->name, "remote")) {
			const struct set_node **seen = n->name[0] == 'l' ?
						       &local : &remote;

			if (need_section(c, n))
				return -1;
			if (*seen)
				return fail(c, n, "a second authentication round (first: %s at line %d): esptund does one round each way",
					    (*seen)->name, (*seen)->line);
			*seen = n;
			if (parse_auth(c, n, n->name[0] == 'l' ? &conn->local :
				       &conn->remote, n->name[0] == 'r'))
				return -1;
		} else if (!strcmp(n->name, "children")) {
			if (need_section(c, n) || parse_children(c, n, conn))
				return -1;
		} else if (!n->value) {
			unknown(c, n);
		} else if (!strcmp(n->name, "version")) {
			if (!strcmp(n->value, "1"))
				return fail(c, n, "esptund does IKEv2 only (version = 2)");
			if (strcmp(n->value, "0") && strcmp(n->value, "2"))
				return fail(c, n, "'%s': use 2 (or 0, any)",
					    n->value);
			conn->version = n->value[0] - '0';
		} else if (!strcmp(n->name, "local_addrs") ||
			   !strcmp(n->name, "remote_addrs")) {
			struct conf_addrs *a = n->name[0] == 'l' ?
					       &conn->local_addrs :
					       &conn->remote_addrs;

			conf_addrs_free(a);
			if (conf_parse_addrs(n->value, a, c->err))
				return value_fail(c, n);
		} else if (!strcmp(n->name, "local_port")) {
			if (parse_port(c, n, &conn->local_port))
				return -1;
		} else if (!strcmp(n->name, "remote_port")) {
			if (parse_port(c, n, &conn->remote_port))
				return -1;
		} else if (!strcmp(n->name, "proposals")) {
			if (parse_proposals(c, n, IKEV2_PROTO_IKE, &conn->ike))
				return -1;
		} else if (!strcmp(n->name, "rekey_time")) {
			if (conf_parse_duration(n->value, &conn->rekey_time,
						c->err))
				return value_fail(c, n);
		} else {
			unknown(c, n);
		}
	}
	if (!conn->local_addrs.n &&
	    conf_parse_addrs("%any", &conn->local_addrs, c->err))
		return value_fail(c, sec);
	if (!conn->remote_addrs.n &&
	    conf_parse_addrs("%any", &conn->remote_addrs, c->err))
		return value_fail(c, sec);
	if (!conn->ike.n &&
	    proposal_list_parse(NULL, IKEV2_PROTO_IKE, &conn->ike, c->err))
		return value_fail(c, sec);
	return 0;
}

static void auth_free(struct conf_auth *a)
{
	free(a->auth);
	conf_id_free(&a->id);
	conf_strs_free(&a->certs);
	conf_strs_free(&a->cacerts);
}

static void conn_free(struct conf_conn *conn)
{
	size_t i;

	free(conn->name);
	conf_addrs_free(&conn->local_addrs);
	conf_addrs_free(&conn->remote_addrs);
	proposal_list_free(&conn->ike);
	auth_free(&conn->local);
	auth_free(&conn->remote);
	for (i = 0; i < conn->n_children; i++)
		child_free(&conn->children[i]);
	free(conn->children);
}

static int parse_connections(struct ctx *c, const struct set_node *sec,
			     struct config *cfg)
{
	const struct set_node *n;
	struct conf_conn *v;

	for (n = sec->child; n; n = n->next) {
		if (need_section(c, n))
			return -1;
		v = realloc(cfg->conns, (cfg->n_conns + 1) * sizeof(*v));
		if (!v)
			return fail(c, n, "out of memory");
		cfg->conns = v;
		memset(&v[cfg->n_conns], 0, sizeof(*v));
		cfg->n_conns++;
		if (parse_conn(c, n, &v[cfg->n_conns - 1]))
			return -1;
	}
	return 0;
}

static int parse_secret(struct ctx *c, const struct set_node *sec,
			struct conf_secret *s)
{
	const struct set_node *n, *secret = NULL;
	struct conf_id *ids;
	bool ike = s->type == CONF_SECRET_IKE;

	s->line = sec->line;
	s->name = strdup(sec->name);
	if (!s->name)
		return fail(c, sec, "out of memory");
	for (n = sec->child; n; n = n->next) {
		if (!n->value) {
			unknown(c, n);
		} else if (!strcmp(n->name, "secret")) {
			if (s->data) {
				explicit_bzero(s->data, s->len);
				free(s->data);
			}
			if (conf_parse_secret(n->value, &s->data, &s->len,
					      c->err))
				return value_fail(c, n);
			secret = n;
		} else if (ike && !strncmp(n->name, "id", 2)) {
			ids = realloc(s->ids, (s->n_ids + 1) * sizeof(*ids));
			if (!ids)
				return fail(c, n, "out of memory");
			s->ids = ids;
			if (conf_parse_id(n->value, &ids[s->n_ids], c->err))
				return value_fail(c, n);
			s->n_ids++;
		} else if (!ike && !strcmp(n->name, "file")) {
			if (dup_str(c, n, &s->file))
				return -1;
		} else {
			unknown(c, n);
		}
	}
	if (ike && !secret)
		return fail(c, sec, "no secret: add `secret = ...` (text, 0x hex or 0s base64)");
	if (!ike && !s->file)
		return fail(c, sec, "no file: add `file = KEY.pem` (in /etc/swanctl/private)");
	return 0;
}

static void secret_free(struct conf_secret *s)
{
	size_t i;

	free(s->name);
	for (i = 0; i < s->n_ids; i++)
		conf_id_free(&s->ids[i]);
	free(s->ids);
	if (s->data) {
		explicit_bzero(s->data, s->len);
		free(s->data);
	}
	free(s->file);
}

static int parse_secrets(struct ctx *c, const struct set_node *sec,
			 struct config *cfg)
{
	static const struct {
		const char *prefix;
		int type;	/* -1: warn and skip */
	} kinds[] = {
		{ "ike", CONF_SECRET_IKE }, { "private", CONF_SECRET_PRIVATE },
		{ "rsa", CONF_SECRET_PRIVATE }, { "ecdsa", CONF_SECRET_PRIVATE },
		{ "pkcs8", CONF_SECRET_PRIVATE }, { "eap", -1 }, { "xauth", -1 },
		{ "ntlm", -1 }, { "pkcs12", -1 }, { "token", -1 },
		{ "ppk", -1 },
	};
	const struct set_node *n;
	struct conf_secret *v;
	size_t i;

	for (n = sec->child; n; n = n->next) {
		if (need_section(c, n))
			return -1;
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (!strncmp(n->name, kinds[i].prefix,
				     strlen(kinds[i].prefix)))
				break;
		if (i == sizeof(kinds) / sizeof(kinds[0])) {
			warn(c, n, "unknown kind of secret (esptund reads ike-* and private-*), ignored");
			continue;
		}
		if (kinds[i].type < 0) {
			warn(c, n, "ignored; esptund uses ike-* (PSK) and private-* secrets only");
			continue;
		}
		v = realloc(cfg->secrets, (cfg->n_secrets + 1) * sizeof(*v));
		if (!v)
			return fail(c, n, "out of memory");
		cfg->secrets = v;
		memset(&v[cfg->n_secrets], 0, sizeof(*v));
		v[cfg->n_secrets].type = kinds[i].type;
		cfg->n_secrets++;
		if (parse_secret(c, n, &v[cfg->n_secrets - 1]))
			return -1;
	}
	return 0;
}

static void warn_cb(void *arg, const char *msg)
{
	struct ctx *c = arg;

	if (c->warn)
		c->warn(c->arg, msg);
}

int config_load_text(const char *file, const char *text, size_t len,
		     struct config *out, conf_warn_fn warn_fn, void *arg,
		     char *err)
{
	struct ctx c = { file, err, warn_fn, arg };
	struct set_node *root, *n;
	int r = 0;

	memset(out, 0, sizeof(*out));
	err[0] = 0;
	root = settings_parse(file, text, len, warn_cb, &c, err);
	if (!root)
		return -1;
	for (n = root->child; n && !r; n = n->next) {
		if (!strcmp(n->name, "connections"))
			r = need_section(&c, n) ?: parse_connections(&c, n, out);
		else if (!strcmp(n->name, "secrets"))
			r = need_section(&c, n) ?: parse_secrets(&c, n, out);
		else
			unknown(&c, n);
	}
	settings_free(root);
	if (r)
		config_free(out);
	return r;
}

int config_load_file(const char *path, struct config *out,
		     conf_warn_fn warn_fn, void *arg, char *err)
{
	char *text = malloc(MAX_CONFIG_FILE + 1);
	size_t len = 0, n;
	FILE *f;
	int r;

	memset(out, 0, sizeof(*out));
	if (!text) {
		snprintf(err, CONF_ERR_LEN, "%s: out of memory", path);
		return -1;
	}
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, CONF_ERR_LEN, "%s: %s", path, strerror(errno));
		free(text);
		return -1;
	}
	while ((n = fread(text + len, 1, MAX_CONFIG_FILE + 1 - len, f)) > 0)
		len += n;
	r = ferror(f);
	fclose(f);
	if (r || len > MAX_CONFIG_FILE) {
		snprintf(err, CONF_ERR_LEN, "%s: %s", path,
			 r ? "read error" : "larger than 1 MiB");
		r = -1;
	} else {
		r = config_load_text(path, text, len, out, warn_fn, arg, err);
	}
	explicit_bzero(text, len);	/* it holds the secrets */
	free(text);
	return r;
}

void config_free(struct config *c)
{
	size_t i;

	for (i = 0; i < c->n_conns; i++)
		conn_free(&c->conns[i]);
	free(c->conns);
	for (i = 0; i < c->n_secrets; i++)
		secret_free(&c->secrets[i]);
	free(c->secrets);
	memset(c, 0, sizeof(*c));
}

const struct conf_conn *config_find_conn(const struct config *c,
					 const char *name)
{
	size_t i;

	for (i = 0; i < c->n_conns; i++)
		if (!strcmp(c->conns[i].name, name))
			return &c->conns[i];
	return NULL;
}
