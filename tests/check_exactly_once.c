/*
 * Exactly-once under failures: each step of a code exchange, a refresh, a
 * replay's revocation, a client delete and a log-out fails in turn, once
 * before it reaches the backend (nothing happened) and once after it ran
 * with its answer lost (it happened; the engine cannot know), on every
 * backend (faulty_store.h wraps the real one). Then the client retries:
 * a retry never logs the user out, an acknowledged token stays valid, a
 * presentation after success is still a replay, and no token of a revoked
 * grant is honoured. Each case prints one row of the table of outcomes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "faulty_store.h"
#include "faulty_vfs.h"
#include "support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define PUBLIC PROAUTH2_CLIENT_PUBLIC
#define CODE_AND_REFRESH (PROAUTH2_GRANT_AUTHORIZATION_CODE | \
		PROAUTH2_GRANT_REFRESH_TOKEN)
/* More steps than any operation takes: the loops end when a fault no
 * longer fires, and this bounds them if that never happens. */
#define MAX_STEPS 40

static const proauth2_datastore_ops *inner;

static void setup(void)
{
	env_setup();
	proauth2_provider_free(env.provider);
	proauth2_datastore_close(env.ds);
	inner = env.ops;
	env.ops = faulty_store_ops(inner);
	env.provider = env_open_provider(&env.ds);
}

static void teardown(void)
{
	faulty_store_fail(0, FAULTY_OFF);
	env.ops = inner;
	env_teardown();
}

/* How the step failed; a group's end can only lose its answer. */
static const char *when_name(faulty_when when, const char *step)
{
	if (strcmp(step, "end_writes") == 0)
		return "answer lost";
	return when == FAULTY_BEFORE ? "before it ran" : "answer lost";
}

static int is_unavailable(proauth2_status status)
{
	return status == PROAUTH2_ERR_UNAVAILABLE ||
		status == PROAUTH2_ERR_OUTCOME_UNKNOWN;
}

/* What one presentation needs: its client, and the code or refresh
 * token presented. */
struct grant {
	proauth2_client *client;
	char *code;
	proauth2_token_response *first;  /* the exchange a refresh starts from */
};

static void grant_free(struct grant *g)
{
	proauth2_client_free(g->client);
	proauth2_secret_free(g->code);
	proauth2_token_response_free(g->first);
	memset(g, 0, sizeof(*g));
}

/* One of the operations that spend a one-time secret. */
struct operation {
	const char *name;
	proauth2_client_type type;
	int refresh;  /* 0: a code exchange; 1: a refresh */
};

static const struct operation operations[] = {
	{"exchange, confidential", CONF, 0},
	{"exchange, public + PKCE", PUBLIC, 0},
	{"refresh, confidential", CONF, 1},
	{"refresh, public", PUBLIC, 1},
};

static void prepare(const struct operation *op, struct grant *g)
{
	g->client = register_client(op->type, CODE_AND_REFRESH, "read");
	g->code = issue_code(g->client, "read", 1);
	if (op->refresh)
		g->first = exchange_code(g->client, g->code, 1);
}

static proauth2_status present(const struct operation *op, const struct grant *g,
		proauth2_token_response **out, proauth2_error *err)
{
	proauth2_code_exchange req;
	proauth2_refresh_request refresh;

	if (op->refresh) {
		proauth2_refresh_request_init(&refresh);
		refresh.client_id = g->client->client_id;
		refresh.client_secret = g->client->client_secret;
		refresh.refresh_token = g->first->refresh_token;
		return proauth2_token_refresh(env.provider, &refresh, out, err);
	}
	proauth2_code_exchange_init(&req);
	req.client_id = g->client->client_id;
	req.client_secret = g->client->client_secret;
	req.code = g->code;
	req.redirect_uri = REDIRECT_URI;
	req.code_verifier = RFC7636_VERIFIER;
	return proauth2_token_exchange_code(env.provider, &req, out, err);
}

