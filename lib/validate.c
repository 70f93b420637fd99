/* Access-token validation: what a resource server asks of every request. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto.h"
#include "grant.h"
#include "internal.h"
#include "jwt.h"
#include "resources.h"

static proauth2_status info_from_record(const json_t *record,
		proauth2_token_info **out, proauth2_error *err)
{
	proauth2_token_info *info = calloc(1, sizeof(*info));
	bool ok = info != NULL;

	if (info == NULL)
		return NO_MEMORY(err);
	info->client_id = dup_or_null(record_string(record, "client_id"), &ok);
	info->user_id = dup_or_null(record_string(record, "user_id"), &ok);
	info->scope = dup_or_null(record_string(record, "scope"), &ok);
	info->attributes = dup_or_null(record_string(record, "attributes"), &ok);
	info->audience = dup_or_null(record_string(record, "resource"), &ok);
	info->userinfo_claims = dup_or_null(record_string(record,
			"userinfo_claims"), &ok);
	info->issued_at = json_integer_value(json_object_get(record, "issued_at"));
	info->expires_at = json_integer_value(json_object_get(record, "expires_at"));
	if (!ok) {
		proauth2_token_info_free(info);
		return NO_MEMORY(err);
	}
	*out = info;
	return PROAUTH2_OK;
}

/* The live token record in table; PROAUTH2_ERR_INVALID_TOKEN if none. */
static proauth2_status find_token(proauth2_provider *p, const char *table,
		const char *token, json_t **record, proauth2_error *err)
{
	char hash[HASH_SIZE];
	bool joined, revoked = false;
	proauth2_status status;

	*record = NULL;
	if (token != NULL && jwt_shaped(token))
		return strcmp(table, TABLE_ACCESS_TOKENS) == 0 ?
			jwt_verify(p, token, record, err) :
			proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
					"the token is invalid");
	if (token == NULL || token[0] == '\0' || strlen(token) > PRESENTED_SECRET_MAX)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
				"the token is invalid");
	/* A revocation whose removals failed midway still kills it: the
	 * grant's mark is read with the token where the backend can. */
	status = sha256_base64url(token, hash, err);
	if (status == PROAUTH2_OK)
		status = fetch_one_unmarked(p, table, "token_hash", hash,
				TABLE_REVOKED_GRANTS, record, &joined, err);
	if (status == PROAUTH2_ERR_NOT_FOUND)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
				"the token is invalid, expired or revoked");
	/* Else by a read of its own. Only grants with a user can be revoked
	 * whole (a replay, a refresh token's revocation): a
	 * client_credentials token costs no look. */
	if (status == PROAUTH2_OK && !joined &&
			record_string(*record, "user_id") != NULL)
		status = grant_is_revoked(p, record_string(*record, "grant_id"),
				&revoked, err);
	if (status == PROAUTH2_OK && revoked)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
				"the token is invalid, expired or revoked");
	if (status != PROAUTH2_OK) {
		json_decref(*record);
		*record = NULL;
	}
	return status;
}

/* Validation, for resource (NULL: whichever the token is for). */
static proauth2_status validate(proauth2_provider *p, const char *access_token,
		const char *resource, proauth2_token_info **out, proauth2_error *err)
{
	json_t *record;
	proauth2_status status;

	if (out != NULL)
		*out = NULL;
	status = find_token(p, TABLE_ACCESS_TOKENS, access_token, &record, err);
	if (status == PROAUTH2_OK && resource != NULL &&
			!resources_accept(p, record_string(record, "resource"), resource))
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
				"the token is not meant for this resource");
	if (status == PROAUTH2_OK && out != NULL)
		status = info_from_record(record, out, err);
	json_decref(record);
	return status;
}

