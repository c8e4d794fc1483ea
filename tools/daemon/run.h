/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esptund's main loop: loads the configuration, opens the kernel
 * interface, the IKE sockets and the control socket, runs the IKE state
 * machine on their events until SIGINT/SIGTERM, then deletes its SAs.
 */
#ifndef ESPTUND_RUN_H
#define ESPTUND_RUN_H

#include <stdbool.h>

/*
 * The exit status: 0 after a signal, 1 when something could not start
 * (the reason on stderr).  debug: log IKE_LOG_DEBUG messages too.
 */
int daemon_run(const char *config, const char *sock, bool foreground,
	       bool debug);

/*
 * esptund -t: loads the configuration, certificates and keys as the daemon
 * would, prints what it loaded (or the error, FILE:LINE) and the warnings,
 * and returns 0 if the daemon would start with it, 1 if not.  Opens no
 * socket and needs no privilege beyond reading the files.
 */
int daemon_check(const char *config);

#endif /* ESPTUND_RUN_H */
