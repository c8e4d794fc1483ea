// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of esptund's control protocol (daemon/ctl_proto.c, ctl.c) and
 * the JSON reader under it (lib/jsonp.c): requests well formed, malformed
 * and oversized; answers parsed back; a round trip over a real UNIX
 * socket in a temporary directory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../daemon/ctl.h"
#include "../daemon/loop.h"
#include "../lib/jsonp.h"
#include "tap.h"

/* s shortened to one printable line, for the TAP descriptions */
static const char *clean(const char *s)
{
	static char buf[4][96];
	static int k;
	char *o = buf[k++ % 4];
	size_t i;

	for (i = 0; s[i] && i < sizeof(buf[0]) - 1; i++)
		o[i] = (unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f ?
		       '?' : s[i];
	o[i] = '\0';
	return o;
}

static int parse(const char *s, struct ctl_req *r, char *err)
{
	return ctl_parse_request(s, strlen(s), r, err, CTL_ERR_LEN);
}

static void test_good(void)
{
	char err[CTL_ERR_LEN];
	struct ctl_req r;

	check(!parse("{\"command\":\"list\"}", &r, err) &&
	      r.cmd == CTL_CMD_LIST, "list");
	check(!parse(" { \"command\" : \"load\" } \r", &r, err) &&
	      r.cmd == CTL_CMD_LOAD, "load with whitespace");
	check(!parse("{\"child\":\"net-net\",\"command\":\"initiate\"}", &r,
		     err) && r.cmd == CTL_CMD_INITIATE &&
	      !strcmp(r.name, "net-net"), "initiate, members in any order");
	check(!parse("{\"command\":\"terminate\",\"name\":\"h\\u00e9\"}", &r,
		     err) && r.cmd == CTL_CMD_TERMINATE &&
	      !strcmp(r.name, "h\xc3\xa9"), "terminate, \\u escape decoded");
}

static void bad(const char *s, const char *want)
{
	char err[CTL_ERR_LEN] = "";
	struct ctl_req r;
	int ret = ctl_parse_request(s, strlen(s), &r, err, sizeof(err));

	check(ret == -1 && r.cmd == 0 && strstr(err, want),
	      "refused %.40s: \"%s\"", clean(s), clean(err));
}

static void test_bad(void)
{
	char name[CTL_NAME_MAX + 64], *big;
	size_t i;

	bad("", "not JSON");
	bad("list", "not JSON");
	bad("[\"list\"]", "JSON object");
	bad("{\"command\":\"list\"", "expected");
	bad("{\"command\":\"list\"}x", "trailing");
	bad("{\"command\":\"list\"}{}", "trailing");
	bad("{\"command\":\"list\",}", "expected a key");
	bad("{\"command\":\"lis\\u0000t\"}", "\\u0000");
	bad("{\"command\":\"list\",\"command\":\"load\"}", "duplicate");
	bad("{\"command\":1}", "missing \"command\"");
	bad("{}", "missing \"command\"");
	bad("{\"command\":\"reboot\"}", "unknown command");
	bad("{\"command\":\"list\",\"child\":\"x\"}", "unknown member");
	bad("{\"command\":\"initiate\"}", "missing \"child\"");
	bad("{\"command\":\"initiate\",\"child\":\"\"}", "must be a name");
	bad("{\"command\":\"initiate\",\"child\":\"a b\"}", "must be a name");
	bad("{\"command\":\"initiate\",\"child\":7}", "must be a name");
	bad("{\"command\":\"terminate\",\"name\":\"a\\nb\"}", "must be a name");
	bad("{\"command\":\"list\xff\"}", "UTF-8");
	bad("{\"command\":\"\xed\xa0\x80\"}", "UTF-8");
	bad("{\"command\":\"\\ud800\"}", "surrogate");
	bad("{\"command\":\"\\x\"}", "bad escape");
	bad("{\"command\":\"\\u12\"}", "escape");
	bad("{\"command\":\"a\tb\"}", "control character");
	bad("{\"command\":01}", "expected");
	bad("{\"command\":-}", "bad number");
	bad("{\"command\":tru}", "not JSON");
	bad("{\"command\":\"list\"}\n{\"command\":\"list\"}", "one request");

	memset(name, 'a', sizeof(name));
	snprintf(name, sizeof(name), "{\"command\":\"initiate\",\"child\":\"");
	i = strlen(name);
	memset(name + i, 'a', CTL_NAME_MAX + 1);
	strcpy(name + i + CTL_NAME_MAX + 1, "\"}");
	bad(name, "must be a name");

	/* nesting */
	big = malloc(CTL_LINE_MAX + 2);
	if (!big)
		abort();
	memset(big, '[', 100);
	big[100] = '\0';
	bad(big, "nested deeper");
	/* longer than a line */
	memset(big, ' ', CTL_LINE_MAX + 1);
	memcpy(big, "{\"command\":\"list\"}", 18);
	big[CTL_LINE_MAX + 1] = '\0';
	bad(big, "too long");
	free(big);
}

static bool answer_is(const char *text, size_t len, bool ok,
		      const char *key, const char *val)
{
	char jerr[JSONP_ERR_LEN];
	const struct jv *o;
	struct jv v;
	bool ret;

	if (!len || text[len - 1] != '\n' || memchr(text, '\n', len - 1))
		return false;
	if (jv_parse(text, len, &v, jerr, sizeof(jerr)))
		return false;
	o = jv_get(&v, "ok");
	ret = o && o->type == JV_BOOL && o->b == ok &&
	      (!key || (jv_str(&v, key) && strstr(jv_str(&v, key), val)));
	jv_free(&v);
	return ret;
}

static void test_write(void)
{
	struct ctl_child c = { .name = "net", .state = "INSTALLED",
			       .ifname = "esp0", .spi_in = 0xc1234567,
			       .spi_out = 0x100, .algs = "AES_GCM_16_256",
			       .n_local_ts = 1, .n_remote_ts = 2,
			       .local_ts = { "10.1.0.0/16" },
			       .remote_ts = { "10.2.0.0/16", "fd00::/8" },
			       .age = 5, .rekey_set = true, .rekey_in = 3000,
			       .counters = true, .bytes_in = 1ull << 40 };
	struct ctl_ike s = { .name = "home", .state = "ESTABLISHED",
			     .local = "192.0.2.1[4500]",
			     .remote = "198.51.100.2[4500]",
			     .local_id = "moon \"quoted\"", .spi_i = 1,
			     .spi_r = 0xffffffffffffffffull, .initiator = true,
			     .n_children = 1, .children = &c };
	struct ctl_list l = { .n = 1, .v = &s };
	char *out = NULL, jerr[JSONP_ERR_LEN];
	const struct jv *sas, *ch;
	size_t len = 0;
	struct jv v;
	FILE *f;

	/* A field without its NUL must not be read past its end. */
	memset(c.last_error, 'x', sizeof(c.last_error));
	f = open_memstream(&out, &len);
	ctl_write_list(f, &l);
	fclose(f);
	check(!jv_parse(out, len, &v, jerr, sizeof(jerr)), "list answer parses: %s",
	      jerr);
	sas = jv_get(&v, "ike_sas");
	check(sas && sas->type == JV_ARR && sas->n == 1, "one IKE SA");
	if (sas && sas->n == 1) {
		const struct jv *ike = &sas->v[0];

		check(!strcmp(jv_str(ike, "local_id"), "moon \"quoted\"") &&
		      !strcmp(jv_str(ike, "spi_r"), "ffffffffffffffff") &&
		      !strcmp(jv_str(ike, "spi_i"), "0000000000000001"),
		      "IKE SA fields");
		ch = jv_get(ike, "children");
		check(ch && ch->n == 1 &&
		      !strcmp(jv_str(&ch->v[0], "spi_in"), "c1234567") &&
		      jv_u64(&ch->v[0], "bytes_in", 0) == 1ull << 40 &&
		      jv_u64(&ch->v[0], "rekey_in", 0) == 3000 &&
		      jv_get(&ch->v[0], "remote_ts")->n == 2 &&
		      strlen(jv_str(&ch->v[0], "last_error")) ==
		      sizeof(c.last_error), "Child SA fields");
		check(!jv_get(ike, "rekey_in"), "unset rekey time left out");
	}
	jv_free(&v);
	free(out);

	f = open_memstream(&out, &len);
	ctl_write_error(f, "bad \"thing\"\n");
	fclose(f);
	check(answer_is(out, len, false, "error", "bad \"thing\"\n"),
	      "error answer: %s", clean(out));
	free(out);
}

/* Handlers for the dispatch and socket tests. */
static int t_load(void *arg, char *msg, char *err)
{
	(void)arg;
	(void)err;
	snprintf(msg, CTL_ERR_LEN, "loaded 1 connection");
	return 0;
}

static int t_initiate(void *arg, const char *child, char *err)
{
	(void)arg;
	snprintf(err, CTL_ERR_LEN, "no child %s in the configuration", child);
	return -1;
}

static int t_list(void *arg, struct ctl_list *out, char *err)
{
	(void)arg;
	(void)err;
	out->n = 0;
	out->v = NULL;
	return 0;
}

static const struct ctl_ops ops = {
	.load = t_load, .initiate = t_initiate, .list = t_list,
};

static void dispatch(const char *req, bool ok, const char *key,
		     const char *val)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ctl_dispatch(&ops, NULL, req, strlen(req), f);
	fclose(f);
	check(answer_is(out, len, ok, key, val), "%s -> %s", clean(req),
	      clean(out));
	free(out);
}

