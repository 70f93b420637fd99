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

/* One mongo_server.py process, owned by the process that started it. */
typedef struct test_mongo_server {
	int pid;                /* 0 when stopped */
	char uri[512];          /* mongodb://127.0.0.1:PORT */
	char port[16];
} test_mongo_server;

/* Start one on port ("0": a free one; else the port of an earlier run,
 * to restart it). false, with the reason on stderr, if it did not start. */
bool test_mongo_server_start(test_mongo_server *server, const char *port);

/* Stop it and wait until it has exited. Accepts a stopped one. */
void test_mongo_server_stop(test_mongo_server *server);

#endif
