/* The claims a client asks for by name (OpenID Connect Core §5.5), and
 * the host's claims of a user they are taken from. */
#ifndef PROAUTH2_LIB_CLAIMS_REQUEST_H
#define PROAUTH2_LIB_CLAIMS_REQUEST_H

#include "internal.h"

/*
 * The claims an authorization request's claims parameter (text, the JSON
 * object as sent; NULL: none) asks for individually, beyond its scopes:
 * their names, space-delimited, for UserInfo in *userinfo and for the
 * id_token in *id_token (free(); NULL: none asked). Each claim's request
 * (essential, value, values) is checked for its shape; the host reads it
 * from the parameter itself (an acr it must satisfy). Malformed:
 * PROAUTH2_ERR_INVALID_REQUEST, with why.
 */
proauth2_status claims_request_read(const char *text, char **userinfo,
		char **id_token, proauth2_error *err);

/* Whether the space-delimited names (NULL: none) hold claim. */
bool claims_request_has(const char *names, const char *claim);

/* Whether names is a list of claim names as the host may give them: at
 * most PROAUTH2_CLAIMS_REQUEST_MAX_CLAIMS printable words (NULL: none). */
bool claims_names_ok(const char *names);

/* The names of a also in b, space-delimited, in *out (free(); NULL: none
 * in common). false when memory ran out. */
bool claims_names_common(const char *a, const char *b, char **out);

/* The names of a, then those of b not in a, in *out (free(); NULL: none).
 * false when memory ran out. */
bool claims_names_union(const char *a, const char *b, char **out);

/* The host's claims of user_id (config.user_claims), parsed, in *out (a
 * new reference; NULL when the host gives none). A user the host no longer
 * knows: PROAUTH2_ERR_INVALID_TOKEN; its text no JSON object:
 * PROAUTH2_ERR_INVALID_ARGUMENT. */
proauth2_status claims_of_user(proauth2_provider *p, const char *user_id,
		const char *client_id, const char *scope, json_t **out,
		proauth2_error *err);

#endif
