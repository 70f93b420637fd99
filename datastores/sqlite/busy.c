/*
 * Waiting for the file, bounded and shared. Every call has a deadline:
 * busy_timeout from its first wait, or from its write group's
 * begin_writes.
 * Neither the store's own lock nor SQLite's write lock on the file is
 * waited for past it, so writers queued behind one that waits give up
 * with it, not one timeout after another.
 *
 * SQLite's own busy handler sleeps up to 100 ms between tries, and a
 * process that commits batch after batch takes the lock again within
 * microseconds: a second process on the file waited seconds. Here a
 * writer that finds the file locked tries again every quarter millisecond
 * at most, and says it is waiting (a read lock on byte 0 of the "-wait"
 * file beside the database, an open file description's lock, which the
 * kernel drops if the process dies); a writer about to lock the file
 * lets such a waiter go first, for a few milliseconds at most.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sqlite_int.h"

#define BUSY_TIMEOUT_MS 5000
#define BUSY_TIMEOUT_MAX_MS 600000
#define POLL_FIRST_NS 25000LL    /* then doubled, up to: */
#define POLL_MAX_NS 250000LL
/* How long a writer lets waiters in other processes go first: more than
 * their pause between tries, less than a commit's fsync. */
#define COURTESY_MAX_NS 5000000LL
#define SLICE_NS 1000000LL

int64_t sqlite_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct timespec sqlite_timespec(int64_t ns)
{
	return (struct timespec){(time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL)};
}

static void pause_ns(int64_t ns)
{
	struct timespec ts = sqlite_timespec(ns);

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

proauth2_status sqlite_busy_option(sqlite3 *db, int *ms, proauth2_error *err)
{
	const char *file = sqlite3_db_filename(db, "main");
	const char *text = sqlite3_uri_parameter(file, "busy_timeout");
	char *end;
	long value;

	*ms = BUSY_TIMEOUT_MS;
	if (text == NULL)
		return PROAUTH2_OK;
	errno = 0;
	value = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || value < 0 ||
			value > BUSY_TIMEOUT_MAX_MS)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"sqlite: busy_timeout=%.20s: use milliseconds from 0 to %d",
				text, BUSY_TIMEOUT_MAX_MS);
	*ms = (int)value;
	return PROAUTH2_OK;
}

int64_t sqlite_deadline(const struct sqlite_store *s)
{
	const struct write_group *g = sqlite_group_on((struct sqlite_store *)s);

	return g != NULL ? g->deadline : 0;
}

int64_t sqlite_deadline_from_now(const struct sqlite_store *s)
{
	return sqlite_now_ns() + s->busy_timeout_ms * 1000000LL;
}

static proauth2_status timed_out(const struct sqlite_store *s, const char *what,
		proauth2_error *err)
{
	return proauth2_error_set(err, PROAUTH2_ERR_UNAVAILABLE,
			"sqlite: busy: %s (busy_timeout=%d ms)", what, s->busy_timeout_ms);
}

/* ThreadSanitizer (clang 14, gcc 12) does not know pthread_mutex_clocklock,
 * and then reports every unlock after one: under it the wall clock's timed
 * lock stands in. */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

