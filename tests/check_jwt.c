/*
 * JWT access tokens (RFC 9068) and the signing keys that rotate
 * themselves: the token's header and claims, validation by signature
 * alone (no datastore write to issue one for client_credentials, no read
 * to validate it), expiry, tampering, revocation with and without the
 * check, introspection, the three algorithms, the JWKS and the keys at
 * rest; then a rotation through three keys under the injected clock,
 * seen by two providers on one datastore, a race to make a key, and a
 * rotation now.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "faulty_store.h"
#include "http_support.h"
#include "jws_support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define CODE_AND_REFRESH (PROAUTH2_GRANT_AUTHORIZATION_CODE | \
		PROAUTH2_GRANT_REFRESH_TOKEN)
#define MCP "https://mcp.example.com/mcp"
#define API "https://api.example.com"

/* The rotation tests' schedule, in seconds. */
#define PERIOD 1000
#define PROPAGATION 100
#define LIFETIME 300
#define CACHE 10

static const unsigned char kek[PROAUTH2_KEK_SIZE] = "0123456789abcdef0123456789abcde";
static proauth2_signing_alg alg = PROAUTH2_SIGNING_ES256;

static int64_t env_clock(void *arg)
{
	return *(int64_t *)arg;
}

static void jwt_config(proauth2_config *cfg)
{
	cfg->jwt_access_tokens = true;
	cfg->key_encryption_key = kek;
	cfg->signing_alg = alg;
	cfg->jwt_access_token_lifetime = LIFETIME;
	cfg->key_rotation_period = PERIOD;
	cfg->key_propagation_period = PROPAGATION;
	cfg->key_cache_lifetime = CACHE;
}

static void jwt_config_checked(proauth2_config *cfg)
{
	jwt_config(cfg);
	cfg->jwt_revocation_check = true;
}

static void add_resource(proauth2_provider *p, const char *id,
		proauth2_token_format format)
{
	proauth2_resource_params params;
	proauth2_error err = {0};

	proauth2_resource_params_init(&params);
	params.identifier = id;
	params.token_format = format;
	ck_assert_msg(proauth2_resource_register(p, &params, &err) == PROAUTH2_OK,
			"%s", err.text);
}

/* MCP takes JWTs (the provider's default), API opaque tokens. */
static void register_resources(proauth2_provider *p)
{
	add_resource(p, MCP, PROAUTH2_TOKEN_FORMAT_DEFAULT);
	add_resource(p, API, PROAUTH2_TOKEN_FORMAT_OPAQUE);
}

static void jwt_setup(void)
{
	env_setup();
	/* At a period's start, not in its last PROPAGATION seconds, where the
	 * next key is published already: the wall clock must not decide how
	 * many keys a test sees. */
	env.now -= env.now % PERIOD;
	env_reconfigure(jwt_config);
	register_resources(env.provider);
}

/* client_credentials for resource on p: the access token (new string). */
static char *cc_token(proauth2_provider *p, const proauth2_client *c,
		const char *resource, int64_t *expires_in)
{
	proauth2_client_credentials_request req;
	proauth2_token_response *out = NULL;
	proauth2_error err = {0};
	char *token;

	proauth2_client_credentials_request_init(&req);
	req.client_id = c->client_id;
	req.client_secret = c->client_secret;
	req.resource = resource;
	ck_assert_msg(proauth2_token_client_credentials(p, &req, &out, &err) ==
			PROAUTH2_OK, "%s", err.text);
	ck_assert_ptr_null(out->refresh_token);
	if (expires_in != NULL)
		*expires_in = out->expires_in;
	token = strdup(out->access_token);
	proauth2_token_response_free(out);
	return token;
}

static proauth2_status validate_on(proauth2_provider *p, const char *token,
		const char *resource)
{
	proauth2_token_info *info = NULL;
	proauth2_status status = resource != NULL ?
		proauth2_token_validate_for(p, token, resource, &info, NULL) :
		proauth2_token_validate(p, token, &info, NULL);

	proauth2_token_info_free(info);
	return status;
}

