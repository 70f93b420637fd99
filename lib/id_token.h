/* OpenID Connect id_tokens (Core §2): the facts of an authentication kept
 * with its grant, and the signed token made of them at the token
 * endpoint. */
#ifndef PROAUTH2_LIB_ID_TOKEN_H
#define PROAUTH2_LIB_ID_TOKEN_H

#include "grant.h"

/* Whether a grant of scope is an OpenID Connect authentication. */
bool id_token_wanted(const proauth2_provider *p, const char *scope);

/* The id_claims a code of req with scope keeps (nonce, auth_time, acr,
 * amr, sid, and req's id_token_claims), compact JSON text in *out
 * (free()); NULL when the grant is no OpenID Connect authentication. Its
 * userinfo_claims are checked too, for the code to keep. A fact breaking
 * its rules (too long, not UTF-8, an auth_time to come, claim names that
 * are none): PROAUTH2_ERR_INVALID_ARGUMENT, or for the nonce, which the
 * client sent, and for all of them too long together,
 * PROAUTH2_ERR_INVALID_REQUEST. */
proauth2_status id_claims_make(proauth2_provider *p,
		const proauth2_code_request *req, const char *scope, char **out,
		proauth2_error *err);

/* Whether s may go into an id_token as a fact: 1 to
 * PROAUTH2_ID_CLAIM_MAX_LENGTH bytes of UTF-8, no control character; or
 * NULL. */
bool id_fact_ok(const char *s);

/* The OpenID Connect parameters of an authorization request (NULL:
 * absent). */
typedef struct id_request_params {
	const char *nonce;
	const char *prompt;
	const char *max_age;
	const char *id_token_hint;
	/* Core §6 and §7.2.1, which we do not support. */
	const char *request;
	const char *request_uri;
	const char *registration;
	const char *claims;  /* Core §5.5 (claims_request.h) */
} id_request_params;

/* The OpenID Connect parameters of an authorization request for scope,
 * checked: an invalid_request (PROAUTH2_ERR_INVALID_REQUEST, with why), or
 * request_not_supported and its kin (Core §3.1.2.6) otherwise. A request
 * that is no OpenID Connect authentication passes whatever they say. */
proauth2_status id_request_check(proauth2_provider *p, const char *scope,
		const id_request_params *r, proauth2_error *err);

/* The subject of hint, an id_token this provider signed (by a published
 * key, its own issuer; expired or not, Core §3.1.2.1), in *sub (free()).
 * Any other token: PROAUTH2_ERR_INVALID_REQUEST. */
proauth2_status id_token_hint_subject(proauth2_provider *p, const char *hint,
		char **sub, proauth2_error *err);

/* hint's claims, as id_token_hint_subject() checks it, in *claims. */
proauth2_status id_token_hint_read(proauth2_provider *p, const char *hint,
		json_t **claims, proauth2_error *err);

/* Whether the space-delimited prompt holds value. */
bool id_prompt_has(const char *prompt, const char *value);

/* max_age's seconds, or -1 when absent or malformed. */
int64_t id_max_age(const char *max_age);

/* The id_token of t's grant, issued beside access_token (its at_hash), in
 * *out (proauth2_secret_free()). The nonce only when a code is spent: a
 * refresh is no authentication request (Core §12.2). */
proauth2_status id_token_issue(proauth2_provider *p, const grant_tokens *t,
		const char *access_token, char **out, proauth2_error *err);

#endif
