/* The endpoint layer: every endpoint, its error paths, and the RFC 6749
 * §5.2 error codes, through request structs in and response structs out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "http_support.h"
#ifdef PROAUTH2_TEST_MONGODB
#include "test_mongodb.h"
#endif

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define PUB PROAUTH2_CLIENT_PUBLIC
#define ALL_GRANTS (PROAUTH2_GRANT_AUTHORIZATION_CODE | PROAUTH2_GRANT_REFRESH_TOKEN | \
		PROAUTH2_GRANT_CLIENT_CREDENTIALS)

static char body[2048];

/* client_credentials for c with Basic; returns the access token (new). */
static char *cc_token(const proauth2_client *c, const char *scope)
{
	proauth2_http_response *r;
	json_t *doc;
	char *token;

	snprintf(body, sizeof(body), "grant_type=client_credentials%s%s",
			scope ? "&scope=" : "", scope ? scope : "");
	r = post_form("/token", body, basic(c->client_id, c->client_secret));
	ck_assert_msg(r->status == 200, "%s", r->body);
	doc = body_json(r);
	token = strdup(json_string_value(json_object_get(doc, "access_token")));
	json_decref(doc);
	proauth2_http_response_free(r);
	return token;
}

START_TEST(token_client_credentials_basic)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read write");
	proauth2_http_response *r = post_form("/token",
			"grant_type=client_credentials&scope=read",
			basic(c->client_id, c->client_secret));
	json_t *doc = body_json(r);

	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(proauth2_http_response_header(r, "Cache-Control"), "no-store");
	ck_assert_str_eq(proauth2_http_response_header(r, "pragma"), "no-cache");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "token_type")), "Bearer");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "expires_in")), 3600);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "scope")), "read");
	ck_assert_ptr_null(json_object_get(doc, "refresh_token"));
	ck_assert_int_eq(validate_status(json_string_value(json_object_get(doc,
			"access_token"))), PROAUTH2_OK);
	json_decref(doc);
	proauth2_http_response_free(r);
	proauth2_client_free(c);
}
END_TEST

START_TEST(token_client_credentials_post)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read");
	proauth2_http_response *r;

	snprintf(body, sizeof(body), "grant_type=client_credentials&client_id=%s"
			"&client_secret=%s", c->client_id, c->client_secret);
	r = post_form("/token", body, NULL);
	ck_assert_int_eq(r->status, 200);
	proauth2_http_response_free(r);
	proauth2_client_free(c);
}
END_TEST

START_TEST(basic_credentials_are_form_decoded)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read");
	char id[128];
	proauth2_http_response *r;
	size_t i, o = 0;

	/* RFC 6749 §2.3.1: the id is form-urlencoded inside Basic. */
	for (i = 0; c->client_id[i] != '\0'; i++)
		o += (size_t)(c->client_id[i] == '-' ?
			sprintf(id + o, "%%2D") : sprintf(id + o, "%c", c->client_id[i]));
	r = post_form("/token", "grant_type=client_credentials", basic(id, c->client_secret));
	ck_assert_int_eq(r->status, 200);
	proauth2_http_response_free(r);
	r = post_form("/token", "grant_type=client_credentials", "Basic !!!notbase64");
	ck_assert_str_eq(proauth2_http_response_header(r, "WWW-Authenticate"),
			"Basic realm=\"proauth2\", charset=\"UTF-8\", "
			"error=\"invalid_client\", "
			"error_description=\"malformed Basic credentials\"");
	assert_error(r, 401, "invalid_client");
	proauth2_client_free(c);
}
END_TEST

START_TEST(wrong_secret_is_invalid_client)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read");
	proauth2_http_response *r = post_form("/token", "grant_type=client_credentials",
			basic(c->client_id, "wrong"));

	ck_assert_ptr_nonnull(proauth2_http_response_header(r, "WWW-Authenticate"));
	assert_error(r, 401, "invalid_client");
	snprintf(body, sizeof(body), "grant_type=client_credentials&client_id=%s"
			"&client_secret=wrong", c->client_id);
	r = post_form("/token", body, NULL);
	/* Posted, it is a 401 with the challenge all the same (RFC 7662 §2.3). */
	ck_assert_ptr_nonnull(proauth2_http_response_header(r, "WWW-Authenticate"));
	assert_error(r, 401, "invalid_client");
	assert_error(post_form("/token", "grant_type=client_credentials", NULL),
			401, "invalid_client");
	proauth2_client_free(c);
}
END_TEST

START_TEST(malformed_token_requests)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read");
	const char *auth;

	auth = basic(c->client_id, c->client_secret);
	assert_error(post_form("/token", "grant_type=client_credentials&"
			"grant_type=client_credentials", auth), 400, "invalid_request");
	assert_error(post_form("/token", "grant_type=client_%ZZcredentials", auth),
			400, "invalid_request");
	assert_error(post_form("/token", "grant_type=client_credentials%", auth),
			400, "invalid_request");
	assert_error(post_form("/token", "grant_type=a%00b", auth), 400, "invalid_request");
	assert_error(post_form("/token", "grant_type=%C3%28", auth), 400, "invalid_request");
	assert_error(post_form("/token", "scope=read", auth), 400, "invalid_request");
	assert_error(post_form("/token", "grant_type=implicit", auth),
			400, "unsupported_grant_type");
	assert_error(http("POST", "/token", "application/json",
			"{\"grant_type\":\"client_credentials\"}", auth), 400, "invalid_request");
	assert_error(http("POST", "/token", NULL, "grant_type=client_credentials", auth),
			400, "invalid_request");
	assert_error(http("GET", "/token?grant_type=client_credentials", NULL, NULL, auth),
			405, "method_not_allowed");
	/* Two authentication methods at once (§2.3). */
	snprintf(body, sizeof(body), "grant_type=client_credentials&client_secret=%s",
			c->client_secret);
	assert_error(post_form("/token", body, auth), 400, "invalid_request");
	assert_error(post_form("/token", "grant_type=client_credentials&scope=admin", auth),
			400, "invalid_scope");
	proauth2_client_free(c);
}
END_TEST

START_TEST(oversized_and_many_parameters)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read");
	char *big = malloc(70000), *many = malloc(1000);
	size_t i, o = 0;

	memset(big, 'a', 69999);
	big[69999] = '\0';
	memcpy(big, "grant_type=", 11);
	assert_error(post_form("/token", big, basic(c->client_id, c->client_secret)),
			400, "invalid_request");
	for (i = 0; i < 70; i++)
		o += (size_t)sprintf(many + o, "p%zu=1&", i);
	assert_error(post_form("/token", many, basic(c->client_id, c->client_secret)),
			400, "invalid_request");
	free(big);
	free(many);
	proauth2_client_free(c);
}
END_TEST

/* Begin an authorization for c; returns the ticket (new) or fails. */
static char *begin(const char *query)
{
	proauth2_http_request req = {.struct_size = sizeof(proauth2_http_request),
		.method = "GET", .path = "/authorize", .query = query};
	proauth2_authorization *a = NULL;
	proauth2_http_response *r = NULL;
	char *ticket;

	ck_assert_int_eq(proauth2_http_authorize_begin(env.provider, &req, &a, &r),
			PROAUTH2_OK);
	ck_assert_ptr_null(r);
	ticket = strdup(proauth2_authorization_ticket(a));
	proauth2_authorization_free(a);
	return ticket;
}

START_TEST(authorization_code_flow_over_http)
{
	proauth2_client *c = register_client(PUB, PROAUTH2_GRANT_AUTHORIZATION_CODE |
			PROAUTH2_GRANT_REFRESH_TOKEN, "read write");
	proauth2_http_response *r = NULL;
	char *ticket, *code, *state, *iss;
	json_t *doc;

	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			"https%%3A%%2F%%2Fclient.example.com%%2Fcb&scope=read&state=x%%20y"
			"&code_challenge=" RFC7636_CHALLENGE "&code_challenge_method=S256",
			c->client_id);
	ticket = begin(body);
	ck_assert_int_eq(proauth2_http_authorize_issue(env.provider, ticket, USER,
			NULL, &r), PROAUTH2_OK);
	ck_assert_int_eq(r->status, 303);
	ck_assert_int_eq(strncmp(proauth2_http_response_header(r, "Location"),
			REDIRECT_URI "?code=", strlen(REDIRECT_URI) + 6), 0);
	code = location_param(r, "code");
	state = location_param(r, "state");
	iss = location_param(r, "iss");
	ck_assert_str_eq(state, "x y");
	ck_assert_str_eq(iss, "https://auth.example.com");
	proauth2_http_response_free(r);
	/* The ticket is spent. */
	ck_assert_int_eq(proauth2_http_authorize_issue(env.provider, ticket, USER,
			NULL, &r), PROAUTH2_ERR_INVALID_REQUEST);
	assert_error(r, 400, "invalid_request");

	snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s&client_id=%s"
			"&redirect_uri=https%%3A%%2F%%2Fclient.example.com%%2Fcb"
			"&code_verifier=" RFC7636_VERIFIER, code, c->client_id);
	r = post_form("/token", body, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	doc = body_json(r);
	ck_assert_ptr_nonnull(json_object_get(doc, "refresh_token"));
	ck_assert_str_eq(json_string_value(json_object_get(doc, "scope")), "read");
	json_decref(doc);
	proauth2_http_response_free(r);
	assert_error(post_form("/token", body, NULL), 400, "invalid_grant");
	free(code);
	free(state);
	free(iss);
	free(ticket);
	proauth2_client_free(c);
}
END_TEST

