/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What esptund's main loop (run.c) needs between the configuration, the
 * IKE state machine (ike_sa.c) and the kernel (kernel.c), as functions
 * without I/O so that glue_test can check them:
 *
 * - the checks that make a configuration one this esptund can run,
 *   beyond its syntax (config.c): refused with FILE:LINE like syntax;
 * - a negotiated Child SA direction (struct ike_child_dir) as the kernel
 *   SA to install (struct kernel_sa), traffic selectors included;
 * - finding children by name, by interface and inner addresses (ACQUIRE).
 */
#ifndef ESPTUND_GLUE_H
#define ESPTUND_GLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ike_sa.h"
#include "kernel.h"

#define GLUE_ERR_LEN	512

/*
 * The checks a loaded configuration must pass before esptund uses it:
 * a PSK secret where psk is used, local_port 500 or 4500, and a single
 * peer for children that esptund starts itself (start_action = start or
 * trap).  Certificates and keys are auth.c's (creds_load()).  0, or -1
 * with "FILE:LINE: reason and fix" in err (GLUE_ERR_LEN bytes).
 */
int glue_check_config(const char *file, const struct config *c, char *err);

/*
 * The kernel's selector for a list of traffic selectors: the kernel
 * checks one prefix per side, so this is the smallest prefix covering
 * them all.  *exact is false when that lets more through than was
 * negotiated (several selectors, a range that is no prefix, ports or a
 * protocol, or both address families: then no selector at all).
 */
void glue_ts_to_sel(const struct ike_ts *ts, struct kernel_sel *sel,
		    bool *exact);

/*
 * One negotiated direction as the kernel SA to install.  The keys are
 * copied: wipe *out with kernel_sa_wipe().  0, or -1 with the reason in
 * err (a bug or an unusable configuration: the interface name).
 */
int glue_child_to_kernel(const struct ike_child_dir *c, struct kernel_sa *out,
			 bool *exact, char *err, size_t errlen);

/* The child called name: its connection in *conn.  NULL if none. */
const struct conf_child *glue_find_child(const struct config *c,
					 const char *name,
					 const struct conf_conn **conn);

/*
 * The first child with start_action trap on interface ifname whose
 * remote_ts covers dst and local_ts covers src (addresses of family,
 * network order; "dynamic" selectors cover everything).  NULL if none.
 */
const struct conf_child *glue_trap_child(const struct config *c,
					 const char *ifname, int family,
					 const uint8_t *src, const uint8_t *dst,
					 const struct conf_conn **conn);

/* true if a is within the configuration c (its connections array). */
bool glue_conn_in(const struct config *c, const struct conf_conn *a);

#endif /* ESPTUND_GLUE_H */
