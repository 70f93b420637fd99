/* Lenient mounts (proauth2_http_options), through the endpoint functions:
 * the requests Domain Connect's and Lumos' client libraries really send,
 * refused by the strict endpoints and taken where the host opted in; the
 * conflict between sources; JSON bodies that are no flat string object;
 * an authorization request without response_type. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define CODE_GRANTS (PROAUTH2_GRANT_AUTHORIZATION_CODE | PROAUTH2_GRANT_REFRESH_TOKEN)
#define ALL_GRANTS (CODE_GRANTS | PROAUTH2_GRANT_CLIENT_CREDENTIALS)
#define JSON "application/json"
#define FORM_BIG 72000

typedef proauth2_status (*with_fn)(proauth2_provider *,
		const proauth2_http_request *, const proauth2_http_options *,
		proauth2_http_response **);


/* fn on a POST of target (path, maybe "?query") with this content type
 * and body (each may be NULL), mounted with options (NULL: strict). */
static proauth2_http_response *post_with(with_fn fn,
		const proauth2_http_options *options, const char *target,
		const char *content_type, const char *b, const char *authorization)
{
	struct http_headers h = {content_type, authorization};
	const char *q = strchr(target, '?');
	proauth2_http_request req;
	proauth2_http_response *r = NULL;
	proauth2_status status;

	proauth2_http_request_init(&req);
	req.method = "POST";
	req.path = "/v2/oauth/access_token";
	req.query = q ? q + 1 : NULL;
	req.body = b;
	req.body_length = b ? strlen(b) : 0;
	req.header = http_headers_lookup;
	req.header_arg = &h;
	status = fn(env.provider, &req, options, &r);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_lt(r->status, 500);
	if (status == PROAUTH2_OK)
		ck_assert_int_eq(r->status, 200);
	return r;
}

static proauth2_http_options strict, query_only, json_only, both;

static void options_setup(void)
{
	env_setup();
	proauth2_http_options_init(&strict);
	proauth2_http_options_init(&query_only);
	query_only.params_from = PROAUTH2_HTTP_PARAMS_QUERY;
	proauth2_http_options_init(&json_only);
	json_only.params_from = PROAUTH2_HTTP_PARAMS_JSON;
	proauth2_http_options_init(&both);
	both.params_from = PROAUTH2_HTTP_PARAMS_QUERY | PROAUTH2_HTTP_PARAMS_JSON;
}

/* Python's urllib.parse.quote_plus (static buffer, eight in turn). */
static const char *enc(const char *s)
{
	static char out[8][1024];
	static int turn;
	char *o = out[turn = (turn + 1) % 8];
	size_t n = 0;

	for (; *s != '\0' && n + 4 < sizeof(out[0]); s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("_.-~", c) != NULL)
			o[n++] = (char)c;
		else if (c == ' ')
			o[n++] = '+';
		else
			n += (size_t)sprintf(o + n, "%%%02X", c);
	}
	o[n] = '\0';
	return o;
}

/* The token response's member name (new string); asserts a 200. */
static char *token_member(proauth2_http_response *r, const char *name)
{
	json_t *doc;
	char *value;

	ck_assert_msg(r->status == 200, "%d %s", r->status, r->body);
	doc = body_json(r);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(doc, name)));
	value = strdup(json_string_value(json_object_get(doc, name)));
	json_decref(doc);
	proauth2_http_response_free(r);
	return value;
}

static void assert_error_with(proauth2_http_response *r, int status,
		const char *code, const char *description)
{
	json_t *doc = body_json(r);

	ck_assert_msg(r->status == status, "%d %s", r->status, r->body);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "error")), code);
	if (description != NULL)
		ck_assert_str_eq(json_string_value(json_object_get(doc,
				"error_description")), description);
	json_decref(doc);
	proauth2_http_response_free(r);
}

/* domainconnect_python, DomainConnect.get_async_token: the code's
 * parameters in the sorted query, the credentials in a json.dumps body. */
static proauth2_http_response *dc_token(const proauth2_http_options *o,
		const proauth2_client *c, const char *code)
{
	char target[2048], b[1024];

	snprintf(target, sizeof(target), "/v2/oauth/access_token?code=%s"
			"&grant_type=authorization_code&redirect_uri=%s", enc(code),
			enc(REDIRECT_URI));
	snprintf(b, sizeof(b), "{\"client_id\": \"%s\", \"client_secret\": \"%s\"}",
			c->client_id, c->client_secret);
	return post_with(proauth2_http_token_with, o, target, JSON, b, NULL);
}

