/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anti-replay window of an inbound SA (RFC 4303 3.4.3, RFC 4304 for ESN).
 */
#ifndef _ESPTUN_REPLAY_H
#define _ESPTUN_REPLAY_H

#include <linux/spinlock.h>
#include <linux/types.h>

/* Largest window an SA may ask for, in packets. */
#define ESPTUN_REPLAY_MAX_WINDOW	65536
#define ESPTUN_REPLAY_DEFAULT_WINDOW	1024

struct esptun_replay {
	spinlock_t lock;
	/* highest authenticated sequence number (64 bits with ESN) */
	u64 top;
	/* configured window in packets, 0 = anti-replay off */
	u32 window;
	/* bitmap size in 64-bit words, a power of two (0 if window is 0) */
	u32 words;
	bool esn;
	unsigned long *bitmap;
};

enum esptun_replay_verdict {
	ESPTUN_REPLAY_OK,
	ESPTUN_REPLAY_DUPLICATE,
	ESPTUN_REPLAY_TOO_OLD,
};

int esptun_replay_init(struct esptun_replay *r, u32 window, bool esn,
		       u64 top, gfp_t gfp);
void esptun_replay_free(struct esptun_replay *r);
u64 esptun_replay_infer(struct esptun_replay *r, u32 seq_lo);
enum esptun_replay_verdict esptun_replay_check(struct esptun_replay *r,
					       u64 seq);
enum esptun_replay_verdict esptun_replay_advance(struct esptun_replay *r,
						 u64 seq);
u64 esptun_replay_top(struct esptun_replay *r);

#endif /* _ESPTUN_REPLAY_H */
