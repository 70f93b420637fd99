/* The JWK Set of the provider's signing keys (RFC 7517 §5). */
#include <stdlib.h>

#include <proauth2/http.h>

#include "request.h"
#include "response.h"

proauth2_status proauth2_http_jwks(proauth2_provider *p,
		const proauth2_http_request *req, proauth2_http_response **out)
{
	proauth2_error err = {0};
	proauth2_status status;
	char *text = NULL;

	*out = NULL;
	if (request_check(req, &err) != PROAUTH2_OK)
		return error_response(p, err.status, &err, out);
	if (response_method_check(req, "GET", out) != PROAUTH2_OK)
		return PROAUTH2_ERR_INVALID_REQUEST;
	status = proauth2_signing_keys_jwks(p, &text, &err);
	if (status != PROAUTH2_OK)
		return error_response(p, status, &err, out);
	status = respond(response_json(200, json_loads(text, 0, NULL)),
			PROAUTH2_OK, out);
	free(text);
	return status;
}
