/* JOSE under the engine: compact JWS signing and strict verification,
 * public JWKs, and private keys sealed at rest; with the RFCs' vectors. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <proauth2/proauth2.h>

#include "crypto.h"
#include "jwk.h"
#include "jws.h"
#include "key_seal.h"

/* RFC 8037 Appendix A.1 (the Ed25519 key) and A.4 (its JWS). */
#define RFC8037_D "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
#define RFC8037_X "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
#define RFC8037_A4_JWS                         \
	"eyJhbGciOiJFZERTQSJ9."                \
	"RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc." \
	"hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"

/* RFC 7515 Appendix A.3: the P-256 key and the ES256 JWS made with it. */
#define RFC7515_A3_X "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"
#define RFC7515_A3_Y "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
#define RFC7515_A3_D "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"
#define RFC7515_A3_JWS                                                     \
	"eyJhbGciOiJFUzI1NiJ9."                                            \
	"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt" \
	"cGxlLmNvbS9pc19yb290Ijp0cnVlfQ."                                  \
	"DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSA" \
	"pmWQxfKTUJqPP3-Kg6NU1Q"

static const jws_alg all_algs[] = {JWS_ES256, JWS_EDDSA, JWS_RS256};
/* A SubjectPublicKeyInfo in DER: an RSA key of 2048 bits takes 294 bytes. */
#define PUBLIC_KEY_DER_MAX 600
#define ALG_COUNT (sizeof(all_algs) / sizeof(all_algs[0]))

/* One key per algorithm, made once before the tests fork, and its signer. */
static EVP_PKEY *keys[ALG_COUNT];
static jws_signer *signers[ALG_COUNT];

/* What the lookup knows: one kid, one key, and what it was asked. */
struct keyring {
	const char *kid;
	EVP_PKEY *key;
	int calls;
	jws_alg asked;
};

static EVP_PKEY *lookup(const char *kid, jws_alg alg, void *arg)
{
	struct keyring *ring = arg;

	ring->calls++;
	ring->asked = alg;
	if (strcmp(kid, ring->kid) != 0 || EVP_PKEY_up_ref(ring->key) != 1)
		return NULL;
	return ring->key;
}

/* Made with OpenSSL directly, to test the engine's keys against. */
static EVP_PKEY *generate(jws_alg alg)
{
	EVP_PKEY *key = NULL;

	switch (alg) {
	case JWS_ES256:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case JWS_EDDSA:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case JWS_RS256:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		break;
	}
	return key;
}

/* A P-256 private key from its d alone: the point is computed here, so
 * what jwk_public() prints of it is checked against the RFC's x and y. */
static EVP_PKEY *p256_from_d(const char *d_text)
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *point = EC_POINT_new(group);
	unsigned char d[34], pub[65];
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *key = NULL;
	BIGNUM *priv;
	size_t n;

	ck_assert(base64url_decode(d_text, strlen(d_text), d, &n));
	ck_assert_uint_eq(n, 32);
	priv = BN_bin2bn(d, 32, NULL);
	ck_assert_int_eq(EC_POINT_mul(group, point, priv, NULL, NULL, NULL), 1);
	ck_assert_uint_eq(EC_POINT_point2oct(group, point,
					  POINT_CONVERSION_UNCOMPRESSED, pub,
					  sizeof(pub), NULL),
			65);
	ck_assert_int_eq(OSSL_PARAM_BLD_push_utf8_string(bld,
					 OSSL_PKEY_PARAM_GROUP_NAME,
					 SN_X9_62_prime256v1, 0),
			1);
	ck_assert_int_eq(
			OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv),
			1);
	ck_assert_int_eq(OSSL_PARAM_BLD_push_octet_string(bld,
					 OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)),
			1);
	params = OSSL_PARAM_BLD_to_param(bld);
	ck_assert_int_eq(EVP_PKEY_fromdata_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params), 1);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_clear_free(priv);
	EC_POINT_free(point);
	EC_GROUP_free(group);
	return key;
}

static json_t *sample_claims(void)
{
	json_t *claims = json_pack("{s:s, s:s, s:s, s:I, s:[s, s]}", "iss",
			"https://as.example", "sub", "alice", "client_id", "c1",
			"exp", (json_int_t)1767225600, "aud", "https://rs.example",
			"https://other.example");

	ck_assert_ptr_nonnull(claims);
	return claims;
}

static char *sign_sample(const jws_signer *signer, const char *kid)
{
	json_t *claims = sample_claims();
	char *token = NULL;

	ck_assert_int_eq(jws_sign(signer, kid, "at+jwt", claims, &token, NULL),
			PROAUTH2_OK);
	json_decref(claims);
	ck_assert_ptr_nonnull(token);
	return token;
}

/* The same, by a signer made of key for alg. */
static char *key_signs_sample(jws_alg alg, EVP_PKEY *key, const char *kid)
{
	jws_signer *signer = NULL;
	char *token;

	ck_assert_int_eq(jws_signer_new(alg, key, &signer, NULL), PROAUTH2_OK);
	token = sign_sample(signer, kid);
	jws_signer_free(signer);
	return token;
}

/* What jws_verify() makes of token with ring's one key. */
static jws_fault verify_fault(const char *token, struct keyring *ring)
{
	proauth2_error err = {0};
	json_t *header = NULL, *claims = NULL;
	jws_fault fault = JWS_FAULT_NONE;
	proauth2_status status;

	status = jws_verify(token, lookup, ring, &header, &claims, &fault, &err);
	if (status == PROAUTH2_OK) {
		ck_assert_ptr_nonnull(header);
		ck_assert_ptr_nonnull(claims);
		ck_assert_int_eq(fault, JWS_FAULT_NONE);
	} else {
		ck_assert_int_eq(status, PROAUTH2_ERR_INVALID_TOKEN);
		ck_assert_int_eq(err.status, PROAUTH2_ERR_INVALID_TOKEN);
		ck_assert_ptr_null(header);
		ck_assert_ptr_null(claims);
		ck_assert_int_ne(fault, JWS_FAULT_NONE);
	}
	json_decref(header);
	json_decref(claims);
	return fault;
}

/* Part index (0 header, 1 payload, 2 signature) of token, decoded into
 * out (of size bytes); its length. */
static size_t part_bytes(const char *token, int index, unsigned char *out,
		size_t size)
{
	const char *start = token, *end;
	size_t n = 0;

	while (index-- > 0)
		start = strchr(start, '.') + 1;
	end = strchr(start, '.');
	if (end == NULL)
		end = start + strlen(start);
	ck_assert_uint_le(BASE64URL_DECODED_MAX((size_t)(end - start)), size);
	ck_assert(base64url_decode(start, (size_t)(end - start), out, &n));
	return n;
}

