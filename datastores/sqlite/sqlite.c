/*
 * The SQLite datastore: one SQL table per schema table, a column per field
 * (string arrays as JSON text), an index per queried field. Each open
 * datastore has one connection whose prepared statements are reused, found
 * by their SQL text; a mutex serialises every use of it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include <proauth2/datastore.h>
#include <proauth2/sqlite.h>

#define BUSY_TIMEOUT_MS 5000
/* Statements are few: one per table, operation and set of query fields.
 * Past this many, the rest are prepared for one use each. */
#define MAX_CACHED 64
/* An identifier in SQL text; %w doubles any quote inside it. */
#define IDENT "\"%w\""

struct cached_statement {
	char *sql;  /* sqlite3_free it */
	sqlite3_stmt *stmt;
};

struct sqlite_store {
	sqlite3 *db;
	/* Held around every use of db: the connection is opened NOMUTEX and
	 * its cached statements carry bindings between calls. */
	pthread_mutex_t lock;
	struct cached_statement cache[MAX_CACHED];
	size_t n_cached;
};

/* ---- Errors ---- */

static proauth2_status status_of(int rc)
{
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
		return PROAUTH2_ERR_CONFLICT;
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return PROAUTH2_ERR_UNAVAILABLE;
	case SQLITE_NOMEM:
		return PROAUTH2_ERR_NOMEM;
	default:
		return PROAUTH2_ERR_DATASTORE;
	}
}

/* Report a failed call on db. SQLite's messages name tables and columns,
 * never bound values (token hashes), so they are safe to pass on. */
static proauth2_status fail(sqlite3 *db, int rc, const char *what,
		const char *doing, proauth2_error *err)
{
	return proauth2_error_set(err, status_of(rc), "sqlite: %s: %s: %s",
			what, doing, sqlite3_errmsg(db));
}

/* ---- Building SQL ---- */

static const proauth2_field *expiry_field(const proauth2_table *t)
{
	size_t i;

	for (i = 0; i < t->n_fields; i++)
		if (strcmp(t->fields[i].name, "expires_at") == 0 &&
				t->fields[i].type == PROAUTH2_FIELD_INTEGER)
			return &t->fields[i];
	return NULL;
}

/* Hand over the text built in sql (sqlite3_free it), unless building
 * failed or status already says so. */
static proauth2_status finish_sql(sqlite3_str *sql, proauth2_status status,
		char **text, proauth2_error *err)
{
	int rc = sqlite3_str_errcode(sql);

	*text = sqlite3_str_finish(sql);
	if (status == PROAUTH2_OK && (rc != SQLITE_OK || *text == NULL))
		status = proauth2_error_set(err, status_of(rc),
				"sqlite: cannot build a statement: %s",
				sqlite3_errstr(rc));
	if (status != PROAUTH2_OK) {
		sqlite3_free(*text);
		*text = NULL;
	}
	return status;
}

static void append_columns(sqlite3_str *sql, const proauth2_table *t)
{
	size_t i;

	for (i = 0; i < t->n_fields; i++)
		sqlite3_str_appendf(sql, "%s" IDENT, i > 0 ? ", " : "",
				t->fields[i].name);
}

/*
 * Append " WHERE a = ?1 AND b = ?2" for query's members, in schema order so
 * that one statement serves however the query was built; bind_query() binds
 * in the same order. Names come from the schema, never from the query.
 */
static proauth2_status append_where(sqlite3_str *sql, const proauth2_table *t,
		const json_t *query, proauth2_error *err)
{
	size_t i;
	int n = 0;

	for (i = 0; i < t->n_fields; i++) {
		if (json_object_get(query, t->fields[i].name) == NULL)
			continue;
		n++;
		sqlite3_str_appendf(sql, "%s" IDENT " = ?%d",
				n == 1 ? " WHERE " : " AND ", t->fields[i].name, n);
	}
	/* The core has checked this; an empty WHERE would empty the table. */
	if (n == 0 || (size_t)n != json_object_size(query))
		return proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
				"sqlite: %s: query does not fit the schema", t->name);
	return PROAUTH2_OK;
}

