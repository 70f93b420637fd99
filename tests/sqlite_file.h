/* Looking at an SQLite file from outside the backend, as another program
 * would: for the tests of what the backend leaves in its file. */
#ifndef PROAUTH2_TESTS_SQLITE_FILE_H
#define PROAUTH2_TESTS_SQLITE_FILE_H

#include <stddef.h>

/* A new empty directory /tmp/proauth2-sqlite-XXXXXX into dir (64 bytes),
 * and path (128 bytes) receives dir/store.db. */
void sqlite_file_dir_new(char dir[64], char path[128]);

/* Remove dir and everything in it. */
void sqlite_file_dir_remove(const char *dir);

/* Run statements on the file at path; the test fails if they do. */
void sqlite_file_exec(const char *path, const char *statements);

/* The first column of query's first row, as an integer. */
long long sqlite_file_int(const char *path, const char *query);

/* The same as text, into out. */
void sqlite_file_text(const char *path, const char *query, char *out, size_t size);

/* The first step of the plan SQLite makes for query ("SEARCH t USING
 * INDEX ..."), into out. */
void sqlite_file_plan(const char *path, const char *query, char *out, size_t size);

#endif
