/* Compact JWS: signing, and verifying strictly enough that the token never
 * chooses its own key or algorithm. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <proauth2/backend.h>

#include "attributes.h"
#include "crypto.h"
#include "jws.h"

/* An ES256 signature: R and S, each 32 bytes big-endian (RFC 7518 §3.4). */
#define ES256_COORDINATE 32
#define ES256_SIGNATURE (2 * ES256_COORDINATE)
#define ED25519_SIGNATURE 64
/* An ECDSA-Sig-Value of two 32-byte integers: at most 72 bytes of DER. */
#define ES256_DER_MAX 80

/* Characters base64url needs for n bytes, NUL not counted. */
#define BASE64URL_LENGTH(n) (((n) + 2) / 3 * 4)

static const char *const alg_names[] = {
		[JWS_ES256] = "ES256",
		[JWS_EDDSA] = "EdDSA",
		[JWS_RS256] = "RS256",
};

const char *jws_alg_name(jws_alg alg)
{
	if ((unsigned)alg >= sizeof(alg_names) / sizeof(alg_names[0]))
		return NULL;
	return alg_names[alg];
}

bool jws_alg_from_name(const char *name, jws_alg *out)
{
	size_t i;

	if (name == NULL)
		return false;
	for (i = 0; i < sizeof(alg_names) / sizeof(alg_names[0]); i++)
		if (strcmp(name, alg_names[i]) == 0) {
			*out = (jws_alg)i;
			return true;
		}
	return false;
}

static bool is_p256(const EVP_PKEY *key)
{
	char group[32];

	return EVP_PKEY_is_a(key, "EC") &&
			EVP_PKEY_get_utf8_string_param(key,
					OSSL_PKEY_PARAM_GROUP_NAME, group,
					sizeof(group), NULL) == 1 &&
			strcmp(group, SN_X9_62_prime256v1) == 0;
}

bool jws_key_fits(const EVP_PKEY *key, jws_alg alg)
{
	if (key == NULL)
		return false;
	switch (alg) {
	case JWS_ES256:
		return is_p256(key);
	case JWS_EDDSA:
		return EVP_PKEY_is_a(key, "ED25519");
	case JWS_RS256:
		return EVP_PKEY_is_a(key, "RSA") &&
				EVP_PKEY_get_bits(key) >= JWS_RSA_MIN_BITS &&
				EVP_PKEY_get_bits(key) <= JWS_RSA_MAX_BITS;
	}
	return false;
}

static proauth2_status key_misfit(jws_alg alg, proauth2_error *err)
{
	const char *name = jws_alg_name(alg);

	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
			"the key is not one for %s", name ? name : "this algorithm");
}

/* The signature length the JWS carries for key under alg. */
static size_t signature_length(jws_alg alg, const EVP_PKEY *key)
{
	if (alg == JWS_ES256)
		return ES256_SIGNATURE;
	if (alg == JWS_EDDSA)
		return ED25519_SIGNATURE;
	return (size_t)EVP_PKEY_get_size(key);
}

/* One EVP_DigestSign or EVP_DigestVerify context for alg: SHA-256, except
 * for Ed25519, which hashes by itself (RFC 8032 PureEdDSA). */
static bool digest_init(EVP_MD_CTX *ctx, jws_alg alg, EVP_PKEY *key, bool sign)
{
	const EVP_MD *md = alg == JWS_EDDSA ? NULL : EVP_sha256();
	EVP_PKEY_CTX *pctx = NULL;
	int ok = sign ? EVP_DigestSignInit(ctx, &pctx, md, NULL, key) :
			EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key);

	if (ok != 1)
		return false;
	return alg != JWS_RS256 ||
			EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
}

