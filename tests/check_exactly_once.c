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
#ifdef PROAUTH2_TEST_MONGODB
#include "test_mongodb.h"
#endif

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define PUBLIC PROAUTH2_CLIENT_PUBLIC
#define CODE_AND_REFRESH (PROAUTH2_GRANT_AUTHORIZATION_CODE | \
		PROAUTH2_GRANT_REFRESH_TOKEN)
/* More steps than any operation takes: the loops end when a fault no
 * longer fires, and this bounds them if that never happens. */
#define MAX_STEPS 40

/*
 * What fails the n-th step of a call: the wrapper around the backend
 * (faulty_store.h), on every backend; or, on MongoDB, the server's
 * failCommand fail point, on the wire.
 */
struct injector {
	unsigned n_kinds;
	const char *const *kinds;  /* how a step fails, for the table */
	void (*arm)(unsigned n, unsigned kind);
	/* Disarm; whether it fired, and (into step) what failed. */
	int (*disarm)(unsigned n, char *step, size_t size);
};

static const char *const store_kinds[] = {"before it ran", "answer lost"};

static void store_arm(unsigned n, unsigned kind)
{
	faulty_store_fail(n, kind == 0 ? FAULTY_BEFORE : FAULTY_AFTER);
}

static int store_disarm(unsigned n, char *step, size_t size)
{
	int fired = faulty_store_fired();

	snprintf(step, size, "%s", faulty_store_call_name(n));
	faulty_store_fail(0, FAULTY_OFF);
	return fired;
}

static const struct injector in_store = {2, store_kinds, store_arm, store_disarm};

#ifdef PROAUTH2_TEST_MONGODB
/* The commands the backend sends for its methods and a group's end. */
#define WIRE_COMMANDS "[\"find\", \"insert\", \"delete\", \"update\", " \
	"\"aggregate\", \"count\", \"commitTransaction\"]"

static const char *const wire_kinds[] = {
	"connection closed", "reply lost", "NotWritablePrimary", "wtimeout",
};

static void wire_arm(unsigned n, unsigned kind)
{
	static const char *const data[] = {
		"\"closeConnection\": true",
		"\"closeConnectionAfterApply\": true",
		"\"errorCode\": 10107",
		"\"writeConcernError\": {\"code\": 64, \"errmsg\": \"waiting for replication timed out\"}",
	};
	char spec[512];

	snprintf(spec, sizeof(spec), "{\"mode\": {\"skip\": %u, \"times\": 1},"
			" \"data\": {\"failCommands\": " WIRE_COMMANDS ", %s}}", n - 1,
			data[kind]);
	ck_assert(test_mongodb_fail_point(env.uri, spec));
}

static int wire_disarm(unsigned n, char *step, size_t size)
{
	long fired = test_mongodb_fail_point_off(env.uri);

	ck_assert_int_ge(fired, 0);
	snprintf(step, size, "command %u", n);
	return fired > 0;
}

static const struct injector on_the_wire = {4, wire_kinds, wire_arm, wire_disarm};
#endif

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

/* One case of a scenario: a fresh grant, and the step that failed. */
struct fault_case {
	const struct operation *op;
	struct grant g;
	proauth2_token_response *t;  /* the tokens the user holds */
	char grant_id[64];
	unsigned n;                  /* the call that failed */
	const char *how;
	char step[48];               /* what it was */
	proauth2_status first;       /* the answer to the call that failed */
	proauth2_error err;
	char outcome[48];            /* what came after, for the table */
};

/* Something that fails at each of its steps in turn. */
struct scenario {
	const char *name;
	void (*prepare)(struct fault_case *c);
	proauth2_status (*act)(struct fault_case *c);
	/* The answer when no step fails. */
	proauth2_status clean;
	/* After the failure, faults off: retry and check what holds. */
	void (*check)(struct fault_case *c);
};

static void case_free(struct fault_case *c)
{
	proauth2_token_response_free(c->t);
	grant_free(&c->g);
}

/*
 * Every step of sc fails in turn, before it reaches the backend and
 * after it ran with its answer lost, until there is no step left to fail.
 * A failure is a 503 the caller may retry, never a refusal.
 */
