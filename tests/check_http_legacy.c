/* Legacy clients as they really are (DRACOON's): a public client that
 * sends Basic with an empty password or client_secret= (RFC 6749 §2.3.1),
 * and a public client the host lets do the code flow without PKCE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_support.h"

#define PUB PROAUTH2_CLIENT_PUBLIC
#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define LEGACY_GRANTS (PROAUTH2_GRANT_PASSWORD | PROAUTH2_GRANT_AUTHORIZATION_CODE | \
		PROAUTH2_GRANT_REFRESH_TOKEN)
#define CB "https%3A%2F%2Fclient.example.com%2Fcb"

static char body[2048];

static bool check_password(void *arg, const char *user, const char *password)
{
	(void)arg;
	return strcmp(user, "alice") == 0 && strcmp(password, "s3cret") == 0;
}

static void enable_password(proauth2_config *cfg)
{
	cfg->enable_password_grant = true;
	cfg->check_password = check_password;
}

/* A host-registered client of type with method, and PKCE optional or not. */
static proauth2_client *legacy_client(proauth2_client_type type,
		proauth2_auth_method method, bool pkce_optional)
{
	static const char *const uris[] = {REDIRECT_URI};
	proauth2_client_params params;
	proauth2_client *c = NULL;
	proauth2_error err = {0};

	proauth2_client_params_init(&params);
	params.type = type;
	params.redirect_uris = uris;
	params.n_redirect_uris = 1;
	params.grant_types = LEGACY_GRANTS;
	params.scope = "read";
	params.token_endpoint_auth_method = method;
	(void)pkce_optional;
	ck_assert_msg(proauth2_client_register(env.provider, &params, &c, &err) ==
			PROAUTH2_OK, "register: %s", err.text);
	return c;
}

/* A string member of a 200 response's JSON (new); frees the response. */
static char *ok_member(proauth2_http_response *r, const char *name)
{
	json_t *doc = body_json(r);
	char *v;

	ck_assert_msg(r->status == 200, "%d: %s", r->status, r->body);
	v = strdup(json_string_value(json_object_get(doc, name)));
	json_decref(doc);
	proauth2_http_response_free(r);
	return v;
}

/* DRACOON's password flow, refresh and logout, as its library sends them. */
static void password_refresh_logout(const proauth2_client *c)
{
	char *refresh, *access;
	proauth2_http_response *r;

	r = post_form("/token", "grant_type=password&username=alice&password=s3cret",
			basic(c->client_id, ""));
	ck_assert_msg(r->status == 200, "%d: %s", r->status, r->body);
	proauth2_http_response_free(r);
	r = post_form("/token", "grant_type=password&username=alice&password=s3cret",
			basic(c->client_id, ""));
	refresh = ok_member(r, "refresh_token");
	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s"
			"&client_id=%s&client_secret=", refresh, c->client_id);
	free(refresh);
	r = post_form("/token", body, NULL);
	ck_assert_msg(r->status == 200, "%d: %s", r->status, r->body);
	{
		json_t *doc = body_json(r);

		access = strdup(json_string_value(json_object_get(doc, "access_token")));
		refresh = strdup(json_string_value(json_object_get(doc, "refresh_token")));
		json_decref(doc);
	}
	proauth2_http_response_free(r);
	snprintf(body, sizeof(body), "token=%s&token_type_hint=access_token"
			"&client_id=%s&client_secret=", access, c->client_id);
	r = post_form("/revoke", body, NULL);
	ck_assert_msg(r->status == 200, "%d: %s", r->status, r->body);
	proauth2_http_response_free(r);
	snprintf(body, sizeof(body), "token=%s&token_type_hint=refresh_token"
			"&client_id=%s&client_secret=", refresh, c->client_id);
	r = post_form("/revoke", body, NULL);
	ck_assert_msg(r->status == 200, "%d: %s", r->status, r->body);
	proauth2_http_response_free(r);
	ck_assert_int_eq(validate_status(access), PROAUTH2_ERR_INVALID_TOKEN);
	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s"
			"&client_id=%s&client_secret=", refresh, c->client_id);
	assert_error(post_form("/token", body, NULL), 400, "invalid_grant");
	free(access);
	free(refresh);
}

