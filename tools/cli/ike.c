// SPDX-License-Identifier: GPL-2.0
/*
 * esptun ike load|initiate|terminate|list: talks to esptund over its
 * control socket (newline-delimited JSON, Documentation/esptund.rst) and
 * prints the answers, `list` in the manner of `swanctl --list-sas`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "../lib/json.h"
#include "../lib/jsonp.h"
#include "cli.h"

#define IKE_DEFAULT_SOCKET	"/run/esptund.sock"
#define IKE_ANSWER_MAX		(16u << 20)
#define IKE_TIMEOUT_S		60

static int ike_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = IKE_TIMEOUT_S };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		cli_err("ike: socket path %s is too long", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		cli_err("ike: socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int e = errno;

		close(fd);
		if (e == EACCES || e == EPERM)
			cli_err("cannot connect to %s: %s: the socket is root's (mode 0600); run `esptun ike` as root",
				path, strerror(e));
		else if (!strcmp(path, IKE_DEFAULT_SOCKET))
			cli_err("cannot connect to %s: %s: is esptund running? start it with `esptund -c FILE`, or name the socket it uses with `esptun ike -s SOCKET`",
				path, strerror(e));
		else
			cli_err("cannot connect to %s: %s: is esptund running with this socket? start it with `esptund -c FILE -s %s`",
				path, strerror(e), path);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Sends one request line; reads the one-line answer into *answer. */
static int ike_call(const char *path, const char *cmd, const char *key,
		    const char *val, struct jv *answer)
{
	char *req = NULL, *buf = NULL, jerr[JSONP_ERR_LEN];
	size_t reqlen = 0, len = 0, cap = 0, off;
	struct json j;
	ssize_t n;
	FILE *f;
	int fd, ret = -1;

	f = open_memstream(&req, &reqlen);
	if (!f) {
		cli_err("ike: out of memory");
		return -1;
	}
	json_init(&j, f, false);
	json_begin_object(&j);
	json_key(&j, "command");
	json_string(&j, cmd);
	if (key) {
		json_key(&j, key);
		json_string(&j, val);
	}
	json_end_object(&j);
	json_finish(&j);
	if (fclose(f)) {
		free(req);
		cli_err("ike: out of memory");
		return -1;
	}
	fd = ike_connect(path);
	if (fd < 0) {
		free(req);
		return -1;
	}
	for (off = 0; off < reqlen; off += (size_t)n) {
		n = send(fd, req + off, reqlen - off, MSG_NOSIGNAL);
		if (n <= 0) {
			cli_err("ike: sending to esptund: %s",
				n ? strerror(errno) : "connection closed");
			goto out;
		}
	}
	for (;;) {
		char *nl;

		if (len == cap) {
			char *nb;

			if (cap >= IKE_ANSWER_MAX) {
				cli_err("ike: esptund's answer is larger than %u bytes",
					IKE_ANSWER_MAX);
				goto out;
			}
			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				cli_err("ike: out of memory");
				goto out;
			}
			buf = nb;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cli_err("ike: reading esptund's answer: %s",
				n ? (errno == EAGAIN ? "timed out" :
				     strerror(errno)) :
				"esptund closed the connection");
			goto out;
		}
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
		if (nl) {
			len = (size_t)(nl - buf);
			break;
		}
	}
	if (jv_parse(buf, len, answer, jerr, sizeof(jerr))) {
		cli_err("ike: esptund's answer is not JSON (%s); are esptun and esptund from the same release?",
			jerr);
		goto out;
	}
	if (answer->type != JV_OBJ) {
		jv_free(answer);
		cli_err("ike: esptund's answer is not a JSON object; are esptun and esptund from the same release?");
		goto out;
	}
	ret = 0;
out:
	close(fd);
	free(req);
	free(buf);
	return ret;
}

/* 0 if the answer says ok, else 1 after printing its error. */
static int answer_status(const char *what, const struct jv *a)
{
	const struct jv *ok = jv_get(a, "ok");
	const char *e = jv_str(a, "error");

	if (ok && ok->type == JV_BOOL && ok->b)
		return 0;
	cli_err("ike %s: %s", what, e ? e : "esptund refused (no reason given)");
	return 1;
}

