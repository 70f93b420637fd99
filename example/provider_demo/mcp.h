/*
 * A minimal MCP server (Model Context Protocol) at <issuer path>/mcp, on
 * the Streamable HTTP transport: POST carries JSON-RPC 2.0 and each
 * request is answered with one application/json body, no event stream.
 *
 *   initialize                  the client's protocolVersion if supported,
 *                               else the latest; capabilities {tools: {}}
 *   ping                        {}
 *   tools/list                  one tool, "whoami"
 *   tools/call whoami           the token's sub, client_id, scope and aud
 *   notifications, responses    202, no body
 *   another method              -32601; malformed JSON -32700 (400)
 *
 * It is a resource of its own (RFC 8707), registered as <issuer>/mcp with
 * its RFC 9728 metadata, which proauth2_http_handle() serves; every POST
 * passes proauth2_http_bearer_for() for it, so a 401 names the metadata
 * and only tokens issued for /mcp get in. GET and DELETE are 405: no
 * stream is offered and no session is kept (the server is stateless, so
 * no Mcp-Session-Id). A request with an Origin other than the issuer's
 * is 403 (the spec's guard against DNS rebinding); one without is let
 * through, as non-browser clients send none.
 */
#ifndef DEMO_MCP_H
#define DEMO_MCP_H

#include <microhttpd.h>

#include <proauth2/http.h>

#include "setup.h"

/* The scope a token needs at /mcp, and the only one the resource accepts. */
#define MCP_SCOPE "profile"

/* Register the /mcp resource with app->provider (app->mcp_resource must
 * be set). 0 on success, else -1 with a message on stderr. */
int mcp_register(struct demo_app *app);

/* POST /mcp (server.c answers other methods 405). */
enum MHD_Result mcp_post(struct demo_app *app, struct MHD_Connection *c,
		const proauth2_http_request *req);

#endif
