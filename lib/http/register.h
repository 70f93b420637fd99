/* Dynamic client registration (RFC 7591) and management (RFC 7592). */
#ifndef PROAUTH2_LIB_HTTP_REGISTER_H
#define PROAUTH2_LIB_HTTP_REGISTER_H

#include <proauth2/http.h>

/* POST /register */
proauth2_status register_client_endpoint(proauth2_provider *p,
		const proauth2_http_request *req, proauth2_http_response **out);

/* GET, PUT, DELETE /register/<client_id> with the registration access token. */
proauth2_status register_manage_endpoint(proauth2_provider *p,
		const proauth2_http_request *req, const char *client_id,
		proauth2_http_response **out);

#endif
