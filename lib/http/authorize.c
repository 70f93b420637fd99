/*
 * The authorization endpoint as a two-step API (RFC 6749 §4.1.1-4.1.2),
 * over the engine's pending requests (proauth2/authorization.h): begin
 * reads the request and parks it under a ticket; the host shows its login
 * and consent pages; issue or deny spends the ticket and answers with the
 * redirect back to the client.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proauth2/authorization.h>
#include <proauth2/backend.h>
#include <proauth2/client.h>
#include <proauth2/http.h>

#include "form_post.h"
#include "params.h"
#include "request.h"
#include "response.h"

/* ---- Building the redirect back to the client. ---- */

/* What goes back to the client: code or error (with its description),
 * state and iss (RFC 9207), in that order. */
typedef struct answer {
	const char *names[4];
	const char *values[4];
	size_t n;
	char description[PROAUTH2_ERROR_TEXT_SIZE];
} answer;

static void answer_set(answer *a, const proauth2_provider *p, const char *code,
		proauth2_status error, const proauth2_error *err, const char *state)
{
	const char *issuer = proauth2_provider_issuer(p);

	a->n = 0;
	if (code != NULL) {
		a->names[a->n] = "code";
		a->values[a->n++] = code;
	} else {
		a->names[a->n] = "error";
		a->values[a->n++] = proauth2_status_oauth_error(error);
		/* A 5xx's text is for the host's log only (response.c). */
		if (err != NULL && err->text[0] != '\0' &&
				status_http_code(error) < 500) {
			description_clean(err->text, a->description,
					sizeof(a->description));
			a->names[a->n] = "error_description";
			a->values[a->n++] = a->description;
		}
	}
	if (state != NULL) {
		a->names[a->n] = "state";
		a->values[a->n++] = state;
	}
	if (issuer != NULL) {
		a->names[a->n] = "iss";
		a->values[a->n++] = issuer;
	}
}

/* redirect_uri with the answer in its query: a new string, NULL when
 * memory ran out. */
static char *redirect_url(const char *redirect_uri, const answer *a)
{
	char *url = strdup(redirect_uri);
	size_t i;

	for (i = 0; url != NULL && i < a->n; i++)
		if (params_append_query(&url, a->names[i], a->values[i]) != 0) {
			free(url);
			url = NULL;
		}
	return url;
}

/* The answer to redirect_uri: a 303 with it in the query, or for
 * response_mode=form_post the page that posts it (form_post.c). */
static proauth2_status answer_back(const char *redirect_uri, bool form_post,
		const answer *a, proauth2_status status, proauth2_http_response **out)
{
	char *url;

	if (form_post)
		return respond(form_post_page(redirect_uri, a->names, a->values, a->n),
				status, out);
	url = redirect_url(redirect_uri, a);
	if (url == NULL)
		return respond(NULL, PROAUTH2_ERR_NOMEM, out);
	status = respond(response_redirect(url), status, out);
	free(url);
	return status;
}

/* The response_mode a request asked for is form_post (the engine refused
 * any but query and form_post). */
static bool wants_form_post(const char *response_mode)
{
	return response_mode != NULL && strcmp(response_mode, "form_post") == 0;
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
		bool form_post, proauth2_status status, const proauth2_error *err,
		const char *state, proauth2_http_response **out)
{
	answer a;
	char *url;

	answer_set(&a, p, NULL, status, err, state);
	if (proauth2_client_trusted_for_error_redirects(p, client))
		return answer_back(redirect_uri, form_post, &a, status, out);
	url = redirect_url(redirect_uri, &a);
	if (url == NULL)
		return respond(NULL, PROAUTH2_ERR_NOMEM, out);
	status = error_page(p, status, err, url, out);
	free(url);
	return status;
}

/* ---- begin ---- */

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
	/* A metadata document that would not do: the request names no
	 * client (RFC 6749 §4.1.2.1), and err says why. */
	if (status == PROAUTH2_ERR_INVALID_CLIENT)
		return err->status = PROAUTH2_ERR_INVALID_REQUEST;
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
	return proauth2_http_authorize_begin_with(p, req, NULL, authorization, out);
}