/* Its refresh: grant_type, refresh_token and the credentials in the
 * query too, and the credentials again in the body. */
static proauth2_http_response *dc_refresh(const proauth2_http_options *o,
		const proauth2_client *c, const char *refresh_token)
{
	char target[2048], b[1024];

	snprintf(target, sizeof(target), "/v2/oauth/access_token?client_id=%s"
			"&client_secret=%s&grant_type=refresh_token&redirect_uri=%s"
			"&refresh_token=%s", enc(c->client_id), enc(c->client_secret),
			enc(REDIRECT_URI), enc(refresh_token));
	snprintf(b, sizeof(b), "{\"client_id\": \"%s\", \"client_secret\": \"%s\"}",
			c->client_id, c->client_secret);
	return post_with(proauth2_http_token_with, o, target, JSON, b, NULL);
}

START_TEST(domain_connect_token_and_refresh_where_opted_in)
{
	proauth2_client *c = register_client(CONF, CODE_GRANTS, "read write");
	char *code = issue_code(c, "read write", 0);
	char *refresh, *access;

	/* Strict (the default, and what proauth2_http_handle routes to). */
	assert_error_with(dc_token(NULL, c, code), 400, "invalid_request",
			"the body must be application/x-www-form-urlencoded");
	assert_error_with(dc_token(&strict, c, code), 400, "invalid_request", NULL);
	{
		char target[2048], b[1024];

		snprintf(target, sizeof(target), "/token?code=%s"
				"&grant_type=authorization_code&redirect_uri=%s",
				enc(code), enc(REDIRECT_URI));
		snprintf(b, sizeof(b), "{\"client_id\": \"%s\", \"client_secret\":"
				" \"%s\"}", c->client_id, c->client_secret);
		assert_error_with(http("POST", target, JSON, b, NULL), 400,
				"invalid_request",
				"the body must be application/x-www-form-urlencoded");
	}
	/* JSON alone: the code and grant_type in the query are not read. */
	assert_error_with(dc_token(&json_only, c, code), 400, "invalid_request",
			"grant_type is missing");
	/* The query alone: the JSON body is refused. */
	assert_error_with(dc_token(&query_only, c, code), 400, "invalid_request", NULL);
	refresh = token_member(dc_token(&both, c, code), "refresh_token");
	/* The identical credentials in both sources are taken once. */
	access = token_member(dc_refresh(&both, c, refresh), "access_token");
	ck_assert_int_eq(validate_status(access), PROAUTH2_OK);
	free(access);
	free(refresh);
	free(code);
	proauth2_client_free(c);
}
END_TEST

/* connector-py's OAuth module (OAuthModule._send_authorized_request):
 * data ordered grant_type, code, redirect_uri, then client_id and
 * client_secret for client_secret_post; QUERY sends it as httpx params
 * with no body, JSON as an httpx json body (compact). */
static proauth2_http_response *lumos(const proauth2_http_options *o, bool query,
		const char *data_query, const char *data_json)
{
	char target[2048];

	if (!query)
		return post_with(proauth2_http_token_with, o, "/token", JSON,
				data_json, NULL);
	snprintf(target, sizeof(target), "/token?%s", data_query);
	return post_with(proauth2_http_token_with, o, target, NULL, NULL, NULL);
}

static proauth2_http_response *lumos_code(const proauth2_http_options *o,
		bool query, const proauth2_client *c, const char *code)
{
	char q[2048], j[2048];

	snprintf(q, sizeof(q), "grant_type=authorization_code&code=%s&redirect_uri=%s"
			"&client_id=%s&client_secret=%s", enc(code), enc(REDIRECT_URI),
			enc(c->client_id), enc(c->client_secret));
	snprintf(j, sizeof(j), "{\"grant_type\":\"authorization_code\",\"code\":\"%s\","
			"\"redirect_uri\":\"%s\",\"client_id\":\"%s\",\"client_secret\":\"%s\"}",
			code, REDIRECT_URI, c->client_id, c->client_secret);
	return lumos(o, query, q, j);
}

static proauth2_http_response *lumos_refresh(const proauth2_http_options *o,
		bool query, const proauth2_client *c, const char *refresh)
{
	char q[2048], j[2048];

	snprintf(q, sizeof(q), "grant_type=refresh_token&refresh_token=%s"
			"&client_id=%s&client_secret=%s", enc(refresh),
			enc(c->client_id), enc(c->client_secret));
	snprintf(j, sizeof(j), "{\"grant_type\":\"refresh_token\",\"refresh_token\":"
			"\"%s\",\"client_id\":\"%s\",\"client_secret\":\"%s\"}",
			refresh, c->client_id, c->client_secret);
	return lumos(o, query, q, j);
}

