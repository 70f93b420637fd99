/*
 * The SQLite backend's private header: the store and its connections, and
 * what its files call of each other. sqlite.c holds the ops table, the
 * other files one job each (see their opening comments).
 */
#ifndef PROAUTH2_SQLITE_INT_H
#define PROAUTH2_SQLITE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <sqlite3.h>

#include <proauth2/backend.h>

#define SQL_MAX 1024

/*
 * What a statement does, on which table, matching which query fields:
 * enough to find it among a connection's prepared statements without
 * building its SQL, which is built (rows.c) only when it is not there yet.
 */
enum statement_kind {
	STATEMENT_INSERT,  /* every field */
	STATEMENT_UPDATE,  /* every field, by the key */
	STATEMENT_SELECT,  /* every field, where query, at most two rows */
	STATEMENT_SELECT_UNMARKED,  /* the same, of rows marks does not mark */
	STATEMENT_DELETE,  /* where query */
	STATEMENT_COUNT,   /* where query and not expired, up to a limit */
	STATEMENT_PURGE,   /* expired rows, at most PURGE_ROWS */
};

struct statement_key {
	enum statement_kind kind;
	const proauth2_table *table;  /* one of the schema's, which are static */
	const json_t *query;          /* its field names, in order; NULL: none */
	const proauth2_table *marks;  /* STATEMENT_SELECT_UNMARKED's; else NULL */
};

struct cached_statement {
	enum statement_kind kind;
	const proauth2_table *table;
	const proauth2_table *marks;
	size_t n_names;
	char *names;  /* the query's field names, each ending in a NUL */
	sqlite3_stmt *stmt;
	struct cached_statement *next;
};

/* A connection and the statements prepared on it. */
struct connection {
	sqlite3 *db;
	struct cached_statement *statements;
	struct connection *next;  /* in the pool of idle readers */
	const struct sqlite_store *store;
	int64_t deadline;         /* CLOCK_MONOTONIC ns its user waits till; 0: busy_timeout from its first wait */
	int wait_fd;              /* the writer's: the -wait file; -1: none */
	bool locking_file;        /* the writer, in sqlite_lock_file's BEGIN */
	bool waiting;             /* it holds its read lock on the -wait file */
	int file_busy;            /* the writer: waiting for another connection's
	                           * write lock (atomic: read by queued writers) */
};

/* read_anchor.c: a read transaction held for the readers' read mark. */
struct read_anchor {
	bool running;            /* its thread was started, in the opening process */
	struct read_anchor *next_running;  /* in read_anchor.c's list */
	pthread_t thread;
	sqlite3 *db;
	sqlite3_stmt *hold;      /* stepped once: its read transaction holds */
	pthread_mutex_t lock;
	pthread_cond_t wake;     /* the thread's: reads, writes, stop */
	pthread_cond_t released; /* writers waiting for it to let go */
	bool stop;
	unsigned writers_waiting;
	bool held, sleeping;     /* atomic: read without the lock */
	uint64_t reads, writes;  /* atomic: counted by readers and writers */
	/* The thread's own. */
	int64_t off_until;       /* writes came: off till then */
	int64_t last_checkpoint; /* sqlite_now_ns() of its last one */
	uint64_t writes_held;    /* writes at the last hold */
	unsigned version;        /* SQLite's data version at the last hold */
	bool version_known;
};

struct sqlite_store {
	struct connection writer;
	pthread_mutex_t lock;    /* the writer's */
	bool on_disk;            /* not a memory database: readers, group commit */
	char *uri;               /* to open readers with */
	pid_t pid;               /* the process that opened it, alone to use it */
	unsigned long forks;     /* the fork count when it was opened */
	int busy_timeout_ms;     /* a call's wait for locks, at most */
	char *file;              /* on disk: the file's path */
	struct file_id {         /* the identities of the file and its -wal */
		dev_t dev;
		ino_t ino;
	} ids[2];
	struct sqlite_store *next_store;  /* in sqlite.c's list of them */
	pthread_mutex_t readers_lock;
	struct connection *idle_readers;
	unsigned n_idle_readers;
	bool in_batch;           /* a transaction is open */
	uint64_t leader;         /* the batch a writer is committing; 0: none */
	uint64_t batch;          /* the open batch, else the last one */
	uint64_t committed;      /* batches up to this one are finished */
	int queued;              /* writers waiting for the lock */
	unsigned joined;         /* writers in the open batch */
	unsigned holding;        /* open groups in it: it commits after they end */
	unsigned kept_waiting;   /* writers who found the lock taken, since */
	double company;          /* writers about per batch, a moving average */
	pthread_cond_t finished;
	pthread_cond_t joining;  /* a writer joined the open batch */
	struct write_group *groups;  /* groups and lone writers, to hear of failed batches */
	unsigned writes_since_purge;  /* under the lock, see purge.c */
	int64_t last_purge;           /* time() of the last step, or of the open */
	struct read_anchor anchor;    /* on disk */
};

