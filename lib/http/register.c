/* Dynamic client registration (RFC 7591) and management (RFC 7592). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <proauth2/client.h>
#include <proauth2/http.h>

#include "client_metadata.h"
#include "request.h"
#include "response.h"
#include "register.h"
#include "routes.h"

/* Every grant the metadata may advertise; the engine refuses password
 * unless the provider enables it and the initial access token is shown. */
#define REGISTRABLE_GRANTS (PROAUTH2_GRANT_AUTHORIZATION_CODE | \
		PROAUTH2_GRANT_REFRESH_TOKEN | PROAUTH2_GRANT_CLIENT_CREDENTIALS | \
		PROAUTH2_GRANT_PASSWORD)

/* An RFC 7591 §3.2.2 error. */
static proauth2_status metadata_error(const char *code, const char *description,
		proauth2_http_response **out)
{
	return respond(response_json(400, json_pack("{s:s, s:s}", "error", code,
			"error_description", description)), PROAUTH2_ERR_INVALID_REQUEST, out);
}

static int is_json(const char *content_type)
{
	return content_type != NULL &&
		strncasecmp(content_type, "application/json", 16) == 0 &&
		(content_type[16] == '\0' || content_type[16] == ';' ||
		 content_type[16] == ' ');
}

/* Parse the JSON body into m; NULL and a description when it is no valid
 * metadata. Without token_endpoint_auth_method the client uses
 * default_method (RFC 7591 §2: client_secret_basic). The returned JSON
 * owns the strings m points to. */
static json_t *read_metadata(const proauth2_provider *p,
		const proauth2_http_request *req, proauth2_auth_method default_method,
		client_metadata *m, const char **problem)
{
	json_t *doc;

	*problem = "the body is larger than this server's registration limit";
	if (req->body_length > proauth2_provider_registration_max_metadata(p) ||
			req->body_length > FORM_MAX_LENGTH)
		return NULL;
	*problem = "the body must be a JSON object (application/json)";
	if (!is_json(request_header(req, "Content-Type")) || req->body == NULL)
		return NULL;
	doc = json_loadb(req->body, req->body_length, JSON_REJECT_DUPLICATES, NULL);
	if (client_metadata_read(doc, default_method, REGISTRABLE_GRANTS, m, problem))
		return doc;
	json_decref(doc);
	return NULL;
}

/* How c authenticates, by name; one the host left to the type (or stored
 * before the field) by the type's default. */
static const char *auth_method_name(const proauth2_client *c)
{
	const char *name = proauth2_auth_method_name(c->token_endpoint_auth_method);

	if (name != NULL)
		return name;
	return c->type == PROAUTH2_CLIENT_PUBLIC ? "none" : "client_secret_basic";
}

/* The OpenID Connect members c has: its logout's and default_max_age;
 * -1 when memory ran out. */
static int openid_members(json_t *doc, const proauth2_client *c)
{
	json_t *uris;
	size_t i;

	if (doc == NULL)
		return -1;
	if (c->n_post_logout_redirect_uris > 0) {
		if ((uris = json_array()) == NULL ||
				json_object_set_new(doc, "post_logout_redirect_uris", uris) != 0)
			return -1;
		for (i = 0; i < c->n_post_logout_redirect_uris; i++)
			if (json_array_append_new(uris,
					json_string(c->post_logout_redirect_uris[i])) != 0)
				return -1;
	}
	if (c->backchannel_logout_uri != NULL && (json_object_set_new(doc,
			"backchannel_logout_uri", json_string(c->backchannel_logout_uri)) != 0 ||
			json_object_set_new(doc, "backchannel_logout_session_required",
				json_boolean(c->backchannel_logout_session_required)) != 0))
		return -1;
	if (c->default_max_age > 0 && json_object_set_new(doc, "default_max_age",
			json_integer(c->default_max_age)) != 0)
		return -1;
	if (c->pairwise_subject && json_object_set_new(doc, "subject_type",
			json_string("pairwise")) != 0)
		return -1;
	if (c->sector_identifier_uri != NULL && json_object_set_new(doc,
			"sector_identifier_uri", json_string(c->sector_identifier_uri)) != 0)
		return -1;
	return 0;
}