START_TEST(authorization_errors_never_redirect_to_unknown_uris)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read");
	proauth2_http_response *r;

	r = begin_fails("response_type=code&client_id=nobody&redirect_uri=https%3A%2F%2Fevil");
	ck_assert_ptr_null(proauth2_http_response_header(r, "Location"));
	assert_error(r, 400, "invalid_request");
	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			"https%%3A%%2F%%2Fevil.example.com%%2Fcb", c->client_id);
	r = begin_fails(body);
	ck_assert_ptr_null(proauth2_http_response_header(r, "Location"));
	assert_error(r, 400, "invalid_request");
	/* Two URIs are registered, so none may be implied. */
	snprintf(body, sizeof(body), "response_type=code&client_id=%s", c->client_id);
	r = begin_fails(body);
	ck_assert_ptr_null(proauth2_http_response_header(r, "Location"));
	proauth2_http_response_free(r);
	r = begin_fails("client_id=a&client_id=b");
	assert_error(r, 400, "invalid_request");
	r = begin_fails("client_id=%zz");
	assert_error(r, 400, "invalid_request");
	proauth2_client_free(c);
}
END_TEST

/* An authorization error redirected back with error and state. */
static void assert_redirected_error(const char *query, const char *code)
{
	proauth2_http_response *r = begin_fails(query);
	char *error = location_param(r, "error"), *state = location_param(r, "state");

	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(error);
	ck_assert_str_eq(error, code);
	ck_assert_str_eq(state, "s1");
	free(error);
	free(state);
	proauth2_http_response_free(r);
}

START_TEST(authorization_errors_redirect_with_state)
{
	proauth2_client *pub = register_client(PUB, PROAUTH2_GRANT_AUTHORIZATION_CODE, "read");
	proauth2_client *cc = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	static const char uri[] = "&redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb&state=s1";

	snprintf(body, sizeof(body), "response_type=token&client_id=%s%s", pub->client_id, uri);
	assert_redirected_error(body, "unsupported_response_type");
	snprintf(body, sizeof(body), "client_id=%s%s", pub->client_id, uri);
	assert_redirected_error(body, "invalid_request");
	snprintf(body, sizeof(body), "response_type=code&client_id=%s%s", pub->client_id, uri);
	assert_redirected_error(body, "invalid_request");  /* PKCE required */
	snprintf(body, sizeof(body), "response_type=code&client_id=%s%s&scope=admin"
			"&code_challenge=" RFC7636_CHALLENGE "&code_challenge_method=S256",
			pub->client_id, uri);
	assert_redirected_error(body, "invalid_scope");
	snprintf(body, sizeof(body), "response_type=code&client_id=%s%s"
			"&code_challenge=" RFC7636_CHALLENGE "&code_challenge_method=plain",
			pub->client_id, uri);
	assert_redirected_error(body, "invalid_request");
	snprintf(body, sizeof(body), "response_type=code&client_id=%s%s", cc->client_id, uri);
	assert_redirected_error(body, "unauthorized_client");
	proauth2_client_free(pub);
	proauth2_client_free(cc);
}
END_TEST

START_TEST(deny_and_extra_parameters)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read write");
	proauth2_authorization *a = NULL;
	proauth2_http_response *r = NULL;
	char *ticket, *error, *state;

	/* Domain Connect sends its own parameters and several scopes. */
	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			"https%%3A%%2F%%2Fclient.example.com%%2Fcb&scope=read+write&state=s1"
			"&domain=example.com&host=www&providerName=Acme+DNS", c->client_id);
	ticket = begin(body);
	ck_assert_int_eq(proauth2_authorization_load(env.provider, ticket, &a, NULL),
			PROAUTH2_OK);
	ck_assert_str_eq(proauth2_authorization_scope(a), "read write");
	ck_assert_str_eq(proauth2_authorization_client_name(a), "Test client");
	ck_assert_str_eq(proauth2_authorization_client_id(a), c->client_id);
	ck_assert_str_eq(proauth2_authorization_param(a, "domain"), "example.com");
	ck_assert_str_eq(proauth2_authorization_param(a, "host"), "www");
	ck_assert_str_eq(proauth2_authorization_param(a, "providerName"), "Acme DNS");
	ck_assert_uint_eq(proauth2_authorization_param_count(a), 8);
	ck_assert_str_eq(proauth2_authorization_param_name(a, 0), "response_type");
	ck_assert_ptr_null(proauth2_authorization_param_name(a, 8));
	proauth2_authorization_free(a);

	ck_assert_int_eq(proauth2_http_authorize_deny(env.provider, ticket, &r),
			PROAUTH2_ERR_ACCESS_DENIED);
	error = location_param(r, "error");
	state = location_param(r, "state");
	ck_assert_str_eq(error, "access_denied");
	ck_assert_str_eq(state, "s1");
	ck_assert_int_eq(r->status, 303);
	proauth2_http_response_free(r);
	ck_assert_int_eq(proauth2_authorization_load(env.provider, ticket, &a, NULL),
			PROAUTH2_ERR_NOT_FOUND);
	free(error);
	free(state);
	free(ticket);
	proauth2_client_free(c);
}
END_TEST

START_TEST(issue_narrows_scope_only)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read write");
	proauth2_http_response *r = NULL;
	char *ticket, *error, *code;

	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			"https%%3A%%2F%%2Fclient.example.com%%2Fcb&scope=read", c->client_id);
	ticket = begin(body);
	ck_assert_int_eq(proauth2_http_authorize_issue(env.provider, ticket, USER,
			"read write", &r), PROAUTH2_ERR_INVALID_SCOPE);
	error = location_param(r, "error");
	ck_assert_str_eq(error, "invalid_scope");
	proauth2_http_response_free(r);
	free(ticket);
	ticket = begin(body);
	ck_assert_int_eq(proauth2_http_authorize_issue(env.provider, ticket, USER,
			"", &r), PROAUTH2_OK);
	code = location_param(r, "code");
	ck_assert_ptr_nonnull(code);
	proauth2_http_response_free(r);
	free(code);
	free(error);
	free(ticket);
	proauth2_client_free(c);
}
END_TEST

START_TEST(refresh_over_http)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read write");
	char *code = issue_code(c, "read write", 1);
	proauth2_token_response *t = exchange_code(c, code, 1);
	const char *auth = basic(c->client_id, c->client_secret);
	proauth2_http_response *r;
	json_t *doc;

	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s"
			"&scope=read", t->refresh_token);
	r = post_form("/token", body, auth);
	ck_assert_int_eq(r->status, 200);
	doc = body_json(r);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "scope")), "read");
	json_decref(doc);
	proauth2_http_response_free(r);
	assert_error(post_form("/token", body, auth), 400, "invalid_grant");
	assert_error(post_form("/token", "grant_type=refresh_token", auth),
			400, "invalid_request");
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

static bool demo_password(void *arg, const char *user, const char *password)
{
	(void)arg;
	return strcmp(user, "alice") == 0 && strcmp(password, "s3cret") == 0;
}

static void enable_password(proauth2_config *cfg)
{
	cfg->enable_password_grant = true;
	cfg->check_password = demo_password;
}

