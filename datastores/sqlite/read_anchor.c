/*
 * The read anchor. On a WAL file, every read transaction takes a shared
 * lock on a read mark of the -shm file and drops it at its end; SQLite
 * counts the holders in process and calls fcntl() only for the first and
 * the last, under a mutex the other readers then wait on. With reads one
 * at a time, that is two system calls and some futex waits a read: a
 * sixth of provider_demo's CPU for a bearer check (docs/BENCHMARKS.md).
 *
 * So while reads come and writes do not, a thread of the store holds a
 * read transaction of its own on a connection of its own: the process
 * then always holds the read mark the readers use, and theirs are taken
 * in process. Nothing is read through it: each read still starts its own
 * transaction and sees the last commit, of any process.
 *
 * A held read transaction keeps checkpoints from going past it and the
 * WAL from restarting. So the anchor takes hold only while the store has
 * no write open, and a write of the store waits for it to let go; it stays
 * off while writes come and lets go ANCHOR_HOLD_MS after taking hold. When
 * it finds that another connection committed (SQLite's data version moved
 * and the store did not write), it runs a passive checkpoint, for a commit
 * whose own checkpoint its hold stopped short, and stays off for
 * EXTERNAL_COOLDOWN_MS. With no reads, it sleeps. "read_anchor=off" in the
 * URI does without it. It calls SQLite only under its lock, which
 * before_fork takes (and lets go of a hold).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"

#define NS_PER_MS 1000000LL
/* How long it holds at a time (taking hold again costs two fcntl). */
#define ANCHOR_HOLD_MS 5
/* Off for this long after the last write of this process it saw. */
#define WRITE_COOLDOWN_MS 10
/* ...and of another connection (seen by the data version). */
#define EXTERNAL_COOLDOWN_MS 50
/* Its checkpoints for another connection's commits, at most this often. */
#define CHECKPOINT_EVERY_MS 250
/* After it could not take hold (a write under way, a batch open). */
#define RETRY_MS 1

/*
 * The running anchors, for fork(): the thread calls SQLite only under its
 * anchor's lock, so with every lock taken the fork comes while no anchor
 * is inside SQLite, whose mutexes a child that opens its own datastore
 * then finds free.
 */
static pthread_mutex_t running_lock = PTHREAD_MUTEX_INITIALIZER;
static struct read_anchor *running;

static void let_go(struct read_anchor *a)
{
	sqlite3_reset(a->hold);
	__atomic_store_n(&a->held, false, __ATOMIC_SEQ_CST);
	pthread_cond_broadcast(&a->released);
}

/* ...and without a hold: a child that opens the file finds SQLite's
 * record of this process's locks in its copy, and a hold's would stand
 * there for a lock the child does not have. */
static void before_fork(void)
{
	struct read_anchor *a;

	pthread_mutex_lock(&running_lock);
	for (a = running; a != NULL; a = a->next_running) {
		pthread_mutex_lock(&a->lock);
		if (__atomic_load_n(&a->held, __ATOMIC_SEQ_CST))
			let_go(a);
	}
}

/* In the parent and in the child (whose copy of the store refuses use). */
static void after_fork(void)
{
	struct read_anchor *a;

	for (a = running; a != NULL; a = a->next_running)
		pthread_mutex_unlock(&a->lock);
	pthread_mutex_unlock(&running_lock);
}

__attribute__((constructor)) static void anchor_fork_handlers(void)
{
	pthread_atfork(before_fork, after_fork, after_fork);
}

static void wait_till(struct read_anchor *a, int64_t until_ns)
{
	struct timespec ts = sqlite_timespec(until_ns);

	pthread_cond_timedwait(&a->wake, &a->lock, &ts);
}

/*
 * Under a->lock: start the hold statement's read transaction, if the store
 * has no write under way or open (a group's batch between its writes):
 * then the hold's snapshot is behind no commit of the store's, and a write
 * that comes after takes the writer's lock, finds it held and waits for
 * it to let go.
 */
