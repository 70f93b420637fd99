/*
 * The MongoDB datastore: one collection per schema table, the table's key
 * as _id (unique on every server), an index per queried field, and a TTL
 * index that reclaims expired records. Every operation is one server-side
 * atomic command, so one-time codes and refresh rotation stay exactly-once
 * across processes: two deletes of one document never both count it.
 * A client pool serves the provider's threads.
 */
#include <stdlib.h>
#include <string.h>

#include <mongoc/mongoc.h>

#include <proauth2/backend.h>
#include <proauth2/mongodb.h>

#include "bson_record.h"

#define DEFAULT_DATABASE "proauth2"
#define SCHEMA_COLLECTION "proauth2_schema"

/* Bounds on every wait, unless the URI sets its own: an unreachable
 * server answers PROAUTH2_ERR_UNAVAILABLE within seconds, never hangs. */
static const struct {
	const char *option;
	int32_t ms;
} default_timeouts[] = {
	{MONGOC_URI_CONNECTTIMEOUTMS, 2000},
	{MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 3000},
	{MONGOC_URI_SOCKETTIMEOUTMS, 5000},
	{MONGOC_URI_WAITQUEUETIMEOUTMS, 5000},
};

struct mongo_store {
	mongoc_client_pool_t *pool;
	char *database;
	/* Reads go to the primary whatever the URI says: a lagging secondary
	 * may not have seen a spent code or a revocation yet. */
	mongoc_read_prefs_t *primary;
};

/* A pooled client and one collection on it, for the length of one call. */
struct lease {
	mongoc_client_t *client;
	mongoc_collection_t *collection;
};

/* Server errors that mean "not now": failover, shutdown, timeouts. */
static bool server_unavailable(uint32_t code)
{
	switch (code) {
	case 64:    /* WriteConcernFailed (wtimeout) */
	case 6:     /* HostUnreachable */
	case 7:     /* HostNotFound */
	case 50:    /* MaxTimeMSExpired */
	case 89:    /* NetworkTimeout */
	case 91:    /* ShutdownInProgress */
	case 189:   /* PrimarySteppedDown */
	case 262:   /* ExceededTimeLimit */
	case 9001:  /* SocketException */
	case 10107: /* NotWritablePrimary */
	case 11600: /* InterruptedAtShutdown */
	case 11602: /* InterruptedDueToReplStateChange */
	case 13435: /* NotPrimaryNoSecondaryOk */
	case 13436: /* NotPrimaryOrSecondary */
		return true;
	default:
		return false;
	}
}

static proauth2_status fail(const bson_error_t *e, const char *doing,
		proauth2_error *err)
{
	proauth2_status status = PROAUTH2_ERR_DATASTORE;
	bool from_server = e->domain == MONGOC_ERROR_SERVER ||
			e->domain == MONGOC_ERROR_WRITE_CONCERN;

	if (e->domain == MONGOC_ERROR_STREAM ||
			e->domain == MONGOC_ERROR_SERVER_SELECTION ||
			(e->domain == MONGOC_ERROR_CLIENT &&
			 e->code == MONGOC_ERROR_CLIENT_NOT_READY) ||
			(from_server && server_unavailable(e->code)))
		status = PROAUTH2_ERR_UNAVAILABLE;
	else if (from_server && e->code == MONGOC_ERROR_DUPLICATE_KEY)
		/* The server's text quotes the key: a hash that stays out of
		 * messages (datastores/README.md). */
		return proauth2_error_set(err, PROAUTH2_ERR_CONFLICT,
				"mongodb: %s: the key exists already", doing);
	return proauth2_error_set(err, status, "mongodb: %s: %s", doing, e->message);
}

/* PROAUTH2_ERR_UNAVAILABLE when every pooled client stayed busy for
 * waitQueueTimeoutMS. */
static proauth2_status lease_begin(struct mongo_store *s, const char *collection,
		struct lease *l, proauth2_error *err)
{
	l->collection = NULL;
	l->client = mongoc_client_pool_pop(s->pool);
	if (l->client == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_UNAVAILABLE, "mongodb: no "
				"connection free within waitQueueTimeoutMS (maxPoolSize reached)");
	l->collection = mongoc_client_get_collection(l->client, s->database, collection);
	return PROAUTH2_OK;
}

