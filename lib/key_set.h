/* The provider's signing keys (RFC 9068 access tokens, id_tokens): made, published,
 * rotated and retired by themselves, agreed on by every process of one
 * datastore. docs/ARCHITECTURE.md ("Signing keys") argues the schedule. */
#ifndef PROAUTH2_LIB_KEY_SET_H
#define PROAUTH2_LIB_KEY_SET_H

#include <openssl/evp.h>

#include "internal.h"
#include "jws.h"

/* "k<rotation period number>" or "k<n>x<m>" for the m-th retired at once,
 * "<alg>-" before it for an algorithm other than config.signing_alg's. */
#define KEY_ID_SIZE 32

typedef struct key_set key_set;

key_set *key_set_new(void);
void key_set_free(key_set *set);

/* The algorithm of config.signing_alg: access tokens' and the default. */
jws_alg key_set_default_alg(const proauth2_provider *p);

/* Whether the set keeps keys of alg: config.signing_alg's, and RS256 for
 * OpenID Connect. */
bool key_set_has_alg(const proauth2_provider *p, jws_alg alg);

/* The key of alg to sign with now: its kid, and a signer of its own in
 * *signer (jws_signer_free()). Reads the datastore when the cached set is
 * older than config.key_cache_lifetime, and makes the keys the schedule
 * needs. An alg the set does not keep: PROAUTH2_ERR_INVALID_ARGUMENT. */
proauth2_status key_set_signer(proauth2_provider *p, jws_alg alg,
		char kid[KEY_ID_SIZE], jws_signer **signer, proauth2_error *err);

/* The published public key kid names for alg, a new reference, or NULL. A
 * kid not in the cached set reads the datastore again, at most once every
 * few seconds (a forged kid costs nothing more). */
EVP_PKEY *key_set_public(proauth2_provider *p, const char *kid, jws_alg alg);
/* The same key's public JWK as the datastore holds its text (free()),
 * found the same way: what a verified token is bound to (lib/jwt.c). NULL
 * when none, or memory ran out. */
char *key_set_public_jwk_text(proauth2_provider *p, const char *kid,
		jws_alg alg);
/* Whether the key kid names for alg, found the same way, is still the one
 * of jwk_text. */
bool key_set_publishes(proauth2_provider *p, const char *kid, jws_alg alg,
		const char *jwk_text);

/* The JWK Set of the published keys: a new reference in *out. */
proauth2_status key_set_jwks(proauth2_provider *p, json_t **out,
		proauth2_error *err);

/* Revoke each algorithm's key that signs now and make one that signs at
 * once. */
proauth2_status key_set_rotate_now(proauth2_provider *p, proauth2_error *err);

#endif
