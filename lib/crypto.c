/* Random secrets, hashing and encoding, on OpenSSL. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <uuid/uuid.h>

#include <proauth2/token.h>

#include "base64_digit.h"
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

bool base64url_decode(const char *in, size_t len, unsigned char *out,
		size_t *out_len)
{
	unsigned long bits = 0;
	int nbits = 0;
	size_t i, n = 0;

	if (len % 4 == 1)
		return false;
	for (i = 0; i < len; i++) {
		int v = base64_digit((unsigned char)in[i], '-', '_');

		if (v < 0)
			return false;
		bits = (bits << 6 | (unsigned)v) & 0xffff;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			out[n++] = (unsigned char)(bits >> nbits);
		}
	}
	/* Bits left over must be zero, or two texts would decode the same. */
	if (bits & ((1ul << nbits) - 1))
		return false;
	*out_len = n;
	return true;
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

void uuid_random(unsigned char uuid[16])
{
	if (RAND_bytes(uuid, 16) != 1)
		uuid_generate_random(uuid);  /* its own source, never failing */
	uuid[6] = (unsigned char)(0x40 | (uuid[6] & 0x0f));
	uuid[8] = (unsigned char)(0x80 | (uuid[8] & 0x3f));
}

/* SHA-256 fetched once: SHA256() looks the algorithm up in OpenSSL's
 * provider tables on every call, which cost more than the hash of a
 * secret. Kept for the life of the process. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

proauth2_status sha256_base64url(const char *text, char out[HASH_SIZE],
		proauth2_error *err)
{
	unsigned char digest[SHA256_DIGEST_LENGTH];

	pthread_once(&sha256_once, sha256_fetch);
	if (sha256_md == NULL || EVP_Digest(text, strlen(text), digest, NULL,
				sha256_md, NULL) != 1)
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
