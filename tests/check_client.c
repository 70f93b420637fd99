/* Client registration, management and authentication. */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define PUB PROAUTH2_CLIENT_PUBLIC
#define CODE_GRANTS (PROAUTH2_GRANT_AUTHORIZATION_CODE | PROAUTH2_GRANT_REFRESH_TOKEN)

static proauth2_status register_with(const proauth2_client_params *params)
{
	proauth2_client *client = NULL;
	proauth2_error err = {0};
	proauth2_status status = proauth2_client_register(env.provider, params,
			&client, &err);

	if (status == PROAUTH2_OK)
		ck_assert_ptr_nonnull(client);
	else
		ck_assert_ptr_null(client);
	ck_assert_int_eq(status == PROAUTH2_OK, err.status == PROAUTH2_OK);
	proauth2_client_free(client);
	return status;
}

START_TEST(register_confidential_returns_secret_once)
{
	proauth2_client *c = register_client(CONF, 0, "read write");
	proauth2_client *again = NULL;

	ck_assert_uint_eq(strlen(c->client_id), 36);  /* a UUID */
	ck_assert_ptr_nonnull(c->client_secret);
	ck_assert_uint_eq(strlen(c->client_secret), 43);  /* 256 bits, base64url */
	ck_assert_int_eq(c->type, CONF);
	ck_assert_uint_eq(c->grant_types, CODE_GRANTS);  /* the default */
	ck_assert_str_eq(c->scope, "read write");
	ck_assert_str_eq(c->name, "Test client");
	ck_assert_uint_eq(c->n_redirect_uris, 2);
	ck_assert_str_eq(c->redirect_uris[0], REDIRECT_URI);
	ck_assert_int_eq(c->created_at, env.now);

	ck_assert_int_eq(proauth2_client_get(env.provider, c->client_id, &again, NULL),
			PROAUTH2_OK);
	ck_assert_str_eq(again->client_id, c->client_id);
	ck_assert_ptr_null(again->client_secret);
	ck_assert_str_eq(again->scope, "read write");
	ck_assert_uint_eq(again->n_redirect_uris, 2);
	proauth2_client_free(again);
	proauth2_client_free(c);
}
END_TEST

START_TEST(register_public_has_no_secret)
{
	proauth2_client *c = register_client(PUB, CODE_GRANTS, "read");

	ck_assert_ptr_null(c->client_secret);
	ck_assert_int_eq(c->type, PUB);
	ck_assert_int_eq(proauth2_client_authenticate(env.provider, c->client_id,
			NULL, NULL, NULL), PROAUTH2_OK);
	/* A public client presenting a secret is not what it registered as. */
	ck_assert_int_eq(proauth2_client_authenticate(env.provider, c->client_id,
			"anything", NULL, NULL), PROAUTH2_ERR_INVALID_CLIENT);
	proauth2_client_free(c);
}
END_TEST

START_TEST(client_ids_are_unique)
{
	proauth2_client *a = register_client(CONF, 0, "read");
	proauth2_client *b = register_client(CONF, 0, "read");

	ck_assert_str_ne(a->client_id, b->client_id);
	ck_assert_str_ne(a->client_secret, b->client_secret);
	proauth2_client_free(a);
	proauth2_client_free(b);
}
END_TEST

/* A client registered under the id the host chose. */
static proauth2_client *register_chosen(const char *id, proauth2_client_type type,
		unsigned grants)
{
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params p;
	proauth2_client *c = NULL;
	proauth2_error err = {0};

	proauth2_client_params_init(&p);
	p.client_id = id;
	p.type = type;
	p.grant_types = grants;
	p.redirect_uris = uris;
	p.n_redirect_uris = 1;
	p.scope = "read";
	ck_assert_msg(proauth2_client_register(env.provider, &p, &c, &err) ==
			PROAUTH2_OK, "%s: %s", id, err.text);
	return c;
}

