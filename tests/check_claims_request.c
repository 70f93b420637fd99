/*
 * The claims request parameter (OpenID Connect Core §5.5): its shape
 * checked at the authorization request, the claims it names given only as
 * far as the user agreed (proauth2_approval.claims), those for UserInfo
 * reaching UserInfo beyond the scopes (through opaque and JWT access
 * tokens, and after a refresh), those for the id_token in the id_tokens,
 * no protocol claim taken from the host, and the id_token's facts bounded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_support.h"
#include "jws_support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define CODE_AND_REFRESH (PROAUTH2_GRANT_AUTHORIZATION_CODE | \
		PROAUTH2_GRANT_REFRESH_TOKEN)
#define MCP "https://mcp.example.com/"
#define NAMED "{\"userinfo\":{\"email\":{\"essential\":true}," \
	"\"nickname\":null},\"id_token\":{\"name\":null," \
	"\"auth_time\":{\"essential\":true},\"sub\":null,\"iss\":null," \
	"\"nonce\":null,\"acr\":null,\"azp\":null,\"nbf\":null}}"

static const unsigned char kek[PROAUTH2_KEK_SIZE] = "0123456789abcdef0123456789abcde";

/* The host's claims of every user, with protocol claims of its own (sub,
 * iss, nonce, acr, azp, nbf), which never reach an id_token. */
static int user_claims(void *arg, const char *user_id, const char *client_id,
		const char *scope, char **claims)
{
	(void)arg;
	(void)user_id;
	(void)client_id;
	(void)scope;
	*claims = strdup("{\"sub\":\"mallory\",\"iss\":\"https://evil.example\","
			"\"nonce\":\"HOSTNONCE\",\"acr\":\"urn:host\",\"azp\":\"evil\","
			"\"nbf\":1,"
			"\"name\":\"Alice Liddell\",\"email\":\"alice@example.com\","
			"\"email_verified\":true,\"team\":\"wonderland\"}");
	return 0;
}

static void openid_config(proauth2_config *cfg)
{
	cfg->openid = true;
	cfg->key_encryption_key = kek;
	cfg->user_claims = user_claims;
	cfg->supported_scopes = "read profile email";
}

static proauth2_client *client;

static void setup(void)
{
	proauth2_resource_params params;

	env_setup();
	env_reconfigure(openid_config);
	proauth2_resource_params_init(&params);
	params.identifier = MCP;
	params.token_format = PROAUTH2_TOKEN_FORMAT_JWT;
	ck_assert_int_eq(proauth2_resource_register(env.provider, &params, NULL),
			PROAUTH2_OK);
	client = register_client(CONF, CODE_AND_REFRESH, "openid profile email read");
}

static void teardown(void)
{
	proauth2_client_free(client);
	env_teardown();
}

/* What proauth2_authorization_begin() says of a request for scope with
 * claims (NULL: none). */
static proauth2_status begin_with(const char *scope, const char *claims)
{
	const char *names[] = {"client_id", "redirect_uri", "response_type",
		"scope", "code_challenge", "code_challenge_method", "claims"};
	const char *values[] = {client->client_id, REDIRECT_URI, "code", scope,
		RFC7636_CHALLENGE, "S256", claims};
	proauth2_authorization *a = NULL;
	proauth2_error err = {0};
	proauth2_status status = proauth2_authorization_begin(env.provider, names,
			values, claims != NULL ? 7 : 6, &a, &err);

	if (status == PROAUTH2_ERR_INVALID_REQUEST)
		ck_assert_msg(strstr(err.text, "claims") != NULL, "%s", err.text);
	proauth2_authorization_free(a);
	return status;
}

/* The tokens of a request for scope (and resource, NULL: none) naming
 * claims, approved with the user agreeing to agreed (ALL: every claim
 * named) and exchanged. */
#define ALL "(all)"
static proauth2_token_response *tokens_agreed(const char *scope,
		const char *resource, const char *claims, const char *agreed)
{
	const char *names[] = {"client_id", "redirect_uri", "response_type",
		"scope", "code_challenge", "code_challenge_method", "claims",
		"resource"};
	const char *values[] = {client->client_id, REDIRECT_URI, "code", scope,
		RFC7636_CHALLENGE, "S256", claims, resource};
	proauth2_authorization *a = NULL, *spent = NULL;
	proauth2_approval approval;
	proauth2_error err = {0};
	proauth2_token_response *t;
	char *code = NULL;

	ck_assert_msg(proauth2_authorization_begin(env.provider, names, values,
			resource != NULL ? 8 : 7, &a, &err) == PROAUTH2_OK, "%s", err.text);
	ck_assert_int_eq(proauth2_authorization_spend(env.provider,
			proauth2_authorization_ticket(a), &spent, NULL), PROAUTH2_OK);
	proauth2_approval_init(&approval);
	approval.user_id = USER;
	approval.claims = agreed != NULL && strcmp(agreed, ALL) == 0 ?
		proauth2_authorization_claims(spent) : agreed;
	ck_assert_msg(proauth2_authorization_approve_with(env.provider, spent,
			&approval, &code, &err) == PROAUTH2_OK, "%s", err.text);
	t = exchange_code(client, code, 1);
	proauth2_secret_free(code);
	proauth2_authorization_free(spent);
	proauth2_authorization_free(a);
	return t;
}

