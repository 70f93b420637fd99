/* What every grant shares: issuing tokens, spending one-time secrets, and
 * revoking a whole grant. */
#ifndef PROAUTH2_LIB_GRANT_H
#define PROAUTH2_LIB_GRANT_H

#include "internal.h"

/* A grant id is a UUID string. */
#define GRANT_ID_SIZE 37

void grant_new_id(char id[GRANT_ID_SIZE]);

/* No token issued now outlives this time: how long a record of a spent
 * code or a revoked grant must be kept. */
int64_t grant_horizon(const proauth2_provider *p);

/* A one-time secret (a code or a refresh token) being spent: its record
 * is table's under key = hash. A refresh token's parent is its record's:
 * the spent mark keeps it, for a retry to follow (refresh_retry.h). */
typedef struct grant_spending {
	const char *table;
	const char *key;
	const char *hash;
	const char *parent;  /* NULL: none */
} grant_spending;

/* The tokens one grant issues at once. */
typedef struct grant_tokens {
	const char *client_id;
	const char *user_id;        /* NULL for client_credentials */
	const char *grant_id;
	const char *scope;          /* of the access token */
	const char *refresh_scope;  /* NULL: issue no refresh token */
	const char *attributes;     /* the grant's, stored compact; NULL: none */
	const char *resource;       /* the grant's resources; NULL: none */
	const char *audience;       /* the access token's; NULL: none */
	/* OpenID Connect: the code's id_claims (id_token.h), kept with the
	 * refresh token; NULL: no id_token. */
	const char *id_claims;
	const char *userinfo_claims;  /* the code's (claims_request.h); NULL: none */
	const char *id_token_alg;   /* the client's; NULL: RS256 */
	const char *subject_sector; /* the client's (pairwise.h); NULL: public */
	/* Codes and refresh tokens can be replayed, revoking their grant while
	 * we issue: check for that after storing (see grant.c). */
	bool revocable;
	const grant_spending *spending;  /* NULL: no secret is spent */
} grant_tokens;

/* Store t's tokens. A grant revoked meanwhile (or before) is refused with
 * PROAUTH2_ERR_INVALID_GRANT, and its tokens removed. */
proauth2_status grant_issue(proauth2_provider *p, const grant_tokens *t,
		proauth2_token_response **out, proauth2_error *err);

/* Remove r's tokens, best effort, and free r: no half-issued response is
 * left behind a failure. Accepts NULL. */
void grant_discard(proauth2_provider *p, proauth2_token_response *r);

/*
 * Spend the code or refresh token t->spending names and issue t's tokens,
 * as one group of writes. Of any number of presentations at once, exactly
 * one succeeds; the others are replays, get PROAUTH2_ERR_INVALID_GRANT and
 * revoke the grant, which is reported. Until one succeeds, the record
 * stays: a presentation after a failed one (any step, any outcome) spends
 * it again. A presentation after a successful one finds nothing to spend:
 * the caller refuses it (grant_refuse_unknown). Under
 * config.refresh_reuse_grace, a refresh token's losing presentation
 * revokes nothing: it gets PROAUTH2_ERR_CONFLICT, to retry (refresh_retry.h).
 */
proauth2_status grant_spend_and_issue(proauth2_provider *p,
		const grant_tokens *t, proauth2_token_response **out,
		proauth2_error *err);

/* A code or refresh token client_id presented was not found: if it was
 * spent before, this is a replay, its grant is revoked and reported.
 * Returns PROAUTH2_ERR_INVALID_GRANT (or the datastore's error). */
proauth2_status grant_refuse_unknown(proauth2_provider *p, const char *hash,
		const char *what, const char *client_id, proauth2_error *err);

/* The code or refresh token under hash, presented by client_id anywhere
 * (token, revocation, introspection), was spent before: a reuse. Then its
 * grant is revoked, the replay reported and *spent set; a token never seen
 * leaves *spent false. Either way PROAUTH2_OK, unless the datastore fails. */
proauth2_status grant_revoke_if_spent(proauth2_provider *p, const char *hash,
		const char *client_id, bool *spent, proauth2_error *err);

/* Whether grant_id carries a revocation mark: a token of it is dead even
 * if the revocation's removals failed. */
proauth2_status grant_is_revoked(proauth2_provider *p, const char *grant_id,
		bool *revoked, proauth2_error *err);

/* Revoke every code and token of a grant, including ones being issued now. */
proauth2_status grant_revoke(proauth2_provider *p, const char *grant_id,
		proauth2_error *err);

#endif
