/* Reading compact JWS in tests, as a relying party would: the parts
 * decoded without the library's own code. */
#ifndef PROAUTH2_TESTS_JWS_SUPPORT_H
#define PROAUTH2_TESTS_JWS_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* The len base64url characters of s decoded into out (size bytes);
 * their length. Fails the test on bad input or too little room. */
size_t b64url_decode(const char *s, size_t len, unsigned char *out,
		size_t size);

/* Part i (0 header, 1 claims) of a compact JWS, decoded: new reference. */
json_t *jws_part(const char *token, int i);

/* The string member name of doc, or NULL. Borrowed. */
const char *member(const json_t *doc, const char *name);

/* The provider's published JWK of kid, a new reference, or NULL. */
json_t *published_jwk(const char *kid);

/* Whether token's RS256 signature verifies with the provider's published
 * key its header names: what every relying party checks first. */
bool signature_verifies(const char *token);

#endif