START_TEST(chosen_client_id_is_stored_and_used)
{
	proauth2_client *c = register_chosen("exampleservice.domainconnect.org", CONF,
			CODE_GRANTS | PROAUTH2_GRANT_CLIENT_CREDENTIALS);
	proauth2_client *pub = register_chosen("dracoon_legacy_scripting", PUB,
			CODE_GRANTS);
	proauth2_client *read = NULL;
	proauth2_token_response *t = NULL;
	proauth2_token_info *info = NULL;
	char *code;

	ck_assert_str_eq(c->client_id, "exampleservice.domainconnect.org");
	ck_assert_ptr_nonnull(c->client_secret);
	ck_assert_int_eq(proauth2_client_get(env.provider,
			"exampleservice.domainconnect.org", &read, NULL), PROAUTH2_OK);
	ck_assert_str_eq(read->client_id, c->client_id);
	proauth2_client_free(read);
	/* The code flow and client_credentials, under that id. */
	code = issue_code(c, "read", 1);
	t = exchange_code(c, code, 1);
	ck_assert_int_eq(proauth2_token_validate(env.provider, t->access_token, &info,
			NULL), PROAUTH2_OK);
	ck_assert_str_eq(info->client_id, "exampleservice.domainconnect.org");
	proauth2_token_info_free(info);
	proauth2_token_response_free(t);
	free(code);
	ck_assert_int_eq(client_credentials_with(c->client_id, c->client_secret, "read",
			&t), PROAUTH2_OK);
	proauth2_token_response_free(t);
	code = issue_code(pub, "read", 1);
	t = exchange_code(pub, code, 1);
	proauth2_token_response_free(t);
	free(code);
	proauth2_client_free(pub);
	proauth2_client_free(c);
}
END_TEST

START_TEST(taken_client_id_is_a_conflict)
{
	proauth2_client *c = register_chosen("dracoon_legacy_scripting", PUB, CODE_GRANTS);
	proauth2_client *uuid = register_client(CONF, 0, "read");
	proauth2_client *again = NULL;
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params p;
	proauth2_error err = {0};

	proauth2_client_params_init(&p);
	p.client_id = "dracoon_legacy_scripting";
	p.redirect_uris = uris;
	p.n_redirect_uris = 1;
	ck_assert_int_eq(proauth2_client_register(env.provider, &p, &again, &err),
			PROAUTH2_ERR_CONFLICT);
	ck_assert_ptr_null(again);
	ck_assert_str_eq(err.text, "client_id 'dracoon_legacy_scripting' is taken");
	/* A generated id is taken the same way; the first stays as it was. */
	p.client_id = uuid->client_id;
	ck_assert_int_eq(register_with(&p), PROAUTH2_ERR_CONFLICT);
	ck_assert_int_eq(proauth2_client_get(env.provider, "dracoon_legacy_scripting",
			&again, NULL), PROAUTH2_OK);
	ck_assert_int_eq(again->type, PUB);
	proauth2_client_free(again);
	proauth2_client_free(uuid);
	proauth2_client_free(c);
}
END_TEST

START_TEST(bad_client_ids_are_refused)
{
	static const char *const bad[] = {"", "a:b", "a b", "a/b", "a%41", "a+b",
		"a\"b", "a\\b", "a\nb", "a\rSet-Cookie:x", "\xc3\xa9t\xc3\xa9", "a?b",
		"a#b", "a&b=c"};
	char longest[PROAUTH2_CLIENT_ID_MAX_LENGTH + 2];
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params p;
	proauth2_client *c;
	proauth2_error err = {0};
	size_t i;

	proauth2_client_params_init(&p);
	p.redirect_uris = uris;
	p.n_redirect_uris = 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p.client_id = bad[i];
		ck_assert_msg(register_with(&p) == PROAUTH2_ERR_INVALID_REQUEST,
				"accepted '%s'", bad[i]);
	}
	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';  /* one byte too long */
	p.client_id = longest;
	ck_assert_int_eq(proauth2_client_register(env.provider, &p, &c, &err),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_str_eq(err.text, "client_id must be 1 to 128 bytes");
	longest[sizeof(longest) - 2] = '\0';
	c = register_chosen(longest, CONF, 0);
	proauth2_client_free(c);
	c = register_chosen("A-Z.a_z~09", CONF, 0);
	proauth2_client_free(c);
}
END_TEST

/* One of two registrations racing for one id. */
typedef struct racer {
	proauth2_provider *provider;
	pthread_barrier_t *start;
	const char *id;
	proauth2_status status;
} racer;

static void *race(void *arg)
{
	racer *r = arg;
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params p;
	proauth2_client *c = NULL;

	proauth2_client_params_init(&p);
	p.client_id = r->id;
	p.redirect_uris = uris;
	p.n_redirect_uris = 1;
	pthread_barrier_wait(r->start);
	r->status = proauth2_client_register(r->provider, &p, &c, NULL);
	proauth2_client_free(c);
	return NULL;
}