/* The refresh token t carries still works: its grant was not revoked. */
static void assert_grant_alive(const struct grant *g, const proauth2_token_response *t)
{
	proauth2_token_response *next = NULL;

	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_OK);
	ck_assert_ptr_nonnull(t->refresh_token);
	ck_assert_int_eq(refresh_with(g->client->client_id, g->client->client_secret,
			t->refresh_token, NULL, &next), PROAUTH2_OK);
	ck_assert_int_eq(validate_status(next->access_token), PROAUTH2_OK);
	proauth2_token_response_free(next);
}

/*
 * Every step of op fails in turn, each way; then the client retries. The
 * user is never logged out by the retry, and a presentation after the
 * success is a replay that revokes the grant.
 */
static void fail_each_step(const struct operation *op)
{
	faulty_when whens[] = {FAULTY_BEFORE, FAULTY_AFTER};
	unsigned n, w, fired = 0;

	for (n = 1; n <= MAX_STEPS; n++) {
		for (w = 0; w < 2; w++) {
			proauth2_token_response *t = NULL, *again = NULL;
			proauth2_status first, retry = PROAUTH2_OK;
			proauth2_error err = {0};
			struct grant g = {0};
			char step[48];

			prepare(op, &g);
			faulty_store_fail(n, whens[w]);
			first = present(op, &g, &t, &err);
			snprintf(step, sizeof(step), "%s", faulty_store_call_name(n));
			if (!faulty_store_fired()) {
				faulty_store_fail(0, FAULTY_OFF);
				ck_assert_int_eq(first, PROAUTH2_OK);
				proauth2_token_response_free(t);
				grant_free(&g);
				ck_assert_int_gt(fired, 0);
				return;
			}
			fired++;
			faulty_store_fail(0, FAULTY_OFF);
			/* A failure is a 503 the client may retry, never a refusal. */
			ck_assert_msg(first == PROAUTH2_OK || is_unavailable(first),
					"%s: step %u (%s) failing %s answered %s: %s", op->name,
					n, step, when_name(whens[w], step),
					proauth2_status_str(first), err.text);
			if (first != PROAUTH2_OK) {
				ck_assert_ptr_null(t);
				retry = present(op, &g, &t, &err);
				ck_assert_msg(retry == PROAUTH2_OK,
						"%s: retry after step %u (%s) failing %s: %s",
						op->name, n, step, when_name(whens[w], step), err.text);
			}
			printf("| %s | %u | %s | %s | %s | %s |\n", op->name, n, step,
					when_name(whens[w], step), proauth2_status_str(first),
					first == PROAUTH2_OK ? "-" : proauth2_status_str(retry));
			assert_grant_alive(&g, t);
			/* Presented after its success: a replay. */
			ck_assert_int_eq(present(op, &g, &again, NULL),
					PROAUTH2_ERR_INVALID_GRANT);
			ck_assert_int_eq(validate_status(t->access_token),
					PROAUTH2_ERR_INVALID_TOKEN);
			proauth2_token_response_free(t);
			grant_free(&g);
		}
	}
	ck_abort_msg("%s: more than %d steps", op->name, MAX_STEPS);
}

START_TEST(every_step_of_a_spending_fails_then_the_retry_completes_it)
{
	fail_each_step(&operations[_i]);
}
END_TEST

/* The record of token in table (its key is the S256 form of the token,
 * which is how secrets are stored), or NULL. */
static json_t *token_record(const char *table, const char *token)
{
	json_t *record = NULL, *query;
	char *hash = NULL;

	ck_assert_int_eq(proauth2_pkce_challenge(token, &hash, NULL), PROAUTH2_OK);
	query = json_pack("{s:s}", "token_hash", hash);
	if (proauth2_datastore_fetch(env.ds, table, query, env.now, &record, NULL)
			!= PROAUTH2_OK)
		record = NULL;
	json_decref(query);
	proauth2_secret_free(hash);
	return record;
}

static int grant_marked_revoked(const char *grant_id)
{
	json_t *query = json_pack("{s:s}", "grant_id", grant_id), *mark = NULL;
	proauth2_status status = proauth2_datastore_fetch(env.ds, "revoked_grants",
			query, env.now, &mark, NULL);

	json_decref(query);
	json_decref(mark);
	ck_assert(status == PROAUTH2_OK || status == PROAUTH2_ERR_NOT_FOUND);
	return status == PROAUTH2_OK;
}

