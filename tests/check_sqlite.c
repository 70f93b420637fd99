/* What the SQLite backend promises beyond the conformance suite: WAL mode,
 * rows stored by rowid, a versioned schema that older databases are brought
 * up to, a clear refusal of newer ones, readers on their own connections
 * that see every write that has returned, and failed commits that fail
 * their writers and, while the process runs, show nothing (a crash may
 * bring one back: check_sqlite_recovery.c). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include <proauth2/proauth2.h>

#include "faulty_vfs.h"
#include "sqlite_file.h"

static char dir[64], path[128];

static void setup(void)
{
	sqlite_file_dir_new(dir, path);
}

static void teardown(void)
{
	sqlite_file_dir_remove(dir);
}

START_TEST(file_is_wal_with_current_schema)
{
	proauth2_datastore *ds = NULL;
	size_t n_tables;
	sqlite3 *db;
	sqlite3_stmt *stmt;

	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, NULL),
			PROAUTH2_OK);
	ck_assert_str_eq(proauth2_datastore_name(ds), "sqlite");
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, NULL),
			SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(stmt, 0), "wal");
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	ck_assert_int_eq(sqlite_file_int(path, "PRAGMA user_version"), PROAUTH2_SCHEMA_VERSION);
	/* Rows by rowid: see create_table for why. */
	proauth2_schema_tables(&n_tables);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"),
			(int)n_tables);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM sqlite_master"
			" WHERE sql LIKE '%WITHOUT ROWID%'"), 0);
	proauth2_datastore_close(ds);
}
END_TEST

/* An optional queried field's index holds only the rows that have it (a
 * client_credentials token has no user_id), and the backend's queries,
 * "= ?", still use it. */
START_TEST(optional_fields_are_indexed_where_present)
{
	proauth2_datastore *ds = NULL;
	char plan[256];

	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM sqlite_master"
			" WHERE name IN ('access_tokens_user_id', 'refresh_tokens_parent',"
			" 'spent_tokens_parent') AND sql LIKE '%WHERE \"%\" IS NOT NULL'"), 3);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM sqlite_master"
			" WHERE name IN ('access_tokens_client_id', 'access_tokens_grant_id')"
			" AND sql LIKE '%WHERE%'"), 0);
	sqlite_file_plan(path, "SELECT \"token_hash\" FROM \"access_tokens\""
			" WHERE \"user_id\" = ?", plan, sizeof(plan));
	ck_assert_msg(strstr(plan, "INDEX access_tokens_user_id") != NULL, "plan: %s", plan);
	sqlite_file_plan(path, "SELECT \"token_hash\" FROM \"refresh_tokens\""
			" WHERE \"parent\" = ?", plan, sizeof(plan));
	ck_assert_msg(strstr(plan, "INDEX refresh_tokens_parent") != NULL, "plan: %s", plan);
	proauth2_datastore_close(ds);
}
END_TEST

START_TEST(version_1_database_is_upgraded)
{
	proauth2_datastore *ds = NULL;
	json_t *record, *found = NULL;
	proauth2_error err = {0};

	/* The clients table as schema version 1 made it, with one client. */
	sqlite_file_exec(path, "CREATE TABLE clients (client_id TEXT PRIMARY KEY, secret_hash TEXT,"
	    " client_type TEXT NOT NULL, redirect_uris TEXT NOT NULL,"
	    " grant_types TEXT NOT NULL, scope TEXT NOT NULL, name TEXT,"
	    " created_at INTEGER NOT NULL) WITHOUT ROWID;"
	    "INSERT INTO clients VALUES ('old', NULL, 'public', '[]',"
	    " '[\"authorization_code\"]', 'read', NULL, 1);"
	    "PRAGMA user_version = 1;");
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(sqlite_file_int(path, "PRAGMA user_version"), PROAUTH2_SCHEMA_VERSION);
	/* The old client is still there, and the new field can be stored. */
	record = json_pack("{s:s}", "client_id", "old");
	ck_assert_int_eq(proauth2_datastore_fetch(ds, "clients", record, 0, &found, NULL),
			PROAUTH2_OK);
	ck_assert_str_eq(json_string_value(json_object_get(found, "scope")), "read");
	json_object_set_new(found, "registration_token_hash", json_string("h"));
	ck_assert_msg(proauth2_datastore_replace(ds, "clients", found, &err) == PROAUTH2_OK,
			"%s", err.text);
	json_decref(found);
	json_decref(record);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM authorizations"), 0);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM auth_failures"), 0);
	proauth2_datastore_close(ds);
}
END_TEST

