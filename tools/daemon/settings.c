// SPDX-License-Identifier: GPL-2.0
/*
 * The strongSwan settings grammar: text to a tree of sections and
 * key/value pairs (see settings.h for the syntax).  A hand-written
 * equivalent of strongSwan's settings_lexer.l and settings_parser.y.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

#define MAX_DEPTH	32

struct lex {
	const char *p, *end;
	const char *file;
	int line;
	char *err;
	settings_warn_fn warn;
	void *arg;
};

struct buf {
	char *s;
	size_t len, cap;
};

static int __attribute__((format(printf, 3, 4)))
fail(struct lex *lx, int line, const char *fmt, ...)
{
	size_t off;
	va_list ap;

	off = snprintf(lx->err, SETTINGS_ERR_LEN, "%s:%d: ", lx->file, line);
	if (off < SETTINGS_ERR_LEN) {
		va_start(ap, fmt);
		vsnprintf(lx->err + off, SETTINGS_ERR_LEN - off, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Values may be secrets: never leave copies in freed memory. */
static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = malloc(cap);

		if (!p)
			return -1;
		if (b->s) {
			memcpy(p, b->s, b->len + 1);
			explicit_bzero(b->s, b->cap);
			free(b->s);
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
	return 0;
}

static bool at_end(const struct lex *lx)
{
	return lx->p >= lx->end;
}