static proauth2_status introspect_status(const struct grant *g, const char *token)
{
	proauth2_token_info *info = NULL;
	proauth2_status status = proauth2_token_introspect(env.provider,
			g->client->client_id, token, PROAUTH2_HINT_NONE, &info, NULL);

	proauth2_token_info_free(info);
	return status;
}

/*
 * A replayed code revokes its grant in steps (the mark, then the removal
 * of each kind of token); each fails in turn. Once the mark is stored,
 * nothing of the grant is honoured, whatever the removals did; before,
 * the replay was answered 503, and presenting it again revokes.
 */
START_TEST(a_revocation_failing_midway_leaves_no_token_honoured)
{
	faulty_when whens[] = {FAULTY_BEFORE, FAULTY_AFTER};
	unsigned n, w;

	for (n = 1; n <= MAX_STEPS; n++) {
		for (w = 0; w < 2; w++) {
			proauth2_token_response *t = NULL, *again = NULL;
			struct grant g = {0};
			proauth2_status replay;
			json_t *record;
			char grant_id[64], step[48];

			prepare(&operations[0], &g);
			t = exchange_code(g.client, g.code, 1);
			record = token_record("access_tokens", t->access_token);
			ck_assert_ptr_nonnull(record);
			snprintf(grant_id, sizeof(grant_id), "%s",
					json_string_value(json_object_get(record, "grant_id")));
			json_decref(record);
			faulty_store_fail(n, whens[w]);
			replay = present(&operations[0], &g, &again, NULL);
			snprintf(step, sizeof(step), "%s", faulty_store_call_name(n));
			if (!faulty_store_fired()) {
				faulty_store_fail(0, FAULTY_OFF);
				ck_assert_int_eq(replay, PROAUTH2_ERR_INVALID_GRANT);
				proauth2_token_response_free(t);
				grant_free(&g);
				ck_assert_int_gt(n, 1);
				return;
			}
			faulty_store_fail(0, FAULTY_OFF);
			ck_assert(replay == PROAUTH2_ERR_INVALID_GRANT || is_unavailable(replay));
			ck_assert_ptr_null(again);
			printf("| replay revocation | %u | %s | %s | %s | marked: %s |\n",
					n, step, when_name(whens[w], step), proauth2_status_str(replay),
					grant_marked_revoked(grant_id) ? "yes" : "no");
			if (replay == PROAUTH2_ERR_INVALID_GRANT || grant_marked_revoked(grant_id)) {
				ck_assert_int_eq(validate_status(t->access_token),
						PROAUTH2_ERR_INVALID_TOKEN);
				ck_assert_int_eq(introspect_status(&g, t->access_token),
						PROAUTH2_ERR_INVALID_TOKEN);
				ck_assert_int_eq(introspect_status(&g, t->refresh_token),
						PROAUTH2_ERR_INVALID_TOKEN);
				ck_assert_int_eq(refresh_with(g.client->client_id,
						g.client->client_secret, t->refresh_token, NULL,
						&again), PROAUTH2_ERR_INVALID_GRANT);
			} else {
				/* Nothing was revoked, and the client was told to retry:
				 * the replay presented again revokes. */
				ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_OK);
				ck_assert_int_eq(present(&operations[0], &g, &again, NULL),
						PROAUTH2_ERR_INVALID_GRANT);
				ck_assert_int_eq(validate_status(t->access_token),
						PROAUTH2_ERR_INVALID_TOKEN);
			}
			proauth2_token_response_free(t);
			grant_free(&g);
		}
	}
	ck_abort_msg("more than %d steps", MAX_STEPS);
}
END_TEST

/* Every step of a client delete fails in turn: its retry finishes it, and
 * nothing issued to the client is honoured after. */
