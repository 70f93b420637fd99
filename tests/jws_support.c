/* Reading compact JWS in tests (jws_support.h). */
#include <string.h>

#include <check.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "jws_support.h"
#include "support.h"

size_t b64url_decode(const char *s, size_t len, unsigned char *out,
		size_t size)
{
	char b64[8192];
	size_t k;
	int n;

	ck_assert_uint_lt(len + 4, sizeof(b64));
	for (k = 0; k < len; k++)
		b64[k] = s[k] == '-' ? '+' : s[k] == '_' ? '/' : s[k];
	while (k % 4 != 0)
		b64[k++] = '=';
	b64[k] = '\0';
	ck_assert_uint_ge(size, k / 4 * 3);
	n = EVP_DecodeBlock(out, (unsigned char *)b64, (int)k);
	ck_assert_int_ge(n, 0);
	/* EVP_DecodeBlock counts the padding's bytes too. */
	return (size_t)n - (k - len);
}

json_t *jws_part(const char *token, int i)
{
	const char *s = token;
	unsigned char raw[8192];
	size_t len;
	json_t *doc;

	while (i-- > 0)
		s = strchr(s, '.') + 1;
	len = b64url_decode(s, strcspn(s, "."), raw, sizeof(raw));
	doc = json_loadb((char *)raw, len, 0, NULL);
	ck_assert_msg(doc != NULL, "not JSON: %.*s", (int)len, raw);
	return doc;
}

const char *member(const json_t *doc, const char *name)
{
	return json_string_value(json_object_get(doc, name));
}

json_t *published_jwk(const char *kid)
{
	char *text = NULL;
	json_t *set, *key, *found = NULL;
	size_t i;

	ck_assert_int_eq(proauth2_signing_keys_jwks(env.provider, &text, NULL),
			PROAUTH2_OK);
	set = json_loads(text, 0, NULL);
	json_array_foreach(json_object_get(set, "keys"), i, key)
		if (strcmp(member(key, "kid"), kid) == 0)
			found = json_incref(key);
	json_decref(set);
	free(text);
	return found;
}

/* An RSA public key from a JWK's n and e. */
static EVP_PKEY *rsa_key(const json_t *jwk)
{
	unsigned char n[1024], e[16];
	size_t n_len = b64url_decode(member(jwk, "n"), strlen(member(jwk, "n")),
			n, sizeof(n));
	size_t e_len = b64url_decode(member(jwk, "e"), strlen(member(jwk, "e")),
			e, sizeof(e));
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *bn_n = BN_bin2bn(n, (int)n_len, NULL), *bn_e = BN_bin2bn(e, (int)e_len, NULL);
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *key = NULL;

	ck_assert(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n));
	ck_assert(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e));
	params = OSSL_PARAM_BLD_to_param(bld);
	ck_assert_int_eq(EVP_PKEY_fromdata_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params), 1);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	EVP_PKEY_CTX_free(ctx);
	return key;
}

bool signature_verifies(const char *token)
{
	json_t *header = jws_part(token, 0);
	json_t *jwk = published_jwk(member(header, "kid"));
	const char *sig = strrchr(token, '.') + 1;
	unsigned char raw[1024];
	size_t raw_len = b64url_decode(sig, strlen(sig), raw, sizeof(raw));
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY *key;
	int ok;

	ck_assert_str_eq(member(header, "alg"), "RS256");
	ck_assert_msg(jwk != NULL, "kid %s is not in the JWKS", member(header, "kid"));
	key = rsa_key(jwk);
	ck_assert_int_eq(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key), 1);
	ok = EVP_DigestVerify(md, raw, raw_len, (const unsigned char *)token,
			(size_t)(sig - 1 - token));
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	json_decref(jwk);
	json_decref(header);
	return ok == 1;
}
