/*
 * The SQLite datastore: one SQL table per schema table, a column per field
 * (string arrays as JSON text), indexes on queried fields, prepared
 * statements cached per connection by what they do. Writes go through one
 * connection, serialised by a mutex. On a file, reads borrow a connection of
 * their own from a pool, so they run beside each other and beside a commit's
 * fsync, and see committed data only; a memory database is private to its
 * connection, so there reads take the writer's.
 *
 * This file holds the ops table and its entry points; connection.c the
 * connections, reader_pool.c the readers, schema.c the schema and its
 * upgrades, group_commit.c write batches and groups, rows.c the mapping of
 * records to rows and the SQL built from the schema, purge.c the expired
 * rows the writes reclaim.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <proauth2/sqlite.h>

#include "sqlite_int.h"

/*
 * A WAL is reused from its start once checkpointed, but never shrinks: a
 * reader that held a snapshot through a burst of writes leaves it at its
 * peak (53-85 MB seen). The writer cuts it back to this when it starts it
 * over. 4 MiB is a little more than the 1000 pages at which SQLite
 * checkpoints, so a WAL in steady use is not cut and regrown each time.
 */
#define JOURNAL_SIZE_LIMIT "PRAGMA journal_size_limit = 4194304"

/*
 * A store opened before fork() is the parent's: SQLite's locks are per
 * process and its connections cannot cross a fork (its own docs, "How To
 * Corrupt"). Its methods refuse any other process, before they touch a
 * lock a parent thread may have held at the fork.
 *
 * Writes and close compare the process id. Reads, many to a write,
 * compare a count of forks instead, which an atfork handler adds to in
 * the child: getpid() is a system call (1% of the demo's time serving
 * /api/me). A child made without fork()'s handlers (_Fork(), a raw
 * clone) is not counted, so there only its writes are refused; where the
 * handler could not be registered, reads compare the process id too.
 */
static unsigned long forks;
static bool forks_counted;

static void count_fork(void)
{
	forks++;  /* in the child, its only thread */
}

/*
 * Every store of this process's memory: its own open ones, and those a
 * fork copied from the parent, open there or closed here (never freed:
 * the memory is the parent's copy). Linked at open, unlinked at close in
 * the opening process.
 */
static struct sqlite_store *stores;
static pthread_mutex_t stores_lock = PTHREAD_MUTEX_INITIALIZER;

static void stores_before_fork(void)
{
	pthread_mutex_lock(&stores_lock);
}

static void stores_after_fork(void)
{
	pthread_mutex_unlock(&stores_lock);
}

static bool opened_here(const struct sqlite_store *s)
{
	return s->pid == getpid() && (!forks_counted || s->forks == forks);
}

/*
 * SQLite keeps one record of locks per file and process, found by the
 * inode. A child's copy of the memory holds its parent's records for every
 * file the parent had open at the fork, and a connection the child opens
 * on such a file joins them: it takes no lock the records say are held, so
 * the parent's last close finds itself alone, checkpoints and deletes the
 * -wal under the child, and the child's writes are told OK and lost. So a
 * store of s's file copied from a parent refuses s, right after its writer
 * opened the file: SQLite's open has joined those records then, but taken
 * no lock of the file and read no more than its header. Else s joins the
 * list.
 */
static proauth2_status link_store(struct sqlite_store *s, proauth2_error *err)
{
	const struct sqlite_store *o;
	proauth2_status status = PROAUTH2_OK;

	pthread_mutex_lock(&stores_lock);
	for (o = stores; o != NULL && s->file != NULL; o = o->next_store)
		if (o->file != NULL && !opened_here(o) && sqlite_file_same(&o->ids[0], &s->ids[0])) {
			status = proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
					"sqlite: %.200s was open in the parent process when it"
					" forked: close it before fork(), or open it only after",
					s->file);
			break;
		}
	if (status == PROAUTH2_OK) {
		s->next_store = stores;
		stores = s;
	}
	pthread_mutex_unlock(&stores_lock);
	return status;
}

static void unlink_store(struct sqlite_store *s)
{
	struct sqlite_store **link;

	pthread_mutex_lock(&stores_lock);
	for (link = &stores; *link != NULL && *link != s; link = &(*link)->next_store)
		;
	if (*link != NULL)
		*link = s->next_store;
	pthread_mutex_unlock(&stores_lock);
}