START_TEST(password_grant_only_when_enabled)
{
	proauth2_client *legacy = register_client(CONF, PROAUTH2_GRANT_PASSWORD |
			PROAUTH2_GRANT_REFRESH_TOKEN, "read");
	proauth2_client *modern = register_client(CONF, ALL_GRANTS, "read");
	static const char form[] = "grant_type=password&username=alice&password=s3cret";
	proauth2_http_response *r;
	json_t *doc;

	assert_error(post_form("/token", form, basic(legacy->client_id,
			legacy->client_secret)), 400, "unsupported_grant_type");
	env_reconfigure(enable_password);
	r = post_form("/token", form, basic(legacy->client_id, legacy->client_secret));
	ck_assert_msg(r->status == 200, "%s", r->body);
	doc = body_json(r);
	ck_assert_ptr_nonnull(json_object_get(doc, "refresh_token"));
	json_decref(doc);
	proauth2_http_response_free(r);
	assert_error(post_form("/token", "grant_type=password&username=alice&password=x",
			basic(legacy->client_id, legacy->client_secret)), 400, "invalid_grant");
	assert_error(post_form("/token", "grant_type=password&username=alice",
			basic(legacy->client_id, legacy->client_secret)), 400, "invalid_request");
	assert_error(post_form("/token", form, basic(modern->client_id,
			modern->client_secret)), 400, "unauthorized_client");
	proauth2_client_free(legacy);
	proauth2_client_free(modern);
}
END_TEST

START_TEST(revocation_endpoint)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read");
	char *token = cc_token(c, NULL);
	const char *auth = basic(c->client_id, c->client_secret);
	proauth2_http_response *r;

	snprintf(body, sizeof(body), "token=%s&token_type_hint=access_token", token);
	r = post_form("/revoke", body, auth);
	ck_assert_int_eq(r->status, 200);
	proauth2_http_response_free(r);
	ck_assert_int_eq(validate_status(token), PROAUTH2_ERR_INVALID_TOKEN);
	r = post_form("/revoke", "token=unknown&token_type_hint=whatever", auth);
	ck_assert_int_eq(r->status, 200);  /* RFC 7009 §2.2 */
	proauth2_http_response_free(r);
	assert_error(post_form("/revoke", "token_type_hint=access_token", auth),
			400, "invalid_request");
	assert_error(post_form("/revoke", body, basic(c->client_id, "wrong")),
			401, "invalid_client");
	assert_error(post_form("/revoke", body, NULL), 401, "invalid_client");
	assert_error(http("GET", "/revoke", NULL, NULL, auth), 405, "method_not_allowed");
	free(token);
	proauth2_client_free(c);
}
END_TEST

START_TEST(introspection_endpoint)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read write");
	proauth2_client *other = register_client(CONF, ALL_GRANTS, "read");
	char *token = cc_token(c, "write");
	proauth2_http_response *r;
	json_t *doc;

	snprintf(body, sizeof(body), "token=%s", token);
	r = post_form("/introspect", body, basic(c->client_id, c->client_secret));
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(proauth2_http_response_header(r, "Cache-Control"), "no-store");
	doc = body_json(r);
	ck_assert(json_is_true(json_object_get(doc, "active")));
	ck_assert_str_eq(json_string_value(json_object_get(doc, "scope")), "write");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "client_id")), c->client_id);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "token_type")), "Bearer");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "exp")), env.now + 3600);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "iss")),
			"https://auth.example.com");
	json_decref(doc);
	proauth2_http_response_free(r);

	/* Another client learns nothing about it. */
	r = post_form("/introspect", body, basic(other->client_id, other->client_secret));
	doc = body_json(r);
	ck_assert(json_is_false(json_object_get(doc, "active")));
	ck_assert_uint_eq(json_object_size(doc), 1);
	json_decref(doc);
	proauth2_http_response_free(r);
	assert_error(post_form("/introspect", body, NULL), 401, "invalid_client");

	env.now += 3600;
	r = post_form("/introspect", body, basic(c->client_id, c->client_secret));
	doc = body_json(r);
	ck_assert(json_is_false(json_object_get(doc, "active")));
	json_decref(doc);
	proauth2_http_response_free(r);
	free(token);
	proauth2_client_free(other);
	proauth2_client_free(c);
}
END_TEST

START_TEST(metadata_document)
{
	proauth2_http_response *r = http("GET",
			"/.well-known/oauth-authorization-server", NULL, NULL, NULL);
	json_t *doc = body_json(r);

	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "issuer")),
			"https://auth.example.com");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "token_endpoint")),
			"https://auth.example.com/token");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "authorization_endpoint")),
			"https://auth.example.com/authorize");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc,
			"code_challenge_methods_supported"), 0)), "S256");
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "scopes_supported")), 3);
	ck_assert_ptr_null(json_object_get(doc, "registration_endpoint"));
	ck_assert(json_is_true(json_object_get(doc,
			"authorization_response_iss_parameter_supported")));
	json_decref(doc);
	proauth2_http_response_free(r);
	assert_error(http("POST", "/.well-known/oauth-authorization-server", FORM, "", NULL),
			405, "method_not_allowed");
	assert_error(http("GET", "/nowhere", NULL, NULL, NULL), 404, "not_found");
}
END_TEST

START_TEST(bearer_helper)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read write");
	char *token = cc_token(c, "read");
	proauth2_token_info *info = NULL;
	proauth2_http_response *r = NULL;
	char header[128];

	snprintf(header, sizeof(header), "Bearer %s", token);
	ck_assert_int_eq(bearer(header, "read", &info, &r), PROAUTH2_OK);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(info->client_id, c->client_id);
	proauth2_token_info_free(info);

	ck_assert_int_eq(bearer(NULL, NULL, &info, &r), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(r->status, 401);
	ck_assert_str_eq(proauth2_http_response_header(r, "WWW-Authenticate"),
			"Bearer realm=\"proauth2\"");
	proauth2_http_response_free(r);

	ck_assert_int_eq(bearer("Bearer nope", NULL, &info, &r), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_str_eq(proauth2_http_response_header(r, "WWW-Authenticate"),
			"Bearer realm=\"proauth2\", error=\"invalid_token\"");
	assert_error(r, 401, "invalid_token");
	ck_assert_int_eq(bearer("Bearer a b", NULL, &info, &r), PROAUTH2_ERR_INVALID_REQUEST);
	assert_error(r, 400, "invalid_request");
	ck_assert_int_eq(bearer("Bearer", NULL, &info, &r), PROAUTH2_ERR_INVALID_REQUEST);
	assert_error(r, 400, "invalid_request");
	ck_assert_int_eq(bearer(header, "write", &info, &r), PROAUTH2_ERR_INVALID_SCOPE);
	ck_assert_ptr_null(info);
	ck_assert_str_eq(proauth2_http_response_header(r, "WWW-Authenticate"),
			"Bearer realm=\"proauth2\", error=\"insufficient_scope\", scope=\"write\"");
	assert_error(r, 403, "insufficient_scope");
	env.now += 3600;
	ck_assert_int_eq(bearer(header, NULL, &info, &r), PROAUTH2_ERR_INVALID_TOKEN);
	assert_error(r, 401, "invalid_token");
	free(token);
	proauth2_client_free(c);
}
END_TEST

static void enable_registration(proauth2_config *cfg)
{
	cfg->enable_registration = true;
}

START_TEST(dynamic_registration)
{
	proauth2_http_response *r;
	json_t *doc;
	char auth[128], path[128], *id, *secret, *token;

	assert_error(post_form("/register", "", NULL), 404, "not_found");
	env_reconfigure(enable_registration);
	r = http("POST", "/register", "application/json",
			"{\"redirect_uris\":[\"https://app.example.com/cb\"],"
			"\"grant_types\":[\"client_credentials\"],\"scope\":\"read\","
			"\"client_name\":\"Registered\"}", NULL);
	ck_assert_msg(r->status == 201, "%s", r->body);
	doc = body_json(r);
	id = strdup(json_string_value(json_object_get(doc, "client_id")));
	secret = strdup(json_string_value(json_object_get(doc, "client_secret")));
	token = strdup(json_string_value(json_object_get(doc, "registration_access_token")));
	snprintf(path, sizeof(path), "/register/%s", id);
	ck_assert_int_eq(strcmp(json_string_value(json_object_get(doc,
			"registration_client_uri")) + strlen("https://auth.example.com"), path), 0);
	ck_assert_str_eq(json_string_value(json_object_get(doc,
			"token_endpoint_auth_method")), "client_secret_basic");
	json_decref(doc);
	proauth2_http_response_free(r);

	/* The registered client works at the token endpoint. */
	r = post_form("/token", "grant_type=client_credentials", basic(id, secret));
	ck_assert_int_eq(r->status, 200);
	proauth2_http_response_free(r);

	snprintf(auth, sizeof(auth), "Bearer %s", token);
	r = http("GET", path, NULL, NULL, auth);
	ck_assert_int_eq(r->status, 200);
	doc = body_json(r);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "client_name")), "Registered");
	ck_assert_ptr_null(json_object_get(doc, "client_secret"));
	json_decref(doc);
	proauth2_http_response_free(r);
	assert_error(http("GET", path, NULL, NULL, "Bearer wrong"), 401, "invalid_token");
	assert_error(http("GET", "/register/nobody", NULL, NULL, auth), 401, "invalid_token");

	snprintf(body, sizeof(body), "{\"client_id\":\"%s\",\"redirect_uris\":[],"
			"\"grant_types\":[\"client_credentials\"],\"scope\":\"read write\"}", id);
	r = http("PUT", path, "application/json", body, auth);
	ck_assert_msg(r->status == 200, "%s", r->body);
	doc = body_json(r);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "scope")), "read write");
	json_decref(doc);
	proauth2_http_response_free(r);

	r = http("DELETE", path, NULL, NULL, auth);
	ck_assert_int_eq(r->status, 204);
	proauth2_http_response_free(r);
	assert_error(post_form("/token", "grant_type=client_credentials", basic(id, secret)),
			401, "invalid_client");
	assert_error(http("GET", path, NULL, NULL, auth), 401, "invalid_token");
	free(id);
	free(secret);
	free(token);
}
END_TEST

