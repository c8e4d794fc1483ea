// SPDX-License-Identifier: GPL-2.0
/*
 * esptund control protocol: one JSON object per line in each direction.
 * Requests are parsed strictly (known keys only, bounded sizes), answers
 * are written with the tools' JSON writer so that they always parse.
 * No I/O of its own: ctl.c feeds it lines and sends what it writes.
 */
#include <stdlib.h>
#include <string.h>

#include "../lib/json.h"
#include "../lib/jsonp.h"
#include "ctl.h"

static const struct {
	const char *name;
	enum ctl_cmd cmd;
	const char *arg;	/* the member naming the target, or NULL */
} ctl_cmds[] = {
	{ "load",	CTL_CMD_LOAD,		NULL },
	{ "initiate",	CTL_CMD_INITIATE,	"child" },
	{ "terminate",	CTL_CMD_TERMINATE,	"name" },
	{ "list",	CTL_CMD_LIST,		NULL },
};

#define N_CMDS (sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

static int req_err(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

/* A name: 1 to CTL_NAME_MAX bytes, no control characters or spaces. */
static bool valid_name(const struct jv *v)
{
	size_t i;

	if (v->type != JV_STR || v->len == 0 || v->len > CTL_NAME_MAX)
		return false;
	for (i = 0; i < v->len; i++)
		if ((unsigned char)v->s[i] <= 0x20 || v->s[i] == 0x7f)
			return false;
	return true;
}

int ctl_parse_request(const char *line, size_t len, struct ctl_req *req,
		      char *err, size_t errlen)
{
	char jerr[JSONP_ERR_LEN];
	const struct jv *cmd, *arg;
	struct jv v;
	size_t i, k;
	int ret = -1;

	memset(req, 0, sizeof(*req));
	if (len > CTL_LINE_MAX)
		return req_err(err, errlen,
			       "request too long (at most 4096 bytes per line)");
	if (memchr(line, '\n', len))
		return req_err(err, errlen, "one request per line");
	if (jv_parse(line, len, &v, jerr, sizeof(jerr))) {
		snprintf(err, errlen, "request is not JSON: %s", jerr);
		return -1;
	}
	if (v.type != JV_OBJ) {
		req_err(err, errlen,
			"a request is a JSON object such as {\"command\":\"list\"}");
		goto out;
	}
	cmd = jv_get(&v, "command");
	if (!cmd || cmd->type != JV_STR) {
		req_err(err, errlen,
			"missing \"command\": load, initiate, terminate or list");
		goto out;
	}
	for (i = 0; i < N_CMDS; i++)
		if (!strcmp(cmd->s, ctl_cmds[i].name))
			break;
	if (i == N_CMDS) {
		snprintf(err, errlen,
			 "unknown command \"%.*s\": load, initiate, terminate or list",
			 CTL_NAME_MAX, cmd->s);
		goto out;
	}
	req->cmd = ctl_cmds[i].cmd;
	for (k = 0; k < v.n; k++) {
		if (strcmp(v.keys[k], "command") &&
		    (!ctl_cmds[i].arg || strcmp(v.keys[k], ctl_cmds[i].arg))) {
			snprintf(err, errlen, "%s: unknown member \"%.*s\"",
				 ctl_cmds[i].name, CTL_NAME_MAX, v.keys[k]);
			goto out;
		}
	}
	if (ctl_cmds[i].arg) {
		arg = jv_get(&v, ctl_cmds[i].arg);
		if (!arg) {
			snprintf(err, errlen, "%s: missing \"%s\"",
				 ctl_cmds[i].name, ctl_cmds[i].arg);
			goto out;
		}
		if (!valid_name(arg)) {
			snprintf(err, errlen,
				 "%s: \"%s\" must be a name of 1 to %d characters without spaces",
				 ctl_cmds[i].name, ctl_cmds[i].arg,
				 CTL_NAME_MAX);
			goto out;
		}
		memcpy(req->name, arg->s, arg->len + 1);
	}
	ret = 0;
out:
	jv_free(&v);
	if (ret)
		memset(req, 0, sizeof(*req));
	return ret;
}

void ctl_write_ok(FILE *f, const char *message)
{
	struct json j;

	json_init(&j, f, false);
	json_begin_object(&j);
	json_key(&j, "ok");
	json_bool(&j, true);
	if (message && *message) {
		json_key(&j, "message");
		json_string(&j, message);
	}
	json_end_object(&j);
	json_finish(&j);
}

void ctl_write_error(FILE *f, const char *message)
{
	struct json j;

	json_init(&j, f, false);
	json_begin_object(&j);
	json_key(&j, "ok");
	json_bool(&j, false);
	json_key(&j, "error");
	json_string(&j, message);
	json_end_object(&j);
	json_finish(&j);
}

/* A fixed-size field from the provider: never read past its end. */
static void str_field(struct json *j, const char *key, const char *s,
		      size_t size)
{
	json_key(j, key);
	json_string_len(j, s, strnlen(s, size));
}

#define STR(j, key, field) str_field(j, key, field, sizeof(field))

static void ts_list(struct json *j, const char *key, char (*ts)[CTL_STR],
		    size_t n)
{
	size_t i;

	json_key(j, key);
	json_begin_array(j);
	for (i = 0; i < n && i < CTL_TS_MAX; i++)
		json_string_len(j, ts[i], strnlen(ts[i], CTL_STR));
	json_end_array(j);
}

static void write_child(struct json *j, const struct ctl_child *c)
{
	char spi[16];

	json_begin_object(j);
	STR(j, "name", c->name);
	STR(j, "state", c->state);
	STR(j, "interface", c->ifname);
	/* SPIs as hex strings, as swanctl and `esptun sa` show them */
	snprintf(spi, sizeof(spi), "%08x", c->spi_in);
	json_key(j, "spi_in");
	json_string(j, spi);
	snprintf(spi, sizeof(spi), "%08x", c->spi_out);
	json_key(j, "spi_out");
	json_string(j, spi);
	json_key(j, "encap");
	json_bool(j, c->encap);
	STR(j, "algorithms", c->algs);
	ts_list(j, "local_ts", (char (*)[CTL_STR])c->local_ts,
		c->n_local_ts);
	ts_list(j, "remote_ts", (char (*)[CTL_STR])c->remote_ts,
		c->n_remote_ts);
	json_key(j, "age");
	json_u64(j, c->age);
	if (c->rekey_set) {
		json_key(j, "rekey_in");
		json_u64(j, c->rekey_in);
	}
	if (c->counters) {
		json_key(j, "bytes_in");
		json_u64(j, c->bytes_in);
		json_key(j, "bytes_out");
		json_u64(j, c->bytes_out);
		json_key(j, "packets_in");
		json_u64(j, c->packets_in);
		json_key(j, "packets_out");
		json_u64(j, c->packets_out);
	}
	if (c->last_error[0])
		STR(j, "last_error", c->last_error);
	json_end_object(j);
}

static void write_ike(struct json *j, const struct ctl_ike *s)
{
	char spi[24];
	size_t i;

	json_begin_object(j);
	STR(j, "name", s->name);
	STR(j, "state", s->state);
	STR(j, "local", s->local);
	STR(j, "remote", s->remote);
	STR(j, "local_id", s->local_id);
	STR(j, "remote_id", s->remote_id);
	snprintf(spi, sizeof(spi), "%016llx", (unsigned long long)s->spi_i);
	json_key(j, "spi_i");
	json_string(j, spi);
	snprintf(spi, sizeof(spi), "%016llx", (unsigned long long)s->spi_r);
	json_key(j, "spi_r");
	json_string(j, spi);
	json_key(j, "initiator");
	json_bool(j, s->initiator);
	STR(j, "algorithms", s->algs);
	json_key(j, "age");
	json_u64(j, s->age);
	if (s->rekey_set) {
		json_key(j, "rekey_in");
		json_u64(j, s->rekey_in);
	}
	if (s->last_error[0])
		STR(j, "last_error", s->last_error);
	json_key(j, "children");
	json_begin_array(j);
	for (i = 0; i < s->n_children; i++)
		write_child(j, &s->children[i]);
	json_end_array(j);
	json_end_object(j);
}

void ctl_write_list(FILE *f, const struct ctl_list *l)
{
	struct json j;
	size_t i;

	json_init(&j, f, false);
	json_begin_object(&j);
	json_key(&j, "ok");
	json_bool(&j, true);
	json_key(&j, "ike_sas");
	json_begin_array(&j);
	for (i = 0; i < l->n; i++)
		write_ike(&j, &l->v[i]);
	json_end_array(&j);
	json_end_object(&j);
	json_finish(&j);
}

void ctl_dispatch(const struct ctl_ops *ops, void *arg, const char *line,
		  size_t len, FILE *out)
{
	char err[CTL_ERR_LEN] = "", msg[CTL_ERR_LEN] = "";
	struct ctl_list l = { 0 };
	struct ctl_req req;
	int ret;

	if (ctl_parse_request(line, len, &req, err, sizeof(err))) {
		ctl_write_error(out, err);
		return;
	}
	switch (req.cmd) {
	case CTL_CMD_LOAD:
		if (!ops->load)
			goto unsupported;
		ret = ops->load(arg, msg, err);
		break;
	case CTL_CMD_INITIATE:
		if (!ops->initiate)
			goto unsupported;
		ret = ops->initiate(arg, req.name, err);
		break;
	case CTL_CMD_TERMINATE:
		if (!ops->terminate)
			goto unsupported;
		ret = ops->terminate(arg, req.name, err);
		break;
	case CTL_CMD_LIST:
		if (!ops->list)
			goto unsupported;
		ret = ops->list(arg, &l, err);
		if (!ret)
			ctl_write_list(out, &l);
		if (ops->list_free)
			ops->list_free(arg, &l);
		if (!ret)
			return;
		break;
	default:
		goto unsupported;
	}
	err[sizeof(err) - 1] = '\0';
	msg[sizeof(msg) - 1] = '\0';
	if (ret)
		ctl_write_error(out, err[0] ? err : "failed (no reason given)");
	else
		ctl_write_ok(out, msg);
	return;
unsupported:
	snprintf(msg, sizeof(msg), "%s: not supported by this esptund version",
		 ctl_cmds[req.cmd - 1].name);
	ctl_write_error(out, msg);
}