START_TEST(client_credentials_token_is_an_rfc9068_jwt)
{
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS,
			"read write");
	int64_t expires_in;
	char *token = cc_token(env.provider, c, MCP, &expires_in);
	json_t *header = jws_part(token, 0), *claims = jws_part(token, 1);
	proauth2_token_info *info = NULL;
	char kid[32];

	ck_assert_int_eq(expires_in, LIFETIME);
	ck_assert_str_eq(member(header, "typ"), "at+jwt");
	ck_assert_str_eq(member(header, "alg"), "ES256");
	snprintf(kid, sizeof(kid), "k%lld", (long long)(env.now / PERIOD));
	ck_assert_str_eq(member(header, "kid"), kid);
	ck_assert_str_eq(member(claims, "iss"), "https://auth.example.com");
	ck_assert_str_eq(member(claims, "sub"), c->client_id);  /* §2.2 */
	ck_assert_str_eq(member(claims, "client_id"), c->client_id);
	ck_assert_str_eq(member(claims, "aud"), MCP);
	ck_assert_str_eq(member(claims, "scope"), "read write");
	ck_assert_int_eq(json_integer_value(json_object_get(claims, "iat")), env.now);
	ck_assert_int_eq(json_integer_value(json_object_get(claims, "exp")),
			env.now + LIFETIME);
	ck_assert_uint_ge(strlen(member(claims, "jti")), 32);
	ck_assert_ptr_nonnull(member(claims, "grant_id"));
	json_decref(header);
	json_decref(claims);

	ck_assert_int_eq(proauth2_token_validate_for(env.provider, token, MCP, &info,
			NULL), PROAUTH2_OK);
	ck_assert_str_eq(info->client_id, c->client_id);
	ck_assert_ptr_null(info->user_id);
	ck_assert_str_eq(info->audience, MCP);
	ck_assert_str_eq(info->scope, "read write");
	ck_assert_int_eq(info->expires_at, env.now + LIFETIME);
	proauth2_token_info_free(info);
	ck_assert_int_eq(validate_on(env.provider, token, API), PROAUTH2_ERR_INVALID_TOKEN);
	env.now += LIFETIME - 1;
	ck_assert_int_eq(validate_on(env.provider, token, MCP), PROAUTH2_OK);
	env.now += 1;
	ck_assert_int_eq(validate_on(env.provider, token, MCP), PROAUTH2_ERR_INVALID_TOKEN);
	free(token);

	/* An opaque resource, or no resource at all: opaque tokens. */
	token = cc_token(env.provider, c, API, &expires_in);
	ck_assert_ptr_null(strchr(token, '.'));
	ck_assert_int_eq(expires_in, 3600);
	free(token);
	token = cc_token(env.provider, c, NULL, NULL);
	ck_assert_ptr_null(strchr(token, '.'));
	free(token);
	token = cc_token(env.provider, c, MCP " " API, NULL);  /* mixed: opaque */
	ck_assert_ptr_null(strchr(token, '.'));
	free(token);
	proauth2_client_free(c);
}
END_TEST

START_TEST(issuing_and_validating_touch_no_datastore)
{
	proauth2_client *c;
	char *token;
	unsigned i;

	env_reconfigure(jwt_config);
	register_resources(env.provider);
	c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	free(cc_token(env.provider, c, MCP, NULL));  /* makes the first key */
	faulty_store_fail(0, FAULTY_OFF);
	token = cc_token(env.provider, c, MCP, NULL);
	/* The client's authentication reads (its record, its throttle);
	 * nothing is written. */
	for (i = 1; i <= faulty_store_calls(); i++)
		ck_assert_msg(strncmp(faulty_store_call_name(i), "fetch ", 6) == 0,
				"call %u: %s", i, faulty_store_call_name(i));
	ck_assert_uint_eq(faulty_store_calls(), 2);
	ck_assert_str_eq(faulty_store_call_name(1), "fetch auth_failures");
	ck_assert_str_eq(faulty_store_call_name(2), "fetch clients");
	faulty_store_fail(0, FAULTY_OFF);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(validate_on(env.provider, token, MCP), PROAUTH2_OK);
	ck_assert_uint_eq(faulty_store_calls(), 0);
	free(token);
	proauth2_client_free(c);
}
END_TEST

START_TEST(tampered_and_foreign_tokens_are_refused)
{
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS,
			"read write");
	char *token = cc_token(env.provider, c, MCP, NULL), *bad;
	char *dot1 = strchr(token, '.'), *dot2 = strchr(dot1 + 1, '.');
	size_t i;

	/* A byte changed in each part. */
	for (i = 0; i < 3; i++) {
		size_t at = i == 0 ? 5 : i == 1 ? (size_t)(dot1 - token) + 5 :
			(size_t)(dot2 - token) + 5;

		bad = strdup(token);
		bad[at] = bad[at] == 'A' ? 'B' : 'A';
		ck_assert_int_eq(validate_on(env.provider, bad, NULL), PROAUTH2_ERR_INVALID_TOKEN);
		free(bad);
	}
	/* Another provider's key (another datastore, same issuer): refused. */
	{
		proauth2_datastore *ds = NULL;
		proauth2_provider *other = NULL;
		proauth2_config cfg;
		proauth2_client_params params = {.struct_size = sizeof(params),
			.type = CONF, .grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS,
			.scope = "read"};
		proauth2_client *oc = NULL;
		char *foreign;

		ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), ":memory:",
				&ds, NULL), PROAUTH2_OK);
		proauth2_config_init(&cfg);
		cfg.issuer = "https://auth.example.com";
		cfg.datastore = ds;
		cfg.clock = env_clock;
		cfg.clock_arg = &env.now;
		jwt_config(&cfg);
		ck_assert_int_eq(proauth2_provider_new(&cfg, &other, NULL), PROAUTH2_OK);
		add_resource(other, MCP, PROAUTH2_TOKEN_FORMAT_JWT);
		ck_assert_int_eq(proauth2_client_register(other, &params, &oc, NULL),
				PROAUTH2_OK);
		foreign = cc_token(other, oc, MCP, NULL);
		ck_assert_int_eq(validate_on(other, foreign, MCP), PROAUTH2_OK);
		/* Same kid (same period), another key: the signature fails. */
		ck_assert_int_eq(validate_on(env.provider, foreign, MCP),
				PROAUTH2_ERR_INVALID_TOKEN);
		free(foreign);
		proauth2_client_free(oc);
		proauth2_provider_free(other);
		proauth2_datastore_close(ds);
	}
	/* "none" and a header of our own: refused. */
	ck_assert_int_eq(validate_on(env.provider,
			"eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZS5jb20ifQ.",
			NULL), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_on(env.provider, "a.b.c", NULL), PROAUTH2_ERR_INVALID_TOKEN);
	free(token);
	proauth2_client_free(c);
}
END_TEST

