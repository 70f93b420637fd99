/* The grants working as intended: code, refresh, client credentials,
 * validation, revocation and expiry purging. */
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define PUB PROAUTH2_CLIENT_PUBLIC
#define CODE_GRANTS (PROAUTH2_GRANT_AUTHORIZATION_CODE | PROAUTH2_GRANT_REFRESH_TOKEN)

START_TEST(code_flow_with_pkce_issues_tokens)
{
	proauth2_client *c = register_client(CONF, 0, "read write");
	char *code = issue_code(c, "read", 1);
	proauth2_token_response *t;
	proauth2_token_info *info = NULL;

	ck_assert_uint_eq(strlen(code), 43);
	t = exchange_code(c, code, 1);
	ck_assert_uint_eq(strlen(t->access_token), 43);
	ck_assert_ptr_nonnull(t->refresh_token);
	ck_assert_str_ne(t->access_token, t->refresh_token);
	ck_assert_str_eq(t->token_type, "Bearer");
	ck_assert_int_eq(t->expires_in, 3600);
	ck_assert_str_eq(t->scope, "read");

	ck_assert_int_eq(proauth2_token_validate(env.provider, t->access_token,
			&info, NULL), PROAUTH2_OK);
	ck_assert_str_eq(info->user_id, USER);
	ck_assert_str_eq(info->client_id, c->client_id);
	ck_assert_str_eq(info->scope, "read");
	ck_assert_int_eq(info->issued_at, env.now);
	ck_assert_int_eq(info->expires_at, env.now + 3600);
	proauth2_token_info_free(info);
	/* A refresh token is no access token. */
	ck_assert_int_eq(validate_status(t->refresh_token), PROAUTH2_ERR_INVALID_TOKEN);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(public_client_code_flow)
{
	proauth2_client *c = register_client(PUB, CODE_GRANTS, "read");
	char *code = issue_code(c, NULL, 1);
	proauth2_token_response *t = exchange_code(c, code, 1);

	ck_assert_str_eq(t->scope, "read");  /* the client's default scope */
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_OK);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(confidential_client_without_pkce)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 0);
	proauth2_token_response *t = exchange_code(c, code, 0);

	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_OK);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(sole_redirect_uri_may_be_omitted)
{
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params params = {.struct_size = sizeof(proauth2_client_params),
		.type = CONF, .redirect_uris = uris,
		.n_redirect_uris = 1, .scope = "read"};
	proauth2_client *c = NULL;
	proauth2_code_request req = {.struct_size = sizeof(proauth2_code_request),
		.user_id = USER};
	proauth2_code_exchange ex = {.struct_size = sizeof(proauth2_code_exchange)};
	proauth2_token_response *t = NULL;
	char *code = NULL;

	ck_assert_int_eq(proauth2_client_register(env.provider, &params, &c, NULL),
			PROAUTH2_OK);
	req.client_id = c->client_id;
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL), PROAUTH2_OK);
	ex = (proauth2_code_exchange){sizeof(proauth2_code_exchange),
			c->client_id, c->client_secret, code, NULL, NULL,
			PROAUTH2_AUTH_METHOD_ANY, NULL};
	ck_assert_int_eq(proauth2_token_exchange_code(env.provider, &ex, &t, NULL),
			PROAUTH2_OK);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(refresh_rotates_and_narrows)
{
	proauth2_client *c = register_client(CONF, 0, "read write");
	char *code = issue_code(c, "read write", 1);
	proauth2_token_response *t = exchange_code(c, code, 1), *r1 = NULL, *r2 = NULL;
	proauth2_token_info *info = NULL;

	env.now += 100;
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, "read", &r1), PROAUTH2_OK);
	ck_assert_str_eq(r1->scope, "read");
	ck_assert_ptr_nonnull(r1->refresh_token);
	ck_assert_str_ne(r1->refresh_token, t->refresh_token);
	ck_assert_int_eq(proauth2_token_validate(env.provider, r1->access_token,
			&info, NULL), PROAUTH2_OK);
	ck_assert_str_eq(info->scope, "read");
	ck_assert_str_eq(info->user_id, USER);
	ck_assert_int_eq(info->issued_at, env.now);
	proauth2_token_info_free(info);
	/* The new refresh token keeps the original grant's scope (§6). */
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			r1->refresh_token, NULL, &r2), PROAUTH2_OK);
	ck_assert_str_eq(r2->scope, "read write");
	/* Earlier access tokens of the grant stay valid until they expire. */
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_OK);
	proauth2_token_response_free(r2);
	proauth2_token_response_free(r1);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(refresh_cannot_widen_scope)
{
	proauth2_client *c = register_client(CONF, 0, "read write");
	char *code = issue_code(c, "read", 1);
	proauth2_token_response *t = exchange_code(c, code, 1), *r = NULL;

	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, "read write", &r),
			PROAUTH2_ERR_INVALID_SCOPE);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, "read  bad", &r),
			PROAUTH2_ERR_INVALID_SCOPE);
	/* A refused request did not spend the refresh token. */
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, NULL, &r), PROAUTH2_OK);
	proauth2_token_response_free(r);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(no_refresh_token_without_refresh_grant)
{
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_AUTHORIZATION_CODE, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_token_response *t = exchange_code(c, code, 1);

	ck_assert_ptr_null(t->refresh_token);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(client_credentials_grant)
{
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS,
			"read write");
	proauth2_client *code_only = register_client(CONF, 0, "read");
	proauth2_token_response *t = NULL;
	proauth2_token_info *info = NULL;

	ck_assert_int_eq(client_credentials_with(c->client_id, c->client_secret,
			"write", &t), PROAUTH2_OK);
	ck_assert_ptr_null(t->refresh_token);  /* §4.4.3 */
	ck_assert_str_eq(t->scope, "write");
	ck_assert_int_eq(proauth2_token_validate(env.provider, t->access_token,
			&info, NULL), PROAUTH2_OK);
	ck_assert_ptr_null(info->user_id);
	ck_assert_str_eq(info->client_id, c->client_id);
	proauth2_token_info_free(info);
	proauth2_token_response_free(t);
	t = NULL;

	ck_assert_int_eq(client_credentials_with(c->client_id, c->client_secret,
			"admin", &t), PROAUTH2_ERR_INVALID_SCOPE);
	ck_assert_int_eq(client_credentials_with(c->client_id, "wrong", NULL,
			&t), PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_int_eq(client_credentials_with(code_only->client_id,
			code_only->client_secret, NULL, &t),
			PROAUTH2_ERR_UNAUTHORIZED_CLIENT);
	ck_assert_ptr_null(t);
	proauth2_client_free(code_only);
	proauth2_client_free(c);
}
END_TEST

START_TEST(revoke_access_token)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_token_response *t = exchange_code(c, code, 1), *r = NULL;

	ck_assert_int_eq(proauth2_token_revoke(env.provider, c->client_id,
			t->access_token, PROAUTH2_HINT_REFRESH_TOKEN, NULL), PROAUTH2_OK);
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	/* The refresh token was not revoked with it. */
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, NULL, &r), PROAUTH2_OK);
	/* Unknown and repeated revocations are fine (RFC 7009 §2.2). */
	ck_assert_int_eq(proauth2_token_revoke(env.provider, c->client_id,
			t->access_token, PROAUTH2_HINT_NONE, NULL), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_token_revoke(env.provider, c->client_id,
			"no-such-token", PROAUTH2_HINT_ACCESS_TOKEN, NULL), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_token_revoke(env.provider, c->client_id,
			"", PROAUTH2_HINT_NONE, NULL), PROAUTH2_ERR_INVALID_REQUEST);
	proauth2_token_response_free(r);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(revoke_refresh_token_revokes_its_grant)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1), *code2 = issue_code(c, "read", 1);
	proauth2_token_response *t = exchange_code(c, code, 1);
	proauth2_token_response *other = exchange_code(c, code2, 1), *r = NULL;

	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, NULL, &r), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_token_revoke(env.provider, c->client_id,
			r->refresh_token, PROAUTH2_HINT_NONE, NULL), PROAUTH2_OK);
	ck_assert_int_eq(validate_status(r->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	/* Another grant of the same user and client is untouched. */
	ck_assert_int_eq(validate_status(other->access_token), PROAUTH2_OK);
	proauth2_token_response_free(r);
	r = NULL;
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			other->refresh_token, NULL, &r), PROAUTH2_OK);
	proauth2_token_response_free(r);
	proauth2_token_response_free(other);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_secret_free(code2);
	proauth2_client_free(c);
}
END_TEST