static proauth2_token_response *tokens_naming(const char *scope,
		const char *resource, const char *claims)
{
	return tokens_agreed(scope, resource, claims, ALL);
}

static json_t *userinfo_of(const char *token)
{
	char auth[4096];
	proauth2_http_response *r;
	json_t *doc;

	snprintf(auth, sizeof(auth), "Bearer %s", token);
	r = http("GET", "/userinfo", NULL, NULL, auth);
	ck_assert_int_eq(r->status, 200);
	doc = body_json(r);
	proauth2_http_response_free(r);
	return doc;
}

/* UserInfo of a token of scope openid that named email: the host's email
 * and its own claim, not the profile's name nor email_verified (neither
 * scoped nor named). */
static void userinfo_has_the_named(const char *token)
{
	json_t *doc = userinfo_of(token);

	ck_assert_str_eq(member(doc, "sub"), USER);
	ck_assert_str_eq(member(doc, "email"), "alice@example.com");
	ck_assert_str_eq(member(doc, "team"), "wonderland");
	ck_assert_ptr_null(json_object_get(doc, "name"));
	ck_assert_ptr_null(json_object_get(doc, "email_verified"));
	ck_assert_ptr_null(json_object_get(doc, "nickname"));  /* none given */
	json_decref(doc);
}

/* The id_token holds the named name, and its own sub and iss; the
 * host's protocol claims stay out, where we have the claim and where we
 * have none (a refresh's nonce, acr, azp, nbf). */
static void id_token_has_the_named(const char *id_token)
{
	json_t *claims = jws_part(id_token, 1);

	ck_assert_str_eq(member(claims, "name"), "Alice Liddell");
	ck_assert_str_eq(member(claims, "sub"), USER);
	ck_assert_str_eq(member(claims, "iss"), "https://auth.example.com");
	ck_assert(member(claims, "nonce") == NULL ||
			strcmp(member(claims, "nonce"), "HOSTNONCE") != 0);
	ck_assert_ptr_null(json_object_get(claims, "acr"));
	ck_assert_ptr_null(json_object_get(claims, "azp"));
	ck_assert_ptr_null(json_object_get(claims, "nbf"));
	ck_assert(json_is_integer(json_object_get(claims, "auth_time")));
	ck_assert_ptr_null(json_object_get(claims, "email"));  /* UserInfo's */
	ck_assert_ptr_null(json_object_get(claims, "team"));   /* not named */
	ck_assert_ptr_null(json_object_get(claims, "id_token_claims"));
	ck_assert(signature_verifies(id_token));
	json_decref(claims);
}

