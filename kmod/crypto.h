/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ciphers an SA can use, and their transforms.
 */
#ifndef _ESPTUN_CRYPTO_H
#define _ESPTUN_CRYPTO_H

#include <linux/types.h>

struct esptun_sa;
struct netlink_ext_ack;
struct nlattr;

int esptun_crypto_setup(struct esptun_sa *sa, struct nlattr **tb,
			struct netlink_ext_ack *extack);
void esptun_crypto_free(struct esptun_sa *sa);
const char *esptun_crypto_enc_name(const struct esptun_sa *sa);
const char *esptun_crypto_auth_name(const struct esptun_sa *sa);
bool esptun_crypto_is_aead(const struct esptun_sa *sa);
/* IV from the sequence number (GCM, ChaCha20-Poly1305) or random (CBC) */
bool esptun_crypto_seq_iv(const struct esptun_sa *sa);

#endif /* _ESPTUN_CRYPTO_H */
