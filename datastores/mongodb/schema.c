/* The schema in a MongoDB database: each table's indexes (indexes.c) and
 * the version mark in proauth2_schema, which refuses a newer database. */
#include "mongo_store.h"

#define SCHEMA_COLLECTION "proauth2_schema"

/* The schema version stored in the database, 0 when there is none. */
static proauth2_status stored_version(struct mongo_store *s, struct lease *l,
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
	cursor = mongoc_collection_find_with_opts(l->collection, &filter, NULL,
			s->primary);
	if (mongoc_cursor_next(cursor, &doc) && bson_iter_init_find(&it, doc, "version") &&
			BSON_ITER_HOLDS_NUMBER(&it))
		*version = bson_iter_as_int64(&it);
	if (mongoc_cursor_error(cursor, &e))
		status = mongo_fail(MONGO_READ, &e, NULL, "read the schema version", err);
	mongoc_cursor_destroy(cursor);
	bson_destroy(&filter);
	return status;
}

/* Refuse a database of a newer schema; bring an older or new one to ours. */
proauth2_status mongo_schema_ensure(struct mongo_store *s, proauth2_error *err)
{
	const proauth2_table *tables;
	struct lease l;
	bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, max;
	bson_t opts = BSON_INITIALIZER, reply;
	bson_error_t e;
	proauth2_status status;
	int64_t version;
	size_t i, n;

	status = lease_begin(s, SCHEMA_COLLECTION, &l, err);
	if (status != PROAUTH2_OK)
		return status;
	status = lease_check_primary(s, &l, err);
	if (status == PROAUTH2_OK)
		status = stored_version(s, &l, &version, err);
	if (status == PROAUTH2_OK && version > PROAUTH2_SCHEMA_VERSION)
		status = proauth2_error_set(err, PROAUTH2_ERR_DATASTORE, "mongodb: database "
				"%s has schema version %lld, newer than this library's %d",
				s->database, (long long)version, PROAUTH2_SCHEMA_VERSION);
	tables = proauth2_schema_tables(&n);
	for (i = 0; i < n && status == PROAUTH2_OK; i++)
		status = mongo_indexes_ensure(s, l.client, &tables[i], err);
	if (status == PROAUTH2_OK) {
		/* $max: of two processes upgrading at once, neither lowers it. */
		BSON_APPEND_UTF8(&filter, "_id", "version");
		bson_append_document_begin(&update, "$max", -1, &max);
		BSON_APPEND_INT64(&max, "version", PROAUTH2_SCHEMA_VERSION);
		bson_append_document_end(&update, &max);
		BSON_APPEND_BOOL(&opts, "upsert", true);
		mongo_attempts_reset();
		/* A duplicate key: another process created it just now (servers
		 * before 4.2 do not retry such an upsert). */
		if (!mongoc_collection_update_one(l.collection, &filter, &update, &opts,
				&reply, &e)) {
			status = mongo_fail(MONGO_WRITE, &e, &reply, "write the schema version",
					err);
			if (status == PROAUTH2_ERR_CONFLICT)
				status = PROAUTH2_OK;
		}
		bson_destroy(&reply);
	}
	bson_destroy(&opts);
	bson_destroy(&update);
	bson_destroy(&filter);
	lease_end(s, &l);
	return status;
}
