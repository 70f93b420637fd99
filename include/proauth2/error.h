/** \file
 * proauth2 — status codes and error detail.
 *
 * Every fallible call returns a proauth2_status and takes a caller-allocated
 * proauth2_error as its last parameter (may be NULL). The error is filled
 * only on failure and never allocates.
 */
#ifndef PROAUTH2_ERROR_H
#define PROAUTH2_ERROR_H

#include <proauth2/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a call came to: PROAUTH2_OK or the reason it failed. */
typedef enum proauth2_status {
	PROAUTH2_OK = 0,  /**< success: the call's outputs are set */
	/** The request is malformed: a missing or bad parameter. */
	PROAUTH2_ERR_INVALID_REQUEST,
	/** Client authentication failed: unknown client, wrong secret. */
	PROAUTH2_ERR_INVALID_CLIENT,
	/** Code or refresh token invalid, expired, replayed or not this client's;
	 * redirect_uri or PKCE verifier mismatch. */
	PROAUTH2_ERR_INVALID_GRANT,
	/** The client may not use this grant type. */
	PROAUTH2_ERR_UNAUTHORIZED_CLIENT,
	/** The grant_type is unknown, or one the provider does not enable. */
	PROAUTH2_ERR_UNSUPPORTED_GRANT_TYPE,
	/** A scope is malformed, unknown, or beyond what the client may ask. */
	PROAUTH2_ERR_INVALID_SCOPE,
	/** An access token is unknown, expired or revoked (RFC 6750 invalid_token). */
	PROAUTH2_ERR_INVALID_TOKEN,
	/** A record lookup found nothing. */
	PROAUTH2_ERR_NOT_FOUND,
	/** store: the key exists already; fetch: more than one record matched. */
	PROAUTH2_ERR_CONFLICT,
	/** A record or query does not match its table's schema. */
	PROAUTH2_ERR_INVALID_RECORD,
	/** The caller broke an API precondition (NULL where a value is needed). */
	PROAUTH2_ERR_INVALID_ARGUMENT,
	/** Memory ran out. */
	PROAUTH2_ERR_NOMEM,
	/** The datastore failed; retrying will not help. */
	PROAUTH2_ERR_DATASTORE,
	/** The datastore is busy or unreachable; retrying later may help. */
	PROAUTH2_ERR_UNAVAILABLE,
	/** The CSPRNG or a hash failed. */
	PROAUTH2_ERR_CRYPTO,
	/** Authorization endpoint: response_type is not "code". */
	PROAUTH2_ERR_UNSUPPORTED_RESPONSE_TYPE,
	/** Authorization endpoint: the user (or the host) said no. */
	PROAUTH2_ERR_ACCESS_DENIED,
	/** Client metadata: a redirect URI is malformed, missing where the
	 * grant types need one, or one too many (RFC 7591 §3.2.2
	 * invalid_redirect_uri). Other bad metadata is
	 * PROAUTH2_ERR_INVALID_REQUEST or PROAUTH2_ERR_INVALID_SCOPE. */
	PROAUTH2_ERR_INVALID_REDIRECT_URI,
	/** A limit on what anonymous parties may create was reached (dynamic
	 * registrations per window); retrying later may help. OAuth's
	 * temporarily_unavailable, answered 429 by the HTTP layer. */
	PROAUTH2_ERR_TOO_MANY_REQUESTS,
	/** A write may or may not have taken effect (a reply lost on the way
	 * back, a commit whose sync failed): the datastore cannot say which.
	 * Unlike PROAUTH2_ERR_UNAVAILABLE, which promises nothing happened.
	 * Retrying later may help; the HTTP layer answers 503
	 * temporarily_unavailable, as for PROAUTH2_ERR_UNAVAILABLE. */
	PROAUTH2_ERR_OUTCOME_UNKNOWN,
	/** A `resource` parameter names no registered resource, or one the
	 * grant was not given (RFC 8707 §2 invalid_target, HTTP 400). */
	PROAUTH2_ERR_INVALID_TARGET,
	/** @name OpenID Connect Core §3.1.2.6: a prompt=none request that
	 * needs the user: redirected to the client as these codes. */
	/** @{ */
	PROAUTH2_ERR_LOGIN_REQUIRED,        /**< login_required */
	PROAUTH2_ERR_CONSENT_REQUIRED,      /**< consent_required */
	PROAUTH2_ERR_INTERACTION_REQUIRED,  /**< interaction_required */
	PROAUTH2_ERR_ACCOUNT_SELECTION_REQUIRED, /**< account_selection_required */
	/** @} */
	/** @name OpenID Connect Core §3.1.2.6: request parameters the provider
	 * does not support (request objects, Core §6; registration, §7.2.1). */
	/** @{ */
	PROAUTH2_ERR_REQUEST_NOT_SUPPORTED,       /**< request_not_supported */
	PROAUTH2_ERR_REQUEST_URI_NOT_SUPPORTED,   /**< request_uri_not_supported */
	PROAUTH2_ERR_REGISTRATION_NOT_SUPPORTED,  /**< registration_not_supported */
	/** @} */
	/** Not a status: the number of statuses. Appended to, never reordered. */
	PROAUTH2_STATUS_COUNT
} proauth2_status;

/** The size of proauth2_error.text, its NUL included. */
#define PROAUTH2_ERROR_TEXT_SIZE 200

/** Error detail: caller-allocated, filled only on failure. */
typedef struct proauth2_error {
	proauth2_status status;  /**< the status the call returned */
	/** Human-readable detail, NUL-terminated; never contains secrets. */
	char text[PROAUTH2_ERROR_TEXT_SIZE];
} proauth2_error;

/** Short constant name of a status, for logs ("invalid grant", "datastore
 * error", ...; the RFC code is proauth2_status_oauth_error()). Never NULL. */
PROAUTH2_EXPORT const char *proauth2_status_str(proauth2_status status);

/**
 * The RFC 6749 §5.2 / RFC 6750 §3.1 / RFC 7591 §3.2.2 error code a status
 * maps to: invalid_request, invalid_client, invalid_grant,
 * unauthorized_client, unsupported_grant_type, invalid_scope,
 * invalid_token, unsupported_response_type, access_denied,
 * invalid_redirect_uri, invalid_target, OpenID Connect's login_required,
 * consent_required, interaction_required, account_selection_required,
 * request_not_supported, request_uri_not_supported and
 * registration_not_supported,
 * server_error or temporarily_unavailable. NULL for
 * PROAUTH2_OK. A static string.
 */
PROAUTH2_EXPORT const char *proauth2_status_oauth_error(proauth2_status status);

/** Fill err (if not NULL) with status and a printf-style message; returns
 * status so a backend can write `return proauth2_error_set(err, ...)`.
 * Not PROAUTH2_WARN_UNUSED: a call that only fills err is a use too. */
PROAUTH2_EXPORT proauth2_status proauth2_error_set(proauth2_error *err,
		proauth2_status status, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

#ifdef __cplusplus
}
#endif

#endif
