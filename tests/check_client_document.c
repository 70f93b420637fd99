/* Client ID Metadata Documents (config.client_document_fetch): an https
 * client_id names the client's own metadata, which the host's fetch (here
 * a fake that serves one document) returns; the provider checks it, caches
 * it as the answer allowed, and serves the client at the authorization and
 * token endpoints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_support.h"

#define DOC_URL "https://app.example.com/oauth/client.json"
#define DOC_URL_QUERY "https%3A%2F%2Fapp.example.com%2Foauth%2Fclient.json"
#define REDIRECT_QUERY "https%3A%2F%2Fclient.example.com%2Fcb"

/* What the fake fetch answers, and what it saw. */
static struct {
	char body[2 * PROAUTH2_CLIENT_DOCUMENT_MAX];
	size_t length;     /* reported; may exceed what was copied */
	int64_t max_age;
	int fail;
	int calls;
	size_t body_max;
	char url[PROAUTH2_CLIENT_DOCUMENT_URL_MAX + 64];
} served;

static int fake_fetch(void *arg, const char *url, char *body, size_t body_max,
		size_t *body_len, int64_t *max_age)
{
	ck_assert_ptr_eq(arg, &served);
	served.calls++;
	served.body_max = body_max;
	snprintf(served.url, sizeof(served.url), "%s", url);
	if (served.fail)
		return -1;
	memcpy(body, served.body, served.length < body_max ? served.length : body_max);
	*body_len = served.length;
	*max_age = served.max_age;
	return 0;
}

static void serve(const char *json)
{
	snprintf(served.body, sizeof(served.body), "%s", json);
	served.length = strlen(served.body);
}

/* A document as a public MCP client publishes it, for client_id url. */
static void serve_client(const char *url)
{
	char json[1024];

	snprintf(json, sizeof(json), "{\"client_id\": \"%s\", \"client_name\": "
			"\"Example App\", \"redirect_uris\": [\"" REDIRECT_URI "\"], "
			"\"grant_types\": [\"authorization_code\", \"refresh_token\"], "
			"\"response_types\": [\"code\"], "
			"\"token_endpoint_auth_method\": \"none\"}", url);
	serve(json);
}

static int64_t cache_max = 3600;

static void with_documents(proauth2_config *cfg)
{
	cfg->client_document_fetch = fake_fetch;
	cfg->client_document_fetch_arg = &served;
	cfg->client_document_cache_max = cache_max;
}

static void setup(void)
{
	env_setup();
	memset(&served, 0, sizeof(served));
	served.max_age = -1;
	cache_max = 3600;
	env_reconfigure(with_documents);
	serve_client(DOC_URL);
}

static void teardown(void)
{
	env_teardown();
}

/* proauth2_client_get of url: its status, err's text into why. */
static proauth2_status get(const char *url, proauth2_client **c, char *why)
{
	proauth2_error err = {0};
	proauth2_status status = proauth2_client_get(env.provider, url, c, &err);

	snprintf(why, PROAUTH2_ERROR_TEXT_SIZE, "%s", err.text);
	return status;
}

/* The document client_id names is refused with text in its reason. */
static void assert_refused(const char *client_id, const char *text)
{
	proauth2_client *c = (proauth2_client *)&c;
	char why[PROAUTH2_ERROR_TEXT_SIZE];

	ck_assert_int_eq(get(client_id, &c, why), PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(why, text) != NULL, "'%s' lacks '%s'", why, text);
}

