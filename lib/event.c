/* Reporting events to the host's log callback; the library prints nothing. */
#include <stddef.h>

#include "event.h"
#include "internal.h"

const char *proauth2_event_kind_str(proauth2_event_kind kind)
{
	static const char *const names[PROAUTH2_EVENT_KIND_COUNT] = {
		[PROAUTH2_EVENT_SERVER_ERROR] = "server_error",
		[PROAUTH2_EVENT_REPLAY] = "replay",
		[PROAUTH2_EVENT_CLIENT_AUTH_FAILED] = "client_auth_failed",
		[PROAUTH2_EVENT_DATASTORE_FAILURE] = "datastore_failure",
		[PROAUTH2_EVENT_REFRESH_RETRY] = "refresh_retry",
		[PROAUTH2_EVENT_LOGOUT_UNDELIVERED] = "logout_undelivered",
	};

	if ((unsigned)kind >= PROAUTH2_EVENT_KIND_COUNT)
		return "unknown";
	return names[kind];
}

void proauth2_provider_report(const proauth2_provider *p,
		const proauth2_event *event)
{
	if (p != NULL && p->log != NULL && event != NULL && event->message != NULL)
		p->log(p->log_arg, event);
}

/* An event about client_id's grant_id. */
static void report_grant(const proauth2_provider *p, proauth2_event_kind kind,
		proauth2_status status, const char *message, const char *client_id,
		const char *grant_id)
{
	proauth2_event event = {
		.kind = kind,
		.level = PROAUTH2_LEVEL_WARNING,
		.status = status,
		.message = message,
		.client_id = client_id,
		.grant_id = grant_id,
	};

	proauth2_provider_report(p, &event);
}

void report_replay(const proauth2_provider *p, const char *client_id,
		const char *grant_id)
{
	report_grant(p, PROAUTH2_EVENT_REPLAY, PROAUTH2_ERR_INVALID_GRANT,
			"a spent code or refresh token was presented again: "
			"its grant is revoked", client_id, grant_id);
}

void report_refresh_retry(const proauth2_provider *p, const char *client_id,
		const char *grant_id)
{
	report_grant(p, PROAUTH2_EVENT_REFRESH_RETRY, PROAUTH2_OK,
			"a refresh token spent moments ago was presented again by "
			"its client: a fresh pair replaces the newest", client_id,
			grant_id);
}

void report_logout_undelivered(const proauth2_provider *p,
		const char *client_id, proauth2_status status, const char *why)
{
	report_grant(p, PROAUTH2_EVENT_LOGOUT_UNDELIVERED, status, why,
			client_id, NULL);
}

/* A client_id as presented, safe to write to a log line: control bytes
 * become '?', and it is cut (at a character's start) to fit size. */
static const char *printable(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	if (s == NULL)
		return NULL;
	for (; s[n] != '\0' && n + 1 < size; n++)
		buf[n] = (unsigned char)s[n] < 0x20 || s[n] == 0x7f ? '?' : s[n];
	/* Cut before a character whose continuation bytes do not fit. */
	if (s[n] != '\0')
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	buf[n] = '\0';
	return buf;
}

_Static_assert(PROAUTH2_EVENT_CLIENT_ID_MAX >= PROAUTH2_CLIENT_ID_MAX_LENGTH &&
		PROAUTH2_EVENT_CLIENT_ID_MAX >= PROAUTH2_CLIENT_DOCUMENT_URL_MAX,
		"an event shows every valid client_id whole");

void report_auth_failed(const proauth2_provider *p, const char *client_id,
		const char *method)
{
	char shown[PROAUTH2_EVENT_CLIENT_ID_MAX + 1];
	proauth2_event event = {
		.kind = PROAUTH2_EVENT_CLIENT_AUTH_FAILED,
		.level = PROAUTH2_LEVEL_WARNING,
		.status = PROAUTH2_ERR_INVALID_CLIENT,
		.message = "client authentication failed",
		.client_id = printable(client_id, shown, sizeof(shown)),
		.auth_method = method,
	};

	proauth2_provider_report(p, &event);
}

proauth2_status report_datastore(const proauth2_provider *p,
		proauth2_status status, const proauth2_error *err)
{
	proauth2_event event = {
		.kind = PROAUTH2_EVENT_DATASTORE_FAILURE,
		.level = PROAUTH2_LEVEL_ERROR,
		.status = status,
	};

	if (status != PROAUTH2_ERR_DATASTORE && status != PROAUTH2_ERR_UNAVAILABLE &&
			status != PROAUTH2_ERR_OUTCOME_UNKNOWN)
		return status;
	event.message = err != NULL && err->status == status && err->text[0] != '\0' ?
		err->text : proauth2_status_str(status);
	proauth2_provider_report(p, &event);
	return status;
}
