/*
 * Pairwise subject identifiers (OpenID Connect Core §8.1): one sub per
 * sector for a user, in the id_tokens (refreshed too), at UserInfo and in
 * logout tokens; public clients keep the user id; the sector read from
 * the redirect URIs' one host or from a sector_identifier_uri the host's
 * fetch brings, whose list must hold every redirect URI; registration
 * refusing what breaks those rules; the discovery document saying so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_support.h"
#include "jws_support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define CODE_AND_REFRESH (PROAUTH2_GRANT_AUTHORIZATION_CODE | \
		PROAUTH2_GRANT_REFRESH_TOKEN)
#define SECTOR_URI "https://sector.example/uris"
#define LOGOUT_URI "https://client.example.com/bc"
/* Client ID Metadata Documents of pairwise clients redirecting to
 * REDIRECT_URI: one on its host, one elsewhere. */
#define GOOD_DOCUMENT "https://client.example.com/app.json"
#define MOVED_DOCUMENT "https://app.example/app.json"
#define DOCUMENT(url) "{\"client_id\": \"" url "\", \"redirect_uris\": [\"" \
	REDIRECT_URI "\"], \"token_endpoint_auth_method\": \"none\", " \
	"\"subject_type\": \"pairwise\"}"

static const unsigned char kek[PROAUTH2_KEK_SIZE] = "0123456789abcdef0123456789abcde";
static const unsigned char pairwise_key[PROAUTH2_KEK_SIZE] = "pairwise-subject-key-0123456789a";
static const unsigned char other_key[PROAUTH2_KEK_SIZE] = "another-pairwise-key-0123456789a";
static char *delivered;  /* the last logout token */
static int fetches;

/* The sector documents the host's fetch brings. */
static int fetch(void *arg, const char *url, char *body, size_t body_max,
		size_t *body_len, int64_t *max_age)
{
	const char *doc = strcmp(url, SECTOR_URI) == 0 ?
		"[\"https://elsewhere.example/cb\", \"" REDIRECT_URI "\", "
		"\"com.example.app:/cb\", \"http://127.0.0.1/cb\"]" :
		strcmp(url, GOOD_DOCUMENT) == 0 ? DOCUMENT(GOOD_DOCUMENT) :
		strcmp(url, MOVED_DOCUMENT) == 0 ? DOCUMENT(MOVED_DOCUMENT) :
		strcmp(url, "https://sector.example/missing") == 0 ?
		"[\"https://elsewhere.example/cb\"]" :
		strcmp(url, "https://sector.example/object") == 0 ?
		"{\"redirect_uris\": [\"" REDIRECT_URI "\"]}" : NULL;

	(void)arg;
	fetches++;
	if (doc == NULL || strlen(doc) > body_max)
		return 1;
	memcpy(body, doc, strlen(doc));
	*body_len = strlen(doc);
	*max_age = -1;
	return 0;
}

static int deliver(void *arg, const char *client_id, const char *uri,
		const char *logout_token)
{
	(void)arg;
	(void)client_id;
	(void)uri;
	free(delivered);
	delivered = strdup(logout_token);
	return 0;
}

static void pairwise_config(proauth2_config *cfg)
{
	cfg->openid = true;
	cfg->key_encryption_key = kek;
	cfg->pairwise_subject_key = pairwise_key;
	cfg->client_document_fetch = fetch;
	cfg->backchannel_logout = deliver;
	cfg->enable_registration = true;
}

static void public_only_config(proauth2_config *cfg)
{
	pairwise_config(cfg);
	cfg->pairwise_subject_key = NULL;
}

static void other_key_config(proauth2_config *cfg)
{
	pairwise_config(cfg);
	cfg->pairwise_subject_key = other_key;
}

static void setup(void)
{
	env_setup();
	env_reconfigure(pairwise_config);
	fetches = 0;
}

static void teardown(void)
{
	free(delivered);
	delivered = NULL;
	env_teardown();
}

/* What registering a code-flow client of pairwise subjects with these
 * redirect URIs and sector_identifier_uri (NULL: none) says; *out the
 * client (NULL to free it). */
