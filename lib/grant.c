/*
 * What every grant shares.
 *
 * Spending a one-time secret (a code, a refresh token) is three steps, in
 * one group of writes: record its hash in spent_tokens (the mark stays, to
 * recognise a later replay), store the tokens it issues, remove its
 * record. The removal decides: the datastore counts one removal of a
 * record, so exactly one of any number of presentations succeeds, and the
 * others are replays that revoke the grant. Until the removal the record
 * is there, so a presentation after a failure at any step spends it
 * again: a mark found stored is an earlier try's, and the removal still
 * decides. When the removal's answer is lost, a look at the record and the
 * tokens settles it. A replay revokes the grant: it marks the grant in
 * revoked_grants, then removes its tokens; validation honours the mark, so
 * a removal that fails midway leaves nothing valid. docs/ARCHITECTURE.md
 * argues it at length.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uuid/uuid.h>

#include "crypto.h"
#include "event.h"
#include "grant.h"
#include "id_token.h"
#include "jwt.h"
#include "session.h"

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

	uuid_random(uuid);  /* the random bits and variant */
	clock_gettime(CLOCK_REALTIME, &now);
	ms = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
	for (i = 0; i < 6; i++)
		uuid[i] = (unsigned char)(ms >> (40 - 8 * i));
	uuid[6] = (unsigned char)(0x70 | (uuid[6] & 0x0f));
	uuid_unparse_lower(uuid, id);
}

/* Store a token record (a refresh token's with its parent and the
 * grant's id_claims); *token receives the token in clear. */
static proauth2_status store_token(proauth2_provider *p, const char *table,
		const grant_tokens *t, const char *scope, const char *resource,
		const char *parent, int64_t lifetime, char **token,
		proauth2_error *err)
{
	char hash[HASH_SIZE];
	int64_t now = proauth2_provider_now(p);
	proauth2_status status;

	status = proauth2_secret_new(token, err);
	if (status == PROAUTH2_OK)
		status = sha256_base64url(*token, hash, err);
	if (status == PROAUTH2_OK)
		status = store_record(p, table, json_pack(
				"{s:s, s:s, s:s*, s:s, s:s, s:I, s:I, s:s*, s:s*, s:s*, s:s*, s:s*}",
				"token_hash", hash,
				"client_id", t->client_id,
				"user_id", t->user_id,
				"grant_id", t->grant_id,
				"scope", scope,
				"issued_at", (json_int_t)now,
				"expires_at", (json_int_t)(now + lifetime),
				"attributes", t->attributes,
				"resource", resource,
				"parent", parent,
				"id_claims", strcmp(table, TABLE_REFRESH_TOKENS) == 0 ?
					t->id_claims : NULL,
				"userinfo_claims", t->userinfo_claims), err);
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

	if (token != NULL && !jwt_shaped(token) &&
			sha256_base64url(token, hash, NULL) == PROAUTH2_OK)
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

proauth2_status grant_is_revoked(proauth2_provider *p, const char *grant_id,
		bool *revoked, proauth2_error *err)
{
	json_t *mark;
	proauth2_status status = fetch_one(p, TABLE_REVOKED_GRANTS, "grant_id",
			grant_id, &mark, err);

	json_decref(mark);
	*revoked = status == PROAUTH2_OK;
	return status == PROAUTH2_ERR_NOT_FOUND ? PROAUTH2_OK : status;
}

/*
 * After storing a revocable grant's tokens: if a replay revoked the grant
 * meanwhile, its removal may have run before our store, so remove them
 * ourselves (finishing a revocation that failed midway, too).
 */
static proauth2_status refuse_if_revoked(proauth2_provider *p,
		const char *grant_id, proauth2_error *err)
{
	bool revoked;
	proauth2_status status = grant_is_revoked(p, grant_id, &revoked, err);

	if (status != PROAUTH2_OK || !revoked)
		return status;
	status = grant_revoke(p, grant_id, err);
	if (status != PROAUTH2_OK)
		return status;
	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_GRANT,
			"the grant is revoked");
}

static bool spends_refresh(const grant_spending *s)
{
	return s != NULL && strcmp(s->table, TABLE_REFRESH_TOKENS) == 0;
}

/* The links a retry follows (refresh_retry.h), written only when retries
 * are allowed: a random hash in an index costs each refresh a random page
 * write, which the strict default need not pay. */
static bool links_kept(const proauth2_provider *p)
{
	return p->refresh_reuse_grace > 0;
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
	/* A JWT is not stored: its signature vouches for it. Not for a
	 * client of pairwise subjects: its sub would tell it the user id. */
	if (jwt_wanted(p, t->audience) && t->subject_sector == NULL) {
		r->expires_in = p->jwt_access_token_lifetime;
		status = jwt_issue(p, t, &r->access_token, err);
	} else {
		status = store_token(p, TABLE_ACCESS_TOKENS, t, t->scope, t->audience,
				NULL, p->access_token_lifetime, &r->access_token, err);
	}
	if (status == PROAUTH2_OK && t->refresh_scope != NULL)
		status = store_token(p, TABLE_REFRESH_TOKENS, t, t->refresh_scope,
				t->resource, links_kept(p) && spends_refresh(t->spending) ?
				t->spending->hash : NULL, p->refresh_token_lifetime,
				&r->refresh_token, err);
	if (status == PROAUTH2_OK && t->id_claims != NULL &&
			id_token_wanted(p, t->scope))
		status = id_token_issue(p, t, r->access_token, &r->id_token, err);
	/* The login's session lives as long as its grant's newest token. */
	if (status == PROAUTH2_OK && t->id_claims != NULL &&
			t->refresh_scope != NULL && spends_refresh(t->spending))
		status = session_keep(p, t->user_id, t->id_claims, t->client_id,
				t->grant_id, t->refresh_scope, err);
	if (status == PROAUTH2_OK && t->revocable)
		status = refuse_if_revoked(p, t->grant_id, err);
	if (status != PROAUTH2_OK) {
		grant_discard(p, r);
		return status;
	}
	*out = r;
	return PROAUTH2_OK;
}

