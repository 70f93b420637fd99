/* The token endpoint's grants (RFC 6749 §4.1.3, §6, §4.3, §4.4). */
#include <stdlib.h>
#include <string.h>

#include "code.h"
#include "crypto.h"
#include "event.h"
#include "grant.h"
#include "pkce.h"
#include "refresh_retry.h"
#include "resources.h"
#include "scope.h"
#include "struct_size.h"
#include "throttle_int.h"

/* A grant request checked as its caller compiled it: the first version
 * ended at last; auth_method came after. Known up to sizeof, not to
 * auth_method's end: the padding after it is not zeroed by a copy of a
 * struct made with a designated initializer (common.h), and a copy must
 * work. A field appended later goes past it. */
#define REQUEST_CHECK(req, type, last, err) sized_check((req), \
		SIZED_END(type, last), sizeof(type), #type, (err))

/* The request's auth_method, ANY for a caller compiled before it. */
#define REQUEST_METHOD(req, type) (SIZED_HAS(req, type, auth_method) ? \
		(req)->auth_method : PROAUTH2_AUTH_METHOD_ANY)

/* The request's resource, NULL for a caller compiled before it. */
#define REQUEST_RESOURCE(req, type) (SIZED_HAS(req, type, resource) ? \
		(req)->resource : NULL)

/* An access token's audience among the grant's resources (RFC 8707 §2.2),
 * and its scope: what of scope the audience accepts. Free both. */
static proauth2_status narrow_audience(proauth2_provider *p,
		const char *requested, const char *granted, const char *scope,
		char **audience, char **access_scope, proauth2_error *err)
{
	proauth2_status status = resources_narrow(requested, granted, audience,
			err);

	*access_scope = NULL;
	if (status == PROAUTH2_OK)
		status = resources_scope(p, *audience, scope, access_scope, err);
	return status;
}

/* The same for a grant made by this request: the resources it names. */
static proauth2_status new_audience(proauth2_provider *p, const char *requested,
		const char *scope, char **audience, char **access_scope,
		proauth2_error *err)
{
	proauth2_status status = resources_resolve(p, requested, audience, err);

	*access_scope = NULL;
	if (status == PROAUTH2_OK)
		status = resources_scope(p, *audience, scope, access_scope, err);
	return status;
}

/* Authenticate the client and check it may use grant. */
static proauth2_status authorize_client(proauth2_provider *p,
		const char *client_id, const char *client_secret,
		proauth2_auth_method method, unsigned grant, json_t **client,
		proauth2_error *err)
{
	proauth2_status status = client_authenticate_record(p, client_id,
			client_secret, method, client, err);

	if (status != PROAUTH2_OK)
		return status;
	if (!client_record_allows(*client, grant)) {
		json_decref(*client);
		*client = NULL;
		return proauth2_error_set(err, PROAUTH2_ERR_UNAUTHORIZED_CLIENT,
				"the client may not use this grant type");
	}
	return PROAUTH2_OK;
}

/* Hash a presented code or token; anything oversized is not one of ours. */
static proauth2_status hash_presented(const char *secret, const char *what,
		char hash[HASH_SIZE], proauth2_error *err)
{
	if (secret == NULL || secret[0] == '\0')
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"%s is missing", what);
	if (strlen(secret) > PRESENTED_SECRET_MAX)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_GRANT,
				"%s is invalid or expired", what);
	return sha256_base64url(secret, hash, err);
}

/* Find the code or refresh token presented; an unknown one is refused,
 * and a spent one (a replay) revokes its grant. */
static proauth2_status find_presented(proauth2_provider *p, const char *table,
		const char *key, const char *secret, const char *what,
		const char *client_id, char hash[HASH_SIZE], json_t **record,
		proauth2_error *err)
{
	proauth2_status status = hash_presented(secret, what, hash, err);

	if (status == PROAUTH2_OK)
		status = fetch_one(p, table, key, hash, record, err);
	if (status == PROAUTH2_ERR_NOT_FOUND)
		status = grant_refuse_unknown(p, hash, what, client_id, err);
	return status;
}

