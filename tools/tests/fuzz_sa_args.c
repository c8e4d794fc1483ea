// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the CLI's argument parsers (tools/cli/parse.c).
 *
 * The input is split on NUL bytes into words; the first byte picks the
 * parser (sa add, sa del, sa flush/list, set), so one corpus reaches them
 * all.  Each word gets a buffer of its own length so that ASan sees any
 * read past its end.  Build and run: `make -C tools fuzz`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/parse.h"

#define MAX_WORDS 128

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_WORDS + 1];
	struct parse_err err;
	const char *dev;
	size_t i, start;
	int argc = 0, which;

	if (!size)
		return 0;
	which = data[0] & 3;
	data++;
	size--;
	for (start = 0, i = 0; i <= size && argc < MAX_WORDS; i++) {
		if (i < size && data[i])
			continue;
		argv[argc] = malloc(i - start + 1);
		if (!argv[argc])
			abort();
		memcpy(argv[argc], data + start, i - start);
		argv[argc][i - start] = 0;
		argc++;
		start = i + 1;
	}
	argv[argc] = NULL;

	switch (which) {
	case 0: {
		struct sa_add_args a;

		if (!parse_sa_add(argc, argv, &a, &err))
			sa_add_args_free(&a);
		break;
	}
	case 1: {
		struct sa_del_args d;

		parse_sa_del(argc, argv, &d, &err);
		break;
	}
	case 2:
		parse_sa_dev(argc, argv, true, &dev, &err);
		parse_sa_dev(argc, argv, false, &dev, &err);
		break;
	default: {
		struct set_args s;

		parse_set(argc, argv, &s, &err);
		break;
	}
	}
	/* a message, when there is one, is a C string */
	err.msg[sizeof(err.msg) - 1] = 0;
	(void)strlen(err.msg);

	for (i = 0; i < (size_t)argc; i++)
		free(argv[i]);
	return 0;
}
