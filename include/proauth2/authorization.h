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

#include <stddef.h>

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

/** Free what begin, load or spend returned. Accepts NULL. */
PROAUTH2_EXPORT void proauth2_authorization_free(proauth2_authorization *authorization);

#ifdef __cplusplus
}
#endif

#endif
