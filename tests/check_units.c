/* The small pieces under the grant engine: encoding, hashing, secrets,
 * PKCE, scopes and status codes. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include <proauth2/proauth2.h>

#include "crypto.h"
#include "grant.h"
#include "internal.h"
#include "pkce.h"
#include "scope.h"
#include "utf8.h"

#define RFC7636_VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC7636_CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

START_TEST(base64url_rfc4648_vectors)
{
	/* RFC 4648 §10, in the URL alphabet without padding. */
	static const struct { const char *in, *out; } v[] = {
		{"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"},
		{"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
	};
	char out[16];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		base64url_encode((const unsigned char *)v[i].in,
				strlen(v[i].in), out);
		ck_assert_str_eq(out, v[i].out);
	}
}
END_TEST

START_TEST(base64url_uses_url_alphabet)
{
	const unsigned char in[] = {0xfb, 0xff, 0xbf};
	char out[8];

	base64url_encode(in, sizeof(in), out);
	ck_assert_str_eq(out, "-_-_");
}
END_TEST

START_TEST(base64url_decode_reverses_encode)
{
	unsigned char in[64], out[BASE64URL_DECODED_MAX(88)];
	char text[88];
	size_t len, n;

	for (len = 0; len < sizeof(in); len++) {
		in[len] = (unsigned char)(len * 37 + 11);
		base64url_encode(in, len + 1, text);
		ck_assert(base64url_decode(text, strlen(text), out, &n));
		ck_assert_uint_eq(n, len + 1);
		ck_assert_mem_eq(out, in, n);
	}
	ck_assert(base64url_decode("Zm9vYmFy", 8, out, &n));
	ck_assert_uint_eq(n, 6);
	ck_assert_mem_eq(out, "foobar", 6);
	ck_assert(base64url_decode("", 0, out, &n));
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(base64url_decode_refuses_all_but_the_canonical_form)
{
	/* Padding, the standard alphabet, spaces, a length of 4k + 1, and
	 * "Zh" (unused bits set: "Zg" is the one spelling of "f"). */
	static const char *bad[] = {"Zg==", "Zg=", "+w", "/w", "Zm9v Yg", "Zm9vY",
			"Zh", "Zm9", "Zm\n9v"};
	unsigned char out[16];
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!base64url_decode(bad[i], strlen(bad[i]), out, &n),
				"%s accepted", bad[i]);
	/* A NUL inside the given length is a stray byte too. */
	ck_assert(!base64url_decode("Zm9vYg\0", 7, out, &n));
	ck_assert(base64url_decode("Zm8", 3, out, &n));
}
END_TEST

