/* The SQLite backend and its file: a newer file refused before anything is
 * written to it, a WAL that shrinks back after a checkpoint, a store used
 * in a process it was not opened in, and a file deleted or replaced under
 * a running store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include <proauth2/backend.h>
#include <proauth2/proauth2.h>

#include "sqlite_file.h"

static char dir[64], path[128], wal[160], shm[160], wait_file[160];

static void setup(void)
{
	sqlite_file_dir_new(dir, path);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	snprintf(wait_file, sizeof(wait_file), "%s-wait", path);
}

static void teardown(void)
{
	sqlite_file_dir_remove(dir);
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
	sqlite_file_exec(path, "CREATE TABLE clients (client_id TEXT PRIMARY KEY);"
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
	ck_assert_int_ne(access(wait_file, F_OK), 0);
	sqlite_file_text(path, "PRAGMA journal_mode", mode, sizeof(mode));
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

static json_t *grant_mark(const char *grant_id)
{
	return json_pack("{s:s, s:I}", "grant_id", grant_id, "expires_at",
			(json_int_t)4000000000);
}

/* A refusal of use in another process: the status and a text that says so. */
static int refused(proauth2_status status, const proauth2_error *err)
{
	return status == PROAUTH2_ERR_DATASTORE && strstr(err->text, "fork") != NULL;
}

/* In a child of the process that opened cls: every call is refused, and
 * close leaves the parent's files alone. The exit status has a bit set
 * for each call that was not refused. */
static void use_in_child(const proauth2_datastore_ops *ops, void *cls)
{
	const proauth2_table *marks = proauth2_schema_table("revoked_grants");
	json_t *record = grant_mark("child"), *query = json_pack("{s:s}", "grant_id", "parent");
	json_t *found = NULL;
	proauth2_error err = {0};
	size_t removed = 0;
	int failed = 0;

	if (!refused(ops->store(cls, marks, record, &err), &err))
		failed |= 1;
	if (!refused(ops->fetch(cls, marks, query, &found, &err), &err) || found != NULL)
		failed |= 2;
	if (!refused(ops->replace(cls, marks, record, &err), &err))
		failed |= 4;
	if (!refused(ops->remove(cls, marks, query, &removed, &err), &err) || removed != 0)
		failed |= 8;
	if (!refused(ops->purge_expired(cls, marks, 5000000000, &removed, &err), &err))
		failed |= 16;
	if (!refused(ops->begin_writes(cls, &err), &err))
		failed |= 32;
	if (!refused(ops->end_writes(cls, &err), &err))
		failed |= 64;
	ops->close(cls);
	if (access(wal, F_OK) != 0 || access(shm, F_OK) != 0)
		failed |= 128;
	json_decref(found);
	json_decref(query);
	json_decref(record);
	_exit(failed);
}

/* A store opened on path, with grant_id stored and read back: a reader
 * in the pool to be inherited, and the anchor's thread past its start
 * (seen under ASan: a fork during it left the child on a held allocator
 * lock). What it made is freed before the caller forks: the child frees
 * what it makes (valgrind checks it too). */
static void *open_and_use(const proauth2_datastore_ops *ops, const char *grant_id)
{
	const proauth2_table *marks = proauth2_schema_table("revoked_grants");
	json_t *record = grant_mark(grant_id), *query = json_pack("{s:s}", "grant_id", grant_id);
	json_t *found = NULL;
	proauth2_error err = {0};
	void *cls = NULL;

	ck_assert_int_eq(ops->init(path, &cls, &err), PROAUTH2_OK);
	ck_assert_int_eq(ops->store(cls, marks, record, &err), PROAUTH2_OK);
	ck_assert_int_eq(ops->fetch(cls, marks, query, &found, &err), PROAUTH2_OK);
	json_decref(found);
	json_decref(query);
	json_decref(record);
	return cls;
}

START_TEST(a_store_is_refused_in_a_forked_child)
{
	const proauth2_datastore_ops *ops = proauth2_sqlite_ops();
	const proauth2_table *marks = proauth2_schema_table("revoked_grants");
	json_t *record, *query, *found = NULL;
	proauth2_error err = {0};
	void *cls;
	int status = -1;
	pid_t child;
	char count[16];

	cls = open_and_use(ops, "parent");
	child = fork();
	ck_assert_int_ne(child, -1);
	if (child == 0)
		use_in_child(ops, cls);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	/* The parent goes on as before, on its own files. */
	ck_assert_int_eq(access(wal, F_OK), 0);
	ck_assert_int_eq(access(shm, F_OK), 0);
	record = grant_mark("parent-after");
	query = json_pack("{s:s}", "grant_id", "parent");
	ck_assert_int_eq(ops->store(cls, marks, record, &err), PROAUTH2_OK);
	ck_assert_int_eq(ops->fetch(cls, marks, query, &found, &err), PROAUTH2_OK);
	json_decref(found);
	ops->close(cls);
	sqlite_file_text(path, "SELECT count(*) FROM revoked_grants", count, sizeof(count));
	ck_assert_str_eq(count, "2");
	sqlite_file_text(path, "SELECT count(*) FROM revoked_grants WHERE grant_id = 'child'",
			count, sizeof(count));
	ck_assert_str_eq(count, "0");
	json_decref(query);
	json_decref(record);
}
END_TEST