START_TEST(version_2_database_gains_auth_failures)
{
	proauth2_datastore *ds = NULL;

	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, NULL),
			PROAUTH2_OK);
	proauth2_datastore_close(ds);
	/* As schema version 2 left it: no auth_failures table. */
	sqlite_file_exec(path, "DROP TABLE auth_failures; PRAGMA user_version = 2;");
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(sqlite_file_int(path, "PRAGMA user_version"), PROAUTH2_SCHEMA_VERSION);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM auth_failures"), 0);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM sqlite_master"
			" WHERE name = 'auth_failures_expires_at'"), 1);
	proauth2_datastore_close(ds);
}
END_TEST

START_TEST(version_2_database_gains_registration_columns)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};
	json_t *record;

	/* Schema 2: no registered_by column, no registration_slots table. */
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, NULL),
			PROAUTH2_OK);
	proauth2_datastore_close(ds);
	sqlite_file_exec(path, "ALTER TABLE clients DROP COLUMN registered_by;"
	    "DROP TABLE registration_slots; PRAGMA user_version = 2;");
	ds = NULL;
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(sqlite_file_int(path, "PRAGMA user_version"), PROAUTH2_SCHEMA_VERSION);
	record = json_pack("{s:s, s:s, s:[s], s:[s], s:s, s:I, s:s}", "client_id", "c",
			"client_type", "public", "redirect_uris", "https://c.example/cb",
			"grant_types", "authorization_code", "scope", "", "created_at",
			(json_int_t)1, "registered_by", "anonymous");
	ck_assert_msg(proauth2_datastore_store(ds, "clients", record, &err) == PROAUTH2_OK,
			"%s", err.text);
	json_decref(record);
	record = json_pack("{s:s, s:I}", "slot", "1:0", "expires_at", (json_int_t)3600);
	ck_assert_msg(proauth2_datastore_store(ds, "registration_slots", record, &err) ==
			PROAUTH2_OK, "%s", err.text);
	json_decref(record);
	proauth2_datastore_close(ds);
}
END_TEST

START_TEST(version_3_database_gains_client_columns)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};
	json_t *record, *query = json_pack("{s:s}", "client_id", "old");

	/* Schema 3: clients without resource and token_endpoint_auth_method,
	 * holding a client stored then. */
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, NULL),
			PROAUTH2_OK);
	proauth2_datastore_close(ds);
	sqlite_file_exec(path, "ALTER TABLE clients DROP COLUMN resource;"
	    "ALTER TABLE clients DROP COLUMN token_endpoint_auth_method;"
	    "INSERT INTO clients (client_id, client_type, redirect_uris, grant_types,"
	    " scope, created_at, registered_by) VALUES ('old', 'confidential', '[]',"
	    " '[\"client_credentials\"]', 'read', 1, 'host');"
	    "PRAGMA user_version = 3;");
	ds = NULL;
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(sqlite_file_int(path, "PRAGMA user_version"), PROAUTH2_SCHEMA_VERSION);
	ck_assert_int_ge(PROAUTH2_SCHEMA_VERSION, 4);
	/* The old client reads back without the new fields: absent, not null. */
	ck_assert_msg(proauth2_datastore_fetch(ds, "clients", query, 0, &record, &err) ==
			PROAUTH2_OK, "%s", err.text);
	ck_assert_str_eq(json_string_value(json_object_get(record, "scope")), "read");
	ck_assert_ptr_null(json_object_get(record, "resource"));
	ck_assert_ptr_null(json_object_get(record, "token_endpoint_auth_method"));
	json_decref(record);
	record = json_pack("{s:s, s:s, s:[], s:[s], s:s, s:I, s:s, s:s}", "client_id",
			"new", "client_type", "confidential", "redirect_uris",
			"grant_types", "client_credentials", "scope", "", "created_at",
			(json_int_t)1, "resource", "https://api.example/",
			"token_endpoint_auth_method", "client_secret_post");
	ck_assert_msg(proauth2_datastore_store(ds, "clients", record, &err) == PROAUTH2_OK,
			"%s", err.text);
	json_decref(record);
	json_object_set_new(query, "client_id", json_string("new"));
	ck_assert_int_eq(proauth2_datastore_fetch(ds, "clients", query, 0, &record, &err),
			PROAUTH2_OK);
	ck_assert_str_eq(json_string_value(json_object_get(record, "resource")),
			"https://api.example/");
	json_decref(record);
	json_decref(query);
	proauth2_datastore_close(ds);
}
END_TEST

