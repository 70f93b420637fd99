/* Retries of spent refresh tokens (config.refresh_reuse_grace): a client
 * that lost a refresh's answer gets a fresh pair, once the grant's only
 * live refresh token; anything else is the replay it always was. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "http_support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define GRANTS (PROAUTH2_GRANT_AUTHORIZATION_CODE | PROAUTH2_GRANT_REFRESH_TOKEN)
#define GRACE 60
#define RACERS 4

static int retries, replays;
static char retried_grant[64];

static void count_event(void *arg, const proauth2_event *e)
{
	(void)arg;
	if (e->kind == PROAUTH2_EVENT_REFRESH_RETRY) {
		__atomic_add_fetch(&retries, 1, __ATOMIC_SEQ_CST);
		ck_assert_ptr_nonnull(e->grant_id);
		snprintf(retried_grant, sizeof(retried_grant), "%s", e->grant_id);
	} else if (e->kind == PROAUTH2_EVENT_REPLAY) {
		__atomic_add_fetch(&replays, 1, __ATOMIC_SEQ_CST);
	}
}

static void with_grace(proauth2_config *cfg)
{
	cfg->refresh_reuse_grace = GRACE;
	cfg->log = count_event;
}

static void strict(proauth2_config *cfg)
{
	cfg->log = count_event;
}

static proauth2_client *client;

static void setup(void)
{
	env_setup();
	env_reconfigure(with_grace);
	retries = replays = 0;
	retried_grant[0] = '\0';
	client = register_client(CONF, GRANTS, "read write");
}

static void teardown(void)
{
	proauth2_client_free(client);
	env_teardown();
}

/* A grant's first pair, by the code flow. */
static proauth2_token_response *first_pair(void)
{
	char *code = issue_code(client, "read write", 1);
	proauth2_token_response *t = exchange_code(client, code, 1);

	free(code);
	return t;
}

static proauth2_token_response *refresh_ok(const char *refresh_token)
{
	proauth2_token_response *t = NULL;

	ck_assert_int_eq(refresh_with(client->client_id, client->client_secret,
			refresh_token, NULL, &t), PROAUTH2_OK);
	ck_assert_ptr_nonnull(t->refresh_token);
	return t;
}

static void refresh_fails(const char *refresh_token, proauth2_status expected)
{
	proauth2_token_response *t = NULL;

	ck_assert_int_eq(refresh_with(client->client_id, client->client_secret,
			refresh_token, NULL, &t), expected);
	ck_assert_ptr_null(t);
}

/* How many live refresh tokens the client's grants hold, by a look at the
 * datastore itself (a fetch tells none, one, or more). */
static int live_refresh_tokens(void)
{
	json_t *query = json_pack("{s:s}", "client_id", client->client_id);
	json_t *record = NULL;
	proauth2_status status = proauth2_datastore_fetch(env.ds, "refresh_tokens",
			query, env.now, &record, NULL);

	json_decref(query);
	json_decref(record);
	ck_assert(status == PROAUTH2_OK || status == PROAUTH2_ERR_NOT_FOUND ||
			status == PROAUTH2_ERR_CONFLICT);
	return status == PROAUTH2_OK ? 1 : status == PROAUTH2_ERR_NOT_FOUND ? 0 : 2;
}

