/* The demo's request handlers; router.c picks one by path and method. */
#ifndef DEMO_ROUTES_H
#define DEMO_ROUTES_H

#include <microhttpd.h>

#include <proauth2/http.h>

#include "app.h"

typedef enum MHD_Result (*route_fn)(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req);

/* A server_handler: cls is the struct demo_app. */
enum MHD_Result route_request(void *cls, struct MHD_Connection *c,
		const proauth2_http_request *req);

/* flow.c: the browser's way through the authorization endpoint. */
enum MHD_Result flow_authorize(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req);
enum MHD_Result flow_login(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req);
enum MHD_Result flow_consent(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req);

/* site.c: the start page and the demo client's redirect target. */
enum MHD_Result site_index(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req);
enum MHD_Result site_callback(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req);

/* api.c: the protected resource. */
enum MHD_Result api_me(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req);

#endif
