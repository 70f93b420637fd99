/*
 * The MongoDB datastore: one collection per schema table, the table's key
 * as _id (unique on every server), an index per queried field, and a TTL
 * index that reclaims expired records. Every operation is one server-side
 * atomic command, so one-time codes and refresh rotation stay exactly-once
 * across processes: two deletes of one document never both count it.
 * A client pool serves the provider's threads; write groups are
 * transactions where the server has them (groups.c). errors.c says what a
 * failure means, options.c sets the URI's defaults, schema.c and
 * indexes.c make the collections' indexes and the version mark.
 */
#include <stdlib.h>
#include <string.h>

#include <proauth2/mongodb.h>

#include "bson_record.h"
#include "mongo_store.h"

#define DEFAULT_DATABASE "proauth2"

/* A count from a write reply ("deletedCount", "matchedCount"). */
static size_t reply_count(const bson_t *reply, const char *name)
{
	bson_iter_t it;

	if (bson_iter_init_find(&it, reply, name) && BSON_ITER_HOLDS_NUMBER(&it))
		return (size_t)bson_iter_as_int64(&it);
	return 0;
}

/* ---- ops ---- */

static void mongo_close(void *cls)
{
	struct mongo_store *s = cls;

	if (s == NULL)
		return;
	if (s->pool != NULL)
		mongoc_client_pool_destroy(s->pool);
	mongo_groups_close(s);
	mongoc_read_prefs_destroy(s->primary);
	free(s->database);
	free(s);
}

static proauth2_status mongo_init(const char *uri_string, void **cls,
		proauth2_error *err)
{
	struct mongo_store *s;
	mongoc_uri_t *uri;
	const char *database;
	bson_error_t e;
	proauth2_status status;
	bool direct;
	int64_t max_time_ms, wait_queue_ms;

	*cls = NULL;
	uri = mongoc_uri_new_with_error(uri_string, &e);
	if (uri == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"mongodb: bad URI: %s", e.message);
	/* Unacknowledged writes could not refuse a duplicate key or count
	 * what a remove removed: the contract needs both. */
	if (!mongoc_write_concern_is_acknowledged(mongoc_uri_get_write_concern(uri))) {
		mongoc_uri_destroy(uri);
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"mongodb: w=0 (unacknowledged writes) is not supported");
	}
	mongo_uri_defaults(uri, &direct, &max_time_ms, &wait_queue_ms);
	database = mongoc_uri_get_database(uri);
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->database = strdup(database != NULL ? database :
			DEFAULT_DATABASE)) == NULL ||
			(s->primary = mongoc_read_prefs_new(MONGOC_READ_PRIMARY)) == NULL ||
			!mongo_groups_init(s)) {
		mongoc_uri_destroy(uri);
		mongo_close(s);
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	}
	s->direct = direct;
	s->max_time_ms = max_time_ms;
	s->wait_queue_ms = wait_queue_ms;
	s->pool = mongoc_client_pool_new_with_error(uri, &e);
	if (s->pool != NULL && mongoc_uri_get_appname(uri) == NULL)
		mongoc_client_pool_set_appname(s->pool, "proauth2");
	mongoc_uri_destroy(uri);
	if (s->pool == NULL) {
		/* A failed mongodb+srv lookup may pass; bad TLS options will not. */
		status = mongo_fail(MONGO_READ, &e, NULL, "create a client pool", err);
		mongo_close(s);
		return status == PROAUTH2_ERR_UNAVAILABLE ? status : proauth2_error_set(err,
				PROAUTH2_ERR_INVALID_ARGUMENT, "mongodb: %s", e.message);
	}
	mongoc_client_pool_set_error_api(s->pool, MONGOC_ERROR_API_VERSION_2);
	mongo_attempts_watch(s->pool);
	status = mongo_schema_ensure(s, err);
	if (status != PROAUTH2_OK) {
		mongo_close(s);
		return status;
	}
	*cls = s;
	return PROAUTH2_OK;
}