static void lease_end(struct mongo_store *s, struct lease *l)
{
	mongoc_collection_destroy(l->collection);
	mongoc_client_pool_push(s->pool, l->client);
}

/* A count from a write reply ("deletedCount", "matchedCount"). */
static size_t reply_count(const bson_t *reply, const char *name)
{
	bson_iter_t it;

	if (bson_iter_init_find(&it, reply, name) && BSON_ITER_HOLDS_NUMBER(&it))
		return (size_t)bson_iter_as_int64(&it);
	return 0;
}

/* ---- schema: indexes and the version mark ---- */

static void append_index(bson_t *indexes, int n, const char *field, bool ttl)
{
	char index[16], name[64];
	const char *index_key;
	bson_t spec, keys;

	bson_uint32_to_string((uint32_t)n, &index_key, index, sizeof(index));
	snprintf(name, sizeof(name), "%s_1", field);
	bson_append_document_begin(indexes, index_key, -1, &spec);
	bson_append_document_begin(&spec, "key", -1, &keys);
	bson_append_int32(&keys, field, -1, 1);
	bson_append_document_end(&spec, &keys);
	bson_append_utf8(&spec, "name", -1, name, -1);
	if (ttl)
		bson_append_int32(&spec, "expireAfterSeconds", -1, 0);
	bson_append_document_end(indexes, &spec);
}

/* createIndexes for t: its queried fields besides the key, and the TTL
 * index. Creating an index that exists is a no-op, so every open runs it. */
static proauth2_status create_indexes(struct mongo_store *s, mongoc_client_t *client,
		const proauth2_table *t, proauth2_error *err)
{
	bson_t cmd = BSON_INITIALIZER, indexes;
	bson_error_t e;
	size_t i;
	int n = 0;
	bool ok;

	BSON_APPEND_UTF8(&cmd, "createIndexes", t->name);
	bson_append_array_begin(&cmd, "indexes", -1, &indexes);
	for (i = 1; i < t->n_fields; i++)
		if (t->fields[i].flags & PROAUTH2_FIELD_QUERIED)
			append_index(&indexes, n++, t->fields[i].name, false);
	if (proauth2_table_field(t, "expires_at") != NULL)
		append_index(&indexes, n++, BSON_RECORD_EXPIRY, true);
	bson_append_array_end(&cmd, &indexes);
	ok = n == 0 || mongoc_client_write_command_with_opts(client, s->database,
			&cmd, NULL, NULL, &e);
	bson_destroy(&cmd);
	return ok ? PROAUTH2_OK : fail(&e, "create indexes", err);
}

/* The schema version stored in the database, 0 when there is none. */
static proauth2_status stored_version(struct mongo_store *s, mongoc_collection_t *c,
		int64_t *version, proauth2_error *err)
{
	bson_t filter = BSON_INITIALIZER;
	const bson_t *doc;
	mongoc_cursor_t *cursor;
	bson_error_t e;
	bson_iter_t it;
	proauth2_status status = PROAUTH2_OK;

	*version = 0;
	BSON_APPEND_UTF8(&filter, "_id", "version");
	cursor = mongoc_collection_find_with_opts(c, &filter, NULL, s->primary);
	if (mongoc_cursor_next(cursor, &doc) && bson_iter_init_find(&it, doc, "version") &&
			BSON_ITER_HOLDS_NUMBER(&it))
		*version = bson_iter_as_int64(&it);
	if (mongoc_cursor_error(cursor, &e))
		status = fail(&e, "read the schema version", err);
	mongoc_cursor_destroy(cursor);
	bson_destroy(&filter);
	return status;
}

