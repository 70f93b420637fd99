/*
 * The schema on SQLite: a table per schema table, an index per queried
 * field (with expires_at after it, in a table that has one; an optional
 * field's over the rows that have it) and on expires_at, and the version
 * in PRAGMA user_version. An older database (version 1) gains the tables
 * and optional columns added since; tables made WITHOUT ROWID by earlier
 * versions are kept as they are; a database of a newer schema is refused.
 */
#include <stdio.h>
#include <string.h>

#include "sqlite_int.h"

proauth2_status sqlite_schema_exec(struct sqlite_store *s, const char *sql,
		proauth2_error *err)
{
	int rc = sqlite3_exec(s->writer.db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? PROAUTH2_OK : sqlite_fail(s->writer.db, rc, "schema", err);
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
static proauth2_status create_table(struct sqlite_store *s, const proauth2_table *t,
		proauth2_error *err)
{
	char sql[SQL_MAX];
	size_t i, len;
	proauth2_status status;

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
	if ((status = sqlite_schema_exec(s, sql, err)) != PROAUTH2_OK)
		return status;
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
		if ((status = sqlite_schema_exec(s, sql, err)) != PROAUTH2_OK)
			return status;
	}
	for (i = 1; i < t->n_fields; i++) {
		const proauth2_field *f = &t->fields[i];
		bool expires = strcmp(f->name, "expires_at") == 0;
		char where[SQL_MAX / 4];

		if (!(f->flags & PROAUTH2_FIELD_QUERIED) && !expires)
			continue;
		/* In a table that expires, a queried field's index ends in
		 * expires_at: count reads only the index (a client's pending
		 * requests, at every authorization request). An optional
		 * field's index leaves out the rows without it, which no query
		 * ("= ?") can match: a client_credentials token has no user_id,
		 * and its entry would be a tenth of its bytes. Indexes made by
		 * an older schema stay as they were. */
		where[0] = '\0';
		if (!(f->flags & PROAUTH2_FIELD_REQUIRED))
			snprintf(where, sizeof(where), " WHERE \"%s\" IS NOT NULL", f->name);
		snprintf(sql, sizeof(sql), "CREATE INDEX IF NOT EXISTS \"%s_%s\" ON \"%s\""
				" (\"%s\"%s)%s", t->name, f->name, t->name, f->name,
				!expires && proauth2_table_field(t, "expires_at") != NULL ?
				", \"expires_at\"" : "", where);
		if ((status = sqlite_schema_exec(s, sql, err)) != PROAUTH2_OK)
			return status;
	}
	return PROAUTH2_OK;
}

static proauth2_status schema_version(struct sqlite_store *s, int *version,
		proauth2_error *err)
{
	sqlite3_stmt *stmt;
	int rc = sqlite3_prepare_v2(s->writer.db, "PRAGMA user_version", -1, &stmt, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*version = sqlite3_column_int(stmt, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(stmt);
	return rc == SQLITE_OK ? PROAUTH2_OK :
		sqlite_fail(s->writer.db, rc, "read schema version", err);
}

proauth2_status sqlite_refuse_newer(struct sqlite_store *s, proauth2_error *err)
{
	int version = 0;

	proauth2_status status = schema_version(s, &version, err);

	if (status != PROAUTH2_OK)
		return status;
	if (version > PROAUTH2_SCHEMA_VERSION)
		return proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
				"sqlite: database schema version %d is newer than this "
				"library's %d", version, PROAUTH2_SCHEMA_VERSION);
	return PROAUTH2_OK;
}

/* In one transaction, so that two processes opening a new file at once do
 * not both create it. */
proauth2_status sqlite_ensure_schema(struct sqlite_store *s, proauth2_error *err)
{
	char sql[64];
	size_t n, i;
	const proauth2_table *tables = proauth2_schema_tables(&n);
	int version = 0;
	proauth2_status status = sqlite_lock_file(s, "schema", err);

	if (status != PROAUTH2_OK)
		return status;
	/* Again: another process may have upgraded the file since. */
	if ((status = sqlite_refuse_newer(s, err)) != PROAUTH2_OK ||
			(status = schema_version(s, &version, err)) != PROAUTH2_OK)
		goto rollback;
	/* Schema changes so far only add tables and optional columns:
	 * creating what is missing brings any older version up to date. */
	if (version < PROAUTH2_SCHEMA_VERSION) {
		for (i = 0; i < n; i++)
			if ((status = create_table(s, &tables[i], err)) != PROAUTH2_OK)
				goto rollback;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
				PROAUTH2_SCHEMA_VERSION);
		if ((status = sqlite_schema_exec(s, sql, err)) != PROAUTH2_OK)
			goto rollback;
	}
	if ((status = sqlite_schema_exec(s, "COMMIT", err)) == PROAUTH2_OK)
		return PROAUTH2_OK;
rollback:
	sqlite3_exec(s->writer.db, "ROLLBACK", NULL, NULL, NULL);
	return status;
}
