/* What the library reports to the host's log callback, through real calls:
 * each kind of event, its fields, and never a secret in any of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "faulty_vfs.h"
#include "http_support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define MAX_EVENTS 32

/* A copy of an event: the callback's pointers die with the call. */
typedef struct recorded {
	proauth2_event_kind kind;
	proauth2_event_level level;
	proauth2_status status;
	char message[256];
	char client_id[PROAUTH2_EVENT_CLIENT_ID_MAX + 1];
	char grant_id[64];
	char auth_method[32];
	int http_status;
} recorded;

static recorded events[MAX_EVENTS];
static size_t n_events;

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

static void record_event(void *arg, const proauth2_event *e)
{
	recorded *r;

	ck_assert_ptr_eq(arg, events);
	ck_assert_ptr_nonnull(e->message);
	ck_assert_uint_lt(n_events, MAX_EVENTS);
	r = &events[n_events++];
	r->kind = e->kind;
	r->level = e->level;
	r->status = e->status;
	copy(r->message, sizeof(r->message), e->message);
	copy(r->client_id, sizeof(r->client_id), e->client_id);
	copy(r->grant_id, sizeof(r->grant_id), e->grant_id);
	copy(r->auth_method, sizeof(r->auth_method), e->auth_method);
	r->http_status = e->http_status;
}

static void logging(proauth2_config *cfg)
{
	cfg->log = record_event;
	cfg->log_arg = events;
}

static void setup(void)
{
	env_setup();
	env_reconfigure(logging);
	n_events = 0;
}

/* The only event of kind; fails unless there is exactly one. */
static const recorded *only(proauth2_event_kind kind)
{
	const recorded *found = NULL;
	size_t i, n = 0;

	for (i = 0; i < n_events; i++)
		if (events[i].kind == kind) {
			found = &events[i];
			n++;
		}
	ck_assert_msg(n == 1, "%zu events of kind %s, wanted 1", n,
			proauth2_event_kind_str(kind));
	return found;
}

static size_t count(proauth2_event_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < n_events; i++)
		n += events[i].kind == kind;
	return n;
}

/* SHA-256, base64url without padding: how the library stores secrets. */
static void hash_of(const char *secret, char out[64])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	char b64[64];
	size_t i, n;

	ck_assert(EVP_Digest(secret, strlen(secret), md, &len, EVP_sha256(), NULL));
	n = (size_t)EVP_EncodeBlock((unsigned char *)b64, md, (int)len);
	for (i = 0; i < n && b64[i] != '='; i++)
		out[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	out[i] = '\0';
}

/* No recorded event holds secret or its hash, in any field. */
static void assert_no_secret(const char *secret)
{
	char hash[64];
	size_t i;

	if (secret == NULL)
		return;
	hash_of(secret, hash);
	for (i = 0; i < n_events; i++) {
		const recorded *e = &events[i];
		const char *fields[] = {e->message, e->client_id, e->grant_id,
			e->auth_method};
		size_t f;

		for (f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
			ck_assert_msg(strstr(fields[f], secret) == NULL,
					"a secret in event %zu: %s", i, fields[f]);
			ck_assert_msg(strstr(fields[f], hash) == NULL,
					"a secret's hash in event %zu: %s", i, fields[f]);
		}
	}
}

/* A grant id is a UUID. */
static void assert_uuid(const char *s)
{
	ck_assert_uint_eq(strlen(s), 36);
	ck_assert_uint_eq(strspn(s, "0123456789abcdef-"), 36);
}

START_TEST(silent_while_all_is_well)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_token_response *t = exchange_code(c, code, 1), *r = NULL;

	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, NULL, &r), PROAUTH2_OK);
	ck_assert_uint_eq(n_events, 0);
	proauth2_token_response_free(r);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(wrong_secret_reports_failed_client_authentication)
{
	static const char wrong[] = "not-the-secret-4f1c9e";
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS,
			"read");
	proauth2_token_response *t = NULL;
	const recorded *e;

	ck_assert_int_eq(client_credentials_with(c->client_id, wrong, NULL, &t),
			PROAUTH2_ERR_INVALID_CLIENT);
	e = only(PROAUTH2_EVENT_CLIENT_AUTH_FAILED);
	ck_assert_int_eq(e->level, PROAUTH2_LEVEL_WARNING);
	ck_assert_int_eq(e->status, PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_str_eq(e->client_id, c->client_id);
	ck_assert_str_eq(e->auth_method, "client_secret");
	ck_assert_str_eq(e->grant_id, "");
	ck_assert_uint_eq(n_events, 1);
	assert_no_secret(wrong);
	assert_no_secret(c->client_secret);
	proauth2_client_free(c);
}
END_TEST