START_TEST(registration_refuses_bad_metadata)
{
	env_reconfigure(enable_registration);
	assert_error(http("POST", "/register", "application/json", "{nope", NULL),
			400, "invalid_client_metadata");
	assert_error(http("POST", "/register", FORM, "redirect_uris=x", NULL),
			400, "invalid_client_metadata");
	assert_error(http("POST", "/register", "application/json",
			"{\"redirect_uris\":[\"https://a.example/cb#frag\"]}", NULL),
			400, "invalid_redirect_uri");
	assert_error(http("POST", "/register", "application/json",
			"{\"redirect_uris\":[\"https://a.example/cb\"],"
			"\"grant_types\":[\"password\"]}", NULL), 400, "invalid_client_metadata");
	assert_error(http("POST", "/register", "application/json",
			"{\"redirect_uris\":[\"https://a.example/cb\"],"
			"\"token_endpoint_auth_method\":\"private_key_jwt\"}", NULL),
			400, "invalid_client_metadata");
	assert_error(http("POST", "/register", "application/json",
			"{\"token_endpoint_auth_method\":\"none\","
			"\"grant_types\":[\"client_credentials\"]}", NULL),
			400, "invalid_client_metadata");
	assert_error(http("POST", "/register", "application/json",
			"{\"redirect_uris\":[\"https://a.example/cb\"],\"scope\":\"root\"}", NULL),
			400, "invalid_client_metadata");
	assert_error(http("POST", "/register", "application/json",
			"{\"a\":1,\"a\":2}", NULL), 400, "invalid_client_metadata");
}
END_TEST

/* A registration body with one redirect URI (JSON-escaped as given). */
static proauth2_http_response *register_uri(const char *uri, const char *authorization)
{
	char doc[512];

	snprintf(doc, sizeof(doc), "{\"redirect_uris\":[\"%s\"],"
			"\"token_endpoint_auth_method\":\"none\"}", uri);
	return http("POST", "/register", "application/json", doc, authorization);
}

/* The response is a refusal whose description holds why; frees it. */
static void assert_refused(proauth2_http_response *r, int status,
		const char *code, const char *why)
{
	json_t *doc = body_json(r);
	const char *text = json_string_value(json_object_get(doc, "error_description"));

	ck_assert_msg(text != NULL && strstr(text, why) != NULL, "%s", r->body);
	json_decref(doc);
	assert_error(r, status, code);
}

START_TEST(registration_refuses_unsafe_redirect_uris)
{
	proauth2_http_response *r;

	env_reconfigure(enable_registration);
	assert_refused(register_uri("javascript:alert(document.cookie)", NULL), 400,
			"invalid_redirect_uri", "javascript:");
	assert_refused(register_uri("data:text/html,<script>alert(1)</script>", NULL), 400,
			"invalid_redirect_uri", "data:");
	assert_refused(register_uri("http://evil.example/cb", NULL), 400,
			"invalid_redirect_uri", "plain http");
	assert_refused(register_uri("file:///etc/passwd", NULL), 400,
			"invalid_redirect_uri", "file:");
	assert_refused(register_uri("myapp:/cb", NULL), 400,
			"invalid_redirect_uri", "reverse-domain");
	r = register_uri("http://127.0.0.1:9/cb", NULL);
	ck_assert_msg(r->status == 201, "%s", r->body);
	proauth2_http_response_free(r);
	r = register_uri("com.example.app:/cb", NULL);
	ck_assert_msg(r->status == 201, "%s", r->body);
	proauth2_http_response_free(r);
}
END_TEST

START_TEST(registration_metadata_is_bounded)
{
	size_t size = 20000, n;
	char *big = malloc(size + 1);
	proauth2_http_response *r;

	env_reconfigure(enable_registration);
	/* 20 KB of valid JSON: padded with whitespace past the 16 KiB limit. */
	n = (size_t)snprintf(big, size + 1, "{\"redirect_uris\":[\"https://a.example/cb\"],"
			"\"token_endpoint_auth_method\":\"none\"");
	memset(big + n, ' ', size - n - 1);
	big[size - 1] = '}';
	big[size] = '\0';
	assert_refused(http("POST", "/register", "application/json", big, NULL), 400,
			"invalid_client_metadata", "larger");
	free(big);
	/* Eleven redirect URIs: the default allows ten. */
	snprintf(body, sizeof(body), "{\"redirect_uris\":[%s\"https://a.example/11\"]}",
			"\"https://a.example/1\",\"https://a.example/2\",\"https://a.example/3\","
			"\"https://a.example/4\",\"https://a.example/5\",\"https://a.example/6\","
			"\"https://a.example/7\",\"https://a.example/8\",\"https://a.example/9\","
			"\"https://a.example/10\",");
	assert_refused(http("POST", "/register", "application/json", body, NULL), 400,
			"invalid_redirect_uri", "at most 10");
	r = register_uri("https://a.example/cb", NULL);
	ck_assert_msg(r->status == 201, "%s", r->body);
	proauth2_http_response_free(r);
}
END_TEST

static void registration_with_token(proauth2_config *cfg)
{
	cfg->enable_registration = true;
	cfg->registration_initial_access_token = "the-initial-token";
}

START_TEST(registration_needs_the_initial_access_token)
{
	proauth2_http_response *r;
	proauth2_client *c = NULL;
	json_t *doc;

	env_reconfigure(registration_with_token);
	r = register_uri("https://a.example/cb", NULL);
	ck_assert_str_eq(proauth2_http_response_header(r, "WWW-Authenticate"),
			"Bearer realm=\"proauth2\", error=\"invalid_token\"");
	assert_error(r, 401, "invalid_token");
	assert_error(register_uri("https://a.example/cb", "Bearer wrong"), 401, "invalid_token");
	assert_error(register_uri("https://a.example/cb", "Basic dGhlOng="), 401,
			"invalid_token");
	r = register_uri("https://a.example/cb", "Bearer the-initial-token");
	ck_assert_msg(r->status == 201, "%s", r->body);
	doc = body_json(r);
	ck_assert_int_eq(proauth2_client_get(env.provider, json_string_value(
			json_object_get(doc, "client_id")), &c, NULL), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_client_registered_by(c),
			PROAUTH2_REGISTERED_WITH_INITIAL_TOKEN);
	proauth2_client_free(c);
	json_decref(doc);
	proauth2_http_response_free(r);
}
END_TEST

START_TEST(chosen_client_id_over_http)
{
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params p;
	proauth2_client *c = NULL;
	proauth2_http_response *r = NULL;
	char *ticket, *code, *token;

	proauth2_client_params_init(&p);
	p.client_id = "exampleservice.domainconnect.org";
	p.grant_types = ALL_GRANTS;
	p.redirect_uris = uris;
	p.n_redirect_uris = 1;
	p.scope = "read";
	ck_assert_int_eq(proauth2_client_register(env.provider, &p, &c, NULL), PROAUTH2_OK);
	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			"https%%3A%%2F%%2Fclient.example.com%%2Fcb&scope=read"
			"&code_challenge=" RFC7636_CHALLENGE "&code_challenge_method=S256",
			c->client_id);
	ticket = begin(body);
	ck_assert_int_eq(proauth2_http_authorize_issue(env.provider, ticket, USER,
			NULL, &r), PROAUTH2_OK);
	code = location_param(r, "code");
	proauth2_http_response_free(r);
	/* client_secret_post, then Basic, under the chosen id. */
	snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s"
			"&client_id=exampleservice.domainconnect.org&client_secret=%s"
			"&redirect_uri=https%%3A%%2F%%2Fclient.example.com%%2Fcb"
			"&code_verifier=" RFC7636_VERIFIER, code, c->client_secret);
	r = post_form("/token", body, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	token = cc_token(c, "read");
	ck_assert_int_eq(validate_status(token), PROAUTH2_OK);
	free(token);
	free(code);
	free(ticket);
	proauth2_client_free(c);
}
END_TEST

