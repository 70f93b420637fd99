/*
 * The SQLite backend while another process holds the file's write lock:
 * every call answers PROAUTH2_ERR_UNAVAILABLE within busy_timeout of its
 * first wait (writers queued behind one that waits give up with it, not
 * one timeout after another), reads in a write group included, while
 * waits behind the process's own commits are not cut short; a writer
 * that waits says so in the -wait file, and one about to lock the file
 * lets it go first; and two processes writing flat out both get through.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include <proauth2/backend.h>
#include <proauth2/sqlite.h>

#include "sqlite_file.h"

#define WRITERS 16
#define TIMEOUT_MS 250
/* Room for a loaded machine (or valgrind) past the bound. Writers queued
 * one timeout after another would take WRITERS * TIMEOUT_MS = 4 s. */
#define SLACK_MS 1500

static char dir[64], path[128], uri[256];
static const proauth2_datastore_ops *ops;
static const proauth2_table *marks;

static void setup(void)
{
	sqlite_file_dir_new(dir, path);
	snprintf(uri, sizeof(uri), "file:%s?busy_timeout=%d", path, TIMEOUT_MS);
	ops = proauth2_sqlite_ops();
	marks = proauth2_schema_table("revoked_grants");
}

static void teardown(void)
{
	sqlite_file_dir_remove(dir);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *open_store(const char *at)
{
	proauth2_error err = {0};
	void *cls = NULL;

	ck_assert_msg(ops->init(at, &cls, &err) == PROAUTH2_OK, "%s", err.text);
	return cls;
}

static proauth2_status store_mark(void *cls, const char *grant_id, proauth2_error *err)
{
	json_t *record = json_pack("{s:s, s:I}", "grant_id", grant_id, "expires_at",
			(json_int_t)4000000000);
	proauth2_status status = ops->store(cls, marks, record, err);

	json_decref(record);
	return status;
}

/* ---- another process holding the write lock ---- */

struct holder {
	pid_t pid;
	int release;  /* written to: commit and exit */
};

static const char *self;  /* this program, run again as the holder */

/* The holder, in a process of its own (run afresh, so that it carries
 * none of the test's memory): take the file's write lock (BEGIN
 * IMMEDIATE), say so on ready, hold it till release is written to or
 * 20 s, then commit. */
static int hold_lock(const char *file, int ready, int release)
{
	sqlite3 *db;
	char c;
	int ok = sqlite3_open(file, &db) == SQLITE_OK &&
		sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;

	c = ok ? 'y' : 'n';
	if (write(ready, &c, 1) != 1)
		return 1;
	alarm(20);
	if (read(release, &c, 1) < 0)
		return 1;
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	return 0;
}

static struct holder lock_elsewhere(void)
{
	int ready[2], release[2];
	char fds[2][16], c;
	struct holder h;

	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(release), 0);
	h.pid = fork();
	ck_assert_int_ge(h.pid, 0);
	if (h.pid == 0) {
		close(ready[0]);
		close(release[1]);
		snprintf(fds[0], sizeof(fds[0]), "%d", ready[1]);
		snprintf(fds[1], sizeof(fds[1]), "%d", release[0]);
		execl(self, self, "--hold-lock", path, fds[0], fds[1], (char *)NULL);
		_exit(127);
	}
	close(ready[1]);
	close(release[0]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	ck_assert_msg(c == 'y', "the other process could not lock the file");
	h.release = release[1];
	return h;
}

static void let_go(struct holder *h)
{
	int status;

	ck_assert_int_eq(write(h->release, "x", 1), 1);
	close(h->release);
	ck_assert_int_eq(waitpid(h->pid, &status, 0), h->pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Whether another open file description holds a read lock on byte 0 of
 * the -wait file: a writer waiting for the file. */
static bool a_writer_waits(int fd)
{
	struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};

	ck_assert_int_eq(fcntl(fd, F_OFD_GETLK, &l), 0);
	return l.l_type != F_UNLCK;
}

static int open_wait_file(void)
{
	char name[160];
	int fd;

	snprintf(name, sizeof(name), "%s-wait", path);
	fd = open(name, O_RDWR);
	ck_assert_msg(fd >= 0, "%s: %s", name, strerror(errno));
	return fd;
}

/* Until a writer of a store on path waits for the file's write lock. */
static void wait_till_a_writer_waits(void)
{
	int fd = open_wait_file(), polls;

	for (polls = 0; !a_writer_waits(fd); polls++) {
		ck_assert_msg(polls < 10000, "no writer waits for the file");
		usleep(1000);
	}
	close(fd);
}

/* ---- writers queued behind a locked file ---- */

struct writer {
	void *cls;
	char id[16];
	pthread_barrier_t *start;
	proauth2_status status;
	char text[256];
	double ms;
};

static void *write_one(void *arg)
{
	struct writer *w = arg;
	proauth2_error err = {0};
	double t0;

	pthread_barrier_wait(w->start);
	t0 = now_ms();
	w->status = store_mark(w->cls, w->id, &err);
	w->ms = now_ms() - t0;
	snprintf(w->text, sizeof(w->text), "%s", err.text);
	return NULL;
}

START_TEST(writers_queued_behind_a_locked_file_each_answer_within_the_bound)
{
	void *cls = open_store(uri);
	struct writer w[WRITERS];
	pthread_t tid[WRITERS];
	pthread_barrier_t start;
	struct holder h = lock_elsewhere();
	proauth2_error err = {0};
	int i;

	pthread_barrier_init(&start, NULL, WRITERS);
	for (i = 0; i < WRITERS; i++) {
		w[i] = (struct writer){.cls = cls, .start = &start};
		snprintf(w[i].id, sizeof(w[i].id), "w%d", i);
		ck_assert_int_eq(pthread_create(&tid[i], NULL, write_one, &w[i]), 0);
	}
	for (i = 0; i < WRITERS; i++)
		ck_assert_int_eq(pthread_join(tid[i], NULL), 0);
	pthread_barrier_destroy(&start);
	for (i = 0; i < WRITERS; i++) {
		ck_assert_msg(w[i].status == PROAUTH2_ERR_UNAVAILABLE,
				"writer %d: status %d (%s)", i, w[i].status, w[i].text);
		ck_assert_msg(strstr(w[i].text, "busy_timeout=250 ms") != NULL, "%s", w[i].text);
		ck_assert_msg(w[i].ms < TIMEOUT_MS + SLACK_MS,
				"writer %d answered after %.0f ms, busy_timeout %d ms",
				i, w[i].ms, TIMEOUT_MS);
	}
	let_go(&h);
	/* Nothing of theirs went in; the file is writable again. */
	ck_assert_int_eq(store_mark(cls, "after", &err), PROAUTH2_OK);
	ops->close(cls);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM revoked_grants"), 1);
}
END_TEST

/* A read in a write group goes through the writer: queued behind a
 * writer waiting for the file, it answers within the bound too (19.9 s
 * seen, behind writers that waited 5 s each). */
struct blocked_writer {
	void *cls;
	pthread_barrier_t *started;
	proauth2_status status;
};

static void *write_blocked(void *arg)
{
	struct blocked_writer *b = arg;
	proauth2_error err = {0};

	pthread_barrier_wait(b->started);
	b->status = store_mark(b->cls, "blocked", &err);
	return NULL;
}

START_TEST(a_read_in_a_write_group_answers_within_the_bound)
{
	void *cls = open_store(uri);
	struct holder h = lock_elsewhere();
	pthread_barrier_t started;
	struct blocked_writer b = {cls, &started, -1};
	proauth2_error err = {0};
	json_t *query = json_pack("{s:s}", "grant_id", "g"), *record = NULL;
	proauth2_status status;
	pthread_t tid;
	double t0, ms;

	pthread_barrier_init(&started, NULL, 2);
	ck_assert_int_eq(pthread_create(&tid, NULL, write_blocked, &b), 0);
	pthread_barrier_wait(&started);
	wait_till_a_writer_waits();
	t0 = now_ms();
	ck_assert_int_eq(ops->begin_writes(cls, &err), PROAUTH2_OK);
	status = ops->fetch(cls, marks, query, &record, &err);
	ck_assert_int_eq(ops->end_writes(cls, &err), PROAUTH2_OK);
	ms = now_ms() - t0;
	ck_assert_int_eq(pthread_join(tid, NULL), 0);
	pthread_barrier_destroy(&started);
	/* It waited behind the writer and gave up, or the writer gave up
	 * first (its wait began before) and the read found nothing: within
	 * the bound both ways. */
	ck_assert_msg(status == PROAUTH2_ERR_UNAVAILABLE || status == PROAUTH2_ERR_NOT_FOUND,
			"status %d (%s)", status, err.text);
	ck_assert_msg(ms < TIMEOUT_MS + SLACK_MS, "the read answered after %.0f ms", ms);
	ck_assert_int_eq(b.status, PROAUTH2_ERR_UNAVAILABLE);
	ck_assert_ptr_null(record);
	let_go(&h);
	ops->close(cls);
	json_decref(query);
}
END_TEST

/* ---- waits behind this process's own writes ---- */

struct busy_writer {
	void *cls;
	int thread;
	pthread_barrier_t *start;
	int failed;
	char text[256];
};

static void *write_many(void *arg)
{
	struct busy_writer *w = arg;
	char id[32];
	int i;

	pthread_barrier_wait(w->start);
	for (i = 0; i < 50; i++) {
		proauth2_error err = {0};

		snprintf(id, sizeof(id), "t%d-%d", w->thread, i);
		if (store_mark(w->cls, id, &err) != PROAUTH2_OK) {
			w->failed++;
			snprintf(w->text, sizeof(w->text), "%s", err.text);
		}
	}
	return NULL;
}

/* Writers of one process queue behind each other's commits (an fsync
 * each): that is not a lock held elsewhere, and busy_timeout=0 ("never
 * wait for another's lock") refuses none of them (146 of 400 were). */
START_TEST(writers_of_one_process_are_not_timed_behind_its_own_commits)
{
	struct busy_writer w[8];
	pthread_t tid[8];
	pthread_barrier_t start;
	char at[300];
	void *cls;
	int i;

	snprintf(at, sizeof(at), "file:%s?busy_timeout=0", path);
	cls = open_store(at);
	pthread_barrier_init(&start, NULL, 8);
	for (i = 0; i < 8; i++) {
		w[i] = (struct busy_writer){.cls = cls, .thread = i, .start = &start};
		ck_assert_int_eq(pthread_create(&tid[i], NULL, write_many, &w[i]), 0);
	}
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_join(tid[i], NULL), 0);
	pthread_barrier_destroy(&start);
	for (i = 0; i < 8; i++)
		ck_assert_msg(w[i].failed == 0, "writer %d: %d refused (%s)", i,
				w[i].failed, w[i].text);
	ops->close(cls);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM revoked_grants"), 400);
}
END_TEST

/* A write group past its deadline that holds an open batch is not failed
 * for it: nobody can be waiting for the file while its batch is open, and
 * a group cut short would leave its first writes committed alone. */
#define STREAMS 6
#define GROUP_WRITES 200

static volatile int streaming, streamed;

static void *stream_writes(void *arg)
{
	char id[32];
	int i;

	while (__atomic_load_n(&streaming, __ATOMIC_SEQ_CST)) {
		proauth2_error err = {0};

		i = __atomic_fetch_add(&streamed, 1, __ATOMIC_SEQ_CST);
		snprintf(id, sizeof(id), "stream-%d", i);
		if (store_mark(arg, id, &err) != PROAUTH2_OK) {
			fprintf(stderr, "stream write %d: %s\n", i, err.text);
			return (void *)1;
		}
	}
	return NULL;
}

START_TEST(a_write_group_past_its_deadline_goes_on)
{
	void *cls = open_store(uri);
	proauth2_error err = {0};
	json_t *query = json_pack("{s:s}", "grant_id", "group-0"), *record = NULL;
	pthread_t tid[STREAMS];
	void *stream_failed;
	char id[32];
	int i;

	streaming = 1;
	for (i = 0; i < STREAMS; i++)
		ck_assert_int_eq(pthread_create(&tid[i], NULL, stream_writes, cls), 0);
	ck_assert_int_eq(ops->begin_writes(cls, &err), PROAUTH2_OK);
	ck_assert_int_eq(store_mark(cls, "group-0", &err), PROAUTH2_OK);
	usleep((TIMEOUT_MS + 100) * 1000);  /* the host's work, past the deadline */
	/* Each call meets the other writers at the store's lock. */
	for (i = 1; i <= GROUP_WRITES; i++) {
		ck_assert_msg(ops->fetch(cls, marks, query, &record, &err) == PROAUTH2_OK,
				"read %d: %s", i, err.text);
		json_decref(record);
		record = NULL;
		snprintf(id, sizeof(id), "group-%d", i);
		ck_assert_msg(store_mark(cls, id, &err) == PROAUTH2_OK, "write %d: %s", i, err.text);
	}
	ck_assert_msg(ops->end_writes(cls, &err) == PROAUTH2_OK, "%s", err.text);
	__atomic_store_n(&streaming, 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < STREAMS; i++) {
		ck_assert_int_eq(pthread_join(tid[i], &stream_failed), 0);
		ck_assert_ptr_null(stream_failed);
	}
	ops->close(cls);
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM revoked_grants"
			" WHERE grant_id LIKE 'group-%'"), GROUP_WRITES + 1);
	json_decref(query);
}
END_TEST

