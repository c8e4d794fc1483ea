/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esptund's event loop: poll() over a small set of file descriptors (the
 * IKE sockets, the kernel's event socket, the control socket and its
 * clients) and one timer, a deadline on CLOCK_MONOTONIC that the daemon
 * moves to its next due event.  Single-threaded; callbacks may add and
 * remove descriptors and set the timer.
 */
#ifndef ESPTUND_LOOP_H
#define ESPTUND_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#define LOOP_MAX_FDS	64

typedef void (*loop_fd_fn)(int fd, void *arg);
typedef void (*loop_timer_fn)(void *arg);

struct loop_src {
	int fd;			/* -1: free slot */
	loop_fd_fn fn;
	void *arg;
};

struct loop {
	struct loop_src src[LOOP_MAX_FDS];
	uint64_t deadline;	/* ms on CLOCK_MONOTONIC; 0 = none */
	loop_timer_fn timer_fn;
	void *timer_arg;
	bool stop;
};

void loop_init(struct loop *l);
/* Calls fn when fd is readable.  0, or -1 (errno ENOSPC or EEXIST). */
int loop_add(struct loop *l, int fd, loop_fd_fn fn, void *arg);
void loop_del(struct loop *l, int fd);
/* Milliseconds on CLOCK_MONOTONIC. */
uint64_t loop_now_ms(void);
/* Calls fn once at deadline (loop_now_ms() based); 0 cancels. */
void loop_set_timer(struct loop *l, uint64_t deadline, loop_timer_fn fn,
		    void *arg);
/*
 * One round: waits for a descriptor or the timer (at most max_ms; -1
 * forever) and runs what is due.  0, or -1 with errno if poll() failed
 * other than by EINTR.
 */
int loop_once(struct loop *l, int max_ms);
/* Rounds until loop_stop(); 0, or -1 as loop_once(). */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);

#endif /* ESPTUND_LOOP_H */
