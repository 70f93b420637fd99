/* The issuer and the endpoint URLs: which the provider accepts, what the
 * metadata advertises, and that proauth2_http_handle routes every
 * advertised URL by its path. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_support.h"

#define WELL_KNOWN "/.well-known/oauth-authorization-server"

/* The config of the provider under test, applied by tweak(). */
static struct urls {
	const char *issuer;
	const char *base;
	const char *token;      /* token_endpoint override */
	const char *reg;        /* registration_endpoint override */
	bool registration;
} want;

static void tweak(proauth2_config *cfg)
{
	cfg->issuer = want.issuer;
	cfg->endpoint_base = want.base;
	cfg->token_endpoint = want.token;
	cfg->registration_endpoint = want.reg;
	cfg->enable_registration = want.registration;
}

/* proauth2_provider_new on env.ds with cfg; the provider is freed. */
static proauth2_status try_config(const proauth2_config *cfg, proauth2_error *err)
{
	proauth2_provider *p = (proauth2_provider *)&p;
	proauth2_status status = proauth2_provider_new(cfg, &p, err);

	if (status != PROAUTH2_OK)
		ck_assert_ptr_null(p);
	proauth2_provider_free(p);
	return status;
}

static proauth2_status try_issuer(const char *issuer, proauth2_error *err)
{
	proauth2_config cfg;

	proauth2_config_init(&cfg);
	cfg.datastore = env.ds;
	cfg.issuer = issuer;
	return try_config(&cfg, err);
}

START_TEST(a_missing_issuer_is_refused_when_the_provider_is_created)
{
	proauth2_error err = {0};

	/* Before: created, then GET metadata answered 500 "the provider has
	 * no issuer", reported as a datastore error. */
	ck_assert_int_eq(try_issuer(NULL, &err), PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_msg(strstr(err.text, "config.issuer is required") != NULL,
			"%s", err.text);
}
END_TEST

START_TEST(issuers_that_are_no_https_url_are_refused)
{
	static const char *const refused[] = {
		"", "auth.example.com", "/tenant", "//auth.example.com",
		"ftp://auth.example.com", "https://", "https:///path",
		"https://auth.example.com?tenant=1", "https://auth.example.com/?",
		"https://auth.example.com#top", "https://auth.example.com/#",
		"http://auth.example.com", "http://127.0.0.2:8080", "http://localhost.evil",
		"https://user@auth.example.com", "https://user:pw@auth.example.com",
		"https://auth.example.com:0", "https://auth.example.com:65536",
		"https://auth.example.com:", "https://auth.example.com:8x",
		"https://[::1", "https://[]", "https://auth.example.com/a//b",
		"https://auth.example.com//", "https://auth.example.com/./a",
		"https://auth.example.com/a/..", "https://auth.example.com/a b",
		"https://auth.example.com/\x7f", "https://auth.example.com/\xc3\xa9",
		"https://auth.example.com/%zz", "https://auth.example.com/<x>",
	};
	char longest[PROAUTH2_URL_MAX_LENGTH + 2];
	proauth2_error err = {0};
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		memset(&err, 0, sizeof(err));
		ck_assert_msg(try_issuer(refused[i], &err) == PROAUTH2_ERR_INVALID_ARGUMENT,
				"accepted issuer '%s'", refused[i]);
		ck_assert_msg(strncmp(err.text, "config.issuer '", 15) == 0, "%s",
				err.text);
	}
	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	memcpy(longest, "https://h/", 10);
	ck_assert_int_eq(try_issuer(longest, &err), PROAUTH2_ERR_INVALID_ARGUMENT);
	longest[PROAUTH2_URL_MAX_LENGTH] = '\0';
	ck_assert_int_eq(try_issuer(longest, &err), PROAUTH2_OK);
}
END_TEST

START_TEST(https_loopback_http_trailing_slash_and_paths_are_accepted)
{
	static const char *const accepted[] = {
		"https://auth.example.com", "https://auth.example.com/",
		"https://auth.example.com/tenant", "https://auth.example.com/a/b/",
		"https://auth.example.com:8443/t%C3%A9", "HTTPS://Auth.Example.COM",
		"https://[2001:db8::1]:443", "http://127.0.0.1", "http://127.0.0.1:8080/",
		"http://[::1]:8080/tenant", "http://localhost:3000", "http://LOCALHOST",
	};
	proauth2_error err = {0};
	size_t i;

	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
		ck_assert_msg(try_issuer(accepted[i], &err) == PROAUTH2_OK,
				"refused issuer '%s': %s", accepted[i], err.text);
}
END_TEST