static void registration_ids_with_token(proauth2_config *cfg)
{
	registration_with_token(cfg);
	cfg->registration_client_ids = PROAUTH2_REGISTRATION_CLIENT_IDS_WITH_INITIAL_TOKEN;
}

static proauth2_http_response *register_id(const char *id_json, const char *auth)
{
	snprintf(body, sizeof(body), "{\"client_id\":%s,\"redirect_uris\":"
			"[\"https://app.example.com/cb\"],\"grant_types\":"
			"[\"client_credentials\"],\"scope\":\"read\"}", id_json);
	return http("POST", "/register", "application/json", body, auth);
}

START_TEST(registration_takes_a_client_id_only_where_allowed)
{
	const char *tok = "Bearer the-initial-token";
	proauth2_http_response *r;
	json_t *doc;
	char auth[128], *secret;

	env_reconfigure(enable_registration);
	r = register_id("\"exampleservice.domainconnect.org\"", NULL);
	ck_assert_msg(strstr(r->body, "assigns client_id itself") != NULL, "%s", r->body);
	assert_error(r, 400, "invalid_client_metadata");
	env_reconfigure(registration_with_token);
	assert_error(register_id("\"exampleservice.domainconnect.org\"", tok), 400,
			"invalid_client_metadata");

	env_reconfigure(registration_ids_with_token);
	r = register_id("\"exampleservice.domainconnect.org\"", tok);
	ck_assert_msg(r->status == 201, "%s", r->body);
	doc = body_json(r);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "client_id")),
			"exampleservice.domainconnect.org");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "registration_client_uri")),
			"https://auth.example.com/register/exampleservice.domainconnect.org");
	secret = strdup(json_string_value(json_object_get(doc, "client_secret")));
	snprintf(auth, sizeof(auth), "Bearer %s", json_string_value(json_object_get(doc,
			"registration_access_token")));
	json_decref(doc);
	proauth2_http_response_free(r);
	/* Its configuration endpoint, and its tokens, under that id. */
	r = http("GET", "/register/exampleservice.domainconnect.org", NULL, NULL, auth);
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	r = post_form("/token", "grant_type=client_credentials",
			basic("exampleservice.domainconnect.org", secret));
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	free(secret);
	/* Taken, malformed, not a string; without the token no id at all. */
	r = register_id("\"exampleservice.domainconnect.org\"", tok);
	ck_assert_msg(strstr(r->body, "is taken") != NULL, "%s", r->body);
	assert_error(r, 400, "invalid_client_metadata");
	assert_error(register_id("\"a:b\"", tok), 400, "invalid_client_metadata");
	assert_error(register_id("\"a\\r\\nX-Injected: 1\"", tok), 400,
			"invalid_client_metadata");
	assert_error(register_id("\"\"", tok), 400, "invalid_client_metadata");
	assert_error(register_id("42", tok), 400, "invalid_client_metadata");
	assert_error(register_id("\"other.example\"", NULL), 401, "invalid_token");
}
END_TEST

static void three_anonymous(proauth2_config *cfg)
{
	cfg->enable_registration = true;
	cfg->registration_anonymous_max = 3;
}

START_TEST(anonymous_registration_beyond_the_limit_is_429)
{
	proauth2_http_response *r;
	int i;

	env_reconfigure(three_anonymous);
	for (i = 0; i < 3; i++) {
		r = register_uri("https://a.example/cb", NULL);
		ck_assert_msg(r->status == 201, "%s", r->body);
		proauth2_http_response_free(r);
	}
	for (i = 0; i < 3; i++)
		assert_refused(register_uri("https://a.example/cb", NULL), 429,
				"temporarily_unavailable", "at most 3 anonymous registrations");
}
END_TEST

START_TEST(loopback_port_may_vary_over_http)
{
	const char *uris[] = {"http://127.0.0.1:8000/cb"};
	proauth2_client_params params;
	proauth2_client *c = NULL;
	proauth2_http_response *r = NULL;
	char *ticket, *code;

	proauth2_client_params_init(&params);
	params.type = PUB;
	params.redirect_uris = uris;
	params.n_redirect_uris = 1;
	params.scope = "read";
	ck_assert_int_eq(proauth2_client_register(env.provider, &params, &c, NULL),
			PROAUTH2_OK);
	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			"http%%3A%%2F%%2F127.0.0.1%%3A53124%%2Fcb&scope=read"
			"&code_challenge=" RFC7636_CHALLENGE "&code_challenge_method=S256",
			c->client_id);
	ticket = begin(body);
	ck_assert_int_eq(proauth2_http_authorize_issue(env.provider, ticket, USER,
			NULL, &r), PROAUTH2_OK);
	ck_assert_int_eq(r->status, 303);
	ck_assert_int_eq(strncmp(proauth2_http_response_header(r, "Location"),
			"http://127.0.0.1:53124/cb?code=", 31), 0);
	code = location_param(r, "code");
	proauth2_http_response_free(r);
	snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s&client_id=%s"
			"&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A53124%%2Fcb"
			"&code_verifier=" RFC7636_VERIFIER, code, c->client_id);
	r = post_form("/token", body, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	/* Another path on loopback is no match: no redirect at all. */
	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			"http%%3A%%2F%%2F127.0.0.1%%3A53124%%2Fevil&scope=read"
			"&code_challenge=" RFC7636_CHALLENGE "&code_challenge_method=S256",
			c->client_id);
	r = begin_fails(body);
	ck_assert_ptr_null(proauth2_http_response_header(r, "Location"));
	proauth2_http_response_free(r);
	free(code);
	free(ticket);
	proauth2_client_free(c);
}
END_TEST

/* The id in /register/<id> is raw path text: bytes that are no UTF-8
 * name no client (once 500, as json_pack refused the lookup). */
START_TEST(registration_path_not_utf8_is_unknown)
{
	env_reconfigure(enable_registration);
	assert_error(http("GET", "/register/\xb7\xff", NULL, NULL, "Bearer abc"),
			401, "invalid_token");
	assert_error(http("DELETE", "/register/a\xc3", NULL, NULL, "Bearer abc"),
			401, "invalid_token");
}
END_TEST

/* A client_id longer than any record holds names no client: 400 at
 * /authorize, invalid_client at /token (once 500, when 4,097 bytes reached the
 * datastore's schema check). */
START_TEST(overlong_client_id_is_unknown)
{
	size_t n = PROAUTH2_FIELD_MAX_LENGTH + 1;
	char *query = malloc(n + 64), *form = malloc(n + 64);

	strcpy(query, "response_type=code&client_id=");
	memset(query + strlen(query), 'a', n);
	query[29 + n] = '\0';
	assert_error(begin_fails(query), 400, "invalid_request");
	strcpy(form, "grant_type=client_credentials&client_id=");
	memset(form + strlen(form), 'a', n);
	form[40 + n] = '\0';
	assert_error(post_form("/token", form, NULL), 401, "invalid_client");
	free(query);
	free(form);
}
END_TEST

/* The host's required scope is echoed in WWW-Authenticate: one that is
 * no scope is the host's mistake, never a split header (a CR LF in it
 * once reached the 403's header). */
START_TEST(bearer_refuses_a_required_scope_that_is_none)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read write");
	char *token = cc_token(c, "read");
	proauth2_token_info *info = NULL;
	proauth2_http_response *r = NULL;
	char header[128];
	size_t i;

	snprintf(header, sizeof(header), "Bearer %s", token);
	ck_assert_int_eq(bearer(header, "rea\r\nSet-Cookie: x=y", &info, &r),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(info);
	ck_assert_ptr_nonnull(r);
	for (i = 0; i < r->n_headers; i++)
		ck_assert_ptr_null(strpbrk(r->headers[i].value, "\r\n"));
	proauth2_http_response_free(r);
	ck_assert_int_eq(bearer(header, "a\"b", &info, &r), PROAUTH2_ERR_INVALID_ARGUMENT);
	proauth2_http_response_free(r);
	free(token);
	proauth2_client_free(c);
}
END_TEST

/* Records in every table of the test's datastore. */
static long count_rows(void)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	size_t n, i;
	const proauth2_table *tables = proauth2_schema_tables(&n);
	long total = 0;
	char sql[128];

#ifdef PROAUTH2_TEST_MONGODB
	if (env.ops == proauth2_mongodb_ops())
		return test_mongodb_count_records(env.uri);