START_TEST(a_client_delete_failing_midway_finishes_when_retried)
{
	faulty_when whens[] = {FAULTY_BEFORE, FAULTY_AFTER};
	unsigned n, w;

	for (n = 1; n <= MAX_STEPS; n++) {
		for (w = 0; w < 2; w++) {
			proauth2_token_response *t = NULL, *next = NULL;
			struct grant g = {0};
			proauth2_status first, retry = PROAUTH2_OK;
			proauth2_client *found = NULL;
			char step[48];

			prepare(&operations[0], &g);
			t = exchange_code(g.client, g.code, 1);
			proauth2_secret_free(g.code);
			g.code = issue_code(g.client, "read", 1);  /* a code left too */
			faulty_store_fail(n, whens[w]);
			first = proauth2_client_delete(env.provider, g.client->client_id, NULL);
			snprintf(step, sizeof(step), "%s", faulty_store_call_name(n));
			if (!faulty_store_fired()) {
				faulty_store_fail(0, FAULTY_OFF);
				ck_assert_int_eq(first, PROAUTH2_OK);
				proauth2_token_response_free(t);
				grant_free(&g);
				ck_assert_int_gt(n, 1);
				return;
			}
			faulty_store_fail(0, FAULTY_OFF);
			ck_assert(first == PROAUTH2_OK || is_unavailable(first));
			if (first != PROAUTH2_OK) {
				retry = proauth2_client_delete(env.provider,
						g.client->client_id, NULL);
				/* Not found: it had gone with nothing of it left. */
				ck_assert(retry == PROAUTH2_OK ||
						retry == PROAUTH2_ERR_NOT_FOUND);
			}
			printf("| client delete | %u | %s | %s | %s | %s |\n", n, step,
					when_name(whens[w], step), proauth2_status_str(first),
					first == PROAUTH2_OK ? "-" : proauth2_status_str(retry));
			ck_assert_int_eq(proauth2_client_get(env.provider,
					g.client->client_id, &found, NULL), PROAUTH2_ERR_NOT_FOUND);
			ck_assert_int_eq(validate_status(t->access_token),
					PROAUTH2_ERR_INVALID_TOKEN);
			ck_assert_ptr_null(token_record("refresh_tokens", t->refresh_token));
			ck_assert_int_ne(refresh_with(g.client->client_id,
					g.client->client_secret, t->refresh_token, NULL, &next),
					PROAUTH2_OK);
			proauth2_token_response_free(t);
			grant_free(&g);
		}
	}
	ck_abort_msg("more than %d steps", MAX_STEPS);
}
END_TEST

/* Every step of a log-out fails in turn: called again, it finishes. */
START_TEST(a_log_out_failing_midway_finishes_when_retried)
{
	faulty_when whens[] = {FAULTY_BEFORE, FAULTY_AFTER};
	unsigned n, w;

	for (n = 1; n <= MAX_STEPS; n++) {
		for (w = 0; w < 2; w++) {
			proauth2_token_response *t = NULL;
			struct grant g = {0};
			proauth2_status first, retry = PROAUTH2_OK;
			char step[48];

			prepare(&operations[0], &g);
			t = exchange_code(g.client, g.code, 1);
			faulty_store_fail(n, whens[w]);
			first = proauth2_token_revoke_user(env.provider,
					g.client->client_id, USER, NULL, NULL);
			snprintf(step, sizeof(step), "%s", faulty_store_call_name(n));
			if (!faulty_store_fired()) {
				faulty_store_fail(0, FAULTY_OFF);
				ck_assert_int_eq(first, PROAUTH2_OK);
				proauth2_token_response_free(t);
				grant_free(&g);
				ck_assert_int_gt(n, 1);
				return;
			}
			faulty_store_fail(0, FAULTY_OFF);
			ck_assert(first == PROAUTH2_OK || is_unavailable(first));
			if (first != PROAUTH2_OK)
				retry = proauth2_token_revoke_user(env.provider,
						g.client->client_id, USER, NULL, NULL);
			ck_assert_int_eq(retry, PROAUTH2_OK);
			printf("| log-out | %u | %s | %s | %s | %s |\n", n, step,
					when_name(whens[w], step), proauth2_status_str(first),
					first == PROAUTH2_OK ? "-" : proauth2_status_str(retry));
			ck_assert_int_eq(validate_status(t->access_token),
					PROAUTH2_ERR_INVALID_TOKEN);
			ck_assert_ptr_null(token_record("refresh_tokens", t->refresh_token));
			proauth2_token_response_free(t);
			grant_free(&g);
		}
	}
	ck_abort_msg("more than %d steps", MAX_STEPS);
}
END_TEST

