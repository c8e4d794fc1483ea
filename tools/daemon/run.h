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

#endif /* ESPTUND_RUN_H */
