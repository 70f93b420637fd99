/*
 * The SQLite datastore: one SQL table per schema table, a column per field
 * (string arrays as JSON text), indexes on queried fields, prepared
 * statements cached per connection by their SQL text. Writes go through one
 * connection, serialised by a mutex. On a file, reads borrow a connection of
 * their own from a pool, so they run beside each other and beside a commit's
 * fsync, and see committed data only; a memory database is private to its
 * connection, so there reads take the writer's.
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include <proauth2/datastore.h>
#include <proauth2/sqlite.h>

#define BUSY_TIMEOUT_MS 5000
#define SQL_MAX 1024

struct cached_statement {
	char *sql;
	sqlite3_stmt *stmt;
	struct cached_statement *next;
};

/* A connection and the statements prepared on it. */
struct connection {
	sqlite3 *db;
	struct cached_statement *statements;
	struct connection *next;  /* in the pool of idle readers */
};

/* Idle readers kept open; more are opened while more threads read at once,
 * and closed as they come back. Opening one, with its first statement,
 * costs some 30 reads (330 us against 10 us here): keep enough for a
 * host's worker threads. */
#define READERS_KEPT 64

/* Writers that come together share one transaction and so one fsync (a
 * group commit): each runs its statement in the open batch, and the first
 * commits the batch once the writers queued behind it have joined. Nobody
 * hears back before the batch is durable. A memory database commits each
 * statement on its own: there is no fsync to share. */
#define BATCH_JOIN_YIELDS 64  /* how long a leader lets others join */
/* When writers have been coming together, a leader also waits this long for
 * company: less than an fsync costs, and it saves one for each who joins. */
#define BATCH_DELAY_NS 200000

struct sqlite_store {
	struct connection writer;
	pthread_mutex_t lock;    /* the writer's */
	bool on_disk;            /* not a memory database: readers, group commit */
	char *uri;               /* to open readers with */
	pthread_mutex_t readers_lock;
	struct connection *idle_readers;
	unsigned n_idle_readers;
	bool in_batch;           /* a transaction is open */
	bool leading;            /* a writer is committing the open batch */
	uint64_t batch;          /* the open batch, else the last one */
	uint64_t committed;      /* batches up to this one are finished */
	uint64_t failed;         /* the last batch that did not commit */
	int queued;              /* writers waiting for the lock */
	unsigned joined;         /* writers in the open batch */
	unsigned kept_waiting;   /* writers who found the lock taken, since */
	double company;          /* writers about per batch, a moving average */
	pthread_cond_t finished;
	pthread_cond_t joining;  /* a writer joined the open batch */
	struct write_group *groups;  /* open groups, to hear of failed batches */
};

/*
 * A thread's writes that become durable together (begin_writes to
 * end_writes): each joins a batch without waiting for its commit, and the
 * group waits once, for the last batch it joined. Its reads go through the
 * writer, which sees the open batch, so they wait for that batch too.
 */
struct write_group {
	struct sqlite_store *store;  /* NULL: none open on this thread */
	unsigned depth;              /* begin_writes calls not yet ended */
	uint64_t first, last;        /* batches joined or read from; 0: none */
	bool failed;                 /* one of them did not commit */
	struct write_group *next;    /* in store->groups */
};

static __thread struct write_group thread_group;

/* The calling thread's open group on s, or NULL. */
static struct write_group *group_on(struct sqlite_store *s)
{
	return thread_group.store == s ? &thread_group : NULL;
}

static void group_joined(struct write_group *g, uint64_t batch)
{
	if (g->first == 0)
		g->first = batch;
	g->last = batch;
}