/* A code stored before schema 4 has no resume_salt: it is still
 * exchanged once, with tokens drawn at random. */
START_TEST(a_code_without_a_resume_salt_is_exchanged_once)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read");
	char *code = issue_code(c, "read", 1), *hash = NULL;
	json_t *query, *record = NULL;
	proauth2_token_response *t;
	proauth2_status status;

	ck_assert_int_eq(proauth2_pkce_challenge(code, &hash, NULL), PROAUTH2_OK);
	query = json_pack("{s:s}", "code_hash", hash);
	ck_assert_int_eq(proauth2_datastore_fetch(env.ds, "codes", query, env.now,
			&record, NULL), PROAUTH2_OK);
	ck_assert_ptr_nonnull(json_object_get(record, "resume_salt"));
	json_object_del(record, "resume_salt");
	ck_assert_int_eq(proauth2_datastore_replace(env.ds, "codes", record, NULL),
			PROAUTH2_OK);
	t = exchange_code(c, code, 1);
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_OK);
	status = proauth2_token_exchange_code(env.provider, &(proauth2_code_exchange){
			.struct_size = sizeof(proauth2_code_exchange),
			.client_id = c->client_id, .client_secret = c->client_secret,
			.code = code, .redirect_uri = REDIRECT_URI,
			.code_verifier = RFC7636_VERIFIER}, &(proauth2_token_response *){NULL},
			NULL);
	ck_assert_int_eq(status, PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_ERR_INVALID_TOKEN);
	json_decref(query);
	json_decref(record);
	proauth2_secret_free(hash);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

/* A retry with another verifier or secret is not the same presentation:
 * it is refused before anything is spent, and the real retry still wins. */