/* A store opened in a child is the child's: it works there, and is
 * refused in the child's own child, one fork further. */
static int open_in_child(const proauth2_datastore_ops *ops)
{
	const proauth2_table *marks = proauth2_schema_table("revoked_grants");
	json_t *record = grant_mark("child"), *query = json_pack("{s:s}", "grant_id", "child");
	json_t *found = NULL;
	proauth2_error err = {0};
	void *cls = NULL;
	int failed = 0, status = -1;
	pid_t grandchild;

	if (ops->init(path, &cls, &err) != PROAUTH2_OK)
		return 1;
	if (ops->store(cls, marks, record, &err) != PROAUTH2_OK)
		failed |= 2;
	json_decref(record);
	grandchild = fork();
	if (grandchild == 0)
		use_in_child(ops, cls);
	if (grandchild == -1 || waitpid(grandchild, &status, 0) != grandchild ||
			!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		failed |= 4;
	if (ops->fetch(cls, marks, query, &found, &err) != PROAUTH2_OK)
		failed |= 8;
	json_decref(found);
	json_decref(query);
	ops->close(cls);
	return failed;
}

START_TEST(a_store_opened_in_a_child_is_the_childs)
{
	int status = -1;
	pid_t child = fork();

	ck_assert_int_ne(child, -1);
	if (child == 0)
		_exit(open_in_child(proauth2_sqlite_ops()));
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

/*
 * Seen: a parent keeps the file open across fork(), its child opens its
 * own store on it and writes, and the parent closes. The child's copy of
 * SQLite's memory held the parent's lock records, so the parent's close
 * found itself the last connection, checkpointed and deleted the -wal
 * under the child, and the child's next write was told OK and lost. Every
 * write the child is told OK must be in the file (none, where its open is
 * refused).
 */
static int child_writes_past_parent_close(const char *uri, int wrote, int resume)
{
	const proauth2_table *marks = proauth2_schema_table("revoked_grants");
	proauth2_error err = {0};
	void *cls = NULL;
	int ok = 0, i;
	char c = 'w', grant_id[16];

	if (proauth2_sqlite_ops()->init(uri, &cls, &err) != PROAUTH2_OK) {
		ck_assert_int_eq(write(wrote, "r", 1), 1);
		return refused(err.status, &err) ? 100 : 101;
	}
	for (i = 0; i <= 50; i++) {
		json_t *record;

		if (i == 50) {
			/* The parent closes its store now. */
			ck_assert_int_eq(write(wrote, &c, 1), 1);
			ck_assert_int_eq(read(resume, &c, 1), 1);
		}
		snprintf(grant_id, sizeof(grant_id), "c-%d", i);
		record = grant_mark(grant_id);
		ok += proauth2_sqlite_ops()->store(cls, marks, record, &err) == PROAUTH2_OK;
		json_decref(record);
	}
	proauth2_sqlite_ops()->close(cls);
	return ok;
}

START_TEST(a_child_s_writes_survive_its_parent_s_close)
{
	const proauth2_datastore_ops *ops = proauth2_sqlite_ops();
	const proauth2_table *marks = proauth2_schema_table("revoked_grants");
	json_t *record = grant_mark("parent"), *query = json_pack("{s:s}", "grant_id", "parent");
	proauth2_error err = {0};
	char uri[192], c = '?';
	int wrote[2], resume[2], status = -1, told_ok, i;
	void *cls = NULL;
	pid_t child;

	snprintf(uri, sizeof(uri), "file:%s?synchronous=normal", path);
	ck_assert_int_eq(ops->init(uri, &cls, &err), PROAUTH2_OK);
	ck_assert_int_eq(ops->store(cls, marks, record, &err), PROAUTH2_OK);
	for (i = 0; i < 200; i++) {
		json_t *found = NULL;

		ck_assert_int_eq(ops->fetch(cls, marks, query, &found, &err), PROAUTH2_OK);
		json_decref(found);
	}
	json_decref(query);
	json_decref(record);
	ck_assert(pipe(wrote) == 0 && pipe(resume) == 0);
	child = fork();
	ck_assert_int_ne(child, -1);
	if (child == 0)
		_exit(child_writes_past_parent_close(uri, wrote[1], resume[0]));
	ck_assert_int_eq(read(wrote[0], &c, 1), 1);
	ops->close(cls);
	ck_assert_int_eq(write(resume[1], &c, 1), 1);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	ck_assert_int_ne(WEXITSTATUS(status), 101);
	told_ok = WEXITSTATUS(status) == 100 ? 0 : WEXITSTATUS(status);
	ck_assert_int_eq(sqlite_file_int(path,
			"SELECT count(*) FROM revoked_grants WHERE grant_id LIKE 'c-%'"), told_ok);
}
END_TEST

/* The file a parent had open at the fork is refused in the child, still
 * after the child closes its copy of the parent's store; another file is
 * the child's to open. The exit status has a bit set for each step that
 * went otherwise. */
static int open_beside_parent(void *parents)
{
	const proauth2_datastore_ops *ops = proauth2_sqlite_ops();
	const proauth2_table *marks = proauth2_schema_table("revoked_grants");
	json_t *record = grant_mark("child");
	proauth2_error err = {0};
	char other[192];
	void *cls = NULL;
	int failed = 0;

	if (!refused(ops->init(path, &cls, &err), &err) || cls != NULL ||
			strstr(err.text, "store.db") == NULL)
		failed |= 1;
	ops->close(parents);
	if (!refused(ops->init(path, &cls, &err), &err) || cls != NULL)
		failed |= 2;
	snprintf(other, sizeof(other), "%s/other.db", dir);
	if (ops->init(other, &cls, &err) != PROAUTH2_OK ||
			ops->store(cls, marks, record, &err) != PROAUTH2_OK)
		failed |= 4;
	ops->close(cls);
	json_decref(record);
	return failed;
}

START_TEST(a_file_open_in_the_parent_is_refused_in_its_child)
{
	const proauth2_datastore_ops *ops = proauth2_sqlite_ops();
	const proauth2_table *marks = proauth2_schema_table("revoked_grants");
	json_t *record;
	proauth2_error err = {0};
	void *cls = NULL, *beside = NULL;
	int status = -1;
	pid_t child;

	cls = open_and_use(ops, "first");
	child = fork();
	ck_assert_int_ne(child, -1);
	if (child == 0)
		_exit(open_beside_parent(cls));
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	/* The parent's store goes on, and another opens beside it. */
	record = grant_mark("parent");
	ck_assert_int_eq(ops->store(cls, marks, record, &err), PROAUTH2_OK);
	ck_assert_int_eq(ops->init(path, &beside, &err), PROAUTH2_OK);
	ops->close(beside);
	ops->close(cls);
	json_decref(record);
}
END_TEST

#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
/* _Fork() runs no atfork handler, so the fork count does not see its
 * child: there writes are still refused, by the process id, and close
 * leaves the parent's files alone. */
START_TEST(a_write_is_refused_in_a_child_made_by__Fork)
{
	const proauth2_datastore_ops *ops = proauth2_sqlite_ops();
	const proauth2_table *marks = proauth2_schema_table("revoked_grants");
	json_t *record = grant_mark("child");
	proauth2_error err = {0};
	void *cls = NULL;
	int status = -1;
	pid_t child;

	ck_assert_int_eq(ops->init(path, &cls, &err), PROAUTH2_OK);
	child = _Fork();
	ck_assert_int_ne(child, -1);
	if (child == 0) {
		int failed = 0;

		if (!refused(ops->store(cls, marks, record, &err), &err))
			failed |= 1;
		if (!refused(ops->begin_writes(cls, &err), &err))
			failed |= 2;
		ops->close(cls);
		if (access(wal, F_OK) != 0 || access(shm, F_OK) != 0)
			failed |= 4;
		_exit(failed);
	}
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(ops->store(cls, marks, record, &err), PROAUTH2_OK);
	ops->close(cls);
	json_decref(record);
}
END_TEST
#endif

/* A write told OK must be in the file: after the file is gone, no write
 * is. */
START_TEST(a_store_into_a_deleted_file_is_an_error)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};

	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, &err),
			PROAUTH2_OK);
	ck_assert_int_eq(store_mark(ds, 1, &err), PROAUTH2_OK);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(store_mark(ds, 2, &err), PROAUTH2_ERR_DATASTORE);
	ck_assert_ptr_nonnull(strstr(err.text, "deleted or replaced"));
	ck_assert_int_ne(access(path, F_OK), 0);
	proauth2_datastore_close(ds);
	ck_assert_int_ne(access(wal, F_OK), 0);
}
END_TEST