#endif
	ck_assert_int_eq(sqlite3_open_v2(env.uri, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	for (i = 0; i < n; i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", tables[i].name);
		ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
		total += sqlite3_column_int64(stmt, 0);
		sqlite3_finalize(stmt);
	}
	sqlite3_close(db);
	return total;
}

START_TEST(client_mistakes_store_nothing)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read");
	proauth2_client *pub = register_client(PUB, PROAUTH2_GRANT_AUTHORIZATION_CODE, "read");
	const char *auth = basic(c->client_id, c->client_secret);
	long before = count_rows();
	proauth2_http_response *r;

	env_reconfigure(enable_registration);
	assert_error(post_form("/token", "grant_type=client_credentials&scope=admin", auth),
			400, "invalid_scope");
	assert_error(post_form("/token", "grant_type=authorization_code&code=x", auth),
			400, "invalid_grant");
	assert_error(post_form("/token", "grant_type=refresh_token&refresh_token=x", auth),
			400, "invalid_grant");
	assert_error(post_form("/register", "", NULL), 400, "invalid_client_metadata");
	assert_error(http("POST", "/register", "application/json",
			"{\"redirect_uris\":[\"bad uri\"]}", NULL), 400, "invalid_redirect_uri");
	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			"https%%3A%%2F%%2Fclient.example.com%%2Fcb&scope=read", pub->client_id);
	proauth2_http_response_free(begin_fails(body));
	r = begin_fails("response_type=code&client_id=nobody");
	proauth2_http_response_free(r);
	ck_assert_int_eq(count_rows(), before);
	proauth2_client_free(pub);
	proauth2_client_free(c);
}
END_TEST

START_TEST(host_forms_parse_strictly)
{
	static const char *const refused[] = {
		"a=%zz", "a=%4", "a=%00", "a=%ff", "a=1&a=2", "a=1&b=2&a=3",
	};
	proauth2_error err = {0};
	proauth2_form *f;
	char many[64 * 4 + 8] = "";
	size_t i;

	ck_assert_int_eq(proauth2_form_parse("user=d%C3%A9mo&password=a+b%26c&empty=",
			38, &f, &err), PROAUTH2_OK);
	ck_assert_str_eq(proauth2_form_get(f, "user"), "d\xc3\xa9mo");
	ck_assert_str_eq(proauth2_form_get(f, "password"), "a b&c");
	ck_assert_ptr_null(proauth2_form_get(f, "empty"));
	ck_assert_ptr_null(proauth2_form_get(f, "absent"));
	/* Every name, in the order given, empty values too. */
	ck_assert_uint_eq(proauth2_form_count(f), 3);
	ck_assert_str_eq(proauth2_form_name(f, 0), "user");
	ck_assert_str_eq(proauth2_form_name(f, 1), "password");
	ck_assert_str_eq(proauth2_form_name(f, 2), "empty");
	ck_assert_ptr_null(proauth2_form_name(f, 3));
	proauth2_form_free(f);

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		f = (proauth2_form *)1;
		ck_assert_int_eq(proauth2_form_parse(refused[i], strlen(refused[i]),
				&f, &err), PROAUTH2_ERR_INVALID_REQUEST);
		ck_assert_ptr_null(f);
	}
	for (i = 0; i < 65; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "p%zu&", i);
	ck_assert_int_eq(proauth2_form_parse(many, strlen(many), &f, &err),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(proauth2_form_parse(NULL, 0, &f, &err), PROAUTH2_OK);
	ck_assert_ptr_null(proauth2_form_get(f, "user"));
	proauth2_form_free(f);
	proauth2_form_free(NULL);
}
END_TEST

/* A host with its own web framework: the engine's calls without HTTP. */
START_TEST(authorization_engine_parks_spends_and_approves)
{
	proauth2_client *c = register_client(PUB, PROAUTH2_GRANT_AUTHORIZATION_CODE |
			PROAUTH2_GRANT_REFRESH_TOKEN, "read write");
	const char *names[] = {"response_type", "client_id", "redirect_uri", "scope",
		"code_challenge", "state", "prompt", "code_challenge_method"};
	const char *values[] = {"code", c->client_id, REDIRECT_URI, "read write",
		RFC7636_CHALLENGE, "xyz", "", "S256"};
	proauth2_authorization *a = NULL, *spent = NULL, *again = NULL;
	proauth2_token_response *tokens;
	proauth2_error err = {0};
	char *code = NULL;

	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values, 8,
			&a, &err), PROAUTH2_OK);
	ck_assert_str_eq(proauth2_authorization_client_id(a), c->client_id);
	ck_assert_str_eq(proauth2_authorization_client_name(a), "Test client");
	ck_assert_str_eq(proauth2_authorization_scope(a), "read write");
	ck_assert_str_eq(proauth2_authorization_param(a, "state"), "xyz");
	ck_assert_ptr_null(proauth2_authorization_param(a, "prompt"));  /* empty */
	ck_assert_ptr_null(proauth2_authorization_param(a, NULL));
	ck_assert_uint_eq(proauth2_authorization_param_count(a), 8);
	ck_assert_str_eq(proauth2_authorization_param_name(a, 6), "prompt");
	/* Only a spent ticket may be approved: no second code from one request. */
	ck_assert_int_eq(proauth2_authorization_approve(env.provider, a, USER, NULL,
			&code, &err), PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(code);
	ck_assert_int_eq(proauth2_authorization_spend(env.provider,
			proauth2_authorization_ticket(a), &spent, &err), PROAUTH2_OK);
	ck_assert_str_eq(proauth2_authorization_param(spent, "state"), "xyz");
	ck_assert_uint_eq(proauth2_authorization_param_count(spent), 8);
	ck_assert_int_eq(proauth2_authorization_spend(env.provider,
			proauth2_authorization_ticket(a), &again, &err), PROAUTH2_ERR_NOT_FOUND);
	ck_assert_ptr_null(again);
	ck_assert_int_eq(proauth2_authorization_load(env.provider,
			proauth2_authorization_ticket(a), &again, &err), PROAUTH2_ERR_NOT_FOUND);
	/* The user may narrow the scope, never widen it. */
	ck_assert_int_eq(proauth2_authorization_approve(env.provider, spent, USER,
			"read admin", &code, &err), PROAUTH2_ERR_INVALID_SCOPE);
	ck_assert_ptr_null(code);
	ck_assert_int_eq(proauth2_authorization_approve(env.provider, spent, USER,
			"read", &code, &err), PROAUTH2_OK);
	tokens = exchange_code(c, code, 1);
	ck_assert_str_eq(tokens->scope, "read");
	proauth2_token_response_free(tokens);
	proauth2_secret_free(code);
	/* One consent, one code. */
	ck_assert_int_eq(proauth2_authorization_approve(env.provider, spent, USER,
			NULL, &code, &err), PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(code);
	proauth2_authorization_free(spent);
	proauth2_authorization_free(a);
	proauth2_client_free(c);
}
END_TEST

START_TEST(authorization_engine_refuses_bad_requests)
{
	proauth2_client *c = register_client(PUB, PROAUTH2_GRANT_AUTHORIZATION_CODE, "read");
	const char *names[] = {"client_id", "redirect_uri", "response_type",
		"code_challenge", "code_challenge_method", "client_id"};
	const char *values[] = {c->client_id, REDIRECT_URI, "code", RFC7636_CHALLENGE,
		"S256", c->client_id};
	proauth2_authorization *a = NULL;
	proauth2_error err = {0};

	/* A parameter named twice (§3.1). */
	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values, 6,
			&a, &err), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_null(a);
	/* The checks of the endpoint, in its order. */
	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names + 1,
			values + 1, 3, &a, &err), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_str_eq(err.text, "client_id is missing");
	values[1] = "https://client.example.com/evil";
	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values, 5,
			&a, &err), PROAUTH2_ERR_INVALID_REQUEST);
	values[1] = REDIRECT_URI;
	values[2] = "token";
	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values, 5,
			&a, &err), PROAUTH2_ERR_UNSUPPORTED_RESPONSE_TYPE);
	values[2] = "code";
	/* Not UTF-8: a client's mistake, not a server error. */
	names[5] = "state";
	values[5] = "\xff\xfe";
	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values, 6,
			&a, &err), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_str_eq(err.text, "a parameter is not UTF-8");
	ck_assert_ptr_null(a);
	/* A public client without PKCE. */
	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values, 3,
			&a, &err), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values, 5,
			NULL, &err), PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values, 5,
			&a, &err), PROAUTH2_OK);
	proauth2_authorization_free(a);
	proauth2_client_free(c);
}
END_TEST