static proauth2_status build_insert(const proauth2_table *t, char **text,
		proauth2_error *err)
{
	sqlite3_str *sql = sqlite3_str_new(NULL);
	size_t i;

	sqlite3_str_appendf(sql, "INSERT INTO " IDENT " (", t->name);
	append_columns(sql, t);
	sqlite3_str_appendall(sql, ") VALUES (");
	for (i = 0; i < t->n_fields; i++)
		sqlite3_str_appendf(sql, "%s?%d", i > 0 ? ", " : "", (int)i + 1);
	sqlite3_str_appendall(sql, ")");
	return finish_sql(sql, PROAUTH2_OK, text, err);
}

/* Fields bind as in build_insert(): the key is ?1 and goes in the WHERE. */
static proauth2_status build_update(const proauth2_table *t, char **text,
		proauth2_error *err)
{
	sqlite3_str *sql = sqlite3_str_new(NULL);
	/* A table of only a key still needs a SET: the key to itself. */
	size_t i, first = t->n_fields > 1 ? 1 : 0;

	sqlite3_str_appendf(sql, "UPDATE " IDENT " SET ", t->name);
	for (i = first; i < t->n_fields; i++)
		sqlite3_str_appendf(sql, "%s" IDENT " = ?%d", i > first ? ", " : "",
				t->fields[i].name, (int)i + 1);
	sqlite3_str_appendf(sql, " WHERE " IDENT " = ?1", t->fields[0].name);
	return finish_sql(sql, PROAUTH2_OK, text, err);
}

/* LIMIT 2: a second row is all it takes to know the match is not unique. */
static proauth2_status build_select(const proauth2_table *t,
		const json_t *query, char **text, proauth2_error *err)
{
	sqlite3_str *sql = sqlite3_str_new(NULL);
	proauth2_status status;

	sqlite3_str_appendall(sql, "SELECT ");
	append_columns(sql, t);
	sqlite3_str_appendf(sql, " FROM " IDENT, t->name);
	status = append_where(sql, t, query, err);
	sqlite3_str_appendall(sql, " LIMIT 2");
	return finish_sql(sql, status, text, err);
}

static proauth2_status build_delete(const proauth2_table *t,
		const json_t *query, char **text, proauth2_error *err)
{
	sqlite3_str *sql = sqlite3_str_new(NULL);
	proauth2_status status;

	sqlite3_str_appendf(sql, "DELETE FROM " IDENT, t->name);
	status = append_where(sql, t, query, err);
	return finish_sql(sql, status, text, err);
}

/* ---- Values ---- */

/* Bind value (NULL: SQL NULL) at index as field f's type. An SQLite code;
 * SQLITE_MISMATCH when value is not of that type. */
static int bind_field(sqlite3_stmt *stmt, int index, const proauth2_field *f,
		const json_t *value)
{
	char *text;
	int rc;

	if (value == NULL)
		return sqlite3_bind_null(stmt, index);
	switch (f->type) {
	case PROAUTH2_FIELD_INTEGER:
		if (!json_is_integer(value))
			return SQLITE_MISMATCH;
		return sqlite3_bind_int64(stmt, index, json_integer_value(value));
	case PROAUTH2_FIELD_STRING:
		if (!json_is_string(value))
			return SQLITE_MISMATCH;
		/* STATIC: value is borrowed for the whole call, and the
		 * statement is cleared before the call returns. */
		return sqlite3_bind_text64(stmt, index, json_string_value(value),
				json_string_length(value), SQLITE_STATIC, SQLITE_UTF8);
	case PROAUTH2_FIELD_STRING_ARRAY:
		if (!json_is_array(value))
			return SQLITE_MISMATCH;
		text = json_dumps(value, JSON_COMPACT);
		if (text == NULL)
			return SQLITE_NOMEM;
		rc = sqlite3_bind_text64(stmt, index, text, strlen(text),
				SQLITE_TRANSIENT, SQLITE_UTF8);
		free(text);
		return rc;
	}
	return SQLITE_MISMATCH;
}

