/* A MongoDB-protocol server for the tests: the one MONGODB_URI names, or
 * else tests/mongodb/mongo_server.py (mongomock over the wire protocol),
 * started on a free loopback port for the life of the test process. */
#ifndef PROAUTH2_TESTS_TEST_MONGODB_H
#define PROAUTH2_TESTS_TEST_MONGODB_H

#include <stdbool.h>
#include <sys/types.h>

/* mongoc_init(), with libmongoc's logging cut to warnings and worse. The
 * functions below call it; a test calls mongoc_cleanup() at the end.
 * Without MONGODB_URI and without the emulator's Python modules it prints
 * "SKIP: <package> is not installed ..." and exits 77 (meson's SKIP). */
void test_mongodb_init(void);

/* The Debian package of the first module mongo_server.py needs that does
 * not import ("python3-mongomock", ...), or NULL when the emulator can run. */
const char *test_mongodb_emulator_missing(void);

/* Start the tests' server (or take MONGODB_URI) for the life of this
 * process, children included; at most once. false, with the reason on
 * stderr, if it did not start. */
bool test_mongodb_start(void);

/* A URI naming a fresh database (unique per process and call), starting
 * the server and mongoc_init() on first use. free() it; NULL on failure,
 * with the reason on stderr. */
char *test_mongodb_new_database(void);

/* Drop the database uri names (best effort). */
void test_mongodb_drop_database(const char *uri);

/* How many records the schema's collections in uri's database hold; -1
 * on failure. */
long test_mongodb_count_records(const char *uri);

/* Run the command json on db of the server uri names. false, with the
 * reason on stderr, if it failed. */
bool test_mongodb_command(const char *uri, const char *db, const char *json);

/* createIndexes of one index (spec, its JSON) on db.collection. */
bool test_mongodb_create_index(const char *uri, const char *db,
		const char *collection, const char *spec);

/* Set the failCommand fail point of the server uri names (the command
 * goes to its admin database). spec is the rest of the command in JSON,
 * e.g. "{\"mode\": {\"times\": 1}, \"data\": {\"failCommands\":
 * [\"insert\"], \"errorCode\": 10107}}", or "{\"mode\": \"off\"}"; what
 * it takes: tests/mongodb/failpoint.py. A real mongod takes it only when
 * started with --setParameter enableTestCommands=1. false, with the reason
 * on stderr, if the server refused it. */
bool test_mongodb_fail_point(const char *uri, const char *spec);

/* Turn the fail point off; how many times it fired since it was set, or
 * -1 (with the reason on stderr) if the server refused. */
long test_mongodb_fail_point_off(const char *uri);

/* true when the tests run on mongo_server.py (MONGODB_URI not set): the
 * fail point's extensions (closeConnectionAfterApply, trickleReplyMS, mode
 * {skip, times}) work only there. */
bool test_mongodb_is_emulator(void);

/* One mongo_server.py process, owned by the process that started it. */
typedef struct test_mongo_server {
	int pid;                /* 0 when stopped */
	char uri[512];          /* mongodb://127.0.0.1:PORT */
	char port[16];
} test_mongo_server;

/* Start one on port ("0": a free one; else the port of an earlier run,
 * to restart it). false, with the reason on stderr, if it did not start.
 * A replica-set member when test_mongodb_replset() says so, else a
 * standalone; its uri names no replica set either way. */
bool test_mongo_server_start(test_mongo_server *server, const char *port);

/* The same with mongo_server.py arguments of the caller's choosing, a
 * NULL-terminated list (at most 16) or NULL, e.g. {"--replset", "rs0",
 * NULL} for the primary of a one-member replica set rs0 (connect with
 * "<uri>/?replicaSet=rs0", or to uri directly). */
bool test_mongo_server_start_args(test_mongo_server *server, const char *port,
		const char *const *args);

/* "rs0" when PROAUTH2_TEST_MONGODB_REPLSET is set (and not "0"): then
 * test_mongodb_start() runs a replica-set member and its URIs carry
 * replicaSet=rs0, so a whole suite runs with sessions, retryable writes and
 * transactions. NULL otherwise: a standalone. MONGODB_URI, when set, is
 * taken as it is. */
const char *test_mongodb_replset(void);

/* Stop it and wait until it has exited. Accepts a stopped one. */
void test_mongo_server_stop(test_mongo_server *server);

#endif
