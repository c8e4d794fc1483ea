// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for esptund's control-request parser (daemon/
 * ctl_proto.c and lib/jsonp.c): the input is one request line; it is
 * dispatched to handlers that accept everything, and the answer must be
 * exactly one line of JSON that the same reader accepts, with "ok".
 * ASan finds overflows and leaks.  Seeds: tests/corpus-ctl/.  Run:
 * `make -C tools fuzz`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/ctl.h"
#include "../lib/jsonp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int f_load(void *arg, char *msg, char *err)
{
	(void)arg;
	(void)err;
	snprintf(msg, CTL_ERR_LEN, "loaded");
	return 0;
}

static int f_name(void *arg, const char *name, char *err)
{
	(void)arg;
	/* echo the name back: it must survive the JSON writer */
	snprintf(err, CTL_ERR_LEN, "no such name: %s", name);
	return -1;
}

static int f_list(void *arg, struct ctl_list *out, char *err)
{
	(void)arg;
	(void)err;
	out->n = 0;
	out->v = NULL;
	return 0;
}

static const struct ctl_ops ops = {
	.load = f_load, .initiate = f_name, .terminate = f_name,
	.list = f_list,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line, *out = NULL, jerr[JSONP_ERR_LEN];
	size_t len = 0;
	struct jv v;
	FILE *f;

	/* a buffer of its own size, so that ASan sees reads past the end */
	line = malloc(size ? size : 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	f = open_memstream(&out, &len);
	if (!f)
		abort();
	ctl_dispatch(&ops, NULL, line, size, f);
	if (fclose(f))
		abort();
	if (!len || out[len - 1] != '\n' || memchr(out, '\n', len - 1))
		abort();	/* one answer, one line */
	if (jv_parse(out, len, &v, jerr, sizeof(jerr)))
		abort();	/* the answer is JSON */
	if (!jv_get(&v, "ok"))
		abort();
	jv_free(&v);
	free(out);
	free(line);
	return 0;
}
