/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Traffic selectors for esptund: configuration (conf_ts) to wire form
 * (ike_ts_sel), narrowing (RFC 7296 2.9) and rendering for logs.
 */
#ifndef ESPTUND_TS_H
#define ESPTUND_TS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "config.h"
#include "msg.h"

/* Appends conf's selectors; "dynamic" becomes host's address.  -1 if
 * more than IKE_TS_MAX. */
int ts_from_conf(const struct conf_ts_list *conf, const struct sockaddr *host,
		 struct ike_ts *out);
/* The intersection of two selectors; false if empty. */
bool ts_sel_intersect(const struct ike_ts_sel *a, const struct ike_ts_sel *b,
		      struct ike_ts_sel *out);
/* Every non-empty intersection of one of `offered` with one of `ours`
 * (offered's order, duplicates dropped); out->n == 0 if none. */
void ts_narrow(const struct ike_ts *offered, const struct ike_ts *ours,
	       struct ike_ts *out);
/* "10.1.0.0/16[6/443], 10.2.0.1-10.2.0.9"; returns buf. */
char *ts_str(const struct ike_ts *ts, char *buf, size_t len);

#endif /* ESPTUND_TS_H */
