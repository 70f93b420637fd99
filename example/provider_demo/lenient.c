/* The lenient token and revocation endpoints. */
#include <string.h>

#include "lenient.h"
#include "server.h"

typedef proauth2_status (*endpoint_fn)(proauth2_provider *,
		const proauth2_http_request *, const proauth2_http_options *,
		proauth2_http_response **);

/* fn, mounted to read the query string and a JSON body besides the form;
 * the endpoint itself answers another method with 405. */
static enum MHD_Result lenient(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req, endpoint_fn fn)
{
	proauth2_http_response *resp = NULL;
	proauth2_http_options options;
	proauth2_status status;

	proauth2_http_options_init(&options);
	options.params_from = PROAUTH2_HTTP_PARAMS_QUERY | PROAUTH2_HTTP_PARAMS_JSON;
	status = fn(app->provider, req, &options, &resp);
	return reply_oauth(c, status, resp);
}

enum MHD_Result lenient_token(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req)
{
	return lenient(app, c, req, proauth2_http_token_with);
}

bool lenient_route(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req, enum MHD_Result *ret)
{
	const char *mount = app->opt->lenient_path, *rest;
	/* index_path is the issuer's path and a '/'; the mount's begins with
	 * its own '/' (options.c checks it). */
	size_t prefix = strlen(app->index_path) - 1;

	if (mount == NULL || strncmp(req->path, app->index_path, prefix) != 0 ||
			strncmp(req->path + prefix, mount, strlen(mount)) != 0)
		return false;
	rest = req->path + prefix + strlen(mount);
	if (strcmp(rest, "/token") == 0)
		*ret = lenient(app, c, req, proauth2_http_token_with);
	else if (strcmp(rest, "/revoke") == 0)
		*ret = lenient(app, c, req, proauth2_http_revoke_with);
	else
		return false;
	return true;
}