static proauth2_status bind_failed(int rc, const proauth2_table *t,
		const proauth2_field *f, proauth2_error *err)
{
	/* errstr, not errmsg: some codes are our own and db knows nothing. */
	return proauth2_error_set(err, status_of(rc), "sqlite: %s: bind %s: %s",
			t->name, f->name, sqlite3_errstr(rc));
}

/* Every field of record at ?1, ?2... in schema order; absent ones NULL. */
static proauth2_status bind_record(sqlite3_stmt *stmt, const proauth2_table *t,
		const json_t *record, proauth2_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < t->n_fields; i++) {
		rc = bind_field(stmt, (int)i + 1, &t->fields[i],
				json_object_get(record, t->fields[i].name));
		if (rc != SQLITE_OK)
			return bind_failed(rc, t, &t->fields[i], err);
	}
	return PROAUTH2_OK;
}

/* Query's values, numbered as append_where() named them. */
static proauth2_status bind_query(sqlite3_stmt *stmt, const proauth2_table *t,
		const json_t *query, proauth2_error *err)
{
	json_t *value;
	size_t i;
	int n = 0, rc;

	for (i = 0; i < t->n_fields; i++) {
		value = json_object_get(query, t->fields[i].name);
		if (value == NULL)
			continue;
		rc = bind_field(stmt, ++n, &t->fields[i], value);
		if (rc != SQLITE_OK)
			return bind_failed(rc, t, &t->fields[i], err);
	}
	return PROAUTH2_OK;
}

/* Column i of the current row as field f's JSON value; NULL for SQL NULL.
 * A value of another storage class was not written by us: refuse it. */
static proauth2_status column_value(sqlite3_stmt *stmt, int i,
		const proauth2_table *t, const proauth2_field *f, json_t **value,
		proauth2_error *err)
{
	int type = sqlite3_column_type(stmt, i);
	const char *text;
	size_t len;

	*value = NULL;
	if (type == SQLITE_NULL)
		return PROAUTH2_OK;
	if (f->type == PROAUTH2_FIELD_INTEGER && type == SQLITE_INTEGER) {
		*value = json_integer(sqlite3_column_int64(stmt, i));
		return *value != NULL ? PROAUTH2_OK : proauth2_error_set(err,
				PROAUTH2_ERR_NOMEM, "out of memory");
	}
	if (f->type != PROAUTH2_FIELD_INTEGER && type == SQLITE_TEXT) {
		text = (const char *)sqlite3_column_text(stmt, i);
		len = (size_t)sqlite3_column_bytes(stmt, i);
		if (text == NULL)
			return proauth2_error_set(err, PROAUTH2_ERR_NOMEM,
					"out of memory");
		if (f->type == PROAUTH2_FIELD_STRING)
			*value = json_stringn(text, len);
		else
			*value = json_loadb(text, len, 0, NULL);
		if (*value != NULL && (f->type == PROAUTH2_FIELD_STRING ||
				json_is_array(*value)))
			return PROAUTH2_OK;
		json_decref(*value);
		*value = NULL;
	}
	return proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
			"sqlite: %s: column %s holds a malformed value",
			t->name, f->name);
}

