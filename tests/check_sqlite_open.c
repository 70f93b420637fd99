/* The SQLite backend and its file: a newer file refused before anything is
 * written to it, a WAL that shrinks back after a checkpoint, a store used
 * in a process it was not opened in, and a file deleted or replaced under
 * a running store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include <proauth2/proauth2.h>

static char dir[64], path[128], wal[160], shm[160];

static void setup(void)
{
	strcpy(dir, "/tmp/proauth2-sqlite-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/store.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
}

static void teardown(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void sql(const char *statements)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, statements, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* The first column of query's first row, as text, into out. */
static void query_text(const char *query, char *out, size_t size)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, query, -1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	snprintf(out, size, "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

/* The whole of file into a new buffer, its size in *size. */
static char *slurp(const char *file, size_t *size)
{
	FILE *f = fopen(file, "rb");
	char *bytes;
	long n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	bytes = malloc((size_t)n);
	ck_assert_ptr_nonnull(bytes);
	ck_assert_uint_eq(fread(bytes, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return bytes;
}

START_TEST(newer_file_is_refused_untouched)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};
	char *before, *after, mode[16];
	size_t n_before, n_after;

	/* A rollback-journal file that a newer library made. */
	sql("CREATE TABLE clients (client_id TEXT PRIMARY KEY);"
	    "PRAGMA user_version = 99;");
	before = slurp(path, &n_before);
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, &err),
			PROAUTH2_ERR_DATASTORE);
	ck_assert_ptr_null(ds);
	ck_assert_ptr_nonnull(strstr(err.text, "newer"));
	after = slurp(path, &n_after);
	ck_assert_uint_eq(n_after, n_before);
	ck_assert_msg(memcmp(before, after, n_before) == 0, "the refused file was written to");
	ck_assert_int_ne(access(wal, F_OK), 0);
	ck_assert_int_ne(access(shm, F_OK), 0);
	query_text("PRAGMA journal_mode", mode, sizeof(mode));
	ck_assert_str_eq(mode, "delete");
	free(before);
	free(after);
}
END_TEST

static long long file_size(const char *file)
{
	struct stat st;

	return stat(file, &st) == 0 ? (long long)st.st_size : -1;
}

static proauth2_status store_mark(proauth2_datastore *ds, int n, proauth2_error *err)
{
	char grant_id[32];
	json_t *record;
	proauth2_status status;

	snprintf(grant_id, sizeof(grant_id), "g-%d", n);
	record = json_pack("{s:s, s:I}", "grant_id", grant_id, "expires_at",
			(json_int_t)4000000000);
	status = proauth2_datastore_store(ds, "revoked_grants", record, err);
	json_decref(record);
	return status;
}

#define WAL_LIMIT (4LL << 20)    /* sqlite.h's journal size limit */
#define WAL_PEAK (WAL_LIMIT * 3 / 2)
#define MAX_WRITES 100000        /* a bound on the loop, never reached */

START_TEST(wal_shrinks_after_a_checkpoint)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};
	sqlite3 *reader;
	sqlite3_stmt *stmt;
	char uri[192];
	int n = 0, i;

	snprintf(uri, sizeof(uri), "file:%s?synchronous=normal", path);
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), uri, &ds, &err),
			PROAUTH2_OK);
	/* A reader's open snapshot keeps checkpoints from reaching the end of
	 * the WAL, which grows past the limit meanwhile. */
	ck_assert_int_eq(sqlite3_open(path, &reader), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(reader, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(reader, "SELECT count(*) FROM revoked_grants",
			-1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	sqlite3_finalize(stmt);
	while (file_size(wal) <= WAL_PEAK && n < MAX_WRITES)
		for (i = 0; i < 50; i++)
			ck_assert_msg(store_mark(ds, n++, &err) == PROAUTH2_OK, "%s", err.text);
	ck_assert_int_gt(file_size(wal), WAL_PEAK);
	/* The reader gone, a commit checkpoints the whole WAL, and the next
	 * starts it over, cut to the limit. */
	ck_assert_int_eq(sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(reader);
	for (i = 0; i < 3; i++)
		ck_assert_msg(store_mark(ds, n++, &err) == PROAUTH2_OK, "%s", err.text);
	ck_assert_msg(file_size(wal) <= WAL_LIMIT, "-wal is %lld bytes after %d writes",
			file_size(wal), n);
	proauth2_datastore_close(ds);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sqlite_open");
	TCase *tc = tcase_create("sqlite_open");
	SRunner *runner;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, newer_file_is_refused_untouched);
	tcase_add_test(tc, wal_shrinks_after_a_checkpoint);
	suite_add_tcase(s, tc);
	runner = srunner_create(s);
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