/* -j: the answer as JSON again, through the writer. */
static void write_jv(struct json *j, const struct jv *v)
{
	size_t i;

	switch (v->type) {
	case JV_NULL: json_null(j); break;
	case JV_BOOL: json_bool(j, v->b); break;
	case JV_NUM: json_number_text(j, v->s); break;
	case JV_STR: json_string_len(j, v->s, v->len); break;
	case JV_ARR:
		json_begin_array(j);
		for (i = 0; i < v->n; i++)
			write_jv(j, &v->v[i]);
		json_end_array(j);
		break;
	case JV_OBJ:
		json_begin_object(j);
		for (i = 0; i < v->n; i++) {
			json_key(j, v->keys[i]);
			write_jv(j, &v->v[i]);
		}
		json_end_object(j);
		break;
	}
}

static const char *s_or(const struct jv *o, const char *key, const char *def)
{
	const char *s = jv_str(o, key);

	return s && *s ? s : def;
}

static void print_time(const char *what, const struct jv *o, const char *key)
{
	const struct jv *v = jv_get(o, key);

	if (v && v->type == JV_NUM && v->is_u64)
		printf("%s%llus", what, (unsigned long long)v->u);
}

static void print_ts(const char *side, const struct jv *ts)
{
	size_t i;

	printf("    %-6s", side);
	if (!ts || ts->type != JV_ARR || !ts->n)
		printf(" (none)");
	for (i = 0; ts && ts->type == JV_ARR && i < ts->n; i++)
		if (ts->v[i].type == JV_STR)
			printf(" %s", ts->v[i].s);
	printf("\n");
}

static void print_child(const struct jv *c)
{
	const struct jv *enc = jv_get(c, "encap");
	bool counters = jv_get(c, "bytes_in") != NULL;

	printf("  %s: %s, %s, %s%s\n", s_or(c, "name", "?"),
	       s_or(c, "state", "?"), s_or(c, "interface", "-"),
	       enc && enc->type == JV_BOOL && enc->b ? "ESP in UDP, " : "",
	       s_or(c, "algorithms", "-"));
	/* Ages and counters come from the kernel's SAs: installed ones. */
	if (counters) {
		printf("   ");
		print_time(" installed ", c, "age");
		print_time(", rekeying in ", c, "rekey_in");
		printf("\n");
	}
	if (counters) {
		printf("    in  %s, %llu bytes, %llu packets\n",
		       s_or(c, "spi_in", "-"),
		       (unsigned long long)jv_u64(c, "bytes_in", 0),
		       (unsigned long long)jv_u64(c, "packets_in", 0));
		printf("    out %s, %llu bytes, %llu packets\n",
		       s_or(c, "spi_out", "-"),
		       (unsigned long long)jv_u64(c, "bytes_out", 0),
		       (unsigned long long)jv_u64(c, "packets_out", 0));
	} else {
		printf("    in  %s\n    out %s\n", s_or(c, "spi_in", "-"),
		       s_or(c, "spi_out", "-"));
	}
	print_ts("local", jv_get(c, "local_ts"));
	print_ts("remote", jv_get(c, "remote_ts"));
	if (jv_str(c, "last_error"))
		printf("    last error: %s\n", jv_str(c, "last_error"));
}

static void print_ike(const struct jv *s)
{
	const struct jv *init = jv_get(s, "initiator"), *ch;
	bool i = init && init->type == JV_BOOL && init->b;
	size_t k;

	printf("%s: %s, IKEv2, %s_i%s %s_r%s\n", s_or(s, "name", "?"),
	       s_or(s, "state", "?"), s_or(s, "spi_i", "-"), i ? "*" : "",
	       s_or(s, "spi_r", "-"), i ? "" : "*");
	printf("  local  '%s' @ %s\n", s_or(s, "local_id", "%any"),
	       s_or(s, "local", "-"));
	printf("  remote '%s' @ %s\n", s_or(s, "remote_id", "%any"),
	       s_or(s, "remote", "-"));
	if (jv_str(s, "algorithms") && *jv_str(s, "algorithms"))
		printf("  %s\n", jv_str(s, "algorithms"));
	printf(" ");
	print_time(strcmp(s_or(s, "state", ""), "ESTABLISHED") ?
		   " created " : " established ", s, "age");
	print_time(", rekeying in ", s, "rekey_in");
	printf("\n");
	if (jv_str(s, "last_error"))
		printf("  last error: %s\n", jv_str(s, "last_error"));
	ch = jv_get(s, "children");
	for (k = 0; ch && ch->type == JV_ARR && k < ch->n; k++)
		print_child(&ch->v[k]);
}