/* The current row as a record of its non-NULL columns. */
static proauth2_status row_record(sqlite3_stmt *stmt, const proauth2_table *t,
		json_t **record, proauth2_error *err)
{
	proauth2_status status = PROAUTH2_OK;
	json_t *value;
	size_t i;

	*record = json_object();
	if (*record == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	for (i = 0; i < t->n_fields && status == PROAUTH2_OK; i++) {
		status = column_value(stmt, (int)i, t, &t->fields[i], &value, err);
		if (value != NULL &&
				json_object_set_new(*record, t->fields[i].name, value) != 0)
			status = proauth2_error_set(err, PROAUTH2_ERR_NOMEM,
					"out of memory");
	}
	if (status != PROAUTH2_OK) {
		json_decref(*record);
		*record = NULL;
	}
	return status;
}

/* ---- Statements ---- */

/* sql's statement, from the cache or prepared now. Takes sql. Called with
 * the lock held. */
static proauth2_status statement(struct sqlite_store *s, char *sql,
		const proauth2_table *t, sqlite3_stmt **stmt, proauth2_error *err)
{
	int keep = s->n_cached < MAX_CACHED, rc;
	size_t i;

	for (i = 0; i < s->n_cached; i++) {
		if (strcmp(s->cache[i].sql, sql) == 0) {
			sqlite3_free(sql);
			*stmt = s->cache[i].stmt;
			return PROAUTH2_OK;
		}
	}
	rc = sqlite3_prepare_v3(s->db, sql, -1,
			keep ? SQLITE_PREPARE_PERSISTENT : 0, stmt, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_free(sql);
		return fail(s->db, rc, t->name, "prepare", err);
	}
	if (keep) {
		s->cache[s->n_cached].sql = sql;
		s->cache[s->n_cached++].stmt = *stmt;
	} else {
		sqlite3_free(sql);
	}
	return PROAUTH2_OK;
}

/* Lock the store and get sql's statement (taking sql). On success the lock
 * is held until finish(); on failure it is not. */
static proauth2_status start(struct sqlite_store *s, char *sql,
		const proauth2_table *t, sqlite3_stmt **stmt, proauth2_error *err)
{
	proauth2_status status;

	pthread_mutex_lock(&s->lock);
	status = statement(s, sql, t, stmt, err);
	if (status != PROAUTH2_OK)
		pthread_mutex_unlock(&s->lock);
	return status;
}

/* Ready stmt for its next use, whatever happened to it, and unlock. A
 * statement left unreset would keep a read transaction open. */
static void finish(struct sqlite_store *s, sqlite3_stmt *stmt)
{
	size_t i;

	for (i = 0; i < s->n_cached && s->cache[i].stmt != stmt; i++)
		;
	if (i < s->n_cached) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
	} else {
		sqlite3_finalize(stmt);
	}
	pthread_mutex_unlock(&s->lock);
}

/* Step a statement that returns no rows; *changes receives its count. */
static proauth2_status execute(struct sqlite_store *s, sqlite3_stmt *stmt,
		const proauth2_table *t, const char *doing, size_t *changes,
		proauth2_error *err)
{
	int rc = sqlite3_step(stmt);

	if (rc != SQLITE_DONE)
		return fail(s->db, rc, t->name, doing, err);
	*changes = (size_t)sqlite3_changes(s->db);
	return PROAUTH2_OK;
}

/* Step a SELECT ... LIMIT 2 for the one row it must find. */
static proauth2_status read_one(struct sqlite_store *s, sqlite3_stmt *stmt,
		const proauth2_table *t, json_t **record, proauth2_error *err)
{
	proauth2_status status;
	json_t *found;
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_DONE)
		return proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
				"sqlite: %s: no record matches", t->name);
	if (rc != SQLITE_ROW)
		return fail(s->db, rc, t->name, "fetch", err);
	/* Read the row now: stepping again invalidates its columns. */
	status = row_record(stmt, t, &found, err);
	if (status != PROAUTH2_OK)
		return status;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		status = proauth2_error_set(err, PROAUTH2_ERR_CONFLICT,
				"sqlite: %s: more than one record matches", t->name);
	else if (rc != SQLITE_DONE)
		status = fail(s->db, rc, t->name, "fetch", err);
	if (status != PROAUTH2_OK) {
		json_decref(found);
		return status;
	}
	*record = found;
	return PROAUTH2_OK;
}

