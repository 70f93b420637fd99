/* config.client_cache_lifetime: stored clients kept in memory, this
 * provider's changes at once, another process's within the lifetime. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define LIFETIME 30

static void cache_clients(proauth2_config *cfg)
{
	cfg->client_cache_lifetime = LIFETIME;
}

static proauth2_status authenticate(proauth2_provider *p, const proauth2_client *c,
		const char *secret)
{
	return proauth2_client_authenticate(p, c->client_id, secret, NULL, NULL);
}

START_TEST(this_providers_changes_take_effect_at_once)
{
	proauth2_client *c, *rotated = NULL, *updated = NULL;
	proauth2_token_response *t = NULL;
	proauth2_client_params params = {.struct_size = sizeof(params),
		.type = CONF, .scope = "write",
		.grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS};

	env_reconfigure(cache_clients);
	c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	ck_assert_int_eq(authenticate(env.provider, c, c->client_secret), PROAUTH2_OK);

	/* Rotation: the kept record had the old secret's hash. */
	ck_assert_int_eq(proauth2_client_rotate_secret(env.provider, c->client_id,
			&rotated, NULL), PROAUTH2_OK);
	ck_assert_int_eq(authenticate(env.provider, c, c->client_secret),
			PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_int_eq(authenticate(env.provider, c, rotated->client_secret), PROAUTH2_OK);

	/* Update: the scope the kept record allowed is gone. */
	ck_assert_int_eq(client_credentials_with(c->client_id, rotated->client_secret,
			"read", &t), PROAUTH2_OK);
	proauth2_token_response_free(t);
	t = NULL;
	ck_assert_int_eq(proauth2_client_update(env.provider, c->client_id, &params,
			&updated, NULL), PROAUTH2_OK);
	ck_assert_int_eq(client_credentials_with(c->client_id, rotated->client_secret,
			"read", &t), PROAUTH2_ERR_INVALID_SCOPE);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(client_credentials_with(c->client_id, rotated->client_secret,
			"write", &t), PROAUTH2_OK);
	proauth2_token_response_free(t);

	/* Deletion. */
	ck_assert_int_eq(proauth2_client_delete(env.provider, c->client_id, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(authenticate(env.provider, c, rotated->client_secret),
			PROAUTH2_ERR_INVALID_CLIENT);
	proauth2_client_free(updated);
	proauth2_client_free(rotated);
	proauth2_client_free(c);
}
END_TEST

/* Another process on the datastore: a change there reaches a caching
 * provider when its copy expires, and a provider without the cache at once. */
START_TEST(another_processes_changes_arrive_within_the_lifetime)
{
	proauth2_datastore *other_ds = NULL;
	proauth2_provider *other = env_open_provider(&other_ds);
	proauth2_client *c, *rotated = NULL;

	env_reconfigure(cache_clients);
	c = register_client(CONF, 0, "read");
	ck_assert_int_eq(authenticate(env.provider, c, c->client_secret), PROAUTH2_OK);
	ck_assert_int_eq(authenticate(other, c, c->client_secret), PROAUTH2_OK);

	ck_assert_int_eq(proauth2_client_rotate_secret(other, c->client_id, &rotated,
			NULL), PROAUTH2_OK);
	ck_assert_int_eq(authenticate(other, c, c->client_secret),
			PROAUTH2_ERR_INVALID_CLIENT);
	/* The documented staleness, no longer than the lifetime. */
	env.now += LIFETIME - 1;
	ck_assert_int_eq(authenticate(env.provider, c, c->client_secret), PROAUTH2_OK);
	ck_assert_int_eq(authenticate(env.provider, c, rotated->client_secret),
			PROAUTH2_ERR_INVALID_CLIENT);
	env.now += 1;
	ck_assert_int_eq(authenticate(env.provider, c, c->client_secret),
			PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_int_eq(authenticate(env.provider, c, rotated->client_secret), PROAUTH2_OK);

	/* The caching provider's own deletion reaches the other at once. */
	ck_assert_int_eq(proauth2_client_delete(env.provider, c->client_id, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(authenticate(other, c, rotated->client_secret),
			PROAUTH2_ERR_INVALID_CLIENT);
	proauth2_client_free(rotated);
	proauth2_client_free(c);
	proauth2_provider_free(other);
	proauth2_datastore_close(other_ds);
}
END_TEST

START_TEST(lifetime_is_bounded)
{
	static const int64_t lifetimes[] = {-1, PROAUTH2_CLIENT_CACHE_LIFETIME_MAX + 1,
		0, PROAUTH2_CLIENT_CACHE_LIFETIME_MAX};
	size_t i;

	for (i = 0; i < sizeof(lifetimes) / sizeof(lifetimes[0]); i++) {
		proauth2_provider *p = NULL;
		proauth2_error err = {0};
		proauth2_config cfg;
		bool valid = lifetimes[i] >= 0 &&
			lifetimes[i] <= PROAUTH2_CLIENT_CACHE_LIFETIME_MAX;

		proauth2_config_init(&cfg);
		ck_assert_int_eq(cfg.client_cache_lifetime, 0);  /* off by default */
		cfg.issuer = "https://auth.example.com";
		cfg.datastore = env.ds;
		cfg.client_cache_lifetime = lifetimes[i];
		ck_assert_int_eq(proauth2_provider_new(&cfg, &p, &err),
				valid ? PROAUTH2_OK : PROAUTH2_ERR_INVALID_ARGUMENT);
		if (!valid)
			ck_assert_ptr_nonnull(strstr(err.text, "client_cache_lifetime"));
		proauth2_provider_free(p);
	}
}
END_TEST

struct reader {
	const proauth2_client *c;
	unsigned ok;
};

enum { READERS = 4, READS = 200 };

static void *read_kept_client(void *arg)
{
	struct reader *r = arg;
	proauth2_client *got;
	unsigned i;

	for (i = 0; i < READS; i++) {
		got = NULL;
		if (authenticate(env.provider, r->c, r->c->client_secret) == PROAUTH2_OK &&
				proauth2_client_get(env.provider, r->c->client_id, &got,
					NULL) == PROAUTH2_OK &&
				strcmp(got->scope, "read") == 0)
			r->ok++;
		proauth2_client_free(got);
	}
	return NULL;
}

/* Every thread reads the one kept record, shared, not copied. */
START_TEST(threads_share_a_kept_client)
{
	struct reader r[READERS] = {0};
	pthread_t th[READERS];
	proauth2_client *c;
	int i;

	env_reconfigure(cache_clients);
	c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	ck_assert_int_eq(authenticate(env.provider, c, c->client_secret), PROAUTH2_OK);
	for (i = 0; i < READERS; i++) {
		r[i].c = c;
		ck_assert_int_eq(pthread_create(&th[i], NULL, read_kept_client, &r[i]), 0);
	}
	for (i = 0; i < READERS; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < READERS; i++)
		ck_assert_uint_eq(r[i].ok, READS);
	ck_assert_int_eq(authenticate(env.provider, c, c->client_secret), PROAUTH2_OK);
	proauth2_client_free(c);
}
END_TEST

static Suite *client_cache_suite(void)
{
	Suite *s = suite_create("client_cache");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, env_setup, env_teardown);
	tcase_add_test(tc, this_providers_changes_take_effect_at_once);
	tcase_add_test(tc, threads_share_a_kept_client);
	/* One in-memory database has no other process. */
	if (strcmp(env_backend(), "sqlite-memory") != 0)
		tcase_add_test(tc, another_processes_changes_arrive_within_the_lifetime);
	tcase_add_test(tc, lifetime_is_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(client_cache_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
