/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esptund Diffie-Hellman: key pairs and shared secrets for the KE payload
 * of groups 14 (MODP 2048, RFC 3526), 19/20/21 (ECP P-256/384/521,
 * RFC 5903) and 31/32 (Curve25519/Curve448, RFC 8031).
 *
 * KE data formats: MODP is g^x big-endian, padded to the modulus length;
 * ECP is x | y, each padded to the field length, without SEC1's 0x04
 * prefix; the Montgomery curves are their RFC 7748 u-coordinate.  The
 * shared secret g^ir is padded to the modulus (MODP), the x coordinate
 * only (ECP), or the RFC 7748 output, which must not be all zero.
 */
#ifndef ESPTUND_DH_H
#define ESPTUND_DH_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

struct dh;

/* KE data length for a group, 0 if unsupported. */
size_t dh_ke_len(int group);
/* Length of g^ir for a group, 0 if unsupported. */
size_t dh_shared_len(int group);

/* A fresh ephemeral key pair; NULL and *err on failure. */
struct dh *dh_new(int group, const char **err);
/*
 * A key pair from a given private value (big-endian scalar for ECP, the
 * RFC 7748 string for X25519/X448): for known-answer tests only.
 */
struct dh *dh_new_private(int group, const uint8_t *priv, size_t len,
			  const char **err);
void dh_free(struct dh *dh);

int dh_group(const struct dh *dh);
/* Writes our KE data; len must be dh_ke_len(). */
int dh_public(const struct dh *dh, uint8_t *out, size_t len);
/*
 * g^ir from the peer's KE data, after checking its length, that an ECP
 * point is on the curve, that a MODP value is in 2..p-2 and in the prime
 * order subgroup, and that X25519/X448 did not yield zero.
 */
int dh_shared(const struct dh *dh, const uint8_t *peer, size_t len,
	      struct key *shared, const char **err);

#endif /* ESPTUND_DH_H */