START_TEST(version_4_database_gains_attributes)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};
	json_t *record, *query = json_pack("{s:s}", "token_hash", "old");

	/* Schema 4: codes and tokens without attributes, holding a token
	 * stored then. */
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, NULL),
			PROAUTH2_OK);
	proauth2_datastore_close(ds);
	sqlite_file_exec(path, "ALTER TABLE codes DROP COLUMN attributes;"
	    "ALTER TABLE access_tokens DROP COLUMN attributes;"
	    "ALTER TABLE refresh_tokens DROP COLUMN attributes;"
	    "INSERT INTO access_tokens (token_hash, client_id, user_id, grant_id,"
	    " scope, issued_at, expires_at) VALUES ('old', 'c', 'u', 'g', 'read', 1,"
	    " 9000000000000);"
	    "PRAGMA user_version = 4;");
	ds = NULL;
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(sqlite_file_int(path, "PRAGMA user_version"),
			PROAUTH2_SCHEMA_VERSION);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM"
	    " pragma_table_info('refresh_tokens') WHERE name = 'attributes'"), 1);
	ck_assert_msg(proauth2_datastore_fetch(ds, "access_tokens", query, 0, &record,
			&err) == PROAUTH2_OK, "%s", err.text);
	ck_assert_str_eq(json_string_value(json_object_get(record, "scope")), "read");
	ck_assert_ptr_null(json_object_get(record, "attributes"));
	json_decref(record);
	record = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "code_hash", "new",
			"client_id", "c", "user_id", "u", "grant_id", "g", "scope", "read",
			"expires_at", (json_int_t)9000000000000, "attributes",
			"{\"domain\":\"connect.domains\"}");
	ck_assert_msg(proauth2_datastore_store(ds, "codes", record, &err) == PROAUTH2_OK,
			"%s", err.text);
	json_decref(record);
	json_decref(query);
	query = json_pack("{s:s}", "code_hash", "new");
	ck_assert_int_eq(proauth2_datastore_fetch(ds, "codes", query, 0, &record, &err),
			PROAUTH2_OK);
	ck_assert_str_eq(json_string_value(json_object_get(record, "attributes")),
			"{\"domain\":\"connect.domains\"}");
	json_decref(record);
	json_decref(query);
	proauth2_datastore_close(ds);
}
END_TEST

