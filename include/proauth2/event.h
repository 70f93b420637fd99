/** \file
 * proauth2 — what the library reports to its host.
 *
 * Server errors, replayed codes and refresh tokens, failed client
 * authentication, datastore failures. The library prints nothing itself;
 * a host that wants these events sets proauth2_config.log.
 */
#ifndef PROAUTH2_EVENT_H
#define PROAUTH2_EVENT_H

#include <proauth2/common.h>
#include <proauth2/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** How urgent an event is. */
typedef enum proauth2_event_level {
	/** The server failed: someone should look. */
	PROAUTH2_LEVEL_ERROR,
	/** A client or an attacker did something a host should see. */
	PROAUTH2_LEVEL_WARNING
} proauth2_event_level;

/** What happened. Appended to, never reordered. */
typedef enum proauth2_event_kind {
	/** An endpoint answered with a 5xx. message is the proauth2_error text
	 * the client was not shown; http_status the status sent. */
	PROAUTH2_EVENT_SERVER_ERROR,
	/** A code or refresh token was presented again after it was spent:
	 * the grant it belongs to (grant_id) is revoked, every token of it
	 * with it. client_id is the client that presented it. */
	PROAUTH2_EVENT_REPLAY,
	/** Client authentication failed: an unknown client_id, a wrong or
	 * missing secret, or a wrong registration access token (RFC 7592).
	 * auth_method says what the client tried. */
	PROAUTH2_EVENT_CLIENT_AUTH_FAILED,
	/** The datastore failed (PROAUTH2_ERR_DATASTORE,
	 * PROAUTH2_ERR_UNAVAILABLE or PROAUTH2_ERR_OUTCOME_UNKNOWN in
	 * status); message is its error text. An
	 * endpoint that then answers a 5xx reports PROAUTH2_EVENT_SERVER_ERROR
	 * as well: one failure, two events. */
	PROAUTH2_EVENT_DATASTORE_FAILURE,
	/** A refresh token spent moments ago came back from its client, which
	 * got a fresh pair in place of the answer it lost
	 * (config.refresh_reuse_grace): the grant lives on. Many in a row
	 * for one grant_id are more likely a thief than a bad network. */
	PROAUTH2_EVENT_REFRESH_RETRY,
	/** A logout token did not reach client_id (config.backchannel_logout
	 * failed, or its alg has no key): the client may keep the user
	 * signed in. message says which. */
	PROAUTH2_EVENT_LOGOUT_UNDELIVERED,
	/** Not a kind: the number of kinds. */
	PROAUTH2_EVENT_KIND_COUNT
} proauth2_event_kind;

/** The longest client_id an event carries, in bytes: every valid id
 * (PROAUTH2_CLIENT_ID_MAX_LENGTH, PROAUTH2_CLIENT_DOCUMENT_URL_MAX)
 * whole. */
#define PROAUTH2_EVENT_CLIENT_ID_MAX 512

/**
 * One event. Filled by the library, valid only during the callback (copy
 * what you keep). Fields are appended in later versions, never reordered,
 * so a host reads those its header knows. No field ever holds a secret, a
 * token or a hash of one. A client_id that failed to authenticate is as
 * the client sent it, with control characters replaced by '?' and cut to
 * PROAUTH2_EVENT_CLIENT_ID_MAX bytes; quote it in a log all the same.
 */
typedef struct proauth2_event {
	proauth2_event_kind kind;    /**< what happened */
	proauth2_event_level level;  /**< how urgent it is */
	/** The status behind the event (PROAUTH2_OK for none). */
	proauth2_status status;
	/** What happened, in English; never NULL. */
	const char *message;
	/** The client concerned, or NULL. */
	const char *client_id;
	/** PROAUTH2_EVENT_REPLAY: the revoked grant;
	 * PROAUTH2_EVENT_REFRESH_RETRY: the grant refreshed; else NULL. */
	const char *grant_id;
	/** PROAUTH2_EVENT_CLIENT_AUTH_FAILED: "client_secret" when a secret was
	 * presented, "none" when not, "registration_access_token" at the
	 * client configuration endpoint; NULL otherwise. */
	const char *auth_method;
	/** PROAUTH2_EVENT_SERVER_ERROR: the HTTP status answered; else 0. */
	int http_status;
} proauth2_event;

/**
 * The host's log callback (proauth2_config.log). Called from whichever
 * thread made the call that caused the event, so it must be thread-safe
 * as the provider is; it must not call back into the provider.
 */
typedef void (*proauth2_log_fn)(void *arg, const proauth2_event *event);

/** The name of a kind ("server_error", "replay", "client_auth_failed",
 * "datastore_failure", "refresh_retry", "logout_undelivered"); "unknown"
 * for anything else.
 * Static. */
PROAUTH2_EXPORT const char *proauth2_event_kind_str(proauth2_event_kind kind);

#ifdef __cplusplus
}
#endif

#endif
