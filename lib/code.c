/* Authorization codes (RFC 6749 §4.1.2). */
#include <stdlib.h>
#include <string.h>

#include "attributes.h"
#include "client_document.h"
#include "code.h"
#include "crypto.h"
#include "grant.h"
#include "id_token.h"
#include "pkce.h"
#include "redirect_uri.h"
#include "resources.h"
#include "scope.h"
#include "session.h"
#include "struct_size.h"

const char *code_redirect_target(const json_t *client, const char *uri)
{
	json_t *uris = json_object_get(client, "redirect_uris"), *item;
	size_t i;

	if (uri == NULL)  /* §3.1.2.3: only a single registered URI is implied */
		return json_array_size(uris) == 1 ?
			json_string_value(json_array_get(uris, 0)) : NULL;
	json_array_foreach(uris, i, item)
		if (redirect_uri_matches(json_string_value(item), uri))
			return uri;
	return NULL;
}

bool code_pkce_required(const proauth2_provider *p, const json_t *client)
{
	bool is_public = record_string(client, "secret_hash") == NULL;

	return (is_public || p->require_pkce) && !client_record_pkce_optional(client);
}

proauth2_status code_check_request(proauth2_provider *p, const json_t *client,
		const proauth2_code_request *req, const char **method,
		proauth2_error *err)
{
	*method = NULL;
	if (!client_record_allows(client, PROAUTH2_GRANT_AUTHORIZATION_CODE))
		return proauth2_error_set(err, PROAUTH2_ERR_UNAUTHORIZED_CLIENT,
				"the client may not use the authorization_code grant");
	if (code_redirect_target(client, req->redirect_uri) == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"redirect_uri is not registered for this client");
	if (req->code_challenge == NULL) {
		if (req->code_challenge_method != NULL)
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
					"code_challenge_method without code_challenge");
		if (code_pkce_required(p, client))
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
					"PKCE is required: send code_challenge");
		return PROAUTH2_OK;
	}
	return pkce_check_challenge(p, req->code_challenge,
			req->code_challenge_method, method, err);
}

static const proauth2_code_request no_facts;

proauth2_status proauth2_code_issue(proauth2_provider *p,
		const proauth2_code_request *req, char **code, proauth2_error *err)
{
	char hash[HASH_SIZE], grant_id[GRANT_ID_SIZE];
	json_t *client = NULL;
	char *scope = NULL, *attributes = NULL, *resource = NULL, *id_claims = NULL;
	const char *method;
	proauth2_status status;

	if (code == NULL || p == NULL || req == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, request and code are required");
	*code = NULL;
	/* attributes, resource and the OpenID facts were appended: a caller
	 * compiled before them ends earlier. */
	status = sized_check(req, SIZED_END(proauth2_code_request,
			code_challenge_method), SIZED_END(proauth2_code_request,
			id_token_claims), "proauth2_code_request", err);
	if (status != PROAUTH2_OK)
		return status;
	if (req->client_id == NULL || req->user_id == NULL || req->user_id[0] == '\0')
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"client_id and user_id are required");
	status = client_lookup(p, req->client_id, &client, err);
	if (status == PROAUTH2_ERR_NOT_FOUND)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_CLIENT,
				"unknown client_id");
	if (status != PROAUTH2_OK)
		return status;
	status = code_check_request(p, client, req, &method, err);
	if (status == PROAUTH2_OK && SIZED_HAS(req, proauth2_code_request, attributes))
		status = attributes_canonical(req->attributes, &attributes, err);
	if (status == PROAUTH2_OK)
		status = resources_resolve(p, SIZED_HAS(req, proauth2_code_request,
				resource) ? req->resource : NULL, &resource, err);
	if (status == PROAUTH2_OK)
		status = scope_resolve(p, req->scope, record_string(client, "scope"),
				&scope, err);
	/* A caller compiled before the OpenID facts still gets an id_token:
	 * a login now, without nonce. */
	if (status == PROAUTH2_OK)
		status = id_claims_make(p, SIZED_HAS(req, proauth2_code_request,
				session_id) ? req : &no_facts, scope, &id_claims, err);
	if (status == PROAUTH2_OK)
		status = proauth2_secret_new(code, err);
	if (status == PROAUTH2_OK)
		status = sha256_base64url(*code, hash, err);
	if (status == PROAUTH2_OK)
		grant_new_id(grant_id);
	/* Noted before the code exists: a logout then finds its grant. */
	if (status == PROAUTH2_OK && id_claims != NULL)
		status = session_add_login(p, req->user_id, SIZED_HAS(req,
				proauth2_code_request, session_id) ? req->session_id : NULL,
				req->client_id, grant_id, scope, err);
	if (status == PROAUTH2_OK) {
		status = store_record(p, TABLE_CODES, json_pack(
				"{s:s, s:s, s:s, s:s, s:s*, s:s, s:s*, s:s*, s:I, s:s*, s:s*, s:s*, s:s*}",
				"code_hash", hash,
				"client_id", req->client_id,
				"user_id", req->user_id,
				"grant_id", grant_id,
				"redirect_uri", req->redirect_uri,
				"scope", scope,
				"code_challenge", req->code_challenge,
				"code_challenge_method", method,
				"expires_at", (json_int_t)(proauth2_provider_now(p) +
					p->code_lifetime),
				"attributes", attributes,
				"resource", resource,
				"id_claims", id_claims,
				/* An OpenID Connect authentication's, checked there. */
				"userinfo_claims", id_claims != NULL && SIZED_HAS(req,
					proauth2_code_request, id_token_claims) ?
					req->userinfo_claims : NULL), err);
	}
	if (status != PROAUTH2_OK) {
		proauth2_secret_free(*code);
		*code = NULL;
	}
	free(scope);
	free(attributes);
	free(resource);
	free(id_claims);
	json_decref(client);
	return status;
}
