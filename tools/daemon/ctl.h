/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esptund's control socket: a UNIX stream socket (default
 * /run/esptund.sock, mode 0600) speaking newline-delimited JSON, one
 * request and one answer per line (Documentation/esptund.rst).
 *
 * ctl_proto.c owns the protocol: parsing requests with strict bounds,
 * calling the daemon's handlers (struct ctl_ops) and writing answers.
 * ctl.c owns the socket and its clients, on the loop of loop.c.
 */
#ifndef ESPTUND_CTL_H
#define ESPTUND_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CTL_LINE_MAX	4096	/* one request, newline included */
#define CTL_NAME_MAX	64	/* connection and child names */
#define CTL_ERR_LEN	512
#define CTL_TS_MAX	8	/* traffic selectors shown per side */
#define CTL_STR		64
#define CTL_ID		256
#define CTL_LAST_ERROR	768	/* IKE_LAST_ERROR_LEN of the state machine */

enum ctl_cmd {
	CTL_CMD_LOAD = 1,	/* re-read the configuration */
	CTL_CMD_INITIATE,	/* name: a child */
	CTL_CMD_TERMINATE,	/* name: a connection (IKE SA) or a child */
	CTL_CMD_LIST,
};

struct ctl_req {
	enum ctl_cmd cmd;
	char name[CTL_NAME_MAX + 1];
};

/* One Child SA as `list` shows it. */
struct ctl_child {
	char name[CTL_NAME_MAX + 1];
	char state[CTL_STR];		/* "INSTALLED", "REKEYING", ... */
	char ifname[CTL_STR];
	uint32_t spi_in, spi_out;	/* host order; 0 = not yet */
	bool encap;			/* ESP in UDP */
	char algs[128];			/* "AES_GCM_16_256/ESN" */
	size_t n_local_ts, n_remote_ts;
	char local_ts[CTL_TS_MAX][CTL_STR];
	char remote_ts[CTL_TS_MAX][CTL_STR];
	uint64_t age;			/* seconds since installed */
	bool rekey_set;
	uint64_t rekey_in;		/* seconds to rekey, if rekey_set */
	bool counters;			/* the kernel's SA counters were read */
	uint64_t bytes_in, bytes_out, packets_in, packets_out;
	char last_error[CTL_LAST_ERROR];
};

/* One IKE SA and its children. */
struct ctl_ike {
	char name[CTL_NAME_MAX + 1];
	char state[CTL_STR];		/* "ESTABLISHED", "CONNECTING", ... */
	char local[CTL_STR], remote[CTL_STR];	/* "ADDR[PORT]" */
	char local_id[CTL_ID], remote_id[CTL_ID];
	uint64_t spi_i, spi_r;
	bool initiator;
	char algs[128];			/* "AES_CBC_256/HMAC_SHA2_256_128/..." */
	uint64_t age;
	bool rekey_set;
	uint64_t rekey_in;
	char last_error[CTL_LAST_ERROR];
	size_t n_children;
	struct ctl_child *children;
};

struct ctl_list {
	size_t n;
	struct ctl_ike *v;
};

/*
 * What the daemon does for each request.  Each returns 0, or -1 with a
 * message in err (CTL_ERR_LEN bytes) that names the fix.  list fills
 * *out (allocated by the provider) and list_free releases it.  Any member
 * may be NULL: the request is then answered "not supported".
 */
struct ctl_ops {
	int (*load)(void *arg, char *msg, char *err);	/* msg: the summary */
	int (*initiate)(void *arg, const char *child, char *err);
	int (*terminate)(void *arg, const char *name, char *err);
	int (*list)(void *arg, struct ctl_list *out, char *err);
	void (*list_free)(void *arg, struct ctl_list *l);
};

/* ctl_proto.c */
int ctl_parse_request(const char *line, size_t len, struct ctl_req *req,
		      char *err, size_t errlen);
void ctl_write_ok(FILE *f, const char *message);
void ctl_write_error(FILE *f, const char *message);
void ctl_write_list(FILE *f, const struct ctl_list *l);
/* Parses one request line, runs it with ops, writes the one-line answer. */
void ctl_dispatch(const struct ctl_ops *ops, void *arg, const char *line,
		  size_t len, FILE *out);

/* ctl.c: the socket */
struct loop;
struct ctl;

/*
 * Creates the socket at path (an old socket file there is replaced: only
 * one esptund may run; a non-socket is refused) with mode 0600 and adds
 * it to the loop.  NULL with the reason in err.
 */
struct ctl *ctl_open(struct loop *l, const char *path,
		     const struct ctl_ops *ops, void *arg, char *err,
		     size_t errlen);
/* Closes every client and the socket, and removes the socket file. */
void ctl_close(struct ctl *c);

#endif /* ESPTUND_CTL_H */
