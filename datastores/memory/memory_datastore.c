/*
 * An in-memory datastore: the smallest complete backend, written to be read
 * by anyone writing their own.
 *
 * What a backend must do, and how this one does it:
 *
 *  - Keep records per table, found by the table's key (fields[0]). Here,
 *    one JSON object per table maps key value -> record.
 *  - Never share its state with callers: records come in borrowed and go
 *    out as new references, so copy both ways.
 *  - Be safe from many threads. Here one mutex guards everything, which
 *    also makes the two guarantees the provider rests on atomic: store
 *    refuses a key that exists, and when many callers remove one record
 *    exactly one sees a count of 1.
 *  - Report failures as a status plus detail: `return proauth2_error_set(
 *    err, status, ...)` (err may be NULL; never put key values in the
 *    text, they are token hashes). NOT_FOUND and CONFLICT are answers the
 *    core acts on, so use them exactly as proauth2/backend.h and
 *    datastores/README.md say.
 *
 * What it need not do: validate, or mind expiry. The core checks every
 * record and query against the table's schema before calling in, and drops
 * expired records from what fetch returns; only purge_expired reads
 * expires_at.
 *
 * Every rule is in datastores/README.md. Run the conformance suite
 * (proauth2/conformance.h) against yours.
 */
#include <pthread.h>
#include <stdlib.h>

#include <proauth2/backend.h>

#include "memory_datastore.h"

/* The backend state: what init hands back as cls and close frees. */
struct memory_state {
	pthread_mutex_t lock;
	json_t *tables;  /* table name -> (key value -> record) */
};

/*
 * Lock the store and find table's records. On success the lock is held and
 * the caller must unlock; on failure it is not.
 */
static proauth2_status lock_table(struct memory_state *s,
		const proauth2_table *table, json_t **records, proauth2_error *err)
{
	pthread_mutex_lock(&s->lock);
	*records = json_object_get(s->tables, table->name);
	if (*records != NULL)
		return PROAUTH2_OK;
	pthread_mutex_unlock(&s->lock);
	/* Only a table added to the schema after init could get here. */
	return proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
			"memory: no table %s", table->name);
}

/* The key value of record: fields[0] is always a string. */
static const char *key_of(const proauth2_table *table, const json_t *record)
{
	return json_string_value(json_object_get(record, table->fields[0].name));
}

/* Every query member equals the record's; a member the record lacks never
 * matches. json_equal compares strings byte for byte, as the contract asks. */
static int matches(const json_t *record, json_t *query)
{
	const char *name;
	json_t *want;

	json_object_foreach(query, name, want) {
		json_t *have = json_object_get(record, name);

		if (have == NULL || !json_equal(have, want))
			return 0;
	}
	return 1;
}

static void memory_close(void *cls)
{
	struct memory_state *s = cls;

	if (s == NULL)
		return;
	json_decref(s->tables);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static proauth2_status memory_init(const char *uri, void **cls,
		proauth2_error *err)
{
	struct memory_state *s;
	const proauth2_table *tables;
	size_t n, i;

	(void)uri;  /* nothing to open: every store starts empty */
	*cls = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
				"memory: cannot create a mutex");
	}
	/* Our CREATE TABLE: a container for every table of the schema. A SQL
	 * backend would also index each PROAUTH2_FIELD_QUERIED field. */
	s->tables = json_object();
	if (s->tables == NULL)
		goto nomem;
	tables = proauth2_schema_tables(&n);
	for (i = 0; i < n; i++)
		if (json_object_set_new(s->tables, tables[i].name,
				json_object()) != 0)
			goto nomem;
	*cls = s;
	return PROAUTH2_OK;

nomem:
	memory_close(s);
	return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
}

static proauth2_status memory_store(void *cls, const proauth2_table *table,
		json_t *record, proauth2_error *err)
{
	struct memory_state *s = cls;
	const char *key = key_of(table, record);
	json_t *records, *copy;
	proauth2_status status;

	/* Copy before locking: keep the time under the lock short. */
	copy = json_deep_copy(record);
	if (copy == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	status = lock_table(s, table, &records, err);
	if (status != PROAUTH2_OK) {
		json_decref(copy);
		return status;
	}
	/* Check and insert under one lock, so that of two stores of one key
	 * only one can pass the check. A SQL backend gets this from a UNIQUE
	 * or PRIMARY KEY constraint, not from a SELECT before the INSERT. */
	if (json_object_get(records, key) != NULL) {
		json_decref(copy);
		status = proauth2_error_set(err, PROAUTH2_ERR_CONFLICT,
				"memory: %s: the key exists already", table->name);
	} else if (json_object_set_new(records, key, copy) != 0) {
		/* set_new took copy even though it failed. */
		status = proauth2_error_set(err, PROAUTH2_ERR_NOMEM,
				"out of memory");
	}
	pthread_mutex_unlock(&s->lock);
	return status;
}

static proauth2_status memory_fetch(void *cls, const proauth2_table *table,
		json_t *query, json_t **record, proauth2_error *err)
{
	struct memory_state *s = cls;
	const char *key;
	json_t *records, *candidate, *found = NULL;
	size_t n = 0;
	proauth2_status status;

	*record = NULL;
	status = lock_table(s, table, &records, err);
	if (status != PROAUTH2_OK)
		return status;
	/* A scan keeps this short; a real backend would use the key and the
	 * indexes on queried fields. Stop at a second match: that is enough. */
	json_object_foreach(records, key, candidate) {
		if (matches(candidate, query)) {
			found = candidate;
			if (++n > 1)
				break;
		}
	}
	if (n == 0)
		status = proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
				"memory: no %s record matches", table->name);
	else if (n > 1)
		status = proauth2_error_set(err, PROAUTH2_ERR_CONFLICT,
				"memory: several %s records match", table->name);
	/* Copy under the lock: a concurrent replace may free found. */
	else if ((*record = json_deep_copy(found)) == NULL)
		status = proauth2_error_set(err, PROAUTH2_ERR_NOMEM,
				"out of memory");
	pthread_mutex_unlock(&s->lock);
	return status;
}

