/*
 * Login sessions: one record per user (lib/user_record.h) holding
 * {sid: {"clients": {client_id: [grant_id, ...]}, "began_at",
 * "expires_at"}}, "" for logins without a session id. An entry lives as
 * long as the grants it names may (a refresh keeps it). Room is made by
 * ending what no longer fits, as a logout would: the oldest session
 * (SESSIONS_PER_USER, the record's bytes), a session's oldest client
 * (SESSION_MAX_BYTES), a client's oldest grant in a session
 * (SESSION_GRANTS_PER_CLIENT).
 */
#include <stdlib.h>
#include <string.h>

#include "grant.h"
#include "logout_internal.h"
#include "scope.h"
#include "session.h"
#include "user_record.h"

static bool session_ok(const json_t *entry)
{
	return json_is_object(json_object_get(entry, "clients"));
}

static const user_record_kind sessions_kind = {
	.table = TABLE_SESSIONS,
	.field = "sessions",
	.began = "began_at",
	.max_entries = SESSIONS_PER_USER,
	.too_long = PROAUTH2_ERR_INVALID_ARGUMENT,
	.entry_ok = session_ok,
};

struct login {
	const char *sid, *client_id, *grant_id;
	bool offline;
	/* What the login pushed out, to be ended after the write: clients of
	 * this session that no longer fit ({sid: {client_id: [grant_id]}}),
	 * and older grants of this client ([grant_id]). */
	json_t *ended, *trimmed;
};

/* The longest a session's entry grows: its oldest clients make room. */
#define SESSION_MAX_BYTES (PROAUTH2_FIELD_MAX_LENGTH * 3 / 4)

static bool has_string(const json_t *array, const char *s)
{
	json_t *item;
	size_t i;

	json_array_foreach(array, i, item)
		if (strcmp(json_string_value(item), s) == 0)
			return true;
	return false;
}

/* Whether clients, as stored, is larger than a session may be. */
static bool too_big(const json_t *clients)
{
	char *text = json_dumps(clients, JSON_COMPACT);
	bool big = text == NULL || strlen(text) > SESSION_MAX_BYTES;

	free(text);
	return big;
}

/* The session's oldest clients (the first noted) out into l->ended until
 * it fits, the login's own client last of all. */
static proauth2_status make_room(json_t *clients, const char *sid,
		struct login *l, proauth2_error *err)
{
	json_t *ended = json_object();
	const char *first;
	char *key;

	if (ended == NULL)
		return NO_MEMORY(err);
	while (too_big(clients) && json_object_size(clients) > 1) {
		first = json_object_iter_key(json_object_iter(clients));
		if (strcmp(first, l->client_id) == 0)
			first = json_object_iter_key(json_object_iter_next(clients,
					json_object_iter(clients)));
		if ((key = strdup(first)) == NULL ||
				json_object_set(ended, key, json_object_get(clients, key)) != 0) {
			free(key);
			json_decref(ended);
			return NO_MEMORY(err);
		}
		json_object_del(clients, key);
		free(key);
	}
	if (json_object_size(ended) > 0 &&
			json_object_set(l->ended, sid, ended) != 0) {
		json_decref(ended);
		return NO_MEMORY(err);
	}
	json_decref(ended);
	return PROAUTH2_OK;
}

static proauth2_status add(proauth2_provider *p, json_t *sessions, void *arg,
		proauth2_error *err)
{
	struct login *l = arg;
	int64_t now = proauth2_provider_now(p);
	const char *key = l->sid != NULL ? l->sid : "";
	json_t *session = json_object_get(sessions, key), *clients, *grants;

	/* A round before lost a race: what it pushed out is not. */
	json_object_clear(l->ended);
	json_array_clear(l->trimmed);
	if (session == NULL && (json_object_set_new(sessions, key, json_pack(
			"{s:{}, s:I}", "clients", "began_at", (json_int_t)now)) != 0 ||
			(session = json_object_get(sessions, key)) == NULL))
		return NO_MEMORY(err);
	/* As long as the grant's newest token: a refresh comes back here. */
	if (json_object_set_new(session, "expires_at",
			json_integer(grant_horizon(p))) != 0)
		return NO_MEMORY(err);
	clients = json_object_get(session, "clients");
	grants = json_object_get(clients, l->client_id);
	if (!json_is_array(grants) && (json_object_set_new(clients, l->client_id,
			json_array()) != 0 ||
			(grants = json_object_get(clients, l->client_id)) == NULL))
		return NO_MEMORY(err);
	if (!l->offline && !has_string(grants, l->grant_id) &&
			json_array_append_new(grants, json_string(l->grant_id)) != 0)
		return NO_MEMORY(err);
	/* The newest few; the older are ended, as a logout would. */
	while (json_array_size(grants) > SESSION_GRANTS_PER_CLIENT) {
		if (json_array_append(l->trimmed, json_array_get(grants, 0)) != 0)
			return NO_MEMORY(err);
		json_array_remove(grants, 0);
	}
	return make_room(clients, key, l, err);
}

