/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esptund's main loop: opens the kernel interface, the IKE sockets and
 * the control socket, and dispatches their events until SIGINT/SIGTERM.
 */
#ifndef ESPTUND_RUN_H
#define ESPTUND_RUN_H

#include <stdbool.h>

/* The exit status: 0 after a signal, 1 when something could not start. */
int daemon_run(const char *config, const char *sock, bool foreground);

#endif /* ESPTUND_RUN_H */