/* token with part index replaced by the base64url of bytes (free()). */
static char *with_part(const char *token, int index, const void *bytes, size_t len)
{
	char *parts[3], *copy = strdup(token), *out, *p = copy;
	char *encoded = malloc(len / 3 * 4 + 5);
	int i;

	ck_assert_ptr_nonnull(copy);
	ck_assert_ptr_nonnull(encoded);
	for (i = 0; i < 3; i++) {
		parts[i] = p;
		p = strchr(p, '.');
		if (p != NULL)
			*p++ = '\0';
	}
	base64url_encode(bytes, len, encoded);
	parts[index] = encoded;
	out = malloc(strlen(token) + strlen(encoded) + 3);
	ck_assert_ptr_nonnull(out);
	sprintf(out, "%s.%s.%s", parts[0], parts[1], parts[2]);
	free(encoded);
	free(copy);
	return out;
}

static char *with_text_part(const char *token, int index, const char *text)
{
	return with_part(token, index, text, strlen(text));
}

START_TEST(alg_names_round_trip_and_others_are_refused)
{
	static const char *refused[] = {"none", "None", "NONE", "HS256", "es256",
			"EDDSA", "Ed25519", "RS256 ", "PS256", "ES384", ""};
	jws_alg alg;
	size_t i;

	for (i = 0; i < ALG_COUNT; i++) {
		ck_assert(jws_alg_from_name(jws_alg_name(all_algs[i]), &alg));
		ck_assert_int_eq(alg, all_algs[i]);
	}
	ck_assert_str_eq(jws_alg_name(JWS_ES256), "ES256");
	ck_assert_str_eq(jws_alg_name(JWS_EDDSA), "EdDSA");
	ck_assert_str_eq(jws_alg_name(JWS_RS256), "RS256");
	ck_assert_int_eq(JWS_ALG_DEFAULT, JWS_ES256);
	ck_assert_ptr_null(jws_alg_name((jws_alg)3));
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		ck_assert_msg(!jws_alg_from_name(refused[i], &alg), "%s",
				refused[i]);
	ck_assert(!jws_alg_from_name(NULL, &alg));
}
END_TEST

START_TEST(keys_fit_their_algorithm_only)
{
	EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	size_t i, j;

	for (i = 0; i < ALG_COUNT; i++)
		for (j = 0; j < ALG_COUNT; j++)
			ck_assert_int_eq(jws_key_fits(keys[i], all_algs[j]),
					i == j);
	ck_assert(!jws_key_fits(small, JWS_RS256));
	ck_assert(!jws_key_fits(p384, JWS_ES256));
	ck_assert(!jws_key_fits(NULL, JWS_ES256));
	EVP_PKEY_free(small);
	EVP_PKEY_free(p384);
}
END_TEST