static void each_step_fails_in_turn(const struct scenario *sc,
		const struct operation *op, const struct injector *in)
{
	unsigned n, k;

	for (n = 1; n <= MAX_STEPS; n++) {
		for (k = 0; k < in->n_kinds; k++) {
			struct fault_case c = {.op = op, .n = n, .how = in->kinds[k]};
			int fired;

			sc->prepare(&c);
			in->arm(n, k);
			c.first = sc->act(&c);
			fired = in->disarm(n, c.step, sizeof(c.step));
			if (strcmp(c.step, "end_writes") == 0)
				c.how = store_kinds[1];  /* a group always ends */
			if (!fired) {
				ck_assert_int_eq(c.first, sc->clean);
				case_free(&c);
				ck_assert_int_gt(n, 1);
				return;
			}
			ck_assert_msg(c.first == sc->clean || is_unavailable(c.first),
					"%s: step %u (%s) failing %s answered %s: %s",
					op != NULL ? op->name : sc->name, n, c.step,
					c.how, proauth2_status_str(c.first),
					c.err.text);
			snprintf(c.outcome, sizeof(c.outcome), "-");
			sc->check(&c);
			printf("| %s | %u | %s | %s | %s | %s |\n",
					op != NULL ? op->name : sc->name, n, c.step,
					c.how, proauth2_status_str(c.first),
					c.outcome);
			case_free(&c);
		}
	}
	ck_abort_msg("%s: more than %d steps", sc->name, MAX_STEPS);
}

/* A spending (code exchange or refresh) failing at a step. */
static void spending_prepare(struct fault_case *c)
{
	prepare(c->op, &c->g);
}

static proauth2_status spending_act(struct fault_case *c)
{
	return present(c->op, &c->g, &c->t, &c->err);
}

/* The user is never logged out by the retry, and a presentation after
 * the success is a replay that revokes the grant. */
static void spending_check(struct fault_case *c)
{
	proauth2_token_response *again = NULL;
	proauth2_status retry;

	if (c->first != PROAUTH2_OK) {
		ck_assert_ptr_null(c->t);
		retry = present(c->op, &c->g, &c->t, &c->err);
		ck_assert_msg(retry == PROAUTH2_OK, "%s: retry after step %u (%s): %s",
				c->op->name, c->n, c->step, c->err.text);
		snprintf(c->outcome, sizeof(c->outcome), "retry: %s",
				proauth2_status_str(retry));
	}
	assert_grant_alive(&c->g, c->t);
	ck_assert_int_eq(present(c->op, &c->g, &again, NULL),
			PROAUTH2_ERR_INVALID_GRANT);
	ck_assert_int_eq(validate_status(c->t->access_token),
			PROAUTH2_ERR_INVALID_TOKEN);
}

static const struct scenario spending = {
	"spending", spending_prepare, spending_act, PROAUTH2_OK, spending_check,
};

