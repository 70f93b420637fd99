/* Random secrets, hashing and encoding, on OpenSSL. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <proauth2/token.h>

#include "crypto.h"

void base64url_encode(const unsigned char *in, size_t len, char *out)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		*out++ = alphabet[v >> 18 & 63];
		*out++ = alphabet[v >> 12 & 63];
		*out++ = alphabet[v >> 6 & 63];
		*out++ = alphabet[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)in[i + 1] << 8;
		*out++ = alphabet[v >> 18 & 63];
		*out++ = alphabet[v >> 12 & 63];
		if (i + 1 < len)
			*out++ = alphabet[v >> 6 & 63];
	}
	*out = '\0';
}

proauth2_status proauth2_secret_new(char **out, proauth2_error *err)
{
	unsigned char raw[32];
	char *secret;

	*out = NULL;
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return proauth2_error_set(err, PROAUTH2_ERR_CRYPTO,
				"the random generator failed");
	secret = malloc(SECRET_LENGTH + 1);
	if (secret == NULL) {
		OPENSSL_cleanse(raw, sizeof(raw));
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	}
	base64url_encode(raw, sizeof(raw), secret);
	OPENSSL_cleanse(raw, sizeof(raw));
	*out = secret;
	return PROAUTH2_OK;
}

/* Append part to buf at *at: its length (all ones for NULL), then itself. */
static void put_part(unsigned char *buf, size_t *at, const char *part)
{
	uint64_t length = part == NULL ? UINT64_MAX : strlen(part);
	int i;

	for (i = 0; i < 8; i++)
		buf[(*at)++] = (unsigned char)(length >> (56 - 8 * i));
	if (part != NULL) {
		memcpy(buf + *at, part, (size_t)length);
		*at += (size_t)length;
	}
}

proauth2_status secret_derive(const char *key, const char *const parts[],
		size_t n_parts, char **out, proauth2_error *err)
{
	unsigned char raw[EVP_MAX_MD_SIZE], *message;
	unsigned int length = 0;
	size_t size = 0, at = 0, i;
	bool ok;

	*out = NULL;
	for (i = 0; i < n_parts; i++)
		size += 8 + (parts[i] != NULL ? strlen(parts[i]) : 0);
	message = malloc(size + 1);
	*out = malloc(SECRET_LENGTH + 1);
	if (message == NULL || *out == NULL) {
		free(message);
		free(*out);
		*out = NULL;
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < n_parts; i++)
		put_part(message, &at, parts[i]);
	ok = HMAC(EVP_sha256(), key, (int)strlen(key), message, at, raw,
			&length) != NULL && length == 32;
	OPENSSL_cleanse(message, at);
	free(message);
	if (ok)
		base64url_encode(raw, 32, *out);
	OPENSSL_cleanse(raw, sizeof(raw));
	if (ok)
		return PROAUTH2_OK;
	free(*out);
	*out = NULL;
	return proauth2_error_set(err, PROAUTH2_ERR_CRYPTO, "HMAC-SHA256 failed");
}

proauth2_status sha256_base64url(const char *text, char out[HASH_SIZE],
		proauth2_error *err)
{
	unsigned char digest[SHA256_DIGEST_LENGTH];

	if (SHA256((const unsigned char *)text, strlen(text), digest) == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_CRYPTO, "SHA-256 failed");
	base64url_encode(digest, sizeof(digest), out);
	return PROAUTH2_OK;
}

bool proauth2_secret_equal(const char *a, const char *b)
{
	size_t la, lb;

	if (a == NULL || b == NULL)
		return false;
	la = strlen(a);
	lb = strlen(b);
	/* Compare la bytes either way, so that a length mismatch takes as
	 * long as a content mismatch. */
	return (CRYPTO_memcmp(a, la == lb ? b : a, la) == 0) & (la == lb);
}

void proauth2_secret_free(char *secret)
{
	if (secret == NULL)
		return;
	OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
}
