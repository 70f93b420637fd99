/* proauth2_http_handle: one entry point for every routed endpoint. */
#include <string.h>

#include <proauth2/http.h>

#include "register.h"
#include "request.h"
#include "response.h"
#include "routes.h"

typedef proauth2_status (*endpoint_fn)(proauth2_provider *,
		const proauth2_http_request *, proauth2_http_response **);

static const struct {
	const char *path;
	const char *method;
	endpoint_fn handle;
} routes[] = {
	{ROUTE_TOKEN, "POST", proauth2_http_token},
	{ROUTE_REVOKE, "POST", proauth2_http_revoke},
	{ROUTE_INTROSPECT, "POST", proauth2_http_introspect},
	{ROUTE_METADATA, "GET", proauth2_http_metadata},
	{ROUTE_REGISTER, "POST", register_client_endpoint},
};

static proauth2_status plain_error(int http, const char *code, const char *allow,
		proauth2_http_response **out)
{
	proauth2_http_response *r = response_json(http, json_pack("{s:s}", "error", code));

	if (r != NULL && allow != NULL && response_add_header(r, "Allow", allow) != 0) {
		proauth2_http_response_free(r);
		r = NULL;
	}
	return respond(r, PROAUTH2_ERR_INVALID_REQUEST, out);
}

proauth2_status proauth2_http_handle(proauth2_provider *p,
		const proauth2_http_request *req, proauth2_http_response **out)
{
	const char *path;
	proauth2_error err = {0};
	size_t i;

	*out = NULL;
	if (request_check(req, &err) != PROAUTH2_OK)
		return error_response(p, err.status, &err, 0, out);
	path = req->path != NULL ? req->path : "";
	if (proauth2_provider_registration_enabled(p) &&
			strncmp(path, ROUTE_REGISTER "/", sizeof(ROUTE_REGISTER)) == 0)
		return register_manage_endpoint(p, req,
				path + sizeof(ROUTE_REGISTER), out);
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(path, routes[i].path) != 0)
			continue;
		if (routes[i].handle == register_client_endpoint &&
				!proauth2_provider_registration_enabled(p))
			break;
		if (response_method_check(req, routes[i].method, out) != PROAUTH2_OK)
			return PROAUTH2_ERR_INVALID_REQUEST;
		return routes[i].handle(p, req, out);
	}
	return plain_error(404, "not_found", NULL, out);
}
