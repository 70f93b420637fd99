/*
 * Connections: opening and closing them, the statements prepared on each
 * (cached by their SQL text), and SQLite's results as statuses.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"

#define BUSY_TIMEOUT_MS 5000

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

sqlite3_stmt *sqlite_statement(struct connection *conn, const char *sql,
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
		sqlite_fail(conn->db, rc, "prepare", err);
		free(c->sql);
		free(c);
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

int sqlite_connection_open(struct connection *conn, const char *uri, int flags)
{
	int rc = sqlite3_open_v2(uri, &conn->db, SQLITE_OPEN_READWRITE |
			SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX | flags, NULL);

	if (rc == SQLITE_OK)
		sqlite3_busy_timeout(conn->db, BUSY_TIMEOUT_MS);
	return rc;
}

void sqlite_connection_close(struct connection *conn)
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
