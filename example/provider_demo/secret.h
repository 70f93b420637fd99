/* Random tokens, PKCE S256 and comparisons that leak no timing. */
#ifndef DEMO_SECRET_H
#define DEMO_SECRET_H

#include <stdbool.h>

/* 256 bits in base64url, unpadded: 43 characters and the NUL. */
#define SECRET_TOKEN_SIZE 44

/* Fill out with 256 fresh random bits. 0 on success, -1 if the CSPRNG
 * failed. */
int secret_token(char out[SECRET_TOKEN_SIZE]);

/* The PKCE S256 challenge of verifier (RFC 7636 §4.2). 0 on success. */
int secret_s256(const char *verifier, char out[SECRET_TOKEN_SIZE]);

/* Whether a and b are equal, in time that depends on neither's content
 * nor length. NULL equals nothing. */
bool secret_equal(const char *a, const char *b);

#endif
