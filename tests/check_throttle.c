/* Guessing secrets (RFC 6749 §10.10, RFC 9700 §4.16): failed client
 * authentication and password grant attempts lock their subject for a
 * while that doubles and is capped, the lock expires, a success resets,
 * and nothing tells a known subject from an unknown one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define PASSWORD "correct horse"

static bool check_password(void *arg, const char *username, const char *password)
{
	(void)arg;
	return strcmp(username, USER) == 0 && strcmp(password, PASSWORD) == 0;
}

static void enable_password(proauth2_config *cfg)
{
	cfg->enable_password_grant = true;
	cfg->check_password = check_password;
}

static void disable_throttle(proauth2_config *cfg)
{
	cfg->auth_failure_limit = 0;
}

/* client_credentials with secret: its status, err filled. */
static proauth2_status cc(const char *client_id, const char *secret,
		proauth2_error *err)
{
	proauth2_client_credentials_request req;
	proauth2_token_response *t = NULL;
	proauth2_status status;

	proauth2_client_credentials_request_init(&req);
	req.client_id = client_id;
	req.client_secret = secret;
	status = proauth2_token_client_credentials(env.provider, &req, &t, err);
	proauth2_token_response_free(t);
	return status;
}

static proauth2_status password_grant(const proauth2_client *c,
		const char *username, const char *password, proauth2_error *err)
{
	proauth2_password_request req;
	proauth2_token_response *t = NULL;
	proauth2_status status;

	proauth2_password_request_init(&req);
	req.client_id = c->client_id;
	req.client_secret = c->client_secret;
	req.username = username;
	req.password = password;
	status = proauth2_token_password(env.provider, &req, &t, err);
	proauth2_token_response_free(t);
	return status;
}

/* Fail n times with a wrong secret; each attempt answers invalid_client. */
static void fail_secret(const char *client_id, int n)
{
	proauth2_error err = {0};
	int i;

	for (i = 0; i < n; i++)
		ck_assert_int_eq(cc(client_id, "wrong", &err), PROAUTH2_ERR_INVALID_CLIENT);
}

START_TEST(five_wrong_secrets_lock_the_client_for_a_second)
{
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	proauth2_error err = {0};

	fail_secret(c->client_id, 4);
	/* Four failures: not yet locked, the right secret works and resets. */
	ck_assert_int_eq(cc(c->client_id, c->client_secret, &err), PROAUTH2_OK);
	fail_secret(c->client_id, 5);
	/* Locked: even the right secret is refused, as a wrong one would be. */
	ck_assert_int_eq(cc(c->client_id, c->client_secret, &err),
			PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_str_eq(err.text, "too many failed attempts; retry after 1 s");
	ck_assert_int_eq(proauth2_throttle_retry_after(&err), 1);
	env.now += 1;
	ck_assert_int_eq(cc(c->client_id, c->client_secret, &err), PROAUTH2_OK);
	/* The success reset the count: four more failures lock nothing. */
	fail_secret(c->client_id, 4);
	ck_assert_int_eq(cc(c->client_id, c->client_secret, &err), PROAUTH2_OK);
	proauth2_client_free(c);
}
END_TEST

START_TEST(locks_double_up_to_fifteen_minutes_then_expire)
{
	static const int64_t expected[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900};
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	proauth2_error err = {0};
	size_t i;

	fail_secret(c->client_id, 4);
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		fail_secret(c->client_id, 1);
		ck_assert_int_eq(cc(c->client_id, c->client_secret, &err),
				PROAUTH2_ERR_INVALID_CLIENT);
		ck_assert_int_eq(proauth2_throttle_retry_after(&err), expected[i]);
		/* Attempts while locked are not counted and do not extend it. */
		fail_secret(c->client_id, 3);
		env.now += expected[i] - 1;
		ck_assert_int_eq(cc(c->client_id, c->client_secret, &err),
				PROAUTH2_ERR_INVALID_CLIENT);
		ck_assert_int_eq(proauth2_throttle_retry_after(&err), 1);
		env.now += 1;
	}
	/* After the longest lock, the right secret gets in. */
	ck_assert_int_eq(cc(c->client_id, c->client_secret, &err), PROAUTH2_OK);
	proauth2_client_free(c);
}
END_TEST

START_TEST(a_run_ends_a_window_after_its_last_failure)
{
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	proauth2_error err = {0};
	int i;

	/* Four failures 14 minutes apart are one run; the fifth locks. */
	for (i = 0; i < 4; i++) {
		fail_secret(c->client_id, 1);
		env.now += 14 * 60;
	}
	fail_secret(c->client_id, 1);
	ck_assert_int_eq(cc(c->client_id, c->client_secret, &err),
			PROAUTH2_ERR_INVALID_CLIENT);
	env.now += 1;
	/* 15 minutes after the last failure the run is over. */
	fail_secret(c->client_id, 1);
	env.now += 15 * 60 + 2;
	fail_secret(c->client_id, 4);
	ck_assert_int_eq(cc(c->client_id, c->client_secret, &err), PROAUTH2_OK);
	proauth2_client_free(c);
}
END_TEST