/* ---- Issue 12: what the client record holds and honours. ---- */

/* A member of r's JSON body as a new string (NULL when absent). */
static char *body_string(const proauth2_http_response *r, const char *name)
{
	json_t *doc = body_json(r);
	const char *s = json_string_value(json_object_get(doc, name));
	char *copy = s != NULL ? strdup(s) : NULL;

	json_decref(doc);
	return copy;
}

/* POST /introspect of token as client (Basic); the answer's JSON (new). */
static json_t *introspect_as(const proauth2_client *client, const char *token)
{
	proauth2_http_response *r;
	json_t *doc;

	snprintf(body, sizeof(body), "token=%s", token);
	r = post_form("/introspect", body, basic(client->client_id, client->client_secret));
	ck_assert_msg(r->status == 200, "%s", r->body);
	doc = body_json(r);
	proauth2_http_response_free(r);
	return doc;
}

/* A confidential client standing for an API at resource. */
static proauth2_client *register_resource_server(const char *resource)
{
	proauth2_client_params params;
	proauth2_client *c = NULL;
	proauth2_error err = {0};

	proauth2_client_params_init(&params);
	params.grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS;
	params.scope = "read";
	params.name = "API";
	params.resource = resource;
	ck_assert_msg(proauth2_client_register(env.provider, &params, &c, &err) ==
			PROAUTH2_OK, "%s", err.text);
	ck_assert_str_eq(c->resource, resource);
	return c;
}

START_TEST(resource_server_introspects_tokens_meant_for_it)
{
	proauth2_client *app = register_client(CONF, ALL_GRANTS, "read write");
	proauth2_client *api = register_resource_server("https://api.example.com/");
	proauth2_client *plain = register_client(CONF, ALL_GRANTS, "read");
	char *code = issue_code(app, "read", 1);
	proauth2_token_response *t = exchange_code(app, code, 1);
	proauth2_http_response *r;
	json_t *doc;

	/* The API learns who the user's token is for and what it allows. */
	doc = introspect_as(api, t->access_token);
	ck_assert(json_is_true(json_object_get(doc, "active")));
	ck_assert_str_eq(json_string_value(json_object_get(doc, "client_id")), app->client_id);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "sub")), USER);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "scope")), "read");
	/* No audience is claimed before tokens carry one (RFC 9700 §4.10). */
	ck_assert_ptr_null(json_object_get(doc, "aud"));
	json_decref(doc);
	/* A client that is no resource server learns nothing. */
	doc = introspect_as(plain, t->access_token);
	ck_assert(json_is_false(json_object_get(doc, "active")));
	ck_assert_uint_eq(json_object_size(doc), 1);
	json_decref(doc);
	/* Nor does the API about the app's refresh token, hinted or not. */
	doc = introspect_as(api, t->refresh_token);
	ck_assert(json_is_false(json_object_get(doc, "active")));
	ck_assert_uint_eq(json_object_size(doc), 1);
	json_decref(doc);
	snprintf(body, sizeof(body), "token=%s&token_type_hint=refresh_token",
			t->refresh_token);
	r = post_form("/introspect", body, basic(api->client_id, api->client_secret));
	doc = body_json(r);
	ck_assert(json_is_false(json_object_get(doc, "active")));
	json_decref(doc);
	proauth2_http_response_free(r);
	proauth2_token_response_free(t);
	free(code);
	proauth2_client_free(plain);
	proauth2_client_free(api);
	proauth2_client_free(app);
}
END_TEST

/* Register through /register; the response (201 asserted). */
static proauth2_http_response *register_ok(const char *json, const char *authorization)
{
	proauth2_http_response *r = http("POST", "/register", "application/json", json,
			authorization);

	ck_assert_msg(r->status == 201, "%s", r->body);
	return r;
}