/* ---- Schema ---- */

static proauth2_status exec(sqlite3 *db, const char *sql, const char *doing,
		proauth2_error *err)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? PROAUTH2_OK : fail(db, rc, "database", doing, err);
}

/* Run a PRAGMA that answers one row; on success *stmt is on that row and
 * the caller finalizes it. */
static proauth2_status pragma(sqlite3 *db, const char *sql,
		sqlite3_stmt **stmt, proauth2_error *err)
{
	int rc = sqlite3_prepare_v2(db, sql, -1, stmt, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(*stmt)) == SQLITE_ROW)
		return PROAUTH2_OK;
	if (rc == SQLITE_DONE)  /* no answer: not a pragma this SQLite knows */
		rc = SQLITE_ERROR;
	sqlite3_finalize(*stmt);
	*stmt = NULL;
	return fail(db, rc, "database", sql, err);
}

static proauth2_status read_version(sqlite3 *db, int *version,
		proauth2_error *err)
{
	sqlite3_stmt *stmt;
	proauth2_status status = pragma(db, "PRAGMA user_version", &stmt, err);

	if (status != PROAUTH2_OK)
		return status;
	*version = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return PROAUTH2_OK;
}

/* WAL lets readers run beside the writer. A database without a file (in
 * memory, temporary) cannot use it and keeps the mode it has. */
static proauth2_status use_wal(sqlite3 *db, proauth2_error *err)
{
	const char *file = sqlite3_db_filename(db, "main"), *mode;
	proauth2_status status;
	sqlite3_stmt *stmt;

	status = pragma(db, "PRAGMA journal_mode = WAL", &stmt, err);
	if (status != PROAUTH2_OK)
		return status;
	mode = (const char *)sqlite3_column_text(stmt, 0);
	if (mode == NULL)
		status = proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	else if (file != NULL && file[0] != '\0' && sqlite3_stricmp(mode, "wal") != 0)
		status = proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
				"sqlite: journal mode stays %.20s, not WAL", mode);
	sqlite3_finalize(stmt);
	return status;
}

static const char *column_type(const proauth2_field *f)
{
	return f->type == PROAUTH2_FIELD_INTEGER ? "INTEGER" : "TEXT";
}

/* The table, then an index per queried field and on expires_at (purge). */
static proauth2_status create_table(sqlite3 *db, const proauth2_table *t,
		proauth2_error *err)
{
	sqlite3_str *sql = sqlite3_str_new(NULL);
	const proauth2_field *f;
	proauth2_status status;
	char *text;
	size_t i;

	sqlite3_str_appendf(sql, "CREATE TABLE " IDENT " (", t->name);
	for (i = 0; i < t->n_fields; i++) {
		f = &t->fields[i];
		sqlite3_str_appendf(sql, "%s" IDENT " %s%s%s", i > 0 ? ", " : "",
				f->name, column_type(f),
				(f->flags & PROAUTH2_FIELD_REQUIRED) ? " NOT NULL" : "",
				i == 0 ? " PRIMARY KEY" : "");
	}
	sqlite3_str_appendall(sql, ") WITHOUT ROWID;");
	for (i = 1; i < t->n_fields; i++) {
		f = &t->fields[i];
		if ((f->flags & PROAUTH2_FIELD_QUERIED) || f == expiry_field(t))
			sqlite3_str_appendf(sql, " CREATE INDEX \"%w_%w\" ON "
					IDENT " (" IDENT ");", t->name, f->name,
					t->name, f->name);
	}
	status = finish_sql(sql, PROAUTH2_OK, &text, err);
	if (status != PROAUTH2_OK)
		return status;
	status = exec(db, text, "create tables", err);
	sqlite3_free(text);
	return status;
}

/*
 * Create every table and stamp the version, in one transaction that reads
 * the version again: BEGIN IMMEDIATE makes a second process opening the
 * new file at once wait for the first, then find its schema.
 */