static proauth2_status register_pairwise(const char *const *uris, size_t n,
		const char *sector_uri, proauth2_client **out)
{
	proauth2_client_params params;
	proauth2_client *c = NULL;
	proauth2_error err = {0};
	proauth2_status status;

	proauth2_client_params_init(&params);
	params.type = CONF;
	params.redirect_uris = uris;
	params.n_redirect_uris = n;
	params.grant_types = CODE_AND_REFRESH;
	params.scope = "openid";
	params.pairwise_subject = true;
	params.sector_identifier_uri = sector_uri;
	params.backchannel_logout_uri = LOGOUT_URI;
	status = proauth2_client_register(env.provider, &params, &c, &err);
	if (status == PROAUTH2_ERR_INVALID_REQUEST)
		ck_assert_msg(strstr(err.text, "pairwise") != NULL, "%s", err.text);
	if (out != NULL)
		*out = c;
	else
		proauth2_client_free(c);
	return status;
}

static proauth2_client *pairwise_client(const char *sector_uri)
{
	static const char *const uris[] = {REDIRECT_URI};
	proauth2_client *c = NULL;

	ck_assert_int_eq(register_pairwise(uris, 1, sector_uri, &c), PROAUTH2_OK);
	ck_assert(c->pairwise_subject);
	return c;
}

/* The tokens of an openid code of c for USER, in session "s-1", for
 * resource (NULL: none). */
static proauth2_token_response *tokens_for(const proauth2_client *c,
		const char *resource)
{
	proauth2_code_request req;
	proauth2_token_response *t;
	char *code = NULL;

	proauth2_code_request_init(&req);
	req.client_id = c->client_id;
	req.user_id = USER;
	req.redirect_uri = REDIRECT_URI;
	req.scope = "openid";
	req.code_challenge = RFC7636_CHALLENGE;
	req.session_id = "s-1";
	req.resource = resource;
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL),
			PROAUTH2_OK);
	t = exchange_code(c, code, 1);
	proauth2_secret_free(code);
	return t;
}

static proauth2_token_response *tokens_of(const proauth2_client *c)
{
	return tokens_for(c, NULL);
}

/* The sub of t's id_token (free()). */
static char *id_token_sub(const proauth2_token_response *t)
{
	json_t *claims = jws_part(t->id_token, 1);
	char *sub = strdup(member(claims, "sub"));

	ck_assert(signature_verifies(t->id_token));
	json_decref(claims);
	return sub;
}

static char *userinfo_sub(const char *access_token)
{
	char auth[512];
	proauth2_http_response *r;
	json_t *doc;
	char *sub;

	snprintf(auth, sizeof(auth), "Bearer %s", access_token);
	r = http("GET", "/userinfo", NULL, NULL, auth);
	ck_assert_int_eq(r->status, 200);
	doc = body_json(r);
	sub = strdup(member(doc, "sub"));
	json_decref(doc);
	proauth2_http_response_free(r);
	return sub;
}

/* Everything says c knows USER by the sub of its first id_token:
 * UserInfo, a refresh's id_token, proauth2_client_subject(). */
static char *sub_everywhere(const proauth2_client *c)
{
	proauth2_token_response *t = tokens_of(c), *r = NULL;
	char *sub = id_token_sub(t), *other, *said = NULL;

	other = userinfo_sub(t->access_token);
	ck_assert_str_eq(other, sub);
	free(other);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, NULL, &r), PROAUTH2_OK);
	other = id_token_sub(r);
	ck_assert_str_eq(other, sub);
	free(other);
	ck_assert_int_eq(proauth2_client_subject(env.provider, c->client_id, USER,
			&said, NULL), PROAUTH2_OK);
	ck_assert_str_eq(said, sub);
	free(said);
	proauth2_token_response_free(r);
	proauth2_token_response_free(t);
	return sub;
}