/* The client's metadata as RFC 7591 §3.2.1 answers it. */
static json_t *client_json(proauth2_provider *p, const proauth2_client *c,
		const char *registration_token)
{
	json_t *uris = json_array(), *grants = json_array();
	char uri[1200];
	unsigned bit;
	size_t i;

	for (i = 0; uris != NULL && i < c->n_redirect_uris; i++)
		json_array_append_new(uris, json_string(c->redirect_uris[i]));
	for (bit = 1; grants != NULL && bit <= REGISTRABLE_GRANTS; bit <<= 1)
		if (c->grant_types & REGISTRABLE_GRANTS & bit)
			json_array_append_new(grants, json_string(proauth2_grant_type_name(bit)));
	/* RFC 7592 §3: the configuration endpoint under the registration's. */
	snprintf(uri, sizeof(uri), "%s/%s", proauth2_provider_endpoint(p,
			PROAUTH2_ENDPOINT_REGISTRATION), c->client_id);
	json_t *doc = json_pack("{s:s, s:s*, s:I, s:I, s:o, s:o, s:[s], s:s, s:s, s:s*,"
			" s:s*, s:s, s:s*}",
			"client_id", c->client_id,
			"client_secret", c->client_secret,
			"client_id_issued_at", (json_int_t)c->created_at,
			"client_secret_expires_at", (json_int_t)0,
			"redirect_uris", uris,
			"grant_types", grants,
			"response_types", "code",
			"token_endpoint_auth_method", auth_method_name(c),
			"scope", c->scope,
			"client_name", c->name,
			"registration_access_token", registration_token,
			"registration_client_uri", uri,
			"id_token_signed_response_alg", c->id_token_signed_response_alg);

	return openid_members(doc, c) == 0 ? doc : (json_decref(doc), NULL);
}

/* RFC 6750 §3: a missing or wrong bearer token (initial or registration
 * access token). */
/* err, when not NULL, may be a throttled refusal: then with Retry-After. */
static proauth2_status invalid_token(const char *description,
		const proauth2_error *err, proauth2_http_response **out)
{
	proauth2_http_response *r = response_json(401, json_pack("{s:s, s:s}",
			"error", "invalid_token", "error_description", description));

	if (r != NULL && (response_add_header(r, "WWW-Authenticate",
			"Bearer realm=\"proauth2\", error=\"invalid_token\"") != 0 ||
			(err != NULL && response_add_retry_after(r, err) != 0))) {
		proauth2_http_response_free(r);
		r = NULL;
	}
	return respond(r, PROAUTH2_ERR_INVALID_TOKEN, out);
}

/* A refused registration: RFC 7591 error codes for the client's mistakes. */
static proauth2_status registration_refused(const proauth2_provider *p,
		proauth2_status status,
		const proauth2_error *err, proauth2_http_response **out)
{
	if (status == PROAUTH2_ERR_INVALID_TOKEN)
		return invalid_token(err->text, NULL, out);
	if (status == PROAUTH2_ERR_INVALID_REDIRECT_URI)
		return metadata_error("invalid_redirect_uri", err->text, out);
	/* A taken client_id is the metadata's fault as well (RFC 7591 has
	 * no code of its own for it). */
	if (status == PROAUTH2_ERR_INVALID_REQUEST || status == PROAUTH2_ERR_INVALID_SCOPE ||
			status == PROAUTH2_ERR_CONFLICT)
		return metadata_error("invalid_client_metadata", err->text, out);
	return error_response(p, status, err, out);
}

proauth2_status register_client_endpoint(proauth2_provider *p,
		const proauth2_http_request *req, proauth2_http_response **out)
{
	proauth2_client *client = NULL;
	proauth2_error err = {0};
	proauth2_status status;
	char *token = NULL;
	const char *problem, *auth;
	client_metadata m;
	json_t *doc;

	if (response_method_check(req, "POST", out) != PROAUTH2_OK)
		return PROAUTH2_ERR_INVALID_REQUEST;
	if (request_authorization(req, &auth, &err) != PROAUTH2_OK)
		return error_response(p, err.status, &err, out);
	/* RFC 7591 §3: the initial access token is a bearer token. */
	if (auth != NULL && strncasecmp(auth, "Bearer ", 7) != 0)
		return invalid_token("the Authorization header must be "
				"\"Bearer <initial access token>\"", NULL, out);
	doc = read_metadata(p, req, PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC, &m,
			&problem);
	if (doc == NULL)
		return metadata_error("invalid_client_metadata", problem, out);
	/* A requested id: the engine takes it where the host allows. */
	if (json_object_get(doc, "client_id") != NULL &&
			(m.params.client_id = json_string_value(json_object_get(doc,
				"client_id"))) == NULL) {
		json_decref(doc);
		return metadata_error("invalid_client_metadata",
				"client_id must be a string", out);
	}
	status = proauth2_client_register_dynamic_with_token(p, &m.params,
			auth != NULL ? auth + 7 : NULL, &client, &token, &err);
	if (status == PROAUTH2_OK)
		status = respond(response_json(201, client_json(p, client, token)),
				PROAUTH2_OK, out);
	else
		registration_refused(p, status, &err, out);
	proauth2_secret_free(token);
	proauth2_client_free(client);
	json_decref(doc);
	return status;
}

