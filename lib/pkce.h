/* Proof Key for Code Exchange (RFC 7636). */
#ifndef PROAUTH2_LIB_PKCE_H
#define PROAUTH2_LIB_PKCE_H

#include <stdbool.h>

#include "internal.h"

/* A verifier or challenge: 43 to 128 unreserved characters (§4.1). */
bool pkce_string_ok(const char *s);

/* Check a code challenge and method (NULL means S256) at authorization;
 * *method receives the static method name to store. */
proauth2_status pkce_check_challenge(const proauth2_provider *p,
		const char *challenge, const char *method_in, const char **method,
		proauth2_error *err);

/* Whether verifier answers challenge under method (§4.6). */
bool pkce_verify(const char *challenge, const char *method, const char *verifier);

#endif