START_TEST(public_client_identifies_with_an_empty_basic_password)
{
	proauth2_client *c = legacy_client(PUB, PROAUTH2_AUTH_METHOD_ANY, false);

	env_reconfigure(enable_password);
	password_refresh_logout(c);
	proauth2_client_free(c);
}
END_TEST

/* Basic "id:" carries no secret: it is the method none. */
START_TEST(empty_basic_password_is_the_method_none)
{
	proauth2_client *c = legacy_client(PUB, PROAUTH2_AUTH_METHOD_NONE, false);

	env_reconfigure(enable_password);
	password_refresh_logout(c);
	ck_assert_int_eq(proauth2_client_authenticate_method(env.provider,
			c->client_id, "", PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC,
			NULL, NULL), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_client_authenticate_method(env.provider,
			c->client_id, "", PROAUTH2_AUTH_METHOD_CLIENT_SECRET_POST,
			NULL, NULL), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_client_authenticate(env.provider,
			c->client_id, "", NULL, NULL), PROAUTH2_OK);
	/* A secret is still no public client's. */
	assert_error(post_form("/token", "grant_type=password&username=alice"
			"&password=s3cret", basic(c->client_id, "x")), 401, "invalid_client");
	proauth2_client_free(c);
}
END_TEST

START_TEST(empty_secret_never_authenticates_a_confidential_client)
{
	proauth2_auth_method methods[] = {PROAUTH2_AUTH_METHOD_ANY,
		PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC,
		PROAUTH2_AUTH_METHOD_CLIENT_SECRET_POST};
	size_t i;

	env_reconfigure(enable_password);
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		proauth2_client *c = legacy_client(CONF, methods[i], false);

		assert_error(post_form("/token", "grant_type=password&username=alice"
				"&password=s3cret", basic(c->client_id, "")), 401,
				"invalid_client");
		snprintf(body, sizeof(body), "grant_type=password&username=alice"
				"&password=s3cret&client_id=%s&client_secret=", c->client_id);
		assert_error(post_form("/token", body, NULL), 401, "invalid_client");
		snprintf(body, sizeof(body), "token=x&client_id=%s&client_secret=",
				c->client_id);
		assert_error(post_form("/revoke", body, NULL), 401, "invalid_client");
		ck_assert_int_eq(proauth2_client_authenticate_method(env.provider,
				c->client_id, "", PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC,
				NULL, NULL), PROAUTH2_ERR_INVALID_CLIENT);
		ck_assert_int_eq(proauth2_client_authenticate(env.provider,
				c->client_id, "", NULL, NULL), PROAUTH2_ERR_INVALID_CLIENT);
		proauth2_client_free(c);
	}
	/* An unknown client with an empty password is no client. */
	assert_error(post_form("/token", "grant_type=password&username=alice"
			"&password=s3cret", basic("nobody", "")), 401, "invalid_client");
}
END_TEST

/* Basic "id:" with a secret in the form is still two methods; with
 * client_secret= (no value, RFC 6749 §3.1) it is Basic alone. */
START_TEST(empty_basic_password_with_a_form_secret_is_two_methods)
{
	proauth2_client *c = legacy_client(PUB, PROAUTH2_AUTH_METHOD_ANY, false);

	assert_error(post_form("/token", "grant_type=refresh_token&refresh_token=x"
			"&client_secret=x", basic(c->client_id, "")), 400, "invalid_request");
	assert_error(post_form("/token", "grant_type=refresh_token&refresh_token=x"
			"&client_secret=", basic(c->client_id, "")), 400, "invalid_grant");
	proauth2_client_free(c);
}
END_TEST

static Suite *legacy_suite(void)
{
	Suite *s = suite_create("http-legacy");
	TCase *tc = tcase_create("legacy");

	tcase_add_checked_fixture(tc, env_setup, env_teardown);
	tcase_add_test(tc, public_client_identifies_with_an_empty_basic_password);
	tcase_add_test(tc, empty_basic_password_is_the_method_none);
	tcase_add_test(tc, empty_secret_never_authenticates_a_confidential_client);
	tcase_add_test(tc, empty_basic_password_with_a_form_secret_is_two_methods);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(legacy_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
