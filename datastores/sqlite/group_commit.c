/*
 * Group commit, on a file: writers that come together share one
 * transaction and so one fsync. Each runs its statement in the open batch,
 * and the first commits the batch once the writers queued behind it have
 * joined. Nobody hears back before the batch is durable. A memory database
 * commits each statement on its own: there is no fsync to share.
 *
 * Write groups (begin_writes to end_writes) let one thread's writes join
 * batches without waiting, and wait once, in end_writes.
 */
#include <sched.h>
#include <time.h>

#include "sqlite_int.h"

#define BATCH_JOIN_YIELDS 64  /* how long a leader lets others join */
/* When writers have been coming together, a leader also waits this long for
 * company: less than an fsync costs, and it saves one for each who joins. */
#define BATCH_DELAY_NS 200000

static __thread struct write_group thread_group;

struct write_group *sqlite_group_on(struct sqlite_store *s)
{
	return thread_group.store == s ? &thread_group : NULL;
}

void sqlite_group_joined(struct write_group *g, uint64_t batch)
{
	if (g->first == 0)
		g->first = batch;
	g->last = batch;
}

/* An open group in the open batch holds it open: a group's writes commit
 * together or not at all, so the batch waits for its end. A group whose
 * batch failed joins no other. */
void sqlite_group_enter(struct sqlite_store *s, struct write_group *g)
{
	if (!s->in_batch || g->failed)
		return;
	if (g->last != s->batch)
		s->holding++;
	sqlite_group_joined(g, s->batch);
}

void sqlite_cond_init_monotonic(pthread_cond_t *cond)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
}

/* Take the lock as a writer: a leader waits for queued writers to join,
 * and for company when writers keep finding the lock taken. */
proauth2_status sqlite_write_lock(struct sqlite_store *s, int64_t deadline,
		proauth2_error *err)
{
	proauth2_status status;

	if (pthread_mutex_trylock(&s->lock) == 0) {
		s->writer.deadline = deadline;
	} else {
		__atomic_add_fetch(&s->queued, 1, __ATOMIC_SEQ_CST);
		status = sqlite_lock_until(s, deadline, err);
		__atomic_sub_fetch(&s->queued, 1, __ATOMIC_SEQ_CST);
		if (status != PROAUTH2_OK)
			return status;
		s->kept_waiting++;
	}
	sqlite_anchor_write(s);
	return PROAUTH2_OK;
}

/* A failed COMMIT's outcome is unknown; a batch rolled back is not. */
static proauth2_status not_committed(const struct write_group *g,
		proauth2_error *err)
{
	if (g->commit_failed)
		return proauth2_error_set(err, PROAUTH2_ERR_OUTCOME_UNKNOWN,
				"sqlite: the commit failed, so its outcome is unknown "
				"(recovery after a crash may replay it)");
	return proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
			"sqlite: the transaction did not commit");
}

/* A group whose batch failed writes nothing more: what it wrote before is
 * gone, and the rest alone must not commit. */
proauth2_status sqlite_batch_join(struct sqlite_store *s, uint64_t *batch,
		proauth2_error *err)
{
	struct write_group *g = sqlite_group_on(s);
	proauth2_status status;

	if (!s->on_disk)
		return PROAUTH2_OK;
	if (g != NULL && g->failed)
		return not_committed(g, err);
	/* Rolled back behind our back: a statement would autocommit. */
	sqlite_writer_check(s);
	if (!s->in_batch) {
		if ((status = sqlite_lock_file(s, "begin", err)) != PROAUTH2_OK)
			return status;
		s->in_batch = true;
		s->batch++;
		s->joined = 0;
	}
	s->joined++;
	pthread_cond_signal(&s->joining);
	*batch = s->batch;
	return PROAUTH2_OK;
}

/* End the open batch with COMMIT (or, when it failed, ROLLBACK) and wake
 * its writers. */
static void batch_end(struct sqlite_store *s, bool commit)
{
	struct write_group *g;

	bool commit_failed = false;

	if (!commit || (commit_failed = sqlite3_exec(s->writer.db, "COMMIT",
				NULL, NULL, NULL) != SQLITE_OK)) {
		if (!sqlite3_get_autocommit(s->writer.db))
			sqlite3_exec(s->writer.db, "ROLLBACK", NULL, NULL, NULL);
		for (g = s->groups; g != NULL; g = g->next)
			if (g->first != 0 && g->first <= s->batch && s->batch <= g->last) {
				g->failed = true;
				g->commit_failed |= commit_failed;
			}
	}
	s->in_batch = false;
	s->holding = 0;
	/* Writers kept waiting would have joined, had the batch waited for
	 * them. Averaged, so that one batch that went alone does not stop
	 * the next from waiting. */
	s->company = 0.9 * s->company + 0.1 * (s->joined + s->kept_waiting);
	s->kept_waiting = 0;
	s->committed = s->batch;
	pthread_cond_broadcast(&s->finished);
	/* Its leader, if waiting for company or groups, need wait no more. */
	pthread_cond_broadcast(&s->joining);
}

