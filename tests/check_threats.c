/* One scenario per threat (RFC 6749 §10, RFC 9700 §4): each attack is
 * refused, and where the RFCs say so, what it touched is revoked. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faulty_vfs.h"
#include "support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define PUB PROAUTH2_CLIENT_PUBLIC
#define CODE_GRANTS (PROAUTH2_GRANT_AUTHORIZATION_CODE | PROAUTH2_GRANT_REFRESH_TOKEN)

/* A token request for code with every field as the legitimate client sends it. */
static proauth2_code_exchange good_request(const proauth2_client *c, const char *code)
{
	return (proauth2_code_exchange){sizeof(proauth2_code_exchange),
			c->client_id, c->client_secret, code,
		REDIRECT_URI, RFC7636_VERIFIER, PROAUTH2_AUTH_METHOD_ANY, NULL};
}

static proauth2_status exchange_status(const proauth2_code_exchange *req)
{
	proauth2_token_response *t = (proauth2_token_response *)&t;
	proauth2_error err = {0};
	proauth2_status status = proauth2_token_exchange_code(env.provider, req, &t, &err);

	if (status == PROAUTH2_OK) {
		ck_assert_ptr_nonnull(t);
		proauth2_token_response_free(t);
	} else {
		ck_assert_ptr_null(t);  /* outputs are NULL on failure */
		ck_assert_int_eq(err.status, status);
	}
	return status;
}

START_TEST(code_replay_revokes_issued_tokens)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_token_response *t = exchange_code(c, code, 1), *r = NULL;
	proauth2_code_exchange replay = good_request(c, code);

	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_OK);
	ck_assert_int_eq(exchange_status(&replay), PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, NULL, &r),
			PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(exchange_status(&replay), PROAUTH2_ERR_INVALID_GRANT);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(refresh_reuse_revokes_grant)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_token_response *t = exchange_code(c, code, 1), *r = NULL, *x = NULL;

	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, NULL, &r), PROAUTH2_OK);
	/* The rotated-out token comes back: an attacker or a confused client. */
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, NULL, &x),
			PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_ptr_null(x);
	ck_assert_int_eq(validate_status(r->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			r->refresh_token, NULL, &x),
			PROAUTH2_ERR_INVALID_GRANT);
	proauth2_token_response_free(r);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(redirect_uri_mismatch)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	proauth2_code_request req = {
		.struct_size = sizeof(proauth2_code_request),
		.client_id = c->client_id,
		.user_id = USER,
		.redirect_uri = "https://client.example.com/cb/../evil",
		.scope = "read",
		.code_challenge = RFC7636_CHALLENGE,
	};
	char *code = NULL;
	proauth2_code_exchange ex;

	/* At authorization: only registered URIs, matched exactly. */
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	req.redirect_uri = "https://client.example.com/cb?x=1";
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	req.redirect_uri = "HTTPS://client.example.com/cb";
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	/* Two are registered, so none may be implied. */
	req.redirect_uri = NULL;
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_null(code);

	/* At the token endpoint: the same URI as in the authorization request. */
	code = issue_code(c, "read", 1);
	ex = good_request(c, code);
	ex.redirect_uri = "https://client.example.com/other";
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_ERR_INVALID_GRANT);
	ex.redirect_uri = NULL;
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_ERR_INVALID_GRANT);
	ex = good_request(c, code);
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_OK);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(pkce_mismatch)
{
	proauth2_client *c = register_client(PUB, CODE_GRANTS, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_code_exchange ex = good_request(c, code);

	ex.code_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx";
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_ERR_INVALID_GRANT);
	ex.code_verifier = RFC7636_CHALLENGE;  /* the challenge is no verifier */
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_ERR_INVALID_GRANT);
	ex.code_verifier = "short";
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_ERR_INVALID_GRANT);
	ex.code_verifier = RFC7636_VERIFIER;
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_OK);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(pkce_downgrade_verifier_without_challenge)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 0);
	proauth2_code_exchange ex = good_request(c, code);

	/* RFC 9700 §2.1.1: a verifier for a code that had no challenge. */
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_ERR_INVALID_GRANT);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(pkce_downgrade_challenge_without_verifier)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_code_exchange ex = good_request(c, code);

	ex.code_verifier = NULL;
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_ERR_INVALID_GRANT);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(pkce_plain_refused_by_default)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	proauth2_code_request req = {
		.struct_size = sizeof(proauth2_code_request),
		.client_id = c->client_id,
		.user_id = USER,
		.redirect_uri = REDIRECT_URI,
		.scope = "read",
		.code_challenge = RFC7636_VERIFIER,
		.code_challenge_method = "plain",
	};
	char *code = NULL;

	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	req.code_challenge_method = "S512";
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	req.code_challenge_method = "S256";
	req.code_challenge = "too-short";
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_null(code);
	proauth2_client_free(c);
}
END_TEST

