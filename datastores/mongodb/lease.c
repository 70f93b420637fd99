/* A client for one call: the thread's write group's while it has a
 * transaction (a session belongs to its client), else one from the pool. */
#include <string.h>
#include <time.h>

#include "mongo_store.h"

proauth2_status lease_begin(struct mongo_store *s, const char *collection,
		struct lease *l, proauth2_error *err)
{
	mongoc_client_t *group_client = NULL;

	l->collection = NULL;
	l->session = mongo_group_session(s, &group_client);
	l->pooled = l->session == NULL;
	l->client = l->pooled ? mongoc_client_pool_pop(s->pool) : group_client;
	if (l->client == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_UNAVAILABLE, "mongodb: no "
				"connection free within waitQueueTimeoutMS (maxPoolSize reached)");
	if (collection != NULL)
		l->collection = mongoc_client_get_collection(l->client, s->database,
				collection);
	mongo_attempts_reset();
	return PROAUTH2_OK;
}

void lease_end(struct mongo_store *s, struct lease *l)
{
	mongoc_collection_destroy(l->collection);
	if (l->pooled)
		mongoc_client_pool_push(s->pool, l->client);
}

bool lease_options(struct mongo_store *s, const struct lease *l, bson_t *opts,
		bson_error_t *e)
{
	/* A transaction's commands take no maxTimeMS of their own (the server
	 * refuses it): its commit carries one. */
	if (l->session != NULL)
		return mongoc_client_session_append(l->session, opts, e);
	if (s->max_time_ms > 0)
		BSON_APPEND_INT64(opts, "maxTimeMS", s->max_time_ms);
	return true;
}

proauth2_status lease_fail(struct mongo_store *s, const struct lease *l,
		enum mongo_call call, const bson_error_t *e, const bson_t *reply,
		const char *doing, proauth2_error *err)
{
	proauth2_error own = {PROAUTH2_OK, ""};
	proauth2_status status;

	if (l->session == NULL)
		return mongo_fail(call, e, reply, doing, err);
	/* In a transaction any failure aborts it on the server: the group is
	 * lost, whatever this call's answer. */
	status = mongo_fail(MONGO_IN_TXN, e, reply, doing, &own);
	mongo_group_doom(s, status, own.text);
	return proauth2_error_set(err, status, "%s", own.text);
}

proauth2_status lease_check_primary(struct mongo_store *s, const struct lease *l,
		proauth2_error *err)
{
	mongoc_server_description_t *sd;
	bson_error_t e;
	const char *type;
	bool writable;

	if (!s->direct || l->session != NULL)
		return PROAUTH2_OK;
	sd = mongoc_client_select_server(l->client, false, s->primary, &e);
	if (sd == NULL)
		return mongo_fail(MONGO_READ, &e, NULL, "select the primary", err);
	type = mongoc_server_description_type(sd);
	writable = strcmp(type, "RSPrimary") == 0 || strcmp(type, "Standalone") == 0 ||
		strcmp(type, "Mongos") == 0;
	mongoc_server_description_destroy(sd);
	return writable ? PROAUTH2_OK : proauth2_error_set(err, PROAUTH2_ERR_UNAVAILABLE,
			"mongodb: the URI's host (directConnection=true) is a %s, not "
			"the primary: reads go to the primary only", type);
}

int64_t mongo_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool mongo_retry_refused(void *cls, proauth2_status status, int64_t start_ms)
{
	struct mongo_store *s = cls;
	mongoc_client_t *client;

	/* In a transaction the step-down aborted it: the group decides. */
	return status == PROAUTH2_ERR_UNAVAILABLE && mongo_last_refused() &&
		mongo_group_session(s, &client) == NULL &&
		mongo_now_ms() - start_ms <= s->wait_queue_ms;
}