START_TEST(a_store_into_a_replaced_file_is_an_error)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};
	json_t *query = json_pack("{s:s}", "grant_id", "g-1"), *found = NULL;
	char other[160], count[16];
	sqlite3 *db;
	size_t removed = 0;

	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), path, &ds, &err),
			PROAUTH2_OK);
	ck_assert_int_eq(store_mark(ds, 1, &err), PROAUTH2_OK);
	/* Another database renamed over it, as a restore from a backup does. */
	snprintf(other, sizeof(other), "%s/other.db", dir);
	ck_assert_int_eq(sqlite3_open(other, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE revoked_grants"
			" (grant_id TEXT PRIMARY KEY, expires_at INTEGER)", NULL, NULL, NULL),
			SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(rename(other, path), 0);
	ck_assert_int_eq(store_mark(ds, 2, &err), PROAUTH2_ERR_DATASTORE);
	ck_assert_ptr_nonnull(strstr(err.text, "deleted or replaced"));
	/* A reader opened now would be on the new file, beside the old one's
	 * -wal: refused before it reads. */
	ck_assert_int_eq(proauth2_datastore_fetch(ds, "revoked_grants", query, 0, &found,
			&err), PROAUTH2_ERR_DATASTORE);
	ck_assert_ptr_null(found);
	ck_assert_ptr_nonnull(strstr(err.text, "deleted or replaced"));
	ck_assert_int_eq(proauth2_datastore_remove(ds, "revoked_grants", query, &removed,
			&err), PROAUTH2_ERR_DATASTORE);
	ck_assert_uint_eq(removed, 0);
	json_object_set_new(query, "expires_at", json_integer(1));
	ck_assert_int_eq(proauth2_datastore_replace(ds, "revoked_grants", query, &err),
			PROAUTH2_ERR_DATASTORE);
	proauth2_datastore_close(ds);
	/* The old file's -wal is gone with it: SQLite leaves it when its file
	 * has moved, and the next open of the new file would replay it into
	 * the new file. Nothing refused went into the new file. (Not read
	 * before the close: the old -wal is beside it till then.) */
	ck_assert_int_ne(access(wal, F_OK), 0);
	sqlite_file_text(path, "SELECT count(*) FROM revoked_grants", count, sizeof(count));
	ck_assert_str_eq(count, "0");
	json_decref(query);
}
END_TEST

