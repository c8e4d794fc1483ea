// SPDX-License-Identifier: GPL-2.0
/*
 * Anti-replay window of an inbound SA.
 *
 * The window is a ring of 64-bit words indexed by sequence number (the
 * RFC 6479 layout): bit (seq % (64 * words)) records whether seq was seen.
 * The ring has at least one word more than the window needs, so moving the
 * top forward only clears whole words that fell out of the window, and no
 * per-packet division is needed: words is a power of two and the index is
 * a mask.
 *
 * ESN (RFC 4304): only the low 32 bits travel; esptun_replay_infer()
 * reconstructs the high half as RFC 4303 Appendix A describes.  The result
 * goes into the ICV computation, so a wrong guess simply fails the ICV.
 *
 * Order of use on input (RFC 4303 3.4.3): esptun_replay_check() before
 * decryption, a cheap reject that changes nothing; esptun_replay_advance()
 * only after the ICV verified, which checks again (another CPU may have
 * accepted the same number meanwhile) and moves the window.  Forged packets
 * therefore cannot move the window.
 *
 * Locking: r->lock protects top and the bitmap.  check() reads without it
 * (a stale answer only means the authoritative test in advance() decides);
 * advance() takes it.  Callers run in softirq or with BH disabled.
 */
#include <linux/bitops.h>
#include <linux/log2.h>
#include <linux/slab.h>

#include "replay.h"

#define ESPTUN_REPLAY_WORD_BITS	BITS_PER_LONG

int esptun_replay_init(struct esptun_replay *r, u32 window, bool esn,
		       u64 top, gfp_t gfp)
{
	spin_lock_init(&r->lock);
	r->window = window;
	r->esn = esn;
	r->top = top;
	r->words = 0;
	r->bitmap = NULL;
	if (!window)
		return 0;
	/* One spare word: see the comment at the top of the file. */
	r->words = roundup_pow_of_two(DIV_ROUND_UP(window,
						   ESPTUN_REPLAY_WORD_BITS) + 1);
	r->bitmap = kcalloc(r->words, sizeof(unsigned long), gfp);
	if (!r->bitmap)
		return -ENOMEM;
	/*
	 * A window starting above zero (a migrated SA, or a test of the ESN
	 * wrap) has not seen anything yet: every slot is clear.
	 */
	return 0;
}

void esptun_replay_free(struct esptun_replay *r)
{
	kfree(r->bitmap);
	r->bitmap = NULL;
}

u64 esptun_replay_top(struct esptun_replay *r)
{
	return READ_ONCE(r->top);
}

/*
 * The full sequence number of a packet that carries seq_lo (RFC 4303
 * Appendix A).  Without ESN it is seq_lo itself.
 */
u64 esptun_replay_infer(struct esptun_replay *r, u32 seq_lo)
{
	u64 top = READ_ONCE(r->top);
	u32 tl = lower_32_bits(top), th = upper_32_bits(top);
	/* Without a window, accept the next 2^31 numbers as ahead of top. */
	u32 w = r->window ? r->window : 1U << 31;

	if (!r->esn)
		return seq_lo;

	if (tl >= w - 1) {
		/* Case A: the window lies within one 2^32 subspace. */
		if (seq_lo >= tl - w + 1)
			return (u64)th << 32 | seq_lo;
		return (u64)(th + 1) << 32 | seq_lo;
	}
	/* Case B: the window straddles two subspaces. */
	if (seq_lo >= tl - w + 1) {
		/* Before subspace 0 there is nothing: give a number the
		 * window rejects as too old.
		 */
		if (!th)
			return 0;
		return (u64)(th - 1) << 32 | seq_lo;
	}
	return (u64)th << 32 | seq_lo;
}

static enum esptun_replay_verdict
esptun_replay_test(const struct esptun_replay *r, u64 top, u64 seq)
{
	u64 bit;

	/* Sequence number 0 is never sent (RFC 4303 3.3.3). */
	if (!seq)
		return ESPTUN_REPLAY_TOO_OLD;
	if (!r->window)
		return ESPTUN_REPLAY_OK;
	if (seq > top)
		return ESPTUN_REPLAY_OK;
	if (top - seq >= r->window)
		return ESPTUN_REPLAY_TOO_OLD;
	bit = seq & ((u64)r->words * ESPTUN_REPLAY_WORD_BITS - 1);
	if (test_bit(bit, r->bitmap))
		return ESPTUN_REPLAY_DUPLICATE;
	return ESPTUN_REPLAY_OK;
}

enum esptun_replay_verdict esptun_replay_check(struct esptun_replay *r,
					       u64 seq)
{
	return esptun_replay_test(r, READ_ONCE(r->top), seq);
}

enum esptun_replay_verdict esptun_replay_advance(struct esptun_replay *r,
						 u64 seq)
{
	enum esptun_replay_verdict v;
	u64 mask, index, top_index, diff, i;

	spin_lock(&r->lock);
	v = esptun_replay_test(r, r->top, seq);
	if (v != ESPTUN_REPLAY_OK)
		goto out;

	if (!r->window) {
		if (seq > r->top)
			WRITE_ONCE(r->top, seq);
		goto out;
	}

	mask = r->words - 1;
	if (seq > r->top) {
		index = seq / ESPTUN_REPLAY_WORD_BITS;
		top_index = r->top / ESPTUN_REPLAY_WORD_BITS;
		diff = min_t(u64, index - top_index, r->words);
		/* Clear the words the window slid over. */
		for (i = 1; i <= diff; i++)
			r->bitmap[(top_index + i) & mask] = 0;
		WRITE_ONCE(r->top, seq);
	}
	__set_bit(seq & ((u64)r->words * ESPTUN_REPLAY_WORD_BITS - 1),
		  r->bitmap);
out:
	spin_unlock(&r->lock);
	return v;
}