/* In a transaction a duplicate-key error would abort it, and the group's
 * earlier writes with it: there the insert is an upsert that inserts only
 * what is missing, and a match is the conflict. Another transaction
 * storing the same key at once makes one of the two fail (a write
 * conflict), so the check and the insert stay one step. */
static bool insert_in_transaction(struct lease *l, const bson_t *doc,
		const bson_t *opts, bool *exists, bson_t *reply, bson_error_t *e)
{
	bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, fields, upsert;
	bson_iter_t it;
	bool ok;

	bson_copy_to(opts, &upsert);
	BSON_APPEND_BOOL(&upsert, "upsert", true);
	bson_append_document_begin(&update, "$setOnInsert", -1, &fields);
	if (bson_iter_init(&it, doc)) {
		while (bson_iter_next(&it)) {
			if (strcmp(bson_iter_key(&it), "_id") == 0)
				bson_append_iter(&filter, "_id", -1, &it);
			else
				bson_append_iter(&fields, NULL, 0, &it);
		}
	}
	bson_append_document_end(&update, &fields);
	ok = mongoc_collection_update_one(l->collection, &filter, &update, &upsert,
			reply, e);
	*exists = ok && reply_count(reply, "matchedCount") > 0;
	bson_destroy(&upsert);
	bson_destroy(&update);
	bson_destroy(&filter);
	return ok;
}

static proauth2_status mongo_store_once(void *cls, const proauth2_table *t,
		json_t *record, proauth2_error *err)
{
	struct mongo_store *s = cls;
	bson_t doc = BSON_INITIALIZER, opts = BSON_INITIALIZER, reply = BSON_INITIALIZER;
	struct lease l;
	bson_error_t e;
	proauth2_status status = PROAUTH2_OK;
	bool ok, exists = false;

	if (!bson_record_from_json(t, record, &doc)) {
		bson_destroy(&doc);
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"mongodb: a %s record does not fit in BSON", t->name);
	}
	status = lease_begin(s, t->name, &l, err);
	if (status == PROAUTH2_OK) {
		ok = lease_options(s, &l, &opts, &e);
		/* The unique _id refuses a second record with the same key. */
		if (ok && l.session != NULL)
			ok = insert_in_transaction(&l, &doc, &opts, &exists, &reply, &e);
		else if (ok)
			ok = mongoc_collection_insert_one(l.collection, &doc, &opts, &reply, &e);
		if (!ok)
			status = lease_fail(s, &l, MONGO_WRITE, &e, &reply, "store", err);
		else if (exists)
			status = proauth2_error_set(err, PROAUTH2_ERR_CONFLICT,
					"mongodb: store: the key exists already");
		bson_destroy(&reply);
		lease_end(s, &l);
	}
	bson_destroy(&opts);
	bson_destroy(&doc);
	return status;
}

static proauth2_status mongo_replace_once(void *cls, const proauth2_table *t,
		json_t *record, proauth2_error *err)
{
	struct mongo_store *s = cls;
	bson_t doc = BSON_INITIALIZER, filter = BSON_INITIALIZER, opts = BSON_INITIALIZER;
	bson_t reply = BSON_INITIALIZER;
	struct lease l;
	bson_error_t e;
	proauth2_status status = PROAUTH2_OK;
	json_t *key = json_object_get(record, t->fields[0].name);

	if (!bson_record_from_json(t, record, &doc) ||
			!BSON_APPEND_UTF8(&filter, "_id", json_string_value(key))) {
		bson_destroy(&filter);
		bson_destroy(&doc);
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"mongodb: a %s record does not fit in BSON", t->name);
	}
	status = lease_begin(s, t->name, &l, err);
	if (status == PROAUTH2_OK) {
		if (!lease_options(s, &l, &opts, &e) ||
				!mongoc_collection_replace_one(l.collection, &filter, &doc,
				&opts, &reply, &e))
			status = lease_fail(s, &l, MONGO_WRITE, &e, &reply, "replace", err);
		else if (reply_count(&reply, "matchedCount") == 0)
			status = proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
					"mongodb: no such %s record", t->name);
		bson_destroy(&reply);
		lease_end(s, &l);
	}
	bson_destroy(&opts);
	bson_destroy(&filter);
	bson_destroy(&doc);
	return status;
}

