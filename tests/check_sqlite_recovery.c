/* What an SQLite file may hold that this process did not write as it was
 * told: a commit reported failed that recovery brought back, and rows
 * another program wrote. Either way the engine answers safely. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sqlite3.h>

#include "faulty_vfs.h"
#include "sqlite_file.h"
#include "support.h"

static char path[128];

/* The fixture's file, reopened through the VFS whose fsync fails on demand. */
static void faulty_setup(void)
{
	env_setup();
	snprintf(path, sizeof(path), "%s/proauth2.db", env.dir);
	env_reopen_on_faulty_vfs(NULL);
}

static proauth2_status exchange(const proauth2_client *client, const char *code,
		proauth2_token_response **out, proauth2_error *err)
{
	proauth2_code_exchange req = {
		.struct_size = sizeof(proauth2_code_exchange),
		.client_id = client->client_id,
		.client_secret = client->client_secret,
		.code = code,
		.redirect_uri = REDIRECT_URI,
	};

	return proauth2_token_exchange_code(env.provider, &req, out, err);
}

/* Tokens the datastore holds that no revocation mark covers. */
static long long live_tokens(void)
{
	return sqlite_file_int(path, "SELECT (SELECT count(*) FROM access_tokens WHERE grant_id"
			" NOT IN (SELECT grant_id FROM revoked_grants)) + (SELECT count(*)"
			" FROM refresh_tokens WHERE grant_id NOT IN"
			" (SELECT grant_id FROM revoked_grants))");
}

/*
 * The fsync of an exchange's commit fails: the client is told an error, but
 * SQLite wrote the group's frames and commit mark to the WAL first, so after
 * a crash recovery may replay them. Whichever it does, the code yields at
 * most one set of live tokens: if the exchange was kept, the code is spent,
 * and presenting it again is a replay that revokes the grant.
 */
