/* Signing keys: generated with OpenSSL, published and read back as JWK. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "crypto.h"
#include "jwk.h"

#define P256_COORDINATE 32
#define ED25519_KEY 32
/* The largest RSA modulus, and its base64url with its NUL. */
#define RSA_MODULUS_MAX (JWS_RSA_MAX_BITS / 8)
#define RSA_MODULUS_TEXT (RSA_MODULUS_MAX / 3 * 4 + 4)
/* Public exponents beyond 64 bits are no one's. */
#define RSA_EXPONENT_MAX 8

proauth2_status jwk_generate(jws_alg alg, EVP_PKEY **out, proauth2_error *err)
{
	EVP_PKEY *key = NULL;

	*out = NULL;
	switch (alg) {
	case JWS_ES256:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case JWS_EDDSA:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case JWS_RS256:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
				(size_t)JWS_RSA_MIN_BITS);
		break;
	default:
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"no key is made for algorithm %d", (int)alg);
	}
	if (key == NULL) {
		ERR_clear_error();
		return proauth2_error_set(err, PROAUTH2_ERR_CRYPTO,
				"%s key generation failed", jws_alg_name(alg));
	}
	*out = key;
	return PROAUTH2_OK;
}

/* A BIGNUM parameter of key, base64url-encoded big-endian into text (of
 * RSA_MODULUS_TEXT): padded to pad bytes, or, for pad 0, as short as the
 * number is. */
static bool bn_param_base64url(const EVP_PKEY *key, const char *name, int pad,
		char text[RSA_MODULUS_TEXT])
{
	unsigned char bytes[RSA_MODULUS_MAX];
	BIGNUM *bn = NULL;
	int len = -1;

	if (EVP_PKEY_get_bn_param(key, name, &bn) != 1)
		return false;
	if (pad > 0)
		len = BN_bn2binpad(bn, bytes, pad);
	else if (BN_num_bytes(bn) <= RSA_MODULUS_MAX)
		len = BN_bn2bin(bn, bytes);
	BN_free(bn);
	if (len <= 0)
		return false;
	base64url_encode(bytes, (size_t)len, text);
	return true;
}

proauth2_status jwk_public(const EVP_PKEY *key, jws_alg alg, const char *kid,
		json_t **out, proauth2_error *err)
{
	char a[RSA_MODULUS_TEXT], b[RSA_MODULUS_TEXT];
	unsigned char raw[ED25519_KEY];
	size_t raw_len = sizeof(raw);
	const char *name = jws_alg_name(alg);
	json_t *jwk = NULL;
	bool ok = false;

	*out = NULL;
	if (!jws_key_fits(key, alg) || kid == NULL || *kid == '\0')
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"a JWK needs a kid and a key that fits its alg");
	switch (alg) {
	case JWS_ES256:
		ok = bn_param_base64url(key, OSSL_PKEY_PARAM_EC_PUB_X,
				     P256_COORDINATE, a) &&
				bn_param_base64url(key, OSSL_PKEY_PARAM_EC_PUB_Y,
						P256_COORDINATE, b);
		if (ok)
			jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
					"kty", "EC", "crv", "P-256", "x", a, "y", b,
					"kid", kid, "alg", name, "use", "sig");
		break;
	case JWS_EDDSA:
		ok = EVP_PKEY_get_raw_public_key(key, raw, &raw_len) == 1 &&
				raw_len == ED25519_KEY;
		if (ok) {
			base64url_encode(raw, raw_len, a);
			jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty",
					"OKP", "crv", "Ed25519", "x", a, "kid", kid,
					"alg", name, "use", "sig");
		}
		break;
	case JWS_RS256:
		ok = bn_param_base64url(key, OSSL_PKEY_PARAM_RSA_N, 0, a) &&
				bn_param_base64url(key, OSSL_PKEY_PARAM_RSA_E, 0,
						b);
		if (ok)
			jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty",
					"RSA", "n", a, "e", b, "kid", kid, "alg",
					name, "use", "sig");
		break;
	}
	if (!ok) {
		ERR_clear_error();
		return proauth2_error_set(err, PROAUTH2_ERR_CRYPTO,
				"the %s public key could not be read", name);
	}
	if (jwk == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM,
				"out of memory (or a kid that is not UTF-8)");
	*out = jwk;
	return PROAUTH2_OK;
}

/* A member of jwk decoded from canonical base64url into out (of max
 * bytes); false if missing, not a string or too long. */
static bool member_bytes(const json_t *jwk, const char *name, unsigned char *out,
		size_t max, size_t *len)
{
	const char *text = json_string_value(json_object_get(jwk, name));
	size_t text_len;

	if (text == NULL)
		return false;
	text_len = strlen(text);
	if (BASE64URL_DECODED_MAX(text_len) > max + 2)
		return false;
	return base64url_decode(text, text_len, out, len) && *len <= max;
}

static bool member_is(const json_t *jwk, const char *name, const char *value)
{
	const char *text = json_string_value(json_object_get(jwk, name));

	return text != NULL && strcmp(text, value) == 0;
}

