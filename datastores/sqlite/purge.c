/*
 * Expired rows, reclaimed by the writes themselves: no thread, no host
 * call. Every PURGE_EVERY_WRITES writes, or at the first write once the
 * clock has passed the second of the last step (or of the open: so after
 * an idle spell too), the writer runs one step in the batch it
 * is in: from each table with expires_at, at most PURGE_ROWS rows whose
 * expiry is past by the real clock. A step is bounded work (a few
 * milliseconds at most) and shares the write's commit, so it never stalls
 * a request; two rows a write per table is more than any write adds, so a
 * backlog shrinks under write load. The same bounded DELETE serves
 * purge_expired, step after step, with the writer's lock let go in between.
 *
 * A background thread would purge an idle store too, but an idle store's
 * expired rows cost only space (the core never returns them), and a thread
 * would have to be stopped at close and would not survive a fork.
 */
#include <stdio.h>
#include <time.h>

#include "sqlite_int.h"

#define PURGE_EVERY_WRITES 128
#define PURGE_EVERY_S 1

int sqlite_purge_sql(char *sql, size_t size, const proauth2_table *t)
{
	const char *key = t->fields[0].name;

	if (proauth2_table_field(t, "expires_at") == NULL)
		return -1;
	/* SQLite's DELETE ... LIMIT is a compile-time option, seldom built
	 * in; by key, since tables of old versions may be WITHOUT ROWID. */
	snprintf(sql, size, "DELETE FROM \"%s\" WHERE \"%s\" IN (SELECT \"%s\""
			" FROM \"%s\" WHERE \"expires_at\" <= ? LIMIT %d)",
			t->name, key, key, t->name, PURGE_ROWS);
	return 0;
}

/* time(), not clock_gettime(): a second is fine enough, and a wall clock
 * stepped back only makes a step due. */
bool sqlite_purge_due(struct sqlite_store *s)
{
	int64_t now = (int64_t)time(NULL);

	if (++s->writes_since_purge < PURGE_EVERY_WRITES &&
			now >= s->last_purge && now - s->last_purge < PURGE_EVERY_S)
		return false;
	s->writes_since_purge = 0;
	s->last_purge = now;
	return true;
}

void sqlite_purge_step(struct sqlite_store *s)
{
	size_t n, i;
	const proauth2_table *tables = proauth2_schema_tables(&n);
	sqlite3_stmt *stmt;
	int64_t now = (int64_t)time(NULL);

	for (i = 0; i < n; i++) {
		const struct statement_key key = {STATEMENT_PURGE, &tables[i], NULL, NULL};

		if (proauth2_table_field(&tables[i], "expires_at") == NULL ||
				(stmt = sqlite_statement(&s->writer, &key, NULL)) == NULL)
			continue;
		/* A step that fails is retried at the next; one that rolled
		 * the batch back is the write's failure (its settle says so). */
		if (sqlite3_bind_int64(stmt, 1, now) == SQLITE_OK)
			sqlite3_step(stmt);
		sqlite_release(stmt);
		if (s->in_batch && sqlite3_get_autocommit(s->writer.db))
			break;
	}
}