/* Translate an SQLite result into a status; err gets SQLite's message. */
static proauth2_status fail(sqlite3 *db, int rc, const char *doing,
		proauth2_error *err)
{
	proauth2_status status;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		status = PROAUTH2_ERR_UNAVAILABLE;
		break;
	case SQLITE_NOMEM:
		status = PROAUTH2_ERR_NOMEM;
		break;
	case SQLITE_CONSTRAINT:
		status = PROAUTH2_ERR_CONFLICT;
		break;
	default:
		status = PROAUTH2_ERR_DATASTORE;
	}
	return proauth2_error_set(err, status, "sqlite: %s: %s", doing,
			db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* The cached statement for sql, prepared on first use; NULL on failure. */
static sqlite3_stmt *statement(struct connection *conn, const char *sql,
		proauth2_error *err)
{
	struct cached_statement *c;
	int rc;

	for (c = conn->statements; c != NULL; c = c->next)
		if (strcmp(c->sql, sql) == 0)
			return c->stmt;
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->sql = strdup(sql)) == NULL) {
		free(c);
		proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
		return NULL;
	}
	rc = sqlite3_prepare_v3(conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			&c->stmt, NULL);
	if (rc != SQLITE_OK) {
		fail(conn->db, rc, "prepare", err);
		free(c->sql);
		free(c);
		return NULL;
	}
	c->next = conn->statements;
	conn->statements = c;
	return c->stmt;
}