START_TEST(an_open_while_the_file_stays_locked_is_unavailable)
{
	void *cls = open_store(uri);  /* the file and its schema exist */
	struct holder h;
	proauth2_error err = {0};
	proauth2_status status;
	double t0, ms;

	ops->close(cls);
	h = lock_elsewhere();
	cls = NULL;
	t0 = now_ms();
	status = ops->init(uri, &cls, &err);
	ms = now_ms() - t0;
	let_go(&h);
	ck_assert_msg(status == PROAUTH2_ERR_UNAVAILABLE, "status %d (%s)", status, err.text);
	ck_assert_ptr_null(cls);
	ck_assert_msg(ms < TIMEOUT_MS + SLACK_MS, "the open answered after %.0f ms", ms);
	cls = open_store(uri);
	ops->close(cls);
}
END_TEST

START_TEST(busy_timeout_must_be_milliseconds_in_range)
{
	static const char *const bad[] = {"abc", "-1", "600001", "", "10ms", "1e3"};
	char at[300];
	proauth2_error err = {0};
	void *cls = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(at, sizeof(at), "file:%s?busy_timeout=%s", path, bad[i]);
		ck_assert_int_eq(ops->init(at, &cls, &err), PROAUTH2_ERR_INVALID_ARGUMENT);
		ck_assert_ptr_null(cls);
		ck_assert_msg(strstr(err.text, "busy_timeout") != NULL, "%s", err.text);
	}
	snprintf(at, sizeof(at), "file:%s?busy_timeout=600000", path);
	cls = open_store(at);
	ops->close(cls);
}
END_TEST