static void allow_plain(proauth2_config *cfg)
{
	cfg->allow_plain_pkce = true;
}

START_TEST(pkce_plain_when_enabled)
{
	proauth2_client *c;
	proauth2_code_request req;
	proauth2_code_exchange ex;
	char *code = NULL;

	env_reconfigure(allow_plain);
	c = register_client(PUB, CODE_GRANTS, "read");
	req = (proauth2_code_request){
		.struct_size = sizeof(proauth2_code_request),
		.client_id = c->client_id,
		.user_id = USER,
		.redirect_uri = REDIRECT_URI,
		.scope = "read",
		.code_challenge = RFC7636_VERIFIER,
		.code_challenge_method = "plain",
	};
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL), PROAUTH2_OK);
	ex = good_request(c, code);
	ex.code_verifier = RFC7636_CHALLENGE;
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_ERR_INVALID_GRANT);
	ex.code_verifier = RFC7636_VERIFIER;
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_OK);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(wrong_client_secret)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_code_exchange ex = good_request(c, code);
	proauth2_error err = {0};
	proauth2_token_response *t = NULL;

	ex.client_secret = "not-the-secret";
	ck_assert_int_eq(proauth2_token_exchange_code(env.provider, &ex, &t, &err),
			PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_str_eq(proauth2_status_oauth_error(err.status), "invalid_client");
	ex.client_secret = NULL;
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_ERR_INVALID_CLIENT);
	/* Failed authentication did not burn the code. */
	ex = good_request(c, code);
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_OK);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(code_of_another_client)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	proauth2_client *mallory = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_code_exchange ex = good_request(mallory, code);

	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_ERR_INVALID_GRANT);
	ex = good_request(c, code);
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_OK);
	proauth2_secret_free(code);
	proauth2_client_free(mallory);
	proauth2_client_free(c);
}
END_TEST

START_TEST(refresh_token_of_another_client)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	proauth2_client *mallory = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_token_response *t = exchange_code(c, code, 1), *r = NULL;

	ck_assert_int_eq(refresh_with(mallory->client_id,
			mallory->client_secret, t->refresh_token, NULL, &r),
			PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, NULL, &r), PROAUTH2_OK);
	proauth2_token_response_free(r);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(mallory);
	proauth2_client_free(c);
}
END_TEST

START_TEST(expired_code)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_code_exchange ex = good_request(c, code);

	env.now += 60;  /* the default code lifetime */
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_ERR_INVALID_GRANT);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(code_just_before_expiry)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_code_exchange ex = good_request(c, code);

	env.now += 59;
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_OK);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(expired_tokens)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_token_response *t = exchange_code(c, code, 1), *r = NULL;

	env.now += 3599;
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_OK);
	env.now += 1;
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	env.now += 30 * 24 * 3600;  /* past the refresh token's lifetime too */
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret,
			t->refresh_token, NULL, &r),
			PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_ptr_null(r);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(public_client_without_pkce_refused)
{
	proauth2_client *c = register_client(PUB, CODE_GRANTS, "read");
	proauth2_code_request req = {
		.struct_size = sizeof(proauth2_code_request),
		.client_id = c->client_id,
		.user_id = USER,
		.redirect_uri = REDIRECT_URI,
		.scope = "read",
	};
	proauth2_error err = {0};
	char *code = NULL;

	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, &err),
			PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_ptr_null(code);
	ck_assert_ptr_nonnull(strstr(err.text, "PKCE"));
	req.code_challenge_method = "S256";  /* a method alone is no challenge */
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	proauth2_client_free(c);
}
END_TEST

