/* Resource servers: the Authorization: Bearer check (RFC 6750). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <proauth2/http.h>
#include <proauth2/openid.h>
#include <proauth2/resource.h>
#include <proauth2/scope.h>

#include "request.h"
#include "response.h"

/* b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
static int b64token_ok(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789-._~+/");

	return n > 0 && strspn(s + n, "=") == strlen(s + n);
}

/* scope = scope-token *( SP scope-token ), scope-token = 1*NQCHAR
 * (RFC 6749 §3.3); "" is the empty scope. */
static int scope_ok(const char *s)
{
	const char *c;

	for (c = s; *c != '\0'; c++) {
		if (*c == ' ' ? c == s || c[1] == ' ' || c[1] == '\0' :
				*c < 0x21 || *c > 0x7e || *c == '"' || *c == '\\')
			return 0;
	}
	return 1;
}

/* The 400/401/403 answer with its WWW-Authenticate challenge (§3), naming
 * the resource's metadata (RFC 9728 §5.1) when there is one. */
static proauth2_status challenge(proauth2_status status, int http,
		const char *error, const char *scope, const char *metadata,
		proauth2_http_response **out)
{
	char value[2048];
	int n;
	proauth2_http_response *r;

	n = snprintf(value, sizeof(value), "Bearer realm=\"proauth2\"");
	if (metadata != NULL)
		n += snprintf(value + n, sizeof(value) - (size_t)n,
				", resource_metadata=\"%s\"", metadata);
	if (error != NULL)  /* §3.1: no credentials, no error code */
		n += snprintf(value + n, sizeof(value) - (size_t)n,
				", error=\"%s\"", error);
	if (error != NULL && scope != NULL)
		snprintf(value + n, sizeof(value) - (size_t)n, ", scope=\"%.400s\"",
				scope);
	r = response_json(http, error ? json_pack("{s:s}", "error", error) :
			json_object());
	if (r != NULL && response_add_header(r, "WWW-Authenticate", value) != 0) {
		proauth2_http_response_free(r);
		r = NULL;
	}
	return respond(r, status, out);
}

/* The token of "Authorization: Bearer <token>", or the challenge's
 * answer (PROAUTH2_OK with *token NULL). */
static proauth2_status bearer_token(proauth2_provider *p,
		const proauth2_http_request *req, const char *metadata,
		const char **token, proauth2_http_response **out)
{
	const char *auth;
	proauth2_error err = {0};

	*token = NULL;
	if (request_authorization(req, &auth, &err) != PROAUTH2_OK)
		return challenge(PROAUTH2_ERR_INVALID_REQUEST, 400, "invalid_request",
				NULL, metadata, out);
	if (auth == NULL || strncasecmp(auth, "Bearer", 6) != 0)
		return challenge(PROAUTH2_ERR_INVALID_TOKEN, 401, NULL, NULL,
				metadata, out);
	auth += 6;
	if (*auth != ' ')
		return challenge(PROAUTH2_ERR_INVALID_REQUEST, 400, "invalid_request",
				NULL, metadata, out);
	while (*auth == ' ')
		auth++;
	if (!b64token_ok(auth))
		return challenge(PROAUTH2_ERR_INVALID_REQUEST, 400, "invalid_request",
				NULL, metadata, out);
	*token = auth;
	return PROAUTH2_OK;
}

/* token checked for resource (NULL: any audience) whose metadata is at
 * metadata (NULL: none). */
static proauth2_status token_check(proauth2_provider *p, const char *token,
		const char *resource, const char *metadata, const char *required_scope,
		proauth2_token_info **info, proauth2_http_response **out)
{
	proauth2_error err = {0};
	proauth2_status status;

	status = resource != NULL ?
		proauth2_token_validate_for(p, token, resource, info, &err) :
		proauth2_token_validate(p, token, info, &err);
	if (status == PROAUTH2_ERR_INVALID_TOKEN)
		return challenge(status, 401, "invalid_token", NULL, metadata, out);
	if (status != PROAUTH2_OK)
		return error_response(p, status, &err, out);
	if (!proauth2_scope_includes((*info)->scope, required_scope)) {
		proauth2_token_info_free(*info);
		*info = NULL;
		return challenge(PROAUTH2_ERR_INVALID_SCOPE, 403, "insufficient_scope",
				required_scope, metadata, out);
	}
	return PROAUTH2_OK;
}

/* The bearer check of the Authorization header, as token_check(). */
static proauth2_status bearer_check(proauth2_provider *p,
		const proauth2_http_request *req, const char *resource,
		const char *metadata, const char *required_scope,
		proauth2_token_info **info, proauth2_http_response **out)
{
	const char *token;
	proauth2_status status = bearer_token(p, req, metadata, &token, out);

	if (token == NULL)
		return status;
	return token_check(p, token, resource, metadata, required_scope, info, out);
}

