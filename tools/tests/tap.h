/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP output for the tools' unit tests: one "ok N - ..." or "not ok N - ..."
 * line per check, a summary, and the exit status.  Each test program
 * includes it once.
 */
#ifndef ESPTUN_TESTS_TAP_H
#define ESPTUN_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int passed, failed;

/* Records one check; the description follows the printf format. */
static void __attribute__((format(printf, 2, 3)))
check(int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		passed++;
	else
		failed++;
	printf("%sok %d - ", ok ? "" : "not ", passed + failed);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The summary line; the exit status for main(). */
static int tap_done(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif /* ESPTUN_TESTS_TAP_H */
