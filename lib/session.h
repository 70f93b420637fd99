/* Login sessions (OpenID Connect Back-Channel Logout 1.0): which clients
 * each of a user's sessions signed in to, and the grants a logout of it
 * ends. */
#ifndef PROAUTH2_LIB_SESSION_H
#define PROAUTH2_LIB_SESSION_H

#include "internal.h"

/* The most sessions kept per user, and grants per client in one. */
#define SESSIONS_PER_USER 16
#define SESSION_GRANTS_PER_CLIENT 4

/* Note that user_id signed in to client_id in session sid (NULL: a login
 * without a session id) with grant_id; a grant of scope offline_access
 * outlives a logout (Back-Channel Logout §2.7) and is not noted. What
 * no longer fits is ended (lib/session.c). */
proauth2_status session_add_login(proauth2_provider *p, const char *user_id,
		const char *sid, const char *client_id, const char *grant_id,
		const char *scope, proauth2_error *err);

/* A refresh of an openid grant: its session (the sid of id_claims, the
 * refresh token's) kept as long as the new token lives. */
proauth2_status session_keep(proauth2_provider *p, const char *user_id,
		const char *id_claims, const char *client_id, const char *grant_id,
		const char *scope, proauth2_error *err);

/* Take user_id's session sid (NULL: every session) out of the record:
 * in *taken (a new object, {sid: {client_id: [grant_id, ...]}}; "" is the
 * logins without a session id). */
proauth2_status session_take(proauth2_provider *p, const char *user_id,
		const char *sid, json_t **taken, proauth2_error *err);

/* Take client_id out of each of user_id's sessions: the sessions it was
 * in, in *taken as for session_take() (only its own entry in each). */
proauth2_status session_take_client(proauth2_provider *p, const char *user_id,
		const char *client_id, json_t **taken, proauth2_error *err);

#endif