proauth2_status proauth2_token_validate(proauth2_provider *p,
		const char *access_token, proauth2_token_info **out,
		proauth2_error *err)
{
	if (out != NULL)
		*out = NULL;
	if (p == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider is required");
	return validate(p, access_token, NULL, out, err);
}

proauth2_status proauth2_token_validate_for(proauth2_provider *p,
		const char *access_token, const char *resource,
		proauth2_token_info **out, proauth2_error *err)
{
	if (out != NULL)
		*out = NULL;
	if (p == NULL || resource == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider and resource are required");
	return validate(p, access_token, resource, out, err);
}

/* token is no live token: if it is a spent refresh token (or code), this
 * is a reuse and its grant goes, as at the token endpoint. Still inactive. */
static proauth2_status refuse_unknown(proauth2_provider *p,
		const char *client_id, const char *token, proauth2_error *err)
{
	char hash[HASH_SIZE];
	proauth2_status status;
	bool spent;

	if (token == NULL || token[0] == '\0' || strlen(token) > PRESENTED_SECRET_MAX)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
				"the token is invalid");
	status = sha256_base64url(token, hash, err);
	if (status == PROAUTH2_OK)
		status = grant_revoke_if_spent(p, hash, client_id, &spent, err);
	if (status != PROAUTH2_OK)
		return status;
	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
			spent ? "the token was already used: its grant is revoked" :
			"the token is invalid, expired or revoked");
}

/* Whether the access token of record is meant for resource, and its
 * resource servers may look at it. */
static bool token_meant_for(proauth2_provider *p, const json_t *record,
		const char *resource)
{
	return resources_accept(p, record_string(record, "resource"), resource) &&
		resources_allow_introspection(p, resource);
}

/* When record is another client's token: PROAUTH2_OK if client_id is a
 * resource server, confidential (a public client's id is no credential,
 * RFC 7662 §2.1), and record is an access token meant for its resource;
 * else PROAUTH2_ERR_INVALID_TOKEN. Costs a read only in that case. */
static proauth2_status resource_view(proauth2_provider *p, const char *client_id,
		const json_t *record, bool is_refresh_token, proauth2_error *err)
{
	json_t *client = NULL;
	proauth2_status status;

	if (is_refresh_token)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
				"the token was issued to another client");
	status = fetch_one(p, TABLE_CLIENTS, "client_id", client_id, &client, err);
	if (status == PROAUTH2_ERR_NOT_FOUND)  /* deleted since it authenticated */
		status = PROAUTH2_ERR_INVALID_TOKEN;
	if (status == PROAUTH2_OK && (record_string(client, "secret_hash") == NULL ||
			!token_meant_for(p, record, record_string(client, "resource"))))
		status = PROAUTH2_ERR_INVALID_TOKEN;
	json_decref(client);
	if (status == PROAUTH2_ERR_INVALID_TOKEN)
		return proauth2_error_set(err, status,
				"the token was issued to another client");
	return status;
}

proauth2_status proauth2_token_introspect(proauth2_provider *p,
		const char *client_id, const char *token, proauth2_token_hint hint,
		proauth2_token_info **out, proauth2_error *err)
{
	const char *tables[2] = {TABLE_ACCESS_TOKENS, TABLE_REFRESH_TOKENS};
	json_t *record = NULL;
	proauth2_status status = PROAUTH2_ERR_INVALID_TOKEN;
	bool refresh;
	size_t i;

	if (out != NULL)
		*out = NULL;
	if (p == NULL || client_id == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider and client_id are required");
	if (hint == PROAUTH2_HINT_REFRESH_TOKEN) {
		tables[0] = TABLE_REFRESH_TOKENS;
		tables[1] = TABLE_ACCESS_TOKENS;
	}
	for (i = 0; i < 2 && status == PROAUTH2_ERR_INVALID_TOKEN; i++)
		status = find_token(p, tables[i], token, &record, err);
	if (status == PROAUTH2_ERR_INVALID_TOKEN)
		return refuse_unknown(p, client_id, token, err);
	if (status != PROAUTH2_OK)
		return status;
	refresh = strcmp(tables[i - 1], TABLE_REFRESH_TOKENS) == 0;
	if (strcmp(record_string(record, "client_id"), client_id) != 0)
		status = resource_view(p, client_id, record, refresh, err);
	if (status == PROAUTH2_OK && out != NULL)
		status = info_from_record(record, out, err);
	if (status == PROAUTH2_OK && out != NULL)
		(*out)->is_refresh_token = refresh;
	json_decref(record);
	return status;
}

void proauth2_token_info_free(proauth2_token_info *info)
{
	if (info == NULL)
		return;
	free(info->client_id);
	free(info->user_id);
	free(info->scope);
	free(info->attributes);
	free(info->audience);
	free(info->userinfo_claims);
	free(info);
}

void proauth2_token_response_free(proauth2_token_response *r)
{
	if (r == NULL)
		return;
	proauth2_secret_free(r->access_token);
	proauth2_secret_free(r->refresh_token);
	proauth2_secret_free(r->id_token);
	free(r->scope);
	free(r);
}
