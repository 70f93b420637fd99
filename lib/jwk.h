/* Signing keys and their public JWK (RFC 7517, RFC 7518 §6, RFC 8037 §2):
 * what a JWKS endpoint publishes and a key set generates. Internal.
 *
 * Every function here may be called from several threads at once. */
#ifndef PROAUTH2_LIB_JWK_H
#define PROAUTH2_LIB_JWK_H

#include <jansson.h>
#include <openssl/evp.h>

#include <proauth2/error.h>

#include "jws.h"

/* A new private key for alg in *out (EVP_PKEY_free()): P-256 for ES256,
 * Ed25519 for EdDSA, RSA of 2048 bits for RS256. An alg outside the enum:
 * PROAUTH2_ERR_INVALID_ARGUMENT; OpenSSL failing: PROAUTH2_ERR_CRYPTO. */
PROAUTH2_WARN_UNUSED proauth2_status jwk_generate(jws_alg alg, EVP_PKEY **out,
		proauth2_error *err);

/* The public JWK of key (private or public) under alg and kid, a new
 * reference in *out, members in this order:
 *   ES256  {"kty":"EC","crv":"P-256","x":..,"y":..,"kid","alg","use":"sig"}
 *          x and y 32 bytes each, left-padded with zeros;
 *   EdDSA  {"kty":"OKP","crv":"Ed25519","x":..,"kid","alg","use":"sig"};
 *   RS256  {"kty":"RSA","n":..,"e":..,"kid","alg","use":"sig"}, n and e
 *          big-endian without leading zeros.
 * Never a private member. kid is non-empty UTF-8. A key that does not fit
 * alg or no kid: PROAUTH2_ERR_INVALID_ARGUMENT; else PROAUTH2_ERR_NOMEM or
 * PROAUTH2_ERR_CRYPTO. */
PROAUTH2_WARN_UNUSED proauth2_status jwk_public(const EVP_PKEY *key, jws_alg alg,
		const char *kid, json_t **out, proauth2_error *err);

/* The public key a public JWK (borrowed) describes, in *key
 * (EVP_PKEY_free()), and its algorithm in *alg: kty EC with crv P-256 and
 * 32-byte x and y on the curve, OKP with crv Ed25519 and a 32-byte x, or
 * RSA with n and e without leading zeros and n of JWS_RSA_MIN_BITS to
 * JWS_RSA_MAX_BITS. Coordinates in canonical base64url; an "alg" member
 * must name that algorithm, a "use" member must be "sig"; a private member
 * ("d", "p", ...) is refused. Anything else:
 * PROAUTH2_ERR_INVALID_ARGUMENT. */
PROAUTH2_WARN_UNUSED proauth2_status jwk_public_key(const json_t *jwk,
		EVP_PKEY **key, jws_alg *alg, proauth2_error *err);

#endif