/* OpenSSL's DER ECDSA-Sig-Value as the JWS's R || S. */
static bool ecdsa_der_to_raw(const unsigned char *der, size_t len,
		unsigned char raw[ES256_SIGNATURE])
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *s;
	bool ok;

	if (sig == NULL)
		return false;
	ECDSA_SIG_get0(sig, &r, &s);
	ok = BN_bn2binpad(r, raw, ES256_COORDINATE) == ES256_COORDINATE &&
			BN_bn2binpad(s, raw + ES256_COORDINATE, ES256_COORDINATE) ==
					ES256_COORDINATE;
	ECDSA_SIG_free(sig);
	return ok;
}

/* The JWS's R || S as the DER OpenSSL verifies, in der (ES256_DER_MAX). */
static bool ecdsa_raw_to_der(const unsigned char raw[ES256_SIGNATURE],
		unsigned char der[ES256_DER_MAX], size_t *der_len)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, ES256_COORDINATE, NULL);
	BIGNUM *s = BN_bin2bn(raw + ES256_COORDINATE, ES256_COORDINATE, NULL);
	unsigned char *p = der;
	int len;

	if (sig == NULL || r == NULL || s == NULL ||
			ECDSA_SIG_set0(sig, r, s) != 1) {
		ECDSA_SIG_free(sig);
		BN_free(r);
		BN_free(s);
		return false;
	}
	len = i2d_ECDSA_SIG(sig, NULL);
	if (len > 0 && len <= ES256_DER_MAX)
		len = i2d_ECDSA_SIG(sig, &p);
	ECDSA_SIG_free(sig);
	if (len <= 0 || len > ES256_DER_MAX)
		return false;
	*der_len = (size_t)len;
	return true;
}

struct jws_signer {
	jws_alg alg;
	EVP_MD_CTX *prepared;  /* copied for each signature, never signed with */
	unsigned references;   /* changed atomically */
};

proauth2_status jws_signer_new(jws_alg alg, EVP_PKEY *key, jws_signer **out,
		proauth2_error *err)
{
	jws_signer *signer;

	*out = NULL;
	if (!jws_key_fits(key, alg))
		return key_misfit(alg, err);
	if ((signer = calloc(1, sizeof(*signer))) == NULL ||
			(signer->prepared = EVP_MD_CTX_new()) == NULL) {
		free(signer);
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	}
	signer->alg = alg;
	signer->references = 1;
	if (!digest_init(signer->prepared, alg, key, true)) {
		jws_signer_free(signer);
		ERR_clear_error();
		return proauth2_error_set(err, PROAUTH2_ERR_CRYPTO,
				"%s signing could not start", jws_alg_name(alg));
	}
	*out = signer;
	return PROAUTH2_OK;
}

jws_signer *jws_signer_ref(jws_signer *signer)
{
	__atomic_add_fetch(&signer->references, 1, __ATOMIC_RELAXED);
	return signer;
}

void jws_signer_free(jws_signer *signer)
{
	if (signer == NULL ||
			__atomic_sub_fetch(&signer->references, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	EVP_MD_CTX_free(signer->prepared);
	free(signer);
}

jws_alg jws_signer_alg(const jws_signer *signer)
{
	return signer->alg;
}

/* A context that signs once, copied from prepared; NULL if OpenSSL fails.
 * A context made by EVP_DigestSignInit has no digest of its own yet:
 * copying one needs OpenSSL 3.0.1 or later (meson.build). FINALISE: it
 * signs once, so its final step need not copy it again to stay usable. */
static EVP_MD_CTX *context_copy(const EVP_MD_CTX *prepared)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL)
		return NULL;
	if (EVP_MD_CTX_copy_ex(ctx, prepared) != 1) {
		EVP_MD_CTX_free(ctx);
		return NULL;
	}
	EVP_MD_CTX_set_flags(ctx, EVP_MD_CTX_FLAG_FINALISE);
	return ctx;
}

