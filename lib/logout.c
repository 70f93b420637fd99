/*
 * Back-Channel Logout 1.0: the logout tokens of a session's clients,
 * handed to the host's delivery callback, and the grants the logout ends.
 */
#include <stdlib.h>
#include <string.h>

#include <proauth2/logout.h>

#include "client_document.h"
#include "event.h"
#include "grant.h"
#include "jws.h"
#include "key_set.h"
#include "logout_internal.h"
#include "pairwise.h"
#include "session.h"

#define BACKCHANNEL_EVENT "http://schemas.openid.net/event/backchannel-logout"

/* The logout token for client (its record) of sub's session sid (NULL:
 * none), in *out (free()). */
static proauth2_status logout_token(proauth2_provider *p, const json_t *client,
		const char *sub, const char *sid, char **out, proauth2_error *err)
{
	const char *alg_name = record_string(client, "id_token_signed_response_alg");
	int64_t now = proauth2_provider_now(p);
	char kid[KEY_ID_SIZE], jti[GRANT_ID_SIZE];
	jws_alg alg = JWS_RS256;
	jws_signer *signer = NULL;
	json_t *claims;
	proauth2_status status = PROAUTH2_OK;

	*out = NULL;
	if (alg_name != NULL && !jws_alg_from_name(alg_name, &alg))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"the client's id_token_signed_response_alg is unknown");
	grant_new_id(jti);
	/* §2.4: sub or sid, or both; never a nonce. */
	claims = json_pack("{s:s, s:s, s:I, s:I, s:s, s:{s:{}}, s:s, s:s*}",
			"iss", p->issuer,
			"aud", record_string(client, "client_id"),
			"iat", (json_int_t)now,
			"exp", (json_int_t)(now + PROAUTH2_LOGOUT_TOKEN_LIFETIME),
			"jti", jti,
			"events", BACKCHANNEL_EVENT,
			"sub", sub,
			"sid", sid);
	if (claims == NULL)
		return NO_MEMORY(err);
	status = key_set_signer(p, alg, kid, &signer, err);
	if (status == PROAUTH2_OK)
		status = jws_sign(signer, kid, "logout+jwt", claims, out, err);
	json_decref(claims);
	jws_signer_free(signer);
	return status;
}

/* Send client_id the logout token of user_id's session sid ("" or NULL:
 * none; its sub as the client knows the user), if it takes them; counted
 * in *notified or *undelivered. */
static void notify(proauth2_provider *p, const char *client_id,
		const char *user_id, const char *sid, size_t *notified,
		size_t *undelivered)
{
	char pairwise[PAIRWISE_SUBJECT_SIZE];
	const char *sub = NULL;
	json_t *client = NULL;
	proauth2_error err = {0};
	const char *uri;
	char *token = NULL;
	proauth2_status status;

	if (sid != NULL && sid[0] == '\0')
		sid = NULL;
	if (p->backchannel_logout == NULL ||
			client_lookup(p, client_id, &client, &err) != PROAUTH2_OK)
		return;
	uri = record_string(client, "backchannel_logout_uri");
	if (uri == NULL || (sid == NULL && json_integer_value(json_object_get(
			client, "backchannel_logout_session_required")) == 1)) {
		json_decref(client);
		return;
	}
	status = pairwise_subject(p, record_string(client, "subject_sector"),
			user_id, pairwise, &sub, &err);
	if (status == PROAUTH2_OK)
		status = logout_token(p, client, sub, sid, &token, &err);
	if (status != PROAUTH2_OK) {
		report_logout_undelivered(p, client_id, status,
				"no logout token could be signed for the client");
		(*undelivered)++;
	} else if (p->backchannel_logout(p->backchannel_logout_arg, client_id,
			uri, token) != 0) {
		report_logout_undelivered(p, client_id, PROAUTH2_ERR_UNAVAILABLE,
				"the client's backchannel_logout_uri did not take its "
				"logout token");
		(*undelivered)++;
	} else {
		(*notified)++;
	}
	free(token);
	json_decref(client);
}

/* Every session in taken ({sid: {client_id: [grant_id, ...]}}): its
 * clients told, its grants revoked. The first failure to revoke is
 * returned, after the rest were tried. */
static proauth2_status end_sessions(proauth2_provider *p, const char *user_id,
		const json_t *taken, bool revoke, size_t *notified,
		size_t *undelivered, proauth2_error *err)
{
	proauth2_status first = PROAUTH2_OK, status;
	const char *sid, *client_id;
	json_t *clients, *grants, *grant;
	proauth2_error one = {0};
	size_t i;

	json_object_foreach((json_t *)taken, sid, clients)
		json_object_foreach(clients, client_id, grants) {
			notify(p, client_id, user_id, sid, notified, undelivered);
			json_array_foreach(grants, i, grant) {
				if (!revoke)
					break;
				status = grant_revoke(p, json_string_value(grant), &one);
				if (status != PROAUTH2_OK && first == PROAUTH2_OK) {
					first = status;
					if (err != NULL)
						*err = one;
				}
			}
		}
	return first;
}

proauth2_status logout_end(proauth2_provider *p, const char *user_id,
		const json_t *taken, proauth2_error *err)
{
	size_t told = 0, missed = 0;

	return end_sessions(p, user_id, taken, true, &told, &missed, err);
}

proauth2_status proauth2_logout(proauth2_provider *p, const char *user_id,
		const char *session_id, size_t *notified, size_t *undelivered,
		proauth2_error *err)
{
	size_t told = 0, missed = 0;
	json_t *taken = NULL;
	proauth2_status status;

	if (notified != NULL)
		*notified = 0;
	if (undelivered != NULL)
		*undelivered = 0;
	if (p == NULL || !p->openid)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"logout needs an OpenID Provider (config.openid)");
	status = session_take(p, user_id, session_id, &taken, err);
	if (status == PROAUTH2_OK)
		status = end_sessions(p, user_id, taken, true, &told, &missed, err);
	json_decref(taken);
	if (notified != NULL)
		*notified = told;
	if (undelivered != NULL)
		*undelivered = missed;
	return status;
}

proauth2_status logout_client(proauth2_provider *p, const char *user_id,
		const char *client_id, bool had_tokens, proauth2_error *err)
{
	size_t told = 0, missed = 0;
	json_t *taken = NULL;
	proauth2_status status;

	if (!p->openid)
		return PROAUTH2_OK;
	status = session_take_client(p, user_id, client_id, &taken, err);
	if (status == PROAUTH2_OK && json_object_size(taken) == 0 && had_tokens)
		notify(p, client_id, user_id, NULL, &told, &missed);
	/* The caller revoked the client's grants of the user already. */
	if (status == PROAUTH2_OK)
		status = end_sessions(p, user_id, taken, false, &told, &missed, err);
	json_decref(taken);
	return status;
}
