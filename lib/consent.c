/*
 * Remembered consent: one record per user, by the hash of the user id,
 * holding {client_id: {"scope", "granted_at", "expires_at"}} for at most
 * PROAUTH2_CONSENTS_PER_USER clients and PROAUTH2_FIELD_MAX_LENGTH bytes;
 * the oldest consent makes room. Writes read, then replace or store, as
 * the throttle does: a record that appeared or vanished meanwhile sends
 * us round again.
 */
#include <stdlib.h>
#include <string.h>

#include <proauth2/consent.h>

#include "attributes.h"
#include "client_document.h"
#include "event.h"
#include "internal.h"
#include "scope.h"
#include "utf8.h"

/* Rounds of read-then-write before giving up to a busier writer. */
#define WRITE_TRIES 4

static proauth2_status check_user(const char *user_id, proauth2_error *err)
{
	if (user_id == NULL || user_id[0] == '\0' ||
			strlen(user_id) > PROAUTH2_FIELD_MAX_LENGTH ||
			!utf8_valid(user_id, strlen(user_id)))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"user_id is required, UTF-8, at most %d bytes",
				PROAUTH2_FIELD_MAX_LENGTH);
	return PROAUTH2_OK;
}

/* user_id's record (NULL: none) and its live consents (a new object). */
static proauth2_status load(proauth2_provider *p, const char *hash,
		json_t **record, json_t **consents, proauth2_error *err)
{
	int64_t now = proauth2_provider_now(p);
	proauth2_status status = fetch_one(p, TABLE_CONSENTS, "user_hash", hash,
			record, err);
	const char *client_id;
	json_t *entry;
	void *tmp;

	*consents = NULL;
	if (status == PROAUTH2_ERR_NOT_FOUND) {
		*record = NULL;
		*consents = json_object();
		return *consents != NULL ? PROAUTH2_OK : NO_MEMORY(err);
	}
	if (status != PROAUTH2_OK)
		return status;
	*consents = attributes_parse(record_string(*record, "consents"));
	if (*consents == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"a consents record is unreadable");
	json_object_foreach_safe(*consents, tmp, client_id, entry)
		if (json_integer_value(json_object_get(entry, "expires_at")) <= now ||
				json_string_value(json_object_get(entry, "scope")) == NULL)
			json_object_del(*consents, client_id);
	return PROAUTH2_OK;
}

/* The client whose consent was granted longest ago, or NULL. */
static const char *oldest(const json_t *consents)
{
	const char *client_id, *found = NULL;
	json_int_t at = 0;
	json_t *entry;

	json_object_foreach((json_t *)consents, client_id, entry) {
		json_int_t t = json_integer_value(json_object_get(entry, "granted_at"));

		if (found == NULL || t < at) {
			found = client_id;
			at = t;
		}
	}
	return found;
}

/* consents as stored, the oldest dropped until they fit; NULL when
 * nothing fits or memory ran out. */
static char *fitted(json_t *consents)
{
	char *text;

	char *key;

	while (json_object_size(consents) > 0) {
		if (json_object_size(consents) <= PROAUTH2_CONSENTS_PER_USER) {
			text = json_dumps(consents, JSON_COMPACT);
			if (text == NULL || strlen(text) <= PROAUTH2_FIELD_MAX_LENGTH)
				return text;
			free(text);
		}
		/* The key is the entry's own: copied before it goes. */
		if ((key = strdup(oldest(consents))) == NULL)
			return NULL;
		json_object_del(consents, key);
		free(key);
	}
	return NULL;
}

/* Write consents as user hash's record, over old (NULL: none stored). No
 * consents left removes it. PROAUTH2_ERR_CONFLICT or NOT_FOUND: another
 * writer came between, go round again. */
