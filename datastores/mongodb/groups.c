/*
 * Write groups (datastores/README.md, "Write groups") as multi-document
 * transactions, where the deployment has them: a replica set's primary or
 * a mongos. The group is the calling thread's: its own pooled client and
 * session, kept in a thread-specific slot of the store, nesting counted;
 * the thread's calls inside it go through that session, and end_writes
 * commits with majority write concern. A standalone server has no
 * transactions: there the group only counts its nesting, and each write
 * is durable on its own when it returns.
 */
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

struct group {
	int depth;
	mongoc_client_t *client;            /* NULL: no transaction */
	mongoc_client_session_t *session;
	/* A call inside failed: the server aborted the transaction. */
	bool doomed;
	proauth2_status doom_status;
	char doom_text[PROAUTH2_ERROR_TEXT_SIZE];
};

bool mongo_groups_init(struct mongo_store *s)
{
	s->group_key_made = pthread_key_create(&s->group_key, NULL) == 0;
	return s->group_key_made;
}

void mongo_groups_close(struct mongo_store *s)
{
	if (s->group_key_made)
		pthread_key_delete(s->group_key);
	s->group_key_made = false;
}

static struct group *group_of(struct mongo_store *s)
{
	return s->group_key_made ? pthread_getspecific(s->group_key) : NULL;
}

mongoc_client_session_t *mongo_group_session(struct mongo_store *s,
		mongoc_client_t **client)
{
	struct group *g = group_of(s);

	if (g == NULL || g->session == NULL)
		return NULL;
	*client = g->client;
	return g->session;
}

void mongo_group_doom(struct mongo_store *s, proauth2_status status,
		const char *text)
{
	struct group *g = group_of(s);

	if (g == NULL || g->doomed)
		return;
	g->doomed = true;
	g->doom_status = status;
	snprintf(g->doom_text, sizeof(g->doom_text), "%s", text);
}

/* Whether the server writes go to runs transactions: a replica set's
 * primary (wire version 7, MongoDB 4.0) or a mongos (8, 4.2), with
 * sessions. */
static proauth2_status has_transactions(mongoc_client_t *client, bool *yes,
		proauth2_error *err)
{
	mongoc_server_description_t *sd;
	const bson_t *hello;
	const char *type;
	bson_error_t e;
	bson_iter_t it;
	int64_t wire = 0;

	*yes = false;
	sd = mongoc_client_select_server(client, true, NULL, &e);
	if (sd == NULL)
		return mongo_fail(MONGO_READ, &e, NULL, "begin a write group", err);
	type = mongoc_server_description_type(sd);
	hello = mongoc_server_description_hello_response(sd);
	if (bson_iter_init_find(&it, hello, "maxWireVersion") &&
			BSON_ITER_HOLDS_NUMBER(&it))
		wire = bson_iter_as_int64(&it);
	*yes = bson_iter_init_find(&it, hello, "logicalSessionTimeoutMinutes") &&
		((strcmp(type, "RSPrimary") == 0 && wire >= 7) ||
		 (strcmp(type, "Mongos") == 0 && wire >= 8));
	mongoc_server_description_destroy(sd);
	return PROAUTH2_OK;
}

static proauth2_status start(struct mongo_store *s, struct group *g,
		proauth2_error *err)
{
	mongoc_transaction_opt_t *opts;
	mongoc_write_concern_t *majority;
	bson_error_t e;
	proauth2_status status;
	bool transactions;

	g->client = mongoc_client_pool_pop(s->pool);
	if (g->client == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_UNAVAILABLE, "mongodb: no "
				"connection free within waitQueueTimeoutMS (maxPoolSize reached)");
	status = has_transactions(g->client, &transactions, err);
	if (status == PROAUTH2_OK && transactions) {
		g->session = mongoc_client_start_session(g->client, NULL, &e);
		if (g->session == NULL)
			status = mongo_fail(MONGO_READ, &e, NULL, "start a session", err);
	}
	if (g->session != NULL) {
		opts = mongoc_transaction_opts_new();
		majority = mongoc_write_concern_new();
		mongoc_write_concern_set_wmajority(majority, (int32_t)s->max_time_ms);
		mongoc_transaction_opts_set_write_concern(opts, majority);
		mongoc_transaction_opts_set_read_prefs(opts, s->primary);
		if (s->max_time_ms > 0)
			mongoc_transaction_opts_set_max_commit_time_ms(opts, s->max_time_ms);
		if (!mongoc_client_session_start_transaction(g->session, opts, &e))
			status = proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
					"mongodb: start a transaction: %s", e.message);
		mongoc_write_concern_destroy(majority);
		mongoc_transaction_opts_destroy(opts);
	}
	if (status != PROAUTH2_OK || g->session == NULL) {
		/* Without transactions the group holds no client. */
		mongoc_client_session_destroy(g->session);
		g->session = NULL;
		mongoc_client_pool_push(s->pool, g->client);
		g->client = NULL;
	}
	return status;
}

proauth2_status mongo_begin_writes(void *cls, proauth2_error *err)
{
	struct mongo_store *s = cls;
	struct group *g = group_of(s);
	proauth2_status status;

	if (g != NULL) {
		g->depth++;
		return PROAUTH2_OK;
	}
	if (!s->group_key_made || (g = calloc(1, sizeof(*g))) == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	status = start(s, g, err);
	if (status == PROAUTH2_OK && pthread_setspecific(s->group_key, g) != 0) {
		mongoc_client_session_destroy(g->session);
		if (g->client != NULL)
			mongoc_client_pool_push(s->pool, g->client);
		status = proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	}
	if (status != PROAUTH2_OK) {
		free(g);
		return status;
	}
	g->depth = 1;
	return PROAUTH2_OK;
}

/* Commit, or abort a doomed transaction; what end_writes answers. */
static proauth2_status finish(struct group *g, proauth2_error *err)
{
	bson_t reply;
	bson_error_t e;
	proauth2_status status = PROAUTH2_OK;

	if (g->doomed) {
		/* Best effort: the server may have aborted it already. */
		mongoc_client_session_abort_transaction(g->session, NULL);
		return proauth2_error_set(err, g->doom_status == PROAUTH2_ERR_UNAVAILABLE ?
				PROAUTH2_ERR_UNAVAILABLE : PROAUTH2_ERR_DATASTORE,
				"mongodb: the write group was aborted: %s", g->doom_text);
	}
	mongo_attempts_reset();
	if (!mongoc_client_session_commit_transaction(g->session, &reply, &e))
		status = mongo_fail(MONGO_COMMIT, &e, &reply, "commit a write group", err);
	bson_destroy(&reply);
	return status;
}

proauth2_status mongo_end_writes(void *cls, proauth2_error *err)
{
	struct mongo_store *s = cls;
	struct group *g = group_of(s);
	proauth2_status status = PROAUTH2_OK;

	if (g == NULL || --g->depth > 0)
		return PROAUTH2_OK;
	pthread_setspecific(s->group_key, NULL);
	if (g->session != NULL) {
		status = finish(g, err);
		mongoc_client_session_destroy(g->session);
		mongoc_client_pool_push(s->pool, g->client);
	}
	free(g);
	return status;
}
