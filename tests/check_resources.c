/*
 * Resource indicators (RFC 8707) and protected resource metadata (RFC
 * 9728): registered resources, `resource` at the authorization and token
 * endpoints bound to the grant, audiences that narrow on exchange and
 * refresh, scopes a resource accepts, validation and the bearer check for
 * one resource, introspection by a resource server, the metadata routed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_support.h"

#define CONF PROAUTH2_CLIENT_CONFIDENTIAL
#define CODE_AND_REFRESH (PROAUTH2_GRANT_AUTHORIZATION_CODE | \
		PROAUTH2_GRANT_REFRESH_TOKEN)

#define MCP "https://mcp.example.com/mcp"
#define MCP_ENC "https%3A%2F%2Fmcp.example.com%2Fmcp"
#define API "https://api.example.com"
#define API_ENC "https%3A%2F%2Fapi.example.com"
#define OTHER "https://other.example.com/x"
#define OTHER_ENC "https%3A%2F%2Fother.example.com%2Fx"
#define MCP_METADATA "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"

static char body[4096];

static proauth2_status add_resource(const char *identifier, const char *scope,
		bool is_default)
{
	proauth2_resource_params params;
	proauth2_error err = {0};

	proauth2_resource_params_init(&params);
	params.identifier = identifier;
	params.scope = scope;
	params.name = "Test resource";
	params.is_default = is_default;
	return proauth2_resource_register(env.provider, &params, &err);
}

/* MCP accepts read, API every scope; OTHER is registered only when a
 * test says. */
static void resources_setup(void)
{
	env_setup();
	ck_assert_int_eq(add_resource(MCP, "read", false), PROAUTH2_OK);
	ck_assert_int_eq(add_resource(API, NULL, false), PROAUTH2_OK);
}

/* Approve an authorization request with extra query parameters and
 * exchange its code at /token with token_extra: the response. */
static proauth2_http_response *grant(const proauth2_client *c,
		const char *extra, const char *token_extra)
{
	proauth2_http_request req = {.struct_size = sizeof(proauth2_http_request),
		.method = "GET", .path = "/authorize", .query = body};
	proauth2_authorization *a = NULL;
	proauth2_http_response *r = NULL;
	char *code;

	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			"https%%3A%%2F%%2Fclient.example.com%%2Fcb&scope=read+write"
			"&code_challenge=" RFC7636_CHALLENGE "&code_challenge_method=S256%s",
			c->client_id, extra);
	ck_assert_int_eq(proauth2_http_authorize_begin(env.provider, &req, &a, &r),
			PROAUTH2_OK);
	ck_assert_int_eq(proauth2_http_authorize_issue(env.provider,
			proauth2_authorization_ticket(a), USER, NULL, &r), PROAUTH2_OK);
	proauth2_authorization_free(a);
	code = location_param(r, "code");
	proauth2_http_response_free(r);
	snprintf(body, sizeof(body), "grant_type=authorization_code&code=%s"
			"&redirect_uri=https%%3A%%2F%%2Fclient.example.com%%2Fcb"
			"&code_verifier=" RFC7636_VERIFIER "%s", code, token_extra);
	free(code);
	return post_form("/token", body, basic(c->client_id, c->client_secret));
}

/* A member of a 200 token response (new string). */
static char *token_member(proauth2_http_response *r, const char *name)
{
	json_t *doc;
	char *value;

	ck_assert_msg(r->status == 200, "%s", r->body);
	doc = body_json(r);
	value = strdup(json_string_value(json_object_get(doc, name)));
	json_decref(doc);
	return value;
}

/* The audience and scope validation gives token (NULL: no audience). */
static void expect_token(const char *token, const char *audience,
		const char *scope)
{
	proauth2_token_info *info = NULL;
	proauth2_error err = {0};

	ck_assert_msg(proauth2_token_validate(env.provider, token, &info, &err) ==
			PROAUTH2_OK, "%s", err.text);
	if (audience == NULL)
		ck_assert_ptr_null(info->audience);
	else
		ck_assert_str_eq(info->audience, audience);
	ck_assert_str_eq(info->scope, scope);
	proauth2_token_info_free(info);
}