static int ike_usage_err(const char *msg)
{
	return cli_usage_err(&cli_cmd_ike, "%s", msg);
}

static int ike_run(const struct cli_opts *opts, int argc, char **argv)
{
	const char *path = opts->socket ? opts->socket : IKE_DEFAULT_SOCKET;
	const char *cmd, *key = NULL, *val = NULL;
	const struct jv *sas;
	struct jv a;
	size_t i;
	int ret;

	if (argc < 1)
		return ike_usage_err("missing command: load, initiate, terminate or list");
	cmd = argv[0];
	if (!strcmp(cmd, "load") || !strcmp(cmd, "list")) {
		if (argc > 1)
			return ike_usage_err("unexpected argument after the command");
	} else if (!strcmp(cmd, "initiate") || !strcmp(cmd, "terminate")) {
		if (argc != 2)
			return ike_usage_err(cmd[0] == 'i' ?
					     "initiate takes one CHILD name" :
					     "terminate takes one NAME");
		key = cmd[0] == 'i' ? "child" : "name";
		val = argv[1];
	} else {
		cli_err("ike: unknown command \"%s\"; `esptun ike --help` lists them",
			cmd);
		return EXIT_USAGE;
	}
	if (opts->json && strcmp(cmd, "list"))
		return ike_usage_err("-j is for `esptun ike list`");
	if (ike_call(path, cmd, key, val, &a))
		return 1;
	ret = answer_status(cmd, &a);
	if (ret) {
		jv_free(&a);
		return ret;
	}
	if (!strcmp(cmd, "list")) {
		sas = jv_get(&a, "ike_sas");
		if (opts->json) {
			struct json j;

			json_init(&j, stdout, opts->pretty);
			write_jv(&j, sas ? sas : &a);
			json_finish(&j);
		} else {
			for (i = 0; sas && sas->type == JV_ARR && i < sas->n;
			     i++)
				print_ike(&sas->v[i]);
		}
	} else if (jv_str(&a, "message")) {
		printf("%s\n", jv_str(&a, "message"));
	}
	jv_free(&a);
	if (fflush(stdout) || ferror(stdout)) {
		cli_err("ike: writing the output failed");
		return 1;
	}
	return 0;
}

const struct cli_cmd cli_cmd_ike = {
	.name = "ike",
	.summary = "control esptund, the IKEv2 daemon",
	.usage =
	"Usage: esptun ike [-s SOCKET] load\n"
	"       esptun ike [-s SOCKET] initiate CHILD\n"
	"       esptun ike [-s SOCKET] terminate NAME\n"
	"       esptun ike [-s SOCKET] list [-j [-p]]\n"
	"\n"
	"Talk to esptund, the IKEv2 daemon, over its control socket\n"
	"(Documentation/esptund.rst).\n"
	"\n"
	"  load            esptund reads its configuration file again; a file\n"
	"                  with an error is refused (FILE:LINE) and the one in\n"
	"                  use stays\n"
	"  initiate CHILD  start the child CHILD and the IKE SA of its\n"
	"                  connection; follow it with `list`\n"
	"  terminate NAME  delete the IKE SAs of connection NAME, or the\n"
	"                  Child SA of child NAME (its IKE SA stays)\n"
	"  list            the IKE SAs and their Child SAs, as\n"
	"                  `swanctl --list-sas` shows them: peers, IDs,\n"
	"                  algorithms, SPIs, selectors, state, age, time to\n"
	"                  rekey, counters, last error\n"
	"\n"
	"  -s, --socket SOCKET  esptund's control socket, as given to\n"
	"                       `esptund -s` (default " IKE_DEFAULT_SOCKET ")\n"
	"  -j, --json           list: the IKE SAs as a JSON array\n"
	"  -p, --pretty         indent the JSON\n"
	"\n"
	"The socket is mode 0600: run as esptund's user, normally root.\n"
	"Exit status: 0 success, 1 esptund refused or is not running,\n"
	"2 bad usage.\n",
	.run = ike_run,
	.takes_socket = true,
};