START_TEST(revoke_refuses_another_clients_token)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	proauth2_client *mallory = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_token_response *t = exchange_code(c, code, 1);

	ck_assert_int_eq(proauth2_token_revoke(env.provider, mallory->client_id,
			t->access_token, PROAUTH2_HINT_NONE, NULL),
			PROAUTH2_ERR_UNAUTHORIZED_CLIENT);
	ck_assert_int_eq(proauth2_token_revoke(env.provider, mallory->client_id,
			t->refresh_token, PROAUTH2_HINT_REFRESH_TOKEN, NULL),
			PROAUTH2_ERR_UNAUTHORIZED_CLIENT);
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_OK);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(mallory);
	proauth2_client_free(c);
}
END_TEST

START_TEST(revoke_user_logs_out)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code1 = issue_code(c, "read", 1), *code2 = issue_code(c, "read", 1);
	char *pending = issue_code(c, "read", 1);
	proauth2_token_response *t1 = exchange_code(c, code1, 1);
	proauth2_token_response *t2 = exchange_code(c, code2, 1), *r = NULL;
	proauth2_code_exchange late = {sizeof(proauth2_code_exchange),
			c->client_id, c->client_secret, pending,
		REDIRECT_URI, RFC7636_VERIFIER, PROAUTH2_AUTH_METHOD_ANY, NULL};
	size_t removed = 0;

	ck_assert_int_eq(proauth2_token_revoke_user(env.provider, c->client_id, USER,
			&removed, NULL), PROAUTH2_OK);
	ck_assert_uint_eq(removed, 5);  /* 2 access + 2 refresh tokens + 1 code */
	ck_assert_int_eq(validate_status(t1->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_status(t2->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t1->refresh_token, NULL, &r),
			PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(proauth2_token_exchange_code(env.provider, &late, &r, NULL),
			PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(proauth2_token_revoke_user(env.provider, c->client_id, USER,
			&removed, NULL), PROAUTH2_OK);
	ck_assert_uint_eq(removed, 0);
	proauth2_token_response_free(t1);
	proauth2_token_response_free(t2);
	proauth2_secret_free(code1);
	proauth2_secret_free(code2);
	proauth2_secret_free(pending);
	proauth2_client_free(c);
}
END_TEST

START_TEST(purge_removes_only_expired)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1), *stale = issue_code(c, "read", 1);
	proauth2_token_response *t = exchange_code(c, code, 1);
	size_t removed = 0;

	ck_assert_int_eq(proauth2_provider_purge_expired(env.provider, &removed, NULL),
			PROAUTH2_OK);
	ck_assert_uint_eq(removed, 0);
	env.now += 61;  /* past the code lifetime, within the tokens' */
	ck_assert_int_eq(proauth2_provider_purge_expired(env.provider, &removed, NULL),
			PROAUTH2_OK);
	/* The unused code went; the spent code's record stays to catch replays. */
	ck_assert_uint_eq(removed, 1);
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_OK);
	env.now += 30 * 24 * 3600;  /* past every lifetime */
	ck_assert_int_eq(proauth2_provider_purge_expired(env.provider, &removed, NULL),
			PROAUTH2_OK);
	ck_assert_uint_eq(removed, 3);  /* access, refresh, spent code */
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_secret_free(stale);
	proauth2_client_free(c);
}
END_TEST