static void release(sqlite3_stmt *stmt)
{
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

/* Bind a validated JSON value at index i (1-based). */
static int bind_value(sqlite3_stmt *stmt, int i, const json_t *value)
{
	char *text;
	int rc;

	if (value == NULL)
		return sqlite3_bind_null(stmt, i);
	if (json_is_integer(value))
		return sqlite3_bind_int64(stmt, i, json_integer_value(value));
	if (json_is_string(value))
		return sqlite3_bind_text(stmt, i, json_string_value(value),
				(int)json_string_length(value), SQLITE_TRANSIENT);
	text = json_dumps(value, JSON_COMPACT);
	if (text == NULL)
		return SQLITE_NOMEM;
	rc = sqlite3_bind_text(stmt, i, text, -1, free);
	return rc;
}

/* Column i of the current row as JSON for field f; NULL for SQL NULL. */
static json_t *column_value(sqlite3_stmt *stmt, int i, const proauth2_field *f)
{
	const char *text;

	if (sqlite3_column_type(stmt, i) == SQLITE_NULL)
		return NULL;
	switch (f->type) {
	case PROAUTH2_FIELD_INTEGER:
		return json_integer(sqlite3_column_int64(stmt, i));
	case PROAUTH2_FIELD_STRING:
		text = (const char *)sqlite3_column_text(stmt, i);
		return text ? json_stringn(text, (size_t)sqlite3_column_bytes(stmt, i)) : NULL;
	case PROAUTH2_FIELD_STRING_ARRAY:
		text = (const char *)sqlite3_column_text(stmt, i);
		return text ? json_loads(text, 0, NULL) : NULL;
	}
	return NULL;
}

/* Append " WHERE a = ? AND b = ?" for query's fields to sql. */
static int append_where(char *sql, size_t size, const json_t *query)
{
	const char *name;
	json_t *value;
	size_t len = strlen(sql);
	int first = 1;

	json_object_foreach((json_t *)query, name, value) {
		int n = snprintf(sql + len, size - len, "%s\"%s\" = ?",
				first ? " WHERE " : " AND ", name);

		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
		first = 0;
	}
	return 0;
}

static int bind_query(sqlite3_stmt *stmt, const json_t *query, int first)
{
	const char *name;
	json_t *value;
	int i = first, rc = SQLITE_OK;

	json_object_foreach((json_t *)query, name, value)
		if (rc == SQLITE_OK)
			rc = bind_value(stmt, i++, value);
	return rc;
}

/* ---- schema ---- */

static int exec(struct sqlite_store *s, const char *sql, proauth2_error *err)
{
	int rc = sqlite3_exec(s->writer.db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : (fail(s->writer.db, rc, "schema", err), -1);
}

/*
 * Rows are stored by rowid, the key in a unique index beside them. Keys are
 * random hashes: with the key as the table's own key (WITHOUT ROWID), every
 * index ends in it too, so each insert dirties a random page of the table
 * and of every index. By rowid, the table and the indexes of shared or
 * time-ordered values (a client's tokens, a grant id, an expiry) are
 * appended to, and a batch of inserts shares their last pages: a third of
 * the pages written per token. Tables made WITHOUT ROWID by earlier
 * versions work as they are.
 */
static int create_table(struct sqlite_store *s, const proauth2_table *t,
		proauth2_error *err)
{
	char sql[SQL_MAX];
	size_t i, len;

	len = (size_t)snprintf(sql, sizeof(sql), "CREATE TABLE IF NOT EXISTS \"%s\" (", t->name);
	for (i = 0; i < t->n_fields; i++) {
		const proauth2_field *f = &t->fields[i];

		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s\"%s\" %s%s",
				i ? ", " : "", f->name,
				f->type == PROAUTH2_FIELD_INTEGER ? "INTEGER" : "TEXT",
				/* NOT NULL: a rowid table's key allows NULL. */
				i == 0 ? " NOT NULL PRIMARY KEY" :
				(f->flags & PROAUTH2_FIELD_REQUIRED) ? " NOT NULL" : "");
	}
	snprintf(sql + len, sizeof(sql) - len, ")");
	if (exec(s, sql, err) != 0)
		return -1;
	/* A table from an older schema gains the optional fields added since. */
	for (i = 1; i < t->n_fields; i++) {
		const proauth2_field *f = &t->fields[i];
		sqlite3_stmt *probe = NULL;

		/* pragma_table_info: a quoted unknown column would read as a
		 * string literal, so probing with SELECT proves nothing. */
		snprintf(sql, sizeof(sql), "SELECT 1 FROM pragma_table_info('%s')"
				" WHERE name = '%s'", t->name, f->name);
		if (sqlite3_prepare_v2(s->writer.db, sql, -1, &probe, NULL) == SQLITE_OK &&
				sqlite3_step(probe) == SQLITE_ROW) {
			sqlite3_finalize(probe);
			continue;
		}
		sqlite3_finalize(probe);
		snprintf(sql, sizeof(sql), "ALTER TABLE \"%s\" ADD COLUMN \"%s\" %s",
				t->name, f->name,
				f->type == PROAUTH2_FIELD_INTEGER ? "INTEGER" : "TEXT");
		if (exec(s, sql, err) != 0)
			return -1;
	}
	for (i = 1; i < t->n_fields; i++) {
		const proauth2_field *f = &t->fields[i];

		if (!(f->flags & PROAUTH2_FIELD_QUERIED) && strcmp(f->name, "expires_at") != 0)
			continue;
		snprintf(sql, sizeof(sql), "CREATE INDEX IF NOT EXISTS \"%s_%s\" ON \"%s\" (\"%s\")",
				t->name, f->name, t->name, f->name);
		if (exec(s, sql, err) != 0)
			return -1;
	}
	return 0;
}

static int schema_version(struct sqlite_store *s, int *version, proauth2_error *err)
{
	sqlite3_stmt *stmt;
	int rc = sqlite3_prepare_v2(s->writer.db, "PRAGMA user_version", -1, &stmt, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*version = sqlite3_column_int(stmt, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(stmt);
	return rc == SQLITE_OK ? 0 : (fail(s->writer.db, rc, "read schema version", err), -1);
}

/* Create or update the schema, in one transaction so that two processes
 * opening a new file at once do not both create it. */
static proauth2_status ensure_schema(struct sqlite_store *s, proauth2_error *err)
{
	char sql[64];
	size_t n, i;
	const proauth2_table *tables = proauth2_schema_tables(&n);
	int version = 0;

	if (exec(s, "BEGIN IMMEDIATE", err) != 0)
		return err ? err->status : PROAUTH2_ERR_DATASTORE;
	if (schema_version(s, &version, err) != 0)
		goto rollback;
	if (version > PROAUTH2_SCHEMA_VERSION) {
		proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
				"sqlite: database schema version %d is newer than this "
				"library's %d", version, PROAUTH2_SCHEMA_VERSION);
		goto rollback;
	}
	/* Schema changes so far only add tables and optional columns:
	 * creating what is missing brings any older version up to date. */
	if (version < PROAUTH2_SCHEMA_VERSION) {
		for (i = 0; i < n; i++)
			if (create_table(s, &tables[i], err) != 0)
				goto rollback;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
				PROAUTH2_SCHEMA_VERSION);
		if (exec(s, sql, err) != 0)
			goto rollback;
	}
	if (exec(s, "COMMIT", err) == 0)
		return PROAUTH2_OK;
rollback:
	sqlite3_exec(s->writer.db, "ROLLBACK", NULL, NULL, NULL);
	return err ? err->status : PROAUTH2_ERR_DATASTORE;
}

/* ---- connections ---- */

static int connection_open(struct connection *conn, const char *uri, int flags)
{
	int rc = sqlite3_open_v2(uri, &conn->db, SQLITE_OPEN_READWRITE |
			SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX | flags, NULL);

	if (rc == SQLITE_OK)
		sqlite3_busy_timeout(conn->db, BUSY_TIMEOUT_MS);
	return rc;
}

static void connection_close(struct connection *conn)
{
	struct cached_statement *c, *next;

	for (c = conn->statements; c != NULL; c = next) {
		next = c->next;
		sqlite3_finalize(c->stmt);
		free(c->sql);
		free(c);
	}
	conn->statements = NULL;
	sqlite3_close(conn->db);
	conn->db = NULL;
}

/* A connection to read with, given back with reader_give; NULL on failure.
 * A memory database and an open group read through the writer. */
static struct connection *reader_take(struct sqlite_store *s, proauth2_error *err)
{
	struct write_group *g = group_on(s);
	struct connection *conn;
	int rc;

	if (!s->on_disk || g != NULL) {
		pthread_mutex_lock(&s->lock);
		if (g != NULL && s->in_batch)
			group_joined(g, s->batch);
		return &s->writer;
	}
	pthread_mutex_lock(&s->readers_lock);
	conn = s->idle_readers;
	if (conn != NULL) {
		s->idle_readers = conn->next;
		s->n_idle_readers--;
	}
	pthread_mutex_unlock(&s->readers_lock);
	if (conn != NULL)
		return conn;
	conn = calloc(1, sizeof(*conn));
	if (conn == NULL) {
		proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
		return NULL;
	}
	/* Without SQLITE_OPEN_CREATE: a file gone since is an error, not a
	 * new empty database. */
	rc = connection_open(conn, s->uri, 0);
	/* A reader that cannot write cannot harm what the writer does. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(conn->db, "PRAGMA query_only = ON", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		fail(conn->db, rc, "open a reader", err);
		connection_close(conn);
		free(conn);
		return NULL;
	}
	return conn;
}

static void reader_give(struct sqlite_store *s, struct connection *conn)
{
	if (conn == &s->writer) {
		pthread_mutex_unlock(&s->lock);
		return;
	}
	pthread_mutex_lock(&s->readers_lock);
	if (s->n_idle_readers < READERS_KEPT) {
		conn->next = s->idle_readers;
		s->idle_readers = conn;
		s->n_idle_readers++;
		conn = NULL;
	}
	pthread_mutex_unlock(&s->readers_lock);
	if (conn != NULL) {
		connection_close(conn);
		free(conn);
	}
}

/* ---- ops ---- */

static void sqlite_close(void *cls)
{
	struct sqlite_store *s = cls;
	struct connection *conn;

	if (s == NULL)
		return;
	while ((conn = s->idle_readers) != NULL) {
		s->idle_readers = conn->next;
		connection_close(conn);
		free(conn);
	}
	connection_close(&s->writer);
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
	proauth2_status status;
	int rc;

	*cls = NULL;
	if (s == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->readers_lock, NULL);
	pthread_cond_init(&s->finished, NULL);
	s->company = 1.0;
	pthread_cond_init(&s->joining, NULL);
	s->uri = strdup(uri);
	if (s->uri == NULL) {
		sqlite_close(s);
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	}
	rc = connection_open(&s->writer, uri, SQLITE_OPEN_CREATE);
	if (rc != SQLITE_OK) {
		status = fail(s->writer.db, rc, "open", err);
		sqlite_close(s);
		return status;
	}
	synchronous = sync_pragma(s->writer.db, err);
	if (synchronous == NULL) {
		sqlite_close(s);
		return PROAUTH2_ERR_INVALID_ARGUMENT;
	}
	/* WAL lets readers run beside the writer. A memory database answers
	 * "memory" and stays as it is. */
	if (exec(s, "PRAGMA journal_mode = WAL", err) != 0 ||
			exec(s, synchronous, err) != 0 ||
			(status = ensure_schema(s, err)) != PROAUTH2_OK) {
		status = err ? err->status : PROAUTH2_ERR_DATASTORE;
		sqlite_close(s);
		return status;
	}
	filename = sqlite3_db_filename(s->writer.db, "main");
	s->on_disk = filename != NULL && filename[0] != '\0';
	*cls = s;
	return PROAUTH2_OK;
}

/* ---- group commit ---- */

/* Take the lock as a writer: a leader waits for queued writers to join,
 * and for company when writers keep finding the lock taken. */
static void write_lock(struct sqlite_store *s)
{
	if (pthread_mutex_trylock(&s->lock) == 0)
		return;
	__atomic_add_fetch(&s->queued, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&s->lock);
	__atomic_sub_fetch(&s->queued, 1, __ATOMIC_SEQ_CST);
	s->kept_waiting++;
}

/* Before a write statement, under the lock: open a batch or join the open
 * one; *batch receives its number. */
static proauth2_status batch_join(struct sqlite_store *s, uint64_t *batch,
		proauth2_error *err)
{
	int rc;

	if (!s->on_disk)
		return PROAUTH2_OK;
	if (!s->in_batch) {
		rc = sqlite3_exec(s->writer.db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return fail(s->writer.db, rc, "begin", err);
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

	if (!commit || sqlite3_exec(s->writer.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		s->failed = s->batch;
		if (!sqlite3_get_autocommit(s->writer.db))
			sqlite3_exec(s->writer.db, "ROLLBACK", NULL, NULL, NULL);
		for (g = s->groups; g != NULL; g = g->next)
			if (g->first != 0 && g->first <= s->batch && s->batch <= g->last)
				g->failed = true;
	}
	s->in_batch = false;
	/* Writers kept waiting would have joined, had the batch waited for
	 * them. Averaged, so that one batch that went alone does not stop
	 * the next from waiting. */
	s->company = 0.9 * s->company + 0.1 * (s->joined + s->kept_waiting);
	s->kept_waiting = 0;
	s->committed = s->batch;
	pthread_cond_broadcast(&s->finished);
}

/* Give the writers who have been coming together a moment to join. */
static void wait_for_company(struct sqlite_store *s)
{
	unsigned expected = s->company < 2 ? 2 : (unsigned)(s->company + 0.5);
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += BATCH_DELAY_NS;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	while (s->in_batch && s->joined < expected &&
			pthread_cond_timedwait(&s->joining, &s->lock, &deadline) == 0)
		;
}

static proauth2_status not_committed(proauth2_error *err)
{
	return proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
			"sqlite: the transaction did not commit");
}

/* An I/O error or a full disk can roll the whole transaction back. */
static void batch_check(struct sqlite_store *s, uint64_t batch)
{
	if (s->in_batch && s->batch == batch && sqlite3_get_autocommit(s->writer.db))
		batch_end(s, false);
}

/*
 * After a write statement, under the lock: return once batch is durable,
 * committing it if no other writer is. status is the statement's own; it
 * stands unless the batch failed to commit.
 */
static proauth2_status batch_finish(struct sqlite_store *s, uint64_t batch,
		proauth2_status status, proauth2_error *err)
{
	int yields;

	if (!s->on_disk)
		return status;
	batch_check(s, batch);
	if (s->committed < batch && !s->leading) {
		s->leading = true;
		if (s->company > 1.2)
			wait_for_company(s);
		for (yields = 0; yields < BATCH_JOIN_YIELDS &&
				__atomic_load_n(&s->queued, __ATOMIC_SEQ_CST) > 0; yields++) {
			pthread_mutex_unlock(&s->lock);
			sched_yield();
			pthread_mutex_lock(&s->lock);
		}
		if (s->committed < batch)
			batch_end(s, true);
		s->leading = false;
	}
	while (s->committed < batch)
		pthread_cond_wait(&s->finished, &s->lock);
	return s->failed == batch ? not_committed(err) : status;
}

/* After a write statement, under the lock: in a group, note its batch and
 * go on; otherwise wait for the batch (batch_finish). */
static proauth2_status batch_settle(struct sqlite_store *s, uint64_t batch,
		proauth2_status status, proauth2_error *err)
{
	struct write_group *g = group_on(s);

	if (g == NULL)
		return batch_finish(s, batch, status, err);
	batch_check(s, batch);
	group_joined(g, batch);
	return status;
}

/* INSERT or UPDATE of every field of a record. */
static proauth2_status write_record(struct sqlite_store *s, const proauth2_table *t,
		json_t *record, int update, proauth2_error *err)
{
	char sql[SQL_MAX];
	sqlite3_stmt *stmt;
	uint64_t batch = 0;
	size_t i, len;
	int rc = SQLITE_OK;
	proauth2_status status = PROAUTH2_OK;

	if (update) {
		len = (size_t)snprintf(sql, sizeof(sql), "UPDATE \"%s\" SET ", t->name);
		for (i = 1; i < t->n_fields; i++)
			len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s\"%s\" = ?",
					i > 1 ? ", " : "", t->fields[i].name);
		snprintf(sql + len, sizeof(sql) - len, " WHERE \"%s\" = ?",
				t->fields[0].name);
	} else {
		/* Columns by name: a table upgraded from an older schema has
		 * its later columns in another order. */
		len = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO \"%s\" (", t->name);
		for (i = 0; i < t->n_fields; i++)
			len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s\"%s\"",
					i ? ", " : "", t->fields[i].name);
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, ") VALUES (?");
		for (i = 1; i < t->n_fields; i++)
			len += (size_t)snprintf(sql + len, sizeof(sql) - len, ", ?");
		snprintf(sql + len, sizeof(sql) - len, ")");
	}
	write_lock(s);
	stmt = statement(&s->writer, sql, err);
	status = stmt != NULL ? batch_join(s, &batch, err) :
		err ? err->status : PROAUTH2_ERR_DATASTORE;
	if (status != PROAUTH2_OK) {
		pthread_mutex_unlock(&s->lock);
		return status;
	}
	/* UPDATE binds the key last; INSERT binds fields in schema order. */
	for (i = 0; i < t->n_fields && rc == SQLITE_OK; i++) {
		size_t field = update ? (i + 1) % t->n_fields : i;

		rc = bind_value(stmt, (int)i + 1,
				json_object_get(record, t->fields[field].name));
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		status = (rc & 0xff) == SQLITE_CONSTRAINT ?
			proauth2_error_set(err, PROAUTH2_ERR_CONFLICT,
					"sqlite: a %s record with this key exists", t->name) :
			fail(s->writer.db, rc, update ? "replace" : "store", err);
	else if (update && sqlite3_changes(s->writer.db) == 0)
		status = proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
				"sqlite: no %s record with this key", t->name);
	release(stmt);
	status = batch_settle(s, batch, status, err);
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

static json_t *row_record(sqlite3_stmt *stmt, const proauth2_table *t)
{
	json_t *record = json_object();
	size_t i;

	for (i = 0; i < t->n_fields && record != NULL; i++) {
		json_t *value = column_value(stmt, (int)i, &t->fields[i]);

		if (value != NULL && json_object_set_new(record, t->fields[i].name, value) != 0) {
			json_decref(record);
			record = NULL;
		}
	}
	return record;
}

static proauth2_status sqlite_fetch(void *cls, const proauth2_table *t,
		json_t *query, json_t **record, proauth2_error *err)
{
	struct sqlite_store *s = cls;
	struct connection *conn;
	char sql[SQL_MAX];
	sqlite3_stmt *stmt;
	size_t i, len = 0;
	proauth2_status status = PROAUTH2_OK;
	int rc;

	*record = NULL;
	len = (size_t)snprintf(sql, sizeof(sql), "SELECT ");
	for (i = 0; i < t->n_fields; i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s\"%s\"",
				i ? ", " : "", t->fields[i].name);
	snprintf(sql + len, sizeof(sql) - len, " FROM \"%s\"", t->name);
	if (append_where(sql, sizeof(sql) - 8, query) != 0)
		return proauth2_error_set(err, PROAUTH2_ERR_DATASTORE, "sqlite: query too long");
	strcat(sql, " LIMIT 2");

	conn = reader_take(s, err);
	if (conn == NULL)
		return err ? err->status : PROAUTH2_ERR_DATASTORE;
	stmt = statement(conn, sql, err);
	if (stmt == NULL) {
		reader_give(s, conn);
		return err ? err->status : PROAUTH2_ERR_DATASTORE;
	}
	rc = bind_query(stmt, query, 1);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		status = proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
				"sqlite: no such %s record", t->name);
	} else if (rc == SQLITE_ROW) {
		*record = row_record(stmt, t);
		rc = sqlite3_step(stmt);
		if (*record == NULL)
			status = proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
		else if (rc == SQLITE_ROW)
			status = proauth2_error_set(err, PROAUTH2_ERR_CONFLICT,
					"sqlite: more than one %s record matches", t->name);
		else if (rc != SQLITE_DONE)
			status = fail(conn->db, rc, "fetch", err);
		if (status != PROAUTH2_OK) {
			json_decref(*record);
			*record = NULL;
		}
	} else {
		status = fail(conn->db, rc, "fetch", err);
	}
	release(stmt);
	reader_give(s, conn);
	return status;
}