/* busy_timeout=0: a locked file is an answer at once, without a wait. */
START_TEST(busy_timeout_zero_never_waits)
{
	char at[300];
	void *cls;
	struct holder h;
	proauth2_error err = {0};

	snprintf(at, sizeof(at), "file:%s?busy_timeout=0", path);
	cls = open_store(at);
	h = lock_elsewhere();
	ck_assert_int_eq(store_mark(cls, "x", &err), PROAUTH2_ERR_UNAVAILABLE);
	ck_assert_msg(strstr(err.text, "busy_timeout=0 ms") != NULL, "%s", err.text);
	let_go(&h);
	ck_assert_int_eq(store_mark(cls, "x", &err), PROAUTH2_OK);
	ops->close(cls);
}
END_TEST

/* ---- taking turns with other processes ---- */

START_TEST(a_writer_waiting_for_the_file_says_so_till_it_has_it)
{
	char at[300];
	void *cls;
	struct holder h;
	pthread_barrier_t started;
	struct blocked_writer b;
	pthread_t tid;
	int fd, polls;

	/* Long enough to be seen waiting, however slow the machine. */
	snprintf(at, sizeof(at), "file:%s?busy_timeout=20000", path);
	cls = open_store(at);
	fd = open_wait_file();
	ck_assert(!a_writer_waits(fd));
	h = lock_elsewhere();
	pthread_barrier_init(&started, NULL, 2);
	b = (struct blocked_writer){cls, &started, -1};
	ck_assert_int_eq(pthread_create(&tid, NULL, write_blocked, &b), 0);
	pthread_barrier_wait(&started);
	for (polls = 0; !a_writer_waits(fd); polls++) {
		ck_assert_msg(polls < 10000, "the writer never said it waits");
		usleep(1000);
	}
	let_go(&h);
	ck_assert_int_eq(pthread_join(tid, NULL), 0);
	pthread_barrier_destroy(&started);
	ck_assert_int_eq(b.status, PROAUTH2_OK);
	ck_assert(!a_writer_waits(fd));
	close(fd);
	ops->close(cls);
}
END_TEST