static void require_pkce(proauth2_config *cfg)
{
	cfg->require_pkce = true;
}

START_TEST(require_pkce_covers_confidential_clients)
{
	proauth2_client *c;
	proauth2_code_request req;
	char *code = NULL;

	env_reconfigure(require_pkce);
	c = register_client(CONF, 0, "read");
	req = (proauth2_code_request){
		.struct_size = sizeof(proauth2_code_request),
		.client_id = c->client_id,
		.user_id = USER,
		.redirect_uri = REDIRECT_URI,
		.scope = "read",
	};
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL),
			PROAUTH2_ERR_INVALID_REQUEST);
	proauth2_client_free(c);
}
END_TEST

START_TEST(scope_escalation_at_authorization)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	proauth2_code_request req = {
		.struct_size = sizeof(proauth2_code_request),
		.client_id = c->client_id,
		.user_id = USER,
		.redirect_uri = REDIRECT_URI,
		.scope = "read write",
		.code_challenge = RFC7636_CHALLENGE,
	};
	char *code = NULL;

	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL),
			PROAUTH2_ERR_INVALID_SCOPE);
	req.scope = "read\"";
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL),
			PROAUTH2_ERR_INVALID_SCOPE);
	ck_assert_ptr_null(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(grant_type_not_allowed)
{
	proauth2_client *cc = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	proauth2_client *no_refresh = register_client(CONF,
			PROAUTH2_GRANT_AUTHORIZATION_CODE, "read");
	proauth2_client *c = register_client(CONF, 0, "read");
	proauth2_code_request req = {
		.struct_size = sizeof(proauth2_code_request),
		.client_id = cc->client_id,
		.user_id = USER,
		.redirect_uri = REDIRECT_URI,
		.scope = "read",
		.code_challenge = RFC7636_CHALLENGE,
	};
	char *code = NULL;
	char *other_code = issue_code(c, "read", 1);
	proauth2_token_response *t = exchange_code(c, other_code, 1), *r = NULL;

	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, NULL),
			PROAUTH2_ERR_UNAUTHORIZED_CLIENT);
	ck_assert_int_eq(refresh_with(no_refresh->client_id,
			no_refresh->client_secret, t->refresh_token, NULL, &r),
			PROAUTH2_ERR_UNAUTHORIZED_CLIENT);
	proauth2_token_response_free(t);
	proauth2_secret_free(other_code);
	proauth2_client_free(c);
	proauth2_client_free(no_refresh);
	proauth2_client_free(cc);
}
END_TEST