static proauth2_status create_schema(sqlite3 *db, int *version,
		proauth2_error *err)
{
	char sql[64];
	size_t n, i;
	const proauth2_table *tables = proauth2_schema_tables(&n);
	proauth2_status status = exec(db, "BEGIN IMMEDIATE", "begin", err);

	if (status != PROAUTH2_OK)
		return status;
	status = read_version(db, version, err);
	if (status == PROAUTH2_OK && *version == 0) {
		for (i = 0; i < n && status == PROAUTH2_OK; i++)
			status = create_table(db, &tables[i], err);
		sqlite3_snprintf(sizeof(sql), sql, "PRAGMA user_version = %d",
				PROAUTH2_SCHEMA_VERSION);
		if (status == PROAUTH2_OK)
			status = exec(db, sql, "set schema version", err);
		if (status == PROAUTH2_OK)
			*version = PROAUTH2_SCHEMA_VERSION;
	}
	if (status == PROAUTH2_OK)
		status = exec(db, "COMMIT", "commit", err);
	if (status != PROAUTH2_OK)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return status;
}

static proauth2_status check_schema(sqlite3 *db, proauth2_error *err)
{
	int version = 0;
	proauth2_status status = read_version(db, &version, err);

	if (status == PROAUTH2_OK && version == 0)
		status = create_schema(db, &version, err);
	if (status == PROAUTH2_OK && version > PROAUTH2_SCHEMA_VERSION)
		status = proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
				"sqlite: database schema version %d is newer than "
				"this library's %d", version, PROAUTH2_SCHEMA_VERSION);
	return status;
}

static proauth2_status open_db(const char *uri, sqlite3 **db,
		proauth2_error *err)
{
	/* NOMUTEX: the store's own lock serialises every use. */
	int rc = sqlite3_open_v2(uri, db, SQLITE_OPEN_READWRITE |
			SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
			NULL);
	proauth2_status status;

	if (rc != SQLITE_OK)
		return fail(*db, rc, "database", "open", err);
	/* So that a duplicate key shows as SQLITE_CONSTRAINT_PRIMARYKEY. */
	sqlite3_extended_result_codes(*db, 1);
	sqlite3_busy_timeout(*db, BUSY_TIMEOUT_MS);
	/* A write-protected file opens read-only: say so now, not at store. */
	if (sqlite3_db_readonly(*db, "main") == 1)
		return proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
				"sqlite: database: open: the file is read-only");
	status = use_wal(*db, err);
	/* FULL: a commit survives power loss, or a spent code could revive. */
	if (status == PROAUTH2_OK)
		status = exec(*db, "PRAGMA synchronous = FULL", "synchronous", err);
	if (status == PROAUTH2_OK)
		status = check_schema(*db, err);
	return status;
}

/* ---- The ops ---- */

static void sqlite_close(void *cls)
{
	struct sqlite_store *s = cls;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n_cached; i++) {
		sqlite3_finalize(s->cache[i].stmt);
		sqlite3_free(s->cache[i].sql);
	}
	sqlite3_close_v2(s->db);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static proauth2_status sqlite_init(const char *uri, void **cls,
		proauth2_error *err)
{
	struct sqlite_store *s;
	proauth2_status status;

	*cls = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
				"sqlite: cannot create a mutex");
	}
	status = open_db(uri, &s->db, err);
	if (status != PROAUTH2_OK) {
		sqlite_close(s);
		return status;
	}
	*cls = s;
	return PROAUTH2_OK;
}

/* A duplicate key fails the INSERT whole: CONFLICT, nothing changed. */
static proauth2_status sqlite_store(void *cls, const proauth2_table *t,
		json_t *record, proauth2_error *err)
{
	struct sqlite_store *s = cls;
	proauth2_status status;
	sqlite3_stmt *stmt;
	size_t changes;
	char *sql;

	status = build_insert(t, &sql, err);
	if (status == PROAUTH2_OK)
		status = start(s, sql, t, &stmt, err);
	if (status != PROAUTH2_OK)
		return status;
	status = bind_record(stmt, t, record, err);
	if (status == PROAUTH2_OK)
		status = execute(s, stmt, t, "store", &changes, err);
	finish(s, stmt);
	return status;
}