/* Run a DELETE built in sql with query's values bound from index 1 (and
 * now after them, when has_now); *removed gets the count. */
static proauth2_status run_delete(struct sqlite_store *s, const char *sql,
		const json_t *query, const int64_t *now, size_t *removed,
		proauth2_error *err)
{
	sqlite3_stmt *stmt;
	proauth2_status status;
	uint64_t batch = 0;
	int rc = SQLITE_OK;

	*removed = 0;
	write_lock(s);
	stmt = statement(&s->writer, sql, err);
	status = stmt != NULL ? batch_join(s, &batch, err) :
		err ? err->status : PROAUTH2_ERR_DATASTORE;
	if (status != PROAUTH2_OK) {
		pthread_mutex_unlock(&s->lock);
		return status;
	}
	if (query != NULL)
		rc = bind_query(stmt, query, 1);
	if (rc == SQLITE_OK && now != NULL)
		rc = sqlite3_bind_int64(stmt, 1, *now);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		*removed = (size_t)sqlite3_changes(s->writer.db);
	else
		status = fail(s->writer.db, rc, "remove", err);
	release(stmt);
	status = batch_settle(s, batch, status, err);
	if (status != PROAUTH2_OK)
		*removed = 0;
	pthread_mutex_unlock(&s->lock);
	return status;
}

