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

int main(void)
{
	Suite *s = suite_create("sqlite_open");
	TCase *tc = tcase_create("sqlite_open");
	SRunner *runner;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, newer_file_is_refused_untouched);
	suite_add_tcase(s, tc);
	runner = srunner_create(s);
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