/*
 * A thread's writes that become durable together (begin_writes to
 * end_writes): each joins the open batch without waiting for its commit,
 * the batch commits only after the group ends, and the group waits once.
 * Its reads go through the writer, which sees the open batch, so they
 * join that batch too. A writer outside a group is a group of one.
 */
struct write_group {
	struct sqlite_store *store;  /* NULL: none open on this thread */
	unsigned depth;              /* begin_writes calls not yet ended */
	uint64_t first, last;        /* batches joined or read from; 0: none */
	int64_t deadline;            /* its calls wait for locks till then */
	bool failed;                 /* one of them did not commit */
	/* ...and it was its COMMIT that failed (an fsync, say): SQLite may
	 * have written it to the WAL, and a crash's recovery replay it. */
	bool commit_failed;
	struct write_group *next;    /* in store->groups */
};

/* ---- connection.c: connections, their statements, SQLite's errors ---- */

/* Translate an SQLite result into a status; err gets SQLite's message. */
proauth2_status sqlite_fail(sqlite3 *db, int rc, const char *doing,
		proauth2_error *err);
/* The cached statement for key, prepared on first use; NULL on failure. */
sqlite3_stmt *sqlite_statement(struct connection *conn,
		const struct statement_key *key, proauth2_error *err);
/* Reset a cached statement and clear its bindings, for its next use. */
void sqlite_release(sqlite3_stmt *stmt);
/* Open a connection of s on its URI, waiting for locks as s does. */
int sqlite_connection_open(struct sqlite_store *s, struct connection *conn, int flags);
/* Note the identity of the writer's file, on disk; -1 with err set when
 * it cannot be read. */
int sqlite_file_note(struct sqlite_store *s, proauth2_error *err);
/* The same file: device and inode. */
bool sqlite_file_same(const struct file_id *a, const struct file_id *b);
/* Once the schema is there, note the identity of the -wal. */
void sqlite_file_note_wal(struct sqlite_store *s);
/* PROAUTH2_ERR_DATASTORE when the file at the path is no longer the one
 * opened (deleted, or another renamed over it); one stat() a call. */
proauth2_status sqlite_file_unchanged(const struct sqlite_store *s, proauth2_error *err);
/* The same for a connection opened on s's URI since (a reader, the
 * anchor): its own file, by the name SQLite resolved for it, against the
 * store's. */
proauth2_status sqlite_connection_on_file(const struct sqlite_store *s, sqlite3 *db,
		proauth2_error *err);
/* After the connections are closed, when the file was deleted or
 * replaced: remove the -wal it left, if still its own. */
void sqlite_file_forget(const struct sqlite_store *s);
void sqlite_connection_close(struct connection *conn);

/* ---- busy.c: bounded waits for locks, turns between processes ---- */

/* CLOCK_MONOTONIC, in nanoseconds. */
int64_t sqlite_now_ns(void);
/* ns nanoseconds as a timespec (a duration, or a time by the clock). */
struct timespec sqlite_timespec(int64_t ns);
/* The URI's busy_timeout= (milliseconds, 5000 when absent) into *ms;
 * PROAUTH2_ERR_INVALID_ARGUMENT for another value. */
proauth2_status sqlite_busy_option(sqlite3 *db, int *ms, proauth2_error *err);
/* The deadline of a call starting now: its write group's, else 0, which
 * stands for busy_timeout from the call's first wait. */
int64_t sqlite_deadline(const struct sqlite_store *s);
int64_t sqlite_deadline_from_now(const struct sqlite_store *s);
/* Take the writer's lock, and give the writer deadline (0: from a first
 * wait). PROAUTH2_ERR_UNAVAILABLE once deadline has passed while the
 * lock's holder waits for the file: waiting behind this process's own
 * statements and commits is not counted. */
proauth2_status sqlite_lock_until(struct sqlite_store *s, int64_t deadline,
		proauth2_error *err);
/* Open the -wait file beside the database (the writer's wait_fd), if it
 * can be; once the file is known to be one this library uses. */
void sqlite_wait_file_open(struct sqlite_store *s);
/* SQLite's busy handler for every connection: retry till its deadline. */
int sqlite_on_busy(void *conn, int count);
/* Under the writer's lock: BEGIN IMMEDIATE, after letting writers of other
 * processes waiting for the file go first; PROAUTH2_ERR_UNAVAILABLE when
 * the file stayed locked till the deadline. doing names it in errors. */
proauth2_status sqlite_lock_file(struct sqlite_store *s, const char *doing,
		proauth2_error *err);

/* ---- reader_pool.c: connections to read with ---- */

/* A connection to read with till deadline, given back with
 * sqlite_reader_give; NULL on failure. A memory database and an open
 * group read through the writer, whose lock is waited for till deadline. */
struct connection *sqlite_reader_take(struct sqlite_store *s, int64_t deadline,
		proauth2_error *err);