proauth2_status jws_sign_bytes(const jws_signer *signer,
		const unsigned char *input, size_t len,
		unsigned char sig[JWS_SIGNATURE_MAX], size_t *sig_len,
		proauth2_error *err)
{
	unsigned char der[ES256_DER_MAX];
	jws_alg alg = signer->alg;
	EVP_MD_CTX *ctx = context_copy(signer->prepared);
	size_t n = alg == JWS_ES256 ? sizeof(der) : JWS_SIGNATURE_MAX;
	bool ok = ctx != NULL &&
			EVP_DigestSign(ctx, alg == JWS_ES256 ? der : sig, &n, input,
					len) == 1;

	EVP_MD_CTX_free(ctx);
	if (ok && alg == JWS_ES256) {
		ok = ecdsa_der_to_raw(der, n, sig);
		n = ES256_SIGNATURE;
	}
	if (!ok) {
		ERR_clear_error();
		return proauth2_error_set(err, PROAUTH2_ERR_CRYPTO,
				"%s signing failed", jws_alg_name(alg));
	}
	*sig_len = n;
	return PROAUTH2_OK;
}

proauth2_status jws_verify_bytes(jws_alg alg, EVP_PKEY *key,
		const unsigned char *input, size_t len, const unsigned char *sig,
		size_t sig_len, proauth2_error *err)
{
	unsigned char der[ES256_DER_MAX];
	EVP_MD_CTX *ctx;
	int verdict;

	if (!jws_key_fits(key, alg))
		return key_misfit(alg, err);
	/* A signature of any other length is no signature of alg's. */
	if (sig_len != signature_length(alg, key))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
				"the %s signature is %zu bytes, not %zu",
				jws_alg_name(alg), sig_len,
				signature_length(alg, key));
	if (alg == JWS_ES256) {
		if (!ecdsa_raw_to_der(sig, der, &sig_len))
			return proauth2_error_set(err, PROAUTH2_ERR_NOMEM,
					"out of memory");
		sig = der;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	if (!digest_init(ctx, alg, key, false)) {
		EVP_MD_CTX_free(ctx);
		ERR_clear_error();
		return proauth2_error_set(err, PROAUTH2_ERR_CRYPTO,
				"%s verification could not start",
				jws_alg_name(alg));
	}
	verdict = EVP_DigestVerify(ctx, sig, sig_len, input, len);
	EVP_MD_CTX_free(ctx);
	if (verdict == 1)
		return PROAUTH2_OK;
	/* Leave no refusal behind in the thread's OpenSSL error queue. */
	ERR_clear_error();
	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
			"the %s signature does not verify", jws_alg_name(alg));
}

proauth2_status jws_sign_compact(const jws_signer *signer, const char *header,
		const unsigned char *payload, size_t len, char **out,
		proauth2_error *err)
{
	unsigned char sig[JWS_SIGNATURE_MAX];
	size_t header_len, sig_len = 0, input_len;
	proauth2_status status;
	char *text, *p;

	*out = NULL;
	if (header == NULL || (payload == NULL && len > 0))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"a JWS needs a header and a payload");
	header_len = strlen(header);
	if (header_len > SIZE_MAX / 8 || len > SIZE_MAX / 8)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"the JWS would be too long");
	text = malloc(BASE64URL_LENGTH(header_len) + BASE64URL_LENGTH(len) +
			BASE64URL_LENGTH(JWS_SIGNATURE_MAX) + 3);
	if (text == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	base64url_encode((const unsigned char *)header, header_len, text);
	p = text + strlen(text);
	*p++ = '.';
	base64url_encode(payload, len, p);
	p += strlen(p);
	input_len = (size_t)(p - text);
	status = jws_sign_bytes(signer, (const unsigned char *)text, input_len,
			sig, &sig_len, err);
	if (status != PROAUTH2_OK) {
		free(text);
		return status;
	}
	*p++ = '.';
	base64url_encode(sig, sig_len, p);
	*out = text;
	return PROAUTH2_OK;
}

