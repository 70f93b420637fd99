/* One record per user of dated entries (lib/user_record.h). */
#include <stdlib.h>
#include <string.h>

#include "attributes.h"
#include "event.h"
#include "user_record.h"
#include "utf8.h"

/* Rounds of read-then-write before giving up to a busier writer. */
#define WRITE_TRIES 4

proauth2_status user_record_check_user(const char *user_id, proauth2_error *err)
{
	if (user_id == NULL || user_id[0] == '\0' ||
			strlen(user_id) > PROAUTH2_FIELD_MAX_LENGTH ||
			!utf8_valid(user_id, strlen(user_id)))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"user_id is required, UTF-8, at most %d bytes",
				PROAUTH2_FIELD_MAX_LENGTH);
	return PROAUTH2_OK;
}

/* hash's record (NULL: none) and its live entries (a new object). */
static proauth2_status load(proauth2_provider *p, const user_record_kind *kind,
		const char *hash, json_t **record, json_t **entries,
		proauth2_error *err)
{
	int64_t now = proauth2_provider_now(p);
	proauth2_status status = fetch_one(p, kind->table, "user_hash", hash,
			record, err);
	const char *key;
	json_t *entry;
	void *tmp;

	*entries = NULL;
	if (status == PROAUTH2_ERR_NOT_FOUND) {
		*record = NULL;
		*entries = json_object();
		return *entries != NULL ? PROAUTH2_OK : NO_MEMORY(err);
	}
	if (status != PROAUTH2_OK)
		return status;
	*entries = attributes_parse(record_string(*record, kind->field));
	if (*entries == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"a %s record is unreadable", kind->table);
	json_object_foreach_safe(*entries, tmp, key, entry)
		if (json_integer_value(json_object_get(entry, "expires_at")) <= now ||
				!json_is_object(entry) ||
				(kind->entry_ok != NULL && !kind->entry_ok(entry)))
			json_object_del(*entries, key);
	return PROAUTH2_OK;
}

/* The key of the entry that began longest ago, or NULL. */
static const char *oldest(const user_record_kind *kind, const json_t *entries)
{
	const char *key, *found = NULL;
	json_int_t at = 0;
	json_t *entry;

	json_object_foreach((json_t *)entries, key, entry) {
		json_int_t t = json_integer_value(json_object_get(entry, kind->began));

		if (found == NULL || t < at) {
			found = key;
			at = t;
		}
	}
	return found;
}

/* entries as stored, the oldest dropped into evicted until they fit; NULL
 * when nothing fits or memory ran out. */
static char *fitted(const user_record_kind *kind, json_t *entries,
		json_t *evicted)
{
	char *text, *key;

	while (json_object_size(entries) > 0) {
		if (json_object_size(entries) <= kind->max_entries) {
			text = json_dumps(entries, JSON_COMPACT);
			if (text == NULL || strlen(text) <= PROAUTH2_FIELD_MAX_LENGTH)
				return text;
			free(text);
		}
		/* The key is the entry's own: copied before it goes. */
		if ((key = strdup(oldest(kind, entries))) == NULL ||
				json_object_set(evicted, key, json_object_get(entries, key)) != 0) {
			free(key);
			return NULL;
		}
		json_object_del(entries, key);
		free(key);
	}
	return NULL;
}

/* Write entries as hash's record, over old (NULL: none stored). No entries
 * left removes it. PROAUTH2_ERR_CONFLICT or NOT_FOUND: another writer came
 * between, go round again. */
static proauth2_status write_back(proauth2_provider *p,
		const user_record_kind *kind, const char *hash, const json_t *old,
		json_t *entries, bool stale, json_t *evicted, proauth2_error *err)
{
	json_int_t expires = 0;
	const char *key;
	json_t *entry, *record;
	char *text;
	proauth2_status status;

	if (json_object_size(entries) == 0)
		return old == NULL ? PROAUTH2_OK : remove_where(p, kind->table,
				json_pack("{s:s}", "user_hash", hash), NULL, err);
	if ((text = fitted(kind, entries, evicted)) == NULL)
		return proauth2_error_set(err, kind->too_long,
				"the %s entry is too long to keep", kind->table);
	json_object_foreach(entries, key, entry)
		if (json_integer_value(json_object_get(entry, "expires_at")) > expires)
			expires = json_integer_value(json_object_get(entry, "expires_at"));
	record = json_pack("{s:s, s:s, s:I}", "user_hash", hash, kind->field, text,
			"expires_at", expires);
	free(text);
	if (record == NULL)
		return NO_MEMORY(err);
	status = old != NULL || stale ?
		proauth2_datastore_replace(p->datastore, kind->table, record, err) :
		proauth2_datastore_store(p->datastore, kind->table, record, err);
	json_decref(record);
	return status;
}

proauth2_status user_record_read(proauth2_provider *p,
		const user_record_kind *kind, const char *user_id, json_t **entries,
		proauth2_error *err)
{
	char hash[HASH_SIZE];
	json_t *record = NULL;
	proauth2_status status = user_record_check_user(user_id, err);

	*entries = NULL;
	if (status == PROAUTH2_OK)
		status = sha256_base64url(user_id, hash, err);
	if (status == PROAUTH2_OK)
		status = load(p, kind, hash, &record, entries, err);
	json_decref(record);
	return status;
}

proauth2_status user_record_update(proauth2_provider *p,
		const user_record_kind *kind, const char *user_id,
		user_record_edit edit, void *arg, proauth2_error *err)
{
	json_t *evicted = NULL;
	proauth2_status status = user_record_update_evicting(p, kind, user_id,
			edit, arg, &evicted, err);

	json_decref(evicted);
	return status;
}

proauth2_status user_record_update_evicting(proauth2_provider *p,
		const user_record_kind *kind, const char *user_id,
		user_record_edit edit, void *arg, json_t **evicted,
		proauth2_error *err)
{
	char hash[HASH_SIZE];
	proauth2_status status = user_record_check_user(user_id, err);
	bool stale = false;
	int tries;

	*evicted = json_object();
	if (*evicted == NULL)
		return NO_MEMORY(err);
	if (status == PROAUTH2_OK)
		status = sha256_base64url(user_id, hash, err);
	for (tries = 0; tries < WRITE_TRIES && status == PROAUTH2_OK; tries++) {
		json_t *old = NULL, *entries = NULL;

		json_object_clear(*evicted);  /* a round before lost a race */
		status = load(p, kind, hash, &old, &entries, err);
		if (status == PROAUTH2_OK)
			status = edit(p, entries, arg, err);
		if (status == PROAUTH2_OK)
			status = write_back(p, kind, hash, old, entries, stale,
					*evicted, err);
		/* Stored over an expired record still holding the key. */
		stale = old == NULL && status == PROAUTH2_ERR_CONFLICT;
		json_decref(old);
		json_decref(entries);
		if (status != PROAUTH2_ERR_CONFLICT && status != PROAUTH2_ERR_NOT_FOUND)
			break;
		status = PROAUTH2_OK;
		if (tries + 1 == WRITE_TRIES)
			status = proauth2_error_set(err, PROAUTH2_ERR_UNAVAILABLE,
					"the %s record changed under us: retry", kind->table);
	}
	if (status != PROAUTH2_OK) {
		json_decref(*evicted);
		*evicted = NULL;
	}
	return report_datastore(p, status, err);
}
