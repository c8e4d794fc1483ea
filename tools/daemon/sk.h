/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esptund SK payload protection (RFC 7296 3.14): AES-CBC with HMAC-SHA2
 * (RFC 4868), AES-GCM-16 (RFC 5282) and ChaCha20-Poly1305 (RFC 7634).
 *
 * The message is built by msg.c, with the Encrypted payload last: the IKE
 * header and the SK generic header (at offset sk_off) carry their final
 * lengths, and msg_len == sk_off + 4 + sk_body_len().  The SK body is
 *	IV | E(inner payloads | padding | pad length) | ICV
 * The ICV of the CBC suites covers msg[0, msg_len - ICV); the AEAD
 * associated data is msg[0, sk_off + 4), the IKE header through the SK
 * generic header.
 *
 * IVs: CBC takes 16 random octets per message.  The AEAD IV is a 64-bit
 * big-endian counter in struct ike_keys, starting at 1: only we encrypt
 * with our key, so it never repeats as long as an ike_keys is not copied.
 * Padding: the minimum for the cipher (none beyond the pad length octet
 * for the AEADs, which are stream ciphers); any pad length that fits is
 * accepted.
 */
#ifndef ESPTUND_SK_H
#define ESPTUND_SK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

/* SK payload body length for plain_len octets of inner payloads. */
size_t sk_body_len(const struct key_sizes *ks, size_t plain_len);

/*
 * Encrypts plain into the SK body of msg and computes the ICV.  from_init:
 * the message is sent by the original initiator (keys SK_ei, SK_ai).
 */
int sk_encrypt(struct ike_keys *k, bool from_init, uint8_t *msg,
	       size_t msg_len, size_t sk_off, const uint8_t *plain,
	       size_t plain_len, const char **err);

/*
 * Checks the ICV (before anything else) and decrypts; the inner payload
 * chain goes to out (out_size at least msg_len - sk_off), its length to
 * *out_len.  Nothing is left in out on failure.
 */
int sk_decrypt(const struct ike_keys *k, bool from_init, const uint8_t *msg,
	       size_t msg_len, size_t sk_off, uint8_t *out, size_t out_size,
	       size_t *out_len, const char **err);

/*
 * The same for one Encrypted Fragment payload (RFC 7383 2.5) at skf_off:
 * its header is 8 octets (the generic header, Fragment Number and Total
 * Fragments) and all of them are in the AEAD associated data, which runs
 * from the IKE header through that header (RFC 7383 2.5.3).  plain is this
 * fragment's share of the inner payloads.
 */
int skf_encrypt(struct ike_keys *k, bool from_init, uint8_t *msg,
		size_t msg_len, size_t skf_off, const uint8_t *plain,
		size_t plain_len, const char **err);
int skf_decrypt(const struct ike_keys *k, bool from_init, const uint8_t *msg,
		size_t msg_len, size_t skf_off, uint8_t *out, size_t out_size,
		size_t *out_len, const char **err);

#endif /* ESPTUND_SK_H */