static proauth2_status validate_for(const char *token, const char *resource)
{
	proauth2_token_info *info = NULL;
	proauth2_status status = proauth2_token_validate_for(env.provider, token,
			resource, &info, NULL);

	ck_assert(status == PROAUTH2_OK ? info != NULL : info == NULL);
	proauth2_token_info_free(info);
	return status;
}

START_TEST(registration_checks_identifiers)
{
	static const char *const refused[] = {
		"mcp.example.com/mcp", "/mcp", "https://h/mcp#frag", "https://h/mcp?x=1",
		"http://h.example.com/mcp", "https://user@h/mcp", "https://h/a b", "",
		"javascript:alert(1)",
	};
	proauth2_resource_params params;
	proauth2_error err = {0};
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		ck_assert_msg(add_resource(refused[i], NULL, false) ==
				PROAUTH2_ERR_INVALID_ARGUMENT, "%s", refused[i]);
	ck_assert_int_eq(add_resource("http://127.0.0.1:8080/mcp", NULL, false),
			PROAUTH2_OK);
	ck_assert_int_eq(add_resource(MCP, NULL, false), PROAUTH2_ERR_CONFLICT);
	ck_assert_int_eq(add_resource(OTHER, "bad\"scope", false),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(add_resource(OTHER, NULL, true), PROAUTH2_OK);
	ck_assert_int_eq(add_resource("https://second.example.com", NULL, true),
			PROAUTH2_ERR_CONFLICT);
	ck_assert(proauth2_resource_is_registered(env.provider, OTHER));
	ck_assert(!proauth2_resource_is_registered(env.provider, "https://second.example.com"));
	proauth2_resource_params_init(&params);
	ck_assert_int_eq(proauth2_resource_register(env.provider, &params, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	params.identifier = "https://docs.example.com/r";
	params.documentation = "file:///etc/passwd";
	ck_assert_int_eq(proauth2_resource_register(env.provider, &params, &err),
			PROAUTH2_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(registration_is_bounded)
{
	char id[64];
	int i;

	/* Two are registered by the fixture. */
	for (i = 2; i < PROAUTH2_RESOURCES_MAX; i++) {
		snprintf(id, sizeof(id), "https://r%d.example.com", i);
		ck_assert_int_eq(add_resource(id, NULL, false), PROAUTH2_OK);
	}
	ck_assert_int_eq(add_resource("https://one-more.example.com", NULL, false),
			PROAUTH2_ERR_UNAVAILABLE);
}
END_TEST

START_TEST(code_grant_is_bound_to_its_resources)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read write");
	proauth2_http_response *r = grant(c, "&resource=" MCP_ENC "&resource=" API_ENC,
			"");
	char *access = token_member(r, "access_token");
	char *refresh = token_member(r, "refresh_token");
	json_t *doc = body_json(r);

	/* No resource at /token: every resource of the grant; MCP's scope
	 * list has read, API takes every scope, so both stay. */
	ck_assert_str_eq(json_string_value(json_object_get(doc, "scope")), "read write");
	json_decref(doc);
	proauth2_http_response_free(r);
	expect_token(access, MCP " " API, "read write");
	ck_assert_int_eq(validate_for(access, MCP), PROAUTH2_OK);
	ck_assert_int_eq(validate_for(access, API), PROAUTH2_OK);
	ck_assert_int_eq(add_resource(OTHER, NULL, false), PROAUTH2_OK);
	ck_assert_int_eq(validate_for(access, OTHER), PROAUTH2_ERR_INVALID_TOKEN);
	/* A resource nobody registered: not in the audience either. */
	ck_assert_int_eq(validate_for(access, "https://unknown.example.com"),
			PROAUTH2_ERR_INVALID_TOKEN);
	free(access);

	/* A refresh narrows to one resource, and its scope to what it takes. */
	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s"
			"&resource=%s", refresh, MCP_ENC);
	free(refresh);
	r = post_form("/token", body, basic(c->client_id, c->client_secret));
	access = token_member(r, "access_token");
	refresh = token_member(r, "refresh_token");
	doc = body_json(r);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "scope")), "read");
	json_decref(doc);
	proauth2_http_response_free(r);
	expect_token(access, MCP, "read");
	ck_assert_int_eq(validate_for(access, API), PROAUTH2_ERR_INVALID_TOKEN);
	free(access);

	/* The next refresh still has the whole grant's resources to ask. */
	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s"
			"&resource=%s", refresh, API_ENC);
	free(refresh);
	r = post_form("/token", body, basic(c->client_id, c->client_secret));
	access = token_member(r, "access_token");
	proauth2_http_response_free(r);
	expect_token(access, API, "read write");
	free(access);
	proauth2_client_free(c);
}
END_TEST