/* A code grant for MCP on env.provider: the response. */
static proauth2_token_response *code_grant(const proauth2_client *c)
{
	proauth2_code_request req;
	proauth2_code_exchange ex;
	proauth2_token_response *out = NULL;
	proauth2_error err = {0};
	char *code = NULL;

	proauth2_code_request_init(&req);
	req.client_id = c->client_id;
	req.user_id = USER;
	req.redirect_uri = REDIRECT_URI;
	req.scope = "read";
	req.code_challenge = RFC7636_CHALLENGE;
	req.resource = MCP;
	req.attributes = "{\"tenant\":\"t1\"}";
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, &err), PROAUTH2_OK);
	proauth2_code_exchange_init(&ex);
	ex.client_id = c->client_id;
	ex.client_secret = c->client_secret;
	ex.code = code;
	ex.redirect_uri = REDIRECT_URI;
	ex.code_verifier = RFC7636_VERIFIER;
	ck_assert_msg(proauth2_token_exchange_code(env.provider, &ex, &out, &err) ==
			PROAUTH2_OK, "%s", err.text);
	proauth2_secret_free(code);
	return out;
}

START_TEST(code_grant_jwts_refresh_and_introspect)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read write");
	proauth2_token_response *t = code_grant(c), *t2 = NULL;
	proauth2_token_info *info = NULL;
	json_t *claims = jws_part(t->access_token, 1);

	ck_assert_str_eq(member(claims, "sub"), USER);
	ck_assert_str_eq(member(json_object_get(claims, "attributes"), "tenant"), "t1");
	json_decref(claims);
	ck_assert_ptr_null(strchr(t->refresh_token, '.'));  /* opaque, stored */
	ck_assert_int_eq(proauth2_token_introspect(env.provider, c->client_id,
			t->access_token, PROAUTH2_HINT_NONE, &info, NULL), PROAUTH2_OK);
	ck_assert_str_eq(info->user_id, USER);
	ck_assert_str_eq(info->audience, MCP);
	ck_assert_str_eq(info->attributes, "{\"tenant\":\"t1\"}");
	ck_assert(!info->is_refresh_token);
	proauth2_token_info_free(info);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret, t->refresh_token,
			NULL, &t2), PROAUTH2_OK);
	ck_assert_ptr_nonnull(strchr(t2->access_token, '.'));
	ck_assert_int_eq(validate_on(env.provider, t2->access_token, MCP), PROAUTH2_OK);
	/* Without the revocation check, a JWT outlives its grant's end... */
	ck_assert_int_eq(proauth2_token_revoke(env.provider, c->client_id,
			t2->refresh_token, PROAUTH2_HINT_REFRESH_TOKEN, NULL), PROAUTH2_OK);
	ck_assert_int_eq(validate_on(env.provider, t2->access_token, MCP), PROAUTH2_OK);
	proauth2_token_response_free(t);
	proauth2_token_response_free(t2);

	/* ...with it, the grant's revocation ends it at once. */
	env_reconfigure(jwt_config_checked);
	register_resources(env.provider);
	t = code_grant(c);
	ck_assert_int_eq(validate_on(env.provider, t->access_token, MCP), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_token_revoke(env.provider, c->client_id,
			t->refresh_token, PROAUTH2_HINT_REFRESH_TOKEN, NULL), PROAUTH2_OK);
	ck_assert_int_eq(validate_on(env.provider, t->access_token, MCP),
			PROAUTH2_ERR_INVALID_TOKEN);
	proauth2_token_response_free(t);
	/* Revoking the JWT itself takes its grant (RFC 7009 §2.1). */
	t = code_grant(c);
	ck_assert_int_eq(proauth2_token_revoke(env.provider, "someone-else",
			t->access_token, PROAUTH2_HINT_NONE, NULL), PROAUTH2_ERR_UNAUTHORIZED_CLIENT);
	ck_assert_int_eq(validate_on(env.provider, t->access_token, MCP), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_token_revoke(env.provider, c->client_id,
			t->access_token, PROAUTH2_HINT_ACCESS_TOKEN, NULL), PROAUTH2_OK);
	ck_assert_int_eq(validate_on(env.provider, t->access_token, MCP),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret, t->refresh_token,
			NULL, &t2), PROAUTH2_ERR_INVALID_GRANT);
	proauth2_token_response_free(t);
	proauth2_client_free(c);
}
END_TEST

