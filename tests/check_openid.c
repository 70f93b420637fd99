/*
 * OpenID Connect (Core 1.0, Discovery 1.0): the id_token of the code
 * flow (its header, every claim, at_hash, the signature checked against
 * the published JWKS), the facts of the login the host approves with and
 * their bounds, the id_token of a refresh (no nonce, the original
 * auth_time), the discovery document at both places and beside RFC 8414's,
 * UserInfo's claims as far as the scopes reach and its errors, and a key
 * rotation seen by the next id_token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "http_support.h"
#include "jws_support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define CODE_AND_REFRESH (PROAUTH2_GRANT_AUTHORIZATION_CODE | \
		PROAUTH2_GRANT_REFRESH_TOKEN)
#define ISSUER "https://auth.example.com"
#define NONCE "n-0S6_WzA2Mj"
#define AUTH_TIME_AGO 120

static const unsigned char kek[PROAUTH2_KEK_SIZE] = "0123456789abcdef0123456789abcde";
static proauth2_signing_alg alg = PROAUTH2_SIGNING_ES256;

/* The host's claims: alice's, a user it forgot, or text that is no JSON
 * object. */
static int user_claims(void *arg, const char *user_id, const char *client_id,
		const char *scope, char **claims)
{
	(void)arg;
	(void)client_id;
	(void)scope;
	if (strcmp(user_id, "gone") == 0)
		return 1;
	*claims = strdup(strcmp(user_id, "broken") == 0 ? "[1]" :
			"{\"sub\":\"mallory\",\"name\":\"Alice Liddell\","
			"\"email\":\"alice@example.com\",\"email_verified\":true,"
			"\"phone_number\":\"+1 555 0100\",\"address\":{\"country\":\"UK\"},"
			"\"team\":\"wonderland\"}");
	return 0;
}

static void openid_config(proauth2_config *cfg)
{
	cfg->openid = true;
	cfg->key_encryption_key = kek;
	cfg->signing_alg = alg;
	cfg->user_claims = user_claims;
	cfg->supported_scopes = "read write profile email phone address";
}

static void openid_setup(void)
{
	env_setup();
	env_reconfigure(openid_config);
}

static json_int_t int_member(const json_t *doc, const char *name)
{
	ck_assert_msg(json_is_integer(json_object_get(doc, name)), "%s", name);
	return json_integer_value(json_object_get(doc, name));
}

/* Core §3.1.3.6: base64url of the left half of SHA-256(access_token). */
static void expected_at_hash(const char *access_token, char out[32])
{
	unsigned char digest[SHA256_DIGEST_LENGTH];
	unsigned char b64[64];
	int n, k;

	SHA256((const unsigned char *)access_token, strlen(access_token), digest);
	n = EVP_EncodeBlock(b64, digest, SHA256_DIGEST_LENGTH / 2);
	for (k = 0; k < n && b64[k] != '='; k++)
		out[k] = b64[k] == '+' ? '-' : b64[k] == '/' ? '_' : (char)b64[k];
	out[k] = '\0';
}

/* An authorization request of client for scope with a nonce (NULL:
 * none), parked and spent as the consent page's POST does. */
static proauth2_authorization *spent_request(const proauth2_client *c,
		const char *scope, const char *nonce)
{
	const char *names[] = {"client_id", "redirect_uri", "response_type",
		"scope", "code_challenge", "code_challenge_method", "nonce"};
	const char *values[] = {c->client_id, REDIRECT_URI, "code", scope,
		RFC7636_CHALLENGE, "S256", nonce};
	proauth2_authorization *a = NULL, *spent = NULL;
	proauth2_error err = {0};

	ck_assert_msg(proauth2_authorization_begin(env.provider, names, values,
			nonce != NULL ? 7 : 6, &a, &err) == PROAUTH2_OK, "%s", err.text);
	ck_assert_int_eq(proauth2_authorization_spend(env.provider,
			proauth2_authorization_ticket(a), &spent, NULL), PROAUTH2_OK);
	proauth2_authorization_free(a);
	return spent;
}

/* What proauth2_authorization_begin() says of client's request for scope
 * with one more parameter (name NULL: none). */
static proauth2_status begin_status(const proauth2_client *c,
		const char *scope, const char *name, const char *value)
{
	const char *names[] = {"client_id", "redirect_uri", "response_type",
		"scope", "code_challenge", "code_challenge_method", name};
	const char *values[] = {c->client_id, REDIRECT_URI, "code", scope,
		RFC7636_CHALLENGE, "S256", value};
	proauth2_authorization *a = NULL;
	proauth2_status status = proauth2_authorization_begin(env.provider, names,
			values, name != NULL ? 7 : 6, &a, NULL);

	proauth2_authorization_free(a);
	return status;
}

/* The code for an approval of client's request with the login's facts. */
static char *approved_code(const proauth2_client *c, const char *scope,
		const char *nonce)
{
	proauth2_authorization *a = spent_request(c, scope, nonce);
	proauth2_approval approval;
	proauth2_error err = {0};
	char *code = NULL;

	proauth2_approval_init(&approval);
	approval.user_id = USER;
	approval.auth_time = env.now - AUTH_TIME_AGO;
	approval.acr = "urn:example:loa:2";
	approval.amr = "pwd otp";
	approval.session_id = "session-1";
	ck_assert_msg(proauth2_authorization_approve_with(env.provider, a,
			&approval, &code, &err) == PROAUTH2_OK, "%s", err.text);
	proauth2_authorization_free(a);
	return code;
}

static proauth2_token_response *openid_tokens(const proauth2_client *c,
		const char *scope)
{
	char *code = approved_code(c, scope, NONCE);
	proauth2_token_response *r = exchange_code(c, code, 1);

	proauth2_secret_free(code);
	return r;
}