START_TEST(version_5_database_gains_resource)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};
	json_t *record, *query = json_pack("{s:s}", "token_hash", "old");

	/* Schema 5: codes and tokens without resource (RFC 8707), holding a
	 * token stored then. */
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, NULL),
			PROAUTH2_OK);
	proauth2_datastore_close(ds);
	sqlite_file_exec(path, "ALTER TABLE codes DROP COLUMN resource;"
	    "ALTER TABLE access_tokens DROP COLUMN resource;"
	    "ALTER TABLE refresh_tokens DROP COLUMN resource;"
	    "INSERT INTO access_tokens (token_hash, client_id, user_id, grant_id,"
	    " scope, issued_at, expires_at) VALUES ('old', 'c', 'u', 'g', 'read', 1,"
	    " 9000000000000);"
	    "PRAGMA user_version = 5;");
	ds = NULL;
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(sqlite_file_int(path, "PRAGMA user_version"),
			PROAUTH2_SCHEMA_VERSION);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM"
	    " pragma_table_info('codes') WHERE name = 'resource'"), 1);
	ck_assert_msg(proauth2_datastore_fetch(ds, "access_tokens", query, 0, &record,
			&err) == PROAUTH2_OK, "%s", err.text);
	ck_assert_ptr_null(json_object_get(record, "resource"));
	json_decref(record);
	record = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "token_hash",
			"new", "client_id", "c", "user_id", "u", "grant_id", "g", "scope",
			"read", "issued_at", (json_int_t)1, "expires_at",
			(json_int_t)9000000000000, "resource", "https://api.example/mcp");
	ck_assert_msg(proauth2_datastore_store(ds, "refresh_tokens", record, &err) ==
			PROAUTH2_OK, "%s", err.text);
	json_decref(record);
	json_decref(query);
	query = json_pack("{s:s}", "token_hash", "new");
	ck_assert_int_eq(proauth2_datastore_fetch(ds, "refresh_tokens", query, 0,
			&record, &err), PROAUTH2_OK);
	ck_assert_str_eq(json_string_value(json_object_get(record, "resource")),
			"https://api.example/mcp");
	json_decref(record);
	json_decref(query);
	proauth2_datastore_close(ds);
}
END_TEST

START_TEST(version_6_database_gains_retry_links)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};
	json_t *record, *query;

	/* Schema 6: refresh tokens and spent marks without their parents. */
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, NULL),
			PROAUTH2_OK);
	proauth2_datastore_close(ds);
	sqlite_file_exec(path, "DROP INDEX refresh_tokens_parent;"
	    "DROP INDEX spent_tokens_parent;"
	    "ALTER TABLE refresh_tokens DROP COLUMN parent;"
	    "ALTER TABLE spent_tokens DROP COLUMN parent;"
	    "ALTER TABLE spent_tokens DROP COLUMN spent_at;"
	    "PRAGMA user_version = 6;");
	ds = NULL;
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, NULL),
			PROAUTH2_OK);
	ck_assert_int_eq(sqlite_file_int(path, "PRAGMA user_version"),
			PROAUTH2_SCHEMA_VERSION);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM sqlite_master"
	    " WHERE name IN ('refresh_tokens_parent', 'spent_tokens_parent')"), 2);
	record = json_pack("{s:s, s:s, s:I, s:I, s:s}", "token_hash", "spent",
			"grant_id", "g", "expires_at", (json_int_t)9000000000000,
			"spent_at", (json_int_t)1, "parent", "older");
	ck_assert_msg(proauth2_datastore_store(ds, "spent_tokens", record, &err) ==
			PROAUTH2_OK, "%s", err.text);
	json_decref(record);
	query = json_pack("{s:s}", "parent", "older");
	ck_assert_msg(proauth2_datastore_fetch(ds, "spent_tokens", query, 0, &record,
			&err) == PROAUTH2_OK, "%s", err.text);
	ck_assert_str_eq(json_string_value(json_object_get(record, "token_hash")),
			"spent");
	ck_assert_int_eq(json_integer_value(json_object_get(record, "spent_at")), 1);
	json_decref(record);
	json_decref(query);
	proauth2_datastore_close(ds);
}
END_TEST

/* Store an access token whose ids are "hash-", "client-", "user-" and
 * "grant-" then suffix. */
