/* The MongoDB backend's answers under injected failures: the tests'
 * server's failCommand fail point (tests/mongodb/failpoint.py) fails,
 * drops, delays or trickles one command, and each test checks the status
 * the datastore call answers, what the store holds afterwards, and that
 * the call returned within the bound the URI's timeouts give
 * (proauth2/mongodb.h). Each test runs its own server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mongoc/mongoc.h>

#include <proauth2/backend.h>
#include <proauth2/mongodb.h>

#include "support.h"
#include "test_mongodb.h"

/* Small timeouts: a lost reply shows within a second. The documented
 * bound of one call is 2 x waitQueueTimeoutMS + serverSelectionTimeoutMS +
 * connectTimeoutMS + 2 x socketTimeoutMS. */
#define TIMEOUTS "serverSelectionTimeoutMS=1000&connectTimeoutMS=1000" \
	"&socketTimeoutMS=1000&waitQueueTimeoutMS=1000&appname=proauth2-faults"
#define BOUND_MS (2 * 1000 + 1000 + 1000 + 2 * 1000)
/* Loose, for valgrind and a busy machine: what fails is a call that waits
 * for a second attempt or without end, several seconds more. */
#define SLACK_MS 2500

static test_mongo_server server;
static char uri[1024];
static proauth2_datastore *ds;
static mongoc_client_t *admin;

static void setup(void)
{
	proauth2_error err = {0};

	ck_assert(test_mongo_server_start(&server, "0"));
	snprintf(uri, sizeof(uri), "%s/faults?" TIMEOUTS, server.uri);
	ck_assert_int_eq(proauth2_datastore_open(proauth2_mongodb_ops(), uri, &ds,
			&err), PROAUTH2_OK);
	admin = mongoc_client_new(server.uri);
	ck_assert_ptr_nonnull(admin);
}

static void teardown(void)
{
	proauth2_datastore_close(ds);
	ds = NULL;
	mongoc_client_destroy(admin);
	admin = NULL;
	test_mongo_server_stop(&server);
}

/* The failCommand fail point with mode, for command, with data (JSON
 * members, may be ""), on this test's connections only. */
static void fail_point(const char *mode, const char *command, const char *data)
{
	char spec[512];

	snprintf(spec, sizeof(spec), "{\"mode\": %s, \"data\": {\"failCommands\":"
			" [\"%s\"], \"appName\": \"proauth2-faults\"%s%s}}", mode, command,
			data[0] != '\0' ? ", " : "", data);
	ck_assert(test_mongodb_fail_point(server.uri, spec));
}

/* The fail point for the next command named command. */
static void fail_next(const char *command, const char *data)
{
	fail_point("{\"times\": 1}", command, data);
}

