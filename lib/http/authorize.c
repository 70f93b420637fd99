/*
 * The authorization endpoint as a two-step API (RFC 6749 §4.1.1-4.1.2):
 * begin validates the request and parks it under a ticket; the host shows
 * its login and consent pages; issue or deny spends the ticket and answers
 * with the redirect back to the client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proauth2/client.h>

#include "code.h"
#include "crypto.h"
#include "request.h"
#include "response.h"
#include "scope.h"

/* How long a pending request waits for the user, in code lifetimes. */
#define TICKET_LIFETIMES 10

struct proauth2_authorization {
	char *ticket;
	char *client_id;
	char *client_name;
	char *scope;
	form params;
};

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

/* The 303 to redirect_uri with code or error, state and iss (RFC 9207). */
static proauth2_status redirect_back(proauth2_provider *p, const char *redirect_uri,
		const char *code, proauth2_status error, const char *state,
		proauth2_status status, proauth2_http_response **out)
{
	char *url = strdup(redirect_uri);
	int failed = url == NULL;

	if (!failed && code != NULL)
		failed = append_param(&url, "code", code);
	if (!failed && code == NULL)
		failed = append_param(&url, "error", proauth2_status_oauth_error(error));
	if (!failed && state != NULL)
		failed = append_param(&url, "state", state);
	if (!failed && p->issuer != NULL)
		failed = append_param(&url, "iss", p->issuer);
	if (failed) {
		free(url);
		return respond(NULL, PROAUTH2_ERR_NOMEM, out);
	}
	status = respond(response_redirect(url), status, out);
	free(url);
	return status;
}

/* ---- begin ---- */

/* Parameters from the query (GET) or the form body (POST, §3.1). */
static proauth2_status read_params(const proauth2_http_request *req, form *f,
		proauth2_error *err)
{
	if (req->method != NULL && strcmp(req->method, "POST") == 0)
		return request_read_form(req, f, err);
	return form_parse(req->query, req->query ? strlen(req->query) : 0, f, err);
}

/* Re-encode the parameters for storage: decoding was already checked. */
static char *encode_params(const form *f)
{
	char *s = strdup("");
	size_t i;

	for (i = 0; s != NULL && i < f->n; i++)
		if (append_param(&s, f->params[i].name, f->params[i].value) != 0) {
			free(s);
			return NULL;
		}
	return s;  /* "?a=1&b=2": the leading '?' is harmless to form_parse */
}

static proauth2_status park(proauth2_provider *p, const json_t *client,
		const form *f, const char *scope, proauth2_authorization **out,
		proauth2_error *err)
{
	char hash[HASH_SIZE];
	proauth2_authorization *a = calloc(1, sizeof(*a));
	char *request = encode_params(f);
	proauth2_status status;
	bool ok = true;

	if (a == NULL || request == NULL) {
		free(a);
		free(request);
		return NO_MEMORY(err);
	}
	a->client_id = dup_or_null(record_string(client, "client_id"), &ok);
	a->client_name = dup_or_null(record_string(client, "name"), &ok);
	a->scope = dup_or_null(scope, &ok);
	status = ok ? proauth2_secret_new(&a->ticket, err) : NO_MEMORY(err);
	if (status == PROAUTH2_OK)
		status = sha256_base64url(a->ticket, hash, err);
	if (status == PROAUTH2_OK && strlen(request) > PROAUTH2_FIELD_MAX_LENGTH)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"the authorization request is too long");
	if (status == PROAUTH2_OK)
		status = store_record(p, TABLE_AUTHORIZATIONS, json_pack(
				"{s:s, s:s, s:s, s:s, s:I}",
				"ticket_hash", hash,
				"client_id", a->client_id,
				"request", request,
				"scope", scope,
				"expires_at", (json_int_t)(proauth2_provider_now(p) +
					TICKET_LIFETIMES * p->code_lifetime)), err);
	if (status == PROAUTH2_OK)
		status = form_parse(request + (request[0] == '?'),
				strlen(request) - (request[0] == '?'), &a->params, err);
	free(request);
	if (status != PROAUTH2_OK) {
		proauth2_authorization_free(a);
		return status;
	}
	*out = a;
	return PROAUTH2_OK;
}

