/*
 * The browser's way through the authorization endpoint: GET /authorize
 * validates the request and parks it under a ticket; POST /login signs the
 * user in; POST /consent spends the ticket on the user's answer; /logout
 * signs the user out again.
 *
 * Browser sessions: a random id in an HttpOnly cookie names the signed-in
 * user in a table in memory. Each session also carries the CSRF token its
 * consent forms must echo. Thread-safe.
 */
#ifndef DEMO_FLOW_H
#define DEMO_FLOW_H

#include <microhttpd.h>

#include <proauth2/http.h>

#include "setup.h"

typedef struct sessions sessions;

/* NULL when out of memory. */
sessions *sessions_new(void);
/* Free the table and every session in it. Accepts NULL. */
void sessions_free(sessions *s);

/* The request handlers, as the router calls them. */
enum MHD_Result flow_authorize(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req);
/* flow_authorize reading the request as options say (a lenient mount). */
enum MHD_Result flow_authorize_with(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req, const proauth2_http_options *options);
enum MHD_Result flow_login(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req);
enum MHD_Result flow_consent(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req);
/* The end-session endpoint (RP-Initiated Logout): a confirmation page,
 * then the session ended, its clients told, and back to the client. */
enum MHD_Result flow_logout(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req);

#endif