START_TEST(a_document_describes_a_public_client)
{
	proauth2_client *c = NULL;
	char why[PROAUTH2_ERROR_TEXT_SIZE];

	ck_assert_int_eq(get(DOC_URL, &c, why), PROAUTH2_OK);
	ck_assert_str_eq(served.url, DOC_URL);
	ck_assert_uint_eq(served.body_max, PROAUTH2_CLIENT_DOCUMENT_MAX);
	ck_assert_str_eq(c->client_id, DOC_URL);
	ck_assert_int_eq(c->type, PROAUTH2_CLIENT_PUBLIC);
	ck_assert_int_eq(c->registered_by, PROAUTH2_REGISTERED_BY_DOCUMENT);
	ck_assert(!proauth2_client_is_trusted(c));
	ck_assert_ptr_null(c->client_secret);
	ck_assert_str_eq(c->name, "Example App");
	ck_assert_uint_eq(c->n_redirect_uris, 1);
	ck_assert_str_eq(c->redirect_uris[0], REDIRECT_URI);
	ck_assert_uint_eq(c->grant_types, PROAUTH2_GRANT_AUTHORIZATION_CODE |
			PROAUTH2_GRANT_REFRESH_TOKEN);
	ck_assert_int_eq(c->token_endpoint_auth_method, PROAUTH2_AUTH_METHOD_NONE);
	/* Named no scope: any the provider supports, as an anonymous client. */
	ck_assert_str_eq(c->scope, "read write admin");
	proauth2_client_free(c);
}
END_TEST

START_TEST(the_code_flow_and_refresh_work_for_it)
{
	proauth2_client *c = NULL;
	proauth2_token_response *t, *again = NULL;
	proauth2_token_info *info = NULL;
	char why[PROAUTH2_ERROR_TEXT_SIZE], *code;
	proauth2_error err = {0};

	ck_assert_int_eq(get(DOC_URL, &c, why), PROAUTH2_OK);
	code = issue_code(c, "read", 1);
	t = exchange_code(c, code, 1);
	ck_assert_int_eq(proauth2_token_validate(env.provider, t->access_token,
			&info, &err), PROAUTH2_OK);
	ck_assert_str_eq(info->client_id, DOC_URL);
	ck_assert_int_eq(refresh_with(DOC_URL, NULL, t->refresh_token, NULL, &again),
			PROAUTH2_OK);
	/* One fetch served the lookup, the code, the exchange and the refresh. */
	ck_assert_int_eq(served.calls, 1);
	proauth2_token_info_free(info);
	proauth2_token_response_free(t);
	proauth2_token_response_free(again);
	free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(over_http_the_authorization_and_token_endpoints_take_it)
{
	char query[1024], form[1024];
	proauth2_http_request req = {.struct_size = sizeof(proauth2_http_request),
		.method = "GET", .path = "/authorize", .query = query};
	proauth2_authorization *a = NULL;
	proauth2_http_response *r = NULL;
	proauth2_client *c = NULL;
	char why[PROAUTH2_ERROR_TEXT_SIZE], *code;
	json_t *body;

	snprintf(query, sizeof(query), "response_type=code&client_id=%s"
			"&redirect_uri=%s&scope=read&code_challenge=%s"
			"&code_challenge_method=S256", DOC_URL_QUERY, REDIRECT_QUERY,
			RFC7636_CHALLENGE);
	ck_assert_int_eq(proauth2_http_authorize_begin(env.provider, &req, &a, &r),
			PROAUTH2_OK);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(proauth2_authorization_client_id(a), DOC_URL);
	proauth2_authorization_free(a);

	ck_assert_int_eq(get(DOC_URL, &c, why), PROAUTH2_OK);
	code = issue_code(c, "read", 1);
	snprintf(form, sizeof(form), "grant_type=authorization_code&code=%s"
			"&redirect_uri=%s&client_id=%s&code_verifier=%s", code,
			REDIRECT_QUERY, DOC_URL_QUERY, RFC7636_VERIFIER);
	r = post_form("/token", form, NULL);
	ck_assert_int_eq(r->status, 200);
	body = body_json(r);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(body, "access_token")));
	json_decref(body);
	proauth2_http_response_free(r);
	free(code);
	proauth2_client_free(c);

	/* A document that will not do: no redirect, no 5xx, and why. */
	serve("{\"client_id\": \"https://elsewhere.example/x\"}");
	snprintf(query, sizeof(query), "response_type=code&client_id=%s"
			"&redirect_uri=%s&code_challenge=%s&code_challenge_method=S256",
			"https%3A%2F%2Fapp.example.com%2Fother.json", REDIRECT_QUERY,
			RFC7636_CHALLENGE);
	r = begin_fails(query);
	ck_assert_int_eq(r->status, 400);
	ck_assert_ptr_null(proauth2_http_response_header(r, "Location"));
	proauth2_http_response_free(r);
	assert_error(post_form("/token", "grant_type=refresh_token&refresh_token=x"
			"&client_id=https%3A%2F%2Fapp.example.com%2Fother.json", NULL),
			401, "invalid_client");
}
END_TEST

