/*
 * libFuzzer target for the JOSE parsers: compact JWS verification, public
 * JWKs and sealed keys. The first byte of an input picks what the rest is:
 *   t  a token, verified against the one key of each algorithm;
 *   s  "HEADER\nPAYLOAD", signed as given with the key the next byte picks
 *      (t mod 3) and then verified, so that what only a signed token
 *      reaches (the payload's parse) is fuzzed too;
 *   j  a public JWK;
 *   k  a sealed key, opened under a fixed KEK and kid "k".
 * A token that verifies must name its key's alg and carry a claims object.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jwk.h"
#include "jws.h"
#include "key_seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const jws_alg algs[] = {JWS_ES256, JWS_EDDSA, JWS_RS256};
static EVP_PKEY *keys[3];
static jws_signer *signers[3];

/* Any kid names the key of the alg asked for: the mismatch paths are
 * reached through the key's type, not through the lookup. */
static EVP_PKEY *lookup(const char *kid, jws_alg alg, void *arg)
{
	EVP_PKEY *key = keys[alg == JWS_RS256 ? 2 : alg == JWS_EDDSA ? 1 : 0];

	(void)arg;
	if (strcmp(kid, "unknown") == 0 || EVP_PKEY_up_ref(key) != 1)
		return NULL;
	/* Now and then the wrong one, to reach the mismatch. */
	if (strcmp(kid, "other") == 0) {
		EVP_PKEY_free(key);
		key = keys[alg == JWS_ES256 ? 1 : 0];
		if (EVP_PKEY_up_ref(key) != 1)
			return NULL;
	}
	return key;
}

static void verify(const char *token, const EVP_PKEY *signer)
{
	json_t *header = NULL, *claims = NULL;
	jws_fault fault = JWS_FAULT_NONE;
	jws_alg alg;
	size_t i;

	if (jws_verify(token, lookup, NULL, &header, &claims, &fault, NULL) !=
			PROAUTH2_OK) {
		if (header != NULL || claims != NULL)
			abort();
		return;
	}
	if (fault != JWS_FAULT_NONE || !json_is_object(claims) ||
			!jws_alg_from_name(json_string_value(json_object_get(header,
							   "alg")),
					&alg))
		abort();
	for (i = 0; i < 3; i++)
		if (signer == keys[i] && algs[i] != alg)
			abort();
	json_decref(header);
	json_decref(claims);
}

static void sign_and_verify(const char *text, size_t len, unsigned pick)
{
	const char *newline = memchr(text, '\n', len);
	char *header, *token = NULL;
	size_t i = pick % 3;

	if (newline == NULL)
		return;
	header = strndup(text, (size_t)(newline - text));
	if (header == NULL)
		abort();
	if (jws_sign_compact(signers[i], header,
			    (const unsigned char *)newline + 1,
			    len - (size_t)(newline - text) - 1, &token,
			    NULL) != PROAUTH2_OK)
		abort();
	verify(token, keys[i]);
	free(token);
	free(header);
}

static void read_jwk(const char *text, size_t len)
{
	json_t *jwk = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	EVP_PKEY *key = NULL;
	jws_alg alg;

	if (jwk_public_key(jwk, &key, &alg, NULL) == PROAUTH2_OK &&
			!jws_key_fits(key, alg))
		abort();
	EVP_PKEY_free(key);
	json_decref(jwk);
}

static void open_sealed(const char *text)
{
	static const unsigned char kek[KEY_SEAL_KEK_SIZE] = {1, 2, 3};
	EVP_PKEY *key = NULL;

	if (key_open(text, kek, "k", &key, NULL) != PROAUTH2_OK && key != NULL)
		abort();
	EVP_PKEY_free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	size_t i;

	if (keys[0] == NULL)
		for (i = 0; i < 3; i++)
			if (jwk_generate(algs[i], &keys[i], NULL) != PROAUTH2_OK ||
					jws_signer_new(algs[i], keys[i], &signers[i],
							NULL) != PROAUTH2_OK)
				abort();
	if (size < 2)
		return 0;
	/* The rest as a C string; a NUL inside ends it, as in a header. */
	text = malloc(size);
	if (text == NULL)
		abort();
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0]) {
	case 't':
		verify(text, NULL);
		break;
	case 's':
		sign_and_verify(text + 1, strlen(text + 1), (unsigned char)text[0]);
		break;
	case 'j':
		read_jwk(text, size - 1);
		break;
	case 'k':
		open_sealed(text);
		break;
	}
	free(text);
	return 0;
}
