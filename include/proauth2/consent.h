/** \file
 * proauth2 — remembered consent.
 *
 * The host may remember that a user granted a client some scopes, so that
 * the next request asking no more (an OpenID Connect prompt=none request
 * among them) needs no consent page. The user, through the host, can list
 * such consents and withdraw one, which also revokes every code and token
 * they granted that client. One record per user holds them all, at most
 * PROAUTH2_CONSENTS_PER_USER; a new one pushes out the oldest.
 * Thread-safe as the provider is; two writes for one user at the same
 * moment may keep one of them only (a consent page shown again, no more).
 */
#ifndef PROAUTH2_CONSENT_H
#define PROAUTH2_CONSENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <proauth2/common.h>
#include <proauth2/error.h>
#include <proauth2/provider.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The most clients one user's remembered consents name. */
#define PROAUTH2_CONSENTS_PER_USER 32

/** One remembered consent. */
typedef struct proauth2_consent {
	char *client_id;     /**< the client the user consented to */
	char *scope;         /**< what they granted it, space-delimited */
	int64_t granted_at;  /**< when last granted, seconds since the epoch */
	int64_t expires_at;  /**< when forgotten: config.consent_lifetime later */
} proauth2_consent;

/**
 * Remember that user_id granted client_id scope (added to what they
 * granted it before), for config.consent_lifetime. An unknown client:
 * PROAUTH2_ERR_INVALID_CLIENT; a scope that is no scope:
 * PROAUTH2_ERR_INVALID_SCOPE.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_consent_remember(
		proauth2_provider *provider, const char *user_id,
		const char *client_id, const char *scope, proauth2_error *err);

/** Whether user_id's remembered consent to client_id covers every scope
 * in scope, in *covered. PROAUTH2_OK either way, unless the datastore
 * fails. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_consent_covers(
		proauth2_provider *provider, const char *user_id,
		const char *client_id, const char *scope, bool *covered,
		proauth2_error *err);

/** user_id's remembered consents, newest first, in *list (*n of them;
 * free with proauth2_consent_list_free()); none: *list NULL, *n 0. */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_consent_list(
		proauth2_provider *provider, const char *user_id,
		proauth2_consent **list, size_t *n, proauth2_error *err);

/** Free what proauth2_consent_list() gave. Accepts NULL. */
PROAUTH2_EXPORT void proauth2_consent_list_free(proauth2_consent *list, size_t n);

/**
 * Withdraw user_id's consent to client_id: forgotten, and every code and
 * token user_id granted client_id revoked (proauth2_token_revoke_user()).
 * removed (may be NULL) receives how many codes and tokens went. Nothing
 * remembered is no error. After a failure, call it again.
 */
PROAUTH2_EXPORT PROAUTH2_WARN_UNUSED proauth2_status proauth2_consent_revoke(
		proauth2_provider *provider, const char *user_id,
		const char *client_id, size_t *removed, proauth2_error *err);

#ifdef __cplusplus
}
#endif

#endif