static void test_dispatch(void)
{
	dispatch("{\"command\":\"load\"}", true, "message", "loaded 1");
	dispatch("{\"command\":\"initiate\",\"child\":\"x\"}", false, "error",
		 "no child x");
	dispatch("{\"command\":\"terminate\",\"name\":\"x\"}", false, "error",
		 "not supported");
	dispatch("{\"command\":\"list\"}", true, NULL, NULL);
	dispatch("{\"command\":", false, "error", "not JSON");
}

/* Reads one answer line from fd, running the loop until it comes. */
static size_t read_answer(struct loop *l, int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int i;

	for (i = 0; i < 50 && (!len || buf[len - 1] != '\n'); i++) {
		loop_once(l, 20);
		n = recv(fd, buf + len, size - len - 1, MSG_DONTWAIT);
		if (n > 0)
			len += (size_t)n;
		if (n == 0)
			break;
	}
	buf[len] = '\0';
	return len;
}

static void test_socket(void)
{
	char dir[] = "/tmp/ctl_testXXXXXX", path[128], err[CTL_ERR_LEN];
	char buf[8192], *big;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct loop l;
	struct ctl *c;
	struct stat st;
	size_t len;
	int fd, fd2;

	if (!mkdtemp(dir)) {
		check(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/esptund.sock", dir);
	loop_init(&l);
	c = ctl_open(&l, path, &ops, NULL, err, sizeof(err));
	check(c != NULL, "ctl_open: %s", c ? "ok" : err);
	if (!c)
		return;
	check(!stat(path, &st) && (st.st_mode & 0777) == 0600,
	      "socket mode 0600");
	check(!ctl_open(&l, path, &ops, NULL, err, sizeof(err)) &&
	      strstr(err, "another esptund"), "second daemon refused: %s", err);

	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	check(!connect(fd, (struct sockaddr *)&sun, sizeof(sun)), "connect");
	/* two requests in one write, the second split over two */
	send(fd, "{\"command\":\"load\"}\n{\"comm", 25, 0);
	len = read_answer(&l, fd, buf, sizeof(buf));
	check(answer_is(buf, len, true, "message", "loaded"), "load answered");
	send(fd, "and\":\"list\"}\r\n", 14, 0);
	len = read_answer(&l, fd, buf, sizeof(buf));
	check(answer_is(buf, len, true, NULL, NULL) &&
	      strstr(buf, "\"ike_sas\":[]"), "list answered: %s", clean(buf));

	/* a line longer than CTL_LINE_MAX: an error, then the end */
	fd2 = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(fd2, (struct sockaddr *)&sun, sizeof(sun));
	big = malloc(CTL_LINE_MAX + 10);
	memset(big, ' ', CTL_LINE_MAX + 10);
	send(fd2, big, CTL_LINE_MAX + 10, MSG_NOSIGNAL);
	free(big);
	len = read_answer(&l, fd2, buf, sizeof(buf));
	check(answer_is(buf, len, false, "error", "too long"),
	      "oversized line refused: %s", clean(buf));
	check(read_answer(&l, fd2, buf, sizeof(buf)) == 0,
	      "and the client dropped");
	close(fd2);

	/* the first client still works */
	send(fd, "{\"command\":\"list\"}\n", 19, 0);
	len = read_answer(&l, fd, buf, sizeof(buf));
	check(answer_is(buf, len, true, NULL, NULL), "first client alive");
	close(fd);
	loop_once(&l, 0);

	ctl_close(c);
	check(stat(path, &st) && errno == ENOENT, "socket file removed");
	/* a stale socket file is replaced */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	c = ctl_open(&l, path, &ops, NULL, err, sizeof(err));
	check(c != NULL, "stale socket replaced");
	ctl_close(c);
	/* a regular file is not */
	fclose(fopen(path, "w"));
	check(!ctl_open(&l, path, &ops, NULL, err, sizeof(err)) &&
	      strstr(err, "not a socket"), "regular file kept: %s", err);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_good();
	test_bad();
	test_write();
	test_dispatch();
	test_socket();
	return tap_done();
}
