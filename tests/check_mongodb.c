/* The MongoDB backend where MongoDB differs from a file: a server that is
 * gone, silent or comes back, a bad URI, a newer schema. Each test runs
 * its own mongo_server.py, so it can stop and restart it. */
#include <arpa/inet.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mongoc/mongoc.h>

#include <proauth2/mongodb.h>

#include "http_support.h"
#include "test_mongodb.h"

static test_mongo_server server;

/* A loopback port that accepts connections and never answers (listen and
 * never accept()), or one nothing listens on (when listening is false). */
static int loopback_port(bool listening, int *fd)
{
	struct sockaddr_in addr = {.sin_family = AF_INET};
	socklen_t len = sizeof(addr);

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(*fd, 0);
	ck_assert_int_eq(bind(*fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	ck_assert_int_eq(getsockname(*fd, (struct sockaddr *)&addr, &len), 0);
	if (listening)
		ck_assert_int_eq(listen(*fd, 16), 0);
	else
		close(*fd);
	return ntohs(addr.sin_port);
}

static proauth2_status open_status(const char *uri, proauth2_error *err)
{
	proauth2_datastore *ds = NULL;
	proauth2_status status = proauth2_datastore_open(proauth2_mongodb_ops(),
			uri, &ds, err);

	ck_assert(status == PROAUTH2_OK ? ds != NULL : ds == NULL);
	proauth2_datastore_close(ds);
	return status;
}

/* The URI's timeouts answer within seconds (the defaults, 15 s of server
 * selection to ride out an election, would take longer); the bound here
 * is loose, for slow runs under valgrind, but catches a wait without end. */
#define SHORT_WAITS "serverSelectionTimeoutMS=2000&connectTimeoutMS=1000" \
	"&socketTimeoutMS=1000"
#define ANSWER_WITHIN_SECONDS 20

START_TEST(nothing_listening_is_unavailable)
{
	proauth2_error err = {0};
	time_t start = time(NULL);
	char uri[128];
	int fd;

	snprintf(uri, sizeof(uri), "mongodb://127.0.0.1:%d/x?" SHORT_WAITS,
			loopback_port(false, &fd));
	ck_assert_int_eq(open_status(uri, &err), PROAUTH2_ERR_UNAVAILABLE);
	ck_assert_int_lt(time(NULL) - start, ANSWER_WITHIN_SECONDS);
	ck_assert_str_eq(proauth2_status_oauth_error(err.status), "temporarily_unavailable");
}
END_TEST

/* The URI's timeouts bound the wait; Check's timeout catches a hang. */
START_TEST(silent_server_is_unavailable)
{
	proauth2_error err = {0};
	char uri[128];
	int fd;

	time_t start = time(NULL);

	snprintf(uri, sizeof(uri), "mongodb://127.0.0.1:%d/x?" SHORT_WAITS,
			loopback_port(true, &fd));
	ck_assert_int_eq(open_status(uri, &err), PROAUTH2_ERR_UNAVAILABLE);
	ck_assert_int_lt(time(NULL) - start, ANSWER_WITHIN_SECONDS);
	close(fd);
}
END_TEST

START_TEST(bad_uri_is_refused)
{
	proauth2_error err = {0};

	ck_assert_int_eq(open_status("mysql://127.0.0.1/x", &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_nonnull(strstr(err.text, "bad URI"));
	ck_assert_int_eq(open_status("mongodb://", &err), PROAUTH2_ERR_INVALID_ARGUMENT);
	/* Unacknowledged writes cannot refuse a duplicate or count a remove. */
	ck_assert_int_eq(open_status("mongodb://127.0.0.1:1/x?w=0", &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_nonnull(strstr(err.text, "w=0"));
}
END_TEST

static void server_setup(void)
{
	memset(&env, 0, sizeof(env));
	env.now = (int64_t)time(NULL) + 86400;  /* as env_setup() */
	ck_assert(test_mongo_server_start(&server, "0"));
	ck_assert_int_gt(asprintf(&env.uri, "%s/faults?" SHORT_WAITS, server.uri), 0);
	env.ops = proauth2_mongodb_ops();
}

static void server_teardown(void)
{
	proauth2_provider_free(env.provider);
	proauth2_datastore_close(env.ds);
	test_mongo_server_stop(&server);
	free(env.uri);
}

START_TEST(newer_schema_is_refused)
{
	mongoc_client_t *client = mongoc_client_new(server.uri);
	mongoc_collection_t *c = mongoc_client_get_collection(client, "faults",
			"proauth2_schema");
	bson_t *doc = BCON_NEW("_id", "version", "version", BCON_INT64(99));
	proauth2_error err = {0};

	ck_assert(mongoc_collection_insert_one(c, doc, NULL, NULL, NULL));
	ck_assert_int_eq(open_status(env.uri, &err), PROAUTH2_ERR_DATASTORE);
	ck_assert_ptr_nonnull(strstr(err.text, "schema version 99"));
	bson_destroy(doc);
	mongoc_collection_destroy(c);
	mongoc_client_destroy(client);
}
END_TEST

/* A schema 3 database: marked current once opened, its clients read as
 * they were. */
START_TEST(schema_3_database_is_brought_to_current)
{
	mongoc_client_t *client = mongoc_client_new(server.uri);
	mongoc_collection_t *schema = mongoc_client_get_collection(client, "faults",
			"proauth2_schema");
	mongoc_collection_t *clients = mongoc_client_get_collection(client, "faults",
			"clients");
	bson_t *mark = BCON_NEW("_id", "version", "version", BCON_INT64(3));
	bson_t *old = BCON_NEW("_id", "old", "client_type", "confidential",
			"redirect_uris", "[", "]", "grant_types", "[", "client_credentials", "]",
			"scope", "read", "created_at", BCON_INT64(1), "registered_by", "host");
	bson_t *filter = BCON_NEW("_id", "version");
	json_t *query = json_pack("{s:s}", "client_id", "old"), *record = NULL;
	mongoc_cursor_t *cursor;
	const bson_t *doc;
	bson_iter_t it;
	proauth2_error err = {0};

	ck_assert(mongoc_collection_insert_one(schema, mark, NULL, NULL, NULL));
	ck_assert(mongoc_collection_insert_one(clients, old, NULL, NULL, NULL));
	ck_assert_int_eq(proauth2_datastore_open(env.ops, env.uri, &env.ds, &err),
			PROAUTH2_OK);
	cursor = mongoc_collection_find_with_opts(schema, filter, NULL, NULL);
	ck_assert(mongoc_cursor_next(cursor, &doc));
	ck_assert(bson_iter_init_find(&it, doc, "version"));
	ck_assert_int_eq(bson_iter_as_int64(&it), PROAUTH2_SCHEMA_VERSION);
	mongoc_cursor_destroy(cursor);
	ck_assert_msg(proauth2_datastore_fetch(env.ds, "clients", query, env.now,
			&record, &err) == PROAUTH2_OK, "%s", err.text);
	ck_assert_str_eq(json_string_value(json_object_get(record, "scope")), "read");
	ck_assert_ptr_null(json_object_get(record, "resource"));
	ck_assert_ptr_null(json_object_get(record, "token_endpoint_auth_method"));
	json_decref(record);
	json_decref(query);
	bson_destroy(filter);
	bson_destroy(old);
	bson_destroy(mark);
	mongoc_collection_destroy(clients);
	mongoc_collection_destroy(schema);
	mongoc_client_destroy(client);
}
END_TEST

/* A schema 4 database: marked current once opened; its tokens, stored
 * without attributes (schema 5) or resource (schema 6), read as they
 * were, and new ones carry them. */
START_TEST(schema_4_database_is_brought_to_current)
{
	mongoc_client_t *client = mongoc_client_new(server.uri);
	mongoc_collection_t *schema = mongoc_client_get_collection(client, "faults",
			"proauth2_schema");
	mongoc_collection_t *tokens = mongoc_client_get_collection(client, "faults",
			"access_tokens");
	bson_t *mark = BCON_NEW("_id", "version", "version", BCON_INT64(4));
	bson_t *old = BCON_NEW("_id", "old", "client_id", "c", "user_id", "u",
			"grant_id", "g", "scope", "read", "issued_at", BCON_INT64(env.now),
			"expires_at", BCON_INT64(env.now + 3600));
	bson_t *filter = BCON_NEW("_id", "version");
	json_t *query = json_pack("{s:s}", "token_hash", "old"), *record = NULL;
	mongoc_cursor_t *cursor;
	const bson_t *doc;
	bson_iter_t it;
	proauth2_error err = {0};

	ck_assert(mongoc_collection_insert_one(schema, mark, NULL, NULL, NULL));
	ck_assert(mongoc_collection_insert_one(tokens, old, NULL, NULL, NULL));
	ck_assert_int_eq(proauth2_datastore_open(env.ops, env.uri, &env.ds, &err),
			PROAUTH2_OK);
	cursor = mongoc_collection_find_with_opts(schema, filter, NULL, NULL);
	ck_assert(mongoc_cursor_next(cursor, &doc));
	ck_assert(bson_iter_init_find(&it, doc, "version"));
	ck_assert_int_eq(bson_iter_as_int64(&it), PROAUTH2_SCHEMA_VERSION);
	mongoc_cursor_destroy(cursor);
	ck_assert_msg(proauth2_datastore_fetch(env.ds, "access_tokens", query, env.now,
			&record, &err) == PROAUTH2_OK, "%s", err.text);
	ck_assert_str_eq(json_string_value(json_object_get(record, "scope")), "read");
	ck_assert_ptr_null(json_object_get(record, "attributes"));
	ck_assert_ptr_null(json_object_get(record, "resource"));
	json_decref(record);
	record = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "token_hash", "new",
			"client_id", "c", "grant_id", "g", "scope", "read",
			"issued_at", (json_int_t)env.now, "expires_at",
			(json_int_t)(env.now + 3600), "attributes", "{\"domain\":\"a.example\"}",
			"resource", "https://api.example/mcp");
	ck_assert_msg(proauth2_datastore_store(env.ds, "access_tokens", record, &err) ==
			PROAUTH2_OK, "%s", err.text);
	json_decref(record);
	json_object_set_new(query, "token_hash", json_string("new"));
	ck_assert_int_eq(proauth2_datastore_fetch(env.ds, "access_tokens", query,
			env.now, &record, &err), PROAUTH2_OK);
	ck_assert_str_eq(json_string_value(json_object_get(record, "attributes")),
			"{\"domain\":\"a.example\"}");
	ck_assert_str_eq(json_string_value(json_object_get(record, "resource")),
			"https://api.example/mcp");
	json_decref(record);
	json_decref(query);
	bson_destroy(filter);
	bson_destroy(old);
	bson_destroy(mark);
	mongoc_collection_destroy(tokens);
	mongoc_collection_destroy(schema);
	mongoc_client_destroy(client);
}
END_TEST

/* A 32-bit integer, as another driver may write one, reads back. */
START_TEST(int32_written_elsewhere_reads_back)
{
	mongoc_client_t *client = mongoc_client_new(server.uri);
	mongoc_collection_t *c;
	bson_t *doc = BCON_NEW("_id", "h1", "grant_id", "g1",
			"expires_at", BCON_INT32(2000000000));
	json_t *query = json_pack("{s:s}", "token_hash", "h1"), *record = NULL;
	proauth2_error err = {0};

	ck_assert_int_eq(proauth2_datastore_open(env.ops, env.uri, &env.ds, &err),
			PROAUTH2_OK);
	c = mongoc_client_get_collection(client, "faults", "spent_tokens");
	ck_assert(mongoc_collection_insert_one(c, doc, NULL, NULL, NULL));
	ck_assert_int_eq(proauth2_datastore_fetch(env.ds, "spent_tokens", query,
			env.now, &record, &err), PROAUTH2_OK);
	ck_assert_str_eq(json_string_value(json_object_get(record, "token_hash")), "h1");
	ck_assert_int_eq(json_integer_value(json_object_get(record, "expires_at")),
			2000000000);
	json_decref(record);
	json_decref(query);
	bson_destroy(doc);
	mongoc_collection_destroy(c);
	mongoc_client_destroy(client);
}
END_TEST

/* Every pooled connection busy: a clean temporarily_unavailable, never a
 * crash (maxPoolSize=1, and no wait for it). */
struct crowd {
	proauth2_datastore *ds;
	proauth2_status status[8][20];
};

static void *crowd_member(void *arg)
{
	struct crowd *crowd = arg;
	static int next;
	int me = __atomic_fetch_add(&next, 1, __ATOMIC_SEQ_CST), i;

	for (i = 0; i < 20; i++) {
		json_t *q = json_pack("{s:s}", "client_id", "nobody"), *record = NULL;

		crowd->status[me][i] = proauth2_datastore_fetch(crowd->ds, "clients", q,
				0, &record, NULL);
		json_decref(record);
		json_decref(q);
	}
	return NULL;
}

START_TEST(exhausted_pool_is_unavailable)
{
	struct crowd crowd = {0};
	pthread_t threads[8];
	proauth2_error err = {0};
	char *uri;
	int i, j;

	ck_assert_int_gt(asprintf(&uri, "%s/faults?maxPoolSize=1&waitQueueTimeoutMS=1",
			server.uri), 0);
	ck_assert_int_eq(proauth2_datastore_open(env.ops, uri, &crowd.ds, &err),
			PROAUTH2_OK);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_create(&threads[i], NULL, crowd_member, &crowd), 0);
	for (i = 0; i < 8; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < 8; i++)
		for (j = 0; j < 20; j++)
			ck_assert_msg(crowd.status[i][j] == PROAUTH2_ERR_NOT_FOUND ||
					crowd.status[i][j] == PROAUTH2_ERR_UNAVAILABLE,
					"status %s", proauth2_status_str(crowd.status[i][j]));
	proauth2_datastore_close(crowd.ds);
	free(uri);
}
END_TEST

/* A client_credentials token through the token endpoint: its status. */
static int token_status(const proauth2_client *c)
{
	proauth2_http_response *r = http_any("POST", "/token", FORM,
			"grant_type=client_credentials", basic(c->client_id, c->client_secret));
	int status = r->status;

	if (status == 503)
		assert_error(r, 503, "temporarily_unavailable");
	else
		proauth2_http_response_free(r);
	return status;
}

START_TEST(server_stops_and_comes_back)
{
	proauth2_client *c, *again;
	proauth2_error err = {0};
	proauth2_status status;

	ck_assert_int_eq(proauth2_datastore_open(env.ops, env.uri, &env.ds, &err),
			PROAUTH2_OK);
	env_reconfigure(NULL);
	c = register_client(PROAUTH2_CLIENT_CONFIDENTIAL,
			PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	ck_assert_int_eq(token_status(c), 200);

	test_mongo_server_stop(&server);
	ck_assert_int_eq(token_status(c), 503);
	status = proauth2_client_get(env.provider, c->client_id, &again, &err);
	ck_assert_int_eq(status, PROAUTH2_ERR_UNAVAILABLE);

	/* Same port, same provider: it works again. This server keeps its
	 * data in memory, so the client is registered anew. */
	ck_assert(test_mongo_server_start(&server, server.port));
	proauth2_client_free(c);
	c = register_client(PROAUTH2_CLIENT_CONFIDENTIAL,
			PROAUTH2_GRANT_CLIENT_CREDENTIALS, "read");
	ck_assert_int_eq(token_status(c), 200);
	proauth2_client_free(c);
}
END_TEST


/* ---- indexes made before, with other options: adopted, never a lock-out ---- */

/* createIndexes of one index (JSON) on the faults database. */
static void create_index(const char *collection, const char *spec)
{
	ck_assert(test_mongodb_create_index(server.uri, "faults", collection, spec));
}

/* The index of collection on {field: 1}: its name (static) and, in
 * *ttl and *unique, its options (-1: no TTL). NULL if there is none. */
static const char *index_on(const char *collection, const char *field,
		int64_t *ttl, bool *unique)
{
	static char name[64];
	mongoc_client_t *client = mongoc_client_new(server.uri);
	mongoc_collection_t *c = mongoc_client_get_collection(client, "faults",
			collection);
	mongoc_cursor_t *cursor = mongoc_collection_find_indexes_with_opts(c, NULL);
	const bson_t *index;
	bool found = false;
	bson_iter_t it, key;

	while (!found && mongoc_cursor_next(cursor, &index)) {
		if (!bson_iter_init_find(&it, index, "key") || !bson_iter_recurse(&it, &key) ||
				!bson_iter_next(&key) || strcmp(bson_iter_key(&key), field) != 0 ||
				bson_iter_next(&key))
			continue;
		found = true;
		bson_iter_init_find(&it, index, "name");
		snprintf(name, sizeof(name), "%s", bson_iter_utf8(&it, NULL));
		*ttl = bson_iter_init_find(&it, index, "expireAfterSeconds") ?
			bson_iter_as_int64(&it) : -1;
		*unique = bson_iter_init_find(&it, index, "unique") && bson_iter_as_bool(&it);
	}
	ck_assert(!mongoc_cursor_error(cursor, NULL));
	mongoc_cursor_destroy(cursor);
	mongoc_collection_destroy(c);
	mongoc_client_destroy(client);
	return found ? name : NULL;
}

static void opens(void)
{
	proauth2_error err = {0};

	ck_assert_msg(open_status(env.uri, &err) == PROAUTH2_OK, "open: %s", err.text);
	/* and again, with the indexes as this open left them */
	ck_assert_msg(open_status(env.uri, &err) == PROAUTH2_OK, "reopen: %s", err.text);
}

START_TEST(ttl_index_with_another_expiry_is_adopted)
{
	int64_t ttl;
	bool unique;

	create_index("codes", "{\"key\": {\"expires\": 1}, \"name\": \"expires_1\", "
			"\"expireAfterSeconds\": 3600}");
	opens();
	ck_assert_str_eq(index_on("codes", "expires", &ttl, &unique), "expires_1");
	ck_assert_int_eq(ttl, 0);
}
END_TEST

START_TEST(same_keys_under_another_name_are_adopted)
{
	int64_t ttl;
	bool unique;

	create_index("access_tokens", "{\"key\": {\"grant_id\": 1}, \"name\": \"by_grant\"}");
	opens();
	ck_assert_str_eq(index_on("access_tokens", "grant_id", &ttl, &unique), "by_grant");
	ck_assert(!unique);
}
END_TEST

/* A unique index on grant_id would refuse a grant's second token. */
START_TEST(index_made_unique_is_replaced)
{
	int64_t ttl;
	bool unique = true;
	json_t *a = json_pack("{s:s, s:s, s:I}", "token_hash", "t1", "grant_id", "g1",
			"expires_at", (json_int_t)env.now);
	json_t *b = json_pack("{s:s, s:s, s:I}", "token_hash", "t2", "grant_id", "g1",
			"expires_at", (json_int_t)env.now);
	proauth2_error err = {0};

	create_index("spent_tokens", "{\"key\": {\"expires\": 1}, \"name\": \"expires_1\", "
			"\"expireAfterSeconds\": 0, \"unique\": true}");
	create_index("codes", "{\"key\": {\"grant_id\": 1}, \"name\": \"grant_id_1\", "
			"\"unique\": true}");
	opens();
	ck_assert_str_eq(index_on("codes", "grant_id", &ttl, &unique), "grant_id_1");
	ck_assert(!unique);
	ck_assert_str_eq(index_on("spent_tokens", "expires", &ttl, &unique), "expires_1");
	ck_assert(!unique);
	ck_assert_int_eq(ttl, 0);
	/* Two marks expiring at the same second both store. */
	ck_assert_int_eq(proauth2_datastore_open(env.ops, env.uri, &env.ds, &err),
			PROAUTH2_OK);
	ck_assert_int_eq(proauth2_datastore_store(env.ds, "spent_tokens", a, &err),
			PROAUTH2_OK);
	ck_assert_msg(proauth2_datastore_store(env.ds, "spent_tokens", b, &err) ==
			PROAUTH2_OK, "%s", err.text);
	json_decref(a);
	json_decref(b);
}
END_TEST

/* Our name on other keys (createIndexes: 86) is remade on ours. */
START_TEST(our_name_on_other_keys_is_replaced)
{
	int64_t ttl;
	bool unique;

	create_index("codes", "{\"key\": {\"scope\": 1}, \"name\": \"grant_id_1\"}");
	opens();
	ck_assert_str_eq(index_on("codes", "grant_id", &ttl, &unique), "grant_id_1");
	ck_assert_ptr_null(index_on("codes", "scope", &ttl, &unique));
}
END_TEST

static Suite *mongodb_suite(void)
{
	Suite *s = suite_create("mongodb");
	TCase *unreachable = tcase_create("unreachable");
	TCase *faults = tcase_create("faults");
	TCase *indexes = tcase_create("indexes");

	tcase_set_timeout(unreachable, 60);
	tcase_add_test(unreachable, nothing_listening_is_unavailable);
	tcase_add_test(unreachable, silent_server_is_unavailable);
	tcase_add_test(unreachable, bad_uri_is_refused);
	suite_add_tcase(s, unreachable);

	tcase_set_timeout(faults, 120);
	tcase_add_checked_fixture(faults, server_setup, server_teardown);
	tcase_add_test(faults, newer_schema_is_refused);
	tcase_add_test(faults, schema_3_database_is_brought_to_current);
	tcase_add_test(faults, schema_4_database_is_brought_to_current);
	tcase_add_test(faults, int32_written_elsewhere_reads_back);
	tcase_add_test(faults, exhausted_pool_is_unavailable);
	tcase_add_test(faults, server_stops_and_comes_back);
	suite_add_tcase(s, faults);

	tcase_set_timeout(indexes, 60);
	tcase_add_checked_fixture(indexes, server_setup, server_teardown);
	tcase_add_test(indexes, ttl_index_with_another_expiry_is_adopted);
	tcase_add_test(indexes, same_keys_under_another_name_are_adopted);
	tcase_add_test(indexes, index_made_unique_is_replaced);
	tcase_add_test(indexes, our_name_on_other_keys_is_replaced);
	suite_add_tcase(s, indexes);
	return s;
}

int main(void)
{
	int failed;

	test_mongodb_init();
	failed = run_suite(mongodb_suite());
	mongoc_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