static void store_token(proauth2_datastore *ds, const char *suffix)
{
	char hash[32], client[32], user[32], grant[32];
	json_t *record;

	snprintf(hash, sizeof(hash), "hash-%s", suffix);
	snprintf(client, sizeof(client), "client-%s", suffix);
	snprintf(user, sizeof(user), "user-%s", suffix);
	snprintf(grant, sizeof(grant), "grant-%s", suffix);
	record = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "token_hash", hash,
			"client_id", client, "user_id", user, "grant_id", grant,
			"scope", "read", "issued_at", (json_int_t)1,
			"expires_at", (json_int_t)time(NULL) + 3600);
	ck_assert_int_eq(proauth2_datastore_store(ds, "access_tokens", record, NULL),
			PROAUTH2_OK);
	json_decref(record);
}

/* How many records query (taken) removes. */
static size_t removed_by(proauth2_datastore *ds, json_t *query)
{
	size_t removed = 0;

	ck_assert_int_eq(proauth2_datastore_remove(ds, "access_tokens", query,
			&removed, NULL), PROAUTH2_OK);
	json_decref(query);
	return removed;
}

/* The token_hash of the one record query (taken) finds, "" for none. */
static const char *found_by(proauth2_datastore *ds, json_t *query, char *hash,
		size_t size)
{
	json_t *record = NULL;

	hash[0] = '\0';
	if (proauth2_datastore_fetch(ds, "access_tokens", query, time(NULL),
			&record, NULL) == PROAUTH2_OK)
		snprintf(hash, size, "%s", json_string_value(json_object_get(record,
				"token_hash")));
	json_decref(record);
	json_decref(query);
	return hash;
}

/* Prepared statements are kept by what they do (table, query fields and
 * their order), not by their SQL text: queries of the same size on other
 * fields, or the same fields in another order, each get their own. */
START_TEST(each_query_shape_has_its_own_statement)
{
	proauth2_datastore *ds = NULL;
	char hash[64];
	int round;

	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, NULL),
			PROAUTH2_OK);
	store_token(ds, "a");
	store_token(ds, "b");
	/* Twice: the second round finds every statement cached. */
	for (round = 0; round < 2; round++) {
		ck_assert_str_eq(found_by(ds, json_pack("{s:s}", "token_hash", "hash-a"),
				hash, sizeof(hash)), "hash-a");
		ck_assert_str_eq(found_by(ds, json_pack("{s:s}", "client_id", "client-b"),
				hash, sizeof(hash)), "hash-b");
		ck_assert_str_eq(found_by(ds, json_pack("{s:s}", "user_id", "client-b"),
				hash, sizeof(hash)), "");
		ck_assert_str_eq(found_by(ds, json_pack("{s:s, s:s}", "client_id", "client-a",
				"grant_id", "grant-a"), hash, sizeof(hash)), "hash-a");
		ck_assert_str_eq(found_by(ds, json_pack("{s:s, s:s}", "grant_id", "grant-b",
				"client_id", "client-b"), hash, sizeof(hash)), "hash-b");
		/* Bound in the query's order: a statement of the other order
		 * would match nothing. */
		ck_assert_str_eq(found_by(ds, json_pack("{s:s, s:s}", "grant_id", "grant-a",
				"user_id", "user-a"), hash, sizeof(hash)), "hash-a");
		ck_assert_str_eq(found_by(ds, json_pack("{s:s, s:s}", "user_id", "user-b",
				"grant_id", "grant-b"), hash, sizeof(hash)), "hash-b");
	}
	ck_assert_uint_eq(removed_by(ds, json_pack("{s:s, s:s}", "user_id", "user-a",
			"client_id", "client-b")), 0);
	ck_assert_uint_eq(removed_by(ds, json_pack("{s:s, s:s}", "client_id", "client-b",
			"user_id", "user-b")), 1);
	ck_assert_str_eq(found_by(ds, json_pack("{s:s}", "client_id", "client-b"),
			hash, sizeof(hash)), "");
	ck_assert_str_eq(found_by(ds, json_pack("{s:s}", "token_hash", "hash-a"),
			hash, sizeof(hash)), "hash-a");
	proauth2_datastore_close(ds);
}
END_TEST