START_TEST(validate_refuses_garbage)
{
	char big[1024];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(validate_status(NULL), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_status(""), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_status("nope"), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_status(big), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_status("' OR 1=1 --"), PROAUTH2_ERR_INVALID_TOKEN);
}
END_TEST

/* As validation does, introspection may be asked only whether a token is
 * active: out NULL. */
START_TEST(introspection_may_ask_only_whether_a_token_is_active)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	proauth2_client *other = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_token_response *t = exchange_code(c, code, 1);
	proauth2_error err = {0};

	ck_assert_msg(proauth2_token_introspect(env.provider, c->client_id,
			t->access_token, PROAUTH2_HINT_NONE, NULL, &err) == PROAUTH2_OK,
			"%s", err.text);
	ck_assert_int_eq(proauth2_token_introspect(env.provider, c->client_id,
			t->refresh_token, PROAUTH2_HINT_REFRESH_TOKEN, NULL, NULL), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_token_introspect(env.provider, other->client_id,
			t->access_token, PROAUTH2_HINT_NONE, NULL, NULL),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(proauth2_token_introspect(env.provider, c->client_id,
			"no-such-token", PROAUTH2_HINT_NONE, NULL, NULL),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(proauth2_token_revoke(env.provider, c->client_id,
			t->access_token, PROAUTH2_HINT_NONE, NULL), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_token_introspect(env.provider, c->client_id,
			t->access_token, PROAUTH2_HINT_NONE, NULL, NULL),
			PROAUTH2_ERR_INVALID_TOKEN);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(other);
	proauth2_client_free(c);
}
END_TEST

static Suite *grants_suite(void)
{
	Suite *s = suite_create("grants");
	TCase *tc = tcase_create("grants");

	tcase_add_checked_fixture(tc, env_setup, env_teardown);
	tcase_add_test(tc, code_flow_with_pkce_issues_tokens);
	tcase_add_test(tc, public_client_code_flow);
	tcase_add_test(tc, confidential_client_without_pkce);
	tcase_add_test(tc, sole_redirect_uri_may_be_omitted);
	tcase_add_test(tc, refresh_rotates_and_narrows);
	tcase_add_test(tc, refresh_cannot_widen_scope);
	tcase_add_test(tc, no_refresh_token_without_refresh_grant);
	tcase_add_test(tc, client_credentials_grant);
	tcase_add_test(tc, revoke_access_token);
	tcase_add_test(tc, revoke_refresh_token_revokes_its_grant);
	tcase_add_test(tc, revoke_refuses_another_clients_token);
	tcase_add_test(tc, revoke_user_logs_out);
	tcase_add_test(tc, purge_removes_only_expired);
	tcase_add_test(tc, validate_refuses_garbage);
	tcase_add_test(tc, introspection_may_ask_only_whether_a_token_is_active);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(grants_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