START_TEST(token_request_may_only_narrow)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read write");
	proauth2_http_response *r;
	char *access, *refresh;

	ck_assert_int_eq(add_resource(OTHER, NULL, false), PROAUTH2_OK);
	/* Registered, but not granted: invalid_target, and the code is good
	 * no more (the exchange was refused after it was read, not spent?
	 * no: refused before spending, so the same code would still work;
	 * grant() makes a new one each time). */
	r = grant(c, "&resource=" MCP_ENC, "&resource=" OTHER_ENC);
	assert_error(r, 400, "invalid_target");
	r = grant(c, "&resource=" MCP_ENC, "&resource=" MCP_ENC);
	access = token_member(r, "access_token");
	refresh = token_member(r, "refresh_token");
	proauth2_http_response_free(r);
	expect_token(access, MCP, "read");
	free(access);

	/* A refresh asking for another resource is refused and spends
	 * nothing: the refresh token still works. */
	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s"
			"&resource=%s", refresh, API_ENC);
	r = post_form("/token", body, basic(c->client_id, c->client_secret));
	assert_error(r, 400, "invalid_target");
	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s",
			refresh);
	r = post_form("/token", body, basic(c->client_id, c->client_secret));
	access = token_member(r, "access_token");
	proauth2_http_response_free(r);
	expect_token(access, MCP, "read");
	free(access);
	free(refresh);
	proauth2_client_free(c);
}
END_TEST

START_TEST(a_failed_exchange_leaves_the_code)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read write");
	char *code = NULL, *refresh = NULL;
	proauth2_code_request req;
	proauth2_code_exchange ex;
	proauth2_token_response *out = NULL;
	proauth2_error err = {0};

	proauth2_code_request_init(&req);
	req.client_id = c->client_id;
	req.user_id = USER;
	req.redirect_uri = REDIRECT_URI;
	req.scope = "read";
	req.code_challenge = RFC7636_CHALLENGE;
	req.resource = API;
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, &err),
			PROAUTH2_OK);
	proauth2_code_exchange_init(&ex);
	ex.client_id = c->client_id;
	ex.client_secret = c->client_secret;
	ex.code = code;
	ex.redirect_uri = REDIRECT_URI;
	ex.code_verifier = RFC7636_VERIFIER;
	ex.resource = MCP;
	ck_assert_int_eq(proauth2_token_exchange_code(env.provider, &ex, &out, &err),
			PROAUTH2_ERR_INVALID_TARGET);
	ck_assert_ptr_null(out);
	ex.resource = NULL;
	ck_assert_msg(proauth2_token_exchange_code(env.provider, &ex, &out, &err) ==
			PROAUTH2_OK, "%s", err.text);
	expect_token(out->access_token, API, "read");
	refresh = out->refresh_token;
	ck_assert_ptr_nonnull(refresh);
	proauth2_token_response_free(out);
	proauth2_secret_free(code);
	/* Unregistered at the code: the host's request names no resource of
	 * ours. */
	req.resource = "https://unknown.example.com";
	ck_assert_int_eq(proauth2_code_issue(env.provider, &req, &code, &err),
			PROAUTH2_ERR_INVALID_TARGET);
	ck_assert_ptr_null(code);
	proauth2_client_free(c);
}
END_TEST