START_TEST(a_code_whose_commit_failed_is_never_honoured_twice_after_recovery)
{
	proauth2_client *client = register_client(PROAUTH2_CLIENT_CONFIDENTIAL,
			PROAUTH2_GRANT_AUTHORIZATION_CODE | PROAUTH2_GRANT_REFRESH_TOKEN,
			"read");
	char *code = issue_code(client, "read", 0);
	proauth2_token_response *tokens = NULL;
	proauth2_error err = {0};
	proauth2_status status;
	sqlite3 *last;
	long long kept, recovered;

	/* A connection that closes last without a checkpoint leaves the WAL
	 * and its index as a crash would: the next open recovers from the
	 * WAL file alone. */
	ck_assert_int_eq(sqlite3_open(path, &last), SQLITE_OK);
	ck_assert_int_eq(sqlite3_db_config(last, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
			1, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(last, "SELECT count(*) FROM spent_tokens",
			NULL, NULL, NULL), SQLITE_OK);

	faulty_vfs_fail_next_sync();
	status = exchange(client, code, &tokens, &err);
	ck_assert_msg(status == PROAUTH2_ERR_OUTCOME_UNKNOWN, "exchange: %s (%s)",
			proauth2_status_str(status), err.text);
	ck_assert_ptr_null(tokens);

	proauth2_provider_free(env.provider);
	proauth2_datastore_close(env.ds);
	ck_assert_int_eq(sqlite3_close(last), SQLITE_OK);
	env.provider = env_open_provider(&env.ds);

	kept = sqlite_file_int(path, "SELECT count(*) FROM spent_tokens");
	recovered = sqlite_file_int(path, "SELECT count(*) FROM access_tokens");
	status = exchange(client, code, &tokens, &err);
	if (kept == 0) {
		/* Nothing was kept: the code is still good, once. */
		ck_assert_msg(status == PROAUTH2_OK, "exchange: %s (%s)",
				proauth2_status_str(status), err.text);
		ck_assert_int_eq(validate_status(tokens->access_token), PROAUTH2_OK);
		proauth2_token_response_free(tokens);
		tokens = NULL;
		ck_assert_int_eq(exchange(client, code, &tokens, &err),
				PROAUTH2_ERR_INVALID_GRANT);
	} else {
		/* It was written after all: the code is spent, its replay is
		 * refused, and the grant of the tokens nobody was given is
		 * revoked. */
		ck_assert_int_eq(status, PROAUTH2_ERR_INVALID_GRANT);
		ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM revoked_grants"), 1);
	}
	ck_assert_ptr_null(tokens);
	ck_assert_int_eq(live_tokens(), 0);
	fprintf(stderr, "after recovery: %lld spent mark(s), %lld access"
			" token(s) nobody was given\n", kept, recovered);
	free(code);
	proauth2_client_free(client);
}
END_TEST

static void plain_setup(void)
{
	env_setup();
	snprintf(path, sizeof(path), "%s/proauth2.db", env.dir);
}

/* A client row as another program may have written it: every field good
 * but the one set by column = value (SQL). */
static void insert_client(const char *client_id, const char *column,
		const char *value)
{
	char statement[512];

	snprintf(statement, sizeof(statement),
			"INSERT INTO clients (client_id, client_type, redirect_uris,"
			" grant_types, scope, created_at) VALUES ('%s', 'public',"
			" '[\"https://c.example/cb\"]', '[\"authorization_code\"]',"
			" 'read', 1); UPDATE clients SET %s = %s WHERE client_id = '%s'",
			client_id, column, value, client_id);
	sqlite_file_exec(path, statement);
}

static const struct {
	const char *column, *value;
} unreadable[] = {
	{"name", "CAST(x'ff' AS TEXT)"},              /* optional, not UTF-8 */
	{"scope", "CAST(x'c0af' AS TEXT)"},           /* required, overlong */
	{"secret_hash", "x'eda080'"},                 /* a blob, a surrogate */
	{"redirect_uris", "CAST(x'5b22ff225d' AS TEXT)"},  /* ["\xff"] */
	{"grant_types", "'not JSON'"},
	{"grant_types", "'[\"authorization_code\",]'"},
	{"grant_types", "'[\"authorization_code\" \"implicit\"]'"},
	{"grant_types", "'[\"authorization_code'"},
	{"grant_types", "'[1]'"},
	{"grant_types", "'[\"a\\u0000b\"]'"},
	{"redirect_uris", "CAST(x'5b220a225d' AS TEXT)"},  /* ["\n"] */
	{"created_at", "'yesterday'"},                /* text in an integer */
};
#define N_UNREADABLE (sizeof(unreadable) / sizeof(unreadable[0]))

/* Loop i: a row whose i-th unreadable column the backend cannot read as
 * its field's type is a malformed record that names the field: never a
 * record without the field, and never out of memory. */
START_TEST(a_row_another_program_wrote_is_malformed_not_dropped)
{
	const char *column = unreadable[_i].column;
	json_t *query = json_pack("{s:s}", "client_id", "other"), *record = NULL;
	proauth2_error err = {0};
	proauth2_status status;
	char field[64];

	insert_client("other", column, unreadable[_i].value);
	status = proauth2_datastore_fetch(env.ds, "clients", query, 0, &record, &err);
	ck_assert_msg(status == PROAUTH2_ERR_DATASTORE, "fetch with %s = %s: %s (%s)",
			column, unreadable[_i].value, proauth2_status_str(status),
			status != PROAUTH2_OK ? err.text : "");
	ck_assert_ptr_null(record);
	snprintf(field, sizeof(field), "'%s'", column);
	ck_assert_msg(strstr(err.text, "malformed") != NULL &&
			strstr(err.text, field) != NULL,
			"\"%s\" does not say the record is malformed at %s",
			err.text, field);
	json_decref(query);
}
END_TEST

/* Array texts JSON allows: plain ones as this backend writes them (read
 * without jansson), and ones with spaces or escapes as only another
 * program would write them (read by jansson). */
static const char *const readable[] = {
	"[]",
	"[ \"https://c.example/cb\" , \"https://c.example/2\" ]",
	"[\"https:\\/\\/c.example\\/cb\"]",
	"[\"https://c.example/cb?q=\\\"x\\\"\"]",
	"[\"https://c.example/\\u00e9\",\"https://c.example/\xc3\xa9\"]",
	"[\"https://c.example/cb\",\"\"]",
};
#define N_READABLE (sizeof(readable) / sizeof(readable[0]))

/* Loop i: a row whose array column holds the i-th text reads as the array
 * that JSON text means, whichever way the backend reads it. */
START_TEST(a_row_another_program_wrote_reads_as_its_json_says)
{
	json_t *query = json_pack("{s:s}", "client_id", "other"), *record = NULL;
	json_t *expected = json_loads(readable[_i], 0, NULL);
	proauth2_error err = {0};
	char value[256];

	ck_assert_ptr_nonnull(expected);
	snprintf(value, sizeof(value), "'%s'", readable[_i]);
	insert_client("other", "redirect_uris", value);
	ck_assert_msg(proauth2_datastore_fetch(env.ds, "clients", query, 0,
			&record, &err) == PROAUTH2_OK, "%s: %s", readable[_i], err.text);
	ck_assert_msg(json_equal(json_object_get(record, "redirect_uris"), expected),
			"%s read as something else", readable[_i]);
	json_decref(expected);
	json_decref(record);
	json_decref(query);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sqlite_recovery");
	TCase *tc = tcase_create("recovery");
	int failed;

	tcase_add_checked_fixture(tc, faulty_setup, env_teardown);
	tcase_add_test(tc, a_code_whose_commit_failed_is_never_honoured_twice_after_recovery);
	suite_add_tcase(s, tc);
	tc = tcase_create("foreign_rows");
	tcase_add_checked_fixture(tc, plain_setup, env_teardown);
	tcase_add_loop_test(tc, a_row_another_program_wrote_is_malformed_not_dropped,
			0, N_UNREADABLE);
	tcase_add_loop_test(tc, a_row_another_program_wrote_reads_as_its_json_says,
			0, N_READABLE);
	suite_add_tcase(s, tc);
	failed = run_suite(s);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