/* Whether the registration access token of the request is client_id's:
 * PROAUTH2_ERR_INVALID_TOKEN when it is not (or absent), the datastore's
 * failure when it could not be told. */
static proauth2_status may_manage(proauth2_provider *p,
		const proauth2_http_request *req, const char *client_id,
		proauth2_error *err)
{
	const char *auth;
	proauth2_status status = request_authorization(req, &auth, err);

	if (status != PROAUTH2_OK)
		return status;
	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
				"no registration access token");
	return proauth2_client_verify_registration_token(p, client_id, auth + 7, err);
}

/* Whether uris are client's registered redirect URIs, in order. */
static bool same_uris(const proauth2_client *client, const char *const *uris,
		size_t n)
{
	size_t i;

	if (n != client->n_redirect_uris)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(uris[i], client->redirect_uris[i]) != 0)
			return false;
	return true;
}

static proauth2_status update_client(proauth2_provider *p,
		const proauth2_http_request *req, const char *client_id,
		proauth2_http_response **out)
{
	proauth2_client *old = NULL, *client = NULL;
	proauth2_error err = {0};
	proauth2_status status;
	const char *problem, *body_id;
	client_metadata m;
	json_t *doc = NULL;

	status = proauth2_client_get(p, client_id, &old, &err);
	if (status != PROAUTH2_OK)
		return error_response(p, status, &err, out);
	/* §2.2: what the body leaves out goes back to its default; the
	 * method's is its type's, a public client's none. */
	doc = read_metadata(p, req, old->type == PROAUTH2_CLIENT_PUBLIC ?
			PROAUTH2_AUTH_METHOD_NONE : PROAUTH2_AUTH_METHOD_CLIENT_SECRET_BASIC,
			&m, &problem);
	if (doc == NULL) {
		proauth2_client_free(old);
		return metadata_error("invalid_client_metadata", problem, out);
	}
	/* The host's say, not the client's: kept. The PKCE opt-out was
	 * given for the redirect URIs the host saw: new ones end it. */
	m.params.resource = old->resource;
	m.params.pkce_optional = old->pkce_optional &&
		same_uris(old, m.params.redirect_uris, m.params.n_redirect_uris);
	body_id = json_string_value(json_object_get(doc, "client_id"));
	if (body_id == NULL || strcmp(body_id, client_id) != 0)
		status = proauth2_error_set(&err, PROAUTH2_ERR_INVALID_REQUEST,
				"client_id in the body must be the client's own");
	else if (status == PROAUTH2_OK && old->type != m.params.type)
		status = proauth2_error_set(&err, PROAUTH2_ERR_INVALID_REQUEST,
				"token_endpoint_auth_method cannot change between none and a secret");
	if (status == PROAUTH2_OK)
		status = proauth2_client_update(p, client_id, &m.params, &client, &err);
	if (status == PROAUTH2_OK)
		status = respond(response_json(200, client_json(p, client, NULL)),
				PROAUTH2_OK, out);
	else
		registration_refused(p, status, &err, out);
	proauth2_client_free(old);
	proauth2_client_free(client);
	json_decref(doc);
	return status;
}

proauth2_status register_manage_endpoint(proauth2_provider *p,
		const proauth2_http_request *req, const char *client_id,
		proauth2_http_response **out)
{
	const char *method = req->method != NULL ? req->method : "";
	proauth2_client *client = NULL;
	proauth2_error err = {0};
	proauth2_status status;
	proauth2_http_response *r;

	/* §2: an unknown client and a wrong token look alike. */
	status = may_manage(p, req, client_id, &err);
	if (status != PROAUTH2_OK && status != PROAUTH2_ERR_INVALID_TOKEN)
		return error_response(p, status, &err, out);
	if (status != PROAUTH2_OK)
		return invalid_token("invalid registration access token", &err, out);
	if (strcmp(method, "GET") == 0) {
		status = proauth2_client_get(p, client_id, &client, &err);
		if (status == PROAUTH2_OK)
			status = respond(response_json(200, client_json(p, client, NULL)),
					PROAUTH2_OK, out);
		else
			error_response(p, status, &err, out);
		proauth2_client_free(client);
		return status;
	}
	if (strcmp(method, "PUT") == 0)
		return update_client(p, req, client_id, out);
	if (strcmp(method, "DELETE") == 0) {
		status = proauth2_client_delete(p, client_id, &err);
		if (status != PROAUTH2_OK)
			return error_response(p, status, &err, out);
		return respond(response_new(204), PROAUTH2_OK, out);
	}
	r = response_json(405, json_pack("{s:s}", "error", "method_not_allowed"));
	if (r != NULL && response_add_header(r, "Allow", "GET, PUT, DELETE") != 0) {
		proauth2_http_response_free(r);
		r = NULL;
	}
	return respond(r, PROAUTH2_ERR_INVALID_REQUEST, out);
}
