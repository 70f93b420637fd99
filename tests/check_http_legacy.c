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
	params.pkce_optional = pkce_optional;
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

/* An authorization for query through the HTTP layer, approved for USER:
 * the code (new), or NULL with *r the refusal. */
static char *authorize(const char *query, proauth2_http_response **r)
{
	proauth2_http_request req = {.struct_size = sizeof(proauth2_http_request),
		.method = "GET", .path = "/authorize", .query = query};
	proauth2_authorization *a = NULL;
	char *code;

	*r = NULL;
	if (proauth2_http_authorize_begin(env.provider, &req, &a, r) != PROAUTH2_OK)
		return NULL;
	ck_assert_ptr_null(*r);
	ck_assert_int_eq(proauth2_http_authorize_issue(env.provider,
			proauth2_authorization_ticket(a), USER, NULL, r), PROAUTH2_OK);
	proauth2_authorization_free(a);
	ck_assert_int_eq((*r)->status, 303);
	code = location_param(*r, "code");
	proauth2_http_response_free(*r);
	*r = NULL;
	return code;
}

/* DRACOON's get_code_url(), scope aside: no PKCE, its branding parameter. */
static char *dracoon_code(const proauth2_client *c, proauth2_http_response **r)
{
	snprintf(body, sizeof(body), "branding=full&response_type=code&client_id=%s"
			"&redirect_uri=" REDIRECT_URI "&scope=read", c->client_id);
	return authorize(body, r);
}

/* DRACOON's token request for code: client_secret= and no verifier. */
static proauth2_http_response *dracoon_exchange(const proauth2_client *c,
		const char *code, const char *verifier)
{
	snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s"
			"&client_id=%s&client_secret=&redirect_uri=%s%s%s", code,
			c->client_id, CB, verifier ? "&code_verifier=" : "",
			verifier ? verifier : "");
	return post_form("/token", body, NULL);
}

START_TEST(legacy_public_client_does_the_code_flow_without_pkce)
{
	proauth2_client *c = legacy_client(PUB, PROAUTH2_AUTH_METHOD_ANY, true);
	proauth2_client *got = NULL;
	proauth2_http_response *r;
	char *code = dracoon_code(c, &r), *refresh;

	ck_assert_msg(code != NULL, "%s", r ? r->body : "");
	ck_assert(c->pkce_optional);
	ck_assert_int_eq(proauth2_client_get(env.provider, c->client_id, &got, NULL),
			PROAUTH2_OK);
	ck_assert(got->pkce_optional);
	refresh = ok_member(dracoon_exchange(c, code, NULL), "refresh_token");
	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s"
			"&client_id=%s&client_secret=", refresh, c->client_id);
	r = post_form("/token", body, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	/* Spent: a replay, as with PKCE. */
	assert_error(dracoon_exchange(c, code, NULL), 400, "invalid_grant");
	free(refresh);
	free(code);
	proauth2_client_free(got);
	proauth2_client_free(c);
}
END_TEST

START_TEST(public_client_without_the_opt_out_still_needs_pkce)
{
	proauth2_client *c = legacy_client(PUB, PROAUTH2_AUTH_METHOD_ANY, false);
	proauth2_http_response *r;
	char *code = dracoon_code(c, &r);

	ck_assert_ptr_null(code);
	ck_assert_ptr_nonnull(r);
	/* Not redirected: the endpoint answers (or redirects) invalid_request. */
	ck_assert_msg(r->status == 303 || r->status == 400, "%d", r->status);
	if (r->status == 303) {
		char *error = location_param(r, "error");

		ck_assert_str_eq(error, "invalid_request");
		free(error);
		proauth2_http_response_free(r);
	} else {
		assert_error(r, 400, "invalid_request");
	}
	ck_assert(!c->pkce_optional);
	proauth2_client_free(c);
}
END_TEST

/* The opt-out is of sending PKCE, never of checking what was sent. */
START_TEST(code_issued_with_a_challenge_still_needs_its_verifier)
{
	proauth2_client *c = legacy_client(PUB, PROAUTH2_AUTH_METHOD_ANY, true);
	proauth2_http_response *r;
	char *code, query[512];

	snprintf(query, sizeof(query), "response_type=code&client_id=%s&redirect_uri=%s"
			"&scope=read&code_challenge=" RFC7636_CHALLENGE
			"&code_challenge_method=S256", c->client_id, CB);
	code = authorize(query, &r);
	ck_assert_ptr_nonnull(code);
	assert_error(dracoon_exchange(c, code, NULL), 400, "invalid_grant");
	free(code);
	code = authorize(query, &r);
	ck_assert_ptr_nonnull(code);
	assert_error(dracoon_exchange(c, code, "wrong-verifier-wrong-verifier-wrong-verifier"),
			400, "invalid_grant");
	free(code);
	code = authorize(query, &r);
	ck_assert_ptr_nonnull(code);
	r = dracoon_exchange(c, code, RFC7636_VERIFIER);
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	free(code);
	/* A bad challenge is refused as ever. */
	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri=%s"
			"&code_challenge=short&code_challenge_method=S256", c->client_id, CB);
	ck_assert_ptr_null(authorize(body, &r));
	ck_assert_ptr_nonnull(r);
	proauth2_http_response_free(r);
	proauth2_client_free(c);
}
END_TEST