START_TEST(racing_registrations_of_one_id_have_one_winner)
{
	proauth2_datastore *other_ds = NULL;
	/* Another process on the same datastore; one in-memory database has
	 * no other, so there the two threads share the provider. */
	bool shared = strcmp(env_backend(), "sqlite-memory") == 0;
	proauth2_provider *other = shared ? env.provider : env_open_provider(&other_ds);
	pthread_barrier_t start;
	pthread_t threads[2];
	racer r[2];
	char id[32];
	int round, i, wins;

	for (round = 0; round < 10; round++) {
		snprintf(id, sizeof(id), "raced.client.%d", round);
		pthread_barrier_init(&start, NULL, 2);
		for (i = 0; i < 2; i++) {
			r[i] = (racer){i == 0 ? env.provider : other, &start, id, 0};
			ck_assert_int_eq(pthread_create(&threads[i], NULL, race, &r[i]), 0);
		}
		for (i = 0, wins = 0; i < 2; i++) {
			pthread_join(threads[i], NULL);
			wins += r[i].status == PROAUTH2_OK;
			ck_assert(r[i].status == PROAUTH2_OK ||
					r[i].status == PROAUTH2_ERR_CONFLICT);
		}
		pthread_barrier_destroy(&start);
		ck_assert_int_eq(wins, 1);
	}
	if (!shared) {
		proauth2_provider_free(other);
		proauth2_datastore_close(other_ds);
	}
}
END_TEST