static proauth2_status write_back(proauth2_provider *p, const char *hash,
		const json_t *old, json_t *consents, bool stale, proauth2_error *err)
{
	json_int_t expires = 0;
	const char *client_id;
	json_t *entry, *record;
	char *text;
	proauth2_status status;

	if (json_object_size(consents) == 0)
		return old == NULL ? PROAUTH2_OK : remove_where(p, TABLE_CONSENTS,
				json_pack("{s:s}", "user_hash", hash), NULL, err);
	json_object_foreach(consents, client_id, entry)
		if (json_integer_value(json_object_get(entry, "expires_at")) > expires)
			expires = json_integer_value(json_object_get(entry, "expires_at"));
	if ((text = fitted(consents)) == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_SCOPE,
				"the consent is too long to remember");
	record = json_pack("{s:s, s:s, s:I}", "user_hash", hash, "consents", text,
			"expires_at", expires);
	free(text);
	if (record == NULL)
		return NO_MEMORY(err);
	status = old != NULL || stale ?
		proauth2_datastore_replace(p->datastore, TABLE_CONSENTS, record, err) :
		proauth2_datastore_store(p->datastore, TABLE_CONSENTS, record, err);
	json_decref(record);
	return status;
}

/* scope added to what entry (may be NULL) granted: a new string. */
static char *scope_union(const json_t *entry, const char *scope)
{
	const char *had = json_string_value(json_object_get(entry, "scope"));
	size_t n = (had != NULL ? strlen(had) : 0) + strlen(scope) + 2;
	char *out = malloc(n);
	const char *s = scope;

	if (out == NULL)
		return NULL;
	strcpy(out, had != NULL ? had : "");
	while (*s != '\0') {
		size_t len = strcspn(s, " ");

		if (!scope_has_token(out, s, len)) {
			if (out[0] != '\0')
				strcat(out, " ");
			strncat(out, s, len);
		}
		s += len;
		s += strspn(s, " ");
	}
	return out;
}

/* Change user_id's consents with edit (which may fail), written back. */
typedef proauth2_status (*consent_edit)(proauth2_provider *p, json_t *consents,
		const char *client_id, const char *scope, proauth2_error *err);

static proauth2_status update(proauth2_provider *p, const char *user_id,
		const char *client_id, const char *scope, consent_edit edit,
		proauth2_error *err)
{
	char hash[HASH_SIZE];
	proauth2_status status = sha256_base64url(user_id, hash, err);
	bool stale = false;
	int tries;

	for (tries = 0; tries < WRITE_TRIES && status == PROAUTH2_OK; tries++) {
		json_t *old = NULL, *consents = NULL;

		status = load(p, hash, &old, &consents, err);
		if (status == PROAUTH2_OK)
			status = edit(p, consents, client_id, scope, err);
		if (status == PROAUTH2_OK)
			status = write_back(p, hash, old, consents, stale, err);
		/* Stored over an expired record still holding the key. */
		stale = old == NULL && status == PROAUTH2_ERR_CONFLICT;
		json_decref(old);
		json_decref(consents);
		if (status != PROAUTH2_ERR_CONFLICT && status != PROAUTH2_ERR_NOT_FOUND)
			return report_datastore(p, status, err);
		status = PROAUTH2_OK;
	}
	return report_datastore(p, status == PROAUTH2_OK ? proauth2_error_set(err,
			PROAUTH2_ERR_UNAVAILABLE, "the consents changed under us: retry") :
			status, err);
}

static proauth2_status grant(proauth2_provider *p, json_t *consents,
		const char *client_id, const char *scope, proauth2_error *err)
{
	int64_t now = proauth2_provider_now(p);
	char *merged = scope_union(json_object_get(consents, client_id), scope);
	json_t *entry = merged != NULL ? json_pack("{s:s, s:I, s:I}",
			"scope", merged, "granted_at", (json_int_t)now,
			"expires_at", (json_int_t)(now + p->consent_lifetime)) : NULL;

	free(merged);
	if (entry == NULL || json_object_set_new(consents, client_id, entry) != 0)
		return NO_MEMORY(err);
	return PROAUTH2_OK;
}

static proauth2_status forget(proauth2_provider *p, json_t *consents,
		const char *client_id, const char *scope, proauth2_error *err)
{
	(void)p;
	(void)scope;
	(void)err;
	json_object_del(consents, client_id);
	return PROAUTH2_OK;
}

