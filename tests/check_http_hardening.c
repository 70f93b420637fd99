/* The endpoint layer against an anonymous party: no open redirector, every
 * request value bounded, and a spent refresh token revoking its grant
 * wherever it is presented. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "http_support.h"
#ifdef PROAUTH2_TEST_MONGODB
#include "test_mongodb.h"
#endif

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define PUB PROAUTH2_CLIENT_PUBLIC
#define CODE_GRANTS (PROAUTH2_GRANT_AUTHORIZATION_CODE | PROAUTH2_GRANT_REFRESH_TOKEN)
#define URI_PARAM "&redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb"
#define URI_FMT "&redirect_uri=https%%3A%%2F%%2Fclient.example.com%%2Fcb"

static size_t n_replays;

static void count_replays(void *arg, const proauth2_event *e)
{
	(void)arg;
	if (e->kind == PROAUTH2_EVENT_REPLAY)
		n_replays++;
}

static void registration_and_log(proauth2_config *cfg)
{
	cfg->enable_registration = true;
	cfg->log = count_replays;
	n_replays = 0;
}

static void redirect_always(proauth2_config *cfg)
{
	registration_and_log(cfg);
	cfg->error_redirects = PROAUTH2_ERROR_REDIRECTS_ALWAYS;
}

static void redirect_never(proauth2_config *cfg)
{
	registration_and_log(cfg);
	cfg->error_redirects = PROAUTH2_ERROR_REDIRECTS_NEVER;
}

/* A public client registered through POST /register (RFC 7591, no initial
 * access token); its client_id (new). */
static char *register_dynamic(void)
{
	proauth2_http_response *r = http("POST", "/register", "application/json",
			"{\"redirect_uris\":[\"" REDIRECT_URI "\"],"
			"\"grant_types\":[\"authorization_code\"],\"scope\":\"read\","
			"\"token_endpoint_auth_method\":\"none\"}", NULL);
	json_t *doc;
	char *id;

	ck_assert_msg(r->status == 201, "%s", r->body);
	doc = body_json(r);
	id = strdup(json_string_value(json_object_get(doc, "client_id")));
	json_decref(doc);
	proauth2_http_response_free(r);
	return id;
}

/* The error is a 303 to the client's redirect_uri; frees r. */
static void assert_redirected(proauth2_http_response *r, const char *code)
{
	char *error = location_param(r, "error");

	ck_assert_msg(r->status == 303, "%d: %s", r->status, r->body);
	ck_assert_ptr_nonnull(error);
	ck_assert_str_eq(error, code);
	free(error);
	proauth2_http_response_free(r);
}

/* The error is a 400 page for the host to show, no Location, with the
 * client's redirect (error and state) as a link; frees r. */
static void assert_page_with_link(proauth2_http_response *r, const char *code)
{
	json_t *doc;
	const char *link;
	char expected[256];

	ck_assert_int_eq(r->status, 400);
	ck_assert_ptr_null(proauth2_http_response_header(r, "Location"));
	doc = body_json(r);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "error")), code);
	link = json_string_value(json_object_get(doc, "redirect_uri"));
	ck_assert_ptr_nonnull(link);
	snprintf(expected, sizeof(expected), REDIRECT_URI "?error=%s&", code);
	ck_assert_int_eq(strncmp(link, expected, strlen(expected)), 0);
	ck_assert_ptr_nonnull(strstr(link, "&state=s1"));
	json_decref(doc);
	proauth2_http_response_free(r);
}

/* The three errors of RFC 9700 §4.11.2's attack for client_id. */
static void errors_for(const char *client_id, char *q, size_t size,
		void (*check)(proauth2_http_response *, const char *))
{
	snprintf(q, size, "response_type=token&client_id=%s" URI_FMT "&state=s1",
			client_id);
	check(begin_fails(q), "unsupported_response_type");
	snprintf(q, size, "response_type=code&client_id=%s" URI_FMT "&state=s1"
			"&scope=admin&code_challenge=" RFC7636_CHALLENGE
			"&code_challenge_method=S256", client_id);
	check(begin_fails(q), "invalid_scope");
	snprintf(q, size, "response_type=code&client_id=%s" URI_FMT "&state=s1",
			client_id);
	check(begin_fails(q), "invalid_request");  /* PKCE missing */
}