START_TEST(authorization_refuses_unknown_resources)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read write");
	proauth2_http_response *r;
	char *error;

	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			"https%%3A%%2F%%2Fclient.example.com%%2Fcb&code_challenge="
			RFC7636_CHALLENGE "&code_challenge_method=S256&state=s1"
			"&resource=%s", c->client_id, OTHER_ENC);
	r = begin_fails(body);
	ck_assert_int_eq(r->status, 303);
	error = location_param(r, "error");
	ck_assert_str_eq(error, "invalid_target");
	free(error);
	proauth2_http_response_free(r);
	/* A resource holding a space is two URIs in one: refused as well. */
	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			"https%%3A%%2F%%2Fclient.example.com%%2Fcb&code_challenge="
			RFC7636_CHALLENGE "&code_challenge_method=S256"
			"&resource=%s+%s", c->client_id, MCP_ENC, API_ENC);
	r = begin_fails(body);
	ck_assert_msg(r->status == 400 || r->status == 303, "%d", r->status);
	ck_assert_ptr_nonnull(strstr(r->status == 400 ? r->body :
			proauth2_http_response_header(r, "Location"), "invalid_target"));
	proauth2_http_response_free(r);
	/* Other parameters may still not be repeated. */
	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			"https%%3A%%2F%%2Fclient.example.com%%2Fcb&scope=read&scope=write"
			"&code_challenge=" RFC7636_CHALLENGE "&code_challenge_method=S256",
			c->client_id);
	r = begin_fails(body);
	ck_assert_ptr_nonnull(strstr(r->body, "invalid_request"));
	proauth2_http_response_free(r);
	proauth2_client_free(c);
}
END_TEST

START_TEST(too_many_resources_are_refused)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read write");
	char extra[2048] = "", id[64];
	proauth2_http_response *r;
	char *error;
	int i;

	for (i = 0; i <= PROAUTH2_RESOURCES_PER_REQUEST_MAX; i++) {
		snprintf(id, sizeof(id), "https://r%d.example.com", i);
		ck_assert_int_eq(add_resource(id, NULL, false), PROAUTH2_OK);
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
				"&resource=https%%3A%%2F%%2Fr%d.example.com", i);
	}
	snprintf(body, sizeof(body), "response_type=code&client_id=%s&redirect_uri="
			"https%%3A%%2F%%2Fclient.example.com%%2Fcb&code_challenge="
			RFC7636_CHALLENGE "&code_challenge_method=S256%s", c->client_id,
			extra);
	r = begin_fails(body);
	error = location_param(r, "error");
	ck_assert_str_eq(error, "invalid_target");
	free(error);
	proauth2_http_response_free(r);
	proauth2_client_free(c);
}
END_TEST

START_TEST(no_resource_means_the_default_or_none)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read write");
	proauth2_http_response *r = grant(c, "", "");
	char *access = token_member(r, "access_token");

	proauth2_http_response_free(r);
	expect_token(access, NULL, "read write");
	/* No audience: registered resources refuse it, unregistered ones
	 * (as every resource did before RFC 8707) take it. */
	ck_assert_int_eq(validate_for(access, MCP), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_int_eq(validate_for(access, "https://legacy.example.com"),
			PROAUTH2_OK);
	free(access);
	ck_assert_int_eq(add_resource(OTHER, NULL, true), PROAUTH2_OK);
	r = grant(c, "", "");
	access = token_member(r, "access_token");
	proauth2_http_response_free(r);
	expect_token(access, OTHER, "read write");
	ck_assert_int_eq(validate_for(access, OTHER), PROAUTH2_OK);
	free(access);
	proauth2_client_free(c);
}
END_TEST

