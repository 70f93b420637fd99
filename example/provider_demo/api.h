/* The protected resource: GET /api/me says who the bearer token speaks for. */
#ifndef DEMO_API_H
#define DEMO_API_H

#include <microhttpd.h>

#include <proauth2/http.h>

#include "setup.h"

enum MHD_Result api_me(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req);

#endif
