/* The engine's reports to the host's log callback (include/proauth2/event.h). */
#ifndef PROAUTH2_LIB_EVENT_H
#define PROAUTH2_LIB_EVENT_H

#include <stdbool.h>

#include <proauth2/provider.h>

/* A spent code or refresh token came back from client_id: grant_id is
 * revoked. */
void report_replay(const proauth2_provider *p, const char *client_id,
		const char *grant_id);

/* client_id retried a refresh token of grant_id spent within
 * config.refresh_reuse_grace, and got a fresh pair. */
void report_refresh_retry(const proauth2_provider *p, const char *client_id,
		const char *grant_id);

/* client_id failed to authenticate by method ("client_secret", "none",
 * "registration_access_token": static strings). */
void report_auth_failed(const proauth2_provider *p, const char *client_id,
		const char *method);

/* A logout token did not reach client_id: why (a static string). */
void report_logout_undelivered(const proauth2_provider *p,
		const char *client_id, proauth2_status status, const char *why);

/* Report status if it is a datastore failure (PROAUTH2_ERR_DATASTORE or
 * PROAUTH2_ERR_UNAVAILABLE, PROAUTH2_ERR_OUTCOME_UNKNOWN), with err's
 * text; returns status. */
proauth2_status report_datastore(const proauth2_provider *p,
		proauth2_status status, const proauth2_error *err);

#endif