/* Where fetch_unmarked's pipeline keeps a document's marks, dropped
 * before the reply. */
#define MARKS_FIELD "proauth2_marks"

/* fetch_unmarked's pipeline: filter's documents of t that no document of
 * marks alive at now names by its key, at most two. New; NULL when it does
 * not fit. */
static bson_t *unmarked_pipeline(const proauth2_table *t, const bson_t *filter,
		const proauth2_table *marks, int64_t now)
{
	const char *key = marks->fields[0].name;
	bson_t *alive = proauth2_table_field(marks, "expires_at") != NULL ?
		BCON_NEW(MARKS_FIELD, "{", "$not", "{", "$elemMatch", "{",
				"expires_at", "{", "$gt", BCON_INT64(now), "}",
				"}", "}", "}") :
		BCON_NEW(MARKS_FIELD, "{", "$size", BCON_INT32(0), "}");
	bson_t *pipeline = alive == NULL ? NULL : BCON_NEW("pipeline", "[",
			"{", "$match", BCON_DOCUMENT(filter), "}",
			"{", "$lookup", "{", "from", BCON_UTF8(marks->name),
				"localField", BCON_UTF8(bson_name(t, key)),
				"foreignField", BCON_UTF8("_id"),
				"as", BCON_UTF8(MARKS_FIELD), "}", "}",
			"{", "$match", BCON_DOCUMENT(alive), "}",
			"{", "$limit", BCON_INT32(2), "}",
			"{", "$project", "{", MARKS_FIELD, BCON_INT32(0), "}", "}",
			"]");

	bson_destroy(alive);
	return pipeline;
}

/* fetch, and fetch_unmarked when marks is not NULL: a find, or an
 * aggregate that looks the marks up on the server, one round trip. */
static proauth2_status mongo_fetch_once(void *cls, const proauth2_table *t,
		json_t *query, const proauth2_table *marks, int64_t now,
		json_t **record, proauth2_error *err)
{
	struct mongo_store *s = cls;
	bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER, *pipeline = NULL;
	const bson_t *doc, *reply = NULL;
	mongoc_cursor_t *cursor;
	struct lease l;
	bson_error_t e;
	proauth2_status status = PROAUTH2_OK;
	int found = 0;

	*record = NULL;
	if (!bson_query_from_json(t, query, &filter) || (marks != NULL &&
			(pipeline = unmarked_pipeline(t, &filter, marks, now)) == NULL)) {
		bson_destroy(&filter);
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"mongodb: a %s query does not fit in BSON", t->name);
	}
	/* Two are enough to tell one from many (the pipeline has its own). */
	if (pipeline == NULL)
		BSON_APPEND_INT64(&opts, "limit", 2);
	status = lease_begin(s, t->name, &l, err);
	if (status == PROAUTH2_OK && (status = lease_check_primary(s, &l, err)) ==
			PROAUTH2_OK && !lease_options(s, &l, &opts, &e))
		status = lease_fail(s, &l, MONGO_READ, &e, NULL, "fetch", err);
	if (status != PROAUTH2_OK) {
		if (l.client != NULL)
			lease_end(s, &l);
		bson_destroy(pipeline);
		bson_destroy(&opts);
		bson_destroy(&filter);
		return status;
	}
	cursor = pipeline == NULL ?
		mongoc_collection_find_with_opts(l.collection, &filter, &opts,
				s->primary) :
		mongoc_collection_aggregate(l.collection, MONGOC_QUERY_NONE,
				pipeline, &opts, s->primary);
	while (mongoc_cursor_next(cursor, &doc))
		if (found++ == 0)
			*record = bson_record_to_json(t, doc);
	if (mongoc_cursor_error_document(cursor, &e, &reply))
		status = lease_fail(s, &l, MONGO_READ, &e, reply, "fetch", err);
	else if (found == 0)
		status = proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
				"mongodb: no such %s record", t->name);
	else if (found > 1)
		status = proauth2_error_set(err, PROAUTH2_ERR_CONFLICT,
				"mongodb: more than one %s record matches", t->name);
	else if (*record == NULL)
		status = proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
				"mongodb: a stored %s record has fields of the wrong type",
				t->name);
	mongoc_cursor_destroy(cursor);
	lease_end(s, &l);
	if (status != PROAUTH2_OK) {
		json_decref(*record);
		*record = NULL;
	}
	bson_destroy(pipeline);
	bson_destroy(&opts);
	bson_destroy(&filter);
	return status;
}