static proauth2_http_response *lumos_cc(const proauth2_http_options *o,
		bool query, const proauth2_client *c)
{
	char q[2048], j[2048];

	snprintf(q, sizeof(q), "grant_type=client_credentials&scope=read"
			"&client_id=%s&client_secret=%s", enc(c->client_id),
			enc(c->client_secret));
	snprintf(j, sizeof(j), "{\"grant_type\":\"client_credentials\",\"scope\":"
			"\"read\",\"client_id\":\"%s\",\"client_secret\":\"%s\"}",
			c->client_id, c->client_secret);
	return lumos(o, query, q, j);
}

/* Both request types, refused strictly and by the other opt-in, then the
 * code, refresh and client credentials grants where opted in. */
static void lumos_flow(bool query)
{
	const proauth2_http_options *mine = query ? &query_only : &json_only;
	const proauth2_http_options *other = query ? &json_only : &query_only;
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read");
	char *code = issue_code(c, "read", 0);
	char *refresh, *access;

	assert_error_with(lumos_code(NULL, query, c, code), 400, "invalid_request",
			"the body must be application/x-www-form-urlencoded");
	assert_error_with(lumos_code(other, query, c, code), 400,
			"invalid_request", NULL);
	refresh = token_member(lumos_code(mine, query, c, code), "refresh_token");
	assert_error_with(lumos_refresh(NULL, query, c, refresh), 400,
			"invalid_request", NULL);
	access = token_member(lumos_refresh(mine, query, c, refresh), "access_token");
	ck_assert_int_eq(validate_status(access), PROAUTH2_OK);
	free(access);
	assert_error_with(lumos_cc(NULL, query, c), 400, "invalid_request", NULL);
	access = token_member(lumos_cc(mine, query, c), "access_token");
	ck_assert_int_eq(validate_status(access), PROAUTH2_OK);
	free(access);
	free(refresh);
	free(code);
	proauth2_client_free(c);
}

START_TEST(lumos_query_requests_where_opted_in)
{
	lumos_flow(true);
}
END_TEST

START_TEST(lumos_json_requests_where_opted_in)
{
	lumos_flow(false);
}
END_TEST

START_TEST(a_parameter_differing_between_sources_is_invalid_request)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read");
	char target[1024], b[1024];

	/* The body's client_id against the query's. */
	snprintf(target, sizeof(target), "/t?grant_type=client_credentials&client_id=%s",
			enc(c->client_id));
	snprintf(b, sizeof(b), "{\"client_id\": \"other\", \"client_secret\": \"%s\"}",
			c->client_secret);
	assert_error_with(post_with(proauth2_http_token_with, &both, target, JSON, b,
			NULL), 400, "invalid_request",
			"parameter client_id differs between the query and the body");
	/* A form body against the query, at the revocation endpoint too. */
	snprintf(b, sizeof(b), "grant_type=client_credentials&client_id=%s"
			"&client_secret=%s", enc(c->client_id), enc(c->client_secret));
	assert_error_with(post_with(proauth2_http_token_with, &query_only,
			"/t?grant_type=password", FORM, b, NULL), 400, "invalid_request",
			"parameter grant_type differs between the query and the body");
	assert_error_with(post_with(proauth2_http_revoke_with, &query_only,
			"/r?token=a", FORM, "token=b", basic(c->client_id,
			c->client_secret)), 400, "invalid_request",
			"parameter token differs between the query and the body");
	/* The same value twice is one parameter. */
	ck_assert_ptr_nonnull(c->client_secret);
	{
		char *access = token_member(post_with(proauth2_http_token_with,
				&query_only, "/t?grant_type=client_credentials&scope=read",
				FORM, b, NULL), "access_token");

		free(access);
	}
	proauth2_client_free(c);
}
END_TEST

START_TEST(revocation_takes_the_query_where_opted_in)
{
	proauth2_client *c = register_client(CONF, ALL_GRANTS, "read");
	proauth2_token_response *t = NULL;
	char target[2048];

	ck_assert_int_eq(client_credentials_with(c->client_id, c->client_secret,
			"read", &t), PROAUTH2_OK);
	snprintf(target, sizeof(target), "/revoke?token=%s&client_id=%s"
			"&client_secret=%s", enc(t->access_token), enc(c->client_id),
			enc(c->client_secret));
	assert_error_with(post_with(proauth2_http_revoke_with, NULL, target, NULL,
			NULL, NULL), 400, "invalid_request", NULL);
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_OK);
	proauth2_http_response_free(post_with(proauth2_http_revoke_with, &query_only,
			target, NULL, NULL, NULL));
	ck_assert_int_ne(validate_status(t->access_token), PROAUTH2_OK);
	proauth2_token_response_free(t);
	proauth2_client_free(c);
}
END_TEST