/* At load: before any store exists, and before any later library's
 * handler that might use one in a child. */
__attribute__((constructor)) static void count_forks(void)
{
	forks_counted = pthread_atfork(NULL, NULL, count_fork) == 0;
	pthread_atfork(stores_before_fork, stores_after_fork, stores_after_fork);
}

static proauth2_status refused(proauth2_error *err)
{
	return proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
			"sqlite: the datastore was opened in another process:"
			" open it after fork()");
}

static proauth2_status elsewhere(const struct sqlite_store *s, proauth2_error *err)
{
	return s->pid == getpid() ? PROAUTH2_OK : refused(err);
}

static proauth2_status read_elsewhere(const struct sqlite_store *s, proauth2_error *err)
{
	if (!forks_counted)
		return elsewhere(s, err);
	return s->forks == forks ? PROAUTH2_OK : refused(err);
}

/* A write goes into this process's own store, and into the file the path
 * still names: checked before the writer lock is taken. */
static proauth2_status may_write(const struct sqlite_store *s, proauth2_error *err)
{
	proauth2_status status = elsewhere(s, err);

	return status == PROAUTH2_OK ? sqlite_file_unchanged(s, err) : status;
}

static void sqlite_close(void *cls)
{
	struct sqlite_store *s = cls;
	struct connection *conn;
	bool replaced;

	if (s == NULL)
		return;
	if (s->pid != getpid()) {
		/* A parent's store: closing its connections here would close
		 * the last ones, which checkpoint and delete -wal and -shm
		 * under the parent, with locks a parent thread may have held.
		 * It stays in the list. Its -wait lock is the parent's too:
		 * the descriptor is closed here, the lock stays with the
		 * parent's. */
		if (s->writer.wait_fd >= 0)
			close(s->writer.wait_fd);
		s->writer.wait_fd = -1;
		return;
	}
	sqlite_anchor_stop(s);
	replaced = s->file != NULL && sqlite_file_unchanged(s, NULL) != PROAUTH2_OK;
	while ((conn = s->idle_readers) != NULL) {
		s->idle_readers = conn->next;
		sqlite_connection_close(conn);
		free(conn);
	}
	sqlite_connection_close(&s->writer);
	if (replaced)
		sqlite_file_forget(s);
	/* Only now: a fork while its connections close must find it, as
	 * SQLite's records of the file are still there. */
	unlink_store(s);
	free(s->file);
	free(s->uri);
	pthread_mutex_destroy(&s->readers_lock);
	pthread_cond_destroy(&s->finished);
	pthread_cond_destroy(&s->joining);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/*
 * The durability a "file:" URI asks for with ?synchronous=: "full" (the
 * default: a commit survives a power cut, at one fsync per commit) or
 * "normal" (a commit survives the process crashing; a power cut may lose
 * the last ones, the file stays sound). NULL, with err set, for another.
 */
static const char *sync_pragma(sqlite3 *db, proauth2_error *err)
{
	const char *mode = sqlite3_uri_parameter(sqlite3_db_filename(db, "main"),
			"synchronous");

	if (mode == NULL || sqlite3_stricmp(mode, "full") == 0)
		return "PRAGMA synchronous = FULL";
	if (sqlite3_stricmp(mode, "normal") == 0)
		return "PRAGMA synchronous = NORMAL";
	proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
			"sqlite: synchronous=%.20s: use full or normal", mode);
	return NULL;
}

