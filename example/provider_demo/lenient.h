/*
 * The lenient mounts (--lenient-path PATH): the token and revocation
 * endpoints again, under the issuer's path,
 *
 *   POST PATH/token    proauth2_http_token_with()
 *   POST PATH/revoke   proauth2_http_revoke_with()
 *
 * reading their parameters from the query string and from a JSON body
 * too, as some clients send them (Lumos' connector-py with request_type
 * QUERY or JSON). A parameter in two sources with different values is
 * invalid_request; another method is 405, as at the strict endpoints,
 * which stay strict. Weaker: a secret in a URL ends up in access logs and
 * proxies' logs, so it is the operator's choice, never the default.
 *
 * Domain Connect's access_token endpoint (domain_connect.c) is the same
 * mount of the token endpoint.
 */
#ifndef DEMO_LENIENT_H
#define DEMO_LENIENT_H

#include <stdbool.h>

#include <microhttpd.h>

#include <proauth2/http.h>

#include "setup.h"

/* Answer req if it is PATH/token or PATH/revoke (*ret: what to return):
 * true then, false when the mounts are off or the path is neither. */
bool lenient_route(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req, enum MHD_Result *ret);

/* The token endpoint reading the query and a JSON body too. */
enum MHD_Result lenient_token(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req);

#endif
