/* Random tokens, PKCE S256 and comparisons that leak no timing. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "secret.h"

static void base64url(const unsigned char *in, size_t len, char *out)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned long acc = 0;
	int bits = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		acc = (acc << 8 | in[i]) & 0xffffu;
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			*out++ = alphabet[(acc >> bits) & 63];
		}
	}
	if (bits > 0)
		*out++ = alphabet[(acc << (6 - bits)) & 63];
	*out = '\0';
}

int secret_token(char out[SECRET_TOKEN_SIZE])
{
	unsigned char raw[32];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	base64url(raw, sizeof(raw), out);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

int secret_s256(const char *verifier, char out[SECRET_TOKEN_SIZE])
{
	unsigned char digest[SHA256_DIGEST_LENGTH];

	if (SHA256((const unsigned char *)verifier, strlen(verifier), digest) == NULL)
		return -1;
	base64url(digest, sizeof(digest), out);
	return 0;
}

bool secret_equal(const char *a, const char *b)
{
	unsigned char da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];

	if (a == NULL || b == NULL)
		return false;
	/* Comparing digests makes the time independent of either length. */
	if (SHA256((const unsigned char *)a, strlen(a), da) == NULL ||
			SHA256((const unsigned char *)b, strlen(b), db) == NULL)
		return false;
	return CRYPTO_memcmp(da, db, sizeof(da)) == 0;
}
