/* GET the documents the engine writes: a resource's metadata (RFC 9728
 * §3) and the JWK Set of the signing keys (RFC 7517 §5). */
#include <stdlib.h>

#include <proauth2/http.h>
#include <proauth2/resource.h>

#include "request.h"
#include "response.h"

/* Writes the document about arg (or the provider) in *json. */
typedef proauth2_status (*document_fn)(proauth2_provider *p, const char *arg,
		char **json, proauth2_error *err);

/* GET only: 200 with the document, 404 when fn finds none. */
static proauth2_status serve(proauth2_provider *p,
		const proauth2_http_request *req, document_fn fn, const char *arg,
		proauth2_http_response **out)
{
	proauth2_error err = {0};
	proauth2_status status;
	char *text = NULL;

	*out = NULL;
	if (request_check(req, &err) != PROAUTH2_OK)
		return error_response(p, err.status, &err, out);
	if (response_method_check(req, "GET", out) != PROAUTH2_OK)
		return PROAUTH2_ERR_INVALID_REQUEST;
	status = fn(p, arg, &text, &err);
	if (status == PROAUTH2_ERR_NOT_FOUND)
		return respond(response_json(404, json_pack("{s:s}", "error",
				"not_found")), status, out);
	if (status != PROAUTH2_OK)
		return error_response(p, status, &err, out);
	status = respond(response_json(200, json_loads(text, 0, NULL)),
			PROAUTH2_OK, out);
	free(text);
	return status;
}

static proauth2_status resource_document(proauth2_provider *p,
		const char *resource, char **json, proauth2_error *err)
{
	if (resource == NULL)
		return PROAUTH2_ERR_NOT_FOUND;
	return proauth2_resource_metadata(p, resource, json, err);
}

static proauth2_status jwks_document(proauth2_provider *p, const char *unused,
		char **json, proauth2_error *err)
{
	(void)unused;
	return proauth2_signing_keys_jwks(p, json, err);
}

proauth2_status proauth2_http_resource_metadata(proauth2_provider *p,
		const char *resource, const proauth2_http_request *req,
		proauth2_http_response **out)
{
	return serve(p, req, resource_document, resource, out);
}

proauth2_status proauth2_http_jwks(proauth2_provider *p,
		const proauth2_http_request *req, proauth2_http_response **out)
{
	return serve(p, req, jwks_document, NULL, out);
}