START_TEST(missing_and_oversized_parameters)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_code_exchange ex = good_request(c, code);
	proauth2_token_response *r = NULL;
	char big[2048];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ex.code = NULL;
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_ERR_INVALID_REQUEST);
	ex.code = "";
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_ERR_INVALID_REQUEST);
	ex.code = big;
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_ERR_INVALID_GRANT);
	ex = good_request(c, code);
	ex.client_id = big;
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_ERR_INVALID_CLIENT);
	ex = good_request(c, code);
	ex.client_secret = big;
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_ERR_INVALID_CLIENT);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret, NULL,
			NULL, &r), PROAUTH2_ERR_INVALID_REQUEST);
	ck_assert_int_eq(refresh_with(c->client_id, c->client_secret, big, NULL,
			&r), PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_ptr_null(r);
	ex = good_request(c, code);
	ck_assert_int_eq(exchange_status(&ex), PROAUTH2_OK);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

#define RACERS 64
#define TOKEN_SIZE 128  /* room for an access token */

struct race {
	proauth2_provider *provider;
	pthread_barrier_t start;
	proauth2_code_exchange request;
	int racers;
	proauth2_status status[RACERS];
	char *access_token[RACERS];
	int next;
	pthread_mutex_t lock;
};

static void *redeem(void *arg)
{
	struct race *race = arg;
	proauth2_token_response *t = NULL;
	proauth2_status status;
	int me;

	pthread_mutex_lock(&race->lock);
	me = race->next++;
	pthread_mutex_unlock(&race->lock);
	pthread_barrier_wait(&race->start);
	status = proauth2_token_exchange_code(race->provider, &race->request, &t, NULL);
	race->status[me] = status;
	if (status == PROAUTH2_OK) {
		race->access_token[me] = strdup(t->access_token);
		proauth2_token_response_free(t);
	}
	return NULL;
}

/* racers threads redeem request's code at once on provider. */
static void run_race(struct race *race, proauth2_provider *provider,
		proauth2_code_exchange request, int racers)
{
	pthread_t threads[RACERS];
	int i;

	race->provider = provider;
	race->request = request;
	race->racers = racers;
	race->next = 0;
	pthread_mutex_init(&race->lock, NULL);
	pthread_barrier_init(&race->start, NULL, (unsigned)racers);
	for (i = 0; i < racers; i++)
		ck_assert_int_eq(pthread_create(&threads[i], NULL, redeem, race), 0);
	for (i = 0; i < racers; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&race->start);
	pthread_mutex_destroy(&race->lock);
}

/* The race's outcome: who won (its token in winner_token, or ""), how
 * many were refused with invalid_grant. */
static int count_winners(const struct race *race, int *refused,
		char winner_token[TOKEN_SIZE])
{
	int i, winners = 0;

	for (i = 0; i < race->racers; i++) {
		if (race->status[i] == PROAUTH2_OK) {
			winners++;
			snprintf(winner_token, TOKEN_SIZE, "%s", race->access_token[i]);
		} else if (race->status[i] == PROAUTH2_ERR_INVALID_GRANT) {
			(*refused)++;
		}
		free(race->access_token[i]);
	}
	return winners;
}

START_TEST(concurrent_code_redemption_has_one_winner)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	char winner[TOKEN_SIZE] = "";
	struct race race = {0};
	int refused = 0;

	run_race(&race, env.provider, good_request(c, code), RACERS);
	ck_assert_int_eq(count_winners(&race, &refused, winner), 1);
	ck_assert_int_eq(refused, RACERS - 1);
	/* The losers were replays, so the winner's tokens are revoked too. */
	ck_assert_int_eq(validate_status(winner), PROAUTH2_ERR_INVALID_TOKEN);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

/* What one racing process reports to the test through a pipe. */
struct race_report {
	int winners;
	int refused;
	char winner[TOKEN_SIZE];
};

/* In a child process: its own datastore and provider on env.uri, as a
 * second server would have, and half the racers. It says when it is
 * ready, and starts when the test says go, so both race at once. */
static void race_in_child(const proauth2_code_exchange *request, int ready,
		int go, int fd)
{
	struct race_report report = {0};
	proauth2_datastore *ds = NULL;
	proauth2_provider *provider = env_open_provider(&ds);
	struct race race = {0};
	char byte = 0;

	if (write(ready, &byte, 1) != 1 || read(go, &byte, 1) != 1)
		_exit(1);
	run_race(&race, provider, *request, RACERS / 2);
	report.winners = count_winners(&race, &report.refused, report.winner);
	proauth2_provider_free(provider);
	proauth2_datastore_close(ds);
	_exit(write(fd, &report, sizeof(report)) == (ssize_t)sizeof(report) ? 0 : 1);
}

START_TEST(concurrent_code_redemption_across_processes)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_code_exchange request = good_request(c, code);
	struct race_report reports[2];
	const char *winner = NULL;
	int fds[2], ready[2], go[2], i, winners = 0, refused = 0, status;
	char bytes[2] = {0, 0};
	pid_t pids[2];

	/* Neither SQLite connections nor MongoDB client pools survive a fork:
	 * close ours, and reopen after. */
	proauth2_provider_free(env.provider);
	proauth2_datastore_close(env.ds);
	env.provider = NULL;
	env.ds = NULL;
	ck_assert(pipe(fds) == 0 && pipe(ready) == 0 && pipe(go) == 0);
	for (i = 0; i < 2; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0)
			race_in_child(&request, ready[1], go[0], fds[1]);
	}
	/* Both open and ready, then both go. */
	ck_assert_int_eq(read(ready[0], &bytes[0], 1), 1);
	ck_assert_int_eq(read(ready[0], &bytes[1], 1), 1);
	ck_assert_int_eq(write(go[1], bytes, 2), 2);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		ck_assert_int_eq(read(fds[0], &reports[i], sizeof(reports[i])),
				sizeof(reports[i]));
		winners += reports[i].winners;
		refused += reports[i].refused;
		if (reports[i].winners > 0)
			winner = reports[i].winner;
	}
	for (i = 0; i < 2; i++) {
		close(fds[i]);
		close(ready[i]);
		close(go[i]);
	}
	env.provider = env_open_provider(&env.ds);
	ck_assert_int_eq(winners, 1);
	ck_assert_int_eq(refused, RACERS - 1);
	ck_assert_int_eq(validate_status(winner), PROAUTH2_ERR_INVALID_TOKEN);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

