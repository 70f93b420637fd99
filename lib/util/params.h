/* Request parameters as names[i]=values[i] (an authorization or
 * end-session request), and the query of a URL sent back. */
#ifndef PROAUTH2_UTIL_PARAMS_H
#define PROAUTH2_UTIL_PARAMS_H

#include <stddef.h>

#include <proauth2/error.h>

/* The most parameters a request may have. */
#define PARAMS_MAX 64

/* At most PARAMS_MAX parameters, none NULL (PROAUTH2_ERR_INVALID_ARGUMENT),
 * each UTF-8 and none repeated (RFC 6749 §3.1; PROAUTH2_ERR_INVALID_REQUEST). */
proauth2_status params_check(const char *const *names,
		const char *const *values, size_t n, proauth2_error *err);

/* The value of name, NULL if absent or empty (RFC 6749 §3.1). */
const char *params_get(const char *const *names, const char *const *values,
		size_t n, const char *name);

/* Append "name=value" percent-encoded (RFC 3986 unreserved kept) to *url,
 * after '?' or '&'. 0 on success. */
int params_append_query(char **url, const char *name, const char *value);

#endif
