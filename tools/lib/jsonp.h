/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small strict JSON reader (RFC 8259) for esptund's control protocol:
 * the daemon reads requests with it, `esptun ike` the answers.  One value
 * per text, nesting at most JSONP_MAX_DEPTH deep, strings must be valid
 * UTF-8 (escapes decoded, \u0000 refused), duplicate keys refused.  Every
 * length is checked against the input; nothing is trusted.
 */
#ifndef ESPTUN_JSONP_H
#define ESPTUN_JSONP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSONP_MAX_DEPTH	16
#define JSONP_ERR_LEN	128

enum jv_type { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

struct jv {
	enum jv_type type;
	bool b;			/* JV_BOOL */
	bool is_u64;		/* JV_NUM: a non-negative integer below 2^64 */
	uint64_t u;		/* ... and its value */
	char *s;		/* JV_STR: decoded, NUL-terminated; JV_NUM: text */
	size_t len;		/* length of s */
	size_t n;		/* JV_ARR, JV_OBJ: number of items */
	struct jv *v;		/* the items */
	char **keys;		/* JV_OBJ: keys of the items, NUL-terminated */
};

/*
 * Parses text (len bytes, no NUL needed) as one JSON value, surrounded
 * by whitespace at most.  0, or -1 with "offset N: reason" in err.
 */
int jv_parse(const char *text, size_t len, struct jv *out, char *err,
	     size_t errlen);
void jv_free(struct jv *v);
/* The member called key of an object, or NULL. */
const struct jv *jv_get(const struct jv *obj, const char *key);
/* The string member key, or NULL if absent or not a string. */
const char *jv_str(const struct jv *obj, const char *key);
/* The integer member key, or def if absent or not a u64. */
uint64_t jv_u64(const struct jv *obj, const char *key, uint64_t def);

#endif /* ESPTUN_JSONP_H */