static bool may_refresh(const proauth2_provider *p, const json_t *client)
{
	return p->refresh_token_lifetime > 0 &&
		client_record_allows(client, PROAUTH2_GRANT_REFRESH_TOKEN);
}

/* The redirect_uri of a token request matches its code's (§4.1.3): the
 * same, or both absent; or, for a code whose request left it implied
 * (the client's single URI, §3.1.2.3), that URI, which most client
 * libraries send whether or not they sent it before. */
static bool redirect_uri_binds(const json_t *client, const json_t *code,
		const char *sent)
{
	const char *uri = record_string(code, "redirect_uri");
	const char *implied;

	if (uri != NULL)
		return sent != NULL && strcmp(uri, sent) == 0;
	if (sent == NULL)
		return true;
	implied = code_redirect_target(client, NULL);
	return implied != NULL && strcmp(implied, sent) == 0;
}

/* redirect_uri and PKCE of a token request against its code (§4.1.3,
 * RFC 7636 §4.6, RFC 9700 §2.1.1 against downgrade). */
static proauth2_status check_code_binding(const proauth2_provider *p,
		const json_t *client, const json_t *code,
		const proauth2_code_exchange *req, proauth2_error *err)
{
	const char *challenge = record_string(code, "code_challenge");

	if (!redirect_uri_binds(client, code, req->redirect_uri))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_GRANT,
				"redirect_uri does not match the authorization request");
	if (challenge == NULL && req->code_verifier != NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_GRANT,
				"code_verifier sent but the code has no challenge");
	/* Issued without PKCE while the host let the client go without it,
	 * and the host has since taken that back: the code goes too. */
	if (challenge == NULL && code_pkce_required(p, client))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_GRANT,
				"the code was issued without PKCE, which this client needs");
	if (challenge != NULL && req->code_verifier == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_GRANT,
				"code_verifier is missing");
	if (challenge != NULL && !pkce_verify(challenge,
				record_string(code, "code_challenge_method"),
				req->code_verifier))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_GRANT,
				"code_verifier does not match the code challenge");
	return PROAUTH2_OK;
}

proauth2_status proauth2_token_exchange_code(proauth2_provider *p,
		const proauth2_code_exchange *req, proauth2_token_response **out,
		proauth2_error *err)
{
	char hash[HASH_SIZE];
	grant_spending spending = {TABLE_CODES, "code_hash", hash, NULL};
	json_t *client = NULL, *code = NULL;
	char *audience = NULL, *access_scope = NULL;
	proauth2_status status;

	if (out == NULL || p == NULL || req == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, request and out are required");
	*out = NULL;
	status = REQUEST_CHECK(req, proauth2_code_exchange, code_verifier, err);
	if (status == PROAUTH2_OK)
		status = authorize_client(p, req->client_id, req->client_secret,
				REQUEST_METHOD(req, proauth2_code_exchange),
				PROAUTH2_GRANT_AUTHORIZATION_CODE, &client, err);
	if (status == PROAUTH2_OK)
		status = find_presented(p, TABLE_CODES, "code_hash", req->code,
				"code", req->client_id, hash, &code, err);
	if (status == PROAUTH2_OK &&
			strcmp(record_string(code, "client_id"), req->client_id) != 0)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_GRANT,
				"the code was issued to another client");
	if (status == PROAUTH2_OK)
		status = check_code_binding(p, client, code, req, err);
	if (status == PROAUTH2_OK)
		status = narrow_audience(p, REQUEST_RESOURCE(req,
				proauth2_code_exchange), record_string(code, "resource"),
				record_string(code, "scope"), &audience, &access_scope, err);
	if (status == PROAUTH2_OK) {
		const char *scope = record_string(code, "scope");
		grant_tokens tokens = {
			.client_id = req->client_id,
			.user_id = record_string(code, "user_id"),
			.grant_id = record_string(code, "grant_id"),
			.scope = access_scope,
			.refresh_scope = may_refresh(p, client) ? scope : NULL,
			/* The host's, from the code: no request parameter sets it. */
			.attributes = record_string(code, "attributes"),
			.resource = record_string(code, "resource"),
			.audience = audience,
			.id_claims = record_string(code, "id_claims"),
			.userinfo_claims = record_string(code, "userinfo_claims"),
			.subject_sector = record_string(client, "subject_sector"),
			.id_token_alg = record_string(client,
					"id_token_signed_response_alg"),
			.revocable = true,
			.spending = &spending,
		};
		status = grant_spend_and_issue(p, &tokens, out, err);
	}
	free(audience);
	free(access_scope);
	json_decref(code);
	json_decref(client);
	return status;
}