START_TEST(every_step_of_a_spending_fails_then_the_retry_completes_it)
{
	each_step_fails_in_turn(&spending, &operations[_i], &in_store);
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

/* A user holding the tokens of an exchange, and a code of theirs left. */
static void exchanged_prepare(struct fault_case *c)
{
	json_t *record;

	prepare(&operations[0], &c->g);
	c->t = exchange_code(c->g.client, c->g.code, 1);
	record = token_record("access_tokens", c->t->access_token);
	ck_assert_ptr_nonnull(record);
	snprintf(c->grant_id, sizeof(c->grant_id), "%s",
			json_string_value(json_object_get(record, "grant_id")));
	json_decref(record);
}

static proauth2_status replay_act(struct fault_case *c)
{
	proauth2_token_response *again = NULL;
	proauth2_status status = present(&operations[0], &c->g, &again, &c->err);

	ck_assert_ptr_null(again);
	return status;
}

/*
 * Once the mark is stored, nothing of the grant is honoured, whatever the
 * removals did; before, the replay was answered 503, and presenting it
 * again revokes.
 */
static void replay_check(struct fault_case *c)
{
	proauth2_token_response *again = NULL;
	int marked = grant_marked_revoked(c->grant_id);

	snprintf(c->outcome, sizeof(c->outcome), "marked: %s", marked ? "yes" : "no");
	if (!marked) {
		ck_assert(is_unavailable(c->first));
		ck_assert_int_eq(validate_status(c->t->access_token), PROAUTH2_OK);
		ck_assert_int_eq(replay_act(c), PROAUTH2_ERR_INVALID_GRANT);
	}
	ck_assert_int_eq(validate_status(c->t->access_token),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(introspect_status(&c->g, c->t->access_token),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(introspect_status(&c->g, c->t->refresh_token),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(refresh_with(c->g.client->client_id,
			c->g.client->client_secret, c->t->refresh_token, NULL, &again),
			PROAUTH2_ERR_INVALID_GRANT);
}

static const struct scenario replay_revocation = {
	"replay revocation", exchanged_prepare, replay_act,
	PROAUTH2_ERR_INVALID_GRANT, replay_check,
};

/* A replayed code revokes its grant in steps (the mark, then the removal
 * of each kind of token); each fails in turn. */
START_TEST(a_revocation_failing_midway_leaves_no_token_honoured)
{
	each_step_fails_in_turn(&replay_revocation, NULL, &in_store);
}
END_TEST

/* The client holds a code besides its tokens. */
static void delete_prepare(struct fault_case *c)
{
	exchanged_prepare(c);
	proauth2_secret_free(c->g.code);
	c->g.code = issue_code(c->g.client, "read", 1);
}

static proauth2_status delete_act(struct fault_case *c)
{
	return proauth2_client_delete(env.provider, c->g.client->client_id, &c->err);
}

/* Its retry finishes it (not found: it had gone, with nothing of it
 * left), and nothing issued to the client is honoured after. */
static void delete_check(struct fault_case *c)
{
	proauth2_token_response *next = NULL;
	proauth2_client *found = NULL;
	proauth2_status retry;

	if (c->first != PROAUTH2_OK) {
		retry = delete_act(c);
		ck_assert(retry == PROAUTH2_OK || retry == PROAUTH2_ERR_NOT_FOUND);
		snprintf(c->outcome, sizeof(c->outcome), "retry: %s",
				proauth2_status_str(retry));
	}
	ck_assert_int_eq(proauth2_client_get(env.provider, c->g.client->client_id,
			&found, NULL), PROAUTH2_ERR_NOT_FOUND);
	ck_assert_int_eq(validate_status(c->t->access_token),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_ptr_null(token_record("refresh_tokens", c->t->refresh_token));
	ck_assert_int_ne(refresh_with(c->g.client->client_id,
			c->g.client->client_secret, c->t->refresh_token, NULL, &next),
			PROAUTH2_OK);
}

static const struct scenario client_delete = {
	"client delete", delete_prepare, delete_act, PROAUTH2_OK, delete_check,
};

START_TEST(a_client_delete_failing_midway_finishes_when_retried)
{
	each_step_fails_in_turn(&client_delete, NULL, &in_store);
}
END_TEST

static proauth2_status log_out_act(struct fault_case *c)
{
	return proauth2_token_revoke_user(env.provider, c->g.client->client_id,
			USER, NULL, &c->err);
}

/* Called again, it finishes. */
static void log_out_check(struct fault_case *c)
{
	if (c->first != PROAUTH2_OK) {
		ck_assert_int_eq(log_out_act(c), PROAUTH2_OK);
		snprintf(c->outcome, sizeof(c->outcome), "retry: ok");
	}
	ck_assert_int_eq(validate_status(c->t->access_token),
			PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_ptr_null(token_record("refresh_tokens", c->t->refresh_token));
}

static const struct scenario log_out = {
	"log-out", exchanged_prepare, log_out_act, PROAUTH2_OK, log_out_check,
};

START_TEST(a_log_out_failing_midway_finishes_when_retried)
{
	each_step_fails_in_turn(&log_out, NULL, &in_store);
}
END_TEST

/* A retry with another verifier is refused before anything is spent, and
 * the real retry still wins. */
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

START_TEST(a_disk_failing_under_a_spending_never_logs_the_user_out)
{
	static const struct disk_fault faults[] = {
		{"fsync of the commit fails", fail_sync, 1},
		{"every n-th write: disk full", fill_disk, 6},
	};
	unsigned f, n, o;

	env_reopen_on_faulty_vfs(NULL);
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

/* What validation reads, in the mode the faulty store is in: the token
 * and its grant's revocation mark in one read where the backend has
 * fetch_unmarked; else the mark by a read of its own, and only for a
 * grant with a user, which a replay can revoke: a client_credentials
 * token costs one read. */
static void expect_validation_reads(const char *user_token,
		const char *machine_token)
{
	bool joined = faulty_store_joins();
	const char *token_read = joined ? "fetch_unmarked access_tokens" :
		"fetch access_tokens";

	faulty_store_fail(0, FAULTY_OFF);
	ck_assert_int_eq(validate_status(machine_token), PROAUTH2_OK);
	ck_assert_uint_eq(faulty_store_calls(), 1);
	ck_assert_str_eq(faulty_store_call_name(1), token_read);
	faulty_store_fail(0, FAULTY_OFF);
	ck_assert_int_eq(validate_status(user_token), PROAUTH2_OK);
	ck_assert_str_eq(faulty_store_call_name(1), token_read);
	if (joined) {
		ck_assert_uint_eq(faulty_store_calls(), 1);
	} else {
		ck_assert_uint_eq(faulty_store_calls(), 2);
		ck_assert_str_eq(faulty_store_call_name(2), "fetch revoked_grants");
	}
}

START_TEST(validation_looks_for_a_mark_only_where_one_can_be)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH |
			PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_token_response *user = exchange_code(c, code, 1), *machine = NULL;

	ck_assert_int_eq(client_credentials_with(c->client_id, c->client_secret,
			"read", &machine), PROAUTH2_OK);
	expect_validation_reads(user->access_token, machine->access_token);
	faulty_store_join(false);
	expect_validation_reads(user->access_token, machine->access_token);
	faulty_store_join(true);
	proauth2_token_response_free(user);
	proauth2_token_response_free(machine);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

/* A grant's mark stored, its tokens left (a revocation whose removals
 * failed): validation and introspection refuse both tokens, whether the
 * backend reads the mark with the token or the core reads it alone. */
START_TEST(a_marked_grant_is_refused_with_or_without_the_join)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read");
	char *code = issue_code(c, "read", 1);
	proauth2_token_response *t = exchange_code(c, code, 1);
	json_t *record = token_record("access_tokens", t->access_token), *mark;
	proauth2_error err = {0};
	proauth2_token_info *info = NULL;

	ck_assert_ptr_nonnull(record);
	mark = json_pack("{s:O, s:I}", "grant_id", json_object_get(record, "grant_id"),
			"expires_at", (json_int_t)(proauth2_provider_now(env.provider) + 3600));
	ck_assert_ptr_nonnull(mark);
	ck_assert_int_eq(proauth2_datastore_store(env.ds, "revoked_grants", mark, &err),
			PROAUTH2_OK);
	for (int joined = 1; joined >= 0; joined--) {
		faulty_store_join(joined);
		ck_assert_int_eq(validate_status(t->access_token),
				PROAUTH2_ERR_INVALID_TOKEN);
		ck_assert_int_eq(proauth2_token_introspect(env.provider, c->client_id,
				t->refresh_token, PROAUTH2_HINT_REFRESH_TOKEN, &info, NULL),
				PROAUTH2_ERR_INVALID_TOKEN);
		ck_assert_ptr_null(info);
		/* Both tokens are still stored: only the mark refuses them. */
		json_decref(record);
		ck_assert_ptr_nonnull(record = token_record("access_tokens",
				t->access_token));
	}
	faulty_store_join(true);
	json_decref(record);
	json_decref(mark);
	proauth2_token_response_free(t);
	proauth2_secret_free(code);
	proauth2_client_free(c);
}
END_TEST

#ifdef PROAUTH2_TEST_MONGODB
/* The same, with the MongoDB server failing the n-th command. */
START_TEST(every_command_of_a_spending_fails_on_the_wire)
{
	each_step_fails_in_turn(&spending, &operations[_i], &on_the_wire);
}
END_TEST

START_TEST(every_command_of_a_revocation_fails_on_the_wire)
{
	each_step_fails_in_turn(&replay_revocation, NULL, &on_the_wire);
}
END_TEST

START_TEST(every_command_of_a_client_delete_fails_on_the_wire)
{
	each_step_fails_in_turn(&client_delete, NULL, &on_the_wire);
}
END_TEST
#endif

int main(void)
{
	Suite *s = suite_create("exactly_once");
	TCase *tc = tcase_create("faults");

	tcase_add_checked_fixture(tc, faulty_env_setup, faulty_env_teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_loop_test(tc, every_step_of_a_spending_fails_then_the_retry_completes_it,
			0, (int)(sizeof(operations) / sizeof(operations[0])));
	tcase_add_test(tc, a_revocation_failing_midway_leaves_no_token_honoured);
	tcase_add_test(tc, a_client_delete_failing_midway_finishes_when_retried);
	tcase_add_test(tc, a_log_out_failing_midway_finishes_when_retried);
	tcase_add_test(tc, a_retry_must_present_what_the_first_try_did);
	tcase_add_test(tc, validation_looks_for_a_mark_only_where_one_can_be);
	tcase_add_test(tc, a_marked_grant_is_refused_with_or_without_the_join);
	if (strcmp(env_backend(), "sqlite") == 0)
		tcase_add_test(tc, a_disk_failing_under_a_spending_never_logs_the_user_out);
#ifdef PROAUTH2_TEST_MONGODB
	/* The fail point's extensions (a lost reply, skip with times) are the
	 * tests' server's own. */
	if (strcmp(env_backend(), "mongodb") == 0 && test_mongodb_is_emulator()) {
		tcase_add_loop_test(tc, every_command_of_a_spending_fails_on_the_wire,
				0, (int)(sizeof(operations) / sizeof(operations[0])));
		tcase_add_test(tc, every_command_of_a_revocation_fails_on_the_wire);
		tcase_add_test(tc, every_command_of_a_client_delete_fails_on_the_wire);
	}
#endif
	suite_add_tcase(s, tc);
	printf("| operation | step | call failed | how | first answer | retry |\n"
			"|---|---|---|---|---|---|\n");
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
