/*
 * Grant attributes: the host's JSON object attached to a code travels with
 * every token of the grant, refreshed ones too, comes back from
 * validation, introspection (engine and HTTP) and the bearer check, and
 * survives a failed exchange's retry; no client request sets or changes
 * it; what is not a small JSON object is the host's mistake.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faulty_store.h"
#include "http_support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define CODE_AND_REFRESH (PROAUTH2_GRANT_AUTHORIZATION_CODE | \
		PROAUTH2_GRANT_REFRESH_TOKEN)
/* More steps than an exchange or a refresh takes; bounds the loops. */
#define MAX_STEPS 40

/* As a Domain Connect consent page would attach them, with spaces. */
#define GIVEN "{ \"domain\": \"connect.domains\", \"hosts\": [\"async\", \"\"] }"
#define STORED "{\"domain\":\"connect.domains\",\"hosts\":[\"async\",\"\"]}"

static char body[4096];

static proauth2_status issue_with(const proauth2_client *c, const char *attributes,
		char **code)
{
	proauth2_code_request req;
	proauth2_error err = {0};

	proauth2_code_request_init(&req);
	req.client_id = c->client_id;
	req.user_id = USER;
	req.redirect_uri = REDIRECT_URI;
	req.scope = "read";
	req.code_challenge = RFC7636_CHALLENGE;
	req.attributes = attributes;
	return proauth2_code_issue(env.provider, &req, code, &err);
}

static proauth2_status exchange(const proauth2_client *c, const char *code,
		proauth2_token_response **out)
{
	proauth2_code_exchange req;

	proauth2_code_exchange_init(&req);
	req.client_id = c->client_id;
	req.client_secret = c->client_secret;
	req.code = code;
	req.redirect_uri = REDIRECT_URI;
	req.code_verifier = RFC7636_VERIFIER;
	return proauth2_token_exchange_code(env.provider, &req, out, NULL);
}

/* The attributes validation gives access_token ("" when it has none). */
static void expect_validated(const char *access_token, const char *want)
{
	proauth2_token_info *info = NULL;
	proauth2_error err = {0};

	ck_assert_msg(proauth2_token_validate(env.provider, access_token, &info, &err)
			== PROAUTH2_OK, "validate: %s", err.text);
	if (want == NULL)
		ck_assert_ptr_null(info->attributes);
	else
		ck_assert_str_eq(info->attributes, want);
	proauth2_token_info_free(info);
}

static void expect_introspected(const proauth2_client *c, const char *token,
		const char *want)
{
	proauth2_token_info *info = NULL;
	proauth2_error err = {0};

	ck_assert_msg(proauth2_token_introspect(env.provider, c->client_id, token,
			PROAUTH2_HINT_NONE, &info, &err) == PROAUTH2_OK, "%s", err.text);
	if (want == NULL)
		ck_assert_ptr_null(info->attributes);
	else
		ck_assert_str_eq(info->attributes, want);
	proauth2_token_info_free(info);
}