START_TEST(every_algorithm_signs_and_verifies)
{
	static const proauth2_signing_alg algs[] = {
		PROAUTH2_SIGNING_ES256, PROAUTH2_SIGNING_EDDSA, PROAUTH2_SIGNING_RS256,
	};
	static const char *const names[] = {"ES256", "EdDSA", "RS256"};
	static const char *const ktys[] = {"EC", "OKP", "RSA"};
	size_t i;

	for (i = 0; i < 3; i++) {
		proauth2_client *c;
		char *token, *jwks = NULL;
		json_t *header, *set;

		alg = algs[i];
		env_teardown();
		jwt_setup();
		c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
		token = cc_token(env.provider, c, MCP, NULL);
		header = jws_part(token, 0);
		ck_assert_str_eq(member(header, "alg"), names[i]);
		ck_assert_int_eq(validate_on(env.provider, token, MCP), PROAUTH2_OK);
		ck_assert_int_eq(proauth2_signing_keys_jwks(env.provider, &jwks, NULL),
				PROAUTH2_OK);
		set = json_loads(jwks, 0, NULL);
		ck_assert_int_eq(json_array_size(json_object_get(set, "keys")), 1);
		ck_assert_str_eq(member(json_array_get(json_object_get(set, "keys"), 0),
				"kty"), ktys[i]);
		ck_assert_str_eq(member(json_array_get(json_object_get(set, "keys"), 0),
				"kid"), member(header, "kid"));
		ck_assert_ptr_null(json_object_get(json_array_get(json_object_get(set,
				"keys"), 0), "d"));
		json_decref(set);
		json_decref(header);
		free(jwks);
		free(token);
		proauth2_client_free(c);
	}
	alg = PROAUTH2_SIGNING_ES256;
}
END_TEST

START_TEST(private_keys_are_sealed_at_rest)
{
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS,
			"read");
	char kid[32], *token = cc_token(env.provider, c, MCP, NULL);
	json_t *record = NULL, *query;
	proauth2_provider *wrong = NULL;
	proauth2_datastore *ds = NULL;
	static const unsigned char other[PROAUTH2_KEK_SIZE] = "another key, 32 bytes long....";
	proauth2_config cfg;
	proauth2_client_credentials_request req;
	proauth2_token_response *out = NULL;
	proauth2_error err = {0};

	snprintf(kid, sizeof(kid), "k%lld", (long long)(env.now / PERIOD));
	query = json_pack("{s:s}", "kid", kid);
	ck_assert_int_eq(proauth2_datastore_fetch(env.ds, "signing_keys", query, env.now,
			&record, NULL), PROAUTH2_OK);
	ck_assert_str_eq(json_string_value(json_object_get(record, "alg")), "ES256");
	ck_assert(strncmp(json_string_value(json_object_get(record, "private_key")),
			"v1.", 3) == 0);
	ck_assert_ptr_null(strstr(json_string_value(json_object_get(record, "public_jwk")),
			"\"d\""));
	json_decref(record);
	json_decref(query);
	/* A process with another KEK validates (public keys) but cannot sign. */
	ck_assert_int_eq(proauth2_datastore_open(env.ops, env.uri, &ds, NULL), PROAUTH2_OK);
	proauth2_config_init(&cfg);
	cfg.issuer = "https://auth.example.com";
	cfg.datastore = ds;
	jwt_config(&cfg);
	cfg.key_encryption_key = other;
	cfg.clock = env_clock;
	cfg.clock_arg = &env.now;
	ck_assert_int_eq(proauth2_provider_new(&cfg, &wrong, NULL), PROAUTH2_OK);
	add_resource(wrong, MCP, PROAUTH2_TOKEN_FORMAT_JWT);
	proauth2_client_credentials_request_init(&req);
	req.client_id = c->client_id;
	req.client_secret = c->client_secret;
	req.resource = MCP;
	ck_assert_int_ne(proauth2_token_client_credentials(wrong, &req, &out, &err),
			PROAUTH2_OK);
	ck_assert_ptr_null(out);
	proauth2_provider_free(wrong);
	proauth2_datastore_close(ds);
	free(token);
	proauth2_client_free(c);
}
END_TEST