START_TEST(errors_redirect_only_to_clients_the_host_registered)
{
	proauth2_client *host;
	char q[512], *dynamic;

	env_reconfigure(registration_and_log);
	host = register_client(PUB, CODE_GRANTS, "read");
	dynamic = register_dynamic();
	errors_for(host->client_id, q, sizeof(q), assert_redirected);
	errors_for(dynamic, q, sizeof(q), assert_page_with_link);

	/* The policy can redirect for every client, or for none. */
	env_reconfigure(redirect_always);
	errors_for(dynamic, q, sizeof(q), assert_redirected);
	env_reconfigure(redirect_never);
	errors_for(host->client_id, q, sizeof(q), assert_page_with_link);
	free(dynamic);
	proauth2_client_free(host);
}
END_TEST

/* A string of n copies of c (new). */
static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* The form body name=value&rest (new). */
static char *form_with(const char *name, const char *value, const char *rest)
{
	size_t n = strlen(name) + strlen(value) + strlen(rest) + 3;
	char *s = malloc(n);

	snprintf(s, n, "%s=%s&%s", name, value, rest);
	return s;
}

/* "Basic base64(id:secret)" for an id of any length (new). */
static char *basic_long(const char *id, const char *secret)
{
	size_t n = strlen(id) + strlen(secret) + 1;
	char *plain = malloc(n + 1), *header = malloc(4 * (n / 3 + 1) + 8);

	snprintf(plain, n + 1, "%s:%s", id, secret);
	strcpy(header, "Basic ");
	EVP_EncodeBlock((unsigned char *)header + 6, (const unsigned char *)plain,
			(int)n);
	free(plain);
	return header;
}

START_TEST(an_over_long_client_id_is_a_client_error_at_every_endpoint)
{
	static const size_t lengths[] = {
		PROAUTH2_FIELD_MAX_LENGTH, PROAUTH2_FIELD_MAX_LENGTH + 1, 20000,
	};
	static const char *const token_ends[] = {"/token", "/revoke", "/introspect"};
	proauth2_client *c = register_client(CONF, CODE_GRANTS, "read");
	const char *names[1] = {"client_id"}, *values[1];
	proauth2_authorization *a = NULL;
	proauth2_client *found = NULL;
	proauth2_error err;
	size_t i, k;

	for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		char *id = repeat('a', lengths[i]);
		char *q = form_with("client_id", id, "response_type=code" URI_PARAM);
		char *auth = basic_long(id, "secret"), *b;

		assert_error(begin_fails(q), 400, "invalid_request");
		for (k = 0; k < 3; k++) {
			b = form_with("client_id", id,
					"grant_type=client_credentials&token=x");
			assert_error(post_form(token_ends[k], b, NULL), 401,
					"invalid_client");
			free(b);
			assert_error(post_form(token_ends[k],
					"grant_type=client_credentials&token=x",
					auth), 401, "invalid_client");
		}
		/* The engine's own entry points. */
		values[0] = id;
		ck_assert_int_eq(proauth2_client_get(env.provider, id, &found, &err),
				PROAUTH2_ERR_NOT_FOUND);
		ck_assert_int_eq(proauth2_authorization_begin(env.provider, names,
				values, 1, &a, &err), PROAUTH2_ERR_INVALID_REQUEST);
		ck_assert_int_eq(proauth2_client_verify_registration_token(
				env.provider, id, "x", &err), PROAUTH2_ERR_INVALID_TOKEN);
		free(auth);
		free(q);
		free(id);
	}
	proauth2_client_free(c);
}
END_TEST

/* Every parameter of every endpoint, at the field limit, past it and near
 * the form limit: a client error or success, never a 5xx, and no Location a
 * server could not send. */
