/*
 * Login sessions: one record per user (lib/user_record.h) holding
 * {sid: {"clients": {client_id: [grant_id, ...]}, "began_at",
 * "expires_at"}}, "" for logins without a session id. An entry lives as
 * long as the grants it names may; the oldest session makes room.
 */
#include <stdlib.h>
#include <string.h>

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
};

/* The longest any token of a grant lives. */
static int64_t grant_lifetime(const proauth2_provider *p)
{
	int64_t n = p->refresh_token_lifetime;

	if (p->access_token_lifetime > n)
		n = p->access_token_lifetime;
	return p->jwt_access_token_lifetime > n ? p->jwt_access_token_lifetime : n;
}

static proauth2_status add(proauth2_provider *p, json_t *sessions, void *arg,
		proauth2_error *err)
{
	const struct login *l = arg;
	int64_t now = proauth2_provider_now(p);
	const char *key = l->sid != NULL ? l->sid : "";
	json_t *session = json_object_get(sessions, key), *clients, *grants;

	if (session == NULL && (json_object_set_new(sessions, key, json_pack(
			"{s:{}, s:I}", "clients", "began_at", (json_int_t)now)) != 0 ||
			(session = json_object_get(sessions, key)) == NULL))
		return NO_MEMORY(err);
	if (json_object_set_new(session, "expires_at",
			json_integer(now + grant_lifetime(p))) != 0)
		return NO_MEMORY(err);
	clients = json_object_get(session, "clients");
	grants = json_object_get(clients, l->client_id);
	if (!json_is_array(grants) && (json_object_set_new(clients, l->client_id,
			json_array()) != 0 ||
			(grants = json_object_get(clients, l->client_id)) == NULL))
		return NO_MEMORY(err);
	if (l->offline)
		return PROAUTH2_OK;
	if (json_array_append_new(grants, json_string(l->grant_id)) != 0)
		return NO_MEMORY(err);
	/* The newest few: a client signing in again and again in one
	 * session has little to revoke in its older grants. */
	while (json_array_size(grants) > SESSION_GRANTS_PER_CLIENT)
		json_array_remove(grants, 0);
	return PROAUTH2_OK;
}

proauth2_status session_add_login(proauth2_provider *p, const char *user_id,
		const char *sid, const char *client_id, const char *grant_id,
		const char *scope, proauth2_error *err)
{
	struct login l = {sid, client_id, grant_id,
		scope_has_token(scope, "offline_access", 14)};

	return user_record_update(p, &sessions_kind, user_id, add, &l, err);
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
