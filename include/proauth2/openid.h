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

#ifdef __cplusplus
}
#endif

#endif