/* Refuse a database of a newer schema; bring an older or new one to ours. */
static proauth2_status ensure_schema(struct mongo_store *s, proauth2_error *err)
{
	const proauth2_table *tables;
	struct lease l;
	bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, max;
	bson_t opts = BSON_INITIALIZER;
	bson_error_t e;
	proauth2_status status;
	int64_t version;
	size_t i, n;

	status = lease_begin(s, SCHEMA_COLLECTION, &l, err);
	if (status != PROAUTH2_OK)
		return status;
	status = stored_version(s, l.collection, &version, err);
	if (status == PROAUTH2_OK && version > PROAUTH2_SCHEMA_VERSION)
		status = proauth2_error_set(err, PROAUTH2_ERR_DATASTORE, "mongodb: database "
				"%s has schema version %lld, newer than this library's %d",
				s->database, (long long)version, PROAUTH2_SCHEMA_VERSION);
	tables = proauth2_schema_tables(&n);
	for (i = 0; i < n && status == PROAUTH2_OK; i++)
		status = create_indexes(s, l.client, &tables[i], err);
	if (status == PROAUTH2_OK) {
		/* $max: of two processes upgrading at once, neither lowers it. */
		BSON_APPEND_UTF8(&filter, "_id", "version");
		bson_append_document_begin(&update, "$max", -1, &max);
		BSON_APPEND_INT64(&max, "version", PROAUTH2_SCHEMA_VERSION);
		bson_append_document_end(&update, &max);
		BSON_APPEND_BOOL(&opts, "upsert", true);
		/* A duplicate key: another process created it just now (servers
		 * before 4.2 do not retry such an upsert). */
		if (!mongoc_collection_update_one(l.collection, &filter, &update, &opts,
				NULL, &e) && (status = fail(&e, "write the schema version",
				err)) == PROAUTH2_ERR_CONFLICT)
			status = PROAUTH2_OK;
	}
	bson_destroy(&opts);
	bson_destroy(&update);
	bson_destroy(&filter);
	lease_end(s, &l);
	return status;
}

/* ---- ops ---- */

static void mongo_close(void *cls)
{
	struct mongo_store *s = cls;

	if (s == NULL)
		return;
	if (s->pool != NULL)
		mongoc_client_pool_destroy(s->pool);
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
	size_t i;

	*cls = NULL;
	uri = mongoc_uri_new_with_error(uri_string, &e);
	if (uri == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"mongodb: bad URI: %s", e.message);
	for (i = 0; i < sizeof(default_timeouts) / sizeof(default_timeouts[0]); i++)
		if (!mongoc_uri_has_option(uri, default_timeouts[i].option))
			mongoc_uri_set_option_as_int32(uri, default_timeouts[i].option,
					default_timeouts[i].ms);
	/* Unacknowledged writes could not refuse a duplicate key or count
	 * what a remove removed: the contract needs both. */
	if (!mongoc_write_concern_is_acknowledged(mongoc_uri_get_write_concern(uri))) {
		mongoc_uri_destroy(uri);
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"mongodb: w=0 (unacknowledged writes) is not supported");
	}
	database = mongoc_uri_get_database(uri);
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->database = strdup(database != NULL ? database :
			DEFAULT_DATABASE)) == NULL ||
			(s->primary = mongoc_read_prefs_new(MONGOC_READ_PRIMARY)) == NULL) {
		mongoc_uri_destroy(uri);
		mongo_close(s);
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	}
	s->pool = mongoc_client_pool_new_with_error(uri, &e);
	if (s->pool != NULL && mongoc_uri_get_appname(uri) == NULL)
		mongoc_client_pool_set_appname(s->pool, "proauth2");
	mongoc_uri_destroy(uri);
	if (s->pool == NULL) {
		/* A failed mongodb+srv lookup may pass; bad TLS options will not. */
		status = fail(&e, "create a client pool", err);
		mongo_close(s);
		return status == PROAUTH2_ERR_UNAVAILABLE ? status : proauth2_error_set(err,
				PROAUTH2_ERR_INVALID_ARGUMENT, "mongodb: %s", e.message);
	}
	mongoc_client_pool_set_error_api(s->pool, MONGOC_ERROR_API_VERSION_2);
	status = ensure_schema(s, err);
	if (status != PROAUTH2_OK) {
		mongo_close(s);
		return status;
	}
	*cls = s;
	return PROAUTH2_OK;
}

