/* Status names, their OAuth error codes, and filling proauth2_error. */
#include <stdarg.h>
#include <stdio.h>

#include <proauth2/error.h>

#include "internal.h"

static const struct {
	const char *name;
	const char *oauth_error;
} statuses[PROAUTH2_STATUS_COUNT] = {
	[PROAUTH2_OK] = {"ok", NULL},
	[PROAUTH2_ERR_INVALID_REQUEST] = {"invalid request", "invalid_request"},
	[PROAUTH2_ERR_INVALID_CLIENT] = {"invalid client", "invalid_client"},
	[PROAUTH2_ERR_INVALID_GRANT] = {"invalid grant", "invalid_grant"},
	[PROAUTH2_ERR_UNAUTHORIZED_CLIENT] = {"unauthorized client", "unauthorized_client"},
	[PROAUTH2_ERR_UNSUPPORTED_GRANT_TYPE] = {"unsupported grant type", "unsupported_grant_type"},
	[PROAUTH2_ERR_INVALID_SCOPE] = {"invalid scope", "invalid_scope"},
	[PROAUTH2_ERR_INVALID_TOKEN] = {"invalid token", "invalid_token"},
	/* A lookup miss reaching a client means its request named nothing. */
	[PROAUTH2_ERR_NOT_FOUND] = {"not found", "invalid_request"},
	[PROAUTH2_ERR_CONFLICT] = {"conflict", "invalid_request"},
	/* Records are built by the core: a bad one is the server's fault. */
	[PROAUTH2_ERR_INVALID_RECORD] = {"invalid record", "server_error"},
	[PROAUTH2_ERR_INVALID_ARGUMENT] = {"invalid argument", "invalid_request"},
	[PROAUTH2_ERR_NOMEM] = {"out of memory", "server_error"},
	[PROAUTH2_ERR_DATASTORE] = {"datastore error", "server_error"},
	[PROAUTH2_ERR_UNAVAILABLE] = {"datastore unavailable", "temporarily_unavailable"},
	[PROAUTH2_ERR_CRYPTO] = {"crypto error", "server_error"},
	[PROAUTH2_ERR_UNSUPPORTED_RESPONSE_TYPE] = {"unsupported response type",
		"unsupported_response_type"},
	[PROAUTH2_ERR_ACCESS_DENIED] = {"access denied", "access_denied"},
	[PROAUTH2_ERR_INVALID_REDIRECT_URI] = {"invalid redirect URI",
		"invalid_redirect_uri"},
	[PROAUTH2_ERR_TOO_MANY_REQUESTS] = {"too many requests",
		"temporarily_unavailable"},
	[PROAUTH2_ERR_OUTCOME_UNKNOWN] = {"datastore outcome unknown",
		"temporarily_unavailable"},
	[PROAUTH2_ERR_INVALID_TARGET] = {"invalid target", "invalid_target"},
	[PROAUTH2_ERR_LOGIN_REQUIRED] = {"login required", "login_required"},
	[PROAUTH2_ERR_CONSENT_REQUIRED] = {"consent required", "consent_required"},
	[PROAUTH2_ERR_INTERACTION_REQUIRED] = {"interaction required",
		"interaction_required"},
	[PROAUTH2_ERR_ACCOUNT_SELECTION_REQUIRED] = {"account selection required",
		"account_selection_required"},
	[PROAUTH2_ERR_REQUEST_NOT_SUPPORTED] = {"request not supported",
		"request_not_supported"},
	[PROAUTH2_ERR_REQUEST_URI_NOT_SUPPORTED] = {"request_uri not supported",
		"request_uri_not_supported"},
	[PROAUTH2_ERR_REGISTRATION_NOT_SUPPORTED] = {"registration not supported",
		"registration_not_supported"},
};

const char *proauth2_status_str(proauth2_status status)
{
	if ((unsigned)status >= PROAUTH2_STATUS_COUNT)
		return "unknown status";
	return statuses[status].name;
}

const char *proauth2_status_oauth_error(proauth2_status status)
{
	if ((unsigned)status >= PROAUTH2_STATUS_COUNT)
		return "server_error";
	return statuses[status].oauth_error;
}

proauth2_status proauth2_error_set(proauth2_error *err, proauth2_status status,
		const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || status == PROAUTH2_OK)
		return status;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return status;
}

proauth2_status error_recode(proauth2_error *err, proauth2_status status)
{
	if (err != NULL)
		err->status = status;
	return status;
}
