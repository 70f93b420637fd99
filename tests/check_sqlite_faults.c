/* The SQLite backend under faults: failed fsyncs, a full disk, a read that
 * fails on one thread, a wall clock that steps. Every answer stays true: no
 * writer is told OK for a write that is not in the file, nobody waits
 * forever, and a write group commits whole or not at all. The threaded
 * tests' size is PROAUTH2_FAULT_WRITES writes per thread (default 100). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include <proauth2/backend.h>
#include <proauth2/proauth2.h>

#include "faulty_vfs.h"

#define THREADS 16
#define MAX_WRITES 200
#define GIVE_UP_S 20  /* a thread not back by then is stuck */

static char dir[64], path[128], uri[192];
static const proauth2_datastore_ops *ops;
static const proauth2_table *marks;

/*
 * The clock as the library reads it. A thread can see it ahead of the
 * kernel's: as if the wall clock stepped back right after it read it, so a
 * deadline taken from it lies that far ahead. The library (a shared one)
 * calls clock_gettime through the PLT, so this definition is the one it
 * gets.
 */
static __thread clockid_t shifted_clock = -1;
static __thread long shift_s;
static __thread bool shift_once;
static volatile int shifted_reads;

static bool called_from_proauth2(void *caller)
{
	Dl_info info;

	return dladdr(caller, &info) != 0 && info.dli_fname != NULL &&
		strstr(info.dli_fname, "libproauth2") != NULL;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	int rc = (int)syscall(SYS_clock_gettime, id, ts);

	/* SQLite reads the clock too: only the library's reads are shifted. */
	if (rc == 0 && shift_s != 0 &&
			called_from_proauth2(__builtin_return_address(0)) &&
			(shifted_clock == id ||
			(shift_once && (id == CLOCK_REALTIME || id == CLOCK_MONOTONIC)))) {
		ts->tv_sec += shift_s;
		if (shift_once)
			shift_s = 0;
		__atomic_add_fetch(&shifted_reads, 1, __ATOMIC_SEQ_CST);
	}
	return rc;
}

static void setup(void)
{
	strcpy(dir, "/tmp/proauth2-faults-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/store.db", dir);
	snprintf(uri, sizeof(uri), "file:%s?vfs=%s", path, FAULTY_VFS_NAME);
	ck_assert_int_eq(faulty_vfs_register(), SQLITE_OK);
	ops = proauth2_sqlite_ops();
	marks = proauth2_schema_table("revoked_grants");
	shifted_reads = 0;
}

static void teardown(void)
{
	char cmd[160];

	faulty_vfs_fail_every_nth_sync(0);
	faulty_vfs_pass_only_every_nth_sync(0);
	faulty_vfs_fill_disk_every_nth_write(0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int writes_each(void)
{
	const char *env = getenv("PROAUTH2_FAULT_WRITES");
	int n = env != NULL ? atoi(env) : 100;

	return n < 1 ? 1 : n > MAX_WRITES ? MAX_WRITES : n;
}

static void *open_store(void)
{
	proauth2_error err = {0};
	void *cls = NULL;

	ck_assert_msg(ops->init(uri, &cls, &err) == PROAUTH2_OK, "%s", err.text);
	return cls;
}

static json_t *mark(const char *grant_id)
{
	return json_pack("{s:s, s:I}", "grant_id", grant_id, "expires_at",
			(json_int_t)4000000000);
}

static proauth2_status store_mark(void *cls, const char *grant_id)
{
	proauth2_error err = {0};
	json_t *record = mark(grant_id);
	proauth2_status status = ops->store(cls, marks, record, &err);

	json_decref(record);
	return status;
}

static proauth2_status remove_mark(void *cls, const char *grant_id, size_t *removed)
{
	proauth2_error err = {0};
	json_t *query = json_pack("{s:s}", "grant_id", grant_id);
	proauth2_status status = ops->remove(cls, marks, query, removed, &err);

	json_decref(query);
	return status;
}

/* Whether the file, read afresh, has a mark with this id. */
static bool in_file(sqlite3 *db, const char *grant_id)
{
	sqlite3_stmt *stmt;
	int rc;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT 1 FROM revoked_grants"
			" WHERE grant_id = ?", -1, &stmt, NULL), SQLITE_OK);
	sqlite3_bind_text(stmt, 1, grant_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	ck_assert(rc == SQLITE_ROW || rc == SQLITE_DONE);
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW;
}

static sqlite3 *open_file(void)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	return db;
}