START_TEST(over_long_values_are_never_server_errors)
{
	static const size_t lengths[] = {
		PROAUTH2_FIELD_MAX_LENGTH, PROAUTH2_FIELD_MAX_LENGTH + 1, 60000,
	};
	static const char *const authorize_params[] = {
		"response_type", "redirect_uri", "scope", "state", "code_challenge",
		"code_challenge_method", "nonce", "prompt", "extra",
	};
	static const char *const token_params[] = {
		"grant_type", "code", "redirect_uri", "code_verifier", "refresh_token",
		"scope", "username", "password", "client_secret", "token",
		"token_type_hint", "extra",
	};
	static const char *const token_ends[] = {"/token", "/revoke", "/introspect"};
	proauth2_client *pub = register_client(PUB, CODE_GRANTS, "read");
	proauth2_client *conf = register_client(CONF, CODE_GRANTS |
			PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	char base[512];
	size_t i, k, e;

	snprintf(base, sizeof(base), "client_id=%s" URI_FMT "&code_challenge_method=S256",
			pub->client_id);
	for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		char *value = repeat('v', lengths[i]);

		for (k = 0; k < sizeof(authorize_params) / sizeof(authorize_params[0]); k++) {
			proauth2_http_request req = {
				.struct_size = sizeof(proauth2_http_request),
				.method = "GET", .path = "/authorize"};
			proauth2_authorization *a = NULL;
			proauth2_http_response *r = NULL;
			const char *location;
			char *q = form_with(authorize_params[k], value,
					strcmp(authorize_params[k], "redirect_uri") == 0 ?
					"client_id=x" : base);

			req.query = q;
			ck_assert_msg(proauth2_http_authorize_begin(env.provider, &req,
					&a, &r) == PROAUTH2_OK ? a != NULL : r != NULL && r->status < 500,
					"%s of %zu bytes", authorize_params[k], lengths[i]);
			location = proauth2_http_response_header(r, "Location");
			ck_assert(location == NULL || strlen(location) < 16384);
			proauth2_authorization_free(a);
			proauth2_http_response_free(r);
			free(q);
		}
		for (e = 0; e < 3; e++)
			for (k = 0; k < sizeof(token_params) / sizeof(token_params[0]); k++) {
				char *b = form_with(token_params[k], value,
						"grant_type=client_credentials&token=x");
				proauth2_http_response *r = post_form(token_ends[e], b,
						strcmp(token_params[k], "client_secret") == 0 ? NULL :
						basic(conf->client_id, conf->client_secret));

				ck_assert_msg(r->status < 500, "%s %s of %zu bytes: %d",
						token_ends[e], token_params[k], lengths[i], r->status);
				proauth2_http_response_free(r);
				free(b);
			}
		free(value);
	}
	proauth2_client_free(pub);
	proauth2_client_free(conf);
}
END_TEST

/* The error redirect for a state of n bytes (each encoded as "%25"). */
static proauth2_http_response *error_with_state(const proauth2_client *c,
		size_t n)
{
	char *state = repeat('%', n), *enc = malloc(3 * n + 1), *q;
	proauth2_http_response *r;
	size_t i, len;

	for (i = 0; i < n; i++)
		memcpy(enc + 3 * i, "%25", 3);
	enc[3 * n] = '\0';
	len = 3 * n + strlen(c->client_id) + 200;
	q = malloc(len);
	snprintf(q, len, "response_type=token&client_id=%s" URI_FMT "&state=%s",
			c->client_id, enc);
	r = begin_fails(q);
	free(q);
	free(enc);
	free(state);
	return r;
}

START_TEST(an_echoed_state_is_bounded)
{
	proauth2_client *c = register_client(PUB, CODE_GRANTS, "read");
	proauth2_http_request req = {.struct_size = sizeof(proauth2_http_request),
		.method = "GET", .path = "/authorize"};
	proauth2_http_response *r;
	proauth2_authorization *a = NULL;
	const char *location;
	char *state, *q;
	size_t len;

	r = error_with_state(c, PROAUTH2_HTTP_STATE_MAX_LENGTH);
	ck_assert_msg(r->status == 303, "%d: %s", r->status, r->body);
	location = proauth2_http_response_header(r, "Location");
	/* Every byte encoded, still far from a server's 16 KiB header limit. */
	ck_assert_uint_lt(strlen(location), 8192);
	proauth2_http_response_free(r);
	r = error_with_state(c, PROAUTH2_HTTP_STATE_MAX_LENGTH + 1);
	assert_error(r, 400, "invalid_request");
	r = error_with_state(c, 5400);
	ck_assert_ptr_null(proauth2_http_response_header(r, "Location"));
	assert_error(r, 400, "invalid_request");

	/* Nor is a request parked whose state could not come back. */
	state = repeat('s', PROAUTH2_HTTP_STATE_MAX_LENGTH + 1);
	len = strlen(state) + 300;
	q = malloc(len);
	snprintf(q, len, "response_type=code&client_id=%s" URI_FMT "&state=%s"
			"&code_challenge=" RFC7636_CHALLENGE "&code_challenge_method=S256",
			c->client_id, state);
	req.query = q;
	ck_assert_int_eq(proauth2_http_authorize_begin(env.provider, &req, &a, &r),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_null(a);
	ck_assert_ptr_null(proauth2_http_response_header(r, "Location"));
	assert_error(r, 400, "invalid_request");
	free(q);
	free(state);
	proauth2_client_free(c);
}
END_TEST

/* A code flow for c, then one refresh: *old is the first response, *now
 * the rotated one. */
static void rotate(const proauth2_client *c, proauth2_token_response **old,
		proauth2_token_response **now)
{
	char *code = issue_code(c, "read", 1);

	*old = exchange_code(c, code, 1);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			(*old)->refresh_token, NULL, now), PROAUTH2_OK);
	proauth2_secret_free(code);
}

