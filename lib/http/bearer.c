/* Resource servers: the Authorization: Bearer check (RFC 6750). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <proauth2/http.h>
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

/* The 400/401/403 answer with its WWW-Authenticate challenge (§3). */
static proauth2_status challenge(proauth2_status status, int http,
		const char *error, const char *scope, proauth2_http_response **out)
{
	char value[512];
	proauth2_http_response *r;

	if (error == NULL)  /* §3.1: no credentials, no error code */
		snprintf(value, sizeof(value), "Bearer realm=\"proauth2\"");
	else if (scope != NULL)
		snprintf(value, sizeof(value),
				"Bearer realm=\"proauth2\", error=\"%s\", scope=\"%.400s\"",
				error, scope);
	else
		snprintf(value, sizeof(value), "Bearer realm=\"proauth2\", error=\"%s\"",
				error);
	r = response_json(http, error ? json_pack("{s:s}", "error", error) :
			json_object());
	if (r != NULL && response_add_header(r, "WWW-Authenticate", value) != 0) {
		proauth2_http_response_free(r);
		r = NULL;
	}
	return respond(r, status, out);
}

proauth2_status proauth2_http_bearer(proauth2_provider *p,
		const proauth2_http_request *req, const char *required_scope,
		proauth2_token_info **info, proauth2_http_response **out)
{
	const char *auth;
	proauth2_error err = {0};
	proauth2_status status;
	const char *token;

	*info = NULL;
	*out = NULL;
	if (request_check(req, &err) != PROAUTH2_OK)
		return error_response(p, err.status, &err, out);
	/* It is echoed in WWW-Authenticate: quotes or CR LF would break it. */
	if (required_scope != NULL && !scope_ok(required_scope)) {
		proauth2_error_set(&err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"required_scope is not a scope (RFC 6749 section 3.3)");
		return error_response(p, err.status, &err, out);
	}
	if (request_authorization(req, &auth, &err) != PROAUTH2_OK)
		return challenge(PROAUTH2_ERR_INVALID_REQUEST, 400, "invalid_request",
				NULL, out);
	if (auth == NULL || strncasecmp(auth, "Bearer", 6) != 0)
		return challenge(PROAUTH2_ERR_INVALID_TOKEN, 401, NULL, NULL, out);
	token = auth + 6;
	if (*token != ' ')
		return challenge(PROAUTH2_ERR_INVALID_REQUEST, 400, "invalid_request",
				NULL, out);
	while (*token == ' ')
		token++;
	if (!b64token_ok(token))
		return challenge(PROAUTH2_ERR_INVALID_REQUEST, 400, "invalid_request",
				NULL, out);
	status = proauth2_token_validate(p, token, info, &err);
	if (status == PROAUTH2_ERR_INVALID_TOKEN)
		return challenge(status, 401, "invalid_token", NULL, out);
	if (status != PROAUTH2_OK)
		return error_response(p, status, &err, out);
	if (!proauth2_scope_includes((*info)->scope, required_scope)) {
		proauth2_token_info_free(*info);
		*info = NULL;
		return challenge(PROAUTH2_ERR_INVALID_SCOPE, 403, "insufficient_scope",
				required_scope, out);
	}
	return PROAUTH2_OK;
}