/* What every bearer check refuses before looking at a token. */
static proauth2_status check_call(proauth2_provider *p,
		const proauth2_http_request *req, const char *required_scope,
		proauth2_http_response **out)
{
	proauth2_error err = {0};

	if (request_check(req, &err) != PROAUTH2_OK)
		return error_response(p, err.status, &err, out);
	/* It is echoed in WWW-Authenticate: quotes or CR LF would break it. */
	if (required_scope != NULL && !scope_ok(required_scope)) {
		proauth2_error_set(&err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"required_scope is not a scope (RFC 6749 section 3.3)");
		return error_response(p, err.status, &err, out);
	}
	return PROAUTH2_OK;
}

proauth2_status proauth2_http_bearer(proauth2_provider *p,
		const proauth2_http_request *req, const char *required_scope,
		proauth2_token_info **info, proauth2_http_response **out)
{
	proauth2_status status;

	*info = NULL;
	*out = NULL;
	status = check_call(p, req, required_scope, out);
	if (status != PROAUTH2_OK)
		return status;
	return bearer_check(p, req, NULL, NULL, required_scope, info, out);
}

proauth2_status proauth2_http_bearer_for(proauth2_provider *p,
		const proauth2_http_request *req, const char *resource,
		const char *required_scope, proauth2_token_info **info,
		proauth2_http_response **out)
{
	proauth2_error err = {0};
	proauth2_status status;
	char *metadata = NULL;

	*info = NULL;
	*out = NULL;
	status = check_call(p, req, required_scope, out);
	if (status != PROAUTH2_OK)
		return status;
	/* Registered, so its URL is quotable: a URI with no space, quote
	 * or control character. */
	status = resource == NULL ? proauth2_error_set(&err,
			PROAUTH2_ERR_INVALID_ARGUMENT, "resource is required") :
		proauth2_resource_metadata_url(p, resource, &metadata, &err);
	if (status == PROAUTH2_ERR_NOT_FOUND)
		status = proauth2_error_set(&err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"the resource is not registered "
				"(proauth2_resource_register)");
	if (status != PROAUTH2_OK)
		return error_response(p, status, &err, out);
	status = bearer_check(p, req, resource, metadata, required_scope, info,
			out);
	free(metadata);
	return status;
}

/* UserInfo's token: from the Authorization header, or (RFC 6750 §2.2,
 * which Core §5.3.1 allows) a POST form's access_token; both at once is
 * an invalid_request (§2). */
static proauth2_status userinfo_token(proauth2_provider *p,
		const proauth2_http_request *req, proauth2_token_info **info,
		proauth2_http_response **out)
{
	const char *resource = proauth2_provider_endpoint(p,
			PROAUTH2_ENDPOINT_USERINFO), *header = NULL, *token;
	proauth2_error err = {0};
	proauth2_status status = PROAUTH2_OK;
	bool posted = strcmp(req->method, "POST") == 0 && req->body_length > 0;
	form f;

	if (request_authorization(req, &header, &err) != PROAUTH2_OK)
		header = NULL;  /* bearer_check answers it */
	if (posted && request_read_form(req, &f, &err) == PROAUTH2_OK) {
		bool in_body = (token = form_get(&f, "access_token")) != NULL;

		if (in_body)
			status = header != NULL || !b64token_ok(token) ?
				challenge(PROAUTH2_ERR_INVALID_REQUEST, 400,
						"invalid_request", NULL, NULL, out) :
				token_check(p, token, resource, NULL, "openid", info, out);
		form_clear(&f);
		if (in_body)
			return status;
	}
	return bearer_check(p, req, resource, NULL, "openid", info, out);
}

proauth2_status proauth2_http_userinfo(proauth2_provider *p,
		const proauth2_http_request *req, proauth2_http_response **out)
{
	proauth2_token_info *info = NULL;
	proauth2_error err = {0};
	proauth2_status status;
	char *claims = NULL;

	*out = NULL;
	if (response_method_check(req, "GET, POST", out) != PROAUTH2_OK)
		return PROAUTH2_ERR_INVALID_REQUEST;
	status = check_call(p, req, NULL, out);
	if (status != PROAUTH2_OK)
		return status;
	if (!proauth2_provider_openid_enabled(p)) {
		proauth2_error_set(&err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"UserInfo needs config.openid");
		return error_response(p, err.status, &err, out);
	}
	/* Its own resource: a token bound to another audience is not for it
	 * (RFC 8707); one without an audience is. */
	status = userinfo_token(p, req, &info, out);
	if (status != PROAUTH2_OK)
		return status;
	status = proauth2_userinfo(p, info, &claims, &err);
	proauth2_token_info_free(info);
	if (status == PROAUTH2_ERR_INVALID_TOKEN)
		return challenge(status, 401, "invalid_token", NULL, NULL, out);
	if (status == PROAUTH2_ERR_INVALID_SCOPE)
		return challenge(status, 403, "insufficient_scope", "openid", NULL, out);
	if (status != PROAUTH2_OK)
		return error_response(p, status, &err, out);
	status = respond(response_json(200, json_loads(claims, 0, NULL)),
			PROAUTH2_OK, out);
	free(claims);
	return status;
}