/* The key OpenSSL makes of params, for the key type name. */
static EVP_PKEY *key_from_params(const char *name, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
	EVP_PKEY *key = NULL;
	bool ok = params != NULL && ctx != NULL &&
			EVP_PKEY_fromdata_init(ctx) == 1 &&
			EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;

	if (!ok) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return key;
}

static EVP_PKEY *ec_key(const json_t *jwk)
{
	/* The uncompressed point: 0x04 || x || y. */
	unsigned char point[1 + 2 * P256_COORDINATE + 2];
	OSSL_PARAM_BLD *bld;
	EVP_PKEY *key = NULL;
	size_t x_len, y_len;

	if (!member_is(jwk, "crv", "P-256") ||
			!member_bytes(jwk, "x", point + 1, P256_COORDINATE,
					&x_len) ||
			x_len != P256_COORDINATE ||
			!member_bytes(jwk, "y", point + 1 + P256_COORDINATE,
					P256_COORDINATE, &y_len) ||
			y_len != P256_COORDINATE)
		return NULL;
	point[0] = 0x04;
	/* OpenSSL refuses a point that is not on the curve. */
	if ((bld = OSSL_PARAM_BLD_new()) != NULL &&
			OSSL_PARAM_BLD_push_utf8_string(bld,
					OSSL_PKEY_PARAM_GROUP_NAME,
					SN_X9_62_prime256v1, 0) == 1 &&
			OSSL_PARAM_BLD_push_octet_string(bld,
					OSSL_PKEY_PARAM_PUB_KEY, point,
					1 + 2 * P256_COORDINATE) == 1)
		key = key_from_params("EC", bld);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

static EVP_PKEY *okp_key(const json_t *jwk)
{
	unsigned char x[ED25519_KEY + 2];
	size_t len;

	if (!member_is(jwk, "crv", "Ed25519") ||
			!member_bytes(jwk, "x", x, ED25519_KEY, &len) ||
			len != ED25519_KEY)
		return NULL;
	return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, len);
}

static EVP_PKEY *rsa_key(const json_t *jwk)
{
	unsigned char n[RSA_MODULUS_MAX + 2], e[RSA_EXPONENT_MAX + 2];
	size_t n_len, e_len;
	BIGNUM *bn_n = NULL, *bn_e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *key = NULL;

	/* Leading zeros are refused: RFC 7518 §6.3.1 forbids them. */
	if (!member_bytes(jwk, "n", n, RSA_MODULUS_MAX, &n_len) || n_len == 0 ||
			n[0] == 0 ||
			!member_bytes(jwk, "e", e, RSA_EXPONENT_MAX, &e_len) ||
			e_len == 0 || e[0] == 0)
		return NULL;
	bn_n = BN_bin2bn(n, (int)n_len, NULL);
	bn_e = BN_bin2bn(e, (int)e_len, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (bn_n != NULL && bn_e != NULL && bld != NULL &&
			OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
			OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
		key = key_from_params("RSA", bld);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	return key;
}

proauth2_status jwk_public_key(const json_t *jwk, EVP_PKEY **key, jws_alg *alg,
		proauth2_error *err)
{
	static const char *const private_members[] = {"d", "p", "q", "dp", "dq",
			"qi", "oth", "k"};
	EVP_PKEY *made = NULL;
	jws_alg kind;
	size_t i;

	*key = NULL;
	if (!json_is_object(jwk))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"a JWK is a JSON object");
	for (i = 0; i < sizeof(private_members) / sizeof(private_members[0]); i++)
		if (json_object_get(jwk, private_members[i]) != NULL)
			return proauth2_error_set(err,
					PROAUTH2_ERR_INVALID_ARGUMENT,
					"a public JWK has no \"%s\"",
					private_members[i]);
	if (member_is(jwk, "kty", "EC")) {
		kind = JWS_ES256;
		made = ec_key(jwk);
	} else if (member_is(jwk, "kty", "OKP")) {
		kind = JWS_EDDSA;
		made = okp_key(jwk);
	} else if (member_is(jwk, "kty", "RSA")) {
		kind = JWS_RS256;
		made = rsa_key(jwk);
	} else {
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"the JWK kty is not EC, OKP or RSA");
	}
	ERR_clear_error();
	if (made == NULL || !jws_key_fits(made, kind)) {
		EVP_PKEY_free(made);
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"the %s JWK does not describe a key we use",
				jws_alg_name(kind));
	}
	/* Optional members, but when there, they must agree. */
	if ((json_object_get(jwk, "alg") != NULL &&
				!member_is(jwk, "alg", jws_alg_name(kind))) ||
			(json_object_get(jwk, "use") != NULL &&
				!member_is(jwk, "use", "sig"))) {
		EVP_PKEY_free(made);
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"the JWK alg or use is not that of a %s signing key",
				jws_alg_name(kind));
	}
	*key = made;
	*alg = kind;
	return PROAUTH2_OK;
}
