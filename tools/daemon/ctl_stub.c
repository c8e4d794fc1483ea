// SPDX-License-Identifier: GPL-2.0
/*
 * STUB provider of the control requests (see ctl_stub.h).  Only `load` is
 * real.  The IKE state machine replaces initiate, terminate and list: its
 * list fills struct ctl_ike/ctl_child from its SAs and the kernel's
 * counters (kernel_sa_stats()).
 */
#include <stdio.h>
#include <string.h>

#include "ctl_stub.h"

_Static_assert(CTL_ERR_LEN >= CONF_ERR_LEN, "config errors must fit");

static int stub_load(void *arg, char *msg, char *err)
{
	struct ctl_stub *s = arg;
	struct config c;
	size_t i, children = 0;

	if (config_load_file(s->config_path, &c, NULL, NULL, err))
		return -1;
	if (s->loaded)
		config_free(&s->conf);
	s->conf = c;
	s->loaded = true;
	for (i = 0; i < c.n_conns; i++)
		children += c.conns[i].n_children;
	snprintf(msg, CTL_ERR_LEN,
		 "loaded %s: %zu connection%s, %zu child%s, %zu secret%s",
		 s->config_path, c.n_conns, c.n_conns == 1 ? "" : "s",
		 children, children == 1 ? "" : "ren", c.n_secrets,
		 c.n_secrets == 1 ? "" : "s");
	return 0;
}

static int stub_not_yet(const char *what, char *err)
{
	snprintf(err, CTL_ERR_LEN,
		 "%s: IKE negotiation is not implemented in this esptund build yet",
		 what);
	return -1;
}

static int stub_initiate(void *arg, const char *child, char *err)
{
	(void)arg;
	(void)child;
	return stub_not_yet("initiate", err);
}

static int stub_terminate(void *arg, const char *name, char *err)
{
	(void)arg;
	(void)name;
	return stub_not_yet("terminate", err);
}

/* STUB: no IKE SAs until the state machine keeps some. */
static int stub_list(void *arg, struct ctl_list *out, char *err)
{
	(void)arg;
	(void)err;
	memset(out, 0, sizeof(*out));
	return 0;
}

static void stub_list_free(void *arg, struct ctl_list *l)
{
	(void)arg;
	memset(l, 0, sizeof(*l));
}

const struct ctl_ops ctl_stub_ops = {
	.load = stub_load,
	.initiate = stub_initiate,
	.terminate = stub_terminate,
	.list = stub_list,
	.list_free = stub_list_free,
};