START_TEST(metadata_says_documents_are_supported)
{
	proauth2_http_response *r = http("GET",
			"/.well-known/oauth-authorization-server", NULL, NULL, NULL);
	json_t *doc = body_json(r);

	ck_assert(json_is_true(json_object_get(doc,
			"client_id_metadata_document_supported")));
	json_decref(doc);
	proauth2_http_response_free(r);

	env_reconfigure(NULL);
	r = http("GET", "/.well-known/oauth-authorization-server", NULL, NULL, NULL);
	doc = body_json(r);
	ck_assert_ptr_null(json_object_get(doc, "client_id_metadata_document_supported"));
	json_decref(doc);
	proauth2_http_response_free(r);
}
END_TEST

START_TEST(without_a_fetch_an_https_client_id_is_unknown)
{
	proauth2_client *c = NULL;
	char why[PROAUTH2_ERROR_TEXT_SIZE];

	env_reconfigure(NULL);
	ck_assert_int_eq(get(DOC_URL, &c, why), PROAUTH2_ERR_NOT_FOUND);
	ck_assert_int_eq(served.calls, 0);
}
END_TEST

START_TEST(the_client_id_must_be_the_documents_url)
{
	serve("{\"client_id\": \"https://app.example.com/oauth/other.json\", "
			"\"redirect_uris\": [\"" REDIRECT_URI "\"]}");
	assert_refused(DOC_URL, "another client_id");
	/* Not equal as a URL would be: equal byte for byte. */
	serve("{\"client_id\": \"https://APP.example.com/oauth/client.json\", "
			"\"redirect_uris\": [\"" REDIRECT_URI "\"]}");
	assert_refused("https://app.example.com/oauth/client.json?v=2",
			"another client_id");
	serve("{\"redirect_uris\": [\"" REDIRECT_URI "\"]}");
	assert_refused("https://app.example.com/oauth/none.json", "another client_id");
}
END_TEST

START_TEST(a_document_client_has_no_secret)
{
	serve("{\"client_id\": \"" DOC_URL "\", \"redirect_uris\": [\"" REDIRECT_URI
			"\"], \"token_endpoint_auth_method\": \"client_secret_basic\"}");
	assert_refused(DOC_URL, "other than none");
	serve("{\"client_id\": \"https://app.example.com/a\", \"redirect_uris\": [\""
			REDIRECT_URI "\"], \"token_endpoint_auth_method\": \"private_key_jwt\"}");
	assert_refused("https://app.example.com/a", "other than none");
	serve("{\"client_id\": \"https://app.example.com/b\", \"redirect_uris\": [\""
			REDIRECT_URI "\"], \"client_secret\": \"s3cret\"}");
	assert_refused("https://app.example.com/b", "client_secret");
}
END_TEST

