/** \file
 * proauth2 — OpenID Connect logout: RP-Initiated Logout 1.0 (the
 * end-session endpoint a client sends the user to) and Back-Channel
 * Logout 1.0 (logout tokens the provider sends to the clients a session
 * signed in to).
 *
 * The provider notes every OpenID Connect login with the approval's
 * session_id (proauth2_approval): which clients that session signed in
 * to, with which grants. When the host ends a session, it calls
 * proauth2_logout(): each of those clients with a backchannel_logout_uri
 * is sent a logout token through config.backchannel_logout, and the
 * session's grants are revoked, but for those of scope offline_access
 * (Back-Channel Logout §2.7). The user's own revocation of a client's
 * consent (proauth2_consent_revoke()) tells that client the same way.
 *
 * What is noted is bounded: a user's 17th session ends the oldest, a
 * session's clients past 3 KiB of record end the first of them, and a
 * client's fifth login in one session revokes its first grant (without a
 * logout token: the session goes on), all as a logout would. A refresh
 * keeps its grant's session noted. Two logins of one user in the same
 * instant may keep one of them (read, then replace).
 */
#ifndef PROAUTH2_LOGOUT_H
#define PROAUTH2_LOGOUT_H

#include <proauth2/common.h>
#include <proauth2/error.h>
#include <proauth2/provider.h>

#ifdef __cplusplus
extern "C" {
#endif

/** How long a logout token is valid, in seconds (Back-Channel Logout
 * §2.4 asks for a short lifetime). */
#define PROAUTH2_LOGOUT_TOKEN_LIFETIME 120

/**
 * The host ended user_id's session session_id (the session_id its
 * approvals gave; NULL: every session of the user, as for "sign out
 * everywhere"). Each client that session signed in to is sent a logout
 * token (iss, aud, iat, exp, jti, the back-channel logout event, sub and,
 * but for a login without session_id, sid; typ logout+jwt, signed with the
 * client's id_token alg) when it registered a backchannel_logout_uri and
 * config.backchannel_logout is set; a client with
 * backchannel_logout_session_required is sent none without sid. Then the
 * session's grants without offline_access are revoked, with every token
 * of them. The session is forgotten first: a second call finds nothing.
 *
 * *notified (may be NULL) receives how many clients took their token,
 * *undelivered (may be NULL) how many did not (each reported as a
 * PROAUTH2_EVENT_LOGOUT_UNDELIVERED event). PROAUTH2_OK unless the
 * datastore failed; a session unknown, or known no more, is no error.
 * No OpenID Provider: PROAUTH2_ERR_INVALID_ARGUMENT.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_logout(
		proauth2_provider *provider, const char *user_id,
		const char *session_id, size_t *notified, size_t *undelivered,
		proauth2_error *err);

/* ---- RP-Initiated Logout 1.0 ---- */

/** A checked logout request (proauth2_end_session_begin()). */
typedef struct proauth2_end_session proauth2_end_session;

/**
 * Check a logout request to the end-session endpoint (RP-Initiated Logout
 * §2), its parameters as names[i]=values[i] (GET query or POST form; a
 * repeated one is an invalid_request): id_token_hint, an id_token of this
 * provider (expired or not); client_id, which must be the hint's audience
 * when both come; post_logout_redirect_uri, exactly one that client
 * registered, needing the client named by one of them, and the hint too
 * unless the client is trusted (proauth2_client_is_trusted(): one that
 * registered itself could make the endpoint an open redirector); state, at most
 * PROAUTH2_HTTP_STATE_MAX_LENGTH bytes, kept only with a redirect; and
 * logout_hint and ui_locales, passed on. Any other parameter is ignored.
 *
 * On success *out is the request; the host then asks the user whether to
 * sign out (§2: a logout without a verified hint may have been sent by
 * anyone, and even with one the user should agree), ends its session,
 * calls proauth2_logout(), and sends the user to
 * proauth2_end_session_redirect() or shows its own signed-out page. A
 * request that breaks the rules: PROAUTH2_ERR_INVALID_REQUEST with why,
 * to be shown to the user, never redirected. No OpenID Provider:
 * PROAUTH2_ERR_INVALID_ARGUMENT.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_end_session_begin(
		proauth2_provider *provider, const char *const *names,
		const char *const *values, size_t n, proauth2_end_session **out,
		proauth2_error *err);

/** The client the request came from (the hint's audience, or
 * client_id); NULL when neither says. */
PROAUTH2_EXPORT const char *proauth2_end_session_client_id(
		const proauth2_end_session *request);

/** The client's name for the confirmation page; NULL when unknown. */
PROAUTH2_EXPORT const char *proauth2_end_session_client_name(
		const proauth2_end_session *request);

/** The hint's subject, the user the client signed in, as the client knows
 * them (compare it with proauth2_client_subject() of the session's user:
 * another user's hint asks to end nothing of this session); NULL without
 * a hint. */
PROAUTH2_EXPORT const char *proauth2_end_session_subject(
		const proauth2_end_session *request);

/** The hint's sid, the session the client knew; NULL when it had none. */
PROAUTH2_EXPORT const char *proauth2_end_session_session_id(
		const proauth2_end_session *request);

/** A parameter as received (logout_hint, ui_locales, ...); NULL when
 * absent or empty. */
PROAUTH2_EXPORT const char *proauth2_end_session_param(
		const proauth2_end_session *request, const char *name);

/** Where to send the user after the logout: post_logout_redirect_uri
 * with state added to its query; NULL when the client named none. */
PROAUTH2_EXPORT const char *proauth2_end_session_redirect(
		const proauth2_end_session *request);

/** Free a request; NULL is fine. */
PROAUTH2_EXPORT void proauth2_end_session_free(proauth2_end_session *request);

#ifdef __cplusplus
}
#endif

#endif