START_TEST(attributes_follow_the_grant_through_refresh)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read write");
	proauth2_token_response *first = NULL, *second = NULL, *plain = NULL;
	char *code = NULL;

	ck_assert_int_eq(issue_with(c, GIVEN, &code), PROAUTH2_OK);
	ck_assert_int_eq(exchange(c, code, &first), PROAUTH2_OK);
	expect_validated(first->access_token, STORED);
	expect_introspected(c, first->access_token, STORED);
	expect_introspected(c, first->refresh_token, STORED);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			first->refresh_token, NULL, &second), PROAUTH2_OK);
	expect_validated(second->access_token, STORED);
	expect_introspected(c, second->refresh_token, STORED);
	/* A narrowed refresh keeps them too. */
	proauth2_token_response_free(first);
	first = NULL;
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			second->refresh_token, "read", &first), PROAUTH2_OK);
	expect_validated(first->access_token, STORED);
	proauth2_secret_free(code);
	code = NULL;

	/* A grant without attributes has none: NULL, not "{}". */
	ck_assert_int_eq(issue_with(c, NULL, &code), PROAUTH2_OK);
	ck_assert_int_eq(exchange(c, code, &plain), PROAUTH2_OK);
	expect_validated(plain->access_token, NULL);
	expect_introspected(c, plain->refresh_token, NULL);

	/* A revoked grant's attributes go with its tokens. */
	ck_assert_int_eq(proauth2_token_revoke(env.provider, c->client_id,
			first->refresh_token, PROAUTH2_HINT_NONE, NULL), PROAUTH2_OK);
	ck_assert_int_eq(validate_status(first->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_status(second->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	proauth2_token_response_free(first);
	proauth2_token_response_free(second);
	proauth2_token_response_free(plain);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(what_is_no_small_object_is_refused)
{
	static const char *const refused[] = {
		"", " ", "[]", "[{}]", "\"domain\"", "7", "null", "true", "{",
		"{\"a\":1} {}", "{\"a\":1,\"a\":2}", "{'a':1}", "{\"a\":\"\xff\"}",
		"{\"a\":\"\\u0000\"}",
		/* nine deep */
		"{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{}}}}}}}}}",
		"{\"a\":[[[[[[[[]]]]]]]]}",
	};
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read");
	char *code = NULL, *big = malloc(2 * PROAUTH2_ATTRIBUTES_MAX_LENGTH);
	size_t i;
	int n;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		ck_assert_msg(issue_with(c, refused[i], &code) ==
				PROAUTH2_ERR_INVALID_ARGUMENT, "accepted %s", refused[i]);
		ck_assert_ptr_null(code);
	}
	/* Eight deep, and exactly the longest: accepted. */
	ck_assert_int_eq(issue_with(c, "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":"
			"{\"g\":{}}}}}}}}", &code), PROAUTH2_OK);
	proauth2_secret_free(code);
	code = NULL;
	n = snprintf(big, 2 * PROAUTH2_ATTRIBUTES_MAX_LENGTH, "{\"a\":\"%0*d\"}",
			PROAUTH2_ATTRIBUTES_MAX_LENGTH - 8, 0);
	ck_assert_int_eq(n, PROAUTH2_ATTRIBUTES_MAX_LENGTH);
	ck_assert_int_eq(issue_with(c, big, &code), PROAUTH2_OK);
	proauth2_secret_free(code);
	code = NULL;
	/* One byte more, even where spaces made the text longer still. */
	snprintf(big, 2 * PROAUTH2_ATTRIBUTES_MAX_LENGTH, "{\"a\":\"%0*d\"}",
			PROAUTH2_ATTRIBUTES_MAX_LENGTH - 7, 0);
	ck_assert_int_eq(issue_with(c, big, &code), PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(code);
	free(big);
	proauth2_client_free(c);
}
END_TEST

/* A pending authorization for c, with query's extra parameters. */
static proauth2_authorization *begin(const proauth2_client *c, const char *extra)
{
	proauth2_http_request req = {.struct_size = sizeof(proauth2_http_request),
		.method = "GET", .path = "/authorize", .query = body};
	proauth2_authorization *a = NULL;
	proauth2_http_response *r = NULL;

	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			"https%%3A%%2F%%2Fclient.example.com%%2Fcb&scope=read"
			"&code_challenge=" RFC7636_CHALLENGE "&code_challenge_method=S256%s",
			c->client_id, extra);
	ck_assert_int_eq(proauth2_http_authorize_begin(env.provider, &req, &a, &r),
			PROAUTH2_OK);
	ck_assert_ptr_null(r);
	return a;
}

/* Approve over HTTP with attributes, and exchange at /token: the tokens'
 * JSON answer (new reference). extra goes into the token request. */
static json_t *http_grant(const proauth2_client *c, const char *attributes,
		const char *authorize_extra, const char *token_extra)
{
	proauth2_authorization *a = begin(c, authorize_extra);
	proauth2_http_response *r = NULL;
	char *code;
	json_t *doc;

	ck_assert_int_eq(proauth2_http_authorize_issue_with_attributes(env.provider,
			proauth2_authorization_ticket(a), USER, NULL, attributes, &r),
			PROAUTH2_OK);
	proauth2_authorization_free(a);
	ck_assert_int_eq(r->status, 303);
	code = location_param(r, "code");
	proauth2_http_response_free(r);
	snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s"
			"&redirect_uri=https%%3A%%2F%%2Fclient.example.com%%2Fcb"
			"&code_verifier=" RFC7636_VERIFIER "%s", code, token_extra);
	r = post_form("/token", body, basic(c->client_id, c->client_secret));
	ck_assert_msg(r->status == 200, "%s", r->body);
	doc = body_json(r);
	proauth2_http_response_free(r);
	free(code);
	return doc;
}

/* /introspect's "attributes" member for token (new reference, or NULL). */
static json_t *introspected(const proauth2_client *c, const char *token)
{
	proauth2_http_response *r;
	json_t *doc, *attributes;

	snprintf(body, sizeof(body), "token=%s", token);
	r = post_form("/introspect", body, basic(c->client_id, c->client_secret));
	ck_assert_int_eq(r->status, 200);
	doc = body_json(r);
	ck_assert(json_is_true(json_object_get(doc, "active")));
	attributes = json_incref(json_object_get(doc, "attributes"));
	json_decref(doc);
	proauth2_http_response_free(r);
	return attributes;
}

static void expect_bearer(const char *access_token, const char *want)
{
	char header[256];
	proauth2_token_info *info = NULL;
	proauth2_http_response *r = NULL;

	snprintf(header, sizeof(header), "Bearer %s", access_token);
	ck_assert_int_eq(bearer(header, "read", &info, &r), PROAUTH2_OK);
	ck_assert_ptr_null(r);
	if (want == NULL)
		ck_assert_ptr_null(info->attributes);
	else
		ck_assert_str_eq(info->attributes, want);
	proauth2_token_info_free(info);
}

START_TEST(http_introspection_and_bearer_carry_attributes)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read");
	json_t *tokens = http_grant(c, GIVEN, "", ""), *want = json_loads(STORED, 0, NULL);
	json_t *got, *refreshed;
	proauth2_http_response *r;

	got = introspected(c, json_string_value(json_object_get(tokens, "access_token")));
	ck_assert(json_equal(got, want));  /* an object, not a string */
	json_decref(got);
	got = introspected(c, json_string_value(json_object_get(tokens, "refresh_token")));
	ck_assert(json_equal(got, want));
	json_decref(got);
	expect_bearer(json_string_value(json_object_get(tokens, "access_token")), STORED);

	/* A refresh request naming attributes changes nothing. */
	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s"
			"&attributes=%%7B%%22domain%%22%%3A%%22evil.example%%22%%7D",
			json_string_value(json_object_get(tokens, "refresh_token")));
	r = post_form("/token", body, basic(c->client_id, c->client_secret));
	ck_assert_msg(r->status == 200, "%s", r->body);
	refreshed = body_json(r);
	proauth2_http_response_free(r);
	got = introspected(c, json_string_value(json_object_get(refreshed, "access_token")));
	ck_assert(json_equal(got, want));
	json_decref(got);
	expect_bearer(json_string_value(json_object_get(refreshed, "access_token")), STORED);
	json_decref(refreshed);
	json_decref(tokens);
	json_decref(want);
	proauth2_client_free(c);
}
END_TEST