START_TEST(failed_basic_authentication_over_http_is_reported)
{
	static const char wrong[] = "not-the-secret-77aa01";
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS,
			"read");
	char body[128];
	const recorded *e;

	assert_error(post_form("/token", "grant_type=client_credentials",
			basic(c->client_id, wrong)), 401, "invalid_client");
	e = only(PROAUTH2_EVENT_CLIENT_AUTH_FAILED);
	ck_assert_str_eq(e->client_id, c->client_id);
	ck_assert_str_eq(e->auth_method, "client_secret");
	/* A confidential client that presents no secret. */
	n_events = 0;
	snprintf(body, sizeof(body),
			"grant_type=refresh_token&refresh_token=x&client_id=%s",
			c->client_id);
	assert_error(post_form("/token", body, NULL), 401, "invalid_client");
	e = only(PROAUTH2_EVENT_CLIENT_AUTH_FAILED);
	ck_assert_str_eq(e->client_id, c->client_id);
	ck_assert_str_eq(e->auth_method, "none");
	assert_no_secret(wrong);
	assert_no_secret(c->client_secret);
	proauth2_client_free(c);
}
END_TEST

/* What an attacker sends as client_id reaches the log as one tame line. */
START_TEST(wrong_registration_token_reports_failed_authentication)
{
	static const char wrong[] = "not-the-registration-token-8b2d";
	const char *uris[] = {"https://client.example.com/cb"};
	proauth2_client_params params;
	proauth2_client *c = NULL;
	char *token = NULL;
	const recorded *e;

	proauth2_client_params_init(&params);
	params.redirect_uris = uris;
	params.n_redirect_uris = 1;
	ck_assert_int_eq(proauth2_client_register_dynamic(env.provider, &params, &c,
			&token, NULL), PROAUTH2_OK);
	ck_assert_uint_eq(n_events, 0);
	ck_assert_int_eq(proauth2_client_verify_registration_token(env.provider,
			c->client_id, token, NULL), PROAUTH2_OK);
	ck_assert_uint_eq(n_events, 0);
	ck_assert_int_eq(proauth2_client_verify_registration_token(env.provider,
			c->client_id, wrong, NULL), PROAUTH2_ERR_INVALID_TOKEN);
	e = only(PROAUTH2_EVENT_CLIENT_AUTH_FAILED);
	ck_assert_str_eq(e->client_id, c->client_id);
	ck_assert_str_eq(e->auth_method, "registration_access_token");
	/* An unknown client is refused and reported alike. */
	ck_assert_int_eq(proauth2_client_verify_registration_token(env.provider,
			"no-such-client", token, NULL), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_uint_eq(n_events, 2);
	assert_no_secret(wrong);
	assert_no_secret(token);
	assert_no_secret(c->client_secret);
	proauth2_secret_free(token);
	proauth2_client_free(c);
}
END_TEST

START_TEST(presented_client_id_is_made_printable)
{
	char id[PROAUTH2_EVENT_CLIENT_ID_MAX + 72];
	proauth2_token_response *t = NULL;
	const recorded *e;

	memset(id, 'a', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	memcpy(id, "evil\n\x1b[2J", 9);
	memcpy(id + PROAUTH2_EVENT_CLIENT_ID_MAX - 1, "\xc3\xa9", 2);
	ck_assert_int_eq(client_credentials_with(id, "x", NULL, &t),
			PROAUTH2_ERR_INVALID_CLIENT);
	e = only(PROAUTH2_EVENT_CLIENT_AUTH_FAILED);
	ck_assert_uint_eq(strlen(e->client_id), PROAUTH2_EVENT_CLIENT_ID_MAX - 1);
	ck_assert_int_eq(strncmp(e->client_id, "evil??[2J", 9), 0);
	/* Cut before the two-byte character that would not fit whole. */
	ck_assert_uint_eq(strspn(e->client_id + 9, "a"),
			PROAUTH2_EVENT_CLIENT_ID_MAX - 10);
}
END_TEST

/* A host may choose ids up to PROAUTH2_CLIENT_ID_MAX_LENGTH: the event
 * names the longest whole. */
START_TEST(longest_chosen_client_id_is_reported_whole)
{
	char id[PROAUTH2_CLIENT_ID_MAX_LENGTH + 1];
	proauth2_client_params params;
	proauth2_token_response *t = NULL;
	proauth2_client *c = NULL;
	proauth2_error err = {0};

	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	memcpy(id, "service.example.", 16);
	proauth2_client_params_init(&params);
	params.client_id = id;
	params.type = PROAUTH2_CLIENT_CONFIDENTIAL;
	params.grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS;
	ck_assert_int_eq(proauth2_client_register(env.provider, &params, &c, &err),
			PROAUTH2_OK);
	ck_assert_int_eq(client_credentials_with(id, "wrong", NULL, &t),
			PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_str_eq(only(PROAUTH2_EVENT_CLIENT_AUTH_FAILED)->client_id, id);
	proauth2_client_free(c);
}
END_TEST

START_TEST(replayed_code_reports_the_revoked_grant)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_token_response *t = exchange_code(c, code, 1), *again = NULL;
	proauth2_code_exchange replay;
	const recorded *e;

	proauth2_code_exchange_init(&replay);
	replay.client_id = c->client_id;
	replay.client_secret = c->client_secret;
	replay.code = code;
	replay.redirect_uri = REDIRECT_URI;
	replay.code_verifier = RFC7636_VERIFIER;
	ck_assert_int_eq(proauth2_token_exchange_code(env.provider, &replay, &again,
			NULL), PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	e = only(PROAUTH2_EVENT_REPLAY);
	ck_assert_uint_eq(n_events, 1);
	ck_assert_int_eq(e->level, PROAUTH2_LEVEL_WARNING);
	ck_assert_int_eq(e->status, PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_str_eq(e->client_id, c->client_id);
	assert_uuid(e->grant_id);
	ck_assert_str_eq(e->auth_method, "");
	assert_no_secret(code);
	assert_no_secret(t->access_token);
	assert_no_secret(t->refresh_token);
	assert_no_secret(c->client_secret);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(replayed_refresh_token_reports_the_revoked_grant)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_token_response *t = exchange_code(c, code, 1), *r = NULL, *x = NULL;
	char grant[64];
	const recorded *e;

	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, NULL, &r), PROAUTH2_OK);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, NULL, &x), PROAUTH2_ERR_INVALID_GRANT);
	e = only(PROAUTH2_EVENT_REPLAY);
	ck_assert_str_eq(e->client_id, c->client_id);
	assert_uuid(e->grant_id);
	strcpy(grant, e->grant_id);
	/* The grant it names is the one revoked: its new tokens died too. */
	ck_assert_int_eq(validate_status(r->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			r->refresh_token, NULL, &x), PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_uint_eq(count(PROAUTH2_EVENT_REPLAY), 1);
	ck_assert_str_eq(grant, events[0].grant_id);
	assert_no_secret(t->refresh_token);
	assert_no_secret(r->refresh_token);
	assert_no_secret(c->client_secret);
	proauth2_token_response_free(r);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(server_error_reports_the_hidden_text)
{
	proauth2_http_response *r = NULL;
	proauth2_token_info *info = NULL;
	const recorded *e;
	json_t *doc;

	/* The host's mistake: a required scope that is no scope. */
	ck_assert_int_eq(bearer("Bearer x", "a\"b", &info, &r),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(r->status, 500);
	doc = body_json(r);
	/* The client is told nothing of it; the host is. */
	ck_assert_ptr_null(strstr(json_string_value(json_object_get(doc,
			"error_description")), "required_scope"));
	e = only(PROAUTH2_EVENT_SERVER_ERROR);
	ck_assert_int_eq(e->level, PROAUTH2_LEVEL_ERROR);
	ck_assert_int_eq(e->http_status, 500);
	ck_assert_int_eq(e->status, PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(e->message,
			"required_scope is not a scope (RFC 6749 section 3.3)");
	json_decref(doc);
	proauth2_http_response_free(r);
}
END_TEST

/* The host's own mistake (a request never initialized) is a 5xx too. */
START_TEST(uninitialized_request_is_a_reported_server_error)
{
	proauth2_http_request req;
	proauth2_http_response *r = NULL;
	const recorded *e;

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.path = "/.well-known/oauth-authorization-server";
	ck_assert_int_eq(proauth2_http_handle(env.provider, &req, &r),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(r->status, 500);
	e = only(PROAUTH2_EVENT_SERVER_ERROR);
	ck_assert_int_eq(e->status, PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_nonnull(strstr(e->message, "proauth2_http_request_init()"));
	proauth2_http_response_free(r);
}
END_TEST

START_TEST(null_request_is_refused_at_every_endpoint)
{
	proauth2_authorization *a = NULL;
	proauth2_token_info *info = NULL;
	proauth2_http_response *r[7] = {NULL};
	size_t i;

	ck_assert_int_eq(proauth2_http_handle(env.provider, NULL, &r[0]),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(proauth2_http_token(env.provider, NULL, &r[1]),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(proauth2_http_revoke(env.provider, NULL, &r[2]),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(proauth2_http_introspect(env.provider, NULL, &r[3]),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(proauth2_http_metadata(env.provider, NULL, &r[4]),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(proauth2_http_authorize_begin(env.provider, NULL, &a, &r[5]),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(proauth2_http_bearer(env.provider, NULL, "read", &info, &r[6]),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(info);
	for (i = 0; i < 7; i++) {
		ck_assert_ptr_nonnull(r[i]);
		ck_assert_int_eq(r[i]->status, 500);
		proauth2_http_response_free(r[i]);
	}
	ck_assert_uint_eq(n_events, 7);
}
END_TEST

/* A disk that fails the commit of a token request: the host sees the
 * datastore's failure and the 500 it became, the client neither. */
START_TEST(datastore_failure_is_reported_with_the_5xx)
{
	proauth2_client *c;
	proauth2_http_response *r;
	char *code, body[512];
	const recorded *e;
	size_t i;

	env_reopen_on_faulty_vfs(logging);
	c = register_client(CONF, 0, "read");
	code = issue_code(c, "read", 1);
	n_events = 0;
	snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s"
			"&redirect_uri=%s&code_verifier=%s", code, REDIRECT_URI,
			RFC7636_VERIFIER);
	faulty_vfs_fail_syncs(true);
	r = http_any("POST", "/token", FORM, body, basic(c->client_id,
			c->client_secret));
	faulty_vfs_fail_syncs(false);
	/* A commit whose fsync failed may yet be kept: 503, try again. */
	ck_assert_int_eq(r->status, 503);
	ck_assert_uint_ge(count(PROAUTH2_EVENT_DATASTORE_FAILURE), 1);
	for (i = 0; i < n_events; i++) {
		if (events[i].kind != PROAUTH2_EVENT_DATASTORE_FAILURE)
			continue;
		ck_assert_int_eq(events[i].level, PROAUTH2_LEVEL_ERROR);
		ck_assert_int_eq(events[i].status, PROAUTH2_ERR_OUTCOME_UNKNOWN);
		ck_assert_str_ne(events[i].message, "");
	}
	e = only(PROAUTH2_EVENT_SERVER_ERROR);
	ck_assert_int_eq(e->http_status, 503);
	ck_assert_int_eq(e->status, PROAUTH2_ERR_OUTCOME_UNKNOWN);
	ck_assert_str_ne(e->message, "");
	/* What the host reads is what the client was not shown. */
	ck_assert_ptr_null(strstr(r->body, e->message));
	assert_no_secret(code);
	assert_no_secret(c->client_secret);
	proauth2_http_response_free(r);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

/* An endpoint layer of the host's own reports through the provider. */
START_TEST(endpoint_layers_report_through_the_provider)
{
	proauth2_event event = {
		.kind = PROAUTH2_EVENT_SERVER_ERROR,
		.level = PROAUTH2_LEVEL_ERROR,
		.status = PROAUTH2_ERR_UNAVAILABLE,
		.message = "the host's own layer failed",
		.http_status = 503,
	};

	proauth2_provider_report(env.provider, &event);
	ck_assert_uint_eq(n_events, 1);
	ck_assert_str_eq(events[0].message, "the host's own layer failed");
	ck_assert_int_eq(events[0].http_status, 503);
	/* Nothing to say is not said; nobody to tell is no error. */
	event.message = NULL;
	proauth2_provider_report(env.provider, &event);
	proauth2_provider_report(NULL, &event);
	ck_assert_uint_eq(n_events, 1);
	ck_assert_str_eq(proauth2_event_kind_str(PROAUTH2_EVENT_REPLAY), "replay");
	ck_assert_str_eq(proauth2_event_kind_str(PROAUTH2_EVENT_KIND_COUNT), "unknown");
}
END_TEST

static Suite *events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("events");

	tcase_add_checked_fixture(tc, setup, env_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, silent_while_all_is_well);
	tcase_add_test(tc, wrong_secret_reports_failed_client_authentication);
	tcase_add_test(tc, failed_basic_authentication_over_http_is_reported);
	tcase_add_test(tc, wrong_registration_token_reports_failed_authentication);
	tcase_add_test(tc, presented_client_id_is_made_printable);
	tcase_add_test(tc, longest_chosen_client_id_is_reported_whole);
	tcase_add_test(tc, replayed_code_reports_the_revoked_grant);
	tcase_add_test(tc, replayed_refresh_token_reports_the_revoked_grant);
	tcase_add_test(tc, server_error_reports_the_hidden_text);
	tcase_add_test(tc, uninitialized_request_is_a_reported_server_error);
	tcase_add_test(tc, null_request_is_refused_at_every_endpoint);
	tcase_add_test(tc, endpoint_layers_report_through_the_provider);
	/* A file through SQLite's VFS. */
	if (strcmp(env_backend(), "sqlite") == 0)
		tcase_add_test(tc, datastore_failure_is_reported_with_the_5xx);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(events_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