proauth2_status jws_sign(const jws_signer *signer, const char *kid,
		const char *typ, const json_t *claims, char **out,
		proauth2_error *err)
{
	const char *alg = jws_alg_name(signer->alg);
	proauth2_status status = PROAUTH2_OK;
	char *header = NULL, *payload = NULL;
	json_t *fields;

	*out = NULL;
	if (!json_is_object(claims) || kid == NULL || *kid == '\0')
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"a JWS needs a claims object and a kid");
	/* Built member by member: jansson keeps this insertion order. */
	fields = typ != NULL ?
			json_pack("{s:s, s:s, s:s}", "alg", alg, "kid", kid,
					"typ", typ) :
			json_pack("{s:s, s:s}", "alg", alg, "kid", kid);
	if (fields != NULL)
		header = json_dumps(fields, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(fields);
	payload = json_dumps(claims, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (header == NULL || payload == NULL)
		status = proauth2_error_set(err, PROAUTH2_ERR_NOMEM,
				"out of memory (or a kid or typ that is not UTF-8)");
	if (status == PROAUTH2_OK)
		status = jws_sign_compact(signer, header,
				(const unsigned char *)payload, strlen(payload),
				out, err);
	free(header);
	free(payload);
	return status;
}

/* Refuses the token: fault for the caller, the detail in err. */
static proauth2_status refuse(jws_fault *fault, jws_fault why, proauth2_error *err,
		const char *detail)
{
	if (fault != NULL)
		*fault = why;
	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN, "%s", detail);
}

/* The len base64url characters at text, decoded into *out (free()) and
 * NUL-terminated after *out_len bytes. */
