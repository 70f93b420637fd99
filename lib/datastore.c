/* An open datastore: the backend's ops behind the core's validation and
 * expiry check. */
#include <stddef.h>
#include <stdlib.h>

#include <proauth2/backend.h>

#include "internal.h"

struct proauth2_datastore {
	const proauth2_datastore_ops *ops;
	void *cls;
};

/* The smallest ops table this library can drive: its required methods. */
#define OPS_MIN_SIZE (offsetof(proauth2_datastore_ops, close) + \
		sizeof(((proauth2_datastore_ops *)0)->close))

/* An optional method exists when the backend's table is long enough to hold
 * it and the backend set it. */
#define HAS_METHOD(ops, member) \
	((ops)->struct_size >= offsetof(proauth2_datastore_ops, member) + \
	 sizeof((ops)->member) && (ops)->member != NULL)

/* The checks of an ops table before its init runs. */
static proauth2_status ops_check(const proauth2_datastore_ops *ops,
		proauth2_error *err)
{
	const char *name = ops->name != NULL ? ops->name : "unnamed";

	if (ops->api_version < 1 || ops->api_version > PROAUTH2_DATASTORE_API_VERSION)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"datastore %.64s: ops api_version %u is not supported"
				" (this library knows 1 to %u)", name,
				ops->api_version, PROAUTH2_DATASTORE_API_VERSION);
	if (ops->struct_size < OPS_MIN_SIZE)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"datastore %.64s: ops struct_size %zu is smaller than"
				" the required methods (%zu)", name, ops->struct_size,
				(size_t)OPS_MIN_SIZE);
	if (ops->init == NULL || ops->store == NULL || ops->fetch == NULL ||
			ops->remove == NULL || ops->close == NULL ||
			ops->replace == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"datastore %.64s: ops lack a required method", name);
	/* One alone cannot make a group: refuse it rather than not group. */
	if (HAS_METHOD(ops, begin_writes) != HAS_METHOD(ops, end_writes))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"datastore %.64s: ops set %s without %s; write groups"
				" need both or neither", name,
				HAS_METHOD(ops, begin_writes) ? "begin_writes" : "end_writes",
				HAS_METHOD(ops, begin_writes) ? "end_writes" : "begin_writes");
	return PROAUTH2_OK;
}

proauth2_status proauth2_datastore_open(const proauth2_datastore_ops *ops,
		const char *uri, proauth2_datastore **out, proauth2_error *err)
{
	proauth2_datastore *ds;
	proauth2_status status;

	if (out == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"out is NULL");
	*out = NULL;
	if (ops == NULL || uri == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"datastore ops and uri are required");
	status = ops_check(ops, err);
	if (status != PROAUTH2_OK)
		return status;
	ds = calloc(1, sizeof(*ds));
	if (ds == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	ds->ops = ops;
	status = ops->init(uri, &ds->cls, err);
	if (status != PROAUTH2_OK) {
		free(ds);
		return status;
	}
	*out = ds;
	return PROAUTH2_OK;
}

void proauth2_datastore_close(proauth2_datastore *ds)
{
	if (ds == NULL)
		return;
	ds->ops->close(ds->cls);
	free(ds);
}

const char *proauth2_datastore_name(const proauth2_datastore *ds)
{
	return ds->ops->name != NULL ? ds->ops->name : "unnamed";
}

proauth2_status proauth2_datastore_store(proauth2_datastore *ds,
		const char *table_name, json_t *record, proauth2_error *err)
{
	const proauth2_table *table = proauth2_schema_table(table_name);
	proauth2_status status = proauth2_record_validate(table, record, err);

	if (status != PROAUTH2_OK)
		return status;
	return ds->ops->store(ds->cls, table, record, err);
}

proauth2_status proauth2_datastore_replace(proauth2_datastore *ds,
		const char *table_name, json_t *record, proauth2_error *err)
{
	const proauth2_table *table = proauth2_schema_table(table_name);
	proauth2_status status = proauth2_record_validate(table, record, err);

	if (status != PROAUTH2_OK)
		return status;
	return ds->ops->replace(ds->cls, table, record, err);
}

/* What a backend's fetch returned (found, stolen), kept in *record only if
 * it fits the schema and has not expired at now. */
static proauth2_status fetched(const proauth2_table *table, json_t *found,
		int64_t now, json_t **record, proauth2_error *err)
{
	proauth2_error why = {0};
	json_t *expires_at;

	/* A backend may hand back anything (a row another program wrote, or
	 * one it could not read as its field's type); trust only what fits
	 * the schema. */
	if (proauth2_record_validate(table, found, &why) != PROAUTH2_OK) {
		json_decref(found);
		return proauth2_error_set(err, PROAUTH2_ERR_DATASTORE,
				"backend returned a malformed %s record (%.120s)",
				table->name, why.text);
	}
	expires_at = json_object_get(found, "expires_at");
	if (expires_at != NULL && json_integer_value(expires_at) <= now) {
		json_decref(found);
		return proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
				"%s record has expired", table->name);
	}
	*record = found;
	return PROAUTH2_OK;
}