proauth2_status proauth2_http_authorize_begin(proauth2_provider *p,
		const proauth2_http_request *req, proauth2_authorization **authorization,
		proauth2_http_response **out)
{
	proauth2_error err = {0};
	json_t *client = NULL;
	const char *target, *method, *response_type;
	char *scope = NULL;
	proauth2_status status;
	form f;

	*authorization = NULL;
	*out = NULL;
	status = read_params(req, &f, &err);
	if (status == PROAUTH2_OK && form_get(&f, "client_id") == NULL)
		status = proauth2_error_set(&err, PROAUTH2_ERR_INVALID_REQUEST,
				"client_id is missing");
	if (status == PROAUTH2_OK) {
		status = fetch_one(p, TABLE_CLIENTS, "client_id",
				form_get(&f, "client_id"), &client, &err);
		if (status == PROAUTH2_ERR_NOT_FOUND)
			status = proauth2_error_set(&err, PROAUTH2_ERR_INVALID_REQUEST,
					"unknown client_id");
	}
	if (status == PROAUTH2_OK &&
			(target = code_redirect_target(client, form_get(&f, "redirect_uri"))) == NULL)
		status = proauth2_error_set(&err, PROAUTH2_ERR_INVALID_REQUEST,
				"redirect_uri is missing or not registered for this client");
	if (status != PROAUTH2_OK) {
		/* Never redirect while the client or its URI is in doubt. */
		status = error_response(status, &err, 0, out);
		goto done;
	}
	/* From here on, errors go back to the client (§4.1.2.1). */
	response_type = form_get(&f, "response_type");
	if (response_type == NULL)
		status = proauth2_error_set(&err, PROAUTH2_ERR_INVALID_REQUEST,
				"response_type is missing");
	else if (strcmp(response_type, "code") != 0)
		status = PROAUTH2_ERR_UNSUPPORTED_RESPONSE_TYPE;
	if (status == PROAUTH2_OK) {
		proauth2_code_request cr = {
			.client_id = form_get(&f, "client_id"),
			.redirect_uri = form_get(&f, "redirect_uri"),
			.code_challenge = form_get(&f, "code_challenge"),
			.code_challenge_method = form_get(&f, "code_challenge_method"),
		};
		status = code_check_request(p, client, &cr, &method, &err);
	}
	if (status == PROAUTH2_OK)
		status = scope_resolve(p, form_get(&f, "scope"),
				record_string(client, "scope"), &scope, &err);
	if (status == PROAUTH2_OK)
		status = park(p, client, &f, scope, authorization, &err);
	if (status != PROAUTH2_OK)
		status = redirect_back(p, target, NULL, status, form_get(&f, "state"),
				status, out);
done:
	free(scope);
	json_decref(client);
	form_clear(&f);
	return status;
}

/* ---- the pending request ---- */

static proauth2_status load(proauth2_provider *p, const char *ticket,
		bool spend, proauth2_authorization **out, proauth2_error *err)
{
	char hash[HASH_SIZE];
	json_t *record = NULL, *client = NULL;
	proauth2_authorization *a;
	proauth2_status status;
	size_t removed = 0;
	bool ok = true;
	const char *request;

	*out = NULL;
	if (ticket == NULL || strlen(ticket) > PRESENTED_SECRET_MAX)
		return proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND, "unknown ticket");
	status = sha256_base64url(ticket, hash, err);
	if (status == PROAUTH2_OK)
		status = fetch_one(p, TABLE_AUTHORIZATIONS, "ticket_hash", hash, &record, err);
	/* A ticket is spent once: of concurrent decisions, one wins. */
	if (status == PROAUTH2_OK && spend) {
		status = remove_where(p, TABLE_AUTHORIZATIONS,
				json_pack("{s:s}", "ticket_hash", hash), &removed, err);
		if (status == PROAUTH2_OK && removed != 1)
			status = proauth2_error_set(err, PROAUTH2_ERR_NOT_FOUND,
					"the ticket was already used");
	}
	if (status == PROAUTH2_OK)
		status = fetch_one(p, TABLE_CLIENTS, "client_id",
				record_string(record, "client_id"), &client, err);
	if (status != PROAUTH2_OK) {
		json_decref(record);
		json_decref(client);
		return status;
	}
	a = calloc(1, sizeof(*a));
	if (a != NULL) {
		a->ticket = dup_or_null(ticket, &ok);
		a->client_id = dup_or_null(record_string(client, "client_id"), &ok);
		a->client_name = dup_or_null(record_string(client, "name"), &ok);
		a->scope = dup_or_null(record_string(record, "scope"), &ok);
		request = record_string(record, "request");
		status = form_parse(request + (request[0] == '?'),
				strlen(request) - (request[0] == '?'), &a->params, err);
	}
	json_decref(record);
	json_decref(client);
	if (a == NULL || !ok || status != PROAUTH2_OK) {
		proauth2_authorization_free(a);
		return status != PROAUTH2_OK ? status : NO_MEMORY(err);
	}
	*out = a;
	return PROAUTH2_OK;
}

proauth2_status proauth2_authorization_load(proauth2_provider *p,
		const char *ticket, proauth2_authorization **out, proauth2_error *err)
{
	return load(p, ticket, false, out, err);
}

