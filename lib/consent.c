/*
 * Remembered consent: one record per user (lib/user_record.h) holding
 * {client_id: {"scope", "granted_at", "expires_at"}} for at most
 * PROAUTH2_CONSENTS_PER_USER clients and PROAUTH2_FIELD_MAX_LENGTH bytes;
 * the oldest consent makes room.
 */
#include <stdlib.h>
#include <string.h>

#include <proauth2/consent.h>

#include "attributes.h"
#include "client_document.h"
#include "event.h"
#include "internal.h"
#include "logout_internal.h"
#include "scope.h"
#include "user_record.h"

static bool consent_ok(const json_t *entry)
{
	return json_string_value(json_object_get(entry, "scope")) != NULL;
}

static const user_record_kind consents_kind = {
	.table = TABLE_CONSENTS,
	.field = "consents",
	.began = "granted_at",
	.max_entries = PROAUTH2_CONSENTS_PER_USER,
	.too_long = PROAUTH2_ERR_INVALID_SCOPE,
	.entry_ok = consent_ok,
};

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

struct consent_change {
	const char *client_id;
	const char *scope;
};

static proauth2_status grant(proauth2_provider *p, json_t *consents,
		void *arg, proauth2_error *err)
{
	const struct consent_change *c = arg;
	const char *client_id = c->client_id, *scope = c->scope;
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
		void *arg, proauth2_error *err)
{
	const struct consent_change *c = arg;

	(void)p;
	(void)err;
	json_object_del(consents, c->client_id);
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
	status = user_record_check_user(user_id, err);
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
	return user_record_update(p, &consents_kind, user_id, grant,
			&(struct consent_change){client_id, scope}, err);
}

/* user_id's live consents, read. */
static proauth2_status read_consents(proauth2_provider *p, const char *user_id,
		json_t **consents, proauth2_error *err)
{
	return user_record_read(p, &consents_kind, user_id, consents, err);
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

	size_t revoked = 0;

	if (removed != NULL)
		*removed = 0;
	if (p == NULL || client_id == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider and client_id are required");
	status = user_record_check_user(user_id, err);
	if (status == PROAUTH2_OK)
		status = user_record_update(p, &consents_kind, user_id, forget,
				&(struct consent_change){client_id, NULL}, err);
	if (status == PROAUTH2_OK)
		status = proauth2_token_revoke_user(p, client_id, user_id, &revoked, err);
	if (removed != NULL)
		*removed = revoked;
	if (status == PROAUTH2_OK)
		status = logout_client(p, user_id, client_id, revoked > 0, err);
	return status;
}