START_TEST(newer_database_is_refused)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};

	sqlite_file_exec(path, "PRAGMA user_version = 99;");
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, &err),
			PROAUTH2_ERR_DATASTORE);
	ck_assert_ptr_null(ds);
	ck_assert_ptr_nonnull(strstr(err.text, "newer"));
}
END_TEST

START_TEST(unopenable_path_is_an_error)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};

	ck_assert_int_ne(proauth2_datastore_open(proauth2_sqlite_ops(),
			"/nonexistent-dir/x/y.db", &ds, &err), PROAUTH2_OK);
	ck_assert_ptr_null(ds);
	ck_assert_int_ne(err.status, PROAUTH2_OK);
}
END_TEST

/* ?synchronous= chooses durability: full or normal; nothing else. */
START_TEST(synchronous_choice)
{
	static const char *const accepted[] = {"full", "normal", "NORMAL"};
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};
	json_t *grant = json_pack("{s:s, s:I}", "grant_id", "g1", "expires_at",
			(json_int_t)4000000000);
	json_t *query = json_pack("{s:s}", "grant_id", "g1"), *record = NULL;
	char uri[192];
	size_t i;

	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		snprintf(uri, sizeof(uri), "file:%s?synchronous=%s", path, accepted[i]);
		ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), uri, &ds,
				&err), PROAUTH2_OK);
		if (i == 0)
			ck_assert_int_eq(proauth2_datastore_store(ds, "revoked_grants", grant,
					&err), PROAUTH2_OK);
		ck_assert_int_eq(proauth2_datastore_fetch(ds, "revoked_grants", query, 0,
				&record, &err), PROAUTH2_OK);
		json_decref(record);
		proauth2_datastore_close(ds);
	}
	snprintf(uri, sizeof(uri), "file:%s?synchronous=off", path);
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), uri, &ds, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(ds);
	ck_assert_ptr_nonnull(strstr(err.text, "synchronous=off"));
	json_decref(query);
	json_decref(grant);
}
END_TEST

static json_t *grant_mark(const char *grant_id)
{
	return json_pack("{s:s, s:I}", "grant_id", grant_id, "expires_at",
			(json_int_t)4000000000);
}

static json_t *mark_expiring(const char *grant_id, int64_t expires_at)
{
	return json_pack("{s:s, s:I}", "grant_id", grant_id, "expires_at",
			(json_int_t)expires_at);
}

static void store_marks(proauth2_datastore *ds, const char *prefix, int n,
		int64_t expires_at)
{
	char id[32];
	int i;

	for (i = 0; i < n; i++) {
		json_t *mark;

		snprintf(id, sizeof(id), "%s-%d", prefix, i);
		mark = mark_expiring(id, expires_at);
		ck_assert_int_eq(proauth2_datastore_store(ds, "revoked_grants", mark,
				NULL), PROAUTH2_OK);
		json_decref(mark);
	}
}

/* Nobody calls purge_expired: the writes that follow reclaim expired rows,
 * and an idle store does at its first write a second later. */
START_TEST(expired_rows_go_with_the_writes_that_follow)
{
	proauth2_datastore *ds = NULL;
	char uri[160];
	const char *expired = "SELECT count(*) FROM revoked_grants WHERE expires_at < 4000000000";

	snprintf(uri, sizeof(uri), "file:%s?synchronous=normal", path);
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), uri, &ds, NULL),
			PROAUTH2_OK);
	store_marks(ds, "expired", 1000, (int64_t)time(NULL) - 10);
	store_marks(ds, "live", 1000, 4000000000);
	ck_assert_int_eq(sqlite_file_int(path, expired), 0);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM revoked_grants"), 1000);

	store_marks(ds, "idle", 50, (int64_t)time(NULL) - 10);
	sleep(2);
	store_marks(ds, "next", 1, 4000000000);
	ck_assert_int_eq(sqlite_file_int(path, expired), 0);
	proauth2_datastore_close(ds);
}
END_TEST

