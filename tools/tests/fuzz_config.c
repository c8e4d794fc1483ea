// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for esptund's configuration parser (tools/daemon/
 * config.c, config_value.c, settings.c, proposal.c): the input is a
 * swanctl.conf text; it is loaded, its proposals rendered and each
 * matched against itself (which must succeed), then freed.  ASan finds
 * overflows and leaks.  Seeds: tests/corpus-conf/.  Run: `make -C tools
 * fuzz`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void self_match(const struct proposal_list *l)
{
	char buf[4096], why[PROP_ERR_LEN];
	struct proposal chosen;
	size_t i;

	proposal_list_str(l, buf, sizeof(buf));
	for (i = 0; i < l->n; i++)
		if (proposal_select(l, &l->v[i], 1, 0, &chosen, why) != 0)
			abort();	/* a proposal always matches itself */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CONF_ERR_LEN];
	struct config c;
	size_t i, j;
	char *text;

	/* a buffer of its own size, so that ASan sees reads past the end */
	text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	if (!config_load_text("fuzz.conf", text, size, &c, NULL, NULL, err)) {
		for (i = 0; i < c.n_conns; i++) {
			self_match(&c.conns[i].ike);
			for (j = 0; j < c.conns[i].n_children; j++)
				self_match(&c.conns[i].children[j].esp);
		}
		config_free(&c);
	} else if (!memchr(err, 0, sizeof(err))) {
		abort();	/* the message is a C string */
	}
	free(text);
	return 0;
}