/* A writer about to lock the file lets one that says it waits go first,
 * a few milliseconds at most: with this test saying it waits (and never
 * taking the file), a store on a free file takes at least that long, and
 * then goes ahead. A lower bound: a slow machine only makes it longer. */
START_TEST(a_writer_lets_a_waiting_one_go_first)
{
	struct flock l = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
	void *cls = open_store(uri);
	proauth2_error err = {0};
	int fd = open_wait_file();
	double t0, ms;

	ck_assert_int_eq(fcntl(fd, F_OFD_SETLK, &l), 0);
	t0 = now_ms();
	ck_assert_int_eq(store_mark(cls, "after-a-turn", &err), PROAUTH2_OK);
	ms = now_ms() - t0;
	ck_assert_msg(ms >= 4.5, "the store went ahead of a waiting writer (%.2f ms)", ms);
	close(fd);
	ops->close(cls);
}
END_TEST

/* Two processes writing flat out, each with its writers queued: all of
 * them get through (seen: writes of one process kept waiting 2.6-3.4 s
 * by the other's batches), and each process gets some. */
#define SHARE_WRITERS 4
#define SHARE_MS 1000

struct share_writer {
	void *cls;
	int process, thread;
	unsigned done, refused;
	char text[256];
};

static void *write_flat_out(void *arg)
{
	struct share_writer *w = arg;
	double until = now_ms() + SHARE_MS;
	char id[48];

	while (now_ms() < until) {
		proauth2_error err = {0};

		snprintf(id, sizeof(id), "p%d-t%d-%u", w->process, w->thread, w->done + w->refused);
		if (store_mark(w->cls, id, &err) == PROAUTH2_OK) {
			w->done++;
		} else {
			w->refused++;
			snprintf(w->text, sizeof(w->text), "%s", err.text);
		}
	}
	return NULL;
}