/* The rotated tokens are dead: the grant is revoked, and reported once. */
static void assert_grant_revoked(const proauth2_client *c,
		const proauth2_token_response *now)
{
	proauth2_token_response *again = NULL;

	ck_assert_int_eq(validate_status(now->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			now->refresh_token, NULL, &again), PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_uint_eq(n_replays, 1);
}

START_TEST(revoking_a_spent_refresh_token_revokes_its_grant)
{
	proauth2_client *c;
	proauth2_token_response *old, *now;
	proauth2_error err;
	char *body;

	env_reconfigure(registration_and_log);
	c = register_client(CONF, CODE_GRANTS, "read");
	/* Through the engine. */
	rotate(c, &old, &now);
	ck_assert_int_eq(proauth2_token_revoke(env.provider, c->client_id,
			old->refresh_token, PROAUTH2_HINT_REFRESH_TOKEN, &err), PROAUTH2_OK);
	assert_grant_revoked(c, now);
	proauth2_token_response_free(old);
	proauth2_token_response_free(now);

	/* Over HTTP: still 200 (RFC 7009 §2.2), and the grant is gone. */
	n_replays = 0;
	rotate(c, &old, &now);
	body = form_with("token", old->refresh_token, "token_type_hint=refresh_token");
	proauth2_http_response_free(post_form("/revoke", body,
			basic(c->client_id, c->client_secret)));
	assert_grant_revoked(c, now);
	free(body);
	proauth2_token_response_free(old);
	proauth2_token_response_free(now);
	proauth2_client_free(c);
}
END_TEST

/* POST /introspect token for c: whether it is active. */
static bool introspect_active(const proauth2_client *c, const char *token)
{
	char *body = form_with("token", token, "");
	proauth2_http_response *r = post_form("/introspect", body,
			basic(c->client_id, c->client_secret));
	json_t *doc;
	bool active;

	ck_assert_int_eq(r->status, 200);
	doc = body_json(r);
	active = json_is_true(json_object_get(doc, "active"));
	json_decref(doc);
	proauth2_http_response_free(r);
	free(body);
	return active;
}

START_TEST(introspecting_a_spent_refresh_token_revokes_its_grant)
{
	proauth2_client *c;
	proauth2_token_response *old, *now;
	proauth2_token_info *info = (proauth2_token_info *)&info;
	proauth2_error err;

	env_reconfigure(registration_and_log);
	c = register_client(CONF, CODE_GRANTS, "read");
	/* Through the engine. */
	rotate(c, &old, &now);
	ck_assert_int_eq(proauth2_token_introspect(env.provider, c->client_id,
			old->refresh_token, PROAUTH2_HINT_NONE, &info, &err),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_ptr_null(info);
	assert_grant_revoked(c, now);
	proauth2_token_response_free(old);
	proauth2_token_response_free(now);

	/* Over HTTP. */
	n_replays = 0;
	rotate(c, &old, &now);
	ck_assert(introspect_active(c, now->access_token));
	ck_assert(!introspect_active(c, old->refresh_token));
	ck_assert(!introspect_active(c, now->access_token));
	ck_assert(!introspect_active(c, now->refresh_token));
	assert_grant_revoked(c, now);
	proauth2_token_response_free(old);
	proauth2_token_response_free(now);
	proauth2_client_free(c);
}
END_TEST

static Suite *hardening_suite(void)
{
	Suite *s = suite_create("http-hardening");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, env_setup, env_teardown);
	tcase_add_test(tc, errors_redirect_only_to_clients_the_host_registered);
	tcase_add_test(tc, an_over_long_client_id_is_a_client_error_at_every_endpoint);
	tcase_add_test(tc, over_long_values_are_never_server_errors);
	tcase_add_test(tc, an_echoed_state_is_bounded);
	tcase_add_test(tc, revoking_a_spent_refresh_token_revokes_its_grant);
	tcase_add_test(tc, introspecting_a_spent_refresh_token_revokes_its_grant);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(hardening_suite()) == 0 ? 0 : 1;
}