START_TEST(credentials_from_json_or_query_count_as_client_secret_post)
{
	static const char *const uris[] = {REDIRECT_URI};
	proauth2_client_params params;
	proauth2_client *c = NULL;
	proauth2_error err = {0};
	char target[1024], b[1024];

	proauth2_client_params_init(&params);
	params.type = CONF;
	params.redirect_uris = uris;
	params.n_redirect_uris = 1;
	params.grant_types = ALL_GRANTS;
	params.scope = "read";
	params.token_endpoint_auth_method = PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC;
	ck_assert_msg(proauth2_client_register(env.provider, &params, &c, &err)
			== PROAUTH2_OK, "%s", err.text);
	snprintf(b, sizeof(b), "{\"grant_type\":\"client_credentials\","
			"\"client_id\":\"%s\",\"client_secret\":\"%s\"}",
			c->client_id, c->client_secret);
	assert_error_with(post_with(proauth2_http_token_with, &json_only, "/t",
			JSON, b, NULL), 401, "invalid_client", NULL);
	snprintf(target, sizeof(target), "/t?grant_type=client_credentials"
			"&client_id=%s&client_secret=%s", enc(c->client_id),
			enc(c->client_secret));
	assert_error_with(post_with(proauth2_http_token_with, &query_only, target,
			NULL, NULL, NULL), 401, "invalid_client", NULL);
	/* Basic still works at the lenient mount, the query beside it. */
	free(token_member(post_with(proauth2_http_token_with, &query_only,
			"/t?grant_type=client_credentials", NULL, NULL,
			basic(c->client_id, c->client_secret)), "access_token"));
	proauth2_client_free(c);
}
END_TEST

START_TEST(a_json_body_must_be_a_flat_object_of_strings)
{
	static const char *const bad[] = {
		"[\"grant_type\", \"client_credentials\"]",
		"\"grant_type\"",
		"{\"grant_type\": \"client_credentials\", \"scope\": [\"read\"]}",
		"{\"grant_type\": \"client_credentials\", \"expires\": 5}",
		"{\"grant_type\": \"client_credentials\", \"x\": null}",
		"{\"grant_type\": {\"a\": \"b\"}}",
		"{\"grant_type\": \"client_credentials\", \"grant_type\": \"password\"}",
		"{\"\": \"x\"}",
		"{\"grant_type\": \"client\\u0000credentials\"}",
		"{\"grant_type\": \"client_credentials\"",
		"{\"grant_type\": \"\xff\xfe\"}",
		"",
		"{} {}",
	};
	char big[FORM_BIG];
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_error_with(post_with(proauth2_http_token_with, &json_only, "/t",
				JSON, bad[i], NULL), 400, "invalid_request", NULL);
	/* 65 members, one past the form's bound. */
	n = (size_t)sprintf(big, "{");
	for (i = 0; i < 65; i++)
		n += (size_t)sprintf(big + n, "%s\"p%zu\": \"v\"", i ? ", " : "", i);
	strcpy(big + n, "}");
	assert_error_with(post_with(proauth2_http_token_with, &json_only, "/t",
			JSON, big, NULL), 400, "invalid_request",
			"more than 64 request parameters");
	/* Over 64 KiB. */
	n = (size_t)sprintf(big, "{\"grant_type\": \"");
	memset(big + n, 'a', 70000);
	strcpy(big + n + 70000, "\"}");
	assert_error_with(post_with(proauth2_http_token_with, &json_only, "/t",
			JSON, big, NULL), 400, "invalid_request",
			"request parameters exceed 65536 bytes");
	/* A JSON body where only the query is opted in. */
	assert_error_with(post_with(proauth2_http_token_with, &query_only,
			"/t?grant_type=client_credentials", JSON, "{}", NULL), 400,
			"invalid_request", "the body must be application/x-www-form-urlencoded");
}
END_TEST