/* Join thread, or fail the test once it has been GIVE_UP_S seconds away. */
static void join_or_fail(pthread_t thread, const char *what)
{
	struct timespec deadline;

	syscall(SYS_clock_gettime, CLOCK_REALTIME, &deadline);
	deadline.tv_sec += GIVE_UP_S;
	ck_assert_msg(pthread_timedjoin_np(thread, NULL, &deadline) == 0,
			"%s: still waiting after %d s", what, GIVE_UP_S);
}

/* A group of n writes: the batch it commits in had n writers, so the next
 * leader expects company and waits for it. */
static void expect_company(void *cls, int n, int round)
{
	proauth2_error err = {0};
	char id[32];
	int i;

	ck_assert_int_eq(ops->begin_writes(cls, &err), PROAUTH2_OK);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "company-%d-%d", round, i);
		ck_assert_int_eq(store_mark(cls, id), PROAUTH2_OK);
	}
	ck_assert_int_eq(ops->end_writes(cls, &err), PROAUTH2_OK);
}

/* ---- item 8: the leader's deadline ---- */

struct lone_store {
	void *cls;
	const char *id;
	long shift_s;       /* the clock this thread reads is ahead by this */
	bool shift_once;    /* only its next read */
	clockid_t shifted;  /* or every read of this clock */
	proauth2_status status;
};

static void *store_alone(void *arg)
{
	struct lone_store *w = arg;

	/* The leader slow to wake, as on a loaded machine: the next writer
	 * tends to come first (nice is per thread on Linux). */
	if (w->shift_once && setpriority(PRIO_PROCESS, 0, 19) != 0)
		return NULL;
	shift_s = w->shift_s;
	shift_once = w->shift_once;
	shifted_clock = w->shifted;
	w->status = store_mark(w->cls, w->id);
	shift_s = 0;
	return NULL;
}

/* The wall clock steps back an hour as a leader waits for company: it
 * must wait no longer for that. */
START_TEST(a_leader_waits_by_a_clock_that_does_not_step)
{
	void *cls = open_store();
	struct lone_store w = {cls, "alone", 3600, false, CLOCK_REALTIME, -1};
	pthread_t thread;

	expect_company(cls, 10, 0);
	ck_assert_int_eq(pthread_create(&thread, NULL, store_alone, &w), 0);
	join_or_fail(thread, "a lone store after the wall clock stepped back");
	ck_assert_int_eq(w.status, PROAUTH2_OK);
	ops->close(cls);
}
END_TEST

/* ---- item 1: every OK is in the file ---- */

struct writer {
	void *cls;
	int id, n;
	bool removes;
	proauth2_status status[MAX_WRITES];
	size_t removed[MAX_WRITES];
};

static void *write_marks(void *arg)
{
	struct writer *w = arg;
	char id[32];
	int i, k;

	for (i = 0; i < w->n; i++) {
		if (w->removes) {
			/* Each remover goes through the same rows from its own
			 * place, so that they meet on every row. */
			k = (i + w->id * 7) % w->n;
			snprintf(id, sizeof(id), "row-%d", k);
			w->status[k] = remove_mark(w->cls, id, &w->removed[k]);
		} else {
			snprintf(id, sizeof(id), "w-%d-%d", w->id, i);
			w->status[i] = store_mark(w->cls, id);
		}
	}
	return NULL;
}

static struct writer *run_writers(void *cls, bool removes)
{
	static struct writer w[THREADS];
	pthread_t threads[THREADS];
	int i;