START_TEST(a_retry_must_present_what_the_first_try_did)
{
	proauth2_client *c = register_client(PUBLIC, CODE_AND_REFRESH, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_code_exchange req;
	proauth2_token_response *t = NULL;

	proauth2_code_exchange_init(&req);
	req.client_id = c->client_id;
	req.code = code;
	req.redirect_uri = REDIRECT_URI;
	req.code_verifier = RFC7636_VERIFIER;
	faulty_store_fail(1, FAULTY_OFF);
	/* Fail the exchange at its removal of the code: everything but that. */
	for (unsigned n = 1; n <= MAX_STEPS; n++) {
		faulty_store_fail(n, FAULTY_BEFORE);
		ck_assert_int_ne(proauth2_token_exchange_code(env.provider, &req, &t,
				NULL), PROAUTH2_OK);
		if (strcmp(faulty_store_call_name(n), "remove codes") == 0)
			break;
	}
	faulty_store_fail(0, FAULTY_OFF);
	req.code_verifier = "another-verifier-of-enough-length-0123456789abc";
	ck_assert_int_eq(proauth2_token_exchange_code(env.provider, &req, &t, NULL),
			PROAUTH2_ERR_INVALID_GRANT);
	req.code_verifier = RFC7636_VERIFIER;
	ck_assert_int_eq(proauth2_token_exchange_code(env.provider, &req, &t, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(validate_status(t->access_token), PROAUTH2_OK);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

/* The disk fails under a spending, as the faulty VFS makes it: a commit's
 * fsync, or a write (a full disk) at each point of the commit in turn. */
struct disk_fault {
	const char *name;
	void (*arm)(unsigned n);
	unsigned max_n;
};

static void fail_sync(unsigned n)
{
	(void)n;
	faulty_vfs_fail_next_sync();
}

static void fill_disk(unsigned n)
{
	faulty_vfs_fill_disk_every_nth_write(n);
}

static void disk_ok(void)
{
	faulty_vfs_fail_syncs(false);
	faulty_vfs_fill_disk_every_nth_write(0);
}

static void reopen_on_faulty_disk(void)
{
	ck_assert_int_eq(faulty_vfs_register(), SQLITE_OK);
	proauth2_provider_free(env.provider);
	proauth2_datastore_close(env.ds);
	free(env.uri);
	ck_assert_int_ge(asprintf(&env.uri, "file:%s/proauth2.db?vfs=%s", env.dir,
			FAULTY_VFS_NAME), 0);
	env.provider = env_open_provider(&env.ds);
}

START_TEST(a_disk_failing_under_a_spending_never_logs_the_user_out)
{
	static const struct disk_fault faults[] = {
		{"fsync of the commit fails", fail_sync, 1},
		{"every n-th write: disk full", fill_disk, 6},
	};
	unsigned f, n, o;

	reopen_on_faulty_disk();
	for (o = 0; o < sizeof(operations) / sizeof(operations[0]); o++)
		for (f = 0; f < sizeof(faults) / sizeof(faults[0]); f++)
			for (n = 1; n <= faults[f].max_n; n++) {
				proauth2_token_response *t = NULL, *again = NULL;
				proauth2_status first, retry = PROAUTH2_OK;
				proauth2_error err = {0};
				struct grant g = {0};

				prepare(&operations[o], &g);
				faults[f].arm(n);
				first = present(&operations[o], &g, &t, &err);
				disk_ok();
				ck_assert_msg(first == PROAUTH2_OK || is_unavailable(first) ||
						first == PROAUTH2_ERR_DATASTORE, "%s, %s (%u): %s",
						operations[o].name, faults[f].name, n, err.text);
				if (first != PROAUTH2_OK) {
					retry = present(&operations[o], &g, &t, &err);
					ck_assert_msg(retry == PROAUTH2_OK, "retry: %s", err.text);
				}
				printf("| %s | disk | %s (%u) | - | %s | %s |\n",
						operations[o].name, faults[f].name, n,
						proauth2_status_str(first), first == PROAUTH2_OK ?
						"-" : proauth2_status_str(retry));
				assert_grant_alive(&g, t);
				ck_assert_int_eq(present(&operations[o], &g, &again, NULL),
						PROAUTH2_ERR_INVALID_GRANT);
				proauth2_token_response_free(t);
				grant_free(&g);
			}
}
END_TEST

/* What validation reads: the token, and for a grant with a user, which a
 * replay can revoke, its revocation mark; a client_credentials token costs
 * one read. */
START_TEST(validation_looks_for_a_mark_only_where_one_can_be)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH |
			PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_token_response *user = exchange_code(c, code, 1), *machine = NULL;

	ck_assert_int_eq(client_credentials_with(c->client_id, c->client_secret,
			"read", &machine), PROAUTH2_OK);
	faulty_store_fail(0, FAULTY_OFF);
	ck_assert_int_eq(validate_status(machine->access_token), PROAUTH2_OK);
	ck_assert_uint_eq(faulty_store_calls(), 1);
	ck_assert_str_eq(faulty_store_call_name(1), "fetch access_tokens");
	faulty_store_fail(0, FAULTY_OFF);
	ck_assert_int_eq(validate_status(user->access_token), PROAUTH2_OK);
	ck_assert_uint_eq(faulty_store_calls(), 2);
	ck_assert_str_eq(faulty_store_call_name(2), "fetch revoked_grants");
	proauth2_token_response_free(user);
	proauth2_token_response_free(machine);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("exactly_once");
	TCase *tc = tcase_create("faults");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_loop_test(tc, every_step_of_a_spending_fails_then_the_retry_completes_it,
			0, (int)(sizeof(operations) / sizeof(operations[0])));
	tcase_add_test(tc, a_revocation_failing_midway_leaves_no_token_honoured);
	tcase_add_test(tc, a_client_delete_failing_midway_finishes_when_retried);
	tcase_add_test(tc, a_log_out_failing_midway_finishes_when_retried);
	tcase_add_test(tc, a_code_without_a_resume_salt_is_exchanged_once);
	tcase_add_test(tc, a_retry_must_present_what_the_first_try_did);
	tcase_add_test(tc, validation_looks_for_a_mark_only_where_one_can_be);
	if (strcmp(env_backend(), "sqlite") == 0)
		tcase_add_test(tc, a_disk_failing_under_a_spending_never_logs_the_user_out);
	suite_add_tcase(s, tc);
	printf("| operation | step | call failed | how | first answer | retry |\n"
			"|---|---|---|---|---|---|\n");
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
