/*
 * Domain Connect's asynchronous flow (draft-ietf-dconn-domainconnect-async),
 * with the demo as the DNS provider that runs its OAuth server
 * (--domain-connect NAME). A service provider is a kept client (--client):
 * its client_id is its providerId, each scope it may ask for is one of its
 * templates (serviceId), and every template puts one TXT record, naming
 * the template and the variables it was applied with, at the consented
 * host. Under the issuer's path:
 *
 *   GET  /v2/{domain}/settings                  the provider's settings
 *   GET  /v2/domainTemplates/providers/{p}/services/{s}   a template
 *   GET  /async/v2/domainTemplates/providers/{p}[/services/{s}]?client_id=
 *        &scope=&domain=&host=&redirect_uri=&state=...  consent (the
 *        demo's login and consent pages; response_type may be absent)
 *   POST /v2/oauth/access_token   the token endpoint, also reading the
 *        query string and a JSON body, as Domain Connect clients send
 *   POST /v2/domainTemplates/providers/{p}/services/{s}/apply?domain=
 *        &host=&force=&VARIABLE=...   with the bearer token: applies the
 *        template when the token is the provider's, has scope s, and its
 *        grant attributes (the consented domain and hosts) cover the name
 *   GET  /zone                                   the zone's records, JSON
 */
#ifndef DEMO_DOMAIN_CONNECT_H
#define DEMO_DOMAIN_CONNECT_H

#include <stdbool.h>

#include <microhttpd.h>

#include <proauth2/http.h>

#include "buf.h"
#include "setup.h"

/* Answer req if it is one of the routes above (*ret: what to return):
 * true then, false when the path is none of them. */
bool domain_connect_route(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req, enum MHD_Result *ret);

/* The grant attributes the consent to a pending request attaches when it
 * is a Domain Connect one (a service provider's, naming a valid domain and
 * host): *attributes {"domain": D, "hosts": [H]}, else NULL. False when
 * out of memory. */
bool domain_connect_attributes(const struct demo_app *app,
		const proauth2_authorization *a, char **attributes);

/* For the consent page: which zone and templates the user is consenting
 * to, when it is such a request. */
void domain_connect_describe(buf *b, const struct demo_app *app,
		const proauth2_authorization *a);

#endif