START_TEST(code_flow_returns_a_signed_id_token)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "openid read");
	proauth2_token_response *r = openid_tokens(c, "openid read");
	json_t *header, *claims, *amr;
	char at_hash[32];

	ck_assert_ptr_nonnull(r->id_token);
	header = jws_part(r->id_token, 0);
	claims = jws_part(r->id_token, 1);
	/* RS256 by default, whatever signs access tokens (Core §15.1). */
	ck_assert_str_eq(member(header, "alg"), "RS256");
	ck_assert_str_eq(member(header, "typ"), "JWT");
	ck_assert_str_eq(member(claims, "iss"), ISSUER);
	ck_assert_str_eq(member(claims, "sub"), USER);
	ck_assert_str_eq(member(claims, "aud"), c->client_id);
	ck_assert_int_eq(int_member(claims, "iat"), env.now);
	ck_assert_int_eq(int_member(claims, "exp"), env.now + 3600);
	ck_assert_int_eq(int_member(claims, "auth_time"), env.now - AUTH_TIME_AGO);
	ck_assert_str_eq(member(claims, "nonce"), NONCE);
	ck_assert_str_eq(member(claims, "acr"), "urn:example:loa:2");
	amr = json_object_get(claims, "amr");
	ck_assert_uint_eq(json_array_size(amr), 2);
	ck_assert_str_eq(json_string_value(json_array_get(amr, 0)), "pwd");
	ck_assert_str_eq(json_string_value(json_array_get(amr, 1)), "otp");
	ck_assert_str_eq(member(claims, "sid"), "session-1");
	expected_at_hash(r->access_token, at_hash);
	ck_assert_str_eq(member(claims, "at_hash"), at_hash);
	ck_assert(signature_verifies(r->id_token));
	/* An id_token is no access token: typ JWT, not at+jwt. */
	ck_assert_int_eq(validate_status(r->id_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_status(r->access_token), PROAUTH2_OK);
	json_decref(header);
	json_decref(claims);
	proauth2_token_response_free(r);
	proauth2_client_free(c);
}
END_TEST

START_TEST(tampered_id_token_fails_verification)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "openid read");
	proauth2_token_response *r = openid_tokens(c, "openid");
	char *dot = strchr(r->id_token, '.') + 1;

	ck_assert(signature_verifies(r->id_token));
	/* One claim character changed: the check above can fail. */
	*dot = *dot == 'e' ? 'f' : 'e';
	ck_assert(!signature_verifies(r->id_token));
	proauth2_token_response_free(r);
	proauth2_client_free(c);
}
END_TEST

/* No OpenID Provider, openid among its scopes. */
static void plain_oauth(proauth2_config *cfg)
{
	cfg->supported_scopes = "openid read";
}

/* No OpenID Provider, with the same keys. */
static void plain_oauth_with_keys(proauth2_config *cfg)
{
	plain_oauth(cfg);
	cfg->key_encryption_key = kek;
}

START_TEST(no_id_token_without_openid)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "openid read");
	proauth2_token_response *r = openid_tokens(c, "read");

	ck_assert_ptr_null(r->id_token);
	proauth2_token_response_free(r);
	/* A provider that is no OpenID Provider: openid is a scope like
	 * another. */
	env_reconfigure(plain_oauth);
	r = openid_tokens(c, "openid read");
	ck_assert_ptr_null(r->id_token);
	ck_assert_str_eq(r->scope, "openid read");
	proauth2_token_response_free(r);
	proauth2_client_free(c);
}
END_TEST

START_TEST(nonce_is_optional_and_echoed_exactly)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "openid read");
	char *code = approved_code(c, "openid", NULL);
	proauth2_token_response *r = exchange_code(c, code, 1);
	json_t *claims = jws_part(r->id_token, 1);

	ck_assert_ptr_null(json_object_get(claims, "nonce"));
	json_decref(claims);
	proauth2_token_response_free(r);
	proauth2_secret_free(code);
	/* Any UTF-8 the client sent comes back byte for byte. */
	code = approved_code(c, "openid", "é \"quoted\" \\ 🙂");
	r = exchange_code(c, code, 1);
	claims = jws_part(r->id_token, 1);
	ck_assert_str_eq(member(claims, "nonce"), "é \"quoted\" \\ 🙂");
	json_decref(claims);
	proauth2_token_response_free(r);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(login_facts_are_bounded)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "openid read");
	proauth2_authorization *a = spent_request(c, "openid", "n");
	proauth2_approval approval;
	char long_value[PROAUTH2_ID_CLAIM_MAX_LENGTH + 2];
	proauth2_error err = {0};
	char *code = NULL;

	memset(long_value, 'a', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	proauth2_approval_init(&approval);
	approval.user_id = USER;
	approval.auth_time = env.now + 3600;
	ck_assert_int_eq(proauth2_authorization_approve_with(env.provider, a,
			&approval, &code, &err), PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_nonnull(strstr(err.text, "auth_time"));
	approval.auth_time = 0;
	approval.acr = long_value;
	ck_assert_int_eq(proauth2_authorization_approve_with(env.provider, a,
			&approval, &code, NULL), PROAUTH2_ERR_INVALID_ARGUMENT);
	approval.acr = NULL;
	approval.session_id = "line\nbreak";
	ck_assert_int_eq(proauth2_authorization_approve_with(env.provider, a,
			&approval, &code, NULL), PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(code);
	/* The host's mistakes cost the user nothing: approve again. */
	approval.session_id = NULL;
	ck_assert_int_eq(proauth2_authorization_approve_with(env.provider, a,
			&approval, &code, NULL), PROAUTH2_OK);
	proauth2_secret_free(code);
	proauth2_authorization_free(a);
	/* The client's nonce: its length is the client's mistake. */
	long_value[PROAUTH2_ID_CLAIM_MAX_LENGTH] = '\0';
	a = spent_request(c, "openid", long_value);
	ck_assert_int_eq(proauth2_authorization_approve_with(env.provider, a,
			&approval, &code, NULL), PROAUTH2_OK);
	proauth2_secret_free(code);
	proauth2_authorization_free(a);
	/* One byte more: refused with the request, before any page. */
	long_value[PROAUTH2_ID_CLAIM_MAX_LENGTH] = 'a';
	ck_assert_int_eq(begin_status(c, "openid", "nonce", long_value),
			PROAUTH2_ERR_INVALID_REQUEST);
	/* The direct issue checks it too. */
	{
		proauth2_code_request req;

		proauth2_code_request_init(&req);
		req.client_id = c->client_id;
		req.user_id = USER;
		req.redirect_uri = REDIRECT_URI;
		req.scope = "openid";
		req.code_challenge = RFC7636_CHALLENGE;
		req.nonce = long_value;
		ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL),
				PROAUTH2_ERR_INVALID_REQUEST);
	}
	proauth2_client_free(c);
}
END_TEST

