/*
 * The authorization endpoint as a two-step API (RFC 6749 §4.1.1-4.1.2),
 * over the engine's pending requests (proauth2/authorization.h): begin
 * reads the request and parks it under a ticket; the host shows its login
 * and consent pages; issue or deny spends the ticket and answers with the
 * redirect back to the client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proauth2/authorization.h>
#include <proauth2/backend.h>
#include <proauth2/client.h>
#include <proauth2/http.h>

#include "request.h"
#include "response.h"

/* ---- Building the redirect back to the client. ---- */

/* Append "name=value" percent-encoded (RFC 3986 unreserved kept) to *url,
 * after '?' or '&'. 0 on success. */
static int append_param(char **url, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(*url), need = len + strlen(name) + 3 * strlen(value) + 3;
	char *out = realloc(*url, need), *o;
	const unsigned char *v;

	if (out == NULL)
		return -1;
	o = out + len;
	*o++ = strchr(out, '?') != NULL ? '&' : '?';
	o += sprintf(o, "%s=", name);
	for (v = (const unsigned char *)value; *v != '\0'; v++) {
		if ((*v >= 'A' && *v <= 'Z') || (*v >= 'a' && *v <= 'z') ||
				(*v >= '0' && *v <= '9') || strchr("-._~", *v) != NULL) {
			*o++ = (char)*v;
		} else {
			*o++ = '%';
			*o++ = hex[*v >> 4];
			*o++ = hex[*v & 15];
		}
	}
	*o = '\0';
	*url = out;
	return 0;
}

/* redirect_uri with code or error, state and iss (RFC 9207) added: a new
 * string, NULL when memory ran out. */
static char *redirect_url(proauth2_provider *p, const char *redirect_uri,
		const char *code, proauth2_status error, const char *state)
{
	const char *issuer = proauth2_provider_issuer(p);
	char *url = strdup(redirect_uri);
	int failed = url == NULL;

	if (!failed && code != NULL)
		failed = append_param(&url, "code", code);
	if (!failed && code == NULL)
		failed = append_param(&url, "error", proauth2_status_oauth_error(error));
	if (!failed && state != NULL)
		failed = append_param(&url, "state", state);
	if (!failed && issuer != NULL)
		failed = append_param(&url, "iss", issuer);
	if (failed) {
		free(url);
		return NULL;
	}
	return url;
}

/* The 303 to redirect_uri with code or error, state and iss. */
static proauth2_status redirect_back(proauth2_provider *p, const char *redirect_uri,
		const char *code, proauth2_status error, const char *state,
		proauth2_status status, proauth2_http_response **out)
{
	char *url = redirect_url(p, redirect_uri, code, error, state);

	if (url == NULL)
		return respond(NULL, PROAUTH2_ERR_NOMEM, out);
	status = respond(response_redirect(url), status, out);
	free(url);
	return status;
}

/*
 * An error before the user had any say (RFC 9700 §4.11.2): redirected only
 * to a client the provider trusts (proauth2_client_trusted_for_error_redirects()),
 * else a page for the host to show, with the same redirect as a link the
 * user may follow, so that no one can use us to bounce a browser to a URI
 * they registered.
 */
static proauth2_status error_back(proauth2_provider *p,
		const proauth2_client *client, const char *redirect_uri,
		proauth2_status status, const proauth2_error *err, const char *state,
		proauth2_http_response **out)
{
	char *url;

	if (proauth2_client_trusted_for_error_redirects(p, client))
		return redirect_back(p, redirect_uri, NULL, status, state, status, out);
	url = redirect_url(p, redirect_uri, NULL, status, state);
	if (url == NULL)
		return respond(NULL, PROAUTH2_ERR_NOMEM, out);
	status = error_page(p, status, err, 0, url, out);
	free(url);
	return status;
}

/* ---- begin ---- */

/* Parameters from the query (GET) or the form body (POST, §3.1). */
static proauth2_status read_params(const proauth2_http_request *req, form *f,
		proauth2_error *err)
{
	f->n = 0;
	if (request_check(req, err) != PROAUTH2_OK)
		return PROAUTH2_ERR_INVALID_ARGUMENT;
	if (req->method != NULL && strcmp(req->method, "POST") == 0)
		return request_read_form(req, f, err);
	return form_parse(req->query, req->query ? strlen(req->query) : 0, f, err);
}

/* Where errors may go back to: the client and its URI are sure. */
static proauth2_status check_client(proauth2_provider *p, const form *f,
		proauth2_client **client, const char **target, proauth2_error *err)
{
	proauth2_status status;

	*target = NULL;
	if (form_get(f, "client_id") == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"client_id is missing");
	if (strlen(form_get(f, "client_id")) > PROAUTH2_FIELD_MAX_LENGTH)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"client_id is longer than %d bytes", PROAUTH2_FIELD_MAX_LENGTH);
	status = proauth2_client_get(p, form_get(f, "client_id"), client, err);
	if (status == PROAUTH2_ERR_NOT_FOUND)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"unknown client_id");
	if (status == PROAUTH2_OK && (*target = proauth2_client_redirect_target(
			*client, form_get(f, "redirect_uri"))) == NULL)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"redirect_uri is missing or not registered for this client");
	/* state comes back in a Location header: keep that header small. */
	if (status == PROAUTH2_OK && form_get(f, "state") != NULL &&
			strlen(form_get(f, "state")) > PROAUTH2_HTTP_STATE_MAX_LENGTH)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"state is longer than %d bytes", PROAUTH2_HTTP_STATE_MAX_LENGTH);
	return status;
}