static int lock_by(pthread_mutex_t *lock, int64_t deadline)
{
	struct timespec ts;

#ifdef UNDER_TSAN
	clock_gettime(CLOCK_REALTIME, &ts);
	deadline += (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec - sqlite_now_ns();
#endif
	ts = sqlite_timespec(deadline);
#ifdef UNDER_TSAN
	return pthread_mutex_timedlock(lock, &ts);
#else
	return pthread_mutex_clocklock(lock, CLOCK_MONOTONIC, &ts);
#endif
}

proauth2_status sqlite_lock_until(struct sqlite_store *s, int64_t deadline,
		proauth2_error *err)
{
	int64_t now;

	if (pthread_mutex_trylock(&s->lock) != 0) {
		if (deadline == 0)
			deadline = sqlite_deadline_from_now(s);
		/* Past the deadline, waits go on in slices while the holder is
		 * this process's own work (a statement, a commit's fsync). */
		for (;;) {
			now = sqlite_now_ns();
			if (now >= deadline &&
					__atomic_load_n(&s->writer.file_busy, __ATOMIC_ACQUIRE))
				return timed_out(s, "a writer of this datastore was waiting"
						" for another connection's write lock", err);
			if (lock_by(&s->lock, now < deadline ? deadline : now + SLICE_NS) == 0)
				break;
		}
	}
	s->writer.deadline = deadline;
	return PROAUTH2_OK;
}

/* ---- saying one waits, and letting a waiter go first ---- */

/* Locks of open file descriptions (Linux): a process's own do not merge,
 * and closing another descriptor of the file keeps them. Without them
 * there is no -wait file: waits stay bounded, without turns. */
#ifdef F_OFD_SETLK
static int wait_lock(int fd, short type)
{
	struct flock l = {.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};

	return fcntl(fd, F_OFD_SETLK, &l);
}

static bool someone_waits(int fd)
{
	struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};

	return fd >= 0 && fcntl(fd, F_OFD_GETLK, &l) == 0 && l.l_type != F_UNLCK;
}

void sqlite_wait_file_open(struct sqlite_store *s)
{
	char name[4096];
	struct stat st;

	s->writer.wait_fd = -1;
	if (s->file == NULL || stat(s->file, &st) != 0 ||
			(size_t)snprintf(name, sizeof(name), "%s-wait", s->file) >= sizeof(name))
		return;
	/* Without it (a directory this process may not write) writers are
	 * bounded still, only not taking turns with other processes. */
	s->writer.wait_fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, st.st_mode & 0666);
	/* A user who may read the database but not write it still takes
	 * turns: the locks need only read access. */
	if (s->writer.wait_fd < 0)
		s->writer.wait_fd = open(name, O_RDONLY | O_CLOEXEC);
}
#else
static int wait_lock(int fd, short type)
{
	(void)fd;
	(void)type;
	return -1;
}

static bool someone_waits(int fd)
{
	(void)fd;
	return false;
}

void sqlite_wait_file_open(struct sqlite_store *s)
{
	s->writer.wait_fd = -1;
}
#endif

int sqlite_on_busy(void *arg, int count)
{
	struct connection *conn = arg;
	int64_t now = sqlite_now_ns(), left, pause = POLL_FIRST_NS << (count < 4 ? count : 4);

	if (conn->deadline == 0)
		conn->deadline = sqlite_deadline_from_now(conn->store);
	left = conn->deadline - now;
	if (left <= 0)
		return 0;
	/* Only BEGIN IMMEDIATE waits for another's write lock: other busy
	 * moments (a WAL recovery) are not a turn to be given. */
	if (conn->locking_file) {
		if (!conn->waiting && conn->wait_fd >= 0)
			conn->waiting = wait_lock(conn->wait_fd, F_RDLCK) == 0;
		__atomic_store_n(&conn->file_busy, 1, __ATOMIC_RELEASE);
	}
	if (pause > POLL_MAX_NS)
		pause = POLL_MAX_NS;
	pause_ns(pause < left ? pause : left);
	return 1;
}

proauth2_status sqlite_lock_file(struct sqlite_store *s, const char *doing,
		proauth2_error *err)
{
	struct connection *w = &s->writer;
	int64_t until;
	int rc;

	if (someone_waits(w->wait_fd)) {
		until = sqlite_now_ns() + COURTESY_MAX_NS;
		if (w->deadline != 0 && until > w->deadline)
			until = w->deadline;
		while (someone_waits(w->wait_fd) && sqlite_now_ns() < until)
			pause_ns(POLL_FIRST_NS);
	}
	w->locking_file = true;
	rc = sqlite3_exec(w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	w->locking_file = false;
	__atomic_store_n(&w->file_busy, 0, __ATOMIC_RELEASE);
	if (w->waiting) {
		wait_lock(w->wait_fd, F_UNLCK);
		w->waiting = false;
	}
	if ((rc & 0xff) == SQLITE_BUSY)
		return timed_out(s, "another connection held the file's write lock", err);
	return rc == SQLITE_OK ? PROAUTH2_OK : sqlite_fail(w->db, rc, doing, err);
}