/* The host's ticket is stale: there is nobody to redirect to. */
static proauth2_status unknown_ticket(proauth2_status status,
		const proauth2_error *err, proauth2_http_response **out)
{
	proauth2_error shown = {0};

	if (status == PROAUTH2_ERR_NOT_FOUND)
		status = proauth2_error_set(&shown, PROAUTH2_ERR_INVALID_REQUEST,
				"the authorization request is unknown, used or expired");
	else
		shown = *err;
	return error_response(status, &shown, 0, out);
}

proauth2_status proauth2_http_authorize_issue(proauth2_provider *p,
		const char *ticket, const char *user_id, const char *granted_scope,
		proauth2_http_response **out)
{
	proauth2_authorization *a = NULL;
	proauth2_error err = {0};
	proauth2_status status;
	json_t *client = NULL;
	char *code = NULL;
	const char *target;

	*out = NULL;
	status = load(p, ticket, true, &a, &err);
	if (status != PROAUTH2_OK)
		return unknown_ticket(status, &err, out);
	status = fetch_one(p, TABLE_CLIENTS, "client_id", a->client_id, &client, &err);
	target = status == PROAUTH2_OK ?
		code_redirect_target(client, form_get(&a->params, "redirect_uri")) : NULL;
	if (target == NULL) {  /* the client changed its URIs meanwhile */
		status = unknown_ticket(status == PROAUTH2_OK ? PROAUTH2_ERR_NOT_FOUND :
				status, &err, out);
		goto done;
	}
	if (granted_scope != NULL && (!scope_is_valid(granted_scope) ||
			!scope_is_subset(granted_scope, a->scope)))
		status = proauth2_error_set(&err, PROAUTH2_ERR_INVALID_SCOPE,
				"the granted scope exceeds the request");
	if (status == PROAUTH2_OK) {
		proauth2_code_request cr = {
			.client_id = a->client_id,
			.user_id = user_id,
			.redirect_uri = form_get(&a->params, "redirect_uri"),
			.scope = granted_scope != NULL ? granted_scope : a->scope,
			.code_challenge = form_get(&a->params, "code_challenge"),
			.code_challenge_method = form_get(&a->params, "code_challenge_method"),
		};
		status = proauth2_code_issue(p, &cr, &code, &err);
	}
	status = redirect_back(p, target, code, status,
			form_get(&a->params, "state"), status, out);
done:
	proauth2_secret_free(code);
	json_decref(client);
	proauth2_authorization_free(a);
	return status;
}

proauth2_status proauth2_http_authorize_deny(proauth2_provider *p,
		const char *ticket, proauth2_http_response **out)
{
	proauth2_authorization *a = NULL;
	proauth2_error err = {0};
	json_t *client = NULL;
	proauth2_status status;
	const char *target;

	*out = NULL;
	status = load(p, ticket, true, &a, &err);
	if (status == PROAUTH2_OK)
		status = fetch_one(p, TABLE_CLIENTS, "client_id", a->client_id,
				&client, &err);
	target = status == PROAUTH2_OK ?
		code_redirect_target(client, form_get(&a->params, "redirect_uri")) : NULL;
	if (target == NULL)
		status = unknown_ticket(status == PROAUTH2_OK ? PROAUTH2_ERR_NOT_FOUND :
				status, &err, out);
	else
		status = redirect_back(p, target, NULL, PROAUTH2_ERR_ACCESS_DENIED,
				form_get(&a->params, "state"), PROAUTH2_ERR_ACCESS_DENIED, out);
	json_decref(client);
	proauth2_authorization_free(a);
	return status;
}

/* ---- accessors ---- */

const char *proauth2_authorization_ticket(const proauth2_authorization *a)
{
	return a->ticket;
}

const char *proauth2_authorization_client_id(const proauth2_authorization *a)
{
	return a->client_id;
}

const char *proauth2_authorization_client_name(const proauth2_authorization *a)
{
	return a->client_name;
}

const char *proauth2_authorization_scope(const proauth2_authorization *a)
{
	return a->scope;
}

const char *proauth2_authorization_param(const proauth2_authorization *a,
		const char *name)
{
	return form_get(&a->params, name);
}

size_t proauth2_authorization_param_count(const proauth2_authorization *a)
{
	return a->params.n;
}

const char *proauth2_authorization_param_name(const proauth2_authorization *a,
		size_t i)
{
	return i < a->params.n ? a->params.params[i].name : NULL;
}

void proauth2_authorization_free(proauth2_authorization *a)
{
	if (a == NULL)
		return;
	proauth2_secret_free(a->ticket);
	free(a->client_id);
	free(a->client_name);
	free(a->scope);
	form_clear(&a->params);
	free(a);
}