START_TEST(hash_is_sha256_base64url)
{
	char hash[HASH_SIZE];

	ck_assert_int_eq(sha256_base64url("abc", hash, NULL), PROAUTH2_OK);
	/* SHA-256("abc") = ba7816bf...f20015ad (FIPS 180-2). */
	ck_assert_str_eq(hash, "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
}
END_TEST

START_TEST(secrets_are_256_bit_and_distinct)
{
	char *a = NULL, *b = NULL;

	ck_assert_int_eq(proauth2_secret_new(&a, NULL), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_secret_new(&b, NULL), PROAUTH2_OK);
	ck_assert_uint_eq(strlen(a), SECRET_LENGTH);
	ck_assert_uint_eq(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
			SECRET_LENGTH);
	ck_assert_str_ne(a, b);
	proauth2_secret_free(a);
	proauth2_secret_free(b);
	proauth2_secret_free(NULL);
}
END_TEST

START_TEST(secret_equal_compares_whole_strings)
{
	ck_assert(proauth2_secret_equal("secret", "secret"));
	ck_assert(proauth2_secret_equal("", ""));
	ck_assert(!proauth2_secret_equal("secret", "secreT"));
	ck_assert(!proauth2_secret_equal("secret", "secret2"));
	ck_assert(!proauth2_secret_equal("secret2", "secret"));
	ck_assert(!proauth2_secret_equal("", "x"));
	ck_assert(!proauth2_secret_equal("x", ""));
}
END_TEST

START_TEST(secret_equal_null_equals_nothing)
{
	ck_assert(!proauth2_secret_equal(NULL, "x"));
	ck_assert(!proauth2_secret_equal("x", NULL));
	ck_assert(!proauth2_secret_equal(NULL, NULL));
}
END_TEST

/* UUID version 7: time first, so that later ids sort after earlier ones. */
START_TEST(grant_ids_are_time_ordered_uuids)
{
	char earlier[GRANT_ID_SIZE], later[GRANT_ID_SIZE], again[GRANT_ID_SIZE];
	struct timespec pause = {0, 2000000};

	grant_new_id(earlier);
	grant_new_id(again);
	nanosleep(&pause, NULL);
	grant_new_id(later);
	ck_assert_uint_eq(strlen(earlier), 36);
	ck_assert_int_eq(earlier[8], '-');
	ck_assert_int_eq(earlier[14], '7');
	ck_assert_ptr_nonnull(strchr("89ab", earlier[19]));
	ck_assert_str_ne(earlier, again);
	ck_assert_int_gt(strcmp(later, earlier), 0);
}
END_TEST

START_TEST(pkce_rfc7636_appendix_b)
{
	char hash[HASH_SIZE];

	ck_assert_int_eq(sha256_base64url(RFC7636_VERIFIER, hash, NULL), PROAUTH2_OK);
	ck_assert_str_eq(hash, RFC7636_CHALLENGE);
	ck_assert(pkce_verify(RFC7636_CHALLENGE, "S256", RFC7636_VERIFIER));
	ck_assert(!pkce_verify(RFC7636_CHALLENGE, "S256",
			"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK"));
	/* The challenge itself is no verifier under S256. */
	ck_assert(!pkce_verify(RFC7636_CHALLENGE, "S256", RFC7636_CHALLENGE));
	ck_assert(pkce_verify(RFC7636_VERIFIER, "plain", RFC7636_VERIFIER));
}
END_TEST

START_TEST(pkce_challenge_is_rfc7636_s256)
{
	char *challenge = (char *)"unset";
	proauth2_error err = {0};

	ck_assert_int_eq(proauth2_pkce_challenge(RFC7636_VERIFIER, &challenge, &err),
			PROAUTH2_OK);
	ck_assert_str_eq(challenge, RFC7636_CHALLENGE);
	ck_assert(pkce_verify(challenge, "S256", RFC7636_VERIFIER));
	proauth2_secret_free(challenge);
}
END_TEST

START_TEST(pkce_challenge_refuses_bad_verifiers)
{
	char *challenge = (char *)"unset";
	proauth2_error err = {0};

	ck_assert_int_eq(proauth2_pkce_challenge("too-short", &challenge, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(challenge);
	ck_assert_int_eq(err.status, PROAUTH2_ERR_INVALID_ARGUMENT);
	challenge = (char *)"unset";
	ck_assert_int_eq(proauth2_pkce_challenge(NULL, &challenge, NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(challenge);
	ck_assert_int_eq(proauth2_pkce_challenge(RFC7636_VERIFIER, NULL, NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(grant_type_names_round_trip)
{
	static const unsigned bits[] = {
		PROAUTH2_GRANT_AUTHORIZATION_CODE, PROAUTH2_GRANT_REFRESH_TOKEN,
		PROAUTH2_GRANT_CLIENT_CREDENTIALS, PROAUTH2_GRANT_PASSWORD,
	};
	size_t i;

	ck_assert_str_eq(proauth2_grant_type_name(PROAUTH2_GRANT_AUTHORIZATION_CODE),
			"authorization_code");
	ck_assert_str_eq(proauth2_grant_type_name(PROAUTH2_GRANT_REFRESH_TOKEN),
			"refresh_token");
	ck_assert_str_eq(proauth2_grant_type_name(PROAUTH2_GRANT_CLIENT_CREDENTIALS),
			"client_credentials");
	ck_assert_str_eq(proauth2_grant_type_name(PROAUTH2_GRANT_PASSWORD), "password");
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		ck_assert_uint_eq(proauth2_grant_type_parse(
				proauth2_grant_type_name(bits[i])), bits[i]);
}
END_TEST

START_TEST(grant_type_unknowns_are_refused)
{
	ck_assert_ptr_null(proauth2_grant_type_name(0));
	ck_assert_ptr_null(proauth2_grant_type_name(PROAUTH2_GRANT_AUTHORIZATION_CODE |
			PROAUTH2_GRANT_REFRESH_TOKEN));
	ck_assert_ptr_null(proauth2_grant_type_name(0x10));
	ck_assert_uint_eq(proauth2_grant_type_parse(NULL), 0);
	ck_assert_uint_eq(proauth2_grant_type_parse(""), 0);
	ck_assert_uint_eq(proauth2_grant_type_parse("Password"), 0);
	ck_assert_uint_eq(proauth2_grant_type_parse("implicit"), 0);
	ck_assert_uint_eq(proauth2_grant_type_parse("refresh_token "), 0);
}
END_TEST

START_TEST(scope_includes_what_a_resource_asks)
{
	ck_assert(proauth2_scope_includes("read write", "write"));
	ck_assert(proauth2_scope_includes("read write", "write read"));
	ck_assert(proauth2_scope_includes("read", NULL));
	ck_assert(proauth2_scope_includes("", ""));
	ck_assert(proauth2_scope_includes(NULL, NULL));
	ck_assert(!proauth2_scope_includes("read", "read write"));
	ck_assert(!proauth2_scope_includes("reader", "read"));
	ck_assert(!proauth2_scope_includes("", "read"));
	ck_assert(!proauth2_scope_includes(NULL, "read"));
}
END_TEST

START_TEST(pkce_string_bounds)
{
	char s[130];

	memset(s, 'a', sizeof(s));
	s[42] = '\0';
	ck_assert(!pkce_string_ok(s));
	s[42] = 'a';
	s[43] = '\0';
	ck_assert(pkce_string_ok(s));
	s[43] = 'a';
	s[128] = '\0';
	ck_assert(pkce_string_ok(s));
	s[128] = 'a';
	s[129] = '\0';
	ck_assert(!pkce_string_ok(s));
	ck_assert(!pkce_string_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa+"));
	ck_assert(pkce_string_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-._~"));
}
END_TEST

START_TEST(scope_syntax)
{
	ck_assert(scope_is_valid(""));
	ck_assert(scope_is_valid("read"));
	ck_assert(scope_is_valid("read write:all https://x.example/y"));
	ck_assert(!scope_is_valid(" read"));
	ck_assert(!scope_is_valid("read "));
	ck_assert(!scope_is_valid("read  write"));
	ck_assert(!scope_is_valid("re\"ad"));
	ck_assert(!scope_is_valid("re\\ad"));
	ck_assert(!scope_is_valid("read\twrite"));
	ck_assert(!scope_is_valid("caf\xc3\xa9"));
	ck_assert(!scope_is_valid(NULL));
}
END_TEST

START_TEST(scope_subset)
{
	ck_assert(scope_is_subset("read", "read write"));
	ck_assert(scope_is_subset("write read", "read write"));
	ck_assert(scope_is_subset("", "read"));
	ck_assert(!scope_is_subset("admin", "read write"));
	ck_assert(!scope_is_subset("rea", "read write"));
	ck_assert(!scope_is_subset("read writ", "read write"));
	ck_assert(!scope_is_subset("read", ""));
}
END_TEST

START_TEST(status_maps_to_rfc_errors)
{
	static const struct { proauth2_status s; const char *code; } map[] = {
		{PROAUTH2_ERR_INVALID_REQUEST, "invalid_request"},
		{PROAUTH2_ERR_INVALID_CLIENT, "invalid_client"},
		{PROAUTH2_ERR_INVALID_GRANT, "invalid_grant"},
		{PROAUTH2_ERR_UNAUTHORIZED_CLIENT, "unauthorized_client"},
		{PROAUTH2_ERR_UNSUPPORTED_GRANT_TYPE, "unsupported_grant_type"},
		{PROAUTH2_ERR_INVALID_SCOPE, "invalid_scope"},
		{PROAUTH2_ERR_INVALID_TOKEN, "invalid_token"},
		{PROAUTH2_ERR_DATASTORE, "server_error"},
		{PROAUTH2_ERR_NOMEM, "server_error"},
		{PROAUTH2_ERR_CRYPTO, "server_error"},
		{PROAUTH2_ERR_INVALID_RECORD, "server_error"},
		{PROAUTH2_ERR_UNAVAILABLE, "temporarily_unavailable"},
		{PROAUTH2_ERR_INVALID_REDIRECT_URI, "invalid_redirect_uri"},
		{PROAUTH2_ERR_INVALID_TARGET, "invalid_target"},
		{PROAUTH2_ERR_LOGIN_REQUIRED, "login_required"},
		{PROAUTH2_ERR_CONSENT_REQUIRED, "consent_required"},
		{PROAUTH2_ERR_INTERACTION_REQUIRED, "interaction_required"},
		{PROAUTH2_ERR_ACCOUNT_SELECTION_REQUIRED, "account_selection_required"},
		{PROAUTH2_ERR_REQUEST_NOT_SUPPORTED, "request_not_supported"},
		{PROAUTH2_ERR_REQUEST_URI_NOT_SUPPORTED, "request_uri_not_supported"},
		{PROAUTH2_ERR_REGISTRATION_NOT_SUPPORTED, "registration_not_supported"},
	};
	size_t i;
	int s;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		ck_assert_str_eq(proauth2_status_oauth_error(map[i].s), map[i].code);
	ck_assert_ptr_null(proauth2_status_oauth_error(PROAUTH2_OK));
	for (s = 0; s < PROAUTH2_STATUS_COUNT; s++) {
		ck_assert_ptr_nonnull(proauth2_status_str((proauth2_status)s));
		if (s != PROAUTH2_OK)
			ck_assert_ptr_nonnull(proauth2_status_oauth_error((proauth2_status)s));
	}
	ck_assert_str_eq(proauth2_status_str((proauth2_status)999), "unknown status");
	ck_assert_str_eq(proauth2_status_oauth_error((proauth2_status)999), "server_error");
}
END_TEST

START_TEST(error_set_fills_and_truncates)
{
	proauth2_error err = {0};
	char long_text[400];

	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	ck_assert_int_eq(proauth2_error_set(&err, PROAUTH2_ERR_INVALID_GRANT,
			"bad %s", "code"), PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(err.status, PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_str_eq(err.text, "bad code");
	proauth2_error_set(&err, PROAUTH2_ERR_DATASTORE, "%s", long_text);
	ck_assert_uint_eq(strlen(err.text), PROAUTH2_ERROR_TEXT_SIZE - 1);
	/* NULL error structs are allowed everywhere. */
	ck_assert_int_eq(proauth2_error_set(NULL, PROAUTH2_ERR_NOMEM, "x"),
			PROAUTH2_ERR_NOMEM);
}
END_TEST

/* Each sequence between ASCII runs of every length from 0 to 17, so that
 * it starts, ends and straddles each place in the 8-byte words the ASCII
 * fast path reads. */
START_TEST(utf8_sequences_anywhere_in_ascii)
{
	static const struct { const char *bytes; bool valid; } seqs[] = {
		{"\xc3\xa9", true},              /* U+00E9 */
		{"\xe2\x82\xac", true},          /* U+20AC */
		{"\xed\x9f\xbf", true},          /* U+D7FF, below the surrogates */
		{"\xee\x80\x80", true},          /* U+E000, above them */
		{"\xf0\x9d\x84\x9e", true},      /* U+1D11E */
		{"\xf4\x8f\xbf\xbf", true},      /* U+10FFFF */
		{"\x7f", true},
		{"\xc0\xaf", false},             /* overlong '/' */
		{"\xe0\x80\xaf", false},         /* overlong '/' */
		{"\xf0\x80\x80\xaf", false},     /* overlong '/' */
		{"\xed\xa0\x80", false},         /* U+D800, a surrogate */
		{"\xf4\x90\x80\x80", false},     /* past U+10FFFF */
		{"\xf5\x80\x80\x80", false},
		{"\x80", false},                 /* a lone continuation */
		{"\xc3", false},                 /* cut short */
		{"\xe2\x82", false},
		{"\xf0\x9d\x84", false},
		{"\xc3\x28", false},             /* continuation missing */
		{"\xff", false},
	};
	char text[64];

	for (size_t q = 0; q < sizeof(seqs) / sizeof(seqs[0]); q++)
		for (size_t before = 0; before <= 17; before++)
			for (size_t after = 0; after <= 17; after++) {
				size_t n = strlen(seqs[q].bytes), len = before + n + after;
				char *exact;

				memset(text, 'a', sizeof(text));
				memcpy(text + before, seqs[q].bytes, n);
				/* A heap copy of exactly len bytes: ASan and valgrind
				 * see any read past the end. */
				ck_assert_ptr_nonnull(exact = malloc(len + (len == 0)));
				memcpy(exact, text, len);
				ck_assert_msg(utf8_valid(exact, len) == seqs[q].valid,
						"sequence %zu after %zu ASCII bytes, before %zu",
						q, before, after);
				free(exact);
			}
	memset(text, 'a', sizeof(text));
	ck_assert(utf8_valid(text, 0));
	ck_assert(utf8_valid(text, sizeof(text)));
	/* Only len bytes are read: a bad byte just past them does not count. */
	text[16] = '\x80';
	ck_assert(utf8_valid(text, 16));
	ck_assert(!utf8_valid(text, 17));
}
END_TEST

static Suite *units_suite(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, base64url_rfc4648_vectors);
	tcase_add_test(tc, base64url_uses_url_alphabet);
	tcase_add_test(tc, base64url_decode_reverses_encode);
	tcase_add_test(tc, base64url_decode_refuses_all_but_the_canonical_form);
	tcase_add_test(tc, hash_is_sha256_base64url);
	tcase_add_test(tc, secrets_are_256_bit_and_distinct);
	tcase_add_test(tc, secret_equal_compares_whole_strings);
	tcase_add_test(tc, secret_equal_null_equals_nothing);
	tcase_add_test(tc, grant_ids_are_time_ordered_uuids);
	tcase_add_test(tc, pkce_rfc7636_appendix_b);
	tcase_add_test(tc, pkce_challenge_is_rfc7636_s256);
	tcase_add_test(tc, pkce_challenge_refuses_bad_verifiers);
	tcase_add_test(tc, pkce_string_bounds);
	tcase_add_test(tc, scope_includes_what_a_resource_asks);
	tcase_add_test(tc, grant_type_names_round_trip);
	tcase_add_test(tc, grant_type_unknowns_are_refused);
	tcase_add_test(tc, scope_syntax);
	tcase_add_test(tc, scope_subset);
	tcase_add_test(tc, status_maps_to_rfc_errors);
	tcase_add_test(tc, error_set_fills_and_truncates);
	tcase_add_test(tc, utf8_sequences_anywhere_in_ascii);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *runner = srunner_create(units_suite());
	int failed;

	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