void sqlite_reader_give(struct sqlite_store *s, struct connection *conn);

/* ---- read_anchor.c: one read mark held for the readers ---- */

/* The URI's read_anchor= (on, the default, or off) into *on;
 * PROAUTH2_ERR_INVALID_ARGUMENT for another value. */
proauth2_status sqlite_anchor_option(sqlite3 *db, bool *on, proauth2_error *err);
/* On disk, once the schema is there: start the anchor's thread (if it
 * cannot be, reads go without it). */
void sqlite_anchor_start(struct sqlite_store *s);
/* In the opening process, before the connections close. */
void sqlite_anchor_stop(struct sqlite_store *s);
/* A reader is about to read: wakes a sleeping anchor. */
void sqlite_anchor_read(struct sqlite_store *s);
/* Under the writer's lock, before a write: returns once the anchor holds
 * nothing, and keeps it off a while. */
void sqlite_anchor_write(struct sqlite_store *s);

/* ---- schema.c: tables, indexes and upgrades ---- */

/* Run sql on the writer; err set ("schema: ...") on failure. */
proauth2_status sqlite_schema_exec(struct sqlite_store *s, const char *sql,
		proauth2_error *err);
/* Refuse a database of a newer schema, reading it only: run before
 * anything that writes to the file (journal_mode = WAL does). */
proauth2_status sqlite_refuse_newer(struct sqlite_store *s, proauth2_error *err);
/* Create or update the schema; a database of a newer schema is refused. */
proauth2_status sqlite_ensure_schema(struct sqlite_store *s, proauth2_error *err);

/* ---- group_commit.c: write batches and write groups ---- */

/* A condition variable whose timed waits go by CLOCK_MONOTONIC, which a
 * step of the wall clock leaves alone. */
void sqlite_cond_init_monotonic(pthread_cond_t *cond);
/* Take the writer's lock as a writer, by deadline (unlocked with
 * pthread_mutex_unlock); PROAUTH2_ERR_UNAVAILABLE past it. */
proauth2_status sqlite_write_lock(struct sqlite_store *s, int64_t deadline,
		proauth2_error *err);
/* Before a write statement, under the lock: open a batch or join the open
 * one; *batch receives its number. */
proauth2_status sqlite_batch_join(struct sqlite_store *s, uint64_t *batch,
		proauth2_error *err);
/* After a write statement, under the lock: in a group, note its batch and
 * go on; otherwise wait until the batch is durable. status is the
 * statement's own; it stands unless the batch failed to commit. */
proauth2_status sqlite_batch_settle(struct sqlite_store *s, uint64_t batch,
		proauth2_status status, proauth2_error *err);
/* After any statement on the writer, under the lock: an I/O error or a full
 * disk may have rolled the open batch back, even in a read; then the batch
 * has failed, for every writer in it. */
void sqlite_writer_check(struct sqlite_store *s);
/* The calling thread's open group on s, or NULL. */
struct write_group *sqlite_group_on(struct sqlite_store *s);
void sqlite_group_joined(struct write_group *g, uint64_t batch);
/* Under the lock: g joins the open batch, which then waits for its end. */
void sqlite_group_enter(struct sqlite_store *s, struct write_group *g);
proauth2_status sqlite_begin_writes(void *cls, proauth2_error *err);
proauth2_status sqlite_end_writes(void *cls, proauth2_error *err);

/* ---- rows.c: records as rows, queries as WHERE clauses ---- */

/* The SQL of key into sql, whose size is SQL_MAX; -1 when it does not
 * fit, or key's table has no expires_at for a purge. Its values are bound
 * by sqlite_bind_record (INSERT, UPDATE), sqlite_bind_query from index 1
 * (the query's), then by the caller (the expiry and limit of a count, the
 * time of a purge). */
int sqlite_statement_sql(char *sql, const struct statement_key *key);
/* Bind record's fields in the order sqlite_statement_sql names them. */
int sqlite_bind_record(sqlite3_stmt *stmt, const proauth2_table *t,
		const json_t *record, int update);
/* Bind query's values from index first on. */
int sqlite_bind_query(sqlite3_stmt *stmt, const json_t *query, int first);
/* The current row as a t record; NULL when memory ran out. */
json_t *sqlite_row_record(sqlite3_stmt *stmt, const proauth2_table *t);

/* ---- purge.c: expired rows reclaimed by the writes ---- */

/* Most rows a purge step deletes from one table. */
#define PURGE_ROWS 256
/* The bounded DELETE of t's expired rows (expires_at <= ?1, at most
 * PURGE_ROWS) into sql; -1 when t has no expires_at. */
int sqlite_purge_sql(char *sql, size_t size, const proauth2_table *t);
/* Under the lock, once a write succeeded: whether a step is due now. */
bool sqlite_purge_due(struct sqlite_store *s);
/* Under the lock, in the write's batch: one step on every table, by the
 * real clock. */
void sqlite_purge_step(struct sqlite_store *s);

#endif
