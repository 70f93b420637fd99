/* The start page, and the page the demo clients' redirect URI shows. */
#include "pages.h"
#include "reply.h"
#include "routes.h"

enum MHD_Result site_index(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req)
{
	return reply_html(c, MHD_HTTP_OK, page_index(app), NULL);
}

static const char *arg(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

enum MHD_Result site_callback(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req)
{
	return reply_html(c, MHD_HTTP_OK, page_callback(app, arg(c, "code"),
			arg(c, "state"), arg(c, "iss"), arg(c, "error"),
			arg(c, "error_description")), NULL);
}