START_TEST(refresh_returns_an_id_token_without_nonce)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "openid read");
	proauth2_token_response *r = openid_tokens(c, "openid read"), *n = NULL;
	json_t *claims;
	char at_hash[32];

	env.now += 600;
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			r->refresh_token, NULL, &n), PROAUTH2_OK);
	ck_assert_ptr_nonnull(n->id_token);
	ck_assert(signature_verifies(n->id_token));
	claims = jws_part(n->id_token, 1);
	/* Core §12.2: same iss, sub, aud; the original auth_time; iat now. */
	ck_assert_str_eq(member(claims, "iss"), ISSUER);
	ck_assert_str_eq(member(claims, "sub"), USER);
	ck_assert_str_eq(member(claims, "aud"), c->client_id);
	ck_assert_int_eq(int_member(claims, "auth_time"), env.now - 600 - AUTH_TIME_AGO);
	ck_assert_int_eq(int_member(claims, "iat"), env.now);
	ck_assert_str_eq(member(claims, "sid"), "session-1");
	ck_assert_ptr_null(json_object_get(claims, "nonce"));
	expected_at_hash(n->access_token, at_hash);
	ck_assert_str_eq(member(claims, "at_hash"), at_hash);
	json_decref(claims);
	proauth2_token_response_free(r);
	/* A refresh narrowed to a scope without openid: no id_token, and the
	 * grant keeps openid for the next one. */
	r = n;
	n = NULL;
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			r->refresh_token, "read", &n), PROAUTH2_OK);
	ck_assert_ptr_null(n->id_token);
	proauth2_token_response_free(r);
	r = n;
	n = NULL;
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			r->refresh_token, NULL, &n), PROAUTH2_OK);
	ck_assert_ptr_nonnull(n->id_token);
	proauth2_token_response_free(n);
	proauth2_token_response_free(r);
	proauth2_client_free(c);
}
END_TEST

START_TEST(token_endpoint_answers_id_token)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "openid read");
	char *code = approved_code(c, "openid read", NONCE), body[1024];
	proauth2_http_response *r;
	json_t *doc, *claims;

	snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s"
			"&redirect_uri=https%%3A%%2F%%2Fclient.example.com%%2Fcb"
			"&code_verifier=%s", code, RFC7636_VERIFIER);
	r = post_form("/token", body, basic(c->client_id, c->client_secret));
	ck_assert_int_eq(r->status, 200);
	doc = body_json(r);
	ck_assert_ptr_nonnull(member(doc, "id_token"));
	claims = jws_part(member(doc, "id_token"), 1);
	ck_assert_str_eq(member(claims, "nonce"), NONCE);
	ck_assert(signature_verifies(member(doc, "id_token")));
	json_decref(claims);
	json_decref(doc);
	proauth2_http_response_free(r);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

static json_t *get_json(const char *path)
{
	proauth2_http_response *r = http("GET", path, NULL, NULL, NULL);
	json_t *doc;

	ck_assert_int_eq(r->status, 200);
	doc = body_json(r);
	proauth2_http_response_free(r);
	return doc;
}

static bool list_has(const json_t *list, const char *value)
{
	json_t *item;
	size_t i;

	json_array_foreach(list, i, item)
		if (strcmp(json_string_value(item), value) == 0)
			return true;
	return false;
}

START_TEST(discovery_is_the_metadata)
{
	json_t *oidc = get_json("/.well-known/openid-configuration");
	json_t *rfc = get_json("/.well-known/oauth-authorization-server");
	json_t *algs = json_object_get(oidc, "id_token_signing_alg_values_supported");
	proauth2_http_response *r;

	/* One document, two places (Discovery §4, RFC 8414 §3). */
	ck_assert(json_equal(oidc, rfc));
	ck_assert_str_eq(member(oidc, "issuer"), ISSUER);
	ck_assert_str_eq(member(oidc, "userinfo_endpoint"), ISSUER "/userinfo");
	ck_assert_str_eq(member(oidc, "jwks_uri"), ISSUER "/jwks");
	ck_assert(list_has(json_object_get(oidc, "subject_types_supported"), "public"));
	ck_assert_uint_eq(json_array_size(algs), 2);
	ck_assert_str_eq(json_string_value(json_array_get(algs, 0)), "RS256");
	ck_assert_str_eq(json_string_value(json_array_get(algs, 1)), "ES256");
	ck_assert(list_has(json_object_get(oidc, "scopes_supported"), "openid"));
	ck_assert(list_has(json_object_get(oidc, "response_types_supported"), "code"));
	ck_assert(list_has(json_object_get(oidc, "claims_supported"), "email"));
	ck_assert(json_is_false(json_object_get(oidc, "request_uri_parameter_supported")));
	json_decref(oidc);
	json_decref(rfc);
	/* Not an OpenID Provider: neither place, nor UserInfo, exists. */
	env_reconfigure(NULL);
	oidc = get_json("/.well-known/oauth-authorization-server");
	ck_assert_ptr_null(json_object_get(oidc, "userinfo_endpoint"));
	json_decref(oidc);
	r = http("GET", "/.well-known/openid-configuration", NULL, NULL, NULL);
	ck_assert_int_eq(r->status, 404);
	proauth2_http_response_free(r);
	r = http("GET", "/userinfo", NULL, NULL, NULL);
	ck_assert_int_eq(r->status, 404);
	proauth2_http_response_free(r);
}
END_TEST

