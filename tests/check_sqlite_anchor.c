/* The SQLite backend's read anchor (datastores/sqlite/read_anchor.c): the
 * read mark it holds while reads come, seen from another connection whose
 * checkpoint cannot pass it; that it lets go when reads stop, before a
 * write of its own store and while a write group's batch is open; that
 * another process's WAL still starts over; that reads still see every
 * commit; and the URI option that turns it off. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include <proauth2/backend.h>
#include <proauth2/proauth2.h>

#include "sqlite_file.h"

/* A bound on each wait below, never a measure: the anchor acts within
 * milliseconds. */
#define PATIENCE_S 10

static char dir[64], path[128];

static void setup(void)
{
	sqlite_file_dir_new(dir, path);
}

static void teardown(void)
{
	sqlite_file_dir_remove(dir);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static proauth2_datastore *open_store(const char *query)
{
	proauth2_datastore *ds = NULL;
	proauth2_error err = {0};
	char uri[192];

	snprintf(uri, sizeof(uri), "file:%s?synchronous=normal%s", path, query);
	ck_assert_msg(proauth2_datastore_open(proauth2_sqlite_ops(), uri, &ds, &err) ==
			PROAUTH2_OK, "%s", err.text);
	return ds;
}

static void store_mark(proauth2_datastore *ds, const char *grant_id)
{
	proauth2_error err = {0};
	json_t *record = json_pack("{s:s, s:I}", "grant_id", grant_id, "expires_at",
			(json_int_t)4000000000);

	ck_assert_msg(proauth2_datastore_store(ds, "revoked_grants", record, &err) ==
			PROAUTH2_OK, "%s", err.text);
	json_decref(record);
}

static proauth2_status fetch_mark(proauth2_datastore *ds, const char *grant_id)
{
	proauth2_error err = {0};
	json_t *query = json_pack("{s:s}", "grant_id", grant_id), *record = NULL;
	proauth2_status status = proauth2_datastore_fetch(ds, "revoked_grants",
			query, (int64_t)time(NULL), &record, &err);

	json_decref(query);
	json_decref(record);
	return status;
}

static void reads(proauth2_datastore *ds, int n)
{
	while (n-- > 0)
		ck_assert_int_eq(fetch_mark(ds, "g-0"), PROAUTH2_OK);
}

/* Another connection to the file, as another program would have; false
 * if it could not open. */
static bool outsider_open(sqlite3 **db)
{
	if (sqlite3_open(path, db) != SQLITE_OK)
		return false;
	/* As another program would, it waits for locks a while. */
	sqlite3_busy_timeout(*db, 10000);
	return sqlite3_exec(*db, "PRAGMA synchronous = OFF;"
			"CREATE TABLE IF NOT EXISTS outside (n INTEGER)", NULL, NULL, NULL) ==
		SQLITE_OK;
}

static sqlite3 *outsider(void)
{
	sqlite3 *db = NULL;

	ck_assert(outsider_open(&db));
	return db;
}

/* Whether conn's checkpoint in mode copies the whole WAL back (PASSIVE:
 * no read transaction of any connection stands in its way) and, in
 * TRUNCATE, starts it over (no reader of any process has a mark in it). */
static bool checkpoint_completes(sqlite3 *conn, const char *mode)
{
	sqlite3_stmt *stmt;
	char sql[64];
	bool complete;

	snprintf(sql, sizeof(sql), "PRAGMA wal_checkpoint(%s)", mode);
	ck_assert_int_eq(sqlite3_prepare_v2(conn, sql, -1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	/* busy, then the WAL's frames and those copied back (-1 if busy). */
	complete = sqlite3_column_int(stmt, 0) == 0 && sqlite3_column_int(stmt, 1) >= 0 &&
		sqlite3_column_int(stmt, 1) == sqlite3_column_int(stmt, 2);
	sqlite3_finalize(stmt);
	return complete;
}

/* An outsider's write, then its checkpoint: false while a read
 * transaction older than the write is held. */
static bool outsider_checkpoints(sqlite3 *db)
{
	ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO outside VALUES (1)", NULL, NULL,
			NULL), SQLITE_OK);
	return checkpoint_completes(db, "PASSIVE");
}

/* Reads for seconds. */
static void reads_for(proauth2_datastore *ds, double seconds)
{
	double end = now_s() + seconds;

	while (now_s() < end)
		reads(ds, 20);
}

/* Read until an outsider's checkpoint finds a read mark held, for at most
 * seconds; whether it did. No read of ds is open meanwhile: only the
 * anchor can hold one. Each try reads for longer than the anchor stays
 * off after the outsider's last commit, then commits and checkpoints. */
static bool reads_hold_a_mark(proauth2_datastore *ds, sqlite3 *db, double seconds)
{
	double end = now_s() + seconds;

	while (now_s() < end) {
		reads_for(ds, 0.08);
		if (!outsider_checkpoints(db))
			return true;
	}
	return false;
}

/* The store and an outsider on its file, with one mark stored, "g-0". */
static proauth2_datastore *ds;
static sqlite3 *db;

static void open_both(void)
{
	ds = open_store("");
	db = outsider();
	store_mark(ds, "g-0");
}

static void close_both(void)
{
	sqlite3_close(db);
	proauth2_datastore_close(ds);
}

START_TEST(a_read_mark_is_held_while_reads_come)
{

	ck_assert_msg(reads_hold_a_mark(ds, db, PATIENCE_S),
			"no checkpoint found a read mark held in %d s of reads", PATIENCE_S);
}
END_TEST

START_TEST(read_anchor_off_holds_nothing)
{
	proauth2_datastore *off = open_store("&read_anchor=off");
	sqlite3 *other = outsider();

	store_mark(off, "g-0");
	ck_assert_msg(!reads_hold_a_mark(off, other, 1.0),
			"a checkpoint found a read mark held with read_anchor=off");
	sqlite3_close(other);
	proauth2_datastore_close(off);
}
END_TEST

START_TEST(the_anchor_lets_go_when_reads_stop)
{
	double end;
	bool released = false;

	ck_assert(reads_hold_a_mark(ds, db, PATIENCE_S));
	for (end = now_s() + PATIENCE_S; !released && now_s() < end; )
		released = outsider_checkpoints(db) || (usleep(10000), false);
	ck_assert_msg(released, "the read mark was still held %d s after the reads",
			PATIENCE_S);
}
END_TEST

/* Each round: a pause (the anchor sleeps), reads (it wakes and takes hold),
 * then the store's write, which must find nothing held after it returns:
 * else its frames are past what a checkpoint may copy. */
START_TEST(a_write_of_the_store_lets_go_first)
{
	char grant_id[16];
	int round;

	for (round = 1; round <= 30; round++) {
		usleep(12000);
		reads(ds, 20);
		snprintf(grant_id, sizeof(grant_id), "g-%d", round);
		store_mark(ds, grant_id);
		ck_assert_msg(checkpoint_completes(db, "PASSIVE"),
				"round %d: the write's frames are held from the checkpoint", round);
	}
}
END_TEST

/* The anchor's snapshot is never read through: what another connection
 * commits while it holds is what the next read sees. */
START_TEST(reads_see_what_another_connection_commits_while_held)
{

	store_mark(ds, "g-1");
	ck_assert(reads_hold_a_mark(ds, db, PATIENCE_S));
	ck_assert_int_eq(sqlite3_exec(db, "DELETE FROM revoked_grants WHERE grant_id = 'g-1'",
			NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(fetch_mark(ds, "g-1"), PROAUTH2_ERR_NOT_FOUND);
	ck_assert(reads_hold_a_mark(ds, db, PATIENCE_S));
	ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO revoked_grants (grant_id, expires_at)"
			" VALUES ('g-2', 4000000000)", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(fetch_mark(ds, "g-2"), PROAUTH2_OK);
}
END_TEST

static long long wal_size(void)
{
	char wal[160];
	struct stat st;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	return stat(wal, &st) == 0 ? (long long)st.st_size : 0;
}

#define WAL_PEAK (6LL << 20)  /* 1.5 times the 4 MiB a checkpoint waits for */

static const char *self;  /* this program, run again as the other one */

/* The other program: 60 writes of 200 KB, 100 ms apart, into file. It
 * says by fd whether they went in ("k") or not ("f"). */
static int write_outside(const char *file, int fd)
{
	sqlite3 *writer = NULL;
	int i;
	bool failed;

	snprintf(path, sizeof(path), "%s", file);
	failed = !outsider_open(&writer);
	for (i = 0; i < 60 && !failed; i++) {
		failed = sqlite3_exec(writer, "INSERT INTO outside VALUES (randomblob(200000))",
				NULL, NULL, NULL) != SQLITE_OK;
		usleep(100000);
	}
	sqlite3_close(writer);
	return write(fd, failed ? "f" : "k", 1) == 1 ? 0 : 1;
}

/* Another process writes 200 KB every 100 ms while this one reads: a
 * commit that comes while the anchor holds has its checkpoint stopped at
 * the anchor's mark, so the anchor copies the WAL back afterwards, else
 * the WAL could not start over and would grow by every commit. */
START_TEST(another_process_s_wal_starts_over_beside_reads)
{
	long long peak = 0;
	int told[2];
	char verdict = '?';
	pid_t child;
	double end;

	ck_assert_int_eq(pipe(told), 0);
	child = fork();
	ck_assert_int_ne(child, -1);
	if (child == 0) {
		/* Another program, not a copy of this one: a fork's copy of
		 * SQLite's memory would keep this process's lock records. */
		char fd[16];

		close(told[0]);
		snprintf(fd, sizeof(fd), "%d", told[1]);
		execl(self, self, "--write-outside", path, fd, (char *)NULL);
		_exit(127);
	}
	close(told[1]);
	for (end = now_s() + 6.5; now_s() < end; ) {
		reads(ds, 20);
		if (wal_size() > peak)
			peak = wal_size();
	}
	ck_assert_int_eq(read(told[0], &verdict, 1), 1);
	ck_assert_msg(verdict == 'k', "the other process's writes failed");
	ck_assert_int_eq(waitpid(child, NULL, 0), child);
	close(told[0]);
	ck_assert_msg(peak <= WAL_PEAK, "the WAL grew to %lld bytes", peak);
}
END_TEST

/* The backend's own calls, for a write group (begin_writes, end_writes). */
static const proauth2_datastore_ops *ops;

static json_t *mark(const char *grant_id)
{
	return json_pack("{s:s, s:I}", "grant_id", grant_id, "expires_at",
			(json_int_t)4000000000);
}

static volatile int reading;

/* Reads by key till reading is cleared. */
static void *read_apart(void *cls)
{
	const proauth2_table *marks = proauth2_schema_table("revoked_grants");
	json_t *query = json_pack("{s:s}", "grant_id", "g-0");

	while (__atomic_load_n(&reading, __ATOMIC_SEQ_CST)) {
		json_t *record = NULL;

		ck_assert_int_eq(ops->fetch(cls, marks, query, &record, NULL), PROAUTH2_OK);
		json_decref(record);
	}
	json_decref(query);
	return NULL;
}

/* A write group's batch stays open between its writes, past the write
 * cooldown, while another thread reads: the anchor must not take hold
 * before the batch commits, or the commit's frames are past its mark. */
START_TEST(a_group_s_open_batch_keeps_the_anchor_off)
{
	const proauth2_table *marks = proauth2_schema_table("revoked_grants");
	proauth2_error err = {0};
	char grant_id[16], uri[192];
	void *cls = NULL;
	pthread_t thread;
	sqlite3 *other;
	int round;

	ops = proauth2_sqlite_ops();
	snprintf(uri, sizeof(uri), "file:%s?synchronous=normal", path);
	ck_assert_int_eq(ops->init(uri, &cls, &err), PROAUTH2_OK);
	other = outsider();
	for (round = 0; round <= 10; round++) {
		json_t *record;

		snprintf(grant_id, sizeof(grant_id), "g-%d", round);
		record = mark(grant_id);
		ck_assert_int_eq(ops->begin_writes(cls, &err), PROAUTH2_OK);
		ck_assert_int_eq(ops->store(cls, marks, record, &err), PROAUTH2_OK);
		json_decref(record);
		if (round > 0) {
			/* Past the 10 ms cooldown, within the 5 ms hold after it. */
			reading = 1;
			ck_assert_int_eq(pthread_create(&thread, NULL, read_apart, cls), 0);
			usleep(13000);
			reading = 0;
			ck_assert_int_eq(pthread_join(thread, NULL), 0);
		}
		ck_assert_int_eq(ops->end_writes(cls, &err), PROAUTH2_OK);
		ck_assert_msg(checkpoint_completes(other, "PASSIVE"),
				"round %d: the batch's frames are held from the checkpoint", round);
	}
	sqlite3_close(other);
	ops->close(cls);
}
END_TEST

/* A fork while the anchor holds: a child that opens the file finds, in
 * its copy of SQLite's memory, this process's record of its locks. A hold
 * recorded there would stand for ever in the child for a lock it does not
 * have (its checkpoints could never start the WAL over, its readers of
 * that mark would take no lock), so the fork lets go first. */
START_TEST(a_child_finds_no_hold_of_its_parent)
{
	int told[2];
	char verdict = '?';
	pid_t child;

	ck_assert(reads_hold_a_mark(ds, db, PATIENCE_S));
	/* A write of the store's own, not copied back: the next hold takes
	 * a mark in the WAL (one over the whole database would not stop a
	 * restart). */
	store_mark(ds, "g-1");
	reads_for(ds, 0.03);
	ck_assert_int_eq(pipe(told), 0);
	child = fork();
	ck_assert_int_ne(child, -1);
	if (child == 0) {
		sqlite3 *own = outsider();
		double end = now_s() + PATIENCE_S;
		bool done = false;

		while (!done && now_s() < end)
			done = checkpoint_completes(own, "TRUNCATE") || (usleep(10000), false);
		sqlite3_close(own);
		ck_assert_int_eq(write(told[1], done ? "k" : "f", 1), 1);
		_exit(0);
	}
	close(told[1]);
	ck_assert_int_eq(read(told[0], &verdict, 1), 1);
	ck_assert_msg(verdict == 'k', "the child's checkpoint never started the WAL over");
	ck_assert_int_eq(waitpid(child, NULL, 0), child);
	close(told[0]);
}
END_TEST

START_TEST(read_anchor_takes_on_or_off)
{
	proauth2_datastore *refused = NULL;
	proauth2_error err = {0};
	char uri[192];

	snprintf(uri, sizeof(uri), "file:%s?read_anchor=maybe", path);
	ck_assert_int_eq(proauth2_datastore_open(proauth2_sqlite_ops(), uri, &refused, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(refused);
	ck_assert_ptr_nonnull(strstr(err.text, "read_anchor=maybe"));
	proauth2_datastore_close(open_store("&read_anchor=on"));
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s;
	TCase *tc, *own;
	SRunner *runner;
	int failed;

	if (argc == 4 && strcmp(argv[1], "--write-outside") == 0)
		return write_outside(argv[2], atoi(argv[3]));
	self = argv[0];
	s = suite_create("sqlite_anchor");
	tc = tcase_create("anchor");
	own = tcase_create("own store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_checked_fixture(tc, open_both, close_both);
	tcase_set_timeout(tc, 4 * PATIENCE_S);
	tcase_add_test(tc, a_read_mark_is_held_while_reads_come);
	tcase_add_test(tc, the_anchor_lets_go_when_reads_stop);
	tcase_add_test(tc, a_write_of_the_store_lets_go_first);
	tcase_add_test(tc, reads_see_what_another_connection_commits_while_held);
	tcase_add_test(tc, another_process_s_wal_starts_over_beside_reads);
	tcase_add_test(tc, a_child_finds_no_hold_of_its_parent);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(own, setup, teardown);
	tcase_set_timeout(own, 4 * PATIENCE_S);
	tcase_add_test(own, read_anchor_off_holds_nothing);
	tcase_add_test(own, a_group_s_open_batch_keeps_the_anchor_off);
	tcase_add_test(own, read_anchor_takes_on_or_off);
	suite_add_tcase(s, own);
	runner = srunner_create(s);
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? 0 : 1;
}