/* The query checked, the backend's fetch (fetch_unmarked when marks is not
 * NULL) run, and what it found checked. */
static proauth2_status fetch_checked(proauth2_datastore *ds,
		const proauth2_table *table, json_t *query,
		const proauth2_table *marks, int64_t now, json_t **record,
		proauth2_error *err)
{
	proauth2_status status;
	json_t *found = NULL;

	*record = NULL;
	status = proauth2_query_validate(table, query, err);
	if (status != PROAUTH2_OK)
		return status;
	status = marks == NULL ?
		ds->ops->fetch(ds->cls, table, query, &found, err) :
		ds->ops->fetch_unmarked(ds->cls, table, query, marks, now, &found, err);
	if (status != PROAUTH2_OK)
		return status;
	return fetched(table, found, now, record, err);
}

proauth2_status proauth2_datastore_fetch(proauth2_datastore *ds,
		const char *table_name, json_t *query, int64_t now, json_t **record,
		proauth2_error *err)
{
	return fetch_checked(ds, proauth2_schema_table(table_name), query, NULL,
			now, record, err);
}

proauth2_status datastore_fetch_unmarked(proauth2_datastore *ds,
		const char *table_name, json_t *query, const char *marks_name,
		int64_t now, json_t **record, bool *joined, proauth2_error *err)
{
	*joined = HAS_METHOD(ds->ops, fetch_unmarked);
	return fetch_checked(ds, proauth2_schema_table(table_name), query,
			*joined ? proauth2_schema_table(marks_name) : NULL, now,
			record, err);
}

proauth2_status proauth2_datastore_remove(proauth2_datastore *ds,
		const char *table_name, json_t *query, size_t *removed,
		proauth2_error *err)
{
	const proauth2_table *table = proauth2_schema_table(table_name);
	proauth2_status status;
	size_t count = 0;

	if (removed != NULL)
		*removed = 0;
	status = proauth2_query_validate(table, query, err);
	if (status != PROAUTH2_OK)
		return status;
	status = ds->ops->remove(ds->cls, table, query, &count, err);
	if (status == PROAUTH2_OK && removed != NULL)
		*removed = count;
	return status;
}

proauth2_status proauth2_datastore_purge_expired(proauth2_datastore *ds,
		int64_t now, size_t *removed, proauth2_error *err)
{
	size_t n, i, total = 0;
	const proauth2_table *tables = proauth2_schema_tables(&n);

	if (removed != NULL)
		*removed = 0;
	if (!HAS_METHOD(ds->ops, purge_expired))
		return PROAUTH2_OK;
	for (i = 0; i < n; i++) {
		size_t count = 0;
		proauth2_status status = ds->ops->purge_expired(ds->cls,
				&tables[i], now, &count, err);

		if (status != PROAUTH2_OK)
			return status;
		total += count;
	}
	if (removed != NULL)
		*removed = total;
	return PROAUTH2_OK;
}

proauth2_status datastore_count(proauth2_datastore *ds, const char *table_name,
		json_t *query, int64_t now, size_t limit, size_t *n, bool *counted,
		proauth2_error *err)
{
	const proauth2_table *table = proauth2_schema_table(table_name);
	proauth2_status status = PROAUTH2_OK;
	size_t count = 0;

	*n = 0;
	*counted = HAS_METHOD(ds->ops, count);
	if (!*counted)
		return PROAUTH2_OK;
	if (query != NULL)
		status = proauth2_query_validate(table, query, err);
	if (status == PROAUTH2_OK)
		status = ds->ops->count(ds->cls, table, query, now, limit, &count, err);
	/* A backend's answer beyond what was asked is read as the limit. */
	if (status == PROAUTH2_OK)
		*n = count < limit ? count : limit;
	return status;
}

/* Both methods or neither, as open made sure. */
static bool groups_writes(const proauth2_datastore_ops *ops)
{
	return HAS_METHOD(ops, begin_writes) && HAS_METHOD(ops, end_writes);
}

proauth2_status datastore_begin_writes(proauth2_datastore *ds, proauth2_error *err)
{
	return groups_writes(ds->ops) ? ds->ops->begin_writes(ds->cls, err) : PROAUTH2_OK;
}

proauth2_status datastore_end_writes(proauth2_datastore *ds, proauth2_error *err)
{
	return groups_writes(ds->ops) ? ds->ops->end_writes(ds->cls, err) : PROAUTH2_OK;
}