#define READERS 72  /* more than the pool keeps idle */
#define WRITES_EACH 10

struct writer_reader {
	proauth2_datastore *ds;
	int id;
	int failures;
};

/* Store records and read each back at once, through the reader pool. */
static void *write_then_read(void *arg)
{
	struct writer_reader *w = arg;
	proauth2_error err = {0};
	char grant_id[32];
	int i;

	for (i = 0; i < WRITES_EACH; i++) {
		json_t *record, *query, *found = NULL;

		snprintf(grant_id, sizeof(grant_id), "g-%d-%d", w->id, i);
		record = grant_mark(grant_id);
		query = json_pack("{s:s}", "grant_id", grant_id);
		if (proauth2_datastore_store(w->ds, "revoked_grants", record, &err) != PROAUTH2_OK ||
				proauth2_datastore_fetch(w->ds, "revoked_grants", query, 0,
					&found, &err) != PROAUTH2_OK ||
				strcmp(json_string_value(json_object_get(found, "grant_id")),
					grant_id) != 0)
			w->failures++;
		json_decref(found);
		json_decref(query);
		json_decref(record);
	}
	return NULL;
}

START_TEST(every_returned_write_is_read_back)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};
	struct writer_reader w[READERS];
	pthread_t threads[READERS];
	char uri[192];
	int i;

	/* synchronous=normal: the same connections and batches, without an
	 * fsync per commit to wait for. */
	snprintf(uri, sizeof(uri), "file:%s?synchronous=normal", path);
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), uri, &ds, &err),
			PROAUTH2_OK);
	for (i = 0; i < READERS; i++) {
		w[i] = (struct writer_reader){ds, i, 0};
		ck_assert_int_eq(pthread_create(&threads[i], NULL, write_then_read, &w[i]), 0);
	}
	for (i = 0; i < READERS; i++) {
		pthread_join(threads[i], NULL);
		ck_assert_int_eq(w[i].failures, 0);
	}
	proauth2_datastore_close(ds);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM revoked_grants"),
			READERS * WRITES_EACH);
}
END_TEST

/* The backend itself, without the datastore handle: begin_writes and
 * end_writes are the core's, not the public API's. */
START_TEST(a_group_of_writes_commits_at_its_end)
{
	const proauth2_datastore_ops *ops = proauth2_sqlite_ops();
	const proauth2_table *marks = proauth2_schema_table("revoked_grants");
	proauth2_error err = {0};
	json_t *record, *query = json_pack("{s:s}", "grant_id", "g2"), *found = NULL;
	const char *ids[] = {"g1", "g2", "g3"};
	void *cls = NULL;
	size_t i;

	ck_assert_int_eq(ops->init(path, &cls, &err), PROAUTH2_OK);
	ck_assert_int_eq(ops->begin_writes(cls, &err), PROAUTH2_OK);
	for (i = 0; i < 3; i++) {
		record = grant_mark(ids[i]);
		ck_assert_int_eq(ops->store(cls, marks, record, &err), PROAUTH2_OK);
		json_decref(record);
	}
	/* Not yet committed, yet the group reads what it wrote. */
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM revoked_grants"), 0);
	ck_assert_int_eq(ops->fetch(cls, marks, query, &found, &err), PROAUTH2_OK);
	json_decref(found);
	ck_assert_int_eq(ops->end_writes(cls, &err), PROAUTH2_OK);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM revoked_grants"), 3);
	/* Outside a group, a write is committed when it returns. */
	record = grant_mark("g4");
	ck_assert_int_eq(ops->store(cls, marks, record, &err), PROAUTH2_OK);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM revoked_grants"), 4);
	json_decref(record);
	json_decref(query);
	ops->close(cls);
}
END_TEST

