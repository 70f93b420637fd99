/* The protected resource: who the bearer token speaks for. */
#include "api.h"
#include "server.h"

#define API_SCOPE "profile"

enum MHD_Result api_me(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req)
{
	proauth2_token_info *info = NULL;
	proauth2_http_response *resp = NULL;
	proauth2_status status;
	json_t *body;

	status = proauth2_http_bearer(app->provider, req, API_SCOPE, &info, &resp);
	if (status != PROAUTH2_OK)  /* 401/403 with WWW-Authenticate */
		return reply_oauth(c, status, resp);
	proauth2_http_response_free(resp);
	/* A client_credentials token speaks for no user: "sub" is null. */
	body = json_pack("{s:s?, s:s, s:s}", "sub", info->user_id,
			"client_id", info->client_id, "scope", info->scope);
	proauth2_token_info_free(info);
	return reply_json(c, MHD_HTTP_OK, body);
}