proauth2_status proauth2_http_authorize_begin_with(proauth2_provider *p,
		const proauth2_http_request *req, const proauth2_http_options *options,
		proauth2_authorization **authorization, proauth2_http_response **out)
{
	/* One more, for the response_type an opted-in mount supplies. */
	const char *names[FORM_MAX_PARAMS + 1], *values[FORM_MAX_PARAMS + 1];
	bool default_code;
	size_t n = 0;
	proauth2_client *client = NULL;
	proauth2_error err = {0};
	proauth2_status status;
	const char *target;
	size_t i;
	form f;

	*authorization = NULL;
	*out = NULL;
	f.n = 0;
	status = request_options_check(options, &err);
	default_code = options != NULL && options->response_type_optional;
	if (status == PROAUTH2_OK)
		status = request_read_query_or_form(req, &f, &err);
	if (status == PROAUTH2_OK)
		status = check_client(p, &f, &client, &target, &err);
	if (status != PROAUTH2_OK) {
		/* Never redirect while the client, its URI or the state is in
		 * doubt. */
		status = error_response(p, status, &err, out);
		goto done;
	}
	/* From here on, errors go back to the client (§4.1.2.1). */
	for (i = 0; i < f.n; i++) {
		/* Empty counts as absent (§3.1). */
		if (default_code && form_get(&f, "response_type") == NULL &&
				strcmp(f.params[i].name, "response_type") == 0)
			continue;
		names[n] = f.params[i].name;
		values[n++] = f.params[i].value;
	}
	if (default_code && form_get(&f, "response_type") == NULL) {
		names[n] = "response_type";
		values[n++] = "code";
	}
	status = proauth2_authorization_begin(p, names, values, n,
			authorization, &err);
	/* Overloaded (at the cap of pending requests, or the datastore
	 * busy): a 503 page with Retry-After, not a redirect for a flood to
	 * bounce off the client. */
	if (status == PROAUTH2_ERR_UNAVAILABLE ||
			status == PROAUTH2_ERR_OUTCOME_UNKNOWN)
		status = error_response(p, status, &err, out);
	else if (status != PROAUTH2_OK)
		status = error_back(p, client, target,
				wants_form_post(form_get(&f, "response_mode")), status,
				&err, form_get(&f, "state"), out);
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
	return error_response(p, status, &shown, out);
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

/* The approval's or refusal's answer to the client of a. */
static proauth2_status decision_back(proauth2_provider *p,
		const proauth2_authorization *a, const char *target, const char *code,
		proauth2_status status, const proauth2_error *err,
		proauth2_http_response **out)
{
	answer ans;

	answer_set(&ans, p, code, status, err, proauth2_authorization_param(a, "state"));
	return answer_back(target, wants_form_post(proauth2_authorization_param(a,
			"response_mode")), &ans, status, out);
}

proauth2_status proauth2_http_authorize_issue(proauth2_provider *p,
		const char *ticket, const char *user_id, const char *granted_scope,
		proauth2_http_response **out)
{
	return proauth2_http_authorize_issue_with_attributes(p, ticket, user_id,
			granted_scope, NULL, out);
}

proauth2_status proauth2_http_authorize_issue_with_attributes(
		proauth2_provider *p, const char *ticket, const char *user_id,
		const char *granted_scope, const char *attributes,
		proauth2_http_response **out)
{
	proauth2_approval approval;

	proauth2_approval_init(&approval);
	approval.user_id = user_id;
	approval.granted_scope = granted_scope;
	approval.attributes = attributes;
	return proauth2_http_authorize_issue_with(p, ticket, &approval, out);
}

proauth2_status proauth2_http_authorize_issue_with(proauth2_provider *p,
		const char *ticket, const proauth2_approval *approval,
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
		status = proauth2_authorization_approve_with(p, a, approval,
				&code, &err);
		/* Attributes or login facts the engine refused are the host's
		 * mistake: a 500 it hears of, not an invalid_request blamed on
		 * the client. */
		if (status == PROAUTH2_ERR_INVALID_ARGUMENT)
			status = error_page(p, status, &err, NULL, out);
		else
			status = decision_back(p, a, target, code, status, &err, out);
	}
	proauth2_secret_free(code);
	proauth2_client_free(client);
	proauth2_authorization_free(a);
	return status;
}

proauth2_status proauth2_http_authorize_deny(proauth2_provider *p,
		const char *ticket, proauth2_http_response **out)
{
	return proauth2_http_authorize_refuse(p, ticket, PROAUTH2_ERR_ACCESS_DENIED,
			out);
}

/* The errors a decision may send back to the client. */
static bool refusal(proauth2_status why)
{
	return why == PROAUTH2_ERR_ACCESS_DENIED ||
		why == PROAUTH2_ERR_LOGIN_REQUIRED ||
		why == PROAUTH2_ERR_CONSENT_REQUIRED ||
		why == PROAUTH2_ERR_INTERACTION_REQUIRED ||
		why == PROAUTH2_ERR_ACCOUNT_SELECTION_REQUIRED;
}

proauth2_status proauth2_http_authorize_refuse(proauth2_provider *p,
		const char *ticket, proauth2_status why, proauth2_http_response **out)
{
	proauth2_authorization *a = NULL;
	proauth2_client *client = NULL;
	proauth2_status status;
	const char *target;

	*out = NULL;
	if (!refusal(why)) {
		proauth2_error err = {0};

		proauth2_error_set(&err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"a refusal is access_denied or an OpenID Connect "
				"*_required error");
		return error_page(p, err.status, &err, NULL, out);
	}
	status = spend(p, ticket, &a, &client, &target, out);
	if (status == PROAUTH2_OK)
		status = decision_back(p, a, target, NULL, why, NULL, out);
	proauth2_client_free(client);
	proauth2_authorization_free(a);
	return status;
}