START_TEST(its_metadata_is_held_to_a_registrations_rules)
{
	serve("{\"client_id\": \"" DOC_URL "\"}");
	assert_refused(DOC_URL, "no redirect_uris");
	serve("{\"client_id\": \"https://app.example.com/a\", \"redirect_uris\": [\""
			REDIRECT_URI "\"], \"grant_types\": [\"client_credentials\"]}");
	assert_refused("https://app.example.com/a", "grant_types");
	serve("{\"client_id\": \"https://app.example.com/b\", \"redirect_uris\": [\""
			REDIRECT_URI "\"], \"grant_types\": [\"password\"]}");
	assert_refused("https://app.example.com/b", "grant_types");
	serve("{\"client_id\": \"https://app.example.com/c\", \"redirect_uris\": "
			"[\"http://client.example.com/cb\"]}");
	assert_refused("https://app.example.com/c", "redirect URI 0");
	serve("{\"client_id\": \"https://app.example.com/d\", \"redirect_uris\": [\""
			REDIRECT_URI "\"], \"scope\": \"read delete\"}");
	assert_refused("https://app.example.com/d", "scope");
	serve("{\"client_id\": \"https://app.example.com/e\", \"redirect_uris\": 7}");
	assert_refused("https://app.example.com/e", "redirect_uris");
}
END_TEST

START_TEST(a_document_must_be_a_bounded_json_object)
{
	static char big[PROAUTH2_CLIENT_DOCUMENT_MAX + 2];
	proauth2_client *c = NULL;
	char why[PROAUTH2_ERROR_TEXT_SIZE];
	size_t head;

	serve("not json");
	assert_refused("https://app.example.com/a", "not a JSON object");
	serve("[\"https://app.example.com/b\"]");
	assert_refused("https://app.example.com/b", "not a JSON object");
	serve("{\"client_id\": \"https://app.example.com/c\", \"client_id\": "
			"\"https://app.example.com/c\", \"redirect_uris\": [\"" REDIRECT_URI "\"]}");
	assert_refused("https://app.example.com/c", "not a JSON object");

	/* Exactly the limit, padded with spaces, is read. */
	serve_client(DOC_URL);
	head = strlen(served.body);
	memcpy(big, served.body, head - 1);
	memset(big + head - 1, ' ', PROAUTH2_CLIENT_DOCUMENT_MAX - head);
	big[PROAUTH2_CLIENT_DOCUMENT_MAX - 1] = '}';
	big[PROAUTH2_CLIENT_DOCUMENT_MAX] = '\0';
	serve(big);
	ck_assert_uint_eq(served.length, PROAUTH2_CLIENT_DOCUMENT_MAX);
	ck_assert_int_eq(get(DOC_URL, &c, why), PROAUTH2_OK);
	proauth2_client_free(c);
	/* A fetch that reports more than fits is no document. */
	serve_client("https://app.example.com/d");
	served.length = PROAUTH2_CLIENT_DOCUMENT_MAX + 1;
	assert_refused("https://app.example.com/d", "could not be fetched");
}
END_TEST