proauth2_status proauth2_http_authorize_begin(proauth2_provider *p,
		const proauth2_http_request *req, proauth2_authorization **authorization,
		proauth2_http_response **out)
{
	const char *names[FORM_MAX_PARAMS], *values[FORM_MAX_PARAMS];
	proauth2_client *client = NULL;
	proauth2_error err = {0};
	proauth2_status status;
	const char *target;
	size_t i;
	form f;

	*authorization = NULL;
	*out = NULL;
	status = read_params(req, &f, &err);
	if (status == PROAUTH2_OK)
		status = check_client(p, &f, &client, &target, &err);
	if (status != PROAUTH2_OK) {
		/* Never redirect while the client, its URI or the state is in
		 * doubt. */
		status = error_response(p, status, &err, 0, out);
		goto done;
	}
	/* From here on, errors go back to the client (§4.1.2.1). */
	for (i = 0; i < f.n; i++) {
		names[i] = f.params[i].name;
		values[i] = f.params[i].value;
	}
	status = proauth2_authorization_begin(p, names, values, f.n,
			authorization, &err);
	/* Overloaded (at the cap of pending requests, or the datastore
	 * busy): a 503 page with Retry-After, not a redirect for a flood to
	 * bounce off the client. */
	if (status == PROAUTH2_ERR_UNAVAILABLE ||
			status == PROAUTH2_ERR_OUTCOME_UNKNOWN)
		status = error_response(p, status, &err, 0, out);
	else if (status != PROAUTH2_OK)
		status = error_back(p, client, target, status, &err,
				form_get(&f, "state"), out);
done:
	proauth2_client_free(client);
	form_clear(&f);
	return status;
}

/* ---- the decision ---- */

/* The host's ticket is stale: there is nobody to redirect to. */
static proauth2_status unknown_ticket(const proauth2_provider *p,
		proauth2_status status,
		const proauth2_error *err, proauth2_http_response **out)
{
	proauth2_error shown = {0};

	if (status == PROAUTH2_ERR_NOT_FOUND)
		status = proauth2_error_set(&shown, PROAUTH2_ERR_INVALID_REQUEST,
				"the authorization request is unknown, used or expired");
	else
		shown = *err;
	return error_response(p, status, &shown, 0, out);
}

/* Spend ticket and find where to answer; on failure *out is the answer. */
static proauth2_status spend(proauth2_provider *p, const char *ticket,
		proauth2_authorization **a, proauth2_client **client,
		const char **target, proauth2_http_response **out)
{
	proauth2_error err = {0};
	proauth2_status status;

	*target = NULL;
	status = proauth2_authorization_spend(p, ticket, a, &err);
	if (status == PROAUTH2_OK)
		status = proauth2_client_get(p, proauth2_authorization_client_id(*a),
				client, &err);
	if (status == PROAUTH2_OK)
		*target = proauth2_client_redirect_target(*client,
				proauth2_authorization_param(*a, "redirect_uri"));
	if (*target == NULL)  /* the client changed its URIs meanwhile */
		return unknown_ticket(p, status == PROAUTH2_OK ? PROAUTH2_ERR_NOT_FOUND :
				status, &err, out);
	return PROAUTH2_OK;
}

proauth2_status proauth2_http_authorize_issue(proauth2_provider *p,
		const char *ticket, const char *user_id, const char *granted_scope,
		proauth2_http_response **out)
{
	proauth2_authorization *a = NULL;
	proauth2_client *client = NULL;
	proauth2_error err = {0};
	proauth2_status status;
	char *code = NULL;
	const char *target;

	*out = NULL;
	status = spend(p, ticket, &a, &client, &target, out);
	if (status == PROAUTH2_OK) {
		status = proauth2_authorization_approve(p, a, user_id, granted_scope,
				&code, &err);
		status = redirect_back(p, target, code, status,
				proauth2_authorization_param(a, "state"), status, out);
	}
	proauth2_secret_free(code);
	proauth2_client_free(client);
	proauth2_authorization_free(a);
	return status;
}

proauth2_status proauth2_http_authorize_deny(proauth2_provider *p,
		const char *ticket, proauth2_http_response **out)
{
	proauth2_authorization *a = NULL;
	proauth2_client *client = NULL;
	proauth2_status status;
	const char *target;

	*out = NULL;
	status = spend(p, ticket, &a, &client, &target, out);
	if (status == PROAUTH2_OK)
		status = redirect_back(p, target, NULL, PROAUTH2_ERR_ACCESS_DENIED,
				proauth2_authorization_param(a, "state"),
				PROAUTH2_ERR_ACCESS_DENIED, out);
	proauth2_client_free(client);
	proauth2_authorization_free(a);
	return status;
}