START_TEST(its_shape_is_checked)
{
	char long_text[PROAUTH2_CLAIMS_REQUEST_MAX_LENGTH + 2], many[2048];
	int i, n;

	ck_assert_int_eq(begin_with("openid", "{}"), PROAUTH2_OK);
	ck_assert_int_eq(begin_with("openid", NAMED), PROAUTH2_OK);
	/* §5.5.1: values, value and members unknown to us are the host's. */
	ck_assert_int_eq(begin_with("openid", "{\"id_token\":{\"acr\":{"
			"\"essential\":true,\"values\":[\"urn:loa:2\"]}},"
			"\"userinfo\":{\"email\":{\"purpose\":\"x\",\"value\":1}},"
			"\"other\":[]}"), PROAUTH2_OK);
	ck_assert_int_eq(begin_with("openid", "email"), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(begin_with("openid", "[]"), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(begin_with("openid", "{\"userinfo\":[\"email\"]}"),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(begin_with("openid", "{\"userinfo\":{\"email\":true}}"),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(begin_with("openid", "{\"userinfo\":{\"email\":"
			"{\"essential\":\"yes\"}}}"), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(begin_with("openid", "{\"id_token\":{\"acr\":"
			"{\"values\":\"urn:loa:2\"}}}"), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(begin_with("openid", "{\"userinfo\":{},\"userinfo\":{}}"),
			PROAUTH2_ERR_INVALID_REQUEST);
	/* Bounded: in bytes, and in claims named. */
	n = snprintf(long_text, sizeof(long_text), "{\"userinfo\":{\"email\":null},"
			"\"x\":\"");
	memset(long_text + n, 'a', sizeof(long_text) - n - 3);
	strcpy(long_text + sizeof(long_text) - 3, "\"}");
	ck_assert_uint_eq(strlen(long_text), PROAUTH2_CLAIMS_REQUEST_MAX_LENGTH + 1);
	ck_assert_int_eq(begin_with("openid", long_text), PROAUTH2_ERR_INVALID_REQUEST);
	n = snprintf(many, sizeof(many), "{\"userinfo\":{");
	for (i = 0; i <= PROAUTH2_CLAIMS_REQUEST_MAX_CLAIMS; i++)
		n += snprintf(many + n, sizeof(many) - n, "%s\"c%d\":null",
				i > 0 ? "," : "", i);
	snprintf(many + n, sizeof(many) - n, "}}");
	ck_assert_int_eq(begin_with("openid", many), PROAUTH2_ERR_INVALID_REQUEST);
	/* No OpenID request: OAuth knows no claims parameter and lets it be. */
	ck_assert_int_eq(begin_with("read", "email"), PROAUTH2_OK);
}
END_TEST

START_TEST(named_claims_reach_userinfo_and_the_id_token)
{
	proauth2_token_response *t = tokens_naming("openid", NULL, NAMED), *r = NULL;
	proauth2_token_info *info = NULL;

	userinfo_has_the_named(t->access_token);
	id_token_has_the_named(t->id_token);
	ck_assert_int_eq(proauth2_token_validate(env.provider, t->access_token,
			&info, NULL), PROAUTH2_OK);
	ck_assert_str_eq(info->userinfo_claims, "email nickname");
	proauth2_token_info_free(info);
	/* The grant keeps them: a refresh's tokens name the same. */
	env.now += 10;
	ck_assert_int_eq(refresh_with(client->client_id, client->client_secret,
			t->refresh_token, NULL, &r), PROAUTH2_OK);
	userinfo_has_the_named(r->access_token);
	id_token_has_the_named(r->id_token);
	proauth2_token_response_free(r);
	proauth2_token_response_free(t);
}
END_TEST

/* Core §5.5 asks; the user decides: a claim the user did not agree to is
 * not given, scoped or not. */
START_TEST(only_what_the_user_agreed_to_is_given)
{
	proauth2_token_response *t = tokens_agreed("openid", NULL, NAMED, NULL);
	json_t *doc = userinfo_of(t->access_token), *claims;

	ck_assert_ptr_null(json_object_get(doc, "email"));
	claims = jws_part(t->id_token, 1);
	ck_assert_ptr_null(json_object_get(claims, "name"));
	json_decref(claims);
	json_decref(doc);
	proauth2_token_response_free(t);
	/* email agreed (and team, never named): email alone. */
	t = tokens_agreed("openid", NULL, NAMED, "team email");
	doc = userinfo_of(t->access_token);
	ck_assert_str_eq(member(doc, "email"), "alice@example.com");
	claims = jws_part(t->id_token, 1);
	ck_assert_ptr_null(json_object_get(claims, "name"));
	json_decref(claims);
	json_decref(doc);
	proauth2_token_response_free(t);
}
END_TEST

/* What the consent page shows: every name, once. */
START_TEST(the_request_tells_what_it_names)
{
	const char *names[] = {"client_id", "redirect_uri", "response_type",
		"scope", "code_challenge", "code_challenge_method", "claims"};
	const char *values[] = {client->client_id, REDIRECT_URI, "code", "openid",
		RFC7636_CHALLENGE, "S256", "{\"userinfo\":{\"email\":null,"
		"\"name\":null},\"id_token\":{\"name\":null,\"acr\":null}}"};
	proauth2_authorization *a = NULL, *spent = NULL;

	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values,
			7, &a, NULL), PROAUTH2_OK);
	ck_assert_str_eq(proauth2_authorization_claims(a), "email name acr");
	ck_assert_int_eq(proauth2_authorization_spend(env.provider,
			proauth2_authorization_ticket(a), &spent, NULL), PROAUTH2_OK);
	ck_assert_str_eq(proauth2_authorization_claims(spent), "email name acr");
	proauth2_authorization_free(spent);
	proauth2_authorization_free(a);
	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values,
			6, &a, NULL), PROAUTH2_OK);
	ck_assert_ptr_null(proauth2_authorization_claims(a));
	proauth2_authorization_free(a);
	/* A name no scope-token could be ("a\"b", "a\\b") names nothing. */
	values[6] = "{\"userinfo\":{\"a\\\"b\":null,\"a\\\\b\":null,"
		"\"email\":null}}";
	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values,
			7, &a, NULL), PROAUTH2_OK);
	ck_assert_str_eq(proauth2_authorization_claims(a), "email");
	proauth2_authorization_free(a);
}
END_TEST