static void path_issuer(proauth2_config *cfg)
{
	openid_config(cfg);
	cfg->issuer = ISSUER "/tenant/";
	cfg->signing_alg = PROAUTH2_SIGNING_RS256;
}

START_TEST(discovery_of_an_issuer_with_a_path)
{
	json_t *doc, *algs;

	env_reconfigure(path_issuer);
	/* Discovery §4.1: the issuer, its trailing slash dropped, then the
	 * well-known suffix. */
	doc = get_json("/tenant/.well-known/openid-configuration");
	ck_assert_str_eq(member(doc, "issuer"), ISSUER "/tenant/");
	ck_assert_str_eq(member(doc, "userinfo_endpoint"), ISSUER "/tenant/userinfo");
	algs = json_object_get(doc, "id_token_signing_alg_values_supported");
	ck_assert_uint_eq(json_array_size(algs), 1);
	ck_assert_str_eq(json_string_value(json_array_get(algs, 0)), "RS256");
	json_decref(doc);
	doc = get_json("/.well-known/oauth-authorization-server/tenant");
	ck_assert_str_eq(member(doc, "issuer"), ISSUER "/tenant/");
	json_decref(doc);
}
END_TEST

static char *bearer_header(const char *token)
{
	char *h = malloc(strlen(token) + 8);

	sprintf(h, "Bearer %s", token);
	return h;
}

static json_t *userinfo_of(const char *method, const char *token)
{
	char *auth = bearer_header(token);
	proauth2_http_response *r = http(method, "/userinfo", NULL, NULL, auth);
	json_t *doc;

	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(proauth2_http_response_header(r, "Cache-Control"), "no-store");
	doc = body_json(r);
	proauth2_http_response_free(r);
	free(auth);
	return doc;
}

START_TEST(userinfo_gives_the_claims_the_scopes_reach)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH,
			"openid profile email read");
	proauth2_token_response *t = openid_tokens(c, "openid profile");
	json_t *doc = userinfo_of("GET", t->access_token);

	/* sub is ours, never the host's; profile reaches name, not email or
	 * phone; the host's own claim goes as given. */
	ck_assert_str_eq(member(doc, "sub"), USER);
	ck_assert_str_eq(member(doc, "name"), "Alice Liddell");
	ck_assert_str_eq(member(doc, "team"), "wonderland");
	ck_assert_ptr_null(json_object_get(doc, "email"));
	ck_assert_ptr_null(json_object_get(doc, "phone_number"));
	ck_assert_ptr_null(json_object_get(doc, "address"));
	json_decref(doc);
	proauth2_token_response_free(t);
	t = openid_tokens(c, "openid email");
	doc = userinfo_of("POST", t->access_token);
	ck_assert_str_eq(member(doc, "email"), "alice@example.com");
	ck_assert(json_is_true(json_object_get(doc, "email_verified")));
	ck_assert_ptr_null(json_object_get(doc, "name"));
	json_decref(doc);
	proauth2_token_response_free(t);
	proauth2_client_free(c);
}
END_TEST

START_TEST(userinfo_errors)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "openid read");
	proauth2_token_response *t = openid_tokens(c, "read");
	proauth2_http_response *r;
	char *auth, body[256];

	/* No token: the bare challenge (RFC 6750 §3.1). */
	r = http("GET", "/userinfo", NULL, NULL, NULL);
	ck_assert_int_eq(r->status, 401);
	ck_assert_str_eq(proauth2_http_response_header(r, "WWW-Authenticate"),
			"Bearer realm=\"proauth2\"");
	proauth2_http_response_free(r);
	assert_error(http("GET", "/userinfo", NULL, NULL, "Bearer nonsense"), 401,
			"invalid_token");
	/* A token without openid. */
	auth = bearer_header(t->access_token);
	r = http("GET", "/userinfo", NULL, NULL, auth);
	ck_assert_int_eq(r->status, 403);
	ck_assert_ptr_nonnull(strstr(proauth2_http_response_header(r,
			"WWW-Authenticate"), "error=\"insufficient_scope\", scope=\"openid\""));
	proauth2_http_response_free(r);
	assert_error(http("PUT", "/userinfo", NULL, NULL, auth), 405,
			"method_not_allowed");
	free(auth);
	proauth2_token_response_free(t);
	/* RFC 6750 2.2: the token in a POST form; both ways at once is no
	 * request (2). */
	t = openid_tokens(c, "openid");
	snprintf(body, sizeof(body), "access_token=%s", t->access_token);
	r = http("POST", "/userinfo", FORM, body, NULL);
	ck_assert_int_eq(r->status, 200);
	proauth2_http_response_free(r);
	auth = bearer_header(t->access_token);
	assert_error(http("POST", "/userinfo", FORM, body, auth), 400, "invalid_request");
	free(auth);
	assert_error(http("POST", "/userinfo", FORM, "access_token=no%20such", NULL),
			400, "invalid_request");
	assert_error(http("POST", "/userinfo", FORM, "access_token=unknown", NULL),
			401, "invalid_token");
	proauth2_token_response_free(t);
	proauth2_client_free(c);
}
END_TEST

/* A token of user_id with scope, issued directly. */
static proauth2_token_response *tokens_of(const proauth2_client *c,
		const char *user_id)
{
	proauth2_code_request req;
	char *code = NULL;
	proauth2_token_response *t;

	proauth2_code_request_init(&req);
	req.client_id = c->client_id;
	req.user_id = user_id;
	req.redirect_uri = REDIRECT_URI;
	req.scope = "openid";
	req.code_challenge = RFC7636_CHALLENGE;
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL),
			PROAUTH2_OK);
	t = exchange_code(c, code, 1);
	proauth2_secret_free(code);
	return t;
}

