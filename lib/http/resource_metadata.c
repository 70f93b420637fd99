/* A registered resource's metadata (RFC 9728 §3). */
#include <stdlib.h>

#include <proauth2/http.h>
#include <proauth2/resource.h>

#include "request.h"
#include "response.h"

proauth2_status proauth2_http_resource_metadata(proauth2_provider *p,
		const char *resource, const proauth2_http_request *req,
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
	status = resource == NULL ? PROAUTH2_ERR_NOT_FOUND :
		proauth2_resource_metadata(p, resource, &text, &err);
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