/* delete_many with filter; the server counts what it deleted, atomically
 * per document. */
static proauth2_status delete_matching(struct mongo_store *s, const proauth2_table *t,
		const bson_t *filter, size_t *removed, proauth2_error *err)
{
	struct lease l;
	bson_t reply = BSON_INITIALIZER, opts = BSON_INITIALIZER;
	bson_error_t e;
	proauth2_status status = lease_begin(s, t->name, &l, err);

	if (status != PROAUTH2_OK)
		return status;
	if (!lease_options(s, &l, &opts, &e) ||
			!mongoc_collection_delete_many(l.collection, filter, &opts, &reply, &e))
		status = lease_fail(s, &l, MONGO_WRITE, &e, &reply, "remove", err);
	else
		*removed = reply_count(&reply, "deletedCount");
	bson_destroy(&reply);
	bson_destroy(&opts);
	lease_end(s, &l);
	return status;
}

static proauth2_status mongo_remove_once(void *cls, const proauth2_table *t,
		json_t *query, size_t *removed, proauth2_error *err)
{
	bson_t filter = BSON_INITIALIZER;
	proauth2_status status;

	*removed = 0;
	if (bson_query_from_json(t, query, &filter))
		status = delete_matching(cls, t, &filter, removed, err);
	else
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"mongodb: a %s query does not fit in BSON", t->name);
	bson_destroy(&filter);
	return status;
}

static proauth2_status mongo_purge_expired_once(void *cls, const proauth2_table *t,
		int64_t now, size_t *removed, proauth2_error *err)
{
	bson_t filter = BSON_INITIALIZER, lte;
	proauth2_status status;

	*removed = 0;
	if (proauth2_table_field(t, "expires_at") == NULL)
		return PROAUTH2_OK;
	bson_append_document_begin(&filter, "expires_at", -1, &lte);
	BSON_APPEND_INT64(&lte, "$lte", now);
	bson_append_document_end(&filter, &lte);
	status = delete_matching(cls, t, &filter, removed, err);
	bson_destroy(&filter);
	return status;
}

/* countDocuments with a limit: the server stops there, on the client_id
 * or the expiry index. */
static proauth2_status mongo_count_once(void *cls, const proauth2_table *t,
		json_t *query, int64_t now, size_t limit, size_t *n, proauth2_error *err)
{
	struct mongo_store *s = cls;
	bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER, gt;
	bson_t reply = BSON_INITIALIZER;
	struct lease l;
	bson_error_t e;
	int64_t count;
	proauth2_status status;

	*n = 0;
	if (query != NULL && !bson_query_from_json(t, query, &filter)) {
		bson_destroy(&filter);
		bson_destroy(&opts);
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"mongodb: a %s query does not fit in BSON", t->name);
	}
	if (proauth2_table_field(t, "expires_at") != NULL) {
		bson_append_document_begin(&filter, "expires_at", -1, &gt);
		BSON_APPEND_INT64(&gt, "$gt", now);
		bson_append_document_end(&filter, &gt);
	}
	BSON_APPEND_INT64(&opts, "limit", limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
	status = lease_begin(s, t->name, &l, err);
	if (status == PROAUTH2_OK) {
		status = lease_check_primary(s, &l, err);
		if (status == PROAUTH2_OK && !lease_options(s, &l, &opts, &e))
			status = lease_fail(s, &l, MONGO_READ, &e, NULL, "count", err);
		else if (status == PROAUTH2_OK && (count = mongoc_collection_count_documents(
				l.collection, &filter, &opts, s->primary, &reply, &e)) < 0)
			status = lease_fail(s, &l, MONGO_READ, &e, &reply, "count", err);
		else if (status == PROAUTH2_OK)
			*n = (size_t)count;
		bson_destroy(&reply);
		lease_end(s, &l);
	}
	bson_destroy(&opts);
	bson_destroy(&filter);
	return status;
}