START_TEST(userinfo_of_users_the_host_cannot_answer_for)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "openid read");
	proauth2_token_response *gone = tokens_of(c, "gone");
	proauth2_token_response *broken = tokens_of(c, "broken");
	char *auth = bearer_header(gone->access_token);
	proauth2_http_response *r;

	assert_error(http("GET", "/userinfo", NULL, NULL, auth), 401, "invalid_token");
	free(auth);
	auth = bearer_header(broken->access_token);
	r = http_any("GET", "/userinfo", NULL, NULL, auth);
	ck_assert_int_eq(r->status, 500);
	proauth2_http_response_free(r);
	free(auth);
	/* The direct code issue has the approval's defaults: auth_time now. */
	{
		json_t *claims = jws_part(gone->id_token, 1);

		ck_assert_int_eq(int_member(claims, "auth_time"), env.now);
		ck_assert_ptr_null(json_object_get(claims, "nonce"));
		json_decref(claims);
	}
	proauth2_token_response_free(gone);
	proauth2_token_response_free(broken);
	proauth2_client_free(c);
}
END_TEST

START_TEST(rotation_reaches_the_next_id_token)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "openid read");
	proauth2_token_response *before = openid_tokens(c, "openid"), *after;
	json_t *h1 = jws_part(before->id_token, 0), *h2, *old;

	ck_assert_int_eq(proauth2_signing_keys_rotate_now(env.provider, NULL),
			PROAUTH2_OK);
	after = openid_tokens(c, "openid");
	h2 = jws_part(after->id_token, 0);
	ck_assert_str_ne(member(h1, "kid"), member(h2, "kid"));
	ck_assert(signature_verifies(after->id_token));
	/* The retired key left the JWKS: its id_tokens no longer verify. */
	old = published_jwk(member(h1, "kid"));
	ck_assert_ptr_null(old);
	json_decref(h1);
	json_decref(h2);
	proauth2_token_response_free(before);
	proauth2_token_response_free(after);
	proauth2_client_free(c);
}
END_TEST

START_TEST(request_parameters_are_checked)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "openid read");
	proauth2_token_response *t = openid_tokens(c, "openid");
	const char *names[] = {"client_id", "redirect_uri", "response_type",
		"scope", "code_challenge", "code_challenge_method", "id_token_hint"};
	const char *values[] = {c->client_id, REDIRECT_URI, "code", "openid",
		RFC7636_CHALLENGE, "S256", t->id_token};
	proauth2_authorization *a = NULL;

	ck_assert_int_eq(begin_status(c, "openid", "prompt", "none login"),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(begin_status(c, "openid", "prompt", "sometimes"),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(begin_status(c, "openid", "prompt", "login consent"),
			PROAUTH2_OK);
	ck_assert_int_eq(begin_status(c, "openid", "prompt", "none"), PROAUTH2_OK);
	ck_assert_int_eq(begin_status(c, "openid", "max_age", "-1"),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(begin_status(c, "openid", "max_age", "1e3"),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(begin_status(c, "openid", "max_age", "0"), PROAUTH2_OK);
	ck_assert_int_eq(begin_status(c, "openid", "id_token_hint", "a.b.c"),
			PROAUTH2_ERR_INVALID_REQUEST);
	/* An access token of ours is no id_token: its signature holds, its
	 * typ does not. */
	ck_assert_int_eq(begin_status(c, "openid", "id_token_hint", t->access_token),
			PROAUTH2_ERR_INVALID_REQUEST);
	/* Core 3.1.2.6: what we do not support is said so. */
	ck_assert_int_eq(begin_status(c, "openid", "request", "e30.e30."),
			PROAUTH2_ERR_REQUEST_NOT_SUPPORTED);
	ck_assert_int_eq(begin_status(c, "openid", "request_uri",
			"https://client.example.com/r"), PROAUTH2_ERR_REQUEST_URI_NOT_SUPPORTED);
	ck_assert_int_eq(begin_status(c, "openid", "registration", "{}"),
			PROAUTH2_ERR_REGISTRATION_NOT_SUPPORTED);
	/* Parameters passed on to the host are no error. */
	ck_assert_int_eq(begin_status(c, "openid", "login_hint", "alice"), PROAUTH2_OK);
	ck_assert_int_eq(begin_status(c, "openid", "display", "popup"), PROAUTH2_OK);
	/* No OpenID request: OAuth knows none of these and lets them be. */
	ck_assert_int_eq(begin_status(c, "read", "prompt", "sometimes"), PROAUTH2_OK);
	/* Our id_token, expired too (Core 3.1.2.1): its sub for the host. */
	env.now += 7200;
	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values,
			7, &a, NULL), PROAUTH2_OK);
	ck_assert_str_eq(proauth2_authorization_hint_subject(a), USER);
	proauth2_authorization_free(a);
	proauth2_token_response_free(t);
	proauth2_client_free(c);
}
END_TEST

START_TEST(fresh_login_is_enforced)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "openid read");
	const char *names[] = {"client_id", "redirect_uri", "response_type",
		"scope", "code_challenge", "code_challenge_method", "max_age"};
	const char *values[] = {c->client_id, REDIRECT_URI, "code", "openid",
		RFC7636_CHALLENGE, "S256", "60"};
	proauth2_authorization *a = NULL, *spent = NULL;
	proauth2_approval approval;
	char *code = NULL;

	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values,
			7, &a, NULL), PROAUTH2_OK);
	ck_assert(proauth2_authorization_login_needed(env.provider, a, env.now - 61));
	ck_assert(!proauth2_authorization_login_needed(env.provider, a, env.now - 60));
	ck_assert(proauth2_authorization_login_needed(env.provider, a, 0));
	ck_assert_int_eq(proauth2_authorization_spend(env.provider,
			proauth2_authorization_ticket(a), &spent, NULL), PROAUTH2_OK);
	proauth2_approval_init(&approval);
	approval.user_id = USER;
	ck_assert_int_eq(proauth2_authorization_approve_with(env.provider, spent,
			&approval, &code, NULL), PROAUTH2_ERR_INVALID_ARGUMENT);  /* no auth_time */
	approval.auth_time = env.now - 120;
	ck_assert_int_eq(proauth2_authorization_approve_with(env.provider, spent,
			&approval, &code, NULL), PROAUTH2_ERR_INVALID_ARGUMENT);
	approval.auth_time = env.now - 10;
	ck_assert_int_eq(proauth2_authorization_approve_with(env.provider, spent,
			&approval, &code, NULL), PROAUTH2_OK);
	proauth2_secret_free(code);
	proauth2_authorization_free(spent);
	proauth2_authorization_free(a);
	/* prompt=login: a login from before the request will not do, even
	 * after the ticket was loaded again. */
	values[6] = "login";
	names[6] = "prompt";
	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values,
			7, &a, NULL), PROAUTH2_OK);
	env.now += 5;
	ck_assert_int_eq(proauth2_authorization_load(env.provider,
			proauth2_authorization_ticket(a), &spent, NULL), PROAUTH2_OK);
	ck_assert(proauth2_authorization_prompts(spent, "login"));
	ck_assert(!proauth2_authorization_prompts(spent, "none"));
	ck_assert(proauth2_authorization_login_needed(env.provider, spent, env.now - 6));
	/* A login in the request's second: the page asks again. */
	ck_assert(proauth2_authorization_login_needed(env.provider, spent, env.now - 5));
	ck_assert(!proauth2_authorization_login_needed(env.provider, spent, env.now - 4));
	proauth2_authorization_free(spent);
	proauth2_authorization_free(a);
	/* max_age=0 likewise, to the second. */
	names[6] = "max_age";
	values[6] = "0";
	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values,
			7, &a, NULL), PROAUTH2_OK);
	ck_assert(proauth2_authorization_login_needed(env.provider, a, env.now - 1));
	ck_assert(proauth2_authorization_login_needed(env.provider, a, env.now));
	ck_assert(!proauth2_authorization_login_needed(env.provider, a, env.now + 1));
	/* The login it then asks for, in the same second, approves. */
	ck_assert_int_eq(proauth2_authorization_spend(env.provider,
			proauth2_authorization_ticket(a), &spent, NULL), PROAUTH2_OK);
	approval.auth_time = env.now;
	ck_assert_int_eq(proauth2_authorization_approve_with(env.provider, spent,
			&approval, &code, NULL), PROAUTH2_OK);
	proauth2_secret_free(code);
	proauth2_authorization_free(spent);
	proauth2_authorization_free(a);
	/* No OpenID request: never. */
	values[3] = "read";
	ck_assert_int_eq(proauth2_authorization_begin(env.provider, names, values,
			7, &a, NULL), PROAUTH2_OK);
	ck_assert(!proauth2_authorization_login_needed(env.provider, a, 0));
	proauth2_authorization_free(a);
	proauth2_client_free(c);
}
END_TEST