START_TEST(endpoint_urls_are_checked_as_the_issuer_is)
{
	proauth2_config cfg;
	proauth2_error err = {0};

	proauth2_config_init(&cfg);
	cfg.datastore = env.ds;
	cfg.issuer = "https://auth.example.com";
	cfg.endpoint_base = "http://auth.example.com/oauth";
	ck_assert_int_eq(try_config(&cfg, &err), PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_msg(strstr(err.text, "config.endpoint_base") != NULL, "%s", err.text);
	cfg.endpoint_base = "https://auth.example.com/oauth";
	cfg.introspection_endpoint = "https://auth.example.com/i?x";
	ck_assert_int_eq(try_config(&cfg, &err), PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_msg(strstr(err.text, "config.introspection_endpoint") != NULL,
			"%s", err.text);
	/* Two endpoints on one path could not both be routed. */
	cfg.introspection_endpoint = "https://other.example.com/oauth/token";
	ck_assert_int_eq(try_config(&cfg, &err), PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_msg(strstr(err.text, "/oauth/token") != NULL, "%s", err.text);
	/* A path a client may send decoded is not the path routed. */
	cfg.introspection_endpoint = "https://other.example.com/oauth%2Fcheck";
	ck_assert_int_eq(try_config(&cfg, &err), PROAUTH2_ERR_INVALID_ARGUMENT);
	cfg.introspection_endpoint = "https://other.example.com/%2e%2e/check";
	ck_assert_int_eq(try_config(&cfg, &err), PROAUTH2_ERR_INVALID_ARGUMENT);
	cfg.introspection_endpoint = "https://other.example.com/check";
	ck_assert_int_eq(try_config(&cfg, &err), PROAUTH2_OK);
}
END_TEST

START_TEST(a_caller_compiled_before_the_endpoint_urls_gets_the_defaults)
{
	proauth2_config cfg;
	proauth2_provider *p = NULL;

	proauth2_config_init_sized(&cfg, offsetof(proauth2_config, endpoint_base));
	cfg.datastore = env.ds;
	cfg.issuer = "https://auth.example.com/";
	ck_assert_int_eq(proauth2_provider_new(&cfg, &p, NULL), PROAUTH2_OK);
	ck_assert_str_eq(proauth2_provider_endpoint(p, PROAUTH2_ENDPOINT_TOKEN),
			"https://auth.example.com/token");
	ck_assert_str_eq(proauth2_provider_endpoint(p, PROAUTH2_ENDPOINT_METADATA),
			"https://auth.example.com" WELL_KNOWN);
	ck_assert_str_eq(proauth2_provider_endpoint_path(p, PROAUTH2_ENDPOINT_TOKEN),
			"/token");
	ck_assert_ptr_null(proauth2_provider_endpoint(p, (proauth2_endpoint)99));
	ck_assert_ptr_null(proauth2_provider_endpoint_path(p, (proauth2_endpoint)-1));
	proauth2_provider_free(p);
}
END_TEST

/* GET path as JSON (new reference), expecting 200. */
static json_t *get_json(const char *path)
{
	proauth2_http_response *r = http("GET", path, NULL, NULL, NULL);
	json_t *doc;

	ck_assert_msg(r->status == 200, "GET %s: %d %s", path, r->status, r->body);
	doc = body_json(r);
	proauth2_http_response_free(r);
	return doc;
}

static const char *member(const json_t *doc, const char *name)
{
	const char *v = json_string_value(json_object_get(doc, name));

	ck_assert_msg(v != NULL, "no %s", name);
	return v;
}

/* The path of an absolute URL (valid), "/" when it has none. */
static const char *path_of(const char *url)
{
	const char *s = strstr(url, "://") + 3;

	s += strcspn(s, "/");
	return *s != '\0' ? s : "/";
}

/* A POST to url's path reaches an endpoint: anything but 404. */
static void assert_routed(const char *url)
{
	proauth2_http_response *r = post_form(path_of(url), "", NULL);

	ck_assert_msg(r->status != 404, "POST %s: 404", path_of(url));
	proauth2_http_response_free(r);
}

/* What the metadata of a provider configured as want must say. */
struct expected {
	const char *metadata_path;
	const char *authorize, *token, *revoke, *introspect, *reg;
};

/* Reopen the provider as want says and check its metadata and routes. */
static void check_urls(const struct expected *e)
{
	proauth2_client *c;
	json_t *doc;

	want.registration = true;
	env_reconfigure(tweak);
	ck_assert_str_eq(proauth2_provider_endpoint_path(env.provider,
			PROAUTH2_ENDPOINT_METADATA), e->metadata_path);
	doc = get_json(e->metadata_path);
	/* As configured, byte for byte (RFC 8414 §3.3, RFC 9207). */
	ck_assert_str_eq(member(doc, "issuer"), want.issuer);
	ck_assert_str_eq(member(doc, "authorization_endpoint"), e->authorize);
	ck_assert_str_eq(member(doc, "token_endpoint"), e->token);
	ck_assert_str_eq(member(doc, "revocation_endpoint"), e->revoke);
	ck_assert_str_eq(member(doc, "introspection_endpoint"), e->introspect);
	ck_assert_str_eq(member(doc, "registration_endpoint"), e->reg);
	assert_routed(e->token);
	assert_routed(e->revoke);
	assert_routed(e->introspect);
	assert_routed(e->reg);
	json_decref(doc);
	/* The token endpoint issues a token where it is advertised. */
	c = register_client(PROAUTH2_CLIENT_CONFIDENTIAL,
			PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	{
		proauth2_http_response *r = post_form(path_of(e->token),
				"grant_type=client_credentials",
				basic(c->client_id, c->client_secret));

		ck_assert_msg(r->status == 200, "%s", r->body);
		proauth2_http_response_free(r);
	}
	proauth2_client_free(c);
}

START_TEST(a_trailing_slash_issuer_gives_single_slash_endpoints)
{
	static const struct expected e = {
		WELL_KNOWN,
		"http://127.0.0.1:8080/authorize", "http://127.0.0.1:8080/token",
		"http://127.0.0.1:8080/revoke", "http://127.0.0.1:8080/introspect",
		"http://127.0.0.1:8080/register",
	};

	/* Before: "http://127.0.0.1:8080//token", and POST //token was 404. */
	want = (struct urls){.issuer = "http://127.0.0.1:8080/"};
	check_urls(&e);
}
END_TEST

START_TEST(an_issuer_with_a_path_has_its_metadata_at_the_rfc_8414_place)
{
	static const struct expected e = {
		WELL_KNOWN "/tenant",
		"https://auth.example.com/tenant/authorize",
		"https://auth.example.com/tenant/token",
		"https://auth.example.com/tenant/revoke",
		"https://auth.example.com/tenant/introspect",
		"https://auth.example.com/tenant/register",
	};
	json_t *doc;

	/* Before: GET /.well-known/oauth-authorization-server/tenant and
	 * POST /tenant/token were 404. */
	want = (struct urls){.issuer = "https://auth.example.com/tenant"};
	check_urls(&e);
	/* Also where OpenID Connect Discovery looks, which clients try. */
	doc = get_json("/tenant" WELL_KNOWN);
	ck_assert_str_eq(member(doc, "issuer"), "https://auth.example.com/tenant");
	json_decref(doc);
	assert_error(http("GET", WELL_KNOWN, NULL, NULL, NULL), 404, "not_found");
	assert_error(post_form("/token", "", NULL), 404, "not_found");
	/* A trailing slash changes the issuer, not where things are. */
	want.issuer = "https://auth.example.com/tenant/";
	check_urls(&e);
}
END_TEST

START_TEST(an_endpoint_base_moves_every_endpoint_and_its_routes)
{
	static const struct expected e = {
		WELL_KNOWN,
		"https://auth.example.com/oauth/authorize",
		"https://auth.example.com/oauth/token",
		"https://auth.example.com/oauth/revoke",
		"https://auth.example.com/oauth/introspect",
		"https://auth.example.com/oauth/register",
	};
	proauth2_http_response *r;
	json_t *doc;
	const char *uri;
	char auth[128];

	/* Before: no way to say so; POST /oauth/token was 404. */
	want = (struct urls){.issuer = "https://auth.example.com",
		.base = "https://auth.example.com/oauth/"};
	check_urls(&e);
	assert_error(post_form("/token", "", NULL), 404, "not_found");
	/* RFC 7592's configuration endpoint follows the registration's. */
	r = http("POST", "/oauth/register", "application/json",
			"{\"redirect_uris\":[\"https://app.example.com/cb\"],"
			"\"grant_types\":[\"client_credentials\"],\"scope\":\"read\"}", NULL);
	ck_assert_msg(r->status == 201, "%s", r->body);
	doc = body_json(r);
	proauth2_http_response_free(r);
	uri = member(doc, "registration_client_uri");
	ck_assert_int_eq(strncmp(uri, "https://auth.example.com/oauth/register/", 40), 0);
	snprintf(auth, sizeof(auth), "Bearer %s",
			member(doc, "registration_access_token"));
	r = http("GET", path_of(uri), NULL, NULL, auth);
	ck_assert_msg(r->status == 200, "%s", r->body);
	proauth2_http_response_free(r);
	json_decref(doc);
}
END_TEST

START_TEST(a_per_endpoint_override_is_advertised_and_routed)
{
	static const struct expected e = {
		WELL_KNOWN "/t",
		"https://auth.example.com/t/authorize",
		"https://tokens.example.com/issue/token",
		"https://auth.example.com/t/revoke",
		"https://auth.example.com/t/introspect",
		"https://auth.example.com/t/register",
	};

	want = (struct urls){.issuer = "https://auth.example.com/t",
		.token = "https://tokens.example.com/issue/token"};
	check_urls(&e);
	assert_error(post_form("/t/token", "", NULL), 404, "not_found");
}
END_TEST

/* Registration at the endpoints' base itself: its clients' paths
 * (/oauth/<id>) must not take the other endpoints', and an override's
 * trailing slash goes as the base's does. */
START_TEST(registration_at_the_base_leaves_the_other_endpoints_alone)
{
	proauth2_http_response *r;
	json_t *doc;
	const char *uri;

	want = (struct urls){.issuer = "https://auth.example.com",
		.base = "https://auth.example.com/oauth",
		.reg = "https://auth.example.com/oauth/", .registration = true};
	env_reconfigure(tweak);
	/* The token endpoint's answer; before: registration's 401
	 * invalid_token "invalid registration access token". */
	assert_error(post_form("/oauth/token", "grant_type=client_credentials", NULL),
			401, "invalid_client");
	r = http("POST", "/oauth", "application/json",
			"{\"redirect_uris\":[\"https://app.example.com/cb\"],"
			"\"grant_types\":[\"client_credentials\"],\"scope\":\"read\"}", NULL);
	ck_assert_msg(r->status == 201, "%s", r->body);
	doc = body_json(r);
	proauth2_http_response_free(r);
	uri = member(doc, "registration_client_uri");
	/* Before: https://auth.example.com/oauth//<id>. */
	ck_assert_msg(strncmp(uri, "https://auth.example.com/oauth/", 31) == 0 &&
			uri[31] != '/', "%s", uri);
	json_decref(doc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("http_urls");
	TCase *tc = tcase_create("urls");

	tcase_add_checked_fixture(tc, env_setup, env_teardown);
	tcase_add_test(tc, a_missing_issuer_is_refused_when_the_provider_is_created);
	tcase_add_test(tc, issuers_that_are_no_https_url_are_refused);
	tcase_add_test(tc, https_loopback_http_trailing_slash_and_paths_are_accepted);
	tcase_add_test(tc, endpoint_urls_are_checked_as_the_issuer_is);
	tcase_add_test(tc, a_caller_compiled_before_the_endpoint_urls_gets_the_defaults);
	tcase_add_test(tc, a_trailing_slash_issuer_gives_single_slash_endpoints);
	tcase_add_test(tc, an_issuer_with_a_path_has_its_metadata_at_the_rfc_8414_place);
	tcase_add_test(tc, an_endpoint_base_moves_every_endpoint_and_its_routes);
	tcase_add_test(tc, a_per_endpoint_override_is_advertised_and_routed);
	tcase_add_test(tc, registration_at_the_base_leaves_the_other_endpoints_alone);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? 0 : 1;
}
