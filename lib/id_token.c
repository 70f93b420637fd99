/* OpenID Connect id_tokens (Core §2, §3.1.3.6, §12.2). */
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include <proauth2/openid.h>

#include "claims_request.h"
#include "crypto.h"
#include "id_token.h"
#include "jws.h"
#include "key_set.h"
#include "pairwise.h"
#include "scope.h"
#include "struct_size.h"
#include "utf8.h"
#include "words.h"

/* How far ahead of our clock a host's auth_time may be. */
#define CLOCK_SKEW 60

bool id_token_wanted(const proauth2_provider *p, const char *scope)
{
	return p->openid && scope != NULL && scope_has_token(scope, "openid", 6);
}

/* A fact for the id_token: at most PROAUTH2_ID_CLAIM_MAX_LENGTH bytes of
 * UTF-8 with no control character (it is echoed into JSON and logs). */
bool id_fact_ok(const char *s)
{
	size_t len, i;

	if (s == NULL)
		return true;
	len = strlen(s);
	if (len == 0 || len > PROAUTH2_ID_CLAIM_MAX_LENGTH || !utf8_valid(s, len))
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

proauth2_status id_claims_make(proauth2_provider *p,
		const proauth2_code_request *req, const char *scope, char **out,
		proauth2_error *err)
{
	int64_t now = proauth2_provider_now(p);
	int64_t auth_time = req->auth_time != 0 ? req->auth_time : now;
	const char *id_token_claims = NULL;
	json_t *claims;
	proauth2_status status;

	*out = NULL;
	if (!id_token_wanted(p, scope))
		return PROAUTH2_OK;
	if (!id_fact_ok(req->nonce))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"nonce must be 1 to %d bytes of printable UTF-8",
				PROAUTH2_ID_CLAIM_MAX_LENGTH);
	if (!id_fact_ok(req->acr) || !id_fact_ok(req->amr) ||
			!id_fact_ok(req->session_id))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"acr, amr and session_id must be 1 to %d bytes of "
				"printable UTF-8", PROAUTH2_ID_CLAIM_MAX_LENGTH);
	if (auth_time < 0 || auth_time > now + CLOCK_SKEW)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
				"auth_time is in the future");
	if (SIZED_HAS(req, proauth2_code_request, id_token_claims)) {
		if (!claims_names_ok(req->userinfo_claims) ||
				!claims_names_ok(req->id_token_claims))
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_ARGUMENT,
					"userinfo_claims and id_token_claims must be at most "
					"%d claim names each", PROAUTH2_CLAIMS_REQUEST_MAX_CLAIMS);
		id_token_claims = req->id_token_claims;
	}
	claims = json_pack("{s:I, s:s*, s:s*, s:o*, s:s*, s:s*}",
			"auth_time", (json_int_t)auth_time,
			"nonce", req->nonce,
			"acr", req->acr,
			"amr", req->amr != NULL ? words_array(req->amr) : NULL,
			"sid", req->session_id,
			"id_token_claims", id_token_claims);
	if (claims != NULL)
		*out = json_dumps(claims, JSON_COMPACT);
	json_decref(claims);
	status = *out != NULL ? PROAUTH2_OK : NO_MEMORY(err);
	/* A client's nonce and claim names, the host's facts: together they
	 * may not fit the record. */
	if (status == PROAUTH2_OK && strlen(*out) > PROAUTH2_FIELD_MAX_LENGTH)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"the nonce, the claims asked for and the login's facts "
				"are longer than %d bytes together",
				PROAUTH2_FIELD_MAX_LENGTH);
	if (status == PROAUTH2_OK)
		return PROAUTH2_OK;
	free(*out);
	*out = NULL;
	return status;
}

bool id_prompt_has(const char *prompt, const char *value)
{
	return prompt != NULL && scope_has_token(prompt, value, strlen(value));
}

/* The longest max_age read: more than thirty years is no limit. */
#define MAX_AGE_DIGITS 9

int64_t id_max_age(const char *max_age)
{
	size_t n = max_age != NULL ? strspn(max_age, "0123456789") : 0;

	if (n == 0 || n > MAX_AGE_DIGITS || max_age[n] != '\0')
		return -1;
	return strtoll(max_age, NULL, 10);
}