START_TEST(prompt_none_refusals_redirect)
{
	static const struct { proauth2_status why; const char *code; } cases[] = {
		{PROAUTH2_ERR_LOGIN_REQUIRED, "login_required"},
		{PROAUTH2_ERR_CONSENT_REQUIRED, "consent_required"},
		{PROAUTH2_ERR_INTERACTION_REQUIRED, "interaction_required"},
		{PROAUTH2_ERR_ACCOUNT_SELECTION_REQUIRED, "account_selection_required"},
		{PROAUTH2_ERR_ACCESS_DENIED, "access_denied"},
	};
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "openid read");
	proauth2_http_response *r = NULL;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		proauth2_authorization *a = NULL;
		char *error;

		{
			const char *names[] = {"client_id", "redirect_uri",
				"response_type", "scope", "code_challenge",
				"code_challenge_method", "state", "prompt"};
			const char *values[] = {c->client_id, REDIRECT_URI, "code",
				"openid", RFC7636_CHALLENGE, "S256", "st", "none"};

			ck_assert_int_eq(proauth2_authorization_begin(env.provider, names,
					values, 8, &a, NULL), PROAUTH2_OK);
		}
		ck_assert_int_eq(proauth2_http_authorize_refuse(env.provider,
				proauth2_authorization_ticket(a), cases[i].why, &r), cases[i].why);
		ck_assert_int_eq(r->status, 303);
		error = location_param(r, "error");
		ck_assert_str_eq(error, cases[i].code);
		free(error);
		error = location_param(r, "state");
		ck_assert_str_eq(error, "st");
		free(error);
		proauth2_http_response_free(r);
		/* The ticket is spent: a page, no second redirect. */
		ck_assert_int_eq(proauth2_http_authorize_refuse(env.provider,
				proauth2_authorization_ticket(a), cases[i].why, &r),
				PROAUTH2_ERR_INVALID_REQUEST);
		ck_assert_int_eq(r->status, 400);
		ck_assert_ptr_null(proauth2_http_response_header(r, "Location"));
		proauth2_http_response_free(r);
		proauth2_authorization_free(a);
	}
	/* Not a refusal: the host's mistake, a 500 page. */
	ck_assert_int_eq(proauth2_http_authorize_refuse(env.provider, "any",
			PROAUTH2_ERR_INVALID_GRANT, &r), PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(r->status, 500);
	proauth2_http_response_free(r);
	proauth2_client_free(c);
}
END_TEST

static bool covers(const proauth2_client *c, const char *scope)
{
	bool covered = false;

	ck_assert_int_eq(proauth2_consent_covers(env.provider, USER, c->client_id,
			scope, &covered, NULL), PROAUTH2_OK);
	return covered;
}

