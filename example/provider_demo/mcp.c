/* The MCP endpoint: JSON-RPC over one POST, behind the bearer check. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <proauth2/proauth2.h>

#include "mcp.h"
#include "server.h"

/* Newest first; the first is what a client asking for another gets.
 * 2024-11-05 is left out: it spoke the older HTTP+SSE transport. */
static const char *const versions[] = {"2025-11-25", "2025-06-18", "2025-03-26"};
/* Before the MCP-Protocol-Version header (2025-06-18) a client that sends
 * none speaks this one, and batches were allowed. */
#define VERSION_WITHOUT_HEADER "2025-03-26"
#define BATCH_MAX 16

/* JSON-RPC 2.0 error codes. */
enum {
	PARSE_ERROR = -32700,
	INVALID_REQUEST = -32600,
	METHOD_NOT_FOUND = -32601,
	INVALID_PARAMS = -32602,
	SERVER_ERROR = -32000,
};

int mcp_register(struct demo_app *app)
{
	proauth2_resource_params params;
	proauth2_error err;

	proauth2_resource_params_init(&params);
	params.identifier = app->mcp_resource;
	params.scope = MCP_SCOPE;
	params.name = "proauth2 provider_demo MCP server";
	if (proauth2_resource_register(app->provider, &params, &err) == PROAUTH2_OK)
		return 0;
	fprintf(stderr, "provider_demo: registering the resource %s: %s (%s)\n",
			app->mcp_resource, err.text, proauth2_status_str(err.status));
	return -1;
}

static bool supported(const char *version)
{
	for (size_t i = 0; version != NULL && i < sizeof(versions) / sizeof(versions[0]); i++)
		if (strcmp(version, versions[i]) == 0)
			return true;
	return false;
}

/* No Origin (not a browser), or the issuer's scheme://host[:port]. */
static bool origin_ok(const struct demo_app *app, const proauth2_http_request *req)
{
	const char *origin = req->header(req->header_arg, "Origin");
	const char *host = strstr(app->base, "://");
	size_t n;

	if (origin == NULL)
		return true;
	if (host == NULL)
		return false;
	n = (size_t)(host + 3 - app->base) + strcspn(host + 3, "/?#");
	return strlen(origin) == n && strncasecmp(origin, app->base, n) == 0;
}

/* Whether the Content-Type's media type is application/json. */
static bool is_json(const char *type)
{
	size_t n = strlen("application/json");

	return type != NULL && strncasecmp(type, "application/json", n) == 0 &&
		(type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

/* {"jsonrpc": "2.0", "id": id, ...}, id borrowed (NULL: null). */
static json_t *error_of(json_t *id, int code, const char *message)
{
	return json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0",
			"id", id != NULL ? id : json_null(),
			"error", "code", code, "message", message);
}

static json_t *result_of(json_t *id, json_t *result)
{
	return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id, "result", result);
}

static json_t *initialize(json_t *params)
{
	const char *asked = json_string_value(json_object_get(params, "protocolVersion"));

	return json_pack("{s:s, s:{s:{}}, s:{s:s, s:s}}",
			"protocolVersion", supported(asked) ? asked : versions[0],
			"capabilities", "tools",
			"serverInfo", "name", "proauth2 provider_demo",
			"version", proauth2_version());
}

static json_t *tools_list(void)
{
	return json_pack("{s:[{s:s, s:s, s:s, s:{s:s, s:{}}}]}", "tools",
			"name", "whoami",
			"title", "Who am I",
			"description", "The access token's subject, client, scope and audience.",
			"inputSchema", "type", "object", "properties");
}

/* The tool's answer: what the token stands for, as JSON text. */
static json_t *whoami(const proauth2_token_info *info)
{
	json_t *who = json_pack("{s:s?, s:s, s:s, s:s?}", "sub", info->user_id,
			"client_id", info->client_id, "scope", info->scope,
			"aud", info->audience);
	char *text = who != NULL ? json_dumps(who, JSON_COMPACT) : NULL;
	json_t *result = text != NULL ? json_pack("{s:[{s:s, s:s}], s:b}",
			"content", "type", "text", "text", text, "isError", 0) : NULL;

	free(text);
	json_decref(who);
	return result;
}

/* The answer to one request (method and id set), new reference. */
static json_t *answer(const proauth2_token_info *info, const char *method,
		json_t *id, json_t *params)
{
	json_t *result = NULL;

	if (params != NULL && !json_is_object(params))
		return error_of(id, INVALID_PARAMS, "params must be an object");
	if (strcmp(method, "initialize") == 0)
		result = initialize(params);
	else if (strcmp(method, "ping") == 0)
		result = json_object();
	else if (strcmp(method, "tools/list") == 0)
		result = tools_list();
	else if (strcmp(method, "tools/call") == 0) {
		const char *name = json_string_value(json_object_get(params, "name"));

		if (name == NULL || strcmp(name, "whoami") != 0)
			return error_of(id, INVALID_PARAMS, "unknown tool");
		result = whoami(info);
	} else
		return error_of(id, METHOD_NOT_FOUND, "method not found");
	return result != NULL ? result_of(id, result) : NULL;
}

