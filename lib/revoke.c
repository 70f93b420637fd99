/* Token revocation (RFC 7009) and revoking what a user granted a client. */
#include <string.h>

#include "crypto.h"
#include "grant.h"
#include "jwt.h"

/*
 * Revoke the token under hash in table if it is there. *found tells whether
 * it was; a token of another client is refused (RFC 7009 §2.1).
 */
static proauth2_status revoke_in(proauth2_provider *p, const char *table,
		const char *client_id, const char *hash, bool *found,
		proauth2_error *err)
{
	json_t *record;
	proauth2_status status = fetch_one(p, table, "token_hash", hash, &record, err);

	*found = status == PROAUTH2_OK;
	if (status == PROAUTH2_ERR_NOT_FOUND)
		return PROAUTH2_OK;
	if (status != PROAUTH2_OK)
		return status;
	if (strcmp(record_string(record, "client_id"), client_id) != 0)
		status = proauth2_error_set(err, PROAUTH2_ERR_UNAUTHORIZED_CLIENT,
				"the token was issued to another client");
	else if (strcmp(table, TABLE_REFRESH_TOKENS) == 0)
		/* RFC 7009 §2.1: the access tokens of its grant go with it. */
		status = grant_revoke(p, record_string(record, "grant_id"), err);
	else
		status = remove_where(p, table,
				json_pack("{s:s}", "token_hash", hash), NULL, err);
	json_decref(record);
	return status;
}

/* A JWT access token: RFC 7009 §2.1 lets its grant go with it, which is
 * the only mark validation can see (when it looks, jwt_revocation_check). */
static proauth2_status revoke_jwt(proauth2_provider *p, const char *client_id,
		const char *token, proauth2_error *err)
{
	json_t *record = NULL;
	proauth2_status status = jwt_verify(p, token, &record, err);

	if (status == PROAUTH2_ERR_INVALID_TOKEN)
		return PROAUTH2_OK;  /* §2.2 */
	if (status == PROAUTH2_OK &&
			strcmp(record_string(record, "client_id"), client_id) != 0)
		status = proauth2_error_set(err, PROAUTH2_ERR_UNAUTHORIZED_CLIENT,
				"the token was issued to another client");
	else if (status == PROAUTH2_OK)
		status = grant_revoke(p, record_string(record, "grant_id"), err);
	json_decref(record);
	return status;
}

proauth2_status proauth2_token_revoke(proauth2_provider *p, const char *client_id,
		const char *token, proauth2_token_hint hint, proauth2_error *err)
{
	const char *order[2] = {TABLE_ACCESS_TOKENS, TABLE_REFRESH_TOKENS};
	char hash[HASH_SIZE];
	proauth2_status status;
	bool found = false;
	size_t i;

	if (p == NULL || client_id == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider and client_id are required");
	if (token == NULL || token[0] == '\0')
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"token is missing");
	if (jwt_shaped(token))
		return revoke_jwt(p, client_id, token, err);
	/* §2.2: an invalid token is no error. */
	if (strlen(token) > PRESENTED_SECRET_MAX)
		return PROAUTH2_OK;
	status = sha256_base64url(token, hash, err);
	if (hint == PROAUTH2_HINT_REFRESH_TOKEN) {
		order[0] = TABLE_REFRESH_TOKENS;
		order[1] = TABLE_ACCESS_TOKENS;
	}
	for (i = 0; i < 2 && status == PROAUTH2_OK && !found; i++)
		status = revoke_in(p, order[i], client_id, hash, &found, err);
	/* A spent refresh token (or code) is a reuse: its grant goes, as at
	 * the token endpoint. The answer stays §2.2's. */
	if (status == PROAUTH2_OK && !found)
		status = grant_revoke_if_spent(p, hash, client_id, &found, err);
	return status;
}

proauth2_status proauth2_token_revoke_user(proauth2_provider *p,
		const char *client_id, const char *user_id, size_t *removed,
		proauth2_error *err)
{
	static const char *const tables[] = {
		TABLE_CODES, TABLE_REFRESH_TOKENS, TABLE_ACCESS_TOKENS,
	};
	size_t total = 0, count, i;
	proauth2_status status = PROAUTH2_OK;

	if (removed != NULL)
		*removed = 0;
	if (p == NULL || client_id == NULL || user_id == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"provider, client_id and user_id are required");
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]) && status == PROAUTH2_OK; i++) {
		status = remove_where(p, tables[i], json_pack("{s:s, s:s}",
				"client_id", client_id, "user_id", user_id), &count, err);
		total += count;
	}
	if (removed != NULL)
		*removed = total;
	return status;
}