START_TEST(unknown_clients_are_answered_like_known_ones)
{
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	proauth2_error known = {0}, unknown = {0};
	int i;

	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(cc(c->client_id, "wrong", &known),
				PROAUTH2_ERR_INVALID_CLIENT);
		ck_assert_int_eq(cc("no-such-client", "wrong", &unknown),
				PROAUTH2_ERR_INVALID_CLIENT);
		ck_assert_str_eq(known.text, unknown.text);
	}
	/* The sixth came while the first lock held. */
	ck_assert_int_eq(proauth2_throttle_retry_after(&unknown), 1);
	proauth2_client_free(c);
}
END_TEST

START_TEST(wrong_passwords_lock_the_user_not_the_client)
{
	proauth2_client *c;
	proauth2_error err = {0}, ghost = {0};
	int i;

	env_reconfigure(enable_password);
	c = register_client(CONF, PROAUTH2_GRANT_PASSWORD, "read");
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(password_grant(c, USER, "guess", &err),
				PROAUTH2_ERR_INVALID_GRANT);
		ck_assert_int_eq(password_grant(c, "nobody", "guess", &ghost),
				PROAUTH2_ERR_INVALID_GRANT);
		ck_assert_str_eq(err.text, ghost.text);
	}
	ck_assert_int_eq(password_grant(c, USER, PASSWORD, &err), PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_str_eq(err.text, "too many failed attempts; retry after 1 s");
	ck_assert_int_eq(password_grant(c, "nobody", "guess", &ghost),
			PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_str_eq(err.text, ghost.text);
	/* The client itself is not locked: another user signs in. */
	ck_assert_int_eq(cc(c->client_id, c->client_secret, &err),
			PROAUTH2_ERR_UNAUTHORIZED_CLIENT);
	env.now += 1;
	ck_assert_int_eq(password_grant(c, USER, PASSWORD, &err), PROAUTH2_OK);
	proauth2_client_free(c);
}
END_TEST

START_TEST(the_host_throttles_its_own_login)
{
	proauth2_error err = {0};
	int64_t retry_after = -1;
	int i;

	ck_assert_int_eq(proauth2_throttle_check(env.provider, "user:bob",
			&retry_after, &err), PROAUTH2_OK);
	ck_assert_int_eq(retry_after, 0);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(proauth2_throttle_record(env.provider, "user:bob",
				false, &err), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_throttle_check(env.provider, "user:bob",
			&retry_after, &err), PROAUTH2_OK);
	ck_assert_int_eq(retry_after, 1);
	ck_assert_int_eq(proauth2_throttle_check(env.provider, "user:carol",
			&retry_after, &err), PROAUTH2_OK);
	ck_assert_int_eq(retry_after, 0);
	env.now += 1;
	ck_assert_int_eq(proauth2_throttle_check(env.provider, "user:bob",
			&retry_after, &err), PROAUTH2_OK);
	ck_assert_int_eq(retry_after, 0);
	ck_assert_int_eq(proauth2_throttle_record(env.provider, "user:bob",
			true, &err), PROAUTH2_OK);
	/* A success with no counter is a read, and changes nothing. */
	ck_assert_int_eq(proauth2_throttle_record(env.provider, "user:bob",
			true, &err), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_throttle_record(env.provider, "user:bob",
			false, &err), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_throttle_check(env.provider, "user:bob",
			&retry_after, &err), PROAUTH2_OK);
	ck_assert_int_eq(retry_after, 0);
	/* Bad arguments are the caller's mistake. */
	ck_assert_int_eq(proauth2_throttle_check(NULL, "user:bob", &retry_after, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(proauth2_throttle_check(env.provider, NULL, &retry_after, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(proauth2_throttle_check(env.provider, "user:bob", NULL, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(proauth2_throttle_record(env.provider, NULL, false, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(proauth2_throttle_retry_after(NULL), 0);
	ck_assert_int_eq(proauth2_throttle_retry_after(&err), 0);
}
END_TEST

START_TEST(the_lock_holds_across_processes)
{
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	char id[256], secret[256];
	proauth2_error err = {0};
	int status;
	pid_t pid;

	snprintf(id, sizeof(id), "%s", c->client_id);
	snprintf(secret, sizeof(secret), "%s", c->client_secret);
	proauth2_client_free(c);
	/* Neither SQLite connections nor MongoDB client pools survive a fork:
	 * close ours, and reopen after. */
	proauth2_provider_free(env.provider);
	proauth2_datastore_close(env.ds);
	env.provider = NULL;
	env.ds = NULL;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		proauth2_datastore *ds = NULL;
		proauth2_provider *p = env_open_provider(&ds);
		proauth2_client_credentials_request req;
		proauth2_token_response *t = NULL;
		int i, refused = 0;

		proauth2_client_credentials_request_init(&req);
		req.client_id = id;
		req.client_secret = "wrong";
		for (i = 0; i < 5; i++)
			refused += proauth2_token_client_credentials(p, &req, &t, NULL) ==
				PROAUTH2_ERR_INVALID_CLIENT;
		proauth2_provider_free(p);
		proauth2_datastore_close(ds);
		free(env.uri);
		_exit(refused == 5 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	env.provider = env_open_provider(&env.ds);
	ck_assert_int_eq(cc(id, secret, &err), PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_int_eq(proauth2_throttle_retry_after(&err), 1);
}
END_TEST

START_TEST(expired_counters_are_purged)
{
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	proauth2_error err = {0};
	size_t removed = 0;

	fail_secret(c->client_id, 3);
	env.now += 15 * 60;
	ck_assert_int_eq(proauth2_provider_purge_expired(env.provider, &removed, &err),
			PROAUTH2_OK);
	ck_assert_uint_eq(removed, 1);
	/* And the key is free again: a new run starts. */
	fail_secret(c->client_id, 4);
	ck_assert_int_eq(cc(c->client_id, c->client_secret, &err), PROAUTH2_OK);
	proauth2_client_free(c);
}
END_TEST

START_TEST(an_expired_counter_not_yet_purged_starts_a_new_run)
{
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	proauth2_error err = {0};

	fail_secret(c->client_id, 4);
	env.now += 15 * 60;
	fail_secret(c->client_id, 4);
	ck_assert_int_eq(cc(c->client_id, c->client_secret, &err), PROAUTH2_OK);
	fail_secret(c->client_id, 5);
	ck_assert_int_eq(cc(c->client_id, c->client_secret, &err),
			PROAUTH2_ERR_INVALID_CLIENT);
	proauth2_client_free(c);
}
END_TEST

START_TEST(throttling_can_be_turned_off)
{
	proauth2_client *c;
	proauth2_error err = {0};
	int64_t retry_after = -1;

	env_reconfigure(disable_throttle);
	c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	fail_secret(c->client_id, 20);
	ck_assert_int_eq(cc(c->client_id, c->client_secret, &err), PROAUTH2_OK);
	ck_assert_int_eq(proauth2_throttle_record(env.provider, "user:x", false, &err),
			PROAUTH2_OK);
	ck_assert_int_eq(proauth2_throttle_check(env.provider, "user:x",
			&retry_after, &err), PROAUTH2_OK);
	ck_assert_int_eq(retry_after, 0);
	proauth2_client_free(c);
}
END_TEST

START_TEST(wrong_registration_tokens_lock_the_client)
{
	const char *uris[] = {REDIRECT_URI};
	proauth2_client_params params = {.struct_size = sizeof(params),
		.type = CONF, .redirect_uris = uris,
		.n_redirect_uris = 1, .scope = "read"};
	proauth2_client *c = NULL;
	char *token = NULL;
	proauth2_error err = {0};
	int i;

	ck_assert_int_eq(proauth2_client_register_dynamic(env.provider, &params, &c,
			&token, &err), PROAUTH2_OK);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(proauth2_client_verify_registration_token(env.provider,
				c->client_id, "wrong", &err), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(proauth2_client_verify_registration_token(env.provider,
			c->client_id, token, &err), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(proauth2_throttle_retry_after(&err), 1);
	/* The same counter as the client's secret. */
	ck_assert_int_eq(cc(c->client_id, c->client_secret, &err),
			PROAUTH2_ERR_INVALID_CLIENT);
	env.now += 1;
	ck_assert_int_eq(proauth2_client_verify_registration_token(env.provider,
			c->client_id, token, &err), PROAUTH2_OK);
	proauth2_secret_free(token);
	proauth2_client_free(c);
}
END_TEST

static Suite *throttle_suite(void)
{
	Suite *s = suite_create("throttle");
	TCase *tc = tcase_create("throttle");

	tcase_add_checked_fixture(tc, env_setup, env_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, five_wrong_secrets_lock_the_client_for_a_second);
	tcase_add_test(tc, locks_double_up_to_fifteen_minutes_then_expire);
	tcase_add_test(tc, a_run_ends_a_window_after_its_last_failure);
	tcase_add_test(tc, unknown_clients_are_answered_like_known_ones);
	tcase_add_test(tc, wrong_passwords_lock_the_user_not_the_client);
	tcase_add_test(tc, the_host_throttles_its_own_login);
	tcase_add_test(tc, expired_counters_are_purged);
	tcase_add_test(tc, an_expired_counter_not_yet_purged_starts_a_new_run);
	tcase_add_test(tc, throttling_can_be_turned_off);
	tcase_add_test(tc, wrong_registration_tokens_lock_the_client);
	if (strcmp(env_backend(), "sqlite-memory") != 0)
		tcase_add_test(tc, the_lock_holds_across_processes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(throttle_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