static proauth2_status decode_part(const char *text, size_t len,
		unsigned char **out, size_t *out_len, jws_fault *fault,
		proauth2_error *err)
{
	unsigned char *bytes = malloc(BASE64URL_DECODED_MAX(len) + 1);

	*out = NULL;
	if (bytes == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	if (!base64url_decode(text, len, bytes, out_len)) {
		free(bytes);
		return refuse(fault, JWS_FAULT_MALFORMED, err,
				"a JWS part is not canonical unpadded base64url");
	}
	bytes[*out_len] = '\0';
	*out = bytes;
	return PROAUTH2_OK;
}

/* bytes as a JSON object with no repeated member (other parsers might take
 * the other one) and bounded depth; NULL if they are not one. */
static json_t *parse_object(const unsigned char *bytes, size_t len)
{
	json_t *value = json_loadb((const char *)bytes, len, JSON_REJECT_DUPLICATES,
			NULL);

	if (json_is_object(value) &&
			json_depth_within(value, PROAUTH2_FIELD_MAX_DEPTH))
		return value;
	json_decref(value);
	return NULL;
}

/* The three parts of a compact JWS, pointing into the token. */
struct compact {
	const char *header, *payload, *signature;
	size_t header_len, payload_len, signature_len;
};

static bool split(const char *token, size_t len, struct compact *c)
{
	const char *end = token + len, *dot1, *dot2;

	if ((dot1 = memchr(token, '.', len)) == NULL)
		return false;
	dot2 = memchr(dot1 + 1, '.', (size_t)(end - dot1 - 1));
	if (dot2 == NULL || memchr(dot2 + 1, '.', (size_t)(end - dot2 - 1)) != NULL)
		return false;
	c->header = token;
	c->header_len = (size_t)(dot1 - token);
	c->payload = dot1 + 1;
	c->payload_len = (size_t)(dot2 - dot1 - 1);
	c->signature = dot2 + 1;
	c->signature_len = (size_t)(end - dot2 - 1);
	return true;
}

/* The header's alg and kid, held to the rules jws_verify() states. */
static proauth2_status check_header(const json_t *header, jws_alg *alg,
		const char **kid, jws_fault *fault, proauth2_error *err)
{
	const char *name = json_string_value(json_object_get(header, "alg"));

	if (!jws_alg_from_name(name, alg))
		return refuse(fault, JWS_FAULT_ALG_REFUSED, err,
				"the JWS alg is missing or not ES256, EdDSA or RS256");
	*kid = json_string_value(json_object_get(header, "kid"));
	if (*kid == NULL || **kid == '\0')
		return refuse(fault, JWS_FAULT_MALFORMED, err,
				"the JWS header has no kid string");
	/* We understand no extension, so one marked critical is refused
	 * (RFC 7515 §4.1.11). */
	if (json_object_get(header, "crit") != NULL)
		return refuse(fault, JWS_FAULT_MALFORMED, err,
				"the JWS header has crit");
	return PROAUTH2_OK;
}

proauth2_status jws_verify(const char *token, jws_key_lookup lookup, void *arg,
		json_t **header_out, json_t **claims_out, jws_fault *fault,
		proauth2_error *err)
{
	unsigned char *header_bytes = NULL, *payload = NULL, *sig = NULL;
	size_t len, header_len = 0, payload_len = 0, sig_len = 0;
	json_t *header = NULL, *claims = NULL;
	proauth2_status status = PROAUTH2_OK;
	EVP_PKEY *key = NULL;
	struct compact c;
	const char *kid = NULL;
	jws_alg alg = JWS_ALG_DEFAULT;

	if (header_out != NULL)
		*header_out = NULL;
	if (claims_out != NULL)
		*claims_out = NULL;
	if (fault != NULL)
		*fault = JWS_FAULT_NONE;
	if (token == NULL || lookup == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"jws_verify needs a token and a key lookup");
	len = strnlen(token, JWS_MAX_LENGTH + 1);
	if (len > JWS_MAX_LENGTH)
		return refuse(fault, JWS_FAULT_MALFORMED, err,
				"the JWS is too long");
	if (!split(token, len, &c))
		return refuse(fault, JWS_FAULT_MALFORMED, err,
				"a compact JWS has exactly three parts");
	status = decode_part(c.header, c.header_len, &header_bytes, &header_len,
			fault, err);
	if (status == PROAUTH2_OK &&
			(header = parse_object(header_bytes, header_len)) == NULL)
		status = refuse(fault, JWS_FAULT_MALFORMED, err,
				"the JWS header is not a JSON object held to our rules");
	if (status == PROAUTH2_OK)
		status = check_header(header, &alg, &kid, fault, err);
	if (status == PROAUTH2_OK)
		status = decode_part(c.payload, c.payload_len, &payload,
				&payload_len, fault, err);
	if (status == PROAUTH2_OK)
		status = decode_part(c.signature, c.signature_len, &sig, &sig_len,
				fault, err);
	if (status == PROAUTH2_OK && (key = lookup(kid, alg, arg)) == NULL)
		status = refuse(fault, JWS_FAULT_UNKNOWN_KEY, err,
				"no key is known by the JWS kid");
	/* The key's own algorithm decides, never the token. */
	if (status == PROAUTH2_OK && !jws_key_fits(key, alg))
		status = refuse(fault, JWS_FAULT_KEY_MISMATCH, err,
				"the JWS alg is not its key's");
	if (status == PROAUTH2_OK) {
		status = jws_verify_bytes(alg, key, (const unsigned char *)token,
				c.header_len + 1 + c.payload_len, sig, sig_len,
				err);
		if (status == PROAUTH2_ERR_INVALID_TOKEN && fault != NULL)
			*fault = JWS_FAULT_BAD_SIGNATURE;
	}
	if (status == PROAUTH2_OK &&
			(claims = parse_object(payload, payload_len)) == NULL)
		status = refuse(fault, JWS_FAULT_MALFORMED, err,
				"the JWS payload is not a JSON object held to our rules");
	EVP_PKEY_free(key);
	free(header_bytes);
	free(payload);
	free(sig);
	if (status != PROAUTH2_OK) {
		json_decref(header);
		json_decref(claims);
		return status;
	}
	if (header_out != NULL)
		*header_out = header;
	else
		json_decref(header);
	if (claims_out != NULL)
		*claims_out = claims;
	else
		json_decref(claims);
	return PROAUTH2_OK;
}
