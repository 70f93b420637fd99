/* Random secrets, hashing and encoding: the unavoidable work of every
 * code and token. */
#ifndef PROAUTH2_LIB_CRYPTO_H
#define PROAUTH2_LIB_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include <proauth2/error.h>

/* 32 bytes base64url-encoded without padding. */
#define PROAUTH2_SECRET_LENGTH 43
/* A SHA-256 base64url-encoded without padding, plus NUL. */
#define PROAUTH2_HASH_SIZE 44

/* base64url without padding; out must hold 4 * ceil(len / 3) + 1 bytes. */
void proauth2_base64url_encode(const unsigned char *in, size_t len, char *out);

/* A new 256-bit random secret, base64url; free with proauth2_secret_free(). */
proauth2_status proauth2_secret_new(char **out, proauth2_error *err);

/* base64url(SHA-256(text)): the form in which a secret is stored, and the
 * RFC 7636 S256 code challenge of a verifier. */
proauth2_status proauth2_hash(const char *text, char out[PROAUTH2_HASH_SIZE],
		proauth2_error *err);

/* Constant-time string equality (the lengths are not secret). */
bool proauth2_secure_equal(const char *a, const char *b);

#endif
