/*
 * The reader pool: on a file, reads borrow a connection of their own, so
 * they run beside each other and beside a commit's fsync, and see
 * committed data only. A memory database is private to its connection, so
 * there reads take the writer's; so do an open write group's, which must
 * see its own batch.
 */
#include <stdlib.h>

#include "sqlite_int.h"

/* Idle readers kept open; more are opened while more threads read at once,
 * and closed as they come back. Opening one, with its first statement,
 * costs some 30 reads (330 us against 10 us here): keep enough for a
 * host's worker threads. */
#define READERS_KEPT 64

struct connection *sqlite_reader_take(struct sqlite_store *s, int64_t deadline,
		proauth2_error *err)
{
	struct write_group *g = sqlite_group_on(s);
	struct connection *conn;
	int rc;

	if (!s->on_disk || g != NULL) {
		if (sqlite_lock_until(s, deadline, err) != PROAUTH2_OK)
			return NULL;
		if (g != NULL)
			sqlite_group_enter(s, g);
		return &s->writer;
	}
	sqlite_anchor_read(s);
	pthread_mutex_lock(&s->readers_lock);
	conn = s->idle_readers;
	if (conn != NULL) {
		s->idle_readers = conn->next;
		s->n_idle_readers--;
	}
	pthread_mutex_unlock(&s->readers_lock);
	if (conn != NULL) {
		conn->deadline = deadline;
		return conn;
	}
	conn = calloc(1, sizeof(*conn));
	if (conn == NULL) {
		proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
		return NULL;
	}
	/* Without SQLITE_OPEN_CREATE: a file gone since is an error, not a
	 * new empty database. */
	rc = sqlite_connection_open(s, conn, 0);
	/* It opened the path: a file renamed over the store's since would
	 * give it another database, beside the old one's -wal, and a copy
	 * of the store in a child would not know of its locks. Checked
	 * before it reads anything. */
	if (rc == SQLITE_OK && sqlite_connection_on_file(s, conn->db, err) != PROAUTH2_OK) {
		sqlite_connection_close(conn);
		free(conn);
		return NULL;
	}
	/* A reader that cannot write cannot harm what the writer does. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(conn->db, "PRAGMA query_only = ON", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		sqlite_fail(conn->db, rc, "open a reader", err);
		sqlite_connection_close(conn);
		free(conn);
		return NULL;
	}
	conn->deadline = deadline;
	return conn;
}

void sqlite_reader_give(struct sqlite_store *s, struct connection *conn)
{
	if (conn == &s->writer) {
		sqlite_writer_check(s);
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
		sqlite_connection_close(conn);
		free(conn);
	}
}