static proauth2_status memory_remove(void *cls, const proauth2_table *table,
		json_t *query, size_t *removed, proauth2_error *err)
{
	struct memory_state *s = cls;
	const char *key;
	json_t *records, *candidate;
	void *next;
	size_t count = 0;
	proauth2_status status;

	*removed = 0;
	status = lock_table(s, table, &records, err);
	if (status != PROAUTH2_OK)
		return status;
	/* Find and delete under one lock: of many callers removing one record,
	 * the first deletes it and counts 1, the others find nothing. A SQL
	 * backend gets this from DELETE's affected-row count. */
	json_object_foreach_safe(records, next, key, candidate) {
		if (matches(candidate, query)) {
			json_object_del(records, key);
			count++;
		}
	}
	pthread_mutex_unlock(&s->lock);
	*removed = count;
	return PROAUTH2_OK;
}

static proauth2_status memory_purge_expired(void *cls,
		const proauth2_table *table, int64_t now, size_t *removed,
		proauth2_error *err)
{
	struct memory_state *s = cls;
	const char *key;
	json_t *records, *candidate;
	void *next;
	size_t count = 0;
	proauth2_status status;

	*removed = 0;
	status = lock_table(s, table, &records, err);
	if (status != PROAUTH2_OK)
		return status;
	json_object_foreach_safe(records, next, key, candidate) {
		json_t *expires_at = json_object_get(candidate, "expires_at");

		/* Tables without expires_at (clients) keep everything. */
		if (json_is_integer(expires_at) &&
				json_integer_value(expires_at) <= now) {
			json_object_del(records, key);
			count++;
		}
	}
	pthread_mutex_unlock(&s->lock);
	*removed = count;
	return PROAUTH2_OK;
}

static proauth2_status memory_count(void *cls, const proauth2_table *table,
		json_t *query, int64_t now, size_t limit, size_t *n,
		proauth2_error *err)
{
	struct memory_state *s = cls;
	const char *key;
	json_t *records, *candidate;
	size_t count = 0;
	proauth2_status status;

	*n = 0;
	status = lock_table(s, table, &records, err);
	if (status != PROAUTH2_OK)
		return status;
	json_object_foreach(records, key, candidate) {
		json_t *expires_at = json_object_get(candidate, "expires_at");

		if (count == limit)
			break;
		if ((query == NULL || matches(candidate, query)) &&
				(!json_is_integer(expires_at) ||
				 json_integer_value(expires_at) > now))
			count++;
	}
	pthread_mutex_unlock(&s->lock);
	*n = count;
	return PROAUTH2_OK;
}

static proauth2_status memory_replace(void *cls, const proauth2_table *table,
		json_t *record, proauth2_error *err)
{
	struct memory_state *s = cls;
	const char *key = key_of(table, record);
	json_t *records, *copy;
	proauth2_status status;

	copy = json_deep_copy(record);
	if (copy == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	status = lock_table(s, table, &records, err);
	if (status != PROAUTH2_OK) {
		json_decref(copy);
		return status;
	}
	/* One set under the lock: a reader sees the old record or the new,
	 * never a gap between a delete and an insert. */
	if (json_object_get(records, key) == NULL) {
		json_decref(copy);
		status = proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
				"memory: no %s record to replace", table->name);
	} else if (json_object_set_new(records, key, copy) != 0) {
		status = proauth2_error_set(err, PROAUTH2_ERR_NOMEM,
				"out of memory");
	}
	pthread_mutex_unlock(&s->lock);
	return status;
}

/* Name the members: methods appended to the struct later stay NULL. */
static const proauth2_datastore_ops memory_ops = {
	.api_version = PROAUTH2_DATASTORE_API_VERSION,
	.struct_size = sizeof(proauth2_datastore_ops),
	.name = "example-memory",
	.init = memory_init,
	.store = memory_store,
	.fetch = memory_fetch,
	.remove = memory_remove,
	.close = memory_close,
	.purge_expired = memory_purge_expired,
	.replace = memory_replace,
	.count = memory_count,
};

const proauth2_datastore_ops *example_memory_datastore_ops(void)
{
	return &memory_ops;
}