START_TEST(consent_is_remembered_listed_and_withdrawn)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "openid read");
	proauth2_client *d = register_client(CONF, CODE_AND_REFRESH, "openid read");
	proauth2_token_response *t = openid_tokens(c, "openid read");
	proauth2_consent *list = NULL;
	size_t n = 9, removed = 0;

	ck_assert(!covers(c, "openid"));
	ck_assert_int_eq(proauth2_consent_list(env.provider, USER, &list, &n, NULL),
			PROAUTH2_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(list);
	ck_assert_int_eq(proauth2_consent_remember(env.provider, USER, c->client_id,
			"openid", NULL), PROAUTH2_OK);
	ck_assert(covers(c, "openid"));
	ck_assert(!covers(c, "openid read"));
	ck_assert(!covers(d, "openid"));
	/* A second grant adds to the first. */
	env.now += 10;
	ck_assert_int_eq(proauth2_consent_remember(env.provider, USER, c->client_id,
			"read openid", NULL), PROAUTH2_OK);
	ck_assert(covers(c, "openid read"));
	env.now += 10;
	ck_assert_int_eq(proauth2_consent_remember(env.provider, USER, d->client_id,
			"read", NULL), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_consent_list(env.provider, USER, &list, &n, NULL),
			PROAUTH2_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(list[0].client_id, d->client_id);  /* newest first */
	ck_assert_str_eq(list[1].client_id, c->client_id);
	ck_assert_str_eq(list[1].scope, "openid read");
	ck_assert_int_eq(list[1].granted_at, env.now - 10);
	ck_assert_int_eq(list[1].expires_at, env.now - 10 + 90 * 86400);
	proauth2_consent_list_free(list, n);
	/* Withdrawn: forgotten, and the grant's tokens revoked. */
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_consent_revoke(env.provider, USER, c->client_id,
			&removed, NULL), PROAUTH2_OK);
	ck_assert_uint_ge(removed, 2);
	ck_assert(!covers(c, "openid"));
	ck_assert(covers(d, "read"));
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	/* Nothing left to withdraw is no error. */
	ck_assert_int_eq(proauth2_consent_revoke(env.provider, USER, c->client_id,
			&removed, NULL), PROAUTH2_OK);
	/* Forgotten after consent_lifetime. */
	env.now += 90 * 86400;
	ck_assert(!covers(d, "read"));
	ck_assert_int_eq(proauth2_consent_remember(env.provider, USER, "nobody",
			"read", NULL), PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_int_eq(proauth2_consent_remember(env.provider, USER, d->client_id,
			"bad\"scope", NULL), PROAUTH2_ERR_INVALID_SCOPE);
	ck_assert_int_eq(proauth2_consent_remember(env.provider, "", d->client_id,
			"read", NULL), PROAUTH2_ERR_INVALID_ARGUMENT);
	proauth2_token_response_free(t);
	proauth2_client_free(c);
	proauth2_client_free(d);
}
END_TEST

START_TEST(consents_are_bounded_per_user)
{
	proauth2_client *clients[PROAUTH2_CONSENTS_PER_USER + 1];
	proauth2_consent *list = NULL;
	size_t i, n = 0;

	for (i = 0; i < PROAUTH2_CONSENTS_PER_USER + 1; i++) {
		clients[i] = register_client(CONF, CODE_AND_REFRESH, "openid read");
		env.now += 1;
		ck_assert_int_eq(proauth2_consent_remember(env.provider, USER,
				clients[i]->client_id, "openid read", NULL), PROAUTH2_OK);
	}
	ck_assert_int_eq(proauth2_consent_list(env.provider, USER, &list, &n, NULL),
			PROAUTH2_OK);
	/* The oldest made room for the newest. */
	ck_assert_uint_eq(n, PROAUTH2_CONSENTS_PER_USER);
	ck_assert_str_eq(list[0].client_id, clients[PROAUTH2_CONSENTS_PER_USER]->client_id);
	ck_assert(!covers(clients[0], "openid"));
	ck_assert(covers(clients[1], "openid"));
	proauth2_consent_list_free(list, n);
	for (i = 0; i < PROAUTH2_CONSENTS_PER_USER + 1; i++)
		proauth2_client_free(clients[i]);
}
END_TEST

START_TEST(client_chooses_its_id_token_alg)
{
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params params;
	proauth2_client *c = NULL, *read = NULL;
	proauth2_token_response *t;
	proauth2_error err = {0};
	json_t *header;
	char *text = NULL;

	proauth2_client_params_init(&params);
	params.redirect_uris = uris;
	params.n_redirect_uris = 1;
	params.grant_types = CODE_AND_REFRESH;
	params.scope = "openid";
	params.id_token_signed_response_alg = "HS256";
	ck_assert_int_eq(proauth2_client_register(env.provider, &params, &c, &err),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_nonnull(strstr(err.text, "RS256 ES256"));
	params.id_token_signed_response_alg = "ES256";
	ck_assert_int_eq(proauth2_client_register(env.provider, &params, &c, NULL),
			PROAUTH2_OK);
	ck_assert_str_eq(c->id_token_signed_response_alg, "ES256");
	ck_assert_int_eq(proauth2_client_get(env.provider, c->client_id, &read, NULL),
			PROAUTH2_OK);
	ck_assert_str_eq(read->id_token_signed_response_alg, "ES256");
	t = openid_tokens(c, "openid");
	header = jws_part(t->id_token, 0);
	/* ES256 is the provider's own algorithm: its kid has no prefix. */
	ck_assert_str_eq(member(header, "alg"), "ES256");
	ck_assert_int_eq(member(header, "kid")[0], 'k');
	{
		json_t *jwk = published_jwk(member(header, "kid"));

		ck_assert_ptr_nonnull(jwk);
		ck_assert_str_eq(member(jwk, "kty"), "EC");
		json_decref(jwk);
	}
	json_decref(header);
	proauth2_token_response_free(t);
	/* The JWKS holds both algorithms' keys. */
	ck_assert_int_eq(proauth2_signing_keys_jwks(env.provider, &text, NULL),
			PROAUTH2_OK);
	ck_assert_ptr_nonnull(strstr(text, "\"alg\":\"RS256\""));
	ck_assert_ptr_nonnull(strstr(text, "\"alg\":\"ES256\""));
	free(text);
	proauth2_client_free(read);
	proauth2_client_free(c);
	/* No OpenID Provider: the metadata means nothing, and is refused. */
	env_reconfigure(plain_oauth);
	c = NULL;
	ck_assert_int_eq(proauth2_client_register(env.provider, &params, &c, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
}
END_TEST

static void eddsa_openid(proauth2_config *cfg)
{
	openid_config(cfg);
	cfg->signing_alg = PROAUTH2_SIGNING_EDDSA;
}

/* The kids of the provider's JWKS, "alg:kid" space-separated. */
static char *jwks_algs(void)
{
	char *text = NULL, *out = calloc(1, 1024);
	json_t *set, *key;
	size_t i;

	ck_assert_int_eq(proauth2_signing_keys_jwks(env.provider, &text, NULL),
			PROAUTH2_OK);
	set = json_loads(text, 0, NULL);
	json_array_foreach(json_object_get(set, "keys"), i, key)
		snprintf(out + strlen(out), 1024 - strlen(out), "%s%s:%s",
				i ? " " : "", member(key, "alg"), member(key, "kid"));
	json_decref(set);
	free(text);
	return out;
}

START_TEST(signing_alg_may_change)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "openid read");
	proauth2_token_response *t = openid_tokens(c, "openid");
	json_t *header = jws_part(t->id_token, 0);
	char *kids, kid[64], want[256];
	int64_t period = env.now / (30 * 86400);

	snprintf(kid, sizeof(kid), "RS256-k%lld", (long long)period);
	ck_assert_str_eq(member(header, "kid"), kid);
	json_decref(header);
	proauth2_token_response_free(t);
	/* Another signing_alg: "k<n>" is ES256's, so EdDSA's key of this
	 * period is "EdDSA-k<n>"; nothing stops signing, nothing leaves. */
	env_reconfigure(eddsa_openid);
	ck_assert_str_eq(proauth2_provider_id_token_algs(env.provider), "RS256 EdDSA");
	t = openid_tokens(c, "openid");
	header = jws_part(t->id_token, 0);
	ck_assert_str_eq(member(header, "kid"), kid);
	ck_assert(signature_verifies(t->id_token));
	json_decref(header);
	proauth2_token_response_free(t);
	kids = jwks_algs();
	snprintf(want, sizeof(want), "ES256:k%lld EdDSA:EdDSA-k%lld RS256:RS256-k%lld",
			(long long)period, (long long)period, (long long)period);
	ck_assert_str_eq(kids, want);
	free(kids);
	/* A process that is no OpenID Provider still publishes them all. */
	env_reconfigure(plain_oauth_with_keys);
	kids = jwks_algs();
	ck_assert_ptr_nonnull(strstr(kids, "RS256:RS256-k"));
	ck_assert_ptr_nonnull(strstr(kids, "EdDSA:EdDSA-k"));
	free(kids);
	proauth2_client_free(c);
}
END_TEST

static void openid_without_kek(proauth2_config *cfg)
{
	cfg->openid = true;
}

START_TEST(config_is_checked)
{
	proauth2_config cfg;
	proauth2_provider *p = NULL;
	proauth2_error err = {0};

	proauth2_config_init(&cfg);
	ck_assert_int_eq(cfg.id_token_lifetime, 3600);
	cfg.issuer = ISSUER;
	cfg.datastore = env.ds;
	openid_without_kek(&cfg);
	ck_assert_int_eq(proauth2_provider_new(&cfg, &p, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_nonnull(strstr(err.text, "key_encryption_key"));
	cfg.key_encryption_key = kek;
	cfg.id_token_lifetime = PROAUTH2_ID_TOKEN_LIFETIME_MAX + 1;
	ck_assert_int_eq(proauth2_provider_new(&cfg, &p, NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	cfg.id_token_lifetime = 60;
	ck_assert_int_eq(proauth2_provider_new(&cfg, &p, NULL), PROAUTH2_OK);
	ck_assert(proauth2_provider_openid_enabled(p));
	ck_assert_str_eq(proauth2_provider_id_token_algs(p), "RS256 ES256");
	proauth2_provider_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("openid");
	TCase *tc = tcase_create("openid");

	tcase_add_checked_fixture(tc, openid_setup, env_teardown);
	/* RSA keys are made in most tests: seconds under valgrind on a busy
	 * machine, where 60 s per test was seen to run out. */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, code_flow_returns_a_signed_id_token);
	tcase_add_test(tc, tampered_id_token_fails_verification);
	tcase_add_test(tc, no_id_token_without_openid);
	tcase_add_test(tc, nonce_is_optional_and_echoed_exactly);
	tcase_add_test(tc, login_facts_are_bounded);
	tcase_add_test(tc, refresh_returns_an_id_token_without_nonce);
	tcase_add_test(tc, token_endpoint_answers_id_token);
	tcase_add_test(tc, discovery_is_the_metadata);
	tcase_add_test(tc, discovery_of_an_issuer_with_a_path);
	tcase_add_test(tc, userinfo_gives_the_claims_the_scopes_reach);
	tcase_add_test(tc, userinfo_errors);
	tcase_add_test(tc, userinfo_of_users_the_host_cannot_answer_for);
	tcase_add_test(tc, rotation_reaches_the_next_id_token);
	tcase_add_test(tc, request_parameters_are_checked);
	tcase_add_test(tc, fresh_login_is_enforced);
	tcase_add_test(tc, prompt_none_refusals_redirect);
	tcase_add_test(tc, consent_is_remembered_listed_and_withdrawn);
	tcase_add_test(tc, consents_are_bounded_per_user);
	tcase_add_test(tc, client_chooses_its_id_token_alg);
	tcase_add_test(tc, signing_alg_may_change);
	tcase_add_test(tc, config_is_checked);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