/* Core §3.1.2.1's prompt: known values, none alone. */
static bool prompt_ok(const char *prompt)
{
	static const char *const values[] = {"none", "login", "consent",
		"select_account"};
	const char *s = prompt;
	size_t i, n;

	if (!scope_is_valid(prompt) || prompt[0] == '\0')
		return false;
	while (*s != '\0') {
		n = strcspn(s, " ");
		for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
			if (strlen(values[i]) == n && strncmp(values[i], s, n) == 0)
				break;
		if (i == sizeof(values) / sizeof(values[0]))
			return false;
		s += n;
		s += strspn(s, " ");
	}
	return !id_prompt_has(prompt, "none") || strcmp(prompt, "none") == 0;
}

proauth2_status id_request_check(proauth2_provider *p, const char *scope,
		const id_request_params *r, proauth2_error *err)
{
	char *sub = NULL, *userinfo_claims, *id_token_claims;
	proauth2_status status;

	if (!id_token_wanted(p, scope))
		return PROAUTH2_OK;
	if (r->request != NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_REQUEST_NOT_SUPPORTED,
				"request objects are not supported");
	if (r->request_uri != NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_REQUEST_URI_NOT_SUPPORTED,
				"request_uri is not supported");
	if (r->registration != NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_REGISTRATION_NOT_SUPPORTED,
				"the registration parameter is not supported: register first");
	if (!id_fact_ok(r->nonce))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"nonce must be 1 to %d bytes of printable UTF-8",
				PROAUTH2_ID_CLAIM_MAX_LENGTH);
	if (r->prompt != NULL && !prompt_ok(r->prompt))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"prompt must be none, or any of login, consent and "
				"select_account");
	if (r->max_age != NULL && id_max_age(r->max_age) < 0)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"max_age must be a number of seconds");
	status = claims_request_read(r->claims, &userinfo_claims,
			&id_token_claims, err);
	free(userinfo_claims);
	free(id_token_claims);
	if (status != PROAUTH2_OK || r->id_token_hint == NULL)
		return status;
	status = id_token_hint_subject(p, r->id_token_hint, &sub, err);
	free(sub);
	return status;
}

static EVP_PKEY *hint_key(const char *kid, jws_alg alg, void *arg)
{
	return key_set_public(arg, kid, alg);
}

proauth2_status id_token_hint_read(proauth2_provider *p, const char *hint,
		json_t **claims, proauth2_error *err)
{
	json_t *header = NULL;
	proauth2_status status = jws_verify(hint, hint_key, p, &header, claims,
			NULL, err);
	const char *typ = json_string_value(json_object_get(header, "typ"));
	const char *iss = json_string_value(json_object_get(*claims, "iss"));

	/* Ours, and an id_token: not an access token (at+jwt) nor a logout
	 * token (logout+jwt). */
	if (status == PROAUTH2_OK && (typ == NULL || strcmp(typ, "JWT") != 0 ||
			iss == NULL || strcmp(iss, p->issuer) != 0 ||
			json_string_value(json_object_get(*claims, "sub")) == NULL))
		status = PROAUTH2_ERR_INVALID_TOKEN;
	json_decref(header);
	if (status != PROAUTH2_OK) {
		json_decref(*claims);
		*claims = NULL;
	}
	if (status == PROAUTH2_ERR_INVALID_TOKEN)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"id_token_hint is no id_token of this provider");
	return status;
}

proauth2_status id_token_hint_subject(proauth2_provider *p, const char *hint,
		char **sub, proauth2_error *err)
{
	json_t *claims = NULL;
	proauth2_status status = id_token_hint_read(p, hint, &claims, err);

	*sub = NULL;
	if (status == PROAUTH2_OK && (*sub = strdup(json_string_value(
			json_object_get(claims, "sub")))) == NULL)
		status = NO_MEMORY(err);
	json_decref(claims);
	return status;
}

/* Core §3.1.3.6: the left half of the hash of the access token, the hash
 * the signature's alg uses (SHA-512 for Ed25519, as EdDSA signs with it). */
static void at_hash_of(jws_alg alg, const char *access_token,
		char out[BASE64URL_ENCODED_SIZE(SHA512_DIGEST_LENGTH / 2)])
{
	unsigned char digest[SHA512_DIGEST_LENGTH];
	size_t len = strlen(access_token);

	if (alg == JWS_EDDSA) {
		SHA512((const unsigned char *)access_token, len, digest);
		base64url_encode(digest, SHA512_DIGEST_LENGTH / 2, out);
	} else {
		SHA256((const unsigned char *)access_token, len, digest);
		base64url_encode(digest, SHA256_DIGEST_LENGTH / 2, out);
	}
}