/* In a child: its writers' counts, as "done refused text" on fd. */
static void share_process(int process, int fd)
{
	struct share_writer w[SHARE_WRITERS];
	pthread_t tid[SHARE_WRITERS];
	char at[300], line[400];
	unsigned done = 0, refused = 0;
	const char *text = "";
	void *cls = NULL;
	proauth2_error err = {0};
	int i, n;

	/* Generous: under valgrind a batch takes a hundred times as long. */
	snprintf(at, sizeof(at), "file:%s?busy_timeout=10000", path);
	if (ops->init(at, &cls, &err) != PROAUTH2_OK)
		_exit(1);
	for (i = 0; i < SHARE_WRITERS; i++) {
		w[i] = (struct share_writer){.cls = cls, .process = process, .thread = i};
		pthread_create(&tid[i], NULL, write_flat_out, &w[i]);
	}
	for (i = 0; i < SHARE_WRITERS; i++) {
		pthread_join(tid[i], NULL);
		done += w[i].done;
		refused += w[i].refused;
		if (w[i].refused)
			text = w[i].text;
	}
	n = snprintf(line, sizeof(line), "%u %u %s", done, refused, text);
	if (write(fd, line, (size_t)n) != n)
		_exit(1);
	ops->close(cls);
	_exit(0);
}

START_TEST(two_processes_writing_flat_out_both_get_through)
{
	void *cls = open_store(uri);  /* the schema, before they race */
	int fds[2][2], i, status;
	pid_t pids[2];
	char line[2][400];
	unsigned done[2], refused[2];

	ops->close(cls);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(pipe(fds[i]), 0);
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			close(fds[i][0]);
			share_process(i, fds[i][1]);
		}
		close(fds[i][1]);
	}
	for (i = 0; i < 2; i++) {
		ssize_t n = read(fds[i][0], line[i], sizeof(line[i]) - 1);

		ck_assert_int_gt(n, 0);
		line[i][n] = '\0';
		close(fds[i][0]);
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		ck_assert_int_eq(sscanf(line[i], "%u %u", &done[i], &refused[i]), 2);
	}
	for (i = 0; i < 2; i++) {
		ck_assert_msg(refused[i] == 0, "process %d: %s", i, line[i]);
		ck_assert_uint_gt(done[i], 0);
	}
	ck_assert_int_eq(sqlite_file_int(path, "SELECT count(*) FROM revoked_grants"),
			(long long)(done[0] + done[1]));
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s;
	TCase *tc;
	SRunner *runner;
	int failed;

	if (argc == 5 && strcmp(argv[1], "--hold-lock") == 0)
		return hold_lock(argv[2], atoi(argv[3]), atoi(argv[4]));
	self = argv[0];
	s = suite_create("sqlite_busy");
	tc = tcase_create("sqlite_busy");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, writers_queued_behind_a_locked_file_each_answer_within_the_bound);
	tcase_add_test(tc, a_read_in_a_write_group_answers_within_the_bound);
	tcase_add_test(tc, writers_of_one_process_are_not_timed_behind_its_own_commits);
	tcase_add_test(tc, a_write_group_past_its_deadline_goes_on);
	tcase_add_test(tc, an_open_while_the_file_stays_locked_is_unavailable);
	tcase_add_test(tc, busy_timeout_must_be_milliseconds_in_range);
	tcase_add_test(tc, busy_timeout_zero_never_waits);
	tcase_add_test(tc, a_writer_waiting_for_the_file_says_so_till_it_has_it);
	tcase_add_test(tc, a_writer_lets_a_waiting_one_go_first);
	tcase_add_test(tc, two_processes_writing_flat_out_both_get_through);
	suite_add_tcase(s, tc);
	runner = srunner_create(s);
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
