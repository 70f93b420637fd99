/* Looking at an SQLite file from outside the backend (sqlite_file.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sqlite3.h>

#include "sqlite_file.h"

void sqlite_file_dir_new(char dir[64], char path[128])
{
	strcpy(dir, "/tmp/proauth2-sqlite-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, 128, "%s/store.db", dir);
}

void sqlite_file_dir_remove(const char *dir)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

void sqlite_file_exec(const char *path, const char *statements)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, statements, NULL, NULL, NULL) == SQLITE_OK,
			"%s: %s", statements, sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* query's first row, stepped to; the caller finalizes stmt and closes db. */
static sqlite3_stmt *first_row(const char *path, const char *query, sqlite3 **db)
{
	sqlite3_stmt *stmt;

	ck_assert_int_eq(sqlite3_open(path, db), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(*db, query, -1, &stmt, NULL) == SQLITE_OK,
			"%s: %s", query, sqlite3_errmsg(*db));
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	return stmt;
}

long long sqlite_file_int(const char *path, const char *query)
{
	sqlite3 *db;
	sqlite3_stmt *stmt = first_row(path, query, &db);
	long long value = sqlite3_column_int64(stmt, 0);

	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return value;
}

static void first_row_text(const char *path, const char *query, int column,
		char *out, size_t size)
{
	sqlite3 *db;
	sqlite3_stmt *stmt = first_row(path, query, &db);

	snprintf(out, size, "%s", (const char *)sqlite3_column_text(stmt, column));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

void sqlite_file_text(const char *path, const char *query, char *out, size_t size)
{
	first_row_text(path, query, 0, out, size);
}

void sqlite_file_plan(const char *path, const char *query, char *out, size_t size)
{
	char explain[1024];

	snprintf(explain, sizeof(explain), "EXPLAIN QUERY PLAN %s", query);
	first_row_text(path, explain, 3, out, size);  /* id, parent, notused, detail */
}