START_TEST(one_sub_per_sector)
{
	proauth2_client *a = pairwise_client(NULL), *b = pairwise_client(NULL);
	proauth2_client *c = pairwise_client(SECTOR_URI);
	proauth2_client *d = register_client(CONF, CODE_AND_REFRESH, "openid");
	char *sub_a = sub_everywhere(a), *sub_b = sub_everywhere(b);
	char *sub_c = sub_everywhere(c), *sub_d = sub_everywhere(d);

	/* a and b share client.example.com, c is of sector.example. */
	ck_assert_str_eq(sub_a, sub_b);
	ck_assert_str_ne(sub_a, sub_c);
	ck_assert_str_ne(sub_a, USER);
	ck_assert_str_ne(sub_c, USER);
	ck_assert_uint_eq(strlen(sub_a), 43);  /* an HMAC-SHA-256, base64url */
	/* A public client knows the user id itself. */
	ck_assert_str_eq(sub_d, USER);
	ck_assert_str_eq(c->sector_identifier_uri, SECTOR_URI);
	ck_assert(!d->pairwise_subject);
	free(sub_a);
	free(sub_b);
	free(sub_c);
	free(sub_d);
	proauth2_client_free(a);
	proauth2_client_free(b);
	proauth2_client_free(c);
	proauth2_client_free(d);
}
END_TEST

/* The same key, in a provider made again (another process), the same
 * subs; another key, others; no key, no sub at all: never the user id. */
START_TEST(the_key_makes_the_subs)
{
	proauth2_client *a = pairwise_client(NULL);
	proauth2_token_response *t;
	char *before = NULL, *again = NULL, *code;

	ck_assert_int_eq(proauth2_client_subject(env.provider, a->client_id, USER,
			&before, NULL), PROAUTH2_OK);
	env_reconfigure(pairwise_config);
	ck_assert_int_eq(proauth2_client_subject(env.provider, a->client_id, USER,
			&again, NULL), PROAUTH2_OK);
	ck_assert_str_eq(before, again);
	free(again);
	env_reconfigure(other_key_config);
	ck_assert_int_eq(proauth2_client_subject(env.provider, a->client_id, USER,
			&again, NULL), PROAUTH2_OK);
	ck_assert_str_ne(before, again);
	ck_assert_str_ne(again, USER);
	free(again);
	env_reconfigure(public_only_config);
	ck_assert_int_eq(proauth2_client_subject(env.provider, a->client_id, USER,
			&again, NULL), PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(again);
	code = issue_code(a, "openid", 1);
	{
		proauth2_code_exchange req = {
			.struct_size = sizeof(req),
			.client_id = a->client_id,
			.client_secret = a->client_secret,
			.code = code,
			.redirect_uri = REDIRECT_URI,
			.code_verifier = RFC7636_VERIFIER,
		};

		t = NULL;
		ck_assert_int_eq(proauth2_token_exchange_code(env.provider, &req, &t,
				NULL), PROAUTH2_ERR_INVALID_ARGUMENT);
		ck_assert_ptr_null(t);
	}
	proauth2_secret_free(code);
	env_reconfigure(pairwise_config);
	ck_assert_int_eq(proauth2_client_subject(env.provider, a->client_id, "bob",
			&again, NULL), PROAUTH2_OK);
	ck_assert_str_ne(before, again);
	free(again);
	ck_assert_int_eq(proauth2_client_subject(env.provider, "nobody", USER,
			&again, NULL), PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_ptr_null(again);
	free(before);
	proauth2_client_free(a);
}
END_TEST

START_TEST(logout_tokens_and_hints_speak_the_clients_sub)
{
	proauth2_client *a = pairwise_client(NULL);
	proauth2_token_response *t = tokens_of(a);
	char *sub = id_token_sub(t);
	const char *names[] = {"client_id", "redirect_uri", "response_type",
		"scope", "code_challenge", "code_challenge_method", "id_token_hint"};
	const char *values[] = {a->client_id, REDIRECT_URI, "code", "openid",
		RFC7636_CHALLENGE, "S256", t->id_token};
	proauth2_authorization *req = NULL;
	size_t notified = 0, undelivered = 0;
	json_t *claims;

	/* The hint names the user as the client knows them. */
	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values,
			7, &req, NULL), PROAUTH2_OK);
	ck_assert_str_eq(proauth2_authorization_hint_subject(req), sub);
	proauth2_authorization_free(req);
	ck_assert_int_eq(proauth2_logout(env.provider, USER, "s-1", &notified,
			&undelivered, NULL), PROAUTH2_OK);
	ck_assert_uint_eq(notified, 1);
	claims = jws_part(delivered, 1);
	ck_assert_str_eq(member(claims, "sub"), sub);
	ck_assert_str_eq(member(claims, "sid"), "s-1");
	json_decref(claims);
	free(sub);
	proauth2_token_response_free(t);
	proauth2_client_free(a);
}
END_TEST