/* Spend the refresh token old (a record) of client for a new pair (§6). */
static proauth2_status refresh_from(proauth2_provider *p,
		const proauth2_refresh_request *req, const json_t *client,
		const json_t *old, proauth2_token_response **out, proauth2_error *err)
{
	grant_spending spending = {TABLE_REFRESH_TOKENS, "token_hash",
		record_string(old, "token_hash"), record_string(old, "parent")};
	const char *original = record_string(old, "scope"), *scope = req->scope;
	char *granted = NULL, *audience = NULL, *access_scope = NULL;
	proauth2_status status = PROAUTH2_OK;

	if (strcmp(record_string(old, "client_id"), req->client_id) != 0)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_GRANT,
				"the refresh token was issued to another client");
	/* §6: the new scope may only narrow the original grant's; unlike
	 * scope_resolve(), the provider's supported list does not apply. */
	else if (scope != NULL && scope[0] != '\0' &&
			(!scope_is_valid(scope) || !scope_is_subset(scope, original)))
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_SCOPE,
				"scope exceeds the original grant");
	else if ((granted = strdup(scope && scope[0] ? scope : original)) == NULL)
		status = NO_MEMORY(err);
	if (status == PROAUTH2_OK)
		status = narrow_audience(p, REQUEST_RESOURCE(req,
				proauth2_refresh_request), record_string(old, "resource"),
				granted, &audience, &access_scope, err);
	if (status == PROAUTH2_OK) {
		grant_tokens tokens = {
			.client_id = req->client_id,
			.user_id = record_string(old, "user_id"),
			.grant_id = record_string(old, "grant_id"),
			.scope = access_scope,
			/* §6: the new refresh token keeps the original scope, and
			 * RFC 8707 §2.2 the grant's resources. */
			.refresh_scope = original,
			.attributes = record_string(old, "attributes"),
			.resource = record_string(old, "resource"),
			.audience = audience,
			.id_claims = record_string(old, "id_claims"),
			.userinfo_claims = record_string(old, "userinfo_claims"),
			.subject_sector = record_string(client, "subject_sector"),
			.id_token_alg = record_string(client,
					"id_token_signed_response_alg"),
			.revocable = true,
			.spending = &spending,
		};
		status = grant_spend_and_issue(p, &tokens, out, err);
	}
	free(audience);
	free(access_scope);
	free(granted);
	return status;
}

/* A race lost twice, or to a refresh not yet visible: nothing was issued,
 * and a try a moment later will see the winner's. */
static proauth2_status refreshed_meanwhile(proauth2_error *err)
{
	return proauth2_error_set(err, PROAUTH2_ERR_UNAVAILABLE,
			"the refresh token was refreshed at the same moment: retry");
}

/* The grant's live refresh token in place of the spent one under hash, if
 * client_id may retry it (refresh_retry.h); else a replay's refusal, or,
 * after losing a race (lost), a 503 for the client to try again. */