proauth2_status proauth2_consent_remember(proauth2_provider *p,
		const char *user_id, const char *client_id, const char *scope,
		proauth2_error *err)
{
	json_t *client = NULL;
	proauth2_status status;

	if (p == NULL || client_id == NULL || scope == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, client_id and scope are required");
	status = check_user(user_id, err);
	if (status != PROAUTH2_OK)
		return status;
	if (!scope_is_valid(scope))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_SCOPE,
				"scope is no scope (RFC 6749 section 3.3)");
	status = client_lookup(p, client_id, &client, err);
	json_decref(client);
	if (status == PROAUTH2_ERR_NOT_FOUND)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_CLIENT,
				"unknown client_id");
	if (status != PROAUTH2_OK)
		return status;
	return update(p, user_id, client_id, scope, grant, err);
}

/* user_id's live consents, read. */
static proauth2_status read_consents(proauth2_provider *p, const char *user_id,
		json_t **consents, proauth2_error *err)
{
	char hash[HASH_SIZE];
	json_t *record = NULL;
	proauth2_status status = check_user(user_id, err);

	*consents = NULL;
	if (status == PROAUTH2_OK)
		status = sha256_base64url(user_id, hash, err);
	if (status == PROAUTH2_OK)
		status = load(p, hash, &record, consents, err);
	json_decref(record);
	return status;
}

proauth2_status proauth2_consent_covers(proauth2_provider *p,
		const char *user_id, const char *client_id, const char *scope,
		bool *covered, proauth2_error *err)
{
	json_t *consents = NULL, *entry;
	proauth2_status status;

	if (covered == NULL || p == NULL || client_id == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, client_id and covered are required");
	*covered = false;
	status = read_consents(p, user_id, &consents, err);
	entry = json_object_get(consents, client_id);
	if (status == PROAUTH2_OK && entry != NULL)
		*covered = scope == NULL || scope_is_subset(scope,
				json_string_value(json_object_get(entry, "scope")));
	json_decref(consents);
	return status;
}

/* Newest first. */
static int by_granted_at(const void *a, const void *b)
{
	const proauth2_consent *x = a, *y = b;

	return (x->granted_at < y->granted_at) - (x->granted_at > y->granted_at);
}

proauth2_status proauth2_consent_list(proauth2_provider *p, const char *user_id,
		proauth2_consent **list, size_t *n, proauth2_error *err)
{
	json_t *consents = NULL, *entry;
	const char *client_id;
	proauth2_status status;
	bool ok = true;

	if (p == NULL || list == NULL || n == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, list and n are required");
	*list = NULL;
	*n = 0;
	status = read_consents(p, user_id, &consents, err);
	if (status != PROAUTH2_OK || json_object_size(consents) == 0) {
		json_decref(consents);
		return status;
	}
	*list = calloc(json_object_size(consents), sizeof(**list));
	if (*list == NULL)
		ok = false;
	json_object_foreach(consents, client_id, entry) {
		proauth2_consent *c;

		if (!ok)
			break;
		c = &(*list)[(*n)++];
		c->client_id = dup_or_null(client_id, &ok);
		c->scope = dup_or_null(json_string_value(json_object_get(entry,
				"scope")), &ok);
		c->granted_at = json_integer_value(json_object_get(entry, "granted_at"));
		c->expires_at = json_integer_value(json_object_get(entry, "expires_at"));
	}
	json_decref(consents);
	if (!ok) {
		proauth2_consent_list_free(*list, *n);
		*list = NULL;
		*n = 0;
		return NO_MEMORY(err);
	}
	qsort(*list, *n, sizeof(**list), by_granted_at);
	return PROAUTH2_OK;
}

void proauth2_consent_list_free(proauth2_consent *list, size_t n)
{
	size_t i;

	for (i = 0; list != NULL && i < n; i++) {
		free(list[i].client_id);
		free(list[i].scope);
	}
	free(list);
}

proauth2_status proauth2_consent_revoke(proauth2_provider *p,
		const char *user_id, const char *client_id, size_t *removed,
		proauth2_error *err)
{
	proauth2_status status;

	if (removed != NULL)
		*removed = 0;
	if (p == NULL || client_id == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider and client_id are required");
	status = check_user(user_id, err);
	if (status == PROAUTH2_OK)
		status = update(p, user_id, client_id, NULL, forget, err);
	if (status == PROAUTH2_OK)
		status = proauth2_token_revoke_user(p, client_id, user_id, removed, err);
	return status;
}
