/* Hashing and encoding: the unavoidable work of every code and token
 * (random secrets and their comparison are public: proauth2/secret.h). */
#ifndef PROAUTH2_LIB_CRYPTO_H
#define PROAUTH2_LIB_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include <proauth2/error.h>
#include <proauth2/secret.h>

/* 32 bytes base64url-encoded without padding. */
#define SECRET_LENGTH 43
/* A SHA-256 base64url-encoded without padding, plus NUL. */
#define HASH_SIZE 44

/* base64url without padding; out must hold 4 * ceil(len / 3) + 1 bytes. */
void base64url_encode(const unsigned char *in, size_t len, char *out);

/* What base64url_encode() writes for len bytes, NUL included. */
#define BASE64URL_ENCODED_SIZE(len) (4 * (((len) + 2) / 3) + 1)

/* The bytes that len characters of base64url decode to, at most. */
#define BASE64URL_DECODED_MAX(len) ((len) / 4 * 3 + 2)

/* Strict base64url: the len characters of in decoded into out (which holds
 * BASE64URL_DECODED_MAX(len) bytes), their number in *out_len. False, out
 * undefined, unless in is the one canonical unpadded encoding of some
 * bytes: no '=', no character outside the URL alphabet, no length of
 * 4k + 1, no set bit in the unused end of the last character. */
bool base64url_decode(const char *in, size_t len, unsigned char *out,
		size_t *out_len);

/* A random (version 4) UUID from OpenSSL's generator: libuuid's reseeds
 * libc's random() on every call, which cost more than the bytes. */
void uuid_random(unsigned char uuid[16]);

/* base64url(SHA-256(text)): the form in which a secret is stored, and the
 * RFC 7636 S256 code challenge of a verifier. */
proauth2_status sha256_base64url(const char *text, char out[HASH_SIZE],
		proauth2_error *err);

#endif