START_TEST(no_client_request_sets_attributes)
{
	static const char *const evil =
		"&attributes=%7B%22domain%22%3A%22evil.example%22%7D"
		"&authorization_details=%5B%7B%22type%22%3A%22x%22%7D%5D";
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read");
	json_t *tokens, *got;
	const char *access;

	/* In the authorization request and the token request: ignored. */
	tokens = http_grant(c, NULL, evil, evil);
	access = json_string_value(json_object_get(tokens, "access_token"));
	ck_assert_ptr_null(json_object_get(tokens, "attributes"));
	got = introspected(c, access);
	ck_assert_ptr_null(got);
	expect_bearer(access, NULL);
	json_decref(tokens);
	/* And with the host's: the host's stay. */
	tokens = http_grant(c, "{\"domain\":\"a.example\"}", evil, evil);
	access = json_string_value(json_object_get(tokens, "access_token"));
	expect_bearer(access, "{\"domain\":\"a.example\"}");
	json_decref(tokens);
	proauth2_client_free(c);
}
END_TEST

START_TEST(refused_attributes_leave_the_authorization_to_approve)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read");
	proauth2_authorization *a = begin(c, ""), *spent = NULL;
	proauth2_error err = {0};
	char *code = NULL;

	ck_assert_int_eq(proauth2_authorization_spend(env.provider,
			proauth2_authorization_ticket(a), &spent, &err), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_authorization_approve_with_attributes(env.provider,
			spent, USER, NULL, "[\"not an object\"]", &code, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(code);
	ck_assert_int_eq(proauth2_authorization_approve_with_attributes(env.provider,
			spent, USER, NULL, GIVEN, &code, &err), PROAUTH2_OK);
	ck_assert_ptr_nonnull(code);
	proauth2_secret_free(code);
	proauth2_authorization_free(spent);
	proauth2_authorization_free(a);
	proauth2_client_free(c);
}
END_TEST

START_TEST(refused_attributes_over_http_are_a_server_error)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read");
	proauth2_authorization *a = begin(c, "");
	proauth2_http_response *r = NULL;
	json_t *doc;

	/* The host's mistake: never an invalid_request redirected to the
	 * client, which sent nothing wrong. */
	ck_assert_int_eq(proauth2_http_authorize_issue_with_attributes(env.provider,
			proauth2_authorization_ticket(a), USER, NULL, "{\"a\":", &r),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(r->status, 500);
	ck_assert_ptr_null(proauth2_http_response_header(r, "Location"));
	doc = body_json(r);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "error")), "server_error");
	json_decref(doc);
	proauth2_http_response_free(r);
	proauth2_authorization_free(a);
	proauth2_client_free(c);
}
END_TEST