/* Long claim names, a long nonce and long login facts may overflow the
 * id_token's record together: the request's fault, never a 500. */
START_TEST(the_facts_and_names_are_bounded_together)
{
	char claims[4096], nonce[PROAUTH2_ID_CLAIM_MAX_LENGTH + 1], fact[513];
	const char *names[] = {"client_id", "redirect_uri", "response_type",
		"scope", "code_challenge", "code_challenge_method", "claims", "nonce"};
	const char *values[] = {client->client_id, REDIRECT_URI, "code", "openid",
		RFC7636_CHALLENGE, "S256", claims, nonce};
	proauth2_authorization *a = NULL, *spent = NULL;
	proauth2_approval approval;
	char *code = NULL;
	int i, n;

	n = snprintf(claims, sizeof(claims), "{\"id_token\":{");
	for (i = 0; i < PROAUTH2_CLAIMS_REQUEST_MAX_CLAIMS; i++)
		n += snprintf(claims + n, sizeof(claims) - n, "%s\"%02d%062d\":null",
				i > 0 ? "," : "", i, 0);
	snprintf(claims + n, sizeof(claims) - n, "}}");
	memset(nonce, 'n', sizeof(nonce) - 1);
	nonce[sizeof(nonce) - 1] = '\0';
	memset(fact, 'f', sizeof(fact) - 1);
	fact[sizeof(fact) - 1] = '\0';
	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values,
			8, &a, NULL), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_authorization_spend(env.provider,
			proauth2_authorization_ticket(a), &spent, NULL), PROAUTH2_OK);
	proauth2_approval_init(&approval);
	approval.user_id = USER;
	approval.acr = fact;
	approval.amr = fact;
	approval.session_id = fact;
	approval.claims = proauth2_authorization_claims(spent);
	ck_assert_int_eq(proauth2_authorization_approve_with(env.provider, spent,
			&approval, &code, NULL), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_null(code);
	/* Without the names it fits. */
	approval.claims = NULL;
	ck_assert_int_eq(proauth2_authorization_approve_with(env.provider, spent,
			&approval, &code, NULL), PROAUTH2_OK);
	proauth2_secret_free(code);
	proauth2_authorization_free(spent);
	proauth2_authorization_free(a);
}
END_TEST

START_TEST(without_claims_only_the_scopes_reach)
{
	proauth2_token_response *t = tokens_naming("openid profile", NULL, "{}");
	json_t *doc = userinfo_of(t->access_token), *claims;

	ck_assert_str_eq(member(doc, "name"), "Alice Liddell");
	ck_assert_ptr_null(json_object_get(doc, "email"));
	claims = jws_part(t->id_token, 1);
	ck_assert_ptr_null(json_object_get(claims, "name"));
	json_decref(claims);
	json_decref(doc);
	proauth2_token_response_free(t);
}
END_TEST

/* A JWT access token (RFC 9068) is stored nowhere: it carries the names
 * itself, and its validation reads them back. (One for a resource is
 * not UserInfo's: a 401 there.) */
START_TEST(named_claims_ride_in_a_jwt_access_token)
{
	proauth2_token_response *t = tokens_naming("openid", MCP, NAMED);
	json_t *claims = jws_part(t->access_token, 1);
	proauth2_token_info *info = NULL;
	proauth2_error err = {0};

	ck_assert_str_eq(member(claims, "userinfo_claims"), "email nickname");
	ck_assert_msg(proauth2_token_validate(env.provider, t->access_token,
			&info, &err) == PROAUTH2_OK, "%s", err.text);
	ck_assert_str_eq(info->userinfo_claims, "email nickname");
	proauth2_token_info_free(info);
	json_decref(claims);
	proauth2_token_response_free(t);
}
END_TEST

START_TEST(discovery_says_it_is_supported)
{
	proauth2_http_response *r = http("GET", "/.well-known/openid-configuration",
			NULL, NULL, NULL);
	json_t *doc;

	ck_assert_int_eq(r->status, 200);
	doc = body_json(r);
	ck_assert(json_is_true(json_object_get(doc, "claims_parameter_supported")));
	json_decref(doc);
	proauth2_http_response_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("claims_request");
	TCase *tc = tcase_create("claims_request");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);  /* an RSA key made per test */
	tcase_add_test(tc, its_shape_is_checked);
	tcase_add_test(tc, named_claims_reach_userinfo_and_the_id_token);
	tcase_add_test(tc, only_what_the_user_agreed_to_is_given);
	tcase_add_test(tc, the_request_tells_what_it_names);
	tcase_add_test(tc, the_facts_and_names_are_bounded_together);
	tcase_add_test(tc, without_claims_only_the_scopes_reach);
	tcase_add_test(tc, named_claims_ride_in_a_jwt_access_token);
	tcase_add_test(tc, discovery_says_it_is_supported);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
