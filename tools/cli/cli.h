/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ESPTUN_CLI_H
#define ESPTUN_CLI_H

#include <stdbool.h>

/* Exit codes: 0 done, 1 the operation failed, 2 bad command line. */
#define EXIT_USAGE 2

struct cli_opts {
	bool json;
	bool pretty;
	const char *socket;	/* -s PATH: esptund's control socket */
};

struct cli_cmd {
	const char *name;
	const char *summary;
	const char *usage;	/* full help text of the command */
	int (*run)(const struct cli_opts *opts, int argc, char **argv);
	bool takes_socket;	/* accepts -s/--socket */
};

extern const struct cli_cmd cli_cmd_sa;
extern const struct cli_cmd cli_cmd_set;
extern const struct cli_cmd cli_cmd_show;
extern const struct cli_cmd cli_cmd_monitor;
extern const struct cli_cmd cli_cmd_ike;

void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_usage_err(const struct cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* ESPTUN_CLI_H */
