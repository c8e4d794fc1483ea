// SPDX-License-Identifier: GPL-2.0
/*
 * esptund: the esptun IKEv2 daemon.
 *
 * This file parses the command line; run.c runs the daemon
 * (Documentation/esptund.rst).
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
		"Usage: esptund [-c FILE] [-s SOCKET] [-f] [-d]\n"
		"       esptund [-c FILE] -t\n"
		"\n"
		"IKEv2 daemon for esptun interfaces: negotiates IKE and Child SAs\n"
		"with pre-shared keys or certificates (strongSwan interoperable)\n"
		"and installs the Child SAs into the esptun device each child\n"
		"names.  Control it with `esptun ike`.\n"
		"\n"
		"  -c, --config FILE   configuration, swanctl.conf syntax\n"
		"                      (default " DEFAULT_CONFIG ")\n"
		"  -s, --socket PATH   control socket for `esptun ike`\n"
		"                      (default " DEFAULT_SOCKET ")\n"
		"  -f, --foreground    do not detach; log to stderr, not syslog\n"
		"  -d, --debug         log debug messages too\n"
		"  -t, --test          check the configuration, with its\n"
		"                      certificates and keys, and exit: 0 if\n"
		"                      esptund would start with it\n"
		"  -h, --help          this help\n"
		"  -V, --version       print the version\n"
		"\n"
		"esptund needs root (CAP_NET_ADMIN, CAP_NET_BIND_SERVICE): it binds\n"
		"UDP ports 500 and 4500 and talks to the esptun kernel module.\n"
		"A configuration error stops it with exit status 1 and FILE:LINE.\n"
		"SIGHUP reloads the configuration, as `esptun ike load` does; a\n"
		"broken file is refused and the one in use kept.  SIGTERM and\n"
		"SIGINT delete the SAs and stop it.\n"
		"\n"
		"See Documentation/esptund.rst.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config",	required_argument, NULL, 'c' },
		{ "socket",	required_argument, NULL, 's' },
		{ "foreground",	no_argument,	   NULL, 'f' },
		{ "debug",	no_argument,	   NULL, 'd' },
		{ "test",	no_argument,	   NULL, 't' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "version",	no_argument,	   NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config = DEFAULT_CONFIG, *sock = DEFAULT_SOCKET;
	bool foreground = false, debug = false, test = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:s:fdthV", longopts, NULL)) != -1) {
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
		case 'd':
			debug = true;
			break;
		case 't':
			test = true;
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

	if (test)
		return daemon_check(config);
	return daemon_run(config, sock, foreground, debug);
}