/* Whitespace, newlines and comments, between entries. */
static void skip_ws(struct lex *lx)
{
	while (!at_end(lx)) {
		char c = *lx->p;

		if (c == '\n') {
			lx->line++;
		} else if (c == '#') {
			while (!at_end(lx) && *lx->p != '\n')
				lx->p++;
			continue;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		lx->p++;
	}
}

static bool name_char(char c)
{
	return c && !strchr("#{}=,:\".\t\r\n ", c);
}

/* A "quoted" value part; lx->p is past the opening quote. */
static int read_string(struct lex *lx, struct buf *b)
{
	int start = lx->line;
	char c;

	while (!at_end(lx)) {
		c = *lx->p++;
		if (c == '"')
			return 0;
		if (c == '\r')
			continue;
		if (c == '\n')
			lx->line++;
		if (c == '\\') {
			if (at_end(lx))
				break;
			c = *lx->p++;
			if (c == '\r' && !at_end(lx) && *lx->p == '\n')
				c = *lx->p++;
			if (c == '\n') {
				lx->line++;
				continue;	/* escaped end of line: join */
			}
			c = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
		}
		if (buf_add(b, &c, 1))
			return fail(lx, start, "out of memory");
	}
	return fail(lx, start, "unterminated string: missing '\"'");
}

/* After '=': to the end of the line, '#' or '}'. */
static char *read_value(struct lex *lx)
{
	struct buf b = { NULL, 0, 0 };
	int parts = 0;

	if (buf_add(&b, "", 0))
		goto oom;
	for (;;) {
		while (!at_end(lx) && strchr(" \t\r", *lx->p))
			lx->p++;
		if (at_end(lx) || strchr("\n#}", *lx->p))
			return b.s;
		if (parts++ && buf_add(&b, " ", 1))
			goto oom;
		if (*lx->p == '"') {
			lx->p++;
			if (read_string(lx, &b)) {
				wipe_free(b.s);
				return NULL;
			}
		} else {
			size_t n = 0;

			while (lx->p + n < lx->end &&
			       !strchr("#}\"\r\n\t ", lx->p[n]))
				n++;
			if (buf_add(&b, lx->p, n))
				goto oom;
			lx->p += n;
		}
	}
oom:
	wipe_free(b.s);
	fail(lx, lx->line, "out of memory");
	return NULL;
}

static struct set_node *find(struct set_node *sec, const char *name,
			     bool section)
{
	struct set_node *n;

	for (n = sec->child; n; n = n->next)
		if (!strcmp(n->name, name) && !n->value == section)
			return n;
	return NULL;
}

static struct set_node *append(struct set_node *sec, char *name, int line)
{
	struct set_node *n = calloc(1, sizeof(*n)), **pp;

	if (!n) {
		free(name);
		return NULL;
	}
	n->name = name;
	n->line = line;
	for (pp = &sec->child; *pp; pp = &(*pp)->next)
		;
	*pp = n;
	return n;
}

static int parse_section(struct lex *lx, struct set_node *sec, int depth)
{
	struct set_node *n, *old;
	char *name, *value, msg[SETTINGS_ERR_LEN];
	size_t len;
	int line;

	for (;;) {
		skip_ws(lx);
		if (at_end(lx)) {
			if (depth)
				return fail(lx, sec->line,
					    "%s: unterminated section: missing '}'",
					    sec->name);
			return 0;
		}
		if (*lx->p == '}') {
			if (!depth)
				return fail(lx, lx->line,
					    "unexpected '}': no section is open");
			lx->p++;
			return 0;
		}
		for (len = 0; lx->p + len < lx->end && name_char(lx->p[len]);
		     len++)
			;
		if (!len)
			return fail(lx, lx->line,
				    "unexpected '%c': expected a key or section name",
				    *lx->p);
		line = lx->line;
		name = strndup(lx->p, len);
		if (!name)
			return fail(lx, line, "out of memory");
		lx->p += len;
		if (!strcmp(name, "include") && !at_end(lx) &&
		    (*lx->p == ' ' || *lx->p == '\t')) {
			const char *q = lx->p;

			while (q < lx->end && (*q == ' ' || *q == '\t'))
				q++;
			if (q < lx->end && *q != '=' && *q != '{') {
				free(name);
				return fail(lx, line,
					    "include: not supported; esptund reads one file, put everything in it");
			}
		}
		skip_ws(lx);
		if (at_end(lx) || (*lx->p != '=' && *lx->p != '{')) {
			bool colon = !at_end(lx) && *lx->p == ':';

			fail(lx, line, colon ?
			     "%s: section references (NAME : TEMPLATE) are not supported" :
			     "%s: expected '=' or '{' after the name", name);
			free(name);
			return -1;
		}
		if (*lx->p++ == '=') {
			value = read_value(lx);
			if (!value) {
				free(name);
				return -1;
			}
			old = find(sec, name, false);
			if (old) {
				snprintf(msg, sizeof(msg),
					 "%s:%d: %s: overrides the value at line %d",
					 lx->file, line, name, old->line);
				if (lx->warn)
					lx->warn(lx->arg, msg);
				free(name);
				wipe_free(old->value);
				old->value = value;
				old->line = line;
				continue;
			}
			if (find(sec, name, true)) {
				fail(lx, line, "%s: both a key and a section",
				     name);
				wipe_free(value);
				free(name);
				return -1;
			}
			n = append(sec, name, line);
			if (!n) {
				wipe_free(value);
				return fail(lx, line, "out of memory");
			}
			n->value = value;
			continue;
		}
		old = find(sec, name, true);
		if (old || find(sec, name, false)) {
			fail(lx, line,
			     "%s: duplicate name (first at line %d)%s", name,
			     old ? old->line : find(sec, name, false)->line,
			     old ? "; strongSwan would merge the sections, esptun refuses" : "");
			free(name);
			return -1;
		}
		if (depth + 1 >= MAX_DEPTH) {
			free(name);
			return fail(lx, line, "sections nested too deep");
		}
		n = append(sec, name, line);
		if (!n)
			return fail(lx, line, "out of memory");
		if (parse_section(lx, n, depth + 1))
			return -1;
	}
}

struct set_node *settings_parse(const char *file, const char *text,
				size_t len, settings_warn_fn warn, void *arg,
				char *err)
{
	struct lex lx = {
		.p = text, .end = text + len, .file = file, .line = 1,
		.err = err, .warn = warn, .arg = arg,
	};
	struct set_node *root = calloc(1, sizeof(*root));

	err[0] = 0;
	if (!root || !(root->name = strdup(""))) {
		free(root);
		snprintf(err, SETTINGS_ERR_LEN, "%s: out of memory", file);
		return NULL;
	}
	if (memchr(text, 0, len)) {
		int line = 1;
		const char *q;

		for (q = text; *q; q++)
			line += *q == '\n';
		fail(&lx, line, "NUL byte in the text");
		settings_free(root);
		return NULL;
	}
	if (parse_section(&lx, root, 0)) {
		settings_free(root);
		return NULL;
	}
	return root;
}

void settings_free(struct set_node *n)
{
	struct set_node *next;

	for (; n; n = next) {
		next = n->next;
		settings_free(n->child);
		free(n->name);
		wipe_free(n->value);
		free(n);
	}
}