/* Give the writers who have been coming together a moment to join batch,
 * while it is open. */
static void wait_for_company(struct sqlite_store *s, uint64_t batch)
{
	unsigned expected = s->company < 2 ? 2 : (unsigned)(s->company + 0.5);
	struct timespec deadline;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_nsec += BATCH_DELAY_NS;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	while (s->in_batch && s->batch == batch && s->joined < expected &&
			pthread_cond_timedwait(&s->joining, &s->lock, &deadline) == 0)
		;
}

/* An I/O error or a full disk can roll the whole transaction back. */
static void batch_check(struct sqlite_store *s, uint64_t batch)
{
	if (s->in_batch && s->batch == batch && sqlite3_get_autocommit(s->writer.db))
		batch_end(s, false);
}

void sqlite_writer_check(struct sqlite_store *s)
{
	if (s->in_batch)
		batch_check(s, s->batch);
}

/* Under the lock: a group hears of every batch it joined that fails, however
 * late it wakes (batch_end marks it). */
static void group_link(struct sqlite_store *s, struct write_group *g)
{
	g->next = s->groups;
	s->groups = g;
}

static void group_unlink(struct sqlite_store *s, struct write_group *g)
{
	struct write_group **link;

	for (link = &s->groups; *link != g; link = &(*link)->next)
		;
	*link = g->next;
}

/* Lead the open batch: let others join it, then commit it, unless it has
 * ended meanwhile (an I/O error in another writer's statement). */
static void batch_lead(struct sqlite_store *s, uint64_t batch)
{
	int yields;

	s->leader = batch;
	if (s->company > 1.2)
		wait_for_company(s, batch);
	for (yields = 0; yields < BATCH_JOIN_YIELDS && s->committed < batch &&
			__atomic_load_n(&s->queued, __ATOMIC_SEQ_CST) > 0; yields++) {
		pthread_mutex_unlock(&s->lock);
		sched_yield();
		pthread_mutex_lock(&s->lock);
	}
	while (s->committed < batch && s->holding > 0)
		pthread_cond_wait(&s->joining, &s->lock);
	if (s->committed < batch)
		batch_end(s, true);
	if (s->leader == batch)
		s->leader = 0;
}

/*
 * Under the lock: return once batch is finished, committing it if no other
 * writer leads it. Whether it committed, the groups that joined it are
 * told. Leadership is per batch: a leader whose batch ended while it waited
 * leads no other, and the next batch's first writer leads that one.
 */
static void batch_finish(struct sqlite_store *s, uint64_t batch)
{
	batch_check(s, batch);
	/* Batches end in order: until batch has, it is the open one. */
	while (s->committed < batch) {
		if (s->leader != batch)
			batch_lead(s, batch);
		else
			pthread_cond_wait(&s->finished, &s->lock);
	}
}

/* A write outside a group is a group of one, registered before its batch
 * can end: "the last batch that failed" may be a later one by the time the
 * writer wakes. */
proauth2_status sqlite_batch_settle(struct sqlite_store *s, uint64_t batch,
		proauth2_status status, proauth2_error *err)
{
	struct write_group *g = sqlite_group_on(s), lone = {.store = s};

	if (!s->on_disk)
		return status;
	if (g != NULL) {
		/* In first, so that the batch's failure, if this statement
		 * rolled it back, is the group's. */
		sqlite_group_enter(s, g);
		batch_check(s, batch);
		return status;
	}
	sqlite_group_joined(&lone, batch);
	group_link(s, &lone);
	batch_finish(s, batch);
	group_unlink(s, &lone);
	return lone.failed ? not_committed(&lone, err) : status;
}

/* A memory database has no batches: each write is done when it returns. A
 * group already open on another datastore leaves this one's writes alone. */
proauth2_status sqlite_begin_writes(void *cls, proauth2_error *err)
{
	struct sqlite_store *s = cls;

	(void)err;
	if (thread_group.store == s) {
		thread_group.depth++;
		return PROAUTH2_OK;
	}
	if (!s->on_disk || thread_group.store != NULL)
		return PROAUTH2_OK;
	thread_group = (struct write_group){.store = s, .depth = 1,
		.deadline = sqlite_deadline_from_now(s)};
	pthread_mutex_lock(&s->lock);
	group_link(s, &thread_group);
	pthread_mutex_unlock(&s->lock);
	return PROAUTH2_OK;
}

proauth2_status sqlite_end_writes(void *cls, proauth2_error *err)
{
	struct sqlite_store *s = cls;
	struct write_group *g = sqlite_group_on(s);
	proauth2_status status = PROAUTH2_OK;

	if (g == NULL || --g->depth > 0)
		return PROAUTH2_OK;
	pthread_mutex_lock(&s->lock);
	if (s->in_batch && g->last == s->batch && --s->holding == 0)
		pthread_cond_broadcast(&s->joining);
	if (g->last != 0)
		batch_finish(s, g->last);
	if (g->failed)
		status = not_committed(g, err);
	group_unlink(s, g);
	pthread_mutex_unlock(&s->lock);
	*g = (struct write_group){0};
	return status;
}