START_TEST(each_algorithm_signs_and_verifies)
{
	jws_alg alg = all_algs[_i];
	struct keyring ring = {"key-1", keys[_i], 0, 0};
	json_t *header = NULL, *claims = NULL, *expected = sample_claims();
	unsigned char header_text[128];
	jws_fault fault = JWS_FAULT_BAD_SIGNATURE;
	char want[128], *token = sign_sample(signers[_i], "key-1");
	size_t n;

	/* The header: fixed members in a fixed order, compact. */
	n = part_bytes(token, 0, header_text, sizeof(header_text));
	snprintf(want, sizeof(want),
			"{\"alg\":\"%s\",\"kid\":\"key-1\",\"typ\":\"at+jwt\"}",
			jws_alg_name(alg));
	ck_assert_uint_eq(n, strlen(want));
	ck_assert_mem_eq(header_text, want, n);

	ck_assert_int_eq(jws_verify(token, lookup, &ring, &header, &claims, &fault,
					 NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(fault, JWS_FAULT_NONE);
	ck_assert_int_eq(ring.calls, 1);
	ck_assert_int_eq(ring.asked, alg);
	ck_assert(json_equal(claims, expected));
	ck_assert_str_eq(json_string_value(json_object_get(header, "alg")),
			jws_alg_name(alg));
	ck_assert_str_eq(json_string_value(json_object_get(header, "typ")),
			"at+jwt");
	ck_assert_str_eq(json_string_value(json_object_get(header, "kid")),
			"key-1");
	json_decref(header);
	json_decref(claims);
	json_decref(expected);

	/* Outputs may be declined. */
	ck_assert_int_eq(jws_verify(token, lookup, &ring, NULL, NULL, NULL, NULL),
			PROAUTH2_OK);
	free(token);
}
END_TEST

START_TEST(signatures_have_the_jws_lengths)
{
	static const size_t lengths[] = {64, 64, 256};
	unsigned char sig[JWS_SIGNATURE_MAX];
	char *token = sign_sample(signers[_i], "k");
	size_t sig_len = 0;

	ck_assert_uint_eq(part_bytes(token, 2, sig, sizeof(sig)), lengths[_i]);
	ck_assert_int_eq(jws_sign_bytes(signers[_i],
					 (const unsigned char *)"abc", 3, sig,
					 &sig_len, NULL),
			PROAUTH2_OK);
	ck_assert_uint_eq(sig_len, lengths[_i]);
	ck_assert_int_eq(jws_verify_bytes(all_algs[_i], keys[_i],
					 (const unsigned char *)"abc", 3, sig,
					 sig_len, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(jws_verify_bytes(all_algs[_i], keys[_i],
					 (const unsigned char *)"abd", 3, sig,
					 sig_len, NULL),
			PROAUTH2_ERR_INVALID_TOKEN);
	/* One byte short or over is no signature. */
	ck_assert_int_eq(jws_verify_bytes(all_algs[_i], keys[_i],
					 (const unsigned char *)"abc", 3, sig,
					 sig_len - 1, NULL),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(jws_verify_bytes(all_algs[_i], keys[_i],
					 (const unsigned char *)"abc", 3, sig,
					 sig_len + 1, NULL),
			PROAUTH2_ERR_INVALID_TOKEN);
	free(token);
}
END_TEST

/* A signer keeps its key: a reference signs, again and again, after the
 * key it was made of and the first reference are gone (lib/key_set.c hands
 * out references so that a reload may drop its own). Under ASan or
 * valgrind (tools/run-tests.sh), a key or context the signer did not hold
 * would be read after its free. */
START_TEST(signers_sign_after_their_key_and_first_holder_let_go)
{
	EVP_PKEY *key = generate(all_algs[_i]), *public_key = NULL;
	unsigned char sig[JWS_SIGNATURE_MAX], der[PUBLIC_KEY_DER_MAX];
	unsigned char *write = der;
	const unsigned char *read = der;
	jws_signer *signer = NULL, *held;
	int der_len;
	size_t sig_len = 0;

	/* The public half, to verify with once the private key is freed. */
	ck_assert_ptr_nonnull(key);
	ck_assert_int_le(i2d_PUBKEY(key, NULL), (int)sizeof(der));
	ck_assert_int_gt(der_len = i2d_PUBKEY(key, &write), 0);
	ck_assert_ptr_nonnull(public_key = d2i_PUBKEY(NULL, &read, der_len));
	ck_assert_int_eq(jws_signer_new(all_algs[_i], key, &signer, NULL), PROAUTH2_OK);
	EVP_PKEY_free(key);
	held = jws_signer_ref(signer);
	ck_assert_ptr_eq(held, signer);
	jws_signer_free(signer);
	ck_assert_int_eq(jws_signer_alg(held), all_algs[_i]);
	for (int round = 0; round < 3; round++) {
		ck_assert_int_eq(jws_sign_bytes(held, (const unsigned char *)"abc", 3,
						 sig, &sig_len, NULL),
				PROAUTH2_OK);
		ck_assert_int_eq(jws_verify_bytes(all_algs[_i], public_key,
						 (const unsigned char *)"abc", 3, sig,
						 sig_len, NULL),
				PROAUTH2_OK);
	}
	jws_signer_free(held);
	EVP_PKEY_free(public_key);
}
END_TEST

/* Threads sign with one signer at once (lib/jwt.c's callers do): every
 * signature verifies. */
#define SIGNING_THREADS 4
#define SIGNATURES_EACH 50

struct signing_thread {
	size_t alg;  /* an index of all_algs */
	int verified;
};

static void *sign_many(void *arg)
{
	struct signing_thread *t = arg;
	unsigned char sig[JWS_SIGNATURE_MAX];
	size_t sig_len;

	for (int i = 0; i < SIGNATURES_EACH; i++)
		if (jws_sign_bytes(signers[t->alg], (const unsigned char *)"abc", 3,
				    sig, &sig_len, NULL) == PROAUTH2_OK &&
				jws_verify_bytes(all_algs[t->alg], keys[t->alg],
						(const unsigned char *)"abc", 3, sig,
						sig_len, NULL) == PROAUTH2_OK)
			t->verified++;
	return NULL;
}

START_TEST(threads_sign_with_one_signer_at_once)
{
	pthread_t threads[SIGNING_THREADS];
	struct signing_thread work[SIGNING_THREADS];
	int i;

	for (i = 0; i < SIGNING_THREADS; i++) {
		work[i] = (struct signing_thread){(size_t)_i, 0};
		ck_assert_int_eq(pthread_create(&threads[i], NULL, sign_many,
						 &work[i]),
				0);
	}
	for (i = 0; i < SIGNING_THREADS; i++) {
		ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
		ck_assert_int_eq(work[i].verified, SIGNATURES_EACH);
	}
}
END_TEST

START_TEST(es256_signature_in_der_is_refused)
{
	unsigned char der[80], sig[JWS_SIGNATURE_MAX];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t der_len = sizeof(der), sig_len = 0;

	/* What OpenSSL makes by itself verifies with OpenSSL, but a JWS
	 * carries R || S (RFC 7518 §3.4). */
	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, keys[0]),
			1);
	ck_assert_int_eq(EVP_DigestSign(ctx, der, &der_len,
					 (const unsigned char *)"abc", 3),
			1);
	EVP_MD_CTX_free(ctx);
	ck_assert_uint_ne(der_len, 64);
	ck_assert_int_eq(jws_verify_bytes(JWS_ES256, keys[0],
					 (const unsigned char *)"abc", 3, der,
					 der_len, NULL),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(jws_sign_bytes(signers[0],
					 (const unsigned char *)"abc", 3, sig,
					 &sig_len, NULL),
			PROAUTH2_OK);
	ck_assert_uint_eq(sig_len, 64);
	ck_assert(memcmp(sig, der, 8) != 0);
}
END_TEST

START_TEST(tampered_payload_header_or_signature_is_refused)
{
	struct keyring ring = {"key-1", keys[_i], 0, 0};
	char *token = sign_sample(signers[_i], "key-1");
	char header[128], *forged;
	unsigned char sig[JWS_SIGNATURE_MAX];
	size_t sig_len;

	ck_assert_int_eq(verify_fault(token, &ring), JWS_FAULT_NONE);

	forged = with_text_part(token, 1,
			"{\"iss\":\"https://as.example\","
			"\"sub\":\"mallory\"}");
	ck_assert_int_eq(verify_fault(forged, &ring), JWS_FAULT_BAD_SIGNATURE);
	free(forged);

	snprintf(header, sizeof(header),
			"{\"alg\":\"%s\",\"kid\":\"key-1\","
			"\"typ\":\"JWT\"}",
			jws_alg_name(all_algs[_i]));
	forged = with_text_part(token, 0, header);
	ck_assert_int_eq(verify_fault(forged, &ring), JWS_FAULT_BAD_SIGNATURE);
	free(forged);

	sig_len = part_bytes(token, 2, sig, sizeof(sig));
	sig[sig_len / 2] ^= 0x01;
	forged = with_part(token, 2, sig, sig_len);
	ck_assert_int_eq(verify_fault(forged, &ring), JWS_FAULT_BAD_SIGNATURE);
	free(forged);

	/* Cut short: the length alone refuses it. */
	forged = with_part(token, 2, sig, sig_len - 1);
	ck_assert_int_eq(verify_fault(forged, &ring), JWS_FAULT_BAD_SIGNATURE);
	free(forged);
	forged = with_part(token, 2, "", 0);
	ck_assert_int_eq(verify_fault(forged, &ring), JWS_FAULT_BAD_SIGNATURE);
	free(forged);
	free(token);
}
END_TEST

START_TEST(alg_other_than_the_keys_is_refused)
{
	struct keyring ring = {"key-1", keys[0], 0, 0};
	char *token = sign_sample(signers[0], "key-1"), *forged;

	/* The lookup hands back the P-256 key whatever alg it is asked for:
	 * the key decides, not the token. */
	forged = with_text_part(token, 0, "{\"alg\":\"RS256\",\"kid\":\"key-1\"}");
	ck_assert_int_eq(verify_fault(forged, &ring), JWS_FAULT_KEY_MISMATCH);
	ck_assert_int_eq(ring.asked, JWS_RS256);
	free(forged);
	forged = with_text_part(token, 0, "{\"alg\":\"EdDSA\",\"kid\":\"key-1\"}");
	ck_assert_int_eq(verify_fault(forged, &ring), JWS_FAULT_KEY_MISMATCH);
	free(forged);
	free(token);

	/* An RS256 token presented as ES256 to its RSA key. */
	ring.key = keys[2];
	token = sign_sample(signers[2], "key-1");
	forged = with_text_part(token, 0, "{\"alg\":\"ES256\",\"kid\":\"key-1\"}");
	ck_assert_int_eq(verify_fault(forged, &ring), JWS_FAULT_KEY_MISMATCH);
	free(forged);
	free(token);
}
END_TEST

START_TEST(alg_none_and_unknown_algs_are_refused)
{
	static const char *headers[] = {
			"{\"alg\":\"none\",\"kid\":\"key-1\"}",
			"{\"alg\":\"HS256\",\"kid\":\"key-1\"}",
			"{\"alg\":\"es256\",\"kid\":\"key-1\"}",
			"{\"alg\":\"ES512\",\"kid\":\"key-1\"}",
			"{\"kid\":\"key-1\"}",
			"{\"alg\":null,\"kid\":\"key-1\"}",
			"{\"alg\":[\"ES256\"],\"kid\":\"key-1\"}",
	};
	struct keyring ring = {"key-1", keys[0], 0, 0};
	char *token = sign_sample(signers[0], "key-1"), *forged, *unsigned_;
	size_t i;

	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		forged = with_text_part(token, 0, headers[i]);
		ck_assert_int_eq(verify_fault(forged, &ring),
				JWS_FAULT_ALG_REFUSED);
		/* An unsecured JWS: an empty signature (RFC 7519 §6.1). */
		unsigned_ = strdup(forged);
		*(strrchr(unsigned_, '.') + 1) = '\0';
		ck_assert_int_eq(verify_fault(unsigned_, &ring),
				JWS_FAULT_ALG_REFUSED);
		free(unsigned_);
		free(forged);
	}
	/* Refused before any key is looked up. */
	ck_assert_int_eq(ring.calls, 0);
	free(token);
}
END_TEST

START_TEST(unknown_or_missing_kid_is_refused)
{
	struct keyring ring = {"key-1", keys[0], 0, 0};
	char *token = sign_sample(signers[0], "key-2"), *forged;

	ck_assert_int_eq(verify_fault(token, &ring), JWS_FAULT_UNKNOWN_KEY);
	ck_assert_int_eq(ring.calls, 1);
	forged = with_text_part(token, 0, "{\"alg\":\"ES256\"}");
	ck_assert_int_eq(verify_fault(forged, &ring), JWS_FAULT_MALFORMED);
	free(forged);
	forged = with_text_part(token, 0, "{\"alg\":\"ES256\",\"kid\":\"\"}");
	ck_assert_int_eq(verify_fault(forged, &ring), JWS_FAULT_MALFORMED);
	free(forged);
	forged = with_text_part(token, 0, "{\"alg\":\"ES256\",\"kid\":1}");
	ck_assert_int_eq(verify_fault(forged, &ring), JWS_FAULT_MALFORMED);
	free(forged);
	ck_assert_int_eq(ring.calls, 1);
	free(token);
}
END_TEST

START_TEST(padding_stray_characters_and_wrong_part_counts_are_refused)
{
	struct keyring ring = {"key-1", keys[0], 0, 0};
	char *token = sign_sample(signers[0], "key-1");
	size_t len = strlen(token), dot1 = strcspn(token, ".");
	char *bad = malloc(len + 8);

	ck_assert_ptr_nonnull(bad);
	/* ES256's 64 bytes take 86 characters: "==" would pad them. */
	sprintf(bad, "%s==", token);
	ck_assert_int_eq(verify_fault(bad, &ring), JWS_FAULT_MALFORMED);
	sprintf(bad, "%s=", token);
	ck_assert_int_eq(verify_fault(bad, &ring), JWS_FAULT_MALFORMED);
	sprintf(bad, "%s.", token);
	ck_assert_int_eq(verify_fault(bad, &ring), JWS_FAULT_MALFORMED);
	sprintf(bad, "%s.AAAA", token);
	ck_assert_int_eq(verify_fault(bad, &ring), JWS_FAULT_MALFORMED);
	sprintf(bad, "%s\n", token);
	ck_assert_int_eq(verify_fault(bad, &ring), JWS_FAULT_MALFORMED);
	sprintf(bad, " %s", token);
	ck_assert_int_eq(verify_fault(bad, &ring), JWS_FAULT_MALFORMED);
	/* '=' inside the header part, and the standard alphabet's '+'. */
	memcpy(bad, token, dot1);
	memcpy(bad + dot1, "=", 1);
	strcpy(bad + dot1 + 1, token + dot1);
	ck_assert_int_eq(verify_fault(bad, &ring), JWS_FAULT_MALFORMED);
	strcpy(bad, token);
	bad[len - 3] = '+';
	ck_assert_int_eq(verify_fault(bad, &ring), JWS_FAULT_MALFORMED);
	/* Two parts, one part, nothing. */
	strcpy(bad, token);
	*strrchr(bad, '.') = '\0';
	ck_assert_int_eq(verify_fault(bad, &ring), JWS_FAULT_MALFORMED);
	ck_assert_int_eq(verify_fault("eyJhbGciOiJFUzI1NiJ9", &ring),
			JWS_FAULT_MALFORMED);
	ck_assert_int_eq(verify_fault("", &ring), JWS_FAULT_MALFORMED);
	ck_assert_int_eq(verify_fault("..", &ring), JWS_FAULT_MALFORMED);
	ck_assert_int_eq(ring.calls, 0);
	free(bad);
	free(token);
}
END_TEST

START_TEST(non_canonical_base64url_is_refused)
{
	struct keyring ring = {"key-1", keys[0], 0, 0};
	char *token = sign_sample(signers[0], "key-1");
	size_t len = strlen(token);
	char last = token[len - 1];

	/* 86 characters carry 64 bytes and 4 spare bits, which must be 0:
	 * a last character one higher decodes to the same bytes. */
	ck_assert_int_eq(verify_fault(token, &ring), JWS_FAULT_NONE);
	token[len - 1] = last == 'A' ? 'B' :
			last == 'Q'  ? 'R' :
			last == 'g'  ? 'h' :
				       'x';
	ck_assert_int_eq(verify_fault(token, &ring), JWS_FAULT_MALFORMED);
	free(token);
}
END_TEST

START_TEST(repeated_members_are_refused)
{
	struct keyring ring = {"key-1", keys[0], 0, 0};
	char *token = sign_sample(signers[0], "key-1"), *forged;
	static const char payload[] = "{\"sub\":\"alice\",\"sub\":\"admin\"}";

	forged = with_text_part(token, 0,
			"{\"alg\":\"ES256\",\"kid\":\"key-1\",\"kid\":\"key-2\"}");
	ck_assert_int_eq(verify_fault(forged, &ring), JWS_FAULT_MALFORMED);
	free(forged);
	forged = with_text_part(token, 0,
			"{\"alg\":\"ES256\",\"alg\":\"ES256\",\"kid\":\"key-1\"}");
	ck_assert_int_eq(verify_fault(forged, &ring), JWS_FAULT_MALFORMED);
	free(forged);
	free(token);

	/* Validly signed, and still refused. */
	ck_assert_int_eq(jws_sign_compact(signers[0],
					 "{\"alg\":\"ES256\",\"kid\":\"key-1\"}",
					 (const unsigned char *)payload,
					 strlen(payload), &token, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(verify_fault(token, &ring), JWS_FAULT_MALFORMED);
	ck_assert_int_eq(ring.calls, 1);
	free(token);
}
END_TEST

START_TEST(header_and_payload_must_be_plain_json_objects)
{
	static const char *headers[] = {
			"[\"ES256\"]",
			"\"ES256\"",
			"",
			"{\"alg\":\"ES256\",\"kid\":\"key-1\"}x",
			"{\"alg\":\"ES256\",",
			"{\"alg\":\"ES256\",\"kid\":\"key-1\",\"crit\":[\"exp\"],\"exp\":1}",
			"{\"alg\":\"ES256\",\"kid\":\"key-1\",\"x\":[[[[[[[[[1]]]]]]]]]}",
	};
	static const char *payloads[] = {"[]", "\"alice\"", "", "{\"a\":1",
			"{\"x\":[[[[[[[[[1]]]]]]]]]}"};
	struct keyring ring = {"key-1", keys[0], 0, 0};
	char *token = sign_sample(signers[0], "key-1"), *forged;
	size_t i;

	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		forged = with_text_part(token, 0, headers[i]);
		ck_assert_msg(verify_fault(forged, &ring) == JWS_FAULT_MALFORMED,
				"%s", headers[i]);
		free(forged);
	}
	free(token);
	for (i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		ck_assert_int_eq(
				jws_sign_compact(signers[0],
						"{\"alg\":\"ES256\",\"kid\":\"key-1\"}",
						(const unsigned char *)payloads[i],
						strlen(payloads[i]), &token, NULL),
				PROAUTH2_OK);
		ck_assert_msg(verify_fault(token, &ring) == JWS_FAULT_MALFORMED,
				"%s", payloads[i]);
		free(token);
	}
	/* Eight deep is allowed, as for every stored field. */
	ck_assert_int_eq(
			jws_sign_compact(signers[0],
					"{\"alg\":\"ES256\",\"kid\":\"key-1\"}",
					(const unsigned char *)"{\"x\":[[[[[[1]]]]]]}",
					19, &token, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(verify_fault(token, &ring), JWS_FAULT_NONE);
	free(token);
}
END_TEST

START_TEST(overlong_tokens_are_refused_unread)
{
	struct keyring ring = {"key-1", keys[0], 0, 0};
	json_t *claims = json_pack("{s:s%}", "pad", "", (size_t)0);
	char *pad = malloc(JWS_MAX_LENGTH), *token = NULL;

	/* A validly signed token one byte over the limit. */
	ck_assert_ptr_nonnull(pad);
	memset(pad, 'a', JWS_MAX_LENGTH - 1);
	pad[JWS_MAX_LENGTH - 1] = '\0';
	ck_assert_ptr_nonnull(claims);
	for (size_t n = JWS_MAX_LENGTH * 3 / 4 - 200;; n++) {
		pad[n] = '\0';
		ck_assert_int_eq(json_object_set_new(claims, "pad",
						 json_string(pad)),
				0);
		pad[n] = 'a';
		ck_assert_int_eq(jws_sign(signers[0], "key-1", NULL, claims,
						 &token, NULL),
				PROAUTH2_OK);
		if (strlen(token) > JWS_MAX_LENGTH)
			break;
		ck_assert_int_eq(verify_fault(token, &ring), JWS_FAULT_NONE);
		free(token);
	}
	ck_assert_int_eq(verify_fault(token, &ring), JWS_FAULT_MALFORMED);
	free(token);
	free(pad);
	json_decref(claims);
}
END_TEST

START_TEST(signing_refuses_what_it_cannot_vouch_for)
{
	json_t *claims = sample_claims(), *array = json_array();
	proauth2_error err = {0};
	jws_signer *signer = (jws_signer *)"unset";
	char *token = (char *)"unset";
	unsigned char header[64];
	size_t n;

	/* No signer of a key for another algorithm. */
	ck_assert_int_eq(jws_signer_new(JWS_RS256, keys[0], &signer, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(signer);
	ck_assert_str_eq(err.text, "the key is not one for RS256");
	ck_assert_int_eq(jws_signer_new(JWS_ES256, NULL, &signer, NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(jws_sign(signers[0], NULL, NULL, claims, &token,
					 NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(jws_sign(signers[0], "", NULL, claims, &token,
					 NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(jws_sign(signers[0], "k", NULL, array, &token,
					 NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(
			jws_sign(signers[0], "k", NULL, NULL, &token, NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(token);
	/* Without typ, the header has two members. */
	ck_assert_int_eq(jws_sign(signers[1], "k", NULL, claims, &token,
					 NULL),
			PROAUTH2_OK);
	n = part_bytes(token, 0, header, sizeof(header));
	ck_assert_uint_eq(n, strlen("{\"alg\":\"EdDSA\",\"kid\":\"k\"}"));
	ck_assert_mem_eq(header, "{\"alg\":\"EdDSA\",\"kid\":\"k\"}", n);
	free(token);
	json_decref(claims);
	json_decref(array);
}
END_TEST

START_TEST(rfc8037_a4_ed25519_signature_is_reproduced)
{
	static const char header[] = "{\"alg\":\"EdDSA\"}";
	static const char payload[] = "Example of Ed25519 signing";
	unsigned char d[34], x[34], raw[32], sig[JWS_SIGNATURE_MAX];
	size_t d_len, x_len, raw_len = sizeof(raw), sig_len;
	EVP_PKEY *key, *pub;
	jws_signer *signer;
	const char *input_end = strrchr(RFC8037_A4_JWS, '.');
	char *token = NULL;

	ck_assert(base64url_decode(RFC8037_D, strlen(RFC8037_D), d, &d_len));
	ck_assert(base64url_decode(RFC8037_X, strlen(RFC8037_X), x, &x_len));
	key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, d, d_len);
	ck_assert_ptr_nonnull(key);
	/* A.2: the public key of d is x. */
	ck_assert_int_eq(EVP_PKEY_get_raw_public_key(key, raw, &raw_len), 1);
	ck_assert_uint_eq(raw_len, x_len);
	ck_assert_mem_eq(raw, x, x_len);

	/* A.4: Ed25519 is deterministic, so the JWS is the RFC's exactly. */
	ck_assert_int_eq(jws_signer_new(JWS_EDDSA, key, &signer, NULL), PROAUTH2_OK);
	ck_assert_int_eq(jws_sign_compact(signer, header,
					 (const unsigned char *)payload,
					 strlen(payload), &token, NULL),
			PROAUTH2_OK);
	jws_signer_free(signer);
	ck_assert_str_eq(token, RFC8037_A4_JWS);
	free(token);

	/* A.5: it verifies under x alone. */
	pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, x_len);
	ck_assert_ptr_nonnull(pub);
	sig_len = part_bytes(RFC8037_A4_JWS, 2, sig, sizeof(sig));
	ck_assert_int_eq(jws_verify_bytes(JWS_EDDSA, pub,
					 (const unsigned char *)RFC8037_A4_JWS,
					 (size_t)(input_end - RFC8037_A4_JWS), sig,
					 sig_len, NULL),
			PROAUTH2_OK);
	sig[0] ^= 0x80;
	ck_assert_int_eq(jws_verify_bytes(JWS_EDDSA, pub,
					 (const unsigned char *)RFC8037_A4_JWS,
					 (size_t)(input_end - RFC8037_A4_JWS), sig,
					 sig_len, NULL),
			PROAUTH2_ERR_INVALID_TOKEN);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(key);
}
END_TEST

START_TEST(rfc7515_a3_es256_jws_verifies_with_its_jwk)
{
	json_t *jwk = json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256",
			"x", RFC7515_A3_X, "y", RFC7515_A3_Y);
	const char *input_end = strrchr(RFC7515_A3_JWS, '.');
	size_t input_len = (size_t)(input_end - RFC7515_A3_JWS), sig_len;
	unsigned char sig[JWS_SIGNATURE_MAX];
	struct keyring ring = {"", NULL, 0, 0};
	EVP_PKEY *key = NULL;
	jws_alg alg = JWS_RS256;

	ck_assert_int_eq(jwk_public_key(jwk, &key, &alg, NULL), PROAUTH2_OK);
	ck_assert_int_eq(alg, JWS_ES256);
	sig_len = part_bytes(RFC7515_A3_JWS, 2, sig, sizeof(sig));
	ck_assert_uint_eq(sig_len, 64);
	ck_assert_int_eq(jws_verify_bytes(JWS_ES256, key,
					 (const unsigned char *)RFC7515_A3_JWS,
					 input_len, sig, sig_len, NULL),
			PROAUTH2_OK);
	/* S's last bit, R's first: R || S is read the RFC's way round. */
	sig[63] ^= 0x01;
	ck_assert_int_eq(jws_verify_bytes(JWS_ES256, key,
					 (const unsigned char *)RFC7515_A3_JWS,
					 input_len, sig, sig_len, NULL),
			PROAUTH2_ERR_INVALID_TOKEN);
	sig[63] ^= 0x01;
	sig[0] ^= 0x80;
	ck_assert_int_eq(jws_verify_bytes(JWS_ES256, key,
					 (const unsigned char *)RFC7515_A3_JWS,
					 input_len, sig, sig_len, NULL),
			PROAUTH2_ERR_INVALID_TOKEN);

	/* Whole, it still lacks the kid our tokens must carry. */
	ring.key = key;
	ck_assert_int_eq(verify_fault(RFC7515_A3_JWS, &ring), JWS_FAULT_MALFORMED);
	ck_assert_int_eq(ring.calls, 0);
	EVP_PKEY_free(key);
	json_decref(jwk);
}
END_TEST

START_TEST(rfc7515_a3_public_jwk_is_computed_from_d)
{
	EVP_PKEY *key = p256_from_d(RFC7515_A3_D), *pub = NULL;
	json_t *jwk = NULL,
	       *rfc = json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256",
			       "x", RFC7515_A3_X, "y", RFC7515_A3_Y);
	struct keyring ring = {"a3", NULL, 0, 0};
	char *text, *token;
	jws_alg alg;

	ck_assert_int_eq(jwk_public(key, JWS_ES256, "a3", &jwk, NULL), PROAUTH2_OK);
	text = json_dumps(jwk, JSON_COMPACT | JSON_PRESERVE_ORDER);
	ck_assert_str_eq(text,
			"{\"kty\":\"EC\",\"crv\":\"P-256\","
			"\"x\":\"" RFC7515_A3_X "\",\"y\":\"" RFC7515_A3_Y "\","
			"\"kid\":\"a3\",\"alg\":\"ES256\",\"use\":\"sig\"}");
	free(text);

	/* A token this key signs verifies under the RFC's public JWK. */
	ck_assert_int_eq(jwk_public_key(rfc, &pub, &alg, NULL), PROAUTH2_OK);
	ring.key = pub;
	token = key_signs_sample(JWS_ES256, key, "a3");
	ck_assert_int_eq(verify_fault(token, &ring), JWS_FAULT_NONE);
	free(token);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(key);
	json_decref(jwk);
	json_decref(rfc);
}
END_TEST

START_TEST(rfc8037_public_jwk_is_the_rfcs)
{
	unsigned char d[34];
	size_t d_len;
	EVP_PKEY *key;
	json_t *jwk = NULL;
	char *text;

	ck_assert(base64url_decode(RFC8037_D, strlen(RFC8037_D), d, &d_len));
	key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, d, d_len);
	ck_assert_int_eq(jwk_public(key, JWS_EDDSA, "a2", &jwk, NULL), PROAUTH2_OK);
	text = json_dumps(jwk, JSON_COMPACT | JSON_PRESERVE_ORDER);
	ck_assert_str_eq(text,
			"{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
			"\"x\":\"" RFC8037_X "\",\"kid\":\"a2\",\"alg\":\"EdDSA\","
			"\"use\":\"sig\"}");
	free(text);
	json_decref(jwk);
	EVP_PKEY_free(key);
}
END_TEST

START_TEST(generated_keys_round_trip_through_their_jwk)
{
	jws_alg alg = all_algs[_i], read_alg = JWS_ALG_DEFAULT;
	EVP_PKEY *key = NULL, *pub = NULL;
	struct keyring ring = {"gen", NULL, 0, 0};
	unsigned char bytes[JWS_SIGNATURE_MAX + 2];
	json_t *jwk = NULL;
	const char *name;
	char *token;
	size_t n;

	ck_assert_int_eq(jwk_generate(alg, &key, NULL), PROAUTH2_OK);
	ck_assert(jws_key_fits(key, alg));
	ck_assert_int_eq(jwk_public(key, alg, "gen", &jwk, NULL), PROAUTH2_OK);
	ck_assert_ptr_null(json_object_get(jwk, "d"));
	ck_assert_str_eq(json_string_value(json_object_get(jwk, "use")), "sig");
	ck_assert_str_eq(json_string_value(json_object_get(jwk, "alg")),
			jws_alg_name(alg));
	ck_assert_str_eq(json_string_value(json_object_get(jwk, "kid")), "gen");
	if (alg == JWS_RS256) {
		name = json_string_value(json_object_get(jwk, "n"));
		ck_assert(base64url_decode(name, strlen(name), bytes, &n));
		ck_assert_uint_eq(n, 256);
		ck_assert_uint_ne(bytes[0], 0);
		ck_assert_str_eq(json_string_value(json_object_get(jwk, "e")),
				"AQAB");
		ck_assert_uint_eq(json_object_size(jwk), 6);
	} else {
		ck_assert_uint_eq(json_object_size(jwk), alg == JWS_ES256 ? 7 : 6);
	}
	ck_assert_int_eq(jwk_public_key(jwk, &pub, &read_alg, NULL), PROAUTH2_OK);
	ck_assert_int_eq(read_alg, alg);
	ck_assert_int_eq(EVP_PKEY_eq(key, pub), 1);

	/* The published half verifies what the private half signs. */
	ring.key = pub;
	token = key_signs_sample(alg, key, "gen");
	ck_assert_int_eq(verify_fault(token, &ring), JWS_FAULT_NONE);
	free(token);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(key);
	json_decref(jwk);
}
END_TEST

START_TEST(ec_coordinates_are_left_padded)
{
	EVP_PKEY *key = NULL;
	json_t *jwk = NULL;
	int i;

	/* About one key in 128 has a coordinate below 2^248: its first
	 * byte is zero, and the JWK still carries 32 bytes (43 characters). */
	for (i = 0; i < 2000; i++) {
		BIGNUM *x = NULL, *y = NULL;
		bool small;

		ck_assert_int_eq(jwk_generate(JWS_ES256, &key, NULL), PROAUTH2_OK);
		ck_assert_int_eq(EVP_PKEY_get_bn_param(key,
						 OSSL_PKEY_PARAM_EC_PUB_X, &x),
				1);
		ck_assert_int_eq(EVP_PKEY_get_bn_param(key,
						 OSSL_PKEY_PARAM_EC_PUB_Y, &y),
				1);
		small = BN_num_bytes(x) < 32 || BN_num_bytes(y) < 32;
		BN_free(x);
		BN_free(y);
		if (small)
			break;
		EVP_PKEY_free(key);
		key = NULL;
	}
	ck_assert_ptr_nonnull(key);
	ck_assert_int_eq(jwk_public(key, JWS_ES256, "k", &jwk, NULL), PROAUTH2_OK);
	ck_assert_uint_eq(strlen(json_string_value(json_object_get(jwk, "x"))), 43);
	ck_assert_uint_eq(strlen(json_string_value(json_object_get(jwk, "y"))), 43);
	json_decref(jwk);
	EVP_PKEY_free(key);
}
END_TEST

/* jwk_public_key() on text, expecting a refusal. */
static void assert_jwk_refused(const char *text)
{
	json_t *jwk = json_loads(text, 0, NULL);
	EVP_PKEY *key = (EVP_PKEY *)1;
	jws_alg alg;

	ck_assert_msg(jwk != NULL, "%s", text);
	ck_assert_msg(jwk_public_key(jwk, &key, &alg, NULL) ==
					PROAUTH2_ERR_INVALID_ARGUMENT,
			"%s accepted", text);
	ck_assert_ptr_null(key);
	json_decref(jwk);
}

START_TEST(public_jwks_are_read_strictly)
{
	EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	json_t *jwk = NULL;
	char text[1024];

	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC7515_A3_X
			   "\",\"y\":\"" RFC7515_A3_Y "\",\"d\":\"" RFC7515_A3_D
			   "\"}");
	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"" RFC7515_A3_X
			   "\",\"y\":\"" RFC7515_A3_Y "\"}");
	/* y of another point: off the curve. */
	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC7515_A3_X
			   "\",\"y\":\"" RFC7515_A3_X "\"}");
	/* 31 bytes of x; padded base64. */
	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":\"P-256\","
			   "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVA\","
			   "\"y\":\"" RFC7515_A3_Y "\"}");
	assert_jwk_refused("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" RFC8037_X
			   "=\"}");
	assert_jwk_refused("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC7515_A3_X
			   "\",\"y\":\"" RFC7515_A3_Y "\",\"alg\":\"RS256\"}");
	assert_jwk_refused("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" RFC8037_X
			   "\",\"use\":\"enc\"}");
	assert_jwk_refused("{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"" RFC8037_X
			   "\"}");
	assert_jwk_refused("{\"kty\":\"oct\",\"k\":\"AAAA\"}");
	assert_jwk_refused("{\"crv\":\"Ed25519\",\"x\":\"" RFC8037_X "\"}");
	assert_jwk_refused("[]");

	/* RSA: a modulus under 2048 bits; one with a leading zero byte. */
	ck_assert_int_eq(jwk_public(small, JWS_RS256, "k", &jwk, NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(jwk_public(keys[2], JWS_RS256, "k", &jwk, NULL),
			PROAUTH2_OK);
	{
		const char *n = json_string_value(json_object_get(jwk, "n"));
		unsigned char bytes[260];
		size_t len;

		ck_assert(base64url_decode(n, strlen(n), bytes + 1, &len));
		bytes[0] = 0;
		strcpy(text, "{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"");
		base64url_encode(bytes, len + 1, text + strlen(text));
		strcat(text, "\"}");
		assert_jwk_refused(text);
		strcpy(text, "{\"kty\":\"RSA\",\"e\":\"AAEAAQ\",\"n\":\"");
		strcat(text, n);
		strcat(text, "\"}");
		assert_jwk_refused(text);
	}
	json_decref(jwk);
	/* A key under the wrong alg, and no kid. */
	ck_assert_int_eq(jwk_public(keys[0], JWS_EDDSA, "k", &jwk, NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(jwk_public(keys[0], JWS_ES256, "", &jwk, NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(jwk);
	EVP_PKEY_free(small);
}
END_TEST

static const unsigned char kek[KEY_SEAL_KEK_SIZE] = {
		0x00,
		0x01,
		0x02,
		0x03,
		0x04,
		0x05,
		0x06,
		0x07,
		0x08,
		0x09,
		0x0a,
		0x0b,
		0x0c,
		0x0d,
		0x0e,
		0x0f,
		0x10,
		0x11,
		0x12,
		0x13,
		0x14,
		0x15,
		0x16,
		0x17,
		0x18,
		0x19,
		0x1a,
		0x1b,
		0x1c,
		0x1d,
		0x1e,
		0x1f,
};

/* key_open() on sealed, expecting a clean refusal. */
static void assert_not_opened(const char *sealed, const unsigned char *with,
		const char *kid)
{
	proauth2_error err = {0};
	EVP_PKEY *key = (EVP_PKEY *)1;

	ck_assert_int_eq(key_open(sealed, with, kid, &key, &err),
			PROAUTH2_ERR_CRYPTO);
	ck_assert_int_eq(err.status, PROAUTH2_ERR_CRYPTO);
	ck_assert_ptr_null(key);
}

START_TEST(sealed_keys_open_to_the_same_private_key)
{
	struct keyring ring = {"kid-1", keys[_i], 0, 0};
	char *sealed = NULL, *again = NULL, *token;
	EVP_PKEY *opened = NULL;

	ck_assert_int_eq(key_seal(keys[_i], kek, "kid-1", &sealed, NULL),
			PROAUTH2_OK);
	ck_assert(strncmp(sealed, "v1.", 3) == 0);
	ck_assert_uint_eq(strspn(sealed + 3,
					  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					  "abcdefghijklmnopqrstuvwxyz0123456789-_"),
			strlen(sealed) - 3);
	ck_assert_int_eq(key_open(sealed, kek, "kid-1", &opened, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(EVP_PKEY_eq(opened, keys[_i]), 1);
	/* The private half came back: it signs what the original verifies. */
	token = key_signs_sample(all_algs[_i], opened, "kid-1");
	ck_assert_int_eq(verify_fault(token, &ring), JWS_FAULT_NONE);
	free(token);

	/* A fresh nonce each time. */
	ck_assert_int_eq(key_seal(keys[_i], kek, "kid-1", &again, NULL),
			PROAUTH2_OK);
	ck_assert_str_ne(sealed, again);
	free(again);
	free(sealed);
	EVP_PKEY_free(opened);
}
END_TEST

START_TEST(sealed_keys_open_under_their_kek_and_kid_only)
{
	unsigned char other[KEY_SEAL_KEK_SIZE];
	char *sealed = NULL, *bad;
	size_t len, i;

	ck_assert_int_eq(key_seal(keys[0], kek, "kid-1", &sealed, NULL),
			PROAUTH2_OK);
	len = strlen(sealed);
	memcpy(other, kek, sizeof(other));
	other[31] ^= 0x01;
	assert_not_opened(sealed, other, "kid-1");
	assert_not_opened(sealed, kek, "kid-2");
	assert_not_opened(sealed, kek, "kid-");
	assert_not_opened(sealed, kek, "");

	bad = malloc(len + 4);
	ck_assert_ptr_nonnull(bad);
	/* Altered anywhere: nonce, ciphertext, tag. */
	for (i = 3; i < len - 1; i += 7) {
		strcpy(bad, sealed);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		assert_not_opened(bad, kek, "kid-1");
	}
	/* Cut short, down to nothing. */
	for (i = len - 1; i > 0; i -= i > 40 ? 13 : 1) {
		memcpy(bad, sealed, i);
		bad[i] = '\0';
		assert_not_opened(bad, kek, "kid-1");
	}
	/* Another version, padding, no prefix, a stray character. */
	strcpy(bad, sealed);
	bad[1] = '2';
	assert_not_opened(bad, kek, "kid-1");
	sprintf(bad, "%s=", sealed);
	assert_not_opened(bad, kek, "kid-1");
	assert_not_opened(sealed + 3, kek, "kid-1");
	strcpy(bad, sealed);
	bad[len / 2] = '.';
	assert_not_opened(bad, kek, "kid-1");
	assert_not_opened("", kek, "kid-1");
	assert_not_opened("v1.", kek, "kid-1");
	free(bad);
	free(sealed);
}
END_TEST

START_TEST(only_private_keys_are_sealed)
{
	json_t *jwk = NULL;
	EVP_PKEY *pub = NULL;
	char *sealed = (char *)"unset";
	jws_alg alg;

	ck_assert_int_eq(jwk_public(keys[1], JWS_EDDSA, "k", &jwk, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(jwk_public_key(jwk, &pub, &alg, NULL), PROAUTH2_OK);
	ck_assert_int_eq(key_seal(pub, kek, "k", &sealed, NULL),
			PROAUTH2_ERR_CRYPTO);
	ck_assert_ptr_null(sealed);
	ck_assert_int_eq(key_seal(keys[1], kek, "", &sealed, NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(key_seal(keys[1], kek, NULL, &sealed, NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(sealed);
	EVP_PKEY_free(pub);
	json_decref(jwk);
}
END_TEST

static Suite *jws_suite(void)
{
	Suite *s = suite_create("jws");
	TCase *tc = tcase_create("jws");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, alg_names_round_trip_and_others_are_refused);
	tcase_add_test(tc, keys_fit_their_algorithm_only);
	tcase_add_loop_test(tc, each_algorithm_signs_and_verifies, 0, ALG_COUNT);
	tcase_add_loop_test(tc, signatures_have_the_jws_lengths, 0, ALG_COUNT);
	tcase_add_loop_test(tc, signers_sign_after_their_key_and_first_holder_let_go,
			0, ALG_COUNT);
	tcase_add_loop_test(tc, threads_sign_with_one_signer_at_once, 0, ALG_COUNT);
	tcase_add_test(tc, es256_signature_in_der_is_refused);
	tcase_add_loop_test(tc, tampered_payload_header_or_signature_is_refused, 0,
			ALG_COUNT);
	tcase_add_test(tc, alg_other_than_the_keys_is_refused);
	tcase_add_test(tc, alg_none_and_unknown_algs_are_refused);
	tcase_add_test(tc, unknown_or_missing_kid_is_refused);
	tcase_add_test(tc,
			padding_stray_characters_and_wrong_part_counts_are_refused);
	tcase_add_test(tc, non_canonical_base64url_is_refused);
	tcase_add_test(tc, repeated_members_are_refused);
	tcase_add_test(tc, header_and_payload_must_be_plain_json_objects);
	tcase_add_test(tc, overlong_tokens_are_refused_unread);
	tcase_add_test(tc, signing_refuses_what_it_cannot_vouch_for);
	tcase_add_test(tc, rfc8037_a4_ed25519_signature_is_reproduced);
	suite_add_tcase(s, tc);

	tc = tcase_create("jwk");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rfc7515_a3_es256_jws_verifies_with_its_jwk);
	tcase_add_test(tc, rfc7515_a3_public_jwk_is_computed_from_d);
	tcase_add_test(tc, rfc8037_public_jwk_is_the_rfcs);
	tcase_add_loop_test(tc, generated_keys_round_trip_through_their_jwk, 0,
			ALG_COUNT);
	tcase_add_test(tc, ec_coordinates_are_left_padded);
	tcase_add_test(tc, public_jwks_are_read_strictly);
	suite_add_tcase(s, tc);

	tc = tcase_create("key_seal");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, sealed_keys_open_to_the_same_private_key, 0,
			ALG_COUNT);
	tcase_add_test(tc, sealed_keys_open_under_their_kek_and_kid_only);
	tcase_add_test(tc, only_private_keys_are_sealed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *runner;
	int failed;
	size_t i;

	for (i = 0; i < ALG_COUNT; i++)
		if ((keys[i] = generate(all_algs[i])) == NULL ||
				jws_signer_new(all_algs[i], keys[i], &signers[i],
						NULL) != PROAUTH2_OK)
			return EXIT_FAILURE;
	runner = srunner_create(jws_suite());
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	for (i = 0; i < ALG_COUNT; i++) {
		jws_signer_free(signers[i]);
		EVP_PKEY_free(keys[i]);
	}
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
