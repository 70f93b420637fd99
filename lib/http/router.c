/* proauth2_http_handle: one entry point for every routed endpoint, by the
 * paths of the provider's endpoint URLs. */
#include <stdlib.h>
#include <string.h>

#include <proauth2/http.h>
#include <proauth2/resource.h>

#include "register.h"
#include "request.h"
#include "response.h"
#include "routes.h"

typedef proauth2_status (*endpoint_fn)(proauth2_provider *,
		const proauth2_http_request *, proauth2_http_response **);

static const struct {
	proauth2_endpoint which;
	const char *method;
	endpoint_fn handle;
} routes[] = {
	{PROAUTH2_ENDPOINT_TOKEN, "POST", proauth2_http_token},
	{PROAUTH2_ENDPOINT_REVOCATION, "POST", proauth2_http_revoke},
	{PROAUTH2_ENDPOINT_INTROSPECTION, "POST", proauth2_http_introspect},
	{PROAUTH2_ENDPOINT_METADATA, "GET", proauth2_http_metadata},
	{PROAUTH2_ENDPOINT_JWKS, "GET", proauth2_http_jwks},
	{PROAUTH2_ENDPOINT_REGISTRATION, "POST", register_client_endpoint},
	/* OpenID Connect's: routed only for an OpenID Provider. */
	{PROAUTH2_ENDPOINT_USERINFO, "GET, POST", proauth2_http_userinfo},
	{PROAUTH2_ENDPOINT_OPENID_CONFIGURATION, "GET", proauth2_http_metadata},
};

/* Whether the provider serves which at all. */
static bool route_enabled(const proauth2_provider *p, proauth2_endpoint which)
{
	if (which == PROAUTH2_ENDPOINT_REGISTRATION)
		return proauth2_provider_registration_enabled(p);
	if (which == PROAUTH2_ENDPOINT_USERINFO ||
			which == PROAUTH2_ENDPOINT_OPENID_CONFIGURATION)
		return proauth2_provider_openid_enabled(p);
	return true;
}

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

/* Whether path starts with prefix; *rest receives what follows it. */
static bool starts_with(const char *path, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	*rest = path + n;
	return strncmp(path, prefix, n) == 0;
}

/* Whether path is the metadata's: RFC 8414 §3.1's, or, for an issuer
 * with a path, that path followed by the well-known suffix. */
static bool is_metadata_path(const proauth2_provider *p, const char *path)
{
	const char *rfc = proauth2_provider_endpoint_path(p, PROAUTH2_ENDPOINT_METADATA);
	const char *issuer_path = rfc + strlen(ROUTE_METADATA), *rest;

	if (strcmp(path, rfc) == 0)
		return true;
	return *issuer_path != '\0' && starts_with(path, issuer_path, &rest) &&
		strcmp(rest, ROUTE_METADATA) == 0;
}

static bool route_matches(const proauth2_provider *p, proauth2_endpoint which,
		const char *path)
{
	if (which == PROAUTH2_ENDPOINT_METADATA)
		return is_metadata_path(p, path);
	return strcmp(path, proauth2_provider_endpoint_path(p, which)) == 0;
}

/* GET a registered resource's metadata by its path (RFC 9728 §3.1). */
static proauth2_status resource_metadata_route(proauth2_provider *p,
		const proauth2_http_request *req, const char *path,
		proauth2_http_response **out)
{
	char *resource = NULL;
	proauth2_error err = {0};
	proauth2_status status = proauth2_resource_by_metadata_path(p, path,
			&resource, &err);

	if (status == PROAUTH2_ERR_NOT_FOUND)
		return plain_error(404, "not_found", NULL, out);
	if (status != PROAUTH2_OK)
		return error_response(p, status, &err, out);
	status = proauth2_http_resource_metadata(p, resource, req, out);
	free(resource);
	return status;
}

proauth2_status proauth2_http_handle(proauth2_provider *p,
		const proauth2_http_request *req, proauth2_http_response **out)
{
	const char *path, *rest;
	proauth2_error err = {0};
	size_t i;

	*out = NULL;
	if (request_check(req, &err) != PROAUTH2_OK)
		return error_response(p, err.status, &err, out);
	path = req->path != NULL ? req->path : "";
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!route_matches(p, routes[i].which, path))
			continue;
		if (!route_enabled(p, routes[i].which))
			break;
		if (response_method_check(req, routes[i].method, out) != PROAUTH2_OK)
			return PROAUTH2_ERR_INVALID_REQUEST;
		return routes[i].handle(p, req, out);
	}
	/* After the exact paths: a registration endpoint at the endpoints'
	 * base (https://h/oauth) must not take /oauth/token for a client. */
	if (proauth2_provider_registration_enabled(p) &&
			starts_with(path, proauth2_provider_endpoint_path(p,
				PROAUTH2_ENDPOINT_REGISTRATION), &rest) && rest[0] == '/')
		return register_manage_endpoint(p, req, rest + 1, out);
	if (starts_with(path, ROUTE_RESOURCE_METADATA, &rest))
		return resource_metadata_route(p, req, path, out);
	return plain_error(404, "not_found", NULL, out);
}
