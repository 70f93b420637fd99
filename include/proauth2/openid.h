/** \file
 * proauth2 — OpenID Connect: the UserInfo answer (Core §5.3).
 *
 * The id_tokens themselves come with the token response
 * (proauth2_token_response.id_token) when config.openid is set; the
 * facts of the login they carry come with the approval
 * (proauth2_approval). proauth2_http_userinfo() in proauth2/http.h is the
 * endpoint built on this call.
 */
#ifndef PROAUTH2_OPENID_H
#define PROAUTH2_OPENID_H

#include <proauth2/common.h>
#include <proauth2/error.h>
#include <proauth2/provider.h>
#include <proauth2/token.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The longest claims request parameter (Core §5.5), in bytes. */
#define PROAUTH2_CLAIMS_REQUEST_MAX_LENGTH 4096
/** The most claims a claims request asks for, for UserInfo and for the
 * id_token each. */
#define PROAUTH2_CLAIMS_REQUEST_MAX_CLAIMS 32

/**
 * The UserInfo claims for a validated access token (what
 * proauth2_token_validate() said of it), as the text of a JSON object in
 * *json (free()): sub, then the claims config.user_claims gives, each
 * standard one only when a scope the token carries asks for it (Core
 * §5.4) or the authorization request named it in its claims parameter
 * (§5.5, token->userinfo_claims). A token without the openid scope, or of no user
 * (client_credentials): PROAUTH2_ERR_INVALID_SCOPE (403
 * insufficient_scope). A user the host no longer knows:
 * PROAUTH2_ERR_INVALID_TOKEN. The host's text not a JSON object:
 * PROAUTH2_ERR_INVALID_ARGUMENT. No OpenID Provider (config.openid):
 * PROAUTH2_ERR_INVALID_ARGUMENT.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_userinfo(
		proauth2_provider *provider, const proauth2_token_info *token,
		char **json, proauth2_error *err);

/**
 * The sub client_id knows user_id by, in *sub (free()): user_id itself,
 * or for a client of pairwise subjects (proauth2_client_params
 * .pairwise_subject) its sector's identifier (Core §8.1). An id_token_hint
 * (proauth2_authorization_hint_subject(), proauth2_end_session_subject())
 * names its user so: compare it with this, not with the user id. An
 * unknown client: PROAUTH2_ERR_INVALID_CLIENT; a client of pairwise
 * subjects while config.pairwise_subject_key is unset:
 * PROAUTH2_ERR_INVALID_ARGUMENT (never the user id in its place).
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_client_subject(
		proauth2_provider *provider, const char *client_id,
		const char *user_id, char **sub, proauth2_error *err);

#ifdef __cplusplus
}
#endif

#endif