/* A reader opens the URI, as the store was opened: through a symlink
 * pointed elsewhere since, it would be on another database, though the
 * store's own file is unchanged. Refused before it reads. */
START_TEST(a_reader_through_a_retargeted_symlink_is_refused)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};
	json_t *query = json_pack("{s:s}", "grant_id", "g-1"), *found = NULL;
	char link[160], other[160];

	snprintf(link, sizeof(link), "%s/link.db", dir);
	snprintf(other, sizeof(other), "%s/other.db", dir);
	ck_assert_int_eq(symlink(path, link), 0);
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), link, &ds, &err),
			PROAUTH2_OK);
	ck_assert_int_eq(store_mark(ds, 1, &err), PROAUTH2_OK);
	sqlite_file_exec(other, "CREATE TABLE revoked_grants"
			" (grant_id TEXT PRIMARY KEY, expires_at INTEGER)");
	ck_assert_int_eq(unlink(link), 0);
	ck_assert_int_eq(symlink(other, link), 0);
	ck_assert_int_eq(proauth2_datastore_fetch(ds, "revoked_grants", query, 0, &found,
			&err), PROAUTH2_ERR_DATASTORE);
	ck_assert_ptr_null(found);
	ck_assert_ptr_nonnull(strstr(err.text, "deleted or replaced"));
	/* Writes go through the writer, on the store's file all along. */
	ck_assert_int_eq(store_mark(ds, 2, &err), PROAUTH2_OK);
	proauth2_datastore_close(ds);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM revoked_grants"), 2);
	json_decref(query);
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
	tcase_add_test(tc, a_store_is_refused_in_a_forked_child);
	tcase_add_test(tc, a_store_opened_in_a_child_is_the_childs);
	tcase_add_test(tc, a_child_s_writes_survive_its_parent_s_close);
	tcase_add_test(tc, a_file_open_in_the_parent_is_refused_in_its_child);
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
	tcase_add_test(tc, a_write_is_refused_in_a_child_made_by__Fork);
#endif
	tcase_add_test(tc, a_store_into_a_deleted_file_is_an_error);
	tcase_add_test(tc, a_store_into_a_replaced_file_is_an_error);
	tcase_add_test(tc, a_reader_through_a_retargeted_symlink_is_refused);
	suite_add_tcase(s, tc);
	runner = srunner_create(s);
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
