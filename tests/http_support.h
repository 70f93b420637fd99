/* Building endpoint requests and reading their responses in tests. */
#ifndef PROAUTH2_TESTS_HTTP_SUPPORT_H
#define PROAUTH2_TESTS_HTTP_SUPPORT_H

#include <jansson.h>

#include "support.h"

#define FORM "application/x-www-form-urlencoded"

/* A request through proauth2_http_handle: method, path, content type (may
 * be NULL), body (may be NULL), Authorization header (may be NULL). */
proauth2_http_response *http(const char *method, const char *path,
		const char *content_type, const char *body, const char *authorization);

/* The same, where a 5xx is what the test expects (a datastore down). */
proauth2_http_response *http_any(const char *method, const char *path,
		const char *content_type, const char *body, const char *authorization);

/* POST a form to path, with an Authorization header or none. */
proauth2_http_response *post_form(const char *path, const char *body,
		const char *authorization);

/* proauth2_http_bearer on a request with this Authorization header. */
proauth2_status bearer(const char *authorization, const char *required_scope,
		proauth2_token_info **info, proauth2_http_response **r);

/* "Basic base64(id:secret)" (static buffer). */
const char *basic(const char *id, const char *secret);

/* The response body as JSON (new reference); fails the test if it is not. */
json_t *body_json(const proauth2_http_response *r);

/* The response is status with error code in its JSON body; frees it. */
/* The two headers the endpoints read, for a request's header callback:
 * http_headers_lookup with a struct http_headers as its arg. */
struct http_headers {
	const char *content_type;
	const char *authorization;
};
const char *http_headers_lookup(void *arg, const char *name);

void assert_error(proauth2_http_response *r, int status, const char *code);

/* GET /authorize with query through proauth2_http_authorize_begin,
 * expecting a client's failure (not a 5xx); returns the response. */
proauth2_http_response *begin_fails(const char *query);

/* A query parameter of a Location header (new string), or NULL. */
char *location_param(const proauth2_http_response *r, const char *name);

#endif