/* One message: *out the answer to a request, NULL for a notification or a
 * response (which need none). False when out of memory. */
static bool handle(const proauth2_token_info *info, json_t *msg, json_t **out)
{
	json_t *id = json_object_get(msg, "id");
	const char *method = json_string_value(json_object_get(msg, "method"));
	const char *jsonrpc = json_string_value(json_object_get(msg, "jsonrpc"));

	*out = NULL;
	if (id != NULL && !json_is_string(id) && !json_is_integer(id))
		*out = error_of(NULL, INVALID_REQUEST, "an id is a string or an integer");
	else if (!json_is_object(msg) || jsonrpc == NULL || strcmp(jsonrpc, "2.0") != 0)
		*out = error_of(id, INVALID_REQUEST, "not a JSON-RPC 2.0 message");
	else if (method != NULL && id != NULL)
		*out = answer(info, method, id, json_object_get(msg, "params"));
	else if (method == NULL && (id == NULL ||
			(json_object_get(msg, "result") == NULL) ==
			(json_object_get(msg, "error") == NULL)))
		*out = error_of(id, INVALID_REQUEST, "not a JSON-RPC 2.0 message");
	else
		return true;  /* a notification, or a response to us: accepted */
	return *out != NULL;
}

/* The error code of an answer, 0 for a result. */
static json_int_t code_of(json_t *answer)
{
	return json_integer_value(json_object_get(json_object_get(answer, "error"), "code"));
}

/* A JSON-RPC error that ends the request, with its HTTP status. */
static enum MHD_Result refuse(struct MHD_Connection *c, unsigned status, int code,
		const char *message)
{
	return reply_json(c, status, error_of(NULL, code, message));
}

/* A batch (2025-03-26): the answers to its requests, 202 when none. */
static enum MHD_Result batch(struct MHD_Connection *c, const proauth2_token_info *info,
		json_t *msgs)
{
	json_t *answers = json_array(), *one;
	size_t i;

	if (json_array_size(msgs) == 0 || json_array_size(msgs) > BATCH_MAX) {
		json_decref(answers);
		return refuse(c, MHD_HTTP_BAD_REQUEST, INVALID_REQUEST,
				"a batch holds 1 to 16 messages");
	}
	for (i = 0; answers != NULL && i < json_array_size(msgs); i++) {
		if (!handle(info, json_array_get(msgs, i), &one) ||
				(one != NULL && json_array_append_new(answers, one) != 0)) {
			json_decref(answers);
			answers = NULL;
		}
	}
	if (answers != NULL && json_array_size(answers) == 0) {
		json_decref(answers);
		return reply_empty(c, MHD_HTTP_ACCEPTED);
	}
	return reply_json(c, MHD_HTTP_OK, answers);
}

static enum MHD_Result serve(struct MHD_Connection *c, const proauth2_http_request *req,
		const proauth2_token_info *info)
{
	const char *version = req->header(req->header_arg, "MCP-Protocol-Version");
	json_t *msg, *out;
	enum MHD_Result ret;

	if (!is_json(req->header(req->header_arg, "Content-Type")))
		return refuse(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, INVALID_REQUEST,
				"Content-Type must be application/json");
	if (version != NULL && !supported(version))
		return refuse(c, MHD_HTTP_BAD_REQUEST, INVALID_REQUEST,
				"unsupported MCP-Protocol-Version");
	msg = json_loadb(req->body, req->body_length, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	if (msg == NULL)
		return refuse(c, MHD_HTTP_BAD_REQUEST, PARSE_ERROR, "parse error");
	if (json_is_array(msg)) {
		if (version != NULL && strcmp(version, VERSION_WITHOUT_HEADER) != 0)
			ret = refuse(c, MHD_HTTP_BAD_REQUEST, INVALID_REQUEST,
					"batches ended with protocol version 2025-06-18");
		else
			ret = batch(c, info, msg);
	} else if (!handle(info, msg, &out))
		ret = reply_json(c, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL);
	else if (out == NULL)
		ret = reply_empty(c, MHD_HTTP_ACCEPTED);
	else
		ret = reply_json(c, code_of(out) == INVALID_REQUEST ?
				MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK, out);
	json_decref(msg);
	return ret;
}

enum MHD_Result mcp_post(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req)
{
	proauth2_token_info *info = NULL;
	proauth2_http_response *resp = NULL;
	proauth2_status status;
	enum MHD_Result ret;

	if (!origin_ok(app, req))
		return refuse(c, MHD_HTTP_FORBIDDEN, SERVER_ERROR, "Origin not allowed");
	/* 401/403 naming the resource's metadata (RFC 9728 §5.1); a token
	 * without /mcp in its audience is invalid_token. */
	status = proauth2_http_bearer_for(app->provider, req, app->mcp_resource,
			MCP_SCOPE, &info, &resp);
	if (status != PROAUTH2_OK)
		return reply_oauth(c, status, resp);
	proauth2_http_response_free(resp);
	ret = serve(c, req, info);
	proauth2_token_info_free(info);
	return ret;
}