START_TEST(registration_checks_the_sector)
{
	static const char *const two_hosts[] = {REDIRECT_URI,
		"https://elsewhere.example/cb"};
	static const char *const native[] = {"com.example.app:/cb"};
	proauth2_client_params params;
	proauth2_error err = {0};
	proauth2_client *c = NULL;

	/* Redirect URIs on two hosts, or none: the sector must be named. */
	ck_assert_int_eq(register_pairwise(two_hosts, 2, NULL, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(register_pairwise(native, 1, NULL, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	/* Any app may claim a private scheme or loopback: no sector there. */
	{
		static const char *const claims_host[] = {
			"com.evil.app://client.example.com/cb"};
		static const char *const hidden[] = {
			"com.evil.app:/cb?x=https://client.example.com/"};
		static const char *const loopback[] = {"http://127.0.0.1/cb"};
		static const char *const user_info[] = {
			"https://evil.example@client.example.com/cb"};

		ck_assert_int_eq(register_pairwise(claims_host, 1, NULL, NULL),
				PROAUTH2_ERR_INVALID_REQUEST);
		ck_assert_int_eq(register_pairwise(hidden, 1, NULL, NULL),
				PROAUTH2_ERR_INVALID_REQUEST);
		ck_assert_int_ne(register_pairwise(loopback, 1, NULL, NULL),
				PROAUTH2_OK);
		ck_assert_int_ne(register_pairwise(user_info, 1, NULL, NULL),
				PROAUTH2_OK);
	}
	/* The document lists both. */
	ck_assert_int_eq(register_pairwise(two_hosts, 2, SECTOR_URI, NULL),
			PROAUTH2_OK);
	/* The document lists an app's private scheme and loopback too: a
	 * client claiming those shares no sector with the web client. */
	{
		static const char *const loopback[] = {"http://127.0.0.1/cb"};

		ck_assert_int_eq(register_pairwise(native, 1, SECTOR_URI, NULL),
				PROAUTH2_ERR_INVALID_REQUEST);
		ck_assert_int_ne(register_pairwise(loopback, 1, SECTOR_URI, NULL),
				PROAUTH2_OK);
	}
	ck_assert_int_eq(register_pairwise(two_hosts, 1,
			"https://sector.example/missing", NULL), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(register_pairwise(two_hosts, 1,
			"https://sector.example/object", NULL), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(register_pairwise(two_hosts, 1,
			"https://sector.example/gone", NULL), PROAUTH2_ERR_INVALID_REQUEST);
	fetches = 0;
	ck_assert_int_eq(register_pairwise(two_hosts, 1,
			"http://sector.example/uris", NULL), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(register_pairwise(two_hosts, 1,
			SECTOR_URI "#f", NULL), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(register_pairwise(two_hosts, 1,
			"https://evil.example\\@sector.example/uris", NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(fetches, 0);  /* refused before any fetch */
	/* Public subjects leave a sector_identifier_uri unread. */
	proauth2_client_params_init(&params);
	params.type = CONF;
	params.redirect_uris = two_hosts;
	params.n_redirect_uris = 1;
	params.sector_identifier_uri = "https://sector.example/gone";
	ck_assert_int_eq(proauth2_client_register(env.provider, &params, &c, &err),
			PROAUTH2_OK);
	ck_assert(!c->pairwise_subject);
	ck_assert_ptr_null(c->sector_identifier_uri);
	ck_assert_int_eq(fetches, 0);
	proauth2_client_free(c);
	/* A rotated secret keeps the sector, without a fetch. */
	c = pairwise_client(SECTOR_URI);
	fetches = 0;
	{
		proauth2_client *rotated = NULL;
		char *before = NULL, *after = NULL;

		ck_assert_int_eq(proauth2_client_subject(env.provider, c->client_id,
				USER, &before, NULL), PROAUTH2_OK);
		ck_assert_int_eq(proauth2_client_rotate_secret(env.provider,
				c->client_id, &rotated, NULL), PROAUTH2_OK);
		ck_assert_int_eq(fetches, 0);
		ck_assert(rotated->pairwise_subject);
		ck_assert_int_eq(proauth2_client_subject(env.provider, c->client_id,
				USER, &after, NULL), PROAUTH2_OK);
		ck_assert_str_eq(before, after);
		free(before);
		free(after);
		proauth2_client_free(rotated);
	}
	proauth2_client_free(c);
	/* No key: no pairwise subjects at all. */
	env_reconfigure(public_only_config);
	ck_assert_int_eq(register_pairwise(two_hosts, 1, NULL, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
}
END_TEST

/* A client's subs never move: an update that would change its sector or
 * subject type is refused; one that keeps them passes. */
START_TEST(an_update_keeps_the_subs)
{
	static const char *const elsewhere[] = {"https://elsewhere.example/cb"};
	static const char *const same[] = {REDIRECT_URI, "https://client.example.com/2"};
	proauth2_client *a = pairwise_client(NULL), *updated = NULL;
	proauth2_client_params params;

	proauth2_client_params_init(&params);
	params.type = CONF;
	params.grant_types = CODE_AND_REFRESH;
	params.scope = "openid";
	params.pairwise_subject = true;
	params.redirect_uris = elsewhere;
	params.n_redirect_uris = 1;
	ck_assert_int_eq(proauth2_client_update(env.provider, a->client_id,
			&params, &updated, NULL), PROAUTH2_ERR_INVALID_REQUEST);
	params.redirect_uris = same;
	params.n_redirect_uris = 2;
	params.pairwise_subject = false;
	ck_assert_int_eq(proauth2_client_update(env.provider, a->client_id,
			&params, &updated, NULL), PROAUTH2_ERR_INVALID_REQUEST);
	params.pairwise_subject = true;
	ck_assert_int_eq(proauth2_client_update(env.provider, a->client_id,
			&params, &updated, NULL), PROAUTH2_OK);
	ck_assert(updated->pairwise_subject);
	ck_assert_uint_eq(updated->n_redirect_uris, 2);
	proauth2_client_free(updated);
	proauth2_client_free(a);
}
END_TEST

/* What else a client sees of its users: introspection names them by its
 * sub, without the username; a JWT access token, whose sub is the user
 * id, it does not get (an opaque one instead). */
START_TEST(introspection_and_access_tokens_keep_the_user_id_in)
{
	proauth2_client *a = pairwise_client(NULL);
	proauth2_token_response *t;
	proauth2_resource_params resource;
	proauth2_http_response *r;
	char body[512], *sub;
	json_t *doc;

	t = tokens_of(a);
	sub = id_token_sub(t);
	snprintf(body, sizeof(body), "token=%s", t->access_token);
	r = post_form("/introspect", body, basic(a->client_id, a->client_secret));
	ck_assert_int_eq(r->status, 200);
	doc = body_json(r);
	ck_assert(json_is_true(json_object_get(doc, "active")));
	ck_assert_str_eq(member(doc, "sub"), sub);
	ck_assert_ptr_null(json_object_get(doc, "username"));
	json_decref(doc);
	proauth2_http_response_free(r);
	proauth2_token_response_free(t);
	free(sub);
	/* A resource whose tokens are JWTs. */
	proauth2_resource_params_init(&resource);
	resource.identifier = "https://mcp.example.com/";
	resource.token_format = PROAUTH2_TOKEN_FORMAT_JWT;
	ck_assert_int_eq(proauth2_resource_register(env.provider, &resource, NULL),
			PROAUTH2_OK);
	t = tokens_for(a, "https://mcp.example.com/");
	ck_assert_ptr_null(strchr(t->access_token, '.'));  /* opaque */
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_OK);
	proauth2_token_response_free(t);
	proauth2_client_free(a);
}
END_TEST

/* A client document may change at any fetch; its URL may not: its sector
 * is its client_id's host, or it has no pairwise subjects. */
START_TEST(a_client_documents_sector_is_its_url)
{
	proauth2_client *c = NULL;
	proauth2_error err = {0};
	char *sub = NULL;

	ck_assert_msg(proauth2_client_get(env.provider, GOOD_DOCUMENT, &c, &err)
			== PROAUTH2_OK, "%s", err.text);
	ck_assert(c->pairwise_subject);
	ck_assert_int_eq(proauth2_client_subject(env.provider, GOOD_DOCUMENT, USER,
			&sub, NULL), PROAUTH2_OK);
	ck_assert_str_ne(sub, USER);
	free(sub);
	proauth2_client_free(c);
	c = NULL;
	ck_assert_int_eq(proauth2_client_get(env.provider, MOVED_DOCUMENT, &c, &err),
			PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_ptr_null(c);
}
END_TEST

/* Dynamic registration of body, answered with status; its JSON. */
static json_t *registration(const char *body, int status)
{
	proauth2_http_response *r = http("POST", "/register", "application/json",
			body, NULL);
	json_t *doc = body_json(r);

	ck_assert_int_eq(r->status, status);
	if (status != 201)
		ck_assert_str_eq(member(doc, "error"), "invalid_client_metadata");
	proauth2_http_response_free(r);
	return doc;
}

START_TEST(dynamic_registration_and_discovery)
{
	json_t *doc = registration("{\"redirect_uris\":[\"" REDIRECT_URI "\"],"
			"\"subject_type\":\"pairwise\",\"sector_identifier_uri\":\""
			SECTOR_URI "\"}", 201), *config;
	proauth2_http_response *r;

	ck_assert_str_eq(member(doc, "subject_type"), "pairwise");
	ck_assert_str_eq(member(doc, "sector_identifier_uri"), SECTOR_URI);
	json_decref(doc);
	json_decref(registration("{\"redirect_uris\":[\"" REDIRECT_URI "\"],"
			"\"subject_type\":\"secret\"}", 400));
	json_decref(registration("{\"redirect_uris\":[\"" REDIRECT_URI "\"],"
			"\"subject_type\":\"pairwise\",\"sector_identifier_uri\":"
			"\"https://sector.example/missing\"}", 400));
	json_decref(registration("{\"redirect_uris\":[\"" REDIRECT_URI "\"],"
			"\"subject_type\":\"pairwise\",\"sector_identifier_uri\":5}", 400));
	r = http("GET", "/.well-known/openid-configuration", NULL, NULL, NULL);
	config = body_json(r);
	ck_assert_uint_eq(json_array_size(json_object_get(config,
			"subject_types_supported")), 2);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(config,
			"subject_types_supported"), 1)), "pairwise");
	json_decref(config);
	proauth2_http_response_free(r);
	/* Without the key the document says public alone. */
	env_reconfigure(public_only_config);
	r = http("GET", "/.well-known/openid-configuration", NULL, NULL, NULL);
	config = body_json(r);
	ck_assert_uint_eq(json_array_size(json_object_get(config,
			"subject_types_supported")), 1);
	json_decref(config);
	proauth2_http_response_free(r);
	json_decref(registration("{\"redirect_uris\":[\"" REDIRECT_URI "\"],"
			"\"subject_type\":\"pairwise\"}", 400));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pairwise");
	TCase *tc = tcase_create("pairwise");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);  /* an RSA key made per test */
	tcase_add_test(tc, one_sub_per_sector);
	tcase_add_test(tc, the_key_makes_the_subs);
	tcase_add_test(tc, logout_tokens_and_hints_speak_the_clients_sub);
	tcase_add_test(tc, registration_checks_the_sector);
	tcase_add_test(tc, an_update_keeps_the_subs);
	tcase_add_test(tc, a_client_documents_sector_is_its_url);
	tcase_add_test(tc, introspection_and_access_tokens_keep_the_user_id_in);
	tcase_add_test(tc, dynamic_registration_and_discovery);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