START_TEST(registration_stores_reflects_and_honours_the_auth_method)
{
	proauth2_http_response *r;
	char auth[128], path[128], form[256], *id, *secret, *token, *method;

	env_reconfigure(enable_registration);
	r = register_ok("{\"grant_types\":[\"client_credentials\"],\"scope\":\"read\","
			"\"token_endpoint_auth_method\":\"client_secret_post\"}", NULL);
	id = body_string(r, "client_id");
	secret = body_string(r, "client_secret");
	token = body_string(r, "registration_access_token");
	method = body_string(r, "token_endpoint_auth_method");
	ck_assert_str_eq(method, "client_secret_post");
	free(method);
	proauth2_http_response_free(r);
	snprintf(path, sizeof(path), "/register/%s", id);
	snprintf(auth, sizeof(auth), "Bearer %s", token);
	snprintf(form, sizeof(form), "grant_type=client_credentials&client_id=%s"
			"&client_secret=%s", id, secret);

	/* RFC 7592 §2.1: read back as registered. */
	r = http("GET", path, NULL, NULL, auth);
	ck_assert_int_eq(r->status, 200);
	method = body_string(r, "token_endpoint_auth_method");
	ck_assert_str_eq(method, "client_secret_post");
	free(method);
	proauth2_http_response_free(r);

	/* Honoured: the secret in the form, never in Basic. */
	r = post_form("/token", form, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	assert_error(post_form("/token", "grant_type=client_credentials",
			basic(id, secret)), 401, "invalid_client");
	snprintf(body, sizeof(body), "token=x&client_id=%s&client_secret=%s", id, secret);
	r = post_form("/introspect", body, NULL);
	ck_assert_int_eq(r->status, 200);
	proauth2_http_response_free(r);
	assert_error(post_form("/introspect", "token=x", basic(id, secret)), 401,
			"invalid_client");
	assert_error(post_form("/revoke", "token=x", basic(id, secret)), 401,
			"invalid_client");

	/* Updated with PUT: now Basic only. */
	snprintf(body, sizeof(body), "{\"client_id\":\"%s\",\"grant_types\":"
			"[\"client_credentials\"],\"scope\":\"read\","
			"\"token_endpoint_auth_method\":\"client_secret_basic\"}", id);
	r = http("PUT", path, "application/json", body, auth);
	ck_assert_msg(r->status == 200, "%s", r->body);
	method = body_string(r, "token_endpoint_auth_method");
	ck_assert_str_eq(method, "client_secret_basic");
	free(method);
	proauth2_http_response_free(r);
	r = post_form("/token", "grant_type=client_credentials", basic(id, secret));
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	r = post_form("/token", form, NULL);
	assert_error(r, 401, "invalid_client");
	free(id);
	free(secret);
	free(token);
}
END_TEST

START_TEST(registration_refuses_unknown_auth_methods)
{
	env_reconfigure(enable_registration);
	assert_error(http("POST", "/register", "application/json",
			"{\"grant_types\":[\"client_credentials\"],"
			"\"token_endpoint_auth_method\":\"client_secret_jwt\"}", NULL),
			400, "invalid_client_metadata");
	assert_error(http("POST", "/register", "application/json",
			"{\"grant_types\":[\"client_credentials\"],"
			"\"token_endpoint_auth_method\":7}", NULL),
			400, "invalid_client_metadata");
}
END_TEST

START_TEST(registration_without_scope_gets_the_supported_scopes)
{
	proauth2_http_response *r;
	char *id, *secret, *scope;

	env_reconfigure(enable_registration);
	r = register_ok("{\"grant_types\":[\"client_credentials\"]}", NULL);
	id = body_string(r, "client_id");
	secret = body_string(r, "client_secret");
	scope = body_string(r, "scope");
	ck_assert_str_eq(scope, "read write admin");
	proauth2_http_response_free(r);
	r = post_form("/token", "grant_type=client_credentials&scope=read",
			basic(id, secret));
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	free(scope);
	free(id);
	free(secret);
}
END_TEST

static void registration_and_password(proauth2_config *cfg)
{
	registration_with_token(cfg);
	enable_password(cfg);
}

/* Whether the metadata's grant_types_supported holds name. */
static bool metadata_lists_grant(const char *name)
{
	proauth2_http_response *r = http("GET", "/.well-known/oauth-authorization-server",
			NULL, NULL, NULL);
	json_t *doc = body_json(r), *item;
	bool found = false;
	size_t i;

	json_array_foreach(json_object_get(doc, "grant_types_supported"), i, item)
		found = found || strcmp(json_string_value(item), name) == 0;
	json_decref(doc);
	proauth2_http_response_free(r);
	return found;
}

START_TEST(metadata_and_registration_agree_on_the_password_grant)
{
	static const char legacy[] = "{\"grant_types\":[\"password\",\"refresh_token\"],"
		"\"scope\":\"read\"}";
	proauth2_http_response *r;
	char *id, *secret;

	/* Disabled: neither advertised nor registrable. */
	env_reconfigure(registration_with_token);
	ck_assert(!metadata_lists_grant("password"));
	assert_error(http("POST", "/register", "application/json", legacy,
			"Bearer the-initial-token"), 400, "invalid_client_metadata");

	/* Enabled: advertised, and registrable by a client the host vouches
	 * for (the initial access token), which then uses it. */
	env_reconfigure(registration_and_password);
	ck_assert(metadata_lists_grant("password"));
	r = register_ok(legacy, "Bearer the-initial-token");
	id = body_string(r, "client_id");
	secret = body_string(r, "client_secret");
	ck_assert_ptr_nonnull(strstr(r->body, "\"password\""));
	proauth2_http_response_free(r);
	r = post_form("/token", "grant_type=password&username=alice&password=s3cret",
			basic(id, secret));
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	free(id);
	free(secret);
}
END_TEST

static void anonymous_and_password(proauth2_config *cfg)
{
	enable_registration(cfg);
	enable_password(cfg);
}

START_TEST(anonymous_registration_never_gets_the_password_grant)
{
	proauth2_http_response *r;
	char *description;

	env_reconfigure(anonymous_and_password);
	r = http("POST", "/register", "application/json",
			"{\"grant_types\":[\"password\"]}", NULL);
	description = body_string(r, "error_description");
	ck_assert_ptr_nonnull(strstr(description, "initial access token"));
	free(description);
	assert_error(r, 400, "invalid_client_metadata");
}
END_TEST

START_TEST(registration_never_makes_a_resource_server)
{
	proauth2_client *app = register_client(CONF, ALL_GRANTS, "read");
	proauth2_client *c = NULL, *u = NULL;
	proauth2_client_params p;
	char *token = cc_token(app, NULL), *id, *secret, *reg, auth[128], path[128];
	proauth2_http_response *r;
	json_t *doc;

	/* RFC 7591 §2: a member the server does not take is ignored. */
	env_reconfigure(enable_registration);
	r = register_ok("{\"grant_types\":[\"client_credentials\"],"
			"\"resource\":\"https://api.example.com/\"}", NULL);
	id = body_string(r, "client_id");
	secret = body_string(r, "client_secret");
	reg = body_string(r, "registration_access_token");
	ck_assert_ptr_null(strstr(r->body, "resource"));
	proauth2_http_response_free(r);
	ck_assert_int_eq(proauth2_client_get(env.provider, id, &c, NULL), PROAUTH2_OK);
	ck_assert_ptr_null(c->resource);
	snprintf(body, sizeof(body), "token=%s", token);
	doc = body_json(r = post_form("/introspect", body, basic(id, secret)));
	ck_assert(json_is_false(json_object_get(doc, "active")));
	json_decref(doc);
	proauth2_http_response_free(r);

	/* The host may make it one; its own PUT keeps that. */
	proauth2_client_params_init(&p);
	p.grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS;
	p.scope = c->scope;
	p.token_endpoint_auth_method = c->token_endpoint_auth_method;
	p.resource = "https://api.example.com/";
	ck_assert_int_eq(proauth2_client_update(env.provider, id, &p, NULL, NULL),
			PROAUTH2_OK);
	snprintf(path, sizeof(path), "/register/%s", id);
	snprintf(auth, sizeof(auth), "Bearer %s", reg);
	snprintf(body, sizeof(body), "{\"client_id\":\"%s\",\"grant_types\":"
			"[\"client_credentials\"],\"scope\":\"read\"}", id);
	r = http("PUT", path, "application/json", body, auth);
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	ck_assert_int_eq(proauth2_client_get(env.provider, id, &u, NULL), PROAUTH2_OK);
	ck_assert_str_eq(u->resource, "https://api.example.com/");
	ck_assert_str_eq(u->scope, "read");
	proauth2_client_free(u);
	proauth2_client_free(c);
	proauth2_client_free(app);
	free(token);
	free(id);
	free(secret);
	free(reg);
}
END_TEST

START_TEST(public_client_update_keeps_none)
{
	proauth2_http_response *r;
	char auth[128], path[128], *id, *token, *method;

	env_reconfigure(enable_registration);
	r = register_ok("{\"redirect_uris\":[\"https://a.example/cb\"],"
			"\"token_endpoint_auth_method\":\"none\"}", NULL);
	id = body_string(r, "client_id");
	token = body_string(r, "registration_access_token");
	proauth2_http_response_free(r);
	snprintf(path, sizeof(path), "/register/%s", id);
	snprintf(auth, sizeof(auth), "Bearer %s", token);
	/* §2.2: left out, the method is back at its default: for a public
	 * client, none. */
	snprintf(body, sizeof(body), "{\"client_id\":\"%s\",\"redirect_uris\":"
			"[\"https://b.example/cb\"]}", id);
	r = http("PUT", path, "application/json", body, auth);
	ck_assert_msg(r->status == 200, "%s", r->body);
	method = body_string(r, "token_endpoint_auth_method");
	ck_assert_str_eq(method, "none");
	free(method);
	proauth2_http_response_free(r);
	snprintf(body, sizeof(body), "{\"client_id\":\"%s\",\"redirect_uris\":"
			"[\"https://b.example/cb\"],\"token_endpoint_auth_method\":"
			"\"client_secret_post\"}", id);
	assert_error(http("PUT", path, "application/json", body, auth), 400,
			"invalid_client_metadata");
	free(id);
	free(token);
}
END_TEST

static Suite *http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("endpoints");

	tcase_add_checked_fixture(tc, env_setup, env_teardown);
	tcase_add_test(tc, token_client_credentials_basic);
	tcase_add_test(tc, token_client_credentials_post);
	tcase_add_test(tc, basic_credentials_are_form_decoded);
	tcase_add_test(tc, wrong_secret_is_invalid_client);
	tcase_add_test(tc, malformed_token_requests);
	tcase_add_test(tc, oversized_and_many_parameters);
	tcase_add_test(tc, authorization_code_flow_over_http);
	tcase_add_test(tc, authorization_errors_never_redirect_to_unknown_uris);
	tcase_add_test(tc, authorization_errors_redirect_with_state);
	tcase_add_test(tc, deny_and_extra_parameters);
	tcase_add_test(tc, issue_narrows_scope_only);
	tcase_add_test(tc, refresh_over_http);
	tcase_add_test(tc, password_grant_only_when_enabled);
	tcase_add_test(tc, revocation_endpoint);
	tcase_add_test(tc, introspection_endpoint);
	tcase_add_test(tc, metadata_document);
	tcase_add_test(tc, bearer_helper);
	tcase_add_test(tc, dynamic_registration);
	tcase_add_test(tc, chosen_client_id_over_http);
	tcase_add_test(tc, registration_takes_a_client_id_only_where_allowed);
	tcase_add_test(tc, registration_refuses_bad_metadata);
	tcase_add_test(tc, registration_refuses_unsafe_redirect_uris);
	tcase_add_test(tc, registration_metadata_is_bounded);
	tcase_add_test(tc, registration_needs_the_initial_access_token);
	tcase_add_test(tc, anonymous_registration_beyond_the_limit_is_429);
	tcase_add_test(tc, loopback_port_may_vary_over_http);
	tcase_add_test(tc, registration_path_not_utf8_is_unknown);
	tcase_add_test(tc, overlong_client_id_is_unknown);
	tcase_add_test(tc, bearer_refuses_a_required_scope_that_is_none);
	/* It counts rows in the file or the server: a memory database has
	 * neither where this process could count them. */
	if (strcmp(env_backend(), "sqlite-memory") != 0)
		tcase_add_test(tc, client_mistakes_store_nothing);
	else
		printf("not on sqlite-memory: client_mistakes_store_nothing "
				"(its rows cannot be counted from outside)\n");
	tcase_add_test(tc, host_forms_parse_strictly);
	tcase_add_test(tc, authorization_engine_parks_spends_and_approves);
	tcase_add_test(tc, authorization_engine_refuses_bad_requests);
	tcase_add_test(tc, resource_server_introspects_tokens_meant_for_it);
	tcase_add_test(tc, registration_stores_reflects_and_honours_the_auth_method);
	tcase_add_test(tc, registration_refuses_unknown_auth_methods);
	tcase_add_test(tc, registration_without_scope_gets_the_supported_scopes);
	tcase_add_test(tc, metadata_and_registration_agree_on_the_password_grant);
	tcase_add_test(tc, anonymous_registration_never_gets_the_password_grant);
	tcase_add_test(tc, registration_never_makes_a_resource_server);
	tcase_add_test(tc, public_client_update_keeps_none);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(http_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