START_TEST(client_credentials_names_its_audience)
{
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS,
			"read write");
	proauth2_http_response *r;
	char *access;
	json_t *doc;

	r = post_form("/token", "grant_type=client_credentials&resource=" MCP_ENC,
			basic(c->client_id, c->client_secret));
	access = token_member(r, "access_token");
	doc = body_json(r);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "scope")), "read");
	json_decref(doc);
	proauth2_http_response_free(r);
	expect_token(access, MCP, "read");
	free(access);
	r = post_form("/token", "grant_type=client_credentials&resource=" OTHER_ENC,
			basic(c->client_id, c->client_secret));
	assert_error(r, 400, "invalid_target");
	r = post_form("/token", "grant_type=client_credentials&resource=",
			basic(c->client_id, c->client_secret));
	ck_assert_int_eq(r->status, 200);  /* empty is absent (§3.1) */
	proauth2_http_response_free(r);
	r = post_form("/token", "grant_type=client_credentials&resource=" MCP_ENC
			"&resource=", basic(c->client_id, c->client_secret));
	assert_error(r, 400, "invalid_target");
	proauth2_client_free(c);
}
END_TEST

/* The bearer check for resource on a request with this Authorization. */
static proauth2_status bearer_for(const char *authorization, const char *resource,
		const char *scope, proauth2_token_info **info, proauth2_http_response **r)
{
	struct http_headers h = {NULL, authorization};
	proauth2_http_request req = {
		.struct_size = sizeof(proauth2_http_request),
		.method = "POST", .path = "/mcp",
		.header = http_headers_lookup, .header_arg = &h,
	};

	return proauth2_http_bearer_for(env.provider, &req, resource, scope, info, r);
}

static void expect_challenge(proauth2_http_response *r, int status,
		const char *want)
{
	ck_assert_int_eq(r->status, status);
	ck_assert_str_eq(proauth2_http_response_header(r, "WWW-Authenticate"), want);
	proauth2_http_response_free(r);
}

