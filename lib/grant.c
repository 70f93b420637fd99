/*
 * What every grant shares.
 *
 * One-time secrets (codes, refresh tokens) are spent by storing their hash
 * in spent_tokens: the datastore refuses a duplicate key, so exactly one
 * spender wins and the record stays to recognise a later replay. A replay
 * revokes the grant: it marks the grant in revoked_grants, then removes its
 * tokens. The winner checks that mark after storing its tokens, so tokens
 * stored after the removal are removed too.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uuid/uuid.h>

#include "crypto.h"
#include "event.h"
#include "grant.h"

int64_t grant_horizon(const proauth2_provider *p)
{
	int64_t longest = p->refresh_token_lifetime > p->access_token_lifetime ?
		p->refresh_token_lifetime : p->access_token_lifetime;

	return proauth2_provider_now(p) + longest;
}

/*
 * A UUID of version 7 (RFC 9562): the time in milliseconds, then random
 * bits. Ids made together sort together, so indexing a new one touches the
 * index's last page rather than a random one, and a batch of writes shares
 * that page.
 */
void grant_new_id(char id[GRANT_ID_SIZE])
{
	struct timespec now;
	uint64_t ms;
	uuid_t uuid;
	int i;

	uuid_generate_random(uuid);  /* the random bits, version 4 variant */
	clock_gettime(CLOCK_REALTIME, &now);
	ms = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
	for (i = 0; i < 6; i++)
		uuid[i] = (unsigned char)(ms >> (40 - 8 * i));
	uuid[6] = (unsigned char)(0x70 | (uuid[6] & 0x0f));
	uuid_unparse_lower(uuid, id);
}

/* Store a token record; *token receives the token in clear. */
static proauth2_status store_token(proauth2_provider *p, const char *table,
		const grant_tokens *t, const char *scope, int64_t lifetime,
		char **token, proauth2_error *err)
{
	char hash[HASH_SIZE];
	int64_t now = proauth2_provider_now(p);
	proauth2_status status;

	status = proauth2_secret_new(token, err);
	if (status == PROAUTH2_OK)
		status = sha256_base64url(*token, hash, err);
	if (status == PROAUTH2_OK)
		status = store_record(p, table, json_pack(
				"{s:s, s:s, s:s*, s:s, s:s, s:I, s:I}",
				"token_hash", hash,
				"client_id", t->client_id,
				"user_id", t->user_id,
				"grant_id", t->grant_id,
				"scope", scope,
				"issued_at", (json_int_t)now,
				"expires_at", (json_int_t)(now + lifetime)), err);
	if (status != PROAUTH2_OK) {
		proauth2_secret_free(*token);
		*token = NULL;
	}
	return status;
}

/* Remove token from table, best effort: this runs after a failure. */
static void remove_token(proauth2_provider *p, const char *table,
		const char *token)
{
	char hash[HASH_SIZE];

	if (token != NULL && sha256_base64url(token, hash, NULL) == PROAUTH2_OK)
		remove_where(p, table, json_pack("{s:s}", "token_hash", hash),
				NULL, NULL);
}

void grant_discard(proauth2_provider *p, proauth2_token_response *r)
{
	if (r == NULL)
		return;
	remove_token(p, TABLE_ACCESS_TOKENS, r->access_token);
	remove_token(p, TABLE_REFRESH_TOKENS, r->refresh_token);
	proauth2_token_response_free(r);
}

/*
 * After storing a revocable grant's tokens: if a replay revoked the grant
 * meanwhile, its removal may have run before our store, so remove them
 * ourselves. The request still succeeds, as it would have a moment before
 * the replay; the tokens it returns are dead.
 */
static proauth2_status remove_if_revoked(proauth2_provider *p,
		const char *grant_id, proauth2_error *err)
{
	json_t *mark;
	proauth2_status status = fetch_one(p, TABLE_REVOKED_GRANTS, "grant_id",
			grant_id, &mark, err);

	json_decref(mark);
	if (status == PROAUTH2_ERR_NOT_FOUND)
		return PROAUTH2_OK;
	if (status == PROAUTH2_OK)
		status = grant_revoke(p, grant_id, err);
	return status;
}