static proauth2_status sqlite_init(const char *uri, void **cls, proauth2_error *err)
{
	struct sqlite_store *s = calloc(1, sizeof(*s));
	const char *synchronous, *filename;
	bool anchor;
	proauth2_status status;
	int rc;

	*cls = NULL;
	if (s == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	s->writer.wait_fd = -1;
	s->forks = forks;
	s->pid = getpid();
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->readers_lock, NULL);
	pthread_cond_init(&s->finished, NULL);
	s->company = 1.0;
	s->last_purge = (int64_t)time(NULL);
	sqlite_cond_init_monotonic(&s->joining);
	s->uri = strdup(uri);
	if (s->uri == NULL) {
		sqlite_close(s);
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	}
	rc = sqlite_connection_open(s, &s->writer, SQLITE_OPEN_CREATE);
	if (rc != SQLITE_OK) {
		status = sqlite_fail(s->writer.db, rc, "open", err);
		sqlite_close(s);
		return status;
	}
	if (sqlite_file_note(s, err) != 0) {
		status = err ? err->status : PROAUTH2_ERR_DATASTORE;
		sqlite_close(s);
		return status;
	}
	if ((status = link_store(s, err)) != PROAUTH2_OK) {
		sqlite_close(s);
		return status;
	}
	synchronous = sync_pragma(s->writer.db, err);
	if (synchronous == NULL ||
			sqlite_busy_option(s->writer.db, &s->busy_timeout_ms, err) != PROAUTH2_OK ||
			sqlite_anchor_option(s->writer.db, &anchor, err) != PROAUTH2_OK) {
		sqlite_close(s);
		return PROAUTH2_ERR_INVALID_ARGUMENT;
	}
	/* WAL lets readers run beside the writer. A memory database answers
	 * "memory" and stays as it is. Switching writes the file: a file this
	 * library will refuse is refused before, untouched. */
	if ((status = sqlite_refuse_newer(s, err)) != PROAUTH2_OK ||
			(status = sqlite_schema_exec(s, "PRAGMA journal_mode = WAL", err)) != PROAUTH2_OK ||
			(status = sqlite_schema_exec(s, JOURNAL_SIZE_LIMIT, err)) != PROAUTH2_OK ||
			(status = sqlite_schema_exec(s, synchronous, err)) != PROAUTH2_OK ||
			(status = sqlite_ensure_schema(s, err)) != PROAUTH2_OK) {
		sqlite_close(s);
		return status;
	}
	filename = sqlite3_db_filename(s->writer.db, "main");
	s->on_disk = filename != NULL && filename[0] != '\0';
	sqlite_file_note_wal(s);
	sqlite_wait_file_open(s);
	if (s->on_disk && anchor)
		sqlite_anchor_start(s);
	*cls = s;
	return PROAUTH2_OK;
}

/* INSERT or UPDATE of every field of a record. */
static proauth2_status write_record(struct sqlite_store *s, const proauth2_table *t,
		json_t *record, int update, proauth2_error *err)
{
	const struct statement_key key = {
		update ? STATEMENT_UPDATE : STATEMENT_INSERT, t, NULL, NULL};
	sqlite3_stmt *stmt;
	uint64_t batch = 0;
	int64_t deadline = sqlite_deadline(s);
	int rc = SQLITE_OK;
	proauth2_status status = PROAUTH2_OK;

	if ((status = may_write(s, err)) != PROAUTH2_OK)
		return status;
	if ((status = sqlite_write_lock(s, deadline, err)) != PROAUTH2_OK)
		return status;
	stmt = sqlite_statement(&s->writer, &key, err);
	status = stmt != NULL ? sqlite_batch_join(s, &batch, err) :
		err ? err->status : PROAUTH2_ERR_DATASTORE;
	if (status != PROAUTH2_OK) {
		pthread_mutex_unlock(&s->lock);
		return status;
	}
	rc = sqlite_bind_record(stmt, t, record, update);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		status = (rc & 0xff) == SQLITE_CONSTRAINT ?
			proauth2_error_set(err, PROAUTH2_ERR_CONFLICT,
					"sqlite: a %s record with this key exists", t->name) :
			sqlite_fail(s->writer.db, rc, update ? "replace" : "store", err);
	else if (update && sqlite3_changes(s->writer.db) == 0)
		status = proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
				"sqlite: no %s record with this key", t->name);
	sqlite_release(stmt);
	if (status == PROAUTH2_OK && sqlite_purge_due(s))
		sqlite_purge_step(s);
	status = sqlite_batch_settle(s, batch, status, err);
	pthread_mutex_unlock(&s->lock);
	return status;
}

static proauth2_status sqlite_store(void *cls, const proauth2_table *t,
		json_t *record, proauth2_error *err)
{
	return write_record(cls, t, record, 0, err);
}

