/*
 * The HTML the browser flow shows. Every value that came from a request or
 * the datastore is HTML-escaped. Each function returns a new string (free()
 * it), or NULL when out of memory.
 */
#ifndef DEMO_PAGES_H
#define DEMO_PAGES_H

#include <proauth2/http.h>

#include "setup.h"

/* The start page: the authorization URL and the endpoints. */
char *page_index(const struct demo_app *app);

/* The login form for ticket; error (may be NULL) is shown above it. The
 * forms post to the demo's login and consent paths, wherever the page is. */
char *page_login(const struct demo_app *app, const char *ticket,
		const char *csrf, const char *error);

/* The consent form for a pending request, bound to the session by csrf;
 * a Domain Connect request says what will change in which zone. */
char *page_consent(const struct demo_app *app, const proauth2_authorization *a,
		const char *user, const char *csrf);

/* The sign-out confirmation for a logout request (RP-Initiated Logout
 * §2), bound to user's session by csrf: it posts the request again. */
char *page_logout(const struct demo_app *app, const proauth2_end_session *es,
		const char *user, const char *csrf);

/* What the client received at its redirect URI: code or error, and how to
 * exchange the code. Any argument but app may be NULL. */
char *page_callback(const struct demo_app *app, const char *code,
		const char *state, const char *iss, const char *error,
		const char *error_description);

/* A page with a title and one message. */
char *page_message(const char *title, const char *message);

#endif