START_TEST(bearer_check_names_the_metadata)
{
	proauth2_client *c = register_client(CONF, PROAUTH2_GRANT_CLIENT_CREDENTIALS,
			"read write");
	proauth2_token_info *info = NULL;
	proauth2_http_response *r = NULL;
	char auth[128], *mcp_token, *api_token;

	r = post_form("/token", "grant_type=client_credentials&resource=" MCP_ENC,
			basic(c->client_id, c->client_secret));
	mcp_token = token_member(r, "access_token");
	proauth2_http_response_free(r);
	r = post_form("/token", "grant_type=client_credentials&resource=" API_ENC,
			basic(c->client_id, c->client_secret));
	api_token = token_member(r, "access_token");
	proauth2_http_response_free(r);

	ck_assert_int_eq(bearer_for(NULL, MCP, NULL, &info, &r), PROAUTH2_ERR_INVALID_TOKEN);
	expect_challenge(r, 401, "Bearer realm=\"proauth2\", resource_metadata=\""
			MCP_METADATA "\"");
	snprintf(auth, sizeof(auth), "Bearer %s", api_token);
	ck_assert_int_eq(bearer_for(auth, MCP, NULL, &info, &r), PROAUTH2_ERR_INVALID_TOKEN);
	ck_assert_ptr_null(info);
	expect_challenge(r, 401, "Bearer realm=\"proauth2\", resource_metadata=\""
			MCP_METADATA "\", error=\"invalid_token\"");
	snprintf(auth, sizeof(auth), "Bearer %s", mcp_token);
	ck_assert_int_eq(bearer_for(auth, MCP, "write", &info, &r), PROAUTH2_ERR_INVALID_SCOPE);
	expect_challenge(r, 403, "Bearer realm=\"proauth2\", resource_metadata=\""
			MCP_METADATA "\", error=\"insufficient_scope\", scope=\"write\"");
	ck_assert_int_eq(bearer_for(auth, MCP, "read", &info, &r), PROAUTH2_OK);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(info->audience, MCP);
	proauth2_token_info_free(info);
	/* The plain check does not look at the audience. */
	ck_assert_int_eq(bearer(auth, "read", &info, &r), PROAUTH2_OK);
	proauth2_token_info_free(info);
	/* An unregistered resource is the host's mistake. */
	ck_assert_int_eq(bearer_for(auth, OTHER, NULL, &info, &r),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(r->status, 500);
	proauth2_http_response_free(r);
	ck_assert_int_eq(bearer_for(auth, NULL, NULL, &info, &r),
			PROAUTH2_ERR_INVALID_ARGUMENT);
	proauth2_http_response_free(r);
	free(mcp_token);
	free(api_token);
	proauth2_client_free(c);
}
END_TEST

START_TEST(metadata_is_served_at_its_well_known_path)
{
	proauth2_http_response *r;
	json_t *doc, *want;
	char *url = NULL;

	ck_assert_int_eq(proauth2_resource_metadata_url(env.provider, MCP, &url, NULL),
			PROAUTH2_OK);
	ck_assert_str_eq(url, MCP_METADATA);
	free(url);
	ck_assert_int_eq(proauth2_resource_metadata_url(env.provider, API, &url, NULL),
			PROAUTH2_OK);
	ck_assert_str_eq(url, API "/.well-known/oauth-protected-resource");
	free(url);
	ck_assert_int_eq(add_resource("https://h.example.com/v1/", NULL, false),
			PROAUTH2_OK);
	ck_assert_int_eq(proauth2_resource_metadata_url(env.provider,
			"https://h.example.com/v1/", &url, NULL), PROAUTH2_OK);
	ck_assert_str_eq(url, "https://h.example.com/.well-known/oauth-protected-resource/v1");
	free(url);
	ck_assert_int_eq(proauth2_resource_metadata_url(env.provider, OTHER, &url,
			NULL), PROAUTH2_ERR_NOT_FOUND);
	ck_assert_ptr_null(url);

	r = http("GET", "/.well-known/oauth-protected-resource/mcp", NULL, NULL, NULL);
	ck_assert_int_eq(r->status, 200);
	doc = body_json(r);
	want = json_pack("{s:s, s:[s], s:[s], s:[s], s:s}", "resource", MCP,
			"authorization_servers", "https://auth.example.com",
			"scopes_supported", "read", "bearer_methods_supported", "header",
			"resource_name", "Test resource");
	ck_assert_msg(json_equal(doc, want), "%s", r->body);
	json_decref(doc);
	json_decref(want);
	proauth2_http_response_free(r);
	/* API lists no scopes: the provider's. */
	r = http("GET", "/.well-known/oauth-protected-resource", NULL, NULL, NULL);
	ck_assert_int_eq(r->status, 200);
	doc = body_json(r);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "resource")), API);
	ck_assert_int_eq(json_array_size(json_object_get(doc, "scopes_supported")), 3);
	json_decref(doc);
	proauth2_http_response_free(r);
	r = http("POST", "/.well-known/oauth-protected-resource/mcp", FORM, "a=b", NULL);
	ck_assert_int_eq(r->status, 405);
	proauth2_http_response_free(r);
	r = http("GET", "/.well-known/oauth-protected-resource/nothing", NULL, NULL, NULL);
	ck_assert_int_eq(r->status, 404);
	proauth2_http_response_free(r);
	r = http("GET", "/.well-known/oauth-protected-resource/mcp/", NULL, NULL, NULL);
	ck_assert_int_eq(r->status, 404);
	proauth2_http_response_free(r);
}
END_TEST

/* A resource server of resource, registered by the host. */
static proauth2_client *resource_server(const char *resource)
{
	proauth2_client_params params = {
		.struct_size = sizeof(proauth2_client_params),
		.type = CONF,
		.grant_types = PROAUTH2_GRANT_CLIENT_CREDENTIALS,
		.scope = "",
		.resource = resource,
	};
	proauth2_client *c = NULL;
	proauth2_error err = {0};

	ck_assert_msg(proauth2_client_register(env.provider, &params, &c, &err) ==
			PROAUTH2_OK, "%s", err.text);
	return c;
}

