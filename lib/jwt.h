/* JWT access tokens (RFC 9068): issued signed by the key set, validated
 * by signature alone (and the grant's revocation mark, if configured). */
#ifndef PROAUTH2_LIB_JWT_H
#define PROAUTH2_LIB_JWT_H

#include "grant.h"

/* Whether token has a JWS's shape (three parts): such a token is checked
 * by its signature, never looked up by hash. */
bool jwt_shaped(const char *token);

/* Whether the access token for audience (NULL: none) is a JWT. */
bool jwt_wanted(proauth2_provider *p, const char *audience);

/* A JWT access token for t (its scope, audience, client, user, grant and
 * attributes) in *token (proauth2_secret_free()). */
proauth2_status jwt_issue(proauth2_provider *p, const grant_tokens *t,
		char **token, proauth2_error *err);

/* How many verified JWTs a provider keeps (jwt_verify()), each at most
 * JWT_VERIFIED_LENGTH_MAX bytes. Only tokens its own keys signed get in,
 * so their claims are its own few members: the cache holds at most 1 MiB
 * of token text plus the records and headers those claims made and each
 * signing key's public JWK. */
#define JWT_VERIFIED_ENTRIES 256
#define JWT_VERIFIED_LENGTH_MAX 4096

/* The token checked (signature by a published key, typ at+jwt, iss, exp,
 * iat, nbf; the grant's revocation mark when configured): on success
 * *record receives what it says in an access_tokens record's shape.
 * PROAUTH2_ERR_INVALID_TOKEN otherwise. */
proauth2_status jwt_verify(proauth2_provider *p, const char *token,
		json_t **record, proauth2_error *err);

#endif