START_TEST(get_stays_405_and_bad_options_are_the_hosts_mistake)
{
	proauth2_http_request req;
	proauth2_http_response *r = NULL;
	proauth2_http_options bad;

	proauth2_http_request_init(&req);
	req.method = "GET";
	req.query = "grant_type=client_credentials&client_id=a&client_secret=b";
	ck_assert_int_ne(proauth2_http_token_with(env.provider, &req, &both, &r),
			PROAUTH2_OK);
	ck_assert_int_eq(r->status, 405);
	ck_assert_str_eq(proauth2_http_response_header(r, "Allow"), "POST");
	proauth2_http_response_free(r);
	/* Options not made by init, or naming an unknown source. */
	req.method = "POST";
	memset(&bad, 0, sizeof(bad));
	ck_assert_int_eq(proauth2_http_token_with(env.provider, &req, &bad, &r),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(r->status, 500);
	proauth2_http_response_free(r);
	proauth2_http_options_init(&bad);
	bad.params_from = 4;
	ck_assert_int_eq(proauth2_http_revoke_with(env.provider, &req, &bad, &r),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(r->status, 500);
	proauth2_http_response_free(r);
}
END_TEST

/* GET /authorize?query through proauth2_http_authorize_begin_with. */
static proauth2_status begin_with(const proauth2_http_options *o,
		const char *query, proauth2_authorization **a,
		proauth2_http_response **r)
{
	proauth2_http_request req;

	proauth2_http_request_init(&req);
	req.method = "GET";
	req.path = "/v2/domainTemplates/providers/example";
	req.query = query;
	*r = NULL;
	return proauth2_http_authorize_begin_with(env.provider, &req, o, a, r);
}

START_TEST(authorize_without_response_type_where_opted_in)
{
	proauth2_client *c = register_client(CONF, CODE_GRANTS, "read write");
	proauth2_http_options lenient;
	proauth2_authorization *a = NULL;
	proauth2_http_response *r = NULL;
	char q[2048], *error;

	/* domainconnect_python's get_domain_connect_template_async_context:
	 * client_id, scope, domain, host, redirect_uri, state and the
	 * template's variables; no response_type. */
	snprintf(q, sizeof(q), "client_id=%s&scope=read+write"
			"&domain=connect.domains&host=async&IP=192.0.2.1&RANDOMTEXT=shm"
			"&redirect_uri=%s&state=abc", enc(c->client_id), enc(REDIRECT_URI));
	ck_assert_int_eq(begin_with(NULL, q, &a, &r), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(r->status, 303);
	error = location_param(r, "error");
	ck_assert_str_eq(error, "invalid_request");
	free(error);
	proauth2_http_response_free(r);
	proauth2_http_options_init(&lenient);
	/* The parameter sources are no business of this endpoint. */
	lenient.params_from = PROAUTH2_HTTP_PARAMS_JSON;
	ck_assert_int_eq(begin_with(&lenient, q, &a, &r), PROAUTH2_ERR_INVALID_REQUEST);
	proauth2_http_response_free(r);
	lenient.response_type_optional = 1;
	ck_assert_int_eq(begin_with(&lenient, q, &a, &r), PROAUTH2_OK);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(proauth2_authorization_param(a, "response_type"), "code");
	ck_assert_str_eq(proauth2_authorization_param(a, "domain"), "connect.domains");
	proauth2_authorization_free(a);
	/* An empty one is absent too (RFC 6749 §3.1); another is still wrong. */
	strcat(q, "&response_type=");
	ck_assert_int_eq(begin_with(&lenient, q, &a, &r), PROAUTH2_OK);
	ck_assert_str_eq(proauth2_authorization_param(a, "response_type"), "code");
	proauth2_authorization_free(a);
	strcat(q, "token");
	ck_assert_int_ne(begin_with(&lenient, q, &a, &r), PROAUTH2_OK);
	ck_assert_ptr_null(a);
	proauth2_http_response_free(r);
	proauth2_client_free(c);
}
END_TEST

static Suite *lenient_suite(void)
{
	Suite *s = suite_create("http-lenient");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, options_setup, env_teardown);
	tcase_add_test(tc, domain_connect_token_and_refresh_where_opted_in);
	tcase_add_test(tc, lumos_query_requests_where_opted_in);
	tcase_add_test(tc, lumos_json_requests_where_opted_in);
	tcase_add_test(tc, a_parameter_differing_between_sources_is_invalid_request);
	tcase_add_test(tc, revocation_takes_the_query_where_opted_in);
	tcase_add_test(tc, credentials_from_json_or_query_count_as_client_secret_post);
	tcase_add_test(tc, a_json_body_must_be_a_flat_object_of_strings);
	tcase_add_test(tc, get_stays_405_and_bad_options_are_the_hosts_mistake);
	tcase_add_test(tc, authorize_without_response_type_where_opted_in);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(lenient_suite()) == 0 ? 0 : 1;
}