START_TEST(by_default_a_reuse_revokes_the_grant)
{
	proauth2_token_response *first, *second;

	env_reconfigure(strict);
	first = first_pair();
	second = refresh_ok(first->refresh_token);
	env.now += 1;
	refresh_fails(first->refresh_token, PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(replays, 1);
	ck_assert_int_eq(retries, 0);
	refresh_fails(second->refresh_token, PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(validate_status(second->access_token),
			PROAUTH2_ERR_INVALID_TOKEN);
	proauth2_token_response_free(first);
	proauth2_token_response_free(second);
}
END_TEST

START_TEST(a_token_spent_while_retries_were_off_is_not_retried)
{
	proauth2_token_response *first, *second;

	env_reconfigure(strict);
	first = first_pair();
	second = refresh_ok(first->refresh_token);
	env_reconfigure(with_grace);
	refresh_fails(first->refresh_token, PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(retries, 0);
	ck_assert_int_eq(replays, 1);
	refresh_fails(second->refresh_token, PROAUTH2_ERR_INVALID_GRANT);
	proauth2_token_response_free(first);
	proauth2_token_response_free(second);
}
END_TEST

START_TEST(a_retry_within_the_grace_gets_a_fresh_pair)
{
	proauth2_token_response *first = first_pair(), *lost, *retried, *next;

	lost = refresh_ok(first->refresh_token);
	env.now += GRACE - 1;
	retried = refresh_ok(first->refresh_token);
	ck_assert_str_ne(retried->refresh_token, lost->refresh_token);
	ck_assert_str_ne(retried->access_token, lost->access_token);
	ck_assert_str_eq(retried->scope, "read write");
	ck_assert_int_eq(retries, 1);
	ck_assert_int_eq(replays, 0);
	ck_assert_str_ne(retried_grant, "");
	ck_assert_int_eq(validate_status(retried->access_token), PROAUTH2_OK);
	ck_assert_int_eq(live_refresh_tokens(), 1);
	/* The fresh pair carries the grant on as any refresh does. */
	next = refresh_ok(retried->refresh_token);
	ck_assert_int_eq(retries, 1);
	ck_assert_int_eq(live_refresh_tokens(), 1);
	proauth2_token_response_free(first);
	proauth2_token_response_free(lost);
	proauth2_token_response_free(retried);
	proauth2_token_response_free(next);
}
END_TEST

START_TEST(a_retry_may_narrow_the_scope_as_any_refresh)
{
	proauth2_token_response *first = first_pair(), *lost, *retried = NULL;

	lost = refresh_ok(first->refresh_token);
	ck_assert_int_eq(refresh_with(client->client_id, client->client_secret,
			first->refresh_token, "admin", &retried), PROAUTH2_ERR_INVALID_SCOPE);
	ck_assert_int_eq(refresh_with(client->client_id, client->client_secret,
			first->refresh_token, "read", &retried), PROAUTH2_OK);
	ck_assert_str_eq(retried->scope, "read");
	proauth2_token_response_free(first);
	proauth2_token_response_free(lost);
	proauth2_token_response_free(retried);
}
END_TEST

START_TEST(a_reuse_after_the_grace_revokes_the_grant)
{
	proauth2_token_response *first = first_pair(), *second;

	second = refresh_ok(first->refresh_token);
	env.now += GRACE;
	refresh_fails(first->refresh_token, PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(replays, 1);
	ck_assert_int_eq(retries, 0);
	refresh_fails(second->refresh_token, PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(validate_status(second->access_token),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(live_refresh_tokens(), 0);
	proauth2_token_response_free(first);
	proauth2_token_response_free(second);
}
END_TEST

START_TEST(another_client_presenting_it_revokes_the_grant)
{
	proauth2_client *other = register_client(CONF, GRANTS, "read write");
	proauth2_token_response *first = first_pair(), *second, *t = NULL;

	second = refresh_ok(first->refresh_token);
	ck_assert_int_eq(refresh_with(other->client_id, other->client_secret,
			first->refresh_token, NULL, &t), PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(retries, 0);
	ck_assert_int_eq(replays, 1);
	refresh_fails(second->refresh_token, PROAUTH2_ERR_INVALID_GRANT);
	proauth2_token_response_free(first);
	proauth2_token_response_free(second);
	proauth2_client_free(other);
}
END_TEST

START_TEST(retries_of_retries_leave_only_the_newest_live)
{
	proauth2_token_response *first = first_pair(), *pairs[4];
	int i;

	pairs[0] = refresh_ok(first->refresh_token);
	for (i = 1; i < 4; i++) {
		env.now += 10;
		pairs[i] = refresh_ok(first->refresh_token);
		ck_assert_int_eq(live_refresh_tokens(), 1);
	}
	ck_assert_int_eq(retries, 3);
	/* Every earlier pair's refresh token was spent by the retry after it;
	 * the newest alone refreshes without a retry. */
	proauth2_token_response_free(refresh_ok(pairs[3]->refresh_token));
	ck_assert_int_eq(retries, 3);
	/* The first token's grace has run out: its reuse is a replay now. */
	env.now += GRACE;
	refresh_fails(first->refresh_token, PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(replays, 1);
	ck_assert_int_eq(live_refresh_tokens(), 0);
	for (i = 0; i < 4; i++)
		proauth2_token_response_free(pairs[i]);
	proauth2_token_response_free(first);
}
END_TEST

START_TEST(a_retry_through_a_step_past_the_grace_is_a_replay)
{
	proauth2_token_response *first = first_pair(), *second, *third;

	second = refresh_ok(first->refresh_token);
	env.now += GRACE - 5;
	third = refresh_ok(second->refresh_token);  /* second spent now */
	env.now += 10;  /* first's grace is over, second's is not */
	refresh_fails(first->refresh_token, PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(replays, 1);
	refresh_fails(third->refresh_token, PROAUTH2_ERR_INVALID_GRANT);
	proauth2_token_response_free(first);
	proauth2_token_response_free(second);
	proauth2_token_response_free(third);
}
END_TEST

START_TEST(a_revoked_grant_is_not_retried)
{
	proauth2_token_response *first = first_pair(), *second;

	second = refresh_ok(first->refresh_token);
	ck_assert_int_eq(proauth2_token_revoke(env.provider, client->client_id,
			second->refresh_token, PROAUTH2_HINT_NONE, NULL), PROAUTH2_OK);
	refresh_fails(first->refresh_token, PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(retries, 0);
	ck_assert_int_eq(live_refresh_tokens(), 0);
	proauth2_token_response_free(first);
	proauth2_token_response_free(second);
}
END_TEST

struct race {
	const char *refresh_token;
	pthread_barrier_t start;
	proauth2_status status[RACERS];
	char *refresh[RACERS];
	int next;
};

static void *present(void *arg)
{
	struct race *race = arg;
	proauth2_token_response *t = NULL;
	int me = __atomic_fetch_add(&race->next, 1, __ATOMIC_SEQ_CST);

	pthread_barrier_wait(&race->start);
	race->status[me] = refresh_with(client->client_id, client->client_secret,
			race->refresh_token, NULL, &t);
	race->refresh[me] = t != NULL ? strdup(t->refresh_token) : NULL;
	proauth2_token_response_free(t);
	return NULL;
}

/* A token's key as the core stores it: the SHA-256 of the token,
 * base64url. */
static void hash_of(const char *token, char b64[64])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len;
	int i, n;

	ck_assert(EVP_Digest(token, strlen(token), md, &len, EVP_sha256(), NULL));
	n = EVP_EncodeBlock((unsigned char *)b64, md, (int)len);
	for (i = 0; i < n; i++)
		b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	while (n > 0 && b64[n - 1] == '=')
		b64[--n] = '\0';
}

/* refresh_token's record, or NULL. */
static json_t *record_of(const char *refresh_token)
{
	char hash[64];
	json_t *query, *record = NULL;

	hash_of(refresh_token, hash);
	query = json_pack("{s:s}", "token_hash", hash);
	ck_assert(proauth2_datastore_fetch(env.ds, "refresh_tokens", query,
			env.now, &record, NULL) != PROAUTH2_ERR_CONFLICT);
	json_decref(query);
	return record;
}

/* Whether refresh_token's record is stored. */
static bool stored(const char *refresh_token)
{
	json_t *record = record_of(refresh_token);

	json_decref(record);
	return record != NULL;
}

START_TEST(racing_presentations_never_revoke_the_grant)
{
	proauth2_token_response *first = first_pair();
	struct race race = {.refresh_token = first->refresh_token};
	pthread_t threads[RACERS];
	int i, won = 0, newest = -1;

	pthread_barrier_init(&race.start, NULL, RACERS);
	for (i = 0; i < RACERS; i++)
		ck_assert_int_eq(pthread_create(&threads[i], NULL, present, &race), 0);
	for (i = 0; i < RACERS; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&race.start);
	/* Each gets a pair, or a 503 to try again: never a refusal. */
	for (i = 0; i < RACERS; i++) {
		ck_assert_msg(race.status[i] == PROAUTH2_OK ||
				race.status[i] == PROAUTH2_ERR_UNAVAILABLE,
				"racer %d: %s", i, proauth2_status_str(race.status[i]));
		won += race.status[i] == PROAUTH2_OK;
	}
	ck_assert_int_ge(won, 1);
	ck_assert_int_eq(replays, 0);
	ck_assert_int_eq(retries, won - 1);  /* every winner but the first */
	/* One token lives, and it is some racer's. */
	ck_assert_int_eq(live_refresh_tokens(), 1);
	for (i = 0; i < RACERS; i++)
		if (race.refresh[i] != NULL && stored(race.refresh[i]))
			newest++;
	ck_assert_int_eq(newest, 0);
	for (i = 0; i < RACERS; i++)
		free(race.refresh[i]);
	proauth2_token_response_free(first);
}
END_TEST

static void grace_of(proauth2_config *cfg, int64_t grace)
{
	proauth2_provider *p = NULL;
	proauth2_error err = {0};

	proauth2_config_init(cfg);
	cfg->issuer = "https://auth.example.com";
	cfg->datastore = env.ds;
	cfg->refresh_reuse_grace = grace;
	ck_assert_int_eq(proauth2_provider_new(cfg, &p, &err),
			grace >= 0 && grace <= PROAUTH2_REFRESH_REUSE_GRACE_MAX ?
			PROAUTH2_OK : PROAUTH2_ERR_INVALID_ARGUMENT);
	if (p == NULL)
		ck_assert_ptr_nonnull(strstr(err.text, "refresh_reuse_grace"));
	proauth2_provider_free(p);
}

/*
 * Seen under load: a racer that lost the first token's spending had
 * stored its pair's refresh token, a child of the first, and not yet
 * discarded it, when the winner's child was already spent by a retry. A
 * retry then took the loser's leftover for the live one and spent it: two
 * live refresh tokens. The state, made by hand: the leftover stays no
 * retry's head.
 */
START_TEST(a_losing_racers_leftover_is_not_taken_for_the_head)
{
	proauth2_token_response *first = first_pair(), *second, *third;
	json_t *leftover, *query;
	char hash[64];
	size_t removed = 0;

	second = refresh_ok(first->refresh_token);
	env.now += 1;
	third = refresh_ok(first->refresh_token);  /* a retry: second spent */
	ck_assert_int_eq(retries, 1);
	/* The loser's child of the first token: as the third's record, under
	 * another hash, with the first for parent. */
	leftover = record_of(third->refresh_token);
	ck_assert_ptr_nonnull(leftover);
	hash_of(first->refresh_token, hash);
	json_object_set_new(leftover, "parent", json_string(hash));
	json_object_set_new(leftover, "token_hash", json_string(
			"loser-leftover-0000000000000000000000000000"));
	ck_assert_int_eq(proauth2_datastore_store(env.ds, "refresh_tokens",
			leftover, NULL), PROAUTH2_OK);
	env.now += 1;
	refresh_fails(first->refresh_token, PROAUTH2_ERR_UNAVAILABLE);
	ck_assert_int_eq(live_refresh_tokens(), 2);  /* the leftover untouched */
	/* The loser discards it: the retry goes on to the live one. */
	query = json_pack("{s:s}", "token_hash",
			"loser-leftover-0000000000000000000000000000");
	ck_assert_int_eq(proauth2_datastore_remove(env.ds, "refresh_tokens",
			query, &removed, NULL), PROAUTH2_OK);
	ck_assert_uint_eq(removed, 1);
	proauth2_token_response_free(refresh_ok(first->refresh_token));
	ck_assert_int_eq(retries, 2);
	ck_assert_int_eq(live_refresh_tokens(), 1);
	ck_assert(!stored(third->refresh_token));
	ck_assert_int_eq(replays, 0);
	json_decref(query);
	json_decref(leftover);
	proauth2_token_response_free(first);
	proauth2_token_response_free(second);
	proauth2_token_response_free(third);
}
END_TEST

START_TEST(the_grace_is_bounded)
{
	proauth2_config cfg;

	grace_of(&cfg, -1);
	grace_of(&cfg, 0);
	grace_of(&cfg, PROAUTH2_REFRESH_REUSE_GRACE_MAX);
	grace_of(&cfg, PROAUTH2_REFRESH_REUSE_GRACE_MAX + 1);
}
END_TEST

/* POST /token grant_type=refresh_token with refresh_token. */
static proauth2_http_response *token_request(const char *refresh_token)
{
	char body[512];

	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s",
			refresh_token);
	return post_form("/token", body, basic(client->client_id,
			client->client_secret));
}

START_TEST(over_http_a_retry_is_a_200_and_a_late_reuse_a_400)
{
	proauth2_token_response *first = first_pair(), *lost;
	proauth2_http_response *r;
	json_t *body;

	lost = refresh_ok(first->refresh_token);
	r = token_request(first->refresh_token);
	ck_assert_int_eq(r->status, 200);
	body = body_json(r);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(body, "refresh_token")));
	json_decref(body);
	proauth2_http_response_free(r);
	env.now += GRACE;
	assert_error(token_request(first->refresh_token), 400, "invalid_grant");
	proauth2_token_response_free(first);
	proauth2_token_response_free(lost);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("refresh_grace");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, by_default_a_reuse_revokes_the_grant);
	tcase_add_test(tc, a_token_spent_while_retries_were_off_is_not_retried);
	tcase_add_test(tc, a_retry_within_the_grace_gets_a_fresh_pair);
	tcase_add_test(tc, a_retry_may_narrow_the_scope_as_any_refresh);
	tcase_add_test(tc, a_reuse_after_the_grace_revokes_the_grant);
	tcase_add_test(tc, another_client_presenting_it_revokes_the_grant);
	tcase_add_test(tc, retries_of_retries_leave_only_the_newest_live);
	tcase_add_test(tc, a_retry_through_a_step_past_the_grace_is_a_replay);
	tcase_add_test(tc, a_revoked_grant_is_not_retried);
	tcase_add_test(tc, racing_presentations_never_revoke_the_grant);
	tcase_add_test(tc, a_losing_racers_leftover_is_not_taken_for_the_head);
	tcase_add_test(tc, the_grace_is_bounded);
	tcase_add_test(tc, over_http_a_retry_is_a_200_and_a_late_reuse_a_400);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