static proauth2_status mongo_store(void *cls, const proauth2_table *t,
		json_t *record, proauth2_error *err)
{
	struct mongo_store *s = cls;
	bson_t doc = BSON_INITIALIZER;
	struct lease l;
	bson_error_t e;
	proauth2_status status = PROAUTH2_OK;

	if (!bson_record_from_json(t, record, &doc)) {
		bson_destroy(&doc);
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"mongodb: a %s record does not fit in BSON", t->name);
	}
	status = lease_begin(s, t->name, &l, err);
	/* The unique _id refuses a second record with the same key. */
	if (status == PROAUTH2_OK) {
		if (!mongoc_collection_insert_one(l.collection, &doc, NULL, NULL, &e))
			status = fail(&e, "store", err);
		lease_end(s, &l);
	}
	bson_destroy(&doc);
	return status;
}

static proauth2_status mongo_replace(void *cls, const proauth2_table *t,
		json_t *record, proauth2_error *err)
{
	struct mongo_store *s = cls;
	bson_t doc = BSON_INITIALIZER, filter = BSON_INITIALIZER, reply;
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
		if (!mongoc_collection_replace_one(l.collection, &filter, &doc, NULL,
				&reply, &e))
			status = fail(&e, "replace", err);
		else if (reply_count(&reply, "matchedCount") == 0)
			status = proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
					"mongodb: no such %s record", t->name);
		bson_destroy(&reply);
		lease_end(s, &l);
	}
	bson_destroy(&filter);
	bson_destroy(&doc);
	return status;
}

static proauth2_status mongo_fetch(void *cls, const proauth2_table *t,
		json_t *query, json_t **record, proauth2_error *err)
{
	struct mongo_store *s = cls;
	bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER;
	const bson_t *doc;
	mongoc_cursor_t *cursor;
	struct lease l;
	bson_error_t e;
	proauth2_status status = PROAUTH2_OK;
	int found = 0;

	*record = NULL;
	if (!bson_query_from_json(t, query, &filter)) {
		bson_destroy(&filter);
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"mongodb: a %s query does not fit in BSON", t->name);
	}
	/* Two are enough to tell one from many. */
	BSON_APPEND_INT64(&opts, "limit", 2);
	status = lease_begin(s, t->name, &l, err);
	if (status != PROAUTH2_OK) {
		bson_destroy(&opts);
		bson_destroy(&filter);
		return status;
	}
	cursor = mongoc_collection_find_with_opts(l.collection, &filter, &opts,
			s->primary);
	while (mongoc_cursor_next(cursor, &doc))
		if (found++ == 0)
			*record = bson_record_to_json(t, doc);
	if (mongoc_cursor_error(cursor, &e))
		status = fail(&e, "fetch", err);
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
	bson_t reply;
	bson_error_t e;
	proauth2_status status = lease_begin(s, t->name, &l, err);

	if (status != PROAUTH2_OK)
		return status;
	if (mongoc_collection_delete_many(l.collection, filter, NULL, &reply, &e))
		*removed = reply_count(&reply, "deletedCount");
	else
		status = fail(&e, "remove", err);
	bson_destroy(&reply);
	lease_end(s, &l);
	return status;
}

static proauth2_status mongo_remove(void *cls, const proauth2_table *t,
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

static proauth2_status mongo_purge_expired(void *cls, const proauth2_table *t,
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
static proauth2_status mongo_count(void *cls, const proauth2_table *t,
		json_t *query, int64_t now, size_t limit, size_t *n, proauth2_error *err)
{
	struct mongo_store *s = cls;
	bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER, gt;
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
		count = mongoc_collection_count_documents(l.collection, &filter, &opts,
				s->primary, NULL, &e);
		if (count < 0)
			status = fail(&e, "count", err);
		else
			*n = (size_t)count;
		lease_end(s, &l);
	}
	bson_destroy(&opts);
	bson_destroy(&filter);
	return status;
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
	.count = mongo_count,
};

const proauth2_datastore_ops *proauth2_mongodb_ops(void)
{
	return &mongodb_ops;
}