proauth2_status grant_issue(proauth2_provider *p, const grant_tokens *t,
		proauth2_token_response **out, proauth2_error *err)
{
	proauth2_token_response *r = calloc(1, sizeof(*r));
	proauth2_status status;

	*out = NULL;
	if (r == NULL)
		return NO_MEMORY(err);
	r->token_type = "Bearer";
	r->expires_in = p->access_token_lifetime;
	r->scope = strdup(t->scope);
	if (r->scope == NULL) {
		proauth2_token_response_free(r);
		return NO_MEMORY(err);
	}
	status = store_token(p, TABLE_ACCESS_TOKENS, t, t->scope,
			p->access_token_lifetime, &r->access_token, err);
	if (status == PROAUTH2_OK && t->refresh_scope != NULL)
		status = store_token(p, TABLE_REFRESH_TOKENS, t, t->refresh_scope,
				p->refresh_token_lifetime, &r->refresh_token, err);
	if (status == PROAUTH2_OK && t->revocable)
		status = remove_if_revoked(p, t->grant_id, err);
	if (status != PROAUTH2_OK) {
		grant_discard(p, r);
		return status;
	}
	*out = r;
	return PROAUTH2_OK;
}

proauth2_status grant_spend(proauth2_provider *p, const char *hash,
		const char *grant_id, int64_t expires_at, const char *client_id,
		proauth2_error *err)
{
	proauth2_status status = store_record(p, TABLE_SPENT_TOKENS, json_pack(
			"{s:s, s:s, s:I}", "token_hash", hash, "grant_id", grant_id,
			"expires_at", (json_int_t)expires_at), err);

	if (status != PROAUTH2_ERR_CONFLICT)
		return status;
	status = grant_revoke(p, grant_id, err);
	if (status != PROAUTH2_OK)
		return status;
	report_replay(p, client_id, grant_id);
	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_GRANT,
			"already used: the grant is revoked");
}

proauth2_status grant_revoke_if_spent(proauth2_provider *p, const char *hash,
		const char *client_id, bool *spent, proauth2_error *err)
{
	json_t *record;
	proauth2_status status = fetch_one(p, TABLE_SPENT_TOKENS, "token_hash",
			hash, &record, err);

	*spent = status == PROAUTH2_OK;
	if (status == PROAUTH2_ERR_NOT_FOUND)
		return PROAUTH2_OK;
	if (status != PROAUTH2_OK)
		return status;
	status = grant_revoke(p, record_string(record, "grant_id"), err);
	if (status == PROAUTH2_OK)
		report_replay(p, client_id, record_string(record, "grant_id"));
	json_decref(record);
	return status;
}

proauth2_status grant_refuse_unknown(proauth2_provider *p, const char *hash,
		const char *what, const char *client_id, proauth2_error *err)
{
	bool spent;
	proauth2_status status = grant_revoke_if_spent(p, hash, client_id, &spent,
			err);

	if (status != PROAUTH2_OK)
		return status;
	if (spent)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_GRANT,
				"%s was already used: the grant is revoked", what);
	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_GRANT,
			"%s is invalid or expired", what);
}

proauth2_status grant_revoke(proauth2_provider *p, const char *grant_id,
		proauth2_error *err)
{
	static const char *const issued[] = {
		TABLE_ACCESS_TOKENS, TABLE_REFRESH_TOKENS, TABLE_CODES,
	};
	proauth2_status status;
	size_t i;

	status = store_record(p, TABLE_REVOKED_GRANTS, json_pack("{s:s, s:I}",
			"grant_id", grant_id, "expires_at",
			(json_int_t)grant_horizon(p)), err);
	if (status != PROAUTH2_OK && status != PROAUTH2_ERR_CONFLICT)
		return status;
	for (i = 0; i < sizeof(issued) / sizeof(issued[0]); i++) {
		status = remove_where(p, issued[i],
				json_pack("{s:s}", "grant_id", grant_id), NULL, err);
		if (status != PROAUTH2_OK)
			return status;
	}
	return PROAUTH2_OK;
}