START_TEST(only_an_https_url_with_a_path_names_a_document)
{
	static const char *const bad[] = {
		"https://app.example.com", "https://app.example.com/",
		"https://app.example.com/?q", "https://app.example.com/a#frag",
		"https://user@app.example.com/a", "https://app.example.com/./a",
		"https://app.example.com/a/../b", "https://app.example.com/a/..",
		"https://app.example.com/a b", "https:///a",
		"https://app.example.com/%2e/a", "https://app.example.com/a/.%2E",
		"https://app.example.com/%2e%2e",
	};
	char longest[PROAUTH2_CLIENT_DOCUMENT_URL_MAX + 2];
	proauth2_client *c = NULL;
	char why[PROAUTH2_ERROR_TEXT_SIZE];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(get(bad[i], &c, why) == PROAUTH2_ERR_INVALID_CLIENT,
				"%s: %s", bad[i], why);
	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	memcpy(longest, "https://app.example.com/", 24);
	ck_assert_int_eq(get(longest, &c, why), PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_int_eq(served.calls, 0);
	/* An http URL is an ordinary (unknown) client_id. */
	ck_assert_int_eq(get("http://app.example.com/a", &c, why),
			PROAUTH2_ERR_NOT_FOUND);
	ck_assert_int_eq(served.calls, 0);
	/* One byte shorter is fetched. */
	longest[PROAUTH2_CLIENT_DOCUMENT_URL_MAX] = '\0';
	serve_client(longest);
	ck_assert_int_eq(get(longest, &c, why), PROAUTH2_OK);
	ck_assert_int_eq(served.calls, 1);
	proauth2_client_free(c);
}
END_TEST

/* How many fetches n lookups of url at the current clock make. */
static int fetches_for(const char *url, int n)
{
	proauth2_client *c = NULL;
	char why[PROAUTH2_ERROR_TEXT_SIZE];
	int before = served.calls;

	while (n-- > 0) {
		ck_assert_msg(get(url, &c, why) == PROAUTH2_OK, "%s", why);
		proauth2_client_free(c);
	}
	return served.calls - before;
}

START_TEST(the_cache_keeps_a_document_as_long_as_its_answer_says)
{
	/* No max-age: up to client_document_cache_max. */
	ck_assert_int_eq(fetches_for(DOC_URL, 3), 1);
	env.now += 3599;
	ck_assert_int_eq(fetches_for(DOC_URL, 2), 0);
	env.now += 1;
	ck_assert_int_eq(fetches_for(DOC_URL, 2), 1);

	/* max-age=60. */
	served.max_age = 60;
	serve_client("https://app.example.com/sixty");
	ck_assert_int_eq(fetches_for("https://app.example.com/sixty", 2), 1);
	env.now += 59;
	ck_assert_int_eq(fetches_for("https://app.example.com/sixty", 1), 0);
	env.now += 1;
	ck_assert_int_eq(fetches_for("https://app.example.com/sixty", 1), 1);

	/* A max-age beyond the cap is held to it. */
	served.max_age = 999999;
	serve_client("https://app.example.com/long");
	ck_assert_int_eq(fetches_for("https://app.example.com/long", 1), 1);
	env.now += 3600;
	ck_assert_int_eq(fetches_for("https://app.example.com/long", 1), 1);

	/* no-store: every use fetches. */
	served.max_age = 0;
	serve_client("https://app.example.com/nostore");
	ck_assert_int_eq(fetches_for("https://app.example.com/nostore", 3), 3);
}
END_TEST

START_TEST(a_cache_max_of_zero_fetches_for_every_use)
{
	cache_max = 0;
	env_reconfigure(with_documents);
	ck_assert_int_eq(fetches_for(DOC_URL, 3), 3);
}
END_TEST

START_TEST(a_failed_document_is_not_fetched_again_for_a_while)
{
	proauth2_client *c = NULL;
	char why[PROAUTH2_ERROR_TEXT_SIZE];

	served.fail = 1;
	assert_refused(DOC_URL, "could not be fetched");
	assert_refused(DOC_URL, "could not be fetched");
	ck_assert_int_eq(served.calls, 1);
	served.fail = 0;
	env.now += 9;
	assert_refused(DOC_URL, "could not be fetched");
	ck_assert_int_eq(served.calls, 1);
	env.now += 1;
	ck_assert_int_eq(get(DOC_URL, &c, why), PROAUTH2_OK);
	ck_assert_int_eq(served.calls, 2);
	proauth2_client_free(c);
}
END_TEST

START_TEST(the_cache_is_bounded_and_drops_the_first_to_expire)
{
	char url[64];
	int i;

	for (i = 0; i <= 1024; i++) {
		snprintf(url, sizeof(url), "https://app.example.com/c/%d", i);
		serve_client(url);
		ck_assert_int_eq(fetches_for(url, 1), 1);
		env.now += i == 0 ? 1 : 0;  /* the first expires first */
	}
	/* The 1025th took the first's place; the others stayed. */
	for (i = 1; i <= 1024; i += 511) {
		snprintf(url, sizeof(url), "https://app.example.com/c/%d", i);
		serve_client(url);
		ck_assert_int_eq(fetches_for(url, 1), 0);
	}
	serve_client("https://app.example.com/c/0");
	ck_assert_int_eq(fetches_for("https://app.example.com/c/0", 1), 1);
}
END_TEST

START_TEST(a_document_client_cannot_be_managed_as_a_stored_one)
{
	proauth2_client_params params;
	proauth2_client *c = NULL;
	proauth2_error err = {0};
	char why[PROAUTH2_ERROR_TEXT_SIZE];

	ck_assert_int_eq(get(DOC_URL, &c, why), PROAUTH2_OK);
	proauth2_client_free(c);
	ck_assert_int_eq(proauth2_client_delete(env.provider, DOC_URL, &err),
			PROAUTH2_ERR_NOT_FOUND);
	proauth2_client_params_init(&params);
	params.type = PROAUTH2_CLIENT_PUBLIC;
	params.client_id = DOC_URL;
	params.redirect_uris = (const char *[]){REDIRECT_URI};
	params.n_redirect_uris = 1;
	ck_assert_int_eq(proauth2_client_register(env.provider, &params, &c, &err),
			PROAUTH2_ERR_INVALID_REQUEST);
}
END_TEST

static void cache_max_is(proauth2_config *cfg)
{
	cfg->client_document_cache_max = cache_max;
}

START_TEST(the_cache_max_is_bounded)
{
	proauth2_config cfg;
	proauth2_provider *p = NULL;
	proauth2_error err = {0};

	proauth2_config_init(&cfg);
	ck_assert_int_eq(cfg.client_document_cache_max, 3600);
	ck_assert_ptr_null(cfg.client_document_fetch);
	cfg.issuer = "https://as.example.com";
	cfg.datastore = env.ds;
	cache_max_is(&cfg);
	cfg.client_document_cache_max = -1;
	ck_assert_int_eq(proauth2_provider_new(&cfg, &p, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert(strstr(err.text, "client_document_cache_max") != NULL);
	cfg.client_document_cache_max = PROAUTH2_CLIENT_DOCUMENT_CACHE_MAX + 1;
	ck_assert_int_eq(proauth2_provider_new(&cfg, &p, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	cfg.client_document_cache_max = PROAUTH2_CLIENT_DOCUMENT_CACHE_MAX;
	ck_assert_int_eq(proauth2_provider_new(&cfg, &p, &err), PROAUTH2_OK);
	proauth2_provider_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("client_document");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_document_describes_a_public_client);
	tcase_add_test(tc, the_code_flow_and_refresh_work_for_it);
	tcase_add_test(tc, over_http_the_authorization_and_token_endpoints_take_it);
	tcase_add_test(tc, metadata_says_documents_are_supported);
	tcase_add_test(tc, without_a_fetch_an_https_client_id_is_unknown);
	tcase_add_test(tc, the_client_id_must_be_the_documents_url);
	tcase_add_test(tc, a_document_client_has_no_secret);
	tcase_add_test(tc, its_metadata_is_held_to_a_registrations_rules);
	tcase_add_test(tc, a_document_must_be_a_bounded_json_object);
	tcase_add_test(tc, only_an_https_url_with_a_path_names_a_document);
	tcase_add_test(tc, the_cache_keeps_a_document_as_long_as_its_answer_says);
	tcase_add_test(tc, a_cache_max_of_zero_fetches_for_every_use);
	tcase_add_test(tc, a_failed_document_is_not_fetched_again_for_a_while);
	tcase_add_test(tc, the_cache_is_bounded_and_drops_the_first_to_expire);
	tcase_add_test(tc, a_document_client_cannot_be_managed_as_a_stored_one);
	tcase_add_test(tc, the_cache_max_is_bounded);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