static proauth2_status sqlite_remove(void *cls, const proauth2_table *t,
		json_t *query, size_t *removed, proauth2_error *err)
{
	char sql[SQL_MAX];

	snprintf(sql, sizeof(sql), "DELETE FROM \"%s\"", t->name);
	if (append_where(sql, sizeof(sql), query) != 0)
		return proauth2_error_set(err, PROAUTH2_ERR_DATASTORE, "sqlite: query too long");
	return run_delete(cls, sql, query, NULL, removed, err);
}

static proauth2_status sqlite_purge_expired(void *cls, const proauth2_table *t,
		int64_t now, size_t *removed, proauth2_error *err)
{
	char sql[SQL_MAX];

	*removed = 0;
	if (proauth2_table_field(t, "expires_at") == NULL)
		return PROAUTH2_OK;
	snprintf(sql, sizeof(sql), "DELETE FROM \"%s\" WHERE \"expires_at\" <= ?", t->name);
	return run_delete(cls, sql, NULL, &now, removed, err);
}

/* A memory database has no batches: each write is done when it returns. A
 * group already open on another datastore leaves this one's writes alone. */
static proauth2_status sqlite_begin_writes(void *cls, proauth2_error *err)
{
	struct sqlite_store *s = cls;

	(void)err;
	if (thread_group.store == s) {
		thread_group.depth++;
		return PROAUTH2_OK;
	}
	if (!s->on_disk || thread_group.store != NULL)
		return PROAUTH2_OK;
	thread_group = (struct write_group){.store = s, .depth = 1};
	pthread_mutex_lock(&s->lock);
	thread_group.next = s->groups;
	s->groups = &thread_group;
	pthread_mutex_unlock(&s->lock);
	return PROAUTH2_OK;
}

static proauth2_status sqlite_end_writes(void *cls, proauth2_error *err)
{
	struct sqlite_store *s = cls;
	struct write_group *g = group_on(s), **link;
	proauth2_status status = PROAUTH2_OK;

	if (g == NULL || --g->depth > 0)
		return PROAUTH2_OK;
	pthread_mutex_lock(&s->lock);
	if (g->last != 0)
		status = batch_finish(s, g->last, PROAUTH2_OK, err);
	if (status == PROAUTH2_OK && g->failed)
		status = not_committed(err);
	for (link = &s->groups; *link != g; link = &(*link)->next)
		;
	*link = g->next;
	pthread_mutex_unlock(&s->lock);
	*g = (struct write_group){0};
	return status;
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
	.begin_writes = sqlite_begin_writes,
	.end_writes = sqlite_end_writes,
};

const proauth2_datastore_ops *proauth2_sqlite_ops(void)
{
	return &sqlite_ops;
}