static proauth2_status sqlite_replace(void *cls, const proauth2_table *t,
		json_t *record, proauth2_error *err)
{
	return write_record(cls, t, record, 1, err);
}

/* A reader for this call and key's statement prepared on it; on failure
 * the reader is given back. */
static proauth2_status read_statement(struct sqlite_store *s,
		const struct statement_key *key, struct connection **conn,
		sqlite3_stmt **stmt, proauth2_error *err)
{
	*conn = sqlite_reader_take(s, sqlite_deadline(s), err);
	if (*conn == NULL)
		return err ? err->status : PROAUTH2_ERR_DATASTORE;
	*stmt = sqlite_statement(*conn, key, err);
	if (*stmt == NULL) {
		sqlite_reader_give(s, *conn);
		return err ? err->status : PROAUTH2_ERR_DATASTORE;
	}
	return PROAUTH2_OK;
}

/* fetch, and fetch_unmarked when marks is not NULL. */
static proauth2_status fetch_row(struct sqlite_store *s, const proauth2_table *t,
		json_t *query, const proauth2_table *marks, int64_t now,
		json_t **record, proauth2_error *err)
{
	const struct statement_key key = {
		marks != NULL ? STATEMENT_SELECT_UNMARKED : STATEMENT_SELECT, t,
		query, marks};
	struct connection *conn;
	sqlite3_stmt *stmt;
	proauth2_status status = PROAUTH2_OK;
	int rc;

	*record = NULL;
	if ((status = read_elsewhere(s, err)) != PROAUTH2_OK)
		return status;
	if ((status = read_statement(s, &key, &conn, &stmt, err)) != PROAUTH2_OK)
		return status;
	rc = sqlite_bind_query(stmt, query, 1);
	if (rc == SQLITE_OK && marks != NULL &&
			proauth2_table_field(marks, "expires_at") != NULL)
		rc = sqlite3_bind_int64(stmt, (int)json_object_size(query) + 1, now);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		status = proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
				"sqlite: no such %s record", t->name);
	} else if (rc == SQLITE_ROW) {
		*record = sqlite_row_record(stmt, t);
		rc = sqlite3_step(stmt);
		if (*record == NULL)
			status = proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
		else if (rc == SQLITE_ROW)
			status = proauth2_error_set(err, PROAUTH2_ERR_CONFLICT,
					"sqlite: more than one %s record matches", t->name);
		else if (rc != SQLITE_DONE)
			status = sqlite_fail(conn->db, rc, "fetch", err);
		if (status != PROAUTH2_OK) {
			json_decref(*record);
			*record = NULL;
		}
	} else {
		status = sqlite_fail(conn->db, rc, "fetch", err);
	}
	sqlite_release(stmt);
	sqlite_reader_give(s, conn);
	return status;
}

static proauth2_status sqlite_fetch(void *cls, const proauth2_table *t,
		json_t *query, json_t **record, proauth2_error *err)
{
	return fetch_row(cls, t, query, NULL, 0, record, err);
}

static proauth2_status sqlite_fetch_unmarked(void *cls, const proauth2_table *t,
		json_t *query, const proauth2_table *marks, int64_t now,
		json_t **record, proauth2_error *err)
{
	return fetch_row(cls, t, query, marks, now, record, err);
}

/* Run key's DELETE, with its query's values bound from index 1, or (a
 * purge) now at index 1; *removed gets the count. */
static proauth2_status run_delete(struct sqlite_store *s,
		const struct statement_key *key, const int64_t *now, size_t *removed,
		proauth2_error *err)
{
	sqlite3_stmt *stmt;
	proauth2_status status;
	uint64_t batch = 0;
	int64_t deadline = sqlite_deadline(s);
	int rc = SQLITE_OK;

	*removed = 0;
	if ((status = may_write(s, err)) != PROAUTH2_OK ||
			(status = sqlite_write_lock(s, deadline, err)) != PROAUTH2_OK)
		return status;
	stmt = sqlite_statement(&s->writer, key, err);
	status = stmt != NULL ? sqlite_batch_join(s, &batch, err) :
		err ? err->status : PROAUTH2_ERR_DATASTORE;
	if (status != PROAUTH2_OK) {
		pthread_mutex_unlock(&s->lock);
		return status;
	}
	if (key->query != NULL)
		rc = sqlite_bind_query(stmt, key->query, 1);
	if (rc == SQLITE_OK && now != NULL)
		rc = sqlite3_bind_int64(stmt, 1, *now);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		*removed = (size_t)sqlite3_changes(s->writer.db);
	else
		status = sqlite_fail(s->writer.db, rc, "remove", err);
	sqlite_release(stmt);
	status = sqlite_batch_settle(s, batch, status, err);
	if (status != PROAUTH2_OK)
		*removed = 0;
	pthread_mutex_unlock(&s->lock);
	return status;
}

