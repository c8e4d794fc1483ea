// SPDX-License-Identifier: GPL-2.0
/*
 * esptund's control socket: accepts `esptun ike` clients on a UNIX stream
 * socket (mode 0600, and only the daemon's own user or root as peers),
 * splits what they send into lines of at most CTL_LINE_MAX bytes and
 * answers each with ctl_dispatch().  Reads never block; an answer is sent
 * with a timeout, and a client that does not read it is dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "loop.h"

#define CTL_MAX_CLIENTS	8
#define CTL_SEND_TIMEOUT_S 2

struct ctl_client {
	int fd;			/* -1: free */
	size_t len;
	char buf[CTL_LINE_MAX];
};

struct ctl {
	struct loop *loop;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const struct ctl_ops *ops;
	void *arg;
	struct ctl_client cl[CTL_MAX_CLIENTS];
};

static void client_close(struct ctl *c, struct ctl_client *cl)
{
	loop_del(c->loop, cl->fd);
	close(cl->fd);
	explicit_bzero(cl->buf, sizeof(cl->buf));
	cl->fd = -1;
	cl->len = 0;
}

static int send_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Answers one line; -1 if the client is to be dropped. */
static int answer(struct ctl *c, struct ctl_client *cl, const char *line,
		  size_t len, const char *error)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;
	int ret;

	f = open_memstream(&out, &outlen);
	if (!f)
		return -1;
	if (error)
		ctl_write_error(f, error);
	else
		ctl_dispatch(c->ops, c->arg, line, len, f);
	if (fclose(f)) {
		free(out);
		return -1;
	}
	ret = send_all(cl->fd, out, outlen);
	free(out);
	return ret;
}

static struct ctl_client *find_client(struct ctl *c, int fd)
{
	size_t i;

	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (c->cl[i].fd == fd)
			return &c->cl[i];
	return NULL;
}

static void on_client(int fd, void *arg)
{
	struct ctl *c = arg;
	struct ctl_client *cl = find_client(c, fd);
	size_t start = 0, i, n;
	ssize_t got;

	if (!cl)
		return;
	got = recv(fd, cl->buf + cl->len, sizeof(cl->buf) - cl->len,
		   MSG_DONTWAIT);
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (got <= 0) {
		client_close(c, cl);
		return;
	}
	cl->len += (size_t)got;
	for (i = 0; i < cl->len; i++) {
		if (cl->buf[i] != '\n')
			continue;
		n = i - start;
		if (n && cl->buf[start + n - 1] == '\r')
			n--;
		if (n && answer(c, cl, cl->buf + start, n, NULL)) {
			client_close(c, cl);
			return;
		}
		start = i + 1;
	}
	memmove(cl->buf, cl->buf + start, cl->len - start);
	cl->len -= start;
	if (cl->len == sizeof(cl->buf)) {
		/* No newline in CTL_LINE_MAX bytes: say so, then hang up. */
		answer(c, cl, NULL, 0,
		       "request too long (at most 4096 bytes per line)");
		client_close(c, cl);
	}
}

static void on_listen(int fd, void *arg)
{
	struct ctl *c = arg;
	struct timeval tv = { .tv_sec = CTL_SEND_TIMEOUT_S };
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct ctl_client *cl;
	int cfd;

	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	/* Mode 0600 keeps others out; the peer check says so twice. */
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) ||
	    (cred.uid != 0 && cred.uid != geteuid())) {
		close(cfd);
		return;
	}
	cl = find_client(c, -1);
	if (!cl) {
		static const char busy[] =
			"{\"ok\":false,\"error\":\"too many control clients; try again\"}\n";

		send(cfd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(cfd);
		return;
	}
	setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	cl->fd = cfd;
	cl->len = 0;
	if (loop_add(c->loop, cfd, on_client, c)) {
		close(cfd);
		cl->fd = -1;
	}
}

/* Refuses to replace anything but a stale socket. */
static int clear_path(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, alive;

	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen,
			 "%s exists and is not a socket: remove it or choose another path with -s",
			 path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	alive = !connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (alive) {
		snprintf(err, errlen,
			 "%s: another esptund is running (stop it first, or choose another path with -s)",
			 path);
		return -1;
	}
	if (unlink(path) && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove the stale %s: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

struct ctl *ctl_open(struct loop *l, const char *path,
		     const struct ctl_ops *ops, void *arg, char *err,
		     size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(path), i;
	struct ctl *c;
	mode_t old;
	int ret;

	if (len == 0 || len >= sizeof(sun.sun_path)) {
		snprintf(err, errlen,
			 "control socket path must be 1 to %zu bytes long",
			 sizeof(sun.sun_path) - 1);
		return NULL;
	}
	if (clear_path(path, err, errlen))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->loop = l;
	c->ops = ops;
	c->arg = arg;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		c->cl[i].fd = -1;
	memcpy(c->path, path, len + 1);
	memcpy(sun.sun_path, path, len);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		free(c);
		return NULL;
	}
	/* Created 0600 from the start: no window with a wider mode. */
	old = umask(0177);
	ret = bind(c->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (ret || chmod(path, 0600) || listen(c->fd, CTL_MAX_CLIENTS) ||
	    loop_add(l, c->fd, on_listen, c)) {
		snprintf(err, errlen, "cannot listen on %s: %s", path,
			 strerror(errno));
		if (!ret)
			unlink(path);
		close(c->fd);
		free(c);
		return NULL;
	}
	return c;
}

void ctl_close(struct ctl *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (c->cl[i].fd >= 0)
			client_close(c, &c->cl[i]);
	loop_del(c->loop, c->fd);
	close(c->fd);
	unlink(c->path);
	free(c);
}
