/*
 * Connections: opening and closing them, the statements prepared on each
 * (cached by what they do: struct statement_key), SQLite's results as
 * statuses, and the identity of the file they were opened on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sqlite_int.h"

proauth2_status sqlite_fail(sqlite3 *db, int rc, const char *doing,
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

/* Whether c matches query's field names, in their order. */
static bool same_names(const struct cached_statement *c, const json_t *query)
{
	const char *name, *names = c->names;
	json_t *value;

	if ((query != NULL ? json_object_size(query) : 0) != c->n_names)
		return false;
	if (query == NULL)
		return true;
	json_object_foreach((json_t *)query, name, value) {
		if (strcmp(names, name) != 0)
			return false;
		names += strlen(names) + 1;
	}
	return true;
}

/* query's field names into c, each ending in a NUL; -1: no memory. */
static int keep_names(struct cached_statement *c, const json_t *query)
{
	const char *name;
	json_t *value;
	size_t size = 1;
	char *at;

	json_object_foreach((json_t *)query, name, value)
		size += strlen(name) + 1;
	if ((c->names = at = malloc(size)) == NULL)
		return -1;
	json_object_foreach((json_t *)query, name, value) {
		size_t n = strlen(name) + 1;

		memcpy(at, name, n);
		at += n;
		c->n_names++;
	}
	*at = '\0';
	return 0;
}

static void cached_free(struct cached_statement *c)
{
	sqlite3_finalize(c->stmt);
	free(c->names);
	free(c);
}

sqlite3_stmt *sqlite_statement(struct connection *conn,
		const struct statement_key *key, proauth2_error *err)
{
	struct cached_statement *c;
	char sql[SQL_MAX];
	int rc;

	for (c = conn->statements; c != NULL; c = c->next)
		if (c->kind == key->kind && c->table == key->table &&
				c->marks == key->marks && same_names(c, key->query))
			return c->stmt;
	if (sqlite_statement_sql(sql, key) != 0) {
		proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
				"sqlite: a statement on %s too long to build",
				key->table->name);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL || keep_names(c, key->query) != 0) {
		free(c);
		proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
		return NULL;
	}
	c->kind = key->kind;
	c->table = key->table;
	c->marks = key->marks;
	rc = sqlite3_prepare_v3(conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			&c->stmt, NULL);
	if (rc != SQLITE_OK) {
		sqlite_fail(conn->db, rc, "prepare", err);
		cached_free(c);
		return NULL;
	}
	c->next = conn->statements;
	conn->statements = c;
	return c->stmt;
}

void sqlite_release(sqlite3_stmt *stmt)
{
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

int sqlite_connection_open(struct sqlite_store *s, struct connection *conn, int flags)
{
	int rc = sqlite3_open_v2(s->uri, &conn->db, SQLITE_OPEN_READWRITE |
			SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX | flags, NULL);

	conn->store = s;
	conn->deadline = 0;
	conn->wait_fd = -1;
	if (rc == SQLITE_OK)
		sqlite3_busy_handler(conn->db, sqlite_on_busy, conn);
	return rc;
}

/*
 * A file deleted or replaced under a running store stays open as an
 * orphaned inode: SQLite goes on committing into it, and every write would
 * be told OK and be lost. Its identity at open (noted right after the
 * writer opened it) is compared with the path's on each write.
 */
static const char *const suffixes[] = {"", "-wal"};

static int identify(const char *file, const char *suffix, struct file_id *id)
{
	char name[4096];
	struct stat st;

	if ((size_t)snprintf(name, sizeof(name), "%s%s", file, suffix) >= sizeof(name) ||
			stat(name, &st) != 0)
		return -1;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

bool sqlite_file_same(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

int sqlite_file_note(struct sqlite_store *s, proauth2_error *err)
{
	const char *file = sqlite3_db_filename(s->writer.db, "main");

	if (file == NULL || file[0] == '\0')
		return 0;
	if ((s->file = strdup(file)) == NULL) {
		proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
		return -1;
	}
	if (identify(s->file, "", &s->ids[0]) != 0) {
		proauth2_error_set(err, PROAUTH2_ERR_DATASTORE, "sqlite: open: %s",
				strerror(errno));
		return -1;
	}
	return 0;
}

void sqlite_file_note_wal(struct sqlite_store *s)
{
	if (s->file != NULL && identify(s->file, suffixes[1], &s->ids[1]) != 0)
		s->ids[1] = (struct file_id){0, 0};
}

/* Whether name is s's file (a memory database has none to be). */
static proauth2_status names_store_file(const struct sqlite_store *s, const char *name,
		proauth2_error *err)
{
	struct file_id now;

	if (s->file == NULL || (identify(name, "", &now) == 0 &&
			sqlite_file_same(&now, &s->ids[0])))
		return PROAUTH2_OK;
	return proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
			"sqlite: the database file was deleted or replaced since it was opened");
}

proauth2_status sqlite_file_unchanged(const struct sqlite_store *s, proauth2_error *err)
{
	return names_store_file(s, s->file, err);
}

proauth2_status sqlite_connection_on_file(const struct sqlite_store *s, sqlite3 *db,
		proauth2_error *err)
{
	return names_store_file(s, sqlite3_db_filename(db, "main"), err);
}

/*
 * SQLite does not checkpoint a moved file on close, and leaves its -wal
 * under the path: the next open of whatever file is there would replay
 * that WAL into it. Removed, if it is still the one noted (a -wal of the
 * new file is not ours). The -shm left is harmless: the next first
 * connection to it starts it afresh.
 */
void sqlite_file_forget(const struct sqlite_store *s)
{
	char name[4096];
	struct file_id now;

	if (s->ids[1].ino != 0 && identify(s->file, suffixes[1], &now) == 0 &&
			sqlite_file_same(&now, &s->ids[1]) &&
			(size_t)snprintf(name, sizeof(name), "%s-wal", s->file) < sizeof(name))
		unlink(name);
}

void sqlite_connection_close(struct connection *conn)
{
	struct cached_statement *c, *next;

	for (c = conn->statements; c != NULL; c = next) {
		next = c->next;
		cached_free(c);
	}
	conn->statements = NULL;
	sqlite3_close(conn->db);
	conn->db = NULL;
	if (conn->wait_fd >= 0)
		close(conn->wait_fd);
	conn->wait_fd = -1;
}
