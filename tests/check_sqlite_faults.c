/* The SQLite backend under faults: failed fsyncs, a full disk, a read that
 * fails on one thread, a wall clock that steps. Every answer stays true: no
 * writer is told OK for a write that is not in the file, nobody waits
 * forever, and a write group commits whole or not at all. The threaded
 * tests' size is PROAUTH2_FAULT_WRITES writes per thread (default 100). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
 * deadline taken from it lies that far ahead. The library calls
 * clock_gettime through the PLT, so this definition is the one it gets.
 */
static __thread clockid_t shifted_clock = -1;
static __thread long shift_s;
static __thread bool shift_once;
static volatile int shifted_reads;

int clock_gettime(clockid_t id, struct timespec *ts)
{
	int rc = (int)syscall(SYS_clock_gettime, id, ts);

	if (rc == 0 && shift_s != 0 && (shifted_clock == id ||
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
	faulty_vfs_fill_disk_every_nth_write(0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
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
static void expect_company(void *cls, int n)
{
	proauth2_error err = {0};
	char id[32];
	int i;

	ck_assert_int_eq(ops->begin_writes(cls, &err), PROAUTH2_OK);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "company-%d", i);
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

	expect_company(cls, 10);
	ck_assert_int_eq(pthread_create(&thread, NULL, store_alone, &w), 0);
	join_or_fail(thread, "a lone store after the wall clock stepped back");
	ck_assert_int_eq(w.status, PROAUTH2_OK);
	ops->close(cls);
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
	suite_add_tcase(s, tc);
	runner = srunner_create(s);
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
