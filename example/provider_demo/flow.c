/*
 * The browser's way through the authorization endpoint: GET /authorize
 * validates the request and parks it under a ticket; POST /login signs the
 * user in; POST /consent spends the ticket on the user's answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pages.h"
#include "reply.h"
#include "routes.h"

#define FORM_TYPE "application/x-www-form-urlencoded"
#define STALE_TICKET "This authorization request is unknown, was already " \
	"answered, or has expired. Start again from the application."

static enum MHD_Result message(struct MHD_Connection *c, unsigned status,
		const char *title, const char *text)
{
	return reply_html(c, status, page_message(title, text), NULL);
}

/* The signed-in user (free() it) and the session's CSRF token, or NULL. */
static char *session_user(struct demo_app *app, struct MHD_Connection *c,
		char csrf[SECRET_TOKEN_SIZE])
{
	const char *id = MHD_lookup_connection_value(c, MHD_COOKIE_KIND,
			SESSION_COOKIE);
	char *user = NULL;

	if (id == NULL || sessions_find(app->sessions, id, &user, csrf) != 0)
		return NULL;
	return user;
}

/* The posted form, or a response already queued: *form NULL then. */
static enum MHD_Result read_form(struct MHD_Connection *c,
		const proauth2_http_request *req, proauth2_form **form)
{
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
			MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t n = sizeof(FORM_TYPE) - 1;
	proauth2_error err = {0};
	proauth2_status status;

	*form = NULL;
	if (type != NULL && (strncasecmp(type, FORM_TYPE, n) != 0 ||
			(type[n] != '\0' && type[n] != ';' && type[n] != ' ')))
		return message(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "Bad request",
				"Expected a form (" FORM_TYPE ").");
	status = proauth2_form_parse(req->body, req->body_length, form, &err);
	if (status == PROAUTH2_ERR_NOMEM)
		return reply_html(c, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, NULL);
	if (status != PROAUTH2_OK)
		return message(c, MHD_HTTP_BAD_REQUEST, "Bad request",
				"The form is malformed.");
	return MHD_YES;
}

/* Load the pending request for ticket, or queue the page that says why
 * not: *a NULL then. */
static enum MHD_Result load_ticket(struct demo_app *app, struct MHD_Connection *c,
		const char *ticket, proauth2_authorization **a)
{
	proauth2_error err = {0};
	char text[PROAUTH2_ERROR_TEXT_SIZE + 64];
	proauth2_status status;

	status = proauth2_authorization_load(app->provider, ticket, a, &err);
	if (status == PROAUTH2_OK)
		return MHD_YES;
	*a = NULL;
	if (status == PROAUTH2_ERR_NOT_FOUND || status == PROAUTH2_ERR_INVALID_REQUEST)
		return message(c, MHD_HTTP_BAD_REQUEST, "Unknown request", STALE_TICKET);
	snprintf(text, sizeof(text), "The authorization server failed: %s", err.text);
	return message(c, status == PROAUTH2_ERR_UNAVAILABLE ?
			MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_INTERNAL_SERVER_ERROR,
			"Server error", text);
}

enum MHD_Result flow_authorize(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req)
{
	proauth2_authorization *a = NULL;
	proauth2_http_response *resp = NULL;
	char csrf[SECRET_TOKEN_SIZE], *user, *html;
	enum MHD_Result ret;

	proauth2_http_authorize_begin(app->provider, req, &a, &resp);
	if (a == NULL)
		return reply_oauth(c, resp);  /* the client's mistake, or ours */
	proauth2_http_response_free(resp);
	user = session_user(app, c, csrf);
	if (user != NULL)
		html = page_consent(a, user, csrf);
	else
		html = page_login(proauth2_authorization_ticket(a), NULL);
	ret = reply_html(c, MHD_HTTP_OK, html, NULL);
	free(user);
	proauth2_authorization_free(a);
	return ret;
}

enum MHD_Result flow_login(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req)
{
	proauth2_authorization *a = NULL;
	char id[SECRET_TOKEN_SIZE], csrf[SECRET_TOKEN_SIZE], cookie[160];
	const char *ticket;
	enum MHD_Result ret;
	proauth2_form *f;

	ret = read_form(c, req, &f);
	if (f == NULL)
		return ret;
	ticket = proauth2_form_get(f, "ticket");
	if (ticket == NULL)
		ret = message(c, MHD_HTTP_BAD_REQUEST, "Unknown request", STALE_TICKET);
	else if (!app_credentials_ok(app, proauth2_form_get(f, "username"),
			proauth2_form_get(f, "password")))
		ret = reply_html(c, MHD_HTTP_UNAUTHORIZED, page_login(ticket,
				"Wrong user name or password."), NULL);
	else if ((ret = load_ticket(app, c, ticket, &a)) == MHD_YES && a != NULL) {
		if (sessions_create(app->sessions, app->opt->user, id, csrf) != 0) {
			ret = message(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "Server error",
					"Could not start a session.");
		} else {
			/* A fresh id at every sign-in: no session fixation. */
			snprintf(cookie, sizeof(cookie), SESSION_COOKIE "=%s; HttpOnly; "
					"SameSite=Lax; Path=/; Max-Age=%d%s", id,
					SESSION_LIFETIME, strncmp(app->issuer, "https:", 6) == 0 ?
					"; Secure" : "");
			ret = reply_html(c, MHD_HTTP_OK,
					page_consent(a, app->opt->user, csrf), cookie);
		}
	}
	proauth2_authorization_free(a);
	proauth2_form_free(f);
	return ret;
}

enum MHD_Result flow_consent(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req)
{
	proauth2_authorization *a = NULL;
	proauth2_http_response *resp = NULL;
	char csrf[SECRET_TOKEN_SIZE], *user;
	const char *ticket, *decision;
	enum MHD_Result ret;
	proauth2_form *f;

	ret = read_form(c, req, &f);
	if (f == NULL)
		return ret;
	user = session_user(app, c, csrf);
	ticket = proauth2_form_get(f, "ticket");
	decision = proauth2_form_get(f, "decision");
	if (user == NULL)
		ret = reply_html(c, MHD_HTTP_UNAUTHORIZED, page_login(ticket,
				"Your session has ended. Please sign in again."), NULL);
	else if (ticket == NULL)
		ret = message(c, MHD_HTTP_BAD_REQUEST, "Unknown request", STALE_TICKET);
	else if (!secret_equal(proauth2_form_get(f, "csrf"), csrf))
		ret = message(c, MHD_HTTP_FORBIDDEN, "Forbidden", "This form was not "
				"issued to your session. Start again from the application.");
	else if (decision == NULL || (strcmp(decision, "allow") != 0 &&
			strcmp(decision, "deny") != 0))
		ret = message(c, MHD_HTTP_BAD_REQUEST, "Bad request",
				"Choose allow or deny.");
	else if ((ret = load_ticket(app, c, ticket, &a)) == MHD_YES && a != NULL) {
		/* Issue and deny spend the ticket; of two racing answers one
		 * wins, and the library answers the other. */
		if (strcmp(decision, "allow") == 0)
			proauth2_http_authorize_issue(app->provider, ticket, user, NULL, &resp);
		else
			proauth2_http_authorize_deny(app->provider, ticket, &resp);
		ret = reply_oauth(c, resp);
	}
	proauth2_authorization_free(a);
	free(user);
	proauth2_form_free(f);
	return ret;
}