/* A presentation of a secret spent by another: revoke its grant. */
static proauth2_status refuse_replay(proauth2_provider *p,
		const char *client_id, const char *grant_id, const char *what,
		proauth2_error *err)
{
	proauth2_status status = grant_revoke(p, grant_id, err);

	if (status != PROAUTH2_OK)
		return status;
	report_replay(p, client_id, grant_id);
	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_GRANT,
			"%s was already used: the grant is revoked", what);
}

static const char *spent_what(const grant_spending *s)
{
	return strcmp(s->table, TABLE_CODES) == 0 ? "code" : "refresh_token";
}

/* Step 1: the spent mark. Found stored, it is an earlier try's, or a
 * racer's: the removal decides between them. */
static proauth2_status mark_spent(proauth2_provider *p, const grant_tokens *t,
		proauth2_error *err)
{
	bool links = links_kept(p);
	proauth2_status status = store_record(p, TABLE_SPENT_TOKENS, json_pack(
			"{s:s, s:s, s:I, s:o*, s:s*}", "token_hash", t->spending->hash,
			"grant_id", t->grant_id,
			"expires_at", (json_int_t)grant_horizon(p),
			"spent_at", links ? json_integer(proauth2_provider_now(p)) : NULL,
			"parent", links ? t->spending->parent : NULL), err);

	return status == PROAUTH2_ERR_CONFLICT ? PROAUTH2_OK : status;
}

/* Step 3: remove the spent secret's record; *unsure if its answer was
 * lost. Removed by someone else first, this presentation lost to another,
 * or the grant was revoked: a replay, unless retries of refresh tokens are
 * allowed, when the loser may retry (and a revoked grant refuses that). */
static proauth2_status consume(proauth2_provider *p, const grant_tokens *t,
		bool *unsure, proauth2_error *err)
{
	const grant_spending *s = t->spending;
	size_t removed = 0;
	proauth2_status status = remove_where(p, s->table,
			json_pack("{s:s}", s->key, s->hash), &removed, err);

	*unsure = status == PROAUTH2_ERR_OUTCOME_UNKNOWN;
	if (status != PROAUTH2_OK || removed == 1)
		return status;
	if (spends_refresh(s) && p->refresh_reuse_grace > 0)
		return proauth2_error_set(err, PROAUTH2_ERR_CONFLICT,
				"another presentation of the refresh token won");
	return refuse_replay(p, t->client_id, t->grant_id, spent_what(s), err);
}

/* r's access token is stored. */
static bool stored(proauth2_provider *p, const proauth2_token_response *r)
{
	char hash[HASH_SIZE];
	json_t *record = NULL;
	bool found = sha256_base64url(r->access_token, hash, NULL) == PROAUTH2_OK &&
		fetch_one(p, TABLE_ACCESS_TOKENS, "token_hash", hash, &record,
				NULL) == PROAUTH2_OK;

	json_decref(record);
	return found;
}

/*
 * The removal's answer was lost, or its group's end's: look. The spent
 * record gone and the tokens stored, it happened, and the tokens are
 * answered. Else nothing was spent (or it cannot be seen yet): unknown
 * still, a 503, and the retry spends the record again.
 */
static proauth2_status settle(proauth2_provider *p, const grant_spending *s,
		const proauth2_token_response *r, proauth2_status unknown)
{
	json_t *record = NULL;
	proauth2_status status = fetch_one(p, s->table, s->key, s->hash, &record,
			NULL);

	json_decref(record);
	return status == PROAUTH2_ERR_NOT_FOUND && stored(p, r) ? PROAUTH2_OK :
		unknown;
}

proauth2_status grant_spend_and_issue(proauth2_provider *p,
		const grant_tokens *t, proauth2_token_response **out,
		proauth2_error *err)
{
	bool unsure = false;
	proauth2_status durable, status = report_datastore(p,
			datastore_begin_writes(p->datastore, err), err);

	*out = NULL;
	if (status != PROAUTH2_OK)
		return status;
	status = mark_spent(p, t, err);
	if (status == PROAUTH2_OK)
		status = grant_issue(p, t, out, err);
	if (status == PROAUTH2_OK)
		status = consume(p, t, &unsure, err);
	durable = report_datastore(p, datastore_end_writes(p->datastore, err), err);
	if (status == PROAUTH2_OK) {
		status = durable;
		unsure = durable == PROAUTH2_ERR_OUTCOME_UNKNOWN;
	} else if (durable != PROAUTH2_OK && status == PROAUTH2_ERR_INVALID_GRANT) {
		status = durable;  /* the revocation too may be lost: a retry finds out */
	}
	if (unsure)
		status = settle(p, t->spending, *out, status);
	if (status != PROAUTH2_OK && *out != NULL) {
		grant_discard(p, *out);
		*out = NULL;
	}
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