static proauth2_status sqlite_remove(void *cls, const proauth2_table *t,
		json_t *query, size_t *removed, proauth2_error *err)
{
	const struct statement_key key = {STATEMENT_DELETE, t, query, NULL};

	return run_delete(cls, &key, NULL, removed, err);
}

/* The bounded step of purge.c, repeated until the table has no more: the
 * writer's lock is let go between steps, so other writers go on. */
static proauth2_status sqlite_purge_expired(void *cls, const proauth2_table *t,
		int64_t now, size_t *removed, proauth2_error *err)
{
	const struct statement_key key = {STATEMENT_PURGE, t, NULL, NULL};
	size_t step = PURGE_ROWS;
	proauth2_status status = PROAUTH2_OK;

	*removed = 0;
	if (elsewhere(cls, err) != PROAUTH2_OK)
		return PROAUTH2_ERR_DATASTORE;
	if (proauth2_table_field(t, "expires_at") == NULL)
		return PROAUTH2_OK;
	while (status == PROAUTH2_OK && step == PURGE_ROWS) {
		status = run_delete(cls, &key, &now, &step, err);
		*removed += step;
	}
	return status;
}

/* Up to limit rows matching query, not expired (rows.c's count_sql). */
static proauth2_status sqlite_count(void *cls, const proauth2_table *t,
		json_t *query, int64_t now, size_t limit, size_t *n, proauth2_error *err)
{
	struct sqlite_store *s = cls;
	const struct statement_key key = {STATEMENT_COUNT, t, query, NULL};
	struct connection *conn;
	sqlite3_stmt *stmt;
	bool expires = proauth2_table_field(t, "expires_at") != NULL;
	int rc, i = 1 + (query != NULL ? (int)json_object_size(query) : 0);
	proauth2_status status = PROAUTH2_OK;

	*n = 0;
	if ((status = read_elsewhere(s, err)) != PROAUTH2_OK)
		return status;
	if ((status = read_statement(s, &key, &conn, &stmt, err)) != PROAUTH2_OK)
		return status;
	rc = query != NULL ? sqlite_bind_query(stmt, query, 1) : SQLITE_OK;
	if (rc == SQLITE_OK && expires)
		rc = sqlite3_bind_int64(stmt, i++, now);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(stmt, i, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(stmt, 0);
	else
		status = sqlite_fail(conn->db, rc, "count", err);
	sqlite_release(stmt);
	sqlite_reader_give(s, conn);
	return status;
}

static proauth2_status begin_writes(void *cls, proauth2_error *err)
{
	proauth2_status status = elsewhere(cls, err);

	return status != PROAUTH2_OK ? status : sqlite_begin_writes(cls, err);
}

static proauth2_status end_writes(void *cls, proauth2_error *err)
{
	proauth2_status status = elsewhere(cls, err);

	return status != PROAUTH2_OK ? status : sqlite_end_writes(cls, err);
}

static const proauth2_datastore_ops sqlite_ops = {
	.api_version = PROAUTH2_DATASTORE_API_VERSION,
	.struct_size = sizeof(proauth2_datastore_ops),
	.name = "sqlite",
	.init = sqlite_init,
	.store = sqlite_store,
	.fetch = sqlite_fetch,
	.remove = sqlite_remove,
	.close = sqlite_close,
	.purge_expired = sqlite_purge_expired,
	.replace = sqlite_replace,
	.begin_writes = begin_writes,
	.end_writes = end_writes,
	.count = sqlite_count,
	.fetch_unmarked = sqlite_fetch_unmarked,
};

const proauth2_datastore_ops *proauth2_sqlite_ops(void)
{
	return &sqlite_ops;
}
