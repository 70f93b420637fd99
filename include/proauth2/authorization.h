/** \file
 * proauth2 — pending authorization requests (RFC 6749 §4.1.1).
 *
 * Between the client's request and the user's decision, a validated
 * authorization request waits in the datastore under a ticket: begin
 * parks it, the host shows its login and consent pages, and the decision
 * spends the ticket once. The HTTP layer (proauth2_http_authorize_begin and
 * friends in proauth2/http.h) is built on these calls; a host with its own
 * web framework may use them directly. Thread-safe as the provider is.
 */
#ifndef PROAUTH2_AUTHORIZATION_H
#define PROAUTH2_AUTHORIZATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <proauth2/common.h>
#include <proauth2/error.h>
#include <proauth2/provider.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A validated authorization request waiting for the user's decision. */
typedef struct proauth2_authorization proauth2_authorization;

/**
 * Validate an authorization request, given as its n decoded parameters
 * (names[i] = values[i], at most 64, no name twice; an empty value counts
 * as absent), and park it under a new ticket. Checked in this order:
 * client_id, redirect_uri (registered exactly, or implied when the client
 * has a single one), response_type=code, response_mode (absent, query or
 * form_post), the client's grant, PKCE (a code_challenge without
 * code_challenge_method is plain, RFC 7636 §4.3, refused unless
 * config.allow_plain_pkce), scope. On success *out receives the request, freed with
 * proauth2_authorization_free(); on failure *out is NULL.
 *
 * Pending requests are capped (config.max_authorizations_per_client and
 * max_authorizations): at a cap, a valid request is refused with
 * PROAUTH2_ERR_UNAVAILABLE and nothing is stored. A request of more than
 * PROAUTH2_FIELD_MAX_LENGTH bytes (as stored, JSON) is refused with
 * PROAUTH2_ERR_INVALID_REQUEST, storing nothing either.
 *
 * The error may be sent back to the client's redirect URI only when
 * client_id and redirect_uri are good (proauth2_client_redirect_target()
 * says where); otherwise it must not redirect (§4.1.2.1).
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_authorization_begin(
		proauth2_provider *provider, const char *const *names,
		const char *const *values, size_t n, proauth2_authorization **out,
		proauth2_error *err);

/** Load a pending request by ticket (to show the consent page again).
 * PROAUTH2_ERR_NOT_FOUND when unknown, used or expired. *out as above. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_authorization_load(
		proauth2_provider *provider, const char *ticket,
		proauth2_authorization **out, proauth2_error *err);

/**
 * Load a pending request and spend its ticket: of any number of calls with
 * one ticket, exactly one succeeds; the others get PROAUTH2_ERR_NOT_FOUND,
 * as for a ticket unknown or expired. *out as above.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_authorization_spend(
		proauth2_provider *provider, const char *ticket,
		proauth2_authorization **out, proauth2_error *err);

/**
 * The user approved: issue an authorization code to user_id for a request
 * that proauth2_authorization_spend() returned, once (else
 * PROAUTH2_ERR_INVALID_ARGUMENT: one consent, one code), with granted_scope
 * (NULL: as requested; it may only narrow, else PROAUTH2_ERR_INVALID_SCOPE).
 * On success *code receives the code, freed with proauth2_secret_free();
 * on failure it is NULL and the call may be retried.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_authorization_approve(
		proauth2_provider *provider, proauth2_authorization *authorization,
		const char *user_id, const char *granted_scope, char **code,
		proauth2_error *err);

/**
 * proauth2_authorization_approve(), attaching grant attributes: the text
 * of a JSON object (NULL: none) that goes with the code and every token of
 * the grant (proauth2_code_request.attributes has the rules). Attributes
 * that break them are PROAUTH2_ERR_INVALID_ARGUMENT, the host's mistake,
 * and the authorization may be approved again.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status
proauth2_authorization_approve_with_attributes(proauth2_provider *provider,
		proauth2_authorization *authorization, const char *user_id,
		const char *granted_scope, const char *attributes, char **code,
		proauth2_error *err);

/** The user's decision and what the host knows of their login: fill with
 * proauth2_approval_init() first; it grows as common.h describes. */
typedef struct proauth2_approval {
	size_t struct_size;  /**< set by init */
	/** The user who consented, as the host knows them. Required. */
	const char *user_id;
	/** NULL: as requested; it may only narrow, else
	 * PROAUTH2_ERR_INVALID_SCOPE. */
	const char *granted_scope;
	/** Grant attributes, the text of a JSON object
	 * (proauth2_code_request.attributes has the rules); NULL: none. */
	const char *attributes;
	/** OpenID Connect (proauth2_code_request has the rules; the nonce is
	 * the request's): when the user authenticated, seconds since the
	 * epoch; 0: now. */
	int64_t auth_time;
	const char *acr;         /**< the login's class; NULL: none */
	const char *amr;         /**< its methods, space-delimited; NULL: none */
	const char *session_id;  /**< the host's session, the sid; NULL: none */
	/** The claims the user agreed to give beyond the scopes, of those the
	 * request named (proauth2_authorization_claims()), space-delimited;
	 * the others are not given. Show them on the consent page: a
	 * remembered consent to scopes covers none of them. NULL: none. */
	const char *claims;
} proauth2_approval;

/** Empty approval and set its struct_size; see common.h. */
#define proauth2_approval_init(approval) \
	proauth2_approval_init_sized((approval), sizeof(proauth2_approval))