static proauth2_status retry_head(proauth2_provider *p, const char *hash,
		const char *client_id, bool lost, json_t **head, proauth2_error *err)
{
	proauth2_status status = refresh_retry_find(p, hash, client_id, head, err);

	if (status != PROAUTH2_ERR_NOT_FOUND)
		return status;
	if (lost)
		return refreshed_meanwhile(err);
	return grant_refuse_unknown(p, hash, "refresh_token", client_id, err);
}

proauth2_status proauth2_token_refresh(proauth2_provider *p,
		const proauth2_refresh_request *req, proauth2_token_response **out,
		proauth2_error *err)
{
	char hash[HASH_SIZE];
	json_t *client = NULL, *old = NULL;
	bool retried = false;
	proauth2_status status;

	if (out == NULL || p == NULL || req == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, request and out are required");
	*out = NULL;
	status = REQUEST_CHECK(req, proauth2_refresh_request, scope, err);
	if (status == PROAUTH2_OK)
		status = authorize_client(p, req->client_id, req->client_secret,
				REQUEST_METHOD(req, proauth2_refresh_request),
				PROAUTH2_GRANT_REFRESH_TOKEN, &client, err);
	if (status == PROAUTH2_OK)
		status = hash_presented(req->refresh_token, "refresh_token", hash, err);
	if (status == PROAUTH2_OK)
		status = fetch_one(p, TABLE_REFRESH_TOKENS, "token_hash", hash, &old,
				err);
	if (status == PROAUTH2_ERR_NOT_FOUND && p->refresh_reuse_grace > 0) {
		status = retry_head(p, hash, req->client_id, false, &old, err);
		retried = status == PROAUTH2_OK;
	} else if (status == PROAUTH2_ERR_NOT_FOUND) {
		status = grant_refuse_unknown(p, hash, "refresh_token",
				req->client_id, err);
	}
	if (status == PROAUTH2_OK)
		status = refresh_from(p, req, client, old, out, err);
	/* Lost to another presentation (only under the grace): once more,
	 * from what the winner left. */
	if (status == PROAUTH2_ERR_CONFLICT) {
		json_decref(old);
		status = retry_head(p, hash, req->client_id, true, &old, err);
		if (status == PROAUTH2_OK)
			status = refresh_from(p, req, client, old, out, err);
		if (status == PROAUTH2_ERR_CONFLICT)
			status = refreshed_meanwhile(err);
		retried = true;
	}
	if (status == PROAUTH2_OK && retried)
		report_refresh_retry(p, req->client_id, record_string(old,
				"grant_id"));
	json_decref(old);
	json_decref(client);
	return status;
}

proauth2_status proauth2_token_client_credentials(proauth2_provider *p,
		const proauth2_client_credentials_request *req,
		proauth2_token_response **out, proauth2_error *err)
{
	char grant_id[GRANT_ID_SIZE];
	json_t *client = NULL;
	char *granted = NULL, *audience = NULL, *access_scope = NULL;
	proauth2_status status;

	if (out == NULL || p == NULL || req == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, request and out are required");
	*out = NULL;
	status = REQUEST_CHECK(req, proauth2_client_credentials_request, scope, err);
	if (status == PROAUTH2_OK)
		status = authorize_client(p, req->client_id, req->client_secret,
				REQUEST_METHOD(req, proauth2_client_credentials_request),
				PROAUTH2_GRANT_CLIENT_CREDENTIALS, &client, err);
	/* Registration refuses the grant to public clients; check anyway. */
	if (status == PROAUTH2_OK && record_string(client, "secret_hash") == NULL)
		status = proauth2_error_set(err, PROAUTH2_ERR_UNAUTHORIZED_CLIENT,
				"a public client cannot use client_credentials");
	if (status == PROAUTH2_OK)
		status = scope_resolve(p, req->scope, record_string(client, "scope"),
				&granted, err);
	if (status == PROAUTH2_OK)
		status = new_audience(p, REQUEST_RESOURCE(req,
				proauth2_client_credentials_request), granted, &audience,
				&access_scope, err);
	if (status == PROAUTH2_OK) {
		grant_tokens tokens = {
			.client_id = req->client_id,
			.grant_id = grant_id,
			.scope = access_scope,
			.audience = audience,
		};
		grant_new_id(grant_id);
		status = grant_issue(p, &tokens, out, err);
	}
	free(audience);
	free(access_scope);
	free(granted);
	json_decref(client);
	return status;
}

/* The host's check_password behind the throttle of "user:<username>",
 * counted alike whether or not the user exists. */
static proauth2_status check_user(proauth2_provider *p, const char *username,
		const char *password, proauth2_error *err)
{
	char subject[THROTTLE_SUBJECT_SIZE];
	int64_t retry_after;
	bool found, ok;
	proauth2_status status = throttle_subject(subject, sizeof(subject), "user",
			username, err);

	if (status == PROAUTH2_OK)
		status = throttle_check_found(p, subject, &retry_after, &found, err);
	if (status != PROAUTH2_OK)
		return status;
	if (retry_after > 0)
		return throttle_refused(retry_after, PROAUTH2_ERR_INVALID_GRANT, err);
	ok = p->check_password(p->password_arg, username, password);
	status = throttle_record_found(p, subject, ok, found, err);
	if (status != PROAUTH2_OK)
		return status;
	return ok ? PROAUTH2_OK : proauth2_error_set(err, PROAUTH2_ERR_INVALID_GRANT,
			"the resource owner credentials are wrong");
}

proauth2_status proauth2_token_password(proauth2_provider *p,
		const proauth2_password_request *req, proauth2_token_response **out,
		proauth2_error *err)
{
	char grant_id[GRANT_ID_SIZE];
	json_t *client = NULL;
	char *granted = NULL, *audience = NULL, *access_scope = NULL;
	const char *client_id, *username, *password;
	proauth2_status status;

	if (out == NULL || p == NULL || req == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, request and out are required");
	*out = NULL;
	status = REQUEST_CHECK(req, proauth2_password_request, scope, err);
	if (status != PROAUTH2_OK)
		return status;
	client_id = req->client_id;
	username = req->username;
	password = req->password;
	if (!p->enable_password_grant || p->check_password == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_UNSUPPORTED_GRANT_TYPE,
				"the password grant is not enabled");
	status = authorize_client(p, client_id, req->client_secret,
			REQUEST_METHOD(req, proauth2_password_request),
			PROAUTH2_GRANT_PASSWORD, &client, err);
	if (status == PROAUTH2_OK && (username == NULL || password == NULL ||
			username[0] == '\0'))
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"username and password are required");
	if (status == PROAUTH2_OK && (strlen(username) > PRESENTED_SECRET_MAX ||
			strlen(password) > PRESENTED_SECRET_MAX))
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_GRANT,
				"the resource owner credentials are wrong");
	if (status == PROAUTH2_OK)
		status = check_user(p, username, password, err);
	if (status == PROAUTH2_OK)
		status = scope_resolve(p, req->scope, record_string(client, "scope"),
				&granted, err);
	if (status == PROAUTH2_OK)
		status = new_audience(p, REQUEST_RESOURCE(req,
				proauth2_password_request), granted, &audience,
				&access_scope, err);
	if (status == PROAUTH2_OK) {
		grant_tokens tokens = {
			.client_id = client_id,
			.user_id = username,
			.grant_id = grant_id,
			.scope = access_scope,
			.refresh_scope = may_refresh(p, client) ? granted : NULL,
			.resource = audience,
			.audience = audience,
			.revocable = true,
		};
		grant_new_id(grant_id);
		status = grant_issue(p, &tokens, out, err);
	}
	free(audience);
	free(access_scope);
	free(granted);
	json_decref(client);
	return status;
}