START_TEST(configuration_is_checked)
{
	proauth2_config cfg;
	proauth2_provider *p = NULL;
	proauth2_resource_params params;

	proauth2_config_init(&cfg);
	cfg.issuer = "https://auth.example.com";
	cfg.datastore = env.ds;
	cfg.jwt_access_tokens = true;
	ck_assert_int_eq(proauth2_provider_new(&cfg, &p, NULL), PROAUTH2_ERR_INVALID_ARGUMENT);
	cfg.key_encryption_key = kek;
	cfg.key_propagation_period = cfg.key_rotation_period;
	ck_assert_int_eq(proauth2_provider_new(&cfg, &p, NULL), PROAUTH2_ERR_INVALID_ARGUMENT);
	cfg.key_propagation_period = 0;  /* the default */
	cfg.signing_alg = (proauth2_signing_alg)7;
	ck_assert_int_eq(proauth2_provider_new(&cfg, &p, NULL), PROAUTH2_ERR_INVALID_ARGUMENT);
	cfg.signing_alg = PROAUTH2_SIGNING_EDDSA;
	ck_assert_int_eq(proauth2_provider_new(&cfg, &p, NULL), PROAUTH2_OK);
	ck_assert(proauth2_provider_has_signing_keys(p));
	proauth2_provider_free(p);
	/* Without a KEK: no JWT resource, no keys, an empty JWKS. */
	env_reconfigure(NULL);
	proauth2_resource_params_init(&params);
	params.identifier = "https://jwt.example.com";
	params.token_format = PROAUTH2_TOKEN_FORMAT_JWT;
	ck_assert_int_eq(proauth2_resource_register(env.provider, &params, NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(proauth2_signing_keys_rotate_now(env.provider, NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert(!proauth2_provider_has_signing_keys(env.provider));
}
END_TEST

START_TEST(jwks_and_metadata_over_http)
{
	proauth2_http_response *r = http("GET", "/.well-known/oauth-authorization-server",
			NULL, NULL, NULL);
	json_t *doc = body_json(r);

	ck_assert_str_eq(member(doc, "jwks_uri"), "https://auth.example.com/jwks");
	json_decref(doc);
	proauth2_http_response_free(r);
	r = http("GET", "/jwks", NULL, NULL, NULL);
	ck_assert_int_eq(r->status, 200);
	doc = body_json(r);
	ck_assert_int_eq(json_array_size(json_object_get(doc, "keys")), 1);
	ck_assert_str_eq(member(json_array_get(json_object_get(doc, "keys"), 0), "use"),
			"sig");
	json_decref(doc);
	proauth2_http_response_free(r);
	r = http("POST", "/jwks", FORM, "a=b", NULL);
	ck_assert_int_eq(r->status, 405);
	proauth2_http_response_free(r);
	env_reconfigure(NULL);
	r = http("GET", "/.well-known/oauth-authorization-server", NULL, NULL, NULL);
	doc = body_json(r);
	ck_assert_ptr_null(json_object_get(doc, "jwks_uri"));
	json_decref(doc);
	proauth2_http_response_free(r);
	r = http("GET", "/jwks", NULL, NULL, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(r->body, "{\"keys\":[]}");
	proauth2_http_response_free(r);
}
END_TEST

/* ---- rotation ---- */

/* The kids in p's JWKS, space-separated, in a static buffer. */
static const char *jwks_kids(proauth2_provider *p)
{
	static char kids[256];
	char *text = NULL;
	json_t *doc, *key;
	size_t i;

	ck_assert_int_eq(proauth2_signing_keys_jwks(p, &text, NULL), PROAUTH2_OK);
	doc = json_loads(text, 0, NULL);
	kids[0] = '\0';
	json_array_foreach(json_object_get(doc, "keys"), i, key)
		snprintf(kids + strlen(kids), sizeof(kids) - strlen(kids), "%s%s",
				i > 0 ? " " : "", member(key, "kid"));
	json_decref(doc);
	free(text);
	return kids;
}

/* The kid of token's header (static buffer). */
static const char *kid_of(const char *token)
{
	static char kid[64];
	json_t *header = jws_part(token, 0);

	snprintf(kid, sizeof(kid), "%s", member(header, "kid"));
	json_decref(header);
	return kid;
}

/* "k<period n>" relative to the test's first period. */
static char *kid_name(int64_t base, int n)
{
	static char names[4][32];
	static int next;
	char *s = names[next++ % 4];

	snprintf(s, 32, "k%lld", (long long)(base + n));
	return s;
}

typedef struct stamped {
	char *token;
	int64_t issued;
} stamped;

START_TEST(three_keys_rotate_across_two_processes)
{
	proauth2_datastore *ds_b = NULL;
	proauth2_provider *a = env.provider, *b = env_open_provider_with(&ds_b, jwt_config);
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	int64_t base = env.now / PERIOD + 1, t0 = base * PERIOD;
	stamped t[5];
	char want[128];
	int i;

	register_resources(b);
	env.now = t0;  /* the start of period base */
	/* t0: the first token makes k0 (relative names), which signs at once. */
	t[0] = (stamped){cc_token(a, c, MCP, NULL), env.now};
	ck_assert_str_eq(kid_of(t[0].token), kid_name(base, 0));
	ck_assert_str_eq(jwks_kids(b), kid_name(base, 0));
	ck_assert_int_eq(validate_on(b, t[0].token, MCP), PROAUTH2_OK);

	/* A second before, k1 is not due yet; t0 + 900: within the
	 * propagation period of period base+1: k1 is made and published, but
	 * k0 signs on. */
	env.now = t0 + PERIOD - PROPAGATION - 1;
	ck_assert_str_eq(jwks_kids(b), kid_name(base, 0));
	env.now = t0 + PERIOD - PROPAGATION;
	t[1] = (stamped){cc_token(b, c, MCP, NULL), env.now};
	ck_assert_str_eq(kid_of(t[1].token), kid_name(base, 0));
	snprintf(want, sizeof(want), "%s %s", kid_name(base, 0), kid_name(base, 1));
	ck_assert_str_eq(jwks_kids(b), want);
	env.now += CACHE;  /* a's cache is stale: it reads k1 too */
	ck_assert_str_eq(jwks_kids(a), want);
	free(t[1].token);
	t[1] = (stamped){cc_token(a, c, MCP, NULL), env.now};
	ck_assert_str_eq(kid_of(t[1].token), kid_name(base, 0));

	/* t0 + 1000: k1 signs, in both. t[1] (k0) still validates. */
	env.now = t0 + PERIOD;
	t[2] = (stamped){cc_token(a, c, MCP, NULL), env.now};
	ck_assert_str_eq(kid_of(t[2].token), kid_name(base, 1));
	free(t[0].token);
	t[0] = (stamped){cc_token(b, c, MCP, NULL), env.now};
	ck_assert_str_eq(kid_of(t[0].token), kid_name(base, 1));
	ck_assert_int_eq(validate_on(a, t[1].token, MCP), PROAUTH2_OK);
	ck_assert_int_eq(validate_on(b, t[1].token, MCP), PROAUTH2_OK);

	/* t[1] expires at its issue + LIFETIME, exactly; k0 stays published
	 * until its last possible token has expired, then goes. */
	env.now = t[1].issued + LIFETIME - 1;
	ck_assert_int_eq(validate_on(b, t[1].token, MCP), PROAUTH2_OK);
	env.now = t[1].issued + LIFETIME;
	ck_assert_int_eq(validate_on(b, t[1].token, MCP), PROAUTH2_ERR_INVALID_TOKEN);
	env.now = t0 + PERIOD + LIFETIME + 60 - 1;
	ck_assert_str_eq(jwks_kids(a), want);
	env.now = t0 + PERIOD + LIFETIME + 60;
	ck_assert_str_eq(jwks_kids(a), kid_name(base, 1));

	/* t0 + 1900: k2 made and published; t0 + 2000: the third key signs,
	 * the second's tokens live on to their expiry. */
	env.now = t0 + 2 * PERIOD - PROPAGATION;
	t[3] = (stamped){cc_token(b, c, MCP, NULL), env.now};
	ck_assert_str_eq(kid_of(t[3].token), kid_name(base, 1));
	env.now = t0 + 2 * PERIOD;
	t[4] = (stamped){cc_token(a, c, MCP, NULL), env.now};
	ck_assert_str_eq(kid_of(t[4].token), kid_name(base, 2));
	snprintf(want, sizeof(want), "%s %s", kid_name(base, 1), kid_name(base, 2));
	ck_assert_str_eq(jwks_kids(b), want);
	ck_assert_int_eq(validate_on(a, t[3].token, MCP), PROAUTH2_OK);
	ck_assert_int_eq(validate_on(b, t[4].token, MCP), PROAUTH2_OK);
	env.now = t[3].issued + LIFETIME;
	ck_assert_int_eq(validate_on(a, t[3].token, MCP), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_on(a, t[4].token, MCP), PROAUTH2_OK);
	env.now = t[4].issued + LIFETIME;
	ck_assert_int_eq(validate_on(b, t[4].token, MCP), PROAUTH2_ERR_INVALID_TOKEN);
	for (i = 0; i < 5; i++)
		free(t[i].token);
	proauth2_client_free(c);
	proauth2_provider_free(b);
	proauth2_datastore_close(ds_b);
	(void)a;
}
END_TEST

struct racer {
	proauth2_provider *p;
	char kids[256];
	char x[128];
};

static void *race_jwks(void *arg)
{
	struct racer *r = arg;
	char *text = NULL;
	json_t *doc, *key;
	size_t i;

	if (proauth2_signing_keys_jwks(r->p, &text, NULL) != PROAUTH2_OK)
		return NULL;
	doc = json_loads(text, 0, NULL);
	json_array_foreach(json_object_get(doc, "keys"), i, key) {
		snprintf(r->kids + strlen(r->kids), sizeof(r->kids) - strlen(r->kids),
				"%s ", member(key, "kid"));
		snprintf(r->x + strlen(r->x), sizeof(r->x) - strlen(r->x), "%.16s ",
				member(key, "x"));
	}
	json_decref(doc);
	free(text);
	return NULL;
}

START_TEST(processes_racing_to_make_a_key_agree)
{
	enum { N = 8 };
	proauth2_datastore *ds[N] = {0};
	proauth2_provider *p[N];
	struct racer r[N];
	pthread_t th[N];
	int i;

	env.now = (env.now / PERIOD + 1) * PERIOD;
	for (i = 0; i < N; i++) {
		p[i] = i == 0 ? env.provider : env_open_provider_with(&ds[i], jwt_config);
		memset(&r[i], 0, sizeof(r[i]));
		r[i].p = p[i];
	}
	for (i = 0; i < N; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, race_jwks, &r[i]), 0);
	for (i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < N; i++) {
		ck_assert_msg(strcmp(r[i].kids, r[0].kids) == 0 && r[0].kids[0] != '\0',
				"%d: %s / %s", i, r[i].kids, r[0].kids);
		ck_assert_str_eq(r[i].x, r[0].x);
	}
	for (i = 1; i < N; i++) {
		proauth2_provider_free(p[i]);
		proauth2_datastore_close(ds[i]);
	}
}
END_TEST

START_TEST(rotate_now_retires_the_key_at_once)
{
	proauth2_datastore *ds_b = NULL;
	proauth2_provider *b = env_open_provider_with(&ds_b, jwt_config);
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	int64_t base = env.now / PERIOD;
	char *before, *after, *in_b;
	char want[64];

	register_resources(b);
	before = cc_token(env.provider, c, MCP, NULL);
	ck_assert_int_eq(validate_on(b, before, MCP), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_signing_keys_rotate_now(env.provider, NULL), PROAUTH2_OK);
	ck_assert_int_eq(validate_on(env.provider, before, MCP), PROAUTH2_ERR_INVALID_TOKEN);
	after = cc_token(env.provider, c, MCP, NULL);
	snprintf(want, sizeof(want), "k%lldx1", (long long)base);
	ck_assert_str_eq(kid_of(after), want);
	ck_assert_str_eq(jwks_kids(env.provider), want);
	/* b takes the new key's tokens at once (an unknown kid reads the
	 * set again) and drops the old key when its cache ends. */
	ck_assert_int_eq(validate_on(b, after, MCP), PROAUTH2_OK);
	env.now += CACHE;
	ck_assert_int_eq(validate_on(b, before, MCP), PROAUTH2_ERR_INVALID_TOKEN);
	in_b = cc_token(b, c, MCP, NULL);
	ck_assert_str_eq(kid_of(in_b), want);
	free(before);
	free(after);
	free(in_b);
	proauth2_client_free(c);
	proauth2_provider_free(b);
	proauth2_datastore_close(ds_b);
}
END_TEST

/* A JWT verified once is kept (lib/jwt.c) but checked again on every use:
 * the key that signed it retired at once, its exp passed, or a clock set
 * back past the skew allowed for its iat, it fails. */
START_TEST(a_kept_jwt_is_checked_again_on_every_use)
{
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	int64_t expires_in;
	char *token = cc_token(env.provider, c, MCP, &expires_in), *next;
	unsigned i;

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(validate_on(env.provider, token, MCP), PROAUTH2_OK);
	ck_assert_int_eq(validate_on(env.provider, token, API), PROAUTH2_ERR_INVALID_TOKEN);
	env.now -= 61;  /* iat now more than the 60 s skew ahead */
	ck_assert_int_eq(validate_on(env.provider, token, MCP), PROAUTH2_ERR_INVALID_TOKEN);
	env.now += 61;
	ck_assert_int_eq(validate_on(env.provider, token, MCP), PROAUTH2_OK);
	env.now += expires_in - 1;
	ck_assert_int_eq(validate_on(env.provider, token, MCP), PROAUTH2_OK);
	env.now += 1;
	ck_assert_int_eq(validate_on(env.provider, token, MCP), PROAUTH2_ERR_INVALID_TOKEN);
	next = cc_token(env.provider, c, MCP, NULL);
	ck_assert_int_eq(validate_on(env.provider, next, MCP), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_signing_keys_rotate_now(env.provider, NULL), PROAUTH2_OK);
	ck_assert_int_eq(validate_on(env.provider, next, MCP), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_on(env.provider, next, NULL), PROAUTH2_ERR_INVALID_TOKEN);
	free(token);
	free(next);
	proauth2_client_free(c);
}
END_TEST

struct validator {
	const char *token;
	unsigned ok;
};

enum { VALIDATORS = 4, VALIDATIONS = 200 };

static void *validate_kept(void *arg)
{
	struct validator *v = arg;
	unsigned i;

	for (i = 0; i < VALIDATIONS; i++)
		v->ok += validate_on(env.provider, v->token, MCP) == PROAUTH2_OK;
	return NULL;
}

/* Every thread reads the one kept JWT, shared, not copied. */
START_TEST(threads_share_a_kept_jwt)
{
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	char *token = cc_token(env.provider, c, MCP, NULL);
	struct validator v[VALIDATORS];
	pthread_t th[VALIDATORS];
	int i;

	ck_assert_int_eq(validate_on(env.provider, token, MCP), PROAUTH2_OK);
	for (i = 0; i < VALIDATORS; i++) {
		v[i] = (struct validator){.token = token};
		ck_assert_int_eq(pthread_create(&th[i], NULL, validate_kept, &v[i]), 0);
	}
	for (i = 0; i < VALIDATORS; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < VALIDATORS; i++)
		ck_assert_uint_eq(v[i].ok, VALIDATIONS);
	ck_assert_int_eq(validate_on(env.provider, token, API), PROAUTH2_ERR_INVALID_TOKEN);
	free(token);
	proauth2_client_free(c);
}
END_TEST

/* A key set wiped and made again names a new key by an old kid: a token
 * the old key signed, kept since its first use, fails as its signature
 * would. */
START_TEST(a_kept_jwt_is_bound_to_its_key_not_its_kid)
{
	proauth2_datastore *ds_b = NULL;
	proauth2_provider *b = env_open_provider_with(&ds_b, jwt_config);
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	char *old = cc_token(env.provider, c, MCP, NULL), *remade, *kid;
	json_t *query;
	size_t removed = 0;

	register_resources(b);
	ck_assert_int_eq(validate_on(env.provider, old, MCP), PROAUTH2_OK);
	kid = strdup(kid_of(old));
	query = json_pack("{s:s}", "kid", kid);
	ck_assert_int_eq(proauth2_datastore_remove(env.ds, "signing_keys", query,
			&removed, NULL), PROAUTH2_OK);
	json_decref(query);
	ck_assert_uint_eq(removed, 1);
	remade = cc_token(b, c, MCP, NULL);
	ck_assert_str_eq(kid_of(remade), kid);
	env.now += CACHE;  /* env.provider reads the set again */
	ck_assert_int_eq(validate_on(env.provider, remade, MCP), PROAUTH2_OK);
	ck_assert_int_eq(validate_on(env.provider, old, MCP), PROAUTH2_ERR_INVALID_TOKEN);
	free(old);
	free(remade);
	free(kid);
	proauth2_client_free(c);
	proauth2_provider_free(b);
	proauth2_datastore_close(ds_b);
}
END_TEST

static Suite *jwt_suite(void)
{
	Suite *s = suite_create("jwt");
	TCase *tc = tcase_create("tokens");

	tcase_add_checked_fixture(tc, jwt_setup, env_teardown);
	tcase_add_test(tc, client_credentials_token_is_an_rfc9068_jwt);
	tcase_add_test(tc, tampered_and_foreign_tokens_are_refused);
	tcase_add_test(tc, a_kept_jwt_is_checked_again_on_every_use);
	tcase_add_test(tc, threads_share_a_kept_jwt);
	tcase_add_test(tc, code_grant_jwts_refresh_and_introspect);
	tcase_add_test(tc, every_algorithm_signs_and_verifies);
	tcase_add_test(tc, private_keys_are_sealed_at_rest);
	tcase_add_test(tc, configuration_is_checked);
	tcase_add_test(tc, jwks_and_metadata_over_http);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	/* Several processes share a file or a server; a memory database is
	 * one process's alone. */
	if (strcmp(env_backend(), "sqlite-memory") != 0) {
		tc = tcase_create("rotation");
		tcase_add_checked_fixture(tc, jwt_setup, env_teardown);
		tcase_add_test(tc, three_keys_rotate_across_two_processes);
		tcase_add_test(tc, processes_racing_to_make_a_key_agree);
		tcase_add_test(tc, rotate_now_retires_the_key_at_once);
		tcase_add_test(tc, a_kept_jwt_is_bound_to_its_key_not_its_kid);
		tcase_set_timeout(tc, 120);
		suite_add_tcase(s, tc);
	} else {
		printf("not on sqlite-memory: the rotation across processes "
				"(a memory database has one process)\n");
	}
	tc = tcase_create("datastore");
	tcase_add_checked_fixture(tc, faulty_env_setup, faulty_env_teardown);
	tcase_add_test(tc, issuing_and_validating_touch_no_datastore);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(jwt_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