/* One UPDATE: readers see the old row or the new, never neither. */
static proauth2_status sqlite_replace(void *cls, const proauth2_table *t,
		json_t *record, proauth2_error *err)
{
	struct sqlite_store *s = cls;
	proauth2_status status;
	sqlite3_stmt *stmt;
	size_t changes = 0;
	char *sql;

	status = build_update(t, &sql, err);
	if (status == PROAUTH2_OK)
		status = start(s, sql, t, &stmt, err);
	if (status != PROAUTH2_OK)
		return status;
	status = bind_record(stmt, t, record, err);
	if (status == PROAUTH2_OK)
		status = execute(s, stmt, t, "replace", &changes, err);
	if (status == PROAUTH2_OK && changes == 0)
		status = proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
				"sqlite: %s: no record has this key", t->name);
	finish(s, stmt);
	return status;
}

static proauth2_status sqlite_fetch(void *cls, const proauth2_table *t,
		json_t *query, json_t **record, proauth2_error *err)
{
	struct sqlite_store *s = cls;
	proauth2_status status;
	sqlite3_stmt *stmt;
	char *sql;

	*record = NULL;
	status = build_select(t, query, &sql, err);
	if (status == PROAUTH2_OK)
		status = start(s, sql, t, &stmt, err);
	if (status != PROAUTH2_OK)
		return status;
	status = bind_query(stmt, t, query, err);
	if (status == PROAUTH2_OK)
		status = read_one(s, stmt, t, record, err);
	finish(s, stmt);
	return status;
}

/* One DELETE, whose count SQLite takes under its write lock: of many
 * removers of one row, only one sees it. */
static proauth2_status sqlite_remove(void *cls, const proauth2_table *t,
		json_t *query, size_t *removed, proauth2_error *err)
{
	struct sqlite_store *s = cls;
	proauth2_status status;
	sqlite3_stmt *stmt;
	char *sql;

	*removed = 0;
	status = build_delete(t, query, &sql, err);
	if (status == PROAUTH2_OK)
		status = start(s, sql, t, &stmt, err);
	if (status != PROAUTH2_OK)
		return status;
	status = bind_query(stmt, t, query, err);
	if (status == PROAUTH2_OK)
		status = execute(s, stmt, t, "remove", removed, err);
	finish(s, stmt);
	return status;
}

static proauth2_status sqlite_purge_expired(void *cls, const proauth2_table *t,
		int64_t now, size_t *removed, proauth2_error *err)
{
	struct sqlite_store *s = cls;
	proauth2_status status;
	sqlite3_stmt *stmt;
	sqlite3_str *sql;
	char *text;
	int rc;

	*removed = 0;
	if (expiry_field(t) == NULL)
		return PROAUTH2_OK;
	sql = sqlite3_str_new(NULL);
	sqlite3_str_appendf(sql, "DELETE FROM " IDENT " WHERE \"expires_at\" <= ?1",
			t->name);
	status = finish_sql(sql, PROAUTH2_OK, &text, err);
	if (status == PROAUTH2_OK)
		status = start(s, text, t, &stmt, err);
	if (status != PROAUTH2_OK)
		return status;
	rc = sqlite3_bind_int64(stmt, 1, now);
	if (rc != SQLITE_OK)
		status = bind_failed(rc, t, expiry_field(t), err);
	else
		status = execute(s, stmt, t, "purge", removed, err);
	finish(s, stmt);
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
	.replace = sqlite_replace,
	.close = sqlite_close,
	.purge_expired = sqlite_purge_expired,
};

const proauth2_datastore_ops *proauth2_sqlite_ops(void)
{
	return &sqlite_ops;
}