proauth2_status session_add_login(proauth2_provider *p, const char *user_id,
		const char *sid, const char *client_id, const char *grant_id,
		const char *scope, proauth2_error *err)
{
	struct login l = {sid, client_id, grant_id,
		scope_has_token(scope, "offline_access", 14), json_object(),
		json_array()};
	json_t *evicted = NULL, *ended, *session;
	const char *key;
	proauth2_status status = PROAUTH2_OK;
	size_t i;

	if (l.ended == NULL || l.trimmed == NULL)
		status = NO_MEMORY(err);
	if (status == PROAUTH2_OK)
		status = user_record_update_evicting(p, &sessions_kind, user_id, add,
				&l, &evicted, err);
	/* The sessions that made room end, as a logout ends them. */
	json_object_foreach(evicted, key, session)
		if (json_object_set(l.ended, key, json_object_get(session,
				"clients")) != 0 && status == PROAUTH2_OK)
			status = NO_MEMORY(err);
	ended = status == PROAUTH2_OK ? l.ended : NULL;
	if (ended != NULL)
		status = logout_end(p, user_id, ended, err);
	for (i = 0; ended != NULL && i < json_array_size(l.trimmed); i++) {
		proauth2_status s = grant_revoke(p, json_string_value(
				json_array_get(l.trimmed, i)), err);

		if (status == PROAUTH2_OK)
			status = s;
	}
	json_decref(evicted);
	json_decref(l.ended);
	json_decref(l.trimmed);
	return status;
}

proauth2_status session_keep(proauth2_provider *p, const char *user_id,
		const char *id_claims, const char *client_id, const char *grant_id,
		const char *scope, proauth2_error *err)
{
	json_t *claims = json_loads(id_claims, 0, NULL);
	proauth2_status status;

	if (claims == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"a refresh token's id_claims are unreadable");
	status = session_add_login(p, user_id, json_string_value(json_object_get(
			claims, "sid")), client_id, grant_id, scope, err);
	json_decref(claims);
	return status;
}

struct take {
	const char *sid;        /* NULL: every session */
	const char *client_id;  /* NULL: whole sessions */
	json_t *taken;
};

static proauth2_status take(proauth2_provider *p, json_t *sessions, void *arg,
		proauth2_error *err)
{
	struct take *t = arg;
	const char *key;
	json_t *session, *clients, *grants;
	void *tmp;

	(void)p;
	json_object_clear(t->taken);  /* a round before lost a race */
	json_object_foreach_safe(sessions, tmp, key, session) {
		if (t->sid != NULL && strcmp(key, t->sid) != 0)
			continue;
		clients = json_object_get(session, "clients");
		if (t->client_id == NULL) {
			if (json_object_set(t->taken, key, clients) != 0)
				return NO_MEMORY(err);
			json_object_del(sessions, key);
			continue;
		}
		if ((grants = json_object_get(clients, t->client_id)) == NULL)
			continue;
		if (json_object_set_new(t->taken, key, json_pack("{s:O}",
				t->client_id, grants)) != 0)
			return NO_MEMORY(err);
		json_object_del(clients, t->client_id);
		if (json_object_size(clients) == 0)
			json_object_del(sessions, key);
	}
	return PROAUTH2_OK;
}

static proauth2_status take_some(proauth2_provider *p, const char *user_id,
		struct take *t, json_t **taken, proauth2_error *err)
{
	proauth2_status status;

	/* Each round of the update starts afresh. */
	*taken = NULL;
	if ((t->taken = json_object()) == NULL)
		return NO_MEMORY(err);
	status = user_record_update(p, &sessions_kind, user_id, take, t, err);
	if (status != PROAUTH2_OK) {
		json_decref(t->taken);
		return status;
	}
	*taken = t->taken;
	return PROAUTH2_OK;
}

proauth2_status session_take(proauth2_provider *p, const char *user_id,
		const char *sid, json_t **taken, proauth2_error *err)
{
	struct take t = {sid, NULL, NULL};

	return take_some(p, user_id, &t, taken, err);
}

proauth2_status session_take_client(proauth2_provider *p, const char *user_id,
		const char *client_id, json_t **taken, proauth2_error *err)
{
	struct take t = {NULL, client_id, NULL};

	return take_some(p, user_id, &t, taken, err);
}
