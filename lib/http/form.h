/* application/x-www-form-urlencoded bodies and query strings, strictly. */
#ifndef PROAUTH2_LIB_HTTP_FORM_H
#define PROAUTH2_LIB_HTTP_FORM_H

#include <stddef.h>

#include <proauth2/error.h>

#define FORM_MAX_PARAMS 64
#define FORM_MAX_LENGTH 65536

typedef struct form_param {
	char *name;
	char *value;
} form_param;

typedef struct form {
	form_param params[FORM_MAX_PARAMS];
	size_t n;
} form;

/* The one parameter that may be repeated (RFC 8707 §2): its values are
 * joined with spaces, and one holding a space is PROAUTH2_ERR_INVALID_TARGET. */
#define FORM_RESOURCE "resource"

/*
 * Parse len bytes of s (NULL or empty: no parameters). Refuses, with
 * PROAUTH2_ERR_INVALID_REQUEST: a bad percent escape, a decoded NUL or
 * invalid UTF-8, a parameter named twice (RFC 6749 §3.1, §3.2), more than
 * FORM_MAX_PARAMS parameters, input over FORM_MAX_LENGTH. A parameter sent
 * without value ("a&b=") counts as present with value "".
 * On success free the form with form_clear().
 */
proauth2_status form_parse(const char *s, size_t len, form *out, proauth2_error *err);

/* Parse len bytes of s as one JSON object whose members are all strings,
 * into out, with form_parse()'s bounds (size, count, UTF-8, no NUL, no
 * member named twice); PROAUTH2_ERR_INVALID_REQUEST otherwise. */
proauth2_status form_parse_json(const char *s, size_t len, form *out,
		proauth2_error *err);

/* Add from's parameters to into. One already in into with another value
 * is PROAUTH2_ERR_INVALID_REQUEST; with the same value it is taken once.
 * into keeps what it had on failure; the caller clears it. */
proauth2_status form_merge(form *into, const form *from, proauth2_error *err);

/* The value of name, or NULL if absent. An empty value counts as absent,
 * as RFC 6749 §3.1 asks. Borrowed. */
const char *form_get(const form *f, const char *name);

void form_clear(form *f);

/* Percent-decode len bytes of s (with '+' as space when plus_is_space)
 * into a new string; NULL on a bad escape, a NUL or invalid UTF-8. */
char *form_decode(const char *s, size_t len, int plus_is_space);

#endif
