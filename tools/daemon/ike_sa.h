/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esptund IKE SAs: the IKEv2 state machine (RFC 7296) for IKE_SA_INIT,
 * IKE_AUTH with pre-shared keys or certificates (auth.h) and the first
 * Child SA, and INFORMATIONAL (liveness, Delete).  It does no I/O:
 * datagrams come in through
 * ike_sa_recv(), time passes through ike_daemon_tick(), and everything it
 * wants done (send a datagram, install or delete a Child SA in the kernel,
 * log) goes out through struct ike_io.
 *
 * An IKE SA is `struct ikesa` (msg.h's `struct ike_sa` is the SA payload).
 *
 * States, per role:
 *
 *   initiator  IKE_SA_INIT_SENT --(response)--> IKE_AUTH_SENT
 *              --(response, AUTH ok)--> ESTABLISHED
 *   responder  (IKE_SA_INIT request) --> IKE_SA_INIT_DONE (half-open)
 *              --(IKE_AUTH request, AUTH ok)--> ESTABLISHED
 *   both       ESTABLISHED --(we send Delete)--> DELETING --> DEAD
 *              ESTABLISHED --(peer's Delete)--> DEAD
 *              any failure --> DEAD, with last_error saying what to fix
 *
 * DEAD SAs stay visible (for `last_error`) for IKE_DEAD_LINGER_MS, then
 * ike_daemon_tick() frees them.  Window size is 1 both ways: one request
 * of ours outstanding, and the response to the peer's last request cached
 * and replayed when that request is retransmitted.
 *
 * Out of scope for now (TODO hooks in ike_sa.c): EAP, certificate
 * revocation (CRL, OCSP), CREATE_CHILD_SA (rekeying, more Child SAs), DPD,
 * MOBIKE.
 *
 * Under load (cookie_threshold half-open SAs) the responder answers an
 * IKE_SA_INIT request without a valid COOKIE statelessly with one
 * (RFC 7296 2.6); the initiator echoes a COOKIE it is given.
 */
#ifndef ESPTUND_IKE_SA_H
#define ESPTUND_IKE_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "crypto.h"
#include "frag.h"
#include "msg.h"

/* Log levels: syslog's numbers. */
enum ike_log_level {
	IKE_LOG_ERR	= 3,
	IKE_LOG_WARN	= 4,
	IKE_LOG_INFO	= 6,
	IKE_LOG_DEBUG	= 7,
};

/* Timers (milliseconds; strongSwan's defaults). */
#define IKE_RETRANSMIT_BASE_MS	4000	/* first timeout */
#define IKE_RETRANSMIT_TRIES	5	/* retransmits before giving up */
#define IKE_HALF_OPEN_MS	30000	/* responder: IKE_AUTH must come */
#define IKE_DEAD_LINGER_MS	60000	/* failed SAs stay visible */
#define IKE_MAX_MSG		8192	/* largest message we build */
#define IKE_LAST_ERROR_LEN	768
/* COOKIEs (RFC 7296 2.6): asked for once this many IKE SAs are half-open
 * (strongSwan's charon.cookie_threshold); the secret behind them changes
 * this often, and cookies made with the previous one are still taken. */
#define IKE_COOKIE_THRESHOLD	30
#define IKE_COOKIE_SECRET_MS	120000
#define IKE_FRAG_SIZE		1280	/* strongSwan's fragment_size */
#define IKE_COOKIE_LEN		(4 + 32)	/* secret version | HMAC */
/*
 * What peers that have not authenticated can make a responder hold.
 * COOKIEs only stop spoofed source addresses; beyond these bounds an
 * IKE_SA_INIT request is dropped unanswered (half-open SAs), or the oldest
 * failed unauthenticated SA is forgotten early (they stay for `list`).
 */
#define IKE_BLOCK_THRESHOLD	5	/* half-open SAs per peer address,
					 * strongSwan's block_threshold */
#define IKE_HALF_OPEN_MAX	1000	/* half-open SAs in all */
#define IKE_FAILED_UNAUTH_MAX	16	/* failed SAs of unauthenticated
					 * initiators kept for `list` */

/*
 * One direction of a Child SA, as the kernel wants it (ESPTUN_CMD_SA_NEW,
 * ESPTUN_A_SA_*): install the inbound one first, then the outbound one.
 * Exactly one of aead_name / enc_name is set.  Keys point into the SA and
 * are valid during the call only.
 */
struct ike_child_dir {
	const char *conn, *child;	/* configuration names */
	const char *interface;		/* children.X.interface, may be NULL */
	uint8_t dir;			/* ESPTUN_SA_DIR_IN or _OUT */
	uint32_t spi;			/* host order */
	/* Outer addresses (ports ignored); src is the sender of the ESP. */
	struct sockaddr_storage src, dst;
	/* UDP encapsulation (NAT detected): ports, else both 0. */
	uint16_t encap_sport, encap_dport;
	const char *aead_name;		/* "rfc4106(gcm(aes))", ... */
	struct chunk aead_key;		/* key | 4-byte salt */
	unsigned aead_icv_bits;
	const char *enc_name;		/* "cbc(aes)" */
	struct chunk enc_key;
	const char *auth_name;		/* "hmac(sha256)" */
	struct chunk auth_key;
	unsigned auth_trunc_bits;
	bool esn;			/* ESPTUN_SA_F_ESN */
	/* Selectors after narrowing, inner source and destination as seen
	 * in this direction (inbound: src = the peer's side). */
	const struct ike_ts *sel_src, *sel_dst;
	uint32_t soft_time, hard_time;	/* seconds; 0 = none */
};

struct ike_io {
	/* A datagram from our address/port to the peer's.  0 or -1. */
	int (*send)(void *ctx, const uint8_t *buf, size_t len,
		    const struct sockaddr *from, const struct sockaddr *to);
	/* A fresh random inbound ESP SPI (>= 256) the kernel does not use
	 * yet; NULL: esptund draws one itself.  0 or -1. */
	int (*spi_alloc)(void *ctx, uint32_t *spi);
	/* Adds one direction; -1 fails the Child SA. */
	int (*child_install)(void *ctx, const struct ike_child_dir *c);
	/* Removes one direction (dir, spi, dst as installed). */
	int (*child_delete)(void *ctx, const char *interface, uint8_t dir,
			    uint32_t spi, const struct sockaddr *dst);
	void (*log)(void *ctx, int level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
	/* Monotonic milliseconds. */
	uint64_t (*now)(void *ctx);
};

enum ikesa_state {
	IKE_SA_INIT_SENT,	/* initiator: waiting for IKE_SA_INIT resp. */
	IKE_SA_INIT_DONE,	/* responder: half-open, waiting for AUTH */
	IKE_AUTH_SENT,		/* initiator: waiting for IKE_AUTH response */
	IKE_ESTABLISHED,
	IKE_DELETING,		/* we sent a Delete of the IKE SA */
	IKE_DEAD,		/* failed or deleted; see last_error */
};

const char *ikesa_state_name(enum ikesa_state s);

/* The first (and for now only) Child SA of an IKE SA. */
struct child_sa {
	const struct conf_child *conf;
	bool installed;
	uint32_t spi_in, spi_out;	/* ours (inbound), the peer's */
	bool esn;
	struct proposal prop;		/* negotiated ESP transforms */
	struct ike_ts ts_local, ts_remote;	/* after narrowing */
	struct child_keys keys;
};

struct ike_daemon;

struct ikesa {
	struct ikesa *next;
	struct ike_daemon *d;
	const struct conf_conn *conn;	/* NULL until matched */
	enum ikesa_state state;
	bool initiator;
	uint64_t uid;			/* for logs: "conn[uid]" */
	uint8_t spi_i[8], spi_r[8];
	struct sockaddr_storage local, remote;	/* current, with ports */
	bool nat_local, nat_remote;	/* we / the peer are behind a NAT */

	/* IKE_SA_INIT */
	struct proposal ike_prop;	/* negotiated */
	int dh_group;
	struct dh *dh;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	uint8_t *init_req, *init_resp;	/* RealMessage1/2 for AUTH */
	size_t init_req_len, init_resp_len;
	uint8_t cookie[64];		/* initiator: the responder's */
	size_t cookie_len;
	unsigned ke_retries, cookie_retries;
	unsigned peer_hashes;		/* 1 << IKEV2_HASH_*, RFC 7427 */
	bool peer_frag;			/* it announced RFC 7383 */
	struct ike_keys keys;
	bool have_keys;

	/* Message IDs and retransmission (window 1). */
	uint32_t my_next_id;		/* next request we send */
	uint32_t peer_next_id;		/* next request we accept */
	uint8_t *req;			/* our outstanding request */
	size_t req_len;
	uint32_t req_id;
	uint8_t req_exchange;
	unsigned req_tries;
	uint64_t req_deadline;		/* 0: nothing outstanding */
	uint8_t *last_req, *last_resp;	/* peer's last request, our answer */
	size_t last_req_len, last_resp_len;

	uint64_t created, dead_since;
	bool authenticated;		/* the peer's AUTH verified */
	char peer_id[256];		/* its ID then, for humans */
	/* RFC 7383: the fragments of the peer's request and response in
	 * reassembly. */
	struct frag_buf frag_req, frag_resp;
	struct child_sa child;
	bool has_child;
	bool child_deleting;		/* our Delete of it is outstanding */
	const struct conf_child *want_child;	/* initiator */
	char last_error[IKE_LAST_ERROR_LEN];
};

struct creds;

struct ike_daemon {
	const struct config *cfg;
	/* Certificates and keys for auth = pubkey (auth.h creds_load());
	 * NULL: only PSK connections work.  Must outlive the daemon. */
	const struct creds *creds;
	const struct ike_io *io;
	void *ctx;
	struct ikesa *sas;
	uint64_t next_uid;
	/* Responder COOKIEs: required from the initiator of a new IKE SA
	 * while at least cookie_threshold SAs are half-open (0: always).
	 * ike_daemon_init() sets IKE_COOKIE_THRESHOLD; change it after. */
	unsigned cookie_threshold;
	/* IKE_BLOCK_THRESHOLD, IKE_HALF_OPEN_MAX, IKE_FAILED_UNAUTH_MAX, set
	 * by ike_daemon_init(); the tests lower them. */
	unsigned block_threshold, half_open_max, failed_unauth_max;
	/* The IP packet size our IKE fragments keep to (RFC 7383):
	 * IKE_FRAG_SIZE from ike_daemon_init(). */
	unsigned frag_size;
	uint32_t cookie_version;	/* secret[cookie_version & 1] is current */
	uint8_t cookie_secret[2][32];
	uint64_t cookie_secret_time;	/* 0: no secret drawn yet */
};

/* cfg and io must outlive the daemon. */
void ike_daemon_init(struct ike_daemon *d, const struct config *cfg,
		     const struct ike_io *io, void *ctx);
/* Frees every SA (deleting installed Child SAs, sending nothing). */
void ike_daemon_free(struct ike_daemon *d);

/*
 * One received datagram: from is the peer, to our address, both with
 * ports; the socket layer has removed a non-ESP marker on port 4500.
 * Returns 0 if it was processed, -1 if dropped.
 */
int ike_sa_recv(struct ike_daemon *d, const uint8_t *buf, size_t len,
		const struct sockaddr *from, const struct sockaddr *to);

/* Retransmissions, timeouts and reaping; call at least every
 * ike_daemon_next_timeout() milliseconds. */
void ike_daemon_tick(struct ike_daemon *d);
/* Milliseconds until the next tick has something to do (-1: nothing). */
int64_t ike_daemon_next_timeout(struct ike_daemon *d);

/*
 * Starts an IKE SA as initiator for conn (and its child, NULL: the first)
 * from local to remote (ports included: normally 500).  NULL and *err
 * (static or IKE_LAST_ERROR_LEN bytes in errbuf) on failure.
 */
struct ikesa *ike_sa_initiate(struct ike_daemon *d, const char *conn,
			      const char *child, const struct sockaddr *local,
			      const struct sockaddr *remote, char *errbuf);
/* Sends a Delete for the IKE SA (and so its Child SAs). */
int ike_sa_delete(struct ikesa *sa);
/* Sends a Delete for the Child SA; removed when the peer answers. */
int ike_sa_delete_child(struct ikesa *sa);
/* Sends an empty INFORMATIONAL (liveness check). */
int ike_sa_liveness(struct ikesa *sa);

#endif /* ESPTUND_IKE_SA_H */
