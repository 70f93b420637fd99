/*
 * The raw cost of JWT access tokens to come: one signature and one
 * verification per algorithm (jws_sign_bytes, jws_verify_bytes) over a
 * signing input the size of an RFC 9068 access token's, and the whole
 * compact JWS around them (jws_sign, jws_verify: JSON, base64url, checks).
 *
 *   bench_jws [--count N] [--quick]
 *
 * Each figure is N operations on one thread (default 2000). Figures are
 * printed, never asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jwk.h"
#include "jws.h"

static EVP_PKEY *the_key;

static EVP_PKEY *lookup(const char *kid, jws_alg alg, void *arg)
{
	(void)kid;
	(void)alg;
	(void)arg;
	return EVP_PKEY_up_ref(the_key) == 1 ? the_key : NULL;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void report(const char *alg, const char *what, int count, double seconds)
{
	printf("%-6s %-16s %10.0f /s %9.2f us\n", alg, what, count / seconds,
			seconds * 1e6 / count);
}

static void fail(const char *what, const proauth2_error *err)
{
	fprintf(stderr, "bench_jws: %s: %s\n", what, err->text);
	exit(EXIT_FAILURE);
}

static void bench(jws_alg alg, int count)
{
	const char *name = jws_alg_name(alg);
	jws_signer *signer = NULL;
	unsigned char sig[JWS_SIGNATURE_MAX];
	proauth2_error err = {0};
	json_t *claims;
	char *token = NULL;
	size_t sig_len = 0, input_len;
	double start;
	int i;

	if (jwk_generate(alg, &the_key, &err) != PROAUTH2_OK ||
			jws_signer_new(alg, the_key, &signer, &err) != PROAUTH2_OK)
		fail("jwk_generate or jws_signer_new", &err);
	claims = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s}",
			"iss", "https://as.example.com", "sub", "5ba552d67",
			"aud", "https://rs.example.com/", "exp", (json_int_t)1767229200,
			"iat", (json_int_t)1767225600, "jti", "dbe39bf3a3ba4238a513f51d6e1691c4",
			"client_id", "s6BhdRkqt3", "scope", "openid profile reademail");
	if (claims == NULL || jws_sign(signer, "2026-12-key-1", "at+jwt",
				    claims, &token, &err) != PROAUTH2_OK)
		fail("jws_sign", &err);
	input_len = (size_t)(strrchr(token, '.') - token);

	start = now();
	for (i = 0; i < count; i++)
		if (jws_sign_bytes(signer, (const unsigned char *)token,
				    input_len, sig, &sig_len, &err) != PROAUTH2_OK)
			fail("jws_sign_bytes", &err);
	report(name, "sign (raw)", count, now() - start);
	start = now();
	for (i = 0; i < count; i++)
		if (jws_verify_bytes(alg, the_key, (const unsigned char *)token,
				    input_len, sig, sig_len, &err) != PROAUTH2_OK)
			fail("jws_verify_bytes", &err);
	report(name, "verify (raw)", count, now() - start);

	start = now();
	for (i = 0; i < count; i++) {
		free(token);
		if (jws_sign(signer, "2026-12-key-1", "at+jwt", claims,
				    &token, &err) != PROAUTH2_OK)
			fail("jws_sign", &err);
	}
	report(name, "jws_sign", count, now() - start);
	start = now();
	for (i = 0; i < count; i++)
		if (jws_verify(token, lookup, NULL, NULL, NULL, NULL, &err) !=
				PROAUTH2_OK)
			fail("jws_verify", &err);
	report(name, "jws_verify", count, now() - start);
	printf("%-6s token of %zu bytes\n", name, strlen(token));

	free(token);
	json_decref(claims);
	jws_signer_free(signer);
	EVP_PKEY_free(the_key);
}

int main(int argc, char **argv)
{
	int count = 2000, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			count = 20;
		} else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc &&
				atoi(argv[i + 1]) > 0) {
			count = atoi(argv[++i]);
		} else {
			fprintf(stderr, "usage: bench_jws [--count N] [--quick]\n");
			return EXIT_FAILURE;
		}
	}
	bench(JWS_ES256, count);
	bench(JWS_EDDSA, count);
	bench(JWS_RS256, count);
	return EXIT_SUCCESS;
}
