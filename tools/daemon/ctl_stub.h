/* SPDX-License-Identifier: GPL-2.0 */
/*
 * STUB control handlers until the IKE state machine (ike_sa.c) provides
 * the real ones: `load` really (re)loads the configuration; `initiate`
 * and `terminate` answer that negotiation is not there yet; `list` gives
 * no SAs.  run.c uses them; replace with the state machine's provider.
 */
#ifndef ESPTUND_CTL_STUB_H
#define ESPTUND_CTL_STUB_H

#include "config.h"
#include "ctl.h"

struct ctl_stub {
	const char *config_path;
	struct config conf;
	bool loaded;
};

extern const struct ctl_ops ctl_stub_ops;

#endif /* ESPTUND_CTL_STUB_H */
