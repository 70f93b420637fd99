/* Access-token validation: what a resource server asks of every request. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto.h"
#include "internal.h"

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
	info->issued_at = json_integer_value(json_object_get(record, "issued_at"));
	info->expires_at = json_integer_value(json_object_get(record, "expires_at"));
	if (!ok) {
		proauth2_token_info_free(info);
		return NO_MEMORY(err);
	}
	*out = info;
	return PROAUTH2_OK;
}

proauth2_status proauth2_token_validate(proauth2_provider *p,
		const char *access_token, proauth2_token_info **out,
		proauth2_error *err)
{
	char hash[PROAUTH2_HASH_SIZE];
	json_t *record;
	proauth2_status status;

	if (out != NULL)
		*out = NULL;
	if (p == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider is required");
	if (access_token == NULL || access_token[0] == '\0' ||
			strlen(access_token) > PRESENTED_SECRET_MAX)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
				"the access token is invalid");
	status = proauth2_hash(access_token, hash, err);
	if (status != PROAUTH2_OK)
		return status;
	status = fetch_one(p, TABLE_ACCESS_TOKENS, "token_hash", hash, &record, err);
	if (status == PROAUTH2_ERR_NOT_FOUND)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TOKEN,
				"the access token is invalid, expired or revoked");
	if (status != PROAUTH2_OK)
		return status;
	if (out != NULL)
		status = info_from_record(record, out, err);
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
	free(info);
}

void proauth2_token_response_free(proauth2_token_response *r)
{
	if (r == NULL)
		return;
	proauth2_secret_free(r->access_token);
	proauth2_secret_free(r->refresh_token);
	free(r->scope);
	free(r);
}
