/*
 * Each table's indexes: one per queried field besides the key, and a TTL
 * index on the expiry date. An index another program (or an older
 * version) made on the same keys with other options, or under our name on
 * other keys, would make createIndexes fail (85, 86) at every open: such
 * indexes are adopted instead. The same keys under another name are kept
 * as they are; another expireAfterSeconds is changed in place (collMod);
 * what cannot be changed (unique, sparse, partial, collation, a TTL added
 * or removed) is dropped and made again. What cannot be fixed (no right
 * to drop, say) is logged as a warning and the open goes on: a wrong index
 * costs speed or storage, never correctness (the core refuses expired
 * records itself, and a duplicate on another index is no conflict).
 */
#include <string.h>

#include "bson_record.h"
#include "mongo_store.h"

#define LOG_DOMAIN "proauth2-mongodb"

struct wanted {
	const char *field;
	bool ttl;       /* expireAfterSeconds: 0 */
	bool present;   /* an existing index serves it */
};

/* Index options that change what an index accepts or holds. */
static const char *const strict_options[] = {
	"unique", "sparse", "partialFilterExpression", "collation", "hidden",
	"wildcardProjection", "2dsphereIndexVersion", "textIndexVersion",
};

/* key is {field: 1} (any numeric type), nothing else. */
static bool key_is(const bson_t *index, const char *field)
{
	bson_iter_t it, key;

	if (!bson_iter_init_find(&it, index, "key") || !BSON_ITER_HOLDS_DOCUMENT(&it) ||
			!bson_iter_recurse(&it, &key) || !bson_iter_next(&key))
		return false;
	return strcmp(bson_iter_key(&key), field) == 0 && BSON_ITER_HOLDS_NUMBER(&key) &&
		bson_iter_as_double(&key) == 1.0 && !bson_iter_next(&key);
}

static const char *index_name(const bson_t *index)
{
	bson_iter_t it;

	return bson_iter_init_find(&it, index, "name") && BSON_ITER_HOLDS_UTF8(&it) ?
		bson_iter_utf8(&it, NULL) : "";
}

/* How index differs from w: 0 not at all, 1 only in its TTL's value
 * (collMod changes it), 2 in what cannot be changed in place. */
static int difference(const bson_t *index, const struct wanted *w)
{
	bson_iter_t it;
	size_t i;

	for (i = 0; i < sizeof(strict_options) / sizeof(strict_options[0]); i++)
		if (bson_iter_init_find(&it, index, strict_options[i]) &&
				!(BSON_ITER_HOLDS_BOOL(&it) && !bson_iter_as_bool(&it)))
			return 2;
	if (!bson_iter_init_find(&it, index, "expireAfterSeconds"))
		return w->ttl ? 2 : 0;
	if (!w->ttl)
		return 2;
	return BSON_ITER_HOLDS_NUMBER(&it) && bson_iter_as_int64(&it) == 0 ? 0 : 1;
}

static bool run(struct mongo_store *s, mongoc_client_t *client, bson_t *cmd,
		bson_error_t *e)
{
	bool ok = mongoc_client_write_command_with_opts(client, s->database, cmd,
			NULL, NULL, e);

	bson_destroy(cmd);
	return ok;
}

static bool drop_index(struct mongo_store *s, mongoc_client_t *client,
		const char *collection, const char *name, bson_error_t *e)
{
	bson_t *cmd = BCON_NEW("dropIndexes", BCON_UTF8(collection),
			"index", BCON_UTF8(name));

	/* 27: another process dropped it just now. */
	return run(s, client, cmd, e) || e->code == 27;
}

/* Make the existing index serve w, or say why it cannot. */
static void adopt(struct mongo_store *s, mongoc_client_t *client,
		const proauth2_table *t, const bson_t *index, struct wanted *w)
{
	const char *name = index_name(index);
	bson_error_t e;
	int how = difference(index, w);

	if (how == 1) {
		bson_t *cmd = BCON_NEW("collMod", BCON_UTF8(t->name), "index", "{",
				"name", BCON_UTF8(name), "expireAfterSeconds", BCON_INT64(0),
				"}");

		if (run(s, client, cmd, &e)) {
			mongoc_log(MONGOC_LOG_LEVEL_INFO, LOG_DOMAIN, "%s: index %s: "
					"expireAfterSeconds set to 0", t->name, name);
			w->present = true;
			return;
		}
		how = 2;  /* no collMod (an old or emulated server): remake it */
	}
	if (how == 0) {
		w->present = true;
	} else if (drop_index(s, client, t->name, name, &e)) {
		mongoc_log(MONGOC_LOG_LEVEL_WARNING, LOG_DOMAIN, "%s: index %s had "
				"other options than this backend's: dropped, to be made "
				"again", t->name, name);
	} else {
		/* Kept: createIndexes would fail on it; open without ours. */
		mongoc_log(MONGOC_LOG_LEVEL_WARNING, LOG_DOMAIN, "%s: index %s has "
				"other options than this backend's and could not be "
				"dropped (%s): drop it by hand", t->name, name, e.message);
		w->present = true;
	}
}