/* The claims that speak for the token or the login, never the host's
 * user claims: JWT's (RFC 7519 §4.1), Core §2's and §3.1.3.6's, and those
 * of tokens an id_token could be mistaken for. */
static bool protocol_claim(const char *name)
{
	static const char *const names[] = {"iss", "sub", "aud", "exp", "nbf",
		"iat", "jti", "auth_time", "nonce", "acr", "amr", "azp", "at_hash",
		"c_hash", "s_hash", "sid", "cnf", "events", "sub_jwk", "client_id",
		"scope", "_claim_names", "_claim_sources"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* Into claims, the host's claims of t's user the request named for the
 * id_token (Core §5.5), none of them a protocol claim (ours, or one we
 * left out: a refresh's nonce, an acr the login did not have). Asked for,
 * not owed (essential or not, §5.5.1): a host that gives none, or fails,
 * leaves them out. */
static bool add_requested(proauth2_provider *p, const grant_tokens *t,
		const char *names, json_t *claims)
{
	json_t *host = NULL, *value;
	const char *name;
	bool ok = true;

	if (names == NULL || claims_of_user(p, t->user_id, t->client_id,
			t->refresh_scope != NULL ? t->refresh_scope : t->scope, &host,
			NULL) != PROAUTH2_OK)
		return true;
	json_object_foreach(host, name, value)
		if (claims_request_has(names, name) && !protocol_claim(name))
			ok = ok && json_object_set(claims, name, value) == 0;
	json_decref(host);
	return ok;
}

/* iss, sub, aud, exp, iat, at_hash, then the authentication's facts (no
 * nonce on a refresh), then the claims the request named. */
static json_t *claims_of(proauth2_provider *p, const grant_tokens *t,
		const char *sub, jws_alg alg, const char *access_token)
{
	char at_hash[BASE64URL_ENCODED_SIZE(SHA512_DIGEST_LENGTH / 2)];
	int64_t now = proauth2_provider_now(p);
	json_t *facts = json_loads(t->id_claims, 0, NULL), *claims, *requested;
	bool refresh = t->spending == NULL ||
		strcmp(t->spending->table, TABLE_CODES) != 0;

	if (facts == NULL)
		return NULL;
	at_hash_of(alg, access_token, at_hash);
	claims = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}",
			"iss", p->issuer,
			"sub", sub,
			"aud", t->client_id,
			"exp", (json_int_t)(now + p->id_token_lifetime),
			"iat", (json_int_t)now,
			"at_hash", at_hash);
	if (refresh)
		json_object_del(facts, "nonce");
	requested = json_incref(json_object_get(facts, "id_token_claims"));
	json_object_del(facts, "id_token_claims");
	if (claims != NULL && (json_object_update_missing(claims, facts) != 0 ||
			!add_requested(p, t, json_string_value(requested), claims))) {
		json_decref(claims);
		claims = NULL;
	}
	json_decref(requested);
	json_decref(facts);
	return claims;
}

proauth2_status id_token_issue(proauth2_provider *p, const grant_tokens *t,
		const char *access_token, char **out, proauth2_error *err)
{
	char kid[KEY_ID_SIZE], pairwise[PAIRWISE_SUBJECT_SIZE];
	const char *sub = NULL;
	jws_signer *signer = NULL;
	json_t *claims = NULL;
	jws_alg alg = JWS_RS256;
	proauth2_status status = PROAUTH2_OK;

	*out = NULL;
	if (t->id_token_alg != NULL && !jws_alg_from_name(t->id_token_alg, &alg))
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_RECORD,
				"the client's id_token_signed_response_alg is unknown");
	if (status == PROAUTH2_OK)
		status = pairwise_subject(p, t->subject_sector, t->user_id, pairwise,
				&sub, err);
	if (status == PROAUTH2_OK)
		status = key_set_signer(p, alg, kid, &signer, err);
	if (status == PROAUTH2_OK &&
			(claims = claims_of(p, t, sub, alg, access_token)) == NULL)
		status = NO_MEMORY(err);
	if (status == PROAUTH2_OK)
		status = jws_sign(signer, kid, "JWT", claims, out, err);
	json_decref(claims);
	jws_signer_free(signer);
	return status;
}