/* ---- A failed exchange's or refresh's retry: faulty_store.h. ---- */

static int is_failure(proauth2_status s)
{
	return s == PROAUTH2_ERR_UNAVAILABLE || s == PROAUTH2_ERR_OUTCOME_UNKNOWN;
}

START_TEST(a_retry_after_a_failure_keeps_the_attributes)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read");
	unsigned n, kind, failures = 0;

	for (kind = 0; kind < 2; kind++) {
		faulty_when when = kind == 0 ? FAULTY_BEFORE : FAULTY_AFTER;

		for (n = 1; n <= MAX_STEPS; n++) {
			proauth2_token_response *t = NULL, *rt = NULL;
			proauth2_status status;
			char *code = NULL;
			int fired;

			ck_assert_int_eq(issue_with(c, GIVEN, &code), PROAUTH2_OK);
			faulty_store_fail(n, when);
			status = exchange(c, code, &t);
			fired = faulty_store_fired();
			faulty_store_fail(0, FAULTY_OFF);
			if (status != PROAUTH2_OK) {
				ck_assert_msg(is_failure(status), "step %u: %s", n,
						proauth2_status_str(status));
				failures++;
				ck_assert_int_eq(exchange(c, code, &t), PROAUTH2_OK);
			}
			expect_validated(t->access_token, STORED);
			/* The refresh, failing at the same step, then retried. */
			faulty_store_fail(n, when);
			status = refresh_with(c->client_id, c->client_secret,
					t->refresh_token, NULL, &rt);
			fired |= faulty_store_fired();
			faulty_store_fail(0, FAULTY_OFF);
			if (status != PROAUTH2_OK) {
				ck_assert_msg(is_failure(status), "refresh step %u: %s", n,
						proauth2_status_str(status));
				failures++;
				ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
						t->refresh_token, NULL, &rt), PROAUTH2_OK);
			}
			expect_validated(rt->access_token, STORED);
			expect_introspected(c, rt->refresh_token, STORED);
			proauth2_token_response_free(rt);
			proauth2_token_response_free(t);
			proauth2_secret_free(code);
			if (!fired)
				break;
		}
		ck_assert_uint_lt(n, MAX_STEPS);
	}
	ck_assert_uint_gt(failures, 0);
	proauth2_client_free(c);
}
END_TEST

static Suite *attributes_suite(void)
{
	Suite *s = suite_create("attributes");
	TCase *tc = tcase_create("attributes");

	tcase_add_checked_fixture(tc, env_setup, env_teardown);
	tcase_add_test(tc, attributes_follow_the_grant_through_refresh);
	tcase_add_test(tc, what_is_no_small_object_is_refused);
	tcase_add_test(tc, http_introspection_and_bearer_carry_attributes);
	tcase_add_test(tc, no_client_request_sets_attributes);
	tcase_add_test(tc, refused_attributes_leave_the_authorization_to_approve);
	tcase_add_test(tc, refused_attributes_over_http_are_a_server_error);
	suite_add_tcase(s, tc);
	tc = tcase_create("retries");
	tcase_add_checked_fixture(tc, faulty_env_setup, faulty_env_teardown);
	tcase_add_test(tc, a_retry_after_a_failure_keeps_the_attributes);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(attributes_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