	for (i = 0; i < THREADS; i++) {
		w[i] = (struct writer){.cls = cls, .id = i, .n = writes_each(),
			.removes = removes};
		ck_assert_int_eq(pthread_create(&threads[i], NULL, write_marks, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		join_or_fail(threads[i], "a writer under failing commits");
	return w;
}

/* Stores told OK, under failing commits: how many are not in the file. */
static int stores_missing_under(void (*fault)(unsigned), unsigned period)
{
	void *cls = open_store();
	struct writer *w;
	sqlite3 *db;
	char id[32];
	int i, k, missing = 0, ok = 0;

	fault(period);
	w = run_writers(cls, false);
	fault(0);
	ops->close(cls);
	db = open_file();
	for (i = 0; i < THREADS; i++)
		for (k = 0; k < w[i].n; k++) {
			snprintf(id, sizeof(id), "w-%d-%d", i, k);
			if (w[i].status[k] == PROAUTH2_OK) {
				ok++;
				missing += !in_file(db, id);
			}
		}
	sqlite3_close(db);
	ck_assert_int_gt(ok, 0);  /* some commits went through */
	return missing;
}

START_TEST(no_store_is_told_ok_when_its_fsync_failed)
{
	int missing = stores_missing_under(faulty_vfs_pass_only_every_nth_sync, 4);

	ck_assert_msg(missing == 0, "%d stores told OK are not in the file", missing);
}
END_TEST

START_TEST(no_store_is_told_ok_when_the_disk_was_full)
{
	int missing = stores_missing_under(faulty_vfs_fill_disk_every_nth_write, 7);

	ck_assert_msg(missing == 0, "%d stores told OK are not in the file", missing);
}
END_TEST

/* Exactly once: of the removers of a row, at most one is told it removed
 * it, and then it is gone. */
START_TEST(no_two_removers_both_remove_a_row_under_failing_commits)
{
	void *cls = open_store();
	proauth2_error err = {0};
	struct writer *w;
	sqlite3 *db;
	char id[32];
	int i, k, n = writes_each(), twice = 0, kept = 0, removed;

	ck_assert_int_eq(ops->begin_writes(cls, &err), PROAUTH2_OK);
	for (k = 0; k < n; k++) {
		snprintf(id, sizeof(id), "row-%d", k);
		ck_assert_int_eq(store_mark(cls, id), PROAUTH2_OK);
	}
	ck_assert_int_eq(ops->end_writes(cls, &err), PROAUTH2_OK);
	faulty_vfs_pass_only_every_nth_sync(4);
	w = run_writers(cls, true);
	faulty_vfs_pass_only_every_nth_sync(0);
	ops->close(cls);
	db = open_file();
	for (k = 0; k < n; k++) {
		removed = 0;
		for (i = 0; i < THREADS; i++)
			removed += w[i].status[k] == PROAUTH2_OK && w[i].removed[k] == 1;
		twice += removed > 1;
		snprintf(id, sizeof(id), "row-%d", k);
		kept += removed > 0 && in_file(db, id);
	}
	sqlite3_close(db);
	ck_assert_msg(twice == 0 && kept == 0, "of %d rows, %d removed by two callers,"
			" %d told removed are in the file", n, twice, kept);
}
END_TEST

/* ---- item 3: a read that fails inside a group ---- */

struct lone_remove {
	void *cls;
	const char *id;
	size_t removed;
	proauth2_status status;
};

static void *remove_alone(void *arg)
{
	struct lone_remove *w = arg;

	w->status = remove_mark(w->cls, w->id, &w->removed);
	return NULL;
}

/* A group's read goes through the writer, inside the open batch; an I/O
 * error there rolls the batch back. The group fails whole, and a writer
 * who comes next is told the truth. */
START_TEST(a_read_that_fails_in_a_group_fails_its_batch)
{
	void *cls = open_store();
	const proauth2_table *spent = proauth2_schema_table("spent_tokens");
	struct lone_remove lone = {cls, "r1", 0, -1};
	proauth2_error err = {0};
	json_t *query = json_pack("{s:s}", "token_hash", "t1"), *found = NULL;
	proauth2_status read, later, end;
	pthread_t thread;
	sqlite3 *db;

	ck_assert_int_eq(store_mark(cls, "r1"), PROAUTH2_OK);
	/* A write from elsewhere: the writer's cached pages are stale, so
	 * the group's read goes to the file. */
	db = open_file();
	ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO spent_tokens (token_hash, grant_id, expires_at) VALUES"
			" ('t0', 'g0', 4000000000)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(ops->begin_writes(cls, &err), PROAUTH2_OK);
	ck_assert_int_eq(store_mark(cls, "A"), PROAUTH2_OK);
	faulty_vfs_fail_reads_on_this_thread(true);
	read = ops->fetch(cls, spent, query, &found, &err);
	faulty_vfs_fail_reads_on_this_thread(false);
	ck_assert_int_eq(read, PROAUTH2_ERR_DATASTORE);
	ck_assert_int_eq(pthread_create(&thread, NULL, remove_alone, &lone), 0);
	join_or_fail(thread, "a remove after a group's failed read");
	later = store_mark(cls, "B");
	end = ops->end_writes(cls, &err);
	ops->close(cls);
	db = open_file();
	ck_assert_int_ne(end, PROAUTH2_OK);
	ck_assert_msg(!in_file(db, "A") && !in_file(db, "B"),
			"a group told it failed left A %d, B (told %d) %d",
			in_file(db, "A"), later, in_file(db, "B"));
	ck_assert_msg(in_file(db, "r1") == !(lone.status == PROAUTH2_OK && lone.removed == 1),
			"a remove told %d with count %zu left the row %s", lone.status,
			lone.removed, in_file(db, "r1") ? "in the file" : "removed");
	sqlite3_close(db);
	json_decref(query);
}
END_TEST

/* ---- item 2: a batch ended while its leader waits ---- */

struct failing_store {
	void *cls;
	char id[32];
	proauth2_status status;
};

/* A store whose statement reads the file and fails: an I/O error rolls
 * the open batch back. */
static void *store_failing(void *arg)
{
	struct failing_store *w = arg;
	const proauth2_table *spent = proauth2_schema_table("spent_tokens");
	proauth2_error err = {0};
	json_t *record = json_pack("{s:s, s:s, s:I}", "token_hash", w->id,
			"grant_id", "g1", "expires_at", (json_int_t)4000000000);

	faulty_vfs_fail_reads_on_this_thread(true);
	w->status = ops->store(w->cls, spent, record, &err);
	faulty_vfs_fail_reads_on_this_thread(false);
	json_decref(record);
	return NULL;
}

/* While the leader of a batch waits for company, another writer's I/O
 * error ends the batch; the next batch still gets a leader. */
START_TEST(a_batch_ended_while_its_leader_waits_leaves_the_next_one_a_leader)
{
	void *cls = open_store();
	char leader_id[32], next_id[32];
	pthread_t threads[3];
	/* Rounds: the next writer must come before the leader wakes. */
	int round, rounds = writes_each(), polls;

	/* Reopened: the writer has no page of spent_tokens cached, so the
	 * failing store reads the file (and after its error, again). */
	ops->close(cls);
	cls = open_store();
	for (round = 0; round < rounds; round++) {
		/* Its deadline a second off: it waits that long for company. */
		struct lone_store leader = {cls, leader_id, 1, true, -1, -1};
		struct lone_store next = {cls, next_id, 0, false, -1, -1};
		struct failing_store failing = {.cls = cls, .status = -1};
		int reads = __atomic_load_n(&shifted_reads, __ATOMIC_SEQ_CST);

		snprintf(leader_id, sizeof(leader_id), "leader-%d", round);
		snprintf(next_id, sizeof(next_id), "next-%d", round);
		snprintf(failing.id, sizeof(failing.id), "t-%d", round);
		expect_company(cls, 25, round);
		ck_assert_int_eq(pthread_create(&threads[0], NULL, store_alone, &leader), 0);
		for (polls = 0; __atomic_load_n(&shifted_reads, __ATOMIC_SEQ_CST) == reads;
				polls++) {
			ck_assert_msg(polls < GIVE_UP_S * 1000, "the leader never waited");
			usleep(1000);
		}
		ck_assert_int_eq(pthread_create(&threads[1], NULL, store_failing, &failing), 0);
		join_or_fail(threads[1], "a store failing on a read");
		ck_assert_int_eq(failing.status, PROAUTH2_ERR_DATASTORE);
		ck_assert_int_eq(pthread_create(&threads[2], NULL, store_alone, &next), 0);
		join_or_fail(threads[2], "a store after a batch ended under its leader");
		join_or_fail(threads[0], "the leader");
		ck_assert_int_eq(next.status, PROAUTH2_OK);
		ck_assert_int_ne(leader.status, PROAUTH2_OK);
	}
	ops->close(cls);
}
END_TEST

/* ---- item 7: a group commits whole ---- */

static volatile int lone_done;

static void *store_alone_then_say(void *arg)
{
	store_alone(arg);
	__atomic_store_n(&lone_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Another writer joins the batch a group is in and would commit it; the
 * group's next write fails to commit. Its first write must not stay. */
START_TEST(a_group_commits_whole_when_another_writer_shares_its_batch)
{
	void *cls = open_store();
	struct lone_store other = {cls, "X", 0, false, -1, -1};
	proauth2_error err = {0};
	proauth2_status end;
	pthread_t thread;
	sqlite3 *db;
	int polls;

	lone_done = 0;
	ck_assert_int_eq(ops->begin_writes(cls, &err), PROAUTH2_OK);
	ck_assert_int_eq(store_mark(cls, "A"), PROAUTH2_OK);
	ck_assert_int_eq(pthread_create(&thread, NULL, store_alone_then_say, &other), 0);
	/* Before, the other writer committed the group's batch at once; now
	 * it waits for the group to end. */
	for (polls = 0; polls < 500 && !__atomic_load_n(&lone_done, __ATOMIC_SEQ_CST); polls++)
		usleep(1000);
	faulty_vfs_fail_syncs(true);
	(void)store_mark(cls, "B");
	end = ops->end_writes(cls, &err);
	faulty_vfs_fail_syncs(false);
	join_or_fail(thread, "a store sharing a group's batch");
	ops->close(cls);
	db = open_file();
	ck_assert_msg(in_file(db, "A") == in_file(db, "B") &&
			in_file(db, "A") == (end == PROAUTH2_OK),
			"a group told %d has A %d, B %d in the file", end,
			in_file(db, "A"), in_file(db, "B"));
	ck_assert(other.status != PROAUTH2_OK || in_file(db, "X"));
	sqlite3_close(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sqlite_faults");
	TCase *tc = tcase_create("faults");
	const char *env = getenv("CK_DEFAULT_TIMEOUT");
	SRunner *runner;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	/* Past GIVE_UP_S, so that a stuck thread fails the test by name. */
	tcase_set_timeout(tc, env != NULL && atoi(env) > 60 ? atoi(env) : 60);
	tcase_add_test(tc, a_leader_waits_by_a_clock_that_does_not_step);
	tcase_add_test(tc, no_store_is_told_ok_when_its_fsync_failed);
	tcase_add_test(tc, no_store_is_told_ok_when_the_disk_was_full);
	tcase_add_test(tc, no_two_removers_both_remove_a_row_under_failing_commits);
	tcase_add_test(tc, a_read_that_fails_in_a_group_fails_its_batch);
	tcase_add_test(tc, a_batch_ended_while_its_leader_waits_leaves_the_next_one_a_leader);
	tcase_add_test(tc, a_group_commits_whole_when_another_writer_shares_its_batch);
	suite_add_tcase(s, tc);
	runner = srunner_create(s);
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
