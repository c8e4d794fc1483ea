/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The strongSwan settings grammar (swanctl.conf, strongswan.conf) read
 * into a tree of sections and key/value pairs, with line numbers; no
 * meaning (config.c gives it).  As strongSwan's settings_lexer.l:
 *   name { ... }        sections, nested; the name may be on its own line
 *   key = value         to the end of the line, '#' or '}'; words are
 *                       joined by one space; "quoted" parts keep spaces,
 *                       know \n \r \t \<char> and may span lines
 *   # comment           to the end of the line
 * Refused: include, section references ("name : template"), and
 * duplicate sections (strongSwan merges them).  A repeated key overrides
 * the earlier one, as in strongSwan, with a warning.
 */
#ifndef ESPTUND_SETTINGS_H
#define ESPTUND_SETTINGS_H

#include <stddef.h>

#define SETTINGS_ERR_LEN	512

struct set_node {
	char *name;
	char *value;		/* NULL for a section */
	int line;
	int used;		/* set by whoever consumes the entry */
	struct set_node *child;	/* sections: entries in file order */
	struct set_node *next;
};

typedef void (*settings_warn_fn)(void *arg, const char *msg);

/*
 * Parses text (len bytes, need not be NUL-terminated) named file in
 * messages.  Returns the root section or NULL with "FILE:LINE: reason" in
 * err (SETTINGS_ERR_LEN bytes).
 */
struct set_node *settings_parse(const char *file, const char *text,
				size_t len, settings_warn_fn warn, void *arg,
				char *err);
void settings_free(struct set_node *n);

#endif /* ESPTUND_SETTINGS_H */