/* ---- one retry after a refusal ---- */

/* Each op once more after the server refused it before applying it
 * (NotWritablePrimary: an election), so that a call in flight rides the
 * election out in server selection. Only when the refusal came within
 * waitQueueTimeoutMS of the call's start: the call then stays within
 * 2 x waitQueueTimeoutMS + serverSelectionTimeoutMS + connectTimeoutMS +
 * 2 x socketTimeoutMS (options.c). */
#define RETRYING(call)                                                  \
	do {                                                            \
		int64_t start_ = mongo_now_ms();                        \
		proauth2_error own_ = {PROAUTH2_OK, ""};                \
		proauth2_status status_;                                \
		int retried_ = 0;                                       \
		do {                                                    \
			status_ = call;                                 \
		} while (!retried_++ && mongo_retry_refused(cls, status_, start_)); \
		if (status_ != PROAUTH2_OK && err != NULL)              \
			*err = own_;                                    \
		return status_;                                         \
	} while (0)

static proauth2_status mongo_store(void *cls, const proauth2_table *t,
		json_t *record, proauth2_error *err)
{
	RETRYING(mongo_store_once(cls, t, record, &own_));
}

static proauth2_status mongo_replace(void *cls, const proauth2_table *t,
		json_t *record, proauth2_error *err)
{
	RETRYING(mongo_replace_once(cls, t, record, &own_));
}

static proauth2_status mongo_fetch(void *cls, const proauth2_table *t,
		json_t *query, json_t **record, proauth2_error *err)
{
	RETRYING(mongo_fetch_once(cls, t, query, NULL, 0, record, &own_));
}

static proauth2_status mongo_fetch_unmarked(void *cls, const proauth2_table *t,
		json_t *query, const proauth2_table *marks, int64_t now,
		json_t **record, proauth2_error *err)
{
	RETRYING(mongo_fetch_once(cls, t, query, marks, now, record, &own_));
}

static proauth2_status mongo_remove(void *cls, const proauth2_table *t,
		json_t *query, size_t *removed, proauth2_error *err)
{
	RETRYING(mongo_remove_once(cls, t, query, removed, &own_));
}

static proauth2_status mongo_purge_expired(void *cls, const proauth2_table *t,
		int64_t now, size_t *removed, proauth2_error *err)
{
	RETRYING(mongo_purge_expired_once(cls, t, now, removed, &own_));
}

static proauth2_status mongo_count(void *cls, const proauth2_table *t,
		json_t *query, int64_t now, size_t limit, size_t *n, proauth2_error *err)
{
	RETRYING(mongo_count_once(cls, t, query, now, limit, n, &own_));
}

static const proauth2_datastore_ops mongodb_ops = {
	.api_version = PROAUTH2_DATASTORE_API_VERSION,
	.struct_size = sizeof(proauth2_datastore_ops),
	.name = "mongodb",
	.init = mongo_init,
	.store = mongo_store,
	.fetch = mongo_fetch,
	.remove = mongo_remove,
	.replace = mongo_replace,
	.close = mongo_close,
	.purge_expired = mongo_purge_expired,
	.begin_writes = mongo_begin_writes,
	.end_writes = mongo_end_writes,
	.count = mongo_count,
	.fetch_unmarked = mongo_fetch_unmarked,
};

const proauth2_datastore_ops *proauth2_mongodb_ops(void)
{
	return &mongodb_ops;
}