START_TEST(authenticate_checks_secret)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	proauth2_client *out = NULL;
	proauth2_error err = {0};
	char wrong[64];

	ck_assert_int_eq(proauth2_client_authenticate(env.provider, c->client_id,
			c->client_secret, &out, &err), PROAUTH2_OK);
	ck_assert_str_eq(out->client_id, c->client_id);
	proauth2_client_free(out);

	strcpy(wrong, c->client_secret);
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(proauth2_client_authenticate(env.provider, c->client_id,
			wrong, &out, &err), PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(err.status, PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_str_eq(proauth2_status_oauth_error(err.status), "invalid_client");
	ck_assert_int_eq(proauth2_client_authenticate(env.provider, c->client_id,
			NULL, NULL, NULL), PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_int_eq(proauth2_client_authenticate(env.provider, c->client_id,
			"", NULL, NULL), PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_int_eq(proauth2_client_authenticate(env.provider,
			"00000000-0000-0000-0000-000000000000", c->client_secret, NULL, NULL),
			PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_int_eq(proauth2_client_authenticate(env.provider, NULL,
			c->client_secret, NULL, NULL), PROAUTH2_ERR_INVALID_CLIENT);
	proauth2_client_free(c);
}
END_TEST

START_TEST(register_refuses_bad_params)
{
	const char *fragment[] = {"https://client.example.com/cb#frag"};
	const char *relative[] = {"/cb"};
	const char *spaced[] = {"https://client.example.com/a b"};
	const char *null_uri[] = {NULL};
	const char *good[] = {REDIRECT_URI};
	proauth2_client_params p = {.struct_size = sizeof(proauth2_client_params),
		.type = CONF, .redirect_uris = good,
		.n_redirect_uris = 1, .scope = "read"};
	proauth2_client_params bad;

	bad = p, bad.redirect_uris = fragment;
	ck_assert_int_eq(register_with(&bad), PROAUTH2_ERR_INVALID_REDIRECT_URI);
	bad = p, bad.redirect_uris = relative;
	ck_assert_int_eq(register_with(&bad), PROAUTH2_ERR_INVALID_REDIRECT_URI);
	bad = p, bad.redirect_uris = spaced;
	ck_assert_int_eq(register_with(&bad), PROAUTH2_ERR_INVALID_REDIRECT_URI);
	bad = p, bad.redirect_uris = null_uri;
	ck_assert_int_eq(register_with(&bad), PROAUTH2_ERR_INVALID_REDIRECT_URI);
	bad = p, bad.n_redirect_uris = 0;  /* code grant needs a URI */
	ck_assert_int_eq(register_with(&bad), PROAUTH2_ERR_INVALID_REDIRECT_URI);
	bad = p, bad.type = PUB, bad.grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS;
	ck_assert_int_eq(register_with(&bad), PROAUTH2_ERR_INVALID_REQUEST);
	bad = p, bad.grant_types = 0x100;
	ck_assert_int_eq(register_with(&bad), PROAUTH2_ERR_INVALID_REQUEST);
	bad = p, bad.type = (proauth2_client_type)7;
	ck_assert_int_eq(register_with(&bad), PROAUTH2_ERR_INVALID_REQUEST);
	bad = p, bad.scope = "read delete";  /* not supported by the provider */
	ck_assert_int_eq(register_with(&bad), PROAUTH2_ERR_INVALID_SCOPE);
	bad = p, bad.scope = "read  write";
	ck_assert_int_eq(register_with(&bad), PROAUTH2_ERR_INVALID_SCOPE);
	ck_assert_int_eq(register_with(&p), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_client_register(env.provider, &p, NULL, NULL),
			PROAUTH2_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(update_replaces_settings_and_keeps_secret)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	const char *uris[] = {"https://new.example.com/cb"};
	proauth2_client_params p = {.struct_size = sizeof(proauth2_client_params),
		.type = CONF, .redirect_uris = uris,
		.n_redirect_uris = 1, .scope = "read write",
		.grant_types = CODE_GRANTS | PROAUTH2_GRANT_CLIENT_CREDENTIALS,
		.name = "Renamed"};
	proauth2_client *u = NULL;

	ck_assert_int_eq(proauth2_client_update(env.provider, c->client_id, &p, &u, NULL),
			PROAUTH2_OK);
	ck_assert_str_eq(u->scope, "read write");
	ck_assert_str_eq(u->name, "Renamed");
	ck_assert_uint_eq(u->n_redirect_uris, 1);
	ck_assert_str_eq(u->redirect_uris[0], "https://new.example.com/cb");
	ck_assert_uint_eq(u->grant_types, p.grant_types);
	ck_assert_ptr_null(u->client_secret);
	ck_assert_int_eq(u->created_at, c->created_at);
	proauth2_client_free(u);
	ck_assert_int_eq(proauth2_client_authenticate(env.provider, c->client_id,
			c->client_secret, NULL, NULL), PROAUTH2_OK);

	p.type = PUB;
	ck_assert_int_eq(proauth2_client_update(env.provider, c->client_id, &p, NULL, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	p.type = CONF;
	p.scope = "root";
	ck_assert_int_eq(proauth2_client_update(env.provider, c->client_id, &p, NULL, NULL),
			PROAUTH2_ERR_INVALID_SCOPE);
	ck_assert_int_eq(proauth2_client_update(env.provider,
			"00000000-0000-0000-0000-000000000000", &p, NULL, NULL),
			PROAUTH2_ERR_NOT_FOUND);
	/* The refused updates left the stored client as it was. */
	ck_assert_int_eq(proauth2_client_get(env.provider, c->client_id, &u, NULL),
			PROAUTH2_OK);
	ck_assert_str_eq(u->scope, "read write");
	proauth2_client_free(u);
	proauth2_client_free(c);
}
END_TEST

START_TEST(rotate_secret_retires_old_one)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	proauth2_client *r = NULL, *pub = register_client(PUB, 0, "read");

	ck_assert_int_eq(proauth2_client_rotate_secret(env.provider, c->client_id, &r, NULL),
			PROAUTH2_OK);
	ck_assert_ptr_nonnull(r->client_secret);
	ck_assert_str_ne(r->client_secret, c->client_secret);
	ck_assert_int_eq(proauth2_client_authenticate(env.provider, c->client_id,
			c->client_secret, NULL, NULL), PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_int_eq(proauth2_client_authenticate(env.provider, c->client_id,
			r->client_secret, NULL, NULL), PROAUTH2_OK);
	proauth2_client_free(r);
	r = NULL;
	ck_assert_int_eq(proauth2_client_rotate_secret(env.provider, pub->client_id,
			&r, NULL), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_null(r);
	proauth2_client_free(pub);
	proauth2_client_free(c);
}
END_TEST

START_TEST(delete_removes_codes_and_tokens)
{
	proauth2_client *c = register_client(CONF,
			CODE_GRANTS | PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	proauth2_client *other = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	char *pending = issue_code(c, "read", 1);
	char *other_code = issue_code(other, "read", 1);
	proauth2_token_response *t = exchange_code(c, code, 1);
	proauth2_token_response *kept = exchange_code(other, other_code, 1);
	proauth2_token_response *r = NULL;
	proauth2_code_exchange late = {sizeof(proauth2_code_exchange),
			c->client_id, c->client_secret, pending,
		REDIRECT_URI, RFC7636_VERIFIER, PROAUTH2_AUTH_METHOD_ANY, NULL};
	proauth2_client *gone = NULL;

	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_client_delete(env.provider, c->client_id, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(proauth2_client_get(env.provider, c->client_id, &gone, NULL),
			PROAUTH2_ERR_NOT_FOUND);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, NULL, &r),
			PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_int_eq(proauth2_token_exchange_code(env.provider, &late, &r, NULL),
			PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_ptr_null(r);
	/* Another client's tokens stay. */
	ck_assert_int_eq(validate_status(kept->access_token), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_client_delete(env.provider, c->client_id, NULL),
			PROAUTH2_ERR_NOT_FOUND);
	proauth2_token_response_free(t);
	proauth2_token_response_free(kept);
	proauth2_secret_free(code);
	proauth2_secret_free(pending);
	proauth2_secret_free(other_code);
	proauth2_client_free(other);
	proauth2_client_free(c);
}
END_TEST

START_TEST(dynamic_registration_token_manages_only_its_client)
{
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params params = {.struct_size = sizeof(params),
		.type = CONF, .redirect_uris = uris,
		.n_redirect_uris = 1, .scope = "read"};
	proauth2_client *c = NULL, *other = register_client(CONF, 0, "read");
	char *token = NULL, *again = NULL;
	proauth2_error err = {0};

	ck_assert_int_eq(proauth2_client_register_dynamic(env.provider, &params, &c,
			&token, &err), PROAUTH2_OK);
	ck_assert_ptr_nonnull(c->client_secret);
	ck_assert_uint_eq(strlen(token), 43);
	ck_assert_int_eq(proauth2_client_verify_registration_token(env.provider,
			c->client_id, token, &err), PROAUTH2_OK);
	/* Not another client's, not the secret, not for a host-registered one. */
	ck_assert_int_eq(proauth2_client_verify_registration_token(env.provider,
			other->client_id, token, &err), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(proauth2_client_verify_registration_token(env.provider,
			c->client_id, c->client_secret, &err), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(proauth2_client_verify_registration_token(env.provider,
			"00000000-0000-0000-0000-000000000000", token, &err),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(proauth2_client_verify_registration_token(env.provider,
			c->client_id, NULL, NULL), PROAUTH2_ERR_INVALID_TOKEN);
	/* Rotating the secret leaves the registration token as it was. */
	proauth2_client_free(other);
	ck_assert_int_eq(proauth2_client_rotate_secret(env.provider, c->client_id,
			&other, NULL), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_client_verify_registration_token(env.provider,
			c->client_id, token, NULL), PROAUTH2_OK);
	/* A refused registration hands out nothing. */
	proauth2_client_free(c);
	params.n_redirect_uris = 0;
	ck_assert_int_eq(proauth2_client_register_dynamic(env.provider, &params,
			&c, &again, &err), PROAUTH2_ERR_INVALID_REDIRECT_URI);
	ck_assert_ptr_null(again);
	ck_assert_ptr_null(c);
	proauth2_secret_free(token);
	proauth2_client_free(other);
}
END_TEST

/* Register a client_credentials client with params tweaked by the test. */
static proauth2_client *register_cc(const char *resource, proauth2_auth_method method)
{
	proauth2_client_params p;
	proauth2_client *c = NULL;
	proauth2_error err = {0};

	proauth2_client_params_init(&p);
	p.grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS;
	p.scope = "read";
	p.resource = resource;
	p.token_endpoint_auth_method = method;
	ck_assert_msg(proauth2_client_register(env.provider, &p, &c, &err) == PROAUTH2_OK,
			"%s", err.text);
	return c;
}

START_TEST(resource_is_an_absolute_https_or_loopback_uri)
{
	static const char *const good[] = {
		"https://api.example.com", "https://api.example.com/v1?tenant=a",
		"http://127.0.0.1:8080/api", "http://localhost/api", "http://[::1]/",
	};
	static const char *const bad[] = {
		"http://api.example.com/", "https://api.example.com/#part", "/api",
		"", "urn:example:api", "https:///api", "https://user@api.example.com/",
		"https://api.example.com/a b", "javascript:alert(1)",
	};
	char huge[2100];
	proauth2_client_params p;
	proauth2_client *c = NULL, *u = NULL;
	proauth2_error err = {0};
	size_t i;

	proauth2_client_params_init(&p);
	p.grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		p.resource = good[i];
		ck_assert_msg(proauth2_client_register(env.provider, &p, &c, &err) ==
				PROAUTH2_OK, "%s: %s", good[i], err.text);
		ck_assert_str_eq(c->resource, good[i]);
		proauth2_client_free(c);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p.resource = bad[i];
		ck_assert_msg(register_with(&p) == PROAUTH2_ERR_INVALID_REQUEST, "%s", bad[i]);
	}
	memset(huge, 'a', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	memcpy(huge, "https://", 8);
	p.resource = huge;
	ck_assert_int_eq(register_with(&p), PROAUTH2_ERR_INVALID_REQUEST);
	/* A public client's id is no credential to introspect with. */
	p.type = PUB;
	p.grant_types = 0;
	p.redirect_uris = (const char *[]){"https://app.example.com/cb"};
	p.n_redirect_uris = 1;
	p.resource = "https://api.example.com/";
	ck_assert_int_eq(proauth2_client_register(env.provider, &p, &c, &err),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_nonnull(strstr(err.text, "confidential"));
	proauth2_client_params_init(&p);
	p.grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS;

	/* Stored, read back, kept by a rotation, changed and cleared by the host. */
	c = register_cc("https://api.example.com/", PROAUTH2_AUTH_METHOD_ANY);
	ck_assert_int_eq(proauth2_client_get(env.provider, c->client_id, &u, NULL),
			PROAUTH2_OK);
	ck_assert_str_eq(u->resource, "https://api.example.com/");
	proauth2_client_free(u);
	ck_assert_int_eq(proauth2_client_rotate_secret(env.provider, c->client_id, &u,
			NULL), PROAUTH2_OK);
	ck_assert_str_eq(u->resource, "https://api.example.com/");
	proauth2_client_free(u);
	p.resource = "https://other.example.com/";
	ck_assert_int_eq(proauth2_client_update(env.provider, c->client_id, &p, &u, NULL),
			PROAUTH2_OK);
	ck_assert_str_eq(u->resource, "https://other.example.com/");
	proauth2_client_free(u);
	p.resource = NULL;
	ck_assert_int_eq(proauth2_client_update(env.provider, c->client_id, &p, &u, NULL),
			PROAUTH2_OK);
	ck_assert_ptr_null(u->resource);
	proauth2_client_free(u);
	proauth2_client_free(c);
}
END_TEST

START_TEST(auth_method_fits_the_type_and_is_honoured)
{
	proauth2_client *any = register_cc(NULL, PROAUTH2_AUTH_METHOD_ANY);
	proauth2_client *post = register_cc(NULL, PROAUTH2_AUTH_METHOD_CLIENT_SECRET_POST);
	proauth2_client *pub = register_client(PUB, 0, "read"), *out = NULL;
	proauth2_client_params p;
	proauth2_client_credentials_request cr;
	proauth2_token_response *t = NULL;
	proauth2_error err = {0};

	proauth2_client_params_init(&p);
	p.grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS;
	p.token_endpoint_auth_method = PROAUTH2_AUTH_METHOD_NONE;
	ck_assert_int_eq(register_with(&p), PROAUTH2_ERR_INVALID_REQUEST);
	p.token_endpoint_auth_method = (proauth2_auth_method)9;
	ck_assert_int_eq(register_with(&p), PROAUTH2_ERR_INVALID_REQUEST);
	p.type = PUB;
	p.grant_types = PROAUTH2_GRANT_AUTHORIZATION_CODE;
	p.redirect_uris = (const char *const[]){REDIRECT_URI};
	p.n_redirect_uris = 1;
	p.token_endpoint_auth_method = PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC;
	ck_assert_int_eq(register_with(&p), PROAUTH2_ERR_INVALID_REQUEST);
	p.token_endpoint_auth_method = PROAUTH2_AUTH_METHOD_NONE;
	ck_assert_int_eq(register_with(&p), PROAUTH2_OK);

	/* The host's default: whatever the type allows. */
	ck_assert_int_eq(any->token_endpoint_auth_method, PROAUTH2_AUTH_METHOD_ANY);
	ck_assert_int_eq(proauth2_client_authenticate_method(env.provider, any->client_id,
			any->client_secret, PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC, NULL,
			NULL), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_client_authenticate_method(env.provider, any->client_id,
			any->client_secret, PROAUTH2_AUTH_METHOD_CLIENT_SECRET_POST, NULL,
			NULL), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_client_authenticate_method(env.provider, pub->client_id,
			NULL, PROAUTH2_AUTH_METHOD_NONE, NULL, NULL), PROAUTH2_OK);

	/* A registered method: the right secret the wrong way is refused. */
	ck_assert_int_eq(post->token_endpoint_auth_method,
			PROAUTH2_AUTH_METHOD_CLIENT_SECRET_POST);
	ck_assert_int_eq(proauth2_client_authenticate_method(env.provider, post->client_id,
			post->client_secret, PROAUTH2_AUTH_METHOD_CLIENT_SECRET_POST, &out,
			NULL), PROAUTH2_OK);
	ck_assert_int_eq(out->token_endpoint_auth_method,
			PROAUTH2_AUTH_METHOD_CLIENT_SECRET_POST);
	proauth2_client_free(out);
	ck_assert_int_eq(proauth2_client_authenticate_method(env.provider, post->client_id,
			post->client_secret, PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC, &out,
			&err), PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_ptr_null(out);
	/* Not said: only the secret counts (the API before the method). */
	ck_assert_int_eq(proauth2_client_authenticate(env.provider, post->client_id,
			post->client_secret, NULL, NULL), PROAUTH2_OK);
	/* The grants check it too. */
	proauth2_client_credentials_request_init(&cr);
	cr.client_id = post->client_id;
	cr.client_secret = post->client_secret;
	cr.auth_method = PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC;
	ck_assert_int_eq(proauth2_token_client_credentials(env.provider, &cr, &t, NULL),
			PROAUTH2_ERR_INVALID_CLIENT);
	cr.auth_method = PROAUTH2_AUTH_METHOD_CLIENT_SECRET_POST;
	ck_assert_int_eq(proauth2_token_client_credentials(env.provider, &cr, &t, NULL),
			PROAUTH2_OK);
	proauth2_token_response_free(t);

	/* Updated by the host. */
	p.type = CONF;
	p.grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS;
	p.n_redirect_uris = 0;
	p.token_endpoint_auth_method = PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC;
	ck_assert_int_eq(proauth2_client_update(env.provider, post->client_id, &p, &out,
			NULL), PROAUTH2_OK);
	ck_assert_int_eq(out->token_endpoint_auth_method,
			PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC);
	proauth2_client_free(out);
	ck_assert_int_eq(proauth2_client_authenticate_method(env.provider, post->client_id,
			post->client_secret, PROAUTH2_AUTH_METHOD_CLIENT_SECRET_POST, NULL,
			NULL), PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_str_eq(proauth2_auth_method_name(PROAUTH2_AUTH_METHOD_CLIENT_SECRET_POST),
			"client_secret_post");
	ck_assert_ptr_null(proauth2_auth_method_name(PROAUTH2_AUTH_METHOD_ANY));
	ck_assert_int_eq(proauth2_auth_method_parse("none"), PROAUTH2_AUTH_METHOD_NONE);
	ck_assert_int_eq(proauth2_auth_method_parse("None"), PROAUTH2_AUTH_METHOD_ANY);
	ck_assert_int_eq(proauth2_auth_method_parse(NULL), PROAUTH2_AUTH_METHOD_ANY);
	proauth2_client_free(pub);
	proauth2_client_free(post);
	proauth2_client_free(any);
}
END_TEST

/* Drop field from client_id's stored record (or set it to value). */
static void rewrite_record(const char *client_id, const char *field, const char *value)
{
	json_t *query = json_pack("{s:s}", "client_id", client_id), *record = NULL;
	proauth2_error err = {0};

	ck_assert_int_eq(proauth2_datastore_fetch(env.ds, "clients", query, env.now,
			&record, &err), PROAUTH2_OK);
	if (value != NULL)
		json_object_set_new(record, field, json_string(value));
	else
		json_object_del(record, field);
	ck_assert_msg(proauth2_datastore_replace(env.ds, "clients", record, &err) ==
			PROAUTH2_OK, "%s", err.text);
	json_decref(record);
	json_decref(query);
}

START_TEST(clients_stored_before_schema_4_take_any_method)
{
	proauth2_client *c = register_cc("https://api.example.com/",
			PROAUTH2_AUTH_METHOD_CLIENT_SECRET_POST), *out = NULL;

	/* As a schema 3 datastore holds it: neither field. */
	rewrite_record(c->client_id, "token_endpoint_auth_method", NULL);
	rewrite_record(c->client_id, "resource", NULL);
	ck_assert_int_eq(proauth2_client_get(env.provider, c->client_id, &out, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(out->token_endpoint_auth_method, PROAUTH2_AUTH_METHOD_ANY);
	ck_assert_ptr_null(out->resource);
	proauth2_client_free(out);
	ck_assert_int_eq(proauth2_client_authenticate_method(env.provider, c->client_id,
			c->client_secret, PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC, NULL,
			NULL), PROAUTH2_OK);
	/* A method this library does not know allows nothing. */
	rewrite_record(c->client_id, "token_endpoint_auth_method", "private_key_jwt");
	ck_assert_int_eq(proauth2_client_authenticate_method(env.provider, c->client_id,
			c->client_secret, PROAUTH2_AUTH_METHOD_CLIENT_SECRET_POST, NULL,
			NULL), PROAUTH2_ERR_INVALID_CLIENT);
	proauth2_client_free(c);
}
END_TEST

START_TEST(params_of_an_older_caller_take_the_defaults)
{
	proauth2_client_params p;
	proauth2_client *c = NULL;

	/* Compiled before resource and token_endpoint_auth_method: what lies
	 * past its struct_size is not read. */
	proauth2_client_params_init(&p);
	p.grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS;
	p.resource = "not a URI";
	p.token_endpoint_auth_method = (proauth2_auth_method)9;
	p.struct_size = offsetof(proauth2_client_params, token_endpoint_auth_method);
	ck_assert_int_eq(proauth2_client_register(env.provider, &p, &c, NULL), PROAUTH2_OK);
	ck_assert_ptr_null(c->resource);
	ck_assert_int_eq(c->token_endpoint_auth_method, PROAUTH2_AUTH_METHOD_ANY);
	proauth2_client_free(c);
}
END_TEST

START_TEST(redirect_target_is_exact_or_the_only_one)
{
	const char *one[] = {REDIRECT_URI};
	proauth2_client_params params = {.struct_size = sizeof(params),
		.type = CONF, .redirect_uris = one,
		.n_redirect_uris = 1, .scope = "read"};
	proauth2_client *two = register_client(CONF, 0, "read"), *single = NULL;
	const char *asked = "https://client.example.com/other";

	ck_assert_ptr_eq(proauth2_client_redirect_target(two, asked), asked);
	ck_assert_ptr_eq(proauth2_client_redirect_target(two, REDIRECT_URI), REDIRECT_URI);
	/* Two are registered, so none is implied; a near miss is a miss. */
	ck_assert_ptr_null(proauth2_client_redirect_target(two, NULL));
	ck_assert_ptr_null(proauth2_client_redirect_target(two,
			"https://client.example.com/cb/"));
	ck_assert_ptr_null(proauth2_client_redirect_target(NULL, REDIRECT_URI));
	ck_assert_int_eq(proauth2_client_register(env.provider, &params, &single, NULL),
			PROAUTH2_OK);
	ck_assert_ptr_eq(proauth2_client_redirect_target(single, NULL),
			single->redirect_uris[0]);
	proauth2_client_free(single);
	proauth2_client_free(two);
}
END_TEST

static void enable_everything(proauth2_config *cfg)
{
	cfg->enable_registration = true;
	cfg->enable_password_grant = true;
	cfg->allow_plain_pkce = true;
}

static bool any_password(void *arg, const char *username, const char *password)
{
	(void)arg;
	return username != NULL && password != NULL;
}

static void enable_password_check(proauth2_config *cfg)
{
	enable_everything(cfg);
	cfg->check_password = any_password;
	cfg->supported_scopes = NULL;
}

START_TEST(provider_getters_report_the_config)
{
	ck_assert(!proauth2_provider_registration_enabled(env.provider));
	ck_assert(!proauth2_provider_password_grant_enabled(env.provider));
	ck_assert(!proauth2_provider_plain_pkce_allowed(env.provider));
	ck_assert_str_eq(proauth2_provider_supported_scopes(env.provider),
			"read write admin");
	env_reconfigure(enable_everything);
	ck_assert(proauth2_provider_registration_enabled(env.provider));
	/* Enabled, but without a check_password callback it cannot run. */
	ck_assert(!proauth2_provider_password_grant_enabled(env.provider));
	ck_assert(proauth2_provider_plain_pkce_allowed(env.provider));
	env_reconfigure(enable_password_check);
	ck_assert(proauth2_provider_password_grant_enabled(env.provider));
	ck_assert_ptr_null(proauth2_provider_supported_scopes(env.provider));
}
END_TEST

static Suite *client_suite(void)
{
	Suite *s = suite_create("client");
	TCase *tc = tcase_create("client");

	tcase_add_checked_fixture(tc, env_setup, env_teardown);
	tcase_add_test(tc, register_confidential_returns_secret_once);
	tcase_add_test(tc, register_public_has_no_secret);
	tcase_add_test(tc, client_ids_are_unique);
	tcase_add_test(tc, chosen_client_id_is_stored_and_used);
	tcase_add_test(tc, taken_client_id_is_a_conflict);
	tcase_add_test(tc, bad_client_ids_are_refused);
	tcase_add_test(tc, racing_registrations_of_one_id_have_one_winner);
	tcase_add_test(tc, authenticate_checks_secret);
	tcase_add_test(tc, register_refuses_bad_params);
	tcase_add_test(tc, update_replaces_settings_and_keeps_secret);
	tcase_add_test(tc, rotate_secret_retires_old_one);
	tcase_add_test(tc, delete_removes_codes_and_tokens);
	tcase_add_test(tc, dynamic_registration_token_manages_only_its_client);
	tcase_add_test(tc, provider_getters_report_the_config);
	tcase_add_test(tc, redirect_target_is_exact_or_the_only_one);
	tcase_add_test(tc, resource_is_an_absolute_https_or_loopback_uri);
	tcase_add_test(tc, auth_method_fits_the_type_and_is_honoured);
	tcase_add_test(tc, clients_stored_before_schema_4_take_any_method);
	tcase_add_test(tc, params_of_an_older_caller_take_the_defaults);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(client_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