static json_t *introspect(const proauth2_client *rs, const char *token)
{
	proauth2_http_response *r;
	json_t *doc;

	snprintf(body, sizeof(body), "token=%s", token);
	r = post_form("/introspect", body, basic(rs->client_id, rs->client_secret));
	ck_assert_int_eq(r->status, 200);
	doc = body_json(r);
	proauth2_http_response_free(r);
	return doc;
}

START_TEST(resource_servers_introspect_their_audience)
{
	proauth2_client *c = register_client(CONF, CODE_AND_REFRESH, "read write");
	proauth2_client *mcp_rs = resource_server(MCP), *api_rs = resource_server(API);
	proauth2_client *other_rs;
	proauth2_resource_params params;
	proauth2_http_response *r = grant(c, "&resource=" MCP_ENC "&resource=" API_ENC,
			"&resource=" MCP_ENC);
	char *access = token_member(r, "access_token");
	char *refresh = token_member(r, "refresh_token");
	json_t *doc;

	proauth2_http_response_free(r);
	doc = introspect(mcp_rs, access);
	ck_assert(json_is_true(json_object_get(doc, "active")));
	ck_assert_str_eq(json_string_value(json_object_get(doc, "aud")), MCP);
	json_decref(doc);
	doc = introspect(api_rs, access);
	ck_assert(json_is_false(json_object_get(doc, "active")));
	json_decref(doc);
	/* The client's own view: the audience as an array when several. */
	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s",
			refresh);
	r = post_form("/token", body, basic(c->client_id, c->client_secret));
	free(access);
	access = token_member(r, "access_token");
	proauth2_http_response_free(r);
	doc = introspect(c, access);
	ck_assert_int_eq(json_array_size(json_object_get(doc, "aud")), 2);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "aud"), 1)),
			API);
	json_decref(doc);
	doc = introspect(c, refresh);  /* rotated: inactive, and reported */
	ck_assert(json_is_false(json_object_get(doc, "active")));
	json_decref(doc);

	/* A resource registered without introspection: its server sees
	 * nothing. */
	proauth2_resource_params_init(&params);
	params.identifier = OTHER;
	params.no_introspection = true;
	ck_assert_int_eq(proauth2_resource_register(env.provider, &params, NULL),
			PROAUTH2_OK);
	other_rs = resource_server(OTHER);
	r = post_form("/token", "grant_type=client_credentials&resource=" OTHER_ENC,
			basic(mcp_rs->client_id, mcp_rs->client_secret));
	free(access);
	access = token_member(r, "access_token");
	proauth2_http_response_free(r);
	ck_assert_int_eq(validate_for(access, OTHER), PROAUTH2_OK);
	doc = introspect(other_rs, access);
	ck_assert(json_is_false(json_object_get(doc, "active")));
	json_decref(doc);
	free(access);
	free(refresh);
	proauth2_client_free(c);
	proauth2_client_free(mcp_rs);
	proauth2_client_free(api_rs);
	proauth2_client_free(other_rs);
}
END_TEST

static Suite *resources_suite(void)
{
	Suite *s = suite_create("resources");
	TCase *tc = tcase_create("resources");

	tcase_add_checked_fixture(tc, resources_setup, env_teardown);
	tcase_add_test(tc, registration_checks_identifiers);
	tcase_add_test(tc, registration_is_bounded);
	tcase_add_test(tc, code_grant_is_bound_to_its_resources);
	tcase_add_test(tc, token_request_may_only_narrow);
	tcase_add_test(tc, a_failed_exchange_leaves_the_code);
	tcase_add_test(tc, authorization_refuses_unknown_resources);
	tcase_add_test(tc, too_many_resources_are_refused);
	tcase_add_test(tc, no_resource_means_the_default_or_none);
	tcase_add_test(tc, client_credentials_names_its_audience);
	tcase_add_test(tc, bearer_check_names_the_metadata);
	tcase_add_test(tc, metadata_is_served_at_its_well_known_path);
	tcase_add_test(tc, resource_servers_introspect_their_audience);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(resources_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
