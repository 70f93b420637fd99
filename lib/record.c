/* Small helpers around records and the provider's datastore. */
#include <stdlib.h>
#include <string.h>

#include <proauth2/backend.h>

#include "event.h"
#include "internal.h"
#include "utf8.h"

const char *record_string(const json_t *record, const char *field)
{
	return json_string_value(json_object_get(record, field));
}

char *dup_or_null(const char *s, bool *ok)
{
	char *copy;

	if (s == NULL)
		return NULL;
	copy = strdup(s);
	if (copy == NULL)
		*ok = false;
	return copy;
}

proauth2_status store_record(proauth2_provider *p, const char *table,
		json_t *record, proauth2_error *err)
{
	proauth2_status status;

	if (record == NULL)
		return NO_MEMORY(err);
	status = proauth2_datastore_store(p->datastore, table, record, err);
	json_decref(record);
	return report_datastore(p, status, err);
}

/* fetch_one, and fetch_one_unmarked when marks is not NULL. */
static proauth2_status fetch_by(proauth2_provider *p, const char *table,
		const char *field, const char *value, const char *marks,
		json_t **record, bool *joined, proauth2_error *err)
{
	json_t *query;
	proauth2_status status;

	*record = NULL;
	*joined = false;
	/* A key the schema could not store is under no record; asking the
	 * datastore would fail its validation as our error, not the caller's. */
	if (value == NULL || strlen(value) > PROAUTH2_FIELD_MAX_LENGTH ||
			!utf8_valid(value, strlen(value)))
		return proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
				"no record under a key this long or malformed");
	/* Built directly: json_pack would parse its format and check both
	 * strings again on the lookup every request makes. */
	query = json_object();
	if (query == NULL || json_object_set_new_nocheck(query, field,
			json_stringn_nocheck(value, strlen(value))) != 0) {
		json_decref(query);
		return NO_MEMORY(err);
	}
	status = marks == NULL ?
		proauth2_datastore_fetch(p->datastore, table, query,
				proauth2_provider_now(p), record, err) :
		datastore_fetch_unmarked(p->datastore, table, query, marks,
				proauth2_provider_now(p), record, joined, err);
	json_decref(query);
	return report_datastore(p, status, err);
}

proauth2_status fetch_one(proauth2_provider *p, const char *table,
		const char *field, const char *value, json_t **record,
		proauth2_error *err)
{
	bool joined;

	return fetch_by(p, table, field, value, NULL, record, &joined, err);
}

proauth2_status fetch_one_unmarked(proauth2_provider *p, const char *table,
		const char *field, const char *value, const char *marks,
		json_t **record, bool *joined, proauth2_error *err)
{
	return fetch_by(p, table, field, value, marks, record, joined, err);
}

proauth2_status remove_where(proauth2_provider *p, const char *table,
		json_t *query, size_t *removed, proauth2_error *err)
{
	proauth2_status status;

	if (query == NULL)
		return NO_MEMORY(err);
	status = proauth2_datastore_remove(p->datastore, table, query, removed, err);
	json_decref(query);
	return report_datastore(p, status, err);
}