/* A disk that fails an fsync: the write whose commit it was fails, nothing
 * of it is kept past a clean close, and the next write goes through. */
START_TEST(a_write_whose_commit_fails_is_an_error_and_not_kept)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};
	json_t *kept = grant_mark("kept"), *lost = grant_mark("lost"),
		*after = grant_mark("after");
	char uri[192];

	ck_assert_int_eq(faulty_vfs_register(), SQLITE_OK);
	snprintf(uri, sizeof(uri), "file:%s?vfs=%s", path, FAULTY_VFS_NAME);
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), uri, &ds, &err),
			PROAUTH2_OK);
	ck_assert_int_eq(proauth2_datastore_store(ds, "revoked_grants", kept, &err),
			PROAUTH2_OK);
	faulty_vfs_fail_syncs(true);
	/* SQLite wrote it to the WAL before the fsync failed: its outcome is
	 * unknown (a crash's recovery may replay it). */
	ck_assert_int_eq(proauth2_datastore_store(ds, "revoked_grants", lost, &err),
			PROAUTH2_ERR_OUTCOME_UNKNOWN);
	faulty_vfs_fail_syncs(false);
	ck_assert_int_eq(proauth2_datastore_store(ds, "revoked_grants", after, &err),
			PROAUTH2_OK);
	proauth2_datastore_close(ds);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM revoked_grants"
			" WHERE grant_id = 'lost'"), 0);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM revoked_grants"), 2);
	json_decref(after);
	json_decref(lost);
	json_decref(kept);
}
END_TEST

START_TEST(vanished_file_is_an_error_not_a_new_database)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};
	json_t *query = json_pack("{s:s}", "grant_id", "g1"), *record = NULL;
	char file[160];

	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, &err),
			PROAUTH2_OK);
	ck_assert_int_eq(unlink(path), 0);
	snprintf(file, sizeof(file), "%s-wal", path);
	unlink(file);
	snprintf(file, sizeof(file), "%s-shm", path);
	unlink(file);
	ck_assert_int_eq(proauth2_datastore_fetch(ds, "revoked_grants", query, 0,
			&record, &err), PROAUTH2_ERR_DATASTORE);
	ck_assert_ptr_null(record);
	ck_assert_ptr_nonnull(strstr(err.text, "open a reader"));
	ck_assert_int_ne(access(path, F_OK), 0);
	proauth2_datastore_close(ds);
	json_decref(query);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sqlite");
	TCase *tc = tcase_create("sqlite");
	SRunner *runner;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, file_is_wal_with_current_schema);
	tcase_add_test(tc, optional_fields_are_indexed_where_present);
	tcase_add_test(tc, version_1_database_is_upgraded);
	tcase_add_test(tc, version_2_database_gains_auth_failures);
	tcase_add_test(tc, version_2_database_gains_registration_columns);
	tcase_add_test(tc, version_3_database_gains_client_columns);
	tcase_add_test(tc, version_4_database_gains_attributes);
	tcase_add_test(tc, version_5_database_gains_resource);
	tcase_add_test(tc, version_6_database_gains_retry_links);
	tcase_add_test(tc, each_query_shape_has_its_own_statement);
	tcase_add_test(tc, newer_database_is_refused);
	tcase_add_test(tc, unopenable_path_is_an_error);
	tcase_add_test(tc, synchronous_choice);
	tcase_add_test(tc, every_returned_write_is_read_back);
	tcase_add_test(tc, vanished_file_is_an_error_not_a_new_database);
	tcase_add_test(tc, a_group_of_writes_commits_at_its_end);
	tcase_add_test(tc, a_write_whose_commit_fails_is_an_error_and_not_kept);
	tcase_add_test(tc, expired_rows_go_with_the_writes_that_follow);
	suite_add_tcase(s, tc);
	runner = srunner_create(s);
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
