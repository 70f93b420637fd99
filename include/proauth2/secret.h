/** \file
 * proauth2 — random secrets, their constant-time comparison, and the PKCE
 * challenge.
 *
 * What a host needs for its own session ids, CSRF tokens and test
 * clients, done as the library does it for codes and tokens.
 */
#ifndef PROAUTH2_SECRET_H
#define PROAUTH2_SECRET_H

#include <stdbool.h>

#include <proauth2/common.h>
#include <proauth2/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * 256 fresh bits from the CSPRNG, base64url-encoded without padding (43
 * characters). On success *out receives a new string, freed with
 * proauth2_secret_free(); on failure *out is NULL (PROAUTH2_ERR_CRYPTO when
 * the random generator fails). Thread-safe.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_secret_new(
		char **out, proauth2_error *err);

/** Whether a and b are the same string, in time that depends on neither
 * their content nor their lengths' difference. NULL equals nothing, not
 * even NULL. */
PROAUTH2_EXPORT bool proauth2_secret_equal(const char *a, const char *b);

/**
 * The RFC 7636 S256 code challenge of verifier: base64url(SHA-256(verifier))
 * without padding. verifier must be 43 to 128 unreserved characters (§4.1),
 * else PROAUTH2_ERR_INVALID_ARGUMENT. On success *challenge receives a new
 * string, freed with proauth2_secret_free(); on failure it is NULL.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_pkce_challenge(
		const char *verifier, char **challenge, proauth2_error *err);

/** Wipe and free a secret, code or token string the library returned.
 * Accepts NULL. */
PROAUTH2_EXPORT void proauth2_secret_free(char *secret);

#ifdef __cplusplus
}
#endif

#endif