/* createIndexes on the faults database: spec is one index's JSON. */
static void create_index(const char *collection, const char *spec)
{
	ck_assert(test_mongodb_create_index(server.uri, "faults", collection, spec));
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static json_t *mark(const char *hash, const char *grant)
{
	return json_pack("{s:s, s:s, s:I}", "token_hash", hash, "grant_id", grant,
			"expires_at", (json_int_t)time(NULL) + 86400);
}

static proauth2_status store_mark(const char *hash, const char *grant,
		proauth2_error *err)
{
	json_t *record = mark(hash, grant);
	proauth2_status status = proauth2_datastore_store(ds, "spent_tokens", record,
			err);

	json_decref(record);
	return status;
}

static proauth2_status fetch_mark(const char *hash, proauth2_error *err)
{
	json_t *query = json_pack("{s:s}", "token_hash", hash), *record = NULL;
	proauth2_status status = proauth2_datastore_fetch(ds, "spent_tokens", query,
			(int64_t)time(NULL), &record, err);

	json_decref(record);
	json_decref(query);
	return status;
}

static proauth2_status remove_mark(const char *hash, size_t *removed,
		proauth2_error *err)
{
	json_t *query = json_pack("{s:s}", "token_hash", hash);
	proauth2_status status = proauth2_datastore_remove(ds, "spent_tokens", query,
			removed, err);

	json_decref(query);
	return status;
}

/* The call's wall time stays within the documented bound. */
static void within_bound(const char *what, int64_t start)
{
	int64_t took = now_ms() - start;

	fprintf(stderr, "%s: %lld ms (bound %d ms)\n", what, (long long)took, BOUND_MS);
	ck_assert_msg(took <= BOUND_MS + SLACK_MS, "%s took %lld ms, bound %d ms", what,
			(long long)took, BOUND_MS);
}

/* A store whose reply is lost may have been applied: OUTCOME_UNKNOWN,
 * and the same store afterwards is the conflict with itself. */
static void store_unknown_then(const char *data, const char *what,
		bool applied, int settle_ms)
{
	proauth2_error err = {0};
	int64_t start;

	fail_next("insert", data);
	start = now_ms();
	ck_assert_msg(store_mark("h1", "g1", &err) == PROAUTH2_ERR_OUTCOME_UNKNOWN,
			"%s: %s", what, err.text);
	within_bound(what, start);
	ck_assert_str_eq(proauth2_status_oauth_error(err.status), "temporarily_unavailable");
	/* The server applies a blocked command once its block ends. */
	if (settle_ms > 0)
		usleep((useconds_t)settle_ms * 1000);
	ck_assert_int_eq(fetch_mark("h1", &err), applied ? PROAUTH2_OK :
			PROAUTH2_ERR_NOT_FOUND);
}

START_TEST(store_whose_reply_is_lost_is_unknown)
{
	store_unknown_then("\"closeConnectionAfterApply\": true",
			"insert applied, connection closed", true, 0);
}
END_TEST

/* Closed before applying: from the client's side the same as after. */
START_TEST(store_whose_connection_closes_is_unknown)
{
	store_unknown_then("\"closeConnection\": true", "insert, connection closed",
			false, 0);
}
END_TEST

START_TEST(store_whose_reply_times_out_is_unknown)
{
	store_unknown_then("\"blockConnection\": true, \"blockTimeMS\": 3000",
			"insert blocked 3 s", true, 2500);
}
END_TEST

START_TEST(store_whose_reply_trickles_is_unknown)
{
	store_unknown_then("\"trickleReplyMS\": 500", "insert reply trickled", true, 0);
}
END_TEST

START_TEST(store_with_wtimeout_is_unknown)
{
	store_unknown_then("\"writeConcernError\": {\"code\": 64, \"errmsg\": "
			"\"waiting for replication timed out\"}", "insert wtimeout", true, 0);
}
END_TEST

START_TEST(store_with_unsatisfiable_write_concern_is_unknown)
{
	store_unknown_then("\"writeConcernError\": {\"code\": 100, \"errmsg\": "
			"\"not enough data-bearing nodes\"}", "insert WCE 100", true, 0);
}
END_TEST

START_TEST(store_with_any_write_concern_error_is_unknown)
{
	store_unknown_then("\"writeConcernError\": {\"code\": 79, \"errmsg\": "
			"\"unknown replication write concern\"}", "insert WCE 79", true, 0);
}
END_TEST

/* Refused before applying: the backend tries once more (an election may
 * be over by then); refused again, nothing changed. */
START_TEST(store_refused_by_a_secondary_is_unavailable)
{
	proauth2_error err = {0};

	fail_next("insert", "\"errorCode\": 10107");
	ck_assert_int_eq(store_mark("h1", "g1", &err), PROAUTH2_OK);
	fail_point("{\"times\": 4}", "insert", "\"errorCode\": 10107");
	ck_assert_int_eq(store_mark("h2", "g1", &err), PROAUTH2_ERR_UNAVAILABLE);
	fail_point("\"off\"", "insert", "\"errorCode\": 10107");
	ck_assert_int_eq(fetch_mark("h2", &err), PROAUTH2_ERR_NOT_FOUND);
	ck_assert_int_eq(store_mark("h2", "g1", &err), PROAUTH2_OK);
}
END_TEST

START_TEST(remove_whose_reply_is_lost_is_unknown)
{
	proauth2_error err = {0};
	size_t removed = 9;

	ck_assert_int_eq(store_mark("h1", "g1", &err), PROAUTH2_OK);
	fail_next("delete", "\"closeConnectionAfterApply\": true");
	ck_assert_int_eq(remove_mark("h1", &removed, &err), PROAUTH2_ERR_OUTCOME_UNKNOWN);
	ck_assert_int_eq(fetch_mark("h1", &err), PROAUTH2_ERR_NOT_FOUND);
}
END_TEST

START_TEST(replace_with_write_concern_error_is_unknown)
{
	proauth2_error err = {0};
	json_t *record = mark("h1", "g2");

	ck_assert_int_eq(store_mark("h1", "g1", &err), PROAUTH2_OK);
	fail_next("update", "\"writeConcernError\": {\"code\": 64, \"errmsg\": \"x\"}");
	ck_assert_int_eq(proauth2_datastore_replace(ds, "spent_tokens", record, &err),
			PROAUTH2_ERR_OUTCOME_UNKNOWN);
	json_decref(record);
}
END_TEST

/* Reads change nothing: never OUTCOME_UNKNOWN, and bounded. */
START_TEST(fetch_whose_reply_is_lost_is_unavailable)
{
	proauth2_error err = {0};
	int64_t start;

	ck_assert_int_eq(store_mark("h1", "g1", &err), PROAUTH2_OK);
	fail_next("find", "\"closeConnection\": true");
	ck_assert_int_eq(fetch_mark("h1", &err), PROAUTH2_ERR_UNAVAILABLE);
	fail_next("find", "\"blockConnection\": true, \"blockTimeMS\": 4000");
	start = now_ms();
	ck_assert_int_eq(fetch_mark("h1", &err), PROAUTH2_ERR_UNAVAILABLE);
	within_bound("find blocked 4 s", start);
	fail_next("find", "\"trickleReplyMS\": 500");
	start = now_ms();
	ck_assert_int_eq(fetch_mark("h1", &err), PROAUTH2_ERR_UNAVAILABLE);
	within_bound("find reply trickled", start);
	ck_assert_int_eq(fetch_mark("h1", &err), PROAUTH2_OK);
}
END_TEST

START_TEST(count_whose_reply_is_lost_is_unavailable)
{
	const proauth2_datastore_ops *ops = proauth2_mongodb_ops();
	proauth2_error err = {0};
	size_t n = 7;
	void *cls = NULL;

	/* No count in the host's API: the backend's own method. */
	ck_assert_int_eq(ops->init(uri, &cls, &err), PROAUTH2_OK);
	fail_next("aggregate", "\"closeConnectionAfterApply\": true");
	ck_assert_int_eq(ops->count(cls, proauth2_schema_table("spent_tokens"), NULL,
			(int64_t)time(NULL), 10, &n, &err), PROAUTH2_ERR_UNAVAILABLE);
	ops->close(cls);
}
END_TEST

/* fetch_unmarked's aggregate fails as a fetch does: a lost reply is
 * unavailable, never an answer; the next read answers. */
START_TEST(fetch_unmarked_whose_reply_is_lost_is_unavailable)
{
	const proauth2_datastore_ops *ops = proauth2_mongodb_ops();
	const proauth2_table *marks = proauth2_schema_table("revoked_grants");
	proauth2_error err = {0};
	json_t *record = NULL, *query = json_pack("{s:s}", "token_hash", "h1");
	void *cls = NULL;

	ck_assert_ptr_nonnull(query);
	ck_assert_int_eq(store_mark("h1", "g1", &err), PROAUTH2_OK);
	/* No fetch_unmarked in the host's API: the backend's own method. */
	ck_assert_int_eq(ops->init(uri, &cls, &err), PROAUTH2_OK);
	fail_next("aggregate", "\"closeConnection\": true");
	ck_assert_int_eq(ops->fetch_unmarked(cls, proauth2_schema_table("spent_tokens"),
			query, marks, (int64_t)time(NULL), &record, &err),
			PROAUTH2_ERR_UNAVAILABLE);
	ck_assert_ptr_null(record);
	ck_assert_int_eq(ops->fetch_unmarked(cls, proauth2_schema_table("spent_tokens"),
			query, marks, (int64_t)time(NULL), &record, &err), PROAUTH2_OK);
	ck_assert_str_eq(json_string_value(json_object_get(record, "grant_id")), "g1");
	json_decref(record);
	json_decref(query);
	ops->close(cls);
}
END_TEST

/* A unique index that is not on _id refuses a record: no "the key
 * exists", which the core would read as a spent code. */
START_TEST(duplicate_on_another_index_is_no_conflict)
{
	proauth2_error err = {0};

	create_index("spent_tokens", "{\"key\": {\"grant_id\": 1}, "
			"\"name\": \"unique_grant\", \"unique\": true}");
	ck_assert_int_eq(store_mark("h1", "g1", &err), PROAUTH2_OK);
	ck_assert_int_eq(store_mark("h2", "g1", &err), PROAUTH2_ERR_DATASTORE);
	ck_assert_ptr_nonnull(strstr(err.text, "grant_id"));
	ck_assert_ptr_null(strstr(err.text, "h2"));
	ck_assert_int_eq(store_mark("h1", "g2", &err), PROAUTH2_ERR_CONFLICT);
}
END_TEST

/* ---- a replica set: retried writes and write groups ---- */

static const proauth2_datastore_ops *ops;
static void *group_cls;

/* The primary of a one-member replica set rs0, with options. */
static void rs_start(const char *options)
{
	/* A transaction left open (a commit the fail point refused, which
	 * mongod would time out) is aborted after a second here. */
	static const char *const args[] = {"--replset", "rs0",
		"--transaction-lifetime-limit-seconds", "1", NULL};
	proauth2_error err = {0};

	ck_assert(test_mongo_server_start_args(&server, "0", args));
	snprintf(uri, sizeof(uri), "%s/faults?replicaSet=rs0&" TIMEOUTS "%s",
			server.uri, options);
	ck_assert_int_eq(proauth2_datastore_open(proauth2_mongodb_ops(), uri, &ds,
			&err), PROAUTH2_OK);
	admin = mongoc_client_new(server.uri);
	ck_assert_ptr_nonnull(admin);
	ops = proauth2_mongodb_ops();
	ck_assert_int_eq(ops->init(uri, &group_cls, &err), PROAUTH2_OK);
}

static void rs_setup(void)
{
	rs_start("");
}

static void rs_teardown(void)
{
	if (ops != NULL)
		ops->close(group_cls);
	group_cls = NULL;
	teardown();
}

/* Store a mark through the group connection. */
static proauth2_status group_store(const char *hash, proauth2_error *err)
{
	json_t *record = mark(hash, "g1");
	proauth2_status status = ops->store(group_cls,
			proauth2_schema_table("spent_tokens"), record, err);

	json_decref(record);
	return status;
}

static proauth2_status group_fetch(const char *hash, proauth2_error *err)
{
	json_t *query = json_pack("{s:s}", "token_hash", hash), *record = NULL;
	proauth2_status status = ops->fetch(group_cls,
			proauth2_schema_table("spent_tokens"), query, &record, err);

	json_decref(record);
	json_decref(query);
	return status;
}

/* A group of two marks, then a key that exists (a conflict that must not
 * abort the transaction), ended: end_writes' status. */
static proauth2_status group_of_two(proauth2_error *err)
{
	proauth2_error e = {0};

	ck_assert_int_eq(ops->begin_writes(group_cls, &e), PROAUTH2_OK);
	ck_assert_int_eq(group_store("a", &e), PROAUTH2_OK);
	ck_assert_int_eq(group_store("b", &e), PROAUTH2_OK);
	ck_assert_int_eq(group_store("a", &e), PROAUTH2_ERR_CONFLICT);
	ck_assert_int_eq(group_fetch("b", &e), PROAUTH2_OK);
	return ops->end_writes(group_cls, err);
}

START_TEST(group_commits)
{
	proauth2_error err = {0};

	ck_assert_int_eq(group_of_two(&err), PROAUTH2_OK);
	ck_assert_int_eq(fetch_mark("a", &err), PROAUTH2_OK);
	ck_assert_int_eq(fetch_mark("b", &err), PROAUTH2_OK);
}
END_TEST

/* Nothing of it stays: the commit surely did not happen. */
START_TEST(group_whose_commit_fails_is_gone)
{
	proauth2_error err = {0};

	fail_next("commitTransaction", "\"errorCode\": 251, "
			"\"errorLabels\": [\"TransientTransactionError\"]");
	ck_assert_int_eq(group_of_two(&err), PROAUTH2_ERR_UNAVAILABLE);
	usleep(1200 * 1000);
	ck_assert_int_eq(fetch_mark("a", &err), PROAUTH2_ERR_NOT_FOUND);
	ck_assert_int_eq(fetch_mark("b", &err), PROAUTH2_ERR_NOT_FOUND);
	/* The next group goes through. */
	ck_assert_int_eq(group_of_two(&err), PROAUTH2_OK);
}
END_TEST

/* The commit applied and its reply lost, twice (libmongoc retries a
 * commit once): it may have happened. */
START_TEST(group_whose_commit_reply_is_lost_is_unknown)
{
	char json[256];
	bson_t *cmd;
	bson_error_t e;
	proauth2_error err = {0};

	snprintf(json, sizeof(json), "{\"configureFailPoint\": \"failCommand\", "
			"\"mode\": {\"times\": 2}, \"data\": {\"failCommands\": "
			"[\"commitTransaction\"], \"closeConnectionAfterApply\": true}}");
	cmd = bson_new_from_json((const uint8_t *)json, -1, &e);
	ck_assert(mongoc_client_command_simple(admin, "admin", cmd, NULL, NULL, &e));
	bson_destroy(cmd);
	ck_assert_int_eq(group_of_two(&err), PROAUTH2_ERR_OUTCOME_UNKNOWN);
	ck_assert_int_eq(fetch_mark("a", &err), PROAUTH2_OK);
}
END_TEST

/* Lost once: libmongoc's retry of the commit finds it committed. */
START_TEST(group_whose_commit_reply_is_lost_once_commits)
{
	proauth2_error err = {0};

	fail_next("commitTransaction", "\"closeConnectionAfterApply\": true");
	ck_assert_int_eq(group_of_two(&err), PROAUTH2_OK);
	ck_assert_int_eq(fetch_mark("b", &err), PROAUTH2_OK);
}
END_TEST

START_TEST(group_whose_commit_times_out_for_majority_is_unknown)
{
	proauth2_error err = {0};

	fail_next("commitTransaction", "\"writeConcernError\": {\"code\": 64, "
			"\"errmsg\": \"waiting for replication timed out\"}");
	ck_assert_int_eq(group_of_two(&err), PROAUTH2_ERR_OUTCOME_UNKNOWN);
}
END_TEST

/* A write of the group fails: the server aborted the transaction, and
 * end_writes says the group is gone. */
START_TEST(group_with_a_failed_write_fails_whole)
{
	proauth2_error err = {0};

	ck_assert_int_eq(ops->begin_writes(group_cls, &err), PROAUTH2_OK);
	ck_assert_int_eq(group_store("a", &err), PROAUTH2_OK);
	/* A store in a transaction is an upsert (mongodb.c). */
	fail_next("update", "\"closeConnection\": true");
	ck_assert_int_eq(group_store("b", &err), PROAUTH2_ERR_UNAVAILABLE);
	ck_assert_int_eq(ops->end_writes(group_cls, &err), PROAUTH2_ERR_UNAVAILABLE);
	ck_assert_int_eq(fetch_mark("a", &err), PROAUTH2_ERR_NOT_FOUND);
	ck_assert_int_eq(fetch_mark("b", &err), PROAUTH2_ERR_NOT_FOUND);
}
END_TEST

/* With retryWrites=true libmongoc retries once and reports only the
 * retry's error; every attempt counts (errors.c). */
START_TEST(retried_writes_answer_what_all_attempts_tell)
{
	char json[300];
	bson_t *cmd;
	bson_error_t e;
	proauth2_error err = {0};

	proauth2_datastore_close(ds);
	snprintf(uri + strlen(uri), sizeof(uri) - strlen(uri), "&retryWrites=true");
	ck_assert_int_eq(proauth2_datastore_open(proauth2_mongodb_ops(), uri, &ds,
			&err), PROAUTH2_OK);
	/* Lost once: the retry answers the kept reply. */
	fail_next("insert", "\"closeConnectionAfterApply\": true");
	ck_assert_int_eq(store_mark("h1", "g1", &err), PROAUTH2_OK);
	ck_assert_int_eq(store_mark("h1", "g1", &err), PROAUTH2_ERR_CONFLICT);
	/* Lost twice. */
	snprintf(json, sizeof(json), "{\"configureFailPoint\": \"failCommand\", "
			"\"mode\": {\"times\": 2}, \"data\": {\"failCommands\": [\"insert\"], "
			"\"closeConnectionAfterApply\": true}}");
	cmd = bson_new_from_json((const uint8_t *)json, -1, &e);
	ck_assert(mongoc_client_command_simple(admin, "admin", cmd, NULL, NULL, &e));
	bson_destroy(cmd);
	ck_assert_int_eq(store_mark("h2", "g1", &err), PROAUTH2_ERR_OUTCOME_UNKNOWN);
	ck_assert_int_eq(fetch_mark("h2", &err), PROAUTH2_OK);
	/* Refused at every attempt before applying: nothing changed. */
	fail_point("{\"times\": 4}", "insert", "\"errorCode\": 10107");
	ck_assert_int_eq(store_mark("h3", "g1", &err), PROAUTH2_ERR_UNAVAILABLE);
	fail_point("\"off\"", "insert", "\"errorCode\": 10107");
	ck_assert_int_eq(fetch_mark("h3", &err), PROAUTH2_ERR_NOT_FOUND);
}
END_TEST

/* {replSetStepDown: seconds}: a secondary for that long. */
static void step_down(int seconds)
{
	bson_t *cmd = BCON_NEW("replSetStepDown", BCON_INT32(seconds));
	bson_error_t e;

	ck_assert_msg(mongoc_client_command_simple(admin, "admin", cmd, NULL, NULL, &e),
			"replSetStepDown: %s", e.message);
	bson_destroy(cmd);
}

/* From a single-host URI libmongoc would read from that host whatever it
 * became, with primaryPreferred: a lagging secondary shows a revoked
 * token as valid. Reads wait for a primary instead. */
START_TEST(read_from_a_single_host_is_never_served_by_a_secondary)
{
	proauth2_datastore *single = NULL;
	proauth2_error err = {0};
	json_t *query = json_pack("{s:s}", "token_hash", "h1"), *record = NULL;
	char single_uri[1024];

	ck_assert_int_eq(store_mark("h1", "g1", &err), PROAUTH2_OK);
	snprintf(single_uri, sizeof(single_uri), "%s/faults?" TIMEOUTS, server.uri);
	ck_assert_int_eq(proauth2_datastore_open(proauth2_mongodb_ops(), single_uri,
			&single, &err), PROAUTH2_OK);
	step_down(30);
	ck_assert_int_eq(proauth2_datastore_fetch(single, "spent_tokens", query,
			(int64_t)time(NULL), &record, &err), PROAUTH2_ERR_UNAVAILABLE);
	json_decref(record);
	json_decref(query);
	proauth2_datastore_close(single);
}
END_TEST

/* A write in flight when the primary steps down waits, in server
 * selection, for the next primary. */
START_TEST(store_rides_out_an_election)
{
	proauth2_error err = {0};

	proauth2_datastore_close(ds);
	/* Long enough for the election, as the default is. */
	snprintf(uri, sizeof(uri), "%s/faults?replicaSet=rs0&serverSelectionTimeoutMS=8000"
			"&connectTimeoutMS=1000&socketTimeoutMS=1000&waitQueueTimeoutMS=1000",
			server.uri);
	ck_assert_int_eq(proauth2_datastore_open(proauth2_mongodb_ops(), uri, &ds,
			&err), PROAUTH2_OK);
	step_down(2);
	ck_assert_msg(store_mark("h1", "g1", &err) == PROAUTH2_OK, "%s", err.text);
	ck_assert_int_eq(fetch_mark("h1", &err), PROAUTH2_OK);
}
END_TEST

static Suite *faults_suite(void)
{
	Suite *s = suite_create("mongodb_faults");
	TCase *writes = tcase_create("writes");
	TCase *reads = tcase_create("reads");
	TCase *replset = tcase_create("replset");

	tcase_set_timeout(writes, 60);
	tcase_add_checked_fixture(writes, setup, teardown);
	tcase_add_test(writes, store_whose_reply_is_lost_is_unknown);
	tcase_add_test(writes, store_whose_connection_closes_is_unknown);
	tcase_add_test(writes, store_whose_reply_times_out_is_unknown);
	tcase_add_test(writes, store_whose_reply_trickles_is_unknown);
	tcase_add_test(writes, store_with_wtimeout_is_unknown);
	tcase_add_test(writes, store_with_unsatisfiable_write_concern_is_unknown);
	tcase_add_test(writes, store_with_any_write_concern_error_is_unknown);
	tcase_add_test(writes, store_refused_by_a_secondary_is_unavailable);
	tcase_add_test(writes, remove_whose_reply_is_lost_is_unknown);
	tcase_add_test(writes, replace_with_write_concern_error_is_unknown);
	tcase_add_test(writes, duplicate_on_another_index_is_no_conflict);
	suite_add_tcase(s, writes);

	tcase_set_timeout(reads, 60);
	tcase_add_checked_fixture(reads, setup, teardown);
	tcase_add_test(reads, fetch_whose_reply_is_lost_is_unavailable);
	tcase_add_test(reads, count_whose_reply_is_lost_is_unavailable);
	tcase_add_test(reads, fetch_unmarked_whose_reply_is_lost_is_unavailable);
	suite_add_tcase(s, reads);

	tcase_set_timeout(replset, 60);
	tcase_add_checked_fixture(replset, rs_setup, rs_teardown);
	tcase_add_test(replset, group_commits);
	tcase_add_test(replset, group_whose_commit_fails_is_gone);
	tcase_add_test(replset, group_whose_commit_reply_is_lost_is_unknown);
	tcase_add_test(replset, group_whose_commit_reply_is_lost_once_commits);
	tcase_add_test(replset, group_whose_commit_times_out_for_majority_is_unknown);
	tcase_add_test(replset, group_with_a_failed_write_fails_whole);
	tcase_add_test(replset, retried_writes_answer_what_all_attempts_tell);
	tcase_add_test(replset, read_from_a_single_host_is_never_served_by_a_secondary);
	tcase_add_test(replset, store_rides_out_an_election);
	suite_add_tcase(s, replset);
	return s;
}

int main(void)
{
	int failed;

	test_mongodb_init();
	failed = run_suite(faults_suite());
	mongoc_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