/* A disk that fails the commit of an exchange: the exchange fails with no
 * tokens, and while the process runs the code stays good, for the store
 * forgot the exchange (after a crash recovery may bring it back instead:
 * see check_sqlite_recovery.c). */
START_TEST(exchange_whose_commit_fails_keeps_the_code)
{
	proauth2_client *c = register_client(CONF, 0, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_code_exchange request = good_request(c, code);

	env_reopen_on_faulty_vfs(NULL);
	faulty_vfs_fail_syncs(true);
	ck_assert_int_eq(exchange_status(&request), PROAUTH2_ERR_OUTCOME_UNKNOWN);
	faulty_vfs_fail_syncs(false);
	ck_assert_int_eq(exchange_status(&request), PROAUTH2_OK);
	ck_assert_int_eq(exchange_status(&request), PROAUTH2_ERR_INVALID_GRANT);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

static Suite *threats_suite(void)
{
	Suite *s = suite_create("threats");
	TCase *tc = tcase_create("threats");

	tcase_add_checked_fixture(tc, env_setup, env_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, code_replay_revokes_issued_tokens);
	tcase_add_test(tc, refresh_reuse_revokes_grant);
	tcase_add_test(tc, redirect_uri_mismatch);
	tcase_add_test(tc, pkce_mismatch);
	tcase_add_test(tc, pkce_downgrade_verifier_without_challenge);
	tcase_add_test(tc, pkce_downgrade_challenge_without_verifier);
	tcase_add_test(tc, pkce_plain_refused_by_default);
	tcase_add_test(tc, pkce_plain_when_enabled);
	tcase_add_test(tc, wrong_client_secret);
	tcase_add_test(tc, code_of_another_client);
	tcase_add_test(tc, refresh_token_of_another_client);
	tcase_add_test(tc, expired_code);
	tcase_add_test(tc, code_just_before_expiry);
	tcase_add_test(tc, expired_tokens);
	tcase_add_test(tc, public_client_without_pkce_refused);
	tcase_add_test(tc, require_pkce_covers_confidential_clients);
	tcase_add_test(tc, scope_escalation_at_authorization);
	tcase_add_test(tc, grant_type_not_allowed);
	tcase_add_test(tc, missing_and_oversized_parameters);
	tcase_add_test(tc, concurrent_code_redemption_has_one_winner);
	/* Processes share a file or a server, not a private :memory: database. */
	if (strcmp(env_backend(), "sqlite-memory") != 0)
		tcase_add_test(tc, concurrent_code_redemption_across_processes);
	/* A file through SQLite's VFS. */
	if (strcmp(env_backend(), "sqlite") == 0)
		tcase_add_test(tc, exchange_whose_commit_fails_keeps_the_code);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(threats_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