static bool take_hold(struct sqlite_store *s, struct read_anchor *a)
{
	uint64_t writes;
	unsigned version = 0;
	bool outside = false, took = false;

	if (pthread_mutex_trylock(&s->lock) != 0)
		return false;
	writes = __atomic_load_n(&a->writes, __ATOMIC_SEQ_CST);
	if (!s->in_batch && sqlite3_step(a->hold) == SQLITE_ROW) {
		/* The data version moved and the store did not write: another
		 * connection committed, maybe while the anchor held. */
		sqlite3_file_control(a->db, "main", SQLITE_FCNTL_DATA_VERSION, &version);
		outside = a->version_known && version != a->version &&
			writes == a->writes_held;
		a->version = version;
		a->version_known = true;
		took = !outside;
	}
	if (took) {
		a->writes_held = writes;
		__atomic_store_n(&a->held, true, __ATOMIC_SEQ_CST);
	} else {
		sqlite3_reset(a->hold);
	}
	pthread_mutex_unlock(&s->lock);
	if (!outside)
		return took;
	/* That commit's checkpoint may have stopped at the anchor's mark, and
	 * a WAL never copied back whole cannot start over: copy it back (at
	 * most every CHECKPOINT_EVERY_MS), holding nothing, and stay off. */
	if (sqlite_now_ns() >= a->last_checkpoint + CHECKPOINT_EVERY_MS * NS_PER_MS) {
		sqlite3_wal_checkpoint_v2(a->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		a->last_checkpoint = sqlite_now_ns();
	}
	a->off_until = sqlite_now_ns() + EXTERNAL_COOLDOWN_MS * NS_PER_MS;
	return false;
}

static void *anchor_run(void *arg)
{
	struct sqlite_store *s = arg;
	struct read_anchor *a = &s->anchor;
	uint64_t reads_seen = 0, writes_seen = 0;

	pthread_mutex_lock(&a->lock);
	while (!a->stop) {
		uint64_t writes = __atomic_load_n(&a->writes, __ATOMIC_SEQ_CST);
		int64_t now = sqlite_now_ns();

		/* Writes since it last looked: off till they have stopped a
		 * while. */
		if (writes != writes_seen && now + WRITE_COOLDOWN_MS * NS_PER_MS > a->off_until)
			a->off_until = now + WRITE_COOLDOWN_MS * NS_PER_MS;
		writes_seen = writes;
		if (__atomic_load_n(&a->reads, __ATOMIC_SEQ_CST) == reads_seen) {
			/* sleeping before the reads' check, as a reader counts
			 * itself before it looks at sleeping. */
			__atomic_store_n(&a->sleeping, true, __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&a->reads, __ATOMIC_SEQ_CST) == reads_seen &&
					!a->stop)
				pthread_cond_wait(&a->wake, &a->lock);
			__atomic_store_n(&a->sleeping, false, __ATOMIC_SEQ_CST);
			continue;
		}
		if (now < a->off_until) {
			wait_till(a, a->off_until);
			continue;
		}
		/* Reads that come while it holds keep it on for the next. */
		reads_seen = __atomic_load_n(&a->reads, __ATOMIC_SEQ_CST);
		if (!take_hold(s, a)) {
			if (a->off_until < now + RETRY_MS * NS_PER_MS)
				a->off_until = now + RETRY_MS * NS_PER_MS;
			continue;
		}
		while (!a->stop && a->writers_waiting == 0 &&
				sqlite_now_ns() < now + ANCHOR_HOLD_MS * NS_PER_MS)
			wait_till(a, now + ANCHOR_HOLD_MS * NS_PER_MS);
		/* Let go for a write: only reads after it bring it back. */
		if (a->writers_waiting > 0)
			reads_seen = __atomic_load_n(&a->reads, __ATOMIC_SEQ_CST);
		let_go(a);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/* The anchor's connection and its statement; false when either fails. */
static bool anchor_open(struct sqlite_store *s, struct read_anchor *a)
{
	/* Without SQLITE_OPEN_CREATE, read only in effect, never waiting:
	 * a busy file is a cycle without the anchor. */
	if (sqlite3_open_v2(s->uri, &a->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI |
			SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
			/* the store's own file, as a reader's (reader_pool.c) */
			sqlite_connection_on_file(s, a->db, NULL) != PROAUTH2_OK ||
			sqlite3_exec(a->db, "PRAGMA query_only = ON", NULL, NULL, NULL) != SQLITE_OK ||
			sqlite3_prepare_v2(a->db, "SELECT 1 FROM sqlite_schema", -1,
				&a->hold, NULL) != SQLITE_OK) {
		sqlite3_close(a->db);
		a->db = NULL;
		return false;
	}
	return true;
}

static void anchor_free(struct read_anchor *a)
{
	pthread_cond_destroy(&a->released);
	pthread_cond_destroy(&a->wake);
	pthread_mutex_destroy(&a->lock);
	sqlite3_finalize(a->hold);
	sqlite3_close(a->db);
	a->db = NULL;
}

proauth2_status sqlite_anchor_option(sqlite3 *db, bool *on, proauth2_error *err)
{
	const char *value = sqlite3_uri_parameter(sqlite3_db_filename(db, "main"),
			"read_anchor");

	*on = value == NULL || sqlite3_stricmp(value, "on") == 0;
	if (*on || sqlite3_stricmp(value, "off") == 0)
		return PROAUTH2_OK;
	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
			"sqlite: read_anchor=%.20s: use on or off", value);
}

void sqlite_anchor_start(struct sqlite_store *s)
{
	struct read_anchor *a = &s->anchor;
	sigset_t all, old;

	if (!anchor_open(s, a))
		return;
	pthread_mutex_init(&a->lock, NULL);
	sqlite_cond_init_monotonic(&a->wake);
	pthread_cond_init(&a->released, NULL);
	/* The host's signals go to the host's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_mutex_lock(&running_lock);
	a->running = pthread_create(&a->thread, NULL, anchor_run, s) == 0;
	if (a->running) {
		a->next_running = running;
		running = a;
	}
	pthread_mutex_unlock(&running_lock);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!a->running)
		anchor_free(a);
}

void sqlite_anchor_stop(struct sqlite_store *s)
{
	struct read_anchor *a = &s->anchor, **link;

	if (!a->running)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	pthread_mutex_lock(&running_lock);
	for (link = &running; *link != a; link = &(*link)->next_running)
		;
	*link = a->next_running;
	pthread_mutex_unlock(&running_lock);
	a->running = false;
	anchor_free(a);
}

void sqlite_anchor_read(struct sqlite_store *s)
{
	struct read_anchor *a = &s->anchor;

	if (!a->running)
		return;
	__atomic_add_fetch(&a->reads, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&a->sleeping, __ATOMIC_SEQ_CST)) {
		pthread_mutex_lock(&a->lock);
		pthread_cond_signal(&a->wake);
		pthread_mutex_unlock(&a->lock);
	}
}

void sqlite_anchor_write(struct sqlite_store *s)
{
	struct read_anchor *a = &s->anchor;

	if (!a->running)
		return;
	__atomic_add_fetch(&a->writes, 1, __ATOMIC_SEQ_CST);
	/* The anchor takes hold only under the writer's lock, which the
	 * caller has: held cannot become true till it is let go. */
	if (!__atomic_load_n(&a->held, __ATOMIC_SEQ_CST))
		return;
	pthread_mutex_lock(&a->lock);
	a->writers_waiting++;
	pthread_cond_signal(&a->wake);
	while (__atomic_load_n(&a->held, __ATOMIC_SEQ_CST))
		pthread_cond_wait(&a->released, &a->lock);
	a->writers_waiting--;
	pthread_mutex_unlock(&a->lock);
}
