// SPDX-License-Identifier: GPL-2.0
/*
 * esptun: configure and inspect esptun interfaces (the vocabulary of
 * `ip xfrm state`).  Each command lives in its own file and registers a
 * struct cli_cmd in the table below.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kmod/version.h"
#include "cli.h"

static const struct cli_cmd *const commands[] = {
	&cli_cmd_show,
	&cli_cmd_set,
	&cli_cmd_sa,
	&cli_cmd_monitor,
	&cli_cmd_ike,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("esptun: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_err(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("esptun: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry `esptun %s%s--help`.\n",
		cmd ? cmd->name : "", cmd ? " " : "");
	return EXIT_USAGE;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: esptun [OPTIONS] COMMAND [ARGS]\n"
		"       esptun help [COMMAND]\n"
		"\n"
		"Configure and inspect esptun route-based ESP tunnel interfaces.\n"
		"Interfaces are created with `ip link add NAME type esptun`.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i]->name,
			commands[i]->summary);
	fprintf(f,
		"\n"
		"Options (anywhere on the line):\n"
		"  -j, --json     JSON output\n"
		"  -p, --pretty   indented JSON\n"
		"  -h, --help     help, for esptun or for COMMAND\n"
		"  -V, --version  print the version\n"
		"\n"
		"Exit status: 0 success, 1 the operation failed, 2 bad usage.\n");
}

static const struct cli_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct cli_opts opts = { 0 };
	const struct cli_cmd *cmd = NULL;
	bool help = false, args_only = false;
	char **args;
	int nargs = 0, i;

	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args) {
		cli_err("out of memory");
		return 1;
	}

	/* Options may stand anywhere, as in `esptun show esp0 -j`. */
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (args_only || a[0] != '-' || !a[1]) {
			args[nargs++] = argv[i];
		} else if (!strcmp(a, "--")) {
			args_only = true;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			opts.json = true;
		} else if (!strcmp(a, "-p") || !strcmp(a, "--pretty")) {
			opts.pretty = true;
		} else if (!strcmp(a, "-jp") || !strcmp(a, "-pj")) {
			opts.json = opts.pretty = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			help = true;
		} else if (!strcmp(a, "-s") || !strcmp(a, "--socket")) {
			if (i + 1 >= argc) {
				free(args);
				return cli_usage_err(NULL, "%s needs a socket path", a);
			}
			opts.socket = argv[++i];
		} else if (!strncmp(a, "--socket=", 9)) {
			opts.socket = a + 9;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("esptun %s\n", ESPTUN_VERSION);
			free(args);
			return 0;
		} else {
			cmd = nargs ? find_command(args[0]) : NULL;
			free(args);
			return cli_usage_err(cmd, "unknown option \"%s\"", a);
		}
	}

	if (nargs && !strcmp(args[0], "help")) {
		if (nargs > 2) {
			free(args);
			return cli_usage_err(NULL, "help takes at most one command");
		}
		help = true;
		memmove(args, args + 1, sizeof(*args) * (size_t)nargs);
		nargs--;
	}

	if (nargs == 0) {
		usage(help ? stdout : stderr);
		free(args);
		return help ? 0 : EXIT_USAGE;
	}

	cmd = find_command(args[0]);
	if (!cmd) {
		cli_err("unknown command \"%s\"; `esptun --help` lists the commands",
			args[0]);
		free(args);
		return EXIT_USAGE;
	}
	if (opts.socket && !cmd->takes_socket) {
		free(args);
		return cli_usage_err(cmd, "-s/--socket is for `esptun ike` only");
	}
	if (help) {
		fputs(cmd->usage, stdout);
		free(args);
		return 0;
	}
	i = cmd->run(&opts, nargs - 1, args + 1);
	free(args);
	return i;
}