/** What proauth2_approval_init() calls, with the caller's sizeof. */
PROAUTH2_EXPORT void proauth2_approval_init_sized(proauth2_approval *approval,
		size_t struct_size);

/**
 * The user approved: issue a code for a request that
 * proauth2_authorization_spend() returned, once (else
 * PROAUTH2_ERR_INVALID_ARGUMENT: one consent, one code), as approval
 * says. Attributes or OpenID facts that break their rules are
 * PROAUTH2_ERR_INVALID_ARGUMENT, the host's mistake, and the
 * authorization may be approved again. On success *code receives the
 * code, freed with proauth2_secret_free(); on failure it is NULL and the
 * call may be retried. proauth2_authorization_approve() and
 * proauth2_authorization_approve_with_attributes() are this with fewer
 * fields.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_authorization_approve_with(
		proauth2_provider *provider, proauth2_authorization *authorization,
		const proauth2_approval *approval, char **code, proauth2_error *err);

/** The ticket naming the pending request: opaque, URL-safe, single use,
 * valid for config.authorization_lifetime. Borrowed. */
PROAUTH2_EXPORT const char *proauth2_authorization_ticket(
		const proauth2_authorization *authorization);
/** The client that made the request. Borrowed. */
PROAUTH2_EXPORT const char *proauth2_authorization_client_id(
		const proauth2_authorization *authorization);
/** The client's registered display name, or NULL. */
PROAUTH2_EXPORT const char *proauth2_authorization_client_name(
		const proauth2_authorization *authorization);
/** The requested scope (the client's default when none was asked). */
PROAUTH2_EXPORT const char *proauth2_authorization_scope(
		const proauth2_authorization *authorization);
/** Any request parameter, decoded ("state", or an application's own such
 * as Domain Connect's "domain"); NULL if absent or empty. Borrowed. */
PROAUTH2_EXPORT const char *proauth2_authorization_param(
		const proauth2_authorization *authorization, const char *name);
/** How many parameters the request has, for
 * proauth2_authorization_param_name(). */
PROAUTH2_EXPORT size_t proauth2_authorization_param_count(
		const proauth2_authorization *authorization);
/** The name of the i-th request parameter (i < count); NULL past the end.
 * Borrowed. */
PROAUTH2_EXPORT const char *proauth2_authorization_param_name(
		const proauth2_authorization *authorization, size_t i);

/** @name OpenID Connect (Core §3.1.2.1)
 * What an OpenID Connect authentication request (config.openid, the
 * openid scope) asks of the host. proauth2_authorization_begin() checked
 * them: prompt none alone or any of login, consent and select_account;
 * max_age a number of seconds; id_token_hint an id_token of this
 * provider; a nonce of at most PROAUTH2_ID_CLAIM_MAX_LENGTH bytes. A host
 * answers prompt=none without showing a page: the approval, or
 * proauth2_http_authorize_refuse() with PROAUTH2_ERR_LOGIN_REQUIRED,
 * PROAUTH2_ERR_CONSENT_REQUIRED, ... ; login_hint, ui_locales and
 * claims_locales are proauth2_authorization_param()'s. The claims
 * parameter (Core §5.5) was checked for its shape; the claims it names
 * (proauth2_authorization_claims()) are given as far as the user agreed
 * (proauth2_approval.claims); what it asks of the login (an acr among
 * values, essential) is the host's to read from
 * proauth2_authorization_param(a, "claims"). */
/** @{ */
/** Whether the request's prompt holds value ("none", "login", "consent",
 * "select_account"). */
PROAUTH2_EXPORT bool proauth2_authorization_prompts(
		const proauth2_authorization *authorization, const char *value);

/** Whether a user who signed in at auth_time (seconds since the epoch; 0:
 * not signed in) must sign in again before approving: prompt=login (or
 * max_age=0) and that login is not after the request (one in the
 * request's second counts as before: the clock tells seconds), or it is
 * older than max_age. An approval whose auth_time is before the request
 * or older than max_age is refused (PROAUTH2_ERR_INVALID_ARGUMENT): the
 * client asked for a fresh login; so is an approval without auth_time
 * (0) when the request has prompt=login or max_age. A request without
 * max_age has its client's default_max_age, if any (OpenID Connect
 * Registration §2). Always false for a request that is no OpenID Connect
 * authentication. */
PROAUTH2_EXPORT bool proauth2_authorization_login_needed(
		proauth2_provider *provider,
		const proauth2_authorization *authorization, int64_t auth_time);

/** The claims the request's claims parameter (Core §5.5) names, for
 * UserInfo and the id_token, space-delimited: what the consent page asks
 * beyond the scopes, for proauth2_approval.claims. NULL: none. Borrowed. */
PROAUTH2_EXPORT const char *proauth2_authorization_claims(
		const proauth2_authorization *authorization);

/** The subject (sub) of the request's id_token_hint, an id_token this
 * provider issued, expired or not: the user the client expects, as the
 * client knows them, for the host to compare with
 * proauth2_client_subject() of the signed-in one (prompt=none and another
 * user: PROAUTH2_ERR_LOGIN_REQUIRED). NULL without a hint, or when the key that
 * signed it has left the key set since. Borrowed. */
PROAUTH2_EXPORT const char *proauth2_authorization_hint_subject(
		const proauth2_authorization *authorization);
/** @} */

/** Free what begin, load or spend returned. Accepts NULL. */
PROAUTH2_EXPORT void proauth2_authorization_free(proauth2_authorization *authorization);

#ifdef __cplusplus
}
#endif

#endif