/* Taken back by the host, the opt-out goes for codes issued under it too. */
START_TEST(opt_out_taken_back_voids_codes_issued_without_pkce)
{
	static const char *const uris[] = {REDIRECT_URI};
	proauth2_client *c = legacy_client(PUB, PROAUTH2_AUTH_METHOD_ANY, true);
	proauth2_client_params params;
	proauth2_http_response *r;
	char *code = dracoon_code(c, &r);

	ck_assert_ptr_nonnull(code);
	proauth2_client_params_init(&params);
	params.type = PUB;
	params.redirect_uris = uris;
	params.n_redirect_uris = 1;
	params.grant_types = LEGACY_GRANTS;
	params.scope = "read";
	ck_assert_int_eq(proauth2_client_update(env.provider, c->client_id, &params,
			NULL, NULL), PROAUTH2_OK);
	assert_error(dracoon_exchange(c, code, NULL), 400, "invalid_grant");
	free(code);
	ck_assert_ptr_null(dracoon_code(c, &r));
	proauth2_http_response_free(r);
	proauth2_client_free(c);
}
END_TEST

static void enable_registration(proauth2_config *cfg)
{
	cfg->enable_registration = true;
}

static void require_pkce(proauth2_config *cfg)
{
	cfg->require_pkce = true;
}

/* Only the host opts a client out: never dynamic registration, whose
 * updates (RFC 7592) keep what the host said. */
START_TEST(only_the_host_makes_pkce_optional)
{
	static const char *const uris[] = {REDIRECT_URI};
	proauth2_client_params params;
	proauth2_client *c = NULL, *got = NULL;
	proauth2_error err = {0};
	char *token = NULL, *id, path[128], auth[128];
	proauth2_http_response *r;

	env_reconfigure(enable_registration);
	proauth2_client_params_init(&params);
	params.type = PUB;
	params.redirect_uris = uris;
	params.n_redirect_uris = 1;
	params.scope = "read";
	params.pkce_optional = true;
	ck_assert_int_eq(proauth2_client_register_dynamic(env.provider, &params,
			&c, &token, &err), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_null(c);
	ck_assert_ptr_null(token);
	/* The host opts a dynamically registered client out... */
	params.pkce_optional = false;
	ck_assert_int_eq(proauth2_client_register_dynamic(env.provider, &params,
			&c, &token, &err), PROAUTH2_OK);
	params.pkce_optional = true;
	ck_assert_int_eq(proauth2_client_update(env.provider, c->client_id, &params,
			NULL, &err), PROAUTH2_OK);
	/* ... and the client's own update keeps it. */
	id = c->client_id;
	snprintf(path, sizeof(path), "/register/%s", id);
	snprintf(auth, sizeof(auth), "Bearer %s", token);
	snprintf(body, sizeof(body), "{\"client_id\":\"%s\",\"redirect_uris\":"
			"[\"" REDIRECT_URI "\"],\"token_endpoint_auth_method\":\"none\","
			"\"scope\":\"read\"}", id);
	r = http("PUT", path, "application/json", body, auth);
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	ck_assert_int_eq(proauth2_client_get(env.provider, id, &got, NULL), PROAUTH2_OK);
	ck_assert(got->pkce_optional);
	proauth2_client_free(got);
	/* New redirect URIs end it: the host let it off for the old ones. */
	snprintf(body, sizeof(body), "{\"client_id\":\"%s\",\"redirect_uris\":"
			"[\"https://elsewhere.example.com/cb\"],"
			"\"token_endpoint_auth_method\":\"none\",\"scope\":\"read\"}", id);
	r = http("PUT", path, "application/json", body, auth);
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	ck_assert_int_eq(proauth2_client_get(env.provider, id, &got, NULL), PROAUTH2_OK);
	ck_assert(!got->pkce_optional);
	proauth2_secret_free(token);
	proauth2_client_free(got);
	proauth2_client_free(c);
}
END_TEST

/* config.require_pkce yields to the host's word on one client. */
START_TEST(opt_out_holds_under_require_pkce)
{
	proauth2_client *legacy, *modern;
	proauth2_http_response *r;
	char *code;

	env_reconfigure(require_pkce);
	legacy = legacy_client(CONF, PROAUTH2_AUTH_METHOD_ANY, true);
	modern = legacy_client(CONF, PROAUTH2_AUTH_METHOD_ANY, false);
	code = dracoon_code(legacy, &r);
	ck_assert_ptr_nonnull(code);
	free(code);
	ck_assert_ptr_null(dracoon_code(modern, &r));
	proauth2_http_response_free(r);
	proauth2_client_free(legacy);
	proauth2_client_free(modern);
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
	tcase_add_test(tc, legacy_public_client_does_the_code_flow_without_pkce);
	tcase_add_test(tc, public_client_without_the_opt_out_still_needs_pkce);
	tcase_add_test(tc, code_issued_with_a_challenge_still_needs_its_verifier);
	tcase_add_test(tc, opt_out_taken_back_voids_codes_issued_without_pkce);
	tcase_add_test(tc, only_the_host_makes_pkce_optional);
	tcase_add_test(tc, opt_out_holds_under_require_pkce);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(legacy_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
