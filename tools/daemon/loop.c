// SPDX-License-Identifier: GPL-2.0
/*
 * esptund's event loop: poll() over the registered descriptors, one
 * CLOCK_MONOTONIC deadline.  See loop.h.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "loop.h"

void loop_init(struct loop *l)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < LOOP_MAX_FDS; i++)
		l->src[i].fd = -1;
}

int loop_add(struct loop *l, int fd, loop_fd_fn fn, void *arg)
{
	size_t i, free_slot = LOOP_MAX_FDS;

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	for (i = 0; i < LOOP_MAX_FDS; i++) {
		if (l->src[i].fd == fd) {
			errno = EEXIST;
			return -1;
		}
		if (l->src[i].fd < 0 && free_slot == LOOP_MAX_FDS)
			free_slot = i;
	}
	if (free_slot == LOOP_MAX_FDS) {
		errno = ENOSPC;
		return -1;
	}
	l->src[free_slot] = (struct loop_src){ .fd = fd, .fn = fn, .arg = arg };
	return 0;
}

void loop_del(struct loop *l, int fd)
{
	size_t i;

	for (i = 0; i < LOOP_MAX_FDS; i++)
		if (l->src[i].fd == fd)
			l->src[i].fd = -1;
}

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void loop_set_timer(struct loop *l, uint64_t deadline, loop_timer_fn fn,
		    void *arg)
{
	l->deadline = deadline;
	l->timer_fn = fn;
	l->timer_arg = arg;
}

int loop_once(struct loop *l, int max_ms)
{
	struct pollfd pfd[LOOP_MAX_FDS];
	struct loop_src src[LOOP_MAX_FDS];
	size_t i, n = 0;
	int timeout = max_ms, ret;
	uint64_t now;

	for (i = 0; i < LOOP_MAX_FDS; i++) {
		if (l->src[i].fd < 0)
			continue;
		src[n] = l->src[i];
		pfd[n].fd = l->src[i].fd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		n++;
	}
	if (l->deadline) {
		now = loop_now_ms();
		if (l->deadline <= now)
			timeout = 0;
		else if (timeout < 0 || l->deadline - now < (uint64_t)timeout)
			timeout = l->deadline - now > 86400000 ? 86400000 :
				  (int)(l->deadline - now);
	}
	ret = poll(pfd, n, timeout);
	if (ret < 0)
		return errno == EINTR ? 0 : -1;
	for (i = 0; i < n; i++) {
		size_t k;
		bool live = false;

		if (!pfd[i].revents)
			continue;
		/* A callback before this one may have removed it. */
		for (k = 0; k < LOOP_MAX_FDS; k++)
			if (l->src[k].fd == src[i].fd &&
			    l->src[k].fn == src[i].fn &&
			    l->src[k].arg == src[i].arg)
				live = true;
		if (live)
			src[i].fn(src[i].fd, src[i].arg);
	}
	if (l->deadline && l->deadline <= loop_now_ms()) {
		loop_timer_fn fn = l->timer_fn;

		l->deadline = 0;
		if (fn)
			fn(l->timer_arg);
	}
	return 0;
}

int loop_run(struct loop *l)
{
	while (!l->stop)
		if (loop_once(l, -1))
			return -1;
	return 0;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}