/* The indexes of t that exist, adopted into wanted. */
static proauth2_status survey(struct mongo_store *s, mongoc_client_t *client,
		const proauth2_table *t, struct wanted *wanted, size_t n,
		proauth2_error *err)
{
	mongoc_collection_t *c = mongoc_client_get_collection(client, s->database,
			t->name);
	mongoc_cursor_t *cursor = mongoc_collection_find_indexes_with_opts(c, NULL);
	bson_t *indexes[64];
	const bson_t *index;
	size_t count = 0, i, j;
	bson_error_t e;
	proauth2_status status = PROAUTH2_OK;

	while (count < 64 && mongoc_cursor_next(cursor, &index))
		indexes[count++] = bson_copy(index);
	if (mongoc_cursor_error(cursor, &e))
		status = mongo_fail(MONGO_READ, &e, NULL, "list indexes", err);
	mongoc_cursor_destroy(cursor);
	mongoc_collection_destroy(c);
	for (i = 0; i < count && status == PROAUTH2_OK; i++) {
		const char *name = index_name(indexes[i]);

		for (j = 0; j < n; j++) {
			char ours[64];

			snprintf(ours, sizeof(ours), "%s_1", wanted[j].field);
			if (key_is(indexes[i], wanted[j].field)) {
				adopt(s, client, t, indexes[i], &wanted[j]);
				break;
			}
			/* Our name on other keys: createIndexes would fail (86). */
			if (strcmp(name, ours) == 0 && !drop_index(s, client, t->name,
					name, &e))
				mongoc_log(MONGOC_LOG_LEVEL_WARNING, LOG_DOMAIN, "%s: index "
						"%s is on other keys and could not be dropped "
						"(%s)", t->name, name, e.message);
		}
	}
	for (i = 0; i < count; i++)
		bson_destroy(indexes[i]);
	return status;
}

proauth2_status mongo_indexes_ensure(struct mongo_store *s, mongoc_client_t *client,
		const proauth2_table *t, proauth2_error *err)
{
	struct wanted wanted[32];
	bson_t cmd = BSON_INITIALIZER, indexes;
	bson_error_t e;
	size_t i, n = 0, made = 0;
	proauth2_status status;
	bool ok = true;

	for (i = 1; i < t->n_fields && n < 31; i++)
		if (t->fields[i].flags & PROAUTH2_FIELD_QUERIED)
			wanted[n++] = (struct wanted){t->fields[i].name, false, false};
	if (proauth2_table_field(t, "expires_at") != NULL)
		wanted[n++] = (struct wanted){BSON_RECORD_EXPIRY, true, false};
	if (n == 0)
		return PROAUTH2_OK;
	status = survey(s, client, t, wanted, n, err);
	if (status != PROAUTH2_OK)
		return status;

	BSON_APPEND_UTF8(&cmd, "createIndexes", t->name);
	bson_append_array_begin(&cmd, "indexes", -1, &indexes);
	for (i = 0; i < n; i++) {
		char key[16], name[64];
		const char *index_key;
		bson_t spec, keys;

		if (wanted[i].present)
			continue;
		bson_uint32_to_string((uint32_t)made++, &index_key, key, sizeof(key));
		snprintf(name, sizeof(name), "%s_1", wanted[i].field);
		bson_append_document_begin(&indexes, index_key, -1, &spec);
		bson_append_document_begin(&spec, "key", -1, &keys);
		bson_append_int32(&keys, wanted[i].field, -1, 1);
		bson_append_document_end(&spec, &keys);
		bson_append_utf8(&spec, "name", -1, name, -1);
		if (wanted[i].ttl)
			bson_append_int32(&spec, "expireAfterSeconds", -1, 0);
		bson_append_document_end(&indexes, &spec);
	}
	bson_append_array_end(&cmd, &indexes);
	if (made > 0)
		ok = mongoc_client_write_command_with_opts(client, s->database, &cmd,
				NULL, NULL, &e);
	bson_destroy(&cmd);
	if (ok)
		return PROAUTH2_OK;
	/* 85, 86: another process made a different one just now; it is
	 * adopted at the next open. Not a lock-out. */
	if (e.domain == MONGOC_ERROR_SERVER && (e.code == 85 || e.code == 86)) {
		mongoc_log(MONGOC_LOG_LEVEL_WARNING, LOG_DOMAIN, "%s: indexes not "
				"made: %s", t->name, e.message);
		return PROAUTH2_OK;
	}
	return mongo_fail(MONGO_READ, &e, NULL, "create indexes", err);
}
