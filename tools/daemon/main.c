// SPDX-License-Identifier: GPL-2.0
/*
 * esptund: the esptun IKEv2 daemon.
 *
 * This file parses the command line; run.c runs the daemon.  IKE
 * negotiation arrives with the state machine: until then esptund loads its
 * configuration, opens its sockets and answers on its control socket.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "../../kmod/version.h"
#include "run.h"

#define DEFAULT_CONFIG	"/etc/esptun/esptund.conf"
#define DEFAULT_SOCKET	"/run/esptund.sock"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: esptund [OPTIONS]\n"
		"\n"
		"IKEv2 daemon for esptun interfaces.\n"
		"\n"
		"  -c, --config FILE   configuration, swanctl.conf syntax\n"
		"                      (default " DEFAULT_CONFIG ")\n"
		"  -s, --socket PATH   control socket for `esptun ike`\n"
		"                      (default " DEFAULT_SOCKET ")\n"
		"  -f, --foreground    do not detach; log to stderr\n"
		"  -h, --help          this help\n"
		"  -V, --version       print the version\n"
		"\n"
		"SIGHUP reloads the configuration, as `esptun ike load` does.\n"
		"This version does not negotiate IKE yet.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config",	required_argument, NULL, 'c' },
		{ "socket",	required_argument, NULL, 's' },
		{ "foreground",	no_argument,	   NULL, 'f' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "version",	no_argument,	   NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config = DEFAULT_CONFIG, *sock = DEFAULT_SOCKET;
	bool foreground = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:s:fhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("esptund %s (%s)\n", ESPTUN_VERSION,
			       OpenSSL_version(OPENSSL_VERSION));
			return 0;
		case ':':
			fprintf(stderr, "esptund: option %s needs an argument; try `esptund --help`\n",
				argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "esptund: unknown option \"%s\"; try `esptund --help`\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "esptund: unexpected argument \"%s\"; try `esptund --help`\n",
			argv[optind]);
		return 2;
	}

	return daemon_run(config, sock, foreground);
}
