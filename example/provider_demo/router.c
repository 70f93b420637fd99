/* Which handler answers a request: the demo's own pages first, then
 * whatever proauth2_http_handle routes (and its 404 for the rest). */
#include <string.h>

#include "reply.h"
#include "routes.h"

enum { GET = 1, POST = 2 };

static const struct {
	const char *path;
	unsigned methods;
	const char *allow;
	route_fn handle;
} routes[] = {
	{"/", GET, "GET, HEAD", site_index},
	{"/authorize", GET | POST, "GET, HEAD, POST", flow_authorize},
	{"/login", POST, "POST", flow_login},
	{"/consent", POST, "POST", flow_consent},
	{"/callback", GET, "GET, HEAD", site_callback},
	{"/api/me", GET, "GET, HEAD", api_me},
};

static unsigned method_bit(const char *method)
{
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return GET;
	if (strcmp(method, "POST") == 0)
		return POST;
	return 0;
}

enum MHD_Result route_request(void *cls, struct MHD_Connection *c,
		const proauth2_http_request *req)
{
	struct demo_app *app = cls;
	proauth2_http_response *resp = NULL;
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(req->path, routes[i].path) != 0)
			continue;
		if (!(method_bit(req->method) & routes[i].methods))
			return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
					"method_not_allowed", routes[i].allow);
		return routes[i].handle(app, c, req);
	}
	proauth2_http_handle(app->provider, req, &resp);
	return reply_oauth(c, resp);
}
