/* Private signing keys sealed with AES-256-GCM under the host's KEK. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "crypto.h"
#include "key_seal.h"

#define SEAL_PREFIX "v1."
#define SEAL_PREFIX_LENGTH (sizeof(SEAL_PREFIX) - 1)
#define SEAL_NONCE 12
#define SEAL_TAG 16

/* in (len bytes) encrypted or decrypted into out, with kid as
 * additional data; on decryption tag is checked, on encryption written. */
static bool gcm(bool encrypt, const unsigned char kek[KEY_SEAL_KEK_SIZE],
		const unsigned char nonce[SEAL_NONCE], const char *kid,
		const unsigned char *in, size_t len, unsigned char *out,
		unsigned char tag[SEAL_TAG])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	size_t kid_len = strlen(kid);
	int n = 0;
	bool ok;

	if (ctx == NULL || len > INT_MAX || kid_len > INT_MAX) {
		EVP_CIPHER_CTX_free(ctx);
		return false;
	}
	ok = EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, kek, nonce,
			encrypt) == 1;
	ok = ok && EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)kid,
			(int)kid_len) == 1;
	ok = ok && EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1;
	if (!encrypt)
		ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG,
				tag) == 1;
	/* Decrypting, this is where a wrong KEK, kid or byte shows. */
	ok = ok && EVP_CipherFinal_ex(ctx, out + n, &n) == 1;
	if (encrypt)
		ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG,
				tag) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

/* key's PKCS#8 DER in *der (OPENSSL_clear_free()), its length in *len. */
static bool pkcs8_der(const EVP_PKEY *key, unsigned char **der, size_t *len)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(key);
	int n;

	*der = NULL;
	if (p8 == NULL)
		return false;
	n = i2d_PKCS8_PRIV_KEY_INFO(p8, der);
	/* Its free wipes the private key it holds. */
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (n <= 0) {
		*der = NULL;
		return false;
	}
	*len = (size_t)n;
	return true;
}

proauth2_status key_seal(const EVP_PKEY *key,
		const unsigned char kek[KEY_SEAL_KEK_SIZE], const char *kid,
		char **out, proauth2_error *err)
{
	proauth2_status status = PROAUTH2_OK;
	unsigned char *der = NULL, *sealed = NULL;
	size_t der_len = 0, sealed_len = 0, text_size = 0;
	char *text = NULL;

	*out = NULL;
	if (key == NULL || kek == NULL || kid == NULL || *kid == '\0')
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"sealing needs a key, a KEK and a kid");
	if (!pkcs8_der(key, &der, &der_len))
		status = proauth2_error_set(err, PROAUTH2_ERR_CRYPTO,
				"the private key could not be encoded");
	if (status == PROAUTH2_OK) {
		sealed_len = SEAL_NONCE + der_len + SEAL_TAG;
		text_size = SEAL_PREFIX_LENGTH + (sealed_len + 2) / 3 * 4 + 1;
		if (text_size > KEY_SEAL_MAX_LENGTH + 1)
			status = proauth2_error_set(err,
					PROAUTH2_ERR_INVALID_ARGUMENT,
					"the private key is too large to seal");
	}
	if (status == PROAUTH2_OK) {
		sealed = malloc(sealed_len);
		text = malloc(text_size);
		if (sealed == NULL || text == NULL)
			status = proauth2_error_set(err, PROAUTH2_ERR_NOMEM,
					"out of memory");
	}
	if (status == PROAUTH2_OK && RAND_bytes(sealed, SEAL_NONCE) != 1)
		status = proauth2_error_set(err, PROAUTH2_ERR_CRYPTO,
				"the random generator failed");
	if (status == PROAUTH2_OK &&
			!gcm(true, kek, sealed, kid, der, der_len,
					sealed + SEAL_NONCE,
					sealed + SEAL_NONCE + der_len))
		status = proauth2_error_set(err, PROAUTH2_ERR_CRYPTO,
				"AES-256-GCM sealing failed");
	OPENSSL_clear_free(der, der_len);
	if (status == PROAUTH2_OK) {
		memcpy(text, SEAL_PREFIX, SEAL_PREFIX_LENGTH);
		base64url_encode(sealed, sealed_len, text + SEAL_PREFIX_LENGTH);
		*out = text;
		text = NULL;
	}
	ERR_clear_error();
	free(sealed);
	free(text);
	return status;
}

/* The private key of a PKCS#8 DER, nothing after it; NULL if none. */
static EVP_PKEY *pkcs8_key(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	PKCS8_PRIV_KEY_INFO *p8;
	EVP_PKEY *key = NULL;

	if (len > LONG_MAX)
		return NULL;
	p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
	if (p8 != NULL && p == der + len)
		key = EVP_PKCS82PKEY(p8);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return key;
}

proauth2_status key_open(const char *sealed_text,
		const unsigned char kek[KEY_SEAL_KEK_SIZE], const char *kid,
		EVP_PKEY **out, proauth2_error *err)
{
	unsigned char *sealed = NULL, *der = NULL;
	size_t text_len, sealed_len = 0, der_len = 0;
	proauth2_status status = PROAUTH2_OK;
	EVP_PKEY *key = NULL;

	*out = NULL;
	if (sealed_text == NULL || kek == NULL || kid == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"opening needs a sealed key, a KEK and a kid");
	text_len = strnlen(sealed_text, KEY_SEAL_MAX_LENGTH + 1);
	if (text_len > KEY_SEAL_MAX_LENGTH ||
			strncmp(sealed_text, SEAL_PREFIX, SEAL_PREFIX_LENGTH) != 0)
		return proauth2_error_set(err, PROAUTH2_ERR_CRYPTO,
				"not a sealed key of version 1");
	text_len -= SEAL_PREFIX_LENGTH;
	if ((sealed = malloc(BASE64URL_DECODED_MAX(text_len))) == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	if (!base64url_decode(sealed_text + SEAL_PREFIX_LENGTH, text_len, sealed,
			    &sealed_len) ||
			sealed_len <= SEAL_NONCE + SEAL_TAG)
		status = proauth2_error_set(err, PROAUTH2_ERR_CRYPTO,
				"the sealed key is truncated or not base64url");
	if (status == PROAUTH2_OK) {
		der_len = sealed_len - SEAL_NONCE - SEAL_TAG;
		if ((der = malloc(der_len)) == NULL)
			status = proauth2_error_set(err, PROAUTH2_ERR_NOMEM,
					"out of memory");
	}
	if (status == PROAUTH2_OK &&
			!gcm(false, kek, sealed, kid, sealed + SEAL_NONCE, der_len,
					der, sealed + SEAL_NONCE + der_len))
		status = proauth2_error_set(err, PROAUTH2_ERR_CRYPTO,
				"the sealed key does not open with this KEK and kid");
	if (status == PROAUTH2_OK && (key = pkcs8_key(der, der_len)) == NULL)
		status = proauth2_error_set(err, PROAUTH2_ERR_CRYPTO,
				"the sealed key holds no private key");
	/* GCM writes plaintext before it checks the tag: wipe it either way. */
	OPENSSL_clear_free(der, der_len);
	free(sealed);
	ERR_clear_error();
	if (status == PROAUTH2_OK)
		*out = key;
	return status;
}
